//! The YAML architecture spec (`mermaid-gen spec arch.yaml`): schema, validation, rendering.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use mermaid_writer::{Direction, Flowchart, Id, Shape, Stroke};
use serde::Deserialize;

/// Node kinds and their palette entry: (class name, fill, stroke), exactly as SKILL.md and
/// references/diagrams.md declare them. Input and output share the blue of "data at the
/// boundary"; the other four kinds get one colour each.
pub const PALETTE: &[(&str, &str, &str)] = &[
    ("input", "#e1f5fe", "#01579b"),
    ("output", "#e1f5fe", "#01579b"),
    ("core", "#fff3e0", "#e65100"),
    ("feature", "#e8f5e9", "#2e7d32"),
    ("attention", "#fce4ec", "#c2185b"),
    ("loss", "#f3e5f5", "#7b1fa2"),
];

#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    #[error("invalid YAML: {0}")]
    Yaml(String),
    #[error("node `{id}`: unknown kind `{kind}` (expected one of: {expected})")]
    UnknownKind {
        id: String,
        kind: String,
        expected: String,
    },
    #[error("node `{id}`: unknown draw shape `{draw}` (expected one of: {expected})")]
    UnknownDraw {
        id: String,
        draw: String,
        expected: String,
    },
    #[error("duplicate id `{0}` (node and subgraph ids must all be different)")]
    DuplicateId(String),
    #[error("edge {index} ({from} -> {to}): no node `{missing}`")]
    MissingNode {
        index: usize,
        from: String,
        to: String,
        missing: String,
    },
    #[error("subgraph `{subgraph}`: no node or subgraph `{missing}`")]
    MissingMember { subgraph: String, missing: String },
    #[error("`{0}` is listed in more than one subgraph")]
    TwoParents(String),
    #[error("subgraphs nest in a cycle through `{0}`")]
    SubgraphCycle(String),
    #[error(
        "subgraph `{id}` is nested more than {limit} levels deep (raise the budget with --max-nesting)"
    )]
    TooDeep { id: String, limit: usize },
    #[error(
        "edges form a cycle: {0} (mark the edge that closes a loop with `back: true`, or set `allow_cycles: true`)"
    )]
    Cycle(String),
    #[error("id `{0}` is empty")]
    EmptyId(String),
    #[error("direction `{0}` must be TB, LR, BT or RL")]
    Direction(String),
    #[error("edge {index}: unknown style `{style}` (expected arrow, dotted, thick or open)")]
    EdgeStyle { index: usize, style: String },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub direction: Option<String>,
    pub nodes: Vec<NodeSpec>,
    #[serde(default)]
    pub edges: Vec<EdgeSpec>,
    #[serde(default)]
    pub subgraphs: Vec<SubgraphSpec>,
    #[serde(default)]
    pub allow_cycles: bool,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum TensorShape {
    Dims(Vec<serde_yaml::Value>),
    Text(String),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeSpec {
    pub id: String,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default = "default_kind")]
    pub kind: String,
    /// The tensor shape shown under the label, e.g. `[B, 64, 56, 56]`.
    #[serde(default)]
    pub shape: Option<TensorShape>,
    /// The drawing shape (rect, round, stadium, …); defaults by kind.
    #[serde(default)]
    pub draw: Option<String>,
    #[serde(default)]
    pub repeat: Option<u32>,
}

fn default_kind() -> String {
    "core".to_string()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EdgeSpec {
    pub from: String,
    pub to: String,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub style: Option<String>,
    /// This edge closes a loop on purpose (recurrence, refinement); excluded from the cycle check.
    #[serde(default)]
    pub back: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubgraphSpec {
    pub id: String,
    #[serde(default)]
    pub title: Option<String>,
    /// Node ids and nested subgraph ids inside this subgraph.
    pub members: Vec<String>,
    #[serde(default)]
    pub repeat: Option<u32>,
    #[serde(default)]
    pub direction: Option<String>,
}

fn parse_direction(d: Option<&str>) -> Result<Option<Direction>, SpecError> {
    Ok(match d {
        None => None,
        Some("TB") | Some("TD") => Some(Direction::TB),
        Some("LR") => Some(Direction::LR),
        Some("BT") => Some(Direction::BT),
        Some("RL") => Some(Direction::RL),
        Some(other) => return Err(SpecError::Direction(other.to_string())),
    })
}

/// `[B, 64, 56, 56]` from either a YAML list or a string (brackets added when missing).
pub fn shape_text(shape: &TensorShape) -> String {
    match shape {
        TensorShape::Text(t) => {
            let t = t.trim();
            if t.starts_with('[') || t.starts_with('(') {
                t.to_string()
            } else {
                format!("[{t}]")
            }
        }
        TensorShape::Dims(dims) => {
            let parts: Vec<String> = dims
                .iter()
                .map(|d| match d {
                    serde_yaml::Value::String(s) => s.clone(),
                    serde_yaml::Value::Number(n) => n.to_string(),
                    other => serde_yaml::to_string(other)
                        .unwrap_or_default()
                        .trim()
                        .to_string(),
                })
                .collect();
            format!("[{}]", parts.join(", "))
        }
    }
}

pub fn parse_spec(text: &str) -> Result<Spec, SpecError> {
    serde_yaml::from_str(text).map_err(|e| SpecError::Yaml(e.to_string()))
}

/// Validates a spec and renders it as a flowchart.
pub fn render_spec(spec: &Spec) -> Result<String, SpecError> {
    let kinds: Vec<&str> = PALETTE.iter().map(|p| p.0).collect();
    let mut ids = BTreeSet::new();
    for n in &spec.nodes {
        if n.id.trim().is_empty() {
            return Err(SpecError::EmptyId(n.id.clone()));
        }
        if !ids.insert(n.id.as_str()) {
            return Err(SpecError::DuplicateId(n.id.clone()));
        }
        if !kinds.contains(&n.kind.as_str()) {
            return Err(SpecError::UnknownKind {
                id: n.id.clone(),
                kind: n.kind.clone(),
                expected: kinds.join(", "),
            });
        }
        if let Some(d) = &n.draw
            && Shape::from_name(d).is_none()
        {
            return Err(SpecError::UnknownDraw {
                id: n.id.clone(),
                draw: d.clone(),
                expected: Shape::NAMES.join(", "),
            });
        }
    }
    let node_ids: BTreeSet<&str> = ids.clone();
    for s in &spec.subgraphs {
        if s.id.trim().is_empty() {
            return Err(SpecError::EmptyId(s.id.clone()));
        }
        if !ids.insert(s.id.as_str()) {
            return Err(SpecError::DuplicateId(s.id.clone()));
        }
    }
    let mut parent: BTreeMap<&str, &str> = BTreeMap::new();
    for s in &spec.subgraphs {
        for m in &s.members {
            if !ids.contains(m.as_str()) {
                return Err(SpecError::MissingMember {
                    subgraph: s.id.clone(),
                    missing: m.clone(),
                });
            }
            if parent.insert(m.as_str(), s.id.as_str()).is_some() {
                return Err(SpecError::TwoParents(m.clone()));
            }
        }
    }
    subgraph_depths(spec, &parent, pymodel::max_nesting())?;
    for (i, e) in spec.edges.iter().enumerate() {
        for end in [&e.from, &e.to] {
            if !ids.contains(end.as_str()) {
                return Err(SpecError::MissingNode {
                    index: i + 1,
                    from: e.from.clone(),
                    to: e.to.clone(),
                    missing: end.clone(),
                });
            }
        }
        if let Some(s) = &e.style
            && !["arrow", "dotted", "thick", "open"].contains(&s.as_str())
        {
            return Err(SpecError::EdgeStyle {
                index: i + 1,
                style: s.clone(),
            });
        }
    }
    if !spec.allow_cycles {
        check_acyclic(spec)?;
    }

    let direction = parse_direction(spec.direction.as_deref())?.unwrap_or(Direction::TB);
    let mut f = Flowchart::new(direction);
    let mut written: BTreeMap<&str, Id> = BTreeMap::new();
    // Top-level items in spec order: nodes without a parent, then subgraphs without a parent.
    for n in &spec.nodes {
        if !parent.contains_key(n.id.as_str()) {
            write_node(&mut f, n, &mut written);
        }
    }
    let by_id = ById::new(spec);
    for s in &spec.subgraphs {
        if !parent.contains_key(s.id.as_str()) {
            write_subgraph(&mut f, &by_id, s, &mut written)?;
        }
    }
    for e in &spec.edges {
        let from = written[e.from.as_str()].clone();
        let to = written[e.to.as_str()].clone();
        let stroke = match e.style.as_deref() {
            Some("dotted") => Stroke::Dotted,
            Some("thick") => Stroke::Thick,
            Some("open") => Stroke::Open,
            _ => Stroke::Arrow,
        };
        f.edge_with(&from, &to, e.label.as_deref(), stroke);
    }
    // Every palette class in every diagram, used or not: the same classDef lines everywhere
    // (SKILL.md), so a node added by hand later has its class ready.
    for (kind, fill, stroke) in PALETTE {
        f.class_def(kind, &[("fill", fill), ("stroke", stroke)]);
    }
    for n in &spec.nodes {
        if let Some(id) = written.get(n.id.as_str()) {
            f.set_class(id, &n.kind);
        }
    }
    debug_assert!(node_ids.iter().all(|n| written.contains_key(n)));
    let mut out = String::new();
    if let Some(t) = &spec.title {
        out.push_str("%% title: ");
        out.push_str(&t.replace(['\n', '\r'], " "));
        out.push('\n');
    }
    out.push_str(&f.render());
    Ok(out)
}

/// Input and output nodes whose label would carry no tensor shape (the skill's rule, in the
/// definition repro-check uses): one warning each.
pub fn spec_warnings(spec: &Spec) -> Vec<String> {
    spec.nodes
        .iter()
        .filter(|n| matches!(n.kind.as_str(), "input" | "output"))
        .filter(|n| !crate::tensor_shape::has_tensor_shape(&node_label(n)))
        .map(|n| {
            format!(
                "{} node `{}` has no tensor shape: add `shape: [B, ...]` (`[]` for a scalar)",
                n.kind, n.id
            )
        })
        .collect()
}

fn node_label(n: &NodeSpec) -> String {
    let mut label = n.label.clone().unwrap_or_else(|| n.id.clone());
    if let Some(r) = n.repeat
        && r > 1
    {
        label = format!("{label} x{r}");
    }
    if let Some(s) = &n.shape {
        label = format!("{label}\n{}", shape_text(s));
    }
    label
}

fn write_node<'a>(f: &mut Flowchart, n: &'a NodeSpec, written: &mut BTreeMap<&'a str, Id>) {
    let draw = match n.draw.as_deref().and_then(Shape::from_name) {
        Some(s) => s,
        None => match n.kind.as_str() {
            "input" | "output" => Shape::Stadium,
            "loss" => Shape::Hexagon,
            _ => Shape::Rect,
        },
    };
    let id = f.node(&n.id, &node_label(n), draw);
    written.insert(n.id.as_str(), id);
}

/// Checks that subgraphs nest without a cycle and at most `limit` deep. Each subgraph's depth
/// is computed once along its parent chain and remembered, so the check is linear (walking
/// every chain to the root was quadratic: 10k nested subgraphs took 64 s). Rendering recurses
/// once per level, so the depth is a budget.
fn subgraph_depths(
    spec: &Spec,
    parent: &BTreeMap<&str, &str>,
    limit: usize,
) -> Result<(), SpecError> {
    let mut depth: HashMap<&str, usize> = HashMap::new();
    for s in &spec.subgraphs {
        // Climb until a subgraph of known depth or the top, then assign depths on the way down.
        let mut chain: Vec<&str> = vec![s.id.as_str()];
        let mut on_chain: HashSet<&str> = HashSet::from([s.id.as_str()]);
        let mut base = 0;
        while let Some(&p) = parent.get(*chain.last().expect("never empty")) {
            if let Some(&d) = depth.get(p) {
                base = d;
                break;
            }
            if !on_chain.insert(p) {
                return Err(SpecError::SubgraphCycle(s.id.clone()));
            }
            chain.push(p);
        }
        for (i, id) in chain.iter().rev().enumerate() {
            let d = base + i + 1;
            if d > limit {
                return Err(SpecError::TooDeep {
                    id: (*id).to_string(),
                    limit,
                });
            }
            depth.insert(id, d);
        }
    }
    Ok(())
}

/// Nodes and subgraphs by id, for member lookups (a scan of the spec per member was quadratic).
struct ById<'a> {
    nodes: HashMap<&'a str, &'a NodeSpec>,
    subgraphs: HashMap<&'a str, &'a SubgraphSpec>,
}

impl<'a> ById<'a> {
    fn new(spec: &'a Spec) -> Self {
        let mut nodes = HashMap::new();
        for n in &spec.nodes {
            nodes.entry(n.id.as_str()).or_insert(n);
        }
        let mut subgraphs = HashMap::new();
        for s in &spec.subgraphs {
            subgraphs.entry(s.id.as_str()).or_insert(s);
        }
        Self { nodes, subgraphs }
    }
}

fn write_subgraph<'a>(
    f: &mut Flowchart,
    spec: &ById<'a>,
    s: &'a SubgraphSpec,
    written: &mut BTreeMap<&'a str, Id>,
) -> Result<(), SpecError> {
    let mut title = s.title.clone().unwrap_or_else(|| s.id.clone());
    if let Some(r) = s.repeat
        && r > 1
    {
        title = format!("{title} x{r}");
    }
    let id = f.open_subgraph(&s.id, &title, parse_direction(s.direction.as_deref())?);
    written.insert(s.id.as_str(), id);
    for m in &s.members {
        if let Some(n) = spec.nodes.get(m.as_str()) {
            write_node(f, n, written);
        } else if let Some(sub) = spec.subgraphs.get(m.as_str()) {
            write_subgraph(f, spec, sub, written)?;
        }
    }
    f.close_subgraph();
    Ok(())
}

fn check_acyclic(spec: &Spec) -> Result<(), SpecError> {
    let mut adj: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for e in spec.edges.iter().filter(|e| !e.back) {
        adj.entry(e.from.as_str()).or_default().push(e.to.as_str());
    }
    // Iterative DFS with colours; the stack path gives the cycle for the message.
    let mut colour: BTreeMap<&str, u8> = BTreeMap::new();
    let starts: Vec<&str> = adj.keys().copied().collect();
    for start in starts {
        if colour.get(start).copied().unwrap_or(0) != 0 {
            continue;
        }
        let mut stack: Vec<(&str, usize)> = vec![(start, 0)];
        colour.insert(start, 1);
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            let succ = adj.get(node).map(Vec::as_slice).unwrap_or(&[]);
            if *next < succ.len() {
                let s = succ[*next];
                *next += 1;
                match colour.get(s).copied().unwrap_or(0) {
                    0 => {
                        colour.insert(s, 1);
                        stack.push((s, 0));
                    }
                    1 => {
                        let pos = stack.iter().position(|(n, _)| *n == s).unwrap_or(0);
                        let mut path: Vec<&str> = stack[pos..].iter().map(|(n, _)| *n).collect();
                        path.push(s);
                        return Err(SpecError::Cycle(path.join(" -> ")));
                    }
                    _ => {}
                }
            } else {
                colour.insert(node, 2);
                stack.pop();
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(yaml: &str) -> String {
        match parse_spec(yaml).and_then(|s| render_spec(&s)) {
            Ok(out) => panic!("expected an error, got:\n{out}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn validation_errors_name_the_problem() {
        assert!(err("nodes:\n - {id: a, kind: banana}\n").contains("unknown kind `banana`"));
        assert!(err("nodes:\n - {id: a}\n - {id: a}\n").contains("duplicate id `a`"));
        assert!(err("nodes:\n - {id: a}\nedges:\n - {from: a, to: b}\n").contains("no node `b`"));
        let cyc = err(
            "nodes:\n - {id: a}\n - {id: b}\nedges:\n - {from: a, to: b}\n - {from: b, to: a}\n",
        );
        assert!(cyc.contains("a -> b -> a"), "{cyc}");
        assert!(err("nodes:\n - {id: a, colour: red}\n").contains("unknown field `colour`"));
        assert!(err("nodes:\n - {id: a, draw: blob}\n").contains("unknown draw shape `blob`"));
        assert!(
            err("nodes:\n - {id: a}\nsubgraphs:\n - {id: s, members: [a, zz]}\n")
                .contains("no node or subgraph `zz`")
        );
    }

    #[test]
    fn back_edges_and_allow_cycles_permit_loops() {
        let y = "nodes:\n - {id: a}\n - {id: b}\nedges:\n - {from: a, to: b}\n - {from: b, to: a, back: true}\n";
        assert!(render_spec(&parse_spec(y).unwrap()).is_ok());
        let y2 = "allow_cycles: true\nnodes:\n - {id: a}\n - {id: b}\nedges:\n - {from: a, to: b}\n - {from: b, to: a}\n";
        assert!(render_spec(&parse_spec(y2).unwrap()).is_ok());
    }

    #[test]
    fn shapes_from_lists_and_strings() {
        let y = "nodes:\n - {id: a, shape: [B, 64, 56, 56]}\n - {id: b, shape: 'B, 10'}\n";
        let out = render_spec(&parse_spec(y).unwrap()).unwrap();
        assert!(out.contains("n_a[\"a<br/>[B, 64, 56, 56]\"]"), "{out}");
        assert!(out.contains("n_b[\"b<br/>[B, 10]\"]"), "{out}");
    }
}
