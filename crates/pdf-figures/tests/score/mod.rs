//! Scoring found figures against ground truth with pdffigures2's rule: a found figure is right
//! when its page and id match a true one and either its caption matches or its box overlaps the
//! true box with IoU >= 0.8. Shared by the corpus and held-out tests.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::Path;

/// Letters and digits only, lower-cased: caption text compared without spacing, hyphenation
/// and quote-style differences between extractors.
pub fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether `caption` starts like the ground truth `prefix` (its first 40 normalised characters).
pub fn caption_matches(caption: &str, prefix: &str) -> bool {
    let want = norm(prefix);
    norm(caption).starts_with(&want[..want.len().min(40)])
}

/// Intersection over union of two `[x0, y0, x1, y1]` boxes.
pub fn iou(a: &[f64; 4], b: &[f64; 4]) -> f64 {
    let ix = (a[2].min(b[2]) - a[0].max(b[0])).max(0.0);
    let iy = (a[3].min(b[3]) - a[1].max(b[1])).max(0.0);
    let inter = ix * iy;
    let union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
    if union > 0.0 { inter / union } else { 0.0 }
}

/// pdffigures2's box threshold.
pub const IOU_RIGHT: f64 = 0.8;

/// One true figure.
pub struct Gold {
    pub id: String,
    pub page: u64,
    /// Caption prefix as printed.
    pub prefix: String,
    /// True box in PDF points (top-left origin), when known.
    pub bbox: Option<[f64; 4]>,
}

/// One found figure.
pub struct Found<'a> {
    pub id: &'a str,
    pub page: u64,
    pub caption: &'a str,
    pub bbox: [f64; 4],
}

/// The figures of a manifest, for [`score`].
pub fn found(figures: &[pdf_figures::extract::Figure]) -> Vec<Found<'_>> {
    figures
        .iter()
        .map(|f| Found {
            id: &f.id,
            page: f.page as u64,
            caption: &f.caption,
            bbox: f.bbox,
        })
        .collect()
}

/// Counts for one document.
#[derive(Default, Clone, Copy)]
pub struct Tally {
    pub gold: usize,
    pub found: usize,
    /// Right by page + id + caption.
    pub tp: usize,
    /// Right by page + id + box IoU >= 0.8 (only where the truth has a box).
    pub tp_box: usize,
    /// True figures that have a box.
    pub gold_boxed: usize,
}

impl Tally {
    pub fn add(&mut self, o: &Tally) {
        self.gold += o.gold;
        self.found += o.found;
        self.tp += o.tp;
        self.tp_box += o.tp_box;
        self.gold_boxed += o.gold_boxed;
    }
    pub fn precision(&self) -> f64 {
        self.tp as f64 / self.found.max(1) as f64
    }
    pub fn recall(&self) -> f64 {
        self.tp as f64 / self.gold.max(1) as f64
    }
}

/// Matches found figures to the truth; returns the tally, the IoU of every true figure with a
/// box that was matched by page and id (0 for a miss), and one line per mistake.
pub fn score(gold: &[Gold], found: &[Found], label: &str) -> (Tally, Vec<f64>, Vec<String>) {
    let mut matched = vec![false; gold.len()];
    let mut t = Tally {
        gold: gold.len(),
        found: found.len(),
        gold_boxed: gold.iter().filter(|g| g.bbox.is_some()).count(),
        ..Tally::default()
    };
    let mut ious = vec![0.0; gold.len()];
    let mut mistakes = Vec::new();
    for f in found {
        let hit = gold.iter().enumerate().find(|(i, g)| {
            !matched[*i]
                && g.id == f.id
                && g.page == f.page
                && caption_matches(f.caption, &g.prefix)
        });
        match hit {
            Some((i, g)) => {
                matched[i] = true;
                t.tp += 1;
                if let Some(b) = g.bbox {
                    ious[i] = iou(&f.bbox, &b);
                    if ious[i] >= IOU_RIGHT {
                        t.tp_box += 1;
                    } else {
                        mistakes.push(format!(
                            "{label}: figure {} p.{} box IoU {:.3}: got {:?}, want {:?}",
                            f.id,
                            f.page,
                            ious[i],
                            f.bbox.map(|v| v.round()),
                            b.map(|v| v.round())
                        ));
                    }
                }
            }
            None => mistakes.push(format!(
                "{label}: unexpected figure {} p.{}: {}",
                f.id,
                f.page,
                f.caption.chars().take(60).collect::<String>()
            )),
        }
    }
    for (g, m) in gold.iter().zip(&matched) {
        if !m {
            mistakes.push(format!("{label}: missed figure {} p.{}", g.id, g.page));
        }
    }
    let ious = gold
        .iter()
        .zip(ious)
        .filter(|(g, _)| g.bbox.is_some())
        .map(|(_, v)| v)
        .collect();
    (t, ious, mistakes)
}

/// Figure boxes from a .pos file written by \figbox (tests/pdf/heldout/figpos.tex): lines
/// `name page x y wd ht dp pageheight`, positions in scaled points from the bottom-left corner,
/// dimensions in TeX points. Returns name -> (page, `[x0, y0, x1, y1]` in PDF points, top-left
/// origin).
pub fn pos_boxes(path: &Path) -> BTreeMap<String, (u64, [f64; 4])> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e} (run tests/pdf/rebuild.sh)", path.display()));
    let sp = |s: &str| s.parse::<f64>().unwrap() / 65536.0 * 72.0 / 72.27;
    let pt = |s: &str| s.trim_end_matches("pt").parse::<f64>().unwrap() * 72.0 / 72.27;
    text.lines()
        .map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(f.len(), 8, "bad .pos line: {line}");
            let (x, y) = (sp(f[2]), sp(f[3]));
            let (wd, ht, dp, h) = (pt(f[4]), pt(f[5]), pt(f[6]), pt(f[7]));
            let bbox = [x, h - (y + ht), x + wd, h - (y - dp)];
            (f[0].to_string(), (f[1].parse().unwrap(), bbox))
        })
        .collect()
}
