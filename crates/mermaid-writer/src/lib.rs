//! Mermaid flowchart writer whose output always parses in real Mermaid.
//!
//! Language models and hand-written generators break Mermaid in a handful of ways: parentheses or
//! brackets in an unquoted label, a node called `end`, a `"` inside a label, `;` between style
//! properties, a label that happens to contain `direction LR`. This crate builds a flowchart as
//! data ([`Flowchart`]) and renders it with the rules that make every one of those impossible:
//!
//! - every label is quoted (`n_a["…"]`, `-->|"…"|`, `subgraph g_x["…"]`), with `"` written as
//!   `#quot;`, `#` as `#35;` (so nothing can start an entity code), backticks as `#96;` (so no
//!   label opens a markdown string), line breaks as `<br/>` and `direction XX` broken up;
//! - ids are ASCII `[A-Za-z0-9_]` with a fixed prefix (`n_` for nodes, `g_` for subgraphs), so an
//!   id can never be a keyword such as `end`, never start with the `o`/`x` of an edge ending, and a
//!   node id can never equal a subgraph id;
//! - styles are `classDef name fill:#…,stroke:#…` (commas, never `;`), every `subgraph` has its
//!   own `end` line and the first line is `flowchart TB` (or `LR`, …).
//!
//! The rules come from running the real parser (mermaid 12.3.0) on probe diagrams; the tests of
//! `mermaid-gen` feed every diagram this crate writes to that parser.
//!
//! ```
//! use mermaid_writer::{Direction, Flowchart, Shape};
//! let mut f = Flowchart::new(Direction::LR);
//! let x = f.node("x", "输入 [B, 3, 224, 224]", Shape::Stadium);
//! let y = f.node("y", "y = F(x) + x", Shape::Rect);
//! f.edge(&x, &y, Some("Conv 7x7, s=2"));
//! let text = f.render();
//! assert!(text.starts_with("flowchart LR\n"));
//! assert!(text.contains(r#"n_y["y = F(x) + x"]"#));
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// Layout direction written on the first line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    TB,
    LR,
    BT,
    RL,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::TB => "TB",
            Direction::LR => "LR",
            Direction::BT => "BT",
            Direction::RL => "RL",
        }
    }
}

/// Node shapes, each with the delimiters Mermaid's flowchart grammar uses for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    Rect,
    Round,
    Stadium,
    Subroutine,
    Cylinder,
    Circle,
    DoubleCircle,
    Diamond,
    Hexagon,
    Parallelogram,
    Trapezoid,
}

impl Shape {
    fn delimiters(self) -> (&'static str, &'static str) {
        match self {
            Shape::Rect => ("[", "]"),
            Shape::Round => ("(", ")"),
            Shape::Stadium => ("([", "])"),
            Shape::Subroutine => ("[[", "]]"),
            Shape::Cylinder => ("[(", ")]"),
            Shape::Circle => ("((", "))"),
            Shape::DoubleCircle => ("(((", ")))"),
            Shape::Diamond => ("{", "}"),
            Shape::Hexagon => ("{{", "}}"),
            Shape::Parallelogram => ("[/", "/]"),
            Shape::Trapezoid => ("[/", "\\]"),
        }
    }

    /// Parses the shape names used in specs (`rect`, `round`, `stadium`, …).
    pub fn from_name(name: &str) -> Option<Shape> {
        Some(match name {
            "rect" | "box" => Shape::Rect,
            "round" | "rounded" => Shape::Round,
            "stadium" | "pill" => Shape::Stadium,
            "subroutine" => Shape::Subroutine,
            "cylinder" | "database" => Shape::Cylinder,
            "circle" => Shape::Circle,
            "double-circle" => Shape::DoubleCircle,
            "diamond" | "decision" => Shape::Diamond,
            "hexagon" => Shape::Hexagon,
            "parallelogram" => Shape::Parallelogram,
            "trapezoid" => Shape::Trapezoid,
            _ => return None,
        })
    }

    /// Every name [`Shape::from_name`] accepts, for error messages and docs.
    pub const NAMES: &'static [&'static str] = &[
        "rect",
        "round",
        "stadium",
        "subroutine",
        "cylinder",
        "circle",
        "double-circle",
        "diamond",
        "hexagon",
        "parallelogram",
        "trapezoid",
    ];
}

/// Edge strokes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stroke {
    Arrow,
    Dotted,
    Thick,
    Open,
}

/// A node or subgraph id as written in the diagram (already safe).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Id(String);

impl Id {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Clone, Debug)]
enum Item {
    Node {
        id: Id,
        label: String,
        shape: Shape,
    },
    Subgraph {
        id: Id,
        title: String,
        direction: Option<Direction>,
        items: Vec<Item>,
    },
}

#[derive(Clone, Debug)]
struct Edge {
    from: Id,
    to: Id,
    label: Option<String>,
    stroke: Stroke,
}

/// A flowchart under construction. Nodes and subgraphs keep insertion order; edges are written
/// after all nodes, then class definitions and class assignments.
#[derive(Clone, Debug)]
pub struct Flowchart {
    direction: Direction,
    items: Vec<Item>,
    /// Path of subgraph indices currently open (see [`Flowchart::open_subgraph`]).
    open: Vec<usize>,
    edges: Vec<Edge>,
    class_defs: Vec<(String, String)>,
    class_of: BTreeMap<String, Vec<Id>>,
    ids: BTreeMap<String, Id>,
    /// Every id handed out, so no two keys (nor two declarations of one key) ever share one.
    issued: BTreeSet<Id>,
    /// Ids already declared as a node or subgraph.
    declared: BTreeSet<Id>,
}

impl Flowchart {
    pub fn new(direction: Direction) -> Flowchart {
        Flowchart {
            direction,
            items: Vec::new(),
            open: Vec::new(),
            edges: Vec::new(),
            class_defs: Vec::new(),
            class_of: BTreeMap::new(),
            ids: BTreeMap::new(),
            issued: BTreeSet::new(),
            declared: BTreeSet::new(),
        }
    }

    fn fresh_id(&mut self, prefix: &str, key: &str) -> Id {
        let full_key = format!("{prefix}{key}");
        if let Some(id) = self.ids.get(&full_key) {
            return id.clone();
        }
        let id = self.mint(prefix, key);
        self.ids.insert(full_key, id.clone());
        id
    }

    /// A new id for `key`, never issued before: `n_a`, then `n_a_2`, `n_a_3`, … skipping any
    /// suffixed form another key already produced (`a_2` as a key of its own).
    fn mint(&mut self, prefix: &str, key: &str) -> Id {
        let base = format!("{prefix}{}", ascii_id_part(key));
        let mut id = Id(base.clone());
        let mut n = 1;
        while self.issued.contains(&id) {
            n += 1;
            id = Id(format!("{base}_{n}"));
        }
        self.issued.insert(id.clone());
        id
    }

    /// The id for declaring `key`: the one it was referred to by, unless that one is already
    /// declared, in which case a new id (and `key` now refers to the new declaration).
    fn declare(&mut self, prefix: &str, key: &str) -> Id {
        let mut id = self.fresh_id(prefix, key);
        if self.declared.contains(&id) {
            id = self.mint(prefix, key);
            self.ids.insert(format!("{prefix}{key}"), id.clone());
        }
        self.declared.insert(id.clone());
        id
    }

    /// The id a node with this key has (or will get). Keys are any text; ids are safe.
    pub fn node_id(&mut self, key: &str) -> Id {
        self.fresh_id("n_", key)
    }

    fn current_items(&mut self) -> &mut Vec<Item> {
        let mut items = &mut self.items;
        for &i in &self.open {
            match &mut items[i] {
                Item::Subgraph { items: inner, .. } => items = inner,
                Item::Node { .. } => unreachable!("open path points at subgraphs only"),
            }
        }
        items
    }

    /// Adds a node (inside the innermost open subgraph) and returns its id.
    /// Declaring a key twice gives two nodes with different ids: ids are unique by construction.
    pub fn node(&mut self, key: &str, label: &str, shape: Shape) -> Id {
        let id = self.declare("n_", key);
        let label = label.to_string();
        self.current_items().push(Item::Node {
            id: id.clone(),
            label,
            shape,
        });
        id
    }

    /// Opens a subgraph: nodes added until [`Flowchart::close_subgraph`] go inside it.
    /// Opening a key twice gives two subgraphs with different ids (Mermaid would otherwise merge
    /// them into one box).
    pub fn open_subgraph(&mut self, key: &str, title: &str, direction: Option<Direction>) -> Id {
        let id = self.declare("g_", key);
        let items = self.current_items();
        items.push(Item::Subgraph {
            id: id.clone(),
            title: title.to_string(),
            direction,
            items: Vec::new(),
        });
        let index = items.len() - 1;
        self.open.push(index);
        id
    }

    pub fn close_subgraph(&mut self) {
        self.open.pop();
    }

    pub fn edge(&mut self, from: &Id, to: &Id, label: Option<&str>) {
        self.edge_with(from, to, label, Stroke::Arrow);
    }

    pub fn edge_with(&mut self, from: &Id, to: &Id, label: Option<&str>, stroke: Stroke) {
        self.edges.push(Edge {
            from: from.clone(),
            to: to.clone(),
            label: label.map(str::to_string),
            stroke,
        });
    }

    /// Defines a class from `(property, value)` pairs, written with commas.
    pub fn class_def(&mut self, name: &str, props: &[(&str, &str)]) {
        let name = ascii_id_part(name);
        let style = props
            .iter()
            .map(|(k, v)| format!("{}:{}", css_token(k), css_token(v)))
            .collect::<Vec<_>>()
            .join(",");
        self.class_defs.push((name, style));
    }

    pub fn set_class(&mut self, id: &Id, class: &str) {
        self.class_of
            .entry(ascii_id_part(class))
            .or_default()
            .push(id.clone());
    }

    /// The diagram text, ending with a newline.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "flowchart {}", self.direction.as_str());
        render_items(&self.items, 1, &mut out);
        for e in &self.edges {
            let arrow = match e.stroke {
                Stroke::Arrow => "-->",
                Stroke::Dotted => "-.->",
                Stroke::Thick => "==>",
                Stroke::Open => "---",
            };
            match &e.label {
                Some(l) => {
                    let _ = writeln!(
                        out,
                        "    {} {arrow}|\"{}\"| {}",
                        e.from.0,
                        escape_label(l),
                        e.to.0
                    );
                }
                None => {
                    let _ = writeln!(out, "    {} {arrow} {}", e.from.0, e.to.0);
                }
            }
        }
        for (name, style) in &self.class_defs {
            let _ = writeln!(out, "    classDef {name} {style}");
        }
        for (class, ids) in &self.class_of {
            let list = ids.iter().map(|i| i.0.as_str()).collect::<Vec<_>>();
            let _ = writeln!(out, "    class {} {class}", list.join(","));
        }
        out
    }
}

fn render_items(items: &[Item], depth: usize, out: &mut String) {
    let pad = "    ".repeat(depth);
    for item in items {
        match item {
            Item::Node { id, label, shape } => {
                let (open, close) = shape.delimiters();
                let _ = writeln!(out, "{pad}{}{open}\"{}\"{close}", id.0, escape_label(label));
            }
            Item::Subgraph {
                id,
                title,
                direction,
                items,
            } => {
                let _ = writeln!(out, "{pad}subgraph {}[\"{}\"]", id.0, escape_label(title));
                if let Some(d) = direction {
                    let _ = writeln!(out, "{pad}    direction {}", d.as_str());
                }
                render_items(items, depth + 1, out);
                let _ = writeln!(out, "{pad}end");
            }
        }
    }
}

/// Label text made safe for the inside of `"…"` in any Mermaid label position.
///
/// Why each replacement: `"` ends the string token; `#` could start an entity code (`#123;` is
/// decoded before parsing); a backtick right after the opening quote opens a markdown string;
/// `direction TB` anywhere on a line is lexed as a direction statement that swallows the line;
/// a raw newline would split the statement.
pub fn escape_label(text: &str) -> String {
    let text = text.trim();
    if text.is_empty() {
        return " ".to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '`' => out.push_str("#96;"),
            '\r' => {}
            '\n' => out.push_str("<br/>"),
            '\t' => out.push(' '),
            _ => out.push(c),
        }
    }
    break_direction_words(&out)
}

/// Replaces the whitespace after a `direction` followed by TB/BT/RL/LR/TD with a no-break space
/// entity, so the lexer's `.*direction\s+TB` rule cannot match.
fn break_direction_words(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find("direction") {
        let (head, tail) = rest.split_at(pos + "direction".len());
        out.push_str(head);
        let after = tail.trim_start();
        let spaces = tail.len() - after.len();
        if spaces > 0
            && ["TB", "BT", "RL", "LR", "TD"]
                .iter()
                .any(|d| after.starts_with(d))
        {
            out.push_str("#160;");
            rest = after;
        } else {
            rest = tail;
        }
    }
    out.push_str(rest);
    out
}

/// The ASCII id part for any key: letters, digits and `_` kept, everything else as `_` (non-ASCII
/// characters as their hex code, so distinct Chinese keys stay distinct).
pub fn ascii_id_part(key: &str) -> String {
    let mut out = String::new();
    for c in key.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            out.push(c);
        } else if c.is_ascii() {
            out.push('_');
        } else {
            let _ = write!(out, "u{:x}", c as u32);
        }
    }
    if out.is_empty() {
        out.push('_');
    }
    out
}

/// A style property or value with the characters that break a style statement removed:
/// `;` splits statements, `,` splits properties, spaces end the token, `(`/`)` are not lexed
/// in styles.
fn css_token(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, ';' | ',' | '(' | ')' | '"' | '\n' | '\r'))
        .collect::<String>()
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_escape_quotes_hash_backticks_and_direction() {
        assert_eq!(escape_label(r#"say "hi""#), "say #quot;hi#quot;");
        assert_eq!(escape_label("Issue #123; fixed"), "Issue #35;123; fixed");
        assert_eq!(escape_label("`code`"), "#96;code#96;");
        assert_eq!(escape_label("a\nb"), "a<br/>b");
        assert_eq!(
            escape_label("set direction LR here"),
            "set direction#160;LR here"
        );
        assert_eq!(escape_label("directional"), "directional");
        assert_eq!(escape_label("   "), " ");
    }

    #[test]
    fn ids_are_ascii_prefixed_and_unique() {
        let mut f = Flowchart::new(Direction::TB);
        let a = f.node("end", "End", Shape::Rect);
        let b = f.node("残差", "残差", Shape::Rect);
        let c = f.node("a-b", "x", Shape::Rect);
        let d = f.node("a_b", "y", Shape::Rect);
        assert_eq!(a.as_str(), "n_end");
        assert_eq!(b.as_str(), "n_u6b8bu5dee");
        assert_eq!(c.as_str(), "n_a_b");
        assert_eq!(d.as_str(), "n_a_b_2");
        let g = f.open_subgraph("end", "t", None);
        assert_eq!(g.as_str(), "g_end");
        // The same key always maps to the same id.
        assert_eq!(f.node_id("end"), a);
        // A key whose id looks like a suffixed one does not collide with it.
        let e = f.node("a_b_2", "z", Shape::Rect);
        let g = f.node("a-b", "again", Shape::Rect);
        assert_eq!(e.as_str(), "n_a_b_2_2");
        assert_eq!(g.as_str(), "n_a_b_3");
        // Declaring a key again makes a second node, and the key now names it.
        assert_eq!(f.node_id("a-b"), g);
        let s1 = f.open_subgraph("stage", "t", None);
        f.close_subgraph();
        let s2 = f.open_subgraph("stage", "t", None);
        f.close_subgraph();
        assert_eq!((s1.as_str(), s2.as_str()), ("g_stage", "g_stage_2"));
    }

    #[test]
    fn a_node_referred_to_before_it_is_declared_keeps_its_id() {
        let mut f = Flowchart::new(Direction::TB);
        let early = f.node_id("x");
        let x = f.node("x", "X", Shape::Rect);
        assert_eq!(early, x);
    }

    #[test]
    fn render_nests_subgraphs_and_writes_styles_with_commas() {
        let mut f = Flowchart::new(Direction::TB);
        f.open_subgraph("s", "Stage (1)", Some(Direction::LR));
        let a = f.node("a", "A", Shape::Round);
        f.close_subgraph();
        let b = f.node("b", "B", Shape::Diamond);
        f.edge(&a, &b, Some("f(x)"));
        f.class_def("core", &[("fill", "#fff3e0"), ("stroke", "#e65100;")]);
        f.set_class(&a, "core");
        let text = f.render();
        let expected = "flowchart TB\n    subgraph g_s[\"Stage (1)\"]\n        direction LR\n        n_a(\"A\")\n    end\n    n_b{\"B\"}\n    n_a -->|\"f(x)\"| n_b\n    classDef core fill:#fff3e0,stroke:#e65100\n    class n_a core\n";
        assert_eq!(text, expected);
    }
}
