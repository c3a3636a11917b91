//! Helpers shared by tables.rs and corpus_tables.rs: reading ground-truth grids, the cell
//! accuracy defined in tables.rs, and running the binary.
#![allow(dead_code)]

use crate::common::run;
use serde_json::Value;
use std::path::{Path, PathBuf};

pub fn read_tsv(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

pub fn norm(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The cell accuracy defined in the module documentation.
pub fn cell_accuracy(gold: &[Vec<String>], got: &[Vec<String>]) -> f64 {
    let non_empty = |t: &[Vec<String>]| t.iter().flatten().filter(|c| !norm(c).is_empty()).count();
    let mut right = 0;
    for (r, row) in gold.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let want = norm(cell);
            let have = got.get(r).and_then(|row| row.get(c)).map(|s| norm(s));
            if !want.is_empty() && have.as_deref() == Some(want.as_str()) {
                right += 1;
            }
        }
    }
    let total = non_empty(gold).max(non_empty(got));
    if total == 0 {
        1.0
    } else {
        right as f64 / total as f64
    }
}

pub fn cells(v: &Value) -> Vec<Vec<String>> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r.as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap().to_string())
                .collect()
        })
        .collect()
}

/// Runs the binary at a low resolution (the crops are not under test here).
pub fn extract(pdf: &Path) -> (Value, PathBuf, tempfile::TempDir) {
    let bytes = std::fs::read(pdf).unwrap_or_else(|e| panic!("{}: {e}", pdf.display()));
    let (output, out, dir) = run(&bytes, &["--dpi", "72"]);
    assert!(
        output.status.success(),
        "pdf-figures failed on {}: {}",
        pdf.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    (serde_json::from_str(&manifest).unwrap(), out, dir)
}

pub fn show(t: &[Vec<String>]) -> String {
    t.iter()
        .map(|r| r.join(" | "))
        .collect::<Vec<_>>()
        .join("\n")
}
