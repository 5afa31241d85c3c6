//! The documents' examples as fixed cases, with the setup calls the runner makes before each.

use super::plan::OpPlan;
use super::{GenConfig, Slot, protocol_of, selected_operations};
use crate::case::{Case, CaseClass, CaseKind, Mutation, Signing};
use crate::model::json_form::from_json;
use crate::model::{Fixtures, Model, Operation, Service, Value, validate_input};
use crate::oracle;
use crate::protocol::{HttpRequest, Protocol};

/// An example case and the requests to send before it (in order, signed as usual), so that the target is in the
/// state the example needs; a setup call's outcome is not checked here.
#[derive(Debug, Clone)]
pub struct ExampleCase {
    /// Each setup call: the operation's name, its input and its request.
    pub setup: Vec<(String, Value, HttpRequest)>,
    /// The example itself: kind `valid` when it expects success, else `invalid`; class `example`.
    pub case: Case,
}

/// The example slots of one operation for `kind`: success examples are valid, the others invalid.
pub(crate) fn slots(plan: &OpPlan<'_>, kind: CaseKind) -> Vec<Slot> {
    plan.op
        .rules
        .examples
        .iter()
        .enumerate()
        .filter(|(_, e)| example_kind(&e.expect.accept) == kind)
        .map(|(i, _)| Slot {
            kind,
            class: CaseClass::Example,
            site: None,
            variant: i as u32,
            variants: 1,
            draw: 0,
        })
        .collect()
}

fn example_kind(accept: &[crate::model::Outcome]) -> CaseKind {
    if accept.iter().all(|o| o.error_type.is_none()) {
        CaseKind::Valid
    } else {
        CaseKind::Invalid
    }
}

/// The typed input of an example's JSON, with fixture members taking the run's fixture values, so that an
/// example naming the documents' account runs against the account the user configured.
fn example_input(
    service: &Service,
    op: &Operation,
    input: &serde_json::Map<String, serde_json::Value>,
    fixtures: &Fixtures,
) -> Value {
    let mut value = match op.input {
        Some(shape) => from_json(service, shape, &serde_json::Value::Object(input.clone())),
        None => Value::structure(),
    };
    if let Value::Structure(map) = &mut value {
        for member in service.input_members(op) {
            if let Some(key) = &member.rules.fixture
                && map.contains_key(&member.name)
                && let Some(fixture) = fixtures
                    .get(key)
                    .or_else(|| service.rules.fixtures.get(key).map(|f| f.default.as_str()))
            {
                map.insert(member.name.clone(), Value::String(fixture.to_string()));
            }
        }
    }
    value
}

/// Builds the case of an example slot (its index is the slot's variant).
pub(crate) fn build(
    plan: &OpPlan<'_>,
    protocol: &dyn Protocol,
    slot: &Slot,
    id: String,
) -> Option<Case> {
    let example = plan.op.rules.examples.get(slot.variant as usize)?;
    let input = example_input(plan.service, plan.op, &example.input, &plan.fixtures);
    let expected = oracle::example(plan.service, plan.op, &example.expect);
    let violations = plan
        .op
        .input
        .map(|shape| validate_input(plan.service, shape, &input))
        .unwrap_or_default();
    let path = match violations.as_slice() {
        [one] => Some(one.path.clone()),
        _ => None,
    };
    let request = protocol.encode(plan.service, plan.op, &input).ok()?;
    Some(Case {
        id,
        service: plan.service.name.clone(),
        operation: plan.op.name.clone(),
        kind: example_kind(&expected.accept),
        class: CaseClass::Example,
        input,
        mutation: Some(Mutation {
            path,
            class: CaseClass::Example,
            detail: match &example.note {
                Some(note) => format!("{} ({note})", example.title),
                None => example.title.clone(),
            },
        }),
        request,
        signing: Signing::Valid,
        expected,
    })
}

/// Every example of the selected operations with its setup requests, in model order. The same cases are in
/// [`super::generate`]'s stream (valid or invalid, class `example`) without their setup.
pub fn example_cases(model: &Model, config: &GenConfig) -> Vec<ExampleCase> {
    let mut out = Vec::new();
    for (service, op) in selected_operations(model, config).unwrap_or_default() {
        let Ok(protocol) = protocol_of(service) else {
            continue;
        };
        let Ok(plan) = OpPlan::new(service, op, &config.fixtures) else {
            continue;
        };
        for kind in [CaseKind::Valid, CaseKind::Invalid] {
            for slot in slots(&plan, kind) {
                let Some(case) = build(&plan, protocol, &slot, slot.id(&plan)) else {
                    continue;
                };
                let example = &op.rules.examples[slot.variant as usize];
                let setup = example
                    .setup
                    .iter()
                    .filter_map(|call| {
                        let setup_op = service.operations.get(&call.operation)?;
                        let input = example_input(service, setup_op, &call.input, &config.fixtures);
                        let request = protocol.encode(service, setup_op, &input).ok()?;
                        Some((call.operation.clone(), input, request))
                    })
                    .collect();
                out.push(ExampleCase { setup, case });
            }
        }
    }
    out
}
