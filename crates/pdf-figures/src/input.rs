//! Reading the input file: only a regular file is opened, so that a FIFO or a device given
//! as the PDF (issue 20) is refused at once instead of blocking or reading forever.

use crate::error::Error;
use std::io::Read;
use std::path::Path;

/// The bytes of the regular file at `path` (a symbolic link to one is followed).
pub fn read_regular(path: &Path) -> Result<Vec<u8>, Error> {
    let meta = std::fs::metadata(path).map_err(|e| Error::Io(e.to_string()))?;
    if !meta.is_file() {
        return Err(Error::Input(format!(
            "not a regular file ({}); give the PDF itself",
            kind(&meta.file_type())
        )));
    }
    let mut file = std::fs::File::open(path).map_err(|e| Error::Io(e.to_string()))?;
    // The path may have been replaced between the two looks: check what was opened.
    let meta = file.metadata().map_err(|e| Error::Io(e.to_string()))?;
    if !meta.is_file() {
        return Err(Error::Input(format!(
            "not a regular file ({}); give the PDF itself",
            kind(&meta.file_type())
        )));
    }
    let mut data = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.read_to_end(&mut data)
        .map_err(|e| Error::Io(e.to_string()))?;
    Ok(data)
}

#[cfg(unix)]
fn kind(t: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if t.is_dir() {
        "a folder"
    } else if t.is_fifo() {
        "a FIFO"
    } else if t.is_char_device() || t.is_block_device() {
        "a device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a file"
    }
}

#[cfg(not(unix))]
fn kind(t: &std::fs::FileType) -> &'static str {
    if t.is_dir() { "a folder" } else { "not a file" }
}
