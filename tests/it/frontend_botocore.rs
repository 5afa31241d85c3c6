//! Loads every service of the installed botocore and checks it against what botocore's own Python code reports.
//!
//! The models are found as conform finds them (`CONFORM_MODELS`, else the botocore of `.venv/bin/python` or
//! `python3`); the reference counts come from one run of a small Python script over the same files, using botocore's
//! loader and `ServiceModel`. Without models or without Python the test fails, saying how to get them.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Instant;

use conform::frontend::botocore::{FoundBy, Models};
use conform::model::{Location, Service, ShapeKind};
use serde::Deserialize;

const HOW_TO_GET_MODELS: &str = "run scripts/test.sh, which installs botocore into .venv, or set CONFORM_MODELS to \
                                 botocore's data directory";

/// What botocore says about one service.
#[derive(Debug, Deserialize)]
struct Reference {
    operations: usize,
    shapes: usize,
    protocols: Vec<String>,
    required: usize,
    errors: usize,
    patterns: usize,
    paginators: usize,
    /// Operations with a streaming member or an event stream in their input or output, by botocore's `Shape`s.
    streaming: BTreeSet<String>,
}

const SCRIPT: &str = r#"
import gzip, json, os, sys
from botocore.loaders import JSONFileLoader, ExtrasProcessor
from botocore.model import ServiceModel

loader = JSONFileLoader()

def load(path):
    # What JSONFileLoader.load_file does, with plain dicts (ordered too) instead of OrderedDict: twice as fast.
    with (gzip.open if path.endswith(".gz") else open)(path, "rb") as f:
        return json.loads(f.read().decode("utf-8"))

out = {}
for line in sys.stdin:
    name, path = line.rstrip("\n").split("\t", 1)
    model = load(path)
    directory = os.path.dirname(path)
    extras = loader.load_file(os.path.join(directory, "service-2.sdk-extras"))
    if extras is not None:
        ExtrasProcessor().process(model, [extras])
    service = ServiceModel(model, service_name=name)
    meta = model["metadata"]
    shapes = model["shapes"]
    streaming = []
    for op_name in service.operation_names:
        op = service.operation_model(op_name)
        # A member streams when its reference or its target says `streaming` (botocore merges the two); botocore's
        # own has_streaming_input means "a blob payload", streaming or not, which conform can send.
        shapes_io = [s for s in (op.input_shape, op.output_shape) if s is not None]
        if (any(m.serialization.get("streaming") for s in shapes_io for m in s.members.values())
                or op.has_event_stream_input or op.has_event_stream_output):
            streaming.append(op_name)
    paginators = loader.load_file(os.path.join(directory, "paginators-1")) or {}
    out[name] = {
        "operations": len(service.operation_names),
        "shapes": len(shapes),
        "protocols": meta.get("protocols") or [meta["protocol"]],
        "required": sum(len(s.get("required", [])) for s in shapes.values() if s["type"] == "structure"),
        "errors": sum(1 for s in shapes.values() if s.get("exception") or s.get("fault") or "error" in s),
        "patterns": sum(1 for s in shapes.values() if "pattern" in s),
        "paginators": sum(1 for op in paginators.get("pagination", {}) if op in model["operations"]),
        "streaming": streaming,
    }
json.dump(out, sys.stdout)
"#;

/// The interpreters that may have botocore: the one conform found, then the project's and the system's.
fn interpreters(models: &Models) -> Vec<String> {
    let mut all = Vec::new();
    if let FoundBy::Python { interpreter } = &models.found_by {
        all.push(interpreter.clone());
    }
    all.extend([".venv/bin/python".to_string(), "python3".to_string()]);
    all
}

/// Runs the script over `input` (lines of `name\tpath`) with `interpreter`.
fn run_script(interpreter: &str, input: String) -> Result<BTreeMap<String, Reference>, String> {
    let mut child = Command::new(interpreter)
        .args(["-c", SCRIPT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{interpreter}: {e}"))?;
    let mut stdin = child.stdin.take().expect("piped stdin");
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child
        .wait_with_output()
        .map_err(|e| format!("{interpreter}: {e}"))?;
    writer.join().expect("the writer thread").ok();
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(format!(
            "{interpreter}: {}",
            stderr.lines().last().unwrap_or("failed")
        ));
    }
    serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("{interpreter} printed no counts: {e}"))
}

/// botocore's counts for every file, from two Python processes (one per core) over halves of the list.
fn reference_counts(models: &Models) -> BTreeMap<String, Reference> {
    let lines: Vec<String> = models
        .files
        .iter()
        .map(|f| format!("{}\t{}\n", f.service, f.path.display()))
        .collect();
    let halves: Vec<String> = lines
        .chunks(lines.len().div_ceil(2).max(1))
        .map(|c| c.concat())
        .collect();
    let mut failures = Vec::new();
    for interpreter in interpreters(models) {
        let results: Vec<_> = std::thread::scope(|scope| {
            let runs: Vec<_> = halves
                .iter()
                .map(|half| scope.spawn(|| run_script(&interpreter, half.clone())))
                .collect();
            runs.into_iter()
                .map(|run| run.join().expect("the script thread"))
                .collect()
        });
        match results.into_iter().collect::<Result<Vec<_>, _>>() {
            Ok(maps) => return maps.into_iter().flatten().collect(),
            Err(failure) => failures.push(failure),
        }
    }
    panic!(
        "no Python interpreter with botocore to compute the reference counts ({}); {HOW_TO_GET_MODELS}",
        failures.join("; ")
    );
}

/// Shapes the loader made for members with constraints of their own (`Owner.Member`), which the model does not list.
fn derived_shapes(service: &Service) -> usize {
    service
        .shapes
        .iter()
        .filter(|s| s.name.contains('.'))
        .count()
}

/// Checks what must hold in any loaded service; returns the problems found.
fn invariants(service: &Service) -> Vec<String> {
    let mut problems = Vec::new();
    let count = service.shapes.len();
    for shape in &service.shapes {
        let members: Vec<&conform::model::Member> = match &shape.kind {
            ShapeKind::Structure(m) | ShapeKind::Union(m) => m.iter().collect(),
            ShapeKind::List(m) => vec![m],
            ShapeKind::Map { key, value } => vec![key, value],
            _ => Vec::new(),
        };
        for member in members {
            if member.target.index() >= count {
                problems.push(format!("{}.{} targets no shape", shape.name, member.name));
            }
        }
        if service
            .shape_named(&shape.name)
            .map(|(_, s)| s.name.as_str())
            != Some(shape.name.as_str())
        {
            problems.push(format!("{} is not found by name", shape.name));
        }
    }
    for op in service.operations.values() {
        let path = op.http.uri().split('?').next().unwrap_or("");
        for member in service.input_members(op) {
            if let Location::Label { greedy } = member.location {
                let label = member.location_name.as_deref().unwrap_or(&member.name);
                let named = if greedy {
                    format!("{{{label}+}}")
                } else {
                    format!("{{{label}}}")
                };
                if !path.contains(&named) {
                    problems.push(format!(
                        "{}: label {named} is not in the URI {}",
                        op.name,
                        op.http.uri()
                    ));
                }
            }
        }
        for id in op.input.iter().chain(&op.output).chain(&op.errors) {
            if id.index() >= count {
                problems.push(format!("{}: refers to no shape", op.name));
            }
        }
    }
    if service.protocols.is_empty() {
        problems.push("no protocol".into());
    }
    problems
}

#[test]
fn every_installed_service_loads_as_botocore_reads_it() {
    let env = std::env::var_os("CONFORM_MODELS");
    let models = match Models::locate(None, env.as_deref()) {
        Ok(models) => models,
        Err(e) => panic!("{e}\n(this test needs botocore's models: {HOW_TO_GET_MODELS})"),
    };
    let started = Instant::now();
    let reference = std::thread::scope(|scope| {
        // botocore's counts are computed while the services load.
        let python = scope.spawn(|| reference_counts(&models));
        let loaded = models.load_all();
        (python.join().expect("the reference thread"), loaded)
    });
    let (reference, loaded) = reference;
    let elapsed = started.elapsed();

    let mut problems = Vec::new();
    let mut totals = (0, 0, 0, 0);
    let mut unsupported: BTreeMap<String, usize> = BTreeMap::new();
    assert_eq!(loaded.len(), models.files.len());
    assert_eq!(
        reference.len(),
        models.files.len(),
        "botocore saw the same files"
    );
    for (file, service) in models.files.iter().zip(loaded) {
        let service = match service {
            Ok(service) => service,
            Err(e) => {
                problems.push(format!("{}: {e}", file.service));
                continue;
            }
        };
        let name = &service.name;
        let Some(expected) = reference.get(name) else {
            problems.push(format!("{name}: botocore does not list it"));
            continue;
        };
        let mut check = |what: &str, ours: usize, theirs: usize| {
            if ours != theirs {
                problems.push(format!("{name}: {what}: {ours}, botocore {theirs}"));
            }
        };
        let real_shapes = service.shapes.len() - derived_shapes(&service);
        check("operations", service.operations.len(), expected.operations);
        check("shapes", real_shapes, expected.shapes);
        check(
            "protocols",
            service.protocols.len(),
            expected.protocols.len(),
        );
        let model_shapes = || service.shapes.iter().filter(|s| !s.name.contains('.'));
        let required = model_shapes()
            .flat_map(|s| s.kind.members())
            .filter(|m| m.required)
            .count();
        check("required members", required, expected.required);
        check(
            "error shapes",
            model_shapes().filter(|s| s.error.is_some()).count(),
            expected.errors,
        );
        let patterns = model_shapes()
            .filter(|s| {
                s.constraints.pattern.is_some()
                    || s.constraints
                        .skipped
                        .iter()
                        .any(|c| c.what.starts_with("pattern "))
            })
            .count();
        check(
            "patterns (compiled or skipped)",
            patterns,
            expected.patterns,
        );
        let paginators = service
            .operations
            .values()
            .filter(|op| op.paginator.is_some())
            .count();
        check("paginators", paginators, expected.paginators);
        let ours: BTreeSet<String> = service
            .operations
            .values()
            .filter(|op| op.unsupported.is_some())
            .map(|op| op.name.clone())
            .collect();
        if ours != expected.streaming {
            problems.push(format!(
                "{name}: unsupported operations {ours:?}, botocore's streaming ones {:?}",
                expected.streaming
            ));
        }
        for (protocol, theirs) in service.protocols.iter().zip(&expected.protocols) {
            if protocol.botocore_name() != theirs {
                problems.push(format!("{name}: protocol {protocol} read from `{theirs}`"));
            }
        }
        if !ours.is_empty() {
            unsupported.insert(name.clone(), ours.len());
        }
        problems.extend(
            invariants(&service)
                .into_iter()
                .map(|p| format!("{name}: {p}")),
        );
        totals.0 += 1;
        totals.1 += service.operations.len();
        totals.2 += real_shapes;
        totals.3 += ours.len();
    }
    eprintln!(
        "loaded {} services, {} operations, {} shapes from {} in {elapsed:.2?} (with botocore's count alongside); \
         {} operations unsupported: {unsupported:?}",
        totals.0,
        totals.1,
        totals.2,
        models.root.display(),
        totals.3
    );
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
    assert!(totals.0 > 0, "no services under {}", models.root.display());
}

#[test]
fn the_catalog_agrees_with_the_loaded_services() {
    let env = std::env::var_os("CONFORM_MODELS");
    let models = match Models::locate(None, env.as_deref()) {
        Ok(models) => models,
        Err(e) => panic!("{e}\n(this test needs botocore's models: {HOW_TO_GET_MODELS})"),
    };
    let catalog = models.catalog();
    assert!(catalog.failures.is_empty(), "{:?}", catalog.failures);
    assert_eq!(catalog.services.len(), models.files.len());
    // A sample across protocols, rather than every service again (the other test loads them all).
    for name in [
        "dynamodb",
        "s3",
        "ec2",
        "sqs",
        "cloudwatch",
        "account",
        "rds",
    ] {
        let Some(entry) = catalog.services.iter().find(|e| e.name == name) else {
            continue;
        };
        let service = models.load(name).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(entry.operations, service.operations.len(), "{name}");
        assert_eq!(entry.protocols, service.protocols, "{name}");
        assert_eq!(entry.api_version, service.api_version, "{name}");
        assert_eq!(entry.service_id, service.service_id, "{name}");
        assert_eq!(entry.path, PathBuf::from(&service.file), "{name}");
    }
}
