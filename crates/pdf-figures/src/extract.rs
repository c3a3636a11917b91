//! The whole extraction of one document: pages read once, layout, figures, images, renders,
//! and the manifest that lists them.

use crate::engine::{self, PageContent};
use crate::equations::{self, EquationEntry};
use crate::error::Error;
use crate::images::ImageStore;
use crate::limits::Limits;
use crate::render::{PageCrops, check_render_size, render_all};
use crate::structure::Context;
use crate::tables::{self, TableEntry};
use crate::{hyperparams, paper_md};
use hayro::RenderCache;
use pdf_layout::{
    CaptionKind, GraphicKind, PageLayout, Rect, Region, Side, analyze_page, body_font_size, locate,
    select_captions,
};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::io::IsTerminal;

/// What to produce.
#[derive(Clone, Debug)]
pub struct Options {
    /// Resolution of figure crops and page renders.
    pub dpi: f64,
    /// Also render every page to `pages/page-N.png`.
    pub pages: bool,
    /// Resource limits.
    pub limits: Limits,
    /// Print a progress line on stderr when it is a terminal and the document is long.
    pub progress: bool,
    /// Threads for reading, rendering and the structure passes; 0 picks one per core, at most
    /// 4. The output does not depend on it.
    pub threads: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            dpi: 200.0,
            pages: false,
            limits: Limits::default(),
            progress: false,
            threads: 0,
        }
    }
}

/// The manifest, `out/manifest.json`. Field names are in alphabetical order on purpose: they are
/// the JSON keys, and sorted keys keep the output stable.
#[derive(Clone, Debug, Serialize)]
pub struct Manifest {
    /// Document facts.
    pub document: DocumentInfo,
    /// Display equations in document order.
    pub equations: Vec<EquationEntry>,
    /// Figures in document order.
    pub figures: Vec<Figure>,
    /// `hyperparams.json`, when written.
    pub hyperparams: Option<String>,
    /// Embedded raster images written to `images/`.
    pub images: Vec<ImageEntry>,
    /// Per-page facts and files.
    pub pages: Vec<PageEntry>,
    /// `paper.md`, when written.
    pub paper: Option<String>,
    /// Image draws left out on purpose, by reason.
    pub skipped: BTreeMap<String, usize>,
    /// Captioned tables in document order.
    pub tables: Vec<TableEntry>,
    /// Program and version that wrote the manifest.
    pub tool: String,
}

/// Document facts.
#[derive(Clone, Debug, Serialize)]
pub struct DocumentInfo {
    /// Size of the PDF in bytes.
    pub bytes: usize,
    /// Resolution of the renders.
    pub dpi: f64,
    /// The file name as given.
    pub file: String,
    /// The most common font size, taken as the body text size.
    pub font_size: f64,
    /// Number of pages.
    pub pages: usize,
    /// Producer from the document information dictionary.
    pub producer: Option<String>,
    /// Title from the document information dictionary.
    pub title: Option<String>,
}

/// A located figure.
#[derive(Clone, Debug, Serialize)]
pub struct Figure {
    /// Figure box in PDF points, top-left origin: `[x0, y0, x1, y1]`.
    pub bbox: [f64; 4],
    /// Caption text.
    pub caption: String,
    /// Caption box.
    pub caption_bbox: [f64; 4],
    /// The rendered crop, relative to the output folder.
    pub file: String,
    /// The id as printed ("3").
    pub id: String,
    /// Embedded images drawn inside the figure, relative to the output folder.
    pub images: Vec<String>,
    /// "raster", "vector" or "mixed".
    pub kind: String,
    /// 1-based page.
    pub page: usize,
}

/// An embedded image.
#[derive(Clone, Debug, Serialize)]
pub struct ImageEntry {
    /// Whether the PNG carries an alpha channel from the PDF's soft mask.
    pub alpha: bool,
    /// Bits per sample of the written file: 16 when a 16-bit image was written exactly, else 8.
    pub bits: u8,
    /// File relative to the output folder.
    pub file: String,
    /// PDF stream filters.
    pub filters: Vec<String>,
    /// Pixel height.
    pub height: u32,
    /// "12 0" for an image object, `None` for an inline image.
    pub object: Option<String>,
    /// `/BitsPerComponent` in the PDF (16 with `bits` 8 means the samples were reduced).
    pub pdf_bits: Option<u8>,
    /// Every draw: page and box.
    pub placements: Vec<PlacementEntry>,
    /// The untouched JPEG stream, when the main file had to be a PNG (soft mask).
    pub raw_jpeg: Option<String>,
    /// Pixel width.
    pub width: u32,
}

/// One draw of an image.
#[derive(Clone, Debug, Serialize)]
pub struct PlacementEntry {
    /// Box in PDF points, top-left origin.
    pub bbox: [f64; 4],
    /// 1-based page.
    pub page: usize,
}

/// Per-page facts.
#[derive(Clone, Debug, Serialize)]
pub struct PageEntry {
    /// 1 or 2.
    pub columns: u8,
    /// Height in points.
    pub height: f64,
    /// 1-based page.
    pub page: usize,
    /// The page render, when asked for.
    pub render: Option<String>,
    /// Reading-order text file.
    pub text: String,
    /// Width in points.
    pub width: f64,
}

/// The result: the manifest, the files to write (path relative to the output folder), and the
/// layout of every page for callers that go further (tables, equations).
pub struct Extraction {
    /// The manifest.
    pub manifest: Manifest,
    /// Files to write, sorted by path.
    pub files: BTreeMap<String, Vec<u8>>,
    /// Layout of every page.
    pub layouts: Vec<PageLayout>,
}

fn arr(r: &Rect) -> [f64; 4] {
    let r = r.rounded();
    [r.x0, r.y0, r.x1, r.y1]
}

fn latin1_or_utf8(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        return String::from_utf16_lossy(&units);
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => bytes.iter().map(|&b| b as char).collect(),
    }
}

/// Reads the document and builds every output in memory.
pub fn extract(data: Vec<u8>, file_name: &str, opts: &Options) -> Result<Extraction, Error> {
    let bytes = data.len();
    let mut timer = Timer::from_env();
    let threads = match opts.threads {
        0 => std::thread::available_parallelism().map_or(1, |t| t.get().min(4)),
        t => t,
    };
    // The hyper-parameter vocabulary's shared automata are independent of the PDF; with spare
    // cores they are built while the pages are interpreted.
    let mut warm_up = (threads > 1).then(|| std::thread::spawn(paper_mining::warm_up));
    let pdf = engine::open(data, &opts.limits)?;
    timer.lap("open");
    let n = pdf.pages().len();
    let show_progress = opts.progress && n > 10 && std::io::stderr().is_terminal();
    // Nesting and the budgets of interpretation are checked before any page is interpreted
    // (issue 20: interpreting first let a hostile file take minutes or gigabytes). The
    // renderer's copy of the document (see `glyph_programs`) reads every object: a spare core
    // makes it while the pages are interpreted.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        crate::nesting::check(&pdf, &opts.limits)
    }))
    .unwrap_or_else(|panic| {
        Err(Error::Input(format!(
            "damaged PDF: reading the content streams failed ({})",
            engine::panic_message(&panic)
        )))
    })?;
    timer.lap("budgets");
    let (decoded_glyphs, pages) = std::thread::scope(|scope| {
        let copy = || crate::glyph_programs::with_decoded_glyph_programs(&pdf);
        let side = (threads > 1)
            .then(|| crate::pool::spawn_worker(scope, copy))
            .flatten();
        let pages = engine::read_pages(&pdf, &opts.limits, threads, show_progress);
        let copy = match side {
            Some(handle) => handle.join().ok().flatten(),
            None => copy(),
        };
        (copy, pages)
    });
    let (mut contents, store) = pages?;
    timer.lap("interpret");
    let mut skipped = BTreeMap::new();
    skipped.insert("stencil_rules".to_string(), store.stencil_rules);
    let dropped = repeated_images(&contents, &store, n, &mut skipped);
    for c in &mut contents {
        let gone: Vec<Rect> = c
            .placements
            .iter()
            .filter(|p| dropped.contains(&p.image))
            .map(|p| p.bbox)
            .collect();
        c.input
            .graphics
            .retain(|g| !(g.kind == GraphicKind::Image && gone.contains(&g.bbox)));
        c.placements.retain(|p| !dropped.contains(&p.image));
    }
    // Moved out, not copied: nothing reads a page's glyphs and graphics after its layout.
    let inputs: Vec<_> = contents
        .iter_mut()
        .map(|c| std::mem::take(&mut c.input))
        .collect();
    let body_size = body_font_size(&inputs);
    let layouts: Vec<PageLayout> = crate::pool::map_in_order(&inputs, threads, |i, input| {
        analyze_page(i + 1, input, body_size)
    });
    if let Some(n) = std::env::var("PDF_FIGURES_DEBUG_PAGE")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        && let Some(l) = layouts.get(n.wrapping_sub(1))
    {
        debug_page(l);
    }
    timer.lap("layout");
    // Locating figures, tables and equations below runs on this thread alone; the spare core
    // meanwhile builds the automata that mining these pages will use (after the shared ones).
    let prepare = (threads > 1).then(|| {
        let texts: Vec<String> = layouts.iter().map(PageLayout::text).collect();
        let warm_up = warm_up.take();
        std::thread::spawn(move || {
            if let Some(w) = warm_up {
                let _ = w.join();
            }
            paper_mining::prepare(&texts);
        })
    });
    let captions = select_captions(&layouts);
    let regions = locate(&layouts, &captions, CaptionKind::Figure, Side::Above);

    let mut files = BTreeMap::new();
    let image_files = image_file_names(&store);
    // Every crop (figures and pages here, tables and equations below) is queued by page and
    // rendered by `render_all`; sizes are checked now so that an out-of-range render fails first.
    let mut crops = PageCrops::new();
    let mut figures = Vec::new();
    for region in &regions {
        let page_no = region.caption.page;
        let layout = &layouts[page_no - 1];
        let page_rect = Rect::new(0.0, 0.0, layout.width, layout.height);
        let bbox = crate::ink::trim(region.bbox, &contents[page_no - 1].placements, &store);
        let crop = bbox.inflate(2.0).intersect(&page_rect).unwrap_or(bbox);
        let file = format!("figures/fig-{}.png", safe_id(&region.caption.id));
        check_render_size(crop, opts.dpi, page_no)?;
        crops.entry(page_no).or_default().push((file.clone(), crop));
        let mut images: Vec<String> = contents[page_no - 1]
            .placements
            .iter()
            .filter(|p| {
                let (cx, cy) = p.bbox.center();
                crop.contains_point(cx, cy)
            })
            .filter_map(|p| image_files[p.image].clone())
            .collect();
        images.dedup();
        figures.push(Figure {
            bbox: arr(&bbox),
            caption: region.caption.text.clone(),
            caption_bbox: arr(&region.caption.bbox),
            file,
            id: region.caption.id.clone(),
            images,
            kind: figure_kind(layout, region).to_string(),
            page: page_no,
        });
    }

    timer.lap("figures");
    let mut pages = Vec::with_capacity(n);
    for layout in &layouts {
        let text = format!("text/page-{}.txt", layout.number);
        files.insert(text.clone(), layout.text().into_bytes());
        let render = if opts.pages {
            let rect = Rect::new(0.0, 0.0, layout.width, layout.height);
            check_render_size(rect, opts.dpi, layout.number)?;
            let name = format!("pages/page-{}.png", layout.number);
            crops
                .entry(layout.number)
                .or_default()
                .push((name.clone(), rect));
            Some(name)
        } else {
            None
        };
        pages.push(PageEntry {
            columns: if layout.two_columns { 2 } else { 1 },
            height: round2(layout.height),
            page: layout.number,
            render,
            text,
            width: round2(layout.width),
        });
    }
    if show_progress {
        eprint!("\r\x1b[K");
    }

    let mut images = Vec::new();
    for (i, img) in store.images.iter().enumerate() {
        let Some(file) = image_files[i].clone().filter(|_| !dropped.contains(&i)) else {
            continue;
        };
        files.insert(file.clone(), img.bytes.clone());
        let raw_jpeg = img.raw_jpeg.as_ref().map(|raw| {
            let name = file.replace(".png", ".jpg");
            files.insert(name.clone(), raw.clone());
            name
        });
        let placements = contents
            .iter()
            .flat_map(|c| &c.placements)
            .filter(|p| p.image == i)
            .map(|p| PlacementEntry {
                bbox: arr(&p.bbox),
                page: p.page,
            })
            .collect();
        images.push(ImageEntry {
            alpha: img.alpha,
            bits: img.bits,
            file,
            filters: img.filters.clone(),
            height: img.height,
            object: img.object.map(|(n, g)| format!("{n} {g}")),
            pdf_bits: img.pdf_bits,
            placements,
            raw_jpeg,
            width: img.width,
        });
    }
    let failed = store.images.iter().filter(|i| i.bytes.is_empty()).count();
    skipped.insert("undecodable".to_string(), failed);

    timer.lap("pages+images");
    // Rendering reads the copy whose Type 3 glyph programs are decoded once, when there is
    // one; everything else reads the file as it is.
    let render_pdf = decoded_glyphs.as_ref().unwrap_or(&pdf);
    let render_cache = RenderCache::new();
    let ctx = Context {
        pdf: render_pdf,
        layouts: &layouts,
        captions: &captions,
        render_cache: &render_cache,
        dpi: opts.dpi,
    };
    let (tables, table_crops) = tables::entries_and_crops(&ctx, &mut files)?;
    timer.lap("tables");
    let (equations, equation_crops) = equations::entries_and_crops(&ctx, &tables)?;
    timer.lap("equations");
    for (page, more) in table_crops.into_iter().chain(equation_crops) {
        crops.entry(page).or_default().extend(more);
    }
    // The images a page's crops show are decoded and resampled by its render: the pixels of
    // their sources weigh in the order pages are rendered (see `render_all`).
    let mut image_pixels: BTreeMap<usize, u64> = BTreeMap::new();
    for (&page_no, page_crops) in &crops {
        let shown = contents[page_no - 1].placements.iter().filter(|p| {
            page_crops
                .iter()
                .any(|(_, c)| c.intersect(&p.bbox).is_some())
        });
        for p in shown {
            let image = &store.images[p.image];
            *image_pixels.entry(page_no).or_default() +=
                u64::from(image.width) * u64::from(image.height);
        }
    }
    // The crops are drawn from a copy without the text that none of them can show (see
    // `text_culling`).
    let culled = crate::text_culling::without_distant_text(render_pdf, &crops, opts.dpi);
    timer.lap("cull text");
    let crops_pdf = culled.as_ref().unwrap_or(render_pdf);
    // Every page with any crop is rendered once, on the spare cores, while this thread mines
    // the hyper-parameters and writes paper.md (then it renders too).
    let (rendered, mined) = render_all(crops_pdf, &crops, &image_pixels, opts.dpi, threads, || {
        let mut files = BTreeMap::new();
        let hyperparams = hyperparams::mine(&ctx, &tables, &mut files)?;
        let paper = paper_md::write(&ctx, &figures, &tables, &equations, &mut files)?;
        Ok::<_, Error>((files, hyperparams, paper))
    });
    timer.lap("mine+render");
    if let Some(p) = prepare {
        let _ = p.join();
    }
    let (mined_files, hyperparams, paper) = mined?;
    files.extend(rendered?);
    files.extend(mined_files);

    let meta = pdf.metadata();
    let manifest = Manifest {
        document: DocumentInfo {
            bytes,
            dpi: opts.dpi,
            file: file_name.to_string(),
            font_size: body_size,
            pages: n,
            producer: meta.producer.as_deref().map(latin1_or_utf8),
            title: meta.title.as_deref().map(latin1_or_utf8),
        },
        equations,
        figures,
        hyperparams,
        images,
        pages,
        paper,
        skipped,
        tables,
        tool: format!("pdf-figures {}", env!("CARGO_PKG_VERSION")),
    };
    Ok(Extraction {
        manifest,
        files,
        layouts,
    })
}

/// Per-phase wall times on stderr when `PDF_FIGURES_TIMINGS` is set, for finding where a slow
/// paper spends its time without a profiler build.
pub struct Timer(Option<std::time::Instant>);

impl Timer {
    /// A timer that reports only when `PDF_FIGURES_TIMINGS` is set.
    pub fn from_env() -> Self {
        Timer(std::env::var_os("PDF_FIGURES_TIMINGS").map(|_| std::time::Instant::now()))
    }

    /// Prints the time since the previous lap under `phase`, with the process's resident and
    /// peak resident memory where the OS tells them (on a VM, memory touched for the first
    /// time can cost as much as the work done in it).
    pub fn lap(&mut self, phase: &str) {
        if let Some(t) = self.0 {
            let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
            let field = |name: &str| {
                status
                    .lines()
                    .find_map(|l| l.strip_prefix(name))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
                    .map_or_else(String::new, |kb| format!(" {:6.1} MB", kb as f64 / 1024.0))
            };
            eprintln!(
                "pdf-figures: {phase:<14} {:8.1} ms{}{}",
                t.elapsed().as_secs_f64() * 1e3,
                field("VmRSS:"),
                field("VmHWM:"),
            );
            self.0 = Some(std::time::Instant::now());
        }
    }
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// Keeps ids usable as file names ("3", "A.1", "III").
pub(crate) fn safe_id(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// File names of written images, `None` for images that are not written (undecodable or skipped).
fn image_file_names(store: &ImageStore) -> Vec<Option<String>> {
    let mut inline = 0;
    store
        .images
        .iter()
        .map(|img| {
            if img.bytes.is_empty() || img.stencil && img.ext.is_empty() {
                return None;
            }
            Some(match img.object {
                Some((n, 0)) => format!("images/img-{n}.{}", img.ext),
                Some((n, g)) => format!("images/img-{n}-{g}.{}", img.ext),
                None => {
                    inline += 1;
                    format!("images/inline-{inline}.{}", img.ext)
                }
            })
        })
        .collect()
}

/// Images that are page furniture, not content: one stretched over most of the page on many
/// pages (a background), or a small one repeated on many pages (a logo). Their files are not
/// written and their draws do not count as graphics.
fn repeated_images(
    contents: &[PageContent],
    store: &ImageStore,
    n_pages: usize,
    skipped: &mut BTreeMap<String, usize>,
) -> BTreeSet<usize> {
    let mut pages_of: BTreeMap<usize, BTreeSet<usize>> = BTreeMap::new();
    let mut covers: BTreeSet<usize> = BTreeSet::new();
    for c in contents {
        let area = c.input.width * c.input.height;
        for p in &c.placements {
            pages_of.entry(p.image).or_default().insert(p.page);
            if p.bbox.area() > 0.6 * area {
                covers.insert(p.image);
            }
        }
    }
    let mut dropped = BTreeSet::new();
    let (mut backgrounds, mut logos) = (0, 0);
    for (image, pages) in &pages_of {
        let count = pages.len();
        if covers.contains(image) && count >= 2 && count * 2 >= n_pages {
            backgrounds += 1;
            dropped.insert(*image);
        } else if count >= 3 && count * 10 >= n_pages * 3 {
            logos += 1;
            dropped.insert(*image);
        }
    }
    let _ = store;
    skipped.insert("backgrounds".into(), backgrounds);
    skipped.insert("repeated".into(), logos);
    dropped
}

/// Raster when embedded images make the figure, vector when only paths and text do, mixed when
/// both carry weight. A path with the image's own box is its frame or clip, not vector content.
fn figure_kind(layout: &PageLayout, region: &Region) -> &'static str {
    let gs: Vec<_> = region
        .graphics
        .iter()
        .map(|&i| &layout.graphics[i])
        .collect();
    let images: Vec<&Rect> = gs
        .iter()
        .filter(|g| g.kind == GraphicKind::Image && g.bbox.area() > 4.0)
        .map(|g| &g.bbox)
        .collect();
    let vector_area: f64 = gs
        .iter()
        .filter(|g| g.kind == GraphicKind::Path && !g.is_rule())
        .filter(|g| !images.iter().any(|im| im.iou(&g.bbox) > 0.8))
        .map(|g| g.bbox.area())
        .fold(0.0, f64::max);
    let region_area = region.bbox.area().max(1.0);
    match (!images.is_empty(), vector_area > 0.05 * region_area) {
        (true, false) => "raster",
        (true, true) => "mixed",
        _ => "vector",
    }
}

/// Layout dump for tuning, on stderr (PDF_FIGURES_DEBUG_PAGE=N).
fn debug_page(l: &PageLayout) {
    for b in &l.blocks {
        let r = b.block.bbox.rounded();
        let first: String = b.block.lines[0].text().chars().take(50).collect();
        eprintln!(
            "{:?} [{} {} {} {}] size {:.1} lines {}: {first}",
            b.role,
            r.x0,
            r.y0,
            r.x1,
            r.y1,
            b.block.size(),
            b.block.lines.len()
        );
    }
    let mut kinds = BTreeMap::new();
    for g in &l.graphics {
        *kinds
            .entry(format!(
                "{:?}{}",
                g.kind,
                if g.is_rule() { "-rule" } else { "" }
            ))
            .or_insert(0) += 1;
    }
    eprintln!("graphics: {kinds:?}");
    if std::env::var_os("PDF_FIGURES_DEBUG_ALL").is_some() {
        for g in &l.graphics {
            eprintln!(
                "graphic {:?} {} {:?}",
                g.kind,
                g.is_rule(),
                g.bbox.rounded()
            );
        }
    }
    for g in l
        .graphics
        .iter()
        .filter(|g| g.bbox.area() > 0.1 * l.width * l.height)
    {
        eprintln!("large {:?} {:?}", g.kind, g.bbox.rounded());
    }
}
