//! ZIP layout rules Z1-Z6 (and P1/P2 for entries): reading an uploaded ZIP into a [`SkillTree`],
//! and the same count, size and placement limits applied to a directory before it is packed.

use crate::finding::Report;
use crate::rules::Rule;
use crate::tree::{Bytes, SkillFile, SkillTree, junk_reason};
use std::collections::BTreeSet;
use std::io::{Cursor, Read};

/// Uploaders refuse more files than this (skill-format §1 Z4).
pub const MAX_FILES: usize = 200;
/// The uncompressed total must stay below this many bytes (decimal MB, §1 Z5).
pub const MAX_BYTES: u64 = 30_000_000;

/// Longest entry name read, in bytes; this skill's longest is under 60 (issue 20: a name of
/// 30 k parts took 886 MB).
pub const MAX_NAME_BYTES: usize = 1024;
/// Most parts (folders and the file) in an entry name; this skill's deepest has 3.
pub const MAX_NAME_PARTS: usize = 32;

/// Why a ZIP could not be read at all (exit 2, not a finding).
#[derive(Debug, thiserror::Error)]
pub enum ZipReadError {
    #[error("not a readable ZIP archive: {0}")]
    Archive(#[from] zip::result::ZipError),
    #[error("cannot read entry {0}: {1}")]
    Entry(String, std::io::Error),
    #[error(
        "entry {0}: name of {1} bytes in {2} parts; no skill needs more than {MAX_NAME_BYTES} bytes or {MAX_NAME_PARTS} parts"
    )]
    Name(String, usize, usize),
    #[error(
        "entry {0} inflates to more than the {1} bytes it declares, a ZIP bomb? (not read further)"
    )]
    Bomb(String, u64),
}

/// An entry name for a one-line message: control characters escaped (a name may hold a line
/// break), a long one cut after 60 characters.
fn short(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if i == 60 {
            out.push_str("...");
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// Checks the rules that a folder shares with the ZIP it will become (Z2 nested SKILL.md, Z3,
/// Z4, Z5); Z1 and Z6 cannot fail for a directory because `build` writes one root and no junk.
pub fn check_dir_layout(tree: &SkillTree, report: &mut Report) {
    for rel in &tree.dirs {
        if rel.rsplit('/').next() == Some(".claude-plugin") {
            report.push(
                tree.shown(rel),
                0,
                Rule::Z3,
                "a skill cannot contain a plugin manifest folder (.claude-plugin/); keep it at the repository root",
            );
        }
    }
    for rel in tree.files.keys() {
        let base = rel.rsplit('/').next().unwrap_or(rel);
        if base.eq_ignore_ascii_case("skill.md") && rel != "SKILL.md" {
            report.push(
                tree.shown(rel),
                0,
                Rule::Z2,
                format!("a second skill.md at {rel}: the ZIP must hold exactly one SKILL.md, directly in the top folder"),
            );
        }
    }
    check_limits(tree.shown(""), tree.files.len(), tree.total_size(), report);
}

fn check_limits(shown: String, files: usize, bytes: u64, report: &mut Report) {
    if files > MAX_FILES {
        report.push(
            shown.clone(),
            0,
            Rule::Z4,
            format!("{files} files; uploads allow at most {MAX_FILES}"),
        );
    }
    if bytes >= MAX_BYTES {
        report.push(
            shown,
            0,
            Rule::Z5,
            format!("{bytes} bytes uncompressed; uploads need less than {MAX_BYTES}"),
        );
    }
}

struct EntryInfo {
    index: usize,
    name: String,
    size: u64,
    executable: bool,
}

/// Reads a ZIP, reporting Z1-Z6, P1 and P2, and returns the skill folder inside it when there
/// is one to check further (the top folder holding SKILL.md, or the only top folder).
pub fn read_zip_tree(
    data: Vec<u8>,
    display: &str,
    report: &mut Report,
) -> Result<Option<SkillTree>, ZipReadError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(data))?;
    let shown = |name: &str| format!("{display}/{name}");
    let mut tops: BTreeSet<String> = BTreeSet::new();
    let mut skill_mds: Vec<String> = Vec::new();
    let mut entries: Vec<EntryInfo> = Vec::new();
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        let entry = archive.by_index_raw(index)?;
        let raw_name = entry
            .name()
            .map(|n| n.into_owned())
            .unwrap_or_else(|_| String::from_utf8_lossy(entry.name_raw()).into_owned());
        let is_dir = entry.is_dir();
        let is_symlink = entry.is_symlink();
        let size = entry.size();
        let executable = entry.unix_mode().is_some_and(|m| m & 0o111 != 0);
        drop(entry);
        let parts = raw_name.split(['/', '\\']).count();
        if raw_name.len() > MAX_NAME_BYTES || parts > MAX_NAME_PARTS {
            return Err(ZipReadError::Name(short(&raw_name), raw_name.len(), parts));
        }
        if raw_name.contains('\\') {
            report.push(
                shown(&raw_name),
                0,
                Rule::W5,
                "backslash in an entry name; ZIP paths use forward slashes",
            );
        }
        let name = raw_name.replace('\\', "/");
        if name.starts_with('/')
            || name.split('/').any(|p| p == "..")
            || name.as_bytes().get(1) == Some(&b':')
        {
            report.push(
                shown(&name),
                0,
                Rule::P2,
                "entry path is absolute or climbs out with `..`; refused",
            );
            continue;
        }
        let trimmed = name.trim_end_matches('/');
        let top = trimmed.split('/').next().unwrap_or_default().to_string();
        if is_dir {
            if !top.is_empty() && junk_reason(trimmed).is_none() {
                tops.insert(top);
            }
            continue;
        }
        if is_symlink {
            report.push(
                shown(&name),
                0,
                Rule::P1,
                "symbolic link entry refused (never extracted or followed)",
            );
            continue;
        }
        total = total.saturating_add(size);
        // Junk is judged on the whole name (`__MACOSX/` sits beside the folder) and on the path
        // inside the top folder (`evals/` is junk only at the skill root).
        let junk = junk_reason(&name)
            .or_else(|| name.split_once('/').and_then(|(_, rest)| junk_reason(rest)));
        if let Some(why) = junk {
            report.push(
                shown(&name),
                0,
                Rule::Z6,
                format!("junk entry ({why}); rebuild the ZIP without it"),
            );
        } else if !name.contains('/') {
            report.push(
                shown(&name),
                0,
                Rule::Z1,
                "all files must be inside the top-level folder",
            );
        } else {
            tops.insert(top);
        }
        if name.split('/').any(|p| p == ".claude-plugin") {
            report.push(
                shown(&name),
                0,
                Rule::Z3,
                "a skill cannot contain a plugin manifest (.claude-plugin/); upload the skill folder only",
            );
        }
        if name
            .rsplit('/')
            .next()
            .is_some_and(|b| b.eq_ignore_ascii_case("skill.md"))
        {
            skill_mds.push(name.clone());
        }
        entries.push(EntryInfo {
            index,
            name,
            size,
            executable,
        });
    }
    if tops.len() != 1 {
        report.push(
            display,
            0,
            Rule::Z1,
            format!(
                "the ZIP must contain exactly one top-level folder; it has {} ({})",
                tops.len(),
                tops.iter().cloned().collect::<Vec<_>>().join(", ")
            ),
        );
    }
    let direct: Vec<&String> = skill_mds
        .iter()
        .filter(|n| n.matches('/').count() == 1 && n.ends_with("/SKILL.md"))
        .collect();
    if skill_mds.len() != 1 {
        report.push(
            display,
            0,
            Rule::Z2,
            format!(
                "the ZIP must contain exactly one SKILL.md; it has {} ({})",
                skill_mds.len(),
                skill_mds.join(", ")
            ),
        );
    } else if direct.is_empty() {
        report.push(
            shown(&skill_mds[0]),
            0,
            Rule::Z2,
            format!(
                "SKILL.md must be directly in the top-level folder, not at {}",
                skill_mds[0]
            ),
        );
    }
    check_limits(display.to_string(), entries.len(), total, report);

    let folder = match (direct.first(), tops.len()) {
        (Some(path), _) => path.split('/').next().unwrap_or_default().to_string(),
        (None, 1) => tops.first().cloned().unwrap_or_default(),
        _ => return Ok(None),
    };
    let mut tree = SkillTree {
        folder: folder.clone(),
        display: format!("{display}/{folder}"),
        ..SkillTree::default()
    };
    let prefix = format!("{folder}/");
    for info in entries {
        let Some(rel) = info.name.strip_prefix(&prefix) else {
            continue;
        };
        // An archive far over the limit (Z5 already failed) is not inflated whole: only its
        // Markdown is read, so the content checks still run without unbounded memory.
        let oversized = total >= MAX_BYTES * 4 && !rel.ends_with(".md");
        if junk_reason(rel).is_some() || oversized {
            continue;
        }
        // An entry that alone breaks the upload limit (Z5 already failed) is listed with its
        // size but never inflated.
        if info.size > crate::tree::MAX_FILE_READ {
            tree.insert(
                rel.to_string(),
                SkillFile {
                    size: info.size,
                    executable: info.executable,
                    bytes: Bytes::NotInflated,
                },
            );
            continue;
        }
        let mut file = archive.by_index(info.index)?;
        let mut bytes = Vec::with_capacity(info.size as usize);
        // The declared size may lie (zip bombs): never read more than it promises.
        file.by_ref()
            .take(info.size + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| ZipReadError::Entry(short(&info.name), e))?;
        if bytes.len() as u64 > info.size {
            return Err(ZipReadError::Bomb(short(&info.name), info.size));
        }
        tree.insert(
            rel.to_string(),
            SkillFile {
                size: bytes.len() as u64,
                executable: info.executable,
                bytes: Bytes::Memory(bytes),
            },
        );
    }
    Ok(Some(tree))
}
