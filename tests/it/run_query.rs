//! `conform run` over awsQuery and ec2Query services from the published models against the embedded target, which
//! serves them from the model: with no fault switched on, no case deviates and every case gets an answer.

use std::process::{Command, Output};

/// conform as a process, from the repository, with nothing of the environment choosing specs, models or endpoint.
pub(super) fn conform(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_conform"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("CONFORM_SPECS")
        .env_remove("CONFORM_MODELS")
        .env_remove("AWS_ENDPOINT_URL")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("NO_COLOR", "1")
        .output()
        .expect("the conform binary runs")
}

/// Runs operations of a service of the models (every one when none is named) against the embedded target and
/// returns the JSON report; conform must exit 0.
pub(super) fn run(service: &str, operations: &[&str], cases: &str) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let mut args = vec!["run", "--service", service, "--cases", cases, "--no-shrink"];
    for op in operations {
        args.extend(["--operation", op]);
    }
    args.extend(["--json", report.to_str().unwrap()]);
    let o = conform(&args);
    let stderr = String::from_utf8_lossy(&o.stderr);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        !stderr.contains("botocore") || o.status.code() == Some(0),
        "botocore's models are needed (run scripts/test.sh, which installs them into .venv): {stderr}"
    );
    assert_eq!(o.status.code(), Some(0), "{stdout}\n{stderr}");
    serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap()
}

fn check_clean(report: &serde_json::Value, operations: &[&str]) {
    let summary = &report["summary"];
    let failing: Vec<String> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["deviation"] == true || r["error"] == true)
        .take(5)
        .map(|r| r.to_string())
        .collect();
    assert_eq!(summary["failed"], 0, "{failing:?}");
    assert_eq!(summary["errors"], 0, "{failing:?}");
    for op in operations {
        let counts = &summary["operations"][*op];
        assert!(
            counts["passed"].as_u64().unwrap_or(0) > 0,
            "no case of {op} passed: {summary}"
        );
    }
    let total = summary["total"].as_u64().unwrap();
    assert!(total >= 20 * operations.len() as u64, "{summary}");
}

#[test]
fn the_embedded_target_serves_an_aws_query_service_cleanly() {
    let ops = [
        "GetCallerIdentity",
        "AssumeRole",
        "DecodeAuthorizationMessage",
    ];
    let report = run("sts", &ops, "3");
    check_clean(&report, &ops);
}

#[test]
fn the_embedded_target_serves_an_ec2_query_service_cleanly() {
    let ops = ["DescribeInstances", "CreateTags", "RunInstances"];
    let report = run("ec2", &ops, "2");
    check_clean(&report, &ops);
}

/// Neptune and RDS share a signing name (`rds`), a protocol and their operations' names; AWS tells them apart by
/// host name, which the embedded target's one loopback port does not have. conform's client names the service to
/// its own target, so that both run clean side by side (before, a Neptune request was served as RDS: 4 deviations
/// and 26 uncertain cases over their valid requests).
#[test]
fn services_sharing_a_signing_name_and_routes_run_clean_side_by_side() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let o = conform(&[
        "run",
        "--service",
        "neptune",
        "--service",
        "rds",
        "--kind",
        "valid",
        "--cases",
        "0",
        "--operation",
        "DescribeDBClusters",
        "--operation",
        "CreateDBCluster",
        "--json",
        report.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let summary = &report["summary"];
    assert_eq!(summary["failed"], 0, "{summary}");
    assert_eq!(summary["uncertain"], 0, "{summary}");
    let services: std::collections::BTreeSet<&str> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["service"].as_str())
        .collect();
    assert_eq!(services, ["neptune", "rds"].into_iter().collect());
}
