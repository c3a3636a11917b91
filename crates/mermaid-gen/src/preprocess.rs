//! What `mermaid.parse` does to the text before the flowchart lexer sees it, step by step as in
//! mermaid 12.3.0 (`preprocess.ts`, `comments.ts`, `frontmatter.ts`, `encodeEntities`,
//! `flowParser.ts`), keeping for every character the line it came from.

/// Text as characters, each with its 1-based line in the original block.
#[derive(Clone, Debug, Default)]
pub struct Tracked {
    pub chars: Vec<char>,
    pub lines: Vec<u32>,
}

impl Tracked {
    pub fn new(text: &str) -> Tracked {
        let mut t = Tracked::default();
        let mut line = 1;
        for c in text.chars() {
            t.chars.push(c);
            t.lines.push(line);
            if c == '\n' {
                line += 1;
            }
        }
        t
    }

    pub fn to_string_lossless(&self) -> String {
        self.chars.iter().collect()
    }

    /// Line of the character at `i` (the last line for positions at the end).
    pub fn line_at(&self, i: usize) -> u32 {
        if let Some(&l) = self.lines.get(i) {
            l
        } else {
            self.lines.last().copied().unwrap_or(1)
        }
    }

    /// Replaces `start..end` with `with`; new characters take the line of the first replaced one.
    fn splice(&mut self, start: usize, end: usize, with: &str) {
        let line = self.line_at(start);
        let new: Vec<char> = with.chars().collect();
        let lines = vec![line; new.len()];
        self.chars.splice(start..end, new);
        self.lines.splice(start..end, lines);
    }

    /// Copies `from..to` of `self` into `out` with their lines.
    fn copy_to(&self, out: &mut Tracked, from: usize, to: usize) {
        out.chars.extend_from_slice(&self.chars[from..to]);
        out.lines.extend_from_slice(&self.lines[from..to]);
    }

    fn starts_with(&self, at: usize, s: &str) -> bool {
        s.chars()
            .enumerate()
            .all(|(k, c)| self.chars.get(at + k) == Some(&c))
    }
}

/// JavaScript's `\s`.
pub fn is_js_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{0B}' | '\u{0C}' | '\r' | ' ' | '\u{A0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200A}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202F}'
                | '\u{205F}'
                | '\u{3000}'
                | '\u{FEFF}'
    )
}

/// JavaScript's `\w`.
pub fn is_js_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The result of preprocessing: the text the flowchart parser receives, or the diagram type
/// when it is not a flowchart.
#[derive(Debug)]
pub enum Prepared {
    Flowchart(Tracked),
    Other(String),
    /// No diagram keyword at all: Mermaid throws `UnknownDiagramError`.
    Unknown,
    /// The configuration (front matter or init directive) makes Mermaid throw: invalid YAML or
    /// a theme colour it cannot parse.
    BadFrontMatter(String),
}

/// Diagram keywords Mermaid 12 detects (first word of the cleaned text); these are not checked.
const OTHER_TYPES: &[&str] = &[
    "sequenceDiagram",
    "classDiagram",
    "classDiagram-v2",
    "stateDiagram",
    "stateDiagram-v2",
    "erDiagram",
    "gantt",
    "pie",
    "journey",
    "gitGraph",
    "mindmap",
    "timeline",
    "quadrantChart",
    "requirementDiagram",
    "requirement",
    "sankey",
    "sankey-beta",
    "xychart",
    "xychart-beta",
    "block",
    "block-beta",
    "packet",
    "packet-beta",
    "architecture",
    "architecture-beta",
    "kanban",
    "radar-beta",
    "treemap",
    "treemap-beta",
    "info",
    "zenuml",
    "C4Context",
    "C4Container",
    "C4Component",
    "C4Dynamic",
    "C4Deployment",
    "agentflow-beta",
    "venn-beta",
    "wardley-beta",
    "ishikawa-beta",
    "cynefin-beta",
    "railroad-beta",
    "usecase-beta",
];

pub fn prepare(block: &str) -> Prepared {
    let mut t = Tracked::new(block);
    cleanup_text(&mut t);
    if let Some(body) = remove_front_matter(&mut t) {
        if let Err(e) = serde_yaml::from_str::<serde_yaml::Value>(&body) {
            return Prepared::BadFrontMatter(format!(
                "the `---` front matter is not valid YAML ({e})"
            ));
        }
        if let Some(c) = bad_config_colour(&body) {
            return Prepared::BadFrontMatter(format!(
                "unsupported colour format `{c}` in the front matter configuration"
            ));
        }
    }
    // Mermaid reads directive arguments as JSON with `'` turned into `"`, and ignores
    // arguments that do not parse; the colours of those that do are validated.
    for args in remove_directives(&mut t) {
        let json = args.trim().replace('\'', "\"");
        if serde_json::from_str::<serde_json::Value>(&json).is_ok()
            && let Some(c) = bad_config_colour(&json)
        {
            return Prepared::BadFrontMatter(format!(
                "unsupported colour format `{c}` in the `%%{{init: …}}%%` directive"
            ));
        }
    }
    cleanup_comments(&mut t);
    let first_word: String = t
        .chars
        .iter()
        .take_while(|c| !is_js_space(**c) && **c != ';')
        .collect();
    // Mermaid's C4 detector is `/^\s*C4Context|C4Container|C4Component|…/`: every alternative
    // after the first matches anywhere in the text, and C4 is tried before flowcharts.
    let text = t.to_string_lossless();
    if ["C4Container", "C4Component", "C4Dynamic", "C4Deployment"]
        .iter()
        .any(|k| text.contains(k))
    {
        return Prepared::Other("c4".to_string());
    }
    if !(text.starts_with("graph") || text.starts_with("flowchart")) {
        let word = first_word.trim_end_matches(':');
        if OTHER_TYPES.iter().any(|k| word.starts_with(k)) {
            return Prepared::Other(word.to_string());
        }
        return Prepared::Unknown;
    }
    encode_entities(&mut t);
    let end_line = t.lines.last().copied().unwrap_or(1);
    t.chars.push('\n');
    t.lines.push(end_line);
    squeeze_after_brace(&mut t);
    Prepared::Flowchart(t)
}

/// `\r\n?` to `\n`; double-quoted attribute values inside HTML tags to single quotes.
fn cleanup_text(t: &mut Tracked) {
    if t.chars.contains(&'\r') {
        let mut chars = Vec::with_capacity(t.chars.len());
        let mut lines = Vec::with_capacity(t.chars.len());
        for (i, &c) in t.chars.iter().enumerate() {
            if c == '\r' {
                if t.chars.get(i + 1) == Some(&'\n') {
                    continue;
                }
                chars.push('\n');
            } else {
                chars.push(c);
            }
            lines.push(t.lines[i]);
        }
        t.chars = chars;
        t.lines = lines;
    }
    // <(\w+)([^>]*)> : attributes `="…"` become `='…'`.
    let mut i = 0;
    while i < t.chars.len() {
        if t.chars[i] == '<' && t.chars.get(i + 1).is_some_and(|c| is_js_word(*c)) {
            let mut j = i + 1;
            while j < t.chars.len() && is_js_word(t.chars[j]) {
                j += 1;
            }
            let mut k = j;
            while k < t.chars.len() && t.chars[k] != '>' {
                k += 1;
            }
            if k == t.chars.len() {
                // No `>` after this `<`, so none after any later one either: stopping here
                // keeps a text of many `<a` linear.
                break;
            }
            // Inside j..k replace ="([^"]*)" by ='$1'.
            let mut p = j;
            while p + 1 < k {
                if t.chars[p] == '=' && t.chars[p + 1] == '"' {
                    match (p + 2..k).find(|&q| t.chars[q] == '"') {
                        Some(q) => {
                            t.chars[p + 1] = '\'';
                            t.chars[q] = '\'';
                            p = q + 1;
                            continue;
                        }
                        // No closing `"` before `>`: no later `="` in this tag closes either.
                        None => break,
                    }
                }
                p += 1;
            }
            i = k + 1;
            continue;
        }
        i += 1;
    }
}

fn is_line_break(c: char) -> bool {
    c == '\n' || c == '\r'
}

/// `---` front matter at the very start (after spaces), closed by the same indent + `---`.
/// Returns the YAML body (indent removed) when there was front matter.
fn remove_front_matter(t: &mut Tracked) -> Option<String> {
    let c = &t.chars;
    let mut cursor = 0;
    while cursor < c.len() && is_js_space(c[cursor]) && !is_line_break(c[cursor]) {
        cursor += 1;
    }
    let indent: String = c[..cursor].iter().collect();
    if !t.starts_with(cursor, "---") {
        return None;
    }
    let mut opening_end = None;
    let mut i = cursor + 3;
    while i < c.len() && is_js_space(c[i]) {
        if is_line_break(c[i]) {
            opening_end = Some(i);
            break;
        }
        i += 1;
    }
    let opening_end = opening_end?;
    let fence = format!("{indent}---");
    let closing_end = |i: usize| -> Option<usize> {
        if !is_line_break(c[i]) || !t.starts_with(i + 1, &fence) {
            return None;
        }
        let mut last = None;
        let mut j = i + 1 + fence.chars().count();
        while j < c.len() && is_js_space(c[j]) {
            if is_line_break(c[j]) {
                last = Some(j);
            }
            j += 1;
        }
        last
    };
    for i in opening_end + 1..c.len() {
        if let Some(end) = closing_end(i) {
            let body: String = c[opening_end + 1..i].iter().collect();
            let body = body
                .split('\n')
                .map(|l| l.strip_prefix(indent.as_str()).unwrap_or(l))
                .collect::<Vec<_>>()
                .join("\n");
            t.splice(0, end + 1, "");
            return Some(body);
        }
    }
    None
}

/// `%%{ … }%%` directives.
/// Removes `%%{ … }%%` directives and returns their argument text (`{…}` after `init:`).
fn remove_directives(t: &mut Tracked) -> Vec<String> {
    let mut removed = Vec::new();
    // Built in one pass (removing each directive in place made many directives quadratic).
    let mut out = Tracked::default();
    let mut kept = 0;
    let mut i = 0;
    while i + 2 < t.chars.len() {
        if t.starts_with(i, "%%{") {
            let mut j = i + 3;
            while j < t.chars.len() && is_js_space(t.chars[j]) {
                j += 1;
            }
            if j < t.chars.len() && is_js_word(t.chars[j]) {
                let mut end = t.chars.len();
                let mut k = j;
                while k + 2 < t.chars.len() {
                    if t.starts_with(k, "}%%") {
                        end = k + 3;
                        break;
                    }
                    k += 1;
                }
                // Arguments: after `word:` (if there is a colon) up to the closing `}%%`.
                let mut a = j;
                while a < end && is_js_word(t.chars[a]) {
                    a += 1;
                }
                while a < end && is_js_space(t.chars[a]) {
                    a += 1;
                }
                if a < end && t.chars[a] == ':' {
                    let close = if t.starts_with(end.saturating_sub(3), "}%%") {
                        end - 3
                    } else {
                        end
                    };
                    removed.push(t.chars[a + 1..close].iter().collect());
                }
                t.copy_to(&mut out, kept, i);
                kept = end;
                i = end;
                continue;
            }
        }
        i += 1;
    }
    if kept > 0 {
        t.copy_to(&mut out, kept, t.chars.len());
        *t = out;
    }
    removed
}

/// CSS named colours (CSS Color Module Level 4), which Mermaid's colour parser accepts.
const NAMED_COLOURS: &[&str] = &[
    "aliceblue",
    "antiquewhite",
    "aqua",
    "aquamarine",
    "azure",
    "beige",
    "bisque",
    "black",
    "blanchedalmond",
    "blue",
    "blueviolet",
    "brown",
    "burlywood",
    "cadetblue",
    "chartreuse",
    "chocolate",
    "coral",
    "cornflowerblue",
    "cornsilk",
    "crimson",
    "cyan",
    "darkblue",
    "darkcyan",
    "darkgoldenrod",
    "darkgray",
    "darkgreen",
    "darkgrey",
    "darkkhaki",
    "darkmagenta",
    "darkolivegreen",
    "darkorange",
    "darkorchid",
    "darkred",
    "darksalmon",
    "darkseagreen",
    "darkslateblue",
    "darkslategray",
    "darkslategrey",
    "darkturquoise",
    "darkviolet",
    "deeppink",
    "deepskyblue",
    "dimgray",
    "dimgrey",
    "dodgerblue",
    "firebrick",
    "floralwhite",
    "forestgreen",
    "fuchsia",
    "gainsboro",
    "ghostwhite",
    "gold",
    "goldenrod",
    "gray",
    "green",
    "greenyellow",
    "grey",
    "honeydew",
    "hotpink",
    "indianred",
    "indigo",
    "ivory",
    "khaki",
    "lavender",
    "lavenderblush",
    "lawngreen",
    "lemonchiffon",
    "lightblue",
    "lightcoral",
    "lightcyan",
    "lightgoldenrodyellow",
    "lightgray",
    "lightgreen",
    "lightgrey",
    "lightpink",
    "lightsalmon",
    "lightseagreen",
    "lightskyblue",
    "lightslategray",
    "lightslategrey",
    "lightsteelblue",
    "lightyellow",
    "lime",
    "limegreen",
    "linen",
    "magenta",
    "maroon",
    "mediumaquamarine",
    "mediumblue",
    "mediumorchid",
    "mediumpurple",
    "mediumseagreen",
    "mediumslateblue",
    "mediumspringgreen",
    "mediumturquoise",
    "mediumvioletred",
    "midnightblue",
    "mintcream",
    "mistyrose",
    "moccasin",
    "navajowhite",
    "navy",
    "oldlace",
    "olive",
    "olivedrab",
    "orange",
    "orangered",
    "orchid",
    "palegoldenrod",
    "palegreen",
    "paleturquoise",
    "palevioletred",
    "papayawhip",
    "peachpuff",
    "peru",
    "pink",
    "plum",
    "powderblue",
    "purple",
    "rebeccapurple",
    "red",
    "rosybrown",
    "royalblue",
    "saddlebrown",
    "salmon",
    "sandybrown",
    "seagreen",
    "seashell",
    "sienna",
    "silver",
    "skyblue",
    "slateblue",
    "slategray",
    "slategrey",
    "snow",
    "springgreen",
    "steelblue",
    "tan",
    "teal",
    "thistle",
    "tomato",
    "transparent",
    "turquoise",
    "violet",
    "wheat",
    "white",
    "whitesmoke",
    "yellow",
    "yellowgreen",
];

fn is_colour(value: &str) -> bool {
    let v = value.trim();
    if let Some(hex) = v.strip_prefix('#') {
        return matches!(hex.len(), 3 | 4 | 6 | 8) && hex.chars().all(|c| c.is_ascii_hexdigit());
    }
    let lower = v.to_ascii_lowercase();
    ["rgb(", "rgba(", "hsl(", "hsla("]
        .iter()
        .any(|p| lower.starts_with(p))
        || NAMED_COLOURS.contains(&lower.as_str())
}

/// The first colour setting in configuration text (`primaryColor: '#BB2528'`, any key whose
/// name contains "color") that Mermaid's colour parser rejects: theme variables are computed
/// while the diagram is parsed, so a bad one rejects the whole diagram.
pub fn bad_config_colour(config: &str) -> Option<String> {
    let c: Vec<char> = config.chars().collect();
    let mut i = 0;
    while i < c.len() {
        if !(c[i].is_alphanumeric() || c[i] == '_') {
            i += 1;
            continue;
        }
        let start = i;
        while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_' || c[i] == '-') {
            i += 1;
        }
        let key: String = c[start..i].iter().collect();
        let mut j = i;
        if j < c.len() && (c[j] == '\'' || c[j] == '"') {
            j += 1;
        }
        while j < c.len() && (c[j] == ' ' || c[j] == '\t') {
            j += 1;
        }
        if j >= c.len() || c[j] != ':' || !key.to_ascii_lowercase().contains("color") {
            continue;
        }
        j += 1;
        while j < c.len() && (c[j] == ' ' || c[j] == '\t') {
            j += 1;
        }
        let value: String = if j < c.len() && (c[j] == '\'' || c[j] == '"') {
            let q = c[j];
            c[j + 1..]
                .iter()
                .take_while(|x| **x != q && **x != '\n')
                .collect()
        } else {
            c[j..]
                .iter()
                .take_while(|x| !matches!(x, ',' | '}' | '\n'))
                .collect()
        };
        // Nested objects (`themeVariables: {`) and empty values are not colours.
        let v = value.trim();
        if !v.is_empty() && !v.starts_with('{') && !is_colour(v) {
            return Some(v.to_string());
        }
        i = j;
    }
    None
}

/// `/^\s*%%(?!{)[^\n]+\n?/gm` removed, then `trimStart`.
fn cleanup_comments(t: &mut Tracked) {
    // Built in one pass, in the input's positions (removing each comment line in place made
    // many comment lines quadratic).
    let n = t.chars.len();
    let mut out = Tracked::default();
    let mut kept = 0;
    let mut p = 0;
    while p <= n {
        let mut q = p;
        while q < n && is_js_space(t.chars[q]) {
            q += 1;
        }
        let is_comment =
            t.starts_with(q, "%%") && t.chars.get(q + 2).is_some_and(|c| *c != '{' && *c != '\n');
        if is_comment {
            let mut e = q + 2;
            while e < n && t.chars[e] != '\n' {
                e += 1;
            }
            if e < n {
                e += 1;
            }
            t.copy_to(&mut out, kept, p);
            kept = e;
            if e == n {
                break;
            }
            p = e;
            continue;
        }
        // Every line start up to q sees the same blanks and then q, so none of them starts a
        // comment either: the next candidate is the line after q (this keeps blank lines
        // linear).
        match (q..n).find(|&i| t.chars[i] == '\n') {
            Some(nl) => p = nl + 1,
            None => break,
        }
    }
    t.copy_to(&mut out, kept, n);
    let lead = out.chars.iter().take_while(|c| is_js_space(**c)).count();
    out.chars.drain(..lead);
    out.lines.drain(..lead);
    *t = out;
}

/// Mermaid's `encodeEntities`: a trailing `;` dropped from style/classDef lines with a colour,
/// then `#name;` / `#123;` turned into placeholders the lexer sees as ordinary text.
fn encode_entities(t: &mut Tracked) {
    for kw in ["style", "classDef"] {
        let n = t.chars.len();
        let mut semis = Vec::new();
        let mut i = 0;
        while i < n {
            if !t.starts_with(i, kw) {
                i += 1;
                continue;
            }
            let from = i + kw.len();
            let mut eol = from;
            while eol < n && !is_line_terminator(t.chars[eol]) {
                eol += 1;
            }
            let last_semi = (from..eol).rev().find(|&k| t.chars[k] == ';');
            if let Some(k) = last_semi.filter(|&k| has_colon_hash(&t.chars[from..k])) {
                semis.push(k);
            }
            // A later keyword on this line sees a suffix of this one's text, so it cannot match
            // where this one did not; after a match no `;` is left behind it. Either way the
            // next match starts on another line (trying each keyword of a line of many
            // keywords was quadratic).
            i = eol;
        }
        if !semis.is_empty() {
            let mut out = Tracked::default();
            let mut kept = 0;
            for k in semis {
                t.copy_to(&mut out, kept, k);
                kept = k + 1;
            }
            t.copy_to(&mut out, kept, n);
            *t = out;
        }
    }
    let n = t.chars.len();
    let mut out = Tracked::default();
    let mut kept = 0;
    let mut i = 0;
    while i < n {
        if t.chars[i] == '#' {
            let mut j = i + 1;
            while j < n && is_js_word(t.chars[j]) {
                j += 1;
            }
            if j > i + 1 && t.chars.get(j) == Some(&';') {
                let inner: String = t.chars[i + 1..j].iter().collect();
                let numeric = inner.chars().all(|c| c.is_ascii_digit());
                let rep = if numeric {
                    format!("\u{FB02}\u{B0}\u{B0}{inner}\u{B6}\u{DF}")
                } else {
                    format!("\u{FB02}\u{B0}{inner}\u{B6}\u{DF}")
                };
                t.copy_to(&mut out, kept, i);
                let line = t.lines[i];
                for c in rep.chars() {
                    out.chars.push(c);
                    out.lines.push(line);
                }
                kept = j + 1;
                i = j + 1;
                continue;
            }
        }
        i += 1;
    }
    if kept > 0 {
        t.copy_to(&mut out, kept, n);
        *t = out;
    }
}

/// `:\S*#` somewhere in the slice (the middle of `style.*:\S*#.*;`), in one pass: a `#` matches
/// when a `:` came before it with no space between.
fn has_colon_hash(s: &[char]) -> bool {
    let mut colon = false;
    for ch in s {
        if *ch == ':' {
            colon = true;
        } else if *ch == '#' && colon {
            return true;
        } else if is_js_space(*ch) {
            colon = false;
        }
    }
    false
}

/// JavaScript's line terminators (what `.` does not match).
pub fn is_line_terminator(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}')
}

/// `src.replace(/}\s*\n/g, "}\n")` from mermaid's `flowParser.ts`.
fn squeeze_after_brace(t: &mut Tracked) {
    let n = t.chars.len();
    let mut out = Tracked::default();
    let mut kept = 0;
    let mut i = 0;
    while i < n {
        if t.chars[i] == '}' {
            let mut j = i + 1;
            let mut last_nl = None;
            while j < n && is_js_space(t.chars[j]) {
                if t.chars[j] == '\n' {
                    last_nl = Some(j);
                }
                j += 1;
            }
            if let Some(nl) = last_nl {
                // The blanks become one newline, on the line of the first blank.
                t.copy_to(&mut out, kept, i + 1);
                out.chars.push('\n');
                out.lines.push(t.lines[i + 1]);
                kept = nl + 1;
                i = nl + 1;
                continue;
            }
        }
        i += 1;
    }
    if kept > 0 {
        t.copy_to(&mut out, kept, n);
        *t = out;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flow(text: &str) -> String {
        match prepare(text) {
            Prepared::Flowchart(t) => t.to_string_lossless(),
            other => panic!("not a flowchart: {other:?}"),
        }
    }

    #[test]
    fn comments_front_matter_and_directives_go() {
        assert_eq!(
            flow("---\ntitle: x\n---\n%%{init: {}}%%\nflowchart TB\n  %% note\n  A\n"),
            "flowchart TB\n  A\n\n"
        );
    }

    #[test]
    fn entities_and_style_semicolons_as_in_mermaid() {
        assert_eq!(
            flow("graph TB\nstyle A fill:#e1f5fe;stroke:#01579b\n"),
            "graph TB\nstyle A fill:#e1f5festroke:#01579b\n\n"
        );
        assert_eq!(
            flow("graph TB\nA[Issue #123; x]\n"),
            "graph TB\nA[Issue \u{FB02}\u{B0}\u{B0}123\u{B6}\u{DF} x]\n\n"
        );
    }

    #[test]
    fn theme_colours_are_validated_like_mermaid() {
        assert_eq!(bad_config_colour("{'primaryColor': '#BB2528'}"), None);
        assert_eq!(bad_config_colour("{'lineColor': 'red', 'x': 'BB'}"), None);
        assert_eq!(
            bad_config_colour("{'primaryColor': 'BB2528'}").as_deref(),
            Some("BB2528")
        );
        assert_eq!(
            bad_config_colour("primaryColor: \"#ff\"").as_deref(),
            Some("#ff")
        );
    }

    #[test]
    fn other_types_are_recognised() {
        assert!(matches!(
            prepare("sequenceDiagram\nA->>B: hi"),
            Prepared::Other(_)
        ));
        assert!(matches!(prepare("flowchar TB\nA"), Prepared::Unknown));
    }

    #[test]
    fn lines_survive_removed_comment_lines() {
        let Prepared::Flowchart(t) = prepare("flowchart TB\n%% c\nA --> B\n") else {
            panic!()
        };
        let a = t.chars.iter().position(|c| *c == 'A').unwrap();
        assert_eq!(t.lines[a], 3);
    }
}
