//! The crate's own small Python syntax tree: what model-reading tools need, independent of the parser.
//!
//! Every node keeps its byte [`Span`] in the source; statements also carry their first and last
//! line so that comments can be attached by line range. Constructs the tools never look into are
//! kept as `Other` with their sub-expressions, so visitors still see every call in the file.

/// Byte range `[start, end)` in the source text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: u32, end: u32) -> Self {
        Self { start, end }
    }

    /// The byte range as `usize`, for slicing the source.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// A Python comment, `#` included, with its position (1-based line and column in characters).
#[derive(Clone, Debug, PartialEq)]
pub struct Comment {
    pub span: Span,
    pub line: u32,
    pub col: u32,
    pub text: String,
    /// `true` when nothing but whitespace precedes the comment on its line.
    pub own_line: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mult,
    MatMult,
    Div,
    FloorDiv,
    Mod,
    Pow,
    /// Bitwise and shift operators.
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Neg,
    Pos,
    Not,
    Invert,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub span: Span,
    pub kind: ExprKind,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Keyword {
    /// `None` for `**kwargs`.
    pub name: Option<String>,
    pub value: Expr,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    pub func: Box<Expr>,
    pub args: Vec<Expr>,
    pub keywords: Vec<Keyword>,
}

impl Call {
    /// The keyword argument `name`, if given.
    pub fn keyword(&self, name: &str) -> Option<&Expr> {
        self.keywords
            .iter()
            .find(|k| k.name.as_deref() == Some(name))
            .map(|k| &k.value)
    }

    /// Argument by position `index` or keyword `name`, the way Python binds it.
    pub fn arg(&self, index: usize, name: &str) -> Option<&Expr> {
        self.keyword(name).or_else(|| {
            let positional = self.args.get(index)?;
            // A `*args` before or at `index` makes positions unknowable.
            if self.args[..=index]
                .iter()
                .any(|a| matches!(a.kind, ExprKind::Starred(_)))
            {
                None
            } else {
                Some(positional)
            }
        })
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Name(String),
    Int(i64),
    Float(f64),
    Str(String),
    Bool(bool),
    NoneLit,
    Ellipsis,
    Attribute {
        value: Box<Expr>,
        attr: String,
    },
    Call(Call),
    BinOp {
        op: BinOp,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    UnaryOp {
        op: UnaryOp,
        operand: Box<Expr>,
    },
    Tuple(Vec<Expr>),
    List(Vec<Expr>),
    Subscript {
        value: Box<Expr>,
        index: Box<Expr>,
    },
    Slice {
        lower: Option<Box<Expr>>,
        upper: Option<Box<Expr>>,
        step: Option<Box<Expr>>,
    },
    Starred(Box<Expr>),
    IfExp {
        test: Box<Expr>,
        body: Box<Expr>,
        orelse: Box<Expr>,
    },
    /// Anything else (comparisons, lambdas, comprehensions, f-strings, dicts, ...), with the
    /// sub-expressions it holds.
    Other(Vec<Expr>),
}

impl Expr {
    /// Dotted name of a `Name` / `Attribute` chain: `nn.functional.relu`, `self.conv1`.
    pub fn dotted(&self) -> Option<String> {
        match &self.kind {
            ExprKind::Name(n) => Some(n.clone()),
            ExprKind::Attribute { value, attr } => Some(format!("{}.{attr}", value.dotted()?)),
            _ => None,
        }
    }

    /// The integer value of an integer literal, `-literal` included.
    pub fn as_int(&self) -> Option<i64> {
        match &self.kind {
            ExprKind::Int(v) => Some(*v),
            ExprKind::UnaryOp {
                op: UnaryOp::Neg,
                operand,
            } => operand.as_int().map(|v| -v),
            _ => None,
        }
    }

    /// Direct sub-expressions, in source order.
    pub fn children(&self) -> Vec<&Expr> {
        let mut out = Vec::new();
        match &self.kind {
            ExprKind::Attribute { value, .. } => out.push(&**value),
            ExprKind::Call(call) => {
                out.push(&*call.func);
                out.extend(call.args.iter());
                out.extend(call.keywords.iter().map(|k| &k.value));
            }
            ExprKind::BinOp { left, right, .. } => {
                out.push(&**left);
                out.push(&**right);
            }
            ExprKind::UnaryOp { operand, .. } => out.push(&**operand),
            ExprKind::Tuple(items) | ExprKind::List(items) | ExprKind::Other(items) => {
                out.extend(items.iter())
            }
            ExprKind::Subscript { value, index } => {
                out.push(&**value);
                out.push(&**index);
            }
            ExprKind::Slice { lower, upper, step } => {
                out.extend([lower, upper, step].into_iter().flatten().map(|b| &**b))
            }
            ExprKind::Starred(inner) => out.push(&**inner),
            ExprKind::IfExp { test, body, orelse } => {
                out.push(&**test);
                out.push(&**body);
                out.push(&**orelse);
            }
            _ => {}
        }
        out
    }

    /// Calls `f` on this expression and every sub-expression, outermost first.
    pub fn walk<'a>(&'a self, f: &mut dyn FnMut(&'a Expr)) {
        f(self);
        for child in self.children() {
            child.walk(f);
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamKind {
    PositionalOnly,
    Regular,
    VarArgs,
    KeywordOnly,
    VarKeywords,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub name: String,
    pub kind: ParamKind,
    pub annotation: Option<Expr>,
    pub default: Option<Expr>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FunctionDef {
    pub name: String,
    pub name_span: Span,
    pub params: Vec<Param>,
    /// Span of the parenthesised parameter list, `(` and `)` included.
    pub params_span: Span,
    pub returns: Option<Expr>,
    pub body: Vec<Stmt>,
    pub docstring: Option<String>,
    pub decorators: Vec<Expr>,
    pub is_async: bool,
}

impl FunctionDef {
    /// Body without the docstring statement.
    pub fn code(&self) -> &[Stmt] {
        if self.docstring.is_some() {
            &self.body[1..]
        } else {
            &self.body
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ClassDef {
    pub name: String,
    pub name_span: Span,
    pub bases: Vec<Expr>,
    pub keywords: Vec<Keyword>,
    pub body: Vec<Stmt>,
    pub docstring: Option<String>,
    pub decorators: Vec<Expr>,
}

impl ClassDef {
    /// Functions defined directly in the class body, in source order, with their statements.
    pub fn methods(&self) -> impl Iterator<Item = (&Stmt, &FunctionDef)> {
        self.body.iter().filter_map(|s| match &s.kind {
            StmtKind::FunctionDef(f) => Some((s, &**f)),
            _ => None,
        })
    }

    /// The method Python calls: the LAST `def name` of the class body, since each def rebinds
    /// the name (`@overload` stubs come before the real definition).
    pub fn method(&self, name: &str) -> Option<(&Stmt, &FunctionDef)> {
        self.methods().filter(|(_, f)| f.name == name).last()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    pub span: Span,
    /// First line (1-based) of the statement, decorators excluded.
    pub line: u32,
    /// Line of the statement's header end: the last line of a simple statement, the line of
    /// the `:` that opens the body of a compound one.
    pub header_end_line: u32,
    /// Last line of the statement, bodies included.
    pub end_line: u32,
    pub kind: StmtKind,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ExceptHandler {
    pub type_: Option<Expr>,
    pub name: Option<String>,
    pub body: Vec<Stmt>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StmtKind {
    Assign {
        targets: Vec<Expr>,
        value: Expr,
    },
    AnnAssign {
        target: Expr,
        annotation: Expr,
        value: Option<Expr>,
    },
    AugAssign {
        target: Expr,
        op: BinOp,
        value: Expr,
    },
    Expr(Expr),
    Return(Option<Expr>),
    /// `elif` chains are nested `If`s in `orelse`.
    If {
        test: Expr,
        body: Vec<Stmt>,
        orelse: Vec<Stmt>,
    },
    For {
        target: Expr,
        iter: Expr,
        body: Vec<Stmt>,
        orelse: Vec<Stmt>,
    },
    While {
        test: Expr,
        body: Vec<Stmt>,
        orelse: Vec<Stmt>,
    },
    With {
        items: Vec<(Expr, Option<Expr>)>,
        body: Vec<Stmt>,
    },
    Try {
        body: Vec<Stmt>,
        handlers: Vec<ExceptHandler>,
        orelse: Vec<Stmt>,
        finalbody: Vec<Stmt>,
    },
    FunctionDef(Box<FunctionDef>),
    ClassDef(Box<ClassDef>),
    /// `import a.b as c` gives `("a.b", Some("c"))`.
    Import(Vec<(String, Option<String>)>),
    /// `from ..a import b` gives `module: Some("a")`, `level: 2`.
    ImportFrom {
        module: Option<String>,
        names: Vec<(String, Option<String>)>,
        /// Leading dots of a relative import (0: absolute).
        level: u32,
    },
    Pass,
    /// Anything else (`del`, `raise`, `assert`, `global`, `match`, ...), with its expressions.
    Other(Vec<Expr>),
}

impl Stmt {
    /// Nested statement blocks (bodies of compound statements), in source order.
    pub fn blocks(&self) -> Vec<&[Stmt]> {
        match &self.kind {
            StmtKind::If { body, orelse, .. }
            | StmtKind::For { body, orelse, .. }
            | StmtKind::While { body, orelse, .. } => vec![body, orelse],
            StmtKind::With { body, .. } => vec![body],
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finalbody,
            } => {
                let mut v: Vec<&[Stmt]> = vec![body];
                v.extend(handlers.iter().map(|h| h.body.as_slice()));
                v.push(orelse);
                v.push(finalbody);
                v
            }
            StmtKind::FunctionDef(f) => vec![&f.body],
            StmtKind::ClassDef(c) => vec![&c.body],
            _ => vec![],
        }
    }

    /// Expressions that belong to this statement itself (not to nested blocks).
    pub fn exprs(&self) -> Vec<&Expr> {
        match &self.kind {
            StmtKind::Assign { targets, value } => {
                let mut v: Vec<&Expr> = targets.iter().collect();
                v.push(value);
                v
            }
            StmtKind::AnnAssign {
                target,
                annotation,
                value,
            } => {
                let mut v = vec![target, annotation];
                v.extend(value);
                v
            }
            StmtKind::AugAssign { target, value, .. } => vec![target, value],
            StmtKind::Expr(e) => vec![e],
            StmtKind::Return(e) => e.iter().collect(),
            StmtKind::If { test, .. } | StmtKind::While { test, .. } => vec![test],
            StmtKind::For { target, iter, .. } => vec![target, iter],
            StmtKind::With { items, .. } => items
                .iter()
                .flat_map(|(e, v)| std::iter::once(e).chain(v.iter()))
                .collect(),
            StmtKind::Try { handlers, .. } => {
                handlers.iter().filter_map(|h| h.type_.as_ref()).collect()
            }
            StmtKind::FunctionDef(f) => {
                let mut v: Vec<&Expr> = f.decorators.iter().collect();
                for p in &f.params {
                    v.extend(p.annotation.iter());
                    v.extend(p.default.iter());
                }
                v.extend(f.returns.iter());
                v
            }
            StmtKind::ClassDef(c) => c
                .decorators
                .iter()
                .chain(c.bases.iter())
                .chain(c.keywords.iter().map(|k| &k.value))
                .collect(),
            StmtKind::Other(v) => v.iter().collect(),
            StmtKind::Import(_) | StmtKind::ImportFrom { .. } | StmtKind::Pass => vec![],
        }
    }

    /// Names bound by an assignment statement's targets (tuple targets flattened, attribute and
    /// subscript targets as their dotted text where possible).
    pub fn assigned_names(&self) -> Vec<String> {
        fn collect(e: &Expr, out: &mut Vec<String>) {
            match &e.kind {
                ExprKind::Tuple(items) | ExprKind::List(items) => {
                    items.iter().for_each(|i| collect(i, out))
                }
                ExprKind::Starred(inner) => collect(inner, out),
                _ => out.extend(e.dotted()),
            }
        }
        let mut out = Vec::new();
        match &self.kind {
            StmtKind::Assign { targets, .. } => targets.iter().for_each(|t| collect(t, &mut out)),
            StmtKind::AnnAssign { target, .. } | StmtKind::AugAssign { target, .. } => {
                collect(target, &mut out)
            }
            _ => {}
        }
        out
    }

    /// Calls `f` on this statement and every nested statement, in source order.
    pub fn walk<'a>(&'a self, f: &mut dyn FnMut(&'a Stmt)) {
        f(self);
        for block in self.blocks() {
            for s in block {
                s.walk(f);
            }
        }
    }
}

/// A parsed Python file.
#[derive(Clone, Debug, PartialEq)]
pub struct Module {
    pub body: Vec<Stmt>,
    /// All comments in source order.
    pub comments: Vec<Comment>,
}
