//! Model-level view of a parsed file: classes, layers built in `__init__`, and the statements of
//! `forward` with the shape comments attached to them.

use crate::lines::LineIndex;
use crate::parse::{SyntaxError, parse_module};
use crate::shape_comment::{ShapeComment, ShapeCommentError};
use crate::syntax::*;

/// Why a file could not be read as a model: a syntax error, or nesting over the budget.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error(transparent)]
    Syntax(#[from] SyntaxError),
    #[error(transparent)]
    Nesting(#[from] crate::nesting::NestingError),
}

/// A parsed Python file plus the line index needed to report positions.
#[derive(Clone, Debug)]
pub struct ModelFile {
    source: String,
    lines: LineIndex,
    module: Module,
    /// Where each class statement sits, in source order: the index in the module body, then
    /// (block, statement) pairs down through nested blocks. Built once, so that [`Self::class`]
    /// is a lookup and not a walk of the file (a walk per lookup was quadratic in the classes).
    class_paths: Vec<(usize, Vec<(usize, usize)>)>,
    /// The first class of each name, as an index into `class_paths`.
    class_by_name: std::collections::HashMap<String, usize>,
    /// The first module-level function of each name, as an index into the module body.
    function_by_name: std::collections::HashMap<String, usize>,
}

fn collect_class_paths(
    stmt: &Stmt,
    top: usize,
    path: &mut Vec<(usize, usize)>,
    out: &mut Vec<(usize, Vec<(usize, usize)>)>,
) {
    if matches!(stmt.kind, StmtKind::ClassDef(_)) {
        out.push((top, path.clone()));
    }
    for (b, block) in stmt.blocks().into_iter().enumerate() {
        for (i, s) in block.iter().enumerate() {
            path.push((b, i));
            collect_class_paths(s, top, path, out);
            path.pop();
        }
    }
}

/// `self.<attr> = <ctor>(...)` inside `__init__`.
#[derive(Clone, Debug)]
pub struct Layer<'a> {
    pub attr: String,
    /// Dotted constructor as written: `nn.Conv2d`, `torch.nn.Linear`, `Bottleneck`.
    pub ctor: String,
    pub call: &'a Call,
    pub stmt: &'a Stmt,
}

impl Layer<'_> {
    /// Last segment of the constructor: `Conv2d` for `nn.Conv2d`.
    pub fn ctor_name(&self) -> &str {
        self.ctor.rsplit('.').next().unwrap_or(&self.ctor)
    }
}

/// A comment together with its reading as a shape comment.
#[derive(Clone, Debug)]
pub struct Note<'a> {
    pub comment: &'a Comment,
    /// `None`: not a shape comment; `Some(Err)`: a malformed one.
    pub shape: Option<Result<ShapeComment, ShapeCommentError>>,
}

impl<'a> Note<'a> {
    fn new(comment: &'a Comment) -> Self {
        Self {
            comment,
            shape: ShapeComment::parse(&comment.text),
        }
    }

    /// The parsed shape comment, if this is a well-formed one.
    pub fn shape(&self) -> Option<&ShapeComment> {
        self.shape.as_ref()?.as_ref().ok()
    }
}

/// One statement of a function body (nested blocks flattened in source order).
#[derive(Clone, Debug)]
pub struct Step<'a> {
    pub stmt: &'a Stmt,
    /// 0 for top-level statements of the body, +1 per enclosing compound statement.
    pub depth: usize,
    /// Names bound by the statement (`x`, `q, k, v`, `self.cache`).
    pub targets: Vec<String>,
    /// Comments on the statement's (header) lines after code, then own-line comments directly
    /// below it (no blank line between), up to the next statement.
    pub notes: Vec<Note<'a>>,
}

impl Step<'_> {
    /// The first well-formed shape comment attached to this statement.
    pub fn shape(&self) -> Option<&ShapeComment> {
        self.notes.iter().find_map(|n| n.shape())
    }
}

/// A function body read as a sequence of steps.
#[derive(Clone, Debug)]
pub struct Body<'a> {
    pub func: &'a FunctionDef,
    pub def_stmt: &'a Stmt,
    /// Comments between the `def` line and the first statement (docstring excluded): where the
    /// input shapes are declared.
    pub input: Vec<Note<'a>>,
    pub steps: Vec<Step<'a>>,
}

impl ModelFile {
    /// Parses `source`; the first syntax error is returned as error.
    pub fn parse(source: impl Into<String>) -> Result<Self, ParseError> {
        let source = source.into();
        // Before any tree exists: every pass over it (and its drop) recurses as deep as it is.
        crate::nesting::check_nesting(&source, crate::nesting::max_nesting())?;
        let lines = LineIndex::new(&source);
        let module = parse_module(&source, &lines)?;
        let mut class_paths = Vec::new();
        for (top, stmt) in module.body.iter().enumerate() {
            collect_class_paths(stmt, top, &mut Vec::new(), &mut class_paths);
        }
        let mut file = Self {
            source,
            lines,
            module,
            class_paths,
            class_by_name: std::collections::HashMap::new(),
            function_by_name: std::collections::HashMap::new(),
        };
        for (i, s) in file.module.body.iter().enumerate() {
            if let StmtKind::FunctionDef(f) = &s.kind {
                file.function_by_name.entry(f.name.clone()).or_insert(i);
            }
        }
        let mut by_name = std::collections::HashMap::new();
        for (i, (_, c)) in file.classes().into_iter().enumerate() {
            by_name.entry(c.name.clone()).or_insert(i);
        }
        file.class_by_name = by_name;
        Ok(file)
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    pub fn module(&self) -> &Module {
        &self.module
    }

    pub fn lines(&self) -> &LineIndex {
        &self.lines
    }

    pub fn comments(&self) -> &[Comment] {
        &self.module.comments
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: u32) -> (u32, u32) {
        self.lines.line_col(&self.source, offset)
    }

    /// Source text of a span.
    pub fn text(&self, span: Span) -> &str {
        &self.source[span.range()]
    }

    /// Text of a 1-based line, without line ending.
    pub fn line_text(&self, line: u32) -> &str {
        self.lines.line_text(&self.source, line)
    }

    /// Comments on lines `first..=last`, in source order.
    pub fn comments_in_lines(&self, first: u32, last: u32) -> &[Comment] {
        let c = &self.module.comments;
        let lo = c.partition_point(|x| x.line < first);
        let hi = c.partition_point(|x| x.line <= last);
        &c[lo..hi.max(lo)]
    }

    /// Every class in the file, nested ones included, in source order, with its statement.
    pub fn classes(&self) -> Vec<(&Stmt, &ClassDef)> {
        (0..self.class_paths.len())
            .filter_map(|i| self.class_at(i))
            .collect()
    }

    fn class_at(&self, i: usize) -> Option<(&Stmt, &ClassDef)> {
        let (top, path) = self.class_paths.get(i)?;
        let mut stmt = self.module.body.get(*top)?;
        for &(b, s) in path {
            stmt = stmt.blocks().get(b)?.get(s)?;
        }
        match &stmt.kind {
            StmtKind::ClassDef(c) => Some((stmt, &**c)),
            _ => None,
        }
    }

    /// The first class named `name`.
    pub fn class(&self, name: &str) -> Option<(&Stmt, &ClassDef)> {
        self.class_at(*self.class_by_name.get(name)?)
    }

    /// The first module-level function named `name` (a lookup, not a scan of the module).
    pub fn function(&self, name: &str) -> Option<(&Stmt, &FunctionDef)> {
        let stmt = self.module.body.get(*self.function_by_name.get(name)?)?;
        match &stmt.kind {
            StmtKind::FunctionDef(f) => Some((stmt, &**f)),
            _ => None,
        }
    }

    /// Module-level functions, in source order.
    pub fn functions(&self) -> Vec<(&Stmt, &FunctionDef)> {
        self.module
            .body
            .iter()
            .filter_map(|s| match &s.kind {
                StmtKind::FunctionDef(f) => Some((s, &**f)),
                _ => None,
            })
            .collect()
    }

    /// Layers assigned to `self` in the class's `__init__` (nested blocks included), in order.
    pub fn layers<'a>(&'a self, class: &'a ClassDef) -> Vec<Layer<'a>> {
        let Some((_, init)) = class.method("__init__") else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for s in &init.body {
            s.walk(&mut |s| {
                let (target, value) = match &s.kind {
                    StmtKind::Assign { targets, value } if targets.len() == 1 => {
                        (&targets[0], value)
                    }
                    StmtKind::AnnAssign {
                        target,
                        value: Some(value),
                        ..
                    } => (target, value),
                    _ => return,
                };
                let ExprKind::Attribute { value: obj, attr } = &target.kind else {
                    return;
                };
                if !matches!(&obj.kind, ExprKind::Name(n) if n == "self") {
                    return;
                }
                if let ExprKind::Call(call) = &value.kind
                    && let Some(ctor) = call.func.dotted()
                {
                    out.push(Layer {
                        attr: attr.clone(),
                        ctor,
                        call,
                        stmt: s,
                    });
                }
            });
        }
        out
    }

    /// The class's `forward` read as steps.
    pub fn forward<'a>(&'a self, class: &'a ClassDef) -> Option<Body<'a>> {
        let (stmt, func) = class.method("forward")?;
        Some(self.body(stmt, func))
    }

    /// Any function read as steps, shape comments attached.
    pub fn body<'a>(&'a self, def_stmt: &'a Stmt, func: &'a FunctionDef) -> Body<'a> {
        let mut flat: Vec<(&Stmt, usize)> = Vec::new();
        fn flatten<'s>(stmts: &'s [Stmt], depth: usize, out: &mut Vec<(&'s Stmt, usize)>) {
            for s in stmts {
                out.push((s, depth));
                if !matches!(s.kind, StmtKind::FunctionDef(_) | StmtKind::ClassDef(_)) {
                    for block in s.blocks() {
                        flatten(block, depth + 1, out);
                    }
                }
            }
        }
        flatten(func.code(), 0, &mut flat);
        let first_line = flat.first().map_or(def_stmt.end_line + 1, |(s, _)| s.line);
        let input = self
            .comments_in_lines(def_stmt.line, first_line.saturating_sub(1))
            .iter()
            .map(Note::new)
            .collect();
        let mut steps = Vec::with_capacity(flat.len());
        for (i, (s, depth)) in flat.iter().enumerate() {
            let compound = !s.blocks().is_empty();
            let own_end = if compound {
                s.header_end_line
            } else {
                s.end_line
            };
            let limit = flat
                .get(i + 1)
                .map_or(def_stmt.end_line, |(n, _)| n.line.saturating_sub(1));
            let mut notes: Vec<Note> = self
                .comments_in_lines(s.line, own_end)
                .iter()
                .filter(|c| !c.own_line)
                .map(Note::new)
                .collect();
            let below = self.comments_in_lines(own_end + 1, limit);
            for (expect, c) in (own_end + 1..).zip(below) {
                if !c.own_line || c.line != expect {
                    break;
                }
                notes.push(Note::new(c));
            }
            steps.push(Step {
                stmt: s,
                depth: *depth,
                targets: s.assigned_names(),
                notes,
            });
        }
        Body {
            func,
            def_stmt,
            input,
            steps,
        }
    }
}
