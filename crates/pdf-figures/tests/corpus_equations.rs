//! Recall and precision of numbered display equations on real papers of
//! ../shared/corpus/papers against the hand-checked tests/ground-truth/equations.tsv (paper,
//! number as printed, 1-based page; each tag checked on the rendered page and against poppler's
//! `pdftotext -layout` right-margin tags). A found equation counts when its number and page
//! match; a numbered equation not in the file is a false positive.

mod common;
use common::shared_papers as papers;
use common::workspace_root;
use std::collections::{BTreeMap, BTreeSet};

/// (number, page) of every numbered equation found.
fn numbered(ex: &pdf_figures::Extraction) -> BTreeSet<(String, usize)> {
    ex.manifest
        .equations
        .iter()
        .filter_map(|e| e.number.clone().map(|n| (n, e.page)))
        .collect()
}

fn ground_truth() -> BTreeMap<String, BTreeSet<(String, usize)>> {
    let path = workspace_root().join("tests/ground-truth/equations.tsv");
    let text = std::fs::read_to_string(&path).expect("tests/ground-truth/equations.tsv");
    let mut out: BTreeMap<String, BTreeSet<(String, usize)>> = BTreeMap::new();
    for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 3, "bad row {line:?}");
        out.entry(f[0].to_string())
            .or_default()
            .insert((f[1].to_string(), f[2].parse().expect("page")));
    }
    out
}

#[test]
fn numbered_equation_recall_and_precision_on_hand_checked_papers() {
    let papers = papers();
    let gold = ground_truth();
    assert!(gold.len() >= 6, "at least six hand-checked papers");
    let (mut tp_all, mut found_all, mut gold_all) = (0, 0, 0);
    let mut report = String::from("paper          gold  found  tp  recall  precision\n");
    let mut misses = Vec::new();
    for (slug, want) in &gold {
        let data = std::fs::read(papers.join(format!("{slug}.pdf"))).unwrap();
        let ex = pdf_figures::extract(data, slug, &pdf_figures::Options::default())
            .unwrap_or_else(|e| panic!("{slug}: {e}"));
        let got = numbered(&ex);
        let tp = got.intersection(want).count();
        for m in want.difference(&got) {
            misses.push(format!("{slug}: missed ({}) p.{}", m.0, m.1));
        }
        for m in got.difference(want) {
            misses.push(format!("{slug}: unexpected ({}) p.{}", m.0, m.1));
        }
        report.push_str(&format!(
            "{slug:<14} {:>4} {:>6} {:>3} {:>7.3} {:>10.3}\n",
            want.len(),
            got.len(),
            tp,
            tp as f64 / want.len() as f64,
            tp as f64 / got.len().max(1) as f64
        ));
        tp_all += tp;
        found_all += got.len();
        gold_all += want.len();
        // Every equation has a crop and some text.
        for e in &ex.manifest.equations {
            assert!(ex.files.contains_key(&e.file), "{slug}: no crop {}", e.file);
            assert!(!e.text.is_empty(), "{slug}: empty text for {}", e.file);
        }
    }
    let recall = tp_all as f64 / gold_all as f64;
    let precision = tp_all as f64 / found_all.max(1) as f64;
    eprintln!("{report}total recall {recall:.3} precision {precision:.3}\n{misses:#?}");
    assert!(
        recall >= 0.98,
        "numbered-equation recall {recall:.3} < 0.98\n{report}{misses:#?}"
    );
    assert!(
        precision >= 0.95,
        "numbered-equation precision {precision:.3} < 0.95\n{report}{misses:#?}"
    );
}

/// RGB pixels of a PNG.
fn decode_png(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let mut reader = png::Decoder::new(std::io::Cursor::new(bytes))
        .read_info()
        .expect("PNG header");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("PNG data");
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

#[test]
fn crops_cut_from_one_page_render_equal_crops_rendered_alone() {
    // Crops at fractional positions: their origins snap to the same device pixels whether the
    // page is rendered once for both or once per crop, so the pixels must agree exactly (a
    // render at the unsnapped origin differs by up to 255 at glyph edges).
    let data = std::fs::read(papers().join("gan.pdf")).expect("gan.pdf");
    let pdf = pdf_figures::engine::open(data, &pdf_figures::Limits::default()).expect("opens");
    let page = &pdf.pages()[0];
    let cache = hayro::RenderCache::new();
    let regions = [
        pdf_layout::Rect::new(100.3, 200.7, 300.1, 260.2),
        pdf_layout::Rect::new(150.55, 400.13, 420.9, 470.6),
    ];
    let dpi = 200.0;
    let mut canvas = pdf_figures::render::Canvas::new();
    let together =
        pdf_figures::render::render_crops(page, &cache, &mut canvas, &regions, dpi, 1).unwrap();
    assert_eq!(together.len(), 2);
    for (region, shared) in regions.iter().zip(&together) {
        // The canvas is reused on purpose: a smaller render into a buffer that held a larger
        // one must not show any of it.
        let alone =
            pdf_figures::render::render_crops(page, &cache, &mut canvas, &[*region], dpi, 1)
                .unwrap();
        let (w, h, a) = decode_png(&alone[0]);
        let (w2, h2, b) = decode_png(shared);
        // The size of a crop is its extent at 200 dpi rounded up.
        assert_eq!(
            (w, h),
            (
                (region.width() * dpi / 72.0).ceil() as u32,
                (region.height() * dpi / 72.0).ceil() as u32
            )
        );
        assert_eq!((w, h), (w2, h2));
        let dark = a.iter().filter(|&&v| v < 128).count();
        assert!(dark > 100, "the crop shows text ({dark} dark samples)");
        assert!(
            a == b,
            "a crop cut from the shared render differs from one rendered alone"
        );
    }
}

/// U-Net (read on its rendered pages): page 1 has no equation, only the authors' e-mail and
/// home-page line and the code URL, set centred; page 4's only display is Eq. (1). The inline
/// soft-max "The soft-max is defined as p_k(x) = exp(a_k(x))/(Σ ...)" sits in a paragraph, and
/// its sentence must stay in paper.md (the U-Net dogfood run found both defects).
#[test]
fn addresses_and_inline_math_in_a_paragraph_are_not_display_equations() {
    let data = std::fs::read(papers().join("unet.pdf")).unwrap();
    let ex = pdf_figures::extract(data, "unet", &pdf_figures::Options::default()).unwrap();
    let on = |page: usize| -> Vec<Option<String>> {
        ex.manifest
            .equations
            .iter()
            .filter(|e| e.page == page)
            .map(|e| e.number.clone())
            .collect()
    };
    assert_eq!(on(1), Vec::<Option<String>>::new());
    assert_eq!(on(4), vec![Some("1".to_string())]);
    let md = String::from_utf8(ex.files["paper.md"].clone()).unwrap();
    assert!(
        md.contains("combined with the cross entropy loss function. The soft-max is"),
        "the sentence before the inline soft-max is in paper.md"
    );
}

/// A multi-line display is one crop with its number (issue 18: "every crop holds the whole
/// display"). EfficientNet's Eq. 2 (`max ... s.t. ... ≤ target_flops`, number below the last
/// line) and Eq. 3 (`depth: ... s.t. α·β²·γ² ≈ 2`) were one numbered crop of the last line and
/// unnumbered crops of the rest. The ink boxes below were measured on a 200-dpi poppler render
/// (`pdftoppm -r 200 -gray`): the display's area chosen by eye, without its number, tightened
/// to the pixels darker than 200; the line of running text above Eq. 2 ("as an optimization
/// problem:") ends at y = 264.4.
#[test]
fn a_multi_line_display_is_one_numbered_crop() {
    let data = std::fs::read(papers().join("efficientnet.pdf")).unwrap();
    let ex = pdf_figures::extract(data, "efficientnet", &pdf_figures::Options::default()).unwrap();
    let eq = |n: &str| {
        ex.manifest
            .equations
            .iter()
            .find(|e| e.number.as_deref() == Some(n))
            .unwrap_or_else(|| panic!("no equation ({n})"))
    };
    let holds = |b: [f64; 4], ink: [f64; 4]| {
        b[0] <= ink[0] + 1.0 && b[1] <= ink[1] + 1.0 && b[2] >= ink[2] - 1.0 && b[3] >= ink[3] - 1.0
    };
    for (n, page, ink) in [
        ("2", 3, [317.9, 278.6, 527.0, 353.5]),
        ("3", 5, [109.4, 158.0, 214.6, 218.2]),
    ] {
        let e = eq(n);
        assert_eq!(e.page, page);
        assert!(
            holds(e.bbox, ink),
            "({n}) {:?} does not hold {ink:?}",
            e.bbox
        );
        // No unnumbered crop repeats a line of the display.
        let rest: Vec<_> = ex
            .manifest
            .equations
            .iter()
            .filter(|o| o.number.is_none() && o.page == page)
            .filter(|o| o.bbox[1] < ink[3] && o.bbox[3] > ink[1] && o.bbox[0] < ink[2])
            .map(|o| o.bbox)
            .collect();
        assert!(rest.is_empty(), "({n}) also cut as {rest:?}");
    }
    assert!(
        eq("2").bbox[1] > 264.4,
        "Eq. 2's crop takes the sentence above it"
    );
}

/// Issue 18: "an equation crop is the union of every glyph of the display, indices and left-hand
/// side included" (YOLO's Eq. 3 lost the subscript of its leading `λcoord`). ViT's Eqs. 1-4
/// (p.4) lead with subscripted and primed symbols (`z_0`, `z'_ℓ`, `z_ℓ`, `y = LN(z^0_L)`) and
/// carry super- and subscripts on both sides, stacked 4 pt apart. Ink boxes from a 200-dpi
/// poppler render (`pdftoppm -r 200 -gray -f 4 -l 4`), pixels darker than 200 in the band of
/// each display between x = 100 and 490 pt (the numbers are further right), read row by row;
/// the sentence above ("The MLP contains two layers ...") ends at y = 94.0.
#[test]
fn crops_hold_subscripted_left_hand_sides_and_no_neighbour() {
    let data = std::fs::read(papers().join("vit.pdf")).unwrap();
    let ex = pdf_figures::extract(data, "vit", &pdf_figures::Options::default()).unwrap();
    let inks = [
        ("1", [129.2, 100.4, 472.7, 114.5]),
        ("2", [127.1, 118.4, 370.1, 128.9]),
        ("3", [130.0, 133.6, 370.1, 144.4]),
        ("4", [132.5, 148.7, 183.6, 160.2]),
    ];
    for (k, (n, ink)) in inks.iter().enumerate() {
        let e = ex
            .manifest
            .equations
            .iter()
            .find(|e| e.number.as_deref() == Some(*n) && e.page == 4)
            .unwrap_or_else(|| panic!("no equation ({n}) on p.4"));
        let b = e.bbox;
        assert!(
            b[0] <= ink[0] + 0.5
                && b[1] <= ink[1] + 0.5
                && b[2] >= ink[2] - 0.5
                && b[3] >= ink[3] - 0.5,
            "({n}) {b:?} does not hold its ink {ink:?}"
        );
        // Nor does it reach the display below or the sentence above.
        let below = inks.get(k + 1).map_or(f64::INFINITY, |(_, i)| i[1]);
        let above = if k == 0 { 94.0 } else { inks[k - 1].1[3] };
        assert!(
            b[3] < below && b[1] > above,
            "({n}) {b:?} reaches a neighbour ({above}..{below})"
        );
    }
}

/// MobileNetV2 (../shared/corpus/papers-fresh, unseen), p.6, Eq. (2): the number "(2)" is set
/// under the corner of the display's large bracket, 1.1 pt below its ink, and the crop's 3 pt
/// margin took the top of "(2)" along its lower right edge. Ink boxes from a 200-dpi poppler
/// render (`pdftoppm -r 200 -gray -f 6 -l 6`, pixels darker than 200): the display 82.1..281.9 x
/// 95.0..131.0 pt, the number 283.3..294.5 x 132.1..140.8 pt. The crop's ink must be the
/// display's, no more (within a pixel and a half at 200 dpi).
#[test]
fn a_crop_holds_its_display_and_no_sliver_of_the_number_under_it() {
    let data = std::fs::read(papers().join("../papers-fresh/mobilenetv2.pdf"))
        .expect("../shared/corpus/papers-fresh/mobilenetv2.pdf: the unseen papers are missing");
    let ex = pdf_figures::extract(data, "mobilenetv2", &pdf_figures::Options::default()).unwrap();
    let e = ex
        .manifest
        .equations
        .iter()
        .find(|e| e.number.as_deref() == Some("2") && e.page == 6)
        .expect("equation (2) on p.6");
    let (w, h, rgb) = decode_png(&ex.files[&e.file]);
    let (mut x0, mut y0, mut x1, mut y1) = (u32::MAX, u32::MAX, 0, 0);
    for y in 0..h {
        for x in 0..w {
            let i = 3 * (y * w + x) as usize;
            let grey = (u32::from(rgb[i]) + u32::from(rgb[i + 1]) + u32::from(rgb[i + 2])) / 3;
            if grey < 200 {
                (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x + 1), y1.max(y + 1));
            }
        }
    }
    let pt = |px: u32| f64::from(px) * 72.0 / 200.0;
    let (ink_w, ink_h) = (pt(x1 - x0), pt(y1 - y0));
    assert!(
        (ink_w - (281.9 - 82.1)).abs() <= 0.55 && (ink_h - (131.0 - 95.0)).abs() <= 0.55,
        "crop {} of ({}) holds ink {ink_w:.1} x {ink_h:.1} pt, the display is 199.8 x 36.0",
        e.file,
        e.number.as_deref().unwrap_or("")
    );
}

/// ViT p.13: Eq. (6) `A = softmax(qk⊤/√D_h)` sets big parentheses and a radical (TeX's cmex),
/// whose ink hangs from their baseline far below it. Their estimated boxes (0.8 em above the
/// baseline to 0.2 below) lay above the ink, between Eqs. 5 and 6, and Eq. 5's box grew into
/// them (to y = 426.5) while Eq. 6's text read `_{A = softmax qk⊤/} frac(, D_{h})...` (the
/// radical's overline taken for a fraction bar). Ink measured on a 200-dpi poppler render
/// (`pdftoppm -r 200 -gray -f 13 -l 13`, pixels darker than 200 between x = 160 and 450 pt, row
/// by row): Eq. 5 405.7..417.6, Eq. 6 421.9..439.9, Eq. 7 from 443.9.
#[test]
fn big_delimiters_belong_to_their_own_display() {
    let data = std::fs::read(papers().join("vit.pdf")).unwrap();
    let ex = pdf_figures::extract(data, "vit", &pdf_figures::Options::default()).unwrap();
    let eq = |n: &str| {
        ex.manifest
            .equations
            .iter()
            .find(|e| e.number.as_deref() == Some(n) && e.page == 13)
            .unwrap_or_else(|| panic!("no equation ({n}) on p.13"))
    };
    // (number, ink top, ink bottom, next display's ink top)
    for (n, top, bottom, next) in [("5", 405.7, 417.6, 421.9), ("6", 421.9, 439.9, 443.9)] {
        let b = eq(n).bbox;
        assert!(
            b[1] <= top + 0.5 && b[3] >= bottom - 0.5 && b[3] < next,
            "({n}) {b:?} does not hold its ink {top}..{bottom} or reaches {next}"
        );
    }
    let six = &eq("6").text;
    assert!(
        six.starts_with("A = softmax(qk^{⊤}/√D_{h})"),
        "Eq. 6 reads {six:?}"
    );
}
