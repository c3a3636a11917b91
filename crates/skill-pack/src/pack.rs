//! The reproducible ZIP writer: same files in, same bytes out.
//!
//! Entries are the tree's files in byte order of their paths under one top folder, with the
//! DOS epoch (1980-01-01 00:00) as timestamp, Unix mode 0755 for executables and 0644 for the
//! rest, "made by Unix", no directory entries and no extra fields, deflated at level 9 by the
//! pinned pure-Rust deflate backend.

use crate::tree::SkillTree;
use sha2::{Digest, Sha256};
use std::io::{Cursor, Write};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, System, ZipWriter};

/// Packs `tree` as `<tree.folder>/<path>` entries.
pub fn pack(tree: &SkillTree) -> std::io::Result<Vec<u8>> {
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    for (rel, file) in &tree.files {
        let mode = if file.executable { 0o755 } else { 0o644 };
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .compression_level(Some(9))
            .last_modified_time(DateTime::default())
            .system(System::Unix)
            .unix_permissions(mode)
            .large_file(false);
        writer
            .start_file(format!("{}/{rel}", tree.folder), options)
            .map_err(std::io::Error::other)?;
        writer.write_all(&file.read()?)?;
    }
    let cursor = writer.finish().map_err(std::io::Error::other)?;
    Ok(cursor.into_inner())
}

/// Lowercase hex SHA-256 of `data`.
pub fn sha256_hex(data: &[u8]) -> String {
    Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
