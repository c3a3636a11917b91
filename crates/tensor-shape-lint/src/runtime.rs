//! `--runtime`: checks shape comments against real forward passes recorded by the skill's
//! `scripts/trace_shapes.py` (trace JSON schema `paper-replication/trace/v1`).
//!
//! The model runs twice, with the given input and with a second input whose batch and
//! spatial/sequence sizes differ, so a comment right only by coincidence at one size fails at
//! the other. Per module call, the symbols of the forward's input comment are bound from the
//! real input shapes; a symbol first written bare in a later comment is bound there.

use crate::LintError;
use crate::diagnostic::Diagnostic;
use crate::rules::{Rule, RuntimeShapeMismatch};
use pymodel::{DimExpr, ModelFile};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Where `trace_shapes.py` is: `$TSL_TRACE_SCRIPT`, else `scripts/trace_shapes.py` in the
/// skill folder [`find_skill_dir`] finds.
pub fn find_script() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("TSL_TRACE_SCRIPT") {
        return Some(PathBuf::from(p));
    }
    find_skill_dir("scripts/trace_shapes.py").map(|d| d.join("scripts/trace_shapes.py"))
}

/// The skill folder that holds `relative` (e.g. `scripts/validate_model.py`): the folder the
/// launcher names in `$PAPER_REPLICATION_SKILL_DIR` (it may have copied the binary to a
/// temporary folder), the binary's parent folder (`bin/..` inside the skill), or, from the
/// current folder upwards, `skill/paper-replication/` or the folder itself. Shared by the
/// helpers that call the skill's scripts (tensor-shape-lint, repro-check).
pub fn find_skill_dir(relative: &str) -> Option<PathBuf> {
    let mut candidates = Vec::new();
    if let Some(skill) = std::env::var_os("PAPER_REPLICATION_SKILL_DIR") {
        candidates.push(PathBuf::from(skill));
    }
    let exe = std::env::current_exe().ok();
    if let Some(skill) = exe.as_deref().and_then(Path::parent).and_then(Path::parent) {
        candidates.push(skill.to_path_buf());
    }
    let mut dir = std::env::current_dir().ok();
    while let Some(d) = dir {
        candidates.push(d.join("skill/paper-replication"));
        candidates.push(d.clone());
        dir = d.parent().map(Path::to_path_buf);
    }
    candidates.into_iter().find(|d| d.join(relative).exists())
}

/// The second input: batch + 1; for rank >= 4 the spatial sizes grow by 32, 64, ...; for rank
/// 2 and 3 the sequence length (dim 1) grows by 3. A `:dtype:high` suffix is kept.
pub fn second_input(spec: &str) -> Result<String, LintError> {
    changed_input(spec, true)
}

/// The fallback second input when the model only runs at its configured size (a ViT's fixed
/// position table): batch + 1 alone, which still tells `B` from a hard-coded batch.
pub fn batch_only_input(spec: &str) -> Result<String, LintError> {
    changed_input(spec, false)
}

fn changed_input(spec: &str, grow_sizes: bool) -> Result<String, LintError> {
    let usage = || LintError::Usage(format!("--input `{spec}`: expected NAME=[d1, d2, ...]"));
    let (name, rest) = spec.split_once('=').ok_or_else(usage)?;
    let close = rest.find(']').ok_or_else(usage)?;
    let dims: Vec<i64> = rest[..close]
        .trim_start_matches('[')
        .split(',')
        .map(|d| d.trim().parse::<i64>())
        .collect::<Result<_, _>>()
        .map_err(|_| {
            LintError::Usage(format!("--input `{spec}`: --runtime needs integer sizes"))
        })?;
    let mut second = dims.clone();
    match dims.len() {
        0 | 1 => {}
        _ if !grow_sizes => second[0] += 1,
        2 | 3 => {
            second[0] += 1;
            second[1] += 3;
        }
        n => {
            second[0] += 1;
            for (k, d) in second[2..n].iter_mut().enumerate() {
                *d += 32 * (k as i64 + 1);
            }
        }
    }
    let shown: Vec<String> = second.iter().map(|d| d.to_string()).collect();
    Ok(format!(
        "{name}=[{}]{}",
        shown.join(","),
        &rest[close + 1..]
    ))
}

/// How the traced model runs: the Python interpreter (default `python3`) and the model's
/// constructor keyword arguments as a JSON object (`trace_shapes.py --kwargs`).
#[derive(Clone, Debug, Default)]
pub struct TraceOptions {
    pub python: Option<PathBuf>,
    pub kwargs: Option<String>,
}

fn run_trace(
    script: &Path,
    target: &str,
    inputs: &[String],
    out: &Path,
    opts: &TraceOptions,
) -> Result<serde_json::Value, LintError> {
    let python = opts.python.as_deref().unwrap_or(Path::new("python3"));
    let mut cmd = std::process::Command::new(python);
    cmd.arg(script).arg(target);
    for i in inputs {
        cmd.arg("--input").arg(i);
    }
    if let Some(k) = &opts.kwargs {
        cmd.arg("--kwargs").arg(k);
    }
    cmd.arg("--out").arg(out).arg("--force");
    let result = cmd.output().map_err(|e| {
        LintError::Usage(format!(
            "cannot run {} {}: {e}",
            python.display(),
            script.display()
        ))
    })?;
    let text = std::fs::read_to_string(out).map_err(|_| {
        let err = String::from_utf8_lossy(&result.stderr);
        LintError::Usage(format!(
            "trace_shapes.py failed: {}",
            err.trim().lines().last().unwrap_or("no output")
        ))
    })?;
    serde_json::from_str(&text).map_err(|e| LintError::Usage(format!("trace JSON: {e}")))
}

fn shape_of(v: &serde_json::Value) -> Option<Vec<i64>> {
    v.as_array()?.iter().map(|d| d.as_i64()).collect()
}

/// The real inputs of call `call` of a traced module. A module called more than once (a shared
/// embedding run on source and target) lists every call in `call_shapes`, capped at 100 by the
/// tracer; past the cap nothing is bound, so the symbols bind at their first comment instead.
fn call_inputs(module: &serde_json::Value, call: i64) -> Option<&Vec<serde_json::Value>> {
    match module["call_shapes"].as_array() {
        Some(calls) => calls.get(usize::try_from(call).ok()?)?["inputs"].as_array(),
        None if call == 0 => module["inputs"].as_array(),
        None => None,
    }
}

/// User files of a trace, parsed once: path relative to the model's folder -> (file, shown path).
type Files = HashMap<String, Option<(ModelFile, String)>>;

/// What the runs executed: statement lines per user file, and the classes whose `forward` ran.
#[derive(Default)]
struct Reached {
    lines: HashSet<(String, i64)>,
    forwards: HashSet<(String, String)>,
}

impl Reached {
    /// Shape comments of a `forward` that ran, on statements no run executed (an
    /// `if self.training:` arm under `model.eval()`, a branch the inputs did not take): they were
    /// not checked, and a summary that only counts what was compared would hide them.
    fn unreached(&self, files: &Files) -> Vec<(String, u32)> {
        let mut out = Vec::new();
        let mut forwards: Vec<&(String, String)> = self.forwards.iter().collect();
        forwards.sort();
        for (f, class_name) in forwards {
            let Some(Some((file, path))) = files.get(f) else {
                continue;
            };
            let Some((_, class)) = file.class(class_name) else {
                continue;
            };
            let Some(body) = file.forward(class) else {
                continue;
            };
            for step in &body.steps {
                if step.notes.iter().any(|n| n.shape().is_some())
                    && !self.lines.contains(&(f.clone(), step.stmt.line as i64))
                {
                    out.push((path.clone(), step.stmt.line));
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }
}

/// The finding for a first run whose forward raised: at the user statement the trace names
/// (`error.file`, `error.line`), else at the class.
fn raised_at(
    root: &Path,
    files: &mut Files,
    model: &ModelFile,
    path: &Path,
    class: &str,
    err: &serde_json::Map<String, serde_json::Value>,
    set: &[String],
) -> Diagnostic {
    let msg = err.get("message").and_then(|m| m.as_str()).unwrap_or("?");
    let first: String = msg
        .lines()
        .next()
        .unwrap_or("?")
        .chars()
        .take(300)
        .collect();
    let message = format!(
        "runtime: {class}.forward raised with {}: {first}",
        set.join(" ")
    );
    let rule = &RuntimeShapeMismatch::INFO;
    if let (Some(f), Some(line)) = (
        err.get("file").and_then(|f| f.as_str()),
        err.get("line").and_then(|l| l.as_u64()),
    ) {
        let entry = files.entry(f.to_string()).or_insert_with(|| {
            let p = root.join(f);
            let src = cli_guard::read_text_limited(&p, cli_guard::DEFAULT_MAX_FILE_BYTES).ok()?;
            Some((ModelFile::parse(src).ok()?, p.display().to_string()))
        });
        if let Some((file, shown)) = entry.as_ref()
            && line >= 1
            && (line as usize) <= file.source().lines().count()
        {
            let text = file.line_text(line as u32);
            let end = file.lines().line_start(line as u32) + text.len() as u32;
            let start = end - text.trim_start().len() as u32;
            return Diagnostic::new(rule, file, shown, start, end, message);
        }
    }
    let span = model
        .class(class)
        .map_or((0, 0), |(_, c)| (c.name_span.start, c.name_span.end));
    Diagnostic::new(
        rule,
        model,
        &path.display().to_string(),
        span.0,
        span.1,
        message,
    )
}

/// Checks one trace; findings keyed by comment position so each comment is reported once.
fn check_trace(
    root: &Path,
    files: &mut Files,
    trace: &serde_json::Value,
    label: &str,
    out: &mut Vec<Diagnostic>,
    seen: &mut HashSet<(String, u32)>,
    reached: &mut Reached,
) -> usize {
    let mut compared = 0;
    let modules: HashMap<&str, &serde_json::Value> = trace["modules"]
        .as_array()
        .map(|m| {
            m.iter()
                .filter_map(|m| Some((m["path"].as_str()?, m)))
                .collect()
        })
        .unwrap_or_default();
    // (module, call) -> symbol values
    let mut frames: HashMap<(String, i64, String), HashMap<String, i64>> = HashMap::new();
    // (module, call, file) -> symbol -> line of the later comment that bound it (symbols of
    // the input comment are bound from the real inputs and are not in it).
    let mut bound_at: HashMap<(String, i64, String), HashMap<String, u32>> = HashMap::new();
    let empty = vec![];
    for a in trace["assignments"].as_array().unwrap_or(&empty) {
        let (Some(f), Some(line), Some(name), Some(func), Some(real)) = (
            a["file"].as_str(),
            a["line"].as_i64(),
            a["name"].as_str(),
            a["function"].as_str(),
            shape_of(&a["shape"]),
        ) else {
            continue;
        };
        let entry = files.entry(f.to_string()).or_insert_with(|| {
            let p = root.join(f);
            let src = cli_guard::read_text_limited(&p, cli_guard::DEFAULT_MAX_FILE_BYTES).ok()?;
            Some((ModelFile::parse(src).ok()?, p.display().to_string()))
        });
        let Some((file, path)) = entry.as_ref() else {
            continue;
        };
        let Some((class_name, _)) = func.split_once('.') else {
            continue;
        };
        reached.lines.insert((f.to_string(), line));
        reached
            .forwards
            .insert((f.to_string(), class_name.to_string()));
        let Some((_, class)) = file.class(class_name) else {
            continue;
        };
        let Some(body) = file.forward(class) else {
            continue;
        };
        let module = a["module"].as_str().unwrap_or("").to_string();
        let call = a["call"].as_i64().unwrap_or(0);
        let key = (module.clone(), call, f.to_string());
        let bound_here = bound_at.entry(key.clone()).or_default();
        let env = frames.entry(key).or_insert_with(|| {
            // Bind the input comment from the module's real inputs of this call, in order.
            let mut env = HashMap::new();
            let real_inputs: Vec<Vec<i64>> = modules
                .get(module.as_str())
                .and_then(|m| call_inputs(m, call))
                .map(|i| i.iter().filter_map(shape_of).collect())
                .unwrap_or_default();
            let declared = body
                .input
                .iter()
                .filter_map(|n| n.shape())
                .flat_map(|sc| sc.names.iter().map(move |_| &sc.dims));
            for (dims, shape) in declared.zip(&real_inputs) {
                if dims.len() == shape.len() {
                    for (d, s) in dims.iter().zip(shape) {
                        if let DimExpr::Sym(sym) = d {
                            env.entry(sym.clone()).or_insert(*s);
                        }
                    }
                }
            }
            env
        });
        let Some(step) = body.steps.iter().find(|s| s.stmt.line as i64 == line) else {
            continue;
        };
        let Some(note) = step.notes.iter().find(|n| {
            n.shape()
                .is_some_and(|sc| sc.names.iter().any(|n| n == name))
        }) else {
            // A shape comment that does not parse cannot be compared: a finding (TSL303, as
            // statically), not a comment silently left out of the count (AlexNet dogfood:
            // `cfg.conv1_stride` in a comment, 60 of 62 assignments compared, exit 0).
            if step.shape().is_none()
                && let Some(note) = step.notes.iter().find(|n| matches!(n.shape, Some(Err(_))))
                && let Some(Err(e)) = &note.shape
                && seen.insert((path.clone(), note.comment.span.start))
            {
                out.push(Diagnostic::new(
                    &crate::rules::MalformedShapeComment::INFO,
                    file,
                    path,
                    note.comment.span.start,
                    note.comment.span.end,
                    format!(
                        "malformed shape comment, not checked against the run (`{name}` is {real:?} with {label}): {e}"
                    ),
                ));
            }
            continue;
        };
        let sc = note.shape().expect("checked");
        let note_line = file.line_col(note.comment.span.start).0;
        compared += 1;
        let problem = if sc.dims.len() != real.len() {
            Some(format!(
                "{}-D, comment has {} dims",
                real.len(),
                sc.dims.len()
            ))
        } else {
            let mut bad = None;
            for (d, r) in sc.dims.iter().zip(&real) {
                if let DimExpr::Sym(sym) = d
                    && !env.contains_key(sym)
                {
                    env.insert(sym.clone(), *r);
                    bound_here.insert(sym.clone(), note_line);
                    continue;
                }
                if let Ok(v) = d.eval(&|s| env.get(s).copied())
                    && v != *r
                {
                    // A symbol an earlier comment bound may be the wrong one: that comment
                    // was taken at its word, so name it beside this one.
                    let earlier: Vec<String> = d
                        .symbols()
                        .into_iter()
                        .filter_map(|s| {
                            let at = *bound_here.get(&s)?;
                            (at != note_line)
                                .then(|| format!("`{s}` = {} bound at line {at}", env[&s]))
                        })
                        .collect();
                    let why = if earlier.is_empty() {
                        String::new()
                    } else {
                        format!(
                            " ({}; one of the two comments is wrong)",
                            earlier.join(", ")
                        )
                    };
                    bad = Some(format!("`{d}` = {v} but the real size is {r}{why}"));
                    break;
                }
            }
            bad
        };
        if let Some(p) = problem
            && seen.insert((path.clone(), note.comment.span.start))
        {
            let mut d = Diagnostic::new(
                &RuntimeShapeMismatch::INFO,
                file,
                path,
                note.comment.span.start,
                note.comment.span.end,
                format!("runtime: `{name}` is {real:?} with {label}; {p}"),
            );
            d.notes.push(format!("comment: {}", sc.shape_text()));
            out.push(d);
        }
    }
    compared
}

/// Runs the model twice through `trace_shapes.py` and compares every assignment with its
/// shape comment.
pub fn check(
    path: &Path,
    class: &str,
    inputs: &[String],
    script: &Path,
) -> Result<Vec<Diagnostic>, LintError> {
    check_with(path, class, inputs, script, &TraceOptions::default())
}

/// What `--runtime` ran: the findings and whether the two-size check really happened.
#[derive(Clone, Debug)]
pub struct Report {
    pub diags: Vec<Diagnostic>,
    /// The first input set (always run).
    pub first: String,
    pub second: SecondRun,
    /// Assignments of the user's files compared with a comment, over all runs.
    pub compared: usize,
    /// Shape comments (shown path, line) in a `forward` that ran, on statements no run reached.
    pub unreached: Vec<(String, u32)>,
}

/// The second run: only [`SecondRun::Ran`] with sizes that differ beyond the batch is the
/// two-size check; anything else is a SKIP of it, with the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecondRun {
    /// Ran with these inputs (batch and sizes differ from the first).
    Ran(String),
    /// The second size raised; the batch-only fallback ran (`ran`), so a hard-coded size of
    /// H, W or the sequence is not caught.
    BatchOnly {
        tried: String,
        why: String,
        ran: String,
    },
    /// The user said the model takes one input size (the reason); the second run changed the
    /// batch alone (`ran`).
    OneSize { why: String, ran: String },
    /// No second run was checked.
    Skipped(String),
}

/// How the second run's input is chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Second<'a> {
    /// Guessed by [`second_input`], with a batch-only fallback when the guess raises.
    Guess,
    /// Given, one spec per input; never replaced.
    Given(&'a [String]),
    /// The model takes one input size, for this reason: only the batch changes.
    OneSize(&'a str),
}

impl Report {
    /// The summary line of a `--runtime` run.
    pub fn summary(&self) -> String {
        let findings = self
            .diags
            .iter()
            .filter(|d| d.severity >= crate::rules::Severity::Warning)
            .count();
        let sizes = match &self.second {
            SecondRun::Ran(s) => format!("two sizes: {} and {s}", self.first),
            SecondRun::BatchOnly { tried, why, ran } => format!(
                "SKIP two-size check: {tried} raised ({why}); ran {} and batch-only {ran}",
                self.first
            ),
            SecondRun::OneSize { why, ran } => format!(
                "SKIP two-size check: one input size ({why}); ran {} and batch-only {ran}",
                self.first
            ),
            SecondRun::Skipped(why) => {
                format!("SKIP two-size check: {why}; ran {} only", self.first)
            }
        };
        let unreached = match self.unreached.len() {
            0 => String::new(),
            n => {
                let shown: Vec<String> = self
                    .unreached
                    .iter()
                    .take(8)
                    .map(|(p, l)| format!("{p}:{l}"))
                    .collect();
                format!(
                    ", {n} comment{} not reached by the runs and not checked ({}{})",
                    if n == 1 { "" } else { "s" },
                    shown.join(", "),
                    if n > 8 { ", ..." } else { "" }
                )
            }
        };
        format!(
            "tensor-shape-lint --runtime: {sizes}; {} assignments compared{unreached}, {} finding{}",
            self.compared,
            findings,
            if findings == 1 { "" } else { "s" }
        )
    }
}

/// [`check`] with another interpreter or constructor arguments (repro-check's `verify --run`).
pub fn check_with(
    path: &Path,
    class: &str,
    inputs: &[String],
    script: &Path,
    opts: &TraceOptions,
) -> Result<Vec<Diagnostic>, LintError> {
    Ok(check_report(path, class, inputs, Second::Guess, script, opts)?.diags)
}

/// Runs the model with `inputs` and with a second input chosen by `second` (guessed by
/// [`second_input`], with a batch-only fallback when the guess raises; given; or batch-only for
/// a model that takes one size) and compares every assignment with its shape comment. An
/// explicit second size is never replaced: when it raises, the two-size check is a SKIP with
/// the reason.
pub fn check_report(
    path: &Path,
    class: &str,
    inputs: &[String],
    second: Second<'_>,
    script: &Path,
    opts: &TraceOptions,
) -> Result<Report, LintError> {
    let source = cli_guard::read_text_limited(path, cli_guard::DEFAULT_MAX_FILE_BYTES)
        .map_err(|e| LintError::Usage(format!("{}: {e}", path.display())))?;
    let file = ModelFile::parse(source)?;
    if file.class(class).is_none() {
        return Err(LintError::Usage(format!(
            "no class `{class}` in {}",
            path.display()
        )));
    }
    let (explicit, one_size) = match second {
        Second::Guess => (false, None),
        Second::Given(_) => (true, None),
        Second::OneSize(why) => (true, Some(why)),
    };
    if let Second::Given(given) = second
        && given.len() != inputs.len()
    {
        return Err(LintError::Usage(format!(
            "give one second size per input ({} inputs, {} second sizes)",
            inputs.len(),
            given.len()
        )));
    }
    let second: Vec<String> = match second {
        Second::Given(given) => given.to_vec(),
        Second::OneSize(_) => inputs
            .iter()
            .map(|i| batch_only_input(i))
            .collect::<Result<_, _>>()?,
        Second::Guess => inputs
            .iter()
            .map(|i| second_input(i))
            .collect::<Result<_, _>>()?,
    };
    // One folder per call: a library user may run several checks at once in one process.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("tsl-runtime-{}-{call}", std::process::id()));
    std::fs::create_dir_all(&dir)
        .map_err(|e| LintError::Usage(format!("{}: {e}", dir.display())))?;
    let target = format!("{}:{class}", path.display());
    // Trace files are relative to the folder of the model file as given.
    let root = path.parent().unwrap_or(Path::new("")).to_path_buf();
    let mut files = Files::new();
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut reached = Reached::default();
    let mut result = Ok(());
    let batch_only: Vec<String> = inputs
        .iter()
        .map(|i| batch_only_input(i))
        .collect::<Result<_, _>>()?;
    let first = inputs.join(" ");
    let mut second_run = SecondRun::Skipped("no second run".into());
    if second == inputs {
        second_run = SecondRun::Skipped("the second size equals the first".into());
    }
    let mut sets = vec![inputs.to_vec()];
    if second != inputs {
        sets.push(second);
    }
    let mut compared = 0;
    let mut k = 0;
    while let Some(set) = sets.get(k).cloned() {
        let json = dir.join(format!("trace{k}.json"));
        k += 1;
        match run_trace(script, &target, &set, &json, opts) {
            Ok(trace) => {
                if let Some(err) = trace["error"].as_object() {
                    let msg = err.get("message").and_then(|m| m.as_str()).unwrap_or("?");
                    if k == 1 {
                        // The code raises at the size given: a finding about the code (TSL605,
                        // exit 1) at the user's statement that raised, not a usage error.
                        out.push(raised_at(&root, &mut files, &file, path, class, err, &set));
                        second_run = SecondRun::Skipped(format!(
                            "the forward raised with {}",
                            set.join(" ")
                        ));
                        break;
                    }
                    let why: String = msg
                        .lines()
                        .next()
                        .unwrap_or("?")
                        .chars()
                        .take(160)
                        .collect();
                    if k == 2 && !explicit && batch_only != sets[1] {
                        second_run = SecondRun::BatchOnly {
                            tried: set.join(" "),
                            why,
                            ran: batch_only.join(" "),
                        };
                        sets.push(batch_only.clone());
                    } else if k == 2 {
                        second_run = SecondRun::Skipped(format!(
                            "second run with {} raised ({why})",
                            set.join(" ")
                        ));
                    } else {
                        // The batch-only fallback raised too.
                        second_run = SecondRun::Skipped(format!(
                            "second runs with {} and {} raised ({why})",
                            sets[1].join(" "),
                            set.join(" ")
                        ));
                    }
                    continue;
                }
                if k == 2 {
                    second_run = match one_size {
                        Some(why) => SecondRun::OneSize {
                            why: why.to_string(),
                            ran: set.join(" "),
                        },
                        None => SecondRun::Ran(set.join(" ")),
                    };
                }
                compared += check_trace(
                    &root,
                    &mut files,
                    &trace,
                    &set.join(" "),
                    &mut out,
                    &mut seen,
                    &mut reached,
                );
            }
            Err(e) => {
                result = Err(e);
                break;
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    result?;
    out.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    // A second size that differs only in the batch does not test H, W or the sequence.
    if let SecondRun::Ran(s) = &second_run
        && explicit
        && sets[1]
            .iter()
            .zip(inputs)
            .all(|(b, a)| batch_only_input(a).ok().as_deref() == Some(b.as_str()))
    {
        second_run = SecondRun::Skipped(format!(
            "the second size {s} differs from the first only in the batch"
        ));
    }
    let unreached = reached.unreached(&files);
    Ok(Report {
        diags: out,
        first,
        second: second_run,
        compared,
        unreached,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn second_input_changes_batch_and_spatial_sizes() {
        assert_eq!(
            super::second_input("x=[2,3,224,160]").unwrap(),
            "x=[3,3,256,224]"
        );
        assert_eq!(
            super::second_input("src=[2,7]:long:100").unwrap(),
            "src=[3,10]:long:100"
        );
        assert_eq!(super::second_input("x=[2,7,64]").unwrap(), "x=[3,10,64]");
        assert!(super::second_input("x=[B,3]").is_err());
        assert_eq!(
            super::batch_only_input("x=[2,3,224,160]").unwrap(),
            "x=[3,3,224,160]"
        );
        assert_eq!(
            super::batch_only_input("src=[2,7]:long:100").unwrap(),
            "src=[3,7]:long:100"
        );
    }
}
