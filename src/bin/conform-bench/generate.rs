//! `conform-bench generate`: generation speed in-process, every case built in full and dropped, on one thread.

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use clap::Args;
use conform::cli::CliError;
use conform::exit::Exit;
use conform::generate::{self, GenConfig};

/// Worked examples under `conform-bench generate --help`.
pub const AFTER_HELP: &str = "Example:\n  cargo run --release --features bench --bin conform-bench -- generate\n  conform-bench generate --cases 50000 --seed 7\n\nThe cases are built in full (request body serialised) and dropped; nothing is printed per case.";

/// `conform-bench generate` arguments.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Random draws per operation and kind (on top of the deterministic cases).
    #[arg(long, default_value_t = 20_000, value_name = "N")]
    cases: usize,
    /// Seed of the random values.
    #[arg(long, default_value_t = 0, value_name = "N")]
    seed: u64,
}

/// Generates the cases of every operation and kind of the model and prints the rate to `out`.
pub fn run(
    specs_dir: Option<&Path>,
    args: &GenerateArgs,
    out: &mut dyn Write,
) -> Result<Exit, CliError> {
    let model = match specs_dir {
        Some(dir) => conform::spec::lower(&conform::spec::load_paths(&[dir.to_path_buf()])?),
        None => conform::spec::embedded_model()?,
    };
    let config = GenConfig::new(&model, args.seed, args.cases);
    let start = Instant::now();
    let mut count = 0u64;
    let mut bytes = 0u64;
    for case in generate::generate(&model, &config) {
        count += 1;
        bytes += case.request.body.len() as u64;
    }
    let seconds = start.elapsed().as_secs_f64();
    writeln!(
        out,
        "generated {count} cases ({:.1} MB of bodies) in {seconds:.3} s on one thread: {:.0} cases/s",
        bytes as f64 / 1e6,
        count as f64 / seconds.max(1e-9)
    )?;
    Ok(Exit::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        args: GenerateArgs,
    }

    #[test]
    fn reports_a_rate() {
        let cli = Cli::parse_from(["generate", "--cases", "50"]);
        let mut out = Vec::new();
        let exit = run(None, &cli.args, &mut out).unwrap();
        assert_eq!(exit, Exit::Ok);
        let out = String::from_utf8(out).unwrap();
        assert!(out.starts_with("generated "), "{out}");
        assert!(out.contains(" cases/s"), "{out}");
    }
}
