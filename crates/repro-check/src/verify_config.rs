//! `verify.toml`: what `verify --run` runs (the model target, its inputs and the paper's count).
//!
//! The schema is fixed (`init` writes it with placeholders):
//!
//! ```toml
//! [model]
//! target = "model.py:ResNet50"          # FILE:Class, relative to the checked folder
//! inputs = ["x=[2,3,224,224]"]          # validate_model.py --input specs
//! kwargs = {}                            # constructor keyword arguments (optional)
//! expect_output = "[2,1000]"             # optional
//! paper_params = "25.6M"                 # the count as the paper prints it
//! paper_params_source = "Table 3, p.6"   # where it is printed
//! explain_mismatch = ""                  # optional: written cause of a known mismatch
//! ```
//!
//! Unknown keys are errors (a misspelt `paper_param` would otherwise silently skip the count
//! check), and a printed count without its source is an error (the skill's rule: every number
//! names where it comes from).

use serde::Deserialize;
use std::path::Path;

/// File name of the configuration, in the checked folder.
pub const FILE_NAME: &str = "verify.toml";

/// The `[model]` table.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ModelConfig {
    /// `FILE.py:Class`, relative to the checked folder.
    pub target: String,
    /// `--input` specs of `validate_model.py` (`x=[2,3,224,224]`, `ids=[2,16]:long:37000`).
    pub inputs: Vec<String>,
    /// Constructor keyword arguments.
    #[serde(default)]
    pub kwargs: toml::Table,
    /// Expected output shape (`[2,1000]`), when given.
    #[serde(default)]
    pub expect_output: Option<String>,
    /// The parameter count as the paper prints it (`25.6M`); absent when the paper prints none.
    #[serde(default)]
    pub paper_params: Option<String>,
    /// Where the paper prints it.
    #[serde(default)]
    pub paper_params_source: Option<String>,
    /// The written cause of a known count mismatch.
    #[serde(default)]
    pub explain_mismatch: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    model: ModelConfig,
}

/// Why `verify.toml` cannot be used, with the 1-based line when one is known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub line: Option<usize>,
    pub message: String,
}

impl ModelConfig {
    /// The model file and class of `target`.
    pub fn split_target(&self) -> Option<(&str, &str)> {
        tensor_shape_lint::split_target(&self.target).ok()
    }

    /// `kwargs` as a JSON object, for `--kwargs`; `None` when empty.
    pub fn kwargs_json(&self) -> Option<String> {
        if self.kwargs.is_empty() {
            return None;
        }
        serde_json::to_string(&self.kwargs).ok()
    }

    /// A non-empty optional string.
    fn given(v: &Option<String>) -> Option<&str> {
        v.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }

    /// `expect_output`, when given and not empty.
    pub fn expect_output(&self) -> Option<&str> {
        Self::given(&self.expect_output)
    }

    /// `paper_params`, when given and not empty.
    pub fn paper_params(&self) -> Option<&str> {
        Self::given(&self.paper_params)
    }

    /// `explain_mismatch`, when given and not empty.
    pub fn explain_mismatch(&self) -> Option<&str> {
        Self::given(&self.explain_mismatch)
    }
}

fn line_of(text: &str, byte: usize) -> usize {
    text[..byte.min(text.len())].matches('\n').count() + 1
}

/// Parses the text of a `verify.toml`.
pub fn parse(text: &str) -> Result<ModelConfig, ConfigError> {
    let file: File = toml::from_str(text).map_err(|e| ConfigError {
        line: e.span().map(|s| line_of(text, s.start)),
        message: e.message().trim().to_string(),
    })?;
    let m = file.model;
    let key_line = |key: &str| {
        text.lines()
            .position(|l| l.trim_start().starts_with(key))
            .map(|i| i + 1)
    };
    let err = |key: &str, message: String| ConfigError {
        line: key_line(key),
        message,
    };
    if m.split_target().is_none() {
        return Err(err(
            "target",
            format!("target `{}`: expected FILE.py:Class", m.target),
        ));
    }
    if m.inputs.is_empty() {
        return Err(err(
            "inputs",
            "inputs is empty: give at least one spec such as \"x=[2,3,224,224]\"".into(),
        ));
    }
    if m.paper_params().is_some() && ModelConfig::given(&m.paper_params_source).is_none() {
        return Err(err(
            "paper_params",
            "paper_params has no paper_params_source: say where the paper prints it".into(),
        ));
    }
    Ok(m)
}

/// Reads `root/verify.toml`.
pub fn read(root: &Path) -> Result<ModelConfig, ConfigError> {
    let path = root.join(FILE_NAME);
    // A FIFO or device here would block or never end: only a regular file is read.
    let text = crate::tree_guard::read_regular(&path, 1 << 20).map_err(|e| ConfigError {
        line: None,
        message: format!("cannot read: {e}"),
    })?;
    let config = parse(&text)?;
    // The target is handed to Python: it must be a file of the checked tree.
    let (file, _) = config.split_target().expect("checked by parse");
    crate::tree_guard::inside(root, file).map_err(|message| ConfigError {
        line: text
            .lines()
            .position(|l| l.trim_start().starts_with("target"))
            .map(|i| i + 1),
        message: format!("target {message}"),
    })?;
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_config_parses() {
        let m = parse(
            "[model]\ntarget = \"model.py:ResNet50\"\ninputs = [\"x=[2,3,224,224]\"]\n\
             kwargs = {num_classes = 10}\nexpect_output = \"[2,10]\"\npaper_params = \"25.6M\"\n\
             paper_params_source = \"Table 9\"\nexplain_mismatch = \"\"\n",
        )
        .unwrap();
        assert_eq!(m.split_target(), Some(("model.py", "ResNet50")));
        assert_eq!(m.kwargs_json().as_deref(), Some("{\"num_classes\":10}"));
        assert_eq!(m.expect_output(), Some("[2,10]"));
        assert_eq!(m.paper_params(), Some("25.6M"));
        assert_eq!(m.explain_mismatch(), None);
    }

    #[test]
    fn errors_name_the_line() {
        let e = parse(
            "[model]\ntarget = \"model.py:M\"\ninputs = [\"x=[2,3]\"]\npaper_param = \"1M\"\n",
        )
        .unwrap_err();
        assert_eq!(e.line, Some(4), "{e:?}");
        assert!(e.message.contains("paper_param"), "{e:?}");
        let e = parse("[model]\ntarget = \"model.py\"\ninputs = [\"x=[2,3]\"]\n").unwrap_err();
        assert_eq!(e.line, Some(2));
        let e =
            parse("[model]\ntarget = \"m.py:M\"\ninputs = [\"x=[2]\"]\npaper_params = \"1M\"\n")
                .unwrap_err();
        assert_eq!(e.line, Some(4));
        assert!(e.message.contains("paper_params_source"));
        let e = parse("[model]\ntarget = \"m.py:M\"\ninputs = []\n").unwrap_err();
        assert_eq!(e.line, Some(3));
    }
}
