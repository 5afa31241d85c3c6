//! `conform bench run`: conform's cases/s against moto and the embedded target beside wrk's ceiling and Schemathesis, and peak memory.
//!
//! Everything runs as separate processes, so each is measured on its own: `moto_server`, `conform serve`, the
//! release binary's own `conform run` (under GNU time for its maximum resident set size), `wrk` with a Lua script
//! of requests signed by conform's signer, and the Schemathesis peer script. The pure parts (parsing the tools'
//! output, the Lua script, the case budget for a target total, the ratios) are unit-tested here; the measuring
//! itself is not part of `cargo test`.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use clap::{Args, ValueEnum};

use super::{Cli, CliError, Output, Table, load_specs};
use crate::case::{CaseKind, Signing};
use crate::client::{SignInput, host_header, signing_headers};
use crate::credentials::{TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY};
use crate::exit::Exit;
use crate::generate::{self, GenConfig};
use crate::spec::SpecSet;

/// GNU time, for the maximum resident set size of a finished process (the shell's `time` cannot report it).
const GNU_TIME: &str = "/usr/bin/time";

/// The operations the peer's OpenAPI file covers, when the file is not beside the script.
const PEER_OPERATIONS: [&str; 3] = [
    "PutAlternateContact",
    "GetAlternateContact",
    "DeleteAlternateContact",
];

/// The goals of issue 7.
const GOAL_WRK_SHARE: f64 = 0.9;
const GOAL_PEER_FACTOR: f64 = 10.0;
const GOAL_MAX_RSS_MIB: f64 = 64.0;

/// What `conform bench run` measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Section {
    /// conform run and wrk against moto and against `conform serve`.
    Throughput,
    /// Schemathesis and a like-for-like conform run against moto.
    Peer,
    /// Peak memory of conform run at growing case counts, with and without --json.
    Memory,
}

/// `conform bench run` arguments.
#[derive(Debug, Args)]
pub struct BenchRunArgs {
    /// Measure only this (repeatable). Default: throughput, peer and memory.
    #[arg(long, value_enum, value_name = "SECTION")]
    pub only: Vec<Section>,
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

/// The after-help of `conform bench run`.
pub const AFTER_HELP: &str = "\
Examples:
  cargo build --release && scripts/test.sh --no-run    # the binary, and moto in .venv
  apt-get install -y wrk time                           # wrk, and GNU time for peak memory
  ./target/release/conform bench run --schemathesis ../shared/peers/schemathesis.sh
  ./target/release/conform bench run --only throughput --seconds 5
  ./target/release/conform bench run --only memory --memory-cases 10000,100000

What runs, each as its own process, one after the other (moto is warmed up first, unmeasured):
  throughput  conform run --no-shrink against moto_server and against `conform serve`, then wrk
              on the same endpoint with signed Put/GetAlternateContact requests (the ceiling)
  peer        schemathesis.sh on the same moto, then conform run restricted to the operations
              of the peer's OpenAPI file (single requests) with about as many cases
  memory      conform run against `conform serve` at each --memory-cases total, without and
              with --json, under GNU time (maximum resident set size)

Figures, ratios and goals (conform >= 90% of wrk against moto, >= 10x Schemathesis, <= 64 MiB
at 10^6 cases) are printed as tables on stdout, progress on stderr. The memory section at 10^6
cases takes several minutes. Every run is signed with AWS's documented test key pair; no other
credentials are read.";

pub(super) fn run(
    cli: &Cli,
    args: &BenchRunArgs,
    output: &mut Output<'_>,
) -> Result<Exit, CliError> {
    let sections = if args.only.is_empty() {
        vec![Section::Throughput, Section::Peer, Section::Memory]
    } else {
        args.only.clone()
    };
    let wants = |s: Section| sections.contains(&s);
    let tools = Tools::find(args, &sections)?;
    let workdir = WorkDir::new()?;
    let mut bench = Bench {
        args,
        specs: load_specs(cli)?,
        conform: Conform {
            exe: std::env::current_exe()
                .map_err(|e| failed(format!("failed to find conform's own executable: {e}")))?,
            specs: cli.specs.clone(),
            time: tools.time.clone(),
            workdir: workdir.0.clone(),
        },
        workdir: workdir.0.clone(),
        report: Report::default(),
        err: &mut *output.err,
    };
    if cfg!(debug_assertions) {
        bench.report.notes.push(
            "this is a debug build: measure the release binary (cargo build --release)".into(),
        );
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
    write!(output.out, "{}", report.render())?;
    Ok(Exit::Ok)
}

/// One `conform bench run`: what it needs to measure, and what it has measured so far.
struct Bench<'a> {
    args: &'a BenchRunArgs,
    specs: SpecSet,
    conform: Conform,
    workdir: PathBuf,
    report: Report,
    err: &'a mut dyn std::io::Write,
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
            let wrk_moto = run_wrk(wrk, &self.specs, &moto.endpoint, args, &self.workdir)?;
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
            let wrk_serve = run_wrk(wrk, &self.specs, &serve.endpoint, args, &self.workdir)?;
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
            count_cases(&self.specs, args.seed, c, &restrict, false)
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
                count_cases(&self.specs, args.seed, c, &Restrict::None, true)
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

/// The tools a run needs, found before anything starts.
struct Tools {
    time: PathBuf,
    moto: Option<PathBuf>,
    wrk: Option<PathBuf>,
    schemathesis: Option<PathBuf>,
}

impl Tools {
    /// Finds every tool the sections need, and names all that are missing at once, with how to get them.
    fn find(args: &BenchRunArgs, sections: &[Section]) -> Result<Tools, CliError> {
        let mut missing: Vec<String> = Vec::new();
        let time = PathBuf::from(GNU_TIME);
        if !time.is_file() {
            missing.push(format!(
                "failed to find GNU time at {GNU_TIME} (it reports peak memory): install it (Debian: apt-get install -y time)"
            ));
        }
        let needs_moto =
            sections.contains(&Section::Throughput) || sections.contains(&Section::Peer);
        let moto = if needs_moto {
            if args.moto_server.is_file() {
                Some(args.moto_server.clone())
            } else {
                missing.push(format!(
                    "failed to find moto_server at `{}`: run `scripts/test.sh --no-run` (it installs moto[server]==5.2.5 into .venv), or pass --moto-server PATH",
                    args.moto_server.display()
                ));
                None
            }
        } else {
            None
        };
        let wrk = if sections.contains(&Section::Throughput) {
            let found = find_program(&args.wrk);
            if found.is_none() {
                missing.push(format!(
                    "failed to find `{}`: install wrk (Debian: apt-get install -y wrk), or pass --wrk PATH",
                    args.wrk.display()
                ));
            }
            found
        } else {
            None
        };
        let schemathesis = if sections.contains(&Section::Peer) {
            match &args.schemathesis {
                Some(path) if path.is_file() => Some(path.clone()),
                Some(path) => {
                    missing.push(format!(
                        "failed to find the Schemathesis peer script at `{}`: pass --schemathesis PATH to `schemathesis.sh`",
                        path.display()
                    ));
                    None
                }
                None => {
                    missing.push(
                        "failed to find the Schemathesis peer script: pass --schemathesis PATH (e.g. ../shared/peers/schemathesis.sh) or set CONFORM_SCHEMATHESIS".into(),
                    );
                    None
                }
            }
        } else {
            None
        };
        if missing.is_empty() {
            Ok(Tools {
                time,
                moto,
                wrk,
                schemathesis,
            })
        } else {
            Err(CliError::usage(
                missing.join("\n       "),
                Some("or measure less with --only throughput|peer|memory (repeatable)".to_string()),
            ))
        }
    }
}

/// A program by path, or by name on PATH.
fn find_program(program: &Path) -> Option<PathBuf> {
    if program.components().count() > 1 {
        return program.is_file().then(|| program.to_path_buf());
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}

/// A scratch directory for logs, scripts and reports, removed at the end.
struct WorkDir(PathBuf);

impl WorkDir {
    fn new() -> Result<WorkDir, CliError> {
        let dir = std::env::temp_dir().join(format!("conform-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| {
            failed(format!(
                "failed to create the scratch directory `{}`: {e}",
                dir.display()
            ))
        })?;
        Ok(WorkDir(dir))
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A child process that is killed when dropped.
struct Spawned(Child);

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn failed(message: String) -> CliError {
    CliError::Failed {
        message,
        help: None,
    }
}

/// A free loopback port (bound and released; the child binds it right after).
fn free_port() -> Result<u16, CliError> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| failed(format!("failed to find a free loopback port: {e}")))
}

/// A running moto_server, its log (one line per request) kept to count the requests it served.
struct Moto {
    _child: Spawned,
    endpoint: String,
    log: PathBuf,
}

impl Moto {
    fn start(program: &Path, dir: &Path) -> Result<Moto, CliError> {
        let port = free_port()?;
        let log = dir.join("moto.log");
        let file = std::fs::File::create(&log)
            .map_err(|e| failed(format!("failed to create `{}`: {e}", log.display())))?;
        let stderr = file
            .try_clone()
            .map_err(|e| failed(format!("failed to create `{}`: {e}", log.display())))?;
        let child = Command::new(program)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(file)
            .stderr(stderr)
            .spawn()
            .map_err(|e| failed(format!("failed to start `{}`: {e}", program.display())))?;
        let mut child = Spawned(child);
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            let exited = child.0.try_wait().ok().flatten();
            if exited.is_some() || Instant::now() > deadline {
                return Err(failed(format!(
                    "failed to start moto_server on port {port} ({}); the end of its log:\n{}",
                    match exited {
                        Some(status) => format!("it exited with {status}"),
                        None => "it did not listen within 60 s".into(),
                    },
                    tail(&std::fs::read_to_string(&log).unwrap_or_default(), 10)
                )));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(Moto {
            _child: child,
            endpoint: format!("http://127.0.0.1:{port}"),
            log,
        })
    }

    /// Requests moto has logged so far.
    fn requests(&self) -> Result<u64, CliError> {
        let text = std::fs::read(&self.log).map_err(|e| {
            failed(format!(
                "failed to read moto's log `{}`: {e}",
                self.log.display()
            ))
        })?;
        Ok(count_logged_requests(&String::from_utf8_lossy(&text)))
    }
}

/// A running `conform serve`.
struct Serve {
    _child: Spawned,
    // Kept open so that the target never writes into a closed pipe.
    _stdout: BufReader<ChildStdout>,
    endpoint: String,
}

/// How to start conform's own processes.
struct Conform {
    exe: PathBuf,
    specs: Option<PathBuf>,
    time: PathBuf,
    workdir: PathBuf,
}

/// What one `conform run` took.
#[derive(Debug, Clone, Copy, PartialEq)]
struct RunFigures {
    cases: u64,
    errors: u64,
    seconds: f64,
    max_rss_kib: u64,
}

impl Conform {
    fn command(&self) -> Command {
        let mut command = Command::new(&self.exe);
        if let Some(dir) = &self.specs {
            command.arg("--specs").arg(dir);
        }
        test_key_pair(&mut command);
        command
    }

    fn serve(&self) -> Result<Serve, CliError> {
        let log = self.workdir.join("serve.log");
        let file = std::fs::File::create(&log)
            .map_err(|e| failed(format!("failed to create `{}`: {e}", log.display())))?;
        let mut child = self
            .command()
            .args(["serve", "--port", "0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(file)
            .spawn()
            .map_err(|e| failed(format!("failed to start conform serve: {e}")))?;
        let stdout = child.stdout.take().expect("piped");
        let child = Spawned(child);
        let mut stdout = BufReader::new(stdout);
        let mut line = String::new();
        let _ = stdout.read_line(&mut line);
        match line.trim().strip_prefix("endpoint: ") {
            Some(endpoint) => Ok(Serve {
                _child: child,
                _stdout: stdout,
                endpoint: endpoint.to_string(),
            }),
            None => Err(failed(format!(
                "failed to start conform serve: it printed no endpoint; its log:\n{}",
                tail(&std::fs::read_to_string(&log).unwrap_or_default(), 10)
            ))),
        }
    }

    /// Runs `conform ARGS` under GNU time; exit 0 or 1 (deviations are results) is success.
    fn measure(&self, args: &[String]) -> Result<RunFigures, CliError> {
        let rss_file = self.workdir.join("maxrss");
        let mut command = Command::new(&self.time);
        command
            .arg("-f")
            .arg("%M")
            .arg("-o")
            .arg(&rss_file)
            .arg(&self.exe);
        if let Some(dir) = &self.specs {
            command.arg("--specs").arg(dir);
        }
        command.args(args);
        test_key_pair(&mut command);
        command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let started = Instant::now();
        let mut child = command
            .spawn()
            .map_err(|e| failed(format!("failed to start `{GNU_TIME} conform run`: {e}")))?;
        let mut stderr = String::new();
        if let Some(mut pipe) = child.stderr.take() {
            let _ = pipe.read_to_string(&mut stderr);
        }
        let status = child
            .wait()
            .map_err(|e| failed(format!("failed to wait for conform run: {e}")))?;
        let seconds = started.elapsed().as_secs_f64();
        let shown = format!("conform {}", args.join(" "));
        if !matches!(status.code(), Some(0 | 1)) {
            return Err(failed(format!(
                "failed to complete `{shown}` ({status}); the end of its output:\n{}",
                tail(&stderr, 15)
            )));
        }
        let (cases, errors) = parse_run_summary(&stderr).ok_or_else(|| {
            failed(format!(
                "failed to find the summary line of `{shown}`; the end of its output:\n{}",
                tail(&stderr, 15)
            ))
        })?;
        let time_output = std::fs::read_to_string(&rss_file).unwrap_or_default();
        let max_rss_kib = parse_max_rss(&time_output).ok_or_else(|| {
            failed(format!(
                "failed to read the maximum resident set size from {GNU_TIME}: `{}`",
                time_output.trim()
            ))
        })?;
        Ok(RunFigures {
            cases,
            errors,
            seconds,
            max_rss_kib,
        })
    }
}

/// Every conform and wrk request is signed with the documented test key pair, whatever the environment holds.
fn test_key_pair(command: &mut Command) {
    for var in [
        "AWS_PROFILE",
        "AWS_SESSION_TOKEN",
        "AWS_ENDPOINT_URL",
        "AWS_REGION",
    ] {
        command.env_remove(var);
    }
    command
        .env("AWS_ACCESS_KEY_ID", TEST_ACCESS_KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", TEST_SECRET_ACCESS_KEY);
}

/// Which cases a measured run selects.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Restrict {
    /// Every operation and kind, scenarios included.
    None,
    /// Only these operations, single requests (valid, invalid, malformed), no scenarios.
    Operations(Vec<String>),
}

/// The arguments of a measured `conform run` (no shrinking: wrk and the peer do not shrink either).
fn run_args(
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

/// How many cases `conform run --cases c` runs with this selection (examples, generated, and scenarios).
fn count_cases(
    specs: &SpecSet,
    seed: u64,
    cases: usize,
    restrict: &Restrict,
    scenarios: bool,
) -> u64 {
    let mut config = GenConfig::new(specs, seed, cases);
    if let Restrict::Operations(operations) = restrict {
        config.operations = operations.clone();
        config.kinds = vec![CaseKind::Valid, CaseKind::Invalid, CaseKind::Malformed];
    }
    let mut total = generate::generate(specs, &config).count() as u64;
    if scenarios {
        total += crate::scenario::instances(specs, &config, 2).len() as u64;
    }
    total
}

/// The smallest `--cases` whose run reaches `total` cases: searched exactly up to 200 draws, extrapolated from
/// the slope between 100 and 200 beyond (the count grows linearly there; the exact total is read from the run).
fn cases_for_total(total: u64, count: impl Fn(usize) -> u64) -> usize {
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

/// Counts the request lines of a werkzeug log (moto's): `... "POST /path HTTP/1.1" 200 -`, coloured or not.
fn count_logged_requests(log: &str) -> u64 {
    log.lines()
        .filter(|line| {
            line.contains(" HTTP/1.")
                && line.rsplit_once("\" ").is_some_and(|(_, rest)| {
                    let status = rest.split(' ').next().unwrap_or("");
                    status.len() == 3 && status.bytes().all(|b| b.is_ascii_digit())
                })
        })
        .count() as u64
}

/// The total and the errors of the terminal report's last line: `2079 cases: 188 passed, …, 0 errors in 12.4s`.
fn parse_run_summary(stderr: &str) -> Option<(u64, u64)> {
    let line = stderr
        .lines()
        .rev()
        .find(|l| l.contains(" cases: ") && l.contains(" errors in "))?;
    let (total, rest) = line.trim().split_once(" cases: ")?;
    let total = total.parse().ok()?;
    let before_errors = rest.split_once(" errors in ")?.0;
    let errors = before_errors.rsplit(", ").next()?.trim().parse().ok()?;
    Some((total, errors))
}

/// The last number GNU time wrote with `-f %M` (it may write `Command exited with non-zero status 1` first).
fn parse_max_rss(text: &str) -> Option<u64> {
    text.lines().rev().find_map(|l| l.trim().parse().ok())
}

/// What wrk reported.
#[derive(Debug, Clone, Copy, PartialEq)]
struct WrkFigures {
    requests: u64,
    seconds: f64,
    per_second: f64,
    non_2xx: u64,
    socket_errors: u64,
}

/// Parses wrk's report: `N requests in 10.01s, …`, `Requests/sec: …`, `Non-2xx or 3xx responses: N`,
/// `Socket errors: connect 0, read 0, write 0, timeout 0`.
fn parse_wrk(text: &str) -> Option<WrkFigures> {
    let mut requests = None;
    let mut seconds = None;
    let mut per_second = None;
    let mut non_2xx = 0;
    let mut socket_errors = 0;
    for line in text.lines().map(str::trim) {
        if let Some((n, rest)) = line.split_once(" requests in ") {
            requests = n.trim().parse().ok();
            seconds = parse_wrk_duration(rest.split(',').next()?.trim());
        } else if let Some(rate) = line.strip_prefix("Requests/sec:") {
            per_second = rate.trim().parse().ok();
        } else if let Some(n) = line.strip_prefix("Non-2xx or 3xx responses:") {
            non_2xx = n.trim().parse().ok()?;
        } else if let Some(errors) = line.strip_prefix("Socket errors:") {
            socket_errors = errors
                .split(',')
                .filter_map(|part| part.split_whitespace().last()?.parse::<u64>().ok())
                .sum();
        }
    }
    Some(WrkFigures {
        requests: requests?,
        seconds: seconds?,
        per_second: per_second?,
        non_2xx,
        socket_errors,
    })
}

/// `10.01s`, `1.00m`, `500.00ms`, `1.00h` in seconds.
fn parse_wrk_duration(text: &str) -> Option<f64> {
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    Some(match unit {
        "us" => number / 1e6,
        "ms" => number / 1e3,
        "s" => number,
        "m" => number * 60.0,
        "h" => number * 3600.0,
        _ => return None,
    })
}

/// The valid requests wrk cycles through: a put, then a get of what it put (so both answer 200).
const WRK_REQUESTS: [(&str, &str, &str); 2] = [
    (
        "PutAlternateContact",
        "/putAlternateContact",
        r#"{"AlternateContactType":"BILLING","EmailAddress":"bench@example.com","Name":"Bench Mark","PhoneNumber":"+1 206 555 0100","Title":"Billing lead"}"#,
    ),
    (
        "GetAlternateContact",
        "/getAlternateContact",
        r#"{"AlternateContactType":"BILLING"}"#,
    ),
];

/// A raw HTTP/1.1 request as conform sends it: `host`, `content-type`, then SigV4 headers from conform's signer
/// (test key pair, signed now; the embedded target allows a clock skew of minutes, far more than a wrk run).
fn signed_request(
    specs: &SpecSet,
    endpoint: &str,
    operation: &str,
    path: &str,
    body: &str,
    time: SystemTime,
) -> Result<String, String> {
    let (service, _) = specs
        .operation(operation)
        .ok_or_else(|| format!("failed to find operation {operation} in the specs"))?;
    let url = reqwest::Url::parse(&format!("{}{path}", endpoint.trim_end_matches('/')))
        .map_err(|e| format!("failed to parse endpoint `{endpoint}`: {e}"))?;
    let mut headers = vec![
        (
            "host".to_string(),
            host_header(&url).ok_or_else(|| format!("failed to find a host in `{endpoint}`"))?,
        ),
        ("content-type".to_string(), "application/json".to_string()),
    ];
    let credentials = aws_credential_types::Credentials::new(
        TEST_ACCESS_KEY_ID,
        TEST_SECRET_ACCESS_KEY,
        None,
        None,
        "conform",
    );
    let input = SignInput {
        url: url.as_str(),
        method: "POST",
        headers: &headers,
        body: body.as_bytes(),
        signing_name: &service.signing_name,
        region: service.region.resolve(None),
        time,
    };
    let signed = signing_headers(&input, &credentials, Signing::Valid)?;
    headers.extend(signed);
    let mut text = format!("POST {path} HTTP/1.1\r\n");
    for (name, value) in &headers {
        let _ = write!(text, "{name}: {value}\r\n");
    }
    let _ = write!(text, "content-length: {}\r\n\r\n{body}", body.len());
    Ok(text)
}

/// A wrk script that sends these raw requests in turn.
fn wrk_script(requests: &[String]) -> String {
    let mut script = String::from(
        "-- written by `conform bench run`: requests signed by conform's signer, sent in turn\nlocal requests = {\n",
    );
    for r in requests {
        let _ = writeln!(script, "  {},", lua_string(r));
    }
    script.push_str(
        "}\nlocal i = 0\nrequest = function()\n  i = i % #requests + 1\n  return requests[i]\nend\n",
    );
    script
}

/// A Lua string literal for any bytes: printable ASCII as is, the rest as three-digit decimal escapes.
fn lua_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for b in text.bytes() {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            0x20..=0x7e => out.push(b as char),
            _ => {
                let _ = write!(out, "\\{b:03}");
            }
        }
    }
    out.push('"');
    out
}

fn run_wrk(
    wrk: &Path,
    specs: &SpecSet,
    endpoint: &str,
    args: &BenchRunArgs,
    dir: &Path,
) -> Result<WrkFigures, CliError> {
    let now = SystemTime::now();
    let requests = WRK_REQUESTS
        .iter()
        .map(|(op, path, body)| signed_request(specs, endpoint, op, path, body, now))
        .collect::<Result<Vec<_>, _>>()
        .map_err(failed)?;
    let script = dir.join("requests.lua");
    std::fs::write(&script, wrk_script(&requests))
        .map_err(|e| failed(format!("failed to write `{}`: {e}", script.display())))?;
    let output = Command::new(wrk)
        .arg("-t1")
        .arg(format!("-c{}", args.concurrency.max(1)))
        .arg(format!("-d{}s", args.seconds.max(1)))
        .arg("-s")
        .arg(&script)
        .arg(endpoint)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| failed(format!("failed to start `{}`: {e}", wrk.display())))?;
    let text = String::from_utf8_lossy(&output.stdout);
    match (output.status.success(), parse_wrk(&text)) {
        (true, Some(figures)) => Ok(figures),
        _ => Err(failed(format!(
            "failed to run wrk against {endpoint} ({}): {}{}",
            output.status,
            tail(&text, 10),
            tail(&String::from_utf8_lossy(&output.stderr), 5)
        ))),
    }
}

/// wrk's figure is a ceiling only if its requests were answered as valid ones.
fn check_wrk(figures: &WrkFigures, target: &str) -> Result<(), CliError> {
    if figures.requests == 0
        || figures.non_2xx * 2 > figures.requests
        || figures.socket_errors * 2 > figures.requests
    {
        return Err(CliError::Failed {
            message: format!(
                "failed to measure a ceiling on {target}: of wrk's {} requests, {} got a non-2xx answer and {} hit socket errors",
                figures.requests, figures.non_2xx, figures.socket_errors
            ),
            help: Some("the requests are signed when wrk starts; check the clocks, and that the target is Account on loopback".to_string()),
        });
    }
    Ok(())
}

/// What the Schemathesis peer reported.
#[derive(Debug, Clone, Copy, PartialEq)]
struct PeerFigures {
    cases: u64,
    seconds: f64,
    per_second: f64,
}

/// `schemathesis: 900 cases in 68.92 s = 13.1 cases/s`
fn parse_schemathesis(text: &str) -> Option<PeerFigures> {
    let line = text
        .lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("schemathesis: "))?;
    let (cases, rest) = line.split_once(" cases in ")?;
    let (seconds, rest) = rest.split_once(" s = ")?;
    let per_second = rest.strip_suffix(" cases/s")?;
    Some(PeerFigures {
        cases: cases.trim().parse().ok()?,
        seconds: seconds.trim().parse().ok()?,
        per_second: per_second.trim().parse().ok()?,
    })
}

/// Runs the peer script in the scratch directory (Schemathesis leaves a `.schemathesis/` cache where it runs).
fn run_schemathesis(
    script: &Path,
    endpoint: &str,
    args: &BenchRunArgs,
    dir: &Path,
) -> Result<PeerFigures, CliError> {
    let script = script.canonicalize().map_err(|e| {
        failed(format!(
            "failed to find the Schemathesis peer script `{}`: {e}",
            script.display()
        ))
    })?;
    let output = Command::new(&script)
        .current_dir(dir)
        .arg(endpoint)
        .arg(args.peer_cases.to_string())
        .arg(args.peer_workers.max(1).to_string())
        .stdin(Stdio::null())
        .output()
        .map_err(|e| failed(format!("failed to start `{}`: {e}", script.display())))?;
    let text = String::from_utf8_lossy(&output.stdout);
    match parse_schemathesis(&text) {
        Some(figures) if output.status.success() && figures.cases > 0 => Ok(figures),
        _ => Err(failed(format!(
            "failed to run `{} {endpoint}` ({}): {}{}",
            script.display(),
            output.status,
            tail(&text, 10),
            tail(&String::from_utf8_lossy(&output.stderr), 10)
        ))),
    }
}

/// The `operationId`s of the OpenAPI file beside the peer script, else the Account alternate-contact operations.
fn peer_operations(script: &Path) -> Vec<String> {
    let openapi = script.with_file_name("account-openapi.yaml");
    let found = std::fs::read_to_string(openapi)
        .map(|text| operation_ids(&text))
        .unwrap_or_default();
    if found.is_empty() {
        PEER_OPERATIONS.iter().map(|s| s.to_string()).collect()
    } else {
        found
    }
}

fn operation_ids(openapi: &str) -> Vec<String> {
    openapi
        .lines()
        .filter_map(|l| l.trim().strip_prefix("operationId:"))
        .map(|id| id.trim().trim_matches(['"', '\'']).to_string())
        .filter(|id| !id.is_empty())
        .collect()
}

/// `a / b`, 0 when `b` is not positive.
fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { 0.0 }
}

/// `24684096 kB` (from /proc/meminfo) as `23.5 GiB`.
fn memory_text(mem_total: &str) -> String {
    match mem_total
        .strip_suffix(" kB")
        .map(|k| k.trim().parse::<f64>())
    {
        Some(Ok(kib)) => format!("{:.1} GiB", kib / (1024.0 * 1024.0)),
        _ => mem_total.to_string(),
    }
}

/// The median (the mean of the middle two for an even count); 0 for none.
fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => 0.0,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

/// `0.95`, or `0.95 (0.90–1.02, 3 rounds)`: the median and the range.
fn spread(values: &[f64], decimals: usize) -> String {
    let m = median(values);
    if values.len() < 2 {
        return format!("{m:.decimals$}");
    }
    let low = values.iter().copied().fold(f64::INFINITY, f64::min);
    let high = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    format!(
        "{m:.decimals$} ({low:.decimals$}–{high:.decimals$}, {} rounds)",
        values.len()
    )
}

/// `1234567` as `1,234,567`.
fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The last `n` lines of a text, indented.
fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.len().saturating_sub(n);
    lines[start..].iter().map(|l| format!("  {l}\n")).collect()
}

/// One measurement.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    what: String,
    target: String,
    cases: Option<u64>,
    requests: Option<u64>,
    seconds: f64,
    per_second: f64,
    unit: &'static str,
    max_rss_kib: Option<u64>,
    round: Option<usize>,
}

impl Row {
    fn conform(what: &str, target: &str, figures: &RunFigures, requests: Option<u64>) -> Row {
        Row {
            what: if figures.errors > 0 {
                format!("{what} ({} transport errors)", figures.errors)
            } else {
                what.to_string()
            },
            target: target.to_string(),
            cases: Some(figures.cases),
            requests,
            seconds: figures.seconds,
            per_second: ratio(figures.cases as f64, figures.seconds),
            unit: "cases/s",
            max_rss_kib: Some(figures.max_rss_kib),
            round: None,
        }
    }

    fn wrk(target: &str, figures: &WrkFigures, connections: usize) -> Row {
        Row {
            what: format!("wrk, signed Put/GetAlternateContact, {connections} connections"),
            target: target.to_string(),
            cases: None,
            requests: Some(figures.requests),
            seconds: figures.seconds,
            per_second: figures.per_second,
            unit: "requests/s",
            max_rss_kib: None,
            round: None,
        }
    }

    fn requests_per_second(&self) -> Option<f64> {
        self.requests.map(|r| ratio(r as f64, self.seconds))
    }
}

/// A ratio and its goal.
#[derive(Debug, Clone, PartialEq)]
struct RatioRow {
    what: String,
    value: String,
    goal: String,
    met: Option<bool>,
}

/// Everything measured, rendered as tables at the end.
#[derive(Debug, Default)]
struct Report {
    machine: Vec<(String, String)>,
    rows: Vec<Row>,
    ratios: Vec<RatioRow>,
    notes: Vec<String>,
}

impl Report {
    fn render(&self) -> String {
        let mut text = String::new();
        for (key, value) in &self.machine {
            let _ = writeln!(text, "{key}: {value}");
        }
        if !self.rows.is_empty() {
            let mut table = Table::new([
                "MEASUREMENT",
                "ROUND",
                "TARGET",
                "CASES",
                "REQUESTS",
                "SECONDS",
                "RATE",
                "MAX RSS",
            ]);
            for r in &self.rows {
                table.row([
                    r.what.clone(),
                    r.round.map(|n| n.to_string()).unwrap_or_default(),
                    r.target.clone(),
                    r.cases.map(group).unwrap_or_else(|| "-".into()),
                    r.requests.map(group).unwrap_or_else(|| "-".into()),
                    format!("{:.2}", r.seconds),
                    format!("{:.1} {}", r.per_second, r.unit),
                    r.max_rss_kib
                        .map(|k| format!("{:.1} MiB", k as f64 / 1024.0))
                        .unwrap_or_else(|| "-".into()),
                ]);
            }
            let _ = write!(text, "\n{table}");
        }
        if !self.ratios.is_empty() {
            let mut table = Table::new(["RATIO", "VALUE", "GOAL", "MET"]);
            for r in &self.ratios {
                table.row([
                    r.what.clone(),
                    r.value.clone(),
                    r.goal.clone(),
                    match r.met {
                        Some(true) => "yes".into(),
                        Some(false) => "NO".into(),
                        None => String::new(),
                    },
                ]);
            }
            let _ = write!(text, "\n{table}");
        }
        for note in &self.notes {
            let _ = writeln!(text, "note: {note}");
        }
        text
    }
}

/// The machine and tool versions, for the record.
fn machine(tools: &Tools) -> Vec<(String, String)> {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let field = |text: &str, key: &str| {
        text.lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_once(':'))
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_else(|| "unknown".into())
    };
    let version = |program: &Path, args: &[&str]| -> String {
        Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .ok()
            .and_then(|o| {
                let text = format!(
                    "{}{}",
                    String::from_utf8_lossy(&o.stdout),
                    String::from_utf8_lossy(&o.stderr)
                );
                text.lines().next().map(|l| l.trim().to_string())
            })
            .filter(|l| !l.is_empty())
            .unwrap_or_else(|| "unknown".into())
    };
    let mut out = vec![
        (
            "date".to_string(),
            httpdate::fmt_http_date(SystemTime::now()),
        ),
        (
            "machine".to_string(),
            format!(
                "nproc {}, {}, {} memory, load average {}",
                std::thread::available_parallelism().map_or(0, |n| n.get()),
                field(&cpuinfo, "model name"),
                memory_text(&field(&meminfo, "MemTotal")),
                std::fs::read_to_string("/proc/loadavg")
                    .unwrap_or_default()
                    .split_whitespace()
                    .take(3)
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
        ),
        (
            "conform".to_string(),
            format!(
                "{} ({} build)",
                env!("CARGO_PKG_VERSION"),
                if cfg!(debug_assertions) {
                    "debug"
                } else {
                    "release"
                }
            ),
        ),
    ];
    if let Some(moto) = &tools.moto {
        let python = moto.with_file_name("python");
        out.push((
            "moto".to_string(),
            version(&python, &["-c", "import moto; print(moto.__version__)"]),
        ));
    }
    if let Some(wrk) = &tools.wrk {
        out.push(("wrk".to_string(), version(wrk, &["-v"])));
    }
    if tools.schemathesis.is_some() {
        let st = std::env::var_os("PEER_VENV")
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("HOME")
                    .map(|h| PathBuf::from(h).join(".cache/conform-peers/schemathesis"))
            })
            .map(|v| v.join("bin/st"));
        if let Some(st) = st {
            out.push(("schemathesis".to_string(), version(&st, &["--version"])));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixtures::{Shared, sample_events};
    use crate::report::{Reporter, TerminalReporter};

    #[test]
    fn wrk_reports_are_parsed() {
        let text = "Running 5s test @ http://127.0.0.1:5055
  1 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    40.29ms    4.71ms  70.37ms   75.38%
    Req/Sec   197.62     15.15   222.00     62.00%
  987 requests in 5.01s, 450.13KB read
  Non-2xx or 3xx responses: 12
  Socket errors: connect 0, read 3, write 0, timeout 2
Requests/sec:    196.88
Transfer/sec:     89.79KB
";
        assert_eq!(
            parse_wrk(text),
            Some(WrkFigures {
                requests: 987,
                seconds: 5.01,
                per_second: 196.88,
                non_2xx: 12,
                socket_errors: 5,
            })
        );
        let clean = "  191234 requests in 1.00m, 40.1MB read\nRequests/sec:   3187.21\n";
        let figures = parse_wrk(clean).unwrap();
        assert_eq!((figures.requests, figures.seconds), (191_234, 60.0));
        assert_eq!((figures.non_2xx, figures.socket_errors), (0, 0));
        assert_eq!(
            parse_wrk("unable to connect to 127.0.0.1:1 Connection refused"),
            None
        );
        assert_eq!(parse_wrk_duration("500.00ms"), Some(0.5));
        assert_eq!(parse_wrk_duration("10s"), Some(10.0));
        assert_eq!(parse_wrk_duration("3x"), None);
    }

    #[test]
    fn a_ceiling_needs_valid_answers() {
        let mut figures =
            parse_wrk("  100 requests in 1.00s, 1KB read\nRequests/sec: 100\n").unwrap();
        assert!(check_wrk(&figures, "moto").is_ok());
        figures.non_2xx = 60;
        let error = check_wrk(&figures, "moto").unwrap_err().to_string();
        assert!(
            error.starts_with("failed to measure a ceiling on moto"),
            "{error}"
        );
    }

    #[test]
    fn the_peer_line_is_parsed() {
        let text = "Collecting...\nschemathesis: 900 cases in 68.92 s = 13.1 cases/s\n";
        assert_eq!(
            parse_schemathesis(text),
            Some(PeerFigures {
                cases: 900,
                seconds: 68.92,
                per_second: 13.1
            })
        );
        assert_eq!(parse_schemathesis("st: command not found"), None);
    }

    #[test]
    fn the_run_summary_is_read_from_the_terminal_report() {
        // The line the terminal reporter really writes, so that a change of its wording breaks this test.
        let buf = Shared::default();
        let mut reporter = TerminalReporter::new(Box::new(buf.clone()), false);
        for e in sample_events() {
            reporter.event(&e).unwrap();
        }
        reporter.finish().unwrap();
        assert_eq!(parse_run_summary(&buf.text()), Some((4, 1)));
        let baselined = "x\n2079 cases: 188 passed, 1044 failed (1000 in the baseline), 847 uncertain, 3 errors in 12.4s (seed 0)\n";
        assert_eq!(parse_run_summary(baselined), Some((2079, 3)));
        assert_eq!(parse_run_summary("error: failed to reach the target"), None);
    }

    #[test]
    fn gnu_time_output_gives_the_peak() {
        assert_eq!(parse_max_rss("27784\n"), Some(27_784));
        assert_eq!(
            parse_max_rss("Command exited with non-zero status 1\n27784\n"),
            Some(27_784)
        );
        assert_eq!(parse_max_rss(""), None);
    }

    #[test]
    fn moto_log_lines_are_counted_coloured_or_not() {
        let log = "\
127.0.0.1 - - [22/Nov/2026 13:16:57] \"POST /putAlternateContact HTTP/1.1\" 200 -
127.0.0.1 - - [22/Nov/2026 13:16:11] \"\x1b[31m\x1b[1mPOST /getAlternateContact HTTP/1.1\x1b[0m\" 400 -
Traceback (most recent call last):
  File \"x.py\", line 1, in <module>
AttributeError: 'NoneType' object has no attribute 'replace'
127.0.0.1 - - [22/Nov/2026 13:16:41] \"\x1b[35m\x1b[1mPOST / HTTP/1.1\x1b[0m\" 500 -
 * Running on http://127.0.0.1:5055
";
        assert_eq!(count_logged_requests(log), 3);
    }

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
        let specs = crate::spec::embedded().unwrap();
        let restrict =
            Restrict::Operations(PEER_OPERATIONS.iter().map(|s| s.to_string()).collect());
        let count = |c| count_cases(&specs, 0, c, &restrict, false);
        let c = cases_for_total(600, count);
        assert!(count(c) >= 600 && count(c - 1) < 600);
    }

    #[test]
    fn lua_strings_escape_everything_but_printable_ascii() {
        assert_eq!(lua_string("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(lua_string("x\r\n1"), r#""x\013\0101""#);
        assert_eq!(lua_string("é"), r#""\195\169""#);
    }

    #[test]
    fn the_wrk_script_cycles_through_signed_requests() {
        let specs = crate::spec::embedded().unwrap();
        let time = SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600); // 2026-01-01
        let put = signed_request(
            &specs,
            "http://127.0.0.1:4566/",
            WRK_REQUESTS[0].0,
            WRK_REQUESTS[0].1,
            WRK_REQUESTS[0].2,
            time,
        )
        .unwrap();
        assert!(
            put.starts_with("POST /putAlternateContact HTTP/1.1\r\nhost: 127.0.0.1:4566\r\n"),
            "{put}"
        );
        assert!(
            put.contains("\r\nx-amz-date: 20260101T000000Z\r\n"),
            "{put}"
        );
        assert!(
            put.contains("authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/account/aws4_request"),
            "{put}"
        );
        assert!(put.ends_with(&format!(
            "content-length: {}\r\n\r\n{}",
            WRK_REQUESTS[0].2.len(),
            WRK_REQUESTS[0].2
        )));
        let script = wrk_script(&[put, "GET / HTTP/1.1\r\n\r\n".into()]);
        assert!(
            script.contains("  \"POST /putAlternateContact HTTP/1.1\\013\\010host"),
            "{script}"
        );
        assert!(script.contains("i = i % #requests + 1"), "{script}");
    }

    #[test]
    fn wrk_sends_valid_requests_with_the_generator_s_framing() {
        let specs = crate::spec::embedded().unwrap();
        for (operation, path, body) in WRK_REQUESTS {
            let (_, op) = specs.operation(operation).unwrap();
            let input: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(body).unwrap();
            assert_eq!(
                crate::spec::validate::validate_members(&op.input, &input),
                vec![],
                "{operation}"
            );
            let mut config = GenConfig::new(&specs, 0, 0);
            config.operations = vec![operation.to_string()];
            config.kinds = vec![CaseKind::Valid];
            let case = generate::generate(&specs, &config).next().unwrap();
            assert_eq!(
                (case.request.method.as_str(), case.request.path.as_str()),
                ("POST", path)
            );
            assert_eq!(
                case.request.header("content-type"),
                Some("application/json")
            );
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

    #[test]
    fn operation_ids_come_from_the_openapi_file() {
        let yaml = "paths:\n  /a:\n    post:\n      operationId: PutAlternateContact\n  /b:\n    post:\n      operationId: \"GetAlternateContact\"\n";
        assert_eq!(
            operation_ids(yaml),
            vec!["PutAlternateContact", "GetAlternateContact"]
        );
        assert_eq!(
            peer_operations(Path::new("/nonexistent/schemathesis.sh")).len(),
            3
        );
    }

    #[test]
    fn ratios_numbers_and_tables_render() {
        assert_eq!(ratio(1.0, 0.0), 0.0);
        assert_eq!(ratio(180.0, 200.0), 0.9);
        assert_eq!(group(1_000_000), "1,000,000");
        assert_eq!(group(999), "999");
        assert_eq!(memory_text("24684096 kB"), "23.5 GiB");
        assert_eq!(memory_text("unknown"), "unknown");
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[1.0, 2.0]), 1.5);
        assert_eq!(median(&[]), 0.0);
        assert_eq!(spread(&[0.9], 2), "0.90");
        assert_eq!(spread(&[1.0, 0.9, 1.1], 2), "1.00 (0.90–1.10, 3 rounds)");
        let report = Report {
            machine: vec![("date".into(), "today".into())],
            rows: vec![Row::conform(
                "conform run",
                "moto",
                &RunFigures {
                    cases: 2000,
                    errors: 0,
                    seconds: 10.0,
                    max_rss_kib: 27 * 1024,
                },
                Some(2100),
            )],
            ratios: vec![RatioRow {
                what: "x".into(),
                value: "0.95".into(),
                goal: "≥ 0.90".into(),
                met: Some(true),
            }],
            notes: vec![],
        };
        let text = report.render();
        assert!(
            text.contains(
                "conform run         moto    2,000  2,100     10.00    200.0 cases/s  27.0 MiB"
            ),
            "{text}"
        );
        assert!(text.contains("x      0.95   ≥ 0.90  yes"), "{text}");
        assert_eq!(report.rows[0].requests_per_second(), Some(210.0));
    }

    #[test]
    fn missing_tools_are_named_with_how_to_get_them() {
        use clap::Parser;
        let cli = crate::cli::Cli::try_parse_from([
            "conform",
            "bench",
            "run",
            "--only",
            "peer",
            "--moto-server",
            "/nonexistent/moto_server",
        ])
        .unwrap();
        let crate::cli::Command::Bench(super::super::bench_cmd::BenchCommand::Run(args)) =
            &cli.command
        else {
            panic!("parsed as bench run");
        };
        let error = Tools::find(args, &[Section::Peer])
            .err()
            .unwrap()
            .render(false);
        assert!(error.contains("failed to find moto_server at `/nonexistent/moto_server`: run `scripts/test.sh --no-run`"), "{error}");
        assert!(
            error.contains("failed to find the Schemathesis peer script"),
            "{error}"
        );
        assert!(
            error.contains("help: or measure less with --only"),
            "{error}"
        );
    }
}
