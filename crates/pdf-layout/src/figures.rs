//! Figure regions proposed from captions and graphics, in the manner of pdffigures2.
//!
//! Each caption proposes a region above and one below itself, as wide as its column (or the text
//! area, for a caption wider than a column), bounded by running text, other captions and the
//! page margins. The graphics and figure text inside a proposal make the figure; a proposal
//! without graphics is dropped. Figure captions sit below their figure in nearly every style, so
//! the region above wins when both hold graphics. Tables (the next step) reuse the same
//! proposals with the opposite preference.

use crate::captions::CaptionKind;
use crate::geom::Rect;
use crate::page::{BlockRole, Graphic, GraphicKind, PageLayout};
use crate::text::Block;
use serde::Serialize;
use std::collections::BTreeMap;

/// A caption chosen for an id, with its text joined into one paragraph.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Caption {
    /// Figure or table.
    pub kind: CaptionKind,
    /// The id as printed.
    pub id: String,
    /// 1-based page.
    pub page: usize,
    /// Index of the caption block in the page's reading order.
    #[serde(skip)]
    pub block: usize,
    /// The caption box.
    pub bbox: Rect,
    /// The caption text, lines joined and end-of-line hyphens removed before lower-case words.
    pub text: String,
}

/// A located figure (or, later, table).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Region {
    /// The caption that named it.
    pub caption: Caption,
    /// The figure box, without the caption.
    pub bbox: Rect,
    /// Indices into the page's `graphics` inside the region.
    pub graphics: Vec<usize>,
}

/// Picks one caption per (kind, id) over the whole document.
///
/// When an id is captioned twice (a list of figures, a caption repeated in an appendix, a
/// sentence that happens to begin "Figure 3."), the candidate with graphics on its usual side
/// wins (right above or level with a figure caption, right below a table caption), then one
/// with graphics on the other side; among equals, one punctuated like most captions of the
/// document, then the first one. An in-text reference that ends a
/// sentence at a line start ("... shown in\nFigure 3.") usually sits just above the figure it
/// names, whose real caption is below it.
pub fn select_captions(pages: &[PageLayout]) -> Vec<Caption> {
    let mut candidates: Vec<(Caption, u8)> = Vec::new();
    for page in pages {
        for (i, b) in page.blocks.iter().enumerate() {
            let (BlockRole::Caption, Some(start)) = (b.role, &b.caption) else {
                continue;
            };
            let bbox = b.block.bbox;
            let near = |g: &&Graphic| {
                !g.is_rule()
                    && g.bbox.x_overlap(&bbox) > 0.0
                    && (bbox.y0 - g.bbox.y1 < 40.0 && g.bbox.y0 - bbox.y1 < 40.0)
            };
            let usual = |g: &&Graphic| match start.kind {
                CaptionKind::Figure => g.bbox.y1 <= bbox.y0 + 2.0 || g.bbox.y_overlap(&bbox) > 0.0,
                CaptionKind::Table => g.bbox.y0 >= bbox.y1 - 2.0,
            };
            let rank = if page.graphics.iter().filter(near).any(|g| usual(&g)) {
                2
            } else if page.graphics.iter().any(|g| near(&g)) {
                1
            } else {
                0
            };
            let (mut bbox, lines) = caption_lines(page, &b.block);
            let mut text = crate::hyphens::join_lines(lines, &crate::hyphens::Vocabulary::empty());
            if let Some(rest) = caption_rest(page, i) {
                text = format!("{} {}", text.trim_end(), rest.1);
                bbox = bbox.union(&rest.0);
            }
            candidates.push((
                Caption {
                    kind: start.kind,
                    id: start.id.clone(),
                    page: page.number,
                    block: i,
                    bbox,
                    text,
                },
                rank,
            ));
        }
    }
    // pdffigures2's consistency filter: a document punctuates its captions one way ("Figure 3:"),
    // so among rivals the one punctuated like most captions of its kind wins a tie.
    let delimiter = |c: &Caption| {
        let after = c
            .text
            .find(c.id.as_str())
            .map_or("", |i| &c.text[i + c.id.len()..]);
        after.trim_start().chars().next()
    };
    let usual_delimiter = |kind: CaptionKind| {
        let mut counts = BTreeMap::<Option<char>, usize>::new();
        for (c, _) in candidates.iter().filter(|(c, _)| c.kind == kind) {
            *counts.entry(delimiter(c)).or_default() += 1;
        }
        counts.into_iter().max_by_key(|(_, n)| *n).map(|(d, _)| d)
    };
    let usual = [CaptionKind::Figure, CaptionKind::Table].map(usual_delimiter);
    let styled = |c: &Caption| {
        let i = usize::from(c.kind == CaptionKind::Table);
        usual[i] == Some(delimiter(c))
    };
    let mut chosen: Vec<Caption> = Vec::new();
    for (cap, _) in &candidates {
        if chosen.iter().any(|c| c.kind == cap.kind && c.id == cap.id) {
            continue;
        }
        // The first candidate of the highest rank (max_by_key keeps the last of equals).
        let best = candidates
            .iter()
            .filter(|(c, _)| c.kind == cap.kind && c.id == cap.id)
            .rev()
            .max_by_key(|(c, rank)| (*rank, styled(c)))
            .map(|(c, _)| c);
        if best == Some(cap) {
            chosen.push(cap.clone());
        }
    }
    chosen
}

/// The caption's box and line texts. A caption beside a wrapped paragraph may share its lines
/// with it when the gap between them is narrow (QLoRA's Figure 2, set right of running text on
/// a one-column page): the block then reaches far left of the caption's first line, and only
/// the words from that line's left edge rightwards are the caption's.
fn caption_lines(page: &PageLayout, block: &Block) -> (Rect, Vec<String>) {
    let all = || block.lines.iter().map(|l| l.text()).collect();
    let Some(first) = block.lines.first() else {
        return (block.bbox, Vec::new());
    };
    let left = first.bbox.x0 - 2.0;
    if first.bbox.x0 - block.bbox.x0 < 0.2 * page.width {
        return (block.bbox, all());
    }
    let mut bbox: Option<Rect> = None;
    let mut lines = Vec::new();
    for line in &block.lines {
        let words: Vec<&crate::text::Word> =
            line.words.iter().filter(|w| w.bbox.x0 >= left).collect();
        if words.is_empty() {
            continue;
        }
        for w in &words {
            bbox = Some(bbox.map_or(w.bbox, |b| b.union(&w.bbox)));
        }
        let texts: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
        lines.push(texts.join(" "));
    }
    (bbox.unwrap_or(block.bbox), lines)
}

/// The rest of a caption whose label stands alone in its block: a justified first line spreads
/// "Figure 1:" so far from its first word that the label becomes a block of its own, and the
/// caption text a paragraph that starts level with it, on its right (MobileNetV2's Figure 1).
/// Returns that paragraph's box and text.
fn caption_rest(page: &PageLayout, block: usize) -> Option<(Rect, String)> {
    let b = &page.blocks[block];
    let label = &b.block;
    // The label and id only ("Figure 1:", "Fig. 1."), not a short caption ("Figure 2: Loss.")
    // that happens to sit level with running text.
    let alone = label.lines.len() == 1 && label.lines[0].words.len() <= 2 && {
        let t = label.text();
        let t = t.trim_end();
        t.ends_with(':') || t.ends_with('.') || t.chars().last().is_some_and(char::is_numeric)
    };
    if !alone {
        return None;
    }
    let line = &label.lines[0].bbox;
    page.blocks.iter().enumerate().find_map(|(j, other)| {
        let first = other.block.lines.first()?;
        let level = first.bbox.y_overlap(line) > 0.5 * line.height().min(first.bbox.height());
        let right = first.bbox.x0 >= line.x1 - 1.0 && first.bbox.x0 - line.x1 < 0.15 * page.width;
        (j != block && other.role != BlockRole::Caption && level && right).then(|| {
            let text = crate::hyphens::join_lines(
                other.block.lines.iter().map(|l| l.text()),
                &crate::hyphens::Vocabulary::empty(),
            );
            (other.block.bbox, text)
        })
    })
}

/// How close drawing must come above and below a line of text for the line to sit inside a
/// figure: the space a figure leaves between a row of panels and its labels, well under the
/// space LaTeX leaves between a float and running text (12-20 pt).
const SANDWICH_GAP: f64 = 10.0;

/// A line or two of text with drawing right above and right below it, over its width: a label
/// row between two rows of panels (stacked attention maps), not running text, however long.
/// Running text next to a figure is separated from it by the float's skip.
fn sandwiched(page: &PageLayout, b: &Block) -> bool {
    if b.lines.len() > 2 {
        return false;
    }
    let r = &b.bbox;
    let solid = |g: &&Graphic| !g.is_rule() && g.kind != GraphicKind::RotatedText;
    let near = |above: bool| {
        page.graphics.iter().filter(solid).any(|g| {
            let gap = if above {
                r.y0 - g.bbox.y1
            } else {
                g.bbox.y0 - r.y1
            };
            (-1.0..SANDWICH_GAP).contains(&gap) && g.bbox.x_overlap(r) > 0.0
        })
    };
    near(true) && near(false)
}

/// Whether a block's text starts with a sub-caption marker: "(a)", "(b)", ... "(iv)".
fn subcaption(text: &str) -> bool {
    let t = text.trim_start();
    let Some(rest) = t.strip_prefix('(') else {
        return false;
    };
    let Some(end) = rest.find(')') else {
        return false;
    };
    let inner = &rest[..end];
    let after = &rest[end + 1..];
    let marker = (inner.len() == 1 && inner.chars().all(|c| c.is_ascii_lowercase()))
        || (!inner.is_empty() && inner.len() <= 4 && inner.chars().all(|c| "ivx".contains(c)));
    marker && (after.is_empty() || after.starts_with(' '))
}

/// A row of sub-captions set as a paragraph ("(a) Impact of non-linearity in (b) Impact of
/// variations in"): a short block whose text starts with a marker. It labels the panels above
/// it and bounds nothing.
fn subcaption_row(b: &Block) -> bool {
    b.lines.len() <= 3 && subcaption(&b.text())
}

/// Where a figure is looked for relative to its caption.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// Between the caption and whatever is above it.
    Above,
    /// Between the caption and whatever is below it.
    Below,
}

/// Locates the region of every caption of `kind`, trying `prefer` first.
///
/// No two figures share a region: when the regions of two captions of a page overlap (by half
/// the smaller one), the caption nearer the region keeps it and the other takes the proposal
/// on its other side, when that one holds graphics and overlaps no region kept; otherwise it
/// gets no region (captions set above their figures, as Xception's, would each take the figure
/// above them, which belongs to the caption above that figure).
pub fn locate(
    pages: &[PageLayout],
    captions: &[Caption],
    kind: CaptionKind,
    prefer: Side,
) -> Vec<Region> {
    let other = match prefer {
        Side::Above => Side::Below,
        Side::Below => Side::Above,
    };
    // (caption, chosen proposal, the other vertical proposal)
    let mut found: Vec<(&Caption, Proposal, Option<Proposal>)> = captions
        .iter()
        .filter(|c| c.kind == kind)
        .filter_map(|cap| {
            let page = pages.iter().find(|p| p.number == cap.page)?;
            let first = propose(page, cap, prefer);
            let second = propose(page, cap, other);
            // The usual side wins unless the other one holds clearly more graphics (captions
            // set above their figure, as in magazine layouts).
            let (vertical, spare) = match (first, second) {
                (Some(a), Some(b)) => {
                    if b.score > 2.0 * a.score {
                        (Some(b), Some(a))
                    } else {
                        (Some(a), Some(b))
                    }
                }
                (a, b) => (a.or(b), None),
            };
            // A caption beside its figure (sidecap, floatrow's \capbeside) leaves above and
            // below only the parts of the figure that stick out past the caption: the side
            // proposal, which holds the whole figure, wins when it holds more.
            let beside = [true, false]
                .into_iter()
                .filter_map(|left| propose_beside(page, cap, left))
                .max_by(|a, b| a.score.total_cmp(&b.score));
            match (vertical, beside) {
                (Some(v), Some(s)) if s.score > 1.1 * v.score => Some((cap, s, None)),
                (Some(v), _) => Some((cap, v, spare)),
                (None, s) => s.map(|s| (cap, s, None)),
            }
        })
        .collect();
    let shared = |a: &Rect, b: &Rect| {
        a.intersect(b)
            .is_some_and(|r| r.area() >= 0.5 * a.area().min(b.area()))
    };
    let gap = |cap: &Rect, r: &Rect| {
        let dx = (r.x0 - cap.x1).max(cap.x0 - r.x1).max(0.0);
        let dy = (r.y0 - cap.y1).max(cap.y0 - r.y1).max(0.0);
        dx.max(dy)
    };
    let mut dropped = vec![false; found.len()];
    // Each pass settles one conflict; a caption moves at most once, so this ends.
    loop {
        let conflict = (0..found.len()).find_map(|i| {
            (i + 1..found.len()).find_map(|j| {
                let (a, b) = (&found[i], &found[j]);
                (!dropped[i] && !dropped[j] && a.0.page == b.0.page && shared(&a.1.bbox, &b.1.bbox))
                    .then_some((i, j))
            })
        });
        let Some((i, j)) = conflict else { break };
        let loser =
            if gap(&found[i].0.bbox, &found[i].1.bbox) <= gap(&found[j].0.bbox, &found[j].1.bbox) {
                j
            } else {
                i
            };
        let spare = found[loser].2.take().filter(|alt| {
            !found.iter().enumerate().any(|(k, f)| {
                k != loser
                    && !dropped[k]
                    && f.0.page == found[loser].0.page
                    && shared(&f.1.bbox, &alt.bbox)
            })
        });
        match spare {
            Some(alt) => found[loser].1 = alt,
            None => dropped[loser] = true,
        }
    }
    found
        .into_iter()
        .zip(dropped)
        .filter(|(_, d)| !d)
        .map(|((cap, best, _), _)| Region {
            caption: cap.clone(),
            bbox: best.bbox,
            graphics: best.graphics,
        })
        .collect()
}

struct Proposal {
    bbox: Rect,
    graphics: Vec<usize>,
    /// Area covered by solid graphics: how much figure the proposal holds.
    score: f64,
}

/// The box of the page's running text and captions (the whole page when it has none).
fn text_area(page: &PageLayout) -> Rect {
    let body = page
        .blocks
        .iter()
        .filter(|b| matches!(b.role, BlockRole::Body | BlockRole::Caption))
        .map(|b| &b.block.bbox);
    Rect::union_all(body).unwrap_or(Rect::new(0.0, 0.0, page.width, page.height))
}

/// The column holding the caption (the text area on one-column pages, or for a caption across
/// both columns).
fn caption_column(page: &PageLayout, cap: &Caption) -> (f64, f64) {
    let area = text_area(page);
    let mid = (area.x0 + area.x1) / 2.0;
    let slack = 0.02 * page.width;
    if !page.two_columns {
        (area.x0, area.x1)
    } else if cap.bbox.x1 <= mid + slack {
        (area.x0, mid)
    } else if cap.bbox.x0 >= mid - slack {
        (mid, area.x1)
    } else {
        (area.x0, area.x1)
    }
}

/// The horizontal extent the caption's figure may occupy.
fn column_span(page: &PageLayout, cap: &Caption) -> (f64, f64) {
    let (mut x0, mut x1) = caption_column(page, cap);
    // Captions side by side (subfigure-style minipages) split the width between them, and
    // running text beside a caption (a wrapped figure) bounds it.
    for b in &page.blocks {
        let r = &b.block.bbox;
        let level = r.y_overlap(&cap.bbox) > 0.0;
        // Running text wrapped around a figure sits beside the figure, just above its caption.
        let wrapped =
            b.role == BlockRole::Body && r.y1 <= cap.bbox.y0 && r.y0 > cap.bbox.y0 - 250.0;
        let beside = match b.role {
            BlockRole::Caption => level,
            BlockRole::Body => level || wrapped,
            _ => false,
        };
        if !beside || *r == cap.bbox {
            continue;
        }
        if r.x0 >= cap.bbox.x1 {
            x1 = x1.min((cap.bbox.x1 + r.x0) / 2.0);
        } else if r.x1 <= cap.bbox.x0 {
            x0 = x0.max((r.x1 + cap.bbox.x0) / 2.0);
        }
    }
    (x0, x1)
}

/// One proposal: the content box and the graphics in it, or `None` when it holds no graphics.
fn propose(page: &PageLayout, cap: &Caption, side: Side) -> Option<Proposal> {
    let (x0, x1) = column_span(page, cap);
    let span = Rect::new(x0, 0.0, x1, page.height);
    let barrier = |r: &Rect| span.x_overlap(r) > 0.25 * r.width().min(span.width());
    // Wide text that crosses the span's edges (a title or author block over both columns)
    // cannot belong to a figure inside the span, whatever its role.
    let crosses = |r: &Rect| {
        r.width() > 0.5 * span.width() && r.width() - span.x_overlap(r) > 0.2 * r.width()
    };
    let barriers = page.blocks.iter().enumerate().filter(|(i, b)| {
        *i != cap.block
            && (matches!(
                b.role,
                BlockRole::Body | BlockRole::Caption | BlockRole::Margin
            ) || crosses(&b.block.bbox))
            && !(matches!(b.role, BlockRole::Body | BlockRole::Margin) && subcaption_row(&b.block))
            && !(b.role == BlockRole::Body && sandwiched(page, &b.block))
            && barrier(&b.block.bbox)
    });
    let (top, bottom) = match side {
        Side::Above => {
            let top = barriers
                .filter(|(_, b)| b.block.bbox.y1 <= cap.bbox.y0 + 1.0)
                .map(|(_, b)| b.block.bbox.y1)
                .fold(0.0, f64::max);
            (top, cap.bbox.y0)
        }
        Side::Below => {
            let bottom = barriers
                .filter(|(_, b)| b.block.bbox.y0 >= cap.bbox.y1 - 1.0)
                .map(|(_, b)| b.block.bbox.y0)
                .fold(page.height, f64::min);
            (cap.bbox.y1, bottom)
        }
    };
    if bottom - top < 5.0 {
        return None;
    }
    let region = Rect::new(x0, top, x1, bottom);
    let page_area = page.width * page.height;
    let inside = |r: &Rect| {
        let (cx, cy) = r.center();
        region.contains_point(cx, cy)
    };
    let graphics: Vec<usize> = page
        .graphics
        .iter()
        .enumerate()
        .filter(|(_, g)| inside(&g.bbox) && g.bbox.area() < 0.6 * page_area)
        .map(|(i, _)| i)
        .collect();
    // A full sentence between running text and the figure is running text too short to be
    // recognised as such; it attaches to the figure only when it lies over the graphics.
    let sentence = |b: &Block| {
        let words: usize = b.lines.iter().map(|l| l.words.len()).sum();
        words >= 6 && b.text().trim_end().ends_with('.')
    };
    let is_label = |b: &&crate::page::PlacedBlock| {
        // A row of sub-captions may be read as running text, or as a running head when the
        // figure tops the page; no running text or head starts with "(a)".
        (b.role == BlockRole::Other
            || matches!(b.role, BlockRole::Body | BlockRole::Margin) && subcaption_row(&b.block))
            && inside(&b.block.bbox)
    };
    let labelling: Vec<&crate::page::PlacedBlock> = page
        .blocks
        .iter()
        .filter(is_label)
        .filter(|b| {
            subcaption_row(&b.block)
                || !sentence(&b.block)
                || graphics.iter().any(|&i| {
                    let g = &page.graphics[i];
                    !g.is_rule() && g.bbox.intersect(&b.block.bbox).is_some()
                })
        })
        .collect();
    let labels: Vec<&Rect> = labelling.iter().map(|b| &b.block.bbox).collect();
    // Sub-captions ("(a) Residual block") may sit above their panels, further from them than
    // a tick label: they belong to the figure wherever they are in its region.
    let marked: Vec<&Rect> = labelling
        .iter()
        .filter(|b| subcaption(&b.block.text()))
        .map(|b| &b.block.bbox)
        .collect();
    let solid = graphics.iter().any(|&i| {
        let g = &page.graphics[i];
        !g.is_rule() && g.kind != GraphicKind::RotatedText
    });
    // Diagrams drawn from thin bars only (dvips output draws lines as scaled 1x1 stencils)
    // still count when they carry labels.
    let rules = graphics
        .iter()
        .filter(|&&i| page.graphics[i].is_rule())
        .count();
    let labelled_rules = rules >= 4 && !labels.is_empty();
    if !solid && !labelled_rules {
        return None;
    }
    // The figure grows from its solid graphics by what touches them: tick labels, legends,
    // sub-captions, axis lines. A sentence or equation between running text and the figure, or
    // a header rule, is not attached and stays out.
    let is_solid = |g: &Graphic| !g.is_rule() && g.kind != GraphicKind::RotatedText;
    // What attaches, and from how far: rotated axis titles sit further from the tick labels
    // than tick labels from the axis.
    let mut attachable: Vec<(Rect, f64)> = labels.iter().map(|r| (**r, 6.0)).collect();
    attachable.extend(
        page.blocks
            .iter()
            .filter(|b| {
                b.role == BlockRole::Body && inside(&b.block.bbox) && sandwiched(page, &b.block)
            })
            .map(|b| (b.block.bbox, SANDWICH_GAP)),
    );
    let mut solids = Vec::new();
    for &i in &graphics {
        let g = &page.graphics[i];
        if is_solid(g) {
            solids.push(g.bbox)
        } else if g.kind == GraphicKind::RotatedText {
            attachable.push((g.bbox, 16.0))
        } else {
            attachable.push((g.bbox, 6.0))
        }
    }
    let mut core =
        Rect::union_all(&solids).or_else(|| Rect::union_all(attachable.iter().map(|(r, _)| r)))?;
    loop {
        let mut grown = attachable
            .iter()
            .filter(|(r, reach)| r.intersect(&core.inflate(*reach)).is_some())
            .fold(core, |acc, (r, _)| acc.union(r));
        for l in &marked {
            if l.y1 <= core.y0 + 1.0 && l.x0 >= core.x0 - 6.0 && l.x1 <= core.x1 + 6.0 {
                grown = grown.union(l);
            }
        }
        // Sub-captions ("(a) Training loss") sit between the panels and the caption, often
        // further from the panels than a tick label.
        if side == Side::Above {
            for l in &labels {
                if l.y0 >= core.y1 - 1.0
                    && l.y1 <= cap.bbox.y0 + 1.0
                    && l.x0 >= core.x0 - 6.0
                    && l.x1 <= core.x1 + 6.0
                {
                    grown = grown.union(l);
                }
            }
        }
        if grown == core {
            break;
        }
        core = grown;
    }
    let graphics: Vec<usize> = graphics
        .into_iter()
        .filter(|&i| page.graphics[i].bbox.intersect(&core).is_some())
        .collect();
    let page_rect = Rect::new(0.0, 0.0, page.width, page.height);
    let bbox = core.intersect(&page_rect)?;
    let score = graphics
        .iter()
        .map(|&i| &page.graphics[i])
        .filter(|g| !g.is_rule())
        .filter_map(|g| g.bbox.intersect(&region))
        .map(|r| r.area())
        .sum::<f64>()
        + labels.iter().map(|l| l.area()).sum::<f64>();
    Some(Proposal {
        bbox,
        graphics,
        score,
    })
}

/// The proposal beside a caption, on its left or right: graphics level with the caption and
/// what touches them, between the caption and the edge of its column (pdffigures2's left and
/// right proposals). `None` when running text sits level with the caption on that side (a
/// caption beside a wrapped paragraph) or no solid graphic is level with it.
fn propose_beside(page: &PageLayout, cap: &Caption, left: bool) -> Option<Proposal> {
    // Side-by-side floats can make a one-column page look like two columns (a caption in each
    // half); paragraphs running across the middle say it is not.
    let area = text_area(page);
    let mid = (area.x0 + area.x1) / 2.0;
    let across = page.blocks.iter().any(|b| {
        b.role == BlockRole::Body
            && b.block.lines.len() >= 3
            && b.block.bbox.x0 < mid - 0.1 * area.width()
            && b.block.bbox.x1 > mid + 0.1 * area.width()
    });
    let (col0, col1) = if across {
        (area.x0, area.x1)
    } else {
        caption_column(page, cap)
    };
    // Figures beside a caption often reach a little past the text block.
    let reach = 0.04 * page.width;
    let (x0, x1) = if left {
        ((col0 - reach).max(0.0), cap.bbox.x0)
    } else {
        (cap.bbox.x1, (col1 + reach).min(page.width))
    };
    if x1 - x0 < 36.0 {
        return None;
    }
    let side = Rect::new(x0, 0.0, x1, page.height);
    let others = page.blocks.iter().enumerate().filter(|(i, b)| {
        *i != cap.block
            && matches!(
                b.role,
                BlockRole::Body | BlockRole::Caption | BlockRole::Margin
            )
            && side.x_overlap(&b.block.bbox) > 1.0
    });
    let mut top: f64 = 0.0;
    let mut bottom = page.height;
    for (_, b) in others {
        let r = &b.block.bbox;
        if r.y_overlap(&cap.bbox) > 1.0 {
            return None;
        }
        if r.y1 <= cap.bbox.y0 {
            top = top.max(r.y1);
        } else if r.y0 >= cap.bbox.y1 {
            bottom = bottom.min(r.y0);
        }
    }
    let region = Rect::new(x0, top, x1, bottom);
    let page_area = page.width * page.height;
    let inside = |r: &Rect| {
        let (cx, cy) = r.center();
        region.contains_point(cx, cy)
    };
    let is_solid = |g: &Graphic| !g.is_rule() && g.kind != GraphicKind::RotatedText;
    let candidates: Vec<usize> = page
        .graphics
        .iter()
        .enumerate()
        .filter(|(_, g)| inside(&g.bbox) && g.bbox.area() < 0.6 * page_area)
        .map(|(i, _)| i)
        .collect();
    let seeds: Vec<Rect> = candidates
        .iter()
        .map(|&i| &page.graphics[i])
        .filter(|g| is_solid(g) && g.bbox.y_overlap(&cap.bbox) > 0.0)
        .map(|g| g.bbox)
        .collect();
    let mut core = Rect::union_all(&seeds)?;
    let labels: Vec<Rect> = page
        .blocks
        .iter()
        .filter(|b| b.role == BlockRole::Other && inside(&b.block.bbox))
        .map(|b| b.block.bbox)
        .collect();
    let attachable: Vec<Rect> = candidates
        .iter()
        .map(|&i| page.graphics[i].bbox)
        .chain(labels.iter().copied())
        .collect();
    loop {
        let grown = attachable
            .iter()
            .filter(|r| r.intersect(&core.inflate(6.0)).is_some())
            .fold(core, |acc, r| acc.union(r));
        if grown == core {
            break;
        }
        core = grown;
    }
    let graphics: Vec<usize> = candidates
        .into_iter()
        .filter(|&i| page.graphics[i].bbox.intersect(&core).is_some())
        .collect();
    let score = graphics
        .iter()
        .map(|&i| &page.graphics[i])
        .filter(|g| is_solid(g))
        .map(|g| g.bbox.area())
        .sum::<f64>()
        + labels
            .iter()
            .filter(|l| l.intersect(&core).is_some())
            .map(|l| l.area())
            .sum::<f64>();
    let bbox = core.intersect(&Rect::new(0.0, 0.0, page.width, page.height))?;
    Some(Proposal {
        bbox,
        graphics,
        score,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::{Graphic, PageInput, analyze_page};
    use crate::text::tests::glyphs_at;

    fn page_with(graphics: Vec<Graphic>, texts: &[(&str, f64, f64, f64)]) -> PageLayout {
        let glyphs = texts
            .iter()
            .flat_map(|(t, x, y, s)| glyphs_at(t, *x, *y, *s))
            .collect();
        analyze_page(
            1,
            &PageInput {
                width: 612.0,
                height: 792.0,
                glyphs,
                graphics,
            },
            10.0,
        )
    }

    const BODY: &str = "This is running body text that fills the whole column width nicely";

    #[test]
    fn figure_above_caption_is_bounded_by_body_text() {
        let plot = Graphic {
            bbox: Rect::new(100.0, 200.0, 400.0, 380.0),
            kind: GraphicKind::Path,
        };
        let page = page_with(
            vec![plot],
            &[
                (BODY, 72.0, 150.0, 10.0),
                (BODY, 72.0, 162.0, 10.0),
                ("axis label", 200.0, 390.0, 8.0),
                ("Figure 2: A plot of things.", 150.0, 420.0, 9.0),
                (BODY, 72.0, 460.0, 10.0),
                (BODY, 72.0, 472.0, 10.0),
            ],
        );
        let caps = select_captions(std::slice::from_ref(&page));
        assert_eq!(caps.len(), 1);
        assert_eq!(caps[0].id, "2");
        assert_eq!(caps[0].text, "Figure 2: A plot of things.");
        let regions = locate(&[page], &caps, CaptionKind::Figure, Side::Above);
        assert_eq!(regions.len(), 1);
        let b = regions[0].bbox;
        assert_eq!((b.x0, b.y0, b.x1), (100.0, 200.0, 400.0));
        // The axis label under the plot belongs to the figure.
        assert!(b.y1 > 390.0 && b.y1 < 420.0 - 5.0, "{b:?}");
    }

    #[test]
    fn caption_without_graphics_yields_no_figure() {
        let page = page_with(vec![], &[("Figure 1: Nothing here.", 72.0, 300.0, 9.0)]);
        let caps = select_captions(std::slice::from_ref(&page));
        assert!(locate(&[page], &caps, CaptionKind::Figure, Side::Above).is_empty());
    }

    const WIDE: &str =
        "This is running body text that fills the whole text width of a one column page nicely ok";

    #[test]
    fn caption_left_of_its_figure_takes_the_figure_on_its_right() {
        // sidecap / floatrow \capbeside: the caption is vertically centred beside the drawing.
        let plot = Graphic {
            bbox: Rect::new(250.0, 200.0, 500.0, 340.0),
            kind: GraphicKind::Path,
        };
        let page = page_with(
            vec![plot],
            &[
                (WIDE, 72.0, 100.0, 10.0),
                (WIDE, 72.0, 112.0, 10.0),
                ("Figure 4: A side caption.", 80.0, 265.0, 9.0),
                ("set beside it.", 80.0, 276.0, 9.0),
                (WIDE, 72.0, 400.0, 10.0),
                (WIDE, 72.0, 412.0, 10.0),
            ],
        );
        let caps = select_captions(std::slice::from_ref(&page));
        let regions = locate(&[page], &caps, CaptionKind::Figure, Side::Above);
        assert_eq!(regions.len(), 1);
        assert_eq!(regions[0].bbox, plot.bbox);
    }

    #[test]
    fn caption_beside_running_text_keeps_the_figure_above_it() {
        // A wrapped figure: running text on the left, level with the caption; the side proposal
        // is not made, and the figure above the caption is found.
        let plot = Graphic {
            bbox: Rect::new(340.0, 200.0, 410.0, 280.0),
            kind: GraphicKind::Path,
        };
        let left = "running text wrapped on the left side of the figure";
        let mut texts: Vec<(&str, f64, f64, f64)> = (0..10)
            .map(|i| (left, 72.0, 190.0 + 12.0 * i as f64, 10.0))
            .collect();
        texts.push(("Figure 5: Wrapped.", 340.0, 305.0, 9.0));
        let page = page_with(vec![plot], &texts);
        let caps = select_captions(std::slice::from_ref(&page));
        let regions = locate(&[page], &caps, CaptionKind::Figure, Side::Above);
        assert_eq!(regions.len(), 1);
        assert_eq!(regions[0].bbox, plot.bbox);
    }

    #[test]
    fn a_reference_above_the_figure_loses_to_the_caption_below_it() {
        // "... as shown in" / "Figure 3." starts a line just above the figure; the caption
        // proper sits below it.
        let plot = Graphic {
            bbox: Rect::new(100.0, 220.0, 400.0, 380.0),
            kind: GraphicKind::Path,
        };
        let page = page_with(
            vec![plot],
            &[
                (BODY, 72.0, 180.0, 10.0),
                ("Figure 3.", 72.0, 200.0, 10.0),
                ("Figure 3: The caption proper.", 150.0, 400.0, 9.0),
            ],
        );
        let caps = select_captions(std::slice::from_ref(&page));
        assert_eq!(caps.len(), 1);
        assert_eq!(caps[0].text, "Figure 3: The caption proper.");
    }
    #[test]
    fn a_caption_sharing_lines_with_running_text_keeps_only_its_words() {
        // QLoRA p.6 (papers-fresh): a plot and its caption at the right of running text on a
        // one-column page, 7 pt from it. The caption's first line is alone (the text has a
        // paragraph break there); its next lines share baselines with the text and are read as
        // one line with it. Built glyph by glyph: LaTeX's wrapfig sets a wider gap.
        let plot = Graphic {
            bbox: Rect::new(330.0, 190.0, 500.0, 300.0),
            kind: GraphicKind::Path,
        };
        // 40 characters of 5 pt and 4 spaces of 2.5 pt: x 72 to 272, 7 pt left of the caption.
        let left = "running text wrapped on the left side of the figure";
        let left = &left[..44];
        let mut texts: Vec<(&str, f64, f64, f64)> = (0..12)
            .map(|i| (left, 72.0, 180.0 + 12.0 * i as f64, 10.0))
            .collect();
        texts.extend((0..4).map(|i| (left, 72.0, 336.0 + 12.0 * i as f64, 10.0)));
        texts.push(("Figure 2: RougeL for small models on", 279.0, 324.0, 10.0));
        texts.push(("the toy data set. Each point is", 279.0, 336.0, 10.0));
        texts.push(("a run with another seed.", 279.0, 348.0, 10.0));
        let page = page_with(vec![plot], &texts);
        let caps = select_captions(std::slice::from_ref(&page));
        assert_eq!(caps.len(), 1, "{caps:?}");
        assert_eq!(
            caps[0].text,
            "Figure 2: RougeL for small models on the toy data set. Each point is a run with \
             another seed."
        );
        assert!(caps[0].bbox.x0 >= 278.0, "{:?}", caps[0].bbox);
        let regions = locate(&[page], &caps, CaptionKind::Figure, Side::Above);
        assert_eq!(regions.len(), 1);
        assert_eq!(regions[0].bbox, plot.bbox);
    }

    #[test]
    fn a_label_alone_joins_its_text_but_a_short_caption_keeps_its_own() {
        // MobileNetV2's Figure 1: a justified first line sets "Figure 1:" 20 pt from its text,
        // and the label becomes a block of its own.
        let plot = Graphic {
            bbox: Rect::new(72.0, 100.0, 290.0, 200.0),
            kind: GraphicKind::Path,
        };
        let page = page_with(
            vec![plot],
            &[
                ("Figure 1:", 72.0, 220.0, 10.0),
                ("Examples of transformations", 130.0, 220.0, 10.0),
                ("of manifolds in higher spaces.", 72.0, 232.0, 10.0),
            ],
        );
        let caps = select_captions(std::slice::from_ref(&page));
        assert_eq!(caps.len(), 1);
        assert_eq!(
            caps[0].text,
            "Figure 1: Examples of transformations of manifolds in higher spaces."
        );
        // A short caption of a figure wrapped left of running text stays as it is.
        let page = page_with(
            vec![plot],
            &[
                ("Figure 2: Loss.", 72.0, 220.0, 10.0),
                (
                    "running text on the right of the figure",
                    200.0,
                    220.0,
                    10.0,
                ),
                (
                    "running text on the right of the figure",
                    200.0,
                    232.0,
                    10.0,
                ),
            ],
        );
        let caps = select_captions(std::slice::from_ref(&page));
        assert_eq!(caps.len(), 1);
        assert_eq!(caps[0].text, "Figure 2: Loss.");
    }

    #[test]
    fn among_equal_rivals_the_usual_punctuation_wins() {
        // No graphics near either "Figure 3" line: the one punctuated like the document's other
        // captions (a colon) is the caption; "Figure 3." ends a sentence.
        let page = page_with(
            vec![],
            &[
                ("Figure 3.", 72.0, 100.0, 10.0),
                ("Figure 3: The caption proper.", 150.0, 400.0, 9.0),
                ("Figure 4: Another caption.", 150.0, 600.0, 9.0),
            ],
        );
        let caps = select_captions(std::slice::from_ref(&page));
        let texts: Vec<&str> = caps.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Figure 3: The caption proper.",
                "Figure 4: Another caption."
            ]
        );
    }
}
