//! Hyper-parameters and reported parameter counts mined from the text and the tables, written
//! to `hyperparams.json` and `hyperparams.md`.
//!
//! The mining itself is `paper-mining` (PDF-independent); this module turns the page layouts
//! into its input: running-text and caption blocks in reading order as paragraphs (lines
//! joined, end-of-line hyphens resolved, a paragraph cut by a column break joined again), the
//! section each sits under (`pdf_layout::sections`), and every table cell with its row and
//! column headers.

use crate::error::Error;
use crate::structure::Context;
use crate::tables::TableEntry;
use paper_mining::{Candidate, Mined, Paragraph, Source, TableCell};
use pdf_layout::hyphens::{Vocabulary, join_lines};
use pdf_layout::{BlockRole, Line, PageLayout, sections};
use serde::Serialize;
use std::collections::BTreeMap;

/// `hyperparams.json`.
#[derive(Serialize)]
struct HyperparamsFile {
    hyperparameters: Vec<HyperparamEntry>,
    param_counts: Vec<CountEntry>,
    symbols: Vec<SymbolEntry>,
}

/// A symbol assignment (`S = 7`) with the words before it, its sentence and setting.
#[derive(Serialize)]
struct SymbolEntry {
    number: Option<serde_json::Number>,
    page: usize,
    phrase: String,
    section: String,
    sentence: String,
    setting: SettingEntry,
    symbol: String,
    value: String,
}

#[derive(Serialize)]
struct HyperparamEntry {
    /// The same value stated again on the page (same setting and model).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    also: Vec<SourceEntry>,
    model: Option<String>,
    name: &'static str,
    number: Option<serde_json::Number>,
    page: usize,
    section: String,
    setting: SettingEntry,
    source: SourceEntry,
    value: String,
}

#[derive(Serialize)]
struct CountEntry {
    count: u64,
    model: Option<String>,
    page: usize,
    section: String,
    setting: SettingEntry,
    source: SourceEntry,
    value: String,
}

/// The experiment a row belongs to: section path, label (`main`, `pre-training`,
/// `fine-tuning`, `ablation`, `other-task`, `baseline`) and the dataset or task named.
#[derive(Serialize)]
struct SettingEntry {
    dataset: Option<String>,
    label: &'static str,
    path: String,
}

fn setting_entry(s: &paper_mining::Setting) -> SettingEntry {
    SettingEntry {
        dataset: s.dataset.clone(),
        label: s.label.as_str(),
        path: s.path.clone(),
    }
}

/// Either `sentence`, or `table` + `row` + `column` + `cell`.
#[derive(Serialize)]
struct SourceEntry {
    #[serde(skip_serializing_if = "Option::is_none")]
    cell: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    column: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    row: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sentence: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    table: Option<String>,
}

/// Mines the document; returns the path of the JSON file written into `files`.
pub fn mine(
    ctx: &Context<'_>,
    tables: &[TableEntry],
    files: &mut BTreeMap<String, Vec<u8>>,
) -> Result<Option<String>, Error> {
    let grids: Vec<Grid<'_>> = tables
        .iter()
        .map(|t| {
            (
                t.id.as_str(),
                t.page,
                t.bbox[1],
                t.cells.as_slice(),
                t.caption.as_str(),
            )
        })
        .collect();
    let mined = mine_layouts(ctx.layouts, &grids);
    let json = serde_json::to_value(to_file(&mined)).expect("plain data");
    let mut text = serde_json::to_string_pretty(&json).expect("plain data");
    text.push('\n');
    files.insert("hyperparams.json".into(), text.into_bytes());
    files.insert("hyperparams.md".into(), markdown(&mined).into_bytes());
    Ok(Some("hyperparams.json".into()))
}

/// The miner's view of the document: paragraphs and table cells.
fn mine_layouts(layouts: &[PageLayout], tables: &[Grid<'_>]) -> Mined {
    let (paragraphs, marks) = paragraphs(layouts);
    let cells = table_cells(tables, &marks, &paragraphs);
    paper_mining::mine(&paragraphs, &cells)
}

/// A heading and where it starts: (page, top y, heading text).
type Mark = (usize, f64, String);

/// Running text and captions as paragraphs, and where each section heading starts.
fn paragraphs(layouts: &[PageLayout]) -> (Vec<Paragraph>, Vec<Mark>) {
    let heads = sections::sections(layouts);
    let marks: Vec<Mark> = heads
        .iter()
        .filter_map(|h| {
            let block = layouts.get(h.page - 1)?.blocks.get(h.block)?;
            Some((h.page, block.block.bbox.y0, heading_text(h)))
        })
        .collect();
    let vocabulary = Vocabulary::of_pages(layouts);
    let mut out: Vec<Paragraph> = Vec::new();
    let mut last_body: Option<usize> = None;
    let body = sections::body_size(layouts);
    for layout in layouts {
        for (k, placed) in layout.blocks.iter().enumerate() {
            // A short list item ("– Optimizer: RMSprop [22]") is too short to read as running
            // text to the layout, but it is running text when set at the body size and not
            // on a drawing.
            let item = placed.role == BlockRole::Other
                && starts_list_item(&placed.block.text())
                && placed.block.size() >= 0.95 * body
                && !on_graphic(layout, &placed.block.bbox);
            if !matches!(placed.role, BlockRole::Body | BlockRole::Caption) && !item {
                continue;
            }
            let mut lines: &[Line] = &placed.block.lines;
            // A heading is the first line of its block; the rest is the paragraph below it.
            if heads
                .iter()
                .any(|h| (h.page, h.block) == (layout.number, k))
            {
                lines = lines.get(1..).unwrap_or(&[]);
                if lines.is_empty() {
                    continue;
                }
            }
            let section =
                sections::section_at(&heads, layout.number, k).map_or(String::new(), heading_text);
            let text = join_lines(lines.iter().map(Line::text), &vocabulary);
            // A paragraph cut by a column break (or by a figure and its caption) continues in a
            // later block of the page.
            // A list item continues the list or the lead-in ("• On JFT:") before it, so that
            // the miner sees which list it belongs to.
            let continues = if starts_list_item(&text) {
                |p: &str| p.ends_with(':') || starts_list_item(p)
            } else {
                |p: &str| !p.ends_with(['.', '!', '?', ':'])
            };
            if (placed.role == BlockRole::Body || item)
                && let Some(prev) = last_body.and_then(|i| out.get_mut(i))
                && prev.page == layout.number
                && continues(&prev.text)
                && text.chars().next().is_some_and(|c| !c.is_uppercase())
            {
                prev.text = join_lines([prev.text.as_str(), text.as_str()], &vocabulary);
                continue;
            }
            if placed.role == BlockRole::Body || item {
                last_body = Some(out.len());
            }
            out.push(Paragraph {
                page: layout.number,
                section,
                text,
            });
        }
    }
    (out, marks)
}

/// Text that opens with a list marker (a bullet, or a dash before a word).
fn starts_list_item(text: &str) -> bool {
    let mut chars = text.trim_start().chars();
    match chars.next() {
        Some('•' | '◦' | '▪' | '∗') => true,
        Some('–' | '—') => chars.next() == Some(' '),
        _ => false,
    }
}

/// Whether the centre of `r` lies on a picture (not a rule) of the page.
fn on_graphic(layout: &PageLayout, r: &pdf_layout::Rect) -> bool {
    let (cx, cy) = r.center();
    layout
        .graphics
        .iter()
        .any(|g| !g.is_rule() && g.bbox.contains_point(cx, cy))
}

/// "3.4 Implementation", or the title alone when unnumbered.
fn heading_text(h: &sections::Heading) -> String {
    match &h.number {
        Some(n) => format!("{n} {}", h.title),
        None => h.title.clone(),
    }
}

/// A table as the miner needs it: id, page, top edge, cells row by row, caption.
type Grid<'a> = (&'a str, usize, f64, &'a [Vec<String>], &'a str);

/// Every body cell with its row header (first cell of the row) and column header (cell of the
/// first row above it); the section is the one whose text cites the table ([`cited_in`]), else
/// the last heading before the table.
fn table_cells(tables: &[Grid<'_>], marks: &[Mark], paragraphs: &[Paragraph]) -> Vec<TableCell> {
    let mut out = Vec::new();
    for &(id, page, top, cells, caption) in tables {
        let section = cited_in(paragraphs, id, page).unwrap_or_else(|| {
            marks
                .iter()
                .rfind(|(p, y, _)| (*p, *y) <= (page, top))
                .map_or(String::new(), |m| m.2.clone())
        });
        let grid = regroup(&join_header_lines(cells));
        let cells = grid.as_slice();
        let Some(header) = cells.first() else {
            continue;
        };
        // The first column holds row headers, except a count column ("params" in LLaMA's
        // Table 2), whose cells are values too.
        let first = usize::from(
            header
                .first()
                .is_none_or(|h| paper_mining::counts::count_header(h).is_none()),
        );
        // "S", "M", "L" side by side are object sizes (COCO's AP on small, medium and large
        // objects), so a lone "L" there is no layer count.
        let sizes = ["S", "M", "L"]
            .iter()
            .all(|s| header.iter().any(|h| h.trim() == *s));
        let rows_are_models = first == 1 && header.first().is_some_and(|h| names_models(h));
        for row in cells.iter().skip(1) {
            let mut row_header = row.first().cloned().unwrap_or_default();
            let mut skip = first;
            // A row label split over two cells ("#" | "params." in ConvNeXt's Table 9, the
            // symbol set apart from its word): one label, and its second half is no value.
            if first == 1
                && let Some(second) = row.get(1)
                && !row_header.trim().is_empty()
                && !row_header.chars().any(char::is_alphanumeric)
                && second.chars().any(char::is_alphabetic)
            {
                row_header = format!("{} {}", row_header.trim(), second.trim());
                skip = 2;
            }
            for (c, text) in row.iter().enumerate().skip(skip) {
                if sizes
                    && header
                        .get(c)
                        .is_some_and(|h| ["S", "M", "L"].contains(&h.trim()))
                {
                    continue;
                }
                // A column of models left of the cell ("Model", "Our Model" in EfficientNet
                // Table 5, whose rows are datasets) names the cell's model: "NASNet-A
                // (CIFAR-10)", not "CIFAR-10". Not where the rows are models themselves (the
                // row headers' column is headed "Model" or "Method"), nor from a column of
                // models the row's is built on ("Base model", "Teacher model"): there the row
                // header stays the model.
                let model = (skip..c)
                    .rev()
                    .filter(|_| !rows_are_models)
                    .find(|&j| header.get(j).is_some_and(|h| names_models(h)))
                    .and_then(|j| row.get(j))
                    .map(|m| m.trim())
                    .filter(|m| !m.is_empty());
                let row_name = match model {
                    Some(m) if row_header.trim().is_empty() => m.to_string(),
                    Some(m) => format!("{m} ({})", row_header.trim()),
                    None => row_header.clone(),
                };
                out.push(TableCell {
                    table: id.to_string(),
                    page,
                    section: section.clone(),
                    row: row_name,
                    column: header.get(c).cloned().unwrap_or_default(),
                    text: text.clone(),
                    caption: caption.to_string(),
                });
            }
        }
    }
    out
}

/// The section of the first running-text paragraph on the table's page or the page before
/// that cites "Table <id>". A float sits where it fits, not where it is discussed: MobileNetV2
/// sets Table 4 (ImageNet, cited in 6.1) under the heading of 6.2 in the left column, and
/// Table 5 (detection, cited in 6.2) at the top of the right column, so the last heading above
/// each gave them each other's section.
fn cited_in(paragraphs: &[Paragraph], id: &str, page: usize) -> Option<String> {
    let name = format!("Table {id}");
    let cites = |text: &str| {
        text.match_indices(&name).any(|(i, _)| {
            let mut rest = text[i + name.len()..].chars();
            match rest.next() {
                None => true,
                Some('.') => !rest.next().is_some_and(|c| c.is_alphanumeric()),
                Some(c) => !c.is_alphanumeric(),
            }
        })
    };
    paragraphs
        .iter()
        .filter(|p| p.page + 1 >= page && p.page <= page && !p.section.is_empty())
        // Captions ("Table 4: ...", "Figure 5. ...") cite themselves or another float.
        .filter(|p| !p.text.starts_with("Table") && !p.text.starts_with("Fig"))
        .find(|p| cites(&p.text))
        .map(|p| p.section.clone())
}

/// Whether a column header names the models of its rows ("Model", "Our Model", "Method",
/// "Architecture"), and not models they derive from ("Base model", "Teacher model",
/// "Pre-trained model").
fn names_models(header: &str) -> bool {
    let h = header.trim().to_lowercase();
    let derived = [
        "base",
        "backbone",
        "teacher",
        "pre-trained",
        "pretrained",
        "parent",
    ]
    .iter()
    .any(|w| h.contains(w));
    !derived && (h.ends_with("model") || h == "models" || h == "method" || h == "architecture")
}

/// How many numbers a cell holds when it holds numbers only ("12M 18M" -> 2); `None` for an
/// empty cell or one with any other word.
fn numbers_in(cell: &str) -> Option<usize> {
    let t: Vec<&str> = cell.split_whitespace().collect();
    (!t.is_empty() && t.iter().all(|w| paper_mining::parse_number(w).is_some())).then_some(t.len())
}

/// A header of several lines whose top line groups columns ("BiFPN" over "#channels" and
/// "#layers" in EfficientDet Table 1, which the layout keeps as rows, a hierarchy) as one header
/// line, each column named by its group and its own lines ("BiFPN #layers D_bifpn"). The header
/// lines are the top one and the lines after it that hold no number; the top line groups when a
/// cell of it is blank over a named cell of the next line. Anything else is left as it is.
fn join_header_lines(cells: &[Vec<String>]) -> Vec<Vec<String>> {
    let number = |c: &String| numbers_in(c).is_some();
    let blank = |c: &String| c.trim().is_empty();
    let (Some(top), Some(next)) = (cells.first(), cells.get(1)) else {
        return cells.to_vec();
    };
    let groups = top.iter().skip(1).any(|c| !blank(c))
        && top
            .iter()
            .zip(next)
            .skip(1)
            .any(|(t, n)| blank(t) && !blank(n));
    let lines = 1 + cells[1..]
        .iter()
        .take_while(|r| !r.iter().skip(1).any(number))
        .count();
    if !groups || lines < 2 || lines >= cells.len() {
        return cells.to_vec();
    }
    let mut header: Vec<Vec<&str>> = vec![Vec::new(); top.len()];
    for (k, line) in cells[..lines].iter().enumerate() {
        // A group's word stands over the first of its columns; it names the blanks after it
        // on its line, up to the next word (not on the last line, whose cells are columns).
        let mut group: Option<&str> = None;
        for (c, cell) in line.iter().enumerate().take(header.len()) {
            if !blank(cell) {
                group = (c > 0).then_some(cell.trim());
                header[c].push(cell.trim());
            } else if k + 1 < lines
                && let Some(g) = group
            {
                header[c].push(g);
            }
        }
    }
    let mut out = vec![header.iter().map(|h| h.join(" ")).collect()];
    out.extend(cells[lines..].iter().cloned());
    out
}

/// The grid as the miner should see it, where the layout merged what the paper separates:
/// - a header cell followed by an empty one holds two headers ("Model Parameters" | ""): its
///   last word moves right;
/// - a row whose numeric cells each hold N values ("12M 18M 60M 235M") is N rows stacked in
///   one (a row group): each such cell is split, the others repeat, and a row header ending in N
///   lower-case words ("ALBERT base large xlarge xxlarge") gives each row its word after the
///   group's ("ALBERT xlarge").
fn regroup(cells: &[Vec<String>]) -> Vec<Vec<String>> {
    let split = split_counted_columns(cells);
    let cells = split.as_slice();
    let mut out: Vec<Vec<String>> = Vec::with_capacity(cells.len());
    let Some(header) = cells.first() else {
        return out;
    };
    let mut header = header.clone();
    for i in 1..header.len() {
        if header[i].trim().is_empty() {
            let words: Vec<&str> = header[i - 1].split_whitespace().collect();
            if words.len() >= 2 {
                let (keep, last) = words.split_at(words.len() - 1);
                let (keep, last) = (keep.join(" "), last.join(" "));
                header[i - 1] = keep;
                header[i] = last;
            }
        }
    }
    out.push(header);
    for row in &cells[1..] {
        let mut sizes: Vec<usize> = row.iter().skip(1).filter_map(|c| numbers_in(c)).collect();
        sizes.sort_unstable();
        // The most common token count of the numeric cells.
        let n = sizes
            .iter()
            .max_by_key(|k| (sizes.iter().filter(|j| j == k).count(), **k))
            .copied()
            .unwrap_or(1);
        if n < 2 {
            out.push(row.clone());
            continue;
        }
        let head_words: Vec<&str> = row
            .first()
            .map_or(Vec::new(), |h| h.split_whitespace().collect());
        let members = (head_words.len() > n
            && head_words[head_words.len() - n..]
                .iter()
                .all(|w| w.starts_with(|c: char| c.is_lowercase())))
        .then(|| {
            let group = head_words[..head_words.len() - n].join(" ");
            head_words[head_words.len() - n..]
                .iter()
                .map(|w| format!("{group} {w}"))
                .collect::<Vec<_>>()
        });
        for k in 0..n {
            let mut r = Vec::with_capacity(row.len());
            for (c, cell) in row.iter().enumerate() {
                let words: Vec<&str> = cell.split_whitespace().collect();
                r.push(if c == 0 {
                    members
                        .as_ref()
                        .map_or_else(|| cell.clone(), |m| m[k].clone())
                } else if words.len() == n && numbers_in(cell).is_some() {
                    words[k].to_string()
                } else {
                    cell.clone()
                });
            }
            out.push(r);
        }
    }
    out
}

/// Two columns the layout merged into one, told by the header: "BiFPN #channels #layers
/// Wbifpn Dbifpn" over cells "64 3" names two counts ("#channels", "#layers") and every cell
/// holds two numbers, so the column is split in two, each headed by the group word and its own
/// "#" name ("BiFPN #channels", "BiFPN #layers"). A column whose cells do not all hold that
/// many numbers is left as it is.
fn split_counted_columns(cells: &[Vec<String>]) -> Vec<Vec<String>> {
    let Some(header) = cells.first() else {
        return Vec::new();
    };
    let numeric = |c: &str| -> Option<Vec<String>> {
        let t: Vec<String> = c.split_whitespace().map(str::to_string).collect();
        t.iter()
            .all(|w| paper_mining::parse_number(w).is_some())
            .then_some(t)
    };
    // Per column: the header of each part when the column is split.
    let mut parts: Vec<Option<Vec<String>>> = vec![None; header.len()];
    for (c, h) in header.iter().enumerate().skip(1) {
        let words: Vec<&str> = h.split_whitespace().collect();
        let counted: Vec<&str> = words
            .iter()
            .copied()
            .filter(|w| w.len() > 1 && w.starts_with('#'))
            .collect();
        let k = counted.len();
        if k < 2 {
            continue;
        }
        let filled: Vec<Option<Vec<String>>> = cells[1..]
            .iter()
            .map(|r| r.get(c).map(String::as_str).unwrap_or(""))
            .filter(|t| !t.trim().is_empty())
            .map(numeric)
            .collect();
        if filled.len() < 2
            || filled
                .iter()
                .any(|t| t.as_ref().is_none_or(|t| t.len() != k))
        {
            continue;
        }
        let group: Vec<&str> = words
            .iter()
            .copied()
            .take_while(|w| !w.starts_with('#'))
            .collect();
        parts[c] = Some(
            counted
                .iter()
                .map(|w| {
                    let mut g = group.clone();
                    g.push(w);
                    g.join(" ")
                })
                .collect(),
        );
    }
    if parts.iter().all(Option::is_none) {
        return cells.to_vec();
    }
    cells
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let mut r = Vec::with_capacity(row.len() + 2);
            for (c, cell) in row.iter().enumerate() {
                match parts.get(c).and_then(Option::as_ref) {
                    Some(names) if i == 0 => r.extend(names.iter().cloned()),
                    Some(names) => match numeric(cell).filter(|t| t.len() == names.len()) {
                        Some(t) => r.extend(t),
                        None => r.extend(std::iter::repeat_n(String::new(), names.len())),
                    },
                    None => r.push(cell.clone()),
                }
            }
            r
        })
        .collect()
}

fn json_number(x: f64) -> Option<serde_json::Number> {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        Some((x as i64).into())
    } else {
        serde_json::Number::from_f64(x)
    }
}

fn source_entry(s: &Source) -> SourceEntry {
    match s {
        Source::Sentence(sentence) => SourceEntry {
            cell: None,
            column: None,
            row: None,
            sentence: Some(sentence.clone()),
            table: None,
        },
        Source::Cell {
            table,
            row,
            column,
            cell,
        } => SourceEntry {
            cell: Some(cell.clone()),
            column: Some(column.clone()),
            row: Some(row.clone()),
            sentence: None,
            table: Some(table.clone()),
        },
    }
}

fn to_file(m: &Mined) -> HyperparamsFile {
    HyperparamsFile {
        hyperparameters: m
            .hyperparameters
            .iter()
            .map(|c| HyperparamEntry {
                also: c.also.iter().map(source_entry).collect(),
                model: c.model.clone(),
                name: c.name,
                number: c.number.and_then(json_number),
                page: c.page,
                section: c.section.clone(),
                setting: setting_entry(&c.setting),
                source: source_entry(&c.source),
                value: c.value.clone(),
            })
            .collect(),
        param_counts: m
            .param_counts
            .iter()
            .map(|c| CountEntry {
                count: c.count,
                model: c.model.clone(),
                page: c.page,
                section: c.section.clone(),
                setting: setting_entry(&c.setting),
                source: source_entry(&c.source),
                value: c.value.clone(),
            })
            .collect(),
        symbols: m
            .symbols
            .iter()
            .map(|s| SymbolEntry {
                number: json_number(s.number),
                page: s.page,
                phrase: s.phrase.clone(),
                section: s.section.clone(),
                sentence: s.sentence.clone(),
                setting: setting_entry(&s.setting),
                symbol: s.symbol.clone(),
                value: s.value.clone(),
            })
            .collect(),
    }
}

/// The audit's source column: `p.4, §3.4 "We use SGD ... learning rate starts from 0.1"` or
/// `p.5, Table 1, row "ViT-Base", column "Layers"`.
fn locator(page: usize, section: &str, source: &Source, value: &str) -> String {
    let mut s = format!("p.{page}");
    if !section.is_empty() {
        let number = section.split_whitespace().next().unwrap_or("");
        let short =
            if number.chars().next().is_some_and(|c| c.is_ascii_digit()) || number.contains('.') {
                number.trim_end_matches('.')
            } else {
                section
            };
        s.push_str(&format!(", §{short}"));
    }
    match source {
        Source::Sentence(sentence) => {
            s.push_str(&format!(" \"{}\"", quote(sentence, value)));
        }
        Source::Cell {
            table, row, column, ..
        } => {
            s.push_str(&format!(
                ", Table {table}, row \"{row}\", column \"{column}\""
            ));
        }
    }
    s.replace('|', "\\|")
}

/// The sentence, or for a long one its opening words and the words around the value.
fn quote(sentence: &str, value: &str) -> String {
    const LIMIT: usize = 150;
    if sentence.chars().count() <= LIMIT {
        return sentence.to_string();
    }
    let words: Vec<&str> = sentence.split_whitespace().collect();
    let first_value_word = value.split_whitespace().next().unwrap_or(value);
    let at = words
        .iter()
        .position(|w| w.contains(first_value_word))
        .unwrap_or(0);
    let head = 5.min(words.len());
    let (from, to) = (at.saturating_sub(8).max(head), (at + 6).min(words.len()));
    let mut q = words[..head].join(" ");
    if from > head {
        q.push_str(" ...");
    }
    if from < to {
        q.push(' ');
        q.push_str(&words[from..to].join(" "));
    }
    if to < words.len() {
        q.push_str(" ...");
    }
    q
}

fn markdown(m: &Mined) -> String {
    let mut md = String::from(
        "# Hyper-parameters and parameter counts found in the paper\n\n\
         Candidates mined from the text and the tables: check each against its source before \
         using it. Every value the replication needs that is not listed here goes through the \
         \"Paper did not specify\" protocol.\n\n\
         \"[fine-tuning]\", \"[other-task: cifar]\" and the like mark values of another experiment \
         than the paper's main one.\n\n\
         | name | value | 来源 (source) |\n|---|---|---|\n",
    );
    let order = |c: &Candidate| {
        paper_mining::vocab::NAMES
            .iter()
            .position(|n| *n == c.name)
            .unwrap_or(usize::MAX)
    };
    let mut rows: Vec<&Candidate> = m.hyperparameters.iter().collect();
    rows.sort_by_key(|c| (order(c), c.page));
    for c in rows {
        // A value of another experiment says so, so that it is not copied as the main one.
        let setting = match (c.setting.label, &c.setting.dataset) {
            (paper_mining::Label::Main, _) => String::new(),
            (l, Some(d)) => format!(" [{}: {d}]", l.as_str()),
            (l, None) => format!(" [{}]", l.as_str()),
        };
        md.push_str(&format!(
            "| {} | {} | {}{} |\n",
            c.name,
            c.value.replace('|', "\\|"),
            locator(c.page, &c.section, &c.source, &c.value),
            setting
        ));
    }
    if m.hyperparameters.is_empty() {
        md.push_str("| (none found) | | |\n");
    }
    if !m.symbols.is_empty() {
        md.push_str(
            "\n## Symbol assignments\n\n| symbol | value | defined as | 来源 (source) |\n|---|---|---|---|\n",
        );
        for s in &m.symbols {
            md.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                s.symbol.replace('|', "\\|"),
                s.value.replace('|', "\\|"),
                s.phrase.replace('|', "\\|"),
                locator(
                    s.page,
                    &s.section,
                    &Source::Sentence(s.sentence.clone()),
                    &s.value
                )
            ));
        }
    }
    md.push_str("\n## Reported parameter counts\n\n");
    if m.param_counts.is_empty() {
        md.push_str("None found: the paper may not print one (validate with no paper value).\n");
        return md;
    }
    md.push_str("| model | value | count | 来源 (source) |\n|---|---|---|---|\n");
    for c in &m.param_counts {
        md.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            c.model
                .as_deref()
                .unwrap_or("(not named)")
                .replace('|', "\\|"),
            c.value.replace('|', "\\|"),
            c.count,
            locator(c.page, &c.section, &c.source, &c.value)
        ));
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vit_cells() -> Vec<Vec<String>> {
        let row = |cells: &[&str]| cells.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        vec![
            row(&[
                "Model",
                "Layers",
                "Hidden size D",
                "MLP size",
                "Heads",
                "Params",
            ]),
            row(&["ViT-Base", "12", "768", "3072", "12", "86M"]),
            row(&["ViT-Huge", "32", "1280", "5120", "16", "632M"]),
        ]
    }

    #[test]
    fn a_table_takes_the_section_that_cites_it() {
        // MobileNetV2 p.7: Table 4 is cited in 6.1 and Table 5 in 6.2, but Table 4 is set in
        // the left column under 6.2's heading and Table 5 at the top of the right column.
        let para = |page, section: &str, text: &str| Paragraph {
            page,
            section: section.into(),
            text: text.into(),
        };
        let paragraphs = [
            para(
                6,
                "5.1 Memory efficient inference",
                "as in Table 45 and Table 4.2",
            ),
            para(
                7,
                "6.1 ImageNet Classification",
                "is shown in Table 4 with the full graph",
            ),
            para(7, "6.2 Object Detection", "cost as shown in Table 5."),
            para(
                7,
                "6.2 Object Detection",
                "Table 4: Performance on ImageNet",
            ),
        ];
        let got = |id| cited_in(&paragraphs, id, 7);
        assert_eq!(got("4").as_deref(), Some("6.1 ImageNet Classification"));
        assert_eq!(got("5").as_deref(), Some("6.2 Object Detection"));
        // Neither "Table 45" nor "Table 4.2" cites Table 4 or Table 45's neighbours; no
        // citation leaves the section to the heading above the table.
        assert_eq!(cited_in(&paragraphs[..1], "4", 7), None);
        assert_eq!(got("6"), None);
    }

    #[test]
    fn table_cells_reach_the_miner_with_their_headers() {
        let cells = vit_cells();
        let mined = mine_layouts(&[], &[("1", 5, 80.0, &cells, "")]);
        let got: Vec<(&str, f64)> = mined
            .hyperparameters
            .iter()
            .map(|c| (c.name, c.number.unwrap()))
            .collect();
        assert_eq!(
            got,
            [
                ("layers", 12.0),
                ("hidden_dim", 768.0),
                ("ffn_dim", 3072.0),
                ("heads", 12.0),
                ("layers", 32.0),
                ("hidden_dim", 1280.0),
                ("ffn_dim", 5120.0),
                ("heads", 16.0),
            ]
        );
        let counts: Vec<(Option<&str>, u64)> = mined
            .param_counts
            .iter()
            .map(|c| (c.model.as_deref(), c.count))
            .collect();
        assert_eq!(
            counts,
            [
                (Some("ViT-Base"), 86_000_000),
                (Some("ViT-Huge"), 632_000_000)
            ]
        );
        let md = markdown(&mined);
        assert!(
            md.contains("| layers | 12 | p.5, Table 1, row \"ViT-Base\", column \"Layers\" |"),
            "{md}"
        );
        assert!(md.contains("| ViT-Huge | 632M | 632000000 | p.5, Table 1, row \"ViT-Huge\", column \"Params\" |"), "{md}");
    }

    #[test]
    fn object_size_columns_are_not_layer_counts() {
        let row = |cells: &[&str]| cells.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        // A detection table: AP on small, medium and large objects.
        let coco = vec![
            row(&["Method", "AP", "S", "M", "L"]),
            row(&["Ours", "31.2", "10.9", "34.8", "49.8"]),
        ];
        let mined = mine_layouts(&[], &[("5", 12, 80.0, &coco, "")]);
        assert!(
            mined.hyperparameters.is_empty(),
            "{:?}",
            mined.hyperparameters
        );
        // A lone "L" is still the number of layers.
        let arch = vec![row(&["Model", "L", "H"]), row(&["Base", "12", "768"])];
        let mined = mine_layouts(&[], &[("1", 3, 80.0, &arch, "")]);
        assert!(
            mined
                .hyperparameters
                .iter()
                .any(|c| c.name == "layers" && c.number == Some(12.0))
        );
    }

    #[test]
    fn a_count_beside_a_model_column_is_that_models() {
        // EfficientNet Table 5 (p.7): rows are datasets, the models stand in "Model" and "Our
        // Model" columns; 85M is NASNet-A's (the paper's cell), not CIFAR-10's.
        let row = |cells: &[&str]| cells.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        let t5 = vec![
            row(&["", "Model", "Acc.", "#Param", "Our Model", "Acc."]),
            row(&[
                "CIFAR-10",
                "NASNet-A",
                "98.0%",
                "85M",
                "EfficientNet-B0",
                "98.1%",
            ]),
        ];
        let mined = mine_layouts(&[], &[("5", 7, 80.0, &t5, "")]);
        let counts: Vec<(Option<&str>, &str)> = mined
            .param_counts
            .iter()
            .map(|c| (c.model.as_deref(), c.value.as_str()))
            .collect();
        assert_eq!(counts, [(Some("NASNet-A (CIFAR-10)"), "85M")]);
    }

    #[test]
    fn a_count_is_not_credited_to_the_model_a_row_builds_on() {
        // Rows that are the paper's own models, beside the models they start from: the count
        // is the row's ("OurNet-S"), never the base's ("ResNet-50 (OurNet-S)"), whether the
        // base column says so ("Base model") or the row headers' column names models.
        let row = |cells: &[&str]| cells.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        let base = vec![
            row(&["", "Base model", "#Params"]),
            row(&["OurNet-S", "ResNet-50", "25M"]),
        ];
        let rows_named = vec![
            row(&["Method", "Language model", "#Params"]),
            row(&["OurNet-L", "GPT-2", "1.5B"]),
        ];
        for (table, model, value) in [
            (&base, "OurNet-S", "25M"),
            (&rows_named, "OurNet-L", "1.5B"),
        ] {
            let mined = mine_layouts(&[], &[("2", 3, 80.0, table, "")]);
            let counts: Vec<(Option<&str>, &str)> = mined
                .param_counts
                .iter()
                .map(|c| (c.model.as_deref(), c.value.as_str()))
                .collect();
            assert_eq!(counts, [(Some(model), value)], "{table:?}");
        }
    }

    /// ConvNeXt's Table 9 sets its count row's label in two cells, "#" under the row headers
    /// and "params." under "output size": the count of each model column was missed, and
    /// "params." read as a value.
    #[test]
    fn a_row_label_split_over_two_cells_is_one_label() {
        let row = |cells: &[&str]| cells.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        let arch = vec![
            row(&["", "output size", "ResNet-50", "ConvNeXt-T"]),
            row(&["stem", "56×56", "7×7, 64, stride 2", "4×4, 96, stride 4"]),
            row(&["#", "params.", "25.6 × 10^6", "28.6 × 10^6"]),
        ];
        let mined = mine_layouts(&[], &[("9", 11, 80.0, &arch, "")]);
        let counts: Vec<(Option<&str>, u64)> = mined
            .param_counts
            .iter()
            .map(|c| (c.model.as_deref(), c.count))
            .collect();
        assert_eq!(
            counts,
            [
                (Some("ResNet-50"), 25_600_000),
                (Some("ConvNeXt-T"), 28_600_000)
            ]
        );
    }

    #[test]
    fn list_markers_open_list_items() {
        assert!(starts_list_item("• On JFT:"));
        assert!(starts_list_item("– Optimizer: RMSprop [22]"));
        // A dash glued to a number is a minus sign, and a word is no marker.
        assert!(!starts_list_item("–5 dB"));
        assert!(!starts_list_item("Optimizer: SGD"));
    }

    #[test]
    fn header_lines_under_group_words_name_each_column() {
        // EfficientDet Table 1 (p.5) as the layout now gives it: "BiFPN" over "#channels" and
        // "#layers", kept as a hierarchy of rows once its columns are no longer merged.
        let g = |rows: &[&[&str]]| -> Vec<Vec<String>> {
            rows.iter()
                .map(|r| r.iter().map(|c| c.to_string()).collect())
                .collect()
        };
        let grid = g(&[
            &["", "Input", "Backbone", "BiFPN", "", "Box/class"],
            &["", "size", "Network", "#channels", "#layers", "#layers"],
            &["", "R_input", "", "W_bifpn", "D_bifpn", "D_class"],
            &["D0 (φ = 0)", "512", "B0", "64", "3", "3"],
            &["D1 (φ = 1)", "640", "B1", "88", "4", "3"],
        ]);
        assert_eq!(
            join_header_lines(&grid),
            g(&[
                &[
                    "",
                    "Input size R_input",
                    "Backbone Network",
                    "BiFPN #channels W_bifpn",
                    "BiFPN #layers D_bifpn",
                    "Box/class #layers D_class",
                ],
                &["D0 (φ = 0)", "512", "B0", "64", "3", "3"],
                &["D1 (φ = 1)", "640", "B1", "88", "4", "3"],
            ])
        );
        // A header of one line, or a top line without a blank over a named cell, stays.
        let flat = g(&[
            &["Model", "Top-1", "Params"],
            &["ResNet-50", "76.1", "25.6M"],
        ]);
        assert_eq!(join_header_lines(&flat), flat);
        let recipe = g(&[
            &["config", "value"],
            &["optimizer", "AdamW"],
            &["learning rate", "4e-3"],
        ]);
        assert_eq!(join_header_lines(&recipe), recipe);
    }

    #[test]
    fn a_column_heading_two_counts_over_pairs_of_numbers_is_split() {
        // A scaling table as the layout reads it: two narrow columns under one group header
        // ("Decoder #blocks #layers" with their symbols Nb, Nd) merged into one, each cell two
        // numbers; the size column heads with its symbol glued to its subscript ("Rinput").
        let row = |cells: &[&str]| cells.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        let cells = vec![
            row(&["", "Input size Rinput", "Decoder #blocks #layers Nb Nd"]),
            row(&["S0", "320", "2 6"]),
            row(&["S1", "384", "3 9"]),
            row(&["S2", "448", ""]),
        ];
        let grid = split_counted_columns(&cells);
        assert_eq!(
            grid[0],
            [
                "",
                "Input size Rinput",
                "Decoder #blocks",
                "Decoder #layers"
            ]
        );
        assert_eq!(grid[2], ["S1", "384", "3", "9"]);
        assert_eq!(grid[3], ["S2", "448", "", ""]);
        let mined = mine_layouts(&[], &[("1", 5, 80.0, &cells, "")]);
        let got: Vec<(&str, f64)> = mined
            .hyperparameters
            .iter()
            .map(|c| (c.name, c.number.unwrap()))
            .collect();
        assert_eq!(
            got,
            [
                ("image_size", 320.0),
                ("layers", 6.0),
                ("image_size", 384.0),
                ("layers", 9.0),
                ("image_size", 448.0),
            ]
        );
        // One "#" name, or a cell with another count of numbers: the column stays whole.
        let kept = vec![
            row(&["", "Decoder #blocks #layers"]),
            row(&["S0", "2 6"]),
            row(&["S1", "3"]),
        ];
        assert_eq!(split_counted_columns(&kept), kept);
    }

    #[test]
    fn merged_headers_and_row_groups_are_taken_apart() {
        // ALBERT's Table 1 as the layout reads it: "Model Parameters" in one header cell, and
        // the four ALBERT sizes stacked in one row.
        let row = |cells: &[&str]| cells.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        let cells = vec![
            row(&["Model Parameters", "", "Layers", "Hidden"]),
            row(&["BERT large", "334M", "24", "1024"]),
            row(&[
                "ALBERT base large xlarge xxlarge",
                "12M 18M 60M 235M",
                "12 24 24 12",
                "768 1024 2048 4096",
            ]),
            // MobileNetV2's Table 7: two output strides of one network in one row.
            row(&["MNet V1", "11.15M 11.15M", "16 8"]),
        ];
        let grid = regroup(&cells);
        assert_eq!(grid[0], ["Model", "Parameters", "Layers", "Hidden"]);
        assert_eq!(grid[4], ["ALBERT xlarge", "60M", "24", "2048"]);
        assert_eq!(grid[6], ["MNet V1", "11.15M", "16"]);
        assert_eq!(grid[7], ["MNet V1", "11.15M", "8"]);
        let mined = mine_layouts(&[], &[("1", 5, 80.0, &cells, "")]);
        let counts: Vec<(Option<&str>, u64)> = mined
            .param_counts
            .iter()
            .map(|c| (c.model.as_deref(), c.count))
            .collect();
        assert_eq!(
            counts,
            [
                (Some("BERT large"), 334_000_000),
                (Some("ALBERT base"), 12_000_000),
                (Some("ALBERT large"), 18_000_000),
                (Some("ALBERT xlarge"), 60_000_000),
                (Some("ALBERT xxlarge"), 235_000_000),
                (Some("MNet V1"), 11_150_000),
                (Some("MNet V1"), 11_150_000),
            ]
        );
    }

    #[test]
    fn markdown_marks_values_of_another_setting() {
        let para = |page, section: &str, text: &str| Paragraph {
            page,
            section: section.into(),
            text: text.into(),
        };
        let mined = paper_mining::mine(
            &[
                para(
                    1,
                    "1 Introduction",
                    "We classify ImageNet images. ImageNet is large.",
                ),
                para(5, "4 Implementation", "We use a weight decay of 0.0001."),
                para(
                    9,
                    "A Implementation Details: CIFAR",
                    "We use a weight decay of 0.0005.",
                ),
            ],
            &[],
        );
        let md = markdown(&mined);
        assert!(
            md.contains(
                "| weight_decay | 0.0001 | p.5, §4 \"We use a weight decay of 0.0001.\" |\n"
            ),
            "{md}"
        );
        assert!(
            md.contains(
                "| weight_decay | 0.0005 | p.9, §A Implementation Details: CIFAR \"We use a weight decay of \
                 0.0005.\" [other-task: cifar] |\n"
            ),
            "{md}"
        );
    }

    #[test]
    fn a_leading_count_column_is_read() {
        let row = |cells: &[&str]| cells.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        let cells = vec![
            row(&["params", "dimension", "n heads"]),
            row(&["6.7B", "4096", "32"]),
        ];
        let mined = mine_layouts(&[], &[("2", 3, 50.0, &cells, "")]);
        let counts: Vec<(Option<&str>, u64)> = mined
            .param_counts
            .iter()
            .map(|c| (c.model.as_deref(), c.count))
            .collect();
        assert_eq!(counts, [(None, 6_700_000_000)]);
        let names: Vec<&str> = mined.hyperparameters.iter().map(|c| c.name).collect();
        assert_eq!(names, ["hidden_dim", "heads"]);
    }

    #[test]
    fn sources_for_the_audit_column() {
        let sentence = "We use SGD with a mini-batch size of 256.";
        assert_eq!(
            locator(
                4,
                "3.4. Implementation",
                &Source::Sentence(sentence.into()),
                "256"
            ),
            "p.4, §3.4 \"We use SGD with a mini-batch size of 256.\""
        );
        let long = "We train with batch size of 256 sequences (256 sequences * 512 tokens = \
                    128,000 tokens/batch) for 1,000,000 steps, which is approximately 40 epochs \
                    over the 3.3 billion word corpus, and then some more words here.";
        assert_eq!(
            quote(long, "1,000,000"),
            "We train with batch size ... sequences * 512 tokens = 128,000 tokens/batch) for \
             1,000,000 steps, which is approximately 40 ..."
        );
        assert_eq!(
            locator(2, "Abstract", &Source::Sentence("a | b".into()), "b"),
            "p.2, §Abstract \"a \\| b\""
        );
    }

    #[test]
    fn integral_numbers_print_as_integers() {
        assert_eq!(json_number(256.0), Some(256.into()));
        assert_eq!(json_number(1e-4).unwrap().as_f64(), Some(1e-4));
    }
}
