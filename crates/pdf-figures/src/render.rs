//! Rendering a page, or a region of it, to PNG with hayro's renderer.

use crate::engine::{interpreter_settings, panic_message};
use crate::error::Error;
use hayro::{RenderCache, RenderSettings};
use hayro_interpret::TransformExt;
use hayro_interpret::kurbo::Affine;
use hayro_syntax::page::Page;
use pdf_layout::Rect;
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

/// Renders `region` (page points, top-left origin) of `page` at `dpi` on white; PNG bytes.
pub fn render_region<'a>(
    page: &'a Page<'a>,
    cache: &RenderCache<'a>,
    region: Rect,
    dpi: f64,
    page_number: usize,
) -> Result<Vec<u8>, Error> {
    let scale = dpi / 72.0;
    let (w, h) = check_render_size(region, dpi, page_number)?;
    let result = catch_unwind(AssertUnwindSafe(|| {
        let mut ctx = hayro::vello_cpu::RenderContext::new(w, h);
        let transform = Affine::scale(scale)
            * Affine::translate((-region.x0, -region.y0))
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
        let mut pixmap = hayro::vello_cpu::Pixmap::new(w, h);
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
        // On an opaque white background the premultiplied pixels are the straight ones.
        let rgb: Vec<u8> = pixmap
            .data_as_u8_slice()
            .chunks_exact(4)
            .flat_map(|p| [p[0], p[1], p[2]])
            .collect();
        crate::png::encode_rgb(&rgb, u32::from(w), u32::from(h))
    }));
    result.map_err(|p| {
        Error::Input(format!(
            "page {page_number}: the renderer failed ({})",
            panic_message(&p)
        ))
    })
}
