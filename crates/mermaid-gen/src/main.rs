//! The `mermaid-gen` binary. The command line itself lives in the library (`mermaid_gen::cli`), so that the
//! multi-call `paper-tools` binary shipped in the skill can hold it too.

use std::process::ExitCode;

fn main() -> ExitCode {
    mermaid_gen::cli::main_with_args(std::env::args_os())
}
