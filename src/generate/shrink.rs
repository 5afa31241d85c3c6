//! Shrinking a failing case toward a simpler one that fails the same way.
//!
//! Steps, depth first in member order: leave out an optional member, then replace a member by its plainest valid
//! value (shortest length, `a` or the class's first character, first enum value). What carries the case's class is
//! never touched — the mutated member and its ancestors, the boundary or enum member of a valid case, fixtures —
//! and an `optional-combo` case keeps which top-level optional members are present. The runner calls
//! [`Shrinker::simplify`] and keeps the candidate only if it fails the same way (same checks, same error type),
//! else calls [`Shrinker::complicate`], which goes back to the last failing input.

use super::malformed;
use super::plan::{Mode, OpPlan};
use crate::case::{Case, CaseClass, CaseKind};
use crate::model::{Member, Operation, Path, Segment, Service, ShapeKind, Value};
use crate::protocol::Protocol;

/// One change to the input: put a value at `path`, or remove it (`None`).
#[derive(Debug, Clone)]
struct Step {
    path: Path,
    value: Option<Value>,
}

/// A shrinkable case, as the runner drives it.
pub struct Shrinker<'a> {
    service: &'a Service,
    op: &'a Operation,
    protocol: &'static dyn Protocol,
    template: Case,
    accepted: Value,
    candidate: Option<Value>,
    steps: Vec<Step>,
    next: usize,
}

impl std::fmt::Debug for Shrinker<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shrinker")
            .field("case", &self.template.id)
            .field("steps", &self.steps.len())
            .field("next", &self.next)
            .finish()
    }
}

impl Shrinker<'_> {
    fn case_of(&self, input: &Value) -> Case {
        let mut case = self.template.clone();
        let Ok(encoded) = self.protocol.encode(self.service, self.op, input) else {
            return case;
        };
        case.request = match &case.class {
            CaseClass::Protocol(name) => {
                match self.protocol.malform(self.service, self.op, name, &encoded) {
                    Some(r) => r,
                    None => return case,
                }
            }
            _ => encoded,
        };
        case.input = input.clone();
        case
    }

    /// The case as it stands.
    pub fn current(&self) -> Case {
        self.case_of(self.candidate.as_ref().unwrap_or(&self.accepted))
    }

    /// Tries a simpler case; false when there is nothing simpler left.
    pub fn simplify(&mut self) -> bool {
        if let Some(candidate) = self.candidate.take() {
            self.accepted = candidate;
        }
        while self.next < self.steps.len() {
            let step = &self.steps[self.next];
            self.next += 1;
            let mut candidate = self.accepted.clone();
            match &step.value {
                // Left out (or its parent replaced) by an earlier step: putting it back is no simplification.
                Some(_) if step.path.get(&candidate).is_none() => continue,
                Some(v) => {
                    step.path.set(&mut candidate, v.clone());
                }
                None => {
                    step.path.remove(&mut candidate);
                }
            }
            if candidate != self.accepted {
                self.candidate = Some(candidate);
                return true;
            }
        }
        false
    }

    /// Goes back to the last case that failed; false when there is nothing to go back to.
    pub fn complicate(&mut self) -> bool {
        self.candidate.take().is_some()
    }
}

/// Whether `a` is `b` or one of its ancestors or descendants.
fn related(a: &Path, b: &Path) -> bool {
    let n = a.0.len().min(b.0.len());
    a.0[..n] == b.0[..n]
}

/// The shrinker of `case`, or `None` when it has nothing to shrink.
pub(crate) fn shrinker<'a>(
    plan: &OpPlan<'a>,
    protocol: &'static dyn Protocol,
    case: &Case,
) -> Option<Shrinker<'a>> {
    // A several-violations case is about its members being broken together: shrinking would take one away.
    if matches!(case.class, CaseClass::Example | CaseClass::Several)
        || case.kind == CaseKind::Scenario
    {
        return None;
    }
    if case.kind == CaseKind::Malformed && !malformed::uses_input(plan, protocol, &case.class) {
        return None;
    }
    let protected = case.mutation.as_ref().and_then(|m| m.path.clone());
    let keep_presence = case.class == CaseClass::OptionalCombo;
    let mut rng = super::ids::case_rng(0, "shrink");
    let mut steps = Vec::new();
    let mut walk = Walk {
        plan,
        protected: protected.as_ref(),
        keep_presence,
        steps: &mut steps,
    };
    walk.structure(plan.members, &case.input, &mut Path::root(), &mut rng, 0);
    if steps.is_empty() {
        return None;
    }
    Some(Shrinker {
        service: plan.service,
        op: plan.op,
        protocol,
        template: case.clone(),
        accepted: case.input.clone(),
        candidate: None,
        steps,
        next: 0,
    })
}

struct Walk<'p, 'a> {
    plan: &'p OpPlan<'a>,
    protected: Option<&'p Path>,
    keep_presence: bool,
    steps: &'p mut Vec<Step>,
}

impl<'a> Walk<'_, 'a> {
    fn structure(
        &mut self,
        members: &'a [Member],
        value: &Value,
        path: &mut Path,
        rng: &mut proptest::test_runner::TestRng,
        depth: usize,
    ) {
        let Value::Structure(map) = value else {
            return;
        };
        for m in members {
            let Some(v) = map.get(&m.name) else {
                continue;
            };
            path.0.push(Segment::Member(m.name.clone()));
            let touched = self.protected.is_some_and(|p| related(p, path));
            let fixture = self.plan.fixture_of(m).is_some();
            if !touched && !fixture {
                if !(m.required || self.keep_presence && depth == 0) {
                    self.steps.push(Step {
                        path: path.clone(),
                        value: None,
                    });
                }
                self.steps.push(Step {
                    path: path.clone(),
                    value: Some(self.plan.draw_member_value(m, rng, Mode::Simplest)),
                });
            } else if touched && !fixture {
                // Siblings deeper down the mutated member's ancestors may still shrink.
                if let ShapeKind::Structure(children) = &self.plan.service.target(m).kind {
                    self.structure(children, v, path, rng, depth + 1);
                }
            }
            path.0.pop();
        }
    }
}
