//! The `repro-check` binary. The command line itself lives in the library (`repro_check::cli`), so that the
//! multi-call `paper-tools` binary shipped in the skill can hold it too.

use std::process::ExitCode;

fn main() -> ExitCode {
    repro_check::cli::main_with_args(std::env::args_os())
}
