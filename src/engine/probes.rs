//! A run's probes: the first valid cases of each operation, sent before the others to find the operations the
//! target does not implement (which answers say so, and which cannot tell a crash from a missing operation:
//! [`crate::check::unimplemented_reading`]), and the smallest valid request that tells the two apart.

use std::collections::HashMap;

use crate::case::CaseClass;
use crate::case::{Case, CaseKind};
use crate::check::{Reading, unimplemented_reading};
use crate::generate::{self, GenConfig};
use crate::model::Model;
use crate::report::CaseResult;

/// How many valid cases of each operation are sent first. Two, so that one unlucky answer (a valid request that
/// happens to meet a crash) does not leave an operation out; each must say "not implemented".
pub(super) const PROBES: usize = 2;

/// An operation's probes, by (service, operation).
#[cfg(test)]
pub(super) type OperationProbes = ((String, String), Vec<Case>);

/// Probes sent one after another: the lane group they share (none: an operation alone), and the operations whose
/// probes it sends, by (service, operation).
pub(super) type ProbeUnit = (Option<usize>, Vec<(String, String)>);

/// The operations to probe, by (service, operation), in generation order: every operation `generation` selects;
/// none when the run generates no valid case (`--kind invalid`). Their probes are generated later, one operation
/// at a time as each is sent ([`probes_of`]): with every service of the models loaded (twenty thousand operations),
/// holding every probe at once held hundreds of megabytes of requests (maximum-length values among them).
pub(super) fn probed_operations(model: &Model, generation: &GenConfig) -> Vec<(String, String)> {
    if !generation.kinds.is_empty() && !generation.kinds.contains(&CaseKind::Valid) {
        return Vec::new();
    }
    let valid = GenConfig {
        kinds: vec![CaseKind::Valid],
        ..generation.clone()
    };
    generate::selected_operations(model, &valid)
        .unwrap_or_default()
        .into_iter()
        .map(|(service, op)| (service.name.clone(), op.name.clone()))
        .collect()
}

/// The first [`PROBES`] valid cases that `keep` lets run of one operation, in generation order, whatever share of
/// a partitioned run they fall in: the same cases, with the same ids, as the whole run's (each operation and kind is drawn from the seed alone). Generated only as
/// far as its probes, so that the probes cost a case or two each, not each operation's whole draw.
pub(super) fn probes_of(
    model: &Model,
    generation: &GenConfig,
    (service, operation): &(String, String),
    keep: impl Fn(&Case) -> bool,
) -> Vec<Case> {
    let one = GenConfig {
        services: vec![service.clone()],
        operations: vec![operation.clone()],
        kinds: vec![CaseKind::Valid],
        // The operation's first valid cases, whichever share they fall in: every share reads it alike.
        partition: None,
        ..generation.clone()
    };
    generate::generate(model, &one)
        .filter(|case| {
            case.kind == CaseKind::Valid && case.service == *service && case.operation == *operation
        })
        .filter(|case| keep(case))
        .take(PROBES)
        .collect()
}

/// Every operation's probes at once (the tests compare them with the whole generation).
#[cfg(test)]
pub(super) fn probe_cases(
    model: &Model,
    generation: &GenConfig,
    keep: impl Fn(&Case) -> bool,
) -> Vec<OperationProbes> {
    probed_operations(model, generation)
        .into_iter()
        .filter_map(|key| {
            let cases = probes_of(model, generation, &key, &keep);
            (!cases.is_empty()).then_some((key, cases))
        })
        .collect()
}

/// The probed operations in units: the operations of one lane group (which share state) together, in the order
/// listed, so that their probes land in the same order at any concurrency; every other operation alone.
pub(super) fn units(
    operations: Vec<(String, String)>,
    group: impl Fn(&str, &str) -> Option<usize>,
) -> Vec<ProbeUnit> {
    let mut units: Vec<ProbeUnit> = Vec::new();
    let mut unit_of_group: HashMap<usize, usize> = HashMap::new();
    for key in operations {
        match group(&key.0, &key.1) {
            Some(g) => match unit_of_group.get(&g) {
                Some(&at) => units[at].1.push(key),
                None => {
                    unit_of_group.insert(g, units.len());
                    units.push((Some(g), vec![key]));
                }
            },
            None => units.push((None, vec![key])),
        }
    }
    units
}

/// What the probes of an operation say together: `None` when one of them was answered as by an operation the
/// target has; [`Reading::Missing`] when every answer says the operation is missing; else
/// [`Reading::CrashOrMissing`] (every answer may be a crash: see [`smallest_case`]).
pub(super) fn reading(
    model: &Model,
    service: &str,
    operation: &str,
    results: &[(CaseResult, usize)],
) -> Option<Reading> {
    let (service, op) = model.operation_of(service, operation)?;
    let mut together = Reading::Missing;
    if results.is_empty() {
        return None;
    }
    for (result, _) in results {
        let actual = result.actual.as_ref()?;
        match unimplemented_reading(
            service,
            op,
            actual.status,
            actual.error_type.as_deref(),
            result.body_excerpt.as_deref().unwrap_or(""),
        )? {
            Reading::Missing => {}
            Reading::CrashOrMissing => together = Reading::CrashOrMissing,
        }
    }
    Some(together)
}

/// The requests that tell a crash from a missing operation, in the order to send them: the operation's smallest
/// valid request (its valid case with every optional member absent, the first row of its optional-member
/// combinations), then its fullest (the row with the most optional members present). A crash that every probe met
/// on some generated value (a member the target's code wants, one it chokes on) is less likely to meet both. Only
/// cases `allowed` lets run and not `already` sent; none when the operation has no optional member (every valid
/// request is alike). Generated from the seed alone: the same cases, with the same ids, as the whole run's.
pub(super) fn tie_breakers(
    model: &Model,
    generation: &GenConfig,
    service: &str,
    operation: &str,
    allowed: impl Fn(&Case) -> bool,
    already: &[&str],
) -> Vec<Case> {
    let one = GenConfig {
        kinds: vec![CaseKind::Valid],
        services: vec![service.to_string()],
        operations: vec![operation.to_string()],
        partition: None,
        ..generation.clone()
    };
    let present = |case: &Case| -> Option<usize> {
        let m = case.mutation.as_ref()?;
        if m.class != CaseClass::OptionalCombo {
            return None;
        }
        Some(match m.detail.strip_prefix("optional members present: ") {
            Some(names) => names.split(", ").count(),
            None => 0,
        })
    };
    let mut smallest: Option<(usize, Case)> = None;
    let mut fullest: Option<(usize, Case)> = None;
    for case in generate::generate(model, &one).filter(|c| c.kind == CaseKind::Valid) {
        let Some(n) = present(&case) else {
            continue;
        };
        if !allowed(&case) || already.contains(&case.id.as_str()) {
            continue;
        }
        if smallest.as_ref().is_none_or(|(m, _)| n < *m) {
            smallest = Some((n, case.clone()));
        }
        if fullest.as_ref().is_none_or(|(m, _)| n > *m) {
            fullest = Some((n, case));
        }
    }
    let mut out: Vec<Case> = smallest.into_iter().map(|(_, c)| c).collect();
    if let Some((_, full)) = fullest
        && out.first().is_none_or(|small| small.id != full.id)
    {
        out.push(full);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probes_are_the_first_valid_cases_of_the_whole_generation() {
        let model = crate::spec::lower(&crate::spec::embedded().unwrap());
        let config = GenConfig::new(&model, 7, 5);
        let probes = probe_cases(&model, &config, |_| true);
        let mut expected: Vec<OperationProbes> = Vec::new();
        for case in generate::generate(&model, &config).filter(|c| c.kind == CaseKind::Valid) {
            let key = (case.service.clone(), case.operation.clone());
            match expected.iter_mut().find(|(k, _)| *k == key) {
                Some((_, cases)) if cases.len() < PROBES => cases.push(case),
                Some(_) => {}
                None => expected.push((key, vec![case])),
            }
        }
        assert!(probes.len() > 5, "{}", probes.len());
        let ids = |p: &[OperationProbes]| -> Vec<(String, String, Vec<String>)> {
            p.iter()
                .map(|((s, o), cases)| {
                    (
                        s.clone(),
                        o.clone(),
                        cases.iter().map(|c| c.id.clone()).collect(),
                    )
                })
                .collect()
        };
        assert_eq!(ids(&probes), ids(&expected));
        for ((_, cases), (_, wanted)) in probes.iter().zip(&expected) {
            for (case, want) in cases.iter().zip(wanted) {
                assert_eq!(case.request.body, want.request.body, "{}", case.id);
            }
        }
        let invalid_only = GenConfig {
            kinds: vec![CaseKind::Invalid],
            ..config
        };
        assert!(probe_cases(&model, &invalid_only, |_| true).is_empty());
    }

    #[test]
    fn operations_of_one_lane_group_probe_together_in_order() {
        let case = |op: &str| (String::from("s"), op.to_string());
        let units = units(vec![case("A"), case("B"), case("C"), case("D")], |_, op| {
            (op == "A" || op == "C").then_some(1)
        });
        let names: Vec<Vec<&str>> = units
            .iter()
            .map(|(_, ops)| ops.iter().map(|(_, o)| o.as_str()).collect())
            .collect();
        assert_eq!(names, vec![vec!["A", "C"], vec!["B"], vec!["D"]]);
    }
}
