//! `mermaid-gen check` as a user runs it: Markdown files in a temp dir, exit codes, JSON, --fix
//! (whose output must parse in real Mermaid), and the reference doc's own example.

mod common;

use common::{assert_mermaid_ok, bin, mermaid_parse};

const BROKEN_MD: &str = "# Model\n\nIntro text.\n\n```mermaid\nflowchart TB\n    A[\"Input\"] --> O[输出 y = F(x) + x]\n    O --> C[Conv<br/>[B, C, H, W]]\n    C -->|f(x)| D[task<br/>e.g. \"coding\"]\n```\n\n```mermaid\nsequenceDiagram\n    A->>B: hi\n```\n\n```mermaid\ngraph LR\n    S1[[B, 3, 224, 224]] --> S2\n```\n";

#[test]
fn exit_codes_text_output_and_line_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let md = dir.path().join("doc.md");
    std::fs::write(&md, BROKEN_MD).unwrap();
    let out = bin()
        .args(["check", md.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    // The broken label is on line 7 of the file (the fence opens on line 5).
    assert!(text.contains("doc.md:7: error[E030]"), "{text}");
    assert!(text.contains("fix: "), "{text}");
    assert!(
        text.contains("doc.md:13: not checked: sequenceDiagram"),
        "{text}"
    );
    assert!(text.contains("doc.md:19: warning[W101]"), "{text}");
    assert!(
        text.contains("3 blocks: 1 ok, 1 fail, 1 not checked, 1 warnings"),
        "{text}"
    );
    // Real Mermaid agrees on the two flowcharts.
    let blocks = mermaid_gen::markdown::mermaid_blocks(BROKEN_MD);
    assert!(!mermaid_parse(&blocks[0].text).ok);
    assert!(mermaid_parse(&blocks[2].text).ok);

    // Warnings alone: exit 0, or 1 with --strict.
    let ok_md = dir.path().join("ok.md");
    std::fs::write(
        &ok_md,
        "```mermaid\ngraph LR\n    S1[[B, 3, 224, 224]] --> S2\n```\n",
    )
    .unwrap();
    let out = bin()
        .args(["check", ok_md.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let out = bin()
        .args(["check", "--strict", ok_md.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));

    // Missing file: exit 2, one line on stderr.
    let out = bin().args(["check", "/no/such/file.md"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1);
    assert!(err.starts_with("mermaid-gen: /no/such/file.md: "), "{err}");
}

#[test]
fn json_report_lists_blocks_and_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    let md = dir.path().join("doc.md");
    std::fs::write(&md, BROKEN_MD).unwrap();
    let out = bin()
        .args(["check", "--json", md.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let blocks = v["blocks"].as_array().unwrap();
    assert_eq!(blocks.len(), 3);
    assert_eq!(blocks[0]["verdict"], "fail");
    assert_eq!(blocks[0]["line"], 6);
    assert_eq!(blocks[0]["diagnostics"][0]["line"], 7);
    assert_eq!(blocks[0]["diagnostics"][0]["severity"], "error");
    assert_eq!(blocks[1]["verdict"], "not-checked");
    assert_eq!(blocks[2]["verdict"], "ok");
    assert_eq!(blocks[2]["diagnostics"][0]["code"], "W101");
    assert_eq!(v["summary"]["fail"], 1);
}

#[test]
fn fix_rewrites_labels_so_real_mermaid_parses_them() {
    let dir = tempfile::tempdir().unwrap();
    let md = dir.path().join("doc.md");
    std::fs::write(&md, BROKEN_MD).unwrap();
    let out = bin()
        .args(["check", "--fix", md.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let fixed = std::fs::read_to_string(&md).unwrap();
    let blocks = mermaid_gen::markdown::mermaid_blocks(&fixed);
    assert_eq!(blocks.len(), 3);
    assert_mermaid_ok(&blocks[0].text);
    // The text of every label survives; only quoting changed.
    for kept in [
        "O[\"输出 y = F(x) + x\"]",
        "C[\"Conv<br/>[B, C, H, W]\"]",
        "-->|\"f(x)\"|",
        "D[\"task<br/>e.g. #quot;coding#quot;\"]",
    ] {
        assert!(
            blocks[0].text.contains(kept),
            "missing {kept} in\n{}",
            blocks[0].text
        );
    }
    // Everything outside the broken block is byte-for-byte unchanged.
    let before = mermaid_gen::markdown::mermaid_blocks(BROKEN_MD);
    assert_eq!(
        &fixed[..before[0].byte_range.start],
        &BROKEN_MD[..before[0].byte_range.start]
    );
    assert!(fixed.ends_with(&BROKEN_MD[before[1].byte_range.start - "```mermaid\n".len()..]));
}

#[test]
fn reference_doc_example_renders() {
    let doc = common::workspace_root().join("skill/paper-replication/references/mermaid-spec.md");
    let text = std::fs::read_to_string(&doc).expect("read references/mermaid-spec.md");
    let start = text.find("```yaml\n").expect("a ```yaml example") + "```yaml\n".len();
    let end = start + text[start..].find("```").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("arch.yaml");
    std::fs::write(&spec, &text[start..end]).unwrap();
    let out = bin()
        .args(["spec", spec.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let diagram = String::from_utf8(out.stdout).unwrap();
    assert_mermaid_ok(&diagram);
    // The printed excerpt in the doc matches the real output line by line.
    for line in [
        "    n_x([\"Input image<br/>[B, 3, 224, 224]\"])",
        "    n_more[\"Bottleneck x2<br/>[B, 256, 56, 56]\"]",
        "    subgraph g_block1[\"Bottleneck 1 (with projection)\"]",
        "        n_add((\"y = F(x) + W·x\"))",
        "    n_pool -.->|\"shortcut (projection)\"| n_proj",
        "    classDef core fill:#fff3e0,stroke:#e65100",
    ] {
        assert!(diagram.contains(line), "missing {line:?} in\n{diagram}");
        assert!(text.contains(line), "doc excerpt lacks {line:?}");
    }
}
