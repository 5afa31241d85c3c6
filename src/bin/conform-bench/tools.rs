//! The programs a bench drives: finding them, starting moto_server and `conform serve`, measuring `conform run` under
//! GNU time, and reading what they print.

use std::io::{BufRead, BufReader, Read};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use conform::cli::CliError;
use conform::credentials::{TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY};

use crate::run::{BenchRunArgs, Section};

/// GNU time, for the maximum resident set size of a finished process (the shell's `time` cannot report it).
pub const GNU_TIME: &str = "/usr/bin/time";

/// The tools a run needs, found before anything starts.
pub struct Tools {
    /// The conform binary measured.
    pub conform: PathBuf,
    /// GNU time.
    pub time: PathBuf,
    /// moto_server, when a section needs it.
    pub moto: Option<PathBuf>,
    /// wrk, when the throughput section runs.
    pub wrk: Option<PathBuf>,
    /// The Schemathesis peer script, when the peer section runs.
    pub schemathesis: Option<PathBuf>,
}

impl Tools {
    /// Finds every tool the sections need, and names all that are missing at once, with how to get them.
    pub fn find(args: &BenchRunArgs, sections: &[Section]) -> Result<Tools, CliError> {
        let mut missing: Vec<String> = Vec::new();
        let conform = match &args.conform {
            Some(path) => path.clone(),
            None => beside_this_program("conform"),
        };
        if !conform.is_file() {
            missing.push(format!(
                "failed to find the conform binary at `{}`: build it (cargo build --release --features bench), or pass --conform PATH",
                conform.display()
            ));
        }
        let time = PathBuf::from(GNU_TIME);
        if !time.is_file() {
            missing.push(format!(
                "failed to find GNU time at {GNU_TIME} (it reports peak memory): install it (Debian: apt-get install -y time)"
            ));
        }
        let needs_moto =
            sections.contains(&Section::Throughput) || sections.contains(&Section::Peer);
        let moto = if needs_moto {
            if args.moto_server.is_file() {
                Some(args.moto_server.clone())
            } else {
                missing.push(format!(
                    "failed to find moto_server at `{}`: run `scripts/test.sh --no-run` (it installs moto[server]==5.2.5 into .venv), or pass --moto-server PATH",
                    args.moto_server.display()
                ));
                None
            }
        } else {
            None
        };
        let wrk = if sections.contains(&Section::Throughput) {
            let found = find_program(&args.wrk);
            if found.is_none() {
                missing.push(format!(
                    "failed to find `{}`: install wrk (Debian: apt-get install -y wrk), or pass --wrk PATH",
                    args.wrk.display()
                ));
            }
            found
        } else {
            None
        };
        let schemathesis = if sections.contains(&Section::Peer) {
            match &args.schemathesis {
                Some(path) if path.is_file() => Some(path.clone()),
                Some(path) => {
                    missing.push(format!(
                        "failed to find the Schemathesis peer script at `{}`: pass --schemathesis PATH to `schemathesis.sh`",
                        path.display()
                    ));
                    None
                }
                None => {
                    missing.push(
                        "failed to find the Schemathesis peer script: pass --schemathesis PATH (e.g. ../shared/peers/schemathesis.sh) or set CONFORM_SCHEMATHESIS".into(),
                    );
                    None
                }
            }
        } else {
            None
        };
        if missing.is_empty() {
            Ok(Tools {
                conform,
                time,
                moto,
                wrk,
                schemathesis,
            })
        } else {
            Err(CliError::usage(
                missing.join("\n       "),
                Some("or measure less with --only throughput|peer|memory (repeatable)".to_string()),
            ))
        }
    }

    /// What the reader of the figures should know about the conform binary measured.
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if build_of(&self.conform) == Some("debug") {
            notes.push(format!(
                "`{}` is a debug build: measure the release binary (cargo build --release)",
                self.conform.display()
            ));
        }
        let modified = |path: &Path| std::fs::metadata(path).and_then(|m| m.modified()).ok();
        if let (Ok(me), Some(measured)) = (std::env::current_exe(), modified(&self.conform))
            && let Some(mine) = modified(&me)
            && measured < mine
            && self.conform == beside_this_program("conform")
        {
            notes.push(format!(
                "`{}` is older than conform-bench: if the sources changed since, it is stale (cargo build --release --features bench builds both)",
                self.conform.display()
            ));
        }
        notes
    }
}

/// A program in the directory of this one (`target/release/conform` beside `target/release/conform-bench`).
fn beside_this_program(name: &str) -> PathBuf {
    let file = format!("{name}{}", std::env::consts::EXE_SUFFIX);
    match std::env::current_exe() {
        Ok(me) => me.with_file_name(file),
        Err(_) => PathBuf::from(file),
    }
}

/// `release` or `debug`, from the directory cargo put a binary in.
pub fn build_of(binary: &Path) -> Option<&str> {
    binary
        .parent()?
        .file_name()?
        .to_str()
        .filter(|dir| matches!(*dir, "release" | "debug"))
}

/// A program by path, or by name on PATH.
fn find_program(program: &Path) -> Option<PathBuf> {
    if program.components().count() > 1 {
        return program.is_file().then(|| program.to_path_buf());
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}

/// A scratch directory for logs, scripts and reports, removed at the end.
pub struct WorkDir(pub PathBuf);

impl WorkDir {
    /// Creates it under the system's temporary directory.
    pub fn new() -> Result<WorkDir, CliError> {
        let dir = std::env::temp_dir().join(format!("conform-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| {
            failed(format!(
                "failed to create the scratch directory `{}`: {e}",
                dir.display()
            ))
        })?;
        Ok(WorkDir(dir))
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A child process that is killed when dropped.
struct Spawned(Child);

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A failure of something the bench drives.
pub fn failed(message: String) -> CliError {
    CliError::Failed {
        message,
        help: None,
    }
}

/// A free loopback port (bound and released; the child binds it right after).
fn free_port() -> Result<u16, CliError> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| failed(format!("failed to find a free loopback port: {e}")))
}

/// A running moto_server, its log (one line per request) kept to count the requests it served.
pub struct Moto {
    _child: Spawned,
    /// Its base URL.
    pub endpoint: String,
    log: PathBuf,
}

impl Moto {
    /// Starts moto_server on a free loopback port, logging into `dir`, and waits until it listens.
    pub fn start(program: &Path, dir: &Path) -> Result<Moto, CliError> {
        let port = free_port()?;
        let log = dir.join("moto.log");
        let file = std::fs::File::create(&log)
            .map_err(|e| failed(format!("failed to create `{}`: {e}", log.display())))?;
        let stderr = file
            .try_clone()
            .map_err(|e| failed(format!("failed to create `{}`: {e}", log.display())))?;
        let child = Command::new(program)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(file)
            .stderr(stderr)
            .spawn()
            .map_err(|e| failed(format!("failed to start `{}`: {e}", program.display())))?;
        let mut child = Spawned(child);
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            let exited = child.0.try_wait().ok().flatten();
            if exited.is_some() || Instant::now() > deadline {
                return Err(failed(format!(
                    "failed to start moto_server on port {port} ({}); the end of its log:\n{}",
                    match exited {
                        Some(status) => format!("it exited with {status}"),
                        None => "it did not listen within 60 s".into(),
                    },
                    tail(&std::fs::read_to_string(&log).unwrap_or_default(), 10)
                )));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(Moto {
            _child: child,
            endpoint: format!("http://127.0.0.1:{port}"),
            log,
        })
    }

    /// Requests moto has logged so far.
    pub fn requests(&self) -> Result<u64, CliError> {
        let text = std::fs::read(&self.log).map_err(|e| {
            failed(format!(
                "failed to read moto's log `{}`: {e}",
                self.log.display()
            ))
        })?;
        Ok(count_logged_requests(&String::from_utf8_lossy(&text)))
    }
}

/// A running `conform serve`.
pub struct Serve {
    _child: Spawned,
    // Kept open so that the target never writes into a closed pipe.
    _stdout: BufReader<ChildStdout>,
    /// Its base URL.
    pub endpoint: String,
}

/// How to start conform's own processes.
pub struct Conform {
    /// The conform binary.
    pub exe: PathBuf,
    /// `--specs DIR`, passed on.
    pub specs: Option<PathBuf>,
    /// GNU time.
    pub time: PathBuf,
    /// Where GNU time writes its figure.
    pub workdir: PathBuf,
}

/// What one `conform run` took.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunFigures {
    /// Cases, from the run's summary line.
    pub cases: u64,
    /// Cases that got no usable response.
    pub errors: u64,
    /// Wall time from process start to exit.
    pub seconds: f64,
    /// Peak resident set size, KiB.
    pub max_rss_kib: u64,
}

impl Conform {
    fn command(&self) -> Command {
        let mut command = Command::new(&self.exe);
        if let Some(dir) = &self.specs {
            command.arg("--specs").arg(dir);
        }
        test_key_pair(&mut command);
        command
    }

    /// Starts `conform serve --port 0` and reads the endpoint it prints.
    pub fn serve(&self) -> Result<Serve, CliError> {
        let log = self.workdir.join("serve.log");
        let file = std::fs::File::create(&log)
            .map_err(|e| failed(format!("failed to create `{}`: {e}", log.display())))?;
        let mut child = self
            .command()
            .args(["serve", "--port", "0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(file)
            .spawn()
            .map_err(|e| failed(format!("failed to start conform serve: {e}")))?;
        let stdout = child.stdout.take();
        let child = Spawned(child);
        let Some(stdout) = stdout else {
            return Err(failed(
                "failed to start conform serve: its stdout was not piped".into(),
            ));
        };
        let mut stdout = BufReader::new(stdout);
        let mut line = String::new();
        let _ = stdout.read_line(&mut line);
        match line.trim().strip_prefix("endpoint: ") {
            Some(endpoint) => Ok(Serve {
                _child: child,
                _stdout: stdout,
                endpoint: endpoint.to_string(),
            }),
            None => Err(failed(format!(
                "failed to start conform serve: it printed no endpoint; its log:\n{}",
                tail(&std::fs::read_to_string(&log).unwrap_or_default(), 10)
            ))),
        }
    }

    /// Runs `conform ARGS` under GNU time; exit 0 or 1 (deviations are results) is success.
    pub fn measure(&self, args: &[String]) -> Result<RunFigures, CliError> {
        let rss_file = self.workdir.join("maxrss");
        let mut command = Command::new(&self.time);
        command
            .arg("-f")
            .arg("%M")
            .arg("-o")
            .arg(&rss_file)
            .arg(&self.exe);
        if let Some(dir) = &self.specs {
            command.arg("--specs").arg(dir);
        }
        command.args(args);
        test_key_pair(&mut command);
        command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let started = Instant::now();
        let mut child = command
            .spawn()
            .map_err(|e| failed(format!("failed to start `{GNU_TIME} conform run`: {e}")))?;
        let mut stderr = String::new();
        if let Some(mut pipe) = child.stderr.take() {
            let _ = pipe.read_to_string(&mut stderr);
        }
        let status = child
            .wait()
            .map_err(|e| failed(format!("failed to wait for conform run: {e}")))?;
        let seconds = started.elapsed().as_secs_f64();
        let shown = format!("conform {}", args.join(" "));
        if !matches!(status.code(), Some(0 | 1)) {
            return Err(failed(format!(
                "failed to complete `{shown}` ({status}); the end of its output:\n{}",
                tail(&stderr, 15)
            )));
        }
        let (cases, errors) = parse_run_summary(&stderr).ok_or_else(|| {
            failed(format!(
                "failed to find the summary line of `{shown}`; the end of its output:\n{}",
                tail(&stderr, 15)
            ))
        })?;
        let time_output = std::fs::read_to_string(&rss_file).unwrap_or_default();
        let max_rss_kib = parse_max_rss(&time_output).ok_or_else(|| {
            failed(format!(
                "failed to read the maximum resident set size from {GNU_TIME}: `{}`",
                time_output.trim()
            ))
        })?;
        Ok(RunFigures {
            cases,
            errors,
            seconds,
            max_rss_kib,
        })
    }
}

/// Every conform and wrk request is signed with the documented test key pair, whatever the environment holds.
fn test_key_pair(command: &mut Command) {
    for var in [
        "AWS_PROFILE",
        "AWS_SESSION_TOKEN",
        "AWS_ENDPOINT_URL",
        "AWS_REGION",
    ] {
        command.env_remove(var);
    }
    command
        .env("AWS_ACCESS_KEY_ID", TEST_ACCESS_KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", TEST_SECRET_ACCESS_KEY);
}

/// Counts the request lines of a werkzeug log (moto's): `... "POST /path HTTP/1.1" 200 -`, coloured or not.
pub fn count_logged_requests(log: &str) -> u64 {
    log.lines()
        .filter(|line| {
            line.contains(" HTTP/1.")
                && line.rsplit_once("\" ").is_some_and(|(_, rest)| {
                    let status = rest.split(' ').next().unwrap_or("");
                    status.len() == 3 && status.bytes().all(|b| b.is_ascii_digit())
                })
        })
        .count() as u64
}

/// The total and the errors of the terminal report's last line: `2079 cases: 188 passed, …, 0 errors in 12.4s`.
pub fn parse_run_summary(stderr: &str) -> Option<(u64, u64)> {
    let line = stderr
        .lines()
        .rev()
        .find(|l| l.contains(" cases: ") && l.contains(" errors in "))?;
    let (total, rest) = line.trim().split_once(" cases: ")?;
    let total = total.parse().ok()?;
    let before_errors = rest.split_once(" errors in ")?.0;
    let errors = before_errors.rsplit(", ").next()?.trim().parse().ok()?;
    Some((total, errors))
}

/// The last number GNU time wrote with `-f %M` (it may write `Command exited with non-zero status 1` first).
pub fn parse_max_rss(text: &str) -> Option<u64> {
    text.lines().rev().find_map(|l| l.trim().parse().ok())
}

/// The last `n` lines of a text, indented.
pub fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.len().saturating_sub(n);
    lines[start..].iter().map(|l| format!("  {l}\n")).collect()
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use clap::Parser;
    use conform::report::{Event, Reporter, Summary, TerminalReporter};

    use super::*;

    /// A writer whose text the test reads after the reporter is done with it.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn the_run_summary_is_read_from_the_terminal_report() {
        // The line the terminal reporter really writes, so that a change of its wording breaks this test.
        let buf = Shared::default();
        let mut reporter = TerminalReporter::new(Box::new(buf.clone()), false);
        let summary = Summary {
            total: 4,
            passed: 1,
            failed: 1,
            uncertain: 1,
            errors: 1,
            ..Summary::default()
        };
        for event in [
            Event::RunStarted {
                seed: 42,
                target: "http://127.0.0.1:1".into(),
                total: Some(4),
                phases: Vec::new(),
                origin: Default::default(),
            },
            Event::RunFinished {
                summary,
                elapsed: Duration::from_millis(1200),
                stopped: None,
            },
        ] {
            reporter.event(&event).unwrap();
        }
        reporter.finish().unwrap();
        let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        assert_eq!(parse_run_summary(&text), Some((4, 1)), "{text}");
        let baselined = "x\n2079 cases: 188 passed, 1044 failed (1000 in the baseline), 847 uncertain, 3 errors in 12.4s (seed 0)\n";
        assert_eq!(parse_run_summary(baselined), Some((2079, 3)));
        assert_eq!(parse_run_summary("error: failed to reach the target"), None);
    }

    #[test]
    fn gnu_time_output_gives_the_peak() {
        assert_eq!(parse_max_rss("27784\n"), Some(27_784));
        assert_eq!(
            parse_max_rss("Command exited with non-zero status 1\n27784\n"),
            Some(27_784)
        );
        assert_eq!(parse_max_rss(""), None);
    }

    #[test]
    fn moto_log_lines_are_counted_coloured_or_not() {
        let log = "\
127.0.0.1 - - [22/Nov/2026 13:16:57] \"POST /putAlternateContact HTTP/1.1\" 200 -
127.0.0.1 - - [22/Nov/2026 13:16:11] \"\x1b[31m\x1b[1mPOST /getAlternateContact HTTP/1.1\x1b[0m\" 400 -
Traceback (most recent call last):
  File \"x.py\", line 1, in <module>
AttributeError: 'NoneType' object has no attribute 'replace'
127.0.0.1 - - [22/Nov/2026 13:16:41] \"\x1b[35m\x1b[1mPOST / HTTP/1.1\x1b[0m\" 500 -
 * Running on http://127.0.0.1:5055
";
        assert_eq!(count_logged_requests(log), 3);
    }

    #[test]
    fn the_build_is_read_from_cargo_s_directory() {
        assert_eq!(
            build_of(Path::new("target/release/conform")),
            Some("release")
        );
        assert_eq!(
            build_of(Path::new("/x/target/debug/conform")),
            Some("debug")
        );
        assert_eq!(build_of(Path::new("/usr/local/bin/conform")), None);
        assert_eq!(build_of(Path::new("conform")), None);
    }

    #[test]
    fn missing_tools_are_named_with_how_to_get_them() {
        let cli = crate::Cli::try_parse_from([
            "conform-bench",
            "run",
            "--only",
            "peer",
            "--conform",
            "/nonexistent/conform",
            "--moto-server",
            "/nonexistent/moto_server",
        ])
        .unwrap();
        let crate::Command::Run(args) = &cli.command else {
            panic!("parsed as another subcommand: {:?}", cli.command);
        };
        let error = Tools::find(args, &[Section::Peer])
            .err()
            .unwrap()
            .render(false);
        assert!(
            error.contains("failed to find the conform binary at `/nonexistent/conform`: build it (cargo build --release --features bench)"),
            "{error}"
        );
        assert!(error.contains("failed to find moto_server at `/nonexistent/moto_server`: run `scripts/test.sh --no-run`"), "{error}");
        assert!(
            error.contains("failed to find the Schemathesis peer script"),
            "{error}"
        );
        assert!(
            error.contains("help: or measure less with --only"),
            "{error}"
        );
        assert_eq!(
            error.lines().next(),
            Some(
                "error: failed to find the conform binary at `/nonexistent/conform`: build it (cargo build --release --features bench), or pass --conform PATH"
            )
        );
    }
}
