//! What is still the scaffold: a block of Markdown whose text carries the marker `init` writes
//! into every gap, `TODO(paper)`, says nothing about the paper, however well-formed it is.
//!
//! An untouched scaffold has every part, formula, table row and diagram the checklist asks for,
//! each a placeholder; the items of every group read through these helpers, so that such a
//! tree fails each item on what it lacks, not only the placeholder scan.

use crate::markdown::{Block, Kind, Section};

/// The marker `init` writes where the paper's content goes.
pub const MARKER: &str = "TODO(paper)";

/// Whether `text` still holds the scaffold's marker.
pub fn is_placeholder(text: &str) -> bool {
    text.contains(MARKER)
}

/// The source text of a block (its lines, heading and fences included).
pub fn block_text(lines: &[&str], b: &Block) -> String {
    let from = b.line.saturating_sub(1).min(lines.len());
    let to = b.end_line.min(lines.len()).max(from);
    lines[from..to].join("\n")
}

/// Whether a content block says something of its own: not a comment, not a heading, and no
/// placeholder in it.
pub fn is_substance(lines: &[&str], b: &Block) -> bool {
    b.is_content()
        && !matches!(b.kind, Kind::Heading { .. })
        && !is_placeholder(&block_text(lines, b))
}

/// Whether the section holds a content block that is not a placeholder.
pub fn has_substance(lines: &[&str], s: &Section<'_>) -> bool {
    s.body.iter().any(|b| is_substance(lines, b))
}

/// The table rows none of whose cells is a placeholder.
pub fn filled_rows(rows: &[(usize, Vec<String>)]) -> usize {
    rows.iter()
        .filter(|(_, cells)| {
            cells.iter().any(|c| !c.trim().is_empty()) && !cells.iter().any(|c| is_placeholder(c))
        })
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::Doc;

    #[test]
    fn a_section_of_placeholders_has_no_substance() {
        let text = "## A\n\nTODO(paper): the problem.\n\n<!-- a comment -->\n\n## B\n\nThe task is \
                    classification.\n\nTODO(paper): more.\n";
        let doc = Doc::parse(text);
        let lines: Vec<&str> = text.lines().collect();
        let a = doc.find_section(&["A"], 2).unwrap();
        let b = doc.find_section(&["B"], 2).unwrap();
        assert!(a.has_content() && !has_substance(&lines, &a));
        assert!(has_substance(&lines, &b));
    }

    #[test]
    fn rows_with_a_placeholder_cell_are_not_filled() {
        let rows = vec![
            (3, vec!["$x$".into(), "TODO(paper): 含义".into()]),
            (4, vec!["$y$".into(), "output".into()]),
            (5, vec![" ".into(), "".into()]),
        ];
        assert_eq!(filled_rows(&rows), 1);
    }
}
