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
use hayro_syntax::object::{Dict, Object, Stream};
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
    /// Most content operators interpreted for one page, nested content included as often
    /// as it is drawn.
    pub max_page_operators: u64,
    /// Most content operators interpreted for the whole document.
    pub max_operators: u64,
    /// Most decoded content bytes for the whole document: page content streams, forms,
    /// patterns, soft masks and Type 3 glyph programs, each counted every time it is drawn.
    pub max_content_bytes: u64,
    /// Most draws of nested content (forms, tiling patterns, soft masks, Type 3 font
    /// selections) for the whole document.
    pub max_nested_draws: u64,
    /// Most bytes of text shown on one page (each glyph takes one or two).
    pub max_page_glyphs: u64,
    /// Most bytes of text shown for the whole document.
    pub max_glyphs: u64,
    /// Most bytes of decoded images for the whole document: each image object once, each
    /// inline image every time it is drawn.
    pub max_image_bytes: u64,
    /// Most paths painted for the whole document, nested content counted as often as it is
    /// drawn.
    pub max_paints: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_image_pixels: 100_000_000,
            max_stream_bytes: 256 << 20,
            // Papers nest two or three levels (page > included PDF figure > its forms); 32
            // leaves room for generous producers while staying under hayro's cap of 50.
            max_depth: 32,
            // The largest of the 25 corpus papers (papers and papers-fresh; with
            // PDF_FIGURES_TIMINGS=1 a run prints its document's use) and the room each
            // default leaves: 253 k operators on one page (lstm; 11.9x), 2.8 M in one paper
            // (lstm, Type 3 glyphs counted per glyph shown; 10.7x), 104 MB of decoded content
            // (lstm, whose plots draw forms 6,610 times; 10.3x), 6,610 nested draws (lstm;
            // 15x). Ten pages each just under the page budget cost what the document budget
            // allows: at 5 M and 50 M, 50 M `cm` operators took 31 s and 1.17 GB and a path
            // of 5 M segments per page 1.48 GB; at 3 M and 30 M the worst such file measured
            // stays under 30 s and 1 GB on the 2-core machine (tests/hostile.rs builds them).
            max_page_operators: 3_000_000,
            max_operators: 30_000_000,
            max_content_bytes: 1 << 30,
            max_nested_draws: 100_000,
            // Text: 85 k bytes shown in the wordiest paper (lstm), 8.4 k on one page (24x). A
            // 1 MB string drawn twice (2 M glyphs on one line, a fuzz case) took 14 s and
            // 1.37 GB, so the document cap stays well under that: 11.8x.
            max_page_glyphs: 200_000,
            max_glyphs: 1_000_000,
            // Decoded images: 45 MB in the most (xception: 10 image objects; lstm's 1.16 GB
            // of Type 3 bitmap glyphs are read as text, not decoded), so 512 MiB leaves 11.9x.
            // The written files stay in memory until the end, and for an image that does not
            // compress they are as large as its decoded bytes: this keeps that under 1 GB.
            max_image_bytes: 512 << 20,
            // Paths painted: each is a graphic the layout keeps and sorts. 19.7 k in the most
            // (vit; 6.9 k on one page, ssd), so 500 k leaves 25x. Ten pages each just under the
            // page operator budget, all strokes (16.7 M paths), took 45 s and 2.3 GB.
            max_paints: 500_000,
        }
    }
}

/// Fails when a stream decodes to more than the limit. (Nesting depth and the budgets of
/// interpretation are checked by `nesting::check`, before the pages are interpreted.)
pub fn check_streams(pdf: &Pdf, limits: &Limits) -> Result<(), Error> {
    for obj in pdf.objects() {
        let Object::Stream(stream) = obj else {
            continue;
        };
        if let Some(filter) = bomb(&stream, limits.max_stream_bytes) {
            let id = stream.obj_id();
            return Err(Error::Input(format!(
                "object {} {}: {} stream decodes to more than {} bytes, a decompression bomb? (raise the limit with --max-stream-bytes)",
                id.obj_number,
                id.gen_number,
                crate::images::filter_name(&filter),
                limits.max_stream_bytes,
            )));
        }
    }
    Ok(())
}

fn expands(filter: &Filter) -> bool {
    matches!(
        filter,
        Filter::FlateDecode | Filter::LzwDecode | Filter::RunLengthDecode
    )
}

/// Whether `stream` decodes to more than `budget` bytes (counted, not decoded, when it may).
pub(crate) fn decodes_past(stream: &Stream<'_>, budget: u64) -> bool {
    bound(stream) > budget && measure(stream, budget).0 > budget
}

/// The decoded size of `stream`, counted up to just past `budget` (a stream whose first filter
/// is an image codec counts its encoded bytes); as cheap as decoding, with no output kept.
pub(crate) fn decoded_len(stream: &Stream<'_>, budget: u64) -> u64 {
    measure(stream, budget).0
}

/// Most bytes `stream` can decode to, from its length and filters alone.
pub(crate) fn bound(stream: &Stream<'_>) -> u64 {
    stream
        .filters()
        .iter()
        .take_while(|f| expands(f) || matches!(f, Filter::AsciiHexDecode | Filter::Ascii85Decode))
        .fold(stream.raw_data().len() as u64, |n, f| {
            n.saturating_mul(max_expansion(f))
        })
}

/// The filter whose output exceeds `budget`, if any. ASCII filters only shrink and are decoded;
/// the last expanding filter of the chain is only counted; one followed by another expanding
/// filter is decoded (within the budget) to feed the next. Image codecs end the walk: their
/// output is bounded by the image size, checked when the image is drawn.
fn bomb(stream: &Stream<'_>, budget: u64) -> Option<Filter> {
    // Decoding costs as much as hayro's own decode later, so a stream too short to pass the
    // budget even if every filter expanded it as far as it possibly can is not decoded here.
    if bound(stream) <= budget {
        return None;
    }
    measure(stream, budget).1
}

/// The decoded size of `stream` counted up to past `budget`, and the filter that passed the
/// budget if one did. ASCII filters only shrink and are decoded; the last expanding filter of
/// the chain is only counted; one followed by another expanding filter is decoded (within the
/// budget) to feed the next. Image codecs end the walk: their output is bounded by the image
/// size, checked when the image is drawn.
fn measure(stream: &Stream<'_>, budget: u64) -> (u64, Option<Filter>) {
    let filters = stream.filters();
    let params = decode_params(stream.dict(), filters.len());
    let mut data: Vec<u8> = stream.raw_data().into_owned();
    for (i, filter) in filters.iter().enumerate() {
        let early = params[i]
            .as_ref()
            .and_then(|p| p.get::<i64>(b"EarlyChange"))
            .is_none_or(|e| e != 0);
        let last = !filters[i + 1..].iter().any(expands);
        match filter {
            Filter::AsciiHexDecode => data = ascii_hex(&data),
            Filter::Ascii85Decode => data = ascii85(&data),
            Filter::FlateDecode | Filter::LzwDecode | Filter::RunLengthDecode => {
                let mut out = Vec::new();
                let sink = (!last).then_some(&mut out);
                let size = match filter {
                    Filter::FlateDecode => flate(&data, budget, sink),
                    Filter::LzwDecode => lzw(&data, early, budget, sink),
                    _ => run_length(&data, budget, sink),
                };
                if size > budget {
                    return (size, Some(*filter));
                }
                if last {
                    return (size, None);
                }
                data = out;
            }
            _ => break,
        }
    }
    (data.len() as u64, None)
}

/// Most bytes one encoded byte can decode to, rounded up. Deflate: a 258-byte match costs at
/// least one bit of length code and one of distance code, hence the well-known 1032:1 (RFC
/// 1951). LZW: a code is at least 9 bits and, with at most 4096 table entries, stands for at
/// most 3841 bytes, so below 3415:1. RunLength: a two-byte run gives 128 bytes, 64:1.
/// ASCII85: `z` gives four zero bytes. ASCIIHex only shrinks.
fn max_expansion(filter: &Filter) -> u64 {
    match filter {
        Filter::FlateDecode => 1033,
        Filter::LzwDecode => 3415,
        Filter::RunLengthDecode => 65,
        Filter::Ascii85Decode => 4,
        _ => 1,
    }
}

/// `/DecodeParms` per filter (a dictionary for a single filter, else an array).
fn decode_params<'a>(dict: &Dict<'a>, n: usize) -> Vec<Option<Dict<'a>>> {
    let mut params: Vec<Option<Dict<'a>>> = match dict
        .get::<Object<'a>>(b"DecodeParms")
        .or_else(|| dict.get::<Object<'a>>(b"DP"))
    {
        Some(Object::Dict(d)) => vec![Some(d)],
        Some(Object::Array(a)) => a
            .iter::<Object<'a>>()
            .map(|o| match o {
                Object::Dict(d) => Some(d),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    params.resize(n, None);
    params
}

/// Decodes ASCIIHexDecode (PDF 32000-1 7.4.2), leniently: other bytes are skipped.
fn ascii_hex(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() / 2);
    let mut high: Option<u8> = None;
    for &b in data {
        let v = match b {
            b'>' => break,
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            b'A'..=b'F' => b - b'A' + 10,
            _ => continue,
        };
        match high.take() {
            Some(h) => out.push(h << 4 | v),
            None => high = Some(v),
        }
    }
    out.extend(high.map(|h| h << 4));
    out
}

/// Decodes ASCII85Decode (PDF 32000-1 7.4.3), leniently.
fn ascii85(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() * 4 / 5);
    let mut group = [0u8; 5];
    let mut n = 0;
    for &b in data {
        match b {
            b'~' => break,
            b'z' if n == 0 => out.extend_from_slice(&[0; 4]),
            b'!'..=b'u' => {
                group[n] = b - b'!';
                n += 1;
                if n == 5 {
                    out.extend_from_slice(&base85(&group).to_be_bytes());
                    n = 0;
                }
            }
            _ => {}
        }
    }
    if n > 1 {
        group[n..].fill(84);
        out.extend_from_slice(&base85(&group).to_be_bytes()[..n - 1]);
    }
    out
}

fn base85(group: &[u8; 5]) -> u32 {
    group
        .iter()
        .fold(0u32, |v, &d| v.wrapping_mul(85).wrapping_add(u32::from(d)))
}

/// Inflated size, counted up to `budget + 1`; the bytes go to `out` when given.
fn flate(raw: &[u8], budget: u64, out: Option<&mut Vec<u8>>) -> u64 {
    // zlib streams start with a 2-byte header; raw deflate (seen in the wild) has none.
    let body = if raw.len() > 2 && (u16::from(raw[0]) << 8 | u16::from(raw[1])) % 31 == 0 {
        &raw[2..]
    } else {
        raw
    };
    let mut decoder = flate2::read::DeflateDecoder::new(body).take(budget + 1);
    match out {
        Some(out) => {
            let _ = decoder.read_to_end(out);
            out.len() as u64
        }
        None => std::io::copy(&mut decoder, &mut std::io::sink()).unwrap_or(0),
    }
}

/// Decoded size of an LZW stream (PDF 32000-1 7.4.4), counted up to past `budget`; the bytes
/// go to `out` when given, else only lengths are tracked (an entry is its prefix plus a byte).
fn lzw(raw: &[u8], early_change: bool, budget: u64, mut out: Option<&mut Vec<u8>>) -> u64 {
    const CLEAR: usize = 256;
    const EOD: usize = 257;
    // Per table entry: output length, prefix entry and last byte; 0..=255 are single bytes.
    let mut lengths: Vec<u64> = vec![1; 258];
    let mut prefixes: Vec<usize> = (0..258).collect();
    let mut lasts: Vec<u8> = (0..=255u8).chain([0, 0]).collect();
    let mut width = 9;
    let mut previous: Option<usize> = None;
    let mut total = 0u64;
    let (mut acc, mut bits) = (0u64, 0u32);
    let first_byte = |code: usize, prefixes: &[usize]| {
        let mut c = code;
        while c > 255 {
            c = prefixes[c];
        }
        c as u8
    };
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
                    prefixes.truncate(258);
                    lasts.truncate(258);
                    width = 9;
                    previous = None;
                    continue;
                }
                EOD => return total,
                _ => {}
            }
            let known = code < lengths.len();
            if !known && (code != lengths.len() || previous.is_none()) {
                return total;
            }
            if let Some(p) = previous
                && lengths.len() < 4096
            {
                // The new entry is the previous string plus the first byte of this one (of
                // the previous one itself in the KwKwK case, where this code is the new entry).
                let first = first_byte(if known { code } else { p }, &prefixes);
                lengths.push(lengths[p] + 1);
                prefixes.push(p);
                lasts.push(first);
            }
            let length = lengths[code];
            if let Some(out) = out.as_deref_mut() {
                let start = out.len();
                let mut c = code;
                for _ in 0..length {
                    out.push(lasts[c]);
                    c = prefixes[c];
                }
                out[start..].reverse();
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

/// Decoded size of a RunLength stream (PDF 32000-1 7.4.5), counted up to past `budget`; the
/// bytes go to `out` when given.
fn run_length(raw: &[u8], budget: u64, mut out: Option<&mut Vec<u8>>) -> u64 {
    let mut total = 0u64;
    let mut i = 0;
    while let Some(&n) = raw.get(i) {
        match n {
            128 => break,
            0..=127 => {
                let end = (i + 2 + usize::from(n)).min(raw.len());
                if let Some(out) = out.as_deref_mut() {
                    out.extend_from_slice(&raw[i + 1..end]);
                }
                total += u64::from(n) + 1;
                i += usize::from(n) + 2;
            }
            _ => {
                let count = 257 - usize::from(n);
                if let (Some(out), Some(&b)) = (out.as_deref_mut(), raw.get(i + 1)) {
                    out.resize(out.len() + count, b);
                }
                total += count as u64;
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
    fn deflate_at_its_best_stays_under_the_assumed_ratio_and_is_still_caught() {
        use std::io::Write;
        // 64 MiB of zeros at the best level is as close to deflate's 1032:1 as zlib gets.
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(&vec![0u8; 64 << 20]).unwrap();
        let raw = e.finish().unwrap();
        let ratio = (64u64 << 20) / raw.len() as u64;
        assert!((1000..1033).contains(&ratio), "ratio {ratio}");
        assert_eq!(flate(&raw, 1 << 40, None), 64 << 20);
        // The shortcut skips it only when even the largest ratio stays within the budget.
        let bound = raw.len() as u64 * max_expansion(&Filter::FlateDecode);
        assert!(bound >= 64 << 20);
    }

    #[test]
    fn lzw_size_counts_the_spec_example() {
        // PDF 32000-1 7.4.4.2: "-----A---B" encodes to 45 258 258 65 259 66 257.
        let data = pack9(&[256, 45, 258, 258, 65, 259, 66, 257]);
        let mut out = Vec::new();
        assert_eq!(lzw(&data, true, u64::MAX, Some(&mut out)), 10);
        assert_eq!(out, b"-----A---B");
    }

    #[test]
    fn lzw_size_handles_the_code_defined_by_its_own_use() {
        // 'a' then 258 before 258 exists: "a" + "aa" + "aaa" (259 = 258 + 'a').
        let data = pack9(&[65, 258, 259, 257]);
        let mut out = Vec::new();
        assert_eq!(lzw(&data, true, u64::MAX, Some(&mut out)), 1 + 2 + 3);
        assert_eq!(out, b"AAAAAA");
        assert_eq!(lzw(&data, true, u64::MAX, None), 6);
    }

    #[test]
    fn ascii_filters_decode_the_spec_alphabets() {
        assert_eq!(ascii_hex(b"48 65 6c6C 7>ignored"), b"Hell\x70");
        // "Man " is the classic base-85 example: 9jqo^; a final partial group keeps n - 1 bytes.
        assert_eq!(ascii85(b"9jqo^z9jqo~>"), b"Man \0\0\0\0Man");
    }

    #[test]
    fn run_length_size_counts_literals_and_runs() {
        // 3 literal bytes, a run of 127 copies, then EOD and trailing junk.
        let data = [2, b'a', b'b', b'c', 130, b'x', 128, 5, 5];
        let mut out = Vec::new();
        assert_eq!(run_length(&data, u64::MAX, Some(&mut out)), 3 + 127);
        assert_eq!(&out[..4], b"abcx");
        assert!(out[3..].iter().all(|&b| b == b'x'));
        assert_eq!(run_length(&data, u64::MAX, None), 130);
    }
}
