//! Valid cases: boundaries, enum values, pattern edges, optional-member combinations, unknown fixtures, random draws.

use proptest::test_runner::TestRng;

use super::plan::{Mode, OpPlan, ValuePlan};
use super::strings::Pick;
use super::{Slot, examples};
use crate::case::{Case, CaseKind, Expected, Mutation, Signing};
use crate::protocol;

/// Class of the random draws.
pub(crate) const RANDOM: &str = "random";
const BOUNDARY_MIN: &str = "boundary-min";
const BOUNDARY_MAX: &str = "boundary-max";
const ENUM_VALUE: &str = "enum-value";
const PATTERN_EDGES: &str = "pattern-edges";
const OPTIONAL_COMBO: &str = "optional-combo";
/// Class of the cases naming a well-formed identifier that does not exist on the target.
pub const FIXTURE_UNKNOWN: &str = "fixture-unknown";

/// The deterministic valid slots of an operation.
pub(crate) fn slots(plan: &OpPlan<'_>) -> Vec<Slot> {
    let mut out = examples::slots(plan, CaseKind::Valid);
    let slot = |class, site| Slot::new(CaseKind::Valid, class, site);
    for site in 0..plan.sites.len() {
        let member = plan.member_at(site);
        let (min, max) = member.has_bounds();
        if min {
            out.push(slot(BOUNDARY_MIN, Some(site)));
        }
        if max {
            out.push(slot(BOUNDARY_MAX, Some(site)));
        }
        if member.fixture.is_none()
            && member.email.is_none()
            && let ValuePlan::String(s) = &member.value
            && let Some(values) = &s.shape.enum_values
        {
            out.extend(slot(ENUM_VALUE, Some(site)).variants(values.len() as u32));
        }
        if member.has_pattern() && member.email.is_none() {
            out.extend(slot(PATTERN_EDGES, Some(site)).variants(2));
        }
        if member.unknown_fixture().is_some() {
            out.push(slot(FIXTURE_UNKNOWN, Some(site)));
        }
    }
    let rows = combo_rows(plan.optional.len());
    if !plan.optional.is_empty() {
        out.extend(slot(OPTIONAL_COMBO, None).variants(rows.len() as u32));
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
pub(crate) fn build(plan: &OpPlan<'_>, slot: &Slot, rng: &mut TestRng, id: String) -> Option<Case> {
    let dotted = slot.site.map(|s| plan.sites[s].dotted.clone());
    let (mode, detail) = match slot.class {
        BOUNDARY_MIN => (Mode::Min, "the shortest (smallest) valid value".to_string()),
        BOUNDARY_MAX => (Mode::Max, "the longest (largest) valid value".to_string()),
        ENUM_VALUE => (
            Mode::Enum(slot.variant as usize),
            format!("enum value #{}", slot.variant + 1),
        ),
        PATTERN_EDGES if slot.variant == 0 => (
            Mode::Edge(Pick::EdgeLow),
            "optional parts present, characters at the low ends of the pattern's classes"
                .to_string(),
        ),
        PATTERN_EDGES => (
            Mode::Edge(Pick::EdgeHigh),
            "optional parts present, characters at the high ends of the pattern's classes"
                .to_string(),
        ),
        FIXTURE_UNKNOWN => (Mode::Unknown, String::new()),
        _ => (Mode::Random, String::new()),
    };
    let force = slot.site.map(|site| (site, mode));
    let input = if slot.class == OPTIONAL_COMBO {
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
        RANDOM => None,
        OPTIONAL_COMBO => {
            let present: Vec<&str> = plan
                .optional
                .iter()
                .filter(|i| input.contains_key(&plan.members[**i].member.name))
                .map(|i| plan.members[*i].member.name.as_str())
                .collect();
            Some(Mutation {
                member: None,
                class: OPTIONAL_COMBO.to_string(),
                detail: if present.is_empty() {
                    "every optional member absent".to_string()
                } else {
                    format!("optional members present: {}", present.join(", "))
                },
            })
        }
        FIXTURE_UNKNOWN => {
            let member = plan.member_at(slot.site?);
            let fixture = member.unknown_fixture()?;
            let on_unknown = fixture.on_unknown.as_ref()?;
            expected = Expected::from(on_unknown);
            Some(Mutation {
                member: dotted.clone(),
                class: FIXTURE_UNKNOWN.to_string(),
                detail: format!(
                    "names `{}`, which the fixture `{}` says does not exist",
                    fixture.unknown.as_deref().unwrap_or_default(),
                    fixture.key
                ),
            })
        }
        class => Some(Mutation {
            member: dotted.clone(),
            class: class.to_string(),
            detail: format!("{}: {detail}", dotted.as_deref().unwrap_or("input")),
        }),
    };
    Some(Case {
        id,
        service: plan.service.name.clone(),
        operation: plan.op.name.clone(),
        kind: CaseKind::Valid,
        mutation,
        request: protocol::input_request(plan.service, plan.op, &input),
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
