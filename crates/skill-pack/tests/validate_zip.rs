//! `skill-pack validate ZIP`: ZIP-only rules (Z1-Z6, P1/P2 entries), each on a ZIP built here
//! with the `zip` crate from the valid fixture skill plus one defect.

mod common;

use common::*;
use std::io::Write;
use std::path::Path;
use tempfile::TempDir;
use zip::write::SimpleFileOptions;

/// The valid fixture skill as (entry name, bytes, mode) under the top folder `top`.
fn fixture_entries(top: &str) -> Vec<(String, Vec<u8>, u32)> {
    vec![
        (
            format!("{top}/SKILL.md"),
            format!("{FRONT_MATTER}{BODY}").into_bytes(),
            0o644,
        ),
        (
            format!("{top}/bin/demo-helper"),
            b"#!/bin/sh\necho demo\n".to_vec(),
            0o755,
        ),
        (
            format!("{top}/references/guide.md"),
            guide().into_bytes(),
            0o644,
        ),
        (
            format!("{top}/scripts/run.py"),
            b"print('launcher stand-in')\n".to_vec(),
            0o644,
        ),
    ]
}

fn write_zip(path: &Path, entries: &[(String, Vec<u8>, u32)]) {
    let file = std::fs::File::create(path).expect("create zip");
    let mut zip = zip::ZipWriter::new(file);
    for (name, data, mode) in entries {
        let options = SimpleFileOptions::default().unix_permissions(*mode);
        zip.start_file(name.as_str(), options).expect("start file");
        zip.write_all(data).expect("write entry");
    }
    zip.finish().expect("finish zip");
}

fn check_zip(
    entries: Vec<(String, Vec<u8>, u32)>,
) -> (i32, Vec<String>, Vec<(String, String, u64)>) {
    let tmp = TempDir::new().expect("tempdir");
    let path = tmp.path().join("upload.zip");
    write_zip(&path, &entries);
    let (code, findings) = validate_json(&path, tmp.path());
    (code, codes(&findings), findings)
}

/// Asserts that `entries` fail validation with exactly the rule `expected`.
fn assert_zip_error(entries: Vec<(String, Vec<u8>, u32)>, expected: &str) {
    let (code, codes, findings) = check_zip(entries);
    assert_eq!(code, 1, "{expected}: {findings:?}");
    assert_eq!(codes, vec![expected.to_string()], "{findings:?}");
}

fn with(extra: &[(&str, &[u8])]) -> Vec<(String, Vec<u8>, u32)> {
    let mut entries = fixture_entries(NAME);
    for (name, data) in extra {
        entries.push((name.to_string(), data.to_vec(), 0o644));
    }
    entries
}

#[test]
fn valid_zip_passes() {
    let (code, codes, findings) = check_zip(fixture_entries(NAME));
    assert_eq!(code, 0, "{findings:?}");
    assert!(codes.is_empty(), "{findings:?}");
}

#[test]
fn z1_two_top_level_folders() {
    assert_zip_error(with(&[("other/notes.md", b"# other\n")]), "SP-Z1");
}

#[test]
fn z1_file_outside_the_top_folder() {
    assert_zip_error(with(&[("README.md", b"# loose\n")]), "SP-Z1");
}

#[test]
fn z1_files_directly_at_the_root_without_a_folder() {
    let entries: Vec<_> = fixture_entries(NAME)
        .into_iter()
        .map(|(n, d, m)| (n.trim_start_matches("demo-skill/").to_string(), d, m))
        .collect();
    let (code, codes, _) = check_zip(entries);
    assert_eq!(code, 1);
    assert!(codes.contains(&"SP-Z1".to_string()), "{codes:?}");
}

#[test]
fn z2_two_skill_md_files() {
    assert_zip_error(
        with(&[("demo-skill/references/SKILL.md", b"---\n")]),
        "SP-Z2",
    );
}

#[test]
fn z2_skill_md_nested_too_deep() {
    let entries: Vec<_> = fixture_entries(NAME)
        .into_iter()
        .map(|(n, d, m)| {
            (
                n.replace("demo-skill/SKILL.md", "demo-skill/skills/SKILL.md"),
                d,
                m,
            )
        })
        .collect();
    let (code, codes, _) = check_zip(entries);
    assert_eq!(code, 1);
    assert!(codes.contains(&"SP-Z2".to_string()), "{codes:?}");
}

#[test]
fn z3_plugin_manifest() {
    assert_zip_error(
        with(&[("demo-skill/.claude-plugin/plugin.json", b"{}\n")]),
        "SP-Z3",
    );
}

#[test]
fn z4_too_many_files() {
    let names: Vec<String> = (0..197)
        .map(|i| format!("demo-skill/assets/a{i:03}.dat"))
        .collect();
    let extra: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b"x"[..])).collect();
    assert_zip_error(with(&extra), "SP-Z4");
}

#[test]
fn z4_exactly_200_files_is_fine() {
    let names: Vec<String> = (0..196)
        .map(|i| format!("demo-skill/assets/a{i:03}.dat"))
        .collect();
    let extra: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b"x"[..])).collect();
    let (code, codes, _) = check_zip(with(&extra));
    assert_eq!(code, 0);
    assert!(codes.is_empty());
}

#[test]
fn z5_too_large_uncompressed() {
    let fixture_bytes: usize = fixture_entries(NAME).iter().map(|e| e.1.len()).sum();
    // Exactly 30,000,000 bytes in total: the limit is "less than", so this fails.
    let zeros = vec![0u8; 30_000_000 - fixture_bytes];
    assert_zip_error(with(&[("demo-skill/assets/zeros.bin", &zeros)]), "SP-Z5");
}

#[test]
fn z6_junk_entries() {
    for junk in [
        "__MACOSX/demo-skill/._SKILL.md",
        "demo-skill/.DS_Store",
        "demo-skill/scripts/__pycache__/run.cpython-311.pyc",
        "demo-skill/node_modules/x/index.js",
        "demo-skill/.gitignore",
        "demo-skill/evals/evals.json",
    ] {
        let (code, codes, findings) = check_zip(with(&[(junk, b"junk")]));
        assert_eq!(code, 1, "{junk}");
        assert!(codes.contains(&"SP-Z6".to_string()), "{junk}: {findings:?}");
        assert!(
            !codes.contains(&"SP-Z1".to_string()),
            "{junk}: junk must not count as a second root"
        );
    }
}

#[test]
fn p1_symlink_entry() {
    let tmp = TempDir::new().expect("tempdir");
    let path = tmp.path().join("upload.zip");
    let file = std::fs::File::create(&path).expect("create");
    let mut zip = zip::ZipWriter::new(file);
    for (name, data, mode) in fixture_entries(NAME) {
        zip.start_file(name, SimpleFileOptions::default().unix_permissions(mode))
            .expect("start");
        zip.write_all(&data).expect("write");
    }
    zip.add_symlink(
        "demo-skill/references/passwd.md",
        "/etc/passwd",
        SimpleFileOptions::default(),
    )
    .expect("symlink");
    zip.finish().expect("finish");
    let (code, findings) = validate_json(&path, tmp.path());
    assert_eq!(code, 1);
    assert_eq!(codes(&findings), vec!["SP-P1"]);
}

#[test]
fn p2_dotdot_entry() {
    let (code, codes, _) = check_zip(with(&[("demo-skill/../evil.sh", b"rm -rf /")]));
    assert_eq!(code, 1);
    assert!(codes.contains(&"SP-P2".to_string()), "{codes:?}");
}

#[test]
fn f5_top_folder_differs_from_name() {
    assert_zip_error(fixture_entries("skills"), "SP-F5");
}

#[test]
fn h1_zip_without_the_helper_binary() {
    let entries: Vec<_> = fixture_entries(NAME)
        .into_iter()
        .filter(|e| !e.0.contains("/bin/"))
        .collect();
    assert_zip_error(entries, "SP-H1");
}

#[test]
fn not_a_zip_is_a_usage_error() {
    let tmp = TempDir::new().expect("tempdir");
    let path = tmp.path().join("broken.zip");
    std::fs::write(&path, b"not a zip").expect("write");
    let out = skill_pack(&["validate", "broken.zip"], tmp.path());
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("skill-pack: broken.zip: "), "{stderr}");
}
