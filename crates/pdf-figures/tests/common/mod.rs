//! A minimal PDF writer for fixtures whose every byte the test chooses, and helpers to run the
//! binary and read its PNGs.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Objects are numbered from 1 in the order they are added.
#[derive(Default)]
pub struct Pdf {
    objects: Vec<Vec<u8>>,
}

impl Pdf {
    /// Adds an object body (`<< ... >>`, `[ ... ]`, ...) and returns its number.
    pub fn add(&mut self, body: &str) -> usize {
        self.objects.push(body.as_bytes().to_vec());
        self.objects.len()
    }

    /// Reserves a number for an object written later with [`Pdf::set`].
    pub fn reserve(&mut self) -> usize {
        self.add("null")
    }

    /// Replaces object `n`.
    pub fn set(&mut self, n: usize, body: &str) {
        self.objects[n - 1] = body.as_bytes().to_vec();
    }

    /// Adds a stream; `dict` is the dictionary's inside without `/Length`.
    pub fn stream(&mut self, dict: &str, data: &[u8]) -> usize {
        let mut body = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
        body.extend_from_slice(data);
        body.extend_from_slice(b"\nendstream");
        self.objects.push(body);
        self.objects.len()
    }

    /// Adds a Flate-compressed stream.
    pub fn flate_stream(&mut self, dict: &str, data: &[u8]) -> usize {
        self.stream(&format!("{dict} /Filter /FlateDecode"), &deflate(data))
    }

    /// Pages tree + catalog for the given page objects (already added, with `/Parent` set by
    /// the `parent` number passed to [`Pdf::page`]).
    pub fn finish(mut self, pages: usize, kids: &[usize], trailer_extra: &str) -> Vec<u8> {
        let kids: Vec<String> = kids.iter().map(|k| format!("{k} 0 R")).collect();
        self.set(
            pages,
            &format!(
                "<< /Type /Pages /Kids [{}] /Count {} >>",
                kids.join(" "),
                kids.len()
            ),
        );
        let root = self.add(&format!("<< /Type /Catalog /Pages {pages} 0 R >>"));
        let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
        let mut offsets = Vec::new();
        for (i, body) in self.objects.iter().enumerate() {
            offsets.push(out.len());
            writeln!(out, "{} 0 obj", i + 1).unwrap();
            out.extend_from_slice(body);
            out.extend_from_slice(b"\nendobj\n");
        }
        let xref = out.len();
        write!(
            out,
            "xref\n0 {}\n0000000000 65535 f \n",
            self.objects.len() + 1
        )
        .unwrap();
        for o in offsets {
            writeln!(out, "{o:010} 00000 n ").unwrap();
        }
        write!(
            out,
            "trailer\n<< /Size {} /Root {root} 0 R {trailer_extra} >>\nstartxref\n{xref}\n%%EOF\n",
            self.objects.len() + 1
        )
        .unwrap();
        out
    }

    /// Adds a page with the given content and resources; returns its number.
    pub fn page(&mut self, parent: usize, content: &[u8], resources: &str, extra: &str) -> usize {
        let c = self.stream("", content);
        self.add(&format!(
            "<< /Type /Page /Parent {parent} 0 R /MediaBox [0 0 612 792] /Contents {c} 0 R /Resources << {resources} >> {extra} >>"
        ))
    }
}

/// zlib-compresses `data`.
pub fn deflate(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// LZW-encodes `data` as PDF's LZWDecode reads it with the default /EarlyChange 1: 9- to 12-bit
/// codes, most significant bit first, a clear code first and whenever the table is full.
pub fn lzw(data: &[u8]) -> Vec<u8> {
    const CLEAR: u32 = 256;
    const EOD: u32 = 257;
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u64, 0u32);
    let mut emit = |code: u32, width: u32, out: &mut Vec<u8>| {
        acc = acc << width | u64::from(code);
        bits += width;
        while bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    };
    let mut table: std::collections::HashMap<(u32, u8), u32> = std::collections::HashMap::new();
    let (mut next, mut width) = (258u32, 9u32);
    emit(CLEAR, width, &mut out);
    let mut current: Option<u32> = None;
    for &byte in data {
        let Some(prefix) = current else {
            current = Some(u32::from(byte));
            continue;
        };
        if let Some(&code) = table.get(&(prefix, byte)) {
            current = Some(code);
            continue;
        }
        emit(prefix, width, &mut out);
        table.insert((prefix, byte), next);
        next += 1;
        // The reader's table is one entry behind ours; with early change it widens its codes
        // one entry early, i.e. when our next free code reaches a power of two.
        width = lzw_width(next);
        if next == 4094 {
            emit(CLEAR, width, &mut out);
            table.clear();
            (next, width) = (258, 9);
        }
        current = Some(u32::from(byte));
    }
    if let Some(prefix) = current {
        emit(prefix, width, &mut out);
    }
    // EOD is read at the width the reader has after adding the entry for the last code.
    if current.is_some() {
        width = lzw_width(next + 1);
    }
    emit(EOD, width, &mut out);
    if bits > 0 {
        out.push((acc << (8 - bits)) as u8);
    }
    out
}

/// ASCII85 (PDF 32000-1 7.4.3) with the `~>` end marker.
pub fn ascii85(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for chunk in data.chunks(4) {
        let mut word = [0u8; 4];
        word[..chunk.len()].copy_from_slice(chunk);
        let mut v = u32::from_be_bytes(word);
        if chunk.len() == 4 && v == 0 {
            out.push(b'z');
            continue;
        }
        let mut digits = [0u8; 5];
        for d in digits.iter_mut().rev() {
            *d = b'!' + (v % 85) as u8;
            v /= 85;
        }
        out.extend_from_slice(&digits[..chunk.len() + 1]);
    }
    out.extend_from_slice(b"~>");
    out
}

/// RunLength with literal runs only, then the end-of-data byte.
pub fn run_length_literal(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for chunk in data.chunks(128) {
        out.push((chunk.len() - 1) as u8);
        out.extend_from_slice(chunk);
    }
    out.push(128);
    out
}

/// Code width of the reader whose table will next be extended with code `next - 1`.
fn lzw_width(next: u32) -> u32 {
    match next {
        n if n >= 2048 => 12,
        n if n >= 1024 => 11,
        n if n >= 512 => 10,
        _ => 9,
    }
}

/// A one-page document: content and resources.
pub fn one_page(
    content: &[u8],
    resources: &str,
    setup: impl FnOnce(&mut Pdf) -> String,
) -> Vec<u8> {
    let mut pdf = Pdf::default();
    let pages = pdf.reserve();
    let res = setup(&mut pdf);
    let page = pdf.page(pages, content, &format!("{resources} {res}"), "");
    pdf.finish(pages, &[page], "")
}

/// Runs `pdf-figures` on `pdf` written to a temp dir; returns (output, out dir, temp dir guard).
pub fn run(pdf: &[u8], args: &[&str]) -> (Output, PathBuf, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.pdf");
    std::fs::write(&input, pdf).unwrap();
    let out = dir.path().join("out");
    let output = Command::new(env!("CARGO_BIN_EXE_pdf-figures"))
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .args(args)
        .output()
        .unwrap();
    (output, out, dir)
}

/// Runs and expects success; returns the manifest and the out dir.
pub fn run_ok(pdf: &[u8]) -> (serde_json::Value, PathBuf, tempfile::TempDir) {
    run_ok_with(pdf, &[])
}

/// [`run_ok`] with extra arguments.
pub fn run_ok_with(pdf: &[u8], args: &[&str]) -> (serde_json::Value, PathBuf, tempfile::TempDir) {
    let (output, out, dir) = run(pdf, args);
    assert!(
        output.status.success(),
        "pdf-figures {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    (serde_json::from_str(&manifest).unwrap(), out, dir)
}

/// Decodes a PNG to (width, height, channels, 8-bit samples).
pub fn read_png(path: &Path) -> (u32, u32, usize, Vec<u8>) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    (info.width, info.height, info.color_type.samples(), buf)
}

/// Decodes a 16-bit PNG to (width, height, channels, samples); fails on any other depth.
pub fn read_png16(path: &Path) -> (u32, u32, usize, Vec<u16>) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    assert_eq!(
        reader.info().bit_depth,
        png::BitDepth::Sixteen,
        "{}",
        path.display()
    );
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    let samples = buf
        .chunks_exact(2)
        .map(|b| u16::from_be_bytes([b[0], b[1]]))
        .collect();
    (info.width, info.height, info.color_type.samples(), samples)
}

/// The workspace root (two levels above this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `../shared/corpus/papers` (or `$PAPER_REPLICATION_SHARED/corpus/papers`); panics with how to
/// get it when it is missing, so corpus tests fail loudly instead of passing silently.
///
/// Only the corpus tier (`tests/corpus*.rs`, built with `--features corpus`) may read it: without
/// the feature it does not exist, so a test of the ordinary tier that needs ../shared fails to
/// compile on every machine instead of failing on clones without ../shared.
#[cfg(feature = "corpus")]
pub fn shared_papers() -> PathBuf {
    let dir = std::env::var_os("PAPER_REPLICATION_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("../shared"));
    let papers = dir.join("corpus/papers");
    assert!(
        papers.is_dir(),
        "corpus missing: {} does not exist; put the shared reference folder next to the \
         workspace (../shared) or set PAPER_REPLICATION_SHARED to it",
        papers.display()
    );
    papers
}
