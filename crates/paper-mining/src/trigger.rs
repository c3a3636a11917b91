//! Which of a set of patterns can match a text at all, found without compiling them.
//!
//! Building a rule's automaton costs about a millisecond (the shared value and filler
//! sub-patterns are large), and a paper states only a fraction of the vocabulary: a vision
//! paper has no vocabulary size, a language paper no kernel size. So each rule gets a
//! *trigger*: a set of literals one of which every match of the rule must contain, taken from
//! the rule's own syntax tree with `regex-syntax`'s literal extractor. One Aho-Corasick
//! automaton over all triggers tells, per sentence, which rules can match there; a rule whose
//! trigger never occurs is never compiled.
//!
//! A trigger only has to be necessary, never sufficient, so everything here errs towards
//! "can match": literals are ASCII-lowercased and matched ASCII-case-insensitively (a superset),
//! the value and filler sub-patterns are replaced by "anything" (a superset), and a rule whose
//! literals cannot be bounded gets no trigger and is always tried.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex_syntax::hir::literal::{ExtractKind, Extractor, Seq};
use regex_syntax::hir::{Hir, HirKind};

/// The rules that can match some text.
pub struct Triggers {
    automaton: Option<AhoCorasick>,
    /// Rule of each automaton pattern.
    owner: Vec<usize>,
    /// Rules without a trigger: tried on every text.
    always: Vec<bool>,
}

impl Triggers {
    /// Triggers of `skeletons`: each rule's pattern (with `ascii_classes` applied) in which
    /// sub-patterns not worth analysing are already replaced by `(?s:.*)`. A skeleton that does
    /// not parse gets no trigger.
    pub fn new(skeletons: &[String]) -> Triggers {
        let mut literals: Vec<Vec<u8>> = Vec::new();
        let mut owner = Vec::new();
        let mut always = vec![false; skeletons.len()];
        for (i, skeleton) in skeletons.iter().enumerate() {
            match regex_syntax::parse(skeleton)
                .ok()
                .and_then(|h| required(&fold_ascii_case(&h)))
            {
                Some(set) => {
                    owner.extend(std::iter::repeat_n(i, set.len()));
                    literals.extend(set);
                }
                None => always[i] = true,
            }
        }
        let automaton = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .ascii_case_insensitive(true)
            .build(&literals)
            .ok();
        if automaton.is_none() {
            // Cannot happen for a few hundred short literals; if it did, every rule is tried.
            always.iter_mut().for_each(|a| *a = true);
        }
        Triggers {
            automaton,
            owner,
            always,
        }
    }

    /// For each rule, whether it can match somewhere in `text`.
    pub fn possible(&self, text: &str) -> Vec<bool> {
        let mut out = self.always.clone();
        if let Some(ac) = &self.automaton {
            for m in ac.find_overlapping_iter(text) {
                out[self.owner[m.pattern().as_usize()]] = true;
            }
        }
        out
    }
}

/// `hir` with each class that is just an ASCII letter in both cases (what `(?i)` makes of a
/// letter) replaced by the lowercase letter. The triggers are matched ASCII-case-insensitively
/// anyway, and without this a case-insensitive word of n letters is 2^n literals to the
/// extractor, which then cuts words past 7 letters short and takes ~20 ms for the vocabulary.
/// Letters whose case class holds a non-ASCII member too (k: the Kelvin sign, s: the long s)
/// stay classes.
fn fold_ascii_case(hir: &Hir) -> Hir {
    use regex_syntax::hir::{Capture, Class, Repetition};
    match hir.kind() {
        HirKind::Class(Class::Unicode(c)) => {
            let r = c.ranges();
            let single = |i: usize| (r[i].start() == r[i].end()).then(|| r[i].start());
            if r.len() == 2
                && let (Some(upper), Some(lower)) = (single(0), single(1))
                && upper.is_ascii_uppercase()
                && lower == upper.to_ascii_lowercase()
            {
                return Hir::literal(lower.to_string().into_bytes());
            }
            hir.clone()
        }
        HirKind::Repetition(rep) => Hir::repetition(Repetition {
            sub: Box::new(fold_ascii_case(&rep.sub)),
            ..rep.clone()
        }),
        HirKind::Capture(cap) => Hir::capture(Capture {
            sub: Box::new(fold_ascii_case(&cap.sub)),
            ..cap.clone()
        }),
        HirKind::Concat(parts) => Hir::concat(parts.iter().map(fold_ascii_case).collect()),
        HirKind::Alternation(alts) => Hir::alternation(alts.iter().map(fold_ascii_case).collect()),
        _ => hir.clone(),
    }
}

/// Literals (ASCII-lowercased, deduplicated) one of which every match of `hir` contains, or
/// `None` when no such finite set was found.
///
/// The extractor gives the literals every match *starts* with. For a concatenation, every match
/// also contains a match of each suffix of its parts, so each suffix is tried and the set whose
/// shortest literal is longest (then the smallest set) wins: "(?i){N}\s+momentum" yields
/// "momentum" although the pattern starts with a number.
fn required(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    let candidates: Vec<Hir> = match hir.kind() {
        HirKind::Concat(parts) => (0..parts.len())
            .map(|k| Hir::concat(parts[k..].to_vec()))
            .collect(),
        _ => vec![hir.clone()],
    };
    candidates
        .iter()
        // A suffix that starts with an assertion or an optional part has no literal the next
        // suffix lacks.
        .filter(|h| match h.kind() {
            HirKind::Concat(p) => {
                !matches!(p[0].kind(), HirKind::Look(_))
                    && !matches!(p[0].kind(), HirKind::Repetition(r) if r.min == 0)
            }
            _ => true,
        })
        .filter_map(|h| usable(Extractor::new().kind(ExtractKind::Prefix).extract(h)))
        .max_by_key(|set| {
            let shortest = set.iter().map(Vec::len).min().unwrap_or(0);
            (shortest, std::cmp::Reverse(set.len()))
        })
}

/// The literals of `seq` as a trigger set, if it is finite and has no empty literal.
fn usable(seq: Seq) -> Option<Vec<Vec<u8>>> {
    let mut set: Vec<Vec<u8>> = seq
        .literals()?
        .iter()
        .map(|l| l.as_bytes().to_ascii_lowercase())
        .collect();
    if set.is_empty() || set.iter().any(Vec::is_empty) {
        return None;
    }
    set.sort();
    set.dedup();
    Some(set)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trigger_of(pattern: &str) -> Option<Vec<String>> {
        let hir = regex_syntax::parse(pattern).unwrap();
        required(&fold_ascii_case(&hir)).map(|s| {
            s.into_iter()
                .map(|l| String::from_utf8_lossy(&l).into_owned())
                .collect()
        })
    }

    #[test]
    fn the_longest_required_literals_are_taken_from_any_suffix() {
        assert_eq!(
            trigger_of(r"(?i)(?s:.+)\s+momentum\b"),
            Some(vec!["momentum".to_string()])
        );
        assert_eq!(
            trigger_of(r"\bweight[- ]decay\b(?s:.*)"),
            Some(vec!["weight decay".to_string(), "weight-decay".to_string()])
        );
        // Non-ASCII letters keep both cases; ASCII ones are folded.
        let beta = trigger_of(r"(?i)β|learning rate").unwrap();
        assert!(beta.contains(&"β".to_string()) && beta.contains(&"Β".to_string()));
        assert!(beta.contains(&"learning rate".to_string()), "{beta:?}");
        // "k" also folds to the Kelvin sign, so it stays a class of three.
        let kernel = trigger_of(r"(?i)\bkernel\b").unwrap();
        assert_eq!(
            kernel,
            vec!["kernel".to_string(), "\u{212a}ernel".to_string()]
        );
    }

    #[test]
    fn a_pattern_with_no_bounded_literal_has_no_trigger() {
        assert_eq!(trigger_of(r"(?s:.*)\d+"), None);
        assert_eq!(trigger_of(r"\w+"), None);
    }

    #[test]
    fn rules_are_possible_exactly_where_their_literals_occur() {
        let t = Triggers::new(&[
            r"(?i)\bmomentum\b(?s:.*)".to_string(),
            r"(?i)(?s:.+)\s+layers\b".to_string(),
            r"\d+".to_string(),
        ]);
        assert_eq!(t.possible("SGD with MOMENTUM 0.9"), vec![true, false, true]);
        assert_eq!(t.possible("34 layers"), vec![false, true, true]);
        assert_eq!(t.possible("nothing here"), vec![false, false, true]);
    }
}
