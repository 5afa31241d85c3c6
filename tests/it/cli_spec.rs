//! `conform spec list|show|check` and the command line's help and exit codes, through the real binary.

use std::path::Path;
use std::process::{Command, Output};

fn conform(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_conform"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("CONFORM_SPECS")
        .env("NO_COLOR", "1")
        .output()
        .expect("the conform binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn spec_list_shows_every_operation_with_counts() {
    let o = conform(&["spec", "list"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    for op in [
        "PutAlternateContact",
        "DeleteAlternateContact",
        "StartPrimaryEmailUpdate",
        "GetAlternateContact",
        "GetPrimaryEmail",
        "AcceptPrimaryEmailUpdate",
        "UpdatePrimaryEmailAddress",
        "DescribeUser",
    ] {
        assert!(out.contains(op), "{op} missing from:\n{out}");
    }
    let put = out
        .lines()
        .find(|l| l.contains("PutAlternateContact"))
        .unwrap();
    let cells: Vec<&str> = put.split_whitespace().collect();
    assert_eq!(
        cells[..6],
        [
            "account",
            "restJson1",
            "PutAlternateContact",
            "seed",
            "6",
            "5"
        ],
        "{put}"
    );
}

#[test]
fn spec_list_works_from_any_directory() {
    let o = Command::new(env!("CARGO_BIN_EXE_conform"))
        .args(["spec", "list"])
        .current_dir(std::env::temp_dir())
        .env_remove("CONFORM_SPECS")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("UpdatePrimaryEmailAddress"));
}

#[test]
fn spec_show_gives_members_constraints_and_errors() {
    let o = conform(&["spec", "show", "putalternatecontact"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.starts_with("PutAlternateContact (AWS Account, restJson1 POST /putAlternateContact)"),
        "{out}"
    );
    let email = out
        .lines()
        .find(|l| l.trim_start().starts_with("EmailAddress"))
        .unwrap();
    assert!(
        email.contains("1..254")
            && email.contains(r"^[\s]*[\w+=.#|!&-]+@")
            && email.contains("yes"),
        "{email}"
    );
    assert!(
        out.contains("AccessDeniedException (403) or ValidationException (400), uncertain"),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>()[..]
                == [
                    "TooManyRequestsException",
                    "429",
                    "client",
                    "put-api:",
                    "Errors",
                    "/",
                    "TooManyRequestsException"
                ]),
        "{out}"
    );
}

#[test]
fn spec_show_of_an_unknown_operation_lists_the_known_ones() {
    let o = conform(&["spec", "show", "PutAlternate"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("failed to find operation `PutAlternate`"),
        "{err}"
    );
    assert!(err.contains("PutAlternateContact"), "{err}");
}

#[test]
fn spec_check_accepts_the_project_specs() {
    let o = conform(&["spec", "check", "specs/account.toml", "specs/workmail.toml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o)
            .starts_with("ok: specs/account.toml, specs/workmail.toml: 2 services, 10 operations")
    );
}

#[test]
fn spec_check_rejects_a_broken_file_with_its_location_and_exit_2() {
    let o = conform(&["spec", "check", "tests/specs/broken/05-min-over-max.toml"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("tests/specs/broken/05-min-over-max.toml:42:14: min_length 11 is greater than max_length 10"),
        "{err}"
    );
    assert!(
        err.contains("42 │ min_length = 11"),
        "the offending text is shown: {err}"
    );
    assert!(
        err.contains("help: no value could satisfy both bounds"),
        "{err}"
    );
}

#[test]
fn specs_flag_loads_another_directory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/specs/minimal.toml"),
        dir.path().join("mini.toml"),
    )
    .unwrap();
    let o = conform(&["--specs", dir.path().to_str().unwrap(), "spec", "list"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("PutThing") && !out.contains("PutAlternateContact"),
        "{out}"
    );
    let missing = conform(&["--specs", "/nonexistent-conform-dir", "spec", "list"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("/nonexistent-conform-dir"),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn every_command_has_help_with_an_example_and_the_exit_codes_are_documented() {
    let top = conform(&["--help"]);
    assert_eq!(top.status.code(), Some(0));
    let text = stdout(&top);
    for line in [
        "0  ok",
        "1  deviations",
        "2  usage, spec or configuration error",
        "3  target unreachable",
    ] {
        assert!(text.contains(line), "{line:?} missing from --help:\n{text}");
    }
    for command in [&["spec", "list"][..], &["spec", "show"], &["spec", "check"]] {
        let mut args = command.to_vec();
        args.push("--help");
        let o = conform(&args);
        assert_eq!(o.status.code(), Some(0));
        assert!(
            stdout(&o).contains("Example:"),
            "{command:?} --help has no example"
        );
    }
}

#[test]
fn a_bad_flag_is_a_usage_error() {
    let o = conform(&["spec", "list", "--frobnicate"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--frobnicate"));
}

#[test]
fn spec_template_prints_a_file_that_spec_check_accepts() {
    let dir = tempfile::tempdir().unwrap();
    for protocol in ["restJson1", "awsJson1_0", "awsJson1_1"] {
        let o = conform(&[
            "spec",
            "template",
            "--service",
            "my-service",
            "--protocol",
            protocol,
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        let file = dir.path().join(format!("{protocol}.toml"));
        std::fs::write(&file, &o.stdout).unwrap();
        let check = conform(&["spec", "check", file.to_str().unwrap()]);
        assert_eq!(
            check.status.code(),
            Some(0),
            "{protocol}: {}",
            stderr(&check)
        );
    }
    let bad = conform(&["spec", "template", "--service", "My Service"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad)
            .contains("failed to make a template for service `My Service`: invalid service name"),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn spec_reference_prints_the_committed_reference() {
    let o = conform(&["spec", "reference"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let committed = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/spec-reference.md"),
    )
    .unwrap();
    assert!(
        stdout(&o) == committed,
        "docs/spec-reference.md is out of date: run `conform spec reference > docs/spec-reference.md`"
    );
}
