//! The one module that talks to the Python parser (`ruff_python_parser`, pinned): source text in,
//! the crate's own [`syntax`](crate::syntax) tree and comment list out.
//!
//! Swapping the parser (e.g. for tree-sitter-python) means rewriting this file only.

use ruff_python_ast as ast;
use ruff_python_ast::token::TokenKind;
use ruff_text_size::{Ranged, TextRange};

use crate::lines::LineIndex;
use crate::syntax::*;

/// A syntax error with its 1-based position.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("syntax error at {line}:{col}: {message}")]
pub struct SyntaxError {
    pub line: u32,
    pub col: u32,
    pub message: String,
}

/// Parses `source` as a Python module. The first syntax error, if any, is returned as error.
pub fn parse_module(source: &str, lines: &LineIndex) -> Result<Module, SyntaxError> {
    let parsed = ruff_python_parser::parse_module(source).map_err(|e| {
        let (line, col) = lines.line_col(source, e.location.start().to_u32());
        SyntaxError {
            line,
            col,
            message: e.error.to_string(),
        }
    })?;
    let conv = Converter { source, lines };
    let comments = parsed
        .tokens()
        .iter()
        .filter(|t| t.kind() == TokenKind::Comment)
        .map(|t| conv.comment(t.range()))
        .collect();
    let body = conv.stmts(&parsed.syntax().body);
    Ok(Module { body, comments })
}

struct Converter<'a> {
    source: &'a str,
    lines: &'a LineIndex,
}

fn span(r: TextRange) -> Span {
    Span::new(r.start().to_u32(), r.end().to_u32())
}

fn docstring(body: &[ast::Stmt]) -> Option<String> {
    match body.first()? {
        ast::Stmt::Expr(e) => match &*e.value {
            ast::Expr::StringLiteral(s) => Some(s.value.to_str().to_string()),
            _ => None,
        },
        _ => None,
    }
}

fn binop(op: ast::Operator) -> BinOp {
    match op {
        ast::Operator::Add => BinOp::Add,
        ast::Operator::Sub => BinOp::Sub,
        ast::Operator::Mult => BinOp::Mult,
        ast::Operator::MatMult => BinOp::MatMult,
        ast::Operator::Div => BinOp::Div,
        ast::Operator::FloorDiv => BinOp::FloorDiv,
        ast::Operator::Mod => BinOp::Mod,
        ast::Operator::Pow => BinOp::Pow,
        _ => BinOp::Other,
    }
}

impl Converter<'_> {
    fn line(&self, offset: u32) -> u32 {
        self.lines.line_of(offset)
    }

    fn comment(&self, r: TextRange) -> Comment {
        let start = r.start().to_u32();
        let (line, col) = self.lines.line_col(self.source, start);
        let line_start = self.lines.line_start(line) as usize;
        let own_line = self.source[line_start..start as usize].trim().is_empty();
        Comment {
            span: span(r),
            line,
            col,
            text: self.source[r.start().to_usize()..r.end().to_usize()].to_string(),
            own_line,
        }
    }

    fn stmts(&self, body: &[ast::Stmt]) -> Vec<Stmt> {
        body.iter().map(|s| self.stmt(s)).collect()
    }

    fn exprs(&self, items: &[ast::Expr]) -> Vec<Expr> {
        items.iter().map(|e| self.expr(e)).collect()
    }

    fn opt(&self, e: Option<&ast::Expr>) -> Option<Expr> {
        e.map(|e| self.expr(e))
    }

    fn boxed(&self, e: Option<&ast::Expr>) -> Option<Box<Expr>> {
        e.map(|e| Box::new(self.expr(e)))
    }

    fn keywords(&self, kws: &[ast::Keyword]) -> Vec<Keyword> {
        kws.iter()
            .map(|k| Keyword {
                name: k.arg.as_ref().map(|a| a.as_str().to_string()),
                value: self.expr(&k.value),
            })
            .collect()
    }

    fn aliases(names: &[ast::Alias]) -> Vec<(String, Option<String>)> {
        names
            .iter()
            .map(|a| {
                (
                    a.name.as_str().to_string(),
                    a.asname.as_ref().map(|n| n.as_str().to_string()),
                )
            })
            .collect()
    }

    fn stmt(&self, s: &ast::Stmt) -> Stmt {
        let r = s.range();
        let mut header_end = r.end();
        let kind = match s {
            ast::Stmt::Assign(a) => StmtKind::Assign {
                targets: self.exprs(&a.targets),
                value: self.expr(&a.value),
            },
            ast::Stmt::AnnAssign(a) => StmtKind::AnnAssign {
                target: self.expr(&a.target),
                annotation: self.expr(&a.annotation),
                value: self.opt(a.value.as_deref()),
            },
            ast::Stmt::AugAssign(a) => StmtKind::AugAssign {
                target: self.expr(&a.target),
                op: binop(a.op),
                value: self.expr(&a.value),
            },
            ast::Stmt::Expr(e) => StmtKind::Expr(self.expr(&e.value)),
            ast::Stmt::Return(ret) => StmtKind::Return(self.opt(ret.value.as_deref())),
            ast::Stmt::If(i) => {
                header_end = i.test.range().end();
                // Fold `elif`/`else` clauses into nested ifs, innermost last.
                let mut orelse: Vec<Stmt> = Vec::new();
                for clause in i.elif_else_clauses.iter().rev() {
                    let body = self.stmts(&clause.body);
                    orelse = match &clause.test {
                        None => body,
                        Some(test) => {
                            let cr = clause.range();
                            vec![Stmt {
                                span: span(cr),
                                line: self.line(cr.start().to_u32()),
                                header_end_line: self.line(test.range().end().to_u32()),
                                end_line: self.line(cr.end().to_u32().saturating_sub(1)),
                                kind: StmtKind::If {
                                    test: self.expr(test),
                                    body,
                                    orelse,
                                },
                            }]
                        }
                    };
                }
                StmtKind::If {
                    test: self.expr(&i.test),
                    body: self.stmts(&i.body),
                    orelse,
                }
            }
            ast::Stmt::For(f) => {
                header_end = f.iter.range().end();
                StmtKind::For {
                    target: self.expr(&f.target),
                    iter: self.expr(&f.iter),
                    body: self.stmts(&f.body),
                    orelse: self.stmts(&f.orelse),
                }
            }
            ast::Stmt::While(w) => {
                header_end = w.test.range().end();
                StmtKind::While {
                    test: self.expr(&w.test),
                    body: self.stmts(&w.body),
                    orelse: self.stmts(&w.orelse),
                }
            }
            ast::Stmt::With(w) => {
                header_end = w.items.last().map_or(r.start(), |i| i.range().end());
                StmtKind::With {
                    items: w
                        .items
                        .iter()
                        .map(|i| {
                            (
                                self.expr(&i.context_expr),
                                self.opt(i.optional_vars.as_deref()),
                            )
                        })
                        .collect(),
                    body: self.stmts(&w.body),
                }
            }
            ast::Stmt::Try(t) => {
                header_end = r.start();
                StmtKind::Try {
                    body: self.stmts(&t.body),
                    handlers: t
                        .handlers
                        .iter()
                        .map(|h| {
                            let ast::ExceptHandler::ExceptHandler(h) = h;
                            ExceptHandler {
                                type_: self.opt(h.type_.as_deref()),
                                name: h.name.as_ref().map(|n| n.as_str().to_string()),
                                body: self.stmts(&h.body),
                            }
                        })
                        .collect(),
                    orelse: self.stmts(&t.orelse),
                    finalbody: self.stmts(&t.finalbody),
                }
            }
            ast::Stmt::FunctionDef(f) => {
                header_end = f
                    .returns
                    .as_ref()
                    .map_or(f.parameters.range().end(), |r| r.range().end());
                StmtKind::FunctionDef(Box::new(self.function(f)))
            }
            ast::Stmt::ClassDef(c) => {
                header_end = c
                    .arguments
                    .as_ref()
                    .map_or(c.name.range().end(), |a| a.range().end());
                StmtKind::ClassDef(Box::new(self.class(c)))
            }
            ast::Stmt::Import(i) => StmtKind::Import(Self::aliases(&i.names)),
            ast::Stmt::ImportFrom(i) => StmtKind::ImportFrom {
                module: i.module.as_ref().map(|m| m.as_str().to_string()),
                names: Self::aliases(&i.names),
                level: i.level,
            },
            ast::Stmt::Pass(_) => StmtKind::Pass,
            ast::Stmt::Delete(d) => StmtKind::Other(self.exprs(&d.targets)),
            ast::Stmt::Raise(rs) => StmtKind::Other(
                [rs.exc.as_deref(), rs.cause.as_deref()]
                    .into_iter()
                    .flatten()
                    .map(|e| self.expr(e))
                    .collect(),
            ),
            ast::Stmt::Assert(a) => StmtKind::Other(
                std::iter::once(&*a.test)
                    .chain(a.msg.as_deref())
                    .map(|e| self.expr(e))
                    .collect(),
            ),
            ast::Stmt::Match(m) => {
                header_end = m.subject.range().end();
                StmtKind::Other(vec![self.expr(&m.subject)])
            }
            ast::Stmt::TypeAlias(t) => StmtKind::Other(vec![self.expr(&t.value)]),
            _ => StmtKind::Other(vec![]),
        };
        // Decorated definitions start at the `def`/`class` line for comment attachment.
        let start = match s {
            ast::Stmt::FunctionDef(f) => f
                .decorator_list
                .last()
                .map_or(r.start(), |_| f.name.range().start()),
            ast::Stmt::ClassDef(c) => c
                .decorator_list
                .last()
                .map_or(r.start(), |_| c.name.range().start()),
            _ => r.start(),
        };
        Stmt {
            span: span(r),
            line: self.line(start.to_u32()),
            header_end_line: self.line(header_end.to_u32().max(start.to_u32())),
            end_line: self.line(r.end().to_u32().saturating_sub(1).max(r.start().to_u32())),
            kind,
        }
    }

    fn params(&self, p: &ast::Parameters) -> Vec<Param> {
        let with_default = |pw: &ast::ParameterWithDefault, kind: ParamKind| Param {
            name: pw.parameter.name.as_str().to_string(),
            kind,
            annotation: self.opt(pw.parameter.annotation.as_deref()),
            default: self.opt(pw.default.as_deref()),
            span: span(pw.range()),
        };
        let variadic = |pv: &ast::Parameter, kind: ParamKind| Param {
            name: pv.name.as_str().to_string(),
            kind,
            annotation: self.opt(pv.annotation.as_deref()),
            default: None,
            span: span(pv.range()),
        };
        let mut out: Vec<Param> = p
            .posonlyargs
            .iter()
            .map(|a| with_default(a, ParamKind::PositionalOnly))
            .collect();
        out.extend(p.args.iter().map(|a| with_default(a, ParamKind::Regular)));
        out.extend(p.vararg.as_deref().map(|a| variadic(a, ParamKind::VarArgs)));
        out.extend(
            p.kwonlyargs
                .iter()
                .map(|a| with_default(a, ParamKind::KeywordOnly)),
        );
        out.extend(
            p.kwarg
                .as_deref()
                .map(|a| variadic(a, ParamKind::VarKeywords)),
        );
        out
    }

    fn function(&self, f: &ast::StmtFunctionDef) -> FunctionDef {
        FunctionDef {
            name: f.name.as_str().to_string(),
            name_span: span(f.name.range()),
            params: self.params(&f.parameters),
            params_span: span(f.parameters.range()),
            returns: self.opt(f.returns.as_deref()),
            body: self.stmts(&f.body),
            docstring: docstring(&f.body),
            decorators: f
                .decorator_list
                .iter()
                .map(|d| self.expr(&d.expression))
                .collect(),
            is_async: f.is_async,
        }
    }

    fn class(&self, c: &ast::StmtClassDef) -> ClassDef {
        let (bases, keywords) = match c.arguments.as_deref() {
            Some(a) => (self.exprs(&a.args), self.keywords(&a.keywords)),
            None => (vec![], vec![]),
        };
        ClassDef {
            name: c.name.as_str().to_string(),
            name_span: span(c.name.range()),
            bases,
            keywords,
            body: self.stmts(&c.body),
            docstring: docstring(&c.body),
            decorators: c
                .decorator_list
                .iter()
                .map(|d| self.expr(&d.expression))
                .collect(),
        }
    }

    fn expr(&self, e: &ast::Expr) -> Expr {
        use ast::Expr as E;
        let kind = match e {
            E::Name(n) => ExprKind::Name(n.id.as_str().to_string()),
            E::NumberLiteral(n) => match &n.value {
                ast::Number::Int(i) => match i.as_i64() {
                    Some(v) => ExprKind::Int(v),
                    None => ExprKind::Other(vec![]),
                },
                ast::Number::Float(f) => ExprKind::Float(*f),
                ast::Number::Complex { .. } => ExprKind::Other(vec![]),
            },
            E::StringLiteral(s) => ExprKind::Str(s.value.to_str().to_string()),
            E::BooleanLiteral(b) => ExprKind::Bool(b.value),
            E::NoneLiteral(_) => ExprKind::NoneLit,
            E::EllipsisLiteral(_) => ExprKind::Ellipsis,
            E::Attribute(a) => ExprKind::Attribute {
                value: Box::new(self.expr(&a.value)),
                attr: a.attr.as_str().to_string(),
            },
            E::Call(c) => ExprKind::Call(Call {
                func: Box::new(self.expr(&c.func)),
                args: self.exprs(&c.arguments.args),
                keywords: self.keywords(&c.arguments.keywords),
            }),
            E::BinOp(b) => ExprKind::BinOp {
                op: binop(b.op),
                left: Box::new(self.expr(&b.left)),
                right: Box::new(self.expr(&b.right)),
            },
            E::UnaryOp(u) => ExprKind::UnaryOp {
                op: match u.op {
                    ast::UnaryOp::USub => UnaryOp::Neg,
                    ast::UnaryOp::UAdd => UnaryOp::Pos,
                    ast::UnaryOp::Not => UnaryOp::Not,
                    ast::UnaryOp::Invert => UnaryOp::Invert,
                },
                operand: Box::new(self.expr(&u.operand)),
            },
            E::Tuple(t) => ExprKind::Tuple(self.exprs(&t.elts)),
            E::List(l) => ExprKind::List(self.exprs(&l.elts)),
            E::Subscript(s) => ExprKind::Subscript {
                value: Box::new(self.expr(&s.value)),
                index: Box::new(self.expr(&s.slice)),
            },
            E::Slice(s) => ExprKind::Slice {
                lower: self.boxed(s.lower.as_deref()),
                upper: self.boxed(s.upper.as_deref()),
                step: self.boxed(s.step.as_deref()),
            },
            E::Starred(s) => ExprKind::Starred(Box::new(self.expr(&s.value))),
            E::If(i) => ExprKind::IfExp {
                test: Box::new(self.expr(&i.test)),
                body: Box::new(self.expr(&i.body)),
                orelse: Box::new(self.expr(&i.orelse)),
            },
            E::BoolOp(b) => ExprKind::Other(self.exprs(&b.values)),
            E::Compare(c) => {
                let mut v = vec![self.expr(&c.left)];
                v.extend(self.exprs(&c.comparators));
                ExprKind::Other(v)
            }
            E::Named(n) => ExprKind::Other(vec![self.expr(&n.value)]),
            E::Lambda(l) => ExprKind::Other(vec![self.expr(&l.body)]),
            E::Await(a) => ExprKind::Other(vec![self.expr(&a.value)]),
            E::Set(s) => ExprKind::Other(self.exprs(&s.elts)),
            E::Dict(d) => ExprKind::Other(
                d.items
                    .iter()
                    .flat_map(|i| i.key.iter().chain(std::iter::once(&i.value)))
                    .map(|e| self.expr(e))
                    .collect(),
            ),
            E::ListComp(c) => ExprKind::Other(self.comprehension(&c.elt, &c.generators)),
            E::SetComp(c) => ExprKind::Other(self.comprehension(&c.elt, &c.generators)),
            E::Generator(c) => ExprKind::Other(self.comprehension(&c.elt, &c.generators)),
            E::DictComp(c) => ExprKind::Other(self.comprehension(&c.value, &c.generators)),
            _ => ExprKind::Other(vec![]),
        };
        Expr {
            span: span(e.range()),
            kind,
        }
    }

    fn comprehension(&self, elt: &ast::Expr, generators: &[ast::Comprehension]) -> Vec<Expr> {
        let mut v = vec![self.expr(elt)];
        for g in generators {
            v.push(self.expr(&g.iter));
            v.extend(self.exprs(&g.ifs));
        }
        v
    }
}
