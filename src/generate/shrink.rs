//! Shrinking a failing case: a proptest `ValueTree` that walks the members the case did not break toward simple
//! valid values, keeping its kind, mutation (the violation stays the same violation) and signing.
//!
//! Steps, in member order: leave out an optional member, then replace a member by its plainest valid value
//! (shortest length, `a` or the class's first character, first enum value). Members that carry the case's class
//! (the mutated member, the boundary or enum member of a valid case, fixtures) are never touched; an
//! `optional-combo` case keeps which optional members are present. The runner calls `simplify` and keeps the
//! candidate only if it fails the same way, else calls `complicate`, which goes back to the last failing input.

use std::sync::Arc;

use proptest::strategy::ValueTree;
use serde_json::{Map, Value};

use super::examples::EXAMPLE;
use super::invalid::set_at;
use super::malformed::{self, UNKNOWN_MEMBER};
use super::plan::{Mode, OpPlan};
use crate::case::{Case, CaseKind};
use crate::protocol;
use crate::spec::Service;

/// A shrinkable case, as the runner drives it.
pub trait CaseTree {
    /// The case as it stands.
    fn current(&self) -> Case;
    /// Tries a simpler case; false when there is nothing simpler left.
    fn simplify(&mut self) -> bool;
    /// Goes back toward the last case that failed; false when there is nothing to go back to.
    fn complicate(&mut self) -> bool;
}

impl<T: ValueTree<Value = Case>> CaseTree for T {
    fn current(&self) -> Case {
        ValueTree::current(self)
    }
    fn simplify(&mut self) -> bool {
        ValueTree::simplify(self)
    }
    fn complicate(&mut self) -> bool {
        ValueTree::complicate(self)
    }
}

/// One change to the input: set the member at `path` (by names) to a value, or remove it (`None`).
#[derive(Debug, Clone)]
struct Step {
    path: Vec<String>,
    value: Option<Value>,
}

/// The value tree of a case's input.
#[derive(Debug, Clone)]
pub struct InputTree {
    service: Arc<Service>,
    template: Case,
    /// The malformed class to re-apply, for malformed cases.
    malformed: Option<String>,
    accepted: Map<String, Value>,
    candidate: Option<Map<String, Value>>,
    steps: Vec<Step>,
    next: usize,
}

impl InputTree {
    fn case_of(&self, input: &Map<String, Value>) -> Case {
        let mut case = self.template.clone();
        let Some(op) = self.service.operations.get(&case.operation) else {
            return case;
        };
        match &self.malformed {
            Some(class) => {
                if let Some((request, _)) = malformed::request_for(&self.service, op, class, input)
                {
                    case.request = request;
                }
            }
            None => case.request = protocol::input_request(&self.service, op, input),
        }
        case
    }
}

impl ValueTree for InputTree {
    type Value = Case;

    fn current(&self) -> Case {
        self.case_of(self.candidate.as_ref().unwrap_or(&self.accepted))
    }

    fn simplify(&mut self) -> bool {
        if let Some(candidate) = self.candidate.take() {
            self.accepted = candidate;
        }
        while self.next < self.steps.len() {
            let step = &self.steps[self.next];
            self.next += 1;
            if step.value.is_some() && !self.accepted.contains_key(&step.path[0]) {
                // Left out by an earlier step: replacing it would put it back.
                continue;
            }
            let mut candidate = self.accepted.clone();
            set_at(&mut candidate, &step.path, step.value.clone());
            if candidate != self.accepted {
                self.candidate = Some(candidate);
                return true;
            }
        }
        false
    }

    fn complicate(&mut self) -> bool {
        self.candidate.take().is_some()
    }
}

/// The shrinker of `case`, or `None` when it has nothing to shrink.
pub(crate) fn tree(plan: &OpPlan<'_>, case: &Case) -> Option<Box<dyn CaseTree>> {
    let class = case.mutation.as_ref().map(|m| m.class.as_str());
    if class == Some(EXAMPLE) || matches!(case.kind, CaseKind::Scenario) {
        return None;
    }
    let malformed = match case.kind {
        CaseKind::Malformed => {
            let class = class?;
            if !malformed::uses_input(class) {
                return None;
            }
            Some(class.to_string())
        }
        _ => None,
    };
    let Ok(Value::Object(mut input)) = serde_json::from_str::<Value>(&case.request.body) else {
        return None;
    };
    input.remove(UNKNOWN_MEMBER);
    let protected = case
        .mutation
        .as_ref()
        .and_then(|m| m.member.as_deref())
        .and_then(|m| m.split('.').next())
        .map(str::to_string);
    let keep_presence = class == Some("optional-combo");
    let mut rng = super::ids::case_rng(0, "shrink");
    let mut steps = Vec::new();
    for m in &plan.members {
        let name = &m.member.name;
        if !input.contains_key(name) || protected.as_deref() == Some(name) || m.fixture.is_some() {
            continue;
        }
        let path = vec![name.clone()];
        if !m.member.required && !keep_presence {
            steps.push(Step {
                path: path.clone(),
                value: None,
            });
        }
        steps.push(Step {
            path,
            value: Some(m.draw(&mut rng, Mode::Simplest)),
        });
    }
    if steps.is_empty() {
        return None;
    }
    Some(Box::new(InputTree {
        service: Arc::new(plan.service.clone()),
        template: case.clone(),
        malformed,
        accepted: input,
        candidate: None,
        steps,
        next: 0,
    }))
}
