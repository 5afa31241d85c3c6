//! `conform-bench`: whole `conform run`s measured against moto and the embedded target beside wrk's ceiling and
//! Schemathesis, and their peak memory.
//!
//! It drives other programs (moto_server, `conform serve`, `conform run` under GNU time, wrk, the Schemathesis peer
//! script), so it lives outside the product binary; it uses only the `conform` library's public API and runs the
//! `conform` binary as a separate process, so that each measurement is of that process alone. Generation alone is
//! measured in-process by `conform-bench generate`.
//!
//! Built only with the `bench` feature: `cargo build --release --features bench --bin conform-bench`.

mod generate;
mod peer;
mod report;
mod run;
mod tools;
mod wrk;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use conform::cli::CliError;
use conform::exit::Exit;

/// Measure whole conform runs beside wrk and Schemathesis, and their peak memory.
///
/// Each measured program runs as its own process: moto_server, `conform serve`, `conform run` under GNU time, wrk and
/// the Schemathesis peer script. Figures, ratios and goals are printed as tables on stdout, progress on stderr.
#[derive(Debug, Parser)]
#[command(name = "conform-bench", version, max_term_width = 110)]
struct Cli {
    /// Load the spec files in DIR instead of the built-in ones (every conform process measured is given them too).
    #[arg(long, global = true, value_name = "DIR", env = "CONFORM_SPECS")]
    specs: Option<PathBuf>,

    /// What to measure.
    #[command(subcommand)]
    command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
enum Command {
    /// Generate cases for every operation and kind on one thread, and report cases per second.
    #[command(after_help = generate::AFTER_HELP)]
    Generate(generate::GenerateArgs),
    /// Measure conform run against moto and the embedded target beside wrk and Schemathesis, and its peak memory.
    #[command(after_help = run::AFTER_HELP)]
    Run(run::BenchRunArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let color = conform::report::stderr_color();
    let mut out = std::io::stdout();
    let mut err = std::io::stderr();
    let result = match &cli.command {
        Command::Generate(args) => generate::run(cli.specs.as_deref(), args, &mut out),
        Command::Run(args) => run::run(cli.specs.as_deref(), args, &mut out, &mut err),
    };
    match result {
        Ok(exit) => exit.into(),
        // A reader that went away (`conform-bench run | head`) is no error of ours.
        Err(CliError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => Exit::Ok.into(),
        Err(error) => {
            let _ = writeln!(err, "{}", error.render(color));
            error.exit().into()
        }
    }
}
