//! Issue 18's last two goals on the unseen papers of ../shared/corpus/papers-fresh: numbered
//! equations found (goal >= 0.98) and table ids found (goal 1.00).
//!
//! Labels, made in session 12 without pdf-figures' output: every equation tag "(N)" set at the
//! right of a display line in `pdftotext -layout` (page from its form feeds), each checked to be
//! a display and not a list item or a reference ("(1) different feature extractors", "21(2):"),
//! and every paper's references to equations ("Eq. 3") checked to name no further number;
//! written to tests/ground-truth/equations-fresh.tsv (30 equations; ALBERT, ShuffleNet and
//! Xception number none). Table ids: every "Table N." / "Table N:" caption start in the
//! same text, numbered 1..n in each paper with no gap, and no reference to a higher number.

mod common;
use common::workspace_root;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// Tables each paper captions (ids 1..n).
const TABLES: &[(&str, usize)] = &[
    ("albert", 14),
    ("cbam", 8),
    ("efficientdet", 6),
    ("groupnorm", 8),
    ("mobilenetv2", 7),
    ("qlora", 13),
    ("resnext", 8),
    ("shufflenet", 8),
    ("ssd", 7),
    ("xception", 3),
];

fn fresh_papers() -> PathBuf {
    let dir = std::env::var_os("PAPER_REPLICATION_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("../shared"));
    let papers = dir.join("corpus/papers-fresh");
    assert!(
        papers.is_dir(),
        "corpus missing: {} does not exist; put the shared reference folder next to the \
         workspace (../shared) or set PAPER_REPLICATION_SHARED to it",
        papers.display()
    );
    papers
}

fn equations() -> BTreeMap<String, BTreeSet<(String, usize)>> {
    let path = workspace_root().join("tests/ground-truth/equations-fresh.tsv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut out: BTreeMap<String, BTreeSet<(String, usize)>> = BTreeMap::new();
    for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 3, "bad row {line:?}");
        out.entry(f[0].to_string())
            .or_default()
            .insert((f[1].to_string(), f[2].parse().unwrap()));
    }
    out
}

#[test]
fn numbered_equations_and_table_ids_on_the_unseen_papers() {
    let papers = fresh_papers();
    let gold = equations();
    assert_eq!(gold.values().map(BTreeSet::len).sum::<usize>(), 30);
    let (mut tp, mut found, mut truth) = (0, 0, 0);
    let (mut ids_right, mut ids_total, mut ids_extra) = (0, 0, 0);
    let mut report = String::from("paper         eq gold found  tp   tables ids found\n");
    for (slug, n_tables) in TABLES {
        let data = std::fs::read(papers.join(format!("{slug}.pdf"))).unwrap();
        let ex = pdf_figures::extract(data, slug, &pdf_figures::Options::default()).unwrap();
        let got: BTreeSet<(String, usize)> = ex
            .manifest
            .equations
            .iter()
            .filter_map(|e| e.number.clone().map(|n| (n, e.page)))
            .collect();
        let want = gold.get(*slug).cloned().unwrap_or_default();
        let hit = got.intersection(&want).count();
        for miss in want.difference(&got) {
            println!("  {slug}: equation ({}) p.{} missed", miss.0, miss.1);
        }
        for extra in got.difference(&want) {
            println!(
                "  {slug}: equation ({}) p.{} is no numbered display",
                extra.0, extra.1
            );
        }
        let ids: BTreeSet<String> = ex.manifest.tables.iter().map(|t| t.id.clone()).collect();
        let expected: BTreeSet<String> = (1..=*n_tables).map(|i| i.to_string()).collect();
        let right = ids.intersection(&expected).count();
        report.push_str(&format!(
            "{slug:<13} {:>7} {:>5} {:>3}   {right:>3}/{n_tables:<3}\n",
            want.len(),
            got.len(),
            hit
        ));
        tp += hit;
        found += got.len();
        truth += want.len();
        ids_right += right;
        ids_total += n_tables;
        ids_extra += ids.difference(&expected).count();
    }
    let recall = tp as f64 / truth as f64;
    let precision = if found == 0 {
        1.0
    } else {
        tp as f64 / found as f64
    };
    report.push_str(&format!(
        "numbered equations: recall {recall:.3} ({tp}/{truth}), precision {precision:.3}; table ids {:.3} ({ids_right}/{ids_total}), {ids_extra} extra\n",
        ids_right as f64 / ids_total as f64
    ));
    println!("{report}");
    assert!(
        recall >= 0.98,
        "numbered-equation recall {recall:.3} < 0.98"
    );
    assert!(
        precision >= 0.98,
        "numbered-equation precision {precision:.3}"
    );
    assert_eq!((ids_right, ids_extra), (ids_total, 0), "table ids");
}
