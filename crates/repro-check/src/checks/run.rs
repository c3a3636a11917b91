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
//!
//! Without `--run` both `run.validate` and `run.trace` are SKIP "not asked (--run)". When the
//! scripts, Python or PyTorch are missing, the items FAIL with the reason and the fix (never a
//! pass, and not an exit-2 usage error: the tree was checked and this item could not be proven;
//! every other item is still reported).

use super::VerifyOptions;
use crate::report::Item;
use crate::verify_config::{self, ModelConfig};
use std::path::{Path, PathBuf};
use std::process::Command;
use tensor_shape_lint::rules::Severity;
use tensor_shape_lint::runtime::{SecondRun, TraceOptions, check_report};

/// What to install when PyTorch is missing (the versions the skill's harness is tested with).
const TORCH_HINT: &str = "pip install torch==2.14.1 torchvision==0.29.2";

/// Checks the tree at `root`.
pub fn check(root: &Path, opts: &VerifyOptions) -> Vec<Item> {
    if !opts.run {
        return vec![
            Item::skip("run.validate", "not asked (--run)"),
            Item::skip("run.trace", "not asked (--run)"),
        ];
    }
    let config = match verify_config::read(root) {
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
            ];
        }
    };
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
    let fail_both = |reason: String| {
        vec![
            Item::fail("run.validate", reason.clone(), model_file.clone()),
            Item::fail("run.trace", reason, model_file.clone()),
        ]
    };
    let Some(skill) = crate::skill::find(opts.skill_dir.as_deref(), crate::skill::SCRIPTS_MARKER)
    else {
        items.extend(fail_both(
            "the skill's scripts/validate_model.py was not found: pass --skill-dir or set PAPER_REPLICATION_SKILL_DIR".into(),
        ));
        return items;
    };
    let python = interpreter(opts.python.as_deref());
    let validated = validate(root, &config, &skill, &python);
    // Without Python or PyTorch the trace fails for the same reason: say it once, clearly.
    if let Err(reason) = validated {
        items.extend(fail_both(reason));
        return items;
    }
    items.extend(validated.unwrap_or_default());
    items.extend(trace(root, &config, &skill, &python));
    items
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
        let id = format!("run.validate.{name}");
        let detail = one_line(c["detail"].as_str().unwrap_or(""));
        items.push(match c["status"].as_str() {
            Some("PASS") => Item::pass(&id, detail),
            Some("SKIP") => Item::skip(&id, detail),
            _ => Item::fail(&id, detail, Some(file.to_string())),
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
    let report = match check_report(&root.join(file), class, &config.inputs, &[], &script, &opts) {
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
