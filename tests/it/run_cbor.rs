//! `conform run` over rpcv2Cbor services from the published models against the embedded target, which serves them
//! from the model: with no fault switched on, no case deviates and every case gets an answer. CBOR is these
//! services' default protocol (the first of their list that conform speaks), and the requests are CBOR. botocore's
//! own CBOR client, pointed at `conform serve`, reads the embedded target's answers and errors.

use std::process::{Command, Output};

use super::run_query::{conform, run};

fn needs_models(o: &Output) {
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        !stderr.contains("botocore") || o.status.code() == Some(0),
        "botocore's models are needed (run scripts/test.sh, which installs them into .venv): {stderr}"
    );
}

fn check_clean(report: &serde_json::Value, operations: &[&str]) {
    let summary = &report["summary"];
    let results = report["results"].as_array().unwrap();
    let failing: Vec<String> = results
        .iter()
        .filter(|r| r["deviation"] == true || r["error"] == true)
        .take(5)
        .map(|r| r.to_string())
        .collect();
    assert_eq!(summary["failed"], 0, "{failing:?}");
    assert_eq!(summary["errors"], 0, "{failing:?}");
    let unanswered: Vec<&serde_json::Value> = results
        .iter()
        .filter(|r| r["actual"]["status"].is_null())
        .take(3)
        .collect();
    assert!(
        unanswered.is_empty(),
        "cases without an answer: {unanswered:?}"
    );
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

/// The protocol malformation classes among a report's cases.
fn malformed_classes(report: &serde_json::Value) -> Vec<String> {
    let mut classes: Vec<String> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["kind"] == "malformed")
        .filter_map(|r| r["mutation"]["class"].as_str())
        .map(str::to_string)
        .collect();
    classes.sort();
    classes.dedup();
    classes
}

#[test]
fn cbor_first_services_default_to_cbor_requests() {
    let o = conform(&[
        "gen",
        "--service",
        "translate",
        "--operation",
        "ListTerminologies",
        "--kind",
        "valid",
        "--cases",
        "1",
    ]);
    needs_models(&o);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let stdout = String::from_utf8_lossy(&o.stdout);
    let first: serde_json::Value =
        serde_json::from_str(stdout.lines().next().expect("a case")).unwrap();
    let request = first["request"].to_string();
    assert!(
        request.contains("/service/AWSShineFrontendService_20170701/operation/ListTerminologies"),
        "{request}"
    );
    assert!(request.contains("rpc-v2-cbor"), "{request}");
    // `--protocol` still chooses JSON.
    let o = conform(&[
        "gen",
        "--service",
        "translate",
        "--protocol",
        "awsJson1_1",
        "--operation",
        "ListTerminologies",
        "--kind",
        "valid",
        "--cases",
        "1",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("x-amz-target"));
}

#[test]
fn the_embedded_target_serves_an_aws_query_compatible_cbor_service_cleanly() {
    let ops = ["PutMetricData", "DescribeAlarms", "GetMetricStatistics"];
    let report = run("cloudwatch", &ops, "2");
    check_clean(&report, &ops);
    let classes = malformed_classes(&report);
    for class in [
        "body-not-cbor",
        "body-array",
        "operation-unknown",
        "protocol-header-missing",
    ] {
        assert!(
            classes.iter().any(|c| c == class),
            "no {class} case among {classes:?}"
        );
    }
}

#[test]
fn the_embedded_target_serves_cbor_services_cleanly() {
    let ops = ["TranslateText", "ListTerminologies"];
    let report = run("translate", &ops, "2");
    check_clean(&report, &ops);
    let ops = ["CreateProject", "BatchGetBuilds"];
    let report = run("codebuild", &ops, "2");
    check_clean(&report, &ops);
}

/// botocore's own rpcv2Cbor client (its serializer and `RpcV2CBORParser`, chosen over JSON, which botocore 1.44
/// prefers), against the embedded target: successes parse, and errors come back with their type, message and, on
/// CloudWatch (awsQuery-compatible), the query code of `x-amzn-query-error`.
const BOTOCORE_CLIENT: &str = r#"
import datetime, sys
import botocore.model, botocore.session, botocore.exceptions
from botocore.config import Config
botocore.model.PRIORITY_ORDERED_SUPPORTED_PROTOCOLS = ("smithy-rpc-v2-cbor",) + tuple(
    p for p in botocore.model.PRIORITY_ORDERED_SUPPORTED_PROTOCOLS if p != "smithy-rpc-v2-cbor")
session = botocore.session.get_session()
def client(name, **config):
    return session.create_client(name, endpoint_url=sys.argv[1], region_name="us-east-1",
        aws_access_key_id="AKIAIOSFODNN7EXAMPLE", aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        config=Config(retries={"max_attempts": 1}, **config))
cw = client("cloudwatch")
assert cw.meta.service_model.resolved_protocol == "smithy-rpc-v2-cbor", cw.meta.service_model.resolved_protocol
sent = []
cw.meta.events.register("before-send", lambda request, **_: sent.append(request))
assert cw.list_metrics(Namespace="AWS/EC2")["ResponseMetadata"]["HTTPStatusCode"] == 200
assert sent[-1].url.endswith("/service/GraniteServiceVersion20100801/operation/ListMetrics"), sent[-1].url
assert sent[-1].headers["smithy-protocol"] == b"rpc-v2-cbor"
cw.put_metric_data(Namespace="Conform", MetricData=[
    {"MetricName": "m", "Value": 1.5, "Timestamp": datetime.datetime(2024, 1, 2, 3, 4, 5, 250000)}])
def error(call, **kwargs):
    try:
        call(**kwargs)
    except botocore.exceptions.ClientError as e:
        return e.response["Error"], e.response["ResponseMetadata"]["HTTPStatusCode"]
    raise AssertionError("no error")
unchecked = client("cloudwatch", parameter_validation=False)
found, status = error(unchecked.describe_alarms, MaxRecords=0)
assert status == 400 and found["Code"] == "ValidationError" and found["QueryErrorCode"] == "ValidationException", found
assert "at 'maxRecords' failed to satisfy constraint" in found["Message"], found
tr = client("translate")
assert isinstance(tr.translate_text(Text="hello", SourceLanguageCode="en", TargetLanguageCode="fr")["TranslatedText"], str)
found, status = error(client("translate", parameter_validation=False).translate_text, Text="", SourceLanguageCode="en")
assert status == 400 and found["Code"] == "ValidationException", found
assert "Value null at 'targetLanguageCode' failed to satisfy constraint: Member must not be null" in found["Message"], found
print("botocore cbor client ok")
"#;

#[test]
fn botocore_s_cbor_client_talks_to_the_embedded_target() {
    let models = conform::frontend::botocore::Models::locate(None, None).unwrap_or_else(|e| {
        panic!(
            "failed to find botocore's models: {e}; {}",
            super::protocol_differential::NEEDS_BOTOCORE
        )
    });
    let (python, pythonpath) = super::protocol_differential::python_with_botocore(&models.root);
    let (mut child, endpoint) = crate::serve_support::serve_process(
        &["--service", "cloudwatch", "--service", "translate"],
        &[],
    );
    let mut script = Command::new(&python);
    script.args(["-c", BOTOCORE_CLIENT, &endpoint]);
    if let Some(path) = &pythonpath {
        script.env("PYTHONPATH", path);
    }
    let o = script
        .env_remove("AWS_PROFILE")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output();
    let _ = child.kill();
    let _ = child.wait();
    let o = o.expect("failed to run botocore's Python");
    assert!(
        o.status.success()
            && String::from_utf8_lossy(&o.stdout).contains("botocore cbor client ok"),
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}
