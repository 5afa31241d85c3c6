//! Repeatable runs: against the embedded target, the same seed gives the same verdict and the same answer for
//! every case at any `--concurrency` (cases that touch the same state run in lanes, in generation order), also
//! under a fault that makes a not-found answer a deviation; and the snapshots hold for any seed.

use std::collections::BTreeMap;
use std::sync::Arc;

use conform::check::CheckName;
use conform::engine::{RunConfig, run};
use conform::generate::{DEFAULT_CASES, GenConfig};
use conform::report::{Event, ReportError, Reporter};
use conform::snapshot::SnapshotMode;
use conform::spec::embedded_model as embedded;

/// Case id → (verdict, the status the target answered).
#[derive(Default)]
struct Verdicts {
    by_case: BTreeMap<String, (&'static str, Option<u16>)>,
    snapshot_messages: Vec<String>,
}

impl Reporter for Verdicts {
    fn event(&mut self, event: &Event) -> Result<(), ReportError> {
        if let Event::CaseFinished(result) = event {
            let verdict = if result.error {
                "error"
            } else if result.deviation {
                "deviation"
            } else if result.uncertain {
                "uncertain"
            } else {
                "passed"
            };
            self.snapshot_messages.extend(
                result
                    .checks
                    .iter()
                    .filter(|c| c.check == CheckName::Snapshot && !c.passed)
                    .map(|c| c.message.clone()),
            );
            let status = result.actual.as_ref().map(|a| a.status);
            let previous = self.by_case.insert(result.id.clone(), (verdict, status));
            assert!(previous.is_none(), "case {} reported twice", result.id);
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), ReportError> {
        Ok(())
    }
}

fn run_once(seed: u64, concurrency: usize, faults: &[&str], snapshots: SnapshotMode) -> Verdicts {
    let specs = Arc::new(embedded().unwrap());
    let mut config = RunConfig::new(GenConfig::new(&specs, seed, DEFAULT_CASES));
    config.concurrency = concurrency;
    config.embedded_faults = faults.iter().map(|f| f.to_string()).collect();
    config.snapshots = snapshots;
    config.snapshot_dir =
        std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"));
    config.shrink = false;
    let mut verdicts = Verdicts::default();
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(run(specs, config, &mut verdicts))
        .expect("the run completes");
    verdicts
}

/// The cases whose verdict or answer differs between two runs, at most a few, for the message.
fn differences(a: &Verdicts, b: &Verdicts) -> Vec<String> {
    let mut out: Vec<String> = a
        .by_case
        .iter()
        .filter(|(id, v)| b.by_case.get(*id) != Some(*v))
        .map(|(id, v)| format!("{id}: {v:?} vs {:?}", b.by_case.get(id)))
        .collect();
    out.extend(
        b.by_case
            .keys()
            .filter(|id| !a.by_case.contains_key(*id))
            .map(|id| format!("{id}: only in the second run")),
    );
    out.truncate(10);
    out
}

#[test]
fn every_case_gets_the_same_verdict_at_any_concurrency() {
    for faults in [&[][..], &["not-found-status-400"][..]] {
        for seed in [1, 2, 3] {
            let serial = run_once(seed, 1, faults, SnapshotMode::Off);
            let concurrent = run_once(seed, 8, faults, SnapshotMode::Off);
            assert!(
                serial.by_case.len() > 1000,
                "only {} cases",
                serial.by_case.len()
            );
            let differ = differences(&serial, &concurrent);
            assert!(
                differ.is_empty(),
                "seed {seed}, faults {faults:?}: concurrency 1 and 8 disagree on {differ:#?}"
            );
        }
    }
}

#[test]
fn the_not_found_fault_is_a_deviation_in_every_run() {
    // The lanes must not hide what they order: the fault is caught whatever the concurrency.
    for concurrency in [1, 8] {
        let run = run_once(2, concurrency, &["not-found-status-400"], SnapshotMode::Off);
        let deviations = run
            .by_case
            .values()
            .filter(|(verdict, _)| *verdict == "deviation")
            .count();
        assert!(deviations > 0, "concurrency {concurrency}: no deviation");
    }
}

#[test]
fn the_snapshots_hold_with_another_seed() {
    let run = run_once(2, 8, &[], SnapshotMode::Verify);
    assert!(
        run.snapshot_messages.is_empty(),
        "{:#?}",
        &run.snapshot_messages[..run.snapshot_messages.len().min(5)]
    );
}
