//! The run: generate cases, send them to a target, check the answers, shrink failures, and emit events.
//!
//! The runner never prints: everything it has to say goes out as [`Event`]s to the reporter it is given.
//! A run has three phases, so that cases which depend on state do not trip over each other:
//! 1. the documents' examples, one at a time, each after its setup calls;
//! 2. the generated single-request cases, concurrently (their expectations allow for state: `on_state`);
//! 3. the scenarios, one at a time.

mod dry_run;

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;

use crate::case::{Case, CaseKind, Signing};
use crate::check::{CheckName, CheckResult, normalise_error_type, run_checks};
use crate::client::{
    Client, ClientConfig, CredentialSource, TransportError, curl_command, resolve_credentials,
};
use crate::emulator::{EmulatorConfig, EmulatorHandle};
use crate::generate::{self, GenConfig};
use crate::report::{
    BaselineKey, BaselineTracker, CaseResult, Event, Reporter, Reproduce, ShrunkCase, Summary,
};
use crate::safety::restore::{self, Journal, RestoreError, RestoreReport};
use crate::safety::{Blocked, REAL_DEFAULT_RATE, Safety};
use crate::scenario;
use crate::snapshot::{Recording, SnapshotMode, SnapshotStore, Verdict, normalise};
use crate::spec::{Operation, Service, SpecSet};

pub use dry_run::{DryRunCounts, dry_run};

/// Everything a run needs besides the specs and the reporter.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// The target; `None` starts the embedded reference target in-process.
    pub endpoint: Option<String>,
    /// AWS profile for credentials (`--profile`, else `AWS_PROFILE`).
    pub profile: Option<String>,
    /// The user's region; a service's region rule may fix another.
    pub region: Option<String>,
    /// What to generate.
    pub generation: GenConfig,
    /// Whether to run the scenarios (`--kind scenario`, or no `--kind`).
    pub scenarios: bool,
    /// Instances (draws) per scenario and parameter combination.
    pub scenario_draws: usize,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Requests per second across the run.
    pub rate: Option<f64>,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Retries of throttled requests.
    pub max_retries: u32,
    /// The checks to run.
    pub checks: Vec<CheckName>,
    /// Run only the share `k` of `n` (1-based), for CI jobs in parallel.
    pub partition: Option<(u64, u64)>,
    /// Shrink failing cases toward the smallest that fails the same way.
    pub shrink: bool,
    /// Accepted deviations; only others make the run fail.
    pub baseline: crate::report::Baseline,
    /// Snapshot use, and where they live.
    pub snapshots: SnapshotMode,
    /// The snapshot directory.
    pub snapshot_dir: std::path::PathBuf,
    /// Faults the embedded target is started with (demonstrations and tests).
    pub embedded_faults: Vec<String>,
    /// What may run on a real target, and where the state it changes is recorded.
    pub safety: Safety,
}

impl RunConfig {
    /// A config for the embedded target with defaults: every kind, all checks, no snapshots.
    pub fn new(generation: GenConfig) -> Self {
        RunConfig {
            endpoint: None,
            profile: None,
            region: None,
            generation,
            scenarios: true,
            scenario_draws: 2,
            concurrency: 8,
            rate: None,
            timeout: Duration::from_secs(10),
            max_retries: 3,
            checks: CheckName::ALL.to_vec(),
            partition: None,
            shrink: true,
            baseline: crate::report::Baseline::default(),
            snapshots: SnapshotMode::Off,
            snapshot_dir: "snapshots".into(),
            embedded_faults: Vec::new(),
            safety: Safety::default(),
        }
    }

    /// Whether the target is treated as real AWS.
    pub fn real(&self) -> bool {
        self.safety.is_real(self.endpoint.as_deref())
    }
}

/// How a run ended.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    /// Counts.
    pub summary: Summary,
    /// Deviating cases not covered by the baseline.
    pub new_deviations: usize,
    /// What `--update-baseline` writes.
    pub updated_baseline: crate::report::Baseline,
    /// Deviation keys in the baseline that this run no longer saw.
    pub gone: Vec<BaselineKey>,
    /// Pending snapshots written (`--snapshots update`).
    pub snapshots_written: usize,
    /// Whether Ctrl-C stopped the run.
    pub interrupted: bool,
    /// What the restore of a real target did; `None` when nothing needed recording.
    pub restore: Option<RestoreReport>,
}

/// Why a run could not be carried out at all (as opposed to deviations, which are results).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// Bad configuration: missing credentials, a bad endpoint URL, an unknown fault.
    #[error("{0}")]
    Config(String),
    /// The target refused connections before any case ran.
    #[error("failed to reach the target")]
    Unreachable(#[source] TransportError),
    /// A reporter failed (a report file could not be written).
    #[error("failed to write a report")]
    Report(#[source] crate::report::ReportError),
    /// The state a real target's cases may change could not be recorded; nothing was changed.
    #[error("failed to start on a real target; nothing was changed")]
    Record(#[source] RestoreError),
    /// An earlier run's journal is still there: the target may hold changes that were never put back.
    #[error(
        "failed to start: the restore journal {0} of an earlier run is still there, so the target may hold changes \
         that were never put back"
    )]
    JournalPending(std::path::PathBuf),
    /// Another conform run is changing the same real target, or uses the same journal.
    #[error(transparent)]
    Locked(crate::safety::lock::LockError),
    /// conform itself failed mid-run (a bug); the state of a real target was put back first, when it could be.
    #[error("failed to finish the run: conform crashed ({why}){}", restore_text(.restore))]
    Crashed {
        /// The panic's message.
        why: String,
        /// What the restore did.
        restore: Option<RestoreReport>,
    },
}

fn restore_text(restore: &Option<RestoreReport>) -> String {
    restore
        .as_ref()
        .map(|r| format!("\n{}", r.summary()))
        .unwrap_or_default()
}

/// A target, started here or given by the user.
pub struct Target {
    /// Its base URL.
    pub endpoint: String,
    /// How reports name it.
    pub label: String,
    /// The embedded target, kept alive for the run.
    pub embedded: Option<EmulatorHandle>,
}

/// Starts the embedded target (with faults) or takes the user's endpoint.
pub async fn start_target(specs: &Arc<SpecSet>, config: &RunConfig) -> Result<Target, RunError> {
    match &config.endpoint {
        Some(endpoint) => Ok(Target {
            endpoint: endpoint.trim_end_matches('/').to_string(),
            label: endpoint.trim_end_matches('/').to_string(),
            embedded: None,
        }),
        None => {
            let mut emulator = EmulatorConfig::new(config.generation.fixtures.clone());
            emulator.faults = config.embedded_faults.clone();
            let handle =
                crate::emulator::start(Arc::clone(specs), emulator, ([127, 0, 0, 1], 0).into())
                    .await
                    .map_err(|e| RunError::Config(e.to_string()))?;
            Ok(Target {
                endpoint: handle.endpoint(),
                label: "embedded".to_string(),
                embedded: Some(handle),
            })
        }
    }
}

/// Builds the client for a target: credentials from the chain, or the test pair on loopback.
pub async fn client_for(
    target: &Target,
    config: &RunConfig,
    reporter: &mut dyn Reporter,
) -> Result<Client, RunError> {
    // The embedded target accepts only the test key pair, whatever credentials the environment holds.
    let (credentials, source) = if target.embedded.is_some() {
        let test_pair = aws_credential_types::Credentials::new(
            crate::credentials::TEST_ACCESS_KEY_ID,
            crate::credentials::TEST_SECRET_ACCESS_KEY,
            None,
            None,
            "conform",
        );
        (test_pair, CredentialSource::TestKeyPair)
    } else {
        resolve_credentials(&target.endpoint, config.profile.as_deref())
            .await
            .map_err(|e| RunError::Config(e.to_string()))?
    };
    if matches!(source, CredentialSource::TestKeyPair) {
        emit(
            reporter,
            Event::Note(format!("{source} for {}", target.label)),
        )?;
    }
    let client = Client::new(ClientConfig {
        region: config.region.clone(),
        timeout: config.timeout,
        rate: config.rate,
        max_retries: config.max_retries,
        retry_seed: config.generation.seed,
        max_response_bytes: 1 << 20,
        ..ClientConfig::new(target.endpoint.clone(), credentials)
    })
    .map_err(|e| RunError::Config(e.to_string()))?;
    client.probe().await.map_err(RunError::Unreachable)?;
    Ok(client)
}

/// Runs the cases the config selects and reports them; returns when every case ran or Ctrl-C was pressed.
///
/// On a real target, operations the safety settings leave out are not run, requests go at a low rate unless
/// `rate` is set, and the state the running operations can change is recorded (and journaled) before the first
/// case and put back after the last, also when Ctrl-C, SIGTERM or a crash of conform ends the run early.
pub async fn run(
    specs: Arc<SpecSet>,
    mut config: RunConfig,
    reporter: &mut dyn Reporter,
) -> Result<RunOutcome, RunError> {
    let real = config.real();
    if real && config.rate.is_none() {
        config.rate = Some(REAL_DEFAULT_RATE);
    }
    let blocked = config.safety.blocked(&specs, real);
    let selection = Selection::new(&specs, &config, &blocked);
    let restores = if real {
        restore::plan(&specs, &selection.changing_operations(&specs))
    } else {
        Vec::new()
    };
    // Held until the state is put back; released by the OS if the process dies.
    let _lock = if restores.is_empty() {
        None
    } else {
        Some(lock_real(&[&config])?)
    };
    let target = start_target(&specs, &config).await?;
    let client = client_for(&target, &config, reporter).await?;
    if real {
        real_notes(&config, &target, &blocked, &selection, reporter)?;
    }
    let journal = record_state(&client, &config, &restores, reporter).await?;
    let started = Instant::now();
    let runner = CaseRunner {
        specs: &specs,
        config: &config,
        client: &client,
        target: &target,
        store: SnapshotStore::new(&config.snapshot_dir),
        selection: &selection,
        blocked: &blocked,
        drain: journal.is_some(),
    };
    let mut tally = Tally {
        summary: Summary::default(),
        tracker: BaselineTracker::new(config.baseline.clone()),
        snapshots_written: 0,
    };
    // A panic in a case (a bug of conform's) must not leave a real target changed: catch it, restore, report it.
    let phases = {
        use futures::FutureExt;
        let phases = async {
            let phases = phase_totals(&specs, &config, &selection, &blocked);
            emit(
                reporter,
                Event::RunStarted {
                    seed: config.generation.seed,
                    target: target.label.clone(),
                    total: Some(phases.iter().map(|(_, n)| n).sum()),
                    phases,
                },
            )?;
            runner.run_phases(&mut tally, reporter).await
        };
        std::panic::AssertUnwindSafe(phases).catch_unwind().await
    };
    let restored = match &journal {
        Some(journal) => Some(put_back(&specs, &client, journal, &config.safety.journal).await),
        None => None,
    };
    let interrupted = match phases {
        Err(panic) => {
            return Err(RunError::Crashed {
                why: panic_message(panic),
                restore: restored,
            });
        }
        Ok(Err(e)) => {
            if let Some(report) = &restored {
                // The reporter failed once already; this is a last try to say what the restore did.
                let _ = emit(
                    reporter,
                    Event::Note(restore_note(report, &config.safety.journal)),
                );
            }
            return Err(e);
        }
        Ok(Ok(interrupted)) => interrupted,
    };
    if let Some(report) = &restored {
        emit(
            reporter,
            Event::Note(restore_note(report, &config.safety.journal)),
        )?;
    }

    let comparison = tally.tracker.comparison();
    if !comparison.gone.is_empty() {
        emit(
            reporter,
            Event::Note(crate::report::stale_entries_note(&comparison.gone)),
        )?;
    }
    if tally.snapshots_written > 0 {
        emit(
            reporter,
            Event::Note(format!(
                "wrote {} pending snapshot(s) under {}; review them with `conform snapshots review` (or `cargo insta review`)",
                tally.snapshots_written,
                config.snapshot_dir.display()
            )),
        )?;
    }
    emit(
        reporter,
        Event::RunFinished {
            summary: tally.summary.clone(),
            elapsed: started.elapsed(),
            interrupted,
        },
    )?;
    reporter.finish().map_err(RunError::Report)?;
    if let Some(handle) = target.embedded {
        handle.shutdown().await;
    }
    Ok(RunOutcome {
        summary: tally.summary,
        new_deviations: tally.tracker.new_deviations(),
        updated_baseline: tally.tracker.updated(),
        gone: comparison.gone,
        snapshots_written: tally.snapshots_written,
        interrupted,
        restore: restored,
    })
}

/// Says that a target is treated as real, at what rate, and which selected operations are left out.
fn real_notes(
    config: &RunConfig,
    target: &Target,
    blocked: &Blocked,
    selection: &Selection,
    reporter: &mut dyn Reporter,
) -> Result<(), RunError> {
    let rate = config.rate.unwrap_or(REAL_DEFAULT_RATE);
    emit(
        reporter,
        Event::Note(format!(
            "{} is treated as real AWS{}: at most {rate} request(s) per second{}",
            target.label,
            if config.endpoint.is_some()
                && config.safety.target_kind == crate::safety::TargetKind::Auto
            {
                " (it is not on loopback; --target-kind emulator says otherwise)"
            } else {
                ""
            },
            if rate == REAL_DEFAULT_RATE {
                " (raise with --rate)"
            } else {
                ""
            },
        )),
    )?;
    let left_out = blocked.explain(selection.selected.iter().map(String::as_str));
    if !left_out.is_empty() {
        emit(
            reporter,
            Event::Note(format!(
                "left out on a real target: {}",
                left_out.join("; ")
            )),
        )?;
    }
    Ok(())
}

/// For one case or scenario (`conform replay`): refuses operations the safety rules leave out on a real target,
/// and records what the others can change. The caller puts it back with [`put_back`], holding the lock until then.
pub async fn prepare_one(
    specs: &SpecSet,
    config: &RunConfig,
    client: &Client,
    operations: &[&str],
    reporter: &mut dyn Reporter,
) -> Result<Option<(Journal, crate::safety::lock::RunLock)>, RunError> {
    let real = config.real();
    let blocked = config.safety.blocked(specs, real);
    if let Some(line) = blocked.explain(operations.iter().copied()).first() {
        return Err(RunError::Config(format!(
            "failed to send to a real target: {line}"
        )));
    }
    if !real {
        return Ok(None);
    }
    let changing: Vec<&str> = operations
        .iter()
        .copied()
        .filter(|name| specs.operation(name).is_some_and(|(_, op)| op.mutates))
        .collect();
    let restores = restore::plan(specs, &changing);
    if restores.is_empty() {
        return Ok(None);
    }
    let lock = lock_real(&[config])?;
    Ok(record_state(client, config, &restores, reporter)
        .await?
        .map(|journal| (journal, lock)))
}

/// Takes the locks of a run about to change real targets (see [`crate::safety::lock`]), then refuses when an
/// earlier run's journal is still there: checked under the lock, so two runs cannot both find it absent.
fn lock_real(sides: &[&RunConfig]) -> Result<crate::safety::lock::RunLock, RunError> {
    let targets: Vec<(Option<&str>, &std::path::Path)> = sides
        .iter()
        .map(|side| (side.endpoint.as_deref(), side.safety.journal.as_path()))
        .collect();
    let lock = crate::safety::lock::lock_targets(&targets).map_err(RunError::Locked)?;
    if let Some(side) = sides.iter().find(|side| side.safety.journal.exists()) {
        return Err(RunError::JournalPending(side.safety.journal.clone()));
    }
    Ok(lock)
}

/// Records the state the restores cover and journals it before the first change; `None` when there is none.
async fn record_state(
    client: &Client,
    config: &RunConfig,
    restores: &[(&Service, &crate::spec::Restore)],
    reporter: &mut dyn Reporter,
) -> Result<Option<Journal>, RunError> {
    if restores.is_empty() {
        return Ok(None);
    }
    let journal = restore::record(
        client,
        &config.generation.fixtures,
        restores,
        config.region.clone(),
    )
    .await
    .map_err(RunError::Record)?;
    journal
        .save(&config.safety.journal)
        .map_err(RunError::Record)?;
    let pieces: Vec<String> = journal
        .entries
        .iter()
        .map(|e| {
            format!(
                "{}: {}",
                e.label,
                match e.recorded {
                    restore::Recorded::Present { .. } => "present",
                    restore::Recorded::Absent => "absent",
                }
            )
        })
        .collect();
    emit(
        reporter,
        Event::Note(format!(
            "recorded {} piece(s) of state of {} before the first change ({}); they are put back after the run, \
             and {} keeps them until then",
            journal.entries.len(),
            client.endpoint(),
            pieces.join("; "),
            config.safety.journal.display()
        )),
    )?;
    Ok(Some(journal))
}

/// Says what the restore did, and where the recording is when it is not complete.
pub fn restore_note(report: &RestoreReport, journal: &std::path::Path) -> String {
    if report.complete() {
        format!("{}; removed {}", report.summary(), journal.display())
    } else {
        format!(
            "{}; {} keeps the recording: fix the cause, then run `conform restore --journal {}`",
            report.summary(),
            journal.display(),
            journal.display()
        )
    }
}

/// Puts the recorded state back, and removes the journal when everything reads back as recorded.
pub async fn put_back(
    specs: &SpecSet,
    client: &Client,
    journal: &Journal,
    path: &std::path::Path,
) -> RestoreReport {
    let mut report = restore::restore(specs, client, journal).await;
    if report.complete()
        && let Err(e) = Journal::remove(path)
    {
        report.fates.push((
            path.display().to_string(),
            restore::Fate::Failed(format!("everything was put back, but {e}")),
        ));
    }
    report
}

/// What a run will send, after the selection flags and the safety rules: shared by the run and `--dry-run`.
pub struct Selection {
    /// The operations the generation flags select (before the safety rules).
    pub selected: Vec<String>,
    /// The documents' examples that may run.
    pub examples: Vec<generate::ExampleCase>,
    /// The scenario instances that may run.
    pub scenarios: Vec<scenario::Instance>,
    /// The selected operations the safety rules let run.
    pub runnable: Vec<String>,
    /// Whether generated single requests run at all (not with `--kind scenario` alone).
    pub single_requests: bool,
}

impl Selection {
    /// Applies the config's filters (partition included) and the blocked operations.
    pub fn new(specs: &SpecSet, config: &RunConfig, blocked: &Blocked) -> Self {
        let selected: Vec<String> = generate::selected_operations(specs, &config.generation)
            .unwrap_or_default()
            .into_iter()
            .map(|(_, op)| op.name.clone())
            .collect();
        let examples = generate::example_cases(specs, &config.generation)
            .into_iter()
            .filter(|e| {
                in_partition(&e.case.id, config.partition)
                    && blocked.allows(&e.case.operation)
                    && blocked.allows_all(e.setup.iter().map(|(op, _)| op.as_str()))
            })
            .collect();
        let scenarios = if config.scenarios {
            scenario::instances(specs, &config.generation, config.scenario_draws)
                .into_iter()
                .filter(|i| {
                    in_partition(&i.id, config.partition)
                        && blocked.allows_all(scenario_operations(specs, i))
                })
                .collect()
        } else {
            Vec::new()
        };
        let single_requests = config.generation.kinds.is_empty()
            || config
                .generation
                .kinds
                .iter()
                .any(|k| *k != CaseKind::Scenario);
        let runnable: Vec<String> = selected
            .iter()
            .filter(|op| blocked.allows(op))
            .cloned()
            .collect();
        Selection {
            single_requests: single_requests && !runnable.is_empty(),
            selected,
            examples,
            scenarios,
            runnable,
        }
    }

    /// The operations that will run and change state: what a restore must cover.
    pub fn changing_operations<'a>(&'a self, specs: &'a SpecSet) -> Vec<&'a str> {
        let mut ops: Vec<&str> = Vec::new();
        let mut add = |name: &'a str| {
            if !ops.contains(&name) {
                ops.push(name);
            }
        };
        if self.single_requests {
            self.runnable.iter().for_each(|op| add(op));
        }
        for example in &self.examples {
            add(&example.case.operation);
            example.setup.iter().for_each(|(op, _)| add(op));
        }
        for instance in &self.scenarios {
            scenario_operations(specs, instance).for_each(&mut add);
        }
        ops.retain(|name| specs.operation(name).is_some_and(|(_, op)| op.mutates));
        ops
    }
}

/// Every operation an instance's steps and cleanup call.
pub fn scenario_operations<'a>(
    specs: &'a SpecSet,
    instance: &scenario::Instance,
) -> impl Iterator<Item = &'a str> {
    specs.services[&instance.service]
        .scenarios
        .iter()
        .filter(|s| s.name == instance.scenario)
        .flat_map(|s| s.steps.iter().chain(&s.cleanup))
        .map(|step| step.operation.as_str())
}

fn emit(reporter: &mut dyn Reporter, event: Event) -> Result<(), RunError> {
    reporter.event(&event).map_err(RunError::Report)
}

/// Whether a case falls in partition `k` of `n`: by a stable hash of its id, so every job agrees.
pub fn in_partition(id: &str, partition: Option<(u64, u64)>) -> bool {
    match partition {
        None => true,
        Some((k, n)) => {
            use sha2::{Digest, Sha256};
            let digest = Sha256::digest(id.as_bytes());
            let bucket = u64::from_be_bytes(digest[..8].try_into().expect("8 bytes")) % n;
            bucket == k - 1
        }
    }
}

/// Whether a generated case runs in the single-request phase (examples run in their own phase, with setup).
fn runs_as_single_request(case: &Case, config: &RunConfig, blocked: &Blocked) -> bool {
    case.mutation
        .as_ref()
        .is_none_or(|m| m.class != generate::EXAMPLE_CLASS)
        && blocked.allows(&case.operation)
        && in_partition(&case.id, config.partition)
}

/// How many cases each phase of a run will have, for progress. The generator runs once more to count the single
/// requests: it sends nothing and costs a fraction of the run (`conform bench generate`).
fn phase_totals(
    specs: &SpecSet,
    config: &RunConfig,
    selection: &Selection,
    blocked: &Blocked,
) -> Vec<(crate::report::Phase, u64)> {
    use crate::report::Phase;
    let mut phases = Vec::new();
    if !selection.examples.is_empty() {
        phases.push((Phase::Examples, selection.examples.len() as u64));
    }
    if selection.single_requests {
        let count = generate::generate(specs, &config.generation)
            .filter(|case| runs_as_single_request(case, config, blocked))
            .count();
        phases.push((Phase::SingleRequests, count as u64));
    }
    if !selection.scenarios.is_empty() {
        phases.push((Phase::Scenarios, selection.scenarios.len() as u64));
    }
    phases
}

struct Tally {
    summary: Summary,
    tracker: BaselineTracker,
    snapshots_written: usize,
}

impl Tally {
    fn finish(
        &mut self,
        mut result: CaseResult,
        reporter: &mut dyn Reporter,
    ) -> Result<(), RunError> {
        self.tracker.observe(&mut result);
        crate::report::cap_bodies(&mut result);
        self.summary.add(&result);
        emit(reporter, Event::CaseFinished(Box::new(result)))
    }
}

struct CaseRunner<'a> {
    specs: &'a SpecSet,
    config: &'a RunConfig,
    client: &'a Client,
    target: &'a Target,
    store: SnapshotStore,
    selection: &'a Selection,
    blocked: &'a Blocked,
    /// On Ctrl-C, let the requests in flight finish (within the timeout) before returning: a restore must not
    /// race a change still on its way to the target.
    drain: bool,
}

/// Ctrl-C, or SIGTERM (what CI systems send to cancel a job): both stop a run the same way.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

impl CaseRunner<'_> {
    /// The three phases; true when Ctrl-C stopped them.
    async fn run_phases(
        &self,
        tally: &mut Tally,
        reporter: &mut dyn Reporter,
    ) -> Result<bool, RunError> {
        let stop = stop_signal();
        tokio::pin!(stop);

        // 1. Examples, each after its setup calls.
        for example in &self.selection.examples {
            let done = async {
                let (service, _) = self
                    .specs
                    .operation(&example.case.operation)
                    .expect("generated from these specs");
                for (operation, request) in &example.setup {
                    let setup = Case {
                        id: format!("{}-setup", example.case.id),
                        service: service.name.clone(),
                        operation: operation.clone(),
                        kind: CaseKind::Valid,
                        mutation: None,
                        request: request.clone(),
                        signing: Signing::Valid,
                        expected: example.case.expected.clone(),
                    };
                    // The example's own check says whether the state it needed was there.
                    let _ = self.client.send(service, &setup).await;
                }
                self.run_case(example.case.clone()).await
            };
            tokio::pin!(done);
            let (result, written) = tokio::select! {
                finished = &mut done => finished,
                _ = &mut stop => return self.finish_in_flight(done, tally, reporter).await,
            };
            tally.snapshots_written += written;
            tally.finish(result, reporter)?;
        }

        // 2. Generated cases, concurrently.
        if self.selection.single_requests {
            let stopping = std::sync::atomic::AtomicBool::new(false);
            let cases = generate::generate(self.specs, &self.config.generation)
                .filter(|case| runs_as_single_request(case, self.config, self.blocked))
                // Once stopping, no new case starts; those in flight finish.
                .take_while(|_| !stopping.load(std::sync::atomic::Ordering::Relaxed));
            let mut results = futures::stream::iter(cases)
                .map(|case| self.run_case(case))
                .buffer_unordered(self.config.concurrency.max(1));
            let mut deadline: Option<std::pin::Pin<Box<tokio::time::Sleep>>> = None;
            loop {
                tokio::select! {
                    next = results.next() => match next {
                        Some((result, written)) => {
                            tally.snapshots_written += written;
                            tally.finish(result, reporter)?;
                        }
                        None => break,
                    },
                    _ = &mut stop => {
                        // A second signal while draining stops at once.
                        if !self.drain || deadline.is_some() {
                            return Ok(true);
                        }
                        stopping.store(true, std::sync::atomic::Ordering::Relaxed);
                        emit(reporter, self.draining_note())?;
                        stop.set(stop_signal());
                        deadline = Some(Box::pin(tokio::time::sleep(self.config.timeout)));
                    }
                    _ = async { deadline.as_mut().expect("guarded").await }, if deadline.is_some() => return Ok(true),
                }
            }
            if deadline.is_some() {
                return Ok(true);
            }
        }

        // 3. Scenarios, one at a time: each sets up and cleans up the state it tests.
        for instance in &self.selection.scenarios {
            let done = self.run_scenario(instance);
            tokio::pin!(done);
            let (result, written) = tokio::select! {
                finished = &mut done => finished,
                _ = &mut stop => return self.finish_in_flight(done, tally, reporter).await,
            };
            tally.snapshots_written += written;
            tally.finish(result, reporter)?;
        }
        Ok(false)
    }

    /// What a stop signal does when a restore follows.
    fn draining_note(&self) -> Event {
        Event::Note(format!(
            "stopping: letting the requests in flight finish (at most {} s) before the state is put back",
            self.config.timeout.as_secs_f64().ceil()
        ))
    }

    /// After a stop signal in a serial phase: when a restore follows, lets the example or scenario under way
    /// finish (within the timeout, or until a second signal) so that none of its requests lands after the restore.
    async fn finish_in_flight(
        &self,
        done: std::pin::Pin<&mut impl std::future::Future<Output = (CaseResult, usize)>>,
        tally: &mut Tally,
        reporter: &mut dyn Reporter,
    ) -> Result<bool, RunError> {
        if !self.drain {
            return Ok(true);
        }
        emit(reporter, self.draining_note())?;
        tokio::select! {
            finished = tokio::time::timeout(self.config.timeout, done) => {
                if let Ok((result, written)) = finished {
                    tally.snapshots_written += written;
                    tally.finish(result, reporter)?;
                }
            }
            _ = stop_signal() => {}
        }
        Ok(true)
    }

    /// Sends one case, checks it, compares its snapshot, shrinks it if it deviates.
    async fn run_case(&self, case: Case) -> (CaseResult, usize) {
        let (service, op) = self
            .specs
            .operation(&case.operation)
            .expect("cases come from these specs");
        let sent = self.client.send(service, &case).await;
        let mut result = self.judge(service, op, &case, &sent);
        let mut written = 0;
        if let Ok(exchange) = &sent
            && snapshotted(op, &case)
        {
            let (check, count) =
                self.snapshot(service, &case.id, &case.request, &exchange.response);
            written = count;
            if let Some(check) = check {
                result.checks.push(check);
                result.classify();
                if !result.passed && result.reproduce.curl.is_empty() {
                    result.reproduce.curl =
                        curl_command(&exchange.request, &self.target.endpoint, &sensitive_of(op));
                }
            }
        }
        if result.deviation && self.config.shrink {
            result.shrunk = self.shrink(service, op, &case, &result).await;
        }
        (result, written)
    }

    /// Checks one exchange and builds its result.
    fn judge(
        &self,
        service: &Service,
        op: &Operation,
        case: &Case,
        sent: &Result<crate::client::Exchange, TransportError>,
    ) -> CaseResult {
        let sensitive = sensitive_of(op);
        let request = sent.as_ref().map_or(&case.request, |e| &e.request);
        // The curl command is only for results that did not pass: building it (masking included) for every
        // passing case cost a seventh of the runner's CPU and most of a large JSON report.
        let reproduce = Reproduce {
            curl: String::new(),
            replay: replay_command(&case.id, self.config),
        };
        let mut result = match sent {
            Ok(exchange) => {
                let checks = run_checks(service, op, case, &exchange.response, &self.config.checks);
                CaseResult::new(
                    case,
                    service.protocol,
                    Ok(&exchange.response),
                    checks,
                    exchange.retries,
                    reproduce,
                )
            }
            Err(e) => CaseResult::new(
                case,
                service.protocol,
                Err(e.to_string()),
                Vec::new(),
                0,
                reproduce,
            ),
        };
        if !result.passed {
            result.reproduce.curl = curl_command(request, &self.target.endpoint, &sensitive);
        }
        result
    }

    /// Verifies or updates the snapshot of a response: the `snapshot` check it yields (none when snapshots are off
    /// or the case has none yet), and the number of pending snapshots written.
    fn snapshot(
        &self,
        service: &Service,
        id: &str,
        request: &crate::case::WireRequest,
        response: &crate::case::WireResponse,
    ) -> (Option<CheckResult>, usize) {
        if self.config.snapshots == SnapshotMode::Off
            || !self.config.checks.contains(&CheckName::Snapshot)
        {
            return (None, 0);
        }
        let error_type = normalise_error_type(service.protocol, response);
        let sensitive = sensitive_names(service);
        let contents = normalise(
            response,
            error_type.as_deref(),
            &service.snapshots,
            id,
            &sensitive,
        );
        let path = self.store.path_for(&service.name, id);
        let check = |passed: bool, message: String| CheckResult {
            check: CheckName::Snapshot,
            passed,
            uncertain: false,
            expected: path.display().to_string(),
            actual: if passed {
                "the same".into()
            } else {
                "different".into()
            },
            message,
        };
        match self.config.snapshots {
            SnapshotMode::Off => (None, 0),
            SnapshotMode::Verify => {
                let verdict = match self.store.verify(&service.name, id, &contents) {
                    Ok(Verdict::Match) => Some(check(true, "matches its snapshot".into())),
                    Ok(Verdict::Mismatch(diff)) => {
                        Some(check(false, format!("differs from its snapshot:\n{diff}")))
                    }
                    // A case without a snapshot has nothing to compare against; `--snapshots update` records it.
                    Ok(Verdict::Missing) => None,
                    Err(e) => Some(check(false, e.to_string())),
                };
                (verdict, 0)
            }
            SnapshotMode::Update => {
                // The header shows the request; sensitive members are masked there as everywhere.
                let recording = Recording {
                    target: self.target.label.clone(),
                    seed: self.config.generation.seed,
                    request: format!(
                        "{} {} {}",
                        request.method,
                        request.path,
                        crate::client::mask_body(&request.body, &sensitive)
                    ),
                };
                match self.store.update(&service.name, id, &contents, &recording) {
                    Ok(crate::snapshot::Update::Unchanged) => (None, 0),
                    Ok(_) => (None, 1),
                    Err(e) => (Some(check(false, e.to_string())), 0),
                }
            }
        }
    }

    /// Walks the case's value tree toward simpler cases that fail the same way: the same failed checks and the same
    /// actual error type. A bounded number of requests, so that a flaky target cannot keep it going.
    async fn shrink(
        &self,
        service: &Service,
        op: &Operation,
        case: &Case,
        failing: &CaseResult,
    ) -> Option<ShrunkCase> {
        const MAX_STEPS: usize = 64;
        let mut tree = generate::shrink(self.specs, &self.config.generation, case)?;
        let signature = failure_signature(failing);
        let mut best: Option<Case> = None;
        let mut steps = 0;
        if !tree.simplify() {
            return None;
        }
        while steps < MAX_STEPS {
            steps += 1;
            let candidate = tree.current();
            let sent = self.client.send(service, &candidate).await;
            let result = self.judge(service, op, &candidate, &sent);
            let moved = if result.deviation && failure_signature(&result) == signature {
                best = Some(candidate);
                tree.simplify()
            } else {
                tree.complicate()
            };
            if !moved {
                break;
            }
        }
        best.map(|c| ShrunkCase {
            id: c.id.clone(),
            mutation: c.mutation.clone(),
            body: c.request.body.clone(),
        })
    }

    /// Runs one scenario instance (shrinking its draws if it fails) and turns it into a report result.
    async fn run_scenario(&self, instance: &scenario::Instance) -> (CaseResult, usize) {
        let outcome = scenario::execute(
            self.specs,
            self.client,
            &self.config.generation.fixtures,
            instance,
        )
        .await;
        let mut written = 0;
        let service = &self.specs.services[&instance.service];
        for step in &outcome.steps {
            if let (Some(request), Some(response), true) =
                (&step.request, &step.response, step.snapshot)
            {
                let id = format!("{}-{}", instance.id, step.name);
                let (check, count) = self.snapshot(service, &id, request, response);
                written += count;
                if let Some(check) = check.filter(|c| !c.passed) {
                    return (self.with_check(&outcome, check), written);
                }
            }
        }
        let mut result = scenario_result(&outcome, self.config, &self.target.endpoint);
        if result.deviation && self.config.shrink {
            result.shrunk = self.shrink_scenario(instance, &outcome).await;
        }
        (result, written)
    }

    fn with_check(&self, outcome: &scenario::Outcome, check: CheckResult) -> CaseResult {
        let mut result = scenario_result(outcome, self.config, &self.target.endpoint);
        result.checks.push(check);
        result.classify();
        result
    }

    /// Tries simpler draws for a failing scenario, keeping those that fail at the same step for the same reason.
    async fn shrink_scenario(
        &self,
        instance: &scenario::Instance,
        failing: &scenario::Outcome,
    ) -> Option<ShrunkCase> {
        const MAX_RUNS: usize = 24;
        let same = |o: &scenario::Outcome| {
            o.failing()
                .map(|s| (s.name.clone(), s.problem_class().map(str::to_string)))
                == failing
                    .failing()
                    .map(|s| (s.name.clone(), s.problem_class().map(str::to_string)))
        };
        let mut current = instance.clone();
        let mut improved = false;
        let mut runs = 0;
        for name in instance.draws.keys().cloned().collect::<Vec<_>>() {
            let Some(mut tree) =
                generate::shrink(self.specs, &self.config.generation, &current.draws[&name])
            else {
                continue;
            };
            if !tree.simplify() {
                continue;
            }
            while runs < MAX_RUNS {
                runs += 1;
                let mut candidate = current.clone();
                candidate.draws.insert(name.clone(), tree.current());
                let outcome = scenario::execute(
                    self.specs,
                    self.client,
                    &self.config.generation.fixtures,
                    &candidate,
                )
                .await;
                let moved = if !outcome.passed() && same(&outcome) {
                    current = candidate;
                    improved = true;
                    tree.simplify()
                } else {
                    tree.complicate()
                };
                if !moved {
                    break;
                }
            }
        }
        improved.then(|| ShrunkCase {
            id: current.id.clone(),
            mutation: None,
            body: current
                .draws
                .iter()
                .map(|(k, c)| format!("{k}: {}", c.request.body))
                .collect::<Vec<_>>()
                .join("\n"),
        })
    }
}

/// The operation's sensitive input members, masked in curl commands.
pub fn sensitive_of(op: &Operation) -> Vec<&str> {
    op.input
        .iter()
        .filter(|m| m.sensitive)
        .map(|m| m.name.as_str())
        .collect()
}

/// Which cases are snapshotted: those whose response does not depend on what other cases did to the target's
/// state — errors, and successes of operations that return nothing — and the documents' examples; and of each
/// class and member only the first (`-0`), since the draws after it take the same path with other values.
fn snapshotted(op: &Operation, case: &Case) -> bool {
    let single = case.expected.accept.len() == 1;
    let error = case.expected.accept.iter().all(|o| o.error_type.is_some());
    let is_random = case.id.contains("-random-");
    single && !is_random && case.id.ends_with("-0") && (error || op.output.is_empty())
}

/// The names of a service's sensitive members, inputs and outputs at any depth.
fn sensitive_names(service: &Service) -> Vec<&str> {
    fn walk<'a>(members: &'a [crate::spec::Member], out: &mut Vec<&'a str>) {
        for m in members {
            if m.sensitive {
                out.push(m.name.as_str());
            }
            match &m.shape.kind {
                crate::spec::ShapeKind::Structure(inner) => walk(inner, out),
                crate::spec::ShapeKind::List(item) => {
                    if let crate::spec::ShapeKind::Structure(inner) = &item.kind {
                        walk(inner, out)
                    }
                }
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    for op in service.operations.values() {
        walk(&op.input, &mut out);
        walk(&op.output, &mut out);
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// A scenario outcome as a report result: kind `scenario`, the failing step named in the mutation.
fn scenario_result(outcome: &scenario::Outcome, config: &RunConfig, endpoint: &str) -> CaseResult {
    let failing = outcome.failing();
    let step = failing.or(outcome.steps.last());
    let (operation, expected) = match step {
        Some(s) => (s.operation.clone(), s.expected.clone()),
        None => (
            String::new(),
            crate::case::Expected {
                accept: vec![],
                uncertain: false,
                note: None,
            },
        ),
    };
    let case = Case {
        id: outcome.instance.id.clone(),
        service: outcome.instance.service.clone(),
        operation,
        kind: CaseKind::Scenario,
        mutation: Some(outcome.mutation()),
        request: step
            .and_then(|s| s.request.clone())
            .unwrap_or(crate::case::WireRequest {
                method: String::new(),
                path: String::new(),
                headers: vec![],
                body: String::new(),
            }),
        signing: Signing::Valid,
        expected: crate::case::Expected {
            uncertain: outcome.uncertain,
            ..expected
        },
    };
    let checks = match failing {
        Some(s) => vec![CheckResult {
            check: CheckName::State,
            passed: false,
            uncertain: outcome.uncertain,
            expected: s.expected_text(),
            actual: s.actual_text(),
            message: format!(
                "step `{}` ({}): {}",
                s.name,
                s.operation,
                s.problem.as_deref().unwrap_or("")
            ),
        }],
        None if outcome.transport_error.is_none() => vec![CheckResult {
            check: CheckName::State,
            passed: true,
            uncertain: false,
            expected: "every step as specified".into(),
            actual: "every step as specified".into(),
            message: format!("{} steps passed", outcome.steps.len()),
        }],
        None => vec![],
    };
    let reproduce = Reproduce {
        curl: match &case.request.method[..] {
            "" => String::new(),
            _ => curl_command(&case.request, endpoint, &[]),
        },
        replay: replay_command(&outcome.instance.id, config),
    };
    let response = match (
        &outcome.transport_error,
        step.and_then(|s| s.response.as_ref()),
    ) {
        (Some(e), _) => Err(e.clone()),
        (None, Some(r)) => Ok(r),
        (None, None) => Err("the scenario sent nothing".to_string()),
    };
    let mut result = CaseResult::new(
        &case,
        crate::spec::Protocol::RestJson1,
        response,
        checks,
        0,
        reproduce,
    );
    if let Some(s) = step {
        result.actual = s
            .actual
            .clone()
            .map(|(status, error_type)| crate::report::Actual { status, error_type });
    }
    result
}

/// What "the same failure" means when shrinking: which checks failed, and the error type that came back.
fn failure_signature(result: &CaseResult) -> (Vec<CheckName>, Option<String>) {
    let mut checks: Vec<CheckName> = result
        .checks
        .iter()
        .filter(|c| c.is_deviation())
        .map(|c| c.check)
        .collect();
    checks.sort();
    (
        checks,
        result.actual.as_ref().and_then(|a| a.error_type.clone()),
    )
}

/// The command that sends a case again: same id, seed, draws, target and fixtures.
fn replay_command(id: &str, config: &RunConfig) -> String {
    let mut command = format!(
        "conform replay {id} --seed {} --cases {}",
        config.generation.seed, config.generation.cases
    );
    match &config.endpoint {
        Some(endpoint) => command.push_str(&format!(" --endpoint {endpoint}")),
        None => {
            for fault in &config.embedded_faults {
                command.push_str(&format!(" --embedded-fault {fault}"));
            }
        }
    }
    for (key, value) in config.generation.fixtures.overrides() {
        command.push_str(&format!(" --fixture {key}={value}"));
    }
    match config.safety.target_kind {
        crate::safety::TargetKind::Auto => {}
        crate::safety::TargetKind::Real => command.push_str(" --target-kind real"),
        crate::safety::TargetKind::Emulator => command.push_str(" --target-kind emulator"),
    }
    if config.safety.allow_mutations {
        command.push_str(" --allow-mutations");
    }
    for op in &config.safety.include {
        command.push_str(&format!(" --include {op}"));
    }
    command
}

/// Fires the same cases and scenarios, in the same order, at two targets and reports every difference in status,
/// error type and normalised body (the snapshot normalisation: same redactions, sensitive members masked).
///
/// Cases run one at a time so that both targets see the same sequence and state-dependent answers stay comparable.
/// `config.endpoint` (or the embedded target) is A; `against` is B.
pub async fn diff(
    specs: Arc<SpecSet>,
    mut config: RunConfig,
    mut against: RunConfig,
    reporter: &mut dyn Reporter,
) -> Result<RunOutcome, RunError> {
    let (real_a, real_b) = (config.real(), against.real());
    for (real, side) in [(real_a, &mut config), (real_b, &mut against)] {
        if real && side.rate.is_none() {
            side.rate = Some(REAL_DEFAULT_RATE);
        }
    }
    // What may not run on either side runs on neither: a parity comparison needs the same sequence on both.
    let mut blocked = config.safety.blocked(&specs, real_a);
    blocked.0.extend(against.safety.blocked(&specs, real_b).0);
    let selection = Selection::new(&specs, &config, &blocked);
    let changing = selection.changing_operations(&specs);
    let plan_for = |real: bool| {
        if real {
            restore::plan(&specs, &changing)
        } else {
            Vec::new()
        }
    };
    let restores_a = plan_for(real_a);
    let restores_b = plan_for(real_b);
    let changed: Vec<&RunConfig> = [(&restores_a, &config), (&restores_b, &against)]
        .into_iter()
        .filter(|(restores, _)| !restores.is_empty())
        .map(|(_, side)| side)
        .collect();
    // Held until both are put back.
    let _lock = if changed.is_empty() {
        None
    } else {
        Some(lock_real(&changed)?)
    };
    let target_a = start_target(&specs, &config).await?;
    let target_b = start_target(&specs, &against).await?;
    let client_a = client_for(&target_a, &config, reporter).await?;
    let client_b = client_for(&target_b, &against, reporter).await?;
    if real_a {
        real_notes(&config, &target_a, &blocked, &selection, reporter)?;
    }
    if real_b {
        real_notes(&against, &target_b, &blocked, &selection, reporter)?;
    }
    let journal_a = record_state(&client_a, &config, &restores_a, reporter).await?;
    let journal_b = match record_state(&client_b, &against, &restores_b, reporter).await {
        Ok(journal) => journal,
        Err(e) => {
            // A is recorded (and unchanged); drop its journal rather than leave a false alarm behind.
            if journal_a.is_some() {
                let _ = Journal::remove(&config.safety.journal);
            }
            return Err(e);
        }
    };
    let started = Instant::now();
    emit(
        reporter,
        Event::RunStarted {
            seed: config.generation.seed,
            target: format!("{} against {}", target_a.label, target_b.label),
            total: None,
            phases: Vec::new(),
        },
    )?;
    let mut tally = Tally {
        summary: Summary::default(),
        tracker: BaselineTracker::new(config.baseline.clone()),
        snapshots_written: 0,
    };
    let compared = {
        use futures::FutureExt;
        let compare_all = async {
            let stop = stop_signal();
            tokio::pin!(stop);
            let cases = generate::generate(&specs, &config.generation)
                .filter(|case| {
                    selection.single_requests
                        && blocked.allows(&case.operation)
                        && in_partition(&case.id, config.partition)
                })
                .map(Item::Case);
            let instances = selection.scenarios.iter().cloned().map(Item::Scenario);
            for item in cases.chain(instances) {
                let compare = async {
                    match &item {
                        Item::Case(case) => {
                            let (service, op) = specs
                                .operation(&case.operation)
                                .expect("generated from these specs");
                            let a = client_a.send(service, case).await;
                            let b = client_b.send(service, case).await;
                            parity_result(service, op, case, &config, &target_a, a, b)
                        }
                        Item::Scenario(instance) => {
                            let a = scenario::execute(
                                &specs,
                                &client_a,
                                &config.generation.fixtures,
                                instance,
                            )
                            .await;
                            let b = scenario::execute(
                                &specs,
                                &client_b,
                                &config.generation.fixtures,
                                instance,
                            )
                            .await;
                            scenario_parity(&specs, &a, &b, &config, &target_a)
                        }
                    }
                };
                tokio::select! {
                    result = compare => tally.finish(result, reporter)?,
                    _ = &mut stop => return Ok(true),
                }
            }
            Ok(false)
        };
        std::panic::AssertUnwindSafe(compare_all)
            .catch_unwind()
            .await
    };
    let mut restored: Option<RestoreReport> = None;
    for (journal, client, side) in [
        (&journal_a, &client_a, &config),
        (&journal_b, &client_b, &against),
    ] {
        if let Some(journal) = journal {
            let report = put_back(&specs, client, journal, &side.safety.journal).await;
            let _ = emit(
                reporter,
                Event::Note(restore_note(&report, &side.safety.journal)),
            );
            restored
                .get_or_insert_with(RestoreReport::default)
                .fates
                .extend(report.fates);
        }
    }
    let interrupted = match compared {
        Err(panic) => {
            return Err(RunError::Crashed {
                why: panic_message(panic),
                restore: restored,
            });
        }
        Ok(Err(e)) => return Err(e),
        Ok(Ok(interrupted)) => interrupted,
    };
    emit(
        reporter,
        Event::RunFinished {
            summary: tally.summary.clone(),
            elapsed: started.elapsed(),
            interrupted,
        },
    )?;
    reporter.finish().map_err(RunError::Report)?;
    Ok(RunOutcome {
        summary: tally.summary,
        new_deviations: tally.tracker.new_deviations(),
        updated_baseline: tally.tracker.updated(),
        gone: Vec::new(),
        snapshots_written: 0,
        interrupted,
        restore: restored,
    })
}

/// The message a panic carried.
fn panic_message(panic: Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "a panic without a message".to_string())
}

enum Item {
    Case(Case),
    Scenario(scenario::Instance),
}

/// The normalised text of an exchange, or the transport error, for comparison.
fn normalised(
    service: &Service,
    id: &str,
    sent: &Result<crate::client::Exchange, TransportError>,
) -> String {
    match sent {
        Ok(exchange) => {
            let error_type = normalise_error_type(service.protocol, &exchange.response);
            normalise(
                &exchange.response,
                error_type.as_deref(),
                &service.snapshots,
                id,
                &sensitive_names(service),
            )
        }
        Err(e) => format!("no response: {}", e.kind()),
    }
}

fn parity_check(a: &str, b: &str, what: &str) -> CheckResult {
    let same = a == b;
    CheckResult {
        check: CheckName::Parity,
        passed: same,
        uncertain: false,
        expected: "the same answer from both targets".into(),
        actual: if same {
            "the same".into()
        } else {
            "different".into()
        },
        message: if same {
            format!("{what}: both targets answered alike")
        } else {
            format!(
                "{what}: the targets differ:\n{}",
                similar::TextDiff::from_lines(a, b)
                    .unified_diff()
                    .context_radius(3)
                    .header("A", "B")
            )
        },
    }
}

fn parity_result(
    service: &Service,
    op: &Operation,
    case: &Case,
    config: &RunConfig,
    target_a: &Target,
    a: Result<crate::client::Exchange, TransportError>,
    b: Result<crate::client::Exchange, TransportError>,
) -> CaseResult {
    let check = parity_check(
        &normalised(service, &case.id, &a),
        &normalised(service, &case.id, &b),
        "response",
    );
    let sensitive: Vec<&str> = op
        .input
        .iter()
        .filter(|m| m.sensitive)
        .map(|m| m.name.as_str())
        .collect();
    let reproduce = Reproduce {
        curl: curl_command(&case.request, &target_a.endpoint, &sensitive),
        replay: replay_command(&case.id, config),
    };
    let response = match &a {
        Ok(e) => Ok(&e.response),
        Err(e) => Err(e.to_string()),
    };
    CaseResult::new(case, service.protocol, response, vec![check], 0, reproduce)
}

fn scenario_parity(
    specs: &SpecSet,
    a: &scenario::Outcome,
    b: &scenario::Outcome,
    config: &RunConfig,
    target_a: &Target,
) -> CaseResult {
    let service = &specs.services[&a.instance.service];
    let text = |o: &scenario::Outcome| -> String {
        o.steps
            .iter()
            .map(|s| {
                let body = match (&s.response, &s.request) {
                    (Some(r), _) => {
                        let error_type = normalise_error_type(service.protocol, r);
                        normalise(
                            r,
                            error_type.as_deref(),
                            &service.snapshots,
                            &o.instance.id,
                            &sensitive_names(service),
                        )
                    }
                    _ => "no response\n".to_string(),
                };
                format!(
                    "== step {}{} ({})\n{body}",
                    if s.cleanup { "cleanup " } else { "" },
                    s.name,
                    s.operation
                )
            })
            .collect()
    };
    let mut result = scenario_result(a, config, &target_a.endpoint);
    result.checks = vec![parity_check(&text(a), &text(b), "scenario")];
    result.expected.uncertain = false;
    result.classify();
    result
}
