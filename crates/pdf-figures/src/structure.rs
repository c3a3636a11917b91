//! What the passes after figure extraction (tables, equations, hyper-parameter mining, paper.md)
//! read: the parsed document, every page's layout and the chosen captions.

use hayro::RenderCache;
use hayro_syntax::Pdf;
use pdf_layout::{Caption, PageLayout};

/// Read-only view of the document shared by the structure passes.
pub struct Context<'a> {
    /// The parsed PDF, for rendering crops.
    pub pdf: &'a Pdf,
    /// Layout of every page, index = page number - 1.
    pub layouts: &'a [PageLayout],
    /// One caption per (kind, id) over the whole document.
    pub captions: &'a [Caption],
    /// Shared render cache.
    pub render_cache: &'a RenderCache<'a>,
    /// Resolution of crops.
    pub dpi: f64,
}
