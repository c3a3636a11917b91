//! Checklist items of the "docs" group: every module document in `docs/modules/` has the six
//! parts in order, each with content (`docs.six_parts`), a Mermaid data-flow diagram
//! (`docs.dataflow`) and a Python usage example that parses (`docs.usage`, ruff's parser via
//! `pymodel`); every class file under `modules/` has its document (`docs.coverage`: one that
//! names `modules/x.py`, or `docs/modules/x.md`). A part, diagram or example that still holds the scaffold's `TODO(paper)` is a
//! placeholder and fails its item.

use super::substance::{self, is_placeholder};
use super::{VerifyOptions, at, files_in, read_text};
use crate::markdown::{Block, Doc, Kind, Section, title_matches};
use crate::report::Item;
use std::path::Path;

/// The module documents' folder, relative to the checked folder.
pub const DIR: &str = "docs/modules";

/// The six parts (references/doc-template.md): name in messages and heading keywords, Chinese
/// as the template writes them, English accepted.
pub const PARTS: [(&str, &[&str]); 6] = [
    ("1. 概述 (overview)", &["概述", "overview"]),
    ("2. 数学原理 (math)", &["数学", "math"]),
    (
        "3. 数据流图 (data flow)",
        &["数据流", "data flow", "data-flow", "dataflow"],
    ),
    (
        "4. 代码实现 (implementation)",
        &["实现", "implementation", "code"],
    ),
    ("5. 使用示例 (usage)", &["示例", "usage", "example"]),
    ("6. 注意事项 (caveats)", &["注意事项", "caveat", "pitfall"]),
];

const SIX: &str = "docs.six_parts";
const FLOW: &str = "docs.dataflow";
const USAGE: &str = "docs.usage";
const COVER: &str = "docs.coverage";

/// Checks the tree at `root`.
pub fn check(root: &Path, _opts: &VerifyOptions) -> Vec<Item> {
    let files = files_in(root, DIR, ".md");
    if files.is_empty() {
        let loc = Some(format!("{DIR}/"));
        return [SIX, FLOW, USAGE]
            .iter()
            .map(|id| Item::fail(id, "no module document (docs/modules/*.md)", loc.clone()))
            .collect();
    }
    let (mut six, mut flow, mut usage) = (Vec::new(), Vec::new(), Vec::new());
    let mut texts = Vec::new();
    for rel in &files {
        let text = match read_text(root, rel) {
            Ok(Some(t)) => t,
            Ok(None) => continue,
            Err(cause) => {
                six.push(Item::fail(SIX, cause, Some(rel.clone())));
                continue;
            }
        };
        texts.push((rel.clone(), text.clone()));
        let doc = Doc::parse(&text);
        let lines: Vec<&str> = text.lines().collect();
        let sections = doc.sections();
        let parts = assign_parts(&sections);
        six.extend(six_parts(rel, &lines, &parts));
        flow.extend(dataflow(rel, &doc, parts[2]));
        usage.extend(usage_example(rel, &doc, parts[4]));
    }
    let n = files.len();
    if six.is_empty() {
        six.push(Item::pass(
            SIX,
            format!("{n} module document(s), each with the six parts"),
        ));
    }
    if flow.is_empty() {
        flow.push(Item::pass(
            FLOW,
            format!("{n} module document(s), each with a Mermaid data-flow diagram"),
        ));
    }
    if usage.is_empty() {
        usage.push(Item::pass(
            USAGE,
            format!("{n} module document(s), each with a usage example that parses"),
        ));
    }
    let cover = coverage(root, &texts);
    six.into_iter()
        .chain(flow)
        .chain(usage)
        .chain(cover)
        .collect()
}

/// Every file of `modules/` that defines a class has a document: one that names its path, or
/// one named after it (SKILL.md: one document per module, also for modules added after `init`).
fn coverage(root: &Path, docs: &[(String, String)]) -> Vec<Item> {
    let mut py = Vec::new();
    super::code::python_files(root, "modules", &mut py);
    let mut items = Vec::new();
    let mut covered = 0;
    for rel in py.iter().filter(|r| !r.ends_with("/__init__.py")) {
        let Ok(Some(source)) = read_text(root, rel) else {
            continue;
        };
        if !source.lines().any(|l| l.starts_with("class ")) {
            continue;
        }
        let stem = Path::new(rel)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let named = docs
            .iter()
            .any(|(doc, text)| text.contains(rel.as_str()) || *doc == format!("{DIR}/{stem}.md"));
        if named {
            covered += 1;
        } else {
            items.push(Item::fail(
                COVER,
                format!(
                    "no module document for {rel}: write {DIR}/{stem}.md with the six parts (references/doc-template.md), naming `{rel}`"
                ),
                Some(rel.clone()),
            ));
        }
    }
    if items.is_empty() {
        items.push(Item::pass(
            COVER,
            format!("each of the {covered} class file(s) under modules/ has its module document"),
        ));
    }
    items
}

/// For each part, the first heading (level 2 or deeper, not taken by an earlier part) that
/// names it.
fn assign_parts<'a>(sections: &[Section<'a>]) -> [Option<Section<'a>>; 6] {
    let mut taken = vec![false; sections.len()];
    let mut out = [None; 6];
    for (k, (_, keywords)) in PARTS.iter().enumerate() {
        if let Some(i) = (0..sections.len()).find(|&i| {
            !taken[i] && sections[i].level >= 2 && title_matches(sections[i].title, keywords)
        }) {
            taken[i] = true;
            out[k] = Some(sections[i]);
        }
    }
    out
}

fn six_parts(rel: &str, lines: &[&str], parts: &[Option<Section<'_>>; 6]) -> Vec<Item> {
    let mut items = Vec::new();
    let missing: Vec<&str> = PARTS
        .iter()
        .zip(parts)
        .filter(|(_, s)| s.is_none())
        .map(|((name, _), _)| *name)
        .collect();
    if !missing.is_empty() {
        items.push(Item::fail(
            SIX,
            format!("missing part(s): {}", missing.join(", ")),
            Some(rel.to_string()),
        ));
    }
    let mut last_line = 0;
    for ((name, _), s) in PARTS.iter().zip(parts) {
        let Some(s) = s else { continue };
        if s.line < last_line {
            items.push(Item::fail(
                SIX,
                format!("part {name} is out of order (the six parts go 1 to 6)"),
                at(rel, s.line),
            ));
        }
        last_line = last_line.max(s.line);
        if !s.has_content() {
            items.push(Item::fail(
                SIX,
                format!("part {name} is empty"),
                at(rel, s.line),
            ));
        } else if !substance::has_substance(lines, s) {
            items.push(Item::fail(
                SIX,
                format!("part {name} still holds only the scaffold's `TODO(paper)` placeholder"),
                at(rel, s.line),
            ));
        }
    }
    items
}

/// The blocks of the part's section, or of the whole document when the part is missing (that
/// is reported once, by `docs.six_parts`).
fn blocks_of<'a>(doc: &'a Doc, part: Option<Section<'a>>) -> (&'a [Block], Option<usize>) {
    match part {
        Some(s) => (s.body, Some(s.line)),
        None => (&doc.blocks, None),
    }
}

fn dataflow(rel: &str, doc: &Doc, part: Option<Section<'_>>) -> Vec<Item> {
    let (blocks, line) = blocks_of(doc, part);
    let diagrams: Vec<&Block> = blocks
        .iter()
        .filter(|b| matches!(&b.kind, Kind::Fence { info, .. } if info == "mermaid"))
        .collect();
    let template = |b: &Block| matches!(&b.kind, Kind::Fence { code, .. } if is_placeholder(code));
    if let Some(b) = diagrams.first()
        && diagrams.iter().all(|b| template(b))
    {
        return vec![Item::fail(
            FLOW,
            "the data-flow diagram is still the scaffold's (`TODO(paper)` in its labels): draw the module's layers with their shapes",
            at(rel, b.line),
        )];
    }
    if !diagrams.is_empty() {
        return Vec::new();
    }
    let loc = line.map_or(Some(rel.to_string()), |l| at(rel, l));
    vec![Item::fail(
        FLOW,
        "no ```mermaid data-flow diagram in part 3. 数据流图 (data flow)",
        loc,
    )]
}

fn usage_example(rel: &str, doc: &Doc, part: Option<Section<'_>>) -> Vec<Item> {
    let (blocks, line) = blocks_of(doc, part);
    let mut items = Vec::new();
    let mut examples = 0;
    for b in blocks {
        let Kind::Fence { info, code } = &b.kind else {
            continue;
        };
        if !matches!(
            info.as_str(),
            "python" | "py" | "python3" | "pycon" | "ipython"
        ) {
            continue;
        }
        examples += 1;
        if is_placeholder(code) {
            items.push(Item::fail(
                USAGE,
                "usage example is still the scaffold's (`TODO(paper)` in it): constructor arguments, a real input and the shape a real run printed",
                at(rel, b.line),
            ));
            continue;
        }
        let (source, lines) = without_prompts(code);
        match pymodel::ModelFile::parse(source) {
            Ok(_) => {}
            Err(pymodel::ParseError::Syntax(e)) => {
                let code_line = lines
                    .get(e.line.saturating_sub(1) as usize)
                    .copied()
                    .unwrap_or(1);
                items.push(Item::fail(
                    USAGE,
                    format!("usage example does not parse: {}", e.message),
                    at(rel, b.line + code_line),
                ));
            }
            Err(e @ pymodel::ParseError::Nesting(_)) => {
                items.push(Item::fail(
                    USAGE,
                    format!("usage example is not read: {e}"),
                    at(rel, b.line),
                ));
            }
        }
    }
    if examples == 0 {
        let loc = line.map_or(Some(rel.to_string()), |l| at(rel, l));
        items.push(Item::fail(
            USAGE,
            "no ```python usage example in part 5. 使用示例 (usage)",
            loc,
        ));
    }
    items
}

/// Code of a doctest-style block (`>>> ` / `... ` prompts) without prompts and output lines,
/// with the 1-based line in the block of each kept line; other code as it is.
fn without_prompts(code: &str) -> (String, Vec<usize>) {
    let all: Vec<&str> = code.lines().collect();
    if !all.iter().any(|l| l.trim_start().starts_with(">>>")) {
        return (code.to_string(), (1..=all.len()).collect());
    }
    let mut out = Vec::new();
    let mut lines = Vec::new();
    for (i, l) in all.iter().enumerate() {
        let t = l.trim_start();
        let kept = [">>> ", "... "]
            .iter()
            .find_map(|p| t.strip_prefix(p))
            .or_else(|| (t == ">>>" || t == "...").then_some(""));
        if let Some(k) = kept {
            out.push(k);
            lines.push(i + 1);
        }
    }
    (out.join("\n"), lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompts_are_stripped() {
        let (src, lines) =
            without_prompts(">>> x = 1\n>>> for i in range(2):\n...     print(i)\n0\n1\n");
        assert_eq!(src, "x = 1\nfor i in range(2):\n    print(i)");
        assert_eq!(lines, vec![1, 2, 3]);
    }

    #[test]
    fn parts_are_assigned_once() {
        let doc = Doc::parse(
            "# T\n## 1. Overview\na\n## 2. Math\nb\n## 3. Data flow\nc\n## 4. Implementation\nd\n## 5. Code example\ne\n## 6. Caveats\nf\n",
        );
        let sections = doc.sections();
        let parts = assign_parts(&sections);
        let titles: Vec<&str> = parts.iter().map(|p| p.unwrap().title).collect();
        assert_eq!(
            titles,
            vec![
                "1. Overview",
                "2. Math",
                "3. Data flow",
                "4. Implementation",
                "5. Code example",
                "6. Caveats"
            ]
        );
    }
}
