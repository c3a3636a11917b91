//! `pdf-figures`: a paper PDF turned into files Claude can open.
//!
//! Given a paper, it writes every figure as a PNG crop rendered at a chosen resolution with its
//! caption, page and box; every embedded raster image losslessly (JPEG streams byte for byte,
//! everything else decoded to PNG with its soft mask as alpha); the text of each page in reading
//! order; optional page renders; and `manifest.json` listing all of it with sorted keys.
//!
//! # Which library does what, and why
//! - **hayro** (`hayro-syntax`, `hayro-interpret`, `hayro`) does all PDF work, on one parse of the
//!   file. `hayro-syntax` reads objects and streams (including the raw bytes of a `DCTDecode`
//!   stream, so JPEG pass-through needs no second parser); `hayro-interpret` runs each page's
//!   content through a [`hayro_interpret::Device`] that receives glyph runs with Unicode,
//!   paths, images (inline images and images inside forms included, every codec decoded:
//!   JPEG, JPEG 2000, JBIG2, CCITT, Flate with predictors; colour spaces, Indexed, CMYK, Decode
//!   arrays and soft masks applied) and Type 3 glyphs; `hayro` renders any region with any
//!   transform. hayro decodes a Type 3 glyph's program again on every draw, so crops are
//!   rendered from an in-memory copy of the file whose compressed glyph programs are stored
//!   decoded, as an incremental update ([`glyph_programs`]). hayro also interprets a page's
//!   whole content whatever the render area, so a second update leaves out of each rendered
//!   page the lines of text that no crop of it can show ([`text_culling`]).
//! - **lopdf** is not used. The design card named it, but it decodes none of the image codecs,
//!   misses inline images and images inside forms and has no renderer; the one thing it would
//!   add here, raw stream access, `hayro-syntax` already has. Test fixtures are written by a
//!   forty-line writer in `tests/common`, so no second PDF library is compiled at all.
//! - **pdf-layout** (this workspace) turns the device's glyphs and graphics boxes into words,
//!   lines, blocks, reading order, captions and figure regions, without knowing about PDF.
//! - **flate2** inflates streams into a byte-counting sink before hayro touches them, because
//!   hayro inflates in memory without a cap (decompression bombs); LZW and RunLength streams
//!   are counted the same way by a length-only decoder in [`limits`].
//!
//! # Exactness and limits
//! - Every codec is pixel-checked on committed streams from real encoders (`tests/pdf/codecs/`:
//!   JPEG 2000, JBIG2, CCITT G4 and G3 1-D/2-D with BlackIs1 both ways, LZW, RunLength), and
//!   JPEG is passed through byte for byte.
//! - hayro decodes to 8 bits per sample. A 16-bit image in DeviceGray, DeviceRGB or an ICC-based
//!   space of one or three components, with the default Decode array and general-purpose filters,
//!   is written as a 16-bit PNG straight from the stream's samples (predictors undone by
//!   hayro-syntax; the ICC profile kept as the PNG's `iCCP`). Other 16-bit images (Lab,
//!   Separation, DeviceN, CMYK, a non-default Decode array, 16-bit JPEG 2000) are reduced to 8
//!   bits; each manifest image says `bits` (written) and `pdf_bits` (in the PDF).
//! - The nesting of form XObjects, Type 3 glyph procedures, tiling patterns and soft-mask
//!   groups is measured by following what each content stream draws (`--max-depth`, default
//!   32, at most hayro's own cap of 50), before any page is interpreted; a reference cycle is
//!   refused at any depth. The same walk counts what interpreting the pages will cost, content
//!   drawn twice counted twice (issue 20): operators per page (`--max-page-operators`) and per
//!   document (`--max-operators`), decoded content bytes (`--max-content-bytes`, page content
//!   streams measured before they are decoded) and draws of nested content
//!   (`--max-nested-draws`; a tiling pattern counts every copy of its cell the renderer may
//!   draw), and bytes of text shown per page and document (`--max-page-glyphs`,
//!   `--max-glyphs`), bytes of decoded images per document (`--max-image-bytes`: each
//!   image object once, inline images every draw) and paths painted per document
//!   (`--max-paints`). The input must be a regular file
//!   ([`input`]).
//! - Pages are interpreted on up to four threads (`--threads`); the output is byte-identical
//!   for any number. Decoded stream size (`--max-stream-bytes`) and image size
//!   (`--max-image-pixels`) are capped too. Each limit fails with one line naming its flag.
//! - Only image draws with a visible area are placements: an image clipped away by its form's
//!   `/BBox` (vit.pdf draws two such colour bars) is neither a file nor a draw.
//!
//! Panics inside the PDF libraries are caught per page and reported as errors.
//!
//! For tuning the layout rules, `PDF_FIGURES_DEBUG_PAGE=N` prints page N's blocks with their
//! roles (and `PDF_FIGURES_DEBUG_ALL=1` every graphic box) on stderr.

pub mod cli;
mod content_lexer;
pub mod engine;
pub mod equations;
pub mod error;
pub mod extract;
pub mod glyph_programs;
pub mod hyperparams;
pub mod images;
mod ink;
pub mod input;
pub mod limits;
mod nesting;
pub mod output;
pub mod ownership;
pub mod paper_md;
mod png;
pub mod pool;
pub mod render;
pub mod structure;
pub mod tables;
pub mod text_culling;

pub use error::Error;
pub use extract::{Extraction, Manifest, Options, extract};
pub use limits::Limits;
