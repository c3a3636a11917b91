//! The three reference replications pass `repro-check verify --run` through the real binary
//! (needs python3 + PyTorch): exit 0 and a summary line with nothing failed.

#[path = "fixtures/run-support/support.rs"]
mod support;

use support::{require_torch, skill_dir, workspace};

/// `skips`: checks expected to be SKIP (a ViT fixed to 224x224 cannot run at a second image
/// size, so its two-size shape check is skipped with the reason, never reported as passed).
fn verify_run(example: &str) {
    verify_run_skipping(example, &[]);
}

fn verify_run_skipping(example: &str, skips: &[&str]) {
    require_torch();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_repro-check"))
        .arg("verify")
        .arg(workspace().join("examples").join(example))
        .arg("--run")
        .arg("--skill-dir")
        .arg(skill_dir())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{example}:\n{stdout}");
    let summary = stdout.lines().last().unwrap_or("");
    assert!(
        summary.ends_with(&format!(" passed, 0 failed, {} skipped", skips.len())),
        "{example}: {summary}"
    );
    for id in skips {
        assert!(
            stdout
                .lines()
                .any(|l| l.starts_with(&format!("SKIP {id} "))),
            "{example}: no SKIP {id}:\n{stdout}"
        );
    }
    // Every check the harness makes was run and passed: forward, output shape, parameter
    // policy, gradients, finite outputs, determinism, and the runtime trace.
    for id in [
        "run.validate.forward",
        "run.validate.output_shape",
        "run.validate.paper_params",
        "run.validate.gradients",
        "run.validate.finite",
        "run.validate.determinism",
        "run.trace",
    ] {
        assert!(
            stdout
                .lines()
                .any(|l| l.starts_with(&format!("PASS {id} "))),
            "{example}: no PASS {id}:\n{stdout}"
        );
    }
}

#[test]
fn resnet50_passes() {
    verify_run("resnet50");
}

#[test]
fn vit_b16_passes() {
    // The position table is fixed to 14x14 patches: the second run can change only the batch.
    verify_run_skipping("vit-b16", &["run.trace.two-sizes"]);
}

#[test]
fn transformer_base_passes_with_its_explained_mismatch() {
    verify_run("transformer-base");
    // The 65M mismatch stays a mismatch: it passes only because verify.toml explains it.
    let toml =
        std::fs::read_to_string(workspace().join("examples/transformer-base/verify.toml")).unwrap();
    assert!(toml.contains("explain_mismatch = \"the paper's architecture"));
}
