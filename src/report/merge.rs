//! `conform report merge`: joins the JSON reports of the partitions of one run, streaming their results.

use std::cell::RefCell;
use std::fmt;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::bounded::{BoundedReadError, REPORT_LIMIT, open_bounded};
use super::json::ResultRecord;
use super::{CaseResult, Event, ReportError, Reporter, Stopped, Summary};

/// The top-level fields of a JSON report: everything but its results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportHeader {
    /// The seed of the run.
    pub seed: u64,
    /// The endpoint tested.
    pub target: String,
    /// The counts.
    pub summary: Summary,
    /// Wall time, in milliseconds.
    pub elapsed_ms: u64,
    /// Whether the run was stopped early.
    pub interrupted: bool,
    /// Why, when the report says (the first partition's reason, when several stopped).
    pub stopped: Option<Stopped>,
}

/// What a merge produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeOutcome {
    /// The merged header: the common seed, the targets, summed summaries, the longest time.
    pub header: ReportHeader,
    /// How many reports were joined.
    pub files: usize,
}

type OnResult<'a> = &'a mut dyn FnMut(CaseResult) -> Result<(), ReportError>;

/// Reads a JSON report, streaming each result to `on_result` (or skipping results when `None`); memory stays flat.
pub fn read_report(
    path: &Path,
    on_result: Option<OnResult<'_>>,
) -> Result<ReportHeader, ReportError> {
    let file = open_bounded(path, REPORT_LIMIT)?;
    let failure: RefCell<Option<ReportError>> = RefCell::new(None);
    let mut de = serde_json::Deserializer::from_reader(BufReader::new(file));
    let visitor = ReportVisitor {
        on_result: RefCell::new(on_result),
        failure: &failure,
    };
    let parsed =
        de::Deserializer::deserialize_map(&mut de, visitor).and_then(|h| de.end().map(|_| h));
    if let Some(error) = failure.into_inner() {
        return Err(error);
    }
    parsed.map_err(|e| match e.io_error_kind() {
        // The stream stopped at the limit: say so, rather than "not a report".
        Some(std::io::ErrorKind::FileTooLarge) => ReportError::Input(BoundedReadError::TooLarge {
            path: path.to_path_buf(),
            limit: REPORT_LIMIT,
        }),
        _ => not_a_report(path, e),
    })
}

fn not_a_report(path: &Path, e: serde_json::Error) -> ReportError {
    ReportError::Merge {
        path: path.to_path_buf(),
        message: format!("not a conform JSON report: {e}"),
    }
}

/// Joins partition reports into `reporter`: the seeds must agree; summaries are summed and results concatenated.
pub fn merge_reports(
    paths: &[PathBuf],
    reporter: &mut dyn Reporter,
) -> Result<MergeOutcome, ReportError> {
    let Some(first_path) = paths.first() else {
        return Err(ReportError::Merge {
            path: PathBuf::from("-"),
            message: "no report to merge".into(),
        });
    };
    let mut merged: Option<ReportHeader> = None;
    let mut targets: Vec<String> = Vec::new();
    for path in paths {
        let header = read_report(path, None)?;
        if !targets.contains(&header.target) {
            targets.push(header.target.clone());
        }
        match &mut merged {
            None => merged = Some(header),
            Some(m) => {
                if header.seed != m.seed {
                    return Err(ReportError::Merge {
                        path: path.clone(),
                        message: format!(
                            "its seed {} differs from seed {} of `{}`; partitions of one run share a seed",
                            header.seed,
                            m.seed,
                            first_path.display()
                        ),
                    });
                }
                m.summary.merge(&header.summary);
                m.elapsed_ms = m.elapsed_ms.max(header.elapsed_ms);
                m.interrupted |= header.interrupted;
                if m.stopped.is_none() {
                    m.stopped = header.stopped.clone();
                }
            }
        }
    }
    let Some(mut header) = merged else {
        unreachable!("paths is not empty")
    };
    header.target = targets.join(", ");
    reporter.event(&Event::RunStarted {
        seed: header.seed,
        target: header.target.clone(),
        total: Some(header.summary.total),
        phases: Vec::new(),
    })?;
    for path in paths {
        let mut forward =
            |result: CaseResult| reporter.event(&Event::CaseFinished(Box::new(result)));
        read_report(path, Some(&mut forward))?;
    }
    reporter.event(&Event::RunFinished {
        summary: header.summary.clone(),
        elapsed: Duration::from_millis(header.elapsed_ms),
        stopped: header
            .stopped
            .clone()
            .or_else(|| header.interrupted.then_some(Stopped::Signal)),
    })?;
    reporter.finish()?;
    Ok(MergeOutcome {
        header,
        files: paths.len(),
    })
}

struct ReportVisitor<'a, 'f> {
    on_result: RefCell<Option<OnResult<'f>>>,
    failure: &'a RefCell<Option<ReportError>>,
}

impl<'de> Visitor<'de> for ReportVisitor<'_, '_> {
    type Value = ReportHeader;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a conform report object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ReportHeader, A::Error> {
        let (mut seed, mut target, mut summary, mut results) = (None, None, None, false);
        let (mut elapsed_ms, mut interrupted, mut stopped) = (0u64, false, None);
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "seed" => seed = Some(map.next_value::<u64>()?),
                "target" => target = Some(map.next_value::<String>()?),
                "summary" => summary = Some(map.next_value::<Summary>()?),
                "elapsed_ms" => elapsed_ms = map.next_value()?,
                "interrupted" => interrupted = map.next_value()?,
                "stopped" => stopped = map.next_value()?,
                "results" => {
                    results = true;
                    let mut on_result = self.on_result.borrow_mut();
                    match on_result.as_mut() {
                        Some(f) => map.next_value_seed(ResultsSeed {
                            on_result: &mut **f,
                            failure: self.failure,
                        })?,
                        None => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let missing = |field: &'static str| de::Error::custom(format!("no `{field}` field"));
        if !results {
            return Err(missing("results"));
        }
        Ok(ReportHeader {
            seed: seed.ok_or_else(|| missing("seed"))?,
            target: target.unwrap_or_default(),
            summary: summary.ok_or_else(|| missing("summary"))?,
            elapsed_ms,
            interrupted,
            stopped,
        })
    }
}

struct ResultsSeed<'a, 'f> {
    on_result: &'a mut dyn FnMut(CaseResult) -> Result<(), ReportError>,
    failure: &'f RefCell<Option<ReportError>>,
}

impl<'de> DeserializeSeed<'de> for ResultsSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ResultsSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of results")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0usize;
        while let Some(record) = seq.next_element::<ResultRecord>()? {
            let Some(result) = record.clone().into_case_result() else {
                return Err(de::Error::custom(format!(
                    "results[{index}] has an unknown kind `{}`",
                    record.kind
                )));
            };
            if let Err(e) = (self.on_result)(result) {
                *self.failure.borrow_mut() = Some(e);
                return Err(de::Error::custom("stopped"));
            }
            index += 1;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{Shared, sample_events};
    use super::super::{Fanout, JsonReporter, JunitReporter};
    use super::*;
    use serde_json::Value;

    fn write_partition(path: &Path, events: &[Event]) {
        let mut reporter = JsonReporter::create(path).unwrap();
        for e in events {
            reporter.event(e).unwrap();
        }
        reporter.finish().unwrap();
    }

    /// Splits the sample run into two partitions: cases 0 and 2, cases 1 and 3.
    fn partitions(seed_b: u64) -> (Vec<Event>, Vec<Event>) {
        let events = sample_events();
        let cases: Vec<CaseResult> = events
            .iter()
            .filter_map(|e| match e {
                Event::CaseFinished(r) => Some(r.as_ref().clone()),
                _ => None,
            })
            .collect();
        let part = |seed: u64, picks: &[usize]| {
            let mut summary = Summary::default();
            let mut out = vec![Event::RunStarted {
                seed,
                target: "http://127.0.0.1:1".into(),
                total: None,
                phases: Vec::new(),
            }];
            for &i in picks {
                summary.add(&cases[i]);
                out.push(Event::CaseFinished(Box::new(cases[i].clone())));
            }
            out.push(Event::RunFinished {
                summary,
                elapsed: Duration::from_millis(10 * picks.len() as u64),
                stopped: None,
            });
            out
        };
        (part(42, &[0, 2]), part(seed_b, &[1, 3]))
    }

    #[test]
    fn two_partitions_merge_into_one_report() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = partitions(42);
        let (pa, pb) = (dir.path().join("a.json"), dir.path().join("b.json"));
        write_partition(&pa, &a);
        write_partition(&pb, &b);
        let (json, xml) = (Shared::default(), Shared::default());
        let mut fanout = Fanout::new(vec![
            Box::new(JsonReporter::new(Box::new(json.clone()), Path::new("-"))),
            Box::new(JunitReporter::new(Box::new(xml.clone()), Path::new("-"))),
        ]);
        let outcome = merge_reports(&[pa, pb], &mut fanout).unwrap();
        assert_eq!(outcome.files, 2);
        assert_eq!(outcome.header.seed, 42);
        assert_eq!(
            (outcome.header.summary.total, outcome.header.summary.failed),
            (4, 1)
        );
        let v: Value = serde_json::from_str(&json.text()).unwrap();
        assert_eq!(v["seed"], 42);
        assert_eq!(v["summary"]["total"], 4);
        assert_eq!(v["summary"]["errors"], 1);
        let ids: Vec<&str> = v["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        assert_eq!(
            ids,
            vec![
                "put-valid-1",
                "wm-invalid-3",
                "put-invalid-7",
                "get-valid-2"
            ]
        );
        let junit = quick_junit::Report::deserialize_from_str(&xml.text()).unwrap();
        assert_eq!(junit.tests, 4);
        assert_eq!(junit.failures, 1);
    }

    #[test]
    fn mismatched_seeds_and_foreign_files_are_errors_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = partitions(7);
        let (pa, pb) = (dir.path().join("a.json"), dir.path().join("b.json"));
        write_partition(&pa, &a);
        write_partition(&pb, &b);
        let mut sink = Fanout::new(vec![]);
        let err = merge_reports(&[pa.clone(), pb.clone()], &mut sink)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("b.json") && err.contains("seed 7 differs from seed 42"),
            "{err}"
        );

        let foreign = dir.path().join("package.json");
        std::fs::write(&foreign, r#"{"name": "x", "version": "1"}"#).unwrap();
        let err = merge_reports(&[pa.clone(), foreign], &mut sink)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("package.json") && err.contains("not a conform JSON report"),
            "{err}"
        );

        let garbage = dir.path().join("g.json");
        std::fs::write(&garbage, "<html>").unwrap();
        let err = merge_reports(&[garbage], &mut sink)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("g.json") && err.contains("not a conform JSON report"),
            "{err}"
        );

        let missing = dir.path().join("missing.json");
        let err = merge_reports(&[missing], &mut sink)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("failed to read") && err.contains("missing.json"),
            "{err}"
        );
    }
}
