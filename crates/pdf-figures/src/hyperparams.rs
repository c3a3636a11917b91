//! Hyper-parameters and reported parameter counts mined from the text and the tables, written
//! to `hyperparams.json` and `hyperparams.md`.

use crate::error::Error;
use crate::structure::Context;
use crate::tables::TableEntry;
use std::collections::BTreeMap;

/// Mines the document; returns the path of the JSON file written into `files`, if any.
pub fn mine(
    _ctx: &Context<'_>,
    _tables: &[TableEntry],
    _files: &mut BTreeMap<String, Vec<u8>>,
) -> Result<Option<String>, Error> {
    Ok(None)
}
