//! Table grids against ground truth typed by hand: the LaTeX fixtures of tests/pdf/tables/ (the
//! expected grids come from the tabular sources) and real tables of ../shared/corpus/papers
//! (tests/ground-truth/tables/<paper>-table-<id>.tsv, typed from the rendered pages).
//!
//! Cell accuracy: the non-empty ground-truth cells whose text (whitespace collapsed) is found at
//! the same row and column of the extracted grid, divided by the larger of the numbers of
//! non-empty cells in the ground truth and in the extraction, so that both missed and extra
//! text cost. Grids follow pdf_layout::tables' conventions: a spanning cell's text sits in its
//! top-left grid cell, the cells it covers are empty, the lines of a multi-line cell are joined
//! by spaces, the lines of a header above the rule under it are joined into one header row
//! (unless a header cell spans columns over sub-headers), sub- and superscripts are written `_`
//! and `^` ("BERT_BASE", "1.8×10^9"), and accents are combining marks after their letter
//! (Unicode NFD: "F\u{302}_i").

mod common;
mod tablegrid;
use common::workspace_root;
use tablegrid::{cell_accuracy, cells, extract, read_tsv, show};

#[test]
fn latex_fixture_tables_match_their_sources() {
    let dir = workspace_root().join("tests/pdf/tables");
    let (m, out, _d) = extract(&dir.join("twocol.pdf"));
    let tables = m["tables"].as_array().unwrap();
    let ids: Vec<&str> = tables.iter().map(|t| t["id"].as_str().unwrap()).collect();
    // Table 3's caption is below it, the others above; A1 is in the appendix; 2 is a table*.
    assert_eq!(ids, ["1", "2", "3", "A1"], "table recall on twocol.pdf");
    let mut report = Vec::new();
    for t in tables {
        let id = t["id"].as_str().unwrap();
        let gold = read_tsv(&dir.join(format!("twocol-table-{id}.tsv")));
        let got = cells(&t["cells"]);
        let acc = cell_accuracy(&gold, &got);
        report.push(format!("twocol table {id}: cell accuracy {acc:.3}"));
        assert!(
            acc >= 0.95,
            "table {id}: accuracy {acc:.3}\nwant:\n{}\ngot:\n{}",
            show(&gold),
            show(&got)
        );
        // The files the manifest names exist and hold the same cells.
        for key in ["csv", "file", "markdown"] {
            let f = t[key].as_str().unwrap();
            assert!(out.join(f).is_file(), "{f} missing");
        }
        let md = std::fs::read_to_string(out.join(t["markdown"].as_str().unwrap())).unwrap();
        let first = format!("| {} |", got[0].join(" | "));
        assert_eq!(md.lines().next(), Some(first.as_str()));
        assert_eq!(md.lines().count(), got.len() + 1);
    }
    eprintln!("{}", report.join("\n"));
}

/// tests/pdf/tables/grids.tex: columns that only the numeric rows separate (a header wider than
/// its values 3.6 pt apart, header words one space apart, values one space apart between the
/// same two rules), multi-line headers and sub- and superscripts. Every grid must be exact.
#[test]
fn grids_from_geometry_match_their_sources() {
    let dir = workspace_root().join("tests/pdf/tables");
    let (m, out, _d) = extract(&dir.join("grids.pdf"));
    let tables = m["tables"].as_array().unwrap();
    let ids: Vec<&str> = tables.iter().map(|t| t["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["1", "2", "3"], "table recall on grids.pdf");
    for t in tables {
        let id = t["id"].as_str().unwrap();
        let gold = read_tsv(&dir.join(format!("grids-table-{id}.tsv")));
        let got = cells(&t["cells"]);
        assert_eq!(
            got,
            gold,
            "table {id}\nwant:\n{}\ngot:\n{}",
            show(&gold),
            show(&got)
        );
    }
    // Table 1's caption keeps its own words only: the header lines under it are table text.
    assert_eq!(
        tables[0]["caption"],
        "Table 1: ImageNet-1K/22K (pre-)training settings of the two recipes."
    );
    // Subscripts in running text, as the source sets them: $\lambda_{\mathrm{coord}} = 5$.
    let md = std::fs::read_to_string(out.join("paper.md")).unwrap();
    for s in [
        "λ_coord = 5",
        "λ_noobj = 0.5",
        "input x_i is",
        "224^2 pixels",
    ] {
        assert!(md.contains(s), "{s} missing from paper.md");
    }
}

#[test]
fn fixture_csv_quotes_cells_with_commas() {
    let dir = workspace_root().join("tests/pdf/tables");
    let (m, out, _d) = extract(&dir.join("twocol.pdf"));
    let t = &m["tables"][0];
    let csv = std::fs::read_to_string(out.join(t["csv"].as_str().unwrap())).unwrap();
    // Table 1 has no comma or quote, so no field is quoted; rows end in CRLF.
    assert_eq!(csv.lines().next(), Some("Model,Top-1 (%),Params"), "{csv}");
    assert!(csv.ends_with("86M\r\n"), "{csv:?}");
}

#[test]
fn accuracy_counts_missing_and_extra_cells() {
    let s = |rows: &[&[&str]]| -> Vec<Vec<String>> {
        rows.iter()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect()
    };
    let gold = s(&[&["a", "b"], &["c", ""]]);
    assert_eq!(cell_accuracy(&gold, &gold), 1.0);
    // "c" in the wrong column: two of the three cells right.
    assert!((cell_accuracy(&gold, &s(&[&["a", "b"], &["", "c"]])) - 2.0 / 3.0).abs() < 1e-9);
    // Extra text lowers the score as much as missing text.
    let extra = s(&[&["a", "b", "x"], &["c", "y"]]);
    assert!((cell_accuracy(&gold, &extra) - 3.0 / 5.0).abs() < 1e-9);
}
