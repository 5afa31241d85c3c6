//! Response snapshots: the ones checked into `snapshots/` (recorded from the embedded target) match it, and a
//! target that answers otherwise gets a readable diff as a deviation.

use std::sync::Arc;

use conform::check::CheckName;
use conform::engine::{RunConfig, run};
use conform::generate::{DEFAULT_CASES, GenConfig};
use conform::report::{Event, ReportError, Reporter, Summary};
use conform::snapshot::SnapshotMode;
use conform::spec::embedded_model as embedded;

#[derive(Default)]
struct Collect {
    summary: Summary,
    snapshot_messages: Vec<String>,
}

impl Reporter for Collect {
    fn event(&mut self, event: &Event) -> Result<(), ReportError> {
        match event {
            Event::CaseFinished(r) => self.snapshot_messages.extend(
                r.checks
                    .iter()
                    .filter(|c| c.check == CheckName::Snapshot && !c.passed)
                    .map(|c| c.message.clone()),
            ),
            Event::RunFinished { summary, .. } => self.summary = summary.clone(),
            _ => {}
        }
        Ok(())
    }
    fn finish(&mut self) -> Result<(), ReportError> {
        Ok(())
    }
}

fn run_with(mode: SnapshotMode, dir: std::path::PathBuf, faults: Vec<String>) -> Collect {
    let specs = Arc::new(embedded().unwrap());
    let mut config = RunConfig::new(GenConfig::new(&specs, 0, DEFAULT_CASES));
    config.snapshots = mode;
    config.snapshot_dir = dir;
    config.embedded_faults = faults;
    config.shrink = false;
    let mut collect = Collect::default();
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(run(specs, config, &mut collect))
        .unwrap();
    collect
}

fn checked_in() -> std::path::PathBuf {
    std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"))
}

#[test]
fn the_checked_in_snapshots_match_the_embedded_target() {
    let collect = run_with(SnapshotMode::Verify, checked_in(), vec![]);
    assert!(
        collect.snapshot_messages.is_empty(),
        "{:#?}",
        collect.snapshot_messages
    );
    let compared = collect
        .summary
        .checks
        .get(&CheckName::Snapshot)
        .map_or(0, |c| c.passed);
    assert!(
        compared >= 200,
        "only {compared} responses were compared with a snapshot"
    );
    assert_eq!(collect.summary.failed, 0);
}

#[test]
fn a_target_that_answers_otherwise_gets_a_readable_diff() {
    let collect = run_with(
        SnapshotMode::Verify,
        checked_in(),
        vec!["not-found-status-400".into()],
    );
    let diff = collect
        .snapshot_messages
        .iter()
        .find(|m| m.contains("-status: 404") && m.contains("+status: 400"))
        .unwrap_or_else(|| panic!("no status diff among {:#?}", collect.snapshot_messages));
    assert!(
        diff.contains("(stored)") && diff.contains("+++ received"),
        "{diff}"
    );
}

#[test]
fn update_writes_pending_snapshots_only_where_responses_changed() {
    let dir = tempfile::tempdir().unwrap();
    for entry in walk(&checked_in()) {
        let target = dir.path().join(entry.strip_prefix(checked_in()).unwrap());
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(&entry, &target).unwrap();
    }
    run_with(SnapshotMode::Update, dir.path().to_path_buf(), vec![]);
    let changed = pending(dir.path());
    assert!(
        changed.is_empty(),
        "a clean target changes no snapshot, yet these are pending: {changed:#?}"
    );
    run_with(
        SnapshotMode::Update,
        dir.path().to_path_buf(),
        vec!["missing-request-id".into(), "wrong-content-type".into()],
    );
    let written = pending(dir.path());
    assert!(!written.is_empty());
    let text = std::fs::read_to_string(&written[0]).unwrap();
    for path in walk(dir.path()) {
        let snapshot = std::fs::read_to_string(&path).unwrap();
        assert!(
            !snapshot.contains("carlos@example.com"),
            "sensitive values are masked: {}",
            path.display()
        );
    }
    assert!(
        text.starts_with("---\nsource: conform\n") && text.contains("content-type: text/plain"),
        "{text}"
    );
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

fn pending(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    walk(dir)
        .into_iter()
        .filter(|p| p.to_string_lossy().ends_with(".snap.new"))
        .collect()
}
