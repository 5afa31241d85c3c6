//! Response snapshots in insta's `.snap` format: normalise, redact, compare with a readable diff, write pending.
//!
//! A snapshot holds the normalised response of a deterministic case — status, error type, the headers that
//! matter, and the body with volatile values replaced by the spec's placeholders — under
//! `snapshots/<service>/<case id>.snap`. `update` writes `<name>.snap.new` beside it for review, which
//! `cargo insta review` and `conform snapshots review|accept|reject` understand.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::model::{RedactionTarget, SnapshotRules};
use crate::protocol::HttpResponse;
use crate::spec::template::lookup_path;

/// Whether and how a run uses snapshots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SnapshotMode {
    /// Compare with the stored snapshots; a mismatch is a deviation.
    Verify,
    /// Write `.snap.new` files where the response differs from (or has no) stored snapshot.
    Update,
    /// Ignore snapshots.
    Off,
}

/// Where a snapshot was recorded: kept in its header, never compared.
#[derive(Debug, Clone)]
pub struct Recording {
    /// `embedded`, or the endpoint URL.
    pub target: String,
    /// The generator seed: snapshot contents hold values drawn from it.
    pub seed: u64,
    /// The request line and body, as a reminder of what was asked.
    pub request: String,
}

/// The result of comparing a response with its snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Identical after normalisation.
    Match,
    /// Different: a unified diff, stored first.
    Mismatch(String),
    /// No stored snapshot.
    Missing,
}

/// What `update` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Update {
    /// The stored snapshot already matches.
    Unchanged,
    /// A `.snap.new` was written for a case with no snapshot.
    New,
    /// A `.snap.new` was written for a case whose response changed.
    Changed,
}

/// What a snapshot is built from: the response, what its protocol read from it, and the values to replace.
pub struct Normalising<'a> {
    /// The response.
    pub response: &'a HttpResponse,
    /// Its normalised error type.
    pub error_type: Option<&'a str>,
    /// Its body as the protocol reads it (the error document, or the output as JSON); `None` shows the raw body.
    pub document: Option<Value>,
    /// The spec's redaction and skip rules.
    pub rules: &'a SnapshotRules,
    /// The case (or step) id, for skip rules.
    pub case_id: &'a str,
    /// Names of sensitive members, masked at any depth.
    pub sensitive: &'a [&'a str],
    /// The headers kept (the protocol's [`crate::protocol::Protocol::snapshot_headers`]).
    pub headers: &'a [&'a str],
    /// Values the case drew (its input's strings, a scenario's draws), each with the stable reference that
    /// replaces it (`<input.Name>`, `<draw.update.PrimaryEmail>`): a snapshot holds only what every seed gives.
    pub drawn: &'a [(String, String)],
}

/// The normalised text of a response: the same for every run of the same target, whatever the seed.
pub fn normalise(n: &Normalising<'_>) -> String {
    let response = n.response;
    let mut text = String::new();
    let _ = writeln!(text, "status: {}", response.status);
    if let Some(error) = n.error_type {
        let _ = writeln!(text, "error_type: {error}");
    }
    for name in n.headers {
        if let Some(value) = response.header(name) {
            let _ = writeln!(text, "{name}: {value}");
        }
    }
    let body = if response.body.iter().all(u8::is_ascii_whitespace) {
        "(empty)".to_string()
    } else {
        match n.document.clone() {
            Some(mut json) => {
                mask_members(&mut json, n.sensitive);
                replace_drawn(&mut json, n.drawn);
                for rule in n.rules.skip.iter().filter(|r| r.matches(n.case_id)) {
                    remove_path(&mut json, &rule.path);
                }
                for redaction in &n.rules.redact {
                    if let RedactionTarget::Path(path) = &redaction.target {
                        set_path(&mut json, path, Value::String(redaction.with.clone()));
                    }
                }
                serde_json::to_string_pretty(&json).unwrap_or_default()
            }
            None => String::from_utf8_lossy(&response.body).into_owned(),
        }
    };
    let _ = writeln!(text, "body:\n{body}");
    for redaction in &n.rules.redact {
        if let RedactionTarget::Pattern(re) = &redaction.target {
            text = re.replace_all(&text, redaction.with.as_str()).into_owned();
        }
    }
    text
}

/// Replaces drawn values: string leaves equal to one, and quoted occurrences (`Value 'abc' at ...`) inside others.
fn replace_drawn(value: &mut Value, drawn: &[(String, String)]) {
    match value {
        Value::String(s) => {
            if let Some((_, reference)) = drawn.iter().find(|(v, _)| v == s) {
                *s = reference.clone();
                return;
            }
            // Longest first, so that a value containing another is replaced whole.
            let mut by_length: Vec<&(String, String)> = drawn.iter().collect();
            by_length.sort_by_key(|(v, _)| std::cmp::Reverse(v.len()));
            for (v, reference) in by_length {
                for quote in ['\'', '"'] {
                    let quoted = format!("{quote}{v}{quote}");
                    if s.contains(&quoted) {
                        *s = s.replace(&quoted, &format!("{quote}{reference}{quote}"));
                    }
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| replace_drawn(v, drawn)),
        Value::Object(map) => map.values_mut().for_each(|v| replace_drawn(v, drawn)),
        _ => {}
    }
}

/// Replaces the values of sensitive members, at any depth, by `***`: snapshots are files people share.
fn mask_members(value: &mut Value, sensitive: &[&str]) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if sensitive.contains(&key.as_str()) && !v.is_null() {
                    *v = Value::String("***".into());
                } else {
                    mask_members(v, sensitive);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| mask_members(v, sensitive)),
        _ => {}
    }
}

fn remove_path(value: &mut Value, path: &str) {
    let (parent, leaf) = path.rsplit_once('.').unwrap_or(("", path));
    let parent = if parent.is_empty() {
        Some(value)
    } else {
        parent.split('.').try_fold(value, |v, k| v.get_mut(k))
    };
    if let Some(Value::Object(map)) = parent {
        map.remove(leaf);
    }
}

fn set_path(value: &mut Value, path: &str, replacement: Value) {
    if lookup_path(value, path).is_none() {
        return;
    }
    if let Some(slot) = path.split('.').try_fold(value, |v, k| v.get_mut(k)) {
        *slot = replacement;
    }
}

/// The snapshots of one directory (`snapshots/`).
#[derive(Debug, Clone)]
pub struct SnapshotStore {
    dir: PathBuf,
}

impl SnapshotStore {
    /// A store rooted at `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        SnapshotStore { dir: dir.into() }
    }

    /// Where a case's snapshot lives.
    pub fn path_for(&self, service: &str, case_id: &str) -> PathBuf {
        self.dir.join(service).join(format!("{case_id}.snap"))
    }

    /// Compares normalised contents with the stored snapshot.
    pub fn verify(
        &self,
        service: &str,
        case_id: &str,
        contents: &str,
    ) -> Result<Verdict, SnapshotError> {
        let path = self.path_for(service, case_id);
        if !path.exists() {
            return Ok(Verdict::Missing);
        }
        let stored = read_contents(&path)?;
        if stored.trim_end() == contents.trim_end() {
            Ok(Verdict::Match)
        } else {
            Ok(Verdict::Mismatch(diff(&stored, contents, &path)))
        }
    }

    /// Writes a pending `.snap.new` when the contents differ from the stored snapshot (or there is none).
    pub fn update(
        &self,
        service: &str,
        case_id: &str,
        contents: &str,
        recording: &Recording,
    ) -> Result<Update, SnapshotError> {
        let path = self.path_for(service, case_id);
        let outcome = match self.verify(service, case_id, contents)? {
            Verdict::Match => return Ok(Update::Unchanged),
            Verdict::Missing => Update::New,
            Verdict::Mismatch(_) => Update::Changed,
        };
        let pending = pending_path(&path);
        write_snapshot(&pending, case_id, contents, recording)?;
        Ok(outcome)
    }

    /// Every pending `.snap.new` under the store, sorted.
    pub fn pending(&self) -> Result<Vec<PathBuf>, SnapshotError> {
        let mut out = Vec::new();
        collect_pending(&self.dir, &mut out)?;
        out.sort();
        Ok(out)
    }

    /// Replaces each stored snapshot by its pending one.
    pub fn accept(&self, pending: &Path) -> Result<PathBuf, SnapshotError> {
        let target = stored_path(pending);
        std::fs::rename(pending, &target).map_err(|source| SnapshotError::Io {
            path: target.clone(),
            source,
        })?;
        Ok(target)
    }

    /// Deletes a pending snapshot.
    pub fn reject(&self, pending: &Path) -> Result<(), SnapshotError> {
        std::fs::remove_file(pending).map_err(|source| SnapshotError::Io {
            path: pending.to_path_buf(),
            source,
        })
    }

    /// The diff between a pending snapshot and the stored one (or all of it, when new).
    pub fn pending_diff(&self, pending: &Path) -> Result<String, SnapshotError> {
        let new = read_contents(pending)?;
        let stored_path = stored_path(pending);
        let old = if stored_path.exists() {
            read_contents(&stored_path)?
        } else {
            String::new()
        };
        Ok(diff(&old, &new, &stored_path))
    }
}

fn collect_pending(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), SnapshotError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => {
            return Err(SnapshotError::Io {
                path: dir.to_path_buf(),
                source,
            });
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_pending(&path, out)?;
        } else if path.to_string_lossy().ends_with(".snap.new") {
            out.push(path);
        }
    }
    Ok(())
}

fn pending_path(stored: &Path) -> PathBuf {
    let mut name = stored.as_os_str().to_owned();
    name.push(".new");
    PathBuf::from(name)
}

fn stored_path(pending: &Path) -> PathBuf {
    let text = pending.to_string_lossy();
    PathBuf::from(text.strip_suffix(".new").unwrap_or(&text).to_string())
}

/// Why a snapshot could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// A file could not be read or written.
    #[error("failed to access snapshot `{}`", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A file is not a snapshot insta can read.
    #[error("failed to parse snapshot `{}`: {message}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// What insta objected to.
        message: String,
    },
}

/// Reads a snapshot's contents with insta's own reader, so that the files stay insta's format.
fn read_contents(path: &Path) -> Result<String, SnapshotError> {
    let snapshot = insta::Snapshot::from_file(path).map_err(|e| SnapshotError::Parse {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    match snapshot.contents() {
        insta::internals::SnapshotContents::Text(text) => Ok(text.to_string()),
        _ => Err(SnapshotError::Parse {
            path: path.to_path_buf(),
            message: "a binary snapshot, where conform writes text".to_string(),
        }),
    }
}

/// Writes a `.snap` file: insta's YAML header (`source`, `expression`, `info`), then the contents.
fn write_snapshot(
    path: &Path,
    case_id: &str,
    contents: &str,
    recording: &Recording,
) -> Result<(), SnapshotError> {
    let io = |source| SnapshotError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    let quote = |s: &str| serde_json::to_string(s).unwrap_or_default();
    let mut text = String::new();
    text.push_str("---\n");
    text.push_str("source: conform\n");
    let _ = writeln!(text, "expression: {}", quote(case_id));
    text.push_str("info:\n");
    let _ = writeln!(text, "  target: {}", quote(&recording.target));
    let _ = writeln!(text, "  recorded: {}", quote(&today()));
    let _ = writeln!(text, "  seed: {}", recording.seed);
    let _ = writeln!(text, "  request: {}", quote(&recording.request));
    text.push_str("---\n");
    text.push_str(contents.trim_end());
    text.push('\n');
    std::fs::write(path, text).map_err(io)
}

/// Today's date (UTC) as YYYY-MM-DD, from the system clock.
fn today() -> String {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() / 86_400)
        .unwrap_or(0) as i64;
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// A unified diff from `old` (stored) to `new` (received).
fn diff(old: &str, new: &str, path: &Path) -> String {
    let old = format!("{}\n", old.trim_end());
    let new = format!("{}\n", new.trim_end());
    similar::TextDiff::from_lines(&old, &new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("{} (stored)", path.display()), "received")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn normalising_keeps_what_matters_and_redacts_the_rest() {
        let specs = crate::spec::embedded_model().unwrap();
        let rules = &specs.services["account"].rules.snapshots;
        let r = response(
            403,
            &[
                ("content-type", "application/json"),
                ("x-amzn-requestid", "abc"),
                ("date", "now"),
            ],
            r#"{"message":"User: arn:aws:iam::123456789012:user/x is not authorized for 123456789012"}"#,
        );
        let text = normalise(&Normalising {
            response: &r,
            error_type: Some("AccessDeniedException"),
            document: serde_json::from_slice(&r.body).ok(),
            rules,
            case_id: "id",
            sensitive: &[],
            headers: &["content-type", "x-amzn-errortype"],
            drawn: &[],
        });
        assert!(text.starts_with(
            "status: 403\nerror_type: AccessDeniedException\ncontent-type: application/json\n"
        ));
        assert!(
            !text.contains("abc") && !text.contains("now"),
            "request ids and dates are left out: {text}"
        );
        assert!(
            text.contains("User: <arn> is not authorized for <account-id>"),
            "{text}"
        );
    }

    #[test]
    fn path_redactions_and_skips_apply_to_the_body() {
        let specs = crate::spec::embedded_model().unwrap();
        let rules = &specs.services["workmail"].rules.snapshots;
        let r = response(
            200,
            &[],
            r#"{"UserId":"u-1","EnabledDate":1700000000.5,"Email":"a@example.com"}"#,
        );
        let document = serde_json::from_slice(&r.body).ok();
        let n = |case_id, sensitive| Normalising {
            response: &r,
            error_type: None,
            document: document.clone(),
            rules,
            case_id,
            sensitive,
            headers: &["content-type", "x-amzn-errortype"],
            drawn: &[],
        };
        let text = normalise(&n("DescribeUser-valid-random-0", &["Email"]));
        assert!(
            text.contains(r#""Email": "***""#),
            "sensitive members are masked: {text}"
        );
        assert!(text.contains(r#""EnabledDate": "<timestamp>""#), "{text}");
        assert!(
            !text.contains("u-1"),
            "UserId is skipped for DescribeUser cases: {text}"
        );
        let other = normalise(&n("ListAliases-valid-random-0", &[]));
        assert!(other.contains("u-1"));
    }

    #[test]
    fn drawn_values_become_stable_references() {
        let specs = crate::spec::embedded_model().unwrap();
        let rules = &specs.services["account"].rules.snapshots;
        let r = response(
            400,
            &[],
            r#"{"message":"1 validation error detected: Value 'xYz9' at 'title' failed","Title":"xYz9"}"#,
        );
        let text = normalise(&Normalising {
            response: &r,
            error_type: None,
            document: serde_json::from_slice(&r.body).ok(),
            rules,
            case_id: "c",
            sensitive: &[],
            headers: &["content-type", "x-amzn-errortype"],
            drawn: &[("xYz9".into(), "<input.Title>".into())],
        });
        assert!(!text.contains("xYz9"), "{text}");
        assert!(text.contains("Value '<input.Title>' at 'title'"), "{text}");
        assert!(text.contains(r#""Title": "<input.Title>""#), "{text}");
    }

    #[test]
    fn update_then_verify_round_trips_through_insta_and_diffs_mismatches() {
        let dir = tempfile::tempdir().unwrap();
        let store = SnapshotStore::new(dir.path());
        let rec = Recording {
            target: "embedded".into(),
            seed: 1,
            request: "POST /x {}".into(),
        };
        assert_eq!(
            store.verify("account", "case-1", "status: 200\n").unwrap(),
            Verdict::Missing
        );
        assert_eq!(
            store
                .update("account", "case-1", "status: 200\nbody:\n(empty)\n", &rec)
                .unwrap(),
            Update::New
        );
        let pending = store.pending().unwrap();
        assert_eq!(pending.len(), 1);
        assert!(pending[0].ends_with("account/case-1.snap.new"));
        // insta's own reader reads what we wrote.
        let snap = insta::Snapshot::from_file(&pending[0]).unwrap();
        assert_eq!(snap.metadata().expression(), Some("case-1"));
        store.accept(&pending[0]).unwrap();
        assert!(store.pending().unwrap().is_empty());
        assert_eq!(
            store
                .verify("account", "case-1", "status: 200\nbody:\n(empty)\n")
                .unwrap(),
            Verdict::Match
        );
        match store
            .verify("account", "case-1", "status: 404\nbody:\n(empty)\n")
            .unwrap()
        {
            Verdict::Mismatch(diff) => {
                assert!(
                    diff.contains("-status: 200") && diff.contains("+status: 404"),
                    "{diff}"
                );
            }
            other => panic!("expected a mismatch, got {other:?}"),
        }
        assert_eq!(
            store
                .update("account", "case-1", "status: 200\nbody:\n(empty)\n", &rec)
                .unwrap(),
            Update::Unchanged
        );
        assert_eq!(
            store
                .update("account", "case-1", "status: 500\n", &rec)
                .unwrap(),
            Update::Changed
        );
        let pending = store.pending().unwrap();
        assert!(
            store
                .pending_diff(&pending[0])
                .unwrap()
                .contains("+status: 500")
        );
        store.reject(&pending[0]).unwrap();
        assert!(store.pending().unwrap().is_empty());
    }

    #[test]
    fn a_broken_snapshot_file_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = SnapshotStore::new(dir.path());
        let path = store.path_for("account", "bad");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "---\nsource: [unclosed\n---\nx\n").unwrap();
        let err = store.verify("account", "bad", "x").unwrap_err();
        assert!(err.to_string().contains("bad.snap"), "{err}");
    }

    #[test]
    fn today_is_a_date() {
        let t = today();
        assert_eq!(t.len(), 10);
        assert!(t.starts_with("20"));
    }
}
