//! Checklist items of the "run" group (`verify --run` only): the skill's validation harness and
//! the runtime shape trace, on the model `verify.toml` names.
//!
//! - `run.config`: `verify.toml` reads (schema in [`crate::verify_config`]).
//! - `run.validate.<check>`: one item per check `scripts/validate_model.py --json` reports
//!   (forward, output_shape, paper_params, gradients, finite, determinism), with its status and
//!   detail; its SKIPs stay SKIPs. A loading error (exit 2) is one FAIL `run.validate`.
//! - `run.trace`: tensor-shape-lint's runtime mode (`scripts/trace_shapes.py` twice, at two
//!   input sizes) finds no shape comment that disagrees with the real tensors; each
//!   disagreement is a FAIL at its `file:line`.
//! - `run.loss.<check>`: with a `[loss]` table, the loss checks of `validate_model.py --loss`
//!   (scalar, finite, grad, gradcheck, reduction, invariance) on the model's output and
//!   `make_targets(batch)`; SKIP with the reason when no loss is declared.
//! - `run.model_main`, `run.tests`, `run.overfit`: what the replication itself claims, see
//!   [`super::replication`].
//!
//! Without `--run` both `run.validate` and `run.trace` are SKIP "not asked (--run)". When the
//! scripts, Python or PyTorch are missing, the items FAIL with the reason and the fix (never a
//! pass, and not an exit-2 usage error: the tree was checked and this item could not be proven;
//! every other item is still reported).

use super::VerifyOptions;
use crate::report::Item;
use crate::verify_config::{self, LossConfig, ModelConfig};
use std::path::{Path, PathBuf};
use std::process::Command;
use tensor_shape_lint::rules::Severity;
use tensor_shape_lint::runtime::{Second, SecondRun, TraceOptions, check_report};

/// What to install when PyTorch is missing (the versions the skill's harness is tested with).
const TORCH_HINT: &str = "pip install torch==2.14.1 torchvision==0.29.2";

/// Checks the tree at `root`.
pub fn check(root: &Path, opts: &VerifyOptions) -> Vec<Item> {
    if !opts.run {
        return vec![
            Item::skip("run.validate", "not asked (--run)"),
            Item::skip("run.trace", "not asked (--run)"),
            Item::skip("run.model_main", "not asked (--run)"),
            Item::skip("run.tests", "not asked (--run)"),
            Item::skip("run.overfit", "not asked (--run)"),
        ];
    }
    let full = match verify_config::read_all(root) {
        Ok(c) => c,
        Err(e) => {
            let location = Some(match e.line {
                Some(l) => format!("{}:{l}", verify_config::FILE_NAME),
                None => verify_config::FILE_NAME.to_string(),
            });
            let why = "not run: verify.toml cannot be used (see run.config)";
            return vec![
                Item::fail("run.config", e.message, location),
                Item::skip("run.validate", why),
                Item::skip("run.trace", why),
                Item::skip("run.model_main", why),
                Item::skip("run.tests", why),
                Item::skip("run.overfit", why),
            ];
        }
    };
    let config = &full.model;
    let mut items = vec![Item::pass(
        "run.config",
        format!(
            "verify.toml: {} with {}",
            config.target,
            config.inputs.join(" ")
        ),
    )];
    let (file, _) = config.split_target().expect("checked when read");
    let model_file = Some(file.to_string());
    // Without the skill's scripts, Python or PyTorch nothing can run: each item that would
    // have run says why (the tests and the overfit only when there is something to run).
    let fail_both = |reason: String| {
        let mut v = vec![
            Item::fail("run.validate", reason.clone(), model_file.clone()),
            Item::fail("run.trace", reason.clone(), model_file.clone()),
            Item::fail("run.model_main", reason.clone(), model_file.clone()),
        ];
        if root.join("tests").is_dir() {
            v.push(Item::fail(
                "run.tests",
                reason.clone(),
                Some("tests".into()),
            ));
        }
        if full.loss.is_some() {
            v.push(Item::fail("run.overfit", reason, model_file.clone()));
        }
        v
    };
    let Some(skill) = crate::skill::find(opts.skill_dir.as_deref(), crate::skill::SCRIPTS_MARKER)
    else {
        items.extend(fail_both(
            "the skill's scripts/validate_model.py was not found: pass --skill-dir or set PAPER_REPLICATION_SKILL_DIR".into(),
        ));
        return items;
    };
    let python = interpreter(opts.python.as_deref());
    let validated = timed("run.validate", &config.target, || {
        validate(root, config, full.loss.as_ref(), &skill, &python)
    });
    // Without Python or PyTorch the trace fails for the same reason: say it once, clearly.
    if let Err(reason) = validated {
        items.extend(fail_both(reason));
        return items;
    }
    items.extend(validated.unwrap_or_default());
    if full.loss.is_none() {
        items.push(Item::skip(
            "run.loss",
            "no [loss] in verify.toml: the loss was not checked (declare it with make_targets, references/runtime-validation.md)",
        ));
    }
    items.extend(timed("run.trace", &config.target, || {
        trace(root, config, &skill, &python)
    }));
    items.push(timed("run.model_main", file, || {
        super::replication::model_main(root, file, &python)
    }));
    items.push(timed("run.tests", "tests/", || {
        super::replication::tests(root, &python)
    }));
    items.push(timed("run.overfit", &config.target, || {
        super::replication::overfit(root, &full, &skill, &python)
    }));
    items
}

/// Runs one long item with a line on stderr as it starts and one with the time it took: the
/// harness and the trace each take from seconds to minutes, and a silent wait looks like a hang.
/// (stderr, so the report on stdout stays the same from run to run.)
fn timed<T>(id: &str, target: &str, f: impl FnOnce() -> T) -> T {
    use std::io::Write;
    let start = std::time::Instant::now();
    let _ = writeln!(
        std::io::stderr(),
        "repro-check: {id}: running on {target} ..."
    );
    let out = f();
    let _ = writeln!(
        std::io::stderr(),
        "repro-check: {id}: done in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    out
}

/// The interpreter to run: `--python` (made absolute when it is a path, since the harness runs
/// in the checked folder) or `python3` from `PATH`.
fn interpreter(given: Option<&Path>) -> PathBuf {
    match given {
        Some(p) if p.components().count() > 1 => {
            std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
        }
        Some(p) => p.to_path_buf(),
        None => PathBuf::from("python3"),
    }
}

/// One line of text: the harness's multi-line details joined with "; ".
fn one_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

/// `validate_model.py ... --json`, one item per check; `Err` with the reason and the fix when
/// Python cannot run or PyTorch is not installed (the harness says so on stderr).
fn validate(
    root: &Path,
    config: &ModelConfig,
    loss: Option<&LossConfig>,
    skill: &Path,
    python: &Path,
) -> Result<Vec<Item>, String> {
    let (file, _) = config.split_target().expect("checked when read");
    let script = skill.join("scripts/validate_model.py");
    let mut cmd = Command::new(python);
    cmd.current_dir(root).arg(&script).arg(&config.target);
    for i in &config.inputs {
        cmd.arg("--input").arg(i);
    }
    if let Some(k) = config.kwargs_json() {
        cmd.arg("--kwargs").arg(k);
    }
    if let Some(e) = config.expect_output() {
        cmd.arg("--expect-output").arg(e);
    }
    if let Some(p) = config.paper_params() {
        cmd.arg("--paper-params").arg(p);
    }
    if let Some(e) = config.explain_mismatch() {
        cmd.arg("--explain-mismatch").arg(e);
    }
    if let Some(l) = loss {
        cmd.arg("--loss").arg(&l.target);
        cmd.arg("--targets").arg(l.make_targets());
        cmd.arg("--reduction").arg(&l.reduction);
        if let Some(k) = l.kwargs_json() {
            cmd.arg("--loss-kwargs").arg(k);
        }
        if let Some(p) = l.perfect_prediction() {
            cmd.arg("--perfect").arg(p);
        }
    }
    cmd.env("PYTHONDONTWRITEBYTECODE", "1");
    cmd.arg("--json");
    let fail = |reason: String| {
        Ok(vec![Item::fail(
            "run.validate",
            reason,
            Some(file.to_string()),
        )])
    };
    let out = cmd.output().map_err(|e| {
        format!(
            "cannot run {}: {e} (install Python 3, or pass --python PATH)",
            python.display()
        )
    })?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    let last_err = stderr
        .trim()
        .lines()
        .last()
        .unwrap_or("no message")
        .to_string();
    if stderr.contains("PyTorch is not installed") {
        return Err(format!(
            "PyTorch cannot be imported by {}: {TORCH_HINT}",
            python.display()
        ));
    }
    let report: serde_json::Value = match serde_json::from_slice(&out.stdout) {
        Ok(v) => v,
        Err(_) => {
            return fail(format!(
                "validate_model.py exited {} without a report: {last_err}",
                out.status
                    .code()
                    .map_or("by a signal".into(), |c| c.to_string())
            ));
        }
    };
    let Some(checks) = report["checks"].as_array() else {
        return fail("validate_model.py's report has no checks".into());
    };
    let mut items = Vec::new();
    for c in checks {
        let name = c["name"].as_str().unwrap_or("unnamed");
        // loss_scalar -> run.loss.scalar: the loss is a deliverable of its own
        let id = match name.strip_prefix("loss_") {
            Some(check) => format!("run.loss.{check}"),
            None => format!("run.validate.{name}"),
        };
        let detail = one_line(c["detail"].as_str().unwrap_or(""));
        let at = match (name.starts_with("loss_"), loss) {
            (true, Some(l)) => l.target.split(':').next().unwrap_or(file),
            _ => file,
        };
        items.push(match c["status"].as_str() {
            Some("PASS") => Item::pass(&id, detail),
            Some("SKIP") => Item::skip(&id, detail),
            _ => Item::fail(&id, detail, Some(at.to_string())),
        });
    }
    if items.is_empty() {
        return fail("validate_model.py reported no checks".into());
    }
    Ok(items)
}

/// tensor-shape-lint's runtime check: every shape comment against the real tensors.
fn trace(root: &Path, config: &ModelConfig, skill: &Path, python: &Path) -> Vec<Item> {
    let (file, class) = config.split_target().expect("checked when read");
    let script = skill.join("scripts/trace_shapes.py");
    let opts = TraceOptions {
        python: Some(python.to_path_buf()),
        kwargs: config.kwargs_json(),
    };
    let second = match (config.one_size(), &config.inputs2) {
        (Some(why), _) => Second::OneSize(why),
        (None, Some(given)) => Second::Given(given),
        (None, None) => Second::Guess,
    };
    let report = match check_report(
        &root.join(file),
        class,
        &config.inputs,
        second,
        &script,
        &opts,
    ) {
        Ok(r) => r,
        Err(e) => {
            return vec![Item::fail(
                "run.trace",
                format!("the runtime shape trace did not run: {e}"),
                Some(file.to_string()),
            )];
        }
    };
    let failing: Vec<Item> = report
        .diags
        .iter()
        .filter(|d| d.severity >= Severity::Warning)
        .map(|d| {
            let path = Path::new(&d.path);
            let rel = path.strip_prefix(root).unwrap_or(path);
            let rel = rel.to_string_lossy().replace('\\', "/");
            Item::fail(
                "run.trace",
                format!("{} {}", d.code, d.message),
                Some(format!("{rel}:{}", d.line)),
            )
        })
        .collect();
    if !failing.is_empty() {
        return failing;
    }
    match &report.second {
        SecondRun::Ran(second) => vec![Item::pass(
            "run.trace",
            format!(
                "every shape comment the forward pass reaches agrees with the real tensors at two input sizes ({} and {second})",
                report.first
            ),
        )],
        // A single size (or a batch-only second run) is not the two-size check: say so.
        other => {
            let why = match other {
                SecondRun::BatchOnly { tried, why, ran } => {
                    format!(
                        "{tried} raised ({why}); only the batch changed in the second run ({ran})"
                    )
                }
                SecondRun::OneSize { why, ran } => format!(
                    "verify.toml's one_size says the model takes one input size ({why}); only the batch changed in the second run ({ran})"
                ),
                SecondRun::Skipped(why) => why.clone(),
                SecondRun::Ran(_) => unreachable!(),
            };
            vec![
                Item::pass(
                    "run.trace",
                    format!(
                        "every shape comment the forward pass reaches agrees with the real tensors at {}",
                        report.first
                    ),
                ),
                Item::skip(
                    "run.trace.two-sizes",
                    format!("two-size shape check: {why}"),
                ),
            ]
        }
    }
}
