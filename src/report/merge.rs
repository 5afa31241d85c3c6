//! `conform report merge`: joins the JSON reports of the partitions of one run, streaming their results.

use std::cell::RefCell;
use std::fmt;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::bounded::{BoundedReadError, REPORT_LIMIT, open_bounded};
use super::json::FORMAT;
use super::json::ResultRecord;
use super::{CaseResult, Event, PartitionId, ReportError, Reporter, RunOrigin, Stopped, Summary};

/// The top-level fields of a JSON report: everything but its results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportHeader {
    /// The `format` field (`conform-report/1`).
    pub format: String,
    /// Which conform ran it, from what, and which partition it is (default when the report does not say).
    pub origin: RunOrigin,
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
    /// The services its run left out, and why (its `matrix` section's `skipped`).
    pub skipped: Vec<super::matrix::SkippedService>,
}

/// What `merge_reports` lets through that it otherwise refuses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MergeOptions {
    /// Join partitions that were interrupted (their cases are incomplete; the merged report says it was
    /// interrupted too).
    pub accept_interrupted: bool,
    /// Join the partitions given although some of the run's are missing (the merged report is marked interrupted).
    pub accept_missing: bool,
    /// Join partitions run against different endpoints: one emulator started per job or per port, as a local run of
    /// several parts must do. The merged report names every endpoint.
    pub accept_other_targets: bool,
}

/// What a merge produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeOutcome {
    /// The merged header: the common seed, the targets, summed summaries, the longest time.
    pub header: ReportHeader,
    /// How many reports were joined.
    pub files: usize,
    /// The partitions that were missing and accepted as such (`--accept-missing`).
    pub missing: Vec<PartitionId>,
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

/// Joins the partition reports of one run into `reporter`: summaries are summed and results concatenated.
///
/// Refused, each with the file it concerns: a file given twice; a report of another format; reports that differ in
/// seed, target, conform version or digest (another run, not another part of this one); a whole run among
/// partitions; two reports of the same partition; partitions of different counts; a missing partition and an
/// interrupted one (unless `options` accepts them). Joined silently, any of these would count cases twice or
/// pass off part of a run as all of it.
pub fn merge_reports(
    paths: &[PathBuf],
    options: MergeOptions,
    reporter: &mut dyn Reporter,
) -> Result<MergeOutcome, ReportError> {
    if paths.is_empty() {
        return Err(ReportError::Merge {
            path: PathBuf::from("-"),
            message: "no report to merge".into(),
        });
    }
    let refuse = |path: &Path, message: String| ReportError::Merge {
        path: path.to_path_buf(),
        message,
    };
    let mut headers: Vec<(&PathBuf, ReportHeader)> = Vec::new();
    for path in paths {
        if let Some((earlier, _)) = headers.iter().find(|(p, _)| same_file(p, path)) {
            return Err(refuse(
                path,
                format!(
                    "it is given twice (also as `{}`); each partition is merged once",
                    earlier.display()
                ),
            ));
        }
        let header = read_report(path, None)?;
        if header.format != FORMAT {
            return Err(refuse(
                path,
                format!(
                    "its format `{}` is not `{FORMAT}`, the one this conform reads",
                    header.format
                ),
            ));
        }
        headers.push((path, header));
    }
    let (first_path, first) = (&headers[0].0, headers[0].1.clone());
    if headers.len() > 1 {
        check_same_run(&headers, options)?;
    }
    let mut missing = Vec::new();
    if let Some(PartitionId { n, .. }) = first.origin.partition {
        let present: Vec<u64> = headers
            .iter()
            .filter_map(|(_, h)| h.origin.partition.map(|p| p.k))
            .collect();
        missing = (1..=n)
            .filter(|k| !present.contains(k))
            .map(|k| PartitionId { k, n })
            .collect();
        if !missing.is_empty() && !options.accept_missing {
            let list: Vec<String> = missing.iter().map(|p| p.to_string()).collect();
            return Err(refuse(
                first_path,
                format!(
                    "partition{} {} of this run {} missing; merge every partition, or pass --accept-missing to \
                     join these (the merged report is then marked interrupted)",
                    if missing.len() == 1 { "" } else { "s" },
                    list.join(", "),
                    if missing.len() == 1 { "is" } else { "are" }
                ),
            ));
        }
    }
    let mut header = first;
    for (_, other) in &headers[1..] {
        header.summary.merge(&other.summary);
        header.elapsed_ms = header.elapsed_ms.max(other.elapsed_ms);
        header.interrupted |= other.interrupted;
        if header.stopped.is_none() {
            header.stopped = other.stopped.clone();
        }
        // Only with --accept-other-targets can they differ: the merged report names each endpoint once.
        if !header.target.split(", ").any(|t| t == other.target) {
            header.target = format!("{}, {}", header.target, other.target);
        }
        for skipped in &other.skipped {
            if !header.skipped.contains(skipped) {
                header.skipped.push(skipped.clone());
            }
        }
    }
    header.interrupted |= !missing.is_empty();
    // The merged report is the whole run again (or as much of it as was accepted).
    header.origin.partition = None;
    reporter.event(&Event::RunStarted {
        seed: header.seed,
        target: header.target.clone(),
        total: Some(header.summary.total),
        phases: Vec::new(),
        origin: header.origin.clone(),
    })?;
    for skipped in &header.skipped {
        reporter.event(&Event::ServiceSkipped {
            service: skipped.service.clone(),
            reason: skipped.reason.clone(),
        })?;
    }
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
        missing,
    })
}

/// Every report must be a partition of the first one's run, each partition once, none interrupted unless accepted.
fn check_same_run(
    headers: &[(&PathBuf, ReportHeader)],
    options: MergeOptions,
) -> Result<(), ReportError> {
    let (first_path, first) = (&headers[0].0, &headers[0].1);
    let differs = |path: &Path, what: &str, theirs: &str, ours: &str| ReportError::Merge {
        path: path.to_path_buf(),
        message: format!(
            "its {what} {theirs} differs from {ours} of `{}`; partitions of one run share it",
            first_path.display()
        ),
    };
    for (path, h) in headers {
        if h.seed != first.seed {
            return Err(differs(
                path,
                "seed",
                &h.seed.to_string(),
                &format!("seed {}", first.seed),
            ));
        }
        if h.target != first.target && !options.accept_other_targets {
            return Err(ReportError::Merge {
                path: path.to_path_buf(),
                message: format!(
                    "its target `{}` differs from `{}` of `{}`; partitions of one run test one target (pass \
                     --accept-other-targets when each part ran against its own instance of the same emulator)",
                    h.target,
                    first.target,
                    first_path.display()
                ),
            });
        }
        if h.origin.conform_version != first.origin.conform_version {
            return Err(differs(
                path,
                "conform version",
                &format!("`{}`", h.origin.conform_version),
                &format!("`{}`", first.origin.conform_version),
            ));
        }
        if h.origin.digest != first.origin.digest {
            return Err(ReportError::Merge {
                path: path.to_path_buf(),
                message: format!(
                    "it was run from other specs, models or settings than `{}` (digest {} against {}); \
                     partitions of one run are run with the same flags and files",
                    first_path.display(),
                    or_unknown(&h.origin.digest),
                    or_unknown(&first.origin.digest)
                ),
            });
        }
        let Some(partition) = h.origin.partition else {
            return Err(ReportError::Merge {
                path: path.to_path_buf(),
                message: "it is a whole run, not a partition (`conform run --partition K/N --json ...` writes \
                          one); merging it with others would count its cases twice"
                    .into(),
            });
        };
        let first_n = first.origin.partition.map_or(partition.n, |p| p.n);
        if partition.n != first_n {
            return Err(differs(
                path,
                "partition",
                &partition.to_string(),
                &format!("a partition of {first_n}"),
            ));
        }
        if let Some((twin, _)) = headers
            .iter()
            .find(|(p, o)| !std::ptr::eq(*p, *path) && o.origin.partition == Some(partition))
        {
            return Err(ReportError::Merge {
                path: path.to_path_buf(),
                message: format!(
                    "it is partition {partition}, as `{}` is; each partition is merged once",
                    twin.display()
                ),
            });
        }
        if h.interrupted && !options.accept_interrupted {
            let why = h.stopped.as_ref().map_or("interrupted".to_string(), |s| {
                format!("stopped ({})", s.name())
            });
            return Err(ReportError::Merge {
                path: path.to_path_buf(),
                message: format!(
                    "partition {partition} was {why} before all its cases ran; run it again, or pass \
                     --accept-interrupted to join what it has"
                ),
            });
        }
    }
    Ok(())
}

fn or_unknown(digest: &str) -> &str {
    if digest.is_empty() { "unknown" } else { digest }
}

/// Whether two paths name the same file (the same spelling when either does not exist).
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
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
        let (mut format, mut origin) = (String::new(), RunOrigin::default());
        let (mut elapsed_ms, mut interrupted, mut stopped) = (0u64, false, None);
        let mut skipped = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "format" => format = map.next_value::<String>()?,
                "origin" => origin = map.next_value::<RunOrigin>()?,
                "seed" => seed = Some(map.next_value::<u64>()?),
                "target" => target = Some(map.next_value::<String>()?),
                "summary" => summary = Some(map.next_value::<Summary>()?),
                "elapsed_ms" => elapsed_ms = map.next_value()?,
                "interrupted" => interrupted = map.next_value()?,
                "stopped" => stopped = map.next_value()?,
                "matrix" => skipped = map.next_value::<super::matrix::SectionSkipped>()?.skipped,
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
            format,
            origin,
            seed: seed.ok_or_else(|| missing("seed"))?,
            target: target.unwrap_or_default(),
            summary: summary.ok_or_else(|| missing("summary"))?,
            elapsed_ms,
            interrupted,
            stopped,
            skipped,
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
        let part = |seed: u64, picks: &[usize], k: u64| {
            let mut summary = Summary::default();
            let mut out = vec![Event::RunStarted {
                seed,
                target: "http://127.0.0.1:1".into(),
                total: None,
                phases: Vec::new(),
                origin: origin(Some((k, 2))),
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
        (part(42, &[0, 2], 1), part(seed_b, &[1, 3], 2))
    }

    fn origin(partition: Option<(u64, u64)>) -> RunOrigin {
        RunOrigin::new("0123456789abcdef".into(), partition)
    }

    /// Rewrites the header of a report file: `edit` changes its top-level object (results kept).
    fn edited(path: &Path, to: &Path, edit: impl FnOnce(&mut serde_json::Map<String, Value>)) {
        let mut v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        edit(v.as_object_mut().unwrap());
        std::fs::write(to, v.to_string()).unwrap();
    }

    #[test]
    fn parts_of_other_runs_and_parts_given_twice_are_refused_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = partitions(42);
        let (pa, pb) = (dir.path().join("a.json"), dir.path().join("b.json"));
        write_partition(&pa, &a);
        write_partition(&pb, &b);
        let file = |name: &str| dir.path().join(name);
        let merge = |paths: &[PathBuf], options: MergeOptions| {
            merge_reports(paths, options, &mut Fanout::new(vec![]))
        };
        let refused = |paths: &[PathBuf], file: &str, words: &[&str]| {
            let err = merge(paths, MergeOptions::default())
                .unwrap_err()
                .to_string();
            assert!(err.contains(file), "{err}");
            for w in words {
                assert!(err.contains(w), "`{w}` not in: {err}");
            }
        };
        // The same file twice, by another spelling of its path.
        let again = dir.path().join(".").join("a.json");
        refused(&[pa.clone(), again], "a.json", &["given twice"]);
        // Another format.
        edited(&pb, &file("fmt.json"), |o| {
            o.insert("format".into(), "conform-report/9".into());
        });
        refused(
            &[pa.clone(), file("fmt.json")],
            "fmt.json",
            &["conform-report/9"],
        );
        // Another target, another conform, other specs or settings.
        edited(&pb, &file("tgt.json"), |o| {
            o.insert("target".into(), "http://127.0.0.1:2".into());
        });
        refused(
            &[pa.clone(), file("tgt.json")],
            "tgt.json",
            &["target", "--accept-other-targets"],
        );
        // Each part against its own instance of the emulator: joined when accepted, naming both endpoints.
        let accepted = merge(
            &[pa.clone(), file("tgt.json")],
            MergeOptions {
                accept_other_targets: true,
                ..MergeOptions::default()
            },
        )
        .unwrap();
        assert_eq!(
            accepted.header.target,
            "http://127.0.0.1:1, http://127.0.0.1:2"
        );
        assert_eq!(accepted.header.summary.total, 4);
        edited(&pb, &file("ver.json"), |o| {
            o["origin"]["conform_version"] = "0.0.1".into();
        });
        refused(
            &[pa.clone(), file("ver.json")],
            "ver.json",
            &["conform version"],
        );
        edited(&pb, &file("dig.json"), |o| {
            o["origin"]["digest"] = "ffff".into();
        });
        refused(
            &[pa.clone(), file("dig.json")],
            "dig.json",
            &["digest ffff"],
        );
        // A whole run among partitions; a report that does not say (older conform) is no partition either.
        edited(&pb, &file("whole.json"), |o| {
            o["origin"]["partition"] = Value::Null;
        });
        refused(
            &[pa.clone(), file("whole.json")],
            "whole.json",
            &["whole run"],
        );
        // One partition twice, in two files.
        edited(&pa, &file("a2.json"), |_| {});
        refused(
            &[pa.clone(), file("a2.json")],
            "a2.json",
            &["partition 1/2", "a.json"],
        );
        // Partitions of different counts.
        edited(&pb, &file("of3.json"), |o| {
            o["origin"]["partition"] = serde_json::json!({"k": 2, "n": 3});
        });
        refused(&[pa.clone(), file("of3.json")], "of3.json", &["2/3"]);
        // A missing partition: refused, or joined when accepted, and then the merged run is marked interrupted.
        refused(
            std::slice::from_ref(&pa),
            "a.json",
            &["partition 2/2", "missing", "--accept-missing"],
        );
        let accepted = merge(
            std::slice::from_ref(&pa),
            MergeOptions {
                accept_missing: true,
                ..MergeOptions::default()
            },
        )
        .unwrap();
        assert_eq!(accepted.missing, vec![PartitionId { k: 2, n: 2 }]);
        assert!(accepted.header.interrupted);
        // An interrupted partition: refused, or joined when accepted.
        edited(&pb, &file("cut.json"), |o| {
            o.insert("interrupted".into(), true.into());
            o.insert(
                "stopped".into(),
                serde_json::json!({"reason": "max-time", "limit_ms": 5}),
            );
        });
        refused(
            &[pa.clone(), file("cut.json")],
            "cut.json",
            &["2/2", "--accept-interrupted"],
        );
        let accepted = merge(
            &[pa.clone(), file("cut.json")],
            MergeOptions {
                accept_interrupted: true,
                ..MergeOptions::default()
            },
        )
        .unwrap();
        assert!(accepted.header.interrupted && accepted.missing.is_empty());
        // All of them, once each: joined, and the merged report is the whole run again.
        let whole = merge(&[pb.clone(), pa.clone()], MergeOptions::default()).unwrap();
        assert!(!whole.header.interrupted);
        assert_eq!(whole.header.origin.partition, None);
        assert_eq!(whole.header.origin.digest, "0123456789abcdef");
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
        let outcome = merge_reports(&[pa, pb], MergeOptions::default(), &mut fanout).unwrap();
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
        let err = merge_reports(
            &[pa.clone(), pb.clone()],
            MergeOptions::default(),
            &mut sink,
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("b.json") && err.contains("seed 7 differs from seed 42"),
            "{err}"
        );

        let foreign = dir.path().join("package.json");
        std::fs::write(&foreign, r#"{"name": "x", "version": "1"}"#).unwrap();
        let err = merge_reports(&[pa.clone(), foreign], MergeOptions::default(), &mut sink)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("package.json") && err.contains("not a conform JSON report"),
            "{err}"
        );

        let garbage = dir.path().join("g.json");
        std::fs::write(&garbage, "<html>").unwrap();
        let err = merge_reports(&[garbage], MergeOptions::default(), &mut sink)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("g.json") && err.contains("not a conform JSON report"),
            "{err}"
        );

        let missing = dir.path().join("missing.json");
        let err = merge_reports(&[missing], MergeOptions::default(), &mut sink)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("failed to read") && err.contains("missing.json"),
            "{err}"
        );
    }
}
