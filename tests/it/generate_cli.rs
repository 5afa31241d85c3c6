//! `conform gen` end to end, through the library's command runner.

use clap::Parser;
use conform::cli::{Cli, Output, run_with};
use conform::exit::Exit;
use serde_json::Value;

fn run(args: &[&str]) -> (Exit, String, String) {
    let cli = Cli::try_parse_from(std::iter::once("conform").chain(args.iter().copied())).unwrap();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let exit = run_with(
        cli,
        &mut Output {
            out: &mut out,
            err: &mut err,
            color: false,
        },
    );
    (
        exit,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

#[test]
fn gen_prints_one_json_case_per_line() {
    let (exit, out, err) = run(&[
        "gen",
        "--operation",
        "UpdatePrimaryEmailAddress",
        "--kind",
        "invalid",
        "--cases",
        "2",
    ]);
    assert_eq!(exit, Exit::Ok, "{err}");
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(lines.len() > 20);
    for line in &lines {
        assert_eq!(line["operation"], "UpdatePrimaryEmailAddress");
        assert_eq!(line["kind"], "invalid");
        assert!(line["mutation"]["class"].is_string());
        assert_eq!(
            line["request"]["headers"]["x-amz-target"],
            "WorkMailService.UpdatePrimaryEmailAddress"
        );
        assert!(line["expected"]["status"].is_u64());
        assert_eq!(line["signing"], "valid");
    }
    assert!(lines.iter().any(|l| {
        l["expected"]["accept"]
            .as_array()
            .is_some_and(|a| a.len() == 2)
    }));
}

#[test]
fn gen_is_reproducible_by_seed() {
    let a = run(&["gen", "--service", "account", "--seed", "7", "--cases", "3"]).1;
    let b = run(&["gen", "--service", "account", "--seed", "7", "--cases", "3"]).1;
    let c = run(&["gen", "--service", "account", "--seed", "8", "--cases", "3"]).1;
    assert_eq!(a, b);
    assert_ne!(a, c);
    let ids = |s: &str| {
        s.lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap()["id"].clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&a), ids(&c), "ids do not depend on the seed");
}

#[test]
fn gen_rejects_unknown_names_and_bad_fixtures() {
    let (exit, _, err) = run(&["gen", "--operation", "NoSuchThing"]);
    assert_eq!(exit, Exit::Usage);
    assert!(
        err.contains("NoSuchThing") && err.contains("PutAlternateContact"),
        "{err}"
    );
    // A model in a protocol conform does not know (every one of botocore 1.44's is spoken: one made up for it).
    let dir = tempfile::tempdir().unwrap();
    let mut model: Value = serde_json::from_slice(
        &std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/models/widgets/2020-01-01/service-2.json"),
        )
        .unwrap(),
    )
    .unwrap();
    model["metadata"]["protocol"] = "smithy-rpc-v2-json".into();
    model["metadata"]["protocols"] = serde_json::json!(["smithy-rpc-v2-json"]);
    let path = dir.path().join("service-2.json");
    std::fs::write(&path, model.to_string()).unwrap();
    let (exit, _, err) = run(&[
        "--models",
        path.to_str().unwrap(),
        "gen",
        "--service",
        "widgets",
    ]);
    assert_eq!(exit, Exit::Usage);
    assert!(
        err.contains("smithy-rpc-v2-json"),
        "a protocol conform does not speak: {err}"
    );
    let (exit, _, err) = run(&["gen", "--service", "nosuchservice"]);
    assert_eq!(exit, Exit::Usage);
    assert!(
        err.contains("failed to find service `nosuchservice`"),
        "{err}"
    );
    let (exit, _, err) = run(&["gen", "--fixture", "account.AccountId=12"]);
    assert_eq!(exit, Exit::Usage);
    assert!(err.contains("account.AccountId"), "{err}");
    let (exit, _, err) = run(&["gen", "--fixture", "novalue"]);
    assert_eq!(exit, Exit::Usage);
    assert!(err.contains("KEY=VALUE"), "{err}");
}

#[test]
fn gen_uses_fixture_overrides() {
    let (exit, out, _) = run(&[
        "gen",
        "--operation",
        "GetPrimaryEmail",
        "--kind",
        "valid",
        "--fixture",
        "account.AccountId=111122223333",
    ]);
    assert_eq!(exit, Exit::Ok);
    assert!(
        out.lines()
            .filter(|l| !l.contains("fixture-unknown"))
            .all(|l| l.contains("111122223333"))
    );
}

#[test]
fn bench_is_not_a_subcommand_of_conform() {
    // The benchmarks are the separate `conform-bench` binary (feature `bench`), not part of the product.
    let error = Cli::try_parse_from(["conform", "bench", "generate"]).unwrap_err();
    assert_eq!(error.kind(), clap::error::ErrorKind::InvalidSubcommand);
}
