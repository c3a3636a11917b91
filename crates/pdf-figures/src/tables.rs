//! Captioned tables: region, cell grid, and their files (`tables/table-N.{md,csv,png}`).

use crate::error::Error;
use crate::structure::Context;
use serde::Serialize;
use std::collections::BTreeMap;

/// A table in the manifest.
#[derive(Clone, Debug, Serialize)]
pub struct TableEntry {
    /// Table box in PDF points, top-left origin.
    pub bbox: [f64; 4],
    /// Caption text.
    pub caption: String,
    /// Cells row by row, as printed.
    pub cells: Vec<Vec<String>>,
    /// The id as printed ("3", "III").
    pub id: String,
    /// 1-based page.
    pub page: usize,
}

/// Finds every captioned table and adds its files to `files`.
pub fn extract(
    _ctx: &Context<'_>,
    _files: &mut BTreeMap<String, Vec<u8>>,
) -> Result<Vec<TableEntry>, Error> {
    Ok(Vec::new())
}
