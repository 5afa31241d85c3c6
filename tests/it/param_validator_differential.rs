//! Differential test: conform's generated valid and invalid inputs against botocore's `ParamValidator`, over a
//! deterministic sample of the JSON-protocol services of the installed botocore.
//!
//! Every [`SERVICE_STRIDE`]th JSON service (by name) is loaded; conform's generator builds its valid and invalid
//! cases (the deterministic classes plus [`DRAWS`] random draws per operation and kind, seed [`SEED`]); each input
//! (with its absent idempotency tokens filled in, as botocore's client does before validating) goes to one long-lived
//! Python process (`scripts/botocore_validate.py`) that runs `ParamValidator().validate(params, input_shape)`.
//!
//! - Valid cases: botocore must accept every one.
//! - Invalid cases: conform's own validator names the violations of the input; for each, [`botocore_checks`] says
//!   whether botocore's validator checks that constraint (botocore/validate.py: required members, types, the
//!   `min` of string and list lengths and of numbers, unions; not `max`, `pattern` or `enum`, not map or blob
//!   lengths, and it takes a boolean for a number and a number for a timestamp). Where it checks one, botocore must
//!   reject the input and name that member; where it checks none, the case is not compared but counted (by class)
//!   and botocore must accept it: a case that breaks only what botocore does not check and is still refused breaks
//!   something else too, so its mutation was not isolated.
//! - Malformed cases (protocol-level: bad JSON, signatures, ...) are not inputs: they are not generated here.
//!
//! A case botocore itself judges wrongly may be listed, with the reason, in `param_validator_exceptions.txt`
//! (`Service.Operation case-id-prefix: reason`); none is listed now.
//!
//! Needs botocore: `CONFORM_PYTHON`, else `.venv/bin/python` (`scripts/test.sh` installs it there with moto). The
//! test fails, never skips, without it.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Instant;

use conform::case::{Case, CaseClass, CaseKind, JsonType};
use conform::frontend::botocore::Models;
use conform::generate::{self, GenConfig};
use conform::model::{
    ConstraintKind, Location, Member, Model, Path, Segment, Service, ShapeKind, Value, Violation,
    validate_input,
};
use conform::protocol;

use super::protocol_differential::{NEEDS_BOTOCORE, python_with_botocore};
use serde_json::{Value as Json, json};

/// Every this-many-th JSON service (sorted by name) is tested.
const SERVICE_STRIDE: usize = 90;

/// Random draws per operation and kind on top of the deterministic classes.
const DRAWS: usize = 1;

/// The generator's seed.
const SEED: u64 = 14;

/// The least number of cases compared (valid plus invalid ones botocore checks).
const MIN_COMPARED: usize = 20_000;

/// The member edge and the shape a violation's path leads to; `key` when the last map step names the key itself.
fn resolve<'s>(
    service: &'s Service,
    root: conform::model::ShapeId,
    path: &Path,
    key: bool,
) -> Option<(Option<&'s Member>, &'s conform::model::Shape)> {
    let mut shape = service.shape(root);
    let mut edge = None;
    for (i, segment) in path.0.iter().enumerate() {
        let last = i + 1 == path.0.len();
        let member = match (segment, &shape.kind) {
            (Segment::Member(name), ShapeKind::Structure(members) | ShapeKind::Union(members)) => {
                members.iter().find(|m| m.name == *name)?
            }
            (Segment::Index(_), ShapeKind::List(item)) => item,
            (Segment::Key(_), ShapeKind::Map { key: k, .. }) if last && key => k,
            (Segment::Key(_), ShapeKind::Map { value, .. }) => value,
            _ => return None,
        };
        edge = Some(member);
        shape = service.target(member);
    }
    Some((edge, shape))
}

/// The JSON type of a wrong-typed value.
fn json_type(value: &Json) -> Option<JsonType> {
    Some(match value {
        Json::String(_) => JsonType::String,
        Json::Number(_) => JsonType::Number,
        Json::Bool(_) => JsonType::Boolean,
        Json::Object(_) => JsonType::Object,
        Json::Array(_) => JsonType::Array,
        Json::Null => return None,
    })
}

/// Whether botocore's `ParamValidator` checks the constraint `violation` breaks (botocore 1.44, validate.py), given
/// the input it was found in; `key` when the violation is a map key's.
fn botocore_checks(
    service: &Service,
    root: conform::model::ShapeId,
    input: &Value,
    violation: &Violation,
    key: bool,
) -> bool {
    let Some((edge, shape)) = resolve(service, root, &violation.path, key) else {
        panic!(
            "failed to follow the violation path {} through the model",
            violation.path
        );
    };
    // A JSON value in a header is only checked for being serialisable (`_validate_jsonvalue_string`).
    let json_value_header =
        edge.is_some_and(|m| m.json_value && matches!(m.location, Location::Header(_)));
    let document = matches!(shape.kind, ShapeKind::Document);
    match violation.kind {
        ConstraintKind::Required => true,
        // None fails every type check but a document's and a JSON value's.
        ConstraintKind::Null => !document && !json_value_header,
        // `range_check` on `len(param)`: strings (enums too) and lists, never maps or blobs; `min` only.
        ConstraintKind::Length => {
            !json_value_header
                && matches!(
                    shape.kind,
                    ShapeKind::String | ShapeKind::Enum(_) | ShapeKind::List(_)
                )
                && violation.constraint.contains("greater than or equal")
        }
        ConstraintKind::Range => violation.constraint.contains("greater than or equal"),
        ConstraintKind::Pattern | ConstraintKind::Enum => false,
        ConstraintKind::Union => true,
        ConstraintKind::Type => {
            let raw = match violation.path.get(input) {
                Some(Value::Raw(raw)) => json_type(raw),
                _ => None,
            };
            let Some(raw) = raw else {
                // Another value of the wrong kind: botocore checks Python types everywhere but in documents.
                return !document && !json_value_header;
            };
            match &shape.kind {
                _ if document || json_value_header => false,
                // `isinstance(True, int)`: a boolean passes for any number, and is then range-checked as 0 or 1.
                k if k.is_numeric() => {
                    raw != JsonType::Boolean
                        || shape.constraints.min.is_some_and(|min| {
                            let as_number = violation_raw_bool(input, violation);
                            min.as_f64() > as_number
                        })
                }
                // `parse_to_aware_datetime` reads numbers (and booleans) as epoch seconds.
                ShapeKind::Timestamp => !matches!(raw, JsonType::Number | JsonType::Boolean),
                // A blob may be a str.
                ShapeKind::Blob => raw != JsonType::String,
                _ => true,
            }
        }
    }
}

/// The number a wrong-typed boolean stands for in Python (`True == 1`).
fn violation_raw_bool(input: &Value, violation: &Violation) -> f64 {
    match violation.path.get(input) {
        Some(Value::Raw(Json::Bool(true))) => 1.0,
        _ => 0.0,
    }
}

/// botocore's name for a path: `.A.B[0].C`, `.Tags.k` for a map value, `.Tags (key: k)` for a map key.
fn botocore_name(path: &Path, key: bool) -> String {
    let mut out = String::new();
    for (i, segment) in path.0.iter().enumerate() {
        match segment {
            Segment::Member(name) => {
                out.push('.');
                out.push_str(name);
            }
            Segment::Index(i) => out.push_str(&format!("[{i}]")),
            Segment::Key(k) if key && i + 1 == path.0.len() => {
                out.push_str(&format!(" (key: {k})"))
            }
            Segment::Key(k) => {
                out.push('.');
                out.push_str(k);
            }
        }
    }
    out
}

/// Known cases where botocore itself is wrong: `Service.Operation case-id-prefix` to the reason.
fn exceptions() -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for line in include_str!("param_validator_exceptions.txt").lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (name, reason) = line
            .split_once(": ")
            .unwrap_or_else(|| panic!("failed to read the exception `{line}`: no `: reason`"));
        assert!(
            !reason.trim().is_empty() && name.contains('.') && name.contains(' '),
            "failed to read the exception `{line}`: it needs `Service.Operation case-id-prefix: reason`"
        );
        out.insert(name.to_string(), reason.trim().to_string());
    }
    out
}

/// One case to send: the input botocore sees, and what conform says of it.
struct Sent {
    service: String,
    case: Case,
    input: Value,
    /// For invalid cases: each violation, whether botocore checks it, and the name botocore would give it.
    violations: Vec<(Violation, bool, String)>,
}

/// One service's cases, as a worker hands them over.
struct Batch {
    sent: Vec<Sent>,
    not_compared: BTreeMap<String, usize>,
    unplannable: Vec<String>,
}

/// Generates one service's valid and invalid cases and finds each invalid case's violations as conform sees them.
fn batch_of(mut service: Service) -> Batch {
    if let Some(json) = service.protocols.iter().copied().find(|p| p.is_json()) {
        service.protocol = json;
    }
    let mut model = Model::default();
    model.services.insert(service.name.clone(), service);
    let mut config = GenConfig::new(&model, SEED, DRAWS);
    config.kinds = vec![CaseKind::Valid, CaseKind::Invalid];
    let mut batch = Batch {
        sent: Vec::new(),
        not_compared: BTreeMap::new(),
        unplannable: Vec::new(),
    };
    for (service, op) in generate::selected_operations(&model, &config).unwrap() {
        let mut one = config.clone();
        one.operations = vec![op.name.clone()];
        if let Err(e) = generate::check(&model, &one) {
            batch
                .unplannable
                .push(format!("{}.{}: {e}", service.name, op.name));
        }
    }
    for case in generate::generate(&model, &config) {
        let (service, op) = model
            .operation_of(&case.service, &case.operation)
            .expect("a generated case names an operation of the model");
        let mut input = case.input.clone();
        protocol::fill_idempotency_tokens(service, op, &mut input);
        let violations: Vec<(Violation, bool, String)> = match (case.kind, op.input) {
            (CaseKind::Invalid, Some(root)) => {
                let key = case.id.contains("{key}");
                validate_input(service, root, &input)
                    .into_iter()
                    .map(|v| {
                        let checked = botocore_checks(service, root, &input, &v, key);
                        let name = botocore_name(&v.path, key);
                        (v, checked, name)
                    })
                    .collect()
            }
            _ => Vec::new(),
        };
        if case.kind == CaseKind::Invalid && !violations.iter().any(|(_, checked, _)| *checked) {
            *batch
                .not_compared
                .entry(case.class.to_string())
                .or_default() += 1;
        }
        batch.sent.push(Sent {
            service: service.name.clone(),
            case,
            input,
            violations,
        });
    }
    batch
}

#[test]
fn generated_inputs_agree_with_botocores_param_validator() {
    let started = Instant::now();
    let env = std::env::var_os("CONFORM_MODELS");
    let models = Models::locate(None, env.as_deref())
        .unwrap_or_else(|e| panic!("failed to find botocore's models: {e}; {NEEDS_BOTOCORE}"));
    let (python, pythonpath) = python_with_botocore(&models.root);
    let mut json_services: Vec<String> = models
        .catalog()
        .services
        .into_iter()
        .filter(|entry| entry.protocols.iter().any(|p| p.is_json()))
        .map(|entry| entry.name)
        .collect();
    json_services.sort();
    assert!(
        json_services.len() > 300,
        "only {} JSON services found",
        json_services.len()
    );
    let sample: Vec<&String> = json_services.iter().step_by(SERVICE_STRIDE).collect();

    // A pipeline, so that generating and botocore's validating overlap: workers load services and generate their
    // cases, one thread writes them to the botocore process as they come, this one reads the answers.
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/botocore_validate.py");
    let mut command = Command::new(&python);
    command
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    if let Some(path) = &pythonpath {
        command.env("PYTHONPATH", path);
    }
    let mut child = command.spawn().unwrap_or_else(|e| {
        panic!(
            "failed to start {} {}: {e}; {NEEDS_BOTOCORE}",
            python.display(),
            script.display()
        )
    });
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let stdout = child.stdout.take().expect("stdout is piped");
    let next = std::sync::atomic::AtomicUsize::new(0);
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().min(4));
    let (batches, answers) = std::thread::scope(|scope| {
        let (sender, receiver) = std::sync::mpsc::channel::<Batch>();
        for _ in 0..workers {
            let sender = sender.clone();
            let (next, models, sample) = (&next, &models, &sample);
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(name) = sample.get(i) else { break };
                    let service = models
                        .load(name)
                        .unwrap_or_else(|e| panic!("failed to load {name}: {e}"));
                    if sender.send(batch_of(service)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(sender);
        let writer = scope.spawn(move || {
            let mut out = std::io::BufWriter::new(&mut stdin);
            let mut batches = Vec::new();
            for batch in receiver {
                for s in &batch.sent {
                    let line = json!({
                        "service": s.service,
                        "operation": s.case.operation,
                        "input": s.input.to_typed_json(),
                    });
                    writeln!(out, "{line}").expect("failed to write to the botocore script");
                }
                out.flush().expect("failed to write to the botocore script");
                batches.push(batch);
            }
            batches
        });
        let answers = BufReader::new(stdout)
            .lines()
            .map(|line| {
                let line = line.expect("failed to read botocore's answer");
                serde_json::from_str::<Json>(&line)
                    .unwrap_or_else(|e| panic!("failed to parse botocore's answer {line}: {e}"))
            })
            .collect::<Vec<Json>>();
        (writer.join().expect("the writer does not panic"), answers)
    });
    let status = child
        .wait()
        .expect("failed to wait for the botocore script");
    assert!(
        status.success(),
        "scripts/botocore_validate.py failed ({status}); {NEEDS_BOTOCORE}"
    );
    let mut not_compared: BTreeMap<String, usize> = BTreeMap::new();
    let mut unplannable = Vec::new();
    let mut sent = Vec::new();
    for batch in batches {
        for (class, n) in batch.not_compared {
            *not_compared.entry(class).or_default() += n;
        }
        unplannable.extend(batch.unplannable);
        sent.extend(batch.sent);
    }
    assert_eq!(
        answers.len(),
        sent.len(),
        "botocore answered {} of {} inputs",
        answers.len(),
        sent.len()
    );

    // Compare.
    let exceptions = exceptions();
    let excepted = |s: &Sent| {
        exceptions.keys().any(|k| {
            let (op, prefix) = k.split_once(' ').unwrap_or((k, ""));
            *op == format!("{}.{}", s.service, s.case.operation) && s.case.id.starts_with(prefix)
        })
    };
    let mut failures: Vec<String> = Vec::new();
    let mut failing_ops: BTreeMap<String, usize> = BTreeMap::new();
    let (mut valid, mut checked, mut same_member, mut excused) = (0, 0, 0, 0);
    for (s, answer) in sent.iter().zip(&answers) {
        let errors = match answer.get("ok").and_then(Json::as_bool) {
            Some(true) => answer["errors"].as_array().cloned().unwrap_or_default(),
            _ => {
                failures.push(format!(
                    "{}.{} {}: botocore could not validate it: {}\n      input {}",
                    s.service,
                    s.case.operation,
                    s.case.id,
                    answer["error"],
                    s.input.to_typed_json()
                ));
                continue;
            }
        };
        let report = answer["report"].as_str().unwrap_or("");
        let names: Vec<&str> = errors.iter().filter_map(|e| e["path"].as_str()).collect();
        let problem = match s.case.kind {
            CaseKind::Valid => {
                valid += 1;
                (!errors.is_empty()).then(|| "valid, but botocore refuses it".to_string())
            }
            _ => {
                let expected: Vec<&(Violation, bool, String)> =
                    s.violations.iter().filter(|(_, c, _)| *c).collect();
                if expected.is_empty() {
                    // Nothing botocore checks is broken: it must accept the input.
                    (!errors.is_empty()).then(|| {
                        format!(
                            "invalid only where botocore does not check ({}), yet botocore refuses it",
                            s.violations
                                .iter()
                                .map(|(v, _, _)| format!("{} at {}", v.kind.as_str(), v.path))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    })
                } else {
                    checked += 1;
                    let unnamed: Vec<String> = expected
                        .iter()
                        .filter(|(_, _, name)| !names.contains(&name.as_str()))
                        .map(|(v, _, name)| format!("{} at {name}", v.kind.as_str()))
                        .collect();
                    if errors.is_empty() {
                        Some(format!(
                            "invalid ({}), yet botocore accepts it",
                            expected
                                .iter()
                                .map(|(v, _, name)| format!("{} at {name}", v.kind.as_str()))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ))
                    } else if !unnamed.is_empty() {
                        Some(format!(
                            "botocore refuses it but does not name {}",
                            unnamed.join(", ")
                        ))
                    } else {
                        same_member += 1;
                        None
                    }
                }
            }
        };
        if let Some(problem) = problem {
            if excepted(s) {
                excused += 1;
                continue;
            }
            *failing_ops
                .entry(format!("{}.{}", s.service, s.case.operation))
                .or_default() += 1;
            failures.push(format!(
                "{}.{} {} ({}): {problem}\n      input {}\n      botocore: {}",
                s.service,
                s.case.operation,
                s.case.id,
                s.case.class,
                s.input.to_typed_json(),
                report.replace('\n', "; ")
            ));
        }
    }
    let invalid = sent.len() - valid;
    let skipped: usize = not_compared.values().sum();
    eprintln!(
        "param validator differential: {} services (every {SERVICE_STRIDE}th JSON one), {} cases: {valid} valid, \
         {invalid} invalid ({checked} with a violation botocore checks, {same_member} of them refused for the same \
         member; {skipped} not compared: {not_compared:?}); {excused} excused; generated and validated in {:.1?}",
        sample.len(),
        sent.len(),
        started.elapsed()
    );
    for line in &unplannable {
        eprintln!("  not planned: {line}");
    }
    for line in failures.iter().take(40) {
        eprintln!("  {line}");
    }
    assert!(
        failures.is_empty(),
        "{} cases disagree with botocore's ParamValidator in {} operations ({failing_ops:?}); the first are listed \
         above",
        failures.len(),
        failing_ops.len()
    );
    assert!(
        valid + checked >= MIN_COMPARED,
        "only {} cases compared (valid, or invalid where botocore checks), under {MIN_COMPARED}: lower \
         SERVICE_STRIDE",
        valid + checked
    );
    assert!(
        valid > 0 && checked > 0 && skipped > 0,
        "every side is exercised"
    );
    for (name, reason) in &exceptions {
        eprintln!("  listed as an exception: {name}: {reason}");
    }
    // The classes botocore checks are compared in numbers: a generator that stopped making them would pass.
    for class in [
        CaseClass::MissingRequired,
        CaseClass::LengthBelowMin,
        CaseClass::RangeBelowMin,
        CaseClass::WrongType(JsonType::Object),
    ] {
        assert!(
            sent.iter().any(|s| s.case.class == class),
            "no {class} case among the sample"
        );
    }
}
