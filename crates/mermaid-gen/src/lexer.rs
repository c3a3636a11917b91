//! Mermaid's flowchart lexer (`flow.jison`, as compiled into mermaid 12.3.0), rule by rule.
//!
//! Jison's default lexer is not "longest match": in the current start condition it tries the
//! rules in file order and takes the first one that matches. Start conditions form a stack
//! (`pushState`/`begin` push, `popState` pops but never below INITIAL). The rule numbers below
//! are the indices of the compiled rule table, so each can be compared with the original.

use crate::preprocess::{is_js_space, is_js_word, is_line_terminator};
use crate::unicode::is_unicode_text;

/// Token kinds: the terminals of the flowchart grammar, plus the few the lexer can return that
/// no grammar rule uses (`Sep`, `Quote`), which therefore always end in a parse error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tok {
    Semi,
    Newline,
    Space,
    Eof,
    Graph,
    NoDir,
    Dir,
    Subgraph,
    Sqs,
    Sqe,
    End,
    AccTitle,
    AccTitleValue,
    AccDescr,
    AccDescrValue,
    AccDescrMultilineValue,
    ShapeData,
    Amp,
    StyleSeparator,
    DoubleCircleStart,
    DoubleCircleEnd,
    Ps,
    Pe,
    EllipseStart,
    EllipseEnd,
    StadiumStart,
    StadiumEnd,
    SubroutineStart,
    SubroutineEnd,
    VertexWithPropsStart,
    Colon,
    Pipe,
    CylinderStart,
    CylinderEnd,
    DiamondStart,
    DiamondStop,
    TagEnd,
    TrapStart,
    TrapEnd,
    InvTrapStart,
    InvTrapEnd,
    StartLink,
    Link,
    LinkId,
    Str,
    MdStr,
    Style,
    LinkStyle,
    ClassDef,
    Class,
    Click,
    Down,
    Up,
    CallbackName,
    CallbackArgs,
    Href,
    LinkTarget,
    Default,
    Interpolate,
    Num,
    Comma,
    NodeString,
    Brkt,
    Minus,
    Mult,
    UnicodeText,
    Text,
    TagStart,
    EdgeText,
    DirectionTb,
    DirectionBt,
    DirectionRl,
    DirectionLr,
    DirectionTd,
    Sep,
    Quote,
    /// Jison's `$end`, returned once the input is exhausted.
    EndOfInput,
}

/// Number of token kinds (for tables indexed by `Tok as usize`).
pub const TOK_COUNT: usize = Tok::EndOfInput as usize + 1;

impl Tok {
    /// The name Mermaid's error messages use for this token.
    pub fn mermaid_name(self) -> &'static str {
        use Tok::*;
        match self {
            Semi => "SEMI",
            Newline => "NEWLINE",
            Space => "SPACE",
            Eof => "EOF",
            Graph => "GRAPH",
            NoDir => "NODIR",
            Dir => "DIR",
            Subgraph => "subgraph",
            Sqs => "SQS",
            Sqe => "SQE",
            End => "end",
            AccTitle => "acc_title",
            AccTitleValue => "acc_title_value",
            AccDescr => "acc_descr",
            AccDescrValue => "acc_descr_value",
            AccDescrMultilineValue => "acc_descr_multiline_value",
            ShapeData => "SHAPE_DATA",
            Amp => "AMP",
            StyleSeparator => "STYLE_SEPARATOR",
            DoubleCircleStart => "DOUBLECIRCLESTART",
            DoubleCircleEnd => "DOUBLECIRCLEEND",
            Ps => "PS",
            Pe => "PE",
            EllipseStart => "(-",
            EllipseEnd => "-)",
            StadiumStart => "STADIUMSTART",
            StadiumEnd => "STADIUMEND",
            SubroutineStart => "SUBROUTINESTART",
            SubroutineEnd => "SUBROUTINEEND",
            VertexWithPropsStart => "VERTEX_WITH_PROPS_START",
            Colon => "COLON",
            Pipe => "PIPE",
            CylinderStart => "CYLINDERSTART",
            CylinderEnd => "CYLINDEREND",
            DiamondStart => "DIAMOND_START",
            DiamondStop => "DIAMOND_STOP",
            TagEnd => "TAGEND",
            TrapStart => "TRAPSTART",
            TrapEnd => "TRAPEND",
            InvTrapStart => "INVTRAPSTART",
            InvTrapEnd => "INVTRAPEND",
            StartLink => "START_LINK",
            Link => "LINK",
            LinkId => "LINK_ID",
            Str => "STR",
            MdStr => "MD_STR",
            Style => "STYLE",
            LinkStyle => "LINKSTYLE",
            ClassDef => "CLASSDEF",
            Class => "CLASS",
            Click => "CLICK",
            Down => "DOWN",
            Up => "UP",
            CallbackName => "CALLBACKNAME",
            CallbackArgs => "CALLBACKARGS",
            Href => "HREF",
            LinkTarget => "LINK_TARGET",
            Default => "DEFAULT",
            Interpolate => "INTERPOLATE",
            Num => "NUM",
            Comma => "COMMA",
            NodeString => "NODE_STRING",
            Brkt => "BRKT",
            Minus => "MINUS",
            Mult => "MULT",
            UnicodeText => "UNICODE_TEXT",
            Text => "TEXT",
            TagStart => "TAGSTART",
            EdgeText => "EDGE_TEXT",
            DirectionTb => "direction_tb",
            DirectionBt => "direction_bt",
            DirectionRl => "direction_rl",
            DirectionLr => "direction_lr",
            DirectionTd => "direction_td",
            Sep => "SEP",
            Quote => "QUOTE",
            EndOfInput => "1",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Initial,
    Str,
    MdStr,
    AccTitle,
    AccDescr,
    AccDescrMultiline,
    Dir,
    Vertex,
    Text,
    EllipseText,
    TrapText,
    EdgeText,
    ThickEdgeText,
    DottedEdgeText,
    Click,
    Href,
    CallbackName,
    CallbackArgs,
    ShapeData,
    ShapeDataStr,
    ShapeDataEndBracket,
}

/// Rules every exclusive state shares (string and markdown-string openers, `~~~` links and the
/// shape/label openers: `<*>` rules in the grammar).
const TAIL: &[u8] = &[21, 24, 79, 82, 84, 86, 90, 92, 96, 97, 110, 112, 114, 116];

const INITIAL_RULES: &[u8] = &[
    0, 2, 4, 7, 13, 21, 24, 25, 26, 27, 28, 29, 30, 31, 32, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44,
    56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 73, 74, 76, 77, 79, 82, 84, 86,
    87, 88, 90, 92, 96, 97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 110, 112, 114,
    116, 118, 119, 120, 121,
];

const TEXT_RULES: &[u8] = &[
    21, 24, 79, 82, 83, 84, 85, 86, 89, 90, 91, 92, 96, 97, 109, 110, 111, 112, 113, 114, 115, 116,
    117,
];

fn rules_for(state: State) -> Vec<u8> {
    let own: &[u8] = match state {
        State::Initial => return INITIAL_RULES.to_vec(),
        State::Text => return TEXT_RULES.to_vec(),
        State::Str => &[22, 23],
        State::MdStr => &[19, 20],
        State::AccTitle => &[1],
        State::AccDescr => &[3],
        State::AccDescrMultiline => &[5, 6],
        State::Dir => &[45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55],
        State::Vertex | State::Href | State::ShapeDataEndBracket => &[],
        State::EllipseText => &[80, 81],
        State::TrapText => &[93, 94, 95],
        State::EdgeText => &[70, 72],
        State::ThickEdgeText => &[73, 75],
        State::DottedEdgeText => &[76, 78],
        State::Click => &[33, 34],
        State::CallbackName => &[14, 15, 16],
        State::CallbackArgs => &[17, 18],
        State::ShapeData => &[8, 11, 12],
        State::ShapeDataStr => &[9, 10],
    };
    let mut v: Vec<u8> = own.iter().chain(TAIL.iter()).copied().collect();
    v.sort_unstable();
    v
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: Tok,
    /// Character range in the preprocessed text.
    pub start: usize,
    pub end: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LexError {
    /// Character position where no rule matched.
    pub pos: usize,
}

struct Lexer<'a> {
    c: &'a [char],
    /// `has_direction[i]`: the word `direction` starts somewhere in `i..end of line`, so the
    /// `.*direction…` rules are only tried where they can match.
    has_direction: Vec<bool>,
    /// `edge_id[i]`: the length of rule 61's match at `i` (an edge id up to the last `@` of
    /// the run of id characters), computed in one pass: scanning the run at every position
    /// was quadratic on a one-line chain of 8k nodes (24 s).
    edge_id: Vec<Option<usize>>,
    stack: Vec<State>,
    first_graph: bool,
}

const ALL_STATES: [State; 21] = [
    State::Initial,
    State::Str,
    State::MdStr,
    State::AccTitle,
    State::AccDescr,
    State::AccDescrMultiline,
    State::Dir,
    State::Vertex,
    State::Text,
    State::EllipseText,
    State::TrapText,
    State::EdgeText,
    State::ThickEdgeText,
    State::DottedEdgeText,
    State::Click,
    State::Href,
    State::CallbackName,
    State::CallbackArgs,
    State::ShapeData,
    State::ShapeDataStr,
    State::ShapeDataEndBracket,
];

/// The rule list of every start condition, computed once.
fn rule_table(s: State) -> &'static [u8] {
    static TABLE: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
    let t = TABLE.get_or_init(|| ALL_STATES.iter().map(|s| rules_for(*s)).collect());
    &t[s as usize]
}

impl<'a> Lexer<'a> {
    fn at(&self, i: usize) -> Option<char> {
        self.c.get(i).copied()
    }

    fn lit(&self, i: usize, s: &str) -> Option<usize> {
        let mut j = i;
        for ch in s.chars() {
            if self.at(j) != Some(ch) {
                return None;
            }
            j += 1;
        }
        Some(j - i)
    }

    /// A keyword followed by a word boundary (`\b` after a word character).
    fn kw(&self, i: usize, s: &str) -> Option<usize> {
        let n = self.lit(i, s)?;
        match self.at(i + n) {
            Some(ch) if is_js_word(ch) => None,
            _ => Some(n),
        }
    }

    fn ws(&self, i: usize) -> usize {
        let mut j = i;
        while self.at(j).is_some_and(is_js_space) {
            j += 1;
        }
        j - i
    }

    fn run(&self, i: usize, pred: impl Fn(char) -> bool) -> usize {
        let mut j = i;
        while self.at(j).is_some_and(&pred) {
            j += 1;
        }
        j - i
    }

    fn one(&self, i: usize, pred: impl Fn(char) -> bool) -> Option<usize> {
        self.at(i).filter(|c| pred(*c)).map(|_| 1)
    }

    fn plus(&self, i: usize, pred: impl Fn(char) -> bool) -> Option<usize> {
        let n = self.run(i, pred);
        (n > 0).then_some(n)
    }

    /// `\s*[xo<]?` followed by `body` (which returns its own length or None), then `\s*`.
    fn link_like(&self, i: usize, body: impl Fn(usize) -> Option<usize>) -> Option<usize> {
        let s = self.ws(i);
        let p = i + s;
        let with_prefix = if self.at(p).is_some_and(|c| matches!(c, 'x' | 'o' | '<')) {
            body(p + 1).map(|n| 1 + n)
        } else {
            None
        };
        let core = with_prefix.or_else(|| body(p))?;
        let e = p + core;
        Some(e + self.ws(e) - i)
    }

    /// `X X+[X xo>]` for a stroke character X (`--+[-xo>]`, `==+[=xo>]`): at least two strokes,
    /// then an arrowhead or a third stroke.
    fn stroke_run(&self, p: usize, stroke: char) -> Option<usize> {
        let n = self.run(p, |ch| ch == stroke);
        if n < 2 {
            return None;
        }
        if self.at(p + n).is_some_and(|x| matches!(x, 'x' | 'o' | '>')) {
            Some(n + 1)
        } else if n >= 3 {
            Some(n)
        } else {
            None
        }
    }

    /// `.*direction\s+XX[^\n]*`
    fn direction(&self, i: usize, dir: &str) -> Option<usize> {
        let mut eol = i;
        while self.at(eol).is_some_and(|c| !is_line_terminator(c)) {
            eol += 1;
        }
        let mut p = eol;
        while p > i {
            p -= 1;
            if self.lit(p, "direction").is_some() {
                let after = p + 9;
                let s = self.ws(after);
                if s > 0 && self.lit(after + s, dir).is_some() {
                    let mut e = after + s + dir.len();
                    while self.at(e).is_some_and(|c| c != '\n') {
                        e += 1;
                    }
                    return Some(e - i);
                }
            }
        }
        None
    }

    fn rule(&self, r: u8, i: usize) -> Option<usize> {
        let c = |j: usize| self.at(j);
        match r {
            0 | 2 | 4 => {
                let kw = if r == 0 { "accTitle" } else { "accDescr" };
                let n = self.lit(i, kw)?;
                let s = self.ws(i + n);
                let sep = if r == 4 { '{' } else { ':' };
                (c(i + n + s) == Some(sep)).then_some(())?;
                let e = i + n + s + 1;
                Some(e + self.ws(e) - i)
            }
            1 | 3 => Some(self.run(i, |ch| ch != '\n')),
            5 => self.lit(i, "}"),
            6 => Some(self.run(i, |ch| ch != '}')),
            7 => self.lit(i, "@{"),
            8 | 9 | 23 | 24 | 118 => self.lit(i, "\""),
            10 | 22 => self.plus(i, |ch| ch != '"'),
            11 => self.plus(i, |ch| !matches!(ch, '}' | '^' | '"')),
            12 => self.lit(i, "}"),
            13 => {
                let n = self.lit(i, "call")?;
                let s = self.ws(i + n);
                (s > 0).then_some(n + s)
            }
            14 => {
                self.lit(i, "(")?;
                let s = self.ws(i + 1);
                self.lit(i + 1 + s, ")").map(|_| s + 2)
            }
            15 => self.lit(i, "("),
            16 => Some(self.run(i, |ch| ch != '(')),
            17 => self.lit(i, ")"),
            18 => Some(self.run(i, |ch| ch != ')')),
            19 => self.plus(i, |ch| ch != '`' && ch != '"'),
            20 => self.lit(i, "`\""),
            21 => self.lit(i, "\"`"),
            25 => self.kw(i, "style"),
            26 => self.kw(i, "default"),
            27 => self.kw(i, "linkStyle"),
            28 => self.kw(i, "interpolate"),
            29 => self.kw(i, "classDef"),
            30 => self.kw(i, "class"),
            31 => {
                let n = self.lit(i, "href")?;
                self.one(i + n, is_js_space).map(|_| n + 1)
            }
            32 => {
                let n = self.lit(i, "click")?;
                let s = self.ws(i + n);
                (s > 0).then_some(n + s)
            }
            33 => self.one(i, is_js_space),
            34 => Some(self.run(i, |ch| !is_js_space(ch))),
            35 => self.kw(i, "flowchart-elk"),
            36 => self.kw(i, "swimlane-beta"),
            37 => self.kw(i, "graph"),
            38 => self.kw(i, "flowchart"),
            39 => self.kw(i, "subgraph"),
            40 => {
                let n = self.kw(i, "end")?;
                Some(n + self.ws(i + n))
            }
            41 => self.kw(i, "_self"),
            42 => self.kw(i, "_blank"),
            43 => self.kw(i, "_parent"),
            44 => self.kw(i, "_top"),
            45 => {
                let s = self.ws(i);
                (i..i + s)
                    .rev()
                    .find(|&j| c(j) == Some('\n'))
                    .map(|j| j + 1 - i)
            }
            46..=51 => {
                let d = ["LR", "RL", "TB", "BT", "TD", "BR"][(r - 46) as usize];
                let s = self.ws(i);
                self.kw(i + s, d).map(|n| s + n)
            }
            52..=54 => {
                let d = ["<", ">", "^"][(r - 52) as usize];
                let s = self.ws(i);
                self.lit(i + s, d).map(|n| s + n)
            }
            55 => {
                let s = self.ws(i);
                self.kw(i + s, "v").map(|n| s + n)
            }
            56..=60 if !self.has_direction.get(i).copied().unwrap_or(false) => None,
            56..=60 => self.direction(i, ["TB", "BT", "RL", "LR", "TD"][(r - 56) as usize]),
            61 => self.edge_id.get(i).copied().flatten(),
            62 => self.plus(i, |ch| ch.is_ascii_digit()),
            63 | 104 => self.lit(i, "#"),
            64 => self.lit(i, ":::"),
            65 => self.lit(i, ":"),
            66 | 105 => self.lit(i, "&"),
            67 => self.lit(i, ";"),
            68 => self.lit(i, ","),
            69 | 103 => self.lit(i, "*"),
            70 => self.link_like(i, |p| self.stroke_run(p, '-')),
            71 => self.link_like(i, |p| self.lit(p, "--")),
            72 => match c(i)? {
                '-' => (c(i + 1) != Some('-')).then_some(1),
                _ => Some(1),
            },
            73 => self.link_like(i, |p| self.stroke_run(p, '=')),
            74 => self.link_like(i, |p| self.lit(p, "==")),
            75 => self.one(i, |ch| ch != '='),
            76 => self.link_like(i, |p| {
                // -?\.+-[xo>]?
                let mut q = p;
                if c(q) == Some('-') {
                    q += 1;
                }
                let dots = self.run(q, |ch| ch == '.');
                let try_from = |q: usize, dots: usize| -> Option<usize> {
                    if dots == 0 || c(q + dots) != Some('-') {
                        return None;
                    }
                    let mut e = q + dots + 1;
                    if c(e).is_some_and(|x| matches!(x, 'x' | 'o' | '>')) {
                        e += 1;
                    }
                    Some(e - p)
                };
                try_from(q, dots).or_else(|| {
                    // Without the optional leading `-`.
                    if q != p {
                        try_from(p, self.run(p, |ch| ch == '.'))
                    } else {
                        None
                    }
                })
            }),
            77 => self.link_like(i, |p| self.lit(p, "-.")),
            78 => self.one(i, |ch| ch != '.'),
            79 => {
                let s = self.ws(i);
                let n = self.lit(i + s, "~~")?;
                let t = self.plus(i + s + n, |ch| ch == '~')?;
                let e = i + s + n + t;
                Some(e + self.ws(e) - i)
            }
            80 => (c(i).is_some_and(|x| matches!(x, '-' | '/' | ')')) && c(i + 1) == Some(')'))
                .then_some(2),
            81 => self.one(i, |ch| !matches!(ch, '(' | ')' | '[' | ']' | '{' | '}')),
            82 => self.lit(i, "(-"),
            83 => self.lit(i, "])"),
            84 => self.lit(i, "(["),
            85 => self.lit(i, "]]"),
            86 => self.lit(i, "[["),
            87 => self.lit(i, "[|"),
            88 | 99 => self.lit(i, ">"),
            89 => self.lit(i, ")]"),
            90 => self.lit(i, "[("),
            91 => self.lit(i, ")))"),
            92 => self.lit(i, "((("),
            93 => (c(i).is_some_and(|x| matches!(x, '\\' | '(' | '?' | '=' | ']'))
                && c(i + 1) == Some(']'))
            .then_some(2),
            94 => self.lit(i, "/]"),
            95 => match c(i)? {
                '/' | '\\' => (c(i + 1) != Some(']')).then_some(1),
                _ => self.plus(i, |ch| {
                    !matches!(ch, '\\' | '[' | ']' | '(' | ')' | '{' | '}' | '/')
                }),
            },
            96 => self.lit(i, "[/"),
            97 => self.lit(i, "[\\"),
            98 => self.lit(i, "<"),
            100 => self.lit(i, "^"),
            101 => self.lit(i, "\\|"),
            102 => self.kw(i, "v"),
            106 => {
                let mut j = i;
                loop {
                    match c(j) {
                        Some(ch)
                            if ch.is_ascii_alphanumeric()
                                || matches!(
                                    ch,
                                    '!' | '"'
                                        | '#'
                                        | '$'
                                        | '%'
                                        | '&'
                                        | '\''
                                        | '*'
                                        | '+'
                                        | '.'
                                        | '`'
                                        | '?'
                                        | '\\'
                                        | '_'
                                        | '/'
                                ) =>
                        {
                            j += 1
                        }
                        Some('-') if c(j + 1).is_some_and(|x| !matches!(x, '>' | '-' | '.')) => {
                            j += 1
                        }
                        _ => break,
                    }
                }
                (j > i).then_some(j - i)
            }
            107 => self.lit(i, "-"),
            108 => self.one(i, is_unicode_text),
            109 | 110 => self.lit(i, "|"),
            111 => self.lit(i, ")"),
            112 => self.lit(i, "("),
            113 => self.lit(i, "]"),
            114 => self.lit(i, "["),
            115 => self.lit(i, "}"),
            116 => self.lit(i, "{"),
            117 => self.plus(i, |ch| {
                !matches!(ch, '[' | ']' | '(' | ')' | '{' | '}' | '|' | '"')
            }),
            119 => {
                let mut j = i;
                loop {
                    if c(j) == Some('\n') {
                        j += 1;
                    } else if c(j) == Some('\r') && c(j + 1) == Some('\n') {
                        j += 2;
                    } else {
                        break;
                    }
                }
                (j > i).then_some(j - i)
            }
            120 => self.plus(i, |ch| is_js_space(ch) && ch != '\n' && ch != '\r'),
            121 => (i == self.c.len()).then_some(0),
            _ => None,
        }
    }

    fn push(&mut self, s: State) {
        self.stack.push(s);
    }

    fn pop(&mut self) {
        if self.stack.len() > 1 {
            self.stack.pop();
        }
    }

    /// Runs the action of rule `r`; returns the token it produces, if any.
    fn action(&mut self, r: u8) -> Option<Tok> {
        use Tok::*;
        Some(match r {
            0 => {
                self.push(State::AccTitle);
                AccTitle
            }
            1 => {
                self.pop();
                AccTitleValue
            }
            2 => {
                self.push(State::AccDescr);
                AccDescr
            }
            3 => {
                self.pop();
                AccDescrValue
            }
            4 => {
                self.push(State::AccDescrMultiline);
                return None;
            }
            5 | 12 | 14 | 17 | 20 | 23 | 33 => {
                self.pop();
                return None;
            }
            6 => AccDescrMultilineValue,
            7 => {
                self.push(State::ShapeData);
                ShapeData
            }
            8 => {
                self.push(State::ShapeDataStr);
                ShapeData
            }
            9 => {
                self.pop();
                ShapeData
            }
            10 | 11 => ShapeData,
            13 => {
                self.push(State::CallbackName);
                return None;
            }
            15 => {
                self.pop();
                self.push(State::CallbackArgs);
                return None;
            }
            16 => CallbackName,
            18 => CallbackArgs,
            19 => MdStr,
            21 => {
                self.push(State::MdStr);
                return None;
            }
            22 => Str,
            24 => {
                self.push(State::Str);
                return None;
            }
            25 => Style,
            26 => Default,
            27 => LinkStyle,
            28 => Interpolate,
            29 => ClassDef,
            30 => Class,
            31 => Href,
            32 => {
                self.push(State::Click);
                return None;
            }
            34 => Click,
            35..=38 => {
                if self.first_graph {
                    self.first_graph = false;
                    self.push(State::Dir);
                }
                Graph
            }
            39 => Subgraph,
            40 => End,
            41..=44 => LinkTarget,
            45 => {
                self.pop();
                NoDir
            }
            46..=55 => {
                self.pop();
                Dir
            }
            56 => DirectionTb,
            57 => DirectionBt,
            58 => DirectionRl,
            59 => DirectionLr,
            60 => DirectionTd,
            61 => LinkId,
            62 => Num,
            63 | 104 => Brkt,
            64 => StyleSeparator,
            65 => Colon,
            66 | 105 => Amp,
            67 => Semi,
            68 => Comma,
            69 | 103 => Mult,
            70 | 73 | 76 => {
                self.pop();
                Link
            }
            71 => {
                self.push(State::EdgeText);
                StartLink
            }
            74 => {
                self.push(State::ThickEdgeText);
                StartLink
            }
            77 => {
                self.push(State::DottedEdgeText);
                StartLink
            }
            72 | 75 | 78 => EdgeText,
            79 => Link,
            80 => {
                self.pop();
                EllipseEnd
            }
            81 | 95 | 117 => Text,
            82 => {
                self.push(State::EllipseText);
                EllipseStart
            }
            83 => {
                self.pop();
                StadiumEnd
            }
            84 => {
                self.push(State::Text);
                StadiumStart
            }
            85 => {
                self.pop();
                SubroutineEnd
            }
            86 => {
                self.push(State::Text);
                SubroutineStart
            }
            87 => VertexWithPropsStart,
            88 => {
                self.push(State::Text);
                TagEnd
            }
            89 => {
                self.pop();
                CylinderEnd
            }
            90 => {
                self.push(State::Text);
                CylinderStart
            }
            91 => {
                self.pop();
                DoubleCircleEnd
            }
            92 => {
                self.push(State::Text);
                DoubleCircleStart
            }
            93 => {
                self.pop();
                TrapEnd
            }
            94 => {
                self.pop();
                InvTrapEnd
            }
            96 => {
                self.push(State::TrapText);
                TrapStart
            }
            97 => {
                self.push(State::TrapText);
                InvTrapStart
            }
            98 => TagStart,
            99 => TagEnd,
            100 => Up,
            101 => Sep,
            102 => Down,
            106 => NodeString,
            107 => Minus,
            108 => UnicodeText,
            109 => {
                self.pop();
                Pipe
            }
            110 => {
                self.push(State::Text);
                Pipe
            }
            111 => {
                self.pop();
                Pe
            }
            112 => {
                self.push(State::Text);
                Ps
            }
            113 => {
                self.pop();
                Sqe
            }
            114 => {
                self.push(State::Text);
                Sqs
            }
            115 => {
                self.pop();
                DiamondStop
            }
            116 => {
                self.push(State::Text);
                DiamondStart
            }
            118 => Quote,
            119 => Newline,
            120 => Space,
            121 => Eof,
            _ => return None,
        })
    }
}

/// Tokenises preprocessed flowchart text. The token list ends with `EndOfInput`; a lexical
/// error (no rule matches) stops it, and the tokens before it are returned too.
pub fn tokenize(c: &[char]) -> (Vec<Token>, Option<LexError>) {
    let mut has_direction = vec![false; c.len() + 1];
    for i in (0..c.len()).rev() {
        has_direction[i] = if is_line_terminator(c[i]) {
            false
        } else {
            has_direction[i + 1]
                || c[i..].starts_with(&['d', 'i', 'r', 'e', 'c', 't', 'i', 'o', 'n'])
        };
    }
    // Rule 61, `[^\s"\[\](){}|]+@` not followed by `{` or `"`: the longest match at `i` ends
    // after the last such `@` in `i+1..` within the run of id characters holding `i`.
    let id_char =
        |ch: char| !is_js_space(ch) && !matches!(ch, '"' | '[' | ']' | '(' | ')' | '{' | '}' | '|');
    let mut edge_id = vec![None; c.len() + 1];
    let mut last_at: Option<usize> = None;
    for i in (0..c.len()).rev() {
        if !id_char(c[i]) {
            last_at = None;
            continue;
        }
        edge_id[i] = last_at.map(|p| p + 1 - i);
        let qualifies = c[i] == '@' && c.get(i + 1).is_some_and(|&x| x != '{' && x != '"');
        if qualifies && last_at.is_none() {
            last_at = Some(i);
        }
    }
    let mut lx = Lexer {
        c,
        has_direction,
        edge_id,
        stack: vec![State::Initial],
        first_graph: true,
    };
    let mut out = Vec::new();
    let mut pos = 0;
    let mut done = false;
    let mut idle = 0;
    loop {
        if done {
            out.push(Token {
                kind: Tok::EndOfInput,
                start: pos,
                end: pos,
            });
            return (out, None);
        }
        if pos >= c.len() {
            done = true;
        }
        let state = *lx.stack.last().unwrap_or(&State::Initial);
        let found = rule_table(state)
            .iter()
            .find_map(|&r| lx.rule(r, pos).map(|n| (r, n)));
        match found {
            Some((r, n)) => {
                let start = pos;
                pos += n;
                let tok = lx.action(r);
                if let Some(kind) = tok {
                    out.push(Token {
                        kind,
                        start,
                        end: pos,
                    });
                    idle = 0;
                } else if n == 0 {
                    // An empty match without a token only changes state; a second one in a
                    // row would loop forever in jison too.
                    idle += 1;
                    if idle > 8 {
                        return (out, Some(LexError { pos }));
                    }
                }
            }
            None => {
                if pos >= c.len() {
                    out.push(Token {
                        kind: Tok::EndOfInput,
                        start: pos,
                        end: pos,
                    });
                    return (out, None);
                }
                return (out, Some(LexError { pos }));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(s: &str) -> Vec<Tok> {
        let c: Vec<char> = s.chars().collect();
        let (t, e) = tokenize(&c);
        assert!(e.is_none(), "lexical error in {s:?}");
        t.into_iter().map(|t| t.kind).collect()
    }

    #[test]
    fn header_and_simple_edge() {
        use Tok::*;
        assert_eq!(
            kinds("flowchart TB\nA-->B\n"),
            vec![
                Graph, Dir, Newline, NodeString, Link, NodeString, Newline, Eof, EndOfInput
            ]
        );
    }

    #[test]
    fn parentheses_in_square_label_start_a_new_token() {
        use Tok::*;
        assert_eq!(
            kinds("graph TB\nO[y = F(x)]\n")[3..8].to_vec(),
            vec![NodeString, Sqs, Text, Ps, Text]
        );
    }

    #[test]
    fn end_is_a_keyword_but_end_node_is_not() {
        assert!(kinds("graph TB\nA --> end\n").contains(&Tok::End));
        assert!(!kinds("graph TB\nA --> endNode\n").contains(&Tok::End));
    }

    #[test]
    fn trapezoid_opener_without_closer_is_a_lexical_error() {
        let c: Vec<char> = "graph TB\nA[/data/x]\n".chars().collect();
        assert!(tokenize(&c).1.is_some());
    }
}
