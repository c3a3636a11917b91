//! `skill-pack build --no-cargo` (reproducible packing) and `skill-pack install`, run as the real
//! binary on the fixture skill with a fake helper in bin/.

mod common;

use common::*;
use std::fs;
use std::io::Read;
use std::path::Path;
use std::process::Command;
use tempfile::TempDir;

fn build(skill: &Path, out: &Path, cwd: &Path) -> std::process::Output {
    skill_pack(
        &[
            "build",
            "--no-cargo",
            "--skill",
            &skill.to_string_lossy(),
            "--out",
            &out.to_string_lossy(),
        ],
        cwd,
    )
}

#[test]
fn build_twice_gives_identical_bytes_and_a_matching_checksum() {
    let tmp = TempDir::new().expect("tempdir");
    let skill = write_skill(tmp.path(), NAME);
    let first = build(&skill, &tmp.path().join("one"), tmp.path());
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    // Touch every file and rebuild elsewhere: timestamps must not leak into the ZIP.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    for rel in ["SKILL.md", "references/guide.md"] {
        let path = skill.join(rel);
        let text = fs::read(&path).expect("read");
        fs::write(&path, text).expect("rewrite");
    }
    let second = build(&skill, &tmp.path().join("two"), tmp.path());
    assert_eq!(second.status.code(), Some(0));
    let a = fs::read(tmp.path().join("one/demo-skill.zip")).expect("zip one");
    let b = fs::read(tmp.path().join("two/demo-skill.zip")).expect("zip two");
    assert_eq!(a, b, "two builds differ");

    // The checksum file agrees with coreutils' sha256sum (an independent implementation).
    let sums = Command::new("sha256sum")
        .arg("demo-skill.zip")
        .current_dir(tmp.path().join("one"))
        .output()
        .expect("run sha256sum");
    let expected = String::from_utf8_lossy(&sums.stdout).into_owned();
    let written =
        fs::read_to_string(tmp.path().join("one/demo-skill.zip.sha256")).expect("sha file");
    assert_eq!(written, expected);
    let check = Command::new("sha256sum")
        .args(["-c", "demo-skill.zip.sha256"])
        .current_dir(tmp.path().join("one"))
        .output()
        .expect("sha256sum -c");
    assert!(check.status.success());
}

#[test]
fn zip_entries_are_sorted_dated_1980_with_fixed_modes_and_no_junk() {
    let tmp = TempDir::new().expect("tempdir");
    let skill = write_skill(tmp.path(), NAME);
    write(
        &skill.join("scripts/__pycache__/run.cpython-311.pyc"),
        "junk",
    );
    write(&skill.join(".DS_Store"), "junk");
    // An executable script keeps 0755, a non-executable helper copy would get 0644.
    set_mode(&skill.join("scripts/run.py"), 0o775);
    let out = build(&skill, &tmp.path().join("dist"), tmp.path());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let data = fs::read(tmp.path().join("dist/demo-skill.zip")).expect("zip");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(data)).expect("read zip");
    let mut seen = Vec::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).expect("entry");
        assert!(!entry.is_dir());
        let when = entry.last_modified().expect("timestamp");
        assert_eq!(
            (
                when.year(),
                when.month(),
                when.day(),
                when.hour(),
                when.minute(),
                when.second()
            ),
            (1980, 1, 1, 0, 0, 0)
        );
        let mut content = Vec::new();
        entry.read_to_end(&mut content).expect("inflate");
        seen.push((
            entry.name().expect("utf-8 name").to_string(),
            entry.unix_mode().expect("unix mode"),
            content.len(),
        ));
    }
    let expected = vec![
        (
            "demo-skill/SKILL.md".to_string(),
            0o100644,
            format!("{FRONT_MATTER}{BODY}").len(),
        ),
        (
            "demo-skill/bin/demo-helper".to_string(),
            0o100755,
            "#!/bin/sh\necho demo\n".len(),
        ),
        (
            "demo-skill/references/guide.md".to_string(),
            0o100644,
            guide().len(),
        ),
        (
            "demo-skill/scripts/run.py".to_string(),
            0o100755,
            "print('launcher stand-in')\n".len(),
        ),
    ];
    assert_eq!(seen, expected);
}

#[test]
fn python_zipfile_reads_the_zip() {
    let tmp = TempDir::new().expect("tempdir");
    let skill = write_skill(tmp.path(), NAME);
    let out = build(&skill, &tmp.path().join("dist"), tmp.path());
    assert_eq!(out.status.code(), Some(0));
    let script = concat!(
        "import sys, zipfile\n",
        "z = zipfile.ZipFile(sys.argv[1])\n",
        "assert z.testzip() is None\n",
        "for i in z.infolist():\n",
        "    print(i.filename, oct(i.external_attr >> 16), i.date_time, i.create_system, len(z.read(i)))\n",
    );
    let py = Command::new("python3")
        .args(["-c", script, "dist/demo-skill.zip"])
        .current_dir(tmp.path())
        .output()
        .expect("python3 is needed for this test (apt-get install python3)");
    assert!(
        py.status.success(),
        "{}",
        String::from_utf8_lossy(&py.stderr)
    );
    let skill_len = format!("{FRONT_MATTER}{BODY}").len();
    let guide_len = guide().len();
    // create_system 3 = Unix; 0o100644 = regular file rw-r--r--.
    let expected = format!(
        "demo-skill/SKILL.md 0o100644 (1980, 1, 1, 0, 0, 0) 3 {skill_len}\n\
demo-skill/bin/demo-helper 0o100755 (1980, 1, 1, 0, 0, 0) 3 20\n\
demo-skill/references/guide.md 0o100644 (1980, 1, 1, 0, 0, 0) 3 {guide_len}\n\
demo-skill/scripts/run.py 0o100644 (1980, 1, 1, 0, 0, 0) 3 27\n"
    );
    assert_eq!(String::from_utf8_lossy(&py.stdout), expected);
}

#[test]
fn build_refuses_a_symlink_and_writes_nothing() {
    let tmp = TempDir::new().expect("tempdir");
    let skill = write_skill(tmp.path(), NAME);
    std::os::unix::fs::symlink("/etc/hostname", skill.join("references/host.md")).expect("symlink");
    let out = build(&skill, &tmp.path().join("dist"), tmp.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("SP-P1"), "{}", stdout(&out));
    assert!(!tmp.path().join("dist/demo-skill.zip").exists());
}

#[test]
fn build_refuses_an_invalid_skill() {
    let tmp = TempDir::new().expect("tempdir");
    let skill = write_skill(tmp.path(), NAME);
    set_front_matter(
        &skill,
        "name: demo-skill\ndescription: \"Demo.\"\nwhen_to_use: \"always\"\n",
    );
    let out = build(&skill, &tmp.path().join("dist"), tmp.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("SP-F2"));
    assert!(!tmp.path().join("dist").exists());
}

#[test]
fn build_outside_a_workspace_without_no_cargo_is_a_usage_error() {
    let tmp = TempDir::new().expect("tempdir");
    let skill = write_skill(tmp.path(), NAME);
    let out = skill_pack(&["build", "--skill", &skill.to_string_lossy()], tmp.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not inside a Cargo workspace"));
}

#[test]
fn install_copies_then_is_a_no_op_then_refuses_a_different_skill_without_force() {
    let tmp = TempDir::new().expect("tempdir");
    let skill = write_skill(tmp.path(), NAME);
    let dest = tmp.path().join("home/.claude/skills/demo-skill");
    let args = [
        "install",
        &skill.to_string_lossy(),
        "--dest",
        &dest.to_string_lossy(),
    ]
    .map(String::from);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();

    let first = skill_pack(&args, tmp.path());
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(stdout(&first).ends_with(": installed\n"));
    assert_eq!(
        fs::read(dest.join("SKILL.md")).expect("installed SKILL.md"),
        fs::read(skill.join("SKILL.md")).expect("source")
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = fs::metadata(dest.join("bin/demo-helper"))
        .expect("helper")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o755);

    let again = skill_pack(&args, tmp.path());
    assert_eq!(again.status.code(), Some(0));
    assert!(stdout(&again).ends_with(": already installed, unchanged\n"));

    write(&dest.join("references/guide.md"), "# edited by the user\n");
    let refused = skill_pack(&args, tmp.path());
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--force"));
    assert_eq!(
        fs::read_to_string(dest.join("references/guide.md")).expect("kept"),
        "# edited by the user\n"
    );

    let mut forced = args.clone();
    forced.push("--force");
    let replaced = skill_pack(&forced, tmp.path());
    assert_eq!(replaced.status.code(), Some(0));
    assert!(stdout(&replaced).ends_with(": replaced\n"));
    assert_eq!(
        fs::read_to_string(dest.join("references/guide.md")).expect("restored"),
        guide()
    );
    // Nothing left behind beside the destination.
    let siblings: Vec<_> = fs::read_dir(dest.parent().expect("parent"))
        .expect("ls")
        .collect();
    assert_eq!(siblings.len(), 1);
}

#[test]
fn install_from_the_zip_defaults_to_home_claude_skills() {
    let tmp = TempDir::new().expect("tempdir");
    let skill = write_skill(tmp.path(), NAME);
    assert_eq!(
        build(&skill, &tmp.path().join("dist"), tmp.path())
            .status
            .code(),
        Some(0)
    );
    // skill_pack() sets HOME to the working directory.
    let out = skill_pack(&["install", "dist/demo-skill.zip"], tmp.path());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dest = tmp.path().join(".claude/skills/demo-skill");
    assert_eq!(
        fs::read_to_string(dest.join("references/guide.md")).expect("guide"),
        guide()
    );
    // Installing the folder it came from is the same content: a no-op.
    let same = skill_pack(&["install", &skill.to_string_lossy()], tmp.path());
    assert_eq!(same.status.code(), Some(0));
    assert!(
        stdout(&same).ends_with(": already installed, unchanged\n"),
        "{}",
        stdout(&same)
    );
}

#[test]
fn install_refuses_an_invalid_skill() {
    let tmp = TempDir::new().expect("tempdir");
    let skill = write_skill(tmp.path(), NAME);
    set_front_matter(&skill, "name: demo-skill\n");
    let out = skill_pack(
        &["install", &skill.to_string_lossy(), "--dest", "out"],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("SP-F6"));
    assert!(!tmp.path().join("out").exists());
}

#[test]
fn build_with_cargo_ships_a_static_helper_from_a_ship_true_crate() {
    // A one-crate workspace: `demo-helper` ships, `not-shipped` does not.
    let tmp = TempDir::new().expect("tempdir");
    let root = tmp.path();
    write(
        &root.join("Cargo.toml"),
        "[workspace]\nresolver = \"3\"\nmembers = [\"crates/*\"]\n",
    );
    for (name, ship) in [("demo-helper", true), ("not-shipped", false)] {
        write(
            &root.join(format!("crates/{name}/Cargo.toml")),
            &format!(
                "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n\
                 [package.metadata.paper-replication]\nship = {ship}\n"
            ),
        );
        write(
            &root.join(format!("crates/{name}/src/main.rs")),
            "fn main() { println!(\"built helper\"); }\n",
        );
    }
    let skill = write_skill(&root.join("skill"), NAME);
    // A stale binary from an earlier build must disappear.
    write_exec(&skill.join("bin/removed-helper"), "#!/bin/sh\n");
    let out = Command::new(env!("CARGO_BIN_EXE_skill-pack"))
        .args(["build", "--skill", "skill/demo-skill", "--out", "dist"])
        .current_dir(root)
        .env("CARGO_TARGET_DIR", root.join("target"))
        .output()
        .expect("run skill-pack build");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let helper = skill.join("bin/demo-helper");
    let names: Vec<String> = fs::read_dir(skill.join("bin"))
        .expect("bin")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["demo-helper"]);
    let ran = Command::new(&helper)
        .output()
        .expect("run the built helper");
    assert_eq!(String::from_utf8_lossy(&ran.stdout), "built helper\n");
    // `file` (libmagic) is the independent judge of static linking.
    let file = Command::new("file")
        .arg(&helper)
        .output()
        .expect("the `file` command is needed for this test (apt-get install file)");
    let verdict = String::from_utf8_lossy(&file.stdout);
    assert!(verdict.contains("x86-64"), "{verdict}");
    assert!(
        verdict.contains("statically linked") || verdict.contains("static-pie linked"),
        "{verdict}"
    );
    assert!(root.join("dist/demo-skill.zip").is_file());
}
