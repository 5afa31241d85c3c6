//! Recording the state a run may change on a real target before the first change, and putting it back after.
//!
//! Each `[[restore]]` of the specs says how to read a piece of state (an alternate contact), how to put it back,
//! and how to remove it when it was not there before. Before the first change, every piece the run's operations
//! can change is read and written to a journal file, with the calls that put it back already rendered, so that
//! `conform restore` can finish the job after a crash without anything the run held in memory. After the run,
//! each piece is read again; what differs is put back and read once more to verify it. Only when every piece
//! reads back as recorded is the journal removed.

use std::path::Path;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::case::Signing;
use crate::check::error_type_of;
use crate::client::{Client, TransportError};
use crate::model::json_form::{from_json, to_plain_json};
use crate::model::{Fixtures, Model, Restore, Service, Step, Value as Typed};
use crate::protocol;
use crate::spec::template::{Reference, lookup_path, references_in, render_map};

/// The journal's format version; a journal of another version is refused rather than misread.
const FORMAT: u32 = 1;

/// Attempts per call when the transport fails (a restore must not give up on one dropped connection).
const ATTEMPTS: usize = 3;

/// One call, fully rendered: operation and input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Call {
    /// Operation name.
    pub operation: String,
    /// The input, references replaced.
    pub input: Map<String, Value>,
}

/// What a read found before the first change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "lowercase")]
pub enum Recorded {
    /// There was something: the read's response body.
    Present {
        /// The response body of the read.
        output: Value,
    },
    /// There was nothing (the read answered the restore's `absent_error`).
    Absent,
}

/// One recorded piece of state, with the calls that read it and put it back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Service name.
    pub service: String,
    /// The `[[restore]]` it comes from.
    pub restore: String,
    /// How messages name it: `alternate-contacts (type=BILLING)`.
    pub label: String,
    /// The read.
    pub read: Call,
    /// The error the read answers when there is nothing.
    pub absent_error: Option<String>,
    /// What the read found.
    pub recorded: Recorded,
    /// Puts a present state back.
    pub put_back: Option<Call>,
    /// Removes what the run created where nothing was.
    pub remove: Option<Call>,
    /// The paths of the read's output that `put_back` restores: a piece is unchanged when these are equal.
    pub compare: Vec<String>,
}

/// The journal: everything needed to put the target back, written before the first change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Journal {
    /// Format version.
    pub format: u32,
    /// For whoever opens the file.
    pub about: String,
    /// The target it was recorded on.
    pub endpoint: String,
    /// The region the run signed for.
    pub region: Option<String>,
    /// When it was recorded (HTTP date).
    pub recorded_at: String,
    /// The pieces of state.
    pub entries: Vec<Entry>,
}

/// Why recording or restoring failed.
#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    /// A read before the first change did not answer with the state or its absence: conform will not change
    /// what it cannot put back.
    #[error(
        "failed to record {label} before the first change: {call} answered {answer}; conform changes nothing it \
         cannot put back"
    )]
    Record {
        /// The piece of state.
        label: String,
        /// The read, as `Operation {input}`.
        call: String,
        /// What came back.
        answer: String,
    },
    /// The journal could not be read, written or removed.
    #[error("failed to {action} the restore journal {path}")]
    Journal {
        /// read, write, parse, remove.
        action: &'static str,
        /// The file.
        path: String,
        /// The cause.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A journal names an operation or service the loaded specs do not have.
    #[error(
        "the restore journal names {what}, which the loaded specs do not have; load the specs it was written with (--specs)"
    )]
    UnknownInJournal {
        /// The service or operation.
        what: String,
    },
}

/// The restores that apply when these operations may run: those that any of them can change.
pub fn plan<'a>(model: &'a Model, will_run: &[&str]) -> Vec<(&'a Service, &'a Restore)> {
    model
        .services
        .values()
        .flat_map(|service| service.rules.restores.iter().map(move |r| (service, r)))
        .filter(|(_, r)| {
            r.changed_by
                .iter()
                .any(|op| will_run.contains(&op.as_str()))
        })
        .collect()
}

/// Reads every piece of state the restores cover, and renders the calls that put each back.
pub async fn record(
    client: &Client,
    fixtures: &Fixtures,
    restores: &[(&Service, &Restore)],
    region: Option<String>,
) -> Result<Journal, RestoreError> {
    let mut entries = Vec::new();
    for (service, restore) in restores {
        for params in crate::scenario::combinations(&restore.for_each) {
            let label = label(restore, &params);
            let base = |r: &Reference| base_lookup(r, &params, fixtures);
            let read = render_call(&restore.read, &base).map_err(|why| RestoreError::Record {
                label: label.clone(),
                call: restore.read.operation.clone(),
                answer: format!("nothing: its input could not be built ({why})"),
            })?;
            let answer =
                send_call(client, service, &read)
                    .await
                    .map_err(|e| RestoreError::Record {
                        label: label.clone(),
                        call: call_text(&read),
                        answer: format!("nothing: {e}"),
                    })?;
            let recorded = match &answer {
                Answer::Success(output) => Recorded::Present {
                    output: output.clone(),
                },
                Answer::Error(_, Some(error)) if restore.absent_error.as_deref() == Some(error) => {
                    Recorded::Absent
                }
                other => {
                    return Err(RestoreError::Record {
                        label,
                        call: call_text(&read),
                        answer: other.to_string(),
                    });
                }
            };
            let (put_back, remove) = match &recorded {
                Recorded::Present { output } => {
                    let lookup = |r: &Reference| -> Option<Value> {
                        match r {
                            Reference::Step(name, path) if name == &restore.read.name => {
                                lookup_path(output, path).cloned()
                            }
                            other => base(other),
                        }
                    };
                    let put_back = render_call(&restore.put_back, &lookup).map_err(|why| {
                        RestoreError::Record {
                            label: label.clone(),
                            call: call_text(&read),
                            answer: format!("a state the put-back cannot be built from ({why})"),
                        }
                    })?;
                    (Some(put_back), None)
                }
                Recorded::Absent => {
                    let remove =
                        match &restore.remove {
                            Some(step) => Some(render_call(step, &base).map_err(|why| {
                                RestoreError::Record {
                                    label: label.clone(),
                                    call: step.operation.clone(),
                                    answer: format!(
                                        "nothing: its input could not be built ({why})"
                                    ),
                                }
                            })?),
                            None => None,
                        };
                    (None, remove)
                }
            };
            entries.push(Entry {
                service: service.name.clone(),
                restore: restore.name.clone(),
                label,
                read,
                absent_error: restore.absent_error.clone(),
                recorded,
                put_back,
                remove,
                compare: compared_paths(&restore.put_back, &restore.read.name),
            });
        }
    }
    Ok(Journal {
        format: FORMAT,
        about: "written by conform before it changed the target: the state it recorded and the calls that put it \
                back. If this file is still here, that did not finish: run `conform restore --journal <this file>`."
            .to_string(),
        endpoint: client.endpoint().to_string(),
        region,
        recorded_at: httpdate::fmt_http_date(std::time::SystemTime::now()),
        entries,
    })
}

/// The reads a recording makes, piece by piece: what `--dry-run` shows.
pub fn reads(
    fixtures: &Fixtures,
    restores: &[(&Service, &Restore)],
) -> Vec<(String, Result<Call, String>)> {
    restores
        .iter()
        .flat_map(|(_, restore)| {
            crate::scenario::combinations(&restore.for_each)
                .into_iter()
                .map(move |params| {
                    let call = render_call(&restore.read, &|r: &Reference| {
                        base_lookup(r, &params, fixtures)
                    });
                    (label(restore, &params), call)
                })
        })
        .collect()
}

/// How messages name a piece: `alternate-contacts (type=BILLING)`.
fn label(restore: &Restore, params: &indexmap::IndexMap<String, String>) -> String {
    if params.is_empty() {
        restore.name.clone()
    } else {
        let values: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
        format!("{} ({})", restore.name, values.join(", "))
    }
}

/// Parameters and fixtures: what a read, a remove and (with the read's output) a put-back refer to.
fn base_lookup(
    reference: &Reference,
    params: &indexmap::IndexMap<String, String>,
    fixtures: &Fixtures,
) -> Option<Value> {
    match reference {
        Reference::Param(name) => params.get(name).map(|v| Value::String(v.clone())),
        Reference::Fixture(key) => fixtures.get(key).map(|v| Value::String(v.to_string())),
        _ => None,
    }
}

/// The `${step.<read>.output.Path}` paths a put-back uses: the state it puts back.
fn compared_paths(put_back: &Step, read_name: &str) -> Vec<String> {
    let mut paths: Vec<String> = references_in(&Value::Object(put_back.input.clone()))
        .unwrap_or_default()
        .into_iter()
        .filter_map(|r| match r {
            Reference::Step(name, path) if name == read_name => Some(path),
            _ => None,
        })
        .collect();
    paths.sort();
    paths.dedup();
    paths
}

fn render_call(step: &Step, lookup: &dyn Fn(&Reference) -> Option<Value>) -> Result<Call, String> {
    Ok(Call {
        operation: step.operation.clone(),
        input: render_map(&step.input, lookup)?,
    })
}

/// How messages show a call. Restore inputs are identifiers and types; the state itself is never shown.
pub fn call_text(call: &Call) -> String {
    format!("{} {}", call.operation, Value::Object(call.input.clone()))
}

/// What a call got back.
#[derive(Debug, Clone, PartialEq)]
enum Answer {
    /// 2xx, with the response body.
    Success(Value),
    /// An error status and its (normalised) type.
    Error(u16, Option<String>),
}

impl std::fmt::Display for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Answer::Success(_) => write!(f, "success"),
            Answer::Error(status, Some(error)) => write!(f, "{status} {error}"),
            Answer::Error(status, None) => write!(f, "{status} without an error type"),
        }
    }
}

/// Sends a call, retrying transport failures a few times.
async fn send_call(
    client: &Client,
    service: &Service,
    call: &Call,
) -> Result<Answer, TransportError> {
    let op = service
        .operations
        .get(&call.operation)
        .expect("calls are checked against the specs before they are sent");
    let protocol = protocol::for_id(service.protocol).ok_or_else(|| TransportError::Other {
        endpoint: client.endpoint().to_string(),
        detail: format!(
            "failed to speak {}: conform does not know its protocol",
            service.protocol
        ),
    })?;
    let input = match op.input {
        Some(shape) => from_json(service, shape, &Value::Object(call.input.clone())),
        None => Typed::structure(),
    };
    let request = protocol
        .encode(service, op, &input)
        .map_err(|e| TransportError::Other {
            endpoint: client.endpoint().to_string(),
            detail: e.to_string(),
        })?;
    let mut attempt = 0;
    let response = loop {
        attempt += 1;
        match client.send_request(service, &request, Signing::Valid).await {
            Ok(exchange) => break exchange.response,
            Err(e) if attempt >= ATTEMPTS => return Err(e),
            Err(_) => tokio::time::sleep(Duration::from_millis(500 * attempt as u64)).await,
        }
    };
    if (200..300).contains(&response.status) {
        let decoded = protocol.decode_output(service, op, &response);
        Ok(Answer::Success(to_plain_json(&decoded.value)))
    } else {
        Ok(Answer::Error(
            response.status,
            error_type_of(service, &response),
        ))
    }
}

/// What became of one piece of state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fate {
    /// It read back as recorded: nothing to do.
    Unchanged,
    /// It had changed; it was put back and reads back as recorded now.
    Restored,
    /// It could not be put back (why); the journal keeps it.
    Failed(String),
}

/// What a restore did, piece by piece.
#[derive(Debug, Clone, Default)]
pub struct RestoreReport {
    /// Each piece's label and fate.
    pub fates: Vec<(String, Fate)>,
}

impl RestoreReport {
    /// Whether every piece reads back as recorded.
    pub fn complete(&self) -> bool {
        self.fates
            .iter()
            .all(|(_, f)| !matches!(f, Fate::Failed(_)))
    }

    /// Pieces that had changed and were put back.
    pub fn restored(&self) -> Vec<&str> {
        self.labels(|f| f == &Fate::Restored)
    }

    /// Pieces that could not be put back, with why.
    pub fn failed(&self) -> Vec<String> {
        self.fates
            .iter()
            .filter_map(|(label, f)| match f {
                Fate::Failed(why) => Some(format!("{label}: {why}")),
                _ => None,
            })
            .collect()
    }

    fn labels(&self, which: impl Fn(&Fate) -> bool) -> Vec<&str> {
        self.fates
            .iter()
            .filter(|(_, f)| which(f))
            .map(|(label, _)| label.as_str())
            .collect()
    }

    /// One sentence for the run's output.
    pub fn summary(&self) -> String {
        let restored = self.restored();
        let unchanged = self.labels(|f| f == &Fate::Unchanged).len();
        let failed = self.failed();
        let mut text = format!(
            "restore: {} piece(s) of state checked: {} put back{}, {} unchanged",
            self.fates.len(),
            restored.len(),
            if restored.is_empty() {
                String::new()
            } else {
                format!(" ({})", restored.join("; "))
            },
            unchanged
        );
        if failed.is_empty() {
            text.push_str("; every one reads back as recorded");
        } else {
            text.push_str(&format!(
                "; {} NOT put back: {}",
                failed.len(),
                failed.join("; ")
            ));
        }
        text
    }
}

/// Puts every recorded piece back where it differs, and verifies each by reading it again.
pub async fn restore(specs: &Model, client: &Client, journal: &Journal) -> RestoreReport {
    let mut report = RestoreReport::default();
    for entry in &journal.entries {
        let fate = restore_entry(specs, client, entry).await;
        report.fates.push((entry.label.clone(), fate));
    }
    report
}

async fn restore_entry(specs: &Model, client: &Client, entry: &Entry) -> Fate {
    let Some(service) = specs.services.get(&entry.service) else {
        return Fate::Failed(format!("the specs have no service `{}`", entry.service));
    };
    match state_matches(client, service, entry).await {
        Ok(true) => return Fate::Unchanged,
        Ok(false) => {}
        Err(why) => return Fate::Failed(why),
    }
    let fix = match &entry.recorded {
        Recorded::Present { .. } => entry.put_back.as_ref(),
        Recorded::Absent => entry.remove.as_ref(),
    };
    let Some(fix) = fix else {
        return Fate::Failed(
            "it was absent before the run and its [[restore]] has no `remove` step".to_string(),
        );
    };
    match send_call(client, service, fix).await {
        Ok(Answer::Success(_)) => {}
        // Removing what is already gone is fine: the verification below decides.
        Ok(Answer::Error(_, Some(error)))
            if matches!(entry.recorded, Recorded::Absent)
                && entry.absent_error.as_deref() == Some(error.as_str()) => {}
        Ok(other) => return Fate::Failed(format!("{} answered {other}", fix.operation)),
        Err(e) => return Fate::Failed(format!("{} failed: {e}", fix.operation)),
    }
    match state_matches(client, service, entry).await {
        Ok(true) => Fate::Restored,
        Ok(false) => Fate::Failed(format!(
            "{} succeeded, but {} still reads back differently",
            fix.operation, entry.read.operation
        )),
        Err(why) => Fate::Failed(why),
    }
}

/// Whether the piece reads back as recorded (on the paths the put-back restores).
async fn state_matches(client: &Client, service: &Service, entry: &Entry) -> Result<bool, String> {
    let answer = send_call(client, service, &entry.read)
        .await
        .map_err(|e| format!("{} failed: {e}", entry.read.operation))?;
    Ok(match (&entry.recorded, &answer) {
        (Recorded::Present { output }, Answer::Success(now)) => entry
            .compare
            .iter()
            .all(|path| lookup_path(output, path) == lookup_path(now, path)),
        (Recorded::Present { .. }, Answer::Error(_, error)) => {
            if error.is_some() && error.as_deref() == entry.absent_error.as_deref() {
                false
            } else {
                return Err(format!("{} answered {answer}", entry.read.operation));
            }
        }
        (Recorded::Absent, Answer::Error(_, error)) => {
            if error.as_deref() == entry.absent_error.as_deref() {
                true
            } else {
                return Err(format!("{} answered {answer}", entry.read.operation));
            }
        }
        (Recorded::Absent, Answer::Success(_)) => false,
    })
}

impl Journal {
    /// Checks that every service and operation the journal names is in the specs.
    pub fn check_against(&self, specs: &Model) -> Result<(), RestoreError> {
        for entry in &self.entries {
            let service = specs.services.get(&entry.service).ok_or_else(|| {
                RestoreError::UnknownInJournal {
                    what: format!("service `{}`", entry.service),
                }
            })?;
            for call in [
                Some(&entry.read),
                entry.put_back.as_ref(),
                entry.remove.as_ref(),
            ]
            .into_iter()
            .flatten()
            {
                if !service.operations.contains_key(&call.operation) {
                    return Err(RestoreError::UnknownInJournal {
                        what: format!("operation `{}.{}`", entry.service, call.operation),
                    });
                }
            }
        }
        Ok(())
    }

    /// Reads a journal.
    pub fn load(path: &Path) -> Result<Journal, RestoreError> {
        let text = crate::report::bounded::read_to_string_bounded(
            path,
            crate::report::bounded::JOURNAL_LIMIT,
        )
        .map_err(|e| RestoreError::Journal {
            action: "read",
            path: path.display().to_string(),
            source: Box::new(e),
        })?;
        let journal: Journal = serde_json::from_str(&text).map_err(|e| RestoreError::Journal {
            action: "parse",
            path: path.display().to_string(),
            source: Box::new(e),
        })?;
        if journal.format != FORMAT {
            return Err(RestoreError::Journal {
                action: "parse",
                path: path.display().to_string(),
                source: format!(
                    "it is format {}; this conform reads format {FORMAT}",
                    journal.format
                )
                .into(),
            });
        }
        Ok(journal)
    }

    /// Creates the journal, whole or not at all, and only where there is none: a journal that is there belongs to
    /// another run, or to one that did not finish, and must not be overwritten. It is written to a temporary file,
    /// then linked to its name (which fails if the name exists, atomically), readable by its owner only: it holds
    /// the account's contact details.
    pub fn save(&self, path: &Path) -> Result<(), RestoreError> {
        use std::io::Write;
        let failed = |action: &'static str, e: std::io::Error| RestoreError::Journal {
            action,
            path: path.display().to_string(),
            source: Box::new(e),
        };
        let exists = || RestoreError::Journal {
            action: "create",
            path: path.display().to_string(),
            source: "it already exists: another run's, or one left by a run that did not finish \
                     (`conform restore` puts its state back)"
                .into(),
        };
        let text = serde_json::to_string_pretty(self).expect("a journal serialises");
        let private = |options: &mut std::fs::OpenOptions| {
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            let _ = options;
        };
        let temporary = path.with_extension(format!("json.{}.partial", std::process::id()));
        {
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create(true).truncate(true);
            private(&mut options);
            let mut file = options.open(&temporary).map_err(|e| failed("write", e))?;
            file.write_all(text.as_bytes())
                .and_then(|_| file.sync_all())
                .map_err(|e| failed("write", e))?;
        }
        let linked = std::fs::hard_link(&temporary, path);
        let _ = std::fs::remove_file(&temporary);
        match linked {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(exists()),
            // A file system without hard links: create the name exclusively and write in place.
            Err(_) => {
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                private(&mut options);
                let mut file = options.open(path).map_err(|e| {
                    if e.kind() == std::io::ErrorKind::AlreadyExists {
                        exists()
                    } else {
                        failed("create", e)
                    }
                })?;
                file.write_all(text.as_bytes())
                    .and_then(|_| file.sync_all())
                    .map_err(|e| failed("write", e))
            }
        }
    }

    /// Removes the journal once everything reads back as recorded.
    pub fn remove(path: &Path) -> Result<(), RestoreError> {
        match std::fs::remove_file(path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(RestoreError::Journal {
                action: "remove",
                path: path.display().to_string(),
                source: Box::new(e),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn specs() -> Model {
        crate::spec::embedded_model().expect("the built-in specs load")
    }

    #[test]
    fn plan_takes_the_restores_the_running_operations_can_change() {
        let specs = specs();
        let names = |ops: &[&str]| -> Vec<String> {
            plan(&specs, ops)
                .iter()
                .map(|(_, r)| r.name.clone())
                .collect()
        };
        assert!(names(&["GetAlternateContact", "DescribeUser"]).is_empty());
        assert_eq!(
            names(&["DeleteAlternateContact"]),
            ["alternate-contacts", "member-alternate-contacts"]
        );
        assert_eq!(names(&["UpdatePrimaryEmailAddress"]), ["primary-email"]);
    }

    #[test]
    fn the_compared_paths_are_what_the_put_back_restores() {
        let specs = specs();
        let restore = &specs.services["account"].rules.restores[0];
        assert_eq!(
            compared_paths(&restore.put_back, &restore.read.name),
            [
                "AlternateContact.EmailAddress",
                "AlternateContact.Name",
                "AlternateContact.PhoneNumber",
                "AlternateContact.Title"
            ]
        );
    }

    fn journal() -> Journal {
        Journal {
            format: FORMAT,
            about: String::new(),
            endpoint: "http://127.0.0.1:1".into(),
            region: None,
            recorded_at: "Sun, 22 Nov 2026 12:00:00 GMT".into(),
            entries: vec![Entry {
                service: "account".into(),
                restore: "alternate-contacts".into(),
                label: "alternate-contacts (type=BILLING)".into(),
                read: Call {
                    operation: "GetAlternateContact".into(),
                    input: serde_json::from_str(r#"{"AlternateContactType":"BILLING"}"#).unwrap(),
                },
                absent_error: Some("ResourceNotFoundException".into()),
                recorded: Recorded::Absent,
                put_back: None,
                remove: Some(Call {
                    operation: "DeleteAlternateContact".into(),
                    input: serde_json::from_str(r#"{"AlternateContactType":"BILLING"}"#).unwrap(),
                }),
                compare: vec![],
            }],
        }
    }

    #[test]
    fn a_journal_round_trips_and_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.json");
        journal().save(&path).unwrap();
        assert_eq!(Journal::load(&path).unwrap(), journal());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "only its owner may read it");
        }
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary file is left"
        );
        // A journal that is there is never overwritten: it is another run's, or a pending one.
        let mut other = journal();
        other.endpoint = "http://127.0.0.1:2".into();
        let error = other.save(&path).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("failed to create the restore journal")
                && std::error::Error::source(&error)
                    .unwrap()
                    .to_string()
                    .contains("it already exists"),
            "{error}"
        );
        assert_eq!(Journal::load(&path).unwrap(), journal());
        Journal::remove(&path).unwrap();
        assert!(!path.exists());
        Journal::remove(&path).unwrap();
    }

    #[test]
    fn an_oversized_or_endless_journal_is_refused_naming_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.json");
        let file = std::fs::File::create(&path).unwrap();
        file.set_len(crate::report::bounded::JOURNAL_LIMIT + 1)
            .unwrap();
        let error = Journal::load(&path).unwrap_err();
        let cause = std::error::Error::source(&error).unwrap().to_string();
        assert!(
            cause.contains("journal.json") && cause.contains("the limit of 16 MiB"),
            "{cause}"
        );
        #[cfg(unix)]
        {
            let error = Journal::load(Path::new("/dev/zero")).unwrap_err();
            let cause = std::error::Error::source(&error).unwrap().to_string();
            assert!(cause.contains("the limit of 16 MiB"), "{cause}");
        }
    }

    #[test]
    fn broken_and_foreign_journals_are_refused_with_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.json");
        std::fs::write(&path, "{ not json").unwrap();
        let error = Journal::load(&path).unwrap_err().to_string();
        assert!(
            error.starts_with("failed to parse the restore journal")
                && error.contains("journal.json"),
            "{error}"
        );
        let mut future = journal();
        future.format = 99;
        std::fs::write(&path, serde_json::to_string(&future).unwrap()).unwrap();
        let error = Journal::load(&path).unwrap_err();
        assert!(
            std::error::Error::source(&error)
                .unwrap()
                .to_string()
                .contains("format 99"),
            "{error}"
        );
        let mut unknown = journal();
        unknown.entries[0].read.operation = "GetSomethingElse".into();
        let error = unknown.check_against(&specs()).unwrap_err().to_string();
        assert!(error.contains("account.GetSomethingElse"), "{error}");
        journal().check_against(&specs()).unwrap();
    }

    #[test]
    fn the_summary_names_what_was_put_back_and_what_was_not() {
        let report = RestoreReport {
            fates: vec![
                ("a (type=BILLING)".into(), Fate::Restored),
                ("a (type=SECURITY)".into(), Fate::Unchanged),
            ],
        };
        assert!(report.complete());
        assert_eq!(
            report.summary(),
            "restore: 2 piece(s) of state checked: 1 put back (a (type=BILLING)), 1 unchanged; every one reads \
             back as recorded"
        );
        let report = RestoreReport {
            fates: vec![(
                "b".into(),
                Fate::Failed("PutAlternateContact answered 500".into()),
            )],
        };
        assert!(!report.complete());
        assert!(
            report
                .summary()
                .ends_with("1 NOT put back: b: PutAlternateContact answered 500"),
            "{}",
            report.summary()
        );
    }
}
