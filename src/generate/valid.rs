//! Valid cases: boundaries, enum values, pattern edges, optional-member combinations, unknown fixtures, random draws.

use proptest::test_runner::TestRng;

use super::plan::{Mode, OpPlan};
use super::strings::Pick;
use super::{Slot, examples};
use crate::case::{Case, CaseClass, CaseKind, Mutation, Signing};
use crate::model::{Path, ShapeKind};
use crate::oracle;
use crate::protocol::Protocol;

/// The deterministic valid slots of an operation.
pub(crate) fn slots(plan: &OpPlan<'_>) -> Vec<Slot> {
    let mut out = examples::slots(plan, CaseKind::Valid);
    let slot = |class, site| Slot::new(CaseKind::Valid, class, site);
    for (site, s) in plan.sites.iter().enumerate() {
        let member = s.member;
        let (min, max) = plan.has_bounds(member);
        if min {
            out.push(slot(CaseClass::BoundaryMin, Some(site)));
        }
        if max {
            out.push(slot(CaseClass::BoundaryMax, Some(site)));
        }
        let plain = plan.fixture_of(member).is_none() && plan.email_of(member).is_none();
        if plain {
            match &plan.service.target(member).kind {
                ShapeKind::Enum(values) => {
                    out.extend(slot(CaseClass::EnumValue, Some(site)).variants(values.len() as u32))
                }
                ShapeKind::IntEnum(values) => {
                    out.extend(slot(CaseClass::EnumValue, Some(site)).variants(values.len() as u32))
                }
                _ => {}
            }
        }
        if plan.has_pattern(member) {
            out.extend(slot(CaseClass::PatternEdges, Some(site)).variants(2));
        }
        if plan.unknown_fixture(member).is_some() {
            out.push(slot(CaseClass::FixtureUnknown, Some(site)));
        }
    }
    if !plan.optional.is_empty() {
        let rows = combo_rows(plan.optional.len());
        out.extend(slot(CaseClass::OptionalCombo, None).variants(rows.len() as u32));
    }
    out
}

/// Present/absent rows over `k` optional members: all `2^k` when `k <= 4`, else a pairwise covering set (all
/// absent, all present, and for each bit of the member index the members with that bit set, and its complement:
/// any two members differ in some bit, so every pair meets in all four combinations).
pub(crate) fn combo_rows(k: usize) -> Vec<Vec<bool>> {
    if k <= 4 {
        return (0..1u32 << k)
            .map(|mask| (0..k).map(|i| mask & (1 << i) != 0).collect())
            .collect();
    }
    let bits = usize::BITS - (k - 1).leading_zeros();
    let mut rows = vec![vec![false; k], vec![true; k]];
    for b in 0..bits {
        let row: Vec<bool> = (0..k).map(|i| i & (1 << b) != 0).collect();
        rows.push(row.iter().map(|p| !p).collect());
        rows.push(row);
    }
    rows
}

/// Builds a valid case.
pub(crate) fn build(
    plan: &OpPlan<'_>,
    protocol: &dyn Protocol,
    slot: &Slot,
    rng: &mut TestRng,
    id: String,
) -> Option<Case> {
    let site = slot.site.map(|s| &plan.sites[s]);
    let (mode, detail) = match slot.class {
        CaseClass::BoundaryMin => (Mode::Min, "the shortest (smallest) valid value".to_string()),
        CaseClass::BoundaryMax => (Mode::Max, "the longest (largest) valid value".to_string()),
        CaseClass::EnumValue => (
            Mode::Enum(slot.variant as usize),
            format!("enum value #{}", slot.variant + 1),
        ),
        CaseClass::PatternEdges if slot.variant == 0 => (
            Mode::Edge(Pick::EdgeLow),
            "optional parts present, characters at the low ends of the pattern's classes"
                .to_string(),
        ),
        CaseClass::PatternEdges => (
            Mode::Edge(Pick::EdgeHigh),
            "optional parts present, characters at the high ends of the pattern's classes"
                .to_string(),
        ),
        CaseClass::FixtureUnknown => (Mode::Unknown, String::new()),
        _ => (Mode::Random, String::new()),
    };
    let force = slot.site.map(|site| (site, mode));
    let (input, path) = if slot.class == CaseClass::OptionalCombo {
        let row = combo_rows(plan.optional.len()).swap_remove(slot.variant as usize);
        let optional = &plan.optional;
        plan.valid_input(rng, None, &|i| {
            optional.iter().position(|o| *o == i).map(|k| row[k])
        })
    } else {
        plan.valid_input(rng, force, &|_| None)
    };
    let mut expected = plan.valid_expected.clone();
    let mutation = match slot.class {
        CaseClass::Random => None,
        CaseClass::OptionalCombo => {
            let present: Vec<&str> = plan
                .optional
                .iter()
                .map(|i| plan.members[*i].name.as_str())
                .filter(|name| input.get(name).is_some())
                .collect();
            Some(Mutation {
                path: None,
                class: CaseClass::OptionalCombo,
                detail: if present.is_empty() {
                    "every optional member absent".to_string()
                } else {
                    format!("optional members present: {}", present.join(", "))
                },
            })
        }
        CaseClass::FixtureUnknown => {
            let member = site?.member;
            let fixture = plan.unknown_fixture(member)?;
            let on_unknown = fixture.on_unknown.as_ref()?;
            expected = oracle::fixture_unknown(plan.service, plan.op, on_unknown);
            Some(Mutation {
                path: path.clone(),
                class: CaseClass::FixtureUnknown,
                detail: format!(
                    "names `{}`, which the fixture `{}` says does not exist",
                    fixture.unknown.as_deref().unwrap_or_default(),
                    fixture.key
                ),
            })
        }
        ref class => Some(Mutation {
            path: path.clone(),
            class: class.clone(),
            detail: format!(
                "{}: {detail}",
                path.as_ref().map(Path::to_string).unwrap_or("input".into())
            ),
        }),
    };
    // A forced site that could not be reached (a list whose maximum is 0) makes no case of its class.
    if slot.site.is_some() && path.is_none() {
        return None;
    }
    let request = protocol.encode(plan.service, plan.op, &input).ok()?;
    Some(Case {
        id,
        service: plan.service.name.clone(),
        operation: plan.op.name.clone(),
        kind: CaseKind::Valid,
        class: slot.class.clone(),
        input,
        mutation,
        request,
        signing: Signing::Valid,
        expected,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combinations_are_exhaustive_up_to_four_then_pairwise() {
        assert_eq!(combo_rows(0), vec![Vec::<bool>::new()]);
        assert_eq!(combo_rows(3).len(), 8);
        for k in [5, 6, 9, 17] {
            let rows = combo_rows(k);
            assert!(rows.len() < 1 << k);
            for i in 0..k {
                for j in 0..k {
                    if i == j {
                        continue;
                    }
                    for (a, b) in [(false, false), (false, true), (true, false), (true, true)] {
                        assert!(
                            rows.iter().any(|r| r[i] == a && r[j] == b),
                            "k={k}: pair ({i},{j}) never {a}/{b}"
                        );
                    }
                }
            }
        }
    }
}
