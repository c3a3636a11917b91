//! Resource limits, and the checks run before any page is interpreted: decompression bombs and
//! content nested too deep (see [`crate::nesting`]).
//!
//! hayro decodes streams fully in memory and has no size cap of its own, so every stream whose
//! first filter can expand (Flate, LZW, RunLength) is first decoded into a byte counter with a
//! budget; a stream that exceeds it stops the run with an error that names the flag that raises
//! the limit. LZW and RunLength are counted without materialising any output: an LZW code's
//! output length is its prefix's length plus one, and a RunLength byte says how many bytes it
//! stands for.

use crate::error::Error;
use hayro_syntax::Filter;
use hayro_syntax::Pdf;
use hayro_syntax::object::{Array, Dict, Object};
use std::io::Read;

/// The deepest `--max-depth` accepted: hayro's own interpretation cap, past which it stops
/// drawing without a word.
pub const HAYRO_MAX_DEPTH: u32 = 50;

/// Limits on what one document may make the program allocate.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Largest image (width x height) decoded.
    pub max_image_pixels: u64,
    /// Largest decoded size of one stream, in bytes.
    pub max_stream_bytes: u64,
    /// Deepest nesting of forms, Type 3 glyphs, tiling patterns and soft-mask groups.
    pub max_depth: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_image_pixels: 100_000_000,
            max_stream_bytes: 256 << 20,
            // Papers nest two or three levels (page > included PDF figure > its forms); 32
            // leaves room for generous producers while staying under hayro's cap of 50.
            max_depth: 32,
        }
    }
}

/// Fails when a stream decodes to more than the limit, or content nests too deep.
pub fn check_streams(pdf: &Pdf, limits: &Limits) -> Result<(), Error> {
    for obj in pdf.objects() {
        let Object::Stream(stream) = obj else {
            continue;
        };
        let Some(first) = stream.filters().first().cloned() else {
            continue;
        };
        let raw = stream.raw_data();
        let budget = limits.max_stream_bytes;
        let size = match first {
            Filter::FlateDecode => flate_size(&raw, budget),
            Filter::LzwDecode => lzw_size(&raw, early_change(stream.dict()), budget),
            Filter::RunLengthDecode => run_length_size(&raw, budget),
            _ => continue,
        };
        if size > budget {
            let id = stream.obj_id();
            return Err(Error::Input(format!(
                "object {} {}: {} stream decodes to more than {budget} bytes, a decompression bomb? (raise the limit with --max-stream-bytes)",
                id.obj_number,
                id.gen_number,
                crate::images::filter_name(&first),
            )));
        }
    }
    crate::nesting::check(pdf, limits.max_depth)
}

/// Inflated size, counted up to `budget + 1`.
fn flate_size(raw: &[u8], budget: u64) -> u64 {
    // zlib streams start with a 2-byte header; raw deflate (seen in the wild) has none.
    let body = if raw.len() > 2 && (u16::from(raw[0]) << 8 | u16::from(raw[1])) % 31 == 0 {
        &raw[2..]
    } else {
        raw
    };
    let mut decoder = flate2::read::DeflateDecoder::new(body).take(budget + 1);
    std::io::copy(&mut decoder, &mut std::io::sink()).unwrap_or(0)
}

/// The `/EarlyChange` of the first filter's parameters (default 1).
fn early_change(dict: &Dict<'_>) -> bool {
    let params = dict.get::<Dict<'_>>(b"DecodeParms").or_else(|| {
        dict.get::<Array<'_>>(b"DecodeParms")?
            .iter::<Dict<'_>>()
            .next()
    });
    params
        .and_then(|p| p.get::<i64>(b"EarlyChange"))
        .is_none_or(|e| e != 0)
}

/// Decoded size of an LZW stream (PDF 32000-1 7.4.4), counted up to past `budget` without
/// building the output.
fn lzw_size(raw: &[u8], early_change: bool, budget: u64) -> u64 {
    const CLEAR: usize = 256;
    const EOD: usize = 257;
    // Output length of each table entry; entries 0..=255 are single bytes.
    let mut lengths: Vec<u64> = vec![1; 258];
    let mut width = 9;
    let mut previous: Option<usize> = None;
    let mut total = 0u64;
    let (mut acc, mut bits) = (0u64, 0u32);
    for &byte in raw {
        acc = acc << 8 | u64::from(byte);
        bits += 8;
        while bits >= width {
            bits -= width;
            let code = ((acc >> bits) & ((1 << width) - 1)) as usize;
            acc &= (1 << bits) - 1;
            match code {
                CLEAR => {
                    lengths.truncate(258);
                    width = 9;
                    previous = None;
                    continue;
                }
                EOD => return total,
                _ => {}
            }
            let length = match (lengths.get(code), previous) {
                (Some(&l), _) => l,
                // The KwKwK case: the code being defined right now.
                (None, Some(p)) if code == lengths.len() => lengths[p] + 1,
                _ => return total,
            };
            if let Some(p) = previous
                && lengths.len() < 4096
            {
                lengths.push(lengths[p] + 1);
            }
            previous = Some(code);
            total += length;
            if total > budget {
                return total;
            }
            let next = lengths.len() + usize::from(early_change);
            width = match next {
                n if n >= 2048 => 12,
                n if n >= 1024 => 11,
                n if n >= 512 => 10,
                _ => 9,
            };
        }
    }
    total
}

/// Decoded size of a RunLength stream (PDF 32000-1 7.4.5), counted up to past `budget`.
fn run_length_size(raw: &[u8], budget: u64) -> u64 {
    let mut total = 0u64;
    let mut i = 0;
    while let Some(&n) = raw.get(i) {
        match n {
            128 => break,
            0..=127 => {
                total += u64::from(n) + 1;
                i += usize::from(n) + 2;
            }
            _ => {
                total += 257 - u64::from(n);
                i += 2;
            }
        }
        if total > budget {
            break;
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Packs 9-bit codes MSB first, as PDF LZW does before the width grows.
    fn pack9(codes: &[u16]) -> Vec<u8> {
        let (mut out, mut acc, mut bits) = (Vec::new(), 0u32, 0);
        for &c in codes {
            acc = acc << 9 | u32::from(c);
            bits += 9;
            while bits >= 8 {
                bits -= 8;
                out.push((acc >> bits) as u8);
            }
        }
        if bits > 0 {
            out.push((acc << (8 - bits)) as u8);
        }
        out
    }

    #[test]
    fn lzw_size_counts_the_spec_example() {
        // PDF 32000-1 7.4.4.2: "-----A---B" encodes to 45 258 258 65 259 66 257.
        let data = pack9(&[256, 45, 258, 258, 65, 259, 66, 257]);
        assert_eq!(lzw_size(&data, true, u64::MAX), 10);
    }

    #[test]
    fn lzw_size_handles_the_code_defined_by_its_own_use() {
        // 'a' then 258 before 258 exists: "a" + "aa" + "aaa" (259 = 258 + 'a').
        let data = pack9(&[65, 258, 259, 257]);
        assert_eq!(lzw_size(&data, true, u64::MAX), 1 + 2 + 3);
    }

    #[test]
    fn run_length_size_counts_literals_and_runs() {
        // 3 literal bytes, a run of 127 copies, then EOD and trailing junk.
        let data = [2, b'a', b'b', b'c', 130, b'x', 128, 5, 5];
        assert_eq!(run_length_size(&data, u64::MAX), 3 + 127);
    }
}
