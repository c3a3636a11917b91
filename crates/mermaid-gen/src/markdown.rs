//! Finding Mermaid blocks: fenced ```` ```mermaid ```` / `~~~mermaid` blocks in Markdown, or a
//! whole `.mmd` file.

/// One Mermaid block and where it sits in its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// 1-based line of the first line of diagram text in the file.
    pub first_line: usize,
    /// 1-based line of the opening fence (equal to `first_line` for a whole file).
    pub fence_line: usize,
    pub text: String,
    /// Byte range of the diagram text in the file (for `--fix`).
    pub byte_range: std::ops::Range<usize>,
}

/// Every fenced `mermaid` block (CommonMark fences: 3+ backticks or tildes, up to 3 spaces of
/// indent, closed by a fence of the same character at least as long). An unclosed fence runs to
/// the end of the file, as in CommonMark.
pub fn mermaid_blocks(markdown: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut offset = 0;
    let lines: Vec<&str> = markdown.split_inclusive('\n').collect();
    let mut i = 0;
    let mut starts = Vec::with_capacity(lines.len());
    for l in &lines {
        starts.push(offset);
        offset += l.len();
    }
    while i < lines.len() {
        let line = lines[i].trim_end_matches(['\n', '\r']);
        let Some((ch, len, info, indent)) = fence_open(line) else {
            i += 1;
            continue;
        };
        // Find the closing fence.
        let mut j = i + 1;
        while j < lines.len() {
            let l = lines[j].trim_end_matches(['\n', '\r']);
            let t = l.trim_start_matches(' ');
            if l.len() - t.len() <= 3 {
                let run = t.chars().take_while(|c| *c == ch).count();
                if run >= len && t[run..].trim().is_empty() {
                    break;
                }
            }
            j += 1;
        }
        let lang = info.split_whitespace().next().unwrap_or("");
        if lang.eq_ignore_ascii_case("mermaid") || lang == "{mermaid}" {
            let start = if i + 1 < lines.len() {
                starts[i + 1]
            } else {
                markdown.len()
            };
            let end = if j < lines.len() {
                starts[j]
            } else {
                markdown.len()
            };
            let start = start.min(end);
            let text = strip_indent(&markdown[start..end], indent);
            blocks.push(Block {
                first_line: i + 2,
                fence_line: i + 1,
                text,
                byte_range: start..end,
            });
        }
        i = j + 1;
    }
    blocks
}

fn strip_indent(text: &str, indent: usize) -> String {
    if indent == 0 {
        return text.to_string();
    }
    text.split_inclusive('\n')
        .map(|l| {
            let n = l.chars().take(indent).take_while(|c| *c == ' ').count();
            &l[n..]
        })
        .collect()
}

fn fence_open(line: &str) -> Option<(char, usize, &str, usize)> {
    let t = line.trim_start_matches(' ');
    let indent = line.len() - t.len();
    if indent > 3 {
        return None;
    }
    let ch = t.chars().next()?;
    if ch != '`' && ch != '~' {
        return None;
    }
    let len = t.chars().take_while(|c| *c == ch).count();
    if len < 3 {
        return None;
    }
    let info = &t[len..];
    if ch == '`' && info.contains('`') {
        return None;
    }
    Some((ch, len, info.trim(), indent))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_fenced_blocks_with_lines() {
        let md = "# T\n\n```mermaid\ngraph TB\nA-->B\n```\n\n```python\nx\n```\n~~~~ mermaid\nflowchart LR\n~~~~\n";
        let b = mermaid_blocks(md);
        assert_eq!(b.len(), 2);
        assert_eq!(b[0].fence_line, 3);
        assert_eq!(b[0].first_line, 4);
        assert_eq!(b[0].text, "graph TB\nA-->B\n");
        assert_eq!(&md[b[0].byte_range.clone()], "graph TB\nA-->B\n");
        assert_eq!(b[1].first_line, 12);
        assert_eq!(b[1].text, "flowchart LR\n");
    }

    #[test]
    fn indented_fence_in_a_list_is_dedented() {
        let md = "- item\n  ```mermaid\n  graph TB\n    A\n  ```\n";
        let b = mermaid_blocks(md);
        assert_eq!(b[0].text, "graph TB\n  A\n");
    }
}
