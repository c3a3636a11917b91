//! Figure precision and recall on the real papers of ../shared/corpus/papers against the
//! hand-checked tests/ground-truth/figures.tsv, scored with pdffigures2's rule as the issue
//! states it: right page and id, and the caption text matching.

mod common;
mod score;
use common::shared_papers as shared;
use common::workspace_root;
use score::caption_matches;
use std::collections::BTreeMap;

struct Gold {
    id: String,
    page: u64,
    prefix: String,
}

fn ground_truth() -> BTreeMap<String, Vec<Gold>> {
    let path = workspace_root().join("tests/ground-truth/figures.tsv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut out: BTreeMap<String, Vec<Gold>> = BTreeMap::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 4, "bad row: {line}");
        out.entry(f[0].to_string()).or_default().push(Gold {
            id: f[1].to_string(),
            page: f[2].parse().unwrap(),
            prefix: f[3].to_string(),
        });
    }
    out
}

#[test]
fn figure_precision_and_recall_on_hand_checked_papers() {
    let papers = shared();
    let gold = ground_truth();
    assert!(gold.len() >= 8, "at least eight hand-checked papers");
    let (mut tp_all, mut fp_all, mut fn_all) = (0, 0, 0);
    let mut report = String::from("paper          gold  found  tp  precision  recall\n");
    let mut worst: Vec<String> = Vec::new();
    for (slug, rows) in &gold {
        let data = std::fs::read(papers.join(format!("{slug}.pdf"))).unwrap();
        let ex = pdf_figures::extract(data, slug, &pdf_figures::Options::default())
            .unwrap_or_else(|e| panic!("{slug}: {e}"));
        let found = &ex.manifest.figures;
        let mut matched = vec![false; rows.len()];
        let mut tp = 0;
        for f in found {
            let hit = rows.iter().enumerate().find(|(i, g)| {
                !matched[*i]
                    && g.id == f.id
                    && g.page == f.page as u64
                    && caption_matches(&f.caption, &g.prefix)
            });
            match hit {
                Some((i, _)) => {
                    matched[i] = true;
                    tp += 1;
                }
                None => worst.push(format!(
                    "{slug}: unexpected figure {} p.{}: {}",
                    f.id,
                    f.page,
                    f.caption.chars().take(60).collect::<String>()
                )),
            }
        }
        for (g, m) in rows.iter().zip(&matched) {
            if !m {
                worst.push(format!("{slug}: missed figure {} p.{}", g.id, g.page));
            }
        }
        let (fp, fnn) = (found.len() - tp, rows.len() - tp);
        tp_all += tp;
        fp_all += fp;
        fn_all += fnn;
        report.push_str(&format!(
            "{slug:<14} {:>4}  {:>5}  {tp:>2}  {:>9.3}  {:>6.3}\n",
            rows.len(),
            found.len(),
            tp as f64 / found.len().max(1) as f64,
            tp as f64 / rows.len() as f64
        ));
    }
    let precision = tp_all as f64 / (tp_all + fp_all) as f64;
    let recall = tp_all as f64 / (tp_all + fn_all) as f64;
    report.push_str(&format!(
        "overall: precision {precision:.3} recall {recall:.3} ({tp_all} right, {fp_all} wrong, {fn_all} missed)\n"
    ));
    println!("{report}");
    for w in &worst {
        println!("  {w}");
    }
    // The goal is 0.95 / 0.95; this asserts the level actually reached (see the report).
    assert!(
        precision >= PRECISION_FLOOR,
        "precision {precision:.3} below {PRECISION_FLOOR}\n{report}"
    );
    assert!(
        recall >= RECALL_FLOOR,
        "recall {recall:.3} below {RECALL_FLOOR}\n{report}"
    );
}

const PRECISION_FLOOR: f64 = 0.95;
const RECALL_FLOOR: f64 = 0.95;

/// Image draws and 1x1 stencil rules against poppler's `pdfimages -list` counts recorded in
/// BASELINES.tsv (the oracle: an independent PDF library on the same files).
#[test]
fn image_draws_match_pdfimages_on_every_corpus_paper() {
    let papers = shared();
    let baselines = std::fs::read_to_string(papers.join("BASELINES.tsv")).unwrap();
    let mut rows = baselines.lines();
    let header: Vec<&str> = rows.next().unwrap().split('\t').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (images_col, stencil_col) = (col("pdfimages_images"), col("pdfimages_stencil_1x1"));
    let (mut ours_total, mut theirs_total) = (0, 0);
    let mut report = String::new();
    for row in rows {
        let f: Vec<&str> = row.split('\t').collect();
        let slug = f[0];
        let data = std::fs::read(papers.join(format!("{slug}.pdf"))).unwrap();
        let ex = pdf_figures::extract(data, slug, &pdf_figures::Options::default())
            .unwrap_or_else(|e| panic!("{slug}: {e}"));
        let m = &ex.manifest;
        let draws: usize = m.images.iter().map(|i| i.placements.len()).sum();
        let theirs: usize = f[images_col].parse().unwrap();
        let stencils: usize = f[stencil_col].parse().unwrap();
        assert_eq!(m.skipped["stencil_rules"], stencils, "{slug}: 1x1 stencils");
        assert_eq!(m.skipped["undecodable"], 0, "{slug}: undecodable images");
        report.push_str(&format!("{slug}: {draws} draws, pdfimages {theirs}\n"));
        ours_total += draws;
        theirs_total += theirs;
    }
    println!("{report}total: {ours_total} of {theirs_total}");
    // Every paper matches draw for draw except vit: 298 of the 300 draws pdfimages lists. The
    // two are the colour bars (objects 453 and 496, 72x1438) of the first two attention-map
    // panels of Figure 6 on page 17: each panel is a matplotlib PDF included as a form XObject
    // (Fm4, Fm5) whose /BBox [0 0 300.897 328.675] ends left of the bar, drawn at x 303..316 of
    // the form, so LaTeX's trim clipped them away and nothing of them is visible; the third
    // panel's form (Fm6) is wider and its bar (object 539) is found. pdfimages lists every `Do`
    // whether or not it shows; we keep only draws with a visible area (the codebuilt test
    // image_clipped_away_by_its_form_bbox_is_not_a_draw). So the expected total is exact.
    assert_eq!(ours_total + 2, theirs_total, "{report}");
}
