//! The renderer's copy of a document with its Type 3 glyph programs stored decoded: which
//! programs are rewritten, that they read back as the bytes the fixture compressed, and that
//! pages render to the same pixels from the copy as from the file.

mod common;

use common::{Pdf, deflate, lzw};
use hayro::RenderCache;
use hayro_syntax::object::{ObjectIdentifier, Stream};
use pdf_figures::glyph_programs::with_decoded_glyph_programs;
use pdf_figures::render::{Canvas, render_crops};
use pdf_layout::Rect;

/// Glyph A: a bitmap (an 8x8 image mask, as dvips writes them). Its payload avoids white space
/// and `E` so that no reader can take it for the end of the inline image.
fn bitmap_program() -> Vec<u8> {
    let mut p =
        b"600 0 0 0 600 700 d1 q 600 0 0 700 0 0 cm BI /IM true /W 8 /H 8 /BPC 1 ID ".to_vec();
    p.extend_from_slice(&[0x0F, 0xF0, 0x3C, 0xC3, 0x0F, 0xF0, 0x3C, 0xC3]);
    p.extend_from_slice(b" EI Q");
    p
}

const SQUARE: &[u8] = b"600 0 0 0 600 700 d1 100 100 400 500 re f";
const BAR: &[u8] = b"600 0 0 0 600 700 d1 250 0 100 700 re f";
const CROSS: &[u8] = b"600 0 0 0 600 700 d1 0 300 600 100 re f 250 0 100 700 re f";
const DOT: &[u8] = b"600 0 0 0 600 700 d1 200 200 200 200 re f";

fn hex(data: &[u8]) -> Vec<u8> {
    let mut out: Vec<u8> = data
        .iter()
        .flat_map(|b| format!("{b:02X}").into_bytes())
        .collect();
    out.push(b'>');
    out
}

struct Fixture {
    pdf: Vec<u8>,
    /// Object numbers: LZW bitmap, Flate square, ASCIIHex+LZW bar, Flate cross with its own
    /// resources, plain dot.
    lzw: usize,
    flate: usize,
    chain: usize,
    own_resources: usize,
    plain: usize,
}

/// One page of text in a Type 3 font whose five glyph programs are stored five ways;
/// `extra` is one more object's body (to plant a name in the file).
fn fixture(extra: Option<&str>) -> Fixture {
    let mut pdf = Pdf::default();
    let pages = pdf.reserve();
    let lzw_id = pdf.stream("/Filter /LZWDecode", &lzw(&bitmap_program()));
    let flate = pdf.stream("/Filter /FlateDecode", &deflate(SQUARE));
    let chain = pdf.stream("/Filter [/ASCIIHexDecode /LZWDecode]", &hex(&lzw(BAR)));
    let own_resources = pdf.stream("/Filter /FlateDecode /Resources << >>", &deflate(CROSS));
    let plain = pdf.stream("", DOT);
    let font = pdf.add(&format!(
        "<< /Type /Font /Subtype /Type3 /FontBBox [0 0 600 700] /FontMatrix [0.001 0 0 0.001 0 0] \
         /CharProcs << /A {lzw_id} 0 R /B {flate} 0 R /C {chain} 0 R /D {own_resources} 0 R /E {plain} 0 R >> \
         /Encoding << /Type /Encoding /Differences [65 /A /B /C /D /E] >> \
         /FirstChar 65 /LastChar 69 /Widths [600 600 600 600 600] >>"
    ));
    if let Some(body) = extra {
        pdf.add(body);
    }
    let page = pdf.page(
        pages,
        b"BT /T3 24 Tf 72 600 Td (ABCDEEDCBA) Tj ET",
        &format!("/Font << /T3 {font} 0 R >>"),
        "",
    );
    Fixture {
        pdf: pdf.finish(pages, &[page], ""),
        lzw: lzw_id,
        flate,
        chain,
        own_resources,
        plain,
    }
}

fn stream(pdf: &hayro_syntax::Pdf, num: usize) -> Stream<'_> {
    pdf.xref()
        .get::<Stream<'_>>(ObjectIdentifier::new(num as u32, 0))
        .expect("the object is a stream")
}

/// The text line's region at 200 dpi, as PNG.
fn render_line(pdf: &hayro_syntax::Pdf) -> Vec<u8> {
    let pages = pdf.pages();
    // Baseline at 600 from the bottom of a 792-point page, glyphs 0.7 em tall at 24 pt.
    let region = Rect::new(
        60.0,
        792.0 - 620.0,
        72.0 + 10.0 * 14.4 + 12.0,
        792.0 - 595.0,
    );
    render_crops(
        &pages[0],
        &RenderCache::new(),
        &mut Canvas::new(),
        &[region],
        200.0,
        1,
    )
    .unwrap()
    .remove(0)
}

#[test]
fn compressed_programs_are_stored_decoded_and_others_left_alone() {
    let f = fixture(None);
    let original = hayro_syntax::Pdf::new(f.pdf.clone()).unwrap();
    let copy = with_decoded_glyph_programs(&original).expect("the font has compressed programs");
    assert_eq!(copy.pages().len(), 1);
    for (num, program) in [
        (f.lzw, bitmap_program()),
        (f.flate, SQUARE.to_vec()),
        (f.chain, BAR.to_vec()),
    ] {
        let s = stream(&copy, num);
        assert!(s.filters().is_empty(), "object {num} still filtered");
        assert_eq!(s.raw_data().as_ref(), program.as_slice(), "object {num}");
    }
    // A dictionary with more than length and filters would lose its other keys: kept as is.
    let kept = stream(&copy, f.own_resources);
    assert_eq!(kept.filters().len(), 1);
    assert_eq!(kept.raw_data().as_ref(), deflate(CROSS).as_slice());
    assert_eq!(stream(&copy, f.plain).raw_data().as_ref(), DOT);
    // The file itself is unchanged.
    assert!(!stream(&original, f.lzw).filters().is_empty());
}

#[test]
fn the_copy_renders_the_same_pixels() {
    let f = fixture(None);
    let original = hayro_syntax::Pdf::new(f.pdf.clone()).unwrap();
    let copy = with_decoded_glyph_programs(&original).unwrap();
    let from_file = render_line(&original);
    let from_copy = render_line(&copy);
    // The comparison means something only if every glyph is drawn: each of the ten glyphs
    // (14.4 pt wide, from x = 72) puts ink in its own cell of the crop (which starts at x = 60).
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("line.png");
    std::fs::write(&path, &from_file).unwrap();
    let (width, _, channels, pixels) = common::read_png(&path);
    let scale = 200.0 / 72.0;
    for glyph in 0..10 {
        let (left, right) = (12.0 + 14.4 * glyph as f64, 12.0 + 14.4 * (glyph + 1) as f64);
        let (left, right) = ((left * scale) as usize + 2, (right * scale) as usize - 2);
        let dark = pixels
            .chunks_exact(channels)
            .enumerate()
            .filter(|(i, p)| (left..right).contains(&(i % width as usize)) && p[0] < 128)
            .count();
        assert!(dark > 100, "glyph {glyph}: only {dark} dark pixels");
    }
    assert_eq!(from_file, from_copy);
}

#[test]
fn no_copy_without_compressed_programs_or_when_encrypted() {
    let plain = common::one_page(b"0 0 10 10 re f", "", |_| String::new());
    let pdf = hayro_syntax::Pdf::new(plain).unwrap();
    assert!(with_decoded_glyph_programs(&pdf).is_none());
    // An update written in the clear would not be decrypted like the rest: any file that
    // names /Encrypt is left alone, even where the name is harmless as here.
    let f = fixture(Some("<< /Note /Encrypt >>"));
    let pdf = hayro_syntax::Pdf::new(f.pdf).unwrap();
    assert!(with_decoded_glyph_programs(&pdf).is_none());
}

#[test]
fn a_file_with_a_wrong_startxref_gets_a_faithful_copy() {
    // The reader repairs such a file by scanning it for objects, so the update's chain to the
    // old section is broken too; the scan takes the last definition of each object, which is
    // the update's, and the copy is kept because it reads back as the same document.
    let f = fixture(None);
    let mut bytes = f.pdf.clone();
    let at = bytes.windows(9).rposition(|w| w == b"startxref").unwrap();
    bytes.truncate(at);
    bytes.extend_from_slice(b"startxref\n17\n%%EOF\n");
    let original = hayro_syntax::Pdf::new(bytes).unwrap();
    let copy = with_decoded_glyph_programs(&original).expect("a copy of the repaired file");
    assert!(stream(&copy, f.lzw).filters().is_empty());
    assert!(!stream(&copy, f.own_resources).filters().is_empty());
    assert_eq!(render_line(&original), render_line(&copy));
}
