//! Section headings in reading order, and the section any block belongs to.
//!
//! A heading is recognised by what a reader sees without font names: a number in the style of
//! the paper ("3", "3.4", "3.4.1", "A", "A.2", "IV") followed by a short capitalised title on a
//! line of its own (or at the start of a block: a subsection title 2 pt below its paragraph is
//! read into the paragraph's block), or one of the unnumbered titles papers use ("Abstract",
//! "References", "Appendix", ...), or a short line set clearly larger than the body text.
//!
//! Numbered candidates are then kept only when their numbers run forward through the document
//! (2 after 1.3, 2.1 after 2, A after 5, B.1 after A.2): enumerated list items ("1. We
//! propose"), table rows and axis labels also start with numbers, but never continue the
//! document's numbering.

use crate::page::{BlockRole, PageLayout};
use serde::Serialize;

/// A section heading.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Heading {
    /// Index of the block in the page's reading order that holds the heading (as its first line).
    pub block: usize,
    /// Nesting depth from the numbering: "3" is 1, "3.4" is 2, "A.2.1" is 3; unnumbered is 1.
    pub level: u8,
    /// The number as printed, without a trailing dot ("3.4", "A.2", "IV"); `None` when unnumbered.
    pub number: Option<String>,
    /// 1-based page.
    pub page: usize,
    /// The title without the number.
    pub title: String,
}

/// Unnumbered section titles, compared case-insensitively without trailing punctuation.
const UNNUMBERED: &[&str] = &[
    "abstract",
    "acknowledgement",
    "acknowledgements",
    "acknowledgment",
    "acknowledgments",
    "appendix",
    "appendices",
    "bibliography",
    "conclusion",
    "conclusions",
    "introduction",
    "references",
    "related work",
    "supplementary material",
];

/// Finds the section headings of a document, in reading order.
pub fn sections(layouts: &[PageLayout]) -> Vec<Heading> {
    let body = body_size(layouts);
    let mut out: Vec<Heading> = Vec::new();
    // Last accepted number, as components, to check that numbering runs forward.
    let mut last: Option<Vec<Part>> = None;
    let mut roman_sections = false;
    for layout in layouts {
        for (k, placed) in layout.blocks.iter().enumerate() {
            if !matches!(placed.role, BlockRole::Body | BlockRole::Other) {
                continue;
            }
            let block = &placed.block;
            let line = &block.lines[0];
            let text = line.text();
            // A heading is a line of its own: a one-line block, or a first line that stops
            // short of the block's right edge or is set larger than the lines under it.
            let own_line = block.lines.len() == 1
                || line.bbox.x1 < block.bbox.x1 - 0.15 * block.bbox.width()
                || line.size > block.lines[1].size + 0.5;
            // A long numbered title wraps into a short block of two or three lines, the last
            // one shorter (a paragraph's first lines are full).
            let words: usize = block.lines.iter().map(|l| l.words.len()).sum();
            let wrapped = (2..=3).contains(&block.lines.len())
                && words <= 16
                && numbered(&text).is_some()
                && block.lines.iter().all(|l| l.size > body - 0.6)
                && block
                    .lines
                    .last()
                    .is_some_and(|l| l.bbox.width() < line.bbox.width());
            let text = if wrapped && !own_line {
                let mut joined = String::new();
                for l in &block.lines {
                    if !joined.is_empty() && !joined.ends_with('\u{ad}') {
                        joined.push(' ');
                    }
                    joined.push_str(&l.text());
                }
                joined
            } else {
                text
            };
            // A soft hyphen (U+00AD) marks where a word may break and prints only at a line
            // end; in a title it is no character of the title (issue 18: "Intro\u{ad}duction").
            let text = text.replace('\u{ad}', "");
            let own_line = own_line || wrapped;
            if !own_line {
                if let Some(title) = run_in_unnumbered(&text) {
                    out.push(Heading {
                        block: k,
                        level: 1,
                        number: None,
                        page: layout.number,
                        title,
                    });
                }
                continue;
            }
            if let Some((number, title)) = numbered(&text) {
                let parts = parse_number(&number);
                if placed.role == BlockRole::Other && line.size < body - 0.6 {
                    continue;
                }
                // Before any numbered heading, "A ConvNet for the 2020s" is a title starting
                // with the article, not appendix A: taken as one, it hid every body section
                // after it ("1. Introduction" does not follow A). Appendix "A. Proofs" keeps
                // its dot, and an "Appendix" heading makes a bare "A" follow.
                if last.is_none()
                    && matches!(parts.first(), Some(Part::Letter(_)))
                    && !text.starts_with(&format!("{number}."))
                {
                    continue;
                }
                let is_roman = matches!(parts.first(), Some(Part::Roman(_)));
                if follows(last.as_deref(), &parts, roman_sections) {
                    roman_sections |= is_roman && parts.len() == 1;
                    let level = if roman_sections && matches!(parts[0], Part::Letter(_)) {
                        2
                    } else {
                        parts.len() as u8
                    };
                    out.push(Heading {
                        block: k,
                        level,
                        number: Some(number),
                        page: layout.number,
                        title,
                    });
                    last = Some(parts);
                }
                continue;
            }
            let bare = text.trim_end_matches(['.', ':']).trim();
            let known = UNNUMBERED.contains(&bare.to_lowercase().as_str());
            let large = block.lines.len() <= 2
                && line.size > body * 1.15
                && placed.role == BlockRole::Body
                && looks_like_title(bare)
                && !(layout.number == 1 && out.is_empty());
            if known || large {
                if bare.eq_ignore_ascii_case("appendix") || bare.eq_ignore_ascii_case("appendices")
                {
                    // Appendix sections restart at "A" (or "A.1").
                    last = Some(vec![Part::Number(u32::MAX)]);
                }
                out.push(Heading {
                    block: k,
                    level: 1,
                    number: None,
                    page: layout.number,
                    title: bare.to_string(),
                });
            }
        }
    }
    out
}

/// The heading of the section that block `block` of page `page` (1-based) lies in: the last
/// heading at or before it in reading order.
pub fn section_at(headings: &[Heading], page: usize, block: usize) -> Option<&Heading> {
    headings
        .iter()
        .take_while(|h| (h.page, h.block) <= (page, block))
        .last()
}

/// The chain of headings enclosing a position, outermost first ("3 Method" > "3.4
/// Implementation"), for callers that print a section path.
pub fn section_path(headings: &[Heading], page: usize, block: usize) -> Vec<&Heading> {
    let before: Vec<&Heading> = headings
        .iter()
        .take_while(|h| (h.page, h.block) <= (page, block))
        .collect();
    let mut path: Vec<&Heading> = Vec::new();
    for h in before.into_iter().rev() {
        if path.last().is_none_or(|inner| h.level < inner.level) {
            path.push(h);
        }
        if h.level <= 1 {
            break;
        }
    }
    path.reverse();
    path
}

/// The most common line size over running text (in half points, so 9.5 pt stays 9.5).
pub fn body_size(layouts: &[PageLayout]) -> f64 {
    let mut counts = std::collections::BTreeMap::<i64, usize>::new();
    for l in layouts {
        for b in l.blocks.iter().filter(|b| b.role == BlockRole::Body) {
            for line in &b.block.lines {
                *counts.entry((line.size * 2.0).round() as i64).or_default() += line.words.len();
            }
        }
    }
    counts
        .iter()
        .max_by_key(|(s, n)| (**n, **s))
        .map_or(10.0, |(s, _)| *s as f64 / 2.0)
}

/// "Abstract—We ...", "Abstract. We ...": an unnumbered title run into its paragraph.
fn run_in_unnumbered(text: &str) -> Option<String> {
    let first = text.split([' ', '—', '–', ':']).next()?;
    let bare = first.trim_end_matches(['.', ':']);
    let rest = &text[first.len()..];
    let is_abstract = bare == "Abstract" || bare == "ABSTRACT";
    (is_abstract && (first.ends_with('.') || rest.starts_with(['—', '–', ':'])))
        .then(|| "Abstract".to_string())
}

/// Splits "3.4. Implementation" into ("3.4", "Implementation") when the line reads as a
/// numbered heading.
fn numbered(text: &str) -> Option<(String, String)> {
    let (num, title) = text.split_once(' ')?;
    let num = num.trim_end_matches('.');
    if num.is_empty() || num.len() > 9 {
        return None;
    }
    let parts: Vec<&str> = num.split('.').collect();
    let head_ok = parts[0].chars().all(|c| c.is_ascii_digit())
        || (parts[0].len() == 1 && parts[0].chars().all(|c| c.is_ascii_uppercase()))
        || is_roman(parts[0]);
    let rest_ok = parts[1..]
        .iter()
        .all(|p| !p.is_empty() && p.len() <= 2 && p.chars().all(|c| c.is_ascii_digit()));
    if !(head_ok && rest_ok) {
        return None;
    }
    let title = title.trim();
    if !looks_like_title(title) {
        return None;
    }
    // A one-letter number ("A Note on ...") is common English: it needs the dot or a title
    // that is not a sentence.
    if parts.len() == 1 && parts[0] == "A" && !text.starts_with("A.") && title.contains(' ') {
        let lower = title.chars().next().is_some_and(char::is_lowercase);
        if lower {
            return None;
        }
    }
    Some((num.to_string(), title.to_string()))
}

/// Short, starts with a capital (or a digit/symbol), does not end like a sentence.
fn looks_like_title(title: &str) -> bool {
    let words = title.split_whitespace().count();
    let Some(first) = title.chars().next() else {
        return false;
    };
    let bad_end = title.ends_with([',', ';', '=', '+', '-', '(']);
    let sentence_end = title.ends_with('.') && words > 10;
    (1..=14).contains(&words)
        && (first.is_uppercase() || first.is_ascii_digit())
        && !bad_end
        && !sentence_end
        && title.chars().filter(|c| c.is_alphabetic()).count() >= 3
        && title.chars().filter(char::is_ascii_digit).count() * 3 < title.len()
}

fn is_roman(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 5
        && s.chars().all(|c| matches!(c, 'I' | 'V' | 'X'))
        && roman_value(s).is_some()
}

fn roman_value(s: &str) -> Option<u32> {
    const NUMERALS: [&str; 15] = [
        "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV",
        "XV",
    ];
    NUMERALS.iter().position(|n| *n == s).map(|i| i as u32 + 1)
}

/// One component of a section number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Part {
    Number(u32),
    Letter(u32),
    Roman(u32),
}

impl Part {
    fn value(self) -> u32 {
        match self {
            Part::Number(v) | Part::Letter(v) | Part::Roman(v) => v,
        }
    }
}

fn parse_number(num: &str) -> Vec<Part> {
    num.split('.')
        .enumerate()
        .map(|(i, p)| {
            if i == 0 && is_roman(p) {
                Part::Roman(roman_value(p).unwrap_or(0))
            } else if let Ok(v) = p.parse::<u32>() {
                Part::Number(v)
            } else {
                Part::Letter(p.chars().next().map_or(0, |c| c as u32 - 'A' as u32 + 1))
            }
        })
        .collect()
}

/// Whether `next` may come after `last` in a document's numbering: the next number at some
/// level (2.1 -> 2.2, 2.1 -> 3, 2 -> 2.1), letters after numbers (appendix), letters under roman
/// section numbers (IEEE subsections).
fn follows(last: Option<&[Part]>, next: &[Part], roman: bool) -> bool {
    let Some(last) = last else {
        // The first numbered heading: section 1 (I), or an appendix letter A.
        return next.iter().all(|p| p.value() == 1)
            || (next.len() == 1 && matches!(next[0], Part::Number(0)));
    };
    if last == [Part::Number(u32::MAX)] {
        return matches!(next[0], Part::Letter(1)) && next[1..].iter().all(|p| p.value() == 1);
    }
    if roman && matches!(next[0], Part::Letter(_)) && next.len() == 1 {
        // IEEE subsection "A." under "II.": restarts at A within each section.
        return true;
    }
    let kind = |p: &Part| std::mem::discriminant(p);
    // Switching to appendix letters: A or A.1 after any numbered heading.
    if matches!(next[0], Part::Letter(1))
        && matches!(last[0], Part::Number(_) | Part::Roman(_))
        && next[1..].iter().all(|p| p.value() <= 1)
    {
        return true;
    }
    // The first component that differs goes up by one and every deeper one starts at 1:
    // 2 -> 2.1, 2.1.3 -> 2.2, 2.3 -> 3 and, when the heading "3" was missed, 2.3 -> 3.1.
    let common = last.len().min(next.len());
    match (0..common).find(|&i| next[i] != last[i]) {
        None => next.len() > last.len() && next[last.len()..].iter().all(|p| p.value() == 1),
        Some(i) => {
            kind(&next[i]) == kind(&last[i])
                && next[i].value() == last[i].value() + 1
                && next[i + 1..].iter().all(|p| p.value() == 1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::{PageInput, analyze_page};
    use crate::text::Glyph;
    use crate::text::tests::glyphs_at;

    /// A page from (text, x, baseline, size) lines.
    fn page(number: usize, lines: &[(&str, f64, f64, f64)]) -> PageLayout {
        let glyphs: Vec<Glyph> = lines
            .iter()
            .flat_map(|(t, x, y, s)| glyphs_at(t, *x, *y, *s))
            .collect();
        let input = PageInput {
            width: 612.0,
            height: 792.0,
            glyphs,
            graphics: vec![],
        };
        analyze_page(number, &input, 10.0)
    }

    const PARA: &str = "the quick brown fox jumps over the lazy dog and runs far away from";

    fn paragraph(y: f64) -> Vec<(&'static str, f64, f64, f64)> {
        (0..3)
            .map(|i| (PARA, 72.0, y + 12.0 * i as f64, 10.0))
            .collect()
    }

    #[test]
    fn numbered_and_unnumbered_headings_in_reading_order() {
        let mut p1 = vec![("Abstract", 72.0, 100.0, 12.0)];
        p1.extend(paragraph(120.0));
        p1.push(("1 Introduction", 72.0, 180.0, 12.0));
        p1.extend(paragraph(200.0));
        p1.push(("2 Method", 72.0, 260.0, 12.0));
        p1.extend(paragraph(280.0));
        // A subsection title set at the body size, 2 pt above its paragraph.
        p1.push(("2.1 Architecture", 72.0, 330.0, 10.0));
        p1.extend(paragraph(344.0));
        let mut p2 = paragraph(100.0);
        // An enumerated list item is not a heading: "1" does not follow 2.1.
        p2.push(("1. We propose a new thing", 72.0, 160.0, 10.0));
        p2.extend(paragraph(180.0));
        p2.push(("References", 72.0, 240.0, 12.0));
        p2.extend(paragraph(260.0));
        p2.push(("A Proofs", 72.0, 320.0, 12.0));
        p2.extend(paragraph(340.0));
        p2.push(("A.1 Lemma one", 72.0, 400.0, 10.0));
        p2.extend(paragraph(414.0));
        // A title too long for one line wraps into a two-line block.
        p2.push(("A.2 Detailed Descriptions for the", 72.0, 470.0, 12.0));
        p2.push(("GLUE Benchmark Experiments", 72.0, 484.0, 12.0));
        p2.extend(paragraph(504.0));
        let layouts = [page(1, &p1), page(2, &p2)];
        let hs = sections(&layouts);
        let got: Vec<(usize, Option<&str>, &str, u8)> = hs
            .iter()
            .map(|h| (h.page, h.number.as_deref(), h.title.as_str(), h.level))
            .collect();
        assert_eq!(
            got,
            [
                (1, None, "Abstract", 1),
                (1, Some("1"), "Introduction", 1),
                (1, Some("2"), "Method", 1),
                (1, Some("2.1"), "Architecture", 2),
                (2, None, "References", 1),
                (2, Some("A"), "Proofs", 1),
                (2, Some("A.1"), "Lemma one", 2),
                (
                    2,
                    Some("A.2"),
                    "Detailed Descriptions for the GLUE Benchmark Experiments",
                    2
                ),
            ]
        );
    }

    /// ConvNeXt's title "A ConvNet for the 2020s" on page 1 was taken as appendix A, so its
    /// "1. Introduction", "2.1. Training Techniques", ... never followed and every body value
    /// was cited as "section Abstract".
    #[test]
    fn a_title_starting_with_the_article_a_is_not_appendix_a() {
        let mut p1 = vec![("A ConvNet for the 2020s", 72.0, 80.0, 14.0)];
        p1.push(("Abstract", 72.0, 100.0, 12.0));
        p1.extend(paragraph(120.0));
        p1.push(("1. Introduction", 72.0, 180.0, 12.0));
        p1.extend(paragraph(200.0));
        p1.push(("2.1. Training Techniques", 72.0, 260.0, 10.0));
        p1.extend(paragraph(274.0));
        let mut p2 = paragraph(100.0);
        p2.push(("A. Proofs", 72.0, 160.0, 12.0));
        p2.extend(paragraph(180.0));
        let layouts = [page(1, &p1), page(2, &p2)];
        let got: Vec<(Option<String>, String)> = sections(&layouts)
            .into_iter()
            .map(|h| (h.number, h.title))
            .collect();
        let want: Vec<(Option<String>, String)> = [
            (None, "Abstract"),
            (Some("1"), "Introduction"),
            (Some("2.1"), "Training Techniques"),
            (Some("A"), "Proofs"),
        ]
        .into_iter()
        .map(|(n, t)| (n.map(String::from), t.to_string()))
        .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn section_at_finds_the_enclosing_heading() {
        let mut p1 = vec![("1 Introduction", 72.0, 100.0, 12.0)];
        p1.extend(paragraph(120.0));
        p1.push(("2 Method", 72.0, 180.0, 12.0));
        p1.extend(paragraph(200.0));
        let p2 = paragraph(100.0);
        let layouts = [page(1, &p1), page(2, &p2)];
        let hs = sections(&layouts);
        assert_eq!(hs.len(), 2);
        // The second page's first paragraph is still in section 2.
        let h = section_at(&hs, 2, 0).expect("a section");
        assert_eq!(h.number.as_deref(), Some("2"));
        let first_para = layouts[0]
            .blocks
            .iter()
            .position(|b| b.block.text().starts_with("the quick"))
            .unwrap();
        assert_eq!(
            section_at(&hs, 1, first_para).and_then(|h| h.number.as_deref()),
            Some("1")
        );
        assert!(section_at(&hs, 1, 0).is_some());
    }

    #[test]
    fn numbering_must_run_forward() {
        let n = |s: &str| parse_number(s);
        assert!(follows(None, &n("1"), false));
        assert!(!follows(None, &n("3"), false));
        assert!(follows(Some(&n("1")), &n("2"), false));
        assert!(follows(Some(&n("2")), &n("2.1"), false));
        assert!(follows(Some(&n("2.3")), &n("3"), false));
        assert!(follows(Some(&n("2.1.2")), &n("2.2"), false));
        assert!(!follows(Some(&n("2.1")), &n("1"), false));
        assert!(!follows(Some(&n("2")), &n("4"), false));
        assert!(follows(Some(&n("5.2")), &n("A"), false));
        assert!(follows(Some(&n("5.2")), &n("A.1"), false));
        assert!(follows(Some(&n("A.2")), &n("B"), false));
        assert!(follows(Some(&n("2.3")), &n("3.1"), false));
        assert!(!follows(Some(&n("2.3")), &n("3.2"), false));
        assert!(follows(Some(&n("2")), &n("2.1.1"), false));
        assert!(follows(Some(&n("II")), &n("III"), true));
    }

    #[test]
    fn numbered_titles_and_sentences() {
        assert_eq!(
            numbered("3.4. Implementation"),
            Some(("3.4".into(), "Implementation".into()))
        );
        assert_eq!(
            numbered("IV. EXPERIMENTS"),
            Some(("IV".into(), "EXPERIMENTS".into()))
        );
        assert_eq!(numbered("12 34 56"), None);
        assert_eq!(numbered("3 the results are shown in the table below"), None);
        assert_eq!(numbered("A man with a hat"), None);
    }
}
