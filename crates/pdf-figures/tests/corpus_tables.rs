//! Real tables of ../shared/corpus/papers against grids typed by hand from the rendered pages
//! (tests/ground-truth/tables/<paper>-table-<id>.tsv); cell accuracy as defined in tables.rs.

mod common;
mod tablegrid;
use common::{shared_papers, workspace_root};
use std::collections::BTreeMap;
use std::path::PathBuf;
use tablegrid::{cell_accuracy, cells, extract, read_tsv, show};

/// Table ids each hand-checked paper captions, read from the rendered pages (numbered 1..n).
const EXPECTED_TABLES: &[(&str, usize)] = &[
    ("bert", 8),
    ("efficientnet", 7),
    ("llama", 16),
    ("resnet", 14),
    ("vit", 9),
];

/// Tables whose accuracy is below the 0.95 goal today, with the level they reach (none now).
const FLOORS: &[(&str, f64)] = &[];

/// Papers where not every captioned table is found today, with the number found (none now).
const RECALL_FLOORS: &[(&str, usize)] = &[];

#[test]
fn hand_checked_corpus_tables() {
    let papers = shared_papers();
    let gt_dir = workspace_root().join("tests/ground-truth/tables");
    let mut gold: BTreeMap<String, Vec<(String, PathBuf)>> = BTreeMap::new();
    for entry in std::fs::read_dir(&gt_dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_str().unwrap().to_string();
        let Some((paper, id)) = name.split_once("-table-") else {
            continue;
        };
        gold.entry(paper.to_string())
            .or_default()
            .push((id.to_string(), path.clone()));
    }
    let mut report = Vec::new();
    let mut failures = Vec::new();
    for (paper, n_tables) in EXPECTED_TABLES {
        let (m, _out, _d) = extract(&papers.join(format!("{paper}.pdf")));
        let tables = m["tables"].as_array().unwrap();
        let found: Vec<&str> = tables.iter().map(|t| t["id"].as_str().unwrap()).collect();
        let expected: Vec<String> = (1..=*n_tables).map(|i| i.to_string()).collect();
        let hits = expected
            .iter()
            .filter(|id| found.contains(&id.as_str()))
            .count();
        report.push(format!(
            "{paper}: tables found {hits}/{n_tables} (extracted ids {found:?})"
        ));
        let need = RECALL_FLOORS
            .iter()
            .find(|(k, _)| k == paper)
            .map_or(*n_tables, |(_, n)| *n);
        if hits < need {
            failures.push(format!("{paper}: {hits}/{n_tables} tables found"));
        }
        for (id, path) in gold.get(*paper).into_iter().flatten() {
            let want = read_tsv(path);
            let got = tables
                .iter()
                .find(|t| t["id"] == id.as_str())
                .map(|t| cells(&t["cells"]))
                .unwrap_or_default();
            let acc = cell_accuracy(&want, &got);
            report.push(format!("{paper} table {id}: cell accuracy {acc:.3}"));
            let floor = FLOORS
                .iter()
                .find(|(k, _)| *k == format!("{paper}-{id}"))
                .map_or(0.95, |(_, f)| *f);
            if acc < floor {
                failures.push(format!(
                    "{paper} table {id}: accuracy {acc:.3} < {floor}\nwant:\n{}\ngot:\n{}",
                    show(&want),
                    show(&got)
                ));
            }
        }
    }
    eprintln!("{}", report.join("\n"));
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// `../shared/corpus/papers-fresh` (the unseen set), or a panic saying how to get it.
fn fresh_papers() -> PathBuf {
    let papers = shared_papers().join("../papers-fresh");
    assert!(
        papers.is_dir(),
        "corpus missing: {} does not exist; put the shared reference folder next to the \
         workspace (../shared) or set PAPER_REPLICATION_SHARED to it",
        papers.display()
    );
    papers
}

/// Tables of the unseen papers typed by hand from the rendered pages
/// (tests/ground-truth/tables-fresh/<paper>-table-<id>.tsv, issue 18's defects found on
/// MobileNetV2). A replication builds the network from such a table, so each must come out
/// cell for cell; no floor.
#[test]
fn hand_checked_unseen_tables() {
    let papers = fresh_papers();
    let gt_dir = workspace_root().join("tests/ground-truth/tables-fresh");
    let mut gold: BTreeMap<String, Vec<(String, PathBuf)>> = BTreeMap::new();
    for entry in std::fs::read_dir(&gt_dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_str().unwrap().to_string();
        let (paper, id) = name.split_once("-table-").expect("<paper>-table-<id>.tsv");
        gold.entry(paper.to_string())
            .or_default()
            .push((id.to_string(), path.clone()));
    }
    assert!(!gold.is_empty(), "no grids in {}", gt_dir.display());
    let mut report = Vec::new();
    let mut failures = Vec::new();
    for (paper, tables) in &gold {
        let (m, _out, _d) = extract(&papers.join(format!("{paper}.pdf")));
        let found = m["tables"].as_array().unwrap();
        for (id, path) in tables {
            let want = read_tsv(path);
            let got = found
                .iter()
                .find(|t| t["id"] == id.as_str())
                .map(|t| cells(&t["cells"]))
                .unwrap_or_default();
            let acc = cell_accuracy(&want, &got);
            report.push(format!("{paper} table {id}: cell accuracy {acc:.3}"));
            if acc < 1.0 {
                failures.push(format!(
                    "{paper} table {id}: accuracy {acc:.3} < 1\nwant:\n{}\ngot:\n{}",
                    show(&want),
                    show(&got)
                ));
            }
        }
    }
    eprintln!("{}", report.join("\n"));
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// MobileNetV2 p.7 cites Table 4 in 6.1 ("The statistics of a few selected models is shown in
/// Table 4") and Table 5 in 6.2 ("... as shown in Table 5"), but sets Table 4 in the left
/// column under 6.2's heading and Table 5 at the top of the right column: the counts mined
/// from each table keep the section that cites it, not the heading above the float.
#[test]
fn unseen_tables_keep_the_section_that_cites_them() {
    let (_m, out, _d) = extract(&fresh_papers().join("mobilenetv2.pdf"));
    let text = std::fs::read_to_string(out.join("hyperparams.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut sections: BTreeMap<String, std::collections::BTreeSet<String>> = BTreeMap::new();
    for row in json["param_counts"].as_array().unwrap() {
        if let Some(t) = row["source"]["table"].as_str() {
            sections
                .entry(t.to_string())
                .or_default()
                .insert(row["section"].as_str().unwrap().to_string());
        }
    }
    let one = |t: &str| {
        sections
            .get(t)
            .map(|s| s.iter().cloned().collect::<Vec<_>>())
    };
    assert_eq!(
        one("4"),
        Some(vec!["6.1 ImageNet Classification".to_string()])
    );
    assert_eq!(one("5"), Some(vec!["6.2 Object Detection".to_string()]));
}
