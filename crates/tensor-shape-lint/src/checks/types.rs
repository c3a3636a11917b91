//! TSL2xx: parameters and returns annotated, `Optional` for `None` defaults, tuple returns.

use super::{Ctx, header_span};
use crate::diagnostic::{Edit, Fix};
use crate::rules::*;
use pymodel::{ExprKind, FunctionDef, ParamKind, Stmt, StmtKind};

pub fn check(ctx: &mut Ctx) {
    let file = ctx.file;
    for s in &file.module().body {
        s.walk(&mut |s| {
            if let StmtKind::FunctionDef(f) = &s.kind {
                check_function(ctx, s, f);
            }
        });
    }
}

fn check_function(ctx: &mut Ctx, stmt: &Stmt, f: &FunctionDef) {
    let header = header_span(stmt, f.name_span);
    let missing: Vec<&str> = f
        .params
        .iter()
        .enumerate()
        .filter(|(i, p)| {
            p.annotation.is_none() && !(*i == 0 && matches!(p.name.as_str(), "self" | "cls"))
        })
        .map(|(_, p)| p.name.as_str())
        .collect();
    if !missing.is_empty() {
        ctx.report(
            &MissingParamAnnotation::INFO,
            header,
            format!(
                "`{}`: parameter(s) without type annotation: {}",
                f.name,
                missing.join(", ")
            ),
        );
    }
    match &f.returns {
        None => {
            let d = ctx.report(
                &MissingReturnAnnotation::INFO,
                header,
                format!("`{}` has no return annotation", f.name),
            );
            if f.name == "__init__" {
                d.fix = Some(Fix {
                    title: "add `-> None`".into(),
                    edits: vec![Edit {
                        start: f.params_span.end,
                        end: f.params_span.end,
                        content: " -> None".into(),
                    }],
                });
            }
        }
        Some(ret) => {
            let text = ctx.file.text(ret.span).replace(' ', "");
            let is_tuple = text.starts_with("Tuple[")
                || text.starts_with("tuple[")
                || text.starts_with("typing.Tuple[")
                || text == "tuple"
                || text == "Tuple";
            let loose = matches!(text.as_str(), "Any" | "typing.Any" | "object");
            if !is_tuple && !loose && returns_tuple(&f.body) {
                ctx.report(
                    &TupleReturnAnnotation::INFO,
                    ret.span,
                    format!(
                        "`{}` returns a tuple but is annotated `{}`",
                        f.name,
                        ctx.file.text(ret.span)
                    ),
                );
            }
        }
    }
    for p in &f.params {
        if p.kind == ParamKind::VarArgs || p.kind == ParamKind::VarKeywords {
            continue;
        }
        if let (Some(ann), Some(def)) = (&p.annotation, &p.default)
            && def.kind == ExprKind::NoneLit
        {
            let text = ctx.file.text(ann.span);
            let allows_none = ["Optional", "None", "Any", "object"]
                .iter()
                .any(|w| text.contains(w));
            if !allows_none {
                ctx.report(
                    &ImplicitOptional::INFO,
                    ann.span,
                    format!(
                        "`{}` defaults to `None` but is annotated `{text}`; use `Optional[{text}]`",
                        p.name
                    ),
                );
            }
        }
    }
}

/// Whether a `return a, b` occurs in the body (nested functions excluded).
fn returns_tuple(body: &[Stmt]) -> bool {
    fn visit(stmts: &[Stmt]) -> bool {
        stmts.iter().any(|s| match &s.kind {
            StmtKind::Return(Some(e)) => matches!(e.kind, ExprKind::Tuple(_)),
            StmtKind::FunctionDef(_) | StmtKind::ClassDef(_) => false,
            _ => s.blocks().into_iter().any(visit),
        })
    }
    visit(body)
}
