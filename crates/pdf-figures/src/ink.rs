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
        let Some(pixels) = ink_pixels(&img.bytes) else {
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

/// Columns and rows `[c0, r0, c1, r1)` holding ink in an 8-bit PNG written by this tool
/// (`Some(None)` when it has none), `None` when it cannot be read.
fn ink_pixels(png_bytes: &[u8]) -> Option<Option<[u32; 4]>> {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().ok()?;
    if reader.info().bit_depth != png::BitDepth::Eight {
        return None;
    }
    let mut buf = vec![0; reader.output_buffer_size()?];
    let info = reader.next_frame(&mut buf).ok()?;
    let channels = info.color_type.samples();
    let (w, h) = (info.width as usize, info.height as usize);
    let alpha = matches!(
        info.color_type,
        png::ColorType::GrayscaleAlpha | png::ColorType::Rgba
    );
    let colours = if alpha { channels - 1 } else { channels };
    let (mut c0, mut r0, mut c1, mut r1) = (w, h, 0, 0);
    for (y, row) in buf[..w * h * channels]
        .chunks_exact(w * channels)
        .enumerate()
    {
        for (x, px) in row.chunks_exact(channels).enumerate() {
            let seen = !alpha || px[channels - 1] >= 16;
            if seen && px[..colours].iter().any(|&v| v < INK) {
                (c0, r0, c1, r1) = (c0.min(x), r0.min(y), c1.max(x + 1), r1.max(y + 1));
            }
        }
    }
    Some((c1 > c0).then_some([c0 as u32, r0 as u32, c1 as u32, r1 as u32]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ink_of_a_white_margined_png() {
        // 10x6 gray, ink in columns 2..7 and rows 1..4.
        let mut px = vec![255u8; 60];
        for y in 1..4 {
            for x in 2..7 {
                px[y * 10 + x] = 20;
            }
        }
        let bytes = crate::png::encode_gray(&px, 10, 6);
        assert_eq!(ink_pixels(&bytes), Some(Some([2, 1, 7, 4])));
        let blank = crate::png::encode_gray(&[255; 60], 10, 6);
        assert_eq!(ink_pixels(&blank), Some(None));
        assert_eq!(ink_pixels(b"not a png"), None);
    }
}
