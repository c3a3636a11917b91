//! `paper.md`: the paper in reading order, figures, tables and equations replaced by links to
//! their files.
//!
//! Section headings ([`pdf_layout::sections`]) become Markdown headings one level below the
//! title (`## 3 Method`, `### 3.4 Implementation`); running text becomes paragraphs with
//! end-of-line hyphens joined; a figure or table caption becomes a link to its crop (or table
//! file) followed by the caption; a display equation becomes a link to its crop with its number
//! and linear text. Running headers, page numbers and footnotes are left out, and so is the text
//! inside figures and tables (their labels and cells are in the crops and table files).

use crate::equations::EquationEntry;
use crate::error::Error;
use crate::extract::Figure;
use crate::structure::Context;
use crate::tables::TableEntry;
use pdf_layout::hyphens::{Vocabulary, join_lines};
use pdf_layout::sections::{Heading, sections};
use pdf_layout::{BlockRole, CaptionKind, Line, PageLayout, PlacedBlock, Rect};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Writes `paper.md` into `files`; returns its path, if written.
pub fn write(
    ctx: &Context<'_>,
    figures: &[Figure],
    tables: &[TableEntry],
    equations: &[EquationEntry],
    files: &mut BTreeMap<String, Vec<u8>>,
) -> Result<Option<String>, Error> {
    let md = render(ctx.layouts, figures, tables, equations);
    let name = "paper.md".to_string();
    files.insert(name.clone(), md.into_bytes());
    Ok(Some(name))
}

fn rect(a: &[f64; 4]) -> Rect {
    Rect::new(a[0], a[1], a[2], a[3])
}

/// The Markdown text of the paper.
pub fn render(
    layouts: &[PageLayout],
    figures: &[Figure],
    tables: &[TableEntry],
    equations: &[EquationEntry],
) -> String {
    let vocabulary = Vocabulary::of_pages(layouts);
    let headings = sections(layouts);
    let body = pdf_layout::sections::body_size(layouts);
    let mut out = String::new();
    let mut eq_done = vec![false; equations.len()];
    let title = title_block(layouts, &headings);
    // The last running-text paragraph written, which the next block may continue.
    let mut open: Option<Open> = None;
    for layout in layouts {
        let page = layout.number;
        let regions: Vec<Rect> = figures
            .iter()
            .filter(|f| f.page == page)
            .map(|f| rect(&f.bbox))
            .chain(
                tables
                    .iter()
                    .filter(|t| t.page == page)
                    .map(|t| rect(&t.bbox)),
            )
            .collect();
        let page_eqs: Vec<usize> = (0..equations.len())
            .filter(|&i| equations[i].page == page)
            .collect();
        let _ = writeln!(out, "<!-- page {page} -->\n");
        let mut paragraph: Vec<&Line> = Vec::new();
        for (k, placed) in layout.blocks.iter().enumerate() {
            let heading = headings.iter().find(|h| h.page == page && h.block == k);
            let lines = &placed.block.lines;
            match placed.role {
                BlockRole::Margin => continue,
                BlockRole::Caption => {
                    flush(&mut out, &mut paragraph, &vocabulary);
                    caption(&mut out, placed, page, figures, tables, &vocabulary);
                    continue;
                }
                BlockRole::Body | BlockRole::Other => {}
            }
            if heading.is_none() && is_footnote(layout, placed, body) {
                continue;
            }
            if title == Some((page, k)) {
                flush(&mut out, &mut paragraph, &vocabulary);
                let text = join_lines(lines.iter().map(Line::text), &vocabulary);
                let _ = writeln!(out, "# {text}\n");
                continue;
            }
            let mut skip_first = false;
            if let Some(h) = heading {
                flush(&mut out, &mut paragraph, &vocabulary);
                heading_line(&mut out, h);
                // The heading's own line is replaced; a run-in "Abstract—We ..." stays as text.
                let alnum =
                    |t: &str| -> String { t.chars().filter(|c| c.is_alphanumeric()).collect() };
                let own = format!("{}{}", h.number.as_deref().unwrap_or(""), h.title);
                skip_first = alnum(&lines[0].text()) == alnum(&own);
            }
            let in_region = |r: &Rect| {
                regions.iter().any(|g| {
                    g.inflate(2.0)
                        .intersect(r)
                        .is_some_and(|i| i.area() > 0.5 * r.area())
                })
            };
            if placed.role == BlockRole::Other && heading.is_none() && in_region(&placed.block.bbox)
            {
                continue;
            }
            let block_is_paragraph = placed.role == BlockRole::Body;
            if !block_is_paragraph {
                flush(&mut out, &mut paragraph, &vocabulary);
            }
            for (li, line) in lines.iter().enumerate() {
                if li == 0 && skip_first {
                    continue;
                }
                let eq = page_eqs.iter().copied().find(|&i| {
                    let r = rect(&equations[i].bbox).inflate(1.0);
                    let (cx, cy) = line.bbox.center();
                    r.contains_point(cx, cy) || is_number_of(line, &r)
                });
                match eq {
                    Some(i) => {
                        flush(&mut out, &mut paragraph, &vocabulary);
                        if !eq_done[i] {
                            eq_done[i] = true;
                            equation(&mut out, &equations[i]);
                        }
                    }
                    None if placed.role == BlockRole::Other && in_region(&line.bbox) => {}
                    None => paragraph.push(line),
                }
            }
            // A line of running text alone at the top of a column is not a body block to the
            // layout, but it can end the paragraph before it.
            let body_size = placed.block.size() >= 0.95 * body;
            if body_size {
                let here = Open {
                    start: 0,
                    end: 0,
                    page,
                    bbox: placed.block.bbox,
                };
                // Only a running-text block leaves its paragraph open to the next.
                let may_open = block_is_paragraph;
                flush_continuing(
                    &mut out,
                    &mut paragraph,
                    &vocabulary,
                    &mut open,
                    here,
                    may_open,
                );
            } else {
                flush(&mut out, &mut paragraph, &vocabulary);
            }
            // A display drawn without text (see `pdf_layout::equations`) holds no line to put
            // it in place: it follows the running text it is drawn under.
            if block_is_paragraph {
                let b = placed.block.bbox;
                for &i in &page_eqs {
                    let e = rect(&equations[i].bbox);
                    let under = e.y0 >= b.y1 - 1.0
                        && e.y0 <= b.y1 + 2.0 * body.max(1.0)
                        && e.x0 >= b.x0 - 2.0
                        && e.x1 <= b.x1 + 2.0;
                    if !eq_done[i] && equations[i].text.is_empty() && under {
                        flush(&mut out, &mut paragraph, &vocabulary);
                        eq_done[i] = true;
                        equation(&mut out, &equations[i]);
                    }
                }
            }
        }
        flush(&mut out, &mut paragraph, &vocabulary);
        for i in page_eqs {
            if !eq_done[i] {
                eq_done[i] = true;
                equation(&mut out, &equations[i]);
            }
        }
    }
    out
}

/// The paper's title: the largest running text on the first page above the first heading.
fn title_block(layouts: &[PageLayout], headings: &[Heading]) -> Option<(usize, usize)> {
    let first = layouts.first()?;
    let stop = headings
        .iter()
        .find(|h| h.page == first.number)
        .map_or(first.blocks.len(), |h| h.block);
    first.blocks[..stop]
        .iter()
        .enumerate()
        .filter(|(_, b)| b.role == BlockRole::Body && b.block.lines.len() <= 3)
        .max_by(|a, b| a.1.block.size().total_cmp(&b.1.block.size()))
        .map(|(k, _)| (first.number, k))
}

/// A lone "(4)" beside an equation box.
fn is_number_of(line: &Line, eq: &Rect) -> bool {
    line.words.len() == 1
        && pdf_layout::equations::equation_number(&line.words[0].text).is_some()
        && line.bbox.y0 < eq.y1
        && line.bbox.y1 > eq.y0
}

fn heading_line(out: &mut String, h: &Heading) {
    let hashes = "#".repeat(usize::from(h.level.clamp(1, 5)) + 1);
    match &h.number {
        Some(n) => {
            let _ = writeln!(out, "{hashes} {n} {}\n", h.title);
        }
        None => {
            let _ = writeln!(out, "{hashes} {}\n", h.title);
        }
    }
}

fn caption(
    out: &mut String,
    placed: &PlacedBlock,
    page: usize,
    figures: &[Figure],
    tables: &[TableEntry],
    vocabulary: &Vocabulary,
) {
    let text = join_lines(placed.block.lines.iter().map(Line::text), vocabulary);
    let Some(start) = &placed.caption else {
        let _ = writeln!(out, "{text}\n");
        return;
    };
    // A table's caption comes from its entry: the layout can stack the table's header row onto
    // the caption block, and the tables pass has already cut it off.
    let file = match start.kind {
        CaptionKind::Figure => figures
            .iter()
            .find(|f| f.page == page && f.id == start.id)
            .map(|f| (format!("Figure {}", f.id), f.file.clone(), text.clone())),
        CaptionKind::Table => tables
            .iter()
            .find(|t| t.page == page && t.id == start.id)
            .map(|t| {
                (
                    format!("Table {}", t.id),
                    t.markdown.clone(),
                    t.caption.clone(),
                )
            }),
    };
    match file {
        Some((label, file, text)) => {
            let _ = writeln!(out, "[{label}]({file})\n\n> {text}\n");
        }
        None => {
            let _ = writeln!(out, "> {text}\n");
        }
    }
}

fn equation(out: &mut String, e: &EquationEntry) {
    let label = match &e.number {
        Some(n) => format!("Equation ({n})"),
        None => "Equation".to_string(),
    };
    if e.text.is_empty() {
        // Drawn as outlines: there is no text to give, and saying so keeps it from being
        // read as an empty formula.
        let _ = writeln!(
            out,
            "[{label}]({}): drawn without text in the PDF; transcribe it from the crop\n",
            e.file
        );
        return;
    }
    let _ = writeln!(
        out,
        "[{label}]({}): `{}`\n",
        e.file,
        e.text.replace('`', "'")
    );
}

/// A running-text paragraph written to the Markdown: where its text starts and ends there,
/// and where its block is on the page.
#[derive(Clone, Copy)]
struct Open {
    start: usize,
    end: usize,
    page: usize,
    bbox: Rect,
}

/// Writes a block's paragraph. It continues the last running-text one written (`open`) when
/// the block starts a new column or page, only page breaks (and the footnotes and margins left
/// out) lie between them, and the text runs on: the last one has no sentence end and this one
/// starts in lower case (BERT's "... we always predicted the ma-" at the foot of page 15,
/// "jority class." on page 16). The page marker then follows the whole paragraph. Blocks of
/// one column are kept apart: the layout split them for a reason (a gap, an indent).
fn flush_continuing(
    out: &mut String,
    paragraph: &mut Vec<&Line>,
    vocabulary: &Vocabulary,
    open: &mut Option<Open>,
    here: Open,
    may_open: bool,
) {
    if paragraph.is_empty() {
        return;
    }
    let text = join_lines(paragraph.iter().map(|l| l.text()), vocabulary);
    paragraph.clear();
    if text.is_empty() {
        return;
    }
    if let Some(last) = *open {
        let only_page_breaks = out[last.end..]
            .split("\n\n")
            .all(|p| p.is_empty() || (p.starts_with("<!-- page ") && p.ends_with(" -->")));
        let new_column = here.page != last.page || here.bbox.y0 < last.bbox.y1;
        if only_page_breaks
            && new_column
            && !out[last.start..last.end].ends_with(['.', '!', '?', ':'])
            && text.starts_with(char::is_lowercase)
        {
            let breaks = out.split_off(last.end);
            let before = out.split_off(last.start);
            out.push_str(&join_lines([before.as_str(), text.as_str()], vocabulary));
            *open = Some(Open {
                start: last.start,
                end: out.len(),
                ..here
            });
            out.push_str(&breaks);
            return;
        }
    }
    let escaped = escape_start(out, &text);
    let start = out.len();
    out.push_str(&text);
    *open = (may_open && !escaped).then_some(Open {
        start,
        end: out.len(),
        ..here
    });
    out.push_str("\n\n");
}

/// Text that Markdown would read as a heading, quote or list item stays text: a backslash
/// before it. Whether one was written.
fn escape_start(out: &mut String, text: &str) -> bool {
    let escape = text.starts_with(['#', '>', '-', '*', '+', '=']);
    if escape {
        out.push('\\');
    }
    escape
}

fn flush(out: &mut String, paragraph: &mut Vec<&Line>, vocabulary: &Vocabulary) {
    if paragraph.is_empty() {
        return;
    }
    let text = join_lines(paragraph.iter().map(|l| l.text()), vocabulary);
    paragraph.clear();
    if !text.is_empty() {
        escape_start(out, &text);
        out.push_str(&text);
        out.push_str("\n\n");
    }
}

/// A footnote: a small-type block at the foot of the page, below the running text of its
/// column, starting with a marker (digit, asterisk, dagger).
fn is_footnote(layout: &PageLayout, placed: &PlacedBlock, body: f64) -> bool {
    let b = &placed.block;
    if b.size() > body * 0.92 || b.bbox.y0 < 0.6 * layout.height {
        return false;
    }
    let first = b.lines[0].text();
    let marker = first
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_digit() || matches!(c, '*' | '†' | '‡' | '§' | '¶'));
    let below_text = !layout.blocks.iter().any(|o| {
        o.role == BlockRole::Body
            && o.block.size() > body * 0.95
            && o.block.bbox.y0 > b.bbox.y1
            && o.block.bbox.x_overlap(&b.bbox) > 0.0
    });
    marker && below_text
}
