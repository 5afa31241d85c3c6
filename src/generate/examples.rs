//! The documents' examples as fixed cases, with the setup calls the runner makes before each.

use serde_json::{Map, Value};

use super::plan::OpPlan;
use super::{GenConfig, Slot, selected_operations};
use crate::case::{Case, CaseKind, Expected, Mutation, Signing, WireRequest};
use crate::protocol;
use crate::spec::validate::validate_members;
use crate::spec::{Fixtures, Operation, Service, SpecSet};

/// Class of the example cases.
pub const EXAMPLE: &str = "example";

/// An example case and the requests to send before it (in order, signed as usual), so that the target is in the
/// state the example needs; a setup call's outcome is not checked here.
#[derive(Debug, Clone)]
pub struct ExampleCase {
    /// Each setup call: the operation's name and its request.
    pub setup: Vec<(String, WireRequest)>,
    /// The example itself: kind `valid` when it expects success, else `invalid`; mutation class `example`.
    pub case: Case,
}

/// The example slots of one operation for `kind`: success examples are valid, the others invalid.
pub(crate) fn slots(plan: &OpPlan<'_>, kind: CaseKind) -> Vec<Slot> {
    plan.op
        .examples
        .iter()
        .enumerate()
        .filter(|(_, e)| example_kind(&Expected::from(&e.expect)) == kind)
        .map(|(i, _)| Slot {
            kind,
            class: EXAMPLE,
            site: None,
            variant: i as u32,
            variants: 1,
            draw: 0,
        })
        .collect()
}

fn example_kind(expected: &Expected) -> CaseKind {
    if expected.accept.iter().all(|o| o.error_type.is_none()) {
        CaseKind::Valid
    } else {
        CaseKind::Invalid
    }
}

/// Fixture members take the run's fixture values, so that an example naming the documents' account runs against
/// the account the user configured.
fn with_fixtures(
    service: &Service,
    op: &Operation,
    input: &Map<String, Value>,
    fixtures: &Fixtures,
) -> Map<String, Value> {
    let mut input = input.clone();
    for member in &op.input {
        if let Some(key) = &member.fixture
            && input.contains_key(&member.name)
            && let Some(value) = fixtures
                .get(key)
                .or_else(|| service.fixtures.get(key).map(|f| f.default.as_str()))
        {
            input.insert(member.name.clone(), Value::String(value.to_string()));
        }
    }
    input
}

/// Builds the case of an example slot (its index is the slot's variant).
pub(crate) fn build(plan: &OpPlan<'_>, slot: &Slot, id: String) -> Option<Case> {
    let example = plan.op.examples.get(slot.variant as usize)?;
    let input = with_fixtures(plan.service, plan.op, &example.input, &plan.fixtures);
    let expected = Expected::from(&example.expect);
    let violations = validate_members(&plan.op.input, &input);
    let member = match violations.as_slice() {
        [one] => Some(one.dotted_path()),
        _ => None,
    };
    Some(Case {
        id,
        service: plan.service.name.clone(),
        operation: plan.op.name.clone(),
        kind: example_kind(&expected),
        mutation: Some(Mutation {
            member,
            class: EXAMPLE.to_string(),
            detail: match &example.note {
                Some(note) => format!("{} ({note})", example.title),
                None => example.title.clone(),
            },
        }),
        request: protocol::input_request(plan.service, plan.op, &input),
        signing: Signing::Valid,
        expected,
    })
}

/// Every example of the selected operations with its setup requests, in spec order. The same cases are in
/// [`super::generate`]'s stream (valid or invalid, class `example`) without their setup.
pub fn example_cases(specs: &SpecSet, config: &GenConfig) -> Vec<ExampleCase> {
    let mut out = Vec::new();
    for (service, op) in selected_operations(specs, config).unwrap_or_default() {
        let Ok(plan) = OpPlan::new(service, op, &config.fixtures) else {
            continue;
        };
        for kind in [CaseKind::Valid, CaseKind::Invalid] {
            for slot in slots(&plan, kind) {
                let Some(case) = build(&plan, &slot, slot.id(&plan)) else {
                    continue;
                };
                let example = &op.examples[slot.variant as usize];
                let setup = example
                    .setup
                    .iter()
                    .filter_map(|call| {
                        let setup_op = service.operations.get(&call.operation)?;
                        let input = with_fixtures(service, setup_op, &call.input, &config.fixtures);
                        Some((
                            call.operation.clone(),
                            protocol::input_request(service, setup_op, &input),
                        ))
                    })
                    .collect();
                out.push(ExampleCase { setup, case });
            }
        }
    }
    out
}
