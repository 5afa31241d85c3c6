//! Shrinking once per kind of deviation: against the embedded target with a fault that lets over-long values
//! through, the deviations of one kind (operation, failed check, mutation class, member) are shrunk once, and the
//! others of that kind name the case that was.

use std::collections::BTreeMap;
use std::sync::Arc;

use conform::engine::{RunConfig, run};
use conform::generate::GenConfig;
use conform::report::{BaselineKey, CaseResult, Event, ReportError, Reporter};
use conform::spec::embedded_model as embedded;

#[derive(Default)]
struct Deviations(Vec<CaseResult>);

impl Reporter for Deviations {
    fn event(&mut self, event: &Event) -> Result<(), ReportError> {
        if let Event::CaseFinished(result) = event
            && result.deviation
        {
            self.0.push(result.as_ref().clone());
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), ReportError> {
        Ok(())
    }
}

fn kind(result: &CaseResult) -> Vec<BaselineKey> {
    let mut keys = BaselineKey::for_result(result);
    keys.sort();
    keys.dedup();
    keys
}

#[test]
fn each_kind_of_deviation_is_shrunk_once_and_the_others_point_to_it() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let model = Arc::new(embedded().unwrap());
    let mut config = RunConfig::new(GenConfig::new(&model, 0, 60));
    config.embedded_faults = vec!["skip-length".into()];
    config.shrink = true;
    let mut found = Deviations::default();
    runtime
        .block_on(run(model, config, &mut found))
        .expect("the run completes");
    let deviations = found.0;

    let by_id: BTreeMap<&str, &CaseResult> =
        deviations.iter().map(|r| (r.id.as_str(), r)).collect();
    let mut representatives: BTreeMap<Vec<BaselineKey>, &str> = BTreeMap::new();
    for r in deviations.iter().filter(|r| r.shrunk_with.is_none()) {
        let earlier = representatives.insert(kind(r), &r.id);
        assert!(
            earlier.is_none(),
            "two cases shrunk for one kind: {earlier:?} and {}",
            r.id
        );
    }
    let mut pointing = 0;
    for r in deviations.iter().filter(|r| r.shrunk_with.is_some()) {
        let to = r.shrunk_with.as_deref().unwrap();
        assert!(
            r.shrunk.is_none(),
            "{} points elsewhere and is not shrunk itself",
            r.id
        );
        let representative = by_id
            .get(to)
            .unwrap_or_else(|| panic!("{} points to {to}, which is no deviation of the run", r.id));
        assert_eq!(
            kind(r),
            kind(representative),
            "{} and {to} are of one kind",
            r.id
        );
        assert_eq!(representatives.get(&kind(r)), Some(&to));
        pointing += 1;
    }
    assert!(
        pointing > representatives.len(),
        "most deviations of this fault repeat a kind: {pointing} pointing, {} kinds",
        representatives.len()
    );
    let shrunk = deviations.iter().filter(|r| r.shrunk.is_some()).count();
    assert!(shrunk > 0, "the representatives are shrunk");
}
