//! Table grids from the text and ruling lines inside a table region.
//!
//! A table is found from its caption ([`find_tables`]): the words and rules stacked directly
//! below the caption (the usual style, caption above the table) or above it, inside the caption's
//! column, up to running text, another caption, a picture or a wide vertical gap.
//!
//! Its grid ([`grid`]) is built the way a reader sees it:
//! - **Rows** are text lines sharing a baseline. A line that only fills columns left empty by
//!   both neighbours and sits closer to them than the usual row pitch is a vertically centred
//!   `\multirow` cell: its text joins the row above.
//! - **Columns** come from alignment: each row is cut into chunks at gaps wider than 0.9 em or
//!   at vertical rules; chunks of the rows with the most chunks set the column intervals, and
//!   a chunk overlapping several intervals is a spanning cell (`\multicolumn`). Before that,
//!   chunks are split at the column boundaries the numeric rows show (submodule `geometry`): a header
//!   wider than its values, or words one space apart, no longer join two columns.
//! - **Ruled tables** (vertical rules between columns, rows boxed by horizontal rules) use the
//!   rules: a band between horizontal rules is one row when its lines do not line up across
//!   columns (multi-line cells such as stacked blocks), text columns between two vertical rules
//!   form one column unless the header band names them separately, and a cell without a rule
//!   above it continues the cell above.
//!
//! - **Headers** of several lines (the rows above the first rule crossing the table under its
//!   first line) are joined into one header row, each column's lines top to bottom, unless a
//!   header cell spans columns over sub-headers (then the rows are a hierarchy and stay).
//!
//! Conventions of the output: cells are row-major, every row has the same length; a spanning
//! cell's text is in its top-left grid cell and the other cells it covers are empty strings;
//! the lines of a multi-line cell are joined by single spaces, read in vertical strips (a
//! bracketed block before the "×2" beside it), each strip top to bottom. Bold, `±` and other
//! marks stay in the text as printed (the glyph stream carries no font weight).

use crate::captions::CaptionKind;
use crate::figures::Caption;
use crate::geom::Rect;
use crate::page::{BlockRole, GraphicKind, PageLayout};
use serde::Serialize;

mod geometry;

/// A located table and its cells.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Table {
    /// The caption that named it.
    pub caption: Caption,
    /// The table box, without the caption.
    pub bbox: Rect,
    /// Cells row by row (see the module documentation for spans).
    pub cells: Vec<Vec<String>>,
}

/// A word with the baseline of its line: the unit the grid is built from.
#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    /// The text.
    pub text: String,
    /// The box.
    pub bbox: Rect,
    /// Baseline of the line the word sits on.
    pub baseline: f64,
    /// Font size.
    pub size: f64,
}

/// Locates every table caption's table and builds its grid.
pub fn find_tables(pages: &[PageLayout], captions: &[Caption]) -> Vec<Table> {
    let caps: Vec<&Caption> = captions
        .iter()
        .filter(|c| c.kind == CaptionKind::Table)
        .collect();
    // Both sides of every caption, then the document's own style decides the ambiguous ones.
    let cuts: Vec<(Caption, Option<Rect>)> = caps
        .iter()
        .map(|c| match pages.iter().find(|p| p.number == c.page) {
            Some(page) => cut_caption(page, c),
            None => ((*c).clone(), None),
        })
        .collect();
    let sides: Vec<(Option<Rect>, Option<Rect>)> = cuts
        .iter()
        .map(
            |(c, extra)| match pages.iter().find(|p| p.number == c.page) {
                Some(page) => (
                    region(page, c, *extra, false),
                    region(page, c, *extra, true),
                ),
                None => (None, None),
            },
        )
        .collect();
    let below_only = sides
        .iter()
        .filter(|s| s.0.is_some() && s.1.is_none())
        .count();
    let above_only = sides
        .iter()
        .filter(|s| s.0.is_none() && s.1.is_some())
        .count();
    let prefer_above = above_only > below_only;
    let mut out = Vec::new();
    for ((cap, _), (below, above)) in cuts.iter().zip(sides) {
        let chosen = match (below, above) {
            (Some(b), Some(a)) => Some(if prefer_above { a } else { b }),
            (b, a) => b.or(a),
        };
        let Some(bbox) = chosen else { continue };
        let page = pages
            .iter()
            .find(|p| p.number == cap.page)
            .expect("region found on it");
        let cells = grid(page, bbox, cap);
        if cells.is_empty() {
            continue;
        }
        out.push(Table {
            caption: cap.clone(),
            bbox,
            cells,
        });
    }
    out
}

/// The caption block without the table lines the layout stacked onto it: a table set right
/// under its caption (or a header row under a rule) is close enough to join the caption's
/// block. The caption ends at the first rule between two of its lines or at the first line with
/// a column gap; the rest is returned as table content.
fn cut_caption(page: &PageLayout, cap: &Caption) -> (Caption, Option<Rect>) {
    let Some(block) = page.blocks.get(cap.block) else {
        return (cap.clone(), None);
    };
    let lines = &block.block.lines;
    let ruled_between = |a: &Rect, b: &Rect| {
        page.graphics.iter().any(|g| {
            g.is_rule()
                && g.bbox.width() > g.bbox.height()
                && g.bbox.x_overlap(&block.block.bbox) > 0.0
                && g.bbox.y0 > a.y1 - 1.0
                && g.bbox.y1 < b.y0 + 1.0
        })
    };
    let gapped = |l: &crate::text::Line| {
        l.words
            .windows(2)
            .any(|w| w[1].bbox.x0 - w[0].bbox.x1 > 1.5 * l.size.max(1.0))
    };
    // A column rule through a line, or a type smaller than the caption's, marks a table line
    // set too close to tell apart by gaps (headers one space apart under the caption).
    let crossed = |l: &crate::text::Line| {
        page.graphics.iter().any(|g| {
            g.is_rule()
                && g.bbox.height() > g.bbox.width()
                && g.bbox.x0 > l.bbox.x0
                && g.bbox.x1 < l.bbox.x1
                && g.bbox.y0 < l.bbox.y0 + 1.0
                && g.bbox.y1 > l.bbox.y1 - 1.0
        })
    };
    let smaller = |l: &crate::text::Line| l.size < 0.95 * lines[0].size;
    let Some(k) = (1..lines.len()).find(|&k| {
        ruled_between(&lines[k - 1].bbox, &lines[k].bbox)
            || gapped(&lines[k])
            || crossed(&lines[k])
            || smaller(&lines[k])
    }) else {
        return (cap.clone(), None);
    };
    let mut cut = cap.clone();
    cut.bbox = Rect::union_all(lines[..k].iter().map(|l| &l.bbox)).unwrap_or(cap.bbox);
    cut.text = crate::hyphens::join_lines(
        lines[..k].iter().map(|l| l.text()),
        &crate::hyphens::Vocabulary::empty(),
    );
    (cut, Rect::union_all(lines[k..].iter().map(|l| &l.bbox)))
}

/// The horizontal extent of the caption's column: the whole text area for a caption crossing
/// the page middle or on a one-column page.
fn column_span(page: &PageLayout, cap: &Caption) -> (f64, f64) {
    let area = Rect::union_all(
        page.blocks
            .iter()
            .filter(|b| matches!(b.role, BlockRole::Body | BlockRole::Caption))
            .map(|b| &b.block.bbox),
    )
    .unwrap_or(Rect::new(0.0, 0.0, page.width, page.height));
    let mid = (area.x0 + area.x1) / 2.0;
    let slack = 0.02 * page.width;
    if !page.two_columns {
        (area.x0.min(cap.bbox.x0), area.x1.max(cap.bbox.x1))
    } else if cap.bbox.x1 <= mid + slack {
        (area.x0.min(cap.bbox.x0), mid)
    } else if cap.bbox.x0 >= mid - slack {
        (mid, area.x1.max(cap.bbox.x1))
    } else {
        (area.x0.min(cap.bbox.x0), area.x1.max(cap.bbox.x1))
    }
}

/// Something a table is made of, or something that ends it.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Item {
    /// A text block that may be table cells.
    Text(Rect),
    /// A ruling line.
    Rule(Rect),
    /// Running text, a caption, a margin or a picture: the table cannot reach past it.
    Stop(Rect),
}

impl Item {
    fn rect(&self) -> Rect {
        match *self {
            Item::Text(r) | Item::Rule(r) | Item::Stop(r) => r,
        }
    }
}

/// The table region on one side of a caption, `None` when nothing table-like is there.
fn region(page: &PageLayout, cap: &Caption, extra: Option<Rect>, above: bool) -> Option<Rect> {
    let (x0, x1) = column_span(page, cap);
    let span = Rect::new(x0 - 2.0, 0.0, x1 + 2.0, page.height);
    let within = |r: &Rect| span.x_overlap(r) > 0.5 * r.width().min(span.width()).max(0.1);
    let page_body = running_text_size(page);
    let mut items: Vec<Item> = Vec::new();
    for (i, b) in page.blocks.iter().enumerate() {
        let r = b.block.bbox;
        if i == cap.block || !within(&r) {
            continue;
        }
        // Table rows often read as running text too (several long lines at the body size);
        // a paragraph differs by having no column gap in its lines, and words rather than
        // numbers.
        let prose = |l: &crate::text::Line| {
            let wordy = l
                .words
                .iter()
                .filter(|w| w.text.chars().any(char::is_alphabetic))
                .filter(|w| !w.text.chars().any(|c| c.is_ascii_digit()))
                .count();
            l.words.len() >= 5
                && 10 * wordy >= 7 * l.words.len()
                && l.words
                    .windows(2)
                    .all(|w| w[1].bbox.x0 - w[0].bbox.x1 < 0.9 * l.size.max(1.0))
        };
        let prose_lines = b.block.lines.iter().filter(|l| prose(l)).count();
        // Under a caption spanning both columns of a two-column page, a column of running
        // text is narrower than the span but still ends the table (the caption of a table set
        // above it, with body text below).
        let column_paragraph = page.two_columns
            && span.width() > 0.7 * page.width
            && prose_lines >= 3
            && 10 * prose_lines >= 7 * b.block.lines.len();
        // Notes under a table ("We omit ensemble results.", "†Latency marked with †...") are
        // set smaller than the running text, and belong to the table.
        let note = b.block.size() < 0.95 * page_body;
        let paragraph = b.role == BlockRole::Body
            && !note
            && prose_lines >= 2
            && (r.width() > 0.6 * span.width() || column_paragraph);
        items.push(match b.role {
            BlockRole::Caption | BlockRole::Margin => Item::Stop(r),
            _ if paragraph => Item::Stop(r),
            _ => Item::Text(r),
        });
    }
    if let Some(r) = extra {
        items.push(Item::Text(r));
    }
    for g in &page.graphics {
        if !within(&g.bbox) || g.kind == GraphicKind::RotatedText {
            continue;
        }
        if g.is_rule() {
            items.push(Item::Rule(g.bbox));
        } else if g.bbox.area() > 2500.0 {
            items.push(Item::Stop(g.bbox));
        }
    }
    // Walk away from the caption; the table is the run of text and rules before a stop or a gap
    // wider than three lines.
    let dist = |r: &Rect| {
        if above {
            cap.bbox.y0 - r.y1
        } else {
            r.y0 - cap.bbox.y1
        }
    };
    let mut ahead: Vec<Item> = items
        .into_iter()
        .filter(|it| dist(&it.rect()) > -2.0)
        .collect();
    ahead.sort_by(|a, b| dist(&a.rect()).total_cmp(&dist(&b.rect())));
    // A table starts within a couple of lines of its caption and has no blank line inside.
    let size = page
        .blocks
        .get(cap.block)
        .map_or(10.0, |b| b.block.size())
        .max(5.0);
    let mut max_gap = 2.5 * size;
    let mut reach = 0.0;
    let mut content: Option<Rect> = None;
    let mut texts = 0;
    let mut rules = 0;
    for it in ahead {
        let r = it.rect();
        let near = dist(&r);
        if near > reach + max_gap {
            break;
        }
        let far = if above {
            cap.bbox.y0 - r.y0
        } else {
            r.y1 - cap.bbox.y1
        };
        match it {
            Item::Stop(_) => break,
            Item::Text(_) => texts += 1,
            Item::Rule(_) => rules += 1,
        }
        reach = f64::max(reach, far);
        max_gap = 1.6 * size;
        content = Some(content.map_or(r, |c| c.union(&r)));
    }
    let content = content?;
    // A lone line of text next to a caption is not a table.
    if texts == 0 || (rules == 0 && texts < 2) {
        return None;
    }
    let clip = Rect::new(x0 - 2.0, content.y0, x1 + 2.0, content.y1);
    content.intersect(&clip)
}

/// The most common font size of the page's running-text lines (to the half point), counted by
/// characters; 0 when the page has none.
fn running_text_size(page: &PageLayout) -> f64 {
    let mut by_size: std::collections::BTreeMap<i64, usize> = Default::default();
    for b in page.blocks.iter().filter(|b| b.role == BlockRole::Body) {
        for l in &b.block.lines {
            *by_size.entry((l.size * 2.0).round() as i64).or_default() += l.text().len();
        }
    }
    by_size
        .into_iter()
        .max_by_key(|&(size, n)| (n, size))
        .map_or(0.0, |(size, _)| size as f64 / 2.0)
}

/// The words of `page` inside `region` and the rules there, as a grid. Words of captions are
/// left out, except the table lines stacked onto the table's own caption block.
pub fn grid(page: &PageLayout, region: Rect, caption: &Caption) -> Vec<Vec<String>> {
    let mut rules: Vec<Rect> = page
        .graphics
        .iter()
        .filter(|g| g.is_rule() && g.kind != GraphicKind::RotatedText)
        .filter_map(|g| g.bbox.intersect(&region.inflate(3.0)))
        .collect();
    let mut tokens: Vec<Token> = Vec::new();
    for b in &page.blocks {
        if b.role == BlockRole::Margin {
            continue;
        }
        for l in &b.block.lines {
            let mut prev: Option<usize> = None;
            for w in &l.words {
                let Some(w) = without_delimiters(w) else {
                    continue;
                };
                let w = &w;
                let (cx, cy) = w.bbox.center();
                let captioned = b.role == BlockRole::Caption
                    && (caption.bbox.contains_point(cx, cy)
                        || b.block.bbox != page.blocks[caption.block].block.bbox);
                if !region.contains_point(cx, cy) || captioned {
                    prev = None;
                    continue;
                }
                if let Some(p) = prev
                    && let Some(bar) = underscore_between(&rules, &tokens[p], &w.bbox, l.baseline)
                {
                    rules.swap_remove(bar);
                    let t = &mut tokens[p];
                    t.text.push('_');
                    t.text.push_str(&w.text);
                    t.bbox = t.bbox.union(&w.bbox);
                    continue;
                }
                tokens.push(Token {
                    text: w.text.clone(),
                    bbox: w.bbox,
                    baseline: l.baseline,
                    size: w.size,
                });
                prev = Some(tokens.len() - 1);
            }
        }
    }
    grid_from_tokens(&tokens, &rules)
}

/// Pieces of stretched brackets and braces (Symbol-font private-use pieces, Unicode bracket
/// pieces, or a lone bracket word): layout around a block of cells, not text.
/// The word with such pieces trimmed (they touch the "×3" beside them), `None` when nothing
/// else is left.
fn without_delimiters(w: &crate::text::Word) -> Option<crate::text::Word> {
    let piece =
        |c: char| ('\u{F8E5}'..='\u{F8FE}').contains(&c) || ('\u{239B}'..='\u{23AD}').contains(&c);
    let bracket = |c: char| matches!(c, '[' | ']' | '{' | '}' | '(' | ')' | '|');
    if w.text.chars().all(bracket) {
        return None;
    }
    let n = w.text.chars().count() as f64;
    let lead = w.text.chars().take_while(|&c| piece(c)).count() as f64;
    let text = w.text.trim_matches(piece);
    if text.is_empty() {
        return None;
    }
    let trail = n - lead - text.chars().count() as f64;
    let per_char = w.bbox.width() / n;
    let mut out = w.clone();
    out.text = text.to_string();
    out.bbox.x0 += lead * per_char;
    out.bbox.x1 -= trail * per_char;
    Some(out)
}

/// TeX draws `\_` as a rule on the baseline, not a glyph: a thin bar filling the gap between
/// two words at their baseline joins them with an underscore ("conv2_x").
fn underscore_between(rules: &[Rect], left: &Token, right: &Rect, baseline: f64) -> Option<usize> {
    let gap = right.x0 - left.bbox.x1;
    if gap <= 0.0 || gap > left.size {
        return None;
    }
    rules.iter().position(|r| {
        r.height() < 1.5
            && r.y0 > baseline - 1.5
            && r.y1 < baseline + 2.5
            && r.x0 > left.bbox.x1 - 1.5
            && r.x1 < right.x0 + 1.5
            && r.width() > 0.6 * gap
    })
}

/// A text line of the table: tokens on one baseline, left to right.
#[derive(Clone, Debug)]
struct TextRow {
    tokens: Vec<Token>,
    baseline: f64,
    top: f64,
    bottom: f64,
}

/// A run of tokens without a column gap.
#[derive(Clone, Debug)]
struct Chunk {
    row: usize,
    x0: f64,
    x1: f64,
    tokens: Vec<Token>,
}

/// Builds the grid from tokens and rule boxes (both in page space).
pub fn grid_from_tokens(tokens: &[Token], rules: &[Rect]) -> Vec<Vec<String>> {
    if tokens.is_empty() {
        return Vec::new();
    }
    let em = median(tokens.iter().map(|t| t.size).collect()).max(1.0);
    let tokens = &attach_accents(tokens);
    let rows = text_rows(tokens, em);
    let table = Rect::union_all(tokens.iter().map(|t| &t.bbox)).expect("tokens");
    let verticals = vertical_rules(rules, &table);
    let horizontals = horizontal_rules(rules, &table);
    let mut chunks = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        chunks.extend(chunk_row(i, row, em, &verticals));
    }
    let chunks =
        geometry::Boundaries::find(&rows, em).split(chunks, &rows, &horizontals, table.width(), em);
    let mut columns = column_intervals(&rows, &chunks);
    let ruled = !verticals.is_empty();
    if ruled {
        columns = merge_between_rules(columns, &verticals, &rows, &chunks, &horizontals);
    }
    let chunks = split_tight_chunks(chunks, &columns, em);
    // Cells of text rows: (row, first column, last column, tokens).
    let mut placed: Vec<(usize, usize, usize, Vec<Token>)> = Vec::new();
    for c in &chunks {
        let hit: Vec<usize> = columns
            .iter()
            .enumerate()
            .filter(|(_, col)| overlap(c.x0, c.x1, col.0, col.1) > 0.0)
            .map(|(i, _)| i)
            .collect();
        let (mut first, mut last) = match (hit.first(), hit.last()) {
            (Some(&a), Some(&b)) => (a, b),
            _ => {
                let nearest = nearest_column(&columns, (c.x0 + c.x1) / 2.0);
                (nearest, nearest)
            }
        };
        if ruled {
            // A cell spanning ruled columns interrupts the rules between them.
            let y = (rows[c.row].top + rows[c.row].bottom) / 2.0;
            while first > 0 && interrupted(&columns, first, &verticals, rules, y) {
                first -= 1;
            }
            while last + 1 < columns.len() && interrupted(&columns, last + 1, &verticals, rules, y)
            {
                last += 1;
            }
        }
        match placed
            .iter_mut()
            .find(|p| p.0 == c.row && p.1 <= last && first <= p.2)
        {
            Some(p) => {
                p.1 = p.1.min(first);
                p.2 = p.2.max(last);
                p.3.extend(c.tokens.iter().cloned());
            }
            None => placed.push((c.row, first, last, c.tokens.clone())),
        }
    }
    let groups = if ruled && horizontals.len() >= 2 {
        band_groups(&rows, &placed, &horizontals)
    } else {
        multirow_groups(&rows, &placed)
    };
    let n_cols = columns.len();
    let mut out: Vec<Vec<String>> = Vec::new();
    let mut cell_tokens: Vec<Vec<Vec<Token>>> = Vec::new();
    for group in &groups {
        let mut row: Vec<Vec<Token>> = vec![Vec::new(); n_cols];
        for p in placed.iter().filter(|p| group.contains(&p.0)) {
            row[p.1].extend(p.3.iter().cloned());
        }
        cell_tokens.push(row);
    }
    if ruled && horizontals.len() >= 2 {
        continue_unruled_cells(&mut cell_tokens, &groups, &rows, &columns, &horizontals);
    }
    for row in cell_tokens {
        out.push(row.iter().map(|t| cell_text(t, em)).collect());
    }
    expand_multipliers(&mut out, &groups, &rows);
    let header = header_groups(&groups, &rows, &placed, &horizontals, &table);
    if header > 1 {
        let joined: Vec<String> = (0..n_cols)
            .map(|c| {
                let parts: Vec<&str> = out[..header]
                    .iter()
                    .map(|r| r[c].as_str())
                    .filter(|t| !t.is_empty())
                    .collect();
                parts.join(" ")
            })
            .collect();
        out.splice(..header, [joined]);
    }
    out.retain(|r| r.iter().any(|c| !c.is_empty()));
    out
}

/// How many leading row groups form a header of several lines, each line one cell per column:
/// the groups above the first rule crossing the table under its first line (booktabs'
/// `\midrule`, a ruled table's `\hline`), when data rows follow and no header cell spans
/// columns (a spanning header over sub-headers is a hierarchy, kept as rows). 0 or 1 when
/// nothing is to be joined.
fn header_groups(
    groups: &[Vec<usize>],
    rows: &[TextRow],
    placed: &[Placed],
    horizontals: &[(f64, f64, f64)],
    table: &Rect,
) -> usize {
    let Some(first) = rows.first() else {
        return 0;
    };
    let Some(rule) = horizontals
        .iter()
        .filter(|h| h.2 - h.1 > 0.6 * table.width())
        .map(|h| h.0)
        .find(|&y| y > first.bottom - 1.0)
    else {
        return 0;
    };
    let above = |g: &Vec<usize>| g.iter().all(|&r| rows[r].bottom < rule + 1.0);
    let n = groups.iter().take_while(|g| above(g)).count();
    // A repeat count marks records, not a header; so do three or more lines that each fill
    // every column (BERT's Table 4 lost its header to the caption: its first records sit
    // above the first rule).
    if groups[..n]
        .iter()
        .flatten()
        .any(|&r| multiplier_row(&rows[r]))
    {
        return 0;
    }
    let n_cols = placed.iter().map(|p| p.2 + 1).max().unwrap_or(0);
    let full = groups[..n]
        .iter()
        .filter(|g| {
            (0..n_cols).all(|c| {
                placed
                    .iter()
                    .any(|p| g.contains(&p.0) && p.1 <= c && c <= p.2)
            })
        })
        .count();
    if full >= 3 {
        return 0;
    }
    // A line with a row label and numbers beside it is a record ("clip length | 32 | 32 | 64").
    let record = |g: &Vec<usize>| {
        let texts: Vec<String> = g
            .iter()
            .flat_map(|&r| rows[r].tokens.iter().map(|t| (t.bbox.x0, t.text.clone())))
            .map(|(_, t)| t)
            .collect();
        let labelled = placed.iter().any(|p| g.contains(&p.0) && p.1 == 0);
        let valued: Vec<&Placed> = placed
            .iter()
            .filter(|p| g.contains(&p.0) && p.1 > 0)
            .collect();
        labelled
            && !valued.is_empty()
            && valued
                .iter()
                .all(|p| p.3.iter().all(|t| geometry::numeric(&t.text)))
            && !texts.is_empty()
    };
    if groups[..n].iter().any(record) {
        return 0;
    }
    let spans = placed
        .iter()
        .any(|p| p.1 != p.2 && groups[..n].iter().any(|g| g.contains(&p.0)));
    if spans { 0 } else { n }
}

/// Spacing accents set as glyphs of their own over a letter ("F" and "ˆ" for F̂, as TeX's
/// `\hat` draws them) become a combining mark after the letter under them. ASCII `^` and `~`
/// are text ("10^-4", "~3M") and stay.
fn attach_accents(tokens: &[Token]) -> Vec<Token> {
    let combining = |s: &str| match s {
        "ˆ" => Some('\u{0302}'),
        "˜" => Some('\u{0303}'),
        "¯" => Some('\u{0304}'),
        "˙" => Some('\u{0307}'),
        "¨" => Some('\u{0308}'),
        "´" => Some('\u{0301}'),
        "ˇ" => Some('\u{030C}'),
        "˘" => Some('\u{0306}'),
        _ => None,
    };
    let mut out: Vec<Token> = tokens.to_vec();
    // An accent drawn inside a word follows the letter it sits on.
    for t in &mut out {
        if t.text.chars().count() > 1 && t.text.chars().any(|c| combining(&c.to_string()).is_some())
        {
            t.text = t
                .text
                .chars()
                .map(|c| combining(&c.to_string()).unwrap_or(c))
                .collect();
        }
    }
    let mut drop = vec![false; out.len()];
    for (i, t) in tokens.iter().enumerate() {
        let Some(mark) = combining(&t.text) else {
            continue;
        };
        let (cx, cy) = t.bbox.center();
        let base = (0..out.len()).find(|&j| {
            j != i
                && !drop[j]
                && combining(&out[j].text).is_none()
                && out[j].bbox.x0 <= cx
                && out[j].bbox.x1 >= cx
                && cy < out[j].bbox.y1
                && cy > out[j].bbox.y0 - out[j].size
        });
        let Some(j) = base else { continue };
        let b = &mut out[j];
        let chars: Vec<char> = b.text.chars().collect();
        // The accent's left edge: italic letters carry their accent skewed to the right.
        let at = (((t.bbox.x0 - b.bbox.x0).max(0.0) / b.bbox.width().max(0.1)) * chars.len() as f64)
            as usize;
        let at = at.min(chars.len() - 1);
        let mut text: String = chars[..=at].iter().collect();
        text.push(mark);
        text.extend(&chars[at + 1..]);
        b.text = text;
        drop[i] = true;
    }
    out.into_iter()
        .zip(drop)
        .filter(|(_, d)| !d)
        .map(|(t, _)| t)
        .collect()
}

fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn overlap(a0: f64, a1: f64, b0: f64, b1: f64) -> f64 {
    (a1.min(b1) - a0.max(b0)).max(0.0)
}

fn nearest_column(columns: &[(f64, f64)], x: f64) -> usize {
    columns
        .iter()
        .enumerate()
        .min_by(|a, b| {
            let d = |c: &(f64, f64)| (x - c.0).abs().min((x - c.1).abs());
            d(a.1).total_cmp(&d(b.1))
        })
        .map_or(0, |(i, _)| i)
}

/// Tokens grouped by baseline, top to bottom.
fn text_rows(tokens: &[Token], em: f64) -> Vec<TextRow> {
    let mut sorted: Vec<&Token> = tokens.iter().collect();
    sorted.sort_by(|a, b| a.baseline.total_cmp(&b.baseline));
    let mut rows: Vec<TextRow> = Vec::new();
    for t in sorted {
        match rows.last_mut() {
            Some(r) if (t.baseline - r.baseline).abs() < 0.35 * em => {
                r.top = r.top.min(t.bbox.y0);
                r.bottom = r.bottom.max(t.bbox.y1);
                r.tokens.push(t.clone());
            }
            _ => rows.push(TextRow {
                tokens: vec![t.clone()],
                baseline: t.baseline,
                top: t.bbox.y0,
                bottom: t.bbox.y1,
            }),
        }
    }
    for r in &mut rows {
        r.tokens.sort_by(|a, b| a.bbox.x0.total_cmp(&b.bbox.x0));
    }
    rows
}

/// Splits a chunk that crosses columns where its tokens sit in different columns and the gap
/// between them is wider than a word space: tightly set numeric columns, not a spanning phrase.
fn split_tight_chunks(chunks: Vec<Chunk>, columns: &[(f64, f64)], em: f64) -> Vec<Chunk> {
    let column_of = |t: &Token| {
        let hits: Vec<usize> = (0..columns.len())
            .filter(|&i| overlap(t.bbox.x0, t.bbox.x1, columns[i].0, columns[i].1) > 0.0)
            .collect();
        (hits.len() == 1).then(|| hits[0])
    };
    let mut out = Vec::with_capacity(chunks.len());
    for c in chunks {
        let mut piece = Chunk {
            row: c.row,
            x0: c.tokens[0].bbox.x0,
            x1: c.tokens[0].bbox.x1,
            tokens: vec![c.tokens[0].clone()],
        };
        for pair in c.tokens.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            let apart = b.bbox.x0 - a.bbox.x1 > 0.45 * em
                && matches!((column_of(a), column_of(b)), (Some(x), Some(y)) if x != y);
            if apart {
                out.push(std::mem::replace(
                    &mut piece,
                    Chunk {
                        row: c.row,
                        x0: b.bbox.x0,
                        x1: b.bbox.x1,
                        tokens: vec![b.clone()],
                    },
                ));
            } else {
                piece.x1 = piece.x1.max(b.bbox.x1);
                piece.tokens.push(b.clone());
            }
        }
        out.push(piece);
    }
    out
}

/// Whether the boundary before column `k` is ruled elsewhere in the table but not at height `y`.
fn interrupted(
    columns: &[(f64, f64)],
    k: usize,
    verticals: &[f64],
    rules: &[Rect],
    y: f64,
) -> bool {
    let (left, right) = (columns[k - 1].1, columns[k].0);
    let Some(&x) = verticals
        .iter()
        .find(|&&x| x > left - 1.0 && x < right + 1.0)
    else {
        return false;
    };
    !rules.iter().any(|r| {
        let rx = (r.x0 + r.x1) / 2.0;
        r.height() > r.width() && (rx - x).abs() < 2.0 && r.y0 <= y && r.y1 >= y
    })
}

/// x positions of vertical rules that run through a good part of the table.
fn vertical_rules(rules: &[Rect], table: &Rect) -> Vec<f64> {
    let mut xs: Vec<(f64, f64)> = rules
        .iter()
        .filter(|r| r.height() > r.width() && r.height() > 4.0)
        .map(|r| ((r.x0 + r.x1) / 2.0, r.height()))
        .collect();
    xs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut clusters: Vec<(f64, f64)> = Vec::new();
    for (x, h) in xs {
        match clusters.last_mut() {
            Some(c) if x - c.0 < 2.0 => c.1 += h,
            _ => clusters.push((x, h)),
        }
    }
    clusters
        .into_iter()
        .filter(|(_, h)| *h > 0.3 * table.height())
        .map(|(x, _)| x)
        .collect()
}

/// Horizontal rules as (y, x0, x1), top to bottom.
fn horizontal_rules(rules: &[Rect], table: &Rect) -> Vec<(f64, f64, f64)> {
    let mut out: Vec<(f64, f64, f64)> = rules
        .iter()
        .filter(|r| r.width() >= r.height() && r.width() > 8.0)
        .filter(|r| r.x_overlap(table) > 0.0)
        .map(|r| ((r.y0 + r.y1) / 2.0, r.x0, r.x1))
        .collect();
    out.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    out
}

/// Cuts a row into chunks at wide gaps and at vertical rules.
fn chunk_row(row: usize, r: &TextRow, em: f64, verticals: &[f64]) -> Vec<Chunk> {
    let mut out: Vec<Chunk> = Vec::new();
    for t in &r.tokens {
        let split = match out.last() {
            None => true,
            Some(c) => {
                let gap = t.bbox.x0 - c.x1;
                let ruled = verticals
                    .iter()
                    .any(|&x| x > c.x1 - 0.5 && x < t.bbox.x0 + 0.5);
                gap > 0.9 * em || ruled
            }
        };
        if split {
            out.push(Chunk {
                row,
                x0: t.bbox.x0,
                x1: t.bbox.x1,
                tokens: vec![t.clone()],
            });
        } else if let Some(c) = out.last_mut() {
            c.x1 = c.x1.max(t.bbox.x1);
            c.tokens.push(t.clone());
        }
    }
    out
}

/// Column intervals from chunk alignment: the rows with the most chunks first; a chunk that
/// would join two columns is a spanning cell and does not widen any.
fn column_intervals(rows: &[TextRow], chunks: &[Chunk]) -> Vec<(f64, f64)> {
    let mut order: Vec<usize> = (0..rows.len()).collect();
    let count = |r: usize| chunks.iter().filter(|c| c.row == r).count();
    order.sort_by_key(|&r| (std::cmp::Reverse(count(r)), r));
    let mut cols: Vec<(f64, f64)> = Vec::new();
    for r in order {
        for c in chunks.iter().filter(|c| c.row == r) {
            let hits: Vec<usize> = (0..cols.len())
                .filter(|&i| overlap(c.x0, c.x1, cols[i].0, cols[i].1) > 0.0)
                .collect();
            match hits.as_slice() {
                [] => {
                    cols.push((c.x0, c.x1));
                    cols.sort_by(|a, b| a.0.total_cmp(&b.0));
                }
                [i] => {
                    let grown = (cols[*i].0.min(c.x0), cols[*i].1.max(c.x1));
                    let clash = cols
                        .iter()
                        .enumerate()
                        .any(|(j, o)| j != *i && overlap(grown.0, grown.1, o.0, o.1) > 0.0);
                    if !clash {
                        cols[*i] = grown;
                    }
                }
                _ => {}
            }
        }
    }
    cols
}

/// In a ruled table, text columns between the same two vertical rules are one column unless the
/// header (the text above the first horizontal rule under the top) names them separately.
fn merge_between_rules(
    cols: Vec<(f64, f64)>,
    verticals: &[f64],
    rows: &[TextRow],
    chunks: &[Chunk],
    horizontals: &[(f64, f64, f64)],
) -> Vec<(f64, f64)> {
    let top = rows.first().map_or(0.0, |r| r.top);
    let header_end = horizontals
        .iter()
        .map(|h| h.0)
        .find(|&y| y > top + 1.0)
        .unwrap_or(f64::INFINITY);
    let header: Vec<&Chunk> = chunks
        .iter()
        .filter(|c| rows[c.row].baseline < header_end)
        .collect();
    let cell_of = |x: f64| verticals.iter().filter(|&&v| v < x).count();
    // Whether most tokens of the column's body (below the header) are numbers.
    let numbers = |c: &(f64, f64)| {
        let body: Vec<&Token> = chunks
            .iter()
            .filter(|k| rows[k.row].baseline >= header_end && overlap(k.x0, k.x1, c.0, c.1) > 0.0)
            .flat_map(|k| &k.tokens)
            .filter(|t| overlap(t.bbox.x0, t.bbox.x1, c.0, c.1) > 0.0)
            .collect();
        let n = body.iter().filter(|t| geometry::numeric(&t.text)).count();
        n > 0 && 2 * n >= body.len()
    };
    let mut out: Vec<(f64, f64)> = Vec::new();
    for col in cols {
        let Some(prev) = out.last_mut() else {
            out.push(col);
            continue;
        };
        let same_cell = cell_of((prev.0 + prev.1) / 2.0) == cell_of((col.0 + col.1) / 2.0);
        let named = |c: &(f64, f64)| {
            header
                .iter()
                .any(|h| overlap(h.x0, h.x1, c.0, c.1) > 0.5 * (h.x1 - h.x0))
        };
        let spanned = header.iter().any(|h| {
            overlap(h.x0, h.x1, prev.0, prev.1) > 0.0 && overlap(h.x0, h.x1, col.0, col.1) > 0.0
        });
        // A header cell spanning columns of numbers ("Output channels (g groups)" over "g = 2",
        // "g = 3" and "g = 4", ShuffleNet Table 1) groups them; it does not make them one.
        // Over prose (GPT-2's sample tables) the pieces are one text cut at word gaps.
        let spanned = spanned && !(numbers(prev) || numbers(&col));
        if same_cell && (spanned || !(named(prev) && named(&col))) {
            prev.1 = prev.1.max(col.1);
        } else {
            out.push(col);
        }
    }
    out
}

type Placed = (usize, usize, usize, Vec<Token>);

/// Rows of a booktabs-style table: one text row each, except a vertically centred `\multirow`
/// line, which joins the row above it.
fn multirow_groups(rows: &[TextRow], placed: &[Placed]) -> Vec<Vec<usize>> {
    // The usual pitch between records; a centred line sits about half of it from each neighbour.
    let em = median(rows.iter().map(|r| r.bottom - r.top).collect());
    let pitch = median(
        rows.windows(2)
            .map(|w| w[1].baseline - w[0].baseline)
            .filter(|d| *d >= 0.9 * em)
            .collect(),
    );
    let filled = |r: usize| -> Vec<(usize, usize)> {
        placed
            .iter()
            .filter(|p| p.0 == r)
            .map(|p| (p.1, p.2))
            .collect()
    };
    let disjoint = |a: &[(usize, usize)], b: &[(usize, usize)]| {
        a.iter().all(|x| b.iter().all(|y| x.1 < y.0 || y.1 < x.0))
    };
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for r in 0..rows.len() {
        let mine = filled(r);
        let centred = r > 0
            && r + 1 < rows.len()
            && rows[r].baseline - rows[r - 1].baseline < 0.8 * pitch
            && rows[r + 1].baseline - rows[r].baseline < 0.8 * pitch
            && disjoint(&mine, &filled(r - 1))
            && disjoint(&mine, &filled(r + 1));
        match groups.last_mut() {
            Some(g) if centred && !multiplier_row(&rows[r]) => g.push(r),
            _ => groups.push(vec![r]),
        }
    }
    groups
}

/// "5×", "×5", "5x": how many times a group of rows repeats, printed once beside the group.
fn multiplier(text: &str) -> bool {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    t.strip_suffix(['×', 'x']).is_some_and(digits) || t.strip_prefix(['×', 'x']).is_some_and(digits)
}

/// A text line holding nothing but a repeat count.
fn multiplier_row(r: &TextRow) -> bool {
    let text: String = r.tokens.iter().map(|t| t.text.as_str()).collect();
    multiplier(&text)
}

/// A repeat count set between the rows of its group ("5×" centred beside two layers that
/// repeat five times, MobileNet-style) goes with each of them: its row is removed and its text
/// set before each neighbour's cell in its column.
fn expand_multipliers(out: &mut [Vec<String>], groups: &[Vec<usize>], rows: &[TextRow]) {
    for g in 1..groups.len().saturating_sub(1) {
        if groups[g].len() != 1 || !multiplier_row(&rows[groups[g][0]]) {
            continue;
        }
        for c in 0..out[g].len() {
            let count = std::mem::take(&mut out[g][c]);
            if count.is_empty() {
                continue;
            }
            for n in [g - 1, g + 1] {
                let cell = &mut out[n][c];
                *cell = if cell.is_empty() {
                    count.clone()
                } else {
                    format!("{count} {cell}")
                };
            }
        }
    }
}

/// Rows of a ruled table: text rows between the same two horizontal rules form one row when
/// their lines do not line up across columns (a multi-line cell); otherwise each is a row.
fn band_groups(
    rows: &[TextRow],
    placed: &[Placed],
    horizontals: &[(f64, f64, f64)],
) -> Vec<Vec<usize>> {
    let band_of = |r: &TextRow| {
        let mid = (r.top + r.bottom) / 2.0;
        horizontals.iter().filter(|h| h.0 < mid).count()
    };
    let mut bands: Vec<Vec<usize>> = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        match bands.last_mut() {
            Some(b) if band_of(&rows[b[0]]) == band_of(r) => b.push(i),
            _ => bands.push(vec![i]),
        }
    }
    let mut groups = Vec::new();
    for band in bands {
        let cols_of = |r: usize| -> Vec<usize> {
            let mut v: Vec<usize> = placed
                .iter()
                .filter(|p| p.0 == r)
                .flat_map(|p| p.1..=p.2)
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        let all: Vec<usize> = {
            let mut v: Vec<usize> = band.iter().flat_map(|&r| cols_of(r)).collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        let aligned = band.iter().all(|&r| cols_of(r) == all);
        // Records that line up among themselves beside a repeat count: a row group.
        let records: Vec<usize> = band
            .iter()
            .copied()
            .filter(|&r| !multiplier_row(&rows[r]))
            .collect();
        let grouped = records.len() >= 2
            && records.len() < band.len()
            && records.iter().all(|&r| cols_of(r) == cols_of(records[0]));
        // A band of records without rules between them (MobileNetV2's Table 2: eleven layers
        // under one rule, the last with its stride cell left blank): every line has its row
        // header and misses at most one column, and at least two lines fill every column. A
        // multi-line cell leaves the row header (and the other one-line cells) on one line only.
        let full = band.iter().filter(|&&r| cols_of(r) == all).count();
        let records_each = all.len() >= 3
            && full >= 2
            && band.iter().all(|&r| {
                let cols = cols_of(r);
                cols.first() == all.first() && cols.len() + 1 >= all.len()
            });
        // Records in pairs under a row header set once (MobileNetV2's Table 7: "MNet V1" beside
        // output strides 16 and 8, each line with its own mIOU, params and MAdds): at least
        // three columns hold a number of their own on every line. A stacked cell has its
        // lines in some columns only, and the one-line cells beside it on one line.
        let numbers_each = band.len() >= 2
            && records.len() == band.len()
            && (0..=all.last().copied().unwrap_or(0))
                .filter(|&c| {
                    band.iter().all(|&r| {
                        placed.iter().any(|p| {
                            p.0 == r
                                && (p.1, p.2) == (c, c)
                                && p.3
                                    .iter()
                                    .any(|t| t.text.chars().any(|ch| ch.is_ascii_digit()))
                        })
                    })
                })
                .count()
                >= 3;
        if aligned || grouped || records_each || numbers_each {
            groups.extend(band.into_iter().map(|r| vec![r]));
        } else {
            groups.push(band);
        }
    }
    groups
}

/// In a ruled table, a cell with no horizontal rule above it continues the cell above (a
/// `\multirow` drawn without a rule through it): its text moves up to the top of the span.
fn continue_unruled_cells(
    cells: &mut [Vec<Vec<Token>>],
    groups: &[Vec<usize>],
    rows: &[TextRow],
    columns: &[(f64, f64)],
    horizontals: &[(f64, f64, f64)],
) {
    for g in (1..groups.len()).rev() {
        let above_bottom = groups[g - 1]
            .iter()
            .map(|&r| rows[r].baseline)
            .fold(f64::MIN, f64::max);
        let top = groups[g]
            .iter()
            .map(|&r| rows[r].baseline - 0.7 * (rows[r].bottom - rows[r].top))
            .fold(f64::MAX, f64::min);
        // Rows of one band (no rule between them) are separate records, not spans.
        let rules_between: Vec<&(f64, f64, f64)> = horizontals
            .iter()
            .filter(|h| h.0 > above_bottom - 1.0 && h.0 < top + 1.0)
            .collect();
        if rules_between.is_empty() {
            continue;
        }
        for (c, col) in columns.iter().enumerate() {
            let mid = (col.0 + col.1) / 2.0;
            let crossed = rules_between.iter().any(|h| h.1 <= mid && h.2 >= mid);
            if !crossed && !cells[g][c].is_empty() && cells[g - 1][c].is_empty() {
                let moved = std::mem::take(&mut cells[g][c]);
                cells[g - 1][c] = moved;
            }
        }
    }
}

/// The text of one cell: vertical strips separated by wide gaps, left to right; each strip's
/// lines top to bottom; words left to right; single spaces.
fn cell_text(tokens: &[Token], em: f64) -> String {
    if tokens.is_empty() {
        return String::new();
    }
    let mut by_x: Vec<&Token> = tokens.iter().collect();
    by_x.sort_by(|a, b| a.bbox.x0.total_cmp(&b.bbox.x0));
    // (right edge, top baseline, tokens). A token on the strip's top line continues that line
    // whatever the gap: only a block beside the lines (the "×2" next to a bracket) is a strip.
    let mut strips: Vec<(f64, f64, Vec<&Token>)> = Vec::new();
    for t in by_x {
        match strips.last_mut() {
            Some(s) if t.bbox.x0 - s.0 <= 0.6 * em || (t.baseline - s.1).abs() < 0.35 * em => {
                s.0 = s.0.max(t.bbox.x1);
                s.1 = s.1.min(t.baseline);
                s.2.push(t);
            }
            _ => strips.push((t.bbox.x1, t.baseline, vec![t])),
        }
    }
    let mut words: Vec<&str> = Vec::new();
    for (_, _, mut strip) in strips {
        strip.sort_by(|a, b| {
            let same = (a.baseline - b.baseline).abs() < 0.35 * em;
            if same {
                a.bbox.x0.total_cmp(&b.bbox.x0)
            } else {
                a.baseline.total_cmp(&b.baseline)
            }
        });
        words.extend(strip.iter().map(|t| t.text.as_str()));
    }
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page from text lines (text, x, baseline, size) and graphics, analysed as the engine's
    /// pages are.
    fn page_of(graphics: Vec<crate::page::Graphic>, texts: &[(&str, f64, f64, f64)]) -> PageLayout {
        let glyphs = texts
            .iter()
            .flat_map(|(t, x, y, s)| crate::text::tests::glyphs_at(t, *x, *y, *s))
            .collect();
        crate::page::analyze_page(
            1,
            &crate::page::PageInput {
                width: 612.0,
                height: 792.0,
                glyphs,
                graphics,
            },
            10.0,
        )
    }

    const PROSE: &str = "This is running body text that fills the whole column width nicely";

    #[test]
    fn notes_set_small_under_a_table_belong_to_it() {
        // A table with its caption below; between them two notes in a smaller font, whole
        // sentences. Running text (at the body size) follows the caption.
        let hrule = |y: f64| crate::page::Graphic {
            bbox: Rect::new(72.0, y, 400.0, y + 0.5),
            kind: GraphicKind::Path,
        };
        let page = page_of(
            vec![hrule(96.0), hrule(112.0), hrule(166.0)],
            &[
                (PROSE, 72.0, 60.0, 10.0),
                (PROSE, 72.0, 72.0, 10.0),
                ("Model", 80.0, 108.0, 9.0),
                ("Params", 220.0, 108.0, 9.0),
                ("FLOPs", 330.0, 108.0, 9.0),
                ("Small", 80.0, 126.0, 9.0),
                ("3.9M", 220.0, 126.0, 9.0),
                ("2.5B", 330.0, 126.0, 9.0),
                ("Large", 80.0, 140.0, 9.0),
                ("52M", 220.0, 140.0, 9.0),
                ("325B", 330.0, 140.0, 9.0),
                ("Huge", 80.0, 154.0, 9.0),
                ("209M", 220.0, 154.0, 9.0),
                ("3045B", 330.0, 154.0, 9.0),
                (
                    "We leave out the ensemble results of the other papers here.",
                    80.0,
                    178.0,
                    8.0,
                ),
                (
                    "Results marked with a dagger come from the papers we cite.",
                    80.0,
                    188.0,
                    8.0,
                ),
                (
                    "Table 2: Models and their sizes on the test set.",
                    72.0,
                    210.0,
                    10.0,
                ),
                (PROSE, 72.0, 240.0, 10.0),
                (PROSE, 72.0, 252.0, 10.0),
                (PROSE, 72.0, 264.0, 10.0),
            ],
        );
        let caps = crate::figures::select_captions(std::slice::from_ref(&page));
        let tables = find_tables(std::slice::from_ref(&page), &caps);
        assert_eq!(tables.len(), 1, "{tables:?}");
        let t = &tables[0];
        assert!(t.bbox.y0 < 100.0 && t.bbox.y1 < 200.0, "{:?}", t.bbox);
        assert_eq!(t.cells[0][..3], ["Model", "Params", "FLOPs"]);
        assert!(
            t.cells.iter().any(|r| r[..3] == ["Huge", "209M", "3045B"]),
            "{:?}",
            t.cells
        );
    }

    /// A token of `text` at `x` on `baseline`, 5 pt per character at 10 pt.
    fn tok(text: &str, x: f64, baseline: f64) -> Token {
        let w = 5.0 * text.chars().count() as f64;
        Token {
            text: text.to_string(),
            bbox: Rect::new(x, baseline - 8.0, x + w, baseline + 2.0),
            baseline,
            size: 10.0,
        }
    }

    /// Tokens of a row: cells at the given x positions, words in a cell 2.5 pt apart.
    fn row(cells: &[(&str, f64)], baseline: f64) -> Vec<Token> {
        let mut out = Vec::new();
        for (text, x) in cells {
            let mut cx = *x;
            for w in text.split(' ') {
                out.push(tok(w, cx, baseline));
                cx += 5.0 * w.chars().count() as f64 + 2.5;
            }
        }
        out
    }

    fn hrule(y: f64, x0: f64, x1: f64) -> Rect {
        Rect::new(x0, y - 0.2, x1, y + 0.2)
    }

    fn vrule(x: f64, y0: f64, y1: f64) -> Rect {
        Rect::new(x - 0.2, y0, x + 0.2, y1)
    }

    fn strings(rows: &[&[&str]]) -> Vec<Vec<String>> {
        rows.iter()
            .map(|r| r.iter().map(|s| s.to_string()).collect())
            .collect()
    }

    #[test]
    fn booktabs_table_with_numeric_columns_and_plus_minus() {
        let mut t = row(
            &[("Model", 100.0), ("Top-1", 200.0), ("Params", 280.0)],
            100.0,
        );
        t.extend(row(
            &[
                ("ResNet-50", 100.0),
                ("76.1 ± 0.2", 190.0),
                ("25.6M", 280.0),
            ],
            114.0,
        ));
        t.extend(row(
            &[("ViT-B/16", 100.0), ("77.9 ± 0.1", 190.0), ("86M", 290.0)],
            126.0,
        ));
        let rules = [
            hrule(88.0, 95.0, 320.0),
            hrule(105.0, 95.0, 320.0),
            hrule(131.0, 95.0, 320.0),
        ];
        assert_eq!(
            grid_from_tokens(&t, &rules),
            strings(&[
                &["Model", "Top-1", "Params"],
                &["ResNet-50", "76.1 ± 0.2", "25.6M"],
                &["ViT-B/16", "77.9 ± 0.1", "86M"],
            ])
        );
    }

    #[test]
    fn spanning_header_keeps_its_text_in_the_first_column() {
        let mut t = row(&[("Method", 100.0), ("ImageNet accuracy", 200.0)], 100.0);
        t.extend(row(&[("top-1", 190.0), ("top-5", 250.0)], 112.0));
        t.extend(row(
            &[("A", 100.0), ("70.1", 190.0), ("89.0", 250.0)],
            124.0,
        ));
        assert_eq!(
            grid_from_tokens(&t, &[]),
            strings(&[
                &["Method", "ImageNet accuracy", ""],
                &["", "top-1", "top-5"],
                &["A", "70.1", "89.0"],
            ])
        );
    }

    #[test]
    fn vertically_centred_multirow_joins_the_row_above() {
        let mut t = row(&[("x", 150.0), ("1", 200.0)], 100.0);
        t.extend(row(&[("Group", 100.0)], 106.0));
        t.extend(row(&[("y", 150.0), ("2", 200.0)], 112.0));
        t.extend(row(&[("Solo", 100.0), ("z", 150.0), ("3", 200.0)], 124.0));
        assert_eq!(
            grid_from_tokens(&t, &[]),
            strings(&[&["Group", "x", "1"], &["", "y", "2"], &["Solo", "z", "3"],])
        );
    }

    #[test]
    fn ruled_table_keeps_stacked_lines_in_one_cell() {
        // | layer | block        |
        // | conv2 | [3x3, 64] x2 |
        // |       | [3x3, 64]    |
        let mut t = row(&[("layer", 100.0), ("block", 160.0)], 100.0);
        t.extend(row(&[("3x3, 64", 160.0)], 114.0));
        t.extend(row(&[("conv2", 100.0), ("x2", 210.0)], 119.0));
        t.extend(row(&[("3x3, 64", 160.0)], 124.0));
        let rules = [
            hrule(90.0, 95.0, 240.0),
            hrule(104.0, 95.0, 240.0),
            hrule(130.0, 95.0, 240.0),
            vrule(150.0, 90.0, 130.0),
        ];
        assert_eq!(
            grid_from_tokens(&t, &rules),
            strings(&[&["layer", "block"], &["conv2", "3x3, 64 3x3, 64 x2"]])
        );
    }

    #[test]
    fn records_under_one_rule_stay_rows_when_one_leaves_a_cell_blank() {
        // MobileNetV2's Table 2: layers under one rule, vertical rules between the columns,
        // the last layer's stride left blank. Each line is a layer, never one merged row.
        let cols = [100.0, 160.0, 220.0, 250.0, 280.0, 300.0];
        let line = |cells: &[&str], y: f64| {
            let placed: Vec<(&str, f64)> = cells
                .iter()
                .zip(cols)
                .filter(|(c, _)| !c.is_empty())
                .map(|(c, x)| (*c, x))
                .collect();
            row(&placed, y)
        };
        let mut t = line(&["Input", "Operator", "t", "c", "n", "s"], 100.0);
        t.extend(line(&["224", "conv2d", "-", "32", "1", "2"], 116.0));
        t.extend(line(&["112", "bottleneck", "1", "16", "1", "1"], 128.0));
        t.extend(line(&["7", "avgpool", "-", "-", "1", "-"], 140.0));
        t.extend(line(&["1", "conv2d", "-", "k", "-", ""], 152.0));
        let mut rules = vec![
            hrule(90.0, 95.0, 315.0),
            hrule(105.0, 95.0, 315.0),
            hrule(158.0, 95.0, 315.0),
        ];
        rules.extend([150.0, 210.0, 240.0, 270.0, 295.0].map(|x| vrule(x, 90.0, 158.0)));
        assert_eq!(
            grid_from_tokens(&t, &rules),
            strings(&[
                &["Input", "Operator", "t", "c", "n", "s"],
                &["224", "conv2d", "-", "32", "1", "2"],
                &["112", "bottleneck", "1", "16", "1", "1"],
                &["7", "avgpool", "-", "-", "1", "-"],
                &["1", "conv2d", "-", "k", "-", ""],
            ])
        );
    }

    #[test]
    fn record_pairs_under_a_row_header_set_once_stay_two_rows() {
        // MobileNetV2's Table 7: "MNet V1" once beside output strides 16 and 8, a check mark
        // in MF only on the second line, both lines with their own mIOU, params and MAdds.
        let cols = [100.0, 160.0, 190.0, 215.0, 250.0, 290.0];
        let line = |cells: &[&str], y: f64| {
            let placed: Vec<(&str, f64)> = cells
                .iter()
                .zip(cols)
                .filter(|(c, _)| !c.is_empty())
                .map(|(c, x)| (*c, x))
                .collect();
            row(&placed, y)
        };
        let mut t = line(&["Network", "OS", "MF", "mIOU", "Params", "MAdds"], 100.0);
        t.extend(line(
            &["MNet", "16", "", "75.29", "11.15M", "14.25B"],
            116.0,
        ));
        t.extend(line(&["", "8", "v", "78.56", "11.15M", "941.9B"], 128.0));
        t.extend(line(
            &["ResNet", "16", "", "80.49", "58.16M", "81.0B"],
            144.0,
        ));
        t.extend(line(&["", "8", "v", "82.70", "58.16M", "4870B"], 156.0));
        let mut rules = vec![
            hrule(90.0, 95.0, 330.0),
            hrule(105.0, 95.0, 330.0),
            hrule(135.0, 95.0, 330.0),
            hrule(162.0, 95.0, 330.0),
        ];
        rules.extend([150.0, 240.0].map(|x| vrule(x, 90.0, 162.0)));
        assert_eq!(
            grid_from_tokens(&t, &rules),
            strings(&[
                &["Network", "OS", "MF", "mIOU", "Params", "MAdds"],
                &["MNet", "16", "", "75.29", "11.15M", "14.25B"],
                &["", "8", "v", "78.56", "11.15M", "941.9B"],
                &["ResNet", "16", "", "80.49", "58.16M", "81.0B"],
                &["", "8", "v", "82.70", "58.16M", "4870B"],
            ])
        );
    }

    #[test]
    fn cell_without_rule_above_continues_the_cell_above() {
        // A layer name spanning two ruled rows; the rule between them stops at column 2.
        let mut t = row(&[("a", 100.0), ("pool", 160.0)], 100.0);
        t.extend(row(&[("b", 100.0), ("conv", 160.0)], 115.0));
        let rules = [
            hrule(90.0, 95.0, 240.0),
            hrule(107.0, 150.0, 240.0),
            hrule(120.0, 95.0, 240.0),
            vrule(150.0, 90.0, 120.0),
        ];
        // "b" has no rule above it, so it continues column 1's cell... which already holds "a":
        // both are separate text and stay where they are.
        assert_eq!(
            grid_from_tokens(&t, &rules),
            strings(&[&["a", "pool"], &["b", "conv"]])
        );
        let mut t = row(&[("pool", 160.0)], 100.0);
        t.extend(row(&[("conv2", 100.0), ("conv", 160.0)], 115.0));
        assert_eq!(
            grid_from_tokens(&t, &rules),
            strings(&[&["conv2", "pool"], &["", "conv"]])
        );
    }

    #[test]
    fn tightly_set_numbers_split_into_the_columns_other_rows_define() {
        let mut t = row(&[("A", 100.0), ("82.3", 150.0), ("91.2", 176.0)], 100.0);
        t.extend(row(&[("B", 100.0), ("1.0", 150.0), ("2.0", 180.0)], 112.0));
        assert_eq!(
            grid_from_tokens(&t, &[]),
            strings(&[&["A", "82.3", "91.2"], &["B", "1.0", "2.0"]])
        );
    }

    #[test]
    fn accent_glyphs_become_combining_marks_on_their_letter() {
        let mut t = row(&[("Fi", 100.0), ("Hˆi", 150.0), ("x^2", 200.0)], 100.0);
        // A hat over the F, drawn 4 pt higher as a glyph of its own.
        t.push(tok("ˆ", 101.0, 96.0));
        t.extend(row(&[("a", 100.0), ("b", 150.0), ("c", 200.0)], 112.0));
        assert_eq!(
            grid_from_tokens(&t, &[]),
            strings(&[&["F\u{302}i", "H\u{302}i", "x^2"], &["a", "b", "c"]])
        );
    }

    /// MobileNet-style: "5×" centred beside two layers that repeat five times, as
    /// `\multirow{2}{*}{5$\times$}` sets it, in a plain and in a ruled table.
    #[test]
    fn a_repeat_count_goes_with_each_row_of_its_group() {
        let mut t = row(
            &[("Conv / s1", 100.0), ("3×3×32", 200.0), ("112", 280.0)],
            100.0,
        );
        t.extend(row(&[("5×", 70.0)], 106.0));
        t.extend(row(
            &[("Conv dw / s1", 100.0), ("1×1×512", 200.0), ("14", 280.0)],
            112.0,
        ));
        t.extend(row(
            &[("Avg Pool", 100.0), ("7×7", 200.0), ("7", 280.0)],
            124.0,
        ));
        t.extend(row(
            &[("Type", 100.0), ("Filter", 200.0), ("Input", 280.0)],
            80.0,
        ));
        let want = strings(&[
            &["", "Type", "Filter", "Input"],
            &["5×", "Conv / s1", "3×3×32", "112"],
            &["5×", "Conv dw / s1", "1×1×512", "14"],
            &["", "Avg Pool", "7×7", "7"],
        ]);
        assert_eq!(grid_from_tokens(&t, &[]), want);
        let rules = [
            hrule(70.0, 65.0, 300.0),
            hrule(90.0, 65.0, 300.0),
            hrule(116.0, 65.0, 300.0),
            hrule(128.0, 65.0, 300.0),
            vrule(95.0, 70.0, 128.0),
            vrule(190.0, 70.0, 128.0),
            vrule(270.0, 70.0, 128.0),
        ];
        assert_eq!(grid_from_tokens(&t, &rules), want);
        assert!(multiplier("5×") && multiplier("×2") && multiplier("5 x"));
        assert!(!multiplier("5") && !multiplier("x") && !multiplier("3×3"));
    }

    /// Lines above the rule under a table's first line are joined into one header only when
    /// they are header lines: GroupNorm's Table 8 puts "clip length | 32 | 32 | 64" and
    /// "batch size | 8 | 4 | 4" there, two records.
    #[test]
    fn header_lines_join_but_records_above_the_rule_do_not() {
        let mut t = row(
            &[("Stage", 100.0), ("Operator", 160.0), ("Channels", 240.0)],
            100.0,
        );
        t.extend(row(&[("i", 110.0), ("F_i", 170.0), ("C_i", 250.0)], 112.0));
        t.extend(row(
            &[("1", 110.0), ("Conv3x3", 160.0), ("32", 250.0)],
            128.0,
        ));
        t.extend(row(
            &[("2", 110.0), ("MBConv1", 160.0), ("16", 250.0)],
            140.0,
        ));
        let rules = [
            hrule(90.0, 95.0, 300.0),
            hrule(117.0, 95.0, 300.0),
            hrule(145.0, 95.0, 300.0),
        ];
        assert_eq!(
            grid_from_tokens(&t, &rules),
            strings(&[
                &["Stage i", "Operator F_i", "Channels C_i"],
                &["1", "Conv3x3", "32"],
                &["2", "MBConv1", "16"],
            ])
        );
        let mut t = row(
            &[("clip length", 100.0), ("32", 200.0), ("64", 250.0)],
            100.0,
        );
        t.extend(row(
            &[("batch size", 100.0), ("8", 200.0), ("4", 250.0)],
            112.0,
        ));
        t.extend(row(
            &[("BN", 100.0), ("73.3", 200.0), ("73.3", 250.0)],
            128.0,
        ));
        t.extend(row(
            &[("GN", 100.0), ("73.0", 200.0), ("74.5", 250.0)],
            140.0,
        ));
        assert_eq!(
            grid_from_tokens(&t, &rules),
            strings(&[
                &["clip length", "32", "64"],
                &["batch size", "8", "4"],
                &["BN", "73.3", "73.3"],
                &["GN", "73.0", "74.5"],
            ])
        );
    }

    #[test]
    fn a_header_spanning_ruled_columns_of_numbers_keeps_them_apart() {
        // ShuffleNet Table 1: "Output channels (g groups)" over "g = 2", "g = 3" and "g = 4",
        // between the same two vertical rules; the three columns came out as one cell
        // "200 240 272".
        let mut t = row(&[("Output channels", 150.0)], 100.0);
        t.extend(row(
            &[
                ("Layer", 20.0),
                ("g=1", 100.0),
                ("g=2", 140.0),
                ("g=3", 180.0),
                ("g=4", 220.0),
            ],
            112.0,
        ));
        t.extend(row(
            &[
                ("Stage2", 20.0),
                ("144", 100.0),
                ("200", 140.0),
                ("240", 180.0),
                ("272", 220.0),
            ],
            126.0,
        ));
        t.extend(row(
            &[
                ("Stage3", 20.0),
                ("288", 100.0),
                ("400", 140.0),
                ("480", 180.0),
                ("544", 220.0),
            ],
            138.0,
        ));
        let rules = [
            hrule(88.0, 15.0, 245.0),
            hrule(116.0, 15.0, 245.0),
            hrule(142.0, 15.0, 245.0),
            vrule(15.0, 88.0, 142.0),
            vrule(60.0, 88.0, 142.0),
            vrule(245.0, 88.0, 142.0),
        ];
        assert_eq!(
            grid_from_tokens(&t, &rules),
            strings(&[
                &["Layer", "g=1", "Output channels g=2", "g=3", "g=4"],
                &["Stage2", "144", "200", "240", "272"],
                &["Stage3", "288", "400", "480", "544"],
            ])
        );
    }

    #[test]
    fn vertical_rule_splits_cells_set_closer_than_a_column_gap() {
        let t = row(&[("left", 100.0), ("right", 124.0)], 100.0);
        let rules = [
            hrule(90.0, 95.0, 200.0),
            hrule(105.0, 95.0, 200.0),
            vrule(122.0, 90.0, 105.0),
            vrule(95.0, 90.0, 105.0),
        ];
        assert_eq!(grid_from_tokens(&t, &rules), strings(&[&["left", "right"]]));
    }
}
