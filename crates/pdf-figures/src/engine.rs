//! The PDF engine: opens a file once and interprets each page through hayro's device interface
//! into positioned glyphs, graphics boxes and image placements.

use crate::error::Error;
use crate::images::{ImageStore, Placement};
use crate::limits::Limits;
use hayro_interpret::font::{Glyph as HGlyph, GlyphRun};
use hayro_interpret::hayro_cmap::BfString;
use hayro_interpret::kurbo::{self, Affine, BezPath, Shape};
use hayro_interpret::{
    BlendMode, ClipPath, Context, Device, DrawMode, DrawProps, Image, ImageDrawProps,
    InterpreterCache, InterpreterSettings, RenderContent, SoftMask, TransformExt, interpret_page,
};
use hayro_syntax::Pdf;
use hayro_syntax::page::Page;
use pdf_layout::{Glyph, Graphic, GraphicKind, PageInput, Rect};
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Interpreter settings used for extraction and rendering alike: page content only, because
/// annotation appearances are earlier readers' highlights and ink, not part of the paper.
pub fn interpreter_settings() -> InterpreterSettings {
    InterpreterSettings {
        render_content: RenderContent::PAGE,
        ..InterpreterSettings::default()
    }
}

/// Opens a PDF after the cheap checks that give clearer messages than a parser failure.
pub fn open(data: Vec<u8>, limits: &Limits) -> Result<Pdf, Error> {
    let head = &data[..data.len().min(1024)];
    if !head.windows(5).any(|w| w == b"%PDF-") {
        return Err(Error::Input("not a PDF file (no %PDF- header)".into()));
    }
    let tail = &data[data.len().saturating_sub(2048)..];
    if !tail.windows(5).any(|w| w == b"%%EOF") {
        return Err(Error::Input(
            "truncated PDF (no %%EOF marker at the end of the file)".into(),
        ));
    }
    let pdf = match catch_unwind(AssertUnwindSafe(|| Pdf::new(data))) {
        Ok(Ok(pdf)) => pdf,
        Ok(Err(hayro_syntax::LoadPdfError::Decryption(e))) => {
            return Err(Error::Input(format!(
                "encrypted PDF that cannot be opened without a password ({e:?})"
            )));
        }
        Ok(Err(_)) => {
            return Err(Error::Input(
                "damaged PDF: cross-reference table and objects unreadable".into(),
            ));
        }
        Err(_) => return Err(Error::Input("damaged PDF: the parser failed".into())),
    };
    let pages = catch_unwind(AssertUnwindSafe(|| pdf.pages().len()))
        .map_err(|_| Error::Input("damaged PDF: page tree unreadable".into()))?;
    if pages == 0 {
        return Err(Error::Input("PDF has no pages".into()));
    }
    crate::limits::check_streams(&pdf, limits)?;
    Ok(pdf)
}

/// Interprets every page, on up to `threads` threads, and returns the pages' contents in page
/// order with one image store for the document. The result does not depend on the number of
/// threads: pages are taken in increasing order from a shared counter, each thread keeps its own
/// interpreter cache and image store, and the stores are merged as if read in order (an image
/// drawn on pages of two threads is decoded twice but stored once). On failure the error of the
/// lowest failing page is returned, as a sequential read would.
pub fn read_pages(
    pdf: &Pdf,
    limits: &Limits,
    threads: usize,
    progress: bool,
) -> Result<(Vec<PageContent>, ImageStore), Error> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let n = pdf.pages().len();
    let first_error = AtomicUsize::new(usize::MAX);
    let done = AtomicUsize::new(0);
    let order: Vec<usize> = (0..n).collect();
    let (results, ()) = crate::pool::share_jobs(
        &order,
        threads,
        || (InterpreterCache::new(), ImageStore::new(true)),
        |(cache, store), i| {
            // Pages after a failed one are skipped: the first failure is what is reported.
            if i > first_error.load(Ordering::Relaxed) {
                return None;
            }
            let page = read_page(pdf, i, cache, store, limits);
            if page.is_err() {
                first_error.fetch_min(i, Ordering::Relaxed);
            }
            if progress {
                eprint!(
                    "\rpdf-figures: reading page {}/{n}",
                    done.fetch_add(1, Ordering::Relaxed) + 1
                );
            }
            Some(page)
        },
        |(_, store)| store,
        || (),
    );
    if progress {
        eprint!("\r\x1b[K");
    }
    let mut stores = Vec::with_capacity(results.len());
    let mut pages: Vec<Option<(usize, Result<PageContent, Error>)>> =
        (0..n).map(|_| None).collect();
    for (s, result) in results.into_iter().enumerate() {
        let (store, read) =
            result.map_err(|_| Error::Input("the PDF interpreter failed".into()))?;
        for (i, page) in read {
            if let Some(page) = page {
                pages[i] = Some((s, page));
            }
        }
        stores.push(store);
    }
    let (store, maps) = ImageStore::merge(stores);
    let mut contents = Vec::with_capacity(n);
    // Pages past the first failure may be missing; the failure comes first in this order.
    for page in pages {
        let (s, page) = page.ok_or_else(|| Error::Input("the PDF interpreter failed".into()))?;
        let mut content = page?;
        for p in &mut content.placements {
            p.image = maps[s][p.image];
        }
        contents.push(content);
    }
    Ok((contents, store))
}

/// Everything read from one page.
pub struct PageContent {
    /// Glyphs and graphics for layout analysis.
    pub input: PageInput,
    /// Image draws on this page, in drawing order.
    pub placements: Vec<Placement>,
}

/// Interprets page `index` (0-based). Panics inside hayro become errors naming the page.
pub fn read_page<'a>(
    pdf: &'a Pdf,
    index: usize,
    cache: &InterpreterCache<'a>,
    store: &mut ImageStore,
    limits: &Limits,
) -> Result<PageContent, Error> {
    let page = &pdf.pages()[index];
    let result = catch_unwind(AssertUnwindSafe(|| {
        let (w, h) = page.render_dimensions();
        let transform = page.initial_transform(true).to_kurbo();
        let mut ctx = Context::new(
            transform,
            kurbo::Rect::new(0.0, 0.0, w as f64, h as f64),
            cache,
            pdf.xref(),
            interpreter_settings(),
        );
        let mut dev = Collector {
            page_rect: Rect::new(0.0, 0.0, w as f64, h as f64),
            page_number: index + 1,
            clips: Vec::new(),
            input: PageInput {
                width: w as f64,
                height: h as f64,
                ..PageInput::default()
            },
            placements: Vec::new(),
            store,
            limits,
            error: None,
            white: Vec::new(),
        };
        interpret_page(page, &mut ctx, &mut dev);
        dev.drop_backgrounds();
        match dev.error {
            Some(e) => Err(e),
            None => Ok(PageContent {
                input: dev.input,
                placements: dev.placements,
            }),
        }
    }));
    match result {
        Ok(r) => r,
        Err(panic) => Err(Error::Input(format!(
            "page {}: the PDF interpreter failed ({})",
            index + 1,
            panic_message(&panic)
        ))),
    }
}

/// The text of a caught panic payload.
pub fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown cause".into())
}

/// Page size after rotation, in points.
pub fn page_size(page: &Page<'_>) -> (f64, f64) {
    let (w, h) = page.render_dimensions();
    (w as f64, h as f64)
}

struct Collector<'s> {
    page_rect: Rect,
    page_number: usize,
    /// Bounding boxes of the active clip paths, each already intersected with its parent.
    clips: Vec<Option<Rect>>,
    input: PageInput,
    placements: Vec<Placement>,
    store: &'s mut ImageStore,
    limits: &'s Limits,
    error: Option<Error>,
    /// Indices into `input.graphics` of fills in white or fully transparent.
    white: Vec<usize>,
}

fn to_rect(r: kurbo::Rect) -> Rect {
    Rect::new(r.x0, r.y0, r.x1, r.y1)
}

impl Collector<'_> {
    /// Drops white fills that lie behind other drawing: the background rectangle of an
    /// included figure leaves no ink, and would make the figure as wide as the column (CBAM
    /// Fig. 3, papers-fresh). A white fill with nothing drawn inside it stays: listings shade
    /// their lines in white, and those fills are all that marks the listing as a figure.
    fn drop_backgrounds(&mut self) {
        let graphics = &self.input.graphics;
        // Quadratic in the worst case: a page of very many white fills keeps them all.
        if self.white.is_empty() || self.white.len().saturating_mul(graphics.len()) > 20_000_000 {
            return;
        }
        let mut is_white = vec![false; graphics.len()];
        for &i in &self.white {
            is_white[i] = true;
        }
        let behind: Vec<usize> = self
            .white
            .iter()
            .copied()
            .filter(|&w| {
                let area = graphics[w].bbox.inflate(0.5);
                graphics.iter().enumerate().any(|(i, g)| {
                    !is_white[i]
                        && !g.is_rule()
                        && g.kind != GraphicKind::RotatedText
                        && g.bbox.area() < graphics[w].bbox.area()
                        && area.intersect(&g.bbox) == Some(g.bbox)
                })
            })
            .collect();
        let mut k = 0;
        self.input.graphics.retain(|_| {
            let keep = behind.binary_search(&k).is_err();
            k += 1;
            keep
        });
    }

    /// The visible part of a device-space box, `None` when clipped away.
    fn visible(&self, r: Rect) -> Option<Rect> {
        let clip = match self.clips.last() {
            Some(None) => return None,
            Some(Some(c)) => *c,
            None => self.page_rect,
        };
        r.intersect(&clip)
            .and_then(|v| v.intersect(&self.page_rect))
            .filter(|v| v.width() > 0.0 || v.height() > 0.0)
    }

    /// `ink`: the glyph's vertical ink extent in glyph space (1000 units an em, y up), given for
    /// tall glyphs only (see [`tall_glyph`]).
    fn push_glyph(
        &mut self,
        text: &str,
        m: Affine,
        advance: f64,
        size: Option<f64>,
        ink: Option<InkSpan>,
    ) {
        let [a, b, c, d, _, _] = m.as_coeffs();
        let size = size.unwrap_or(c.hypot(d) * 1000.0);
        // Upright means the baseline runs left to right; the sign of `d` is free because Type 3
        // fonts from dvips flip their glyph space with the font matrix.
        let upright = a > 0.0 && b.abs() < 0.1 * a.abs() && c.abs() < 0.1 * d.abs();
        let chars: Vec<char> = expand_ligatures(text);
        if chars.is_empty() {
            return;
        }
        let step = advance / chars.len() as f64;
        for (i, ch) in chars.into_iter().enumerate() {
            let x0 = step * i as f64;
            let origin = m * kurbo::Point::new(x0, 0.0);
            let mut glyph_ink = None;
            let bbox = if upright {
                let end = m * kurbo::Point::new(x0 + step.max(1.0), 0.0);
                // A big delimiter, radical or operator of a display (TeX's cmex) hangs from its
                // baseline far below it, and the usual box, 0.8 em above the baseline to 0.2
                // below, lies above its ink, on the line above the display (QLoRA's Eq. 1 took
                // the sentence before it through its big parenthesis; ViT's Eq. 5 grew into
                // Eq. 6's root). Its ink is kept beside the box for the display equations; the
                // lines and tables keep the box they were tuned on.
                if let Some((lo, hi)) = ink.filter(|(lo, hi)| *lo < -350.0 || *hi > 1000.0) {
                    let y_lo = (m * kurbo::Point::new(x0, lo)).y;
                    let y_hi = (m * kurbo::Point::new(x0, hi)).y;
                    glyph_ink = Some(Rect::new(origin.x, y_lo.min(y_hi), end.x, y_lo.max(y_hi)));
                }
                Rect::new(
                    origin.x,
                    origin.y - 0.8 * size,
                    end.x,
                    origin.y + 0.2 * size,
                )
            } else {
                let glyph_box = kurbo::Rect::new(x0, -200.0, x0 + step.max(1.0), 800.0);
                to_rect(m.transform_rect_bbox(glyph_box))
            };
            self.input.glyphs.push(Glyph {
                ch,
                bbox,
                baseline: origin.y,
                size,
                upright,
                ink: glyph_ink,
            });
        }
    }
}

/// A glyph's vertical ink extent in glyph space (1000 units an em, y up): bottom, top.
type InkSpan = (f64, f64);

/// Characters a display sets in larger sizes than its text: delimiters, radicals, big operators
/// and the pieces big brackets are built from (Unicode's, and the Symbol font's).
fn tall_glyph(c: char) -> bool {
    matches!(
        c,
        '(' | ')'
            | '['
            | ']'
            | '{'
            | '}'
            | '|'
            | '/'
            | '\\'
            | '‖'
            | '⟨'
            | '⟩'
            | '⌊'
            | '⌋'
            | '⌈'
            | '⌉'
            | '√'
            | '∑'
            | '∏'
            | '∐'
            | '∫'
            | '∬'
            | '∭'
            | '∮'
            | '⋃'
            | '⋂'
            | '⋁'
            | '⋀'
            | '⨁'
            | '⨂'
            | '⨀'
            | '⨄'
            | '⨆'
    ) || ('\u{2320}'..='\u{2321}').contains(&c)
        || ('\u{239B}'..='\u{23B3}').contains(&c)
        // The same pieces in the Symbol font's private-use codes (bracketlefttp = U+F8EE ...).
        || ('\u{F8E5}'..='\u{F8FE}').contains(&c)
}

/// Splits presentation-form ligatures and drops control characters.
fn expand_ligatures(text: &str) -> Vec<char> {
    let mut out = Vec::new();
    for ch in text.chars() {
        let expanded: &str = match ch {
            '\u{FB00}' => "ff",
            '\u{FB01}' => "fi",
            '\u{FB02}' => "fl",
            '\u{FB03}' => "ffi",
            '\u{FB04}' => "ffl",
            '\u{FB05}' | '\u{FB06}' => "st",
            c if c.is_control() => "",
            _ => {
                out.push(ch);
                continue;
            }
        };
        out.extend(expanded.chars());
    }
    out
}

impl<'a> Device<'a> for Collector<'_> {
    fn draw_path(&mut self, path: &BezPath, props: DrawProps<'a>, draw_mode: &DrawMode) {
        let white = match (draw_mode, &props.paint) {
            (DrawMode::Fill(_), hayro_interpret::Paint::Color(c)) => {
                let [r, g, b, a] = c.to_rgba().to_rgba8();
                a == 0 || r.min(g).min(b) >= 250
            }
            _ => false,
        };
        let mut bbox = to_rect((props.transform * path.clone()).bounding_box());
        if let DrawMode::Stroke(s) | DrawMode::FillAndStroke(_, s) = draw_mode {
            let [a, b, _, _, _, _] = props.transform.as_coeffs();
            bbox = bbox.inflate(s.line_width as f64 * a.hypot(b) / 2.0);
        }
        if let Some(bbox) = self.visible(bbox) {
            if white {
                self.white.push(self.input.graphics.len());
            }
            self.input.graphics.push(Graphic {
                bbox,
                kind: GraphicKind::Path,
            });
        }
    }

    fn push_clip_path(&mut self, clip_path: &ClipPath) {
        let r = to_rect(clip_path.path.bounding_box());
        let parent = self.clips.last().copied().unwrap_or(Some(self.page_rect));
        self.clips.push(parent.and_then(|p| p.intersect(&r)));
    }

    fn push_transparency_group(&mut self, _: f32, _: Option<SoftMask<'a>>, _: BlendMode) {}

    fn draw_glyph_run(&mut self, run: &GlyphRun<'_, 'a>, props: DrawProps<'a>, _: &DrawMode) {
        let mut shown: Vec<(String, Affine, f64, Option<InkSpan>)> =
            Vec::with_capacity(run.glyphs().len());
        let mut type3 = false;
        for g in run.glyphs() {
            let m = props.transform * g.transform();
            let mut ink = None;
            let (text, advance) = match &**g {
                HGlyph::Outline(o) => {
                    let adv = o
                        .advance_width()
                        .filter(|a| *a > 0.0)
                        .map(f64::from)
                        .unwrap_or_else(|| o.outline().bounding_box().x1.max(300.0));
                    let text = match o.as_unicode() {
                        Some(BfString::Char(c)) => c.to_string(),
                        Some(BfString::String(s)) => s,
                        None => '\u{FFFD}'.to_string(),
                    };
                    // Only glyphs that can be set tall: building every outline would cost a
                    // large share of the reading time for nothing.
                    if text.chars().count() == 1 && text.chars().all(tall_glyph) {
                        let r = o.outline().bounding_box();
                        if r.height() > 0.0 {
                            ink = Some((r.y0, r.y1));
                        }
                    }
                    (text, adv)
                }
                HGlyph::Type3(t) => {
                    type3 = true;
                    let adv = t.advance_width().filter(|a| *a > 0.0).unwrap_or(500.0) as f64;
                    let text = match t.as_unicode() {
                        Some(BfString::Char(c)) => c.to_string(),
                        Some(BfString::String(s)) => s,
                        // Bitmap fonts from dvips carry no names; their codes are mostly ASCII.
                        None => char::from_u32(t.char_code())
                            .filter(|c| c.is_ascii_graphic())
                            .unwrap_or('\u{FFFD}')
                            .to_string(),
                    };
                    (text, adv)
                }
            };
            shown.push((text, m, advance, ink));
        }
        // Type 3 fonts define their own em through the font matrix, which hayro does not
        // expose; when the nominal size is implausible (dvips bitmap fonts give 0.12 pt), take
        // it from the advances instead: Computer Modern letters average about 0.45 em.
        let mut size_override = None;
        if type3 {
            let mut advances: Vec<f64> = shown
                .iter()
                .map(|(_, m, adv, _)| {
                    let [a, b, ..] = m.as_coeffs();
                    adv * a.hypot(b)
                })
                .collect();
            advances.sort_by(f64::total_cmp);
            let nominal = shown.first().map_or(0.0, |(_, m, _, _)| {
                let [_, _, c, d, ..] = m.as_coeffs();
                c.hypot(d) * 1000.0
            });
            if nominal < 2.0 && !advances.is_empty() {
                size_override = Some(advances[advances.len() / 2] / 0.45);
            }
        }
        for (text, m, advance, ink) in shown {
            self.push_glyph(&text, m, advance, size_override, ink);
        }
    }

    fn draw_image(&mut self, image: Image<'a, '_>, props: ImageDrawProps<'a>) {
        if self.error.is_some() {
            return;
        }
        let (w, h) = (image.width() as u64, image.height() as u64);
        // hayro's image transform maps pixel space (0..width, 0..height), not the unit square.
        let pixels = kurbo::Rect::new(0.0, 0.0, w as f64, h as f64);
        let Some(bbox) = self.visible(to_rect(props.transform.transform_rect_bbox(pixels))) else {
            return;
        };
        if w * h > self.limits.max_image_pixels {
            self.error = Some(Error::Input(format!(
                "page {}: image of {w}x{h} pixels exceeds the limit of {} pixels (raise it with --max-image-pixels)",
                self.page_number, self.limits.max_image_pixels
            )));
            return;
        }
        let kind = match &image {
            Image::Stencil(_) => GraphicKind::Stencil,
            Image::Raster(_) => GraphicKind::Image,
        };
        let stored = self.store.add(&image, self.page_number);
        self.input.graphics.push(Graphic { bbox, kind });
        if let Some(index) = stored {
            self.placements.push(Placement {
                image: index,
                page: self.page_number,
                bbox,
            });
        }
    }

    fn pop_clip(&mut self) {
        self.clips.pop();
    }

    fn pop_transparency_group(&mut self) {}
}
