//! The checklist, one module per group of items, run in the order of the skill's checklist:
//! structure, placeholders, audit, diagrams, code, docs, run.
//!
//! Each group returns items whose ids start with the group name. A check that holds gives one
//! PASS item; one that does not gives a FAIL item per place to fix, all with the same id.

pub mod audit;
pub mod code;
pub mod diagrams;
pub mod docs;
pub mod locators;
pub mod placeholders;
pub mod replication;
pub mod run;
pub mod structure;
pub mod substance;
pub mod values;

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
    /// Largest file `verify` reads as text, in bytes (`--max-file-bytes`); `0` means
    /// [`cli_guard::DEFAULT_MAX_FILE_BYTES`].
    pub max_file_bytes: u64,
    /// pdf-figures' output folder for the paper (`--paper`), to check the audit's locators
    /// against; `None`: `work/paper` beside the checked folder, when there.
    pub paper: Option<PathBuf>,
}

impl VerifyOptions {
    /// The size budget per file read, with the default applied.
    pub fn file_budget(&self) -> u64 {
        if self.max_file_bytes == 0 {
            cli_guard::DEFAULT_MAX_FILE_BYTES
        } else {
            self.max_file_bytes
        }
    }
}

/// Runs every check on the tree at `root`, in checklist order.
pub fn verify(root: &Path, opts: &VerifyOptions) -> Vec<Item> {
    let mut items = Vec::new();
    items.extend(structure::check(root, opts));
    items.extend(placeholders::check(root, opts));
    items.extend(audit::check(root, opts));
    items.extend(locators::check(root, opts));
    items.extend(diagrams::check(root, opts));
    items.extend(code::check(root, opts));
    items.extend(values::check(root, opts));
    items.extend(docs::check(root, opts));
    items.extend(run::check(root, opts));
    items
}

/// `path:line`, relative to the checked folder.
pub(crate) fn at(rel: &str, line: usize) -> Option<String> {
    Some(format!("{rel}:{line}"))
}

/// The text of `root/rel`: `Ok(None)` when it does not exist, `Err(cause)` when it cannot be
/// read as UTF-8 text.
pub(crate) fn read_text(root: &Path, rel: &str) -> Result<Option<String>, String> {
    let path = root.join(rel);
    if !path.is_file() {
        return Ok(None);
    }
    std::fs::read_to_string(&path)
        .map(Some)
        .map_err(|e| format!("cannot read as UTF-8 text: {e}"))
}

/// The files directly in `root/rel_dir` whose names end with `ext`, as sorted relative paths.
pub(crate) fn files_in(root: &Path, rel_dir: &str, ext: &str) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(root.join(rel_dir)) else {
        return Vec::new();
    };
    let mut out: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().is_file())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.ends_with(ext) && !n.starts_with('.'))
        .map(|n| format!("{rel_dir}/{n}"))
        .collect();
    out.sort();
    out
}
