//! The checker against real Mermaid's verdicts on 178 real-world blocks (`shared/corpus/mermaid`).

mod common;

use mermaid_gen::check::{Verdict, check_diagram};

#[test]
fn checker_agrees_with_real_mermaid_on_the_corpus() {
    let dir = common::shared_dir().join("corpus/mermaid");
    let manifest = std::fs::read_to_string(dir.join("MANIFEST.tsv")).expect("read MANIFEST.tsv");
    let mut total = 0;
    let mut agree = 0;
    let mut false_pass = Vec::new();
    let mut false_fail = Vec::new();
    for row in manifest.lines().skip(1) {
        let cols: Vec<&str> = row.split('\t').collect();
        let (file, verdict) = (cols[0], cols[6]);
        let text = std::fs::read_to_string(dir.join(file)).expect("read block");
        let real_ok = verdict == "ok";
        let report = check_diagram(&text);
        let ours_ok = match report.verdict {
            Verdict::Ok => true,
            Verdict::Fail => false,
            Verdict::NotChecked => panic!("{file}: corpus blocks are all flowcharts"),
        };
        total += 1;
        if ours_ok == real_ok {
            agree += 1;
        } else if ours_ok {
            false_pass.push(format!("{file}: Mermaid says {verdict}"));
        } else {
            false_fail.push(format!("{file}: we say {:?}", report.diagnostics.first()));
        }
    }
    let ratio = agree as f64 / total as f64;
    println!(
        "corpus agreement: {agree}/{total} = {:.2}% (false passes {}, false failures {})",
        ratio * 100.0,
        false_pass.len(),
        false_fail.len()
    );
    assert_eq!(total, 178, "the corpus has 178 blocks");
    assert!(
        false_pass.is_empty(),
        "blocks real Mermaid rejects but the checker accepts:\n{}",
        false_pass.join("\n")
    );
    assert!(
        ratio >= 0.99,
        "agreement {ratio:.4} < 0.99; disagreements:\n{}",
        false_fail.join("\n")
    );
}
