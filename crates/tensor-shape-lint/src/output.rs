//! Renderers: full (code frames), concise, JSON, SARIF 2.1.0 and GitHub annotations, all from
//! the same [`Diagnostic`] values.

use crate::diagnostic::Diagnostic;
use crate::rules::{self, Severity};
use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use std::collections::HashMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// `path:line:col: CODE message` plus a code frame.
    Full,
    /// One line per finding.
    Concise,
    Json,
    Sarif,
    Github,
}

fn level(s: Severity) -> Level<'static> {
    match s {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Info => Level::NOTE,
    }
}

fn concise_line(d: &Diagnostic) -> String {
    let fix = if d.fix.is_some() { " [*]" } else { "" };
    format!(
        "{}:{}:{}: {}{} {}",
        d.path, d.line, d.col, d.code, fix, d.message
    )
}

/// Renders `diags`; `sources` maps paths to file contents for code frames.
pub fn render(diags: &[Diagnostic], format: Format, sources: &HashMap<String, String>) -> String {
    match format {
        Format::Concise => diags.iter().map(|d| concise_line(d) + "\n").collect(),
        Format::Full => {
            let renderer = Renderer::plain();
            let mut out = String::new();
            // One line index per file, not per finding (that was quadratic in big files).
            let mut indexes: HashMap<&str, pymodel::LineIndex> = HashMap::new();
            for d in diags {
                out.push_str(&concise_line(d));
                out.push('\n');
                if let Some(src) = sources.get(&d.path) {
                    let index = indexes
                        .entry(d.path.as_str())
                        .or_insert_with(|| pymodel::LineIndex::new(src));
                    out.push_str(&frame(&renderer, d, src, index));
                    out.push_str("\n\n");
                }
            }
            out
        }
        Format::Json => {
            let v: Vec<serde_json::Value> = diags
                .iter()
                .map(|d| {
                    serde_json::json!({
                        "code": d.code,
                        "rule": d.rule,
                        "severity": d.severity,
                        "message": d.message,
                        "filename": d.path,
                        "location": {"row": d.line, "column": d.col},
                        "end_location": {"row": d.end_line, "column": d.end_col},
                        "notes": d.notes,
                        "fix": d.fix,
                    })
                })
                .collect();
            serde_json::to_string_pretty(&v).expect("json") + "\n"
        }
        Format::Github => diags
            .iter()
            .map(|d| {
                let kind = match d.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                    Severity::Info => "notice",
                };
                let col = if d.line == d.end_line { format!(",col={}", d.col) } else { String::new() };
                format!(
                    "::{kind} title=tensor-shape-lint ({}),file={},line={}{col},endLine={}::{} {}\n",
                    d.code,
                    d.path,
                    d.line,
                    d.end_line,
                    d.code,
                    d.message.replace('%', "%25").replace('\n', "%0A")
                )
            })
            .collect(),
        Format::Sarif => sarif(diags),
    }
}

/// A code frame of the lines the finding covers (at most 6), rendered by annotate-snippets.
fn frame(renderer: &Renderer, d: &Diagnostic, src: &str, index: &pymodel::LineIndex) -> String {
    let last = d.end_line.min(d.line + 5);
    let start = index.line_start(d.line) as usize;
    let end = if (last as usize) < index.len() {
        index.line_start(last + 1) as usize
    } else {
        src.len()
    };
    let snippet_src = src[start..end].trim_end_matches(['\n', '\r']);
    let a = (d.start as usize)
        .saturating_sub(start)
        .min(snippet_src.len());
    let b = (d.end as usize)
        .saturating_sub(start)
        .clamp(a, snippet_src.len());
    // No title: the `path:line:col: CODE message` line above the frame already says it (the
    // title printed every message twice); the severity labels the marked span instead.
    let severity = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    };
    let mut group = Group::with_level(level(d.severity)).element(
        Snippet::source(snippet_src)
            .line_start(d.line as usize)
            .path(d.path.as_str())
            .annotation(AnnotationKind::Primary.span(a..b.max(a)).label(severity)),
    );
    for n in &d.notes {
        group = group.element(Level::NOTE.message(n.as_str()));
    }
    if let Some(fix) = &d.fix {
        group = group.element(Level::HELP.message(fix.title.as_str()));
    }
    renderer.render(&[group]).to_string()
}

fn sarif(diags: &[Diagnostic]) -> String {
    let rules_json: Vec<serde_json::Value> = rules::RULES
        .iter()
        .map(|r| {
            serde_json::json!({
                "id": r.code,
                "name": r.name,
                "shortDescription": {"text": r.summary()},
                "fullDescription": {"text": r.doc_text()},
            })
        })
        .collect();
    let results: Vec<serde_json::Value> = diags
        .iter()
        .map(|d| {
            serde_json::json!({
                "ruleId": d.code,
                "level": match d.severity { Severity::Error => "error", Severity::Warning => "warning", Severity::Info => "note" },
                "message": {"text": d.message},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": d.path},
                    "region": {"startLine": d.line, "startColumn": d.col, "endLine": d.end_line, "endColumn": d.end_col}
                }}]
            })
        })
        .collect();
    let doc = serde_json::json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "tensor-shape-lint", "version": env!("CARGO_PKG_VERSION"), "rules": rules_json}},
            "results": results
        }]
    });
    serde_json::to_string_pretty(&doc).expect("json") + "\n"
}
