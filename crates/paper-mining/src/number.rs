//! Numbers as papers print them (`3e-4`, `10^-4`, `10−4`, `1 × 10−4`, `0.0001`, `256K`,
//! `25.6 million`, `one million`) and their normalised value.

use regex::Regex;
use std::sync::LazyLock;

/// Regex source (no capture groups) matching one printed number. Alternatives are tried in
/// order, so the scientific forms come before the plain integer that starts them.
///
/// - `1 × 10−4`, `8 · 10-4`, `60 × 104` (a superscript exponent that text extraction put on the
///   baseline after "× 10"), `1x10^{-4}`;
/// - `3e-4`, `3.0e−4`; `10^-4`, `10−4` (Unicode minus or en dash); `10-4` with one digit;
/// - `1,000,000`, `2, 000` (a thousands separator followed by a space, as some PDFs print it);
/// - `256K`, `4M`, `6.7B`, `1.0T`, `25.6 million`, `.5`, and number words up to twelve,
///   optionally scaled (`one million`).
pub const NUM: &str = concat!(
    r"(?:",
    r"\d+(?:\.\d+)?\s*[×x·⋅∗*]\s*10\s*\^?\s*\{?[-−–]?\s?\d{1,2}\b\}?",
    r"|\d+(?:\.\d+)?[eE][-−–+]?\d{1,2}\b",
    r"|10\s*\^\s*\{?[-−–]?\d{1,2}\b\}?",
    r"|10[−–]\s?\d{1,2}\b",
    r"|10-\d\b",
    r"|\d,\s0\d{2}(?:,\d{3})*\b",
    r"|\d{1,3}(?:,\d{3})+(?:\.\d+)?(?:[kKMBT]\b|\s(?:thousand|million|billion|trillion)\b)?",
    r"|\d+(?:\.\d+)?(?:[kKMBT]\b|\s(?:thousand|million|billion|trillion)\b)?",
    r"|\.\d+",
    r"|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)",
    r"(?:\s(?:hundred|thousand|million|billion))?\b",
    r")"
);

static TIMES_TEN: LazyLock<Regex> = LazyLock::new(|| {
    crate::re::compile(r"^(\d+(?:\.\d+)?)\s*[×x·⋅∗*]\s*10\s*\^?\s*\{?(-?)\s?(\d{1,2})\}?$")
});
static POWER_OF_TEN: LazyLock<Regex> =
    LazyLock::new(|| crate::re::compile(r"^10\s*(\^)?\s*\{?(-)?\s?(\d{1,2})\}?$"));
static SCALED: LazyLock<Regex> = LazyLock::new(|| {
    crate::re::compile(r"^([0-9.,\s]+?)\s?([kKMBT]|thousand|million|billion|trillion|hundred)?$")
});
static WORD: LazyLock<Regex> = LazyLock::new(|| {
    crate::re::compile(
        r"^(?i)(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)(?:\s(hundred|thousand|million|billion))?$",
    )
});

/// Builds every automaton of this module (see [`crate::warm_up`]).
pub(crate) fn force() {
    LazyLock::force(&TIMES_TEN);
    LazyLock::force(&POWER_OF_TEN);
    LazyLock::force(&SCALED);
    LazyLock::force(&WORD);
}

/// The value of a number printed in one of the forms of [`NUM`], or `None`.
///
/// Values go through Rust's decimal parser (`"1e-4".parse()`), never through repeated
/// multiplication, so `1 × 10−4`, `10^-4` and `0.0001` give the identical `f64`.
pub fn parse_number(printed: &str) -> Option<f64> {
    let s: String = printed
        .trim()
        .chars()
        .map(|c| if matches!(c, '−' | '–') { '-' } else { c })
        .collect();
    if let Some(c) = TIMES_TEN.captures(&s) {
        return format!("{}e{}{}", &c[1], &c[2], &c[3]).parse().ok();
    }
    if let Some(c) = POWER_OF_TEN.captures(&s) {
        // "10" followed by digits is a power only when a caret or a minus says so ("104" is 104).
        if c.get(1).is_some() || c.get(2).is_some() {
            let sign = c.get(2).map_or("", |m| m.as_str());
            return format!("1e{sign}{}", &c[3]).parse().ok();
        }
    }
    if let Some(c) = WORD.captures(&s) {
        let base = match c[1].to_ascii_lowercase().as_str() {
            "one" => 1,
            "two" => 2,
            "three" => 3,
            "four" => 4,
            "five" => 5,
            "six" => 6,
            "seven" => 7,
            "eight" => 8,
            "nine" => 9,
            "ten" => 10,
            "eleven" => 11,
            _ => 12,
        };
        return format!(
            "{base}e{}",
            scale_exponent(c.get(2).map_or("", |m| m.as_str()))
        )
        .parse()
        .ok();
    }
    if s.contains(['e', 'E']) && !s.contains(char::is_whitespace) {
        return s.parse().ok();
    }
    let c = SCALED.captures(&s)?;
    let digits: String = c[1].chars().filter(|c| !matches!(c, ',' | ' ')).collect();
    if digits.is_empty() || digits.chars().filter(|c| *c == '.').count() > 1 {
        return None;
    }
    let digits = if digits.starts_with('.') {
        format!("0{digits}")
    } else {
        digits
    };
    format!(
        "{digits}e{}",
        scale_exponent(c.get(2).map_or("", |m| m.as_str()))
    )
    .parse()
    .ok()
}

fn scale_exponent(suffix: &str) -> i32 {
    match suffix {
        "k" | "K" | "thousand" => 3,
        "M" | "million" => 6,
        "B" | "billion" => 9,
        "T" | "trillion" => 12,
        "hundred" => 2,
        _ => 0,
    }
}

/// Whether the printed number carries a scale word or letter (`65M`, `25.6 million`, `× 10^6`).
pub fn has_scale(printed: &str) -> bool {
    let t = printed.trim_end();
    t.ends_with(['k', 'K', 'M', 'B', 'T'])
        || t.ends_with("thousand")
        || t.ends_with("million")
        || t.ends_with("billion")
        || t.ends_with("trillion")
        || TIMES_TEN.is_match(&t.replace(['−', '–'], "-"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whole(s: &str) -> bool {
        crate::re::compile(&format!("^{NUM}$")).is_match(s)
    }

    #[test]
    fn every_written_form_of_one_ten_thousandth_is_the_same_number() {
        for s in [
            "3e-4",
            "0.0003",
            "3 × 10−4",
            "3·10-4",
            "3.0e−4",
            "3x10^-4",
            "3 × 10^{-4}",
        ] {
            assert!(whole(s), "{s} is one number");
            assert_eq!(parse_number(s), Some(0.0003), "{s}");
        }
        for s in [
            "10^-4",
            "10−4",
            "10–4",
            "1 × 10−4",
            "0.0001",
            "1e-4",
            "1E-4",
            "10^{-4}",
            "10-4",
        ] {
            assert!(whole(s), "{s} is one number");
            assert_eq!(parse_number(s), Some(0.0001), "{s}");
        }
    }

    #[test]
    fn superscript_exponent_flattened_onto_the_baseline() {
        // ResNet prints "60 × 10^4" with a superscript 4; pdftotext and our layout give "104".
        assert_eq!(parse_number("60 × 104"), Some(600_000.0));
        assert_eq!(parse_number("104"), Some(104.0));
        assert_eq!(parse_number("10"), Some(10.0));
    }

    #[test]
    fn separators_scales_and_words() {
        assert_eq!(parse_number("1,000,000"), Some(1e6));
        assert_eq!(parse_number("2, 000"), Some(2000.0));
        assert_eq!(parse_number("256K"), Some(256_000.0));
        assert_eq!(parse_number("32k"), Some(32_000.0));
        assert_eq!(parse_number("4M"), Some(4e6));
        assert_eq!(parse_number("6.7B"), Some(6.7e9));
        assert_eq!(parse_number("1.0T"), Some(1e12));
        assert_eq!(parse_number("25.6 million"), Some(25_600_000.0));
        assert_eq!(parse_number("one million"), Some(1e6));
        assert_eq!(parse_number("two"), Some(2.0));
        assert_eq!(parse_number(".5"), Some(0.5));
        assert_eq!(parse_number("7.5"), Some(7.5));
        assert_eq!(parse_number("28.6 × 106"), Some(28_600_000.0));
        assert_eq!(parse_number("abc"), None);
    }

    #[test]
    fn scale_detection() {
        assert!(has_scale("65M"));
        assert!(has_scale("25.6 million"));
        assert!(has_scale("28.6×10^6"));
        assert!(!has_scale("1000"));
    }

    #[test]
    fn a_list_of_numbers_is_not_one_number() {
        let re = crate::re::compile(NUM);
        let found: Vec<&str> = re
            .find_iter("in [256, 480] and 1000 × 20000 or 2x2")
            .map(|m| m.as_str())
            .collect();
        assert_eq!(found, ["256", "480", "1000", "20000", "2", "2"]);
    }
}
