//! The binary on bad input and existing output: one error line, exit 2, nothing left behind.

mod common;
use common::{Pdf, one_page, run};

/// Runs on `pdf`, expects exit 2 with one stderr line containing `needle`, and no output.
fn rejects(pdf: &[u8], args: &[&str], needle: &str) {
    let (output, out, dir) = run(pdf, args);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "stderr: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "stderr: {stderr}");
    assert!(stderr.starts_with("pdf-figures: "), "{stderr}");
    assert!(stderr.contains(needle), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!out.exists(), "partial output left behind");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(
        leftovers.len(),
        1,
        "only the input may remain: {leftovers:?}"
    );
}

fn text_page() -> Vec<u8> {
    one_page(b"BT /F1 10 Tf 72 700 Td (Hello) Tj ET", "", |pdf| {
        let f = pdf.add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
        format!("/Font << /F1 {f} 0 R >>")
    })
}

#[test]
fn non_pdf_is_rejected() {
    rejects(b"GIF89a not a pdf at all", &[], "not a PDF");
}

#[test]
fn truncated_pdf_is_rejected() {
    let pdf = text_page();
    rejects(&pdf[..pdf.len() / 2], &[], "truncated");
}

#[test]
fn zero_page_pdf_is_rejected() {
    let mut pdf = Pdf::default();
    let pages = pdf.reserve();
    rejects(&pdf.finish(pages, &[], ""), &[], "no pages");
}

#[test]
fn page_tree_cycle_is_rejected_without_hanging() {
    // The only kid of the page tree is the page tree itself.
    let mut pdf = Pdf::default();
    let pages = pdf.reserve();
    let mut bytes = pdf.finish(pages, &[], "");
    let at = bytes.windows(8).position(|w| w == b"/Kids []").unwrap();
    bytes.splice(at..at + 8, b"/Kids [1 0 R]".iter().copied());
    // Offsets after the edit moved by 5 bytes; hayro rebuilds the xref table by scanning.
    rejects(&bytes, &[], "no pages");
}

#[test]
fn encrypted_pdf_needing_a_password_is_rejected() {
    let mut pdf = Pdf::default();
    let pages = pdf.reserve();
    let page = pdf.page(pages, b"", "", "");
    let enc = pdf.add(
        "<< /Filter /Standard /V 2 /R 3 /Length 128 /P -4 \
         /O <0000000000000000000000000000000000000000000000000000000000000000> \
         /U <1111111111111111111111111111111111111111111111111111111111111111> >>",
    );
    let bytes = pdf.finish(
        pages,
        &[page],
        &format!("/Encrypt {enc} 0 R /ID [<00112233445566778899AABBCCDDEEFF> <00112233445566778899AABBCCDDEEFF>]"),
    );
    rejects(&bytes, &[], "encrypted");
}

fn image_of(w: u32, h: u32, data: &[u8], filter: &str) -> Vec<u8> {
    one_page(b"q 100 0 0 100 72 72 cm /Im0 Do Q", "", |pdf| {
        let im = pdf.stream(
            &format!("/Type /XObject /Subtype /Image /Width {w} /Height {h} /ColorSpace /DeviceGray /BitsPerComponent 8 {filter}"),
            data,
        );
        format!("/XObject << /Im0 {im} 0 R >>")
    })
}

#[test]
fn huge_image_is_refused_and_the_limit_can_be_raised() {
    rejects(
        &image_of(100_000, 100_000, &[0; 16], ""),
        &[],
        "--max-image-pixels",
    );
    let small = image_of(200, 200, &[7; 40_000], "");
    rejects(
        &small,
        &["--max-image-pixels", "1000"],
        "exceeds the limit of 1000",
    );
    let (output, _, _d) = run(&small, &["--max-image-pixels", "40000"]);
    assert!(output.status.success());
}

#[test]
fn decompression_bomb_is_refused_and_the_limit_can_be_raised() {
    let zeros = vec![0u8; 8 << 20];
    let bomb = common::deflate(&zeros);
    assert!(bomb.len() < 20_000);
    let doc = image_of(4096, 2048, &bomb, "/Filter /FlateDecode");
    rejects(
        &doc,
        &["--max-stream-bytes", "1000000"],
        "--max-stream-bytes",
    );
    let (output, _, _d) = run(&doc, &[]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn self_drawing_form_terminates() {
    // A form that draws itself: hayro stops at its nesting limit; the page text still comes out.
    let mut pdf = Pdf::default();
    let pages = pdf.reserve();
    let font = pdf.add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
    let form = pdf.reserve();
    pdf.set(
        form,
        &format!(
            "<< /Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /XObject << /Fm0 {form} 0 R >> >> /Length 7 >>\nstream\n/Fm0 Do\nendstream"
        ),
    );
    let page = pdf.page(
        pages,
        b"/Fm0 Do BT /F1 10 Tf 72 700 Td (Still here) Tj ET",
        &format!("/XObject << /Fm0 {form} 0 R >> /Font << /F1 {font} 0 R >>"),
        "",
    );
    let (output, out, _d) = run(&pdf.finish(pages, &[page], ""), &[]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = std::fs::read_to_string(out.join("text/page-1.txt")).unwrap();
    assert_eq!(text.trim(), "Still here");
}

#[test]
fn existing_output_needs_force() {
    let pdf = text_page();
    let (first, out, dir) = run(&pdf, &[]);
    assert!(first.status.success());
    std::fs::write(out.join("mine.txt"), "keep").unwrap();
    let input = dir.path().join("in.pdf");
    let again = std::process::Command::new(env!("CARGO_BIN_EXE_pdf-figures"))
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    assert!(out.join("mine.txt").exists(), "existing output was touched");
    let forced = std::process::Command::new(env!("CARGO_BIN_EXE_pdf-figures"))
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .arg("--force")
        .output()
        .unwrap();
    assert!(forced.status.success());
    assert!(!out.join("mine.txt").exists());
    assert!(out.join("manifest.json").exists());
}

#[test]
fn output_is_deterministic() {
    let pdf = text_page();
    let (_, a, _d1) = run(&pdf, &[]);
    let (_, b, _d2) = run(&pdf, &[]);
    assert_eq!(
        std::fs::read(a.join("manifest.json")).unwrap(),
        std::fs::read(b.join("manifest.json")).unwrap()
    );
}

#[test]
fn json_flag_prints_the_manifest() {
    let (output, out, _d) = run(&text_page(), &["--json"]);
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        std::fs::read_to_string(out.join("manifest.json")).unwrap()
    );
}
