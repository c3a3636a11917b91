//! Layout analysis for paper PDFs, independent of any PDF library.
//!
//! The input is what a PDF interpreter sees on a page: glyphs with Unicode text, a box and a
//! font size ([`Glyph`]), and the boxes of painted paths and images ([`Graphic`]). The output is
//! the page as a reader sees it: words, lines and blocks in reading order (one or two columns,
//! the arXiv side stamp left out), each block marked as running text, caption, margin or text
//! belonging to a graphic ([`PageLayout`]), and figure regions proposed from captions and
//! graphics the way pdffigures2 does ([`figures::locate`]).
//!
//! Keeping this on the far side of the interpreter's device interface means every rule here is
//! tested with synthetic glyph streams, and the `pdf-figures` crate only has to turn PDF drawing
//! calls into [`PageInput`]. Tables and display equations (the next step) build on the same
//! blocks, captions and region proposals.
//!
//! Coordinates are PDF points with the origin at the top-left corner of the rendered page.

pub mod captions;
pub mod equations;
pub mod figures;
pub mod geom;
pub mod hyphens;
pub mod page;
pub mod sections;
pub mod tables;
pub mod text;

pub use captions::{CaptionKind, CaptionStart, caption_start};
pub use figures::{Caption, Region, Side, locate, select_captions};
pub use geom::Rect;
pub use page::{
    BlockRole, Graphic, GraphicKind, PageInput, PageLayout, PlacedBlock, analyze_page,
    body_font_size,
};
pub use text::{Block, Glyph, Line, Word};
