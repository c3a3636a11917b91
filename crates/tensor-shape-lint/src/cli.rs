//! Command-line entry point: lint files, explain rules, infer and annotate shapes.

use crate::output::{self, Format};
use crate::rules::{self, Severity};
use crate::settings::{self, Settings};
use clap::{Parser, Subcommand};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const AFTER_HELP: &str = "\
Examples:
  tensor-shape-lint model.py                       lint one file (exit 1 if findings)
  tensor-shape-lint src/ --format json             lint a folder, machine-readable output
  tensor-shape-lint model.py --at \"x=[2,3,224,224]\"
                                                   comments checked at the paper's size too
  tensor-shape-lint model.py --fix                 apply safe fixes (adds `-> None` to __init__)
  tensor-shape-lint --explain TSL601               explain a rule
  tensor-shape-lint --list-rules --format markdown rule reference
  tensor-shape-lint infer model.py:ResNet --input \"x=[2,3,224,224]\"
  tensor-shape-lint annotate model.py:Bottleneck --diff
  tensor-shape-lint --runtime model.py:ResNet --input \"x=[2,3,224,224]\" --input2 \"x=[3,3,256,192]\"
                                                   real forward at two sizes
  tensor-shape-lint --runtime model.py:SSD300 --input \"x=[2,3,300,300]\" --one-size \"built for 300x300\"
                                                   a model that takes one size: batch-only second run

Shape comments: `# x: [B, 64, H//2, W//2] <- Conv2d(3, 64, k=7, s=2, p=3)` after each statement
of forward; the first lines of forward declare the input: `# x: [B, 3, H, W]`.
Configuration: [tool.tensor-shape-lint] in pyproject.toml (select, ignore, extend-select,
symbols, max-forward-statements). Suppress one line with `# noqa: TSL301`.
Exit status: 0 no findings, 1 findings (warnings or errors), 2 usage or input error.";

#[derive(Parser)]
#[command(name = "tensor-shape-lint", version, about = "Lint PyTorch model code and check shape comments against the layers", after_help = AFTER_HELP, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Python files or folders (searched recursively for *.py).
    paths: Vec<PathBuf>,
    /// Output format: full, concise, json, sarif, github (markdown or text with --list-rules).
    #[arg(long, default_value = "full")]
    format: String,
    /// Rule codes or prefixes to enable (comma-separated), replacing the configuration's.
    #[arg(long, value_delimiter = ',')]
    select: Vec<String>,
    /// Rule codes or prefixes to disable (comma-separated).
    #[arg(long, value_delimiter = ',')]
    ignore: Vec<String>,
    /// pyproject.toml to read instead of searching upwards from the first path.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Also report inference gaps (TSL690).
    #[arg(long, short)]
    verbose: bool,
    /// Apply safe fixes in place.
    #[arg(long)]
    fix: bool,
    /// Print the documentation of a rule (code or name).
    #[arg(long, value_name = "CODE")]
    explain: Option<String>,
    /// List all rules.
    #[arg(long)]
    list_rules: bool,
    /// The input size the model is validated at, the paper's: "x=[2,3,224,224]" (repeatable,
    /// e.g. both --runtime sizes). NAME is forward's input parameter: the sizes bind the
    /// symbols of each linted model whose input comment declares NAME (`# x: [B, 3, H, W]`:
    /// B = 2, H = W = 224), and a comment whose short form (`H//4`) differs from the exact one
    /// at such a size is TSL601 (exit 1), not a TSL602 note. A forward without an input NAME
    /// (another model's, a loss) is checked as without --at. So is a component, a class used
    /// by another class of the file or imported by another linted file (its `x` is a feature
    /// map; the summary counts them), and a model input whose rank or numbers differ from the
    /// sizes (a TSL602 note says why). A component linted without its importer is taken for a
    /// model: lint it with the model. Exit 2 if no forward takes the sizes.
    #[arg(long, value_name = "NAME=[...]", conflicts_with = "runtime")]
    at: Vec<String>,
    /// FILE.py:Class: run the real forward pass twice (scripts/trace_shapes.py, needs python3
    /// and torch) and check every shape comment against it (TSL605).
    #[arg(long, value_name = "FILE.py:Class", requires = "input")]
    runtime: Option<String>,
    /// With --runtime: input shapes as for trace_shapes.py, e.g. "x=[2,3,224,224]" (repeatable).
    #[arg(long)]
    input: Vec<String>,
    /// With --runtime: the second input size, one per --input, e.g. "x=[3,3,256,288]"
    /// (repeatable). Without it the second size is guessed (batch + 1, H and W + 32, 64) and,
    /// if the guess raises, batch + 1 alone: a SKIP of the two-size check, said in the summary.
    #[arg(long, value_name = "NAME=[...]", requires = "runtime")]
    input2: Vec<String>,
    /// With --runtime: the model takes one input size (say why, e.g. "default boxes are built
    /// for 300x300"); the second run changes the batch alone and the two-size check is a SKIP
    /// with this reason in the summary line.
    #[arg(
        long,
        value_name = "REASON",
        requires = "runtime",
        conflicts_with = "input2"
    )]
    one_size: Option<String>,
    /// With --runtime: constructor keyword arguments as a JSON object, '{"dim": 96}' (a class
    /// with required arguments cannot be built without them).
    #[arg(long = "kwargs", value_name = "JSON", requires = "runtime")]
    runtime_kwargs: Option<String>,
    /// Budget: deepest nesting of brackets, operators, call chains and blocks in a Python file
    /// (real model code stays under 100); deeper files are refused with exit 2.
    #[arg(long, global = true, value_name = "LEVELS", default_value_t = pymodel::nesting::DEFAULT_MAX_NESTING,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1_000_000))]
    max_nesting: usize,
    /// Budget: largest Python file read, in bytes; larger files, FIFOs and devices are refused
    /// with exit 2.
    #[arg(long, global = true, value_name = "BYTES", default_value_t = cli_guard::DEFAULT_MAX_FILE_BYTES)]
    max_file_bytes: u64,
}

#[derive(Subcommand)]
enum Command {
    /// Print the shape inferred after every statement of forward. Exit 1 when a layer cannot
    /// take what it is given at this input (PyTorch raises there), named on stderr.
    Infer {
        /// FILE.py:Class
        target: String,
        /// Input shape: "x=[2,3,224,224]" (symbols allowed; repeat for several inputs, as with
        /// --runtime; a `:long:37000` dtype suffix is accepted and ignored).
        #[arg(long)]
        input: Vec<String>,
        /// Constructor keyword arguments as a JSON object: '{"dim": 64}'.
        #[arg(long, default_value = "{}")]
        kwargs: String,
        /// Say why a shape is unknown.
        #[arg(long, short)]
        verbose: bool,
        /// Print one JSON document instead (every line with why it is unknown, and `raises`).
        #[arg(long)]
        json: bool,
    },
    /// Write the missing shape comments of Class.forward into the file (existing comments are
    /// never changed).
    Annotate {
        /// FILE.py:Class
        target: String,
        /// Input shape when forward has no input comment: "x=[B,3,H,W]" (repeatable).
        #[arg(long)]
        input: Vec<String>,
        /// Print the lines that would be added instead of writing the file.
        #[arg(long)]
        diff: bool,
        /// Constructor keyword arguments the comments may use as values: '{"dim": 64}'
        /// (parameters left out stay symbols named after them, never their defaults).
        #[arg(long, default_value = "{}")]
        kwargs: String,
        /// The input size the model is validated at, the paper's: "x=[2,3,224,224]"
        /// (repeatable, one per run, e.g. both --runtime sizes). A floor form such as `H//2`
        /// is written only where it equals the exact size at each of them; without --at, only
        /// where it is exact for every size. Elsewhere the exact form, `(H - 1)//2 + 1` after a
        /// stride-2 convolution with padding 1 (299 gives 150, not 149).
        #[arg(long, value_name = "NAME=[...]")]
        at: Vec<String>,
    },
}

struct Failure(String);

fn fail(path: &Path, cause: impl std::fmt::Display) -> Failure {
    Failure(format!("{}: {cause}", path.display()))
}

fn collect_py(path: &Path, out: &mut Vec<PathBuf>) -> Result<(), Failure> {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| fail(path, e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for e in entries {
            let hidden = e
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'));
            if hidden {
                continue;
            }
            if e.is_dir() || e.extension().is_some_and(|x| x == "py") {
                collect_py(&e, out)?;
            }
        }
        Ok(())
    } else if path.is_file() {
        out.push(path.to_path_buf());
        Ok(())
    } else if let Ok(meta) = std::fs::metadata(path) {
        // A FIFO or device given by name: refused by what it is, never opened.
        Err(fail(
            path,
            format!(
                "is {}, not a regular file",
                cli_guard::describe(meta.file_type())
            ),
        ))
    } else {
        Err(fail(path, "No such file or directory"))
    }
}

/// Writes `content` next to `path` and renames it over `path`.
fn write_atomic(path: &Path, content: &str) -> Result<(), Failure> {
    let tmp = path.with_extension("py.tsl-tmp");
    std::fs::write(&tmp, content).map_err(|e| fail(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        fail(path, e)
    })
}

/// The `--max-file-bytes` budget, set once from the command line before any file is read.
static MAX_FILE_BYTES: std::sync::atomic::AtomicU64 =
    std::sync::atomic::AtomicU64::new(cli_guard::DEFAULT_MAX_FILE_BYTES);

fn read(path: &Path) -> Result<String, Failure> {
    let max = MAX_FILE_BYTES.load(std::sync::atomic::Ordering::Relaxed);
    cli_guard::read_text_limited(path, max).map_err(|e| fail(path, e))
}

/// Repeated `--input` flags; each may still hold several inputs separated by `;`.
fn parse_inputs(specs: &[String]) -> Result<Inputs, Failure> {
    crate::parse_inputs(&specs.join(";")).map_err(|e| Failure(e.to_string()))
}

type Inputs = HashMap<String, Vec<pymodel::DimExpr>>;

/// `FILE.py:Class` and `--input`: the file, the class, the source and the input shapes.
fn load_target<'t>(
    target: &'t str,
    input: &[String],
) -> Result<(&'t str, &'t str, String, Inputs), Failure> {
    let (file, class) = crate::split_target(target).map_err(|e| Failure(e.to_string()))?;
    let src = read(Path::new(file))?;
    Ok((file, class, src, parse_inputs(input)?))
}

fn run(cli: Cli) -> Result<ExitCode, Failure> {
    if let Some(code) = &cli.explain {
        let rule = rules::find(code)
            .ok_or_else(|| Failure(format!("--explain: unknown rule `{code}`")))?;
        println!("{}", rules::explain(rule));
        return Ok(ExitCode::SUCCESS);
    }
    if cli.list_rules {
        match cli.format.as_str() {
            "markdown" => print!("{}", rules::list(true)),
            "full" | "text" | "concise" => print!("{}", rules::list(false)),
            other => {
                return Err(Failure(format!(
                    "--list-rules: unknown format `{other}` (markdown or text)"
                )));
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(target) = &cli.runtime {
        let (file, class) = crate::split_target(target).map_err(|e| Failure(e.to_string()))?;
        let script = crate::runtime::find_script().ok_or_else(|| {
            Failure("--runtime: scripts/trace_shapes.py not found (set TSL_TRACE_SCRIPT)".into())
        })?;
        let path = Path::new(file);
        if !cli.input2.is_empty() && cli.input2.len() != cli.input.len() {
            return Err(Failure(format!(
                "--input2: give one second size per --input ({} --input, {} --input2)",
                cli.input.len(),
                cli.input2.len()
            )));
        }
        let second = match (&cli.one_size, cli.input2.is_empty()) {
            (Some(why), _) if why.trim().is_empty() => {
                return Err(Failure(
                    "--one-size: say why the model takes one input size".into(),
                ));
            }
            (Some(why), _) => crate::runtime::Second::OneSize(why.trim()),
            (None, false) => crate::runtime::Second::Given(&cli.input2),
            (None, true) => crate::runtime::Second::Guess,
        };
        let kwargs = match &cli.runtime_kwargs {
            Some(k) => match serde_json::from_str::<serde_json::Value>(k) {
                Ok(serde_json::Value::Object(_)) => Some(k.clone()),
                _ => {
                    return Err(Failure(format!(
                        "--kwargs: expected a JSON object such as '{{\"dim\": 96}}', got `{k}`"
                    )));
                }
            },
            None => None,
        };
        let report = crate::runtime::check_report(
            path,
            class,
            &cli.input,
            second,
            &script,
            &crate::runtime::TraceOptions {
                kwargs,
                ..Default::default()
            },
        )
        .map_err(|e| fail(path, e))?;
        let diags = &report.diags;
        let format = match cli.format.as_str() {
            "json" => Format::Json,
            "sarif" => Format::Sarif,
            "github" => Format::Github,
            "concise" => Format::Concise,
            _ => Format::Full,
        };
        let mut sources = HashMap::new();
        sources.insert(path.display().to_string(), read(path)?);
        for d in diags {
            if !sources.contains_key(&d.path) {
                sources.insert(d.path.clone(), read(Path::new(&d.path))?);
            }
        }
        print!("{}", output::render(diags, format, &sources));
        eprintln!("{}", report.summary());
        // Same exit rule as the static lint: notes alone do not fail a run.
        return Ok(if diags.iter().any(|d| d.severity >= Severity::Warning) {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        });
    }
    match cli.command {
        Some(Command::Infer {
            target,
            input,
            kwargs,
            verbose,
            json,
        }) => {
            let (file, class, src, inputs) = load_target(&target, &input)?;
            let path = Path::new(file);
            let inferred =
                crate::infer_report_at(Some(path), &src, class, &inputs, &kwargs, verbose)
                    .map_err(|e| fail(path, e))?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&inferred.json).unwrap_or_default()
                );
            } else {
                print!("{}", inferred.text);
            }
            // A forward that raises at the given input is a finding about the code: exit 1,
            // one stderr line naming where and why (a `?` and exit 0 read as "fine").
            if let Some((line, why)) = &inferred.raises {
                eprintln!(
                    "tensor-shape-lint: {}:{line}: {class}.forward raises at {}: {}",
                    path.display(),
                    input.join(" "),
                    why.strip_prefix("the forward raises")
                        .unwrap_or(why)
                        .trim_start_matches([':', ' '])
                        .trim_start()
                );
                return Ok(ExitCode::from(1));
            }
            return Ok(ExitCode::SUCCESS);
        }
        Some(Command::Annotate {
            target,
            input,
            diff,
            kwargs,
            at,
        }) => {
            let (file, class, src, inputs) = load_target(&target, &input)?;
            let path = Path::new(file);
            let at_text = at;
            let at = crate::parse_at(&at_text).map_err(|e| Failure(e.to_string()))?;
            let report =
                crate::annotate_report_sized(Some(path), &src, class, &inputs, &kwargs, &at)
                    .map_err(|e| fail(path, e))?;
            let (new, count) = (&report.source, report.added);
            if diff {
                let old: Vec<&str> = src.lines().collect();
                let mut j = 0;
                for (i, line) in new.lines().enumerate() {
                    if old.get(j) == Some(&line) {
                        j += 1;
                    } else if old.get(j).is_some_and(|o| line.starts_with(o)) {
                        println!("-{}:{}\n+{}:{}", file, j + 1, file, i + 1);
                        println!("-{}\n+{line}", old[j]);
                        j += 1;
                    } else {
                        println!("+{}:{}: {line}", file, i + 1);
                    }
                }
                eprintln!("tensor-shape-lint: {count} comment(s) would be added");
            } else {
                if count > 0 {
                    write_atomic(path, new)?;
                }
                eprintln!(
                    "tensor-shape-lint: {}: {count} comment(s) added",
                    path.display()
                );
            }
            // Unknown beats wrong: what annotate could not derive is named, line by line, so
            // that a partial run never reads as a finished one.
            if !report.left.is_empty() {
                let lines: Vec<String> = report.left.iter().map(|(l, _)| l.to_string()).collect();
                // Lines of the annotated file, as written (or as the diff's `+` side shows it).
                let of = if diff { " of the annotated file" } else { "" };
                eprintln!(
                    "tensor-shape-lint: {}: {} assignment(s) of {class}.forward left without a comment (lines {}{of}): write them by hand and check them with --runtime",
                    path.display(),
                    report.left.len(),
                    lines.join(", ")
                );
                for (line, why) in &report.left {
                    eprintln!("  {}:{line}: {why}", path.display());
                }
            }
            // The sizes given are the model's: a forward that raises at one of them is a
            // finding about the code, as with `infer` (AlexNet dogfood: conv1 without padding
            // fed `Linear(9216, ...)` 6400 features at --at 224; annotate wrote its comments
            // and exited 0). Without --at, the input given or the input comment decides, when
            // its sizes are numbers.
            let sizes: Vec<(String, &Inputs)> = if at.is_empty() {
                let shown = if input.is_empty() {
                    "its input comment".to_string()
                } else {
                    input.join(" ")
                };
                vec![(shown, &inputs)]
            } else {
                at_text.iter().cloned().zip(at.iter()).collect()
            };
            let mut raised = false;
            for (shown, given) in sizes {
                let Ok(inferred) =
                    crate::infer_report_at(Some(path), &src, class, given, &kwargs, false)
                else {
                    continue;
                };
                if let Some((line, why)) = &inferred.raises {
                    eprintln!(
                        "tensor-shape-lint: {}:{line}: {class}.forward raises at {shown}: {}; the comments describe code that does not run at this size",
                        path.display(),
                        why.strip_prefix("the forward raises")
                            .unwrap_or(why)
                            .trim_start_matches([':', ' '])
                            .trim_start()
                    );
                    raised = true;
                }
            }
            if raised {
                return Ok(ExitCode::from(1));
            }
            return Ok(ExitCode::SUCCESS);
        }
        None => {}
    }
    let format = match cli.format.as_str() {
        "full" => Format::Full,
        "concise" => Format::Concise,
        "json" => Format::Json,
        "sarif" => Format::Sarif,
        "github" => Format::Github,
        other => return Err(Failure(format!("--format: unknown format `{other}`"))),
    };
    if cli.paths.is_empty() {
        return Err(Failure("no input files (see --help)".into()));
    }
    let at = crate::parse_at(&cli.at).map_err(|e| Failure(e.to_string()))?;
    let mut settings = Settings::default();
    let config = match &cli.config {
        Some(p) => settings::read_pyproject(p)
            .map_err(|e| Failure(e.to_string()))?
            .ok_or_else(|| fail(p, "no [tool.tensor-shape-lint] table"))?
            .into(),
        None => settings::find_config(&cli.paths[0])
            .map_err(|e| Failure(e.to_string()))?
            .map(|(_, c)| c),
    };
    if let Some(c) = &config {
        settings.apply(c);
    }
    if !cli.select.is_empty() {
        settings.select = cli.select.clone();
    }
    settings.ignore.extend(cli.ignore.iter().cloned());
    settings.verbose = cli.verbose;
    settings.at = cli.at.iter().cloned().zip(at).collect();
    let mut files = Vec::new();
    for p in &cli.paths {
        collect_py(p, &mut files)?;
    }
    // A file named twice (`model.py model.py`, or a folder and a file in it) is linted once:
    // each of its findings was printed, and counted, once per mention.
    let mut seen = std::collections::HashSet::new();
    files.retain(|f| seen.insert(std::fs::canonicalize(f).unwrap_or_else(|_| f.clone())));
    if !settings.at.is_empty() {
        // Which classes are components must be known before the first file is linted (its
        // importer may come later); the files are read once more for it, only with --at. One
        // that cannot be read or parsed is left to the main pass, which reports it.
        for f in &files {
            let Ok(src) = read(f) else { continue };
            if pymodel::check_nesting(&src, cli.max_nesting).is_err() {
                continue;
            }
            if let Ok(file) = pymodel::ModelFile::parse(src) {
                settings.at_components.extend(crate::imported_names(&file));
            }
        }
    }
    let mut all = Vec::new();
    let mut sources = HashMap::new();
    // Files that do not parse: the run ends with exit 2 and ONE stderr line naming the first.
    let mut not_parsed: Vec<String> = Vec::new();
    let mut imported = std::collections::HashSet::new();
    let mut stats = crate::Stats::default();
    for f in &files {
        let src = read(f)?;
        // Over the budget is an input error for the whole run (exit 2, one line), not a finding.
        pymodel::check_nesting(&src, cli.max_nesting).map_err(|e| fail(f, e))?;
        let shown = f.display().to_string();
        match crate::lint_source_stats(&shown, &src, &settings) {
            Ok((mut diags, imports, file_stats)) => {
                stats += file_stats;
                imported.extend(imports);
                if cli.fix && diags.iter().any(|d| d.fix.is_some()) {
                    let (fixed, n) = crate::apply_fixes(&src, &diags);
                    write_atomic(f, &fixed)?;
                    eprintln!("tensor-shape-lint: {shown}: {n} fix(es) applied");
                    diags =
                        crate::lint_source(&shown, &fixed, &settings).map_err(|e| fail(f, e))?;
                    sources.insert(shown.clone(), fixed);
                } else {
                    sources.insert(shown.clone(), src);
                }
                all.extend(diags);
            }
            Err(e) => not_parsed.push(format!("{shown}: {e}")),
        }
    }
    let errors = not_parsed.len();
    crate::drop_imported_models(&mut all, &imported);
    print!("{}", output::render(&all, format, &sources));
    let failing = all
        .iter()
        .filter(|d| d.severity >= Severity::Warning)
        .count();
    // One summary line on every run (stderr, so --format json stays one document); a run with
    // a file that does not parse is an input error (exit 2), whose one line names that file and
    // ends with the summary.
    let summary = summary_line(&stats, files.len(), &all, errors);
    if let Some(first) = not_parsed.first() {
        let more = match errors - 1 {
            0 => String::new(),
            1 => " (and 1 more file)".to_string(),
            n => format!(" (and {n} more files)"),
        };
        let totals = summary.trim_start_matches("tensor-shape-lint: ");
        eprintln!("tensor-shape-lint: {first}{more}; {totals}");
        return Ok(ExitCode::from(2));
    }
    if !settings.at.is_empty() && stats.at_classes == 0 {
        // The check asked for was not made: a run that reads as passed at the paper's size
        // would be wrong (unknown beats wrong).
        let totals = summary.trim_start_matches("tensor-shape-lint: ");
        eprintln!(
            "tensor-shape-lint: --at {}: no linted model's forward declares an input of that name it could be bound to (see the TSL602 notes, or name forward's input parameter); {totals}",
            cli.at.join(" ")
        );
        return Ok(ExitCode::from(2));
    }
    eprintln!("{summary}");
    Ok(if failing > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `tensor-shape-lint: 3 files, 4 classes, 52 shape comments checked (9 undecided), 0 findings`;
/// `..., 50 shape comments checked (9 undecided), 2 binding constructor arguments (dims taken
/// as given), 0 findings` when two comments fixed an argument's value (that dim unchecked).
fn summary_line(
    stats: &crate::Stats,
    files: usize,
    diags: &[crate::diagnostic::Diagnostic],
    errors: usize,
) -> String {
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let failing = diags
        .iter()
        .filter(|d| d.severity >= Severity::Warning)
        .count();
    let notes = diags.len() - failing;
    // A comment that fixed a constructor argument was not checked in that dim: counted apart.
    let binding = if stats.binding > 0 {
        format!(
            ", {} binding constructor arguments (dims taken as given)",
            stats.binding
        )
    } else {
        String::new()
    };
    // How many classes --at reached, and how many it passed over by rule: a run that checked
    // none at the paper's size must not read like one that checked the model.
    let components = match stats.at_components {
        0 => String::new(),
        n => format!(
            " ({} as without --at)",
            plural(n, "component", "components")
        ),
    };
    let at = if stats.at_classes > 0 || stats.at_components > 0 {
        format!(
            ", {} also at the --at sizes{components}",
            plural(stats.at_classes, "class", "classes")
        )
    } else {
        String::new()
    };
    let mut line = format!(
        "tensor-shape-lint: {}, {}, {} checked ({} undecided){binding}{at}, {}",
        plural(files, "file", "files"),
        plural(stats.classes, "class", "classes"),
        plural(
            stats.comments - stats.binding,
            "shape comment",
            "shape comments"
        ),
        stats.undecided,
        plural(failing, "finding", "findings"),
    );
    if notes > 0 {
        line.push_str(&format!(" (+{})", plural(notes, "note", "notes")));
    }
    if errors > 0 {
        line.push_str(&format!(", {} not parsed", plural(errors, "file", "files")));
    }
    line
}

pub fn main_with_args<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    cli_guard::quiet_broken_pipe();
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    pymodel::set_max_nesting(cli.max_nesting);
    MAX_FILE_BYTES.store(cli.max_file_bytes, std::sync::atomic::Ordering::Relaxed);
    // Every pass over a syntax tree (and its drop) recurses as deep as the tree: the budget
    // bounds the depth, and this stack fits the budget.
    let stack = pymodel::nesting::stack_bytes(cli.max_nesting);
    match cli_guard::run_with_stack(stack, move || run(cli)) {
        Ok(code) => code,
        Err(Failure(msg)) => {
            eprintln!("tensor-shape-lint: {msg}");
            ExitCode::from(2)
        }
    }
}
