//! Run events and the reporters that consume them: terminal, JSON, JUnit; plus baselines, merging and exit codes.
//!
//! The runner never prints: it emits [`Event`]s into a [`Fanout`] of [`Reporter`]s (cargo-nextest's design).
//!
//! A case ends in exactly one of four states, counted in the [`Summary`]:
//! - *error*: no usable response came (reset, timeout, oversized body): `transport_error` is set;
//! - *failed* (a deviation): some check failed and is not uncertain;
//! - *uncertain*: only checks of an uncertain expectation failed; never a deviation;
//! - *passed*: every check passed.
//!
//! The probes of an operation the target does not implement (each failed the `implemented` check) are no cases:
//! the summary counts them apart ([`NotImplemented`]), with the operations they found.
//!
//! Exit codes ([`exit_for`]): 3 when the run was interrupted or the target kept throttling, 5 when `--max-time`
//! cut it short, else 1 when any deviation is new (not in the baseline), any operation is not implemented (unless
//! the baseline accepts it) or any case ended in a transport error (a target that drops connections deviates too),
//! else 0.

mod baseline;
mod bodies;
pub mod bounded;
mod html;
mod json;
mod junit;
pub mod matrix;
pub mod matrix_file;
mod merge;
mod outputs;
mod terminal;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::case::{Case, CaseKind, Mutation};
use crate::check::{CheckName, CheckResult, body_excerpt, error_type_of};
use crate::exit::Exit;
use crate::model::Service;
use crate::oracle::Expected;
use crate::protocol::HttpResponse;

pub use baseline::{
    BASELINE_ABOUT, Baseline, BaselineComparison, BaselineEntry, BaselineKey, BaselineTracker,
    stale_entries_note,
};
pub use bodies::{CappedBody, MAX_KEPT_BODY_BYTES, cap_bodies};
pub use html::page as matrix_page;
pub use json::JsonReporter;
pub use junit::JunitReporter;
pub use merge::{MergeOptions, MergeOutcome, ReportHeader, merge_reports, read_report, same_file};
pub use outputs::{ReportArgs, StreamGuard};
pub use terminal::{
    TerminalOptions, TerminalReporter, color_enabled, render_summary, severity, stderr_color,
};

/// How many characters of a response body a result keeps.
pub const BODY_EXCERPT_CHARS: usize = 300;

/// Where a run's results come from: what `conform report merge` compares before it joins partitions, so that
/// parts of different runs are never added up as one.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RunOrigin {
    /// The version of conform that ran it.
    pub conform_version: String,
    /// A digest of what decides the cases: the services loaded (specs and models), the selection and the
    /// generation settings (see `engine::run_digest`); empty when unknown.
    pub digest: String,
    /// Which partition of the run this is (`--partition K/N`), when it is one.
    pub partition: Option<PartitionId>,
}

/// Partition `k` of `n` (1-based), as `--partition K/N` names it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct PartitionId {
    /// Which one, from 1.
    pub k: u64,
    /// Of how many.
    pub n: u64,
}

impl std::fmt::Display for PartitionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.k, self.n)
    }
}

impl RunOrigin {
    /// The origin of a run of this conform with `digest`, partition `partition` (`(k, n)`, 1-based).
    pub fn new(digest: String, partition: Option<(u64, u64)>) -> Self {
        RunOrigin {
            conform_version: env!("CARGO_PKG_VERSION").to_string(),
            digest,
            partition: partition.map(|(k, n)| PartitionId { k, n }),
        }
    }
}

/// Something that happened during a run.
#[derive(Debug, Clone)]
pub enum Event {
    /// The run starts.
    RunStarted {
        /// The seed every case derives from.
        seed: u64,
        /// The endpoint (`http://127.0.0.1:5000`, or `embedded` for the built-in target).
        target: String,
        /// The number of cases, when known in advance.
        total: Option<u64>,
        /// The phases that will run, in order, with their numbers of cases (for progress; may be empty).
        phases: Vec<(Phase, u64)>,
        /// Which conform ran it, from what, and which part of the run it is (for joining partitions safely).
        origin: RunOrigin,
    },
    /// One case is done: checked, and shrunk if it failed.
    CaseFinished(Box<CaseResult>),
    /// Something the user should know once (`signing with the documented test key pair`).
    Note(String),
    /// A service selected (`--service all`, a glob) but not run: its protocol is one conform does not speak yet.
    /// The matrix lists it apart; the human report says so in a note.
    ServiceSkipped {
        /// The service.
        service: String,
        /// Why.
        reason: String,
    },
    /// The run is over, completely or not.
    RunFinished {
        /// The counts.
        summary: Summary,
        /// Wall time of the run.
        elapsed: Duration,
        /// Why it stopped before every case ran, if it did; the reports cover what ran.
        stopped: Option<Stopped>,
    },
}

/// Why a run stopped before every case ran. The JSON report carries it as `stopped`: `{"reason": "signal"}`,
/// `{"reason": "max-time", "limit_ms": 60000}`, `{"reason": "unavailable", "in_a_row": 20, "status": 503}` or, for a
/// target that stopped accepting connections, `{"reason": "unavailable", "in_a_row": 0, "status": 0, "refused_ms":
/// 10000}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "kebab-case")]
pub enum Stopped {
    /// Ctrl-C, or SIGTERM.
    Signal,
    /// The overall deadline (`--max-time`) passed.
    MaxTime {
        /// The limit the user gave, in milliseconds.
        limit_ms: u64,
    },
    /// The target answered this many requests in a row as throttled or unavailable (429, 503, a throttling error
    /// type), retries included: it is persistently unavailable, and more requests would only be throttled too. Or
    /// it refused every connection for a whole request timeout (`refused_ms`): it went away during the run.
    Unavailable {
        /// Throttled answers in a row (0 when it refused connections).
        in_a_row: u32,
        /// The status of the last one (0 when it refused connections).
        status: u16,
        /// How long it refused connections, in milliseconds, when that is why.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        refused_ms: Option<u64>,
    },
}

impl Stopped {
    /// The name the JSON report gives it (`stopped`).
    pub fn name(&self) -> &'static str {
        match self {
            Stopped::Signal => "signal",
            Stopped::MaxTime { .. } => "max-time",
            Stopped::Unavailable { .. } => "unavailable",
        }
    }

    /// The verdict, as the terminal and the JSON notes say it.
    pub fn verdict(&self) -> String {
        match self {
            Stopped::Signal => "interrupted: the reports cover the cases that ran".to_string(),
            Stopped::MaxTime { limit_ms } => format!(
                "cut short: --max-time {} passed before every case ran; the reports cover the cases that ran",
                crate::client::human_duration(Duration::from_millis(*limit_ms))
            ),
            Stopped::Unavailable {
                refused_ms: Some(ms),
                ..
            } => format!(
                "stopped early: the target stopped accepting connections (every connection refused for {}); the \
                 reports cover the cases that ran, and its last cases, refused, say nothing about its conformance",
                crate::client::human_duration(Duration::from_millis(*ms))
            ),
            Stopped::Unavailable {
                in_a_row, status, ..
            } => format!(
                "stopped early: the target is throttling or unavailable ({in_a_row} answers in a row were \
                 throttled, the last one {status}, retries included); the reports cover the cases that ran, and \
                 the cases it throttled say nothing about its conformance"
            ),
        }
    }
}

/// The phases of a run, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Phase {
    /// The documents' examples, one at a time.
    Examples,
    /// The generated single requests, concurrently.
    SingleRequests,
    /// The stateful scenarios, one at a time.
    Scenarios,
}

impl Phase {
    /// The phase a result belongs to: scenarios by kind, examples by their mutation class.
    pub fn of(result: &CaseResult) -> Phase {
        if result.kind == CaseKind::Scenario {
            Phase::Scenarios
        } else if result
            .mutation
            .as_ref()
            .is_some_and(|m| m.class == crate::case::CaseClass::Example)
        {
            Phase::Examples
        } else {
            Phase::SingleRequests
        }
    }

    /// How progress names it.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Examples => "examples",
            Phase::SingleRequests => "single requests",
            Phase::Scenarios => "scenarios",
        }
    }
}

/// The status and error type a response had.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actual {
    /// HTTP status.
    pub status: u16,
    /// Normalised error type, `None` for successes and errors that carry none.
    pub error_type: Option<String>,
}

/// The smallest case that still fails the same way (same check, same actual error type), after shrinking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShrunkCase {
    /// Its id, replayable with `conform replay`.
    pub id: String,
    /// What it mutates.
    #[serde(default, deserialize_with = "json::deserialize_mutation")]
    pub mutation: Option<Mutation>,
    /// Its request body, with sensitive values already masked by whoever built it.
    pub body: String,
}

/// How to send a case again.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Reproduce {
    /// A curl command, Authorization redacted and sensitive values masked (by the client); for results that did
    /// not pass only (empty, and left out of the JSON report, for the others).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub curl: String,
    /// `conform replay ID --seed N ...`.
    pub replay: String,
}

/// Everything known about one case after it ran.
#[derive(Debug, Clone)]
pub struct CaseResult {
    /// The case id.
    pub id: String,
    /// Service name.
    pub service: String,
    /// Operation name.
    pub operation: String,
    /// Valid, invalid, malformed or scenario.
    pub kind: CaseKind,
    /// What was broken.
    pub mutation: Option<Mutation>,
    /// What was expected.
    pub expected: Expected,
    /// What came back; `None` when no response came.
    pub actual: Option<Actual>,
    /// What the other target answered (`conform diff`).
    pub against: Option<Actual>,
    /// The verdicts of the checks that applied.
    pub checks: Vec<CheckResult>,
    /// Why no usable response came.
    pub transport_error: Option<String>,
    /// How many times 429/503 answers were retried.
    pub retries: u32,
    /// Every check passed.
    pub passed: bool,
    /// Only checks of an uncertain expectation failed.
    pub uncertain: bool,
    /// A check failed that is not uncertain.
    pub deviation: bool,
    /// No usable response came.
    pub error: bool,
    /// A deviation whose every failed check is in the baseline (set by [`Baseline::mark`]).
    pub baselined: bool,
    /// The smallest failing case after shrinking.
    pub shrunk: Option<ShrunkCase>,
    /// The case whose shrinking stands for this one: a run shrinks once per kind of deviation (its baseline keys),
    /// and the other deviations of that kind name the one it shrank.
    pub shrunk_with: Option<String>,
    /// How to send it again.
    pub reproduce: Reproduce,
    /// The start of the response body.
    pub body_excerpt: Option<String>,
    /// The bodies this result keeps only in part, with their full length and digest ([`cap_bodies`]).
    pub capped_bodies: Vec<CappedBody>,
}

impl CaseResult {
    /// Builds the result of a case from the response (or the transport error) and the check verdicts,
    /// deriving `actual`, the body excerpt and the four state flags.
    pub fn new(
        case: &Case,
        service: &Service,
        response: Result<&HttpResponse, String>,
        checks: Vec<CheckResult>,
        retries: u32,
        reproduce: Reproduce,
    ) -> CaseResult {
        let mut capped_bodies = Vec::new();
        let (actual, body, transport_error) = match response {
            Ok(r) => {
                let excerpt = body_excerpt(&r.body, BODY_EXCERPT_CHARS);
                if r.body.len() > BODY_EXCERPT_CHARS {
                    let text = String::from_utf8_lossy(&r.body);
                    if let Some((kept, _)) = text.char_indices().nth(BODY_EXCERPT_CHARS) {
                        capped_bodies.push(CappedBody::of("response", &r.body, kept));
                    }
                }
                (
                    Some(Actual {
                        status: r.status,
                        error_type: error_type_of(service, r),
                    }),
                    Some(excerpt),
                    None,
                )
            }
            Err(e) => (None, None, Some(e)),
        };
        let mut result = CaseResult {
            id: case.id.clone(),
            service: case.service.clone(),
            operation: case.operation.clone(),
            kind: case.kind,
            mutation: case.mutation.clone(),
            expected: case.expected.clone(),
            actual,
            against: None,
            checks,
            transport_error,
            retries,
            passed: false,
            uncertain: false,
            deviation: false,
            error: false,
            baselined: false,
            shrunk: None,
            shrunk_with: None,
            reproduce,
            body_excerpt: body,
            capped_bodies,
        };
        result.classify();
        result
    }

    /// Whether this is a probe that found its operation not implemented (it failed the `implemented` check): a
    /// finding about the operation, counted apart from the cases ([`NotImplemented`]).
    pub fn is_not_implemented(&self) -> bool {
        self.transport_error.is_none()
            && self
                .checks
                .iter()
                .any(|c| c.check == CheckName::Implemented && c.is_deviation())
    }

    /// Sets `passed`, `uncertain`, `deviation` and `error` from `checks` and `transport_error`.
    pub fn classify(&mut self) {
        self.error = self.transport_error.is_some();
        self.deviation = !self.error && self.checks.iter().any(CheckResult::is_deviation);
        self.uncertain = !self.error && !self.deviation && self.checks.iter().any(|c| !c.passed);
        self.passed = !self.error && !self.deviation && !self.uncertain;
    }

    /// The checks that failed (uncertain ones included).
    pub fn failed_checks(&self) -> impl Iterator<Item = &CheckResult> {
        self.checks.iter().filter(|c| !c.passed)
    }

    /// `400 ValidationException`, or the list of accepted outcomes.
    pub fn expected_text(&self) -> String {
        let mut seen: Vec<String> = Vec::new();
        for o in &self.expected.accept {
            let text = outcome_text(o.status, o.error_type.as_deref());
            if !seen.contains(&text) {
                seen.push(text);
            }
        }
        seen.join(" or ")
    }

    /// `400 ValidationException`, or `no response (…)`.
    pub fn actual_text(&self) -> String {
        match (&self.actual, &self.transport_error) {
            (Some(a), _) => outcome_text(a.status, a.error_type.as_deref()),
            (None, Some(e)) => format!("no response ({e})"),
            (None, None) => "no response".into(),
        }
    }
}

fn outcome_text(status: u16, error_type: Option<&str>) -> String {
    match error_type {
        Some(t) => format!("{status} {t}"),
        None => status.to_string(),
    }
}

/// Counts of case states, or of check verdicts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Passed.
    pub passed: u64,
    /// Deviations.
    pub failed: u64,
    /// Failed but uncertain.
    pub uncertain: u64,
    /// No usable response (cases only).
    pub errors: u64,
}

impl Counts {
    fn add(&mut self, other: &Counts) {
        self.passed += other.passed;
        self.failed += other.failed;
        self.uncertain += other.uncertain;
        self.errors += other.errors;
    }
}

/// The operations a run found not implemented, and their probes: counted apart from the cases, since a probe of
/// such an operation says one thing about the operation, not about a request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotImplemented {
    /// The operations, as `service.Operation`.
    pub operations: BTreeSet<String>,
    /// The operations that crash on every valid request or are not implemented, which their probes (each
    /// answered by a bare 500 page) cannot tell apart; as `service.Operation`.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub crash_or_missing: BTreeSet<String>,
    /// Their probes (each answered as an operation the target does not know, or with a bare 500 page).
    pub probes: u64,
    /// Of those probes, the ones whose finding the baseline accepts.
    #[serde(default)]
    pub baselined: u64,
}

impl NotImplemented {
    /// Whether no operation was found not implemented.
    pub fn is_empty(&self) -> bool {
        self.probes == 0 && self.operations.is_empty() && self.crash_or_missing.is_empty()
    }

    /// Probes whose finding the baseline does not accept.
    pub fn new_findings(&self) -> u64 {
        self.probes.saturating_sub(self.baselined)
    }

    fn add(&mut self, result: &CaseResult) {
        let key = format!("{}.{}", result.service, result.operation);
        if result.checks.iter().any(|c| {
            c.check == CheckName::Implemented && c.expected == crate::check::EXPECTED_NO_CRASH
        }) {
            self.crash_or_missing.insert(key);
        } else {
            self.operations.insert(key);
        }
        self.probes += 1;
        if result.baselined {
            self.baselined += 1;
        }
    }

    fn merge(&mut self, other: &NotImplemented) {
        self.operations.extend(other.operations.iter().cloned());
        self.crash_or_missing
            .extend(other.crash_or_missing.iter().cloned());
        self.probes += other.probes;
        self.baselined += other.baselined;
    }

    /// `12 operation(s) not implemented (24 probes, not counted as cases)`, with those that may crash instead and
    /// the baseline's share.
    pub fn line(&self) -> String {
        format!(
            "{} operation(s) not implemented{} ({} probe(s), not counted as cases{})",
            self.operations.len(),
            if self.crash_or_missing.is_empty() {
                String::new()
            } else {
                format!(
                    ", {} crashing on every valid request or not implemented (a bare 500 page cannot tell)",
                    self.crash_or_missing.len()
                )
            },
            self.probes,
            if self.baselined > 0 {
                format!("; {} in the baseline", self.baselined)
            } else {
                String::new()
            }
        )
    }
}

/// The counts of a run, overall, per operation and per check.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Cases that ran (the probes of operations found not implemented are counted apart, in `not_implemented`).
    pub total: u64,
    /// Cases that passed every check.
    pub passed: u64,
    /// Cases with a deviation (baselined ones included; see `baselined`).
    pub failed: u64,
    /// Cases whose only failures are uncertain.
    pub uncertain: u64,
    /// Cases with no usable response.
    pub errors: u64,
    /// Deviating cases whose every failure is in the baseline.
    #[serde(default)]
    pub baselined: u64,
    /// Case states per operation.
    #[serde(default)]
    pub operations: BTreeMap<String, Counts>,
    /// Check verdicts per check.
    #[serde(default)]
    pub checks: BTreeMap<CheckName, Counts>,
    /// The operations found not implemented and their probes, which are not counted as cases.
    #[serde(default, skip_serializing_if = "NotImplemented::is_empty")]
    pub not_implemented: NotImplemented,
}

impl Summary {
    /// Counts one case, or one probe of an operation found not implemented (apart, in `not_implemented`).
    pub fn add(&mut self, result: &CaseResult) {
        if result.is_not_implemented() {
            self.not_implemented.add(result);
            return;
        }
        self.total += 1;
        let op = self.operations.entry(result.operation.clone()).or_default();
        if result.error {
            self.errors += 1;
            op.errors += 1;
        } else if result.deviation {
            self.failed += 1;
            op.failed += 1;
            if result.baselined {
                self.baselined += 1;
            }
        } else if result.uncertain {
            self.uncertain += 1;
            op.uncertain += 1;
        } else {
            self.passed += 1;
            op.passed += 1;
        }
        for check in &result.checks {
            let counts = self.checks.entry(check.check).or_default();
            if check.passed {
                counts.passed += 1;
            } else if check.uncertain {
                counts.uncertain += 1;
            } else {
                counts.failed += 1;
            }
        }
    }

    /// Adds another summary's counts (partitions of one run).
    pub fn merge(&mut self, other: &Summary) {
        self.total += other.total;
        self.passed += other.passed;
        self.failed += other.failed;
        self.uncertain += other.uncertain;
        self.errors += other.errors;
        self.baselined += other.baselined;
        for (op, counts) in &other.operations {
            self.operations.entry(op.clone()).or_default().add(counts);
        }
        for (check, counts) in &other.checks {
            self.checks.entry(*check).or_default().add(counts);
        }
        self.not_implemented.merge(&other.not_implemented);
    }

    /// Deviating cases not in the baseline.
    pub fn new_deviations(&self) -> u64 {
        self.failed.saturating_sub(self.baselined)
    }
}

/// The exit code of a run: 3 if interrupted or stopped by a throttling target; 5 if `--max-time` cut it short; else
/// 1 if any new deviation among the cases (`new_deviations`), any operation not implemented that the baseline does
/// not accept (the summary's `not_implemented`: AWS implements every operation of its models) or any transport
/// error; else 0. A run that did not finish never exits 0 or 1: both would claim to speak for every case.
pub fn exit_for(summary: &Summary, new_deviations: usize, stopped: Option<&Stopped>) -> Exit {
    if let Some(stopped) = stopped {
        stopped_exit(stopped)
    } else if new_deviations > 0 || summary.errors > 0 || summary.not_implemented.new_findings() > 0
    {
        Exit::Deviations
    } else {
        Exit::Ok
    }
}

/// The exit code of a run that stopped early.
pub fn stopped_exit(stopped: &Stopped) -> Exit {
    match stopped {
        Stopped::Signal | Stopped::Unavailable { .. } => Exit::Aborted,
        Stopped::MaxTime { .. } => Exit::CutShort,
    }
}

/// A reporter failed: writing its output, or reading a file it needs.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Writing a report failed.
    #[error("failed to write the {what} report to `{}`", path.display())]
    Write {
        /// Which report (`JSON`, `JUnit`, `terminal`).
        what: &'static str,
        /// Where (`-` for a stream).
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// `--json -` and `--junit -` together: one stream cannot hold both documents.
    #[error(
        "failed to set up the reports: --json and --junit both name `-` (stdout), which can hold only one of them"
    )]
    BothOnStdout,
    /// Serialising JUnit XML failed.
    #[error("failed to serialise the JUnit report")]
    Junit(#[from] quick_junit::SerializeError),
    /// A file could not be read.
    #[error("failed to read `{}`", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// An input file could not be read, or holds more than its limit (the message names file, limit and cause).
    #[error(transparent)]
    Input(#[from] bounded::BoundedReadError),
    /// A baseline file is broken.
    #[error("failed to parse baseline `{}`: {message}", path.display())]
    Baseline {
        /// The file.
        path: PathBuf,
        /// What is wrong and where (line and column).
        message: String,
    },
    /// A file given to `report merge` is no conform report, or does not fit with the others.
    #[error("failed to merge `{}`: {message}", path.display())]
    Merge {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A compact matrix file (`--matrix-json`) cannot be read.
    #[error("failed to read the matrix file `{}`: {message}", path.display())]
    MatrixFile {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// Consumes run events.
pub trait Reporter: Send {
    /// Handles one event.
    fn event(&mut self, event: &Event) -> Result<(), ReportError>;
    /// Flushes and closes the output; called once, after the last event.
    fn finish(&mut self) -> Result<(), ReportError>;
}

/// Sends every event to each of several reporters.
pub struct Fanout(pub Vec<Box<dyn Reporter>>);

impl Fanout {
    /// A fan-out to these reporters.
    pub fn new(reporters: Vec<Box<dyn Reporter>>) -> Self {
        Fanout(reporters)
    }

    /// Adds a reporter.
    pub fn push(&mut self, reporter: Box<dyn Reporter>) {
        self.0.push(reporter);
    }
}

impl Reporter for Fanout {
    /// Every reporter sees the event even if an earlier one fails; the first error is returned.
    fn event(&mut self, event: &Event) -> Result<(), ReportError> {
        let mut first = Ok(());
        for reporter in &mut self.0 {
            let result = reporter.event(event);
            if first.is_ok() {
                first = result;
            }
        }
        first
    }

    fn finish(&mut self) -> Result<(), ReportError> {
        let mut first = Ok(());
        for reporter in &mut self.0 {
            let result = reporter.finish();
            if first.is_ok() {
                first = result;
            }
        }
        first
    }
}

#[cfg(test)]
pub(crate) mod fixtures;

#[cfg(test)]
mod tests {
    use super::fixtures::*;
    use super::*;

    #[test]
    fn case_states_are_exclusive_and_counted() {
        let results = sample_results();
        let mut summary = Summary::default();
        for r in &results {
            assert_eq!(
                [r.passed, r.deviation, r.uncertain, r.error]
                    .iter()
                    .filter(|b| **b)
                    .count(),
                1,
                "{}",
                r.id
            );
            summary.add(r);
        }
        assert_eq!(
            (
                summary.total,
                summary.passed,
                summary.failed,
                summary.uncertain,
                summary.errors
            ),
            (4, 1, 1, 1, 1)
        );
        assert_eq!(summary.operations["PutAlternateContact"].failed, 1);
        assert_eq!(summary.checks[&CheckName::Status].failed, 1);
        assert_eq!(summary.checks[&CheckName::ErrorType].uncertain, 1);
    }

    #[test]
    fn exit_codes_follow_deviations_errors_and_interruption() {
        let mut summary = Summary::default();
        let cut_short = Stopped::MaxTime { limit_ms: 1000 };
        let throttling = Stopped::Unavailable {
            in_a_row: 20,
            status: 503,
            refused_ms: None,
        };
        assert_eq!(exit_for(&summary, 0, None), Exit::Ok);
        assert_eq!(exit_for(&summary, 1, None), Exit::Deviations);
        assert_eq!(exit_for(&summary, 1, Some(&Stopped::Signal)), Exit::Aborted);
        assert_eq!(exit_for(&summary, 0, Some(&throttling)), Exit::Aborted);
        // Cut short with nothing deviating yet is no pass; with deviations, it is still not a complete result.
        assert_eq!(exit_for(&summary, 0, Some(&cut_short)), Exit::CutShort);
        assert_eq!(exit_for(&summary, 3, Some(&cut_short)), Exit::CutShort);
        summary.errors = 1;
        assert_eq!(exit_for(&summary, 0, None), Exit::Deviations);
    }

    #[test]
    fn probes_of_operations_not_implemented_are_counted_apart_and_decide_the_exit() {
        let mut probe = sample_results()
            .into_iter()
            .find(|r| r.passed)
            .expect("a passing case");
        probe.checks.push(CheckResult {
            check: CheckName::Implemented,
            passed: false,
            uncertain: false,
            expected: "the operation implemented".into(),
            actual: "404".into(),
            message: "looks unimplemented".into(),
        });
        probe.classify();
        assert!(probe.is_not_implemented() && probe.deviation);
        let mut summary = Summary::default();
        summary.add(&probe);
        summary.add(&probe);
        assert_eq!((summary.total, summary.failed), (0, 0));
        assert!(summary.operations.is_empty() && summary.checks.is_empty());
        assert_eq!(summary.not_implemented.probes, 2);
        assert_eq!(
            summary
                .not_implemented
                .operations
                .iter()
                .collect::<Vec<_>>(),
            [&format!("{}.{}", probe.service, probe.operation)]
        );
        assert_eq!(
            summary.not_implemented.line(),
            "1 operation(s) not implemented (2 probe(s), not counted as cases)"
        );
        // Not in the baseline: a finding, exit 1; accepted by it: exit 0.
        assert_eq!(exit_for(&summary, 0, None), Exit::Deviations);
        probe.baselined = true;
        let mut accepted = Summary::default();
        accepted.add(&probe);
        assert_eq!(accepted.not_implemented.baselined, 1);
        assert_eq!(exit_for(&accepted, 0, None), Exit::Ok);
        // The JSON summary carries it, and reads back; a summary without it leaves it out.
        let json = serde_json::to_value(&summary).unwrap();
        assert_eq!(json["not_implemented"]["probes"], 2);
        assert_eq!(serde_json::from_value::<Summary>(json).unwrap(), summary);
        assert!(serde_json::to_value(Summary::default()).unwrap()["not_implemented"].is_null());
        // Partitions add up: the operation once, its probes from both.
        let mut merged = Summary::default();
        merged.merge(&summary);
        merged.merge(&accepted);
        assert_eq!(merged.not_implemented.operations.len(), 1);
        assert_eq!(merged.not_implemented.probes, 3);
    }

    #[test]
    fn summaries_of_partitions_add_up() {
        let results = sample_results();
        let (mut a, mut b, mut all) = (Summary::default(), Summary::default(), Summary::default());
        for (i, r) in results.iter().enumerate() {
            if i % 2 == 0 {
                a.add(r)
            } else {
                b.add(r)
            }
            all.add(r);
        }
        a.merge(&b);
        assert_eq!(a, all);
    }

    #[test]
    fn fanout_reaches_every_reporter() {
        struct Count(std::sync::Arc<std::sync::atomic::AtomicUsize>);
        impl Reporter for Count {
            fn event(&mut self, _: &Event) -> Result<(), ReportError> {
                self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                Ok(())
            }
            fn finish(&mut self) -> Result<(), ReportError> {
                Ok(())
            }
        }
        let n = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut fanout = Fanout::new(vec![Box::new(Count(n.clone())), Box::new(Count(n.clone()))]);
        fanout.event(&Event::Note("x".into())).unwrap();
        fanout.finish().unwrap();
        assert_eq!(n.load(std::sync::atomic::Ordering::SeqCst), 2);
    }
}
