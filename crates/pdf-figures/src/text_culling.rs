//! A copy of the document for the renderer in which the text a page shows wholly outside its
//! crops is left out.
//!
//! A page is rendered once over the union of its crops, but hayro interprets all of the page's
//! content whatever the render area: every glyph is mapped, outlined or (in a Type 3 font) its
//! program run, its bitmap decoded and resampled, before the rasteriser finds it off the
//! canvas. Crops cover about a third of a page's height on the corpus, so most of that work is
//! for pixels no crop keeps. On the LSTM paper (dvips bitmap fonts) glyph programs were half
//! of all CPU.
//!
//! So, once the crops are known, each rendered page's content is scanned (by
//! `content_lexer`, which keeps byte offsets) and every line of
//! text that cannot reach any crop is removed, and the result replaces the page's content
//! streams in an incremental update (as [`crate::glyph_programs`] does for glyph programs).
//! Only the renderer reads the copy.
//!
//! What "cannot reach" means, conservatively:
//! - A line is what a text object shows between two line-setting operators (`BT`, `Td`, `TD`,
//!   `Tm`, `T*`, `'`, `"`): the text-showing operators of a line move only the text matrix,
//!   which the next line-setting operator replaces (it starts from the line matrix), so a whole
//!   line can go without moving anything after it. A line goes only if none of its operators
//!   can reach a crop.
//! - Along its writing direction a line may reach anywhere (its advances are not computed);
//!   across it, it covers the font's box (`/FontBBox`, or for a Type 3 font the union of its
//!   glyphs' `d1` boxes) widened by half an em (a quarter of the box for Type 3) on each side,
//!   scaled by the font size and moved by the rise, plus two device pixels. Only lines whose
//!   direction is horizontal or vertical on the page are tested.
//! - Nothing goes from a text object that adds to the clip (render modes 4-7), in a font whose
//!   box is unknown (a Type 3 glyph drawn with `d0`, a vertical-writing font), or from a page
//!   that shares a content stream with another page, sets a font through an ExtGState, holds
//!   an inline image whose end would have to be guessed (a filtered one; unfiltered masks,
//!   which Ghostscript draws rules with, have a length that follows from their dictionary) or
//!   does not scan cleanly.
//!
//! Removed operators are replaced by a space (`'` and `"` by the line moves they also make),
//! so a page's crops draw the same pixels; the corpus test compares every crop of two papers.

use crate::content_lexer::{Lexer, Op, Operand, unescape};
use crate::render::PageCrops;
use hayro_interpret::TransformExt;
use hayro_interpret::kurbo::Affine;
use hayro_syntax::Pdf;
use hayro_syntax::object::{Array, Dict, Name, Stream};
use hayro_syntax::page::Page;
use std::collections::{BTreeMap, HashMap};
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Device pixels added around each crop: anti-aliasing and hinting move ink by under one.
const MARGIN_PX: f64 = 2.0;

/// Type 3 fonts with more glyph programs than this are not measured (each would be decoded).
const MAX_TYPE3_GLYPHS: usize = 4096;

/// Deepest `q` nesting followed; deeper pages are left alone.
const MAX_SAVE_DEPTH: usize = 256;

/// The renderer's document with the text outside each page's crops left out, or `None` when
/// no page has any to leave out (or the copy cannot be made safely); render the crops in
/// `crops` from it, and nothing else.
pub fn without_distant_text(pdf: &Pdf, crops: &PageCrops, dpi: f64) -> Option<Pdf> {
    // The copy only saves time: a panic while making it means no copy.
    catch_unwind(AssertUnwindSafe(|| copy(pdf, crops, dpi)))
        .ok()
        .flatten()
}

fn copy(pdf: &Pdf, crops: &PageCrops, dpi: f64) -> Option<Pdf> {
    let pages = pdf.pages();
    // A content stream shown on two pages cannot be cut for one of them.
    let mut uses: HashMap<(u32, i32), usize> = HashMap::new();
    let streams_of: Vec<Option<Vec<(u32, i32)>>> = pages.iter().map(content_streams).collect();
    for ids in streams_of.iter().flatten() {
        for id in ids {
            *uses.entry(*id).or_default() += 1;
        }
    }
    let mut fonts = FontSpans::default();
    let mut replaced: BTreeMap<(u32, i32), Vec<u8>> = BTreeMap::new();
    for (&page_no, jobs) in crops {
        let (Some(page), Some(Some(ids))) = (pages.get(page_no - 1), streams_of.get(page_no - 1))
        else {
            continue;
        };
        if ids.is_empty() || ids.iter().any(|id| uses[id] > 1) {
            continue;
        }
        let scale = dpi / 72.0;
        let device = Affine::scale(scale) * page.initial_transform(true).to_kurbo();
        let targets: Vec<[f64; 4]> = jobs
            .iter()
            .map(|(_, r)| {
                // The crop's device pixels as `render` cuts them, widened by the margin.
                let (x0, y0) = ((r.x0 * scale).round(), (r.y0 * scale).round());
                [
                    x0 - MARGIN_PX,
                    y0 - MARGIN_PX,
                    x0 + (r.width() * scale).ceil() + MARGIN_PX,
                    y0 + (r.height() * scale).ceil() + MARGIN_PX,
                ]
            })
            .collect();
        let Some(content) = page.page_stream() else {
            continue;
        };
        let Some(culled) = cull(content, page, device, &targets, &mut fonts) else {
            continue;
        };
        let mut ids = ids.iter();
        if let Some(first) = ids.next() {
            replaced.insert(*first, culled);
        }
        for rest in ids {
            replaced.insert(*rest, Vec::new());
        }
    }
    if replaced.is_empty() {
        return None;
    }
    crate::glyph_programs::with_streams_replaced(pdf, &replaced)
}

/// The page's content streams as (object number, generation), in order; `None` when its
/// `/Contents` is missing or not made of streams.
fn content_streams(page: &Page<'_>) -> Option<Vec<(u32, i32)>> {
    let dict = page.raw();
    let id = |s: &Stream<'_>| (s.obj_id().obj_number, s.obj_id().gen_number);
    if let Some(stream) = dict.get::<Stream<'_>>(b"Contents") {
        return Some(vec![id(&stream)]);
    }
    let array = dict.get::<Array<'_>>(b"Contents")?;
    let streams: Vec<(u32, i32)> = array.iter::<Stream<'_>>().map(|s| id(&s)).collect();
    // An element that is not a stream would be skipped by the reader but not by this count.
    (streams.len() == array.raw_iter().count()).then_some(streams)
}

/// Vertical spans of fonts by object, measured once per document.
#[derive(Default)]
struct FontSpans {
    by_object: HashMap<(u32, i32), Option<(f64, f64)>>,
}

impl FontSpans {
    fn of(&mut self, font: &Dict<'_>) -> Option<(f64, f64)> {
        match font.obj_id() {
            Some(id) => *self
                .by_object
                .entry((id.obj_number, id.gen_number))
                .or_insert_with(|| font_span(font)),
            None => font_span(font),
        }
    }
}

/// Across its writing direction, where a font's glyphs can paint, in text space units per
/// unit of font size: `None` when that cannot be known.
fn font_span(font: &Dict<'_>) -> Option<(f64, f64)> {
    let subtype = font.get::<Name<'_>>(b"Subtype")?;
    if subtype.as_ref() == b"Type3" {
        return type3_span(font);
    }
    let descriptor = if subtype.as_ref() == b"Type0" {
        if vertical_writing(font) {
            return None;
        }
        let descendant = font
            .get::<Array<'_>>(b"DescendantFonts")?
            .iter::<Dict<'_>>()
            .next()?;
        descendant.get::<Dict<'_>>(b"FontDescriptor")
    } else {
        font.get::<Dict<'_>>(b"FontDescriptor")
    };
    // A missing or empty box (both occur in real files) gets a Latin font's: the margins
    // below cover accents and descenders beyond it.
    let (lo, hi) = descriptor
        .and_then(|d| numbers::<4>(d.get::<Array<'_>>(b"FontBBox")?))
        .map(|b| (b[1].min(b[3]) / 1000.0, b[1].max(b[3]) / 1000.0))
        .filter(|(lo, hi)| hi > lo)
        .unwrap_or((-0.25, 1.0));
    Some((lo.min(-0.25) - 0.5, hi.max(1.0) + 0.5))
}

/// Whether a composite font writes top to bottom (its CMap's `-V` name or `/WMode 1`).
fn vertical_writing(font: &Dict<'_>) -> bool {
    if let Some(name) = font.get::<Name<'_>>(b"Encoding") {
        return name.as_ref().ends_with(b"-V");
    }
    font.get::<Stream<'_>>(b"Encoding")
        .is_none_or(|cmap| cmap.dict().get::<i32>(b"WMode").is_none_or(|m| m != 0))
}

/// The union of a Type 3 font's glyph boxes (`d1`) through its font matrix, widened by a
/// quarter of its height each side; `None` if any glyph has no box.
fn type3_span(font: &Dict<'_>) -> Option<(f64, f64)> {
    let m = numbers::<6>(font.get::<Array<'_>>(b"FontMatrix")?)?;
    let procs = font.get::<Dict<'_>>(b"CharProcs")?;
    if procs.len() > MAX_TYPE3_GLYPHS {
        return None;
    }
    let mut span: Option<(f64, f64)> = None;
    for name in procs.keys() {
        let program = procs
            .get::<Stream<'_>>(name.as_ref())?
            .decoded_data()
            .ok()?;
        let [_, _, x0, y0, x1, y1] = glyph_box(&program)?;
        for (x, y) in [(x0, y0), (x0, y1), (x1, y0), (x1, y1)] {
            let ty = m[1] * x + m[3] * y + m[5];
            span = Some(span.map_or((ty, ty), |(lo, hi)| (lo.min(ty), hi.max(ty))));
        }
    }
    let (lo, hi) = span?;
    let pad = (hi - lo) / 4.0;
    Some((lo - pad, hi + pad))
}

/// The operands of a glyph program's leading `d1` (wx wy llx lly urx ury).
fn glyph_box(program: &[u8]) -> Option<[f64; 6]> {
    let mut lexer = Lexer::new(program);
    let op = lexer.next_op()?.ok()?;
    if op.name != b"d1" || op.operands.len() != 6 {
        return None;
    }
    let mut out = [0.0; 6];
    for (o, v) in out.iter_mut().zip(&op.operands) {
        *o = v.number()?;
    }
    Some(out)
}

fn numbers<const N: usize>(array: Array<'_>) -> Option<[f64; N]> {
    let values: Vec<f64> = array.iter::<f64>().collect();
    values.try_into().ok()
}

/// What `q` saves that culling reads.
#[derive(Clone, Copy)]
struct State {
    ctm: Affine,
    /// The current font's span (`Some(None)`: set, but unknown).
    font: Option<Option<(f64, f64)>>,
    size: f64,
    rise: f64,
    mode: f64,
    leading: f64,
}

/// A text-showing operator that may go: its bytes and what replaces them.
struct Show {
    start: usize,
    end: usize,
    replacement: Vec<u8>,
}

/// `content` with the lines that reach none of `targets` (device pixel boxes x0, y0, x1, y1)
/// left out; `None` when nothing goes or the page must be left alone.
fn cull(
    content: &[u8],
    page: &Page<'_>,
    device: Affine,
    targets: &[[f64; 4]],
    fonts: &mut FontSpans,
) -> Option<Vec<u8>> {
    let resources = page.resources();
    let mut lexer = Lexer::new(content);
    let mut state = State {
        ctm: Affine::IDENTITY,
        font: None,
        size: 0.0,
        rise: 0.0,
        mode: 0.0,
        leading: 0.0,
    };
    let mut saved: Vec<State> = Vec::new();
    let mut in_text = false;
    let mut line_matrix = Affine::IDENTITY;
    // The current line's shows and whether one of them reaches a target; the current text
    // object's lines that go, and whether the object must stay whole (it clips).
    let mut line: Vec<Show> = Vec::new();
    let mut line_stays = false;
    let mut object: Vec<Show> = Vec::new();
    let mut object_stays = false;
    let mut gone: Vec<Show> = Vec::new();
    let mut spans_by_name: HashMap<Vec<u8>, Option<(f64, f64)>> = HashMap::new();

    let end_line = |line: &mut Vec<Show>, stays: &mut bool, object: &mut Vec<Show>| {
        if !*stays {
            object.append(line);
        }
        line.clear();
        *stays = false;
    };

    while let Some(op) = lexer.next_op() {
        let op = op.ok()?;
        let num = |i: usize| op.operands.get(i).and_then(Operand::number);
        let n = op.operands.len();
        match op.name {
            // The lexer takes a whole inline image as `BI`: these are strays.
            b"ID" | b"EI" => return None,
            b"q" => {
                if saved.len() >= MAX_SAVE_DEPTH {
                    return None;
                }
                saved.push(state);
            }
            b"Q" => {
                if let Some(s) = saved.pop() {
                    state = s;
                }
            }
            b"cm" => {
                let m = matrix(&op)?;
                state.ctm *= m;
            }
            b"gs" => {
                let Some(Operand::Name(name)) = op.operands.last() else {
                    return None;
                };
                let gs = resources.ext_g_states.get::<Dict<'_>>(unescape(name))?;
                if gs.contains_key(b"Font") {
                    return None;
                }
            }
            b"BT" => {
                in_text = true;
                line_matrix = Affine::IDENTITY;
                line.clear();
                line_stays = false;
                object.clear();
                object_stays = state.mode >= 4.0;
            }
            b"ET" => {
                end_line(&mut line, &mut line_stays, &mut object);
                if !object_stays {
                    gone.append(&mut object);
                }
                object.clear();
                in_text = false;
            }
            b"Tf" => {
                let (Some(Operand::Name(name)), Some(size)) = (op.operands.first(), num(1)) else {
                    return None;
                };
                // Looked up once per name and page: reading a font's dictionary parses all of
                // it (a Type 3 font's lists every glyph procedure). Once per `Tf`, the LSTM
                // paper's whole extraction took 8% longer.
                let name = unescape(name);
                let span = match spans_by_name.get(&name) {
                    Some(&span) => span,
                    None => {
                        let font = resources.fonts.get::<Dict<'_>>(&name);
                        let span = font.and_then(|f| fonts.of(&f));
                        spans_by_name.insert(name, span);
                        span
                    }
                };
                state.font = Some(span);
                state.size = size;
            }
            b"Ts" => state.rise = num(0)?,
            b"TL" => state.leading = num(0)?,
            b"Tr" => {
                state.mode = num(0)?;
                if state.mode >= 4.0 {
                    object_stays = true;
                }
            }
            b"Td" | b"TD" => {
                end_line(&mut line, &mut line_stays, &mut object);
                let (tx, ty) = (num(0)?, num(1)?);
                if op.name == b"TD" {
                    state.leading = -ty;
                }
                line_matrix *= Affine::translate((tx, ty));
            }
            b"Tm" => {
                end_line(&mut line, &mut line_stays, &mut object);
                line_matrix = matrix(&op)?;
            }
            b"T*" => {
                end_line(&mut line, &mut line_stays, &mut object);
                line_matrix *= Affine::translate((0.0, -state.leading));
            }
            b"Tj" | b"TJ" | b"'" | b"\"" => {
                let replacement = match op.name {
                    b"'" => b" T* ".to_vec(),
                    b"\"" => {
                        // `aw ac string "` also sets word and character spacing.
                        if n != 3 || num(0).is_none() || num(1).is_none() {
                            return None;
                        }
                        let mut r = b" ".to_vec();
                        r.extend_from_slice(&content[op.spans[0].0..op.spans[0].1]);
                        r.extend_from_slice(b" Tw ");
                        r.extend_from_slice(&content[op.spans[1].0..op.spans[1].1]);
                        r.extend_from_slice(b" Tc T* ");
                        r
                    }
                    _ => b" ".to_vec(),
                };
                if matches!(op.name, b"'" | b"\"") {
                    end_line(&mut line, &mut line_stays, &mut object);
                    line_matrix *= Affine::translate((0.0, -state.leading));
                }
                if !in_text {
                    continue;
                }
                if state.mode >= 4.0 {
                    object_stays = true;
                }
                let reaches = match state.font {
                    Some(Some(span)) => reaches(
                        device * state.ctm * line_matrix,
                        (
                            state.size * span.0 + state.rise,
                            state.size * span.1 + state.rise,
                        ),
                        targets,
                    ),
                    _ => true,
                };
                line_stays |= reaches;
                line.push(Show {
                    start: op.start,
                    end: op.end,
                    replacement,
                });
            }
            _ => {}
        }
    }
    // A text object left open at the end keeps all of its lines.
    if gone.is_empty() {
        return None;
    }
    gone.sort_by_key(|s| s.start);

    let mut out = Vec::with_capacity(content.len());
    let mut at = 0;
    for show in &gone {
        out.extend_from_slice(&content[at..show.start]);
        out.extend_from_slice(&show.replacement);
        at = show.end;
    }
    out.extend_from_slice(&content[at..]);
    Some(out)
}

/// Whether a line drawn with `m` (text space to device), covering `(lo, hi)` across its
/// direction and any extent along it, can touch one of `targets`.
fn reaches(m: Affine, (lo, hi): (f64, f64), targets: &[[f64; 4]]) -> bool {
    let [a, b, c, d, e, f] = m.as_coeffs();
    // Along the line (text space x) the device position moves by (a, b).
    let (axis, across, offset) = if b.abs() < 1e-9 {
        (1, d, f)
    } else if a.abs() < 1e-9 {
        (0, c, e)
    } else {
        return true;
    };
    let (p, q) = (across * lo + offset, across * hi + offset);
    let (p, q) = (p.min(q), p.max(q));
    targets.iter().any(|t| q >= t[axis] && p <= t[axis + 2])
}

fn matrix(op: &Op<'_>) -> Option<Affine> {
    if op.operands.len() != 6 {
        return None;
    }
    let mut m = [0.0; 6];
    for (o, v) in m.iter_mut().zip(&op.operands) {
        *o = v.number()?;
    }
    Some(Affine::new(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type3_box_is_read_from_d1() {
        assert_eq!(
            glyph_box(b"65 0 12 1 52 41 d1\nq"),
            Some([65.0, 0.0, 12.0, 1.0, 52.0, 41.0])
        );
        assert_eq!(glyph_box(b"65 0 d0 q"), None);
    }

    #[test]
    fn a_line_reaches_targets_across_its_direction_only() {
        let targets = [[0.0, 100.0, 50.0, 120.0]];
        // Horizontal line at device y 110 (any x) reaches; at y 200 it does not.
        assert!(reaches(
            Affine::translate((900.0, 110.0)),
            (-1.0, 1.0),
            &targets
        ));
        assert!(!reaches(
            Affine::translate((0.0, 200.0)),
            (-1.0, 1.0),
            &targets
        ));
        // A y-flipped line (top-left device space) at 125 spanning 0..10 text units reaches.
        let flipped = Affine::new([1.0, 0.0, 0.0, -1.0, 0.0, 125.0]);
        assert!(reaches(flipped, (0.0, 10.0), &targets));
        // Vertical on the device: compared across x.
        let vertical = Affine::new([0.0, 1.0, -1.0, 0.0, 70.0, 0.0]);
        assert!(!reaches(vertical, (0.0, 10.0), &targets));
        assert!(reaches(vertical, (0.0, 30.0), &targets));
        // Rotated 45 degrees: always kept.
        let r = Affine::rotate(0.785);
        assert!(reaches(
            Affine::translate((0.0, 900.0)) * r,
            (0.0, 1.0),
            &targets
        ));
    }
}
