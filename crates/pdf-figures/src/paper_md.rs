//! `paper.md`: the paper in reading order, figures, tables and equations replaced by links to
//! their files.

use crate::equations::EquationEntry;
use crate::error::Error;
use crate::extract::Figure;
use crate::structure::Context;
use crate::tables::TableEntry;
use std::collections::BTreeMap;

/// Writes `paper.md` into `files`; returns its path, if written.
pub fn write(
    _ctx: &Context<'_>,
    _figures: &[Figure],
    _tables: &[TableEntry],
    _equations: &[EquationEntry],
    _files: &mut BTreeMap<String, Vec<u8>>,
) -> Result<Option<String>, Error> {
    Ok(None)
}
