//! Writing an extraction to a folder atomically: a temporary sibling folder, then a rename.

use crate::error::Error;
use crate::extract::Extraction;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The manifest as pretty JSON with sorted keys and a final newline.
pub fn manifest_json(ex: &Extraction) -> String {
    // Going through `Value` sorts every object's keys (serde_json's map is a BTreeMap).
    let value = serde_json::to_value(&ex.manifest).expect("manifest is plain data");
    let mut s = serde_json::to_string_pretty(&value).expect("manifest is plain data");
    s.push('\n');
    s
}

/// Writes `manifest.json` and every file under `out`. Nothing is left behind on failure, and an
/// existing `out` is replaced only with `force`.
pub fn write(ex: &Extraction, out: &Path, force: bool) -> Result<(), Error> {
    let io = |what: &str, p: &Path, e: std::io::Error| {
        Error::Io(format!("{}: {what}: {e}", p.display()))
    };
    if out.exists() && !force {
        return Err(Error::OutputExists(out.display().to_string()));
    }
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = out
        .file_name()
        .ok_or_else(|| Error::Io(format!("{}: not a folder name", out.display())))?;
    let tmp = parent.join(format!(
        ".{}.tmp-{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| {
        if tmp.exists() {
            std::fs::remove_dir_all(&tmp).map_err(|e| io("cannot clear", &tmp, e))?;
        }
        std::fs::create_dir_all(&tmp).map_err(|e| io("cannot create", &tmp, e))?;
        let dirs: BTreeSet<PathBuf> = ex
            .files
            .keys()
            .filter_map(|rel| tmp.join(rel).parent().map(Path::to_path_buf))
            .collect();
        for dir in &dirs {
            std::fs::create_dir_all(dir).map_err(|e| io("cannot create", dir, e))?;
        }
        // Hundreds of small files: creating them is kernel time that a second thread halves.
        let files: Vec<(&String, &Vec<u8>)> = ex.files.iter().collect();
        let write_all = |part: &[(&String, &Vec<u8>)]| -> Result<(), Error> {
            for (rel, bytes) in part {
                let path = tmp.join(rel);
                std::fs::write(&path, bytes).map_err(|e| io("cannot write", &path, e))?;
            }
            Ok(())
        };
        let (first, second) = files.split_at(files.len() / 2);
        std::thread::scope(|scope| {
            let other = crate::pool::spawn_worker(scope, || write_all(second));
            let mine = write_all(first);
            let other = match other {
                Some(h) => h
                    .join()
                    .unwrap_or_else(|_| Err(Error::Io("a writer thread failed".into()))),
                None => write_all(second),
            };
            mine.and(other)
        })?;
        let manifest = tmp.join("manifest.json");
        std::fs::write(&manifest, manifest_json(ex))
            .map_err(|e| io("cannot write", &manifest, e))?;
        if out.exists() {
            std::fs::remove_dir_all(out).map_err(|e| io("cannot replace", out, e))?;
        }
        std::fs::rename(&tmp, out).map_err(|e| io("cannot move output into place", out, e))
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    result
}

/// A short human summary: counts, then one line per figure.
pub fn summary(ex: &Extraction, out: &Path) -> String {
    let m = &ex.manifest;
    let count = |k: &str| m.figures.iter().filter(|f| f.kind == k).count();
    let mut s = format!(
        "{}: {} pages, {} figures ({} raster, {} vector, {} mixed), {} tables, {} equations ({} numbered), {} images -> {}\n",
        m.document.file,
        m.document.pages,
        m.figures.len(),
        count("raster"),
        count("vector"),
        count("mixed"),
        m.tables.len(),
        m.equations.len(),
        m.equations.iter().filter(|e| e.number.is_some()).count(),
        m.images.len(),
        out.display()
    );
    for f in &m.figures {
        let mut caption: String = f.caption.chars().take(70).collect();
        if caption.len() < f.caption.len() {
            caption.push('…');
        }
        s.push_str(&format!(
            "  {:<22} p.{:<3} {:<6} {caption}\n",
            f.file, f.page, f.kind
        ));
    }
    for t in &m.tables {
        let mut caption: String = t.caption.chars().take(70).collect();
        if caption.len() < t.caption.len() {
            caption.push('…');
        }
        s.push_str(&format!(
            "  {:<22} p.{:<3} table  {caption}\n",
            t.markdown, t.page
        ));
    }
    // Read first: the paper in reading order, then the mined values with their sources.
    for file in [&m.paper, &m.hyperparams].into_iter().flatten() {
        s.push_str(&format!("  {}: {}\n", file, out.join(file).display()));
    }
    s.push_str(&format!(
        "  manifest: {}\n",
        out.join("manifest.json").display()
    ));
    s
}
