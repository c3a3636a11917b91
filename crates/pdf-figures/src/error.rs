//! Errors: bad input (exit 2) versus failures writing the output.

/// What went wrong.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The PDF cannot be read within the limits: damaged, encrypted, too large, not a PDF.
    #[error("{0}")]
    Input(String),
    /// Reading the input or writing the output failed.
    #[error("{0}")]
    Io(String),
    /// The output folder holds something pdf-figures did not write, or cannot be written.
    #[error("{0}")]
    Output(String),
    /// The output folder exists and `--force` was not given.
    #[error("{0} already exists (use --force to replace it)")]
    OutputExists(String),
}
