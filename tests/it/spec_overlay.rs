//! Spec files that overlay a published model (`[service] model = "account"`): the merge, `spec check` against the
//! model, the spec file winning in generated cases, conform without any botocore, and `--protocol`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use conform::frontend::botocore::Models;
use serde_json::Value;

use super::cli_models::conform_without_models;

fn conform_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_conform"))
        .args(args)
        .current_dir(dir)
        .env_remove("CONFORM_SPECS")
        .env_remove("CONFORM_MODELS")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_REGION")
        .env("NO_COLOR", "1")
        .output()
        .expect("the conform binary runs")
}

fn conform(args: &[&str]) -> Output {
    conform_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// botocore's models from the test environment (scripts/test.sh installs them into .venv).
fn botocore_models() -> String {
    match Models::locate(None, std::env::var_os("CONFORM_MODELS").as_deref()) {
        Ok(models) => models.root.display().to_string(),
        Err(e) => panic!(
            "{e}\n(this test needs botocore's models: run scripts/test.sh, which installs them into .venv)"
        ),
    }
}

/// A spec directory holding specs/account.toml with `edit` applied (the text to replace must be there).
fn account_with(edits: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let mut text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("specs/account.toml"))
            .unwrap();
    for (from, to) in edits {
        assert!(text.contains(from), "specs/account.toml has no {from:?}");
        text = text.replacen(from, to, 1);
    }
    let file = dir.path().join("account.toml");
    std::fs::write(&file, text).unwrap();
    (dir, file)
}

/// The Name shape of account.toml with max_length 60 where the seed document and the model say 64.
const NAME_64: &str = "name = \"Name\"\ntype = \"string\"\nmin_length = 1\nmax_length = 64";
const NAME_60: &str = "name = \"Name\"\ntype = \"string\"\nmin_length = 1\nmax_length = 60";

#[test]
fn an_overlaid_service_has_the_models_other_operations_and_the_spec_files_rules() {
    let models = botocore_models();
    let o = conform(&["--models", &models, "spec", "list", "--service", "account"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let list = out(&o);
    let role = |op: &str| {
        list.lines()
            .find(|l| l.split_whitespace().nth(2) == Some(op))
            .and_then(|l| l.split_whitespace().nth(3).map(str::to_string))
            .unwrap_or_else(|| panic!("{op} missing:\n{list}"))
    };
    assert_eq!(role("PutAlternateContact"), "seed");
    assert_eq!(role("GetAlternateContact"), "companion");
    assert_eq!(role("ListRegions"), "imported");
    assert_eq!(role("PutContactInformation"), "imported");
    // The spec file's scenarios come along.
    assert!(list.contains("account scenarios: "), "{list}");

    // Without --service, the model operation of an overlaid service is found too, with its source.
    let o = conform(&["--models", &models, "spec", "show", "ListRegions"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let show = out(&o);
    assert!(show.contains("role: imported"), "{show}");
    assert!(
        show.contains("overlays the model botocore account/"),
        "{show}"
    );
    // The seed operations: every constraint from the spec file, none from the model, no disagreement.
    let o = conform(&["--models", &models, "spec", "show", "PutAlternateContact"]);
    let show = out(&o);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(show.contains("put-api: Request Body / Name"), "{show}");
    assert!(!show.contains("from the model:"), "{show}");
    assert!(!show.contains("disagreement ("), "{show}");
}

#[test]
fn a_restated_constraint_that_differs_is_shown_with_both_sources_and_wins_in_generated_cases() {
    let models = botocore_models();
    let (dir, file) = account_with(&[(NAME_64, NAME_60)]);
    let specs = dir.path().to_str().unwrap();

    let check = conform(&["--models", &models, "spec", "check", file.to_str().unwrap()]);
    let text = err(&check);
    assert_eq!(check.status.code(), Some(2), "{text}");
    assert!(
        text.contains(&format!(
            "error: {}: [[shape]] Name (Name.max_length): spec file: max_length 60 (put-api: Request Body / Name",
            file.display()
        )) && text.contains("model: max_length 64"),
        "{text}"
    );
    assert!(text.contains("1 problem between the spec files"), "{text}");

    let show = conform(&[
        "--models",
        &models,
        "--specs",
        specs,
        "spec",
        "show",
        "PutAlternateContact",
    ]);
    let shown = out(&show);
    assert_eq!(show.status.code(), Some(0), "{}", err(&show));
    assert!(
        shown.contains("disagreement (not acknowledged): [[shape]] Name (Name.max_length): spec file: max_length 60 (put-api: Request Body / Name; sensitivity from botocore); model: max_length 64"),
        "{shown}"
    );

    // The spec file wins: the longest valid Name is 60 characters, and 61 is the invalid one.
    let generated = conform(&[
        "--models",
        &models,
        "--specs",
        specs,
        "gen",
        "--operation",
        "PutAlternateContact",
        "--kind",
        "invalid",
        "--cases",
        "0",
    ]);
    assert_eq!(generated.status.code(), Some(0), "{}", err(&generated));
    let lengths: Vec<usize> = out(&generated)
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|c| c["mutation"]["member"] == "Name" && c["mutation"]["class"] == "length-max+1")
        .map(|c| c["input"]["Name"].as_str().unwrap().chars().count())
        .collect();
    assert_eq!(lengths, vec![61], "{}", out(&generated));
}

#[test]
fn spec_check_accepts_an_acknowledged_disagreement_and_refuses_a_stale_one() {
    let models = botocore_models();
    let acknowledged = "[[disagreement]]\nabout = \"the longest Name\"\nsides = [\"put-api: Name is 60\", \"botocore: Name is 64\"]\nfollows = \"put-api\"\nwhy = \"a test\"\noverrides = [\"Name.max_length\"]\n\n[[disagreement]]\nabout = \"the values of PrimaryEmailUpdateStatus\"";
    let (_dir, file) = account_with(&[
        (NAME_64, NAME_60),
        (
            "[[disagreement]]\nabout = \"the values of PrimaryEmailUpdateStatus\"",
            acknowledged,
        ),
    ]);
    let check = conform(&["--models", &models, "spec", "check", file.to_str().unwrap()]);
    assert_eq!(check.status.code(), Some(0), "{}", err(&check));
    assert!(
        err(&check).contains("note: ")
            && err(&check).contains("acknowledged by [[disagreement]] `the longest Name`"),
        "{}",
        err(&check)
    );
    assert!(
        out(&check).contains("1 acknowledged disagreement"),
        "{}",
        out(&check)
    );

    // The same acknowledgement where the file agrees with the model is stale: an error.
    let stale = acknowledged.replace("Name.max_length", "Title.max_length");
    let (_dir, file) = account_with(&[(
        "[[disagreement]]\nabout = \"the values of PrimaryEmailUpdateStatus\"",
        &stale,
    )]);
    let check = conform(&["--models", &models, "spec", "check", file.to_str().unwrap()]);
    assert_eq!(check.status.code(), Some(2), "{}", err(&check));
    assert!(
        err(&check).contains(
            "overrides `Title.max_length`, where the spec file and the model do not differ"
        ),
        "{}",
        err(&check)
    );
}

#[test]
fn spec_check_names_the_file_the_table_and_the_closest_model_name_of_a_typo() {
    let models = botocore_models();
    let (_dir, file) = account_with(&[("name = \"UpdatedAt\"", "name = \"UpdatdAt\"")]);
    let check = conform(&["--models", &models, "spec", "check", file.to_str().unwrap()]);
    let text = err(&check);
    assert_eq!(check.status.code(), Some(2), "{text}");
    assert!(
        text.contains(&format!(
            "error: {}: [[operation]] GetPrimaryEmailUpdateStatus, output, member UpdatdAt (GetPrimaryEmailUpdateStatus.output.UpdatdAt): member `UpdatdAt`",
            file.display()
        )) && text.contains("the closest model name is `UpdatedAt`"),
        "{text}"
    );
    // A model the models do not have is an error naming the file too.
    let (_dir, file) = account_with(&[("model = \"account\"", "model = \"acount\"")]);
    let check = conform(&["--models", &models, "spec", "check", file.to_str().unwrap()]);
    assert_eq!(check.status.code(), Some(2), "{}", err(&check));
    assert!(
        err(&check).contains(&format!(
            "error: {}: [service] model = \"acount\": failed to find service `acount`",
            file.display()
        )),
        "{}",
        err(&check)
    );
}

#[test]
fn without_botocore_the_built_in_specs_run_as_they_are() {
    // The README's first command: every built-in case, no deviation, no model.
    let o = conform_without_models(&["run", "--no-shrink"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(
        err(&o).contains("2330 cases: 2330 passed, 0 failed"),
        "{}",
        err(&o)
    );
    // Naming an overlaid service asks for its model; with none, the spec file alone is used, without an error.
    let o = conform_without_models(&["spec", "list", "--service", "account"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(out(&o).contains("1 service, 7 operations"), "{}", out(&o));
    assert!(!out(&o).contains("ListRegions"), "{}", out(&o));
    let o = conform_without_models(&["spec", "show", "PutAlternateContact"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(out(&o).contains("which is not loaded"), "{}", out(&o));
    // spec check says the overlays went unchecked, and passes what it could check.
    let o = conform_without_models(&["spec", "check"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(
        err(&o).contains("warning: not checked against their models: <embedded>/account.toml, <embedded>/workmail.toml"),
        "{}",
        err(&o)
    );
}

#[test]
fn the_default_commands_do_not_look_for_the_models() {
    // A `python3` that records being asked where botocore is (and has none): the default commands never ask it;
    // a command naming an overlaid service does.
    let dir = tempfile::tempdir().unwrap();
    let python = dir.path().join("python3");
    let marker = dir.path().join("python3.called");
    std::fs::write(&python, "#!/bin/sh\n: > \"$0.called\"\nexit 1\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&python, std::fs::Permissions::from_mode(0o755)).unwrap();
    let conform = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_conform"))
            .args(args)
            .current_dir(dir.path())
            .env_remove("CONFORM_SPECS")
            .env_remove("CONFORM_MODELS")
            .env_remove("AWS_ENDPOINT_URL")
            .env("PATH", dir.path())
            .output()
            .unwrap()
    };
    for args in [
        &["run", "--cases", "0", "--kind", "valid", "--no-shrink"][..],
        &["gen", "--cases", "0", "--kind", "valid"],
        &[
            "gen",
            "--operation",
            "PutAlternateContact",
            "--kind",
            "invalid",
        ],
    ] {
        let o = conform(args);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", err(&o));
        assert!(!marker.exists(), "{args:?} asked python3 where botocore is");
    }
    let o = conform(&[
        "gen",
        "--service",
        "account",
        "--cases",
        "0",
        "--kind",
        "valid",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(
        marker.exists(),
        "naming an overlaid service looks for its model"
    );
}

#[test]
fn protocol_chooses_among_the_models_protocols_and_refuses_the_others() {
    let models = botocore_models();
    // translate lists smithy-rpc-v2-cbor first, then json (1.1): conform speaks both, and uses the first.
    let generated = |protocol: Option<&str>| {
        let mut args = vec![
            "--models",
            models.as_str(),
            "gen",
            "--service",
            "translate",
            "--operation",
            "ListLanguages",
            "--kind",
            "valid",
            "--cases",
            "0",
        ];
        if let Some(p) = protocol {
            args.extend(["--protocol", p]);
        }
        conform(&args)
    };
    for (protocol, expected) in [
        (None, "rpcv2Cbor"),
        (Some("rpcv2Cbor"), "rpcv2Cbor"),
        (Some("smithy-rpc-v2-cbor"), "rpcv2Cbor"),
        (Some("awsJson1_1"), "awsJson1_1"),
        (Some("json"), "awsJson1_1"),
    ] {
        let o = generated(protocol);
        assert_eq!(o.status.code(), Some(0), "{protocol:?}: {}", err(&o));
        let first: Value = serde_json::from_str(out(&o).lines().next().unwrap()).unwrap();
        assert_eq!(first["protocol"], expected, "{protocol:?}");
    }
    let o = generated(Some("restJson1"));
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(
        err(&o).contains("failed to use protocol `restJson1` for service `translate`: service `translate` does not speak it")
            && err(&o).contains("`translate` speaks: rpcv2Cbor, awsJson1_1; conform speaks: restJson1, awsJson1_0, awsJson1_1"),
        "{}",
        err(&o)
    );
    // cloudwatch lists three; one it does not list is refused by run and serve alike, before anything starts.
    for command in ["run", "serve"] {
        let o = conform(&[
            "--models",
            &models,
            command,
            "--service",
            "cloudwatch",
            "--protocol",
            "restJson1",
        ]);
        assert_eq!(o.status.code(), Some(2), "{command}: {}", err(&o));
        assert!(
            err(&o).contains("`cloudwatch` speaks: rpcv2Cbor, awsJson1_0, awsQuery"),
            "{command}: {}",
            err(&o)
        );
    }
    let o = conform(&[
        "--models",
        &models,
        "spec",
        "show",
        "--service",
        "cloudwatch",
        "ListDashboards",
        "--protocol",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(
        out(&o).contains(
            "awsJson1_0 POST / with X-Amz-Target: GraniteServiceVersion20100801.ListDashboards"
        ),
        "{}",
        out(&o)
    );
    let o = conform(&[
        "--models",
        &models,
        "spec",
        "show",
        "--service",
        "cloudwatch",
        "ListDashboards",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(
        out(&o).contains(
            "rpcv2Cbor POST /service/GraniteServiceVersion20100801/operation/ListDashboards with smithy-protocol: rpc-v2-cbor"
        ),
        "{}",
        out(&o)
    );
}
