//! `mermaid-gen code model.py --class Net`: the data flow of `forward`, read with the shared
//! Python model reader (`pymodel`) and labelled from the shape comments
//! (`# name: [d1, ...] <- description`).
//!
//! Calls of sub-modules (`self.conv1(x)`) become nodes; `a + b` of two tensors and
//! `torch.cat`/`torch.stack` become joins; a `for blk in self.blocks` loop is one node; layers
//! built as `nn.Sequential(*[Block(...) for _ in range(n)])` are labelled "Block xn". A call of
//! one of the class's own methods (`self._forward(x)`) is drawn through: its body joins the
//! graph, its parameters bound to the arguments. A value stored into a container
//! (`out["aux"] = y`) flows into what the container later feeds. With more than `max_nodes`
//! nodes, functional operations (`F.relu`, `x.view`, …) are dropped and only module calls and
//! joins remain (module-level granularity).

use std::collections::BTreeMap;

use mermaid_writer::{Direction, Flowchart, Shape};
use pymodel::{BinOp, Call, ClassDef, Expr, ExprKind, ModelFile, ShapeComment, Step, StmtKind};

use crate::spec::PALETTE;
use crate::tensor_shape::has_tensor_shape;
use crate::trace::kind_of;

#[derive(Debug, thiserror::Error)]
pub enum CodeError {
    #[error("cannot parse the Python file: {0}")]
    Syntax(String),
    #[error("no class `{0}` in the file (classes: {1})")]
    NoClass(String, String),
    #[error("class `{0}` has no `forward` method")]
    NoForward(String),
}

#[derive(Debug, Clone)]
struct Node {
    title: String,
    /// The description of the statement's shape comment (`<- Conv 3x3`).
    desc: Option<String>,
    shape: Option<String>,
    kind: &'static str,
    draw: Shape,
    /// The module path a `self.attr(...)` call runs, to look up its measured shape.
    module: Option<String>,
}

#[derive(Default)]
struct Graph {
    nodes: Vec<Node>,
    edges: Vec<(usize, usize)>,
}

impl Graph {
    fn add(&mut self, node: Node, inputs: &[usize]) -> usize {
        self.nodes.push(node);
        let id = self.nodes.len() - 1;
        for &i in inputs {
            if !self.edges.contains(&(i, id)) {
                self.edges.push((i, id));
            }
        }
        id
    }
}

/// Methods drawn through at most this deep (`forward` -> `_forward` -> `_block` -> ...).
const INLINE_DEPTH: usize = 4;

struct Ctx<'f> {
    file: &'f ModelFile,
    class: &'f ClassDef,
    io: &'f IoShapes,
    /// The methods being drawn through, innermost last (a recursive one is drawn as a box).
    inlining: Vec<String>,
    /// The statement being drawn has a shape comment: the author documented the call at this
    /// level (`memory = self.encode(src)  # [B, N, 512]`), so a method call is one box.
    commented: bool,
    layers: BTreeMap<String, String>,
    /// Loop variables bound to a module container: `blk` in `for blk in self.blocks`.
    loop_vars: BTreeMap<String, String>,
    producer: BTreeMap<String, Vec<usize>>,
    graph: Graph,
    keep_functional: bool,
}

/// `Block x3` for `nn.Sequential(*[Block(...) for _ in range(3)])` and the like.
fn layer_title(call: &Call, ctor_name: &str) -> String {
    if !matches!(ctor_name, "Sequential" | "ModuleList") {
        return ctor_name.to_string();
    }
    let mut inner: Option<String> = None;
    let mut count: Option<String> = None;
    let mut stack: Vec<&Expr> = call.args.iter().collect();
    while let Some(e) = stack.pop() {
        if let ExprKind::Call(c) = &e.kind {
            let name = c.func.dotted().unwrap_or_default();
            let last = name.rsplit('.').next().unwrap_or("").to_string();
            if last == "range" {
                count = c.args.last().map(|a| match &a.kind {
                    ExprKind::Int(n) => n.to_string(),
                    ExprKind::Name(n) => n.clone(),
                    _ => "N".to_string(),
                });
            } else if last.starts_with(|ch: char| ch.is_ascii_uppercase()) && inner.is_none() {
                inner = Some(last);
            }
        }
        stack.extend(e.children());
    }
    match (inner, count) {
        (Some(i), Some(n)) => format!("{i} x{n}"),
        (Some(i), None) if call.args.len() > 1 => {
            // nn.Sequential(Block(..), Block(..), Block(..)) with one block type.
            let all_same = call.args.iter().all(|a| match &a.kind {
                ExprKind::Call(c) => c.func.dotted().is_some_and(|d| d.ends_with(&i)),
                _ => false,
            });
            if all_same {
                format!("{i} x{}", call.args.len())
            } else {
                ctor_name.to_string()
            }
        }
        _ => ctor_name.to_string(),
    }
}

impl Ctx<'_> {
    /// The nodes whose outputs make up the value of `e`, adding nodes for the operations in it.
    fn emit(&mut self, e: &Expr) -> Vec<usize> {
        match &e.kind {
            ExprKind::Name(n) => self.producer.get(n).cloned().unwrap_or_default(),
            ExprKind::Call(c) => self.emit_call(c),
            ExprKind::BinOp { op, left, right } => {
                let l = self.emit(left);
                let r = self.emit(right);
                if l.is_empty() || r.is_empty() {
                    return if l.is_empty() { r } else { l };
                }
                let sym = match op {
                    BinOp::Add => "+",
                    BinOp::Mult => "×",
                    BinOp::MatMult => "@",
                    BinOp::Sub => "−",
                    _ => "op",
                };
                let inputs: Vec<usize> = l.into_iter().chain(r).collect();
                let id = self.graph.add(
                    Node {
                        title: sym.to_string(),
                        desc: None,
                        shape: None,
                        kind: "feature",
                        draw: Shape::Circle,
                        module: None,
                    },
                    &inputs,
                );
                vec![id]
            }
            ExprKind::Tuple(items) | ExprKind::List(items) => {
                items.iter().flat_map(|i| self.emit(i)).collect()
            }
            _ => e
                .children()
                .into_iter()
                .flat_map(|c| self.emit(c))
                .collect(),
        }
    }

    fn emit_call(&mut self, c: &Call) -> Vec<usize> {
        let dotted = c.func.dotted().unwrap_or_default();
        let arg_inputs = |s: &mut Self| -> Vec<usize> {
            let mut v: Vec<usize> = c.args.iter().flat_map(|a| s.emit(a)).collect();
            v.extend(c.keywords.iter().flat_map(|k| s.emit(&k.value)));
            v
        };
        if let Some(ids) = self.inline(&dotted, c) {
            return ids;
        }
        // self.attr(...), self.method(...), self.attr.method(...) or a loop variable over a
        // module container: a module-level step.
        let module = dotted
            .strip_prefix("self.")
            .map(str::to_string)
            .or_else(|| self.loop_vars.get(&dotted).cloned());
        if let Some(attr) = module {
            let inputs = arg_inputs(self);
            let title = match self.layers.get(&attr) {
                Some(ctor) => format!("{attr}: {ctor}"),
                None => attr.clone(),
            };
            let head = attr.split('.').next().unwrap_or("");
            let kind = self.layers.get(head).map(|c| kind_of(c)).unwrap_or("core");
            let id = self.graph.add(
                Node {
                    title,
                    desc: None,
                    shape: None,
                    kind,
                    draw: Shape::Rect,
                    module: Some(attr.clone()),
                },
                &inputs,
            );
            return vec![id];
        }
        let last = dotted.rsplit('.').next().unwrap_or("").to_string();
        if matches!(last.as_str(), "cat" | "stack" | "concat" | "concatenate") {
            let inputs = arg_inputs(self);
            let id = self.graph.add(
                Node {
                    title: if last == "stack" { "stack" } else { "concat" }.to_string(),
                    desc: None,
                    shape: None,
                    kind: "feature",
                    draw: Shape::Circle,
                    module: None,
                },
                &inputs,
            );
            return vec![id];
        }
        // Functional call or tensor method: inputs are the receiver and the arguments.
        let mut inputs = match &c.func.kind {
            ExprKind::Attribute { value, .. } => {
                let recv = self.emit(value);
                if recv.is_empty() && !self.keep_functional {
                    return arg_inputs(self);
                }
                recv
            }
            _ => Vec::new(),
        };
        inputs.extend(arg_inputs(self));
        if inputs.is_empty() || !self.keep_functional {
            return inputs;
        }
        let name = if last.is_empty() {
            "call".to_string()
        } else {
            last
        };
        let id = self.graph.add(
            Node {
                title: name.clone(),
                desc: None,
                shape: None,
                kind: kind_of(&name),
                draw: Shape::Round,
                module: None,
            },
            &inputs,
        );
        vec![id]
    }

    /// Puts the statement's shape comment on the node it created (`first_new`: the node count
    /// before the statement). A statement that only passes a value through (`m = x[:, None]`)
    /// creates no node and relabels nothing; the description replaces an earlier one.
    fn label_last(&mut self, ids: &[usize], shape: Option<&ShapeComment>, first_new: usize) {
        let (Some(&last), Some(sc)) = (ids.last(), shape) else {
            return;
        };
        if last < first_new {
            return;
        }
        let n = &mut self.graph.nodes[last];
        n.shape = Some(sc.shape_text());
        if let Some(d) = &sc.description
            && !d.trim().is_empty()
        {
            n.desc = Some(d.trim().to_string());
        }
    }

    /// Draws the statements of a body; returns the value of its first `return`. In `forward`
    /// itself (`top`), the return becomes the output node.
    fn run_steps(&mut self, steps: &[Step<'_>], top: bool) -> Option<Vec<usize>> {
        let mut returned = None;
        for step in steps {
            self.commented = step.shape().is_some();
            match &step.stmt.kind {
                StmtKind::For { target, iter, .. } => {
                    if let (ExprKind::Name(var), Some(d)) = (&target.kind, iter.dotted())
                        && let Some(attr) = d.strip_prefix("self.")
                        && self.layers.contains_key(attr)
                    {
                        self.loop_vars.insert(var.clone(), attr.to_string());
                    }
                }
                StmtKind::Assign { targets, value } => {
                    let first_new = self.graph.nodes.len();
                    let ids = self.emit(value);
                    self.label_last(&ids, step.shape(), first_new);
                    for t in targets {
                        for name in target_names(t) {
                            self.producer.insert(name, ids.clone());
                        }
                        // `out["aux"] = y`, `x[:, 0] = y`: the container now holds y as well.
                        if let Some(name) = stored_into(t) {
                            let held = self.producer.entry(name).or_default();
                            for &i in &ids {
                                if !held.contains(&i) {
                                    held.push(i);
                                }
                            }
                        }
                    }
                }
                StmtKind::AnnAssign {
                    target,
                    value: Some(value),
                    ..
                } => {
                    let first_new = self.graph.nodes.len();
                    let ids = self.emit(value);
                    self.label_last(&ids, step.shape(), first_new);
                    for name in target_names(target) {
                        self.producer.insert(name, ids.clone());
                    }
                }
                StmtKind::AugAssign { target, op, value } => {
                    let first_new = self.graph.nodes.len();
                    let left = self.emit(target);
                    let right = self.emit(value);
                    let ids = if left.is_empty() || right.is_empty() {
                        if left.is_empty() { right } else { left }
                    } else {
                        let sym = if matches!(op, BinOp::Add) { "+" } else { "op" };
                        let inputs: Vec<usize> = left.into_iter().chain(right).collect();
                        vec![self.graph.add(
                            Node {
                                title: sym.to_string(),
                                desc: None,
                                shape: None,
                                kind: "feature",
                                draw: Shape::Circle,
                                module: None,
                            },
                            &inputs,
                        )]
                    };
                    self.label_last(&ids, step.shape(), first_new);
                    for name in target_names(target) {
                        self.producer.insert(name, ids.clone());
                    }
                }
                StmtKind::Return(Some(value)) if returned.is_none() && !top => {
                    returned = Some(self.emit(value));
                }
                StmtKind::Return(Some(value)) if returned.is_none() => {
                    let ids = self.emit(value);
                    // The measured output, else the return's shape comment, else the shape of the
                    // one node it returns (the same tensor).
                    let shape = self
                        .io
                        .output
                        .clone()
                        .or_else(|| step.shape().map(|s| s.shape_text()))
                        .or_else(|| match ids[..] {
                            [one] => self.graph.nodes[one].shape.clone(),
                            _ => None,
                        });
                    self.graph.add(
                        Node {
                            title: "output".to_string(),
                            desc: None,
                            shape,
                            kind: "output",
                            draw: Shape::Stadium,
                            module: None,
                        },
                        &ids,
                    );
                    returned = Some(Vec::new());
                }
                _ => {}
            }
        }
        returned
    }

    /// `self.method(args)` for a method of the class: its body drawn with its parameters bound
    /// to the arguments' nodes, in a scope of its own; the value is what it returns (else its
    /// inputs, so the flow goes on).
    fn inline(&mut self, dotted: &str, c: &Call) -> Option<Vec<usize>> {
        let name = dotted.strip_prefix("self.")?;
        if self.commented
            || name.contains('.')
            || self.layers.contains_key(name)
            || self.inlining.len() >= INLINE_DEPTH
            || self.inlining.iter().any(|m| m == name)
        {
            return None;
        }
        let (stmt, func) = self.class.method(name)?;
        let body = self.file.body(stmt, func);
        let args: Vec<Vec<usize>> = c.args.iter().map(|a| self.emit(a)).collect();
        let kwargs: Vec<(String, Vec<usize>)> = c
            .keywords
            .iter()
            .filter_map(|k| Some((k.name.clone()?, self.emit(&k.value))))
            .collect();
        let all: Vec<usize> = args
            .iter()
            .chain(kwargs.iter().map(|(_, v)| v))
            .flatten()
            .copied()
            .collect();
        let mut scope = BTreeMap::new();
        let params: Vec<&str> = func
            .params
            .iter()
            .map(|p| p.name.as_str())
            .filter(|p| *p != "self")
            .collect();
        for (p, ids) in params.iter().zip(&args) {
            scope.insert(p.to_string(), ids.clone());
        }
        for (k, ids) in kwargs {
            scope.insert(k, ids);
        }
        let outer = std::mem::replace(&mut self.producer, scope);
        let outer_loops = std::mem::take(&mut self.loop_vars);
        self.inlining.push(name.to_string());
        let steps = body.steps.clone();
        let ret = self.run_steps(&steps, false);
        self.inlining.pop();
        self.commented = false;
        self.producer = outer;
        self.loop_vars = outer_loops;
        Some(match ret {
            Some(ids) if !ids.is_empty() => ids,
            _ => all,
        })
    }
}

/// `out` for a store into `out[...]` (or `out[...][...]`).
fn stored_into(e: &Expr) -> Option<String> {
    match &e.kind {
        ExprKind::Subscript { value, .. } => match &value.kind {
            ExprKind::Name(n) => Some(n.clone()),
            _ => stored_into(value),
        },
        _ => None,
    }
}

fn target_names(e: &Expr) -> Vec<String> {
    match &e.kind {
        ExprKind::Name(n) => vec![n.clone()],
        ExprKind::Tuple(items) | ExprKind::List(items) => {
            items.iter().flat_map(target_names).collect()
        }
        ExprKind::Starred(inner) => target_names(inner),
        _ => Vec::new(),
    }
}

/// Shapes measured by a real forward pass, for the input and output nodes: `inputs` by forward
/// parameter name (positional inputs of the trace as `0`, `1`, …), `output` the model's.
#[derive(Debug, Clone, Default)]
pub struct IoShapes {
    pub inputs: BTreeMap<String, String>,
    pub output: Option<String>,
    /// Output shapes of the modules called exactly once, by path (`stem`, `blocks`).
    pub modules: BTreeMap<String, String>,
}

impl IoShapes {
    /// The model's input and output shapes from a runtime trace.
    pub fn from_trace(t: &crate::trace::Trace) -> IoShapes {
        let batch = crate::trace::batch_of(t);
        let root = t.modules.iter().find(|m| m.path.is_empty());
        let output = root
            .filter(|r| !r.outputs.is_empty())
            .map(|r| crate::trace::shapes_text(&r.outputs, batch));
        let modules = t
            .modules
            .iter()
            .filter(|m| m.calls == 1 && !m.path.is_empty() && !m.outputs.is_empty())
            .map(|m| (m.path.clone(), crate::trace::shapes_text(&m.outputs, batch)))
            .collect();
        IoShapes {
            modules,
            inputs: t
                .inputs
                .iter()
                .map(|(k, v)| (k.clone(), crate::trace::shape_label(v, batch)))
                .collect(),
            output,
        }
    }
}

fn build(
    file: &ModelFile,
    class_name: &str,
    keep_functional: bool,
    io: &IoShapes,
) -> Result<Graph, CodeError> {
    let (_, class) = file.class(class_name).ok_or_else(|| {
        let names: Vec<String> = file.classes().iter().map(|(_, c)| c.name.clone()).collect();
        CodeError::NoClass(class_name.to_string(), names.join(", "))
    })?;
    let body = file
        .forward(class)
        .ok_or_else(|| CodeError::NoForward(class_name.to_string()))?;
    let mut ctx = Ctx {
        file,
        class,
        io,
        inlining: Vec::new(),
        commented: false,
        layers: BTreeMap::new(),
        loop_vars: BTreeMap::new(),
        producer: BTreeMap::new(),
        graph: Graph::default(),
        keep_functional,
    };
    let mut titles: BTreeMap<String, String> = BTreeMap::new();
    for l in file.layers(class) {
        titles.insert(l.attr.clone(), layer_title(l.call, l.ctor_name()));
        ctx.layers.insert(l.attr.clone(), l.ctor_name().to_string());
    }
    // Inputs: every parameter of forward, with its shape from the comments at the top.
    let mut input_shapes: BTreeMap<String, String> = BTreeMap::new();
    for note in &body.input {
        if let Some(sc) = note.shape() {
            for name in &sc.names {
                input_shapes.insert(name.clone(), sc.shape_text());
            }
        }
    }
    for (i, p) in body
        .func
        .params
        .iter()
        .filter(|p| p.name != "self")
        .enumerate()
    {
        // A measured shape beats a comment; a comment beats nothing.
        let measured = io
            .inputs
            .get(&p.name)
            .or_else(|| io.inputs.get(&i.to_string()));
        let shape = measured.or(input_shapes.get(&p.name)).cloned();
        // An optional parameter this run does not give and no comment shapes (`mask=None`,
        // `is_causal=False`, `**kwargs`) is not an input of the drawn data flow.
        let optional = p.default.is_some()
            || matches!(
                p.kind,
                pymodel::ParamKind::VarArgs | pymodel::ParamKind::VarKeywords
            );
        if optional && shape.is_none() {
            continue;
        }
        let id = ctx.graph.add(
            Node {
                title: p.name.clone(),
                desc: None,
                shape,
                kind: "input",
                draw: Shape::Stadium,
                module: None,
            },
            &[],
        );
        ctx.producer.insert(p.name.clone(), vec![id]);
    }
    let steps = body.steps.clone();
    ctx.run_steps(&steps, true);
    // A shape the forward pass measured beats the comment's.
    for n in &mut ctx.graph.nodes {
        if let Some(s) = n.module.as_ref().and_then(|m| io.modules.get(m)) {
            n.shape = Some(s.clone());
        }
    }
    // Repeated containers get their "Block xN" title.
    for n in &mut ctx.graph.nodes {
        if let Some((attr, _)) = n.title.split_once(": ")
            && let Some(t) = titles.get(attr)
        {
            let rest = n.title[attr.len() + 2..].to_string();
            let ctor = ctx.layers.get(attr).cloned().unwrap_or_default();
            let rest = rest.replacen(&ctor, t, 1);
            n.title = format!("{attr}: {rest}");
        }
    }
    Ok(ctx.graph)
}

/// The data-flow diagram of `class_name.forward` in `source`.
pub fn code_diagram(source: &str, class_name: &str, max_nodes: usize) -> Result<String, CodeError> {
    code_diagram_with(source, class_name, max_nodes, &IoShapes::default()).map(|(d, _)| d)
}

/// The diagram and its warnings: an input or output node without a tensor shape (no shape
/// comment and no trace to measure it).
pub fn code_diagram_with(
    source: &str,
    class_name: &str,
    max_nodes: usize,
    io: &IoShapes,
) -> Result<(String, Vec<String>), CodeError> {
    let file = ModelFile::parse(source).map_err(|e| CodeError::Syntax(e.to_string()))?;
    let mut g = build(&file, class_name, true, io)?;
    let mut level = "operation level";
    if g.nodes.len() > max_nodes {
        g = build(&file, class_name, false, io)?;
        level = "module level";
    }
    let warnings: Vec<String> = g
        .nodes
        .iter()
        .filter(|n| matches!(n.kind, "input" | "output"))
        .filter(|n| !n.shape.as_deref().is_some_and(has_tensor_shape))
        .map(|n| {
            format!(
                "{} node `{}` has no tensor shape: add a shape comment (`# {}: [B, ...]`) or pass --trace",
                n.kind, n.title, n.title
            )
        })
        .collect();
    let mut f = Flowchart::new(Direction::TB);
    let mut ids = Vec::new();
    for (i, n) in g.nodes.iter().enumerate() {
        let title = match &n.desc {
            Some(d) => format!("{} ({d})", n.title),
            None => n.title.clone(),
        };
        let label = match &n.shape {
            Some(s) => format!("{title}\n{s}"),
            None => title,
        };
        let id = f.node(&format!("v{i}"), &label, n.draw);
        f.set_class(&id, n.kind);
        ids.push(id);
    }
    for (a, b) in &g.edges {
        f.edge(&ids[*a], &ids[*b], None);
    }
    // Every palette class, used or not: the same classDef lines in every diagram (SKILL.md).
    for (kind, fill, stroke) in PALETTE {
        f.class_def(kind, &[("fill", fill), ("stroke", stroke)]);
    }
    Ok((
        format!(
            "%% {class_name}.forward data flow ({level}, from shape comments)\n{}",
            f.render()
        ),
        warnings,
    ))
}
