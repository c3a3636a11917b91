//! TSL6xx and the `infer`/`annotate` commands: static shape inference checked against comments.
//!
//! For every `nn.Module` class with a `forward`, `__init__` is evaluated with the constructor's
//! defaults (parameters without default become symbols named after them), the input comment of
//! `forward` gives the input shapes, and the interpreter walks `forward`. After each statement
//! the [`Checker`] compares the annotated shape with the inferred one (see [`sym::agree`]),
//! checks the `<- Layer(...)` description, and continues from the annotated shape wherever
//! inference is unknown or disagrees, so that one wrong comment yields one finding.

pub mod imports;
pub mod interp;
pub mod layers;
pub mod sites;
pub mod sym;
pub mod timm;
pub mod value;

use crate::checks::{Ctx, module_classes};
use crate::rules::*;
use imports::{Resolver, Scope};
use interp::{Interp, Observer, Record};
use pymodel::{
    ClassDef, DimExpr, ModelFile, ShapeComment, Span, Step, Stmt, StmtKind, format_shape,
};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use sym::{Agreement, agree, pretty};
use value::{LayerCfg, Val};

/// One finding of the checker, before it becomes a diagnostic.
#[derive(Clone, Debug)]
pub struct Finding {
    pub rule: &'static RuleInfo,
    pub span: Span,
    pub message: String,
    pub notes: Vec<String>,
}

/// What `infer` prints: the value of each assigned name after each statement.
#[derive(Clone, Debug)]
pub struct Inferred<'f> {
    pub stmt: &'f Stmt,
    pub name: String,
    pub value: Val,
    pub layer: Option<LayerCfg>,
    pub gap: Option<String>,
    /// The line of the shape comment this value was computed from, where inference could not
    /// follow a statement before it and continued from what its comment says (`infer` must
    /// not present a comment's claim as inferred).
    pub assumed: Option<u32>,
}

struct Checker<'f, 'c> {
    file: &'f ModelFile,
    steps: HashMap<u32, &'c Step<'f>>,
    unified: HashMap<String, DimExpr>,
    known: HashSet<String>,
    /// Constructor parameters of the checked class: symbols no comparison may assume a value
    /// for until something binds them.
    params: HashSet<String>,
    findings: Vec<Finding>,
    inferred: Vec<Inferred<'f>>,
    /// Variables whose value continues from a shape comment (not inferred), with its line.
    assumed: HashMap<String, u32>,
    /// Set by `compare`: the value it returned takes dimensions from the comment.
    from_comment: bool,
    /// The line of the comment the statement being compared continues from (its value is
    /// that comment's claim carried through the code, not inferred from the input).
    carried: Option<u32>,
    /// TSL602 is noted once per forward, on the first comment that needs the assumption: the
    /// index of that finding, and the lines of the later comments that need it too (named in
    /// its notes, so that no line that is wrong at an odd size goes unnamed).
    divisibility_noted: Option<usize>,
    divisibility_lines: BTreeSet<u32>,
    /// The largest divisor those later comments need (`H//16` needs H divisible by 16).
    divisibility_max: i64,
    /// Shape comments compared, by comment position. A comment inside a loop is decided only
    /// if every visit decided it (the worst verdict of its visits stands).
    verdicts: BTreeMap<u32, Verdict>,
    /// `--at`: the sizes the model is validated at, `(as given, the input symbols' values)`.
    /// A short form that differs from the exact one at one of them is wrong where the model
    /// runs, so it is TSL601 there instead of a TSL602 note.
    at: Vec<(String, sym::Binding)>,
}

/// What comparing one shape comment established.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Verdict {
    /// Every dim compared with an inferred size.
    Decided,
    /// Nothing contradicted, but a dim only fixed a constructor argument nothing had bound
    /// (`[B, 64, H, W]` against `[B, out_channels, H, W]`): that dim is taken as given, not
    /// checked. The argument names, for `--verbose`.
    Binding(String),
    /// Inference could not tell; the reason.
    Undecided(String),
}

impl<'f> Checker<'f, '_> {
    fn substitute(&self, d: &DimExpr) -> DimExpr {
        // Bindings chain (`D = dim`, then `dim = 192`): substitute until nothing changes.
        let mut cur = d.clone();
        for _ in 0..8 {
            let next = cur.substitute(&|s| self.unified.get(s).cloned());
            if next == cur {
                break;
            }
            cur = next;
        }
        cur
    }

    /// What the compared value is, for messages: inferred from the input, or the claim of an
    /// earlier comment carried through the code where inference could not follow.
    fn source_words(&self) -> String {
        match self.carried {
            Some(line) => format!("the comment of line {line}, carried through the code, gives"),
            None => "inferred".to_string(),
        }
    }

    /// Compares a comment with a value; returns the value to continue with.
    fn compare(
        &mut self,
        stmt: &Stmt,
        comment_span: Span,
        sc: &ShapeComment,
        name: &str,
        v: &Val,
    ) -> Val {
        let annotated = |c: &Self| Val::tensor(sc.dims.iter().map(|d| c.substitute(d)).collect());
        let substituted;
        let v = match v {
            Val::Tensor(Some(dims)) => {
                substituted = Val::Tensor(Some(
                    dims.iter()
                        .map(|d| d.as_ref().map(|d| sym::simplify(&self.substitute(d))))
                        .collect(),
                ));
                &substituted
            }
            other => other,
        };
        self.from_comment = false;
        let Val::Tensor(Some(dims)) = v else {
            self.verdict(
                comment_span,
                Verdict::Undecided(format!("`{name}`: shape not inferred")),
            );
            self.from_comment = true;
            let a = annotated(self);
            return a;
        };
        if dims.len() != sc.dims.len() {
            self.verdict(comment_span, Verdict::Decided);
            self.findings.push(Finding {
                rule: &ShapeMismatch::INFO,
                span: comment_span,
                message: format!(
                    "`{name}`: comment says {} ({}-D) but {} {} ({}-D)",
                    sc.shape_text(),
                    sc.dims.len(),
                    self.source_words(),
                    v.describe(),
                    dims.len()
                ),
                notes: vec![format!("inferred for the statement on line {}", stmt.line)],
            });
            return v.clone();
        }
        let mut different = Vec::new();
        let mut divisible = Vec::new();
        // Dims equal to the exact size only at some sizes that no divisibility describes
        // (`H//4` after a k=11, s=4, p=2 convolution: 56 at 224, where the layers give 55).
        let mut some_sizes: Vec<(usize, DimExpr, DimExpr)> = Vec::new();
        let mut out = Vec::new();
        let mut undecided: Vec<String> = Vec::new();
        // Constructor arguments this comment fixed (not checked: taken from the comment).
        let mut bound: Vec<String> = Vec::new();
        for (i, (c, inf)) in sc.dims.iter().zip(dims).enumerate() {
            let Some(inf) = inf else {
                undecided.push(format!("dim {} not inferred", i + 1));
                out.push(Some(self.substitute(c)));
                continue;
            };
            if let DimExpr::Sym(s) = c
                && !self.known.contains(s)
                && !self.unified.contains_key(s)
            {
                // `width` against the inferred `width` says nothing of its value: binding it
                // to itself marked it bound, and a later `2*width` against `4*width` was then
                // "not comparable" instead of a contradiction (SENet dogfood).
                if *inf != DimExpr::Sym(s.clone()) {
                    self.unified.insert(s.clone(), inf.clone());
                }
                out.push(Some(inf.clone()));
                continue;
            }
            let cs = self.substitute(c);
            // A constructor parameter met bare takes the comment's size, the first time:
            // `[B, 128, H, W]` against `[B, mid_ch, H, W]` binds `mid_ch = 128`, so a later
            // comment that contradicts this one is caught, and no default decides it.
            if sym::simplify(&cs) == sym::simplify(inf) {
                out.push(Some(inf.clone()));
                continue;
            }
            let mut free: Vec<String> = inf
                .symbols()
                .into_iter()
                .chain(cs.symbols())
                .filter(|s| self.params.contains(s) && !self.unified.contains_key(s))
                .collect();
            free.sort();
            free.dedup();
            if let [p] = free.as_slice() {
                let diff = sym::simplify(&sym::sub(inf.clone(), cs.clone()));
                match sym::solve_for(&diff, p, &sym::int(0)) {
                    // `3*dim` against `4*dim` holds only for `dim = 0`: no size is 0, so the two
                    // differ whatever the class is built with (it was bound to 0 and printed as
                    // `[B, 0, H, W]` two lines later).
                    Some(Ok(DimExpr::Int(n))) if n <= 0 => {
                        different.push(i);
                        out.push(Some(cs));
                        continue;
                    }
                    Some(Ok(v)) => {
                        bound.push(format!("{p} = {}", pretty(&v)));
                        self.unified.insert(p.clone(), v);
                        out.push(Some(cs));
                        continue;
                    }
                    // `3*dim` can never be 577: wrong whatever the class is built with.
                    Some(Err(())) => {
                        different.push(i);
                        out.push(Some(cs));
                        continue;
                    }
                    None => {}
                }
            }
            if !free.is_empty() {
                // Equal (or equal for even sizes) whatever the free arguments are: decided
                // (`2*(in_channels//2)` against `in_channels` after a concatenation of halves).
                let known = &self.known;
                match agree(&cs, inf, &|s| {
                    known.contains(s) || free.iter().any(|f| f == s)
                }) {
                    Agreement::Equal => {
                        out.push(Some(inf.clone()));
                        continue;
                    }
                    Agreement::WhenDivisible => {
                        divisible.push((i, cs.clone(), inf.clone()));
                        out.push(Some(inf.clone()));
                        continue;
                    }
                    _ => {}
                }
                // Depends on a constructor argument nothing has fixed: undecided.
                undecided.push(format!(
                    "dim {} depends on constructor argument `{}` that nothing binds",
                    i + 1,
                    free.join("`, `")
                ));
                out.push(Some(cs));
                continue;
            }
            let known = &self.known;
            match agree(&cs, inf, &|s| known.contains(s)) {
                Agreement::Equal => out.push(Some(inf.clone())),
                Agreement::WhenDivisible => {
                    divisible.push((i, cs.clone(), inf.clone()));
                    out.push(Some(inf.clone()));
                }
                // The code, not the wrong comment, decides what the next lines receive:
                // continuing with the comment would flag the true comment after it.
                Agreement::Different => {
                    different.push(i);
                    out.push(Some(inf.clone()));
                }
                // Shown: a note with the exact form and a size where they differ (TSL602), not
                // an "undecided" seen only with --verbose (AlexNet dogfood: H//4 ... H//32,
                // each one more than the real 55, 27, 13, 6 at 224, gave "0 findings").
                // The code decides what the next lines receive, as for a wrong comment.
                Agreement::ForSomeSizes => match sym::differs_at(&cs, inf) {
                    Some(_) => {
                        some_sizes.push((i, cs.clone(), inf.clone()));
                        out.push(Some(inf.clone()));
                    }
                    None => {
                        undecided.push(format!(
                            "dim {}: `{cs}` equals `{}` only for some input sizes",
                            i + 1,
                            pretty(inf)
                        ));
                        out.push(Some(cs))
                    }
                },
                Agreement::Unknown => {
                    undecided.push(format!(
                        "dim {}: `{cs}` and `{}` not comparable",
                        i + 1,
                        pretty(inf)
                    ));
                    out.push(Some(cs))
                }
            }
        }
        self.from_comment = !undecided.is_empty();
        let verdict = if !different.is_empty() {
            Verdict::Decided
        } else if !undecided.is_empty() {
            Verdict::Undecided(format!("`{name}`: {}", undecided.join("; ")))
        } else if !bound.is_empty() {
            Verdict::Binding(bound.join(", "))
        } else {
            Verdict::Decided
        };
        self.verdict(comment_span, verdict);
        // In the comment's own symbols: an input symbol tied to a constructor parameter
        // (`C = dim` from `Conv2d(dim, ...)`) is printed as the comment wrote it.
        let back: HashMap<String, DimExpr> = self
            .unified
            .iter()
            .filter(|(k, _)| self.known.contains(*k))
            .filter_map(|(k, v)| match v {
                DimExpr::Sym(p) => Some((p.clone(), DimExpr::Sym(k.clone()))),
                _ => None,
            })
            .collect();
        let inferred_text = format_shape(
            &dims
                .iter()
                .map(|d| {
                    d.as_ref().map_or(DimExpr::Sym("?".into()), |d| {
                        pretty(&sym::simplify(&d.substitute(&|s| back.get(s).cloned())))
                    })
                })
                .collect::<Vec<_>>(),
        );
        if !different.is_empty() {
            let which: Vec<String> = different.iter().map(|i| format!("dim {}", i + 1)).collect();
            self.findings.push(Finding {
                rule: &ShapeMismatch::INFO,
                span: comment_span,
                message: format!(
                    "`{name}`: comment says {} but {} {inferred_text} ({} differ){}",
                    sc.shape_text(),
                    self.source_words(),
                    which.join(", "),
                    if self.carried.is_some() {
                        ": one of the two comments is wrong"
                    } else {
                        ""
                    }
                ),
                notes: vec![match self.carried {
                    Some(line) => format!(
                        "exact shape carried from the comment of line {line}: {}",
                        v.describe()
                    ),
                    None => format!("exact inferred shape: {}", v.describe()),
                }],
            });
        } else if let Some(finding) = self.wrong_at(name, sc, &divisible, &some_sizes) {
            if !self.findings.iter().any(|f| f.span == comment_span) {
                self.findings.push(Finding {
                    span: comment_span,
                    ..finding
                });
            }
        } else if !some_sizes.is_empty() {
            if !self.findings.iter().any(|f| f.span == comment_span) {
                let mut finding = some_sizes_note(name, sc, &some_sizes, v);
                finding.span = comment_span;
                self.findings.push(finding);
            }
        } else if !divisible.is_empty() {
            match self.divisibility_noted {
                // A loop visits the noted comment again: it is not "another" line.
                Some(i) if self.findings[i].span.start != comment_span.start => {
                    let line = self.file.lines().line_of(comment_span.start);
                    self.divisibility_lines.insert(line);
                    for (_, c, inf) in &divisible {
                        if let Some((m, ..)) = sym::divisor_needed(c, inf) {
                            self.divisibility_max = self.divisibility_max.max(m);
                        }
                    }
                }
                Some(_) => {}
                None => {
                    self.divisibility_noted = Some(self.findings.len());
                    let mut finding = divisibility_note(name, sc, &divisible, v);
                    finding.span = comment_span;
                    self.findings.push(finding);
                }
            }
        }
        Val::Tensor(Some(out))
    }

    /// TSL601 for the `divisible` and `some_sizes` dims (index, comment, inferred) of a comment
    /// whose two forms differ at an `--at` size: the size, the comment's value and the layers'.
    /// `None` where they agree at every `--at` size, or cannot be evaluated there (a symbol the
    /// sizes do not bind): the TSL602 note then stands.
    fn wrong_at(
        &self,
        name: &str,
        sc: &ShapeComment,
        divisible: &[(usize, DimExpr, DimExpr)],
        some_sizes: &[(usize, DimExpr, DimExpr)],
    ) -> Option<Finding> {
        let dims: Vec<&(usize, DimExpr, DimExpr)> = divisible.iter().chain(some_sizes).collect();
        // The first size where a dim differs, with every dim that differs there.
        let (given, wrong, exact) = self.at.iter().find_map(|(given, b)| {
            let look = |s: &str| b.get(s).copied();
            let mut wrong: Vec<String> = Vec::new();
            let mut exact: Vec<String> = Vec::new();
            for (i, c, inf) in &dims {
                let (Ok(says), Ok(real)) = (c.eval(&look), inf.eval(&look)) else {
                    continue;
                };
                if says == real {
                    continue;
                }
                let mut syms = c.symbols();
                syms.extend(inf.symbols());
                syms.sort();
                syms.dedup();
                let at: Vec<String> = syms
                    .iter()
                    .filter_map(|s| b.get(s).map(|v| format!("{s} = {v}")))
                    .collect();
                wrong.push(format!(
                    "at {} the layers give {real}, the comment {says}",
                    at.join(", ")
                ));
                exact.push(format!("{} is exactly {inf}", sc.dims[*i]));
            }
            (!wrong.is_empty()).then_some((given, wrong, exact))
        })?;
        Some(Finding {
            rule: &ShapeMismatch::INFO,
            span: Span::new(0, 0), // set by the caller's comment span
            message: format!(
                "`{name}`: comment says {}, wrong at --at {given}, the size the model is validated at: {}",
                sc.shape_text(),
                wrong.join("; ")
            ),
            notes: vec![format!(
                "{}: write the exact form (`annotate --at` writes the short one only where it holds at every --at size)",
                exact.join(", ")
            )],
        })
    }

    fn verdict(&mut self, span: Span, v: Verdict) {
        let e = self.verdicts.entry(span.start).or_insert(Verdict::Decided);
        if v > *e {
            *e = v;
        }
    }

    fn check_description(&mut self, span: Span, sc: &ShapeComment, cfg: &LayerCfg) {
        let Some(dc) = sc.description_call() else {
            return;
        };
        let name = dc.name.rsplit('.').next().unwrap_or(&dc.name);
        if layers::signature(name).is_none() && name != cfg.ctor {
            return;
        }
        if name != cfg.ctor {
            self.findings.push(Finding {
                rule: &DescriptionMismatch::INFO,
                span,
                message: format!("description says `{name}` but the layer is `{}`", cfg.ctor),
                notes: vec![format!("constructed as `{}`", cfg.text)],
            });
            return;
        }
        let sig = layers::signature(name).unwrap_or(&[]);
        let mut wrong = Vec::new();
        let mut check = |key: &str, text: &str, param: &str| {
            let Ok(d) = DimExpr::parse(text) else { return };
            let d = self.substitute(&d);
            let Ok(said) = d.eval(&|_| None) else { return };
            let actual: Vec<i64> = match cfg.get(param) {
                Val::Int(Some(a)) => a.eval(&|_| None).ok().into_iter().collect(),
                Val::Tuple(items) => items.iter().filter_map(layers::int_arg).collect(),
                Val::NoneV if param == "stride" => match cfg.get("kernel_size") {
                    Val::Int(Some(a)) => a.eval(&|_| None).ok().into_iter().collect(),
                    _ => vec![],
                },
                _ => vec![],
            };
            if !actual.is_empty() && actual.iter().any(|a| *a != said) {
                let shown = if actual.len() == 1 {
                    actual[0].to_string()
                } else {
                    format!("{actual:?}")
                };
                wrong.push(format!("{key}={said} but the layer has {param}={shown}"));
            }
        };
        for (i, a) in dc.args.iter().enumerate() {
            if let Some((param, _)) = sig.get(i) {
                check(param, a, param);
            }
        }
        for (k, v) in &dc.kwargs {
            check(k, v, layers::short_key(k));
        }
        if !wrong.is_empty() {
            self.findings.push(Finding {
                rule: &DescriptionMismatch::INFO,
                span,
                message: format!(
                    "description disagrees with the constructor: {}",
                    wrong.join("; ")
                ),
                notes: vec![format!("constructed as `{}`", cfg.text)],
            });
        }
    }
}

impl<'f> Observer<'f> for Checker<'f, '_> {
    fn after(
        &mut self,
        record: Record<'f>,
        env: &mut HashMap<String, Val>,
        attrs: &mut HashMap<String, Val>,
    ) {
        let bound_before = self.unified.len();
        self.after_stmt(record, env);
        // A constructor parameter a comment or a layer just bound (`width = 16`) holds in the
        // layers built with it too: `Block(width)` then adds 16-channel tensors, not `width`.
        if self.unified.len() != bound_before {
            for v in attrs.values_mut() {
                v.map_dims(&|d| sym::simplify(&self.substitute(d)));
            }
        }
    }
}

impl<'f> Checker<'f, '_> {
    fn after_stmt(&mut self, record: Record<'f>, env: &mut HashMap<String, Val>) {
        let stmt = record.stmt;
        // A value computed from a variable that continues from a comment continues from it too.
        let mut from: Option<u32> = None;
        let read: Vec<&pymodel::Expr> = match &stmt.kind {
            StmtKind::Assign { value, .. } => vec![value],
            StmtKind::AnnAssign { value, .. } => value.iter().collect(),
            StmtKind::AugAssign { target, value, .. } => vec![target, value],
            _ => stmt.exprs(),
        };
        for e in read {
            e.walk(&mut |e| {
                if let pymodel::ExprKind::Name(n) = &e.kind
                    && let Some(line) = self.assumed.get(n)
                {
                    from = Some(from.map_or(*line, |f| f.max(*line)));
                }
            });
        }
        for p in &record.problems {
            self.findings.push(Finding {
                rule: &LayerInputMismatch::INFO,
                span: stmt.span,
                message: p.clone(),
                notes: record
                    .layer
                    .iter()
                    .map(|l| format!("layer: `{}`", l.text))
                    .collect(),
            });
        }
        for (name, v) in &record.values {
            self.inferred.push(Inferred {
                stmt,
                name: name.clone(),
                value: v.clone(),
                layer: record.layer.clone(),
                gap: record.gap.clone(),
                assumed: from,
            });
            match from {
                Some(line) => self.assumed.insert(name.clone(), line),
                None => self.assumed.remove(name),
            };
        }
        let assigns = matches!(
            stmt.kind,
            StmtKind::Assign { .. } | StmtKind::AnnAssign { .. } | StmtKind::AugAssign { .. }
        );
        if let Some(why) = &record.gap
            && assigns
        {
            self.findings.push(Finding {
                rule: &InferenceGap::INFO,
                span: stmt.span,
                message: format!("shape not inferred: {why}"),
                notes: vec![],
            });
        }
        // What a layer fixed holds whether or not the statement has a comment: the code runs
        // only if `in_channels` is the input's channel count.
        if !record.bindings.is_empty() {
            for (sym, v) in &record.bindings {
                let v = self.substitute(v);
                if !v.symbols().contains(sym) {
                    self.unified.entry(sym.clone()).or_insert(v);
                }
            }
            // Values computed before the binding still carry the symbol.
            for v in env.values_mut() {
                if let Val::Tensor(Some(dims)) = v {
                    for d in dims.iter_mut().flatten() {
                        *d = sym::simplify(&self.substitute(d));
                    }
                }
            }
            for r in self
                .inferred
                .iter_mut()
                .filter(|r| std::ptr::eq(r.stmt, stmt))
            {
                if let Some(v) = env.get(&r.name) {
                    r.value = v.clone();
                }
            }
        }
        let Some(step) = self.steps.get(&stmt.span.start).copied() else {
            return;
        };
        let Some(note) = step.notes.iter().find(|n| n.shape().is_some()) else {
            return;
        };
        let sc = note.shape().expect("found").clone();
        let span = note.comment.span;
        // The described layer: the one of that type among those the statement called.
        if let Some(dc) = sc.description_call() {
            let name = dc.name.rsplit('.').next().unwrap_or(&dc.name).to_string();
            match record.layers.iter().find(|l| l.ctor == name) {
                Some(cfg) => self.check_description(span, &sc, cfg),
                None if record.layers.len() == 1 => {
                    self.check_description(span, &sc, &record.layers[0])
                }
                None => {}
            }
        }
        for (name, v) in &record.values {
            if !sc.names.contains(name) {
                continue;
            }
            self.carried = from;
            let next = self.compare(stmt, span, &sc, name, v);
            self.carried = None;
            if self.from_comment {
                // The latest comment a value continues from is the one a message names.
                let line = self.file.lines().line_of(span.start);
                self.assumed.insert(name.clone(), line);
            }
            env.insert(name.clone(), next);
        }
    }
}

/// TSL602 for a comment whose `divisible` dims (index, comment, inferred) equal the exact size
/// only for divisible input sizes. It says for which sizes and what the layers give at an odd
/// one: a note that reads "no change needed" hid that `H//2` is wrong at Xception's 299.
fn divisibility_note(
    name: &str,
    sc: &ShapeComment,
    divisible: &[(usize, DimExpr, DimExpr)],
    v: &Val,
) -> Finding {
    let which: Vec<String> = divisible
        .iter()
        .map(|(i, ..)| sc.dims[*i].to_string())
        .collect();
    let exact: Vec<String> = divisible.iter().map(|(.., inf)| inf.to_string()).collect();
    // Symbols by the divisor they need: "H and W are divisible by 2".
    let mut by_divisor: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    let mut other: Vec<String> = Vec::new();
    let mut example = None;
    for (_, c, inf) in divisible {
        match sym::divisor_needed(c, inf) {
            Some((m, at, says, real)) => {
                let sym = inf.symbols().join("");
                let syms = by_divisor.entry(m).or_default();
                if !syms.contains(&sym) {
                    syms.push(sym.clone());
                }
                example.get_or_insert(format!(
                    "at {sym} = {at} the layers give {real}, the comment {says}"
                ));
            }
            None => other.push(format!("`{c}` equals `{inf}`")),
        }
    }
    let mut conditions: Vec<String> = by_divisor
        .iter()
        .map(|(m, syms)| match syms.as_slice() {
            [one] => format!("{one} is divisible by {m}"),
            many => format!("{} are divisible by {m}", many.join(" and ")),
        })
        .collect();
    conditions.extend(other);
    let mut message = format!(
        "`{name}`: {} {} only when {}; exactly it is {}",
        which.join(", "),
        if which.len() == 1 { "holds" } else { "hold" },
        conditions.join(" and "),
        exact.join(", ")
    );
    if let Some(e) = example {
        message.push_str(&format!(" ({e})"));
    }
    Finding {
        rule: &DivisibilityAssumption::INFO,
        span: Span::new(0, 0), // set by the caller's comment span below
        message,
        notes: vec![format!(
            "wrong at every other input size: if the paper's input size (or a --runtime size) is not divisible so, write the exact form, as `annotate` does; exact shape {}",
            v.describe()
        )],
    }
}

/// TSL602 for a comment whose dims equal the exact size only at some input sizes, and not
/// by a divisibility (`H//4` against `(H - 7)//4 + 1`, equal only for H = 3 mod 4): the exact
/// form and a size where they differ, 224 first.
fn some_sizes_note(
    name: &str,
    sc: &ShapeComment,
    dims: &[(usize, DimExpr, DimExpr)],
    v: &Val,
) -> Finding {
    let which: Vec<String> = dims.iter().map(|(i, ..)| sc.dims[*i].to_string()).collect();
    let exact: Vec<String> = dims.iter().map(|(.., inf)| inf.to_string()).collect();
    let mut message = format!(
        "`{name}`: {} {} only for some input sizes; exactly it is {}",
        which.join(", "),
        if which.len() == 1 { "holds" } else { "hold" },
        exact.join(", ")
    );
    if let Some((syms, at, says, real)) =
        dims.iter().find_map(|(_, c, inf)| sym::differs_at(c, inf))
    {
        message.push_str(&format!(
            " (at {syms} = {at} the layers give {real}, the comment {says})"
        ));
    }
    Finding {
        rule: &DivisibilityAssumption::INFO,
        span: Span::new(0, 0), // set by the caller's comment span
        message,
        notes: vec![format!(
            "if the paper's input size (or a --runtime size) is one where they differ, the comment is wrong there: write the exact form, as `annotate` does; exact shape {}",
            v.describe()
        )],
    }
}

/// Input values of `forward` from its input comment; the symbols they use are "known".
fn inputs_from_comments(body: &pymodel::Body) -> HashMap<String, Val> {
    let mut env = HashMap::new();
    for note in &body.input {
        if let Some(sc) = note.shape() {
            for n in &sc.names {
                env.insert(n.clone(), Val::tensor(sc.dims.clone()));
            }
        }
    }
    env
}

/// Findings, inferred values, and comment counts.
pub type ClassRun<'f> = (Vec<Finding>, Vec<Inferred<'f>>, CommentCounts);

/// Shape comments compared, of which undecided, and of which only bound constructor arguments
/// (nothing contradicted, but a dim was taken as the argument's value, not checked).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CommentCounts {
    pub comments: usize,
    pub undecided: usize,
    pub binding: usize,
}

/// Runs the checker over one class; `given` overrides input shapes (for `infer`).
/// `scope` holds the class's file and the files it imports (see [`imports`]).
pub fn run_class<'f>(
    scope: Scope<'f>,
    class: &'f ClassDef,
    given: &HashMap<String, Vec<DimExpr>>,
) -> Option<ClassRun<'f>> {
    run_class_with(scope, class, given, vec![], false)
}

/// [`run_class`] with constructor keyword arguments (`Class(**ctor)`). `defaults`: parameters
/// the call leaves out take their defaults (as `infer` reports `Class(**ctor)`); otherwise they
/// are symbols (comment checking and `annotate`: the class may be built with any values).
pub fn run_class_with<'f>(
    scope: Scope<'f>,
    class: &'f ClassDef,
    given: &HashMap<String, Vec<DimExpr>>,
    ctor: Vec<(String, Val)>,
    defaults: bool,
) -> Option<ClassRun<'f>> {
    run_class_at(scope, class, given, ctor, defaults, vec![])
}

/// [`run_class_with`] knowing the sizes the model is validated at (`--at`, each with its input
/// symbols bound): a comment whose short form differs from the exact one at one of them is
/// TSL601, not a TSL602 note.
pub fn run_class_at<'f>(
    scope: Scope<'f>,
    class: &'f ClassDef,
    given: &HashMap<String, Vec<DimExpr>>,
    ctor: Vec<(String, Val)>,
    defaults: bool,
    at: Vec<(String, sym::Binding)>,
) -> Option<ClassRun<'f>> {
    let file = scope.main;
    let body = file.forward(class)?;
    let mut interp = Interp::new(scope);
    interp.symbolic_params = !defaults;
    let ctor = ctor
        .into_iter()
        .map(|(k, v)| (k, interp.resolve_given(v)))
        .collect();
    let attrs = interp.instantiate(0, class, vec![], ctor, 0);
    let mut inputs = inputs_from_comments(&body);
    let mut known: HashSet<String> = HashSet::new();
    for v in inputs.values() {
        if let Val::Tensor(Some(dims)) = v {
            for d in dims.iter().flatten() {
                known.extend(d.symbols());
            }
        }
    }
    let mut unified = HashMap::new();
    for (name, dims) in given {
        // The input comment's symbols take the given sizes.
        if let Some(Val::Tensor(Some(comment))) = inputs.get(name)
            && comment.len() == dims.len()
        {
            for (c, d) in comment.iter().zip(dims) {
                if let Some(DimExpr::Sym(s)) = c {
                    unified.insert(s.clone(), d.clone());
                    known.remove(s);
                }
            }
        }
        inputs.insert(name.clone(), Val::tensor(dims.clone()));
        for d in dims {
            known.extend(d.symbols());
        }
    }
    // Symbols of inferred values come from the input comment or from the constructor's
    // parameters (named after the parameter, whatever its default: the class may be built
    // with other values). Parameters are bound by unification or by the first comment that
    // meets them bare (see `Checker::compare`); until then a comparison with them is undecided.
    // Symbols that only comments introduce are bound where they first stand alone.
    let mut params: HashSet<String> = class
        .method("__init__")
        .map(|(_, init)| {
            init.params
                .iter()
                .map(|p| p.name.clone())
                .filter(|n| n != "self" && !known.contains(n))
                .collect()
        })
        .unwrap_or_default();
    // The fields of a config object the class takes are free parameters too.
    params.extend(interp.config_symbols.iter().cloned());
    // `# symbols: P = patch size (16)` names a constructor parameter (`patch_size`): the
    // parameter is that symbol, free like the input's (no value is read from the meaning).
    for (sym, meaning) in crate::checks::comments::declared_meanings(file) {
        let phrase = meaning
            .split('(')
            .next()
            .unwrap_or("")
            .trim()
            .trim_matches('`');
        let param = phrase.to_ascii_lowercase().replace([' ', '-'], "_");
        if params.contains(&param)
            && !unified.contains_key(&param)
            && !known.contains(&sym)
            && !params.contains(&sym)
        {
            unified.insert(param, DimExpr::Sym(sym.clone()));
            known.insert(sym);
        }
    }
    let _ = &attrs;
    let steps = body.steps.iter().map(|s| (s.stmt.span.start, s)).collect();
    let mut checker = Checker {
        file,
        steps,
        unified,
        known,
        params,
        findings: Vec::new(),
        inferred: Vec::new(),
        assumed: HashMap::new(),
        from_comment: false,
        carried: None,
        divisibility_noted: None,
        divisibility_lines: BTreeSet::new(),
        divisibility_max: 0,
        verdicts: BTreeMap::new(),
        at,
    };
    let (_, fwd) = class.method("forward")?;
    {
        let mut obs: Option<&mut dyn Observer<'f>> = Some(&mut checker);
        interp.run_method(class, fwd, attrs, inputs, &mut obs);
    }
    let _ = checker.file;
    if let Some(i) = checker.divisibility_noted
        && !checker.divisibility_lines.is_empty()
    {
        let lines: Vec<String> = checker
            .divisibility_lines
            .iter()
            .map(u32::to_string)
            .collect();
        let up_to = match checker.divisibility_max {
            m if m > 1 => format!(" (sizes divisible by up to {m})"),
            _ => String::new(),
        };
        checker.findings[i].notes.push(format!(
            "the comments of lines {} of this forward assume divisible sizes too{up_to}",
            lines.join(", ")
        ));
    }
    // A statement inside a loop is seen once per iteration: keep each finding once.
    let mut seen = BTreeSet::new();
    let mut findings: Vec<Finding> = checker
        .findings
        .into_iter()
        .filter(|f| seen.insert((f.span.start, f.rule.code, f.message.clone())))
        .collect();
    // A comment the run never compared (a branch ruled out, code after a return, a loop
    // never entered) is undecided too: counted, never silently taken as checked.
    for step in &body.steps {
        let assigns = matches!(
            step.stmt.kind,
            StmtKind::Assign { .. } | StmtKind::AnnAssign { .. } | StmtKind::AugAssign { .. }
        );
        if !assigns {
            continue; // a comment on `return` is not compared (see `Checker::after_stmt`)
        }
        if let Some(note) = step.notes.iter().find(|n| n.shape().is_some()) {
            checker
                .verdicts
                .entry(note.comment.span.start)
                .or_insert_with(|| Verdict::Undecided("not reached by the checker".to_string()));
        }
    }
    // Undecided comments are visible with --verbose (TSL690), never as TSL601.
    // A comment that only fixed constructor arguments is said with --verbose too: its dims
    // were taken as the arguments' values, not checked.
    let mut counts = CommentCounts {
        comments: checker.verdicts.len(),
        ..CommentCounts::default()
    };
    for (start, verdict) in &checker.verdicts {
        let message = match verdict {
            Verdict::Decided => continue,
            Verdict::Undecided(why) => {
                counts.undecided += 1;
                format!("comment undecided: {why}")
            }
            Verdict::Binding(what) => {
                counts.binding += 1;
                format!(
                    "comment binds constructor arguments ({what}): those dims are taken as given, not checked"
                )
            }
        };
        let line = file.lines().line_of(*start);
        let end = file.lines().line_start(line) + file.line_text(line).len() as u32;
        findings.push(Finding {
            rule: &InferenceGap::INFO,
            span: Span::new(*start, end.max(*start)),
            message,
            notes: vec![],
        });
    }
    Some((findings, checker.inferred, counts))
}

pub fn check(ctx: &mut Ctx) {
    let file = ctx.file;
    // Imports are followed from the file on disk, read only when a checked class needs them.
    let resolver = Resolver::new(Some(std::path::Path::new(ctx.path)));
    let scope = Scope {
        main: file,
        resolver: &resolver,
    };
    let models: Vec<&ClassDef> = crate::checks::top_level_models(file)
        .into_iter()
        .map(|(_, c)| c)
        .collect();
    for class in shape_classes(file) {
        let Some(body) = file.forward(class) else {
            continue;
        };
        ctx.stats.classes += 1;
        if !body.input.iter().any(|n| n.shape().is_some()) {
            continue;
        }
        let at = match at_for(ctx.settings, &models, class, &body) {
            AtFor::Bound(at) => {
                ctx.stats.at_classes += 1;
                at
            }
            AtFor::OtherInput => vec![],
            AtFor::Component => {
                ctx.stats.at_components += 1;
                vec![]
            }
            AtFor::Skipped(why) => {
                let span = body
                    .input
                    .iter()
                    .find(|n| n.shape().is_some())
                    .map_or(body.def_stmt.span, |n| n.comment.span);
                ctx.report(
                    &DivisibilityAssumption::INFO,
                    span,
                    format!(
                        "--at not applied to `{}.forward` ({why}): its comments are checked as without --at",
                        class.name
                    ),
                );
                vec![]
            }
        };
        let path = std::path::Path::new(ctx.path);
        let sites = sites::site_values(file, class, path.is_file().then_some(path));
        let ctor = sites.as_ref().map_or(vec![], |s| s.kwargs.clone());
        let Some((mut findings, _, counts)) =
            run_class_at(scope, class, &HashMap::new(), ctor, false, at)
        else {
            continue;
        };
        if let Some(s) = &sites {
            let bound: Vec<String> = s
                .kwargs
                .iter()
                .map(|(k, v)| format!("{k} = {}", v.describe().trim_start_matches("int ")))
                .collect();
            for f in findings.iter_mut().filter(|f| f.rule.code == "TSL601") {
                f.notes
                    .push(format!("{} from {}", bound.join(", "), s.shown));
            }
        }
        ctx.stats.comments += counts.comments;
        ctx.stats.undecided += counts.undecided;
        ctx.stats.binding += counts.binding;
        for f in findings {
            let d = ctx.report(f.rule, f.span, f.message);
            d.notes.extend(f.notes);
        }
    }
}

/// How the lint's `--at` sizes bind to one class's forward.
enum AtFor {
    /// Every `--at` map that names an input of this forward, its symbols bound.
    Bound(Vec<(String, sym::Binding)>),
    /// No `--at` map names an input of this forward (or there is no `--at`): another
    /// model's input, checked as without `--at`.
    OtherInput,
    /// A map names an input of this forward, but the class is a component: checked as
    /// without `--at` by rule, counted in the summary (a note on every block of every run
    /// would bury the notes that matter).
    Component,
    /// A map names an input of this model's forward, but binding it would be a guess: why.
    Skipped(String),
}

/// Binds the `--at` sizes to `class`'s forward by its input names. A class another class of
/// the file uses, or another linted file imports, is a component: its `x` is a feature map,
/// not the image, so an `x` given for the model is not its size (unknown beats wrong).
fn at_for(
    settings: &crate::settings::Settings,
    models: &[&ClassDef],
    class: &ClassDef,
    body: &pymodel::Body,
) -> AtFor {
    let declared = crate::declared_inputs(body);
    let named = settings
        .at
        .iter()
        .any(|(_, run)| run.keys().any(|n| declared.contains_key(n)));
    if !named {
        return AtFor::OtherInput;
    }
    if !models.iter().any(|m| std::ptr::eq(*m, class))
        || settings.at_components.contains(&class.name)
    {
        return AtFor::Component;
    }
    // A map that binds nothing here (another model's input, or a comment of numbers equal to
    // the sizes, which the plain check already compares exactly) cannot make a finding.
    let mut out = Vec::new();
    for (given, run) in &settings.at {
        match crate::bind_at(&declared, run, true) {
            Ok(b) => out.push((given.clone(), b)),
            Err((name, why)) => return AtFor::Skipped(format!("--at `{name}`: {why}")),
        }
    }
    AtFor::Bound(out)
}

/// The classes whose shape comments are checked: the file's `nn.Module` classes and the
/// subclasses of torch's own layers (`class LayerNorm2d(nn.LayerNorm)`, whose forward has
/// shape comments like any other; the structural rules still see only module classes).
fn shape_classes(file: &ModelFile) -> Vec<&ClassDef> {
    let mut out: Vec<&ClassDef> = module_classes(file).into_iter().map(|(_, c)| c).collect();
    for (_, c) in file.classes() {
        let torch_layer = c.bases.iter().any(|b| {
            b.dotted().is_some_and(|d| {
                let last = d.rsplit('.').next().unwrap_or(&d);
                (d.starts_with("nn.") || d.starts_with("torch.nn."))
                    && layers::signature(last).is_some()
            })
        });
        if torch_layer && !out.iter().any(|o| std::ptr::eq(*o, c)) {
            out.push(c);
        }
    }
    out
}
