//! Files repro-check must not touch (issue 20), run as the real binary: `init` never writes
//! outside `--out` (symbolic links included), never replaces a symbolic link without
//! `--force`, leaves nothing behind when it refuses, and refuses names that are Python keywords;
//! `verify` refuses FIFOs and devices in the tree without blocking, never hands Python a
//! `verify.toml` target outside the tree, and `--run` says what it runs and how long it took.

mod core_common;

use core_common::{copy_dir, good, tree};
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_repro-check");

fn skill_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../skill/paper-replication")
}

/// Runs the binary, killing it after 30 s (a blocked read must fail the test, not hang it).
fn repro_check(args: &[&std::ffi::OsStr]) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(30) {
            child.kill().unwrap();
            panic!("repro-check {args:?} still running after 30 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn init(out: &Path, extra: &[&str]) -> Output {
    let mut args: Vec<&std::ffi::OsStr> = ["init", "--paper", "A Paper", "--model", "Net", "--out"]
        .iter()
        .map(|s| s.as_ref())
        .collect();
    args.push(out.as_os_str());
    args.extend(extra.iter().map(|s| std::ffi::OsStr::new(*s)));
    repro_check(&args)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn refused(o: &Output, says: &str) {
    assert_eq!(o.status.code(), Some(2), "{}", stderr(o));
    let err = stderr(o);
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.contains(says), "expected {says:?} in {err:?}");
}

/// Every entry of `dir`'s whole subtree without following links: (path, kind or link target).
fn entries(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let rel = e.path().strip_prefix(dir).unwrap().display().to_string();
            let kind = e.file_type().unwrap();
            let what = if kind.is_symlink() {
                format!("-> {}", std::fs::read_link(e.path()).unwrap().display())
            } else if kind.is_dir() {
                stack.push(e.path());
                "dir".into()
            } else {
                String::from_utf8_lossy(&std::fs::read(e.path()).unwrap()).into_owned()
            };
            out.push((rel, what));
        }
    }
    out.sort();
    out
}

#[test]
fn init_refuses_a_folder_that_leads_outside_out_with_or_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("output");
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::create_dir_all(&elsewhere).unwrap();
    symlink(&elsewhere, out.join("docs")).unwrap();
    let before = entries(dir.path());
    for extra in [&[][..], &["--force"]] {
        let o = init(&out, extra);
        refused(&o, "outside --out");
        assert!(stderr(&o).contains("docs"), "{}", stderr(&o));
        assert_eq!(
            entries(dir.path()),
            before,
            "{extra:?}: something was written"
        );
    }
    // A link that stays inside --out is followed.
    std::fs::remove_file(out.join("docs")).unwrap();
    std::fs::create_dir(out.join("real-docs")).unwrap();
    symlink("real-docs", out.join("docs")).unwrap();
    let o = init(&out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(out.join("real-docs/audit.md").is_file());
    assert!(tree(&elsewhere).is_empty());
}

#[test]
fn init_never_replaces_a_symbolic_link_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("output");
    std::fs::create_dir_all(&out).unwrap();
    let nowhere = dir.path().join("nowhere.md");
    symlink(&nowhere, out.join("README.md")).unwrap();
    let before = entries(dir.path());
    refused(&init(&out, &[]), "README.md: exists");
    assert_eq!(entries(dir.path()), before);
    // With --force the link itself is replaced, and nothing is written where it pointed.
    let o = init(&out, &["--force"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let meta = std::fs::symlink_metadata(out.join("README.md")).unwrap();
    assert!(meta.file_type().is_file());
    assert!(!nowhere.exists());
    // A link to a file of the user's: --force replaces the link, the file keeps its text.
    let theirs = dir.path().join("theirs.txt");
    std::fs::write(&theirs, "user text").unwrap();
    std::fs::remove_file(out.join("config.py")).unwrap();
    symlink(&theirs, out.join("config.py")).unwrap();
    // (every file exists now; the first one in order is named)
    refused(&init(&out, &[]), "README.md: exists");
    assert!(
        std::fs::symlink_metadata(out.join("config.py"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(init(&out, &["--force"]).status.success());
    assert_eq!(std::fs::read_to_string(&theirs).unwrap(), "user text");
}

#[test]
fn a_refused_init_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("output");
    let long = "m".repeat(300);
    for args in [
        vec!["--modules", long.as_str()],
        vec!["--modules", "stem,class"],
        vec!["--modules", "def"],
    ] {
        let o = init(&out, &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(
            std::fs::read_dir(dir.path()).unwrap().next().is_none(),
            "{args:?}: left {:?}",
            entries(dir.path())
        );
    }
    // Into an existing tree: a refusal found at the last file leaves the first ones unwritten.
    std::fs::create_dir_all(out.join("modules")).unwrap();
    std::fs::write(out.join("verify.toml"), "mine").unwrap();
    let before = entries(dir.path());
    refused(&init(&out, &[]), "verify.toml: exists");
    assert_eq!(entries(dir.path()), before);
}

#[test]
fn names_that_are_python_keywords_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    for (flag, name) in [
        ("--model", "None"),
        ("--model", "True"),
        ("--modules", "class"),
        ("--modules", "lambda"),
    ] {
        let out = dir.path().join(format!("out-{name}"));
        let os = std::ffi::OsStr::new;
        let mut args = vec![os("init"), os("--paper"), os("P")];
        if flag == "--model" {
            args.extend([os("--model"), os(name)]);
        } else {
            args.extend([os("--model"), os("Net"), os("--modules"), os(name)]);
        }
        args.extend([os("--out"), out.as_os_str()]);
        let o = repro_check(&args);
        refused(&o, "Python keyword");
        assert!(!out.exists());
    }
    // Soft keywords are names Python accepts: the module is written and its file parses.
    let out = dir.path().join("soft");
    let o = init(&out, &["--modules", "match,type"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let parsed = Command::new("python3")
        .args([
            "-c",
            "import ast,sys; [ast.parse(open(f).read()) for f in sys.argv[1:]]",
        ])
        .arg(out.join("modules/match.py"))
        .arg(out.join("modules/type.py"))
        .arg(out.join("model.py"))
        .status()
        .unwrap();
    assert!(parsed.success());
}

#[test]
fn a_new_out_appears_whole_with_no_temporary_folder_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("nested/output");
    let o = init(&out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let beside: Vec<String> = std::fs::read_dir(dir.path().join("nested"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(beside, ["output"]);
    assert!(tree(&out).contains(&"verify.toml".to_string()));
}

fn mkfifo(path: &Path) {
    assert!(Command::new("mkfifo").arg(path).status().unwrap().success());
}

#[test]
fn verify_refuses_a_fifo_in_the_tree_without_blocking() {
    for rel in ["docs/audit.md", "verify.toml", "modules/extra.py"] {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&good(), dir.path());
        let path = dir.path().join(rel);
        let _ = std::fs::remove_file(&path);
        mkfifo(&path);
        for run in [&[][..], &["--run"]] {
            let mut args: Vec<&std::ffi::OsStr> = vec!["verify".as_ref(), dir.path().as_os_str()];
            args.extend(run.iter().map(|s| std::ffi::OsStr::new(*s)));
            let o = repro_check(&args);
            refused(&o, "is a FIFO");
            assert!(stderr(&o).contains(rel), "{}", stderr(&o));
        }
    }
    // A symbolic link to a FIFO outside the tree, too.
    let dir = tempfile::tempdir().unwrap();
    let tree_dir = dir.path().join("tree");
    copy_dir(&good(), &tree_dir);
    let fifo = dir.path().join("pipe");
    mkfifo(&fifo);
    std::fs::remove_file(tree_dir.join("docs/audit.md")).unwrap();
    symlink(&fifo, tree_dir.join("docs/audit.md")).unwrap();
    refused(
        &repro_check(&["verify".as_ref(), tree_dir.as_os_str()]),
        "is a FIFO",
    );
}

/// A Python stand-in that records that it ran, then fails like a missing PyTorch would not.
fn recording_python(dir: &Path) -> (PathBuf, PathBuf) {
    let marker = dir.join("python-ran");
    let python = dir.join("python");
    std::fs::write(
        &python,
        format!("#!/bin/sh\necho ran >> '{}'\nexit 3\n", marker.display()),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&python, std::fs::Permissions::from_mode(0o755)).unwrap();
    (python, marker)
}

fn verify_run_json(root: &Path, python: &Path) -> (Output, serde_json::Value) {
    let skill = skill_dir();
    let o = repro_check(&[
        "verify".as_ref(),
        root.as_os_str(),
        "--run".as_ref(),
        "--json".as_ref(),
        "--python".as_ref(),
        python.as_os_str(),
        "--skill-dir".as_ref(),
        skill.as_os_str(),
    ]);
    let v = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("no JSON ({e}): {}", stderr(&o)));
    (o, v)
}

fn item<'a>(v: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {v}"))
}

#[test]
fn verify_toml_targets_outside_the_tree_are_never_run() {
    let dir = tempfile::tempdir().unwrap();
    let (python, marker) = recording_python(dir.path());
    std::fs::write(dir.path().join("outside.py"), "class TinyResNet: pass\n").unwrap();
    for (target, says) in [
        ("../outside.py:TinyResNet", "leaves the checked folder"),
        ("/tmp/outside.py:TinyResNet", "absolute path"),
        ("linked.py:TinyResNet", "outside the checked folder"),
    ] {
        let root = dir.path().join("tree");
        let _ = std::fs::remove_dir_all(&root);
        copy_dir(&good(), &root);
        symlink(dir.path().join("outside.py"), root.join("linked.py")).unwrap();
        let toml = std::fs::read_to_string(root.join("verify.toml")).unwrap();
        std::fs::write(
            root.join("verify.toml"),
            toml.replace("model.py:TinyResNet", target),
        )
        .unwrap();
        let (o, v) = verify_run_json(&root, &python);
        assert_eq!(o.status.code(), Some(1), "{target}: {}", stderr(&o));
        let config = item(&v, "run.config");
        assert_eq!(config["status"], "fail", "{target}: {config}");
        let reason = config["reason"].as_str().unwrap();
        assert!(reason.contains(says), "{target}: {reason}");
        assert_eq!(config["location"], "verify.toml:2", "{config}");
        for id in ["run.validate", "run.trace"] {
            assert_eq!(item(&v, id)["status"], "skip", "{target} {id}");
        }
        assert!(!marker.exists(), "{target}: Python was run");
    }
}

#[test]
fn verify_run_says_what_it_runs_and_how_long_it_took() {
    let dir = tempfile::tempdir().unwrap();
    let (python, marker) = recording_python(dir.path());
    let root = dir.path().join("tree");
    copy_dir(&good(), &root);
    let (o, v) = verify_run_json(&root, &python);
    assert!(marker.exists(), "the harness did not run");
    assert_eq!(item(&v, "run.validate")["status"], "fail");
    let err = stderr(&o);
    let lines: Vec<&str> = err.lines().collect();
    let start = lines
        .iter()
        .position(|l| *l == "repro-check: run.validate: running on model.py:TinyResNet ...")
        .unwrap_or_else(|| panic!("no start line in {err}"));
    let done = lines[start + 1];
    let secs: f64 = done
        .strip_prefix("repro-check: run.validate: done in ")
        .and_then(|s| s.strip_suffix(" s"))
        .unwrap_or_else(|| panic!("no time line after the start line: {err}"))
        .parse()
        .unwrap();
    assert!((0.0..30.0).contains(&secs), "{done}");
}
