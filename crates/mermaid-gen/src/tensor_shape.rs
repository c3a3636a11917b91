//! The one definition of "this diagram label carries a tensor shape", shared by mermaid-gen's
//! own warnings and repro-check's `diagrams.shapes` item.
//!
//! The skill's rule is "input, output and key nodes carry a tensor shape in brackets". A shape
//! is whatever a real tensor can have, not only a batch-first image shape: `[B, 64, 56, 56]`,
//! batch-folded windows `[B*nW, 49, 96]`, an attention mask `[nW, 49, 49]`, a bias table
//! `[3, 49, 49]`, a concrete `[2, 3, 224, 224]`, labml's `[batch_size, seq_len, d_model]`, and a
//! scalar written `[]` or with the word `scalar` (`标量`). What is *not* a shape: brackets
//! around prose (`[see text]`), a question mark (`[?]` says the shape is unknown, and unknown
//! must not pass), or an empty dimension (`[B, , 3]`).

/// Whether `label` carries a tensor shape: a bracketed list of dimensions, `[]`, or the word
/// `scalar` / `标量`. Labels are read as drawn (`<br/>` line breaks are fine).
pub fn has_tensor_shape(label: &str) -> bool {
    has_scalar_word(label) || bracket_groups(label).any(is_shape_body)
}

/// The innermost `[...]` groups of a label (no `[` inside), as their inner text.
fn bracket_groups(label: &str) -> impl Iterator<Item = &str> {
    label.match_indices('[').filter_map(move |(i, _)| {
        let rest = &label[i + 1..];
        let close = rest.find(']')?;
        let inner = &rest[..close];
        (!inner.contains('[')).then_some(inner)
    })
}

/// `scalar` or `标量` as a word of its own (not `scalars_table` or `rescalar`).
fn has_scalar_word(label: &str) -> bool {
    if label.contains("标量") {
        return true;
    }
    let lower = label.to_ascii_lowercase();
    lower.match_indices("scalar").any(|(i, w)| {
        let before = lower[..i].chars().next_back();
        let after = lower[i + w.len()..].chars().next();
        let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        !word(before) && !word(after)
    })
}

/// The text between the brackets is a shape: empty (a scalar) or comma-separated dimensions,
/// each one an arithmetic expression over names and integers (`B*nW`, `H//2`, `d_k`, `...`).
fn is_shape_body(inner: &str) -> bool {
    let inner = inner.trim();
    if inner.is_empty() {
        return true;
    }
    inner.split(',').all(|d| is_dim(d.trim()))
}

fn is_dim(d: &str) -> bool {
    if d.is_empty() {
        return false;
    }
    if matches!(d, "..." | "…") {
        return true;
    }
    let mut words = 0;
    let mut operand = false;
    let mut chars = d.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_ascii_alphanumeric() || c == '_' || c == '\'' => {
                if !operand {
                    words += 1;
                }
                operand = true;
                // A name is one word: `num heads` (two words side by side) is prose.
                if chars.peek().is_some_and(|n| *n == ' ') {
                    while chars.peek().is_some_and(|n| *n == ' ') {
                        chars.next();
                    }
                    if chars
                        .peek()
                        .is_some_and(|n| n.is_ascii_alphanumeric() || *n == '_')
                    {
                        return false;
                    }
                }
            }
            '*' | '/' | '+' | '-' | '×' | '^' | '%' | '(' | ')' | ' ' | '.' => operand = false,
            _ => return false,
        }
    }
    words >= 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_real_shape_counts() {
        for label in [
            "Conv<br/>[B, 64, H, W]",
            "q: [ B ,12]",
            "[B]",
            "windows<br/>[B*nW, 49, 96]",
            "mask [nW, 49, 49]",
            "relative position bias [3, 49, 49]",
            "[2, 3, 224, 224]",
            "[batch_size, seq_len, d_model]",
            "[B, C, H//2, W//2]",
            "[B, (H/4)*(W/4), 96]",
            "loss<br/>[]",
            "loss (scalar)",
            "Scalar loss",
            "损失（标量）",
            "TODO(paper): [B, ...]",
            "Output<br/>[B, 1000], [B, 1000]",
        ] {
            assert!(has_tensor_shape(label), "{label}");
        }
    }

    #[test]
    fn prose_and_unknowns_do_not() {
        for label in [
            "Conv 3x3",
            "37000 x 512",
            "[see text]",
            "[?]",
            "[B, ?, 3]",
            "[B, , 3]",
            "output",
            "rescalar",
            "scalars_table",
            "x",
        ] {
            assert!(!has_tensor_shape(label), "{label}");
        }
    }
}
