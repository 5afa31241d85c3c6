//! A run's phases and the execution of one case: send, check, snapshot, shrink, redact, report.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use futures::StreamExt;

use super::lanes::Lanes;
use super::session::{Session, guarded};
use super::{
    RunConfig, RunError, RunOutcome, Selection, emit, replay_command, scenario_operations,
};
use crate::case::{Case, CaseClass, CaseKind, Signing};
use crate::check::{
    CheckName, CheckResult, EXPECTED_IMPLEMENTED, EXPECTED_NO_CRASH, Reading, error_type_of,
    run_checks,
};
use crate::client::{Client, CurlSigning, Exchange, TransportError, curl_command};
use crate::generate;
use crate::model::json_form::to_plain_json;
use crate::model::{Model, Operation, Service, Value};
use crate::oracle::Expected;
use crate::protocol::{self, HttpRequest, HttpResponse};
use crate::report::{
    BaselineKey, BaselineTracker, CaseResult, Event, Reporter, Reproduce, RunOrigin, ShrunkCase,
    Stopped, Summary,
};
use crate::scenario;
use crate::snapshot::{Normalising, Recording, SnapshotMode, SnapshotStore, Verdict, normalise};

/// What the probes found: the cases already sent, and the operations the target does not implement.
#[derive(Debug, Default)]
struct Probed {
    ids: std::collections::HashSet<String>,
    missing: std::collections::HashSet<(String, String)>,
    /// Operations that crash on every valid request or are missing: the probes cannot tell which.
    crash_or_missing: std::collections::HashSet<(String, String)>,
}

impl Probed {
    /// Whether a case still has to be sent: not a probe, and of an operation the target implements.
    fn still_to_send(&self, case: &Case) -> bool {
        !self.ids.contains(&case.id) && !self.left_out(&case.service, &case.operation)
    }

    /// Whether the probes left the operation out: missing, or failing every valid request.
    fn left_out(&self, service: &str, operation: &str) -> bool {
        let key = (service.to_string(), operation.to_string());
        self.missing.contains(&key) || self.crash_or_missing.contains(&key)
    }
}

/// How many characters of a response body a result keeps.
const BODY_EXCERPT_CHARS: usize = crate::report::BODY_EXCERPT_CHARS;

/// Runs the cases the config selects and reports them; returns when every case ran, or Ctrl-C, SIGTERM, the
/// deadline (`max_time`) or a persistently throttling target stopped the run.
///
/// On a real target, operations the safety rules leave out are not run, requests go at a low rate unless
/// `rate` is set, and the state the running operations can change is recorded (and journaled) before the first
/// case and put back after the last, also when Ctrl-C, SIGTERM or a crash of conform ends the run early.
pub async fn run(
    model: Arc<Model>,
    mut config: RunConfig,
    reporter: &mut dyn Reporter,
) -> Result<RunOutcome, RunError> {
    let deadline = config.max_time.map(|limit| (Instant::now() + limit, limit));
    let services = super::selected_services(&model, &config);
    let region_note = super::settle_region(&model, &mut config, &services)?;
    let real = config.real();
    let blocked = config.safety.blocked(&model, real);
    let selection = Selection::new(&model, &config, &blocked);
    if real && selection.is_empty() {
        let lines = blocked.explain(selection.selected.iter().map(String::as_str));
        return Err(RunError::Config(format!(
            "failed to start on a real target: every selected operation is left out ({})",
            lines.join("; ")
        )));
    }
    let changing = selection.changing_operations(&model);
    let session = Session::open(&model, &config, &changing, reporter).await?;
    if let Some(note) = region_note {
        emit(reporter, &session.redactor, Event::Note(note))?;
    }
    session.real_notes(&config, &blocked, &selection, reporter)?;
    let redactor = Arc::clone(&session.redactor);
    let started = Instant::now();
    let mut tally = Tally {
        summary: Summary::default(),
        tracker: BaselineTracker::new(config.baseline.clone()),
        snapshots_written: 0,
    };
    let runner = CaseRunner {
        model: &model,
        shared_model: Arc::clone(&model),
        config: &config,
        session: &session,
        store: SnapshotStore::new(&config.snapshot_dir),
        selection: &selection,
        blocked: &blocked,
        drain: session.records(),
        stops: Stops::new(deadline, vec![session.client.clone()]),
        lanes: Lanes::new(&model),
        permits: tokio::sync::Semaphore::new(config.concurrency.max(1)),
        shrunk_kinds: ShrunkKinds::default(),
    };
    let phases = async {
        let phases = phase_totals(&model, &config, &selection, &blocked);
        emit(
            reporter,
            &redactor,
            Event::RunStarted {
                seed: config.generation.seed,
                target: session.target.label.clone(),
                total: Some(phases.iter().map(|(_, n)| n).sum()),
                phases,
                origin: RunOrigin::new(super::run_digest(&model, &config), config.partition_id()),
            },
        )?;
        runner.run_phases(&mut tally, reporter).await
    };
    // The body borrows the session; the guard closes it after, so the body runs first and the close follows.
    let outcome = {
        use futures::FutureExt;
        std::panic::AssertUnwindSafe(phases).catch_unwind().await
    };
    drop(runner);
    let (stopped, restored) = guarded(&model, vec![session], reporter, async {
        match outcome {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(result) => result,
        }
    })
    .await?;

    let comparison = tally.tracker.comparison();
    if !comparison.gone.is_empty() {
        emit(
            reporter,
            &redactor,
            Event::Note(crate::report::stale_entries_note(&comparison.gone)),
        )?;
    }
    if tally.snapshots_written > 0 {
        emit(
            reporter,
            &redactor,
            Event::Note(format!(
                "wrote {} pending snapshot(s) under {}; review them with `conform snapshots review` (or `cargo insta review`)",
                tally.snapshots_written,
                config.snapshot_dir.display()
            )),
        )?;
    }
    emit(
        reporter,
        &redactor,
        Event::RunFinished {
            summary: tally.summary.clone(),
            elapsed: started.elapsed(),
            stopped: stopped.clone(),
        },
    )?;
    reporter.finish().map_err(RunError::Report)?;
    Ok(RunOutcome {
        summary: tally.summary,
        new_deviations: tally.tracker.new_deviations(),
        updated_baseline: tally.tracker.updated(),
        gone: comparison.gone,
        snapshots_written: tally.snapshots_written,
        stopped,
        restore: restored,
    })
}

/// The cases of `config`, in generation order, drawn on a thread of their own (at most `ahead` waiting): off the
/// runtime's workers, which must keep reading the answers of the cases in flight. The thread stops when the
/// stream is dropped; a panic while generating resumes where the stream is read.
fn generated(
    model: Arc<Model>,
    config: generate::GenConfig,
    ahead: usize,
) -> Result<Pin<Box<impl futures::Stream<Item = Case>>>, RunError> {
    let (sender, receiver) = tokio::sync::mpsc::channel::<Case>(ahead.max(1));
    let thread = std::thread::Builder::new()
        .name("conform-generate".into())
        .spawn(move || {
            for case in generate::generate(&model, &config) {
                if sender.blocking_send(case).is_err() {
                    // The run stopped reading.
                    break;
                }
            }
        })
        .map_err(|e| {
            RunError::Config(format!(
                "failed to start the thread that generates cases: {e}"
            ))
        })?;
    Ok(Box::pin(futures::stream::unfold(
        (receiver, Some(thread)),
        |(mut receiver, thread)| async move {
            match receiver.recv().await {
                Some(case) => Some((case, (receiver, thread))),
                None => {
                    // The thread dropped its sender: it ended, or it panicked (then so does the run, as when
                    // generation ran here).
                    if let Some(thread) = thread
                        && let Err(panic) = thread.join()
                    {
                        std::panic::resume_unwind(panic);
                    }
                    None
                }
            }
        },
    )))
}

/// Whether a generated case runs in the single-request phase (examples run in their own phase, with setup).
fn runs_as_single_request(case: &Case, blocked: &crate::safety::Blocked) -> bool {
    single_request(&case.operation, &case.class, blocked)
}

/// Whether a case of this operation and class is sent as a single request (the generator has already chosen the
/// partition's share).
fn single_request(operation: &str, class: &CaseClass, blocked: &crate::safety::Blocked) -> bool {
    *class != CaseClass::Example && blocked.allows(operation)
}

/// How many cases each phase of a run will have, for progress. The single requests are counted from the generator's
/// slots, not built (building them twice cost a sixth of a run's CPU against a fast target); the count is an upper
/// bound, and the bar of a phase closes when the phase ends.
fn phase_totals(
    model: &Model,
    config: &RunConfig,
    selection: &Selection,
    blocked: &crate::safety::Blocked,
) -> Vec<(crate::report::Phase, u64)> {
    use crate::report::Phase;
    let mut phases = Vec::new();
    if !selection.examples.is_empty() {
        phases.push((Phase::Examples, selection.examples.len() as u64));
    }
    if selection.single_requests {
        let count = generate::count_at_most(model, &config.generation, |operation, class, _| {
            single_request(operation, class, blocked)
        });
        phases.push((Phase::SingleRequests, count));
    }
    if !selection.scenarios.is_empty() {
        phases.push((Phase::Scenarios, selection.scenarios.len() as u64));
    }
    phases
}

pub(super) struct Tally {
    pub(super) summary: Summary,
    pub(super) tracker: BaselineTracker,
    pub(super) snapshots_written: usize,
}

impl Tally {
    pub(super) fn finish(
        &mut self,
        mut result: CaseResult,
        reporter: &mut dyn Reporter,
    ) -> Result<(), RunError> {
        self.tracker.observe(&mut result);
        crate::report::cap_bodies(&mut result);
        self.summary.add(&result);
        reporter
            .event(&Event::CaseFinished(Box::new(result)))
            .map_err(RunError::Report)
    }
}

/// Ctrl-C, or SIGTERM (what CI systems send to cancel a job): both stop a run the same way.
pub(super) async fn stop_signal() {
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

/// A stop to wait for, boxed so that one variable can hold the first stop and, while draining, the second signal.
pub(super) type StopFuture<'a> = Pin<Box<dyn Future<Output = Stopped> + Send + 'a>>;

/// What ends a run before every case ran: Ctrl-C or SIGTERM, the deadline of `--max-time`, or a target that
/// answers everything as throttled ([`Client::unavailable`]).
pub(super) struct Stops {
    deadline: Option<(Instant, Duration)>,
    clients: Vec<Client>,
}

impl Stops {
    /// Watches for the deadline (its instant and the limit the user gave) and for `clients`' targets throttling;
    /// the clients' waits before retries end by the deadline too.
    pub(super) fn new(deadline: Option<(Instant, Duration)>, clients: Vec<Client>) -> Self {
        for client in &clients {
            client.set_deadline(deadline.map(|(at, _)| at));
        }
        Stops { deadline, clients }
    }

    /// Resolves with the first of the stops.
    pub(super) fn first(&self) -> StopFuture<'_> {
        Box::pin(async move {
            let deadline = async {
                match self.deadline {
                    Some((at, limit)) => {
                        tokio::time::sleep_until(at.into()).await;
                        limit
                    }
                    None => std::future::pending().await,
                }
            };
            let unavailable = async {
                let mut any: futures::stream::FuturesUnordered<_> =
                    self.clients.iter().map(|c| c.unavailable()).collect();
                match any.next().await {
                    Some(why) => why,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = stop_signal() => Stopped::Signal,
                limit = deadline => Stopped::MaxTime {
                    limit_ms: u64::try_from(limit.as_millis()).unwrap_or(u64::MAX),
                },
                why = unavailable => Stopped::Unavailable {
                    in_a_row: why.in_a_row,
                    status: why.status,
                    refused_ms: why
                        .refused_for
                        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
                },
            }
        })
    }
}

impl Drop for Stops {
    fn drop(&mut self) {
        // What follows the run (putting a real target's state back) retries as usual.
        for client in &self.clients {
            client.lift_limits();
        }
    }
}

/// A second Ctrl-C or SIGTERM, while draining: it stops at once.
pub(super) fn second_signal<'a>() -> StopFuture<'a> {
    Box::pin(async {
        stop_signal().await;
        Stopped::Signal
    })
}

/// Whether a case's answer was throttling (429, 503, a throttling error type): it says nothing about the case.
pub(super) fn throttled_answer(result: &CaseResult) -> bool {
    result.actual.as_ref().is_some_and(|a| {
        a.status == 429
            || a.status == 503
            || a.error_type
                .as_deref()
                .is_some_and(|t| crate::client::THROTTLING_ERROR_TYPES.contains(&t))
    })
}

pub(super) struct CaseRunner<'a> {
    pub(super) model: &'a Model,
    /// The same model, for the thread that generates the cases.
    pub(super) shared_model: Arc<Model>,
    pub(super) config: &'a RunConfig,
    pub(super) session: &'a Session,
    pub(super) store: SnapshotStore,
    pub(super) selection: &'a Selection,
    pub(super) blocked: &'a crate::safety::Blocked,
    /// On Ctrl-C, let the requests in flight finish (within the timeout) before returning: a restore must not
    /// race a change still on its way to the target.
    pub(super) drain: bool,
    /// What stops the run early.
    pub(super) stops: Stops,
    /// Which valid cases run one after another because they touch the same state.
    pub(super) lanes: Lanes,
    /// One per generated case in flight (`--concurrency`), shared by the lanes and the other cases.
    pub(super) permits: tokio::sync::Semaphore,
    /// The kinds of deviation already shrunk (or being shrunk), with the case that stands for each.
    pub(super) shrunk_kinds: ShrunkKinds,
}

/// Which case a run shrinks for each kind of deviation. A kind is the set of baseline keys of a result (operation,
/// failed check, mutation class, member): the cases of one kind fail for one reason, so shrinking them all (a
/// request per step, up to 64 steps each) would cost a run as much again as it sends, for the same answer.
#[derive(Default)]
pub(super) struct ShrunkKinds(
    std::sync::Mutex<std::collections::HashMap<Vec<BaselineKey>, String>>,
);

impl ShrunkKinds {
    /// `None` when `result` is the first of its kind (it is to be shrunk); else the id of the case that was.
    pub(super) fn claim(&self, result: &CaseResult) -> Option<String> {
        let mut kind = BaselineKey::for_result(result);
        kind.sort();
        kind.dedup();
        if kind.is_empty() {
            return None;
        }
        let mut kinds = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match kinds.get(&kind) {
            Some(id) => Some(id.clone()),
            None => {
                kinds.insert(kind, result.id.clone());
                None
            }
        }
    }
}

impl CaseRunner<'_> {
    /// The three phases; why they stopped early, if they did.
    async fn run_phases(
        &self,
        tally: &mut Tally,
        reporter: &mut dyn Reporter,
    ) -> Result<Option<Stopped>, RunError> {
        let mut stop = self.stops.first();

        // 1. Examples, each after its setup calls.
        for example in &self.selection.examples {
            let done = async {
                let Some((service, _)) = self
                    .model
                    .operation_of(&example.case.service, &example.case.operation)
                else {
                    return self.run_case(example.case.clone()).await;
                };
                for (_, _, request) in &example.setup {
                    // The example's own check says whether the state it needed was there.
                    let _ = self
                        .session
                        .client
                        .send_request(service, request, Signing::Valid)
                        .await;
                }
                self.run_case(example.case.clone()).await
            };
            tokio::pin!(done);
            let (result, written) = tokio::select! {
                finished = &mut done => finished,
                why = &mut stop => return self.finish_in_flight(why, done, tally, reporter).await,
            };
            tally.snapshots_written += written;
            tally.finish(result, reporter)?;
        }

        // 2. Generated cases, concurrently: first a few valid ones of each operation, to leave out the operations
        // the target does not implement, then the others.
        let probed = if self.selection.single_requests {
            let probing = self.probe_operations(tally, reporter);
            tokio::pin!(probing);
            tokio::select! {
                probed = &mut probing => probed?,
                why = &mut stop => {
                    // Probes change state too (valid cases of every runnable operation): as in the other
                    // phases, those in flight land before a restore, or are dropped when none follows.
                    return self.finish_probes(why, probing).await;
                }
            }
        } else {
            Probed::default()
        };
        if self.selection.single_requests {
            let stopping = AtomicBool::new(false);
            // Every valid case of a laned operation runs in its lane, generated by `lane_queues`: not built here.
            // Nor are the cases of operations the probes left out, which would be built only to be dropped.
            let left_out = probed.missing.iter().chain(&probed.crash_or_missing);
            let free_generation = generate::GenConfig {
                leave_out: self
                    .lanes
                    .operations()
                    .into_iter()
                    .map(|(service, op)| (service, op, CaseKind::Valid))
                    .chain(left_out.flat_map(|(service, op)| {
                        [CaseKind::Valid, CaseKind::Invalid, CaseKind::Malformed]
                            .map(|kind| (service.clone(), op.clone(), kind))
                    }))
                    .collect(),
                ..self.config.generation.clone()
            };
            // Generated on a thread of its own: drawing a case can take long (a look-around pattern's candidates),
            // and on the runtime's workers it would keep answers already on their way from being read in time.
            let cases = generated(
                Arc::clone(&self.shared_model),
                free_generation,
                self.config.concurrency.max(1) * 4,
            )?
            .filter(|case| {
                std::future::ready(
                    self.lanes.key(case).is_none()
                        && runs_as_single_request(case, self.blocked)
                        && probed.still_to_send(case),
                )
            })
            // Once stopping, no new case starts; those in flight finish.
            .take_while(|_| std::future::ready(!stopping.load(Ordering::Relaxed)));
            let stopping = &stopping;
            let free = cases
                .map(|case| self.run_permitted(case, stopping))
                .buffer_unordered(self.config.concurrency.max(1));
            // Cases that touch the same state run in lanes: one after another, in generation order. Every lane
            // starts with the phase, beside the other cases, so that a long lane is not left to run alone at the
            // end; the permits bound what is in flight.
            let lanes = self
                .lane_queues(&probed)
                .into_iter()
                .map(|queue| {
                    Box::pin(
                        futures::stream::iter(queue)
                            .then(move |case| self.run_permitted(case, stopping)),
                    )
                })
                .collect::<Vec<_>>();
            let mut results = futures::stream::select(free, futures::stream::select_all(lanes));
            let mut deadline: Option<std::pin::Pin<Box<tokio::time::Sleep>>> = None;
            let mut stopped: Option<Stopped> = None;
            loop {
                tokio::select! {
                    next = results.next() => match next {
                        Some(Some((result, written))) => {
                            tally.snapshots_written += written;
                            tally.finish(result, reporter)?;
                        }
                        Some(None) => {}
                        None => break,
                    },
                    why = &mut stop => {
                        // A second signal while draining stops at once.
                        if !self.drain || deadline.is_some() {
                            return Ok(stopped.or(Some(why)));
                        }
                        stopping.store(true, Ordering::Relaxed);
                        emit(reporter, &self.session.redactor, self.draining_note(&why))?;
                        stopped = Some(why);
                        stop = second_signal();
                        deadline = Some(Box::pin(tokio::time::sleep(self.config.timeout)));
                    }
                    _ = async { deadline.as_mut().expect("guarded").await }, if deadline.is_some() => return Ok(stopped),
                }
            }
            if stopped.is_some() {
                return Ok(stopped);
            }
        }

        // 3. Scenarios, one at a time: each sets up and cleans up the state it tests.
        for instance in &self.selection.scenarios {
            if scenario_operations(self.model, instance)
                .any(|op| probed.left_out(&instance.service, op))
            {
                continue;
            }
            let done = self.run_scenario(instance);
            tokio::pin!(done);
            let (result, written) = tokio::select! {
                finished = &mut done => finished,
                why = &mut stop => return self.finish_in_flight(why, done, tally, reporter).await,
            };
            tally.snapshots_written += written;
            tally.finish(result, reporter)?;
        }
        Ok(None)
    }

    /// After a stop during the probes: when a restore follows, lets the probes in flight land first (within the
    /// timeout, or until a second signal), so that none of them reaches the target after the restore.
    async fn finish_probes(
        &self,
        why: Stopped,
        probing: Pin<&mut impl Future<Output = Result<Probed, RunError>>>,
    ) -> Result<Option<Stopped>, RunError> {
        if self.drain {
            tokio::select! {
                _ = tokio::time::timeout(self.config.timeout, probing) => {}
                _ = stop_signal() => {}
            }
        }
        Ok(Some(why))
    }

    /// Sends the first few valid cases of every selected operation ([`super::probes`]) and reports them. An
    /// operation whose every probe is answered as an unknown route ([`crate::check::unimplemented_reading`]) is
    /// reported as not implemented, once per probe, and its other cases are not sent: hundreds of deviations would
    /// say one thing. When every answer is a bare 500 page, which may be a crash, its smallest and then its
    /// fullest valid requests are sent too: any other answer shows the operation implemented, and its cases all
    /// run; the page again (or no such request) and the report says it cannot tell a crash from a missing one.
    async fn probe_operations(
        &self,
        tally: &mut Tally,
        reporter: &mut dyn Reporter,
    ) -> Result<Probed, RunError> {
        let mut probed = Probed::default();
        if !self.config.checks.contains(&CheckName::Implemented) {
            return Ok(probed);
        }
        // Split by operation, a share probes only its own operations and those its scenarios use; split by case,
        // every share may send cases of every operation, so it probes them all. The probes are each operation's
        // first valid cases whatever the share, so every share reads an operation alike; each probe is reported
        // by the share its case belongs to.
        let partition = self.config.generation.partition;
        let scenario_ops: std::collections::HashSet<(&str, &str)> = self
            .selection
            .scenarios
            .iter()
            .flat_map(|i| scenario_operations(self.model, i).map(|op| (i.service.as_str(), op)))
            .collect();
        let operations: Vec<(String, String)> =
            super::probes::probed_operations(self.model, &self.config.generation)
                .into_iter()
                .filter(|(service, op)| {
                    partition.is_none_or(|p| p.may_hold_operation(service, op))
                        || scenario_ops.contains(&(service.as_str(), op.as_str()))
                })
                .collect();
        let units = super::probes::units(operations, |service, op| self.lanes.group(service, op));
        // Each operation's probes are generated when its unit is sent, so that only the units in flight hold theirs.
        let mut answers = futures::stream::iter(units)
            .map(|(_, ops)| async move {
                let mut answered = Vec::new();
                for key in ops {
                    let probes = super::probes::probes_of(
                        self.model,
                        &self.config.generation,
                        &key,
                        |case| runs_as_single_request(case, self.blocked),
                    );
                    let mut results = Vec::new();
                    for case in probes {
                        results.push(self.run_case(case).await);
                    }
                    let mut reading = super::probes::reading(self.model, &key.0, &key.1, &results);
                    let mut tried = Vec::new();
                    if reading == Some(Reading::CrashOrMissing) {
                        let sent: Vec<String> = results.iter().map(|(r, _)| r.id.clone()).collect();
                        let sent: Vec<&str> = sent.iter().map(String::as_str).collect();
                        // Sent whatever the partition (so that every partition reads the operation alike).
                        let cases = super::probes::tie_breakers(
                            self.model,
                            &self.config.generation,
                            &key.0,
                            &key.1,
                            |case| self.blocked.allows(&case.operation),
                            &sent,
                        );
                        for case in cases {
                            let single = runs_as_single_request(&case, self.blocked);
                            let answer = self.run_case(case).await;
                            let still = super::probes::reading(
                                self.model,
                                &key.0,
                                &key.1,
                                std::slice::from_ref(&answer),
                            )
                            .is_some();
                            tried.push((answer, single));
                            if !still {
                                reading = None;
                                break;
                            }
                        }
                    }
                    answered.push((key, results, reading, tried));
                }
                futures::stream::iter(answered)
            })
            .buffer_unordered(self.config.concurrency.max(1))
            .flatten();
        while let Some(((service, operation), mut results, reading, tried)) = answers.next().await {
            let tried_text: Vec<String> = tried
                .iter()
                .map(|((r, _), _)| format!("{} (case {})", r.actual_text(), r.id))
                .collect();
            results.extend(
                tried
                    .into_iter()
                    .filter(|(_, single)| *single)
                    .map(|(answer, _)| answer),
            );
            for (mut result, written) in results {
                probed.ids.insert(result.id.clone());
                if !generate::partition::holds(partition.as_ref(), &service, &operation, &result.id)
                {
                    // Another share's case: that share sends it too, and reports it.
                    continue;
                }
                if let Some(reading) = reading {
                    let actual = result.actual_text();
                    let (expected, reads) = match reading {
                        Reading::Missing => (
                            EXPECTED_IMPLEMENTED,
                            "looks unimplemented (answered as an unknown route)".to_string(),
                        ),
                        Reading::CrashOrMissing => (
                            EXPECTED_NO_CRASH,
                            format!(
                                "crashes on every valid request, or is not implemented (cannot tell: a bare 500 \
                                 page answers both; {})",
                                if tried_text.is_empty() {
                                    "it has no smaller or fuller valid request to tell them apart"
                                        .to_string()
                                } else {
                                    format!(
                                        "its smallest and fullest valid requests were answered {}",
                                        tried_text.join(" and ")
                                    )
                                }
                            ),
                        ),
                    };
                    result.checks.push(CheckResult {
                        check: CheckName::Implemented,
                        passed: false,
                        uncertain: false,
                        expected: expected.into(),
                        actual: actual.clone(),
                        message: format!(
                            "{operation} {reads}: each of its first valid requests was answered {actual}; its \
                             other cases were not sent"
                        ),
                    });
                    result.classify();
                }
                tally.snapshots_written += written;
                tally.finish(result, reporter)?;
            }
            match reading {
                Some(Reading::Missing) => {
                    probed.missing.insert((service, operation));
                }
                Some(Reading::CrashOrMissing) => {
                    probed.crash_or_missing.insert((service, operation));
                }
                None => {}
            }
        }
        for (set, what) in [
            (
                &probed.missing,
                "the target does not implement {n} operation{s} (each answered its first valid requests as an \
                 unknown route; their other cases and scenarios are not run)",
            ),
            (
                &probed.crash_or_missing,
                "{n} operation{s} crash on every valid request or are not implemented, which a bare 500 page cannot \
                 tell apart (their smallest and fullest valid requests were answered so too; their other cases and \
                 scenarios are not run)",
            ),
        ] {
            if set.is_empty() {
                continue;
            }
            let mut names: Vec<&str> = set.iter().map(|(_, op)| op.as_str()).collect();
            names.sort_unstable();
            let head = what
                .replace("{n}", &names.len().to_string())
                .replace("{s}", if names.len() == 1 { "" } else { "s" });
            emit(
                reporter,
                &self.session.redactor,
                Event::Note(format!("{head}: {}", names.join(", "))),
            )?;
        }
        Ok(probed)
    }

    /// What a stop does when a restore follows.
    fn draining_note(&self, why: &Stopped) -> Event {
        Event::Note(format!(
            "stopping ({}): letting the requests in flight finish (at most {} s) before the state is put back",
            why.name(),
            self.config.timeout.as_secs_f64().ceil()
        ))
    }

    /// After a stop signal in a serial phase: when a restore follows, lets the example or scenario under way
    /// finish (within the timeout, or until a second signal) so that none of its requests lands after the restore.
    async fn finish_in_flight(
        &self,
        why: Stopped,
        done: Pin<&mut impl Future<Output = (CaseResult, usize)>>,
        tally: &mut Tally,
        reporter: &mut dyn Reporter,
    ) -> Result<Option<Stopped>, RunError> {
        if !self.drain {
            return Ok(Some(why));
        }
        emit(reporter, &self.session.redactor, self.draining_note(&why))?;
        tokio::select! {
            finished = tokio::time::timeout(self.config.timeout, done) => {
                if let Ok((result, written)) = finished {
                    tally.snapshots_written += written;
                    tally.finish(result, reporter)?;
                }
            }
            _ = stop_signal() => {}
        }
        Ok(Some(why))
    }

    /// The laned cases still to send, one queue per lane. Generated apart (only the laned operations, whose cases
    /// are the same as in the whole run: each operation and kind is drawn from the seed alone), so that the lanes
    /// can start at once.
    fn lane_queues(&self, probed: &Probed) -> Vec<Vec<Case>> {
        let generation = &self.config.generation;
        let selected = |name: &str, among: &[String]| {
            among.is_empty() || among.iter().any(|n| n.eq_ignore_ascii_case(name))
        };
        // Only operations of the selected services and operations: naming another is an error to the generator.
        let operations: Vec<String> = self
            .lanes
            .operations()
            .into_iter()
            .filter(|(service, op)| {
                selected(service, &generation.services) && selected(op, &generation.operations)
            })
            .map(|(_, op)| op)
            .collect();
        if operations.is_empty() {
            return Vec::new();
        }
        let config = generate::GenConfig {
            operations,
            ..generation.clone()
        };
        self.lanes.queues(
            generate::generate_may_succeed(self.model, &config)
                .filter(|case| runs_as_single_request(case, self.blocked))
                .filter(|case| probed.still_to_send(case)),
        )
    }

    /// Runs a generated case once a permit is free; `None` when the run began stopping before it could start.
    async fn run_permitted(
        &self,
        case: Case,
        stopping: &AtomicBool,
    ) -> Option<(CaseResult, usize)> {
        let _permit = self.permits.acquire().await.ok()?;
        if stopping.load(Ordering::Relaxed) {
            return None;
        }
        Some(self.run_case(case).await)
    }

    /// Sends one case, checks it, compares its snapshot, shrinks it if it deviates, and redacts the result.
    pub(super) async fn run_case(&self, case: Case) -> (CaseResult, usize) {
        let Some((service, op)) = self.model.operation_of(&case.service, &case.operation) else {
            let mut result = CaseResult::new(
                &case,
                &crate::model::Service::new("", crate::model::ProtocolId::RestJson1),
                Err("the case names no operation of the model".into()),
                Vec::new(),
                0,
                Reproduce::default(),
            );
            result.classify();
            return (result, 0);
        };
        let sent = self.session.client.send(service, &case).await;
        if let (Ok(exchange), true) = (&sent, self.session.real) {
            self.learn(service, &exchange.response);
        }
        let mut result = judge(self.config, self.session, service, op, &case, &sent);
        let mut written = 0;
        if let Ok(exchange) = &sent
            && snapshotted(op, &case)
        {
            let mut drawn = drawn_references(service, op.input, &case.input, "input");
            // The mutated value is drawn too, even where a fixture or an enum fixes the valid one.
            if let Some(path) = case.mutation.as_ref().and_then(|m| m.path.as_ref())
                && let Some(Value::String(s)) = path.get(&case.input)
                && !s.is_empty()
            {
                drawn.insert(0, (s.clone(), format!("<input.{path}>")));
            }
            let (check, count) = self.snapshot(
                service,
                op,
                &case.id,
                &exchange.request,
                &exchange.response,
                &drawn,
            );
            written = count;
            if let Some(check) = check {
                result.checks.push(check);
                result.classify();
                if !result.passed && result.reproduce.curl.is_empty() {
                    result.reproduce.curl = curl_for(self.session, service, &case, &case.request);
                }
            }
        }
        if result.deviation && self.config.shrink {
            match self.shrunk_kinds.claim(&result) {
                None => result.shrunk = self.shrink(service, op, &case, &result).await,
                Some(representative) => result.shrunk_with = Some(representative),
            }
        }
        self.session
            .redactor
            .result(&mut result, sent.as_ref().ok().map(|e| &e.request));
        (result, written)
    }

    /// On a real target: every string it answered is scrubbed from the rest of the output.
    fn learn(&self, service: &Service, response: &HttpResponse) {
        if let Some(p) = protocol::for_id(service.protocol)
            && let Some(document) = p.error_document(response)
        {
            self.session.redactor.learn_response(&document);
        }
        if let Ok(json) = serde_json::from_slice::<serde_json::Value>(&response.body) {
            self.session.redactor.learn_response(&json);
        }
    }

    /// Verifies or updates the snapshot of a response: the `snapshot` check it yields (none when snapshots are off
    /// or the case has none yet), and the number of pending snapshots written.
    fn snapshot(
        &self,
        service: &Service,
        op: &Operation,
        id: &str,
        request: &HttpRequest,
        response: &HttpResponse,
        drawn: &[(String, String)],
    ) -> (Option<CheckResult>, usize) {
        if self.config.snapshots == SnapshotMode::Off
            || !self.config.checks.contains(&CheckName::Snapshot)
        {
            return (None, 0);
        }
        let contents = self
            .session
            .redactor
            .text(&normalised(service, op, id, response, drawn));
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
                // The header shows the request line only: the body holds drawn values, which change by seed.
                let recording = Recording {
                    target: self.session.target.label.clone(),
                    seed: self.config.generation.seed,
                    request: format!("{} {}", request.method, request.path),
                };
                match self.store.update(&service.name, id, &contents, &recording) {
                    Ok(crate::snapshot::Update::Unchanged) => (None, 0),
                    Ok(_) => (None, 1),
                    Err(e) => (Some(check(false, e.to_string())), 0),
                }
            }
        }
    }

    /// Walks the case's input toward simpler cases that fail the same way: the same failed checks and the same
    /// actual error type. A bounded number of requests, so that a flaky target cannot keep it going.
    async fn shrink(
        &self,
        service: &Service,
        op: &Operation,
        case: &Case,
        failing: &CaseResult,
    ) -> Option<ShrunkCase> {
        const MAX_STEPS: usize = 64;
        // A failure throttling caused says nothing about the case: shrinking it would only throttle more.
        if throttled_answer(failing) {
            return None;
        }
        let mut tree = generate::shrink(self.model, &self.config.generation, case)?;
        let signature = failure_signature(failing);
        let mut best: Option<Case> = None;
        let mut steps = 0;
        if !tree.simplify() {
            return None;
        }
        while steps < MAX_STEPS {
            steps += 1;
            let candidate = tree.current();
            let sent = self.session.client.send(service, &candidate).await;
            let result = judge(self.config, self.session, service, op, &candidate, &sent);
            // A throttled candidate says nothing either, and the target is throttling now: stop here.
            if throttled_answer(&result) {
                break;
            }
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
            body: shown_input(self.session, service, op, &c.input),
        })
    }

    /// Runs one scenario instance (shrinking its draws if it fails) and turns it into a report result.
    async fn run_scenario(&self, instance: &scenario::Instance) -> (CaseResult, usize) {
        let outcome = scenario::execute(
            self.model,
            &self.session.client,
            &self.config.generation.fixtures,
            instance,
        )
        .await;
        let service = &self.model.services[&instance.service];
        if self.session.real {
            for step in &outcome.steps {
                if let Some(response) = &step.response {
                    self.learn(service, response);
                }
            }
        }
        let mut written = 0;
        let drawn = instance_references(self.model, instance);
        for step in &outcome.steps {
            if let (Some(request), Some(response), true) =
                (&step.request, &step.response, step.snapshot)
            {
                let Some(op) = service.operations.get(&step.operation) else {
                    continue;
                };
                let id = format!("{}-{}", instance.id, step.name);
                let (check, count) = self.snapshot(service, op, &id, request, response, &drawn);
                written += count;
                if let Some(check) = check.filter(|c| !c.passed) {
                    let mut result =
                        scenario_result(self.model, &outcome, self.config, self.session);
                    result.checks.push(check);
                    result.classify();
                    self.session.redactor.result(&mut result, None);
                    return (result, written);
                }
            }
        }
        let mut result = scenario_result(self.model, &outcome, self.config, self.session);
        // A scenario that throttling broke says nothing about its draws: it is not shrunk.
        let throttled = outcome.steps.iter().any(|step| {
            step.response
                .as_ref()
                .is_some_and(|r| crate::client::is_throttled(service, r))
        });
        if result.deviation && self.config.shrink && !throttled {
            result.shrunk = self.shrink_scenario(instance, &outcome).await;
        }
        self.session.redactor.result(&mut result, None);
        (result, written)
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
                generate::shrink(self.model, &self.config.generation, &current.draws[&name])
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
                    self.model,
                    &self.session.client,
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
        let service = &self.model.services[&instance.service];
        improved.then(|| ShrunkCase {
            id: current.id.clone(),
            mutation: None,
            body: current
                .draws
                .iter()
                .map(|(k, c)| {
                    let shown = match service.operations.get(&c.operation) {
                        Some(op) => shown_input(self.session, service, op, &c.input),
                        None => c.input.to_string(),
                    };
                    format!("{k}: {shown}")
                })
                .collect::<Vec<_>>()
                .join("\n"),
        })
    }
}

/// The input as a report shows it (the redaction policy applied), as typed JSON.
pub(super) fn shown_input(
    session: &Session,
    service: &Service,
    op: &Operation,
    input: &Value,
) -> String {
    session
        .redactor
        .input(service, op, input)
        .to_typed_json()
        .to_string()
}

/// The curl command that reproduces a case (its body masked when the redaction policy says so).
pub(super) fn curl_for(
    session: &Session,
    service: &Service,
    case: &Case,
    request: &HttpRequest,
) -> String {
    let region = session.client.signing_region(service);
    let signing = CurlSigning {
        region: &region,
        service: &service.signing_name,
        signing: case.signing,
        session_token: session.session_token,
        access_key_id: (case.signing == Signing::UnknownAccessKey)
            .then_some(crate::credentials::UNKNOWN_ACCESS_KEY_ID),
    };
    let masked_body = if session.redactor.masks_sensitive()
        && case.kind != CaseKind::Malformed
        && let Some(op) = service.operations.get(&case.operation)
        && let Some(p) = protocol::for_id(service.protocol)
        && let Ok(masked) = p.encode(
            service,
            op,
            &session.redactor.input(service, op, &case.input),
        ) {
        Some(masked.body)
    } else {
        None
    };
    curl_command(
        request,
        &session.target.endpoint,
        &signing,
        masked_body.as_deref(),
    )
}

/// Checks one exchange and builds its result (unredacted: the caller redacts once, when it is final).
pub(super) fn judge(
    config: &RunConfig,
    session: &Session,
    service: &Service,
    op: &Operation,
    case: &Case,
    sent: &Result<Exchange, TransportError>,
) -> CaseResult {
    // The curl command is only for results that did not pass: building it for every passing case cost a
    // seventh of the runner's CPU and most of a large JSON report.
    let reproduce = Reproduce {
        curl: String::new(),
        replay: replay_command(&case.id, &service.name, config),
    };
    let mut result = match sent {
        Ok(exchange) => {
            let checks = run_checks(service, op, case, &exchange.response, &config.checks);
            let mut r = CaseResult::new(
                case,
                service,
                Ok(&exchange.response),
                checks,
                exchange.retries,
                reproduce,
            );
            // On an emulator the excerpt `CaseResult::new` made is the one to show (the caller scrubs it once);
            // on a real target it is replaced by the body's masked structure.
            if session.redactor.policy().real {
                r.body_excerpt = Some(
                    session
                        .redactor
                        .response_text(&exchange.response.body, BODY_EXCERPT_CHARS),
                );
            }
            r
        }
        Err(e) => CaseResult::new(case, service, Err(e.to_string()), Vec::new(), 0, reproduce),
    };
    if !result.passed {
        result.reproduce.curl = curl_for(session, service, case, &case.request);
    }
    result
}

/// Which cases are snapshotted: those whose response does not depend on what other cases did to the target's
/// state — errors, and successes of operations that return nothing — and the documents' examples; and of each
/// class and site only the first (`-0`), since the draws after it take the same path with other values.
fn snapshotted(op: &Operation, case: &Case) -> bool {
    let single = case.expected.accept.len() == 1;
    let error = case.expected.accept.iter().all(|o| o.error_type.is_some());
    single
        && case.class != CaseClass::Random
        && case.id.ends_with("-0")
        && (error || op.output.is_none())
}

/// The values a case drew freely, each with the reference that replaces it in snapshots
/// (`<input.AlternateContact.Name>`): strings of the input that neither an enum nor a fixture fixed, since those
/// are the same whatever the seed (and may equal a constant the response holds anyway).
fn drawn_references(
    service: &Service,
    shape: Option<crate::model::ShapeId>,
    value: &Value,
    root: &str,
) -> Vec<(String, String)> {
    fn walk(
        service: &Service,
        members: &[crate::model::Member],
        value: &Value,
        at: &str,
        out: &mut Vec<(String, String)>,
    ) {
        let Value::Structure(map) = value else {
            return;
        };
        for m in members {
            let Some(v) = map.get(&m.name) else { continue };
            if m.rules.fixture.is_some() {
                continue;
            }
            let here = format!("{at}.{}", m.name);
            edge(service, m, v, &here, out);
        }
    }
    fn edge(
        service: &Service,
        m: &crate::model::Member,
        v: &Value,
        at: &str,
        out: &mut Vec<(String, String)>,
    ) {
        use crate::model::ShapeKind;
        match (&service.target(m).kind, v) {
            (ShapeKind::String, Value::String(s)) if !s.is_empty() => {
                out.push((s.clone(), format!("<{at}>")))
            }
            (ShapeKind::Structure(children) | ShapeKind::Union(children), v) => {
                walk(service, children, v, at, out)
            }
            (ShapeKind::List(item), Value::List(items)) => {
                for (i, v) in items.iter().enumerate() {
                    edge(service, item, v, &format!("{at}[{i}]"), out);
                }
            }
            (ShapeKind::Map { value, .. }, Value::Map(entries)) => {
                for (k, v) in entries {
                    edge(service, value, v, &format!("{at}{{{k}}}"), out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    if let Some(shape) = shape {
        walk(
            service,
            service.shape(shape).kind.members(),
            value,
            root,
            &mut out,
        );
    }
    out
}

/// The drawn values of a scenario instance, each with its `<draw.NAME.Member>` reference.
fn instance_references(model: &Model, instance: &scenario::Instance) -> Vec<(String, String)> {
    let service = &model.services[&instance.service];
    instance
        .draws
        .iter()
        .flat_map(|(name, case)| {
            let shape = service
                .operations
                .get(&case.operation)
                .and_then(|op| op.input);
            drawn_references(service, shape, &case.input, &format!("draw.{name}"))
        })
        .collect()
}

/// The names of a service's sensitive members, in operation inputs and outputs at any depth (masked in
/// snapshots; error shapes are left alone, their messages are what a snapshot is for).
pub(super) fn sensitive_names(service: &Service) -> Vec<&str> {
    fn walk<'s>(
        service: &'s Service,
        shape: crate::model::ShapeId,
        seen: &mut Vec<crate::model::ShapeId>,
        out: &mut Vec<&'s str>,
    ) {
        if seen.contains(&shape) {
            return;
        }
        seen.push(shape);
        let kind = &service.shape(shape).kind;
        let edges: Vec<&crate::model::Member> = match kind {
            crate::model::ShapeKind::List(item) => vec![item.as_ref()],
            crate::model::ShapeKind::Map { value, .. } => vec![value.as_ref()],
            other => other.members().iter().collect(),
        };
        for m in edges {
            if service.is_sensitive(m) {
                out.push(m.name.as_str());
            }
            walk(service, m.target, seen, out);
        }
    }
    let mut out = Vec::new();
    let mut seen = Vec::new();
    for op in service.operations.values() {
        for root in [op.input, op.output].into_iter().flatten() {
            walk(service, root, &mut seen, &mut out);
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The normalised text of a response for snapshots and parity, read by the service's protocol.
pub(super) fn normalised(
    service: &Service,
    op: &Operation,
    id: &str,
    response: &HttpResponse,
    drawn: &[(String, String)],
) -> String {
    let error_type = error_type_of(service, response);
    let headers = protocol::for_id(service.protocol).map_or(&[][..], |p| p.snapshot_headers());
    let document = protocol::for_id(service.protocol).and_then(|p| {
        if response.is_success() {
            if response.body.iter().all(u8::is_ascii_whitespace) {
                None
            } else {
                let decoded = p.decode_output(service, op, response);
                // What the protocol could not read is shown raw.
                decoded
                    .problems
                    .iter()
                    .all(|pr| !pr.path.is_root())
                    .then(|| to_plain_json(&decoded.value))
            }
        } else {
            p.error_document(response)
        }
    });
    let sensitive = sensitive_names(service);
    normalise(&Normalising {
        response,
        error_type: error_type.as_deref(),
        document,
        rules: &service.rules.snapshots,
        case_id: id,
        sensitive: &sensitive,
        headers,
        drawn,
    })
}

/// A scenario outcome as a report result: kind `scenario`, the failing step named in the mutation.
pub(super) fn scenario_result(
    model: &Model,
    outcome: &scenario::Outcome,
    config: &RunConfig,
    session: &Session,
) -> CaseResult {
    let failing = outcome.failing();
    let step = failing.or(outcome.steps.last());
    let (operation, expected) = match step {
        Some(s) => (s.operation.clone(), s.expected.clone()),
        None => (
            String::new(),
            Expected::certain(vec![crate::model::Outcome::success(200)], ""),
        ),
    };
    let service = &model.services[&outcome.instance.service];
    let case = Case {
        id: outcome.instance.id.clone(),
        service: outcome.instance.service.clone(),
        operation,
        kind: CaseKind::Scenario,
        class: CaseClass::Scenario(outcome.instance.scenario.clone()),
        input: step
            .and_then(|s| s.input.clone())
            .unwrap_or_else(Value::structure),
        mutation: Some(outcome.mutation()),
        request: step.and_then(|s| s.request.clone()).unwrap_or_default(),
        signing: Signing::Valid,
        expected: Expected {
            uncertain: outcome.uncertain,
            ..expected
        },
    };
    let checks = match failing {
        Some(s) => vec![CheckResult {
            // A step whose answer fails a single-case check (its form: output shape, content type, request id,
            // error body) is reported under that check, the step named; its state under `state`.
            check: s
                .failure_key
                .as_deref()
                .and_then(|k| k.strip_prefix("check "))
                .and_then(|name| name.parse().ok())
                .unwrap_or(CheckName::State),
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
        curl: if case.request.method.is_empty() {
            String::new()
        } else {
            // The request as sent carries its signature; the curl re-signs the unsigned form.
            let mut unsigned = case.request.clone();
            unsigned.remove_header("authorization");
            curl_for(session, service, &case, &unsigned)
        },
        replay: replay_command(&outcome.instance.id, &outcome.instance.service, config),
    };
    let response = match (
        &outcome.transport_error,
        step.and_then(|s| s.response.as_ref()),
    ) {
        (Some(e), _) => Err(e.clone()),
        (None, Some(r)) => Ok(r),
        (None, None) => Err("the scenario sent nothing".to_string()),
    };
    let mut result = CaseResult::new(&case, service, response, checks, 0, reproduce);
    if let Some(s) = step {
        result.actual = s
            .actual
            .clone()
            .map(|(status, error_type)| crate::report::Actual { status, error_type });
        if let Some(r) = &s.response {
            result.body_excerpt = Some(session.redactor.response_text(&r.body, BODY_EXCERPT_CHARS));
        }
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

/// `conform replay`: sends one case (or scenario instance) again, by id, through the same lifecycle as a run, and
/// writes the request, response and verdicts to `out`. True when it deviates.
pub async fn replay(
    model: Arc<Model>,
    mut config: RunConfig,
    id: &str,
    out: &mut (dyn std::io::Write + Send),
    reporter: &mut dyn Reporter,
) -> Result<(bool, Option<crate::safety::restore::RestoreReport>), RunError> {
    let case = generate::find_case(&model, &config.generation, id).or_else(|| {
        generate::example_cases(&model, &config.generation)
            .into_iter()
            .find(|e| e.case.id == id)
            .map(|e| e.case)
    });
    let instance = scenario::instances(&model, &config.generation, 64)
        .into_iter()
        .find(|i| i.id == id);
    if case.is_none() && instance.is_none() {
        return Err(RunError::Config(format!(
            "failed to find case `{id}` with seed {} and {} cases; use the replay line of the report: it repeats \
             --seed, --cases and --fixture",
            config.generation.seed, config.generation.cases
        )));
    }
    let operations: Vec<&str> = match (&case, &instance) {
        (Some(case), _) => vec![case.operation.as_str()],
        (None, Some(instance)) => scenario_operations(&model, instance).collect(),
        (None, None) => Vec::new(),
    };
    // On a real target: refuse what the safety rules leave out, record what the rest can change.
    let real = config.real();
    let blocked = config.safety.blocked(&model, real);
    if let Some(line) = blocked.explain(operations.iter().copied()).first() {
        return Err(RunError::Config(format!(
            "failed to send to a real target: {line}"
        )));
    }
    let changing: Vec<&str> = operations
        .iter()
        .copied()
        .filter(|name| model.operation(name).is_some_and(|(_, op)| op.mutates()))
        .collect();
    let service = match (&case, &instance) {
        (Some(case), _) => case.service.clone(),
        (None, Some(instance)) => instance.service.clone(),
        (None, None) => String::new(),
    };
    let region_note = super::settle_region(&model, &mut config, &[service.as_str()])?;
    let session = Session::open(&model, &config, &changing, reporter).await?;
    if let Some(note) = region_note {
        emit(reporter, &session.redactor, Event::Note(note))?;
    }
    let io = |e: std::io::Error| RunError::Config(format!("failed to write the replay: {e}"));
    let body = async {
        if let Some(case) = case {
            let (service, op) = model
                .operation_of(&case.service, &case.operation)
                .expect("generated from this model");
            writeln!(
                out,
                "case {} ({}, {})",
                case.id,
                case.operation,
                case.kind.as_str()
            )
            .map_err(io)?;
            if let Some(m) = &case.mutation {
                writeln!(out, "mutation: {}", session.redactor.text(&m.detail)).map_err(io)?;
            }
            writeln!(
                out,
                "input: {}",
                shown_input(&session, service, op, &case.input)
            )
            .map_err(io)?;
            let sent = session.client.send(service, &case).await;
            writeln!(
                out,
                "\n{}",
                session
                    .redactor
                    .text(&curl_for(&session, service, &case, &case.request))
            )
            .map_err(io)?;
            match &sent {
                Err(e) => {
                    writeln!(out, "no response: {e}").map_err(io)?;
                    return Ok(true);
                }
                Ok(exchange) => {
                    let r = &exchange.response;
                    writeln!(out, "\nHTTP {}", r.status).map_err(io)?;
                    for (name, value) in &r.headers {
                        writeln!(out, "{name}: {}", session.redactor.text(value)).map_err(io)?;
                    }
                    writeln!(out, "\n{}\n", session.redactor.response_text(&r.body, 4096))
                        .map_err(io)?;
                    let checks = run_checks(service, op, &case, r, &CheckName::ALL);
                    let mut deviates = false;
                    for c in &checks {
                        let verdict = match (c.passed, c.uncertain) {
                            (true, _) => "pass",
                            (false, true) => "UNCERTAIN",
                            (false, false) => "FAIL",
                        };
                        deviates |= c.is_deviation();
                        writeln!(
                            out,
                            "{verdict:9} {:13} {}",
                            c.check.as_str(),
                            session.redactor.text(&c.message)
                        )
                        .map_err(io)?;
                    }
                    return Ok(deviates);
                }
            }
        }
        let instance = instance.expect("checked above");
        let outcome = scenario::execute(
            &model,
            &session.client,
            &config.generation.fixtures,
            &instance,
        )
        .await;
        writeln!(out, "scenario {} ({})", instance.id, instance.scenario).map_err(io)?;
        for step in &outcome.steps {
            writeln!(
                out,
                "{:9} {}{} ({}): {}{}",
                if step.problem.is_some() {
                    "FAIL"
                } else {
                    "pass"
                },
                if step.cleanup { "cleanup " } else { "" },
                step.name,
                step.operation,
                step.actual_text(),
                step.problem
                    .as_ref()
                    .map(|p| format!(" — {}", session.redactor.text(p)))
                    .unwrap_or_default()
            )
            .map_err(io)?;
        }
        if let Some(e) = &outcome.transport_error {
            writeln!(out, "stopped: {}", session.redactor.text(e)).map_err(io)?;
        }
        Ok(!outcome.passed())
    };
    use futures::FutureExt;
    let outcome = std::panic::AssertUnwindSafe(body).catch_unwind().await;
    let (deviates, restored) = guarded(&model, vec![session], reporter, async {
        match outcome {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(result) => result,
        }
    })
    .await?;
    Ok((deviates, restored))
}
