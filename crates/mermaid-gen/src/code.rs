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
use pymodel::{
    BinOp, Call, ClassDef, Expr, ExprKind, FunctionDef, ModelFile, ShapeComment, Step, Stmt,
    StmtKind,
};

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
    /// The assignment statement of forward that made the node (its line, target name and
    /// shape comment), and whether the node is the statement's value: the line tracer's
    /// record of that statement labels it.
    at: Option<At>,
}

#[derive(Debug, Clone)]
struct At {
    line: u32,
    name: String,
    comment: Option<String>,
    value: bool,
}

#[derive(Default)]
struct Graph {
    nodes: Vec<Node>,
    edges: Vec<(usize, usize)>,
    /// Labels of the edges into the arms of an `if` whose arm could not be decided: both arms
    /// are drawn, and without the condition on their way in, two arms that join read as two
    /// paths that both run (a fork and a merge), which is wrong.
    labels: std::collections::BTreeMap<(usize, usize), String>,
}

impl Graph {
    /// Drops the placeholder nodes (kind `hidden`) and their edges, renumbering the rest.
    fn compact(&mut self) {
        let mut new_id = vec![usize::MAX; self.nodes.len()];
        let mut kept = Vec::new();
        for (i, n) in std::mem::take(&mut self.nodes).into_iter().enumerate() {
            if n.kind != "hidden" {
                new_id[i] = kept.len();
                kept.push(n);
            }
        }
        self.nodes = kept;
        self.edges = self
            .edges
            .iter()
            .filter(|(a, b)| new_id[*a] != usize::MAX && new_id[*b] != usize::MAX)
            .map(|(a, b)| (new_id[*a], new_id[*b]))
            .collect();
        self.labels = std::mem::take(&mut self.labels)
            .into_iter()
            .filter(|((a, b), _)| new_id[*a] != usize::MAX && new_id[*b] != usize::MAX)
            .map(|((a, b), l)| ((new_id[a], new_id[b]), l))
            .collect();
    }

    /// Labels the edges added since `edges_from` that enter the nodes added since `nodes_from`
    /// from nodes made before `before` (the way into one arm of an `if`), unless an inner `if`
    /// already labelled them.
    fn label_entries(&mut self, before: usize, nodes_from: usize, edges_from: usize, label: &str) {
        for &(a, b) in &self.edges[edges_from..] {
            if a < before && b >= nodes_from {
                self.labels
                    .entry((a, b))
                    .or_insert_with(|| label.to_string());
            }
        }
    }

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
    /// The class that runs and its bases found in the file, nearest first: a method is looked
    /// up along it as Python does (timm's LevitDistilled overrides forward_head, not forward).
    lineage: Vec<&'f ClassDef>,
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
    /// Names that hold a Python list (`to_cat = []`): `to_cat + [x]` joins lists, no node.
    lists: std::collections::BTreeSet<String>,
    /// Parameters of a drawn-through method bound to a literal (`pre_logits=False` not passed):
    /// `x if pre_logits else self.head(x)` takes its known branch.
    consts: BTreeMap<String, bool>,
    /// How many places of the class call `self.<attr>(...)`: a call the trace saw, made at one
    /// place only, proves that place ran.
    call_sites: BTreeMap<String, usize>,
    /// The shape comment of forward's own `return`, for the output node.
    return_shape: Option<String>,
    graph: Graph,
    keep_functional: bool,
}

/// What drawing a block of statements found out about leaving it.
#[derive(Default)]
struct Flow {
    /// The values the block may return (every `return` that may run).
    returns: Vec<usize>,
    /// A `return` may run.
    any_return: bool,
    /// Every path through the block leaves it (`return` or `raise`).
    always: bool,
}

/// Which arms of an `if` ran, as far as the evidence goes.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Arms {
    Body,
    Orelse,
    /// Undecided: both are drawn as alternatives that join where the flow meets again.
    Both,
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
            // `x.shape[0]`, `x.dtype`: metadata, no data flows from x.
            ExprKind::Attribute { attr, .. }
                if matches!(
                    attr.as_str(),
                    "shape" | "ndim" | "dtype" | "device" | "is_cuda" | "requires_grad"
                ) =>
            {
                Vec::new()
            }
            // `self.cls_token` in `torch.cat((self.cls_token, x))`: a tensor the module stores
            // is a source of data.
            ExprKind::Attribute { .. } if self.stored_tensor(e).is_some() => {
                let attr = self.stored_tensor(e).unwrap_or_default();
                let kind = self
                    .io
                    .root_attrs
                    .get(&attr)
                    .filter(|k| *k == "buffer")
                    .map_or("parameter", |_| "buffer");
                let shape = self
                    .io
                    .params
                    .get(&attr)
                    .cloned()
                    .or_else(|| self.param_shape(&attr));
                let id = self.graph.add(
                    Node {
                        title: format!("{attr} ({kind})"),
                        desc: None,
                        shape,
                        // not an input of forward: no shape comment is asked for it
                        kind: "core",
                        draw: Shape::Stadium,
                        module: None,
                        at: None,
                    },
                    &[],
                );
                vec![id]
            }
            ExprKind::Call(c) => self.emit_call(c),
            ExprKind::IfExp { test, body, orelse } => match self.const_test(test) {
                Some(true) => self.emit(body),
                Some(false) => self.emit(orelse),
                None => {
                    let mut ids = self.emit(body);
                    for id in self.emit(orelse) {
                        if !ids.contains(&id) {
                            ids.push(id);
                        }
                    }
                    ids
                }
            },
            ExprKind::BinOp { op, left, right } => {
                // `self.gamma * x`: the stored tensor names the operation (`× gamma`) rather
                // than being a node of its own.
                let side = |s: &mut Self, e: &Expr| match s.stored_tensor(e) {
                    Some(_) => Vec::new(),
                    None => s.emit(e),
                };
                let l = side(self, left);
                let r = side(self, right);
                // `to_cat + [x]` joins two lists: the values, no operation.
                let is_list = |e: &Expr| match &e.kind {
                    ExprKind::List(_) => true,
                    ExprKind::Name(n) => self.lists.contains(n),
                    _ => false,
                };
                if matches!(op, BinOp::Add) && (is_list(left) || is_list(right)) {
                    return l.into_iter().chain(r).collect();
                }
                if l.is_empty() || r.is_empty() {
                    // One operand carries no drawn data: a parameter (`self.gamma * x`, layer
                    // scale), a buffer, a constant or a scalar. The operation still changes
                    // the data: it is a node of its own, never a silent pass-through.
                    return if l.is_empty() {
                        self.operand_op(*op, r, left, true)
                    } else {
                        self.operand_op(*op, l, right, false)
                    };
                }
                let inputs: Vec<usize> = l.into_iter().chain(r).collect();
                vec![self.op_node(op_symbol(*op).to_string(), &inputs)]
            }
            ExprKind::Tuple(items) | ExprKind::List(items) => {
                items.iter().flat_map(|i| self.emit(i)).collect()
            }
            ExprKind::Other(_) => {
                // `[t(x) for i, t in enumerate(self.transition1)]`: the comprehension's variable
                // calls the container's members (the syntax tree keeps no target, so the text
                // is read).
                let bound = comprehension_over(self.file.text(e.span))
                    .filter(|(_, attr)| self.is_module(attr));
                let saved = bound.as_ref().map(|(var, attr)| {
                    (
                        var.clone(),
                        self.loop_vars.insert(var.clone(), attr.clone()),
                    )
                });
                let ids = e
                    .children()
                    .into_iter()
                    .flat_map(|c| self.emit(c))
                    .collect();
                if let Some((var, before)) = saved {
                    match before {
                        Some(b) => self.loop_vars.insert(var, b),
                        None => self.loop_vars.remove(&var),
                    };
                }
                ids
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
        // `self.blocks[i](x)`: a call of the container's members.
        let indexed = match &c.func.kind {
            ExprKind::Subscript { .. } => self_module(&c.func),
            _ => None,
        };
        // `down.forward(y)` / `self.head.forward(x)`: the module called past its hooks.
        let called = dotted.strip_suffix(".forward").unwrap_or(&dotted);
        let module = called
            .strip_prefix("self.")
            .map(str::to_string)
            .or_else(|| self.loop_vars.get(called).cloned())
            .or(indexed)
            // `self.cls_token.expand(...)`: a method of a parameter or buffer is a tensor
            // operation, not a module.
            .filter(|attr| {
                let head = attr.split('.').next().unwrap_or("");
                !matches!(
                    self.io.root_attrs.get(head).map(String::as_str),
                    Some("parameter" | "buffer")
                ) && self.layers.get(head).is_none_or(|c| c != "Parameter")
            });
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
                    at: None,
                },
                &inputs,
            );
            return vec![id];
        }
        // `(x * x).sum(1)`: a method of an expression has no dotted name; its name is the
        // attribute (it was drawn as an anonymous "call").
        let last = match &c.func.kind {
            ExprKind::Attribute { attr, .. } => attr.clone(),
            _ => dotted.rsplit('.').next().unwrap_or("").to_string(),
        };
        // `x.size(0)`, `x.dim()`: a tensor's metadata, not its data (SSD's head read
        // `x.shape[0]` and was drawn fed by x).
        if matches!(
            last.as_str(),
            "size" | "dim" | "ndimension" | "numel" | "stride" | "get_device" | "is_contiguous"
        ) && matches!(c.func.kind, ExprKind::Attribute { .. })
        {
            return Vec::new();
        }
        if matches!(last.as_str(), "cat" | "stack" | "concat" | "concatenate") {
            let inputs = arg_inputs(self);
            let title = if last == "stack" { "stack" } else { "concat" };
            return vec![self.op_node(title.to_string(), &inputs)];
        }
        // `skips.pop()`: a value the list holds (which one is not drawn apart).
        if last == "pop"
            && let ExprKind::Attribute { value, .. } = &c.func.kind
            && let ExprKind::Name(list) = &value.kind
            && self.lists.contains(list)
        {
            return self.producer.get(list).cloned().unwrap_or_default();
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
                at: None,
            },
            &inputs,
        );
        vec![id]
    }

    /// `attr` of `self.attr` when it holds a tensor of the module: built as `nn.Parameter(...)`
    /// in `__init__`, or recorded by the trace as a parameter or buffer.
    fn stored_tensor(&self, e: &Expr) -> Option<String> {
        let attr = e.dotted()?.strip_prefix("self.")?.to_string();
        if attr.contains('.') {
            return None;
        }
        let by_trace = matches!(
            self.io.root_attrs.get(&attr).map(String::as_str),
            Some("parameter" | "buffer")
        );
        let by_init = self.layers.get(&attr).is_some_and(|c| c == "Parameter");
        (by_trace || by_init).then_some(attr)
    }

    /// The shape `__init__` gives a parameter: the size arguments of the tensor it is built
    /// from (`nn.Parameter(torch.zeros(1, 1, embed_dim))` is `[1, 1, embed_dim]`).
    fn param_shape(&self, attr: &str) -> Option<String> {
        for class in &self.lineage {
            let Some((_, init)) = method_of(class, "__init__") else {
                continue;
            };
            let mut found: Option<String> = None;
            for s in &init.body {
                s.walk(&mut |s| {
                    let StmtKind::Assign { targets, value } = &s.kind else {
                        return;
                    };
                    if found.is_some()
                        || targets.len() != 1
                        || targets[0].dotted().as_deref() != Some(&format!("self.{attr}"))
                    {
                        return;
                    }
                    value.walk(&mut |e| {
                        let ExprKind::Call(c) = &e.kind else { return };
                        let name = c.func.dotted().unwrap_or_default();
                        let last = name.rsplit('.').next().unwrap_or("");
                        if found.is_some()
                            || !matches!(last, "zeros" | "ones" | "randn" | "rand" | "empty")
                            || c.args.is_empty()
                        {
                            return;
                        }
                        let dims: Vec<&Expr> = match &c.args[..] {
                            [one] => match &one.kind {
                                ExprKind::Tuple(items) | ExprKind::List(items) => {
                                    items.iter().collect()
                                }
                                _ => vec![one],
                            },
                            many => many.iter().collect(),
                        };
                        let text: Vec<String> = dims
                            .iter()
                            .map(|d| self.file.text(d.span).split_whitespace().collect())
                            .collect();
                        found = Some(format!("[{}]", text.join(", ")));
                    });
                });
            }
            if found.is_some() {
                return found;
            }
        }
        None
    }

    /// `data <op> other` where `other` carries no drawn data (`self.gamma`, `keep`, `0.5`): a node
    /// named by the operation and the operand (`× gamma`). At module level a constant or a
    /// scalar is dropped as functional operations are, but a stored tensor of the module
    /// (`self.gamma`, `self.pos_embed`) is a learned or registered part of it and stays.
    fn operand_op(
        &mut self,
        op: BinOp,
        data: Vec<usize>,
        other: &Expr,
        other_left: bool,
    ) -> Vec<usize> {
        if data.is_empty() {
            return data;
        }
        let stored = other
            .dotted()
            .and_then(|d| d.strip_prefix("self.").map(str::to_string))
            .filter(|a| !self.is_module(a) || self.layers.get(a).is_some_and(|c| c == "Parameter"));
        if !self.keep_functional && stored.is_none() {
            return data;
        }
        let text: String = self
            .file
            .text(other.span)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let text = text.strip_prefix("self.").unwrap_or(&text).to_string();
        let sym = op_symbol(op);
        let commutes = matches!(op, BinOp::Add | BinOp::Mult);
        let title = if text.is_empty() || text.chars().count() > 24 {
            sym.to_string()
        } else if other_left && !commutes {
            format!("{text} {sym} ·")
        } else {
            format!("{sym} {text}")
        };
        vec![self.op_node(title, &data)]
    }

    /// A circle node of an operation of tensors (`+`, `× gamma`, `concat`).
    fn op_node(&mut self, title: String, inputs: &[usize]) -> usize {
        self.graph.add(
            Node {
                title,
                desc: None,
                shape: None,
                kind: "feature",
                draw: Shape::Circle,
                module: None,
                at: None,
            },
            inputs,
        )
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

    /// Draws a block of statements (its shape comments looked up in `steps`). A statement after
    /// one that always leaves is not drawn; an `if` draws the arm the evidence says ran, or both
    /// as alternatives.
    fn run_block(&mut self, stmts: &[Stmt], steps: &StepMap<'_>) -> Flow {
        let mut flow = Flow::default();
        for (i, stmt) in stmts.iter().enumerate() {
            if flow.always {
                break;
            }
            let step = steps.get(&(stmt as *const Stmt as usize));
            let shape = step.and_then(|s| s.shape());
            self.commented = shape.is_some();
            match &stmt.kind {
                StmtKind::For {
                    target,
                    iter,
                    body,
                    orelse,
                } => {
                    // `for blk in self.blocks` and `for i, blk in enumerate(self.blocks)`.
                    let (var, over) = match (&target.kind, &iter.kind) {
                        (ExprKind::Tuple(items), ExprKind::Call(c))
                            if items.len() == 2
                                && c.args.len() == 1
                                && c.func.dotted().as_deref() == Some("enumerate") =>
                        {
                            (&items[1].kind, c.args[0].dotted())
                        }
                        (kind, _) => (kind, iter.dotted()),
                    };
                    if let (ExprKind::Name(var), Some(d)) = (var, over)
                        && let Some(attr) = d.strip_prefix("self.")
                        && self.is_module(attr)
                    {
                        self.loop_vars.insert(var.clone(), attr.to_string());
                    }
                    // The body is drawn once (a loop may not run, so it never always returns).
                    // A name the body reads and changes carries a value from one iteration to
                    // the next (`y = incre(x) + down(y)`): its readers are fed both by the value
                    // before the loop and by the body's own result.
                    let carried: Vec<String> = loop_carried(body)
                        .into_iter()
                        .filter(|n| self.producer.contains_key(n))
                        .collect();
                    let mut holders = Vec::new();
                    for name in &carried {
                        let ph = self.graph.add(
                            Node {
                                title: name.clone(),
                                desc: None,
                                shape: None,
                                kind: "hidden",
                                draw: Shape::Rect,
                                module: None,
                                at: None,
                            },
                            &[],
                        );
                        let before = self.producer.insert(name.clone(), vec![ph]);
                        holders.push((name.clone(), ph, before.unwrap_or_default()));
                    }
                    let inner = self.run_block(body, steps);
                    for (name, ph, before) in holders {
                        let after: Vec<usize> = self
                            .producer
                            .get(&name)
                            .cloned()
                            .unwrap_or_default()
                            .into_iter()
                            .filter(|&i| i != ph)
                            .collect();
                        let readers: Vec<usize> = self
                            .graph
                            .edges
                            .iter()
                            .filter(|(a, _)| *a == ph)
                            .map(|(_, b)| *b)
                            .collect();
                        for r in readers {
                            for &src in before.iter().chain(after.iter()) {
                                // a box fed by its own output is the loop itself (`Block xN`)
                                if src != r && !self.graph.edges.contains(&(src, r)) {
                                    self.graph.edges.push((src, r));
                                }
                            }
                        }
                        let value = if after.is_empty() { before } else { after };
                        self.producer.insert(name, value);
                    }
                    flow.any_return |= inner.any_return;
                    flow.returns.extend(inner.returns);
                    let inner = self.run_block(orelse, steps);
                    flow.any_return |= inner.any_return;
                    flow.returns.extend(inner.returns);
                }
                StmtKind::While { body, .. } => {
                    let inner = self.run_block(body, steps);
                    flow.any_return |= inner.any_return;
                    flow.returns.extend(inner.returns);
                }
                StmtKind::With { body, .. } => {
                    let inner = self.run_block(body, steps);
                    self.absorb(&mut flow, inner);
                }
                StmtKind::Try {
                    body, finalbody, ..
                } => {
                    // The exception handlers are the path that failed: not drawn.
                    let inner = self.run_block(body, steps);
                    self.absorb(&mut flow, inner);
                    let inner = self.run_block(finalbody, steps);
                    self.absorb(&mut flow, inner);
                }
                StmtKind::If { test, body, orelse } => {
                    let arms = self.decide(test, body, orelse, &stmts[i + 1..], steps);
                    match arms {
                        Arms::Body => {
                            let inner = self.run_block(body, steps);
                            self.absorb(&mut flow, inner);
                        }
                        Arms::Orelse => {
                            let inner = self.run_block(orelse, steps);
                            self.absorb(&mut flow, inner);
                        }
                        Arms::Both => {
                            let before = (self.producer.clone(), self.lists.clone());
                            let (nodes0, edges0) = (self.graph.nodes.len(), self.graph.edges.len());
                            let a = self.run_block(body, steps);
                            let test_text = condition_label(self.file.text(test.span));
                            self.graph.label_entries(
                                nodes0,
                                nodes0,
                                edges0,
                                &format!("if {test_text}"),
                            );
                            let (nodes1, edges1) = (self.graph.nodes.len(), self.graph.edges.len());
                            let after_a = std::mem::replace(&mut self.producer, before.0);
                            self.lists.extend(before.1);
                            let b = self.run_block(orelse, steps);
                            self.graph.label_entries(nodes0, nodes1, edges1, "else");
                            // A path that left the block does not reach what follows.
                            if a.always && !b.always {
                                // keep the else arm's values
                            } else if b.always && !a.always {
                                self.producer = after_a;
                            } else {
                                for (name, ids) in after_a {
                                    let held = self.producer.entry(name).or_default();
                                    for id in ids {
                                        if !held.contains(&id) {
                                            held.push(id);
                                        }
                                    }
                                }
                            }
                            flow.any_return |= a.any_return || b.any_return;
                            flow.returns.extend(a.returns);
                            flow.returns.extend(b.returns);
                            flow.always = a.always && b.always;
                        }
                    }
                }
                StmtKind::Expr(e) => {
                    // `skips.append(x)`, `feats.extend(ys)`: the list now holds x as well.
                    if let ExprKind::Call(c) = &e.kind
                        && let ExprKind::Attribute { value, attr } = &c.func.kind
                        && let ExprKind::Name(list) = &value.kind
                        && matches!(attr.as_str(), "append" | "extend" | "insert")
                        && !self.layers.contains_key(list)
                    {
                        let ids: Vec<usize> = c.args.iter().flat_map(|a| self.emit(a)).collect();
                        self.lists.insert(list.clone());
                        let held = self.producer.entry(list.clone()).or_default();
                        for id in ids {
                            if !held.contains(&id) {
                                held.push(id);
                            }
                        }
                    }
                }
                StmtKind::Assign { targets, value } if self.module_alias(targets, value) => {}
                StmtKind::Assign { targets, value } => {
                    let first_new = self.graph.nodes.len();
                    let ids = self.emit(value);
                    self.label_last(&ids, shape, first_new);
                    if let [t] = &targets[..]
                        && let ExprKind::Name(name) = &t.kind
                        && self.inlining.is_empty()
                    {
                        let line = self.file.lines().line_of(stmt.span.start);
                        let value_id = ids.last().copied();
                        for id in first_new..self.graph.nodes.len() {
                            self.graph.nodes[id].at = Some(At {
                                line,
                                name: name.clone(),
                                comment: shape.map(|sc| sc.shape_text()),
                                value: Some(id) == value_id,
                            });
                        }
                    }
                    let is_list = matches!(value.kind, ExprKind::List(_));
                    for t in targets {
                        for name in target_names(t) {
                            if is_list {
                                self.lists.insert(name.clone());
                            } else {
                                self.lists.remove(&name);
                            }
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
                    self.label_last(&ids, shape, first_new);
                    for name in target_names(target) {
                        self.producer.insert(name, ids.clone());
                    }
                }
                StmtKind::AugAssign { target, op, value } => {
                    let first_new = self.graph.nodes.len();
                    let left = self.emit(target);
                    let right = self.emit(value);
                    let ids = if left.is_empty() {
                        // `x = 1 + x` spelled backwards is rare; `x *= self.gamma` is the case.
                        right
                    } else if right.is_empty() {
                        self.operand_op(*op, left, value, false)
                    } else {
                        let inputs: Vec<usize> = left.into_iter().chain(right).collect();
                        vec![self.op_node(op_symbol(*op).to_string(), &inputs)]
                    };
                    self.label_last(&ids, shape, first_new);
                    for name in target_names(target) {
                        self.producer.insert(name, ids.clone());
                    }
                }
                StmtKind::Return(value) => {
                    if let Some(v) = value {
                        let first_new = self.graph.nodes.len();
                        let ids = self.emit(v);
                        self.label_last(&ids, shape, first_new);
                        for id in ids {
                            if !flow.returns.contains(&id) {
                                flow.returns.push(id);
                            }
                        }
                        if let Some(sc) = shape
                            && self.inlining.is_empty()
                            && self.return_shape.is_none()
                        {
                            self.return_shape = Some(sc.shape_text());
                        }
                    }
                    flow.any_return = true;
                    flow.always = true;
                }
                StmtKind::Other(_) if self.is_raise(stmt) => flow.always = true,
                _ => {}
            }
        }
        flow
    }

    /// Adds what a nested block found out to the enclosing block's flow, when the nested block
    /// runs whenever the enclosing one does.
    fn absorb(&self, flow: &mut Flow, inner: Flow) {
        flow.any_return |= inner.any_return;
        flow.always |= inner.always;
        for id in inner.returns {
            if !flow.returns.contains(&id) {
                flow.returns.push(id);
            }
        }
    }

    /// Whether `self.<attr>` ran in the traced forward pass: `Some(true)` called,
    /// `Some(false)` a module never called or an attribute that is `None`, `None` unknown
    /// (no trace, or not a module).
    fn ran(&self, attr: &str) -> Option<bool> {
        if !self.io.traced {
            return None;
        }
        let prefix = format!("{attr}.");
        let called = self
            .io
            .called
            .iter()
            .any(|p| p == attr || p.starts_with(&prefix));
        if called {
            return Some(true);
        }
        // `head.()` stands for a method of attribute `head`: evidence only when it is None.
        if let Some(head) = attr.strip_suffix(".()") {
            return self
                .io
                .root_attrs
                .get(head)
                .is_some_and(|k| k == "none")
                .then_some(false);
        }
        let none = self.io.root_attrs.get(attr).is_some_and(|k| k == "none");
        let uncalled = self
            .io
            .uncalled
            .iter()
            .any(|p| p == attr || p.starts_with(&prefix));
        (none || uncalled).then_some(false)
    }

    /// Which arms of `if test: body else: orelse` to draw. A literal test decides; then a
    /// module the trace never called (or a `None` attribute) rules out the arm whose own
    /// statements call it; then a module called at one place only proves its arm ran; then an
    /// arm that always returns did not run when a statement after the `if` (`rest`) ran.
    fn decide(
        &self,
        test: &Expr,
        body: &[Stmt],
        orelse: &[Stmt],
        rest: &[Stmt],
        steps: &StepMap<'_>,
    ) -> Arms {
        if let Some(v) = self.const_test(test) {
            return if v { Arms::Body } else { Arms::Orelse };
        }
        let dead_body = self.arm_dead(body);
        let dead_else = self.arm_dead(orelse);
        if dead_body && !dead_else {
            return Arms::Orelse;
        }
        if dead_else && !dead_body {
            return Arms::Body;
        }
        let ran_body = self.stmts_ran(body);
        let ran_else = self.stmts_ran(orelse);
        // Over several calls, an arm whose running would leave no trace (no `else`, or one
        // that calls no module: `identity = x`) may have run too: SE-ResNet's blocks took the
        // downsample in 4 of 16 calls and the identity in 12, and only the downsample was
        // drawn.
        let one_call = self.io.calls <= 1;
        if ran_body && !ran_else && (one_call || self.observable(orelse)) {
            return Arms::Body;
        }
        if ran_else && !ran_body && (one_call || self.observable(body)) {
            return Arms::Orelse;
        }
        if !ran_body && self.always_leaves(body) && self.stmts_ran(rest) {
            return Arms::Orelse;
        }
        self.decide_by_lines(body, orelse, rest, steps)
            .unwrap_or(Arms::Both)
    }

    /// The line tracer's word on an `if` of forward's own body: an arm with a recorded
    /// statement ran; an arm with a commented tensor assignment (`mask = ...  # mask: [B, 1]`)
    /// that no call recorded did not. When the body always leaves and there is no `else`,
    /// the statements after the `if` are the other arm.
    fn decide_by_lines(
        &self,
        body: &[Stmt],
        orelse: &[Stmt],
        rest: &[Stmt],
        steps: &StepMap<'_>,
    ) -> Option<Arms> {
        let ev = self
            .io
            .lines
            .as_ref()
            .filter(|_| self.inlining.is_empty())?;
        let other = if orelse.is_empty() && self.always_leaves(body) {
            rest
        } else {
            orelse
        };
        let line = |s: &Stmt| self.file.lines().line_of(s.span.start);
        let ran = |arm: &[Stmt]| {
            fn all<'a>(arm: &'a [Stmt], out: &mut Vec<&'a Stmt>) {
                for s in arm {
                    out.push(s);
                    for b in s.blocks() {
                        all(b, out);
                    }
                }
            }
            let mut v = Vec::new();
            all(arm, &mut v);
            v.iter().any(|s| ev.ran(line(s)))
        };
        // Statements that surely run when the arm does: up to the first that may leave or
        // branch.
        let unrun = |arm: &[Stmt]| {
            for s in arm {
                match &s.kind {
                    StmtKind::Assign { targets, .. }
                        if targets.len() == 1
                            && matches!(targets[0].kind, ExprKind::Name(_))
                            && steps
                                .get(&(s as *const Stmt as usize))
                                .and_then(|st| st.shape())
                                .is_some() =>
                    {
                        if !ev.ran(line(s)) {
                            return true;
                        }
                    }
                    StmtKind::Assign { .. } | StmtKind::AugAssign { .. } | StmtKind::Expr(_) => {}
                    StmtKind::AnnAssign { .. } => {}
                    _ => return false,
                }
            }
            false
        };
        let (body_ran, other_ran) = (ran(body), ran(other));
        let body_dead = !body_ran && unrun(body);
        let other_dead = !other_ran && unrun(other);
        match (body_dead, other_dead) {
            (true, false) => Some(Arms::Orelse),
            (false, true) => Some(Arms::Body),
            _ => None,
        }
    }

    /// A literal truth value: `True`, `not x`, or a drawn-through method's parameter left at a
    /// literal default.
    fn const_test(&self, test: &Expr) -> Option<bool> {
        match &test.kind {
            ExprKind::Bool(b) => Some(*b),
            ExprKind::NoneLit => Some(false),
            ExprKind::Name(n) => self.consts.get(n).copied(),
            // `self.flag`, recorded by the trace as true or false.
            ExprKind::Attribute { .. } => {
                let attr = test.dotted()?.strip_prefix("self.")?.to_string();
                match self.io.root_attrs.get(&attr)?.as_str() {
                    "true" => Some(true),
                    "false" | "none" => Some(false),
                    _ => None,
                }
            }
            // `self.attr is None` / `self.attr is not None` (a comparison keeps no operator in
            // the syntax tree, so its text is read).
            ExprKind::Other(_) => {
                let text = self.file.text(test.span).trim();
                let (attr, negated) = if let Some(a) = text.strip_suffix(" is not None") {
                    (a, true)
                } else {
                    (text.strip_suffix(" is None")?, false)
                };
                let attr = attr.trim().strip_prefix("self.")?;
                if !attr.chars().all(|c| c.is_alphanumeric() || c == '_') {
                    return None;
                }
                let is_none = match self.io.root_attrs.get(attr)?.as_str() {
                    "none" => true,
                    "module" | "parameter" | "buffer" | "true" | "false" => false,
                    _ => return None,
                };
                Some(is_none != negated)
            }
            ExprKind::UnaryOp {
                op: pymodel::UnaryOp::Not,
                operand,
            } => self.const_test(operand).map(|v| !v),
            _ => None,
        }
    }

    /// An arm whose own statements (up to the first that leaves) call a module that never ran.
    /// Calls under a conditional expression, a comprehension or a lambda are not evidence.
    fn arm_dead(&self, arm: &[Stmt]) -> bool {
        for s in arm {
            let mut attrs = Vec::new();
            for e in s.exprs() {
                sure_module_calls(e, &self.loop_vars, &mut attrs);
            }
            if attrs.iter().any(|a| self.ran(a) == Some(false)) {
                return true;
            }
            if matches!(s.kind, StmtKind::Return(_)) || self.is_raise(s) {
                break;
            }
        }
        false
    }

    /// Some statement of `stmts` (nested ones included) calls a module that ran and that the
    /// class calls at this one place.
    /// Whether running `stmts` would show in the trace: they call a module of one call site.
    fn observable(&self, stmts: &[Stmt]) -> bool {
        stmts.iter().any(|s| {
            let mut found = false;
            for e in s.exprs() {
                e.walk(&mut |x| {
                    if let ExprKind::Call(c) = &x.kind
                        && let Some(a) = self_module(&c.func)
                    {
                        found |= self.call_sites.get(&a) == Some(&1);
                    }
                });
            }
            found || s.blocks().iter().any(|b| self.observable(b))
        })
    }

    fn stmts_ran(&self, stmts: &[Stmt]) -> bool {
        stmts.iter().any(|s| {
            let mut attrs = Vec::new();
            for e in s.exprs() {
                e.walk(&mut |x| {
                    if let ExprKind::Call(c) = &x.kind
                        && let Some(a) = self_module(&c.func)
                    {
                        attrs.push(a);
                    }
                });
            }
            attrs
                .iter()
                .any(|a| self.ran(a) == Some(true) && self.call_sites.get(a) == Some(&1))
                || s.blocks().iter().any(|b| self.stmts_ran(b))
        })
    }

    /// `self.<attr>` holds a module: built in `__init__` as one, or called in the traced run
    /// (`self.incre_modules, ... = self._make_head(...)` builds them out of sight).
    fn is_module(&self, attr: &str) -> bool {
        self.layers.contains_key(attr)
            || self.ran(attr) == Some(true)
            || self.io.root_attrs.get(attr).is_some_and(|k| k == "module")
    }

    /// `down = self.downsamp[i - 1]` or `blk = self.block`: the name now calls that module.
    fn module_alias(&mut self, targets: &[Expr], value: &Expr) -> bool {
        let [target] = targets else {
            return false;
        };
        let ExprKind::Name(name) = &target.kind else {
            return false;
        };
        let attr = match &value.kind {
            ExprKind::Subscript { value: inner, .. } => inner.dotted(),
            _ => value.dotted(),
        };
        let Some(attr) = attr.as_deref().and_then(|d| d.strip_prefix("self.")) else {
            return false;
        };
        if !self.is_module(attr) {
            return false;
        }
        self.loop_vars.insert(name.clone(), attr.to_string());
        self.producer.remove(name);
        true
    }

    fn is_raise(&self, stmt: &Stmt) -> bool {
        matches!(stmt.kind, StmtKind::Other(_))
            && self.file.text(stmt.span).trim_start().starts_with("raise")
    }

    /// Every path through `stmts` ends in `return` or `raise`.
    fn always_leaves(&self, stmts: &[Stmt]) -> bool {
        stmts.iter().any(|s| match &s.kind {
            StmtKind::Return(_) => true,
            StmtKind::If { body, orelse, .. } => {
                self.always_leaves(body) && self.always_leaves(orelse)
            }
            _ => self.is_raise(s),
        })
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
        let (stmt, func) = self.lineage.iter().find_map(|c| method_of(c, name))?;
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
        // A parameter the call leaves at a literal default (`pre_logits=False`) is known.
        let mut consts = BTreeMap::new();
        let given: Vec<&str> = c
            .keywords
            .iter()
            .filter_map(|k| k.name.as_deref())
            .collect();
        let positional = func.params.iter().filter(|p| p.name != "self");
        for (i, p) in positional.enumerate() {
            if i < c.args.len() || given.contains(&p.name.as_str()) {
                continue;
            }
            let literal = match p.default.as_ref().map(|d| &d.kind) {
                Some(ExprKind::Bool(b)) => Some(*b),
                Some(ExprKind::NoneLit) => Some(false),
                _ => None,
            };
            if let Some(v) = literal {
                consts.insert(p.name.clone(), v);
            }
        }
        if c.args
            .iter()
            .any(|a| matches!(a.kind, ExprKind::Starred(_)))
            || c.keywords.iter().any(|k| k.name.is_none())
        {
            consts.clear();
        }
        for (k, ids) in kwargs {
            scope.insert(k, ids);
        }
        let outer = std::mem::replace(&mut self.producer, scope);
        let outer_loops = std::mem::take(&mut self.loop_vars);
        let outer_lists = std::mem::take(&mut self.lists);
        let outer_consts = std::mem::replace(&mut self.consts, consts);
        self.inlining.push(name.to_string());
        let steps = step_map(&body.steps);
        let flow = self.run_block(func.code(), &steps);
        self.inlining.pop();
        self.commented = false;
        self.producer = outer;
        self.loop_vars = outer_loops;
        self.lists = outer_lists;
        self.consts = outer_consts;
        Some(if flow.returns.is_empty() {
            all
        } else {
            flow.returns
        })
    }
}

/// The method `name` of a class as Python binds it: the last `def` of that name (torchvision's
/// _DenseLayer declares two `@torch.jit._overload_method` stubs of `forward` before the real
/// one; the first is a `pass`).
fn method_of<'c>(class: &'c ClassDef, name: &str) -> Option<(&'c Stmt, &'c FunctionDef)> {
    class.methods().filter(|(_, f)| f.name == name).last()
}

/// The symbol a node of a binary operation is drawn with.
fn op_symbol(op: BinOp) -> &'static str {
    match op {
        BinOp::Add => "+",
        BinOp::Mult => "×",
        BinOp::MatMult => "@",
        BinOp::Sub => "−",
        BinOp::Div => "/",
        BinOp::FloorDiv => "//",
        BinOp::Mod => "mod",
        BinOp::Pow => "^",
        BinOp::Other => "op",
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

/// Statements of a body by address, to find each one's shape comment.
type StepMap<'f> = BTreeMap<usize, Step<'f>>;

fn step_map<'f>(steps: &[Step<'f>]) -> StepMap<'f> {
    steps
        .iter()
        .map(|s| (s.stmt as *const Stmt as usize, s.clone()))
        .collect()
}

/// `attr` of a call of `self.attr(...)` or `self.attr[i](...)`.
fn self_module(func: &Expr) -> Option<String> {
    let target = match &func.kind {
        ExprKind::Subscript { value, .. } => value,
        _ => func,
    };
    let dotted = target.dotted()?;
    let attr = dotted.strip_prefix("self.")?;
    (!attr.contains('.')).then(|| attr.to_string())
}

/// The modules an expression surely calls when it is evaluated: not under a conditional
/// expression, a boolean operator, a comprehension or a lambda (all in `Other` or `IfExp`).
fn sure_module_calls(e: &Expr, loop_vars: &BTreeMap<String, String>, out: &mut Vec<String>) {
    match &e.kind {
        ExprKind::IfExp { test, .. } => sure_module_calls(test, loop_vars, out),
        ExprKind::Other(_) => {}
        ExprKind::Call(c) => {
            if let Some(a) = self_module(&c.func) {
                out.push(a);
            } else if let Some(d) = c.func.dotted()
                && let Some(rest) = d.strip_prefix("self.")
                && let Some((head, _)) = rest.split_once('.')
            {
                // `self.reg_token.expand(...)`: it ran only if `reg_token` was not None.
                out.push(format!("{head}.()"));
            } else if let ExprKind::Name(n) = &c.func.kind
                && let Some(a) = loop_vars.get(n)
            {
                out.push(a.clone());
            }
            for child in e.children() {
                sure_module_calls(child, loop_vars, out);
            }
        }
        _ => {
            for child in e.children() {
                sure_module_calls(child, loop_vars, out);
            }
        }
    }
}

/// Names a loop body reads and also assigns (or appends to): values that flow from one
/// iteration to the next.
fn loop_carried(body: &[Stmt]) -> Vec<String> {
    fn walk(body: &[Stmt], read: &mut Vec<String>, written: &mut Vec<String>) {
        for s in body {
            match &s.kind {
                StmtKind::Assign { targets, value } => {
                    value.walk(&mut |e| {
                        if let ExprKind::Name(n) = &e.kind {
                            read.push(n.clone());
                        }
                    });
                    for t in targets {
                        written.extend(target_names(t));
                    }
                }
                StmtKind::AugAssign { target, value, .. } => {
                    for e in [target, value] {
                        e.walk(&mut |e| {
                            if let ExprKind::Name(n) = &e.kind {
                                read.push(n.clone());
                            }
                        });
                    }
                    written.extend(target_names(target));
                }
                _ => {
                    for e in s.exprs() {
                        e.walk(&mut |e| {
                            if let ExprKind::Name(n) = &e.kind {
                                read.push(n.clone());
                            }
                        });
                    }
                }
            }
            for b in s.blocks() {
                walk(b, read, written);
            }
        }
    }
    let (mut read, mut written) = (Vec::new(), Vec::new());
    walk(body, &mut read, &mut written);
    let mut out: Vec<String> = written.into_iter().filter(|w| read.contains(w)).collect();
    out.sort();
    out.dedup();
    out
}

/// `(variable, attr)` of a comprehension `[... for var in self.attr]` or
/// `[... for i, var in enumerate(self.attr)]` (one generator).
fn comprehension_over(text: &str) -> Option<(String, String)> {
    let t = text.trim();
    if !(t.starts_with('[') || t.starts_with('(') || t.starts_with('{')) {
        return None;
    }
    let (_, rest) = t.split_once(" for ")?;
    let (targets, iter) = rest.split_once(" in ")?;
    if iter.contains(" for ") {
        return None;
    }
    let var = targets
        .rsplit(',')
        .next()?
        .trim()
        .trim_matches(['(', ')'])
        .trim();
    let iter = iter.trim().trim_end_matches([']', ')', '}']).trim();
    let iter = iter
        .split(" if ")
        .next()?
        .trim()
        .strip_prefix("enumerate(")
        .map_or(iter, |i| i.trim_end_matches(')'));
    let attr = iter.trim().strip_prefix("self.")?;
    let ident = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_');
    (ident(var) && ident(attr)).then(|| (var.to_string(), attr.to_string()))
}

/// `class` and its bases defined in the same file, nearest first (depth-first, as far as single
/// inheritance goes; a base from another file ends the line).
fn lineage_of<'f>(file: &'f ModelFile, class: &'f ClassDef) -> Vec<&'f ClassDef> {
    let mut out = vec![class];
    let mut i = 0;
    while i < out.len() && out.len() < 16 {
        let bases: Vec<String> = out[i]
            .bases
            .iter()
            .filter_map(|b| b.dotted())
            .map(|d| d.rsplit('.').next().unwrap_or("").to_string())
            .collect();
        for b in bases {
            if let Some((_, c)) = file.class(&b)
                && !out.iter().any(|k| std::ptr::eq(*k, c))
            {
                out.push(c);
            }
        }
        i += 1;
    }
    out
}

/// How many places call each `self.attr(...)` in forward and the methods it reaches (a
/// method forward never calls, such as `forward_intermediates`, cannot have run).
fn count_call_sites(lineage: &[&ClassDef], forward: &FunctionDef) -> BTreeMap<String, usize> {
    fn stmts<'a>(body: &'a [Stmt], out: &mut Vec<&'a Expr>) {
        for s in body {
            out.extend(s.exprs());
            for b in s.blocks() {
                stmts(b, out);
            }
        }
    }
    let mut counts = BTreeMap::new();
    let mut seen: Vec<String> = vec![forward.name.clone()];
    let mut queue: Vec<&FunctionDef> = vec![forward];
    while let Some(f) = queue.pop() {
        let mut exprs = Vec::new();
        stmts(&f.body, &mut exprs);
        for e in exprs {
            e.walk(&mut |x| {
                if let ExprKind::Call(c) = &x.kind
                    && let Some(a) = self_module(&c.func)
                {
                    match lineage.iter().find_map(|k| method_of(k, &a)) {
                        Some((_, m)) if !seen.contains(&a) => {
                            seen.push(a);
                            queue.push(m);
                        }
                        Some(_) => {}
                        None => *counts.entry(a).or_default() += 1,
                    }
                }
            });
        }
    }
    counts
}

/// Shapes measured by a real forward pass, for the input and output nodes: `inputs` by forward
/// parameter name (positional inputs of the trace as `arg0`, `arg1`, …), `output` the model's.
#[derive(Debug, Clone, Default)]
pub struct IoShapes {
    pub inputs: BTreeMap<String, String>,
    pub output: Option<String>,
    /// Output shapes of the modules called exactly once, by path (`stem`, `blocks`).
    pub modules: BTreeMap<String, String>,
    /// The type of the traced object (the root module).
    pub root_type: Option<String>,
    /// A container the forward indexes (`self.blocks[i](x)`): its members' one type and count.
    pub members: BTreeMap<String, (String, usize)>,
    /// The shapes came from a trace: the sets below are evidence of what ran.
    pub traced: bool,
    /// Every module path the forward pass called.
    pub called: std::collections::BTreeSet<String>,
    /// Module paths of the model it never called.
    pub uncalled: std::collections::BTreeSet<String>,
    /// The root's attributes by kind (`module`, `parameter`, `buffer`, `none`).
    pub root_attrs: BTreeMap<String, String>,
    /// The shapes of the root's own parameters and buffers (`cls_token`: `[1, 1, 192]`).
    pub params: BTreeMap<String, String>,
    /// The lines of the drawn file the run recorded (see [`LineEvidence`]).
    pub lines: Option<LineEvidence>,
    /// How many calls of the drawn class the evidence merges (a whole model's trace drawn for
    /// one of its blocks); 0 or 1: one call, which took one arm of every `if`.
    pub calls: usize,
}

/// What the line tracer recorded in the drawn class's forward, over every call of the class:
/// a statement's tensor by `(line, name)`, and each sub-module's output, both by call. The
/// tracer follows every `forward` of the user's files, so a commented tensor assignment no
/// call recorded did not run.
#[derive(Debug, Clone, Default)]
pub struct LineEvidence {
    pub shapes: BTreeMap<(u32, String), BTreeMap<usize, String>>,
    pub modules: BTreeMap<String, BTreeMap<usize, String>>,
}

impl LineEvidence {
    fn ran(&self, line: u32) -> bool {
        self.shapes.keys().any(|(l, _)| *l == line)
    }

    /// The one value of a by-call map, when every call agrees.
    fn agreed(by_call: &BTreeMap<usize, String>) -> Option<String> {
        let first = by_call.values().next()?;
        by_call.values().all(|v| v == first).then(|| first.clone())
    }
}

impl IoShapes {
    /// The model's input and output shapes from a runtime trace.
    pub fn from_trace(t: &crate::trace::Trace) -> IoShapes {
        IoShapes::from_trace_batch(t, crate::trace::batch_of(t))
    }

    /// As [`IoShapes::from_trace`], with the batch size given (a module's calls inside a larger
    /// trace take the model's batch, not the first dim of the module's own input).
    pub fn from_trace_batch(t: &crate::trace::Trace, batch: Option<i64>) -> IoShapes {
        let root = t.modules.iter().find(|m| m.path.is_empty());
        let output = root
            .filter(|r| !r.outputs.is_empty())
            .map(|r| crate::trace::shapes_text(&r.outputs, batch));
        let mut modules: BTreeMap<String, String> = t
            .modules
            .iter()
            .filter(|m| m.calls == 1 && !m.path.is_empty() && !m.outputs.is_empty())
            .map(|m| (m.path.clone(), crate::trace::shapes_text(&m.outputs, batch)))
            .collect();
        // A box that stands for several calls (a module called in a loop, or the members of a
        // container called as `self.blocks[i](x)`) shows the first and last output shapes.
        let mut several: BTreeMap<String, Vec<(u64, String)>> = BTreeMap::new();
        let mut members: BTreeMap<String, (String, usize)> = BTreeMap::new();
        for m in t.modules.iter().filter(|m| !m.path.is_empty()) {
            if m.calls > 1 && !m.call_shapes.is_empty() {
                let outs = m
                    .call_shapes
                    .iter()
                    .enumerate()
                    .map(|(i, c)| (i as u64, crate::trace::shapes_text(&c.outputs, batch)));
                several.entry(m.path.clone()).or_default().extend(outs);
            } else if m.calls == 1
                && let Some((parent, index)) = m.path.rsplit_once('.')
                && let Ok(index) = index.parse::<u64>()
                && !t.modules.iter().any(|p| p.path == parent)
                && !m.outputs.is_empty()
            {
                let entry = members
                    .entry(parent.to_string())
                    .or_insert_with(|| (m.ty.clone(), 0));
                if entry.0 != m.ty {
                    entry.0.clear();
                }
                entry.1 += 1;
                let out = crate::trace::shapes_text(&m.outputs, batch);
                several
                    .entry(parent.to_string())
                    .or_default()
                    .push((index, out));
            }
        }
        for (path, mut outs) in several {
            outs.sort_by_key(|(i, _)| *i);
            let (Some((_, first)), Some((_, last))) = (outs.first(), outs.last()) else {
                continue;
            };
            let label = if outs.iter().all(|(_, o)| o == first) {
                first.clone()
            } else {
                format!("{first} … {last}")
            };
            modules.entry(path).or_insert(label);
        }
        members.retain(|_, (ty, _)| !ty.is_empty());
        IoShapes {
            modules,
            members,
            root_type: root.map(|r| r.ty.clone()),
            traced: true,
            called: t.modules.iter().map(|m| m.path.clone()).collect(),
            uncalled: t.uncalled.iter().cloned().collect(),
            root_attrs: t.root_attrs.clone(),
            params: t
                .parameters
                .iter()
                .filter(|(k, _)| !k.contains('.'))
                .map(|(k, v)| (k.clone(), crate::trace::shape_label(v, None)))
                .collect(),
            lines: None,
            // The trace of the drawn class itself: one call.
            calls: 1,
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
    // The traced object may be a subclass of the class asked for (its forward inherited from
    // it): its overrides are what ran.
    let lineage = io
        .root_type
        .as_deref()
        .filter(|t| *t != class_name)
        .and_then(|t| file.class(t))
        .map(|(_, c)| lineage_of(file, c))
        .filter(|l| l.iter().any(|c| c.name == class_name))
        .unwrap_or_else(|| lineage_of(file, class));
    let (def_stmt, func) = lineage
        .iter()
        .find_map(|c| method_of(c, "forward"))
        .ok_or_else(|| CodeError::NoForward(class_name.to_string()))?;
    let body = file.body(def_stmt, func);
    let call_sites = count_call_sites(&lineage, func);
    let mut ctx = Ctx {
        file,
        lineage: lineage.clone(),
        io,
        inlining: Vec::new(),
        commented: false,
        layers: BTreeMap::new(),
        loop_vars: BTreeMap::new(),
        producer: BTreeMap::new(),
        lists: Default::default(),
        consts: BTreeMap::new(),
        call_sites,
        return_shape: None,
        graph: Graph::default(),
        keep_functional,
    };
    let mut titles: BTreeMap<String, String> = BTreeMap::new();
    // Bases first, so that a subclass's own layer of the same name wins.
    for c in lineage.iter().rev() {
        for l in file.layers(c) {
            titles.insert(l.attr.clone(), layer_title(l.call, l.ctor_name()));
            ctx.layers.insert(l.attr.clone(), l.ctor_name().to_string());
        }
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
            .or_else(|| io.inputs.get(&format!("arg{i}")));
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
                at: None,
            },
            &[],
        );
        ctx.producer.insert(p.name.clone(), vec![id]);
    }
    let steps = step_map(&body.steps);
    let flow = ctx.run_block(body.func.code(), &steps);
    let mut output_node: Option<usize> = None;
    if flow.any_return {
        // The measured output, else the return's shape comment, else the shape of the one
        // node it returns (the same tensor).
        let shape = io
            .output
            .clone()
            .or_else(|| ctx.return_shape.clone())
            .or_else(|| match flow.returns[..] {
                [one] => ctx.graph.nodes[one].shape.clone(),
                _ => None,
            });
        output_node = Some(ctx.graph.add(
            Node {
                title: "output".to_string(),
                desc: None,
                shape,
                kind: "output",
                draw: Shape::Stadium,
                module: None,
                at: None,
            },
            &flow.returns,
        ));
    }
    // A shape the forward pass measured beats the comment's.
    for n in &mut ctx.graph.nodes {
        if let Some(s) = n.module.as_ref().and_then(|m| io.modules.get(m)) {
            n.shape = Some(s.clone());
        }
    }
    // The statements the line tracer recorded: a statement's value takes the shape all calls
    // agree on (else its comment's, so one chart never mixes a measured module with a
    // symbolic operation of the same calls); a module without a shape whose output is the
    // statement's value in every call (`x = shortcut + self.drop_path(x)`) takes that shape.
    if let Some(ev) = &io.lines {
        for n in &mut ctx.graph.nodes {
            let Some(at) = &n.at else { continue };
            let Some(by_call) = ev.shapes.get(&(at.line, at.name.clone())) else {
                continue;
            };
            let agreed = LineEvidence::agreed(by_call);
            if at.value {
                if let Some(s) = agreed {
                    n.shape = Some(s);
                }
            } else if n.shape.is_none()
                && let Some(outs) = n.module.as_ref().and_then(|m| ev.modules.get(m))
                && !outs.is_empty()
                && outs.iter().all(|(i, o)| by_call.get(i) == Some(o))
            {
                n.shape = agreed.or_else(|| at.comment.clone());
            }
        }
    }
    // An output returned from several arms (`if self.use_res: out = out + x`, then `return out`)
    // has the shape its arms agree on, once every arm has one; arms that disagree leave it
    // without a shape (and a warning), never one arm's.
    if let Some(o) = output_node
        && ctx.graph.nodes[o].shape.is_none()
        && flow.returns.len() > 1
    {
        let shapes: Vec<Option<&String>> = flow
            .returns
            .iter()
            .map(|&r| ctx.graph.nodes[r].shape.as_ref())
            .collect();
        if let Some(Some(first)) = shapes.first()
            && shapes.iter().all(|s| *s == Some(*first))
        {
            ctx.graph.nodes[o].shape = Some((*first).clone());
        }
    }
    // A container the source does not count gets its count from the trace.
    for (attr, (ty, n)) in &io.members {
        if let Some(t) = titles.get_mut(attr)
            && matches!(t.as_str(), "ModuleList" | "Sequential")
        {
            *t = format!("{ty} x{n}");
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
    ctx.graph.compact();
    Ok(ctx.graph)
}

/// The data-flow diagram of `class_name.forward` in `source`.
pub fn code_diagram(source: &str, class_name: &str, max_nodes: usize) -> Result<String, CodeError> {
    code_diagram_with(source, class_name, max_nodes, &IoShapes::default()).map(|d| d.text)
}

/// The diagram and its warnings: an input or output node without a tensor shape (no shape
/// comment and no trace to measure it).
pub fn code_diagram_with(
    source: &str,
    class_name: &str,
    max_nodes: usize,
    io: &IoShapes,
) -> Result<CodeDiagram, CodeError> {
    let file = ModelFile::parse(source).map_err(|e| CodeError::Syntax(e.to_string()))?;
    let mut g = build(&file, class_name, true, io)?;
    let mut level = "operation level";
    if g.nodes.len() > max_nodes {
        g = build(&file, class_name, false, io)?;
        level = "module level";
    }
    let mut warnings: Vec<String> = Vec::new();
    // A forward whose result no module or operation produces (it returns a buffer, or calls
    // what this reader does not follow) has no data flow to draw: say so, never a lone box.
    let empty = !g
        .nodes
        .iter()
        .any(|n| !matches!(n.kind, "input" | "output"));
    if empty {
        warnings.push(format!(
            "{class_name}.forward draws no module call or tensor operation from its inputs to its output: nothing to diagram (draw it by hand, or pass the class that does the work)"
        ));
    }
    let warnings_io: Vec<String> = g
        .nodes
        .iter()
        .filter(|n| matches!(n.kind, "input" | "output"))
        .filter(|n| !n.shape.as_deref().is_some_and(has_tensor_shape))
        .map(|n| {
            // with a trace, the calls disagreed or measured nothing here: only a comment helps
            let or_trace = if io.traced { "" } else { " or pass --trace" };
            format!(
                "{} node `{}` has no tensor shape: add a shape comment (`# {}: [B, ...]`){or_trace}",
                n.kind, n.title, n.title
            )
        })
        .collect();
    warnings.extend(warnings_io);
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
        f.edge(
            &ids[*a],
            &ids[*b],
            g.labels.get(&(*a, *b)).map(String::as_str),
        );
    }
    // Every palette class, used or not: the same classDef lines in every diagram (SKILL.md).
    for (kind, fill, stroke) in PALETTE {
        f.class_def(kind, &[("fill", fill), ("stroke", stroke)]);
    }
    Ok(CodeDiagram {
        text: format!(
            "%% {class_name}.forward data flow ({level}, from shape comments)\n{}",
            f.render()
        ),
        warnings,
        empty,
    })
}

/// The condition of an `if` as an edge label: one line, at most 40 characters.
fn condition_label(test: &str) -> String {
    let one_line = test.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= 40 {
        one_line
    } else {
        one_line.chars().take(39).collect::<String>() + "…"
    }
}

/// A drawn `forward`: the Mermaid text, the warnings for stderr, and whether nothing but the
/// input and output nodes could be drawn (the caller exits 1: no picture is not a picture).
pub struct CodeDiagram {
    pub text: String,
    pub warnings: Vec<String>,
    pub empty: bool,
}
