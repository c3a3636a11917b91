//! Command line for repro-check.

use clap::Parser;
use std::process::ExitCode;

/// Scaffold a replication's output/ tree, then verify it item by item.
#[derive(Parser, Debug)]
#[command(name = "repro-check", version)]
struct Cli {}

fn main() -> ExitCode {
    let _cli = Cli::parse();
    ExitCode::SUCCESS
}
