//! Reported parameter counts: "65M parameters", "Total Parameters=110M", "25.6 million
//! parameters", and table columns headed "Params" / "# params" / "Parameters (M)".

use crate::number::{NUM, has_scale, parse_number};
use regex::Regex;
use std::sync::LazyLock;

static IN_SENTENCE: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    [
        format!(
            r"(?i)(?P<v>{NUM})\s*(?:trainable\s+|learnable\s+|total\s+|free\s+|model\s+)?param(?:eter)?s\b"
        ),
        format!(r"(?i)\b(?:total\s+)?param(?:eter)?s\s*(?:count)?\s*[=:]\s*(?P<v>{NUM})"),
    ]
    .iter()
    .map(|p| crate::re::compile(p))
    .collect()
});

/// "vary between 1.7M and 6.9M parameters", "from 3.4M to 6.9M parameters": the ends of a range
/// of models, each a count, neither of one model.
static RANGE: LazyLock<Regex> = LazyLock::new(|| {
    crate::re::compile(&format!(
        r"(?i)\b(?:between|from)\s+(?P<a>{NUM})\s+(?:and|to)\s+(?P<v>{NUM})\s*(?:trainable\s+|total\s+)?param(?:eter)?s\b"
    ))
});

/// Units of compute and speed, capitalised like model names ("585M MAdds", "GFLOPs").
static UNIT: LazyLock<Regex> = LazyLock::new(|| {
    crate::re::compile(
        r"(?i)^(?:[kmgt]?(?:madds|mult-adds|multi-adds|flops|macs|mads)|fps|gpus?|tpus?)$",
    )
});

/// A capitalised token with a second capital or a digit ("BERTBASE", "ResNet-50", "LSTM",
/// "ViT-L/16"): what a sentence calls a model.
static MODEL: LazyLock<Regex> =
    LazyLock::new(|| crate::re::compile(r"\b[A-Z][A-Za-z0-9]*(?:[-_/.][A-Za-z0-9]+)*"));

static HEADER: LazyLock<Regex> = LazyLock::new(|| {
    crate::re::compile(
        r"(?i)^((?:#\s*(?:of\s+)?|num(?:ber)?\s+of\s+|total\s+|(?:million|billion)\s+)?)(?:trainable\s+)?param(?:eter)?s?\b(.*)$",
    )
});
static WHOLE: LazyLock<Regex> = LazyLock::new(|| crate::re::compile(&format!(r"^\s*({NUM})\s*$")));

/// "PlaNet using the MobileNet architecture", "a detector built on the VGG-16 backbone": a
/// system (first name) whose network is another model (second name).
static HOST: LazyLock<Regex> = LazyLock::new(|| {
    crate::re::compile(
        r"\b(?P<sys>[A-Z][A-Za-z0-9]*(?:[-_/.][A-Za-z0-9]+)*)\s+(?:using|based\s+on|built\s+on|on\s+top\s+of|with)\s+(?:the\s+|a\s+|an\s+|our\s+)?(?P<base>[A-Z][A-Za-z0-9]*(?:[-_/.][A-Za-z0-9]+)*)\s+(?:architecture|backbone|base\s+network|feature\s+extractor)\b",
    )
});

/// The (system, base model) pairs a paragraph names: a count of "the MobileNet model" in a
/// paragraph that retrains PlaNet using the MobileNet architecture is PlaNet's (MobileNet's
/// own is 4.2M, PlaNet's 13M: issue 18).
pub fn hosts(paragraph: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for c in HOST.captures_iter(paragraph) {
        let pair = (c["sys"].to_string(), c["base"].to_string());
        if pair.0 != pair.1 && !out.contains(&pair) {
            out.push(pair);
        }
    }
    out
}

/// Builds every automaton of this module (see [`crate::warm_up`]).
pub(crate) fn force() {
    LazyLock::force(&HOST);
    LazyLock::force(&IN_SENTENCE);
    LazyLock::force(&MODEL);
    LazyLock::force(&HEADER);
    LazyLock::force(&WHOLE);
    LazyLock::force(&RANGE);
    LazyLock::force(&UNIT);
}

/// Counts stated in one sentence: (model if named before the count, value as printed, count).
pub fn in_sentence(sentence: &str) -> Vec<(Option<String>, String, u64)> {
    let mut out = Vec::new();
    // A bare "1000 parameters" is too often an example; a count carries a scale or is large.
    let count = |printed: &str| {
        parse_number(printed)
            .filter(|&x| x >= 1000.0 && (has_scale(printed) || x >= 1e5) && x.fract() == 0.0)
            .map(|x| x.round() as u64)
    };
    let mut ranges: Vec<std::ops::Range<usize>> = Vec::new();
    for caps in RANGE.captures_iter(sentence) {
        let (a, v) = (caps.name("a").unwrap(), caps.name("v").unwrap());
        if let (Some(x), Some(y)) = (count(a.as_str()), count(v.as_str())) {
            for (m, n) in [(a, x), (v, y)] {
                let entry = (None, m.as_str().to_string(), n);
                if !out.contains(&entry) {
                    out.push(entry);
                }
            }
            ranges.push(v.range());
        }
    }
    for re in IN_SENTENCE.iter() {
        for caps in re.captures_iter(sentence) {
            let v = caps.name("v").unwrap();
            let printed = v.as_str();
            if ranges.contains(&v.range()) {
                continue;
            }
            let Some(x) = count(printed) else {
                continue;
            };
            let model = model_before(&sentence[..caps.get(0).unwrap().start()]);
            let entry = (model, printed.to_string(), x);
            if !out.contains(&entry) {
                out.push(entry);
            }
        }
    }
    out
}

fn model_before(prefix: &str) -> Option<String> {
    MODEL
        .find_iter(prefix)
        .map(|m| m.as_str())
        .filter(|t| {
            !UNIT.is_match(t)
                && t.chars().count() >= 3
                && (t.chars().filter(char::is_ascii_uppercase).count() >= 2
                    || t.chars().any(|c| c.is_ascii_digit()))
        })
        .last()
        .map(str::to_string)
}

/// Whether a table header names a parameter count, and the scale its unit implies
/// ("Params (M)" -> 1e6).
pub fn count_header(header: &str) -> Option<f64> {
    let h = header.split_whitespace().collect::<Vec<_>>().join(" ");
    let caps = HEADER.captures(h.trim())?;
    // "Parameter-sharing" is a column about parameters, not a count of them.
    if caps
        .get(2)
        .is_some_and(|m| m.as_str().starts_with(['-', '_', '/']))
    {
        return None;
    }
    let rest = format!(
        "{} {}",
        caps.get(1).map_or("", |m| m.as_str()),
        caps.get(2).map_or("", |m| m.as_str())
    );
    let rest = rest.to_lowercase().replace(' ', "");
    // "×10^6", "x106" (a superscript read inline), "(10^6)": the unit as a power of ten.
    if let Some(at) = rest.find("10^").or_else(|| {
        rest.find(['×', 'x', '('])
            .and_then(|i| rest[i..].find("10").map(|j| i + j))
    }) {
        let exp: String = rest[at + 2..]
            .trim_start_matches('^')
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if let Ok(e @ 3..=12) = exp.parse::<i32>() {
            return Some(10f64.powi(e));
        }
    }
    Some(if rest.contains("(m)") || rest.contains("million") {
        1e6
    } else if rest.contains("(b)") || rest.contains("billion") {
        1e9
    } else if rest.contains("(k)") || rest.contains("thousand") {
        1e3
    } else {
        1.0
    })
}

/// The unit a caption gives a table's parameter counts when its headers give none: VGG's
/// "Table 2: Number of parameters (in millions)." heads a row "Number of parameters | 133 |
/// 133 | 134 | 138 | 144". Only a caption about parameters that says "in millions" (or
/// thousands, billions) declares one.
pub fn caption_unit(caption: &str) -> Option<f64> {
    let c = caption.to_lowercase();
    if !c.contains("param") {
        return None;
    }
    [
        ("in thousands", 1e3),
        ("in millions", 1e6),
        ("in billions", 1e9),
    ]
    .into_iter()
    .find(|(w, _)| c.contains(w))
    .map(|(_, s)| s)
}

/// The count in a cell under a count header with `scale`: "86M" -> 86e6; "138" under
/// "(in millions)" -> 138e6. Unscaled small numbers are not counts.
pub fn in_cell(cell: &str, scale: f64) -> Option<u64> {
    let printed = WHOLE.captures(cell)?.get(1)?.as_str();
    let x = parse_number(printed)?;
    let x = if has_scale(printed) { x } else { x * scale };
    (x >= 1000.0).then(|| x.round() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_in_sentences_with_their_model() {
        assert_eq!(
            in_sentence(
                "BERTBASE (L=12, H=768, A=12, Total Parameters=110M) and BERTLARGE (L=24, \
                 H=1024, A=16, Total Parameters=340M)."
            ),
            [
                (Some("BERTBASE".into()), "110M".into(), 110_000_000),
                (Some("BERTLARGE".into()), "340M".into(), 340_000_000)
            ]
        );
        assert_eq!(
            in_sentence("The resulting LSTM has 380M parameters of which 64M are recurrent."),
            [(Some("LSTM".into()), "380M".into(), 380_000_000)]
        );
        assert_eq!(
            in_sentence("a model with 25.6 million parameters"),
            [(None, "25.6 million".into(), 25_600_000)]
        );
        assert_eq!(
            in_sentence("ResNet-50 has 25.6 × 106 parameters"),
            [(Some("ResNet-50".into()), "25.6 × 106".into(), 25_600_000)]
        );
        assert!(in_sentence("no extra parameter and 8 parameters").is_empty());
        // MobileNetV2 p.4: a range of model sizes, after a compute unit that is no model.
        assert_eq!(
            in_sentence(
                "The network computational cost ranges from 7 multiply adds to 585M MAdds, \
                 while the model size vary between 1.7M and 6.9M parameters."
            ),
            [
                (None, "1.7M".into(), 1_700_000),
                (None, "6.9M".into(), 6_900_000)
            ]
        );
        assert_eq!(
            in_sentence("It needs 585M MAdds and 6.9M parameters."),
            [(None, "6.9M".into(), 6_900_000)]
        );
        assert!(in_sentence("millions of parameters").is_empty());
    }

    #[test]
    fn count_columns_and_cells() {
        assert_eq!(count_header("Params"), Some(1.0));
        assert_eq!(count_header("# params"), Some(1.0));
        assert_eq!(count_header("Parameters (M)"), Some(1e6));
        assert_eq!(
            count_header("Number of parameters (in millions)"),
            Some(1e6)
        );
        assert_eq!(count_header("Model"), None);
        // Issue 18's headers: MobileNet, Swin, the Transformer, CBAM, Xception, ResNeXt.
        assert_eq!(count_header("Million Parameters"), Some(1e6));
        assert_eq!(count_header("#param."), Some(1.0));
        assert_eq!(count_header("params ×10^6"), Some(1e6));
        assert_eq!(count_header("params ×106"), Some(1e6));
        assert_eq!(count_header("Param."), Some(1.0));
        assert_eq!(count_header("Parameter count"), Some(1.0));
        assert_eq!(count_header("# of parameters (M)"), Some(1e6));
        assert_eq!(count_header("Parameter-sharing"), None);
        assert_eq!(in_cell("86M", 1.0), Some(86_000_000));
        assert_eq!(in_cell("6.7B", 1.0), Some(6_700_000_000));
        assert_eq!(in_cell("138", 1e6), Some(138_000_000));
        assert_eq!(in_cell("138", 1.0), None);
        assert_eq!(in_cell("n/a", 1e6), None);
    }

    #[test]
    fn a_caption_can_give_the_unit() {
        assert_eq!(
            caption_unit("Table 2: Number of parameters (in millions)."),
            Some(1e6)
        );
        assert_eq!(caption_unit("Table 3: Params, in billions"), Some(1e9));
        // A caption about something else, or about parameters with no unit, gives none.
        assert_eq!(
            caption_unit("Table 4: Training time (in millions of steps)"),
            None
        );
        assert_eq!(caption_unit("Table 2: Number of parameters."), None);
    }
}
