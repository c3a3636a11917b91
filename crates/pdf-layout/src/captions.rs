//! Recognising caption starts ("Figure 3:", "Fig. 3.", "FIGURE 3", "Table II.", "图 3").
//!
//! A caption start is a label word at the start of a line followed by an id and a delimiter.
//! The delimiter is what separates a caption from an in-text reference such as "Figure 3 shows"
//! at the start of a line: pdffigures2 uses the same signal as its first filter. Labels in all
//! capitals and Chinese labels are accepted without a delimiter, since body text rarely shouts and
//! Chinese captions are usually set as "图 3 网络结构".

use serde::Serialize;

/// What a caption labels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CaptionKind {
    /// "Figure", "Fig.", "图".
    Figure,
    /// "Table", "Tab.", "表".
    Table,
}

/// A recognised caption start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaptionStart {
    /// Figure or table.
    pub kind: CaptionKind,
    /// The id as printed: "3", "III", "A1", "3.2".
    pub id: String,
}

const LABELS: &[(&str, CaptionKind, bool)] = &[
    // (label, kind, accepted without a delimiter)
    ("FIGURE", CaptionKind::Figure, true),
    ("Figure", CaptionKind::Figure, false),
    ("FIG.", CaptionKind::Figure, true),
    ("Fig.", CaptionKind::Figure, false),
    ("Fig", CaptionKind::Figure, false),
    ("图", CaptionKind::Figure, true),
    ("TABLE", CaptionKind::Table, true),
    ("Table", CaptionKind::Table, false),
    ("Tab.", CaptionKind::Table, false),
    ("表", CaptionKind::Table, true),
];

/// Parses the start of a line; `None` when it is not a caption start.
pub fn caption_start(line: &str) -> Option<CaptionStart> {
    let line = line.trim_start();
    for &(label, kind, bare_ok) in LABELS {
        let Some(rest) = line.strip_prefix(label) else {
            continue;
        };
        let rest = rest.trim_start();
        let id_len = id_length(rest);
        if id_len == 0 {
            continue;
        }
        let (id, after) = rest.split_at(id_len);
        let delimited = after.starts_with([':', '.', '|', '—', '–', '：', '．'])
            || after.trim_start().starts_with(['|', '—', '：']);
        let bare = after.is_empty() || after.starts_with(char::is_whitespace);
        if delimited || (bare_ok && bare) {
            let id = id.trim_end_matches('.').to_string();
            if id.is_empty() {
                continue;
            }
            return Some(CaptionStart { kind, id });
        }
    }
    None
}

/// Length in bytes of an id at the start of `s`: "3", "12", "A1", "A.1", "S2", "3.2", "III".
fn id_length(s: &str) -> usize {
    let bytes = s.as_bytes();
    let mut i = 0;
    // Optional appendix letter before digits ("A1", "S2", "A.1").
    if bytes.len() > 1 && bytes[0].is_ascii_uppercase() {
        if bytes[1].is_ascii_digit() {
            i = 1;
        } else if bytes.len() > 2 && bytes[1] == b'.' && bytes[2].is_ascii_digit() {
            i = 2;
        }
    }
    let digits_start = i;
    while i < bytes.len() && bytes[i].is_ascii_digit() {
        i += 1;
    }
    if i > digits_start {
        // "3.2" but not the sentence dot in "3. The".
        if i + 1 < bytes.len() && bytes[i] == b'.' && bytes[i + 1].is_ascii_digit() {
            i += 1;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
        }
        // A letter directly after digits ("3a") is a subfigure or a word: reject "3rd".
        if i < bytes.len() && bytes[i].is_ascii_alphabetic() {
            return 0;
        }
        return i;
    }
    // Roman numerals, as in IEEE "TABLE III".
    let roman = s
        .bytes()
        .take_while(|b| matches!(b, b'I' | b'V' | b'X' | b'L'))
        .count();
    if roman > 0
        && s[roman..]
            .chars()
            .next()
            .is_none_or(|c| !c.is_alphanumeric())
    {
        return roman;
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Option<(CaptionKind, String)> {
        caption_start(s).map(|c| (c.kind, c.id))
    }

    #[test]
    fn accepts_the_usual_caption_styles() {
        use CaptionKind::*;
        assert_eq!(parse("Figure 3: Results"), Some((Figure, "3".into())));
        assert_eq!(parse("Fig. 3. The net"), Some((Figure, "3".into())));
        assert_eq!(parse("Fig. 12: x"), Some((Figure, "12".into())));
        assert_eq!(parse("FIGURE 3 Overview"), Some((Figure, "3".into())));
        assert_eq!(parse("Figure 1 | Overview"), Some((Figure, "1".into())));
        assert_eq!(parse("图 3 网络结构"), Some((Figure, "3".into())));
        assert_eq!(parse("图3：网络结构"), Some((Figure, "3".into())));
        assert_eq!(parse("TABLE III"), Some((Table, "III".into())));
        assert_eq!(parse("Table 2: Sizes"), Some((Table, "2".into())));
        assert_eq!(parse("Figure A1: Appendix"), Some((Figure, "A1".into())));
        assert_eq!(parse("Figure A.1: Appendix"), Some((Figure, "A.1".into())));
        assert_eq!(parse("Fig. B.12. Appendix"), Some((Figure, "B.12".into())));
        assert_eq!(parse("表 3 超参数"), Some((Table, "3".into())));
        assert_eq!(parse("表3：超参数"), Some((Table, "3".into())));
        assert_eq!(parse("Figure 3."), Some((Figure, "3".into())));
    }

    #[test]
    fn rejects_in_text_references() {
        assert_eq!(parse("Figure 3 shows the results"), None);
        assert_eq!(parse("Fig. 3 and Fig. 4 show"), None);
        assert_eq!(parse("Table 2 lists"), None);
        assert_eq!(parse("Figures 3: plural"), None);
        assert_eq!(parse("Figure shows"), None);
        assert_eq!(parse("In Figure 3: no"), None);
        assert_eq!(parse("Figure A.1 repeats the experiment"), None);
    }
}
