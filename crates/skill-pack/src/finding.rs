//! Findings (file, line, rule, message) and the report that collects and prints them.

use crate::rules::{Rule, Severity};
use serde::Serialize;

/// One problem found in one place.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Finding {
    /// Path as shown to the user: the validated argument joined with the path inside it.
    pub file: String,
    /// 1-based line; 0 when the finding concerns the whole file or folder.
    pub line: usize,
    pub rule: Rule,
    pub message: String,
}

#[derive(Serialize)]
struct FindingJson<'a> {
    file: &'a str,
    line: usize,
    code: &'static str,
    severity: Severity,
    message: &'a str,
}

#[derive(Serialize)]
struct ReportJson<'a> {
    errors: usize,
    warnings: usize,
    findings: Vec<FindingJson<'a>>,
}

/// Every finding of one run, kept sorted and free of exact duplicates.
#[derive(Clone, Debug, Default)]
pub struct Report {
    findings: Vec<Finding>,
    /// `validate --strict`: rules with a stricter upload limit count as errors.
    strict: bool,
}

impl Report {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(
        &mut self,
        file: impl Into<String>,
        line: usize,
        rule: Rule,
        message: impl Into<String>,
    ) {
        self.findings.push(Finding {
            file: file.into(),
            line,
            rule,
            message: message.into(),
        });
    }

    /// Judge findings by [`Rule::strict_severity`] from now on (`validate --strict`).
    pub fn set_strict(&mut self, strict: bool) {
        self.strict = strict;
    }

    /// How bad a finding of `rule` is in this report.
    pub fn severity(&self, rule: Rule) -> Severity {
        if self.strict {
            rule.strict_severity()
        } else {
            rule.severity()
        }
    }

    pub fn extend(&mut self, other: Report) {
        self.findings.extend(other.findings);
    }

    /// Findings in a stable order: by file, line, rule code, message.
    pub fn findings(&self) -> Vec<Finding> {
        let mut sorted = self.findings.clone();
        sorted.sort_by(|a, b| {
            (&a.file, a.line, a.rule.code(), &a.message).cmp(&(
                &b.file,
                b.line,
                b.rule.code(),
                &b.message,
            ))
        });
        sorted.dedup();
        sorted
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.findings()
            .iter()
            .filter(|f| self.severity(f.rule) == severity)
            .count()
    }

    pub fn has_errors(&self) -> bool {
        self.count(Severity::Error) > 0
    }

    /// True when some finding carries `rule` (used by tests and by `build`).
    pub fn has(&self, rule: Rule) -> bool {
        self.findings.iter().any(|f| f.rule == rule)
    }

    /// `file:line: CODE severity: message` lines, then a summary line.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for f in self.findings() {
            out.push_str(&format!(
                "{}:{}: {} {}: {}\n",
                f.file,
                f.line,
                f.rule.code(),
                self.severity(f.rule),
                f.message
            ));
        }
        out.push_str(&format!(
            "{} error(s), {} warning(s)\n",
            self.count(Severity::Error),
            self.count(Severity::Warning)
        ));
        out
    }

    /// The same findings as one JSON object (keys in a fixed order, findings sorted).
    pub fn to_json(&self) -> String {
        let findings = self.findings();
        let report = ReportJson {
            errors: self.count(Severity::Error),
            warnings: self.count(Severity::Warning),
            findings: findings
                .iter()
                .map(|f| FindingJson {
                    file: &f.file,
                    line: f.line,
                    code: f.rule.code(),
                    severity: self.severity(f.rule),
                    message: &f.message,
                })
                .collect(),
        };
        let mut text = serde_json::to_string_pretty(&report).expect("report serialises");
        text.push('\n');
        text
    }
}
