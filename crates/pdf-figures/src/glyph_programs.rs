//! A copy of the document for the renderer in which every Type 3 glyph program is stored
//! decoded.
//!
//! hayro decodes a Type 3 glyph's program (its `/CharProcs` stream) every time the glyph is
//! drawn and keeps no decoded copy. dvips bitmap fonts compress each glyph's few hundred bytes
//! with LZW, and hayro's LZW decoder builds its string table afresh for each one: on the LSTM
//! paper, set entirely in such fonts, decoding glyph programs was about 30% of the whole
//! extraction's CPU. The renderer is crate-private, so no cache can be put in front of it;
//! instead the programs are decoded once here and written back, unfiltered, as an incremental
//! update of the file (the same objects under the same numbers, PDF 32000-1 §7.5.6). Every
//! other object keeps its bytes and offset, so the pages draw the same pixels.
//!
//! The copy is only made when it is sure to read back as the same document: not for encrypted
//! files (the update would have to be encrypted too), and it is dropped unless the reopened
//! copy has the same pages and every rewritten program reads back as its decoded bytes.

use hayro_syntax::Filter;
use hayro_syntax::Pdf;
use hayro_syntax::object::{Dict, Name, Object, ObjectIdentifier, Stream};
use std::collections::BTreeMap;
use std::io::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Glyph programs longer than this, decoded, are left alone: bitmap glyphs are a few hundred
/// bytes, and decoding a long program again on each draw is small beside the drawing it
/// describes.
const MAX_PROGRAM_BYTES: usize = 1 << 20;

/// Most decoded bytes added to the copy in all, so a document cannot double its memory
/// through here.
const MAX_TOTAL_BYTES: usize = 64 << 20;

/// The document with its compressed Type 3 glyph programs stored decoded, or `None` when it has
/// none (or the copy cannot be made safely); render from it, read everything else from `pdf`.
pub fn with_decoded_glyph_programs(pdf: &Pdf) -> Option<Pdf> {
    // The copy only saves time: a parser panic on a malformed program means no copy.
    catch_unwind(AssertUnwindSafe(|| copy(pdf))).ok().flatten()
}

fn copy(pdf: &Pdf) -> Option<Pdf> {
    let programs = compressed_programs(pdf);
    if programs.is_empty() {
        return None;
    }
    with_streams_replaced(pdf, &programs)
}

/// `pdf` with each stream object in `streams` ((object number, generation) -> data) replaced
/// by an unfiltered stream of that data, as an incremental update; `None` unless the reopened
/// copy has the same pages and every replaced stream reads back as its data. Never for a file
/// that names `/Encrypt` anywhere: an update written in the clear would not be decrypted like
/// the rest.
pub(crate) fn with_streams_replaced(
    pdf: &Pdf,
    streams: &BTreeMap<(u32, i32), Vec<u8>>,
) -> Option<Pdf> {
    let original: &[u8] = pdf.data().as_ref();
    if memchr::memmem::find(original, b"/Encrypt").is_some() {
        return None;
    }
    let prev = last_startxref(original)?;
    let update = incremental_update(original, streams, pdf.xref().root_id(), prev, pdf.len());
    let copy = Pdf::new(update).ok()?;
    let same = copy.pages().len() == pdf.pages().len()
        && streams.iter().all(|(&(num, generation), data)| {
            let id = ObjectIdentifier::new(num, generation);
            copy.xref()
                .get::<Stream<'_>>(id)
                .is_some_and(|s| s.filters().is_empty() && s.raw_data().as_ref() == data.as_slice())
        });
    same.then_some(copy)
}

/// Every Type 3 glyph program that is compressed with general-purpose filters only and whose
/// dictionary holds nothing but its length and filters (anything else would have to be
/// written back too): (object number, generation) -> decoded program.
fn compressed_programs(pdf: &Pdf) -> BTreeMap<(u32, i32), Vec<u8>> {
    let mut programs = BTreeMap::new();
    let mut total = 0usize;
    for obj in pdf.objects() {
        let Object::Dict(font) = obj else {
            continue;
        };
        if font
            .get::<Name<'_>>(b"Subtype")
            .is_none_or(|s| s.as_ref() != b"Type3")
        {
            continue;
        }
        let Some(procs) = font.get::<Dict<'_>>(b"CharProcs") else {
            continue;
        };
        for name in procs.keys() {
            let Some(stream) = procs.get::<Stream<'_>>(name.as_ref()) else {
                continue;
            };
            let id = stream.obj_id();
            let key = (id.obj_number, id.gen_number);
            if programs.contains_key(&key) || !rewritable(&stream) {
                continue;
            }
            let Ok(decoded) = stream.decoded_data() else {
                continue;
            };
            if decoded.len() > MAX_PROGRAM_BYTES || total + decoded.len() > MAX_TOTAL_BYTES {
                continue;
            }
            total += decoded.len();
            programs.insert(key, decoded.into_owned());
        }
    }
    programs
}

fn rewritable(stream: &Stream<'_>) -> bool {
    let filters = stream.filters();
    !filters.is_empty()
        && filters.iter().all(|f| {
            matches!(
                f,
                Filter::FlateDecode
                    | Filter::LzwDecode
                    | Filter::RunLengthDecode
                    | Filter::AsciiHexDecode
                    | Filter::Ascii85Decode
            )
        })
        && stream
            .dict()
            .keys()
            .all(|k| matches!(k.as_ref(), b"Length" | b"Filter" | b"DecodeParms"))
}

/// `original` followed by the programs as new versions of their objects, a cross-reference
/// section for them and a trailer that chains to the original's (`prev`).
fn incremental_update(
    original: &[u8],
    programs: &BTreeMap<(u32, i32), Vec<u8>>,
    root: ObjectIdentifier,
    prev: usize,
    objects: usize,
) -> Vec<u8> {
    let added: usize = programs.values().map(|p| p.len() + 64).sum();
    let mut out = Vec::with_capacity(original.len() + added + programs.len() * 20 + 256);
    out.extend_from_slice(original);
    if !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    let mut offsets = Vec::with_capacity(programs.len());
    for (&(num, generation), data) in programs {
        offsets.push((num, generation, out.len()));
        // Writing into a Vec cannot fail.
        let _ = write!(
            out,
            "{num} {generation} obj\n<< /Length {} >>\nstream\n",
            data.len()
        );
        out.extend_from_slice(data);
        out.extend_from_slice(b"\nendstream\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(b"xref\n");
    for (num, generation, offset) in &offsets {
        let _ = write!(out, "{num} 1\n{offset:010} {generation:05} n\r\n");
    }
    let size = offsets
        .iter()
        .map(|(num, _, _)| *num as usize + 1)
        .max()
        .unwrap_or(0)
        .max(objects);
    let _ = write!(
        out,
        "trailer\n<< /Size {size} /Root {} {} R /Prev {prev} >>\nstartxref\n{xref}\n%%EOF\n",
        root.obj_number, root.gen_number
    );
    out
}

/// The offset after the file's last `startxref`.
fn last_startxref(data: &[u8]) -> Option<usize> {
    let tail_start = data.len().saturating_sub(4096);
    let tail = &data[tail_start..];
    let at = tail.windows(9).rposition(|w| w == b"startxref")?;
    let digits: Vec<u8> = tail[at + 9..]
        .iter()
        .copied()
        .skip_while(u8::is_ascii_whitespace)
        .take_while(u8::is_ascii_digit)
        .collect();
    let offset: usize = std::str::from_utf8(&digits).ok()?.parse().ok()?;
    (offset < data.len()).then_some(offset)
}
