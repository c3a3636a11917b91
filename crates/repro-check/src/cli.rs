//! Command line for repro-check: `init` scaffolds a replication's `output/` tree, `verify`
//! walks the skill's checklist over it.

use crate::{Error, Summary, VerifyOptions, init, report, skill};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

const AFTER_HELP: &str = "\
Examples:
  repro-check init --paper \"Deep Residual Learning for Image Recognition\" --model ResNet50 \\
      --out output/ --modules stem,bottleneck,stage,head --hyperparams work/paper/hyperparams.json
  repro-check verify output/
  repro-check verify output/ --run --json

Exit codes: 0 nothing failed (skips allowed), 1 at least one item failed, 2 usage or input error.";

/// Scaffold a paper replication's output/ tree, then verify it item by item against the skill's
/// checklist.
#[derive(Parser, Debug)]
#[command(name = "repro-check", version, after_help = AFTER_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Write the prescribed output/ tree from the skill's templates, gaps marked TODO(paper).
    #[command(after_help = "\
Examples:
  repro-check init --paper \"Attention Is All You Need\" --model Transformer --out output/
  repro-check init --paper \"...\" --model ViT --out output/ --modules patch_embed,encoder_block,head
  repro-check init --paper \"...\" --model ResNet50 --out output/ --hyperparams work/paper/hyperparams.json
  repro-check init --paper \"...\" --model BertClassifier --out output/ --hyperparams hp.json --setting fine-tuning

With --hyperparams and no --setting, a value is filled in only where the paper states one
value for it in every setting (setting labels are guessed from the wording, so a value that
another setting contradicts is not picked); with --setting (main, fine-tuning, CIFAR, ...), where
that setting states exactly one for this model. Every other field lists its candidates with
page, setting and model under a TODO(paper).

Writes README.md, docs/ (audit, architecture, one six-part document per module, math,
diagrams), model.py, modules/, config.py, requirements.txt and verify.toml. Refuses, writing
nothing, when a file exists, unless --force. Templates come from the skill's
assets/templates/ when found (edit them there), else from the copies built into the binary.")]
    Init {
        /// The paper's title.
        #[arg(long)]
        paper: String,
        /// The top-level model class, a Python class name (ResNet50).
        #[arg(long)]
        model: String,
        /// The folder to write.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// pdf-figures' hyperparams.json: pre-fills config.py, the audit's table and the
        /// paper's parameter count with page and sentence.
        #[arg(long, value_name = "FILE")]
        hyperparams: Option<PathBuf>,
        /// With --hyperparams: the experiment whose values to fill in, a setting label (main,
        /// pre-training, fine-tuning, ablation, other-task, baseline) or a word of its dataset
        /// or section (CIFAR) [default: none; only values no setting contradicts are filled].
        #[arg(long, value_name = "SETTING", requires = "hyperparams")]
        setting: Option<String>,
        /// Module file stems, comma-separated (one docs/modules/<m>.md and modules/<m>.py each)
        /// [default: block].
        #[arg(long, value_delimiter = ',', value_name = "M,M,...")]
        modules: Vec<String>,
        /// Overwrite existing files.
        #[arg(long)]
        force: bool,
        /// The skill folder whose assets/templates/ to use [default: found like the scripts].
        #[arg(long, value_name = "DIR")]
        skill_dir: Option<PathBuf>,
    },
    /// Check an output/ tree item by item: PASS / FAIL / SKIP with the file:line to fix.
    #[command(after_help = "\
Examples:
  repro-check verify output/
  repro-check verify output/ --run
  repro-check verify output/ --run --python .venv/bin/python --json

Groups, in order: structure, placeholders, audit, diagrams, code, docs, run. One line per
item, then the summary line (\"12 passed, 1 failed, 2 skipped\"); a SKIP is never a pass.
--run also runs scripts/validate_model.py and the runtime shape trace, as verify.toml says;
without it those items are SKIP. The skill folder is --skill-dir, else
$PAPER_REPLICATION_SKILL_DIR, else the binary's bin/.., else skill/paper-replication above
the current folder.")]
    Verify {
        /// The output/ folder to check.
        #[arg(value_name = "DIR")]
        root: PathBuf,
        /// Also run the validation harness and the runtime shape trace (needs PyTorch).
        #[arg(long)]
        run: bool,
        /// Print the items and the summary as JSON.
        #[arg(long)]
        json: bool,
        /// Python interpreter for --run [default: python3].
        #[arg(long, value_name = "PATH")]
        python: Option<PathBuf>,
        /// The skill folder with scripts/validate_model.py.
        #[arg(long, value_name = "DIR")]
        skill_dir: Option<PathBuf>,
        /// Budget: largest file read as text (.md, .py, .toml, .json, ...), in bytes; a tree
        /// holding a larger one is refused with exit 2.
        #[arg(long, value_name = "BYTES", default_value_t = cli_guard::DEFAULT_MAX_FILE_BYTES)]
        max_file_bytes: u64,
        /// pdf-figures' output folder for the paper: the audit's page, table, figure and
        /// equation numbers are checked against it [default: work/paper beside ROOT, if there].
        #[arg(long, value_name = "DIR")]
        paper: Option<PathBuf>,
        /// Budget: deepest nesting of a Python file (real model code stays under 100).
        #[arg(long, value_name = "LEVELS", default_value_t = pymodel::nesting::DEFAULT_MAX_NESTING,
              value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1_000_000))]
        max_nesting: usize,
    },
}

pub fn main_with_args<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    cli_guard::quiet_broken_pipe();
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version.
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            let rendered = e.render().to_string();
            let first = rendered.lines().next().unwrap_or("bad arguments");
            eprintln!(
                "repro-check: {} (see --help)",
                first.trim_start_matches("error: ")
            );
            return ExitCode::from(2);
        }
    };
    let nesting = match &cli.command {
        Command::Verify { max_nesting, .. } => *max_nesting,
        Command::Init { .. } => pymodel::nesting::DEFAULT_MAX_NESTING,
    };
    pymodel::set_max_nesting(nesting);
    // verify lints model files and checks diagrams, whose trees are walked and dropped
    // recursively: the budget bounds their depth, and this stack fits the budget.
    let stack = pymodel::nesting::stack_bytes(nesting);
    match cli_guard::run_with_stack(stack, move || run(cli.command)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("repro-check: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(command: Command) -> Result<ExitCode, Error> {
    match command {
        Command::Init {
            paper,
            model,
            out,
            hyperparams,
            setting,
            modules,
            force,
            skill_dir,
        } => {
            let opts = init::InitOptions {
                skill_dir: skill::find(skill_dir.as_deref(), skill::TEMPLATES_DIR),
                paper,
                model,
                out,
                hyperparams,
                setting,
                modules,
                force,
            };
            let written = init::run(&opts)?;
            println!("wrote {} files under {}", written.len(), opts.out.display());
            for f in &written {
                println!("  {f}");
            }
            println!(
                "next: replace every {} marker, then run `repro-check verify {}`",
                init::PLACEHOLDER,
                opts.out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Verify {
            root,
            run,
            json,
            python,
            skill_dir,
            max_file_bytes,
            paper,
            max_nesting: _,
        } => {
            if let Some(dir) = &skill_dir
                && !dir.is_dir()
            {
                return Err(Error::input(dir.display(), "--skill-dir: no such folder"));
            }
            if let Some(dir) = &paper
                && !dir.join("manifest.json").is_file()
            {
                return Err(Error::input(
                    dir.display(),
                    "--paper: no manifest.json there (give pdf-figures' output folder)",
                ));
            }
            let opts = VerifyOptions {
                run,
                python,
                skill_dir: skill::find(skill_dir.as_deref(), skill::SCRIPTS_MARKER),
                max_file_bytes,
                paper,
            };
            let items = crate::verify(&root, &opts)?;
            if json {
                print!("{}", report::json(&items));
            } else {
                print!("{}", report::text(&items));
            }
            Ok(if Summary::of(&items).failed == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
    }
}
