//! Errors that stop a command (as opposed to checklist findings, which are items).

/// Why a command could not run. Every message starts with the path it is about, so the binary
/// prints it as one line: `repro-check: <path>: <cause>`.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input: a missing folder, an unreadable file, a bad flag value.
    #[error("{0}")]
    Input(String),
    /// A file that exists and is not replaced without `--force`.
    #[error("{0}: exists; nothing written (use --force to overwrite)")]
    Exists(String),
    /// Reading or writing failed.
    #[error("{0}")]
    Io(String),
}

impl Error {
    /// An input error about `path`.
    pub fn input(path: impl std::fmt::Display, cause: impl std::fmt::Display) -> Self {
        Error::Input(format!("{path}: {cause}"))
    }

    /// An I/O error about `path`.
    pub fn io(path: impl std::fmt::Display, cause: impl std::fmt::Display) -> Self {
        Error::Io(format!("{path}: {cause}"))
    }
}
