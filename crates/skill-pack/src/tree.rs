//! The files of one skill folder, read from a directory or a ZIP, with symlinks refused.
//!
//! Both sources become the same [`SkillTree`]: a sorted map from the path inside the skill folder
//! (forward slashes, no leading `./`) to the file's size, mode and bytes. Every later check and
//! the packer work on that map, so a directory and the ZIP built from it are judged alike.

use crate::finding::Report;
use crate::rules::Rule;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Where a file's bytes live.
#[derive(Clone, Debug)]
pub enum Bytes {
    Disk(PathBuf),
    Memory(Vec<u8>),
    /// A ZIP entry too large to inflate: its declared size alone breaks the upload limit.
    NotInflated,
}

/// Largest file read into memory: one larger breaks the upload limit on its own (Z5), so its
/// bytes can change no verdict (issue 20: a folder holding a 3 GB file took 3.2 GB).
pub const MAX_FILE_READ: u64 = crate::layout::MAX_BYTES;

/// One regular file of the skill.
#[derive(Clone, Debug)]
pub struct SkillFile {
    pub size: u64,
    pub executable: bool,
    pub bytes: Bytes,
}

impl SkillFile {
    /// The file's bytes; an error for a file over [`MAX_FILE_READ`], which is never read.
    pub fn read(&self) -> io::Result<Vec<u8>> {
        let too_large = |size: u64| {
            io::Error::other(format!(
                "{size} bytes, more than a whole upload may hold ({MAX_FILE_READ}); not read"
            ))
        };
        match &self.bytes {
            Bytes::Disk(path) => {
                use std::io::Read;
                let file = fs::File::open(path)?;
                let size = file.metadata()?.len();
                if size > MAX_FILE_READ {
                    return Err(too_large(size));
                }
                // The file may grow after it was measured: never read past the cap.
                let mut data = Vec::with_capacity(size as usize);
                file.take(MAX_FILE_READ + 1).read_to_end(&mut data)?;
                if data.len() as u64 > MAX_FILE_READ {
                    return Err(too_large(data.len() as u64));
                }
                Ok(data)
            }
            Bytes::Memory(data) => Ok(data.clone()),
            Bytes::NotInflated => Err(too_large(self.size)),
        }
    }
}

/// A skill folder's packable files.
#[derive(Clone, Debug, Default)]
pub struct SkillTree {
    /// The folder's own name (directory basename or the ZIP's top folder).
    pub folder: String,
    /// Prefix for finding paths: the validated argument as the user wrote it.
    pub display: String,
    /// Path inside the folder -> file.
    pub files: BTreeMap<String, SkillFile>,
    /// Every folder that holds a file, plus empty folders of a directory source.
    pub dirs: BTreeSet<String>,
}

impl SkillTree {
    /// The path to show in a finding about `rel` (the folder itself when `rel` is empty).
    pub fn shown(&self, rel: &str) -> String {
        if rel.is_empty() {
            self.display.clone()
        } else {
            format!("{}/{}", self.display.trim_end_matches('/'), rel)
        }
    }

    pub fn insert(&mut self, rel: String, file: SkillFile) {
        let mut parent = rel.as_str();
        while let Some(pos) = parent.rfind('/') {
            parent = &parent[..pos];
            self.dirs.insert(parent.to_string());
        }
        self.files.insert(rel, file);
    }

    pub fn is_file(&self, rel: &str) -> bool {
        self.files.contains_key(rel)
    }

    pub fn is_dir(&self, rel: &str) -> bool {
        rel.is_empty() || self.dirs.contains(rel.trim_end_matches('/'))
    }

    /// The file's text when it is valid UTF-8 (encoding problems are reported by SP-E1).
    pub fn text(&self, rel: &str) -> Option<String> {
        let data = self.files.get(rel)?.read().ok()?;
        String::from_utf8(data).ok()
    }

    pub fn total_size(&self) -> u64 {
        self.files.values().map(|f| f.size).sum()
    }
}

/// Joins `rel` onto the folder `base` lexically ('/'-separated, `.` and empty parts dropped,
/// `..` applied); `None` when `..` climbs above the root. Nothing touches the file system.
pub fn join_inside(base: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    for part in rel.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

/// Why a path (inside the skill folder) is junk that must never be packed, or `None`.
///
/// The list is `package_skill.py`'s exclusions plus macOS and Git leftovers (skill-format §1 Z6).
pub fn junk_reason(rel: &str) -> Option<&'static str> {
    let parts: Vec<&str> = rel.split('/').filter(|p| !p.is_empty()).collect();
    if parts.first() == Some(&"evals") {
        return Some("root evals/ folder");
    }
    for part in &parts {
        match *part {
            "__MACOSX" => return Some("__MACOSX/ folder"),
            "__pycache__" => return Some("__pycache__/ folder"),
            "node_modules" => return Some("node_modules/ folder"),
            ".DS_Store" => return Some(".DS_Store file"),
            _ => {}
        }
        if part.starts_with("._") {
            return Some("AppleDouble ._* file");
        }
        if part.starts_with(".git") {
            return Some(".git* file or folder");
        }
    }
    if parts.last().is_some_and(|name| name.ends_with(".pyc")) {
        return Some("*.pyc file");
    }
    None
}

/// Reads a skill directory. Symlinks and special files are reported (SP-P1) and skipped, never
/// followed; junk is skipped because `build` never packs it.
pub fn read_dir_tree(dir: &Path, display: &str, report: &mut Report) -> io::Result<SkillTree> {
    let canonical = fs::canonicalize(dir)?;
    if !canonical.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a directory",
        ));
    }
    let folder = canonical
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut tree = SkillTree {
        folder,
        display: display.to_string(),
        ..SkillTree::default()
    };
    walk(&canonical, "", &mut tree, report)?;
    Ok(tree)
}

fn walk(dir: &Path, prefix: &str, tree: &mut SkillTree, report: &mut Report) -> io::Result<()> {
    let mut entries: Vec<_> = fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        let rel = format!("{prefix}{name}");
        if junk_reason(&rel).is_some() {
            continue;
        }
        let meta = fs::symlink_metadata(entry.path())?;
        let kind = meta.file_type();
        if kind.is_symlink() {
            report.push(
                tree.shown(&rel),
                0,
                Rule::P1,
                "symbolic link refused (never followed or packed); copy the file in instead",
            );
        } else if kind.is_dir() {
            tree.dirs.insert(rel.clone());
            walk(&entry.path(), &format!("{rel}/"), tree, report)?;
        } else if kind.is_file() {
            tree.insert(
                rel,
                SkillFile {
                    size: meta.len(),
                    executable: is_executable(&meta),
                    bytes: Bytes::Disk(entry.path()),
                },
            );
        } else {
            report.push(
                tree.shown(&rel),
                0,
                Rule::P1,
                "not a regular file (device, socket or pipe) refused",
            );
        }
    }
    Ok(())
}

#[cfg(unix)]
fn is_executable(meta: &fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
fn is_executable(_meta: &fs::Metadata) -> bool {
    false
}
