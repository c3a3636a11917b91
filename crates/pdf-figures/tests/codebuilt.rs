//! PDFs written byte by byte in the test: each image encoding, masks, inline images, forms,
//! Type 3 fonts, rotated pages and page furniture, with the pixels and boxes they must give.

mod common;
use common::{Pdf, deflate, one_page, read_png, run_ok};
use serde_json::Value;

/// Draws image `/Im0` into the box x 72..172, y (PDF) 600..650.
const DRAW: &[u8] = b"q 100 0 0 50 72 600 cm /Im0 Do Q";

fn image_doc(dict: &str, data: &[u8]) -> Vec<u8> {
    one_page(DRAW, "", |pdf| {
        let im = pdf.stream(&format!("/Type /XObject /Subtype /Image {dict}"), data);
        format!("/XObject << /Im0 {im} 0 R >>")
    })
}

fn only_image(m: &Value) -> &Value {
    let images = m["images"].as_array().unwrap();
    assert_eq!(images.len(), 1, "{m:#}");
    &images[0]
}

#[test]
fn flate_rgb_image_round_trips_pixels_and_placement() {
    let pixels: Vec<u8> = (0..12u8).flat_map(|i| [i * 20, 255 - i * 20, i]).collect();
    let doc = one_page(DRAW, "", |pdf| {
        let im = pdf.flate_stream(
            "/Type /XObject /Subtype /Image /Width 4 /Height 3 /ColorSpace /DeviceRGB /BitsPerComponent 8",
            &pixels,
        );
        format!("/XObject << /Im0 {im} 0 R >>")
    });
    let (m, out, _d) = run_ok(&doc);
    let img = only_image(&m);
    assert_eq!(img["placements"][0]["page"], 1);
    // PDF y 600..650 on a 792 pt page is 142..192 from the top.
    assert_eq!(
        img["placements"][0]["bbox"],
        serde_json::json!([72.0, 142.0, 172.0, 192.0])
    );
    let (w, h, ch, data) = read_png(&out.join(img["file"].as_str().unwrap()));
    assert_eq!((w, h, ch), (4, 3, 3));
    assert_eq!(data, pixels);
}

#[test]
fn one_bit_gray_with_inverting_decode_array() {
    // 8x1, bits 1100 1010; Decode [1 0] swaps black and white.
    let (m, out, _d) = run_ok(&image_doc(
        "/Width 8 /Height 1 /ColorSpace /DeviceGray /BitsPerComponent 1 /Decode [1 0]",
        &[0b1100_1010],
    ));
    let (w, h, ch, data) = read_png(&out.join(only_image(&m)["file"].as_str().unwrap()));
    assert_eq!((w, h, ch), (8, 1, 1));
    assert_eq!(data, [0, 0, 255, 255, 0, 255, 0, 255]);
}

#[test]
fn indexed_palette_is_expanded() {
    let (m, out, _d) = run_ok(&image_doc(
        "/Width 2 /Height 2 /ColorSpace [/Indexed /DeviceRGB 3 <FF000000FF000000FFFFFFFF>] /BitsPerComponent 8",
        &[0, 1, 2, 3],
    ));
    let (_, _, ch, data) = read_png(&out.join(only_image(&m)["file"].as_str().unwrap()));
    assert_eq!(ch, 3);
    assert_eq!(data, [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]);
}

#[test]
fn sixteen_bit_rgb_is_reduced_to_eight() {
    let (m, out, _d) = run_ok(&image_doc(
        "/Width 2 /Height 1 /ColorSpace /DeviceRGB /BitsPerComponent 16",
        &[0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF],
    ));
    let (_, _, _, data) = read_png(&out.join(only_image(&m)["file"].as_str().unwrap()));
    assert_eq!(data, [255, 0, 0, 0, 0, 255]);
}

#[test]
fn cmyk_is_converted_to_rgb() {
    // White (no ink), and magenta + yellow = red.
    let (m, out, _d) = run_ok(&image_doc(
        "/Width 2 /Height 1 /ColorSpace /DeviceCMYK /BitsPerComponent 8",
        &[0, 0, 0, 0, 0, 255, 255, 0],
    ));
    let (_, _, ch, d) = read_png(&out.join(only_image(&m)["file"].as_str().unwrap()));
    assert_eq!(ch, 3);
    assert!(d[0] > 240 && d[1] > 240 && d[2] > 240, "{d:?}");
    assert!(d[3] > 180 && d[4] < 90 && d[5] < 90, "{d:?}");
}

#[test]
fn soft_mask_becomes_png_alpha() {
    let doc = one_page(DRAW, "", |pdf| {
        let mask = pdf.stream(
            "/Type /XObject /Subtype /Image /Width 2 /Height 1 /ColorSpace /DeviceGray /BitsPerComponent 8",
            &[255, 0],
        );
        let im = pdf.stream(
            &format!("/Type /XObject /Subtype /Image /Width 2 /Height 1 /ColorSpace /DeviceRGB /BitsPerComponent 8 /SMask {mask} 0 R"),
            &[10, 20, 30, 40, 50, 60],
        );
        format!("/XObject << /Im0 {im} 0 R >>")
    });
    let (m, out, _d) = run_ok(&doc);
    let img = only_image(&m);
    assert_eq!(img["alpha"], true);
    let (_, _, ch, data) = read_png(&out.join(img["file"].as_str().unwrap()));
    assert_eq!(ch, 4);
    assert_eq!(data, [10, 20, 30, 255, 40, 50, 60, 0]);
}

fn jpeg(color: jpeg_encoder::ColorType, channels: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let pixels: Vec<u8> = (0..16 * 16 * channels)
        .map(|i| (i * 7 % 256) as u8)
        .collect();
    jpeg_encoder::Encoder::new(&mut out, 90)
        .encode(&pixels, 16, 16, color)
        .unwrap();
    out
}

#[test]
fn rgb_jpeg_is_passed_through_byte_for_byte() {
    let data = jpeg(jpeg_encoder::ColorType::Rgb, 3);
    let (m, out, _d) = run_ok(&image_doc(
        "/Width 16 /Height 16 /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode",
        &data,
    ));
    let img = only_image(&m);
    assert!(img["file"].as_str().unwrap().ends_with(".jpg"));
    assert_eq!(
        std::fs::read(out.join(img["file"].as_str().unwrap())).unwrap(),
        data
    );
}

#[test]
fn cmyk_jpeg_is_decoded_to_png_instead() {
    let data = jpeg(jpeg_encoder::ColorType::Cmyk, 4);
    let (m, out, _d) = run_ok(&image_doc(
        "/Width 16 /Height 16 /ColorSpace /DeviceCMYK /BitsPerComponent 8 /Filter /DCTDecode",
        &data,
    ));
    let img = only_image(&m);
    assert!(img["file"].as_str().unwrap().ends_with(".png"));
    let (w, h, ch, _) = read_png(&out.join(img["file"].as_str().unwrap()));
    assert_eq!((w, h, ch), (16, 16, 3));
}

#[test]
fn inline_image_is_extracted() {
    let mut content = b"q 20 0 0 20 300 300 cm BI /W 2 /H 1 /CS /RGB /BPC 8 ID ".to_vec();
    content.extend_from_slice(&[1, 2, 3, 4, 5, 6]);
    content.extend_from_slice(b" EI Q");
    let (m, out, _d) = run_ok(&one_page(&content, "", |_| String::new()));
    let img = only_image(&m);
    assert_eq!(img["object"], Value::Null);
    let (_, _, _, data) = read_png(&out.join(img["file"].as_str().unwrap()));
    assert_eq!(data, [1, 2, 3, 4, 5, 6]);
}

#[test]
fn image_in_a_form_drawn_twice_is_one_file_with_two_placements() {
    let content = b"q 1 0 0 1 0 0 cm /Fm0 Do Q q 1 0 0 1 200 0 cm /Fm0 Do Q";
    let doc = one_page(content, "", |pdf| {
        let im = pdf.stream(
            "/Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray /BitsPerComponent 8",
            &[128],
        );
        let form = pdf.stream(
            &format!("/Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /XObject << /Im0 {im} 0 R >> >>"),
            b"q 50 0 0 50 72 72 cm /Im0 Do Q",
        );
        format!("/XObject << /Fm0 {form} 0 R >>")
    });
    let (m, _out, _d) = run_ok(&doc);
    let img = only_image(&m);
    let boxes: Vec<&Value> = img["placements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &p["bbox"])
        .collect();
    assert_eq!(boxes.len(), 2);
    assert_eq!(*boxes[0], serde_json::json!([72.0, 670.0, 122.0, 720.0]));
    assert_eq!(*boxes[1], serde_json::json!([272.0, 670.0, 322.0, 720.0]));
}

#[test]
fn type3_font_text_is_read_from_glyph_names() {
    let content = b"BT /T3 12 Tf 72 700 Td (ABBA) Tj ET";
    let doc = one_page(content, "", |pdf| {
        let square = pdf.stream("", b"600 0 0 0 600 700 d1 0 0 600 700 re f");
        let font = pdf.add(&format!(
            "<< /Type /Font /Subtype /Type3 /FontBBox [0 0 600 700] /FontMatrix [0.001 0 0 0.001 0 0] \
             /CharProcs << /A {square} 0 R /B {square} 0 R >> /Encoding << /Type /Encoding /Differences [65 /A /B] >> \
             /FirstChar 65 /LastChar 66 /Widths [600 600] >>"
        ));
        format!("/Font << /T3 {font} 0 R >>")
    });
    let (_m, out, _d) = run_ok(&doc);
    let text = std::fs::read_to_string(out.join("text/page-1.txt")).unwrap();
    assert_eq!(text.trim(), "ABBA");
}

#[test]
fn rotated_page_reports_turned_size_and_reads_text() {
    let mut pdf = Pdf::default();
    let pages = pdf.reserve();
    let font = pdf.add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
    let page = pdf.page(
        pages,
        b"BT /F1 12 Tf 72 700 Td (Rotated page) Tj ET",
        &format!("/Font << /F1 {font} 0 R >>"),
        "/Rotate 90",
    );
    let (m, out, _d) = run_ok(&pdf.finish(pages, &[page], ""));
    assert_eq!(m["pages"][0]["width"], 792.0);
    assert_eq!(m["pages"][0]["height"], 612.0);
    let text = std::fs::read_to_string(out.join("text/page-1.txt")).unwrap();
    // Turned with the page, the line runs top to bottom: it is not upright, so it is not read
    // as a text line; what matters is that the page is measured turned and nothing fails.
    assert!(!text.contains("Helvetica"));
}

#[test]
fn one_pixel_stencils_are_rules_not_images() {
    let mut content = Vec::new();
    for i in 0..5 {
        content.extend_from_slice(
            format!(
                "q 200 0 0 0.5 72 {} cm BI /IM true /W 1 /H 1 /BPC 1 ID ",
                500 + 20 * i
            )
            .as_bytes(),
        );
        content.extend_from_slice(&[0]);
        content.extend_from_slice(b" EI Q ");
    }
    let (m, _out, _d) = run_ok(&one_page(&content, "", |_| String::new()));
    assert_eq!(m["images"].as_array().unwrap().len(), 0);
    assert_eq!(m["skipped"]["stencil_rules"], 5);
}

#[test]
fn full_page_background_on_every_page_is_skipped() {
    let mut pdf = Pdf::default();
    let pages = pdf.reserve();
    let im = pdf.stream(
        "/Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray /BitsPerComponent 8",
        &[250, 250, 250, 250],
    );
    let kids: Vec<usize> = (0..3)
        .map(|_| {
            pdf.page(
                pages,
                b"q 612 0 0 792 0 0 cm /Bg Do Q",
                &format!("/XObject << /Bg {im} 0 R >>"),
                "",
            )
        })
        .collect();
    let (m, _out, _d) = run_ok(&pdf.finish(pages, &kids, ""));
    assert_eq!(m["images"].as_array().unwrap().len(), 0);
    assert_eq!(m["skipped"]["backgrounds"], 1);
}

#[test]
fn captioned_vector_drawing_becomes_a_figure() {
    let mut content = b"0.2 0.4 0.8 rg 150 450 300 200 re f ".to_vec();
    content.extend_from_slice(
        b"BT /F1 9 Tf 150 430 Td (Figure 1: A blue box drawn as a path.) Tj ET ",
    );
    let body = "This line is ordinary running text of the page body in the one column layout.";
    for (i, y) in [700, 688, 676, 300, 288].iter().enumerate() {
        let _ = i;
        content.extend_from_slice(format!("BT /F1 10 Tf 72 {y} Td ({body}) Tj ET ").as_bytes());
    }
    let doc = one_page(&content, "", |pdf| {
        let font = pdf.add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
        format!("/Font << /F1 {font} 0 R >>")
    });
    let (m, out, _d) = run_ok(&doc);
    let figs = m["figures"].as_array().unwrap();
    assert_eq!(figs.len(), 1, "{m:#}");
    let f = &figs[0];
    assert_eq!(f["id"], "1");
    assert_eq!(f["page"], 1);
    assert_eq!(f["kind"], "vector");
    assert_eq!(f["caption"], "Figure 1: A blue box drawn as a path.");
    // The box 150..450 x PDF 450..650, i.e. 142..342 from the top.
    assert_eq!(f["bbox"], serde_json::json!([150.0, 142.0, 450.0, 342.0]));
    // Rendered at 200 dpi with 2 pt padding: (300 + 4) * 200 / 72 = 844.4 -> 845 px wide.
    let (w, h, _, px) = read_png(&out.join(f["file"].as_str().unwrap()));
    assert_eq!((w, h), (845, 567));
    // The centre pixel is the fill colour (0.2, 0.4, 0.8).
    let c = ((h / 2 * w + w / 2) * 3) as usize;
    assert_eq!(&px[c..c + 3], &[51, 102, 204]);
}

#[test]
fn deflate_helper_round_trips() {
    // Guards the fixture writer itself: the Flate streams above rely on it.
    use std::io::Read;
    let packed = deflate(b"abc");
    let mut d = flate2::read::ZlibDecoder::new(&packed[..]);
    let mut s = String::new();
    d.read_to_string(&mut s).unwrap();
    assert_eq!(s, "abc");
}
