//! Figure precision, recall and box IoU on the held-out LaTeX papers of tests/pdf/heldout/:
//! layouts the rules were not written against (IEEEtran with figure*, a one-column paper with
//! subfigures, a caption above its figure, wrapfig, \captionof in minipages, appendix ids
//! "A.1", sidecap, floatrow side captions, a landscape page). The truth is
//! tests/ground-truth/figures-heldout.tsv: ids, pages and captions from the sources, boxes from
//! the positions pdfTeX recorded in each fixture's .pos file (see heldout/figpos.tex).

mod common;
mod score;
use common::workspace_root;
use score::{Gold, Tally, pos_boxes, score};
use std::collections::BTreeMap;

/// Rows `doc id page box caption`; `box` is `pos:NAME` (from the .pos file) or `x0,y0,x1,y1`
/// measured by hand on a poppler render (the landscape page, whose content pdfTeX positions
/// before the rotation).
fn ground_truth() -> BTreeMap<String, Vec<Gold>> {
    let path = workspace_root().join("tests/ground-truth/figures-heldout.tsv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut out: BTreeMap<String, Vec<Gold>> = BTreeMap::new();
    let mut pos: BTreeMap<String, BTreeMap<String, (u64, [f64; 4])>> = BTreeMap::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 5, "bad row: {line}");
        let (doc, page) = (f[0], f[2].parse().unwrap());
        let bbox = if let Some(name) = f[3].strip_prefix("pos:") {
            let boxes = pos.entry(doc.to_string()).or_insert_with(|| {
                pos_boxes(&workspace_root().join(format!("tests/pdf/heldout/{doc}.pos")))
            });
            let (pos_page, b) = boxes[name];
            assert_eq!(pos_page, page, "{doc} {name}: page in .pos and TSV differ");
            b
        } else {
            let v: Vec<f64> = f[3].split(',').map(|s| s.parse().unwrap()).collect();
            [v[0], v[1], v[2], v[3]]
        };
        out.entry(doc.to_string()).or_default().push(Gold {
            id: f[1].to_string(),
            page,
            prefix: f[4].to_string(),
            bbox: Some(bbox),
        });
    }
    out
}

#[test]
fn figure_precision_recall_and_boxes_on_held_out_latex_papers() {
    let gold = ground_truth();
    assert!(gold.len() >= 4, "four held-out papers");
    let mut all = Tally::default();
    let mut ious_all: Vec<f64> = Vec::new();
    let mut mistakes_all = Vec::new();
    let mut report =
        String::from("paper      gold  found  tp  precision  recall  box-right  mean IoU\n");
    for (doc, rows) in &gold {
        let path = workspace_root().join(format!("tests/pdf/heldout/{doc}.pdf"));
        let data = std::fs::read(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (run tests/pdf/rebuild.sh)", path.display()));
        let ex = pdf_figures::extract(data, doc, &pdf_figures::Options::default())
            .unwrap_or_else(|e| panic!("{doc}: {e}"));
        let found = score::found(&ex.manifest.figures);
        let (t, ious, mistakes) = score(rows, &found, doc);
        let mean = ious.iter().sum::<f64>() / ious.len().max(1) as f64;
        report.push_str(&format!(
            "{doc:<10} {:>4}  {:>5}  {:>2}  {:>9.3}  {:>6.3}  {:>5}/{:<3}  {mean:>8.3}\n",
            t.gold,
            t.found,
            t.tp,
            t.precision(),
            t.recall(),
            t.tp_box,
            t.gold_boxed
        ));
        all.add(&t);
        ious_all.extend(ious);
        mistakes_all.extend(mistakes);
    }
    ious_all.sort_by(f64::total_cmp);
    let median = ious_all[ious_all.len() / 2];
    let mean = ious_all.iter().sum::<f64>() / ious_all.len() as f64;
    report.push_str(&format!(
        "overall: precision {:.3} recall {:.3} ({} right of {} found, {} true); \
         boxes IoU >= 0.8: {}/{}; IoU mean {mean:.3} median {median:.3} min {:.3}\n",
        all.precision(),
        all.recall(),
        all.tp,
        all.found,
        all.gold,
        all.tp_box,
        all.gold_boxed,
        ious_all[0]
    ));
    println!("{report}");
    for m in &mistakes_all {
        println!("  {m}");
    }
    // Floors at the level measured (see the report printed above); they only move up. Before
    // the rules were changed for this set the score was P 1.000 / R 0.632, boxes 11/19 (commit
    // 94cb716); the rules have since been fitted to it, so it is no longer held out: the
    // Debian vignettes (scripts/heldout-debian.sh) are.
    assert!(
        all.precision() >= PRECISION_FLOOR && all.recall() >= RECALL_FLOOR,
        "{report}{}",
        mistakes_all.join("\n")
    );
    assert!(
        all.tp_box as f64 / all.gold_boxed as f64 >= BOX_FLOOR,
        "{report}{}",
        mistakes_all.join("\n")
    );
}

const PRECISION_FLOOR: f64 = 1.0;
const RECALL_FLOOR: f64 = 1.0;
const BOX_FLOOR: f64 = 1.0;
