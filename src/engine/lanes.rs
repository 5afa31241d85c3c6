//! Lanes: the valid cases whose outcome depends on state other cases change run one after another, in generation
//! order, while every other case stays concurrent.
//!
//! Operations share state when a restore group or a scenario of their service names them together (Put, Get and
//! Delete of an alternate contact; Start and Accept of a primary-email update and GetPrimaryEmail). Within such a
//! group, the state a request touches is named by the input members every operation of the group has (AccountId
//! and AlternateContactType; AccountId; OrganizationId): one lane per value of those, so that cases of different
//! contacts or accounts still run side by side. Only cases that may succeed are laned (valid ones, and malformed
//! ones a target may take for their valid body): a refused request changes nothing on a target that checks it.

use std::collections::{BTreeSet, HashMap};

use indexmap::IndexMap;

use crate::case::{Case, CaseKind};
use crate::model::{Model, Value};

/// Which operations are laned, and the members that name the state they touch.
#[derive(Debug, Default)]
pub(super) struct Lanes {
    /// (service, operation) → (the group's number, the members that key its lanes).
    laned: HashMap<(String, String), (usize, Vec<String>)>,
}

impl Lanes {
    /// The groups of the model's services: operations joined by a restore or a scenario, kept when one of them
    /// changes state.
    pub(super) fn new(model: &Model) -> Self {
        let mut laned = HashMap::new();
        let mut group_number = 0;
        for (service_name, service) in &model.services {
            // Union of the operation sets that restores and scenarios name together.
            let mut groups: Vec<BTreeSet<String>> = Vec::new();
            let mut sets: Vec<BTreeSet<String>> = Vec::new();
            for restore in &service.rules.restores {
                let mut set: BTreeSet<String> = restore.changed_by.iter().cloned().collect();
                set.insert(restore.read.operation.clone());
                set.insert(restore.put_back.operation.clone());
                if let Some(remove) = &restore.remove {
                    set.insert(remove.operation.clone());
                }
                sets.push(set);
            }
            for scenario in &service.rules.scenarios {
                let mut set: BTreeSet<String> = BTreeSet::new();
                set.extend(scenario.steps.iter().map(|s| s.operation.clone()));
                set.extend(scenario.cleanup.iter().map(|s| s.operation.clone()));
                set.extend(scenario.draws.values().cloned());
                sets.push(set);
            }
            for set in sets {
                let (joined, rest): (Vec<_>, Vec<_>) = groups
                    .into_iter()
                    .partition(|group| !group.is_disjoint(&set));
                let mut merged = set;
                for group in joined {
                    merged.extend(group);
                }
                groups = rest;
                groups.push(merged);
            }
            for group in groups {
                let ops: Vec<_> = group
                    .iter()
                    .filter_map(|name| service.operations.get(name))
                    .collect();
                if !ops.iter().any(|op| op.mutates()) {
                    continue;
                }
                // The members every operation of the group takes name the piece of state a request touches.
                let mut members: Option<BTreeSet<String>> = None;
                for op in &ops {
                    let names: BTreeSet<String> = service
                        .input_members(op)
                        .iter()
                        .map(|m| m.name.clone())
                        .collect();
                    members = Some(match members {
                        None => names,
                        Some(common) => common.intersection(&names).cloned().collect(),
                    });
                }
                let members: Vec<String> = members.unwrap_or_default().into_iter().collect();
                for op in ops {
                    laned.insert(
                        (service_name.clone(), op.name.clone()),
                        (group_number, members.clone()),
                    );
                }
                group_number += 1;
            }
        }
        Lanes { laned }
    }

    /// The number of the group an operation belongs to, when it is laned.
    pub(super) fn group(&self, service: &str, operation: &str) -> Option<usize> {
        self.laned
            .get(&(service.to_string(), operation.to_string()))
            .map(|(group, _)| *group)
    }

    /// The laned operations (service, name), for generating their cases apart.
    pub(super) fn operations(&self) -> BTreeSet<(String, String)> {
        self.laned.keys().cloned().collect()
    }

    /// The lane a case runs in: cases of laned operations that may change or read state (valid ones, and
    /// malformed ones whose valid body the target may take), keyed by their group and the values of its members.
    pub(super) fn key(&self, case: &Case) -> Option<String> {
        if case.kind != CaseKind::Valid && !case.expected.admits_success() {
            return None;
        }
        let (group, members) = self
            .laned
            .get(&(case.service.clone(), case.operation.clone()))?;
        let mut key = format!("{}/{group}", case.service);
        for member in members {
            key.push('/');
            if let Value::Structure(input) = &case.input
                && let Some(value) = input.get(member)
            {
                match value {
                    Value::String(s) => key.push_str(s),
                    other => key.push_str(&format!("{other:?}")),
                }
            }
        }
        Some(key)
    }

    /// The laned cases among `cases`, one queue per lane, each in generation order; lanes in order of their
    /// first case.
    pub(super) fn queues(&self, cases: impl Iterator<Item = Case>) -> Vec<Vec<Case>> {
        let mut queues: IndexMap<String, Vec<Case>> = IndexMap::new();
        for case in cases {
            if let Some(key) = self.key(&case) {
                queues.entry(key).or_default().push(case);
            }
        }
        queues.into_values().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The runner leaves the valid cases of laned operations out of its main pass and runs them from the lanes'
    /// own pass: that is only sound while every one of them has a lane.
    #[test]
    fn every_valid_case_of_a_laned_operation_has_a_lane() {
        let model = crate::spec::embedded_model().expect("the built-in specs load");
        let lanes = Lanes::new(&model);
        let mut config = crate::generate::GenConfig::new(&model, 3, 5);
        config.kinds = vec![CaseKind::Valid];
        let mut laned = 0;
        for case in crate::generate::generate(&model, &config) {
            if lanes
                .operations()
                .contains(&(case.service.clone(), case.operation.clone()))
            {
                assert!(lanes.key(&case).is_some(), "{}", case.id);
                laned += 1;
            }
        }
        assert!(laned > 20, "only {laned} valid cases of laned operations");
    }

    #[test]
    fn alternate_contact_cases_are_laned_per_account_and_type_and_invalid_ones_are_not() {
        let model = crate::spec::embedded_model().expect("the built-in specs load");
        let lanes = Lanes::new(&model);
        let (put_group, put_members) =
            &lanes.laned[&("account".into(), "PutAlternateContact".into())];
        let (delete_group, _) = &lanes.laned[&("account".into(), "DeleteAlternateContact".into())];
        let (get_group, _) = &lanes.laned[&("account".into(), "GetAlternateContact".into())];
        assert_eq!(put_group, delete_group);
        assert_eq!(put_group, get_group);
        assert_eq!(
            put_members,
            &vec!["AccountId".to_string(), "AlternateContactType".to_string()]
        );
        let (email_group, email_members) =
            &lanes.laned[&("account".into(), "GetPrimaryEmail".into())];
        assert_ne!(email_group, put_group);
        assert_eq!(email_members, &vec!["AccountId".to_string()]);
    }
}
