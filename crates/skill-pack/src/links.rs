//! Links, path mentions and helper calls in SKILL.md and references/ (L1, L2, H1, P2, W2, W4, W5),
//! plus the encoding rule for every text file (E1).
//!
//! Markdown links resolve against the linking file's folder, as every Markdown renderer does.
//! Bare mentions such as `scripts/run.py` or `references/pitfalls.md` resolve against the skill
//! root, which is how SKILL.md tells Claude to use them. Nothing is resolved on disk: the checks
//! look the target up in the [`SkillTree`], so a path can never reach outside the folder.

use crate::finding::Report;
use crate::rules::Rule;
use crate::tree::{SkillTree, join_inside};
use pulldown_cmark::{Event, LinkType, Options, Parser, Tag};
use regex::Regex;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

const REFERENCE_TOC_LINES: usize = 100;
/// A table of contents must start within this many lines of the top of a reference.
const TOC_WINDOW: usize = 40;

static MENTION_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^A-Za-z0-9_./\\-])((?:scripts|references|assets)[/\\][A-Za-z0-9_.\\/-]*)")
        .expect("valid regex")
});
static HELPER_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"scripts/run\.py[ \t]+([a-z0-9][a-z0-9_-]*)").expect("valid regex")
});
static SCHEME_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Za-z][A-Za-z0-9+.-]+:").expect("valid regex"));
static TOC_HEADING_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(?:#+\s*|\*\*|__)?\s*(?:table of contents|contents|toc|目录)\b")
        .expect("valid regex")
});

/// Extensions whose files must be UTF-8 with LF endings (E1).
const TEXT_EXTENSIONS: [&str; 11] = [
    "md", "py", "sh", "txt", "json", "yaml", "yml", "toml", "csv", "tsv", "mmd",
];

/// Markdown files whose links and mentions are checked: SKILL.md and everything in references/.
pub fn documents(tree: &SkillTree) -> Vec<String> {
    tree.files
        .keys()
        .filter(|p| *p == "SKILL.md" || (p.starts_with("references/") && p.ends_with(".md")))
        .cloned()
        .collect()
}

/// A helper call found in a document: which helper, where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HelperCall {
    pub helper: String,
    pub file: String,
    pub line: usize,
}

/// Runs the link, mention, nesting and table-of-contents checks; returns the helper calls.
pub fn check_documents(tree: &SkillTree, report: &mut Report) -> Vec<HelperCall> {
    let mut calls = Vec::new();
    // Which .md targets each document points at, for the nesting warning.
    let mut targets: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for doc in documents(tree) {
        let Some(text) = tree.text(&doc) else {
            continue;
        };
        let shown = tree.shown(&doc);
        let found = targets.entry(doc.clone()).or_default();
        let linked = check_links(tree, &doc, &text, &shown, found, report);
        check_mentions(tree, &text, &shown, &linked, found, report);
        for (index, line) in text.lines().enumerate() {
            for cap in HELPER_RE.captures_iter(line) {
                calls.push(HelperCall {
                    helper: cap[1].to_string(),
                    file: shown.clone(),
                    line: index + 1,
                });
            }
        }
        if doc != "SKILL.md" {
            let count = text.lines().count();
            if count > REFERENCE_TOC_LINES && !has_toc(&text) {
                report.push(
                    shown.clone(),
                    1,
                    Rule::W2,
                    format!(
                        "{count} lines without a table of contents in its first {TOC_WINDOW} lines"
                    ),
                );
            }
        }
    }
    let from_skill = targets.get("SKILL.md").cloned().unwrap_or_default();
    for (doc, found) in &targets {
        if doc == "SKILL.md" {
            continue;
        }
        for target in found {
            if target.starts_with("references/") && target != doc && !from_skill.contains(target) {
                report.push(
                    tree.shown(target),
                    0,
                    Rule::W4,
                    format!("reached only through {doc}; link it from SKILL.md so references stay one level deep"),
                );
            }
        }
    }
    calls
}

fn line_at(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())]
        .bytes()
        .filter(|b| *b == b'\n')
        .count()
        + 1
}

fn check_links(
    tree: &SkillTree,
    doc: &str,
    text: &str,
    shown: &str,
    found: &mut BTreeSet<String>,
    report: &mut Report,
) -> BTreeSet<(usize, String)> {
    let mut linked = BTreeSet::new();
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_FOOTNOTES;
    let base = doc.rsplit_once('/').map_or("", |(dir, _)| dir);
    for (event, range) in Parser::new_ext(text, options).into_offset_iter() {
        let (link_type, dest) = match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                ..
            })
            | Event::Start(Tag::Image {
                link_type,
                dest_url,
                ..
            }) => (link_type, dest_url),
            _ => continue,
        };
        if matches!(link_type, LinkType::Autolink | LinkType::Email) {
            continue;
        }
        let line = line_at(text, range.start);
        let raw = dest.to_string();
        linked.insert((line, raw.clone()));
        if raw.is_empty()
            || raw.starts_with('#')
            || (SCHEME_RE.is_match(&raw) && !is_windows_drive(&raw))
        {
            continue;
        }
        let path = raw.split(['#', '?']).next().unwrap_or_default();
        let path = percent_decode(path);
        if let Some(rel) = resolve(base, &path, &raw, shown, line, report) {
            if !tree.is_file(&rel) && !tree.is_dir(&rel) {
                report.push(
                    shown,
                    line,
                    Rule::L1,
                    format!("link target `{raw}` does not exist in the skill"),
                );
            } else {
                found.insert(rel);
            }
        }
    }
    linked
}

/// Checks bare path mentions; a mention that is exactly a link target on the same line was
/// already judged as a link (L1) and is skipped.
fn check_mentions(
    tree: &SkillTree,
    text: &str,
    shown: &str,
    linked: &BTreeSet<(usize, String)>,
    found: &mut BTreeSet<String>,
    report: &mut Report,
) {
    for (index, line) in text.lines().enumerate() {
        for cap in MENTION_RE.captures_iter(line) {
            let raw = cap[1].trim_end_matches(['.', ',', ':', ';']);
            if linked
                .iter()
                .any(|(l, target)| *l == index + 1 && target.split(['#', '?']).next() == Some(raw))
            {
                continue;
            }
            let Some(rel) = resolve("", raw, raw, shown, index + 1, report) else {
                continue;
            };
            let exists = if raw.ends_with('/') || raw.ends_with('\\') {
                tree.is_dir(&rel)
            } else {
                tree.is_file(&rel) || tree.is_dir(&rel)
            };
            if exists {
                found.insert(rel);
            } else {
                report.push(
                    shown,
                    index + 1,
                    Rule::L2,
                    format!("`{raw}` is mentioned but does not exist in the skill"),
                );
            }
        }
    }
}

/// Normalises `path` relative to folder `base` of the skill; reports P2 (and W5) and returns
/// `None` when it leaves the folder.
fn resolve(
    base: &str,
    path: &str,
    raw: &str,
    shown: &str,
    line: usize,
    report: &mut Report,
) -> Option<String> {
    if path.contains('\\') {
        report.push(
            shown,
            line,
            Rule::W5,
            format!("backslash in `{raw}`; use forward slashes"),
        );
    }
    let path = path.replace('\\', "/");
    if path.starts_with('/') || is_windows_drive(&path) {
        report.push(
            shown,
            line,
            Rule::P2,
            format!("absolute path `{raw}` points outside the skill folder"),
        );
        return None;
    }
    let joined = join_inside(base, &path);
    if joined.is_none() {
        report.push(
            shown,
            line,
            Rule::P2,
            format!("`{raw}` leads outside the skill folder"),
        );
    }
    joined
}

fn is_windows_drive(path: &str) -> bool {
    let bytes = path.as_bytes();
    bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':'
}

fn percent_decode(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && bytes[i + 1].is_ascii_hexdigit()
            && bytes[i + 2].is_ascii_hexdigit()
        {
            let hex = |b: u8| (b as char).to_digit(16).unwrap_or(0) as u8;
            out.push(hex(bytes[i + 1]) * 16 + hex(bytes[i + 2]));
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A table of contents is a "Contents"-style heading, or at least three in-page links, near the top.
fn has_toc(text: &str) -> bool {
    let top: Vec<&str> = text.lines().take(TOC_WINDOW).collect();
    top.iter().any(|l| TOC_HEADING_RE.is_match(l))
        || top.iter().filter(|l| l.contains("](#")).count() >= 3
}

/// E1: UTF-8, no byte-order mark, no CR, for every text file of the skill.
pub fn check_encodings(tree: &SkillTree, report: &mut Report) {
    for (rel, file) in &tree.files {
        let ext = rel
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        if !TEXT_EXTENSIONS.contains(&ext.as_str()) {
            continue;
        }
        let data = match file.read() {
            Ok(data) => data,
            Err(e) => {
                report.push(
                    tree.shown(rel),
                    0,
                    Rule::E1,
                    format!("file cannot be read: {e}"),
                );
                continue;
            }
        };
        if data.starts_with(b"\xef\xbb\xbf") {
            report.push(
                tree.shown(rel),
                1,
                Rule::E1,
                "starts with a UTF-8 byte-order mark; remove it",
            );
        }
        if let Some(pos) = data.iter().position(|b| *b == b'\r') {
            let line = data[..pos].iter().filter(|b| **b == b'\n').count() + 1;
            report.push(
                tree.shown(rel),
                line,
                Rule::E1,
                "CR (CRLF or CR) line ending; use LF only",
            );
        }
        if let Err(err) = std::str::from_utf8(&data) {
            let line = data[..err.valid_up_to()]
                .iter()
                .filter(|b| **b == b'\n')
                .count()
                + 1;
            report.push(tree.shown(rel), line, Rule::E1, "not valid UTF-8");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding_and_toc_detection() {
        assert_eq!(percent_decode("a%20b.md"), "a b.md");
        assert_eq!(percent_decode("100%"), "100%");
        assert!(has_toc("# Title\n\n## Contents\n- [A](#a)\n"));
        assert!(has_toc("# T\n- [A](#a)\n- [B](#b)\n- [C](#c)\n"));
        assert!(!has_toc(
            "# Title\n\nSome text about contents of tensors.\n"
        ));
    }
}
