//! What a bench prints: the measurements and ratios as tables, the machine and tool versions, and the numbers'
//! formatting.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::SystemTime;

use conform::cli::Table;

use crate::tools::{RunFigures, Tools, build_of};
use crate::wrk::WrkFigures;

/// One measurement.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// What ran.
    pub what: String,
    /// Against what.
    pub target: String,
    /// Cases, for conform and Schemathesis.
    pub cases: Option<u64>,
    /// Requests, for wrk and where moto's log counts them.
    pub requests: Option<u64>,
    /// Wall time.
    pub seconds: f64,
    /// The rate in `unit`.
    pub per_second: f64,
    /// `cases/s` or `requests/s`.
    pub unit: &'static str,
    /// Peak memory, for conform runs.
    pub max_rss_kib: Option<u64>,
    /// The throughput round it belongs to.
    pub round: Option<usize>,
}

impl Row {
    /// A measured `conform run`.
    pub fn conform(what: &str, target: &str, figures: &RunFigures, requests: Option<u64>) -> Row {
        Row {
            what: if figures.errors > 0 {
                format!("{what} ({} transport errors)", figures.errors)
            } else {
                what.to_string()
            },
            target: target.to_string(),
            cases: Some(figures.cases),
            requests,
            seconds: figures.seconds,
            per_second: ratio(figures.cases as f64, figures.seconds),
            unit: "cases/s",
            max_rss_kib: Some(figures.max_rss_kib),
            round: None,
        }
    }

    /// A wrk run.
    pub fn wrk(target: &str, figures: &WrkFigures, connections: usize) -> Row {
        Row {
            what: format!("wrk, signed Put/GetAlternateContact, {connections} connections"),
            target: target.to_string(),
            cases: None,
            requests: Some(figures.requests),
            seconds: figures.seconds,
            per_second: figures.per_second,
            unit: "requests/s",
            max_rss_kib: None,
            round: None,
        }
    }

    /// Requests per second, where the requests were counted.
    pub fn requests_per_second(&self) -> Option<f64> {
        self.requests.map(|r| ratio(r as f64, self.seconds))
    }
}

/// A ratio and its goal.
#[derive(Debug, Clone, PartialEq)]
pub struct RatioRow {
    /// What is divided by what.
    pub what: String,
    /// The value as shown.
    pub value: String,
    /// The goal, if any.
    pub goal: String,
    /// Whether the goal is met, if there is one.
    pub met: Option<bool>,
}

/// Everything measured, rendered as tables at the end.
#[derive(Debug, Default)]
pub struct Report {
    /// The machine and tool versions.
    pub machine: Vec<(String, String)>,
    /// The measurements.
    pub rows: Vec<Row>,
    /// The ratios.
    pub ratios: Vec<RatioRow>,
    /// What else the reader should know.
    pub notes: Vec<String>,
}

impl Report {
    /// The report as printed: the machine, the measurements, the ratios and the notes.
    pub fn render(&self) -> String {
        let mut text = String::new();
        for (key, value) in &self.machine {
            let _ = writeln!(text, "{key}: {value}");
        }
        if !self.rows.is_empty() {
            let mut table = Table::new([
                "MEASUREMENT",
                "ROUND",
                "TARGET",
                "CASES",
                "REQUESTS",
                "SECONDS",
                "RATE",
                "MAX RSS",
            ]);
            for r in &self.rows {
                table.row([
                    r.what.clone(),
                    r.round.map(|n| n.to_string()).unwrap_or_default(),
                    r.target.clone(),
                    r.cases.map(group).unwrap_or_else(|| "-".into()),
                    r.requests.map(group).unwrap_or_else(|| "-".into()),
                    format!("{:.2}", r.seconds),
                    format!("{:.1} {}", r.per_second, r.unit),
                    r.max_rss_kib
                        .map(|k| format!("{:.1} MiB", k as f64 / 1024.0))
                        .unwrap_or_else(|| "-".into()),
                ]);
            }
            let _ = write!(text, "\n{table}");
        }
        if !self.ratios.is_empty() {
            let mut table = Table::new(["RATIO", "VALUE", "GOAL", "MET"]);
            for r in &self.ratios {
                table.row([
                    r.what.clone(),
                    r.value.clone(),
                    r.goal.clone(),
                    match r.met {
                        Some(true) => "yes".into(),
                        Some(false) => "NO".into(),
                        None => String::new(),
                    },
                ]);
            }
            let _ = write!(text, "\n{table}");
        }
        for note in &self.notes {
            let _ = writeln!(text, "note: {note}");
        }
        text
    }
}

/// `a / b`, 0 when `b` is not positive.
pub fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { 0.0 }
}

/// `24684096 kB` (from /proc/meminfo) as `23.5 GiB`.
fn memory_text(mem_total: &str) -> String {
    match mem_total
        .strip_suffix(" kB")
        .map(|k| k.trim().parse::<f64>())
    {
        Some(Ok(kib)) => format!("{:.1} GiB", kib / (1024.0 * 1024.0)),
        _ => mem_total.to_string(),
    }
}

/// The median (the mean of the middle two for an even count); 0 for none.
pub fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => 0.0,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

/// `0.95`, or `0.95 (0.90–1.02, 3 rounds)`: the median and the range.
pub fn spread(values: &[f64], decimals: usize) -> String {
    let m = median(values);
    if values.len() < 2 {
        return format!("{m:.decimals$}");
    }
    let low = values.iter().copied().fold(f64::INFINITY, f64::min);
    let high = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    format!(
        "{m:.decimals$} ({low:.decimals$}–{high:.decimals$}, {} rounds)",
        values.len()
    )
}

/// `1234567` as `1,234,567`.
pub fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The first line a program prints for these arguments (stdout, then stderr), or `unknown`.
fn version(program: &Path, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .ok()
        .and_then(|o| {
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            );
            text.lines().next().map(|l| l.trim().to_string())
        })
        .filter(|l| !l.is_empty())
        .unwrap_or_else(|| "unknown".into())
}

/// The machine and tool versions, for the record.
pub fn machine(tools: &Tools) -> Vec<(String, String)> {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let field = |text: &str, key: &str| {
        text.lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_once(':'))
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_else(|| "unknown".into())
    };
    let mut out = vec![
        (
            "date".to_string(),
            httpdate::fmt_http_date(SystemTime::now()),
        ),
        (
            "machine".to_string(),
            format!(
                "nproc {}, {}, {} memory, load average {}",
                std::thread::available_parallelism().map_or(0, |n| n.get()),
                field(&cpuinfo, "model name"),
                memory_text(&field(&meminfo, "MemTotal")),
                std::fs::read_to_string("/proc/loadavg")
                    .unwrap_or_default()
                    .split_whitespace()
                    .take(3)
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
        ),
        (
            "conform".to_string(),
            format!(
                "{} ({}, `{}`)",
                version(&tools.conform, &["--version"]),
                match build_of(&tools.conform) {
                    Some(build) => format!("{build} build"),
                    None => "build unknown".to_string(),
                },
                tools.conform.display()
            ),
        ),
    ];
    if let Some(moto) = &tools.moto {
        let python = moto.with_file_name("python");
        out.push((
            "moto".to_string(),
            version(&python, &["-c", "import moto; print(moto.__version__)"]),
        ));
    }
    if let Some(wrk) = &tools.wrk {
        out.push(("wrk".to_string(), version(wrk, &["-v"])));
    }
    if tools.schemathesis.is_some() {
        let st = std::env::var_os("PEER_VENV")
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("HOME")
                    .map(|h| PathBuf::from(h).join(".cache/conform-peers/schemathesis"))
            })
            .map(|v| v.join("bin/st"));
        if let Some(st) = st {
            out.push(("schemathesis".to_string(), version(&st, &["--version"])));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_numbers_and_tables_render() {
        assert_eq!(ratio(1.0, 0.0), 0.0);
        assert_eq!(ratio(180.0, 200.0), 0.9);
        assert_eq!(group(1_000_000), "1,000,000");
        assert_eq!(group(999), "999");
        assert_eq!(memory_text("24684096 kB"), "23.5 GiB");
        assert_eq!(memory_text("unknown"), "unknown");
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[1.0, 2.0]), 1.5);
        assert_eq!(median(&[]), 0.0);
        assert_eq!(spread(&[0.9], 2), "0.90");
        assert_eq!(spread(&[1.0, 0.9, 1.1], 2), "1.00 (0.90–1.10, 3 rounds)");
        let report = Report {
            machine: vec![("date".into(), "today".into())],
            rows: vec![Row::conform(
                "conform run",
                "moto",
                &RunFigures {
                    cases: 2000,
                    errors: 0,
                    seconds: 10.0,
                    max_rss_kib: 27 * 1024,
                },
                Some(2100),
            )],
            ratios: vec![RatioRow {
                what: "x".into(),
                value: "0.95".into(),
                goal: "≥ 0.90".into(),
                met: Some(true),
            }],
            notes: vec!["a note".into()],
        };
        let text = report.render();
        assert!(text.starts_with("date: today\n"), "{text}");
        assert!(
            text.contains(
                "conform run         moto    2,000  2,100     10.00    200.0 cases/s  27.0 MiB"
            ),
            "{text}"
        );
        assert!(text.contains("x      0.95   ≥ 0.90  yes"), "{text}");
        assert!(text.ends_with("note: a note\n"), "{text}");
        assert_eq!(report.rows[0].requests_per_second(), Some(210.0));
        let failing = RunFigures {
            cases: 10,
            errors: 2,
            seconds: 1.0,
            max_rss_kib: 1,
        };
        assert_eq!(
            Row::conform("conform run", "moto", &failing, None).what,
            "conform run (2 transport errors)"
        );
    }
}
