//! Findings: position, rule, message, optional notes and fix.

use crate::rules::{RuleInfo, Severity};

/// One text replacement: bytes `start..end` of the file become `content`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Edit {
    pub start: u32,
    pub end: u32,
    pub content: String,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Fix {
    pub title: String,
    pub edits: Vec<Edit>,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    pub code: &'static str,
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
    pub path: String,
    /// 1-based line and column (characters) of the start, and of the end of the range.
    pub line: u32,
    pub col: u32,
    pub end_line: u32,
    pub end_col: u32,
    /// Byte range in the file, for code frames.
    #[serde(skip)]
    pub start: u32,
    #[serde(skip)]
    pub end: u32,
    /// Additional explanations ("inferred from ...", "equal when H is even").
    pub notes: Vec<String>,
    pub fix: Option<Fix>,
    /// The class a model-level finding (TSL104, TSL106) is about; such findings are dropped
    /// when another linted file imports the class (it is a component, not the model).
    #[serde(skip)]
    pub subject: Option<String>,
}

impl Diagnostic {
    /// A finding of `rule` over bytes `start..end` of `file`.
    pub fn new(
        rule: &RuleInfo,
        file: &pymodel::ModelFile,
        path: &str,
        start: u32,
        end: u32,
        message: impl Into<String>,
    ) -> Self {
        let (line, col) = file.line_col(start);
        let (end_line, end_col) = file.line_col(end.max(start));
        Self {
            code: rule.code,
            rule: rule.name,
            severity: rule.severity,
            message: message.into(),
            path: path.to_string(),
            line,
            col,
            end_line,
            end_col,
            start,
            end: end.max(start),
            notes: Vec::new(),
            fix: None,
            subject: None,
        }
    }

    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }

    /// Sort key: file position, then code.
    pub fn sort_key(&self) -> (String, u32, u32, &'static str) {
        (self.path.clone(), self.line, self.col, self.code)
    }
}
