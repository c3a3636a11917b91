//! Just enough Markdown for the checklist: headings, fenced code blocks, `$$...$$` display
//! math, pipe tables, HTML comments and paragraphs, each with its 1-based line.
//!
//! The document is cut into blocks line by line, CommonMark-style where it matters for the
//! checks: nothing inside a fenced code block is a heading, a formula or a table, and an HTML
//! comment is not content (templates explain themselves in comments).

/// What a block is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `#` .. `######` heading.
    Heading { level: usize, text: String },
    /// A fenced code block; `info` is the first word of the info string (`mermaid`, `python`).
    Fence { info: String, code: String },
    /// A display formula from an opening `$$` line to its closing `$$`.
    Math,
    /// A pipe table: header cells and data rows (line, cells).
    Table {
        header: Vec<String>,
        rows: Vec<(usize, Vec<String>)>,
    },
    /// `<!-- ... -->`.
    Comment,
    /// Anything else that is not blank.
    Paragraph,
}

/// One block and the lines it spans (1-based, inclusive).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    pub kind: Kind,
    pub line: usize,
    pub end_line: usize,
}

impl Block {
    /// Whether the block is content a reader sees (not a comment).
    pub fn is_content(&self) -> bool {
        !matches!(self.kind, Kind::Comment)
    }
}

/// A parsed Markdown document.
#[derive(Clone, Debug)]
pub struct Doc {
    pub blocks: Vec<Block>,
}

/// A heading and the blocks under it, up to the next heading of the same or a higher level.
#[derive(Clone, Copy, Debug)]
pub struct Section<'a> {
    pub level: usize,
    pub title: &'a str,
    /// Line of the heading.
    pub line: usize,
    /// The blocks after the heading (sub-sections included).
    pub body: &'a [Block],
}

impl Section<'_> {
    /// Whether anything but comments (and sub-headings) is under the heading.
    pub fn has_content(&self) -> bool {
        self.body
            .iter()
            .any(|b| b.is_content() && !matches!(b.kind, Kind::Heading { .. }))
    }
}

impl Doc {
    /// Cuts `text` into blocks.
    pub fn parse(text: &str) -> Doc {
        let lines: Vec<&str> = text.lines().collect();
        let mut blocks = Vec::new();
        let mut i = 0;
        while i < lines.len() {
            let line = lines[i];
            let start = i + 1;
            if line.trim().is_empty() {
                i += 1;
                continue;
            }
            if let Some((ch, len, info)) = fence_open(line) {
                let mut j = i + 1;
                while j < lines.len() && !fence_closes(lines[j], ch, len) {
                    j += 1;
                }
                let code = lines[i + 1..j.min(lines.len())].join("\n");
                let end = j.min(lines.len() - 1);
                blocks.push(Block {
                    kind: Kind::Fence { info, code },
                    line: start,
                    end_line: end + 1,
                });
                i = j + 1;
                continue;
            }
            if line.trim_start().starts_with("<!--") {
                let mut j = i;
                while j < lines.len() && !lines[j].contains("-->") {
                    j += 1;
                }
                let end = j.min(lines.len() - 1);
                blocks.push(Block {
                    kind: Kind::Comment,
                    line: start,
                    end_line: end + 1,
                });
                i = end + 1;
                continue;
            }
            if let Some((level, text)) = heading(line) {
                blocks.push(Block {
                    kind: Kind::Heading { level, text },
                    line: start,
                    end_line: start,
                });
                i += 1;
                continue;
            }
            let trimmed = line.trim();
            if let Some(rest) = trimmed.strip_prefix("$$") {
                // `$$ x $$` on one line, or `$$` ... `$$` over several.
                let mut j = i;
                if !rest.contains("$$") {
                    j = i + 1;
                    while j < lines.len() && !lines[j].contains("$$") {
                        j += 1;
                    }
                }
                let end = j.min(lines.len() - 1);
                blocks.push(Block {
                    kind: Kind::Math,
                    line: start,
                    end_line: end + 1,
                });
                i = end + 1;
                continue;
            }
            if line.contains('|') && lines.get(i + 1).is_some_and(|l| is_delimiter_row(l)) {
                let header = cells(line);
                let mut rows = Vec::new();
                let mut j = i + 2;
                while j < lines.len() && lines[j].contains('|') && !lines[j].trim().is_empty() {
                    rows.push((j + 1, cells(lines[j])));
                    j += 1;
                }
                blocks.push(Block {
                    kind: Kind::Table { header, rows },
                    line: start,
                    end_line: j,
                });
                i = j;
                continue;
            }
            // A paragraph runs to a blank line or the start of another block.
            let mut j = i + 1;
            while j < lines.len() {
                let l = lines[j];
                if l.trim().is_empty()
                    || fence_open(l).is_some()
                    || heading(l).is_some()
                    || l.trim_start().starts_with("$$")
                    || l.trim_start().starts_with("<!--")
                    || (l.contains('|') && lines.get(j + 1).is_some_and(|n| is_delimiter_row(n)))
                {
                    break;
                }
                j += 1;
            }
            blocks.push(Block {
                kind: Kind::Paragraph,
                line: start,
                end_line: j,
            });
            i = j;
        }
        Doc { blocks }
    }

    /// Every heading with its section, in document order.
    pub fn sections(&self) -> Vec<Section<'_>> {
        let mut out = Vec::new();
        for (i, b) in self.blocks.iter().enumerate() {
            let Kind::Heading { level, text } = &b.kind else {
                continue;
            };
            let end = self.blocks[i + 1..]
                .iter()
                .position(|n| matches!(n.kind, Kind::Heading { level: l, .. } if l <= *level))
                .map_or(self.blocks.len(), |p| i + 1 + p);
            out.push(Section {
                level: *level,
                title: text,
                line: b.line,
                body: &self.blocks[i + 1..end],
            });
        }
        out
    }

    /// The first section whose title contains one of `keywords` (English ones compared in lower
    /// case), among headings of at least `min_level`.
    pub fn find_section(&self, keywords: &[&str], min_level: usize) -> Option<Section<'_>> {
        self.sections()
            .into_iter()
            .find(|s| s.level >= min_level && title_matches(s.title, keywords))
    }
}

/// Whether a heading title names one of `keywords` (case-insensitive).
pub fn title_matches(title: &str, keywords: &[&str]) -> bool {
    let lower = title.to_lowercase();
    keywords.iter().any(|k| lower.contains(&k.to_lowercase()))
}

/// `(fence char, fence length, info word)` of an opening code fence.
fn fence_open(line: &str) -> Option<(char, usize, String)> {
    let t = line.trim_start_matches(' ');
    if line.len() - t.len() > 3 {
        return None;
    }
    let ch = t.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let len = t.chars().take_while(|c| *c == ch).count();
    if len < 3 {
        return None;
    }
    let info = &t[len..];
    if ch == '`' && info.contains('`') {
        return None;
    }
    let word = info.split_whitespace().next().unwrap_or("");
    Some((ch, len, word.trim_matches(['{', '}']).to_lowercase()))
}

fn fence_closes(line: &str, ch: char, len: usize) -> bool {
    let t = line.trim_start_matches(' ');
    if line.len() - t.len() > 3 {
        return false;
    }
    let run = t.chars().take_while(|c| *c == ch).count();
    run >= len && t[run..].trim().is_empty()
}

fn heading(line: &str) -> Option<(usize, String)> {
    let t = line.trim_start_matches(' ');
    if line.len() - t.len() > 3 {
        return None;
    }
    let level = t.chars().take_while(|c| *c == '#').count();
    if !(1..=6).contains(&level) {
        return None;
    }
    let rest = &t[level..];
    if !rest.is_empty() && !rest.starts_with([' ', '\t']) {
        return None;
    }
    let text = rest.trim().trim_end_matches('#').trim_end();
    Some((level, text.to_string()))
}

/// `|---|:---:|` (pipes optional at the ends, at least one `-` per cell).
fn is_delimiter_row(line: &str) -> bool {
    let t = line.trim();
    if !t.contains('-') || !(t.contains('|') || t.starts_with('-')) {
        return false;
    }
    let cells = cells(t);
    !cells.is_empty()
        && cells.iter().all(|c| {
            let c = c.trim_matches(':');
            !c.is_empty() && c.chars().all(|ch| ch == '-')
        })
}

/// The cells of a table row: split at pipes that are not escaped, outer pipes dropped.
pub fn cells(line: &str) -> Vec<String> {
    let t = line.trim();
    let t = t.strip_prefix('|').unwrap_or(t);
    let t = if t.ends_with('|') && !t.ends_with("\\|") {
        &t[..t.len() - 1]
    } else {
        t
    };
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = t.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                cur.push('|');
                chars.next();
            }
            '|' => out.push(std::mem::take(&mut cur).trim().to_string()),
            _ => cur.push(c),
        }
    }
    out.push(cur.trim().to_string());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(String, usize, usize)> {
        Doc::parse(text)
            .blocks
            .iter()
            .map(|b| {
                let k = match &b.kind {
                    Kind::Heading { level, text } => format!("h{level} {text}"),
                    Kind::Fence { info, .. } => format!("fence {info}"),
                    Kind::Math => "math".into(),
                    Kind::Table { rows, .. } => format!("table {}", rows.len()),
                    Kind::Comment => "comment".into(),
                    Kind::Paragraph => "para".into(),
                };
                (k, b.line, b.end_line)
            })
            .collect()
    }

    #[test]
    fn blocks_with_lines() {
        let text = "# Title\n\nSome text\nmore text\n\n$$\nx = 1\n$$\n\n| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\n\n```python\n# not a heading\n$$ not math $$\n| a | b |\n|---|---|\n```\n<!-- a\ncomment -->\n## Sub ##\n$$ y $$\n";
        assert_eq!(
            kinds(text),
            vec![
                ("h1 Title".to_string(), 1, 1),
                ("para".to_string(), 3, 4),
                ("math".to_string(), 6, 8),
                ("table 2".to_string(), 10, 13),
                ("fence python".to_string(), 15, 20),
                ("comment".to_string(), 21, 22),
                ("h2 Sub".to_string(), 23, 23),
                ("math".to_string(), 24, 24),
            ]
        );
    }

    #[test]
    fn fence_rules() {
        // A longer closing fence closes; a shorter one does not; tildes are fences too; four
        // spaces of indent are not a fence.
        let text = "````md\n```\n# inside\n`````\n~~~\n# inside too\n~~~\n    ```\n# real\n";
        assert_eq!(
            kinds(text),
            vec![
                ("fence md".to_string(), 1, 4),
                ("fence ".to_string(), 5, 7),
                ("para".to_string(), 8, 8),
                ("h1 real".to_string(), 9, 9),
            ]
        );
    }

    #[test]
    fn sections_nest() {
        let doc = Doc::parse("# A\n## B\ntext\n### C\nmore\n## D\n<!-- only a comment -->\n# E\n");
        let s = doc.sections();
        let titles: Vec<(&str, usize)> = s.iter().map(|s| (s.title, s.body.len())).collect();
        assert_eq!(
            titles,
            vec![("A", 6), ("B", 3), ("C", 1), ("D", 1), ("E", 0)]
        );
        assert!(s[1].has_content());
        assert!(!s[3].has_content(), "a comment is not content");
        let d = doc.find_section(&["d"], 2).unwrap();
        assert_eq!(d.line, 6);
    }

    #[test]
    fn table_cells() {
        assert_eq!(cells("| a | b \\| c | `d` |"), vec!["a", "b | c", "`d`"]);
        assert_eq!(cells("a | b"), vec!["a", "b"]);
        assert_eq!(cells("| a | |"), vec!["a", ""]);
        assert!(is_delimiter_row("|---|:--:|"));
        assert!(is_delimiter_row("--- | ---"));
        assert!(!is_delimiter_row("| a | b |"));
        assert!(!is_delimiter_row("|   |   |"));
    }
}
