//! Symbol assignments in running text and captions: `S = 7`, `λcoord = 5`, `α is set to 1`,
//! `smin is 0.2`, `r ∈ {8, 16, 64}`. They carry a model's architecture and loss weights (the
//! grid size, the loss balance, the group count), which the vocabulary's named settings do not
//! cover.
//!
//! A symbol is one Latin or Greek letter, optionally with a short lower-case subscript printed
//! inline (`λcoord`, `smin`, `ar`); the value must be a number standing alone (`G = C`, `d = 4d`
//! and `x1 = x1,1` are no values). The `is` form ("smin is 0.2") is only read for a single
//! letter or a letter with a `min`/`max` subscript, so that "the rate is 0.1" is not a symbol.

use crate::number::{NUM, parse_number};
use crate::re::compile;
use regex::Regex;
use std::sync::LazyLock;

/// One assignment as found in a sentence.
#[derive(Clone, Debug, PartialEq)]
pub struct Found {
    /// The symbol as printed (`λcoord`, `C`).
    pub symbol: String,
    /// Up to four words before the symbol, the phrase that defines it ("the group number as").
    pub phrase: String,
    /// The value as printed (`32`, `{1, 0.75, 0.5}`).
    pub value: String,
    /// The number; for a set, its first element.
    pub number: f64,
}

const GREEK: &str = "α-ωΑ-Ωϵϕ";

/// A symbol: a Latin letter with an inline `min`/`max`/one-letter subscript, or a Greek letter
/// with up to six inline letters (`λcoord`), either with a subscript the layout marked
/// (`w_0`, `λ_coord`, `D_bifpn`; U-Net's "we set w_0 = 10 and σ ≈ 5 pixels" was not read).
fn symbol() -> String {
    format!(
        r"[A-Za-z](?:_[A-Za-z0-9]{{1,6}}|_?(?:min|max|[a-z]))?|[{GREEK}](?:_[A-Za-z0-9]{{1,6}}|[a-z]{{0,6}})"
    )
}

/// `X = v`, and `X ≈ v` (U-Net's `σ ≈ 5 pixels`: a stated value, kept with its `≈`).
static ASSIGN: LazyLock<Regex> = LazyLock::new(|| {
    compile(&format!(
        r"(?:^|[\s(\[,;:])(?P<s>{})\s*(?P<rel>[=≈])\s*(?P<v>{NUM})(?P<after>\S?)",
        symbol()
    ))
});

static IS: LazyLock<Regex> = LazyLock::new(|| {
    compile(&format!(
        r"(?:^|[\s(,;])(?P<s>[A-Za-z{GREEK}](?:_?(?:min|max))?|[{GREEK}][a-z]{{0,6}})\s+(?:is|are)\s+(?:set\s+to\s+|fixed\s+(?:at|to)\s+|chosen\s+as\s+)?(?:be\s+)?(?P<v>{NUM})(?P<after>\S?)"
    ))
});

static SET_TO: LazyLock<Regex> = LazyLock::new(|| {
    compile(&format!(
        r"\bset\s+(?P<s>[A-Za-z](?:_?(?:min|max))?|[{GREEK}][a-z]{{0,6}})\s+(?:to\s+(?:be\s+)?|as\s+)(?P<v>{NUM})(?P<after>\S?)"
    ))
});

static IN_SET: LazyLock<Regex> = LazyLock::new(|| {
    compile(&format!(
        r"(?:^|[\s(,;])(?P<s>{})\s*∈\s*(?P<v>\{{[^{{}}]{{1,80}}\}})",
        symbol()
    ))
});

/// `C = (96, 192, 384, 768)`, `B = [3, 3, 9, 3]`, `L = {2, 2, 6, 2}`: a tuple of plain numbers,
/// one per stage (ConvNeXt's widths and depths, p.6), read whole.
static TUPLE: LazyLock<Regex> = LazyLock::new(|| {
    compile(&format!(
        r"(?:^|[\s(\[,;:])(?P<s>{})\s*=\s*(?P<v>[(\[{{]\s*\d+(?:\.\d+)?(?:\s*,\s*\d+(?:\.\d+)?){{1,15}}\s*[)\]}}])",
        symbol()
    ))
});

/// Swin's "Swin-T: C = 96, layer numbers = {2, 2, 6, 2}": a tuple of plain numbers named by up
/// to three lower-case words instead of a letter, right after a list separator or at the start.
/// Only a tuple: a single number after words ("the bottleneck width = 4") is too often prose.
static NAMED_TUPLE: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?:^|[,;:])\s*(?P<s>[a-z]+(?:\s+[a-z]+){0,2})\s*=\s*(?P<v>[(\[{]\s*\d+(?:\.\d+)?(?:\s*,\s*\d+(?:\.\d+)?){1,15}\s*[)\]}])",
    )
});

/// Words that look like a one-letter symbol but are English.
fn is_word(s: &str) -> bool {
    matches!(
        s,
        "a" | "A"
            | "I"
            | "is"
            | "as"
            | "at"
            | "an"
            | "in"
            | "on"
            | "or"
            | "of"
            | "to"
            | "be"
            | "we"
            | "We"
            | "if"
            | "it"
            | "by"
            | "do"
            | "no"
            | "so"
            | "up"
            | "In"
            | "It"
            | "If"
    )
}

fn phrase_before(sentence: &str, at: usize) -> String {
    let words: Vec<&str> = sentence[..at].split_whitespace().collect();
    let from = words.len().saturating_sub(4);
    words[from..].join(" ")
}

static RESULT: LazyLock<Regex> = LazyLock::new(|| {
    compile(&format!(
        r"^(?:\s*[·×*/+−^-]\s*{NUM})+\s*=\s*(?P<r>{NUM})(?P<after>\S?)"
    ))
});

enum Arithmetic {
    /// No operator follows the number.
    None,
    /// An expression ending in `= result` (end offset of the result, its value).
    Result(usize, f64),
    /// An expression with no stated result.
    Open,
}

/// What follows a number at `at`: nothing, an expression with its result, or an open one.
fn arithmetic_after(sentence: &str, at: usize) -> Arithmetic {
    let rest = &sentence[at..];
    let next = rest.trim_start().chars().next();
    if !next.is_some_and(|c| "·×*/+−^-".contains(c)) {
        return Arithmetic::None;
    }
    match RESULT.captures(rest) {
        Some(c)
            if !c
                .name("after")
                .is_some_and(|a| a.as_str().chars().next().is_some_and(char::is_alphanumeric)) =>
        {
            let r = c.name("r").expect("group");
            match parse_number(r.as_str()) {
                Some(n) => Arithmetic::Result(at + r.end(), n),
                None => Arithmetic::Open,
            }
        }
        _ => Arithmetic::Open,
    }
}

/// Every symbol assignment in `sentence`, in order, each symbol once.
pub fn in_sentence(sentence: &str) -> Vec<Found> {
    let mut out: Vec<(usize, Found)> = Vec::new();
    let wanted = [
        (&*ASSIGN, sentence.contains('=') || sentence.contains('≈')),
        (
            &*IS,
            sentence.contains(" is ") || sentence.contains(" are "),
        ),
        (&*SET_TO, sentence.contains("set ")),
    ];
    for (re, _) in wanted.iter().filter(|(_, w)| *w) {
        for caps in re.captures_iter(sentence) {
            let (s, v) = (caps.name("s").unwrap(), caps.name("v").unwrap());
            let after = caps.name("after").map_or("", |m| m.as_str());
            // "4d", "0.5N/32", "3×3": the number is part of something else.
            if after
                .chars()
                .next()
                .is_some_and(|c| c.is_alphanumeric() || "×/^*+−-".contains(c))
            {
                continue;
            }
            if is_word(s.as_str()) {
                continue;
            }
            // "N = 9 · 64 = 576": the number opens a product; its result is the value, and
            // without one the symbol's value is unknown, not the first factor.
            let (mut value, number) = match arithmetic_after(sentence, v.end()) {
                Arithmetic::None => match parse_number(v.as_str()) {
                    Some(n) => (v.as_str().trim().to_string(), n),
                    None => continue,
                },
                Arithmetic::Result(end, n) => (sentence[v.start()..end].trim().to_string(), n),
                Arithmetic::Open => continue,
            };
            if caps.name("rel").is_some_and(|r| r.as_str() == "≈") {
                value = format!("≈ {value}");
            }
            out.push((
                s.start(),
                Found {
                    symbol: s.as_str().to_string(),
                    phrase: phrase_before(sentence, s.start()),
                    value,
                    number,
                },
            ));
        }
    }
    let mut sets: Vec<regex::Captures<'_>> = if sentence.contains('∈') {
        IN_SET.captures_iter(sentence).collect()
    } else {
        Vec::new()
    };
    if sentence.contains('=') {
        sets.extend(TUPLE.captures_iter(sentence));
        sets.extend(NAMED_TUPLE.captures_iter(sentence));
    }
    for caps in sets {
        let (s, v) = (caps.name("s").unwrap(), caps.name("v").unwrap());
        if is_word(s.as_str()) {
            continue;
        }
        let inner = v.as_str().trim_matches(['{', '}', '(', ')', '[', ']']);
        let Some(number) = inner.split(',').next().and_then(parse_number) else {
            continue;
        };
        out.push((
            s.start(),
            Found {
                symbol: s.as_str().to_string(),
                phrase: phrase_before(sentence, s.start()),
                value: v.as_str().to_string(),
                number,
            },
        ));
    }
    out.sort_by_key(|(at, _)| *at);
    let mut seen: Vec<Found> = Vec::new();
    for (_, f) in out {
        if !seen
            .iter()
            .any(|g| g.symbol == f.symbol && g.number == f.number)
        {
            seen.push(f);
        }
    }
    seen
}

pub(crate) fn force() {
    LazyLock::force(&TUPLE);
    LazyLock::force(&NAMED_TUPLE);
    LazyLock::force(&ASSIGN);
    LazyLock::force(&IS);
    LazyLock::force(&SET_TO);
    LazyLock::force(&IN_SET);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(s: &str) -> Vec<(String, f64)> {
        in_sentence(s)
            .into_iter()
            .map(|f| (f.symbol, f.number))
            .collect()
    }

    #[test]
    fn assignments_of_issue_18() {
        // YOLO's grid and loss weights, Swin's C and ResNeXt's cardinality.
        assert_eq!(
            pairs("We use S = 7, B = 2. PASCAL VOC has 20 labelled classes so C = 20."),
            [("S".into(), 7.0), ("B".into(), 2.0), ("C".into(), 20.0)]
        );
        assert_eq!(
            pairs("We set λcoord = 5 and λnoobj = .5."),
            [("λcoord".into(), 5.0), ("λnoobj".into(), 0.5)]
        );
        assert_eq!(
            pairs("the weight term α is set to 1 by cross validation"),
            [("α".into(), 1.0)]
        );
        assert_eq!(
            pairs("where smin is 0.2 and smax is 0.9, meaning"),
            [("smin".into(), 0.2), ("smax".into(), 0.9)]
        );
        let set = in_sentence("with width multiplier α ∈ {1, 0.75, 0.5, 0.25} and");
        assert_eq!(
            (set[0].symbol.as_str(), set[0].value.as_str(), set[0].number),
            ("α", "{1, 0.75, 0.5, 0.25}", 1.0)
        );
        assert_eq!(set[0].phrase, "with width multiplier");
        assert_eq!(
            pairs("When C = 32 and d = 4, Eqn.(4) ≈ 70k."),
            [("C".into(), 32.0), ("d".into(), 4.0)]
        );
        assert_eq!(
            pairs("We set G = 32 for GN by default."),
            [("G".into(), 32.0)]
        );
    }

    /// Subscripts the layout marks with `_` (a real PDF's `λcoord` reads `λ_coord`), and a value
    /// stated with `≈`: U-Net p.5 as pdf-figures writes it (the dogfood found neither mined).
    #[test]
    fn marked_subscripts_and_approximate_values() {
        let got: Vec<(String, String, f64)> =
            in_sentence("In our experiments we set w_0 = 10 and σ ≈ 5 pixels.")
                .into_iter()
                .map(|f| (f.symbol, f.value, f.number))
                .collect();
        assert_eq!(
            got,
            [
                ("w_0".into(), "10".into(), 10.0),
                ("σ".into(), "≈ 5".into(), 5.0)
            ]
        );
        assert_eq!(
            pairs("We set λ_coord = 5 and λ_noobj = .5."),
            [("λ_coord".into(), 5.0), ("λ_noobj".into(), 0.5)]
        );
        assert_eq!(pairs("with D_bifpn = 3 + φ"), []);
        // A relation with a function on its left is no assignment.
        assert_eq!(
            pairs("p_k(x) ≈ 1 for the k that has the maximum activation"),
            []
        );
    }

    /// Issue 18's other examples, as Swin (Sec. 3.3, 4.1) and Faster R-CNN (Sec. 3.1.1) print
    /// them (those papers are not in ../shared; the sentences are typed from the issue's
    /// examples in their papers' wording).
    #[test]
    fn swin_and_anchor_assignments_of_issue_18() {
        let got = |s: &str| -> Vec<(String, String)> {
            in_sentence(s)
                .into_iter()
                .map(|f| (f.symbol, f.value))
                .collect()
        };
        let p = |a: &str, b: &str| (a.to_string(), b.to_string());
        assert_eq!(
            got("The window size is set to M = 7 by default."),
            [p("M", "7")]
        );
        assert_eq!(
            got(
                "The query dimension of each head is d = 32, and the expansion layer of each MLP is α = 4."
            ),
            [p("d", "32"), p("α", "4")]
        );
        assert_eq!(
            got("Swin-T: C = 96, layer numbers = {2, 2, 6, 2}"),
            [p("C", "96"), p("layer numbers", "{2, 2, 6, 2}")]
        );
        // Words before a single number, or mid-sentence, are prose.
        assert!(got("the bottleneck width = 4 here").is_empty());
        assert!(got("we then use the numbers = (1, 2) here").is_empty());
        assert_eq!(
            got(
                "we use 3 scales and 3 aspect ratios, yielding k = 9 anchors at each sliding position"
            ),
            [p("k", "9")]
        );
    }

    /// ConvNeXt p.6 lists each variant's widths and depths as tuples.
    #[test]
    fn a_tuple_per_stage_is_one_value() {
        let found = in_sentence("• ConvNeXt-T: C = (96, 192, 384, 768), B = (3, 3, 9, 3)");
        let got: Vec<(&str, &str, f64)> = found
            .iter()
            .map(|f| (f.symbol.as_str(), f.value.as_str(), f.number))
            .collect();
        assert_eq!(
            got,
            [
                ("C", "(96, 192, 384, 768)", 96.0),
                ("B", "(3, 3, 9, 3)", 3.0)
            ]
        );
        assert_eq!(
            in_sentence("with layer numbers L = {2, 2, 6, 2} per stage")[0].value,
            "{2, 2, 6, 2}"
        );
        // A point or a product is not a tuple of sizes.
        assert!(in_sentence("at x = (a, b) the loss").is_empty());
        assert!(pairs("f(x) = (x + 1)").is_empty());
    }

    #[test]
    fn what_is_not_an_assignment() {
        // A symbol for a symbol, a number glued to a unit or a product, an English word.
        assert!(pairs("GN becomes IN if we set the group number as G = C.").is_empty());
        assert!(pairs("bottleneck width = 4d and 0.1N/32 for N").is_empty());
        assert!(pairs("the learning rate is 0.1 and a rate is 3").is_empty());
        assert!(pairs("k = 3×3 kernels").is_empty());
        assert!(pairs("the bottleneck width = 4 here").is_empty());
        // A product with no stated result has no value here (not its first factor).
        assert!(pairs("the fan-in is N = 9 · C for a 3x3 kernel").is_empty());
    }

    #[test]
    fn a_product_takes_its_stated_result() {
        // U-Net, Sec. 3: N is the number of incoming nodes, 9 · 64 = 576 (the U-Net dogfood
        // run got N = 9, the first factor).
        let f = in_sentence(
            "E.g. for a 3x3 convolution and 64 feature channels in the previous layer N = 9 · 64 = 576.",
        );
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].symbol.as_str(), f[0].number), ("N", 576.0));
        assert_eq!(f[0].value, "9 · 64 = 576");
    }
}
