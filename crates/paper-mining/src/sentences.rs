//! Sentence splitting that survives the abbreviations, initials, references and decimals of
//! scientific prose ("e.g.", "Fig. 3", "et al.", "Eq. (4)", "0.1").

/// Words that end with a period without ending the sentence (compared lower-case).
const ABBREVIATIONS: &[&str] = &[
    "e.g", "i.e", "fig", "figs", "eq", "eqs", "eqn", "eqns", "sec", "secs", "sect", "tab", "al",
    "vs", "cf", "resp", "approx", "no", "nos", "ref", "refs", "dr", "mr", "ms", "prof", "inc",
    "ltd", "corp", "vol", "pp", "ch", "app", "alg", "def", "thm", "viz", "w.r.t", "wrt",
];

/// Splits running text into sentences. A sentence ends at `.`, `!` or `?` followed by space and
/// a capital, digit, bracket or quote, unless the word before the period is an abbreviation or
/// a single letter (an initial); a bullet (`•`) always starts a new sentence.
pub fn split_sentences(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '•' && i > start {
            push(&mut out, &chars[start..i]);
            start = i;
        } else if matches!(c, '.' | '!' | '?') && ends_sentence(&chars, i) {
            push(&mut out, &chars[start..=i]);
            start = i + 1;
        }
        i += 1;
    }
    push(&mut out, &chars[start..]);
    out
}

fn push(out: &mut Vec<String>, chars: &[char]) {
    let s: String = chars.iter().collect();
    let s = s.trim().trim_start_matches('•').trim();
    if !s.is_empty() {
        out.push(s.to_string());
    }
}

fn ends_sentence(chars: &[char], i: usize) -> bool {
    // What follows: whitespace, then a sentence opener (or the end of the text).
    let mut j = i + 1;
    while j < chars.len() && matches!(chars[j], ')' | '"' | '”' | '’' | '\'') {
        j += 1;
    }
    if j >= chars.len() {
        return true;
    }
    if !chars[j].is_whitespace() {
        return false;
    }
    while j < chars.len() && chars[j].is_whitespace() {
        j += 1;
    }
    if j >= chars.len() {
        return true;
    }
    let next = chars[j];
    if !(next.is_uppercase()
        || next.is_ascii_digit()
        || matches!(next, '(' | '[' | '"' | '“' | '‘' | '•'))
    {
        return false;
    }
    if chars[i] != '.' {
        return true;
    }
    // The word before the period.
    let mut k = i;
    while k > 0 && !chars[k - 1].is_whitespace() && !matches!(chars[k - 1], '(' | '[') {
        k -= 1;
    }
    let word: String = chars[k..i].iter().collect::<String>().to_lowercase();
    let single_letter = word.chars().count() == 1 && word.chars().all(char::is_alphabetic);
    !(single_letter || ABBREVIATIONS.contains(&word.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abbreviations_references_and_decimals_stay_inside_a_sentence() {
        let text = "We follow Vaswani et al. (2017) and use dropout, e.g. 0.1 on all layers. \
                    See Fig. 3 and Eq. 4 for details, i.e. the warmup. The rate is 3.5 at most! \
                    Is it? Yes.";
        assert_eq!(
            split_sentences(text),
            [
                "We follow Vaswani et al. (2017) and use dropout, e.g. 0.1 on all layers.",
                "See Fig. 3 and Eq. 4 for details, i.e. the warmup.",
                "The rate is 3.5 at most!",
                "Is it?",
                "Yes."
            ]
        );
    }

    #[test]
    fn initials_and_lower_case_continuations_do_not_split() {
        let text = "As in J. Smith's work the lr. is set low. 2 GPUs are used.";
        assert_eq!(
            split_sentences(text),
            [
                "As in J. Smith's work the lr. is set low.",
                "2 GPUs are used."
            ]
        );
    }

    #[test]
    fn bullets_start_sentences() {
        let text = "values: • Batch size: 16, 32 • Learning rate (Adam): 5e-5, 3e-5";
        assert_eq!(
            split_sentences(text),
            [
                "values:",
                "Batch size: 16, 32",
                "Learning rate (Adam): 5e-5, 3e-5"
            ]
        );
    }
}
