//! The `init` templates: read from the skill's `assets/templates/` when it has them (users may
//! edit them there), else the copies compiled into the binary, so it also works alone.

use crate::Error;
use std::path::Path;

macro_rules! embedded {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../../../skill/paper-replication/assets/templates/", $name)))),*]
    };
}

/// Every template as (path under `assets/templates/`, text compiled into the binary).
pub const EMBEDDED: &[(&str, &str)] = embedded![
    "README.md.tera",
    "config.py.tera",
    "docs/architecture.md.tera",
    "docs/audit.md.tera",
    "docs/diagrams/overview.md.tera",
    "docs/diagrams/tensor_shapes.md.tera",
    "docs/math/derivations.md.tera",
    "docs/math/formulas.md.tera",
    "docs/modules/module.md.tera",
    "losses.py.tera",
    "model.py.tera",
    "modules/__init__.py.tera",
    "modules/module.py.tera",
    "requirements.txt.tera",
    "tests/conftest.py.tera",
    "tests/test_losses.py.tera",
    "verify.toml.tera",
];

/// Templates rendered once per module, with `module` in the context; the output file is named
/// after the module instead of `module`.
pub const PER_MODULE: &[&str] = &["docs/modules/module.md.tera", "modules/module.py.tera"];

/// Where a template's text came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// `assets/templates/<name>` in this skill folder.
    Skill(std::path::PathBuf),
    /// The copy compiled into the binary.
    Embedded,
}

/// One template, ready to render.
#[derive(Clone, Debug)]
pub struct Template {
    pub name: &'static str,
    pub text: String,
    pub origin: Origin,
}

/// The templates, each from `skill_dir/assets/templates/` when that file exists, else embedded.
pub fn load(skill_dir: Option<&Path>) -> Result<Vec<Template>, Error> {
    EMBEDDED
        .iter()
        .map(|(name, embedded)| {
            let on_disk = skill_dir
                .map(|d| d.join(crate::skill::TEMPLATES_DIR).join(name))
                .filter(|p| p.is_file());
            match on_disk {
                Some(path) => {
                    let text = std::fs::read_to_string(&path)
                        .map_err(|e| Error::input(path.display(), e))?;
                    Ok(Template {
                        name,
                        text,
                        origin: Origin::Skill(path),
                    })
                }
                None => Ok(Template {
                    name,
                    text: embedded.to_string(),
                    origin: Origin::Embedded,
                }),
            }
        })
        .collect()
}
