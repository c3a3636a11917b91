//! The rule families' checks, each a function over a [`Ctx`].

pub mod comments;
pub mod pitfalls;
pub mod structure;
pub mod types;
pub mod unspecified;

use crate::diagnostic::Diagnostic;
use crate::rules::RuleInfo;
use crate::settings::Settings;
use pymodel::{ClassDef, ExprKind, ModelFile, Span, Stmt, StmtKind};

/// What every check needs: the file, its path for messages, the settings, and the findings.
pub struct Ctx<'a> {
    pub file: &'a ModelFile,
    pub path: &'a str,
    pub settings: &'a Settings,
    pub diags: Vec<Diagnostic>,
    pub stats: crate::Stats,
}

impl<'a> Ctx<'a> {
    pub fn new(file: &'a ModelFile, path: &'a str, settings: &'a Settings) -> Self {
        Self {
            file,
            path,
            settings,
            diags: Vec::new(),
            stats: crate::Stats::default(),
        }
    }

    /// Records a finding over `span`; returns it for notes and fixes.
    pub fn report(
        &mut self,
        rule: &RuleInfo,
        span: Span,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        self.diags.push(Diagnostic::new(
            rule, self.file, self.path, span.start, span.end, message,
        ));
        self.diags.last_mut().expect("just pushed")
    }

    /// Records a finding over a whole line (for comment-level findings).
    pub fn report_line(
        &mut self,
        rule: &RuleInfo,
        line: u32,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        let start = self.file.lines().line_start(line);
        let text = self.file.line_text(line);
        let indent = (text.len() - text.trim_start().len()) as u32;
        let span = Span::new(start + indent, start + text.len() as u32);
        self.report(rule, span, message)
    }
}

/// Span of the `def name` / `class name` header (not the whole body) of a definition.
pub fn header_span(stmt: &Stmt, name_span: Span) -> Span {
    Span::new(
        stmt.span.start.max(name_span.start.saturating_sub(6)),
        name_span.end,
    )
}

fn is_module_base(dotted: &str) -> bool {
    let last = dotted.rsplit('.').next().unwrap_or(dotted);
    matches!(last, "Module" | "Sequential" | "ModuleList" | "ModuleDict")
}

/// Classes that are `nn.Module`s: direct subclasses, or subclasses of such classes in the file.
/// Linear in the classes: a worklist from each module class to the classes naming it as a
/// base (a fixed-point loop over a list was cubic on a file of 3000 classes).
pub fn module_classes(file: &ModelFile) -> Vec<(&Stmt, &ClassDef)> {
    use std::collections::{HashMap, HashSet};
    let classes = file.classes();
    // Base name (last dotted segment) -> the classes that derive from it.
    let mut derived: HashMap<String, Vec<usize>> = HashMap::new();
    let mut work: Vec<usize> = Vec::new();
    for (i, (_, c)) in classes.iter().enumerate() {
        for b in c.bases.iter().filter_map(|b| b.dotted()) {
            if is_module_base(&b) {
                work.push(i);
            }
            let last = b.rsplit('.').next().unwrap_or(&b).to_string();
            derived.entry(last).or_default().push(i);
        }
    }
    let mut names: HashSet<&str> = HashSet::new();
    while let Some(i) = work.pop() {
        let name = classes[i].1.name.as_str();
        if !names.insert(name) {
            continue;
        }
        if let Some(children) = derived.get(name) {
            work.extend(children.iter().copied());
        }
    }
    classes
        .into_iter()
        .filter(|(_, c)| names.contains(c.name.as_str()))
        .collect()
}

/// Module classes not used by another class of the file (as a layer or a base): the models.
pub fn top_level_models(file: &ModelFile) -> Vec<(&Stmt, &ClassDef)> {
    let modules = module_classes(file);
    let mut used: std::collections::HashSet<String> = std::collections::HashSet::new();
    for (_, c) in file.classes() {
        for b in &c.bases {
            used.extend(b.dotted());
        }
        for s in &c.body {
            s.walk(&mut |s| {
                if matches!(s.kind, StmtKind::ClassDef(_)) {
                    return;
                }
                for e in s.exprs() {
                    e.walk(&mut |e| {
                        if let ExprKind::Name(n) = &e.kind
                            && n != &c.name
                        {
                            used.insert(n.clone());
                        }
                    });
                }
            });
        }
    }
    modules
        .into_iter()
        .filter(|(_, c)| !used.contains(&c.name))
        .collect()
}
