//! mermaid-gen command line: thin wiring of the library's generators and checker.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::check::{Severity, Verdict};
use crate::{check, code, markdown, spec, trace};
use clap::{Parser, Subcommand};

const AFTER_HELP: &str = "\
Examples:
  mermaid-gen spec arch.yaml                 # YAML architecture spec -> flowchart on stdout
  mermaid-gen spec arch.yaml --fence -o docs/arch.md
  mermaid-gen code model.py --class ResNet50 # data flow of forward from its shape comments
  mermaid-gen code model.py --class ResNet50 --trace trace.json  # io shapes measured
  mermaid-gen trace trace.json               # module-level data flow from a runtime trace
  mermaid-gen trace trace.json --depth 2     # open every top-level stage one level down
  mermaid-gen shapes trace.json              # left-to-right tensor-shape chart
  mermaid-gen check README.md docs/*.md      # verdict for every Mermaid block
  mermaid-gen check --fix notes.md           # quote broken labels in place
  mermaid-gen check --json --strict diagram.mmd

Exit codes: 0 ok, 1 findings (check: a block Mermaid would reject, with --strict also
warnings; trace/shapes: a module call of the trace the diagram does not represent, named on
stderr), 2 usage or input error.";

#[derive(Parser)]
#[command(
    name = "mermaid-gen",
    version,
    about = "Mermaid diagrams that always render, and a checker for hand-written ones",
    after_help = AFTER_HELP
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
    /// Budget: largest input file read (spec, model, trace, Markdown), in bytes; larger files,
    /// FIFOs and devices are refused with exit 2.
    #[arg(long, global = true, value_name = "BYTES", default_value_t = cli_guard::DEFAULT_MAX_FILE_BYTES)]
    max_file_bytes: u64,
    /// Budget: deepest nesting of a Python model file (`code`; real model code stays under
    /// 100) and of spec groups (`spec`); deeper input is refused with exit 2.
    #[arg(long, global = true, value_name = "LEVELS", default_value_t = pymodel::nesting::DEFAULT_MAX_NESTING,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1_000_000))]
    max_nesting: usize,
}

/// The `--max-file-bytes` budget, set once from the command line before any file is read.
static MAX_FILE_BYTES: std::sync::atomic::AtomicU64 =
    std::sync::atomic::AtomicU64::new(cli_guard::DEFAULT_MAX_FILE_BYTES);

/// Reads an input file: a regular file within the size budget, as UTF-8 text.
fn read_input(path: &Path) -> Result<String, cli_guard::ReadError> {
    let max = MAX_FILE_BYTES.load(std::sync::atomic::Ordering::Relaxed);
    cli_guard::read_text_limited(path, max)
}

#[derive(clap::Args)]
struct OutArgs {
    /// Write to this file instead of stdout (refuses to overwrite without --force).
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Overwrite an existing output file.
    #[arg(long)]
    force: bool,
    /// Wrap the diagram in a ```mermaid fence (for pasting into Markdown).
    #[arg(long)]
    fence: bool,
}

#[derive(Subcommand)]
enum Cmd {
    /// Render a YAML architecture spec (schema: references/mermaid-spec.md).
    Spec {
        spec: PathBuf,
        #[command(flatten)]
        out: OutArgs,
        /// Budget: YAML nodes of the spec once anchors and aliases are expanded; a spec over it
        /// (an alias bomb) is refused with exit 2.
        #[arg(long, value_name = "NODES", default_value_t = crate::yaml_budget::DEFAULT_MAX_YAML_NODES)]
        max_yaml_nodes: usize,
    },
    /// Data flow of a model class's `forward`, labelled from its shape comments. With --trace,
    /// only the branches the run took are drawn; exit 1 when nothing but the input and output
    /// could be drawn.
    Code {
        model: PathBuf,
        /// The nn.Module class to draw.
        #[arg(long = "class")]
        class: String,
        /// Maximum number of nodes before dropping functional operations (module level).
        #[arg(long, default_value_t = 20)]
        max_nodes: usize,
        /// A runtime trace (trace_shapes.py) of this class or of a model that calls it: the
        /// nodes get the shapes the real forward pass measured (for a module of a traced model,
        /// the shapes all its calls agree on).
        #[arg(long)]
        trace: Option<PathBuf>,
        #[command(flatten)]
        out: OutArgs,
    },
    /// Module-level data flow of a model from a runtime trace (paper-replication/trace/v1).
    ///
    /// Every leaf module call of the trace is drawn, alone or in a group that gives its count
    /// and shapes; a call left out makes the exit status 1.
    Trace {
        trace: PathBuf,
        /// Without --depth: the deepest level of the module tree with at most this many boxes
        /// (one box per run of top-level stages when even level 2 has more).
        #[arg(long, default_value_t = 20)]
        max_nodes: usize,
        /// Cut the module tree at this level: 1 = one box per top-level stage (with its
        /// repeat count), 2 = each stage opened one level, ...
        #[arg(long)]
        depth: Option<usize>,
        #[command(flatten)]
        out: OutArgs,
    },
    /// Left-to-right tensor-shape chart from a runtime trace.
    Shapes {
        trace: PathBuf,
        #[arg(long, default_value_t = 20)]
        max_nodes: usize,
        /// Cut the module tree at this level (as for `trace`).
        #[arg(long)]
        depth: Option<usize>,
        #[command(flatten)]
        out: OutArgs,
    },
    /// Check every Mermaid block in Markdown (.md) or Mermaid (.mmd) files.
    Check {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Rewrite broken labels in place (quoting them, keeping their text).
        #[arg(long)]
        fix: bool,
        /// Treat warnings (silent misparses) as findings: exit 1.
        #[arg(long)]
        strict: bool,
        /// Machine-readable report on stdout.
        #[arg(long)]
        json: bool,
    },
}

fn fail(path: &Path, cause: impl std::fmt::Display) -> ExitCode {
    eprintln!("mermaid-gen: {}: {cause}", path.display());
    ExitCode::from(2)
}

fn write_output(out: &OutArgs, diagram: &str) -> Result<(), (PathBuf, String)> {
    let text = if out.fence {
        format!("```mermaid\n{diagram}```\n")
    } else {
        diagram.to_string()
    };
    let Some(path) = &out.output else {
        print!("{text}");
        return Ok(());
    };
    if path.exists() && !out.force {
        return Err((
            path.clone(),
            "already exists (use --force to overwrite)".to_string(),
        ));
    }
    write_atomic(path, &text).map_err(|e| (path.clone(), e.to_string()))
}

fn write_atomic(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("out");
    let tmp = dir.join(format!(".{name}.mermaid-gen.tmp"));
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path)
}

pub fn main_with_args<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    cli_guard::quiet_broken_pipe();
    let cli = Cli::parse_from(args);
    MAX_FILE_BYTES.store(cli.max_file_bytes, std::sync::atomic::Ordering::Relaxed);
    pymodel::set_max_nesting(cli.max_nesting);
    // Syntax trees of model files and specs are walked and dropped recursively: the budget
    // bounds their depth, and this stack fits the budget.
    let stack = pymodel::nesting::stack_bytes(cli.max_nesting);
    cli_guard::run_with_stack(stack, move || run(cli))
}

fn run(cli: Cli) -> ExitCode {
    match cli.cmd {
        Cmd::Spec {
            spec: path,
            out,
            max_yaml_nodes,
        } => {
            let text = match read_input(&path) {
                Ok(t) => t,
                Err(e) => return fail(&path, e),
            };
            if let Err(e) = crate::yaml_budget::count_nodes(&text, max_yaml_nodes) {
                return fail(&path, e);
            }
            let parsed = spec::parse_spec(&text);
            let diagram = match parsed.as_ref().map_err(|e| e.to_string()).and_then(|s| {
                spec::render_spec(s)
                    .map(|d| (d, spec::spec_warnings(s)))
                    .map_err(|e| e.to_string())
            }) {
                Ok(d) => d,
                Err(e) => return fail(&path, e),
            };
            if let Err((p, e)) = write_output(&out, &diagram.0) {
                return fail(&p, e);
            }
            warn_all(&path, &diagram.1);
            ExitCode::SUCCESS
        }
        Cmd::Code {
            model,
            class,
            max_nodes,
            trace: trace_path,
            out,
        } => {
            let text = match read_input(&model) {
                Ok(t) => t,
                Err(e) => return fail(&model, e),
            };
            let io = match &trace_path {
                None => code::IoShapes::default(),
                Some(p) => match read_input(p)
                    .map_err(|e| e.to_string())
                    .and_then(|t| trace::parse_trace(&t).map_err(|e| e.to_string()))
                {
                    // A trace of the whole model, when --class is one of its modules: the
                    // calls of that class are cut out of it (crate::class_calls); a trace that
                    // never calls the class measures other tensors and is not used.
                    Ok(t) => match t.modules.iter().find(|m| m.path.is_empty()) {
                        Some(root)
                            if root.ty != class
                                && root.forward_class.as_deref() != Some(class.as_str()) =>
                        {
                            match crate::class_calls::io_of_class(&t, &class, &model) {
                                Some((mut io, n)) => {
                                    let paths = crate::class_calls::instances(&t, &class, &model);
                                    io.lines =
                                        crate::class_calls::line_evidence(&t, &paths, &model);
                                    eprintln!(
                                        "mermaid-gen: {}: note: the trace is of {}: drawn from its {n} call(s) of {class} (a shape where the calls differ keeps the shape comment)",
                                        p.display(),
                                        root.ty
                                    );
                                    io
                                }
                                None => {
                                    eprintln!(
                                        "mermaid-gen: {}: warning: the trace is of {} and holds no call of {class}: its shapes are not used (trace {class} itself to label this diagram)",
                                        p.display(),
                                        root.ty
                                    );
                                    code::IoShapes::default()
                                }
                            }
                        }
                        _ => {
                            let mut io = code::IoShapes::from_trace(&t);
                            io.lines =
                                crate::class_calls::line_evidence(&t, &[String::new()], &model);
                            io
                        }
                    },
                    Err(e) => return fail(p, e),
                },
            };
            let code::CodeDiagram {
                text: diagram,
                warnings,
                empty,
            } = match code::code_diagram_with(&text, &class, max_nodes, &io) {
                Ok(d) => d,
                Err(e) => return fail(&model, e),
            };
            if let Err((p, e)) = write_output(&out, &diagram) {
                return fail(&p, e);
            }
            warn_all(&model, &warnings);
            if empty {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Cmd::Trace {
            trace: path,
            max_nodes,
            depth,
            out,
        } => run_trace(&path, trace::Cut { max_nodes, depth }, &out, false),
        Cmd::Shapes {
            trace: path,
            max_nodes,
            depth,
            out,
        } => run_trace(&path, trace::Cut { max_nodes, depth }, &out, true),
        Cmd::Check {
            files,
            fix,
            strict,
            json,
        } => run_check(&files, fix, strict, json),
    }
}

fn run_trace(path: &Path, cut: trace::Cut, out: &OutArgs, shapes: bool) -> ExitCode {
    if cut.depth == Some(0) {
        return fail(
            path,
            "--depth must be 1 or more (1 = one box per top-level stage)",
        );
    }
    let text = match read_input(path) {
        Ok(t) => t,
        Err(e) => return fail(path, e),
    };
    let tr = match trace::parse_trace(&text) {
        Ok(t) => t,
        Err(e) => return fail(path, e),
    };
    let drawn = if shapes {
        trace::shapes(&tr, cut)
    } else {
        trace::flow(&tr, cut)
    };
    let drawn = match drawn {
        Ok(d) => d,
        Err(e) => return fail(path, e),
    };
    if let Err((p, e)) = write_output(out, &drawn.text) {
        return fail(&p, e);
    }
    warn_all(path, &drawn.warnings);
    let c = &drawn.coverage;
    if c.lost.is_empty() {
        return ExitCode::SUCCESS;
    }
    eprintln!(
        "mermaid-gen: {}: the diagram represents {} of {} leaf module calls; not drawn: {}",
        path.display(),
        c.represented_calls,
        c.leaf_calls,
        c.lost.join(", ")
    );
    ExitCode::from(1)
}

fn warn_all(path: &Path, warnings: &[String]) {
    for w in warnings {
        eprintln!("mermaid-gen: {}: warning: {w}", path.display());
    }
}

#[derive(serde::Serialize)]
struct JsonBlock {
    path: String,
    /// 1-based line of the first diagram line in the file.
    line: usize,
    verdict: Verdict,
    diagram_type: String,
    diagnostics: Vec<check::Diagnostic>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    fixed: bool,
}

fn run_check(files: &[PathBuf], fix: bool, strict: bool, json: bool) -> ExitCode {
    let mut blocks_out = Vec::new();
    let (mut n_fail, mut n_warn, mut n_ok, mut n_skip) = (0, 0, 0, 0);
    for path in files {
        let text = match read_input(path) {
            Ok(t) => t,
            Err(e) => return fail(path, e),
        };
        let is_md = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "md" | "markdown"));
        let blocks = if is_md {
            markdown::mermaid_blocks(&text)
        } else {
            vec![markdown::Block {
                first_line: 1,
                fence_line: 1,
                text: text.clone(),
                byte_range: 0..text.len(),
            }]
        };
        let mut new_text = text.clone();
        // Apply fixes from the last block backwards so byte ranges stay valid.
        let mut reports = Vec::new();
        for b in &blocks {
            reports.push(check::check_diagram(&b.text));
        }
        let mut fixed_flags = vec![false; blocks.len()];
        if fix {
            for (i, b) in blocks.iter().enumerate().rev() {
                if reports[i].verdict == Verdict::Fail
                    && let Some(fixed) = check::fix_diagram(&b.text)
                {
                    new_text.replace_range(b.byte_range.clone(), &fixed);
                    reports[i] = check::check_diagram(&fixed);
                    fixed_flags[i] = true;
                }
            }
            if new_text != text
                && let Err(e) = write_atomic(path, &new_text)
            {
                return fail(path, e);
            }
        }
        for (i, (b, r)) in blocks.iter().zip(reports).enumerate() {
            match r.verdict {
                Verdict::Ok => n_ok += 1,
                Verdict::Fail => n_fail += 1,
                Verdict::NotChecked => n_skip += 1,
            }
            n_warn += r.warnings().count();
            let offset = b.first_line - 1;
            let diagnostics: Vec<check::Diagnostic> = r
                .diagnostics
                .iter()
                .map(|d| check::Diagnostic {
                    line: d.line + offset,
                    ..d.clone()
                })
                .collect();
            if !json {
                let p = path.display();
                match r.verdict {
                    Verdict::NotChecked => println!(
                        "{p}:{}: not checked: {} diagram (only flowcharts are checked)",
                        b.first_line, r.diagram_type
                    ),
                    Verdict::Ok if diagnostics.is_empty() => {
                        let note = if fixed_flags[i] { " (fixed)" } else { "" };
                        println!("{p}:{}: ok{note}", b.first_line)
                    }
                    _ => {}
                }
                for d in &diagnostics {
                    let sev = match d.severity {
                        Severity::Error => "error",
                        Severity::Warning => "warning",
                    };
                    println!("{p}:{}: {sev}[{}]: {}", d.line, d.code, d.message);
                    if let Some(f) = &d.fix {
                        println!("    fix: {f}");
                    }
                }
            }
            blocks_out.push(JsonBlock {
                path: path.display().to_string(),
                line: b.first_line,
                verdict: r.verdict,
                diagram_type: r.diagram_type.clone(),
                diagnostics,
                fixed: fixed_flags[i],
            });
        }
    }
    if json {
        let v = serde_json::json!({
            "blocks": blocks_out,
            "summary": {"ok": n_ok, "fail": n_fail, "not_checked": n_skip, "warnings": n_warn},
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&v).unwrap_or_else(|_| "{}".into())
        );
    } else {
        println!(
            "{} blocks: {n_ok} ok, {n_fail} fail, {n_skip} not checked, {n_warn} warnings",
            n_ok + n_fail + n_skip
        );
    }
    if n_fail > 0 || (strict && n_warn > 0) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
