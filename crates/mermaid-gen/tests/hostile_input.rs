//! Issue 20's crafted inputs for mermaid-gen, built at test time: an alias bomb, 10k nested
//! subgraphs, a 10k-node one-line chain, the shapes of the fuzz loop's slow mutants, a FIFO and
//! an oversized file. Each run ends with 0, 1 or 2 within the limit, one stderr line when it
//! refuses, and no file left behind.

mod common;

use cli_guard::testing::{Outcome, run_bounded};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_mermaid-gen");
const LIMIT: Duration = Duration::from_secs(60);

fn run(args: &[&str], dir: &Path) -> Outcome {
    run_bounded(Command::new(BIN).args(args).current_dir(dir), LIMIT)
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// About 1.1 MB: each node's shape anchors a list of 1000 aliases to the one before, so the
/// expansion is 1000^k items by the k-th node (the issue's bomb grew to 4 GB and aborted).
fn alias_bomb() -> String {
    let mut text = String::from("nodes:\n");
    text += &format!(
        "  - id: n0\n    shape: &l0 [{}]\n",
        vec!["B"; 1000].join(", ")
    );
    let mut i = 1;
    while text.len() < 1_100_000 {
        let alias = format!("*l{}", i - 1);
        text += &format!(
            "  - id: n{i}\n    shape: &l{i} [{}]\n",
            vec![alias.as_str(); 1000].join(", ")
        );
        i += 1;
    }
    text
}

#[test]
fn an_alias_bomb_is_refused_by_the_node_budget() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bomb.yaml"), alias_bomb()).unwrap();
    let out = run(&["spec", "bomb.yaml", "-o", "out.md"], dir.path());
    out.assert_refused("more than 1000000 YAML nodes once aliases are expanded");
    assert_eq!(names(dir.path()), ["bomb.yaml"]);
    // A spec that uses an alias within the budget still renders: aliases are not banned.
    let ok = "nodes:\n  - id: x\n    kind: input\n    shape: &s [B, 3, 224, 224]\n  - id: y\n    kind: output\n    shape: *s\nedges:\n  - from: x\n    to: y\n";
    std::fs::write(dir.path().join("ok.yaml"), ok).unwrap();
    let out = run(&["spec", "ok.yaml"], dir.path());
    assert_eq!(out.code, Some(0), "{out:?}");
    assert_eq!(
        out.stdout.matches("[B, 3, 224, 224]").count(),
        2,
        "{}",
        out.stdout
    );
}

/// `n` subgraphs, each holding the next; the innermost holds the one node.
fn nested_spec(n: usize) -> String {
    let mut text =
        String::from("nodes:\n  - id: n0\n    kind: input\n    shape: [B, 4]\nsubgraphs:\n");
    for i in 0..n {
        let member = if i + 1 < n {
            format!("s{}", i + 1)
        } else {
            "n0".to_string()
        };
        text += &format!("  - id: s{i}\n    members: [{member}]\n");
    }
    text
}

#[test]
fn ten_thousand_nested_subgraphs_are_refused_and_a_thousand_render() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("deep.yaml"), nested_spec(10_000)).unwrap();
    run(&["spec", "deep.yaml"], dir.path()).assert_refused(
        "is nested more than 1000 levels deep (raise the budget with --max-nesting)",
    );
    // At the budget: rendered, every subgraph opened and closed.
    std::fs::write(dir.path().join("ok.yaml"), nested_spec(1000)).unwrap();
    let out = run(&["spec", "ok.yaml"], dir.path());
    assert_eq!(out.code, Some(0), "{:?}", out.stderr);
    assert_eq!(out.stdout.matches("subgraph ").count(), 1000);
    assert_eq!(
        out.stdout.lines().filter(|l| l.trim() == "end").count(),
        1000
    );
    // Raised budget: the 10k spec renders too.
    let out = run(&["spec", "deep.yaml", "--max-nesting", "20000"], dir.path());
    assert_eq!(out.code, Some(0), "{:?}", out.stderr);
    assert_eq!(out.stdout.matches("subgraph ").count(), 10_000);
}

#[test]
fn a_ten_thousand_node_chain_is_checked() {
    // One line, 10k nodes (8k took 23.7 s before; scripts/bench-hostile.sh measures it now).
    let dir = tempfile::tempdir().unwrap();
    let chain: Vec<String> = (0..10_000).map(|i| format!("A{i}")).collect();
    std::fs::write(
        dir.path().join("chain.mmd"),
        format!("graph LR\n{}\n", chain.join("-->")),
    )
    .unwrap();
    let out = run(&["check", "chain.mmd", "--json"], dir.path());
    assert_eq!(out.code, Some(0), "{out:?}");
    assert!(
        out.stdout.contains("\"verdict\": \"ok\"") || out.stdout.contains("\"verdict\":\"ok\""),
        "{}",
        out.stdout
    );
    // An edge id (`e1@-->`, the rule whose scan was quadratic) is still recognised.
    std::fs::write(dir.path().join("ids.mmd"), "graph LR\nA e1@--> B\n").unwrap();
    let out = run(&["check", "ids.mmd"], dir.path());
    assert_eq!(out.code, Some(0), "{out:?}");
}

#[test]
fn fifos_and_oversized_inputs_are_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.yaml");
    if Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success())
    {
        run(&["spec", "pipe.yaml"], dir.path()).assert_refused("is a FIFO, not a regular file");
        run(&["check", "pipe.yaml"], dir.path()).assert_refused("is a FIFO, not a regular file");
        std::fs::remove_file(&fifo).unwrap();
    }
    let big = std::fs::File::create(dir.path().join("big.md")).unwrap();
    big.set_len(3 << 30).unwrap();
    drop(big);
    run(&["check", "big.md"], dir.path()).assert_refused("more than the 67108864-byte budget");
    std::fs::write(dir.path().join("small.md"), "# x\n".repeat(10)).unwrap();
    run(&["check", "small.md", "--max-file-bytes", "8"], dir.path())
        .assert_refused("8-byte budget");
    assert_eq!(names(dir.path()), ["big.md", "small.md"]);
}

#[test]
fn a_closed_stdout_pipe_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("s.yaml"), nested_spec(3)).unwrap();
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = Command::new(BIN)
        .args(["spec", "s.yaml"])
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

/// The shapes of the inputs the fuzz loop (`scripts/fuzz.py --seed 20 --target mermaid`) saw run
/// past 30 s: 300-430 KB mutants holding one line of tens of thousands of `classDef` (cases
/// 1501, 1564, 2130, ...), plus the other text the preprocessor and the fix suggestion scanned
/// once per occurrence. Each pattern is written at 40,000 repeats (the fuzz mutants' size) and
/// at 50; real Mermaid's verdict on the small one is the expected verdict of both (the verdict
/// does not depend on the count: Mermaid's grammar has no counting rule).
const SLOW_SHAPES: &[(&str, &str, &str, &str)] = &[
    // (name, before, repeated unit, after)
    (
        "one line of classDef",
        "flowchart TD\n    A --> ",
        "classDef",
        "\n",
    ),
    (
        "a style of colons",
        "flowchart TD\n    A --> B\n    style A ",
        ":",
        ";\n",
    ),
    ("a link of pipes", "flowchart TD\n    A --", "|", "\n"),
    ("unclosed openers", "flowchart TD\n    ", "A[", "\n"),
    ("tags without >", "flowchart TD\n    A[", "<a", "]\n"),
    ("comment lines", "flowchart TD\n", "%% c\n", "    A --> B\n"),
    ("blank lines", "flowchart TD\n", "\n", "    A --> B\n"),
    ("entities", "flowchart TD\n    A[\"", "#35;", "\"] --> B\n"),
    (
        "braces before blank lines",
        "flowchart TD\n",
        "    A{x}\n \n",
        "",
    ),
    (
        "directives",
        "",
        "%%{init: {}}%%\n",
        "flowchart TD\n    A --> B\n",
    ),
];

#[test]
fn the_fuzz_loops_slow_shapes_check_like_real_mermaid() {
    let dir = tempfile::tempdir().unwrap();
    for (name, before, unit, after) in SLOW_SHAPES {
        let small = format!("{before}{}{after}", unit.repeat(50));
        let expected = if common::mermaid_parse(&small).ok {
            0
        } else {
            1
        };
        for n in [50, 40_000] {
            let text = format!("{before}{}{after}", unit.repeat(n));
            std::fs::write(dir.path().join("d.md"), format!("```mermaid\n{text}```\n")).unwrap();
            let out = run(&["check", "d.md"], dir.path());
            assert_eq!(out.code, Some(expected), "{name} x{n}: {out:?}");
        }
    }
    assert_eq!(names(dir.path()), ["d.md"]);
}
