//! `verify --run` on copies of examples/resnet50 with one defect each (needs python3 + PyTorch,
//! except the test of what happens without them).

#[path = "fixtures/run-support/support.rs"]
mod support;

use repro_check::Status;
use repro_check::checks::{VerifyOptions, verify};
use support::{check, copy_example, edit, failing, only_failures, require_torch, show, skill_dir};

#[test]
fn a_model_that_misses_the_paper_count_fails_paper_params() {
    require_torch();
    let dir = copy_example("resnet50");
    // conv4_x with 5 blocks instead of Table 1's 6: one identity bottleneck of width 256 fewer,
    // 1,117,184 parameters (docs/math/formulas.md, section 6), so 25,557,032 - 1,117,184 =
    // 24,439,848, outside 25.6M's [25.55M, 25.65M).
    edit(
        dir.path(),
        "config.py",
        "stage_blocks: tuple[int, int, int, int] = (3, 4, 6, 3)",
        "stage_blocks: tuple[int, int, int, int] = (3, 4, 5, 3)",
    );
    let items = check(dir.path(), true);
    // model.py's own __main__ compares the count with torchvision's 25,557,032 and fails too.
    assert_eq!(
        failing(&items),
        ["run.model_main", "run.validate.paper_params"]
            .map(String::from)
            .into(),
        "{}",
        show(&items)
    );
    let main = items.iter().find(|i| i.id == "run.model_main").unwrap();
    assert!(main.reason.contains("exited with 1"), "{}", main.reason);
    let fail = items
        .iter()
        .find(|i| i.id == "run.validate.paper_params")
        .unwrap();
    assert!(fail.reason.contains("24,439,848"), "{}", fail.reason);
    assert!(fail.reason.contains("mismatch"), "{}", fail.reason);
    assert_eq!(fail.location.as_deref(), Some("model.py"));
    for id in [
        "run.validate.forward",
        "run.validate.gradients",
        "run.trace",
    ] {
        assert!(
            items.iter().any(|i| i.id == id && i.status == Status::Pass),
            "{id}:\n{}",
            show(&items)
        );
    }
}

#[test]
fn a_shape_comment_wrong_at_run_time_fails_trace() {
    require_torch();
    let dir = copy_example("resnet50");
    // After the stem's max pool the map is H//4; "16" holds for verify.toml's 64x64 input but
    // not for the trace's second run (96x128 -> 24x32). The linter is told to trust the line,
    // so only the runtime trace can catch it.
    edit(
        dir.path(),
        "modules/stem.py",
        "# x: [B, 64, H//4, W//4] <- MaxPool2d(k=3, s=2, p=1)",
        "# x: [B, 64, 16, 16] <- MaxPool2d(k=3, s=2, p=1)  # noqa: TSL601",
    );
    let items = check(dir.path(), true);
    let fails = only_failures(&items, "run.trace");
    let fail = &fails[0];
    assert_eq!(
        fail.location.as_deref(),
        Some("modules/stem.py:30"),
        "{}",
        show(&items)
    );
    assert!(fail.reason.contains("real size is 24"), "{}", fail.reason);
}

#[test]
fn without_pytorch_the_run_items_fail_with_the_fix() {
    // An interpreter that cannot see site-packages, hence no torch.
    let dir = copy_example("resnet50");
    let fake = dir.path().join("python-without-site");
    std::fs::write(&fake, "#!/bin/sh\nexec python3 -S \"$@\"\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let opts = VerifyOptions {
        run: true,
        python: Some(fake.clone()),
        skill_dir: Some(skill_dir()),
        ..VerifyOptions::default()
    };
    let items = verify(dir.path(), &opts);
    // Every item that would run Python fails with the fix: the harness, the trace, model.py's
    // __main__, the example's tests and its overfit (resnet50 declares a loss and ships tests).
    assert_eq!(
        failing(&items),
        [
            "run.model_main",
            "run.overfit",
            "run.tests",
            "run.trace",
            "run.validate"
        ]
        .map(String::from)
        .into(),
        "{}",
        show(&items)
    );
    for i in items.iter().filter(|i| i.status == Status::Fail) {
        assert!(
            i.reason.contains("PyTorch cannot be imported"),
            "{}",
            i.reason
        );
        assert!(i.reason.contains("pip install torch"), "{}", i.reason);
    }
    // A missing interpreter is a FAIL too, never a pass or a skip.
    let opts = VerifyOptions {
        python: Some(dir.path().join("no-such-python")),
        ..opts
    };
    let items = verify(dir.path(), &opts);
    let fail = items.iter().find(|i| i.id == "run.validate").unwrap();
    assert_eq!(fail.status, Status::Fail);
    assert!(fail.reason.contains("cannot run"), "{}", fail.reason);
}

/// A relative `--skill-dir` is relative to where the user typed it, not to the checked folder
/// the scripts run in (the SSD example's run with `--skill-dir skill/paper-replication` from the
/// workspace root failed with "can't open file .../examples/ssd300/skill/..."). The interpreter
/// has no torch, so the scripts, once found, stop at once with the install hint.
#[test]
fn a_relative_skill_dir_is_relative_to_the_working_folder() {
    let dir = copy_example("resnet50");
    let fake = dir.path().join("python-without-site");
    std::fs::write(&fake, "#!/bin/sh\nexec python3 -S \"$@\"\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_repro-check"))
        .current_dir(support::workspace())
        .arg("verify")
        .arg(dir.path())
        .args([
            "--run",
            "--skill-dir",
            "skill/paper-replication",
            "--python",
        ])
        .arg(&fake)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let validate = stdout
        .lines()
        .find(|l| l.starts_with("FAIL run.validate "))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(
        validate.contains("PyTorch cannot be imported"),
        "{validate}"
    );
    assert!(!stdout.contains("can't open file"), "{stdout}");
}

#[test]
fn a_bad_verify_toml_fails_config_at_its_line() {
    let dir = copy_example("resnet50");
    edit(
        dir.path(),
        "verify.toml",
        "expect_output =",
        "expect_shape =",
    );
    let items = check(dir.path(), true);
    let fails = only_failures(&items, "run.config");
    let fail = &fails[0];
    assert_eq!(fail.location.as_deref(), Some("verify.toml:7"));
    for id in [
        "run.validate",
        "run.trace",
        "run.model_main",
        "run.tests",
        "run.overfit",
    ] {
        let item = items.iter().find(|i| i.id == id).unwrap();
        assert_eq!(item.status, Status::Skip, "{id}");
    }
}

/// A copy of tests/fixtures/loss-tree: a two-output regressor whose masked, weighted MSE is
/// declared in verify.toml, with one hand-computed case in tests/test_losses.py.
fn loss_tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let from = support::workspace().join("crates/repro-check/tests/fixtures/loss-tree");
    for rel in [
        "model.py",
        "losses.py",
        "config.py",
        "verify.toml",
        "tests/test_losses.py",
    ] {
        let to = dir.path().join(rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(from.join(rel), to).unwrap();
    }
    dir
}

/// The failing run.* items (the other groups fail on this small tree and are not the point).
fn failing_run_items(root: &std::path::Path) -> (Vec<String>, Vec<repro_check::Item>) {
    let items = check(root, true);
    let ids = failing(&items)
        .into_iter()
        .filter(|id| id.starts_with("run."))
        .collect();
    (ids, items)
}

#[test]
fn each_loss_defect_fails_exactly_its_items() {
    require_torch();
    let dir = loss_tree();
    let (ids, items) = failing_run_items(dir.path());
    assert!(ids.is_empty(), "{}", show(&items));
    for id in [
        "run.loss.invariance",
        "run.loss.reduction",
        "run.model_main",
        "run.tests",
        "run.overfit",
    ] {
        assert!(
            items.iter().any(|i| i.id == id && i.status == Status::Pass),
            "{id}:\n{}",
            show(&items)
        );
    }
    let cases: &[(&str, &str, &[&str])] = &[
        // lambda 5 where the paper says 0.5: no generic check can know; the hand case (2.0) does
        ("LAMBDA = 0.5", "LAMBDA = 5.0", &["run.tests"]),
        // a sum over the batch: the batch repeated twice doubles the loss. The one-sample hand
        // case cannot see it.
        (
            "LAMBDA * (sq * mask).sum() / mask.sum()",
            "LAMBDA * (sq * mask).sum()",
            &["run.loss.reduction"],
        ),
        // no gradient reaches the prediction: the loss checks and the overfit both fail
        (
            "sq = (prediction - target[\"value\"]) ** 2",
            "sq = (prediction.detach() - target[\"value\"]) ** 2",
            &["run.loss.grad", "run.overfit"],
        ),
        // the unsupervised column: at the perfect prediction it is still random, and the hand
        // case's column 1 (100 - 0)^2 = 10,000 costs 5,000 instead of 2
        (
            "mask = target[\"mask\"]",
            "mask = ~target[\"mask\"]",
            &["run.loss.invariance", "run.tests"],
        ),
    ];
    // The copies run side by side: most of the time is spent starting Python and PyTorch.
    std::thread::scope(|s| {
        let runs: Vec<_> = cases
            .iter()
            .map(|(old, new, expected)| {
                s.spawn(move || {
                    let dir = loss_tree();
                    edit(dir.path(), "losses.py", old, new);
                    let (ids, items) = failing_run_items(dir.path());
                    (*new, *expected, ids, show(&items))
                })
            })
            .collect();
        for run in runs {
            let (new, expected, ids, shown) = run.join().unwrap();
            assert_eq!(ids, expected, "{new}:\n{shown}");
        }
    });
}
