//! What `verify` may read, and where `init` may write: only regular files inside the tree.
//!
//! A FIFO in place of `docs/audit.md` blocks a reader forever, a device streams without end, and
//! a `verify.toml` target such as `../elsewhere.py` or `/tmp/x.py` would be handed to Python.
//! Both are refused up front with one line, before anything is read or run.

use std::path::{Component, Path, PathBuf};

/// Folders `verify` does not descend into (caches and version control, as the checks skip them).
const SKIPPED_DIRS: &[&str] = &[".git", "__pycache__", "node_modules", ".venv"];

/// Extensions of the files `verify` reads as text (Markdown, Python, TOML, requirements,
/// traces and specs). Other files (checkpoints, images) are never opened, so their size is free.
const READ_EXTENSIONS: &[&str] = &["md", "py", "toml", "txt", "json", "yaml", "yml", "mmd"];

/// The first file under `root` that `verify` would read as text and that is larger than
/// `max` bytes, with its size: checked by stat before anything is read, so a 3 GB `model.py`
/// or `audit.md` is refused by its size instead of being loaded.
pub fn oversized_file(root: &Path, max: u64) -> Option<(PathBuf, u64)> {
    let mut stack = vec![root.to_path_buf()];
    let mut seen = 0usize;
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            seen += 1;
            if seen > 200_000 {
                return None;
            }
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                let name = entry.file_name();
                if !SKIPPED_DIRS.iter().any(|s| name == *s) {
                    stack.push(path);
                }
                continue;
            }
            let read = path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| READ_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()));
            if !read {
                continue;
            }
            // Follows links: a link to a huge file is read as that file.
            if let Ok(meta) = std::fs::metadata(&path)
                && meta.is_file()
                && meta.len() > max
            {
                return Some((path, meta.len()));
            }
        }
    }
    None
}

/// The first entry under `root` that is neither a regular file, a folder, nor a symbolic link
/// to one of those (a FIFO, socket or device, or a link to one), with what it is.
pub fn special_file(root: &Path) -> Option<(PathBuf, &'static str)> {
    let mut stack = vec![root.to_path_buf()];
    let mut seen = 0usize;
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            seen += 1;
            if seen > 200_000 {
                return None;
            }
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                let name = entry.file_name();
                if !SKIPPED_DIRS.iter().any(|s| name == *s) {
                    stack.push(path);
                }
                continue;
            }
            if kind.is_file() {
                continue;
            }
            // A symbolic link: what it points to (stat does not open, so a FIFO cannot block).
            let target = if kind.is_symlink() {
                match std::fs::metadata(&path) {
                    Ok(m) => m.file_type(),
                    Err(_) => continue, // dangling: reads as missing
                }
            } else {
                kind
            };
            if target.is_file() || target.is_dir() {
                continue;
            }
            return Some((path, describe(target)));
        }
    }
    None
}

fn describe(kind: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_block_device() || kind.is_char_device() {
        "a device"
    } else {
        "not a regular file"
    }
}

/// Reads `path` as text only if it is a regular file (after links) of at most `max` bytes.
pub fn read_regular(path: &Path, max: u64) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err(format!(
            "{} is {}",
            path.display(),
            describe(meta.file_type())
        ));
    }
    if meta.len() > max {
        return Err(format!(
            "{} is {} bytes, more than the {max} allowed",
            path.display(),
            meta.len()
        ));
    }
    std::fs::read_to_string(path).map_err(|e| e.to_string())
}

/// `rel` as a path inside `root`: relative, without `..`, and (where it exists) not resolving
/// through a symbolic link to outside `root`.
pub fn inside(root: &Path, rel: &str) -> Result<PathBuf, String> {
    let p = Path::new(rel);
    if rel.is_empty() {
        return Err("an empty path".into());
    }
    for c in p.components() {
        match c {
            Component::Normal(_) | Component::CurDir => {}
            Component::ParentDir => return Err(format!("`{rel}` leaves the checked folder (..)")),
            Component::RootDir | Component::Prefix(_) => {
                return Err(format!(
                    "`{rel}` is an absolute path; give it relative to the checked folder"
                ));
            }
        }
    }
    let path = root.join(p);
    if let (Ok(root), Ok(real)) = (std::fs::canonicalize(root), std::fs::canonicalize(&path))
        && !real.starts_with(&root)
    {
        return Err(format!(
            "`{rel}` resolves to {}, outside the checked folder (a symbolic link)",
            real.display()
        ));
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_inside_only() {
        let root = Path::new("/nonexistent-root");
        assert!(inside(root, "model.py").is_ok());
        assert!(inside(root, "./modules/x.py").is_ok());
        assert!(inside(root, "../x.py").unwrap_err().contains(".."));
        assert!(inside(root, "a/../../x.py").is_err());
        assert!(inside(root, "/tmp/x.py").unwrap_err().contains("absolute"));
        assert!(inside(root, "").is_err());
    }
}
