//! `repro-check init`: writes the `output/` tree the skill prescribes, from tera templates, with
//! every gap marked `TODO(paper)` so that `verify` fails until each one is filled.
//!
//! Everything is rendered in memory first; if any target file exists (without `--force`), a
//! target would leave `--out`, or a template fails, nothing is written ([`safe_write`]).

pub mod hyperparams;
pub mod safe_write;
pub mod templates;

use crate::Error;
use hyperparams::Prefill;
use serde::Serialize;
use std::path::PathBuf;

/// The placeholder every template uses; `verify` fails while one is left.
pub const PLACEHOLDER: &str = "TODO(paper)";

/// What `init` writes.
#[derive(Clone, Debug)]
pub struct InitOptions {
    /// The paper's title.
    pub paper: String,
    /// The top-level model class (`ResNet50`).
    pub model: String,
    /// The folder to write (`output/`).
    pub out: PathBuf,
    /// pdf-figures' `hyperparams.json`, to pre-fill values with their page and sentence.
    pub hyperparams: Option<PathBuf>,
    /// The experiment whose values `hyperparams` fills in (`fine-tuning`, `CIFAR`); `None`
    /// is the paper's main setting.
    pub setting: Option<String>,
    /// Module file stems (`stem`, `stage`, `head`); one document and one file each.
    pub modules: Vec<String>,
    /// Replace existing files.
    pub force: bool,
    /// The skill folder whose `assets/templates/` to read; `None` uses the embedded copies.
    pub skill_dir: Option<PathBuf>,
}

/// The module used when `--modules` is not given.
pub const DEFAULT_MODULE: &str = "block";

/// A module as the templates see it.
#[derive(Clone, Debug, Serialize)]
struct Module {
    name: String,
    class_name: String,
}

#[derive(Clone, Serialize)]
struct Context<'a> {
    paper: &'a str,
    paper_py: String,
    model: &'a str,
    modules: &'a [Module],
    module: Option<&'a Module>,
    hyperparameters: &'a [hyperparams::Hyperparam],
    param_count: Option<&'a hyperparams::ParamCount>,
    param_count_candidates: &'a [hyperparams::ParamCount],
    /// How many pre-filled fields still need a choice.
    hyperparameters_todo: usize,
}

/// Renders the tree and writes it; returns the written paths relative to `out`, sorted.
pub fn run(opts: &InitOptions) -> Result<Vec<String>, Error> {
    let files = render(opts)?;
    safe_write::write_tree(&opts.out, &files, opts.force)?;
    Ok(files.into_iter().map(|(p, _)| p).collect())
}

/// Renders every file of the tree in memory: (path relative to `out`, text), sorted by path.
pub fn render(opts: &InitOptions) -> Result<Vec<(String, String)>, Error> {
    let paper = opts.paper.split_whitespace().collect::<Vec<_>>().join(" ");
    if paper.is_empty() {
        return Err(Error::Input("--paper: the title is empty".into()));
    }
    if !is_identifier(&opts.model) || !opts.model.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return Err(Error::Input(format!(
            "--model {}: not a Python class name (letters, digits and _, starting with a letter)",
            shorten(&opts.model)
        )));
    }
    check_name("--model", &opts.model)?;
    let modules = modules(&opts.modules)?;
    let prefill = match &opts.hyperparams {
        Some(path) => hyperparams::read(path, &opts.model, opts.setting.as_deref())?,
        None => Prefill::default(),
    };
    let templates = templates::load(opts.skill_dir.as_deref())?;

    let mut tera = tera::Tera::default();
    tera.autoescape_on(vec![]);
    for t in &templates {
        tera.add_raw_template(t.name, &t.text)
            .map_err(|e| Error::input(template_path(t), tera_message(&e)))?;
    }
    let base = Context {
        paper: &paper,
        paper_py: hyperparams::json(&paper),
        model: &opts.model,
        modules: &modules,
        module: None,
        hyperparameters: &prefill.hyperparameters,
        param_count: prefill.param_count.as_ref(),
        param_count_candidates: &prefill.param_count_candidates,
        hyperparameters_todo: prefill
            .hyperparameters
            .iter()
            .filter(|h| h.todo.is_some())
            .count(),
    };
    // Serialized once: serializing the whole context (all modules) again for every module
    // was quadratic (2k modules took 27 s).
    let base_ctx = tera::Context::from_serialize(&base)
        .map_err(|e| Error::Input(format!("template context: {}", tera_message(&e))))?;
    let mut files = Vec::new();
    for t in &templates {
        let target = t.name.trim_end_matches(".tera");
        if templates::PER_MODULE.contains(&t.name) {
            let mut ctx = base_ctx.clone();
            for m in &modules {
                ctx.insert("module", m);
                let path = per_module_path(target, &m.name);
                files.push((path, render_with(&tera, t, &ctx)?));
            }
        } else {
            files.push((target.to_string(), render_with(&tera, t, &base_ctx)?));
        }
    }
    files.sort();
    Ok(files)
}

/// `docs/modules/module.md` -> `docs/modules/<name>.md`.
fn per_module_path(target: &str, name: &str) -> String {
    let (dir, file) = target.rsplit_once('/').unwrap_or(("", target));
    let ext = file.rsplit_once('.').map_or("", |(_, e)| e);
    format!("{dir}/{name}.{ext}")
}

fn render_with(
    tera: &tera::Tera,
    t: &templates::Template,
    ctx: &tera::Context,
) -> Result<String, Error> {
    tera.render(t.name, ctx)
        .map_err(|e| Error::input(template_path(t), tera_message(&e)))
}

fn template_path(t: &templates::Template) -> String {
    match &t.origin {
        templates::Origin::Skill(p) => p.display().to_string(),
        templates::Origin::Embedded => format!("(embedded) {}", t.name),
    }
}

/// A tera error with its causes on one line ("Failed to render: Variable `x` not found").
fn tera_message(e: &tera::Error) -> String {
    let mut msg = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    msg.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn is_identifier(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(|c: char| c.is_ascii_digit())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Module names: lower-case Python identifiers, no duplicates; `block` when none are given.
fn modules(names: &[String]) -> Result<Vec<Module>, Error> {
    let names: Vec<String> = if names.is_empty() {
        vec![DEFAULT_MODULE.to_string()]
    } else {
        names.iter().map(|n| n.trim().to_string()).collect()
    };
    let mut out: Vec<Module> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for name in names {
        if !is_identifier(&name)
            || name.chars().any(|c| c.is_ascii_uppercase())
            || name == "__init__"
        {
            return Err(Error::Input(format!(
                "--modules {}: not a module file stem (lower-case letters, digits and _)",
                shorten(&name)
            )));
        }
        check_name("--modules", &name)?;
        if !seen.insert(name.clone()) {
            return Err(Error::Input(format!("--modules {name}: given twice")));
        }
        out.push(Module {
            class_name: class_name(&name),
            name,
        });
    }
    Ok(out)
}

/// A Python keyword does not parse as a class or module name, and a very long one does not fit
/// in a file name.
fn check_name(flag: &str, name: &str) -> Result<(), Error> {
    if safe_write::PYTHON_KEYWORDS.contains(&name) {
        return Err(Error::Input(format!(
            "{flag} {name}: a Python keyword, which cannot name a class or module"
        )));
    }
    if name.len() > safe_write::MAX_NAME_LEN {
        return Err(Error::Input(format!(
            "{flag} {}: {} characters, more than the {} a file name allows here",
            shorten(name),
            name.len(),
            safe_write::MAX_NAME_LEN
        )));
    }
    Ok(())
}

/// A name cut for an error line.
fn shorten(name: &str) -> String {
    if name.chars().count() <= 40 {
        return name.to_string();
    }
    let head: String = name.chars().take(40).collect();
    format!("{head}...")
}

/// `multi_head_attention` -> `MultiHeadAttention`.
fn class_name(stem: &str) -> String {
    let camel: String = stem
        .split('_')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect();
    if camel.starts_with(|c: char| c.is_ascii_digit()) {
        format!("M{camel}")
    } else {
        camel
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_names() {
        assert_eq!(class_name("multi_head_attention"), "MultiHeadAttention");
        assert_eq!(class_name("stem"), "Stem");
        assert_eq!(
            per_module_path("docs/modules/module.md", "stem"),
            "docs/modules/stem.md"
        );
        assert_eq!(
            per_module_path("modules/module.py", "head"),
            "modules/head.py"
        );
        assert!(modules(&["Stem".into()]).is_err());
        assert!(modules(&["a".into(), "a".into()]).is_err());
        assert!(modules(&["x-y".into()]).is_err());
        assert_eq!(modules(&[]).unwrap()[0].name, DEFAULT_MODULE);
    }
}
