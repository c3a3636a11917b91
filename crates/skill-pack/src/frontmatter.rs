//! SKILL.md front matter: rules F1-F8, strict YAML (Y1) and the body-length warning (W1).
//!
//! The YAML is read twice. `serde_yaml` gives the value tree (and refuses duplicate keys);
//! `yaml-rust2`'s scanner gives the tokens with line numbers, which is the only place where flow
//! style, anchors, aliases, tags and unquoted scalars are still visible. The reference validator
//! parses with strictyaml and `quick_validate.py` with PyYAML (YAML 1.1), so a plain `yes`, `1.0`
//! or `2024-01-01` that serde_yaml (YAML 1.2) reads as a string is still refused here.

use crate::finding::Report;
use crate::rules::Rule;
use crate::tree::SkillTree;
use regex::Regex;
use serde_yaml::Value;
use std::sync::LazyLock;
use yaml_rust2::scanner::{Scanner, TScalarStyle, TokenType};

/// The only keys every upload path accepts (skill-format §2.1).
pub const ALLOWED_KEYS: [&str; 6] = [
    "allowed-tools",
    "compatibility",
    "description",
    "license",
    "metadata",
    "name",
];

const NAME_MAX: usize = 64;
const DESCRIPTION_MAX: usize = 1024;
/// claude.ai's guide to custom skills states 200 characters for `description` (see
/// `skill-pack --explain SP-W3`); the API and the Agent Skills spec allow 1024.
pub const DESCRIPTION_UPLOAD_MAX: usize = 200;
const COMPATIBILITY_MAX: usize = 500;
const BODY_WARN_LINES: usize = 500;
/// Largest front matter parsed (issue 20: 100 k `[` took minutes in the YAML parsers). The
/// allowed keys hold at most 64 + 1024 + 500 characters plus a short license, tool list and
/// metadata; 64 KiB is 25 times that, and this skill's front matter is 0.3 KiB.
pub const FRONT_MATTER_MAX: usize = 64 * 1024;
/// Deepest flow (`[`, `{`) or block nesting parsed: the fields are flat strings, `metadata` a
/// one-level mapping and `allowed-tools` a list, so 3 levels; 32 is ten times that.
pub const FRONT_MATTER_DEPTH_MAX: usize = 32;

static NAME_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[a-z0-9]+(-[a-z0-9]+)*$").expect("valid regex"));

/// Lowercase ASCII letters and digits in groups joined by single hyphens: the form of skill,
/// plugin and marketplace names.
pub fn is_kebab_case(name: &str) -> bool {
    NAME_RE.is_match(name)
}

/// What the rest of the validator needs from SKILL.md.
#[derive(Clone, Debug, Default)]
pub struct FrontMatter {
    pub name: Option<String>,
    pub description: Option<String>,
}

/// Checks SKILL.md of `tree`; returns the parsed fields when the front matter could be read.
pub fn check_skill_md(tree: &SkillTree, report: &mut Report) -> Option<FrontMatter> {
    let file = tree.shown("SKILL.md");
    if !tree.is_file("SKILL.md") {
        report.push(
            tree.shown(""),
            0,
            Rule::F1,
            "no SKILL.md at the root of the skill folder",
        );
        return None;
    }
    let Some(text) = tree.text("SKILL.md") else {
        let why = match tree.files["SKILL.md"].read() {
            Err(e) => format!("SKILL.md cannot be read: {e}"),
            Ok(_) => "SKILL.md is not readable UTF-8 text".to_string(),
        };
        report.push(file, 0, Rule::F1, why);
        return None;
    };
    if !text.starts_with("---\n") {
        let why = if text.starts_with('\u{feff}') {
            "SKILL.md starts with a byte-order mark; it must start with `---` + LF"
        } else if text.starts_with("---\r\n") {
            "SKILL.md has CRLF line endings; the front matter must start with `---` + LF"
        } else {
            "SKILL.md must start with a `---` line opening the YAML front matter"
        };
        report.push(file, 1, Rule::F1, why);
        return None;
    }
    let lines: Vec<&str> = text.split('\n').collect();
    let Some(close) = lines
        .iter()
        .skip(1)
        .position(|l| *l == "---")
        .map(|i| i + 1)
    else {
        report.push(
            file,
            1,
            Rule::F1,
            "front matter is not closed by a `---` line",
        );
        return None;
    };
    let yaml = lines[1..close].join("\n");
    if let Some(why) = too_large(&yaml) {
        report.push(file, 2, Rule::F1, why);
        return None;
    }
    // Line n of the YAML text is line n + 1 of the file.
    scan_tokens(&yaml, &file, report);
    let value = match serde_yaml::from_str::<Value>(&yaml) {
        Ok(value) => value,
        Err(err) => {
            let line = err.location().map_or(1, |l| l.line() + 1);
            let msg = err.to_string();
            let rule = if msg.contains("duplicate entry") {
                Rule::Y1
            } else {
                Rule::F1
            };
            report.push(
                file,
                line,
                rule,
                format!("front matter is not valid YAML: {msg}"),
            );
            return None;
        }
    };
    let body_lines = lines.len().saturating_sub(close + 1);
    if body_lines > BODY_WARN_LINES {
        report.push(
            file.clone(),
            close + 1,
            Rule::W1,
            format!("body has {body_lines} lines (guidance: under {BODY_WARN_LINES}); move detail to references/"),
        );
    }
    Some(check_fields(&value, &yaml, tree, &file, report))
}

fn check_fields(
    value: &Value,
    yaml: &str,
    tree: &SkillTree,
    file: &str,
    report: &mut Report,
) -> FrontMatter {
    let mut fm = FrontMatter::default();
    let Value::Mapping(map) = value else {
        report.push(
            file,
            2,
            Rule::F1,
            "front matter must be a YAML mapping of keys to values",
        );
        return fm;
    };
    let line_of = |key: &str| key_line(yaml, key, 0).map_or(2, |l| l + 1);
    for (key, val) in map {
        let Value::String(key) = key else {
            report.push(
                file,
                2,
                Rule::Y1,
                format!("front-matter key {} is not a string", describe(key)),
            );
            continue;
        };
        let line = line_of(key);
        match key.as_str() {
            "name" => fm.name = check_name(val, tree, file, line, report),
            "description" => fm.description = check_description(val, file, line, report),
            "compatibility" => match val {
                Value::String(s) if (1..=COMPATIBILITY_MAX).contains(&s.chars().count()) => {}
                Value::String(s) => report.push(
                    file,
                    line,
                    Rule::F7,
                    format!(
                        "`compatibility` has {} chars; it must have 1-{COMPATIBILITY_MAX}",
                        s.chars().count()
                    ),
                ),
                other => report.push(
                    file,
                    line,
                    Rule::F7,
                    format!("`compatibility` must be a string, not {}", describe(other)),
                ),
            },
            "metadata" => check_metadata(val, yaml, file, line, report),
            "license" | "allowed-tools" => {
                if !matches!(val, Value::String(_)) {
                    report.push(
                        file,
                        line,
                        Rule::Y1,
                        format!("`{key}` must be a string, not {}; quote it", describe(val)),
                    );
                }
            }
            other => report.push(
                file,
                line,
                Rule::F2,
                format!(
                    "unexpected key `{other}` in SKILL.md front matter; allowed keys are: {}",
                    ALLOWED_KEYS.join(", ")
                ),
            ),
        }
    }
    if !map.contains_key("name") {
        report.push(file, 2, Rule::F3, "front matter has no `name`");
    }
    if !map.contains_key("description") {
        report.push(file, 2, Rule::F6, "front matter has no `description`");
    }
    fm
}

fn check_name(
    val: &Value,
    tree: &SkillTree,
    file: &str,
    line: usize,
    report: &mut Report,
) -> Option<String> {
    let Value::String(name) = val else {
        report.push(
            file,
            line,
            Rule::F3,
            format!("`name` must be a string, not {}; quote it", describe(val)),
        );
        return None;
    };
    let len = name.chars().count();
    if len == 0 || len > NAME_MAX {
        report.push(
            file,
            line,
            Rule::F3,
            format!("`name` has {len} chars; it must have 1-{NAME_MAX}"),
        );
    } else if !NAME_RE.is_match(name) {
        report.push(
            file,
            line,
            Rule::F3,
            format!("`name` '{name}' can only contain lowercase letters, numbers and single hyphens between them"),
        );
    }
    let lower = name.to_lowercase();
    for reserved in ["anthropic", "claude"] {
        if lower.contains(reserved) {
            report.push(
                file,
                line,
                Rule::F4,
                format!("`name` '{name}' contains the reserved word '{reserved}'"),
            );
        }
    }
    if *name != tree.folder {
        report.push(
            file,
            line,
            Rule::F5,
            format!(
                "`name` '{name}' must equal the skill folder name '{}'",
                tree.folder
            ),
        );
    }
    Some(name.clone())
}

fn check_description(val: &Value, file: &str, line: usize, report: &mut Report) -> Option<String> {
    let Value::String(desc) = val else {
        report.push(
            file,
            line,
            Rule::F6,
            format!("`description` must be a string, not {}", describe(val)),
        );
        return None;
    };
    let len = desc.chars().count();
    if desc.trim().is_empty() {
        report.push(file, line, Rule::F6, "`description` is empty");
    } else if len > DESCRIPTION_MAX {
        report.push(
            file,
            line,
            Rule::F6,
            format!("`description` has {len} chars; it must have at most {DESCRIPTION_MAX}"),
        );
    } else if len > DESCRIPTION_UPLOAD_MAX {
        report.push(
            file,
            line,
            Rule::W3,
            format!(
                "`description` has {len} chars; claude.ai's custom-skill guide (support.claude.com/en/articles/12512198) allows at most {DESCRIPTION_UPLOAD_MAX}"
            ),
        );
    }
    for bad in ['<', '>'] {
        if desc.contains(bad) {
            report.push(
                file,
                line,
                Rule::F6,
                format!("`description` cannot contain `{bad}` (uploaders refuse XML tags)"),
            );
        }
    }
    Some(desc.clone())
}

fn check_metadata(val: &Value, yaml: &str, file: &str, line: usize, report: &mut Report) {
    let Value::Mapping(map) = val else {
        report.push(
            file,
            line,
            Rule::F8,
            format!("`metadata` must be a mapping, not {}", describe(val)),
        );
        return;
    };
    for (key, value) in map {
        let Value::String(key) = key else {
            report.push(
                file,
                line,
                Rule::F8,
                format!("`metadata` key {} is not a string; quote it", describe(key)),
            );
            continue;
        };
        if !matches!(value, Value::String(_)) {
            let at = key_line(yaml, key, 1).map_or(line, |l| l + 1);
            report.push(
                file,
                at,
                Rule::F8,
                format!(
                    "`metadata.{key}` must be a string, not {}; quote it",
                    describe(value)
                ),
            );
        }
    }
}

/// 1-based line in `yaml` where `key:` starts with at least `min_indent` spaces, if any.
fn key_line(yaml: &str, key: &str, min_indent: usize) -> Option<usize> {
    yaml.lines()
        .position(|l| {
            let trimmed = l.trim_start();
            let indent = l.len() - trimmed.len();
            let unquoted = trimmed.trim_start_matches(['"', '\'']);
            (min_indent == 0) == (indent == 0)
                && indent >= min_indent
                && unquoted
                    .strip_prefix(key)
                    .is_some_and(|rest| rest.trim_start_matches(['"', '\'']).starts_with(':'))
        })
        .map(|i| i + 1)
}

fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null (empty)".into(),
        Value::Bool(b) => format!("a boolean ({b})"),
        Value::Number(n) => format!("a number ({n})"),
        Value::String(s) => format!("'{s}'"),
        Value::Sequence(_) => "a list".into(),
        Value::Mapping(_) => "a mapping".into(),
        Value::Tagged(_) => "a tagged value".into(),
    }
}

/// Token-level strictness: the constructs strictyaml refuses and PyYAML's surprising scalars.
/// Why the front matter is refused before any YAML parser reads it: too long, or nested
/// deeper than any skill's (YAML parsers take time that grows faster than the nesting).
fn too_large(yaml: &str) -> Option<String> {
    if yaml.len() > FRONT_MATTER_MAX {
        return Some(format!(
            "front matter is {} bytes; at most {FRONT_MATTER_MAX} are read (the allowed fields need under 2 KiB)",
            yaml.len()
        ));
    }
    let depth = nesting_depth(yaml);
    (depth > FRONT_MATTER_DEPTH_MAX).then(|| {
        format!(
            "front matter nests {depth} levels deep; at most {FRONT_MATTER_DEPTH_MAX} are read (its fields need 3)"
        )
    })
}

/// An upper bound of the YAML nesting: open flow brackets outside quotes and comments, plus the
/// block level (each deeper indentation on a line's start opens one).
fn nesting_depth(yaml: &str) -> usize {
    let (mut flow, mut deepest) = (0usize, 0usize);
    let mut indents: Vec<usize> = Vec::new();
    for line in yaml.lines() {
        if flow == 0 {
            let indent = line.len() - line.trim_start_matches([' ', '-']).len();
            if !line.trim().is_empty() && !line.trim_start().starts_with('#') {
                while indents.last().is_some_and(|&i| i >= indent) {
                    indents.pop();
                }
                indents.push(indent);
            }
        }
        let mut quote: Option<char> = None;
        for c in line.chars() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '\'' | '"') => quote = Some(c),
                (None, '#') => break,
                (None, '[' | '{') => flow += 1,
                (None, ']' | '}') => flow = flow.saturating_sub(1),
                _ => {}
            }
            deepest = deepest.max(indents.len() + flow);
        }
        deepest = deepest.max(indents.len() + flow);
    }
    deepest
}

fn scan_tokens(yaml: &str, file: &str, report: &mut Report) {
    let mut scanner = Scanner::new(yaml.chars());
    for token in scanner.by_ref() {
        let line = token.0.line() + 1;
        let refused = match &token.1 {
            TokenType::FlowSequenceStart => {
                Some("flow-style list `[...]`; use a block list or a string".to_string())
            }
            TokenType::FlowMappingStart => {
                Some("flow-style mapping `{...}`; use an indented block mapping".to_string())
            }
            TokenType::Anchor(name) => Some(format!("anchor `&{name}`")),
            TokenType::Alias(name) => Some(format!("alias `*{name}`")),
            TokenType::Tag(handle, suffix) => Some(format!("tag `{handle}{suffix}`")),
            TokenType::Scalar(TScalarStyle::Plain, text) => {
                if let Some(kind) = pyyaml_surprise(text) {
                    report.push(
                        file,
                        line,
                        Rule::Y1,
                        format!("unquoted `{text}` is read as a {kind} by PyYAML (YAML 1.1), not a string; quote it"),
                    );
                }
                None
            }
            _ => None,
        };
        if let Some(what) = refused {
            report.push(
                file,
                line,
                Rule::Y1,
                format!("strict YAML parsers refuse {what}"),
            );
        }
    }
    if let Some(err) = scanner.get_error() {
        report.push(
            file,
            err.marker().line() + 1,
            Rule::F1,
            format!("front matter is not valid YAML: {}", err.info()),
        );
    }
}

static PYYAML_BOOL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF)$").expect("valid regex")
});
static PYYAML_INT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$")
        .expect("valid regex")
});
static PYYAML_FLOAT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")
        .expect("valid regex")
});
static PYYAML_TIMESTAMP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$")
        .expect("valid regex")
});

/// The non-string type PyYAML 1.1 gives an unquoted scalar that serde_yaml (YAML 1.2) keeps as a
/// string. Scalars both read as non-strings are reported by the field checks instead.
fn pyyaml_surprise(text: &str) -> Option<&'static str> {
    let kind = if PYYAML_BOOL.is_match(text) {
        "boolean"
    } else if PYYAML_INT.is_match(text) {
        "integer"
    } else if PYYAML_FLOAT.is_match(text) {
        "float"
    } else if PYYAML_TIMESTAMP.is_match(text) {
        "date"
    } else if matches!(text, "" | "~" | "null" | "Null" | "NULL") {
        "null"
    } else if matches!(text, "<<" | "=") {
        "merge/value key"
    } else {
        return None;
    };
    match serde_yaml::from_str::<Value>(text) {
        Ok(Value::String(_)) => Some(kind),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pyyaml_only_surprises_are_caught() {
        // YAML 1.1 booleans, sexagesimal ints, octals with underscores and dates stay strings
        // in YAML 1.2 (serde_yaml) but not in PyYAML.
        assert_eq!(pyyaml_surprise("yes"), Some("boolean"));
        assert_eq!(pyyaml_surprise("Off"), Some("boolean"));
        assert_eq!(pyyaml_surprise("2024-01-31"), Some("date"));
        assert_eq!(pyyaml_surprise("190:20:30"), Some("integer"));
        // Both parsers agree these are numbers or booleans: the field checks report them.
        assert_eq!(pyyaml_surprise("3000"), None);
        assert_eq!(pyyaml_surprise("true"), None);
        assert_eq!(pyyaml_surprise("paper-replication"), None);
        assert_eq!(pyyaml_surprise("1.0.0"), None);
    }

    #[test]
    fn nesting_depth_counts_flow_brackets_and_block_levels_outside_quotes() {
        assert_eq!(nesting_depth("name: a\ndescription: b"), 1);
        assert_eq!(nesting_depth("metadata:\n  author: x\n  version: y"), 2);
        assert_eq!(nesting_depth("allowed-tools:\n  - Read\n  - Bash"), 2);
        assert_eq!(nesting_depth("a: [[1, {b: 2}]]"), 4);
        // Brackets in quotes or comments open nothing.
        assert_eq!(nesting_depth("a: '[[['\nb: \"{{\" # [[["), 1);
        assert_eq!(
            nesting_depth(&format!("d: {}", "[".repeat(100_000))),
            100_001
        );
    }

    #[test]
    fn key_line_finds_top_level_and_nested_keys() {
        let yaml = "name: x\nmetadata:\n  version: 1\ndescription: y";
        assert_eq!(key_line(yaml, "description", 0), Some(4));
        assert_eq!(key_line(yaml, "version", 1), Some(3));
        assert_eq!(key_line(yaml, "version", 0), None);
    }
}
