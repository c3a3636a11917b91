//! Checklist items of the "code" group: `code.lint`, tensor-shape-lint clean on `model.py`,
//! `modules/` and `losses.py`.
//!
//! The files are linted as `tensor-shape-lint model.py modules/ losses.py` lints them: the
//! `[tool.tensor-shape-lint]` table of the nearest `pyproject.toml` applies, model-level
//! findings about a class another linted file imports are dropped (it is a component), and a
//! finding fails the item when the binary would exit 1 for it (severity warning or error; notes
//! such as TSL602, a floor form like `H//2` that holds only for divisible sizes, do not). The
//! comments are also checked at the sizes `verify.toml` runs the model at, as `--at` does: a
//! floor form wrong at one of them is TSL601 and fails. Each
//! failing finding is its own FAIL item at
//! `file:line`. A file that still holds the scaffold's `TODO(paper)` fails too: its layers and
//! shape comments are the template's placeholder (an `nn.Identity` body lints clean), not the
//! paper's model.

use super::VerifyOptions;
use crate::report::{Item, Status};
use std::collections::HashSet;
use std::path::Path;
use tensor_shape_lint::rules::Severity;
use tensor_shape_lint::settings::{self, Settings};

const ID: &str = "code.lint";

/// The input sizes of `verify.toml` (`[model] inputs`, and `inputs2` when given: the sizes
/// `verify --run` runs the model at) as the lint's `--at`. A floor-form comment that is wrong at
/// one of them (`H//4` after a stride-4 convolution with k = 11, p = 2: 16 at 64, the layers
/// 15) then fails here, statically, and not only in `--run`'s trace. SKILL.md's lint line does
/// the same with the paper's size. Classes another linted file imports are components, which
/// `--at` leaves alone. A `verify.toml` that cannot be used (run.config reports it) or sizes
/// that are not numbers leave the lint as it was without.
fn at_run_sizes(root: &Path, files: &[String], settings: &mut Settings) {
    let Ok(model) = crate::verify_config::read(root) else {
        return;
    };
    // One run's inputs are one `--at` value (`;` between inputs).
    let runs: Vec<String> = std::iter::once(&model.inputs)
        .chain(model.inputs2.as_ref())
        .map(|inputs| inputs.join(";"))
        .collect();
    let Ok(at) = tensor_shape_lint::parse_at(&runs) else {
        return;
    };
    settings.at = runs.into_iter().zip(at).collect();
    for rel in files {
        let Ok(source) = std::fs::read_to_string(root.join(rel)) else {
            continue;
        };
        if let Ok(file) = pymodel::ModelFile::parse(source) {
            settings
                .at_components
                .extend(tensor_shape_lint::imported_names(&file));
        }
    }
}

/// Checks the tree at `root`.
pub fn check(root: &Path, _opts: &VerifyOptions) -> Vec<Item> {
    let mut files = Vec::new();
    if root.join("model.py").is_file() {
        files.push("model.py".to_string());
    }
    python_files(root, "modules", &mut files);
    // The loss is a deliverable written to the same standard (SKILL.md): linted with the model.
    if !files.is_empty() && root.join("losses.py").is_file() {
        files.push("losses.py".to_string());
    }
    if files.is_empty() {
        return vec![Item::fail(
            ID,
            "no model.py and no modules/*.py to lint",
            Some("model.py".into()),
        )];
    }
    let mut settings = Settings::default();
    match settings::find_config(&root.join(&files[0])) {
        Ok(Some((_, c))) => settings.apply(&c),
        Ok(None) => {}
        Err(e) => return vec![Item::fail(ID, e.to_string(), Some("pyproject.toml".into()))],
    }
    at_run_sizes(root, &files, &mut settings);
    let mut items = Vec::new();
    let mut findings = Vec::new();
    let mut imported = HashSet::new();
    for rel in &files {
        let source = match std::fs::read_to_string(root.join(rel)) {
            Ok(s) => s,
            Err(e) => {
                items.push(Item::fail(
                    ID,
                    format!("cannot read: {e}"),
                    Some(rel.clone()),
                ));
                continue;
            }
        };
        let todo: Vec<usize> = source
            .lines()
            .enumerate()
            .filter(|(_, l)| super::substance::is_placeholder(l))
            .map(|(i, _)| i + 1)
            .collect();
        if let Some(first) = todo.first() {
            items.push(Item::fail(
                ID,
                format!(
                    "still the scaffold: {} line(s) with `TODO(paper)`, the first at line {first}; its layers and shape comments are the template's placeholder, not the paper's",
                    todo.len()
                ),
                Some(format!("{rel}:{first}")),
            ));
        }
        // The full path, so that classes imported from modules/ are followed wherever verify
        // runs from; messages name the file relative to the tree.
        let full = root.join(rel).to_string_lossy().into_owned();
        match tensor_shape_lint::lint_source_with_imports(&full, &source, &settings) {
            Ok((diags, imports)) => {
                imported.extend(imports);
                findings.extend(diags.into_iter().map(|mut d| {
                    if let Ok(r) = Path::new(&d.path).strip_prefix(root) {
                        d.path = r.to_string_lossy().replace('\\', "/");
                    }
                    d
                }));
            }
            // Over the nesting budget the file is not read at all: saying it does not parse
            // would be wrong.
            Err(tensor_shape_lint::LintError::Syntax(pymodel::ParseError::Nesting(e))) => {
                items.push(Item::fail(ID, format!("not read: {e}"), Some(rel.clone())))
            }
            Err(e) => items.push(Item::fail(
                ID,
                format!("does not parse as Python: {e}"),
                Some(rel.clone()),
            )),
        }
    }
    tensor_shape_lint::drop_imported_models(&mut findings, &imported);
    let notes = findings
        .iter()
        .filter(|d| d.severity < Severity::Warning)
        .count();
    for d in findings.iter().filter(|d| d.severity >= Severity::Warning) {
        items.push(Item::fail(
            ID,
            format!("{} {}", d.code, d.message),
            Some(format!("{}:{}", d.path, d.line)),
        ));
    }
    if !items.iter().any(|i| i.status == Status::Fail) {
        let mut reason = format!(
            "tensor-shape-lint finds nothing to fix in {} files ({})",
            files.len(),
            files.join(", ")
        );
        if notes > 0 {
            reason.push_str(&format!("; {notes} notes (input-size assumptions)"));
        }
        items.insert(0, Item::pass(ID, reason));
    }
    items
}

/// `*.py` files under `root/rel`, recursively, sorted, as relative paths with `/` (hidden
/// entries skipped, as the binary does).
pub(super) fn python_files(root: &Path, rel: &str, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(root.join(rel)) else {
        return;
    };
    let mut names: Vec<(String, bool)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| Some((e.file_name().into_string().ok()?, e.path().is_dir())))
        .filter(|(n, _)| !n.starts_with('.'))
        .collect();
    names.sort();
    for (name, is_dir) in names {
        let child = format!("{rel}/{name}");
        if is_dir {
            python_files(root, &child, out);
        } else if name.ends_with(".py") {
            out.push(child);
        }
    }
}
