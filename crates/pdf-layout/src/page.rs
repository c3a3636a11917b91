//! One page: glyphs and graphics in, blocks in reading order and graphics out.

use crate::captions::{CaptionStart, caption_start};
use crate::geom::Rect;
use crate::text::{Block, Glyph, Line, Word, blocks_from_lines, lines_from_glyphs};
use serde::Serialize;

/// What drew a graphic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GraphicKind {
    /// A filled or stroked vector path.
    Path,
    /// A raster image (not a stencil mask).
    Image,
    /// A stencil mask image; 1x1 stencils scaled into bars are rules, not pictures.
    Stencil,
    /// Glyphs not set upright, such as rotated axis labels: figure content, not body text.
    RotatedText,
}

/// A painted area.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Graphic {
    /// Where it was painted, clipped to the page and the clip path's box.
    pub bbox: Rect,
    /// What painted it.
    pub kind: GraphicKind,
}

impl Graphic {
    /// Thin lines (table rules, underlines, fraction bars, frame edges) do not make a figure.
    pub fn is_rule(&self) -> bool {
        self.bbox.width() < 2.0 || self.bbox.height() < 2.0
    }
}

/// What the engine hands over for one page.
#[derive(Clone, Debug, Default)]
pub struct PageInput {
    /// Page width in points (after rotation).
    pub width: f64,
    /// Page height in points (after rotation).
    pub height: f64,
    /// Glyphs in content-stream order.
    pub glyphs: Vec<Glyph>,
    /// Graphics in content-stream order.
    pub graphics: Vec<Graphic>,
}

/// The role of a block, decided by [`classify_blocks`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockRole {
    /// Running text: paragraphs and headings.
    Body,
    /// A figure or table caption (starts with a caption label).
    Caption,
    /// Running header, footer or page number.
    Margin,
    /// Text that belongs to a graphic: labels, legends, table cells, equations.
    Other,
}

/// A block with its role.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PlacedBlock {
    /// The block.
    #[serde(flatten)]
    pub block: Block,
    /// Its role.
    pub role: BlockRole,
    /// The caption label when `role` is `Caption`.
    #[serde(skip)]
    pub caption: Option<CaptionStart>,
}

/// A page after layout analysis.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PageLayout {
    /// 1-based page number.
    pub number: usize,
    /// Width in points.
    pub width: f64,
    /// Height in points.
    pub height: f64,
    /// Blocks in reading order.
    pub blocks: Vec<PlacedBlock>,
    /// Graphics, the arXiv side stamp removed.
    pub graphics: Vec<Graphic>,
    /// Whether the page was read as two columns.
    pub two_columns: bool,
}

impl PageLayout {
    /// The page text in reading order, one block per paragraph.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for b in &self.blocks {
            out.push_str(&b.block.text());
            out.push_str("\n\n");
        }
        out
    }
}

/// Runs layout analysis on one page. `body_size` is the document's most common font size
/// (see [`body_font_size`]); pass 0 to use this page's own.
pub fn analyze_page(number: usize, input: &PageInput, body_size: f64) -> PageLayout {
    let (width, height) = (input.width, input.height);
    let mut graphics: Vec<Graphic> = Vec::new();
    for g in input.glyphs.iter().filter(|g| !g.upright) {
        // The arXiv identifier runs up the left margin; other rotated text is figure content.
        let (cx, _) = g.bbox.center();
        if cx < 0.1 * width || cx > 0.93 * width {
            continue;
        }
        graphics.push(Graphic {
            bbox: g.bbox,
            kind: GraphicKind::RotatedText,
        });
    }
    graphics.extend(input.graphics.iter().copied());
    let lines = split_at_captions(lines_from_glyphs(&input.glyphs));
    let blocks = blocks_from_lines(lines, &|l| caption_start(&l.text()).is_some());
    let body_size = if body_size > 0.0 {
        body_size
    } else {
        body_font_size(std::slice::from_ref(input))
    };
    let mut placed = classify_blocks(blocks, &graphics, width, height, body_size);
    mark_page_number(&mut placed, number);
    let (blocks, two_columns) = reading_order(placed, width);
    PageLayout {
        number,
        width,
        height,
        blocks,
        graphics,
        two_columns,
    }
}

/// Splits a line where a caption starts after a wide gap: a caption set beside running text
/// (a wrapped figure) shares baselines with it.
/// The words joined by spaces, up to the first 256 bytes or so: a caption start is a label,
/// a short id and what follows it, so a longer line (issue 20: one line of 1 M glyphs) need
/// not be joined whole for every word it has.
fn text_from(words: &[Word]) -> String {
    let mut text = String::new();
    for w in words {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(&w.text);
        if text.len() >= 256 {
            break;
        }
    }
    text
}

fn split_at_captions(lines: Vec<Line>) -> Vec<Line> {
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        let at = (1..line.words.len()).find(|&i| {
            let gap = line.words[i].bbox.x0 - line.words[i - 1].bbox.x1;
            gap > 0.8 * line.size && caption_start(&text_from(&line.words[i..])).is_some()
        });
        match at {
            Some(i) => {
                let mut left = line.clone();
                let right_words = left.words.split_off(i);
                for (words, mut l) in [(left.words.clone(), left), (right_words, line)] {
                    l.bbox = Rect::union_all(words.iter().map(|w| &w.bbox)).unwrap_or(l.bbox);
                    l.words = words;
                    out.push(l);
                }
            }
            None => out.push(line),
        }
    }
    out
}

/// The most common glyph size over the pages, to the nearest half point.
pub fn body_font_size(pages: &[PageInput]) -> f64 {
    let mut counts = std::collections::BTreeMap::<i64, usize>::new();
    for p in pages {
        for g in p
            .glyphs
            .iter()
            .filter(|g| g.upright && !g.ch.is_whitespace())
        {
            *counts.entry((g.size * 2.0).round() as i64).or_default() += 1;
        }
    }
    counts
        .iter()
        .max_by_key(|(size, n)| (**n, **size))
        .map_or(10.0, |(s, _)| *s as f64 / 2.0)
}

/// A page's own number printed alone above or below everything else on it is a margin, also
/// where the text area starts or ends far inside the page (LNCS on letter paper: U-Net's "2"
/// at y = 93 of 792, below the top 9 %, was a paragraph of paper.md on every page). Only the
/// page's own number: a lone number that is not is left as it is.
fn mark_page_number(placed: &mut [PlacedBlock], number: usize) {
    let own = number.to_string();
    let is_number = |b: &PlacedBlock| {
        b.role != BlockRole::Caption
            && b.block.lines.len() == 1
            && b.block.lines[0].text().trim() == own
    };
    let Some(i) = placed.iter().position(is_number) else {
        return;
    };
    let r = placed[i].block.bbox;
    let others = || placed.iter().enumerate().filter(|(j, _)| *j != i);
    let topmost = others().all(|(_, b)| b.block.bbox.y0 >= r.y1 - 1.0);
    let bottommost = others().all(|(_, b)| b.block.bbox.y1 <= r.y0 + 1.0);
    if topmost || bottommost {
        placed[i].role = BlockRole::Margin;
    }
}

/// Decides which blocks are running text, captions, margins or figure text.
pub fn classify_blocks(
    blocks: Vec<Block>,
    graphics: &[Graphic],
    width: f64,
    height: f64,
    body_size: f64,
) -> Vec<PlacedBlock> {
    // Tops of the blocks, to tell a running head (the top line of the page) from a section
    // heading set just under it ("3 Experimental Results" under LNCS's page-number line).
    let tops: Vec<f64> = blocks.iter().map(|b| b.bbox.y1).collect();
    let mut placed: Vec<PlacedBlock> = blocks
        .into_iter()
        .map(|block| {
            let first = block.lines[0].text();
            if let Some(c) = caption_start(&first) {
                return PlacedBlock {
                    block,
                    role: BlockRole::Caption,
                    caption: Some(c),
                };
            }
            // Labels inside a drawing at the top of the page (a figure* set first) are not a
            // running header.
            let (cx, cy) = block.bbox.center();
            let over_graphic = graphics.iter().any(|g| {
                !g.is_rule()
                    && g.kind != GraphicKind::RotatedText
                    && g.bbox.contains_point(cx, cy)
                    && g.bbox.area() < 0.6 * width * height
            });
            let under_running_head =
                tops.iter().any(|&y1| y1 < block.bbox.y0 - 1.0) && section_heading_line(&first);
            let in_margin = block.lines.len() <= 2
                && !over_graphic
                && ((block.bbox.y1 < 0.09 * height && !under_running_head)
                    || block.bbox.y0 > 0.91 * height);
            let role = if in_margin {
                BlockRole::Margin
            } else if is_body(&block, graphics, width, body_size) {
                BlockRole::Body
            } else {
                BlockRole::Other
            };
            PlacedBlock {
                block,
                role,
                caption: None,
            }
        })
        .collect();
    // Headings (short, larger than the body) are running text only where running text starts a
    // line: on a paragraph's left edge, or centred on the page like a title. Elsewhere large
    // short text is a label inside a figure.
    let edges: Vec<f64> = placed
        .iter()
        .filter(|b| b.role == BlockRole::Body && b.block.lines.len() >= 2)
        .map(|b| b.block.bbox.x0)
        .collect();
    for b in &mut placed {
        if b.role == BlockRole::Body && is_heading(&b.block, body_size) {
            let r = b.block.bbox;
            let on_edge = edges.iter().any(|x| (r.x0 - x).abs() < 12.0);
            let centred = ((r.x0 + r.x1) / 2.0 - width / 2.0).abs() < 0.04 * width
                && r.width() > 0.15 * width;
            if !(on_edge || centred || edges.is_empty()) {
                b.role = BlockRole::Other;
            }
        }
    }
    placed
}

/// "3 Experimental Results", "3.3 PASCAL VOC2012": a section number, then a capitalised word.
fn section_heading_line(text: &str) -> bool {
    let mut words = text.split_whitespace();
    let (Some(number), Some(title)) = (words.next(), words.next()) else {
        return false;
    };
    let number = number.trim_end_matches('.');
    !number.is_empty()
        && number.len() <= 5
        && number.starts_with(|c: char| c.is_ascii_digit())
        && number.chars().all(|c| c.is_ascii_digit() || c == '.')
        && !number.contains("..")
        && title.starts_with(|c: char| c.is_uppercase())
}

fn is_heading(block: &Block, body_size: f64) -> bool {
    block.size() > body_size * 1.15
}

/// pdffigures2's ordered rules, reduced: text over graphics is figure text; several lines at
/// the body size, or one long line at the body size, is running text; the rest is figure text.
fn is_body(block: &Block, graphics: &[Graphic], width: f64, body_size: f64) -> bool {
    let size = block.size();
    let long = block.bbox.width() > 0.3 * width;
    // A paragraph is recognised by its shape even when its size is off (Type 3 bitmap fonts
    // give only estimated sizes).
    let ratio = size / body_size;
    let paragraph = block.lines.len() >= 2 && long && (0.8..1.6).contains(&ratio);
    if (size - body_size).abs() > 1.2 && !is_heading(block, body_size) && !paragraph {
        return false;
    }
    // Only the drawings the block touches can cover it or its lines.
    let touching: Vec<&Graphic> = graphics
        .iter()
        .filter(|g| !g.is_rule() && g.kind != GraphicKind::RotatedText)
        .filter(|g| g.bbox.area() < 0.6 * width * width)
        .filter(|g| g.bbox.intersect(&block.bbox).is_some())
        .collect();
    let covers = |r: &Rect| {
        touching.iter().any(|g| {
            g.bbox
                .intersect(r)
                .is_some_and(|i| i.area() > 0.5 * r.area())
        })
    };
    if covers(&block.bbox) {
        return false;
    }
    // Labels set over a drawing with a line of panel names under it ("loc : ∆(cx, cy, w, h)",
    // "conf : ...", then "(a) Image with GT boxes (b) ..."): most lines lie on the drawing.
    let lines_covered = if touching.is_empty() {
        0
    } else {
        block.lines.iter().filter(|l| covers(&l.bbox)).count()
    };
    if block.lines.len() >= 2 && 2 * lines_covered >= block.lines.len() {
        return false;
    }
    let words: usize = block.lines.iter().map(|l| l.words.len()).sum();
    if is_heading(block, body_size) && !paragraph {
        return words <= 20;
    }
    long && (block.lines.len() >= 2 || words >= 6)
}

/// Orders blocks: full-width blocks cut the page into bands; inside a band, the left column is
/// read before the right one. Returns whether the page reads as two columns.
fn reading_order(blocks: Vec<PlacedBlock>, width: f64) -> (Vec<PlacedBlock>, bool) {
    let body: Vec<&PlacedBlock> = blocks
        .iter()
        .filter(|b| matches!(b.role, BlockRole::Body | BlockRole::Caption))
        .collect();
    let Some(area) = Rect::union_all(body.iter().map(|b| &b.block.bbox)) else {
        let mut blocks = blocks;
        blocks.sort_by(|a, b| a.block.bbox.y0.total_cmp(&b.block.bbox.y0));
        return (blocks, false);
    };
    let mid = (area.x0 + area.x1) / 2.0;
    let slack = 0.02 * width;
    let side = |r: &Rect| -> i8 {
        if r.x1 <= mid + slack {
            0
        } else if r.x0 >= mid - slack {
            1
        } else {
            2
        }
    };
    // Captions count as column text too: a column may hold nothing but a figure.
    let in_columns = |s: i8| {
        blocks
            .iter()
            .filter(|b| matches!(b.role, BlockRole::Body | BlockRole::Caption))
            .filter(|b| b.block.bbox.width() > 0.25 * width)
            .filter(|b| side(&b.block.bbox) == s)
            .count()
    };
    let (left_body, right_body) = (in_columns(0), in_columns(1));
    let two_columns = left_body >= 1 && right_body >= 1;
    let mut blocks = blocks;
    blocks.sort_by(|a, b| a.block.bbox.y0.total_cmp(&b.block.bbox.y0));
    if !two_columns {
        return (blocks, false);
    }
    let mut out = Vec::with_capacity(blocks.len());
    let mut band: Vec<PlacedBlock> = Vec::new();
    let flush = |band: &mut Vec<PlacedBlock>, out: &mut Vec<PlacedBlock>| {
        band.sort_by(|a, b| {
            side(&a.block.bbox)
                .cmp(&side(&b.block.bbox))
                .then(a.block.bbox.y0.total_cmp(&b.block.bbox.y0))
        });
        out.append(band);
    };
    for b in blocks {
        if side(&b.block.bbox) == 2 {
            flush(&mut band, &mut out);
            out.push(b);
        } else {
            band.push(b);
        }
    }
    flush(&mut band, &mut out);
    (out, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::tests::glyphs_at;

    fn paragraph(x: f64, y: f64, lines: usize, text: &str) -> Vec<Glyph> {
        (0..lines)
            .flat_map(|i| glyphs_at(text, x, y + 12.0 * i as f64, 10.0))
            .collect()
    }

    fn letter_page(glyphs: Vec<Glyph>) -> PageLayout {
        let input = PageInput {
            width: 612.0,
            height: 792.0,
            glyphs,
            graphics: vec![],
        };
        analyze_page(1, &input, 10.0)
    }

    #[test]
    fn labels_on_a_drawing_with_panel_names_under_it_are_figure_text() {
        // Two label lines on a drawing and a line of panel names just under it, close enough
        // to form one block of body-size text across the column.
        let drawing = Graphic {
            bbox: Rect::new(300.0, 60.0, 520.0, 160.0),
            kind: GraphicKind::Path,
        };
        let mut glyphs = glyphs_at("offsets : (dx, dy, dw, dh) of each box", 320.0, 130.0, 10.0);
        glyphs.extend(glyphs_at(
            "scores : (p1, p2, p3) of each class",
            320.0,
            142.0,
            10.0,
        ));
        glyphs.extend(glyphs_at(
            "(a) Input image with its boxes (b) Coarse grid of cells (c) Fine grid of cells",
            100.0,
            154.0,
            10.0,
        ));
        let page = analyze_page(
            1,
            &PageInput {
                width: 612.0,
                height: 792.0,
                glyphs,
                graphics: vec![drawing],
            },
            10.0,
        );
        let labels = page
            .blocks
            .iter()
            .find(|b| b.block.text().starts_with("offsets"))
            .unwrap();
        assert_eq!(labels.role, BlockRole::Other, "{:?}", labels.block.text());
    }

    #[test]
    fn a_section_heading_under_the_running_head_is_not_margin() {
        // The page-number line at the very top, a numbered heading just under it (both in the
        // top 9 % of the page), then a paragraph.
        let mut glyphs = glyphs_at("7", 500.0, 40.0, 9.0);
        glyphs.extend(glyphs_at("4 Results on Two Datasets", 72.0, 64.0, 10.0));
        glyphs.extend(paragraph(
            72.0,
            90.0,
            4,
            "Body text runs on here, line after line of it, as prose does.",
        ));
        let page = letter_page(glyphs);
        let role_of = |start: &str| {
            page.blocks
                .iter()
                .find(|b| b.block.text().starts_with(start))
                .map(|b| b.role)
        };
        assert_eq!(role_of("7"), Some(BlockRole::Margin));
        assert_ne!(role_of("4 Results"), Some(BlockRole::Margin));
        // The running head itself, even when it reads like a heading, stays margin.
        let page = letter_page(glyphs_at("8 Section Title Of The Journal", 72.0, 40.0, 9.0));
        assert_eq!(page.blocks[0].role, BlockRole::Margin);
    }

    /// LNCS on letter paper (U-Net): the page number sits above the text area but below the top
    /// 9 % of the page. As the topmost block and the page's own number it is a margin; another
    /// lone number there stays.
    #[test]
    fn the_pages_own_number_above_everything_is_margin() {
        let body = "Body text runs on here, line after line of it, as prose does.";
        let page_with_number = |n: &str| {
            let mut glyphs = glyphs_at(n, 135.0, 100.0, 9.0);
            glyphs.extend(paragraph(135.0, 130.0, 4, body));
            letter_page(glyphs)
        };
        let role = |page: &PageLayout, t: &str| {
            page.blocks
                .iter()
                .find(|b| b.block.text() == t)
                .map(|b| b.role)
        };
        // letter_page is page 1.
        assert_eq!(role(&page_with_number("1"), "1"), Some(BlockRole::Margin));
        assert_ne!(role(&page_with_number("5"), "5"), Some(BlockRole::Margin));
    }

    #[test]
    fn two_column_page_reads_left_column_first() {
        // 230 pt wide: a column of a two-column letter-size paper.
        let line = "aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj";
        let mut glyphs = paragraph(72.0, 100.0, 3, line);
        glyphs.extend(paragraph(320.0, 100.0, 3, &line.replace('a', "z")));
        glyphs.extend(paragraph(72.0, 200.0, 2, &line.replace('a', "y")));
        let page = letter_page(glyphs);
        assert!(page.two_columns);
        let firsts: Vec<String> = page
            .blocks
            .iter()
            .map(|b| b.block.lines[0].words[0].text.clone())
            .collect();
        assert_eq!(firsts, ["aaaa", "yyyy", "zzzz"]);
    }

    #[test]
    fn caption_beside_running_text_on_one_baseline_is_split_off() {
        // A wrapped figure: running text on the left, its caption on the right, same baseline.
        let mut glyphs = glyphs_at("running text on the left side", 72.0, 300.0, 10.0);
        glyphs.extend(glyphs_at(
            "Figure 6: Attention maps.",
            72.0 + 30.0 * 5.0 + 12.0,
            300.0,
            10.0,
        ));
        let page = letter_page(glyphs);
        let captions: Vec<&PlacedBlock> = page
            .blocks
            .iter()
            .filter(|b| b.role == BlockRole::Caption)
            .collect();
        assert_eq!(captions.len(), 1);
        assert_eq!(captions[0].block.text(), "Figure 6: Attention maps.");
    }

    #[test]
    fn arxiv_side_stamp_is_dropped_and_rotated_labels_kept() {
        let mut glyphs = paragraph(72.0, 100.0, 2, "some body text that is long enough here");
        for (x, y) in [(20.0, 400.0), (300.0, 300.0)] {
            glyphs.push(Glyph {
                ch: 'a',
                bbox: Rect::new(x, y, x + 10.0, y + 5.0),
                baseline: y + 8.0,
                size: 10.0,
                upright: false,
                ink: None,
            });
        }
        let page = letter_page(glyphs);
        assert_eq!(page.graphics.len(), 1);
        assert_eq!(page.graphics[0].bbox.x0, 300.0);
        assert_eq!(page.blocks.len(), 1);
    }
}
