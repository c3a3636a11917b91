//! `--hyperparams`: the `hyperparams.json` pdf-figures mines from a paper, turned into the
//! pre-filled rows of `config.py`, the audit's hyper-parameter table and `verify.toml`.
//!
//! Schema (pdf-figures `hyperparams.rs`):
//! `{"hyperparameters":[{"name","value","number","page","section","source":{...}}],
//!   "param_counts":[{"model","value","count","page","section","source":{...}}]}`, where
//! `source` is either `{"sentence"}` or `{"table","row","column","cell"}`, and each row may carry
//! `"setting":{"path","label","dataset"}` (label `main`, `pre-training`, `fine-tuning`,
//! `ablation`, `other-task` or `baseline`) and `"model"`.
//!
//! A value is filled in only where every mention of the field states the same value, or, with
//! `--setting`, where the chosen setting states exactly one; several values, or values from
//! other settings only, become a `TODO(paper)` field listing every candidate with its page and
//! setting (the setting labels are guessed from the paper's wording and can be wrong). A row
//! without a `setting` (an older hyperparams.json) counts as `main`, so its conflicts still
//! surface instead of the first mention winning.

use crate::Error;
use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Deserialize)]
struct File {
    #[serde(default)]
    hyperparameters: Vec<Mined>,
    #[serde(default)]
    param_counts: Vec<MinedCount>,
}

#[derive(Clone, Default, Deserialize)]
struct SettingIn {
    #[serde(default)]
    path: String,
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    dataset: Option<String>,
}

impl SettingIn {
    fn label(&self) -> &str {
        self.label.as_deref().unwrap_or("main")
    }

    /// Whether `--setting want` selects this row: its label ("fine-tuning", also written
    /// "finetuning" or "fine-tune"), or a word of its dataset or section path ("CIFAR").
    fn selected_by(&self, want: Option<&str>) -> bool {
        let Some(want) = want else {
            return self.label() == "main";
        };
        let squash = |s: &str| squash(s);
        let w = squash(want);
        if w.is_empty() {
            return false;
        }
        let label = squash(self.label());
        if label == w || (label.starts_with(&w) && w.len() >= 4) {
            return true;
        }
        // A dataset or section word ("ImageNet", "CIFAR") names the experiment trained on it:
        // its main (or other-task) rows, never the pre-training or fine-tuning stages that
        // also name it (ConvNeXt: `--setting ImageNet` filled ImageNet-22K pre-training's
        // warm-up 5 and the 384 px fine-tuning size into the ImageNet-1K config).
        let stage = !matches!(label.as_str(), "main" | "othertask");
        let labels = [
            "main",
            "pretraining",
            "finetuning",
            "ablation",
            "othertask",
            "baseline",
        ];
        if stage && !labels.iter().any(|l| l.starts_with(&w)) {
            return false;
        }
        // A dataset named with its size ("ImageNet-1K") also names the rows that give the
        // dataset without one ("ImageNet"), but never another size of it ("ImageNet-22K").
        let sized_of = |d: &str| {
            w.strip_prefix(d).is_some_and(|rest| {
                rest.starts_with(|c: char| c.is_ascii_digit())
                    && rest.chars().all(|c| c.is_ascii_alphanumeric())
            })
        };
        self.dataset
            .as_deref()
            .is_some_and(|d| squash(d).contains(&w) || sized_of(&squash(d)))
            || squash(&self.path).contains(&w)
    }

    fn describe(&self) -> String {
        match &self.dataset {
            Some(d) if self.label() != "main" => format!("{}, {d}", self.label()),
            _ => self.label().to_string(),
        }
    }
}

#[derive(Deserialize)]
struct Mined {
    name: String,
    /// The model the sentence, its section or its table row names, when one does.
    #[serde(default)]
    model: Option<String>,
    value: serde_json::Value,
    #[serde(default)]
    number: Option<serde_json::Number>,
    page: u64,
    #[serde(default)]
    section: String,
    #[serde(default)]
    source: Source,
    #[serde(default)]
    setting: SettingIn,
}

#[derive(Deserialize)]
struct MinedCount {
    #[serde(default)]
    model: Option<String>,
    value: serde_json::Value,
    page: u64,
    #[serde(default)]
    section: String,
    #[serde(default)]
    source: Source,
}

#[derive(Default, Deserialize)]
struct Source {
    cell: Option<String>,
    column: Option<String>,
    row: Option<String>,
    sentence: Option<String>,
    table: Option<String>,
}

/// One `config.py` field (and audit row), with the later mentions of the same name.
#[derive(Clone, Debug, Serialize)]
pub struct Hyperparam {
    /// The miner's name (`weight_decay`).
    pub name: String,
    pub name_md: String,
    /// A Python identifier for the dataclass field.
    pub field: String,
    /// `int`, `float` or `str`.
    pub type_py: String,
    /// A Python literal.
    pub value_py: String,
    pub value_md: String,
    /// `Section 3.4, page 4`, `Table 2, page 6`.
    pub locator: String,
    pub locator_md: String,
    /// The quoted sentence or table cell, on one line.
    pub evidence_py: String,
    pub evidence_md: String,
    /// Further mentions of the same field: other settings when the value is filled, every
    /// candidate to choose from when it is not.
    pub others: Vec<Candidate>,
    /// `None` when the paper's chosen setting states exactly one value (`value_py` is it);
    /// otherwise why it was not filled in (`value_py` is then `None`).
    pub todo: Option<String>,
}

/// A mention of a hyper-parameter.
#[derive(Clone, Debug, Serialize)]
pub struct Candidate {
    pub value_py: String,
    pub locator: String,
    pub evidence_py: String,
    /// `main`, `fine-tuning`, `other-task, cifar`, ...
    pub setting: String,
}

/// The paper's printed parameter count for the model being replicated.
#[derive(Clone, Debug, Serialize)]
pub struct ParamCount {
    /// As printed, normalised to validate_model.py's form (`25.6M`).
    pub value: String,
    pub value_py: String,
    pub value_toml: String,
    pub locator: String,
    pub locator_toml: String,
    /// The evidence, for a TOML comment.
    pub evidence_toml: String,
}

/// What `--hyperparams` pre-fills.
#[derive(Clone, Debug, Default)]
pub struct Prefill {
    pub hyperparameters: Vec<Hyperparam>,
    pub param_count: Option<ParamCount>,
    /// Distinct counts printed for the model when there is more than one: listed, not chosen.
    pub param_count_candidates: Vec<ParamCount>,
}

/// Reads `path` and keeps the counts printed for `model` (names compared without case and
/// punctuation: "ResNet-50" is "ResNet50"); `setting` picks the experiment whose values are
/// filled in (`None`: the main one).
pub fn read(path: &Path, model: &str, setting: Option<&str>) -> Result<Prefill, Error> {
    // pdf-figures writes this file; a FIFO or a multi-GB file in its place is refused unread.
    let text = cli_guard::read_text_limited(path, cli_guard::DEFAULT_MAX_FILE_BYTES)
        .map_err(|e| Error::input(path.display(), e))?;
    let file: File = serde_json::from_str(&text).map_err(|e| {
        Error::input(
            path.display(),
            format!("not a pdf-figures hyperparams.json: {e}"),
        )
    })?;
    Ok(prefill(file, model, setting))
}

fn prefill(file: File, model: &str, setting: Option<&str>) -> Prefill {
    // Every mention, grouped by field in order of first mention.
    let mut fields: Vec<(String, Vec<&Mined>)> = Vec::new();
    for m in &file.hyperparameters {
        let field = identifier(&m.name);
        match fields.iter_mut().find(|(f, _)| *f == field) {
            Some((_, v)) => v.push(m),
            None => fields.push((field, vec![m])),
        }
    }
    let candidate = |m: &Mined| {
        let value = value_text(&m.value);
        Candidate {
            value_py: python_value(m.number.as_ref(), &value).1,
            locator: locator(m.page, &m.section, &m.source),
            evidence_py: evidence(&m.source),
            setting: match &m.model {
                Some(other) if !same_model(other, model) => {
                    format!("{}, model {other}", m.setting.describe())
                }
                _ => m.setting.describe(),
            },
        }
    };
    let mut hyperparameters: Vec<Hyperparam> = Vec::new();
    for (field, mentions) in fields {
        // A value stated for another model (SENet-154's appendix in an SE-ResNet-50
        // replication: its dropout 0.2 was filled in) is a candidate, never the value.
        let (chosen, rest): (Vec<&Mined>, Vec<&Mined>) = mentions.iter().partition(|m| {
            m.setting.selected_by(setting)
                && m.model
                    .as_deref()
                    .is_none_or(|other| same_model(other, model))
        });
        let mut values: Vec<String> = Vec::new();
        for m in &chosen {
            let v = python_value(m.number.as_ref(), &value_text(&m.value)).1;
            if !values.contains(&v) {
                values.push(v);
            }
        }
        let which = setting.map_or("the main setting".to_string(), |s| {
            format!("setting \"{s}\"")
        });
        // Every value any setting states: the setting labels are read from the paper's
        // wording and can be wrong (SSD's "batch size 8" of a timing run was labelled main,
        // its training batch of 32 fine-tuning), so without --setting a value is filled in only
        // when no setting states another.
        let mut all_values: Vec<String> = Vec::new();
        for m in &mentions {
            let v = python_value(m.number.as_ref(), &value_text(&m.value)).1;
            if !all_values.contains(&v) {
                all_values.push(v);
            }
        }
        let unanimous = setting.is_some() || all_values.len() == 1;
        let first = chosen.first().copied().unwrap_or(mentions[0]);
        let value = value_text(&first.value);
        let (type_py, value_py) = python_value(first.number.as_ref(), &value);
        let loc = locator(first.page, &first.section, &first.source);
        let ev = evidence(&first.source);
        let h = if values.len() == 1 && unanimous {
            // One value: filled in; the same value stated again and other settings' values
            // are listed below it.
            Hyperparam {
                name_md: md_cell(&first.name),
                name: first.name.clone(),
                field,
                type_py,
                value_md: md_cell(&value),
                value_py,
                locator_md: md_cell(&loc),
                locator: loc,
                evidence_md: md_cell(&ev),
                evidence_py: ev,
                others: chosen[1..]
                    .iter()
                    .chain(rest.iter())
                    .map(|m| candidate(m))
                    .collect(),
                todo: None,
            }
        } else {
            // The models whose values the chosen setting states, when none is this model's:
            // the reason is the model, not the setting (MobileNetV2's learning rate, labelled
            // MobileNetV1 from "Following MobileNetV1 setup", was said to be another setting's).
            let mut for_others: Vec<&str> = Vec::new();
            for m in &rest {
                if let Some(other) = m.model.as_deref()
                    && m.setting.selected_by(setting)
                    && !for_others.contains(&other)
                {
                    for_others.push(other);
                }
            }
            let reason = if values.is_empty() && !for_others.is_empty() {
                format!(
                    "no value for {which} for model {model}; {which} states one only for model {}",
                    for_others.join(", ")
                )
            } else if values.is_empty() {
                format!("no value for {which}; only other settings state one")
            } else if values.len() == 1 {
                format!(
                    "one value for {which} and {} more in other settings; settings are guessed \
                     from the wording, so none is chosen (--setting fills from one)",
                    all_values.len() - 1
                )
            } else {
                format!("{} different values for {which}", values.len())
            };
            let others: Vec<Candidate> = chosen
                .iter()
                .chain(rest.iter())
                .map(|m| candidate(m))
                .collect();
            let listed = others
                .iter()
                .map(|c| format!("{} ({}, {})", c.value_py, c.locator, c.setting))
                .collect::<Vec<_>>()
                .join("; ");
            Hyperparam {
                name_md: md_cell(&first.name),
                name: first.name.clone(),
                field,
                type_py,
                value_py: "None".into(),
                value_md: md_cell(&format!("TODO(paper): one of {listed}")),
                locator_md: md_cell(&format!("TODO(paper): {reason}")),
                locator: format!("TODO(paper): {reason}"),
                evidence_md: md_cell(&ev),
                evidence_py: ev,
                others,
                todo: Some(reason),
            }
        };
        hyperparameters.push(h);
    }
    let wanted = squash(model);
    // The counts of exactly this model; when there are none, those of models whose names hold
    // this one or are held by it ("ResNeXt-50 (32×4d)" for `--model ResNeXt50`), as candidates
    // only: such a name can as well be a variant's (SE-ResNet-50 for ResNet50).
    let exact: Vec<&MinedCount> = file
        .param_counts
        .iter()
        .filter(|c| c.model.as_deref().is_some_and(|m| squash(m) == wanted))
        .collect();
    let near_only = exact.is_empty();
    let named: Vec<&MinedCount> = if near_only {
        file.param_counts
            .iter()
            .filter(|c| c.model.as_deref().is_some_and(|m| same_model(m, model)))
            .collect()
    } else {
        exact
    };
    let mut counts: Vec<ParamCount> = Vec::new();
    for c in named {
        let value = printed_count(&value_text(&c.value));
        if counts.iter().any(|k| k.value == value) {
            continue;
        }
        let locator = locator(c.page, &c.section, &c.source);
        counts.push(ParamCount {
            value_py: json(&value),
            value_toml: json(&value),
            locator_toml: json(&locator),
            evidence_toml: evidence(&c.source),
            value,
            locator,
        });
    }
    let (param_count, param_count_candidates) = if counts.len() == 1 && !near_only {
        (counts.pop(), Vec::new())
    } else {
        (None, counts)
    };
    Prefill {
        hyperparameters,
        param_count,
        param_count_candidates,
    }
}

/// A JSON string literal, which is also a valid Python and TOML string literal.
pub fn json(s: &str) -> String {
    serde_json::to_string(s).expect("a string serialises")
}

/// Whether a model a sentence names is the one being built: one name holds the other once
/// case and punctuation are gone ("ResNet-50" in "SEResNet50"; "SENet-154" is another).
fn same_model(named: &str, built: &str) -> bool {
    let (a, b) = (squash(named), squash(built));
    !a.is_empty() && !b.is_empty() && (a.contains(&b) || b.contains(&a))
}

fn squash(s: &str) -> String {
    // "32×4d" is written 32x4d in a class name.
    s.chars()
        .map(|c| if c == '×' { 'x' } else { c })
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn value_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => one_line(s),
        other => other.to_string(),
    }
}

const PYTHON_KEYWORDS: &[&str] = &[
    "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif",
    "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda",
    "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
];

/// `weight decay` -> `weight_decay`; a leading digit or a keyword gets an underscore.
pub(crate) fn identifier(name: &str) -> String {
    let mut out: String = name
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    if PYTHON_KEYWORDS.contains(&out.as_str()) {
        out.push('_');
    }
    out
}

/// The Python type and literal: integers as `int`, other numbers as `float`, text as `str`.
fn python_value(number: Option<&serde_json::Number>, value: &str) -> (String, String) {
    let Some(n) = number else {
        return ("str".into(), json(value));
    };
    if let Some(i) = n.as_i64() {
        return ("int".into(), i.to_string());
    }
    if let Some(u) = n.as_u64() {
        return ("int".into(), u.to_string());
    }
    let x = n.as_f64().unwrap_or(f64::NAN);
    if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e15 {
        ("int".into(), format!("{}", x as i64))
    } else if x.is_finite() && (x.abs() >= 1e15 || (x != 0.0 && x.abs() < 1e-6)) {
        ("float".into(), format!("{x:e}"))
    } else if x.is_finite() {
        ("float".into(), format!("{x}"))
    } else {
        ("str".into(), json(value))
    }
}

/// `Table 3, page 6`, `Section 3.4, page 4`, `section "Training", page 4` or `page 4`.
fn locator(page: u64, section: &str, source: &Source) -> String {
    if let Some(table) = source
        .table
        .as_deref()
        .map(one_line)
        .filter(|t| !t.is_empty())
    {
        return format!("Table {table}, page {page}");
    }
    let section = one_line(section);
    let number: String = section
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let number = number.trim_end_matches('.');
    if !number.is_empty() && number.starts_with(|c: char| c.is_ascii_digit()) {
        format!("Section {number}, page {page}")
    } else if !section.is_empty() {
        format!("section \"{section}\", page {page}")
    } else {
        format!("page {page}")
    }
}

/// The quoted sentence, or the table cell with its row and column.
fn evidence(source: &Source) -> String {
    if let Some(s) = source.sentence.as_deref() {
        return format!("\"{}\"", shorten(&one_line(s)));
    }
    let field = |v: &Option<String>| one_line(v.as_deref().unwrap_or(""));
    format!(
        "row \"{}\", column \"{}\": \"{}\"",
        shorten(&field(&source.row)),
        shorten(&field(&source.column)),
        shorten(&field(&source.cell))
    )
}

/// Whitespace (newlines included) collapsed to single spaces.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn shorten(s: &str) -> String {
    const MAX: usize = 240;
    if s.chars().count() <= MAX {
        return s.to_string();
    }
    let cut: String = s.chars().take(MAX).collect();
    format!("{cut}...")
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|")
}

/// `25.6 million` -> `25.6M`, `1.5 billion` -> `1.5B`: the form validate_model.py reads.
/// Anything else stays as printed.
fn printed_count(value: &str) -> String {
    let v = value.trim();
    let split = v
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
        .unwrap_or(v.len());
    let (num, unit) = v.split_at(split);
    let suffix = match unit.trim().to_ascii_lowercase().as_str() {
        "" => "",
        "k" | "thousand" => "K",
        "m" | "million" | "millions" => "M",
        "b" | "g" | "billion" | "billions" => "B",
        _ => return v.to_string(),
    };
    if num.is_empty() {
        return v.to_string();
    }
    format!("{num}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers() {
        assert_eq!(identifier("weight_decay"), "weight_decay");
        assert_eq!(identifier("Warmup steps"), "warmup_steps");
        assert_eq!(identifier("2nd_beta"), "_2nd_beta");
        assert_eq!(identifier("lambda"), "lambda_");
    }

    #[test]
    fn python_values() {
        let n = |s: &str| serde_json::from_str::<serde_json::Number>(s).unwrap();
        assert_eq!(
            python_value(Some(&n("256")), "256"),
            ("int".into(), "256".into())
        );
        assert_eq!(
            python_value(Some(&n("0.0001")), "0.0001"),
            ("float".into(), "0.0001".into())
        );
        assert_eq!(
            python_value(Some(&n("4000000.0")), "4M"),
            ("int".into(), "4000000".into())
        );
        assert_eq!(
            python_value(Some(&n("1e-9")), "1e-9"),
            ("float".into(), "1e-9".into())
        );
        assert_eq!(
            python_value(None, "Adam"),
            ("str".into(), "\"Adam\"".into())
        );
    }

    #[test]
    fn printed_counts() {
        assert_eq!(printed_count("25.6 million"), "25.6M");
        assert_eq!(printed_count("65M"), "65M");
        assert_eq!(printed_count("340 M"), "340M");
        assert_eq!(printed_count("1.5 billion"), "1.5B");
        assert_eq!(printed_count("25.6 x 10^6"), "25.6 x 10^6");
    }

    #[test]
    fn locators() {
        let sentence = Source {
            sentence: Some("We use a weight decay of 0.0001.".into()),
            ..Source::default()
        };
        assert_eq!(
            locator(4, "3.4. Implementation", &sentence),
            "Section 3.4, page 4"
        );
        assert_eq!(
            locator(4, "Training", &sentence),
            "section \"Training\", page 4"
        );
        assert_eq!(locator(4, "", &sentence), "page 4");
        let table = Source {
            table: Some("3".into()),
            row: Some("base".into()),
            column: Some("d_model".into()),
            cell: Some("512".into()),
            ..Source::default()
        };
        assert_eq!(locator(9, "6.1", &table), "Table 3, page 9");
        assert_eq!(
            evidence(&table),
            "row \"base\", column \"d_model\": \"512\""
        );
    }
}
