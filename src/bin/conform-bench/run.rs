//! `conform-bench run`: the three sections (throughput, peer, memory), what each measured run selects, and the
//! case budgets that reach a target total.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use conform::case::{CaseClass, CaseKind};
use conform::cli::CliError;
use conform::engine::{RunConfig, Selection};
use conform::exit::Exit;
use conform::generate::{self, GenConfig};
use conform::model::Model;

use crate::peer::{peer_operations, run_schemathesis};
use crate::report::{RatioRow, Report, Row, group, machine, median, ratio, spread};
use crate::tools::{Conform, Moto, Serve, Tools, WorkDir};
use crate::wrk::{check_wrk, run_wrk};

/// The goals of issue 7.
const GOAL_WRK_SHARE: f64 = 0.9;
const GOAL_PEER_FACTOR: f64 = 10.0;
const GOAL_MAX_RSS_MIB: f64 = 64.0;

/// What `conform-bench run` measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Section {
    /// conform run and wrk against moto and against `conform serve`.
    Throughput,
    /// Schemathesis and a like-for-like conform run against moto.
    Peer,
    /// Peak memory of conform run at growing case counts, with and without --json.
    Memory,
}

/// `conform-bench run` arguments.
#[derive(Debug, Args)]
pub struct BenchRunArgs {
    /// Measure only this (repeatable). Default: throughput, peer and memory.
    #[arg(long, value_enum, value_name = "SECTION")]
    pub only: Vec<Section>,
    /// The conform executable to measure. Default: the `conform` beside this program (`cargo build --release
    /// --features bench` builds both).
    #[arg(long, env = "CONFORM_BIN", value_name = "PATH")]
    pub conform: Option<PathBuf>,
    /// The moto_server executable (moto[server]==5.2.5, as `scripts/test.sh` installs it).
    #[arg(
        long,
        env = "CONFORM_MOTO_SERVER",
        default_value = ".venv/bin/moto_server",
        value_name = "PATH"
    )]
    pub moto_server: PathBuf,
    /// The wrk executable.
    #[arg(long, default_value = "wrk", value_name = "PATH")]
    pub wrk: PathBuf,
    /// The Schemathesis peer script (`schemathesis.sh ENDPOINT CASES WORKERS`); needed by the peer section.
    #[arg(long, env = "CONFORM_SCHEMATHESIS", value_name = "PATH")]
    pub schemathesis: Option<PathBuf>,
    /// `--cases` of the conform run against moto (60, the default of `conform run`, gives about 2,000 cases).
    #[arg(long, default_value_t = 60, value_name = "N")]
    pub cases: usize,
    /// `--cases` of the conform run against `conform serve` (600 gives about 16,000 cases).
    #[arg(long, default_value_t = 600, value_name = "N")]
    pub embedded_cases: usize,
    /// Seconds each wrk run lasts.
    #[arg(long, default_value_t = 10, value_name = "SECS")]
    pub seconds: u64,
    /// Rounds of the throughput section (each: conform and wrk against moto, then against conform serve); the
    /// ratios are the medians of the rounds' ratios, each taken from measurements made back to back.
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub rounds: usize,
    /// Requests in flight: conform's --concurrency and wrk's connections.
    #[arg(long, default_value_t = 8, value_name = "N")]
    pub concurrency: usize,
    /// Schemathesis cases per operation (the conform run of the peer section matches the total).
    #[arg(long, default_value_t = 300, value_name = "N")]
    pub peer_cases: usize,
    /// Schemathesis workers.
    #[arg(long, default_value_t = 2, value_name = "N")]
    pub peer_workers: usize,
    /// Total case counts the memory section runs (comma-separated; each run's --cases is chosen to reach it).
    #[arg(
        long,
        value_delimiter = ',',
        default_values_t = [10_000u64, 100_000, 1_000_000],
        value_name = "LIST"
    )]
    pub memory_cases: Vec<u64>,
    /// Seed of every conform run.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub seed: u64,
}

/// The after-help of `conform-bench run`.
pub const AFTER_HELP: &str = "\
Examples:
  cargo build --release --features bench               # both binaries
  scripts/test.sh --no-run                              # moto, into .venv
  apt-get install -y wrk time                           # wrk, and GNU time for peak memory
  ./target/release/conform-bench run --schemathesis ../shared/peers/schemathesis.sh
  ./target/release/conform-bench run --only throughput --seconds 5
  ./target/release/conform-bench run --only memory --memory-cases 10000,100000
  ./target/release/conform-bench run --conform /old/conform --only throughput

What runs, each as its own process, one after the other (moto is warmed up first, unmeasured):
  throughput  conform run --no-shrink against moto_server and against `conform serve`, then wrk
              on the same endpoint with signed Put/GetAlternateContact requests (the ceiling)
  peer        schemathesis.sh on the same moto, then conform run restricted to the operations
              of the peer's OpenAPI file (single requests) with about as many cases
  memory      conform run against `conform serve` at each --memory-cases total, without and
              with --json, under GNU time (maximum resident set size)

The conform measured is the `conform` beside conform-bench unless --conform says otherwise;
build both in release (`cargo run --features bench --bin conform-bench` builds only conform-bench).
Figures, ratios and goals (conform >= 90% of wrk against moto, >= 10x Schemathesis, <= 64 MiB
at 10^6 cases) are printed as tables on stdout, progress on stderr. The memory section at 10^6
cases takes several minutes. Every run is signed with AWS's documented test key pair; no other
credentials are read.";

/// Measures what `args` selects, then prints the tables to `out` (progress goes to `err`).
pub fn run(
    specs_dir: Option<&Path>,
    args: &BenchRunArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit, CliError> {
    let sections = if args.only.is_empty() {
        vec![Section::Throughput, Section::Peer, Section::Memory]
    } else {
        args.only.clone()
    };
    let wants = |s: Section| sections.contains(&s);
    let tools = Tools::find(args, &sections)?;
    let model = match specs_dir {
        Some(dir) => conform::spec::lower(&conform::spec::load_paths(&[dir.to_path_buf()])?),
        None => conform::spec::embedded_model()?,
    };
    let workdir = WorkDir::new()?;
    let mut bench = Bench {
        args,
        model,
        conform: Conform {
            exe: tools.conform.clone(),
            specs: specs_dir.map(Path::to_path_buf),
            time: tools.time.clone(),
            workdir: workdir.0.clone(),
        },
        workdir: workdir.0.clone(),
        report: Report::default(),
        err,
    };
    bench.report.notes.extend(tools.notes());
    for note in bench.report.notes.clone() {
        bench.say(&format!("note: {note}"));
    }
    let moto = match &tools.moto {
        Some(path) if wants(Section::Throughput) || wants(Section::Peer) => {
            bench.say("starting moto_server");
            let moto = Moto::start(path, &workdir.0)?;
            // moto imports a service's code on its first request to it (about a second): warm it up, unmeasured,
            // so that the first measurement does not pay for what the others do not.
            bench.say("warming moto up (conform run --cases 0, not measured)");
            bench.conform.measure(&run_args(
                &moto.endpoint,
                0,
                args.seed,
                args.concurrency,
                &Restrict::None,
            ))?;
            Some(moto)
        }
        _ => None,
    };
    let serve = if wants(Section::Throughput) || wants(Section::Memory) {
        bench.say("starting conform serve");
        Some(bench.conform.serve()?)
    } else {
        None
    };
    if let (true, Some(moto), Some(serve), Some(wrk)) =
        (wants(Section::Throughput), &moto, &serve, &tools.wrk)
    {
        bench.throughput(moto, serve, wrk)?;
    }
    if let (true, Some(moto), Some(script)) = (wants(Section::Peer), &moto, &tools.schemathesis) {
        bench.peer(moto, script)?;
    }
    if let (true, Some(serve)) = (wants(Section::Memory), &serve) {
        bench.memory(serve)?;
    }
    drop(serve);
    drop(moto);
    let mut report = std::mem::take(&mut bench.report);
    report.machine = machine(&tools);
    write!(out, "{}", report.render())?;
    out.flush()?;
    Ok(Exit::Ok)
}

/// One `conform-bench run`: what it needs to measure, and what it has measured so far.
struct Bench<'a> {
    args: &'a BenchRunArgs,
    model: Model,
    conform: Conform,
    workdir: PathBuf,
    report: Report,
    err: &'a mut dyn Write,
}

impl Bench<'_> {
    /// Progress, on stderr.
    fn say(&mut self, text: &str) {
        let _ = writeln!(self.err, "bench: {text}");
    }

    /// Rounds of conform and wrk against moto, then against `conform serve`, each pair back to back.
    fn throughput(&mut self, moto: &Moto, serve: &Serve, wrk: &Path) -> Result<(), CliError> {
        let args = self.args;
        let (mut shares, mut request_shares, mut serve_shares) =
            (Vec::new(), Vec::new(), Vec::new());
        let rounds = args.rounds.max(1);
        for round in 1..=rounds {
            let of = format!("round {round} of {rounds}");
            self.say(&format!(
                "{of}: conform run against moto (--cases {})",
                args.cases
            ));
            let before = moto.requests()?;
            let figures = self.conform.measure(&run_args(
                &moto.endpoint,
                args.cases,
                args.seed,
                args.concurrency,
                &Restrict::None,
            ))?;
            let requests = moto.requests()?.saturating_sub(before);
            let conform_moto =
                Row::conform("conform run --no-shrink", "moto", &figures, Some(requests));
            self.say(&format!("{of}: wrk against moto ({} s)", args.seconds));
            let wrk_moto = run_wrk(wrk, &self.model, &moto.endpoint, args, &self.workdir)?;
            check_wrk(&wrk_moto, "moto")?;
            self.say(&format!(
                "{of}: conform run against conform serve (--cases {})",
                args.embedded_cases
            ));
            let figures = self.conform.measure(&run_args(
                &serve.endpoint,
                args.embedded_cases,
                args.seed,
                args.concurrency,
                &Restrict::None,
            ))?;
            let conform_serve =
                Row::conform("conform run --no-shrink", "conform serve", &figures, None);
            self.say(&format!(
                "{of}: wrk against conform serve ({} s)",
                args.seconds
            ));
            let wrk_serve = run_wrk(wrk, &self.model, &serve.endpoint, args, &self.workdir)?;
            check_wrk(&wrk_serve, "conform serve")?;
            shares.push(ratio(conform_moto.per_second, wrk_moto.per_second));
            if let Some(rps) = conform_moto.requests_per_second() {
                request_shares.push(ratio(rps, wrk_moto.per_second));
            }
            serve_shares.push(ratio(conform_serve.per_second, wrk_serve.per_second));
            for mut row in [
                conform_moto,
                Row::wrk("moto", &wrk_moto, args.concurrency),
                conform_serve,
                Row::wrk("conform serve", &wrk_serve, args.concurrency),
            ] {
                row.round = Some(round);
                self.report.rows.push(row);
            }
        }
        self.report.ratios.push(RatioRow {
            what: "conform cases/s ÷ wrk requests/s, against moto".into(),
            value: spread(&shares, 2),
            goal: format!("≥ {GOAL_WRK_SHARE:.2}"),
            met: Some(median(&shares) >= GOAL_WRK_SHARE),
        });
        self.report.ratios.push(RatioRow {
            what: "conform requests/s (moto's log) ÷ wrk requests/s, against moto".into(),
            value: spread(&request_shares, 2),
            goal: String::new(),
            met: None,
        });
        self.report.ratios.push(RatioRow {
            what: "conform cases/s ÷ wrk requests/s, against conform serve".into(),
            value: spread(&serve_shares, 2),
            goal: String::new(),
            met: None,
        });
        Ok(())
    }

    /// Schemathesis on moto, then conform on the same operations with about as many cases.
    fn peer(&mut self, moto: &Moto, script: &Path) -> Result<(), CliError> {
        let args = self.args;
        self.say(&format!(
            "schemathesis against moto ({} cases per operation, {} workers; the first use installs it)",
            args.peer_cases, args.peer_workers
        ));
        let peer = run_schemathesis(script, &moto.endpoint, args, &self.workdir)?;
        let operations = peer_operations(script);
        let restrict = Restrict::Operations(operations.clone());
        let budget = cases_for_total(peer.cases, |c| {
            count_cases(&self.model, args.seed, c, &restrict)
        });
        self.say(&format!(
            "conform run against moto, {} only (--cases {budget})",
            operations.join(", ")
        ));
        let before = moto.requests()?;
        let figures = self.conform.measure(&run_args(
            &moto.endpoint,
            budget,
            args.seed,
            args.concurrency,
            &restrict,
        ))?;
        let requests = moto.requests()?.saturating_sub(before);
        let row = Row::conform(
            "conform run --no-shrink, the peer's operations",
            "moto",
            &figures,
            Some(requests),
        );
        let factor = ratio(row.per_second, peer.per_second);
        self.report.ratios.push(RatioRow {
            what: format!(
                "conform cases/s ÷ Schemathesis cases/s, against moto ({} operations)",
                operations.len()
            ),
            value: format!("{factor:.1}x"),
            goal: format!("≥ {GOAL_PEER_FACTOR:.0}x"),
            met: Some(factor >= GOAL_PEER_FACTOR),
        });
        self.report.rows.push(Row {
            what: format!("schemathesis ({} workers, no shrinking)", args.peer_workers),
            target: "moto".into(),
            cases: Some(peer.cases),
            requests: None,
            seconds: peer.seconds,
            per_second: peer.per_second,
            unit: "cases/s",
            max_rss_kib: None,
            round: None,
        });
        self.report.rows.push(row);
        Ok(())
    }

    /// Peak memory of whole runs against `conform serve`, at each total, without and with `--json`.
    fn memory(&mut self, serve: &Serve) -> Result<(), CliError> {
        let args = self.args;
        // Per total: the larger peak of the two runs.
        let mut peaks: Vec<(u64, u64)> = Vec::new();
        for &total in &args.memory_cases {
            let budget = cases_for_total(total, |c| {
                count_cases(&self.model, args.seed, c, &Restrict::None)
            });
            let mut peak = 0;
            for json in [false, true] {
                self.say(&format!(
                    "conform run against conform serve, about {} cases (--cases {budget}){}",
                    group(total),
                    if json { " with --json" } else { "" }
                ));
                let json_path = self.workdir.join("report.json");
                let mut run = vec![
                    "run".to_string(),
                    "--endpoint".into(),
                    serve.endpoint.clone(),
                    "--cases".into(),
                    budget.to_string(),
                    "--seed".into(),
                    args.seed.to_string(),
                    "--concurrency".into(),
                    args.concurrency.to_string(),
                ];
                if json {
                    run.extend(["--json".into(), json_path.display().to_string()]);
                }
                let figures = self.conform.measure(&run)?;
                let _ = std::fs::remove_file(&json_path);
                peak = peak.max(figures.max_rss_kib);
                self.report.rows.push(Row::conform(
                    if json {
                        "conform run --json"
                    } else {
                        "conform run"
                    },
                    "conform serve",
                    &figures,
                    None,
                ));
            }
            peaks.push((total, peak));
        }
        let (Some(&(small_total, small)), Some(&(large_total, large))) =
            (peaks.iter().min(), peaks.iter().max())
        else {
            return Ok(());
        };
        let mib = large as f64 / 1024.0;
        let judged = large_total >= 1_000_000;
        self.report.ratios.push(RatioRow {
            what: format!(
                "max RSS of conform run at about {} cases",
                group(large_total)
            ),
            value: format!("{mib:.1} MiB"),
            goal: if judged {
                format!("≤ {GOAL_MAX_RSS_MIB:.0} MiB")
            } else {
                String::new()
            },
            met: judged.then_some(mib <= GOAL_MAX_RSS_MIB),
        });
        if large_total > small_total {
            self.report.ratios.push(RatioRow {
                what: format!(
                    "max RSS at about {} ÷ at about {} cases",
                    group(large_total),
                    group(small_total)
                ),
                value: format!("{:.2}", ratio(large as f64, small as f64)),
                goal: "flat".into(),
                met: None,
            });
        }
        Ok(())
    }
}

/// Which cases a measured run selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Restrict {
    /// Every operation and kind, examples and scenarios included.
    None,
    /// Only these operations, single requests (valid, invalid, malformed), no scenarios.
    Operations(Vec<String>),
}

/// The arguments of a measured `conform run` (no shrinking: wrk and the peer do not shrink either).
pub fn run_args(
    endpoint: &str,
    cases: usize,
    seed: u64,
    concurrency: usize,
    restrict: &Restrict,
) -> Vec<String> {
    let mut args: Vec<String> = [
        "run",
        "--endpoint",
        endpoint,
        "--no-shrink",
        "--cases",
        &cases.to_string(),
        "--seed",
        &seed.to_string(),
        "--concurrency",
        &concurrency.to_string(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    if let Restrict::Operations(operations) = restrict {
        for kind in ["valid", "invalid", "malformed"] {
            args.extend(["--kind".to_string(), kind.to_string()]);
        }
        for op in operations {
            args.extend(["--operation".to_string(), op.clone()]);
        }
    }
    args
}

/// The configuration `conform run` builds from [`run_args`] for a loopback emulator, as far as selection goes.
fn run_config(model: &Model, seed: u64, cases: usize, restrict: &Restrict) -> RunConfig {
    let mut generation = GenConfig::new(model, seed, cases);
    let mut scenarios = true;
    if let Restrict::Operations(operations) = restrict {
        generation.operations = operations.clone();
        generation.kinds = vec![CaseKind::Valid, CaseKind::Invalid, CaseKind::Malformed];
        scenarios = false;
    }
    let mut config = RunConfig::new(generation);
    config.endpoint = Some("http://127.0.0.1:1".into());
    config.scenarios = scenarios;
    config.shrink = false;
    config
}

/// How many cases `conform run --cases c` runs with this selection against an emulator: the documents' examples,
/// the generated single requests and the scenario instances, as the engine selects them.
pub fn count_cases(model: &Model, seed: u64, cases: usize, restrict: &Restrict) -> u64 {
    let config = run_config(model, seed, cases, restrict);
    let blocked = config.safety.blocked(model, config.real());
    let selection = Selection::new(model, &config, &blocked);
    let single_requests = if selection.single_requests {
        generate::generate(model, &config.generation)
            .filter(|case| case.class != CaseClass::Example && blocked.allows(&case.operation))
            .count()
    } else {
        0
    };
    (selection.examples.len() + single_requests + selection.scenarios.len()) as u64
}

/// The smallest `--cases` whose run reaches `total` cases: searched exactly up to 200 draws, extrapolated from
/// the slope between 100 and 200 beyond (the count grows linearly there; the exact total is read from the run).
pub fn cases_for_total(total: u64, count: impl Fn(usize) -> u64) -> usize {
    const NEAR: usize = 200;
    if count(NEAR) >= total {
        let (mut low, mut high) = (0, NEAR);
        while low < high {
            let mid = (low + high) / 2;
            if count(mid) >= total {
                high = mid;
            } else {
                low = mid + 1;
            }
        }
        return low;
    }
    let (at_half, at_near) = (count(NEAR / 2), count(NEAR));
    let slope = (at_near.saturating_sub(at_half) as f64 / (NEAR / 2) as f64).max(1.0);
    NEAR + ((total - at_near) as f64 / slope).ceil() as usize
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::peer::PEER_OPERATIONS;
    use conform::report::{Event, ReportError, Reporter};

    #[test]
    fn the_case_budget_reaches_the_total() {
        // Deterministic classes, then draws that grow linearly once small caps are saturated.
        let count = |c: usize| 446 + 27 * c as u64 - (c.min(30) as u64);
        for total in [1, 446, 500, 900, 3_000, 10_000, 1_000_000] {
            let c = cases_for_total(total, count);
            assert!(count(c) >= total, "{total}: {c}");
            if total > 446 {
                assert!(
                    count(c.saturating_sub(1)) < total,
                    "{total}: {c} is more than needed"
                );
            }
        }
        assert_eq!(cases_for_total(10, count), 0);
    }

    #[test]
    fn the_case_budget_matches_the_real_generator() {
        let model = conform::spec::embedded_model().unwrap();
        let restrict =
            Restrict::Operations(PEER_OPERATIONS.iter().map(|s| s.to_string()).collect());
        let count = |c| count_cases(&model, 0, c, &restrict);
        let c = cases_for_total(600, count);
        assert!(count(c) >= 600 && count(c - 1) < 600);
    }

    /// Counts nothing but the summary of the run.
    struct Summary(Arc<std::sync::Mutex<Option<u64>>>);

    impl Reporter for Summary {
        fn event(&mut self, event: &Event) -> Result<(), ReportError> {
            if let Event::RunFinished { summary, .. } = event {
                *self.0.lock().unwrap() = Some(summary.total);
            }
            Ok(())
        }
        fn finish(&mut self) -> Result<(), ReportError> {
            Ok(())
        }
    }

    /// What the budget counts is what a run against the embedded target really runs, for both selections.
    #[tokio::test]
    async fn the_count_is_the_total_of_a_real_run() {
        let model = Arc::new(conform::spec::embedded_model().unwrap());
        for restrict in [
            Restrict::None,
            Restrict::Operations(PEER_OPERATIONS.iter().map(|s| s.to_string()).collect()),
        ] {
            let mut config = run_config(&model, 0, 3, &restrict);
            config.endpoint = None; // the embedded target, in-process
            let total = Arc::new(std::sync::Mutex::new(None));
            let mut reporter = Summary(Arc::clone(&total));
            conform::engine::run(Arc::clone(&model), config, &mut reporter)
                .await
                .unwrap();
            let ran = total.lock().unwrap().expect("the run finished");
            assert_eq!(ran, count_cases(&model, 0, 3, &restrict), "{restrict:?}");
        }
    }

    #[test]
    fn measured_runs_do_not_shrink_and_peer_runs_are_restricted() {
        let all = run_args("http://127.0.0.1:1", 60, 0, 8, &Restrict::None);
        assert_eq!(
            all.join(" "),
            "run --endpoint http://127.0.0.1:1 --no-shrink --cases 60 --seed 0 --concurrency 8"
        );
        let peer = run_args(
            "http://127.0.0.1:1",
            5,
            0,
            8,
            &Restrict::Operations(vec!["GetAlternateContact".into()]),
        );
        assert!(peer.join(" ").ends_with(
            "--kind valid --kind invalid --kind malformed --operation GetAlternateContact"
        ));
    }
}
