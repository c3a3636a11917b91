//! Diagrams from a runtime trace (`paper-replication/trace/v1`, written by the skill's Python
//! harness): the module-level data flow (`trace`) and the tensor-shape chart (`shapes`).
//!
//! A trace lists every module called during one forward pass in first-call order, with its
//! place in the module tree and the shapes of its tensor inputs and outputs. The diagram picks
//! the deepest level of that tree whose node count, after collapsing runs of identical sibling
//! blocks ("Bottleneck x3"), stays within `max_nodes`.

use std::collections::BTreeMap;

use mermaid_writer::{Direction, Flowchart, Id, Shape};
use serde::Deserialize;

use crate::spec::PALETTE;

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

#[derive(Debug, Deserialize)]
pub struct Trace {
    pub schema: String,
    #[serde(default)]
    pub target: Option<String>,
    #[serde(default)]
    pub inputs: BTreeMap<String, serde_json::Value>,
    pub modules: Vec<Module>,
    #[serde(default)]
    pub error: Option<serde_json::Value>,
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
    #[serde(default)]
    pub params: Option<u64>,
    #[serde(default)]
    pub repr: Option<String>,
    #[serde(default)]
    pub inputs: Vec<serde_json::Value>,
    #[serde(default)]
    pub outputs: Vec<serde_json::Value>,
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
fn shape_label(v: &serde_json::Value, batch: Option<i64>) -> String {
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

fn depth(path: &str) -> usize {
    if path.is_empty() {
        0
    } else {
        path.split('.').count()
    }
}

/// One box of the diagram: a module, or a run of identical consecutive siblings.
#[derive(Debug, Clone)]
struct Unit {
    first: Module,
    last: Module,
    count: usize,
}

impl Unit {
    fn title(&self) -> String {
        if self.count > 1 {
            format!("{} x{}", self.first.ty, self.count)
        } else {
            self.first.ty.clone()
        }
    }
}

/// A run of consecutive sibling blocks of one type (`layer1.0 .. layer1.2`, all `Bottleneck`).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Repeat {
    first: String,
    last: String,
    count: usize,
}

/// Every composite module that belongs to a run of two or more identical siblings, keyed by
/// path.
fn repeat_groups(modules: &[Module]) -> BTreeMap<String, Repeat> {
    let has_children = |p: &str| modules.iter().any(|m| m.parent.as_deref() == Some(p));
    let mut by_parent: BTreeMap<&str, Vec<&Module>> = BTreeMap::new();
    for m in modules {
        if let Some(p) = m.parent.as_deref()
            && !m.path.is_empty()
            && has_children(&m.path)
        {
            by_parent.entry(p).or_default().push(m);
        }
    }
    let mut out = BTreeMap::new();
    for (_, mut kids) in by_parent {
        kids.sort_by_key(|m| m.order);
        let mut i = 0;
        while i < kids.len() {
            let mut j = i + 1;
            while j < kids.len() && same_block(modules, kids[i], kids[j]) {
                j += 1;
            }
            if j - i > 1 {
                let r = Repeat {
                    first: kids[i].path.clone(),
                    last: kids[j - 1].path.clone(),
                    count: j - i,
                };
                for k in &kids[i..j] {
                    out.insert(k.path.clone(), r.clone());
                }
            }
            i = j;
        }
    }
    out
}

/// Two sibling blocks count as repeats when they have the same type; generic containers
/// (`Sequential`, `ModuleList`, …) must also hold the same layer types in the same order.
fn same_block(modules: &[Module], a: &Module, b: &Module) -> bool {
    if a.ty != b.ty {
        return false;
    }
    if !matches!(a.ty.as_str(), "Sequential" | "ModuleList" | "ModuleDict") {
        return true;
    }
    let inside = |m: &Module| -> Vec<(String, String)> {
        let prefix = format!("{}.", m.path);
        let mut v: Vec<(u64, String, String)> = modules
            .iter()
            .filter_map(|x| {
                x.path
                    .strip_prefix(&prefix)
                    .map(|rel| (x.order, rel.to_string(), x.ty.clone()))
            })
            .collect();
        v.sort();
        v.into_iter().map(|(_, r, t)| (r, t)).collect()
    };
    inside(a) == inside(b)
}

/// Whether `path` lies inside a repeated block other than the first of its run (the first one
/// is drawn for all of them).
fn inside_later_repeat(path: &str, groups: &BTreeMap<String, Repeat>) -> bool {
    let parts: Vec<&str> = path.split('.').collect();
    (1..parts.len()).any(|n| {
        let prefix = parts[..n].join(".");
        groups.get(&prefix).is_some_and(|r| r.first != prefix)
    })
}

/// Modules shown at cut depth `d`: those at depth `d`, plus leaves above it, in call order,
/// with consecutive same-type siblings collapsed (and only the first of a run of identical
/// blocks opened up).
fn units_at(modules: &[Module], d: usize) -> Vec<Unit> {
    let has_children = |p: &str| {
        modules
            .iter()
            .any(|m| m.parent.as_deref() == Some(p) && !m.path.is_empty())
    };
    let groups = repeat_groups(modules);
    let mut chosen: Vec<&Module> = modules
        .iter()
        .filter(|m| {
            let md = depth(&m.path);
            md >= 1
                && (md == d || (md < d && !has_children(&m.path)))
                && !inside_later_repeat(&m.path, &groups)
        })
        .collect();
    chosen.sort_by_key(|m| m.order);
    let mut units: Vec<Unit> = Vec::new();
    for m in chosen {
        if let Some(u) = units.last_mut()
            && u.last.ty == m.ty
            && u.last.parent == m.parent
            && has_children(&m.path)
        {
            u.last = m.clone();
            u.count += 1;
            continue;
        }
        units.push(Unit {
            first: m.clone(),
            last: m.clone(),
            count: 1,
        });
    }
    units
}

fn choose_units(modules: &[Module], max_nodes: usize) -> Vec<Unit> {
    let max_depth = modules.iter().map(|m| depth(&m.path)).max().unwrap_or(1);
    let mut best = units_at(modules, 1);
    for d in 2..=max_depth {
        let u = units_at(modules, d);
        if u.len() > max_nodes.max(1) {
            break;
        }
        best = u;
    }
    best
}

/// Palette kind for a module or operation type name.
pub(crate) fn kind_of(ty: &str) -> &'static str {
    let t = ty.to_ascii_lowercase();
    if t.contains("attention") || t.contains("attn") {
        "attention"
    } else if t.contains("loss") {
        "loss"
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

fn add_palette(f: &mut Flowchart, used: &[&str]) {
    for (kind, fill, stroke) in PALETTE {
        if used.contains(kind) {
            f.class_def(kind, &[("fill", fill), ("stroke", stroke)]);
        }
    }
}

fn batch_of(t: &Trace) -> Option<i64> {
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

/// Data-flow chart: input, one box per unit (label: type, path, output shape), output.
pub fn flow(t: &Trace, max_nodes: usize) -> Result<String, TraceError> {
    let batch = batch_of(t);
    let units = choose_units(&t.modules, max_nodes);
    let mut f = Flowchart::new(Direction::TB);
    let mut used: Vec<&str> = vec!["input", "output"];
    let input_label = t
        .inputs
        .iter()
        .map(|(k, v)| format!("{k}: {}", shape_label(v, batch)))
        .collect::<Vec<_>>()
        .join("\n");
    let input = f.node("input", &format!("Input\n{input_label}"), Shape::Stadium);
    f.set_class(&input, "input");
    let groups = repeat_groups(&t.modules);
    let model_inputs: Vec<String> = t.inputs.values().map(|v| shape_label(v, batch)).collect();
    // Data flow is not in the trace; edges are inferred from shapes: a unit is fed by the most
    // recent unit whose output has its input shape, else by the model input of that shape,
    // else (a join such as a concatenation) by every output not consumed yet.
    let mut drawn: Vec<(Id, Vec<String>)> = Vec::new();
    let mut consumed: Vec<bool> = Vec::new();
    let mut open_parent: Option<String> = None;
    for (i, u) in units.iter().enumerate() {
        let parent = u.first.parent.clone().filter(|p| !p.is_empty());
        let siblings = units
            .iter()
            .filter(|x| x.first.parent.as_deref() == parent.as_deref())
            .count();
        let want = parent.clone().filter(|_| siblings >= 2);
        if want != open_parent {
            if open_parent.is_some() {
                f.close_subgraph();
            }
            if let Some(p) = &want {
                let ty = t
                    .modules
                    .iter()
                    .find(|m| &m.path == p)
                    .map(|m| m.ty.as_str())
                    .unwrap_or("");
                let title = match groups.get(p) {
                    Some(r) => format!("{} .. {} ({ty} x{})", r.first, r.last, r.count),
                    None => format!("{p} ({ty})"),
                };
                f.open_subgraph(p, &title, None);
            }
            open_parent = want;
        }
        let path = if u.count > 1 {
            format!("{} .. {}", u.first.path, u.last.path)
        } else {
            u.first.path.clone()
        };
        let out = u
            .last
            .outputs
            .iter()
            .map(|s| shape_label(s, batch))
            .collect::<Vec<_>>()
            .join(", ");
        let label = format!("{}\n{path}\n{out}", u.title());
        let id = f.node(&format!("u{i}_{}", u.first.path), &label, Shape::Rect);
        let kind = kind_of(&u.first.ty);
        if !used.contains(&kind) {
            used.push(kind);
        }
        f.set_class(&id, kind);
        let wanted = u.first.inputs.first().map(|s| shape_label(s, batch));
        let from_unit = wanted
            .as_ref()
            .and_then(|w| drawn.iter().rposition(|(_, outs)| outs.contains(w)));
        if let Some(j) = from_unit {
            f.edge(&drawn[j].0, &id, None);
            consumed[j] = true;
        } else if wanted.as_ref().is_some_and(|w| model_inputs.contains(w)) || drawn.is_empty() {
            f.edge(&input, &id, None);
        } else {
            for (j, (d, _)) in drawn.iter().enumerate() {
                if !consumed[j] {
                    f.edge(d, &id, None);
                    consumed[j] = true;
                }
            }
        }
        let outs = u
            .last
            .outputs
            .iter()
            .map(|s| shape_label(s, batch))
            .collect();
        drawn.push((id, outs));
        consumed.push(false);
    }
    if open_parent.is_some() {
        f.close_subgraph();
    }
    let root_out = t
        .modules
        .iter()
        .find(|m| m.path.is_empty())
        .map(|m| {
            m.outputs
                .iter()
                .map(|s| shape_label(s, batch))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    let output = f.node("output", &format!("Output\n{root_out}"), Shape::Stadium);
    f.set_class(&output, "output");
    for (j, (d, _)) in drawn.iter().enumerate() {
        if !consumed[j] {
            f.edge(d, &output, None);
        }
    }
    if drawn.is_empty() {
        f.edge(&input, &output, None);
    }
    add_palette(&mut f, &used);
    Ok(format!(
        "%% {} from a runtime trace\n{}",
        root_name(t),
        f.render()
    ))
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

/// Left-to-right chart of the shapes the tensor goes through: a node per distinct shape, edges
/// labelled with the layers between them.
pub fn shapes(t: &Trace, max_nodes: usize) -> Result<String, TraceError> {
    let batch = batch_of(t);
    let units = choose_units(&t.modules, max_nodes);
    let mut f = Flowchart::new(Direction::LR);
    let first = t
        .inputs
        .values()
        .next()
        .map(|v| shape_label(v, batch))
        .unwrap_or_else(|| "input".to_string());
    let mut prev = f.node("s0", &first, Shape::Rect);
    let mut ids = vec![prev.clone()];
    let mut current = first;
    let mut pending: Vec<String> = Vec::new();
    let mut n = 0;
    for u in &units {
        let Some(out) = u.last.outputs.first().map(|s| shape_label(s, batch)) else {
            continue;
        };
        let what = if u.count > 1 {
            u.title()
        } else {
            describe(&u.first)
        };
        pending.push(what);
        if out != current {
            n += 1;
            let id = f.node(&format!("s{n}"), &out, Shape::Rect);
            ids.push(id.clone());
            f.edge(&prev, &id, Some(&run_length(&pending)));
            pending.clear();
            prev = id;
            current = out;
        }
    }
    let last = ids.len() - 1;
    for (i, id) in ids.iter().enumerate() {
        let class = match i {
            0 => "input",
            _ if i == last => "output",
            _ => "feature",
        };
        f.set_class(id, class);
    }
    add_palette(&mut f, &["input", "feature", "output"]);
    Ok(format!(
        "%% {}: tensor shapes through the forward pass\n{}",
        root_name(t),
        f.render()
    ))
}
