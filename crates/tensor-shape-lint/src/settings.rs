//! Rule selection: defaults, `[tool.tensor-shape-lint]` in `pyproject.toml`, command-line flags.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// The `[tool.tensor-shape-lint]` table.
#[derive(Clone, Debug, Default, PartialEq, serde::Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ConfigSection {
    pub select: Option<Vec<String>>,
    pub ignore: Option<Vec<String>>,
    pub extend_select: Option<Vec<String>>,
    /// Extra shape-comment symbols allowed in every file.
    pub symbols: Option<Vec<String>>,
    pub max_forward_statements: Option<usize>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub symbols: Vec<String>,
    pub max_forward_statements: usize,
    /// Show info-level inference gaps (TSL690).
    pub verbose: bool,
    /// `--at`: the input sizes the model is validated at (the paper's), each `(as given, the
    /// map of input name to sizes)`. A shape comment whose short form differs from the exact
    /// one at such a size is TSL601 there, not a TSL602 note.
    pub at: Vec<(String, HashMap<String, Vec<pymodel::DimExpr>>)>,
    /// With `at`: classes another linted file imports. They are components, whose input is
    /// not the model's even when it has the same name, so `at` is not applied to them.
    pub at_components: HashSet<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            select: vec!["TSL".into()],
            ignore: Vec::new(),
            symbols: Vec::new(),
            max_forward_statements: 60,
            verbose: false,
            at: Vec::new(),
            at_components: HashSet::new(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: invalid [tool.tensor-shape-lint]: {message}")]
    Invalid { path: PathBuf, message: String },
}

impl Settings {
    /// Whether a rule code is enabled: the longest matching prefix among select/ignore wins
    /// (ignore wins a tie), as in ruff.
    pub fn enabled(&self, code: &str) -> bool {
        let longest = |list: &[String]| {
            list.iter()
                .filter(|p| code.starts_with(p.as_str()))
                .map(|p| p.len())
                .max()
        };
        match (longest(&self.select), longest(&self.ignore)) {
            (Some(s), Some(i)) => s > i,
            (Some(_), None) => true,
            _ => false,
        }
    }

    /// Applies a configuration section.
    pub fn apply(&mut self, section: &ConfigSection) {
        if let Some(s) = &section.select {
            self.select = s.clone();
        }
        if let Some(s) = &section.extend_select {
            self.select.extend(s.iter().cloned());
        }
        if let Some(i) = &section.ignore {
            self.ignore.extend(i.iter().cloned());
        }
        if let Some(s) = &section.symbols {
            self.symbols.extend(s.iter().cloned());
        }
        if let Some(m) = section.max_forward_statements {
            self.max_forward_statements = m;
        }
    }
}

/// Reads `[tool.tensor-shape-lint]` from a `pyproject.toml`; `Ok(None)` if it has no such table.
pub fn read_pyproject(path: &Path) -> Result<Option<ConfigSection>, ConfigError> {
    // A FIFO or a huge file named pyproject.toml is refused, not read.
    let text =
        cli_guard::read_text_limited(path, cli_guard::DEFAULT_MAX_FILE_BYTES).map_err(|e| {
            ConfigError::Read {
                path: path.to_path_buf(),
                source: e.into(),
            }
        })?;
    let invalid = |message: String| ConfigError::Invalid {
        path: path.to_path_buf(),
        message,
    };
    let value: toml::Table = toml::from_str(&text).map_err(|e| invalid(e.message().to_string()))?;
    let Some(section) = value
        .get("tool")
        .and_then(|t| t.get("tensor-shape-lint"))
        .cloned()
    else {
        return Ok(None);
    };
    section
        .try_into()
        .map(Some)
        .map_err(|e: toml::de::Error| invalid(e.message().to_string()))
}

/// The nearest `pyproject.toml` with a `[tool.tensor-shape-lint]` table, from `start` upwards.
pub fn find_config(start: &Path) -> Result<Option<(PathBuf, ConfigSection)>, ConfigError> {
    let start = std::path::absolute(start).unwrap_or_else(|_| start.to_path_buf());
    let mut dir = if start.is_dir() {
        Some(start.as_path())
    } else {
        start.parent()
    };
    while let Some(d) = dir {
        let candidate = d.join("pyproject.toml");
        if candidate.is_file()
            && let Some(section) = read_pyproject(&candidate)?
        {
            return Ok(Some((candidate, section)));
        }
        dir = d.parent();
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_prefix_wins() {
        let mut s = Settings::default();
        assert!(s.enabled("TSL301"));
        s.ignore = vec!["TSL3".into()];
        assert!(!s.enabled("TSL301"));
        s.select.push("TSL303".into());
        assert!(s.enabled("TSL303"));
        assert!(!s.enabled("TSL302"));
        assert!(s.enabled("TSL601"));
    }
}
