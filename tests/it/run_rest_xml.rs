//! `conform run` over restXml services from the published models (Route 53 whole, a selection of S3) against the
//! embedded target, which serves them from the model: with no fault switched on, no case deviates, every case gets
//! an answer, and none is left uncertain.

use std::process::{Command, Output};

fn conform(args: &[&str]) -> Output {
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

/// Runs operations of a restXml service (all of them when none is named) and returns the JSON report.
fn run(service: &str, operations: &[&str], cases: &str) -> serde_json::Value {
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

/// No deviation, no error, nothing uncertain; every named operation (every operation of the report when none is
/// named) has passing cases, and the malformations of restXml were among them.
fn check_clean(report: &serde_json::Value, operations: &[&str], min_operations: usize) {
    let summary = &report["summary"];
    let results = report["results"].as_array().unwrap();
    let failing: Vec<String> = results
        .iter()
        .filter(|r| r["deviation"] == true || r["error"] == true || r["uncertain"] == true)
        .take(5)
        .map(|r| r.to_string())
        .collect();
    assert_eq!(summary["failed"], 0, "{failing:?}");
    assert_eq!(summary["errors"], 0, "{failing:?}");
    assert_eq!(summary["uncertain"], 0, "{failing:?}");
    let counts = summary["operations"].as_object().unwrap();
    assert!(counts.len() >= min_operations, "{summary}");
    for (op, counts) in counts {
        assert!(
            counts["passed"].as_u64().unwrap_or(0) > 0,
            "no case of {op} passed: {summary}"
        );
    }
    for op in operations {
        assert!(counts.contains_key(*op), "no case of {op}: {summary}");
    }
    let classes: Vec<&str> = results
        .iter()
        .filter_map(|r| r["mutation"]["class"].as_str())
        .collect();
    for class in [
        "body-not-xml",
        "root-wrong",
        "method-unknown",
        "type-number",
    ] {
        assert!(classes.contains(&class), "no {class} case: {classes:?}");
    }
}

#[test]
fn the_embedded_target_serves_route_53_cleanly() {
    let report = run("route53", &[], "1");
    check_clean(&report, &[], 70);
}

#[test]
fn the_embedded_target_serves_a_selection_of_s3_cleanly() {
    // Attributes and prefixed namespaces (PutBucketAcl), a text payload (PutBucketPolicy), flattened lists
    // (DeleteObjects, CompleteMultipartUpload), query-bound listing (ListObjectsV2) and an operation that shares its
    // method and path with three others (UploadPartCopy), and a HEAD whose errors have no body (HeadObject).
    let ops = [
        "PutBucketAcl",
        "PutBucketPolicy",
        "DeleteObjects",
        "CompleteMultipartUpload",
        "ListObjectsV2",
        "UploadPartCopy",
        "HeadObject",
    ];
    let report = run("s3", &ops, "2");
    check_clean(&report, &ops, ops.len());
}
