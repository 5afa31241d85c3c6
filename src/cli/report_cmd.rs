//! `conform report merge`: join the JSON reports of the partitions of one run.

use std::path::{Path, PathBuf};

use clap::Subcommand;

use super::{CliError, Output};
use crate::exit::Exit;
use crate::report::{
    Fanout, JsonReporter, JunitReporter, MergeOptions, ReportError, Reporter, exit_for,
    merge_reports, render_summary,
};

/// `conform report ...`
#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Join the JSON reports of the partitions of one run (`conform run --partition K/N --json ...`).
    ///
    /// The reports must be the partitions of one run: the same seed, target, conform version and digest of the
    /// specs, models and settings (each report records them), every partition once and none interrupted.
    /// Anything else is refused, naming the file, rather than counted twice or passed off as the whole run.
    /// Summaries are summed and results concatenated in the order of the files; the merged summary is printed.
    /// Exit 1 when the merged report has deviations not in the baseline the partitions ran with, or cases that got
    /// no usable response; 0 otherwise; 2 when a file is refused.
    #[command(
        after_help = "Example:\n  conform report merge part-1.json part-2.json part-3.json --json all.json --junit all.xml"
    )]
    Merge {
        /// JSON reports written by `conform run --json`, one per partition.
        #[arg(required = true, value_name = "REPORT")]
        reports: Vec<PathBuf>,
        /// Write the merged JSON report to PATH (same format as `conform run --json`).
        #[arg(long, value_name = "PATH")]
        json: Option<PathBuf>,
        /// Write a JUnit XML report of the merged results to PATH (one test suite per operation).
        #[arg(long, value_name = "PATH")]
        junit: Option<PathBuf>,
        /// Join partitions that were interrupted (Ctrl-C, --max-time, an unavailable target); the merged report
        /// is then marked interrupted too.
        #[arg(long)]
        accept_interrupted: bool,
        /// Join the partitions given although some of the run's are missing; the merged report is then marked
        /// interrupted, and the missing ones are named.
        #[arg(long)]
        accept_missing: bool,
    },
}

pub(super) fn run(command: &ReportCommand, output: &mut Output<'_>) -> Result<Exit, CliError> {
    match command {
        ReportCommand::Merge {
            reports,
            json,
            junit,
            accept_interrupted,
            accept_missing,
        } => merge(
            reports,
            json.as_deref(),
            junit.as_deref(),
            MergeOptions {
                accept_interrupted: *accept_interrupted,
                accept_missing: *accept_missing,
            },
            output,
        ),
    }
}

fn merge(
    reports: &[PathBuf],
    json: Option<&Path>,
    junit: Option<&Path>,
    options: MergeOptions,
    output: &mut Output<'_>,
) -> Result<Exit, CliError> {
    for out in [json, junit].into_iter().flatten() {
        if reports.iter().any(|input| same_file(input, out)) {
            return Err(CliError::usage(
                format!(
                    "failed to merge: `{}` is both an input and an output",
                    out.display()
                ),
                Some("write the merged report to a new file".to_string()),
            ));
        }
    }
    let mut reporters: Vec<Box<dyn Reporter>> = Vec::new();
    if let Some(path) = json {
        reporters.push(Box::new(JsonReporter::create(path).map_err(report_error)?));
    }
    if let Some(path) = junit {
        reporters.push(Box::new(JunitReporter::create(path).map_err(report_error)?));
    }
    let mut fanout = Fanout::new(reporters);
    let outcome = merge_reports(reports, options, &mut fanout).map_err(report_error)?;
    let summary = &outcome.header.summary;
    write!(output.out, "{}", render_summary(summary))?;
    writeln!(
        output.out,
        "\nmerged {} reports (seed {}, {}): {} cases, {} passed, {} failed ({} in the baseline), {} uncertain, {} errors{}",
        outcome.files,
        outcome.header.seed,
        outcome.header.target,
        summary.total,
        summary.passed,
        summary.failed,
        summary.baselined,
        summary.uncertain,
        summary.errors,
        match (outcome.missing.is_empty(), outcome.header.interrupted) {
            (false, _) => format!(
                "; partitions {} missing, so this is not the whole run",
                outcome
                    .missing
                    .iter()
                    .map(|p| p.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            (true, true) => "; some partitions were interrupted".to_string(),
            (true, false) => String::new(),
        }
    )?;
    let new = usize::try_from(summary.new_deviations()).unwrap_or(usize::MAX);
    Ok(exit_for(summary, new, None))
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// A report error as a command error (exit 2), with its causes.
fn report_error(error: ReportError) -> CliError {
    let mut message = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        message.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    CliError::usage(message, None)
}
