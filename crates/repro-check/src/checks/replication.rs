//! The "run" items that execute what the replication itself claims (`verify --run` only):
//!
//! - `run.model_main`: `python model.py`, the model file's own `__main__` validation; PASS on
//!   exit 0 with its last output line (its summary) as the detail.
//! - `run.tests`: the replication's tests, `python -m pytest -q tests`; PASS with pytest's
//!   summary line; SKIP with the reason when the tree has no `tests/` folder with a test file.
//! - `run.overfit`: `scripts/overfit.py` on one tiny batch with `[loss]` and the optimizer of
//!   `[overfit]` (default `config.py:TRAIN`); the loss curve is the detail. PASS when the loss
//!   gets well below what a constant prediction reaches, FAIL on a defect it names, SKIP with
//!   the reason when it cannot decide within the budget or `verify.toml` declares no `[loss]`.
//!
//! Every child runs in the checked folder, without writing `__pycache__` or `.pytest_cache`
//! into it, and is stopped after a time limit (a FAIL, never a hang).

use crate::report::Item;
use crate::verify_config::Config;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Longest a replication's own `__main__` or test suite may run.
const CHILD_LIMIT: Duration = Duration::from_secs(600);
/// The overfit run stops itself after `max_seconds` (default 60) of CPU time, which a busy
/// machine stretches in wall time; this only catches a hang.
const OVERFIT_GRACE: Duration = Duration::from_secs(600);

/// A finished child: exit code (None: killed or signalled), stdout, stderr.
struct Output {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    timed_out: bool,
}

/// Runs `cmd` with a time limit, reading both pipes on threads so a chatty child never blocks.
fn run_limited(mut cmd: Command, limit: Duration) -> std::io::Result<Output> {
    cmd.stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .stdin(Stdio::null())
        .env("PYTHONDONTWRITEBYTECODE", "1");
    let mut child = cmd.spawn()?;
    let read_all = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = r.read_to_end(&mut buf);
            String::from_utf8_lossy(&buf).into_owned()
        })
    };
    let out = read_all(Box::new(child.stdout.take().expect("piped")));
    let err = read_all(Box::new(child.stderr.take().expect("piped")));
    let start = Instant::now();
    let mut timed_out = false;
    let status = loop {
        if let Some(s) = child.try_wait()? {
            break s;
        }
        if start.elapsed() > limit {
            timed_out = true;
            let _ = child.kill();
            break child.wait()?;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Ok(Output {
        code: status.code(),
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
        timed_out,
    })
}

/// The last non-empty line of a text.
fn last_line(text: &str) -> Option<&str> {
    text.lines().map(str::trim).rfind(|l| !l.is_empty())
}

/// The end of a failed child's output: its last stderr line (a traceback's message), else its
/// last stdout line.
fn failure_tail(o: &Output) -> String {
    last_line(&o.stderr)
        .or_else(|| last_line(&o.stdout))
        .unwrap_or("no output")
        .to_string()
}

fn exit_text(o: &Output) -> String {
    o.code.map_or("by a signal".into(), |c| format!("with {c}"))
}

/// `run.model_main`: the model file's `__main__` validation.
pub fn model_main(root: &Path, model_file: &str, python: &Path) -> Item {
    let id = "run.model_main";
    let loc = Some(model_file.to_string());
    let text = std::fs::read_to_string(root.join(model_file)).unwrap_or_default();
    // Running a file without the guard proves nothing: it imports and exits 0.
    if !(text.contains("__name__") && text.contains("__main__")) {
        return Item::fail(
            id,
            format!(
                "{model_file} has no `if __name__ == \"__main__\":` validation to run (the skill's code standard asks for one)"
            ),
            loc,
        );
    }
    let mut cmd = Command::new(python);
    cmd.current_dir(root).arg(model_file);
    let o = match run_limited(cmd, CHILD_LIMIT) {
        Ok(o) => o,
        Err(e) => return Item::fail(id, format!("cannot run {}: {e}", python.display()), loc),
    };
    if o.timed_out {
        return Item::fail(
            id,
            format!(
                "python {model_file} was stopped after {} s",
                CHILD_LIMIT.as_secs()
            ),
            loc,
        );
    }
    if o.code == Some(0) {
        let summary = last_line(&o.stdout).unwrap_or("(no output)");
        Item::pass(id, format!("python {model_file} exited 0: {summary}"))
    } else {
        Item::fail(
            id,
            format!(
                "python {model_file} exited {}: {}",
                exit_text(&o),
                failure_tail(&o)
            ),
            loc,
        )
    }
}

/// The test files directly in `root/tests`, sorted (`test_*.py` and `*_test.py`, pytest's
/// default patterns).
fn test_files(root: &Path) -> Vec<String> {
    let mut files: Vec<String> = super::files_in(root, "tests", ".py")
        .into_iter()
        .filter(|f| {
            let name = f.rsplit('/').next().unwrap_or(f);
            name.starts_with("test_") || name.ends_with("_test.py")
        })
        .collect();
    files.sort();
    files
}

/// `run.tests`: the replication's own tests with pytest.
pub fn tests(root: &Path, python: &Path) -> Item {
    let id = "run.tests";
    let files = test_files(root);
    if files.is_empty() {
        return Item::skip(
            id,
            "no tests/test_*.py: the replication ships no tests of its own (the scaffold's tests/test_losses.py holds the loss's hand-computed cases)",
        );
    }
    let mut cmd = Command::new(python);
    cmd.current_dir(root)
        .args(["-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"]);
    let o = match run_limited(cmd, CHILD_LIMIT) {
        Ok(o) => o,
        Err(e) => return Item::fail(id, format!("cannot run {}: {e}", python.display()), None),
    };
    let loc = Some("tests".to_string());
    if o.timed_out {
        return Item::fail(
            id,
            format!("pytest was stopped after {} s", CHILD_LIMIT.as_secs()),
            loc,
        );
    }
    if o.stderr.contains("No module named pytest") {
        return Item::fail(
            id,
            format!(
                "pytest cannot be imported by {}: pip install pytest",
                python.display()
            ),
            loc,
        );
    }
    let summary = last_line(&o.stdout).unwrap_or("(no output)").to_string();
    match o.code {
        Some(0) => Item::pass(
            id,
            format!("pytest tests ({} files): {summary}", files.len()),
        ),
        Some(5) => Item::fail(id, format!("pytest collected no tests: {summary}"), loc),
        _ => {
            // the failing tests' lines ("FAILED tests/test_losses.py::test_x - ...") say where
            let failed: Vec<&str> = o
                .stdout
                .lines()
                .filter(|l| l.starts_with("FAILED ") || l.starts_with("ERROR "))
                .take(5)
                .collect();
            let what = if failed.is_empty() {
                failure_tail(&o)
            } else {
                failed.join("; ")
            };
            Item::fail(
                id,
                format!("pytest exited {}: {summary}; {what}", exit_text(&o)),
                loc,
            )
        }
    }
}

/// `run.overfit`: `scripts/overfit.py --json` with the declared loss and optimizer.
pub fn overfit(root: &Path, config: &Config, skill: &Path, python: &Path) -> Item {
    let id = "run.overfit";
    let Some(loss) = &config.loss else {
        return Item::skip(
            id,
            "no [loss] in verify.toml: nothing to train with, so the one-batch overfit did not run",
        );
    };
    let o = config.overfit.clone().unwrap_or_default();
    let target = o.target().unwrap_or(&config.model.target);
    let mut cmd = Command::new(python);
    cmd.current_dir(root)
        .arg(skill.join("scripts/overfit.py"))
        .arg(target);
    for i in o.inputs.as_ref().unwrap_or(&config.model.inputs) {
        cmd.arg("--input").arg(i);
    }
    // the model's kwargs are for the model's class, not for a smaller stand-in
    if let Some(k) = config.model.kwargs_json()
        && o.target().is_none()
    {
        cmd.arg("--kwargs").arg(k);
    }
    cmd.arg("--loss")
        .arg(&loss.target)
        .arg("--targets")
        .arg(loss.make_targets());
    if let Some(k) = loss.kwargs_json() {
        cmd.arg("--loss-kwargs").arg(k);
    }
    cmd.arg("--optimizer").arg(o.optimizer());
    if let Some(lr) = o.lr {
        cmd.arg("--lr").arg(lr.to_string());
    }
    if let Some(f) = o.factor {
        cmd.arg("--factor").arg(f.to_string());
    }
    if let Some(f) = o.floor {
        cmd.arg("--floor").arg(f.to_string());
    }
    if let Some(s) = o.max_steps {
        cmd.arg("--max-steps").arg(s.to_string());
    }
    let seconds = o.max_seconds.unwrap_or(60.0);
    cmd.arg("--max-seconds").arg(seconds.to_string());
    cmd.arg("--json");
    let limit = Duration::from_secs_f64(seconds) + OVERFIT_GRACE;
    let out = match run_limited(cmd, limit) {
        Ok(out) => out,
        Err(e) => return Item::fail(id, format!("cannot run {}: {e}", python.display()), None),
    };
    let loc = Some(loss.target.split(':').next().unwrap_or("").to_string());
    if out.timed_out {
        return Item::fail(
            id,
            format!("overfit.py was stopped after {} s", limit.as_secs()),
            loc,
        );
    }
    let Ok(report) = serde_json::from_str::<serde_json::Value>(&out.stdout) else {
        return Item::fail(
            id,
            format!(
                "overfit.py exited {} without a report: {}",
                exit_text(&out),
                failure_tail(&out)
            ),
            loc,
        );
    };
    let detail = report["detail"].as_str().unwrap_or("").to_string();
    let curve = report["curve_text"].as_str().unwrap_or("");
    let mut text = format!("{detail}; loss@step: {curve}");
    if let (Some(t), Some(why)) = (o.target(), o.target_reason()) {
        text = format!("{t}, not the paper-size model ({why}): {text}");
    }
    match report["status"].as_str() {
        Some("PASS") => Item::pass(id, text),
        // undecided within the budget: no defect seen, no fit either (overfit.py says which)
        Some("SKIP") => Item::skip(id, text),
        _ => Item::fail(id, text, loc),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limited_child_is_stopped_and_its_output_kept() {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "echo started; sleep 5"]);
        let o = run_limited(cmd, Duration::from_millis(300)).unwrap();
        assert!(o.timed_out);
        assert_eq!(o.stdout.trim(), "started");
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "echo a; echo b >&2; exit 3"]);
        let o = run_limited(cmd, Duration::from_secs(10)).unwrap();
        assert!(!o.timed_out);
        assert_eq!(
            (o.code, o.stdout.as_str(), o.stderr.as_str()),
            (Some(3), "a\n", "b\n")
        );
        assert_eq!(failure_tail(&o), "b");
    }

    #[test]
    fn a_model_file_without_main_fails_without_running() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("model.py"), "x = 1\n").unwrap();
        let item = model_main(dir.path(), "model.py", Path::new("no-such-python"));
        assert_eq!(item.status, crate::Status::Fail);
        assert!(item.reason.contains("no `if __name__"), "{}", item.reason);
    }

    #[test]
    fn no_test_files_is_a_skip_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("tests")).unwrap();
        std::fs::write(dir.path().join("tests/helpers.py"), "").unwrap();
        let item = tests(dir.path(), Path::new("no-such-python"));
        assert_eq!(item.status, crate::Status::Skip);
        assert!(
            item.reason.contains("no tests/test_*.py"),
            "{}",
            item.reason
        );
    }
}
