//! The flowchart grammar of `flow.jison` (mermaid 12.3.0) and an Earley recogniser for it.
//!
//! Mermaid runs an LALR(1) parser generated from this grammar; since jison's lexer does not
//! depend on the parser state, a token list is accepted exactly when it is a sentence of the
//! grammar, which is what an Earley recogniser decides. Productions are written as in the
//! grammar file; named aliases such as `NODE_STRING[field]` are the plain terminal.

use std::sync::OnceLock;

use crate::lexer::{TOK_COUNT, Tok, Token};

/// Nonterminals, numbered after the terminals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u16)]
enum N {
    Start = 0,
    Document,
    Line,
    GraphConfig,
    FirstStmtSeparator,
    SpaceList,
    Statement,
    Separator,
    ShapeData,
    VertexStatement,
    Node,
    StyledVertex,
    Vertex,
    Link,
    EdgeText,
    LinkStatement,
    ArrowText,
    Text,
    Keywords,
    TextNoTags,
    ClassDefStatement,
    ClassStatement,
    ClickStatement,
    StyleStatement,
    LinkStyleStatement,
    NumList,
    StylesOpt,
    Style,
    StyleComponent,
    IdStringToken,
    TextToken,
    TextNoTagsToken,
    EdgeTextToken,
    AlphaNumToken,
    IdString,
    AlphaNum,
    Direction,
}

const N_COUNT: usize = N::Direction as usize + 1;

/// A grammar symbol: a terminal (token kind) or a nonterminal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sym {
    T(Tok),
    N(N),
}

struct Grammar {
    prods: Vec<(N, Vec<Sym>)>,
    by_lhs: Vec<Vec<usize>>,
    nullable: Vec<bool>,
}

fn grammar() -> &'static Grammar {
    static G: OnceLock<Grammar> = OnceLock::new();
    G.get_or_init(build)
}

fn build() -> Grammar {
    use N::*;
    use Tok as T;
    let t = Sym::T;
    let n = Sym::N;
    let mut p: Vec<(N, Vec<Sym>)> = Vec::new();
    let mut add = |lhs: N, rhs: Vec<Sym>| p.push((lhs, rhs));

    add(Start, vec![n(GraphConfig), n(Document)]);
    add(Document, vec![]);
    add(Document, vec![n(Document), n(Line)]);
    add(Line, vec![n(Statement)]);
    for tok in [T::Semi, T::Newline, T::Space, T::Eof] {
        add(Line, vec![t(tok)]);
    }
    add(GraphConfig, vec![t(T::Space), n(GraphConfig)]);
    add(GraphConfig, vec![t(T::Newline), n(GraphConfig)]);
    add(GraphConfig, vec![t(T::Graph), t(T::NoDir)]);
    add(
        GraphConfig,
        vec![t(T::Graph), t(T::Dir), n(FirstStmtSeparator)],
    );
    add(FirstStmtSeparator, vec![t(T::Semi)]);
    add(FirstStmtSeparator, vec![t(T::Newline)]);
    add(FirstStmtSeparator, vec![n(SpaceList), t(T::Newline)]);
    add(SpaceList, vec![t(T::Space), n(SpaceList)]);
    add(SpaceList, vec![t(T::Space)]);
    for s in [
        VertexStatement,
        StyleStatement,
        LinkStyleStatement,
        ClassDefStatement,
        ClassStatement,
        ClickStatement,
    ] {
        add(Statement, vec![n(s), n(Separator)]);
    }
    add(
        Statement,
        vec![
            t(T::Subgraph),
            t(T::Space),
            n(TextNoTags),
            t(T::Sqs),
            n(Text),
            t(T::Sqe),
            n(Separator),
            n(Document),
            t(T::End),
        ],
    );
    add(
        Statement,
        vec![
            t(T::Subgraph),
            t(T::Space),
            n(TextNoTags),
            n(Separator),
            n(Document),
            t(T::End),
        ],
    );
    add(
        Statement,
        vec![t(T::Subgraph), n(Separator), n(Document), t(T::End)],
    );
    add(Statement, vec![n(Direction)]);
    add(Statement, vec![t(T::AccTitle), t(T::AccTitleValue)]);
    add(Statement, vec![t(T::AccDescr), t(T::AccDescrValue)]);
    add(Statement, vec![t(T::AccDescrMultilineValue)]);
    for tok in [T::Newline, T::Semi, T::Eof] {
        add(Separator, vec![t(tok)]);
    }
    add(ShapeData, vec![n(ShapeData), t(T::ShapeData)]);
    add(ShapeData, vec![t(T::ShapeData)]);
    let vs = n(VertexStatement);
    add(VertexStatement, vec![vs, n(Link), n(Node), n(ShapeData)]);
    add(
        VertexStatement,
        vec![vs, n(Link), n(Node), n(ShapeData), n(SpaceList)],
    );
    add(VertexStatement, vec![vs, n(Link), n(Node)]);
    add(VertexStatement, vec![vs, n(Link), n(Node), n(SpaceList)]);
    add(VertexStatement, vec![n(Node), n(SpaceList)]);
    add(VertexStatement, vec![n(Node), n(ShapeData)]);
    add(VertexStatement, vec![n(Node), n(ShapeData), n(SpaceList)]);
    add(VertexStatement, vec![n(Node)]);
    add(Node, vec![n(StyledVertex)]);
    add(
        Node,
        vec![
            n(Node),
            n(ShapeData),
            n(SpaceList),
            t(T::Amp),
            n(SpaceList),
            n(StyledVertex),
        ],
    );
    add(
        Node,
        vec![
            n(Node),
            n(SpaceList),
            t(T::Amp),
            n(SpaceList),
            n(StyledVertex),
        ],
    );
    add(StyledVertex, vec![n(Vertex)]);
    add(
        StyledVertex,
        vec![n(Vertex), t(T::StyleSeparator), n(IdString)],
    );
    let id = n(IdString);
    let tx = n(Text);
    for (open, close) in [
        (T::Sqs, T::Sqe),
        (T::DoubleCircleStart, T::DoubleCircleEnd),
        (T::EllipseStart, T::EllipseEnd),
        (T::StadiumStart, T::StadiumEnd),
        (T::SubroutineStart, T::SubroutineEnd),
        (T::CylinderStart, T::CylinderEnd),
        (T::Ps, T::Pe),
        (T::DiamondStart, T::DiamondStop),
        (T::TagEnd, T::Sqe),
        (T::TrapStart, T::TrapEnd),
        (T::InvTrapStart, T::InvTrapEnd),
        (T::TrapStart, T::InvTrapEnd),
        (T::InvTrapStart, T::TrapEnd),
    ] {
        add(Vertex, vec![id, t(open), tx, t(close)]);
    }
    add(Vertex, vec![id, t(T::Ps), t(T::Ps), tx, t(T::Pe), t(T::Pe)]);
    add(
        Vertex,
        vec![
            id,
            t(T::VertexWithPropsStart),
            t(T::NodeString),
            t(T::Colon),
            t(T::NodeString),
            t(T::Pipe),
            tx,
            t(T::Sqe),
        ],
    );
    add(
        Vertex,
        vec![
            id,
            t(T::DiamondStart),
            t(T::DiamondStart),
            tx,
            t(T::DiamondStop),
            t(T::DiamondStop),
        ],
    );
    add(Vertex, vec![id]);
    let ls = n(LinkStatement);
    add(Link, vec![ls, n(ArrowText)]);
    add(Link, vec![ls, n(ArrowText), t(T::Space)]);
    add(Link, vec![ls]);
    add(Link, vec![t(T::StartLink), n(EdgeText), t(T::Link)]);
    add(
        Link,
        vec![t(T::LinkId), t(T::StartLink), n(EdgeText), t(T::Link)],
    );
    add(EdgeText, vec![n(EdgeTextToken)]);
    add(EdgeText, vec![n(EdgeText), n(EdgeTextToken)]);
    add(EdgeText, vec![t(T::Str)]);
    add(EdgeText, vec![t(T::MdStr)]);
    add(LinkStatement, vec![t(T::Link)]);
    add(LinkStatement, vec![t(T::LinkId), t(T::Link)]);
    add(ArrowText, vec![t(T::Pipe), tx, t(T::Pipe)]);
    add(Text, vec![n(TextToken)]);
    add(Text, vec![tx, n(TextToken)]);
    add(Text, vec![t(T::Str)]);
    add(Text, vec![t(T::MdStr)]);
    for k in [
        T::Style,
        T::LinkStyle,
        T::ClassDef,
        T::Class,
        T::Click,
        T::Graph,
        T::Dir,
        T::Subgraph,
        T::End,
        T::Down,
        T::Up,
    ] {
        add(Keywords, vec![t(k)]);
    }
    add(TextNoTags, vec![n(TextNoTagsToken)]);
    add(TextNoTags, vec![n(TextNoTags), n(TextNoTagsToken)]);
    add(TextNoTags, vec![t(T::Str)]);
    add(TextNoTags, vec![t(T::MdStr)]);
    let sp = t(T::Space);
    add(
        ClassDefStatement,
        vec![t(T::ClassDef), sp, id, sp, n(StylesOpt)],
    );
    add(ClassStatement, vec![t(T::Class), sp, id, sp, id]);
    let ck = t(T::Click);
    let st = t(T::Str);
    let cbn = t(T::CallbackName);
    let cba = t(T::CallbackArgs);
    let lt = t(T::LinkTarget);
    let href = t(T::Href);
    let an = n(AlphaNum);
    for rhs in [
        vec![ck, cbn],
        vec![ck, cbn, sp, st],
        vec![ck, cbn, cba],
        vec![ck, cbn, cba, sp, st],
        vec![ck, href, st],
        vec![ck, href, st, sp, st],
        vec![ck, href, st, sp, lt],
        vec![ck, href, st, sp, st, sp, lt],
        vec![ck, an],
        vec![ck, an, sp, st],
        vec![ck, st],
        vec![ck, st, sp, st],
        vec![ck, st, sp, lt],
        vec![ck, st, sp, st, sp, lt],
    ] {
        add(ClickStatement, rhs);
    }
    add(StyleStatement, vec![t(T::Style), sp, id, sp, n(StylesOpt)]);
    let lks = t(T::LinkStyle);
    let def = t(T::Default);
    let nl = n(NumList);
    let so = n(StylesOpt);
    let ip = t(T::Interpolate);
    for rhs in [
        vec![lks, sp, def, sp, so],
        vec![lks, sp, nl, sp, so],
        vec![lks, sp, def, sp, ip, sp, an, sp, so],
        vec![lks, sp, nl, sp, ip, sp, an, sp, so],
        vec![lks, sp, def, sp, ip, sp, an],
        vec![lks, sp, nl, sp, ip, sp, an],
    ] {
        add(LinkStyleStatement, rhs);
    }
    add(NumList, vec![t(T::Num)]);
    add(NumList, vec![nl, t(T::Comma), t(T::Num)]);
    add(StylesOpt, vec![n(Style)]);
    add(StylesOpt, vec![so, t(T::Comma), n(Style)]);
    add(Style, vec![n(StyleComponent)]);
    add(Style, vec![n(Style), n(StyleComponent)]);
    // UNIT and PCT are declared terminals the lexer never returns; leaving them out changes
    // nothing.
    for k in [T::Num, T::NodeString, T::Colon, T::Space, T::Brkt, T::Style] {
        add(StyleComponent, vec![t(k)]);
    }
    for k in [
        T::Num,
        T::NodeString,
        T::Down,
        T::Minus,
        T::Default,
        T::Comma,
        T::Colon,
        T::Amp,
        T::Brkt,
        T::Mult,
        T::UnicodeText,
    ] {
        add(IdStringToken, vec![t(k)]);
    }
    for k in [T::Text, T::TagStart, T::TagEnd, T::UnicodeText] {
        add(TextToken, vec![t(k)]);
    }
    for k in [
        T::Num,
        T::NodeString,
        T::Space,
        T::Minus,
        T::Amp,
        T::UnicodeText,
        T::Colon,
        T::Mult,
        T::Brkt,
        T::StartLink,
    ] {
        add(TextNoTagsToken, vec![t(k)]);
    }
    add(TextNoTagsToken, vec![n(Keywords)]);
    add(EdgeTextToken, vec![t(T::EdgeText)]);
    add(EdgeTextToken, vec![t(T::UnicodeText)]);
    for k in [
        T::Num,
        T::UnicodeText,
        T::NodeString,
        T::Dir,
        T::Down,
        T::Minus,
        T::Comma,
        T::Colon,
        T::Amp,
        T::Brkt,
        T::Mult,
    ] {
        add(AlphaNumToken, vec![t(k)]);
    }
    add(IdString, vec![n(IdStringToken)]);
    add(IdString, vec![id, n(IdStringToken)]);
    add(AlphaNum, vec![n(AlphaNumToken)]);
    add(AlphaNum, vec![an, n(AlphaNumToken)]);
    for k in [
        T::DirectionTb,
        T::DirectionBt,
        T::DirectionRl,
        T::DirectionLr,
        T::DirectionTd,
    ] {
        add(Direction, vec![t(k)]);
    }

    let mut by_lhs = vec![Vec::new(); N_COUNT];
    for (i, (lhs, _)) in p.iter().enumerate() {
        by_lhs[*lhs as usize].push(i);
    }
    let mut nullable = vec![false; N_COUNT];
    loop {
        let mut changed = false;
        for (lhs, rhs) in &p {
            if !nullable[*lhs as usize]
                && rhs.iter().all(|s| match s {
                    Sym::N(x) => nullable[*x as usize],
                    Sym::T(_) => false,
                })
            {
                nullable[*lhs as usize] = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    Grammar {
        prods: p,
        by_lhs,
        nullable,
    }
}

/// Multiply-shift hashing for the item sets: items are small integers, so SipHash's DoS
/// resistance buys nothing here and costs most of the recogniser's time.
#[derive(Default)]
struct ItemHasher(u64);

impl std::hash::Hasher for ItemHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(*b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type ItemSet = std::collections::HashSet<u64, std::hash::BuildHasherDefault<ItemHasher>>;

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Item {
    prod: u16,
    dot: u8,
    origin: u32,
}

/// Where the recogniser stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseFailure {
    /// Index of the first token that cannot continue any parse.
    pub token: usize,
    /// Terminals that would have been accepted there, sorted.
    pub expected: Vec<Tok>,
}

/// Decides whether the token list (ending with `EndOfInput`) is a flowchart.
///
/// All Earley sets live in one item vector (`set_start[k]` marks set k) and, once a set is
/// finished, its items waiting on each nonterminal are indexed in one flat vector, so a whole
/// recognition allocates a handful of vectors instead of several per token.
pub fn recognize(tokens: &[Token]) -> Result<(), ParseFailure> {
    let g = grammar();
    let n_tokens = tokens
        .iter()
        .position(|t| t.kind == Tok::EndOfInput)
        .unwrap_or(tokens.len());
    let key =
        |it: &Item| (u64::from(it.prod) << 40) | (u64::from(it.dot) << 32) | u64::from(it.origin);
    let next_sym = |it: &Item| g.prods[it.prod as usize].1.get(it.dot as usize).copied();
    let mut items: Vec<Item> = Vec::with_capacity(64 * (n_tokens + 1));
    let mut set_start: Vec<usize> = Vec::with_capacity(n_tokens + 2);
    let mut wait_idx: Vec<u32> = Vec::with_capacity(16 * (n_tokens + 1));
    let mut wait_start: Vec<[u32; N_COUNT + 1]> = Vec::with_capacity(n_tokens + 1);
    let mut seen = ItemSet::default();
    set_start.push(0);
    for &p in &g.by_lhs[N::Start as usize] {
        items.push(Item {
            prod: p as u16,
            dot: 0,
            origin: 0,
        });
    }
    for k in 0..=n_tokens {
        let start = set_start[k];
        seen.clear();
        for it in &items[start..] {
            seen.insert(key(it));
        }
        let mut predicted = [false; N_COUNT];
        let mut i = start;
        while i < items.len() {
            let it = items[i];
            i += 1;
            match next_sym(&it) {
                Some(Sym::N(x)) => {
                    if !predicted[x as usize] {
                        predicted[x as usize] = true;
                        // A dot-0 item of set k can only come from this prediction (each
                        // production has one left side, scans and completions have dot >= 1),
                        // so it needs no duplicate check.
                        for &p in &g.by_lhs[x as usize] {
                            items.push(Item {
                                prod: p as u16,
                                dot: 0,
                                origin: k as u32,
                            });
                        }
                    }
                    if g.nullable[x as usize] {
                        let new = Item {
                            dot: it.dot + 1,
                            ..it
                        };
                        if seen.insert(key(&new)) {
                            items.push(new);
                        }
                    }
                }
                Some(Sym::T(_)) => {}
                None => {
                    let lhs = g.prods[it.prod as usize].0;
                    let origin = it.origin as usize;
                    if origin < k {
                        let x = lhs as usize;
                        let range =
                            wait_start[origin][x] as usize..wait_start[origin][x + 1] as usize;
                        for r in range {
                            let parent = items[wait_idx[r] as usize];
                            let new = Item {
                                dot: parent.dot + 1,
                                ..parent
                            };
                            if seen.insert(key(&new)) {
                                items.push(new);
                            }
                        }
                    } else {
                        let mut j = start;
                        while j < items.len() {
                            let parent = items[j];
                            j += 1;
                            if next_sym(&parent) == Some(Sym::N(lhs)) {
                                let new = Item {
                                    dot: parent.dot + 1,
                                    ..parent
                                };
                                if seen.insert(key(&new)) {
                                    items.push(new);
                                }
                            }
                        }
                    }
                }
            }
        }
        // Index the finished set by the nonterminal each item waits on (counting sort).
        let mut counts = [0u32; N_COUNT + 1];
        for it in &items[start..] {
            if let Some(Sym::N(x)) = next_sym(it) {
                counts[x as usize + 1] += 1;
            }
        }
        let base = wait_idx.len() as u32;
        let mut offsets = [0u32; N_COUNT + 1];
        offsets[0] = base;
        for x in 0..N_COUNT {
            offsets[x + 1] = offsets[x] + counts[x + 1];
        }
        wait_idx.resize(offsets[N_COUNT] as usize, 0);
        let mut fill = offsets;
        for (j, it) in items[start..].iter().enumerate() {
            if let Some(Sym::N(x)) = next_sym(it) {
                wait_idx[fill[x as usize] as usize] = (start + j) as u32;
                fill[x as usize] += 1;
            }
        }
        wait_start.push(offsets);
        if k == n_tokens {
            break;
        }
        let tok = Sym::T(tokens[k].kind);
        let end = items.len();
        set_start.push(end);
        for j in start..end {
            let it = items[j];
            if next_sym(&it) == Some(tok) {
                items.push(Item {
                    dot: it.dot + 1,
                    ..it
                });
            }
        }
        if items.len() == end {
            return Err(ParseFailure {
                token: k,
                expected: expected_at(&items[start..end]),
            });
        }
    }
    let last = &items[set_start[n_tokens]..];
    let accepted = last.iter().any(|it| {
        let (lhs, rhs) = &g.prods[it.prod as usize];
        *lhs == N::Start && it.origin == 0 && it.dot as usize == rhs.len()
    });
    if accepted {
        Ok(())
    } else {
        Err(ParseFailure {
            token: n_tokens,
            expected: expected_at(last),
        })
    }
}

fn expected_at(set: &[Item]) -> Vec<Tok> {
    let g = grammar();
    let mut seen = [false; TOK_COUNT];
    for it in set {
        if let Some(Sym::T(t)) = g.prods[it.prod as usize].1.get(it.dot as usize) {
            seen[*t as usize] = true;
        }
    }
    let mut out: Vec<Tok> = Vec::new();
    for it in set {
        if let Some(Sym::T(t)) = g.prods[it.prod as usize].1.get(it.dot as usize)
            && seen[*t as usize]
        {
            seen[*t as usize] = false;
            out.push(*t);
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexer::tokenize;

    fn ok(s: &str) -> bool {
        let c: Vec<char> = s.chars().collect();
        let (t, e) = tokenize(&c);
        e.is_none() && recognize(&t).is_ok()
    }

    #[test]
    fn accepts_the_basics() {
        assert!(ok("flowchart TB\nA --> B\n"));
        assert!(ok("graph LR;\nA[\"x (y)\"] -->|\"f(x)\"| B{z}\n"));
        assert!(ok("flowchart TB\nsubgraph S [t]\nA\nend\n"));
        assert!(ok("flowchart TB\nA & B --> C & D\n"));
        assert!(ok("flowchart TB\nA -- text --> B\n"));
        assert!(ok(
            "flowchart TB\nclassDef x fill:#f00,stroke:#0f0\nclass A,B x\n"
        ));
    }

    #[test]
    fn rejects_the_classics() {
        assert!(!ok("flowchart TB\nO[y = F(x) + x]\n"));
        assert!(!ok("flowchart TB\nA --> end\n"));
        assert!(!ok("flowchart TB\nsubgraph X\nA\n"));
        assert!(!ok("flowchart TB\nmy node --> B\n"));
        assert!(!ok("flowchart TB\nA[\"x\"]::cls\n"));
    }
}
