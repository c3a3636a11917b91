//! Command line of skill-pack: parses flags, calls the library, maps outcomes to exit codes.

use clap::{Parser, Subcommand};
use skill_pack::bundle::{BuildOptions, InstallOutcome, build, install};
use skill_pack::rules::rule_table;
use skill_pack::validate::{validate_marketplace, validate_path};
use skill_pack::{Error, Report};
use std::path::PathBuf;
use std::process::ExitCode;

const AFTER_HELP: &str = "\
Exit codes: 0 valid (warnings allowed), 1 validation errors, 2 usage, I/O or build error.

Examples:
  skill-pack validate skill/paper-replication        check the source folder
  skill-pack validate dist/paper-replication.zip     check the upload
  skill-pack validate --strict dist/paper-replication.zip
                                                     also refuse a description over 200 chars
  skill-pack validate . --json                       marketplace + every skill it lists
  skill-pack build                                   helpers -> bin/, dist/paper-replication.zip
  skill-pack build --no-cargo --out /tmp/dist        pack bin/ as it is
  skill-pack install --force                         ~/.claude/skills/paper-replication/
  skill-pack rules                                   the rule codes
  skill-pack --explain SP-W3                         why a rule exists, with its sources";

#[derive(Parser)]
#[command(name = "skill-pack", version, about = "Validate, build, pack and install the paper-replication Agent Skill", after_help = AFTER_HELP)]
struct Cli {
    /// Explain where a rule comes from, with its public sources (every rule when no CODE).
    #[arg(long, value_name = "CODE", num_args = 0..=1, default_missing_value = "")]
    explain: Option<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Check a skill folder, a skill ZIP, or a repository root with .claude-plugin/marketplace.json.
    ///
    /// Findings print as `file:line: CODE severity: message`; `skill-pack rules` lists the codes.
    #[command(after_long_help = rules_help())]
    Validate {
        /// Skill folder, .zip/.skill file, or repository root (default: . when --marketplace is absent).
        path: Option<PathBuf>,
        /// Also check this marketplace.json and every skill its plugins list.
        #[arg(long, value_name = "FILE")]
        marketplace: Option<PathBuf>,
        /// Print the findings as one JSON object.
        #[arg(long)]
        json: bool,
        /// Also fail on limits only some upload path states (SP-W3: description over 200 chars
        /// for claude.ai); `skill-pack --explain` gives the sources.
        #[arg(long)]
        strict: bool,
    },
    /// Build the shipped helpers as static x86-64 Linux executables into <skill>/bin/, validate,
    /// and write <out>/<name>.zip plus <name>.zip.sha256 (byte-identical for the same inputs).
    Build {
        /// The skill folder.
        #[arg(long, default_value = "skill/paper-replication")]
        skill: PathBuf,
        /// Output folder for the ZIP and its checksum.
        #[arg(long, default_value = "dist")]
        out: PathBuf,
        /// Do not run cargo; pack whatever <skill>/bin/ already holds.
        #[arg(long)]
        no_cargo: bool,
    },
    /// Install the skill (folder or ZIP) for Claude Code.
    Install {
        /// Skill folder or ZIP to install.
        #[arg(default_value = "skill/paper-replication")]
        source: PathBuf,
        /// Destination folder (default: ~/.claude/skills/<name>).
        #[arg(long)]
        dest: Option<PathBuf>,
        /// Replace a different skill already installed at the destination.
        #[arg(long)]
        force: bool,
    },
    /// List every rule code with its severity and what it demands.
    Rules,
}

fn rules_help() -> String {
    format!("Rules:\n{}", rule_table())
}

fn main() -> ExitCode {
    // `skill-pack --explain | head` closes the pipe early: end quietly, no panic.
    cli_guard::quiet_broken_pipe();
    let cli = Cli::parse();
    if let Some(code) = &cli.explain {
        if code.is_empty() {
            print!("{}", skill_pack::explain::explain_all());
            return ExitCode::SUCCESS;
        }
        return match skill_pack::explain::rule_by_code(code) {
            Some(rule) => {
                print!("{}", skill_pack::explain::explain(rule));
                ExitCode::SUCCESS
            }
            None => {
                eprintln!("skill-pack: --explain: no rule '{code}' (skill-pack rules lists them)");
                ExitCode::from(2)
            }
        };
    }
    let Some(command) = cli.command else {
        eprintln!(
            "skill-pack: name a command (validate, build, install, rules) or --explain; --help for usage"
        );
        return ExitCode::from(2);
    };
    match run(command) {
        Ok(code) => code,
        Err(Error::Invalid(_, report)) => {
            print!("{}", report.to_text());
            ExitCode::from(1)
        }
        Err(err) => {
            eprintln!("skill-pack: {err}");
            ExitCode::from(2)
        }
    }
}

fn run(command: Command) -> Result<ExitCode, Error> {
    match command {
        Command::Validate {
            path,
            marketplace,
            json,
            strict,
        } => {
            let mut report = Report::new();
            report.set_strict(strict);
            if let Some(file) = &marketplace {
                report.extend(validate_marketplace(file, &file.to_string_lossy())?);
            }
            if path.is_some() || marketplace.is_none() {
                let path = path.unwrap_or_else(|| PathBuf::from("."));
                report.extend(validate_path(&path, &path.to_string_lossy())?);
            }
            if json {
                print!("{}", report.to_json());
            } else {
                print!("{}", report.to_text());
            }
            Ok(ExitCode::from(u8::from(report.has_errors())))
        }
        Command::Build {
            skill,
            out,
            no_cargo,
        } => {
            let outcome = build(&BuildOptions {
                skill,
                out,
                cargo: !no_cargo,
            })?;
            print!("{}", outcome.report.to_text());
            println!(
                "{}: {} files, helpers: {}\nsha256 {}",
                outcome.zip.display(),
                outcome.files,
                if outcome.helpers.is_empty() {
                    "none".to_string()
                } else {
                    outcome.helpers.join(", ")
                },
                outcome.sha256
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Install {
            source,
            dest,
            force,
        } => {
            let installed = install(&source, dest.as_deref(), force)?;
            let what = match installed.outcome {
                InstallOutcome::Installed => "installed",
                InstallOutcome::Unchanged => "already installed, unchanged",
                InstallOutcome::Replaced => "replaced",
            };
            println!("{}: {what}", installed.dest.display());
            if !installed.missing_helpers.is_empty() {
                eprintln!(
                    "skill-pack: note: no bundled bin/ for {}; run `skill-pack build` first or put them on PATH",
                    installed.missing_helpers.join(", ")
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Rules => {
            print!("{}", rule_table());
            Ok(ExitCode::SUCCESS)
        }
    }
}
