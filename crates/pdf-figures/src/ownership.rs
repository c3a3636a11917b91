//! What pdf-figures owns in an output folder. Every run leaves a list of the files it wrote in
//! the folder (`.pdf-figures-files`, with the SHA-256 of the PDF they came from); `--force`
//! replaces a folder only when everything in it is on that list, and `--pages` can add page
//! renders to a folder written from the same PDF. A folder holding the input PDF, a file not on
//! the list, or a symbolic link is refused before anything is read or written.

use crate::error::Error;
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The list of owned files, kept in the output folder.
pub const MARKER: &str = ".pdf-figures-files";

const HEADER: &str =
    "# Written by pdf-figures: the files it wrote here. --force replaces these and nothing else.";

/// What an earlier run left in the output folder.
#[derive(Debug, Default)]
pub struct Owned {
    /// SHA-256 (hex) of the PDF the folder was written from.
    pub input_sha256: String,
    /// Files (relative, `/`-separated) found in the folder and listed as written by the tool.
    pub files: BTreeSet<String>,
}

/// How to write the output folder.
#[derive(Debug)]
pub enum Plan {
    /// The folder does not exist.
    Fresh,
    /// `--force`: replace a folder that holds only what pdf-figures wrote.
    Replace(Owned),
    /// `--pages` without `--force`: add page renders to a folder written from the same PDF.
    AddPages(Owned),
}

/// SHA-256 of the input, hex.
pub fn sha256_hex(data: &[u8]) -> String {
    Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The marker's text for the files about to be written (`manifest.json` included).
pub fn marker_text(input_sha256: &str, files: impl Iterator<Item = impl AsRef<str>>) -> String {
    let mut s = format!("{HEADER}\ninput-sha256 {input_sha256}\n");
    let files: BTreeSet<String> = files.map(|f| f.as_ref().to_string()).collect();
    for f in files {
        s.push_str("file ");
        s.push_str(&f);
        s.push('\n');
    }
    s
}

fn refuse(msg: String) -> Error {
    Error::Output(msg)
}

/// Decides whether `out` may be written, before the PDF is read. `input` is the PDF's path.
pub fn plan(
    out: &Path,
    input: &Path,
    input_sha256: &str,
    force: bool,
    pages: bool,
) -> Result<Plan, Error> {
    let shown = out.display();
    let meta = match std::fs::symlink_metadata(out) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Plan::Fresh),
        Err(e) => return Err(Error::Io(format!("{shown}: {e}"))),
    };
    if meta.file_type().is_symlink() {
        return Err(refuse(format!(
            "{shown} is a symbolic link; pdf-figures writes only into a real folder (give the folder it points to, or a new one)"
        )));
    }
    if !meta.is_dir() {
        return Err(refuse(format!("{shown} exists and is not a folder")));
    }
    if let (Ok(dir), Ok(pdf)) = (std::fs::canonicalize(out), std::fs::canonicalize(input))
        && pdf.starts_with(&dir)
    {
        return Err(refuse(format!(
            "{shown} holds the input PDF; choose an output folder of its own (e.g. {})",
            suggestion(out)
        )));
    }
    let owned = owned(out)?;
    if force {
        return Ok(Plan::Replace(owned));
    }
    if pages && !owned.input_sha256.is_empty() {
        if owned.input_sha256 != input_sha256 {
            return Err(refuse(format!(
                "{shown} was written from another PDF; --pages adds page renders only to the output of the same PDF (use --force to replace it)"
            )));
        }
        return Ok(Plan::AddPages(owned));
    }
    Err(Error::OutputExists(shown.to_string()))
}

fn suggestion(out: &Path) -> String {
    out.join("paper-figures").display().to_string()
}

/// Reads the marker and checks that the folder holds nothing else than the files it lists
/// (and folders): no other file, no symbolic link, FIFO or device.
fn owned(out: &Path) -> Result<Owned, Error> {
    let shown = out.display();
    let marker = out.join(MARKER);
    let text = match std::fs::symlink_metadata(&marker) {
        Ok(m) if m.is_file() => std::fs::read_to_string(&marker)
            .map_err(|e| Error::Io(format!("{}: {e}", marker.display())))?,
        _ => {
            let empty = std::fs::read_dir(out)
                .map_err(|e| Error::Io(format!("{shown}: {e}")))?
                .next()
                .is_none();
            if empty {
                return Ok(Owned::default());
            }
            return Err(refuse(format!(
                "{shown} exists and was not written by pdf-figures (no {MARKER} in it); choose a new output folder"
            )));
        }
    };
    let mut listed = BTreeSet::new();
    let mut input_sha256 = String::new();
    for line in text.lines() {
        if let Some(f) = line.strip_prefix("file ") {
            listed.insert(f.to_string());
        } else if let Some(h) = line.strip_prefix("input-sha256 ") {
            input_sha256 = h.to_string();
        }
    }
    let mut files = BTreeSet::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let dir = out.join(&rel);
        let entries =
            std::fs::read_dir(&dir).map_err(|e| Error::Io(format!("{}: {e}", dir.display())))?;
        for entry in entries {
            let entry = entry.map_err(|e| Error::Io(format!("{}: {e}", dir.display())))?;
            let rel = rel.join(entry.file_name());
            let name = rel.to_string_lossy().replace('\\', "/");
            let kind = entry
                .file_type()
                .map_err(|e| Error::Io(format!("{}: {e}", entry.path().display())))?;
            if kind.is_dir() {
                stack.push(rel);
            } else if kind.is_file() && (listed.contains(&name) || name == MARKER) {
                files.insert(name);
            } else {
                let what = if kind.is_symlink() {
                    "a symbolic link"
                } else if kind.is_file() {
                    "a file"
                } else {
                    "a special file"
                };
                return Err(refuse(format!(
                    "{shown} holds {}, {what} pdf-figures did not write; --force replaces only its own output (move it, or choose a new output folder)",
                    out.join(&rel).display()
                )));
            }
        }
    }
    Ok(Owned {
        input_sha256,
        files,
    })
}

/// Removes an old output folder moved aside: the owned files, then the folders bottom-up.
/// Anything else (which `owned` ruled out, but a process may have added since) stays, and the
/// folder with it.
pub fn remove_owned(dir: &Path, owned: &Owned) -> std::io::Result<()> {
    for rel in &owned.files {
        let path = dir.join(rel);
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file()) {
            std::fs::remove_file(&path)?;
        }
    }
    let mut dirs = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)? {
            let entry = entry?;
            if entry.file_type()?.is_dir() {
                stack.push(entry.path());
            }
        }
        dirs.push(d);
    }
    // Children come after their parents in `dirs`: remove from the end.
    for d in dirs.iter().rev() {
        std::fs::remove_dir(d)?;
    }
    Ok(())
}
