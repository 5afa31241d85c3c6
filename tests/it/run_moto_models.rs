//! `conform run` against a real moto server over services no spec file describes, loaded from AWS's published
//! models (botocore, in the test environment): one read operation of each of DynamoDB, Lambda, KMS, SSM, Secrets
//! Manager, CloudWatch Logs, EventBridge and Step Functions. The run completes without tool errors and matches
//! tests/moto-models-baseline.toml exactly: a new kind of deviation, or a known one that disappears, fails this test.
//! docs/moto-report.md describes the kinds found.
//!
//! To rewrite the baseline after a deliberate change: run the same command with `--update-baseline` against a fresh
//! moto (`.venv/bin/moto_server -p 5000`), and say in docs/moto-report.md what changed.

use std::process::Command;

use crate::moto::Moto;

/// Services and operations: read operations, so that the state moto starts with decides every answer.
const SELECTION: [(&str, &str); 8] = [
    ("dynamodb", "DescribeTable"),
    ("lambda", "GetFunction"),
    ("kms", "ListKeys"),
    ("ssm", "GetParameter"),
    ("secretsmanager", "ListSecrets"),
    ("logs", "DescribeLogGroups"),
    ("events", "ListRules"),
    ("stepfunctions", "ListStateMachines"),
];

/// Runs `selection` against a fresh moto with `baseline` and returns the JSON report, after checking that the run
/// matches the baseline exactly, that moto answered every request, and that every operation ran more than
/// `min_cases` cases (an operation moto lacks runs its two probes only).
fn run_against_baseline(
    selection: &[(&str, &str)],
    baseline: &str,
    min_cases: u64,
) -> serde_json::Value {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("moto.json");
    let baseline = format!("{}/tests/{baseline}", env!("CARGO_MANIFEST_DIR"));
    let mut args: Vec<&str> = Vec::new();
    for (service, operation) in selection {
        args.extend(["--service", service, "--operation", operation]);
    }
    let o = Command::new(env!("CARGO_BIN_EXE_conform"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "run",
            "--endpoint",
            &moto.endpoint,
            "--seed",
            "0",
            "--cases",
            "0",
        ])
        // One at a time: the order of the cases, and so moto's state for each, is the same in every run.
        .args(["--no-shrink", "--concurrency", "1", "--baseline", &baseline])
        .args(&args)
        .args(["--json", json.to_str().unwrap()])
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("CONFORM_SPECS")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(
        o.status.code(),
        Some(0),
        "a deviation outside {baseline} (or a run error):\n{}",
        &stderr[stderr.len().saturating_sub(6000)..]
    );
    assert!(
        !stderr.contains("no longer seen"),
        "a known moto deviation disappeared; update {baseline} and docs/moto-report.md:\n{stderr}"
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let summary = &report["summary"];
    assert_eq!(
        summary["errors"], 0,
        "moto answered every request: {summary}"
    );
    for (service, operation) in selection {
        // An operation moto lacks ran its probes, which the summary counts apart from the cases.
        let key = serde_json::json!(format!("{service}.{operation}"));
        let left_out = ["operations", "crash_or_missing"].iter().any(|set| {
            summary["not_implemented"][set]
                .as_array()
                .is_some_and(|ops| ops.contains(&key))
        });
        if left_out {
            assert!(summary["not_implemented"]["probes"].as_u64().unwrap() > 0);
            continue;
        }
        let counts = &summary["operations"][operation];
        let ran: u64 = ["passed", "failed", "uncertain"]
            .iter()
            .map(|k| counts[k].as_u64().unwrap_or(0))
            .sum();
        assert!(ran > min_cases, "{operation} ran: {counts}");
    }
    report
}

#[test]
fn moto_over_services_of_the_published_models_deviates_as_its_baseline_says() {
    let report = run_against_baseline(&SELECTION, "moto-models-baseline.toml", 10);
    let results = report["results"].as_array().unwrap();
    let find = |id: &str| {
        results
            .iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("case {id} did not run"))
    };
    // moto's DynamoDB answers with application/json, not the protocol's application/x-amz-json-1.0.
    let describe = find("DescribeTable-valid-boundary-min-TableName-0");
    assert!(
        describe["checks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["check"] == "content-type" && c["passed"] == false),
        "{describe}"
    );
    // A missing required member is a crash (500, an HTML page), not a ValidationException.
    let missing = find("DescribeTable-invalid-missing-required-TableName-0");
    assert_eq!(missing["actual"]["status"], 500, "{missing}");
    assert_eq!(missing["deviation"], true);
}

/// Read operations of services of the other protocols: awsQuery (SNS, IAM, STS), ec2Query (EC2), restXml (S3,
/// Route 53) and rpcv2Cbor (CloudWatch, which lists it first), against moto, held to
/// tests/moto-protocols-baseline.toml.
const PROTOCOL_SELECTION: [(&str, &str); 7] = [
    ("sns", "ListTopics"),
    ("iam", "ListUsers"),
    ("sts", "GetCallerIdentity"),
    ("ec2", "DescribeVpcs"),
    ("s3", "ListBuckets"),
    ("route53", "ListHostedZones"),
    ("cloudwatch", "DescribeAlarms"),
];

#[test]
fn moto_over_the_query_xml_and_cbor_protocols_deviates_as_its_baseline_says() {
    let report = run_against_baseline(&PROTOCOL_SELECTION, "moto-protocols-baseline.toml", 1);
    // moto does not speak rpcv2Cbor, CloudWatch's first protocol (botocore 1.44 still sends JSON): its answer
    // to every request is a 404 page, so the operation shows as one moto lacks.
    let alarms = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["operation"] == "DescribeAlarms")
        .expect("DescribeAlarms ran");
    assert_eq!(alarms["actual"]["status"], 404, "{alarms}");
    assert!(
        alarms["checks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["check"] == "implemented" && c["passed"] == false),
        "{alarms}"
    );
    let protocols: std::collections::BTreeSet<&str> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["reproduce"]["curl"].as_str())
        .filter_map(|curl| {
            [
                ("application/x-www-form-urlencoded", "query"),
                ("smithy-protocol: rpc-v2-cbor", "cbor"),
                ("/hostedzone", "restXml"),
            ]
            .into_iter()
            .find(|(marker, _)| curl.contains(marker))
            .map(|(_, protocol)| protocol)
        })
        .collect();
    assert_eq!(
        protocols,
        ["cbor", "query", "restXml"].into_iter().collect(),
        "each protocol was spoken"
    );
}
