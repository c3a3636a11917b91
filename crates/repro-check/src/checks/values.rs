//! `code.config-values`: a `config.py` field that cites a page holds a value that page states.
//!
//! A dogfood replication planted `learning_rate = 0.45  # Section 6.1, page 6` where the paper
//! says 0.045, and every item passed. A field fails only on two pieces of evidence together:
//! pdf-figures mined a different value under the same name on the cited page
//! (`hyperparams.json`), and the page's text (`text/page-N.txt`) does not print the field's
//! value in any usual form. Either alone is not enough: the miner can miss the sentence that
//! holds the value, and a page can print a number for another reason. Fields without a page in
//! their comment, without a literal number, or whose name the miner never saw on that page are
//! not judged. Without the paper's folder the item is skipped, saying how to give it.

use super::{VerifyOptions, read_text};
use crate::report::Item;
use regex::Regex;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::LazyLock;

const ID: &str = "code.config-values";
const CONFIG: &str = "config.py";

/// `name: type = number  # comment` or `name = number  # comment` (a dataclass field or a
/// module constant), the number a Python literal.
static FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*(?::[^=#]*)?=\s*(?P<value>[-+]?(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][-+]?\d+)?)\s*#(?P<comment>.*)$",
    )
    .expect("pattern")
});

/// A page a comment cites: "page 6", "p. 6", "pp. 6", "第 6 页".
static PAGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bpages?\s+(\d{1,4})\b|\bpp?\.\s*(\d{1,4})\b|第\s*(\d{1,4})\s*页")
        .expect("pattern")
});

/// One mined value: its number and quoted source.
struct Mined {
    number: f64,
    value: String,
    evidence: String,
}

/// The mined numbers of `hyperparams.json`, by (field name as `init` writes it, page).
fn mined(text: &str) -> Result<BTreeMap<(String, u64), Vec<Mined>>, String> {
    let json: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| format!("not pdf-figures' hyperparams.json ({e})"))?;
    let rows = json["hyperparameters"]
        .as_array()
        .ok_or("not pdf-figures' hyperparams.json (no \"hyperparameters\" list)")?;
    let mut out: BTreeMap<(String, u64), Vec<Mined>> = BTreeMap::new();
    for row in rows {
        let (Some(name), Some(page), Some(number)) = (
            row["name"].as_str(),
            row["page"].as_u64(),
            row["number"].as_f64(),
        ) else {
            continue;
        };
        let source = &row["source"];
        let evidence = source["sentence"]
            .as_str()
            .map(str::to_string)
            .or_else(|| {
                source["table"]
                    .as_str()
                    .map(|t| format!("Table {t}, cell {}", source["cell"].as_str().unwrap_or("?")))
            })
            .unwrap_or_default();
        out.entry((crate::init::hyperparams::identifier(name), page))
            .or_default()
            .push(Mined {
                number,
                value: row["value"].as_str().unwrap_or_default().to_string(),
                evidence,
            });
    }
    Ok(out)
}

fn same(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs())
}

/// `text` with spaces removed and the typographic minus, times and power signs made ASCII.
fn squeezed(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && *c != '^' && *c != '{' && *c != '}')
        .map(|c| match c {
            '−' | '–' | '‐' => '-',
            '×' | '·' | '⋅' | '∗' => 'x',
            c => c,
        })
        .collect::<String>()
        .to_lowercase()
}

/// `needle` occurs in `hay` as a whole number (no digit or decimal point glued on either side).
fn has_number(hay: &str, needle: &str) -> bool {
    hay.match_indices(needle).any(|(i, _)| {
        let before = hay[..i].chars().next_back();
        let after = hay[i + needle.len()..].chars().next();
        let glued_before = before.is_some_and(|c| c.is_ascii_digit() || c == '.');
        let mut rest = hay[i + needle.len()..].chars();
        let glued_after = after.is_some_and(|c| c.is_ascii_digit())
            || (after == Some('.') && rest.nth(1).is_some_and(|c| c.is_ascii_digit()));
        !glued_before && !glued_after
    })
}

/// The forms a page may print `v` in: `0.00004`, `4e-5`, `4 × 10^-5`, `4·10−5`, `10^-4`,
/// `256`, `1,000` (searched in [`squeezed`] text).
fn printed_forms(literal: &str, v: f64) -> Vec<String> {
    let mut forms = vec![literal.replace('_', "").to_lowercase()];
    if v.fract() == 0.0 && v.abs() < 1e15 {
        let n = v as i64;
        forms.push(n.to_string());
        let digits = n.abs().to_string();
        if digits.len() > 3 {
            let mut grouped = String::new();
            for (i, c) in digits.chars().enumerate() {
                if i > 0 && (digits.len() - i).is_multiple_of(3) {
                    grouped.push(',');
                }
                grouped.push(c);
            }
            forms.push(grouped);
        }
    } else {
        forms.push(format!("{v}"));
    }
    if v != 0.0 {
        let sci = format!("{v:e}"); // 4e-5, 1.5e-4
        if let Some((m, e)) = sci.split_once('e') {
            forms.push(sci.clone());
            forms.push(format!("{m}x10{e}"));
            forms.push(format!("{m}*10{e}"));
            forms.push(format!("{m}e{e}"));
            if m == "1" {
                forms.push(format!("10{e}"));
            }
        }
    }
    forms.sort();
    forms.dedup();
    forms
}

pub fn check(root: &Path, opts: &VerifyOptions) -> Vec<Item> {
    let Some(dir) = super::locators::paper_dir(root, opts) else {
        return vec![Item::skip(
            ID,
            "no pdf-figures folder to compare config.py with: pass --paper work/paper (or keep work/ beside output/)",
        )];
    };
    let hp_path = dir.join("hyperparams.json");
    let hp_text = match std::fs::metadata(&hp_path) {
        Ok(m) if m.len() > opts.file_budget() => {
            return vec![Item::skip(
                ID,
                format!("{}: over the --max-file-bytes budget", hp_path.display()),
            )];
        }
        Ok(_) => match std::fs::read_to_string(&hp_path) {
            Ok(t) => t,
            Err(e) => return vec![Item::skip(ID, format!("{}: {e}", hp_path.display()))],
        },
        Err(_) => {
            return vec![Item::skip(
                ID,
                format!(
                    "{} is missing: rerun pdf-figures on the paper",
                    hp_path.display()
                ),
            )];
        }
    };
    let mined = match mined(&hp_text) {
        Ok(m) => m,
        Err(e) => return vec![Item::skip(ID, format!("{}: {e}", hp_path.display()))],
    };
    let config = match read_text(root, CONFIG) {
        Ok(Some(t)) => t,
        Ok(None) => return vec![Item::skip(ID, "no config.py (see structure)")],
        Err(e) => return vec![Item::skip(ID, format!("config.py: {e}"))],
    };
    let mut pages: BTreeMap<u64, String> = BTreeMap::new();
    let mut compared = 0usize;
    // Fields with a number and a cited page on which nothing of their name was mined: not
    // judged, and said so (the ResNeXt dogfood read "7 field(s) agree" as all checked).
    let mut uncompared: Vec<String> = Vec::new();
    let mut agreeing: Vec<String> = Vec::new();
    let mut items = Vec::new();
    for (index, line) in config.lines().enumerate() {
        let Some(c) = FIELD.captures(line) else {
            continue;
        };
        let name = c["name"].to_string();
        let literal = &c["value"];
        let Ok(value) = literal.replace('_', "").parse::<f64>() else {
            continue;
        };
        let cited: Vec<u64> = PAGE
            .captures_iter(&c["comment"])
            .filter_map(|p| (1..=3).find_map(|g| p.get(g)))
            .filter_map(|m| m.as_str().parse().ok())
            .collect();
        let candidates: Vec<(u64, &Mined)> = cited
            .iter()
            .flat_map(|&p| {
                mined
                    .get(&(name.to_ascii_lowercase(), p))
                    .into_iter()
                    .flatten()
                    .map(move |m| (p, m))
            })
            .collect();
        if candidates.is_empty() {
            if !cited.is_empty() {
                let pages: Vec<String> = cited.iter().map(u64::to_string).collect();
                uncompared.push(format!("{name} (p. {})", pages.join(", ")));
            }
            continue;
        }
        compared += 1;
        if candidates.iter().any(|(_, m)| same(m.number, value)) {
            agreeing.push(name);
            continue;
        }
        let forms = printed_forms(literal, value);
        let printed = cited.iter().any(|&p| {
            let text = pages.entry(p).or_insert_with(|| {
                let path = dir.join("text").join(format!("page-{p}.txt"));
                std::fs::metadata(&path)
                    .ok()
                    .filter(|m| m.len() <= opts.file_budget())
                    .and_then(|_| std::fs::read_to_string(&path).ok())
                    .map(|t| squeezed(&t))
                    .unwrap_or_default()
            });
            forms.iter().any(|f| has_number(text, f))
        });
        if printed {
            agreeing.push(name);
            continue;
        }
        let (page, first) = candidates[0];
        let stated: Vec<String> = candidates.iter().map(|(_, m)| m.value.clone()).collect();
        items.push(Item::fail(
            ID,
            format!(
                "{name} = {literal} cites page {page}, but that page states {} (\"{}\") and does not print {literal}: fix the value, or cite where it is stated",
                stated.join(" / "),
                first.evidence
            ),
            super::at(CONFIG, index + 1),
        ));
    }
    if !items.is_empty() {
        return items;
    }
    // The fields left uncompared are named: a count alone let the Xception dogfood read the
    // PASS as covering weight_decay, which no rule had mined.
    let left = if uncompared.is_empty() {
        String::new()
    } else {
        format!(": {}", uncompared.join(", "))
    };
    if compared == 0 {
        return vec![Item::skip(
            ID,
            format!(
                "no config.py field cites a page on which pdf-figures mined the same name ({} field(s) cite a page with nothing to compare{left})",
                uncompared.len()
            ),
        )];
    }
    // A match with a mined value shows no typo; it does not show the value is this model's or
    // setting's (the ResNeXt dogfood's layers = 200 was ResNet-200's and matched its page).
    vec![Item::pass(
        ID,
        format!(
            "{compared} config.py field(s) match a value their cited page states (mined by pdf-figures or printed: {}); {} field(s) citing a page could not be compared, nothing of their name being mined there{left}; a typo check: whether each value is this model's and setting's is for you to read",
            agreeing.join(", "),
            uncompared.len()
        ),
    )]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_of_a_value() {
        let f = printed_forms("4e-5", 4e-5);
        for want in ["4e-5", "0.00004", "4x10-5", "4*10-5"] {
            assert!(f.contains(&want.to_string()), "{want} not in {f:?}");
        }
        let f = printed_forms("1e-4", 1e-4);
        assert!(f.contains(&"10-4".to_string()), "{f:?}");
        let f = printed_forms("160000", 160000.0);
        assert!(f.contains(&"160,000".to_string()), "{f:?}");
        assert!(f.contains(&"160000".to_string()), "{f:?}");
    }

    #[test]
    fn printed_numbers_are_whole() {
        let page = squeezed("a learning rate of 0.045 and 10.45 s; weight decay 4 × 10^−5.");
        assert!(has_number(&page, "0.045"));
        assert!(!has_number(&page, "0.45"), "0.45 is only inside 10.45");
        assert!(
            !has_number(&page, "0.04"),
            "0.04 is only the start of 0.045"
        );
        assert!(
            printed_forms("4e-5", 4e-5)
                .iter()
                .any(|f| has_number(&page, f))
        );
        assert!(has_number(&squeezed("a mini-batch of 256."), "256"));
    }

    #[test]
    fn fields_and_their_pages() {
        let c = FIELD
            .captures("    learning_rate: float = 0.045  # Section 6.1, page 6")
            .unwrap();
        assert_eq!((&c["name"], &c["value"]), ("learning_rate", "0.045"));
        let c = FIELD.captures("BATCH_SIZE = 1_024  # p. 5").unwrap();
        assert_eq!(&c["value"], "1_024");
        assert!(
            FIELD
                .captures("    lr: float = 0.1 * 2  # page 3")
                .is_none()
        );
        assert!(FIELD.captures("    name: str = \"x\"  # page 3").is_none());
        let pages: Vec<&str> = PAGE
            .captures_iter("Table 2, p.4 and page 7; 第 3 页")
            .filter_map(|p| (1..=3).find_map(|g| p.get(g)))
            .map(|m| m.as_str())
            .collect();
        assert_eq!(pages, ["4", "7", "3"]);
    }
}
