//! Hyper-parameters and reported parameter counts mined from a paper's text and tables.
//!
//! The input is the paper as a reader sees it, independent of any PDF library: paragraphs of
//! running text with their 1-based page and section ([`Paragraph`]), and table cells with their
//! table id, row and column headers ([`TableCell`]). The output ([`Mined`]) lists every
//! candidate hyper-parameter with its canonical name from a documented vocabulary
//! ([`vocab`]: `learning_rate`, `batch_size`, `heads`, ...), the value as printed, the value
//! normalised to a number where it is one ([`number::parse_number`]: `1 × 10−4`, `10^-4` and
//! `0.0001` are one number), and its source: the exact sentence or the table cell. Reported
//! parameter counts ("65M", "Total Parameters=110M", a "# params" column) come with the model
//! they name and their integer count, the value `validate_model.py --paper-params` takes.
//!
//! Mining favours precision: a value needs a trigger phrase next to it and must be plausible
//! for its name (a "learning rate" of 256 is rejected), schedule milestones are not training
//! lengths, and numbers glued to letters or model names are not values. What it does not find
//! goes through the skill's "Paper did not specify" protocol; what it finds is a candidate to
//! check against the cited sentence, not a verdict.
//!
//! ```
//! use paper_mining::{mine, Paragraph};
//! let text = "We use SGD with a mini-batch size of 256. The learning rate starts from 0.1.";
//! let mined = mine(&[Paragraph { page: 4, section: "3.4 Implementation".into(), text: text.into() }], &[]);
//! let lr = mined.hyperparameters.iter().find(|c| c.name == "learning_rate").unwrap();
//! assert_eq!((lr.number, lr.page), (Some(0.1), 4));
//! ```

pub mod counts;
pub mod number;
mod re;
pub mod sentences;
pub mod setting;
pub mod symbols;
mod trigger;
mod trigger_table;
pub mod vocab;

pub use number::parse_number;
pub use sentences::split_sentences;
pub use setting::{Label, Setting};

/// Builds now, rather than on first use, the automata every paper needs: the vocabulary's
/// triggers and the shared helpers (tens of milliseconds). A caller with a spare core
/// (pdf-figures, while it interprets the pages) runs this on another thread. The vocabulary
/// rules' own automata are built during mining, and only for rules whose trigger occurs.
pub fn warm_up() {
    vocab::force();
    counts::force();
    number::force();
    symbols::force();
}

/// Builds, ahead of mining, the automata that mining `texts` (a paper's pages, say) will use:
/// the setting classifier's and those of every vocabulary rule whose trigger occurs in one of
/// their sentences; run after [`warm_up`]. pdf-figures runs it on a spare core while it
/// locates figures, tables and equations, which leave that core idle, so that mining (beside
/// the renders) has little left to build. Mining builds whatever this missed (a sentence
/// joined across pages, say) as before: what is built, and so what is mined, does not
/// depend on it.
pub fn prepare(texts: &[String]) {
    setting::force();
    for text in texts {
        vocab::prepare(text);
    }
}

/// Running text: one paragraph (or caption) with where it is.
#[derive(Clone, Debug, PartialEq)]
pub struct Paragraph {
    /// 1-based page.
    pub page: usize,
    /// The section heading it sits under, as printed ("3.4. Implementation"), or "".
    pub section: String,
    /// The text, lines joined, end-of-line hyphens resolved.
    pub text: String,
}

/// One table cell with the headers that give it meaning.
#[derive(Clone, Debug, PartialEq)]
pub struct TableCell {
    /// The table id as printed ("3").
    pub table: String,
    /// 1-based page.
    pub page: usize,
    /// Section of the table, or "".
    pub section: String,
    /// The row header (first cell of the row).
    pub row: String,
    /// The column header (cell of the first row).
    pub column: String,
    /// The cell text.
    pub text: String,
    /// The table's caption ("Table 4. Comparing with Swin Transformer on ADE20K ..."), or "":
    /// where the headers name no setting, the caption may.
    pub caption: String,
}

/// Where a value was read.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    /// The exact sentence.
    Sentence(String),
    /// A table cell.
    Cell {
        /// Table id as printed.
        table: String,
        /// Row header.
        row: String,
        /// Column header.
        column: String,
        /// Cell text.
        cell: String,
    },
}

/// A candidate hyper-parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    /// Canonical name from [`vocab::NAMES`].
    pub name: &'static str,
    /// The value as printed ("60 × 104", "3×3", "SGD").
    pub value: String,
    /// The normalised number, `None` when the value is a name.
    pub number: Option<f64>,
    /// 1-based page.
    pub page: usize,
    /// Section heading, or "".
    pub section: String,
    /// The sentence or cell it comes from.
    pub source: Source,
    /// The model the sentence or the table row names, if any.
    pub model: Option<String>,
    /// The experiment it belongs to.
    pub setting: Setting,
    /// The same value stated again on the same page, in the same setting, for the same model.
    pub also: Vec<Source>,
}

/// A parameter count the paper reports.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamCount {
    /// The model it is for, when the sentence or the row names one.
    pub model: Option<String>,
    /// The value as printed ("110M", "6.7B").
    pub value: String,
    /// The count.
    pub count: u64,
    /// 1-based page.
    pub page: usize,
    /// Section heading, or "".
    pub section: String,
    /// The sentence or cell it comes from.
    pub source: Source,
    /// The experiment it belongs to.
    pub setting: Setting,
}

/// A symbol assignment in running text or a caption (`S = 7`, `α ∈ {1, 0.75}`).
#[derive(Clone, Debug, PartialEq)]
pub struct Symbol {
    /// The symbol as printed.
    pub symbol: String,
    /// The words before it, which usually say what it is.
    pub phrase: String,
    /// The value as printed.
    pub value: String,
    /// The number (a set's first element).
    pub number: f64,
    /// 1-based page.
    pub page: usize,
    /// Section heading, or "".
    pub section: String,
    /// The sentence.
    pub sentence: String,
    /// The experiment it belongs to.
    pub setting: Setting,
}

/// Everything mined from one paper, in document order (text before tables on each page).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Mined {
    /// Candidate hyper-parameters.
    pub hyperparameters: Vec<Candidate>,
    /// Reported parameter counts.
    pub param_counts: Vec<ParamCount>,
    /// Symbol assignments.
    pub symbols: Vec<Symbol>,
}

/// Mines paragraphs and table cells.
pub fn mine(paragraphs: &[Paragraph], cells: &[TableCell]) -> Mined {
    let mut mined = Mined::default();
    let mut paper = setting::Paper::of_texts(paragraphs.iter().map(|p| p.text.as_str()));
    paper.heed_headings(paragraphs.iter().map(|p| p.section.as_str()));
    let mut paths = setting::Paths::default();
    let mut path_of: std::collections::HashMap<String, String> = Default::default();
    for p in paragraphs {
        let path = path_of
            .entry(p.section.clone())
            .or_insert_with(|| paths.path(&p.section))
            .clone();
        // The stage the previous sentence of this paragraph named, if any.
        let mut previous: Option<setting::Label> = None;
        // Systems built on a named architecture ("We retrain PlaNet using the MobileNet
        // architecture"): in this paragraph, "the MobileNet model" is that system's.
        let hosts = counts::hosts(&p.text);
        for sentence in split_sentences(&p.text).iter().flat_map(|s| list_items(s)) {
            let carried = previous.take();
            previous = setting::stage_named(&sentence);
            let hits = vocab::hits(&sentence);
            let counts = counts::in_sentence(&sentence);
            let syms = symbols::in_sentence(&sentence);
            if hits.is_empty() && counts.is_empty() && syms.is_empty() {
                continue;
            }
            let mut setting = setting::classify(&sentence, &path, &paper);
            if setting.label == setting::Label::Main
                && let Some(stage) = carried
            {
                setting.label = stage;
            }
            for f in syms {
                mined.symbols.push(Symbol {
                    symbol: f.symbol,
                    phrase: f.phrase,
                    value: f.value,
                    number: f.number,
                    page: p.page,
                    section: p.section.clone(),
                    sentence: sentence.clone(),
                    setting: setting.clone(),
                });
            }
            // A section about one model ("Appendix: Details of SENet-154") names it for every
            // sentence that names none.
            let model = setting::model_in(&sentence).or_else(|| setting::model_in(&path));
            for hit in hits {
                // "(i) Going deeper to 200 layers. We adopt the ResNet-200 [15]" (ResNeXt p.6):
                // a depth that a model of the paragraph carries in its name is that model's.
                let model = match (&model, hit.name, hit.number) {
                    (None, "layers", Some(n)) => setting::model_of_depth(&p.text, n),
                    _ => model.clone(),
                };
                mined.hyperparameters.push(Candidate {
                    name: hit.name,
                    value: hit.value,
                    number: hit.number,
                    page: p.page,
                    section: p.section.clone(),
                    source: Source::Sentence(sentence.clone()),
                    model,
                    setting: setting.clone(),
                    also: Vec::new(),
                });
            }
            for (model, value, count) in counts {
                let mut setting = setting.clone();
                let model = match hosts.iter().find(|(_, base)| model.as_ref() == Some(base)) {
                    Some((system, base)) => {
                        if setting.label == setting::Label::Main {
                            setting.label = setting::Label::OtherTask;
                        }
                        Some(format!("{system} ({base})"))
                    }
                    None => {
                        model.or_else(|| setting::own_model(&sentence, &paper).map(str::to_string))
                    }
                };
                mined.param_counts.push(ParamCount {
                    model,
                    value,
                    count,
                    page: p.page,
                    section: p.section.clone(),
                    source: Source::Sentence(sentence.clone()),
                    setting,
                });
            }
        }
    }
    for c in cells {
        let path = path_of
            .get(&c.section)
            .cloned()
            .unwrap_or_else(|| c.section.clone());
        // A recipe table names hyper-parameters in its rows and settings in its columns.
        let mut setting = if recipe_cell(c) {
            setting::of_column(&c.column, &c.caption, &path, &paper)
        } else {
            setting::classify(&format!("{} {}", c.row, c.column), &path, &paper)
        };
        // A table sits where the layout put it, not always in its section (ConvNeXt's ADE20K
        // Table 4 heads page 8, inside 3.3): its caption names the setting its headers do not.
        if setting.label == setting::Label::Main
            && let Some(other) = setting::other_dataset(&c.caption, &paper)
        {
            setting.label = setting::Label::OtherTask;
            setting.dataset = Some(other.to_string());
        }
        mine_cell(c, setting, &mut mined);
    }
    mined
        .hyperparameters
        .sort_by_key(|c| (c.page, matches!(c.source, Source::Cell { .. })));
    mined.hyperparameters = merge_duplicates(std::mem::take(&mut mined.hyperparameters));
    mined
        .param_counts
        .sort_by_key(|c| (c.page, matches!(c.source, Source::Cell { .. })));
    mined
}

/// A run-in list ("– Optimizer: SGD – Momentum: 0.9 – Initial learning rate: 0.045", "• On
/// JFT: ...") as one item each: a bullet, or a dash before a capitalised word, when the text has
/// at least two of them. Each item is then a sentence of its own, so that a name stated in
/// two items is found twice.
fn list_items(sentence: &str) -> Vec<String> {
    let mut cuts: Vec<usize> = Vec::new();
    let chars: Vec<(usize, char)> = sentence.char_indices().collect();
    for (k, &(i, c)) in chars.iter().enumerate() {
        let next_upper = chars
            .get(k + 1)
            .filter(|(_, n)| *n == ' ')
            .and_then(|_| chars.get(k + 2))
            .is_some_and(|(_, n)| n.is_uppercase());
        let before_space = k == 0 || chars[k - 1].1 == ' ';
        if c == '•' || (matches!(c, '–' | '—') && before_space && next_upper) {
            cuts.push(i);
        }
    }
    if cuts.len() < 2 {
        return vec![sentence.to_string()];
    }
    let mut out = Vec::new();
    let mut from = 0;
    // A bullet or a line ending in a colon ("• On JFT:") leads the dash items under it: each
    // of them carries it, so that the item's setting is that list's.
    let mut lead: Option<&str> = None;
    for &c in cuts.iter().chain(std::iter::once(&sentence.len())) {
        let piece = sentence[from..c].trim();
        from = c;
        if piece.is_empty() {
            continue;
        }
        if !piece.starts_with(['–', '—']) {
            lead = piece.ends_with(':').then_some(piece);
            if lead.is_some() {
                continue;
            }
        } else if piece.starts_with(['–', '—'])
            && let Some(l) = lead
        {
            out.push(format!("{} {piece}", l.trim_start_matches('•').trim()));
            continue;
        }
        out.push(piece.to_string());
    }
    out
}

/// One row per (name, value, page, setting, model): a value stated in several sentences of a
/// page ("1×1 kernels" six times) is one candidate with the further sources in `also`.
fn merge_duplicates(rows: Vec<Candidate>) -> Vec<Candidate> {
    let mut out: Vec<Candidate> = Vec::with_capacity(rows.len());
    for c in rows {
        let same = |o: &Candidate| {
            o.name == c.name
                && o.page == c.page
                && o.model == c.model
                && o.setting.label == c.setting.label
                && o.setting.dataset == c.setting.dataset
                && matches!(o.source, Source::Sentence(_))
                    == matches!(c.source, Source::Sentence(_))
                && match (o.number, c.number) {
                    (Some(a), Some(b)) => a == b,
                    (None, None) => o.value.eq_ignore_ascii_case(&c.value),
                    _ => false,
                }
        };
        match out.iter_mut().find(|o| same(o)) {
            Some(o) => {
                if o.source != c.source && !o.also.contains(&c.source) {
                    o.also.push(c.source);
                }
            }
            None => out.push(c),
        }
    }
    out
}

/// A model name from a table header, without the list marker a table sets before it
/// ("• ConvNeXt-T" and "◦ Swin-T" in ConvNeXt's tables mark ConvNets and Transformers).
fn model_name(header: &str) -> String {
    header
        .trim()
        .trim_start_matches(['•', '◦', '▪', '∗', '‣', '·'])
        .trim()
        .to_string()
}

/// A cell of a table whose row header names the hyper-parameter and whose column header does
/// not: its column is a setting (ConvNeXt's Table 5, "training epochs" under "ImageNet-1K").
fn recipe_cell(c: &TableCell) -> bool {
    vocab::header_name(&c.column).is_none()
        && counts::count_header(&c.column).is_none()
        && vocab::header_name(&c.row).is_some()
}

/// "3 × 3", "224x224": a square's two sides.
static SQUARE: std::sync::LazyLock<regex::Regex> =
    std::sync::LazyLock::new(|| re::compile(r"\b(\d{1,4})\s*[×x]\s*(\d{1,4})\b"));

fn mine_cell(c: &TableCell, setting: Setting, mined: &mut Mined) {
    let source = || Source::Cell {
        table: c.table.clone(),
        row: c.row.clone(),
        column: c.column.clone(),
        cell: c.text.clone(),
    };
    // A count column ("Params") or a count row ("Number of parameters (in millions)"); the
    // model is then the other header.
    let count = counts::count_header(&c.column)
        .map(|s| (s, &c.row))
        .or_else(|| counts::count_header(&c.row).map(|s| (s, &c.column)));
    if let Some((scale, model)) = count {
        // A header with no unit ("Number of parameters") may have it in the caption.
        let scale = if scale == 1.0 {
            counts::caption_unit(&c.caption).unwrap_or(scale)
        } else {
            scale
        };
        if let Some(n) = counts::in_cell(&c.text, scale) {
            mined.param_counts.push(ParamCount {
                // LLaMA's Table 2 leads with the count column: its row header is the count.
                model: (!model.trim().is_empty() && model.trim() != c.text.trim())
                    .then(|| model_name(model)),
                value: c.text.trim().to_string(),
                count: n,
                page: c.page,
                section: c.section.clone(),
                source: source(),
                setting: setting.clone(),
            });
        }
        return;
    }
    let Some(name) = vocab::header_name(&c.column).or_else(|| vocab::header_name(&c.row)) else {
        return;
    };
    let text = c.text.trim();
    if text.is_empty() || matches!(text, "-" | "–" | "—") {
        return;
    }
    // The row names the model, except in a recipe table, where it names the hyper-parameter
    // and the column may name the models ("ConvNeXt-T/S/B/L ImageNet-1K").
    let row_model = if recipe_cell(c) {
        setting::model_in(&c.column)
    } else {
        Some(c.row.trim())
            .filter(|r| !r.is_empty() && *r != text && parse_number(r).is_none())
            .map(model_name)
    };
    let mut push = |value: &str, number: Option<f64>, model: Option<String>| {
        mined.hyperparameters.push(Candidate {
            name,
            value: value.to_string(),
            number,
            page: c.page,
            section: c.section.clone(),
            source: source(),
            model,
            setting: setting.clone(),
            also: Vec::new(),
        });
    };
    if matches!(name, "optimizer" | "lr_schedule" | "randaugment") {
        if name == "randaugment" && text.eq_ignore_ascii_case("none") {
            return;
        }
        push(text, None, row_model.clone());
        return;
    }
    // "3 × 3" in a kernel or image size column is one side; a cell of two stacked rows
    // ("3 × 3 3 × 3") gives it once.
    if matches!(name, "kernel_size" | "image_size" | "patch_size") && text.contains(['×', 'x']) {
        let mut seen: Vec<f64> = Vec::new();
        for sq in SQUARE.captures_iter(text) {
            let (a, b) = (&sq[1], &sq[2]);
            if let Some(x) = parse_number(a).filter(|x| a == b && vocab::plausible(name, *x))
                && !seen.contains(&x)
            {
                seen.push(x);
                push(&sq[0], Some(x), row_model.clone());
            }
        }
        return;
    }
    // "7/14" and "30/90" give one value per model of the row; in a recipe table, one per
    // model of the column ("0.1/0.4/0.5/0.5" under "ConvNeXt-T/S/B/L").
    let parts: Vec<&str> = text.split('/').collect();
    let variants = if recipe_cell(c) {
        model_variants(&c.column)
    } else {
        Vec::new()
    };
    for (k, part) in parts.iter().enumerate() {
        let model = if variants.len() == parts.len() && parts.len() > 1 {
            Some(variants[k].clone())
        } else {
            row_model.clone()
        };
        // "224^2" (224² printed with a superscript) is a 224 × 224 image.
        let part = match name {
            "image_size" => part.trim().strip_suffix("^2").unwrap_or(part),
            _ => *part,
        };
        if let Some(x) = parse_number(part).filter(|x| vocab::plausible(name, *x)) {
            push(part.trim(), Some(x), model);
        }
    }
}

/// The models a header lists as one name with variants: "ConvNeXt-T/S/B/L" is ConvNeXt-T,
/// ConvNeXt-S, ConvNeXt-B and ConvNeXt-L; empty when the header has no such list.
fn model_variants(header: &str) -> Vec<String> {
    static LIST: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        re::compile(r"\b([A-Za-z][A-Za-z0-9.]*)-([A-Za-z0-9]+(?:/[A-Za-z0-9]+)+)\b")
    });
    LIST.captures(header)
        .map(|c| c[2].split('/').map(|v| format!("{}-{v}", &c[1])).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(row: &str, column: &str, text: &str) -> TableCell {
        TableCell {
            table: "2".into(),
            page: 3,
            section: String::new(),
            row: row.into(),
            column: column.into(),
            text: text.into(),
            caption: String::new(),
        }
    }

    #[test]
    fn tables_give_hyperparameters_and_counts() {
        let cells = [
            cell("6.7B", "dimension", "4096"),
            cell("6.7B", "learning rate", "3.0e−4"),
            cell("6.7B", "batch size", "4M"),
            cell("ViT-Base", "Params", "86M"),
            cell("ViT-B/{16,32}", "Epochs", "7/14"),
            cell("ViT-B/{16,32}", "LR decay", "linear"),
            cell("Number of parameters (in millions)", "D", "138"),
            cell("ViT-Base", "Model", "ViT-Base"),
        ];
        let mined = mine(&[], &cells);
        let got: Vec<(&str, &str, Option<f64>)> = mined
            .hyperparameters
            .iter()
            .map(|c| (c.name, c.value.as_str(), c.number))
            .collect();
        assert_eq!(
            got,
            [
                ("hidden_dim", "4096", Some(4096.0)),
                ("learning_rate", "3.0e−4", Some(3e-4)),
                ("batch_size", "4M", Some(4e6)),
                ("epochs", "7", Some(7.0)),
                ("epochs", "14", Some(14.0)),
                ("lr_schedule", "linear", None),
            ]
        );
        let counts: Vec<(Option<&str>, u64)> = mined
            .param_counts
            .iter()
            .map(|c| (c.model.as_deref(), c.count))
            .collect();
        assert_eq!(
            counts,
            [(Some("ViT-Base"), 86_000_000), (Some("D"), 138_000_000)]
        );
        assert!(matches!(
            &mined.param_counts[0].source,
            Source::Cell { table, column, .. } if table == "2" && column == "Params"
        ));
    }

    /// Issue 18: "MobileNet = 13 million" was the PlaNet variant (MobileNet's Table 11 row
    /// "PlaNet MobileNet | 13M" beside "PlaNet | 52M"). The count keeps the row's whole name.
    #[test]
    fn a_variant_row_keeps_its_whole_model_name() {
        let cells = [
            cell("PlaNet", "Million Parameters", "52"),
            cell("PlaNet MobileNet", "Million Parameters", "13"),
        ];
        let counts: Vec<(Option<String>, u64)> = mine(&[], &cells)
            .param_counts
            .into_iter()
            .map(|c| (c.model, c.count))
            .collect();
        assert_eq!(
            counts,
            [
                (Some("PlaNet".to_string()), 52_000_000),
                (Some("PlaNet MobileNet".to_string()), 13_000_000)
            ]
        );
    }

    /// VGG's Table 2 is one row, "Number of parameters", under the nets' letters; the unit is
    /// in the caption only. Each letter's count, D's 138 among them, is a count of its net.
    #[test]
    fn a_count_row_takes_its_unit_from_the_caption() {
        let caption = "Table 2: Number of parameters (in millions).";
        let cells: Vec<TableCell> = [
            ("A,A-LRN", "133"),
            ("B", "133"),
            ("C", "134"),
            ("D", "138"),
            ("E", "144"),
        ]
        .iter()
        .map(|(net, v)| TableCell {
            caption: caption.into(),
            ..cell("Number of parameters", net, v)
        })
        .collect();
        let mined = mine(&[], &cells);
        let counts: Vec<(Option<&str>, u64)> = mined
            .param_counts
            .iter()
            .map(|c| (c.model.as_deref(), c.count))
            .collect();
        assert_eq!(
            counts,
            [
                (Some("A,A-LRN"), 133_000_000),
                (Some("B"), 133_000_000),
                (Some("C"), 134_000_000),
                (Some("D"), 138_000_000),
                (Some("E"), 144_000_000)
            ]
        );
        // Without the caption's unit, 138 is no count.
        assert!(
            mine(&[], &[cell("Number of parameters", "D", "138")])
                .param_counts
                .is_empty()
        );
    }

    /// ConvNeXt's Table 5: rows name hyper-parameters, columns name the two recipes. Each cell
    /// is one row with its column as the setting: ImageNet-1K (the main run) and ImageNet-22K,
    /// which the text pre-trains on; per-model values go to the model the column lists in
    /// that place; a row header's citation ("[69]") does not hide its name.
    #[test]
    fn a_recipe_table_mines_one_row_per_setting_column() {
        let paragraphs = [Paragraph {
            page: 6,
            section: "3 Empirical Evaluations on ImageNet".into(),
            text: "We train ConvNeXts on ImageNet-1K for 300 epochs. We pre-train ConvNeXts on \
                   ImageNet-22K for 90 epochs. We fine-tune ImageNet-22K pre-trained models on \
                   ImageNet-1K. ImageNet-1K has 1000 classes and ImageNet is popular."
                .into(),
        }];
        let one_k = "ConvNeXt-T/S/B/L ImageNet-1K 224^2";
        let k22 = "ConvNeXt-T/S/B/L/XL ImageNet-22K 224^2";
        let recipe = |row: &str, column: &str, text: &str| TableCell {
            table: "5".into(),
            page: 9,
            section: String::new(),
            row: row.into(),
            column: column.into(),
            text: text.into(),
            caption: "Table 5. ImageNet-1K/22K (pre-)training settings.".into(),
        };
        let cells = [
            recipe("training epochs", one_k, "300"),
            recipe("training epochs", k22, "90"),
            recipe("warmup epochs", one_k, "20"),
            recipe("warmup epochs", k22, "5"),
            recipe("label smoothing [69]", one_k, "0.1"),
            recipe("label smoothing [69]", k22, "0.1"),
            recipe("stochastic depth [37]", one_k, "0.1/0.4/0.5/0.5"),
            recipe("exp. mov. avg. (EMA) [51]", one_k, "0.9999"),
            recipe("exp. mov. avg. (EMA) [51]", k22, "None"),
        ];
        let mined = mine(&paragraphs, &cells);
        type Row<'a> = (&'a str, &'a str, &'a str, Option<&'a str>, Option<&'a str>);
        let table: Vec<Row> = mined
            .hyperparameters
            .iter()
            .filter(|c| matches!(c.source, Source::Cell { .. }))
            .map(|c| {
                (
                    c.name,
                    c.value.as_str(),
                    c.setting.label.as_str(),
                    c.setting.dataset.as_deref(),
                    c.model.as_deref(),
                )
            })
            .collect();
        let main = Some("imagenet-1k");
        let pre = Some("imagenet-22k");
        assert_eq!(
            table,
            [
                ("epochs", "300", "main", main, None),
                ("epochs", "90", "pre-training", pre, None),
                ("warmup", "20", "main", main, None),
                ("warmup", "5", "pre-training", pre, None),
                ("label_smoothing", "0.1", "main", main, None),
                ("label_smoothing", "0.1", "pre-training", pre, None),
                ("drop_path", "0.1", "main", main, Some("ConvNeXt-T")),
                ("drop_path", "0.4", "main", main, Some("ConvNeXt-S")),
                ("drop_path", "0.5", "main", main, Some("ConvNeXt-B")),
                ("drop_path", "0.5", "main", main, Some("ConvNeXt-L")),
                ("ema", "0.9999", "main", main, None),
            ]
        );
        // A caption naming the stage sets it for every column (ConvNeXt's Table 6).
        let mut ft = recipe("training epochs", "ConvNeXt-B/L ImageNet-1K 384^2", "30");
        ft.caption = "Table 6. ImageNet-1K fine-tuning settings.".into();
        let mined = mine(&paragraphs, &[ft]);
        assert_eq!(
            mined.hyperparameters.last().map(|c| c.setting.label),
            Some(setting::Label::FineTuning)
        );
    }

    /// ConvNeXt p.6: the fine-tuning recipe follows the sentence that names the stage; the
    /// sentence after it, naming none, is the stage's too, but only the next one, and a
    /// sentence that names its own setting keeps it.
    #[test]
    fn a_recipe_sentence_takes_the_stage_of_the_sentence_before_it() {
        let text = "We train ConvNeXts for 300 epochs with a batch size of 4096. \
                    We then fine-tune the models on ImageNet-1K for 30 epochs. \
                    We use AdamW with a batch size of 512 and weight decay of 1e-8. \
                    The learning rate is 5e-5.";
        let p = Paragraph {
            page: 6,
            section: "3.1 Settings".into(),
            text: text.into(),
        };
        let mined = mine(&[p], &[]);
        let got: Vec<(&str, f64, &str)> = mined
            .hyperparameters
            .iter()
            .map(|c| {
                (
                    c.name,
                    c.number.unwrap_or(f64::NAN),
                    c.setting.label.as_str(),
                )
            })
            .filter(|(_, n, _)| !n.is_nan())
            .collect();
        assert_eq!(
            got,
            [
                // (within a sentence, in the vocabulary's order)
                ("batch_size", 4096.0, "main"),
                ("epochs", 300.0, "main"),
                ("epochs", 30.0, "fine-tuning"),
                ("weight_decay", 1e-8, "fine-tuning"),
                ("batch_size", 512.0, "fine-tuning"),
                // Two sentences on: the carry stops (unknown beats a guessed stage).
                ("learning_rate", 5e-5, "main"),
            ]
        );
    }

    /// ConvNeXt's Table 4 (UperNet on ADE20K, 60M for ConvNeXt-T) sits at the top of page 8,
    /// inside section 3.3 in reading order: its caption names the other task, and the count
    /// is not offered as the ImageNet model's.
    #[test]
    fn a_caption_naming_another_task_sets_the_cells_setting() {
        let p = Paragraph {
            page: 6,
            section: "3 Empirical Evaluations on ImageNet".into(),
            text: "We train on ImageNet-1K. ImageNet-1K top-1 accuracy is reported. \
                   The ImageNet-1K results are in Table 1."
                .into(),
        };
        let mut ade = cell("• ConvNeXt-T", "#param.", "60M");
        ade.caption = "Table 4. Comparing with Swin Transformer on ADE20K.".into();
        let mut own = cell("• ConvNeXt-T", "#param.", "29M");
        own.caption = "Table 1. Classification accuracy on ImageNet-1K.".into();
        let mined = mine(&[p], &[ade, own]);
        let got: Vec<(&str, &str)> = mined
            .param_counts
            .iter()
            .map(|c| (c.value.as_str(), c.setting.label.as_str()))
            .collect();
        assert_eq!(got, [("60M", "other-task"), ("29M", "main")]);
    }

    /// SENet's "Appendix: Details of SENet-154" states its dropout without naming the model in
    /// the sentence: the section names it.
    #[test]
    fn a_section_about_one_model_names_it() {
        let p = Paragraph {
            page: 12,
            section: "APPENDIX: DETAILS OF SENET-154".into(),
            text: "A dropout layer with a dropout ratio of 0.2 was inserted before the classifier."
                .into(),
        };
        let mined = mine(&[p], &[]);
        assert_eq!(
            mined.hyperparameters.len(),
            1,
            "{:?}",
            mined.hyperparameters
        );
        assert_eq!(mined.hyperparameters[0].model.as_deref(), Some("SENET-154"));
    }

    #[test]
    fn a_table_bullet_is_not_part_of_the_model_name() {
        let mined = mine(
            &[],
            &[
                cell("• ConvNeXt-T", "#param.", "29M"),
                cell("◦ Swin-T", "#param.", "28M"),
            ],
        );
        let models: Vec<Option<&str>> = mined
            .param_counts
            .iter()
            .map(|c| c.model.as_deref())
            .collect();
        assert_eq!(models, [Some("ConvNeXt-T"), Some("Swin-T")]);
    }

    #[test]
    fn square_cells_give_their_side_once() {
        let paper = setting::Paper::default();
        let got = |column: &str, text: &str| {
            let mut mined = Mined::default();
            mine_cell(
                &cell("Block", column, text),
                setting::classify("", "", &paper),
                &mut mined,
            );
            mined
                .hyperparameters
                .iter()
                .map(|c| (c.name, c.number))
                .collect::<Vec<_>>()
        };
        assert_eq!(got("KSize", "5 × 5 5 × 5"), [("kernel_size", Some(5.0))]);
        assert_eq!(got("Kernel size", "1 × 1"), [("kernel_size", Some(1.0))]);
        // Not a square: no side.
        assert!(got("Kernel size", "1 × 7").is_empty());
    }

    #[test]
    fn a_squared_image_size_cell_is_its_side() {
        let mut mined = Mined::default();
        let paper = setting::Paper::default();
        let c = cell("Swin-T", "image size", "224^2");
        mine_cell(&c, setting::classify("", "", &paper), &mut mined);
        let got: Vec<(&str, Option<f64>)> = mined
            .hyperparameters
            .iter()
            .map(|c| (c.name, c.number))
            .collect();
        assert_eq!(got, [("image_size", Some(224.0))]);
        // The same cell read without its superscript ("2242") is no size to believe.
        let mut mined = Mined::default();
        let c = cell("Swin-T", "image size", "2242");
        mine_cell(&c, setting::classify("", "", &paper), &mut mined);
        assert!(
            mined
                .hyperparameters
                .iter()
                .all(|c| c.number != Some(224.0))
        );
    }

    #[test]
    fn run_in_lists_are_items() {
        assert_eq!(
            list_items("– Optimizer: SGD – Momentum: 0.9 – Initial learning rate: 0.045"),
            [
                "– Optimizer: SGD",
                "– Momentum: 0.9",
                "– Initial learning rate: 0.045"
            ]
        );
        // One dash is punctuation, not a list.
        assert_eq!(
            list_items("We use SGD – Adam was worse."),
            ["We use SGD – Adam was worse."]
        );
    }

    #[test]
    fn a_list_lead_in_goes_with_each_item_and_names_its_dataset() {
        assert_eq!(
            list_items("On CIFAR-10: – Optimizer: Adam – Batch size: 64"),
            [
                "On CIFAR-10: – Optimizer: Adam",
                "On CIFAR-10: – Batch size: 64"
            ]
        );
        // Two lists, each under its own lead-in, in one paragraph (bullets as the layout
        // hands them over): the second list's values are of the other dataset.
        let text = "Training differs between the two datasets: • On ImageNet: – Optimizer: \
                    SGD – Batch size: 256 • On CIFAR-10: – Optimizer: Adam – Batch size: 64";
        let mined = mine(
            &[
                Paragraph {
                    page: 1,
                    section: "1 Introduction".into(),
                    text: "We evaluate on ImageNet classification.".into(),
                },
                Paragraph {
                    page: 4,
                    section: "4 Experiments".into(),
                    text: text.into(),
                },
            ],
            &[],
        );
        let got: Vec<(&str, String, Option<String>)> = mined
            .hyperparameters
            .iter()
            .map(|c| (c.name, c.value.clone(), c.setting.dataset.clone()))
            .collect();
        assert_eq!(
            got,
            [
                ("optimizer", "SGD".to_string(), Some("imagenet".to_string())),
                (
                    "batch_size",
                    "256".to_string(),
                    Some("imagenet".to_string())
                ),
                ("optimizer", "Adam".to_string(), Some("cifar".to_string())),
                ("batch_size", "64".to_string(), Some("cifar".to_string())),
            ]
        );
        let cifar = &mined.hyperparameters[2];
        assert_ne!(cifar.setting.label, Label::Main);
    }

    #[test]
    fn a_value_stated_again_on_a_page_is_one_row_with_more_sources() {
        // Issue 18: six "1×1 kernel" rows from one page.
        let p = Paragraph {
            page: 3,
            section: "3 Method".into(),
            text: "Each block starts with a 1×1 convolution. The block ends with a 1×1 \
                   convolution. A 3×3 convolution sits between them."
                .into(),
        };
        let mined = mine(&[p], &[]);
        let k: Vec<(&str, Option<f64>, usize)> = mined
            .hyperparameters
            .iter()
            .map(|c| (c.name, c.number, c.also.len()))
            .collect();
        assert_eq!(
            k,
            [("kernel_size", Some(1.0), 1), ("kernel_size", Some(3.0), 0)]
        );
        assert_eq!(
            mined.hyperparameters[0].also,
            [Source::Sentence(
                "The block ends with a 1×1 convolution.".into()
            )]
        );
    }

    #[test]
    fn sentences_keep_their_page_section_and_text() {
        let p = Paragraph {
            page: 4,
            section: "3.4. Implementation".into(),
            text: "We follow Fig. 3 here. We use a weight decay of 0.0001 and a momentum of 0.9. \
                   Done."
                .into(),
        };
        let mined = mine(&[p], &[]);
        assert_eq!(mined.hyperparameters.len(), 2);
        for c in &mined.hyperparameters {
            assert_eq!((c.page, c.section.as_str()), (4, "3.4. Implementation"));
            assert_eq!(
                c.source,
                Source::Sentence("We use a weight decay of 0.0001 and a momentum of 0.9.".into())
            );
        }
    }
}

#[cfg(test)]
mod hosted_counts {
    use super::*;

    /// MobileNets (Howard et al. 2017), Sec. 4.5 wording, the sentence form of issue 18's
    /// "MobileNet = 13 million": that count is PlaNet retrained on the MobileNet architecture,
    /// not MobileNet (4.2M, Sec. 4.1). Its model names the system and the base, and its
    /// setting is not the main one; PlaNet's own 52M and MobileNet's 4.2M are unchanged.
    #[test]
    fn a_count_of_a_system_built_on_the_model_is_the_systems() {
        let p = |section: &str, text: &str| Paragraph {
            page: 7,
            section: section.into(),
            text: text.into(),
        };
        let paras = [
            p(
                "4.1. Model Choices",
                "The MobileNet model has 4.2 million parameters.",
            ),
            p(
                "4.5. Large Scale Geolocalizaton",
                "We retrain PlaNet using the MobileNet architecture on the same data. While the \
                 full PlaNet model based on the Inception V3 architecture [31] has 52 million \
                 parameters and 5.74 billion mult-adds. The MobileNet model has only 13 million \
                 parameters with the usual 3 million for the body and 10 million for the final \
                 layer and 0.58 Million mult-adds.",
            ),
        ];
        let got: Vec<(Option<String>, u64, setting::Label)> = mine(&paras, &[])
            .param_counts
            .into_iter()
            .map(|c| (c.model, c.count, c.setting.label))
            .collect();
        assert_eq!(
            got,
            [
                (Some("MobileNet".into()), 4_200_000, setting::Label::Main),
                (Some("PlaNet".into()), 52_000_000, setting::Label::Main),
                (
                    Some("PlaNet (MobileNet)".into()),
                    13_000_000,
                    setting::Label::OtherTask
                ),
            ]
        );
    }
}
