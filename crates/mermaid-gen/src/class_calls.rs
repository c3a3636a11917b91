//! `code --class Block --trace model-trace.json`: the calls of one class inside a trace of the
//! whole model. Each call is cut out of the trace as a trace of its own (its sub-modules
//! re-rooted, its inputs and output), and the calls are merged: a shape is kept only where all
//! calls agree (else the shape comment stays: the stages of a network call one block class at
//! several widths), a module counts as called when any call ran it and as never called only
//! when no call did, so the `if` arms that ran in any call are drawn.

use std::collections::{BTreeMap, BTreeSet};

use crate::code::{IoShapes, LineEvidence};
use crate::trace::{Module, Trace, batch_of};

/// The paths of the modules of class `class` defined in `model` (the class itself or a
/// subclass that runs its forward), outermost first. A module whose class the trace places in
/// another user file is another class of the same name.
pub fn instances(t: &Trace, class: &str, model: &std::path::Path) -> Vec<String> {
    let model = model.canonicalize().unwrap_or_else(|_| model.to_path_buf());
    let same_file = |m: &Module| m.file.as_deref().is_none_or(|f| model.ends_with(f));
    let of_class =
        |m: &Module| (m.ty == class || m.forward_class.as_deref() == Some(class)) && same_file(m);
    let mut paths: Vec<String> = t
        .modules
        .iter()
        .filter(|m| !m.path.is_empty() && of_class(m))
        .map(|m| m.path.clone())
        .collect();
    // A block nested in a block of the same class is drawn by its outer call.
    let all = paths.clone();
    paths.retain(|p| {
        !all.iter()
            .any(|q| q != p && p.starts_with(&format!("{q}.")))
    });
    paths
}

/// The trace of one call: the module at `path` as the root, its sub-modules re-rooted.
fn cut(t: &Trace, path: &str) -> Option<Trace> {
    let root = t.modules.iter().find(|m| m.path == path)?;
    let prefix = format!("{path}.");
    let rel = |p: &str| -> Option<String> {
        if p == path {
            Some(String::new())
        } else {
            p.strip_prefix(&prefix).map(str::to_string)
        }
    };
    let modules: Vec<Module> = t
        .modules
        .iter()
        .filter_map(|m| {
            let new_path = rel(&m.path)?;
            let mut m = m.clone();
            m.path = new_path;
            m.parent = if m.path.is_empty() {
                None
            } else {
                m.parent.as_deref().and_then(rel)
            };
            Some(m)
        })
        .collect();
    let inputs = root
        .inputs
        .iter()
        .enumerate()
        .map(|(i, s)| (format!("arg{i}"), s.clone()))
        .collect();
    let uncalled: Vec<String> = t.uncalled.iter().filter_map(|p| rel(p)).collect();
    // What the trace says of the call's own attributes: its sub-modules (called or not); the
    // training flag is the model's (eval() sets it on every module). Parameters and flags of a
    // sub-module are not recorded: left unknown.
    let mut root_attrs: BTreeMap<String, String> = BTreeMap::new();
    for p in modules
        .iter()
        .map(|m| m.path.as_str())
        .chain(uncalled.iter().map(String::as_str))
    {
        if let Some(head) = p.split('.').next().filter(|h| !h.is_empty()) {
            root_attrs.insert(head.to_string(), "module".to_string());
        }
    }
    if let Some(tr) = t.root_attrs.get("training") {
        root_attrs.insert("training".to_string(), tr.clone());
    }
    Some(Trace {
        schema: t.schema.clone(),
        target: t.target.clone(),
        inputs,
        modules,
        error: None,
        uncalled,
        root_attrs,
        parameters: t
            .parameters
            .iter()
            .filter_map(|(k, v)| Some((rel(k)?, v.clone())))
            .collect(),
        assignments: Vec::new(),
    })
}

/// Keeps the entries every map that has the key agrees on.
fn agreed(maps: &[BTreeMap<String, String>]) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    let mut split: BTreeSet<String> = BTreeSet::new();
    for m in maps {
        for (k, v) in m {
            match out.get(k) {
                Some(w) if w != v => {
                    split.insert(k.clone());
                }
                _ => {
                    out.insert(k.clone(), v.clone());
                }
            }
        }
    }
    out.retain(|k, _| !split.contains(k));
    out
}

/// The shapes and the evidence of what ran for `class`, from every call of it in the trace.
/// `None` when the trace holds no call of the class.
pub fn io_of_class(t: &Trace, class: &str, model: &std::path::Path) -> Option<(IoShapes, usize)> {
    let batch = batch_of(t);
    let calls: Vec<IoShapes> = instances(t, class, model)
        .iter()
        .filter_map(|p| cut(t, p))
        .map(|c| IoShapes::from_trace_batch(&c, batch))
        .collect();
    let first = calls.first()?;
    let outputs: Vec<BTreeMap<String, String>> = calls
        .iter()
        .map(|c| {
            c.output
                .iter()
                .map(|o| (String::new(), o.clone()))
                .collect()
        })
        .collect();
    let all_out = calls.iter().all(|c| c.output.is_some());
    let output = agreed(&outputs).remove("").filter(|_| all_out);
    let inputs: Vec<BTreeMap<String, String>> = calls.iter().map(|c| c.inputs.clone()).collect();
    let modules: Vec<BTreeMap<String, String>> = calls.iter().map(|c| c.modules.clone()).collect();
    let called: BTreeSet<String> = calls.iter().flat_map(|c| c.called.clone()).collect();
    let uncalled: BTreeSet<String> = calls
        .iter()
        .flat_map(|c| c.uncalled.clone())
        .filter(|p| !called.contains(p))
        .collect();
    let root_types: BTreeSet<&Option<String>> = calls.iter().map(|c| &c.root_type).collect();
    // What every call records alike: a sub-module one call has and another lacks (ResNet's
    // downsample, built only where the shape changes) is unknown for the class, not "module"
    // (the union drew SE-ResNet's `if self.downsample is not None` as always taken).
    let mut root_attrs: BTreeMap<String, String> = first.root_attrs.clone();
    root_attrs.retain(|k, v| calls.iter().all(|c| c.root_attrs.get(k) == Some(v)));
    let params: Vec<BTreeMap<String, String>> = calls.iter().map(|c| c.params.clone()).collect();
    let mut members = first.members.clone();
    members.retain(|k, v| {
        calls
            .iter()
            .all(|c| c.members.get(k).is_none_or(|w| w == v))
    });
    let io = IoShapes {
        inputs: agreed(&inputs),
        output,
        modules: agreed(&modules),
        root_type: if root_types.len() == 1 {
            first.root_type.clone()
        } else {
            Some(class.to_string())
        },
        members,
        traced: true,
        called,
        uncalled,
        root_attrs,
        params: agreed(&params),
        lines: None,
        calls: calls.len(),
    };
    Some((io, calls.len()))
}

/// The line evidence of the calls at `paths` (`""` for the root), when the drawn file is the
/// file the trace recorded for each of them (the class is defined in a file of the user's
/// folder, so the line tracer followed its forward). `model` is the file being drawn.
pub fn line_evidence(t: &Trace, paths: &[String], model: &std::path::Path) -> Option<LineEvidence> {
    let model = model.canonicalize().ok()?;
    let batch = batch_of(t);
    let mut ev = LineEvidence::default();
    for (i, path) in paths.iter().enumerate() {
        let rec = t.modules.iter().find(|m| &m.path == path)?;
        let file = rec.file.as_deref()?;
        if !model.ends_with(file) {
            return None;
        }
        for a in &t.assignments {
            if a.module.as_deref() == Some(path.as_str()) && a.file.as_deref() == Some(file) {
                ev.shapes
                    .entry((a.line, a.name.clone()))
                    .or_default()
                    .entry(i)
                    .or_insert_with(|| crate::trace::shape_label(&a.shape, batch));
            }
        }
        let prefix = format!("{path}.");
        for m in &t.modules {
            let rel = if path.is_empty() {
                m.path.as_str()
            } else {
                match m.path.strip_prefix(&prefix) {
                    Some(r) => r,
                    None => continue,
                }
            };
            if rel.is_empty() || m.calls != 1 || m.outputs.is_empty() {
                continue;
            }
            ev.modules
                .entry(rel.to_string())
                .or_default()
                .insert(i, crate::trace::shapes_text(&m.outputs, batch));
        }
    }
    Some(ev)
}
