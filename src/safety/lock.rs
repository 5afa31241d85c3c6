//! Runs that change one real target exclude each other: an OS file lock per target and per restore journal,
//! held for the run's life and released by the OS when the process ends, however it ends.
//!
//! Without it, a second run against a target the first is changing would record the first run's changes as the
//! "original" state and put those back, losing the account's own. The lock is keyed by the endpoint (normalised):
//! the account behind an endpoint is not known without an extra call (an access key does not identify it: the
//! temporary credentials of one role differ from session to session), so two runs against one endpoint exclude
//! each other even when their credentials differ. A second lock, keyed by the journal's absolute path, keeps two
//! runs from sharing a journal. Lock files live in a per-user directory ([`lock_dir`]), not the working
//! directory, so that runs started from two directories meet; beside each, a small JSON file says who holds it.
//! Lock files are never removed: removing one while another process waits on it would let two runs hold "the"
//! lock at once.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::report::bounded::{LOCK_INFO_LIMIT, read_to_string_bounded};

/// What a lock guards: one real target, or one journal file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Guarded {
    /// A target, by its endpoint.
    Target(String),
    /// A restore journal, by its absolute path.
    Journal(PathBuf),
}

impl Guarded {
    fn key(&self) -> String {
        match self {
            Guarded::Target(endpoint) => format!("target {}", normalise_endpoint(endpoint)),
            Guarded::Journal(path) => format!("journal {}", path.display()),
        }
    }

    /// What the holder does with it: `is changing the target URL`, `uses the restore journal PATH`.
    fn describe(&self) -> String {
        match self {
            Guarded::Target(endpoint) => format!("is changing the target {endpoint}"),
            Guarded::Journal(path) => format!("uses the restore journal {}", path.display()),
        }
    }
}

/// Who holds a lock: written beside it by the holder, read by a run it refuses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    /// Process id.
    pub pid: u32,
    /// When it took the lock (HTTP date).
    pub started: String,
    /// Its command line.
    pub command: String,
    /// The target it changes.
    pub endpoint: String,
    /// Its restore journal.
    pub journal: PathBuf,
}

impl Holder {
    /// This process, about to change `endpoint` with `journal`.
    pub fn this_process(endpoint: &str, journal: &Path) -> Holder {
        Holder {
            pid: std::process::id(),
            started: httpdate::fmt_http_date(std::time::SystemTime::now()),
            command: command_line(),
            endpoint: endpoint.to_string(),
            journal: absolute(journal),
        }
    }
}

/// The command line of this process, each argument shell-quoted where it needs to be.
fn command_line() -> String {
    std::env::args()
        .map(|arg| {
            if !arg.is_empty()
                && arg
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./:=,+@%".contains(c))
            {
                arg
            } else {
                format!("'{}'", arg.replace('\'', r"'\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Why a run may not change a target.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another conform run holds the lock.
    #[error("failed to start: another conform run {} ({})", .guarded.describe(), holder_text(.holder))]
    Busy {
        /// What is locked.
        guarded: Guarded,
        /// Who holds it, when it said so.
        holder: Option<Box<Holder>>,
    },
    /// The lock could not be taken at all.
    #[error("failed to lock {}: {cause}", path.display())]
    Io {
        /// The lock file (or its directory).
        path: PathBuf,
        /// The OS's cause (in the message).
        cause: std::io::Error,
    },
}

fn holder_text(holder: &Option<Box<Holder>>) -> String {
    match holder {
        Some(h) => format!(
            "pid {}, started {}, `{}`, journal {}",
            h.pid,
            h.started,
            h.command,
            h.journal.display()
        ),
        None => "it has not said who it is yet".to_string(),
    }
}

impl LockError {
    /// What the user can do about it.
    pub fn help(&self) -> String {
        match self {
            LockError::Busy {
                guarded: Guarded::Target(_),
                ..
            } => "wait for that run to end (it puts back what it changed), then start this one; two runs that \
                  change one target at once would each take the other's changes for the original state"
                .to_string(),
            LockError::Busy {
                guarded: Guarded::Journal(_),
                ..
            } => "give this run its own journal (--restore-journal PATH), or wait for that run to end".to_string(),
            LockError::Io { .. } => {
                "set XDG_RUNTIME_DIR (or XDG_CACHE_HOME) to a directory you can write".to_string()
            }
        }
    }
}

/// Locks held for a run's life; dropping it (or the process ending) releases them.
#[derive(Debug)]
pub struct RunLock {
    files: Vec<File>,
}

impl RunLock {
    /// How many locks are held.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether none is held.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

/// Takes the locks of a run that will change `endpoint` (`None` for the embedded target, which is the run's own)
/// with `journal`; refuses when another process holds either.
pub fn lock_target(endpoint: Option<&str>, journal: &Path) -> Result<RunLock, LockError> {
    lock_targets(&[(endpoint, journal)])
}

/// Takes the locks of a run that will change several targets (`conform diff`), each with its journal.
pub fn lock_targets(targets: &[(Option<&str>, &Path)]) -> Result<RunLock, LockError> {
    lock_in(&lock_dir(), &plan_locks(targets))
}

/// What to lock, in order: each target, then its journal; a target or journal named twice is locked once.
fn plan_locks(targets: &[(Option<&str>, &Path)]) -> Vec<(Guarded, Holder)> {
    let mut guarded: Vec<(Guarded, Holder)> = Vec::new();
    for (endpoint, journal) in targets {
        let holder = Holder::this_process(endpoint.unwrap_or("the embedded target"), journal);
        let target = endpoint.map(|e| Guarded::Target(e.to_string()));
        for g in target
            .into_iter()
            .chain([Guarded::Journal(absolute(journal))])
        {
            if !guarded.iter().any(|(seen, _)| seen.key() == g.key()) {
                guarded.push((g, holder.clone()));
            }
        }
    }
    guarded
}

fn lock_in(dir: &Path, guarded: &[(Guarded, Holder)]) -> Result<RunLock, LockError> {
    create_private_dir(dir).map_err(|cause| LockError::Io {
        path: dir.to_path_buf(),
        cause,
    })?;
    let mut files = Vec::new();
    for (what, holder) in guarded {
        let name = file_stem(&what.key());
        let path = dir.join(format!("{name}.lock"));
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|cause| LockError::Io {
                path: path.clone(),
                cause,
            })?;
        let info = dir.join(format!("{name}.json"));
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(LockError::Busy {
                    guarded: what.clone(),
                    holder: read_holder(&info).map(Box::new),
                });
            }
            Err(TryLockError::Error(cause)) => return Err(LockError::Io { path, cause }),
        }
        // Who holds it, for a run it refuses; the lock stands without it.
        let _ = write_holder(&info, holder);
        files.push(file);
    }
    Ok(RunLock { files })
}

fn read_holder(path: &Path) -> Option<Holder> {
    let text = read_to_string_bounded(path, LOCK_INFO_LIMIT).ok()?;
    serde_json::from_str(&text).ok()
}

/// Writes the holder's description whole or not at all (a temporary file renamed over it).
fn write_holder(path: &Path, holder: &Holder) -> std::io::Result<()> {
    let temporary = path.with_extension(format!("json.{}.partial", std::process::id()));
    let text = serde_json::to_string_pretty(holder).map_err(std::io::Error::other)?;
    {
        let mut file = private_file(&temporary)?;
        file.write_all(text.as_bytes())?;
    }
    std::fs::rename(&temporary, path)
}

fn private_file(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// A file name for a key: readable where it can be, unique by a digest.
fn file_stem(key: &str) -> String {
    let digest = Sha256::digest(key.as_bytes());
    let hash: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    let kind = key.split(' ').next().unwrap_or("lock");
    format!("{kind}-{hash}")
}

/// Where lock files live: `$XDG_RUNTIME_DIR/conform` (per user, cleared at logout), else
/// `$XDG_CACHE_HOME/conform/locks` or `~/.cache/conform/locks`, else a per-user directory under the temporary
/// directory.
pub fn lock_dir() -> PathBuf {
    let from_env = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
    };
    if let Some(runtime) = from_env("XDG_RUNTIME_DIR") {
        return runtime.join("conform");
    }
    if let Some(cache) = from_env("XDG_CACHE_HOME") {
        return cache.join("conform").join("locks");
    }
    if let Some(home) = from_env("HOME") {
        return home.join(".cache").join("conform").join("locks");
    }
    let user = std::env::var("USER").unwrap_or_else(|_| "user".to_string());
    std::env::temp_dir().join(format!("conform-locks-{user}"))
}

/// `HTTPS://Account.us-east-1.amazonaws.com/` and `https://account.us-east-1.amazonaws.com:443` are one target.
pub fn normalise_endpoint(endpoint: &str) -> String {
    match reqwest::Url::parse(endpoint.trim()) {
        Ok(url) => {
            let host = url.host_str().unwrap_or_default().trim_end_matches('.');
            let port = url
                .port_or_known_default()
                .map(|p| format!(":{p}"))
                .unwrap_or_default();
            let path = url.path().trim_end_matches('/');
            format!("{}://{host}{port}{path}", url.scheme())
        }
        Err(_) => endpoint.trim().trim_end_matches('/').to_ascii_lowercase(),
    }
}

/// An absolute path without requiring it to exist (the journal does not, before the run).
fn absolute(path: &Path) -> PathBuf {
    let joined = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    // Resolve symbolic links in the directory, so that two spellings of one journal meet.
    match (joined.parent(), joined.file_name()) {
        (Some(dir), Some(name)) => dir.canonicalize().map(|d| d.join(name)).unwrap_or(joined),
        _ => joined,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holder(journal: &Path) -> Holder {
        Holder::this_process("http://127.0.0.1:1", journal)
    }

    #[test]
    fn a_held_target_refuses_a_second_lock_naming_the_holder_until_released() {
        let dir = tempfile::tempdir().unwrap();
        let locks = dir.path().join("locks");
        let journal = dir.path().join("a.json");
        let target = |j: &Path| {
            vec![
                (Guarded::Target("http://127.0.0.1:1".into()), holder(j)),
                (Guarded::Journal(absolute(j)), holder(j)),
            ]
        };
        let first = lock_in(&locks, &target(&journal)).unwrap();
        assert_eq!(first.len(), 2);
        // Another journal, same target: refused by the target's lock, with who holds it.
        let other = dir.path().join("b.json");
        let error = lock_in(&locks, &target(&other)).unwrap_err();
        let text = error.to_string();
        assert!(
            text.starts_with("failed to start: another conform run is changing the target http://127.0.0.1:1 (pid "),
            "{text}"
        );
        assert!(
            text.contains(&format!("pid {}", std::process::id())) && text.contains("a.json"),
            "{text}"
        );
        assert!(error.help().contains("wait for that run to end"));
        // Same journal, another target: refused by the journal's lock.
        let error = lock_in(
            &locks,
            &[(Guarded::Journal(absolute(&journal)), holder(&journal))],
        )
        .unwrap_err();
        assert!(error.help().contains("--restore-journal"), "{error}");
        drop(first);
        lock_in(&locks, &target(&other)).expect("free once released");
    }

    #[cfg(unix)]
    #[test]
    fn lock_files_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let locks = dir.path().join("locks");
        let journal = dir.path().join("a.json");
        let _held = lock_in(
            &locks,
            &[(Guarded::Journal(journal.clone()), holder(&journal))],
        )
        .unwrap();
        let mode = std::fs::metadata(&locks).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0);
    }

    #[test]
    fn one_target_spelled_two_ways_is_one_key() {
        assert_eq!(
            normalise_endpoint("HTTPS://Account.us-east-1.amazonaws.com/"),
            normalise_endpoint("https://account.us-east-1.amazonaws.com:443")
        );
        assert_ne!(
            normalise_endpoint("http://127.0.0.1:5000"),
            normalise_endpoint("http://127.0.0.1:5001")
        );
        let dir = tempfile::tempdir().unwrap();
        let twice = lock_in(
            &dir.path().join("locks"),
            &[(
                Guarded::Target("http://127.0.0.1:1".into()),
                holder(Path::new("j.json")),
            )],
        );
        assert!(twice.is_ok());
    }

    #[test]
    fn a_target_and_journal_named_twice_are_locked_once() {
        let dir = tempfile::tempdir().unwrap();
        let journal = dir.path().join("j.json");
        let side = (Some("http://127.0.0.1:1/"), journal.as_path());
        let twice = plan_locks(&[side, (Some("http://127.0.0.1:1"), journal.as_path())]);
        assert_eq!(twice.len(), 2, "{twice:?}");
        assert_eq!(lock_in(&dir.path().join("locks"), &twice).unwrap().len(), 2);
        let embedded = plan_locks(&[(None, journal.as_path())]);
        assert_eq!(
            embedded.iter().map(|(g, _)| g).collect::<Vec<_>>(),
            vec![&Guarded::Journal(absolute(&journal))],
            "the embedded target is the run's own: only its journal is locked"
        );
    }
}
