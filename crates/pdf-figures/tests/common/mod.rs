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
    let (output, out, dir) = run(pdf, &[]);
    assert!(
        output.status.success(),
        "pdf-figures failed: {}",
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

/// The workspace root (two levels above this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}
