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

/// The permutation a layout-changing view applies (new position -> original dim), when it is
/// written with literal indices: `x.transpose(1, 2)`, `x.permute(0, 2, 1, 3)`, `x.T`.
fn permutation(e: &Expr) -> Option<Vec<usize>> {
    match &e.kind {
        ExprKind::Call(c) if matches!(c.func.kind, ExprKind::Attribute { .. }) => {
            let m = method_name(c)?;
            if !LAYOUT_CHANGERS.contains(&m) {
                return None;
            }
            let ints: Option<Vec<i64>> = match c.args.as_slice() {
                [one] => match &one.kind {
                    ExprKind::Tuple(items) | ExprKind::List(items) => {
                        items.iter().map(|i| i.as_int()).collect()
                    }
                    _ => one.as_int().map(|v| vec![v]),
                },
                many => many.iter().map(|i| i.as_int()).collect(),
            };
            let ints = ints?;
            if ints.iter().any(|v| *v < 0) {
                return None;
            }
            let ints: Vec<usize> = ints.into_iter().map(|v| v as usize).collect();
            if m == "permute" {
                return Some(ints);
            }
            let [a, b] = ints[..] else { return None };
            // The smallest rank that has both dims; more leading/trailing dims only add
            // merge-safe pairs on the far side, which we cannot see without shapes.
            let mut p: Vec<usize> = (0..=a.max(b)).collect();
            p.swap(a, b);
            Some(p)
        }
        ExprKind::Attribute { attr, .. } if matches!(attr.as_str(), "T" | "mT") => Some(vec![1, 0]),
        _ => None,
    }
}

/// Whether `view` with `view_rank` sizes must fail after permutation `p`: it merges dims
/// (fewer sizes than dims) and no two neighbouring dims are still adjacent in memory order.
fn view_must_fail(p: &[usize], view_rank: usize) -> bool {
    view_rank < p.len() && p.windows(2).all(|w| w[1] != w[0] + 1)
}

fn check_view_after_transpose(ctx: &mut Ctx, stmts: &[&Stmt]) {
    let mut permuted: HashMap<String, Option<Vec<usize>>> = HashMap::new();
    for s in stmts {
        let mut hits = Vec::new();
        for e in s.exprs() {
            e.walk(&mut |e| {
                if let ExprKind::Call(c) = &e.kind
                    && let ExprKind::Attribute { value, attr } = &c.func.kind
                    && attr == "view"
                    && !c
                        .args
                        .iter()
                        .any(|a| matches!(a.kind, ExprKind::Starred(_)))
                {
                    let view_rank = match c.args.as_slice() {
                        [one] => match &one.kind {
                            ExprKind::Tuple(items) | ExprKind::List(items) => items.len(),
                            _ => 1,
                        },
                        many => many.len(),
                    };
                    let p = match &value.kind {
                        ExprKind::Name(n) => permuted.get(n).cloned().flatten(),
                        _ => permutation(value),
                    };
                    if p.is_some_and(|p| view_must_fail(&p, view_rank)) {
                        hits.push(e.span);
                    }
                }
            });
        }
        for span in hits {
            ctx.report(
                &ViewAfterTranspose::INFO,
                span,
                "`.view` merges dims of a transposed/permuted tensor and fails at run time; use `.contiguous().view(...)` or `.reshape(...)`",
            );
        }
        if let StmtKind::Assign { targets, value } = &s.kind {
            for t in targets {
                if let ExprKind::Name(n) = &t.kind {
                    permuted.insert(n.clone(), permutation(value));
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
