//! Stateful scenarios: the spec's sequences of calls, run in order against one target with values drawn
//! property-based, checked step by step, cleaned up after, and shrunk toward simpler draws on failure.

use indexmap::IndexMap;
use serde_json::{Map, Value};

use crate::case::{Case, CaseClass, CaseKind, Mutation, Signing};
use crate::check::{CheckName, error_type_of, run_checks};
use crate::client::{Client, TransportError};
use crate::generate::{self, GenConfig};
use crate::model::json_form::{from_json, to_plain_json};
use crate::model::{Fixtures, Model, Predicate, Scenario, Service, Step, Value as Typed};
use crate::oracle::{self, Expected};
use crate::protocol::{self, HttpRequest, HttpResponse};
use crate::spec::template::{Reference, lookup_path, render_map};

/// One run of a scenario: its parameter values and drawn inputs.
#[derive(Debug, Clone)]
pub struct Instance {
    /// Stable id: `<service>-<scenario>[-<param values>]-<n>`.
    pub id: String,
    /// Service name.
    pub service: String,
    /// Scenario name.
    pub scenario: String,
    /// `for_each` values of this run.
    pub params: IndexMap<String, String>,
    /// The drawn valid cases, by draw name; their bodies are the inputs steps refer to.
    pub draws: IndexMap<String, Case>,
}

impl Instance {
    pub(crate) fn draw_input(&self, name: &str) -> Option<Map<String, Value>> {
        match to_plain_json(&self.draws.get(name)?.input) {
            Value::Object(map) => Some(map),
            _ => None,
        }
    }
}

/// What happened at one step.
#[derive(Debug, Clone)]
pub struct StepRecord {
    /// Step name.
    pub name: String,
    /// Operation called.
    pub operation: String,
    /// Whether it is a cleanup step.
    pub cleanup: bool,
    /// The request sent, when references could be resolved.
    pub request: Option<HttpRequest>,
    /// The typed input sent, when references could be resolved.
    pub input: Option<Typed>,
    /// The response, when one came.
    pub response: Option<HttpResponse>,
    /// Status and normalised error type that came back.
    pub actual: Option<(u16, Option<String>)>,
    /// The outcome the step expected.
    pub expected: Expected,
    /// Why the step failed, if it did.
    pub problem: Option<String>,
    /// What kind of failure, stable across draws (`outcome 404 ResourceNotFoundException`, `assert Email`):
    /// shrinking keeps only candidates that fail the same way.
    pub failure_key: Option<String>,
    /// Whether the step's response is snapshotted.
    pub snapshot: bool,
}

impl StepRecord {
    /// The accepted outcomes, for reports.
    pub fn expected_text(&self) -> String {
        outcome_text(&self.expected)
    }

    /// What came back, for reports.
    pub fn actual_text(&self) -> String {
        match &self.actual {
            Some((status, Some(error))) => format!("{status} {error}"),
            Some((status, None)) => format!("{status} success"),
            None => "no response".to_string(),
        }
    }

    /// See [`StepRecord::failure_key`].
    pub fn problem_class(&self) -> Option<&str> {
        self.failure_key.as_deref()
    }
}

/// How an instance ended.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The instance.
    pub instance: Instance,
    /// Every step run, cleanup included.
    pub steps: Vec<StepRecord>,
    /// The first step that failed (not cleanup), if any.
    pub failed_step: Option<usize>,
    /// A transport failure that stopped the scenario.
    pub transport_error: Option<String>,
    /// Whether the failing step's expectation was uncertain.
    pub uncertain: bool,
}

impl Outcome {
    /// Whether every step (cleanup included) did what it should.
    pub fn passed(&self) -> bool {
        self.transport_error.is_none() && self.steps.iter().all(|s| s.problem.is_none())
    }

    /// The failing step, the one a report names.
    pub fn failing(&self) -> Option<&StepRecord> {
        self.failed_step
            .map(|i| &self.steps[i])
            .or_else(|| self.steps.iter().find(|s| s.problem.is_some()))
    }

    /// The mutation a report shows: which scenario, with which values, failed where.
    pub fn mutation(&self) -> Mutation {
        let params: Vec<String> = self
            .instance
            .params
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let mut detail = format!("scenario `{}`", self.instance.scenario);
        if !params.is_empty() {
            detail.push_str(&format!(" ({})", params.join(", ")));
        }
        match (self.failing(), &self.transport_error) {
            (_, Some(e)) => detail.push_str(&format!(": stopped by a transport error: {e}")),
            (Some(step), None) => detail.push_str(&format!(
                ": {}step `{}` ({}) failed: {}",
                if step.cleanup { "cleanup " } else { "" },
                step.name,
                step.operation,
                step.problem.as_deref().unwrap_or("")
            )),
            (None, None) => detail.push_str(": every step passed"),
        }
        Mutation {
            path: None,
            class: CaseClass::Scenario(self.instance.scenario.clone()),
            detail,
        }
    }
}

/// The instances to run: for each selected scenario, each combination of `for_each` values, `per_scenario` draws.
pub fn instances(specs: &Model, generation: &GenConfig, per_scenario: usize) -> Vec<Instance> {
    let mut out = Vec::new();
    for service in specs.services.values() {
        if !generation.services.is_empty()
            && !generation
                .services
                .iter()
                .any(|s| s.eq_ignore_ascii_case(&service.name))
        {
            continue;
        }
        for scenario in &service.rules.scenarios {
            let touches_selected = generation.operations.is_empty()
                || scenario
                    .steps
                    .iter()
                    .any(|s| generation.operations.contains(&s.operation));
            if !touches_selected {
                continue;
            }
            for params in combinations(&scenario.for_each) {
                let suffix: Vec<&str> = params.values().map(String::as_str).collect();
                for n in 0..per_scenario.max(1) {
                    let mut id = format!("{}-scenario-{}", service.name, scenario.name);
                    for s in &suffix {
                        id.push('-');
                        id.push_str(&s.to_ascii_lowercase());
                    }
                    id.push_str(&format!("-{n}"));
                    let draws = scenario
                        .draws
                        .iter()
                        .filter_map(|(name, op)| {
                            draw(specs, generation, &service.name, &id, name, op, n)
                                .map(|c| (name.clone(), c))
                        })
                        .collect();
                    out.push(Instance {
                        id,
                        service: service.name.clone(),
                        scenario: scenario.name.clone(),
                        params: params.clone(),
                        draws,
                    });
                }
            }
        }
    }
    out
}

/// Every combination of parameter values, in declaration order; one empty combination without parameters.
pub fn combinations(for_each: &IndexMap<String, Vec<String>>) -> Vec<IndexMap<String, String>> {
    let mut out = vec![IndexMap::new()];
    for (name, values) in for_each {
        out = out
            .into_iter()
            .flat_map(|partial| {
                values.iter().map(move |v| {
                    let mut next = partial.clone();
                    next.insert(name.clone(), v.clone());
                    next
                })
            })
            .collect();
    }
    out
}

/// The `n`-th random valid case of `operation`, from a seed derived from the run's seed and the draw's place.
fn draw(
    specs: &Model,
    generation: &GenConfig,
    service: &str,
    instance_id: &str,
    name: &str,
    operation: &str,
    n: usize,
) -> Option<Case> {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("{}/{instance_id}/{name}", generation.seed).as_bytes());
    let seed = u64::from_be_bytes(digest[..8].try_into().expect("8 bytes"));
    let config = GenConfig {
        seed,
        cases: n + 1,
        kinds: vec![CaseKind::Valid],
        operations: vec![operation.to_string()],
        services: vec![service.to_string()],
        fixtures: generation.fixtures.clone(),
        leave_out: Default::default(),
        partition: None,
    };
    // Straight to the n-th random draw: building every deterministic case first made draws cost more than linear.
    generate::find_case(specs, &config, &format!("{operation}-valid-random-{n}"))
}

/// Runs every step of an instance in order, then its cleanup, against `client`.
pub async fn execute(
    specs: &Model,
    client: &Client,
    fixtures: &Fixtures,
    instance: &Instance,
) -> Outcome {
    let service = &specs.services[&instance.service];
    let scenario = service
        .rules
        .scenarios
        .iter()
        .find(|s| s.name == instance.scenario)
        .expect("instances come from these specs");
    let mut outputs: IndexMap<String, Value> = IndexMap::new();
    let mut steps = Vec::new();
    let mut failed_step = None;
    let mut transport_error = None;
    let mut uncertain = false;
    for step in &scenario.steps {
        let record = run_step(
            service, scenario, step, false, client, fixtures, instance, &outputs,
        )
        .await;
        match record {
            Ok((record, output)) => {
                let failed = record.problem.is_some();
                if failed {
                    // Unsure which error, never whether: only an answer AWS could plausibly give is uncertain.
                    uncertain = record
                        .failure_key
                        .as_deref()
                        .is_some_and(|k| k.starts_with("outcome"))
                        && record.actual.as_ref().is_some_and(|(status, error)| {
                            record.expected.excuses(*status, error.as_deref())
                        });
                }
                outputs.insert(step.name.clone(), output);
                steps.push(record);
                if failed {
                    failed_step = Some(steps.len() - 1);
                    break;
                }
            }
            Err(e) => {
                transport_error = Some(e.to_string());
                break;
            }
        }
    }
    // Cleanup always runs, so that a failed scenario does not leave its state behind.
    for step in &scenario.cleanup {
        match run_step(
            service, scenario, step, true, client, fixtures, instance, &outputs,
        )
        .await
        {
            Ok((record, output)) => {
                outputs.insert(step.name.clone(), output);
                steps.push(record);
            }
            Err(e) => {
                transport_error.get_or_insert(e.to_string());
            }
        }
    }
    Outcome {
        instance: instance.clone(),
        steps,
        failed_step,
        transport_error,
        uncertain,
    }
}

#[allow(clippy::too_many_arguments)]
async fn run_step(
    service: &Service,
    _scenario: &Scenario,
    step: &Step,
    cleanup: bool,
    client: &Client,
    fixtures: &Fixtures,
    instance: &Instance,
    outputs: &IndexMap<String, Value>,
) -> Result<(StepRecord, Value), TransportError> {
    let lookup = |r: &Reference| -> Option<Value> {
        match r {
            Reference::Param(name) => instance.params.get(name).map(|v| Value::String(v.clone())),
            Reference::Fixture(key) => fixtures.get(key).map(|v| Value::String(v.to_string())),
            Reference::Draw(name, path) => {
                lookup_path(&Value::Object(instance.draw_input(name)?), path).cloned()
            }
            Reference::Step(name, path) => lookup_path(outputs.get(name)?, path).cloned(),
        }
    };
    send_step(
        service,
        step,
        cleanup,
        client,
        format!("{}-{}", instance.id, step.name),
        &lookup,
    )
    .await
}

/// Sends one step, and re-sends a polling step until its expected outcome and assertions hold or its tries run out
/// (AWS applies some changes asynchronously: the last answer is the one judged).
async fn send_step(
    service: &Service,
    step: &Step,
    cleanup: bool,
    client: &Client,
    case_id: String,
    lookup: &dyn Fn(&Reference) -> Option<Value>,
) -> Result<(StepRecord, Value), TransportError> {
    let Some(poll) = step.poll else {
        return send_once(service, step, cleanup, client, case_id, lookup).await;
    };
    let mut tries = 1;
    loop {
        let (record, body) =
            send_once(service, step, cleanup, client, case_id.clone(), lookup).await?;
        // Only the outcome and the assertions can settle; a malformed answer is judged at once.
        let settling = record
            .failure_key
            .as_deref()
            .is_some_and(|k| k.starts_with("outcome") || k.starts_with("assert"));
        if !settling || tries >= poll.tries {
            return Ok((record, body));
        }
        tries += 1;
        tokio::time::sleep(std::time::Duration::from_millis(poll.interval_ms)).await;
    }
}

/// Sends one step with its references resolved by `lookup`, follows pagination, and checks its expected outcome
/// and assertions. Its response body (all pages merged) is what later steps refer to.
async fn send_once(
    service: &Service,
    step: &Step,
    cleanup: bool,
    client: &Client,
    case_id: String,
    lookup: &dyn Fn(&Reference) -> Option<Value>,
) -> Result<(StepRecord, Value), TransportError> {
    let op = &service.operations[&step.operation];
    let mut expected = oracle::step(service, op, &step.expect);
    if step.may_succeed {
        // Unsure whether the request fails at all: a success is plausible, so reported uncertain.
        expected.must_fail = false;
        expected.plausible.success = true;
    }
    let mut record = StepRecord {
        name: step.name.clone(),
        operation: step.operation.clone(),
        cleanup,
        request: None,
        input: None,
        response: None,
        actual: None,
        expected: expected.clone(),
        problem: None,
        failure_key: None,
        snapshot: step.snapshot,
    };
    let input = match render_map(&step.input, lookup) {
        Ok(input) => input,
        Err(why) => {
            record.problem = Some(format!("the step's input could not be built: {why}"));
            record.failure_key = Some("input".to_string());
            return Ok((record, Value::Null));
        }
    };
    let Some(protocol) = protocol::for_id(service.protocol) else {
        record.problem = Some(format!("conform does not speak {} yet", service.protocol));
        record.failure_key = Some("protocol".to_string());
        return Ok((record, Value::Null));
    };
    let typed = |input: &Map<String, Value>| -> Typed {
        match op.input {
            Some(shape) => from_json(service, shape, &Value::Object(input.clone())),
            None => Typed::structure(),
        }
    };
    let typed_input = typed(&input);
    let request = match protocol.encode(service, op, &typed_input) {
        Ok(r) => r,
        Err(e) => {
            record.problem = Some(format!("the step's request could not be built: {e}"));
            record.failure_key = Some("input".to_string());
            return Ok((record, Value::Null));
        }
    };
    let case = Case {
        id: case_id,
        service: service.name.clone(),
        operation: op.name.clone(),
        kind: CaseKind::Scenario,
        class: CaseClass::Scenario(step.name.clone()),
        input: typed_input.clone(),
        mutation: None,
        request: request.clone(),
        signing: Signing::Valid,
        expected: expected.clone(),
    };
    let exchange = client.send(service, &case).await?;
    let response = exchange.response;
    let error_type = error_type_of(service, &response);
    let mut body: Value = if (200..300).contains(&response.status) {
        to_plain_json(&protocol.decode_output(service, op, &response).value)
    } else {
        Value::Null
    };
    // A paginated operation's assertions are about the whole list, not its first page: follow NextToken.
    let paginated = service
        .input_members(op)
        .iter()
        .any(|m| m.name == "NextToken");
    if (200..300).contains(&response.status) && paginated {
        const MAX_PAGES: usize = 50;
        let mut pages = 1;
        while let Some(token) = body
            .get("NextToken")
            .and_then(Value::as_str)
            .map(str::to_string)
        {
            if pages == MAX_PAGES {
                break;
            }
            pages += 1;
            let mut next_input = input.clone();
            next_input.insert("NextToken".into(), Value::String(token));
            let Ok(next_request) = protocol.encode(service, op, &typed(&next_input)) else {
                break;
            };
            let next = client
                .send_request(service, &next_request, Signing::Valid)
                .await?;
            let Value::Object(page) =
                to_plain_json(&protocol.decode_output(service, op, &next.response).value)
            else {
                break;
            };
            merge_page(&mut body, page);
        }
    }
    if !expected.accepts(response.status, error_type.as_deref()) {
        record.failure_key = Some(format!(
            "outcome {} {}",
            response.status,
            error_type.as_deref().unwrap_or("")
        ));
        record.problem = Some(format!(
            "expected {}, got {}{}",
            outcome_text(&expected),
            response.status,
            error_type
                .as_ref()
                .map(|e| format!(" {e}"))
                .unwrap_or_default()
        ));
    } else if (200..300).contains(&response.status) {
        for assertion in &step.assertions {
            let actual = lookup_path(&body, &assertion.path);
            let problem = match &assertion.predicate {
                Predicate::Absent => actual.filter(|v| !v.is_null()).map(|v| {
                    format!(
                        "`{}` should be absent, is {}",
                        assertion.path,
                        shown(v, service, op, &assertion.path)
                    )
                }),
                Predicate::Equals(want) => match crate::spec::template::render(want, lookup) {
                    Err(why) => Some(format!(
                        "the assertion on `{}` could not be built: {why}",
                        assertion.path
                    )),
                    Ok(want) if actual == Some(&want) => None,
                    Ok(want) => Some(format!(
                        "`{}` is {}, expected {}",
                        assertion.path,
                        actual.map_or("absent".to_string(), |v| shown(
                            v,
                            service,
                            op,
                            &assertion.path
                        )),
                        shown(&want, service, op, &assertion.path)
                    )),
                },
                Predicate::OneOf(choices) => {
                    let rendered: Result<Vec<Value>, _> = choices
                        .iter()
                        .map(|c| crate::spec::template::render(c, lookup))
                        .collect();
                    match rendered {
                        Err(why) => Some(format!(
                            "the assertion on `{}` could not be built: {why}",
                            assertion.path
                        )),
                        Ok(choices) if actual.is_some_and(|a| choices.contains(a)) => None,
                        Ok(choices) => Some(format!(
                            "`{}` is {}, expected one of {}",
                            assertion.path,
                            actual.map_or("absent".to_string(), |v| shown(
                                v,
                                service,
                                op,
                                &assertion.path
                            )),
                            choices
                                .iter()
                                .map(|c| shown(c, service, op, &assertion.path))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )),
                    }
                }
                Predicate::Contains(want) => match crate::spec::template::render(want, lookup) {
                    Err(why) => Some(format!(
                        "the assertion on `{}` could not be built: {why}",
                        assertion.path
                    )),
                    Ok(want)
                        if actual
                            .and_then(Value::as_array)
                            .is_some_and(|items| items.contains(&want)) =>
                    {
                        None
                    }
                    Ok(want) => Some(format!(
                        "`{}` does not contain {} (it is {})",
                        assertion.path,
                        shown(&want, service, op, &assertion.path),
                        actual.map_or("absent".to_string(), |v| excerpt(&v.to_string()))
                    )),
                },
            };
            if problem.is_some() {
                record.problem = problem;
                record.failure_key = Some(format!("assert {}", assertion.path));
                break;
            }
        }
    }
    // Every step's response gets the checks a single case gets: its form does not depend on the scenario.
    if record.problem.is_none() {
        let form = [
            CheckName::ErrorBody,
            CheckName::OutputShape,
            CheckName::ContentType,
            CheckName::RequestId,
        ];
        if let Some(failed) = run_checks(service, op, &case, &response, &form)
            .into_iter()
            .find(|c| c.is_deviation())
        {
            record.failure_key = Some(format!("check {}", failed.check));
            record.problem = Some(failed.message);
        }
    }
    record.actual = Some((response.status, error_type));
    record.request = Some(exchange.request);
    record.input = Some(typed_input);
    record.response = Some(response);
    Ok((record, body))
}

/// Appends a page's lists to the ones gathered so far, and takes its NextToken (or drops it on the last page).
fn merge_page(body: &mut Value, page: Map<String, Value>) {
    let Value::Object(gathered) = body else {
        return;
    };
    gathered.remove("NextToken");
    for (key, value) in page {
        match (gathered.get_mut(&key), value) {
            (Some(Value::Array(items)), Value::Array(more)) => items.extend(more),
            (_, value) => {
                gathered.insert(key, value);
            }
        }
    }
}

/// The start of a long text, for messages.
fn excerpt(text: &str) -> String {
    const MAX: usize = 300;
    if text.chars().count() <= MAX {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(MAX).collect::<String>())
    }
}

/// A value for a message: masked when the member at the end of `path` is sensitive.
fn shown(value: &Value, service: &Service, op: &crate::model::Operation, path: &str) -> String {
    let sensitive = crate::model::Path::parse(path)
        .is_some_and(|p| crate::redact::output_path_is_sensitive(service, op, &p));
    if sensitive {
        crate::redact::MASK.to_string()
    } else {
        value.to_string()
    }
}

fn outcome_text(expected: &Expected) -> String {
    expected
        .accept
        .iter()
        .map(|o| match &o.error_type {
            Some(e) => format!("{} {e}", o.status),
            None => format!("{} success", o.status),
        })
        .collect::<Vec<_>>()
        .join(" or ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combinations_cover_every_value_pair() {
        let mut for_each = IndexMap::new();
        for_each.insert("a".to_string(), vec!["1".to_string(), "2".to_string()]);
        for_each.insert(
            "b".to_string(),
            vec!["x".to_string(), "y".to_string(), "z".to_string()],
        );
        assert_eq!(combinations(&for_each).len(), 6);
        assert_eq!(combinations(&IndexMap::new()).len(), 1);
    }

    #[test]
    fn instances_are_stable_and_draw_valid_inputs() {
        let specs = crate::spec::embedded_model().unwrap();
        let generation = GenConfig::new(&specs, 7, 1);
        let first = instances(&specs, &generation, 2);
        let again = instances(&specs, &generation, 2);
        let ids: Vec<&str> = first.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids, again.iter().map(|i| i.id.as_str()).collect::<Vec<_>>());
        assert!(
            ids.contains(&"account-scenario-put-then-get-billing-0"),
            "{ids:?}"
        );
        // Account: 5 scenarios x 3 contact types + 3 without parameters; WorkMail: 5; two draws each.
        assert_eq!(first.len(), (5 * 3 + 3 + 5) * 2);
        let put = first.iter().find(|i| i.scenario == "put-then-get").unwrap();
        let (service, op) = specs.operation("PutAlternateContact").unwrap();
        assert_eq!(
            crate::model::validate_input(service, op.input.unwrap(), &put.draws["contact"].input),
            vec![]
        );
        let other = instances(&specs, &GenConfig::new(&specs, 8, 1), 2);
        assert_ne!(
            put.draw_input("contact"),
            other
                .iter()
                .find(|i| i.id == put.id)
                .unwrap()
                .draw_input("contact"),
            "another seed draws other values"
        );
    }
}
