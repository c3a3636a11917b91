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

/// A vocabulary rule's automaton. Built without the literal prefilter that [`compile`] gets:
/// the prefilter (extracting every case variant of the rule's words and building a Teddy or
/// Aho-Corasick searcher over them) was over a third of the building time, and a rule only
/// ever runs on the few sentences its trigger already picked (see `crate::trigger`), where a
/// prefilter saves nothing.
pub struct RuleRegex(regex_automata::meta::Regex);

impl RuleRegex {
    /// Compiles a pattern of this crate (a constant, so a failure is a bug in the vocabulary).
    pub fn new(pattern: &str) -> RuleRegex {
        regex_automata::meta::Builder::new()
            .configure(regex_automata::meta::Config::new().auto_prefilter(false))
            .build(&ascii_classes(pattern))
            .map(RuleRegex)
            .unwrap_or_else(|e| panic!("pattern {pattern:?}: {e}"))
    }

    #[cfg(test)]
    pub fn is_match(&self, haystack: &str) -> bool {
        self.0.is_match(haystack)
    }

    /// Every successive non-overlapping match, as [`regex::Regex::captures_iter`] gives them.
    pub fn captures_iter<'h>(&'h self, haystack: &'h str) -> impl Iterator<Item = Caps<'h>> + 'h {
        self.0
            .captures_iter(haystack)
            .map(move |caps| Caps { haystack, caps })
    }
}

/// One match of a [`RuleRegex`] and its groups.
pub struct Caps<'h> {
    haystack: &'h str,
    caps: regex_automata::util::captures::Captures,
}

impl<'h> Caps<'h> {
    /// The whole match.
    pub fn whole(&self) -> Piece<'h> {
        let m = self.caps.get_match().expect("an iterated match");
        Piece::new(self.haystack, m.start(), m.end())
    }

    /// The named group, if it took part in the match.
    pub fn name(&self, name: &str) -> Option<Piece<'h>> {
        let span = self.caps.get_group_by_name(name)?;
        Some(Piece::new(self.haystack, span.start, span.end))
    }
}

/// A matched piece of a haystack.
#[derive(Clone, Copy)]
pub struct Piece<'h> {
    haystack: &'h str,
    start: usize,
    end: usize,
}

impl<'h> Piece<'h> {
    fn new(haystack: &'h str, start: usize, end: usize) -> Piece<'h> {
        Piece {
            haystack,
            start,
            end,
        }
    }

    pub fn start(&self) -> usize {
        self.start
    }

    pub fn end(&self) -> usize {
        self.end
    }

    pub fn as_str(&self) -> &'h str {
        &self.haystack[self.start..self.end]
    }
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

    #[test]
    fn a_rule_finds_what_the_regex_crate_finds() {
        let pattern = r"(?i)\bwarm(?:ing)?[- ]?ups?\b\s*(?:of|over)?\s*(?P<v>\d+(?:,\d{3})*)";
        let text = "Warmup of 10,000 steps; no warm-up; warming up over 500; WARMUP 4000.";
        let ours: Vec<(String, String)> = RuleRegex::new(pattern)
            .captures_iter(text)
            .map(|c| {
                (
                    c.whole().as_str().to_string(),
                    c.name("v").unwrap().as_str().to_string(),
                )
            })
            .collect();
        let theirs: Vec<(String, String)> = compile(pattern)
            .captures_iter(text)
            .map(|c| (c[0].to_string(), c["v"].to_string()))
            .collect();
        assert_eq!(ours.len(), 3);
        assert_eq!(ours, theirs);
        assert!(
            RuleRegex::new(pattern)
                .captures_iter(text)
                .all(|c| c.name("w").is_none())
        );
    }
}
