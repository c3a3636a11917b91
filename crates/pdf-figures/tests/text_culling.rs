//! The renderer's copy without the text that no crop can show: which lines go and which stay,
//! that crops render to the same pixels from the copy as from the file, and when no copy is
//! made.

mod common;

use common::Pdf;
use hayro::RenderCache;
use pdf_figures::render::{Canvas, PageCrops, render_crops};
use pdf_figures::text_culling::without_distant_text;
use pdf_layout::Rect;

const DPI: f64 = 200.0;

/// The crop used by the fixtures: page points from the top, a band from 100 to 130, which is
/// PDF y 662 to 692 on the 792-point page.
fn crop() -> Rect {
    Rect::new(50.0, 100.0, 560.0, 130.0)
}

fn crops(page: usize, regions: &[Rect]) -> PageCrops {
    let mut c = PageCrops::new();
    c.insert(
        page,
        regions
            .iter()
            .enumerate()
            .map(|(i, r)| (format!("crop-{i}.png"), *r))
            .collect(),
    );
    c
}

fn render(pdf: &hayro_syntax::Pdf, page: usize, regions: &[Rect]) -> Vec<Vec<u8>> {
    render_crops(
        &pdf.pages()[page - 1],
        &RenderCache::new(),
        &mut Canvas::new(),
        regions,
        DPI,
        page,
    )
    .unwrap()
}

/// The page's whole content as the reader sees it.
fn content(pdf: &hayro_syntax::Pdf, page: usize) -> String {
    String::from_utf8_lossy(pdf.pages()[page - 1].page_stream().unwrap()).into_owned()
}

fn dark_pixels(png: &[u8]) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crop.png");
    std::fs::write(&path, png).unwrap();
    let (_, _, channels, pixels) = common::read_png(&path);
    pixels.chunks_exact(channels).filter(|p| p[0] < 128).count()
}

const HELVETICA: &str = "/Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >>";

/// One page whose content is split over two streams, a text object running across both.
/// Baselines (PDF y): NEAR 680 and BACK 678 lie in the crop's band; FAR1 480, FARQ 466,
/// FARQQ 452 and LAST 150 lie far from it; CLIP (a clipping text object), ROT (rotated a
/// quarter turn, so it runs down the page across the band's x range) and DIAG (at 45
/// degrees) must stay wherever they are.
fn mixed_page() -> Vec<u8> {
    mixed_page_with("")
}

/// [`mixed_page`] with `extra` in its page dictionary.
fn mixed_page_with(extra: &str) -> Vec<u8> {
    let first = b"BT /F1 12 Tf 14 TL\n\
        72 680 Td (NEAR) Tj\n\
        0 -200 Td (FAR1) Tj ( more) Tj\n\
        (FARQ) '\n\
        2 1 (FARQQ) \"\n"
        .to_vec();
    let mut second = b"0 226 Td (BACK) Tj\nET\n\
        q BT 7 Tr /F1 12 Tf 72 300 Td (CLIP) Tj ET Q\n\
        BT /F1 12 Tf 0 1 -1 0 300 400 Tm (ROT) Tj ET\n\
        BT /F1 12 Tf 0.7 0.7 -0.7 0.7 300 200 Tm (DIAG) Tj ET\n\
        q 10 0 0 10 300 100 cm BI /IM true /W 2 /H 2 /BPC 1 ID "
        .to_vec();
    // Two rows of one byte each: 2x2 mask bits.
    second.extend_from_slice(&[0x40, 0x80]);
    second.extend_from_slice(b" EI Q\nBT /F1 12 Tf 72 150 Td (LAST) Tj ET\n");
    let mut pdf = Pdf::default();
    let pages = pdf.reserve();
    let a = pdf.stream("", &first);
    let b = pdf.flate_stream("", &second);
    let page = pdf.add(&format!(
        "<< /Type /Page /Parent {pages} 0 R /MediaBox [0 0 612 792] /Contents [{a} 0 R {b} 0 R] \
         /Resources << {HELVETICA} >> {extra} >>"
    ));
    pdf.finish(pages, &[page], "")
}

#[test]
fn lines_far_from_every_crop_go_and_the_rest_stay() {
    let original = hayro_syntax::Pdf::new(mixed_page()).unwrap();
    let copy = without_distant_text(&original, &crops(1, &[crop()]), DPI)
        .expect("the page has text far from its crop");
    let text = content(&copy, 1);
    for kept in ["(NEAR)", "(BACK)", "(CLIP)", "(ROT)", "(DIAG)"] {
        assert!(text.contains(kept), "{kept} missing from {text}");
    }
    for gone in ["(FAR1)", "( more)", "(FARQ)", "(FARQQ)", "(LAST)"] {
        assert!(!text.contains(gone), "{gone} still in {text}");
    }
    // `'` and `"` leave their line moves (and `"` its spacings) behind, so BACK, placed from
    // the line matrix they moved, is drawn where it was.
    assert!(text.contains("2 Tw 1 Tc T*"), "{text}");
    assert_eq!(text.matches("T*").count(), 2, "{text}");
    // The scan went on past the inline image (LAST comes after it) and kept its bytes.
    assert!(text.contains("ID @\u{FFFD} EI"), "{text}");
}

#[test]
fn crops_render_the_same_pixels_from_the_copy() {
    let original = hayro_syntax::Pdf::new(mixed_page()).unwrap();
    let copy = without_distant_text(&original, &crops(1, &[crop()]), DPI).unwrap();
    let from_file = render(&original, 1, &[crop()]);
    let from_copy = render(&copy, 1, &[crop()]);
    // NEAR and BACK put ink in the crop, so the comparison means something.
    assert!(
        dark_pixels(&from_file[0]) > 300,
        "{}",
        dark_pixels(&from_file[0])
    );
    assert_eq!(from_file, from_copy);
    // Outside the crop the copy does differ: FAR1's line is gone.
    let far = Rect::new(60.0, 792.0 - 495.0, 300.0, 792.0 - 440.0);
    let (file_far, copy_far) = (render(&original, 1, &[far]), render(&copy, 1, &[far]));
    assert!(dark_pixels(&file_far[0]) > 300);
    assert_eq!(dark_pixels(&copy_far[0]), 0);
}

#[test]
fn a_rotated_page_is_tested_across_its_lines_on_the_device() {
    // On a page shown a quarter turn round, the text lines run down the rendered page: a crop
    // is reached by the lines whose band crosses its x range. Two narrow full-height crops at
    // x 100-130 and 662-692 (the rotated page is 792 wide) take in NEAR and BACK (PDF y 680
    // and 678) whichever way the page turns; FAR1 (y 480) falls in neither.
    let original = hayro_syntax::Pdf::new(mixed_page_with("/Rotate 90")).unwrap();
    let regions = [
        Rect::new(100.0, 20.0, 130.0, 590.0),
        Rect::new(662.0, 20.0, 692.0, 590.0),
    ];
    let copy = without_distant_text(&original, &crops(1, &regions), DPI).expect("FAR1 goes");
    let text = content(&copy, 1);
    assert!(!text.contains("(FAR1)") && text.contains("(NEAR)") && text.contains("(BACK)"));
    let (from_file, from_copy) = (render(&original, 1, &regions), render(&copy, 1, &regions));
    let ink: usize = from_file.iter().map(|png| dark_pixels(png)).sum();
    assert!(ink > 300, "{ink}");
    assert_eq!(from_file, from_copy);
}

#[test]
fn no_copy_when_every_line_can_reach_a_crop() {
    let original = hayro_syntax::Pdf::new(mixed_page()).unwrap();
    let whole = Rect::new(0.0, 0.0, 612.0, 792.0);
    assert!(without_distant_text(&original, &crops(1, &[whole]), DPI).is_none());
}

#[test]
fn pages_that_cannot_be_scanned_safely_are_left_alone() {
    let far_text = b"BT /F1 12 Tf 72 150 Td (FAR) Tj ET\n";
    // An inline image whose end would have to be guessed (a filter).
    let mut filtered = b"q BI /IM true /W 2 /H 2 /F /AHx ID 4080> EI Q\n".to_vec();
    filtered.extend_from_slice(far_text);
    // A font set through an ExtGState.
    let mut gs = b"/G1 gs\n".to_vec();
    gs.extend_from_slice(far_text);
    // Content that does not scan (an unbalanced string).
    let mut broken = far_text.to_vec();
    broken.extend_from_slice(b"BT (open Tj ET");
    for (what, content) in [
        ("filtered image", filtered),
        ("gs font", gs),
        ("broken", broken),
    ] {
        let resources = format!(
            "{HELVETICA} /ExtGState << /G1 << /Font [<< /Type /Font /Subtype /Type1 \
             /BaseFont /Courier >> 12] >> >>"
        );
        let pdf = common::one_page(&content, &resources, |_| String::new());
        let pdf = hayro_syntax::Pdf::new(pdf).unwrap();
        assert!(
            without_distant_text(&pdf, &crops(1, &[crop()]), DPI).is_none(),
            "{what}"
        );
    }
    // The same far text alone does go (so the cases above stay for their own reason).
    let pdf = common::one_page(far_text, HELVETICA, |_| String::new());
    let pdf = hayro_syntax::Pdf::new(pdf).unwrap();
    assert!(without_distant_text(&pdf, &crops(1, &[crop()]), DPI).is_some());
}

#[test]
fn a_content_stream_shared_by_two_pages_is_left_alone() {
    let mut pdf = Pdf::default();
    let pages = pdf.reserve();
    let c = pdf.stream("", b"BT /F1 12 Tf 72 150 Td (FAR) Tj ET");
    let kids: Vec<usize> = (0..2)
        .map(|_| {
            pdf.add(&format!(
                "<< /Type /Page /Parent {pages} 0 R /MediaBox [0 0 612 792] /Contents {c} 0 R \
                 /Resources << {HELVETICA} >> >>"
            ))
        })
        .collect();
    let pdf = hayro_syntax::Pdf::new(pdf.finish(pages, &kids, "")).unwrap();
    assert!(without_distant_text(&pdf, &crops(1, &[crop()]), DPI).is_none());
}

#[test]
fn type3_text_goes_by_its_glyph_boxes_and_stays_without_them() {
    // Glyph A has a `d1` box 0.7 em tall; glyph B is drawn with `d0` (no box at all).
    let mut pdf = Pdf::default();
    let pages = pdf.reserve();
    let a = pdf.stream("", b"600 0 0 0 600 700 d1 0 0 600 700 re f");
    let b = pdf.stream("", b"600 0 d0 0 0 600 700 re f");
    let font = |procs: String, pdf: &mut Pdf| {
        pdf.add(&format!(
            "<< /Type /Font /Subtype /Type3 /FontBBox [0 0 0 0] /FontMatrix [0.001 0 0 0.001 0 0] \
             /CharProcs << {procs} >> /Encoding << /Type /Encoding /Differences [65 /A /B] >> \
             /FirstChar 65 /LastChar 66 /Widths [600 600] >>"
        ))
    };
    let boxed = font(format!("/A {a} 0 R"), &mut pdf);
    let unboxed = font(format!("/A {a} 0 R /B {b} 0 R"), &mut pdf);
    // Baselines: 680 (in the band); 638, whose 24 pt glyphs reach 638 + 16.8 + a quarter of
    // 16.8 = 659, just short of the band (its lower edge, 662 less two pixels, is at 661);
    // 150 (far).
    let page = pdf.page(
        pages,
        b"BT /T 24 Tf 72 680 Td (A) Tj ET BT /T 24 Tf 72 638 Td (A) Tj ET \
          BT /T 24 Tf 72 150 Td (A) Tj ET BT /U 24 Tf 72 150 Td (A) Tj ET",
        &format!("/Font << /T {boxed} 0 R /U {unboxed} 0 R >>"),
        "",
    );
    let original = hayro_syntax::Pdf::new(pdf.finish(pages, &[page], "")).unwrap();
    let copy = without_distant_text(&original, &crops(1, &[crop()]), DPI).unwrap();
    let text = content(&copy, 1);
    assert_eq!(
        text,
        "BT /T 24 Tf 72 680 Td (A) Tj ET BT /T 24 Tf 72 638 Td   ET \
         BT /T 24 Tf 72 150 Td   ET BT /U 24 Tf 72 150 Td (A) Tj ET"
    );
    assert_eq!(render(&original, 1, &[crop()]), render(&copy, 1, &[crop()]));
}

#[test]
fn no_copy_of_an_encrypted_file() {
    let pdf = common::one_page(
        b"BT /F1 12 Tf 72 150 Td (FAR) Tj ET",
        &format!("{HELVETICA} /Properties << /P << /Note /Encrypt >> >>"),
        |_| String::new(),
    );
    let pdf = hayro_syntax::Pdf::new(pdf).unwrap();
    assert!(without_distant_text(&pdf, &crops(1, &[crop()]), DPI).is_none());
}
