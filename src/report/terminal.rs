//! The human report on stderr: live progress per phase (indicatif), then a summary table and the deviations
//! grouped by kind, most severe first, one example each.
//!
//! A kind of deviation is its baseline key (operation, check, mutation class, member). A case that fails several
//! checks is counted once, under its most severe check ([`severity`]); the group names the other checks its cases
//! also failed, so that every baseline key of the run shows. The order, most severe first:
//! 1. `state` (a scenario's step or assertion: the emulator does not keep state as AWS does);
//! 2. `status` and `parity` (a request AWS refuses is accepted, or the other way round);
//! 3. `error-type`;
//! 4. `output-shape`;
//! 5. malformed cases of any check (protocol-level breaks: bodies, headers, signatures);
//! 6. `snapshot`;
//! 7. `error-body`, then `content-type`, then `request-id`.
//!
//! Writing here never fails the run: when stderr is gone (a closed pipe), the reporter stops writing and the run,
//! its other reports and its exit code go on as if it were there.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::baseline::BaselineKey;
use super::junit::mutation_text;
use super::{CaseResult, Event, Phase, ReportError, Reporter, Stopped, Summary};
use crate::case::CaseKind;
use crate::check::CheckName;
use crate::cli::Table;

/// How many one-line groups (known, uncertain, errors) are listed before the rest are counted.
pub const MAX_LISTED: usize = 50;

/// Whether the terminal output may use colour: only on a terminal, and never when `NO_COLOR` is set to anything
/// but the empty string (<https://no-color.org>).
pub fn color_enabled(is_terminal: bool, no_color: Option<&OsStr>) -> bool {
    is_terminal && no_color.is_none_or(OsStr::is_empty)
}

/// Whether stderr gets colour, by [`color_enabled`].
pub fn stderr_color() -> bool {
    color_enabled(
        std::io::stderr().is_terminal(),
        std::env::var_os("NO_COLOR").as_deref(),
    )
}

/// What the terminal reporter shows, besides the summary.
#[derive(Debug, Clone, Default)]
pub struct TerminalOptions {
    /// Draw a progress bar (on stderr, and only when it is a terminal).
    pub progress: bool,
    /// Use ANSI colours.
    pub color: bool,
    /// Print every deviating case, not one example per kind.
    pub show_all: bool,
    /// Where the JSON report goes, when one was asked for (`-` for stdout): the full list is there.
    pub json_report: Option<PathBuf>,
}

/// ANSI styling that is a no-op without colour.
#[derive(Debug, Clone, Copy)]
struct Paint(bool);

impl Paint {
    fn wrap(self, code: &str, text: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    fn red(self, text: &str) -> String {
        self.wrap("1;31", text)
    }
    fn green(self, text: &str) -> String {
        self.wrap("32", text)
    }
    fn yellow(self, text: &str) -> String {
        self.wrap("33", text)
    }
    fn bold(self, text: &str) -> String {
        self.wrap("1", text)
    }
    fn dim(self, text: &str) -> String {
        self.wrap("2", text)
    }
}

/// How severe a failed check is, 0 most severe (see the module's list).
pub fn severity(kind: CaseKind, check: CheckName) -> u8 {
    match check {
        CheckName::State | CheckName::Implemented => 0,
        _ if kind == CaseKind::Malformed => 4,
        CheckName::Status | CheckName::Parity => 1,
        CheckName::ErrorType => 2,
        CheckName::OutputShape => 3,
        CheckName::Snapshot => 5,
        CheckName::ErrorBody => 6,
        CheckName::ContentType => 7,
        CheckName::RequestId => 8,
    }
}

/// The kind a deviating case is grouped under: the key of its most severe deviating check, with the severity.
pub fn primary_key(r: &CaseResult) -> Option<(u8, BaselineKey)> {
    BaselineKey::for_result(r)
        .into_iter()
        .map(|k| (severity(r.kind, k.check), k))
        .min_by_key(|(rank, _)| *rank)
}

/// The deviations of one kind.
struct Group {
    severity: u8,
    count: u64,
    /// The case shown: the first with a shrunk case, else the first.
    example: CaseResult,
    /// Other deviating checks its cases failed too.
    also: BTreeSet<CheckName>,
    /// Every case after the example, with `--show-all`.
    rest: Vec<CaseResult>,
}

/// One-line entries grouped by a key, with a count and the first line as the example.
#[derive(Default)]
struct Lines {
    groups: indexmap::IndexMap<String, (String, u64)>,
}

impl Lines {
    fn add(&mut self, key: String, line: impl FnOnce() -> String) {
        match self.groups.get_mut(&key) {
            Some((_, count)) => *count += 1,
            None => {
                self.groups.insert(key, (line(), 1));
            }
        }
    }

    fn render(&self, title: &str, show_all: bool, text: &mut String) {
        if self.groups.is_empty() {
            return;
        }
        let total: u64 = self.groups.values().map(|(_, n)| n).sum();
        text.push_str(&format!("\n{title}: {total}\n"));
        let mut shown: Vec<&(String, u64)> = self.groups.values().collect();
        shown.sort_by_key(|(_, count)| std::cmp::Reverse(*count));
        let cap = if show_all { usize::MAX } else { MAX_LISTED };
        for (line, count) in shown.iter().take(cap) {
            if *count > 1 {
                text.push_str(&format!("  {line} (and {} more like it)\n", count - 1));
            } else {
                text.push_str(&format!("  {line}\n"));
            }
        }
        if shown.len() > cap {
            let more: u64 = shown[cap..].iter().map(|(_, n)| n).sum();
            text.push_str(&format!(
                "  … and {more} more in {} other groups (--show-all lists them)\n",
                shown.len() - cap
            ));
        }
    }
}

/// Shows progress while the run goes, then the summary and the deviations by kind.
pub struct TerminalReporter {
    out: Box<dyn Write + Send>,
    /// Set when a write failed (stderr closed): nothing more is written, and nothing fails because of it.
    out_gone: bool,
    options: TerminalOptions,
    paint: Paint,
    progress: ProgressBar,
    phases: Vec<(Phase, u64)>,
    phase: Option<Phase>,
    seed: u64,
    groups: BTreeMap<BaselineKey, Group>,
    baselined: Lines,
    uncertain: Lines,
    errors: Lines,
    failed_so_far: u64,
}

impl TerminalReporter {
    /// A reporter writing to `out`; with `progress`, a progress bar is drawn on stderr when it is a terminal.
    pub fn new(out: Box<dyn Write + Send>, progress: bool) -> Self {
        Self::with_options(
            out,
            TerminalOptions {
                progress,
                ..TerminalOptions::default()
            },
        )
    }

    /// A reporter writing to `out` as `options` say.
    pub fn with_options(out: Box<dyn Write + Send>, options: TerminalOptions) -> Self {
        TerminalReporter {
            out,
            out_gone: false,
            paint: Paint(options.color),
            options,
            progress: ProgressBar::hidden(),
            phases: Vec::new(),
            phase: None,
            seed: 0,
            groups: BTreeMap::new(),
            baselined: Lines::default(),
            uncertain: Lines::default(),
            errors: Lines::default(),
            failed_so_far: 0,
        }
    }

    /// A reporter on the process's stderr, with progress, in colour when stderr is a terminal and `NO_COLOR` is
    /// not set.
    pub fn stderr() -> Self {
        Self::stderr_with(TerminalOptions {
            progress: true,
            color: stderr_color(),
            ..TerminalOptions::default()
        })
    }

    /// A reporter on the process's stderr as `options` say.
    pub fn stderr_with(options: TerminalOptions) -> Self {
        Self::with_options(Box::new(std::io::stderr()), options)
    }

    /// Writes, unless the output is gone; a failure (EPIPE from a closed pipe, a full disk) only stops the
    /// writing: the terminal is no report, and losing it must not change the run or its reports.
    fn write_text(&mut self, text: &str) {
        if self.out_gone {
            return;
        }
        let out = &mut self.out;
        let written = self
            .progress
            .suspend(|| out.write_all(text.as_bytes()).and_then(|_| out.flush()));
        if written.is_err() {
            self.out_gone = true;
            self.progress.set_draw_target(ProgressDrawTarget::hidden());
        }
    }

    fn record(&mut self, r: &CaseResult) {
        let line = || format!("{} {}: {}", r.operation, r.id, brief(r));
        if r.error {
            let key = if self.options.show_all {
                r.id.clone()
            } else {
                format!(
                    "{}\n{}",
                    r.operation,
                    r.transport_error.as_deref().unwrap_or_default()
                )
            };
            self.errors.add(key, line);
        } else if r.deviation && r.baselined {
            let key = primary_key(r)
                .map(|(_, k)| key_text(&k))
                .unwrap_or_default();
            if self.options.show_all {
                self.baselined.add(r.id.clone(), line);
            } else {
                self.baselined.add(key.clone(), || key);
            }
        } else if r.deviation {
            self.failed_so_far += 1;
            let Some((severity, key)) = primary_key(r) else {
                return;
            };
            let also: Vec<CheckName> = BaselineKey::for_result(r)
                .into_iter()
                .map(|k| k.check)
                .filter(|c| *c != key.check)
                .collect();
            match self.groups.get_mut(&key) {
                Some(group) => {
                    group.count += 1;
                    group.also.extend(also);
                    if group.example.shrunk.is_none() && r.shrunk.is_some() {
                        let earlier = std::mem::replace(&mut group.example, r.clone());
                        if self.options.show_all {
                            group.rest.insert(0, earlier);
                        }
                    } else if self.options.show_all {
                        group.rest.push(r.clone());
                    }
                }
                None => {
                    self.groups.insert(
                        key,
                        Group {
                            severity,
                            count: 1,
                            example: r.clone(),
                            also: also.into_iter().collect(),
                            rest: Vec::new(),
                        },
                    );
                }
            }
        } else if r.uncertain {
            let key = r
                .failed_checks()
                .next()
                .map(|c| {
                    format!(
                        "{} {} {}",
                        r.operation,
                        c.check,
                        r.mutation
                            .as_ref()
                            .map(|m| format!("{} {:?}", m.class, m.member()))
                            .unwrap_or_else(|| r.kind.as_str().to_string())
                    )
                })
                .unwrap_or_default();
            let key = if self.options.show_all {
                r.id.clone()
            } else {
                key
            };
            self.uncertain.add(key, line);
        }
    }

    /// The deviations, by kind, most severe first.
    fn deviations_text(&self) -> String {
        let mut groups: Vec<(&BaselineKey, &Group)> = self.groups.iter().collect();
        groups.sort_by(|(ka, a), (kb, b)| {
            (a.severity, std::cmp::Reverse(a.count), *ka).cmp(&(
                b.severity,
                std::cmp::Reverse(b.count),
                *kb,
            ))
        });
        let total: u64 = groups.iter().map(|(_, g)| g.count).sum();
        if groups.is_empty() {
            return String::new();
        }
        let p = self.paint;
        let mut text = format!(
            "\n{}\n",
            p.bold(&format!(
                "Deviations: {total} case{} of {} kind{}, most severe first",
                plural(total),
                groups.len(),
                plural(groups.len() as u64)
            ))
        );
        let many = groups.iter().any(|(_, g)| g.count > 1);
        if many && !self.options.show_all {
            text.push_str(&format!(
                "{}\n",
                p.dim(&format!(
                    "one example of each kind (the shrunk one where there is one); --show-all prints every case, {}",
                    self.where_all_are()
                ))
            ));
        }
        for (n, (key, group)) in groups.iter().enumerate() {
            let also = if group.also.is_empty() {
                String::new()
            } else {
                let names: Vec<&str> = group.also.iter().map(|c| c.as_str()).collect();
                format!(" (its cases also fail: {})", names.join(", "))
            };
            text.push_str(&format!(
                "\n{} {}{also}\n",
                p.bold(&format!(
                    "[{}/{}] {} case{}:",
                    n + 1,
                    groups.len(),
                    group.count,
                    plural(group.count)
                )),
                key_text(key)
            ));
            text.push_str(&deviation_block(&group.example, self.seed, p));
            if self.options.show_all {
                for r in &group.rest {
                    text.push_str(&deviation_block(r, self.seed, p));
                }
            }
        }
        text
    }

    /// Where the full list of deviations is: the JSON report when one was asked for, else how to get one.
    fn where_all_are(&self) -> String {
        match &self.options.json_report {
            Some(path) if path.as_os_str() == "-" => {
                "and all of them are in the JSON report on stdout".to_string()
            }
            Some(path) => format!("and all of them are in the JSON report {}", path.display()),
            None => "or --json PATH writes all of them to a JSON report".to_string(),
        }
    }

    fn final_text(
        &self,
        summary: &Summary,
        elapsed: Duration,
        stopped: Option<&Stopped>,
    ) -> String {
        let p = self.paint;
        let mut text = String::new();
        text.push_str(&render_summary(summary));
        text.push_str(&self.deviations_text());
        self.baselined.render(
            "Known deviations (in the baseline)",
            self.options.show_all,
            &mut text,
        );
        self.uncertain.render(
            "Uncertain (unverified AWS behaviour; not deviations)",
            self.options.show_all,
            &mut text,
        );
        self.errors.render(
            "Errors (no usable response)",
            self.options.show_all,
            &mut text,
        );
        let failed = format!(
            "{} failed{}",
            summary.failed,
            if summary.baselined > 0 {
                format!(" ({} in the baseline)", summary.baselined)
            } else {
                String::new()
            }
        );
        let errors = format!("{} errors", summary.errors);
        text.push_str(&format!(
            "\n{} cases: {}, {}, {} uncertain, {} in {:.1}s (seed {})\n",
            summary.total,
            p.green(&format!("{} passed", summary.passed)),
            if summary.new_deviations() > 0 {
                p.red(&failed)
            } else {
                failed
            },
            summary.uncertain,
            if summary.errors > 0 {
                p.red(&errors)
            } else {
                errors
            },
            elapsed.as_secs_f64(),
            self.seed
        ));
        if let Some(stopped) = stopped {
            text.push_str(&p.yellow(&stopped.verdict()));
            text.push('\n');
        }
        text
    }

    /// Switches the progress bar to `phase`: its own count, total and ETA. Without a plan of phases (`conform
    /// diff`, which interleaves examples with single requests), one spinner counts every case.
    fn enter_phase(&mut self, phase: Phase) {
        let planned = self.phases.iter().any(|(p, _)| *p == phase);
        if !self.options.progress
            || self.out_gone
            || self.phase == Some(phase)
            || (self.phase.is_some() && !planned)
        {
            return;
        }
        self.phase = Some(phase);
        self.progress.finish_and_clear();
        let total = self
            .phases
            .iter()
            .find(|(p, _)| *p == phase)
            .map(|(_, n)| *n);
        let number = self
            .phases
            .iter()
            .position(|(p, _)| *p == phase)
            .map(|i| format!("{}/{} ", i + 1, self.phases.len()))
            .unwrap_or_default();
        let bar = ProgressBar::with_draw_target(total, ProgressDrawTarget::stderr());
        // With a total: done/total and an ETA; without one, done and the rate.
        let template = if total.is_some() {
            "{prefix} [{elapsed_precise}] {wide_bar} {pos}/{len} · {rate} · ETA {eta} {msg}"
        } else {
            "{spinner} {prefix} [{elapsed_precise}] {pos} · {rate} {msg}"
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            // Whole cases per second: `{per_sec}` shows four decimals.
            let rate = |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{:.0}/s", state.per_sec());
            };
            bar.set_style(style.with_key("rate", rate));
        }
        bar.set_prefix(if planned {
            format!("{number}{}", phase.name())
        } else {
            "cases".to_string()
        });
        if self.failed_so_far > 0 {
            bar.set_message(format!("· {} deviations", self.failed_so_far));
        }
        self.progress = bar;
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// A baseline key the way a baseline file writes it, on one line (an inline TOML table).
pub fn key_text(key: &BaselineKey) -> String {
    super::baseline::inline_entry(key)
}

/// One line: the failed checks, or the transport error.
fn brief(r: &CaseResult) -> String {
    if let Some(e) = &r.transport_error {
        return e.clone();
    }
    let failed: Vec<String> = r
        .failed_checks()
        .map(|c| format!("{}: {}", c.check, c.message))
        .collect();
    format!(
        "expected {}, got {} ({})",
        r.expected_text(),
        r.actual_text(),
        failed.join("; ")
    )
}

/// The full account of one deviation: what was sent, expected against actual, how to send it again.
fn deviation_block(r: &CaseResult, seed: u64, p: Paint) -> String {
    let mut t = format!(
        "{} {} case {} ({})\n",
        p.red("DEVIATION"),
        r.operation,
        r.id,
        r.kind.as_str()
    );
    if let Some(m) = &r.mutation {
        t.push_str(&format!("  mutation:  {}\n", mutation_text(m)));
    }
    t.push_str(&format!("  expected:  {}\n", r.expected_text()));
    t.push_str(&format!("  actual:    {}\n", r.actual_text()));
    if let Some(body) = &r.body_excerpt {
        let shown = if body.is_empty() {
            "(empty)"
        } else {
            body.as_str()
        };
        t.push_str(&format!("  body:      {shown}\n"));
    }
    for c in r.failed_checks() {
        let tag = if c.uncertain { " (uncertain)" } else { "" };
        t.push_str(&format!("  failed:    {}{tag}: {}\n", c.check, c.message));
    }
    if r.retries > 0 {
        t.push_str(&format!(
            "  retries:   {} (429/503 answers retried)\n",
            r.retries
        ));
    }
    if let Some(s) = &r.shrunk {
        let what = s.mutation.as_ref().map(mutation_text).unwrap_or_default();
        t.push_str(&format!("  shrunk:    case {} {what}\n", s.id));
        t.push_str(&format!("             body {}\n", s.body));
    } else if let Some(id) = &r.shrunk_with {
        t.push_str(&format!(
            "  shrunk:    not again: case {id} deviates the same way, and was shrunk for both\n"
        ));
    }
    for capped in &r.capped_bodies {
        t.push_str(&format!("  capped:    {}\n", capped.describe()));
    }
    t.push_str(&format!("  curl:      {}\n", r.reproduce.curl));
    t.push_str(&format!("  seed:      {seed}\n"));
    t.push_str(&format!("  replay:    {}\n", r.reproduce.replay));
    t
}

/// The summary tables: case states per operation, then verdicts per check; then the operations found not
/// implemented, whose probes are not counted as cases.
pub fn render_summary(summary: &Summary) -> String {
    let mut ops = Table::new([
        "OPERATION",
        "CASES",
        "PASSED",
        "FAILED",
        "UNCERTAIN",
        "ERRORS",
    ]);
    for (op, c) in &summary.operations {
        ops.row([
            op.clone(),
            (c.passed + c.failed + c.uncertain + c.errors).to_string(),
            c.passed.to_string(),
            c.failed.to_string(),
            c.uncertain.to_string(),
            c.errors.to_string(),
        ]);
    }
    let mut checks = Table::new(["CHECK", "PASSED", "FAILED", "UNCERTAIN"]);
    for (check, c) in &summary.checks {
        checks.row([
            check.to_string(),
            c.passed.to_string(),
            c.failed.to_string(),
            c.uncertain.to_string(),
        ]);
    }
    let mut text = String::new();
    if !ops.is_empty() {
        text.push_str(&format!("\n{ops}"));
    }
    if !checks.is_empty() {
        text.push_str(&format!("\n{checks}"));
    }
    if !summary.not_implemented.is_empty() {
        text.push_str(&format!("\n{}\n", summary.not_implemented.line()));
    }
    text
}

impl Reporter for TerminalReporter {
    /// Never fails: see [`TerminalReporter::write_text`].
    fn event(&mut self, event: &Event) -> Result<(), ReportError> {
        match event {
            Event::RunStarted {
                seed,
                target,
                total,
                phases,
                ..
            } => {
                self.seed = *seed;
                self.phases = phases.clone();
                let cases = total.map(|n| format!(", {n} cases")).unwrap_or_default();
                self.write_text(&format!("conform: testing {target} (seed {seed}{cases})\n"));
            }
            Event::Note(note) => {
                let label = self.paint.yellow("note:");
                self.write_text(&format!("{label} {note}\n"));
            }
            // The command says it once, in a note listing them all.
            Event::ServiceSkipped { .. } => {}
            Event::CaseFinished(result) => {
                self.enter_phase(Phase::of(result));
                self.record(result);
                self.progress.inc(1);
                if result.deviation && !result.baselined {
                    self.progress
                        .set_message(format!("· {} deviations", self.failed_so_far));
                }
            }
            Event::RunFinished {
                summary,
                elapsed,
                stopped,
            } => {
                self.progress.finish_and_clear();
                let text = self.final_text(summary, *elapsed, stopped.as_ref());
                self.write_text(&text);
            }
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), ReportError> {
        self.progress.finish_and_clear();
        if !self.out_gone && self.out.flush().is_err() {
            self.out_gone = true;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{Shared, sample_events, sample_results};
    use super::*;

    fn render(events: &[Event], options: TerminalOptions) -> String {
        let buf = Shared::default();
        let mut reporter = TerminalReporter::with_options(Box::new(buf.clone()), options);
        for e in events {
            reporter.event(e).unwrap();
        }
        reporter.finish().unwrap();
        buf.text()
    }

    #[test]
    fn the_output_has_the_table_and_the_deviation_block() {
        let text = render(&sample_events(), TerminalOptions::default());
        assert!(
            text.contains("note: signing with the documented test key pair"),
            "{text}"
        );
        assert!(text.contains("OPERATION"), "{text}");
        assert!(
            text.contains("PutAlternateContact        2      1       1       0          0"),
            "{text}"
        );
        assert!(
            text.contains("Deviations: 1 case of 1 kind, most severe first"),
            "{text}"
        );
        assert!(
            text.contains(
                "[1/1] 1 case: { operation = \"PutAlternateContact\", check = \"status\", mutation = \
                 \"length-max+1\", member = \"Name\" } (its cases also fail: error-type)"
            ),
            "{text}"
        );
        assert!(
            text.contains("DEVIATION PutAlternateContact case put-invalid-7 (invalid)"),
            "{text}"
        );
        assert!(
            text.contains("mutation:  Name (length-max+1): Name is 65 characters"),
            "{text}"
        );
        assert!(
            text.contains("expected:  400 ValidationException"),
            "{text}"
        );
        assert!(text.contains("actual:    200\n"), "{text}");
        assert!(text.contains("shrunk:    case put-invalid-7-s2"), "{text}");
        assert!(
            text.contains(
                "curl:      curl -X POST http://127.0.0.1:1/ -H 'authorization: <redacted>'"
            ),
            "{text}"
        );
        assert!(
            text.contains("replay:    conform replay put-invalid-7 --seed 42"),
            "{text}"
        );
        assert!(text.contains("seed:      42"), "{text}");
        // The uncertain failure is listed apart, briefly, never as a deviation block.
        assert!(
            !text.contains("DEVIATION UpdatePrimaryEmailAddress"),
            "{text}"
        );
        assert!(text.contains("Uncertain (unverified AWS behaviour; not deviations): 1\n  UpdatePrimaryEmailAddress wm-invalid-3"), "{text}");
        assert!(text.contains("Errors (no usable response): 1\n  GetAlternateContact get-valid-2: failed to read the response"), "{text}");
        assert!(
            text.contains("4 cases: 1 passed, 1 failed, 1 uncertain, 1 errors in 1.2s (seed 42)"),
            "{text}"
        );
        assert!(!text.contains('\x1b'), "no colour unless asked: {text}");
    }

    /// Many deviations of few kinds: a status one of a valid case, a malformed one, an error-body one.
    fn many_events() -> Vec<Event> {
        let deviation = sample_results().remove(1);
        let mut events = vec![Event::RunStarted {
            seed: 42,
            target: "t".into(),
            total: None,
            phases: Vec::new(),
            origin: Default::default(),
        }];
        let mut summary = Summary::default();
        let mut push = |r: CaseResult, events: &mut Vec<Event>| {
            summary.add(&r);
            events.push(Event::CaseFinished(Box::new(r)));
        };
        for i in 0..30 {
            let mut r = deviation.clone();
            r.id = format!("body-{i}");
            r.checks[0].passed = true;
            r.checks[1].passed = true;
            r.checks[2].check = CheckName::ErrorBody;
            r.checks[2].passed = false;
            r.shrunk = None;
            r.classify();
            push(r, &mut events);
        }
        for i in 0..40 {
            let mut r = deviation.clone();
            r.id = format!("length-{i}");
            // Only the 7th carries a shrunk case: it is the example shown.
            if i != 7 {
                r.shrunk = None;
            }
            push(r, &mut events);
        }
        for i in 0..5 {
            let mut r = deviation.clone();
            r.id = format!("malformed-{i}");
            r.kind = CaseKind::Malformed;
            r.mutation.as_mut().unwrap().class = crate::case::CaseClass::parse("body-not-json");
            r.mutation.as_mut().unwrap().path = None;
            r.shrunk = None;
            push(r, &mut events);
        }
        events.push(Event::RunFinished {
            summary,
            elapsed: Duration::from_secs(1),
            stopped: None,
        });
        events
    }

    #[test]
    fn deviations_are_grouped_by_kind_most_severe_first_with_one_example_each() {
        let text = render(&many_events(), TerminalOptions::default());
        assert!(
            text.contains("Deviations: 75 cases of 3 kinds, most severe first"),
            "{text}"
        );
        let headers: Vec<&str> = text.lines().filter(|l| l.starts_with('[')).collect();
        assert_eq!(headers.len(), 3, "{text}");
        assert!(
            headers[0].starts_with(
                "[1/3] 40 cases: { operation = \"PutAlternateContact\", check = \"status\""
            ),
            "status first: {headers:?}"
        );
        assert!(
            headers[1].starts_with("[2/3] 5 cases:") && headers[1].contains("body-not-json"),
            "malformed next: {headers:?}"
        );
        assert!(
            headers[2].starts_with("[3/3] 30 cases:") && headers[2].contains("\"error-body\""),
            "error-body last: {headers:?}"
        );
        assert_eq!(
            text.matches("DEVIATION ").count(),
            3,
            "one example per kind: {text}"
        );
        assert!(
            text.contains("DEVIATION PutAlternateContact case length-7 "),
            "the shrunk case is the example: {text}"
        );
        assert!(
            text.contains("--show-all prints every case, or --json PATH writes all of them"),
            "without a JSON report, say how to get one: {text}"
        );
        assert!(!text.contains("are in the JSON report"), "{text}");

        let with_json = render(
            &many_events(),
            TerminalOptions {
                json_report: Some("r.json".into()),
                ..TerminalOptions::default()
            },
        );
        assert!(
            with_json.contains("and all of them are in the JSON report r.json"),
            "{with_json}"
        );

        let all = render(
            &many_events(),
            TerminalOptions {
                show_all: true,
                ..TerminalOptions::default()
            },
        );
        assert_eq!(all.matches("DEVIATION ").count(), 75, "--show-all: {all}");
    }

    #[test]
    fn colour_only_when_asked_and_never_with_no_color() {
        let coloured = render(
            &sample_events(),
            TerminalOptions {
                color: true,
                ..TerminalOptions::default()
            },
        );
        assert!(
            coloured.contains("\x1b[1;31mDEVIATION\x1b[0m"),
            "{coloured}"
        );
        assert!(color_enabled(true, None));
        assert!(
            color_enabled(true, Some(OsStr::new(""))),
            "an empty NO_COLOR is unset"
        );
        assert!(!color_enabled(true, Some(OsStr::new("1"))));
        assert!(!color_enabled(false, None), "no colour off a terminal");
    }

    #[test]
    fn a_closed_output_neither_fails_nor_stops_the_reporter() {
        struct Closed;
        impl Write for Closed {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(std::io::ErrorKind::BrokenPipe.into())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Err(std::io::ErrorKind::BrokenPipe.into())
            }
        }
        let mut reporter = TerminalReporter::new(Box::new(Closed), false);
        for e in sample_events() {
            reporter.event(&e).expect("a closed terminal is no failure");
        }
        reporter.finish().expect("nor at the end");
        assert!(reporter.out_gone);
    }

    #[test]
    fn severity_follows_the_documented_order() {
        use CaseKind::*;
        let order = [
            severity(Scenario, CheckName::State),
            severity(Invalid, CheckName::Status),
            severity(Invalid, CheckName::ErrorType),
            severity(Valid, CheckName::OutputShape),
            severity(Malformed, CheckName::Status),
            severity(Valid, CheckName::Snapshot),
            severity(Invalid, CheckName::ErrorBody),
            severity(Invalid, CheckName::ContentType),
            severity(Invalid, CheckName::RequestId),
        ];
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    }
}
