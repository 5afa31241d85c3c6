//! What users meet around a run: closed pipes, reports on stdout, deviations grouped by kind, stale baseline
//! entries, oversized inputs, colour and help text.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn conform() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_conform"));
    command
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("NO_COLOR")
        .env("AWS_EC2_METADATA_DISABLED", "true");
    command
}

fn run(args: &[&str]) -> Output {
    conform().args(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn json_file(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The deviating cases of a report must all be there: as many results as the summary counts, each one whole.
fn assert_complete_report(report: &Value) {
    let results = report["results"].as_array().expect("results");
    assert_eq!(
        results.len() as u64,
        report["summary"]["total"].as_u64().unwrap()
    );
    assert!(report["summary"]["failed"].as_u64().unwrap() > 0);
    assert_eq!(report["interrupted"], false);
}

#[test]
fn closed_stdout_and_stderr_change_neither_the_exit_code_nor_the_reports() {
    let dir = tempfile::tempdir().unwrap();
    let (json, xml) = (dir.path().join("r.json"), dir.path().join("r.xml"));
    let mut child = conform()
        .args([
            "run",
            "--embedded-fault",
            "skip-length",
            "--service",
            "account",
            "--cases",
            "5",
            "--no-shrink",
        ])
        .arg("--json")
        .arg(&json)
        .arg("--junit")
        .arg(&xml)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // `conform run ... 2>&1 | head -1` once head has gone: both pipes have no reader.
    drop(child.stdout.take());
    drop(child.stderr.take());
    let status = child.wait().unwrap();
    assert_eq!(
        status.code(),
        Some(1),
        "deviations exit 1, closed pipes or not (a signal would leave no code): {status:?}"
    );
    assert_complete_report(&json_file(&json));
    let junit = quick_junit::Report::deserialize_from_str(&std::fs::read_to_string(&xml).unwrap())
        .expect("the JUnit report is whole");
    assert!(junit.failures > 0);
}

#[test]
fn reports_go_to_stdout_with_a_dash_and_never_both() {
    // Pattern cases deviate several times per kind, so the terminal says where all of them are.
    let base = [
        "run",
        "--embedded-fault",
        "skip-pattern",
        "--service",
        "account",
        "--cases",
        "10",
        "--no-shrink",
    ];
    let json = run(&[&base[..], &["--json", "-"]].concat());
    assert_eq!(json.status.code(), Some(1), "{}", text(&json.stderr));
    let report: Value =
        serde_json::from_slice(&json.stdout).expect("stdout is the JSON report alone");
    assert_complete_report(&report);
    let err = text(&json.stderr);
    assert!(
        err.contains("Deviations: "),
        "the human report stays on stderr: {err}"
    );
    assert!(
        err.contains("all of them are in the JSON report on stdout"),
        "{err}"
    );

    let junit = run(&[&base[..], &["--junit", "-"]].concat());
    assert_eq!(junit.status.code(), Some(1));
    let xml =
        quick_junit::Report::deserialize_from_str(&text(&junit.stdout)).expect("stdout is XML");
    assert!(xml.failures > 0);

    let both = run(&[&base[..], &["--json", "-", "--junit", "-"]].concat());
    assert_eq!(both.status.code(), Some(2));
    assert!(
        text(&both.stderr).contains("--json and --junit both name `-`"),
        "{}",
        text(&both.stderr)
    );
    assert!(both.stdout.is_empty());
}

/// The severity order of the terminal report (see `report::terminal`).
fn severity(kind: &str, check: &str) -> u8 {
    match (kind, check) {
        (_, "state") => 0,
        ("malformed", _) => 4,
        (_, "status" | "parity") => 1,
        (_, "error-type") => 2,
        (_, "output-shape") => 3,
        (_, "snapshot") => 5,
        (_, "error-body") => 6,
        (_, "content-type") => 7,
        _ => 8,
    }
}

/// `{ operation = "...", check = "...", mutation = "...", member = "..." }` as a sorted map.
fn parse_key(inline: &str) -> BTreeMap<String, String> {
    let table: toml::Table =
        toml::from_str(&format!("key = {inline}")).unwrap_or_else(|e| panic!("{inline}: {e}"));
    table["key"]
        .as_table()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
        .collect()
}

#[test]
fn many_deviations_of_few_kinds_show_once_per_kind_with_counts() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("r.json");
    let out = conform()
        .args([
            "run",
            "--embedded-fault",
            "skip-length",
            "--embedded-fault",
            "skip-pattern",
            "--service",
            "account",
            // The spec file's operations (with botocore installed, `--service account` also has the model's).
            "--operation",
            "PutAlternateContact",
            "--operation",
            "DeleteAlternateContact",
            "--operation",
            "StartPrimaryEmailUpdate",
            "--operation",
            "GetAlternateContact",
            "--operation",
            "GetPrimaryEmail",
            "--operation",
            "GetPrimaryEmailUpdateStatus",
            "--operation",
            "AcceptPrimaryEmailUpdate",
            "--cases",
            "150",
            "--no-shrink",
        ])
        .arg("--json")
        .arg(&json)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");

    // What the report says: each deviating case under its most severe check's key, and every key of the run.
    let report = json_file(&json);
    let mut expected: BTreeMap<BTreeMap<String, String>, u64> = BTreeMap::new();
    let mut every_key: BTreeSet<BTreeMap<String, String>> = BTreeSet::new();
    for r in report["results"].as_array().unwrap() {
        if r["deviation"] != true || r["baselined"] == true {
            continue;
        }
        let kind = r["kind"].as_str().unwrap();
        let (mutation, member) = match r["mutation"].as_object() {
            Some(m) => (
                m["class"].as_str().unwrap().to_string(),
                m["member"].as_str(),
            ),
            None => (kind.to_string(), None),
        };
        let keys: Vec<(u8, BTreeMap<String, String>)> = r["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["passed"] == false && c["uncertain"] == false)
            .map(|c| {
                let check = c["check"].as_str().unwrap();
                let mut key = BTreeMap::from([
                    (
                        "operation".to_string(),
                        r["operation"].as_str().unwrap().to_string(),
                    ),
                    ("check".to_string(), check.to_string()),
                    ("mutation".to_string(), mutation.clone()),
                ]);
                if let Some(member) = member {
                    key.insert("member".into(), member.to_string());
                }
                (severity(kind, check), key)
            })
            .collect();
        every_key.extend(keys.iter().map(|(_, k)| k.clone()));
        let primary = keys.into_iter().min_by_key(|(rank, _)| *rank).unwrap().1;
        *expected.entry(primary).or_default() += 1;
    }
    let failed = report["summary"]["failed"].as_u64().unwrap();
    assert!(failed > 200, "many deviations: {failed}");
    // Few against the cases: each (check, class, member) is a kind, and issue 12's classes added a few per member.
    assert!(expected.len() < 80, "of few kinds: {}", expected.len());

    // What the terminal says: `[i/n] N cases: { key }`, then one example.
    let headers: Vec<&str> = err.lines().filter(|l| l.starts_with('[')).collect();
    assert_eq!(headers.len(), expected.len(), "one group per kind:\n{err}");
    let mut shown: BTreeMap<BTreeMap<String, String>, u64> = BTreeMap::new();
    let mut shown_keys: BTreeSet<BTreeMap<String, String>> = BTreeSet::new();
    let mut last_rank = 0;
    for (i, header) in headers.iter().enumerate() {
        let prefix = format!("[{}/{}] ", i + 1, headers.len());
        let rest = header
            .strip_prefix(&prefix)
            .unwrap_or_else(|| panic!("{header}"));
        let (count, rest) = rest.split_once(' ').unwrap();
        let start = rest.find('{').unwrap();
        let end = rest.find('}').unwrap();
        let key = parse_key(&rest[start..=end]);
        let rank = severity("", &key["check"]);
        assert!(
            rank >= last_rank || key["mutation"] == "body-not-json",
            "most severe first: {headers:?}"
        );
        last_rank = last_rank.max(rank);
        if let Some(also) = rest[end..].split("also fail: ").nth(1) {
            for check in also.trim_end_matches(')').split(", ") {
                let mut other = key.clone();
                other.insert("check".into(), check.to_string());
                shown_keys.insert(other);
            }
        }
        shown_keys.insert(key.clone());
        shown.insert(key, count.parse().unwrap());
    }
    assert_eq!(shown, expected, "each kind with its count");
    assert_eq!(
        shown.values().sum::<u64>(),
        failed,
        "every deviation is counted once"
    );
    assert_eq!(shown_keys, every_key, "every baseline key of the run shows");
    assert_eq!(
        err.matches("\nDEVIATION ").count(),
        expected.len(),
        "one example per kind"
    );
    assert!(
        err.contains(&format!(
            "all of them are in the JSON report {}",
            json.display()
        )),
        "{err}"
    );
}

#[test]
fn stale_baseline_entries_are_listed_as_the_file_writes_them() {
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("baseline.toml");
    let entries: String = (0..30)
        .map(|i| {
            format!(
                "[[deviation]]\noperation = \"PutAlternateContact\"\ncheck = \"status\"\nmutation = \"gone-{i:02}\"\nmember = \"Name\"\n\n"
            )
        })
        .collect();
    std::fs::write(&baseline, entries).unwrap();
    let out = conform()
        .args([
            "run",
            "--service",
            "account",
            "--cases",
            "2",
            "--no-shrink",
            "--baseline",
        ])
        .arg(&baseline)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("30 baseline entries are no longer seen (the emulator may have been fixed; --update-baseline drops them):\n  { operation = \"PutAlternateContact\", check = \"status\", mutation = \"gone-00\", member = \"Name\" }\n"),
        "{err}"
    );
    assert!(err.contains("mutation = \"gone-19\""), "{err}");
    assert!(!err.contains("mutation = \"gone-20\""), "capped: {err}");
    assert!(err.contains("\n  … and 10 more\n"), "{err}");
    assert!(!err.contains("BaselineKey"), "{err}");
}

#[test]
fn input_files_are_read_with_a_limit_named_in_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.toml");
    std::fs::File::create(&big)
        .unwrap()
        .set_len((16 << 20) + 1)
        .unwrap();
    for baseline in [Path::new("/dev/zero"), big.as_path()] {
        let out = conform()
            .args(["run", "--service", "account", "--cases", "1", "--baseline"])
            .arg(baseline)
            .output()
            .unwrap();
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(
            err.contains(&format!("failed to read `{}`", baseline.display()))
                && err.contains("the limit of 16 MiB"),
            "{err}"
        );
    }

    let journal = dir.path().join("journal.json");
    std::fs::File::create(&journal)
        .unwrap()
        .set_len((16 << 20) + 1)
        .unwrap();
    for journal in [Path::new("/dev/zero"), journal.as_path()] {
        let out = conform()
            .arg("restore")
            .arg("--journal")
            .arg(journal)
            .output()
            .unwrap();
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains("the limit of 16 MiB"), "{err}");
    }

    // Reports are streamed, so their limit is high; a sparse file past it costs no disk.
    let report = dir.path().join("huge.json");
    std::fs::File::create(&report)
        .unwrap()
        .set_len((4 << 30) + 1)
        .unwrap();
    let out = conform()
        .args(["report", "merge"])
        .arg(&report)
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("huge.json") && err.contains("the limit of 4 GiB"),
        "{err}"
    );
    let out = conform()
        .args(["report", "merge", "/dev/zero"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
}

#[test]
fn body_too_large_cases_keep_no_megabyte_bodies_in_the_reports() {
    let dir = tempfile::tempdir().unwrap();
    let (json, xml) = (dir.path().join("r.json"), dir.path().join("r.xml"));
    // Without a request id every case deviates, so the 1 MiB `body-too-large` cases carry a curl command.
    let out = conform()
        .args([
            "run",
            "--embedded-fault",
            "missing-request-id",
            "--service",
            "account",
            "--kind",
            "malformed",
        ])
        .args(["--cases", "1", "--no-shrink"])
        .arg("--json")
        .arg(&json)
        .arg("--junit")
        .arg(&xml)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let err = text(&out.stderr);
    let report = json_file(&json);
    let capped: Vec<&Value> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["mutation"]["class"] == "body-too-large")
        .collect();
    assert!(
        !capped.is_empty(),
        "the run has body-too-large cases: {err}"
    );
    for r in &capped {
        if r["passed"] == true {
            continue;
        }
        let curl = r["reproduce"]["curl"].as_str().unwrap();
        assert!(curl.len() < 8192, "{} bytes of curl", curl.len());
        let body = &r["capped_bodies"][0];
        assert_eq!(body["body"], "request");
        assert!(body["bytes"].as_u64().unwrap() > 1_000_000, "{body}");
        assert_eq!(body["sha256"].as_str().unwrap().len(), 64);
        assert!(curl.contains(body["sha256"].as_str().unwrap()), "{curl}");
    }
    assert!(
        capped.iter().any(|r| r["passed"] == false),
        "at least one body-too-large case deviates under the fault: {err}"
    );
    for (path, limit) in [(&json, 4 << 20), (&xml, 4 << 20)] {
        let size = std::fs::metadata(path).unwrap().len();
        assert!(size < limit, "{} is {size} bytes", path.display());
    }
    assert!(
        err.len() < 4 << 20,
        "the terminal report is {} bytes",
        err.len()
    );
}

#[test]
fn no_colour_off_a_terminal() {
    let out = run(&[
        "run",
        "--embedded-fault",
        "skip-length",
        "--service",
        "account",
        "--cases",
        "2",
        "--no-shrink",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!out.stderr.contains(&0x1b), "{}", text(&out.stderr));
}

/// Runs `conform ARGS` on a pseudo-terminal (util-linux's `script`), with `NO_COLOR` as given.
fn on_a_terminal(args: &str, no_color: Option<&str>) -> String {
    let mut command = Command::new("script");
    command
        .args([
            "-qec",
            &format!("{} {args}", env!("CARGO_BIN_EXE_conform")),
            "/dev/null",
        ])
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("NO_COLOR")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdin(Stdio::null());
    if let Some(value) = no_color {
        command.env("NO_COLOR", value);
    }
    let mut child = command
        .stdout(Stdio::piped())
        .spawn()
        .expect("script (util-linux) runs");
    let mut out = Vec::new();
    child.stdout.take().unwrap().read_to_end(&mut out).unwrap();
    child.wait().unwrap();
    text(&out)
}

/// Whether text holds an SGR colour sequence (`ESC [ 1;31 m`); progress bars use other sequences.
fn has_colour(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.windows(2).enumerate().any(|(i, w)| {
        w == b"\x1b[" && {
            let rest = &bytes[i + 2..];
            let digits = rest
                .iter()
                .take_while(|b| b.is_ascii_digit() || **b == b';')
                .count();
            digits > 0 && rest.get(digits) == Some(&b'm')
        }
    })
}

#[test]
fn colour_on_a_terminal_unless_no_color_is_set() {
    let args = "run --embedded-fault skip-length --service account --cases 2 --no-shrink";
    let coloured = on_a_terminal(args, None);
    assert!(coloured.contains("DEVIATION"), "{coloured}");
    assert!(has_colour(&coloured), "{coloured}");
    let plain = on_a_terminal(args, Some("1"));
    assert!(plain.contains("DEVIATION"), "{plain}");
    assert!(!has_colour(&plain), "{plain}");
}

#[test]
fn help_is_wrapped_once_at_any_width() {
    for command in [
        &["--help"][..],
        &["run", "--help"],
        &["diff", "--help"],
        &["replay", "--help"],
        &["restore", "--help"],
    ] {
        for columns in ["200", "80"] {
            let out = conform()
                .args(command)
                .env("COLUMNS", columns)
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(0));
            let help = text(&out.stdout);
            let width: usize = columns.parse::<usize>().unwrap().min(110);
            let lines: Vec<&str> = help.lines().collect();
            for (i, line) in lines.iter().enumerate() {
                assert!(
                    line.chars().count() <= width,
                    "{command:?} at {columns} columns: line {} is {} wide:\n{line}",
                    i + 1,
                    line.chars().count()
                );
            }
            // No orphan: a hand-wrapped line wrapped again leaves a word or two alone on a line, between a line
            // filled to the width and the next hand-wrapped line.
            for triple in lines.windows(3) {
                let (full, alone, next) = (triple[0], triple[1], triple[2]);
                let indent = |l: &str| l.len() - l.trim_start().len();
                let orphan = full.chars().count() > width * 4 / 5
                    && !alone.trim().is_empty()
                    && alone.split_whitespace().count() <= 2
                    && !next.trim().is_empty()
                    && indent(full) == indent(alone)
                    && indent(alone) == indent(next);
                assert!(
                    !orphan,
                    "{command:?} at {columns} columns: `{}` is left alone:\n{full}\n{alone}\n{next}",
                    alone.trim()
                );
            }
        }
    }
}
