//! Baselines: deviations a target is known to have, accepted so that CI fails only on new ones.
//!
//! An entry is keyed by operation, check, mutation class and member (the case kind stands in for the class when a
//! case mutates nothing), never by case ids or generated values, so the same deviation keeps its key across
//! seeds. The file is TOML, sorted by key, with a header comment; each entry may carry a `note` saying why it is
//! accepted, which `--update-baseline` keeps. Transport errors have no check and are never baselined.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{CaseResult, ReportError};
use crate::check::CheckName;

/// The comment atop every baseline file.
pub const BASELINE_ABOUT: &str = "\
# conform baseline: deviations this target is known to have, accepted so that CI fails only on new ones.
# `conform run --baseline FILE` does not count these as failures; `--update-baseline` rewrites this file from
# the run (keeping each entry's `note`; entries of operations the run did not cover are kept as they are).
# An entry is keyed by operation, check, mutation class and member, never by case ids or random values.
# Add `note = \"...\"` to an entry to say why the deviation is accepted.
";

/// What identifies an accepted deviation, stably across seeds.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct BaselineKey {
    /// Operation name.
    pub operation: String,
    /// The failed check.
    pub check: CheckName,
    /// The mutation class (`length-max+1`), or the case kind (`valid`) when nothing was mutated.
    pub mutation: String,
    /// The mutated member's path, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
}

impl BaselineKey {
    /// One key per deviating check of a result (failed and not uncertain); none for passes and transport errors.
    pub fn for_result(r: &CaseResult) -> Vec<BaselineKey> {
        if r.error {
            return vec![];
        }
        let (mutation, member) = match &r.mutation {
            Some(m) => (m.class.to_string(), m.member()),
            None => (r.kind.as_str().to_string(), None),
        };
        let mut keys: Vec<BaselineKey> = r
            .checks
            .iter()
            .filter(|c| c.is_deviation())
            .map(|c| BaselineKey {
                operation: r.operation.clone(),
                check: c.check,
                mutation: mutation.clone(),
                member: member.clone(),
            })
            .collect();
        keys.dedup();
        keys
    }
}

/// One entry of the file: the key and an optional note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineEntry {
    /// Operation name.
    pub operation: String,
    /// The failed check.
    pub check: CheckName,
    /// Mutation class or case kind.
    pub mutation: String,
    /// The mutated member, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    /// Why the deviation is accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselineFile {
    #[serde(default)]
    deviation: Vec<BaselineEntry>,
}

/// Accepted deviations, sorted by key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Baseline {
    entries: BTreeMap<BaselineKey, Option<String>>,
}

/// How a run compares with a baseline.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BaselineComparison {
    /// Deviations the run found that the baseline lacks.
    pub new: Vec<BaselineKey>,
    /// Entries of operations and checks the run covered that it no longer found: candidates for removal.
    pub gone: Vec<BaselineKey>,
}

impl Baseline {
    /// Reads a baseline file; a missing or broken file is an error naming it (with line and column when broken).
    pub fn load(path: &Path) -> Result<Baseline, ReportError> {
        let text = super::bounded::read_to_string_bounded(path, super::bounded::BASELINE_LIMIT)?;
        Self::parse(&text, path)
    }

    /// Reads a baseline file, or gives an empty baseline when it does not exist (for `--update-baseline`).
    pub fn load_or_empty(path: &Path) -> Result<Baseline, ReportError> {
        if path.exists() {
            Self::load(path)
        } else {
            Ok(Baseline::default())
        }
    }

    /// Parses baseline text; `path` names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Baseline, ReportError> {
        let file: BaselineFile = toml::from_str(text).map_err(|e| ReportError::Baseline {
            path: path.to_path_buf(),
            message: e.to_string().trim_end().to_string(),
        })?;
        Ok(Baseline {
            entries: file
                .deviation
                .into_iter()
                .map(|e| {
                    (
                        BaselineKey {
                            operation: e.operation,
                            check: e.check,
                            mutation: e.mutation,
                            member: e.member,
                        },
                        e.note,
                    )
                })
                .collect(),
        })
    }

    /// A baseline holding every deviation of these results.
    pub fn from_results<'a>(results: impl IntoIterator<Item = &'a CaseResult>) -> Baseline {
        Self::from_keys(results.into_iter().flat_map(BaselineKey::for_result))
    }

    /// A baseline holding these keys, without notes.
    pub fn from_keys(keys: impl IntoIterator<Item = BaselineKey>) -> Baseline {
        Baseline {
            entries: keys.into_iter().map(|k| (k, None)).collect(),
        }
    }

    /// One key per deviating check of a result.
    pub fn key_for(&self, result: &CaseResult) -> Vec<BaselineKey> {
        BaselineKey::for_result(result)
    }

    /// Whether the baseline accepts this deviation.
    pub fn contains(&self, key: &BaselineKey) -> bool {
        self.entries.contains_key(key)
    }

    /// The note of an entry.
    pub fn note(&self, key: &BaselineKey) -> Option<&str> {
        self.entries.get(key)?.as_deref()
    }

    /// Sets `result.baselined`: a deviation whose every deviating check is accepted.
    pub fn mark(&self, result: &mut CaseResult) {
        let keys = self.key_for(result);
        result.baselined =
            result.deviation && !keys.is_empty() && keys.iter().all(|k| self.contains(k));
    }

    /// The keys, sorted.
    pub fn keys(&self) -> impl Iterator<Item = &BaselineKey> {
        self.entries.keys()
    }

    /// How many entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there is no entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Keeps the notes `old` has for keys this baseline also has.
    pub fn keep_notes_from(&mut self, old: &Baseline) {
        for (key, note) in &mut self.entries {
            if note.is_none() {
                *note = old.entries.get(key).cloned().flatten();
            }
        }
    }

    /// Compares with the deviations a run found: what is new, and what is no longer seen.
    pub fn compare(&self, seen: &BTreeSet<BaselineKey>) -> BaselineComparison {
        BaselineComparison {
            new: seen.iter().filter(|k| !self.contains(k)).cloned().collect(),
            gone: self
                .entries
                .keys()
                .filter(|k| !seen.contains(k))
                .cloned()
                .collect(),
        }
    }

    /// The file's text: the header comment, then one `[[deviation]]` table per entry, sorted.
    pub fn to_toml(&self) -> String {
        let file = BaselineFile {
            deviation: self
                .entries
                .iter()
                .map(|(k, note)| BaselineEntry {
                    operation: k.operation.clone(),
                    check: k.check,
                    mutation: k.mutation.clone(),
                    member: k.member.clone(),
                    note: note.clone(),
                })
                .collect(),
        };
        let body = toml::to_string(&file).unwrap_or_default();
        format!("{BASELINE_ABOUT}\n{body}")
    }

    /// Writes the file.
    pub fn save(&self, path: &Path) -> Result<(), ReportError> {
        std::fs::write(path, self.to_toml()).map_err(|source| ReportError::Write {
            what: "baseline",
            path: path.to_path_buf(),
            source,
        })
    }
}

/// How many stale entries [`stale_entries_note`] lists before it counts the rest.
pub const MAX_STALE_LISTED: usize = 20;

/// One entry as the baseline file writes it, on one line: an inline TOML table
/// (`{ operation = "PutAlternateContact", check = "status", mutation = "length-max+1", member = "Name" }`).
pub fn inline_entry(key: &BaselineKey) -> String {
    let quote = |text: &str| toml::Value::String(text.to_string()).to_string();
    let mut text = format!(
        "{{ operation = {}, check = {}, mutation = {}",
        quote(&key.operation),
        quote(key.check.as_str()),
        quote(&key.mutation)
    );
    if let Some(member) = &key.member {
        text.push_str(&format!(", member = {}", quote(member)));
    }
    text.push_str(" }");
    text
}

/// The note about baseline entries a run no longer saw: one entry a line, as the file writes them, at most
/// [`MAX_STALE_LISTED`] and a count of the rest.
pub fn stale_entries_note(gone: &[BaselineKey]) -> String {
    let one = gone.len() == 1;
    let mut text = format!(
        "{} baseline entr{} no longer seen (the emulator may have been fixed; --update-baseline drops {}):",
        gone.len(),
        if one { "y is" } else { "ies are" },
        if one { "it" } else { "them" },
    );
    for key in gone.iter().take(MAX_STALE_LISTED) {
        text.push_str("\n  ");
        text.push_str(&inline_entry(key));
    }
    if gone.len() > MAX_STALE_LISTED {
        text.push_str(&format!("\n  … and {} more", gone.len() - MAX_STALE_LISTED));
    }
    text
}

/// Follows a run against a baseline: marks each result, collects the keys seen, counts new deviations.
#[derive(Debug, Clone, Default)]
pub struct BaselineTracker {
    baseline: Baseline,
    seen: BTreeSet<BaselineKey>,
    operations: BTreeSet<String>,
    checks: BTreeSet<CheckName>,
    new_deviations: usize,
}

impl BaselineTracker {
    /// A tracker against `baseline` (an empty one when no `--baseline` is given).
    pub fn new(baseline: Baseline) -> Self {
        BaselineTracker {
            baseline,
            ..Default::default()
        }
    }

    /// Marks `result` (sets `baselined`) and records it; call before emitting the result's event.
    pub fn observe(&mut self, result: &mut CaseResult) {
        self.baseline.mark(result);
        self.operations.insert(result.operation.clone());
        self.checks.extend(result.checks.iter().map(|c| c.check));
        self.seen.extend(BaselineKey::for_result(result));
        if result.deviation && !result.baselined && !result.is_not_implemented() {
            self.new_deviations += 1;
        }
    }

    /// Deviating cases not accepted by the baseline (the probes of operations found not implemented are no cases:
    /// see the summary's `not_implemented`).
    pub fn new_deviations(&self) -> usize {
        self.new_deviations
    }

    /// New keys, and entries the run no longer found among the operations and checks it covered.
    pub fn comparison(&self) -> BaselineComparison {
        let mut comparison = self.baseline.compare(&self.seen);
        comparison
            .gone
            .retain(|k| self.operations.contains(&k.operation) && self.checks.contains(&k.check));
        comparison
    }

    /// The baseline `--update-baseline` writes: what this run found (with old notes), plus the old entries of
    /// operations or checks the run did not cover.
    pub fn updated(&self) -> Baseline {
        let mut updated = Baseline::from_keys(self.seen.iter().cloned());
        updated.keep_notes_from(&self.baseline);
        for (key, note) in &self.baseline.entries {
            if !self.operations.contains(&key.operation) || !self.checks.contains(&key.check) {
                updated.entries.insert(key.clone(), note.clone());
            }
        }
        updated
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::sample_results;
    use super::*;

    #[test]
    fn keys_are_one_per_deviating_check_and_ignore_ids() {
        let results = sample_results();
        let keys = BaselineKey::for_result(&results[1]);
        assert_eq!(
            keys,
            vec![
                BaselineKey {
                    operation: "PutAlternateContact".into(),
                    check: CheckName::Status,
                    mutation: "length-max+1".into(),
                    member: Some("Name".into()),
                },
                BaselineKey {
                    operation: "PutAlternateContact".into(),
                    check: CheckName::ErrorType,
                    mutation: "length-max+1".into(),
                    member: Some("Name".into()),
                },
            ]
        );
        let mut other = results[1].clone();
        other.id = "another-id".into();
        other.body_excerpt = Some("different".into());
        assert_eq!(BaselineKey::for_result(&other), keys);
        assert!(BaselineKey::for_result(&results[0]).is_empty(), "a pass");
        assert!(BaselineKey::for_result(&results[2]).is_empty(), "uncertain");
        assert!(
            BaselineKey::for_result(&results[3]).is_empty(),
            "transport error"
        );
    }

    #[test]
    fn a_baseline_round_trips_through_its_file_with_notes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("baseline.toml");
        let mut baseline = Baseline::from_results(&sample_results());
        assert_eq!(baseline.len(), 2);
        let key = baseline.keys().next().unwrap().clone();
        baseline
            .entries
            .insert(key.clone(), Some("moto accepts long names".into()));
        baseline.save(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("# conform baseline"), "{text}");
        assert!(
            text.contains("[[deviation]]\noperation = \"PutAlternateContact\"\ncheck = \"status\""),
            "{text}"
        );
        let loaded = Baseline::load(&path).unwrap();
        assert_eq!(loaded, baseline);
        assert_eq!(loaded.note(&key), Some("moto accepts long names"));
        // Sorted by key: operation, then check in the order checks run.
        let checks: Vec<CheckName> = loaded.keys().map(|k| k.check).collect();
        assert_eq!(checks, vec![CheckName::Status, CheckName::ErrorType]);
    }

    #[test]
    fn stale_entries_are_listed_as_the_file_writes_them_one_a_line_and_capped() {
        let key = |i: usize| BaselineKey {
            operation: "PutAlternateContact".into(),
            check: CheckName::Status,
            mutation: format!("length-max+{i}"),
            member: i.is_multiple_of(2).then(|| "Name \"quoted\"".to_string()),
        };
        let note = stale_entries_note(&[key(1)]);
        assert_eq!(
            note,
            "1 baseline entry is no longer seen (the emulator may have been fixed; --update-baseline drops it):\n  \
             { operation = \"PutAlternateContact\", check = \"status\", mutation = \"length-max+1\" }"
        );
        let many: Vec<BaselineKey> = (0..500).map(key).collect();
        let note = stale_entries_note(&many);
        let lines: Vec<&str> = note.lines().collect();
        assert_eq!(lines.len(), 1 + MAX_STALE_LISTED + 1, "{note}");
        assert!(lines[0].starts_with("500 baseline entries are no longer seen"));
        assert_eq!(lines.last().unwrap(), &"  … and 480 more");
        assert!(!note.contains("BaselineKey"), "{note}");
        // Each line is an entry the baseline file would parse back into the same key.
        for (line, key) in lines[1..=MAX_STALE_LISTED].iter().zip(&many) {
            let table: toml::Table = toml::from_str(&format!("entry = {}", line.trim()))
                .unwrap_or_else(|e| panic!("{line}: {e}"));
            let entry: BaselineEntry = table["entry"].clone().try_into().unwrap();
            assert_eq!(entry.operation, key.operation);
            assert_eq!(entry.mutation, key.mutation);
            assert_eq!(entry.member, key.member);
        }
    }

    #[test]
    fn an_oversized_or_endless_baseline_is_refused_naming_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.toml");
        let file = std::fs::File::create(&path).unwrap();
        file.set_len(super::super::bounded::BASELINE_LIMIT + 1)
            .unwrap();
        let error = Baseline::load(&path).unwrap_err().to_string();
        assert!(
            error.contains("big.toml") && error.contains("the limit of 16 MiB"),
            "{error}"
        );
        #[cfg(unix)]
        {
            let error = Baseline::load(Path::new("/dev/zero"))
                .unwrap_err()
                .to_string();
            assert!(
                error.contains("/dev/zero") && error.contains("the limit of 16 MiB"),
                "{error}"
            );
        }
    }

    #[test]
    fn broken_and_missing_files_are_located_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.toml");
        std::fs::write(
            &path,
            "[[deviation]]\noperation = \"X\"\ncheck = \"stauts\"\nmutation = \"m\"\n",
        )
        .unwrap();
        let err = Baseline::load(&path).unwrap_err().to_string();
        assert!(err.starts_with("failed to parse baseline"), "{err}");
        assert!(err.contains("line 3"), "{err}");
        assert!(err.contains("stauts"), "{err}");
        let missing = dir.path().join("missing.toml");
        let error = Baseline::load(&missing).unwrap_err().to_string();
        assert!(
            error.starts_with("failed to read `") && error.contains("No such file"),
            "the OS cause is part of the message: {error}"
        );
        assert_eq!(
            Baseline::load_or_empty(&missing).unwrap(),
            Baseline::default()
        );
    }

    #[test]
    fn the_tracker_marks_known_deviations_and_lists_new_and_gone_entries() {
        let results = sample_results();
        let mut baseline = Baseline::from_keys([
            BaselineKey {
                operation: "PutAlternateContact".into(),
                check: CheckName::Status,
                mutation: "length-max+1".into(),
                member: Some("Name".into()),
            },
            BaselineKey {
                operation: "PutAlternateContact".into(),
                check: CheckName::Status,
                mutation: "enum-case".into(),
                member: Some("AlternateContactType".into()),
            },
            BaselineKey {
                operation: "DescribeUser".into(),
                check: CheckName::Status,
                mutation: "valid".into(),
                member: None,
            },
        ]);
        baseline.entries.insert(
            BaselineKey {
                operation: "DescribeUser".into(),
                check: CheckName::Status,
                mutation: "valid".into(),
                member: None,
            },
            Some("kept".into()),
        );
        let mut tracker = BaselineTracker::new(baseline);
        for mut r in results.clone() {
            tracker.observe(&mut r);
            assert!(
                !r.baselined,
                "error-type of the deviation is not in the baseline"
            );
        }
        assert_eq!(tracker.new_deviations(), 1);
        let cmp = tracker.comparison();
        assert_eq!(cmp.new.len(), 1);
        assert_eq!(cmp.new[0].check, CheckName::ErrorType);
        assert_eq!(
            cmp.gone.len(),
            1,
            "DescribeUser did not run, so it is not listed: {cmp:?}"
        );
        assert_eq!(cmp.gone[0].mutation, "enum-case");
        let updated = tracker.updated();
        assert_eq!(updated.len(), 3, "{updated:?}");
        assert_eq!(
            updated
                .keys()
                .filter(|k| k.operation == "DescribeUser")
                .count(),
            1
        );

        // With both checks accepted, the deviation is known and not new.
        let mut tracker = BaselineTracker::new(Baseline::from_results(&results));
        let mut dev = results[1].clone();
        tracker.observe(&mut dev);
        assert!(dev.baselined);
        assert_eq!(tracker.new_deviations(), 0);
        assert_eq!(tracker.comparison(), BaselineComparison::default());
    }
}
