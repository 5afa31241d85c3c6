//! Where a run's reports go: the report flags (`--json`, `--junit`, `--show-all`), `-` for stdout, and the
//! reporters they build.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::{Fanout, JsonReporter, JunitReporter, ReportError, Reporter};
use super::{TerminalOptions, TerminalReporter, stderr_color};

/// The report flags of `conform run` and `conform diff`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ReportArgs {
    /// Write the JSON report here; `-` writes it to stdout (the human report stays on stderr).
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,
    /// Write a JUnit XML report here (one suite per operation); `-` writes it to stdout.
    #[arg(long, value_name = "PATH")]
    pub junit: Option<PathBuf>,
    /// Print every deviating case on the terminal, not one example of each kind of deviation.
    #[arg(long)]
    pub show_all: bool,
    /// Write the fidelity matrix (service × operation × check class) here as Markdown, for a pull-request comment
    /// or `$GITHUB_STEP_SUMMARY`.
    #[arg(long, value_name = "FILE")]
    pub matrix_md: Option<PathBuf>,
    /// Write the fidelity matrix here as one self-contained HTML page (sortable, filterable; each failing cell links
    /// to its cases and their reproduction).
    #[arg(long, value_name = "FILE")]
    pub matrix_html: Option<PathBuf>,
    /// Write the fidelity matrix here as a compact JSON file (verdict counts and deviation kinds per cell, and
    /// the run's origin; no results), small enough to commit as the baseline of `conform report matrix
    /// --baseline`.
    #[arg(long, value_name = "FILE")]
    pub matrix_json: Option<PathBuf>,
}

/// Whether a report path means stdout.
pub fn is_stdout(path: &Path) -> bool {
    path.as_os_str() == "-"
}

impl ReportArgs {
    /// The terminal reporter on stderr and the JSON and JUnit reporters the flags ask for. Both on `-` is a usage
    /// error: one stream cannot hold two documents.
    pub fn reporters(&self) -> Result<Fanout, ReportError> {
        if let (Some(json), Some(junit)) = (&self.json, &self.junit)
            && is_stdout(json)
            && is_stdout(junit)
        {
            return Err(ReportError::BothOnStdout);
        }
        let terminal = TerminalReporter::stderr_with(TerminalOptions {
            progress: true,
            color: stderr_color(),
            show_all: self.show_all,
            json_report: self.json.clone(),
        });
        let mut reporters: Vec<Box<dyn Reporter>> = vec![Box::new(terminal)];
        if let Some(path) = &self.json {
            reporters.push(Box::new(if is_stdout(path) {
                JsonReporter::new(stdout(), path)
            } else {
                JsonReporter::create(path)?
            }));
        }
        if let Some(path) = &self.junit {
            reporters.push(Box::new(if is_stdout(path) {
                JunitReporter::new(stdout(), path)
            } else {
                JunitReporter::create(path)?
            }));
        }
        if self.matrix_md.is_some() || self.matrix_html.is_some() || self.matrix_json.is_some() {
            reporters.push(Box::new(super::matrix::MatrixReporter::new(
                self.matrix_md.clone(),
                self.matrix_html.clone(),
                self.matrix_json.clone(),
            )));
        }
        Ok(Fanout::new(reporters))
    }
}

/// Buffered stdout for a report, which a closed pipe does not turn into a failed run.
fn stdout() -> Box<dyn Write + Send> {
    Box::new(StreamGuard::new(BufWriter::new(std::io::stdout())))
}

/// A writer on a stream (stdout) whose reader may go away (`conform run --json - | head`): after a broken pipe it
/// discards what it is given, so that the run, its other reports and its exit code are what they would have
/// been. Other errors (a full disk behind a redirection) are passed on.
pub struct StreamGuard<W> {
    inner: W,
    closed: bool,
}

impl<W: Write> StreamGuard<W> {
    /// Guards `inner`.
    pub fn new(inner: W) -> Self {
        StreamGuard {
            inner,
            closed: false,
        }
    }

    /// Whether the reader went away.
    pub fn closed(&self) -> bool {
        self.closed
    }

    fn guard<T>(&mut self, result: std::io::Result<T>, closed: T) -> std::io::Result<T> {
        match result {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(closed)
            }
            other => other,
        }
    }
}

impl<W: Write> Write for StreamGuard<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.closed {
            return Ok(buf.len());
        }
        let result = self.inner.write(buf);
        self.guard(result, buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.closed {
            return Ok(());
        }
        let result = self.inner.flush();
        self.guard(result, ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_reports_on_stdout_are_refused() {
        let args = ReportArgs {
            json: Some("-".into()),
            junit: Some("-".into()),
            ..ReportArgs::default()
        };
        let error = args.reporters().err().expect("refused").to_string();
        assert!(error.contains("--json and --junit"), "{error}");
    }

    #[test]
    fn a_broken_pipe_is_swallowed_and_other_errors_are_not() {
        struct Failing(std::io::ErrorKind);
        impl Write for Failing {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(self.0.into())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Err(self.0.into())
            }
        }
        let mut pipe = StreamGuard::new(Failing(std::io::ErrorKind::BrokenPipe));
        pipe.write_all(b"report").unwrap();
        pipe.flush().unwrap();
        assert!(pipe.closed());
        let mut disk = StreamGuard::new(Failing(std::io::ErrorKind::StorageFull));
        assert!(disk.write_all(b"report").is_err());
        assert!(!disk.closed());
    }
}
