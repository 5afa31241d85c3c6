//! `conform run` through its command line: partitions that add up and merge, Ctrl-C that still writes the reports,
//! JUnit output, and a baseline that turns known deviations into a passing run.

use std::io::Read;
use std::net::TcpListener;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

fn conform(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_conform"))
        .args(args)
        .env_remove("AWS_ENDPOINT_URL")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn json(path: &std::path::Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn partitions_cover_the_run_once_and_merge_into_it() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let base = ["run", "--service", "account", "--cases", "5", "--no-shrink"];
    let whole = conform(&[&base[..], &["--json", &p("whole.json")]].concat());
    assert_eq!(
        whole.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&whole.stderr)
    );
    for k in ["1/2", "2/2"] {
        let o = conform(
            &[
                &base[..],
                &[
                    "--partition",
                    k,
                    "--json",
                    &p(&format!("part{}.json", &k[..1])),
                ],
            ]
            .concat(),
        );
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let (a, b, all) = (
        json(&dir.path().join("part1.json")),
        json(&dir.path().join("part2.json")),
        json(&dir.path().join("whole.json")),
    );
    let total = |v: &serde_json::Value| v["summary"]["total"].as_u64().unwrap();
    assert!(total(&a) > 0 && total(&b) > 0, "both partitions got cases");
    assert_eq!(total(&a) + total(&b), total(&all));
    let ids = |v: &serde_json::Value| -> std::collections::BTreeSet<String> {
        v["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(ids(&a).is_disjoint(&ids(&b)));
    let merged = conform(&[
        "report",
        "merge",
        &p("part1.json"),
        &p("part2.json"),
        "--json",
        &p("merged.json"),
        "--junit",
        &p("merged.xml"),
    ]);
    assert_eq!(
        merged.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&merged.stderr)
    );
    assert_eq!(total(&json(&dir.path().join("merged.json"))), total(&all));
    assert!(
        std::fs::read_to_string(dir.path().join("merged.xml"))
            .unwrap()
            .contains("<testsuite name=\"PutAlternateContact\"")
    );
}

#[test]
fn ctrl_c_stops_the_run_and_still_writes_the_reports() {
    // A target that accepts and never answers keeps every case in flight.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for mut s in listener.incoming().flatten() {
            let mut buf = [0u8; 1024];
            let _ = s.set_read_timeout(Some(Duration::from_millis(100)));
            let _ = s.read(&mut buf);
            held.push(s);
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("r.json");
    let junit = dir.path().join("r.xml");
    let mut child = Command::new(env!("CARGO_BIN_EXE_conform"))
        .args([
            "run",
            "--endpoint",
            &endpoint,
            "--timeout",
            "60",
            "--concurrency",
            "2",
            "--no-shrink",
        ])
        .args([
            "--json",
            report.to_str().unwrap(),
            "--junit",
            junit.to_str().unwrap(),
        ])
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_PROFILE")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let code = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.code();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "conform did not stop on SIGINT"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(code, Some(3), "an interrupted run exits 3");
    let r = json(&report);
    assert_eq!(r["interrupted"], true, "{r}");
    assert!(r["summary"]["total"].is_u64());
    assert!(
        std::fs::read_to_string(&junit)
            .unwrap()
            .contains("<testsuites")
    );
}

#[test]
fn a_baseline_accepts_known_deviations_and_flags_new_ones() {
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("baseline.toml");
    let b = baseline.to_str().unwrap();
    let faulty = [
        "run",
        "--embedded-fault",
        "delete-missing-ok",
        "--no-shrink",
        "--cases",
        "5",
    ];
    let first = conform(&faulty);
    assert_eq!(first.status.code(), Some(1), "the fault deviates");
    let update = conform(&[&faulty[..], &["--baseline", b, "--update-baseline"]].concat());
    assert_eq!(
        update.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&update.stderr)
    );
    assert!(
        std::fs::read_to_string(&baseline)
            .unwrap()
            .contains("operation = \"DeleteAlternateContact\"")
    );
    let known = conform(&[&faulty[..], &["--baseline", b]].concat());
    assert_eq!(
        known.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&known.stderr)
    );
    let another = conform(&[
        "run",
        "--embedded-fault",
        "delete-missing-ok",
        "--embedded-fault",
        "missing-request-id",
        "--no-shrink",
        "--cases",
        "5",
        "--baseline",
        b,
    ]);
    assert_eq!(
        another.status.code(),
        Some(1),
        "a new kind of deviation fails the run"
    );
    let fixed = conform(&["run", "--no-shrink", "--cases", "5", "--baseline", b]);
    assert_eq!(fixed.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&fixed.stderr).contains("no longer seen"),
        "{}",
        String::from_utf8_lossy(&fixed.stderr)
    );
}

#[test]
fn the_embedded_target_is_signed_with_the_test_pair_whatever_the_environment_holds() {
    let o = Command::new(env!("CARGO_BIN_EXE_conform"))
        .args(["run", "--service", "account", "--cases", "2", "--no-shrink"])
        .env_remove("AWS_ENDPOINT_URL")
        .env("AWS_ACCESS_KEY_ID", "AKIAOTHERKEY00000000")
        .env("AWS_SECRET_ACCESS_KEY", "not-the-test-secret")
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("AKIAIOSFODNN7EXAMPLE"),
        "the run says which key it signs with"
    );
}

/// A listener that counts as an external target and shows whether anyone connected to it.
fn silent_target() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    (listener, endpoint)
}

#[track_caller]
fn assert_not_connected(listener: &TcpListener) {
    match listener.accept() {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        other => panic!("conform connected to the target: {other:?}"),
    }
}

#[test]
fn a_real_target_where_every_selected_operation_is_left_out_is_refused_without_connecting() {
    let (listener, endpoint) = silent_target();
    let o = conform(&[
        "run",
        "--endpoint",
        &endpoint,
        "--target-kind",
        "real",
        "--operation",
        "PutAlternateContact",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("every selected operation is left out")
            && err.contains("PutAlternateContact (changes state): pass --allow-mutations"),
        "the refusal names what would let it run: {err}"
    );
    assert_not_connected(&listener);
}

#[test]
fn a_region_a_service_does_not_run_in_is_a_usage_error_before_any_request() {
    let (listener, endpoint) = silent_target();
    for region_flag in [&["--region", "mars-1"][..], &[]] {
        let mut command = Command::new(env!("CARGO_BIN_EXE_conform"));
        command
            .args(["run", "--endpoint", &endpoint, "--cases", "1"])
            .args(region_flag)
            .env_remove("AWS_ENDPOINT_URL")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("NO_COLOR", "1");
        let region = if region_flag.is_empty() {
            command.env("AWS_REGION", "eu-central-1");
            "eu-central-1"
        } else {
            command.env_remove("AWS_REGION");
            "mars-1"
        };
        let o = command.output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(
            err.contains(&format!("region `{region}`"))
                && err.contains("workmail runs only in us-east-1, us-west-2, eu-west-1"),
            "names the region, the service and its regions: {err}"
        );
        assert_not_connected(&listener);
    }
}

#[test]
fn on_the_embedded_target_a_region_outside_a_services_list_is_ignored_with_a_note() {
    // The README's first command with AWS_REGION set for other work: WorkMail does not run in eu-central-1.
    let o = Command::new(env!("CARGO_BIN_EXE_conform"))
        .args(["run", "--cases", "2", "--no-shrink"])
        .env_remove("AWS_ENDPOINT_URL")
        .env("AWS_REGION", "eu-central-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "no deviation: {err}");
    assert!(
        err.contains(
            "region eu-central-1 is ignored on the embedded target: workmail runs only in"
        ),
        "{err}"
    );
    // A region the services run in needs no note.
    let o = Command::new(env!("CARGO_BIN_EXE_conform"))
        .args([
            "run",
            "--cases",
            "0",
            "--kind",
            "valid",
            "--region",
            "eu-west-1",
        ])
        .env_remove("AWS_ENDPOINT_URL")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(!err.contains("is ignored"), "{err}");
}
