//! Column boundaries from geometry: the vertical gaps that every numeric row of a table leaves
//! free.
//!
//! Alignment alone (chunks cut at gaps wider than 0.9 em) misses columns set closer than that
//! somewhere in the table: a header wider than its data ("ConvNeXt-T/S/B/L ConvNeXt-T/S/B/L/XL",
//! 3.6 pt apart, over columns 11 pt apart), header words one space apart, or tightly set values.
//! The rows that hold numbers show where the columns really are: an x-interval that no token of
//! any numeric row touches, at least 0.6 em wide (wider than a word space), is a boundary, when
//! a column on one side of it holds a number.
//! A chunk whose tokens leave such a boundary free between them is split there when each piece
//! lines up (left, centre or right) with the numeric rows' cells of its column; a phrase centred
//! over two columns does not, and neither does a header underlined by a `\cmidrule`: both stay
//! spanning cells.

use super::{Chunk, TextRow, Token};

/// A token that is mostly a number: digits with decimal points, signs, exponents, separators and
/// a unit letter ("4e-3", "0.1/0.4/0.5", "224^2", "(9,", "25.6M", "76.1%").
pub(super) fn numeric(text: &str) -> bool {
    let digits = text.chars().filter(char::is_ascii_digit).count();
    if digits == 0 {
        return false;
    }
    let numberish = text
        .chars()
        .filter(|c| c.is_ascii_digit() || ".,/()[]+-−^×:~≈%±eEMBKkGT".contains(*c))
        .count();
    10 * numberish >= 8 * text.chars().count()
}

/// Boundaries as x-intervals, left to right, and the extent of the numeric rows' cells between
/// consecutive boundaries (one more than the boundaries).
#[derive(Debug, Default)]
pub(super) struct Boundaries {
    gaps: Vec<(f64, f64)>,
    /// Whether a column on either side of the gap holds a number: only those gaps split.
    strong: Vec<bool>,
    columns: Vec<(f64, f64)>,
}

impl Boundaries {
    /// The boundaries of `rows`: none when fewer than two rows hold a number.
    pub(super) fn find(rows: &[TextRow], em: f64) -> Self {
        let numeric_rows: Vec<&TextRow> = rows
            .iter()
            .filter(|r| r.tokens.iter().any(|t| numeric(&t.text)))
            .collect();
        if numeric_rows.len() < 2 {
            return Self::default();
        }
        let mut spans: Vec<(f64, f64)> = numeric_rows
            .iter()
            .flat_map(|r| r.tokens.iter().map(|t| (t.bbox.x0, t.bbox.x1)))
            .collect();
        spans.sort_by(|a, b| a.0.total_cmp(&b.0));
        // Occupied intervals, merged; what lies between them is free in every numeric row.
        let mut occupied: Vec<(f64, f64)> = Vec::new();
        for (x0, x1) in spans {
            match occupied.last_mut() {
                Some(o) if x0 <= o.1 => o.1 = o.1.max(x1),
                _ => occupied.push((x0, x1)),
            }
        }
        let mut gaps = Vec::new();
        let mut columns = Vec::new();
        let mut start = occupied[0].0;
        for w in occupied.windows(2) {
            if w[1].0 - w[0].1 >= 0.6 * em {
                gaps.push((w[0].1, w[1].0));
                columns.push((start, w[0].1));
                start = w[1].0;
            }
        }
        columns.push((start, occupied.last().expect("non-empty").1));
        // A boundary separates numbers from something: between two columns that hold no
        // number in any row (SSD's Table 3 ticks, one per layer and row) it is no evidence.
        let holds_number = |col: &(f64, f64)| {
            numeric_rows.iter().any(|r| {
                r.tokens.iter().any(|t| {
                    numeric(&t.text) && t.bbox.x0 >= col.0 - 0.01 && t.bbox.x1 <= col.1 + 0.01
                })
            })
        };
        let strong = (0..gaps.len())
            .map(|k| holds_number(&columns[k]) || holds_number(&columns[k + 1]))
            .collect();
        Self {
            gaps,
            strong,
            columns,
        }
    }

    /// Splits chunks at the boundaries their tokens leave free, where every piece lines up with
    /// its column; `horizontals` are the table's horizontal rules as (y, x0, x1).
    pub(super) fn split(
        &self,
        chunks: Vec<Chunk>,
        rows: &[TextRow],
        horizontals: &[(f64, f64, f64)],
        table_width: f64,
        em: f64,
    ) -> Vec<Chunk> {
        if self.gaps.is_empty() {
            return chunks;
        }
        let mut out = Vec::with_capacity(chunks.len());
        for c in chunks {
            match self.pieces(&c, rows, horizontals, table_width, em) {
                Some(pieces) => out.extend(pieces),
                None => out.push(c),
            }
        }
        out
    }

    fn pieces(
        &self,
        c: &Chunk,
        rows: &[TextRow],
        horizontals: &[(f64, f64, f64)],
        table_width: f64,
        em: f64,
    ) -> Option<Vec<Chunk>> {
        let crosses = |a: &Token, b: &Token| {
            self.gaps
                .iter()
                .zip(&self.strong)
                .any(|(g, &strong)| strong && a.bbox.x1 <= g.1 && b.bbox.x0 >= g.0)
        };
        if !c.tokens.windows(2).any(|w| crosses(&w[0], &w[1])) {
            return None;
        }
        // A header underlined by a rule narrower than the table (a \cmidrule) spans on purpose.
        let row = &rows[c.row];
        let underlined = horizontals.iter().any(|h| {
            h.0 > row.bottom - 1.0
                && h.0 < row.bottom + 1.2 * em
                && h.2 - h.1 < 0.9 * table_width
                && h.1 < c.x0 + em
                && h.2 > c.x1 - em
        });
        if underlined {
            return None;
        }
        let mut pieces: Vec<Chunk> = Vec::new();
        for t in &c.tokens {
            match pieces.last_mut() {
                Some(p) if !crosses(p.tokens.last().expect("non-empty"), t) => {
                    p.x1 = p.x1.max(t.bbox.x1);
                    p.tokens.push(t.clone());
                }
                _ => pieces.push(Chunk {
                    row: c.row,
                    x0: t.bbox.x0,
                    x1: t.bbox.x1,
                    tokens: vec![t.clone()],
                }),
            }
        }
        let tol = 0.25 * em;
        let aligned = |p: &Chunk| {
            let mid = (p.x0 + p.x1) / 2.0;
            // The column whose reach (up to the neighbouring boundaries) holds the piece.
            let Some(col) = (0..self.columns.len())
                .find(|&i| {
                    let lo = if i == 0 { f64::MIN } else { self.gaps[i - 1].0 };
                    let hi = self.gaps.get(i).map_or(f64::MAX, |g| g.1);
                    mid > lo && mid < hi
                })
                .map(|i| self.columns[i])
            else {
                return false;
            };
            (p.x0 - col.0).abs() <= tol
                || (p.x1 - col.1).abs() <= tol
                || (mid - (col.0 + col.1) / 2.0).abs() <= tol
        };
        pieces.iter().all(aligned).then_some(pieces)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_words() {
        for n in [
            "4e-3",
            "0.05",
            "224^2",
            "(9,",
            "0.1/0.4/0.5/0.5",
            "25.6M",
            "1e-6",
            "[51]",
        ] {
            assert!(numeric(n), "{n}");
        }
        for w in [
            "AdamW",
            "ImageNet-1K",
            "ResNet-50",
            "None",
            "ViT-B/16",
            "β1,",
        ] {
            assert!(!numeric(w), "{w}");
        }
    }
}
