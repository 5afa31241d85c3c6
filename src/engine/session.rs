//! The run lifecycle, written once: start (or name) the target, resolve credentials, refuse a pending journal,
//! record what a real target's cases can change, run, and put it back — also after a failure, Ctrl-C, SIGTERM or a
//! panic of conform's. `run`, `diff`, `replay` and `restore` all go through it.

use std::sync::Arc;

use super::{RunConfig, RunError, Selection, emit, panic_message};
use crate::client::{Client, ClientConfig, CredentialSource, resolve_credentials};
use crate::emulator::{EmulatorConfig, EmulatorHandle};
use crate::model::Model;
use crate::redact::{Policy, Redactor};
use crate::report::{Event, Reporter};
use crate::safety::restore::{self, Journal, RestoreReport};
use crate::safety::{Blocked, REAL_DEFAULT_RATE};

/// A target, started here or given by the user.
pub struct Target {
    /// Its base URL.
    pub endpoint: String,
    /// How reports name it.
    pub label: String,
    /// The embedded target, kept alive for the run.
    pub embedded: Option<EmulatorHandle>,
}

/// Starts the embedded target (with faults) or takes the user's endpoint.
pub async fn start_target(model: &Arc<Model>, config: &RunConfig) -> Result<Target, RunError> {
    match &config.endpoint {
        Some(endpoint) => Ok(Target {
            endpoint: endpoint.trim_end_matches('/').to_string(),
            label: endpoint.trim_end_matches('/').to_string(),
            embedded: None,
        }),
        None => {
            let mut emulator = EmulatorConfig::new(config.generation.fixtures.clone());
            emulator.faults = config.embedded_faults.clone();
            let handle =
                crate::emulator::start(Arc::clone(model), emulator, ([127, 0, 0, 1], 0).into())
                    .await
                    .map_err(|e| RunError::Config(e.to_string()))?;
            Ok(Target {
                endpoint: handle.endpoint(),
                label: "embedded".to_string(),
                embedded: Some(handle),
            })
        }
    }
}

/// One target's session: its client, its redaction, and the state recorded on it.
pub struct Session {
    /// The target.
    pub target: Target,
    /// The client, signing with the resolved credentials.
    pub client: Client,
    /// Whether the target is treated as real AWS.
    pub real: bool,
    /// The redaction every output of this session goes through.
    pub redactor: Arc<Redactor>,
    /// What was recorded before the first change, when anything was.
    journal: Option<Journal>,
    journal_path: std::path::PathBuf,
    /// Whether the credentials carry a session token (printed curls then send `$AWS_SESSION_TOKEN`).
    pub session_token: bool,
    /// The lock on the real target and journal, held for the session's life.
    _lock: Option<crate::safety::lock::RunLock>,
}

impl Session {
    /// Opens a session: refuses a pending journal when state would be recorded, starts the target, resolves the
    /// credentials, probes the target, says what a real target leaves out, and records the state the `changing`
    /// operations can change (journaled before the first change).
    pub async fn open(
        model: &Arc<Model>,
        config: &RunConfig,
        changing: &[&str],
        reporter: &mut dyn Reporter,
    ) -> Result<Session, RunError> {
        let real = config.real();
        let restores = if real {
            restore::plan(model, changing)
        } else {
            Vec::new()
        };
        // Held until the state is put back, released by the OS if the process dies; the pending journal is checked
        // under it, so two runs cannot both find it absent.
        let lock = if restores.is_empty() {
            None
        } else {
            let lock = crate::safety::lock::lock_target(
                config.endpoint.as_deref(),
                &config.safety.journal,
            )
            .map_err(RunError::Locked)?;
            if config.safety.journal.exists() {
                return Err(RunError::JournalPending(config.safety.journal.clone()));
            }
            Some(lock)
        };
        let target = start_target(model, config).await?;
        // The embedded target accepts only the test key pair, whatever credentials the environment holds.
        let (credentials, source) = if target.embedded.is_some() {
            let test_pair = aws_credential_types::Credentials::new(
                crate::credentials::TEST_ACCESS_KEY_ID,
                crate::credentials::TEST_SECRET_ACCESS_KEY,
                None,
                None,
                "conform",
            );
            (test_pair, CredentialSource::TestKeyPair)
        } else {
            resolve_credentials(&target.endpoint, config.profile.as_deref())
                .await
                .map_err(|e| RunError::Config(e.to_string()))?
        };
        let mut secrets = vec![credentials.secret_access_key().to_string()];
        if let Some(token) = credentials.session_token() {
            secrets.push(token.to_string());
        }
        let mut identities = vec![credentials.access_key_id().to_string()];
        identities.extend(
            config
                .generation
                .fixtures
                .iter()
                .map(|(_, v)| v.to_string()),
        );
        let redactor = Arc::new(Redactor::new(
            Policy {
                real,
                mask_sensitive: config.mask_sensitive,
            },
            secrets,
            identities,
        ));
        if matches!(source, CredentialSource::TestKeyPair) {
            emit(
                reporter,
                &redactor,
                Event::Note(format!("{source} for {}", target.label)),
            )?;
        }
        let session_token = credentials.session_token().is_some();
        let mut rate = config.rate;
        if real && rate.is_none() {
            rate = Some(REAL_DEFAULT_RATE);
        }
        let client = Client::new(ClientConfig {
            region: config.region.clone(),
            timeout: config.timeout,
            rate,
            max_retries: config.max_retries,
            retry_seed: config.generation.seed,
            max_response_bytes: 1 << 20,
            service_hint: target.embedded.is_some(),
            s3_addressing: config.s3_addressing,
            ..ClientConfig::new(target.endpoint.clone(), credentials)
        })
        .map_err(|e| RunError::Config(e.to_string()))?;
        client.probe().await.map_err(RunError::Unreachable)?;
        let mut session = Session {
            target,
            client,
            real,
            redactor,
            journal: None,
            journal_path: config.safety.journal.clone(),
            session_token,
            _lock: lock,
        };
        if !restores.is_empty() {
            let journal = restore::record(
                &session.client,
                &config.generation.fixtures,
                &restores,
                config.region.clone(),
            )
            .await
            .map_err(RunError::Record)?;
            journal
                .save(&config.safety.journal)
                .map_err(RunError::Record)?;
            for entry in &journal.entries {
                if let restore::Recorded::Present { output } = &entry.recorded {
                    session.redactor.learn_response(output);
                }
            }
            let pieces: Vec<String> = journal
                .entries
                .iter()
                .map(|e| {
                    format!(
                        "{}: {}",
                        e.label,
                        match e.recorded {
                            restore::Recorded::Present { .. } => "present",
                            restore::Recorded::Absent => "absent",
                        }
                    )
                })
                .collect();
            emit(
                reporter,
                &session.redactor,
                Event::Note(format!(
                    "recorded {} piece(s) of state of {} before the first change ({}); they are put back after \
                     the run, and {} keeps them until then",
                    journal.entries.len(),
                    session.client.endpoint(),
                    pieces.join("; "),
                    config.safety.journal.display()
                )),
            )?;
            session.journal = Some(journal);
        }
        Ok(session)
    }

    /// Whether state was recorded (a stop must then let requests in flight land before the put-back).
    pub fn records(&self) -> bool {
        self.journal.is_some()
    }

    /// Says that a target is treated as real, at what rate, and which selected operations are left out.
    pub fn real_notes(
        &self,
        config: &RunConfig,
        blocked: &Blocked,
        selection: &Selection,
        reporter: &mut dyn Reporter,
    ) -> Result<(), RunError> {
        if !self.real {
            return Ok(());
        }
        let rate = config.rate.unwrap_or(REAL_DEFAULT_RATE);
        emit(
            reporter,
            &self.redactor,
            Event::Note(format!(
                "{} is treated as real AWS{}: at most {rate} request(s) per second{}",
                self.target.label,
                if config.endpoint.is_some()
                    && config.safety.target_kind == crate::safety::TargetKind::Auto
                {
                    " (it is not on loopback; --target-kind emulator says otherwise)"
                } else {
                    ""
                },
                if rate == REAL_DEFAULT_RATE {
                    " (raise with --rate)"
                } else {
                    ""
                },
            )),
        )?;
        let left_out = blocked.explain(selection.selected.iter().map(String::as_str));
        if !left_out.is_empty() {
            emit(
                reporter,
                &self.redactor,
                Event::Note(format!(
                    "left out on a real target: {}",
                    left_out.join("; ")
                )),
            )?;
        }
        Ok(())
    }

    /// Puts the recorded state back (when anything was recorded), says what it did, and shuts the embedded target
    /// down.
    pub async fn close(self, model: &Model, reporter: &mut dyn Reporter) -> Option<RestoreReport> {
        let report = match &self.journal {
            Some(journal) => {
                let report = put_back(model, &self.client, journal, &self.journal_path).await;
                // The reporter may have failed already; this is a last try to say what the restore did.
                let _ = emit(
                    reporter,
                    &self.redactor,
                    Event::Note(restore_note(&report, &self.journal_path)),
                );
                Some(report)
            }
            None => None,
        };
        if let Some(handle) = self.target.embedded {
            handle.shutdown().await;
        }
        report
    }
}

/// Runs `body` and closes the sessions whatever happens to it: a panic (a bug of conform's) must not leave a real
/// target changed, so it is caught, the state put back, and turned into [`RunError::Crashed`].
pub async fn guarded<T>(
    model: &Model,
    sessions: Vec<Session>,
    reporter: &mut dyn Reporter,
    body: impl std::future::Future<Output = Result<T, RunError>>,
) -> Result<(T, Option<RestoreReport>), RunError> {
    use futures::FutureExt;
    let outcome = std::panic::AssertUnwindSafe(body).catch_unwind().await;
    let mut restored: Option<RestoreReport> = None;
    for session in sessions {
        if let Some(report) = session.close(model, reporter).await {
            restored
                .get_or_insert_with(RestoreReport::default)
                .fates
                .extend(report.fates);
        }
    }
    match outcome {
        Err(panic) => Err(RunError::Crashed {
            why: panic_message(panic),
            restore: restored,
        }),
        Ok(Err(e)) => Err(e),
        Ok(Ok(value)) => Ok((value, restored)),
    }
}

/// Says what the restore did, and where the recording is when it is not complete.
pub fn restore_note(report: &RestoreReport, journal: &std::path::Path) -> String {
    if report.complete() {
        format!("{}; removed {}", report.summary(), journal.display())
    } else {
        format!(
            "{}; {} keeps the recording: fix the cause, then run `conform restore --journal {}`",
            report.summary(),
            journal.display(),
            journal.display()
        )
    }
}

/// Puts the recorded state back, and removes the journal when everything reads back as recorded.
pub async fn put_back(
    model: &Model,
    client: &Client,
    journal: &Journal,
    path: &std::path::Path,
) -> RestoreReport {
    let mut report = restore::restore(model, client, journal).await;
    if report.complete()
        && let Err(e) = Journal::remove(path)
    {
        report.fates.push((
            path.display().to_string(),
            restore::Fate::Failed(format!("everything was put back, but {e}")),
        ));
    }
    report
}

/// `conform restore`: puts back the state a journal recorded, on the endpoint it names (or `config.endpoint`).
pub async fn restore_from_journal(
    model: &Arc<Model>,
    config: &RunConfig,
    journal: &Journal,
    reporter: &mut dyn Reporter,
) -> Result<RestoreReport, RunError> {
    // The journal is what is to be put back: open the session without recording anything anew, but hold the
    // target's lock so that no run changes it meanwhile (a run still changing it would race the restore).
    let _lock =
        crate::safety::lock::lock_target(config.endpoint.as_deref(), &config.safety.journal)
            .map_err(RunError::Locked)?;
    let session = Session::open(model, config, &[], reporter).await?;
    let report = put_back(model, &session.client, journal, &config.safety.journal).await;
    let _ = session.close(model, reporter).await;
    Ok(report)
}
