//! Where each call of a module sits, so that a module called at several places is drawn at
//! each of them.
//!
//! A trace has one record per module, with its call count. A module forward calls in more than
//! one place (one `self.relu` after each of five convolutions) is one record with five calls,
//! and drawing that record once puts all five after the first convolution: the count is kept
//! but the picture is wrong. The harness therefore records, per call, its `[start, end)` in the
//! count of pre-hooks run (`seq`). Here a module whose calls are *scattered*, that is, some other
//! module (not one of its ancestors) starts between two of its calls, becomes one record per
//! call, each at its own place in the order; calls that follow each other directly (a recurrent
//! cell in a loop) stay one record with their count. The sub-modules of a scattered composite
//! are split the same way, by the call of the composite that contains them.
//!
//! A trace without `seq` (or with a module whose calls were not all placed) cannot say where
//! the calls sit: nothing is split, and each module called more than once gets a warning
//! instead of a silently wrong topology.

use std::collections::BTreeMap;

use crate::trace::{Module, Trace};

/// The trace with scattered modules split into one record per call, and the warnings for
/// modules whose calls could not be placed.
pub(crate) fn place_calls(t: &Trace) -> (Trace, Vec<String>) {
    let multi: Vec<&Module> = t.modules.iter().filter(|m| m.calls > 1).collect();
    if multi.is_empty() {
        return (t.clone(), Vec::new());
    }
    let placed = |m: &Module| !m.seq_truncated && m.seq.len() as u64 == m.calls.max(1);
    if !t.modules.iter().all(placed) {
        let mut named: Vec<String> = multi
            .iter()
            .take(5)
            .map(|m| format!("`{}` x{}", display(&m.path), m.calls))
            .collect();
        if multi.len() > 5 {
            named.push(format!("{} more", multi.len() - 5));
        }
        let warnings = vec![format!(
            "{} module(s) run more than once ({}) and the trace does not say where each call \
             sits (recorded without call order, or past the harness's limit): each is drawn \
             once, which is wrong where forward calls it at different places; record the trace \
             again with the current trace_shapes.py",
            multi.len(),
            named.join(", ")
        )];
        return (t.clone(), warnings);
    }
    let index: BTreeMap<&str, usize> = t
        .modules
        .iter()
        .enumerate()
        .map(|(i, m)| (m.path.as_str(), i))
        .collect();
    let parent: Vec<Option<usize>> = t
        .modules
        .iter()
        .map(|m| nearest_parent(m, &index))
        .collect();
    let mut children = vec![Vec::new(); t.modules.len()];
    let mut roots = Vec::new();
    for (i, p) in parent.iter().enumerate() {
        match p {
            Some(p) => children[*p].push(i),
            None => roots.push(i),
        }
    }
    // Which module each call start belongs to.
    let mut owner = BTreeMap::new();
    for (i, m) in t.modules.iter().enumerate() {
        for s in &m.seq {
            owner.insert(s[0], i);
        }
    }
    let mut p = Placer {
        t,
        parent,
        children,
        owner,
        out: Vec::new(),
    };
    for r in roots {
        let calls: Vec<usize> = (0..t.modules[r].seq.len()).collect();
        let parent_path = t.modules[r].parent.clone();
        p.emit(r, &calls, t.modules[r].path.clone(), parent_path);
    }
    // Every call of every module lands in exactly one record, or nothing is split: a call made
    // outside the calls of its parent (a module owned by one block and run by another) has no
    // place in this tree.
    let mut kept = vec![0u64; t.modules.len()];
    for s in p.out.iter().flat_map(|r| &r.seq) {
        if let Some(&i) = p.owner.get(&s[0]) {
            kept[i] += 1;
        }
    }
    if kept
        .iter()
        .zip(&t.modules)
        .any(|(k, m)| *k != m.calls.max(1))
    {
        let warnings = vec![
            "some module runs outside the calls of the module that owns it: its calls are drawn \
             where it is first called, which may not be where each call sits"
                .to_string(),
        ];
        return (t.clone(), warnings);
    }
    let mut placed = t.clone();
    placed.modules = p.out;
    (placed, Vec::new())
}

/// The recorded parent when it is in the trace, else the nearest recorded ancestor by path.
fn nearest_parent(m: &Module, index: &BTreeMap<&str, usize>) -> Option<usize> {
    if m.path.is_empty() {
        return None;
    }
    if let Some(i) = m
        .parent
        .as_deref()
        .filter(|p| *p != m.path)
        .and_then(|p| index.get(p))
    {
        return Some(*i);
    }
    let mut p = m.path.as_str();
    while let Some((head, _)) = p.rsplit_once('.') {
        if let Some(i) = index.get(head) {
            return Some(*i);
        }
        p = head;
    }
    index.get("").copied()
}

struct Placer<'a> {
    t: &'a Trace,
    parent: Vec<Option<usize>>,
    children: Vec<Vec<usize>>,
    owner: BTreeMap<u64, usize>,
    out: Vec<Module>,
}

impl Placer<'_> {
    fn is_ancestor(&self, a: usize, of: usize) -> bool {
        let mut p = self.parent[of];
        while let Some(i) = p {
            if i == a {
                return true;
            }
            p = self.parent[i];
        }
        false
    }

    /// Some module other than `i`'s ancestors starts between two of the given calls of `i`.
    fn scattered(&self, i: usize, calls: &[usize]) -> bool {
        let seq = &self.t.modules[i].seq;
        calls.windows(2).any(|w| {
            let (end, next) = (seq[w[0]][1], seq[w[1]][0]);
            self.owner
                .range(end..next)
                .any(|(_, &o)| o != i && !self.is_ancestor(o, i))
        })
    }

    /// Emits module `i` restricted to its calls `calls` (indices into its `seq`), at `path`
    /// under `parent_path`, then its sub-modules' calls that fall inside those calls.
    fn emit(&mut self, i: usize, calls: &[usize], path: String, parent_path: Option<String>) {
        if calls.is_empty() {
            return;
        }
        let m = &self.t.modules[i];
        if calls.len() > 1 && self.scattered(i, calls) {
            let n = m.calls;
            for &k in calls {
                let piece = format!("{path} (call {} of {n})", k + 1);
                self.record(i, &[k], piece, parent_path.clone());
            }
        } else {
            self.record(i, calls, path, parent_path);
        }
    }

    fn record(&mut self, i: usize, calls: &[usize], path: String, parent_path: Option<String>) {
        let m = &self.t.modules[i];
        let mut rec = m.clone();
        rec.seq = calls.iter().map(|&k| m.seq[k]).collect();
        rec.order = rec.seq[0][0];
        rec.calls = calls.len() as u64;
        // The shapes of the first call shown; the harness keeps every call's shapes (up to its
        // limit) when there are several. Past that limit the shapes are unknown, not guessed.
        if calls[0] > 0 || calls.len() < m.seq.len() {
            match m.call_shapes.get(calls[0]) {
                Some(cs) => {
                    rec.inputs = cs.inputs.clone();
                    rec.outputs = cs.outputs.clone();
                }
                None => {
                    rec.inputs.clear();
                    rec.outputs.clear();
                }
            }
        }
        rec.path = path.clone();
        rec.parent = parent_path;
        self.out.push(rec);
        let spans: Vec<[u64; 2]> = calls.iter().map(|&k| m.seq[k]).collect();
        for c in self.children[i].clone() {
            let inside: Vec<usize> = (0..self.t.modules[c].seq.len())
                .filter(|&k| {
                    let s = self.t.modules[c].seq[k][0];
                    spans.iter().any(|sp| sp[0] <= s && s < sp[1])
                })
                .collect();
            let name = child_name(&self.t.modules[i].path, &self.t.modules[c].path);
            let child_path = if path.is_empty() {
                name
            } else if path == self.t.modules[i].path {
                self.t.modules[c].path.clone()
            } else {
                format!("{path}.{name}")
            };
            self.emit(c, &inside, child_path, Some(path.clone()));
        }
    }
}

/// `conv1` for `layer1.0.conv1` under `layer1.0`; the whole path when it is not below.
fn child_name(parent: &str, child: &str) -> String {
    if parent.is_empty() {
        return child.to_string();
    }
    child
        .strip_prefix(parent)
        .and_then(|r| r.strip_prefix('.'))
        .unwrap_or(child)
        .to_string()
}

fn display(path: &str) -> &str {
    if path.is_empty() { "<root>" } else { path }
}
