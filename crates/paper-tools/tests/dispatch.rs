//! The built paper-tools executable: dispatch by first argument or by the name it is called
//! by, the list, unknown names, and the manifest line skill-pack reads from its bytes.

use std::path::Path;
use std::process::{Command, Output};

const EXE: &str = env!("CARGO_BIN_EXE_paper-tools");

fn run(exe: &Path, args: &[&str]) -> Output {
    Command::new(exe)
        .args(args)
        .output()
        .expect("run paper-tools")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn each_helper_answers_under_its_own_name() {
    for helper in [
        "mermaid-gen",
        "pdf-figures",
        "repro-check",
        "tensor-shape-lint",
    ] {
        let out = run(Path::new(EXE), &[helper, "--version"]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{helper}: {}",
            text(&out.stderr)
        );
        // clap prints `<argv[0]> <version>`: the helper sees its own name, not paper-tools.
        assert_eq!(text(&out.stdout), format!("{helper} 0.1.0\n"));
    }
}

#[test]
fn a_helper_error_keeps_the_helper_exit_code_and_name() {
    let tmp = tempfile::TempDir::new().expect("tempdir");
    let missing = tmp.path().join("missing.pdf");
    let out = run(
        Path::new(EXE),
        &[
            "pdf-figures",
            &missing.to_string_lossy(),
            "-o",
            &tmp.path().join("out").to_string_lossy(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).starts_with("pdf-figures: "),
        "{}",
        text(&out.stderr)
    );
    assert!(!tmp.path().join("out").exists());
}

#[test]
fn called_through_a_link_named_after_a_helper_it_runs_that_helper() {
    let tmp = tempfile::TempDir::new().expect("tempdir");
    let link = tmp.path().join("mermaid-gen");
    std::os::unix::fs::symlink(EXE, &link).expect("symlink");
    let out = run(&link, &["--version"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "mermaid-gen 0.1.0\n");
}

#[test]
fn list_help_and_unknown_names() {
    let list = run(Path::new(EXE), &["--list"]);
    assert_eq!(
        text(&list.stdout),
        "mermaid-gen\npdf-figures\nrepro-check\ntensor-shape-lint\n"
    );
    let help = run(Path::new(EXE), &["--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(text(&help.stdout).contains("Usage: paper-tools <helper> [arguments...]"));
    let unknown = run(Path::new(EXE), &["skill-pack", "build"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert_eq!(
        text(&unknown.stderr),
        "paper-tools: unknown helper 'skill-pack' (helpers: mermaid-gen, pdf-figures, repro-check, tensor-shape-lint)\n"
    );
    let none = run(Path::new(EXE), &[]);
    assert_eq!(none.status.code(), Some(2));
}

#[test]
fn the_executable_carries_the_manifest_line_skill_pack_reads() {
    let bytes = std::fs::read(EXE).expect("read exe");
    assert_eq!(
        skill_pack::validate::multicall_helpers(&bytes),
        [
            "mermaid-gen",
            "pdf-figures",
            "repro-check",
            "tensor-shape-lint"
        ]
    );
}
