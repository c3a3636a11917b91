//! Checklist items of the "audit" group: `docs/audit.md` in SKILL.md's Phase 1 format.
//!
//! - `audit.problem`, `audit.contributions`, `audit.loss`, `audit.gaps`: the part exists and
//!   says something that is not a `TODO(paper)` placeholder; the loss part also names its
//!   hand-computed cases (a case list whose items are all placeholders fails);
//! - `audit.formulas`: at least one `$$...$$` formula, each with its locator (an equation
//!   number, `\tag{}`, or a Section / Appendix / Figure / Table / page in it or in the paragraph
//!   just before it) and followed by its symbol table (one short paragraph such as "其中：" may
//!   sit in between) with at least one filled row; a formula or row with `TODO(paper)` in it is
//!   the scaffold's, not the paper's;
//! - `audit.hyperparams`: a table with a source column whose every row names a source, rows
//!   that cite "Paper did not specify" name the id of their entry (`see U1`), and every such
//!   entry in the audit has its four fields (Recommended, Reference, Alternatives, Impact); a
//!   row or field still holding `TODO(paper)` is a template, not a value.

use super::substance::{self, is_placeholder};
use super::{VerifyOptions, at, read_text};
use crate::markdown::{Doc, Kind, Section};
use crate::report::Item;
use regex::Regex;
use std::path::Path;
use std::sync::LazyLock;

/// The audit, relative to the checked folder.
pub const FILE: &str = "docs/audit.md";

/// A part of the audit: item id, heading keywords (Chinese as SKILL.md writes it, English
/// accepted) and its name in messages.
struct Part {
    id: &'static str,
    keywords: &'static [&'static str],
    name: &'static str,
}

const PROBLEM: Part = Part {
    id: "audit.problem",
    keywords: &["问题定义", "problem"],
    name: "问题定义 (problem)",
};
const CONTRIBUTIONS: Part = Part {
    id: "audit.contributions",
    keywords: &["核心贡献", "contribution"],
    name: "核心贡献 (contributions)",
};
const FORMULAS: Part = Part {
    id: "audit.formulas",
    keywords: &["核心公式", "formula"],
    name: "核心公式 (core formulas)",
};
const LOSS: Part = Part {
    id: "audit.loss",
    keywords: &["损失函数", "loss"],
    name: "损失函数分析 (loss)",
};
const HYPERPARAMS: Part = Part {
    id: "audit.hyperparams",
    keywords: &[
        "超参数",
        "hyper-parameter",
        "hyperparameter",
        "hyper parameter",
    ],
    name: "超参数表 (hyper-parameters)",
};
const GAPS: Part = Part {
    id: "audit.gaps",
    keywords: &["未明确", "gaps", "ambigu", "unspecified"],
    name: "未明确之处 (gaps)",
};

/// The four fields of a "Paper did not specify" entry after its header line.
pub const ENTRY_FIELDS: [&str; 4] = ["Recommended", "Reference", "Alternatives", "Impact"];

/// Checks the tree at `root`.
pub fn check(root: &Path, _opts: &VerifyOptions) -> Vec<Item> {
    let parts = [
        &PROBLEM,
        &CONTRIBUTIONS,
        &FORMULAS,
        &LOSS,
        &HYPERPARAMS,
        &GAPS,
    ];
    let text = match read_text(root, FILE) {
        Ok(Some(text)) => text,
        Ok(None) => {
            return parts
                .iter()
                .map(|p| Item::fail(p.id, "the audit is missing", Some(FILE.into())))
                .collect();
        }
        Err(cause) => {
            return parts
                .iter()
                .map(|p| Item::fail(p.id, cause.clone(), Some(FILE.into())))
                .collect();
        }
    };
    let doc = Doc::parse(&text);
    let lines: Vec<&str> = text.lines().collect();
    let mut items = Vec::new();
    items.extend(stated(&doc, &lines, &PROBLEM));
    items.extend(stated(&doc, &lines, &CONTRIBUTIONS));
    items.extend(formulas(&doc, &lines));
    items.extend(loss(&doc, &lines));
    items.extend(hyperparams(&doc, &text));
    items.extend(stated(&doc, &lines, &GAPS));
    items
}

fn section<'a>(doc: &'a Doc, part: &Part) -> Result<Section<'a>, Item> {
    doc.find_section(part.keywords, 2).ok_or_else(|| {
        Item::fail(
            part.id,
            format!("no `## {}` section", part.name),
            Some(FILE.into()),
        )
    })
}

/// The part exists and has content that is not a placeholder.
fn stated(doc: &Doc, lines: &[&str], part: &Part) -> Vec<Item> {
    match section(doc, part) {
        Err(item) => vec![item],
        Ok(s) if !s.has_content() => vec![Item::fail(
            part.id,
            format!("section {} is empty", part.name),
            at(FILE, s.line),
        )],
        Ok(s) if !substance::has_substance(lines, &s) => vec![Item::fail(
            part.id,
            format!(
                "section {} still holds only the scaffold's `TODO(paper)` placeholder",
                part.name
            ),
            at(FILE, s.line),
        )],
        Ok(_) => vec![Item::pass(part.id, format!("{} stated", part.name))],
    }
}

/// A list item: `1. ...`, `- ...`, `* ...`.
static LIST_ITEM: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(?:\d+[.)]|[-*+])\s+\S").unwrap());

/// The loss part is stated, and its hand-computed cases are not all placeholders.
fn loss(doc: &Doc, lines: &[&str]) -> Vec<Item> {
    let items = stated(doc, lines, &LOSS);
    if items.iter().any(|i| i.status == crate::Status::Fail) {
        return items;
    }
    let Ok(s) = section(doc, &LOSS) else {
        return items;
    };
    let (from, to) = (
        s.line,
        s.body
            .last()
            .map_or(s.line, |b| b.end_line)
            .min(lines.len()),
    );
    let list: Vec<(usize, &str)> = (from..to)
        .map(|i| (i + 1, lines[i]))
        .filter(|(_, l)| LIST_ITEM.is_match(l))
        .collect();
    let todo: Vec<usize> = list
        .iter()
        .filter(|(_, l)| is_placeholder(l))
        .map(|(n, _)| *n)
        .collect();
    if !todo.is_empty() && todo.len() == list.len() {
        return vec![Item::fail(
            LOSS.id,
            format!(
                "the loss has no hand-computed case: all {} listed case(s) are still `TODO(paper)` placeholders (name each case of tests/test_losses.py: inputs, expected value)",
                todo.len()
            ),
            at(FILE, todo[0]),
        )];
    }
    items
}

/// A formula's locator: an equation number or a place in the paper.
static LOCATOR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:eq|eqs|equation|equations)\.?\s*\(?\s*[A-Z]?\d|\\tag\*?\{[^}]*\d|\b(?:section|sec|appendix|app|figure|fig|table|tab|algorithm|alg)\.?\s*[A-Z]?\d|\bappendix\s+[A-Z]\b|§\s*\d|\bp{1,2}\.\s*\d|式\s*[（(]?\s*\d|第\s*\d+\s*(?:节|页|章)",
    )
    .unwrap()
});

/// Every display formula of the core-formula part has a locator and is followed by a symbol
/// table with a filled row; none is the scaffold's placeholder.
fn formulas(doc: &Doc, lines: &[&str]) -> Vec<Item> {
    let s = match section(doc, &FORMULAS) {
        Err(item) => return vec![item],
        Ok(s) => s,
    };
    let maths: Vec<usize> = (0..s.body.len())
        .filter(|&i| s.body[i].kind == Kind::Math)
        .collect();
    if maths.is_empty() {
        return vec![Item::fail(
            FORMULAS.id,
            "no `$$...$$` display formula in the core-formula section",
            at(FILE, s.line),
        )];
    }
    let mut items = Vec::new();
    for &i in &maths {
        let math = substance::block_text(lines, &s.body[i]);
        let line = at(FILE, s.body[i].line);
        if is_placeholder(&math) {
            items.push(Item::fail(
                FORMULAS.id,
                "formula is still the scaffold's placeholder (`TODO(paper)` in it): write the paper's equation with its number",
                line,
            ));
            continue;
        }
        let before = s.body[..i]
            .iter()
            .rev()
            .find(|b| b.is_content())
            .filter(|b| b.kind == Kind::Paragraph)
            .map(|b| substance::block_text(lines, b))
            .unwrap_or_default();
        if !LOCATOR.is_match(&math) && !LOCATOR.is_match(&before) {
            items.push(Item::fail(
                FORMULAS.id,
                "formula has no number or locator: give the paper's equation number (`\\tag{3}`, `(Eq. 3)`) or, for an unnumbered one, where it is (Section 3.2, p.4) in it or in the line before it",
                line.clone(),
            ));
        }
        match followed_by_table(&s.body[i + 1..]) {
            None => items.push(Item::fail(
                FORMULAS.id,
                "formula has no symbol table after it",
                line,
            )),
            Some(rows) if substance::filled_rows(rows) == 0 => items.push(Item::fail(
                FORMULAS.id,
                "formula's symbol table has no filled row: every row still holds a `TODO(paper)` placeholder",
                line,
            )),
            Some(_) => {}
        }
    }
    if items.is_empty() {
        items.push(Item::pass(
            FORMULAS.id,
            format!(
                "{} formula(s), each followed by a symbol table",
                maths.len()
            ),
        ));
    }
    items
}

/// The rows of the table that is the next content block, after at most one paragraph, when
/// it has two columns and a row.
fn followed_by_table(rest: &[crate::markdown::Block]) -> Option<&[(usize, Vec<String>)]> {
    let mut paragraphs = 0;
    for b in rest.iter().filter(|b| b.is_content()) {
        match &b.kind {
            Kind::Table { header, rows } => {
                return (header.len() >= 2 && !rows.is_empty()).then_some(rows.as_slice());
            }
            Kind::Paragraph if paragraphs == 0 => paragraphs += 1,
            _ => return None,
        }
    }
    None
}

static UNSPECIFIED_CELL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)paper did not specify|论文未(?:说明|给出|指定)|未说明|未指定").unwrap()
});
static ENTRY_ID: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\bU\d+\b").unwrap());
static ENTRY_HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:(U\d+)\s*[.:)]?\s*)?(?:\*\*)?paper did not specify\s*(?:\*\*)?\s*[:：]\s*(?:\*\*)?\s*(.*)$")
        .unwrap()
});
static ENTRY_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:\*\*)?(recommended|reference|alternatives|impact)\s*(?:\*\*)?\s*[:：]\s*(?:\*\*)?\s*(.*)$")
        .unwrap()
});

/// A "Paper did not specify" entry: its id (`U1`), header line and which fields have a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub id: Option<String>,
    pub line: usize,
    /// What is missing, from the header line.
    pub what: String,
    /// The fields of [`ENTRY_FIELDS`] that are present with a value.
    pub fields: [bool; 4],
}

impl Entry {
    /// The names of the fields without a value, with an empty header counted as a field.
    pub fn missing(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.what.is_empty() {
            out.push("what is missing (after `Paper did not specify:`)");
        }
        out.extend(
            ENTRY_FIELDS
                .iter()
                .zip(self.fields)
                .filter(|(_, has)| !has)
                .map(|(name, _)| *name),
        );
        out
    }
}

/// Every "Paper did not specify:" entry in `text` (in code fences, as `#` comments, as list
/// items), with the fields that follow it up to a blank line, a fence or the next entry.
pub fn entries(text: &str) -> Vec<Entry> {
    let strip = |l: &str| {
        l.trim_start_matches(['#', '>', '-', '*', ' ', '\t'])
            .trim_end()
            .to_string()
    };
    let mut out: Vec<Entry> = Vec::new();
    let mut open = false;
    for (i, raw) in text.lines().enumerate() {
        let line = strip(raw);
        if let Some(c) = ENTRY_HEADER.captures(&line) {
            let what = c[2].trim();
            out.push(Entry {
                id: c.get(1).map(|m| m.as_str().to_uppercase()),
                line: i + 1,
                // the scaffold's "TODO(paper): what exactly is missing" names nothing
                what: if is_placeholder(what) {
                    String::new()
                } else {
                    what.to_string()
                },
                fields: [false; 4],
            });
            open = true;
            continue;
        }
        let t = raw.trim();
        if t.is_empty() || t.starts_with("```") || t.starts_with("~~~") {
            open = false;
            continue;
        }
        if !open {
            continue;
        }
        if let Some(c) = ENTRY_FIELD.captures(&line) {
            let k = ENTRY_FIELDS
                .iter()
                .position(|f| f.eq_ignore_ascii_case(&c[1]))
                .expect("the pattern names only these fields");
            let entry = out.last_mut().expect("open only after a header");
            let value = c[2].trim();
            entry.fields[k] |= !value.is_empty() && !is_placeholder(value);
        }
    }
    out
}

fn blank_source(cell: &str) -> bool {
    let c = cell.trim().trim_matches('`').trim();
    c.is_empty()
        || ["-", "—", "–", "?", "n/a", "na", "none", "无", "/"]
            .iter()
            .any(|b| c.eq_ignore_ascii_case(b))
}

/// Every row of the hyper-parameter table has a source; protocol rows name a complete entry.
fn hyperparams(doc: &Doc, text: &str) -> Vec<Item> {
    let s = match section(doc, &HYPERPARAMS) {
        Err(item) => return vec![item],
        Ok(s) => s,
    };
    let tables: Vec<&crate::markdown::Block> = s
        .body
        .iter()
        .filter(|b| matches!(&b.kind, Kind::Table { rows, .. } if !rows.is_empty()))
        .collect();
    if tables.is_empty() {
        return vec![Item::fail(
            HYPERPARAMS.id,
            "no hyper-parameter table (| 参数 | 取值 | 来源 | 说明 |)",
            at(FILE, s.line),
        )];
    }
    let entries = entries(text);
    let mut items = Vec::new();
    let mut rows_seen = 0;
    for table in tables {
        let Kind::Table { header, rows } = &table.kind else {
            continue;
        };
        let Some(col) = header
            .iter()
            .position(|h| crate::markdown::title_matches(h, &["来源", "出处", "source"]))
        else {
            items.push(Item::fail(
                HYPERPARAMS.id,
                "hyper-parameter table has no source column (来源 / Source)",
                at(FILE, table.line),
            ));
            continue;
        };
        for (line, cells) in rows {
            if cells.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            rows_seen += 1;
            let name = cells.first().map_or("", |c| c.trim());
            let source = cells.get(col).map_or("", |c| c.trim());
            if cells.iter().any(|c| is_placeholder(c)) {
                items.push(Item::fail(
                    HYPERPARAMS.id,
                    format!(
                        "row `{name}` is still the scaffold's template (`TODO(paper)` in it): the paper's value and where it is printed, or the protocol's entry"
                    ),
                    at(FILE, *line),
                ));
            } else if blank_source(source) {
                items.push(Item::fail(
                    HYPERPARAMS.id,
                    format!("row `{name}` has no source"),
                    at(FILE, *line),
                ));
            } else if UNSPECIFIED_CELL.is_match(source) {
                let ids: Vec<&str> = ENTRY_ID.find_iter(source).map(|m| m.as_str()).collect();
                if ids.is_empty() {
                    items.push(Item::fail(
                        HYPERPARAMS.id,
                        format!(
                            "row `{name}` cites \"Paper did not specify\" without the id of its entry (write `Paper did not specify (see U1)`)"
                        ),
                        at(FILE, *line),
                    ));
                }
                for id in ids {
                    if !entries.iter().any(|e| e.id.as_deref() == Some(id)) {
                        items.push(Item::fail(
                            HYPERPARAMS.id,
                            format!("row `{name}` cites {id}, but no `{id}. Paper did not specify:` entry exists"),
                            at(FILE, *line),
                        ));
                    }
                }
            }
        }
    }
    for e in &entries {
        let missing = e.missing();
        if !missing.is_empty() {
            let id = e.id.as_deref().unwrap_or("\"Paper did not specify\"");
            items.push(Item::fail(
                HYPERPARAMS.id,
                format!("entry {id} is incomplete: no {}", missing.join(", no ")),
                at(FILE, e.line),
            ));
        }
    }
    if items.is_empty() {
        items.push(Item::pass(
            HYPERPARAMS.id,
            format!(
                "{rows_seen} hyper-parameter row(s), each with a source; {} \"Paper did not specify\" entr{} complete",
                entries.len(),
                if entries.len() == 1 { "y" } else { "ies" }
            ),
        ));
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_in_fences_comments_and_lists() {
        let text = "```text\nU1. Paper did not specify: BN epsilon\nRecommended: 1e-5\nReference: torch default\nAlternatives: 1e-3\nImpact: small\n```\n\n\
                    # Paper did not specify: init\n# Recommended: kaiming\n# Reference: torchvision\n# Impact: small\n\n\
                    - **U3. Paper did not specify:** schedule\n  - **Recommended:** step\n  - Reference: x\n  - Alternatives:\n  - Impact: y\n";
        let e = entries(text);
        assert_eq!(e.len(), 3);
        assert_eq!(
            (e[0].id.as_deref(), e[0].line, e[0].fields),
            (Some("U1"), 2, [true; 4])
        );
        assert!(e[0].missing().is_empty());
        assert_eq!(e[1].id, None);
        assert_eq!(e[1].missing(), vec!["Alternatives"]);
        assert_eq!(e[2].id.as_deref(), Some("U3"));
        assert_eq!(e[2].what, "schedule");
        assert_eq!(
            e[2].missing(),
            vec!["Alternatives"],
            "an empty value is missing"
        );
    }

    #[test]
    fn a_blank_line_ends_an_entry() {
        let text = "U1. Paper did not specify: x\nRecommended: 1\n\nReference: not part of U1\n";
        assert_eq!(entries(text)[0].fields, [true, false, false, false]);
    }

    #[test]
    fn blank_sources() {
        for b in ["", " — ", "-", "N/A", "无", "`-`"] {
            assert!(blank_source(b), "{b:?}");
        }
        for s in [
            "Table 1, page 5",
            "Section 3.4",
            "Paper did not specify (see U1)",
        ] {
            assert!(!blank_source(s), "{s:?}");
        }
    }
}
