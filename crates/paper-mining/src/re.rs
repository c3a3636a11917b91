//! Compiling the vocabulary's patterns with ASCII word classes.
//!
//! Papers are full of non-ASCII characters (×, −, Greek letters), and the regex crate's lazy DFA
//! gives up on a Unicode `\b` as soon as the haystack holds one, falling back to the much
//! slower PikeVM; Unicode `\w` and `\d` also make every automaton several times larger to
//! build. The patterns only ever mean ASCII words and digits, so `\b`, `\w` and `\d` are
//! rewritten to their ASCII forms before compiling. That made mining a paper ~10x faster (see
//! the commit). Literal non-ASCII characters and `(?i)` keep working as before.

use regex::Regex;
use regex_syntax::hir::{Capture, Class, Hir, HirKind, Literal, Repetition};
use std::sync::OnceLock;

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
/// prefilter saves nothing. Nor with the lazy DFA: it needs a reverse automaton and a cache of
/// its own, which took a third of what was left of the building time (all rules: 36 -> 25 ms),
/// while searching those few sentences without it (the bounded backtracker or the PikeVM,
/// linear in the sentence) cost 3.6 ms more a paper (25 papers' 13,485 sentences, every rule
/// built: 105 -> 195 ms); over the 15 corpus papers pdf-figures ran 2-3% faster.
pub struct RuleRegex(regex_automata::meta::Regex);

impl RuleRegex {
    /// Compiles a pattern of this crate (a constant, so a failure is a bug in the vocabulary).
    pub fn new(pattern: &str) -> RuleRegex {
        regex_automata::meta::Builder::new()
            .configure(
                regex_automata::meta::Config::new()
                    .auto_prefilter(false)
                    .hybrid(false),
            )
            .build_from_hir(&hir_of(&ascii_classes(pattern)))
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

/// The pieces that many patterns hold whole: the printed number and the filler between a
/// rule's words and its value. Parsing a pattern (its case folding above all) was half the
/// time of building a rule, and most of a rule's text is these pieces; each is parsed once per
/// case mode and put into the parsed patterns instead (see [`hir_of`]).
fn pieces() -> [&'static str; 2] {
    [crate::number::NUM, crate::vocab::FILL]
}

/// The stand-in for piece `k` in a pattern's text: one atom (so that a quantifier after it
/// applies to all of it, as to the piece's own group), a class of two private-use characters
/// that no pattern holds and that nothing merges with, then a `q` whose parsed form tells
/// whether case is ignored where the piece stands (`[Qq]`) or not (`q`).
fn marker(k: usize) -> String {
    let (a, b) = marker_chars(k);
    format!("(?:[\\x{{{:X}}}\\x{{{:X}}}]q)", a as u32, b as u32)
}

fn marker_chars(k: usize) -> (char, char) {
    let base = 0xF0000 + 4 * k as u32;
    (
        char::from_u32(base).expect("a private-use character"),
        char::from_u32(base + 2).expect("a private-use character"),
    )
}

fn parse(pattern: &str) -> Hir {
    regex_syntax::ParserBuilder::new()
        .build()
        .parse(pattern)
        .unwrap_or_else(|e| panic!("pattern {pattern:?}: {e}"))
}

/// Piece `k` parsed with case ignored or not, once per process.
fn piece_hir(k: usize, ignore_case: bool) -> &'static Hir {
    static HIRS: [[OnceLock<Hir>; 2]; 2] = [const { [const { OnceLock::new() }; 2] }; 2];
    HIRS[k][usize::from(ignore_case)].get_or_init(|| {
        let piece = ascii_classes(pieces()[k]);
        parse(&if ignore_case {
            format!("(?i:{piece})")
        } else {
            piece
        })
    })
}

/// The parsed form of `pattern` (ASCII classes already made), equal to what parsing it whole
/// gives: every piece it holds is parsed once per process and copied in (see [`pieces`]).
pub(crate) fn hir_of(pattern: &str) -> Hir {
    let mut text = std::borrow::Cow::Borrowed(pattern);
    for (k, piece) in pieces().iter().enumerate() {
        let piece = ascii_classes(piece);
        if text.contains(&piece) {
            text = put_markers(&text, &piece, &marker(k)).into();
        }
    }
    let hir = match text {
        std::borrow::Cow::Borrowed(_) => parse(pattern),
        std::borrow::Cow::Owned(text) => substitute(parse(&text)),
    };
    debug_assert_eq!(hir, parse(pattern), "pattern {pattern:?}");
    hir
}

/// `text` with `piece` replaced by `marker` wherever no quantifier follows it: the filler is
/// no atom (`(...)*\s*`), so a quantifier after it applies to its last part only, and the
/// marker, an atom, would change that.
fn put_markers(text: &str, piece: &str, marker: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(piece) {
        let after = &rest[at + piece.len()..];
        out.push_str(&rest[..at]);
        if after.starts_with(['*', '+', '?', '{']) {
            out.push_str(piece);
        } else {
            out.push_str(marker);
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

fn marker_of(hir: &Hir) -> Option<usize> {
    let HirKind::Class(Class::Unicode(class)) = hir.kind() else {
        return None;
    };
    let [a, b] = class.ranges() else {
        return None;
    };
    (0..pieces().len()).find(|&k| {
        let (x, y) = marker_chars(k);
        (a.start(), a.end(), b.start(), b.end()) == (x, x, y, y)
    })
}

/// `hir` with every marker replaced by its piece, rebuilt with the constructors the parser
/// uses, so that literals merge and concatenations flatten as in a whole parse.
fn substitute(hir: Hir) -> Hir {
    if !matches!(
        hir.kind(),
        HirKind::Concat(_) | HirKind::Alternation(_) | HirKind::Repetition(_) | HirKind::Capture(_)
    ) {
        return hir;
    }
    match hir.into_kind() {
        HirKind::Concat(subs) => {
            let mut out = Vec::with_capacity(subs.len());
            let mut subs = subs.into_iter();
            while let Some(sub) = subs.next() {
                let Some(k) = marker_of(&sub) else {
                    out.push(substitute(sub));
                    continue;
                };
                let after = subs.next().map(Hir::into_kind);
                let ignore_case = match after {
                    Some(HirKind::Class(_)) => true,
                    Some(HirKind::Literal(Literal(bytes))) => {
                        out.push(piece_hir(k, false).clone());
                        if bytes.len() > 1 {
                            out.push(Hir::literal(bytes[1..].to_vec()));
                        }
                        continue;
                    }
                    _ => panic!("a piece's marker without its q"),
                };
                out.push(piece_hir(k, ignore_case).clone());
            }
            Hir::concat(out)
        }
        HirKind::Alternation(subs) => Hir::alternation(subs.into_iter().map(substitute).collect()),
        HirKind::Repetition(r) => Hir::repetition(Repetition {
            sub: Box::new(substitute(*r.sub)),
            ..r
        }),
        HirKind::Capture(c) => Hir::capture(Capture {
            sub: Box::new(substitute(*c.sub)),
            ..c
        }),
        _ => unreachable!("only containers get here"),
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
    fn a_piece_parses_as_it_does_in_place_whatever_stands_around_it() {
        use crate::number::NUM;
        let whole = |p: &str| parse(p);
        for pattern in [
            format!("a{NUM}b"),
            format!("(?i)a{NUM}bc"),
            format!("x(?:{NUM})?y{NUM}"),
            format!("(?i:{NUM})z|q{NUM}"),
            format!("(?i)(?P<v>{NUM})\\s*(?-i:param){NUM}"),
            format!("^{NUM}$"),
            NUM.to_string(),
            format!("(?i)ab{}{NUM}q", crate::vocab::FILL),
            format!("{}+", crate::vocab::FILL),
        ] {
            let pattern = ascii_classes(&pattern);
            assert_eq!(hir_of(&pattern), whole(&pattern), "{pattern}");
        }
    }

    #[test]
    fn a_piece_keeps_its_case_mode() {
        use crate::number::NUM;
        let re = |p: &str| RuleRegex::new(p);
        // "[kKMBT]" of the number takes "m" only where case is ignored.
        assert!(re(&format!("(?i)^{NUM}$")).is_match("25m"));
        assert!(!re(&format!("^{NUM}$")).is_match("25m"));
        assert!(re(&format!("^{NUM}$")).is_match("25M"));
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
