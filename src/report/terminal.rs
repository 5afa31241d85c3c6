//! The human report on stderr: live progress (indicatif), then a summary table and each deviation in detail.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::junit::mutation_text;
use super::{CaseResult, Event, ReportError, Reporter, Summary};
use crate::cli::Table;

/// How many deviations are shown in full; the rest are counted (the JSON report has them all).
pub const MAX_DETAILED: usize = 50;
/// How many uncertain failures, baselined deviations and transport errors are listed, one line each.
pub const MAX_LISTED: usize = 50;

/// Shows progress while the run goes, then the summary and the deviations.
pub struct TerminalReporter {
    out: Box<dyn Write + Send>,
    progress: ProgressBar,
    draw_progress: bool,
    seed: u64,
    deviations: Vec<CaseResult>,
    deviations_not_shown: u64,
    baselined: Vec<String>,
    uncertain: Vec<String>,
    errors: Vec<String>,
    not_listed: [u64; 3],
    failed_so_far: u64,
    finished: bool,
}

impl TerminalReporter {
    /// A reporter writing to `out`; with `progress`, a progress bar is drawn on stderr when it is a terminal.
    pub fn new(out: Box<dyn Write + Send>, progress: bool) -> Self {
        TerminalReporter {
            out,
            progress: ProgressBar::hidden(),
            draw_progress: progress,
            seed: 0,
            deviations: Vec::new(),
            deviations_not_shown: 0,
            baselined: Vec::new(),
            uncertain: Vec::new(),
            errors: Vec::new(),
            not_listed: [0; 3],
            failed_so_far: 0,
            finished: false,
        }
    }

    /// A reporter on the process's stderr, with progress.
    pub fn stderr() -> Self {
        Self::new(Box::new(std::io::stderr()), true)
    }

    fn io(source: std::io::Error) -> ReportError {
        ReportError::Write {
            what: "terminal",
            path: PathBuf::from("<stderr>"),
            source,
        }
    }

    fn write_text(&mut self, text: &str) -> Result<(), ReportError> {
        let out = &mut self.out;
        self.progress
            .suspend(|| out.write_all(text.as_bytes()).and_then(|_| out.flush()))
            .map_err(Self::io)
    }

    fn record(&mut self, r: &CaseResult) {
        let line = || format!("{} {}: {}", r.operation, r.id, brief(r));
        if r.error {
            push_capped(&mut self.errors, &mut self.not_listed[2], line());
        } else if r.deviation && r.baselined {
            push_capped(&mut self.baselined, &mut self.not_listed[0], line());
        } else if r.deviation {
            self.failed_so_far += 1;
            if self.deviations.len() < MAX_DETAILED {
                self.deviations.push(r.clone());
            } else {
                self.deviations_not_shown += 1;
            }
        } else if r.uncertain {
            push_capped(&mut self.uncertain, &mut self.not_listed[1], line());
        }
    }

    fn final_text(&self, summary: &Summary, elapsed: Duration, interrupted: bool) -> String {
        let mut text = String::new();
        text.push_str(&render_summary(summary));
        for r in &self.deviations {
            text.push('\n');
            text.push_str(&deviation_block(r, self.seed));
        }
        if self.deviations_not_shown > 0 {
            text.push_str(&format!(
                "\n… and {} more deviations (all of them are in the --json report)\n",
                self.deviations_not_shown
            ));
        }
        let lists = [
            (
                "Known deviations (in the baseline)",
                &self.baselined,
                self.not_listed[0],
            ),
            (
                "Uncertain (unverified AWS behaviour; not deviations)",
                &self.uncertain,
                self.not_listed[1],
            ),
            (
                "Errors (no usable response)",
                &self.errors,
                self.not_listed[2],
            ),
        ];
        for (title, lines, more) in lists {
            if lines.is_empty() {
                continue;
            }
            text.push_str(&format!("\n{title}:\n"));
            for line in lines {
                text.push_str(&format!("  {line}\n"));
            }
            if more > 0 {
                text.push_str(&format!("  … and {more} more\n"));
            }
        }
        text.push_str(&format!(
            "\n{} cases: {} passed, {} failed{}, {} uncertain, {} errors in {:.1}s (seed {})\n",
            summary.total,
            summary.passed,
            summary.failed,
            if summary.baselined > 0 {
                format!(" ({} in the baseline)", summary.baselined)
            } else {
                String::new()
            },
            summary.uncertain,
            summary.errors,
            elapsed.as_secs_f64(),
            self.seed
        ));
        if interrupted {
            text.push_str("interrupted: the reports cover the cases that ran\n");
        }
        text
    }
}

fn push_capped(list: &mut Vec<String>, more: &mut u64, line: String) {
    if list.len() < MAX_LISTED {
        list.push(line);
    } else {
        *more += 1;
    }
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
pub fn deviation_block(r: &CaseResult, seed: u64) -> String {
    let mut t = format!(
        "DEVIATION {} case {} ({})\n",
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
    }
    t.push_str(&format!("  curl:      {}\n", r.reproduce.curl));
    t.push_str(&format!("  seed:      {seed}\n"));
    t.push_str(&format!("  replay:    {}\n", r.reproduce.replay));
    t
}

/// The summary tables: case states per operation, then verdicts per check.
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
    text
}

impl Reporter for TerminalReporter {
    fn event(&mut self, event: &Event) -> Result<(), ReportError> {
        match event {
            Event::RunStarted {
                seed,
                target,
                total,
            } => {
                self.seed = *seed;
                if self.draw_progress {
                    let bar = ProgressBar::with_draw_target(*total, ProgressDrawTarget::stderr());
                    let template = if total.is_some() {
                        "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} {msg}"
                    } else {
                        "{spinner} [{elapsed_precise}] {pos} cases {msg}"
                    };
                    if let Ok(style) = ProgressStyle::with_template(template) {
                        bar.set_style(style);
                    }
                    self.progress = bar;
                }
                let cases = total.map(|n| format!(", {n} cases")).unwrap_or_default();
                self.write_text(&format!("conform: testing {target} (seed {seed}{cases})\n"))?;
            }
            Event::Note(note) => self.write_text(&format!("note: {note}\n"))?,
            Event::CaseFinished(result) => {
                self.record(result);
                self.progress.inc(1);
                if result.deviation && !result.baselined {
                    self.progress
                        .set_message(format!("{} deviations", self.failed_so_far));
                }
            }
            Event::RunFinished {
                summary,
                elapsed,
                interrupted,
            } => {
                self.progress.finish_and_clear();
                let text = self.final_text(summary, *elapsed, *interrupted);
                self.write_text(&text)?;
                self.finished = true;
            }
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), ReportError> {
        self.progress.finish_and_clear();
        self.out.flush().map_err(Self::io)
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{Shared, sample_events};
    use super::*;

    #[test]
    fn the_output_has_the_table_and_the_deviation_block() {
        let buf = Shared::default();
        let mut reporter = TerminalReporter::new(Box::new(buf.clone()), false);
        for e in sample_events() {
            reporter.event(&e).unwrap();
        }
        reporter.finish().unwrap();
        let text = buf.text();
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
        assert!(text.contains("Uncertain (unverified AWS behaviour; not deviations):\n  UpdatePrimaryEmailAddress wm-invalid-3"), "{text}");
        assert!(text.contains("Errors (no usable response):\n  GetAlternateContact get-valid-2: failed to read the response"), "{text}");
        assert!(
            text.contains("4 cases: 1 passed, 1 failed, 1 uncertain, 1 errors in 1.2s (seed 42)"),
            "{text}"
        );
    }
}
