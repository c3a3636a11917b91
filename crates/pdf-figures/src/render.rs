//! Rendering regions of pages to PNG with hayro's renderer: every crop of a page (figures,
//! tables, equations, the page itself) is cut from one render of that page, and pages are
//! rendered on several threads.

use crate::engine::{interpreter_settings, panic_message};
use crate::error::Error;
use crate::structure::Context;
use hayro::vello_cpu::PixmapMut;
use hayro::{RenderCache, RenderSettings};
use hayro_interpret::TransformExt;
use hayro_interpret::kurbo::Affine;
use hayro_syntax::Pdf;
use hayro_syntax::page::Page;
use pdf_layout::Rect;
use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// The pixel size of a render of `region` at `dpi`, or the error naming `--dpi` when it is out
/// of the renderer's range; callers that queue renders check before queueing.
pub fn check_render_size(region: Rect, dpi: f64, page_number: usize) -> Result<(u16, u16), Error> {
    let scale = dpi / 72.0;
    let (w, h) = (
        (region.width() * scale).ceil(),
        (region.height() * scale).ceil(),
    );
    if (1.0..=16384.0).contains(&w) && (1.0..=16384.0).contains(&h) {
        Ok((w as u16, h as u16))
    } else {
        Err(Error::Input(format!(
            "page {page_number}: a {w}x{h} pixel render is out of range (lower --dpi)"
        )))
    }
}

/// Crops still to render: 1-based page -> (file, region in page points), in pass order.
pub type PageCrops = BTreeMap<usize, Vec<(String, Rect)>>;

/// Renders every page's crops into `files`, one render per page, on this thread.
pub fn render_page_crops(
    ctx: &Context<'_>,
    crops: &PageCrops,
    files: &mut BTreeMap<String, Vec<u8>>,
) -> Result<(), Error> {
    let pages = ctx.pdf.pages();
    let mut canvas = Canvas::new();
    for (&page_no, jobs) in crops {
        let regions: Vec<Rect> = jobs.iter().map(|(_, r)| *r).collect();
        let pngs = render_crops(
            &pages[page_no - 1],
            ctx.render_cache,
            &mut canvas,
            &regions,
            ctx.dpi,
            page_no,
        )?;
        for ((file, _), png) in jobs.iter().zip(pngs) {
            files.insert(file.clone(), png);
        }
    }
    Ok(())
}

/// A thread's render target, reused from page to page: a fresh pixmap per page costs the
/// kernel's zeroing of its memory (~6% of the whole extraction's CPU), and the renderer's
/// own buffers are kept too. Every render overwrites the whole area it uses.
pub struct Canvas {
    ctx: hayro::vello_cpu::RenderContext,
    resources: hayro::vello_cpu::Resources,
    rgba: Vec<u8>,
}

impl Canvas {
    pub fn new() -> Canvas {
        Canvas {
            ctx: hayro::vello_cpu::RenderContext::new(1, 1),
            resources: hayro::vello_cpu::Resources::default(),
            rgba: Vec::new(),
        }
    }
}

impl Default for Canvas {
    fn default() -> Self {
        Canvas::new()
    }
}

/// Largest shared render, in pixels (a whole Letter page at 400 dpi); pages whose crops span
/// more are rendered crop by crop.
const MAX_SHARED_PIXELS: u64 = 16_000_000;

/// A crop in device pixels of the page render at the chosen dpi.
#[derive(Clone, Copy, Debug, PartialEq)]
struct PixelRect {
    x0: i64,
    y0: i64,
    w: u32,
    h: u32,
}

impl PixelRect {
    /// The crop's size is that of a render of `region` alone (its extent rounded up); its origin
    /// is rounded to the nearest device pixel so that crops cut from one render of the page
    /// and crops rendered alone are the same pixels.
    fn of(region: Rect, dpi: f64, page_number: usize) -> Result<Self, Error> {
        let (w, h) = check_render_size(region, dpi, page_number)?;
        let scale = dpi / 72.0;
        Ok(PixelRect {
            x0: (region.x0 * scale).round() as i64,
            y0: (region.y0 * scale).round() as i64,
            w: u32::from(w),
            h: u32::from(h),
        })
    }

    fn union(self, o: PixelRect) -> PixelRect {
        let x0 = self.x0.min(o.x0);
        let y0 = self.y0.min(o.y0);
        let x1 = (self.x0 + i64::from(self.w)).max(o.x0 + i64::from(o.w));
        let y1 = (self.y0 + i64::from(self.h)).max(o.y0 + i64::from(o.h));
        PixelRect {
            x0,
            y0,
            w: (x1 - x0) as u32,
            h: (y1 - y0) as u32,
        }
    }
}

/// Renders `regions` (page points, top-left origin) of `page` at `dpi` on white; PNG bytes in
/// the order of `regions`.
///
/// Rendering a page interprets all of its content whatever the region, and a page set in
/// bitmap Type 3 fonts decodes every glyph's program again on each render (hayro keeps no
/// decoded copy): the LSTM paper's pages cost ~60 ms each, once per crop. So the page is
/// rendered once over the union of its crops and the crops are cut from that pixmap. (The
/// extraction renders from a copy without the text that no crop can show: `text_culling`.)
pub fn render_crops<'a>(
    page: &'a Page<'a>,
    cache: &RenderCache<'a>,
    canvas: &mut Canvas,
    regions: &[Rect],
    dpi: f64,
    page_number: usize,
) -> Result<Vec<Vec<u8>>, Error> {
    let scale = dpi / 72.0;
    let rects = regions
        .iter()
        .map(|r| PixelRect::of(*r, dpi, page_number))
        .collect::<Result<Vec<_>, _>>()?;
    let Some(all) = rects.iter().copied().reduce(PixelRect::union) else {
        return Ok(Vec::new());
    };
    let shared = all.w <= 16384
        && all.h <= 16384
        && u64::from(all.w) * u64::from(all.h) <= MAX_SHARED_PIXELS;
    if shared {
        render_pixels(page, cache, canvas, all, scale, page_number)
            .map(|rgba| rects.iter().map(|&r| encode_crop(rgba, all, r)).collect())
    } else {
        rects
            .iter()
            .map(|&r| {
                let rgba = render_pixels(page, cache, canvas, r, scale, page_number)?;
                Ok(encode_crop(rgba, r, r))
            })
            .collect()
    }
}

/// The PNG of `crop` from the RGBA render of `area` (`crop` lies inside `area`).
fn encode_crop(rgba: &[u8], area: PixelRect, crop: PixelRect) -> Vec<u8> {
    let rows = rgba
        .chunks_exact(area.w as usize * 4)
        .skip((crop.y0 - area.y0) as usize);
    crate::png::encode_rgb_of_rgba(rows, (crop.x0 - area.x0) as usize, crop.w, crop.h)
}

/// Renders the device-pixel rectangle `area` of the page at `scale` on white into `canvas`;
/// its premultiplied RGBA pixels (straight ones, on opaque white).
fn render_pixels<'c, 'a>(
    page: &'a Page<'a>,
    cache: &RenderCache<'a>,
    canvas: &'c mut Canvas,
    area: PixelRect,
    scale: f64,
    page_number: usize,
) -> Result<&'c [u8], Error> {
    let (w, h) = (area.w as u16, area.h as u16);
    let len = usize::from(w) * usize::from(h) * 4;
    if canvas.rgba.len() < len {
        canvas.rgba.resize(len, 0);
    }
    let result = catch_unwind(AssertUnwindSafe(|| {
        canvas.ctx.reset_and_resize(w, h);
        let transform = Affine::translate((-area.x0 as f64, -area.y0 as f64))
            * Affine::scale(scale)
            * page.initial_transform(true).to_kurbo();
        hayro::render_into(
            page,
            cache,
            &interpreter_settings(),
            &RenderSettings::default(),
            &mut canvas.ctx,
            transform,
        );
        canvas.ctx.flush();
        let target = PixmapMut::new(w, h, &mut canvas.rgba[..len]);
        canvas.ctx.render_with(
            target.expect("the buffer is w * h * 4 bytes"),
            &mut canvas.resources,
            hayro::vello_cpu::RasterizerSettings {
                target_init: hayro::vello_cpu::TargetInit::Clear(
                    hayro::vello_cpu::color::palette::css::WHITE,
                ),
                ..Default::default()
            },
        );
    }));
    match result {
        Ok(()) => Ok(&canvas.rgba[..len]),
        Err(p) => {
            // A render that panicked may leave the context half-drawn: start afresh.
            *canvas = Canvas::new();
            Err(Error::Input(format!(
                "page {page_number}: the renderer failed ({})",
                panic_message(&p)
            )))
        }
    }
}

/// Rendered crops: (file, PNG bytes).
pub type Rendered = Vec<(String, Vec<u8>)>;

/// Renders every page's crops, one render per page, on up to `threads` threads, while `side`
/// runs on the calling thread (which then joins the rendering). The PNGs come back in page
/// order, whatever thread rendered them; on failure, the error of the lowest failing page.
///
/// Pages are started longest first: one page can take longer than all the others together
/// (BERT's page 15, a figure over large images: 200 ms of its ~470 ms of rendering), and
/// started last it would leave the other threads idle. A page's cost is guessed as its render
/// area in pixels plus `extra` (the source pixels of the images drawn in its crops, which are
/// decoded and resampled). The guess only orders the work; the output does not depend on it.
pub fn render_all<T>(
    pdf: &Pdf,
    crops: &PageCrops,
    extra: &BTreeMap<usize, u64>,
    dpi: f64,
    threads: usize,
    side: impl FnOnce() -> T,
) -> (Result<Rendered, Error>, T) {
    let jobs: Vec<(&usize, &Vec<(String, Rect)>)> = crops.iter().collect();
    let area = |&(&page_no, page_crops): &(&usize, &Vec<(String, Rect)>)| {
        page_crops
            .iter()
            .filter_map(|(_, r)| PixelRect::of(*r, dpi, page_no).ok())
            .map(|r| u64::from(r.w) * u64::from(r.h))
            .sum::<u64>()
    };
    let mut order: Vec<usize> = (0..jobs.len()).collect();
    order.sort_by_key(|&i| {
        let cost = area(&jobs[i]) + extra.get(jobs[i].0).copied().unwrap_or(0);
        (std::cmp::Reverse(cost), i)
    });
    // The largest render any page needs, so that each thread's buffer is allocated (and its
    // memory first touched, which is slow on a VM) once rather than on every growth.
    let largest = crops
        .iter()
        .filter_map(|(&page_no, jobs)| {
            jobs.iter()
                .filter_map(|(_, r)| PixelRect::of(*r, dpi, page_no).ok())
                .reduce(PixelRect::union)
        })
        .map(|a| u64::from(a.w) * u64::from(a.h))
        .filter(|&px| px <= MAX_SHARED_PIXELS)
        .max()
        .unwrap_or(0) as usize
        * 4;
    let pages = pdf.pages();
    let (threads, side) = crate::pool::share_jobs(
        &order,
        threads,
        || {
            let mut canvas = Canvas::new();
            canvas.rgba.reserve_exact(largest);
            (RenderCache::new(), canvas)
        },
        |(cache, canvas), i| {
            let (&page_no, page_crops) = jobs[i];
            let regions: Vec<Rect> = page_crops.iter().map(|(_, r)| *r).collect();
            render_crops(&pages[page_no - 1], cache, canvas, &regions, dpi, page_no)
        },
        |_| (),
        side,
    );
    // A thread that panicked leaves its pages unrendered; they are reported below.
    let done = threads
        .into_iter()
        .flat_map(|t| t.map(|((), done)| done).unwrap_or_default());
    let mut by_job: Vec<Option<Result<Vec<Vec<u8>>, Error>>> = jobs.iter().map(|_| None).collect();
    for (i, pngs) in done {
        by_job[i] = Some(pngs);
    }
    let mut out = Vec::new();
    for (&(&page_no, page_crops), pngs) in jobs.iter().zip(by_job) {
        match pngs {
            Some(Ok(pngs)) => out.extend(page_crops.iter().map(|(f, _)| f.clone()).zip(pngs)),
            Some(Err(e)) => return (Err(e), side),
            None => {
                let e = Error::Input(format!("page {page_no}: the renderer failed"));
                return (Err(e), side);
            }
        }
    }
    (Ok(out), side)
}
