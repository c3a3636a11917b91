//! Display equations: box, number, crop (`equations/eq-N.png`) and linear Unicode text.
//!
//! Finding them is [`pdf_layout::equations::find`]'s job, on each page's layout with figure and
//! table regions left out; this pass names and renders the crops. A numbered equation's crop is
//! `equations/eq-<number>.png` ("eq-4.png", "eq-A.1.png"); an unnumbered one's is
//! `equations/eq-p<page>-<k>.png`, k counting the page's unnumbered equations from 1.

use crate::error::Error;
use crate::render::check_render_size;
use crate::render::{PageCrops, render_page_crops};
use crate::structure::Context;
use crate::tables::TableEntry;
use pdf_layout::equations::{Equation, find};
use pdf_layout::{CaptionKind, Rect, Side, locate};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// A display equation in the manifest.
#[derive(Clone, Debug, Serialize)]
pub struct EquationEntry {
    /// Equation box in PDF points, top-left origin.
    pub bbox: [f64; 4],
    /// The crop, relative to the output folder.
    pub file: String,
    /// The number as printed, without parentheses ("4", "A.1"); `None` when unnumbered.
    pub number: Option<String>,
    /// 1-based page.
    pub page: usize,
    /// Best linear Unicode text of the glyphs: `_{}` subscripts, `^{}` superscripts,
    /// `frac(a, b)` fractions, display lines joined by " ; ".
    pub text: String,
}

/// Every display equation of the document, in reading order, outside the figures and the
/// tables: those the captions locate here, and the extracted `tables` (their regions may reach
/// further: VGG's Table 11, caption above a two-line header, had its value columns read as an
/// equation on p.12).
pub fn locate_equations(ctx: &Context<'_>, tables: &[TableEntry]) -> Vec<Equation> {
    let mut excluded: BTreeMap<usize, Vec<Rect>> = BTreeMap::new();
    for t in tables {
        let [x0, y0, x1, y1] = t.bbox;
        excluded
            .entry(t.page)
            .or_default()
            .push(Rect::new(x0, y0, x1, y1));
    }
    for (kind, side) in [
        (CaptionKind::Figure, Side::Above),
        (CaptionKind::Table, Side::Below),
    ] {
        for r in locate(ctx.layouts, ctx.captions, kind, side) {
            excluded.entry(r.caption.page).or_default().push(r.bbox);
        }
    }
    ctx.layouts
        .iter()
        .flat_map(|l| find(l, excluded.get(&l.number).map_or(&[][..], Vec::as_slice)))
        .collect()
}

/// Finds every display equation and adds its crop to `files`.
pub fn extract(
    ctx: &Context<'_>,
    tables: &[TableEntry],
    files: &mut BTreeMap<String, Vec<u8>>,
) -> Result<Vec<EquationEntry>, Error> {
    let (equations, crops) = entries_and_crops(ctx, tables)?;
    render_page_crops(ctx, &crops, files)?;
    Ok(equations)
}

/// Finds every display equation; its crop is returned for [`render_page_crops`] so that one
/// render of a page can serve several passes.
pub fn entries_and_crops(
    ctx: &Context<'_>,
    tables: &[TableEntry],
) -> Result<(Vec<EquationEntry>, PageCrops), Error> {
    let mut out = Vec::new();
    let mut names: BTreeSet<String> = BTreeSet::new();
    let mut unnumbered: BTreeMap<usize, usize> = BTreeMap::new();
    let mut crops = PageCrops::new();
    for eq in locate_equations(ctx, tables) {
        let stem = match &eq.number {
            Some(n) => format!("eq-{}", crate::extract::safe_id(n)),
            None => {
                let k = unnumbered.entry(eq.page).or_default();
                *k += 1;
                format!("eq-p{}-{k}", eq.page)
            }
        };
        // A number printed twice (a restated equation) keeps both crops apart.
        let mut file = format!("equations/{stem}.png");
        let mut dup = 1;
        while names.contains(&file) {
            dup += 1;
            file = format!("equations/{stem}-{dup}.png");
        }
        names.insert(file.clone());
        let layout = &ctx.layouts[eq.page - 1];
        let page_rect = Rect::new(0.0, 0.0, layout.width, layout.height);
        let crop = crop_box(&eq).intersect(&page_rect).unwrap_or(eq.bbox);
        check_render_size(crop, ctx.dpi, eq.page)?;
        crops.entry(eq.page).or_default().push((file.clone(), crop));
        let r = eq.bbox.rounded();
        out.push(EquationEntry {
            bbox: [r.x0, r.y0, r.x1, r.y1],
            file,
            number: eq.number,
            page: eq.page,
            text: eq.text,
        });
    }
    Ok((out, crops))
}

/// The equation's box with a 3 pt margin, except towards its number: a number pushed below the
/// display (MobileNetV2's Eq. 2, "(2)" 2 pt under the last line's limits) or set close beside
/// it lost its top to the margin, a sliver of "(2)" along the crop's edge. The margin stops
/// halfway to the number there.
pub fn crop_box(eq: &Equation) -> Rect {
    let b = eq.bbox;
    let mut c = b.inflate(3.0);
    if let Some(n) = eq.number_box {
        let across = n.x0 < c.x1 && n.x1 > c.x0;
        let along = n.y0 < c.y1 && n.y1 > c.y0;
        if across && n.y0 >= b.y1 {
            c.y1 = c.y1.min((b.y1 + n.y0) / 2.0);
        } else if across && n.y1 <= b.y0 {
            c.y0 = c.y0.max((b.y0 + n.y1) / 2.0);
        } else if along && n.x0 >= b.x1 {
            c.x1 = c.x1.min((b.x1 + n.x0) / 2.0);
        } else if along && n.x1 <= b.x0 {
            c.x0 = c.x0.max((b.x0 + n.x1) / 2.0);
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eq(bbox: Rect, number_box: Option<Rect>) -> Equation {
        Equation {
            bbox,
            number: number_box.map(|_| "2".to_string()),
            number_box,
            page: 6,
            text: String::new(),
        }
    }

    #[test]
    fn the_margin_stops_short_of_the_number() {
        // MobileNetV2 p.6, Eq. (2) as pdftotext -bbox gives it: the display 81.8..284.9 x
        // 87.6..130.5 (the large bracket's last piece ends at x 284.9), "(2)" at 283.1..294.8 x
        // 132.5..141.4, under the bracket's corner.
        let display = Rect::new(81.822, 87.61, 284.928, 130.51);
        let number = Rect::new(283.134, 132.518, 294.750, 141.425);
        let c = crop_box(&eq(display, Some(number)));
        assert!(c.y1 < number.y0 && c.y1 > display.y1, "{c:?}");
        let full = display.inflate(3.0);
        assert_eq!((c.x0, c.y0, c.x1), (full.x0, full.y0, full.x1));
        // A number at the column edge, well clear: the full margin.
        let far = Rect::new(530.0, 100.0, 541.0, 110.0);
        assert_eq!(crop_box(&eq(display, Some(far))), display.inflate(3.0));
        assert_eq!(crop_box(&eq(display, None)), display.inflate(3.0));
    }
}
