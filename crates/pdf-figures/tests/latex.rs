//! The committed LaTeX fixtures (tests/pdf/): figures, captions, kinds and boxes against what the
//! sources say, and figure boxes against the positions pdfTeX recorded with \pdfsavepos.

mod common;
mod score;
use common::{read_png, run_ok, workspace_root};
use serde_json::Value;

fn fixture(rel: &str) -> Vec<u8> {
    let path = workspace_root().join("tests/pdf").join(rel);
    std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run tests/pdf/rebuild.sh)", path.display()))
}

/// Figure boxes from figures.pos: `name page x y` in scaled points from the bottom-left corner.
/// The widths and heights come from the .tex source (6x3 cm, 12x4 cm, 6x4 cm).
fn expected_boxes() -> Vec<(String, u64, [f64; 4])> {
    let pos = String::from_utf8(fixture("latex/figures.pos")).unwrap();
    let mut corners = std::collections::BTreeMap::new();
    for line in pos.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        let to_bp = |sp: &str| sp.parse::<f64>().unwrap() / 65536.0 * 72.0 / 72.27;
        corners.insert(
            f[0].to_string(),
            (f[1].parse::<u64>().unwrap(), to_bp(f[2]), to_bp(f[3])),
        );
    }
    let cm = 72.0 / 2.54;
    [("1", 3.0), ("2", 4.0), ("3", 4.0)]
        .iter()
        .map(|(id, height_cm)| {
            let (page, x0, y) = corners[&format!("fig{id}-bl")];
            let (_, x1, _) = corners[&format!("fig{id}-br")];
            let bottom = 792.0 - y;
            (
                id.to_string(),
                page,
                [x0, bottom - height_cm * cm, x1, bottom],
            )
        })
        .collect()
}

fn bbox(v: &Value) -> [f64; 4] {
    let a: Vec<f64> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    [a[0], a[1], a[2], a[3]]
}

#[test]
fn two_column_fixture_figures_match_the_source() {
    let (m, out, _d) = run_ok(&fixture("latex/figures.pdf"));
    let figs = m["figures"].as_array().unwrap();
    let ids: Vec<&str> = figs.iter().map(|f| f["id"].as_str().unwrap()).collect();
    // "Figure 1 shows ..." starts a paragraph, and Table 1 is a table: neither is a figure.
    assert_eq!(ids, ["1", "2", "3"], "{m:#}");
    let captions = [
        "Figure 1: A vector block diagram drawn with TikZ: a convolution followed by pooling.",
        "Figure 2: A full-width raster figure: a synthetic gradient with a checkerboard in blue.",
        "Figure 3: A mixed figure: a raster image with vector annotations on top. The caption runs over more than one line so that caption joining is exercised.",
    ];
    let kinds = ["vector", "raster", "mixed"];
    for (i, (id, page, want)) in expected_boxes().iter().enumerate() {
        let f = &figs[i];
        assert_eq!(f["id"], id.as_str());
        assert_eq!(f["page"], *page);
        assert_eq!(f["caption"], captions[i]);
        assert_eq!(f["kind"], kinds[i], "figure {id}");
        let got = bbox(&f["bbox"]);
        assert!(
            score::iou(&got, want) > 0.9,
            "figure {id}: got {got:?}, want {want:?}"
        );
        assert!(out.join(f["file"].as_str().unwrap()).exists());
    }
    // Figures 2 and 3 embed the same PNG; it is written once.
    assert_eq!(figs[1]["images"], figs[2]["images"]);
    assert_eq!(m["images"].as_array().unwrap().len(), 1);
}

#[test]
fn embedded_png_pixels_survive_exactly() {
    let (m, out, _d) = run_ok(&fixture("latex/figures.pdf"));
    let file = m["images"][0]["file"].as_str().unwrap();
    let (w, h, ch, px) = read_png(&out.join(file));
    assert_eq!((w, h, ch), (96, 64, 3));
    // gradient.png was generated as (x*255/95, y*255/63, checker 255/0 in 8-px squares).
    for y in 0..64usize {
        for x in 0..96usize {
            let want = [
                (x * 255 / 95) as u8,
                (y * 255 / 63) as u8,
                if (x / 8 + y / 8) % 2 == 1 { 255 } else { 0 },
            ];
            let at = (y * 96 + x) * 3;
            assert_eq!(px[at..at + 3], want, "pixel {x},{y}");
        }
    }
}

#[test]
fn two_column_text_reads_left_column_first() {
    let (m, out, _d) = run_ok(&fixture("latex/figures.pdf"));
    assert_eq!(m["pages"][0]["columns"], 2);
    let text = std::fs::read_to_string(out.join("text/page-1.txt")).unwrap();
    let intro = text.find("1 Introduction").expect("section 1 heading");
    let method = text.find("2 Method").expect("section 2 heading");
    assert!(intro < method);
    assert!(text.contains("Figure 1 shows a small block diagram;"));
}

#[test]
fn sample_paper_has_its_two_figures() {
    let (m, out, _d) = run_ok(&fixture("sample/sample.pdf"));
    let figs = m["figures"].as_array().unwrap();
    let got: Vec<(&str, u64, &str)> = figs
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap(),
                f["page"].as_u64().unwrap(),
                f["kind"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, [("1", 1, "vector"), ("2", 2, "raster")]);
    assert_eq!(
        figs[0]["caption"],
        "Figure 1: TinyNet architecture: two convolutional blocks and a linear classifier."
    );
    // The TikZ nodes span 9 cm between centres plus one 2.2 cm node, and are 1 cm tall (plus
    // the 0.8 pt thick line): the crop holds the diagram, not the equation or sentence above.
    let b = bbox(&figs[0]["bbox"]);
    let cm = 72.0 / 2.54;
    assert!(((b[2] - b[0]) - (11.2 * cm + 0.8)).abs() < 1.0, "{b:?}");
    assert!(((b[3] - b[1]) - (cm + 0.8)).abs() < 1.0, "{b:?}");
    let text = std::fs::read_to_string(out.join("text/page-1.txt")).unwrap();
    assert!(text.contains("a learning rate of 0.1"), "{text}");
    assert!(text.contains("batch size of 256"), "{text}");
}

/// Chinese captions as Chinese papers set them ("图 1 ..." without a delimiter, "图 2：..." with a
/// full-width colon, "表 1 ..." above a table), beside a paragraph that starts "图1 展示了" (an
/// in-text reference). Built with pdflatex + CJKutf8; boxes from chinese.pos.
#[test]
fn chinese_captions_ids_and_regions_match_the_source() {
    let data = fixture("latex/chinese.pdf");
    let ex = pdf_figures::extract(data, "chinese", &pdf_figures::Options::default()).unwrap();
    let figs = &ex.manifest.figures;
    // Spacing between CJK characters carries no meaning; compare without it.
    let squeeze = |s: &str| s.split_whitespace().collect::<String>();
    let got: Vec<(&str, usize, String)> = figs
        .iter()
        .map(|f| (f.id.as_str(), f.page, squeeze(&f.caption)))
        .collect();
    assert_eq!(
        got,
        [
            ("1", 1, "图1网络结构：卷积层、池化层和全连接层".to_string()),
            ("2", 1, "图2：训练过程中的注意力图".to_string()),
        ]
    );
    let boxes = score::pos_boxes(&workspace_root().join("tests/pdf/latex/chinese.pos"));
    for (f, name) in figs.iter().zip(["fig1", "fig2"]) {
        let (page, want) = boxes[name];
        assert_eq!(f.page as u64, page);
        let iou = score::iou(&f.bbox, &want);
        assert!(
            iou > 0.9,
            "figure {}: IoU {iou:.3}: {:?} vs {want:?}",
            f.id,
            f.bbox
        );
    }
    assert_eq!(figs[1].kind, "raster");
    // 表 1 is a table caption, for the tables pass.
    let captions = pdf_layout::select_captions(&ex.layouts);
    let tables: Vec<(String, String)> = captions
        .iter()
        .filter(|c| c.kind == pdf_layout::CaptionKind::Table)
        .map(|c| (c.id.clone(), squeeze(&c.text)))
        .collect();
    assert_eq!(tables, [("1".to_string(), "表1超参数设置".to_string())]);
}
