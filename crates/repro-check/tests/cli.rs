//! The command line as a user meets it: help, exit codes, one-line errors, the text report and
//! its summary line, and `--json`.

mod core_common;

use core_common::{copy_dir, good};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_repro-check");

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

#[test]
fn help_shows_examples_and_exit_codes() {
    for args in [&["--help"][..], &["init", "--help"], &["verify", "--help"]] {
        let o = run(args);
        assert_eq!(o.status.code(), Some(0), "{args:?}");
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(text.contains("Examples:"), "{args:?}: {text}");
    }
    let top = String::from_utf8_lossy(&run(&["--help"]).stdout).into_owned();
    assert!(top.contains("Exit codes: 0 nothing failed"), "{top}");
}

#[test]
fn usage_errors_exit_2_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope");
    let cases: Vec<(Vec<String>, String)> = vec![
        (
            vec!["verify".into(), missing.display().to_string()],
            format!("repro-check: {}: no such folder\n", missing.display()),
        ),
        (
            vec![
                "verify".into(),
                good().join("README.md").display().to_string(),
            ],
            format!(
                "repro-check: {}: not a folder\n",
                good().join("README.md").display()
            ),
        ),
    ];
    for (args, expected) in cases {
        let o = Command::new(BIN).args(&args).output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert_eq!(String::from_utf8_lossy(&o.stderr), expected);
        assert!(o.stdout.is_empty());
    }
    // clap's own errors are one line too.
    for args in [&["verify"][..], &["init", "--model", "X"], &["frobnicate"]] {
        let o = run(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.starts_with("repro-check: "), "{stderr}");
    }
}

/// The summary line counted from the item lines above it, independently of the program.
fn counted_summary(lines: &[&str]) -> String {
    let count = |p: &str| lines.iter().filter(|l| l.starts_with(p)).count();
    format!(
        "{} passed, {} failed, {} skipped",
        count("PASS "),
        count("FAIL "),
        count("SKIP ")
    )
}

#[test]
fn text_report_and_exit_status() {
    // The good tree: nothing fails without --run, the run items are skipped, exit 0.
    let o = run(&["verify", good().to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
    let lines: Vec<&str> = stdout.lines().collect();
    let (summary, items) = lines.split_last().unwrap();
    assert_eq!(*summary, counted_summary(items), "{stdout}");
    assert!(
        items.iter().all(|l| {
            let (status, rest) = l.split_once(' ').unwrap();
            ["PASS", "FAIL", "SKIP"].contains(&status) && rest.split_once("  ").is_some()
        }),
        "{stdout}"
    );
    assert!(
        items.contains(&"SKIP run.validate  not asked (--run)"),
        "{stdout}"
    );
    assert!(!items.iter().any(|l| l.starts_with("FAIL")), "{stdout}");
    assert_eq!(o.status.code(), Some(0), "{stdout}");
    let first_groups: Vec<&str> = items
        .iter()
        .map(|l| l.split(' ').nth(1).unwrap().split('.').next().unwrap())
        .fold(Vec::new(), |mut v, g| {
            if v.last() != Some(&g) {
                v.push(g);
            }
            v
        });
    assert_eq!(
        first_groups,
        [
            "structure",
            "placeholders",
            "audit",
            "diagrams",
            "code",
            "docs",
            "run"
        ],
        "groups in checklist order"
    );

    // One defect: exit 1, and the FAIL line carries path:line.
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&good(), dir.path());
    let config = dir.path().join("config.py");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        text.replacen("# Section 4.2, page 7\n", "# TODO(paper)\n", 1),
    )
    .unwrap();
    let line = std::fs::read_to_string(&config)
        .unwrap()
        .lines()
        .position(|l| l.contains("TODO(paper)"))
        .unwrap()
        + 1;
    let o = run(&["verify", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains(&format!("FAIL placeholders.todo  config.py:{line}: ")),
        "{stdout}"
    );
    let lines: Vec<&str> = stdout.lines().collect();
    let (summary, items) = lines.split_last().unwrap();
    assert_eq!(*summary, counted_summary(items));
    // the five run items (validate, trace, model_main, tests, overfit) are not asked without
    // --run, and audit.locators and code.config-values have no paper folder (the copy has no
    // work/paper beside it)
    assert!(summary.contains(" 1 failed, 7 skipped"), "{summary}");
}

#[test]
fn json_report_matches_the_text() {
    let text = run(&["verify", good().to_str().unwrap()]);
    let json = run(&["verify", good().to_str().unwrap(), "--json"]);
    assert_eq!(json.status.code(), text.status.code());
    let raw = String::from_utf8(json.stdout).unwrap();
    let v: serde_json::Value = serde_json::from_str(&raw).unwrap();
    let items = v["items"].as_array().unwrap();
    let text_lines: Vec<String> = String::from_utf8_lossy(&text.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(items.len() + 1, text_lines.len());
    for (item, line) in items.iter().zip(&text_lines) {
        let status = item["status"].as_str().unwrap().to_uppercase();
        let id = item["id"].as_str().unwrap();
        assert!(
            line.starts_with(&format!("{status} {id}  ")),
            "{line} vs {item}"
        );
        let keys: Vec<&String> = item.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["id", "location", "reason", "status"]);
    }
    let count = |s: &str| items.iter().filter(|i| i["status"] == s).count();
    assert_eq!(v["summary"]["passed"], count("pass"));
    assert_eq!(v["summary"]["failed"], count("fail"));
    assert_eq!(v["summary"]["skipped"], count("skip"));
    // Sorted keys in the bytes: "items" before "summary", "failed" < "passed" < "skipped".
    assert!(raw.find("\"items\"").unwrap() < raw.find("\"summary\"").unwrap());
    let s = &raw[raw.find("\"summary\"").unwrap()..];
    assert!(s.find("\"failed\"").unwrap() < s.find("\"passed\"").unwrap());
    assert!(s.find("\"passed\"").unwrap() < s.find("\"skipped\"").unwrap());
    // Same bytes for the same input.
    let again = run(&["verify", good().to_str().unwrap(), "--json"]);
    assert_eq!(String::from_utf8(again.stdout).unwrap(), raw);
}
