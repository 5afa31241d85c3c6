//! `--partition K/N`: which share of a run's cases one of N parallel jobs runs, so that together they run each
//! case once, and which operations it must probe.
//!
//! A run of many operations (every service of the models: twenty thousand) is split by operation: all the cases
//! of an operation, its probes among them, fall in one share, so each job probes only its own operations (split by
//! case, every job had to probe every operation to know which of its cases to leave out: about 50,000 requests per
//! job against moto, whatever N). A run of few operations is split by case, so that its shares stay even (by
//! operation, the Account service's nine operations would give one job most of the run). Scenario instances, which
//! span operations, are always split by their ids.

use sha2::{Digest, Sha256};

/// A run is split by operation when it selects at least this many operations per share: then every share gets
/// enough operations for the shares to be about even.
pub const OPERATIONS_PER_SHARE: u64 = 10;

/// How a run's cases are divided among its shares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SplitBy {
    /// By each case's id: even shares for runs of few operations.
    Case,
    /// By (service, operation): each operation's cases, and its probes, in one share.
    Operation,
}

/// Share `k` of `n` (1-based) of a run, and how the run is split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Partition {
    /// This share, from 1.
    pub k: u64,
    /// The number of shares.
    pub n: u64,
    /// How the run is divided.
    pub by: SplitBy,
}

impl Partition {
    /// Share `k` of `n` of a run that selects `operations` operations. Every job of the run selects the same
    /// operations (`conform report merge` checks that their reports agree on the run's digest), so all split alike.
    pub fn new(k: u64, n: u64, operations: usize) -> Self {
        let by = if operations as u64 >= OPERATIONS_PER_SHARE.saturating_mul(n) {
            SplitBy::Operation
        } else {
            SplitBy::Case
        };
        Partition { k, n, by }
    }

    /// Whether any case of this operation may fall in this share (when split by case, any may).
    pub fn may_hold_operation(&self, service: &str, operation: &str) -> bool {
        match self.by {
            SplitBy::Case => true,
            SplitBy::Operation => self.bucket_holds(&format!("{service}/{operation}")),
        }
    }

    /// Whether the case `id` of `operation` falls in this share.
    pub fn holds(&self, service: &str, operation: &str, id: &str) -> bool {
        match self.by {
            SplitBy::Case => self.bucket_holds(id),
            SplitBy::Operation => self.may_hold_operation(service, operation),
        }
    }

    /// Whether the scenario instance `id` falls in this share (by its id, however the run is split).
    pub fn holds_instance(&self, id: &str) -> bool {
        self.bucket_holds(id)
    }

    /// By a stable hash of the key, so every job agrees on every machine.
    fn bucket_holds(&self, key: &str) -> bool {
        let digest = Sha256::digest(key.as_bytes());
        let bucket = u64::from_be_bytes(digest[..8].try_into().expect("8 bytes")) % self.n.max(1);
        bucket == self.k - 1
    }
}

/// Whether a case falls in the share, when there is one (none: the whole run).
pub fn holds(partition: Option<&Partition>, service: &str, operation: &str, id: &str) -> bool {
    partition.is_none_or(|p| p.holds(service, operation, id))
}

impl std::fmt::Display for Partition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.k, self.n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shares(n: u64, operations: usize) -> Vec<Partition> {
        (1..=n).map(|k| Partition::new(k, n, operations)).collect()
    }

    #[test]
    fn few_operations_split_by_case_and_many_by_operation() {
        assert_eq!(Partition::new(1, 4, 39).by, SplitBy::Case);
        assert_eq!(Partition::new(1, 4, 40).by, SplitBy::Operation);
        assert_eq!(Partition::new(1, 1, 9).by, SplitBy::Case);
        assert_eq!(Partition::new(1, u64::MAX, 1000).by, SplitBy::Case);
    }

    #[test]
    fn every_case_falls_in_exactly_one_share_either_way() {
        for operations in [3, 1000] {
            let shares = shares(4, operations);
            for op in 0..50 {
                let operation = format!("Op{op}");
                for i in 0..20 {
                    let id = format!("{operation}-valid-random-{i}");
                    let holding = shares
                        .iter()
                        .filter(|p| p.holds("svc", &operation, &id))
                        .count();
                    assert_eq!(holding, 1, "{id} with {operations} operations");
                }
            }
        }
    }

    #[test]
    fn split_by_operation_keeps_an_operation_s_cases_together() {
        let shares = shares(3, 100);
        for op in 0..30 {
            let operation = format!("Op{op}");
            let homes: Vec<u64> = (0..10)
                .map(|i| {
                    let id = format!("{operation}-invalid-length-Name-{i}");
                    shares
                        .iter()
                        .find(|p| p.holds("svc", &operation, &id))
                        .unwrap()
                        .k
                })
                .collect();
            assert!(
                homes.iter().all(|k| *k == homes[0]),
                "{operation}: {homes:?}"
            );
            let may: Vec<bool> = shares
                .iter()
                .map(|p| p.may_hold_operation("svc", &operation))
                .collect();
            assert_eq!(may.iter().filter(|m| **m).count(), 1);
        }
        // The same operation name in two services is two operations.
        let spread: std::collections::HashSet<u64> = (0..40)
            .map(|s| {
                shares
                    .iter()
                    .find(|p| p.may_hold_operation(&format!("svc{s}"), "ListThings"))
                    .unwrap()
                    .k
            })
            .collect();
        assert!(spread.len() > 1, "{spread:?}");
    }

    #[test]
    fn shares_split_by_operation_are_about_even() {
        let shares = shares(4, 2000);
        let counts: Vec<usize> = shares
            .iter()
            .map(|p| {
                (0..2000)
                    .filter(|i| p.may_hold_operation("svc", &format!("Op{i}")))
                    .count()
            })
            .collect();
        assert!(counts.iter().all(|c| (400..600).contains(c)), "{counts:?}");
    }
}
