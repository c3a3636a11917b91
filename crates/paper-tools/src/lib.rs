//! One executable for every helper the skill ships (a multi-call binary, like busybox).
//!
//! `paper-tools pdf-figures paper.pdf -o out/` runs exactly what `pdf-figures paper.pdf -o out/`
//! runs: each helper crate exposes its command line as `cli::main_with_args`, and this crate
//! only picks one by name. Invoked through a link or copy named after a helper
//! (`pdf-figures -> paper-tools`), the name it was called by selects the helper instead.
//!
//! The helpers share most of their dependencies, so one static executable is far smaller than
//! four: the skill ZIP must stay under the 30 MB upload limit with room for new features.

use std::ffi::{OsStr, OsString};
use std::path::Path;
use std::process::ExitCode;

/// The line `skill-pack` looks for in the executable's bytes to learn which helpers it holds
/// (a ZIP cannot be asked by running it). Keep it one literal: it must appear verbatim.
pub const MANIFEST: &str =
    "paper-tools-helpers: mermaid-gen pdf-figures repro-check tensor-shape-lint\n";

/// The prefix of [`MANIFEST`], shared with skill-pack's reader.
pub const MANIFEST_PREFIX: &str = "paper-tools-helpers: ";

type Entry = fn(Vec<OsString>) -> ExitCode;

/// The helpers, sorted by name. `MANIFEST` lists the same names (checked by a test).
const HELPERS: &[(&str, Entry)] = &[
    ("mermaid-gen", |args| mermaid_gen::cli::main_with_args(args)),
    ("pdf-figures", |args| pdf_figures::cli::main_with_args(args)),
    ("repro-check", |args| repro_check::cli::main_with_args(args)),
    ("tensor-shape-lint", |args| {
        tensor_shape_lint::cli::main_with_args(args)
    }),
];

const USAGE: &str = "\
paper-tools: every paper-replication helper in one executable

Usage: paper-tools <helper> [arguments...]
       paper-tools --list | --help | --version

Each helper's own --help describes its arguments, e.g. `paper-tools pdf-figures --help`.

Examples:
  paper-tools pdf-figures paper.pdf -o work/paper
  paper-tools tensor-shape-lint output/code/model.py
  paper-tools mermaid-gen check output/docs/architecture.md
  paper-tools repro-check verify output/

In the skill, call helpers through the launcher instead: python3 scripts/run.py <helper> ...

Exit codes: those of the helper; 2 for an unknown helper or no arguments.";

/// The names of the helpers this executable holds, as [`MANIFEST`] lists them.
pub fn helper_names() -> Vec<&'static str> {
    // black_box keeps the literal whole in the binary: skill-pack reads it from there.
    let manifest: &'static str = std::hint::black_box(MANIFEST);
    manifest
        .trim_start_matches(MANIFEST_PREFIX)
        .split_whitespace()
        .collect()
}

fn find(name: &OsStr) -> Option<Entry> {
    HELPERS
        .iter()
        .find(|(helper, _)| OsStr::new(helper) == name)
        .map(|(_, entry)| *entry)
}

/// Runs the helper named by the executable's own name or by the first argument.
pub fn main_with_args<I>(args: I) -> ExitCode
where
    I: IntoIterator<Item = OsString>,
{
    // `paper-tools --list | head -1`: a closed pipe ends quietly (each helper installs it too).
    cli_guard::quiet_broken_pipe();
    let mut args: Vec<OsString> = args.into_iter().collect();
    // Called as `pdf-figures` (a link or a renamed copy): argv is already the helper's.
    let called_as = args
        .first()
        .and_then(|a| Path::new(a).file_stem())
        .map(OsStr::to_os_string);
    if let Some(entry) = called_as.as_deref().and_then(find) {
        return entry(args);
    }
    if args.len() < 2 {
        eprintln!(
            "paper-tools: name a helper ({}); --help for usage",
            helper_names().join(", ")
        );
        return ExitCode::from(2);
    }
    let first = args[1].clone();
    match first.to_str() {
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}\n\nHelpers: {}", helper_names().join(", "));
            return ExitCode::SUCCESS;
        }
        Some("-V" | "--version") => {
            println!("paper-tools {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        Some("--list") => {
            for name in helper_names() {
                println!("{name}");
            }
            return ExitCode::SUCCESS;
        }
        _ => {}
    }
    match find(&first) {
        // The helper sees its own name as argv[0], so its --help and errors name it.
        Some(entry) => entry(args.split_off(1)),
        None => {
            eprintln!(
                "paper-tools: unknown helper '{}' (helpers: {})",
                first.to_string_lossy(),
                helper_names().join(", ")
            );
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_lists_exactly_the_dispatch_table() {
        let table: Vec<&str> = HELPERS.iter().map(|(name, _)| *name).collect();
        assert_eq!(helper_names(), table);
        assert!(MANIFEST.starts_with(MANIFEST_PREFIX) && MANIFEST.ends_with('\n'));
    }

    #[test]
    fn cargo_metadata_names_the_same_helpers() {
        // skill-pack reads `helpers` from Cargo.toml for a source folder and MANIFEST from a
        // built binary; both must say the same.
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"))
            .expect("Cargo.toml");
        let manifest: toml::Table = text.parse().expect("Cargo.toml parses");
        let helpers: Vec<String> = manifest["package"]["metadata"]["paper-replication"]["helpers"]
            .as_array()
            .expect("helpers is a list")
            .iter()
            .map(|v| v.as_str().expect("string").to_string())
            .collect();
        assert_eq!(helpers, helper_names());
    }
}
