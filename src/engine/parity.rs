//! `conform diff`: the same cases and scenarios, in the same order, at two targets; a difference is what the checks
//! would see differently (status, error type, or the normalised document), shown as a unified diff.

use std::sync::Arc;
use std::time::Instant;

use super::runner::{Stops, Tally, curl_for, normalised, scenario_result};
use super::session::{Session, guarded};
use super::{RunConfig, RunError, RunOutcome, Selection, emit, replay_command};
use crate::case::{Case, CaseClass};
use crate::check::{CheckName, CheckResult};
use crate::client::{Exchange, TransportError};
use crate::generate;
use crate::model::{Model, Operation, Service};
use crate::report::{BaselineTracker, CaseResult, Event, Reporter, Reproduce, RunOrigin, Summary};
use crate::scenario;

enum Item {
    Case(Box<Case>),
    Scenario(Box<scenario::Instance>),
}

/// Fires the same cases and scenarios, in the same order, at two targets and reports every difference in status,
/// error type and normalised body (the snapshot normalisation: same redactions, sensitive members masked).
///
/// Cases run one at a time so that both targets see the same sequence and state-dependent answers stay comparable.
/// `config.endpoint` (or the embedded target) is A; `against` is B. What may not run on either side runs on
/// neither: a parity comparison needs the same sequence on both.
pub async fn diff(
    model: Arc<Model>,
    mut config: RunConfig,
    mut against: RunConfig,
    reporter: &mut dyn Reporter,
) -> Result<RunOutcome, RunError> {
    let services = super::selected_services(&model, &config);
    let notes = [
        super::settle_region(&model, &mut config, &services)?,
        super::settle_region(&model, &mut against, &services)?,
    ];
    let deadline = config
        .max_time
        .map(|limit| (std::time::Instant::now() + limit, limit));
    let (real_a, real_b) = (config.real(), against.real());
    let mut blocked = config.safety.blocked(&model, real_a);
    blocked.0.extend(against.safety.blocked(&model, real_b).0);
    let selection = Selection::new(&model, &config, &blocked);
    let changing = selection.changing_operations(&model);
    let a = Session::open(&model, &config, &changing, reporter).await?;
    let b = match Session::open(&model, &against, &changing, reporter).await {
        Ok(b) => b,
        Err(e) => {
            // A is recorded (and unchanged): close it, which removes its journal, rather than leave a false alarm.
            let _ = a.close(&model, reporter).await;
            return Err(e);
        }
    };
    // One note says it for both embedded sides.
    if let Some(note) = notes.into_iter().flatten().next() {
        emit(reporter, &a.redactor, Event::Note(note))?;
    }
    a.real_notes(&config, &blocked, &selection, reporter)?;
    b.real_notes(&against, &blocked, &selection, reporter)?;
    let started = Instant::now();
    emit(
        reporter,
        &a.redactor,
        Event::RunStarted {
            seed: config.generation.seed,
            target: format!("{} against {}", a.target.label, b.target.label),
            total: None,
            phases: Vec::new(),
            origin: RunOrigin::new(super::run_digest(&model, &config), config.partition_id()),
        },
    )?;
    let mut tally = Tally {
        summary: Summary::default(),
        tracker: BaselineTracker::new(config.baseline.clone()),
        snapshots_written: 0,
    };
    let stops = Stops::new(deadline, vec![a.client.clone(), b.client.clone()]);
    let compare_all = async {
        let mut stop = stops.first();
        let cases = generate::generate(&model, &config.generation)
            .filter(|case| {
                selection.single_requests
                    && case.class != CaseClass::Example
                    && blocked.allows(&case.operation)
            })
            .map(|c| Item::Case(Box::new(c)));
        let instances = selection
            .scenarios
            .iter()
            .cloned()
            .map(|i| Item::Scenario(Box::new(i)));
        for item in cases.chain(instances) {
            let compare = async {
                match &item {
                    Item::Case(case) => {
                        let (service, op) = model
                            .operation_of(&case.service, &case.operation)
                            .expect("generated from this model");
                        let on_a = a.client.send(service, case).await;
                        let on_b = b.client.send(service, case).await;
                        parity_result(service, op, case, &config, &a, on_a, on_b)
                    }
                    Item::Scenario(instance) => {
                        let on_a = scenario::execute(
                            &model,
                            &a.client,
                            &config.generation.fixtures,
                            instance,
                        )
                        .await;
                        let on_b = scenario::execute(
                            &model,
                            &b.client,
                            &config.generation.fixtures,
                            instance,
                        )
                        .await;
                        scenario_parity(&model, &on_a, &on_b, &config, &a)
                    }
                }
            };
            tokio::select! {
                result = compare => tally.finish(result, reporter)?,
                why = &mut stop => return Ok(Some(why)),
            }
        }
        Ok(None)
    };
    let outcome = {
        use futures::FutureExt;
        std::panic::AssertUnwindSafe(compare_all)
            .catch_unwind()
            .await
    };
    drop(stops);
    let redactor = Arc::clone(&a.redactor);
    let (stopped, restored) = guarded(&model, vec![a, b], reporter, async {
        match outcome {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(result) => result,
        }
    })
    .await?;
    emit(
        reporter,
        &redactor,
        Event::RunFinished {
            summary: tally.summary.clone(),
            elapsed: started.elapsed(),
            stopped: stopped.clone(),
        },
    )?;
    reporter.finish().map_err(RunError::Report)?;
    Ok(RunOutcome {
        summary: tally.summary,
        new_deviations: tally.tracker.new_deviations(),
        updated_baseline: tally.tracker.updated(),
        gone: Vec::new(),
        snapshots_written: 0,
        stopped,
        restore: restored,
    })
}

/// The normalised text of an exchange, or the transport error, for comparison.
fn compared(
    service: &Service,
    op: &Operation,
    id: &str,
    sent: &Result<Exchange, TransportError>,
) -> String {
    match sent {
        Ok(exchange) => {
            // What the checks do not distinguish is no difference: an empty body and `{}` for an operation with
            // no output are the same answer to every SDK.
            let mut response = exchange.response.clone();
            if response.is_success()
                && op.output.is_none()
                && serde_json::from_slice::<serde_json::Value>(&response.body)
                    .is_ok_and(|v| v.as_object().is_some_and(|m| m.is_empty()))
            {
                response.body.clear();
            }
            normalised(service, op, id, &response, &[])
        }
        Err(e) => format!("no response: {}", e.kind()),
    }
}

fn parity_check(a: &str, b: &str, what: &str) -> CheckResult {
    let same = a == b;
    CheckResult {
        check: CheckName::Parity,
        passed: same,
        uncertain: false,
        expected: "the same answer from both targets".into(),
        actual: if same {
            "the same".into()
        } else {
            "different".into()
        },
        message: if same {
            format!("{what}: both targets answered alike")
        } else {
            format!(
                "{what}: the targets differ:\n{}",
                similar::TextDiff::from_lines(a, b)
                    .unified_diff()
                    .context_radius(3)
                    .header("A", "B")
            )
        },
    }
}

/// The status and error type of the other target, as structured fields of the result.
fn other_side(result: &mut CaseResult, service: &Service, b: &Result<Exchange, TransportError>) {
    result.against = Some(match b {
        Ok(e) => crate::report::Actual {
            status: e.response.status,
            error_type: crate::check::error_type_of(service, &e.response),
        },
        Err(_) => crate::report::Actual {
            status: 0,
            error_type: None,
        },
    });
}

fn parity_result(
    service: &Service,
    op: &Operation,
    case: &Case,
    config: &RunConfig,
    a: &Session,
    on_a: Result<Exchange, TransportError>,
    on_b: Result<Exchange, TransportError>,
) -> CaseResult {
    let check = parity_check(
        &compared(service, op, &case.id, &on_a),
        &compared(service, op, &case.id, &on_b),
        "response",
    );
    let reproduce = Reproduce {
        curl: curl_for(a, service, case, &case.request),
        replay: replay_command(&case.id, &service.name, config),
    };
    let response = match &on_a {
        Ok(e) => Ok(&e.response),
        Err(e) => Err(e.to_string()),
    };
    let mut result = CaseResult::new(case, service, response, vec![check], 0, reproduce);
    other_side(&mut result, service, &on_b);
    a.redactor
        .result(&mut result, on_a.as_ref().ok().map(|e| &e.request));
    result
}

fn scenario_parity(
    model: &Model,
    on_a: &scenario::Outcome,
    on_b: &scenario::Outcome,
    config: &RunConfig,
    a: &Session,
) -> CaseResult {
    let service = &model.services[&on_a.instance.service];
    let text = |o: &scenario::Outcome| -> String {
        o.steps
            .iter()
            .map(|s| {
                let body = match (&s.response, service.operations.get(&s.operation)) {
                    (Some(r), Some(op)) => normalised(service, op, &o.instance.id, r, &[]),
                    _ => "no response\n".to_string(),
                };
                format!(
                    "== step {}{} ({})\n{body}",
                    if s.cleanup { "cleanup " } else { "" },
                    s.name,
                    s.operation
                )
            })
            .collect()
    };
    let mut result = scenario_result(model, on_a, config, a);
    result.checks = vec![parity_check(&text(on_a), &text(on_b), "scenario")];
    result.expected.uncertain = false;
    result.classify();
    a.redactor.result(&mut result, None);
    result
}
