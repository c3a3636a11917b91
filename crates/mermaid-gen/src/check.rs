//! `mermaid-gen check`: verdicts for Mermaid blocks, each failure at its line with a fix, warnings
//! for silent misparses, and the safe label rewrite behind `--fix`.

use serde::Serialize;

use crate::grammar::recognize;
use crate::lexer::{Tok, Token, tokenize};
use crate::preprocess::{Prepared, Tracked, prepare};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// 1-based line inside the diagram text.
    pub line: usize,
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
    /// What to write instead, when there is a mechanical fix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Ok,
    Fail,
    NotChecked,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub verdict: Verdict,
    /// `flowchart`, or the detected type of a diagram that is not checked.
    pub diagram_type: String,
    pub diagnostics: Vec<Diagnostic>,
}

impl Report {
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
    }
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Warning)
    }
}

/// Shape names `A@{ shape: … }` accepts in mermaid 12.3.0 (each one verified with the real
/// parser; anything else throws `No such shape`).
const SHAPES: &[&str] = &[
    "bang",
    "bolt",
    "bow-rect",
    "bow-tie-rectangle",
    "brace",
    "brace-l",
    "brace-r",
    "braces",
    "browser",
    "bucket",
    "card",
    "circ",
    "circle",
    "cloud",
    "collate",
    "com-link",
    "comment",
    "console",
    "cross-circ",
    "crossed-circle",
    "curv-trap",
    "curved-trapezoid",
    "cyl",
    "cylinder",
    "das",
    "data-store",
    "database",
    "datastore",
    "db",
    "dbl-circ",
    "decision",
    "delay",
    "diam",
    "diamond",
    "directory",
    "disk",
    "display",
    "div-proc",
    "div-rect",
    "divided-process",
    "divided-rectangle",
    "doc",
    "docs",
    "document",
    "documents",
    "double-circle",
    "doublecircle",
    "event",
    "extract",
    "f-circ",
    "filled-circle",
    "flag",
    "flip-tri",
    "flipped-triangle",
    "folder",
    "fork",
    "fr-circ",
    "fr-rect",
    "framed-circle",
    "framed-rectangle",
    "h-cyl",
    "half-rounded-rectangle",
    "hex",
    "hexagon",
    "horizontal-cylinder",
    "hourglass",
    "in-out",
    "internal-storage",
    "inv-trapezoid",
    "join",
    "junction",
    "lean-l",
    "lean-left",
    "lean-r",
    "lean-right",
    "lightning-bolt",
    "lin-cyl",
    "lin-doc",
    "lin-proc",
    "lin-rect",
    "lined-cylinder",
    "lined-document",
    "lined-process",
    "lined-rectangle",
    "loop-limit",
    "manual",
    "manual-file",
    "manual-input",
    "notch-pent",
    "notch-rect",
    "notched-pentagon",
    "notched-rectangle",
    "odd",
    "out-in",
    "paper-tape",
    "person",
    "pill",
    "prepare",
    "priority",
    "proc",
    "process",
    "processes",
    "procs",
    "question",
    "rect",
    "rectangle",
    "rounded",
    "shaded-process",
    "sl-rect",
    "sloped-rectangle",
    "sm-circ",
    "small-circle",
    "st-doc",
    "st-rect",
    "stacked-document",
    "stacked-rectangle",
    "stadium",
    "start",
    "stop",
    "stored-data",
    "subproc",
    "subprocess",
    "subroutine",
    "summary",
    "tag-doc",
    "tag-proc",
    "tag-rect",
    "tagged-document",
    "tagged-process",
    "tagged-rectangle",
    "terminal",
    "text",
    "trap-b",
    "trap-t",
    "trapezoid",
    "trapezoid-bottom",
    "trapezoid-top",
    "tri",
    "triangle",
    "win-pane",
    "window-pane",
];

/// Checks one diagram (the text inside a fence, or a whole `.mmd` file).
pub fn check_diagram(text: &str) -> Report {
    let t = match prepare(text) {
        Prepared::Other(kind) => {
            return Report {
                verdict: Verdict::NotChecked,
                diagram_type: kind,
                diagnostics: Vec::new(),
            };
        }
        Prepared::Unknown => {
            return Report {
                verdict: Verdict::Fail,
                diagram_type: "unknown".to_string(),
                diagnostics: vec![Diagnostic {
                    line: first_content_line(text),
                    severity: Severity::Error,
                    code: "E001",
                    message: "no diagram type detected: the first statement must name the diagram, e.g. `flowchart TB` (keywords are case-sensitive)".to_string(),
                    fix: Some("flowchart TB".to_string()),
                }],
            };
        }
        Prepared::BadFrontMatter(cause) => {
            return Report {
                verdict: Verdict::Fail,
                diagram_type: "unknown".to_string(),
                diagnostics: vec![Diagnostic {
                    line: 1,
                    severity: Severity::Error,
                    code: "E003",
                    message: format!("{cause}; Mermaid rejects the whole diagram"),
                    fix: None,
                }],
            };
        }
        Prepared::Flowchart(t) => t,
    };
    let raw_lines: Vec<&str> = text.lines().collect();
    let (tokens, lex_err) = tokenize(&t.chars);
    let mut diagnostics = Vec::new();
    let parse = recognize(&tokens);
    // The parser stops at whichever comes first: a token it cannot use, or the lexer failing to
    // produce the next token.
    match (lex_err, parse) {
        (Some(_), Err(pf)) if pf.token < tokens.len() => {
            diagnostics.push(diagnose_parse(
                &t,
                &tokens,
                pf.token,
                &pf.expected,
                &raw_lines,
            ));
        }
        (Some(le), _) => diagnostics.push(diagnose_lex(&t, &tokens, le.pos, &raw_lines)),
        (None, Err(pf)) => diagnostics.push(diagnose_parse(
            &t,
            &tokens,
            pf.token,
            &pf.expected,
            &raw_lines,
        )),
        (None, Ok(())) => {
            if let Some(d) = semantic_errors(&t, &tokens) {
                diagnostics.push(d);
            }
        }
    }
    let failed = !diagnostics.is_empty();
    if !failed {
        diagnostics.extend(warnings(&t, &tokens, &raw_lines));
    }
    diagnostics.sort_by_key(|d| (d.line, d.severity == Severity::Warning));
    Report {
        verdict: if failed { Verdict::Fail } else { Verdict::Ok },
        diagram_type: "flowchart".to_string(),
        diagnostics,
    }
}

fn first_content_line(text: &str) -> usize {
    text.lines()
        .position(|l| !l.trim().is_empty())
        .map(|i| i + 1)
        .unwrap_or(1)
}

fn tok_text(t: &Tracked, tok: &Token) -> String {
    t.chars[tok.start..tok.end.min(t.chars.len())]
        .iter()
        .collect()
}

fn raw_line(raw: &[&str], line: usize) -> String {
    raw.get(line.saturating_sub(1))
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

fn error(line: usize, code: &'static str, message: String, fix: Option<String>) -> Diagnostic {
    Diagnostic {
        line,
        severity: Severity::Error,
        code,
        message,
        fix,
    }
}

fn diagnose_lex(t: &Tracked, tokens: &[Token], pos: usize, raw: &[&str]) -> Diagnostic {
    let line = t.line_at(pos) as usize;
    // Inside the text of an edge opened with `--`, `==` or `-.` that never got its arrow.
    let open_edge = tokens
        .iter()
        .rev()
        .take_while(|x| x.kind == Tok::EdgeText)
        .count();
    let edge_start = tokens.len().checked_sub(open_edge + 1);
    if let Some(s) = edge_start
        && tokens[s].kind == Tok::StartLink
    {
        return error(
            t.line_at(tokens[s].start) as usize,
            "E012",
            "edge text opened with `--` (or `==`, `-.`) must end with an arrow (`A -- text --> B`); better: `A -->|\"text\"| B`".to_string(),
            None,
        );
    }
    let here: String = t.chars[pos..].iter().take(12).collect();
    let before: String = t.chars[pos.saturating_sub(2)..pos].iter().collect();
    let fix = fix_line(&raw_line(raw, line));
    if before.ends_with("[/") || before.ends_with("[\\") || here.starts_with(']') {
        return error(
            line,
            "E010",
            "`[/` or `[\\` opens a trapezoid or parallelogram shape that must close with `/]` or `\\]`; to show a slash, quote the label: `A[\"/path\"]`".to_string(),
            fix,
        );
    }
    error(
        line,
        "E011",
        format!(
            "Mermaid's lexer cannot read `{}` here (lexical error); quote labels that contain special characters",
            here.lines().next().unwrap_or("")
        ),
        fix,
    )
}

/// Whether the tokens before `k` leave an unquoted label open (the lexer is in its text state).
fn label_open(tokens: &[Token], k: usize) -> Option<Tok> {
    label_states(&tokens[..k]).pop().flatten()
}

/// For each position `0..=tokens.len()`, the innermost unquoted label open before it (the
/// lexer's text state), in one pass.
fn label_states(tokens: &[Token]) -> Vec<Option<Tok>> {
    use Tok::*;
    let mut open: Vec<Tok> = Vec::new();
    let mut out = Vec::with_capacity(tokens.len() + 1);
    out.push(None);
    for tok in tokens {
        match tok.kind {
            Sqs | Ps | DiamondStart | StadiumStart | SubroutineStart | CylinderStart
            | DoubleCircleStart | TagEnd | TrapStart | InvTrapStart | EllipseStart => {
                open.push(tok.kind)
            }
            Pipe => {
                if open.last() == Some(&Pipe) {
                    open.pop();
                } else {
                    open.push(Pipe);
                }
            }
            Sqe | Pe | DiamondStop | StadiumEnd | SubroutineEnd | CylinderEnd | DoubleCircleEnd
            | TrapEnd | InvTrapEnd | EllipseEnd => {
                open.pop();
            }
            Newline | Semi => open.clear(),
            _ => {}
        }
        out.push(open.last().copied());
    }
    out
}

fn diagnose_parse(
    t: &Tracked,
    tokens: &[Token],
    k: usize,
    expected: &[Tok],
    raw: &[&str],
) -> Diagnostic {
    use Tok::*;
    let tok = tokens[k];
    let pos = tok.start.min(t.chars.len().saturating_sub(1));
    let line = t.line_at(pos) as usize;
    let text = tok_text(t, &tok);
    let prev = |n: usize| k.checked_sub(n).map(|i| tokens[i].kind);
    let src = raw_line(raw, line);
    let fix = fix_line(&src);

    if matches!(tok.kind, EndOfInput | Eof) && expected.contains(&End) {
        let open_line = unclosed_subgraph_line(t, tokens, k).unwrap_or(line);
        return error(
            open_line,
            "E020",
            "this `subgraph` is never closed: add a line `end` after its last node".to_string(),
            None,
        );
    }
    if k <= 2
        && !tokens[..=k]
            .iter()
            .any(|x| x.kind == Dir || x.kind == NoDir)
    {
        return error(
            line,
            "E002",
            "the first line must be `flowchart` or `graph` followed by TB, TD, BT, RL or LR (case-sensitive), e.g. `flowchart TB`".to_string(),
            Some("flowchart TB".to_string()),
        );
    }
    if let Some(open) = label_open(tokens, k)
        && matches!(
            tok.kind,
            Ps | Pe
                | Sqs
                | Sqe
                | DiamondStart
                | DiamondStop
                | Pipe
                | Str
                | StadiumStart
                | StadiumEnd
                | SubroutineStart
                | CylinderStart
                | CylinderEnd
                | DoubleCircleStart
                | TrapStart
                | InvTrapStart
                | TagEnd
                | EllipseStart
        )
    {
        let what = if tok.kind == Str {
            "a `\"` inside an unquoted label".to_string()
        } else {
            format!("`{}` inside an unquoted label", text.trim())
        };
        let where_ = if open == Pipe { "edge label" } else { "label" };
        return error(
            line,
            "E030",
            format!(
                "{what} ends it early: quote the whole {where_} (`A[\"…\"]`, `-->|\"…\"|`) and write an inner `\"` as `#quot;`"
            ),
            fix,
        );
    }
    let stmt_first = tokens[..k]
        .iter()
        // `end` swallows the whitespace after it, newlines included.
        .rposition(|x| matches!(x.kind, Newline | Semi | Eof | End))
        .map(|i| i + 1)
        .unwrap_or(0);
    let stmt_first = stmt_first
        + tokens[stmt_first..k]
            .iter()
            .take_while(|x| x.kind == Space)
            .count();
    if tokens.get(stmt_first).is_some_and(|x| x.kind == Subgraph)
        && matches!(
            tok.kind,
            DiamondStart | Ps | Pipe | Str | StadiumStart | TagEnd | Sqe | Pe
        )
    {
        return error(
            line,
            "E022",
            "a subgraph title with special characters must be quoted: `subgraph ID[\"title\"]`"
                .to_string(),
            fix,
        );
    }
    if tok.kind == End {
        let stmt_start = matches!(prev(1), None | Some(Newline) | Some(Semi) | Some(Eof));
        let msg = if stmt_start {
            "`end` without an open `subgraph`: remove it".to_string()
        } else {
            "`end` is a Mermaid keyword and cannot be a node id: rename the node (e.g. `End` or `endNode`)".to_string()
        };
        return error(line, "E021", msg, None);
    }
    if tok.kind == Sep {
        return error(
            line,
            "E031",
            "`\\|` is not an escape in Mermaid: quote the label instead".to_string(),
            fix,
        );
    }
    if matches!(tok.kind, Colon | StyleSeparator) && prev(1) == Some(Colon) {
        return error(
            line,
            "E040",
            "use `:::` (three colons) to attach a class to a node".to_string(),
            Some(src.replace("::", ":::").replace("::::", ":::")),
        );
    }
    if tok.kind == Colon
        && matches!(
            prev(1),
            Some(Sqe | Pe | DiamondStop | StadiumEnd | SubroutineEnd | CylinderEnd)
        )
    {
        return error(
            line,
            "E040",
            "use `:::` (three colons) to attach a class to a node".to_string(),
            None,
        );
    }
    if matches!(tok.kind, NodeString | UnicodeText | Num | Minus)
        && prev(1) == Some(Space)
        && prev(2) == Some(Colon)
    {
        return error(
            line,
            "E041",
            "`A --> B: text` is sequence-diagram syntax; in a flowchart write the edge label as `A -->|\"text\"| B`".to_string(),
            None,
        );
    }
    if tok.kind == TagStart {
        return error(
            line,
            "E042",
            "`<|--` and similar arrows belong to class diagrams; flowchart edges are `-->`, `---`, `-.->`, `==>`, `<-->`".to_string(),
            None,
        );
    }
    if matches!(tok.kind, NodeString | UnicodeText | Num)
        && prev(1) == Some(Space)
        && matches!(prev(2), Some(NodeString | UnicodeText | Num))
    {
        return error(
            line,
            "E050",
            "node ids cannot contain spaces: use an id without spaces and put the text in a quoted label, e.g. `user_layer[\"User Layer\"]`".to_string(),
            None,
        );
    }
    if matches!(tok.kind, Style | ClassDef | LinkStyle) || line_starts_with_style(&src) {
        return error(
            line,
            "E060",
            "style statement Mermaid cannot parse: write `style ID fill:#e1f5fe,stroke:#01579b` (properties separated by commas, colours as `#hex`, no `;`, no `rgb(…)`)".to_string(),
            None,
        );
    }
    if tok.kind == Text && prev(1) == Some(Pipe) {
        return error(
            line,
            "E032",
            "edge label text is not allowed here".to_string(),
            fix,
        );
    }
    let shown = if tok.kind == EndOfInput {
        "end of input".to_string()
    } else {
        format!("`{}` ({})", text.trim(), tok.kind.mermaid_name())
    };
    let exp: Vec<&str> = expected.iter().map(|e| e.mermaid_name()).collect();
    error(
        line,
        "E099",
        format!(
            "Mermaid cannot parse this line: unexpected {shown}; expected {}",
            exp.join(", ")
        ),
        fix,
    )
}

fn line_starts_with_style(src: &str) -> bool {
    let s = src.trim_start();
    s.starts_with("style ") || s.starts_with("classDef ") || s.starts_with("linkStyle ")
}

fn unclosed_subgraph_line(t: &Tracked, tokens: &[Token], k: usize) -> Option<usize> {
    let mut stack = Vec::new();
    for tok in &tokens[..k] {
        match tok.kind {
            Tok::Subgraph => stack.push(t.line_at(tok.start) as usize),
            Tok::End => {
                stack.pop();
            }
            _ => {}
        }
    }
    stack.last().copied()
}

/// Errors Mermaid raises after a successful parse, from its graph database.
fn semantic_errors(t: &Tracked, tokens: &[Token]) -> Option<Diagnostic> {
    use Tok::*;
    // `@{ shape: name }` with an unknown name.
    let mut i = 0;
    while i < tokens.len() {
        if tokens[i].kind == ShapeData {
            let mut body = String::new();
            let start = i;
            while i < tokens.len() && tokens[i].kind == ShapeData {
                body.push_str(&tok_text(t, &tokens[i]));
                i += 1;
            }
            if let Some(p) = body.find("shape:") {
                let name: String = body[p + 6..]
                    .trim_start()
                    .chars()
                    .take_while(|c| !c.is_whitespace() && *c != ',' && *c != '}')
                    .collect();
                if !name.is_empty() && !SHAPES.contains(&name.as_str()) {
                    return Some(error(
                        t.line_at(tokens[start].start) as usize,
                        "E070",
                        format!(
                            "No such shape: `{name}` (shape names are lowercase, e.g. rect, rounded, stadium, cyl, diam, hex)"
                        ),
                        None,
                    ));
                }
            }
            continue;
        }
        i += 1;
    }
    // `linkStyle N` needs edge N to exist when the statement is read.
    let mut edges = 0usize;
    let mut groups: Vec<usize> = Vec::new();
    let mut cur = 0usize;
    let mut need_vertex = true;
    let mut in_edge_text = false;
    let mut depth = 0i32;
    for (k, tok) in tokens.iter().enumerate() {
        match tok.kind {
            Newline | Semi | Eof => {
                if cur > 0 {
                    groups.push(cur);
                }
                for w in groups.windows(2) {
                    edges += w[0] * w[1];
                }
                groups.clear();
                (cur, need_vertex, in_edge_text, depth) = (0, true, false, 0);
            }
            Sqs | Ps | DiamondStart | StadiumStart | SubroutineStart | CylinderStart
            | DoubleCircleStart | TrapStart | InvTrapStart | EllipseStart | TagEnd => depth += 1,
            Sqe | Pe | DiamondStop | StadiumEnd | SubroutineEnd | CylinderEnd | DoubleCircleEnd
            | TrapEnd | InvTrapEnd | EllipseEnd => depth -= 1,
            Pipe => depth = if depth > 0 { depth - 1 } else { depth + 1 },
            _ if depth > 0 => {}
            StartLink => {
                groups.push(cur);
                (cur, need_vertex, in_edge_text) = (0, true, true);
            }
            Link if in_edge_text => in_edge_text = false,
            Link => {
                groups.push(cur);
                (cur, need_vertex) = (0, true);
            }
            Amp if k > 0 && tokens[k - 1].kind == Space => need_vertex = true,
            NodeString | UnicodeText | Num | Minus | Brkt | Mult | Down | Default
                if need_vertex && !in_edge_text =>
            {
                cur += 1;
                need_vertex = false;
            }
            LinkStyle => {
                let mut j = k + 1;
                while j < tokens.len() && !matches!(tokens[j].kind, Newline | Semi | Eof) {
                    if tokens[j].kind == Num
                        && matches!(tokens[j - 1].kind, Space | Comma)
                        && let Ok(n) = tok_text(t, &tokens[j]).parse::<usize>()
                        && n >= edges
                    {
                        return Some(error(
                            t.line_at(tokens[j].start) as usize,
                            "E071",
                            format!(
                                "`linkStyle {n}` refers to edge {n}, but only {edges} edges are defined before this line (edges count from 0)"
                            ),
                            None,
                        ));
                    }
                    if tokens[j].kind == Interpolate {
                        break;
                    }
                    j += 1;
                }
                need_vertex = false;
            }
            Style | ClassDef | Class | Click | Subgraph => need_vertex = false,
            _ => {}
        }
    }
    None
}

fn warning(line: usize, code: &'static str, message: String, fix: Option<String>) -> Diagnostic {
    Diagnostic {
        line,
        severity: Severity::Warning,
        code,
        message,
        fix,
    }
}

/// Silent misparses: Mermaid accepts these but draws something other than what was written.
fn warnings(t: &Tracked, tokens: &[Token], raw: &[&str]) -> Vec<Diagnostic> {
    use Tok::*;
    let mut out = Vec::new();
    let line_of = |tok: &Token| t.line_at(tok.start) as usize;
    let mut class_defs: Vec<String> = vec!["default".to_string()];
    let mut class_uses: Vec<(String, usize)> = Vec::new();
    let open_label = label_states(tokens);
    for (k, tok) in tokens.iter().enumerate() {
        let next = tokens.get(k + 1);
        match tok.kind {
            SubroutineStart => {
                let inner: String = tokens[k + 1..]
                    .iter()
                    .take_while(|x| x.kind != SubroutineEnd)
                    .map(|x| tok_text(t, x))
                    .collect();
                if inner.contains(',') {
                    out.push(warning(
                        line_of(tok),
                        "W101",
                        "`[[…]]` draws a subroutine box and the brackets vanish from the label; to show a list such as a tensor shape, quote it: `A[\"[B, C, H, W]\"]`".to_string(),
                        None,
                    ));
                }
            }
            Str if next.is_some_and(|n| matches!(n.kind, Text | Str | TagStart | TagEnd))
                && open_label[k].is_some() =>
            {
                out.push(warning(
                    line_of(tok),
                    "W102",
                    "a `\"` inside a quoted label ends the string and vanishes from the drawing: write inner quotes as `#quot;`".to_string(),
                    None,
                ));
            }
            Link => {
                let s = tok_text(t, tok);
                let trimmed_end = s.trim_end();
                if trimmed_end.len() == s.len()
                    && (s.ends_with('o') || s.ends_with('x'))
                    && next.is_some_and(|n| matches!(n.kind, NodeString | UnicodeText | Num))
                {
                    out.push(warning(
                        line_of(tok),
                        "W103",
                        format!(
                            "`{}` ends in a circle/cross arrowhead, so the next node's name loses its first letter; put a space before the node id if it starts with `o`/`x`",
                            s.trim()
                        ),
                        None,
                    ));
                }
            }
            DirectionTb | DirectionBt | DirectionRl | DirectionLr | DirectionTd => {
                let s = tok_text(t, tok);
                let words: Vec<&str> = s.split_whitespace().collect();
                if words.len() != 2 || words[0] != "direction" {
                    out.push(warning(
                        line_of(tok),
                        "W104",
                        "this line contains `direction XX`, so Mermaid reads the whole line as a direction statement and drops everything else on it; reword the label (e.g. `direction: LR`)".to_string(),
                        None,
                    ));
                }
            }
            EdgeText if tok_text(t, tok).contains('\n') => {
                out.push(warning(
                        line_of(tok),
                        "W105",
                        "an edge `A -- text` without its arrow swallows the following line(s) into its label; finish it (`A -- text --> B`) or use `A -->|\"text\"| B`".to_string(),
                        None,
                    ));
            }
            ClassDef => {
                // The name is the idString after the space (one token per CJK character).
                let name: String = tokens[k + 1..]
                    .iter()
                    .skip_while(|x| x.kind == Space)
                    .take_while(|x| {
                        matches!(
                            x.kind,
                            NodeString | Num | Minus | UnicodeText | Brkt | Mult | Default | Down
                        )
                    })
                    .map(|x| tok_text(t, x))
                    .collect();
                class_defs.push(name);
            }
            Class => {
                // class <ids> <name>: the name is the last idString of the statement.
                let stmt: Vec<&Token> = tokens[k + 1..]
                    .iter()
                    .take_while(|x| !matches!(x.kind, Newline | Semi | Eof))
                    .collect();
                if let Some(sp) = stmt.iter().rposition(|x| x.kind == Space) {
                    let name: String = stmt[sp + 1..].iter().map(|x| tok_text(t, x)).collect();
                    if name.contains(':') {
                        out.push(warning(
                            line_of(tok),
                            "W106",
                            "`class` assigns a classDef by name and ignores CSS here: define `classDef name fill:…` and write `class A name`, or use `style A fill:…`".to_string(),
                            None,
                        ));
                    } else {
                        class_uses.push((name, line_of(tok)));
                    }
                }
            }
            StyleSeparator => {
                let name: String = tokens[k + 1..]
                    .iter()
                    .take_while(|x| {
                        matches!(x.kind, NodeString | Num | Minus | UnicodeText | Brkt | Mult)
                    })
                    .map(|x| tok_text(t, x))
                    .collect();
                class_uses.push((name, line_of(tok)));
            }
            _ => {}
        }
    }
    // A node drawn with a shape under the id of a subgraph: Mermaid keeps one of them.
    let id_tokens = |k: usize| -> String {
        tokens[k..]
            .iter()
            .take_while(|x| matches!(x.kind, NodeString | Num | Minus | UnicodeText))
            .map(|x| tok_text(t, x))
            .collect()
    };
    let mut subgraph_ids: Vec<String> = Vec::new();
    let mut shaped: Vec<(String, usize)> = Vec::new();
    for (k, tok) in tokens.iter().enumerate() {
        if tok.kind == Subgraph && tokens.get(k + 1).is_some_and(|x| x.kind == Space) {
            let id = id_tokens(k + 2);
            if !id.is_empty() {
                subgraph_ids.push(id);
            }
        }
        let starts_id = matches!(tok.kind, NodeString | Num | UnicodeText)
            && (k == 0
                || !matches!(
                    tokens[k - 1].kind,
                    NodeString | Num | Minus | UnicodeText | Space
                )
                || (tokens[k - 1].kind == Space && k >= 2 && tokens[k - 2].kind != Subgraph));
        if starts_id && open_label[k].is_none() {
            let id = id_tokens(k);
            let n = tokens[k..]
                .iter()
                .take_while(|x| matches!(x.kind, NodeString | Num | Minus | UnicodeText))
                .count();
            if tokens.get(k + n).is_some_and(|x| {
                matches!(
                    x.kind,
                    Sqs | Ps
                        | DiamondStart
                        | StadiumStart
                        | SubroutineStart
                        | CylinderStart
                        | DoubleCircleStart
                        | TrapStart
                        | InvTrapStart
                        | EllipseStart
                )
            }) {
                shaped.push((id, line_of(tok)));
            }
        }
    }
    for (id, line) in shaped {
        if subgraph_ids.contains(&id) {
            out.push(warning(
                line,
                "W111",
                format!("node `{id}` has the same id as a subgraph, so Mermaid draws only one of them: rename one (e.g. `g_{id}` for the subgraph)"),
                None,
            ));
        }
    }
    for (name, line) in class_uses {
        for n in name.split(',') {
            if !n.is_empty() && !class_defs.iter().any(|d| d == n) {
                out.push(warning(
                    line,
                    "W107",
                    format!("class `{n}` is never defined with `classDef`, so it has no effect"),
                    None,
                ));
            }
        }
    }
    for (i, l) in raw.iter().enumerate() {
        let s = l.trim_start();
        let line = i + 1;
        if line_starts_with_style(s) {
            if let Some(p) = s.find(';')
                && !s[p + 1..].trim().is_empty()
            {
                out.push(warning(
                    line,
                    "W108",
                    "`;` ends the statement, so the properties after it become a node (and `#hex;` is decoded as an entity): separate style properties with commas".to_string(),
                    Some(s.replace(';', ",").trim_end_matches(',').to_string()),
                ));
            }
            for key in ["fill:", "stroke:", "color:"] {
                if let Some(p) = s.find(key) {
                    let v: String = s[p + key.len()..]
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric())
                        .collect();
                    if (v.len() == 3 || v.len() == 6)
                        && v.chars().all(|c| c.is_ascii_hexdigit())
                        && v.chars().any(|c| c.is_ascii_digit())
                    {
                        out.push(warning(
                            line,
                            "W109",
                            format!("colour `{v}` has no `#`, so the style is ignored: write `{key}#{v}`"),
                            None,
                        ));
                    }
                }
            }
        } else {
            let b = s.as_bytes();
            for (p, _) in s.match_indices('#') {
                let digits = b[p + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
                let code = &s[p + 1..p + 1 + digits];
                // `#35;` (number sign) and `#160;` (no-break space) are deliberate escapes.
                if digits > 0
                    && code != "35"
                    && code != "160"
                    && b.get(p + 1 + digits) == Some(&b';')
                    && p > 0
                    && b[p - 1] == b' '
                {
                    out.push(warning(
                        line,
                        "W110",
                        format!(
                            "`{}` is an entity code that Mermaid decodes to a character; write `#35;{}` to show the number sign",
                            &s[p..p + digits + 2],
                            &s[p + 1..p + digits + 2]
                        ),
                        None,
                    ));
                }
            }
        }
    }
    out
}

/// The same line with every unquoted label that contains a character Mermaid cannot read in an
/// unquoted label (`[ ] ( ) { } | "`) rewritten as a quoted label, keeping the text and the node
/// shape. `None` when there is nothing to rewrite.
pub fn fix_line(line: &str) -> Option<String> {
    let c: Vec<char> = line.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let mut changed = false;
    let trimmed = line.trim_start();
    if let Some(rest) = trimmed.strip_prefix("subgraph ")
        && let Some(fixed) = fix_subgraph_title(rest)
    {
        let indent = &line[..line.len() - trimmed.len()];
        return Some(format!("{indent}subgraph {fixed}"));
    }
    let closers = Closers::new(&c);
    while i < c.len() {
        let ch = c[i];
        let prev_is_id = i > 0 && (c[i - 1].is_alphanumeric() || matches!(c[i - 1], '_' | '-'));
        if (matches!(ch, '[' | '(' | '{') && prev_is_id) || (ch == '|' && link_before(&c, i)) {
            let close = match ch {
                '[' => ']',
                '(' => ')',
                '{' => '}',
                _ => '|',
            };
            if let Some(end) = closers.matching(&c, i, ch) {
                let content: String = c[i + 1..end].iter().collect();
                let (pre, inner, post) = split_double_shape(ch, &content);
                if let Some(q) = quote_if_needed(inner) {
                    out.push(ch);
                    out.push_str(pre);
                    out.push_str(&q);
                    out.push_str(post);
                    out.push(close);
                    i = end + 1;
                    changed = true;
                    continue;
                }
                out.extend(&c[i..=end]);
                i = end + 1;
                continue;
            }
        }
        out.push(ch);
        i += 1;
    }
    changed.then_some(out)
}

fn link_before(c: &[char], i: usize) -> bool {
    // Only the text just before `i` matters: walking back over the blanks keeps a line of many
    // `|` linear (collecting the whole prefix for each was quadratic).
    let mut j = i;
    while j > 0 && c[j - 1].is_whitespace() {
        j -= 1;
    }
    let b = &c[..j];
    let ends = |s: &str| {
        let s: Vec<char> = s.chars().collect();
        b.ends_with(&s)
    };
    ends(">") || ends("--") || ends("-.") || ends("==") || ends("-") || ends("--o") || ends("--x")
}

/// The closer of each `[`, `(` and `{` of one line, found in one pass per pair: the first
/// closer after the opener where the count of that pair returns to zero, or for an opener that
/// is never closed the last closer on the line (scanning from each opener was quadratic on a
/// line of many unclosed openers).
struct Closers {
    matched: Vec<Option<usize>>,
    last: [Option<usize>; 3],
}

const PAIRS: [(char, char); 3] = [('[', ']'), ('(', ')'), ('{', '}')];

impl Closers {
    fn new(c: &[char]) -> Closers {
        let mut matched = vec![None; c.len()];
        let mut last = [None; 3];
        for (p, (open, close)) in PAIRS.iter().enumerate() {
            let mut stack = Vec::new();
            for (j, ch) in c.iter().enumerate() {
                if ch == open {
                    stack.push(j);
                } else if ch == close {
                    last[p] = Some(j);
                    if let Some(o) = stack.pop() {
                        matched[o] = Some(j);
                    }
                }
            }
        }
        Closers { matched, last }
    }

    fn matching(&self, c: &[char], open_at: usize, open: char) -> Option<usize> {
        if open == '|' {
            return (open_at + 1..c.len()).find(|&j| c[j] == '|');
        }
        let p = PAIRS.iter().position(|(o, _)| *o == open)?;
        self.matched[open_at].or(self.last[p].filter(|&j| j > open_at))
    }
}

/// `([x])`, `[[x]]`, `[(x)]`, `((x))`, `{{x}}`: the inner opener/closer stay outside the quotes.
fn split_double_shape(open: char, content: &str) -> (&'static str, &str, &'static str) {
    let pairs: &[(char, &str, &str)] = &[
        ('(', "[", "]"),
        ('[', "[", "]"),
        ('[', "(", ")"),
        ('(', "(", ")"),
        ('{', "{", "}"),
    ];
    for (o, a, b) in pairs {
        if *o == open && content.starts_with(a) && content.ends_with(b) && content.len() >= 2 {
            return (a, &content[1..content.len() - 1], b);
        }
    }
    ("", content, "")
}

fn quote_if_needed(inner: &str) -> Option<String> {
    let t = inner.trim();
    if t.len() >= 2 && t.starts_with('"') && t.ends_with('"') {
        let mid = &t[1..t.len() - 1];
        if mid.contains('"') {
            return Some(format!("\"{}\"", mid.replace('"', "#quot;")));
        }
        return None;
    }
    if t.chars()
        .any(|c| matches!(c, '[' | ']' | '(' | ')' | '{' | '}' | '|' | '"'))
        || t.starts_with('/')
        || t.starts_with('\\')
    {
        return Some(format!("\"{}\"", t.replace('"', "#quot;")));
    }
    None
}

fn fix_subgraph_title(rest: &str) -> Option<String> {
    let rest = rest.trim();
    if rest.starts_with('"') || rest.contains("[\"") {
        return None;
    }
    let bad = |s: &str| {
        s.chars()
            .any(|c| matches!(c, '(' | ')' | '{' | '}' | '|' | '"' | '[' | ']'))
    };
    if !bad(rest) {
        return None;
    }
    // `ID {title}` / `ID [title]` / `ID(title)` keep the id; otherwise the whole text is a title.
    let id_len = rest
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-'))
        .map(|(i, _)| i)
        .unwrap_or(rest.len());
    let (id, title) = if id_len > 0 {
        let after = rest[id_len..].trim_start();
        let title = after
            .strip_prefix(['{', '[', '('])
            .map(|t| t.trim_end_matches(['}', ']', ')']))
            .unwrap_or(after);
        if title.is_empty() {
            (rest[..id_len].to_string(), rest.to_string())
        } else if after.starts_with(['{', '[', '(']) {
            (rest[..id_len].to_string(), title.to_string())
        } else {
            (
                format!("sg_{}", mermaid_writer::ascii_id_part(&rest[..id_len])),
                rest.to_string(),
            )
        }
    } else {
        (
            format!("sg_{}", mermaid_writer::ascii_id_part(rest)),
            rest.to_string(),
        )
    };
    Some(format!("{id}[\"{}\"]", title.replace('"', "#quot;")))
}

/// Rewrites the failing lines of a diagram with [`fix_line`] until it parses (or no rewrite
/// helps). Returns the new text only when it parses.
pub fn fix_diagram(text: &str) -> Option<String> {
    let mut cur = text.to_string();
    for _ in 0..64 {
        let report = check_diagram(&cur);
        if report.verdict != Verdict::Fail {
            return (cur != text).then_some(cur);
        }
        let err = report.errors().next()?;
        let mut lines: Vec<String> = cur.split('\n').map(str::to_string).collect();
        let idx = err.line.checked_sub(1)?;
        let fixed = fix_line(lines.get(idx)?)?;
        lines[idx] = fixed;
        cur = lines.join("\n");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fix_line_quotes_labels_and_keeps_shapes() {
        assert_eq!(
            fix_line("O[输出 y = F(x) + x]").unwrap(),
            "O[\"输出 y = F(x) + x\"]"
        );
        assert_eq!(
            fix_line("C[Conv<br/>[B, C, H, W]] --> D").unwrap(),
            "C[\"Conv<br/>[B, C, H, W]\"] --> D"
        );
        assert_eq!(fix_line("A -->|f(x)| B").unwrap(), "A -->|\"f(x)\"| B");
        assert_eq!(fix_line("A([go (now)])").unwrap(), "A([\"go (now)\"])");
        assert_eq!(
            fix_line("A[task<br/>e.g. \"coding\"]").unwrap(),
            "A[\"task<br/>e.g. #quot;coding#quot;\"]"
        );
        assert_eq!(fix_line("A[plain] --> B"), None);
        assert_eq!(
            fix_line("subgraph X {title}").unwrap(),
            "subgraph X[\"title\"]"
        );
    }

    #[test]
    fn verdicts_and_codes() {
        let r = check_diagram("flowchart TB\n  A --> B\n  O[y = F(x) + x]\n");
        assert_eq!(r.verdict, Verdict::Fail);
        let e = r.errors().next().unwrap();
        assert_eq!((e.line, e.code), (3, "E030"));
        let r =
            check_diagram("flowchart TB\n  subgraph A\n  end\n  subgraph X {title}\n  B\n  end\n");
        assert_eq!(r.errors().next().unwrap().code, "E022");
        let r = check_diagram("flowchart TB\n  B -- Definition: x\n  B -- Interpretation: y\n");
        assert_eq!(r.errors().next().unwrap().code, "E012");
        let r = check_diagram("flowchart TB\n  subgraph S\n  A\n");
        assert_eq!(r.errors().next().unwrap().code, "E020");
        assert_eq!(r.errors().next().unwrap().line, 2);
        assert_eq!(
            check_diagram("sequenceDiagram\nA->>B: x\n").verdict,
            Verdict::NotChecked
        );
        let w = check_diagram("flowchart TB\n S1[[B, 3, 224, 224]]\n");
        assert_eq!(w.verdict, Verdict::Ok);
        assert_eq!(w.warnings().next().unwrap().code, "W101");
    }
}
