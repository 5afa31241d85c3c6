//! Case generation from the spec model: valid, invalid and malformed requests, each with its expected outcome.
//!
//! Nothing here knows an operation by name: every case comes from the members, constraints, fixtures, examples
//! and expectations the spec files declare, so a new spec file gets the same cases.
//!
//! # Streams, classes and counts
//! For each selected operation and kind, a stream of cases is produced lazily (memory stays flat in the number of
//! cases). A stream is a fixed list of *deterministic* cases followed by `GenConfig::cases` *drawn* ones:
//! - valid: the examples that expect success (class `example`), `boundary-min`/`boundary-max` per member with
//!   length or range bounds, `enum-value` per enum value, `pattern-edges` (two per patterned member: the low and
//!   the high ends of its classes, optional parts present), `optional-combo` (all present/absent combinations of
//!   the optional members when there are at most four, else a pairwise covering set), `fixture-unknown` per
//!   fixture with a well-formed unknown value; then `cases` draws of class `random`.
//! - invalid: the examples that expect an error, then one case per (member, mutation class) — see
//!   [`invalid`] — then `cases` draws cycling through those mutations again with fresh values.
//! - malformed: one case per protocol-level class — see [`malformed`] — then `cases` draws cycling through them
//!   (except `body-too-large`, which is built once).
//!
//! So `cases` counts the random draws *on top of* the deterministic classes, which are always included.
//!
//! # Ids and randomness
//! An id is `<Operation>-<kind>-<class>[-<member>]-<index>` and does not depend on the seed; each case draws from
//! its own ChaCha generator seeded from (seed, id) (see `ids`), so the same seed gives the same cases everywhere
//! and another seed gives other values under the same ids. The OS random generator is never used.

mod examples;
mod ids;
pub mod invalid;
pub mod malformed;
mod plan;
mod shrink;
mod strings;
mod valid;

use std::sync::Arc;

use crate::case::{Case, CaseKind};
use crate::spec::{Fixtures, Operation, Service, SpecSet};

pub use examples::{EXAMPLE as EXAMPLE_CLASS, ExampleCase, example_cases};
pub use shrink::CaseTree;

use plan::OpPlan;

/// The seed `conform gen` uses when none is given.
pub const DEFAULT_SEED: u64 = 0;

/// The random draws per operation and kind `conform gen` makes when `--cases` is not given.
pub const DEFAULT_CASES: usize = 60;

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenConfig {
    /// The run's seed: the same seed gives the same cases, with the same ids, on any machine.
    pub seed: u64,
    /// Random draws per operation and kind, on top of the deterministic classes (which are always included).
    pub cases: usize,
    /// Kinds to generate (valid, invalid, malformed); `Scenario` is ignored here. Empty means all three.
    pub kinds: Vec<CaseKind>,
    /// Operations to generate for; empty means every operation of the selected services.
    pub operations: Vec<String>,
    /// Services to generate for; empty means all.
    pub services: Vec<String>,
    /// Fixture values in force.
    pub fixtures: Fixtures,
}

impl GenConfig {
    /// A configuration for every operation and kind of `specs` with the default fixtures.
    pub fn new(specs: &SpecSet, seed: u64, cases: usize) -> Self {
        GenConfig {
            seed,
            cases,
            kinds: Vec::new(),
            operations: Vec::new(),
            services: Vec::new(),
            fixtures: Fixtures::resolve(specs, &[]).unwrap_or_default(),
        }
    }

    fn kinds(&self) -> Vec<CaseKind> {
        let all = [CaseKind::Valid, CaseKind::Invalid, CaseKind::Malformed];
        if self.kinds.is_empty() {
            all.to_vec()
        } else {
            all.into_iter().filter(|k| self.kinds.contains(k)).collect()
        }
    }
}

/// Why generation cannot start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GenError {
    /// `--operation` names no operation of the selected services.
    #[error("unknown operation `{name}`; known operations: {known}")]
    UnknownOperation {
        /// The name given.
        name: String,
        /// The operations there are, comma-separated.
        known: String,
    },
    /// `--service` names no service.
    #[error("unknown service `{name}`; known services: {known}")]
    UnknownService {
        /// The name given.
        name: String,
        /// The services there are, comma-separated.
        known: String,
    },
    /// A member can have no valid value (its constraints contradict each other, or its pattern cannot be generated).
    #[error("failed to plan `{operation}.{member}`: {reason}")]
    Plan {
        /// Operation name.
        operation: String,
        /// Member name.
        member: String,
        /// What is wrong.
        reason: String,
    },
}

/// The operations a configuration selects, in spec order; names match ignoring ASCII case.
pub fn selected_operations<'a>(
    specs: &'a SpecSet,
    config: &GenConfig,
) -> Result<Vec<(&'a Service, &'a Operation)>, GenError> {
    for name in &config.services {
        if !specs.services.keys().any(|s| s.eq_ignore_ascii_case(name)) {
            return Err(GenError::UnknownService {
                name: name.clone(),
                known: specs
                    .services
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
    }
    let in_services: Vec<(&Service, &Operation)> = specs
        .operations()
        .filter(|(s, _)| {
            config.services.is_empty()
                || config
                    .services
                    .iter()
                    .any(|n| n.eq_ignore_ascii_case(&s.name))
        })
        .collect();
    for name in &config.operations {
        if !in_services
            .iter()
            .any(|(_, op)| op.name.eq_ignore_ascii_case(name))
        {
            return Err(GenError::UnknownOperation {
                name: name.clone(),
                known: in_services
                    .iter()
                    .map(|(_, op)| op.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
    }
    Ok(in_services
        .into_iter()
        .filter(|(_, op)| {
            config.operations.is_empty()
                || config
                    .operations
                    .iter()
                    .any(|n| n.eq_ignore_ascii_case(&op.name))
        })
        .collect())
}

/// Checks that the configuration names existing services and operations and that every selected operation can
/// be generated; call it before [`generate`], which skips what it cannot plan.
pub fn check(specs: &SpecSet, config: &GenConfig) -> Result<(), GenError> {
    for (service, op) in selected_operations(specs, config)? {
        OpPlan::new(service, op, &config.fixtures)?;
    }
    Ok(())
}

/// One case to build: its class, the member it targets, which variant, and which draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Slot {
    pub(crate) kind: CaseKind,
    pub(crate) class: &'static str,
    pub(crate) site: Option<usize>,
    pub(crate) variant: u32,
    pub(crate) variants: u32,
    pub(crate) draw: u64,
}

impl Slot {
    pub(crate) fn new(kind: CaseKind, class: &'static str, site: Option<usize>) -> Self {
        Slot {
            kind,
            class,
            site,
            variant: 0,
            variants: 1,
            draw: 0,
        }
    }

    /// The same slot in each of `n` variants.
    pub(crate) fn variants(self, n: u32) -> impl Iterator<Item = Slot> {
        (0..n).map(move |variant| Slot {
            variant,
            variants: n,
            ..self
        })
    }

    pub(crate) fn id(&self, plan: &OpPlan<'_>) -> String {
        ids::case_id(
            &plan.op.name,
            self.kind.as_str(),
            self.class,
            self.site.map(|s| plan.sites[s].dotted.as_str()),
            self.draw * u64::from(self.variants) + u64::from(self.variant),
        )
    }
}

/// The slots of one operation and kind: deterministic ones, then `cases` draws.
fn slots(plan: &OpPlan<'_>, kind: CaseKind, cases: usize) -> impl Iterator<Item = Slot> + use<> {
    let (fixed, cycle, first_draw): (Vec<Slot>, Vec<Slot>, u64) = match kind {
        CaseKind::Valid => (
            valid::slots(plan),
            vec![Slot::new(CaseKind::Valid, valid::RANDOM, None)],
            0,
        ),
        CaseKind::Invalid => {
            let fixed = invalid::slots(plan);
            let cycle = fixed
                .iter()
                .copied()
                .filter(|s| s.class != examples::EXAMPLE)
                .collect();
            (fixed, cycle, 1)
        }
        CaseKind::Malformed => {
            let fixed = malformed::slots(plan);
            let cycle = fixed
                .iter()
                .copied()
                .filter(|s| malformed::is_cheap(s.class))
                .collect();
            (fixed, cycle, 1)
        }
        CaseKind::Scenario => (Vec::new(), Vec::new(), 0),
    };
    let draws = if cycle.is_empty() { 0 } else { cases };
    fixed.into_iter().chain((0..draws).map(move |d| {
        let base = cycle[d % cycle.len()];
        Slot {
            draw: first_draw + (d / cycle.len()) as u64,
            ..base
        }
    }))
}

/// Builds the case of a slot; `None` when its mutation cannot be isolated on this draw.
fn build(plan: &OpPlan<'_>, slot: &Slot, seed: u64) -> Option<Case> {
    let id = slot.id(plan);
    let mut rng = ids::case_rng(seed, &id);
    match slot.kind {
        CaseKind::Valid | CaseKind::Invalid if slot.class == examples::EXAMPLE => {
            examples::build(plan, slot, id)
        }
        CaseKind::Valid => valid::build(plan, slot, &mut rng, id),
        CaseKind::Invalid => invalid::build(plan, slot, &mut rng, id),
        CaseKind::Malformed => malformed::build(plan, slot, &mut rng, id),
        CaseKind::Scenario => None,
    }
}

/// Every case the configuration asks for, lazily: operation by operation, kind by kind (valid, invalid,
/// malformed), deterministic classes first. Operations that cannot be planned are skipped ([`check`] reports them).
pub fn generate<'a>(specs: &'a SpecSet, config: &'a GenConfig) -> impl Iterator<Item = Case> + 'a {
    let operations = selected_operations(specs, config).unwrap_or_default();
    let kinds = config.kinds();
    operations.into_iter().flat_map(move |(service, op)| {
        let plan = OpPlan::new(service, op, &config.fixtures)
            .ok()
            .map(Arc::new);
        let kinds = if plan.is_some() {
            kinds.clone()
        } else {
            Vec::new()
        };
        kinds.into_iter().flat_map(move |kind| {
            let plan = plan.clone().expect("kinds are empty without a plan");
            slots(&plan, kind, config.cases)
                .filter_map(move |slot| build(&plan, &slot, config.seed))
        })
    })
}

/// The case with this id under the configuration's seed, rebuilt without generating the others
/// (for `conform replay ID --seed N`); `None` when no selected operation has it.
pub fn find_case(specs: &SpecSet, config: &GenConfig, id: &str) -> Option<Case> {
    let operations = selected_operations(specs, config).ok()?;
    for (service, op) in operations {
        if !id.starts_with(&format!("{}-", op.name)) {
            continue;
        }
        let plan = OpPlan::new(service, op, &config.fixtures).ok()?;
        for kind in config.kinds() {
            if !id[op.name.len() + 1..].starts_with(&format!("{}-", kind.as_str())) {
                continue;
            }
            // Draws beyond `cases` are found too: the draw number is part of the id, not of the configuration.
            let draws = config.cases.max(id_index(id).unwrap_or(0) as usize + 1);
            if let Some(slot) = slots(&plan, kind, draws).find(|slot| slot.id(&plan) == id) {
                return build(&plan, &slot, config.seed);
            }
        }
    }
    None
}

fn id_index(id: &str) -> Option<u64> {
    id.rsplit('-').next()?.parse().ok()
}

/// A shrinker for a failing case: simplify/complicate walk its other members toward simple valid values while
/// the case keeps its kind, mutation and signing. `None` when the case has nothing to shrink (a body that is not
/// a JSON object, an operation not in the specs).
pub fn shrink(specs: &SpecSet, config: &GenConfig, case: &Case) -> Option<Box<dyn CaseTree>> {
    let (service, op) = specs.operation(&case.operation)?;
    let plan = OpPlan::new(service, op, &config.fixtures).ok()?;
    shrink::tree(&plan, case)
}
