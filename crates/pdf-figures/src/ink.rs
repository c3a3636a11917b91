//! Raster figures trimmed to their ink. A picture embedded with white margins (a screenshot of
//! a diagram, Xception's Figures 1-4) makes a figure box larger than what the reader sees; the
//! box is shrunk to the pixels that are not white when the figure is nothing but such pictures.

use crate::images::{ImageStore, Placement};
use pdf_layout::Rect;

/// A pixel is ink when any colour channel is below this (the ground truth of papers-fresh is
/// tightened with the same threshold) and it is not transparent.
const INK: u8 = 245;

/// `region` shrunk to the ink of the raster images that make it. Unchanged unless the images
/// alone span the region (no label or drawing reaches past them), each is a PNG this tool
/// decoded (JPEGs are passed through undecoded) and each is drawn upright at one scale for
/// both axes (a clipped or rotated draw does not map pixels to the page linearly).
pub fn trim(region: Rect, placements: &[Placement], store: &ImageStore) -> Rect {
    let inside: Vec<&Placement> = placements
        .iter()
        .filter(|p| region.inflate(0.5).intersect(&p.bbox) == Some(p.bbox))
        .collect();
    let Some(union) = Rect::union_all(inside.iter().map(|p| &p.bbox)) else {
        return region;
    };
    let close = |a: f64, b: f64| (a - b).abs() <= 0.5;
    if !(close(union.x0, region.x0)
        && close(union.y0, region.y0)
        && close(union.x1, region.x1)
        && close(union.y1, region.y1))
    {
        return region;
    }
    let mut ink: Option<Rect> = None;
    for p in inside {
        let img = &store.images[p.image];
        if img.ext != "png" || img.stencil || img.bits != 8 || img.width == 0 || img.height == 0 {
            return region;
        }
        let (sx, sy) = (
            p.bbox.width() / f64::from(img.width),
            p.bbox.height() / f64::from(img.height),
        );
        if (sx / sy - 1.0).abs() > 0.02 {
            return region;
        }
        let Some(pixels) = img.ink else {
            return region;
        };
        // A picture with no ink shows nothing.
        let Some([c0, r0, c1, r1]) = pixels else {
            continue;
        };
        let r = Rect::new(
            p.bbox.x0 + f64::from(c0) * sx,
            p.bbox.y0 + f64::from(r0) * sy,
            p.bbox.x0 + f64::from(c1) * sx,
            p.bbox.y0 + f64::from(r1) * sy,
        );
        ink = Some(ink.map_or(r, |i| i.union(&r)));
    }
    ink.and_then(|i| i.intersect(&region)).unwrap_or(region)
}

/// Columns and rows `[c0, r0, c1, r1)` holding ink in 8-bit pixels of `channels` colour
/// samples each, rows `width` pixels long, with one alpha sample per pixel in `alpha` when the
/// image has them; `None` when no pixel is ink. Computed from the samples a PNG is written from
/// (see `images`), so that trimming a figure never decodes the PNG again.
pub fn ink_bounds(
    colour: &[u8],
    alpha: Option<&[u8]>,
    width: usize,
    channels: usize,
) -> Option<[u32; 4]> {
    let (mut c0, mut r0, mut c1, mut r1) = (usize::MAX, usize::MAX, 0, 0);
    if width == 0 || channels == 0 {
        return None;
    }
    for (y, row) in colour.chunks_exact(width * channels).enumerate() {
        let seen = |x: usize| alpha.is_none_or(|a| a.get(y * width + x).is_some_and(|&v| v >= 16));
        let ink = |x: usize| seen(x) && row[x * channels..][..channels].iter().any(|&v| v < INK);
        let Some(first) = (0..width).find(|&x| ink(x)) else {
            continue;
        };
        let last = (first..width).rev().find(|&x| ink(x)).unwrap_or(first);
        (c0, r0, c1, r1) = (c0.min(first), r0.min(y), c1.max(last + 1), y + 1);
    }
    (c1 > c0).then_some([c0 as u32, r0 as u32, c1 as u32, r1 as u32])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ink_of_a_white_margined_picture() {
        // 10x6 gray, ink in columns 2..7 and rows 1..4.
        let mut px = vec![255u8; 60];
        for y in 1..4 {
            for x in 2..7 {
                px[y * 10 + x] = 20;
            }
        }
        assert_eq!(ink_bounds(&px, None, 10, 1), Some([2, 1, 7, 4]));
        assert_eq!(ink_bounds(&[255; 60], None, 10, 1), None);
        // RGB: one dark channel is ink (pixel 8 of row 5); 245 and up is white.
        let mut rgb = vec![250u8; 10 * 6 * 3];
        rgb[(5 * 10 + 8) * 3 + 1] = 244;
        assert_eq!(ink_bounds(&rgb, None, 10, 3), Some([8, 5, 9, 6]));
        // A transparent pixel (alpha below 16) shows nothing, whatever its colour.
        let mut alpha = vec![255u8; 60];
        for y in 1..4 {
            alpha[y * 10 + 2] = 15;
        }
        assert_eq!(ink_bounds(&px, Some(&alpha), 10, 1), Some([3, 1, 7, 4]));
    }
}
