//! Which module calls of a trace become boxes and groups of a diagram, and the count that
//! proves none was lost.
//!
//! The module tree comes from the trace's `parent` links (the nearest *called* ancestor, so a
//! `ModuleList`, which is never called, does not hide its blocks). A diagram cut at depth `d`
//! shows the modules of tree level `d` and the leaves above it; every composite above level `d`
//! is opened into a group. Consecutive siblings are merged into one box ("Bottleneck x2") only
//! when they have the same class, the same number of calls and the same shapes in and out: a
//! block that changes the shape (a new stage, a downsampling layer) is never folded into its
//! neighbour. A run of siblings that is opened up must also have the same inside; only its
//! first member is drawn, in a group whose title gives the true count and the shapes.
//!
//! `coverage` then counts, for every leaf call of the trace, whether some box or group
//! represents it; the generators refuse to pass (exit 1) when one is missing.

use std::collections::{BTreeMap, BTreeSet};

use crate::trace::Module;

/// The module tree of a trace, by index into `modules`.
pub(crate) struct Tree<'a> {
    pub modules: &'a [Module],
    /// Children of each module, in first-call order.
    pub children: Vec<Vec<usize>>,
    /// The top level: children of the root module (path ""), or the parentless modules of a
    /// trace without a root record; the root alone when it has no children.
    pub top: Vec<usize>,
}

/// A box (one module or a run of identical siblings) or an opened group.
#[derive(Debug, Clone)]
pub(crate) enum Item {
    Box { run: Vec<usize> },
    Group { run: Vec<usize>, inner: Vec<Item> },
}

impl<'a> Tree<'a> {
    pub fn new(modules: &'a [Module]) -> Tree<'a> {
        let index: BTreeMap<&str, usize> = modules
            .iter()
            .enumerate()
            .map(|(i, m)| (m.path.as_str(), i))
            .collect();
        let root = index.get("").copied();
        let mut children = vec![Vec::new(); modules.len()];
        let mut top = Vec::new();
        for (i, m) in modules.iter().enumerate() {
            if m.path.is_empty() {
                continue;
            }
            // The recorded parent when it is in the trace, else the nearest recorded ancestor.
            let mut parent = m
                .parent
                .as_deref()
                .filter(|p| *p != m.path)
                .and_then(|p| index.get(p).copied());
            let mut p = m.path.as_str();
            while parent.is_none() {
                match p.rsplit_once('.') {
                    Some((head, _)) => {
                        p = head;
                        parent = index.get(p).copied();
                    }
                    None => break,
                }
            }
            match parent.or(root) {
                Some(pi) if Some(pi) != root => children[pi].push(i),
                _ => top.push(i),
            }
        }
        let by_order = |v: &mut Vec<usize>| v.sort_by_key(|&i| (modules[i].order, i));
        children.iter_mut().for_each(by_order);
        by_order(&mut top);
        if top.is_empty()
            && let Some(r) = root
        {
            top.push(r);
        }
        Tree {
            modules,
            children,
            top,
        }
    }

    /// Number of levels below the root.
    pub fn max_depth(&self) -> usize {
        fn down(t: &Tree, i: usize) -> usize {
            1 + t.children[i].iter().map(|&c| down(t, c)).max().unwrap_or(0)
        }
        self.top.iter().map(|&i| down(self, i)).max().unwrap_or(1)
    }

    /// Leaves of the subtree of `i` (itself when it has no children).
    pub fn leaves_under(&self, i: usize, out: &mut Vec<usize>) {
        if self.children[i].is_empty() {
            out.push(i);
        } else {
            for &c in &self.children[i] {
                self.leaves_under(c, out);
            }
        }
    }

    fn calls(&self, i: usize) -> u64 {
        self.modules[i].calls.max(1)
    }

    /// Same class, calls and shapes in and out: may share one box.
    fn same_box(&self, a: usize, b: usize) -> bool {
        let (x, y) = (&self.modules[a], &self.modules[b]);
        x.ty == y.ty && x.calls == y.calls && x.inputs == y.inputs && x.outputs == y.outputs
    }

    /// Same box and, recursively, the same inside: may share one opened group.
    fn same_block(&self, a: usize, b: usize) -> bool {
        self.same_box(a, b)
            && self.children[a].len() == self.children[b].len()
            && self.children[a]
                .iter()
                .zip(&self.children[b])
                .all(|(&x, &y)| self.same_block(x, y))
    }

    /// The items of a diagram cut at `depth` (1 = one box per run of top-level modules).
    pub fn items(&self, depth: usize) -> Vec<Item> {
        self.level(&self.top, 1, depth.max(1))
    }

    fn level(&self, kids: &[usize], level: usize, depth: usize) -> Vec<Item> {
        let expand = level < depth;
        let mut out = Vec::new();
        let mut i = 0;
        while i < kids.len() {
            let a = kids[i];
            let opens = expand && !self.children[a].is_empty();
            let mut j = i + 1;
            while j < kids.len()
                && if opens {
                    self.same_block(a, kids[j])
                } else {
                    self.same_box(a, kids[j])
                }
            {
                j += 1;
            }
            let run = kids[i..j].to_vec();
            out.push(if opens {
                Item::Group {
                    run,
                    inner: self.level(&self.children[a], level + 1, depth),
                }
            } else {
                Item::Box { run }
            });
            i = j;
        }
        out
    }
}

/// Number of boxes (groups not counted).
pub(crate) fn box_count(items: &[Item]) -> usize {
    items
        .iter()
        .map(|it| match it {
            Item::Box { .. } => 1,
            Item::Group { inner, .. } => box_count(inner),
        })
        .sum()
}

/// The deepest cut whose box count stays within `max_nodes` (at least depth 1, whatever its
/// size: nothing is ever dropped to fit).
pub(crate) fn auto_depth(tree: &Tree, max_nodes: usize, count: impl Fn(&[Item]) -> usize) -> usize {
    let mut best = 1;
    for d in 2..=tree.max_depth() {
        if count(&tree.items(d)) > max_nodes.max(1) {
            break;
        }
        best = d;
    }
    best
}

/// How many of the trace's leaf calls the items represent, and which leaves they miss.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage {
    /// Sum of `calls` over every leaf module of the trace.
    pub leaf_calls: u64,
    /// Sum of `calls` over the leaves some box or group represents.
    pub represented_calls: u64,
    /// Paths of leaves no box or group represents, in call order.
    pub lost: Vec<String>,
}

/// Counts the leaves the items represent: a box represents every leaf under each module of its
/// run; a group represents the leaves under the later members of its run (drawn once, through
/// the first) and, for the first member, exactly what its inner items represent.
pub(crate) fn coverage(tree: &Tree, items: &[Item]) -> Coverage {
    fn walk(tree: &Tree, items: &[Item], seen: &mut BTreeSet<usize>) {
        for it in items {
            let (run, inner) = match it {
                Item::Box { run } => (&run[..], None),
                Item::Group { run, inner } => (&run[1..], Some(inner)),
            };
            for &m in run {
                let mut leaves = Vec::new();
                tree.leaves_under(m, &mut leaves);
                seen.extend(leaves);
            }
            if let Some(inner) = inner {
                walk(tree, inner, seen);
            }
        }
    }
    let mut seen = BTreeSet::new();
    walk(tree, items, &mut seen);
    // Leaves from the records themselves, not from a walk down the tree: a module the tree
    // could not attach (a broken parent link) still counts, and is reported lost.
    let n = tree.modules.len();
    let mut all: Vec<usize> = (0..n)
        .filter(|&i| tree.children[i].is_empty() && !(tree.modules[i].path.is_empty() && n > 1))
        .collect();
    all.sort_by_key(|&i| (tree.modules[i].order, i));
    let leaf_calls = all.iter().map(|&i| tree.calls(i)).sum();
    let represented_calls = all
        .iter()
        .filter(|i| seen.contains(i))
        .map(|&i| tree.calls(i))
        .sum();
    let lost = all
        .iter()
        .filter(|i| !seen.contains(i))
        .map(|&i| tree.modules[i].path.clone())
        .collect();
    Coverage {
        leaf_calls,
        represented_calls,
        lost,
    }
}
