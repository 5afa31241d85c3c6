//! `conform report merge`: join the JSON reports of the partitions of one run; `conform report matrix`: the
//! fidelity matrices of reports side by side, or what changed against a baseline report.

use std::path::{Path, PathBuf};

use clap::Subcommand;

use super::{CliError, Output};
use crate::exit::Exit;
use crate::report::matrix::{
    Column, Direction, Matrix, compare, markdown_changes, markdown_side_by_side, write_file,
};
use crate::report::{
    Fanout, JsonReporter, JunitReporter, MergeOptions, ReportError, Reporter, exit_for,
    merge_reports, read_report, render_summary, same_file,
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
        /// Join partitions that ran against different endpoints, each part against its own instance of one
        /// emulator (a moto per port on one machine); the merged report names every endpoint.
        #[arg(long)]
        accept_other_targets: bool,
    },
    /// The fidelity matrix (service × operation × check class) of JSON reports, side by side.
    ///
    /// Each report is one column (named after its file): moto beside fakecloud, two versions of one emulator. Its
    /// cells are rebuilt from the report's results, read as a stream. A compact matrix file (`--matrix-json`) is
    /// taken wherever a report is, as a column or as the baseline. Markdown goes to stdout (or --md FILE), for a
    /// pull-request comment or `$GITHUB_STEP_SUMMARY`; --html FILE writes a sortable, filterable page whose failing
    /// cells link to their cases and reproductions. With --baseline OLD.json and one report, it says which cells got
    /// better and which worse, and exits 1 when any got worse; otherwise it exits 0. A file that is no conform
    /// report is exit 2.
    #[command(
        after_help = "Examples:\n  conform report matrix moto.json fakecloud.json --html matrix.html\n  \
                           conform report matrix --baseline main.json branch.json >> \"$GITHUB_STEP_SUMMARY\""
    )]
    Matrix {
        /// JSON reports written by `conform run --json` (or `report merge --json`), or compact matrix files
        /// (`--matrix-json`).
        #[arg(required = true, value_name = "REPORT")]
        reports: Vec<PathBuf>,
        /// Compare the one REPORT with this older report (or compact matrix file) of the same target: cells that
        /// got better, and worse.
        #[arg(long, value_name = "OLD")]
        baseline: Option<PathBuf>,
        /// Write the Markdown here instead of stdout.
        #[arg(long, value_name = "FILE")]
        md: Option<PathBuf>,
        /// Also write the matrix as a self-contained HTML page.
        #[arg(long, value_name = "FILE")]
        html: Option<PathBuf>,
        /// Also write the one REPORT's matrix as a compact JSON file, small enough to commit as the next
        /// baseline.
        #[arg(long, value_name = "FILE")]
        matrix_json: Option<PathBuf>,
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
            accept_other_targets,
        } => merge(
            reports,
            json.as_deref(),
            junit.as_deref(),
            MergeOptions {
                accept_interrupted: *accept_interrupted,
                accept_missing: *accept_missing,
                accept_other_targets: *accept_other_targets,
            },
            output,
        ),
        ReportCommand::Matrix {
            reports,
            baseline,
            md,
            html,
            matrix_json,
        } => matrix(
            reports,
            baseline.as_deref(),
            [md.as_deref(), html.as_deref(), matrix_json.as_deref()],
            output,
        ),
    }
}

/// Reads one report into a matrix column, streaming its results; or a compact matrix file.
fn read_column(path: &Path, label: String) -> Result<Column, CliError> {
    if crate::report::matrix_file::is_matrix_file(path) {
        return crate::report::matrix_file::read_matrix_file(path, label).map_err(report_error);
    }
    let mut matrix = Matrix::new(true);
    let mut add = |result: crate::report::CaseResult| {
        matrix.add(&result);
        Ok(())
    };
    let header = read_report(path, Some(&mut add)).map_err(report_error)?;
    for skipped in &header.skipped {
        matrix.skip(&skipped.service, &skipped.reason);
    }
    Ok(Column {
        origin: header.origin,
        label: if header.interrupted {
            format!("{label} (interrupted)")
        } else {
            label
        },
        target: header.target,
        seed: header.seed,
        matrix,
    })
}

/// Short names for the reports: their file names without `.json`, or their paths where two names are the same.
fn labels(paths: &[&Path]) -> Vec<String> {
    let stem = |p: &Path| {
        p.file_stem().map_or_else(
            || p.display().to_string(),
            |s| s.to_string_lossy().into_owned(),
        )
    };
    let stems: Vec<String> = paths.iter().map(|p| stem(p)).collect();
    paths
        .iter()
        .zip(&stems)
        .map(|(path, s)| {
            if stems.iter().filter(|other| *other == s).count() > 1 {
                path.display().to_string()
            } else {
                s.clone()
            }
        })
        .collect()
}

fn matrix(
    reports: &[PathBuf],
    baseline: Option<&Path>,
    [md, html, compact]: [Option<&Path>; 3],
    output: &mut Output<'_>,
) -> Result<Exit, CliError> {
    if compact.is_some() && reports.len() != 1 {
        return Err(CliError::usage(
            format!(
                "failed to write the matrix file: --matrix-json holds one report's matrix, and {} were given",
                reports.len()
            ),
            Some(
                "give one report (merge partitions first with `conform report merge`)".to_string(),
            ),
        ));
    }
    if baseline.is_some() && reports.len() != 1 {
        return Err(CliError::usage(
            format!(
                "failed to compare: --baseline compares one report with it, and {} were given",
                reports.len()
            ),
            Some("give one report, or leave --baseline out to put them side by side".to_string()),
        ));
    }
    let mut paths: Vec<&Path> = baseline.into_iter().collect();
    paths.extend(reports.iter().map(PathBuf::as_path));
    for out in [md, html, compact].into_iter().flatten() {
        if paths.iter().any(|input| same_file(input, out)) {
            return Err(CliError::usage(
                format!(
                    "failed to write the matrix: `{}` is both an input and an output",
                    out.display()
                ),
                Some("write the matrix to a new file".to_string()),
            ));
        }
    }
    let columns = paths
        .iter()
        .zip(labels(&paths))
        .map(|(path, label)| read_column(path, label))
        .collect::<Result<Vec<Column>, CliError>>()?;
    let (text, worse) = match &columns[..] {
        [before, after] if baseline.is_some() => {
            let changes = compare(&before.matrix, &after.matrix);
            let worse = changes.iter().any(|c| c.direction() == Direction::Worse);
            (markdown_changes(before, after, &changes), worse)
        }
        _ => (markdown_side_by_side(&columns), false),
    };
    if let (Some(path), Some(last)) = (compact, columns.last()) {
        let text = crate::report::matrix_file::compact_json(last);
        write_file(path, "matrix", &text).map_err(report_error)?;
    }
    if let Some(path) = html {
        let page = crate::report::matrix_page(&columns, baseline.is_some());
        write_file(path, "HTML matrix", &page).map_err(report_error)?;
    }
    match md {
        Some(path) => write_file(path, "Markdown matrix", &text).map_err(report_error)?,
        None => output.out.write_all(text.as_bytes())?,
    }
    Ok(if worse { Exit::Deviations } else { Exit::Ok })
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
