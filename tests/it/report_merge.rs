//! End to end: `conform report merge` on partition reports written by the JSON reporter.

use std::path::Path;
use std::time::Duration;

use clap::Parser;
use conform::case::{CaseClass, CaseKind, Mutation};
use conform::check::{CheckName, CheckResult};
use conform::cli::{Cli, Output, run_with};
use conform::exit::Exit;
use conform::model::Outcome;
use conform::oracle::Expected;
use conform::report::{Actual, CaseResult, Event, JsonReporter, Reporter, Reproduce, Summary};

fn result(id: &str, operation: &str, deviation: bool) -> CaseResult {
    let mut r = CaseResult {
        id: id.into(),
        service: "account".into(),
        operation: operation.into(),
        kind: CaseKind::Invalid,
        mutation: Some(Mutation {
            path: Some(conform::model::Path::members(["Name"])),
            class: CaseClass::LengthAboveMax,
            detail: "Name is 65 characters".into(),
        }),
        expected: Expected::certain(
            vec![Outcome {
                status: 400,
                error_type: Some("ValidationException".into()),
            }],
            "",
        ),
        against: None,
        actual: Some(Actual {
            status: if deviation { 200 } else { 400 },
            error_type: (!deviation).then(|| "ValidationException".into()),
        }),
        checks: vec![CheckResult {
            check: CheckName::Status,
            passed: !deviation,
            uncertain: false,
            expected: "400".into(),
            actual: if deviation { "200" } else { "400" }.into(),
            message: "status".into(),
        }],
        transport_error: None,
        retries: 0,
        passed: false,
        uncertain: false,
        deviation: false,
        error: false,
        baselined: false,
        shrunk: None,
        reproduce: Reproduce {
            curl: "curl ...".into(),
            replay: format!("conform replay {id} --seed 1"),
        },
        body_excerpt: None,
        capped_bodies: Vec::new(),
    };
    r.classify();
    r
}

fn write_report(path: &Path, seed: u64, results: Vec<CaseResult>) {
    let mut reporter = JsonReporter::create(path).unwrap();
    let mut summary = Summary::default();
    reporter
        .event(&Event::RunStarted {
            seed,
            target: "http://127.0.0.1:9".into(),
            total: None,
            phases: Vec::new(),
        })
        .unwrap();
    for r in results {
        summary.add(&r);
        reporter.event(&Event::CaseFinished(Box::new(r))).unwrap();
    }
    reporter
        .event(&Event::RunFinished {
            summary,
            elapsed: Duration::from_millis(5),
            stopped: None,
        })
        .unwrap();
    reporter.finish().unwrap();
}

fn conform(args: &[&str]) -> (Exit, String, String) {
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
fn merging_partitions_sums_them_and_exits_1_on_deviations() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.json"), dir.path().join("b.json"));
    write_report(&a, 1, vec![result("c1", "PutAlternateContact", false)]);
    write_report(
        &b,
        1,
        vec![
            result("c2", "GetAlternateContact", true),
            result("c3", "PutAlternateContact", false),
        ],
    );
    let (json, xml) = (dir.path().join("all.json"), dir.path().join("all.xml"));
    let (exit, out, err) = conform(&[
        "report",
        "merge",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
        "--junit",
        xml.to_str().unwrap(),
    ]);
    assert_eq!(exit, Exit::Deviations, "{out}{err}");
    assert!(out.contains("merged 2 reports (seed 1"), "{out}");
    assert!(out.contains("3 cases, 2 passed, 1 failed"), "{out}");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(v["summary"]["total"], 3);
    assert_eq!(v["results"].as_array().unwrap().len(), 3);
    let junit = std::fs::read_to_string(&xml).unwrap();
    assert_eq!(junit.matches("<testsuite ").count(), 2, "{junit}");

    // Without deviations, exit 0.
    let (exit, _, _) = conform(&["report", "merge", a.to_str().unwrap()]);
    assert_eq!(exit, Exit::Ok);
}

#[test]
fn mismatched_seeds_exit_2_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (
        dir.path().join("a.json"),
        dir.path().join("other-seed.json"),
    );
    write_report(&a, 1, vec![result("c1", "PutAlternateContact", false)]);
    write_report(&b, 2, vec![result("c2", "PutAlternateContact", false)]);
    let (exit, _, err) = conform(&["report", "merge", a.to_str().unwrap(), b.to_str().unwrap()]);
    assert_eq!(exit, Exit::Usage);
    assert!(
        err.contains("other-seed.json") && err.contains("seed 2 differs from seed 1"),
        "{err}"
    );
}

#[test]
fn an_output_that_is_also_an_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.json");
    write_report(&a, 1, vec![result("c1", "PutAlternateContact", false)]);
    let (exit, _, err) = conform(&[
        "report",
        "merge",
        a.to_str().unwrap(),
        "--json",
        a.to_str().unwrap(),
    ]);
    assert_eq!(exit, Exit::Usage);
    assert!(err.contains("both an input and an output"), "{err}");
    assert!(
        std::fs::read_to_string(&a).unwrap().contains("\"c1\""),
        "the input is intact"
    );
}
