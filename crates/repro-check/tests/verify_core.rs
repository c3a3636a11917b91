//! The structure, placeholders, audit and docs groups on fixture trees: a complete small tree
//! (`tests/fixtures/core-good/`) passes them all; copies of it with exactly one defect fail on
//! exactly the item that defect breaks, at the line the defect is on.

mod core_common;

use core_common::{copy_dir, good};
use repro_check::{Item, Status, VerifyOptions};
use std::path::Path;

/// The groups this file is about; the other groups (diagrams, code, run) have their own tests.
const GROUPS: &[&str] = &["structure.", "placeholders.", "audit.", "docs."];

/// A copy of the good tree, changed by `edit`.
fn fixture(edit: impl FnOnce(&Path)) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&good(), dir.path());
    edit(dir.path());
    dir
}

/// Replaces the one occurrence of `old` in `root/rel` with `new`.
fn replace(root: &Path, rel: &str, old: &str, new: &str) {
    let path = root.join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        text.matches(old).count(),
        1,
        "{old:?} must occur once in {rel}"
    );
    std::fs::write(&path, text.replacen(old, new, 1)).unwrap();
}

/// 1-based line of the one line of `root/rel` that contains `needle`.
fn line_of(root: &Path, rel: &str, needle: &str) -> usize {
    let text = std::fs::read_to_string(root.join(rel)).unwrap();
    let hits: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains(needle))
        .map(|(i, _)| i + 1)
        .collect();
    assert_eq!(hits.len(), 1, "{needle:?} must be on one line of {rel}");
    hits[0]
}

fn core_items(root: &Path) -> Vec<Item> {
    repro_check::verify(root, &VerifyOptions::default())
        .unwrap()
        .into_iter()
        .filter(|i| GROUPS.iter().any(|g| i.id.starts_with(g)))
        // checked against a paper folder, which the fixture has not (tests/locators.rs)
        .filter(|i| i.id != "audit.locators")
        .collect()
}

fn failures(root: &Path) -> Vec<Item> {
    core_items(root)
        .into_iter()
        .filter(|i| i.status == Status::Fail)
        .collect()
}

/// Every item of the four groups, as the good tree gives them.
const ALL_IDS: &[&str] = &[
    "structure.files",
    "structure.folders",
    "placeholders.todo",
    "audit.problem",
    "audit.contributions",
    "audit.formulas",
    "audit.loss",
    "audit.hyperparams",
    "audit.gaps",
    "docs.six_parts",
    "docs.dataflow",
    "docs.usage",
    "docs.coverage",
];

#[test]
fn the_good_tree_passes_every_core_item() {
    let items = core_items(&good());
    let ids: Vec<&str> = items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ALL_IDS, "one item per check, in checklist order");
    for item in &items {
        assert_eq!(item.status, Status::Pass, "{}", item.line());
    }
    let formulas = items.iter().find(|i| i.id == "audit.formulas").unwrap();
    assert!(
        formulas.reason.starts_with("2 formula(s)"),
        "{}",
        formulas.reason
    );
    let hp = items.iter().find(|i| i.id == "audit.hyperparams").unwrap();
    assert!(
        hp.reason.starts_with("4 hyper-parameter row(s)"),
        "{}",
        hp.reason
    );
}

#[test]
fn a_module_doc_without_caveats_fails_six_parts_only() {
    let dir = fixture(|root| {
        let rel = "docs/modules/residual_block.md";
        let text = std::fs::read_to_string(root.join(rel)).unwrap();
        let cut = text.find("## 6. 注意事项").unwrap();
        std::fs::write(root.join(rel), &text[..cut]).unwrap();
    });
    let f = failures(dir.path());
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].id, "docs.six_parts");
    assert_eq!(
        f[0].location.as_deref(),
        Some("docs/modules/residual_block.md")
    );
    assert_eq!(f[0].reason, "missing part(s): 6. 注意事项 (caveats)");
}

#[test]
fn an_empty_part_fails_at_its_heading() {
    let dir = fixture(|root| {
        replace(
            root,
            "docs/modules/residual_block.md",
            "`modules/residual_block.py` 中的 `ResidualBlock()`：`conv1/bn1`、`conv2/bn2`、`relu`，相加后再 ReLU。\n",
            "<!-- to do -->\n",
        );
    });
    let heading = line_of(
        dir.path(),
        "docs/modules/residual_block.md",
        "## 4. 代码实现",
    );
    let f = failures(dir.path());
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].id, "docs.six_parts");
    assert_eq!(
        f[0].location,
        Some(format!("docs/modules/residual_block.md:{heading}"))
    );
}

#[test]
fn a_formula_without_symbol_table_fails_formulas_only() {
    // The second formula of the audit loses its table (and the "其中：" line before it).
    let dir = fixture(|root| {
        replace(
            root,
            "docs/audit.md",
            "其中：\n\n| 符号 | 含义 | 形状 / 取值 | 来源 |\n|---|---|---|---|\n| $W_1, W_2$ | 3x3 卷积权重 | `[16, 16, 3, 3]` | Section 4.2 |\n| $\\sigma$ | ReLU | — | Section 3.2 |\n",
            "",
        );
    });
    let formula = line_of(dir.path(), "docs/audit.md", "\\mathcal{F}(x) = W_2") - 1;
    let f = failures(dir.path());
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].id, "audit.formulas");
    assert_eq!(f[0].location, Some(format!("docs/audit.md:{formula}")));
    assert_eq!(f[0].reason, "formula has no symbol table after it");
}

#[test]
fn a_formula_without_number_or_locator_fails_formulas_only() {
    // The line before the second formula loses its "(Section 4.2, Figure 2)": nothing says
    // where in the paper the formula is.
    let dir = fixture(|root| {
        replace(
            root,
            "docs/audit.md",
            "为两层卷积（Section 4.2，Figure 2）：",
            "为两层卷积：",
        );
    });
    let formula = line_of(dir.path(), "docs/audit.md", "\\mathcal{F}(x) = W_2") - 1;
    let f = failures(dir.path());
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].id, "audit.formulas");
    assert_eq!(f[0].location, Some(format!("docs/audit.md:{formula}")));
    assert!(
        f[0].reason.starts_with("formula has no number or locator"),
        "{}",
        f[0].reason
    );
}

#[test]
fn placeholder_symbols_and_rows_are_not_substance() {
    // Every symbol row of the second formula back to the scaffold's placeholder, and one
    // hyper-parameter row too: each fails its own item, beside the placeholder scan.
    let dir = fixture(|root| {
        replace(
            root,
            "docs/audit.md",
            "| $W_1, W_2$ | 3x3 卷积权重 | `[16, 16, 3, 3]` | Section 4.2 |\n| $\\sigma$ | ReLU | — | Section 3.2 |",
            "| $W_1$ | TODO(paper): 含义 | `[B, C, H, W]` | TODO(paper): 出处 |",
        );
        replace(
            root,
            "docs/audit.md",
            "| 动量 | 0.9 | Section 4.2, page 7 | SGD |",
            "| TODO(paper): 参数 | TODO(paper): 取值 | TODO(paper): Table / Section / page | |",
        );
    });
    let f = failures(dir.path());
    let ids: Vec<&str> = f.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(
        ids,
        ["placeholders.todo", "audit.formulas", "audit.hyperparams"],
        "{f:#?}"
    );
    assert!(
        f[1].reason.contains("symbol table has no filled row"),
        "{}",
        f[1].reason
    );
    assert!(
        f[2].reason
            .starts_with("row `TODO(paper): 参数` is still the scaffold's template"),
        "{}",
        f[2].reason
    );
}

#[test]
fn a_part_that_is_only_a_placeholder_fails_its_item() {
    let dir = fixture(|root| {
        let path = root.join("docs/audit.md");
        let text = std::fs::read_to_string(&path).unwrap();
        let start = text.find("## 6.").unwrap();
        let body = text[start..].find('\n').unwrap() + start + 1;
        let end = text[body..]
            .find("\n## ")
            .map_or(text.len(), |i| i + body + 1);
        let new = format!(
            "{}\nTODO(paper): 仍有歧义的每一处。\n\n{}",
            &text[..body],
            &text[end..]
        );
        std::fs::write(&path, new).unwrap();
    });
    let f = failures(dir.path());
    let ids: Vec<&str> = f.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["placeholders.todo", "audit.gaps"], "{f:#?}");
    assert!(
        f[1].reason
            .contains("still holds only the scaffold's `TODO(paper)` placeholder"),
        "{}",
        f[1].reason
    );
}

#[test]
fn a_formula_inside_a_code_fence_is_not_a_formula() {
    // Fencing the only-table formula pair turns both into code: the section keeps one real
    // formula (with its table), so the item still passes and counts one formula.
    let dir = fixture(|root| {
        replace(
            root,
            "docs/audit.md",
            "其中 $\\mathcal{F}$ 为两层卷积（Section 4.2，Figure 2）：\n\n$$\n\\mathcal{F}(x) = W_2 \\, \\sigma(W_1 x)\n$$\n",
            "```latex\n$$\n\\mathcal{F}(x) = W_2 \\, \\sigma(W_1 x)\n$$\n```\n",
        );
    });
    let items = core_items(dir.path());
    let formulas = items.iter().find(|i| i.id == "audit.formulas").unwrap();
    assert_eq!(formulas.status, Status::Pass, "{}", formulas.line());
    assert!(
        formulas.reason.starts_with("1 formula(s)"),
        "{}",
        formulas.reason
    );
}

#[test]
fn a_hyperparameter_row_without_source_fails_hyperparams_only() {
    let dir = fixture(|root| {
        replace(
            root,
            "docs/audit.md",
            "| 动量 | 0.9 | Section 4.2, page 7 | SGD |",
            "| 动量 | 0.9 |  | SGD |",
        );
    });
    let row = line_of(dir.path(), "docs/audit.md", "| 动量 | 0.9 |");
    let f = failures(dir.path());
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].id, "audit.hyperparams");
    assert_eq!(f[0].location, Some(format!("docs/audit.md:{row}")));
    assert_eq!(f[0].reason, "row `动量` has no source");
}

#[test]
fn an_incomplete_unspecified_entry_fails_hyperparams_only() {
    let dir = fixture(|root| {
        replace(
            root,
            "docs/audit.md",
            "Impact: running statistics at evaluation; none on the parameter count\n",
            "",
        );
    });
    let header = line_of(dir.path(), "docs/audit.md", "U1. Paper did not specify:");
    let f = failures(dir.path());
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].id, "audit.hyperparams");
    assert_eq!(f[0].location, Some(format!("docs/audit.md:{header}")));
    assert_eq!(f[0].reason, "entry U1 is incomplete: no Impact");
}

#[test]
fn a_row_citing_a_missing_entry_fails() {
    let dir = fixture(|root| {
        replace(
            root,
            "docs/audit.md",
            "Paper did not specify (see U1)",
            "Paper did not specify (see U2)",
        );
    });
    let row = line_of(dir.path(), "docs/audit.md", "(see U2)");
    let f = failures(dir.path());
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].id, "audit.hyperparams");
    assert_eq!(f[0].location, Some(format!("docs/audit.md:{row}")));
    assert!(f[0].reason.contains("cites U2"), "{}", f[0].reason);
}

#[test]
fn a_missing_prescribed_file_fails_structure_files_only() {
    let dir = fixture(|root| std::fs::remove_file(root.join("requirements.txt")).unwrap());
    let f = failures(dir.path());
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].id, "structure.files");
    assert_eq!(f[0].location.as_deref(), Some("requirements.txt"));
    assert_eq!(f[0].reason, "prescribed file is missing");
}

#[test]
fn an_empty_prescribed_file_fails_structure_files_only() {
    let dir = fixture(|root| std::fs::write(root.join("requirements.txt"), " \n\n").unwrap());
    let f = failures(dir.path());
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].id, "structure.files");
    assert_eq!(f[0].reason, "prescribed file is empty");
}

#[test]
fn a_placeholder_fails_at_its_line() {
    let dir = fixture(|root| {
        replace(
            root,
            "config.py",
            "momentum: float = 0.9  # Section 4.2, page 7",
            "momentum: float = 0.9  # TODO(paper): locator",
        );
    });
    let line = line_of(dir.path(), "config.py", "TODO(paper)");
    let f = failures(dir.path());
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].id, "placeholders.todo");
    assert_eq!(f[0].location, Some(format!("config.py:{line}")));
}

#[test]
fn a_usage_example_that_does_not_parse_fails_usage_only() {
    let dir = fixture(|root| {
        replace(
            root,
            "docs/modules/residual_block.md",
            "y = block(torch.randn(2, 16, 32, 32))",
            "y = block(torch.randn(2, 16, 32, 32)",
        );
    });
    let f = failures(dir.path());
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].id, "docs.usage");
    assert!(
        f[0].reason.starts_with("usage example does not parse"),
        "{}",
        f[0].reason
    );
    let loc = f[0].location.as_deref().unwrap();
    let line: usize = loc.rsplit(':').next().unwrap().parse().unwrap();
    let opened = line_of(dir.path(), "docs/modules/residual_block.md", "y = block(");
    // The parser reports the unclosed call where it gives up: on that line or the next ones.
    assert!(
        (opened..=opened + 2).contains(&line),
        "{loc} should point at or just after line {opened}"
    );
}

#[test]
fn a_module_doc_without_mermaid_fails_dataflow_only() {
    let dir = fixture(|root| {
        let rel = "docs/modules/residual_block.md";
        let text = std::fs::read_to_string(root.join(rel)).unwrap();
        let text = text.replace("```mermaid", "```text");
        std::fs::write(root.join(rel), text).unwrap();
    });
    let heading = line_of(
        dir.path(),
        "docs/modules/residual_block.md",
        "## 3. 数据流图",
    );
    let f = failures(dir.path());
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].id, "docs.dataflow");
    assert_eq!(
        f[0].location,
        Some(format!("docs/modules/residual_block.md:{heading}"))
    );
}

#[test]
fn a_missing_audit_fails_every_audit_item_and_structure() {
    let dir = fixture(|root| std::fs::remove_file(root.join("docs/audit.md")).unwrap());
    let ids: Vec<String> = failures(dir.path()).into_iter().map(|i| i.id).collect();
    assert_eq!(
        ids,
        vec![
            "structure.files",
            "audit.problem",
            "audit.contributions",
            "audit.formulas",
            "audit.loss",
            "audit.hyperparams",
            "audit.gaps"
        ]
    );
}

/// A class file added under modules/ after `init` (the ConvNeXt dogfood's DropPath, LayerNorm2d
/// and Stage) needs its document too; a document that names the file's path covers it, whatever
/// its own name. A file of functions only is not a module.
#[test]
fn a_module_file_without_its_document_fails_coverage_at_the_file() {
    let dir = fixture(|root| {
        std::fs::write(
            root.join("modules/drop_path.py"),
            "from torch import nn\n\n\nclass DropPath(nn.Module):\n    pass\n",
        )
        .unwrap();
        std::fs::write(
            root.join("modules/util.py"),
            "def helper() -> int:\n    return 1\n",
        )
        .unwrap();
    });
    let f = failures(dir.path());
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].id, "docs.coverage");
    assert_eq!(f[0].location.as_deref(), Some("modules/drop_path.py"));
    assert!(
        f[0].reason
            .contains("write docs/modules/drop_path.md with the six parts"),
        "{}",
        f[0].reason
    );
    // A document named otherwise that names the path covers it.
    let doc = std::fs::read_to_string(dir.path().join("docs/modules/residual_block.md")).unwrap();
    std::fs::write(
        dir.path().join("docs/modules/stochastic_depth.md"),
        doc.replace("modules/residual_block.py", "modules/drop_path.py"),
    )
    .unwrap();
    assert!(
        doc.contains("modules/residual_block.py"),
        "the fixture's document names its file"
    );
    let f = failures(dir.path());
    assert!(f.is_empty(), "{f:#?}");
}
