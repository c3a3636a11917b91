//! The nesting budget: a linear pre-scan of the tokens that bounds how deep the syntax tree of a
//! Python file can be, before anything builds or walks that tree.
//!
//! The parser itself grows its stack as it needs (ruff uses `stacker`), but everything after it
//! recurses on the plain thread stack: ruff's tree and ours are dropped recursively, and the
//! converter, the linter's visitors, `infer` and `annotate` walk them recursively. A file of
//! 100k nested brackets, a chain of 100k `.relu()` calls or one line of 1M `+` terms then aborts
//! the process with a stack overflow. So the budget is checked on the tokens, and the tools run
//! on a thread whose stack fits that budget ([`stack_bytes`]).
//!
//! The estimate is an upper bound of the tree's depth (within a small constant): inside one
//! bracket level, each comma-separated segment is at most as deep as its operator tokens (`+`,
//! `.`, `not`, `lambda`, ...) plus its deepest closed bracket group; each open bracket adds a
//! level; each indented block and each `elif` of a chain adds one.

use std::sync::atomic::{AtomicUsize, Ordering};

use ruff_python_ast::token::TokenKind;
use ruff_python_parser::{Mode, lexer};

/// The default nesting budget. The deepest of the 450 files of the PyTorch model corpus
/// (torchvision, timm, labml_nn) estimates at 27, the deepest of torch's own 3,020 files at 99
/// (`torch/_dynamo/variables/builder.py`, a long `elif` chain), measured with
/// `cargo run -p pymodel --example nesting_depth -- FOLDER`. 1,000 fits real code 10x over.
pub const DEFAULT_MAX_NESTING: usize = 1_000;

static MAX_NESTING: AtomicUsize = AtomicUsize::new(DEFAULT_MAX_NESTING);

/// The budget [`crate::ModelFile::parse`] enforces (process-wide; the command lines set it from
/// their `--max-nesting` flag before parsing anything).
pub fn max_nesting() -> usize {
    MAX_NESTING.load(Ordering::Relaxed)
}

/// Sets the process-wide nesting budget (see [`max_nesting`]).
pub fn set_max_nesting(limit: usize) {
    MAX_NESTING.store(limit, Ordering::Relaxed);
}

/// Stack bytes that let every pass over a tree of depth `limit` finish: 48 KB per level, at
/// least 256 MB. Checked in the unoptimised build (whose frames are the largest): files 9000
/// deep of each kind (brackets, unary minus, `.relu()` chains, `+` terms, lists, calls,
/// `elif` chains) lint, infer and annotate under `--max-nesting 20000`, and
/// `tests/hostile_input.rs` runs 5000-deep ones. The stack is reserved address space, not
/// memory: only the pages a deep file touches are ever committed (peak 40 MB at 9000 deep).
pub fn stack_bytes(limit: usize) -> usize {
    (256 << 20).max(limit.saturating_mul(48 << 10))
}

/// A file nested deeper than the budget. (It carries no position: ruff's lexer does not expose
/// token offsets, and parsing to learn them is what the budget must avoid.)
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "nested deeper than {limit} levels (brackets, operators, call chains or blocks); raise the budget with --max-nesting"
)]
pub struct NestingError {
    pub limit: usize,
}

#[derive(Default)]
struct Level {
    /// The estimate of everything enclosing this bracket level.
    outer: usize,
    /// Operator tokens in the current comma-separated segment.
    ops: usize,
    /// The deepest bracket group closed in the current segment.
    inner: usize,
    /// The deepest segment already finished at this level.
    done: usize,
}

impl Level {
    fn segment(&self) -> usize {
        self.ops + self.inner
    }
}

/// Checks that no part of `source` nests deeper than `limit`; returns the deepest estimate.
/// Runs in time linear in the source and in memory linear in the budget.
pub fn check_nesting(source: &str, limit: usize) -> Result<usize, NestingError> {
    let mut levels = vec![Level::default()];
    // Per indented block, the `elif`s of the chain now open at that indentation.
    let mut blocks: Vec<usize> = vec![0];
    let mut block_depth = 0usize;
    let mut line_start = true;
    let mut deepest = 0usize;
    let mut lex = lexer::lex(source, Mode::Module);
    loop {
        let kind = lex.next_token();
        match kind {
            TokenKind::EndOfFile => break,
            TokenKind::Comment | TokenKind::NonLogicalNewline => continue,
            TokenKind::Newline => {
                levels.truncate(1);
                levels[0] = Level::default();
                line_start = true;
                continue;
            }
            TokenKind::Indent => {
                blocks.push(0);
                continue;
            }
            TokenKind::Dedent => {
                if blocks.len() > 1
                    && let Some(elifs) = blocks.pop()
                {
                    block_depth -= elifs;
                }
                continue;
            }
            _ => {}
        }
        if line_start && levels.len() == 1 {
            line_start = false;
            let elifs = blocks.last_mut().expect("the module level is never popped");
            match kind {
                TokenKind::Elif => {
                    *elifs += 1;
                    block_depth += 1;
                }
                TokenKind::Else => {}
                _ => {
                    block_depth -= *elifs;
                    *elifs = 0;
                }
            }
        }
        let top = levels.last_mut().expect("level 0 is never popped");
        match kind {
            TokenKind::Lpar
            | TokenKind::Lsqb
            | TokenKind::Lbrace
            | TokenKind::FStringStart
            | TokenKind::TStringStart => {
                let outer = top.outer + top.segment() + 1;
                levels.push(Level {
                    outer,
                    ..Level::default()
                });
            }
            TokenKind::Rpar
            | TokenKind::Rsqb
            | TokenKind::Rbrace
            | TokenKind::FStringEnd
            | TokenKind::TStringEnd => {
                if levels.len() > 1 {
                    let closed = levels.pop().expect("checked above");
                    let depth = 1 + closed.done.max(closed.segment());
                    let top = levels.last_mut().expect("level 0 is never popped");
                    top.inner = top.inner.max(depth);
                }
            }
            TokenKind::Comma | TokenKind::Semi => {
                top.done = top.done.max(top.segment());
                top.ops = 0;
                top.inner = 0;
            }
            TokenKind::Name
            | TokenKind::Int
            | TokenKind::Float
            | TokenKind::Complex
            | TokenKind::String
            | TokenKind::FStringMiddle
            | TokenKind::TStringMiddle
            | TokenKind::IpyEscapeCommand
            | TokenKind::True
            | TokenKind::False
            | TokenKind::None
            | TokenKind::Ellipsis => {}
            // Every other token may add a node above its operands: operators, `.`, `not`,
            // `lambda`, `await`, `if`/`else`, `=`, keywords of compound statements.
            _ => top.ops += 1,
        }
        let top = levels.last().expect("level 0 is never popped");
        let estimate = blocks.len() + block_depth + top.outer + top.segment();
        deepest = deepest.max(estimate);
        if estimate > limit {
            return Err(NestingError { limit });
        }
    }
    Ok(deepest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth(src: &str) -> usize {
        check_nesting(src, usize::MAX).unwrap()
    }

    #[test]
    fn flat_code_is_shallow() {
        // A module-level statement: one block, `=` and `(` and one argument.
        assert!(depth("x = f(a, b)\n") <= 4);
        // A long flat list stays shallow: commas end segments.
        let list = format!("x = [{}]\n", vec!["-1"; 10_000].join(", "));
        assert!(depth(&list) <= 6, "{}", depth(&list));
    }

    #[test]
    fn each_kind_of_nesting_is_counted() {
        let n = 500;
        let cases = [
            format!("y = {}x{}\n", "(".repeat(n), ")".repeat(n)),
            format!("y = {}x\n", "-".repeat(n)),
            format!("y = x{}\n", ".relu()".repeat(n)),
            format!("y = {}\n", vec!["x"; n + 1].join(" + ")),
            format!("y = {}x{}\n", "f(".repeat(n), ")".repeat(n)),
            format!("y = {}\n", "lambda: ".repeat(n) + "0"),
        ];
        for src in &cases {
            let d = depth(src);
            assert!(d >= n, "{d} < {n} for {}", &src[..40]);
            assert!(d <= 3 * n + 5, "{d} too loose for {}", &src[..40]);
        }
        // Blocks: 300 nested classes, and an `if` with 300 `elif`s (nested ifs in our tree).
        let mut classes = String::new();
        for i in 0..300 {
            classes += &format!("{}class C{i}:\n", "    ".repeat(i));
        }
        classes += &format!("{}pass\n", "    ".repeat(300));
        assert!(depth(&classes) >= 300);
        let mut chain = String::from("if a:\n    pass\n");
        for _ in 0..300 {
            chain += "elif a:\n    pass\n";
        }
        chain += "else:\n    pass\nx = 1\n";
        assert!(depth(&chain) >= 300);
        // The chain is closed: the statement after it is shallow again.
        let after = check_nesting(&(chain.clone() + "y = 2\n"), usize::MAX).unwrap();
        assert_eq!(after, depth(&chain));
    }

    #[test]
    fn the_error_names_the_limit_and_the_flag() {
        let src = format!("x = 1\ny = {}x{}\n", "[".repeat(50), "]".repeat(50));
        let e = check_nesting(&src, 20).unwrap_err();
        assert_eq!(e.limit, 20);
        assert!(e.to_string().contains("--max-nesting"), "{e}");
        assert!(check_nesting(&src, 60).is_ok());
    }
}
