//! What every helper's command line needs against hostile or broken input, in one place.
//!
//! - [`quiet_broken_pipe`]: `helper --explain X | head -5` closes the pipe early; Rust's
//!   `println!` then panics ("failed printing to stdout: Broken pipe"). The helpers end quietly
//!   with status 0 instead, as `cat` or `grep` would (without `unsafe`, the workspace forbids it,
//!   SIGPIPE cannot be restored to its default, so the panic is caught by a hook).
//! - [`run_with_stack`]: runs the command on a thread with a stack of a given size, so that a
//!   tree whose depth a budget allows can be walked and dropped recursively.
//! - [`read_limited`] / [`read_text_limited`]: read a file only if it is a regular file (after
//!   links) of at most a given size, so a FIFO cannot block, a device cannot stream forever and a
//!   3 GB file is refused by its size instead of being loaded.
//!
//! ```
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("model.py");
//! std::fs::write(&path, "x = 1\n").unwrap();
//! assert_eq!(cli_guard::read_text_limited(&path, 100).unwrap(), "x = 1\n");
//! let err = cli_guard::read_text_limited(&path, 3).unwrap_err();
//! assert_eq!(err.to_string(), "is 6 bytes, more than the 3-byte budget (raise it with --max-file-bytes)");
//! ```

use std::io::Read;
use std::path::Path;

/// The default size budget for one input file: 64 MiB. The largest real inputs the helpers
/// read are model files and Markdown documents of well under 1 MiB (the largest Python file in
/// torch 2.x itself is about 0.6 MB), so this fits real input 100x over.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 64 << 20;

/// Installs a panic hook that ends the process with status 0, silently, when printing to
/// stdout or stderr failed because the reader went away (EPIPE). Every other panic goes to the
/// hook installed before. Call it after any other `set_hook` (it wraps what is there; calling
/// it twice only wraps twice).
pub fn quiet_broken_pipe() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if is_broken_pipe_panic(message) {
            std::process::exit(0);
        }
        previous(info);
    }));
}

/// std's message for a failed `print!`/`eprint!` to a closed pipe:
/// `failed printing to stdout: Broken pipe (os error 32)`.
fn is_broken_pipe_panic(message: &str) -> bool {
    message.starts_with("failed printing to std") && message.contains("Broken pipe")
}

/// Runs `f` on a new thread with `stack_bytes` of stack and returns its result; a panic in `f`
/// continues in the caller. The stack is reserved address space: only the pages a deep input
/// touches are committed.
pub fn run_with_stack<T, F>(stack_bytes: usize, f: F) -> T
where
    F: FnOnce() -> T + Send,
    T: Send,
{
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name("main-big-stack".into())
            .stack_size(stack_bytes)
            .spawn_scoped(scope, f);
        match worker {
            Ok(handle) => match handle.join() {
                Ok(value) => value,
                Err(panic) => std::panic::resume_unwind(panic),
            },
            // No address space for the stack (a tight `ulimit -v`): the caller's own
            // thread is the best there is.
            Err(_) => panic!("cannot reserve {stack_bytes} bytes of stack for the worker thread"),
        }
    })
}

/// Why a file was not read.
#[derive(Debug)]
pub enum ReadError {
    /// A FIFO, socket, device or folder: reading it could block or never end.
    NotRegular(&'static str),
    /// Larger than the budget.
    TooLarge {
        size: u64,
        max: u64,
    },
    Io(std::io::Error),
    NotUtf8,
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::NotRegular(what) => write!(f, "is {what}, not a regular file"),
            ReadError::TooLarge { size, max } => write!(
                f,
                "is {size} bytes, more than the {max}-byte budget (raise it with --max-file-bytes)"
            ),
            ReadError::Io(e) => write!(f, "{e}"),
            ReadError::NotUtf8 => write!(f, "is not UTF-8 text"),
        }
    }
}

impl std::error::Error for ReadError {}

/// For callers whose errors carry an `io::Error`: the budget refusals become `Other` errors
/// with the same one-line message.
impl From<ReadError> for std::io::Error {
    fn from(e: ReadError) -> Self {
        match e {
            ReadError::Io(io) => io,
            other => std::io::Error::other(other.to_string()),
        }
    }
}

/// What a non-regular file is, in words.
pub fn describe(kind: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_dir() {
        "a folder"
    } else if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_block_device() || kind.is_char_device() {
        "a device"
    } else {
        "not a regular file"
    }
}

/// The bytes of `path` if it is a regular file (after links) of at most `max` bytes. The size
/// is checked before reading (stat does not open, so a FIFO cannot block), and the read stops
/// after `max` bytes in case the file grew meanwhile.
pub fn read_limited(path: &Path, max: u64) -> Result<Vec<u8>, ReadError> {
    let meta = std::fs::metadata(path).map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular(describe(meta.file_type())));
    }
    if meta.len() > max {
        return Err(ReadError::TooLarge {
            size: meta.len(),
            max,
        });
    }
    let file = std::fs::File::open(path).map_err(ReadError::Io)?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(max.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > max {
        return Err(ReadError::TooLarge {
            size: bytes.len() as u64,
            max,
        });
    }
    Ok(bytes)
}

/// [`read_limited`] as UTF-8 text.
pub fn read_text_limited(path: &Path, max: u64) -> Result<String, ReadError> {
    String::from_utf8(read_limited(path, max)?).map_err(|_| ReadError::NotUtf8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broken_pipe_messages_are_recognised() {
        assert!(is_broken_pipe_panic(
            "failed printing to stdout: Broken pipe (os error 32)"
        ));
        assert!(is_broken_pipe_panic(
            "failed printing to stderr: Broken pipe (os error 32)"
        ));
        assert!(!is_broken_pipe_panic("index out of bounds"));
        assert!(!is_broken_pipe_panic(
            "failed printing to stdout: No space left on device (os error 28)"
        ));
    }

    #[test]
    fn deep_recursion_fits_a_large_stack() {
        fn depth(n: u64) -> u64 {
            if n == 0 {
                0
            } else {
                1 + std::hint::black_box(depth(n - 1))
            }
        }
        // 1M frames overflow the 8 MB main stack of a debug build; 1 GB of reserve holds them.
        assert_eq!(run_with_stack(1 << 30, || depth(1_000_000)), 1_000_000);
    }

    #[test]
    fn fifos_folders_and_large_files_are_refused_before_reading() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            // Would block forever if opened.
            let e = read_limited(&fifo, 10).unwrap_err();
            assert_eq!(e.to_string(), "is a FIFO, not a regular file");
        }
        let e = read_limited(dir.path(), 10).unwrap_err();
        assert_eq!(e.to_string(), "is a folder, not a regular file");
        let dev = Path::new("/dev/zero");
        if dev.exists() {
            let e = read_limited(dev, 10).unwrap_err();
            assert_eq!(e.to_string(), "is a device, not a regular file");
        }
        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'x'; 11]).unwrap();
        assert!(matches!(
            read_limited(&big, 10),
            Err(ReadError::TooLarge { size: 11, max: 10 })
        ));
        assert_eq!(read_limited(&big, 11).unwrap().len(), 11);
        std::fs::write(&big, [0xff, 0xfe]).unwrap();
        assert_eq!(
            read_text_limited(&big, 10).unwrap_err().to_string(),
            "is not UTF-8 text"
        );
    }
}

/// For the helpers' CLI tests of hostile input: run a command under a wall-clock limit and
/// report how it ended.
pub mod testing {
    use std::io::Read;
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    /// How a bounded run ended.
    #[derive(Debug)]
    pub struct Outcome {
        /// The exit status, `None` when killed by a signal (an abort) or by the limit.
        pub code: Option<i32>,
        pub stdout: String,
        pub stderr: String,
        pub timed_out: bool,
        pub elapsed: Duration,
    }

    impl Outcome {
        /// The non-empty lines of stderr.
        pub fn stderr_lines(&self) -> Vec<&str> {
            self.stderr
                .lines()
                .filter(|l| !l.trim().is_empty())
                .collect()
        }

        /// Asserts the contract of issue 20 for a refused input: exit 2, exactly one line on
        /// stderr that contains `needle`, no abort and no timeout.
        pub fn assert_refused(&self, needle: &str) {
            assert!(!self.timed_out, "timed out: {self:?}");
            assert_eq!(self.code, Some(2), "{self:?}");
            let lines = self.stderr_lines();
            assert_eq!(lines.len(), 1, "not one line on stderr: {lines:?}");
            assert!(
                lines[0].contains(needle),
                "`{needle}` not in {:?}",
                lines[0]
            );
        }
    }

    /// Runs `cmd` (stdin closed), killing it after `limit`. Output is read by threads so a
    /// full pipe cannot stall the child.
    pub fn run_bounded(cmd: &mut Command, limit: Duration) -> Outcome {
        let started = Instant::now();
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary starts");
        let mut out = child.stdout.take().expect("piped");
        let mut err = child.stderr.take().expect("piped");
        let out_thread = std::thread::spawn(move || {
            let mut s = Vec::new();
            let _ = out.read_to_end(&mut s);
            String::from_utf8_lossy(&s).into_owned()
        });
        let err_thread = std::thread::spawn(move || {
            let mut s = Vec::new();
            let _ = err.read_to_end(&mut s);
            String::from_utf8_lossy(&s).into_owned()
        });
        let mut timed_out = false;
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait") {
                break status;
            }
            if started.elapsed() > limit {
                timed_out = true;
                let _ = child.kill();
                break child.wait().expect("wait after kill");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        Outcome {
            code: status.code(),
            stdout: out_thread.join().unwrap_or_default(),
            stderr: err_thread.join().unwrap_or_default(),
            timed_out,
            elapsed: started.elapsed(),
        }
    }
}
