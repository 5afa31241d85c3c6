//! The run: generate cases, send them to a target, check the answers, shrink failures, and emit events.
//!
//! The runner never prints: everything it has to say goes out as [`Event`]s to the reporters it is given.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;

use crate::case::{Case, CaseKind};
use crate::check::{CheckName, CheckResult, normalise_error_type, run_checks};
use crate::client::{
    Client, ClientConfig, CredentialSource, Exchange, TransportError, curl_command,
    resolve_credentials,
};
use crate::emulator::{EmulatorConfig, EmulatorHandle};
use crate::generate::{self, GenConfig};
use crate::report::{
    Actual, Baseline, BaselineKey, CaseResult, Event, Reporter, Reproduce, ShrunkCase, Summary,
};
use crate::spec::{Operation, Service, SpecSet};

/// Everything a run needs besides the specs and the reporters.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// The target; `None` starts the embedded reference target in-process.
    pub endpoint: Option<String>,
    /// AWS profile for credentials (`--profile`, else `AWS_PROFILE`).
    pub profile: Option<String>,
    /// The user's region; a service's region rule may fix another.
    pub region: Option<String>,
    /// What to generate.
    pub gen: GenConfig,
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
    pub baseline: Option<Baseline>,
    /// Faults the embedded target is started with (tests and demonstrations).
    pub embedded_faults: Vec<String>,
}

/// How a run ended.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    /// Counts.
    pub summary: Summary,
    /// Deviations not covered by the baseline.
    pub new_deviations: usize,
    /// Every deviation key seen (for `--update-baseline`).
    pub deviation_keys: Vec<BaselineKey>,
    /// Whether Ctrl-C stopped the run.
    pub interrupted: bool,
}

/// Why a run could not be carried out at all (as opposed to deviations, which are results).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// Bad configuration: unknown fixture, missing credentials, a bad endpoint URL.
    #[error("{0}")]
    Config(String),
    /// The target refused or did not answer before any case ran.
    #[error("failed to reach the target: {0}")]
    Unreachable(#[source] TransportError),
    /// The embedded target could not start.
    #[error("failed to start the embedded target")]
    Embedded(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// A reporter failed (a report file could not be written).
    #[error("failed to write a report")]
    Report(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// A target, started here or given by the user.
struct Target {
    endpoint: String,
    _embedded: Option<EmulatorHandle>,
}

/// Runs the cases the config selects and reports them; returns when every case ran or Ctrl-C was pressed.
pub async fn run(
    specs: Arc<SpecSet>,
    config: RunConfig,
    reporter: &mut dyn Reporter,
) -> Result<RunOutcome, RunError> {
    let target = start_target(&specs, &config).await?;
    let (credentials, source) = match &config.endpoint {
        None => crate::client::test_credentials(),
        Some(endpoint) => resolve_credentials(endpoint, config.profile.as_deref())
            .await
            .map_err(|e| RunError::Config(e.to_string()))?,
    };
    if matches!(source, CredentialSource::TestKeyPair) {
        emit(
            reporter,
            Event::Note(format!(
                "signing with the documented test key pair ({}) for the loopback target {}",
                crate::credentials::TEST_ACCESS_KEY_ID,
                target.endpoint
            )),
        )?;
    }
    let client = Client::new(ClientConfig {
        endpoint: target.endpoint.clone(),
        region: config.region.clone(),
        credentials,
        timeout: config.timeout,
        rate: config.rate,
        max_retries: config.max_retries,
        max_response_bytes: 1 << 20,
    })
    .map_err(|e| RunError::Config(e.to_string()))?;
    client.probe().await.map_err(RunError::Unreachable)?;

    let started = Instant::now();
    emit(
        reporter,
        Event::RunStarted {
            seed: config.gen.seed,
            target: target.endpoint.clone(),
            total: None,
        },
    )?;

    let runner = CaseRunner {
        specs: &specs,
        config: &config,
        client: &client,
        endpoint: &target.endpoint,
    };
    let mut tally = Tally::default();
    let cases = generate::generate(&specs, &config.gen).filter(|case| in_partition(case, config.partition));
    let mut results = futures::stream::iter(cases)
        .map(|case| runner.run_case(case))
        .buffer_unordered(config.concurrency.max(1));
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    let mut interrupted = false;
    loop {
        tokio::select! {
            next = results.next() => match next {
                Some(result) => {
                    tally.add(&result, config.baseline.as_ref());
                    emit(reporter, Event::CaseFinished(result))?;
                }
                None => break,
            },
            _ = &mut ctrl_c => {
                interrupted = true;
                break;
            }
        }
    }
    drop(results);

    let summary = tally.summary.clone();
    if let Some(baseline) = &config.baseline {
        let gone = baseline.missing_from(&tally.keys);
        if !gone.is_empty() {
            emit(
                reporter,
                Event::Note(format!(
                    "{} baseline entr{} no longer seen: {}",
                    gone.len(),
                    if gone.len() == 1 { "y is" } else { "ies are" },
                    gone.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
                )),
            )?;
        }
    }
    emit(
        reporter,
        Event::RunFinished {
            summary: summary.clone(),
            elapsed: started.elapsed(),
            interrupted,
        },
    )?;
    reporter.finish().map_err(|e| RunError::Report(Box::new(e)))?;
    Ok(RunOutcome {
        summary,
        new_deviations: tally.new_deviations,
        deviation_keys: tally.keys,
        interrupted,
    })
}

fn emit(reporter: &mut dyn Reporter, event: Event) -> Result<(), RunError> {
    reporter
        .event(&event)
        .map_err(|e| RunError::Report(Box::new(e)))
}

async fn start_target(specs: &Arc<SpecSet>, config: &RunConfig) -> Result<Target, RunError> {
    match &config.endpoint {
        Some(endpoint) => Ok(Target {
            endpoint: endpoint.trim_end_matches('/').to_string(),
            _embedded: None,
        }),
        None => {
            let mut emulator = EmulatorConfig::new(config.gen.fixtures.clone());
            emulator.faults = config.embedded_faults.clone();
            let handle = crate::emulator::start(
                Arc::clone(specs),
                emulator,
                ([127, 0, 0, 1], 0).into(),
            )
            .await
            .map_err(|e| RunError::Embedded(Box::new(e)))?;
            Ok(Target {
                endpoint: handle.endpoint(),
                _embedded: Some(handle),
            })
        }
    }
}

/// Whether a case falls in partition `k` of `n`: by a stable hash of its id, so every job agrees.
fn in_partition(case: &Case, partition: Option<(u64, u64)>) -> bool {
    match partition {
        None => true,
        Some((k, n)) => {
            use sha2::{Digest, Sha256};
            let digest = Sha256::digest(case.id.as_bytes());
            let bucket = u64::from_be_bytes(digest[..8].try_into().expect("8 bytes")) % n;
            bucket == k - 1
        }
    }
}

#[derive(Default)]
struct Tally {
    summary: Summary,
    keys: Vec<BaselineKey>,
    new_deviations: usize,
}

impl Tally {
    fn add(&mut self, result: &CaseResult, baseline: Option<&Baseline>) {
        self.summary.add(result);
        if result.deviation {
            for key in Baseline::keys_for(result) {
                if !baseline.is_some_and(|b| b.contains(&key)) {
                    self.new_deviations += 1;
                }
                if !self.keys.contains(&key) {
                    self.keys.push(key);
                }
            }
        }
    }
}

struct CaseRunner<'a> {
    specs: &'a SpecSet,
    config: &'a RunConfig,
    client: &'a Client,
    endpoint: &'a str,
}

impl CaseRunner<'_> {
    async fn run_case(&self, case: Case) -> CaseResult {
        let Some((service, op)) = self.specs.operation(&case.operation) else {
            unreachable!("cases are generated from these specs")
        };
        let sent = self.client.send(service, &case).await;
        let mut result = self.judge(service, op, &case, &sent);
        if result.deviation && self.config.shrink {
            result.shrunk = self.shrink(service, op, &case, &result).await;
        }
        result
    }

    /// Checks one exchange and builds its result.
    fn judge(
        &self,
        service: &Service,
        op: &Operation,
        case: &Case,
        sent: &Result<Exchange, TransportError>,
    ) -> CaseResult {
        let sensitive: Vec<&str> = op
            .input
            .iter()
            .filter(|m| m.sensitive)
            .map(|m| m.name.as_str())
            .collect();
        let (request, actual, checks, transport_error, retries, excerpt) = match sent {
            Ok(exchange) => {
                let checks = run_checks(service, op, case, &exchange.response, &self.config.checks);
                let actual = Actual {
                    status: exchange.response.status,
                    error_type: normalise_error_type(service.protocol, &exchange.response),
                };
                (
                    exchange.request.clone(),
                    Some(actual),
                    checks,
                    None,
                    exchange.retries,
                    Some(excerpt(&exchange.response.body)),
                )
            }
            Err(e) => (case.request.clone(), None, Vec::new(), Some(e.to_string()), 0, None),
        };
        let failed: Vec<&CheckResult> = checks.iter().filter(|c| !c.passed).collect();
        let error = transport_error.is_some();
        let uncertain_only = !failed.is_empty() && failed.iter().all(|c| c.uncertain);
        let deviation = !error && failed.iter().any(|c| !c.uncertain);
        CaseResult {
            id: case.id.clone(),
            service: case.service.clone(),
            operation: case.operation.clone(),
            kind: case.kind,
            mutation: case.mutation.clone(),
            expected: case.expected.clone(),
            actual,
            passed: !error && failed.is_empty(),
            uncertain: uncertain_only,
            deviation,
            error,
            checks,
            transport_error,
            retries,
            shrunk: None,
            reproduce: Reproduce {
                curl: curl_command(&request, self.endpoint, &sensitive),
                replay: replay_command(case, self.config),
            },
            body_excerpt: excerpt,
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
        let mut tree = generate::shrink(self.specs, &self.config.gen, case)?;
        let signature = failure_signature(failing);
        let mut best: Option<Case> = None;
        let mut steps = 0;
        if !tree.simplify() {
            return None;
        }
        loop {
            steps += 1;
            if steps > MAX_STEPS {
                break;
            }
            let candidate = tree.current();
            let sent = self.client.send(service, &candidate).await;
            let result = self.judge(service, op, &candidate, &sent);
            let same = result.deviation && failure_signature(&result) == signature;
            let moved = if same {
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
            steps,
        })
    }
}

/// What "the same failure" means when shrinking: which checks failed, and the error type that came back.
fn failure_signature(result: &CaseResult) -> (Vec<CheckName>, Option<String>) {
    let mut checks: Vec<CheckName> = result
        .checks
        .iter()
        .filter(|c| !c.passed && !c.uncertain)
        .map(|c| c.check)
        .collect();
    checks.sort();
    (checks, result.actual.as_ref().and_then(|a| a.error_type.clone()))
}

fn replay_command(case: &Case, config: &RunConfig) -> String {
    let mut command = format!(
        "conform replay {} --seed {} --cases {}",
        case.id, config.gen.seed, config.gen.cases
    );
    if let Some(endpoint) = &config.endpoint {
        command.push_str(&format!(" --endpoint {endpoint}"));
    }
    for (key, value) in config.gen.fixtures.overrides() {
        command.push_str(&format!(" --fixture {key}={value}"));
    }
    command
}

/// The first bytes of a body, as text, for reports.
fn excerpt(body: &[u8]) -> String {
    const MAX: usize = 300;
    let text = String::from_utf8_lossy(&body[..body.len().min(MAX)]).into_owned();
    if body.len() > MAX {
        format!("{text}…")
    } else {
        text
    }
}
