//! Checklist items of the "structure" group: every prescribed file and folder of SKILL.md's
//! output tree is present and not empty.

use super::{VerifyOptions, files_in};
use crate::report::Item;
use std::path::Path;

/// Files the tree must hold (SKILL.md, Phase 4; `verify.toml` is what `verify --run` runs).
pub const FILES: &[&str] = &[
    "README.md",
    "config.py",
    "docs/architecture.md",
    "docs/audit.md",
    "model.py",
    "modules/__init__.py",
    "requirements.txt",
    "verify.toml",
];

/// Folders that must hold at least one non-empty file with the extension, besides the files
/// already listed above.
pub const FOLDERS: &[(&str, &str, &str)] = &[
    ("docs/diagrams", ".md", "a Mermaid diagram document"),
    ("docs/math", ".md", "a formula or derivation document"),
    ("docs/modules", ".md", "a six-part module document"),
    ("modules", ".py", "a module file besides __init__.py"),
];

/// Checks the tree at `root`.
pub fn check(root: &Path, _opts: &VerifyOptions) -> Vec<Item> {
    let mut items = Vec::new();
    for rel in FILES {
        match state(&root.join(rel)) {
            State::Ok => {}
            State::Missing => items.push(Item::fail(
                "structure.files",
                "prescribed file is missing",
                Some(rel.to_string()),
            )),
            State::Empty => items.push(Item::fail(
                "structure.files",
                "prescribed file is empty",
                Some(rel.to_string()),
            )),
        }
    }
    if items.is_empty() {
        items.push(Item::pass(
            "structure.files",
            format!("all {} prescribed files present and not empty", FILES.len()),
        ));
    }
    let mut folder_items = Vec::new();
    for (dir, ext, what) in FOLDERS {
        let found = files_in(root, dir, ext)
            .iter()
            .filter(|f| !FILES.contains(&f.as_str()))
            .any(|f| state(&root.join(f)) == State::Ok);
        if !found {
            folder_items.push(Item::fail(
                "structure.folders",
                format!("no non-empty {what} ({dir}/*{ext})"),
                Some(format!("{dir}/")),
            ));
        }
    }
    if folder_items.is_empty() {
        folder_items.push(Item::pass(
            "structure.folders",
            format!("all {} prescribed folders hold their files", FOLDERS.len()),
        ));
    }
    items.extend(folder_items);
    items
}

#[derive(PartialEq, Eq)]
enum State {
    Ok,
    Missing,
    Empty,
}

/// A file holding only whitespace counts as empty.
fn state(path: &Path) -> State {
    if !path.is_file() {
        return State::Missing;
    }
    match std::fs::read(path) {
        Ok(bytes) if bytes.iter().all(u8::is_ascii_whitespace) => State::Empty,
        Ok(_) => State::Ok,
        Err(_) => State::Missing,
    }
}
