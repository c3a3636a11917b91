//! Checklist items of the "audit" group: `docs/audit.md` in SKILL.md's Phase 1 format.
//!
//! - `audit.problem`, `audit.contributions`, `audit.loss`, `audit.gaps`: the part exists and
//!   says something;
//! - `audit.formulas`: at least one `$$...$$` formula, each followed by its symbol table (one
//!   short paragraph such as "其中：" may sit in between);
//! - `audit.hyperparams`: a table with a source column whose every row names a source, rows
//!   that cite "Paper did not specify" name the id of their entry (`see U1`), and every such
//!   entry in the audit has its four fields (Recommended, Reference, Alternatives, Impact).

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
    let mut items = Vec::new();
    items.extend(stated(&doc, &PROBLEM));
    items.extend(stated(&doc, &CONTRIBUTIONS));
    items.extend(formulas(&doc));
    items.extend(stated(&doc, &LOSS));
    items.extend(hyperparams(&doc, &text));
    items.extend(stated(&doc, &GAPS));
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

/// The part exists and has content.
fn stated(doc: &Doc, part: &Part) -> Vec<Item> {
    match section(doc, part) {
        Err(item) => vec![item],
        Ok(s) if !s.has_content() => vec![Item::fail(
            part.id,
            format!("section {} is empty", part.name),
            at(FILE, s.line),
        )],
        Ok(_) => vec![Item::pass(part.id, format!("{} stated", part.name))],
    }
}

/// Every display formula of the core-formula part is followed by a symbol table.
fn formulas(doc: &Doc) -> Vec<Item> {
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
        if !followed_by_table(&s.body[i + 1..]) {
            items.push(Item::fail(
                FORMULAS.id,
                "formula has no symbol table after it",
                at(FILE, s.body[i].line),
            ));
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

/// The next content block is a table with at least one row, after at most one paragraph.
fn followed_by_table(rest: &[crate::markdown::Block]) -> bool {
    let mut paragraphs = 0;
    for b in rest.iter().filter(|b| b.is_content()) {
        match &b.kind {
            Kind::Table { header, rows } => return header.len() >= 2 && !rows.is_empty(),
            Kind::Paragraph if paragraphs == 0 => paragraphs += 1,
            _ => return false,
        }
    }
    false
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
            out.push(Entry {
                id: c.get(1).map(|m| m.as_str().to_uppercase()),
                line: i + 1,
                what: c[2].trim().to_string(),
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
            entry.fields[k] |= !c[2].trim().is_empty();
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
            if blank_source(source) {
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
