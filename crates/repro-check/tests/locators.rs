//! `audit.locators` against a paper folder written here in pdf-figures' layout, whose contents
//! are known: 4 pages; Table 1 and Figure 2 in the manifest; Figure 3 only as a caption in the
//! page text (a figure whose region pdf-figures missed); equation (1) in the manifest and (2)
//! only printed in the text.

use repro_check::checks::VerifyOptions;
use repro_check::report::{Item, Status};
use repro_check::verify;
use std::path::Path;
use std::process::Command;

fn paper(dir: &Path) {
    std::fs::create_dir_all(dir.join("text")).unwrap();
    std::fs::write(
        dir.join("manifest.json"),
        r#"{"pages": [{"page": 1}, {"page": 2}, {"page": 3}, {"page": 4}],
            "tables": [{"id": "1", "page": 3}],
            "figures": [{"id": "2", "page": 2}],
            "equations": [{"number": "1", "page": 2}, {"number": null, "page": 1}]}"#,
    )
    .unwrap();
    let pages = [
        "Title\nAbstract. We study things.",
        "Figure 2: the network.\nx = y + z (1)",
        "Table 1: results.\nFig. 3: a plot of the loss.",
        "a = b (2)\nReferences",
    ];
    for (i, t) in pages.iter().enumerate() {
        std::fs::write(dir.join("text").join(format!("page-{}.txt", i + 1)), t).unwrap();
    }
}

fn tree(root: &Path, audit: &str) {
    std::fs::create_dir_all(root.join("docs")).unwrap();
    std::fs::write(root.join("docs/audit.md"), audit).unwrap();
}

fn locator_items(root: &Path, paper: Option<&Path>) -> Vec<Item> {
    let opts = VerifyOptions {
        paper: paper.map(Path::to_path_buf),
        ..VerifyOptions::default()
    };
    verify(root, &opts)
        .unwrap()
        .into_iter()
        .filter(|i| i.id == "audit.locators")
        .collect()
}

/// (location, reason) of every failed item.
fn located_fails(items: &[Item]) -> Vec<(String, String)> {
    items
        .iter()
        .filter(|i| i.status == Status::Fail)
        .map(|i| (i.location.clone().unwrap_or_default(), i.reason.clone()))
        .collect()
}

#[test]
fn locators_that_exist_pass_by_manifest_or_by_printed_caption() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("output");
    tree(
        &out,
        "# 审计\n\nTable 1, page 3; Figure 2 (page 2); Fig. 3 on p. 3.\n\n$$x = y + z \\tag{1}$$ Eq. (1), 式 (2), 第 4 页.\n",
    );
    // work/paper beside output/ is found without --paper.
    paper(&dir.path().join("work/paper"));
    let items = locator_items(&out, None);
    assert_eq!(items.len(), 1, "{items:#?}");
    assert_eq!(items[0].status, Status::Pass, "{items:#?}");
    // page 3, page 2, p. 3, 第 4 页; Table 1; Figure 2, Fig. 3; Eq. (1), 式 (2)
    assert!(
        items[0]
            .reason
            .starts_with("9 page, table, figure and equation locator(s)"),
        "{}",
        items[0].reason
    );
}

#[test]
fn a_locator_the_paper_lacks_fails_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("output");
    tree(
        &out,
        "# 审计\n\nok: Table 1, page 3.\nTable 7, page 12.\nFigure 9 shows it; Eq. (5) defines it.\n",
    );
    let p = dir.path().join("somewhere/paper");
    paper(&p);
    let items = locator_items(&out, Some(&p));
    let fails = located_fails(&items);
    assert_eq!(fails.len(), 4, "{fails:#?}");
    assert_eq!(fails[0].0, "docs/audit.md:4");
    assert!(
        fails
            .iter()
            .any(|(_, r)| r == "page 12: the paper has 4 pages"),
        "{fails:#?}"
    );
    assert!(
        fails
            .iter()
            .any(|(_, r)| r
                .starts_with("Table 7: the paper has no such table (pdf-figures found 1;")),
        "{fails:#?}"
    );
    assert!(
        fails
            .iter()
            .any(|(l, r)| l == "docs/audit.md:5" && r.starts_with("Figure 9:")),
        "{fails:#?}"
    );
    assert!(
        fails
            .iter()
            .any(|(l, r)| l == "docs/audit.md:5" && r.starts_with("Eq. (5):")),
        "{fails:#?}"
    );
}

#[test]
fn without_the_papers_folder_the_item_is_skipped_saying_how_to_give_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("output");
    tree(&out, "# 审计\n\nTable 7, page 12.\n");
    let items = locator_items(&out, None);
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].status, Status::Skip);
    assert!(
        items[0].reason.contains("--paper work/paper"),
        "{}",
        items[0].reason
    );
}

#[test]
fn a_paper_folder_without_a_manifest_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("output");
    tree(&out, "# 审计\n");
    let o = Command::new(env!("CARGO_BIN_EXE_repro-check"))
        .args([
            "verify",
            out.to_str().unwrap(),
            "--paper",
            dir.path().to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("--paper: no manifest.json there"), "{err}");
}

/// `audit.locators` on an audit of the given text, checked against the paper written above: it
/// must be one PASS that counts `checked` locators.
fn assert_passes_counting(audit: &str, checked: usize) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("output");
    tree(&out, audit);
    let p = dir.path().join("paper");
    paper(&p);
    let items = locator_items(&out, Some(&p));
    assert_eq!(items.len(), 1, "{items:#?}");
    assert_eq!(items[0].status, Status::Pass, "{items:#?}");
    let want = format!("{checked} page, table");
    assert!(items[0].reason.starts_with(&want), "{}", items[0].reason);
}

#[test]
fn chinese_words_that_contain_a_locator_character_are_not_locators() {
    // 代表 ("represents") holds 表, 形式 ("form") holds 式: "x 代表 9 个通道" cites no table 9;
    // 表 1, 图 2 and 式 (1) are the three locators.
    assert_passes_counting(
        "# 审计\n\nx 代表 9 个通道，写成形式 (7)；见表 1、图 2、式 (1)。\n",
        3,
    );
    // 张图 is "an image" (the SSD example's loss case: the second image's 7 negatives).
    assert_passes_counting(
        "# 审计\n\n第二张图 7 个负样本中取 3 个；每幅图 2 个正样本。\n",
        0,
    );
}

#[test]
fn another_papers_locator_is_not_checked() {
    // "Table 4 of [12]" is the cited paper's table, not this paper's: only Table 1 is checked.
    assert_passes_counting(
        "# 审计\n\nAs in Table 4 of [12] and Fig. 7 [3]; here Table 1.\n",
        1,
    );
}

/// "Eq. 3" and "Eqs. 2" without parentheses are equation locators too (the ConvNeXt dogfood's
/// invented "Eq. 3" passed unchecked in a paper with no numbered equation); "Eq. 1" and
/// "eq 2" exist here (in the manifest, and printed as "(2)").
#[test]
fn an_equation_number_without_parentheses_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("output");
    tree(&out, "# 审计\n\nEq. 1 and eq 2 hold.\nEq. 3 defines it.\n");
    let p = dir.path().join("paper");
    paper(&p);
    let items = locator_items(&out, Some(&p));
    let fails: Vec<&Item> = items.iter().filter(|i| i.status == Status::Fail).collect();
    assert_eq!(fails.len(), 1, "{items:#?}");
    assert_eq!(fails[0].location.as_deref(), Some("docs/audit.md:4"));
    assert!(
        fails[0].reason.starts_with("Eq. (3):"),
        "{}",
        fails[0].reason
    );
}

#[test]
fn a_page_written_beside_a_locator_must_be_where_it_is_or_mention_it() {
    // The fixture by hand: Table 1 is on page 3, Figure 2 and Eq. (1) on page 2 (manifest).
    // Page 2's text does not mention Table 1; page 3's mentions no Figure 2; page 4 prints
    // (2), not (1); page 1 mentions nothing. "Figure 2, p. 3"-style pairs are wrong there.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("output");
    tree(
        &out,
        "# 审计\n\nTable 1, page 3; Figure 2 (page 2); Eq. (1), p. 2.\nTable 1, page 2.\nFigure 2 (p. 3); Eq. (1), page 4.\n表 1，第 1 页\nFig. 3, page 1; Eq. (2), page 1.\n",
    );
    let p = dir.path().join("paper");
    paper(&p);
    let items = locator_items(&out, Some(&p));
    let fails = located_fails(&items);
    let want = [
        (
            "docs/audit.md:4",
            "Table 1, page 2: pdf-figures places it on page 3, and page 2's text does not mention it",
        ),
        (
            "docs/audit.md:5",
            "Figure 2, page 3: pdf-figures places it on page 2, and page 3's text does not mention it",
        ),
        (
            "docs/audit.md:5",
            "Eq. (1), page 4: pdf-figures places it on page 2, and page 4's text does not mention it",
        ),
        (
            "docs/audit.md:6",
            "Table 1, page 1: pdf-figures places it on page 3, and page 1's text does not mention it",
        ),
    ];
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(l, r)| (l.to_string(), r.to_string()))
        .collect();
    // Line 3 is right; line 7's Fig. 3 and Eq. (2) have no page in the manifest: unknown, so
    // not failed.
    assert_eq!(fails, want, "{items:#?}");
}

#[test]
fn a_page_that_discusses_a_table_elsewhere_is_not_a_wrong_pairing() {
    // Page 3's text prints "Fig. 3" and "Table 1"; a table cited with a page that mentions it
    // (the page that discusses it) passes even when the table is printed elsewhere.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("output");
    tree(
        &out,
        "# 审计\n\nFigure 2, see page 3 for Table 1, page 3.\n",
    );
    let p = dir.path().join("paper");
    paper(&p);
    std::fs::write(
        p.join("text/page-4.txt"),
        "a = b (2)\nas Figure 2 shows.\nReferences",
    )
    .unwrap();
    let items = locator_items(&out, Some(&p));
    assert!(items.iter().all(|i| i.status == Status::Pass), "{items:#?}");
    tree(&out, "# 审计\n\nFigure 2, page 4; Figure 2, page 1.\n");
    let items = locator_items(&out, Some(&p));
    let fails: Vec<&str> = items
        .iter()
        .filter(|i| i.status == Status::Fail)
        .map(|i| i.reason.as_str())
        .collect();
    assert_eq!(
        fails,
        [
            "Figure 2, page 1: pdf-figures places it on page 2, and page 1's text does not mention it"
        ],
        "{items:#?}"
    );
}
