//! tensor-shape-lint: the paper-replication coding standard as lint rules, and shape comments
//! checked against the layers.
//!
//! Replication code written in Phase 3 annotates every operation of `forward` with a shape
//! comment such as `# x: [B, 64, H//2, W//2] <- Conv2d(3, 64, k=7, s=2, p=3)`. This crate reads
//! a model file with [`pymodel`], checks the structural rules of the standard (TSL1xx), type
//! annotations (TSL2xx), the presence and form of shape comments (TSL3xx), "Paper did not
//! specify" blocks (TSL4xx) and common PyTorch pitfalls (TSL5xx), and infers shapes statically
//! from the layers built in `__init__` to compare them with the comments (TSL6xx).
//!
//! The rules are documented on their structs in [`rules`]; `--explain CODE` prints that text.
//! [`lint_source`] is the entry point for one file; [`infer`] and [`annotate`] back the
//! subcommands of the same names. Inference never guesses: unknown operations make values
//! unknown, which silences checks instead of producing errors (see [`shapes`]).

pub mod checks;
pub mod cli;
pub mod diagnostic;
pub mod output;
pub mod rules;
pub mod runtime;
pub mod settings;
pub mod shapes;

use diagnostic::Diagnostic;
use pymodel::{DimExpr, ModelFile, StmtKind, format_shape};
use settings::Settings;
use std::collections::HashMap;

#[derive(Debug, thiserror::Error)]
pub enum LintError {
    #[error("{0}")]
    Syntax(#[from] pymodel::ParseError),
    #[error("{0}")]
    Usage(String),
}

/// `# noqa` (all codes) or `# noqa: TSL301, TSL6` (codes or prefixes) on a line.
fn noqa_on_line(file: &ModelFile, line: u32) -> Option<Vec<String>> {
    for c in file.comments_in_lines(line, line) {
        let lower = c.text.to_ascii_lowercase();
        let Some(i) = lower.find("noqa") else {
            continue;
        };
        let rest = c.text[i + 4..].trim_start();
        let Some(codes) = rest.strip_prefix(':') else {
            return Some(Vec::new());
        };
        return Some(
            codes
                .split([',', ' '])
                .map(|s| s.trim().to_ascii_uppercase())
                .filter(|s| s.starts_with("TSL"))
                .collect(),
        );
    }
    None
}

fn suppressed(file: &ModelFile, d: &Diagnostic) -> bool {
    [d.line, d.end_line]
        .iter()
        .any(|&l| match noqa_on_line(file, l) {
            Some(codes) => codes.is_empty() || codes.iter().any(|c| d.code.starts_with(c.as_str())),
            None => false,
        })
}

/// [`lint_source`] plus the names the file imports (for [`drop_imported_models`]).
pub fn lint_source_with_imports(
    path: &str,
    source: &str,
    settings: &Settings,
) -> Result<(Vec<Diagnostic>, Vec<String>), LintError> {
    let file = ModelFile::parse(source)?;
    Ok((lint_file(path, &file, settings), imported_names(&file)))
}

/// Lints one file's source. `path` is used in messages only.
pub fn lint_source(
    path: &str,
    source: &str,
    settings: &Settings,
) -> Result<Vec<Diagnostic>, LintError> {
    let file = ModelFile::parse(source)?;
    Ok(lint_file(path, &file, settings))
}

/// Names imported with `from x import A, B` by a file (for the cross-file model filter).
pub fn imported_names(file: &ModelFile) -> Vec<String> {
    let mut out = Vec::new();
    for s in &file.module().body {
        s.walk(&mut |s| {
            if let StmtKind::ImportFrom { names, .. } = &s.kind {
                out.extend(names.iter().map(|(n, _)| n.clone()));
            }
        });
    }
    out
}

/// Drops model-level findings about classes that another linted file imports.
pub fn drop_imported_models(
    diags: &mut Vec<Diagnostic>,
    imported: &std::collections::HashSet<String>,
) {
    diags.retain(|d| d.subject.as_ref().is_none_or(|s| !imported.contains(s)));
}

/// What one lint run looked at, for the summary line: shape comments are "decided" when
/// every dim was compared with an inferred size, "undecided" when inference could not tell
/// (unknown beats wrong: those lines can never produce TSL601).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub files: usize,
    /// `nn.Module` classes with a forward (their shape comments are checked when forward
    /// declares its input shape).
    pub classes: usize,
    pub comments: usize,
    pub undecided: usize,
    /// Comments that contradicted nothing but only fixed a constructor argument nobody had
    /// bound (`[B, 64, H, W]` meeting `out_channels`): counted apart, never as checked.
    pub binding: usize,
    /// Classes whose comments were also checked at the `--at` sizes.
    pub at_classes: usize,
    /// Classes whose forward takes an input `--at` names but that are components (used by
    /// another class of the file, or imported by another linted file): checked without it.
    pub at_components: usize,
}

impl std::ops::AddAssign for Stats {
    fn add_assign(&mut self, o: Stats) {
        self.at_classes += o.at_classes;
        self.at_components += o.at_components;
        self.files += o.files;
        self.classes += o.classes;
        self.comments += o.comments;
        self.undecided += o.undecided;
        self.binding += o.binding;
    }
}

/// Lints a parsed file.
pub fn lint_file(path: &str, file: &ModelFile, settings: &Settings) -> Vec<Diagnostic> {
    lint_file_stats(path, file, settings).0
}

/// [`lint_source_with_imports`] plus the file's [`Stats`].
pub fn lint_source_stats(
    path: &str,
    source: &str,
    settings: &Settings,
) -> Result<(Vec<Diagnostic>, Vec<String>, Stats), LintError> {
    let file = ModelFile::parse(source)?;
    let (diags, stats) = lint_file_stats(path, &file, settings);
    Ok((diags, imported_names(&file), stats))
}

/// [`lint_file`] plus what it checked.
pub fn lint_file_stats(
    path: &str,
    file: &ModelFile,
    settings: &Settings,
) -> (Vec<Diagnostic>, Stats) {
    let mut ctx = checks::Ctx::new(file, path, settings);
    checks::structure::check(&mut ctx);
    checks::types::check(&mut ctx);
    checks::comments::check(&mut ctx);
    checks::unspecified::check(&mut ctx);
    checks::pitfalls::check(&mut ctx);
    shapes::check(&mut ctx);
    let ctx_stats = ctx.stats;
    let mut diags: Vec<Diagnostic> = ctx
        .diags
        .into_iter()
        .filter(|d| settings.enabled(d.code))
        .filter(|d| settings.verbose || d.code != <rules::InferenceGap as rules::Rule>::INFO.code)
        .filter(|d| !suppressed(file, d))
        .collect();
    diags.sort_by(|a, b| {
        a.sort_key()
            .cmp(&b.sort_key())
            .then(a.message.cmp(&b.message))
    });
    diags.dedup_by(|a, b| a.sort_key() == b.sort_key() && a.message == b.message);
    let mut stats = ctx_stats;
    stats.files = 1;
    (diags, stats)
}

/// Applies the fixes of `diags` to `source` (non-overlapping edits, last first).
pub fn apply_fixes(source: &str, diags: &[Diagnostic]) -> (String, usize) {
    let mut edits: Vec<&diagnostic::Edit> = diags
        .iter()
        .filter_map(|d| d.fix.as_ref())
        .flat_map(|f| f.edits.iter())
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse((e.start, e.end)));
    let mut out = source.to_string();
    let mut applied = 0;
    let mut floor = u32::MAX;
    for e in edits {
        if e.end > floor {
            continue;
        }
        out.replace_range(e.start as usize..e.end as usize, &e.content);
        floor = e.start;
        applied += 1;
    }
    (out, applied)
}

/// Parses `x=[2,3,224,224]` or `x=[B,3,H,W]`; several inputs separated by `;`. A dtype suffix
/// after the shape (`ids=[2,16]:long:37000`, the runtime harness's form) is accepted and
/// ignored, so one `--input` string works for `infer`, `annotate` and `--runtime` alike.
pub fn parse_inputs(spec: &str) -> Result<HashMap<String, Vec<DimExpr>>, LintError> {
    let mut out = HashMap::new();
    for part in spec.split(';').filter(|p| !p.trim().is_empty()) {
        let (name, shape) = part.split_once('=').ok_or_else(|| {
            LintError::Usage(format!("--input `{part}`: expected NAME=[d1, d2, ...]"))
        })?;
        let shape = match shape.rfind(']') {
            Some(end) if shape[end + 1..].trim_start().starts_with(':') => &shape[..=end],
            _ => shape,
        };
        let sc = pymodel::ShapeComment::parse(&format!("# {}: {}", name.trim(), shape.trim()))
            .and_then(Result::ok)
            .ok_or_else(|| {
                LintError::Usage(format!("--input `{part}`: expected NAME=[d1, d2, ...]"))
            })?;
        out.insert(name.trim().to_string(), sc.dims);
    }
    Ok(out)
}

/// Splits `FILE.py:Class`.
pub fn split_target(target: &str) -> Result<(&str, &str), LintError> {
    target
        .rsplit_once(':')
        .filter(|(f, c)| !f.is_empty() && !c.is_empty())
        .ok_or_else(|| LintError::Usage(format!("`{target}`: expected FILE.py:Class")))
}

fn find_class<'f>(file: &'f ModelFile, class: &str) -> Result<&'f pymodel::ClassDef, LintError> {
    let (_, c) = file
        .class(class)
        .ok_or_else(|| LintError::Usage(format!("no class `{class}` in the file")))?;
    if c.method("forward").is_none() {
        return Err(LintError::Usage(format!("class `{class}` has no forward")));
    }
    Ok(c)
}

/// The `infer` report: one line per assigned name of `forward`, `line: name = shape`.
/// Constructor keyword arguments from a JSON object (`{"dim": 64, "bias": false}`).
pub fn parse_ctor_kwargs(json: &str) -> Result<Vec<(String, shapes::value::Val)>, LintError> {
    use shapes::value::Val;
    let usage = |m: String| LintError::Usage(format!("--kwargs: {m}"));
    let map: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(json).map_err(|e| usage(e.to_string()))?;
    fn val(v: &serde_json::Value) -> Val {
        match v {
            serde_json::Value::Bool(b) => Val::Bool(Some(*b)),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => Val::Int(Some(DimExpr::Int(i))),
                None => Val::Float(n.as_f64()),
            },
            serde_json::Value::String(s) => Val::Str(s.clone()),
            serde_json::Value::Null => Val::NoneV,
            serde_json::Value::Array(items) => Val::Tuple(items.iter().map(val).collect()),
            // `{"ctor": "BatchNorm2d"}`: a torch.nn layer class passed as an argument; the
            // other forms are listed at [`object_val`]; any other object stands for a value the
            // caller cannot write (a function, a module of another library).
            serde_json::Value::Object(o) => object_val(o, &val).unwrap_or(Val::Unknown),
        }
    }
    Ok(map.iter().map(|(k, v)| (k.clone(), val(v))).collect())
}

/// Objects of `--kwargs` that stand for Python values other than numbers and strings:
/// - `{"ctor": "BatchNorm2d"}`: a torch.nn layer class;
/// - `{"class": "BasicBlock", "file": "PATH.py"}`: a class of a Python file;
/// - `{"partial": F, "args": [...], "kwargs": {...}}`: `functools.partial(F, ...)`;
/// - `{"module": "Conv2d", "kwargs": {...}}`: a built torch.nn layer;
/// - `{"sequential": [...]}`, `{"modulelist": [...]}`: containers of built layers;
/// - `{"instance": {"class": ..., "file": ..., "kwargs": {...}}}`: a class of a file, built.
/// - `{"object": {"dim": 64, ...}}`: a config object (a dataclass instance), read by attribute.
///
/// `None`: none of these (or a layer the checker does not model): the value is unknown.
fn object_val(
    o: &serde_json::Map<String, serde_json::Value>,
    val: &dyn Fn(&serde_json::Value) -> shapes::value::Val,
) -> Option<shapes::value::Val> {
    use shapes::value::Val;
    let map = |v: Option<&serde_json::Value>| -> Vec<(String, Val)> {
        v.and_then(|v| v.as_object())
            .map(|m| m.iter().map(|(k, v)| (k.clone(), val(v))).collect())
            .unwrap_or_default()
    };
    let list = |v: &serde_json::Value| -> Option<Vec<Val>> {
        Some(v.as_array()?.iter().map(val).collect())
    };
    if let Some(c) = o.get("ctor").and_then(|c| c.as_str()) {
        return shapes::layers::signature(c).map(|_| Val::Ctor(c.to_string()));
    }
    if let (Some(class), Some(file)) = (
        o.get("class").and_then(|c| c.as_str()),
        o.get("file").and_then(|c| c.as_str()),
    ) {
        return Some(Val::Given {
            path: file.to_string(),
            class: class.to_string(),
            kwargs: None,
        });
    }
    if let Some(inner) = o.get("instance").and_then(|i| i.as_object()) {
        let class = inner.get("class")?.as_str()?;
        let file = inner.get("file")?.as_str()?;
        return Some(Val::Given {
            path: file.to_string(),
            class: class.to_string(),
            kwargs: Some(map(inner.get("kwargs"))),
        });
    }
    if let Some(f) = o.get("partial") {
        let callee = val(f);
        if callee == Val::Unknown {
            return None;
        }
        return Some(Val::Partial {
            callee: Box::new(callee),
            args: o.get("args").and_then(list).unwrap_or_default(),
            kwargs: map(o.get("kwargs")),
        });
    }
    if let Some(name) = o.get("module").and_then(|c| c.as_str()) {
        let kwargs = map(o.get("kwargs"));
        let cfg = shapes::layers::bind(name, vec![], kwargs, format!("{name}(...)"))?;
        return Some(Val::Layer(Box::new(cfg)));
    }
    if let Some(items) = o.get("sequential").and_then(list) {
        return Some(Val::Modules {
            items,
            sequential: true,
        });
    }
    if let Some(fields) = o.get("object").and_then(|v| v.as_object()) {
        return Some(Val::User {
            class: "<object>".into(),
            file: 0,
            attrs: fields.iter().map(|(k, v)| (k.clone(), val(v))).collect(),
        });
    }
    if let Some(items) = o.get("modulelist").and_then(list) {
        return Some(Val::Modules {
            items,
            sequential: false,
        });
    }
    None
}

/// The `infer` report with constructor keyword arguments given as a JSON object.
pub fn infer_with(
    source: &str,
    class: &str,
    inputs: &HashMap<String, Vec<DimExpr>>,
    ctor_json: &str,
    verbose: bool,
) -> Result<String, LintError> {
    infer_at(None, source, class, inputs, ctor_json, verbose)
}

/// [`infer_with`] for the file at `path` (the source read from it): classes the file imports
/// from the files beside it are followed (see [`shapes::imports`]).
pub fn infer_at(
    path: Option<&std::path::Path>,
    source: &str,
    class: &str,
    inputs: &HashMap<String, Vec<DimExpr>>,
    ctor_json: &str,
    verbose: bool,
) -> Result<String, LintError> {
    infer_report_at(path, source, class, inputs, ctor_json, verbose).map(|i| i.text)
}

/// What `infer` prints, and whether it found that the forward raises at the given input.
pub struct Inference {
    pub text: String,
    /// The same as one JSON document (`infer --json`): `class`, `built_with_defaults`,
    /// `needs`, `lines` (`line`, `name`, `shape`, `layer`, `assumed_from`, `unknown`) and
    /// `raises` (`{line, why}` or null).
    pub json: serde_json::Value,
    /// `(line, why)`: the first statement of forward at which a layer cannot take what it is
    /// given (`Linear(9216, ...)` fed 6400 features): PyTorch raises there, a finding about the
    /// code (AlexNet dogfood: printed `(unknown: the forward raises ...)` and exited 0).
    pub raises: Option<(u32, String)>,
}

/// [`infer_at`] with the raise it found, if any.
pub fn infer_report_at(
    path: Option<&std::path::Path>,
    source: &str,
    class: &str,
    inputs: &HashMap<String, Vec<DimExpr>>,
    ctor_json: &str,
    verbose: bool,
) -> Result<Inference, LintError> {
    let ctor = parse_ctor_kwargs(ctor_json)?;
    let file = ModelFile::parse(source)?;
    let c = find_class(&file, class)?;
    let resolver = shapes::imports::Resolver::new(path);
    let scope = shapes::imports::Scope {
        main: &file,
        resolver: &resolver,
    };
    // The constructor arguments left at their defaults decide the shapes too: say which (the
    // SENet dogfood read `[B, ?, H, W]` for a `stride=stride` convolution as wrong for stride 2).
    let given: Vec<String> = ctor.iter().map(|(k, _)| k.clone()).collect();
    let defaults: Vec<String> = c
        .method("__init__")
        .map(|(_, init)| {
            init.params
                .iter()
                .filter(|p| p.name != "self" && !given.contains(&p.name))
                .filter_map(|p| {
                    let d = p.default.as_ref()?;
                    Some(format!("{}={}", p.name, file.text(d.span).trim()))
                })
                .collect()
        })
        .unwrap_or_default();
    // Required parameters nobody gave are unknown: every `?` they cause has this one cause
    // (EfficientNet dogfood: MBConv's in_channels, kernel_size, stride gave `?` without a word).
    let missing: Vec<String> = c
        .method("__init__")
        .map(|(_, init)| {
            init.params
                .iter()
                .filter(|p| {
                    p.name != "self"
                        && !given.contains(&p.name)
                        && p.default.is_none()
                        && !matches!(
                            p.kind,
                            pymodel::ParamKind::VarArgs | pymodel::ParamKind::VarKeywords
                        )
                })
                .map(|p| p.name.clone())
                .collect()
        })
        .unwrap_or_default();
    let (findings, records, _) = shapes::run_class_with(scope, c, inputs, ctor, true)
        .ok_or_else(|| LintError::Usage("no forward".into()))?;
    // A block that raises makes its call's value unknown with this reason; a layer of forward
    // itself that cannot take its input is a TSL604 finding of the run.
    let in_block = records.iter().find_map(|r| {
        r.gap
            .as_ref()
            .filter(|g| g.starts_with("the forward raises"))
            .map(|g| (r.stmt.line, g.clone()))
    });
    let direct = findings
        .iter()
        .filter(|f| f.rule.code == <rules::LayerInputMismatch as rules::Rule>::INFO.code)
        .map(|f| {
            let line = file.line_col(f.span.start).0;
            (line, format!("the forward raises: {}", f.message))
        })
        .min_by_key(|(l, _)| *l);
    // A layer of forward itself that raises has no output: its line prints `?` and why, not
    // the size the layer would give had it accepted its input.
    let direct = match (&in_block, direct) {
        (Some(a), Some(b)) if a.0 <= b.0 => None,
        (_, b) => b,
    };
    let mut out = String::new();
    if !defaults.is_empty() {
        out.push_str(&format!(
            "# {class} built with its defaults {} (--kwargs builds another)\n",
            defaults.join(", ")
        ));
    }
    if !missing.is_empty() {
        out.push_str(&format!(
            "# {class} needs {} (no default): unknown here, so what they size prints `?`; give them with --kwargs '{{\"{}\": ...}}'\n",
            missing.join(", "),
            missing[0]
        ));
    }
    let rows = inferred_rows(&records, direct.as_ref());
    out.push_str(&render_inferred(&rows, verbose));
    let raises = direct.or(in_block);
    let json = serde_json::json!({
        "class": class,
        "built_with_defaults": defaults,
        "needs": missing,
        "lines": rows,
        "raises": raises.as_ref().map(|(line, why)| serde_json::json!({"line": line, "why": why})),
    });
    Ok(Inference {
        text: out,
        json,
        raises,
    })
}

pub fn infer(
    source: &str,
    class: &str,
    inputs: &HashMap<String, Vec<DimExpr>>,
    verbose: bool,
) -> Result<String, LintError> {
    infer_with(source, class, inputs, "{}", verbose)
}

/// One line of `infer`'s output.
#[derive(serde::Serialize)]
struct InferredRow {
    line: u32,
    name: String,
    shape: String,
    layer: Option<String>,
    /// The line of the shape comment the value continues from (not inferred).
    assumed_from: Option<u32>,
    /// Why the shape is unknown (said in the text without --verbose only when it raises).
    unknown: Option<String>,
}

fn inferred_rows(records: &[shapes::Inferred], raises: Option<&(u32, String)>) -> Vec<InferredRow> {
    records
        .iter()
        .map(|r| {
            let raised_here = raises.filter(|(l, _)| *l == r.stmt.line);
            let shape = match &r.value {
                _ if raised_here.is_some() => "?".to_string(),
                shapes::value::Val::Tensor(Some(dims)) => {
                    let d: Vec<DimExpr> = dims
                        .iter()
                        .map(|d| {
                            d.as_ref()
                                .map_or(DimExpr::Sym("?".into()), shapes::sym::pretty_exact)
                        })
                        .collect();
                    format_shape(&d)
                }
                v => v.describe(),
            };
            InferredRow {
                line: r.stmt.line,
                name: r.name.clone(),
                shape,
                layer: r.layer.as_ref().map(|l| {
                    let one_line: Vec<&str> = l.text.split_whitespace().collect();
                    one_line.join(" ")
                }),
                assumed_from: r.assumed,
                unknown: raised_here.map(|(_, why)| why.clone()).or(r.gap.clone()),
            }
        })
        .collect()
}

fn render_inferred(rows: &[InferredRow], verbose: bool) -> String {
    let mut out = String::new();
    for r in rows {
        out.push_str(&format!("{}: {} = {}", r.line, r.name, r.shape));
        if let Some(l) = &r.layer {
            out.push_str(&format!("  <- {l}"));
        }
        if let Some(line) = r.assumed_from {
            out.push_str(&format!(
                "  (not inferred: continues from the shape comment of line {line})"
            ));
        }
        // A forward that raises is said whatever the verbosity: `?` alone reads as "not
        // followed", not as "this input size does not work".
        if let Some(g) = &r.unknown
            && (verbose || g.starts_with("the forward raises"))
        {
            out.push_str(&format!("  (unknown: {g})"));
        }
        out.push('\n');
    }
    out
}

/// Compact description of a layer for a comment: `Conv2d(3, 64, k=7, s=2, p=3)`.
fn describe_layer(l: &shapes::value::LayerCfg) -> String {
    use shapes::value::Val;
    let show = |v: &Val| match v {
        Val::Int(Some(d)) => Some(d.to_string()),
        Val::Tuple(items) => {
            let parts: Option<Vec<String>> = items
                .iter()
                .map(|i| match i {
                    Val::Int(Some(d)) => Some(d.to_string()),
                    _ => None,
                })
                .collect();
            parts.map(|p| {
                if p.windows(2).all(|w| w[0] == w[1]) && !p.is_empty() {
                    p[0].clone()
                } else {
                    format!("({})", p.join(", "))
                }
            })
        }
        _ => None,
    };
    let sig = shapes::layers::signature(&l.ctor).unwrap_or(&[]);
    let mut parts = Vec::new();
    for (name, def) in sig {
        let v = l.get(name);
        let Some(text) = show(v) else { continue };
        let short = match *name {
            "kernel_size" => "k",
            "stride" => "s",
            "padding" => "p",
            "dilation" => "d",
            "groups" => "g",
            other => other,
        };
        match def {
            shapes::layers::Def::Req if short != *name => parts.push(format!("{short}={text}")),
            shapes::layers::Def::Req => parts.push(text),
            shapes::layers::Def::I(dv) if text != dv.to_string() => {
                parts.push(format!("{short}={text}"))
            }
            // A pool's stride defaults to its kernel size: one that is given is always said
            // (the ShuffleNet dogfood got `AvgPool2d(k=3, p=1)` for stride 2, read as stride 3).
            shapes::layers::Def::None => parts.push(format!("{short}={text}")),
            _ => {}
        }
    }
    format!("{}({})", l.ctor, parts.join(", "))
}

/// Writes missing shape comments of `class.forward` (and the input comment from `inputs` if
/// missing); existing comments are never changed. Returns the new source and how many comments
/// were added.
pub fn annotate(
    source: &str,
    class: &str,
    inputs: &HashMap<String, Vec<DimExpr>>,
) -> Result<(String, usize), LintError> {
    annotate_at(None, source, class, inputs, "{}")
}

/// [`annotate`] for the file at `path`, following the classes it imports (as [`infer_at`]).
/// `ctor_json`: constructor keyword arguments (`{"dim": 64}`) the comments may use as values;
/// the parameters it leaves out stay symbols named after them, never their defaults.
pub fn annotate_at(
    path: Option<&std::path::Path>,
    source: &str,
    class: &str,
    inputs: &HashMap<String, Vec<DimExpr>>,
    ctor_json: &str,
) -> Result<(String, usize), LintError> {
    annotate_report(path, source, class, inputs, ctor_json).map(|a| (a.source, a.added))
}

/// What `annotate` wrote, and the assignments of `forward` it left without a comment.
pub struct Annotated {
    pub source: String,
    pub added: usize,
    /// `(line, why)` of each assignment of `forward` that has no shape comment after the run,
    /// `line` counted in the annotated file (`source`)
    /// (the shape could not be derived soundly, or its names do not share one shape): the user
    /// must write them, and a silent stop reads as "done" (SENet dogfood: 8 of 14 written, no
    /// word about the other 6).
    pub left: Vec<(u32, String)>,
}

/// The values `--at` gives the symbols of forward's input (its comment's, or `given`'s when it
/// has none), one binding per `--at` map: `x=[2,3,299,299]` against `# x: [B, 3, H, W]` binds
/// B = 2, H = W = 299. A name or rank the input does not have is a usage error, never ignored.
fn sizes_of_symbols(
    body: &pymodel::Body,
    given: &HashMap<String, Vec<DimExpr>>,
    at: &[HashMap<String, Vec<DimExpr>>],
) -> Result<Vec<shapes::sym::Binding>, LintError> {
    let mut declared: HashMap<String, Vec<DimExpr>> = given.clone();
    declared.extend(declared_inputs(body));
    at.iter()
        .map(|run| {
            bind_at(&declared, run, false)
                .map_err(|(name, why)| LintError::Usage(format!("--at `{name}`: {why}")))
        })
        .collect()
}

/// The shapes forward's input comment declares, by name.
pub(crate) fn declared_inputs(body: &pymodel::Body) -> HashMap<String, Vec<DimExpr>> {
    let mut declared = HashMap::new();
    for note in &body.input {
        if let Some(sc) = note.shape() {
            for n in &sc.names {
                declared.insert(n.clone(), sc.dims.clone());
            }
        }
    }
    declared
}

/// One `--at` map bound to the `declared` input shapes: each symbol of a declared dim takes the
/// size at its position. `Err((name, why))` when the map cannot be bound. `lint`: the map may
/// be meant for another class's forward, so a name this forward lacks is passed over, and a
/// number in the comment must be the size given (a block declared `[B, 64, H, W]` is not fed
/// the image); `annotate` names one class, so a name it lacks is an error there.
pub(crate) fn bind_at(
    declared: &HashMap<String, Vec<DimExpr>>,
    run: &HashMap<String, Vec<DimExpr>>,
    lint: bool,
) -> Result<shapes::sym::Binding, (String, String)> {
    let mut b = shapes::sym::Binding::new();
    let mut names: Vec<&String> = run.keys().collect();
    names.sort();
    for name in names {
        let dims = &run[name];
        let usage = |why: String| (name.clone(), why);
        let Some(decl) = declared.get(name) else {
            if lint {
                continue;
            }
            return Err(usage("forward has no input of that name".into()));
        };
        if decl.len() != dims.len() {
            return Err(usage(format!(
                "{} dims, but the input is {}",
                dims.len(),
                format_shape(decl)
            )));
        }
        for (i, (d, v)) in decl.iter().zip(dims).enumerate() {
            let DimExpr::Int(v) = v else {
                return Err(usage("give integer sizes, e.g. x=[2,3,224,224]".into()));
            };
            if let DimExpr::Sym(s) = d
                && b.insert(s.clone(), *v).is_some_and(|old| old != *v)
            {
                return Err(usage(format!("`{s}` given two sizes")));
            }
            if let DimExpr::Int(n) = d
                && lint
                && n != v
            {
                return Err(usage(format!(
                    "dim {} is {n} in the input comment {}, {v} in --at",
                    i + 1,
                    format_shape(decl)
                )));
            }
        }
    }
    Ok(b)
}

/// Parses `--at` values (`x=[2,3,224,224]`, each one run; `;` separates the inputs of one
/// run), for `annotate` and the lint alike: every size must be a number, it is a size the
/// model runs at.
pub fn parse_at(specs: &[String]) -> Result<Vec<HashMap<String, Vec<DimExpr>>>, LintError> {
    specs
        .iter()
        .map(|spec| {
            let usage = |why: &str| LintError::Usage(format!("--at `{spec}`: {why}"));
            let run = parse_inputs(spec)
                .map_err(|_| usage("expected NAME=[d1, d2, ...], e.g. x=[2,3,224,224]"))?;
            if run.is_empty() {
                return Err(usage("expected NAME=[d1, d2, ...], e.g. x=[2,3,224,224]"));
            }
            if run
                .values()
                .flatten()
                .any(|d| !matches!(d, DimExpr::Int(_)))
            {
                return Err(usage("give integer sizes, e.g. x=[2,3,224,224]"));
            }
            Ok(run)
        })
        .collect()
}

/// [`annotate_at`] with the statements it left uncommented.
pub fn annotate_report(
    path: Option<&std::path::Path>,
    source: &str,
    class: &str,
    inputs: &HashMap<String, Vec<DimExpr>>,
    ctor_json: &str,
) -> Result<Annotated, LintError> {
    annotate_report_sized(path, source, class, inputs, ctor_json, &[])
}

/// [`annotate_report`] knowing the input sizes the model is validated at (`--at
/// "x=[2,3,224,224]"`, each map one run): a floor form such as `H//2` is written where it
/// equals the exact size at every one of them, the exact form `(H - 1)//2 + 1` elsewhere. With
/// no sizes, a floor form is written only where it is exact for every input size: a comment
/// must never be wrong at the size the model runs at (Xception's 299 gives 150 after a
/// stride-2 convolution with padding 1, not `299//2` = 149).
pub fn annotate_report_sized(
    path: Option<&std::path::Path>,
    source: &str,
    class: &str,
    inputs: &HashMap<String, Vec<DimExpr>>,
    ctor_json: &str,
    at: &[HashMap<String, Vec<DimExpr>>],
) -> Result<Annotated, LintError> {
    let ctor = parse_ctor_kwargs(ctor_json)?;
    let file = ModelFile::parse(source)?;
    let resolver = shapes::imports::Resolver::new(path);
    let scope = shapes::imports::Scope {
        main: &file,
        resolver: &resolver,
    };
    let c = find_class(&file, class)?;
    let body = file.forward(c).expect("checked");
    let has_input = body.input.iter().any(|n| n.shape().is_some());
    if !has_input && inputs.is_empty() {
        return Err(LintError::Usage(format!(
            "`{class}.forward` has no input-shape comment; pass --input \"x=[B,3,H,W]\""
        )));
    }
    let none = HashMap::new();
    let given = if has_input { &none } else { inputs };
    let sizes = sizes_of_symbols(&body, given, at)?;
    let (_, records, _) =
        shapes::run_class_with(scope, c, given, ctor, false).expect("has forward");
    // Insertions: (byte offset, text), applied from the end.
    let mut inserts: Vec<(usize, String)> = Vec::new();
    let indent_of = |line: u32| {
        let t = file.line_text(line);
        t[..t.len() - t.trim_start().len()].to_string()
    };
    if !has_input {
        let first = body
            .steps
            .first()
            .map(|s| s.stmt.line)
            .unwrap_or(body.def_stmt.end_line);
        let indent = indent_of(first);
        let mut names: Vec<&String> = inputs.keys().collect();
        names.sort();
        let mut text = String::new();
        for n in names {
            text.push_str(&format!(
                "{indent}# {n}: {} <- input\n",
                format_shape(&inputs[n])
            ));
        }
        inserts.push((file.lines().line_start(first) as usize, text));
    }
    let mut done = std::collections::HashSet::new();
    let mut left: Vec<(u32, String)> = Vec::new();
    for step in &body.steps {
        if step.notes.iter().any(|n| n.shape.is_some()) || done.contains(&step.stmt.span.start) {
            continue;
        }
        if !matches!(
            step.stmt.kind,
            StmtKind::Assign { .. } | StmtKind::AnnAssign { .. } | StmtKind::AugAssign { .. }
        ) {
            continue;
        }
        let found: Vec<&shapes::Inferred> = records
            .iter()
            .filter(|r| std::ptr::eq(r.stmt, step.stmt))
            .collect();
        let line = step.stmt.line;
        let is_tensor = |r: &&shapes::Inferred| {
            !r.name.contains('.')
                && matches!(
                    r.value,
                    shapes::value::Val::Tensor(_) | shapes::value::Val::Unknown
                )
        };
        if !found.iter().any(is_tensor) && !found.iter().any(|r| r.value.full_shape().is_some()) {
            // Not a tensor as far as inference knows (an int, a list): nothing to write unless
            // the run never reached it or lost its value.
            match found.iter().find_map(|r| r.gap.clone()) {
                Some(g) => left.push((line, format!("unknown: {g}"))),
                None if found.is_empty() => {
                    left.push((line, "not reached by the static run".into()))
                }
                None => {}
            }
            continue;
        }
        let tensors: Vec<(&String, Vec<DimExpr>)> = found
            .iter()
            .filter(|r| !r.name.contains('.'))
            .filter_map(|r| {
                r.value.full_shape().map(|d| {
                    let d = d.iter().map(|d| shapes::sym::pretty_for(d, &sizes));
                    (&r.name, d.collect())
                })
            })
            .collect();
        let Some((_, first_shape)) = tensors.first() else {
            let why = match found.iter().find_map(|r| r.gap.clone()) {
                Some(g) => format!("unknown: {g}"),
                None => match found.iter().find(|r| is_tensor(r)) {
                    Some(r) => format!("only partly known: {} = {}", r.name, r.value.describe()),
                    None => "its shape is unknown".to_string(),
                },
            };
            left.push((line, why));
            continue;
        };
        // One comment per statement; several names only when they share the shape.
        if tensors.iter().any(|(_, s)| s != first_shape) {
            left.push((line, "its names have different shapes".into()));
            continue;
        }
        done.insert(step.stmt.span.start);
        let names: Vec<&str> = tensors.iter().map(|(n, _)| n.as_str()).collect();
        let desc = match found.first().and_then(|r| r.layer.as_ref()) {
            Some(l) => describe_layer(l),
            None => {
                let value = match &step.stmt.kind {
                    StmtKind::Assign { value, .. } | StmtKind::AugAssign { value, .. } => {
                        file.text(value.span)
                    }
                    StmtKind::AnnAssign { value: Some(v), .. } => file.text(v.span),
                    _ => "",
                };
                let one_line: String = value.split_whitespace().collect::<Vec<_>>().join(" ");
                if one_line.chars().count() > 50 {
                    one_line.chars().take(47).collect::<String>() + "..."
                } else {
                    one_line
                }
            }
        };
        let comment = format!(
            "# {}: {} <- {}",
            names.join(", "),
            format_shape(first_shape),
            desc
        );
        // Never write a comment the linter rejects (TSL303): a config field's symbol
        // (`cfg.conv1_stride`) is not a name the comment grammar has. The line is left and
        // named, with the shape, so the user can write it with the field's value.
        if !matches!(pymodel::ShapeComment::parse(&comment), Some(Ok(_))) {
            let mut odd: Vec<String> = first_shape
                .iter()
                .flat_map(|d| d.symbols())
                .filter(|s| !s.chars().all(|c| c.is_alphanumeric() || c == '_'))
                .collect();
            odd.sort();
            odd.dedup();
            let names = if odd.is_empty() {
                "a form".to_string()
            } else {
                odd.iter()
                    .map(|s| format!("`{s}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            left.push((
                line,
                format!(
                    "its shape {} uses {names}, which a shape comment cannot hold (TSL303): write the comment by hand with its value",
                    format_shape(first_shape)
                ),
            ));
            continue;
        }
        let last_line = step.stmt.end_line;
        let line_text = file.line_text(last_line);
        let has_trailing = !file.comments_in_lines(last_line, last_line).is_empty();
        let line_end = file.lines().line_start(last_line) as usize + line_text.len();
        if !has_trailing && line_text.chars().count() + 2 + comment.chars().count() <= 100 {
            inserts.push((line_end, format!("  {comment}")));
        } else {
            let indent = indent_of(step.stmt.line);
            inserts.push((line_end, format!("\n{indent}{comment}")));
        }
    }
    // The lines named are those of the annotated file: the input comment and the comments
    // written below their statement move what follows them (the summary named the lines of
    // the file before, off by the lines inserted above: a Xception dogfood line 65 was 66).
    let shift = |line: u32| -> u32 {
        let start = file.lines().line_start(line) as usize;
        let added: usize = inserts
            .iter()
            .filter(|(at, _)| *at <= start)
            .map(|(_, text)| text.matches('\n').count())
            .sum();
        line + added as u32
    };
    for (line, _) in left.iter_mut() {
        *line = shift(*line);
    }
    inserts.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
    let mut out = source.to_string();
    let count = inserts.len();
    for (at, text) in inserts {
        out.insert_str(at, &text);
    }
    left.sort();
    left.dedup_by_key(|(l, _)| *l);
    Ok(Annotated {
        source: out,
        added: count,
        left,
    })
}
