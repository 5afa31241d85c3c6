//! The JUnit XML report (`--junit PATH`): one test suite per operation, one test case per case.
//!
//! Deviations are `<failure>`s, transport errors `<error>`s, deviations already in the baseline `<skipped>`;
//! an operation the target does not implement is one test case, `<Operation> is implemented`, however many probes
//! said so (they are counted apart from the cases in the summary too); uncertain failures pass, with the detail in `system-out` and an `uncertain` property. quick-junit builds the
//! whole document in memory before writing it, so this reporter holds every case until the run ends (about a
//! few hundred bytes per case); use the streamed JSON report for very large runs.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use super::{CaseResult, Event, ReportError, Reporter};

/// Collects cases into suites and writes the XML when the run ends.
pub struct JunitReporter {
    out: Box<dyn Write + Send>,
    path: PathBuf,
    /// By (service, operation): operations of one name in several services are several suites.
    suites: IndexMap<(String, String), TestSuite>,
    /// The operations already reported not implemented, by (service, operation).
    not_implemented: std::collections::HashSet<(String, String)>,
    seed: Option<u64>,
    target: String,
    written: bool,
}

impl JunitReporter {
    /// A reporter writing to a new file at `path` (replacing any).
    pub fn create(path: &Path) -> Result<Self, ReportError> {
        let file = File::create(path).map_err(|source| ReportError::Write {
            what: "JUnit",
            path: path.to_path_buf(),
            source,
        })?;
        Ok(Self::new(Box::new(BufWriter::new(file)), path))
    }

    /// A reporter writing to `out`; `path` names it in errors.
    pub fn new(out: Box<dyn Write + Send>, path: &Path) -> Self {
        JunitReporter {
            out,
            path: path.to_path_buf(),
            suites: IndexMap::new(),
            not_implemented: Default::default(),
            seed: None,
            target: String::new(),
            written: false,
        }
    }

    fn add(&mut self, result: &CaseResult) {
        let key = (result.service.clone(), result.operation.clone());
        if result.is_not_implemented() && !self.not_implemented.insert(key.clone()) {
            // Its other probes say the same about the operation.
            return;
        }
        let seed = self.seed;
        let target = self.target.clone();
        let suite = self.suites.entry(key).or_insert_with(|| {
            let mut suite = TestSuite::new(result.operation.clone());
            if let Some(seed) = seed {
                suite.add_property(Property::new("seed", seed.to_string()));
            }
            suite.add_property(Property::new("target", target));
            suite
        });
        suite.add_test_case(test_case(result));
    }

    fn write(&mut self, elapsed: Option<std::time::Duration>) -> Result<(), ReportError> {
        let mut report = Report::new("conform");
        if let Some(elapsed) = elapsed {
            report.set_time(elapsed);
        }
        report.add_test_suites(self.suites.drain(..).map(|(_, s)| s));
        report.serialize(&mut self.out)?;
        self.out.flush().map_err(|source| ReportError::Write {
            what: "JUnit",
            path: self.path.clone(),
            source,
        })?;
        self.written = true;
        Ok(())
    }
}

fn test_case(r: &CaseResult) -> TestCase {
    let failed: Vec<String> = r
        .failed_checks()
        .map(|c| format!("{}: {}", c.check, c.message))
        .collect();
    let detail = || {
        let mut text = format!(
            "expected: {}\nactual:   {}\n",
            r.expected_text(),
            r.actual_text()
        );
        if let Some(m) = &r.mutation {
            text.push_str(&format!("mutation: {}\n", mutation_text(m)));
        }
        for line in &failed {
            text.push_str(&format!("failed:   {line}\n"));
        }
        if let Some(body) = r.body_excerpt.as_deref().filter(|b| !b.is_empty()) {
            text.push_str(&format!("body:     {body}\n"));
        }
        if let Some(s) = &r.shrunk {
            text.push_str(&format!("shrunk:   {} {}\n", s.id, s.body));
        } else if let Some(id) = &r.shrunk_with {
            text.push_str(&format!(
                "shrunk:   not again: case {id} deviates the same way, and was shrunk for both\n"
            ));
        }
        for capped in &r.capped_bodies {
            text.push_str(&format!("capped:   {}\n", capped.describe()));
        }
        text.push_str(&format!(
            "curl:     {}\nreplay:   {}\n",
            r.reproduce.curl, r.reproduce.replay
        ));
        text
    };
    let status = if let Some(e) = &r.transport_error {
        let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
        s.set_message(e.clone())
            .set_type("transport")
            .set_description(detail());
        s
    } else if r.deviation && r.baselined {
        TestCaseStatus::Skipped {
            message: Some(
                format!("known deviation (in the baseline): {}", failed.join("; ")).into(),
            ),
            ty: Some("baselined".into()),
            description: Some(detail().into()),
        }
    } else if r.deviation {
        let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
        s.set_message(failed.join("; "))
            .set_type(
                r.failed_checks()
                    .next()
                    .map_or("deviation", |c| c.check.as_str()),
            )
            .set_description(detail());
        s
    } else {
        TestCaseStatus::success()
    };
    let name = match &r.mutation {
        _ if r.is_not_implemented() => format!("{} is implemented", r.operation),
        Some(m) => format!("{} [{}]", r.id, m.class),
        None => r.id.clone(),
    };
    let mut case = TestCase::new(name, status);
    case.set_classname(format!("{}.{}", r.service, r.operation));
    case.add_property(Property::new("kind", r.kind.as_str()));
    if r.retries > 0 {
        case.add_property(Property::new("retries", r.retries.to_string()));
    }
    if r.uncertain {
        case.add_property(Property::new("uncertain", "true"));
        case.set_system_out(format!(
            "uncertain expectation, not a deviation\n{}",
            detail()
        ));
    }
    case
}

pub(crate) fn mutation_text(m: &crate::case::Mutation) -> String {
    match m.member() {
        Some(member) => format!("{member} ({}): {}", m.class, m.detail),
        None => format!("({}): {}", m.class, m.detail),
    }
}

impl Reporter for JunitReporter {
    fn event(&mut self, event: &Event) -> Result<(), ReportError> {
        match event {
            Event::RunStarted { seed, target, .. } => {
                self.seed = Some(*seed);
                self.target = target.clone();
            }
            Event::CaseFinished(result) if !self.written => self.add(result),
            Event::RunFinished { elapsed, .. } if !self.written => self.write(Some(*elapsed))?,
            _ => {}
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), ReportError> {
        if !self.written {
            self.write(None)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{Shared, sample_events};
    use super::*;

    #[test]
    fn the_xml_parses_with_one_suite_per_operation() {
        let buf = Shared::default();
        let mut reporter = JunitReporter::new(Box::new(buf.clone()), Path::new("-"));
        for e in sample_events() {
            reporter.event(&e).unwrap();
        }
        reporter.finish().unwrap();
        let xml = buf.text();
        let report = Report::deserialize_from_str(&xml).unwrap();
        let names: Vec<&str> = report.test_suites.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            vec![
                "PutAlternateContact",
                "UpdatePrimaryEmailAddress",
                "GetAlternateContact"
            ]
        );
        assert_eq!(report.tests, 4);
        assert_eq!(
            report.failures, 1,
            "only the deviation fails; the uncertain case passes"
        );
        assert_eq!(report.errors, 1, "the transport error is an error");
        let put = &report.test_suites[0];
        assert_eq!(put.test_cases.len(), 2);
        match &put.test_cases[1].status {
            TestCaseStatus::NonSuccess {
                kind,
                message,
                description,
                ..
            } => {
                assert_eq!(*kind, NonSuccessKind::Failure);
                assert!(
                    message
                        .as_ref()
                        .unwrap()
                        .as_str()
                        .contains("status: expected 400, got 200")
                );
                assert!(
                    description
                        .as_ref()
                        .unwrap()
                        .as_str()
                        .contains("conform replay put-invalid-7")
                );
            }
            other => panic!("expected a failure, got {other:?}"),
        }
        let wm = &report.test_suites[1].test_cases[0];
        assert!(
            wm.system_out
                .as_ref()
                .unwrap()
                .as_str()
                .contains("uncertain")
        );
        assert!(wm.properties.iter().any(|p| p.name.as_str() == "uncertain"));
    }

    #[test]
    fn an_operation_not_implemented_is_one_test_case_however_many_probes_said_so() {
        let probe = |id: &str, service: &str, baselined: bool| {
            let mut r = crate::report::fixtures::sample_results()
                .into_iter()
                .find(|r| r.passed)
                .expect("a passing case");
            r.id = id.into();
            r.service = service.into();
            r.operation = "ListThings".into();
            r.checks.push(crate::check::CheckResult {
                check: crate::check::CheckName::Implemented,
                passed: false,
                uncertain: false,
                expected: "the operation implemented".into(),
                actual: "404".into(),
                message: "ListThings looks unimplemented".into(),
            });
            r.classify();
            r.baselined = baselined;
            r
        };
        let buf = Shared::default();
        let mut reporter = JunitReporter::new(Box::new(buf.clone()), Path::new("-"));
        for r in [
            probe("ListThings-valid-random-0", "one", false),
            probe("ListThings-valid-random-1", "one", false),
            probe("ListThings-valid-random-0", "two", true),
            probe("ListThings-valid-random-1", "two", true),
        ] {
            reporter.event(&Event::CaseFinished(Box::new(r))).unwrap();
        }
        reporter.finish().unwrap();
        let report = Report::deserialize_from_str(&buf.text()).unwrap();
        assert_eq!(
            report.test_suites.len(),
            2,
            "one suite per service's operation"
        );
        assert_eq!(
            report.tests, 2,
            "one test case per operation, not one per probe"
        );
        assert_eq!(report.failures, 1, "the baselined one is skipped");
        let case = &report.test_suites[0].test_cases[0];
        assert_eq!(case.name.as_str(), "ListThings is implemented");
        match &case.status {
            TestCaseStatus::NonSuccess { kind, ty, .. } => {
                assert_eq!(*kind, NonSuccessKind::Failure);
                assert_eq!(ty.as_ref().unwrap().as_str(), "implemented");
            }
            other => panic!("expected a failure, got {other:?}"),
        }
        assert!(matches!(
            report.test_suites[1].test_cases[0].status,
            TestCaseStatus::Skipped { .. }
        ));
    }
}
