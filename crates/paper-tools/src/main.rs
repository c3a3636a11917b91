//! The `paper-tools` binary: `paper-tools <helper> [args...]`, dispatched by `paper_tools::main_with_args`.

use std::process::ExitCode;

// pdf-figures renders with mimalloc (5-9% faster than glibc malloc on the corpus); the
// allocator is chosen by the executable, so this binary declares it as pdf-figures' main.rs does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    paper_tools::main_with_args(std::env::args_os())
}
