//! Writing `init`'s tree so that it never writes outside `--out` and a failure leaves nothing.
//!
//! Every target is checked before anything is written: each folder on its way must be a real
//! folder inside `--out` (a symbolic link is followed only when it resolves inside `--out`), and
//! an existing file, or a symbolic link even when it points nowhere, is replaced only with
//! `--force`. The files are then written into a temporary sibling folder of `--out`; a new
//! `--out` is that folder renamed, and into an existing one the files are renamed one by one,
//! the new ones taken back if a rename fails.

use crate::Error;
use std::path::{Component, Path, PathBuf};

/// Python's reserved words (3.8 to 3.13; the soft keywords `match`, `case`, `type`, `_` are
/// valid names). A class or module named after one of these does not parse.
pub const PYTHON_KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// Longest module or model name: the file `docs/modules/<name>.md` must fit the 255-byte file
/// name limit of common file systems, with room to spare.
pub const MAX_NAME_LEN: usize = 100;

/// Writes `files` (paths relative to `out`, text) as described in the module documentation.
pub fn write_tree(out: &Path, files: &[(String, String)], force: bool) -> Result<(), Error> {
    let root = check_out(out)?;
    for (rel, _) in files {
        check_target(out, root.as_deref(), rel, force)?;
    }
    let stage = stage_dir(out, root.as_deref())?;
    if let Err(e) = write_stage(&stage, files) {
        let _ = std::fs::remove_dir_all(&stage);
        return Err(e);
    }
    if root.is_none() {
        if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent.display(), e))?;
        }
        return std::fs::rename(&stage, out).map_err(|e| {
            let _ = std::fs::remove_dir_all(&stage);
            Error::io(out.display(), e)
        });
    }
    let result = move_into(&stage, out, files);
    let _ = std::fs::remove_dir_all(&stage);
    result
}

/// `None` when `out` does not exist; its real path when it is a folder.
fn check_out(out: &Path) -> Result<Option<PathBuf>, Error> {
    match std::fs::symlink_metadata(out) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(out.display(), e)),
        Ok(_) => {
            if !out.is_dir() {
                return Err(Error::input(out.display(), "exists and is not a folder"));
            }
            std::fs::canonicalize(out)
                .map(Some)
                .map_err(|e| Error::io(out.display(), e))
        }
    }
}

fn check_target(out: &Path, root: Option<&Path>, rel: &str, force: bool) -> Result<(), Error> {
    let rel_path = Path::new(rel);
    if !rel_path
        .components()
        .all(|c| matches!(c, Component::Normal(_)))
    {
        return Err(Error::input(rel, "not a plain relative path"));
    }
    let Some(root) = root else {
        return Ok(()); // a new --out: everything in it is new
    };
    let mut cur = out.to_path_buf();
    let parts: Vec<_> = rel_path.components().collect();
    for (i, part) in parts.iter().enumerate() {
        cur.push(part);
        let last = i + 1 == parts.len();
        let meta = match std::fs::symlink_metadata(&cur) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(Error::io(cur.display(), e)),
            Ok(m) => m,
        };
        let kind = meta.file_type();
        if last {
            if kind.is_dir() {
                return Err(Error::input(cur.display(), "exists and is a folder"));
            }
            // A file, a symbolic link (even one pointing nowhere) or anything else is the
            // user's until --force says otherwise; with it, the entry itself is replaced (a
            // link is not followed).
            if !force {
                return Err(Error::Exists(cur.display().to_string()));
            }
            return Ok(());
        }
        if kind.is_symlink() {
            let real = std::fs::canonicalize(&cur).map_err(|_| {
                Error::input(
                    cur.display(),
                    "is a symbolic link that points nowhere; nothing written",
                )
            })?;
            if !real.starts_with(root) {
                return Err(Error::input(
                    cur.display(),
                    format!(
                        "is a symbolic link to {}, outside --out; init writes only inside --out, nothing written",
                        real.display()
                    ),
                ));
            }
            if !real.is_dir() {
                return Err(Error::input(cur.display(), "exists and is not a folder"));
            }
        } else if !kind.is_dir() {
            return Err(Error::input(cur.display(), "exists and is not a folder"));
        }
    }
    Ok(())
}

/// A fresh temporary folder beside `out`.
fn stage_dir(out: &Path, root: Option<&Path>) -> Result<PathBuf, Error> {
    let (parent, name) = match root {
        Some(real) => (real.parent(), real.file_name()),
        None => (out.parent(), out.file_name()),
    };
    let name = name.ok_or_else(|| Error::input(out.display(), "not a folder name"))?;
    let parent = match parent {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(|e| Error::io(parent.display(), e))?;
    let stage = parent.join(format!(
        ".{}.repro-check-{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    std::fs::create_dir(&stage).map_err(|e| {
        Error::io(
            stage.display(),
            format!("cannot create the temporary folder: {e}"),
        )
    })?;
    Ok(stage)
}

fn write_stage(stage: &Path, files: &[(String, String)]) -> Result<(), Error> {
    for (rel, text) in files {
        let path = stage.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir.display(), e))?;
        }
        std::fs::write(&path, text).map_err(|e| Error::io(path.display(), e))?;
    }
    Ok(())
}

/// Renames each staged file into `out`; on failure takes back the files and folders it added.
fn move_into(stage: &Path, out: &Path, files: &[(String, String)]) -> Result<(), Error> {
    let mut added_files: Vec<PathBuf> = Vec::new();
    let mut added_dirs: Vec<PathBuf> = Vec::new();
    let result = (|| {
        for (rel, _) in files {
            let dest = out.join(rel);
            if let Some(dir) = dest.parent() {
                let mut missing = Vec::new();
                let mut d = Some(dir);
                while let Some(p) = d {
                    if std::fs::symlink_metadata(p).is_ok() {
                        break;
                    }
                    missing.push(p.to_path_buf());
                    d = p.parent();
                }
                std::fs::create_dir_all(dir).map_err(|e| Error::io(dir.display(), e))?;
                added_dirs.extend(missing.into_iter().rev());
            }
            let existed = std::fs::symlink_metadata(&dest).is_ok();
            std::fs::rename(stage.join(rel), &dest).map_err(|e| Error::io(dest.display(), e))?;
            if !existed {
                added_files.push(dest);
            }
        }
        Ok(())
    })();
    if result.is_err() {
        for f in added_files.iter().rev() {
            let _ = std::fs::remove_file(f);
        }
        for d in added_dirs.iter().rev() {
            let _ = std::fs::remove_dir(d);
        }
    }
    result
}
