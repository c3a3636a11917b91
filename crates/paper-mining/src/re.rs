//! Compiling the vocabulary's patterns with ASCII word classes.
//!
//! Papers are full of non-ASCII characters (×, −, Greek letters), and the regex crate's lazy DFA
//! gives up on a Unicode `\b` as soon as the haystack holds one, falling back to the much
//! slower PikeVM; Unicode `\w` and `\d` also make every automaton several times larger to
//! build. The patterns only ever mean ASCII words and digits, so `\b`, `\w` and `\d` are
//! rewritten to their ASCII forms before compiling. That made mining a paper ~10x faster (see
//! the commit). Literal non-ASCII characters and `(?i)` keep working as before.

use regex::Regex;

/// `pattern` with `\b`, `\w`, `\W`, `\d` and `\D` made ASCII-only; escaped backslashes (`\\beta`)
/// are left alone.
pub fn ascii_classes(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 32);
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            // `\b{start}` and friends are not used; a plain `\b` is.
            Some('b') => out.push_str(r"(?-u:\b)"),
            Some('B') => out.push_str(r"(?-u:\B)"),
            Some('w') => out.push_str("[0-9A-Za-z_]"),
            Some('W') => out.push_str("[^0-9A-Za-z_]"),
            Some('d') => out.push_str("[0-9]"),
            Some('D') => out.push_str("[^0-9]"),
            Some(e) => {
                out.push('\\');
                out.push(e);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// Compiles a pattern of this crate (a constant, so a failure is a bug in the vocabulary).
pub fn compile(pattern: &str) -> Regex {
    Regex::new(&ascii_classes(pattern)).unwrap_or_else(|e| panic!("pattern {pattern:?}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_become_ascii_and_escaped_backslashes_stay() {
        assert_eq!(ascii_classes(r"\bx\d+\w*"), r"(?-u:\b)x[0-9]+[0-9A-Za-z_]*");
        assert_eq!(ascii_classes(r"\\beta\s"), r"\\beta\s");
        assert_eq!(ascii_classes(r"[\d.]"), r"[[0-9].]");
    }

    #[test]
    fn ascii_word_boundaries_still_hold_next_to_non_ascii_text() {
        // "×" and "−" are not word characters either way, so the boundary is where it was.
        let re = compile(r"\b(?P<v>\d+)\s*×\s*\d+\b");
        assert_eq!(&re.captures("a 3×3 conv").unwrap()["v"], "3");
        assert!(compile(r"\blr\b").is_match("lr−0.1"));
        assert!(!compile(r"\blr\b").is_match("clr = 1"));
    }
}
