//! `conform report merge`: join the JSON reports of the partitions of one run.

use std::path::{Path, PathBuf};

use clap::Subcommand;

use super::{CliError, Output};
use crate::exit::Exit;
use crate::report::{
    Fanout, JsonReporter, JunitReporter, ReportError, Reporter, exit_for, merge_reports,
    render_summary,
};

/// `conform report ...`
#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Join the JSON reports of the partitions of one run (`conform run --partition K/N --json ...`).
    ///
    /// The reports must share a seed. Summaries are summed and results concatenated in the order of the files;
    /// the merged summary is printed. Exit 1 when the merged report has deviations not in the baseline the
    /// partitions ran with, or cases that got no usable response; 0 otherwise; 2 when a file is no conform report
    /// or the seeds differ.
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
    },
}

pub(super) fn run(command: &ReportCommand, output: &mut Output<'_>) -> Result<Exit, CliError> {
    match command {
        ReportCommand::Merge {
            reports,
            json,
            junit,
        } => merge(reports, json.as_deref(), junit.as_deref(), output),
    }
}

fn merge(
    reports: &[PathBuf],
    json: Option<&Path>,
    junit: Option<&Path>,
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
    let outcome = merge_reports(reports, &mut fanout).map_err(report_error)?;
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
        if outcome.header.interrupted {
            "; some partitions were interrupted"
        } else {
            ""
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
