//! `repro-check`: the skill's verification checklist as a program.
//!
//! `init` ([`init::run`]) writes the `output/` tree the skill prescribes from tera templates
//! kept in the skill's `assets/templates/` (or the copies compiled into the binary), with every
//! gap marked `TODO(paper)`; `--hyperparams` pre-fills values mined by pdf-figures with their
//! page and sentence.
//!
//! `verify` ([`verify`]) walks the checklist item by item, in the skill's order (structure,
//! placeholders, audit, diagrams, code, docs, run), and says PASS, FAIL or SKIP for each, with
//! the reason and the `path:line` to fix. A SKIP never counts as a pass; the binary exits 0 only
//! when nothing FAILs.
//!
//! The checks reuse the other helpers as libraries (mermaid-gen's checker for diagrams,
//! tensor-shape-lint for code, pymodel's Python parser for usage examples) rather than copying
//! them.

pub mod checks;
pub mod cli;
pub mod error;
pub mod init;
pub mod markdown;
pub mod report;
pub mod skill;
pub mod tree_guard;
pub mod verify_config;

pub use checks::VerifyOptions;
pub use error::Error;
pub use report::{Item, Status, Summary};

use std::path::Path;

/// Runs the checklist on the tree at `root`; an error when `root` is not a folder.
pub fn verify(root: &Path, opts: &VerifyOptions) -> Result<Vec<Item>, Error> {
    if !root.exists() {
        return Err(Error::input(root.display(), "no such folder"));
    }
    if !root.is_dir() {
        return Err(Error::input(root.display(), "not a folder"));
    }
    if let Some((path, what)) = tree_guard::special_file(root) {
        return Err(Error::input(
            path.display(),
            format!("is {what}, not a regular file; verify reads only regular files (remove it)"),
        ));
    }
    if let Some((path, size)) = tree_guard::oversized_file(root, opts.file_budget()) {
        return Err(Error::input(
            path.display(),
            format!(
                "is {size} bytes, more than the {}-byte budget per file (raise it with --max-file-bytes)",
                opts.file_budget()
            ),
        ));
    }
    Ok(checks::verify(root, opts))
}
