//! `skill-pack validate`: one entry point for a skill folder, a skill ZIP, or a repository root
//! holding `.claude-plugin/marketplace.json`.

use crate::error::{Error, Result};
use crate::finding::Report;
use crate::frontmatter::check_skill_md;
use crate::layout::{check_dir_layout, read_zip_tree};
use crate::links::{check_documents, check_encodings};
use crate::marketplace::check_marketplace;
use crate::rules::Rule;
use crate::ship::{find_workspace_root, read_workspace};
use crate::tree::{SkillTree, read_dir_tree};
use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

/// Where a shipped helper may come from besides the skill's own `bin/`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HelperLookup {
    /// Only `bin/<helper>` counts: what a ZIP or an installed skill can offer.
    BinOnly,
    /// Also binaries of `ship = true` crates in the Cargo workspace around the folder: the
    /// source folder in the repository, whose `bin/` is filled by `build`.
    Workspace,
}

/// Validates `path`: a skill folder, a `.zip`/`.skill` file, or a repository root with a
/// marketplace. `display` is how paths are shown in findings.
pub fn validate_path(path: &Path, display: &str) -> Result<Report> {
    let meta = fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.is_file() {
        if path.extension().is_some_and(|e| e == "json") {
            return validate_marketplace(path, display);
        }
        let data = fs::read(path).map_err(|e| Error::io(path, e))?;
        return validate_zip_bytes(data, display).map_err(|e| match e {
            Error::Input { message, .. } => Error::input(path, message),
            other => other,
        });
    }
    let marketplace = path.join(".claude-plugin").join("marketplace.json");
    if !path.join("SKILL.md").exists() && marketplace.is_file() {
        return validate_marketplace(
            &marketplace,
            &join_display(display, ".claude-plugin/marketplace.json"),
        );
    }
    validate_dir(path, display, HelperLookup::Workspace)
}

/// Validates a skill directory.
pub fn validate_dir(dir: &Path, display: &str, lookup: HelperLookup) -> Result<Report> {
    let mut report = Report::new();
    let tree = read_dir_tree(dir, display, &mut report).map_err(|e| Error::io(dir, e))?;
    check_dir_layout(&tree, &mut report);
    let mut shipped = bin_helpers(&tree);
    if lookup == HelperLookup::Workspace
        && let Some(root) = find_workspace_root(dir)
    {
        shipped.extend(read_workspace(&root)?.shipped_names());
    }
    check_content(&tree, &shipped, &mut report);
    Ok(report)
}

/// Validates the bytes of a skill ZIP.
pub fn validate_zip_bytes(data: Vec<u8>, display: &str) -> Result<Report> {
    let mut report = Report::new();
    let tree = read_zip_tree(data, display, &mut report).map_err(|source| Error::Zip {
        path: display.into(),
        source,
    })?;
    if let Some(tree) = tree {
        let shipped = bin_helpers(&tree);
        check_content(&tree, &shipped, &mut report);
    }
    Ok(report)
}

/// Validates a marketplace file and every skill folder its plugins name.
pub fn validate_marketplace(file: &Path, display: &str) -> Result<Report> {
    let mut report = Report::new();
    let skills = check_marketplace(file, display, &mut report)?;
    for skill in skills {
        report.extend(validate_dir(
            &skill.path,
            &skill.display,
            HelperLookup::Workspace,
        )?);
    }
    Ok(report)
}

/// Helpers the tree itself ships: regular files directly in `bin/`.
pub fn bin_helpers(tree: &SkillTree) -> BTreeSet<String> {
    tree.files
        .keys()
        .filter_map(|p| p.strip_prefix("bin/"))
        .filter(|name| !name.contains('/'))
        .map(str::to_string)
        .collect()
}

/// The checks that read file contents, shared by folders and ZIPs.
pub fn check_content(tree: &SkillTree, shipped: &BTreeSet<String>, report: &mut Report) {
    check_encodings(tree, report);
    check_skill_md(tree, report);
    for call in check_documents(tree, report) {
        if !shipped.contains(&call.helper) {
            report.push(
                call.file,
                call.line,
                Rule::H1,
                format!(
                    "calls helper `{}` through scripts/run.py, but it is not shipped (no bin/{} and no workspace crate with ship = true builds it)",
                    call.helper, call.helper
                ),
            );
        }
    }
}

fn join_display(display: &str, rel: &str) -> String {
    if display.is_empty() || display == "." {
        rel.to_string()
    } else {
        format!("{}/{rel}", display.trim_end_matches('/'))
    }
}
