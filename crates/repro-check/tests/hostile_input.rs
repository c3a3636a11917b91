//! Issue 20's crafted inputs for repro-check, built at test time: a 3 GB `audit.md` and
//! `model.py` (sparse: no disk used), a model file nested 100k deep, and `init` with 10k module
//! names. Each run ends with 0, 1 or 2 within the limit, without an abort, and leaves nothing
//! behind that it did not promise to write.

mod core_common;

use cli_guard::testing::{Outcome, run_bounded};
use core_common::{copy_dir, good, tree};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_repro-check");
const LIMIT: Duration = Duration::from_secs(90);

fn run(args: &[&str], dir: &Path) -> Outcome {
    run_bounded(Command::new(BIN).args(args).current_dir(dir), LIMIT)
}

#[test]
fn three_gigabyte_files_are_refused_by_their_size() {
    for rel in ["docs/audit.md", "model.py"] {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("out");
        copy_dir(&good(), &root);
        let before = tree(&root);
        let f = std::fs::OpenOptions::new()
            .write(true)
            .open(root.join(rel))
            .unwrap();
        f.set_len(3 << 30).unwrap();
        drop(f);
        let out = run(&["verify", "out"], dir.path());
        out.assert_refused("is 3221225472 bytes, more than the 67108864-byte budget per file");
        assert!(out.stderr.contains(rel), "{}", out.stderr);
        assert_eq!(tree(&root), before, "verify wrote into the tree");
    }
}

#[test]
fn the_file_budget_is_a_flag() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&good(), &dir.path().join("out"));
    // The fixture's largest text file is a few KB: 100 bytes refuses it, the default does not.
    run(&["verify", "out", "--max-file-bytes", "100"], dir.path())
        .assert_refused("100-byte budget per file (raise it with --max-file-bytes)");
    let out = run(&["verify", "out"], dir.path());
    assert_eq!(out.code, Some(0), "{out:?}");
}

#[test]
fn a_model_nested_100k_deep_fails_its_item_without_an_abort() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("out");
    copy_dir(&good(), &root);
    let n = 100_000;
    let model = format!(
        "import torch\nfrom torch import nn\n\n\nclass Net(nn.Module):\n    def forward(self, x: torch.Tensor) -> torch.Tensor:\n        return {}x\n",
        "-".repeat(n)
    );
    std::fs::write(root.join("model.py"), model).unwrap();
    let out = run(&["verify", "out"], dir.path());
    // A finding about the tree (exit 1), named on its item; not a crash of the checker.
    assert_eq!(out.code, Some(1), "{out:?}");
    let line = out
        .stdout
        .lines()
        .find(|l| l.contains("model.py") && l.contains("nested deeper than 1000 levels"))
        .unwrap_or_else(|| panic!("no item names the budget:\n{}", out.stdout));
    assert!(line.starts_with("FAIL"), "{line}");
}

#[test]
fn init_with_ten_thousand_modules_finishes_and_writes_them_all() {
    // 10k names took over 150 s (the template context was serialized again for each module).
    let dir = tempfile::tempdir().unwrap();
    let names: Vec<String> = (0..10_000).map(|i| format!("m{i}")).collect();
    let list = names.join(",");
    let out = run(
        &[
            "init",
            "--paper",
            "P",
            "--model",
            "Net",
            "--out",
            "out",
            "--modules",
            &list,
        ],
        dir.path(),
    );
    assert_eq!(out.code, Some(0), "{:?}", out.stderr);
    // One module file and one module document per name.
    let root = dir.path().join("out");
    for dir_ext in [("modules", "py"), ("docs/modules", "md")] {
        let count = std::fs::read_dir(root.join(dir_ext.0))
            .unwrap()
            .filter(|e| {
                let n = e.as_ref().unwrap().file_name();
                let n = n.to_string_lossy();
                n.starts_with('m') && n.ends_with(dir_ext.1)
            })
            .count();
        assert_eq!(count, 10_000, "{}", dir_ext.0);
    }
    assert!(root.join("modules/m9999.py").is_file());
    // A duplicate among 10k is still found (a set now, not a scan per name).
    let dup = format!("{list},m5000");
    let out = run(
        &[
            "init",
            "--paper",
            "P",
            "--model",
            "Net",
            "--out",
            "out2",
            "--modules",
            &dup,
        ],
        dir.path(),
    );
    out.assert_refused("--modules m5000: given twice");
    assert!(!dir.path().join("out2").exists());
}

#[test]
fn init_refuses_a_fifo_as_hyperparams_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("hp.json");
    if !Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success())
    {
        return;
    }
    let out = run(
        &[
            "init",
            "--paper",
            "P",
            "--model",
            "Net",
            "--out",
            "out",
            "--hyperparams",
            "hp.json",
        ],
        dir.path(),
    );
    out.assert_refused("is a FIFO, not a regular file");
    assert!(!dir.path().join("out").exists());
}

#[test]
fn a_closed_stdout_pipe_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&good(), &dir.path().join("out"));
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = Command::new(BIN)
        .args(["verify", "out"])
        .current_dir(dir.path())
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
