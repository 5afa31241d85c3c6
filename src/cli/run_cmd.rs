//! `conform run`, `conform replay` and `conform snapshots`: fire cases at a target, check and report them.

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Subcommand};

use super::gen_cmd::GenArgs;
use super::values::{parse_concurrency, parse_duration, parse_rate, parse_seconds};
use super::{Cli, CliError, Output, load_model};
use crate::case::CaseKind;
use crate::check::CheckName;
use crate::engine::{RunConfig, RunError};
use crate::exit::Exit;
use crate::model::Model;
use crate::report::{self, Baseline, Fanout, TerminalReporter};
use crate::safety::{Safety, TargetKind};
use crate::snapshot::{SnapshotMode, SnapshotStore};

const RUN_HELP: &str = "\
Without --endpoint (or AWS_ENDPOINT_URL), conform starts its embedded reference target on 127.0.0.1 and tests that. A run has three phases: the documents' examples (each after its setup calls), the generated single requests (concurrently), then the stateful scenarios (one at a time).

Credentials: the usual AWS chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, AWS_PROFILE or --profile, SSO, container and instance credentials). Against a loopback endpoint with none configured, requests are signed with AWS's documented test key pair, and the run says so once.

Deviations are results: the run exits 1 when any deviation (outside --baseline) or transport error is found, 0 when none is. Uncertain expectations (unverified AWS behaviour) are reported apart and never fail a run. A run that does not finish exits otherwise: 5 when --max-time cut it short, 3 when the target kept throttling (20 answers in a row) or Ctrl-C stopped it; its reports cover what ran.

Output: the human report (progress, summary, deviations) goes to stderr, so `conform run > out.txt` leaves out.txt empty: save it with `conform run 2> out.txt`. With `-` as its path, the JSON (or JUnit) report goes to stdout instead of a file: `conform run --json - > report.json`. The terminal shows each kind of deviation once, most severe first, with one example (`--show-all` prints every case); colour only on a terminal, never with NO_COLOR set.

Examples:
  conform run                  # the embedded target: expect no deviation
  conform run --endpoint http://127.0.0.1:5000          # moto, LocalStack, ...
  conform run --endpoint http://127.0.0.1:5000 --service account \\
              --kind invalid --cases 200 --seed 7
  conform run --json report.json --junit junit.xml \\
              --baseline conform-baseline.toml
  conform run --json - > report.json    # the JSON report on stdout
  conform run --partition 1/4 --json part1.json   # one of four CI jobs
  conform run --endpoint http://127.0.0.1:5000 --service all \\
              --matrix-md matrix.md --matrix-html matrix.html  # whole emulator
  conform run --embedded-fault enum-case-insensitive    # a known bug

Real AWS (any endpoint not on loopback): only what changes nothing runs unless you consent; what may change is recorded first and put back after, also after Ctrl-C or a crash (see the options under Real AWS accounts, above). A run that would change a target another conform run is changing refuses to start (exit 2) and names that run.
  conform run --service account --dry-run \\
              --endpoint https://account.us-east-1.amazonaws.com
  conform run --service account --allow-mutations \\
              --endpoint https://account.us-east-1.amazonaws.com";

/// Where and how to send.
#[derive(Debug, Args, Clone)]
pub struct TargetArgs {
    /// The target's base URL. Default: AWS_ENDPOINT_URL, else the embedded reference target started in-process.
    #[arg(long, value_name = "URL", env = "AWS_ENDPOINT_URL")]
    pub endpoint: Option<String>,
    /// Region to sign for (Account is always signed for us-east-1).
    #[arg(long, value_name = "R", env = "AWS_REGION")]
    pub region: Option<String>,
    /// AWS profile to take credentials from.
    #[arg(long, value_name = "NAME", env = "AWS_PROFILE")]
    pub profile: Option<String>,
    /// Seconds to wait for each response (more than 0, at most a day).
    #[arg(long, default_value = "10", value_name = "SECS", value_parser = parse_seconds)]
    pub timeout: Duration,
    /// Start the embedded target with this fault (repeatable; see `conform serve --list-faults`). Only without
    /// --endpoint.
    #[arg(
        long = "embedded-fault",
        value_name = "NAME",
        conflicts_with = "endpoint"
    )]
    pub embedded_faults: Vec<String>,
    /// Mask the values of sensitive members (names, emails, phone numbers, ...) in every output, even conform's
    /// own generated test data on an emulator, where it is otherwise shown so that printed reproductions are exact.
    /// Values read from a real target and secrets are never shown.
    #[arg(long)]
    pub mask_sensitive: bool,
    /// How S3 requests name their bucket, as botocore's `addressing_style`: `auto` puts a DNS-compatible bucket
    /// in the host (`bucket.s3.amazonaws.com`) on AWS's endpoints and in the path on any other; `path` always in
    /// the path; `virtual` in the host wherever the name allows (not on an IP address endpoint). The request
    /// still goes to the endpoint's address, with the bucket's host in the signed Host header.
    #[arg(long, value_enum, default_value = "auto", value_name = "STYLE")]
    pub s3_addressing: crate::client::addressing::S3Addressing,
}

/// Safety on real AWS accounts.
#[derive(Debug, Args, Clone)]
#[command(next_help_heading = "Real AWS accounts")]
pub struct SafetyArgs {
    /// Whether the target is real AWS, where only what is safe runs (see "Real AWS accounts" in the README).
    #[arg(long, value_enum, default_value = "auto", value_name = "KIND")]
    pub target_kind: TargetKind,
    /// On a real target, run the operations that change state (PutAlternateContact, DeleteAlternateContact).
    /// The state they can change is read and journaled before the first change, and put back after the run, also
    /// after Ctrl-C or a crash.
    #[arg(long)]
    pub allow_mutations: bool,
    /// On a real target, also run this operation, which emails people, changes a root address or changes state
    /// conform cannot put back (repeatable or comma-separated; see `conform spec list`).
    #[arg(long, value_name = "OP", value_delimiter = ',')]
    pub include: Vec<String>,
    /// Where the state recorded on a real target is kept until it is put back; `conform restore` reads it.
    #[arg(long, default_value = crate::safety::DEFAULT_JOURNAL, value_name = "PATH")]
    pub restore_journal: PathBuf,
}

impl SafetyArgs {
    /// The safety settings, with `--include` checked against the specs.
    pub fn safety(&self, specs: &Model) -> Result<Safety, CliError> {
        let safety = Safety {
            target_kind: self.target_kind,
            allow_mutations: self.allow_mutations,
            include: self.include.clone(),
            journal: self.restore_journal.clone(),
        };
        let unknown = safety.unknown_includes(specs);
        if !unknown.is_empty() {
            return Err(CliError::usage(
                format!("--include names no operation: {}", unknown.join(", ")),
                Some("`conform spec list` lists the operations".to_string()),
            ));
        }
        Ok(safety)
    }
}

/// `conform run`
#[derive(Debug, Args)]
#[command(after_help = RUN_HELP)]
pub struct RunArgs {
    #[command(flatten)]
    generation: GenArgs,
    #[command(flatten)]
    target: TargetArgs,
    /// Print what would be sent (each request as curl, the state that would be recorded) and send nothing.
    #[arg(long)]
    dry_run: bool,
    /// Requests in flight at once (1 to 1024).
    #[arg(long, default_value = "8", value_name = "N", value_parser = parse_concurrency)]
    concurrency: usize,
    /// At most N requests per second (0.001 to 1000000). Default: unlimited on an emulator, 2 on a real target.
    #[arg(long, value_name = "N", value_parser = parse_rate)]
    rate: Option<f64>,
    /// Retries of a throttled request (429, 503, throttling errors), with backoff honouring Retry-After (0 to 100).
    /// A target that answers 20 requests in a row as throttled, retries included, stops the run (exit 3).
    #[arg(long, default_value_t = 3, value_name = "N", value_parser = super::values::parse_retries)]
    retries: u32,
    /// The longest the run may take (`90s`, `15m`, `2h`): then no new case starts, the cases in flight are dropped
    /// (on a real target they may finish first, within --timeout, and its state is put back after), what finished
    /// is reported, and the run exits 5.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    max_time: Option<Duration>,
    /// Runs of each scenario per parameter value, each with freshly drawn values (1 to 1000).
    #[arg(long, default_value_t = 2, value_name = "N", value_parser = super::values::parse_scenario_draws)]
    scenario_draws: usize,
    /// Only these checks (comma-separated): status, error-type, error-body, output-shape, content-type,
    /// request-id, state, snapshot.
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    checks: Vec<CheckName>,
    /// All checks but these (comma-separated).
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    exclude_checks: Vec<CheckName>,
    #[command(flatten)]
    reports: crate::report::ReportArgs,
    /// Deviations accepted in this file do not fail the run.
    #[arg(long, value_name = "PATH")]
    baseline: Option<PathBuf>,
    /// Write the deviations of this run into the --baseline file (keeping entries for what the run did not cover).
    #[arg(long, requires = "baseline")]
    update_baseline: bool,
    /// Run only share K of N (e.g. 2/4), for CI jobs in parallel; `conform report merge` joins their reports.
    /// A run of at least 10 × N operations is split by operation (each operation's cases and probes in one
    /// share, so each job probes only its own); a smaller one by case, so that the shares stay even.
    #[arg(long, value_name = "K/N", value_parser = super::values::parse_partition)]
    partition: Option<(u64, u64)>,
    /// Do not shrink failing cases.
    #[arg(long)]
    no_shrink: bool,
    /// Compare responses with stored snapshots (verify), write pending ones for review (update), or not (off).
    #[arg(long, value_enum, default_value = "off", value_name = "MODE")]
    snapshots: SnapshotMode,
    /// Where snapshots live.
    #[arg(long, default_value = "snapshots", value_name = "DIR")]
    snapshot_dir: PathBuf,
    // Last: its help heading applies to whatever follows it.
    #[command(flatten)]
    safety: SafetyArgs,
}

pub(super) fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(CliError::Io)
}

/// The run configuration the arguments ask for, with `generation` (the arguments' own, services expanded).
fn run_config(specs: &Model, args: &RunArgs, generation: &GenArgs) -> Result<RunConfig, CliError> {
    let kinds = &generation.kinds;
    let protocol = generation.protocol.clone();
    let mut generation = generation.config(specs)?;
    if let Some((k, n)) = args.partition {
        let operations =
            crate::generate::selected_operations(specs, &generation).map_or(0, |ops| ops.len());
        generation.partition = Some(crate::generate::Partition::new(k, n, operations));
    }
    // With only `--kind scenario`, the generator yields no single request (it makes no scenario cases).
    let scenarios = kinds.is_empty() || generation.kinds.contains(&CaseKind::Scenario);
    let only = (!args.checks.is_empty()).then_some(args.checks.as_slice());
    let checks = crate::check::select_checks(only, &args.exclude_checks);
    if checks.is_empty() {
        return Err(CliError::usage(
            "every check is excluded",
            Some("drop some of --exclude-checks".to_string()),
        ));
    }
    let baseline = match &args.baseline {
        Some(path) if args.update_baseline => Baseline::load_or_empty(path),
        Some(path) => Baseline::load(path),
        None => Ok(Baseline::default()),
    }
    .map_err(|e| {
        CliError::usage(
            e.to_string(),
            Some("fix the file, or write it anew with --update-baseline".into()),
        )
    })?;
    Ok(RunConfig {
        endpoint: args.target.endpoint.clone(),
        profile: args.target.profile.clone(),
        region: args.target.region.clone(),
        generation,
        scenarios,
        scenario_draws: args.scenario_draws,
        concurrency: args.concurrency,
        rate: args.rate,
        timeout: args.target.timeout,
        max_retries: args.retries,
        checks,
        shrink: !args.no_shrink,
        baseline,
        snapshots: args.snapshots,
        snapshot_dir: args.snapshot_dir.clone(),
        embedded_faults: args.target.embedded_faults.clone(),
        safety: args.safety.safety(specs)?,
        mask_sensitive: args.target.mask_sensitive,
        max_time: args.max_time,
        protocol,
        s3_addressing: args.target.s3_addressing,
    })
}

pub(super) fn run(cli: &Cli, args: &RunArgs, output: &mut Output<'_>) -> Result<Exit, CliError> {
    let (generation, choice) = args.generation.expand_services(cli)?;
    let specs = Arc::new(generation.load(cli)?);
    let config = run_config(&specs, args, &generation)?;
    if args.dry_run {
        crate::engine::dry_run(&specs, &config, output.out)?;
        return Ok(Exit::Ok);
    }
    let mut fanout = reporters(&args.reports)?;
    announce_choice(&choice, &mut fanout).map_err(|e| CliError::usage(error_chain(&e), None))?;
    let outcome = match runtime()?.block_on(crate::engine::run(specs, config, &mut fanout)) {
        Ok(outcome) => outcome,
        Err(e) => return run_error(e, output),
    };
    if args.update_baseline {
        let path = args.baseline.as_ref().expect("clap requires --baseline");
        outcome
            .updated_baseline
            .save(path)
            .map_err(|e| CliError::usage(e.to_string(), None))?;
        // A closed stderr must not turn the run's result into another.
        let _ = writeln!(
            output.err,
            "wrote {} accepted deviation(s) to {}",
            outcome.updated_baseline.len(),
            path.display()
        );
        return Ok(if restore_incomplete(&outcome) {
            Exit::Restore
        } else if let Some(stopped) = &outcome.stopped {
            report::stopped_exit(stopped)
        } else {
            Exit::Ok
        });
    }
    if restore_incomplete(&outcome) {
        return Ok(Exit::Restore);
    }
    Ok(report::exit_for(
        &outcome.summary,
        outcome.new_deviations,
        outcome.stopped.as_ref(),
    ))
}

/// Tells the reporters what `--service` left out: each service to the matrix, one note for the terminal.
fn announce_choice(
    choice: &super::services::ServiceChoice,
    reporter: &mut dyn report::Reporter,
) -> Result<(), report::ReportError> {
    for skipped in &choice.skipped {
        reporter.event(&report::Event::ServiceSkipped {
            service: skipped.service.clone(),
            reason: skipped.reason.clone(),
        })?;
    }
    for note in choice
        .notes
        .iter()
        .cloned()
        .chain(super::services::skipped_note(&choice.skipped))
    {
        reporter.event(&report::Event::Note(note))?;
    }
    Ok(())
}

/// The terminal reporter, and the JSON and JUnit reporters the flags ask for.
fn reporters(args: &crate::report::ReportArgs) -> Result<Fanout, CliError> {
    args.reporters()
        .map_err(|e| CliError::usage(error_chain(&e), None))
}

/// An error and its causes, as one line.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

/// Whether a real target may still hold changes: that outranks every other result.
fn restore_incomplete(outcome: &crate::engine::RunOutcome) -> bool {
    outcome.restore.as_ref().is_some_and(|r| !r.complete())
}

/// Prints a run error with its causes; configuration problems exit 2, an unreachable target 3.
fn run_error(e: RunError, output: &mut Output<'_>) -> Result<Exit, CliError> {
    let exit = match &e {
        RunError::Config(_) => Exit::Usage,
        RunError::Unreachable(_) | RunError::Report(_) | RunError::Record(_) => Exit::Aborted,
        RunError::JournalPending(_) => Exit::Restore,
        RunError::Locked(_) => Exit::Usage,
        RunError::Crashed { restore, .. } => {
            if restore.as_ref().is_some_and(|r| !r.complete()) {
                Exit::Restore
            } else {
                Exit::Aborted
            }
        }
    };
    let mut text = format!("error: {e}");
    let mut source = std::error::Error::source(&e);
    while let Some(cause) = source {
        text.push_str(&format!("\n  caused by: {cause}"));
        source = cause.source();
    }
    match &e {
        RunError::Unreachable(_) => {
            text.push_str("\n  help: start the target first, or check --endpoint (no case was run)")
        }
        RunError::Record(crate::safety::restore::RestoreError::Journal { .. }) => text.push_str(
            "\n  help: give this run its own journal (--restore-journal PATH); a journal that is there is another \
             run's, or one to put back first with `conform restore --journal PATH`",
        ),
        RunError::Record(_) => text.push_str(
            "\n  help: set the fixtures to resources you own (--fixture account.AccountId=...), or leave the \
             operations that change state out (drop --allow-mutations, or narrow --operation)",
        ),
        RunError::JournalPending(path) => text.push_str(&format!(
            "\n  help: put that state back first with `conform restore --journal {}` (it removes the journal when \
             everything reads back as recorded)",
            path.display()
        )),
        RunError::Locked(lock) => text.push_str(&format!("\n  help: {}", lock.help())),
        RunError::Crashed { .. } => text.push_str(
            "\n  help: this is a bug in conform; please report it with the command line and this message",
        ),
        _ => {}
    }
    // A closed stderr must not change the exit code.
    let _ = writeln!(output.err, "{text}");
    Ok(exit)
}

/// `conform replay`
#[derive(Debug, Args)]
#[command(after_help = "\
Sends one case again, by the id a report gave, and prints the request (as curl, secrets redacted), the response and the checks. Give the same --seed, --cases and --fixture as the run (the report's replay line has them).

Examples:
  conform replay PutAlternateContact-invalid-length-max+1-Name-0 --seed 1
  conform replay account-scenario-put-then-get-billing-0 --endpoint http://127.0.0.1:5000")]
pub struct ReplayArgs {
    /// The case id (or scenario id) to send.
    id: String,
    #[command(flatten)]
    generation: GenArgs,
    #[command(flatten)]
    target: TargetArgs,
    #[command(flatten)]
    safety: SafetyArgs,
}

pub(super) fn replay(
    cli: &Cli,
    args: &ReplayArgs,
    output: &mut Output<'_>,
) -> Result<Exit, CliError> {
    let (generation, _) = args.generation.expand_services(cli)?;
    let specs = Arc::new(generation.load(cli)?);
    let generation = generation.config(&specs)?;
    let mut config = RunConfig::new(generation);
    config.endpoint = args.target.endpoint.clone();
    config.profile = args.target.profile.clone();
    config.region = args.target.region.clone();
    config.timeout = args.target.timeout;
    config.embedded_faults = args.target.embedded_faults.clone();
    config.mask_sensitive = args.target.mask_sensitive;
    config.safety = args.safety.safety(&specs)?;
    let mut notes = TerminalReporter::stderr();
    let mut printed: Vec<u8> = Vec::new();
    let replayed = runtime()?.block_on(crate::engine::replay(
        specs,
        config,
        &args.id,
        &mut printed,
        &mut notes,
    ));
    output.out.write_all(&printed)?;
    match replayed {
        Err(e) => run_error(e, output),
        Ok((_, Some(report))) if !report.complete() => Ok(Exit::Restore),
        Ok((true, _)) => Ok(Exit::Deviations),
        Ok((false, _)) => Ok(Exit::Ok),
    }
}

/// `conform snapshots ...`
#[derive(Debug, Subcommand)]
pub enum SnapshotsCommand {
    /// List pending snapshots (`.snap.new`) written by `conform run --snapshots update`.
    #[command(after_help = "Example:\n  conform snapshots list")]
    List(SnapshotDir),
    /// Show each pending snapshot's diff and, on a terminal, ask whether to accept it (a), reject it (r) or skip (s).
    #[command(
        after_help = "Example:\n  conform run --snapshots update && conform snapshots review"
    )]
    Review(SnapshotDir),
    /// Accept every pending snapshot.
    #[command(after_help = "Example:\n  conform snapshots accept")]
    Accept(SnapshotDir),
    /// Reject (delete) every pending snapshot.
    #[command(after_help = "Example:\n  conform snapshots reject")]
    Reject(SnapshotDir),
}

/// The snapshot directory argument.
#[derive(Debug, Args)]
pub struct SnapshotDir {
    /// Where snapshots live.
    #[arg(long, default_value = "snapshots", value_name = "DIR")]
    dir: PathBuf,
}

pub(super) fn snapshots(
    command: &SnapshotsCommand,
    output: &mut Output<'_>,
) -> Result<Exit, CliError> {
    let (SnapshotsCommand::List(d)
    | SnapshotsCommand::Review(d)
    | SnapshotsCommand::Accept(d)
    | SnapshotsCommand::Reject(d)) = command;
    let store = SnapshotStore::new(&d.dir);
    let fail = |e: crate::snapshot::SnapshotError| CliError::usage(e.to_string(), None);
    let pending = store.pending().map_err(fail)?;
    if pending.is_empty() {
        writeln!(output.err, "no pending snapshots under {}", d.dir.display())?;
        return Ok(Exit::Ok);
    }
    match command {
        SnapshotsCommand::List(_) => {
            for p in &pending {
                writeln!(output.out, "{}", p.display())?;
            }
        }
        SnapshotsCommand::Accept(_) => {
            for p in &pending {
                writeln!(
                    output.out,
                    "accepted {}",
                    store.accept(p).map_err(fail)?.display()
                )?;
            }
        }
        SnapshotsCommand::Reject(_) => {
            for p in &pending {
                store.reject(p).map_err(fail)?;
                writeln!(output.out, "rejected {}", p.display())?;
            }
        }
        SnapshotsCommand::Review(_) => {
            let interactive = std::io::stdin().is_terminal();
            let mut stdin = std::io::stdin().lock();
            for p in &pending {
                writeln!(output.out, "{}", store.pending_diff(p).map_err(fail)?)?;
                if !interactive {
                    continue;
                }
                write!(output.out, "accept (a), reject (r) or skip (s)? ")?;
                output.out.flush()?;
                let mut answer = String::new();
                stdin.read_line(&mut answer)?;
                match answer.trim() {
                    "a" => writeln!(
                        output.out,
                        "accepted {}",
                        store.accept(p).map_err(fail)?.display()
                    )?,
                    "r" => {
                        store.reject(p).map_err(fail)?;
                        writeln!(output.out, "rejected {}", p.display())?;
                    }
                    _ => writeln!(output.out, "skipped")?,
                }
            }
            if !interactive {
                writeln!(
                    output.err,
                    "not a terminal: shown only; use `conform snapshots accept` or `reject`"
                )?;
            }
        }
    }
    Ok(Exit::Ok)
}

/// `conform diff`
#[derive(Debug, Args)]
#[command(after_help = "\
Fires identical cases and scenarios, in the same order and one at a time, at two targets (an emulator against real AWS, two versions of an emulator) and reports every difference in status, error type and normalised body, with the spec's redactions and sensitive members masked. Exit 1 when the targets differ.

Examples:
  conform diff --endpoint http://127.0.0.1:5000 --against http://127.0.0.1:4566
  conform diff --against embedded --endpoint http://127.0.0.1:5000 \\
               --service account --json diff.json
  conform diff --against embedded --embedded-fault delete-missing-ok")]
pub struct DiffArgs {
    #[command(flatten)]
    generation: GenArgs,
    /// Target A (see --endpoint); B is --against.
    #[command(flatten)]
    target: TargetArgs,
    /// Target B: a base URL, or `embedded` for a second embedded target.
    #[arg(long, value_name = "URL|embedded")]
    against: String,
    /// Start B, when `embedded`, with this fault (repeatable).
    #[arg(long = "against-fault", value_name = "NAME")]
    against_faults: Vec<String>,
    /// Runs of each scenario per parameter value (1 to 1000).
    #[arg(long, default_value_t = 1, value_name = "N", value_parser = super::values::parse_scenario_draws)]
    scenario_draws: usize,
    /// At most N requests per second to each target (0.001 to 1000000). Default: unlimited on an emulator, 2 on a
    /// real target.
    #[arg(long, value_name = "N", value_parser = parse_rate)]
    rate: Option<f64>,
    /// The longest the comparison may take (`90s`, `15m`, `2h`): then it stops, reports what it compared, and
    /// exits 5.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    max_time: Option<Duration>,
    #[command(flatten)]
    reports: crate::report::ReportArgs,
    // Last: its help heading applies to whatever follows it.
    #[command(flatten)]
    safety: SafetyArgs,
}

pub(super) fn diff(cli: &Cli, args: &DiffArgs, output: &mut Output<'_>) -> Result<Exit, CliError> {
    let (expanded, choice) = args.generation.expand_services(cli)?;
    let specs = Arc::new(expanded.load(cli)?);
    let generation = expanded.config(&specs)?;
    let mut a = RunConfig::new(generation);
    a.endpoint = args.target.endpoint.clone();
    a.profile = args.target.profile.clone();
    a.region = args.target.region.clone();
    a.timeout = args.target.timeout;
    a.mask_sensitive = args.target.mask_sensitive;
    a.embedded_faults = args.target.embedded_faults.clone();
    a.scenario_draws = args.scenario_draws;
    a.scenarios =
        args.generation.kinds.is_empty() || a.generation.kinds.contains(&CaseKind::Scenario);
    a.safety = args.safety.safety(&specs)?;
    a.rate = args.rate;
    a.max_time = args.max_time;
    let mut b = a.clone();
    // Each real side keeps its own journal.
    b.safety.journal = against_journal(&a.safety.journal);
    b.endpoint = (args.against != "embedded").then(|| args.against.clone());
    b.embedded_faults = args.against_faults.clone();
    if b.endpoint.is_some() && !b.embedded_faults.is_empty() {
        return Err(CliError::usage(
            "--against-fault needs `--against embedded`",
            None,
        ));
    }
    let mut fanout = reporters(&args.reports)?;
    announce_choice(&choice, &mut fanout).map_err(|e| CliError::usage(error_chain(&e), None))?;
    match runtime()?.block_on(crate::engine::diff(specs, a, b, &mut fanout)) {
        Ok(outcome) if restore_incomplete(&outcome) => Ok(Exit::Restore),
        Ok(outcome) => Ok(report::exit_for(
            &outcome.summary,
            outcome.new_deviations,
            outcome.stopped.as_ref(),
        )),
        Err(e) => run_error(e, output),
    }
}

/// The journal of `conform diff`'s target B: beside A's, named after it (`conform-restore.against.json`).
fn against_journal(a: &std::path::Path) -> PathBuf {
    let stem = a
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "conform-restore".to_string());
    a.with_file_name(format!("{stem}.against.json"))
}

/// `conform restore`
#[derive(Debug, Args)]
#[command(after_help = "\
Puts back the state a run recorded on a real target before its first change, from the journal the run left behind. A run removes its journal itself once everything reads back as recorded; one that is still there means the run was killed, crashed, or could not finish the restore.

Each piece is read; what differs from the recording is put back and read again. The journal is removed only when every piece reads back as recorded (exit 0); otherwise exit 4. While another conform run is changing that target or uses that journal, restore refuses to start (exit 2).

Examples:
  conform restore      # ./conform-restore.json, on the endpoint it names
  conform restore --journal ci/conform-restore.json --profile audit")]
pub struct RestoreArgs {
    /// The journal a run wrote.
    #[arg(long, default_value = crate::safety::DEFAULT_JOURNAL, value_name = "PATH")]
    journal: PathBuf,
    /// Send to this endpoint instead of the one the journal names.
    #[arg(long, value_name = "URL")]
    endpoint: Option<String>,
    /// Region to sign for. Default: the run's.
    #[arg(long, value_name = "R")]
    region: Option<String>,
    /// AWS profile to take credentials from.
    #[arg(long, value_name = "NAME", env = "AWS_PROFILE")]
    profile: Option<String>,
    /// Seconds to wait for each response (more than 0, at most a day).
    #[arg(long, default_value = "10", value_name = "SECS", value_parser = parse_seconds)]
    timeout: Duration,
}

pub(super) fn restore(
    cli: &Cli,
    args: &RestoreArgs,
    output: &mut Output<'_>,
) -> Result<Exit, CliError> {
    let specs = Arc::new(load_model(cli)?);
    let journal = crate::safety::restore::Journal::load(&args.journal).map_err(|e| {
        CliError::usage(
            error_chain(&e),
            Some("name the journal the run wrote with --journal (its notes say where)".to_string()),
        )
    })?;
    journal
        .check_against(&specs)
        .map_err(|e| CliError::usage(e.to_string(), None))?;
    let generation = crate::generate::GenConfig::new(&specs, 0, 1);
    let mut config = RunConfig::new(generation);
    config.endpoint = Some(
        args.endpoint
            .clone()
            .unwrap_or_else(|| journal.endpoint.clone()),
    );
    config.region = args.region.clone().or_else(|| journal.region.clone());
    config.profile = args.profile.clone();
    config.timeout = args.timeout;
    config.safety.journal = args.journal.clone();
    let mut notes = TerminalReporter::stderr();
    writeln!(
        output.err,
        "putting back {} piece(s) of state recorded {} on {}",
        journal.entries.len(),
        journal.recorded_at,
        config.endpoint.as_deref().unwrap_or_default()
    )?;
    let restored = runtime()?.block_on(crate::engine::restore_from_journal(
        &specs, &config, &journal, &mut notes,
    ));
    let report = match restored {
        Ok(report) => report,
        Err(e) => return run_error(e, output),
    };
    for (label, fate) in &report.fates {
        let text = match fate {
            crate::safety::restore::Fate::Unchanged => "unchanged".to_string(),
            crate::safety::restore::Fate::Restored => "put back".to_string(),
            crate::safety::restore::Fate::Failed(why) => format!("NOT put back: {why}"),
        };
        writeln!(output.out, "{label}: {text}")?;
    }
    writeln!(
        output.err,
        "{}",
        crate::engine::restore_note(&report, &args.journal)
    )?;
    Ok(if report.complete() {
        Exit::Ok
    } else {
        Exit::Restore
    })
}
