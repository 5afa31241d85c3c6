//! Malformed cases: requests broken at the protocol level (the protocol's malformations) or in their signature.
//!
//! The protocol says which malformations a request of the operation can carry, builds each from a correctly
//! encoded valid request, and says what AWS answers (its wire facts, as data); the signing faults are the same for
//! every protocol but their answers are the protocol's too. The oracle combines that data with the operation's
//! own expectations (a malformation AWS may ignore passes with whatever the valid input gets).

use proptest::test_runner::TestRng;

use super::Slot;
use super::plan::OpPlan;
use crate::case::{Case, CaseClass, CaseKind, Mutation, Signing};
use crate::model::{ConstraintKind, Value};
use crate::oracle::{self, Expected};
use crate::protocol::{Malformation, Protocol, WireExpectation};

/// The malformed slots of an operation (every malformation and signing fault) and the ones worth drawing again.
pub(crate) fn slots(plan: &OpPlan<'_>, protocol: &dyn Protocol) -> (Vec<Slot>, Vec<Slot>) {
    let mut fixed = Vec::new();
    let mut cycle = Vec::new();
    for m in plan.malformations(protocol) {
        let slot = Slot::new(
            CaseKind::Malformed,
            CaseClass::Protocol(m.class.to_string()),
            None,
        );
        if m.repeatable {
            cycle.push(slot.clone());
        }
        fixed.push(slot);
    }
    for signing in Signing::FAULTS {
        let slot = Slot::new(CaseKind::Malformed, CaseClass::Signing(signing), None);
        cycle.push(slot.clone());
        fixed.push(slot);
    }
    (fixed, cycle)
}

/// What a request with no input expects: the success if no member is required, else a missing-member error.
fn empty_input_expected(plan: &OpPlan<'_>, protocol: &dyn Protocol) -> Expected {
    match plan.members.iter().find(|m| m.required) {
        Some(m) => oracle::violation(
            plan.service,
            plan.op,
            m,
            ConstraintKind::Required,
            &protocol.wrong_type(),
        ),
        None => plan.valid_expected.clone(),
    }
}

/// The case of a malformation (or signing fault) over `input`, keeping `id`; `None` when it does not apply.
pub(crate) fn case_for(
    plan: &OpPlan<'_>,
    protocol: &dyn Protocol,
    class: &CaseClass,
    input: Value,
    id: String,
) -> Option<Case> {
    let valid = protocol.encode(plan.service, plan.op, &input).ok()?;
    let (request, signing, detail): (_, _, String) = match class {
        CaseClass::Signing(signing) => (valid, *signing, signing_detail(*signing).to_string()),
        CaseClass::Protocol(name) => {
            let m: &Malformation = plan
                .malformations(protocol)
                .iter()
                .find(|m| m.class == name)?;
            let request = protocol.malform(plan.service, plan.op, name, &valid)?;
            (request, m.signing, m.detail.clone())
        }
        _ => return None,
    };
    let expected = expected(plan, protocol, class)?;
    Some(Case {
        id,
        service: plan.service.name.clone(),
        operation: plan.op.name.clone(),
        kind: CaseKind::Malformed,
        class: class.clone(),
        input,
        mutation: Some(Mutation {
            path: None,
            class: class.clone(),
            detail,
        }),
        request,
        signing,
        expected,
    })
}

/// What a malformed case of `class` expects: the same whatever input it is drawn over, so it is known before the
/// input is drawn. `None` when the class is no malformation of the operation.
pub(crate) fn expected(
    plan: &OpPlan<'_>,
    protocol: &dyn Protocol,
    class: &CaseClass,
) -> Option<Expected> {
    let expect: WireExpectation = match class {
        CaseClass::Signing(signing) => protocol.signing_fault(*signing),
        CaseClass::Protocol(name) => plan
            .malformations(protocol)
            .iter()
            .find(|m| m.class == name)?
            .expect
            .clone(),
        _ => return None,
    };
    Some(oracle::wire(
        plan.service,
        plan.op,
        &expect,
        &plan.valid_expected,
        &empty_input_expected(plan, protocol),
    ))
}

fn signing_detail(signing: Signing) -> &'static str {
    match signing {
        Signing::Valid => "signed correctly",
        Signing::Unsigned => "no Authorization header",
        Signing::BadSignature => "a well-formed signature that is wrong",
        Signing::UnknownAccessKey => "signed with an access key the target does not know",
        Signing::Expired => "signed with a date outside the 15-minute window",
    }
}

/// Builds a malformed case over a random valid input.
pub(crate) fn build(
    plan: &OpPlan<'_>,
    protocol: &dyn Protocol,
    slot: &Slot,
    rng: &mut TestRng,
    id: String,
) -> Option<Case> {
    let (input, _) = plan.valid_input(rng, None, &|_| None);
    case_for(plan, protocol, &slot.class, input, id)
}

/// Whether a malformed class is built from its valid input (so that shrinking that input changes the request).
pub(crate) fn uses_input(plan: &OpPlan<'_>, protocol: &dyn Protocol, class: &CaseClass) -> bool {
    match class {
        CaseClass::Signing(_) => true,
        CaseClass::Protocol(name) => plan
            .malformations(protocol)
            .iter()
            .any(|m| m.class == name && m.uses_input),
        _ => false,
    }
}
