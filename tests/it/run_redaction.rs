//! What a real account holds never appears in conform's output: a real-treated embedded target holds alternate
//! contacts made of unmistakable markers, and `run`, `diff`, `replay` and `--dry-run` (with `--json`, `--junit`,
//! `--snapshots update` and deviations present, from a fault) must not print or write any marker, the test secret
//! key or a full signature anywhere but the restore journal (which needs the values to put them back, and is private).

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::serve_support::*;
use serde_json::json;

const MARKERS: [&str; 4] = [
    "Zorblax Quintavelle",
    "zorblax.quintavelle@example.org",
    "+1 (999) 773-1773",
    "Chief Zorblax Officer",
];

fn conform(args: &[String]) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_conform"));
    command
        .args(args)
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_PROFILE")
        .env_remove("CONFORM_SPECS")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("NO_COLOR", "1")
        .env(
            "XDG_RUNTIME_DIR",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("run-redaction-locks"),
        );
    command
}

/// Every file under `dir`, but the journal.
/// Runs conform with `args` off the runtime's threads (the target answers on them).
async fn run(args: &[&str]) -> Output {
    let owned: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    tokio::task::spawn_blocking(move || conform(&owned).output().unwrap())
        .await
        .unwrap()
}

fn written_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            written_files(&path, out);
        } else if !path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .contains("journal")
        {
            out.push(path);
        }
    }
}

fn assert_clean(what: &str, text: &str) {
    for marker in MARKERS {
        assert!(
            !text.contains(marker),
            "{what} shows the real value `{marker}`"
        );
    }
    assert!(
        !text.contains(conform::credentials::TEST_SECRET_ACCESS_KEY),
        "{what} shows the secret key"
    );
    let signature = regex::Regex::new(r"Signature=[0-9a-f]{64}").unwrap();
    assert!(!signature.is_match(text), "{what} shows a full signature");
}

fn check_output(what: &str, o: &Output) {
    assert_clean(
        &format!("{what} stdout"),
        &String::from_utf8_lossy(&o.stdout),
    );
    assert_clean(
        &format!("{what} stderr"),
        &String::from_utf8_lossy(&o.stderr),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_read_from_a_real_target_appears_in_any_output() {
    let t = start(&["skip-length", "response-extra-member"]).await;
    for kind in ["BILLING", "OPERATIONS", "SECURITY"] {
        let body = json!({
            "AlternateContactType": kind,
            "Name": MARKERS[0],
            "EmailAddress": MARKERS[1],
            "PhoneNumber": MARKERS[2],
            "Title": MARKERS[3],
        });
        assert_eq!(
            call(&t, account("/putAlternateContact", body)).await.status,
            200
        );
    }
    let endpoint = t.endpoint();
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
    let real = [
        "--endpoint",
        &endpoint,
        "--target-kind",
        "real",
        "--rate",
        "1000",
        "--service",
        "account",
        "--operation",
        "GetAlternateContact",
        "--operation",
        "PutAlternateContact",
        "--allow-mutations",
        "--cases",
        "0",
    ];
    let journal = path("journal.json");
    let (json_run, junit_run, snapshots) = (path("run.json"), path("run.xml"), path("snapshots"));
    let args = [
        &["run"][..],
        &real,
        &[
            "--no-shrink",
            "--restore-journal",
            &journal,
            "--json",
            &json_run,
            "--junit",
            &junit_run,
        ],
        &["--snapshots", "update", "--snapshot-dir", &snapshots],
    ]
    .concat();
    let o = run(&args).await;
    assert_eq!(
        o.status.code(),
        Some(1),
        "deviations are present: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    check_output("run", &o);

    let (json_diff, journal_diff) = (path("diff.json"), path("journal-diff.json"));
    let args = [
        &["diff"][..],
        &real,
        &[
            "--against",
            "embedded",
            "--restore-journal",
            &journal_diff,
            "--json",
            &json_diff,
        ],
    ]
    .concat();
    let o = run(&args).await;
    assert!(o.status.code().is_some(), "diff ran");
    check_output("diff", &o);

    let journal_replay = path("journal-replay.json");
    // replay sends one request: it has no --rate.
    let without_rate: Vec<&str> = real
        .iter()
        .enumerate()
        .filter(|(i, a)| **a != "--rate" && (*i == 0 || real[i - 1] != "--rate"))
        .map(|(_, a)| *a)
        .collect();
    let args = [
        &[
            "replay",
            "GetAlternateContact-valid-enum-value-AlternateContactType-0",
        ][..],
        &without_rate,
        &["--restore-journal", &journal_replay],
    ]
    .concat();
    let o = run(&args).await;
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("200")
            || String::from_utf8_lossy(&o.stderr).contains("200"),
        "the replayed Get read a contact: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    check_output("replay", &o);

    let args = [&["run"][..], &real, &["--dry-run"]].concat();
    let o = run(&args).await;
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    check_output("dry-run", &o);

    let mut files = Vec::new();
    written_files(dir.path(), &mut files);
    assert!(
        files.len() >= 3,
        "the reports and snapshots were written: {files:?}"
    );
    for file in files {
        let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
        assert_clean(&file.display().to_string(), &text);
    }
}

/// A loopback target that answers every request 200 with a JSON body echoing the request's head (its headers,
/// the Authorization header's signature and the session token included).
fn echoing_target() -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                stream
                    .set_read_timeout(Some(std::time::Duration::from_millis(300)))
                    .unwrap();
                let mut buf = vec![0u8; 1 << 20];
                let n = stream.read(&mut buf).unwrap_or(0);
                let head = String::from_utf8_lossy(&buf[..n]);
                let head = head
                    .split("\r\n\r\n")
                    .next()
                    .unwrap_or_default()
                    .to_string();
                let body =
                    json!({ "Echo": head, "AlternateContact": { "Name": head } }).to_string();
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-amzn-requestid: 1\r\n\
                     x-echo: {}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    head.replace("\r\n", " | "),
                    body.len()
                );
            });
        }
    });
    endpoint
}

#[test]
fn a_target_that_echoes_request_headers_gets_no_secret_into_any_output() {
    const TOKEN: &str = "FQoGZXIvYXdzEMarkerSessionToken7731";
    const KEY_ID: &str = "AKIAMARKERKEY7731XYZ";
    const SECRET: &str = "marker/Secret+Access7731Key0000000000000";
    let endpoint = echoing_target();
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
    let (json, junit, snapshots) = (path("r.json"), path("r.xml"), path("snapshots"));
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_conform"))
        .args(["run", "--endpoint", &endpoint, "--service", "account"])
        .args([
            "--operation",
            "GetAlternateContact",
            "--cases",
            "0",
            "--no-shrink",
        ])
        .args(["--json", &json, "--junit", &junit])
        .args(["--snapshots", "update", "--snapshot-dir", &snapshots])
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_PROFILE")
        .env_remove("CONFORM_SPECS")
        .env("AWS_ACCESS_KEY_ID", KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", SECRET)
        .env("AWS_SESSION_TOKEN", TOKEN)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "the run completed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let mut texts = vec![
        (
            "stdout".to_string(),
            String::from_utf8_lossy(&o.stdout).into_owned(),
        ),
        (
            "stderr".to_string(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        ),
    ];
    let mut files = Vec::new();
    written_files(dir.path(), &mut files);
    assert!(files.len() >= 2, "reports written: {files:?}");
    for file in files {
        texts.push((
            file.display().to_string(),
            String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned(),
        ));
    }
    // The echo reached conform: the report holds what the target sent back, with the secrets masked.
    assert!(
        texts
            .iter()
            .any(|(_, t)| t.contains("x-amz-date") || t.contains("X-Amz-Date")),
        "the target's echo of the request is in the output"
    );
    let signature = regex::Regex::new(r"Signature=[0-9a-f]{64}").unwrap();
    for (what, text) in texts {
        assert!(!text.contains(TOKEN), "{what} shows the session token");
        assert!(!text.contains(SECRET), "{what} shows the secret key");
        assert!(!signature.is_match(&text), "{what} shows a full signature");
    }
}
