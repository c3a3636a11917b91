//! Captioned tables: region, cell grid, and their files (`tables/table-N.{md,csv,png}`).
//!
//! The grid comes from `pdf_layout::tables` (no PDF involved); this module adds the crop render
//! and the two text forms. Cells follow that module's conventions: row-major, rows of equal
//! length, a spanning cell's text in its top-left grid cell and empty strings in the rest.

use crate::error::Error;
use crate::render::{PageCrops, check_render_size};
use crate::structure::Context;
use pdf_layout::Rect;
use serde::Serialize;
use std::collections::BTreeMap;

/// A table in the manifest.
#[derive(Clone, Debug, Serialize)]
pub struct TableEntry {
    /// Table box in PDF points, top-left origin.
    pub bbox: [f64; 4],
    /// Caption text.
    pub caption: String,
    /// Cells row by row, as printed; a spanning cell's text sits in its top-left grid cell and
    /// the cells it covers are empty strings.
    pub cells: Vec<Vec<String>>,
    /// `tables/table-<id>.csv`, RFC 4180.
    pub csv: String,
    /// The rendered crop, `tables/table-<id>.png`.
    pub file: String,
    /// The id as printed ("3", "III", "A.1").
    pub id: String,
    /// `tables/table-<id>.md`, a Markdown table whose first row is the header.
    pub markdown: String,
    /// 1-based page.
    pub page: usize,
}

/// Finds every captioned table and adds its files to `files`.
pub fn extract(
    ctx: &Context<'_>,
    files: &mut BTreeMap<String, Vec<u8>>,
) -> Result<Vec<TableEntry>, Error> {
    let (tables, crops) = entries_and_crops(ctx, files)?;
    crate::render::render_page_crops(ctx, &crops, files)?;
    Ok(tables)
}

/// Finds every captioned table and adds its text files to `files`; the crops are returned
/// for [`crate::render::render_page_crops`] so that one render of a page can serve several passes.
pub fn entries_and_crops(
    ctx: &Context<'_>,
    files: &mut BTreeMap<String, Vec<u8>>,
) -> Result<(Vec<TableEntry>, PageCrops), Error> {
    let mut out = Vec::new();
    let mut crops = PageCrops::new();
    for table in pdf_layout::tables::find_tables(ctx.layouts, ctx.captions) {
        let page_no = table.caption.page;
        let layout = &ctx.layouts[page_no - 1];
        let page_rect = Rect::new(0.0, 0.0, layout.width, layout.height);
        let crop = table
            .bbox
            .inflate(2.0)
            .intersect(&page_rect)
            .unwrap_or(table.bbox);
        let stem = format!("tables/table-{}", file_id(&table.caption.id));
        let (png, md, csv) = (
            format!("{stem}.png"),
            format!("{stem}.md"),
            format!("{stem}.csv"),
        );
        check_render_size(crop, ctx.dpi, page_no)?;
        crops.entry(page_no).or_default().push((png.clone(), crop));
        files.insert(md.clone(), markdown(&table.cells).into_bytes());
        files.insert(csv.clone(), to_csv(&table.cells).into_bytes());
        let r = table.bbox.rounded();
        out.push(TableEntry {
            bbox: [r.x0, r.y0, r.x1, r.y1],
            caption: table.caption.text.clone(),
            cells: table.cells,
            csv,
            file: png,
            id: table.caption.id.clone(),
            markdown: md,
            page: page_no,
        });
    }
    Ok((out, crops))
}

/// The id as a file name part: letters, digits and dots kept ("A.1", "III"), anything else `_`.
pub fn file_id(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// A Markdown table: the first row is the header; pipes and backslashes escaped, line breaks
/// turned into spaces.
pub fn markdown(cells: &[Vec<String>]) -> String {
    let Some(n) = cells.iter().map(Vec::len).max().filter(|&n| n > 0) else {
        return String::new();
    };
    let escape = |s: &str| {
        s.replace('\\', "\\\\")
            .replace('|', "\\|")
            .replace(['\n', '\r'], " ")
    };
    let line = |row: &[String]| {
        let mut s = String::from("|");
        for i in 0..n {
            s.push(' ');
            s.push_str(&escape(row.get(i).map_or("", String::as_str)));
            s.push_str(" |");
        }
        s.push('\n');
        s
    };
    let mut out = line(&cells[0]);
    out.push('|');
    out.push_str(&" --- |".repeat(n));
    out.push('\n');
    for row in &cells[1..] {
        out.push_str(&line(row));
    }
    out
}

/// RFC 4180 CSV: fields with a comma, quote or line break quoted, quotes doubled, CRLF endings.
pub fn to_csv(cells: &[Vec<String>]) -> String {
    let mut out = String::new();
    for row in cells {
        let fields: Vec<String> = row
            .iter()
            .map(|f| {
                if f.contains([',', '"', '\n', '\r']) {
                    format!("\"{}\"", f.replace('"', "\"\""))
                } else {
                    f.clone()
                }
            })
            .collect();
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(rows: &[&[&str]]) -> Vec<Vec<String>> {
        rows.iter()
            .map(|r| r.iter().map(|s| s.to_string()).collect())
            .collect()
    }

    #[test]
    fn markdown_escapes_pipes_and_has_a_header_row() {
        let t = cells(&[&["a|b", "c"], &["1", "x\\y"]]);
        assert_eq!(
            markdown(&t),
            "| a\\|b | c |\n| --- | --- |\n| 1 | x\\\\y |\n"
        );
    }

    #[test]
    fn csv_quotes_commas_and_quotes() {
        let t = cells(&[&["3×3, 64", "say \"hi\"", "plain"]]);
        assert_eq!(to_csv(&t), "\"3×3, 64\",\"say \"\"hi\"\"\",plain\r\n");
    }

    #[test]
    fn ids_become_file_names() {
        assert_eq!(file_id("A.1"), "A.1");
        assert_eq!(file_id("III"), "III");
        assert_eq!(file_id("3/4"), "3_4");
    }
}
