//! `conform diff`: two identical targets show no difference; a target with one fault differs exactly where the
//! fault bends behaviour.

use std::sync::Arc;

use conform::check::CheckName;
use conform::engine::{RunConfig, diff};
use conform::generate::GenConfig;
use conform::report::{CaseResult, Event, ReportError, Reporter, Summary};
use conform::spec::embedded_model as embedded;

#[derive(Default)]
struct Collect {
    summary: Summary,
    differing: Vec<CaseResult>,
}

impl Reporter for Collect {
    fn event(&mut self, event: &Event) -> Result<(), ReportError> {
        match event {
            Event::CaseFinished(r) if r.deviation => self.differing.push((**r).clone()),
            Event::RunFinished { summary, .. } => self.summary = summary.clone(),
            _ => {}
        }
        Ok(())
    }
    fn finish(&mut self) -> Result<(), ReportError> {
        Ok(())
    }
}

fn diff_embedded(fault_of_b: Option<&str>) -> Collect {
    let specs = Arc::new(embedded().unwrap());
    let a = RunConfig::new(GenConfig::new(&specs, 0, 20));
    let mut b = a.clone();
    b.embedded_faults = fault_of_b.into_iter().map(String::from).collect();
    let mut collect = Collect::default();
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(diff(specs, a, b, &mut collect))
        .unwrap();
    collect
}

#[test]
fn two_clean_targets_do_not_differ() {
    let collect = diff_embedded(None);
    assert!(collect.summary.total > 500);
    assert_eq!(
        collect.summary.failed,
        0,
        "{:#?}",
        collect.differing.iter().map(|r| &r.id).collect::<Vec<_>>()
    );
    assert!(collect.summary.checks.contains_key(&CheckName::Parity));
}

#[test]
fn a_fault_shows_exactly_where_it_bends_behaviour() {
    let collect = diff_embedded(Some("delete-missing-ok"));
    assert!(!collect.differing.is_empty(), "the fault went unnoticed");
    for r in &collect.differing {
        assert_eq!(
            r.operation, "DeleteAlternateContact",
            "{} differs, but the fault only touches Delete",
            r.id
        );
        let message = &r.checks[0].message;
        assert!(
            message.contains("-status: 404") && message.contains("+status: 200"),
            "{}: {message}",
            r.id
        );
    }
    // The scenario that deletes twice differs too.
    assert!(
        collect
            .differing
            .iter()
            .any(|r| r.id.contains("scenario-delete-twice"))
    );
}
