//! The fidelity matrix: a run's `matrix` section, `--matrix-md` and `--matrix-html` against the embedded target with
//! faults whose cells are known; `conform report matrix` side by side and against a baseline; `--service all` with
//! services left out; and the operations a target does not implement, found by their probes on the embedded target
//! (serving a subset of the services) and on moto.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

use serde_json::Value;

use crate::moto::Moto;

fn conform(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_conform"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("CONFORM_SPECS")
        .env_remove("CONFORM_MODELS")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_REGION")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("NO_COLOR", "1")
        .output()
        .expect("the conform binary runs")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn report(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Every cell of a report's matrix: (service, operation, class) → state (`pass`, `deviate`, ...), the classes of
/// an operation not implemented included as `not-implemented`.
fn cells(report: &Value) -> BTreeMap<(String, String, String), String> {
    let matrix = &report["matrix"];
    let mut cells = BTreeMap::new();
    for (service, s) in matrix["services"].as_object().expect("services") {
        for (operation, row) in s["operations"].as_object().expect("operations") {
            for class in matrix["classes"].as_array().unwrap() {
                let class = class.as_str().unwrap().to_string();
                let state = if row["implemented"] == false {
                    Some("not-implemented".to_string())
                } else {
                    row["cells"].get(&class).map(|cell| {
                        let n = |k: &str| cell[k].as_u64().unwrap();
                        if n("deviations") > 0 {
                            "deviate"
                        } else if n("errors") > 0 {
                            "error"
                        } else if n("uncertain") > 0 {
                            "uncertain"
                        } else {
                            "pass"
                        }
                        .to_string()
                    })
                };
                if let Some(state) = state {
                    cells.insert((service.clone(), operation.clone(), class), state);
                }
            }
        }
    }
    cells
}

fn key(service: &str, operation: &str, class: &str) -> (String, String, String) {
    (service.into(), operation.into(), class.into())
}

/// A run of the built-in specs against the embedded target with `faults`, its JSON report at `json` (and the
/// Markdown and HTML matrices beside it).
fn embedded_run(dir: &Path, name: &str, faults: &[&str]) -> (Output, PathBuf) {
    let json = dir.join(format!("{name}.json"));
    let md = dir.join(format!("{name}.md"));
    let html = dir.join(format!("{name}.html"));
    let compact = dir.join(format!("{name}.matrix.json"));
    let mut args: Vec<&str> = vec!["run", "--cases", "0", "--seed", "3"];
    for fault in faults {
        args.extend(["--embedded-fault", fault]);
    }
    let (j, m, h, c) = (
        json.to_str().unwrap().to_string(),
        md.to_str().unwrap().to_string(),
        html.to_str().unwrap().to_string(),
        compact.to_str().unwrap().to_string(),
    );
    args.extend([
        "--json",
        &j,
        "--matrix-md",
        &m,
        "--matrix-html",
        &h,
        "--matrix-json",
        &c,
    ]);
    (conform(&args), json)
}

/// The two faults of these tests and the one cell each bends: Delete of a missing contact succeeding (seen by the
/// delete-twice scenario: state), and WorkMail taking an address outside the organisation's mail domain (a valid
/// request answered with success instead of its declared error: error types and statuses).
const FAULTS: [&str; 2] = ["delete-missing-ok", "mail-domain-not-checked"];

fn faulted_cells() -> [(String, String, String); 2] {
    [
        key("account", "DeleteAlternateContact", "state"),
        key("workmail", "UpdatePrimaryEmailAddress", "errors"),
    ]
}

#[test]
fn a_faulted_run_deviates_in_exactly_the_cells_its_faults_bend() {
    let dir = tempfile::tempdir().unwrap();
    let (clean_out, clean) = embedded_run(dir.path(), "clean", &[]);
    assert_eq!(clean_out.status.code(), Some(0), "{}", text(&clean_out));
    let (faulted_out, faulted) = embedded_run(dir.path(), "faulted", &FAULTS);
    assert_eq!(faulted_out.status.code(), Some(1), "{}", text(&faulted_out));

    let clean_cells = cells(&report(&clean));
    let faulted_cells_seen = cells(&report(&faulted));
    // The clean run: every one of the built-in operations has a row, and every cell tested passes.
    let operations: Vec<(&str, &str)> = clean_cells
        .keys()
        .map(|(s, o, _)| (s.as_str(), o.as_str()))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(operations.len(), 10, "{operations:?}");
    assert!(
        clean_cells.values().all(|s| s == "pass"),
        "{clean_cells:#?}"
    );
    for class in ["constraints", "errors", "output-shape", "protocol", "state"] {
        assert!(
            clean_cells.keys().any(|(_, _, c)| c == class),
            "no cell of class {class}: {clean_cells:#?}"
        );
    }
    // The faulted run: the same cells, the two bent ones deviating and every other one passing.
    assert_eq!(
        faulted_cells_seen.keys().collect::<Vec<_>>(),
        clean_cells.keys().collect::<Vec<_>>()
    );
    for (cell, state) in &faulted_cells_seen {
        let wanted = if faulted_cells().contains(cell) {
            "deviate"
        } else {
            "pass"
        };
        assert_eq!(state, wanted, "{cell:?}");
    }
    let matrix = &report(&faulted)["matrix"];
    assert_eq!(
        matrix["totals"]["cells"]["deviate"], 2,
        "{}",
        matrix["totals"]
    );
    assert_eq!(matrix["totals"]["not_implemented"], 0);
    assert_eq!(
        matrix["services"]["account"]["totals"]["cells"]["deviate"],
        1
    );
    // The deviating cell names its cases; the results carry their reproduction.
    let example = &matrix["services"]["account"]["operations"]["DeleteAlternateContact"]["cells"]["state"]
        ["examples"][0];
    assert_eq!(example["state"], "deviate", "{example}");
    assert!(
        example["id"].as_str().unwrap().contains("delete-twice"),
        "{example}"
    );

    // Markdown: the rows say the same.
    let md = std::fs::read_to_string(dir.path().join("faulted.md")).unwrap();
    let row = md
        .lines()
        .find(|l| l.starts_with("| DeleteAlternateContact |"))
        .expect("a row per operation");
    let columns: Vec<&str> = row.split(" | ").collect();
    assert!(columns[5].starts_with("❌"), "{row}");
    assert!(columns[1..5].iter().all(|c| c.starts_with('✅')), "{row}");
    assert!(md.contains("| **all** | 10 | 0 |"), "{md}");
    // HTML: the deviating cell links to its cases, with the replay line.
    let html = std::fs::read_to_string(dir.path().join("faulted.html")).unwrap();
    assert!(html.starts_with("<!doctype html>"));
    assert_eq!(
        html.matches("<td class=\"deviate\"").count(),
        2,
        "two cells"
    );
    assert!(
        html.contains("conform replay account-scenario-delete-twice"),
        "the case's replay line"
    );
}

#[test]
fn report_matrix_shows_reports_side_by_side_and_what_got_worse_or_better() {
    let dir = tempfile::tempdir().unwrap();
    let (_, clean) = embedded_run(dir.path(), "clean", &[]);
    let (_, faulted) = embedded_run(dir.path(), "faulted", &FAULTS);
    let (clean, faulted) = (clean.to_str().unwrap(), faulted.to_str().unwrap());

    // Side by side: one column per report, named after its file, five symbols per cell in class order.
    let html = dir.path().join("both.html");
    let o = conform(&[
        "report",
        "matrix",
        clean,
        faulted,
        "--html",
        html.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let md = String::from_utf8(o.stdout.clone()).unwrap();
    assert!(md.contains("| operation | clean | faulted |"), "{md}");
    let row = |operation: &str| {
        md.lines()
            .find(|l| l.starts_with(&format!("| {operation} |")))
            .unwrap_or_else(|| panic!("no row for {operation}: {md}"))
            .to_string()
    };
    assert_eq!(
        row("DeleteAlternateContact"),
        "| DeleteAlternateContact | ✅✅✅✅✅ | ✅✅✅✅❌ |"
    );
    assert_eq!(
        row("UpdatePrimaryEmailAddress"),
        "| UpdatePrimaryEmailAddress | ✅✅✅✅✅ | ✅❌✅✅✅ |"
    );
    // An operation no fault bends is the same in both, with nothing failing.
    let untouched = row("GetAlternateContact");
    let parts: Vec<&str> = untouched.split(" | ").collect();
    assert_eq!(parts[1], parts[2].trim_end_matches(" |"), "{untouched}");
    assert!(
        parts[1].chars().all(|c| c == '✅' || c == '·'),
        "{untouched}"
    );
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("clean: constraints enforced") && page.contains("faulted: state"));

    // Against a baseline: the faulted run is worse in its two cells, and exits 1.
    let o = conform(&["report", "matrix", "--baseline", clean, faulted]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let md = String::from_utf8(o.stdout.clone()).unwrap();
    assert!(md.contains("**2 cell(s) worse, 0 better**"), "{md}");
    assert!(
        md.contains(
            "| account | DeleteAlternateContact | state | ✅ pass | ❌ deviate (new: state "
        ),
        "{md}"
    );
    assert!(
        md.contains(
            "| workmail | UpdatePrimaryEmailAddress | error types and statuses | ✅ pass | ❌ deviate (new: "
        ),
        "{md}"
    );
    // The other way round, the same two cells got better: nothing worse, exit 0; the HTML marks them.
    let html = dir.path().join("changes.html");
    let o = conform(&[
        "report",
        "matrix",
        "--baseline",
        faulted,
        clean,
        "--html",
        html.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("**0 cell(s) worse, 2 better**"),
        "{}",
        text(&o)
    );
    let page = std::fs::read_to_string(&html).unwrap();
    assert_eq!(page.matches("<td class=\"better\">").count(), 2, "{page}");

    // The compact matrix files the runs wrote: the same matrix as their reports, in a file a fraction of the size.
    let (clean_m, faulted_m) = (
        dir.path().join("clean.matrix.json"),
        dir.path().join("faulted.matrix.json"),
    );
    let (clean_m, faulted_m) = (clean_m.to_str().unwrap(), faulted_m.to_str().unwrap());
    let compact: Value = report(Path::new(faulted_m));
    assert_eq!(compact["format"], "conform-matrix/1");
    assert_eq!(compact["seed"], 3);
    assert_eq!(compact["origin"], report(Path::new(faulted))["origin"]);
    assert!(
        compact["origin"]["digest"]
            .as_str()
            .is_some_and(|d| !d.is_empty())
    );
    let rows = compact["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 10, "a row per operation");
    let deleting = rows
        .iter()
        .find(|r| r["operation"] == "DeleteAlternateContact")
        .unwrap();
    assert!(
        deleting["cells"]["state"]["deviations"].as_u64().unwrap() > 0,
        "{deleting}"
    );
    assert_eq!(
        deleting["cells"]["state"]["kinds"],
        serde_json::json!(["state scenario:delete-twice"]),
        "{deleting}"
    );
    assert!(
        deleting["cells"]["state"]["examples"].is_null(),
        "no examples: {deleting}"
    );
    assert!(
        std::fs::metadata(faulted_m).unwrap().len() * 5 < std::fs::metadata(faulted).unwrap().len(),
        "much smaller than the report"
    );
    // Round trip: the matrix `report matrix` rebuilds from the full report, written compact, is the run's file;
    // read back, it gives the same Markdown as the report.
    let again = dir.path().join("again.matrix.json");
    let o = conform(&[
        "report",
        "matrix",
        faulted,
        "--matrix-json",
        again.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(
        std::fs::read_to_string(&again).unwrap(),
        std::fs::read_to_string(faulted_m).unwrap()
    );
    let from_compact = conform(&["report", "matrix", faulted_m]);
    assert_eq!(
        from_compact.status.code(),
        Some(0),
        "{}",
        text(&from_compact)
    );
    assert_eq!(
        String::from_utf8_lossy(&from_compact.stdout),
        String::from_utf8_lossy(&o.stdout)
    );
    // As a baseline, beside full reports or compact files alike: worse in the two cells, exit 1; the other way
    // round, better, exit 0.
    for (before, after) in [(clean_m, faulted), (clean_m, faulted_m), (clean, faulted_m)] {
        let o = conform(&["report", "matrix", "--baseline", before, after]);
        assert_eq!(o.status.code(), Some(1), "{before} {after}: {}", text(&o));
        assert!(
            String::from_utf8_lossy(&o.stdout).contains("**2 cell(s) worse, 0 better**"),
            "{}",
            text(&o)
        );
    }
    let o = conform(&["report", "matrix", "--baseline", faulted_m, clean_m]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("**0 cell(s) worse, 2 better**"),
        "{}",
        text(&o)
    );
    // Side by side, a compact file is a column like a report.
    let o = conform(&["report", "matrix", clean_m, faulted]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("| operation | clean.matrix | faulted |"),
        "{}",
        text(&o)
    );
    // A broken compact file is exit 2, naming the file; --matrix-json of several reports is a usage error.
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, "{\"format\":\"conform-matrix/1\",\"seed\":").unwrap();
    let o = conform(&["report", "matrix", broken.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("failed to read the matrix file") && text(&o).contains("broken.json"),
        "{}",
        text(&o)
    );
    let o = conform(&[
        "report",
        "matrix",
        clean,
        faulted,
        "--matrix-json",
        again.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));

    // Usage errors: --baseline with two reports, and a file that is no report.
    let o = conform(&["report", "matrix", "--baseline", clean, clean, faulted]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let foreign = dir.path().join("package.json");
    std::fs::write(&foreign, "{\"name\": \"x\"}").unwrap();
    let o = conform(&["report", "matrix", foreign.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("not a conform JSON report"),
        "{}",
        text(&o)
    );
}

/// A directory of models: `widgets` and `gadgets` (awsJson1_1) from the test models, and `blobs`, widgets' model
/// made to speak only `smithy-rpc-v2-json` (a Smithy protocol no botocore model lists yet, which conform does not
/// know).
fn models_dir(dir: &Path) -> PathBuf {
    let root = dir.join("models");
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (service, from) in [
        ("widgets", "tests/models/widgets/2020-01-01"),
        ("gadgets", "tests/models-nested/gadgets/2021-01-01"),
    ] {
        let to = root.join(service).join("2020-01-01");
        std::fs::create_dir_all(&to).unwrap();
        std::fs::copy(
            manifest.join(from).join("service-2.json"),
            to.join("service-2.json"),
        )
        .unwrap();
    }
    let mut blobs: Value = serde_json::from_slice(
        &std::fs::read(manifest.join("tests/models/widgets/2020-01-01/service-2.json")).unwrap(),
    )
    .unwrap();
    blobs["metadata"]["protocol"] = "smithy-rpc-v2-json".into();
    blobs["metadata"]["protocols"] = serde_json::json!(["smithy-rpc-v2-json"]);
    let to = root.join("blobs").join("2020-01-01");
    std::fs::create_dir_all(&to).unwrap();
    std::fs::write(to.join("service-2.json"), blobs.to_string()).unwrap();
    root
}

/// How many results each operation of a service has.
fn results_per_operation(report: &Value, service: &str) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for r in report["results"].as_array().unwrap() {
        if r["service"] == service {
            *counts
                .entry(r["operation"].as_str().unwrap().to_string())
                .or_default() += 1;
        }
    }
    counts
}

/// The embedded target serving the spec files' services and widgets, but not gadgets: gadgets' requests reach no
/// operation it knows (400 UnknownOperationException). The runtime serves it until dropped.
fn serve_all_but_gadgets(
    models: &Path,
) -> (tokio::runtime::Runtime, conform::emulator::EmulatorHandle) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mut served = conform::spec::embedded_model().unwrap();
    let widgets = conform::frontend::botocore::load_file(
        &models.join("widgets/2020-01-01/service-2.json"),
        "widgets",
    )
    .unwrap();
    served.services.insert("widgets".into(), widgets);
    let served = Arc::new(served);
    let fixtures = conform::model::Fixtures::resolve(&served, &[]).unwrap();
    let target = runtime
        .block_on(conform::emulator::start(
            served,
            conform::emulator::EmulatorConfig::new(fixtures),
            "127.0.0.1:0".parse().unwrap(),
        ))
        .unwrap();
    (runtime, target)
}

#[test]
fn merged_partitions_have_the_matrix_of_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let models = models_dir(dir.path());
    let (_runtime, target) = serve_all_but_gadgets(&models);
    let endpoint = target.endpoint();
    let run = |name: &str, partition: Option<&str>| {
        let json = dir.path().join(format!("{name}.json"));
        let mut args = vec![
            "--models",
            models.to_str().unwrap(),
            "run",
            "--endpoint",
            &endpoint,
            "--service",
            "widgets,gadgets",
            "--service",
            "b*",
            "--cases",
            "1",
            "--json",
            json.to_str().unwrap(),
        ];
        if let Some(p) = partition {
            args.extend(["--partition", p]);
        }
        let o = conform(&args);
        assert_eq!(o.status.code(), Some(1), "{}", text(&o));
        json
    };
    let whole = run("whole", None);
    let (one, two) = (run("p1", Some("1/2")), run("p2", Some("2/2")));
    let merged = dir.path().join("merged.json");
    let o = conform(&[
        "report",
        "merge",
        one.to_str().unwrap(),
        two.to_str().unwrap(),
        "--json",
        merged.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let (whole, merged) = (report(&whole), report(&merged));
    assert_eq!(cells(&merged), cells(&whole));
    assert_eq!(merged["matrix"]["totals"], whole["matrix"]["totals"]);
    assert_eq!(merged["matrix"]["skipped"], whole["matrix"]["skipped"]);
    assert_eq!(whole["matrix"]["skipped"][0]["service"], "blobs");
    let services: Vec<&String> = whole["matrix"]["services"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(
        services,
        ["gadgets", "widgets"],
        "only the services named and matched"
    );
    // A plain name is run as named: one in a protocol conform does not speak is an error, as it always was.
    let o = conform(&[
        "--models",
        models.to_str().unwrap(),
        "run",
        "--endpoint",
        &endpoint,
        "--service",
        "widgets,blobs",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

#[test]
fn operations_the_target_lacks_are_found_by_their_probes_on_the_embedded_target_and_on_moto() {
    let dir = tempfile::tempdir().unwrap();
    let models = models_dir(dir.path());
    let (_runtime, target) = serve_all_but_gadgets(&models);
    let json = dir.path().join("embedded.json");
    let o = conform(&[
        "--models",
        models.to_str().unwrap(),
        "run",
        "--endpoint",
        &target.endpoint(),
        "--service",
        "all",
        "--cases",
        "1",
        "--json",
        json.to_str().unwrap(),
    ]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "gadgets is missing: {out}");
    assert!(
        out.contains(
            "1 selected service(s) left out, in a protocol conform does not speak yet: blobs (speaks no protocol \
             conform knows)"
        ),
        "{out}"
    );
    let r = report(&json);
    assert_eq!(
        r["matrix"]["skipped"],
        serde_json::json!([{"service": "blobs", "reason": "speaks no protocol conform knows"}])
    );
    let all = cells(&r);
    let services: std::collections::BTreeSet<&str> =
        all.keys().map(|(s, _, _)| s.as_str()).collect();
    assert_eq!(
        services.into_iter().collect::<Vec<_>>(),
        vec!["account", "gadgets", "widgets", "workmail"]
    );
    for ((service, operation, _), state) in &all {
        if service == "gadgets" {
            assert_eq!(state, "not-implemented", "{operation}");
        } else {
            assert_ne!(state, "not-implemented", "{service} {operation}");
            assert_eq!(state, "pass", "{service} {operation}");
        }
    }
    let gadgets = &r["matrix"]["services"]["gadgets"];
    assert_eq!(
        gadgets["totals"]["not_implemented"], gadgets["totals"]["operations"],
        "{gadgets}"
    );
    for (operation, row) in gadgets["operations"].as_object().unwrap() {
        assert_eq!(
            row["answered"], "400 UnknownOperationException",
            "{operation}"
        );
    }
    // Found quickly: only the probes of gadgets' operations were sent, where widgets' got every case.
    for (operation, n) in results_per_operation(&r, "gadgets") {
        assert!(n <= 2, "{operation}: {n} cases sent");
    }
    assert!(
        results_per_operation(&r, "widgets")
            .values()
            .all(|n| *n > 10),
        "{r:#}"
    );
    drop(target);

    // moto: it implements Account's alternate contacts, and answers the model's other Account operations with a
    // 404 page.
    let moto = Moto::start();
    let json = dir.path().join("moto.json");
    let o = conform(&[
        "run",
        "--endpoint",
        &moto.endpoint,
        "--service",
        "account",
        "--kind",
        "valid",
        "--cases",
        "0",
        "--no-shrink",
        "--json",
        json.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let r = report(&json);
    let rows = &r["matrix"]["services"]["account"]["operations"];
    for implemented in [
        "PutAlternateContact",
        "GetAlternateContact",
        "DeleteAlternateContact",
    ] {
        assert_eq!(
            rows[implemented]["implemented"], true,
            "{implemented}: {}",
            rows[implemented]
        );
    }
    for missing in [
        "GetContactInformation",
        "ListRegions",
        "PutContactInformation",
    ] {
        assert_eq!(
            rows[missing]["implemented"], false,
            "{missing}: {}",
            rows[missing]
        );
        assert_eq!(rows[missing]["answered"], "404", "{missing}");
    }
    let counts = results_per_operation(&r, "account");
    assert!(counts["ListRegions"] <= 2, "{counts:?}");
    assert!(counts["PutAlternateContact"] > 2, "{counts:?}");
}
