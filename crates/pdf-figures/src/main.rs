//! The `pdf-figures` binary. The command line itself lives in the library (`pdf_figures::cli`), so that the
//! multi-call `paper-tools` binary shipped in the skill can hold it too.

use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    pdf_figures::cli::main_with_args(std::env::args_os())
}
