//! Numbered display equations on the LaTeX fixture of tests/pdf/equations, whose numbers are
//! known from its source. The real-paper recall and precision are in corpus_equations.rs.

mod common;
use common::workspace_root;
use std::collections::BTreeSet;

/// (number, page) of every numbered equation found.
fn numbered(ex: &pdf_figures::Extraction) -> BTreeSet<(String, usize)> {
    ex.manifest
        .equations
        .iter()
        .filter_map(|e| e.number.clone().map(|n| (n, e.page)))
        .collect()
}

/// The LaTeX fixture: equation, align (three numbers), equation*, fraction, sum with limits,
/// multline, `\tag{A.1}`, two columns, and in-text "(1)", "Eq. (1)", "(6)", "Eq. (A.1)"
/// references that must not count. (The equation* display, set 3 pt below its paragraph, is
/// read into the paragraph's block and not yet found: unnumbered recall is not measured.) Expected numbers are in tests/pdf/equations/equations.tsv,
/// written from the source.
#[test]
fn latex_fixture_numbers_exactly_with_linear_text() {
    let dir = workspace_root().join("tests/pdf/equations");
    let data = std::fs::read(dir.join("equations.pdf")).expect("equations.pdf");
    let ex = pdf_figures::extract(data, "equations.pdf", &pdf_figures::Options::default())
        .expect("extract");
    let want: BTreeSet<(String, usize)> = std::fs::read_to_string(dir.join("equations.tsv"))
        .expect("equations.tsv")
        .lines()
        .skip(1)
        .map(|l| {
            let (n, p) = l.split_once('\t').expect("two columns");
            (n.to_string(), p.parse().expect("page"))
        })
        .collect();
    let got = numbered(&ex);
    assert_eq!(got, want);
    // Linear text keeps Greek and marks scripts and fractions.
    let text = |n: &str| {
        ex.manifest
            .equations
            .iter()
            .find(|e| e.number.as_deref() == Some(n))
            .map(|e| e.text.clone())
            .unwrap_or_default()
    };
    assert!(text("2").contains("β_{1}"), "{}", text("2"));
    assert!(text("A.1").contains("frac(1,"), "{}", text("A.1"));
    assert!(ex.files.contains_key("equations/eq-A.1.png"));
}
