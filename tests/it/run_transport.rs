//! `conform run` against targets that misbehave at the transport level: refusing, stalling, resetting, and
//! answering HTML. A refusing target stops the run before any case (exit 3); the others give per-case errors or
//! deviations (exit 1), never a panic.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Output};
use std::time::Duration;

fn conform(args: &[&str], json: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_conform"))
        .args(args)
        .args(["--json", json.to_str().unwrap(), "--no-shrink"])
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("NO_COLOR", "1")
        .output()
        .expect("the conform binary runs")
}

fn report(path: &std::path::Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("the JSON report was written"))
        .expect("valid JSON")
}

/// A loopback server that treats every connection with `handle`, on its own threads.
fn serve(handle: fn(TcpStream)) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || handle(stream));
        }
    });
    endpoint
}

/// Reads the request head (and whatever body came with it) so that the client is not cut off mid-send.
fn read_request(stream: &mut TcpStream) {
    stream
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let mut buf = [0u8; 65536];
    let _ = stream.read(&mut buf);
}

const ARGS: [&str; 8] = [
    "run",
    "--service",
    "account",
    "--kind",
    "valid",
    "--cases",
    "0",
    "--timeout",
];

#[test]
fn a_refusing_target_stops_the_run_before_any_case() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let endpoint = format!("http://127.0.0.1:{port}");
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("r.json");
    let o = conform(
        &[&ARGS[..], &["2", "--endpoint", &endpoint]].concat(),
        &json,
    );
    assert_eq!(
        o.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!("127.0.0.1:{port}")),
        "the message names the endpoint: {err}"
    );
    assert!(err.contains("no case was run"), "{err}");
}

#[test]
fn a_stalling_target_gives_per_case_timeouts() {
    let endpoint = serve(|mut s| {
        read_request(&mut s);
        std::thread::sleep(Duration::from_secs(30));
    });
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("r.json");
    let o = conform(
        &[
            &ARGS[..],
            &[
                "0.3",
                "--endpoint",
                &endpoint,
                "--operation",
                "GetPrimaryEmail",
                "--retries",
                "0",
            ],
        ]
        .concat(),
        &json,
    );
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let r = report(&json);
    let s = &r["summary"];
    assert!(
        s["errors"].as_u64().unwrap() > 0 && s["errors"] == s["total"],
        "{s}"
    );
    let first = &r["results"][0];
    assert!(
        first["actual"]["status"].is_null(),
        "no response came: {first}"
    );
    assert!(
        first["transport_error"]
            .as_str()
            .unwrap()
            .contains("within 300ms"),
        "{first}"
    );
}

#[test]
fn a_resetting_target_gives_per_case_errors() {
    let endpoint = serve(|mut s| {
        read_request(&mut s);
        drop(s);
    });
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("r.json");
    let o = conform(
        &[
            &ARGS[..],
            &[
                "2",
                "--endpoint",
                &endpoint,
                "--operation",
                "GetPrimaryEmail",
                "--retries",
                "0",
            ],
        ]
        .concat(),
        &json,
    );
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let r = report(&json);
    assert_eq!(
        r["summary"]["errors"], r["summary"]["total"],
        "{}",
        r["summary"]
    );
    assert!(
        r["results"][0]["transport_error"]
            .as_str()
            .unwrap()
            .contains(&endpoint[7..])
    );
}

#[test]
fn a_target_answering_html_deviates_without_errors() {
    let endpoint = serve(|mut s| {
        read_request(&mut s);
        let body = "<html><body>502 Bad Gateway</body></html>";
        let _ = write!(
            s,
            "HTTP/1.1 502 Bad Gateway\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
    });
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("r.json");
    let o = conform(
        &[
            &ARGS[..],
            &[
                "2",
                "--endpoint",
                &endpoint,
                "--operation",
                "PutAlternateContact",
                "--retries",
                "0",
            ],
        ]
        .concat(),
        &json,
    );
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let r = report(&json);
    let s = &r["summary"];
    assert_eq!(s["errors"], 0, "{s}");
    assert!(s["failed"].as_u64().unwrap() > 0, "{s}");
    let first = &r["results"][0];
    assert_eq!(first["actual"]["status"], 502);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("Bad Gateway"),
        "the deviation shows a body excerpt: {stderr}"
    );
}

#[test]
fn an_operation_the_target_does_not_implement_is_reported_once_not_per_case() {
    // A web framework's answer to a route it does not know, for every request.
    let endpoint = serve(|mut s| {
        read_request(&mut s);
        let body = "<!doctype html><title>404 Not Found</title><h1>Not Found</h1>";
        let _ = write!(
            s,
            "HTTP/1.1 404 NOT FOUND\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
    });
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("r.json");
    let o = conform(
        &[
            "run",
            "--service",
            "account",
            "--operation",
            "GetAlternateContact",
            "--cases",
            "0",
            "--timeout",
            "2",
            "--endpoint",
            &endpoint,
            "--retries",
            "0",
        ],
        &json,
    );
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let r = report(&json);
    let results = r["results"].as_array().unwrap();
    assert_eq!(
        results.len(),
        2,
        "only the two probes were sent: {results:#?}"
    );
    for result in results {
        assert_eq!(result["kind"], "valid");
        let implemented = result["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["check"] == "implemented")
            .expect("the probes carry the verdict");
        assert_eq!(implemented["passed"], false);
        assert!(
            implemented["message"]
                .as_str()
                .unwrap()
                .contains("GetAlternateContact looks unimplemented"),
            "{implemented}"
        );
    }
    // The probes are no cases: the summary counts them apart, and the exit code (1 above) comes from that finding.
    assert_eq!(r["summary"]["total"], 0, "{}", r["summary"]);
    assert_eq!(r["summary"]["failed"], 0, "{}", r["summary"]);
    assert_eq!(
        r["summary"]["not_implemented"],
        serde_json::json!({"operations": ["account.GetAlternateContact"], "probes": 2, "baselined": 0})
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("1 operation(s) not implemented (2 probe(s), not counted as cases)")
            && stderr.contains("0 cases:"),
        "{stderr}"
    );
    // A baseline that accepts the finding makes the same run pass.
    let baseline = dir.path().join("baseline.toml");
    let o = conform(
        &[
            "run",
            "--service",
            "account",
            "--operation",
            "GetAlternateContact",
            "--cases",
            "0",
            "--timeout",
            "2",
            "--endpoint",
            &endpoint,
            "--retries",
            "0",
            "--baseline",
            baseline.to_str().unwrap(),
            "--update-baseline",
        ],
        &json,
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = conform(
        &[
            "run",
            "--service",
            "account",
            "--operation",
            "GetAlternateContact",
            "--cases",
            "0",
            "--timeout",
            "2",
            "--endpoint",
            &endpoint,
            "--retries",
            "0",
            "--baseline",
            baseline.to_str().unwrap(),
        ],
        &json,
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(report(&json)["summary"]["not_implemented"]["baselined"], 2);
    // The embedded target implements every operation: nothing is left out there.
    let all = conform(
        &[
            "run",
            "--service",
            "account",
            "--operation",
            "GetAlternateContact",
            "--cases",
            "0",
        ],
        &json,
    );
    assert_eq!(
        all.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&all.stderr)
    );
    let r = report(&json);
    assert!(
        r["results"].as_array().unwrap().len() > 20,
        "every case ran"
    );
}

/// Requests the throttling target below has answered.
static THROTTLED_REQUESTS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

#[test]
fn a_target_that_throttles_forever_stops_the_run_as_unavailable() {
    let endpoint = serve(|mut s| {
        read_request(&mut s);
        THROTTLED_REQUESTS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let _ = write!(
            s,
            "HTTP/1.1 429 Too Many Requests\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
        );
    });
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("r.json");
    let o = conform(
        &[
            &ARGS[..],
            &["2", "--endpoint", &endpoint, "--max-time", "10m"],
        ]
        .concat(),
        &json,
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(
        o.status.code(),
        Some(3),
        "a persistently throttling target stops the run like an unreachable one: {stderr}"
    );
    assert!(
        stderr.contains(
            "stopped early: the target is throttling or unavailable (20 answers in a row"
        ),
        "{stderr}"
    );
    let r = report(&json);
    assert_eq!(r["interrupted"], true, "{r}");
    assert_eq!(r["stopped"]["reason"], "unavailable", "{r}");
    assert_eq!(r["stopped"]["status"], 429, "{r}");
    // The account service has 7 operations, each probed twice with 3 retries: without the stop, the probes alone
    // would be 56 requests, and the single requests hundreds more.
    let sent = THROTTLED_REQUESTS.load(std::sync::atomic::Ordering::SeqCst);
    assert!(
        sent < 40,
        "{sent} requests: the run went on after the target was found throttling"
    );
    for result in r["results"].as_array().unwrap() {
        assert!(
            result["shrunk"].is_null(),
            "a failure throttling caused is not shrunk: {result}"
        );
    }
}

#[test]
fn max_time_cuts_a_run_short_even_when_the_target_asks_to_wait_a_day() {
    // Retry-After of more than a day, on every answer: each wait before a retry ends with --max-time.
    let endpoint = serve(|mut s| {
        read_request(&mut s);
        let _ = write!(
            s,
            "HTTP/1.1 503 Service Unavailable\r\nretry-after: 99999\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
        );
    });
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("r.json");
    let junit = dir.path().join("r.xml");
    let o = conform(
        &[
            &ARGS[..],
            &[
                "2",
                "--endpoint",
                &endpoint,
                "--max-time",
                "1s",
                "--junit",
                junit.to_str().unwrap(),
            ],
        ]
        .concat(),
        &json,
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(
        o.status.code(),
        Some(5),
        "a run cut short is no pass and no plain deviation: {stderr}"
    );
    assert!(
        stderr.contains("cut short: --max-time 1s passed before every case ran"),
        "{stderr}"
    );
    let r = report(&json);
    assert_eq!(r["stopped"]["reason"], "max-time", "{r}");
    assert_eq!(r["stopped"]["limit_ms"], 1000, "{r}");
    assert!(
        r["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().starts_with("cut short")),
        "{r}"
    );
    let xml = std::fs::read_to_string(&junit).expect("the JUnit report is written");
    assert!(xml.trim_end().ends_with("</testsuites>"), "{xml}");
}

/// Reads a whole request (head, and the body its Content-Length announces) and returns it as text.
fn read_whole_request(stream: &mut TcpStream) -> String {
    stream
        .set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 65536];
    while let Ok(n) = stream.read(&mut buf) {
        if n == 0 {
            break;
        }
        seen.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&seen).to_string();
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if seen.len() >= end + 4 + length {
                break;
            }
        }
    }
    String::from_utf8_lossy(&seen).to_string()
}

/// Flask's generic 500 page, which moto sends both for an action it lacks and for a crash.
fn bare_500(s: &mut TcpStream) {
    let body = "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server \
                Error</h1>";
    let _ = write!(
        s,
        "HTTP/1.1 500 INTERNAL SERVER ERROR\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\n\
         connection: close\r\n\r\n{body}",
        body.len()
    );
}

fn probe_run(endpoint: &str, json: &std::path::Path) -> Output {
    conform(
        &[
            "run",
            "--service",
            "account",
            "--operation",
            "GetAlternateContact",
            "--kind",
            "valid",
            "--cases",
            "0",
            "--timeout",
            "2",
            "--retries",
            "0",
            "--endpoint",
            endpoint,
        ],
        json,
    )
}

#[test]
fn a_bare_500_page_to_every_request_is_a_crash_or_a_missing_operation_never_just_missing() {
    let endpoint = serve(|mut s| {
        read_whole_request(&mut s);
        bare_500(&mut s);
    });
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("r.json");
    let o = probe_run(&endpoint, &json);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let r = report(&json);
    // The two probes, then the smallest and the fullest valid requests (AccountId absent, then present).
    let ids: Vec<&str> = r["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 4, "{ids:?}");
    assert!(
        ids.contains(&"GetAlternateContact-valid-optional-combo-0")
            && ids.contains(&"GetAlternateContact-valid-optional-combo-1"),
        "{ids:?}"
    );
    assert_eq!(
        r["summary"]["not_implemented"]["crash_or_missing"],
        serde_json::json!(["account.GetAlternateContact"])
    );
    assert_eq!(
        r["summary"]["not_implemented"]["operations"],
        serde_json::json!([])
    );
    let row = &r["matrix"]["services"]["account"]["operations"]["GetAlternateContact"];
    assert_eq!(row["implemented"], false, "{row}");
    assert_eq!(row["crash_or_missing"], true, "{row}");
    let message = r["results"][0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "implemented")
        .expect("the implemented check")["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.contains("crashes on every valid request, or is not implemented (cannot tell"),
        "{message}"
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains(
            "0 operation(s) not implemented, 1 crashing on every valid request or not implemented"
        ),
        "{stderr}"
    );
}

#[test]
fn an_operation_that_crashes_on_some_valid_requests_is_tested_not_left_out() {
    // Crashes (the bare 500 page) unless the request names the fixture's member account: the first probe names
    // none, the second the unknown one, the smallest request none; the fullest names it.
    let endpoint = serve(|mut s| {
        let request = read_whole_request(&mut s);
        if !request.contains("123456789012") {
            bare_500(&mut s);
        } else {
            let body = "{\"AlternateContact\":{}}";
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("r.json");
    let o = probe_run(&endpoint, &json);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let r = report(&json);
    let results = r["results"].as_array().unwrap();
    assert!(
        results.iter().all(|r| r["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["check"] != "implemented")),
        "nothing says the operation is missing: {results:#?}"
    );
    assert!(
        r["summary"]["not_implemented"].is_null(),
        "{}",
        r["summary"]
    );
    let row = &r["matrix"]["services"]["account"]["operations"]["GetAlternateContact"];
    assert_eq!(row["implemented"], true, "{row}");
    // Both probes and the smallest request met the crash (so that, without the fullest request, it would have
    // been left out); the fullest request was answered.
    assert_eq!(results[0]["actual"]["status"], 500, "{:#}", results[0]);
    assert_eq!(results[1]["actual"]["status"], 500, "{:#}", results[1]);
    for (i, id, status) in [
        (2, "GetAlternateContact-valid-optional-combo-0", 500),
        (3, "GetAlternateContact-valid-optional-combo-1", 200),
    ] {
        assert_eq!(results[i]["id"], id, "{:#}", results[i]);
        assert_eq!(results[i]["actual"]["status"], status, "{:#}", results[i]);
    }
    // Its cases all ran, and its 500s are deviations of their own.
    assert!(results.len() > 4, "{}", results.len());
    assert!(
        results
            .iter()
            .any(|r| r["actual"]["status"] == 500 && r["deviation"] == true),
        "{results:#?}"
    );
}
