//! Test helpers: the real Mermaid parser as one long-lived Node process per test binary, the
//! shared corpus location and the mermaid-gen binary.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::{Mutex, OnceLock};

pub const ORACLE_HINT: &str =
    "run: npm ci --prefix tests/mermaid-oracle (needs node >= 20 and npm)";

pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `<workspace root>/../shared`, or `$PAPER_REPLICATION_SHARED`. Panics with a clear message when
/// it is missing: tests that need real data must not pass without it.
///
/// Only the corpus tier (`tests/corpus*.rs`, built with `--features corpus`) may read it: without
/// the feature it does not exist, so an ordinary test that needs ../shared fails to compile.
#[cfg(feature = "corpus")]
pub fn shared_dir() -> PathBuf {
    let dir = match std::env::var_os("PAPER_REPLICATION_SHARED") {
        Some(d) => PathBuf::from(d),
        None => workspace_root().join("../shared"),
    };
    assert!(
        dir.join("corpus/mermaid/MANIFEST.tsv").is_file(),
        "missing shared corpus: {} has no corpus/mermaid/MANIFEST.tsv (set PAPER_REPLICATION_SHARED to the shared/ folder)",
        dir.display()
    );
    dir
}

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_mermaid-gen"))
}

/// A file of `tests/data`, as a path string for the command line.
pub fn data(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
        .display()
        .to_string()
}

/// Runs mermaid-gen, asserts exit 0 and returns stdout.
pub fn run_ok(args: &[&str]) -> String {
    let out = bin().args(args).output().expect("run mermaid-gen");
    assert!(
        out.status.success(),
        "mermaid-gen {args:?} exited {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

/// The verdict of real Mermaid on one diagram.
#[derive(Debug, Clone)]
pub struct Verdict {
    pub ok: bool,
    pub error: Option<String>,
}

struct Oracle {
    _child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    next_id: u64,
}

fn start_oracle() -> Oracle {
    let dir = workspace_root().join("tests/mermaid-oracle");
    assert!(
        dir.join("node_modules/mermaid/package.json").is_file()
            && dir.join("node_modules/jsdom/package.json").is_file(),
        "the Mermaid oracle is not installed in {}: {ORACLE_HINT}",
        dir.display()
    );
    let mut child = Command::new("node")
        .arg("oracle.mjs")
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot start node for the Mermaid oracle ({e}): {ORACLE_HINT}")
        });
    let stdin = child.stdin.take().expect("piped stdin");
    let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
    let mut line = String::new();
    stdout.read_line(&mut line).expect("oracle output");
    assert!(
        line.contains("\"ready\":true"),
        "the Mermaid oracle did not start (got {line:?}): {ORACLE_HINT}"
    );
    Oracle {
        _child: child,
        stdin,
        stdout,
        next_id: 0,
    }
}

static ORACLE: OnceLock<Mutex<Oracle>> = OnceLock::new();

/// Parses `code` with real Mermaid (mermaid 12.3.0 under jsdom). One Node process serves the
/// whole test binary; it exits when the binary does (its stdin closes).
pub fn mermaid_parse(code: &str) -> Verdict {
    let oracle = ORACLE.get_or_init(|| Mutex::new(start_oracle()));
    let mut o = oracle.lock().unwrap_or_else(|e| e.into_inner());
    o.next_id += 1;
    let id = o.next_id;
    let req = serde_json::json!({"id": id, "code": code});
    writeln!(o.stdin, "{req}").expect("write to oracle");
    o.stdin.flush().expect("flush oracle");
    let mut line = String::new();
    o.stdout.read_line(&mut line).expect("read oracle");
    let v: serde_json::Value =
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("bad oracle answer {line:?}: {e}"));
    assert_eq!(
        v["id"],
        serde_json::json!(id),
        "oracle answered out of order"
    );
    Verdict {
        ok: v["ok"].as_bool().unwrap_or(false),
        error: v["error"].as_str().map(str::to_string),
    }
}

/// Asserts that real Mermaid parses `code`, printing the diagram and Mermaid's error otherwise.
pub fn assert_mermaid_ok(code: &str) {
    let v = mermaid_parse(code);
    assert!(
        v.ok,
        "real Mermaid rejects this diagram:\n{code}\n--- error:\n{}",
        v.error.unwrap_or_default()
    );
}
