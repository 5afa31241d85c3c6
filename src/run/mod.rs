//! The run: generate cases, send them to a target, check the answers, shrink failures, and emit events.
//!
//! The runner never prints: everything it has to say goes out as [`Event`]s to the reporter it is given.
//! A run has three phases, so that cases which depend on state do not trip over each other:
//! 1. the documents' examples, one at a time, each after its setup calls;
//! 2. the generated single-request cases, concurrently (their expectations allow for state: `on_state`);
//! 3. the scenarios, one at a time.

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
use crate::scenario;
use crate::snapshot::{Recording, SnapshotMode, SnapshotStore, Verdict, normalise};
use crate::spec::{Operation, Service, SpecSet};

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
        }
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
pub async fn run(
    specs: Arc<SpecSet>,
    config: RunConfig,
    reporter: &mut dyn Reporter,
) -> Result<RunOutcome, RunError> {
    let target = start_target(&specs, &config).await?;
    let client = client_for(&target, &config, reporter).await?;
    let started = Instant::now();
    emit(
        reporter,
        Event::RunStarted {
            seed: config.generation.seed,
            target: target.label.clone(),
            total: None,
        },
    )?;
    let runner = CaseRunner {
        specs: &specs,
        config: &config,
        client: &client,
        target: &target,
        store: SnapshotStore::new(&config.snapshot_dir),
    };
    let mut tally = Tally {
        summary: Summary::default(),
        tracker: BaselineTracker::new(config.baseline.clone()),
        snapshots_written: 0,
    };
    let interrupted = runner.run_phases(&mut tally, reporter).await?;

    let comparison = tally.tracker.comparison();
    if !comparison.gone.is_empty() {
        emit(
            reporter,
            Event::Note(format!(
                "{} baseline entr{} no longer seen (the emulator may have been fixed; --update-baseline drops {}): {}",
                comparison.gone.len(),
                if comparison.gone.len() == 1 {
                    "y is"
                } else {
                    "ies are"
                },
                if comparison.gone.len() == 1 {
                    "it"
                } else {
                    "them"
                },
                comparison
                    .gone
                    .iter()
                    .map(|k| format!("{k:?}"))
                    .collect::<Vec<_>>()
                    .join("; ")
            )),
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
    })
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
}

impl CaseRunner<'_> {
    /// The three phases; true when Ctrl-C stopped them.
    async fn run_phases(
        &self,
        tally: &mut Tally,
        reporter: &mut dyn Reporter,
    ) -> Result<bool, RunError> {
        let ctrl_c = tokio::signal::ctrl_c();
        tokio::pin!(ctrl_c);

        // 1. Examples, each after its setup calls.
        let examples: Vec<_> = generate::example_cases(self.specs, &self.config.generation)
            .into_iter()
            .filter(|e| in_partition(&e.case.id, self.config.partition))
            .collect();
        for example in examples {
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
            tokio::select! {
                (result, written) = done => {
                    tally.snapshots_written += written;
                    tally.finish(result, reporter)?;
                }
                _ = &mut ctrl_c => return Ok(true),
            }
        }

        // 2. Generated cases, concurrently.
        let cases = generate::generate(self.specs, &self.config.generation).filter(|case| {
            case.mutation
                .as_ref()
                .is_none_or(|m| m.class != generate::EXAMPLE_CLASS)
                && in_partition(&case.id, self.config.partition)
        });
        let mut results = futures::stream::iter(cases)
            .map(|case| self.run_case(case))
            .buffer_unordered(self.config.concurrency.max(1));
        loop {
            tokio::select! {
                next = results.next() => match next {
                    Some((result, written)) => {
                        tally.snapshots_written += written;
                        tally.finish(result, reporter)?;
                    }
                    None => break,
                },
                _ = &mut ctrl_c => return Ok(true),
            }
        }
        drop(results);

        // 3. Scenarios, one at a time: each sets up and cleans up the state it tests.
        if self.config.scenarios {
            let instances: Vec<_> = scenario::instances(
                self.specs,
                &self.config.generation,
                self.config.scenario_draws,
            )
            .into_iter()
            .filter(|i| in_partition(&i.id, self.config.partition))
            .collect();
            for instance in instances {
                tokio::select! {
                    (result, written) = self.run_scenario(&instance) => {
                        tally.snapshots_written += written;
                        tally.finish(result, reporter)?;
                    }
                    _ = &mut ctrl_c => return Ok(true),
                }
            }
        }
        Ok(false)
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
        let sensitive: Vec<&str> = op
            .input
            .iter()
            .filter(|m| m.sensitive)
            .map(|m| m.name.as_str())
            .collect();
        let request = sent.as_ref().map_or(&case.request, |e| &e.request);
        let reproduce = Reproduce {
            curl: curl_command(request, &self.target.endpoint, &sensitive),
            replay: replay_command(&case.id, self.config),
        };
        match sent {
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
        }
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
    command
}

/// Fires the same cases and scenarios, in the same order, at two targets and reports every difference in status,
/// error type and normalised body (the snapshot normalisation: same redactions, sensitive members masked).
///
/// Cases run one at a time so that both targets see the same sequence and state-dependent answers stay comparable.
/// `config.endpoint` (or the embedded target) is A; `against` is B.
pub async fn diff(
    specs: Arc<SpecSet>,
    config: RunConfig,
    against: RunConfig,
    reporter: &mut dyn Reporter,
) -> Result<RunOutcome, RunError> {
    let target_a = start_target(&specs, &config).await?;
    let target_b = start_target(&specs, &against).await?;
    let client_a = client_for(&target_a, &config, reporter).await?;
    let client_b = client_for(&target_b, &against, reporter).await?;
    let started = Instant::now();
    emit(
        reporter,
        Event::RunStarted {
            seed: config.generation.seed,
            target: format!("{} against {}", target_a.label, target_b.label),
            total: None,
        },
    )?;
    let mut tally = Tally {
        summary: Summary::default(),
        tracker: BaselineTracker::new(config.baseline.clone()),
        snapshots_written: 0,
    };
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    let mut interrupted = false;
    let cases = generate::generate(&specs, &config.generation)
        .filter(|case| in_partition(&case.id, config.partition))
        .map(Item::Case);
    let instances = if config.scenarios {
        scenario::instances(&specs, &config.generation, config.scenario_draws)
    } else {
        Vec::new()
    };
    let instances = instances
        .into_iter()
        .filter(|i| in_partition(&i.id, config.partition))
        .map(Item::Scenario);
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
                    let a =
                        scenario::execute(&specs, &client_a, &config.generation.fixtures, instance)
                            .await;
                    let b =
                        scenario::execute(&specs, &client_b, &config.generation.fixtures, instance)
                            .await;
                    scenario_parity(&specs, &a, &b, &config, &target_a)
                }
            }
        };
        tokio::select! {
            result = compare => tally.finish(result, reporter)?,
            _ = &mut ctrl_c => {
                interrupted = true;
                break;
            }
        }
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
    Ok(RunOutcome {
        summary: tally.summary,
        new_deviations: tally.tracker.new_deviations(),
        updated_baseline: tally.tracker.updated(),
        gone: Vec::new(),
        snapshots_written: 0,
        interrupted,
    })
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
