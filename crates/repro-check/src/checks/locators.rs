//! `audit.locators`: every page, table, figure and equation the audit cites exists in the paper,
//! as pdf-figures read it (its output folder: `manifest.json` and `text/page-N.txt`).
//!
//! A dogfood replication cited "Table 7, page 12" of an 8-page paper with two tables, and every
//! item passed. A locator fails only when the paper surely lacks it: a page past the last one,
//! or a table, figure or equation number that neither the manifest lists nor the page text
//! prints (pdf-figures may miss a figure's region, never its caption's words). Without the
//! paper's folder the item is skipped, saying how to give it.

use super::{VerifyOptions, read_text};
use crate::report::Item;
use regex::Regex;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

const ID: &str = "audit.locators";

/// What pdf-figures found in the paper.
struct Paper {
    dir: PathBuf,
    pages: usize,
    tables: BTreeSet<String>,
    figures: BTreeSet<String>,
    equations: BTreeSet<String>,
    /// The pages pdf-figures placed each table, figure and equation on (kind, id).
    placed: BTreeMap<(Kind, String), BTreeSet<usize>>,
    /// The reading-order text of every page, lowercased, one string.
    text: String,
    /// The same text page by page (index 0 is page 1).
    page_text: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Table,
    Figure,
    Equation,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Table => "Table",
            Kind::Figure => "Figure",
            Kind::Equation => "Eq.",
        }
    }

    /// How a page's text mentions it: `table 2`, `fig. 2`, `(2)`.
    fn mentions(self, text: &str, id: &str) -> bool {
        let words: &[&str] = match self {
            Kind::Table => &["table ", "tab. "],
            Kind::Figure => &["figure ", "fig. ", "fig "],
            Kind::Equation => return text.contains(&format!("({id})")),
        };
        words.iter().any(|w| {
            let needle = format!("{w}{id}");
            text.match_indices(&needle).any(|(i, _)| {
                let after = text[i + needle.len()..].chars().next();
                !after.is_some_and(|c| c.is_ascii_alphanumeric())
            })
        })
    }
}

/// A page written right after a table, figure or equation locator, as where it is:
/// "Table 2, p. 5", "Figure 3 (page 4)", "表 2，第 5 页".
static PAGE_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*[,(（，]?\s*(?:on\s+)?(?:pages?\s+|p\.\s*|第\s*)(\d{1,4})\b")
        .expect("pattern")
});

/// Chinese words in which a locator character is part of another word: 代表 ("represents"),
/// 列表 ("list"), 形式 ("form"), 方式 ("way"), 意图 ("intent"): "x 代表 9 个通道" cites no
/// table 9, while 见表 1 ("see Table 1") does.
const NOT_TABLE: &str = "代发列报外仪课";
// 张图 / 幅图 / 原图 / 入图: "an image" (第二张图 7 个负样本 is the second image's 7 negatives).
const NOT_FIGURE: &str = "意试地构企蓝视张幅原入";
const NOT_EQUATION: &str = "形方模格正等算样程仪范";

static PAGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:\bpages?\s+|\bp\.\s*)(\d{1,4})\b|第\s*(\d{1,4})\s*页").expect("pattern")
});
static TABLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:\btable\s+|\btab\.\s*|(?P<pre>\p{Han})?表\s*)(?P<id>[A-Z]?\d{1,3})\b")
        .expect("pattern")
});
static FIGURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:\bfigure\s+|\bfig\.\s*|(?P<pre>\p{Han})?图\s*)(?P<id>[A-Z]?\d{1,3})\b")
        .expect("pattern")
});
static EQUATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:\beq(?:uation)?s?\.?\s*|(?P<pre>\p{Han})?式\s*)\((?P<id>[A-Z]?\d{1,3}(?:\.\d{1,3})?[a-z]?)\)|\bequation\s+(?P<id2>[A-Z]?\d{1,3}(?:\.\d{1,3})?)\b|\beqs?(?:\.\s*|\s+)(?P<id3>[A-Z]?\d{1,3}(?:\.\d{1,3})?)\b",
    )
    .expect("pattern")
});

/// A locator of another paper: "Table 2 of [12]", "Fig. 3 in [5]", "Table 1 [7]". Those are
/// not this paper's, so they are not checked (never a wrong FAIL).
static CITED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(?:(?:of|in|from)\s+)?\[\d").expect("pattern"));

fn cited(line: &str, end: usize) -> bool {
    CITED.is_match(&line[end..])
}

/// The match is a locator, not a word that holds its character (`pre` is the Han character
/// before it, if any). 公式 ("formula") is a locator word of its own.
fn standalone(c: &regex::Captures<'_>, stop: &str) -> bool {
    c.name("pre")
        .is_none_or(|p| p.as_str() == "公" || !stop.contains(p.as_str()))
}

/// The pdf-figures folder to check against: `--paper`, else `work/paper` beside the tree (the
/// layout SKILL.md prescribes: `work/` and `output/` side by side).
pub(crate) fn paper_dir(root: &Path, opts: &VerifyOptions) -> Option<PathBuf> {
    if let Some(p) = &opts.paper {
        return Some(p.clone());
    }
    // canonical, so that `verify .` run inside output/ looks in ../work/paper
    let beside = root
        .canonicalize()
        .ok()?
        .parent()?
        .join("work")
        .join("paper");
    beside.join("manifest.json").is_file().then_some(beside)
}

fn ids(manifest: &serde_json::Value, list: &str, key: &str) -> BTreeSet<String> {
    manifest[list]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| match &x[key] {
                    serde_json::Value::String(s) => Some(s.to_ascii_lowercase()),
                    serde_json::Value::Number(n) => Some(n.to_string()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

fn load(dir: &Path, budget: u64) -> Result<Paper, String> {
    let manifest_path = dir.join("manifest.json");
    let size = std::fs::metadata(&manifest_path)
        .map_err(|e| format!("{}: {e}", manifest_path.display()))?
        .len();
    if size > budget {
        return Err(format!(
            "{}: {size} bytes, over the --max-file-bytes budget",
            manifest_path.display()
        ));
    }
    let text = std::fs::read_to_string(&manifest_path)
        .map_err(|e| format!("{}: {e}", manifest_path.display()))?;
    let manifest: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{}: not pdf-figures' manifest ({e})",
            manifest_path.display()
        )
    })?;
    let pages = manifest["pages"].as_array().map_or(0, Vec::len);
    if pages == 0 {
        return Err(format!(
            "{}: lists no pages (not pdf-figures' manifest)",
            manifest_path.display()
        ));
    }
    let mut all = String::new();
    let mut page_text = Vec::with_capacity(pages);
    for n in 1..=pages {
        let page = dir.join("text").join(format!("page-{n}.txt"));
        let mut lower = String::new();
        if let Ok(meta) = std::fs::metadata(&page)
            && meta.len() <= budget
            && let Ok(t) = std::fs::read_to_string(&page)
        {
            lower = t.to_lowercase();
            all.push_str(&lower);
            all.push('\n');
        }
        page_text.push(lower);
    }
    let mut placed: BTreeMap<(Kind, String), BTreeSet<usize>> = BTreeMap::new();
    for (kind, list, key) in [
        (Kind::Table, "tables", "id"),
        (Kind::Figure, "figures", "id"),
        (Kind::Equation, "equations", "number"),
    ] {
        for x in manifest[list].as_array().into_iter().flatten() {
            let id = match &x[key] {
                serde_json::Value::String(s) => s.to_ascii_lowercase(),
                serde_json::Value::Number(n) => n.to_string(),
                _ => continue,
            };
            if let Some(p) = x["page"].as_u64() {
                placed.entry((kind, id)).or_default().insert(p as usize);
            }
        }
    }
    Ok(Paper {
        dir: dir.to_path_buf(),
        pages,
        tables: ids(&manifest, "tables", "id"),
        figures: ids(&manifest, "figures", "id"),
        equations: ids(&manifest, "equations", "number"),
        placed,
        text: all,
        page_text,
    })
}

impl Paper {
    /// "Table 2, p. 5" names the page Table 2 is on. Wrong only when pdf-figures placed the
    /// table on other pages and page 5's text does not mention it either (a locator may give
    /// the page that discusses it); unknown (`None`) when the manifest gives no page.
    fn misplaced(&self, kind: Kind, id: &str, after: &str) -> Option<String> {
        let c = PAGE_AFTER.captures(after)?;
        let p: usize = c[1].parse().ok()?;
        let on = self.placed.get(&(kind, id.to_string()))?;
        let text = self.page_text.get(p.checked_sub(1)?)?;
        if on.contains(&p) || kind.mentions(text, id) {
            return None;
        }
        let pages: Vec<String> = on.iter().map(usize::to_string).collect();
        let shown = if kind == Kind::Equation {
            format!("({id})")
        } else {
            id.to_ascii_uppercase()
        };
        Some(format!(
            "{} {shown}, page {p}: pdf-figures places it on page {}, and page {p}'s text does not mention it",
            kind.name(),
            pages.join(", ")
        ))
    }
}

/// Checks the audit's locators against the paper's folder.
pub fn check(root: &Path, opts: &VerifyOptions) -> Vec<Item> {
    let Some(dir) = paper_dir(root, opts) else {
        return vec![Item::skip(
            ID,
            "no pdf-figures folder to check the audit's page, table, figure and equation \
             numbers against: pass --paper work/paper (found by itself when work/paper sits \
             beside the checked folder)",
        )];
    };
    let paper = match load(&dir, opts.file_budget()) {
        Ok(p) => p,
        Err(e) => return vec![Item::fail(ID, e, None)],
    };
    let audit = match read_text(root, super::audit::FILE) {
        Ok(Some(t)) => t,
        Ok(None) => return Vec::new(),
        Err(e) => return vec![Item::fail(ID, e, Some(super::audit::FILE.into()))],
    };
    let mut items = Vec::new();
    let mut checked = 0usize;
    let mut fail = |line: usize, what: String| {
        items.push(Item::fail(
            ID,
            what,
            Some(format!("{}:{line}", super::audit::FILE)),
        ))
    };
    for (i, line) in audit.lines().enumerate() {
        let n = i + 1;
        for c in PAGE.captures_iter(line) {
            checked += 1;
            let p: usize = c
                .get(1)
                .or_else(|| c.get(2))
                .map_or(0, |m| m.as_str().parse().unwrap_or(0));
            if p == 0 || p > paper.pages {
                fail(n, format!("page {p}: the paper has {} pages", paper.pages));
            }
        }
        for c in TABLE.captures_iter(line) {
            if !standalone(&c, NOT_TABLE) || cited(line, c.get(0).map_or(0, |m| m.end())) {
                continue;
            }
            checked += 1;
            let id = c["id"].to_ascii_lowercase();
            if !paper.tables.contains(&id) && !Kind::Table.mentions(&paper.text, &id) {
                fail(
                    n,
                    format!(
                        "Table {}: the paper has no such table (pdf-figures found {}; its text prints no \"Table {}\")",
                        &c["id"],
                        list(&paper.tables),
                        &c["id"]
                    ),
                );
            } else if let Some(why) =
                paper.misplaced(Kind::Table, &id, &line[c.get(0).map_or(0, |m| m.end())..])
            {
                fail(n, why);
            }
        }
        for c in FIGURE.captures_iter(line) {
            if !standalone(&c, NOT_FIGURE) || cited(line, c.get(0).map_or(0, |m| m.end())) {
                continue;
            }
            checked += 1;
            let id = c["id"].to_ascii_lowercase();
            if !paper.figures.contains(&id) && !Kind::Figure.mentions(&paper.text, &id) {
                fail(
                    n,
                    format!(
                        "Figure {}: the paper has no such figure (pdf-figures found {}; its text prints no \"Fig. {}\" or \"Figure {}\")",
                        &c["id"],
                        list(&paper.figures),
                        &c["id"],
                        &c["id"]
                    ),
                );
            } else if let Some(why) =
                paper.misplaced(Kind::Figure, &id, &line[c.get(0).map_or(0, |m| m.end())..])
            {
                fail(n, why);
            }
        }
        for c in EQUATION.captures_iter(line) {
            if !standalone(&c, NOT_EQUATION) || cited(line, c.get(0).map_or(0, |m| m.end())) {
                continue;
            }
            checked += 1;
            let raw = c
                .name("id")
                .or_else(|| c.name("id2"))
                .or_else(|| c.name("id3"))
                .map_or("", |m| m.as_str());
            let id = raw.to_ascii_lowercase();
            if !paper.equations.contains(&id) && !Kind::Equation.mentions(&paper.text, &id) {
                fail(
                    n,
                    format!(
                        "Eq. ({raw}): the paper has no equation ({raw}) (pdf-figures found {}; its text prints no \"({raw})\")",
                        list(&paper.equations)
                    ),
                );
            } else if let Some(why) = paper.misplaced(
                Kind::Equation,
                &id,
                &line[c.get(0).map_or(0, |m| m.end())..],
            ) {
                fail(n, why);
            }
        }
    }
    if items.is_empty() {
        items.push(Item::pass(
            ID,
            format!(
                "{checked} page, table, figure and equation locator(s) of the audit exist in the paper ({}: {} pages)",
                paper.dir.display(),
                paper.pages
            ),
        ));
    }
    items
}

fn list(ids: &BTreeSet<String>) -> String {
    if ids.is_empty() {
        "none".to_string()
    } else {
        // Numbers in numeric order (2 before 10), then lettered ids ("A1").
        let mut v: Vec<&String> = ids.iter().collect();
        v.sort_by_key(|id| (id.parse::<u32>().map_err(|_| ()), id.to_string()));
        v.into_iter().cloned().collect::<Vec<_>>().join(", ")
    }
}

#[cfg(test)]
mod tests {
    /// The SENet dogfood read "pdf-figures found 1, 10, 11, 12, 2, ...": ids in numeric order.
    #[test]
    fn found_ids_are_listed_in_numeric_order() {
        let ids = ["10", "2", "1", "A1", "11"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(super::list(&ids), "1, 2, 10, 11, A1");
        assert_eq!(super::list(&Default::default()), "none");
    }
}
