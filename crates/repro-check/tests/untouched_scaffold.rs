//! An untouched `repro-check init` tree fails on substance in every group that judges content,
//! each item for its own reason, not only through the placeholder scan: the scaffold has every
//! part, formula, table row, diagram and test the checklist asks for, each a `TODO(paper)`
//! placeholder. (The structure group passes: the scaffold is the prescribed tree.)

#[path = "fixtures/run-support/support.rs"]
mod support;

use repro_check::{Item, Status};
use std::path::Path;
use std::process::Command;
use support::{check, require_torch, show};

const BIN: &str = env!("CARGO_BIN_EXE_repro-check");

fn scaffold(out: &Path) {
    let o = Command::new(BIN)
        .args(["init", "--paper", "Some Paper", "--model", "Net", "--out"])
        .arg(out)
        .args(["--skill-dir"])
        .arg(support::skill_dir())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// The reasons of the failing items with this id.
fn reasons<'a>(items: &'a [Item], id: &str) -> Vec<&'a str> {
    items
        .iter()
        .filter(|i| i.id == id && i.status == Status::Fail)
        .map(|i| i.reason.as_str())
        .collect()
}

/// Asserts that item `id` fails with a reason containing `needle`.
fn fails_with(items: &[Item], id: &str, needle: &str) {
    let r = reasons(items, id);
    assert!(
        r.iter().any(|r| r.contains(needle)),
        "{id} should fail with `{needle}`; it gave {r:?}\n{}",
        show(items)
    );
}

#[test]
fn an_untouched_scaffold_fails_each_content_item_for_its_own_reason() {
    let dir = tempfile::tempdir().unwrap();
    scaffold(dir.path());
    let items = check(dir.path(), false);
    let placeholder = "still holds only the scaffold's `TODO(paper)` placeholder";
    for id in ["audit.problem", "audit.contributions", "audit.gaps"] {
        fails_with(&items, id, placeholder);
    }
    fails_with(
        &items,
        "audit.formulas",
        "formula is still the scaffold's placeholder",
    );
    fails_with(&items, "audit.loss", "the loss has no hand-computed case");
    fails_with(
        &items,
        "audit.hyperparams",
        "is still the scaffold's template",
    );
    // the U1 entry's four fields are `TODO(paper): ...`: values in form only
    fails_with(
        &items,
        "audit.hyperparams",
        "no Recommended, no Reference, no Alternatives, no Impact",
    );
    fails_with(
        &items,
        "diagrams.shapes",
        "`TODO(paper): [B, ...]` is the scaffold's placeholder, not a shape",
    );
    fails_with(&items, "code.lint", "still the scaffold");
    for part in [
        "1. 概述",
        "2. 数学原理",
        "3. 数据流图",
        "4. 代码实现",
        "5. 使用示例",
        "6. 注意事项",
    ] {
        fails_with(&items, "docs.six_parts", &format!("part {part}"));
    }
    fails_with(
        &items,
        "docs.dataflow",
        "the data-flow diagram is still the scaffold's",
    );
    fails_with(
        &items,
        "docs.usage",
        "usage example is still the scaffold's",
    );
    // every group that judges content has a failing item; structure does not (nothing is
    // missing) and the run group is only asked with --run
    for group in ["placeholders.", "audit.", "diagrams.", "code.", "docs."] {
        assert!(
            items
                .iter()
                .any(|i| i.id.starts_with(group) && i.status == Status::Fail),
            "{group}\n{}",
            show(&items)
        );
    }
    assert!(
        items
            .iter()
            .filter(|i| i.id.starts_with("structure."))
            .all(|i| i.status == Status::Pass),
        "{}",
        show(&items)
    );
}

#[test]
fn an_untouched_scaffold_fails_the_run_group_too() {
    require_torch();
    let dir = tempfile::tempdir().unwrap();
    scaffold(dir.path());
    let items = check(dir.path(), true);
    // expect_output is still "TODO(paper): e.g. [2,1000]"
    fails_with(&items, "run.validate", "--expect-output 'TODO(paper)");
    // the three hand cases are pytest.fail("TODO(paper): ...")
    fails_with(&items, "run.tests", "3 failed, 1 passed");
    // the Identity body has no parameter: nothing trains
    fails_with(&items, "run.overfit", "no trainable parameter");
}
