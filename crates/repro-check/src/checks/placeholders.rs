//! Checklist items of the "placeholders" group: no `TODO(paper)` marker, no TODO/TBD/FIXME/PENDING and
//! no placeholder citation ("Table X", "Eq. ?") left anywhere in the tree.

use super::{VerifyOptions, at};
use crate::report::Item;
use regex::Regex;
use std::path::Path;
use std::sync::LazyLock;

/// What counts as a placeholder: the marker `init` writes, the words of the skill's checklist
/// (item 3), "to be filled" words (the ConvNeXt dogfood left README's exit status and summary
/// as `PENDING` and verify passed) and citations whose number was never filled in.
static PLACEHOLDER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"TODO\(paper\)|\b(?:TODO|TBD|FIXME|PENDING)\b|待填|待补|\b(?:Table|Section|Figure|Fig\.|Eq\.|Equation|Appendix)\s*(?:X\b|\?|\(\?\)|\(X\))",
    )
    .expect("valid pattern")
});

/// Files larger than this are data, not text to fill in.
const MAX_BYTES: u64 = 4 << 20;

/// Checks the tree at `root`.
pub fn check(root: &Path, _opts: &VerifyOptions) -> Vec<Item> {
    let mut files = Vec::new();
    walk(root, "", &mut files);
    files.sort();
    let mut items = Vec::new();
    let mut scanned = 0;
    for rel in &files {
        let Ok(text) = std::fs::read_to_string(root.join(rel)) else {
            continue; // binary
        };
        scanned += 1;
        let hits: Vec<(usize, &str)> = text
            .lines()
            .enumerate()
            .filter(|(_, l)| PLACEHOLDER.is_match(l))
            .map(|(i, l)| (i + 1, l))
            .collect();
        let Some(&(first, first_text)) = hits.first() else {
            continue;
        };
        let lines: Vec<String> = hits.iter().take(20).map(|(n, _)| n.to_string()).collect();
        let more = if hits.len() > 20 { ", ..." } else { "" };
        let found = PLACEHOLDER.find(first_text).map_or("", |m| m.as_str());
        items.push(Item::fail(
            "placeholders.todo",
            format!(
                "{} line(s) with a placeholder (`{found}` first), at line {}{more}",
                hits.len(),
                lines.join(", ")
            ),
            at(rel, first),
        ));
    }
    if items.is_empty() {
        items.push(Item::pass(
            "placeholders.todo",
            format!("no placeholder left in {scanned} text files"),
        ));
    }
    items
}

/// Every regular file under `root/rel`, skipping hidden entries, caches and symbolic links.
fn walk(root: &Path, rel: &str, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(root.join(rel)) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        if name.starts_with('.') || name == "__pycache__" || name == "node_modules" {
            continue;
        }
        let Ok(meta) = std::fs::symlink_metadata(entry.path()) else {
            continue;
        };
        let child = if rel.is_empty() {
            name
        } else {
            format!("{rel}/{name}")
        };
        if meta.is_dir() {
            walk(root, &child, out);
        } else if meta.is_file() && meta.len() <= MAX_BYTES {
            out.push(child);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::PLACEHOLDER;

    #[test]
    fn what_is_a_placeholder() {
        for hit in [
            "x = 1  # TODO(paper): locator",
            "see Table X",
            "Eq. ? gives",
            "Section X.",
            "TBD",
            "FIXME: later",
            "Eq. (?)",
            "| 检查清单 | `verify --run` | PENDING | PENDING |",
            "退出码：待填",
        ] {
            assert!(PLACEHOLDER.is_match(hit), "{hit}");
        }
        for clean in [
            "Table 3, page 6",
            "Section 3.4",
            "Table XL-1",
            "todos are fine in lower case",
            "TODOS",
            "Figure Xception",
            "pending requests",
            "用待定系数法求解",
        ] {
            assert!(!PLACEHOLDER.is_match(clean), "{clean}");
        }
    }
}
