//! Rendering on real papers of ../shared/corpus/papers: the copy without distant text and the
//! copy with decoded glyph programs render every crop to the same pixels as the file, and one
//! thread and four write the same bytes. The synthetic cases are in text_culling.rs,
//! glyph_programs.rs and threads.rs.

mod common;

use common::run_ok_with;
use hayro::RenderCache;
use hayro_syntax::object::Stream;
use pdf_figures::glyph_programs::with_decoded_glyph_programs;
use pdf_figures::render::{Canvas, PageCrops, render_crops};
use pdf_figures::text_culling::without_distant_text;
use pdf_layout::Rect;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

const DPI: f64 = 200.0;

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

fn extract(pdf: &[u8], threads: &str) -> (Value, std::path::PathBuf, tempfile::TempDir) {
    run_ok_with(pdf, &["--threads", threads])
}

/// Every figure, table and equation crop the extraction finds in `paper` renders to the same
/// PNG bytes from the copy as from the document the renderer would otherwise read.
fn corpus_crops_are_unchanged(paper: &str, least_pages: usize) {
    let data = std::fs::read(common::shared_papers().join(paper)).unwrap();
    let extraction =
        pdf_figures::extract(data.clone(), paper, &pdf_figures::Options::default()).unwrap();
    let m = &extraction.manifest;
    let mut all = PageCrops::new();
    let boxes = m
        .figures
        .iter()
        .map(|f| (f.page, f.bbox))
        .chain(m.tables.iter().map(|t| (t.page, t.bbox)))
        .chain(m.equations.iter().map(|e| (e.page, e.bbox)));
    for (page, b) in boxes {
        all.entry(page)
            .or_default()
            .push((String::new(), Rect::new(b[0], b[1], b[2], b[3])));
    }
    let original = hayro_syntax::Pdf::new(data).unwrap();
    let base = pdf_figures::glyph_programs::with_decoded_glyph_programs(&original);
    let base = base.as_ref().unwrap_or(&original);
    let copy = without_distant_text(base, &all, DPI).expect("text to leave out");
    let mut changed = 0;
    for (&page, jobs) in &all {
        if content(base, page) != content(&copy, page) {
            changed += 1;
        }
        let regions: Vec<Rect> = jobs.iter().map(|(_, r)| *r).collect();
        assert!(
            render(base, page, &regions) == render(&copy, page, &regions),
            "{paper} page {page}: a crop differs"
        );
    }
    assert!(
        changed >= least_pages,
        "{paper}: only {changed} pages lost text"
    );
}

#[test]
fn lstm_crops_are_unchanged() {
    // Bitmap Type 3 fonts (dvips), rules drawn as inline image masks: 21 pages have crops.
    corpus_crops_are_unchanged("lstm.pdf", 15);
}

#[test]
fn gpt2_crops_are_unchanged() {
    // Outline fonts; 19 pages have crops.
    corpus_crops_are_unchanged("gpt2.pdf", 12);
}

#[test]
fn lstm_pages_render_the_same_from_the_copy() {
    // The LSTM paper is set in dvips bitmap fonts: mutool finds 26 font dictionaries with
    // `/CharProcs` naming 718 distinct glyph programs, every one `/Filter /LZWDecode` with an
    // inline CCITT bitmap inside (`mutool show lstm.pdf 45`).
    let data = std::fs::read(common::shared_papers().join("lstm.pdf")).unwrap();
    let original = hayro_syntax::Pdf::new(data).unwrap();
    let copy = with_decoded_glyph_programs(&original).expect("lstm.pdf gets a copy");
    let (mut decoded, mut filtered) = (BTreeSet::new(), BTreeSet::new());
    for obj in copy.objects() {
        let hayro_syntax::object::Object::Dict(font) = obj else {
            continue;
        };
        let Some(procs) = font.get::<hayro_syntax::object::Dict<'_>>(b"CharProcs") else {
            continue;
        };
        for name in procs.keys() {
            let s = procs.get::<Stream<'_>>(name.as_ref()).unwrap();
            let id = (s.obj_id().obj_number, s.obj_id().gen_number);
            if s.filters().is_empty() {
                decoded.insert(id);
            } else {
                filtered.insert(id);
            }
        }
    }
    assert_eq!(decoded.len(), 718);
    assert!(filtered.is_empty(), "{filtered:?} still compressed");
    // Page 3 is running text and page 7 holds Figure 1, both in those fonts.
    for page in [3, 7] {
        let render = |pdf: &hayro_syntax::Pdf| {
            let pages = pdf.pages();
            let (w, h) = pages[page - 1].render_dimensions();
            let whole = Rect::new(0.0, 0.0, f64::from(w), f64::from(h));
            render_crops(
                &pages[page - 1],
                &RenderCache::new(),
                &mut Canvas::new(),
                &[whole],
                100.0,
                page,
            )
            .unwrap()
            .remove(0)
        };
        assert!(render(&original) == render(&copy), "page {page} differs");
    }
}

fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().display().to_string();
                files.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }
    files.sort();
    files
}

#[test]
fn one_thread_and_four_write_the_same_bytes_on_real_papers() {
    let papers = common::shared_papers();
    // vit draws forms with images on several pages; alexnet has CMYK and CalRGB images.
    for name in ["vit.pdf", "alexnet.pdf"] {
        let pdf = std::fs::read(papers.join(name)).unwrap();
        let (_, one, _d1) = extract(&pdf, "1");
        let (_, four, _d4) = extract(&pdf, "4");
        let (a, b) = (tree(&one), tree(&four));
        assert!(a.len() > 20, "{name}: only {} files", a.len());
        assert_eq!(
            a.iter().map(|f| &f.0).collect::<Vec<_>>(),
            b.iter().map(|f| &f.0).collect::<Vec<_>>(),
            "{name}: file lists differ"
        );
        for ((file, x), (_, y)) in a.iter().zip(&b) {
            assert!(x == y, "{name}: {file} differs between --threads 1 and 4");
        }
    }
}
