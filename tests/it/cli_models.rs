//! AWS's published models on the command line: `--models`, `CONFORM_MODELS`, finding an installed botocore, and
//! `spec list|show`, `gen`, `run` and `serve` over services no spec file describes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use conform::frontend::botocore::Models;

/// A small awsJson1_1 model written for these tests (two operations, a pattern, a range, a list).
fn widgets() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/models")
}

fn conform(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_conform"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("CONFORM_SPECS")
        .env_remove("CONFORM_MODELS")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_REGION")
        .env("NO_COLOR", "1")
        .output()
        .expect("the conform binary runs")
}

/// conform with no way to find botocore: no flag, no variable, no `.venv` in its directory, no python3 on PATH.
pub(super) fn conform_without_models(args: &[&str]) -> Output {
    let empty = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_conform"))
        .args(args)
        .current_dir(empty.path())
        .env_remove("CONFORM_SPECS")
        .env_remove("CONFORM_MODELS")
        .env_remove("AWS_ENDPOINT_URL")
        .env("PATH", empty.path())
        .env("NO_COLOR", "1")
        .output()
        .expect("the conform binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// botocore's models from the test environment (scripts/test.sh installs them into .venv).
fn botocore_models() -> PathBuf {
    match Models::locate(None, std::env::var_os("CONFORM_MODELS").as_deref()) {
        Ok(models) => models.root,
        Err(e) => panic!(
            "{e}\n(this test needs botocore's models: run scripts/test.sh, which installs them into .venv)"
        ),
    }
}

#[test]
fn a_service_of_the_models_runs_clean_on_the_embedded_target() {
    let models = widgets();
    let o = conform(&[
        "--models",
        models.to_str().unwrap(),
        "run",
        "--service",
        "widgets",
    ]);
    let out = format!("{}{}", text(&o.stdout), text(&o.stderr));
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.contains("CreateWidget") && out.contains("GetWidget"),
        "{out}"
    );
    assert!(out.contains(" 0 failed"), "{out}");
}

#[test]
fn generic_faults_of_the_embedded_target_apply_to_a_service_of_the_models() {
    let models = widgets();
    for fault in [
        "skip-pattern",
        "skip-length",
        "skip-required",
        "validation-status-500",
    ] {
        let o = conform(&[
            "--models",
            models.to_str().unwrap(),
            "run",
            "--service",
            "widgets",
            "--no-shrink",
            "--embedded-fault",
            fault,
        ]);
        assert_eq!(
            o.status.code(),
            Some(1),
            "{fault} must be found: {}",
            text(&o.stdout)
        );
    }
}

#[test]
fn gen_names_the_service_and_protocol_and_prints_the_typed_input() {
    let models = widgets();
    let o = conform(&[
        "--models",
        models.to_str().unwrap(),
        "gen",
        "--service",
        "widgets",
        "--operation",
        "CreateWidget",
        "--kind",
        "valid",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    let mut seen = 0;
    for line in out.lines() {
        let case: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(case["service"], "widgets");
        assert_eq!(case["protocol"], "awsJson1_1");
        assert_eq!(
            case["request"]["headers"]["x-amz-target"],
            "Widgets_20200101.CreateWidget"
        );
        let name = case["input"]["Name"].as_str().expect("Name is required");
        assert!((3..=20).contains(&name.chars().count()), "{name}");
        let body: serde_json::Value =
            serde_json::from_str(case["request"]["body"].as_str().unwrap()).unwrap();
        assert_eq!(
            body["Name"], case["input"]["Name"],
            "the body encodes the input"
        );
        seen += 1;
    }
    assert!(seen > 3, "{out}");
}

#[test]
fn spec_list_names_every_service_of_the_models_with_protocol_and_count() {
    let models = botocore_models();
    let o = conform(&["--models", models.to_str().unwrap(), "spec", "list"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    let (_, out) = out
        .split_once("Services of AWS's published models")
        .unwrap_or_else(|| panic!("no models section in:\n{out}"));
    let out = out.to_string();
    let row = |name: &str| {
        out.lines()
            .find(|l| l.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("no row for {name} in:\n{out}"))
            .split_whitespace()
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let dynamodb = row("dynamodb");
    assert_eq!(dynamodb[1], "awsJson1_0", "{dynamodb:?}");
    assert!(dynamodb[2].parse::<usize>().unwrap() > 50, "{dynamodb:?}");
    assert_eq!(
        row("account")[1],
        "(spec",
        "the spec file's service is marked"
    );
    let total = Models::open(&models).unwrap().files.len();
    assert!(
        out.contains(&format!("\n{total} services, ")),
        "{total} services in all:\n{}",
        &out[out.len().saturating_sub(300)..]
    );
}

#[test]
fn spec_show_explains_any_operation_of_the_models() {
    let models = botocore_models();
    let o = conform(&[
        "--models",
        models.to_str().unwrap(),
        "spec",
        "show",
        "--service",
        "dynamodb",
        "putitem",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(
        out.starts_with("PutItem (Amazon DynamoDB, awsJson1_0"),
        "{out}"
    );
    assert!(out.contains("TableName"), "{out}");
    assert!(out.contains("ConditionalCheckFailedException"), "{out}");

    let o = conform(&[
        "--models",
        models.to_str().unwrap(),
        "spec",
        "show",
        "PutItem",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("conform spec show --service dynamodb PutItem"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn models_that_cannot_be_found_or_read_are_usage_errors_that_say_what_to_do() {
    let o = conform(&[
        "--models",
        "/no/such/models",
        "gen",
        "--service",
        "dynamodb",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(err.contains("/no/such/models"), "{err}");

    let broken = tempfile::tempdir().unwrap();
    let dir = broken.path().join("broken/2020-01-01");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("service-2.json"), "{\"metadata\": [").unwrap();
    let o = conform(&[
        "--models",
        broken.path().to_str().unwrap(),
        "run",
        "--service",
        "broken",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(
        err.contains("service-2.json") && err.contains("broken"),
        "{err}"
    );

    let o = conform(&[
        "--models",
        widgets().to_str().unwrap(),
        "gen",
        "--service",
        "widget",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("did you mean `widgets`"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn without_any_models_the_spec_files_still_work_and_the_error_says_how_to_get_botocore() {
    let o = conform_without_models(&["spec", "list"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(out.contains("PutAlternateContact"), "{out}");
    assert!(out.contains("pip install botocore"), "{out}");

    let o = conform_without_models(&["gen", "--service", "dynamodb"]);
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(
        err.contains("`dynamodb`") && err.contains("pip install botocore"),
        "{err}"
    );
}

#[test]
fn the_models_variable_is_read_like_the_flag() {
    let o = Command::new(env!("CARGO_BIN_EXE_conform"))
        .args(["gen", "--service", "widgets", "--kind", "valid"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("CONFORM_SPECS")
        .env("CONFORM_MODELS", widgets())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("\"service\":\"widgets\""));
}

#[test]
fn the_spec_files_declare_every_output_member_the_published_model_has() {
    // A member the model has but a spec file lacks is reported as "unexpected" whenever a real target sends it.
    let specs = conform::spec::embedded_model().unwrap();
    let models = Models::open(botocore_models()).unwrap();
    let mut missing = Vec::new();
    for (name, spec_service) in &specs.services {
        let model_service = models.load(name).unwrap();
        for (op_name, op) in &spec_service.operations {
            let Some(model_op) = model_service.operations.get(op_name) else {
                missing.push(format!("{name}.{op_name}: not in the model"));
                continue;
            };
            let declared: Vec<&str> = spec_service
                .output_members(op)
                .iter()
                .map(|m| m.name.as_str())
                .collect();
            for member in model_service.output_members(model_op) {
                if !declared.contains(&member.name.as_str()) {
                    missing.push(format!("{name}.{op_name} output {}", member.name));
                }
            }
        }
    }
    assert!(missing.is_empty(), "{missing:#?}");
}

/// The false alarms the embedded sweep (`scripts/embedded-sweep.sh`) found over botocore's models stay fixed:
/// raw (blob or text) payloads under any media type (appconfig, apigateway), header values HTTP would strip
/// (chime-sdk-messaging's `x-amz-chime-bearer`), a header idempotency token one too long (deadline), a query value
/// too long for any URI (chime-sdk-voice), a pattern no value of its length matches (dataexchange: the
/// constraint is skipped with its reason, the operation runs), and a list one over a maximum of 100,000 items that
/// made a 35 MB body (frauddetector: the items are now the plainest ones).
#[test]
fn the_embedded_sweeps_false_alarms_stay_fixed() {
    let models = botocore_models();
    for (service, operation) in [
        ("appconfig", "CreateHostedConfigurationVersion"),
        ("apigateway", "ImportApiKeys"),
        ("chime-sdk-messaging", "SendChannelMessage"),
        ("deadline", "UpdateStep"),
        ("chime-sdk-voice", "ListPhoneNumberOrders"),
        ("dataexchange", "CreateJob"),
        ("frauddetector", "CreateList"),
    ] {
        let o = conform(&[
            "--models",
            models.to_str().unwrap(),
            "run",
            "--service",
            service,
            "--operation",
            operation,
            "--cases",
            "2",
            "--no-shrink",
        ]);
        let out = format!("{}{}", text(&o.stdout), text(&o.stderr));
        assert_eq!(o.status.code(), Some(0), "{service}.{operation}: {out}");
        assert!(
            out.contains(" 0 failed") && out.contains(" 0 errors"),
            "{service}.{operation}: {out}"
        );
    }
    let o = conform(&[
        "--models",
        models.to_str().unwrap(),
        "spec",
        "show",
        "--service",
        "dataexchange",
        "CreateJob",
    ]);
    let out = text(&o.stdout);
    assert!(
        out.contains("CatalogId: pattern .*/^[\\d]{12}$/.*")
            && out.contains("no string of length 12 to 12 matches it"),
        "{out}"
    );
}

/// The replay line of a case of a model's service names the service (and the protocol the run chose), so that it
/// finds the case again: without them, `conform replay` looks among the built-in specs and finds nothing.
#[test]
fn replay_lines_of_a_model_s_service_replay_the_case() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("r.json");
    let o = conform(&[
        "run",
        "--service",
        "cloudwatch",
        "--protocol",
        "awsJson1_0",
        "--operation",
        "ListDashboards",
        "--cases",
        "1",
        "--json",
        json.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let result = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "invalid")
        .expect("an invalid case");
    let line = result["reproduce"]["replay"].as_str().unwrap();
    assert!(
        line.contains(" --service cloudwatch") && line.contains(" --protocol awsJson1_0"),
        "{line}"
    );
    let args: Vec<&str> = line.split_whitespace().skip(1).collect();
    let o = conform(&args);
    let out = format!("{}{}", text(&o.stdout), text(&o.stderr));
    assert_eq!(o.status.code(), Some(0), "{line}: {out}");
    assert!(out.contains(result["id"].as_str().unwrap()), "{out}");
    // The JSON encoding the run chose, not CloudWatch's default CBOR.
    assert!(out.contains("x-amz-json-1.0"), "{out}");
}
