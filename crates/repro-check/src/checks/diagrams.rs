//! Checklist items of the "diagrams" group: every Mermaid block renders, key diagrams carry
//! tensor shapes and the skill's colour palette.
//!
//! - `diagrams.render`: every Mermaid block in every `.md` file of the tree passes mermaid-gen's
//!   checker (the rule of `mermaid-gen check`'s exit status: errors fail; warnings are counted in
//!   the reason; blocks of other diagram types are not checked and do not fail).
//! - `diagrams.shapes`: in every *key diagram* (a flowchart in `docs/diagrams/*.md`,
//!   `docs/architecture.md` or `docs/modules/*.md`) the input nodes (no incoming arrow) and the
//!   output nodes (no outgoing arrow) carry a tensor shape in brackets in their label, except
//!   nodes coloured as a loss, and at least half of all nodes carry one. What counts as a shape
//!   is mermaid-gen's own definition ([`mermaid_gen::tensor_shape::has_tensor_shape`]):
//!   `[B, 64, 56, 56]`, batch-folded `[B*nW, 49, 96]`, a mask `[nW, 49, 49]`, a bias table
//!   `[3, 49, 49]`, a scalar `[]` or `scalar`; a label holding the scaffold's `TODO(paper)`
//!   has none. `docs/diagrams/` must hold at least one flowchart.
//! - `diagrams.palette`: in every key diagram each `classDef` and `style` fill is one of the five
//!   palette colours (`#e1f5fe` input/output, `#fff3e0` core, `#e8f5e9` feature, `#fce4ec`
//!   attention, `#f3e5f5` loss), a class named after a palette role has that role's colour, and
//!   every node is coloured with one of them (through `class`, `:::` or `style`).
//!
//! A block that does not parse is only reported by `diagrams.render`: its nodes cannot be read
//! reliably, so the other two items skip it.

use super::VerifyOptions;
use crate::report::Item;
use mermaid_gen::check::{Verdict, check_diagram};
use mermaid_gen::lexer::{Tok, tokenize};
use mermaid_gen::markdown::mermaid_blocks;
use mermaid_gen::preprocess::{Prepared, prepare};
use mermaid_gen::tensor_shape::has_tensor_shape;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The palette: role names and their fill colours (SKILL.md, references/diagrams.md).
const PALETTE: &[(&str, &str)] = &[
    ("input", "#e1f5fe"),
    ("output", "#e1f5fe"),
    ("core", "#fff3e0"),
    ("feature", "#e8f5e9"),
    ("attention", "#fce4ec"),
    ("loss", "#f3e5f5"),
];
const LOSS_FILL: &str = "#f3e5f5";
const PALETTE_HELP: &str =
    "#e1f5fe input/output, #fff3e0 core, #e8f5e9 feature, #fce4ec attention, #f3e5f5 loss";

/// Checks the tree at `root`.
pub fn check(root: &Path, _opts: &VerifyOptions) -> Vec<Item> {
    let files = markdown_files(root);
    let mut render = Vec::new();
    let mut shapes = Vec::new();
    let mut palette = Vec::new();
    let (mut n_blocks, mut n_warn, mut n_other, mut n_key) = (0, 0, 0, 0);
    let mut key_in_diagrams_dir = 0;
    for rel in &files {
        let Ok(text) = std::fs::read_to_string(root.join(rel)) else {
            render.push(Item::fail(
                "diagrams.render",
                "cannot read as UTF-8 text",
                Some(rel.clone()),
            ));
            continue;
        };
        for block in mermaid_blocks(&text) {
            n_blocks += 1;
            let at = |line: usize| Some(format!("{rel}:{}", block.first_line + line - 1));
            let report = check_diagram(&block.text);
            n_warn += report.warnings().count();
            match report.verdict {
                Verdict::NotChecked => {
                    n_other += 1;
                    continue;
                }
                Verdict::Fail => {
                    for d in report.errors() {
                        let fix = d
                            .fix
                            .as_deref()
                            .map(|f| format!(" (fix: {f})"))
                            .unwrap_or_default();
                        render.push(Item::fail(
                            "diagrams.render",
                            format!("{} {}{fix}", d.code, d.message),
                            at(d.line),
                        ));
                    }
                    continue;
                }
                Verdict::Ok => {}
            }
            if !is_key(rel) {
                continue;
            }
            let Some(graph) = Graph::read(&block.text) else {
                continue;
            };
            n_key += 1;
            if rel.starts_with("docs/diagrams/") {
                key_in_diagrams_dir += 1;
            }
            check_shapes(&graph, &at, &mut shapes);
            check_palette(&graph, &at, &mut palette);
        }
    }
    let mut items = Vec::new();
    if render.is_empty() {
        let mut reason = format!(
            "all {} Mermaid blocks in {} Markdown files parse",
            n_blocks - n_other,
            files.len()
        );
        if n_other > 0 {
            reason.push_str(&format!(" ({n_other} non-flowchart blocks not checked)"));
        }
        if n_warn > 0 {
            reason.push_str(&format!(
                "; {n_warn} warnings: run `mermaid-gen check` on the files and read them"
            ));
        }
        items.push(Item::pass("diagrams.render", reason));
    }
    items.extend(render);
    if key_in_diagrams_dir == 0 {
        shapes.push(Item::fail(
            "diagrams.shapes",
            "no flowchart that parses in docs/diagrams/: draw the architecture there (SKILL.md Phase 2)",
            Some("docs/diagrams".into()),
        ));
    }
    if shapes.is_empty() {
        items.push(Item::pass(
            "diagrams.shapes",
            format!(
                "{n_key} key diagrams: input and output nodes and at least half of all nodes carry a tensor shape in brackets"
            ),
        ));
    }
    items.extend(shapes);
    if palette.is_empty() {
        items.push(Item::pass(
            "diagrams.palette",
            format!("{n_key} key diagrams colour every node with the palette ({PALETTE_HELP})"),
        ));
    }
    items.extend(palette);
    items
}

/// Files whose flowcharts must carry shapes and colours.
fn is_key(rel: &str) -> bool {
    rel == "docs/architecture.md"
        || rel.starts_with("docs/diagrams/")
        || rel.starts_with("docs/modules/")
}

/// Every `.md` file under `root`, as sorted relative paths with `/`; hidden folders and
/// `__pycache__` are left out.
fn markdown_files(root: &Path) -> Vec<String> {
    fn walk(dir: &Path, rel: &str, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.filter_map(Result::ok) {
            let Ok(name) = e.file_name().into_string() else {
                continue;
            };
            if name.starts_with('.') || name == "__pycache__" {
                continue;
            }
            let child = if rel.is_empty() {
                name.clone()
            } else {
                format!("{rel}/{name}")
            };
            let path = e.path();
            if path.is_dir() {
                walk(&path, &child, out);
            } else if name.to_ascii_lowercase().ends_with(".md") {
                out.push(child);
            }
        }
    }
    let mut out = Vec::new();
    walk(root, "", &mut out);
    out.sort();
    out
}

/// One node of a flowchart.
#[derive(Debug, Default)]
struct Node {
    /// Line (in the block) where the node first appears.
    line: usize,
    /// Label text when the node is drawn with a shape (`id["label"]`).
    label: Option<String>,
    /// Classes assigned with `class` or `:::`.
    classes: Vec<String>,
    /// Fill set with `style id fill:...`.
    style_fill: Option<String>,
}

/// A `classDef` or `style` fill and where it is.
#[derive(Debug)]
struct Fill {
    /// Class name, or `style <id>`.
    name: String,
    fill: Option<String>,
    line: usize,
}

/// What the shape and palette checks need from one flowchart.
#[derive(Debug, Default)]
struct Graph {
    nodes: BTreeMap<String, Node>,
    edges: BTreeSet<(String, String)>,
    class_defs: Vec<Fill>,
    styles: Vec<Fill>,
}

/// Tokens that open a node shape (`[`, `(`, `((`, `{`, `>`, `[/` ...) and close one.
fn opens(t: Tok) -> bool {
    use Tok::*;
    matches!(
        t,
        Sqs | Ps
            | DoubleCircleStart
            | EllipseStart
            | StadiumStart
            | SubroutineStart
            | CylinderStart
            | DiamondStart
            | TagEnd
            | TrapStart
            | InvTrapStart
            | VertexWithPropsStart
    )
}

fn closes(t: Tok) -> bool {
    use Tok::*;
    matches!(
        t,
        Sqe | Pe
            | DoubleCircleEnd
            | EllipseEnd
            | StadiumEnd
            | SubroutineEnd
            | CylinderEnd
            | DiamondStop
            | TrapEnd
            | InvTrapEnd
    )
}

/// The `fill:` value of a comma-separated style list, lower case.
fn fill_of(styles: &str) -> Option<String> {
    styles
        .split(',')
        .filter_map(|s| s.trim().strip_prefix("fill:"))
        .map(|v| v.trim().trim_end_matches(';').to_ascii_lowercase())
        .next()
}

impl Graph {
    /// Reads a flowchart that passed the checker; `None` for other diagram types.
    fn read(text: &str) -> Option<Graph> {
        let Prepared::Flowchart(t) = prepare(text) else {
            return None;
        };
        let (tokens, _) = tokenize(&t.chars);
        let line_of = |i: usize| t.lines.get(i).copied().unwrap_or(1) as usize;
        let source = |a: usize, b: usize| t.chars[a..b].iter().collect::<String>();
        let mut g = Graph::default();
        let mut subgraphs = BTreeSet::new();
        // Statements end at a newline, a `;`, or an `end` (whose token swallows the newline).
        let mut statements: Vec<&[mermaid_gen::lexer::Token]> = Vec::new();
        let mut start = 0;
        for (i, tok) in tokens.iter().enumerate() {
            if matches!(
                tok.kind,
                Tok::Newline | Tok::Semi | Tok::End | Tok::Eof | Tok::EndOfInput
            ) {
                statements.push(&tokens[start..i]);
                start = i + 1;
            }
        }
        for st in statements {
            let st: Vec<_> = st.iter().filter(|t| t.kind != Tok::Space).collect();
            let Some(first) = st.first() else { continue };
            match first.kind {
                Tok::Graph | Tok::Dir | Tok::NoDir | Tok::LinkStyle | Tok::Click => continue,
                Tok::Subgraph => {
                    if let Some(id) = st.iter().find(|t| t.kind == Tok::NodeString) {
                        subgraphs.insert(source(id.start, id.end));
                    }
                    continue;
                }
                Tok::ClassDef | Tok::Style => {
                    let text = source(first.start, st.last().map_or(first.end, |t| t.end));
                    let mut words = text.split_whitespace().skip(1);
                    let name = words.next().unwrap_or("").to_string();
                    let fill = fill_of(&words.collect::<Vec<_>>().join(""));
                    let line = line_of(first.start);
                    if first.kind == Tok::ClassDef {
                        for n in name.split(',') {
                            g.class_defs.push(Fill {
                                name: n.to_string(),
                                fill: fill.clone(),
                                line,
                            });
                        }
                    } else {
                        g.node(&name, line).style_fill = fill.clone();
                        g.styles.push(Fill {
                            name: format!("style {name}"),
                            fill,
                            line,
                        });
                    }
                    continue;
                }
                Tok::Class => {
                    let names: Vec<String> = st
                        .iter()
                        .filter(|t| t.kind == Tok::NodeString)
                        .map(|t| source(t.start, t.end))
                        .collect();
                    if let Some((class, ids)) = names.split_last() {
                        for id in ids {
                            g.node(id, line_of(first.start)).classes.push(class.clone());
                        }
                    }
                    continue;
                }
                _ => {}
            }
            // A vertex statement: groups of nodes (`a & b`) joined by links.
            let mut groups: Vec<Vec<String>> = vec![Vec::new()];
            let mut k = 0;
            while k < st.len() {
                let tok = st[k];
                match tok.kind {
                    Tok::NodeString | Tok::Num => {
                        let id = source(tok.start, tok.end);
                        let line = line_of(tok.start);
                        k += 1;
                        let mut label = None;
                        if k < st.len() && opens(st[k].kind) {
                            let mut depth = 0;
                            let mut text = String::new();
                            while k < st.len() {
                                let kind = st[k].kind;
                                if opens(kind) {
                                    depth += 1;
                                } else if closes(kind) {
                                    depth -= 1;
                                } else {
                                    text.push_str(&source(st[k].start, st[k].end));
                                }
                                k += 1;
                                if depth == 0 {
                                    break;
                                }
                            }
                            label = Some(text);
                        }
                        let node = g.node(&id, line);
                        if label.is_some() && node.label.is_none() {
                            node.label = label;
                        }
                        if k + 1 < st.len() && st[k].kind == Tok::StyleSeparator {
                            let class = source(st[k + 1].start, st[k + 1].end);
                            g.node(&id, line).classes.push(class);
                            k += 2;
                        }
                        groups.last_mut().expect("never empty").push(id);
                        continue;
                    }
                    Tok::Link => groups.push(Vec::new()),
                    Tok::Pipe => {
                        // An edge label `|"..."|`: skip to the closing pipe.
                        k += 1;
                        while k < st.len() && st[k].kind != Tok::Pipe {
                            k += 1;
                        }
                    }
                    _ => {}
                }
                k += 1;
            }
            for pair in groups.windows(2) {
                for a in &pair[0] {
                    for b in &pair[1] {
                        g.edges.insert((a.clone(), b.clone()));
                    }
                }
            }
        }
        for s in &subgraphs {
            g.nodes.remove(s);
        }
        g.edges
            .retain(|(a, b)| !subgraphs.contains(a) && !subgraphs.contains(b));
        Some(g)
    }

    fn node(&mut self, id: &str, line: usize) -> &mut Node {
        self.nodes.entry(id.to_string()).or_insert_with(|| Node {
            line,
            ..Node::default()
        })
    }

    /// The palette fill a node is drawn with, if any.
    fn fill(&self, node: &Node) -> Option<String> {
        let palette = |f: &Option<String>| {
            f.as_ref()
                .filter(|f| PALETTE.iter().any(|(_, c)| c == f))
                .cloned()
        };
        if let Some(f) = palette(&node.style_fill) {
            return Some(f);
        }
        let def = |name: &str| {
            self.class_defs
                .iter()
                .rev()
                .find(|d| d.name == name)
                .and_then(|d| palette(&d.fill))
        };
        node.classes
            .iter()
            .rev()
            .find_map(|c| def(c))
            .or_else(|| def("default"))
    }
}

fn check_shapes(g: &Graph, at: &dyn Fn(usize) -> Option<String>, out: &mut Vec<Item>) {
    let has_in: BTreeSet<&str> = g.edges.iter().map(|(_, b)| b.as_str()).collect();
    let has_out: BTreeSet<&str> = g.edges.iter().map(|(a, _)| a.as_str()).collect();
    // `TODO(paper): [B, ...]` is the scaffold's placeholder for a shape, not a shape
    let shaped = |n: &Node| {
        n.label
            .as_deref()
            .is_some_and(|l| has_tensor_shape(l) && !super::substance::is_placeholder(l))
    };
    let mut with_shape = 0;
    for (id, node) in &g.nodes {
        if shaped(node) {
            with_shape += 1;
            continue;
        }
        if g.fill(node).as_deref() == Some(LOSS_FILL) {
            continue;
        }
        let role = match (has_in.contains(id.as_str()), has_out.contains(id.as_str())) {
            (false, _) => "input",
            (true, false) => "output",
            (true, true) => continue,
        };
        out.push(Item::fail(
            "diagrams.shapes",
            format!(
                "{role} node `{id}` has no tensor shape in brackets in its label{} (write it on a second line: `{id}[\"...<br/>[B, C, H, W]\"]`; a scalar is `[]`)",
                if node.label.as_deref().is_some_and(super::substance::is_placeholder) {
                    " (`TODO(paper): [B, ...]` is the scaffold's placeholder, not a shape)"
                } else {
                    ""
                }
            ),
            at(node.line),
        ));
    }
    let total = g.nodes.len();
    if total > 0 && with_shape * 2 < total {
        let line = g.nodes.values().map(|n| n.line).min().unwrap_or(1);
        out.push(Item::fail(
            "diagrams.shapes",
            format!(
                "only {with_shape} of {total} nodes carry a tensor shape in brackets (a `TODO(paper)` label counts as none); at least half must"
            ),
            at(line),
        ));
    }
}

fn check_palette(g: &Graph, at: &dyn Fn(usize) -> Option<String>, out: &mut Vec<Item>) {
    for d in g.class_defs.iter().chain(&g.styles) {
        let Some(fill) = &d.fill else {
            continue;
        };
        let role = PALETTE.iter().find(|(n, _)| *n == d.name);
        let problem = match role {
            Some((name, colour)) if fill != colour => {
                format!("class `{name}` has fill {fill}; the palette gives it {colour}")
            }
            Some(_) => continue,
            None if PALETTE.iter().any(|(_, c)| c == fill) => continue,
            None => format!(
                "`{}` uses fill {fill}, not a palette colour ({PALETTE_HELP})",
                d.name
            ),
        };
        out.push(Item::fail("diagrams.palette", problem, at(d.line)));
    }
    for (id, node) in &g.nodes {
        if g.fill(node).is_none() {
            out.push(Item::fail(
                "diagrams.palette",
                format!(
                    "node `{id}` has no palette colour: add it to a `class ... <role>` line ({PALETTE_HELP})"
                ),
                at(node.line),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_reads_nodes_edges_classes_and_styles() {
        let text = "flowchart TB\n    classDef io fill:#E1F5FE,stroke:#01579b\n    a[\"x<br/>[B, C]\"] --> b((\"+\")) & c\n    c -.->|\"lbl\"| d:::io\n    subgraph g1[\"T\"]\n    e[\"in [B]\"]\n    end\n    class a,b io\n    style e fill:#fff3e0\n";
        let g = Graph::read(text).unwrap();
        let ids: Vec<&String> = g.nodes.keys().collect();
        assert_eq!(ids, ["a", "b", "c", "d", "e"]);
        assert_eq!(g.nodes["a"].label.as_deref(), Some("x<br/>[B, C]"));
        assert_eq!(g.nodes["b"].label.as_deref(), Some("+"));
        assert_eq!(g.nodes["a"].line, 3);
        let edges: Vec<(&str, &str)> = g
            .edges
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        assert_eq!(edges, [("a", "b"), ("a", "c"), ("c", "d")]);
        assert_eq!(g.nodes["a"].classes, ["io"]);
        assert_eq!(g.nodes["d"].classes, ["io"]);
        assert_eq!(g.fill(&g.nodes["a"]).as_deref(), Some("#e1f5fe"));
        assert_eq!(g.fill(&g.nodes["e"]).as_deref(), Some("#fff3e0"));
        assert_eq!(g.fill(&g.nodes["c"]), None);
    }

    /// The shapes issue 17 reports as wrongly rejected: windows folded into the batch, a mask,
    /// a bias table and a scalar loss all count; an unknown `[?]` does not.
    #[test]
    fn window_mask_bias_and_scalar_shapes_pass() {
        let text = "flowchart LR\n    a[\"windows<br/>[B*nW, 49, 96]\"] --> b[\"mask<br/>[nW, 49, 49]\"]\n    c[\"bias<br/>[3, 49, 49]\"] --> b\n    b --> l[\"loss<br/>[]\"]\n";
        let g = Graph::read(text).unwrap();
        let mut out = Vec::new();
        check_shapes(&g, &|_| None, &mut out);
        assert!(out.is_empty(), "{out:?}");
        let g =
            Graph::read("flowchart LR\n    a[\"x<br/>[?]\"] --> b[\"y<br/>[B, 3]\"]\n").unwrap();
        check_shapes(&g, &|_| None, &mut out);
        assert_eq!(out.len(), 1, "{out:?}");
    }
}
