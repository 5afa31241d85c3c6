//! The fidelity matrix: service × operation × check class, each cell pass, deviate, uncertain, error or not
//! implemented, with totals per service and overall; its JSON section, Markdown, and comparisons of several reports.
//!
//! A cell counts the cases of one operation whose checks of one class ran: a case counts once per class, under the
//! worst of its verdicts there (a deviation over an uncertain failure over a pass). The five classes, and which
//! checks fall under each, are decided in one place, [`class_of`]. An operation the target does not implement (its
//! probes failed the `implemented` check, see `check::unimplemented_reading`) shows "not implemented" in every
//! class: its other cases were not sent, and the probes' own status and error-type verdicts say the same thing
//! again, so they are not counted. One whose probes got a bare 500 page, smallest valid request included, shows
//! "crash or not implemented" instead: such a page cannot tell the two apart.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{CaseResult, Event, ReportError, Reporter};
use crate::case::CaseKind;
use crate::check::{CheckName, CheckResult};

/// How many failing cases a cell keeps as examples (with their reproduction): enough to reproduce, few enough that
/// a matrix of every service stays small in memory.
pub const MAX_EXAMPLES: usize = 3;

/// What a check says about a target, as the matrix groups checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckClass {
    /// Requests that break a documented constraint are refused as AWS refuses them.
    Constraints,
    /// Valid requests get AWS's statuses and error types, and errors carry AWS's error document.
    Errors,
    /// Successful answers hold the operation's output shape.
    OutputShape,
    /// The protocol itself: malformed bodies, methods, signatures, content types, request ids.
    Protocol,
    /// State kept across calls (the scenarios) and answers that stay as recorded (snapshots).
    State,
}

impl CheckClass {
    /// Every class, in the order the matrix shows them.
    pub const ALL: [CheckClass; 5] = [
        CheckClass::Constraints,
        CheckClass::Errors,
        CheckClass::OutputShape,
        CheckClass::Protocol,
        CheckClass::State,
    ];

    /// Its name in the JSON report.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckClass::Constraints => "constraints",
            CheckClass::Errors => "errors",
            CheckClass::OutputShape => "output-shape",
            CheckClass::Protocol => "protocol",
            CheckClass::State => "state",
        }
    }

    /// Its column heading.
    pub fn title(self) -> &'static str {
        match self {
            CheckClass::Constraints => "constraints enforced",
            CheckClass::Errors => "error types and statuses",
            CheckClass::OutputShape => "output shape",
            CheckClass::Protocol => "protocol handling",
            CheckClass::State => "state",
        }
    }
}

/// The class a check's verdict on a case of `kind` belongs to; `None` for the `implemented` check, which decides
/// the operation's state rather than a cell.
///
/// The checks of the response's form have one class whatever the case: `output-shape` is the output shape;
/// `content-type` and `request-id` are protocol handling; `error-body` (the message, Coral's wording, no echoed
/// secret) belongs with the error types; `state` and `snapshot` (an answer that stays as recorded) are state. The
/// checks of the outcome — `status`, `error-type`, and `parity` (`conform diff`'s same outcome on both targets) —
/// say what the case tests, so its kind decides: on an invalid case, whether the broken constraint is enforced; on
/// a malformed one, how the protocol is handled; on a scenario step, the state; on a valid case (and a documented
/// example), the statuses and error types of valid requests.
pub fn class_of(check: CheckName, kind: CaseKind) -> Option<CheckClass> {
    Some(match check {
        CheckName::OutputShape => CheckClass::OutputShape,
        CheckName::ContentType | CheckName::RequestId => CheckClass::Protocol,
        CheckName::ErrorBody => CheckClass::Errors,
        CheckName::State | CheckName::Snapshot => CheckClass::State,
        CheckName::Implemented => return None,
        CheckName::Status | CheckName::ErrorType | CheckName::Parity => kind_class(kind),
    })
}

/// A deviation's kind as a cell lists it: its baseline key without the operation and the member (`status
/// length-max+1`, `content-type valid`): few enough per cell that the matrix of every service stays small, in
/// memory and in the compact file; the members are in the full report.
fn kind_of(result: &CaseResult, check: CheckName) -> String {
    match &result.mutation {
        Some(m) => format!("{check} {}", m.class),
        None => format!("{check} {}", result.kind.as_str()),
    }
}

/// The class of a case's outcome by its kind; also where a case that got no usable response is counted.
fn kind_class(kind: CaseKind) -> CheckClass {
    match kind {
        CaseKind::Valid => CheckClass::Errors,
        CaseKind::Invalid => CheckClass::Constraints,
        CaseKind::Malformed => CheckClass::Protocol,
        CaseKind::Scenario => CheckClass::State,
    }
}

/// The state of one cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CellState {
    /// Some case deviates.
    Deviate,
    /// Some case got no usable response (reset, timeout), none deviates.
    Error,
    /// The operation is not implemented by the target.
    NotImplemented,
    /// The operation crashes on every valid request, or is not implemented: its probes cannot tell which.
    CrashOrMissing,
    /// Some check failed where AWS's answer is not settled; nothing deviates.
    Uncertain,
    /// Every check of the class passed.
    Pass,
}

impl CellState {
    /// Its name in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            CellState::Deviate => "deviate",
            CellState::Error => "error",
            CellState::NotImplemented => "not-implemented",
            CellState::CrashOrMissing => "crash-or-not-implemented",
            CellState::Uncertain => "uncertain",
            CellState::Pass => "pass",
        }
    }

    /// The symbol the Markdown and HTML matrices show.
    pub fn symbol(self) -> &'static str {
        match self {
            CellState::Deviate => "❌",
            CellState::Error => "⚠️",
            CellState::NotImplemented => "⛔",
            CellState::CrashOrMissing => "⛔?",
            CellState::Uncertain => "❔",
            CellState::Pass => "✅",
        }
    }

    /// How good it is for a target, for "better" and "worse": passing over uncertain over deviating (or failing to
    /// answer) over not implemented.
    pub fn rank(self) -> u8 {
        match self {
            CellState::NotImplemented | CellState::CrashOrMissing => 0,
            CellState::Deviate | CellState::Error => 1,
            CellState::Uncertain => 2,
            CellState::Pass => 3,
        }
    }
}

/// The symbol of a cell that may not have been tested.
pub fn symbol(state: Option<CellState>) -> &'static str {
    state.map_or("·", CellState::symbol)
}

/// A failing case of a cell, with what reproduces it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Example {
    /// The case id.
    pub id: String,
    /// What the case says about the cell: deviate, uncertain or error.
    pub state: CellState,
    /// The check that failed.
    pub check: CheckName,
    /// What it wanted.
    pub expected: String,
    /// What came.
    pub actual: String,
    /// Why it failed.
    pub message: String,
    /// The curl command (Authorization redacted); left out of the JSON report's matrix, whose results carry it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub curl: String,
    /// The `conform replay` line.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub replay: String,
}

/// One cell: how many cases of an operation passed, deviated, were uncertain or got no response in one class.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cell {
    /// Cases whose checks of the class all passed.
    pub passed: u64,
    /// Cases with a deviation in the class.
    pub deviations: u64,
    /// Cases whose only failures in the class are uncertain.
    pub uncertain: u64,
    /// Cases that got no usable response (counted in the class of their kind).
    pub errors: u64,
    /// The first failing cases (deviations, then uncertain ones, then errors), at most [`MAX_EXAMPLES`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<Example>,
    /// The kinds of its deviations, as their baseline keys say them without the operation and the member: `check
    /// mutation` (`status length-max+1`, `content-type valid`).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub kinds: BTreeSet<String>,
}

impl Cell {
    /// Cases counted.
    pub fn cases(&self) -> u64 {
        self.passed + self.deviations + self.uncertain + self.errors
    }

    /// Its state from its counts; `None` when no case was counted.
    pub fn state(&self) -> Option<CellState> {
        if self.deviations > 0 {
            Some(CellState::Deviate)
        } else if self.errors > 0 {
            Some(CellState::Error)
        } else if self.uncertain > 0 {
            Some(CellState::Uncertain)
        } else if self.passed > 0 {
            Some(CellState::Pass)
        } else {
            None
        }
    }

    /// Keeps `example` if there is room, a deviation taking the place of a lesser failure.
    fn keep(&mut self, example: Example) {
        let deviation = example.state == CellState::Deviate;
        if self.examples.len() < MAX_EXAMPLES {
            self.examples.push(example);
        } else if deviation
            && let Some(lesser) = self
                .examples
                .iter()
                .position(|e| e.state != CellState::Deviate)
        {
            self.examples[lesser] = example;
        }
    }
}

/// One operation's row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperationRow {
    /// False when the target does not implement it (or, with `crash_or_missing`, may not).
    pub implemented: bool,
    /// Its probes, smallest valid request included, all got a bare 500 page: it crashes on every valid request or
    /// is not implemented, which that page cannot tell.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub crash_or_missing: bool,
    /// How the target answered its probes, when it does not implement it (`404`, `400 UnknownOperationException`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered: Option<String>,
    /// The cells that have cases, by class.
    pub cells: BTreeMap<CheckClass, Cell>,
}

/// A row starts implemented: only its probes' answers say otherwise.
impl Default for OperationRow {
    fn default() -> Self {
        OperationRow {
            implemented: true,
            crash_or_missing: false,
            answered: None,
            cells: BTreeMap::new(),
        }
    }
}

impl OperationRow {
    /// Whether every cell tested passes (none deviates, is uncertain or lacks a response).
    pub fn passes(&self) -> bool {
        self.implemented
            && CheckClass::ALL
                .iter()
                .all(|c| matches!(self.state(*c), None | Some(CellState::Pass)))
    }

    /// The state of a class's cell; `None` when no case of the class was counted.
    pub fn state(&self, class: CheckClass) -> Option<CellState> {
        if !self.implemented {
            return Some(if self.crash_or_missing {
                CellState::CrashOrMissing
            } else {
                CellState::NotImplemented
            });
        }
        self.cells.get(&class).and_then(Cell::state)
    }
}

/// A service left out of a run, and why (a protocol conform does not speak yet).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SkippedService {
    /// The service.
    pub service: String,
    /// Why it was not run.
    pub reason: String,
}

/// The matrix of one run: rows by service and operation, and the services left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Matrix {
    /// Rows by service, then operation.
    pub services: BTreeMap<String, BTreeMap<String, OperationRow>>,
    /// Services left out, and why.
    pub skipped: Vec<SkippedService>,
    /// Whether examples keep their curl and replay lines (the HTML page shows them; the JSON report's results
    /// already carry them).
    pub reproductions: bool,
}

impl Matrix {
    /// An empty matrix; `reproductions`: whether examples keep their curl and replay lines.
    pub fn new(reproductions: bool) -> Self {
        Matrix {
            reproductions,
            ..Matrix::default()
        }
    }

    /// Counts one case.
    pub fn add(&mut self, result: &CaseResult) {
        let row = self
            .services
            .entry(result.service.clone())
            .or_default()
            .entry(result.operation.clone())
            .or_default();
        let reproductions = self.reproductions;
        let example = |check: &CheckResult, state: CellState| Example {
            id: result.id.clone(),
            state,
            check: check.check,
            expected: check.expected.clone(),
            actual: check.actual.clone(),
            message: check.message.clone(),
            curl: if reproductions {
                result.reproduce.curl.clone()
            } else {
                String::new()
            },
            replay: if reproductions {
                result.reproduce.replay.clone()
            } else {
                String::new()
            },
        };
        if let Some(probe) = result
            .checks
            .iter()
            .find(|c| c.check == CheckName::Implemented && c.is_deviation())
        {
            if row.implemented {
                // Cases counted before the probes said so (an example of the documents) say the same thing.
                row.cells.clear();
            }
            row.implemented = false;
            row.crash_or_missing = probe.expected == crate::check::EXPECTED_NO_CRASH;
            row.answered.get_or_insert_with(|| result.actual_text());
            let state = if row.crash_or_missing {
                CellState::CrashOrMissing
            } else {
                CellState::NotImplemented
            };
            let cell = row.cells.entry(CheckClass::Errors).or_default();
            if cell.examples.is_empty() {
                cell.examples.push(example(probe, state));
            }
            return;
        }
        if !row.implemented {
            return;
        }
        if result.error {
            let cell = row.cells.entry(kind_class(result.kind)).or_default();
            cell.errors += 1;
            let why = result.transport_error.clone().unwrap_or_default();
            cell.keep(Example {
                id: result.id.clone(),
                state: CellState::Error,
                check: CheckName::Status,
                expected: result.expected_text(),
                actual: result.actual_text(),
                message: format!("no usable response: {why}"),
                curl: if reproductions {
                    result.reproduce.curl.clone()
                } else {
                    String::new()
                },
                replay: if reproductions {
                    result.reproduce.replay.clone()
                } else {
                    String::new()
                },
            });
            return;
        }
        // The worst verdict of the case in each class, and the check that gave it.
        let mut worst: BTreeMap<CheckClass, &CheckResult> = BTreeMap::new();
        for check in &result.checks {
            let Some(class) = class_of(check.check, result.kind) else {
                continue;
            };
            if check.is_deviation() {
                let kind = kind_of(result, check.check);
                let kinds = &mut row.cells.entry(class).or_default().kinds;
                if !kinds.contains(&kind) {
                    kinds.insert(kind);
                }
            }
            let badness = |c: &CheckResult| (!c.passed as u8) + (c.is_deviation() as u8);
            match worst.get(&class) {
                Some(seen) if badness(seen) >= badness(check) => {}
                _ => {
                    worst.insert(class, check);
                }
            }
        }
        for (class, check) in worst {
            let cell = row.cells.entry(class).or_default();
            if check.passed {
                cell.passed += 1;
            } else if check.uncertain {
                cell.uncertain += 1;
                cell.keep(example(check, CellState::Uncertain));
            } else {
                cell.deviations += 1;
                cell.keep(example(check, CellState::Deviate));
            }
        }
    }

    /// Records a service left out of the run.
    pub fn skip(&mut self, service: &str, reason: &str) {
        let skipped = SkippedService {
            service: service.to_string(),
            reason: reason.to_string(),
        };
        if !self.skipped.contains(&skipped) {
            self.skipped.push(skipped);
            self.skipped.sort();
        }
    }

    /// The totals of one service's rows.
    pub fn service_totals(&self, service: &str) -> Totals {
        let mut totals = Totals::default();
        if let Some(rows) = self.services.get(service) {
            totals.services = 1;
            for row in rows.values() {
                totals.add_row(row);
            }
        }
        totals
    }

    /// The totals of every row.
    pub fn totals(&self) -> Totals {
        let mut totals = Totals {
            skipped: self.skipped.len() as u64,
            ..Totals::default()
        };
        for service in self.services.keys() {
            totals.merge(&self.service_totals(service));
        }
        totals
    }

    /// The matrix as the JSON report's `matrix` section holds it.
    pub fn section(&self) -> MatrixSection<'_> {
        MatrixSection {
            classes: CheckClass::ALL.map(CheckClass::as_str),
            totals: self.totals(),
            services: self
                .services
                .iter()
                .map(|(name, rows)| {
                    (
                        name.as_str(),
                        ServiceSection {
                            totals: self.service_totals(name),
                            operations: rows,
                        },
                    )
                })
                .collect(),
            skipped: &self.skipped,
        }
    }

    /// Every cell's state by (service, operation, class): the not-tested ones are absent.
    pub fn states(&self) -> BTreeMap<(String, String, CheckClass), CellState> {
        let mut states = BTreeMap::new();
        for (service, rows) in &self.services {
            for (operation, row) in rows {
                for class in CheckClass::ALL {
                    if let Some(state) = row.state(class) {
                        states.insert((service.clone(), operation.clone(), class), state);
                    }
                }
            }
        }
        states
    }
}

/// Counts of cells by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateCounts {
    /// Passing cells.
    pub pass: u64,
    /// Deviating cells.
    pub deviate: u64,
    /// Uncertain cells.
    pub uncertain: u64,
    /// Cells with cases that got no usable response.
    pub error: u64,
}

impl StateCounts {
    fn add(&mut self, state: CellState) {
        match state {
            CellState::Pass => self.pass += 1,
            CellState::Deviate => self.deviate += 1,
            CellState::Uncertain => self.uncertain += 1,
            CellState::Error => self.error += 1,
            CellState::NotImplemented | CellState::CrashOrMissing => {}
        }
    }

    fn merge(&mut self, other: &StateCounts) {
        self.pass += other.pass;
        self.deviate += other.deviate;
        self.uncertain += other.uncertain;
        self.error += other.error;
    }

    /// Cells tested.
    pub fn tested(&self) -> u64 {
        self.pass + self.deviate + self.uncertain + self.error
    }
}

/// Totals of a service, or of a whole matrix: operations, and cells of the implemented operations by state, per
/// class and over all classes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Services with rows.
    pub services: u64,
    /// Services left out (whole matrices only).
    #[serde(default)]
    pub skipped: u64,
    /// Operations with rows.
    pub operations: u64,
    /// Of those, the ones the target does not implement.
    pub not_implemented: u64,
    /// Of those, the ones that crash on every valid request or are not implemented (a bare 500 page cannot tell).
    #[serde(default)]
    pub crash_or_missing: u64,
    /// Cells by state, over every class.
    pub cells: StateCounts,
    /// Cells by state, per class.
    pub classes: BTreeMap<CheckClass, StateCounts>,
}

impl Totals {
    fn add_row(&mut self, row: &OperationRow) {
        self.operations += 1;
        if !row.implemented {
            if row.crash_or_missing {
                self.crash_or_missing += 1;
            } else {
                self.not_implemented += 1;
            }
            return;
        }
        for class in CheckClass::ALL {
            if let Some(state) = row.state(class) {
                self.cells.add(state);
                self.classes.entry(class).or_default().add(state);
            }
        }
    }

    fn merge(&mut self, other: &Totals) {
        self.services += other.services;
        self.operations += other.operations;
        self.not_implemented += other.not_implemented;
        self.crash_or_missing += other.crash_or_missing;
        self.cells.merge(&other.cells);
        for (class, counts) in &other.classes {
            self.classes.entry(*class).or_default().merge(counts);
        }
    }

    /// Operations the target implements (whose cases ran).
    pub fn implemented(&self) -> u64 {
        self.operations - self.not_implemented - self.crash_or_missing
    }

    /// The not-implemented count as tables show it: `381`, or `12 + 5 ⛔?` with operations that may crash instead.
    pub fn not_implemented_text(&self) -> String {
        if self.crash_or_missing > 0 {
            format!("{} + {} ⛔?", self.not_implemented, self.crash_or_missing)
        } else {
            self.not_implemented.to_string()
        }
    }
}

/// The JSON report's `matrix` section:
/// `{"classes": [...], "totals": {...}, "services": {"<service>": {"totals": {...}, "operations": {"<operation>":
/// {"implemented", "answered", "cells": {"<class>": {"passed", "deviations", "uncertain", "errors", "examples"}}}}}},
/// "skipped": [{"service", "reason"}]}`.
#[derive(Debug, Serialize)]
pub struct MatrixSection<'a> {
    classes: [&'static str; 5],
    totals: Totals,
    services: BTreeMap<&'a str, ServiceSection<'a>>,
    skipped: &'a [SkippedService],
}

#[derive(Debug, Serialize)]
struct ServiceSection<'a> {
    totals: Totals,
    operations: &'a BTreeMap<String, OperationRow>,
}

/// What `report merge` and `report matrix` read of a report's `matrix` section: the services left out (the rest is
/// rebuilt from the results).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct SectionSkipped {
    #[serde(default)]
    pub skipped: Vec<SkippedService>,
}

/// One report's matrix as a column of a comparison: its label (the file's name), target and seed.
#[derive(Debug, Clone)]
pub struct Column {
    /// Short name (the report's file name).
    pub label: String,
    /// Which conform ran it, from what, and which partition it is.
    pub origin: super::RunOrigin,
    /// The endpoint the report tested.
    pub target: String,
    /// Its seed.
    pub seed: u64,
    /// Its matrix.
    pub matrix: Matrix,
}

/// A cell whose state differs between a baseline and a newer report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Service.
    pub service: String,
    /// Operation.
    pub operation: String,
    /// Check class.
    pub class: CheckClass,
    /// The baseline's state (`None`: not tested there).
    pub before: Option<CellState>,
    /// The newer state (`None`: not tested there).
    pub after: Option<CellState>,
    /// Kinds of deviation (`check mutation`) the newer cell has and the baseline's had not: a cell that deviated
    /// before and still does is worse when it deviates in a new way.
    pub new_kinds: Vec<String>,
    /// Kinds of deviation the baseline's cell had and the newer one has not.
    pub gone_kinds: Vec<String>,
}

/// Which way a cell changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Direction {
    /// Its state got worse (a pass now deviates, an implemented operation is no longer).
    Worse,
    /// Its state got better.
    Better,
    /// Tested in only one of the two, or changed between deviating and failing to answer.
    Other,
}

impl Change {
    /// Which way it went, by [`CellState::rank`]; between two deviating cells, by their kinds of deviation: a
    /// new kind is worse (whatever went), kinds only gone is better.
    pub fn direction(&self) -> Direction {
        match (self.before, self.after) {
            (Some(before), Some(after)) if after.rank() < before.rank() => Direction::Worse,
            (Some(before), Some(after)) if after.rank() > before.rank() => Direction::Better,
            (Some(before), Some(after)) if before == after && !self.new_kinds.is_empty() => {
                Direction::Worse
            }
            (Some(before), Some(after)) if before == after && !self.gone_kinds.is_empty() => {
                Direction::Better
            }
            _ => Direction::Other,
        }
    }

    /// The newer state as words, with the kinds of deviation that came and went (`❌ deviate (new: status
    /// length-max+1)`), at most three of each named.
    pub fn after_text(&self) -> String {
        let mut text = format!(
            "{} {}",
            symbol(self.after),
            self.after.map_or("not tested", CellState::as_str)
        );
        for (what, kinds) in [("new", &self.new_kinds), ("gone", &self.gone_kinds)] {
            if kinds.is_empty() {
                continue;
            }
            let named: Vec<&str> = kinds.iter().take(3).map(String::as_str).collect();
            let more = kinds.len().saturating_sub(3);
            let _ = write!(
                text,
                " ({what}: {}{})",
                named.join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            );
        }
        text
    }
}

/// The cells whose state differs between `before` and `after`, in service, operation and class order.
pub fn compare(before: &Matrix, after: &Matrix) -> Vec<Change> {
    let (old, new) = (before.states(), after.states());
    let mut keys: Vec<&(String, String, CheckClass)> = old.keys().chain(new.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|key| {
            let (b, a) = (old.get(key).copied(), new.get(key).copied());
            let kinds = |m: &Matrix| -> BTreeSet<String> {
                row_of(m, &key.0, &key.1)
                    .and_then(|row| row.cells.get(&key.2))
                    .map(|cell| cell.kinds.clone())
                    .unwrap_or_default()
            };
            let (was, is) = (kinds(before), kinds(after));
            let new_kinds: Vec<String> = is.difference(&was).cloned().collect();
            let gone_kinds: Vec<String> = was.difference(&is).cloned().collect();
            let kinds_changed = b == Some(CellState::Deviate)
                && a == Some(CellState::Deviate)
                && !(new_kinds.is_empty() && gone_kinds.is_empty());
            (b != a || kinds_changed).then(|| Change {
                service: key.0.clone(),
                operation: key.1.clone(),
                class: key.2,
                before: b,
                after: a,
                new_kinds,
                gone_kinds,
            })
        })
        .collect()
}

const LEGEND: &str = "✅ pass · ❌ deviate · ❔ uncertain (AWS's answer not settled) · ⚠️ no usable response · ⛔ not \
                      implemented by the target · ⛔? crashes on every valid request or not implemented (a bare 500 \
                      page cannot tell) · `·` not tested";

/// A cell of a single-report table: its symbol and counts (`❌ 3/40`: 3 of 40 cases deviate).
fn cell_text(row: &OperationRow, class: CheckClass) -> String {
    let Some(state) = row.state(class) else {
        return "·".to_string();
    };
    let cell = row.cells.get(&class).cloned().unwrap_or_default();
    match state {
        CellState::NotImplemented | CellState::CrashOrMissing => state.symbol().to_string(),
        CellState::Pass => format!("{} {}", state.symbol(), cell.passed),
        CellState::Deviate => format!("{} {}/{}", state.symbol(), cell.deviations, cell.cases()),
        CellState::Error => format!("{} {}/{}", state.symbol(), cell.errors, cell.cases()),
        CellState::Uncertain => format!("{} {}/{}", state.symbol(), cell.uncertain, cell.cases()),
    }
}

/// A class's column of a service totals row: operations deviating of those tested (`❌ 3/12`), or `✅ 12`.
fn class_totals_text(counts: Option<&StateCounts>) -> String {
    let Some(c) = counts.filter(|c| c.tested() > 0) else {
        return "·".to_string();
    };
    let bad = c.deviate + c.error;
    if bad > 0 {
        format!("❌ {bad}/{}", c.tested())
    } else if c.uncertain > 0 {
        format!("❔ {}/{}", c.uncertain, c.tested())
    } else {
        format!("✅ {}", c.pass)
    }
}

/// Markdown table cells may not hold `|` or line breaks.
fn md(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

fn totals_line(t: &Totals) -> String {
    format!(
        "{} service(s), {} operation(s): {} implemented, {} not implemented{}; cells (operation × check class): {} \
         pass, {} deviate, {} uncertain, {} without a usable response{}",
        t.services,
        t.operations,
        t.implemented(),
        t.not_implemented,
        if t.crash_or_missing > 0 {
            format!(
                ", {} crashing on every valid request or not implemented (cannot tell)",
                t.crash_or_missing
            )
        } else {
            String::new()
        },
        t.cells.pass,
        t.cells.deviate,
        t.cells.uncertain,
        t.cells.error,
        if t.skipped > 0 {
            format!("; {} service(s) skipped", t.skipped)
        } else {
            String::new()
        }
    )
}

/// Up to how many operations a Markdown matrix lists every operation; above, only those with a cell that does not
/// pass, the others counted, so that the matrix of a whole emulator (twenty thousand operations) stays small enough
/// for a CI job summary (GitHub takes 1 MiB). The HTML page lists every row.
pub const EVERY_ROW_UP_TO: usize = 500;

/// The Markdown matrix of one report: totals, a row per service, then per service (folded) a row per implemented
/// operation (only those with a cell that does not pass, above [`EVERY_ROW_UP_TO`] operations) and the list of those
/// not implemented; for a pull-request comment or a CI job summary.
pub fn markdown(column: &Column) -> String {
    let m = &column.matrix;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## Fidelity matrix: {} (seed {})\n",
        md(&column.target),
        column.seed
    );
    let _ = writeln!(out, "{}\n", totals_line(&m.totals()));
    let headings: Vec<&str> = CheckClass::ALL.iter().map(|c| c.title()).collect();
    let _ = writeln!(
        out,
        "| service | operations | not implemented | {} |\n|---|--:|--:|{}",
        headings.join(" | "),
        "---|".repeat(headings.len())
    );
    let mut summary_row = |name: &str, t: &Totals| {
        let classes: Vec<String> = CheckClass::ALL
            .iter()
            .map(|c| class_totals_text(t.classes.get(c)))
            .collect();
        let _ = writeln!(
            out,
            "| {name} | {} | {} | {} |",
            t.operations,
            t.not_implemented_text(),
            classes.join(" | ")
        );
    };
    for service in m.services.keys() {
        summary_row(&md(service), &m.service_totals(service));
    }
    summary_row("**all**", &m.totals());
    let _ = writeln!(
        out,
        "\nIn a service's row: operations deviating in that class of those tested (`❌ 3/12`); in an operation's: \
         cases. {LEGEND}.\n"
    );
    skipped_markdown(&mut out, &m.skipped);
    let every_row = m.services.values().map(BTreeMap::len).sum::<usize>() <= EVERY_ROW_UP_TO;
    for (service, rows) in &m.services {
        let t = m.service_totals(service);
        let _ = writeln!(
            out,
            "<details><summary>{}: {} operation(s), {} not implemented, {} cell(s) deviate</summary>\n",
            html_text(service),
            t.operations,
            t.not_implemented_text(),
            t.cells.deviate + t.cells.error
        );
        let implemented: Vec<(&String, &OperationRow)> = rows
            .iter()
            .filter(|(_, r)| r.implemented && (every_row || !r.passes()))
            .collect();
        let passing = rows
            .values()
            .filter(|r| r.implemented && r.passes())
            .count();
        if !implemented.is_empty() {
            let _ = writeln!(
                out,
                "| operation | {} |\n|---|{}",
                headings.join(" | "),
                "---|".repeat(headings.len())
            );
            for (operation, row) in implemented {
                let cells: Vec<String> =
                    CheckClass::ALL.iter().map(|c| cell_text(row, *c)).collect();
                let _ = writeln!(out, "| {} | {} |", md(operation), cells.join(" | "));
            }
            out.push('\n');
        }
        if !every_row && passing > 0 {
            let _ = writeln!(
                out,
                "✅ {passing} other operation(s) pass in every class tested (listed in the HTML matrix).\n"
            );
        }
        for (crash, title) in [
            (false, "⛔ not implemented"),
            (
                true,
                "⛔? crash on every valid request, or not implemented (a bare 500 page cannot tell)",
            ),
        ] {
            let missing: Vec<String> = rows
                .iter()
                .filter(|(_, r)| !r.implemented && r.crash_or_missing == crash)
                .map(|(op, r)| match &r.answered {
                    Some(answer) => format!("{op} ({answer})"),
                    None => op.clone(),
                })
                .collect();
            if !missing.is_empty() {
                let _ = writeln!(
                    out,
                    "{title} ({}): {}\n",
                    missing.len(),
                    md(&missing.join(", "))
                );
            }
        }
        let _ = writeln!(out, "</details>\n");
    }
    out
}

fn skipped_markdown(out: &mut String, skipped: &[SkippedService]) {
    if skipped.is_empty() {
        return;
    }
    let listed: Vec<String> = skipped
        .iter()
        .map(|s| format!("{} ({})", s.service, s.reason))
        .collect();
    let _ = writeln!(
        out,
        "Skipped ({}): {}\n",
        skipped.len(),
        md(&listed.join("; "))
    );
}

/// The five classes of an operation in one report, as one string of symbols in class order (`✅❌✅·✅`).
fn compact(row: Option<&OperationRow>) -> String {
    match row {
        None => "".to_string(),
        Some(row) => CheckClass::ALL
            .iter()
            .map(|c| symbol(row.state(*c)))
            .collect(),
    }
}

/// Several reports side by side: a totals row per report, then per service (folded) a row per operation with each
/// report's five classes as symbols.
pub fn markdown_side_by_side(columns: &[Column]) -> String {
    if let [one] = columns {
        return markdown(one);
    }
    let mut out = String::from("## Fidelity matrices side by side\n\n");
    let _ = writeln!(
        out,
        "| report | target | seed | services | operations | not implemented | pass | deviate | uncertain | no \
         response | skipped |\n|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
    );
    for c in columns {
        let t = c.matrix.totals();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            md(&c.label),
            md(&c.target),
            c.seed,
            t.services,
            t.operations,
            t.not_implemented_text(),
            t.cells.pass,
            t.cells.deviate,
            t.cells.uncertain,
            t.cells.error,
            t.skipped
        );
    }
    let order: Vec<&str> = CheckClass::ALL.iter().map(|c| c.title()).collect();
    let _ = writeln!(
        out,
        "\nEach report's cell shows its five check classes in this order: {}. {LEGEND}; an empty cell: the \
         operation is not in that report.\n",
        order.join(", ")
    );
    for c in columns {
        if !c.matrix.skipped.is_empty() {
            let _ = write!(out, "{}: ", md(&c.label));
            skipped_markdown(&mut out, &c.matrix.skipped);
        }
    }
    let labels: Vec<String> = columns.iter().map(|c| md(&c.label)).collect();
    let rows = union_rows(columns);
    let every_row = rows.values().map(Vec::len).sum::<usize>() <= EVERY_ROW_UP_TO;
    for (service, operations) in rows {
        let _ = writeln!(
            out,
            "<details><summary>{}: {} operation(s)</summary>\n\n| operation | {} |\n|---|{}",
            html_text(&service),
            operations.len(),
            labels.join(" | "),
            "---|".repeat(labels.len())
        );
        let mut alike = 0usize;
        for operation in operations {
            let found: Vec<Option<&OperationRow>> = columns
                .iter()
                .map(|c| row_of(&c.matrix, &service, &operation))
                .collect();
            let cells: Vec<String> = found.iter().map(|row| compact(*row)).collect();
            let passing_alike = found.iter().all(|r| r.is_some_and(OperationRow::passes))
                && cells.iter().all(|c| *c == cells[0]);
            if !every_row && passing_alike {
                alike += 1;
                continue;
            }
            let _ = writeln!(out, "| {} | {} |", md(&operation), cells.join(" | "));
        }
        if alike > 0 {
            let _ = writeln!(
                out,
                "\n✅ {alike} other operation(s) pass alike in every report (listed in the HTML matrix)."
            );
        }
        let _ = writeln!(out, "\n</details>\n");
    }
    out
}

/// Every (service, operations) any of the columns has, in order.
pub(crate) fn union_rows(columns: &[Column]) -> BTreeMap<String, Vec<String>> {
    let mut rows: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for c in columns {
        for (service, ops) in &c.matrix.services {
            rows.entry(service.clone())
                .or_default()
                .extend(ops.keys().cloned());
        }
    }
    for ops in rows.values_mut() {
        ops.sort();
        ops.dedup();
    }
    rows
}

pub(crate) fn row_of<'m>(
    matrix: &'m Matrix,
    service: &str,
    operation: &str,
) -> Option<&'m OperationRow> {
    matrix.services.get(service)?.get(operation)
}

/// What changed from a baseline report to a newer one: totals of both, then the cells that got worse, better, or
/// otherwise changed.
pub fn markdown_changes(before: &Column, after: &Column, changes: &[Change]) -> String {
    let mut out = format!(
        "## Fidelity matrix: {} against the baseline {}\n\n",
        md(&after.label),
        md(&before.label)
    );
    for c in [before, after] {
        let _ = writeln!(
            out,
            "- {} ({}, seed {}): {}",
            md(&c.label),
            md(&c.target),
            c.seed,
            totals_line(&c.matrix.totals())
        );
    }
    let count = |d: Direction| changes.iter().filter(|c| c.direction() == d).count();
    let _ = writeln!(
        out,
        "\n**{} cell(s) worse, {} better**, {} otherwise changed (tested in only one report, or between deviating \
         and not answering); a cell deviating in both is worse when it deviates in a new way. {LEGEND}.\n",
        count(Direction::Worse),
        count(Direction::Better),
        count(Direction::Other)
    );
    for (direction, title) in [
        (Direction::Worse, "Worse"),
        (Direction::Better, "Better"),
        (Direction::Other, "Otherwise changed"),
    ] {
        let these: Vec<&Change> = changes
            .iter()
            .filter(|c| c.direction() == direction)
            .collect();
        if these.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "### {title} ({})\n\n| service | operation | check class | before | after |\n|---|---|---|---|---|",
            these.len()
        );
        for c in these {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} {} | {} |",
                md(&c.service),
                md(&c.operation),
                c.class.title(),
                symbol(c.before),
                c.before.map_or("not tested", CellState::as_str),
                md(&c.after_text())
            );
        }
        out.push('\n');
    }
    out
}

/// Text for HTML (also inside Markdown's `<details>`): `&`, `<`, `>`, `"` and `'` escaped.
pub fn html_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Builds the matrix of a run from its events and writes it, at the end, as Markdown (`--matrix-md`) and as an
/// HTML page (`--matrix-html`).
pub struct MatrixReporter {
    markdown: Option<PathBuf>,
    html: Option<PathBuf>,
    compact: Option<PathBuf>,
    column: Column,
    written: bool,
}

impl MatrixReporter {
    /// A reporter writing the files given (any may be absent): Markdown, HTML, and the compact matrix file
    /// ([`super::matrix_file`]).
    pub fn new(markdown: Option<PathBuf>, html: Option<PathBuf>, compact: Option<PathBuf>) -> Self {
        MatrixReporter {
            markdown,
            html,
            compact,
            column: Column {
                label: "run".into(),
                origin: super::RunOrigin::default(),
                target: String::new(),
                seed: 0,
                matrix: Matrix::new(true),
            },
            written: false,
        }
    }

    fn write(&mut self) -> Result<(), ReportError> {
        self.written = true;
        if let Some(path) = &self.markdown {
            write_file(path, "Markdown matrix", &markdown(&self.column))?;
        }
        if let Some(path) = &self.html {
            let page = super::html::page(std::slice::from_ref(&self.column), false);
            write_file(path, "HTML matrix", &page)?;
        }
        if let Some(path) = &self.compact {
            write_file(
                path,
                "matrix",
                &super::matrix_file::compact_json(&self.column),
            )?;
        }
        Ok(())
    }
}

/// Writes a whole report file.
pub fn write_file(path: &Path, what: &'static str, text: &str) -> Result<(), ReportError> {
    std::fs::write(path, text).map_err(|source| ReportError::Write {
        what,
        path: path.to_path_buf(),
        source,
    })
}

impl Reporter for MatrixReporter {
    fn event(&mut self, event: &Event) -> Result<(), ReportError> {
        match event {
            Event::RunStarted {
                seed,
                target,
                origin,
                ..
            } => {
                self.column.origin = origin.clone();
                self.column.seed = *seed;
                self.column.target = target.clone();
                self.column.label = target.clone();
            }
            Event::CaseFinished(result) => self.column.matrix.add(result),
            Event::ServiceSkipped { service, reason } => self.column.matrix.skip(service, reason),
            Event::RunFinished { .. } if !self.written => self.write()?,
            _ => {}
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), ReportError> {
        if !self.written {
            self.write()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::sample_results;
    use super::*;
    use crate::report::{Actual, Reproduce};

    fn check(check: CheckName, passed: bool, uncertain: bool) -> CheckResult {
        CheckResult {
            check,
            passed,
            uncertain,
            expected: "e".into(),
            actual: "a".into(),
            message: "m".into(),
        }
    }

    fn result(op: &str, kind: CaseKind, checks: Vec<CheckResult>) -> CaseResult {
        let mut r = sample_results().remove(0);
        r.id = format!("{op}-{}-{}", kind.as_str(), checks.len());
        r.service = "svc".into();
        r.operation = op.into();
        r.kind = kind;
        r.checks = checks;
        r.actual = Some(Actual {
            status: 200,
            error_type: None,
        });
        r.transport_error = None;
        r.reproduce = Reproduce {
            curl: "curl x".into(),
            replay: "conform replay x".into(),
        };
        r.classify();
        r
    }

    #[test]
    fn every_check_but_implemented_has_a_class_for_every_kind() {
        for check in CheckName::ALL {
            for kind in [
                CaseKind::Valid,
                CaseKind::Invalid,
                CaseKind::Malformed,
                CaseKind::Scenario,
            ] {
                assert_eq!(
                    class_of(check, kind).is_none(),
                    check == CheckName::Implemented,
                    "{check} on {kind:?}"
                );
            }
        }
        assert_eq!(
            class_of(CheckName::Status, CaseKind::Invalid),
            Some(CheckClass::Constraints)
        );
        assert_eq!(
            class_of(CheckName::ErrorType, CaseKind::Malformed),
            Some(CheckClass::Protocol)
        );
        assert_eq!(
            class_of(CheckName::OutputShape, CaseKind::Scenario),
            Some(CheckClass::OutputShape)
        );
    }

    #[test]
    fn a_case_counts_once_per_class_under_its_worst_verdict() {
        let mut m = Matrix::new(true);
        // Status passes but error-type deviates: one deviating case under constraints, not one of each.
        m.add(&result(
            "Put",
            CaseKind::Invalid,
            vec![
                check(CheckName::Status, true, false),
                check(CheckName::ErrorType, false, false),
                check(CheckName::RequestId, true, false),
            ],
        ));
        m.add(&result(
            "Put",
            CaseKind::Invalid,
            vec![check(CheckName::Status, false, true)],
        ));
        m.add(&result(
            "Put",
            CaseKind::Valid,
            vec![
                check(CheckName::Status, true, false),
                check(CheckName::OutputShape, true, false),
            ],
        ));
        let row = &m.services["svc"]["Put"];
        let constraints = &row.cells[&CheckClass::Constraints];
        assert_eq!(
            (
                constraints.passed,
                constraints.deviations,
                constraints.uncertain
            ),
            (0, 1, 1)
        );
        assert_eq!(row.state(CheckClass::Constraints), Some(CellState::Deviate));
        assert_eq!(row.state(CheckClass::Protocol), Some(CellState::Pass));
        assert_eq!(row.state(CheckClass::Errors), Some(CellState::Pass));
        assert_eq!(row.state(CheckClass::OutputShape), Some(CellState::Pass));
        assert_eq!(row.state(CheckClass::State), None);
        // The deviation is kept as an example with its reproduction, before the uncertain one.
        assert_eq!(constraints.examples.len(), 2);
        assert_eq!(constraints.examples[0].check, CheckName::ErrorType);
        assert_eq!(constraints.examples[0].replay, "conform replay x");
        let t = m.totals();
        assert_eq!((t.services, t.operations, t.not_implemented), (1, 1, 0));
        assert_eq!(
            (t.cells.pass, t.cells.deviate, t.cells.uncertain),
            (3, 1, 0)
        );
    }

    #[test]
    fn an_unimplemented_operation_is_not_implemented_in_every_class() {
        let mut m = Matrix::new(false);
        let mut probe = result(
            "Gone",
            CaseKind::Valid,
            vec![
                check(CheckName::Status, false, false),
                check(CheckName::Implemented, false, false),
            ],
        );
        probe.actual = Some(Actual {
            status: 404,
            error_type: None,
        });
        m.add(&probe);
        m.add(&probe);
        let row = &m.services["svc"]["Gone"];
        assert!(!row.implemented);
        assert_eq!(row.answered.as_deref(), Some("404"));
        for class in CheckClass::ALL {
            assert_eq!(row.state(class), Some(CellState::NotImplemented));
        }
        assert_eq!(row.cells[&CheckClass::Errors].examples.len(), 1);
        // Without reproductions, the example names the case only.
        assert!(row.cells[&CheckClass::Errors].examples[0].curl.is_empty());
        let t = m.totals();
        assert_eq!(
            (t.operations, t.not_implemented, t.cells.tested()),
            (1, 1, 0)
        );
        let md = markdown(&Column {
            origin: crate::report::RunOrigin::default(),
            label: "r".into(),
            target: "http://127.0.0.1:1".into(),
            seed: 3,
            matrix: m,
        });
        assert!(md.contains("⛔ not implemented (1): Gone (404)"), "{md}");
    }

    #[test]
    fn an_operation_that_may_crash_says_so_in_every_class_and_in_the_compact_file() {
        let mut m = Matrix::new(false);
        let mut implemented = check(CheckName::Implemented, false, false);
        implemented.expected = crate::check::EXPECTED_NO_CRASH.into();
        let mut probe = result("Shaky", CaseKind::Valid, vec![implemented]);
        probe.actual = Some(Actual {
            status: 500,
            error_type: None,
        });
        m.add(&probe);
        m.add(&result(
            "Fine",
            CaseKind::Invalid,
            vec![check(CheckName::Status, false, false)],
        ));
        let row = &m.services["svc"]["Shaky"];
        assert!(!row.implemented && row.crash_or_missing);
        for class in CheckClass::ALL {
            assert_eq!(row.state(class), Some(CellState::CrashOrMissing));
        }
        let t = m.totals();
        assert_eq!(
            (
                t.operations,
                t.not_implemented,
                t.crash_or_missing,
                t.implemented()
            ),
            (2, 0, 1, 1)
        );
        assert_eq!(t.not_implemented_text(), "0 + 1 ⛔?");
        // The deviating cell lists its kind.
        let fine = &m.services["svc"]["Fine"].cells[&CheckClass::Constraints];
        assert_eq!(fine.kinds.len(), 1, "{fine:?}");
        let column = Column {
            origin: crate::report::RunOrigin {
                conform_version: "9.9.9".into(),
                digest: "d1".into(),
                partition: None,
            },
            label: "r".into(),
            target: "http://127.0.0.1:1".into(),
            seed: 3,
            matrix: m,
        };
        let md = markdown(&column);
        assert!(
            md.contains("⛔? crash on every valid request, or not implemented (a bare 500 page cannot tell) (1): Shaky (500)"),
            "{md}"
        );
        // The compact file: one line per operation, read back to the same rows and origin.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.json");
        let text = super::super::matrix_file::compact_json(&column);
        assert_eq!(text.lines().count(), 4, "{text}");
        std::fs::write(&path, &text).unwrap();
        assert!(super::super::matrix_file::is_matrix_file(&path));
        let back = super::super::matrix_file::read_matrix_file(&path, "m".into()).unwrap();
        let mut without_examples = column.matrix.services.clone();
        for row in without_examples
            .values_mut()
            .flat_map(|rows| rows.values_mut())
        {
            for cell in row.cells.values_mut() {
                cell.examples.clear();
            }
        }
        assert_eq!(back.matrix.services, without_examples);
        assert_eq!(back.origin, column.origin);
        assert_eq!((back.seed, back.target.as_str()), (3, "http://127.0.0.1:1"));
    }

    #[test]
    fn transport_errors_count_in_the_class_of_their_kind() {
        let mut m = Matrix::new(true);
        let mut r = result("Put", CaseKind::Malformed, vec![]);
        r.actual = None;
        r.transport_error = Some("connection reset".into());
        r.classify();
        m.add(&r);
        let row = &m.services["svc"]["Put"];
        assert_eq!(row.state(CheckClass::Protocol), Some(CellState::Error));
        assert!(
            row.cells[&CheckClass::Protocol].examples[0]
                .message
                .contains("connection reset")
        );
    }

    #[test]
    fn changes_say_which_cells_got_better_and_which_worse() {
        let mut before = Matrix::new(false);
        before.add(&result(
            "A",
            CaseKind::Invalid,
            vec![check(CheckName::Status, false, false)],
        ));
        before.add(&result(
            "B",
            CaseKind::Valid,
            vec![check(CheckName::Status, true, false)],
        ));
        let mut after = Matrix::new(false);
        after.add(&result(
            "A",
            CaseKind::Invalid,
            vec![check(CheckName::Status, true, false)],
        ));
        after.add(&result(
            "B",
            CaseKind::Valid,
            vec![check(CheckName::Status, false, false)],
        ));
        after.add(&result(
            "C",
            CaseKind::Valid,
            vec![check(CheckName::Status, true, false)],
        ));
        let changes = compare(&before, &after);
        let seen: Vec<(&str, CheckClass, Direction)> = changes
            .iter()
            .map(|c| (c.operation.as_str(), c.class, c.direction()))
            .collect();
        assert_eq!(
            seen,
            vec![
                ("A", CheckClass::Constraints, Direction::Better),
                ("B", CheckClass::Errors, Direction::Worse),
                ("C", CheckClass::Errors, Direction::Other),
            ]
        );
        let column = |label: &str, matrix: Matrix| Column {
            origin: crate::report::RunOrigin::default(),
            label: label.into(),
            target: "t".into(),
            seed: 0,
            matrix,
        };
        let text = markdown_changes(&column("old", before), &column("new", after), &changes);
        assert!(text.contains("**1 cell(s) worse, 1 better**"), "{text}");
        assert!(
            text.contains(
                "| svc | B | error types and statuses | ✅ pass | ❌ deviate (new: status valid) |"
            ),
            "{text}"
        );
    }

    #[test]
    fn a_cell_deviating_in_both_is_worse_when_it_deviates_in_a_new_way() {
        let deviating = |checks: &[CheckName]| {
            let mut m = Matrix::new(false);
            m.add(&result(
                "B",
                CaseKind::Valid,
                checks.iter().map(|c| check(*c, false, false)).collect(),
            ));
            m
        };
        let one = deviating(&[CheckName::Status]);
        let two = deviating(&[CheckName::Status, CheckName::ErrorType]);
        let cell = |m: &Matrix| row_of(m, "svc", "B").unwrap().state(CheckClass::Errors);
        assert_eq!(cell(&one), Some(CellState::Deviate));
        assert_eq!(cell(&two), Some(CellState::Deviate));

        let worse = compare(&one, &two);
        assert_eq!(worse.len(), 1, "{worse:?}");
        assert_eq!(worse[0].direction(), Direction::Worse);
        assert_eq!(worse[0].new_kinds.len(), 1, "{worse:?}");
        assert!(
            worse[0].after_text().contains("(new: "),
            "{}",
            worse[0].after_text()
        );

        let better = compare(&two, &one);
        assert_eq!(better.len(), 1, "{better:?}");
        assert_eq!(better[0].direction(), Direction::Better);
        assert!(
            better[0].after_text().contains("(gone: "),
            "{}",
            better[0].after_text()
        );

        assert!(
            compare(&one, &deviating(&[CheckName::Status])).is_empty(),
            "the same kinds: no change"
        );
    }

    #[test]
    fn a_large_markdown_matrix_lists_only_the_operations_that_do_not_pass() {
        let mut m = Matrix::new(false);
        for n in 0..=EVERY_ROW_UP_TO {
            m.add(&result(
                &format!("Op{n:04}"),
                CaseKind::Valid,
                vec![check(CheckName::Status, n != 7, false)],
            ));
        }
        let column = |matrix: Matrix| Column {
            origin: crate::report::RunOrigin::default(),
            label: "r".into(),
            target: "t".into(),
            seed: 0,
            matrix,
        };
        let text = markdown(&column(m.clone()));
        assert!(text.contains("| Op0007 | · | ❌ 1/1 |"), "{text}");
        assert!(!text.contains("| Op0008 |"), "{text}");
        assert!(
            text.contains(&format!(
                "✅ {EVERY_ROW_UP_TO} other operation(s) pass in every class tested"
            )),
            "{text}"
        );
        let both = markdown_side_by_side(&[column(m.clone()), column(m)]);
        assert!(both.contains("| Op0007 | ·❌··· | ·❌··· |"), "{both}");
        assert!(!both.contains("| Op0008 |"), "{both}");
        assert!(
            both.contains(&format!(
                "✅ {EVERY_ROW_UP_TO} other operation(s) pass alike"
            )),
            "{both}"
        );
    }

    #[test]
    fn markdown_cells_cannot_break_the_table() {
        assert_eq!(md("a|b\nc"), "a\\|b c");
        assert_eq!(
            html_text("<a href='x'>&</a>"),
            "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;"
        );
    }

    #[test]
    fn the_json_section_has_totals_per_service_and_overall() {
        let mut m = Matrix::new(false);
        m.add(&result(
            "Put",
            CaseKind::Valid,
            vec![check(CheckName::Status, true, false)],
        ));
        m.skip("s3", "speaks restXml, which conform does not speak yet");
        let v = serde_json::to_value(m.section()).unwrap();
        assert_eq!(v["classes"][0], "constraints");
        assert_eq!(v["totals"]["operations"], 1);
        assert_eq!(v["totals"]["skipped"], 1);
        assert_eq!(v["services"]["svc"]["totals"]["cells"]["pass"], 1);
        assert_eq!(
            v["services"]["svc"]["operations"]["Put"]["cells"]["errors"]["passed"],
            1
        );
        assert_eq!(v["skipped"][0]["service"], "s3");
        let back: SectionSkipped = serde_json::from_value(v).unwrap();
        assert_eq!(back.skipped, m.skipped);
    }
}
