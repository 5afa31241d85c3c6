//! `conform run` against a real moto server (the pinned `moto[server]` that `scripts/test.sh` installs): the run
//! completes, finds the deviations documented in docs/moto-report.md, and matches tests/moto-baseline.toml exactly —
//! a new kind of deviation or a known one that disappears fails this test.

use std::process::Command;

use crate::moto::Moto;

const OPERATIONS: [&str; 6] = [
    "--operation",
    "PutAlternateContact",
    "--operation",
    "DeleteAlternateContact",
    "--operation",
    "GetAlternateContact",
];

#[test]
fn moto_deviates_as_documented_and_as_its_baseline_says() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("moto.json");
    let baseline = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/moto-baseline.toml");
    let o = Command::new(env!("CARGO_BIN_EXE_conform"))
        .args([
            "run",
            "--endpoint",
            &moto.endpoint,
            "--seed",
            "0",
            "--no-shrink",
            "--baseline",
            baseline,
        ])
        .args(OPERATIONS)
        .args(["--json", json.to_str().unwrap()])
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(
        o.status.code(),
        Some(0),
        "a deviation outside tests/moto-baseline.toml (or a run error):\n{}",
        &stderr[stderr.len().saturating_sub(6000)..]
    );
    assert!(
        !stderr.contains("no longer seen"),
        "a known moto deviation disappeared; update tests/moto-baseline.toml and docs/moto-report.md:\n{stderr}"
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let results = report["results"].as_array().unwrap();
    let summary = &report["summary"];
    assert_eq!(
        summary["errors"], 0,
        "moto answered every request: {summary}"
    );
    assert!(summary["failed"].as_u64().unwrap() > 100, "{summary}");

    let deviation = |id: &str| -> &serde_json::Value {
        results
            .iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("case {id} did not run"))
    };
    // Constraints not enforced: a Name of 65 characters is stored.
    let long_name = deviation("PutAlternateContact-invalid-length-max+1-Name-0");
    assert_eq!(
        (
            long_name["deviation"].as_bool(),
            long_name["actual"]["status"].as_u64()
        ),
        (Some(true), Some(200))
    );
    // A missing contact is 400 ResourceNotFoundException, where the model says 404.
    let missing = results
        .iter()
        .find(|r| {
            r["id"]
                .as_str()
                .unwrap()
                .starts_with("account-scenario-delete-then-get-")
        })
        .unwrap();
    assert_eq!(missing["actual"]["status"], 400, "{missing}");
    assert_eq!(missing["actual"]["error_type"], "ResourceNotFoundException");
    // Deleting a missing contact answers 200.
    let twice = results
        .iter()
        .find(|r| {
            r["id"]
                .as_str()
                .unwrap()
                .starts_with("account-scenario-delete-twice-")
        })
        .unwrap();
    assert!(
        twice["deviation"].as_bool().unwrap() && twice["actual"]["status"] == 200,
        "{twice}"
    );
    // Signatures are not verified.
    let bad_signature = deviation("PutAlternateContact-malformed-bad-signature-0");
    assert_eq!(bad_signature["actual"]["status"], 200);
    // A missing AlternateContactType is AccessDeniedException, not ValidationException.
    let no_type = deviation("PutAlternateContact-invalid-missing-required-AlternateContactType-0");
    assert_eq!(no_type["actual"]["error_type"], "AccessDeniedException");
}
