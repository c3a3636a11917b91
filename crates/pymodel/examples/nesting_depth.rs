//! Prints the nesting estimate of each Python file under the given folders, deepest last:
//! the measurement behind `pymodel::nesting::DEFAULT_MAX_NESTING` (run by
//! `scripts/bench-hostile.sh corpus-depth`).
//!
//! `cargo run --release -p pymodel --example nesting_depth -- target/corpus/pytorch`

use std::path::{Path, PathBuf};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|x| x == "py") {
            out.push(p);
        }
    }
}

fn main() {
    let mut files = Vec::new();
    for dir in std::env::args().skip(1) {
        walk(Path::new(&dir), &mut files);
    }
    let mut depths: Vec<(usize, PathBuf)> = files
        .into_iter()
        .filter_map(|p| {
            let src = std::fs::read_to_string(&p).ok()?;
            Some((pymodel::check_nesting(&src, usize::MAX).ok()?, p))
        })
        .collect();
    depths.sort();
    for (d, p) in depths.iter().rev().take(5).rev() {
        println!("{d:6}  {}", p.display());
    }
    println!(
        "{} files; deepest estimate {}",
        depths.len(),
        depths.last().map_or(0, |d| d.0)
    );
}
