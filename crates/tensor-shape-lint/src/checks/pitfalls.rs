//! TSL5xx: `.view` after `transpose`/`permute`, TF-style BatchNorm momentum, in-place ops on
//! tensors read later, softmax without `dim`.

use super::{Ctx, module_classes};
use crate::rules::*;
use pymodel::{Call, Expr, ExprKind, Stmt, StmtKind};
use std::collections::HashMap;

const LAYOUT_CHANGERS: [&str; 5] = ["transpose", "permute", "swapaxes", "swapdims", "movedim"];

pub fn check(ctx: &mut Ctx) {
    let file = ctx.file;
    // Every call in the file, for the call-local rules.
    let mut calls: Vec<(&Expr, &Call)> = Vec::new();
    for s in &file.module().body {
        s.walk(&mut |s| {
            for e in s.exprs() {
                e.walk(&mut |e| {
                    if let ExprKind::Call(c) = &e.kind {
                        calls.push((e, c));
                    }
                });
            }
        });
    }
    for (e, c) in &calls {
        check_batchnorm(ctx, e, c);
        check_softmax(ctx, e, c);
    }
    // Functions, for the flow rules.
    let mut functions = Vec::new();
    for s in &file.module().body {
        s.walk(&mut |s| {
            if let StmtKind::FunctionDef(f) = &s.kind {
                functions.push((s, &**f));
            }
        });
    }
    for (s, f) in &functions {
        let body = file.body(s, f);
        let stmts: Vec<&Stmt> = body.steps.iter().map(|st| st.stmt).collect();
        check_view_after_transpose(ctx, &stmts);
    }
    for (_, class) in module_classes(file) {
        let inplace: Vec<String> = file
            .layers(class)
            .iter()
            .filter(|l| {
                matches!(
                    l.call.keyword("inplace").map(|e| &e.kind),
                    Some(ExprKind::Bool(true))
                )
            })
            .map(|l| l.attr.clone())
            .collect();
        if let Some(body) = file.forward(class) {
            let stmts: Vec<&Stmt> = body.steps.iter().map(|st| st.stmt).collect();
            check_inplace(ctx, &stmts, &inplace);
        }
    }
}

fn method_name(c: &Call) -> Option<&str> {
    match &c.func.kind {
        ExprKind::Attribute { attr, .. } => Some(attr),
        ExprKind::Name(n) => Some(n),
        _ => None,
    }
}

fn check_batchnorm(ctx: &mut Ctx, e: &Expr, c: &Call) {
    let Some(name) = method_name(c) else { return };
    if !(name.starts_with("BatchNorm") || name == "SyncBatchNorm") {
        return;
    }
    let momentum = match c.arg(2, "momentum").map(|m| &m.kind) {
        Some(ExprKind::Float(v)) => *v,
        _ => return,
    };
    if momentum >= 0.5 {
        ctx.report(
            &BatchNormTfMomentum::INFO,
            e.span,
            format!(
                "`{name}(momentum={momentum})` looks like a TensorFlow value; PyTorch's momentum is {:.3}",
                1.0 - momentum
            ),
        );
    }
}

fn check_softmax(ctx: &mut Ctx, e: &Expr, c: &Call) {
    let Some(name) = method_name(c) else { return };
    let has_dim = c.keyword("dim").is_some();
    let module_prefix = c
        .func
        .dotted()
        .map(|d| d.rsplit_once('.').map(|(p, _)| p.to_string()));
    let missing = match name {
        "Softmax" | "LogSoftmax" | "Softmin" => !has_dim && c.args.is_empty(),
        "softmax" | "log_softmax" | "softmin" => {
            let functional = matches!(
                module_prefix.flatten().as_deref(),
                Some("F" | "torch" | "nn.functional" | "torch.nn.functional" | "functional")
            ) || matches!(c.func.kind, ExprKind::Name(_));
            if functional {
                !has_dim && c.args.len() < 2
            } else {
                !has_dim && c.args.is_empty()
            }
        }
        _ => false,
    };
    if missing {
        ctx.report(
            &SoftmaxWithoutDim::INFO,
            e.span,
            format!(
                "`{name}` without `dim`: the implicit dimension is deprecated and often the batch"
            ),
        );
    }
}

/// Whether `e` is a layout-changing view (`x.transpose(..)`, `x.permute(..)`, `x.T`, `x.mT`).
fn is_transposed_view(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Call(c) => {
            matches!(method_name(c), Some(m) if LAYOUT_CHANGERS.contains(&m))
                && matches!(c.func.kind, ExprKind::Attribute { .. })
        }
        ExprKind::Attribute { attr, .. } => matches!(attr.as_str(), "T" | "mT" | "mH" | "H"),
        _ => false,
    }
}

fn check_view_after_transpose(ctx: &mut Ctx, stmts: &[&Stmt]) {
    let mut transposed: HashMap<String, bool> = HashMap::new();
    for s in stmts {
        let mut hits = Vec::new();
        for e in s.exprs() {
            e.walk(&mut |e| {
                if let ExprKind::Call(c) = &e.kind
                    && let ExprKind::Attribute { value, attr } = &c.func.kind
                    && attr == "view"
                {
                    let through_var = matches!(&value.kind, ExprKind::Name(n) if transposed.get(n) == Some(&true));
                    if is_transposed_view(value) || through_var {
                        hits.push(e.span);
                    }
                }
            });
        }
        for span in hits {
            ctx.report(
                &ViewAfterTranspose::INFO,
                span,
                "`.view` on a transposed/permuted tensor fails at run time; use `.contiguous().view(...)` or `.reshape(...)`",
            );
        }
        if let StmtKind::Assign { targets, value } = &s.kind {
            for t in targets {
                if let ExprKind::Name(n) = &t.kind {
                    transposed.insert(n.clone(), is_transposed_view(value));
                }
            }
        }
    }
}

/// The variable an in-place operation modifies, if `value` is one.
fn inplace_target<'e>(value: &'e Expr, inplace_layers: &[String]) -> Option<&'e str> {
    let ExprKind::Call(c) = &value.kind else {
        return None;
    };
    let first_name = || match c.args.first().map(|a| &a.kind) {
        Some(ExprKind::Name(n)) => Some(n.as_str()),
        _ => None,
    };
    if let Some(d) = c.func.dotted() {
        if let Some(attr) = d.strip_prefix("self.")
            && inplace_layers.iter().any(|l| l == attr)
        {
            return first_name();
        }
        if matches!(
            c.keyword("inplace").map(|e| &e.kind),
            Some(ExprKind::Bool(true))
        ) {
            return first_name();
        }
    }
    if let ExprKind::Attribute { value: obj, attr } = &c.func.kind
        && attr.ends_with('_')
        && !attr.starts_with('_')
        && let ExprKind::Name(n) = &obj.kind
    {
        return Some(n);
    }
    None
}

fn reads(s: &Stmt, name: &str) -> bool {
    let mut found = false;
    let exprs: Vec<&Expr> = match &s.kind {
        StmtKind::Assign { value, .. } => vec![value],
        StmtKind::AugAssign { target, value, .. } => vec![target, value],
        StmtKind::AnnAssign { value, .. } => value.iter().collect(),
        _ => s.exprs(),
    };
    for e in exprs {
        e.walk(&mut |e| found |= matches!(&e.kind, ExprKind::Name(n) if n == name));
    }
    found
}

fn check_inplace(ctx: &mut Ctx, stmts: &[&Stmt], inplace_layers: &[String]) {
    for (i, s) in stmts.iter().enumerate() {
        let StmtKind::Assign { targets, value } = &s.kind else {
            continue;
        };
        let Some(victim) = inplace_target(value, inplace_layers) else {
            continue;
        };
        if s.assigned_names().iter().any(|t| t == victim) || targets.is_empty() {
            continue;
        }
        for later in &stmts[i + 1..] {
            if reads(later, victim) {
                ctx.report(
                    &InplaceBeforeReuse::INFO,
                    value.span,
                    format!(
                        "in-place operation modifies `{victim}`, which is read again on line {}",
                        later.line
                    ),
                );
                break;
            }
            if later.assigned_names().iter().any(|t| t == victim) {
                break;
            }
        }
    }
}
