//! Hostile input (issue 20), each crafted case built at test time: a front matter of 100 k `[`,
//! a 1 GiB entry, an entry that inflates past its declared size, a name of 30 k parts, a 3 GB
//! file in a folder, an oversized ZIP and a FIFO. Each ends quickly with exit 1 (a finding) or
//! 2 (one line on stderr) and never reads the large bytes into memory.

mod common;

use common::*;
use std::io::Write;
use std::path::Path;
use std::process::Output;
use tempfile::TempDir;
use zip::write::SimpleFileOptions;

fn write_zip(path: &Path, entries: &[(&str, &[u8])]) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, data) in entries {
        let options = SimpleFileOptions::default().large_file(data.len() >= u32::MAX as usize);
        zip.start_file(*name, options).unwrap();
        zip.write_all(data).unwrap();
    }
    zip.finish().unwrap();
}

fn validate(target: &Path, cwd: &Path) -> Output {
    skill_pack(&["validate", &target.to_string_lossy()], cwd)
}

/// Exit 2 with exactly one line on stderr containing `needle`.
fn refused(o: &Output, needle: &str) {
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}{}", stdout(o));
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains(needle), "{err}");
}

/// Exit 1 with a finding containing `needle` and nothing on stderr.
fn finding(o: &Output, needle: &str) {
    let out = stdout(o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains(needle), "{out}");
    assert!(
        o.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn skill_md(yaml: &str) -> Vec<u8> {
    format!("---\n{yaml}\n---\n{BODY}").into_bytes()
}

#[test]
fn a_front_matter_of_100k_brackets_is_refused_before_parsing() {
    let tmp = TempDir::new().unwrap();
    let zip = tmp.path().join("s.zip");
    let md = skill_md(&format!("name: s\ndescription: {}", "[".repeat(100_000)));
    write_zip(&zip, &[("s/SKILL.md", &md)]);
    // The file was 552 bytes.
    assert!(std::fs::metadata(&zip).unwrap().len() < 2_000);
    finding(
        &validate(&zip, tmp.path()),
        "SP-F1 error: front matter is 100021 bytes; at most 65536 are read",
    );
}

#[test]
fn brackets_under_the_size_cap_are_refused_by_the_nesting_check() {
    let tmp = TempDir::new().unwrap();
    let skill = write_skill(tmp.path(), NAME);
    // `description:` opens one block level, then 30,000 flow levels.
    set_front_matter(
        &skill,
        &format!("name: {NAME}\ndescription: {}\n", "[".repeat(30_000)),
    );
    finding(
        &validate(&skill, tmp.path()),
        "front matter nests 30001 levels deep; at most 32 are read",
    );
}

#[test]
fn a_1_gib_entry_is_listed_but_never_inflated() {
    let tmp = TempDir::new().unwrap();
    let zip = tmp.path().join("s.zip");
    // Written in 1 MiB pieces at the fastest level (the spaces still compress 1000:1).
    let mut w = zip::ZipWriter::new(std::fs::File::create(&zip).unwrap());
    let options = SimpleFileOptions::default()
        .compression_level(Some(1))
        .large_file(true);
    w.start_file("s/SKILL.md", options).unwrap();
    let head = skill_md("name: s\ndescription: d");
    w.write_all(&head).unwrap();
    let spaces = vec![b' '; 1 << 20];
    for _ in 0..1024 {
        w.write_all(&spaces).unwrap();
    }
    w.finish().unwrap();
    let o = validate(&zip, tmp.path());
    finding(
        &o,
        &format!(
            "SP-Z5 error: {} bytes uncompressed",
            (1u64 << 30) + head.len() as u64
        ),
    );
    finding(
        &o,
        &format!(
            "SP-F1 error: SKILL.md cannot be read: {} bytes, more than a whole upload may hold (30000000); not read",
            (1u64 << 30) + head.len() as u64
        ),
    );
}

#[test]
fn an_entry_that_inflates_past_its_declared_size_is_refused() {
    let tmp = TempDir::new().unwrap();
    let zip = tmp.path().join("s.zip");
    let md = skill_md("name: s\ndescription: d");
    write_zip(&zip, &[("s/SKILL.md", &md)]);
    // Declare 10 bytes in both the local header (offset 22) and the central directory entry
    // (offset 24), as a ZIP bomb's headers lie.
    let mut data = std::fs::read(&zip).unwrap();
    let at = |sig: &[u8]| data.windows(4).position(|w| w == sig).unwrap();
    let (local, central) = (at(b"PK\x03\x04"), at(b"PK\x01\x02"));
    data[local + 22..local + 26].copy_from_slice(&10u32.to_le_bytes());
    data[central + 24..central + 28].copy_from_slice(&10u32.to_le_bytes());
    std::fs::write(&zip, data).unwrap();
    refused(&validate(&zip, tmp.path()), "declare");
}

#[test]
fn an_entry_name_of_30k_parts_is_refused() {
    let tmp = TempDir::new().unwrap();
    let zip = tmp.path().join("s.zip");
    let name = format!("s/{}x.md", "a/".repeat(30_000));
    write_zip(
        &zip,
        &[
            ("s/SKILL.md", &skill_md("name: s\ndescription: d")),
            (&name, b"x"),
        ],
    );
    refused(
        &validate(&zip, tmp.path()),
        "name of 60006 bytes in 30002 parts; no skill needs more than 1024 bytes or 32 parts",
    );
}

#[test]
fn a_3_gb_file_in_a_folder_is_never_read() {
    let tmp = TempDir::new().unwrap();
    let skill = write_skill(tmp.path(), NAME);
    // Sparse: the file system stores no data, so only reading it would cost.
    let big = std::fs::File::create(skill.join("references/huge.md")).unwrap();
    big.set_len(3 << 30).unwrap();
    let o = validate(&skill, tmp.path());
    finding(&o, "SP-Z5 error");
    finding(
        &o,
        "huge.md:0: SP-E1 error: file cannot be read: 3221225472 bytes, more than a whole upload may hold (30000000); not read",
    );
}

#[test]
fn a_zip_far_over_the_upload_limit_or_not_a_file_is_refused_unread() {
    let tmp = TempDir::new().unwrap();
    let zip = tmp.path().join("big.zip");
    std::fs::File::create(&zip)
        .unwrap()
        .set_len(300_000_000)
        .unwrap();
    refused(
        &validate(&zip, tmp.path()),
        "300000000 bytes: far over the upload limit",
    );
    let fifo = tmp.path().join("s.zip");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    refused(&validate(&fifo, tmp.path()), "s.zip");
}

#[test]
fn an_entry_name_with_a_line_break_stays_on_one_error_line() {
    // Found by scripts/fuzz.py (zip case 3390 of seed 20): an entry named "s/SKILL\nmd" whose
    // checksum is wrong printed its name across two lines.
    let tmp = TempDir::new().unwrap();
    let zip = tmp.path().join("s.zip");
    write_zip(&zip, &[("s/SKILL\nmd", b"hello")]);
    let mut data = std::fs::read(&zip).unwrap();
    let at = |sig: &[u8]| data.windows(4).position(|w| w == sig).unwrap();
    let (local, central) = (at(b"PK\x03\x04"), at(b"PK\x01\x02"));
    // CRC-32 at offset 14 of the local header and 16 of the central directory entry.
    data[local + 14..local + 18].copy_from_slice(&[1, 2, 3, 4]);
    data[central + 16..central + 20].copy_from_slice(&[1, 2, 3, 4]);
    std::fs::write(&zip, data).unwrap();
    refused(
        &validate(&zip, tmp.path()),
        "cannot read entry s/SKILL\\nmd:",
    );
}
