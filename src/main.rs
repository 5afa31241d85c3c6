//! The `conform` binary: parse the command line and hand it to the library.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    conform::cli::run(conform::cli::Cli::parse()).into()
}
