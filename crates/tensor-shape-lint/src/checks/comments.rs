//! TSL3xx: shape comments present, well-formed, naming the assigned variable, using known symbols.

use super::{Ctx, header_span, module_classes};
use crate::rules::*;
use pymodel::{BinOp, ClassDef, Expr, ExprKind, ModelFile, StmtKind};
use std::collections::HashSet;

/// Symbols every file may use without declaring them.
pub const STANDARD_SYMBOLS: &[&str] = &[
    "B", "C", "H", "W", "T", "D", "N", "E", "K", "L", "S", "G", "P", "M", "F", "V", "R",
];

fn is_standard(sym: &str) -> bool {
    let base_len = sym
        .find(|c: char| c == '_' || c.is_ascii_digit())
        .unwrap_or(sym.len());
    STANDARD_SYMBOLS.contains(&&sym[..base_len])
}

/// Symbols declared by `# symbols: A, B = description` comments anywhere in the file.
pub fn declared_symbols(file: &ModelFile) -> Vec<String> {
    declared_meanings(file)
        .into_iter()
        .map(|(n, _)| n)
        .collect()
}

/// `(symbol, meaning)` of every item of the file's `# symbols:` comments, in file order:
/// `# symbols: P = patch size (16), h` gives `("P", "patch size (16)")` and `("h", "")`.
pub fn declared_meanings(file: &ModelFile) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for c in file.comments() {
        let body = c.text.trim_start_matches('#').trim();
        let lower = body.to_ascii_lowercase();
        let rest = if lower.starts_with("symbols:") {
            &body["symbols:".len()..]
        } else if lower.starts_with("shape symbols:") {
            &body["shape symbols:".len()..]
        } else {
            continue;
        };
        for part in pymodel::shape_comment::split_top_level(rest) {
            let (name, meaning) = part.split_once('=').unwrap_or((part, ""));
            let name = name.trim();
            if !name.is_empty() {
                out.push((name.to_string(), meaning.trim().to_string()));
            }
        }
    }
    out
}

/// Whether the value of an assignment is (probably) a tensor rather than a size or a constant.
pub fn produces_tensor(e: &Expr) -> bool {
    const SCALAR_BUILTINS: &[&str] = &[
        "len",
        "int",
        "float",
        "range",
        "list",
        "tuple",
        "dict",
        "str",
        "bool",
        "isinstance",
        "getattr",
        "hasattr",
        "max",
        "min",
        "abs",
        "round",
        "sum",
        "zip",
        "enumerate",
        "print",
        "super",
        "type",
        "math.sqrt",
        "math.log",
        "math.ceil",
        "math.floor",
    ];
    const SCALAR_METHODS: &[&str] = &[
        "size",
        "dim",
        "numel",
        "item",
        "tolist",
        "ndimension",
        "get",
        "items",
        "keys",
        "values",
        "format",
        "join",
        "split",
        "pop",
        "append",
    ];
    match &e.kind {
        ExprKind::Call(c) => match &c.func.kind {
            ExprKind::Name(n) => !SCALAR_BUILTINS.contains(&n.as_str()),
            ExprKind::Attribute { attr, .. } => {
                let dotted = c.func.dotted().unwrap_or_default();
                !SCALAR_METHODS.contains(&attr.as_str())
                    && !SCALAR_BUILTINS.contains(&dotted.as_str())
            }
            _ => true,
        },
        ExprKind::BinOp { op, left, right } => {
            *op == BinOp::MatMult || produces_tensor(left) || produces_tensor(right)
        }
        ExprKind::UnaryOp { operand, .. } => produces_tensor(operand),
        ExprKind::Subscript { value, .. } => match &value.kind {
            ExprKind::Name(_) => true,
            ExprKind::Attribute { attr, .. } => !matches!(attr.as_str(), "shape"),
            _ => produces_tensor(value),
        },
        ExprKind::Attribute { attr, .. } => matches!(attr.as_str(), "T" | "mT"),
        ExprKind::IfExp { body, orelse, .. } => produces_tensor(body) || produces_tensor(orelse),
        ExprKind::Tuple(items) => items.iter().any(produces_tensor),
        _ => false,
    }
}

/// Names from the code of `class` a shape comment may use as symbols (with [`module_names`]).
fn code_names(class: &ClassDef) -> HashSet<String> {
    let mut out: HashSet<String> = HashSet::new();
    for (_, f) in class.methods() {
        out.extend(f.params.iter().map(|p| p.name.clone()));
        for s in &f.body {
            s.walk(&mut |s| {
                for n in s.assigned_names() {
                    out.insert(n.strip_prefix("self.").unwrap_or(&n).to_string());
                }
                if let StmtKind::For { target, .. } = &s.kind {
                    out.extend(target.dotted());
                }
            });
        }
    }
    out
}

/// Names assigned at module level: computed once per file, not once per class (that made the
/// linter quadratic in the classes of a file).
fn module_names(file: &ModelFile) -> HashSet<String> {
    file.module()
        .body
        .iter()
        .flat_map(|s| s.assigned_names())
        .collect()
}

pub fn check(ctx: &mut Ctx) {
    let file = ctx.file;
    let any_shape_comment = file
        .comments()
        .iter()
        .any(|c| pymodel::ShapeComment::parse(&c.text).is_some());
    let mut declared = declared_symbols(file);
    declared.extend(ctx.settings.symbols.iter().cloned());
    let mut reported_file_level = false;
    let module_level = module_names(file);
    for (_, class) in module_classes(file) {
        let Some(body) = file.forward(class) else {
            continue;
        };
        if !any_shape_comment {
            if !reported_file_level {
                reported_file_level = true;
                ctx.report(
                    &MissingShapeComment::INFO,
                    header_span(body.def_stmt, body.func.name_span),
                    "this file has no shape comments; add `# x: [B, C, H, W] <- ...` after each operation (or run `tensor-shape-lint annotate`)",
                );
            }
            continue;
        }
        let allowed_code = code_names(class);
        let allowed = |sym: &str| {
            is_standard(sym)
                || declared.iter().any(|d| d == sym)
                || allowed_code.contains(sym)
                || module_level.contains(sym)
        };
        let tensor_inputs = body.func.params.iter().skip(1).count();
        if tensor_inputs > 0 && !body.input.iter().any(|n| n.shape().is_some()) {
            ctx.report(
                &MissingInputShape::INFO,
                header_span(body.def_stmt, body.func.name_span),
                format!(
                    "`{}.forward` does not declare its input shape (e.g. `# {}: [B, C, H, W]` as its first line)",
                    class.name,
                    body.func.params.get(1).map_or("x", |p| p.name.as_str())
                ),
            );
        }
        let all_notes = body
            .input
            .iter()
            .chain(body.steps.iter().flat_map(|s| s.notes.iter()));
        for note in all_notes {
            match &note.shape {
                Some(Err(e)) => {
                    ctx.report(
                        &MalformedShapeComment::INFO,
                        note.comment.span,
                        format!("malformed shape comment: {e}"),
                    );
                }
                Some(Ok(sc)) => {
                    let mut unknown: Vec<String> = sc
                        .dims
                        .iter()
                        .flat_map(|d| d.symbols())
                        .filter(|s| !allowed(s))
                        .collect();
                    unknown.dedup();
                    if !unknown.is_empty() {
                        ctx.report(
                            &UnknownShapeSymbol::INFO,
                            note.comment.span,
                            format!(
                                "unknown shape symbol(s) {}; declare them with `# symbols: {}`",
                                unknown
                                    .iter()
                                    .map(|s| format!("`{s}`"))
                                    .collect::<Vec<_>>()
                                    .join(", "),
                                unknown.join(", ")
                            ),
                        );
                    }
                }
                None => {}
            }
        }
        for step in &body.steps {
            let value = match &step.stmt.kind {
                StmtKind::Assign { value, .. } | StmtKind::AugAssign { value, .. } => value,
                StmtKind::AnnAssign {
                    value: Some(value), ..
                } => value,
                _ => continue,
            };
            let plain: Vec<&String> = step.targets.iter().filter(|t| !t.contains('.')).collect();
            if plain.is_empty() {
                continue;
            }
            match step.shape() {
                None if produces_tensor(value) && !step.notes.iter().any(|n| n.shape.is_some()) => {
                    ctx.report(
                        &MissingShapeComment::INFO,
                        step.stmt.span,
                        format!(
                            "no shape comment after this statement (`# {}: [...] <- ...`)",
                            plain
                                .iter()
                                .map(|s| s.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    );
                }
                Some(sc) if !sc.names.iter().any(|n| step.targets.contains(n)) => {
                    let note = step
                        .notes
                        .iter()
                        .find(|n| n.shape().is_some())
                        .expect("has shape");
                    ctx.report(
                        &ShapeCommentName::INFO,
                        note.comment.span,
                        format!(
                            "shape comment names `{}` but the statement assigns `{}`",
                            sc.names.join(", "),
                            step.targets.join(", ")
                        ),
                    );
                }
                _ => {}
            }
        }
    }
}
