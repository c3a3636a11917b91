//! Faithfulness beyond the corpus: mutants of the real-world blocks (one character deleted or
//! one of Mermaid's special characters inserted, at positions from a fixed-seed generator) are
//! judged by the checker and by real Mermaid; the verdicts must agree and the checker must never
//! pass a mutant Mermaid rejects.

mod common;

use mermaid_gen::check::{Verdict, check_diagram};

/// Deterministic 64-bit LCG (Knuth's MMIX constants): the same mutants on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

const INSERTS: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "|",
    "\"",
    ";",
    "end ",
    "-->",
    "\n",
    "%%",
    "#1;",
    ":::",
    " ",
    "&",
    ":",
    "o",
    "x",
    "-",
    ".",
    "=",
    "~",
    "<",
    ">",
    "@",
    "\\",
    "/",
    "subgraph ",
    "style ",
    "class ",
    "`",
    "'",
    ",",
    "*",
    "\t",
    "direction LR",
    "---",
    "==>",
    "-.->",
    "((",
    "))",
];

#[test]
fn mutants_of_real_blocks_get_the_same_verdict_as_real_mermaid() {
    let dir = common::shared_dir().join("corpus/mermaid");
    // Deeper runs: MERMAID_MUTANTS=8 MERMAID_MUTANT_SEED=7 cargo test --test mutations
    let per_block: usize = std::env::var("MERMAID_MUTANTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2);
    let seed: u64 = std::env::var("MERMAID_MUTANT_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5EED_0001);
    let mut rng = Lcg(seed);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "mmd"))
        .collect();
    files.sort();
    let (mut total, mut agree) = (0, 0);
    let mut false_pass = Vec::new();
    let mut false_fail = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let chars: Vec<char> = text.chars().collect();
        for m in 0..per_block {
            let pos = rng.next(chars.len());
            let mutant: String = if m % 2 == 0 {
                chars
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != pos)
                    .map(|(_, c)| c)
                    .collect()
            } else {
                let ins = INSERTS[rng.next(INSERTS.len())];
                let mut s: String = chars[..pos].iter().collect();
                s.push_str(ins);
                s.extend(&chars[pos..]);
                s
            };
            let real = common::mermaid_parse(&mutant);
            let ours = check_diagram(&mutant);
            let ours_ok = ours.verdict == Verdict::Ok;
            total += 1;
            if ours_ok == real.ok {
                agree += 1;
            } else if ours_ok {
                false_pass.push(format!("{} m{m}: {:?}\n{mutant}", f.display(), real.error));
            } else {
                false_fail.push(format!(
                    "{} m{m}: {:?}\n{mutant}",
                    f.display(),
                    ours.diagnostics.first()
                ));
            }
        }
    }
    println!(
        "mutant agreement: {agree}/{total} (false passes {}, false failures {})",
        false_pass.len(),
        false_fail.len()
    );
    assert!(
        false_pass.is_empty(),
        "checker passes mutants Mermaid rejects:\n{}",
        false_pass.join("\n----\n")
    );
    assert!(
        false_fail.is_empty(),
        "checker fails mutants Mermaid accepts:\n{}",
        false_fail.join("\n----\n")
    );
}
