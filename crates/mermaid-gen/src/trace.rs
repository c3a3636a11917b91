//! Diagrams from a runtime trace (`paper-replication/trace/v1`, written by the skill's Python
//! harness): the module-level data flow (`trace`) and the tensor-shape chart (`shapes`).
//!
//! A trace lists every module called during one forward pass in first-call order, with its
//! place in the module tree and the shapes of its tensor inputs and outputs. Which modules
//! become boxes, and the proof that every leaf call is represented, is [`crate::units`]'s job;
//! this module draws them. Without `--depth`, the diagram is cut at the deepest level of the
//! tree whose box count stays within `max_nodes` (never above one box per run of top-level
//! modules: nothing is dropped to fit).

use std::collections::BTreeMap;

use mermaid_writer::{Direction, Flowchart, Id, Shape};
use serde::Deserialize;

use crate::calls::place_calls;
use crate::spec::PALETTE;
use crate::tensor_shape::has_tensor_shape;
use crate::units::{Coverage, Item, Tree, auto_depth, box_count, coverage};

pub const SCHEMA: &str = "paper-replication/trace/v1";

#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    #[error("invalid trace JSON: {0}")]
    Json(String),
    #[error("unsupported trace schema `{0}` (expected {SCHEMA})")]
    Schema(String),
    #[error("the trace has no modules")]
    Empty,
    #[error(
        "the traced forward pass raised {0}; fix the model first (the trace has no complete data flow)"
    )]
    Raised(String),
}

#[derive(Debug, Deserialize, Clone)]
pub struct Trace {
    pub schema: String,
    #[serde(default)]
    pub target: Option<String>,
    #[serde(default)]
    pub inputs: BTreeMap<String, serde_json::Value>,
    pub modules: Vec<Module>,
    #[serde(default)]
    pub error: Option<serde_json::Value>,
    /// Modules of the model forward never called (a branch not taken).
    #[serde(default)]
    pub uncalled: Vec<String>,
    /// What each attribute of the root module is: `module`, `parameter`, `buffer` or `none`.
    #[serde(default)]
    pub root_attrs: BTreeMap<String, String>,
    /// The shape of every parameter and buffer of the model, by path.
    #[serde(default)]
    pub parameters: BTreeMap<String, serde_json::Value>,
    /// Every tensor a `forward` of the user's files bound by an assignment, with its line.
    #[serde(default)]
    pub assignments: Vec<Assignment>,
}

/// One tensor assignment the run recorded (trace_shapes.py's line tracer).
#[derive(Debug, Deserialize, Clone)]
pub struct Assignment {
    /// The file, relative to the trace's root folder.
    #[serde(default)]
    pub file: Option<String>,
    pub line: u32,
    /// The module path of `self` in the frame (`""` for the root).
    #[serde(default)]
    pub module: Option<String>,
    /// The function that ran the statement (`Head.forward`).
    #[serde(default)]
    pub function: Option<String>,
    pub name: String,
    #[serde(default)]
    pub shape: serde_json::Value,
}

#[derive(Debug, Deserialize, Clone)]
pub struct Module {
    pub path: String,
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(default)]
    pub parent: Option<String>,
    #[serde(default)]
    pub order: u64,
    /// How many times forward called the module (a shared activation is one record).
    #[serde(default = "one")]
    pub calls: u64,
    #[serde(default)]
    pub params: Option<u64>,
    #[serde(default)]
    pub repr: Option<String>,
    #[serde(default)]
    pub inputs: Vec<serde_json::Value>,
    #[serde(default)]
    pub outputs: Vec<serde_json::Value>,
    /// Each call's `[start, end)` in the count of module calls started (see [`crate::calls`]).
    #[serde(default)]
    pub seq: Vec<[u64; 2]>,
    /// More calls than the harness places: `seq` holds only the first ones.
    #[serde(default)]
    pub seq_truncated: bool,
    /// The class that defines the `forward` that ran, when the module inherits it.
    #[serde(default)]
    pub forward_class: Option<String>,
    /// The shapes of each call, when there are several (the harness keeps the first 100).
    #[serde(default)]
    pub call_shapes: Vec<CallShapes>,
    /// The user file that defines the module's class, relative to the trace's root folder.
    #[serde(default)]
    pub file: Option<String>,
}

#[derive(Debug, Deserialize, Clone, Default)]
pub struct CallShapes {
    #[serde(default)]
    pub inputs: Vec<serde_json::Value>,
    #[serde(default)]
    pub outputs: Vec<serde_json::Value>,
}

fn one() -> u64 {
    1
}

pub fn parse_trace(text: &str) -> Result<Trace, TraceError> {
    let t: Trace = serde_json::from_str(text).map_err(|e| TraceError::Json(e.to_string()))?;
    if t.schema != SCHEMA {
        return Err(TraceError::Schema(t.schema));
    }
    if let Some(err) = &t.error
        && !err.is_null()
    {
        let ty = err["type"].as_str().unwrap_or("an error");
        let msg = err["message"].as_str().unwrap_or("");
        let module = err["module"].as_str().unwrap_or("");
        return Err(TraceError::Raised(format!("{ty} in `{module}`: {msg}")));
    }
    if t.modules.is_empty() {
        return Err(TraceError::Empty);
    }
    Ok(t)
}

/// `[B, 64, 56, 56]`: the batch dimension (the first dim of the first input) shown as `B`.
pub(crate) fn shape_label(v: &serde_json::Value, batch: Option<i64>) -> String {
    match v.as_array() {
        Some(dims) => {
            let parts: Vec<String> = dims
                .iter()
                .enumerate()
                .map(|(i, d)| match d.as_i64() {
                    Some(n) if i == 0 && Some(n) == batch => "B".to_string(),
                    Some(n) => n.to_string(),
                    None => d
                        .as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| d.to_string()),
                })
                .collect();
            format!("[{}]", parts.join(", "))
        }
        None => v.to_string(),
    }
}

/// Palette kind for a module or operation type name.
pub(crate) fn kind_of(ty: &str) -> &'static str {
    let t = ty.to_ascii_lowercase();
    if t.contains("attention") || t.contains("attn") {
        "attention"
    } else if t.contains("loss") {
        "loss"
    } else if [
        "conv", "linear", "dense", "embed", "mlp", "lstm", "gru", "rnn",
    ]
    .iter()
    .any(|k| t.contains(k))
    {
        // A layer with weights that also normalises or activates (MobileNetV2's `ConvBNReLU`,
        // torchvision's `Conv2dNormActivation`) is a computing block: its "relu" or "norm" made
        // the dogfood's stem and head convolutions green like a ReLU.
        "core"
    } else if [
        "norm", "relu", "gelu", "silu", "sigmoid", "tanh", "softmax", "pool", "dropout", "flatten",
        "identity", "act",
    ]
    .iter()
    .any(|k| t.contains(k))
    {
        "feature"
    } else {
        "core"
    }
}

/// Every palette class, used or not: the same classDef lines in every diagram (SKILL.md).
fn add_palette(f: &mut Flowchart) {
    for (kind, fill, stroke) in PALETTE {
        f.class_def(kind, &[("fill", fill), ("stroke", stroke)]);
    }
}

pub(crate) fn batch_of(t: &Trace) -> Option<i64> {
    t.inputs
        .values()
        .next()
        .and_then(|v| v.as_array())
        .and_then(|a| a.first())
        .and_then(|d| d.as_i64())
}

fn root_name(t: &Trace) -> String {
    t.modules
        .iter()
        .find(|m| m.path.is_empty())
        .map(|m| m.ty.clone())
        .unwrap_or_else(|| "model".to_string())
}

/// A drawn diagram with its bookkeeping: the depth it was cut at, how many of the trace's leaf
/// calls it represents, and warnings (an input or output node without a tensor shape).
#[derive(Debug, Clone)]
pub struct Drawn {
    pub text: String,
    pub depth: usize,
    pub coverage: Coverage,
    pub warnings: Vec<String>,
}

/// How to cut the module tree: at `depth` when given, else at the deepest level with at most
/// `max_nodes` boxes.
#[derive(Debug, Clone, Copy)]
pub struct Cut {
    pub max_nodes: usize,
    pub depth: Option<usize>,
}

/// Shapes of a list of tensors, at most four (`…, +3 more`), joined by `, `.
pub(crate) fn shapes_text(list: &[serde_json::Value], batch: Option<i64>) -> String {
    let mut parts: Vec<String> = list.iter().take(4).map(|s| shape_label(s, batch)).collect();
    if list.len() > 4 {
        parts.push(format!("… +{} more", list.len() - 4));
    }
    if parts.is_empty() {
        "(no tensor output)".to_string()
    } else {
        parts.join(", ")
    }
}

/// What a container holds, from its direct children in the trace: `MBConv x2` when they share a
/// type, else each type with its count: a box titled "Sequential" says nothing of the stage it
/// is (EfficientNet dogfood).
fn container_contents(t: &Trace, m: &Module) -> Option<String> {
    if !matches!(m.ty.as_str(), "Sequential" | "ModuleList") {
        return None;
    }
    let prefix = if m.path.is_empty() {
        String::new()
    } else {
        format!("{}.", m.path)
    };
    let kids: Vec<&str> = t
        .modules
        .iter()
        .filter(|c| {
            c.path
                .strip_prefix(&prefix)
                .is_some_and(|rest| !rest.is_empty() && !rest.contains('.'))
        })
        .map(|c| c.ty.as_str())
        .collect();
    match kids[..] {
        [] => None,
        [one] => Some(one.to_string()),
        _ if kids.iter().all(|k| *k == kids[0]) => Some(format!("{} x{}", kids[0], kids.len())),
        _ => {
            // Each type with its count, in order of first appearance: torchvision's Swin
            // `features` is "Sequential x4, PatchMerging x3".
            let mut counts: Vec<(&str, usize)> = Vec::new();
            for k in &kids {
                match counts.iter_mut().find(|(t, _)| t == k) {
                    Some((_, n)) => *n += 1,
                    None => counts.push((k, 1)),
                }
            }
            let shown: Vec<String> = counts
                .iter()
                .map(|(t, n)| {
                    if *n > 1 {
                        format!("{t} x{n}")
                    } else {
                        t.to_string()
                    }
                })
                .collect();
            Some(shown.join(", "))
        }
    }
}

/// `Bottleneck x2`, `ReLU (3 calls)`, `Block x4 (2 calls each)`, `Sequential: MBConv x2`.
fn run_title(t: &Trace, run: &[usize]) -> String {
    let m = &t.modules[run[0]];
    let mut title = m.ty.clone();
    if run.len() == 1
        && let Some(c) = container_contents(t, m)
    {
        title = format!("{title}: {c}");
    }
    if run.len() > 1 {
        title = format!("{title} x{}", run.len());
    }
    match (m.calls, run.len()) {
        (0 | 1, _) => title,
        (c, 1) => format!("{title} ({c} calls)"),
        (c, _) => format!("{title} ({c} calls each)"),
    }
}

/// `layer1.1` or `layer1.1 .. layer1.2`.
fn run_path(t: &Trace, run: &[usize]) -> String {
    let first = &t.modules[run[0]].path;
    match run.last() {
        Some(&l) if run.len() > 1 => format!("{first} .. {}", t.modules[l].path),
        _ => first.clone(),
    }
}

/// `[B, 64, 56, 56] → [B, 256, 56, 56]`: the run's first input and last output.
fn run_io(t: &Trace, run: &[usize], batch: Option<i64>) -> String {
    let first = &t.modules[run[0]];
    let last = &t.modules[*run.last().unwrap_or(&run[0])];
    format!(
        "{} → {}",
        shapes_text(&first.inputs, batch),
        shapes_text(&last.outputs, batch)
    )
}

fn first_shape(list: &[serde_json::Value], batch: Option<i64>) -> Option<String> {
    list.first().map(|s| shape_label(s, batch))
}

fn cut_depth(tree: &Tree, cut: Cut, count: impl Fn(&[Item]) -> usize) -> usize {
    match cut.depth {
        Some(d) => d.clamp(1, tree.max_depth()),
        None => auto_depth(tree, cut.max_nodes, count),
    }
}

fn io_warning(which: &str, label: &str) -> Option<String> {
    (!has_tensor_shape(label)).then(|| {
        format!("the {which} node has no tensor shape (the trace records none): `{label}`")
    })
}

struct FlowWriter<'a> {
    t: &'a Trace,
    batch: Option<i64>,
    f: Flowchart,
    input: Id,
    model_inputs: Vec<String>,
    drawn: Vec<(Id, Vec<String>)>,
    consumed: Vec<bool>,
}

impl FlowWriter<'_> {
    fn items(&mut self, items: &[Item]) {
        for it in items {
            match it {
                Item::Box { run } => self.unit(run),
                Item::Group { run, inner } => {
                    let m = &self.t.modules[run[0]];
                    let count = if run.len() > 1 {
                        format!(" x{}", run.len())
                    } else {
                        String::new()
                    };
                    let shown = if run.len() > 1 {
                        format!(", {} drawn", m.path)
                    } else {
                        String::new()
                    };
                    let title = format!(
                        "{} ({}{count}{shown})\n{}",
                        run_path(self.t, run),
                        m.ty,
                        run_io(self.t, run, self.batch)
                    );
                    // A tensor its first unit takes that the forward of a module outside the
                    // group made (VGG's flatten before `classifier`) is drawn before the
                    // group opens, not inside a box that did not make it.
                    if let Some(first) = first_unit(inner) {
                        self.outside_step(first, m);
                    }
                    self.f.open_subgraph(&m.path, &title, None);
                    self.items(inner);
                    self.f.close_subgraph();
                }
            }
        }
    }

    /// Inputs of the unit `run` that no output drawn so far and no model input gives: what it
    /// takes must have been made in a forward (`wanted` lists their labels).
    fn unfed(&self, run: &[usize]) -> Vec<String> {
        let mut wanted: Vec<String> = Vec::new();
        for s in &self.t.modules[run[0]].inputs {
            let label = shape_label(s, self.batch);
            if !wanted.contains(&label) {
                wanted.push(label);
            }
        }
        let fed = wanted.iter().any(|w| {
            self.drawn.iter().any(|(_, outs)| outs.contains(w)) || self.model_inputs.contains(w)
        });
        if fed { Vec::new() } else { wanted }
    }

    /// The "no module" node for the first unit of `group`, drawn outside it when the statement
    /// that made the unit's input ran in a forward outside the group; it then counts as a drawn
    /// output of those shapes, so the unit is fed by it.
    fn outside_step(&mut self, run: &[usize], group: &Module) {
        let t = self.t;
        let first = &t.modules[run[0]];
        let wanted = self.unfed(run);
        let Some(dims) = first.inputs.first() else {
            return;
        };
        if wanted.is_empty() || first.inputs.iter().any(|d| module_made(t, first, d)) {
            return;
        }
        let g = &group.path;
        let inside = |m: &str| m == g || m.starts_with(&format!("{g}."));
        let outside = match made_by(t, &first.path, dims).and_then(|a| a.module.as_deref()) {
            Some(frame) => !inside(frame),
            // Unrecorded: an nn.Sequential's forward only chains its children, so a tensor
            // none of them returned reached it from outside; any other forward may have made it.
            None => group.ty == "Sequential",
        };
        if !outside {
            return;
        }
        let op = self.step_node(&first.path, dims, &wanted);
        self.feed_from_unconsumed(&op);
        self.drawn.push((op, wanted));
        self.consumed.push(false);
    }

    /// The "no module" node of a tensor of shape `dims` that module `path` took, labelled
    /// with the statement that made it and the shapes `wanted`.
    fn step_node(&mut self, path: &str, dims: &serde_json::Value, wanted: &[String]) -> Id {
        let label = format!(
            "{}\n{}",
            no_module_step(self.t, path, dims),
            wanted.join(", ")
        );
        let op = self
            .f
            .node(&format!("op{}", self.drawn.len()), &label, Shape::Round);
        self.f.set_class(&op, "feature");
        op
    }

    /// Edges into `to` from every drawn output nothing has taken yet (else from the input).
    fn feed_from_unconsumed(&mut self, to: &Id) {
        if self.drawn.is_empty() {
            self.f.edge(&self.input, to, None);
            return;
        }
        for (j, (d, _)) in self.drawn.iter().enumerate() {
            if !self.consumed[j] {
                self.f.edge(d, to, None);
                self.consumed[j] = true;
            }
        }
    }

    fn unit(&mut self, run: &[usize]) {
        let t = self.t;
        let first = &t.modules[run[0]];
        let last = &t.modules[*run.last().unwrap_or(&run[0])];
        let shapes = if run.len() > 1 {
            run_io(t, run, self.batch)
        } else {
            shapes_text(&last.outputs, self.batch)
        };
        let label = format!("{}\n{}\n{shapes}", run_title(t, run), run_path(t, run));
        let key = format!("u{}_{}", self.drawn.len(), first.path);
        let id = self.f.node(&key, &label, Shape::Rect);
        let kind = kind_of(&first.ty);
        self.f.set_class(&id, kind);
        // Data flow is not in the trace; edges are inferred from shapes. Each tensor input of
        // the unit (a join such as U-Net's up-block takes two: the upsampled path and the
        // skip) is fed by the most recent unit whose output has its shape, else by the model
        // input of that shape. A unit none of whose inputs can be placed (a join of tensors
        // made in forward, such as a concatenation) is fed by every output not consumed yet.
        let mut wanted: Vec<String> = Vec::new();
        for s in &first.inputs {
            let label = shape_label(s, self.batch);
            if !wanted.contains(&label) {
                wanted.push(label);
            }
        }
        let mut fed = false;
        for w in &wanted {
            if let Some(j) = self.drawn.iter().rposition(|(_, outs)| outs.contains(w)) {
                self.f.edge(&self.drawn[j].0, &id, None);
                self.consumed[j] = true;
                fed = true;
            } else if self.model_inputs.contains(w) {
                self.f.edge(&self.input, &id, None);
                fed = true;
            }
        }
        if !fed {
            // No input of the unit is an output drawn before or a model input: forward made it
            // (ConvNeXt's `x.mean((-2, -1))` before the head's LayerNorm, U-Net's concatenation).
            // A node of its own says so, so the unit is never read as the change of shape.
            let via = match first.inputs.first() {
                Some(dims) if !first.inputs.iter().any(|d| module_made(t, first, d)) => {
                    let op = self.step_node(&first.path, dims, &wanted);
                    self.f.edge(&op, &id, None);
                    op
                }
                _ => id.clone(),
            };
            self.feed_from_unconsumed(&via);
        }
        let outs = last
            .outputs
            .iter()
            .map(|s| shape_label(s, self.batch))
            .collect();
        self.drawn.push((id, outs));
        self.consumed.push(false);
    }
}

/// The model input label (`x: [B, 3, 224, 224]`), from the trace's inputs or else the root's.
fn input_label(t: &Trace, batch: Option<i64>) -> String {
    if t.inputs.is_empty() {
        let root = t.modules.iter().find(|m| m.path.is_empty());
        return root
            .map(|r| shapes_text(&r.inputs, batch))
            .unwrap_or_else(|| "(no tensor input)".into());
    }
    t.inputs
        .iter()
        .map(|(k, v)| format!("{k}: {}", shape_label(v, batch)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The model output label, from the root's outputs (else the last module's).
fn output_label(t: &Trace, batch: Option<i64>) -> String {
    let m = t
        .modules
        .iter()
        .find(|m| m.path.is_empty())
        .or_else(|| t.modules.iter().max_by_key(|m| m.order));
    m.map(|m| shapes_text(&m.outputs, batch))
        .unwrap_or_else(|| "(no tensor output)".into())
}

/// Data-flow chart: input, one box per run of modules (label: type and count, path, output
/// shape), opened composites as subgraphs, output.
pub fn flow(t: &Trace, cut: Cut) -> Result<Drawn, TraceError> {
    let (placed, placing) = place_calls(t);
    let t = &placed;
    let batch = batch_of(t);
    let tree = Tree::new(&t.modules);
    let depth = cut_depth(&tree, cut, box_count);
    let items = tree.items(depth);
    let mut f = Flowchart::new(Direction::TB);
    let in_label = input_label(t, batch);
    let input = f.node("input", &format!("Input\n{in_label}"), Shape::Stadium);
    f.set_class(&input, "input");
    let mut w = FlowWriter {
        t,
        batch,
        f,
        input,
        model_inputs: t.inputs.values().map(|v| shape_label(v, batch)).collect(),
        drawn: Vec::new(),
        consumed: Vec::new(),
    };
    w.items(&items);
    let out_label = output_label(t, batch);
    let output =
        w.f.node("output", &format!("Output\n{out_label}"), Shape::Stadium);
    w.f.set_class(&output, "output");
    for (j, (d, _)) in w.drawn.iter().enumerate() {
        if !w.consumed[j] {
            w.f.edge(d, &output, None);
        }
    }
    if w.drawn.is_empty() {
        w.f.edge(&w.input, &output, None);
    }
    add_palette(&mut w.f);
    let cov = coverage(&tree, &items);
    let warnings = [
        io_warning("input", &in_label),
        io_warning("output", &out_label),
    ]
    .into_iter()
    .flatten()
    .chain(placing)
    .collect();
    Ok(Drawn {
        text: format!(
            "%% {} from a runtime trace (depth {depth}; {} of {} leaf module calls drawn)\n{}",
            root_name(t),
            cov.represented_calls,
            cov.leaf_calls,
            w.f.render()
        ),
        depth,
        coverage: cov,
        warnings,
    })
}

/// Short description of a layer from its type and `extra_repr` one-liner:
/// `Conv 7x7, s=2`, `MaxPool 3x3, s=2`, `Linear 2048→1000`.
pub fn describe(m: &Module) -> String {
    let repr = m.repr.as_deref().unwrap_or("");
    let pair = |key: &str| -> Option<String> {
        let p = repr.find(&format!("{key}="))? + key.len() + 1;
        let rest = &repr[p..];
        let v = if let Some(inner) = rest.strip_prefix('(') {
            inner.split(')').next()?.to_string()
        } else {
            rest.split([',', ')']).next()?.to_string()
        };
        let nums: Vec<&str> = v
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        Some(if nums.len() == 2 && nums[0] == nums[1] {
            nums[0].to_string()
        } else {
            nums.join("x")
        })
    };
    let short =
        m.ty.trim_end_matches("2d")
            .trim_end_matches("1d")
            .trim_end_matches("3d");
    match m.ty.as_str() {
        t if t.starts_with("Conv") || t.contains("Pool") && !t.contains("Adaptive") => {
            let k = pair("kernel_size");
            let s = pair("stride").filter(|s| s != "1");
            let mut out = short.to_string();
            if let Some(k) = k {
                let k = if k.contains('x') {
                    k
                } else {
                    format!("{k}x{k}")
                };
                out = format!("{out} {k}");
            }
            if let Some(s) = s {
                out = format!("{out}, s={s}");
            }
            out
        }
        "Linear" => match (pair("in_features"), pair("out_features")) {
            (Some(a), Some(b)) => format!("Linear {a}→{b}"),
            _ => "Linear".to_string(),
        },
        _ => short.to_string(),
    }
}

/// `Conv 3x3 + Conv 3x3 + ReLU` as `Conv 3x3 x2 + ReLU`.
fn run_length(items: &[String]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < items.len() {
        let mut j = i + 1;
        while j < items.len() && items[j] == items[i] {
            j += 1;
        }
        out.push(if j - i > 1 {
            format!("{} x{}", items[i], j - i)
        } else {
            items[i].clone()
        });
        i = j;
    }
    out.join(" + ")
}

/// The runs of a cut as the shapes chart walks them: an opened group of one module is walked
/// through; an opened run of several identical blocks is one step ("Block x4").
fn flat_runs(items: &[Item], out: &mut Vec<Vec<usize>>) {
    for it in items {
        match it {
            Item::Box { run } => out.push(run.clone()),
            Item::Group { run, inner } if run.len() == 1 => flat_runs(inner, out),
            Item::Group { run, .. } => out.push(run.clone()),
        }
    }
}

fn flat_count(items: &[Item]) -> usize {
    let mut v = Vec::new();
    flat_runs(items, &mut v);
    v.len()
}

/// The assignment that made the tensor of shape `dims` module `path` took (see
/// `made_in_forward`).
fn made_by<'t>(t: &'t Trace, path: &str, dims: &serde_json::Value) -> Option<&'t Assignment> {
    let ancestor = |m: &str| m.is_empty() || path.starts_with(&format!("{m}."));
    t.assignments
        .iter()
        .filter(|a| &a.shape == dims)
        .filter_map(|a| Some((a, a.module.as_deref().filter(|m| ancestor(m))?)))
        .max_by_key(|(a, m)| (m.len(), std::cmp::Reverse(a.line)))
        .map(|(a, _)| a)
}

/// The first box of a cut, depth first.
fn first_unit(items: &[Item]) -> Option<&[usize]> {
    match items.first()? {
        Item::Box { run } => Some(run),
        Item::Group { inner, .. } => first_unit(inner),
    }
}

/// Where forward made a tensor of shape `dims` that module `path` then took: the first
/// assignment of that shape the line tracer recorded in the frame of the nearest ancestor of
/// the module (`Head.forward line 24`), else `None` (a library's forward is not traced).
fn made_in_forward(t: &Trace, path: &str, dims: &serde_json::Value) -> Option<String> {
    let best = made_by(t, path, dims)?;
    let function = best.function.as_deref().unwrap_or("forward");
    Some(format!("{function} line {}", best.line))
}

/// Some module called before `m` gave a tensor of shape `dims` (any of its outputs: SSD's
/// base returns two feature maps and the extras read the second): the change of shape may be
/// that module's, so it is not called "no module".
fn module_made(t: &Trace, m: &Module, dims: &serde_json::Value) -> bool {
    // an ancestor is recorded before `m` but returns after it
    let ancestor = |o: &Module| m.path.starts_with(&format!("{}.", o.path));
    t.modules.iter().any(|o| {
        o.order < m.order && !o.path.is_empty() && !ancestor(o) && o.outputs.contains(dims)
    })
}

/// The label of an edge on which the tensor changes outside every module: the statement that
/// made it when recorded; never a module that did not do it.
fn no_module_step(t: &Trace, path: &str, dims: &serde_json::Value) -> String {
    match made_in_forward(t, path, dims) {
        Some(at) => format!("no module: {at}"),
        None => "in forward, no module".to_string(),
    }
}

/// What an edge of the shapes chart says about one run: `Conv 3x3, s=2`, `Bottleneck x2`.
fn step_text(t: &Trace, run: &[usize]) -> String {
    let m = &t.modules[run[0]];
    let base = if run.len() > 1 {
        format!("{} x{}", m.ty, run.len())
    } else if let Some(c) = container_contents(t, m) {
        format!("{}: {c}", m.ty)
    } else {
        describe(m)
    };
    if m.calls > 1 {
        format!("{base} ({} calls)", m.calls)
    } else {
        base
    }
}

/// Left-to-right chart of the shapes the tensor goes through: a node per shape reached, edges
/// labelled with the layers between them. A layer that reads an earlier shape (a branch, a
/// skip connection) starts from the node of that shape; layers after the last change of shape
/// end in a node of the same shape, so every layer is on some edge.
pub fn shapes(t: &Trace, cut: Cut) -> Result<Drawn, TraceError> {
    let (placed, placing) = place_calls(t);
    let t = &placed;
    let batch = batch_of(t);
    let tree = Tree::new(&t.modules);
    let depth = cut_depth(&tree, cut, flat_count);
    let mut runs = Vec::new();
    flat_runs(&tree.items(depth), &mut runs);
    let mut f = Flowchart::new(Direction::LR);
    let first = t
        .inputs
        .values()
        .next()
        .map(|v| shape_label(v, batch))
        .or_else(|| {
            t.modules
                .iter()
                .find(|m| m.path.is_empty())
                .and_then(|r| first_shape(&r.inputs, batch))
        })
        .unwrap_or_else(|| "input".to_string());
    let model_inputs: Vec<String> = t.inputs.values().map(|v| shape_label(v, batch)).collect();
    let mut nodes: Vec<(Id, String)> = vec![(f.node("s0", &first, Shape::Rect), first.clone())];
    let mut prev = 0;
    let mut pending: Vec<String> = Vec::new();
    let mut on_edge = 0;
    let mut steps = 0;
    let new_node = |f: &mut Flowchart,
                    nodes: &mut Vec<(Id, String)>,
                    from: usize,
                    shape: &str,
                    what: &[String]| {
        let id = f.node(&format!("s{}", nodes.len()), shape, Shape::Rect);
        f.edge(&nodes[from].0, &id, Some(&run_length(what)));
        nodes.push((id, shape.to_string()));
        nodes.len() - 1
    };
    for run in &runs {
        let m0 = &t.modules[run[0]];
        let last = &t.modules[*run.last().unwrap_or(&run[0])];
        let current = nodes[prev].1.clone();
        if let Some(input) = first_shape(&m0.inputs, batch)
            && input != current
        {
            if let Some(k) = nodes.iter().rposition(|(_, s)| *s == input) {
                if !pending.is_empty() {
                    new_node(&mut f, &mut nodes, prev, &current, &pending);
                    on_edge += pending.len();
                    pending.clear();
                }
                prev = k;
            } else if !model_inputs.contains(&input) && !module_made(t, m0, &m0.inputs[0]) {
                // The tensor changed between two modules (ConvNeXt's `x.mean((-2, -1))`
                // before the head's LayerNorm): the modules so far end at the current shape,
                // and the change is an edge of its own, never put on the next module.
                if !pending.is_empty() {
                    prev = new_node(&mut f, &mut nodes, prev, &current, &pending);
                    on_edge += pending.len();
                    pending.clear();
                }
                let what = [no_module_step(t, &m0.path, &m0.inputs[0])];
                prev = new_node(&mut f, &mut nodes, prev, &input, &what);
            }
        }
        pending.push(step_text(t, run));
        steps += 1;
        let current = nodes[prev].1.clone();
        if let Some(out) = first_shape(&last.outputs, batch)
            && out != current
        {
            prev = new_node(&mut f, &mut nodes, prev, &out, &pending);
            on_edge += pending.len();
            pending.clear();
        }
    }
    if !pending.is_empty() {
        let current = nodes[prev].1.clone();
        prev = new_node(&mut f, &mut nodes, prev, &current, &pending);
        on_edge += pending.len();
    }
    // The model's output, when forward reshapes after its last module (`y.view(-1, 7, 7, 30)`).
    let root_out = t
        .modules
        .iter()
        .find(|m| m.path.is_empty())
        .and_then(|r| first_shape(&r.outputs, batch));
    if let Some(out) = root_out
        && out != nodes[prev].1
        && !runs.is_empty()
    {
        let what = ["in forward, no module".to_string()];
        prev = new_node(&mut f, &mut nodes, prev, &out, &what);
    }
    for (i, (id, _)) in nodes.iter().enumerate() {
        let class = match i {
            0 => "input",
            _ if i == prev => "output",
            _ => "feature",
        };
        f.set_class(id, class);
    }
    add_palette(&mut f);
    // Every run is one step on exactly one edge: a run that did not reach an edge is lost.
    let mut cov = coverage(
        &tree,
        &runs
            .iter()
            .map(|r| Item::Box { run: r.clone() })
            .collect::<Vec<_>>(),
    );
    if on_edge != steps {
        cov.lost
            .push(format!("{} layer steps not on any edge", steps - on_edge));
    }
    let warnings = [io_warning("input", &first)]
        .into_iter()
        .flatten()
        .chain(placing)
        .collect();
    Ok(Drawn {
        text: format!(
            "%% {}: tensor shapes through the forward pass (depth {depth}; {} of {} leaf module calls drawn)\n{}",
            root_name(t),
            cov.represented_calls,
            cov.leaf_calls,
            f.render()
        ),
        depth,
        coverage: cov,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::kind_of;

    #[test]
    fn palette_kind_of_a_module_type() {
        // A layer with weights is a computing block, whatever else it folds in.
        for ty in [
            "Conv2d",
            "ConvBNReLU",
            "Conv2dNormActivation",
            "Linear",
            "Embedding",
        ] {
            assert_eq!(kind_of(ty), "core", "{ty}");
        }
        for ty in [
            "BatchNorm2d",
            "ReLU6",
            "AdaptiveAvgPool2d",
            "Dropout",
            "Flatten",
        ] {
            assert_eq!(kind_of(ty), "feature", "{ty}");
        }
        assert_eq!(kind_of("MultiheadAttention"), "attention");
        assert_eq!(kind_of("CrossEntropyLoss"), "loss");
        assert_eq!(kind_of("InvertedResidual"), "core");
    }
}
