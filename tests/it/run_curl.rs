//! The printed curl of a deviation reproduces it: run as printed (curl re-signs it with `--aws-sigv4` and the
//! credentials in the environment), it gets the same status and error type as the case did.

use std::process::Command;

use crate::serve_support::*;
use conform::credentials::{TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY};
use serde_json::Value;

/// Fails with what to do when this machine's curl cannot sign (`--aws-sigv4` came with curl 7.75).
fn require_curl_with_sigv4() {
    let version = Command::new("curl")
        .arg("--version")
        .output()
        .unwrap_or_else(|e| {
            panic!("this test runs the printed curl commands: install curl 7.75 or later ({e})")
        });
    let text = String::from_utf8_lossy(&version.stdout);
    let numbers: Vec<u32> = text
        .split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .split('.')
        .filter_map(|n| n.parse().ok())
        .collect();
    assert!(
        numbers.len() >= 2 && (numbers[0], numbers[1]) >= (7, 75),
        "this test needs curl 7.75 or later (for --aws-sigv4), found: {}; install a newer curl",
        text.lines().next().unwrap_or_default()
    );
}

/// The bare error type of a `curl -i` answer: `x-amzn-errortype`, else the body's `__type` or `code`.
fn error_type(headers: &str, body: &str) -> Option<String> {
    let raw = headers
        .lines()
        .find_map(|l| {
            l.split_once(':')
                .filter(|(n, _)| n.trim().eq_ignore_ascii_case("x-amzn-errortype"))
                .map(|(_, v)| v.trim().to_string())
        })
        .or_else(|| {
            let json: Value = serde_json::from_str(body).ok()?;
            json.get("__type")
                .or_else(|| json.get("code"))?
                .as_str()
                .map(str::to_string)
        })?;
    let cut = raw.split(':').next().unwrap_or_default();
    Some(cut.rsplit('#').next().unwrap_or_default().to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_printed_curl_of_a_deviation_gets_the_same_status_and_error_type() {
    require_curl_with_sigv4();
    // Validation answered 500: every invalid case of both protocols deviates, whatever the target's state.
    let t = start(&["validation-status-500"]).await;
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("r.json");
    let run = tokio::process::Command::new(env!("CARGO_BIN_EXE_conform"))
        .args(["run", "--endpoint", &t.endpoint(), "--kind", "invalid"])
        .args(["--cases", "0", "--no-shrink", "--json"])
        .arg(&json)
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("NO_COLOR", "1")
        .output()
        .await
        .unwrap();
    assert_eq!(
        run.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let mut tried = std::collections::BTreeMap::<String, usize>::new();
    for result in report["results"].as_array().unwrap() {
        let curl = result["reproduce"]["curl"].as_str().unwrap_or_default();
        let id = result["id"].as_str().unwrap_or_default();
        let operation = result["operation"].as_str().unwrap().to_string();
        if result["passed"] == true
            || result["actual"]["status"].is_null()
            || curl.starts_with('#')
            || tried.get(&operation).is_some_and(|n| *n >= 3)
        {
            continue;
        }
        *tried.entry(operation.clone()).or_default() += 1;
        // As a user would: the printed command in a shell, the credentials in the environment; `-s -i` added to
        // read the answer.
        let out = tokio::process::Command::new("sh")
            .arg("-c")
            .arg(format!("{curl} -s -i"))
            .env("AWS_ACCESS_KEY_ID", TEST_ACCESS_KEY_ID)
            .env("AWS_SECRET_ACCESS_KEY", TEST_SECRET_ACCESS_KEY)
            .output()
            .await
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n");
        let (head, body) = text.split_once("\n\n").unwrap_or((&text, ""));
        let status: u16 = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("{id}: no answer to\n{curl}\n{text}"));
        assert_eq!(
            (status, error_type(head, body)),
            (
                result["actual"]["status"].as_u64().unwrap() as u16,
                result["actual"]["error_type"].as_str().map(str::to_string)
            ),
            "{id}: the printed curl answers otherwise than the case:\n{curl}\n{text}"
        );
    }
    for operation in ["PutAlternateContact", "UpdatePrimaryEmailAddress"] {
        assert!(
            tried.get(operation).is_some_and(|n| *n > 0),
            "no deviation of {operation} was reproduced: {tried:?}"
        );
    }
    t.shutdown().await;
}
