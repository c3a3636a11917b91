//! Display equations: math lines set apart from the running text, with their number.
//!
//! An equation number is a lone "(4)", "(A.1)", "(3b)" at the right (or left) edge of a column,
//! separated from whatever shares its baseline by more than a quad. The line fragments beside
//! it on the same baseline are the equation; lines stacked directly above and below that are
//! not prose (numerators, denominators, limits, the other lines of a `split` or `multline`) join
//! it. In-text references "(3)" sit inside a sentence with ordinary word spacing and are never
//! alone at the column edge, so they are not numbers.
//!
//! Unnumbered display equations are centred lines that hold math glyphs (Greek letters,
//! operators, sub- and superscripts, a fraction bar) and no prose, away from figures and tables.
//!
//! # Linear text
//! [`Equation::text`] is the glyphs read left to right, one display line after another joined by
//! `" ; "`, with these marks:
//! - a glyph set smaller than its line and raised is a superscript, lowered a subscript:
//!   `x_{i}`, `e^{-x}`, `x_{i}^{2}`;
//! - glyphs above and below a thin horizontal rule are a fraction: `frac(a, b)`;
//! - everything else (Greek, operators, digits) is kept as the Unicode the PDF maps it to.

use crate::geom::Rect;
use crate::page::{BlockRole, GraphicKind, PageLayout};
use crate::text::{Glyph, Line};
use serde::Serialize;

/// A display equation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Equation {
    /// Box of the equation's glyphs (and fraction bars), number excluded.
    pub bbox: Rect,
    /// The number as printed without parentheses ("4", "A.1"); `None` when unnumbered.
    pub number: Option<String>,
    /// Box of the printed number ("(4)"), kept out of `bbox`: a crop drawn with a margin
    /// around `bbox` must stop short of it.
    #[serde(skip)]
    pub number_box: Option<Rect>,
    /// 1-based page.
    pub page: usize,
    /// Linear Unicode text (see the module documentation for the marks).
    pub text: String,
}

/// One line of the page with where it came from.
#[derive(Clone, Copy)]
struct PageLine<'a> {
    line: &'a Line,
    role: BlockRole,
    /// Number of lines of the block it belongs to.
    block_lines: usize,
}

/// Horizontal extent of the text column a box lies in.
#[derive(Clone, Copy, Debug)]
struct Column {
    x0: f64,
    x1: f64,
}

impl Column {
    fn width(self) -> f64 {
        self.x1 - self.x0
    }
    fn center(self) -> f64 {
        (self.x0 + self.x1) / 2.0
    }
}

/// Finds the display equations of a page. `exclude` holds figure and table regions, whose
/// labels and cells are never equations.
pub fn find(layout: &PageLayout, exclude: &[Rect]) -> Vec<Equation> {
    let lines: Vec<PageLine> = layout
        .blocks
        .iter()
        .filter(|b| matches!(b.role, BlockRole::Body | BlockRole::Other))
        .flat_map(|b| {
            b.block.lines.iter().map(move |line| PageLine {
                line,
                role: b.role,
                block_lines: b.block.lines.len(),
            })
        })
        .filter(|l| {
            !exclude.iter().any(|r| {
                r.intersect(&l.line.bbox)
                    .is_some_and(|i| i.area() > 0.5 * l.line.bbox.area())
            })
        })
        .collect();
    let columns = columns(layout);
    let column_of = |r: &Rect| -> Column {
        let (cx, _) = r.center();
        columns
            .iter()
            .copied()
            .find(|c| cx >= c.x0 - 5.0 && cx <= c.x1 + 5.0 && r.width() < c.width() * 1.1)
            .unwrap_or(Column {
                x0: 0.0,
                x1: layout.width,
            })
    };
    let body = body_size(&lines);

    // Split every line into pieces at gaps wider than a quad: an equation number set on the
    // equation's baseline can be read into the same line when the equation is long.
    let mut pieces: Vec<Piece> = Vec::new();
    for (i, pl) in lines.iter().enumerate() {
        let mut start = 0;
        for w in 1..=pl.line.words.len() {
            let split = w == pl.line.words.len() || {
                let gap = pl.line.words[w].bbox.x0 - pl.line.words[w - 1].bbox.x1;
                let em = pl.line.size.max(body);
                // A right-aligned last line (`multline`) may end less than a quad before its
                // number; a sentence's words are never that far apart.
                let number_last = w + 1 == pl.line.words.len()
                    && equation_number(&pl.line.words[w].text).is_some();
                gap > 1.5 * em || (number_last && gap > 0.7 * em)
            };
            if split {
                pieces.push(Piece::new(i, pl.line, start, w));
                start = w;
            }
        }
    }

    let mut pieces_on_line = vec![0usize; lines.len()];
    for p in &pieces {
        pieces_on_line[p.line] += 1;
    }

    // Equation numbers.
    let mut used = vec![false; pieces.len()];
    let mut out: Vec<Equation> = Vec::new();
    for n in 0..pieces.len() {
        let p = &pieces[n];
        let Some(number) = p.number.clone() else {
            continue;
        };
        if p.words != 1 {
            continue;
        }
        let col = column_of(&p.bbox);
        let em = body.max(1.0);
        let at_right = p.bbox.x1 > col.x1 - 1.5 * em;
        let at_left = p.bbox.x0 < col.x0 + 1.5 * em;
        // The equation beside it: pieces on the same baseline in the same column.
        let mates: Vec<usize> = (0..pieces.len())
            .filter(|&m| m != n && !used[m])
            .filter(|&m| {
                let q = &pieces[m];
                let same_base = (q.baseline - p.baseline).abs() < 0.5 * em
                    || q.bbox.y0 < p.baseline && q.bbox.y1 > p.baseline - 0.3 * em;
                let same_col = q.bbox.x1 > col.x0 - 5.0 && q.bbox.x0 < col.x1 + 5.0;
                let beside = if at_right {
                    q.bbox.x1 < p.bbox.x0 - 0.8 * em
                } else {
                    q.bbox.x0 > p.bbox.x1 + 0.8 * em
                };
                same_base && same_col && beside && q.number.is_none()
            })
            .collect();
        let alone_right = at_right && (mates.is_empty() || !is_prose(&pieces, &mates));
        let alone_left = at_left && !at_right && !mates.is_empty() && !is_prose(&pieces, &mates);
        if !(alone_right || alone_left) {
            continue;
        }
        // A number whose line is empty belongs to the display lines just above it (a long
        // equation with the number pushed down, or `multline`).
        let mut group: Vec<usize> = mates.clone();
        if group.is_empty() {
            if let Some(m) = nearest_above(&pieces, &used, n, col, em) {
                group.push(m);
            } else {
                continue;
            }
        }
        used[n] = true;
        for &m in &group {
            used[m] = true;
        }
        grow(&pieces, &mut used, &mut group, col, em, true);
        out.push(build(layout, &pieces, &group, Some((number, p.bbox))));
    }

    // The front matter (title, authors with their affiliation marks, addresses) ends where the
    // abstract starts: no display equation stands above it (SSD's author and affiliation lines,
    // full of superscript digits, were read as two equations).
    let abstract_top = lines
        .iter()
        .filter(|l| {
            let t = l.line.text();
            let t = t.trim_start();
            let word: String = t.chars().take_while(|c| c.is_alphabetic()).collect();
            word.eq_ignore_ascii_case("abstract")
        })
        .map(|l| l.line.bbox.y0)
        .fold(None, |acc: Option<f64>, y| {
            Some(acc.map_or(y, |a| a.min(y)))
        });

    // Unnumbered display lines: centred math with no prose.
    for n in 0..pieces.len() {
        if used[n] {
            continue;
        }
        let p = &pieces[n];
        if abstract_top.is_some_and(|top| p.bbox.y1 <= top) {
            continue;
        }
        let col = column_of(&p.bbox);
        let em = body.max(1.0);
        // Set apart on both sides: a display is indented from both column edges.
        let centred = (p.center() - col.center()).abs() < 0.08 * col.width()
            && p.bbox.x0 > col.x0 + 2.0 * em
            && p.bbox.x1 < col.x1 - 2.0 * em;
        let pl = &lines[p.line];
        let own_line = pieces_on_line[p.line] == 1;
        let display = centred && own_line && math_score(&p.glyphs) >= 2 && !is_prose(&pieces, &[n]);
        // A centred title or heading is larger than the body; a lone number is a page number.
        let plain = p
            .glyphs
            .iter()
            .all(|g| g.ch.is_alphanumeric() || g.ch == '.');
        // The line's own size is its largest glyph, which in math is a radical or big
        // operator; a heading is large throughout.
        let mut sizes: Vec<f64> = p.glyphs.iter().map(|g| g.size).collect();
        sizes.sort_by(f64::total_cmp);
        let typical = sizes.get(sizes.len() / 2).copied().unwrap_or(pl.line.size);
        if !display || plain || typical > body * 1.15 {
            continue;
        }
        let _ = pl.role;
        let _ = pl.block_lines;
        // An address line (author e-mail, home page, code URL) is set centred and full of
        // slashes and dots, and is never an equation.
        if is_address(&p.text) {
            continue;
        }
        used[n] = true;
        let mut group = vec![n];
        if grow(&pieces, &mut used, &mut group, col, em, false) {
            // Limits of inline math that sits in a paragraph line (U-Net's "The soft-max is
            // defined as p_k(x) = exp(a_k(x)) / Σ ..."): cropping it would cut the sentence
            // out of paper.md. No equation rather than a wrong one.
            for &g in &group {
                used[g] = false;
            }
            continue;
        }
        out.push(build(layout, &pieces, &group, None));
    }
    merge_display_lines(&mut out, body.max(1.0), &column_of);
    out.extend(drawn_displays(layout, exclude, &out, body.max(1.0)));
    out.sort_by(|a, b| {
        let side = |r: &Rect| {
            columns
                .iter()
                .position(|c| r.center().0 <= c.x1 + 5.0)
                .unwrap_or(0)
        };
        let full = |r: &Rect| columns.len() > 1 && r.width() > columns[0].width() * 1.1;
        let key = |e: &Equation| {
            if full(&e.bbox) {
                (0, e.bbox.y0)
            } else {
                (side(&e.bbox), e.bbox.y0)
            }
        };
        let (ka, kb) = (key(a), key(b));
        ka.0.cmp(&kb.0).then(ka.1.total_cmp(&kb.1))
    });
    out
}

/// Joins to a numbered equation the unnumbered display lines stacked directly above it in its
/// column: the other lines of one multi-line display (`max ... s.t. ... ≤ ...` set as an
/// array, with the number after the last line), which the line-by-line growth leaves apart when
/// the display's line gap is a little wider than a script's. Without this the numbered crop
/// held only the last line and the rest was an unnumbered crop (EfficientNet's Eq. 2 and 3).
/// Only what is within one line gap and overlaps horizontally joins; text in between (a
/// sentence, which no display line is) keeps two displays apart.
fn merge_display_lines(out: &mut Vec<Equation>, em: f64, column_of: &dyn Fn(&Rect) -> Column) {
    loop {
        let mut joined = None;
        'find: for (i, numbered) in out.iter().enumerate() {
            if numbered.number.is_none() {
                continue;
            }
            let col = column_of(&numbered.bbox);
            for (j, other) in out.iter().enumerate() {
                if other.number.is_some() || other.page != numbered.page {
                    continue;
                }
                let above = other.bbox.y1 <= numbered.bbox.y0 + 0.2 * em;
                let gap = numbered.bbox.y0 - other.bbox.y1;
                let overlaps = other.bbox.x0 < numbered.bbox.x1 && other.bbox.x1 > numbered.bbox.x0;
                let same_col = {
                    let c = column_of(&other.bbox);
                    (c.x0 - col.x0).abs() < 1.0 && (c.x1 - col.x1).abs() < 1.0
                };
                if above && gap < 1.0 * em && overlaps && same_col {
                    joined = Some((i, j));
                    break 'find;
                }
            }
        }
        let Some((i, j)) = joined else { break };
        let upper = out[j].clone();
        let eq = &mut out[i];
        eq.bbox = Rect::union_all([&upper.bbox, &eq.bbox]).expect("two boxes");
        eq.text = format!("{} ; {}", upper.text, eq.text);
        out.remove(j);
    }
}

/// A run of words of one line between gaps wider than a quad.
struct Piece<'a> {
    line: usize,
    text: String,
    /// [`equation_number`] of the text, parsed once: the searches below ask it of every
    /// pair of pieces.
    number: Option<String>,
    bbox: Rect,
    baseline: f64,
    size: f64,
    words: usize,
    glyphs: Vec<&'a Glyph>,
}

impl<'a> Piece<'a> {
    fn new(line_index: usize, line: &'a Line, from: usize, to: usize) -> Self {
        let words = &line.words[from..to];
        let text = words
            .iter()
            .map(|w| w.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        // A big delimiter's ink, not its estimated box (which lies on the line above it).
        let bbox = Rect::union_all(
            words
                .iter()
                .flat_map(|w| w.glyphs.iter())
                .map(|g| g.ink.as_ref().unwrap_or(&g.bbox)),
        )
        .or_else(|| Rect::union_all(words.iter().map(|w| &w.bbox)))
        .unwrap_or(line.bbox);
        Piece {
            line: line_index,
            number: equation_number(&text),
            text,
            bbox,
            baseline: line.baseline,
            size: line.size,
            words: words.len(),
            glyphs: words.iter().flat_map(|w| w.glyphs.iter()).collect(),
        }
    }

    fn center(&self) -> f64 {
        (self.bbox.x0 + self.bbox.x1) / 2.0
    }
}

/// "(4)" -> "4", "(A.1)" -> "A.1", "(3b)" -> "3b", "(12.3)" -> "12.3".
pub fn equation_number(text: &str) -> Option<String> {
    let inner = text.strip_prefix('(')?.strip_suffix(')')?;
    let ok = !inner.is_empty()
        && inner.len() <= 6
        && inner.chars().any(|c| c.is_ascii_digit())
        && inner.chars().all(|c| c.is_ascii_alphanumeric() || c == '.')
        && {
            // Digits, optionally led by an appendix letter or section number, optionally
            // followed by one sub-letter: 4, 4a, A.1, A1, 2.3, S3.
            let mut chars = inner.chars().peekable();
            if chars.peek().is_some_and(|c| c.is_ascii_uppercase()) {
                chars.next();
                if chars.peek() == Some(&'.') {
                    chars.next();
                }
            }
            let rest: String = chars.collect();
            let rest = rest
                .strip_suffix(|c: char| c.is_ascii_lowercase())
                .unwrap_or(&rest);
            !rest.is_empty()
                && rest.chars().all(|c| c.is_ascii_digit() || c == '.')
                && rest.chars().next().is_some_and(|c| c.is_ascii_digit())
                && !rest.ends_with('.')
        };
    ok.then(|| inner.to_string())
}

/// Whether pieces read as a sentence: mostly lower-case words of two letters or more.
fn is_prose(pieces: &[Piece], which: &[usize]) -> bool {
    let words: Vec<&str> = which
        .iter()
        .flat_map(|&i| pieces[i].text.split_whitespace())
        .collect();
    let wordy = words
        .iter()
        .filter(|w| {
            let t = w.trim_matches(|c: char| !c.is_alphanumeric());
            t.chars().count() >= 2
                && t.chars().all(|c| c.is_alphabetic())
                && t.chars().skip(1).all(char::is_lowercase)
        })
        .count();
    words.len() >= 4 && wordy * 10 >= words.len() * 6
}

/// How many glyphs look like mathematics.
fn math_score(glyphs: &[&Glyph]) -> usize {
    let main = glyphs.iter().map(|g| g.size).fold(0.0, f64::max);
    glyphs
        .iter()
        .filter(|g| is_math_char(g.ch) || g.size < 0.85 * main)
        .count()
}

fn is_math_char(c: char) -> bool {
    matches!(c, '=' | '+' | '<' | '>' | '|' | '^' | '_' | '/')
        || ('\u{0391}'..='\u{03FF}').contains(&c)
        || ('\u{2200}'..='\u{22FF}').contains(&c)
        || ('\u{2190}'..='\u{21FF}').contains(&c)
        || ('\u{27C0}'..='\u{27FF}').contains(&c)
        || ('\u{2980}'..='\u{2AFF}').contains(&c)
        || ('\u{1D400}'..='\u{1D7FF}').contains(&c)
        || matches!(
            c,
            '−' | '×' | '·' | '∑' | '∏' | '∫' | '√' | '∞' | '‖' | 'ˆ' | '˜' | '¯'
        )
}

/// The closest piece above `n` that could be the body of a number set on its own line.
fn nearest_above(pieces: &[Piece], used: &[bool], n: usize, col: Column, em: f64) -> Option<usize> {
    let p = &pieces[n];
    (0..pieces.len())
        .filter(|&m| m != n && !used[m])
        .filter(|&m| {
            let q = &pieces[m];
            q.bbox.y1 <= p.bbox.y0 + 0.3 * em
                && p.bbox.y0 - q.bbox.y1 < 1.2 * em
                && q.bbox.x1 > col.x0
                && q.bbox.x0 < col.x1
                && !is_prose(pieces, &[m])
        })
        .max_by(|&a, &b| pieces[a].bbox.y1.total_cmp(&pieces[b].bbox.y1))
}

/// Adds the non-prose pieces stacked directly above and below the group (fraction parts,
/// limits, further lines of a split equation). Pieces carrying their own equation number, or
/// beside one, stay out: `align` gives every line its own number.
///
/// Returns whether a close piece was left out because it starts as a sentence does ("defined
/// as p(x) = ..."): the group is then part of a paragraph line, not a display.
fn grow(
    pieces: &[Piece],
    used: &mut [bool],
    group: &mut Vec<usize>,
    col: Column,
    em: f64,
    numbered: bool,
) -> bool {
    let mut beside_text = false;
    let numbers: Vec<usize> = (0..pieces.len())
        .filter(|&k| pieces[k].number.is_some())
        .collect();
    loop {
        let bbox =
            Rect::union_all(group.iter().map(|&i| &pieces[i].bbox)).expect("group is never empty");
        let next = (0..pieces.len()).find(|&m| {
            if used[m] {
                return false;
            }
            let q = &pieces[m];
            let in_col = q.bbox.x1 > col.x0 - 2.0 && q.bbox.x0 < col.x1 + 2.0;
            let x_near = q.bbox.x1 > bbox.x0 - 2.0 * em && q.bbox.x0 < bbox.x1 + 2.0 * em;
            let gap = (q.bbox.y0 - bbox.y1).max(bbox.y0 - q.bbox.y1);
            // Scripts and limits are smaller and closer; a further full line needs a line gap.
            // The lines of a numbered array or aligned display start where the group starts,
            // indented from the column, and are set a body line apart (EfficientNet's Eq. 2:
            // `max ... s.t. ... Memory(N) ≤ ... FLOPS(N) ≤ ...`, number under the last line).
            let aligned = numbered
                && (q.bbox.x0 - bbox.x0).abs() < 1.0
                && q.bbox.x0 > col.x0 + 2.0 * em
                && gap < 1.0 * em;
            let close = gap < 0.45 * em || (gap < 0.8 * em && q.size < 0.85 * em) || aligned;
            // The geometric tests first: they rule out nearly every piece of the page, and the
            // text tests below would otherwise run for all of them on every growth step.
            if !(in_col && x_near && close) || q.number.is_some() {
                return false;
            }
            // Beside a number: on its baseline, or across it as a big delimiter of that
            // display is (ViT's Eq. 6 parentheses and root, 4.4 pt under Eq. 5, went to Eq. 5).
            let beside_number = || {
                numbers.iter().any(|&k| {
                    let r = &pieces[k];
                    let across =
                        !used[k] && q.bbox.y0 < r.baseline - 0.3 * em && q.bbox.y1 > r.baseline;
                    k != m
                        && ((r.baseline - q.baseline).abs() < 0.5 * em || across)
                        && r.bbox.x0 > col.x1 - 4.0 * em
                })
            };
            // The end of the sentence that introduces the display ("normaliser:").
            // An operator set upright ("max" over its limits, "arg min", "s.t.") is a word too,
            // but the display's own.
            let operator = |t: &str| {
                matches!(
                    t,
                    "max" | "min" | "arg" | "argmax" | "argmin" | "sup" | "inf" | "lim" | "s.t"
                )
            };
            let words_only = q.text.split_whitespace().all(|w| {
                let t = w.trim_end_matches([':', ',', '.', ';']);
                t.chars().count() >= 2 && t.chars().all(char::is_alphabetic)
            }) && !q
                .text
                .split_whitespace()
                .all(|w| operator(w.trim_end_matches([':', ',', '.', ';'])));
            let centredish = q.bbox.width() < 0.95 * col.width();
            if starts_as_prose(&q.text) {
                beside_text = true;
                return false;
            }
            if words_only || (numbered && beside_number()) || is_prose(pieces, &[m]) {
                return false;
            }
            (centredish || q.size < 0.85 * em)
                && math_score(&q.glyphs) + usize::from(q.words <= 3) >= 1
        });
        match next {
            Some(m) => {
                used[m] = true;
                group.push(m);
            }
            None => break,
        }
    }
    beside_text
}

/// The first two words are ordinary lower-case words ("defined as", "which gives"): a line of
/// running text, even when math follows on it.
fn starts_as_prose(text: &str) -> bool {
    let mut words = text.split_whitespace();
    let wordy = |w: Option<&str>| {
        w.is_some_and(|w| {
            let t = w.trim_end_matches([',', ':', ';']);
            t.chars().count() >= 2 && t.chars().all(|c| c.is_alphabetic() && c.is_lowercase())
        })
    };
    wordy(words.next()) && wordy(words.next())
}

/// An e-mail address or a web address.
fn is_address(text: &str) -> bool {
    text.contains("http://")
        || text.contains("https://")
        || text.contains("www.")
        || text.split_whitespace().any(|w| {
            w.split_once('@')
                .is_some_and(|(a, b)| !a.is_empty() && b.contains('.') && !b.starts_with('.'))
        })
}

/// Assembles an equation from its pieces: box, and linear text with fraction bars.
fn build(
    layout: &PageLayout,
    pieces: &[Piece],
    group: &[usize],
    number: Option<(String, Rect)>,
) -> Equation {
    let mut bbox =
        Rect::union_all(group.iter().map(|&i| &pieces[i].bbox)).expect("group is never empty");
    let bars: Vec<Rect> = layout
        .graphics
        .iter()
        .filter(|g| matches!(g.kind, GraphicKind::Path | GraphicKind::Stencil))
        .map(|g| g.bbox)
        .filter(|r| r.height() < 1.5 && r.width() > 3.0)
        .filter(|r| {
            r.x0 >= bbox.x0 - 2.0
                && r.x1 <= bbox.x1 + 2.0
                && r.y0 > bbox.y0 - 2.0
                && r.y1 < bbox.y1 + 2.0
        })
        .collect();
    for b in &bars {
        bbox = bbox.union(b);
    }
    let glyphs: Vec<&Glyph> = group
        .iter()
        .flat_map(|&i| pieces[i].glyphs.iter().copied())
        .collect();
    let (number, number_box) = number.unzip();
    Equation {
        bbox,
        number,
        number_box,
        page: layout.number,
        text: linearize(&glyphs, &bars),
    }
}

/// An item of a display line: a glyph, or a fraction already linearised.
enum Item<'a> {
    Glyph(&'a Glyph),
    Text {
        x0: f64,
        x1: f64,
        baseline: f64,
        size: f64,
        text: String,
    },
}

impl Item<'_> {
    fn x0(&self) -> f64 {
        match self {
            Item::Glyph(g) => g.bbox.x0,
            Item::Text { x0, .. } => *x0,
        }
    }
}

/// Reads glyphs as linear text; see the module documentation for the marks.
pub fn linearize(glyphs: &[&Glyph], bars: &[Rect]) -> String {
    // A big delimiter is read at its ink, on the line it is centred on: TeX centres delimiters
    // and big operators on the math axis, a quarter em above the baseline. On its own baseline
    // (its top) it was a line of its own, or the rest of its line a subscript.
    let inked: Vec<Glyph> = glyphs
        .iter()
        .map(|g| match g.ink {
            Some(ink) => Glyph {
                bbox: ink,
                baseline: (ink.y0 + ink.y1) / 2.0 + 0.25 * g.size,
                ..(*g).clone()
            },
            None => (*g).clone(),
        })
        .collect();
    let glyphs: Vec<&Glyph> = inked.iter().collect();
    let glyphs = glyphs.as_slice();
    let mut taken = vec![false; glyphs.len()];
    let mut items: Vec<Item> = Vec::new();
    // Innermost (shortest) bars first, so nested fractions come out nested.
    let mut bars: Vec<&Rect> = bars.iter().collect();
    bars.sort_by(|a, b| a.width().total_cmp(&b.width()));
    let mut fractions: Vec<(Rect, Item)> = Vec::new();
    for bar in bars {
        let over = |r: &Rect| {
            let (cx, _) = r.center();
            cx >= bar.x0 - 0.5 && cx <= bar.x1 + 0.5
        };
        let mut num: Vec<&Glyph> = Vec::new();
        let mut den: Vec<&Glyph> = Vec::new();
        let mut under: Vec<usize> = Vec::new();
        for (i, g) in glyphs.iter().enumerate() {
            if taken[i] || !over(&g.bbox) {
                continue;
            }
            let (_, cy) = g.bbox.center();
            let near = (cy - bar.y0).abs() < 2.5 * g.size.max(1.0);
            if !near {
                continue;
            }
            if cy < bar.y0 {
                num.push(g);
            } else {
                den.push(g);
            }
            under.push(i);
        }
        // A radical's overline: a bar that starts at the top of a √ just left of it and has
        // nothing above it. Read as a fraction it made `frac(, D_h)` of ViT's `√D_h` and
        // lowered the whole line into a subscript.
        let radical = num.is_empty()
            && glyphs.iter().any(|g| {
                g.ch == '√' && (g.bbox.x1 - bar.x0).abs() < 2.0 && (g.bbox.y0 - bar.y0).abs() < 2.0
            });
        if radical {
            continue;
        }
        for i in under {
            taken[i] = true;
        }
        // Fractions nested inside this bar's numerator or denominator.
        let mut inner_num: Vec<Item> = Vec::new();
        let mut inner_den: Vec<Item> = Vec::new();
        let mut k = 0;
        while k < fractions.len() {
            let (r, _) = &fractions[k];
            if r.x0 >= bar.x0 - 0.5
                && r.x1 <= bar.x1 + 0.5
                && (r.y1 < bar.y0 + 0.5 || r.y0 > bar.y1 - 0.5)
            {
                let above = r.y1 < bar.y0 + 0.5;
                let (_, item) = fractions.remove(k);
                if above {
                    inner_num.push(item);
                } else {
                    inner_den.push(item);
                }
            } else {
                k += 1;
            }
        }
        if num.is_empty() && den.is_empty() && inner_num.is_empty() && inner_den.is_empty() {
            continue;
        }
        let text_of = |gs: Vec<&Glyph>, inner: Vec<Item>| {
            let mut it: Vec<Item> = gs.into_iter().map(Item::Glyph).collect();
            it.extend(inner);
            line_text(it)
        };
        let size = num.iter().chain(&den).map(|g| g.size).fold(0.0, f64::max);
        let text = format!(
            "frac({}, {})",
            text_of(num, inner_num),
            text_of(den, inner_den)
        );
        let r = Rect::new(bar.x0, bar.y0 - size, bar.x1, bar.y1 + size);
        fractions.push((
            r,
            Item::Text {
                x0: bar.x0,
                x1: bar.x1,
                baseline: bar.y0 + 0.3 * size.max(1.0),
                size: size.max(1.0) * 1.2,
                text,
            },
        ));
    }
    items.extend(fractions.into_iter().map(|(_, it)| it));
    items.extend(
        glyphs
            .iter()
            .enumerate()
            .filter(|(i, _)| !taken[*i])
            .map(|(_, g)| Item::Glyph(g)),
    );
    // Display lines: items grouped by baseline, the main (largest) size deciding.
    let mut rows: Vec<Vec<Item>> = Vec::new();
    let mut keyed: Vec<(f64, f64, Item)> = items
        .into_iter()
        .map(|it| match &it {
            Item::Glyph(g) => (g.baseline, g.size, it),
            Item::Text { baseline, size, .. } => (*baseline, *size, it),
        })
        .collect();
    keyed.sort_by(|a, b| b.1.total_cmp(&a.1));
    let mut row_keys: Vec<(f64, f64)> = Vec::new();
    for (base, size, it) in keyed {
        let found = row_keys
            .iter()
            .position(|(b, s)| (base - b).abs() < 0.75 * s.max(size));
        match found {
            Some(r) => rows[r].push(it),
            None => {
                row_keys.push((base, size));
                rows.push(vec![it]);
            }
        }
    }
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by(|&a, &b| row_keys[a].0.total_cmp(&row_keys[b].0));
    order
        .into_iter()
        .map(|r| line_text(std::mem::take(&mut rows[r])))
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join(" ; ")
}

/// One display line left to right, scripts marked by size and baseline shift.
fn line_text(mut items: Vec<Item>) -> String {
    items.sort_by(|a, b| a.x0().total_cmp(&b.x0()));
    let (base, size) = items
        .iter()
        .map(|it| match it {
            Item::Glyph(g) => (g.baseline, g.size),
            Item::Text { baseline, size, .. } => (*baseline, *size),
        })
        .fold(
            (0.0, 0.0),
            |acc, (b, s)| if s > acc.1 { (b, s) } else { acc },
        );
    let mut out = String::new();
    let mut open: Option<char> = None;
    let mut last_x1 = f64::NEG_INFINITY;
    for it in &items {
        let (kind, text, x0, x1) = match it {
            Item::Glyph(g) => {
                let small = g.size < 0.85 * size;
                let shift = g.baseline - base;
                let kind = if small && shift < -0.12 * size {
                    Some('^')
                } else if small && shift > 0.08 * size {
                    Some('_')
                } else {
                    None
                };
                (kind, g.ch.to_string(), g.bbox.x0, g.bbox.x1)
            }
            Item::Text { x0, x1, text, .. } => (None, text.clone(), *x0, *x1),
        };
        if kind != open {
            if open.is_some() {
                out.push('}');
            }
            if let Some(k) = kind {
                out.push(k);
                out.push('{');
            } else if x0 - last_x1 > 0.2 * size && !out.is_empty() {
                out.push(' ');
            }
            open = kind;
        } else if x0 - last_x1 > 0.2 * size && !out.is_empty() && !out.ends_with('{') {
            out.push(' ');
        }
        out.push_str(&text);
        last_x1 = last_x1.max(x1);
    }
    if open.is_some() {
        out.push('}');
    }
    out.trim().to_string()
}

/// Column extents from the running-text paragraphs; one column spanning them when the page
/// is single-column.
/// Displays drawn as vector outlines, with no text (the CACM reprint of AlexNet draws its
/// response-normalisation formula and its update rule so): several filled or stroked paths
/// directly under a running-text block, within its width, with no text among them and outside
/// every figure and table. They have no glyphs to read, so their text is empty and the crop is
/// the only record of them; without this they vanished from paper.md without a trace.
fn drawn_displays(
    layout: &PageLayout,
    exclude: &[Rect],
    found: &[Equation],
    body: f64,
) -> Vec<Equation> {
    let texts: Vec<Rect> = layout.blocks.iter().map(|b| b.block.bbox).collect();
    let paths: Vec<Rect> = layout
        .graphics
        .iter()
        .filter(|g| g.kind == GraphicKind::Path && g.bbox.area() > 0.0)
        .map(|g| g.bbox)
        .filter(|r| {
            !exclude
                .iter()
                .any(|x| x.inflate(2.0).intersect(r).is_some())
        })
        .filter(|r| {
            !found
                .iter()
                .any(|e| e.bbox.inflate(2.0).intersect(r).is_some())
        })
        .collect();
    let mut taken = vec![false; paths.len()];
    let mut out = Vec::new();
    for above in layout.blocks.iter().filter(|b| b.role == BlockRole::Body) {
        let a = above.block.bbox;
        let within = |r: &Rect| r.x0 >= a.x0 - 2.0 && r.x1 <= a.x1 + 2.0;
        // Grown downwards from the block's last line, one line height of gap at most.
        let mut group: Vec<usize> = Vec::new();
        let mut bottom = a.y1;
        loop {
            let next: Vec<usize> = (0..paths.len())
                .filter(|&i| !taken[i] && !group.contains(&i) && within(&paths[i]))
                .filter(|&i| paths[i].y0 >= a.y1 - 1.0 && paths[i].y0 <= bottom + 1.5 * body)
                .collect();
            if next.is_empty() {
                break;
            }
            for &i in &next {
                bottom = bottom.max(paths[i].y1);
            }
            group.extend(next);
        }
        let Some(union) = Rect::union_all(group.iter().map(|&i| &paths[i])) else {
            continue;
        };
        // Glyph outlines: many small paths; a display is a few lines high and holds no text.
        let small = group
            .iter()
            .filter(|&&i| paths[i].height() <= 2.5 * body)
            .count();
        let lone_text = texts
            .iter()
            .any(|t| t.intersect(&union).is_some_and(|i| i.area() > 0.0));
        if group.len() < 4 || small * 2 < group.len() || union.height() > 8.0 * body || lone_text {
            continue;
        }
        for &i in &group {
            taken[i] = true;
        }
        out.push(Equation {
            bbox: union,
            number: None,
            number_box: None,
            page: layout.number,
            text: String::new(),
        });
    }
    out
}

fn columns(layout: &PageLayout) -> Vec<Column> {
    let paras: Vec<Rect> = layout
        .blocks
        .iter()
        .filter(|b| b.role == BlockRole::Body && b.block.lines.len() >= 2)
        .map(|b| b.block.bbox)
        .collect();
    let Some(all) = Rect::union_all(paras.iter()) else {
        return vec![Column {
            x0: 0.0,
            x1: layout.width,
        }];
    };
    if !layout.two_columns {
        return vec![Column {
            x0: all.x0,
            x1: all.x1,
        }];
    }
    let mid = (all.x0 + all.x1) / 2.0;
    let left: Vec<&Rect> = paras.iter().filter(|r| r.x1 <= mid + 10.0).collect();
    let right: Vec<&Rect> = paras.iter().filter(|r| r.x0 >= mid - 10.0).collect();
    let span = |rs: &[&Rect], x0: f64, x1: f64| -> Column {
        match Rect::union_all(rs.iter().copied()) {
            Some(u) => Column { x0: u.x0, x1: u.x1 },
            None => Column { x0, x1 },
        }
    };
    vec![
        span(&left, all.x0, mid - 6.0),
        span(&right, mid + 6.0, all.x1),
    ]
}

/// The most common line size among the page's lines, weighted by words.
fn body_size(lines: &[PageLine]) -> f64 {
    let mut counts = std::collections::BTreeMap::<i64, usize>::new();
    for l in lines.iter().filter(|l| l.role == BlockRole::Body) {
        *counts
            .entry((l.line.size * 2.0).round() as i64)
            .or_default() += l.line.words.len();
    }
    counts
        .iter()
        .max_by_key(|(s, n)| (**n, **s))
        .map_or(10.0, |(s, _)| *s as f64 / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::{Graphic, PageInput, analyze_page};
    use crate::text::tests::glyphs_at;

    const PARA: &str = "the quick brown fox jumps over the lazy dog and then runs far away";

    fn page_with(extra: Vec<Glyph>, graphics: Vec<Graphic>) -> PageLayout {
        let mut glyphs = Vec::new();
        for i in 0..4 {
            glyphs.extend(glyphs_at(PARA, 72.0, 100.0 + 12.0 * i as f64, 10.0));
        }
        glyphs.extend(extra);
        for i in 0..4 {
            glyphs.extend(glyphs_at(PARA, 72.0, 260.0 + 12.0 * i as f64, 10.0));
        }
        let input = PageInput {
            width: 612.0,
            height: 792.0,
            glyphs,
            graphics,
        };
        analyze_page(1, &input, 10.0)
    }

    fn numbers_and_texts(eqs: &[Equation]) -> Vec<(Option<&str>, &str)> {
        eqs.iter()
            .map(|e| (e.number.as_deref(), e.text.as_str()))
            .collect()
    }

    /// `n` glyph-sized outlines (8 x 10 pt) in a row from (150, y), 12 pt apart.
    fn outlines(n: usize, y: f64) -> Vec<Graphic> {
        (0..n)
            .map(|i| Graphic {
                bbox: Rect::new(
                    150.0 + 12.0 * i as f64,
                    y,
                    158.0 + 12.0 * i as f64,
                    y + 10.0,
                ),
                kind: GraphicKind::Path,
            })
            .collect()
    }

    #[test]
    fn a_display_drawn_as_outlines_under_running_text_is_an_equation_without_text() {
        // AlexNet's CACM reprint draws two displays as paths: nothing to read, but they are
        // there, and the crop is all a reader gets. The paragraph's last line ends near y 146.
        let page = page_with(vec![], outlines(6, 152.0));
        let eqs = find(&page, &[]);
        assert_eq!(eqs.len(), 1, "{eqs:?}");
        assert_eq!(eqs[0].text, "");
        assert_eq!(eqs[0].number, None);
        assert_eq!(eqs[0].bbox, Rect::new(150.0, 152.0, 218.0, 162.0));
        // Inside a figure region: a figure's drawing, not a display.
        assert!(find(&page, &[Rect::new(100.0, 150.0, 300.0, 170.0)]).is_empty());
    }

    #[test]
    fn a_few_paths_or_paths_far_below_the_text_are_no_display() {
        // Three paths: an underline, a logo, a box; not glyph outlines.
        assert!(find(&page_with(vec![], outlines(3, 152.0)), &[]).is_empty());
        // Far below the paragraph (more than a line and a half): not drawn under it.
        assert!(find(&page_with(vec![], outlines(6, 200.0)), &[]).is_empty());
    }

    #[test]
    fn numbers_are_parsed_strictly() {
        assert_eq!(equation_number("(4)").as_deref(), Some("4"));
        assert_eq!(equation_number("(A.1)").as_deref(), Some("A.1"));
        assert_eq!(equation_number("(3b)").as_deref(), Some("3b"));
        assert_eq!(equation_number("(12.3)").as_deref(), Some("12.3"));
        assert_eq!(equation_number("(a)"), None);
        assert_eq!(equation_number("(2015)").as_deref(), Some("2015"));
        assert_eq!(equation_number("(3)."), None);
        assert_eq!(equation_number("(ours)"), None);
    }

    #[test]
    fn numbered_equation_with_subscript_and_number_at_the_margin() {
        // "y = x" centred, subscript "i" after x, "(4)" at the right edge of the 72..369.5 column.
        let mut g = glyphs_at("y = x", 210.0, 170.0, 10.0);
        g.extend(glyphs_at("i", 235.0, 172.0, 7.0));
        g.extend(glyphs_at("(4)", 355.0, 170.0, 10.0));
        let page = page_with(g, vec![]);
        let eqs = find(&page, &[]);
        assert_eq!(eqs.len(), 1, "{eqs:?}");
        assert_eq!(eqs[0].number.as_deref(), Some("4"));
        assert_eq!(eqs[0].text, "y = x_{i}");
        assert!(eqs[0].bbox.x1 < 355.0);
    }

    #[test]
    fn in_text_reference_is_not_a_number() {
        let g = glyphs_at(
            "as shown in Eq. (3) the loss goes down fast",
            72.0,
            170.0,
            10.0,
        );
        let page = page_with(g, vec![]);
        assert!(find(&page, &[]).is_empty());
    }

    #[test]
    fn fraction_bar_gives_frac() {
        // a over b on a bar, "= c" on the axis, number (2) at the margin.
        let mut g = glyphs_at("a", 200.0, 165.0, 10.0);
        g.extend(glyphs_at("b", 200.0, 181.0, 10.0));
        g.extend(glyphs_at("= c", 212.0, 173.0, 10.0));
        g.extend(glyphs_at("(2)", 355.0, 173.0, 10.0));
        let bar = Graphic {
            bbox: Rect::new(199.0, 169.5, 206.0, 170.0),
            kind: GraphicKind::Path,
        };
        let page = page_with(g, vec![bar]);
        let eqs = find(&page, &[]);
        assert_eq!(eqs.len(), 1, "{eqs:?}");
        assert_eq!(eqs[0].number.as_deref(), Some("2"));
        assert_eq!(eqs[0].text, "frac(a, b) = c");
    }

    #[test]
    fn aligned_lines_each_with_a_number_are_separate_equations() {
        let mut g = glyphs_at("a = b + c", 190.0, 170.0, 10.0);
        g.extend(glyphs_at("(5)", 355.0, 170.0, 10.0));
        g.extend(glyphs_at("d = e", 190.0, 184.0, 10.0));
        g.extend(glyphs_at("(6)", 355.0, 184.0, 10.0));
        let page = page_with(g, vec![]);
        let eqs = find(&page, &[]);
        let got = numbers_and_texts(&eqs);
        assert_eq!(got, [(Some("5"), "a = b + c"), (Some("6"), "d = e")]);
    }

    /// A big parenthesis hangs from its baseline (TeX's cmex): its estimated box lies above
    /// its ink, 0.5 pt under the display above. By the estimate it joined that display; by its
    /// ink it crosses the baseline of its own line and reads in it.
    #[test]
    fn big_delimiters_go_with_the_display_they_hang_across() {
        let mut g = glyphs_at("a = b", 200.0, 170.0, 10.0);
        g.extend(glyphs_at("(5)", 355.0, 170.0, 10.0));
        g.extend(glyphs_at("c = f", 200.0, 190.0, 10.0));
        for (ch, x) in [("(", 220.0), (")", 230.0)] {
            let mut paren = glyphs_at(ch, x, 180.5, 10.0);
            paren[0].ink = Some(Rect::new(x, 180.0, x + 5.0, 196.0));
            g.extend(paren);
        }
        g.extend(glyphs_at("x", 225.0, 190.0, 10.0));
        g.extend(glyphs_at("(6)", 355.0, 190.0, 10.0));
        let page = page_with(g, vec![]);
        let eqs = find(&page, &[]);
        let got = numbers_and_texts(&eqs);
        assert_eq!(got, [(Some("5"), "a = b"), (Some("6"), "c = f(x)")]);
        assert!(eqs[0].bbox.y1 <= 172.0, "{:?}", eqs[0].bbox);
        assert!(
            eqs[1].bbox.y0 <= 180.0 && eqs[1].bbox.y1 >= 196.0,
            "{:?}",
            eqs[1].bbox
        );
    }

    /// The bar over a radicand starts at the top of the radical sign: it is no fraction bar
    /// (ViT's `√D_h` read `frac(, D_h)`).
    #[test]
    fn a_radical_overline_is_no_fraction_bar() {
        let mut g = glyphs_at("y =", 200.0, 170.0, 10.0);
        let mut root = glyphs_at("√", 220.0, 161.0, 10.0);
        root[0].ink = Some(Rect::new(220.0, 160.0, 225.0, 172.0));
        g.extend(root);
        g.extend(glyphs_at("x", 225.0, 170.0, 10.0));
        g.extend(glyphs_at("(3)", 355.0, 170.0, 10.0));
        let bar = Graphic {
            bbox: Rect::new(225.0, 160.0, 231.0, 160.4),
            kind: GraphicKind::Path,
        };
        let page = page_with(g, vec![bar]);
        let eqs = find(&page, &[]);
        assert_eq!(eqs.len(), 1, "{eqs:?}");
        assert_eq!(eqs[0].text, "y = √x");
    }

    /// An aligned display (EfficientNet's Eq. 2: `max ...`, `s.t. ...`, `Memory(N) ≤ ...`,
    /// `FLOPS(N) ≤ ...`, number under the last line): its lines start at one indented x and are
    /// set a body line apart, wider than the gap a script or limit leaves.
    #[test]
    fn the_lines_of_an_aligned_display_join_their_number() {
        let mut g = glyphs_at("m = a + b", 200.0, 170.0, 10.0);
        g.extend(glyphs_at("u ≤ c", 200.0, 185.0, 10.0));
        g.extend(glyphs_at("v ≤ d", 200.0, 200.0, 10.0));
        g.extend(glyphs_at("(2)", 355.0, 212.0, 10.0));
        let page = page_with(g, vec![]);
        let eqs = find(&page, &[]);
        let got = numbers_and_texts(&eqs);
        assert_eq!(got, [(Some("2"), "m = a + b ; u ≤ c ; v ≤ d")]);
    }

    #[test]
    fn addresses_and_sentence_starts_are_recognised() {
        assert!(is_address(
            "ronneber@informatik.uni-freiburg.de, WWW home page: x"
        ));
        assert!(is_address(
            "at http://lmb.informatik.uni-freiburg.de/people/"
        ));
        assert!(!is_address("p(x) = a/b + c@d"));
        assert!(starts_as_prose("defined as p_k(x) = exp(a)"));
        assert!(!starts_as_prose("where x_i = 1"));
        assert!(!starts_as_prose("E = w(x) log p"));
    }

    #[test]
    fn nothing_above_the_abstract_is_a_display_equation() {
        // SSD's author and affiliation lines ("Wei Liu¹, ...", "¹UNC ²Zoox ³{dumitru,szegedy}")
        // are centred and symbol-heavy: the front matter ends at "Abstract", and only the
        // display below it is an equation. Without the rule both centred lines are found.
        let mut glyphs = Vec::new();
        for i in 0..4 {
            glyphs.extend(glyphs_at(PARA, 72.0, 100.0 + 12.0 * i as f64, 10.0));
        }
        glyphs.extend(glyphs_at("α = β + γ", 215.0, 170.0, 10.0));
        glyphs.extend(glyphs_at(
            "Abstract. We present a method for detecting",
            72.0,
            200.0,
            10.0,
        ));
        for i in 0..4 {
            glyphs.extend(glyphs_at(PARA, 72.0, 220.0 + 12.0 * i as f64, 10.0));
        }
        glyphs.extend(glyphs_at("α = β + γ", 215.0, 300.0, 10.0));
        for i in 0..4 {
            glyphs.extend(glyphs_at(PARA, 72.0, 330.0 + 12.0 * i as f64, 10.0));
        }
        let input = PageInput {
            width: 612.0,
            height: 792.0,
            glyphs,
            graphics: vec![],
        };
        let eqs = find(&analyze_page(1, &input, 10.0), &[]);
        assert_eq!(eqs.len(), 1, "{eqs:?}");
        assert!(eqs[0].bbox.y0 > 280.0, "{eqs:?}");
    }

    #[test]
    fn unnumbered_centred_math_is_found_and_centred_words_are_not() {
        let mut g = glyphs_at("α = β + γ", 215.0, 170.0, 10.0);
        g.extend(glyphs_at("Some Centred Words", 190.0, 230.0, 10.0));
        let page = page_with(g, vec![]);
        let eqs = find(&page, &[]);
        assert_eq!(eqs.len(), 1, "{eqs:?}");
        assert_eq!(eqs[0].number, None);
        assert_eq!(eqs[0].text, "α = β + γ");
    }
}
