//! Display equations: box, number, crop (`equations/eq-N.png`) and linear Unicode text.

use crate::error::Error;
use crate::structure::Context;
use serde::Serialize;
use std::collections::BTreeMap;

/// A display equation in the manifest.
#[derive(Clone, Debug, Serialize)]
pub struct EquationEntry {
    /// Equation box in PDF points, top-left origin.
    pub bbox: [f64; 4],
    /// The crop, relative to the output folder.
    pub file: String,
    /// The number as printed, without parentheses ("4", "A.1"); `None` when unnumbered.
    pub number: Option<String>,
    /// 1-based page.
    pub page: usize,
    /// Best linear Unicode text of the glyphs.
    pub text: String,
}

/// Finds every display equation and adds its crop to `files`.
pub fn extract(
    _ctx: &Context<'_>,
    _files: &mut BTreeMap<String, Vec<u8>>,
) -> Result<Vec<EquationEntry>, Error> {
    Ok(Vec::new())
}
