//! Which helper binaries ship inside the skill, and building them as static x86-64 executables.
//!
//! A workspace crate opts in with `[package.metadata.paper-replication] ship = true`; every
//! binary target of such a crate is shipped. A multi-call binary (paper-tools) also lists the
//! helpers it holds, `helpers = ["pdf-figures", ...]`: `scripts/run.py <helper>` calls of those
//! are served by it. Discovery goes through
//! `cargo metadata --format-version 1 --no-deps`, the same view of the workspace cargo uses,
//! so globbed members and `[[bin]]` renames need no parsing of our own.

use crate::error::{Error, Result};
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The only target the shipped binaries are built for (the skill's code-execution container).
pub const TARGET: &str = "x86_64-unknown-linux-gnu";
/// glibc links statically with crt-static; the result needs no dynamic loader.
pub const RUSTFLAGS: &str = "-C target-feature=+crt-static";

/// One binary that goes into the skill's `bin/`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ShippedBinary {
    pub package: String,
    pub binary: String,
    /// Helpers a multi-call binary holds (`helpers` in the crate's metadata); empty otherwise.
    pub holds: Vec<String>,
}

/// What cargo says about the workspace: shipped binaries and the target directory.
#[derive(Clone, Debug)]
pub struct Workspace {
    pub root: PathBuf,
    pub target_directory: PathBuf,
    pub shipped: Vec<ShippedBinary>,
}

impl Workspace {
    pub fn shipped_names(&self) -> BTreeSet<String> {
        self.shipped
            .iter()
            .flat_map(|s| std::iter::once(&s.binary).chain(&s.holds))
            .cloned()
            .collect()
    }
}

/// The nearest ancestor of `start` (itself included) whose Cargo.toml declares `[workspace]`.
pub fn find_workspace_root(start: &Path) -> Option<PathBuf> {
    let start = fs::canonicalize(start).ok()?;
    start.ancestors().find_map(|dir| {
        let manifest = dir.join("Cargo.toml");
        let text = fs::read_to_string(&manifest).ok()?;
        text.lines()
            .any(|l| l.trim() == "[workspace]")
            .then(|| dir.to_path_buf())
    })
}

/// Reads the workspace at `root` through `cargo metadata`.
pub fn read_workspace(root: &Path) -> Result<Workspace> {
    let output = Command::new(cargo())
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
            "--manifest-path",
        ])
        .arg(root.join("Cargo.toml"))
        .output()
        .map_err(|e| Error::Cargo(format!("cannot run cargo metadata: {e}")))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let first = stderr
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("no message");
        return Err(Error::Cargo(format!(
            "cargo metadata failed in {}: {first}",
            root.display()
        )));
    }
    parse_metadata(root, &output.stdout)
}

fn parse_metadata(root: &Path, json: &[u8]) -> Result<Workspace> {
    let value: serde_json::Value = serde_json::from_slice(json)
        .map_err(|e| Error::Cargo(format!("cargo metadata printed invalid JSON: {e}")))?;
    let target_directory = value["target_directory"]
        .as_str()
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let mut shipped = Vec::new();
    for package in value["packages"].as_array().into_iter().flatten() {
        if package["metadata"]["paper-replication"]["ship"].as_bool() != Some(true) {
            continue;
        }
        let name = package["name"].as_str().unwrap_or_default().to_string();
        let holds: Vec<String> = package["metadata"]["paper-replication"]["helpers"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|h| h.as_str().map(str::to_string))
            .collect();
        for target in package["targets"].as_array().into_iter().flatten() {
            let is_bin = target["kind"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|k| k == "bin");
            if let (true, Some(binary)) = (is_bin, target["name"].as_str()) {
                shipped.push(ShippedBinary {
                    package: name.clone(),
                    binary: binary.to_string(),
                    holds: holds.clone(),
                });
            }
        }
    }
    shipped.sort();
    Ok(Workspace {
        root: root.to_path_buf(),
        target_directory,
        shipped,
    })
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string())
}

/// Builds every shipped package in release mode as static executables; returns their paths.
///
/// The target directory honours `CARGO_TARGET_DIR` (cargo's own rule); cargo's output goes
/// straight to our stderr so a failing build shows the compiler's message.
pub fn build_shipped(workspace: &Workspace) -> Result<Vec<(ShippedBinary, PathBuf)>> {
    if workspace.shipped.is_empty() {
        return Ok(Vec::new());
    }
    let packages: BTreeSet<&str> = workspace
        .shipped
        .iter()
        .map(|s| s.package.as_str())
        .collect();
    let mut command = Command::new(cargo());
    command
        .current_dir(&workspace.root)
        .args(["build", "--release", "--target", TARGET])
        .env("RUSTFLAGS", RUSTFLAGS);
    for package in &packages {
        command.args(["-p", package]);
    }
    let status = command
        .status()
        .map_err(|e| Error::Cargo(format!("cannot run cargo build: {e}")))?;
    if !status.success() {
        return Err(Error::Cargo(format!(
            "cargo build --release failed ({status})"
        )));
    }
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|d| {
            if d.is_absolute() {
                d
            } else {
                workspace.root.join(d)
            }
        })
        .unwrap_or_else(|| workspace.target_directory.clone());
    let release = target_dir.join(TARGET).join("release");
    Ok(workspace
        .shipped
        .iter()
        .map(|s| (s.clone(), release.join(&s.binary)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_selects_only_bins_of_shipped_packages() {
        let json = br#"{"target_directory": "/t", "packages": [
            {"name": "a", "metadata": {"paper-replication": {"ship": true}},
             "targets": [{"name": "a", "kind": ["lib"]}, {"name": "a-cli", "kind": ["bin"]}]},
            {"name": "b", "metadata": null, "targets": [{"name": "b", "kind": ["bin"]}]},
            {"name": "c", "metadata": {"paper-replication": {"ship": false}},
             "targets": [{"name": "c", "kind": ["bin"]}]}]}"#;
        let ws = parse_metadata(Path::new("/w"), json).expect("parses");
        assert_eq!(ws.target_directory, PathBuf::from("/t"));
        assert_eq!(
            ws.shipped,
            vec![ShippedBinary {
                package: "a".into(),
                binary: "a-cli".into(),
                holds: vec![],
            }]
        );
    }

    #[test]
    fn a_multi_call_binary_ships_the_helpers_it_lists() {
        let json = br#"{"target_directory": "/t", "packages": [
            {"name": "tools", "metadata": {"paper-replication": {"ship": true,
              "helpers": ["lint", "draw"]}},
             "targets": [{"name": "tools", "kind": ["bin"]}]}]}"#;
        let ws = parse_metadata(Path::new("/w"), json).expect("parses");
        let names: Vec<String> = ws.shipped_names().into_iter().collect();
        assert_eq!(names, ["draw", "lint", "tools"]);
    }
}
