//! Claude Code plugin marketplace (`.claude-plugin/marketplace.json`) and plugin manifest
//! (`.claude-plugin/plugin.json`) checks, rules M1-M4 (skill-format §6).
//!
//! Relative sources and skill paths are resolved lexically inside the repository and every
//! component on the way is checked with `symlink_metadata`, so a manifest can never make the
//! validator read outside the repository.

use crate::error::{Error, Result};
use crate::finding::Report;
use crate::frontmatter::is_kebab_case;
use crate::rules::Rule;
use crate::tree::join_inside;
use serde_json::Value;
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// Names Claude Code reserves for official marketplaces (MKT).
const RESERVED_NAMES: [&str; 4] = [
    "agent-skills",
    "anthropic-agent-skills",
    "anthropic-plugins",
    "claude-plugins-official",
];
/// plugin.json keys that declare components; with `strict: false` the marketplace entry must be
/// the only place that declares them.
const COMPONENT_KEYS: [&str; 7] = [
    "agents",
    "commands",
    "hooks",
    "lspServers",
    "mcpServers",
    "outputStyles",
    "skills",
];
/// Object `source` kinds Claude Code knows.
const SOURCE_KINDS: [&str; 5] = ["git-subdir", "github", "npm", "url", "pip"];

/// A skill folder a marketplace plugin provides, to be validated as a skill.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkillRef {
    pub path: PathBuf,
    pub display: String,
}

/// Checks `file` (a marketplace.json) and returns the skill folders its plugins declare.
pub fn check_marketplace(file: &Path, display: &str, report: &mut Report) -> Result<Vec<SkillRef>> {
    let text = fs::read_to_string(file).map_err(|e| Error::io(file, e))?;
    let abs = fs::canonicalize(file).map_err(|e| Error::io(file, e))?;
    let manifest_dir = abs.parent().unwrap_or(Path::new("/"));
    // The marketplace lives in <repo>/.claude-plugin/; sources are relative to <repo>.
    let (root, root_display) = if manifest_dir
        .file_name()
        .is_some_and(|n| n == ".claude-plugin")
    {
        (
            manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf(),
            display.rsplitn(3, '/').nth(2).unwrap_or(".").to_string(),
        )
    } else {
        (
            manifest_dir.to_path_buf(),
            display.rsplit_once('/').map_or(".", |(d, _)| d).to_string(),
        )
    };
    let value: Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            report.push(display, e.line(), Rule::M1, format!("not valid JSON: {e}"));
            return Ok(Vec::new());
        }
    };
    let Some(obj) = value.as_object() else {
        report.push(
            display,
            1,
            Rule::M1,
            "marketplace.json must be a JSON object",
        );
        return Ok(Vec::new());
    };
    let line = |key: &str| json_line(&text, key);
    match obj.get("name").and_then(Value::as_str) {
        None => report.push(display, 1, Rule::M1, "marketplace needs a string `name`"),
        Some(name) if !is_kebab_case(name) => report.push(
            display,
            line("name"),
            Rule::M1,
            format!("marketplace name '{name}' must be kebab-case"),
        ),
        Some(name) if RESERVED_NAMES.contains(&name) => report.push(
            display,
            line("name"),
            Rule::M1,
            format!("marketplace name '{name}' is reserved"),
        ),
        Some(_) => {}
    }
    if obj
        .get("owner")
        .and_then(|o| o.get("name"))
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        report.push(
            display,
            line("owner"),
            Rule::M1,
            "marketplace needs `owner.name`",
        );
    }
    let plugins = obj
        .get("plugins")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if plugins.is_empty() {
        report.push(
            display,
            line("plugins"),
            Rule::M1,
            "marketplace needs a non-empty `plugins` list",
        );
    }
    let ctx = Ctx {
        root: &root,
        root_display: &root_display,
        display,
        text: &text,
    };
    let mut names = BTreeSet::new();
    let mut skills = Vec::new();
    for plugin in &plugins {
        skills.extend(check_plugin(&ctx, plugin, &mut names, report)?);
    }
    Ok(skills)
}

struct Ctx<'a> {
    root: &'a Path,
    root_display: &'a str,
    display: &'a str,
    text: &'a str,
}

fn check_plugin(
    ctx: &Ctx,
    plugin: &Value,
    names: &mut BTreeSet<String>,
    report: &mut Report,
) -> Result<Vec<SkillRef>> {
    let display = ctx.display;
    let Some(entry) = plugin.as_object() else {
        report.push(
            display,
            json_line(ctx.text, "plugins"),
            Rule::M2,
            "each plugin entry must be a JSON object",
        );
        return Ok(Vec::new());
    };
    let name = entry
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let line = json_value_line(ctx.text, "name", name);
    if !is_kebab_case(name) {
        report.push(
            display,
            line,
            Rule::M2,
            format!("plugin name '{name}' must be kebab-case"),
        );
    } else if !names.insert(name.to_string()) {
        report.push(
            display,
            line,
            Rule::M2,
            format!("plugin name '{name}' appears twice"),
        );
    }
    let strict = entry.get("strict").and_then(Value::as_bool).unwrap_or(true);
    let plugin_root = match entry.get("source") {
        Some(Value::String(source)) => {
            if !source.starts_with("./") && source != "." {
                report.push(
                    display,
                    line,
                    Rule::M2,
                    format!("plugin '{name}': relative source '{source}' must start with ./"),
                );
                None
            } else {
                inside(ctx.root, "", source, report, display, line, Rule::M2).filter(|(p, _)| {
                    let ok = p.is_dir();
                    if !ok {
                        report.push(
                            display,
                            line,
                            Rule::M2,
                            format!("plugin '{name}': source '{source}' is not a folder"),
                        );
                    }
                    ok
                })
            }
        }
        Some(Value::Object(source)) => {
            let kind = source
                .get("source")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if !SOURCE_KINDS.contains(&kind) {
                report.push(
                    display,
                    line,
                    Rule::M2,
                    format!("plugin '{name}': unknown source kind '{kind}'"),
                );
            }
            None
        }
        _ => {
            report.push(
                display,
                line,
                Rule::M2,
                format!("plugin '{name}' needs a `source`"),
            );
            None
        }
    };
    let Some((plugin_dir, plugin_rel)) = plugin_root else {
        return Ok(Vec::new());
    };
    check_plugin_json(ctx, &plugin_dir, &plugin_rel, name, strict, report);
    let mut skills = Vec::new();
    let declared: Vec<Value> = match entry.get("skills") {
        Some(Value::Array(items)) => items.clone(),
        Some(single @ Value::String(_)) => vec![single.clone()],
        Some(_) => {
            report.push(
                display,
                line,
                Rule::M3,
                format!("plugin '{name}': `skills` must be a path or a list of paths"),
            );
            Vec::new()
        }
        None => Vec::new(),
    };
    for item in declared {
        let Some(path) = item.as_str() else {
            report.push(
                display,
                line,
                Rule::M3,
                format!("plugin '{name}': skill paths must be strings"),
            );
            continue;
        };
        let at = json_value_line(ctx.text, "skills", path).max(json_string_line(ctx.text, path));
        if !path.starts_with("./") {
            report.push(
                display,
                at,
                Rule::M3,
                format!("plugin '{name}': skill path '{path}' must start with ./"),
            );
            continue;
        }
        let Some((dir, rel)) = inside(
            &plugin_dir,
            &plugin_rel,
            path,
            report,
            display,
            at,
            Rule::M3,
        ) else {
            continue;
        };
        if dir.join("SKILL.md").is_file() {
            skills.push(SkillRef {
                path: dir,
                display: shown(ctx.root_display, &rel),
            });
        } else {
            report.push(
                display,
                at,
                Rule::M3,
                format!("plugin '{name}': '{path}' is not a skill folder with a SKILL.md"),
            );
        }
    }
    Ok(skills)
}

fn check_plugin_json(
    ctx: &Ctx,
    plugin_dir: &Path,
    plugin_rel: &str,
    name: &str,
    strict: bool,
    report: &mut Report,
) {
    let manifest = plugin_dir.join(".claude-plugin").join("plugin.json");
    if !manifest.is_file() {
        return;
    }
    let display = shown(
        ctx.root_display,
        format!("{plugin_rel}/.claude-plugin/plugin.json").trim_start_matches('/'),
    );
    let Ok(text) = fs::read_to_string(&manifest) else {
        report.push(
            display,
            0,
            Rule::M4,
            "plugin.json cannot be read as UTF-8 text",
        );
        return;
    };
    let value: Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            report.push(display, e.line(), Rule::M4, format!("not valid JSON: {e}"));
            return;
        }
    };
    let Some(obj) = value.as_object() else {
        report.push(display, 1, Rule::M4, "plugin.json must be a JSON object");
        return;
    };
    match obj.get("name").and_then(Value::as_str) {
        Some(n) if is_kebab_case(n) => {
            if n != name {
                report.push(
                    display.clone(),
                    json_line(&text, "name"),
                    Rule::M4,
                    format!("plugin.json name '{n}' differs from the marketplace entry '{name}'"),
                );
            }
        }
        _ => report.push(
            display.clone(),
            1,
            Rule::M4,
            "plugin.json needs a kebab-case `name`",
        ),
    }
    if !strict {
        for key in COMPONENT_KEYS {
            if obj.contains_key(key) {
                report.push(
                    display.clone(),
                    json_line(&text, key),
                    Rule::M4,
                    format!("plugin.json declares `{key}` but the marketplace entry is strict: false; declare components in one place only"),
                );
            }
        }
    }
}

/// Resolves `rel` (a `./`-relative path) inside `base` without following anything: `..` that
/// climbs out and symlinks on the way are reported (P2, P1). Returns the path and its
/// repository-relative form.
fn inside(
    base: &Path,
    base_rel: &str,
    rel: &str,
    report: &mut Report,
    display: &str,
    line: usize,
    rule: Rule,
) -> Option<(PathBuf, String)> {
    let Some(extra) = join_inside("", rel) else {
        report.push(
            display,
            line,
            Rule::P2,
            format!("path '{rel}' leads outside its plugin"),
        );
        return None;
    };
    let mut path = base.to_path_buf();
    for part in extra.split('/').filter(|p| !p.is_empty()) {
        path.push(part);
        match fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                report.push(
                    display,
                    line,
                    Rule::P1,
                    format!("path '{rel}' goes through a symbolic link; refused"),
                );
                return None;
            }
            Ok(_) => {}
            Err(_) => {
                report.push(display, line, rule, format!("path '{rel}' does not exist"));
                return None;
            }
        }
    }
    Some((path, join_inside(base_rel, &extra).unwrap_or(extra)))
}

fn shown(root_display: &str, rel: &str) -> String {
    match (root_display, rel) {
        (".", "") | ("", "") => ".".to_string(),
        (".", r) | ("", r) => r.to_string(),
        (d, "") => d.to_string(),
        (d, r) => format!("{}/{r}", d.trim_end_matches('/')),
    }
}

/// Line of the first `"key":` in `text` (1 when absent).
fn json_line(text: &str, key: &str) -> usize {
    let needle = format!("\"{key}\"");
    text.lines()
        .position(|l| l.contains(&needle))
        .map_or(1, |i| i + 1)
}

/// Line of the first `"key": "value"` pair in `text` (falls back to the key's line).
fn json_value_line(text: &str, key: &str, value: &str) -> usize {
    let key_needle = format!("\"{key}\"");
    let value_needle = format!("\"{value}\"");
    text.lines()
        .position(|l| l.contains(&key_needle) && l.contains(&value_needle))
        .map_or_else(|| json_line(text, key), |i| i + 1)
}

/// Line of the first occurrence of the JSON string `value` (0 when absent).
fn json_string_line(text: &str, value: &str) -> usize {
    let needle = format!("\"{value}\"");
    text.lines()
        .position(|l| l.contains(&needle))
        .map_or(0, |i| i + 1)
}
