//! `conform bench`: measure the harness's own speed in-process (generation alone). Whole runs beside moto, wrk and
//! Schemathesis are measured by the separate `conform-bench` binary, which drives other programs.

use std::time::Instant;

use clap::Subcommand;

use super::{Cli, CliError, Output, load_model};
use crate::exit::Exit;
use crate::generate::{self, GenConfig};

/// `conform bench ...`
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Generate cases for every operation and kind on one thread, and report cases per second.
    #[command(
        after_help = "Example:\n  cargo run --release -- bench generate\n  conform bench generate --cases 50000 --seed 7\n\nThe cases are built in full (request body serialised) and dropped; nothing is printed per case."
    )]
    Generate {
        /// Random draws per operation and kind (on top of the deterministic cases).
        #[arg(long, default_value_t = 20_000, value_name = "N")]
        cases: usize,
        /// Seed of the random values.
        #[arg(long, default_value_t = 0, value_name = "N")]
        seed: u64,
    },
}

pub(super) fn run(
    cli: &Cli,
    command: &BenchCommand,
    output: &mut Output<'_>,
) -> Result<Exit, CliError> {
    match command {
        BenchCommand::Generate { cases, seed } => {
            let specs = load_model(cli)?;
            let config = GenConfig::new(&specs, *seed, *cases);
            let start = Instant::now();
            let mut count = 0u64;
            let mut bytes = 0u64;
            for case in generate::generate(&specs, &config) {
                count += 1;
                bytes += case.request.body.len() as u64;
            }
            let seconds = start.elapsed().as_secs_f64();
            writeln!(
                output.out,
                "generated {count} cases ({:.1} MB of bodies) in {seconds:.3} s on one thread: {:.0} cases/s",
                bytes as f64 / 1e6,
                count as f64 / seconds.max(1e-9)
            )?;
            Ok(Exit::Ok)
        }
    }
}
