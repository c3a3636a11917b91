//! Captioned tables: region, cell grid, and their files (`tables/table-N.{md,csv,png}`).
//!
//! The grid comes from `pdf_layout::tables` (no PDF involved); this module adds the crop render
//! and the two text forms. Cells follow that module's conventions: row-major, rows of equal
//! length, a spanning cell's text in its top-left grid cell and empty strings in the rest.

use crate::engine::{interpreter_settings, panic_message};
use crate::error::Error;
use crate::render::check_render_size;
use crate::structure::Context;
use hayro::vello_cpu::Pixmap;
use hayro::{RenderCache, RenderSettings};
use hayro_interpret::TransformExt;
use hayro_interpret::kurbo::Affine;
use hayro_syntax::page::Page;
use pdf_layout::Rect;
use serde::Serialize;
use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// A table in the manifest.
#[derive(Clone, Debug, Serialize)]
pub struct TableEntry {
    /// Table box in PDF points, top-left origin.
    pub bbox: [f64; 4],
    /// Caption text.
    pub caption: String,
    /// Cells row by row, as printed; a spanning cell's text sits in its top-left grid cell and
    /// the cells it covers are empty strings.
    pub cells: Vec<Vec<String>>,
    /// `tables/table-<id>.csv`, RFC 4180.
    pub csv: String,
    /// The rendered crop, `tables/table-<id>.png`.
    pub file: String,
    /// The id as printed ("3", "III", "A.1").
    pub id: String,
    /// `tables/table-<id>.md`, a Markdown table whose first row is the header.
    pub markdown: String,
    /// 1-based page.
    pub page: usize,
}

/// Crops still to render: 1-based page -> (file, region in page points), in pass order.
pub type PageCrops = BTreeMap<usize, Vec<(String, Rect)>>;

/// Finds every captioned table and adds its files to `files`.
pub fn extract(
    ctx: &Context<'_>,
    files: &mut BTreeMap<String, Vec<u8>>,
) -> Result<Vec<TableEntry>, Error> {
    let (tables, crops) = entries_and_crops(ctx, files)?;
    render_page_crops(ctx, &crops, files)?;
    Ok(tables)
}

/// Finds every captioned table and adds its text files to `files`; the crops are returned
/// for [`render_page_crops`] so that one render of a page can serve several passes.
pub fn entries_and_crops(
    ctx: &Context<'_>,
    files: &mut BTreeMap<String, Vec<u8>>,
) -> Result<(Vec<TableEntry>, PageCrops), Error> {
    let mut out = Vec::new();
    let mut crops = PageCrops::new();
    for table in pdf_layout::tables::find_tables(ctx.layouts, ctx.captions) {
        let page_no = table.caption.page;
        let layout = &ctx.layouts[page_no - 1];
        let page_rect = Rect::new(0.0, 0.0, layout.width, layout.height);
        let crop = table
            .bbox
            .inflate(2.0)
            .intersect(&page_rect)
            .unwrap_or(table.bbox);
        let stem = format!("tables/table-{}", file_id(&table.caption.id));
        let (png, md, csv) = (
            format!("{stem}.png"),
            format!("{stem}.md"),
            format!("{stem}.csv"),
        );
        check_render_size(crop, ctx.dpi, page_no)?;
        crops.entry(page_no).or_default().push((png.clone(), crop));
        files.insert(md.clone(), markdown(&table.cells).into_bytes());
        files.insert(csv.clone(), to_csv(&table.cells).into_bytes());
        let r = table.bbox.rounded();
        out.push(TableEntry {
            bbox: [r.x0, r.y0, r.x1, r.y1],
            caption: table.caption.text.clone(),
            cells: table.cells,
            csv,
            file: png,
            id: table.caption.id.clone(),
            markdown: md,
            page: page_no,
        });
    }
    Ok((out, crops))
}

/// Renders every page's crops into `files`, one render per page.
pub fn render_page_crops(
    ctx: &Context<'_>,
    crops: &PageCrops,
    files: &mut BTreeMap<String, Vec<u8>>,
) -> Result<(), Error> {
    let pages = ctx.pdf.pages();
    for (&page_no, jobs) in crops {
        let regions: Vec<Rect> = jobs.iter().map(|(_, r)| *r).collect();
        let pngs = render_crops(
            &pages[page_no - 1],
            ctx.render_cache,
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
/// rendered once over the union of its crops and the crops are cut from that pixmap.
pub fn render_crops<'a>(
    page: &'a Page<'a>,
    cache: &RenderCache<'a>,
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
    if !shared {
        return rects
            .iter()
            .map(|&r| {
                let pixmap = render_pixels(page, cache, r, scale, page_number)?;
                Ok(crate::png::encode_rgb(&rgb_of(&pixmap, r, r), r.w, r.h))
            })
            .collect();
    }
    let pixmap = render_pixels(page, cache, all, scale, page_number)?;
    Ok(rects
        .iter()
        .map(|&r| crate::png::encode_rgb(&rgb_of(&pixmap, all, r), r.w, r.h))
        .collect())
}

/// The RGB pixels of `crop` from a render of `area` (`crop` lies inside `area`).
fn rgb_of(pixmap: &Pixmap, area: PixelRect, crop: PixelRect) -> Vec<u8> {
    let rgba = pixmap.data_as_u8_slice();
    let stride = area.w as usize * 4;
    let left = (crop.x0 - area.x0) as usize * 4;
    let top = (crop.y0 - area.y0) as usize;
    let mut rgb = Vec::with_capacity(crop.w as usize * crop.h as usize * 3);
    for row in rgba.chunks_exact(stride).skip(top).take(crop.h as usize) {
        // On an opaque white background the premultiplied pixels are the straight ones.
        for p in row[left..left + crop.w as usize * 4].chunks_exact(4) {
            rgb.extend_from_slice(&p[..3]);
        }
    }
    rgb
}

/// Renders the device-pixel rectangle `area` of the page at `scale` on white.
fn render_pixels<'a>(
    page: &'a Page<'a>,
    cache: &RenderCache<'a>,
    area: PixelRect,
    scale: f64,
    page_number: usize,
) -> Result<Pixmap, Error> {
    let (w, h) = (area.w as u16, area.h as u16);
    let result = catch_unwind(AssertUnwindSafe(|| {
        let mut ctx = hayro::vello_cpu::RenderContext::new(w, h);
        let transform = Affine::translate((-area.x0 as f64, -area.y0 as f64))
            * Affine::scale(scale)
            * page.initial_transform(true).to_kurbo();
        hayro::render_into(
            page,
            cache,
            &interpreter_settings(),
            &RenderSettings::default(),
            &mut ctx,
            transform,
        );
        ctx.flush();
        let mut pixmap = Pixmap::new(w, h);
        ctx.render_with(
            &mut pixmap,
            &mut hayro::vello_cpu::Resources::default(),
            hayro::vello_cpu::RasterizerSettings {
                target_init: hayro::vello_cpu::TargetInit::Clear(
                    hayro::vello_cpu::color::palette::css::WHITE,
                ),
                ..Default::default()
            },
        );
        pixmap
    }));
    result.map_err(|p| {
        Error::Input(format!(
            "page {page_number}: the renderer failed ({})",
            panic_message(&p)
        ))
    })
}

/// The id as a file name part: letters, digits and dots kept ("A.1", "III"), anything else `_`.
pub fn file_id(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// A Markdown table: the first row is the header; pipes and backslashes escaped, line breaks
/// turned into spaces.
pub fn markdown(cells: &[Vec<String>]) -> String {
    let Some(n) = cells.iter().map(Vec::len).max().filter(|&n| n > 0) else {
        return String::new();
    };
    let escape = |s: &str| {
        s.replace('\\', "\\\\")
            .replace('|', "\\|")
            .replace(['\n', '\r'], " ")
    };
    let line = |row: &[String]| {
        let mut s = String::from("|");
        for i in 0..n {
            s.push(' ');
            s.push_str(&escape(row.get(i).map_or("", String::as_str)));
            s.push_str(" |");
        }
        s.push('\n');
        s
    };
    let mut out = line(&cells[0]);
    out.push('|');
    out.push_str(&" --- |".repeat(n));
    out.push('\n');
    for row in &cells[1..] {
        out.push_str(&line(row));
    }
    out
}

/// RFC 4180 CSV: fields with a comma, quote or line break quoted, quotes doubled, CRLF endings.
pub fn to_csv(cells: &[Vec<String>]) -> String {
    let mut out = String::new();
    for row in cells {
        let fields: Vec<String> = row
            .iter()
            .map(|f| {
                if f.contains([',', '"', '\n', '\r']) {
                    format!("\"{}\"", f.replace('"', "\"\""))
                } else {
                    f.clone()
                }
            })
            .collect();
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(rows: &[&[&str]]) -> Vec<Vec<String>> {
        rows.iter()
            .map(|r| r.iter().map(|s| s.to_string()).collect())
            .collect()
    }

    #[test]
    fn markdown_escapes_pipes_and_has_a_header_row() {
        let t = cells(&[&["a|b", "c"], &["1", "x\\y"]]);
        assert_eq!(
            markdown(&t),
            "| a\\|b | c |\n| --- | --- |\n| 1 | x\\\\y |\n"
        );
    }

    #[test]
    fn csv_quotes_commas_and_quotes() {
        let t = cells(&[&["3×3, 64", "say \"hi\"", "plain"]]);
        assert_eq!(to_csv(&t), "\"3×3, 64\",\"say \"\"hi\"\"\",plain\r\n");
    }

    #[test]
    fn ids_become_file_names() {
        assert_eq!(file_id("A.1"), "A.1");
        assert_eq!(file_id("III"), "III");
        assert_eq!(file_id("3/4"), "3_4");
    }
}
