//! The JSON report (`--json PATH`): a contract other tools read, streamed so memory stays flat at any case count.
//!
//! Layout (field names are the contract; fields may be added, never renamed):
//! ```text
//! {"format": "conform-report/1", "seed": 42, "target": "...",
//!  "origin": {"conform_version": "0.1.0", "digest": "9f2c...", "partition": {"k": 1, "n": 4} or null},
//!  "results": [
//!   {"id", "service", "operation", "kind", "mutation", "passed", "uncertain", "deviation", "error", "baselined",
//!    "expected": {"status", "error_type", "accept", "uncertain", "note"},
//!    "actual": {"status" (null when no response came), "error_type"},
//!    "checks", "transport_error", "retries", "shrunk", "shrunk_with" (only on a deviation whose kind
//!    another case was shrunk for: that case's id), "reproduce": {"curl" (unless it passed), "replay"}, "body_excerpt",
//!    "capped_bodies" (only when a body was cut: [{"body": "request"|"shrunk request"|"response", "bytes", "sha256",
//!    "kept"}])},
//!   ...
//!  ],
//!  "summary": {"total", "passed", "failed", "uncertain", "errors", "baselined", "operations", "checks"},
//!  "elapsed_ms": 1234, "interrupted": false, "stopped": null, "notes": [...],
//!  "matrix": {"classes", "totals", "services", "skipped"}}
//! ```
//! `matrix` is the fidelity matrix of the results (see [`super::matrix::MatrixSection`]): per service and operation,
//! each check class's cases passed, deviating, uncertain and without a response, and whether the target implements
//! the operation; its examples name failing cases, whose reproduction the results carry.
//! `interrupted` is true when the run stopped before every case ran; `stopped` then says why (see
//! [`super::Stopped`]), and the notes end with the verdict.
//! Each result is written as it arrives, one per line; the object is closed at `RunFinished`, or by `finish` when
//! the run ended without one (then `interrupted` is true and the summary counts what was written).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{
    Actual, CappedBody, CaseResult, Event, ReportError, Reporter, Reproduce, RunOrigin, ShrunkCase,
    Stopped, Summary,
};
use crate::case::{CaseKind, Mutation};
use crate::check::CheckResult;
use crate::model::Outcome;
use crate::oracle::Expected;

/// The value of the top-level `format` field.
pub const FORMAT: &str = "conform-report/1";

/// Streams the JSON report to a writer.
pub struct JsonReporter {
    out: Box<dyn Write + Send>,
    path: PathBuf,
    state: State,
    /// Counted from the results written, for closing a report whose run never finished.
    summary: Summary,
    /// The run's notes (what was left out on a real target, what the restore did): few, kept for the tail.
    notes: Vec<String>,
    /// The fidelity matrix of the results written, for the tail.
    matrix: super::matrix::Matrix,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    NotStarted,
    First,
    More,
    Closed,
}

impl JsonReporter {
    /// A reporter writing to a new file at `path` (replacing any).
    pub fn create(path: &Path) -> Result<Self, ReportError> {
        let file = File::create(path).map_err(|source| ReportError::Write {
            what: "JSON",
            path: path.to_path_buf(),
            source,
        })?;
        Ok(Self::new(Box::new(BufWriter::new(file)), path))
    }

    /// A reporter writing to `out`; `path` names it in errors.
    pub fn new(out: Box<dyn Write + Send>, path: &Path) -> Self {
        JsonReporter {
            out,
            path: path.to_path_buf(),
            state: State::NotStarted,
            summary: Summary::default(),
            notes: Vec::new(),
            matrix: super::matrix::Matrix::new(false),
        }
    }

    fn io(&self, source: std::io::Error) -> ReportError {
        ReportError::Write {
            what: "JSON",
            path: self.path.clone(),
            source,
        }
    }

    fn json(&self, value: &impl Serialize) -> Result<String, ReportError> {
        serde_json::to_string(value).map_err(|e| self.io(e.into()))
    }

    fn start(&mut self, seed: u64, target: &str, origin: &RunOrigin) -> Result<(), ReportError> {
        let head = format!(
            "{{\"format\":{},\"seed\":{seed},\"target\":{},\"origin\":{},\"results\":[",
            self.json(&FORMAT)?,
            self.json(&target)?,
            self.json(origin)?
        );
        self.out
            .write_all(head.as_bytes())
            .map_err(|e| self.io(e))?;
        self.state = State::First;
        Ok(())
    }

    fn close(
        &mut self,
        summary: &Summary,
        elapsed_ms: u128,
        interrupted: bool,
        stopped: Option<&Stopped>,
    ) -> Result<(), ReportError> {
        if self.state == State::NotStarted {
            self.start(0, "", &RunOrigin::default())?;
        }
        let tail = format!(
            "\n],\"summary\":{},\"elapsed_ms\":{elapsed_ms},\"interrupted\":{interrupted},\"stopped\":{},\"notes\":{},\"matrix\":{}}}\n",
            self.json(summary)?,
            self.json(&stopped)?,
            self.json(&self.notes)?,
            self.json(&self.matrix.section())?
        );
        self.out
            .write_all(tail.as_bytes())
            .and_then(|_| self.out.flush())
            .map_err(|e| self.io(e))?;
        self.state = State::Closed;
        Ok(())
    }
}

impl Reporter for JsonReporter {
    fn event(&mut self, event: &Event) -> Result<(), ReportError> {
        match event {
            Event::RunStarted {
                seed,
                target,
                origin,
                ..
            } if self.state == State::NotStarted => self.start(*seed, target, origin),
            Event::CaseFinished(result) if self.state != State::Closed => {
                if self.state == State::NotStarted {
                    self.start(0, "", &RunOrigin::default())?;
                }
                let line = self.json(&ResultRecord::from(result.as_ref()))?;
                let sep = if self.state == State::First {
                    "\n"
                } else {
                    ",\n"
                };
                self.out
                    .write_all(sep.as_bytes())
                    .and_then(|_| self.out.write_all(line.as_bytes()))
                    .map_err(|e| self.io(e))?;
                self.state = State::More;
                self.summary.add(result);
                self.matrix.add(result);
                Ok(())
            }
            Event::Note(note) => {
                self.notes.push(note.clone());
                Ok(())
            }
            Event::ServiceSkipped { service, reason } => {
                self.matrix.skip(service, reason);
                Ok(())
            }
            Event::RunFinished {
                summary,
                elapsed,
                stopped,
            } if self.state != State::Closed => {
                if let Some(stopped) = stopped {
                    self.notes.push(stopped.verdict());
                }
                self.close(
                    summary,
                    elapsed.as_millis(),
                    stopped.is_some(),
                    stopped.as_ref(),
                )
            }
            _ => Ok(()),
        }
    }

    fn finish(&mut self) -> Result<(), ReportError> {
        if self.state != State::Closed {
            let summary = self.summary.clone();
            self.close(&summary, 0, true, None)?;
        }
        self.out.flush().map_err(|e| self.io(e))
    }
}

/// One result as the JSON report holds it; written from and read back into a [`CaseResult`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ResultRecord {
    pub id: String,
    #[serde(default)]
    pub service: String,
    pub operation: String,
    pub kind: String,
    pub mutation: Option<MutationRecord>,
    pub passed: bool,
    pub uncertain: bool,
    #[serde(default)]
    pub deviation: bool,
    #[serde(default)]
    pub error: bool,
    #[serde(default)]
    pub baselined: bool,
    pub expected: ExpectedRecord,
    pub actual: ActualRecord,
    /// What the other target answered (`conform diff`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub against: Option<ActualRecord>,
    #[serde(default)]
    pub checks: Vec<CheckResult>,
    #[serde(default)]
    pub transport_error: Option<String>,
    #[serde(default)]
    pub retries: u32,
    #[serde(default)]
    pub shrunk: Option<ShrunkCase>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shrunk_with: Option<String>,
    pub reproduce: Reproduce,
    #[serde(default)]
    pub body_excerpt: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capped_bodies: Vec<CappedBody>,
}

/// Reads an optional [`Mutation`] (which has no `Deserialize` of its own).
pub(crate) fn deserialize_mutation<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Mutation>, D::Error> {
    let record = Option::<MutationRecord>::deserialize(deserializer)?;
    Ok(record.map(MutationRecord::into_mutation))
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct MutationRecord {
    pub member: Option<String>,
    pub class: String,
    #[serde(default)]
    pub detail: String,
}

impl MutationRecord {
    pub(crate) fn from_mutation(m: &Mutation) -> Self {
        MutationRecord {
            member: m.member(),
            class: m.class.to_string(),
            detail: m.detail.clone(),
        }
    }

    /// Back into a mutation: the member's site form is read back as a path (indices and keys are not kept).
    pub(crate) fn into_mutation(self) -> Mutation {
        Mutation {
            path: self
                .member
                .as_deref()
                .and_then(crate::model::Path::parse_site),
            class: crate::case::CaseClass::parse(&self.class),
            detail: self.detail,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct OutcomeRecord {
    pub status: u16,
    pub error_type: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ExpectedRecord {
    pub status: u16,
    pub error_type: Option<String>,
    #[serde(default)]
    pub accept: Vec<OutcomeRecord>,
    #[serde(default)]
    pub uncertain: bool,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ActualRecord {
    pub status: Option<u16>,
    pub error_type: Option<String>,
}

impl From<&CaseResult> for ResultRecord {
    fn from(r: &CaseResult) -> Self {
        let primary = r.expected.accept.first();
        ResultRecord {
            id: r.id.clone(),
            service: r.service.clone(),
            operation: r.operation.clone(),
            kind: r.kind.as_str().to_string(),
            mutation: r.mutation.as_ref().map(MutationRecord::from_mutation),
            passed: r.passed,
            uncertain: r.uncertain,
            deviation: r.deviation,
            error: r.error,
            baselined: r.baselined,
            expected: ExpectedRecord {
                status: primary.map_or(0, |o| o.status),
                error_type: primary.and_then(|o| o.error_type.clone()),
                accept: r
                    .expected
                    .accept
                    .iter()
                    .map(|o| OutcomeRecord {
                        status: o.status,
                        error_type: o.error_type.clone(),
                    })
                    .collect(),
                uncertain: r.expected.uncertain,
                note: r.expected.note.clone(),
                source: (!r.expected.source.is_empty()).then(|| r.expected.source.clone()),
            },
            actual: ActualRecord {
                status: r.actual.as_ref().map(|a| a.status),
                error_type: r.actual.as_ref().and_then(|a| a.error_type.clone()),
            },
            against: r.against.as_ref().map(|a| ActualRecord {
                status: Some(a.status),
                error_type: a.error_type.clone(),
            }),
            checks: r.checks.clone(),
            transport_error: r.transport_error.clone(),
            retries: r.retries,
            shrunk: r.shrunk.clone(),
            shrunk_with: r.shrunk_with.clone(),
            reproduce: r.reproduce.clone(),
            body_excerpt: r.body_excerpt.clone(),
            capped_bodies: r.capped_bodies.clone(),
        }
    }
}

impl ResultRecord {
    /// Back into a [`CaseResult`]; `None` when `kind` is no case kind.
    pub(crate) fn into_case_result(self) -> Option<CaseResult> {
        let kind = [
            CaseKind::Valid,
            CaseKind::Invalid,
            CaseKind::Malformed,
            CaseKind::Scenario,
        ]
        .into_iter()
        .find(|k| k.as_str() == self.kind)?;
        let mut accept: Vec<Outcome> = self
            .expected
            .accept
            .into_iter()
            .map(|o| Outcome {
                status: o.status,
                error_type: o.error_type,
            })
            .collect();
        if accept.is_empty() {
            accept.push(Outcome {
                status: self.expected.status,
                error_type: self.expected.error_type,
            });
        }
        Some(CaseResult {
            id: self.id,
            service: self.service,
            operation: self.operation,
            kind,
            mutation: self.mutation.map(MutationRecord::into_mutation),
            expected: Expected {
                accept: accept.clone(),
                uncertain: self.expected.uncertain,
                note: self.expected.note,
                plausible: Default::default(),
                must_fail: accept.iter().all(|o| o.status >= 300),
                source: self.expected.source.unwrap_or_default(),
            },
            actual: self.actual.status.map(|status| Actual {
                status,
                error_type: self.actual.error_type,
            }),
            against: self.against.and_then(|a| {
                Some(Actual {
                    status: a.status?,
                    error_type: a.error_type,
                })
            }),
            checks: self.checks,
            transport_error: self.transport_error,
            retries: self.retries,
            passed: self.passed,
            uncertain: self.uncertain,
            deviation: self.deviation || (!self.passed && !self.uncertain && !self.error),
            error: self.error,
            baselined: self.baselined,
            shrunk: self.shrunk,
            shrunk_with: self.shrunk_with,
            reproduce: self.reproduce,
            body_excerpt: self.body_excerpt,
            capped_bodies: self.capped_bodies,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{Shared, sample_events};
    use super::*;
    use serde_json::Value;

    fn write(events: &[Event]) -> Value {
        let buf = Shared::default();
        let mut reporter = JsonReporter::new(Box::new(buf.clone()), Path::new("-"));
        for e in events {
            reporter.event(e).unwrap();
        }
        reporter.finish().unwrap();
        let bytes = buf.0.lock().unwrap().clone();
        serde_json::from_slice(&bytes).unwrap()
    }

    #[test]
    fn the_report_parses_and_has_the_contract_fields() {
        let v = write(&sample_events());
        assert_eq!(v["seed"], 42);
        assert_eq!(v["target"], "http://127.0.0.1:1");
        for (field, n) in [
            ("total", 4),
            ("passed", 1),
            ("failed", 1),
            ("uncertain", 1),
            ("errors", 1),
        ] {
            assert_eq!(v["summary"][field], n, "{field}");
        }
        let results = v["results"].as_array().unwrap();
        assert_eq!(results.len(), 4);
        for r in results {
            for field in [
                "id",
                "operation",
                "kind",
                "mutation",
                "passed",
                "uncertain",
                "expected",
                "actual",
                "reproduce",
            ] {
                assert!(r.get(field).is_some(), "missing {field} in {r}");
            }
            for field in ["status", "error_type"] {
                assert!(r["expected"].get(field).is_some());
                assert!(r["actual"].get(field).is_some());
            }
        }
        let dev = &results[1];
        assert_eq!(dev["id"], "put-invalid-7");
        assert_eq!(dev["kind"], "invalid");
        assert_eq!(dev["mutation"]["class"], "length-max+1");
        assert_eq!(dev["expected"]["status"], 400);
        assert_eq!(dev["expected"]["error_type"], "ValidationException");
        assert_eq!(dev["actual"]["status"], 200);
        assert_eq!(
            dev["reproduce"]["replay"],
            "conform replay put-invalid-7 --seed 42"
        );
        assert_eq!(dev["checks"][0]["check"], "status");
        let err = &results[3];
        assert!(err["actual"]["status"].is_null(), "no response came");
        assert_eq!(v["interrupted"], false);
    }

    #[test]
    fn a_run_that_never_finished_is_still_closed_as_interrupted() {
        let events = sample_events();
        let v = write(&events[..4]);
        assert_eq!(v["interrupted"], true);
        assert_eq!(v["results"].as_array().unwrap().len(), 2);
        assert_eq!(v["summary"]["total"], 2);
    }

    #[test]
    fn records_read_back_into_the_same_results() {
        for event in sample_events() {
            if let Event::CaseFinished(r) = event {
                let json = serde_json::to_string(&ResultRecord::from(r.as_ref())).unwrap();
                let back: ResultRecord = serde_json::from_str(&json).unwrap();
                let back = back.into_case_result().unwrap();
                assert_eq!(
                    (
                        back.id.as_str(),
                        back.passed,
                        back.deviation,
                        back.uncertain,
                        back.error
                    ),
                    (r.id.as_str(), r.passed, r.deviation, r.uncertain, r.error)
                );
                assert_eq!(back.expected, r.expected);
                assert_eq!(back.actual, r.actual);
                assert_eq!(back.checks, r.checks);
                assert_eq!(back.mutation, r.mutation);
                assert_eq!(back.shrunk, r.shrunk);
            }
        }
    }
}
