//! `skill-pack build` (helpers into bin/, validate, pack, checksum) and `skill-pack install`.

use crate::error::{Error, Result};
use crate::finding::Report;
use crate::layout::read_zip_tree;
use crate::pack::{pack, sha256_hex};
use crate::rules::Severity;
use crate::ship::{build_shipped, find_workspace_root, read_workspace};
use crate::tree::{SkillTree, read_dir_tree};
use crate::validate::validate_zip_bytes;
use std::fs;
use std::path::{Path, PathBuf};

/// What `build` does.
#[derive(Clone, Debug)]
pub struct BuildOptions {
    pub skill: PathBuf,
    pub out: PathBuf,
    /// Build the shipped helpers with cargo first; `false` packs what `bin/` already holds.
    pub cargo: bool,
}

/// What `build` produced.
#[derive(Clone, Debug)]
pub struct BuildOutcome {
    pub zip: PathBuf,
    pub sha256: String,
    pub files: usize,
    pub helpers: Vec<String>,
    /// Warnings of the final validation (errors abort the build).
    pub report: Report,
}

/// Builds, validates and packs the skill into `<out>/<folder>.zip` plus `.sha256`.
pub fn build(opts: &BuildOptions) -> Result<BuildOutcome> {
    if opts.cargo {
        let root = find_workspace_root(&opts.skill).ok_or_else(|| {
            Error::input(
                &opts.skill,
                "not inside a Cargo workspace; use --no-cargo to pack bin/ as it is",
            )
        })?;
        let workspace = read_workspace(&root)?;
        let built = build_shipped(&workspace)?;
        let bin = opts.skill.join("bin");
        fs::create_dir_all(&bin).map_err(|e| Error::io(&bin, e))?;
        let keep: Vec<String> = built.iter().map(|(s, _)| s.binary.clone()).collect();
        // bin/ is build output (git-ignored): drop binaries no crate ships any more.
        for entry in fs::read_dir(&bin).map_err(|e| Error::io(&bin, e))? {
            let entry = entry.map_err(|e| Error::io(&bin, e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if !keep.contains(&name) && entry.file_type().is_ok_and(|t| t.is_file()) {
                fs::remove_file(entry.path()).map_err(|e| Error::io(entry.path(), e))?;
            }
        }
        for (shipped, path) in &built {
            let data = fs::read(path).map_err(|e| Error::io(path, e))?;
            write_atomic(&bin.join(&shipped.binary), &data, 0o755)?;
        }
    }
    let mut report = Report::new();
    let display = opts.skill.to_string_lossy().into_owned();
    let tree =
        read_dir_tree(&opts.skill, &display, &mut report).map_err(|e| Error::io(&opts.skill, e))?;
    let data = pack(&tree).map_err(|e| Error::io(&opts.skill, e))?;
    let zip = opts.out.join(format!("{}.zip", tree.folder));
    // Judge the bytes that will be uploaded, not the folder they came from.
    report.extend(validate_zip_bytes(data.clone(), &zip.to_string_lossy())?);
    let errors = report.count(Severity::Error);
    if errors > 0 {
        return Err(Error::Invalid(errors, report));
    }
    fs::create_dir_all(&opts.out).map_err(|e| Error::io(&opts.out, e))?;
    let sha256 = sha256_hex(&data);
    write_atomic(&zip, &data, 0o644)?;
    let sum_line = format!("{sha256}  {}.zip\n", tree.folder);
    write_atomic(
        &opts.out.join(format!("{}.zip.sha256", tree.folder)),
        sum_line.as_bytes(),
        0o644,
    )?;
    let helpers = crate::validate::bin_helpers(&tree).into_iter().collect();
    Ok(BuildOutcome {
        zip,
        sha256,
        files: tree.files.len(),
        helpers,
        report,
    })
}

/// Writes `data` to `path` through a temporary file in the same folder and a rename, so a
/// reader never sees half a file.
pub fn write_atomic(path: &Path, data: &[u8], mode: u32) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    fs::write(&tmp, data).map_err(|e| Error::io(&tmp, e))?;
    set_mode(&tmp, mode)?;
    fs::rename(&tmp, path).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        Error::io(path, e)
    })
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).map_err(|e| Error::io(path, e))
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> Result<()> {
    Ok(())
}

/// What `install` did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InstallOutcome {
    Installed,
    /// The destination already held exactly this skill.
    Unchanged,
    Replaced,
}

/// Reads a skill from a folder or a ZIP, refusing it when validation finds errors.
fn load_skill(source: &Path) -> Result<SkillTree> {
    let mut report = Report::new();
    let display = source.to_string_lossy().into_owned();
    let tree = if source.is_file() {
        let data = crate::validate::read_zip_file(source)?;
        report.extend(validate_zip_bytes(data.clone(), &display)?);
        read_zip_tree(data, &display, &mut Report::new())
            .map_err(|e| Error::Zip {
                path: source.into(),
                source: e,
            })?
            .ok_or_else(|| Error::input(source, "the ZIP holds no skill folder"))?
    } else {
        report.extend(crate::validate::validate_dir(
            source,
            &display,
            crate::validate::HelperLookup::Workspace,
        )?);
        read_dir_tree(source, &display, &mut Report::new()).map_err(|e| Error::io(source, e))?
    };
    let errors = report.count(Severity::Error);
    if errors > 0 {
        return Err(Error::Invalid(errors, report));
    }
    Ok(tree)
}

/// Installs the skill at `source` (folder or ZIP) as the folder `dest`, by default
/// `~/.claude/skills/<name>/` (Claude Code's personal skills). Returns where it went.
///
/// An existing `dest` with the same files, bytes and executable bits is left alone; a different
/// one is replaced only with `force`. The new copy is assembled beside `dest` and renamed into
/// place, so a failure never leaves half a skill.
pub fn install(source: &Path, dest: Option<&Path>, force: bool) -> Result<Installed> {
    let tree = load_skill(source)?;
    let dest = match dest {
        Some(dest) => dest.to_path_buf(),
        None => {
            let home = std::env::var_os("HOME")
                .ok_or_else(|| Error::input(source, "HOME is not set; pass --dest"))?;
            PathBuf::from(home)
                .join(".claude")
                .join("skills")
                .join(&tree.folder)
        }
    };
    let outcome = install_tree(&tree, &dest, force)?;
    let bundled = crate::validate::bin_helpers(&tree);
    let mut missing_helpers: Vec<String> = crate::links::check_documents(&tree, &mut Report::new())
        .into_iter()
        .map(|call| call.helper)
        .filter(|helper| !bundled.contains(helper))
        .collect();
    missing_helpers.sort();
    missing_helpers.dedup();
    Ok(Installed {
        dest,
        outcome,
        missing_helpers,
    })
}

/// Where `install` put the skill, what it did, and which called helpers have no bundled binary
/// (the launcher will look for them on PATH).
#[derive(Clone, Debug)]
pub struct Installed {
    pub dest: PathBuf,
    pub outcome: InstallOutcome,
    pub missing_helpers: Vec<String>,
}

fn install_tree(tree: &SkillTree, dest: &Path, force: bool) -> Result<InstallOutcome> {
    let exists = fs::symlink_metadata(dest).is_ok();
    if exists {
        if same_content(tree, dest)? {
            return Ok(InstallOutcome::Unchanged);
        }
        if !force {
            return Err(Error::Refused {
                path: dest.to_path_buf(),
                message: "a different skill is installed here; pass --force to replace it".into(),
            });
        }
    }
    let parent = dest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let staging = parent.join(format!(".{name}.new-{}", std::process::id()));
    let _ = fs::remove_dir_all(&staging);
    for (rel, file) in &tree.files {
        let target = staging.join(rel);
        if let Some(dir) = target.parent() {
            fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        let data = file.read().map_err(|e| Error::io(&target, e))?;
        fs::write(&target, data).map_err(|e| Error::io(&target, e))?;
        set_mode(&target, if file.executable { 0o755 } else { 0o644 })?;
    }
    if !exists {
        fs::rename(&staging, dest).map_err(|e| Error::io(dest, e))?;
        return Ok(InstallOutcome::Installed);
    }
    let old = parent.join(format!(".{name}.old-{}", std::process::id()));
    fs::rename(dest, &old).map_err(|e| Error::io(dest, e))?;
    fs::rename(&staging, dest).map_err(|e| Error::io(dest, e))?;
    // A symlinked install is replaced by a real folder; only the link itself is removed.
    let old_meta = fs::symlink_metadata(&old).map_err(|e| Error::io(&old, e))?;
    if old_meta.is_dir() {
        fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
    } else {
        fs::remove_file(&old).map_err(|e| Error::io(&old, e))?;
    }
    Ok(InstallOutcome::Replaced)
}

fn same_content(tree: &SkillTree, dest: &Path) -> Result<bool> {
    let meta = fs::symlink_metadata(dest).map_err(|e| Error::io(dest, e))?;
    if !meta.is_dir() {
        return Ok(false);
    }
    let mut report = Report::new();
    let installed = read_dir_tree(dest, &dest.to_string_lossy(), &mut report)
        .map_err(|e| Error::io(dest, e))?;
    if report.has_errors() || installed.files.len() != tree.files.len() {
        return Ok(false);
    }
    for ((a_rel, a), (b_rel, b)) in tree.files.iter().zip(installed.files.iter()) {
        if a_rel != b_rel || a.executable != b.executable || a.size != b.size {
            return Ok(false);
        }
        let (a_data, b_data) = (
            a.read().map_err(|e| Error::io(a_rel, e))?,
            b.read().map_err(|e| Error::io(b_rel, e))?,
        );
        if a_data != b_data {
            return Ok(false);
        }
    }
    Ok(true)
}
