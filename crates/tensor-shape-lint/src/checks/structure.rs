//! TSL1xx: model classes are `nn.Module`s, call `super().__init__()`, stay short, initialise
//! weights explicitly, name their paper; `set_seed` seeds everything.

use super::{Ctx, header_span, module_classes, top_level_models};
use crate::rules::*;
use pymodel::{ExprKind, FunctionDef, Stmt, StmtKind};

pub fn check(ctx: &mut Ctx) {
    let file = ctx.file;
    let modules: Vec<String> = module_classes(file)
        .iter()
        .map(|(_, c)| c.name.clone())
        .collect();
    for (stmt, class) in file.classes() {
        let is_module = modules.contains(&class.name);
        if !is_module && class.method("forward").is_some() && class.bases.is_empty() {
            ctx.report(
                &NotAModule::INFO,
                header_span(stmt, class.name_span),
                format!(
                    "class `{}` defines `forward` but does not inherit from `nn.Module`",
                    class.name
                ),
            );
        }
        if !is_module {
            continue;
        }
        if let Some((init_stmt, init)) = class.method("__init__")
            && !calls_super_init(init)
        {
            ctx.report(
                &MissingSuperInit::INFO,
                header_span(init_stmt, init.name_span),
                format!(
                    "`{}.__init__` does not call `super().__init__()`",
                    class.name
                ),
            );
        }
        if let Some((fwd_stmt, _)) = class.method("forward") {
            let (_, fwd) = class.method("forward").expect("checked");
            let count = file.body(fwd_stmt, fwd).steps.len();
            if count > ctx.settings.max_forward_statements {
                ctx.report(
                    &ForwardTooLong::INFO,
                    header_span(fwd_stmt, fwd.name_span),
                    format!(
                        "`{}.forward` has {count} statements (limit {}); move blocks into sub-module classes",
                        class.name, ctx.settings.max_forward_statements
                    ),
                );
            }
        }
    }
    // Component files (`modules/bottleneck.py`) hold blocks of a model defined elsewhere.
    let component_dir = std::path::Path::new(ctx.path)
        .parent()
        .and_then(|d| d.file_name())
        .and_then(|d| d.to_str())
        .is_some_and(|d| matches!(d, "modules" | "layers" | "blocks" | "components"));
    let first = ctx.diags.len();
    for (stmt, class) in top_level_models(file) {
        if component_dir {
            break;
        }
        match class.method("_init_weights") {
            // A class that owns no weights has nothing to initialise (the U-Net dogfood run got
            // this finding on a cross-entropy module, transformer-base on its label-smoothed one).
            None if is_weightless_loss(class) => {}
            None => {
                ctx.report(
                    &MissingInitWeights::INFO,
                    header_span(stmt, class.name_span),
                    format!("model class `{}` has no `_init_weights` method", class.name),
                );
            }
            Some(_) if !references_attr(&class.body, "_init_weights") => {
                ctx.report(
                    &MissingInitWeights::INFO,
                    header_span(stmt, class.name_span),
                    format!("`{}._init_weights` is defined but never called (e.g. `self.apply(self._init_weights)`)", class.name),
                );
            }
            Some(_) => {}
        }
        if !names_a_paper(class.docstring.as_deref().unwrap_or("")) {
            // A loss module is no model: the MobileNetV2 dogfood read "model class" for its loss
            // as a finding about the wrong class.
            let kind = if is_weightless_loss(class) {
                "loss"
            } else {
                "model"
            };
            ctx.report(
                &MissingPaperDocstring::INFO,
                header_span(stmt, class.name_span),
                format!("docstring of {kind} class `{}` does not name the paper (authors, year or arXiv id)", class.name),
            );
        }
    }
    // The model-level findings name their class, for the cross-file filter.
    let models: Vec<(u32, String)> = top_level_models(file)
        .iter()
        .map(|(st, c)| (header_span(st, c.name_span).start, c.name.clone()))
        .collect();
    for d in &mut ctx.diags[first..] {
        d.subject = models
            .iter()
            .find(|(start, _)| *start == d.start)
            .map(|(_, n)| n.clone());
    }
    for s in &file.module().body {
        s.walk(&mut |s| {
            if let StmtKind::FunctionDef(f) = &s.kind
                && f.name == "set_seed"
            {
                check_set_seed(ctx, s, f);
            }
        });
    }
}

fn calls_super_init(init: &FunctionDef) -> bool {
    let mut found = false;
    for s in &init.body {
        s.walk(&mut |s| {
            for e in s.exprs() {
                e.walk(&mut |e| {
                    if let ExprKind::Call(c) = &e.kind
                        && let ExprKind::Attribute { value, attr } = &c.func.kind
                        && attr == "__init__"
                    {
                        // `super().__init__()`, `super(X, self).__init__()`, `Base.__init__(self)`.
                        found |= match &value.kind {
                            ExprKind::Call(inner) => {
                                inner.func.dotted().as_deref() == Some("super")
                            }
                            ExprKind::Name(_) | ExprKind::Attribute { .. } => true,
                            _ => false,
                        };
                    }
                });
            }
        });
    }
    found
}

/// A class that owns no weights: no `nn.Parameter` and no layer that holds weights (a `Linear`,
/// a `Conv…`, an `Embedding`…). A loss (`YoloLoss(nn.Module)`, a subclass of `_Loss`) may build
/// anything else; any other class may build only layers known to be weightless (activations,
/// dropout, pooling, losses), since a sub-module of a kind we cannot see may hold weights.
fn is_weightless_loss(class: &pymodel::ClassDef) -> bool {
    let named_loss = class.name.ends_with("Loss")
        || class
            .bases
            .iter()
            .filter_map(|b| b.dotted())
            .any(|b| b.ends_with("Loss"));
    let mut weights = false;
    let mut unknown = false;
    for s in &class.body {
        s.walk(&mut |s| {
            for e in s.exprs() {
                e.walk(&mut |e| {
                    if let ExprKind::Call(c) = &e.kind
                        && let Some(name) = c.func.dotted()
                    {
                        let last = name.rsplit('.').next().unwrap_or("");
                        if holds_weights(last) {
                            weights = true;
                        } else if !named_loss
                            && last.starts_with(|c: char| c.is_ascii_uppercase())
                            && !known_weightless(last)
                        {
                            unknown = true;
                        }
                    }
                });
            }
        });
    }
    !weights && !unknown
}

fn holds_weights(layer: &str) -> bool {
    layer == "Parameter"
        || layer.starts_with("Conv")
        || matches!(
            layer,
            "Linear"
                | "Bilinear"
                | "Embedding"
                | "LayerNorm"
                | "BatchNorm1d"
                | "BatchNorm2d"
                | "GroupNorm"
        )
}

/// Layers and values with no weights of their own, and exceptions raised in a check.
fn known_weightless(name: &str) -> bool {
    ["Loss", "Error", "Exception", "Warning"]
        .iter()
        .any(|s| name.ends_with(s))
        || [
            "Dropout",
            "MaxPool",
            "AvgPool",
            "AdaptiveAvgPool",
            "AdaptiveMaxPool",
            "Upsample",
        ]
        .iter()
        .any(|p| name.starts_with(p))
        || matches!(
            name,
            "ReLU"
                | "ReLU6"
                | "LeakyReLU"
                | "GELU"
                | "SiLU"
                | "Mish"
                | "Hardswish"
                | "Sigmoid"
                | "Tanh"
                | "Softmax"
                | "LogSoftmax"
                | "Identity"
                | "Flatten"
                | "Unflatten"
        )
}

fn references_attr(body: &[Stmt], attr_name: &str) -> bool {
    let mut found = false;
    for s in body {
        s.walk(&mut |s| {
            if let StmtKind::FunctionDef(f) = &s.kind
                && f.name == attr_name
            {
                return;
            }
            for e in s.exprs() {
                e.walk(&mut |e| {
                    if let ExprKind::Attribute { attr, .. } = &e.kind {
                        found |= attr == attr_name;
                    }
                });
            }
        });
    }
    found
}

/// Heuristic: authors ("et al"), an arXiv id, a year (19xx/20xx) or the word "paper".
fn names_a_paper(doc: &str) -> bool {
    let lower = doc.to_ascii_lowercase();
    if ["et al", "arxiv", "paper"]
        .iter()
        .any(|w| lower.contains(w))
    {
        return true;
    }
    let bytes = doc.as_bytes();
    bytes.windows(4).enumerate().any(|(i, w)| {
        w.iter().all(u8::is_ascii_digit)
            && (w.starts_with(b"19") || w.starts_with(b"20"))
            && !bytes.get(i + 4).is_some_and(u8::is_ascii_digit)
            && !(i > 0 && bytes[i - 1].is_ascii_digit())
    })
}

fn check_set_seed(ctx: &mut Ctx, stmt: &Stmt, f: &FunctionDef) {
    let mut calls: Vec<String> = Vec::new();
    let mut assigned: Vec<(String, Option<bool>)> = Vec::new();
    for s in &f.body {
        s.walk(&mut |s| {
            if let StmtKind::Assign { targets, value } = &s.kind {
                let v = match value.kind {
                    ExprKind::Bool(b) => Some(b),
                    _ => None,
                };
                assigned.extend(targets.iter().filter_map(|t| t.dotted()).map(|t| (t, v)));
            }
            for e in s.exprs() {
                e.walk(&mut |e| {
                    if let ExprKind::Call(c) = &e.kind {
                        calls.extend(c.func.dotted());
                    }
                });
            }
        });
    }
    let called = |names: &[&str]| {
        calls.iter().any(|c| {
            names
                .iter()
                .any(|n| c == n || c.ends_with(&format!(".{n}")))
        })
    };
    let mut missing = Vec::new();
    if !called(&["random.seed"]) {
        missing.push("random.seed(seed)");
    }
    if !called(&["np.random.seed", "numpy.random.seed"]) {
        missing.push("np.random.seed(seed)");
    }
    if !called(&["torch.manual_seed"]) {
        missing.push("torch.manual_seed(seed)");
    }
    if !called(&["torch.cuda.manual_seed_all", "torch.cuda.manual_seed"]) {
        missing.push("torch.cuda.manual_seed_all(seed)");
    }
    let set = |name: &str, want: bool| {
        assigned
            .iter()
            .any(|(t, v)| t.ends_with(name) && *v == Some(want))
    };
    if !set("cudnn.deterministic", true) {
        missing.push("torch.backends.cudnn.deterministic = True");
    }
    if !set("cudnn.benchmark", false) {
        missing.push("torch.backends.cudnn.benchmark = False");
    }
    if !missing.is_empty() {
        ctx.report(
            &IncompleteSetSeed::INFO,
            header_span(stmt, f.name_span),
            format!("`set_seed` is missing: {}", missing.join(", ")),
        );
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn paper_heuristic() {
        assert!(super::names_a_paper("ResNet (He et al., 2016)"));
        assert!(super::names_a_paper("See arXiv:1512.03385"));
        assert!(super::names_a_paper("ViT, ICLR 2021"));
        assert!(!super::names_a_paper("A residual network with 12345 units"));
        assert!(!super::names_a_paper(""));
    }
}
