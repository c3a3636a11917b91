//! The diagrams and code groups on copies of examples/resnet50 with one defect each: each copy
//! fails on exactly the item the defect breaks, and the untouched copy fails on nothing.

#[path = "fixtures/run-support/support.rs"]
mod support;

use repro_check::Status;
use support::{check, copy_example, edit, failing, only_failures, show};

#[test]
fn the_untouched_example_fails_nothing() {
    let dir = copy_example("resnet50");
    let items = check(dir.path(), false);
    assert!(failing(&items).is_empty(), "{}", show(&items));
    for id in [
        "diagrams.render",
        "diagrams.shapes",
        "diagrams.palette",
        "code.lint",
    ] {
        assert!(
            items.iter().any(|i| i.id == id && i.status == Status::Pass),
            "{id} should pass:\n{}",
            show(&items)
        );
    }
    // Without --run the runtime items are SKIPs, never passes.
    for id in [
        "run.validate",
        "run.trace",
        "run.model_main",
        "run.tests",
        "run.overfit",
    ] {
        let item = items.iter().find(|i| i.id == id).unwrap();
        assert_eq!(item.status, Status::Skip);
        assert_eq!(item.reason, "not asked (--run)");
    }
}

#[test]
fn an_unquoted_label_fails_render_at_its_line() {
    let dir = copy_example("resnet50");
    // Line 18 of overview.md: brackets inside an unquoted label end it early in Mermaid.
    edit(
        dir.path(),
        "docs/diagrams/overview.md",
        "n_pool[\"全局平均池化 + flatten<br/>[B, 2048]\"]",
        "n_pool[全局平均池化 + flatten<br/>[B, 2048]]",
    );
    let items = check(dir.path(), false);
    let fails = only_failures(&items, "diagrams.render");
    let fail = &fails[0];
    assert_eq!(
        fail.location.as_deref(),
        Some("docs/diagrams/overview.md:18"),
        "{}",
        show(&items)
    );
}

#[test]
fn a_diagram_without_shapes_fails_shapes() {
    let dir = copy_example("resnet50");
    let path = dir.path().join("docs/diagrams/tensor_shapes.md");
    let text = std::fs::read_to_string(&path).unwrap();
    // The chart (lines 35-36; the tables above it are prose, not diagrams) with its labels
    // reduced to stage names: no node carries [B, ...] any more.
    let (head, chart) = text.split_at(text.find("```mermaid").unwrap());
    let chart = chart
        .replace("[B, 3, 224, 224]", "input")
        .replace("[B, 64, 56, 56]", "stem")
        .replace("[B, 256, 56, 56]", "conv2_x")
        .replace("[B, 512, 28, 28]", "conv3_x")
        .replace("[B, 1024, 14, 14]", "conv4_x")
        .replace("[B, 2048, 7, 7]", "conv5_x")
        .replace("[B, 1000]", "logits");
    assert!(!chart.contains("[B,"));
    let stripped = format!("{head}{chart}");
    std::fs::write(&path, stripped).unwrap();
    let items = check(dir.path(), false);
    let fails = only_failures(&items, "diagrams.shapes");
    // s_in (input), s_out (output), and "0 of 7 nodes" for the whole chart.
    assert_eq!(fails.len(), 3, "{}", show(&items));
    assert!(fails.iter().any(|i| i.reason.contains("input node `s_in`")));
    assert!(
        fails
            .iter()
            .any(|i| i.reason.contains("output node `s_out`"))
    );
    assert!(fails.iter().any(|i| i.reason.contains("only 0 of 7 nodes")));
}

#[test]
fn a_colour_outside_the_palette_fails_palette() {
    let dir = copy_example("resnet50");
    edit(
        dir.path(),
        "docs/diagrams/tensor_shapes.md",
        "classDef core fill:#fff3e0,stroke:#e65100",
        "classDef core fill:#ffcc00,stroke:#e65100",
    );
    let items = check(dir.path(), false);
    let fails = only_failures(&items, "diagrams.palette");
    // The classDef itself (line 33 of the file) ...
    assert!(
        fails.iter().any(
            |i| i.location.as_deref() == Some("docs/diagrams/tensor_shapes.md:33")
                && i.reason.contains("#ffcc00")
        ),
        "{}",
        show(&items)
    );
    // ... and the five nodes of that class, now uncoloured.
    assert_eq!(fails.len(), 6, "{}", show(&items));
}

#[test]
fn a_wrong_shape_comment_fails_lint_at_its_line() {
    let dir = copy_example("resnet50");
    // The stem's conv makes 64 channels (Table 1 conv1: 7x7, 64); the comment claims 32.
    edit(
        dir.path(),
        "modules/stem.py",
        "# x: [B, 64, H//2, W//2] <- Conv2d(C, 64, k=7, s=2, p=3)",
        "# x: [B, 32, H//2, W//2] <- Conv2d(C, 64, k=7, s=2, p=3)",
    );
    let items = check(dir.path(), false);
    let fails = only_failures(&items, "code.lint");
    // Stem's out_channels is a constructor parameter, so the linter no longer substitutes its
    // default: line 24's 32 is consistent with out_channels = 32 on its own. BatchNorm2d(out_channels)
    // keeps the channels, so line 26's 64 contradicts line 24 under every binding: the defect is
    // caught there (until bindings from the parent's Stem(3, 64) call locate it at line 24).
    let first = &fails[0];
    assert_eq!(first.location.as_deref(), Some("modules/stem.py:26"));
    assert!(first.reason.starts_with("TSL601"), "{}", first.reason);
    assert!(first.reason.contains("32"), "{}", first.reason);
}

/// The linter's cross-file fixture (model.py calling classes from modules/, every comment of
/// which holds in a real forward pass) as an output tree, with one wrong comment in model.py.
/// The comment is decided only by following the imports into modules/, so code.lint catches it
/// only when the files are handed to the linter by full path: the test process runs from the
/// crate's folder, not from the tree.
#[test]
fn code_lint_follows_imports_into_modules_wherever_verify_runs_from() {
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tensor-shape-lint/tests/fixtures/tree");
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("modules")).unwrap();
    for rel in [
        "model.py",
        "modules/__init__.py",
        "modules/block.py",
        "modules/down.py",
        "modules/head.py",
        "modules/util.py",
    ] {
        std::fs::copy(fixture.join(rel), dir.path().join(rel)).unwrap();
    }
    assert_ne!(std::env::current_dir().unwrap(), dir.path());
    let items = repro_check::checks::code::check(dir.path(), &Default::default());
    assert!(
        items.iter().all(|i| i.status == Status::Pass),
        "{}",
        show(&items)
    );
    // Two Down steps (each halves H) give H//4, not H//2.
    edit(
        dir.path(),
        "model.py",
        "# x: [B, 64, H//4, W//4] <- Down(32, 64)",
        "# x: [B, 64, H//2, W//2] <- Down(32, 64)",
    );
    let items = repro_check::checks::code::check(dir.path(), &Default::default());
    let fails: Vec<_> = items.iter().filter(|i| i.status == Status::Fail).collect();
    assert_eq!(fails.len(), 1, "{}", show(&items));
    assert!(fails[0].reason.contains("TSL601"), "{}", show(&items));
    let line = std::fs::read_to_string(dir.path().join("model.py"))
        .unwrap()
        .lines()
        .position(|l| l.contains("<- Down(32, 64)"))
        .unwrap()
        + 1;
    assert_eq!(
        fails[0].location.as_deref(),
        Some(format!("model.py:{line}").as_str()),
        "{}",
        show(&items)
    );
}

/// verify.toml's `[model] inputs` are sizes `verify --run` runs the model at, and code.lint
/// checks the comments at them as `tensor-shape-lint --at` does. ResNet-50's model.py line 64
/// says `H//4` after the stem; by hand at 225: conv k=7 s=2 p=3 gives (225 + 6 - 7)//2 + 1 =
/// 113, max-pool k=3 s=2 p=1 gives (113 + 2 - 3)//2 + 1 = 57, while 225//4 = 56. At the
/// example's own 64 both are 16, and the stage comments (H//8 ... H//32) hold too.
#[test]
fn code_lint_checks_comments_at_the_sizes_of_verify_toml() {
    let dir = copy_example("resnet50");
    let items = check(dir.path(), false);
    assert!(
        items
            .iter()
            .any(|i| i.id == "code.lint" && i.status == Status::Pass),
        "{}",
        show(&items)
    );
    edit(
        dir.path(),
        "verify.toml",
        "inputs = [\"x=[2,3,64,64]\"]",
        "inputs = [\"x=[2,3,225,225]\"]",
    );
    let items = check(dir.path(), false);
    let fails = only_failures(&items, "code.lint");
    let first = fails.first().unwrap_or_else(|| panic!("{}", show(&items)));
    assert_eq!(
        first.location.as_deref(),
        Some("model.py:64"),
        "{}",
        show(&items)
    );
    assert!(first.reason.starts_with("TSL601"), "{}", first.reason);
    assert!(
        first.reason.contains("57") && first.reason.contains("56"),
        "{}",
        first.reason
    );
    // Only the model's comments are bound: the modules are components.
    assert!(
        fails.iter().all(|i| i
            .location
            .as_deref()
            .is_some_and(|l| l.starts_with("model.py:"))),
        "{}",
        show(&items)
    );
}
