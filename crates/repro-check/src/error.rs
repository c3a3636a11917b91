//! Errors that stop a command (as opposed to checklist findings, which are items).

/// Why a command could not run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input: a missing folder, an unreadable file, a bad flag value.
    #[error("{0}")]
    Input(String),
    /// A file that exists and is not replaced without `--force`.
    #[error("{0} exists (use --force to overwrite)")]
    Exists(String),
    /// Reading or writing failed.
    #[error("{0}")]
    Io(String),
}
