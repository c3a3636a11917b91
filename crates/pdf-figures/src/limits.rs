//! Resource limits, and the decompression-bomb check run before any page is interpreted.
//!
//! hayro inflates streams fully in memory and has no size cap of its own, so every Flate
//! stream is first inflated into a sink with a byte budget; a stream that exceeds it stops
//! the run with an error that names the flag that raises the limit.

use crate::error::Error;
use hayro_syntax::Filter;
use hayro_syntax::Pdf;
use hayro_syntax::object::Object;
use std::io::Read;

/// Limits on what one document may make the program allocate.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Largest image (width x height) decoded.
    pub max_image_pixels: u64,
    /// Largest inflated size of one stream, in bytes.
    pub max_stream_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_image_pixels: 100_000_000,
            max_stream_bytes: 256 << 20,
        }
    }
}

/// Fails when a Flate stream inflates to more than the limit.
pub fn check_streams(pdf: &Pdf, limits: &Limits) -> Result<(), Error> {
    for obj in pdf.objects() {
        let Object::Stream(stream) = obj else {
            continue;
        };
        if stream.filters().first() != Some(&Filter::FlateDecode) {
            continue;
        }
        let raw = stream.raw_data();
        // zlib streams start with a 2-byte header; raw deflate (seen in the wild) has none.
        let body = if raw.len() > 2 && (u16::from(raw[0]) << 8 | u16::from(raw[1])) % 31 == 0 {
            &raw[2..]
        } else {
            &raw[..]
        };
        let mut decoder = flate2::read::DeflateDecoder::new(body).take(limits.max_stream_bytes + 1);
        let inflated = std::io::copy(&mut decoder, &mut std::io::sink()).unwrap_or(0);
        if inflated > limits.max_stream_bytes {
            let id = stream.obj_id();
            return Err(Error::Input(format!(
                "object {} {}: stream inflates to more than {} bytes, a decompression bomb? (raise the limit with --max-stream-bytes)",
                id.obj_number, id.gen_number, limits.max_stream_bytes
            )));
        }
    }
    Ok(())
}
