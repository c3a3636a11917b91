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
fn flate_bomb_is_refused_and_the_limit_can_be_raised() {
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

/// Writes reserved object `number` as a form with resource entries `resources` and `content`.
fn set_form(pdf: &mut Pdf, number: usize, resources: &str, content: &str) {
    set_form_with(pdf, number, &format!("<< {resources} >>"), content);
}

/// Like [`set_form`] with the whole `/Resources` value given (a dictionary or a reference).
fn set_form_with(pdf: &mut Pdf, number: usize, resources: &str, content: &str) {
    pdf.set(
        number,
        &format!(
            "<< /Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources {resources} /Length {} >>\nstream\n{content}\nendstream",
            content.len()
        ),
    );
}

/// A page that draws form 1, which draws form 2, ... down to form `n`, which fills a square:
/// `n` levels of nesting below the page.
fn nested_forms(n: usize) -> Vec<u8> {
    let mut pdf = Pdf::default();
    let pages = pdf.reserve();
    let forms: Vec<usize> = (0..n).map(|_| pdf.reserve()).collect();
    for (i, &form) in forms.iter().enumerate() {
        let (content, resources) = match forms.get(i + 1) {
            Some(next) => (
                "/Fm Do".to_string(),
                format!("/XObject << /Fm {next} 0 R >>"),
            ),
            None => ("0 0 10 10 re f".to_string(), String::new()),
        };
        set_form(&mut pdf, form, &resources, &content);
    }
    let page = pdf.page(
        pages,
        b"/Fm Do",
        &format!("/XObject << /Fm {} 0 R >>", forms[0]),
        "",
    );
    pdf.finish(pages, &[page], "")
}

/// Runs on `pdf`, expects success; returns the manifest.
fn succeeds(pdf: &[u8], args: &[&str]) -> serde_json::Value {
    let (output, out, _d) = run(pdf, args);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap()
}

/// The one image of a manifest was decoded (so the stream was what its filter says).
fn decoded_one_image(m: &serde_json::Value, width: u64, height: u64) {
    assert_eq!(m["skipped"]["undecodable"], 0, "{m:#}");
    let images = m["images"].as_array().unwrap();
    assert_eq!(images.len(), 1, "{m:#}");
    assert_eq!(
        (images[0]["width"].as_u64(), images[0]["height"].as_u64()),
        (Some(width), Some(height))
    );
}

#[test]
fn nesting_up_to_the_limit_passes_and_one_more_level_is_refused() {
    succeeds(&nested_forms(5), &["--max-depth", "5"]);
    rejects(&nested_forms(6), &["--max-depth", "5"], "--max-depth");
    // The default limit is 32 levels.
    succeeds(&nested_forms(32), &[]);
    rejects(
        &nested_forms(33),
        &[],
        "content nested more than 32 levels deep",
    );
    succeeds(&nested_forms(33), &["--max-depth", "33"]);
}

#[test]
fn max_depth_beyond_the_interpreter_cap_is_a_usage_error() {
    // hayro stops drawing at 50 levels whatever we allow, so more cannot be promised.
    let (output, out, _d) = run(&nested_forms(1), &["--max-depth", "51"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--max-depth"));
    assert!(!out.exists());
}

#[test]
fn form_that_draws_itself_is_a_reference_cycle() {
    let mut pdf = Pdf::default();
    let pages = pdf.reserve();
    let form = pdf.reserve();
    set_form(
        &mut pdf,
        form,
        &format!("/XObject << /Fm0 {form} 0 R >>"),
        "/Fm0 Do",
    );
    let page = pdf.page(
        pages,
        b"/Fm0 Do",
        &format!("/XObject << /Fm0 {form} 0 R >>"),
        "",
    );
    let doc = pdf.finish(pages, &[page], "");
    rejects(&doc, &[], "reference cycle");
    // Raising the depth limit cannot make a cycle finite.
    rejects(&doc, &["--max-depth", "50"], "reference cycle");
}

#[test]
fn two_forms_drawing_each_other_are_a_reference_cycle() {
    let mut pdf = Pdf::default();
    let pages = pdf.reserve();
    let (a, b) = (pdf.reserve(), pdf.reserve());
    for (me, other) in [(a, b), (b, a)] {
        set_form(
            &mut pdf,
            me,
            &format!("/XObject << /Fm {other} 0 R >>"),
            "/Fm Do",
        );
    }
    let page = pdf.page(pages, b"/Fm Do", &format!("/XObject << /Fm {a} 0 R >>"), "");
    rejects(
        &pdf.finish(pages, &[page], ""),
        &[],
        &format!("reference cycle form XObject {a} 0 > form XObject {b} 0 > form XObject {a} 0"),
    );
}

#[test]
fn one_form_shared_by_many_is_not_a_cycle() {
    // Producers that give every form the same resource dictionary list each form inside
    // itself; only what a stream draws counts, so this is one level, not a cycle.
    let mut pdf = Pdf::default();
    let pages = pdf.reserve();
    let (res, a, b) = (pdf.reserve(), pdf.reserve(), pdf.reserve());
    pdf.set(res, &format!("<< /XObject << /A {a} 0 R /B {b} 0 R >> >>"));
    for form in [a, b] {
        set_form_with(&mut pdf, form, &format!("{res} 0 R"), "0 0 10 10 re f");
    }
    let page = pdf.page(
        pages,
        b"/A Do /B Do /A Do",
        &format!("/XObject << /A {a} 0 R /B {b} 0 R >>"),
        "",
    );
    succeeds(&pdf.finish(pages, &[page], ""), &["--max-depth", "1"]);
}

#[test]
fn type3_glyphs_and_tiling_patterns_count_as_levels() {
    // Page > Type 3 font (1) > glyph procedure draws a form (2) > the form fills with a tiling
    // pattern (3) whose cell draws nothing further.
    let mut pdf = Pdf::default();
    let pages = pdf.reserve();
    let pattern = pdf.stream(
        "/Type /Pattern /PatternType 1 /PaintType 1 /TilingType 1 /BBox [0 0 4 4] /XStep 4 /YStep 4 /Resources << >>",
        b"0 0 2 2 re f",
    );
    let form = pdf.stream(
        &format!("/Type /XObject /Subtype /Form /BBox [0 0 1000 1000] /Resources << /Pattern << /P {pattern} 0 R >> >>"),
        b"/Pattern cs /P scn 0 0 600 700 re f",
    );
    let glyph = pdf.stream("", b"600 0 d0 /Fm Do");
    let font = pdf.add(&format!(
        "<< /Type /Font /Subtype /Type3 /FontBBox [0 0 600 700] /FontMatrix [0.001 0 0 0.001 0 0] \
         /CharProcs << /A {glyph} 0 R >> /Encoding << /Type /Encoding /Differences [65 /A] >> \
         /FirstChar 65 /LastChar 65 /Widths [600] /Resources << /XObject << /Fm {form} 0 R >> >> >>"
    ));
    let page = pdf.page(
        pages,
        b"BT /T3 12 Tf 72 700 Td (A) Tj ET",
        &format!("/Font << /T3 {font} 0 R >>"),
        "",
    );
    let doc = pdf.finish(pages, &[page], "");
    succeeds(&doc, &["--max-depth", "3"]);
    rejects(&doc, &["--max-depth", "2"], "tiling pattern");
}

/// A 4096-pixel-wide gray image whose stream is `data` under `filter`.
fn wide_image(rows: u32, data: &[u8], filter: &str) -> Vec<u8> {
    image_of(4096, rows, data, filter)
}

#[test]
fn lzw_bomb_is_refused_and_the_limit_can_be_raised() {
    let zeros = vec![0u8; 4 << 20];
    let bomb = common::lzw(&zeros);
    assert!(bomb.len() < 20_000, "{}", bomb.len());
    let doc = wide_image(1024, &bomb, "/Filter /LZWDecode");
    rejects(
        &doc,
        &["--max-stream-bytes", "1000000"],
        "LZWDecode stream decodes to more than 1000000 bytes",
    );
    decoded_one_image(&succeeds(&doc, &[]), 4096, 1024);
}

#[test]
fn bombs_behind_other_filters_are_refused() {
    let zeros = vec![0u8; 2 << 20];
    // ASCII85 in front of Flate: the text is decoded, then the inflated size counted.
    let text = common::ascii85(&common::deflate(&zeros));
    let doc = wide_image(512, &text, "/Filter [/ASCII85Decode /FlateDecode]");
    let limit = ["--max-stream-bytes", "1000000"];
    rejects(
        &doc,
        &limit,
        "FlateDecode stream decodes to more than 1000000",
    );
    decoded_one_image(&succeeds(&doc, &[]), 4096, 512);
    // Flate twice: the first stage is small (2 KB), the second is the bomb.
    let twice = common::deflate(&common::deflate(&zeros));
    assert!(twice.len() < 1000, "{}", twice.len());
    let doc = wide_image(512, &twice, "/Filter [/FlateDecode /FlateDecode]");
    rejects(
        &doc,
        &limit,
        "FlateDecode stream decodes to more than 1000000",
    );
    decoded_one_image(&succeeds(&doc, &[]), 4096, 512);
    // RunLength inside LZW, with parameters given per filter.
    let mut runs = [129u8, 0].repeat(16 * 1024);
    runs.push(128);
    let nested = common::lzw(&runs);
    let doc = wide_image(
        512,
        &nested,
        "/Filter [/LZWDecode /RunLengthDecode] /DecodeParms [<< /EarlyChange 1 >> null]",
    );
    rejects(
        &doc,
        &limit,
        "RunLengthDecode stream decodes to more than 1000000",
    );
    decoded_one_image(&succeeds(&doc, &[]), 4096, 512);
}

#[test]
fn run_length_bomb_is_refused_and_the_limit_can_be_raised() {
    // Each pair 129, 0 stands for 128 zero bytes: 2 MiB from 32 KiB.
    let mut bomb: Vec<u8> = [129u8, 0].repeat(16 * 1024);
    bomb.push(128);
    let doc = wide_image(512, &bomb, "/Filter /RunLengthDecode");
    rejects(
        &doc,
        &["--max-stream-bytes", "1000000"],
        "RunLengthDecode stream decodes to more than 1000000 bytes",
    );
    decoded_one_image(&succeeds(&doc, &[]), 4096, 512);
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
    let force = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_pdf-figures"))
            .arg(&input)
            .arg("-o")
            .arg(&out)
            .arg("--force")
            .output()
            .unwrap()
    };
    // --force replaces only what pdf-figures wrote (issue 20): mine.txt stops it.
    let refused = force();
    assert_eq!(refused.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(out.join("mine.txt")).unwrap(),
        "keep"
    );
    std::fs::remove_file(out.join("mine.txt")).unwrap();
    assert!(force().status.success());
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
