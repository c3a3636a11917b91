//! The one error type of the library: everything that stops a command before it can judge a
//! skill (exit 2), as opposed to findings about the skill (exit 1).

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: {source}", path.display())]
    Zip {
        path: PathBuf,
        #[source]
        source: crate::layout::ZipReadError,
    },
    #[error("{}: {message}", path.display())]
    Input { path: PathBuf, message: String },
    #[error("cargo: {0}")]
    Cargo(String),
    /// The skill failed validation; the report says why.
    #[error("validation failed with {0} error(s)")]
    Invalid(usize, crate::finding::Report),
    /// Refusing to replace something the user did not ask to replace.
    #[error("{}: {message}", path.display())]
    Refused { path: PathBuf, message: String },
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    pub fn input(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Error::Input {
            path: path.into(),
            message: message.into(),
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;
