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
use conform::report::{
    Actual, CaseResult, Event, JsonReporter, Reporter, Reproduce, RunOrigin, Summary,
};

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
        shrunk_with: None,
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

/// A report of partition `k` of 2 (or of a whole run, with `k` = 0).
fn write_report(path: &Path, seed: u64, k: u64, results: Vec<CaseResult>) {
    let mut reporter = JsonReporter::create(path).unwrap();
    let mut summary = Summary::default();
    reporter
        .event(&Event::RunStarted {
            seed,
            target: "http://127.0.0.1:9".into(),
            total: None,
            phases: Vec::new(),
            origin: RunOrigin::new("d1".into(), (k > 0).then_some((k, 2))),
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
    write_report(&a, 1, 1, vec![result("c1", "PutAlternateContact", false)]);
    write_report(
        &b,
        1,
        2,
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
    let whole = dir.path().join("whole.json");
    write_report(
        &whole,
        1,
        0,
        vec![result("c1", "PutAlternateContact", false)],
    );
    let (exit, _, err) = conform(&["report", "merge", whole.to_str().unwrap()]);
    assert_eq!(exit, Exit::Ok, "{err}");

    // One partition alone is not the run: refused, or joined and said to be partial when accepted.
    let (exit, _, err) = conform(&["report", "merge", a.to_str().unwrap()]);
    assert_eq!(exit, Exit::Usage);
    assert!(
        err.contains("partition 2/2 of this run is missing"),
        "{err}"
    );
    let (_, out, err) = conform(&["report", "merge", a.to_str().unwrap(), "--accept-missing"]);
    assert!(out.contains("partitions 2/2 missing"), "{out}{err}");

    // The same partition twice double-counts: refused.
    let (exit, _, err) = conform(&["report", "merge", a.to_str().unwrap(), a.to_str().unwrap()]);
    assert_eq!(exit, Exit::Usage);
    assert!(err.contains("given twice"), "{err}");
}

#[test]
fn mismatched_seeds_exit_2_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (
        dir.path().join("a.json"),
        dir.path().join("other-seed.json"),
    );
    write_report(&a, 1, 1, vec![result("c1", "PutAlternateContact", false)]);
    write_report(&b, 2, 2, vec![result("c2", "PutAlternateContact", false)]);
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
    write_report(&a, 1, 0, vec![result("c1", "PutAlternateContact", false)]);
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

/// Each result's verdict and expectation, by case id. Not what the target answered: the embedded target keeps
/// state, so a stateful case (DeleteAlternateContact: 200 or 404) meets another state when only a third of the
/// cases ran before it, and passes either way.
fn verdicts(report: &serde_json::Value) -> std::collections::BTreeMap<String, String> {
    report["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            let id = r["id"].as_str().expect("id").to_string();
            let verdict = serde_json::json!([
                r["passed"],
                r["deviation"],
                r["uncertain"],
                r["error"],
                r["baselined"],
                r["expected"]
            ]);
            (id, verdict.to_string())
        })
        .collect()
}

/// Runs `conform run ARGS --partition K/N` for every K and once without a partition, all at once as processes,
/// merges the parts, and checks that the merge is the single-process run, case for case. Returns the merged
/// report, the whole run's and the parts'.
fn partitions_merge_into_the_whole_run(
    n: usize,
    common: &[&str],
    expected_exit: i32,
) -> (serde_json::Value, serde_json::Value, Vec<serde_json::Value>) {
    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_conform");
    let run = |extra: &[&str], json: &Path| {
        let mut args = common.to_vec();
        args.extend_from_slice(&["--json", json.to_str().unwrap()]);
        args.extend_from_slice(extra);
        std::process::Command::new(bin)
            .args(&args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env_remove("CONFORM_SPECS")
            .env_remove("CONFORM_MODELS")
            .env_remove("AWS_ENDPOINT_URL")
            .env("NO_COLOR", "1")
            .spawn()
            .expect("the conform binary starts")
    };
    let parts: Vec<_> = (1..=n)
        .map(|k| dir.path().join(format!("part-{k}.json")))
        .collect();
    let whole = dir.path().join("whole.json");
    let mut children: Vec<_> = parts
        .iter()
        .enumerate()
        .map(|(i, p)| run(&["--partition", &format!("{}/{n}", i + 1)], p))
        .collect();
    children.push(run(&[], &whole));
    let codes: Vec<Option<i32>> = children
        .iter_mut()
        .map(|c| c.wait().unwrap().code())
        .collect();
    assert_eq!(codes[n], Some(expected_exit), "the whole run's exit code");
    assert!(
        codes[..n].iter().all(|c| matches!(c, Some(0 | 1))),
        "each partition runs to its end: {codes:?}"
    );
    let merged = dir.path().join("merged.json");
    let mut args = vec!["report", "merge"];
    args.extend(parts.iter().map(|p| p.to_str().unwrap()));
    args.extend(["--json", merged.to_str().unwrap()]);
    let (exit, out, err) = conform(&args);
    assert_eq!(exit as i32, expected_exit, "{out}{err}");
    let read = |p: &Path| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
    };
    let (merged, whole) = (read(&merged), read(&whole));
    let (m, w) = (verdicts(&merged), verdicts(&whole));
    assert!(w.len() > 100, "the whole run has cases: {}", w.len());
    assert_eq!(
        m.len(),
        w.len(),
        "the partitions cover the run, each case once"
    );
    assert_eq!(
        m, w,
        "case for case, the merged partitions are the single-process run"
    );
    for count in [
        "total",
        "passed",
        "failed",
        "uncertain",
        "errors",
        "operations",
    ] {
        assert_eq!(merged["summary"][count], whole["summary"][count], "{count}");
    }
    assert_eq!(merged["origin"]["digest"], whole["origin"]["digest"]);
    assert!(merged["origin"]["partition"].is_null());
    let parts: Vec<serde_json::Value> = parts.iter().map(|p| read(p)).collect();
    // Every part says which it is.
    let ks: Vec<u64> = parts
        .iter()
        .map(|p| p["origin"]["partition"]["k"].as_u64().unwrap())
        .collect();
    assert_eq!(ks, (1..=n as u64).collect::<Vec<_>>());
    (merged, whole, parts)
}

/// The flow of docs/github-actions-moto.yml run locally: three `conform run --partition K/3` processes against the
/// embedded target (with a fault, so that some cases deviate), merged, give the same results, case for case, as one
/// process running the whole run. Its nine operations are too few to split by operation: the parts share them.
#[test]
fn three_partition_processes_merge_into_the_single_process_run() {
    let (_, whole, parts) = partitions_merge_into_the_whole_run(
        3,
        &[
            "run",
            "--seed",
            "7",
            "--cases",
            "3",
            "--no-shrink",
            "--embedded-fault",
            "enum-case-insensitive",
        ],
        1,
    );
    assert!(
        whole["summary"]["failed"].as_u64().unwrap() > 0,
        "the fault shows"
    );
    let ops = operations_of(&parts[0]);
    assert!(
        parts.iter().all(|p| operations_of(p) == ops),
        "split by case, every part has cases of every operation"
    );
}

/// A run of many operations (one of botocore's services: SQS, 23) is split by operation: each operation's cases,
/// its probes among them, are in one part, and the merge is still the single-process run.
#[test]
fn a_run_of_many_operations_splits_by_operation_and_merges_into_the_single_process_run() {
    let models = match conform::frontend::botocore::Models::locate(
        None,
        std::env::var_os("CONFORM_MODELS").as_deref(),
    ) {
        Ok(models) => models.root,
        Err(e) => panic!(
            "{e}\n(this test needs botocore's models: run scripts/test.sh, which installs them into .venv)"
        ),
    };
    let models = models.to_str().unwrap().to_string();
    let (_, whole, parts) = partitions_merge_into_the_whole_run(
        2,
        &[
            "--models",
            &models,
            "run",
            "--service",
            "sqs",
            "--seed",
            "3",
            "--cases",
            "0",
            "--no-shrink",
        ],
        0,
    );
    let all = operations_of(&whole);
    assert!(
        all.len() >= 20,
        "enough operations to split by operation: {all:?}"
    );
    let (one, two) = (operations_of(&parts[0]), operations_of(&parts[1]));
    assert!(
        one.is_disjoint(&two),
        "no operation has cases in both parts: {:?}",
        one.intersection(&two).collect::<Vec<_>>()
    );
    assert!(!one.is_empty() && !two.is_empty(), "{one:?} {two:?}");
    assert_eq!(
        one.union(&two)
            .cloned()
            .collect::<std::collections::BTreeSet<_>>(),
        all
    );
}

/// The operations a report has results of.
fn operations_of(report: &serde_json::Value) -> std::collections::BTreeSet<String> {
    report["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["operation"].as_str().expect("operation").to_string())
        .collect()
}
