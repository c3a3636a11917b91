//! The `tensor-shape-lint` binary. The command line itself lives in the library (`tensor_shape_lint::cli`), so that the
//! multi-call `paper-tools` binary shipped in the skill can hold it too.

use std::process::ExitCode;

fn main() -> ExitCode {
    tensor_shape_lint::cli::main_with_args(std::env::args_os())
}
