//! The checklist, one module per group of items.

pub mod code;
pub mod diagrams;
pub mod run;

use crate::report::Item;
use std::path::{Path, PathBuf};

/// How `verify` runs.
#[derive(Clone, Debug, Default)]
pub struct VerifyOptions {
    /// Also run the validation harness and the runtime shape trace (`--run`).
    pub run: bool,
    /// Python interpreter for `--run` (default `python3`).
    pub python: Option<PathBuf>,
    /// The skill folder, where `scripts/validate_model.py` and `scripts/trace_shapes.py` live.
    pub skill_dir: Option<PathBuf>,
}

/// Runs every check on the tree at `root`, in checklist order.
pub fn verify(root: &Path, opts: &VerifyOptions) -> Vec<Item> {
    let mut items = Vec::new();
    items.extend(diagrams::check(root, opts));
    items.extend(code::check(root, opts));
    items.extend(run::check(root, opts));
    items
}
