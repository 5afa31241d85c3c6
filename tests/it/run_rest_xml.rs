//! `conform run` over restXml services from the published models (Route 53 whole, a selection of S3) against the
//! embedded target, which serves them from the model: with no fault switched on, no case deviates, every case gets
//! an answer, and none is left uncertain.

use super::run_query::run;

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
    // PutBucketCors's required flattened CORSRules must be drawn with an item (XML cannot carry an empty one), and
    // it and PutBucketTagging carry the checksum headers the embedded target checks.
    let ops = [
        "PutBucketCors",
        "PutBucketTagging",
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
    let results = report["results"].as_array().unwrap();
    let valid_cors = results
        .iter()
        .filter(|r| r["operation"] == "PutBucketCors" && r["kind"] == "valid")
        .count();
    assert!(valid_cors > 0, "PutBucketCors has no valid case");
    // A checksum of other bytes than the body is refused (BadDigest), on every operation that sends one.
    for op in [
        "PutBucketCors",
        "PutBucketTagging",
        "PutBucketAcl",
        "DeleteObjects",
    ] {
        assert!(
            results.iter().any(|r| r["operation"] == op
                && r["mutation"]["class"] == "checksum-mismatch"
                && r["passed"] == true),
            "no passing checksum-mismatch case of {op}"
        );
    }
}
