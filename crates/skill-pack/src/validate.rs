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
        let data = read_zip_file(path)?;
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

/// Largest ZIP file read: an upload holds less than 30 MB uncompressed, and a ZIP is never much
/// larger than what it holds, so a file eight times that is no skill (issue 20).
pub const MAX_ZIP_FILE: u64 = 8 * crate::layout::MAX_BYTES;

/// The bytes of a skill ZIP, refusing anything but a regular file of at most [`MAX_ZIP_FILE`].
pub fn read_zip_file(path: &Path) -> Result<Vec<u8>> {
    use std::io::Read;
    let meta = fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if !meta.is_file() {
        return Err(Error::input(path, "not a regular file"));
    }
    if meta.len() > MAX_ZIP_FILE {
        return Err(Error::input(
            path,
            format!(
                "{} bytes: far over the upload limit of {} bytes uncompressed; not read",
                meta.len(),
                crate::layout::MAX_BYTES
            ),
        ));
    }
    let mut data = Vec::with_capacity(meta.len() as usize);
    fs::File::open(path)
        .and_then(|f| f.take(MAX_ZIP_FILE + 1).read_to_end(&mut data))
        .map_err(|e| Error::io(path, e))?;
    Ok(data)
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

/// The line a multi-call binary carries to say which helpers it holds (paper-tools'
/// `MANIFEST`): `paper-tools-helpers: a b c` + LF.
pub const MULTICALL_MARKER: &[u8] = b"paper-tools-helpers: ";

/// Helpers the tree itself ships: regular files directly in `bin/`, plus the helpers a
/// multi-call binary there names in its embedded manifest line.
pub fn bin_helpers(tree: &SkillTree) -> BTreeSet<String> {
    let mut helpers = BTreeSet::new();
    for (path, file) in &tree.files {
        let Some(name) = path.strip_prefix("bin/").filter(|n| !n.contains('/')) else {
            continue;
        };
        helpers.insert(name.to_string());
        if let Ok(data) = file.read() {
            helpers.extend(multicall_helpers(&data));
        }
    }
    helpers
}

/// The helper names in a binary's manifest line, or none when it has no such line.
pub fn multicall_helpers(data: &[u8]) -> Vec<String> {
    let Some(start) = data
        .windows(MULTICALL_MARKER.len())
        .position(|w| w == MULTICALL_MARKER)
    else {
        return Vec::new();
    };
    let rest = &data[start + MULTICALL_MARKER.len()..];
    let line = &rest[..rest.iter().position(|&b| b == b'\n').unwrap_or(0)];
    let text = String::from_utf8_lossy(line);
    let names: Vec<String> = text.split(' ').map(str::to_string).collect();
    // Only a well-formed line counts; anything else is not a manifest.
    let valid = names.iter().all(|n| {
        !n.is_empty()
            && n.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
    });
    if valid { names } else { Vec::new() }
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
                    "calls helper `{}` through scripts/run.py, but it is not shipped (no bin/{}, no multi-call binary in bin/ holds it, and no workspace crate with ship = true builds it)",
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_line_inside_binary_bytes_names_the_helpers() {
        let mut data = vec![0x7f, b'E', b'L', b'F', 0, 1, 2];
        data.extend_from_slice(b"paper-tools-helpers: mermaid-gen pdf-figures\n\0more");
        assert_eq!(multicall_helpers(&data), ["mermaid-gen", "pdf-figures"]);
    }

    #[test]
    fn no_or_malformed_manifest_line_names_nothing() {
        assert!(multicall_helpers(b"\x7fELF plain binary").is_empty());
        // No line end, an empty name, a character no helper name has: not a manifest.
        assert!(multicall_helpers(b"paper-tools-helpers: a b").is_empty());
        assert!(multicall_helpers(b"paper-tools-helpers: a  b\n").is_empty());
        assert!(multicall_helpers(b"paper-tools-helpers: a/../b\n").is_empty());
    }
}
