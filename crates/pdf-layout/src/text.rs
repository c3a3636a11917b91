//! Positioned glyphs grouped into words, lines and blocks.
//!
//! The thresholds are fractions of the font size (an "em"), so they hold for 8 pt captions and
//! 12 pt headings alike. They follow what TeX output looks like: inter-word spaces are 0.2-0.5 em,
//! kerning is below 0.1 em, baselines are 1.2 em apart and a paragraph never has a vertical gap of
//! more than 0.6 em between its lines.

use crate::geom::Rect;
use serde::Serialize;

/// One character placed on the page, as produced by the PDF engine.
#[derive(Clone, Debug, PartialEq)]
pub struct Glyph {
    /// The Unicode text of the glyph (ligatures already split by the engine).
    pub ch: char,
    /// Box from the origin to the advance, descender to ascender.
    pub bbox: Rect,
    /// Baseline y.
    pub baseline: f64,
    /// Font size in points as seen on the page.
    pub size: f64,
    /// Whether the glyph reads left to right, upright. Rotated glyphs do not join lines.
    pub upright: bool,
    /// The ink's box, for a glyph whose ink lies far outside `bbox`: a big delimiter, radical
    /// or operator of a display, hanging from its baseline (TeX's cmex). Lines and tables group
    /// glyphs by `bbox`; display equations take the ink.
    pub ink: Option<Rect>,
}

/// A run of glyphs without a space.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Word {
    /// The text.
    pub text: String,
    /// Union of the glyph boxes.
    pub bbox: Rect,
    /// Font size of the first glyph.
    pub size: f64,
    /// The glyphs, left to right: display equations read sub- and superscripts from their
    /// sizes and baselines.
    #[serde(skip)]
    pub glyphs: Vec<Glyph>,
}

/// Words sharing a baseline, left to right.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Line {
    /// The words.
    pub words: Vec<Word>,
    /// Union of the word boxes.
    pub bbox: Rect,
    /// Largest font size in the line, which is the size of its normal text.
    pub size: f64,
    /// Baseline of the line's first word.
    pub baseline: f64,
}

impl Line {
    /// The words joined by single spaces.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for (i, w) in self.words.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(&w.text);
        }
        out
    }
}

/// Lines stacked closely with a similar font size: a paragraph, caption, heading or label.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Block {
    /// The lines, top to bottom.
    pub lines: Vec<Line>,
    /// Union of the line boxes.
    pub bbox: Rect,
}

impl Block {
    /// The lines joined by newlines, with end-of-line hyphens kept (they may be real).
    pub fn text(&self) -> String {
        self.lines
            .iter()
            .map(Line::text)
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Dominant font size (that of the most glyph-rich line).
    pub fn size(&self) -> f64 {
        self.lines
            .iter()
            .max_by_key(|l| l.words.iter().map(|w| w.text.len()).sum::<usize>())
            .map_or(0.0, |l| l.size)
    }
}

/// A radical or parenthesis set in running text hangs from its own baseline, at its top (TeX's
/// cmsy/cmex), so by its baseline it was a line of its own above the sentence: U-Net's "a
/// standard deviation of √(2/N)" read "of 2/N" with a lone "√" on the line above, and VGG's
/// "3 (3^2C^2) = 27C^2" lost its parentheses and moved "= 27C^2" into the line before. Such a
/// glyph (one whose ink the engine measured, see [`Glyph::ink`]) takes the baseline of the text
/// beside it in the stream that its ink crosses, nearest the math axis (a quarter em above
/// the baseline), and its ink as its box. Brackets stay: a table's big bracket spans rows.
fn reseat_hanging_glyphs(glyphs: &[Glyph]) -> Option<Vec<Glyph>> {
    let hangs = |g: &Glyph| g.upright && g.ink.is_some() && matches!(g.ch, '√' | '(' | ')');
    if !glyphs.iter().any(hangs) {
        return None;
    }
    let mut out = glyphs.to_vec();
    for (i, g) in glyphs.iter().enumerate() {
        let Some(ink) = g.ink.filter(|_| hangs(g)) else {
            continue;
        };
        let axis = (ink.y0 + ink.y1) / 2.0 + 0.25 * g.size;
        let near = |o: &&Glyph| {
            o.upright
                && o.ink.is_none()
                && !o.ch.is_whitespace()
                && o.baseline > ink.y0
                && o.baseline < ink.y1 + 0.1 * g.size
                && o.bbox.x1 > ink.x0 - 1.5 * g.size
                && o.bbox.x0 < ink.x1 + 1.5 * g.size
        };
        let from = i.saturating_sub(8);
        let to = (i + 9).min(glyphs.len());
        let base = glyphs[from..to]
            .iter()
            .filter(near)
            .map(|o| o.baseline)
            .min_by(|a, b| (a - axis).abs().total_cmp(&(b - axis).abs()));
        if let Some(base) = base {
            out[i].baseline = base;
            out[i].bbox = ink;
        }
    }
    Some(out)
}

/// Groups upright glyphs (in content-stream order) into lines. Whitespace glyphs break words.
pub fn lines_from_glyphs(glyphs: &[Glyph]) -> Vec<Line> {
    let reseated = reseat_hanging_glyphs(glyphs);
    let glyphs = reseated.as_deref().unwrap_or(glyphs);
    // Fragments: maximal runs in stream order that stay on one baseline and move right.
    let mut fragments: Vec<Vec<&Glyph>> = Vec::new();
    let mut current: Vec<&Glyph> = Vec::new();
    // Widest inter-word gap of the current fragment, in ems: justified lines in narrow
    // columns stretch their spaces past 1 em, and a gap is a column break only when it is
    // clearly wider than the line's own spaces.
    let mut widest_space: f64 = 0.0;
    for g in glyphs.iter().filter(|g| g.upright) {
        if let Some(prev) = current.iter().rev().find(|p| !p.ch.is_whitespace()) {
            let em = prev.size.max(g.size).max(1.0);
            let same_baseline = (g.baseline - prev.baseline).abs() < 0.6 * em;
            let moves_right = g.bbox.x0 > prev.bbox.x1 - 0.5 * em;
            let gap = (g.bbox.x0 - prev.bbox.x1) / em;
            // The first gap of a fragment has no spaces to compare with: a justified line
            // of a narrow column stretches them to 1.2 em (MobileNetV2 §6.1's "Training setup
            // We train our models using"), which split the line into one block per word.
            let floor = if widest_space == 0.0 { 1.3 } else { 1.0 };
            let close = gap < (1.8 * widest_space).clamp(floor, 2.5);
            if !(same_baseline && moves_right && close) {
                fragments.push(std::mem::take(&mut current));
                widest_space = 0.0;
            } else if gap > 0.15 {
                widest_space = widest_space.max(gap);
            }
        }
        current.push(g);
    }
    if !current.is_empty() {
        fragments.push(current);
    }
    let mut frags: Vec<Fragment> = fragments.into_iter().filter_map(Fragment::new).collect();
    merge_fragments(&mut frags);
    let mut lines: Vec<Line> = frags.into_iter().filter_map(Fragment::into_line).collect();
    lines.sort_by(|a, b| {
        a.bbox
            .y0
            .total_cmp(&b.bbox.y0)
            .then(a.bbox.x0.total_cmp(&b.bbox.x0))
    });
    lines
}

struct Fragment<'g> {
    glyphs: Vec<&'g Glyph>,
    bbox: Rect,
    baseline: f64,
    size: f64,
}

impl<'g> Fragment<'g> {
    fn new(glyphs: Vec<&'g Glyph>) -> Option<Self> {
        let visible: Vec<&&Glyph> = glyphs.iter().filter(|g| !g.ch.is_whitespace()).collect();
        let bbox = Rect::union_all(visible.iter().map(|g| &g.bbox))?;
        let main = visible
            .iter()
            .max_by(|a, b| a.size.total_cmp(&b.size))
            .expect("non-empty");
        Some(Fragment {
            baseline: main.baseline,
            size: main.size,
            bbox,
            glyphs,
        })
    }

    fn absorb(&mut self, other: Fragment<'g>) {
        if other.size > self.size {
            self.size = other.size;
            self.baseline = other.baseline;
        }
        self.bbox = self.bbox.union(&other.bbox);
        self.glyphs.extend(other.glyphs);
    }

    fn into_line(mut self) -> Option<Line> {
        self.glyphs.sort_by(|a, b| a.bbox.x0.total_cmp(&b.bbox.x0));
        let stacked = stacked_fractions(&self.glyphs, self.size);
        let line_glyphs: Vec<&Glyph> = if stacked.is_empty() {
            std::mem::take(&mut self.glyphs)
        } else {
            stacked.iter().collect()
        };
        let mut words: Vec<Word> = Vec::new();
        let mut text = String::new();
        let mut bbox: Option<Rect> = None;
        let mut size = 0.0;
        let mut last_x1 = f64::NEG_INFINITY;
        let mut glyphs: Vec<Glyph> = Vec::new();
        let flush = |text: &mut String,
                     bbox: &mut Option<Rect>,
                     size: f64,
                     glyphs: &mut Vec<Glyph>,
                     words: &mut Vec<Word>| {
            if let Some(b) = bbox.take()
                && !text.is_empty()
            {
                words.push(Word {
                    text: std::mem::take(text),
                    bbox: b,
                    size,
                    glyphs: std::mem::take(glyphs),
                });
            }
            text.clear();
            glyphs.clear();
        };
        // A superscript glued to its base ("224²" set as a raised small "2") is written "^2",
        // so that it no longer reads as a digit of the base ("2242"); a subscript set lower and
        // smaller ("λcoord", "xi") is written "_" ("λ_coord", "x_i").
        let raised =
            |g: &Glyph| g.size < 0.8 * self.size && g.baseline < self.baseline - 0.25 * self.size;
        let lowered =
            |g: &Glyph| g.size < 0.8 * self.size && g.baseline > self.baseline + 0.08 * self.size;
        // The script the previous glyph of the word was set in: 1 raised, -1 lowered, 0 neither.
        let mut in_script = 0;
        for (k, g) in line_glyphs.iter().enumerate() {
            if g.ch.is_whitespace() {
                flush(&mut text, &mut bbox, size, &mut glyphs, &mut words);
                in_script = 0;
                continue;
            }
            let em = g.size.max(1.0);
            if g.bbox.x0 - last_x1 > 0.15 * em {
                flush(&mut text, &mut bbox, size, &mut glyphs, &mut words);
                in_script = 0;
            }
            if text.is_empty() {
                size = g.size;
            }
            let up = raised(g);
            let down = !up && lowered(g);
            // A fraction's numerator (before its "/") is no superscript.
            let numerator = || {
                line_glyphs[k..]
                    .iter()
                    .find(|n| !raised(n))
                    .is_some_and(|n| n.ch == '/')
            };
            // "3.0e−4" with a raised exponent is already scientific notation.
            let exponent = {
                let mut back = text.chars().rev();
                matches!(back.next(), Some('e' | 'E'))
                    && back.next().is_some_and(|c| c.is_ascii_digit() || c == '.')
            };
            if up && in_script != 1 && !text.is_empty() && !numerator() && !exponent {
                text.push('^');
            }
            // A fraction's denominator (after its "/") is no subscript.
            if down && in_script != -1 && !text.is_empty() && !text.ends_with('/') {
                text.push('_');
            }
            in_script = if up {
                1
            } else if down {
                -1
            } else {
                0
            };
            text.push(g.ch);
            glyphs.push((*g).clone());
            bbox = Some(bbox.map_or(g.bbox, |b| b.union(&g.bbox)));
            last_x1 = last_x1.max(g.bbox.x1);
        }
        flush(&mut text, &mut bbox, size, &mut glyphs, &mut words);
        if words.is_empty() {
            return None;
        }
        Some(Line {
            bbox: Rect::union_all(words.iter().map(|w| &w.bbox))?,
            words,
            size: self.size,
            baseline: self.baseline,
        })
    }
}

/// The line's glyphs with each stacked fraction set inline ("1" over "2" in "{1, 2, 1/2}",
/// which reads "12" left to right) as numerator, "/", denominator; empty when the line has
/// none. A fraction is a run of small digits or letters whose boxes overlap across, some above the others
/// and none touching them, after a space, a comma or a bracket: a sub- and superscript
/// stacked on a symbol (x_1^2) follow their base without a gap and stay as they are.
fn stacked_fractions(glyphs: &[&Glyph], line_size: f64) -> Vec<Glyph> {
    // Letters too: MobileNetV2's Table 1 sets h over s ("h/s × w/s"), which read "h_s".
    let small_digit = |g: &Glyph| g.ch.is_ascii_alphanumeric() && g.size < 0.85 * line_size;
    let mut out: Vec<Glyph> = Vec::with_capacity(glyphs.len() + 2);
    let mut found = false;
    let mut i = 0;
    while i < glyphs.len() {
        let g = glyphs[i];
        // The run of small digits starting here whose x-extents chain-overlap.
        let mut j = i + 1;
        let mut x1 = g.bbox.x1;
        while small_digit(g) && j < glyphs.len() && small_digit(glyphs[j]) {
            let w = glyphs[j]
                .bbox
                .width()
                .min(glyphs[j - 1].bbox.width())
                .max(0.1);
            if glyphs[j].bbox.x0 > x1 - 0.5 * w {
                break;
            }
            x1 = x1.max(glyphs[j].bbox.x1);
            j += 1;
        }
        let run = &glyphs[i..j];
        let free_before = out.last().is_none_or(|p: &Glyph| {
            p.ch.is_whitespace()
                || matches!(p.ch, ',' | '{' | '(' | '[')
                || g.bbox.x0 - p.bbox.x1 > 0.15 * line_size
        });
        let mid = run.iter().map(|g| g.bbox.center().1).sum::<f64>() / run.len() as f64;
        let (mut upper, mut lower): (Vec<&Glyph>, Vec<&Glyph>) =
            run.iter().partition(|g| g.bbox.center().1 < mid);
        let apart = !upper.is_empty()
            && !lower.is_empty()
            && upper.iter().all(|u| {
                lower
                    .iter()
                    .all(|l| u.bbox.y_overlap(&l.bbox) < 0.2 * u.bbox.height().min(l.bbox.height()))
            });
        if run.len() >= 2 && free_before && apart {
            upper.sort_by(|a, b| a.bbox.x0.total_cmp(&b.bbox.x0));
            lower.sort_by(|a, b| a.bbox.x0.total_cmp(&b.bbox.x0));
            out.extend(upper.iter().map(|g| (*g).clone()));
            let mut slash = (*upper[upper.len() - 1]).clone();
            slash.ch = '/';
            // Not small: the slash is no superscript of the numerator.
            slash.size = line_size;
            out.push(slash);
            out.extend(lower.iter().map(|g| (*g).clone()));
            found = true;
            i = j;
            continue;
        }
        out.push(g.clone());
        i += 1;
    }
    if found { out } else { Vec::new() }
}

/// Joins fragments that sit on one line but were drawn separately (sub- and superscripts drawn
/// after the base text, words placed one `Tj` at a time, table cells filled out of order).
fn merge_fragments(frags: &mut Vec<Fragment<'_>>) {
    frags.sort_by(|a, b| a.baseline.total_cmp(&b.baseline));
    let mut merged = true;
    while merged {
        merged = false;
        // An absorbed fragment leaves an empty slot instead of being removed from the middle
        // of the vector: removing shifted the rest for every merge, quadratic on a page of
        // many fragments (issue 20: 100 k two-glyph runs took 12 s in this loop).
        let mut slots: Vec<Option<Fragment<'_>>> = frags.drain(..).map(Some).collect();
        for i in 0..slots.len() {
            if slots[i].is_none() {
                continue;
            }
            for j in i + 1..slots.len() {
                let (Some(a), Some(b)) = (&slots[i], &slots[j]) else {
                    continue;
                };
                let em = a.size.max(b.size).max(1.0);
                if b.baseline - a.baseline > 0.7 * em {
                    break;
                }
                let small = a.size.min(b.size);
                let same_line = (a.baseline - b.baseline).abs() < 0.25 * em
                    || (small < 0.85 * em
                        && a.bbox.y_overlap(&b.bbox) > 0.3 * a.bbox.height().min(b.bbox.height()));
                let gap = (b.bbox.x0 - a.bbox.x1).max(a.bbox.x0 - b.bbox.x1);
                // A heading number ("3", "2.1", "A.2") is set a quad before its title, as wide
                // as a column gutter: only a number that short may jump that far.
                let left = if a.bbox.x0 < b.bbox.x0 { a } else { b };
                let numbering = left.glyphs.len() <= 5
                    && left
                        .glyphs
                        .iter()
                        .all(|g| g.ch.is_ascii_digit() || g.ch == '.' || g.ch.is_ascii_uppercase())
                    && (a.size - b.size).abs() < 0.5
                    && a.size > 0.0;
                if same_line && (gap < 0.8 * em || (numbering && gap < 1.6 * em)) {
                    let b = slots[j].take().expect("checked above");
                    slots[i].as_mut().expect("checked above").absorb(b);
                    merged = true;
                }
            }
        }
        frags.extend(slots.into_iter().flatten());
    }
}

/// Whether a line starts a figure or table caption; such lines always open a new block.
pub type BlockBreak = dyn Fn(&Line) -> bool;

/// Groups lines (sorted top to bottom) into blocks of closely stacked, overlapping lines.
/// A line that stops inside a sentence: it ends in a lower-case word, a comma or a hyphen.
fn ends_mid_sentence(text: &str) -> bool {
    text.trim_end()
        .chars()
        .last()
        .is_some_and(|c| c.is_lowercase() || matches!(c, ',' | '-' | '–'))
}

pub fn blocks_from_lines(lines: Vec<Line>, starts_block: &BlockBreak) -> Vec<Block> {
    let mut blocks: Vec<Block> = Vec::new();
    for line in lines {
        let em = line.size.max(1.0);
        let joins = |b: &Block| {
            let last = b.lines.last().expect("blocks are never empty");
            let gap = line.bbox.y0 - last.bbox.y1;
            let overlap = b.bbox.x_overlap(&line.bbox);
            gap < 0.6 * em
                && gap > -0.5 * em
                && overlap > 0.5 * line.bbox.width().min(b.bbox.width())
                && (last.size - line.size).abs() < 1.5
        };
        let target = if starts_block(&line) {
            // "...; see" then "Figure 1. The main idea in [9] is ..." (U-Net, p. 2): a line
            // that reads like a caption start but continues a sentence left open just above
            // it is running text.
            // It starts where the line above starts, or at the paragraph's left edge when that
            // line is its indented first ("We use dropout in the first two fully connected
            // layers of" / "Figure 2. Without dropout, ...", AlexNet p.5): a caption beside a
            // wrapped paragraph (wrapfig) starts far to the right of both.
            blocks.iter().rposition(joins).filter(|&i| {
                let last = blocks[i].lines.last().expect("non-empty");
                let aligned = (line.bbox.x0 - last.bbox.x0).abs() < em
                    || (line.bbox.x0 - blocks[i].bbox.x0).abs() < em;
                ends_mid_sentence(&last.text()) && aligned
            })
        } else {
            blocks.iter().rposition(joins)
        };
        match target {
            Some(i) => {
                let b = &mut blocks[i];
                b.bbox = b.bbox.union(&line.bbox);
                b.lines.push(line);
            }
            None => blocks.push(Block {
                bbox: line.bbox,
                lines: vec![line],
            }),
        }
    }
    blocks
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Lays out `text` as 10 pt glyphs, 5 pt wide, with a 2.5 pt space between words.
    pub fn glyphs_at(text: &str, x: f64, baseline: f64, size: f64) -> Vec<Glyph> {
        let w = size / 2.0;
        let mut out = Vec::new();
        let mut cx = x;
        for ch in text.chars() {
            let adv = if ch == ' ' { w / 2.0 } else { w };
            out.push(Glyph {
                ch,
                bbox: Rect::new(cx, baseline - 0.8 * size, cx + adv, baseline + 0.2 * size),
                baseline,
                size,
                upright: true,
                ink: None,
            });
            cx += adv;
        }
        out
    }

    #[test]
    fn words_split_on_space_glyphs_and_on_gaps() {
        let mut g = glyphs_at("deep residual", 72.0, 100.0, 10.0);
        // A word placed by positioning alone, 3 pt to the right.
        g.extend(glyphs_at("learning", 72.0 + 13.0 * 5.0 + 3.0, 100.0, 10.0));
        let lines = lines_from_glyphs(&g);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].text(), "deep residual learning");
    }

    #[test]
    fn a_justified_line_with_wide_spaces_is_one_line() {
        // MobileNetV2 §6.1: "Training setup We train our models using" justified across a
        // narrow column, every space about 1.17 em (11.6 pt at 10 pt), and no space glyphs.
        let mut g = Vec::new();
        let mut x = 72.0;
        for w in ["Training", "setup", "We", "train", "our", "models", "using"] {
            g.extend(glyphs_at(w, x, 100.0, 10.0));
            x += 5.0 * w.chars().count() as f64 + 11.6;
        }
        let lines = lines_from_glyphs(&g);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].text(), "Training setup We train our models using");
    }

    #[test]
    fn stacked_fractions_read_inline_and_stacked_scripts_stay() {
        // "r ∈ {1, 2, ½, ⅓}" with the fractions set as small numerators over denominators
        // (7 pt digits, numerator raised 4 pt, denominator lowered 3.5 pt), as TeX's \frac
        // sets them in running text.
        let mut glyphs = glyphs_at("r ∈ {1, 2, ", 72.0, 100.0, 10.0);
        let x = glyphs.last().unwrap().bbox.x1;
        glyphs.extend(glyphs_at("1", x, 96.0, 7.0));
        glyphs.extend(glyphs_at("2", x, 103.5, 7.0));
        glyphs.extend(glyphs_at(", ", x + 3.5, 100.0, 10.0));
        let x = glyphs.last().unwrap().bbox.x1;
        // The denominator drawn first and a hair to the left.
        glyphs.extend(glyphs_at("3", x - 0.2, 103.5, 7.0));
        glyphs.extend(glyphs_at("1", x, 96.0, 7.0));
        glyphs.extend(glyphs_at("}", x + 3.5, 100.0, 10.0));
        let lines = lines_from_glyphs(&glyphs);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].text(), "r ∈ {1, 2, 1/2, 1/3}");
        // x with a subscript 1 and a superscript 2 stacked right after it: no fraction.
        let mut glyphs = glyphs_at("x", 72.0, 100.0, 10.0);
        glyphs.extend(glyphs_at("2", 77.0, 96.0, 7.0));
        glyphs.extend(glyphs_at("1", 77.0, 102.0, 7.0));
        let lines = lines_from_glyphs(&glyphs);
        assert!(!lines[0].text().contains('/'), "{}", lines[0].text());
    }

    #[test]
    fn stacked_letter_fractions_read_inline() {
        // MobileNetV2's Table 1: "h/s × w/s × tk" with h over s and w over s set small
        // (TeX's \frac in a table cell); it read "h_s × w_s × tk".
        let mut glyphs = Vec::new();
        glyphs.extend(glyphs_at("h", 72.0, 96.0, 7.0));
        glyphs.extend(glyphs_at("s", 72.2, 103.5, 7.0));
        glyphs.extend(glyphs_at(" × ", 76.0, 100.0, 10.0));
        let x = glyphs.last().unwrap().bbox.x1;
        glyphs.extend(glyphs_at("w", x, 96.0, 7.0));
        glyphs.extend(glyphs_at("s", x + 0.5, 103.5, 7.0));
        glyphs.extend(glyphs_at(" × tk", x + 4.0, 100.0, 10.0));
        let lines = lines_from_glyphs(&glyphs);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].text(), "h/s × w/s × tk");
        // A letter with a subscript i and a superscript n stacked right after it: no fraction.
        let mut glyphs = glyphs_at("x", 72.0, 100.0, 10.0);
        glyphs.extend(glyphs_at("n", 77.0, 96.0, 7.0));
        glyphs.extend(glyphs_at("i", 77.0, 102.0, 7.0));
        let lines = lines_from_glyphs(&glyphs);
        assert!(!lines[0].text().contains('/'), "{}", lines[0].text());
    }

    /// U-Net p.5: "a standard deviation of √(2/N), where": the radical (cmsy) hangs from its
    /// baseline at the top of its ink, and by that baseline it was a line of its own above the
    /// sentence, which read "of 2/N,". A big bracket keeps its place (a table's spans rows).
    #[test]
    fn a_hanging_radical_reads_in_its_sentence() {
        let mut g = glyphs_at("deviation of ", 72.0, 100.0, 10.0);
        let x = g.last().unwrap().bbox.x1;
        let mut root = glyphs_at("√", x, 91.5, 10.0);
        root[0].ink = Some(Rect::new(x, 91.0, x + 5.0, 102.5));
        g.extend(root);
        g.extend(glyphs_at("2/N, where", x + 5.0, 100.0, 10.0));
        let lines = lines_from_glyphs(&g);
        let texts: Vec<String> = lines.iter().map(Line::text).collect();
        assert_eq!(texts, ["deviation of √2/N, where"]);

        let mut bracket = glyphs_at("[", x, 91.5, 10.0);
        bracket[0].ink = Some(Rect::new(x, 91.0, x + 5.0, 102.5));
        g.retain(|c| c.ch != '√');
        g.extend(bracket);
        assert_eq!(lines_from_glyphs(&g).len(), 2);
    }

    #[test]
    fn superscripts_glued_to_their_base_are_marked() {
        // "a 224² crop and 10⁻⁴": raised 7 pt digits right after the base.
        let mut glyphs = glyphs_at("a 224", 72.0, 100.0, 10.0);
        let x = glyphs.last().unwrap().bbox.x1;
        glyphs.extend(glyphs_at("2", x, 96.0, 7.0));
        glyphs.extend(glyphs_at(" crop and 10", x + 3.5, 100.0, 10.0));
        let x = glyphs.last().unwrap().bbox.x1;
        glyphs.extend(glyphs_at("−4", x, 96.0, 7.0));
        let lines = lines_from_glyphs(&glyphs);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].text(), "a 224^2 crop and 10^−4");
        // Scientific notation keeps its form.
        let mut glyphs = glyphs_at("lr 3.0e", 72.0, 100.0, 10.0);
        let x = glyphs.last().unwrap().bbox.x1;
        glyphs.extend(glyphs_at("−4", x, 96.0, 7.0));
        assert_eq!(lines_from_glyphs(&glyphs)[0].text(), "lr 3.0e−4");
        // A line set in small type throughout has no superscripts.
        let lines = lines_from_glyphs(&glyphs_at("a 224 crop", 72.0, 100.0, 7.0));
        assert_eq!(lines[0].text(), "a 224 crop");
    }

    #[test]
    fn subscript_drawn_later_joins_its_line() {
        // "x" then "+ y" placed after a gap left for the subscript, which comes last.
        let mut g = glyphs_at("x", 72.0, 100.0, 10.0);
        g.extend(glyphs_at("+ y", 72.0 + 12.0, 100.0, 10.0));
        g.extend(glyphs_at("i", 72.0 + 5.0, 102.0, 7.0));
        let lines = lines_from_glyphs(&g);
        assert_eq!(lines.len(), 1, "{lines:?}");
        // The lowered small "i" is a subscript (issue 18: written "_" as superscripts "^").
        assert_eq!(lines[0].words[0].text, "x_i");
    }

    #[test]
    fn subscripts_glued_to_their_base_are_marked() {
        // "λcoord = 5" as TeX sets $\lambda_{\text{coord}}$: 7 pt letters 1.5 pt below the
        // 10 pt baseline, right after the base; then "and x" with a lowered "i" and a raised
        // "2" after it (x_i^2).
        let mut glyphs = glyphs_at("λ", 72.0, 100.0, 10.0);
        let x = glyphs.last().unwrap().bbox.x1;
        glyphs.extend(glyphs_at("coord", x, 101.5, 7.0));
        let x = glyphs.last().unwrap().bbox.x1;
        glyphs.extend(glyphs_at(" = 5 and x", x, 100.0, 10.0));
        let x = glyphs.last().unwrap().bbox.x1;
        glyphs.extend(glyphs_at("i", x, 101.5, 7.0));
        glyphs.extend(glyphs_at("2", x + 3.5, 96.0, 7.0));
        let lines = lines_from_glyphs(&glyphs);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].text(), "λ_coord = 5 and x_i^2");
        // Small type on the line's own baseline (a footnote-size word) is no subscript.
        let mut glyphs = glyphs_at("see", 72.0, 100.0, 10.0);
        let x = glyphs.last().unwrap().bbox.x1;
        glyphs.extend(glyphs_at("NOTE", x, 100.0, 7.0));
        assert_eq!(lines_from_glyphs(&glyphs)[0].text(), "seeNOTE");
    }

    #[test]
    fn two_columns_at_one_height_stay_apart() {
        let mut g = glyphs_at("left column", 72.0, 100.0, 10.0);
        g.extend(glyphs_at("right column", 320.0, 100.0, 10.0));
        let lines = lines_from_glyphs(&g);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].text(), "left column");
        assert_eq!(lines[1].text(), "right column");
    }

    #[test]
    fn paragraph_lines_form_one_block_and_caption_starts_another() {
        let mut g = Vec::new();
        // The paragraph ends its sentence, then a caption starts.
        for (i, t) in ["first line of text", "second line here.", "Figure 1: A cap"]
            .iter()
            .enumerate()
        {
            g.extend(glyphs_at(t, 72.0, 100.0 + 12.0 * i as f64, 10.0));
        }
        let lines = lines_from_glyphs(&g);
        let blocks = blocks_from_lines(lines, &|l: &Line| l.text().starts_with("Figure"));
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[0].text(), "first line of text\nsecond line here.");
    }

    #[test]
    fn a_caption_look_alike_that_continues_a_sentence_stays_in_the_paragraph() {
        // U-Net, p. 2: "...; see" / "Figure 1. The main idea in [9] is ..." (its captions
        // read "Fig. 1.").
        let mut g = Vec::new();
        for (i, t) in [
            "more precise segmentations; see",
            "Figure 1. The main idea in",
            "next line",
        ]
        .iter()
        .enumerate()
        {
            g.extend(glyphs_at(t, 72.0, 100.0 + 12.0 * i as f64, 10.0));
        }
        let lines = lines_from_glyphs(&g);
        let blocks = blocks_from_lines(lines, &|l: &Line| l.text().starts_with("Figure"));
        assert_eq!(blocks.len(), 1, "{blocks:?}");
    }

    #[test]
    fn a_caption_look_alike_under_an_indented_first_line_stays_in_the_paragraph() {
        // AlexNet, p.5: a paragraph's indented first line ends "layers of", the next line
        // starts at the column's edge with "Figure 2. Without dropout, ..." (its captions are
        // set smaller). The sentence goes on: one paragraph, no caption. A caption beside the
        // paragraph (wrapfig), far right of both starts, still starts its own block.
        let mut g = glyphs_at("a previous paragraph ends here.", 72.0, 88.0, 10.0);
        g.extend(glyphs_at(
            "We use dropout in the two layers of",
            84.0,
            100.0,
            10.0,
        ));
        g.extend(glyphs_at(
            "Figure 2. Without dropout, our",
            72.0,
            112.0,
            10.0,
        ));
        g.extend(glyphs_at("network overfits.", 72.0, 124.0, 10.0));
        let lines = lines_from_glyphs(&g);
        let blocks = blocks_from_lines(lines, &|l: &Line| l.text().starts_with("Figure"));
        assert_eq!(blocks.len(), 1, "{blocks:?}");
        let mut g = glyphs_at("We use dropout in the two layers of", 84.0, 100.0, 10.0);
        g.extend(glyphs_at("Figure 2. A wrapped caption", 320.0, 112.0, 10.0));
        let lines = lines_from_glyphs(&g);
        let blocks = blocks_from_lines(lines, &|l: &Line| l.text().starts_with("Figure"));
        assert_eq!(blocks.len(), 2, "{blocks:?}");
    }
}
