//! Writing an extraction to a folder atomically: a temporary sibling folder, then a rename;
//! what may be replaced is decided by [`ownership`].

use crate::error::Error;
use crate::extract::Extraction;
use crate::ownership::{self, Plan};
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

/// Writes `manifest.json`, every file and the list of owned files (see [`ownership`]) under
/// `out`, as `plan` (from [`ownership::plan`]) allows. The files go into a temporary sibling
/// folder that is renamed into place, so nothing is left behind on failure; an old output is
/// moved aside first and then only the files it lists are removed.
pub fn write(ex: &Extraction, out: &Path, plan: &Plan, input_sha256: &str) -> Result<(), Error> {
    let io = |what: &str, p: &Path, e: std::io::Error| {
        Error::Io(format!("{}: {what}: {e}", p.display()))
    };
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = out
        .file_name()
        .ok_or_else(|| Error::Io(format!("{}: not a folder name", out.display())))?;
    let sibling = |what: &str| {
        parent.join(format!(
            ".{}.{what}-{}",
            name.to_string_lossy(),
            std::process::id()
        ))
    };
    let tmp = sibling("tmp");
    if std::fs::symlink_metadata(&tmp).is_ok() {
        return Err(Error::Output(format!(
            "{} is in the way (left by an earlier run?); remove it and run again",
            tmp.display()
        )));
    }
    let result = (|| {
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
        let names = ex.files.keys().map(String::as_str).chain(["manifest.json"]);
        let marker = tmp.join(ownership::MARKER);
        std::fs::write(&marker, ownership::marker_text(input_sha256, names))
            .map_err(|e| io("cannot write", &marker, e))?;
        let owned = match plan {
            Plan::Fresh => {
                return std::fs::rename(&tmp, out)
                    .map_err(|e| io("cannot move output into place", out, e));
            }
            Plan::Replace(owned) | Plan::AddPages(owned) => owned,
        };
        let old = sibling("old");
        std::fs::rename(out, &old).map_err(|e| io("cannot move aside", out, e))?;
        if let Err(e) = std::fs::rename(&tmp, out) {
            let _ = std::fs::rename(&old, out);
            return Err(io("cannot move output into place", out, e));
        }
        ownership::remove_owned(&old, owned).map_err(|e| {
            Error::Io(format!(
                "{}: the new output is in place, but the old one moved aside to {} was not removed: {e}",
                out.display(),
                old.display()
            ))
        })
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    result
}

/// `--pages` on an earlier output: the manifest must come out the same apart from the page
/// renders it lists, or the earlier run used other options (`--dpi`, limits) or another version
/// and adding renders would silently change the rest. Every earlier file is then kept byte for
/// byte (a crop can differ in its last bits when the page is also rendered whole), and only
/// the page renders and the manifest are new.
pub fn keep_earlier(
    ex: &mut Extraction,
    out: &Path,
    owned: &ownership::Owned,
) -> Result<(), Error> {
    let changed = |rel: &str| {
        Error::Output(format!(
            "{}: {rel} would change, so the folder was written with other options (--dpi, limits) or another pdf-figures; rerun with those options, or use --force to replace it",
            out.display()
        ))
    };
    let without_renders = |mut v: serde_json::Value| {
        if let Some(pages) = v.get_mut("pages").and_then(|p| p.as_array_mut()) {
            for page in pages.iter_mut().filter_map(|p| p.as_object_mut()) {
                page.remove("render");
            }
        }
        v
    };
    let before: Option<serde_json::Value> = std::fs::read(out.join("manifest.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok());
    let now = serde_json::to_value(&ex.manifest).expect("manifest is plain data");
    if before.map(without_renders) != Some(without_renders(now)) {
        return Err(changed("manifest.json"));
    }
    for rel in &owned.files {
        if rel == "manifest.json" || rel == ownership::MARKER || rel.starts_with("pages/") {
            continue;
        }
        let Some(slot) = ex.files.get_mut(rel) else {
            return Err(changed(rel));
        };
        *slot = std::fs::read(out.join(rel))
            .map_err(|e| Error::Io(format!("{}: {e}", out.join(rel).display())))?;
    }
    let earlier: Vec<&String> = ex
        .files
        .keys()
        .filter(|rel| !rel.starts_with("pages/") && !owned.files.contains(*rel))
        .collect();
    if let Some(rel) = earlier.first() {
        return Err(changed(rel));
    }
    Ok(())
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
