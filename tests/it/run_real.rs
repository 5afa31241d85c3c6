//! Real-account safety, against the embedded target treated as real (`--target-kind real`): operations that change
//! state run only when allowed, and the state they change is put back after a run that passes, one that fails,
//! one stopped by SIGINT, one whose process is killed (with `conform restore`) and one in which conform panics.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::serve_support::*;
use conform::emulator::EmulatorHandle;
use conform::engine::{RunConfig, RunError};
use conform::report::{Event, ReportError, Reporter};
use conform::safety::{Safety, TargetKind};
use serde_json::{Value, json};

/// Each alternate contact of the caller and of the member account, and the WorkMail user's primary email.
type State = BTreeMap<String, Value>;

async fn state(t: &EmulatorHandle) -> State {
    let mut state = State::new();
    for account_id in [None, Some(MEMBER)] {
        for kind in ["BILLING", "OPERATIONS", "SECURITY"] {
            let mut body = json!({"AlternateContactType": kind});
            if let Some(id) = account_id {
                body["AccountId"] = json!(id);
            }
            let got = call(t, account("/getAlternateContact", body)).await;
            let value = match got.status {
                200 => got.json(),
                404 => Value::Null,
                other => panic!("GetAlternateContact answered {other}"),
            };
            state.insert(format!("{}/{kind}", account_id.unwrap_or("caller")), value);
        }
    }
    let user = call(
        t,
        workmail(
            "DescribeUser",
            json!({"OrganizationId": ORG, "UserId": ENTITY}),
        ),
    )
    .await;
    assert_eq!(user.status, 200);
    state.insert("workmail/Email".into(), user.json()["Email"].clone());
    state
}

/// A target with contacts of its own: two of the caller's, one of the member's; the others absent.
async fn target_with_contacts(faults: &[&str]) -> (EmulatorHandle, State) {
    let t = start(faults).await;
    let mut billing = contact("BILLING");
    billing["Name"] = json!("Original Billing");
    let mut security = contact("SECURITY");
    security["EmailAddress"] = json!("security-team@example.org");
    let mut member_ops = contact("OPERATIONS");
    member_ops["AccountId"] = json!(MEMBER);
    member_ops["Name"] = json!("Member Operations");
    for body in [billing, security, member_ops] {
        assert_eq!(
            call(&t, account("/putAlternateContact", body)).await.status,
            200
        );
    }
    let before = state(&t).await;
    assert!(before["caller/BILLING"].is_object() && before["caller/OPERATIONS"].is_null());
    (t, before)
}

fn conform() -> tokio::process::Command {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_conform"));
    command
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_PROFILE")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("NO_COLOR", "1")
        // Lock files of the tests' runs stay under target/, not in the user's directories.
        .env("XDG_RUNTIME_DIR", lock_dir())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

fn lock_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("run-real-locks")
}

/// `conform run` against `t` treated as real, at `rate` requests per second, with the journal in `dir`.
fn real_run(t: &EmulatorHandle, dir: &Path, rate: &str, extra: &[&str]) -> tokio::process::Command {
    let mut command = conform();
    command
        .args(["run", "--endpoint", &t.endpoint(), "--target-kind", "real"])
        .args(["--rate", rate, "--concurrency", "4", "--no-shrink"])
        .arg("--restore-journal")
        .arg(dir.join("journal.json"))
        .arg("--json")
        .arg(dir.join("report.json"))
        .args(extra);
    command
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn report_operations(dir: &Path) -> Vec<String> {
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["operation"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Waits until the run has changed the target, so that a stop now leaves something to put back.
async fn until_changed(t: &EmulatorHandle, before: &State) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while state(t).await == *before {
        assert!(
            Instant::now() < deadline,
            "the run changed nothing within 60 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn wait_exit(child: tokio::process::Child) -> Output {
    tokio::time::timeout(Duration::from_secs(120), child.wait_with_output())
        .await
        .expect("conform stops within 120 s")
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_that_changes_state_puts_every_contact_back() {
    let (t, before) = target_with_contacts(&[]).await;
    let dir = tempfile::tempdir().unwrap();
    let out = real_run(
        &t,
        dir.path(),
        "5000",
        &[
            "--cases",
            "3",
            "--allow-mutations",
            "--include",
            "UpdatePrimaryEmailAddress",
        ],
    )
    .output()
    .await
    .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        report_operations(dir.path())
            .iter()
            .any(|op| op == "PutAlternateContact"),
        "mutations ran"
    );
    assert!(
        err.contains("recorded 7 piece(s) of state"),
        "six contacts and one primary email are recorded first: {err}"
    );
    assert!(
        err.contains("every one reads back as recorded"),
        "the run says it restored: {err}"
    );
    assert!(
        !err.contains(" 0 put back"),
        "the run changed something, so something was put back: {err}"
    );
    assert_eq!(
        state(&t).await,
        before,
        "every contact and the primary email are as they were"
    );
    assert!(
        !dir.path().join("journal.json").exists(),
        "the journal goes once all is back"
    );
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("report.json")).unwrap())
            .unwrap();
    assert!(
        report["notes"].as_array().unwrap().iter().any(|n| n
            .as_str()
            .unwrap()
            .contains("every one reads back as recorded")),
        "the JSON report says what the restore did: {}",
        report["notes"]
    );
    t.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_refuses_without_consent_and_puts_back_with_it() {
    let (t, before) = target_with_contacts(&[]).await;
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal.json");
    let replay = |extra: &[&str]| {
        let mut command = conform();
        command
            .args([
                "replay",
                "PutAlternateContact-valid-enum-value-AlternateContactType-0",
            ])
            .args(["--endpoint", &t.endpoint(), "--target-kind", "real"])
            .arg("--restore-journal")
            .arg(&journal)
            .args(extra);
        command
    };
    let refused = replay(&[]).output().await.unwrap();
    let err = stderr(&refused);
    assert_eq!(refused.status.code(), Some(2), "{err}");
    assert!(
        err.contains("PutAlternateContact (changes state): pass --allow-mutations"),
        "{err}"
    );
    assert_eq!(state(&t).await, before);

    let sent = replay(&["--allow-mutations"]).output().await.unwrap();
    let err = stderr(&sent);
    let out = String::from_utf8_lossy(&sent.stdout);
    assert_eq!(sent.status.code(), Some(0), "{out}{err}");
    assert!(out.contains("HTTP 200"), "the Put was sent: {out}");
    assert!(err.contains("1 put back"), "{err}");
    assert_eq!(state(&t).await, before);
    assert!(!journal.exists());
    t.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_consent_nothing_that_changes_state_is_sent() {
    let (t, before) = target_with_contacts(&[]).await;
    let dir = tempfile::tempdir().unwrap();
    let out = real_run(&t, dir.path(), "5000", &["--cases", "3"])
        .output()
        .await
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let ops = report_operations(dir.path());
    assert!(ops.iter().any(|op| op == "GetAlternateContact"), "{ops:?}");
    for blocked in [
        "PutAlternateContact",
        "DeleteAlternateContact",
        "StartPrimaryEmailUpdate",
        "AcceptPrimaryEmailUpdate",
        "UpdatePrimaryEmailAddress",
    ] {
        assert!(
            !ops.iter().any(|op| op == blocked),
            "{blocked} ran without consent"
        );
    }
    assert!(
        err.contains(
            "left out on a real target: PutAlternateContact (changes state): pass --allow-mutations"
        ),
        "{err}"
    );
    assert!(
        err.contains("StartPrimaryEmailUpdate (sends a one-time code to the new address): pass --include StartPrimaryEmailUpdate"),
        "{err}"
    );
    assert!(!dir.path().join("journal.json").exists());
    assert_eq!(state(&t).await, before);
    t.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_run_still_puts_everything_back() {
    // The fault makes DeleteAlternateContact of a missing contact succeed: deviations, exit 1.
    let (t, before) = target_with_contacts(&["delete-missing-ok"]).await;
    let dir = tempfile::tempdir().unwrap();
    let out = real_run(
        &t,
        dir.path(),
        "5000",
        &["--cases", "3", "--allow-mutations"],
    )
    .output()
    .await
    .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "the fault deviates: {err}");
    assert!(err.contains("every one reads back as recorded"), "{err}");
    assert_eq!(state(&t).await, before);
    assert!(!dir.path().join("journal.json").exists());
    t.shutdown().await;
}

/// Stops a run mid-way with `signal` and checks that everything is put back.
async fn stopped_mid_run_puts_everything_back(signal: &str) {
    let (t, before) = target_with_contacts(&[]).await;
    let dir = tempfile::tempdir().unwrap();
    // Enough cases for a minute at this rate: the signal lands mid-run.
    let child = real_run(
        &t,
        dir.path(),
        "150",
        &["--cases", "300", "--allow-mutations"],
    )
    .spawn()
    .unwrap();
    until_changed(&t, &before).await;
    let status = std::process::Command::new("kill")
        .args([signal, &child.id().unwrap().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = wait_exit(child).await;
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(3), "a stopped run exits 3: {err}");
    assert!(err.contains("every one reads back as recorded"), "{err}");
    assert!(!err.contains(" 0 put back"), "{err}");
    assert_eq!(state(&t).await, before);
    assert!(!dir.path().join("journal.json").exists());
    t.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigint_mid_run_puts_everything_back() {
    stopped_mid_run_puts_everything_back("-INT").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_mid_run_puts_everything_back() {
    // What CI systems send when a job is cancelled.
    stopped_mid_run_puts_everything_back("-TERM").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_run_leaves_a_journal_that_conform_restore_puts_back() {
    let (t, before) = target_with_contacts(&[]).await;
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal.json");
    let mut child = real_run(
        &t,
        dir.path(),
        "150",
        &["--cases", "300", "--allow-mutations"],
    )
    .spawn()
    .unwrap();
    until_changed(&t, &before).await;
    child.start_kill().unwrap();
    let _ = wait_exit(child).await;
    assert!(journal.exists(), "a killed run leaves its journal");
    assert_ne!(state(&t).await, before, "the killed run left changes");

    // A new run that would change state refuses until the old changes are put back.
    let refused = real_run(
        &t,
        dir.path(),
        "5000",
        &["--cases", "1", "--allow-mutations"],
    )
    .output()
    .await
    .unwrap();
    let err = stderr(&refused);
    assert_eq!(refused.status.code(), Some(4), "{err}");
    assert!(
        err.contains("conform restore --journal") && err.contains("journal.json"),
        "{err}"
    );

    let restored = conform()
        .arg("restore")
        .arg("--journal")
        .arg(&journal)
        .output()
        .await
        .unwrap();
    let out = String::from_utf8_lossy(&restored.stdout);
    assert_eq!(
        restored.status.code(),
        Some(0),
        "{out}{}",
        stderr(&restored)
    );
    assert!(out.contains("alternate-contacts (type=BILLING): "), "{out}");
    assert!(out.contains(": put back"), "{out}");
    assert_eq!(state(&t).await, before);
    assert!(!journal.exists());
    t.shutdown().await;
}

/// A reporter that panics at the n-th finished case: conform crashing mid-run.
struct PanicAt(usize);

impl Reporter for PanicAt {
    fn event(&mut self, event: &Event) -> Result<(), ReportError> {
        if let Event::CaseFinished(_) = event {
            self.0 -= 1;
            assert!(self.0 > 0, "a bug in a reporter");
        }
        Ok(())
    }
    fn finish(&mut self) -> Result<(), ReportError> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_of_conform_mid_run_puts_everything_back() {
    let (t, before) = target_with_contacts(&[]).await;
    let dir = tempfile::tempdir().unwrap();
    let specs = specs();
    let mut config = RunConfig::new(conform::generate::GenConfig::new(&specs, 0, 3));
    config.endpoint = Some(t.endpoint());
    config.rate = Some(5000.0);
    config.safety = Safety {
        target_kind: TargetKind::Real,
        allow_mutations: true,
        include: Vec::new(),
        journal: dir.path().join("journal.json"),
    };
    // Late enough that contacts were put and deleted (the examples alone do both).
    let result = conform::engine::run(Arc::clone(&specs), config, &mut PanicAt(150)).await;
    match result {
        Err(RunError::Crashed { why, restore }) => {
            assert!(why.contains("a bug in a reporter"), "{why}");
            let restore = restore.expect("a restore ran");
            assert!(restore.complete(), "{}", restore.summary());
            assert!(!restore.restored().is_empty(), "{}", restore.summary());
        }
        Err(other) => panic!("expected a crash, got {other}"),
        Ok(_) => panic!("expected a crash, the run finished"),
    }
    assert_eq!(state(&t).await, before);
    assert!(!dir.path().join("journal.json").exists());
    t.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_state_that_cannot_be_recorded_is_not_changed() {
    // An account the target does not know: reading its contacts is denied, so conform changes nothing.
    let (t, before) = target_with_contacts(&[]).await;
    let dir = tempfile::tempdir().unwrap();
    let out = real_run(
        &t,
        dir.path(),
        "5000",
        &[
            "--cases",
            "1",
            "--allow-mutations",
            "--fixture",
            "account.AccountId=210987654321",
        ],
    )
    .output()
    .await
    .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains(
            "failed to record member-alternate-contacts (type=BILLING) before the first change"
        ),
        "{err}"
    );
    assert!(err.contains("nothing was changed"), "{err}");
    assert!(!dir.path().join("journal.json").exists());
    assert_eq!(state(&t).await, before);
    t.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diff_leaves_out_what_may_not_run_on_a_real_target() {
    let (t, before) = target_with_contacts(&[]).await;
    let dir = tempfile::tempdir().unwrap();
    let out = conform()
        .args(["diff", "--endpoint", &t.endpoint(), "--against", "embedded"])
        .args([
            "--target-kind",
            "real",
            "--service",
            "account",
            "--cases",
            "2",
        ])
        .args(["--rate", "5000"])
        .arg("--restore-journal")
        .arg(dir.path().join("journal.json"))
        .arg("--json")
        .arg(dir.path().join("report.json"))
        .output()
        .await
        .unwrap();
    let err = stderr(&out);
    assert!(
        err.contains("left out on a real target: PutAlternateContact"),
        "{err}"
    );
    let ops = report_operations(dir.path());
    assert!(ops.iter().any(|op| op == "GetAlternateContact"), "{ops:?}");
    assert!(
        !ops.iter()
            .any(|op| op == "PutAlternateContact" || op == "DeleteAlternateContact"),
        "{ops:?}"
    );
    assert_eq!(state(&t).await, before);
    t.shutdown().await;
}

/// The exit of two runs that raced: the one that finished and the one refused, with the finisher's pid.
fn winner_and_loser(a: (Output, u32), b: (Output, u32)) -> (Output, Output, u32) {
    match (a.0.status.code(), b.0.status.code()) {
        (Some(0), Some(2)) => (a.0, b.0, a.1),
        (Some(2), Some(0)) => (b.0, a.0, b.1),
        codes => panic!(
            "expected one run to finish and one to be refused, got {codes:?}\n{}\n{}",
            stderr(&a.0),
            stderr(&b.0)
        ),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_mutating_runs_against_one_target_exclude_each_other() {
    let (t, before) = target_with_contacts(&[]).await;
    // Two directories, so two journals: only the lock on the target keeps them apart.
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    // Enough cases for several seconds at this rate: the runs overlap.
    let args = ["--cases", "20", "--allow-mutations"];
    let first = real_run(&t, a.path(), "100", &args).spawn().unwrap();
    let second = real_run(&t, b.path(), "100", &args).spawn().unwrap();
    let pids = (first.id().unwrap(), second.id().unwrap());

    // While one changes the target, `conform restore` of its journal is refused too.
    until_changed(&t, &before).await;
    let journal = [a.path(), b.path()]
        .into_iter()
        .map(|d| d.join("journal.json"))
        .find(|j| j.exists())
        .expect("the running one has journaled");
    let restore = conform()
        .arg("restore")
        .arg("--journal")
        .arg(&journal)
        .output()
        .await
        .unwrap();
    assert_eq!(restore.status.code(), Some(2), "{}", stderr(&restore));
    assert!(
        stderr(&restore).contains("failed to start: another conform run is changing the target"),
        "{}",
        stderr(&restore)
    );

    let (winner, loser, pid) = winner_and_loser(
        (wait_exit(first).await, pids.0),
        (wait_exit(second).await, pids.1),
    );
    let err = stderr(&loser);
    assert!(
        err.contains(&format!(
            "error: failed to start: another conform run is changing the target {} (pid {pid}, started ",
            t.endpoint()
        )),
        "{err}"
    );
    assert!(
        err.contains("`") && err.contains("--allow-mutations"),
        "the command line: {err}"
    );
    assert!(
        err.contains(&journal.display().to_string()),
        "its journal: {err}"
    );
    assert!(err.contains("help: wait for that run to end"), "{err}");
    assert!(
        !err.contains("recorded"),
        "the refused run recorded nothing: {err}"
    );
    assert!(
        stderr(&winner).contains("every one reads back as recorded"),
        "{}",
        stderr(&winner)
    );
    assert_eq!(state(&t).await, before, "the account's own state is back");
    assert!(!a.path().join("journal.json").exists() && !b.path().join("journal.json").exists());
    t.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_mutating_runs_with_one_journal_exclude_each_other() {
    // Two targets, one journal path, started 50 ms apart: only the lock on the journal keeps them apart.
    let (t1, before1) = target_with_contacts(&[]).await;
    let (t2, before2) = target_with_contacts(&[]).await;
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal.json");
    let start = |t: &EmulatorHandle, report: &str| {
        let mut command = conform();
        command
            .args(["run", "--endpoint", &t.endpoint(), "--target-kind", "real"])
            .args(["--rate", "100", "--concurrency", "4", "--no-shrink"])
            .args(["--cases", "20", "--allow-mutations"])
            .arg("--restore-journal")
            .arg(&journal)
            .arg("--json")
            .arg(dir.path().join(report));
        command.spawn().unwrap()
    };
    let first = start(&t1, "1.json");
    tokio::time::sleep(Duration::from_millis(50)).await;
    let second = start(&t2, "2.json");
    let pids = (first.id().unwrap(), second.id().unwrap());
    let (winner, loser, pid) = winner_and_loser(
        (wait_exit(first).await, pids.0),
        (wait_exit(second).await, pids.1),
    );
    let err = stderr(&loser);
    assert!(
        err.contains(&format!(
            "error: failed to start: another conform run uses the restore journal {} (pid {pid}, ",
            journal.display()
        )),
        "{err}"
    );
    assert!(err.contains("--restore-journal"), "what to do: {err}");
    assert!(stderr(&winner).contains("every one reads back as recorded"));
    assert_eq!(state(&t1).await, before1);
    assert_eq!(state(&t2).await, before2);
    assert!(!journal.exists());
    t1.shutdown().await;
    t2.shutdown().await;
}
