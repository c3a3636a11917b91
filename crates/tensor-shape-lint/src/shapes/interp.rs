//! The abstract interpreter: evaluates `__init__` into layer configurations and walks `forward`
//! with symbolic shapes, recording what it infers after every statement.
//!
//! It never guesses: an operation it does not model makes the value unknown (recorded as a gap),
//! and unknown values only ever make checks silent.

use super::imports::{Def, FileId, Scope};
use super::layers::{self, broadcast, flatten, int_arg, norm_dim, product};
use super::sym::{Dim, add, fdiv, int, mul, simplify, sub};
use super::value::{LayerCfg, Val};
use pymodel::{
    BinOp, Call, ClassDef, DimExpr, Expr, ExprKind, FunctionDef, ModelFile, Stmt, StmtKind, UnaryOp,
};
use std::collections::HashMap;

const MAX_DEPTH: usize = 8;
/// Loops over known items are unrolled up to this many trips...
const MAX_TRIPS: usize = 64;
/// ...while fewer statements than this have run (nested unrolled loops stay bounded).
const MAX_UNROLLED: usize = 100_000;

/// Whether a `break` or `continue` is in `body` (nested loops included, functions not).
fn has_jump(body: &[Stmt], file: &ModelFile) -> bool {
    let mut found = false;
    for s in body {
        s.walk(&mut |s| {
            if let StmtKind::Other(exprs) = &s.kind
                && exprs.is_empty()
                && matches!(file.text(s.span).trim(), "break" | "continue")
            {
                found = true;
            }
        });
    }
    found
}

/// What the interpreter saw at one statement of the function being checked.
#[derive(Clone, Debug)]
pub struct Record<'f> {
    pub stmt: &'f Stmt,
    /// Assigned names and their values after the statement.
    pub values: Vec<(String, Val)>,
    /// The layer called by the statement's value (`x = self.conv(x)`), if any.
    pub layer: Option<LayerCfg>,
    /// Problems of layer inputs (channel counts, ranks).
    pub problems: Vec<String>,
    /// Why inference stopped here, if it did.
    pub gap: Option<String>,
    /// Every layer the statement called, in call order.
    pub layers: Vec<LayerCfg>,
    /// Symbols a layer fixed: an input symbol to a size (`LayerNorm(192)` on `[B, N, D]`:
    /// `D = 192`) or a constructor parameter to the input's size (`Conv2d(in_ch, ...)` on
    /// `[B, C, H, W]`: `in_ch = C`).
    pub bindings: Vec<(String, DimExpr)>,
}

/// Hook called after each statement of the top-level function: may replace assigned values
/// (the checker substitutes the annotated shape where inference is unknown or wrong).
pub trait Observer<'f> {
    /// `attrs`: the `self` attributes of the checked class (layers built with its constructor
    /// parameters, which a comment may bind).
    fn after(
        &mut self,
        record: Record<'f>,
        env: &mut HashMap<String, Val>,
        attrs: &mut HashMap<String, Val>,
    );
}

pub struct Interp<'f> {
    /// The checked file (id 0) and the files it imports.
    pub scope: Scope<'f>,
    /// Whether the checked class's constructor parameters are symbols (comment checking,
    /// `annotate`) or take their defaults as `Class(**kwargs)` would (`infer`).
    pub symbolic_params: bool,
    /// Symbols made for the fields of a config object the checked class takes
    /// (`config.hidden_dim`): free like its own parameters until something binds them.
    pub config_symbols: Vec<String>,
    gap: Option<String>,
    problems: Vec<String>,
    /// The first layer input mismatch (not a binding) met since the innermost user-class call
    /// began: the real forward raises there.
    raised: Option<String>,
    layer: Option<LayerCfg>,
    layers_called: Vec<LayerCfg>,
    /// Why an attribute is unknown (`self.block = Block(...)` with `Block` imported from a
    /// file that cannot be read), by (class, attribute): said where the attribute is called.
    why_unknown: HashMap<(String, String), String>,
    /// The reason of the last class call that could not be resolved, for `why_unknown`.
    unresolved: Option<String>,
    /// Symbols the checked forward's layers fixed so far (`C = in_channels`): facts, since the
    /// code runs only if they hold; used where two sizes must be equal (broadcasting).
    bound: HashMap<String, DimExpr>,
    /// Statements run so far (the unrolling budget).
    executed: usize,
}

struct Frame<'f> {
    class: Option<&'f ClassDef>,
    /// The file the running code belongs to (spans and names are looked up there).
    file: FileId,
    attrs: HashMap<String, Val>,
    depth: usize,
}

impl<'f> Interp<'f> {
    pub fn new(scope: Scope<'f>) -> Self {
        Self {
            scope,
            symbolic_params: true,
            config_symbols: Vec::new(),
            gap: None,
            problems: Vec::new(),
            raised: None,
            layer: None,
            layers_called: Vec::new(),
            why_unknown: HashMap::new(),
            unresolved: None,
            bound: HashMap::new(),
            executed: 0,
        }
    }

    fn file_of(&self, frame: &Frame<'f>) -> &'f ModelFile {
        self.scope.file(frame.file)
    }

    fn gap(&mut self, why: impl Into<String>) -> Val {
        if self.gap.is_none() {
            self.gap = Some(why.into());
        }
        Val::Unknown
    }

    /// Evaluates `class.__init__` with `args`/`kwargs` (missing parameters without default
    /// become symbols named after the parameter) and returns the `self` attributes.
    pub fn instantiate(
        &mut self,
        file: FileId,
        class: &'f ClassDef,
        args: Vec<Val>,
        kwargs: Vec<(String, Val)>,
        depth: usize,
    ) -> HashMap<String, Val> {
        let mut frame = Frame {
            class: Some(class),
            file,
            attrs: HashMap::new(),
            depth,
        };
        frame.attrs = self.class_constants(class, &frame);
        let Some((_, init)) = class.method("__init__") else {
            if is_sequential_subclass(class) {
                let known = kwargs.is_empty() && !args.iter().any(|a| matches!(a, Val::Dict(_)));
                frame.attrs.insert(
                    SEQUENTIAL.into(),
                    if known {
                        Val::Modules {
                            items: args,
                            sequential: true,
                        }
                    } else {
                        Val::Unknown
                    },
                );
            }
            return frame.attrs;
        };
        // Only the class checked on its own (depth 0) has parameters nobody passed; a class
        // built inside another gets the defaults for what its call leaves out, as Python does.
        let symbolic = depth == 0 && self.symbolic_params;
        let mut env = self.bind_params(init, args, kwargs, &mut frame, symbolic);
        self.exec_block(init.code(), &mut env, &mut frame, &mut None);
        frame.attrs
    }

    /// `issubclass(v, types)`: a class of the tree is a subclass of a name only through its
    /// bases; decided `false` when every base is `nn.Module` (or `object`) and no name matches,
    /// `true` when the class or a base of the tree is named so. A torch layer class is no
    /// subclass of a class of the tree. `None`: anything else.
    fn issubclass(&mut self, v: &Val, types: &[String], frame: &Frame<'f>) -> Option<bool> {
        if types.is_empty() {
            return None;
        }
        match v {
            Val::Ctor(_) => {
                let all_tree = types
                    .iter()
                    .all(|t| matches!(self.scope.resolve(frame.file, t), Ok(Some(Def::Class(..)))));
                all_tree.then_some(false)
            }
            Val::Class { class, file } => {
                let mut cur: Option<(FileId, &'f ClassDef)> =
                    self.scope.file(*file).class(class).map(|(_, c)| (*file, c));
                for _ in 0..8 {
                    let (fid, c) = cur?;
                    if types.contains(&c.name) {
                        return Some(true);
                    }
                    let bases: Vec<String> = c.bases.iter().filter_map(|b| b.dotted()).collect();
                    if bases.len() != c.bases.len() {
                        return None;
                    }
                    let module = |b: &str| {
                        matches!(b, "nn.Module" | "torch.nn.Module" | "Module" | "object")
                    };
                    if bases.iter().all(|b| module(b)) {
                        return (!types.iter().any(|t| t == "Module" || t == "object"))
                            .then_some(false);
                    }
                    // One base of the tree: follow it.
                    let [b] = bases.as_slice() else { return None };
                    cur = match self.scope.resolve_dotted(fid, b) {
                        Ok(Some(Def::Class(f2, c2))) => Some((f2, c2)),
                        _ => return None,
                    };
                }
                None
            }
            _ => None,
        }
    }

    /// A parameter annotated with a dataclass of the tree (`config: ModelConfig = MODEL`), for
    /// the class checked on its own: it may be built with any config, so each field is a
    /// symbol named `config.field` (`int`), a tuple of such symbols (`tuple[int, int]`), or
    /// unknown (any other type); never the field's default. `None`: not such a parameter.
    fn config_object(
        &mut self,
        param: &str,
        annotation: Option<&Expr>,
        frame: &Frame<'f>,
    ) -> Option<Val> {
        let name = annotation?.dotted()?;
        let Ok(Some(Def::Class(file, class))) = self.scope.resolve_dotted(frame.file, &name) else {
            return None;
        };
        let is_dataclass = class.decorators.iter().any(|d| {
            let callee = match &d.kind {
                ExprKind::Call(c) => c.func.dotted(),
                _ => d.dotted(),
            };
            callee.is_some_and(|c| c == "dataclass" || c == "dataclasses.dataclass")
        });
        if !is_dataclass {
            return None;
        }
        let src = self.scope.file(file);
        let mut attrs = HashMap::new();
        for s in &class.body {
            let StmtKind::AnnAssign {
                target, annotation, ..
            } = &s.kind
            else {
                continue;
            };
            let ExprKind::Name(field) = &target.kind else {
                continue;
            };
            let ty: String = src
                .text(annotation.span)
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            let sym = |s: String, out: &mut Vec<String>| {
                out.push(s.clone());
                Val::Int(Some(DimExpr::Sym(s)))
            };
            let v = match ty.as_str() {
                "int" => sym(format!("{param}.{field}"), &mut self.config_symbols),
                "float" => Val::Float(None),
                "bool" => Val::Bool(None),
                t => {
                    let inner = t
                        .strip_prefix("tuple[")
                        .or_else(|| t.strip_prefix("Tuple["))
                        .and_then(|r| r.strip_suffix(']'));
                    match inner {
                        Some(items) if items.split(',').all(|i| i == "int") => Val::Tuple(
                            (0..items.split(',').count())
                                .map(|i| {
                                    sym(format!("{param}.{field}[{i}]"), &mut self.config_symbols)
                                })
                                .collect(),
                        ),
                        _ => Val::Unknown,
                    }
                }
            };
            attrs.insert(field.clone(), v);
        }
        Some(Val::User {
            class: class.name.clone(),
            file,
            attrs,
        })
    }

    /// Constructor arguments given by path (`Val::Given`, from `--kwargs`) as the classes and
    /// instances they name, inside containers and partials too; unknown when not readable.
    pub fn resolve_given(&mut self, v: Val) -> Val {
        match v {
            Val::Given {
                path,
                class,
                kwargs,
            } => {
                let Some((file, c)) = self.scope.class_at(std::path::Path::new(&path), &class)
                else {
                    return Val::Unknown;
                };
                match kwargs {
                    None => Val::Class { class, file },
                    Some(kw) => {
                        let kw = kw
                            .into_iter()
                            .map(|(k, v)| (k, self.resolve_given(v)))
                            .collect();
                        let attrs = self.instantiate(file, c, vec![], kw, 1);
                        Val::User { class, file, attrs }
                    }
                }
            }
            Val::Tuple(items) => {
                Val::Tuple(items.into_iter().map(|v| self.resolve_given(v)).collect())
            }
            Val::Modules { items, sequential } => Val::Modules {
                items: items.into_iter().map(|v| self.resolve_given(v)).collect(),
                sequential,
            },
            Val::Partial {
                callee,
                args,
                kwargs,
            } => Val::Partial {
                callee: Box::new(self.resolve_given(*callee)),
                args: args.into_iter().map(|v| self.resolve_given(v)).collect(),
                kwargs: kwargs
                    .into_iter()
                    .map(|(k, v)| (k, self.resolve_given(v)))
                    .collect(),
            },
            // A config object's fields (`layers.conv_norm_act`, a partial of a class).
            Val::User { class, file, attrs } => Val::User {
                class,
                file,
                attrs: attrs
                    .into_iter()
                    .map(|(k, v)| (k, self.resolve_given(v)))
                    .collect(),
            },
            Val::Dict(items) => Val::Dict(
                items
                    .into_iter()
                    .map(|(k, v)| (k, self.resolve_given(v)))
                    .collect(),
            ),
            other => other,
        }
    }

    /// Literal class attributes of the class's own body (`expansion = 4`, `expansion: int = 4`):
    /// what `self.expansion` reads until `__init__` assigns it. Only the class's own body, which
    /// overrides its bases', and only literals, which nothing at run time can change before
    /// `__init__` runs.
    fn class_constants(&mut self, class: &'f ClassDef, frame: &Frame<'f>) -> HashMap<String, Val> {
        let mut out = HashMap::new();
        for stmt in &class.body {
            let (target, value) = match &stmt.kind {
                StmtKind::Assign { targets, value } if targets.len() == 1 => (&targets[0], value),
                StmtKind::AnnAssign {
                    target,
                    value: Some(value),
                    ..
                } => (target, value),
                _ => continue,
            };
            let ExprKind::Name(name) = &target.kind else {
                continue;
            };
            let mut empty = HashMap::new();
            let mut probe = Frame {
                class: frame.class,
                file: frame.file,
                attrs: HashMap::new(),
                depth: frame.depth,
            };
            let v = self.eval(value, &mut empty, &mut probe);
            // A number, a string or a tuple of them (nested too).
            fn literal(v: &Val) -> bool {
                match v {
                    Val::Int(Some(d)) => d.eval(&|_| None).is_ok(),
                    Val::Float(Some(_)) | Val::Bool(Some(_)) | Val::Str(_) | Val::NoneV => true,
                    Val::Tuple(items) => items.iter().all(literal),
                    _ => false,
                }
            }
            if literal(&v) {
                out.insert(name.clone(), v);
            } else {
                out.remove(name);
            }
        }
        out
    }

    fn bind_params(
        &mut self,
        f: &'f FunctionDef,
        args: Vec<Val>,
        kwargs: Vec<(String, Val)>,
        frame: &mut Frame<'f>,
        symbolic_defaults: bool,
    ) -> HashMap<String, Val> {
        let mut env = HashMap::new();
        // `**kwargs` receives the keywords no named parameter takes; `*args` the positional
        // arguments left after the named ones (Python's binding).
        let named: Vec<&str> = f
            .params
            .iter()
            .filter(|p| {
                !matches!(
                    p.kind,
                    pymodel::ParamKind::VarArgs | pymodel::ParamKind::VarKeywords
                )
            })
            .map(|p| p.name.as_str())
            .collect();
        let extra_kwargs: Vec<(String, Val)> = kwargs
            .iter()
            .filter(|(k, _)| !named.contains(&k.as_str()))
            .cloned()
            .collect();
        let mut positional = args.into_iter();
        for (i, p) in f.params.iter().enumerate() {
            if i == 0 && p.name == "self" {
                continue;
            }
            // `None`: not passed. A value passed but unknown stays unknown: the default
            // only stands in for an argument the call really leaves out.
            let given = match p.kind {
                // The class checked on its own may be built with anything more.
                pymodel::ParamKind::VarArgs | pymodel::ParamKind::VarKeywords
                    if symbolic_defaults =>
                {
                    Some(Val::Unknown)
                }
                pymodel::ParamKind::VarArgs => Some(Val::Tuple(positional.by_ref().collect())),
                pymodel::ParamKind::VarKeywords => Some(Val::Dict(extra_kwargs.clone())),
                pymodel::ParamKind::KeywordOnly => kwargs
                    .iter()
                    .find(|(k, _)| *k == p.name)
                    .map(|(_, v)| v.clone()),
                _ => kwargs
                    .iter()
                    .find(|(k, _)| *k == p.name)
                    .map(|(_, v)| v.clone())
                    .or_else(|| positional.next()),
            };
            let v = match (given, &p.default) {
                (Some(v), _) => v,
                // The class checked on its own: nobody knows how it will be built, so no
                // default decides anything. An integer is a symbol named after its parameter
                // (bound later by unification or by a comment); anything else is unknown.
                (None, d) if symbolic_defaults => {
                    let dv = match d {
                        Some(d) => {
                            let mut empty = HashMap::new();
                            self.eval(d, &mut empty, frame)
                        }
                        None => Val::Int(None),
                    };
                    // `dim: int = Config.dim`: a default the checker cannot read, but the
                    // annotation says it is an integer.
                    let int_annotated = p
                        .annotation
                        .as_ref()
                        .is_some_and(|a| matches!(&a.kind, ExprKind::Name(n) if n == "int"));
                    if let Some(cfg) = self.config_object(&p.name, p.annotation.as_ref(), frame) {
                        env.insert(p.name.clone(), cfg);
                        continue;
                    }
                    match dv {
                        Val::Int(_) => Val::Int(Some(DimExpr::Sym(p.name.clone()))),
                        Val::Unknown if int_annotated => {
                            Val::Int(Some(DimExpr::Sym(p.name.clone())))
                        }
                        Val::Float(_) => Val::Float(None),
                        _ => Val::Unknown,
                    }
                }
                (None, Some(d)) => {
                    let mut empty = HashMap::new();
                    self.eval(d, &mut empty, frame)
                }
                (None, None) => Val::Unknown,
            };
            env.insert(p.name.clone(), v);
        }
        env
    }

    /// Runs `forward` (or any method) of `class` with `attrs` and input values; `observer` sees
    /// every statement of this (top-level) call.
    pub fn run_method(
        &mut self,
        class: &'f ClassDef,
        method: &'f FunctionDef,
        attrs: HashMap<String, Val>,
        inputs: HashMap<String, Val>,
        observer: &mut Option<&mut dyn Observer<'f>>,
    ) -> Val {
        let mut frame = Frame {
            class: Some(class),
            file: 0,
            attrs,
            depth: 0,
        };
        let mut env = inputs;
        for p in method.params.iter().skip(1) {
            if env.contains_key(&p.name) {
                continue;
            }
            // `infer` runs `Class(**kwargs)(x)`: the other parameters of forward take their
            // defaults (`attn_mask=None`), as in that call. Checked on its own, the class may
            // be called with anything: unknown.
            let v = match (&p.default, p.kind) {
                _ if self.symbolic_params => Val::Unknown,
                (_, pymodel::ParamKind::VarArgs) => Val::Tuple(vec![]),
                (_, pymodel::ParamKind::VarKeywords) => Val::Dict(vec![]),
                (Some(d), _) => {
                    let mut empty = HashMap::new();
                    self.eval(d, &mut empty, &mut frame)
                }
                (None, _) => Val::Unknown,
            };
            env.insert(p.name.clone(), v);
        }
        self.exec_block_obs(method.code(), &mut env, &mut frame, observer)
            .unwrap_or(Val::Unknown)
    }

    fn exec_block(
        &mut self,
        stmts: &'f [Stmt],
        env: &mut HashMap<String, Val>,
        frame: &mut Frame<'f>,
        ret: &mut Option<Val>,
    ) {
        let mut none = None;
        if let Some(v) = self.exec_block_obs(stmts, env, frame, &mut none) {
            *ret = Some(v);
        }
    }

    fn exec_block_obs(
        &mut self,
        stmts: &'f [Stmt],
        env: &mut HashMap<String, Val>,
        frame: &mut Frame<'f>,
        observer: &mut Option<&mut dyn Observer<'f>>,
    ) -> Option<Val> {
        for s in stmts {
            self.gap = None;
            self.problems.clear();
            self.layer = None;
            self.layers_called.clear();
            if let Some(r) = self.exec(s, env, frame, observer) {
                return Some(r);
            }
        }
        None
    }

    fn exec(
        &mut self,
        s: &'f Stmt,
        env: &mut HashMap<String, Val>,
        frame: &mut Frame<'f>,
        observer: &mut Option<&mut dyn Observer<'f>>,
    ) -> Option<Val> {
        self.executed += 1;
        match &s.kind {
            StmtKind::Assign { targets, value } => {
                self.unresolved = None;
                let v = self.eval(value, env, frame);
                if let (Some(why), Val::Unknown, Some(class)) =
                    (self.unresolved.take(), &v, frame.class)
                {
                    for t in targets {
                        if let ExprKind::Attribute { value, attr } = &t.kind
                            && matches!(&value.kind, ExprKind::Name(n) if n == "self")
                        {
                            self.why_unknown
                                .insert((class.name.clone(), attr.clone()), why.clone());
                        }
                    }
                }
                for t in targets {
                    self.assign(t, v.clone(), env, frame);
                }
                self.observe(s, env, frame, observer);
            }
            StmtKind::AnnAssign {
                target,
                value: Some(value),
                ..
            } => {
                let v = self.eval(value, env, frame);
                self.assign(target, v, env, frame);
                self.observe(s, env, frame, observer);
            }
            StmtKind::AugAssign { target, op, value } => {
                let cur = self.eval(target, env, frame);
                let rhs = self.eval(value, env, frame);
                let v = self.binop(*op, cur, rhs);
                self.assign(target, v, env, frame);
                self.observe(s, env, frame, observer);
            }
            StmtKind::Return(v) => {
                let r = v.as_ref().map_or(Val::NoneV, |e| self.eval(e, env, frame));
                self.observe(s, env, frame, observer);
                return Some(r);
            }
            StmtKind::Expr(e) if self.sequential_init(e, env, frame) => {
                self.observe(s, env, frame, observer);
            }
            StmtKind::Expr(e) => {
                // `layers.append(block)` / `.extend([...])` on a list or module container whose
                // items are known: the container grows by what is known (anything else below
                // makes it unknown).
                if let ExprKind::Call(c) = &e.kind
                    && let ExprKind::Attribute { value, attr } = &c.func.kind
                    && matches!(attr.as_str(), "append" | "extend")
                    && c.keywords.is_empty()
                    && let [arg] = c.args.as_slice()
                    && !matches!(arg.kind, ExprKind::Starred(_))
                    && let cur @ (Val::Tuple(_) | Val::Modules { .. }) =
                        self.eval(value, env, frame)
                {
                    let added = self.eval(arg, env, frame);
                    let grown = match (cur, attr.as_str(), added) {
                        (Val::Tuple(mut items), "append", v) => {
                            items.push(v);
                            Some(Val::Tuple(items))
                        }
                        (
                            Val::Tuple(mut items),
                            _,
                            Val::Tuple(more) | Val::Modules { items: more, .. },
                        ) => {
                            items.extend(more);
                            Some(Val::Tuple(items))
                        }
                        (
                            Val::Modules {
                                mut items,
                                sequential,
                            },
                            "append",
                            v,
                        ) => {
                            items.push(v);
                            Some(Val::Modules { items, sequential })
                        }
                        (
                            Val::Modules {
                                mut items,
                                sequential,
                            },
                            _,
                            Val::Tuple(more) | Val::Modules { items: more, .. },
                        ) => {
                            items.extend(more);
                            Some(Val::Modules { items, sequential })
                        }
                        _ => None,
                    };
                    let is_target = |e: &Expr| match &e.kind {
                        ExprKind::Name(n) => n != "self",
                        ExprKind::Attribute { value, .. } => {
                            matches!(&value.kind, ExprKind::Name(n) if n == "self")
                        }
                        _ => false,
                    };
                    match grown {
                        Some(v) if is_target(value) => self.assign(value, v, env, frame),
                        _ => self.forget(value, env, frame),
                    }
                    self.observe(s, env, frame, observer);
                    return None;
                }
                // `self.register_buffer('k_bias', t)`: an attribute like any other.
                if let ExprKind::Call(c) = &e.kind
                    && let ExprKind::Attribute { value, attr } = &c.func.kind
                    && matches!(&value.kind, ExprKind::Name(n) if n == "self")
                    && matches!(attr.as_str(), "register_buffer" | "register_parameter")
                    && let [name, v, ..] = c.args.as_slice()
                    && let ExprKind::Str(name) = &name.kind
                {
                    let v = self.eval(v, env, frame);
                    frame.attrs.insert(name.clone(), v);
                    self.observe(s, env, frame, observer);
                    return None;
                }
                // `kw.setdefault('inplace', inplace)` / `kw.update(k=v)` on a dict of known
                // keys (timm's `act_kwargs`): the dict as Python leaves it.
                if let ExprKind::Call(c) = &e.kind
                    && let ExprKind::Attribute { value, attr } = &c.func.kind
                    && matches!(&value.kind, ExprKind::Name(n) if n != "self")
                    && matches!(attr.as_str(), "setdefault" | "update")
                    && let Val::Dict(mut items) = self.eval(value, env, frame)
                {
                    let args: Vec<Val> = c.args.iter().map(|a| self.eval(a, env, frame)).collect();
                    let mut known = true;
                    match (attr.as_str(), args.as_slice()) {
                        ("setdefault", [Val::Str(k), v]) if c.keywords.is_empty() => {
                            if !items.iter().any(|(n, _)| n == k) {
                                items.push((k.clone(), v.clone()));
                            }
                        }
                        ("update", []) => {
                            for k in &c.keywords {
                                let v = self.eval(&k.value, env, frame);
                                match &k.name {
                                    Some(n) => {
                                        items.retain(|(m, _)| m != n);
                                        items.push((n.clone(), v));
                                    }
                                    None => known = false,
                                }
                            }
                        }
                        _ => known = false,
                    }
                    if known {
                        self.assign(value, Val::Dict(items), env, frame);
                    } else {
                        self.forget(value, env, frame);
                    }
                    self.observe(s, env, frame, observer);
                    return None;
                }
                self.eval(e, env, frame);
                // `layers.append(...)`, `self.blocks.extend(...)`: a list or module container
                // changed in place is no longer the value read before (an empty list read as
                // "no layers" is a confident identity); it becomes unknown.
                if let ExprKind::Call(c) = &e.kind
                    && let ExprKind::Attribute { value, attr } = &c.func.kind
                    && matches!(
                        attr.as_str(),
                        "append"
                            | "extend"
                            | "insert"
                            | "pop"
                            | "remove"
                            | "clear"
                            | "reverse"
                            | "sort"
                            | "add_module"
                            | "register_module"
                            | "update"
                            | "setdefault"
                    )
                {
                    self.forget(value, env, frame);
                }
                if let ExprKind::Call(c) = &e.kind
                    && c.func.dotted().as_deref() == Some("setattr")
                    && let Some(obj) = c.args.first()
                    && matches!(&obj.kind, ExprKind::Name(n) if n == "self")
                {
                    frame.attrs.clear();
                }
                self.observe(s, env, frame, observer);
            }
            StmtKind::If { test, body, orelse } => {
                self.observe(s, env, frame, observer);
                let cond = self.truth(test, env, frame);
                match cond {
                    Some(true) => return self.exec_block_obs(body, env, frame, observer),
                    Some(false) => return self.exec_block_obs(orelse, env, frame, observer),
                    None => {
                        let mut a = env.clone();
                        let mut b = env.clone();
                        let attrs = frame.attrs.clone();
                        let ra = self.exec_block_obs(body, &mut a, frame, observer);
                        let attrs_a = std::mem::replace(&mut frame.attrs, attrs);
                        let rb = self.exec_block_obs(orelse, &mut b, frame, observer);
                        let attrs_b = frame.attrs.clone();
                        merge_into(env, &a, &b);
                        // Layers built in only one branch of an unknown condition are unknown.
                        merge_into(&mut frame.attrs, &attrs_a, &attrs_b);
                        // A return in only one branch: the function's result is not known here.
                        if ra.is_some() || rb.is_some() {
                            return match (ra, rb) {
                                (Some(x), Some(y)) if x == y => Some(x),
                                (Some(_), Some(_)) => Some(Val::Unknown),
                                _ => None,
                            };
                        }
                    }
                }
            }
            StmtKind::For {
                target, iter, body, ..
            } => {
                self.observe(s, env, frame, observer);
                let it = self.eval(iter, env, frame);
                // Unrolled when the items are known, few, and nothing jumps out of the body
                // (`break`, `continue` are not followed), within the statement budget.
                let unroll = !has_jump(body, self.file_of(frame)) && self.executed < MAX_UNROLLED;
                match it {
                    Val::Modules { items, .. } | Val::Tuple(items)
                        if items.len() <= MAX_TRIPS && unroll =>
                    {
                        for item in items {
                            self.assign(target, item, env, frame);
                            if let Some(r) = self.exec_block_obs(body, env, frame, observer) {
                                return Some(r);
                            }
                        }
                    }
                    _ => {
                        let before = env.clone();
                        let attrs_before = frame.attrs.clone();
                        self.assign(target, Val::Unknown, env, frame);
                        let r = self.exec_block_obs(body, env, frame, observer);
                        // Values that change inside a loop of unknown length are unknown after
                        // it, the layers it builds (`self.blocks.append(...)`) included.
                        let after = env.clone();
                        merge_into(env, &before, &after);
                        let attrs_after = frame.attrs.clone();
                        merge_into(&mut frame.attrs, &attrs_before, &attrs_after);
                        if r.is_some() {
                            return Some(Val::Unknown);
                        }
                    }
                }
            }
            StmtKind::With { body, .. } => {
                self.observe(s, env, frame, observer);
                return self.exec_block_obs(body, env, frame, observer);
            }
            StmtKind::While { body, .. } => {
                self.observe(s, env, frame, observer);
                let before = env.clone();
                let attrs_before = frame.attrs.clone();
                self.exec_block_obs(body, env, frame, observer);
                let after = env.clone();
                merge_into(env, &before, &after);
                let attrs_after = frame.attrs.clone();
                merge_into(&mut frame.attrs, &attrs_before, &attrs_after);
            }
            StmtKind::Try { body, .. } => {
                return self.exec_block_obs(body, env, frame, observer);
            }
            _ => self.observe(s, env, frame, observer),
        }
        None
    }

    fn observe(
        &mut self,
        s: &'f Stmt,
        env: &mut HashMap<String, Val>,
        frame: &mut Frame<'f>,
        observer: &mut Option<&mut dyn Observer<'f>>,
    ) {
        let Some(obs) = observer.as_deref_mut() else {
            return;
        };
        let values = s
            .assigned_names()
            .into_iter()
            .map(|n| {
                let v = env.get(&n).cloned().unwrap_or(Val::Unknown);
                (n, v)
            })
            .collect();
        let (bindings, problems): (Vec<String>, Vec<String>) = std::mem::take(&mut self.problems)
            .into_iter()
            .partition(|p| p.starts_with(layers::BIND_PREFIX));
        let bindings = bindings
            .iter()
            .filter_map(|b| {
                let (sym, v) = b[layers::BIND_PREFIX.len()..].split_once('=')?;
                Some((sym.to_string(), DimExpr::parse(v).ok()?))
            })
            .collect::<Vec<_>>();
        for (sym, v) in &bindings {
            if !v.symbols().contains(sym) {
                self.bound.entry(sym.clone()).or_insert_with(|| v.clone());
            }
        }
        let record = Record {
            stmt: s,
            values,
            layer: self.layer.take(),
            problems,
            gap: self.gap.take(),
            layers: std::mem::take(&mut self.layers_called),
            bindings,
        };
        obs.after(record, env, &mut frame.attrs);
    }

    fn truth(
        &mut self,
        test: &Expr,
        env: &mut HashMap<String, Val>,
        frame: &mut Frame<'f>,
    ) -> Option<bool> {
        // `self.x is not None` / `self.x is None` / `if self.flag` with known values.
        let file = self.file_of(frame);
        let text = file.text(test.span).replace(' ', "");
        let ident = |n: &str| !n.is_empty() && n.chars().all(|c| c.is_alphanumeric() || c == '_');
        // Only `self.name`, `self.name is None` and `self.name is not None` here; any other
        // test that starts with `self.` (`self.stride == 1`) is a comparison, read below.
        if let Some(rest) = text.strip_prefix("self.")
            && (ident(rest)
                || rest.strip_suffix("isnotNone").is_some_and(ident)
                || rest.strip_suffix("isNone").is_some_and(ident))
        {
            let (name, negate) = if let Some(n) = rest.strip_suffix("isnotNone") {
                (n, false)
            } else if let Some(n) = rest.strip_suffix("isNone") {
                (n, true)
            } else {
                return match frame.attrs.get(rest)? {
                    Val::Bool(b) => *b,
                    _ => None,
                };
            };
            let v = frame.attrs.get(name)?;
            let is_none = match v {
                Val::NoneV => true,
                Val::Unknown => return None,
                _ => false,
            };
            return Some(is_none == negate);
        }
        if let ExprKind::UnaryOp {
            op: UnaryOp::Not,
            operand,
        } = &test.kind
        {
            return self.truth(operand, env, frame).map(|b| !b);
        }
        // Comparisons (`a == b`, `a is None`, `drop > 0.`) and `a and b`, `a or b` are
        // `Other([left, right, ...])` in pymodel; the operator is the text between.
        if let ExprKind::Other(parts) = &test.kind
            && let [l, r, ..] = parts.as_slice()
            && l.span.end <= r.span.start
        {
            let op = op_between(file, l, r);
            if op == "and" || op == "or" {
                // Python's short circuit: a decided first operand may settle it alone.
                let mut all = Some(true);
                for p in parts {
                    match (self.truth(p, env, frame), op.as_str()) {
                        (Some(false), "and") => return Some(false),
                        (Some(true), "or") => return Some(true),
                        (None, _) => all = None,
                        _ => {}
                    }
                }
                return all.map(|_| op == "and");
            }
            if parts.len() != 2 {
                return None;
            }
            let (a, b) = (self.eval(l, env, frame), self.eval(r, env, frame));
            if op == "in" || op == "not in" {
                // Tagged by kind: `1 in ('1',)` is false in Python.
                let literal = |v: &Val| match v {
                    Val::Str(s) => Some(format!("s:{s}")),
                    Val::Int(Some(d)) => d.eval(&|_| None).ok().map(|i| format!("i:{i}")),
                    _ => None,
                };
                let found = match (&a, &b) {
                    (Val::Str(x), Val::Str(y)) => Some(y.contains(x.as_str())),
                    (x, Val::Tuple(items)) => {
                        let x = literal(x)?;
                        let items: Option<Vec<String>> = items.iter().map(literal).collect();
                        Some(items?.contains(&x))
                    }
                    _ => None,
                }?;
                return Some(found == (op == "in"));
            }
            let number = |v: &Val| match v {
                Val::Int(Some(d)) => d.eval(&|_| None).ok().map(|i| i as f64),
                Val::Float(Some(f)) => Some(*f),
                Val::Bool(Some(b)) => Some(*b as i64 as f64),
                _ => None,
            };
            if let (Some(x), Some(y)) = (number(&a), number(&b)) {
                return match op.as_str() {
                    "==" => Some(x == y),
                    "!=" => Some(x != y),
                    "<" => Some(x < y),
                    "<=" => Some(x <= y),
                    ">" => Some(x > y),
                    ">=" => Some(x >= y),
                    _ => None,
                };
            }
            let equal = match (&a, &b) {
                (Val::Str(x), Val::Str(y)) => Some(x == y),
                (Val::NoneV, Val::NoneV) => Some(true),
                (Val::NoneV, Val::Unknown) | (Val::Unknown, Val::NoneV) => None,
                (Val::NoneV, _) | (_, Val::NoneV) => Some(false),
                _ => None,
            }?;
            return match op.as_str() {
                "==" | "is" => Some(equal),
                "!=" | "is not" => Some(!equal),
                _ => None,
            };
        }
        // A value's own truth: `if init_values:` with init_values None, `if self.flag:`.
        match self.eval(test, env, frame) {
            Val::NoneV => Some(false),
            Val::Bool(b) => b,
            Val::Int(Some(d)) => d.eval(&|_| None).ok().map(|i| i != 0),
            Val::Float(Some(f)) => Some(f != 0.0),
            Val::Str(s) => Some(!s.is_empty()),
            Val::Tuple(items) => Some(!items.is_empty()),
            Val::Dict(items) => Some(!items.is_empty()),
            // A torch layer or a class has no `__len__`: always true.
            Val::Layer(_) | Val::Ctor(_) | Val::Class { .. } => Some(true),
            // `functools.partial` objects have no `__len__` or `__bool__` either
            // (`conv_layer or StdConv2d` with a partial given).
            Val::Partial { .. } => Some(true),
            // A config object given with --kwargs (a dataclass instance: no `__len__`), or an
            // instance of a class of the tree that subclasses nn.Module directly and defines
            // neither `__bool__` nor `__len__` (`layers or LayerFn()`): true.
            Val::User { class, file, .. } => {
                if class == "<object>" {
                    return Some(true);
                }
                let (_, c) = self.scope.file(file).class(&class)?;
                let plain = c.bases.iter().all(|b| {
                    b.dotted().is_some_and(|d| {
                        matches!(d.as_str(), "nn.Module" | "torch.nn.Module" | "Module")
                    })
                }) && !c.bases.is_empty();
                let sized = c.method("__len__").is_some() || c.method("__bool__").is_some();
                (plain && !sized).then_some(true)
            }
            _ => None,
        }
    }

    fn assign(
        &mut self,
        target: &Expr,
        v: Val,
        env: &mut HashMap<String, Val>,
        frame: &mut Frame<'f>,
    ) {
        match &target.kind {
            ExprKind::Name(n) => {
                env.insert(n.clone(), v);
            }
            ExprKind::Attribute { value, attr } if matches!(&value.kind, ExprKind::Name(n) if n == "self") =>
            {
                if frame.attrs.contains_key(SEQUENTIAL) {
                    let fresh = !frame.attrs.contains_key(attr);
                    sequential_register(&mut frame.attrs, fresh, &v);
                }
                frame.attrs.insert(attr.clone(), v);
            }
            ExprKind::Tuple(items) | ExprKind::List(items) => {
                let parts: Option<Vec<Val>> = match v {
                    Val::Tuple(vals) if vals.len() == items.len() => Some(vals),
                    _ => None,
                };
                for (i, t) in items.iter().enumerate() {
                    let item = parts.as_ref().map_or(Val::Unknown, |p| p[i].clone());
                    self.assign(t, item, env, frame);
                }
            }
            // `layers[i] = block`, `self.blocks[k] = ...`: the container changed in place.
            // `layers["a"] = block` on a dict of known keys (an OrderedDict of layers).
            ExprKind::Subscript { value, index }
                if matches!(&value.kind, ExprKind::Name(n) if matches!(env.get(n), Some(Val::Dict(_))))
                    && matches!(index.kind, ExprKind::Str(_)) =>
            {
                let (ExprKind::Name(n), ExprKind::Str(k)) = (&value.kind, &index.kind) else {
                    unreachable!("matched above")
                };
                if let Some(Val::Dict(items)) = env.get_mut(n) {
                    match items.iter_mut().find(|(m, _)| m == k) {
                        Some((_, slot)) => *slot = v,
                        None => items.push((k.clone(), v)),
                    }
                }
            }
            ExprKind::Subscript { value, .. } => self.forget(value, env, frame),
            ExprKind::Attribute { value, .. } => self.forget(value, env, frame),
            ExprKind::Starred(inner) => self.assign(inner, Val::Unknown, env, frame),
            _ => {}
        }
    }

    /// The value named by `target` (`layers`, `self.blocks`) becomes unknown: it was changed
    /// in a way the interpreter does not follow.
    /// In `__init__` of an `nn.Sequential` subclass: `super().__init__(a, b)` (or
    /// `nn.Sequential.__init__(self, ...)`) starts its layers, `self.add_module(name, m)` adds
    /// one. Returns whether `e` was one of those. Layers given in a form not followed
    /// (`OrderedDict`, `*layers` of unknown length, keywords) make the sequence unknown.
    fn sequential_init(
        &mut self,
        e: &Expr,
        env: &mut HashMap<String, Val>,
        frame: &mut Frame<'f>,
    ) -> bool {
        let Some(class) = frame.class else {
            return false;
        };
        let ExprKind::Call(c) = &e.kind else {
            return false;
        };
        let ExprKind::Attribute { value, attr } = &c.func.kind else {
            return false;
        };
        // `class SimpleStemIN(Conv2dNormActivation)`: torchvision's block (see
        // `torchvision_build`), built by `super().__init__(...)`.
        if attr == "__init__"
            && matches!(&value.kind, ExprKind::Call(s) if s.func.dotted().as_deref() == Some("super"))
            && let [base] = class.bases.as_slice()
            && let ExprKind::Name(b) = &base.kind
            && let Some(orig) = self.torchvision_origin(frame, b)
            && c.args
                .iter()
                .all(|a| !matches!(a.kind, ExprKind::Starred(_)))
            && c.keywords.iter().all(|k| k.name.is_some())
        {
            let args: Vec<Val> = c.args.iter().map(|a| self.eval(a, env, frame)).collect();
            let kwargs: Vec<(String, Val)> = c
                .keywords
                .iter()
                .map(|k| {
                    (
                        k.name.clone().unwrap_or_default(),
                        self.eval(&k.value, env, frame),
                    )
                })
                .collect();
            let seq = self
                .torchvision_build(frame, &orig, b, &args, &kwargs)
                .unwrap_or(Val::Unknown);
            frame.attrs.insert(SEQUENTIAL.into(), seq);
            return true;
        }
        if !is_sequential_subclass(class) {
            return false;
        }
        let is_self = |e: &Expr| matches!(&e.kind, ExprKind::Name(n) if n == "self");
        let via_super =
            matches!(&value.kind, ExprKind::Call(s) if s.func.dotted().as_deref() == Some("super"));
        let via_base = value
            .dotted()
            .is_some_and(|d| d.rsplit('.').next() == Some("Sequential"))
            && c.args.first().is_some_and(is_self);
        if attr == "__init__" && (via_super || via_base) {
            let skip = usize::from(via_base);
            let mut items = Some(Vec::new());
            for a in &c.args[skip..] {
                let v = match &a.kind {
                    ExprKind::Starred(inner) => match self.eval(inner, env, frame) {
                        Val::Tuple(vs) | Val::Modules { items: vs, .. } => vs,
                        _ => {
                            items = None;
                            break;
                        }
                    },
                    _ => match self.eval(a, env, frame) {
                        // `super().__init__(layers)` with an OrderedDict: its values, in order.
                        Val::Dict(named) if c.args.len() == skip + 1 => {
                            named.into_iter().map(|(_, v)| v).collect()
                        }
                        Val::Dict(_) => {
                            items = None;
                            break;
                        }
                        v => vec![v],
                    },
                };
                if let Some(items) = items.as_mut() {
                    items.extend(v);
                }
            }
            let seq = match items {
                Some(items) if c.keywords.is_empty() => Val::Modules {
                    items,
                    sequential: true,
                },
                _ => Val::Unknown,
            };
            frame.attrs.insert(SEQUENTIAL.into(), seq);
            return true;
        }
        if attr == "add_module" && is_self(value) && frame.attrs.contains_key(SEQUENTIAL) {
            let m = match c.args.as_slice() {
                [_, m] => self.eval(m, env, frame),
                _ => Val::Unknown,
            };
            let name = c.args.first().and_then(|n| match &n.kind {
                ExprKind::Str(s) => Some(s.clone()),
                _ => None,
            });
            let fresh = name.as_ref().is_some_and(|n| !frame.attrs.contains_key(n));
            sequential_register(&mut frame.attrs, fresh, &m);
            if let Some(n) = name {
                frame.attrs.insert(n, m);
            }
            return true;
        }
        false
    }

    fn forget(&mut self, target: &Expr, env: &mut HashMap<String, Val>, frame: &mut Frame<'f>) {
        match &target.kind {
            ExprKind::Name(n) if n != "self" => {
                env.insert(n.clone(), Val::Unknown);
            }
            ExprKind::Attribute { value, attr } if matches!(&value.kind, ExprKind::Name(n) if n == "self") =>
            {
                frame.attrs.insert(attr.clone(), Val::Unknown);
            }
            ExprKind::Attribute { value, .. } | ExprKind::Subscript { value, .. } => {
                self.forget(value, env, frame)
            }
            _ => {}
        }
    }

    fn eval(&mut self, e: &Expr, env: &mut HashMap<String, Val>, frame: &mut Frame<'f>) -> Val {
        match &e.kind {
            ExprKind::Name(n) => match env.get(n) {
                Some(v) => v.clone(),
                None if layers::signature(n).is_some()
                    && self.file_of(frame).class(n).is_none() =>
                {
                    Val::Ctor(n.clone())
                }
                None => match self.scope.resolve(frame.file, n) {
                    Ok(Some(Def::Class(file, class))) => Val::Class {
                        class: class.name.clone(),
                        file,
                    },
                    _ => self.module_constant(n, frame),
                },
            },
            ExprKind::Int(v) => Val::Int(Some(int(*v))),
            ExprKind::Float(v) => Val::Float(Some(*v)),
            ExprKind::Bool(b) => Val::Bool(Some(*b)),
            ExprKind::Str(s) => Val::Str(s.clone()),
            ExprKind::NoneLit => Val::NoneV,
            ExprKind::Tuple(items) | ExprKind::List(items) => {
                if items.iter().any(|i| matches!(i.kind, ExprKind::Starred(_))) {
                    let mut out = Vec::new();
                    for i in items {
                        match &i.kind {
                            ExprKind::Starred(inner) => match self.eval(inner, env, frame) {
                                Val::Tuple(v) => out.extend(v),
                                _ => return Val::Unknown,
                            },
                            _ => out.push(self.eval(i, env, frame)),
                        }
                    }
                    return Val::Tuple(out);
                }
                Val::Tuple(items.iter().map(|i| self.eval(i, env, frame)).collect())
            }
            ExprKind::UnaryOp {
                op: UnaryOp::Neg,
                operand,
            } => match self.eval(operand, env, frame) {
                Val::Int(d) => Val::Int(d.map(|d| simplify(&DimExpr::Neg(Box::new(d))))),
                t @ Val::Tensor(_) => t,
                Val::Float(v) => Val::Float(v.map(|v| -v)),
                _ => Val::Unknown,
            },
            ExprKind::UnaryOp {
                op: UnaryOp::Not,
                operand,
            } => match self.eval(operand, env, frame) {
                Val::Bool(b) => Val::Bool(b.map(|b| !b)),
                _ => Val::Bool(None),
            },
            ExprKind::Attribute { value, attr } => {
                if matches!(&value.kind, ExprKind::Name(n) if n == "self") {
                    // Class-body constants are in `attrs` from `instantiate` on.
                    return frame.attrs.get(attr).cloned().unwrap_or(Val::Unknown);
                }
                // `nn.BatchNorm2d` as a value (a default `norm_layer`): a constructor.
                if layers::signature(attr).is_some()
                    && value
                        .dotted()
                        .is_some_and(|d| !d.starts_with("self") && !env.contains_key(&d))
                {
                    return Val::Ctor(attr.clone());
                }
                let base = self.eval(value, env, frame);
                match (base, attr.as_str()) {
                    (Val::Tensor(Some(dims)), "shape") => {
                        Val::Tuple(dims.into_iter().map(Val::Int).collect())
                    }
                    (Val::Tensor(Some(dims)), "ndim") => Val::Int(Some(int(dims.len() as i64))),
                    (Val::Tensor(Some(mut dims)), "T" | "mT") if dims.len() >= 2 => {
                        let n = dims.len();
                        dims.swap(n - 1, n - 2);
                        Val::Tensor(Some(dims))
                    }
                    // `self.qkv.weight` of a Linear: [out_features, in_features].
                    (Val::Layer(l), "weight") if l.ctor == "Linear" => {
                        match (l.get("out_features"), l.get("in_features")) {
                            (Val::Int(o), Val::Int(i)) => {
                                Val::Tensor(Some(vec![o.clone(), i.clone()]))
                            }
                            _ => Val::Tensor(None),
                        }
                    }
                    (Val::Layer(l), a) => l.get(a).clone(),
                    (Val::User { attrs, .. }, a) => attrs.get(a).cloned().unwrap_or(Val::Unknown),
                    // `block.expansion` on a class passed as a value (torchvision's ResNet).
                    (Val::Class { class, file }, a) => match self.scope.file(file).class(&class) {
                        Some((_, cls)) => {
                            let probe = Frame {
                                class: Some(cls),
                                file,
                                attrs: HashMap::new(),
                                depth: frame.depth,
                            };
                            self.class_constants(cls, &probe)
                                .remove(a)
                                .unwrap_or(Val::Unknown)
                        }
                        None => Val::Unknown,
                    },
                    _ => Val::Unknown,
                }
            }
            ExprKind::BinOp { op, left, right } => {
                let l = self.eval(left, env, frame);
                let r = self.eval(right, env, frame);
                self.binop(*op, l, r)
            }
            ExprKind::Subscript { value, index } => {
                let base = self.eval(value, env, frame);
                self.subscript(base, index, env, frame)
            }
            ExprKind::IfExp { test, body, orelse } => {
                match self.truth(test, env, frame) {
                    Some(true) => return self.eval(body, env, frame),
                    Some(false) => return self.eval(orelse, env, frame),
                    None => {}
                }
                let a = self.eval(body, env, frame);
                let b = self.eval(orelse, env, frame);
                merge_values(a, b)
            }
            ExprKind::Call(c) => self.call(e, c, env, frame),
            // `out_chs or in_chs`, `a and b and c`: Python's value of the operand the truth
            // selects (the first that decides, else the last).
            ExprKind::Other(parts)
                if parts.len() >= 2
                    && parts.windows(2).all(|w| w[0].span.end <= w[1].span.start)
                    && {
                        let file = self.file_of(frame);
                        let op = op_between(file, &parts[0], &parts[1]);
                        (op == "or" || op == "and")
                            && parts
                                .windows(2)
                                .all(|w| op_between(file, &w[0], &w[1]) == op)
                    } =>
            {
                let or = op_between(self.file_of(frame), &parts[0], &parts[1]) == "or";
                let (last, rest) = parts.split_last().expect("two or more");
                for p in rest {
                    match self.truth(p, env, frame) {
                        Some(t) if t == or => return self.eval(p, env, frame),
                        Some(_) => {}
                        None => return Val::Unknown,
                    }
                }
                self.eval(last, env, frame)
            }
            // A comparison (`aa_layer is not None`, `stride > 1`) is a bool, with its value
            // when the test is decided (`use_aa = aa_layer is not None and stride > 1`).
            ExprKind::Other(parts)
                if parts.len() == 2
                    && parts[0].span.end <= parts[1].span.start
                    && matches!(
                        op_between(self.file_of(frame), &parts[0], &parts[1]).as_str(),
                        "==" | "!=" | "<" | "<=" | ">" | ">=" | "is" | "is not" | "in" | "not in"
                    ) =>
            {
                Val::Bool(self.truth(e, env, frame))
            }
            ExprKind::Other(parts) => match self.comprehension(e, parts, env, frame) {
                Some(v) => v,
                None => self.dict_literal(e, parts, env, frame),
            },
            _ => Val::Unknown,
        }
    }

    /// Scalars of `math` and tensors made from sizes: `math.sqrt(d)` is a float;
    /// `torch.zeros(1, 1, dim)`, `torch.randn((T, D))` have those sizes; `nn.Parameter(t)` is
    /// `t`. `None`: not one of them.
    fn factory(&mut self, dotted: &str, args: &[Val]) -> Option<Val> {
        let (module, name) = dotted.rsplit_once('.')?;
        match (module, name) {
            (
                "math",
                "sqrt" | "log" | "log2" | "log10" | "exp" | "pow" | "sin" | "cos" | "tan" | "tanh"
                | "erf" | "fabs" | "atan2" | "hypot",
            ) => Some(Val::Float(None)),
            ("math", "ceil" | "floor" | "trunc") => {
                let v = match args {
                    [Val::Float(Some(f))] if f.is_finite() && f.abs() < 1e15 => Some(match name {
                        "ceil" => f.ceil(),
                        "floor" => f.floor(),
                        _ => f.trunc(),
                    }),
                    [Val::Int(Some(d))] => d.eval(&|_| None).ok().map(|i| i as f64),
                    _ => None,
                };
                Some(Val::Int(v.map(|v| int(v as i64))))
            }
            ("math", "isqrt" | "gcd") => Some(Val::Int(None)),
            ("torch", "zeros" | "ones" | "empty" | "randn" | "rand" | "full") => {
                let sizes: Vec<Val> = match args {
                    [Val::Tuple(items), ..] => items.clone(),
                    _ if name == "full" => return Some(self.gap("`torch.full` size unknown")),
                    _ => args.to_vec(),
                };
                let dims: Option<Vec<Dim>> = sizes
                    .iter()
                    .map(|v| match v {
                        Val::Int(d) => Some(d.clone()),
                        _ => None,
                    })
                    .collect();
                Some(match dims {
                    Some(dims) => Val::Tensor(Some(dims)),
                    None => self.gap(format!("`{dotted}` sizes unknown")),
                })
            }
            ("nn" | "torch.nn", "Parameter") => match args.first() {
                Some(t @ Val::Tensor(_)) => Some(t.clone()),
                _ => Some(Val::Unknown),
            },
            _ => None,
        }
    }

    /// `[Block(d) for _ in range(3)]` (or a generator in parentheses): one `for` over known
    /// items, at most 64, a plain name as target and no `if`; pymodel gives the element and
    /// the iterable, the target is read from the text between them. `None`: not that form.
    fn comprehension(
        &mut self,
        e: &Expr,
        parts: &[Expr],
        env: &mut HashMap<String, Val>,
        frame: &mut Frame<'f>,
    ) -> Option<Val> {
        let [elt, iter] = parts else {
            return None;
        };
        let file = self.file_of(frame);
        let text = file.text(e.span);
        if !(text.starts_with('[') && text.ends_with(']')
            || text.starts_with('(') && text.ends_with(')'))
            || elt.span.end > iter.span.start
        {
            return None;
        }
        let between: Vec<&str> = file
            .text(pymodel::Span::new(elt.span.end, iter.span.start))
            .split_whitespace()
            .collect();
        let [kw_for, target, kw_in] = between.as_slice() else {
            return None;
        };
        if *kw_for != "for"
            || *kw_in != "in"
            || !target.chars().all(|c| c.is_alphanumeric() || c == '_')
        {
            return None;
        }
        // The iterable's text must end where the comprehension does (no `if` after it).
        let rest = file
            .text(pymodel::Span::new(iter.span.end, e.span.end))
            .trim();
        if rest != "]" && rest != ")" {
            return None;
        }
        let items = match self.eval(iter, env, frame) {
            Val::Tuple(items) | Val::Modules { items, .. } if items.len() <= MAX_TRIPS => items,
            // `[Block(d) for _ in range(depth)]` with `depth` unknown: every element is the same
            // expression, not read from the loop, so each copy has the same shapes.
            _ if {
                let mut reads = false;
                elt.walk(&mut |x| {
                    if matches!(&x.kind, ExprKind::Name(n) if n == target) {
                        reads = true;
                    }
                });
                !reads
            } =>
            {
                let item = self.eval(elt, env, frame);
                if item == Val::Unknown {
                    return Some(Val::Unknown);
                }
                return Some(Val::Repeated {
                    head: vec![],
                    item: Box::new(item),
                    sequential: false,
                });
            }
            _ => return Some(Val::Unknown),
        };
        let saved = env.get(*target).cloned();
        let mut out = Vec::new();
        for item in items {
            env.insert(target.to_string(), item);
            out.push(self.eval(elt, env, frame));
        }
        // The target does not leak out of a comprehension.
        match saved {
            Some(v) => env.insert(target.to_string(), v),
            None => env.remove(*target),
        };
        Some(Val::Tuple(out))
    }

    /// `{'device': device, 'dtype': dtype}`: every key a string literal (pymodel gives a dict
    /// as its keys and values in turn; a `**splat` item, a comprehension or a set is unknown).
    fn dict_literal(
        &mut self,
        e: &Expr,
        parts: &[Expr],
        env: &mut HashMap<String, Val>,
        frame: &mut Frame<'f>,
    ) -> Val {
        let file = self.file_of(frame);
        let text = file.text(e.span).trim();
        if !text.starts_with('{') || !text.ends_with('}') {
            return Val::Unknown;
        }
        if text.split_whitespace().any(|w| w == "for") {
            return Val::Unknown;
        }
        // pymodel flattens the items: `'k': v` gives two parts, `**d` one; the text before a
        // part tells which (`**` before an unpacked dict, `:` between a key and its value).
        let between = |a: u32, b: u32| file.text(pymodel::Span::new(a, b.max(a)));
        let mut items: Vec<(String, Val)> = Vec::new();
        let mut prev = e.span.start;
        let mut i = 0;
        while i < parts.len() {
            // `**(kw or {})`: the part's span leaves out its parentheses.
            if between(prev, parts[i].span.start)
                .trim_end_matches(|c: char| c == '(' || c.is_whitespace())
                .ends_with("**")
            {
                match self.eval(&parts[i], env, frame) {
                    Val::Dict(more) => {
                        for (k, v) in more {
                            items.retain(|(n, _)| *n != k);
                            items.push((k, v));
                        }
                    }
                    _ => return Val::Unknown,
                }
                prev = parts[i].span.end;
                i += 1;
                continue;
            }
            let (ExprKind::Str(k), Some(value)) = (&parts[i].kind, parts.get(i + 1)) else {
                return Val::Unknown;
            };
            if !between(parts[i].span.end, value.span.start).contains(':') {
                return Val::Unknown; // a set literal
            }
            let v = self.eval(value, env, frame);
            items.retain(|(n, _)| n != k);
            items.push((k.clone(), v));
            prev = value.span.end;
            i += 2;
        }
        Val::Dict(items)
    }

    /// Module-level integer constants (`HIDDEN = 256`).
    fn module_constant(&mut self, name: &str, frame: &Frame<'f>) -> Val {
        for s in &self.file_of(frame).module().body {
            if let StmtKind::Assign { targets, value } = &s.kind
                && targets.len() == 1
                && matches!(&targets[0].kind, ExprKind::Name(n) if n == name)
                && let Some(v) = value.as_int()
            {
                return Val::Int(Some(int(v)));
            }
        }
        Val::Unknown
    }

    fn binop(&mut self, op: BinOp, l: Val, r: Val) -> Val {
        match (l, r) {
            (Val::Int(a), Val::Int(b)) => {
                let (Some(a), Some(b)) = (a, b) else {
                    return Val::Int(None);
                };
                let d = match op {
                    BinOp::Add => add(a, b),
                    BinOp::Sub => sub(a, b),
                    BinOp::Mult => mul(a, b),
                    BinOp::FloorDiv => fdiv(a, b),
                    // Python's modulo takes the divisor's sign; only numbers are computed.
                    BinOp::Mod => {
                        return Val::Int(match (a.eval(&|_| None).ok(), b.eval(&|_| None).ok()) {
                            (Some(a), Some(b)) if b != 0 => {
                                let r = a.rem_euclid(b.abs());
                                Some(int(if b > 0 || r == 0 { r } else { r + b }))
                            }
                            _ => None,
                        });
                    }
                    // Python's true division: a float, with its value when both are numbers.
                    BinOp::Div => {
                        return Val::Float(
                            match (a.eval(&|_| None).ok(), b.eval(&|_| None).ok()) {
                                (Some(a), Some(b)) if b != 0 => Some(a as f64 / b as f64),
                                _ => None,
                            },
                        );
                    }
                    // `2 ** len(stages)`: known integers only (VGG's 224 // 2 ** 5).
                    BinOp::Pow => match (&a, &b) {
                        (DimExpr::Int(x), DimExpr::Int(y)) if (0..=62).contains(y) => {
                            match x.checked_pow(*y as u32) {
                                Some(v) => int(v),
                                None => return Val::Int(None),
                            }
                        }
                        _ => return Val::Int(None),
                    },
                    _ => return Val::Int(None),
                };
                Val::Int(Some(simplify(&d)))
            }
            (Val::Tensor(a), Val::Tensor(b)) => match op {
                BinOp::MatMult => match (a, b) {
                    (Some(a), Some(b)) => self.matmul(&a, &b),
                    _ => self.gap("matmul of tensors of unknown rank"),
                },
                BinOp::Add
                | BinOp::Sub
                | BinOp::Mult
                | BinOp::Div
                | BinOp::Pow
                | BinOp::FloorDiv
                | BinOp::Mod => match (a, b) {
                    (Some(a), Some(b)) => {
                        let (a, b) = (self.with_facts(a), self.with_facts(b));
                        Val::Tensor(Some(broadcast(&a, &b)))
                    }
                    _ => Val::Tensor(None),
                },
                BinOp::Other => Val::Unknown,
            },
            (t @ Val::Tensor(_), Val::Int(_) | Val::Float(_))
            | (Val::Int(_) | Val::Float(_), t @ Val::Tensor(_)) => {
                if op == BinOp::MatMult {
                    Val::Unknown
                } else {
                    t
                }
            }
            // Float arithmetic on numbers is done as Python does it (IEEE doubles, same
            // order), so `int(planes * (base_width / 64.0))` gives Python's integer.
            (l @ (Val::Float(_) | Val::Int(_)), r @ (Val::Float(_) | Val::Int(_))) => {
                let num = |v: &Val| match v {
                    Val::Float(f) => *f,
                    Val::Int(Some(d)) => d.eval(&|_| None).ok().map(|i| i as f64),
                    _ => None,
                };
                Val::Float(match (num(&l), num(&r)) {
                    (Some(a), Some(b)) => match op {
                        BinOp::Add => Some(a + b),
                        BinOp::Sub => Some(a - b),
                        BinOp::Mult => Some(a * b),
                        BinOp::Div if b != 0.0 => Some(a / b),
                        _ => None,
                    },
                    _ => None,
                })
            }
            (Val::Tuple(a), Val::Tuple(b)) if op == BinOp::Add => {
                Val::Tuple(a.into_iter().chain(b).collect())
            }
            (
                Val::Tuple(a),
                Val::Repeated {
                    head,
                    item,
                    sequential: false,
                },
            ) if op == BinOp::Add => Val::Repeated {
                head: a.into_iter().chain(head).collect(),
                item,
                sequential: false,
            },
            _ => Val::Unknown,
        }
    }

    /// `dims` with the symbols the layers fixed (so far and in this statement) substituted:
    /// `x + self.conv(x)` adds `[B, C, H, W]` and `[B, in_channels, H, W]` after `C =
    /// in_channels`.
    fn with_facts(&self, dims: Vec<Dim>) -> Vec<Dim> {
        let mut facts = self.bound.clone();
        for p in &self.problems {
            if let Some((sym, v)) = p
                .strip_prefix(layers::BIND_PREFIX)
                .and_then(|b| b.split_once('='))
                && let Ok(v) = DimExpr::parse(v)
                && !v.symbols().iter().any(|s| s == sym)
            {
                facts.entry(sym.to_string()).or_insert(v);
            }
        }
        if facts.is_empty() {
            return dims;
        }
        dims.into_iter()
            .map(|d| {
                d.map(|mut d| {
                    for _ in 0..4 {
                        let next = d.substitute(&|s| facts.get(s).cloned());
                        if next == d {
                            break;
                        }
                        d = next;
                    }
                    simplify(&d)
                })
            })
            .collect()
    }

    fn matmul(&mut self, a: &[Dim], b: &[Dim]) -> Val {
        if a.len() < 2 || b.len() < 2 {
            return self.gap("matmul with a 1-D operand is not modelled");
        }
        if let (Some(k1), Some(k2)) = (&a[a.len() - 1], &b[b.len() - 2])
            && let (Ok(x), Ok(y)) = (k1.eval(&|_| None), k2.eval(&|_| None))
            && x != y
        {
            self.problems
                .push(format!("matmul inner dimensions differ: {x} vs {y}"));
        }
        let batch = broadcast(&a[..a.len() - 2], &b[..b.len() - 2]);
        let mut out = batch;
        out.push(a[a.len() - 2].clone());
        out.push(b[b.len() - 1].clone());
        Val::Tensor(Some(out))
    }

    fn subscript(
        &mut self,
        base: Val,
        index: &Expr,
        env: &mut HashMap<String, Val>,
        frame: &mut Frame<'f>,
    ) -> Val {
        match base {
            Val::Tuple(items) => match self.eval(index, env, frame) {
                Val::Int(Some(d)) => match d.eval(&|_| None) {
                    Ok(i) => norm_dim(i, items.len()).map_or(Val::Unknown, |i| items[i].clone()),
                    Err(_) => Val::Unknown,
                },
                _ => match &index.kind {
                    ExprKind::Slice {
                        lower,
                        upper,
                        step: None,
                    } => {
                        let bound = |b: &Option<Box<Expr>>, default: i64| match b {
                            None => Some(default),
                            Some(e) => e.as_int(),
                        };
                        let n = items.len() as i64;
                        match (bound(lower, 0), bound(upper, n)) {
                            (Some(lo), Some(hi)) => {
                                let lo = if lo < 0 { (lo + n).max(0) } else { lo.min(n) } as usize;
                                let hi = if hi < 0 { (hi + n).max(0) } else { hi.min(n) } as usize;
                                Val::Tuple(items[lo..hi.max(lo)].to_vec())
                            }
                            _ => Val::Unknown,
                        }
                    }
                    _ => Val::Unknown,
                },
            },
            Val::Modules { items, .. } => match self.eval(index, env, frame) {
                Val::Int(Some(d)) => match d.eval(&|_| None) {
                    Ok(i) => norm_dim(i, items.len()).map_or(Val::Unknown, |i| items[i].clone()),
                    Err(_) => Val::Unknown,
                },
                _ => Val::Unknown,
            },
            Val::Tensor(Some(dims)) => self.index_tensor(dims, index, env, frame),
            _ => Val::Unknown,
        }
    }

    fn index_tensor(
        &mut self,
        dims: Vec<Dim>,
        index: &Expr,
        env: &mut HashMap<String, Val>,
        frame: &mut Frame<'f>,
    ) -> Val {
        let items: Vec<&Expr> = match &index.kind {
            ExprKind::Tuple(items) => items.iter().collect(),
            _ => vec![index],
        };
        let consumed = items
            .iter()
            .filter(|i| !matches!(i.kind, ExprKind::NoneLit | ExprKind::Ellipsis))
            .count();
        if consumed > dims.len() {
            return self.gap("too many indices");
        }
        let mut out = Vec::new();
        let mut pos = 0;
        for item in items {
            match &item.kind {
                ExprKind::Ellipsis => {
                    let skip = dims.len() - consumed;
                    out.extend_from_slice(&dims[pos..pos + skip]);
                    pos += skip;
                }
                ExprKind::NoneLit => out.push(Some(int(1))),
                ExprKind::Slice { lower, upper, step } => {
                    let d = dims[pos].clone();
                    pos += 1;
                    // A positive step `s` keeps ceil(span / s) elements.
                    let step = match step {
                        None => Some(1),
                        Some(e) => match self.eval(e, env, frame) {
                            Val::Int(Some(v)) => v.eval(&|_| None).ok().filter(|s| *s > 0),
                            _ => None,
                        },
                    };
                    let Some(step) = step else {
                        out.push(None);
                        continue;
                    };
                    let lo = match lower {
                        None => Some(int(0)),
                        Some(e) => match self.eval(e, env, frame) {
                            Val::Int(Some(v)) => Some(v),
                            _ => None,
                        },
                    };
                    let hi = match upper {
                        None => d.clone(),
                        Some(e) => match self.eval(e, env, frame) {
                            Val::Int(Some(v)) => Some(v),
                            _ => None,
                        },
                    };
                    // Negative bounds count from the end.
                    let fix = |b: DimExpr| match (b.eval(&|_| None), &d) {
                        (Ok(v), Some(n)) if v < 0 => Some(simplify(&add(n.clone(), int(v)))),
                        (Ok(v), _) if v < 0 => None,
                        _ => Some(b),
                    };
                    let span = match (lo.and_then(fix), hi.and_then(fix)) {
                        (Some(l), Some(h)) => {
                            // Python clamps the bounds to the size; with numbers, do the same.
                            match (
                                l.eval(&|_| None).ok(),
                                h.eval(&|_| None).ok(),
                                d.as_ref().and_then(|n| n.eval(&|_| None).ok()),
                            ) {
                                (Some(l), Some(h), Some(n)) => {
                                    Some(int((h.min(n) - l.min(n)).max(0)))
                                }
                                _ => Some(simplify(&sub(h, l))),
                            }
                        }
                        _ => None,
                    };
                    out.push(span.map(|sp| {
                        if step == 1 {
                            sp
                        } else {
                            simplify(&fdiv(add(sp, int(step - 1)), int(step)))
                        }
                    }));
                }
                _ => match self.eval(item, env, frame) {
                    Val::Int(_) => pos += 1,
                    _ => return self.gap("advanced indexing is not modelled"),
                },
            }
        }
        out.extend_from_slice(&dims[pos..]);
        Val::Tensor(Some(out))
    }

    fn call(
        &mut self,
        e: &Expr,
        c: &Call,
        env: &mut HashMap<String, Val>,
        frame: &mut Frame<'f>,
    ) -> Val {
        let dotted = c.func.dotted();
        // `nn.Sequential(*blocks)` of a list of unknown length (see `Val::Repeated`).
        if let Some(d) = &dotted
            && (d == "nn.Sequential" || d == "torch.nn.Sequential" || d == "Sequential")
            && c.keywords.is_empty()
            && let [only] = c.args.as_slice()
            && let ExprKind::Starred(inner) = &only.kind
            && let Val::Repeated { head, item, .. } = self.eval(inner, env, frame)
        {
            return Val::Repeated {
                head,
                item,
                sequential: true,
            };
        }
        // `kw.get('act_layer')`, `kw.pop('aa_layer', None)` on a dict of known keys (a
        // literal, `dict(...)`, a function's `**kwargs`): the value, else the default (`None`
        // without one; `pop` without a default of a missing key raises: unknown). `pop` takes
        // the key out of the dict as Python does.
        if let ExprKind::Attribute { value, attr } = &c.func.kind
            && let ExprKind::Name(n) = &value.kind
            && matches!(attr.as_str(), "get" | "pop")
            && let Some(Val::Dict(items)) = env.get(n)
            && c.keywords.is_empty()
            && let [key, rest @ ..] = c.args.as_slice()
            && rest.len() <= 1
            && let ExprKind::Str(k) = &key.kind
        {
            let found = items.iter().find(|(m, _)| m == k).map(|(_, v)| v.clone());
            let default = match rest {
                [d] => Some(self.eval(d, env, frame)),
                _ => None,
            };
            if attr == "pop"
                && let Some(Val::Dict(items)) = env.get_mut(n)
            {
                items.retain(|(m, _)| m != k);
            }
            return match (found, default) {
                (Some(v), _) => v,
                (None, Some(d)) => d,
                (None, None) if attr == "get" => Val::NoneV,
                (None, None) => Val::Unknown,
            };
        }
        let mut args = Vec::new();
        for a in &c.args {
            match &a.kind {
                ExprKind::Starred(inner) => match self.eval(inner, env, frame) {
                    Val::Tuple(items) => args.extend(items),
                    _ => return self.gap("call with *args of unknown length"),
                },
                _ => args.push(self.eval(a, env, frame)),
            }
        }
        let mut kwargs = Vec::new();
        for k in &c.keywords {
            match &k.name {
                Some(n) => kwargs.push((n.clone(), self.eval(&k.value, env, frame))),
                None => match self.eval(&k.value, env, frame) {
                    Val::Dict(items) => kwargs.extend(items),
                    _ => return self.gap("call with **kwargs"),
                },
            }
        }
        // `getattr(self, 'aa', None)`: the attribute `__init__` set, else the default when the
        // class body defines nothing of that name (no method, property or constant).
        if dotted.as_deref() == Some("getattr")
            && let [obj, name, rest @ ..] = c.args.as_slice()
            && rest.len() <= 1
            && matches!(&obj.kind, ExprKind::Name(n) if n == "self")
            && let ExprKind::Str(attr) = &name.kind
            && let Some(class) = frame.class
            && !env.contains_key("getattr")
        {
            if let Some(v) = frame.attrs.get(attr) {
                return v.clone();
            }
            let defined = class.body.iter().any(|s| match &s.kind {
                StmtKind::FunctionDef(f) => f.name == *attr,
                StmtKind::Assign { targets, .. } => targets
                    .iter()
                    .any(|t| matches!(&t.kind, ExprKind::Name(n) if n == attr)),
                StmtKind::AnnAssign { target, .. } => {
                    matches!(&target.kind, ExprKind::Name(n) if n == attr)
                }
                _ => false,
            });
            // Attributes set by name at run time (`setattr`, `add_module`) may be it.
            let class_text = self.file_of(frame).text(class_span(class));
            let dynamic = [
                "setattr(",
                "add_module(",
                "register_module(",
                "__dict__",
                "register_buffer(",
                "register_parameter(",
            ]
            .iter()
            .any(|t| class_text.contains(t));
            // A base class other than nn.Module may define it too.
            let plain = !dynamic
                && class.bases.iter().all(|b| {
                    b.dotted().is_some_and(|d| {
                        matches!(d.as_str(), "nn.Module" | "torch.nn.Module" | "Module")
                    })
                });
            return match (rest, defined || !plain) {
                ([default], false) => self.eval(default, env, frame),
                _ => Val::Unknown,
            };
        }
        // `OrderedDict()`: an empty dict that keeps its insertion order (as `Val::Dict` does).
        if matches!(
            dotted.as_deref(),
            Some("OrderedDict" | "collections.OrderedDict")
        ) && c.args.is_empty()
            && c.keywords.is_empty()
            && self
                .scope
                .resolve(frame.file, "OrderedDict")
                .ok()
                .flatten()
                .is_none()
        {
            return Val::Dict(vec![]);
        }
        // `dict(act_layer=act_layer, **dd)`, `dict(base, k=v)`: a dict of known keys.
        if dotted.as_deref() == Some("dict")
            && self
                .scope
                .resolve(frame.file, "dict")
                .ok()
                .flatten()
                .is_none()
            && !env.contains_key("dict")
        {
            let mut items: Vec<(String, Val)> = match args.as_slice() {
                [] => vec![],
                [Val::Dict(base)] => base.clone(),
                _ => return Val::Unknown,
            };
            for (k, v) in kwargs {
                items.retain(|(n, _)| *n != k);
                items.push((k, v));
            }
            return Val::Dict(items);
        }
        if let Some(d @ ("isinstance" | "issubclass")) = dotted.as_deref()
            && let [v, _] = args.as_slice()
            && kwargs.is_empty()
            && self.scope.resolve(frame.file, d).ok().flatten().is_none()
        {
            let types = type_names(&c.args[1]);
            return Val::Bool(if d == "isinstance" {
                isinstance(v, &types)
            } else {
                self.issubclass(v, &types, frame)
            });
        }
        // timm's `to_2tuple(x)` / `to_ntuple(n)(x)`: a tuple stays, anything else is repeated.
        let ntuple = match &c.func.kind {
            ExprKind::Name(n) => match n.as_str() {
                "to_1tuple" => Some(1),
                "to_2tuple" => Some(2),
                "to_3tuple" => Some(3),
                "to_4tuple" => Some(4),
                _ => None,
            }
            .filter(|_| self.scope.imported_from_timm_layers(frame.file, n)),
            ExprKind::Call(inner)
                if inner.func.dotted().as_deref() == Some("to_ntuple")
                    && inner.keywords.is_empty()
                    && self
                        .scope
                        .imported_from_timm_layers(frame.file, "to_ntuple") =>
            {
                match inner.args.as_slice() {
                    [n] => n.as_int().and_then(|n| usize::try_from(n).ok()),
                    _ => None,
                }
            }
            _ => None,
        };
        if let Some(n) = ntuple
            && kwargs.is_empty()
            && let [x] = args.as_slice()
        {
            return match x {
                Val::Tuple(items) => Val::Tuple(items.clone()),
                Val::Int(_) | Val::Float(_) | Val::Bool(_) | Val::NoneV | Val::Str(_) => {
                    Val::Tuple(vec![x.clone(); n])
                }
                _ => Val::Unknown,
            };
        }
        let last = dotted
            .as_deref()
            .map(|d| d.rsplit('.').next().unwrap_or(d).to_string());
        // Method of the same class: `self._forward_features(x)`.
        if let Some(d) = &dotted
            && let Some(m) = d.strip_prefix("self.")
            && !m.contains('.')
            && let Some(class) = frame.class
            && let Some((_, f)) = class.method(m)
            && !frame.attrs.contains_key(m)
        {
            return self.call_function(
                Some(class),
                frame.file,
                f,
                frame.attrs.clone(),
                args,
                kwargs,
                frame.depth + 1,
            );
        }
        // Constructors.
        if let Some(name) = &last {
            if let Some(cfg) = layers::bind(
                name,
                args.clone(),
                kwargs.clone(),
                self.file_of(frame).text(e.span).to_string(),
            ) && dotted.as_deref().is_some_and(|d| {
                !d.starts_with("self.") && !d.starts_with("F.") && !d.starts_with("torch.")
                    || d.starts_with("torch.nn.") && !d.starts_with("torch.nn.functional")
            }) {
                return Val::Layer(Box::new(cfg));
            }
            match name.as_str() {
                "Sequential" | "ModuleList"
                    if dotted.as_deref().is_some_and(|d| !d.starts_with("self.")) =>
                {
                    let items = if name == "ModuleList" {
                        match args.into_iter().next() {
                            Some(Val::Tuple(items)) => items,
                            None => vec![],
                            _ => return self.gap("ModuleList built from a non-literal list"),
                        }
                    } else {
                        match args.as_slice() {
                            // `nn.Sequential(OrderedDict(...))`: its values, in order.
                            [Val::Dict(named)] => named.iter().map(|(_, v)| v.clone()).collect(),
                            _ => args,
                        }
                    };
                    return Val::Modules {
                        items,
                        sequential: name == "Sequential",
                    };
                }
                _ => {}
            }
        }
        // Classes and helpers of this file or imported from the files beside it. A bare name
        // imported from where it cannot be read (a library, a missing file) is only the reason
        // if nothing below models the call; a module path of the tree that lacks the name is.
        let mut unresolved = None;
        let def = match &dotted {
            Some(d)
                if !d.starts_with("self.")
                    && !env.contains_key(d.split('.').next().unwrap_or(d)) =>
            {
                match self.scope.resolve_dotted(frame.file, d) {
                    Ok(def) => def,
                    Err(why) if d.contains('.') => {
                        self.unresolved = Some(why.clone());
                        return self.gap(why);
                    }
                    Err(why) => {
                        unresolved = Some(why);
                        None
                    }
                }
            }
            _ => None,
        };
        if let Some(Def::Class(file, class)) = def {
            if frame.depth >= MAX_DEPTH {
                return self.gap("modules nested too deep");
            }
            let attrs = self.instantiate(file, class, args, kwargs, frame.depth + 1);
            return Val::User {
                class: class.name.clone(),
                file,
                attrs,
            };
        }
        if let Some(d) = &dotted
            && !d.contains('.')
        {
            // `partial(nn.LayerNorm, eps=1e-6)`: options that do not change shapes.
            if d == "partial"
                && let Some(Val::Ctor(name)) = args.first()
                && kwargs.iter().all(|(k, _)| {
                    matches!(
                        k.as_str(),
                        "eps"
                            | "momentum"
                            | "affine"
                            | "elementwise_affine"
                            | "inplace"
                            | "track_running_stats"
                    )
                })
            {
                return Val::Ctor(name.clone());
            }
            // `partial(Mlp, use_conv=True)`: a class of the tree with arguments bound early;
            // `partial(nn.Conv2d, kernel_size=1)`: a torch layer likewise (bound when called).
            if d == "partial"
                && let Some(callee @ (Val::Class { .. } | Val::Ctor(_))) = args.first()
            {
                return Val::Partial {
                    callee: Box::new(callee.clone()),
                    args: args[1..].to_vec(),
                    kwargs,
                };
            }
        }
        // Module-level helpers such as `conv3x3(in_planes, out_planes, stride)`.
        if let Some(Def::Function(file, f)) = def {
            if frame.depth >= MAX_DEPTH {
                return self.gap("calls nested too deep");
            }
            if let Some(conv) = super::timm::factory_conv(
                self.scope.path(file),
                &f.name,
                &args,
                &kwargs,
                self.file_of(frame).text(e.span).to_string(),
            ) {
                return conv;
            }
            if let Some(act) =
                super::timm::factory_act(self.scope.path(file), &f.name, &args, &kwargs)
            {
                return act;
            }
            match super::timm::factory_norm(self.scope.path(file), &f.name, &args, &kwargs) {
                Some(super::timm::NormPick::Val(v)) => return v,
                Some(super::timm::NormPick::Class(name, bound)) => {
                    // The class as the factory's own file names it (imported from its layers).
                    if let Ok(Some(Def::Class(cfile, class))) = self.scope.resolve(file, name) {
                        let callee = Val::Class {
                            class: class.name.clone(),
                            file: cfile,
                        };
                        return if bound.is_empty() {
                            callee
                        } else {
                            Val::Partial {
                                callee: Box::new(callee),
                                args: vec![],
                                kwargs: bound,
                            }
                        };
                    }
                }
                None => {}
            }
            return self.call_function(
                None,
                file,
                f,
                HashMap::new(),
                args,
                kwargs,
                frame.depth + 1,
            );
        }
        if def.is_none()
            && let Some(d) = &dotted
            && !env.contains_key(d)
            && let Some(v) = builtin(d, &args, &kwargs)
        {
            return v;
        }
        // Calling a module value.
        let callee = match &c.func.kind {
            ExprKind::Attribute { value, .. } if matches!(&value.kind, ExprKind::Name(n) if n == "self") => {
                Some(self.eval(&c.func, env, frame))
            }
            ExprKind::Name(n) if env.contains_key(n) => Some(self.eval(&c.func, env, frame)),
            // `layers.conv_norm_act(...)`: a constructor held by an object (a config given
            // with --kwargs, an instance of the tree), called. Only an attribute that is a
            // constructor or a module: anything else (a method) is not modelled here.
            ExprKind::Attribute { value, attr }
                if matches!(&value.kind, ExprKind::Name(n) if matches!(
                    env.get(n),
                    Some(Val::User { attrs, .. }) if attrs.get(attr).is_some_and(|v| matches!(
                        v,
                        Val::Partial { .. }
                            | Val::Class { .. }
                            | Val::Ctor(_)
                            | Val::Layer(_)
                            | Val::User { .. }
                            | Val::Modules { .. }
                    ))
                )) =>
            {
                Some(self.eval(&c.func, env, frame))
            }
            ExprKind::Subscript { .. } => Some(self.eval(&c.func, env, frame)),
            // `get_act_layer(name)()`: the class a call returned, called.
            ExprKind::Call(_) => Some(self.eval(&c.func, env, frame)),
            _ => None,
        };
        if let Some(module) = callee {
            if module == Val::Unknown
                && let ExprKind::Attribute { value, attr } = &c.func.kind
                && matches!(&value.kind, ExprKind::Name(n) if n == "self")
                && let Some(why) = frame
                    .class
                    .and_then(|k| self.why_unknown.get(&(k.name.clone(), attr.clone())))
            {
                let why = why.clone();
                return self.gap(why);
            }
            if module == Val::Unknown {
                let shown = self.file_of(frame).text(c.func.span).to_string();
                return self.gap(format!(
                    "`{shown}` is a module the checker cannot resolve (built from an argument or in a way it does not follow)"
                ));
            }
            return self.call_module(module, args, kwargs, frame.depth);
        }
        if let Some(d) = &dotted
            && let Some(v) = self.factory(d, &args)
        {
            return v;
        }
        // Tensor methods and functions.
        if let ExprKind::Attribute { value, attr } = &c.func.kind {
            let is_namespace = value.dotted().is_some_and(|d| {
                matches!(
                    d.as_str(),
                    "torch"
                        | "F"
                        | "nn.functional"
                        | "torch.nn.functional"
                        | "einops"
                        | "torch.linalg"
                )
            });
            if !is_namespace {
                let recv = self.eval(value, env, frame);
                if matches!(recv, Val::Tensor(_)) {
                    let mut all = vec![recv];
                    all.extend(args);
                    return self.tensor_op(attr, all, kwargs);
                }
                if let Val::Str(text) = &recv
                    && let Some(v) = str_method(text, attr, &args)
                {
                    return v;
                }
                let shown = c.func.dotted().unwrap_or_else(|| attr.clone());
                // The method may well be modelled: what is unknown is the value it is called on.
                if matches!(recv, Val::Unknown) {
                    return self.gap(format!("`{shown}` called on a value that is not known"));
                }
                return self.gap(format!("`{shown}` is not modelled"));
            }
            return self.tensor_op(attr, args, kwargs);
        }
        if let Some(name) = last
            && matches!(name.as_str(), "rearrange" | "reduce" | "repeat")
        {
            return self.tensor_op(&format!("einops.{name}"), args, kwargs);
        }
        if unresolved.is_some()
            && let Some(v) = self.torchvision_op(frame, c, &args, &kwargs)
        {
            return v;
        }
        if let Some(why) = unresolved {
            self.unresolved = Some(why.clone());
            return self.gap(why);
        }
        Val::Unknown
    }

    /// torchvision's building blocks of `torchvision.ops` (not among the model files a tree
    /// holds), as torchvision 0.2x builds them: `Conv2dNormActivation` is `Sequential(Conv2d
    /// with padding (k - 1) // 2 * d, norm_layer(out), activation_layer())`; `StochasticDepth`
    /// and `SqueezeExcitation` keep their input's shape. Only for a file under `torchvision/`
    /// importing the name from its `ops` package; `None` for anything else.
    fn torchvision_op(
        &mut self,
        frame: &Frame<'f>,
        c: &Call,
        args: &[Val],
        kwargs: &[(String, Val)],
    ) -> Option<Val> {
        let ExprKind::Name(n) = &c.func.kind else {
            return None;
        };
        let orig = self.torchvision_origin(frame, n)?;
        let text = self.file_of(frame).text(c.func.span).to_string();
        self.torchvision_build(frame, &orig, &text, args, kwargs)
    }

    /// The name a file under `torchvision/` imports `n` as from torchvision's `ops` package.
    fn torchvision_origin(&self, frame: &Frame<'f>, n: &str) -> Option<String> {
        let path = self
            .scope
            .path(frame.file)?
            .to_string_lossy()
            .replace('\\', "/");
        let (module, orig) = self.scope.import_origin(frame.file, n)?;
        let module = module.trim_start_matches('.');
        (path.contains("/torchvision/")
            && matches!(
                module,
                "ops"
                    | "ops.misc"
                    | "ops.stochastic_depth"
                    | "torchvision.ops"
                    | "torchvision.ops.misc"
            ))
        .then_some(orig)
    }

    /// See [`Self::torchvision_op`]: the block `orig` built with these arguments.
    fn torchvision_build(
        &mut self,
        frame: &Frame<'f>,
        orig: &str,
        text: &str,
        args: &[Val],
        kwargs: &[(String, Val)],
    ) -> Option<Val> {
        let arg = |i: usize, k: &str| {
            kwargs
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.clone())
                .or_else(|| args.get(i).cloned())
        };
        match orig {
            "Permute" => {
                let dims = arg(0, "dims")?;
                let cfg = layers::bind("ops.Permute", vec![dims], vec![], format!("{text}(...)"))?;
                Some(Val::Layer(Box::new(cfg)))
            }
            "StochasticDepth" | "SqueezeExcitation" => {
                let cfg = layers::bind("Identity", vec![], vec![], format!("{text}(...)"))?;
                Some(Val::Layer(Box::new(cfg)))
            }
            "Conv2dNormActivation" => {
                const NAMES: &[&str] = &[
                    "in_channels",
                    "out_channels",
                    "kernel_size",
                    "stride",
                    "padding",
                    "groups",
                    "norm_layer",
                    "activation_layer",
                    "dilation",
                    "inplace",
                    "bias",
                ];
                if args.len() > NAMES.len()
                    || kwargs.iter().any(|(k, _)| !NAMES.contains(&k.as_str()))
                {
                    return None;
                }
                let cin = arg(0, "in_channels")?;
                let cout = arg(1, "out_channels")?;
                let k = arg(2, "kernel_size").unwrap_or(Val::Int(Some(int(3))));
                let stride = arg(3, "stride").unwrap_or(Val::Int(Some(int(1))));
                let dilation = arg(8, "dilation").unwrap_or(Val::Int(Some(int(1))));
                let padding = match arg(4, "padding").unwrap_or(Val::NoneV) {
                    Val::NoneV => match (&k, &dilation) {
                        (Val::Int(Some(k)), Val::Int(Some(d))) => Val::Int(Some(simplify(&mul(
                            fdiv(sub(k.clone(), int(1)), int(2)),
                            d.clone(),
                        )))),
                        _ => Val::Unknown,
                    },
                    p => p,
                };
                let groups = arg(5, "groups").unwrap_or(Val::Int(Some(int(1))));
                let conv = layers::bind(
                    "Conv2d",
                    vec![cin, cout.clone(), k, stride, padding],
                    vec![("dilation".into(), dilation), ("groups".into(), groups)],
                    format!("{text}(...)"),
                )?;
                let mut items = vec![Val::Layer(Box::new(conv))];
                let norm = arg(6, "norm_layer").unwrap_or(Val::Ctor("BatchNorm2d".into()));
                if norm != Val::NoneV {
                    items.push(self.call_module(norm, vec![cout], vec![], frame.depth + 1));
                }
                let act = arg(7, "activation_layer").unwrap_or(Val::Ctor("ReLU".into()));
                if act != Val::NoneV {
                    items.push(self.call_module(act, vec![], vec![], frame.depth + 1));
                }
                Some(Val::Modules {
                    items,
                    sequential: true,
                })
            }
            _ => None,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn call_function(
        &mut self,
        class: Option<&'f ClassDef>,
        file: FileId,
        f: &'f FunctionDef,
        attrs: HashMap<String, Val>,
        args: Vec<Val>,
        kwargs: Vec<(String, Val)>,
        depth: usize,
    ) -> Val {
        if depth >= MAX_DEPTH {
            return self.gap("calls nested too deep");
        }
        let mut frame = Frame {
            class,
            file,
            attrs,
            depth,
        };
        let mut env = self.bind_params(f, args, kwargs, &mut frame, false);
        let saved = (
            self.gap.take(),
            std::mem::take(&mut self.problems),
            self.layer.take(),
            std::mem::take(&mut self.layers_called),
        );
        let mut ret = None;
        let outer_raised = self.raised.take();
        self.exec_block(f.code(), &mut env, &mut frame, &mut ret);
        // A layer inside the call that cannot take what it is given (`Linear(25088, ...)` fed
        // 4608 features) means the real forward raises there: the call has no value. Without
        // this the inner problem was dropped with the inner state, and the caller read the
        // last layer's output size as the result (VGG dogfood: `[2, 1000]` at 100x100, where
        // PyTorch raises).
        let raised = std::mem::replace(&mut self.raised, outer_raised);
        self.gap = saved.0;
        self.problems = saved.1;
        self.layer = saved.2;
        self.layers_called = saved.3;
        if let Some(why) = raised {
            let name = class.map_or(f.name.as_str(), |c| c.name.as_str());
            return self.gap(format!("the forward raises inside `{name}`: {why}"));
        }
        ret.unwrap_or(Val::Unknown)
    }

    fn call_module(
        &mut self,
        module: Val,
        args: Vec<Val>,
        kwargs: Vec<(String, Val)>,
        depth: usize,
    ) -> Val {
        match module {
            // A shape-preserving layer (Identity, an activation, dropout) hands on whatever it
            // got: an unknown input stays that same value, with no new reason of its own, so
            // the line reads as following the unknown value it really follows.
            Val::Layer(cfg)
                if layers::preserves_any_input(&cfg.ctor)
                    && !matches!(args.first(), Some(Val::Tensor(Some(_)))) =>
            {
                self.layers_called.push((*cfg).clone());
                self.layer = Some(*cfg);
                args.into_iter().next().unwrap_or(Val::Unknown)
            }
            Val::Layer(cfg) => {
                let applied = layers::apply(&cfg, &args);
                if self.raised.is_none() {
                    self.raised = applied
                        .problems
                        .iter()
                        .find(|p| !p.starts_with(layers::BIND_PREFIX))
                        .cloned();
                }
                self.problems.extend(applied.problems);
                let call_option =
                    |k: &str| kwargs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
                let out = match applied.out {
                    // MultiheadAttention returns `(out, None)` with need_weights=False and
                    // per-head weights with average_attn_weights=False (not modelled).
                    Ok(Val::Tuple(mut parts))
                        if cfg.ctor == "MultiheadAttention" && parts.len() == 2 =>
                    {
                        match (
                            call_option("need_weights"),
                            call_option("average_attn_weights"),
                        ) {
                            (Some(Val::Bool(Some(false))), _) => parts[1] = Val::NoneV,
                            (_, Some(Val::Bool(Some(false)))) => parts[1] = Val::Unknown,
                            _ => {}
                        }
                        Val::Tuple(parts)
                    }
                    Ok(v) => v,
                    Err(why) => self.gap(why),
                };
                self.layers_called.push((*cfg).clone());
                self.layer = Some(*cfg);
                out
            }
            Val::Modules {
                items,
                sequential: true,
            } => {
                let mut x = args.into_iter().next().unwrap_or(Val::Unknown);
                for item in items {
                    x = self.call_module(item, vec![x], vec![], depth);
                    self.layer = None;
                }
                x
            }
            // Copies of one block, an unknown number of times: the shape after them is known
            // only when the block keeps the shape it is given (then any number of copies,
            // none included, keep it too).
            Val::Repeated {
                head,
                item,
                sequential: true,
            } => {
                let mut x = args.into_iter().next().unwrap_or(Val::Unknown);
                for h in head {
                    x = self.call_module(h, vec![x], vec![], depth);
                    self.layer = None;
                }
                let y = self.call_module(*item, vec![x.clone()], vec![], depth);
                self.layer = None;
                // What the layers fixed (`config.hidden_dim = 768`) holds for every copy.
                let facts = |v: &Val| match v {
                    Val::Tensor(Some(d)) => Val::Tensor(Some(self.with_facts(d.clone()))),
                    other => other.clone(),
                };
                let (x2, y2) = (facts(&x), facts(&y));
                let same = |a: &Val, b: &Val| match (a, b) {
                    (Val::Tensor(Some(a)), Val::Tensor(Some(b))) => {
                        a.len() == b.len()
                            && a.iter().zip(b).all(|(p, q)| match (p, q) {
                                (Some(p), Some(q)) => simplify(p) == simplify(q),
                                _ => false,
                            })
                    }
                    _ => false,
                };
                if same(&x2, &y2) {
                    x
                } else {
                    self.gap("a block repeated an unknown number of times that changes the shape")
                }
            }
            Val::User { class, file, attrs } => {
                let Some((_, cls)) = self.scope.file(file).class(&class) else {
                    return Val::Unknown;
                };
                let Some((_, fwd)) = cls.method("forward") else {
                    return match attrs.get(SEQUENTIAL) {
                        Some(seq @ Val::Modules { .. }) => {
                            self.call_module(seq.clone(), args, kwargs, depth)
                        }
                        Some(_) => self.gap(format!(
                            "`{class}` is an nn.Sequential whose layers are not known"
                        )),
                        None => self.gap(format!("`{class}` has no forward")),
                    };
                };
                self.call_function(Some(cls), file, fwd, attrs, args, kwargs, depth + 1)
            }
            Val::Class { class, file } => {
                let Some((_, cls)) = self.scope.file(file).class(&class) else {
                    return Val::Unknown;
                };
                if depth + 1 >= MAX_DEPTH {
                    return self.gap("modules nested too deep");
                }
                let attrs = self.instantiate(file, cls, args, kwargs, depth + 1);
                Val::User { class, file, attrs }
            }
            Val::Partial {
                callee,
                args: early,
                kwargs: early_kw,
            } => {
                // Python's partial: the early positional arguments first; a keyword given at
                // the call replaces the early one.
                let mut all = early;
                all.extend(args);
                let mut kw: Vec<(String, Val)> = early_kw
                    .into_iter()
                    .filter(|(k, _)| !kwargs.iter().any(|(n, _)| n == k))
                    .collect();
                kw.extend(kwargs);
                self.call_module(*callee, all, kw, depth)
            }
            Val::Ctor(name) => match layers::bind(&name, args, kwargs, format!("{name}(...)")) {
                Some(cfg) => Val::Layer(Box::new(cfg)),
                None => self.gap(format!("`{name}` with arguments the checker cannot bind")),
            },
            _ => self.gap("call of a module the checker cannot resolve"),
        }
    }

    fn tensor_op(&mut self, name: &str, args: Vec<Val>, kwargs: Vec<(String, Val)>) -> Val {
        let kw = |k: &str| kwargs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        let arg = |i: usize, k: &str| kw(k).or_else(|| args.get(i).cloned());
        let x = match args.first() {
            Some(Val::Tensor(Some(d))) => d.clone(),
            Some(Val::Tensor(None)) => return Val::Tensor(None),
            _ if matches!(name, "cat" | "stack" | "concat" | "concatenate") => vec![],
            _ => return Val::Unknown,
        };
        let rank = x.len();
        let dim_arg = |v: Option<Val>| v.as_ref().and_then(int_arg).and_then(|d| norm_dim(d, rank));
        match name {
            "relu" | "relu_" | "gelu" | "silu" | "sigmoid" | "tanh" | "softmax" | "log_softmax"
            | "dropout" | "contiguous" | "float" | "half" | "double" | "bfloat16" | "to"
            | "clone" | "detach" | "type_as" | "abs" | "exp" | "log" | "sqrt" | "rsqrt" | "neg"
            | "layer_norm" | "normalize" | "leaky_relu" | "elu" | "hardswish" | "mish"
            | "relu6" | "sin" | "cos" | "pow" | "clamp" | "masked_fill" | "sigmoid_" | "mul_"
            | "add_" | "div_" | "cpu" | "cuda" | "requires_grad_" | "group_norm" | "batch_norm"
            | "dropout2d" | "softplus" | "square" | "erf" | "tril" | "triu" | "sign" | "round"
            | "floor" | "ceil" | "reciprocal" | "nan_to_num" => Val::Tensor(Some(x)),
            "add" | "sub" | "mul" | "div" | "maximum" | "minimum" | "where" => match args.get(1) {
                Some(Val::Tensor(Some(y))) => Val::Tensor(Some(broadcast(&x, y))),
                Some(Val::Int(_) | Val::Float(_)) | None => Val::Tensor(Some(x)),
                _ => Val::Tensor(None),
            },
            // `a.reshape_as(b)` / `view_as` / `expand_as`: the shape of `b`.
            "reshape_as" | "view_as" | "expand_as" => match args.get(1) {
                Some(t @ Val::Tensor(Some(_))) => t.clone(),
                _ => self.gap(format!("`{name}` of a tensor of unknown shape")),
            },
            // `F.linear(x, weight, bias)`: the last dim becomes the weight's first.
            "linear" => match arg(1, "weight") {
                Some(Val::Tensor(Some(w))) if w.len() == 2 => {
                    let mut out = x;
                    if let Some(last) = out.last_mut() {
                        *last = w[0].clone();
                    }
                    Val::Tensor(Some(out))
                }
                _ => self.gap("linear weight unknown"),
            },
            "matmul" | "bmm" => match args.get(1) {
                Some(Val::Tensor(Some(y))) => self.matmul(&x, y),
                _ => self.gap("matmul operand unknown"),
            },
            "view" | "reshape" => {
                let spec: Vec<Val> = match args.get(1) {
                    Some(Val::Tuple(items)) if args.len() == 2 => items.clone(),
                    _ => args[1..].to_vec(),
                };
                self.reshape(&x, &spec)
            }
            "permute" => {
                let spec: Vec<Val> = match args.get(1) {
                    Some(Val::Tuple(items)) if args.len() == 2 => items.clone(),
                    _ => args[1..].to_vec(),
                };
                let idx: Option<Vec<usize>> = spec
                    .iter()
                    .map(|v| int_arg(v).and_then(|d| norm_dim(d, rank)))
                    .collect();
                match idx {
                    Some(idx) if idx.len() == rank => {
                        Val::Tensor(Some(idx.iter().map(|&i| x[i].clone()).collect()))
                    }
                    _ => self.gap("permute with unknown or wrong dims"),
                }
            }
            "transpose" | "swapaxes" | "swapdims" => {
                match (dim_arg(arg(1, "dim0")), dim_arg(arg(2, "dim1"))) {
                    (Some(a), Some(b)) => {
                        let mut out = x;
                        out.swap(a, b);
                        Val::Tensor(Some(out))
                    }
                    _ => self.gap("transpose dims unknown"),
                }
            }
            // `F.pad(x, (l, r, t, b, ...))`: pairs from the last dim backwards, each dim grows by
            // its two pads (negative pads crop; the mode does not change sizes).
            "pad" => {
                let pads: Option<Vec<DimExpr>> = match arg(1, "pad") {
                    Some(Val::Tuple(items)) => items
                        .iter()
                        .map(|v| match v {
                            Val::Int(Some(d)) => Some(d.clone()),
                            _ => None,
                        })
                        .collect(),
                    _ => None,
                };
                match pads {
                    Some(p) if p.len() % 2 == 0 && p.len() / 2 <= rank => {
                        let mut out = x;
                        for (i, pair) in p.chunks(2).enumerate() {
                            let k = rank - 1 - i;
                            out[k] = out[k]
                                .clone()
                                .map(|d| simplify(&add(d, add(pair[0].clone(), pair[1].clone()))));
                        }
                        Val::Tensor(Some(out))
                    }
                    _ => self.gap("pad sizes unknown"),
                }
            }
            "flatten" => {
                let start = arg(1, "start_dim").as_ref().map_or(Some(0), int_arg);
                let end = arg(2, "end_dim").as_ref().map_or(Some(-1), int_arg);
                match (start, end) {
                    (Some(s), Some(e)) => {
                        flatten(&x, s, e).unwrap_or_else(|| self.gap("flatten dims out of range"))
                    }
                    _ => self.gap("flatten dims unknown"),
                }
            }
            "unsqueeze" => match arg(1, "dim")
                .as_ref()
                .and_then(int_arg)
                .and_then(|d| norm_dim(d, rank + 1))
            {
                Some(d) => {
                    let mut out = x;
                    out.insert(d, Some(int(1)));
                    Val::Tensor(Some(out))
                }
                None => self.gap("unsqueeze dim unknown"),
            },
            "squeeze" => match dim_arg(arg(1, "dim")) {
                Some(d) if x[d].as_ref().and_then(|v| v.eval(&|_| None).ok()) == Some(1) => {
                    let mut out = x;
                    out.remove(d);
                    Val::Tensor(Some(out))
                }
                // Unchanged only when the size is known not to be 1.
                Some(d) if x[d].as_ref().and_then(|v| v.eval(&|_| None).ok()).is_some() => {
                    Val::Tensor(Some(x))
                }
                Some(_) => self.gap("squeeze of a dim whose size is not known"),
                None => self.gap("squeeze without a known dim"),
            },
            "mean" | "sum" | "amax" | "amin" | "std" | "var" | "prod" | "logsumexp" | "norm" => {
                // keepdim is the third positional argument except where `unbiased` (std,
                // var) or `p` (norm) comes first: there only the keyword is read.
                let positional_keep = !matches!(name, "std" | "var" | "norm");
                if !positional_keep && args.len() > 2 {
                    return self.gap(format!("`{name}` with positional options"));
                }
                let keep_arg = kw("keepdim")
                    .or_else(|| kw("keepdims"))
                    .or_else(|| args.get(2).cloned().filter(|_| positional_keep));
                let keep = match keep_arg {
                    None | Some(Val::Bool(Some(false))) => false,
                    Some(Val::Bool(Some(true))) => true,
                    Some(_) => return self.gap(format!("`{name}` keepdim unknown")),
                };
                let dim = if name == "norm" {
                    kw("dim")
                } else {
                    arg(1, "dim")
                };
                let dims: Option<Vec<usize>> = match dim {
                    None if name != "norm" => return self.gap(format!("`{name}` over all dims")),
                    None => return self.gap("norm without dim"),
                    Some(Val::Tuple(items)) => items
                        .iter()
                        .map(|v| int_arg(v).and_then(|d| norm_dim(d, rank)))
                        .collect(),
                    Some(v) => int_arg(&v).and_then(|d| norm_dim(d, rank)).map(|d| vec![d]),
                };
                let Some(dims) = dims else {
                    return self.gap(format!("`{name}` dim unknown"));
                };
                let out: Vec<Dim> = x
                    .iter()
                    .enumerate()
                    .filter_map(|(i, d)| match (dims.contains(&i), keep) {
                        (false, _) => Some(d.clone()),
                        (true, true) => Some(Some(int(1))),
                        (true, false) => None,
                    })
                    .collect();
                Val::Tensor(Some(out))
            }
            "cat" | "concat" | "concatenate" | "stack" => {
                let Some(Val::Tuple(items)) = args.first() else {
                    return self.gap("cat of a non-literal sequence");
                };
                let shapes: Option<Vec<Vec<Dim>>> = items
                    .iter()
                    .map(|v| match v {
                        Val::Tensor(Some(d)) => Some(d.clone()),
                        _ => None,
                    })
                    .collect();
                let Some(shapes) = shapes.filter(|s| !s.is_empty()) else {
                    return self.gap("cat of unknown tensors");
                };
                let r = shapes[0].len();
                if shapes.iter().any(|s| s.len() != r) {
                    return self.gap("cat of tensors of different ranks");
                }
                let stack = name == "stack";
                let Some(d) = arg(1, "dim")
                    .as_ref()
                    .map_or(Some(0), int_arg)
                    .and_then(|d| norm_dim(d, r + stack as usize))
                else {
                    return self.gap("cat dim unknown");
                };
                if stack {
                    let mut out = shapes[0].clone();
                    out.insert(d, Some(int(shapes.len() as i64)));
                    return Val::Tensor(Some(out));
                }
                let mut out = shapes[0].clone();
                out[d] = product_sum(shapes.iter().map(|s| s[d].clone()));
                Val::Tensor(Some(out))
            }
            "chunk" => {
                let (Some(n), Some(d)) = (
                    arg(1, "chunks").as_ref().and_then(int_arg),
                    dim_arg(arg(2, "dim"))
                        .or_else(|| (kw("dim").is_none() && args.len() < 3).then_some(0)),
                ) else {
                    return self.gap("chunk arguments unknown");
                };
                // torch.chunk: pieces of ceil(D/n), as many as it takes (fewer than n when n
                // does not divide well: 5 into 4 gives 2, 2, 1), the last one the rest.
                let total = match &x[d] {
                    Some(s) => s.eval(&|_| None).ok(),
                    None => None,
                };
                match total {
                    Some(t) if n > 0 => {
                        let c = (t + n - 1) / n;
                        let k = if c > 0 { (t + c - 1) / c } else { 0 };
                        let parts = (0..k)
                            .map(|i| {
                                let mut part = x.clone();
                                part[d] = Some(int(if i + 1 == k { t - c * (k - 1) } else { c }));
                                Val::Tensor(Some(part))
                            })
                            .collect();
                        Val::Tuple(parts)
                    }
                    // A symbolic size: D//n each, exact only for D divisible by n (the
                    // comparison of comments notes that assumption, TSL602).
                    _ => {
                        let mut part = x;
                        part[d] = part[d].clone().map(|s| simplify(&fdiv(s, int(n))));
                        Val::Tuple(vec![Val::Tensor(Some(part)); n.max(0) as usize])
                    }
                }
            }
            // torch.split / Tensor.split with a list of sizes (each piece that size) or one
            // size that divides a known dim; anything else unknown.
            "split" => {
                let Some(d) = dim_arg(arg(2, "dim"))
                    .or_else(|| (kw("dim").is_none() && args.len() < 3).then_some(0))
                else {
                    return self.gap("split dim unknown");
                };
                match arg(1, "split_size_or_sections").or_else(|| kw("split_size")) {
                    Some(Val::Tuple(sizes)) => {
                        let mut parts = Vec::new();
                        for sz in sizes {
                            let Val::Int(Some(v)) = sz else {
                                return self.gap("split sizes unknown");
                            };
                            let mut part = x.clone();
                            part[d] = Some(v);
                            parts.push(Val::Tensor(Some(part)));
                        }
                        Val::Tuple(parts)
                    }
                    Some(v @ Val::Int(Some(_))) => {
                        let total = x[d].as_ref().and_then(|s| s.eval(&|_| None).ok());
                        match (int_arg(&v), total) {
                            (Some(c), Some(t)) if c > 0 && t % c == 0 => {
                                let mut part = x.clone();
                                part[d] = Some(int(c));
                                Val::Tuple(vec![Val::Tensor(Some(part)); (t / c) as usize])
                            }
                            _ => {
                                self.gap("split into pieces of a size that may not divide the dim")
                            }
                        }
                    }
                    _ => self.gap("split sizes unknown"),
                }
            }
            "embedding" => match args.get(1) {
                // F.embedding(ids, weight): one row of weight per id.
                Some(Val::Tensor(Some(w))) if w.len() == 2 => {
                    let mut out = x;
                    out.push(w[1].clone());
                    Val::Tensor(Some(out))
                }
                _ => self.gap("embedding weight shape unknown"),
            },
            "expand" => {
                let sizes: Vec<Val> = match args.get(1) {
                    Some(Val::Tuple(items)) if args.len() == 2 => items.clone(),
                    _ => args[1..].to_vec(),
                };
                if sizes.len() < rank {
                    return self.gap("expand to fewer dims");
                }
                let lead = sizes.len() - rank;
                let mut out = Vec::new();
                for (i, v) in sizes.iter().enumerate() {
                    match v {
                        Val::Int(Some(d)) if d.eval(&|_| None) == Ok(-1) => {
                            if i < lead {
                                return self.gap("expand with -1 for a new dim");
                            }
                            out.push(x[i - lead].clone());
                        }
                        Val::Int(d) => out.push(d.clone()),
                        _ => return self.gap("expand sizes unknown"),
                    }
                }
                Val::Tensor(Some(out))
            }
            "unbind" => {
                let d = match arg(1, "dim") {
                    None => Some(0),
                    v => dim_arg(v),
                };
                let Some(d) = d else {
                    return self.gap("unbind dim unknown");
                };
                match x[d].as_ref().and_then(|n| n.eval(&|_| None).ok()) {
                    Some(n) if (0..=64).contains(&n) => {
                        let mut part = x;
                        part.remove(d);
                        Val::Tuple(vec![Val::Tensor(Some(part)); n as usize])
                    }
                    _ => self.gap("unbind of a dim whose size is not known"),
                }
            }
            "size" => match arg(1, "dim") {
                None => Val::Tuple(x.into_iter().map(Val::Int).collect()),
                Some(v) => match int_arg(&v).and_then(|d| norm_dim(d, rank)) {
                    Some(d) => Val::Int(x[d].clone()),
                    None => Val::Int(None),
                },
            },
            "dim" | "ndimension" => Val::Int(Some(int(rank as i64))),
            "numel" => Val::Int(product(&x)),
            "interpolate" | "upsample" => {
                if rank < 3 {
                    return self.gap("interpolate of a tensor with rank < 3");
                }
                let n = rank - 2;
                let mut out = x[..2].to_vec();
                match (arg(1, "size"), arg(2, "scale_factor")) {
                    (Some(Val::Int(Some(s))), _) => out.extend(std::iter::repeat_n(Some(s), n)),
                    (Some(Val::Tuple(items)), _) if items.len() == n => {
                        out.extend(items.iter().map(|v| match v {
                            Val::Int(d) => d.clone(),
                            _ => None,
                        }))
                    }
                    (None | Some(Val::NoneV), Some(Val::Int(Some(f)))) => out.extend(
                        x[2..]
                            .iter()
                            .map(|d| d.clone().map(|d| simplify(&mul(d, f.clone())))),
                    ),
                    _ => return self.gap("interpolate size not known"),
                }
                Val::Tensor(Some(out))
            }
            "adaptive_avg_pool1d"
            | "adaptive_avg_pool2d"
            | "adaptive_max_pool2d"
            | "avg_pool2d"
            | "max_pool2d"
            | "avg_pool1d"
            | "max_pool1d" => {
                let ctor = match name {
                    "adaptive_avg_pool1d" => "AdaptiveAvgPool1d",
                    "adaptive_avg_pool2d" => "AdaptiveAvgPool2d",
                    "adaptive_max_pool2d" => "AdaptiveMaxPool2d",
                    "avg_pool2d" => "AvgPool2d",
                    "max_pool2d" => "MaxPool2d",
                    "avg_pool1d" => "AvgPool1d",
                    _ => "MaxPool1d",
                };
                let Some(cfg) =
                    layers::bind(ctor, args[1..].to_vec(), kwargs.clone(), name.to_string())
                else {
                    return Val::Unknown;
                };
                match layers::apply(&cfg, &args[..1]).out {
                    Ok(v) => v,
                    Err(why) => self.gap(why),
                }
            }
            "scaled_dot_product_attention" => match args.get(2) {
                Some(Val::Tensor(Some(v))) if rank >= 2 => {
                    let mut out = x;
                    *out.last_mut().expect("rank >= 2") = v.last().cloned().flatten();
                    Val::Tensor(Some(out))
                }
                _ => self.gap("attention value shape unknown"),
            },
            "einops.rearrange" => self.rearrange(&x, args.get(1), &kwargs),
            _ => self.gap(format!("`{name}` is not modelled")),
        }
    }

    fn reshape(&mut self, x: &[Dim], spec: &[Val]) -> Val {
        let mut out: Vec<Dim> = Vec::new();
        let mut infer_at = None;
        for (i, v) in spec.iter().enumerate() {
            match v {
                Val::Int(Some(d)) if d.eval(&|_| None) == Ok(-1) => {
                    infer_at = Some(i);
                    out.push(None);
                }
                Val::Int(d) => out.push(d.clone()),
                _ => return self.gap("view/reshape with unknown sizes"),
            }
        }
        if let Some(i) = infer_at {
            let others: Vec<Dim> = out
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, d)| d.clone())
                .collect();
            out[i] = match (product(x), product(&others)) {
                (Some(total), Some(known)) => Some(simplify(&fdiv(total, known))),
                _ => None,
            };
        }
        Val::Tensor(Some(out))
    }

    /// `einops.rearrange(x, "b c h w -> b (h w) c", p1=16)`.
    fn rearrange(&mut self, x: &[Dim], pattern: Option<&Val>, kwargs: &[(String, Val)]) -> Val {
        let Some(Val::Str(pattern)) = pattern else {
            return self.gap("rearrange pattern unknown");
        };
        let Some((left, right)) = pattern.split_once("->") else {
            return self.gap("rearrange pattern without ->");
        };
        let groups = |side: &str| -> Option<Vec<Vec<String>>> {
            let mut out = Vec::new();
            let mut cur: Option<Vec<String>> = None;
            for tok in side
                .replace('(', " ( ")
                .replace(')', " ) ")
                .split_whitespace()
            {
                match tok {
                    "(" => cur = Some(Vec::new()),
                    ")" => out.push(cur.take()?),
                    "..." => return None,
                    t => match cur.as_mut() {
                        Some(g) => g.push(t.to_string()),
                        None => out.push(vec![t.to_string()]),
                    },
                }
            }
            Some(out)
        };
        let (Some(lg), Some(rg)) = (groups(left), groups(right)) else {
            return self.gap("rearrange pattern not modelled");
        };
        if lg.len() != x.len() {
            return self.gap("rearrange pattern rank differs from the input");
        }
        let mut sizes: HashMap<String, Dim> = kwargs
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    match v {
                        Val::Int(d) => d.clone(),
                        _ => None,
                    },
                )
            })
            .collect();
        for (g, d) in lg.iter().zip(x) {
            let unknown: Vec<&String> = g
                .iter()
                .filter(|n| !sizes.contains_key(*n) && *n != "1")
                .collect();
            match unknown.len() {
                0 => {}
                1 => {
                    let known: Vec<Dim> = g
                        .iter()
                        .filter(|n| *n != unknown[0] && *n != "1")
                        .map(|n| sizes[n].clone())
                        .collect();
                    let v = match (d, product(&known)) {
                        (Some(d), Some(k)) => Some(simplify(&fdiv(d.clone(), k))),
                        _ => None,
                    };
                    sizes.insert(unknown[0].clone(), v);
                }
                _ => return self.gap("rearrange group with several unknown sizes"),
            }
        }
        let out: Vec<Dim> = rg
            .iter()
            .map(|g| {
                let dims: Vec<Dim> = g
                    .iter()
                    .map(|n| {
                        if n == "1" {
                            Some(int(1))
                        } else {
                            sizes.get(n).cloned().flatten()
                        }
                    })
                    .collect();
                product(&dims)
            })
            .collect();
        Val::Tensor(Some(out))
    }
}

/// Python builtins over known values: `range`, `len`, `zip`, `enumerate`, `list`, `tuple`
/// (`None`: not one of them, or arguments not known well enough).
fn builtin(name: &str, args: &[Val], kwargs: &[(String, Val)]) -> Option<Val> {
    let concrete = |v: &Val| match v {
        Val::Int(Some(d)) => d.eval(&|_| None).ok(),
        _ => None,
    };
    let items = |v: &Val| match v {
        Val::Tuple(items) | Val::Modules { items, .. } => Some(items.clone()),
        _ => None,
    };
    if !kwargs.is_empty() {
        return None;
    }
    match (name, args) {
        ("range", [_] | [_, _] | [_, _, _]) => {
            let n: Vec<i64> = args.iter().map(concrete).collect::<Option<_>>()?;
            let (start, stop, step) = match n.as_slice() {
                [stop] => (0, *stop, 1),
                [start, stop] => (*start, *stop, 1),
                [start, stop, step] => (*start, *stop, *step),
                _ => return None,
            };
            if step == 0 {
                return None;
            }
            let count = if step > 0 {
                (stop - start + step - 1).div_euclid(step)
            } else {
                (start - stop - step - 1).div_euclid(-step)
            }
            .max(0);
            if count > 4096 {
                return None;
            }
            Some(Val::Tuple(
                (0..count)
                    .map(|i| Val::Int(Some(int(start + i * step))))
                    .collect(),
            ))
        }
        ("len", [v]) => Some(Val::Int(Some(int(items(v)?.len() as i64)))),
        // max()/min() of numbers: the argument itself (its type kept, as in Python).
        ("max" | "min", [_, _, ..]) => {
            let num = |v: &Val| match v {
                Val::Int(Some(d)) => d.eval(&|_| None).ok().map(|i| i as f64),
                Val::Float(Some(f)) => Some(*f),
                _ => None,
            };
            let nums: Vec<f64> = args.iter().map(num).collect::<Option<_>>()?;
            let mut best = 0;
            for (i, n) in nums.iter().enumerate() {
                // The first of equal values wins, as in Python.
                if (name == "max" && *n > nums[best]) || (name == "min" && *n < nums[best]) {
                    best = i;
                }
            }
            Some(args[best].clone())
        }
        // Python's int() truncates toward zero; round() rounds half to even.
        ("int", [Val::Int(d)]) => Some(Val::Int(d.clone())),
        ("int", [Val::Float(f)]) => Some(Val::Int(
            f.filter(|f| f.is_finite() && f.abs() < 1e15)
                .map(|f| int(f.trunc() as i64)),
        )),
        ("round", [Val::Float(f)]) => Some(Val::Int(
            f.filter(|f| f.is_finite() && f.abs() < 1e15)
                .map(|f| int(f.round_ties_even() as i64)),
        )),
        ("float", [Val::Int(d)]) => Some(Val::Float(
            d.as_ref()
                .and_then(|d| d.eval(&|_| None).ok())
                .map(|i| i as f64),
        )),
        ("list" | "tuple", [v]) => Some(Val::Tuple(items(v)?)),
        ("enumerate", [v]) => Some(Val::Tuple(
            items(v)?
                .into_iter()
                .enumerate()
                .map(|(i, x)| Val::Tuple(vec![Val::Int(Some(int(i as i64))), x]))
                .collect(),
        )),
        ("zip", [_, ..]) => {
            let lists: Vec<Vec<Val>> = args.iter().map(items).collect::<Option<_>>()?;
            let n = lists.iter().map(Vec::len).min().unwrap_or(0);
            Some(Val::Tuple(
                (0..n)
                    .map(|i| Val::Tuple(lists.iter().map(|l| l[i].clone()).collect()))
                    .collect(),
            ))
        }
        _ => None,
    }
}

/// The source span of a class body (from its first to its last statement).
fn class_span(class: &ClassDef) -> pymodel::Span {
    match (class.body.first(), class.body.last()) {
        (Some(a), Some(b)) => pymodel::Span::new(a.span.start, b.span.end),
        _ => pymodel::Span::new(0, 0),
    }
}

/// Python's string methods that select code paths (`pool_type.startswith('fast')`,
/// `norm.lower()`), on a known string with known string arguments. `None`: another method.
fn str_method(text: &str, name: &str, args: &[Val]) -> Option<Val> {
    let strs: Option<Vec<&str>> = args
        .iter()
        .map(|a| match a {
            Val::Str(s) => Some(s.as_str()),
            _ => None,
        })
        .collect();
    let strs = strs?;
    Some(match (name, strs.as_slice()) {
        ("startswith", [p]) => Val::Bool(Some(text.starts_with(p))),
        ("endswith", [p]) => Val::Bool(Some(text.ends_with(p))),
        ("lower", []) => Val::Str(text.to_lowercase()),
        ("upper", []) => Val::Str(text.to_uppercase()),
        ("strip", []) => Val::Str(text.trim().to_string()),
        ("replace", [a, b]) if !a.is_empty() => Val::Str(text.replace(a, b)),
        _ => return None,
    })
}

/// The operator between two operands of a comparison or a boolean chain, from the source
/// text between them, without the parentheses around either operand (`a and (b or c)`).
fn op_between(file: &ModelFile, a: &Expr, b: &Expr) -> String {
    file.text(pymodel::Span::new(a.span.end, b.span.start.max(a.span.end)))
        .replace(['(', ')'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The names of `isinstance`'s second argument: `str`, `(int, float)`, `nn.Module` (the last
/// part of a dotted name); empty when it is anything else.
fn type_names(e: &Expr) -> Vec<String> {
    match &e.kind {
        ExprKind::Tuple(items) => {
            let names: Vec<String> = items.iter().flat_map(type_names).collect();
            if names.len() == items.len() {
                names
            } else {
                vec![]
            }
        }
        _ => e
            .dotted()
            .map(|d| vec![d.rsplit('.').next().unwrap_or(&d).to_string()])
            .unwrap_or_default(),
    }
}

/// `isinstance(v, types)` for the builtin types, when the value's kind is known: a string is a
/// `str` and nothing else; a class or a layer is none of the builtin types. `None`: not known
/// (another type, or a value of unknown kind).
fn isinstance(v: &Val, types: &[String]) -> Option<bool> {
    const BUILTIN: &[&str] = &["str", "int", "float", "bool", "tuple", "list", "dict"];
    if types.is_empty() || !types.iter().all(|t| BUILTIN.contains(&t.as_str())) {
        return None;
    }
    let kind = match v {
        Val::Str(_) => "str",
        Val::Bool(_) => "bool",
        Val::Int(_) => "int",
        Val::Float(_) => "float",
        Val::Dict(_) => "dict",
        Val::NoneV
        | Val::Ctor(_)
        | Val::Class { .. }
        | Val::Partial { .. }
        | Val::Layer(_)
        | Val::User { .. }
        | Val::Modules { .. }
        | Val::Tensor(_) => "object",
        // A tuple and a list are one value kind here.
        Val::Tuple(_) => return None,
        _ => return None,
    };
    // `bool` is a subclass of `int`.
    Some(
        types
            .iter()
            .any(|t| t == kind || (t == "int" && kind == "bool")),
    )
}

fn product_sum(dims: impl Iterator<Item = Dim>) -> Dim {
    let mut acc = int(0);
    for d in dims {
        acc = add(acc, d?);
    }
    Some(simplify(&acc))
}

/// After two branches: keep what both agree on, forget the rest.
/// One of two values, when the code cannot tell which (`DropPath(p) if p > 0. else
/// nn.Identity()`): the value itself when equal; either one when both are layers that keep
/// any input's shape (the shapes downstream are the same); unknown otherwise.
fn merge_values(a: Val, b: Val) -> Val {
    if a == b {
        return a;
    }
    match (&a, &b) {
        (Val::Layer(x), Val::Layer(y))
            if layers::preserves_any_input(&x.ctor) && layers::preserves_any_input(&y.ctor) =>
        {
            a
        }
        _ => Val::Unknown,
    }
}

fn merge_into(env: &mut HashMap<String, Val>, a: &HashMap<String, Val>, b: &HashMap<String, Val>) {
    let keys: Vec<String> = a.keys().chain(b.keys()).cloned().collect();
    for k in keys {
        let v = match (a.get(&k), b.get(&k)) {
            (Some(x), Some(y)) if x == y => x.clone(),
            (Some(x @ Val::Layer(_)), Some(y @ Val::Layer(_))) => {
                merge_values(x.clone(), y.clone())
            }
            (Some(Val::Tensor(Some(x))), Some(Val::Tensor(Some(y)))) if x.len() == y.len() => {
                Val::Tensor(Some(
                    x.iter()
                        .zip(y)
                        .map(|(p, q)| if p == q { p.clone() } else { None })
                        .collect(),
                ))
            }
            (Some(Val::Tensor(_)), Some(Val::Tensor(_))) => Val::Tensor(None),
            _ => Val::Unknown,
        };
        env.insert(k, v);
    }
}

/// The attribute holding the layers of an `nn.Sequential` subclass, in registration order (a
/// name no Python attribute can have).
const SEQUENTIAL: &str = "<sequential>";

/// Whether `class` derives directly from `nn.Sequential` (its forward runs its layers in the
/// order they were registered).
fn is_sequential_subclass(class: &ClassDef) -> bool {
    class.bases.iter().any(|b| {
        b.dotted().is_some_and(|d| {
            matches!(
                d.as_str(),
                "nn.Sequential" | "torch.nn.Sequential" | "Sequential"
            )
        })
    })
}

/// `self.x = v` or `self.add_module("x", v)` in a Sequential subclass: a new module joins the
/// layers at the end, as `nn.Module.__setattr__` registers it; a value that is not a module
/// joins nothing; anything the order cannot be told from (a module replacing one, a value
/// that may or may not be a module) makes the layers unknown.
fn sequential_register(attrs: &mut HashMap<String, Val>, fresh: bool, v: &Val) {
    let module = match v {
        Val::Layer(_) | Val::User { .. } | Val::Modules { .. } => true,
        Val::Int(_)
        | Val::Float(_)
        | Val::Bool(_)
        | Val::Str(_)
        | Val::NoneV
        | Val::Ctor(_)
        | Val::Class { .. }
        | Val::Partial { .. }
        | Val::Dict(_) => false,
        Val::Tuple(items)
            if items
                .iter()
                .all(|i| matches!(i, Val::Int(_) | Val::Float(_) | Val::Bool(_))) =>
        {
            false
        }
        _ => {
            attrs.insert(SEQUENTIAL.into(), Val::Unknown);
            return;
        }
    };
    if !module {
        return;
    }
    match attrs.get_mut(SEQUENTIAL) {
        Some(Val::Modules { items, .. }) if fresh => items.push(v.clone()),
        Some(seq) => *seq = Val::Unknown,
        None => {}
    }
}
