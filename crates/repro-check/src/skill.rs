//! Where the skill folder is: the scripts `verify --run` calls and the templates `init` reads.

use std::path::{Path, PathBuf};

/// Relative path that marks a skill folder whose validation scripts can run.
pub const SCRIPTS_MARKER: &str = "scripts/validate_model.py";

/// Relative path of the templates `init` reads when the skill folder has them.
pub const TEMPLATES_DIR: &str = "assets/templates";

/// The skill folder: `explicit` (`--skill-dir`) when given, else the first of
/// `$PAPER_REPLICATION_SKILL_DIR`, the binary's `bin/..` and the current folder's ancestors
/// (`skill/paper-replication/` or the folder itself) that holds `marker`. The search is
/// tensor-shape-lint's, so both helpers find the same skill.
pub fn find(explicit: Option<&Path>, marker: &str) -> Option<PathBuf> {
    match explicit {
        // The scripts run with the checked folder as their working folder: a relative
        // `--skill-dir` means relative to where the user typed it.
        Some(dir) => Some(std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf())),
        None => tensor_shape_lint::runtime::find_skill_dir(marker),
    }
}
