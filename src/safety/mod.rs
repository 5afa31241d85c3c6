//! Safety on real targets: which endpoints count as real AWS, which operations may run there, and (in
//! [`restore`]) the state recorded before the first change and put back after the run.
//!
//! The rules, for a real target only (an emulator on loopback gets every case):
//! - an operation that changes state (`mutates`) runs only with `--allow-mutations`;
//! - an operation that emails people or changes a root address (`guarded`) runs only when named with `--include`;
//! - an operation that changes state no `[[restore]]` can put back runs only when named with `--include`;
//! - requests go out at [`REAL_DEFAULT_RATE`] per second unless `--rate` says otherwise.

pub mod lock;
pub mod restore;

use std::fmt;
use std::path::PathBuf;

use indexmap::IndexMap;

use crate::model::{Model, Operation, Service};

/// Requests per second on a real target when `--rate` is not given: well under any AWS API's throttling limit,
/// so that a run neither trips throttling nor competes with the account's own traffic.
pub const REAL_DEFAULT_RATE: f64 = 2.0;

/// The journal a run that changes a real target writes its recording to, unless told otherwise.
pub const DEFAULT_JOURNAL: &str = "conform-restore.json";

/// Whether the target is treated as real AWS (`--target-kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum TargetKind {
    /// Real unless the endpoint is on loopback (127.0.0.0/8, ::1, localhost) or is the embedded target.
    #[default]
    Auto,
    /// An emulator, wherever it runs (a LocalStack container reached by its service name, say).
    Emulator,
    /// Real AWS, even on loopback or the embedded target (to rehearse a run, and in tests).
    Real,
}

/// The safety settings of a run.
#[derive(Debug, Clone)]
pub struct Safety {
    /// How to classify the target.
    pub target_kind: TargetKind,
    /// Whether operations that change state may run on a real target.
    pub allow_mutations: bool,
    /// Guarded and unrestorable operations the user consents to on a real target.
    pub include: Vec<String>,
    /// Where the recording of the state a run may change is kept until it is put back.
    pub journal: PathBuf,
}

impl Default for Safety {
    fn default() -> Self {
        Safety {
            target_kind: TargetKind::Auto,
            allow_mutations: false,
            include: Vec::new(),
            journal: PathBuf::from(DEFAULT_JOURNAL),
        }
    }
}

/// Why an operation does not run on a real target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// It changes state and `--allow-mutations` was not given.
    Mutates,
    /// It emails people or changes a root address (the spec's reason), and `--include` does not name it.
    Guarded(String),
    /// It changes state that no `[[restore]]` of its service can put back, and `--include` does not name it.
    Unrestorable,
}

impl Block {
    /// What the user can do about it.
    pub fn remedy(&self, operation: &str) -> String {
        match self {
            Block::Mutates => {
                "pass --allow-mutations (the state it touches is recorded first and put back after)"
                    .to_string()
            }
            Block::Guarded(_) | Block::Unrestorable => format!("pass --include {operation}"),
        }
    }
}

impl fmt::Display for Block {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Block::Mutates => write!(f, "changes state"),
            Block::Guarded(why) => write!(f, "{why}"),
            Block::Unrestorable => write!(f, "changes state that conform cannot put back"),
        }
    }
}

impl Safety {
    /// Whether a target is treated as real: `endpoint` is `None` for the embedded target.
    pub fn is_real(&self, endpoint: Option<&str>) -> bool {
        match self.target_kind {
            TargetKind::Real => true,
            TargetKind::Emulator => false,
            TargetKind::Auto => endpoint.is_some_and(|e| !is_loopback(e)),
        }
    }

    /// Whether `--include` names an operation (ignoring ASCII case, as `--operation` does).
    pub fn includes(&self, operation: &str) -> bool {
        self.include
            .iter()
            .any(|name| name.eq_ignore_ascii_case(operation))
    }

    /// Why `op` may not run on a real target, or `None` when it may.
    pub fn block(&self, service: &Service, op: &Operation) -> Option<Block> {
        if let Some(why) = &op.rules.guarded
            && !self.includes(&op.name)
        {
            return Some(Block::Guarded(why.clone()));
        }
        let mutates = op.mutates();
        if mutates && !self.allow_mutations {
            return Some(Block::Mutates);
        }
        let restorable = service
            .rules
            .restores
            .iter()
            .any(|r| r.changed_by.iter().any(|name| name == &op.name));
        if mutates && !restorable && !self.includes(&op.name) {
            return Some(Block::Unrestorable);
        }
        None
    }

    /// Every operation that may not run on the target, with why; empty when the target is not real.
    pub fn blocked(&self, model: &Model, real: bool) -> Blocked {
        let mut blocked = IndexMap::new();
        if real {
            for (service, op) in model.operations() {
                if let Some(block) = self.block(service, op) {
                    blocked.insert(op.name.clone(), block);
                }
            }
        }
        Blocked(blocked)
    }

    /// `--include` names that are no operation of the specs: a typo would silently leave the operation out.
    pub fn unknown_includes(&self, model: &Model) -> Vec<String> {
        self.include
            .iter()
            .filter(|name| {
                !model
                    .operations()
                    .any(|(_, op)| op.name.eq_ignore_ascii_case(name))
            })
            .cloned()
            .collect()
    }
}

/// The operations a run leaves out on a real target, and why.
#[derive(Debug, Clone, Default)]
pub struct Blocked(pub IndexMap<String, Block>);

impl Blocked {
    /// Whether an operation may run.
    pub fn allows(&self, operation: &str) -> bool {
        !self.0.contains_key(operation)
    }

    /// Whether every one of these operations may run.
    pub fn allows_all<'a>(&self, mut operations: impl Iterator<Item = &'a str>) -> bool {
        operations.all(|op| self.allows(op))
    }

    /// One line per left-out operation among `selected`: what it does and how to let it run.
    pub fn explain<'a>(&self, selected: impl Iterator<Item = &'a str>) -> Vec<String> {
        selected
            .filter_map(|op| {
                self.0
                    .get(op)
                    .map(|block| format!("{op} ({block}): {}", block.remedy(op)))
            })
            .collect()
    }
}

/// Whether an endpoint is on this machine; one definition for credentials and safety alike (an IPv4-mapped
/// loopback address such as `::ffff:127.0.0.1` is loopback for both).
pub use crate::client::is_loopback;

#[cfg(test)]
mod tests {
    use super::*;

    fn specs() -> Model {
        crate::spec::embedded_model().expect("the built-in specs load")
    }

    #[test]
    fn loopback_endpoints_are_recognised_and_nothing_else() {
        for local in [
            "http://127.0.0.1:5000",
            "http://127.8.9.1",
            "http://[::1]:4566/",
            "http://localhost:4566",
            "http://LOCALHOST.",
            "http://moto.localhost:5000",
        ] {
            assert!(is_loopback(local), "{local}");
        }
        for remote in [
            "https://account.us-east-1.amazonaws.com",
            "http://10.0.0.1:4566",
            "http://localstack:4566",
            "http://localhost.example.com",
            "not a url",
            "http://[::2]",
        ] {
            assert!(!is_loopback(remote), "{remote}");
        }
    }

    #[test]
    fn target_kind_decides_what_is_real() {
        let auto = Safety::default();
        assert!(!auto.is_real(None), "the embedded target is not real");
        assert!(!auto.is_real(Some("http://127.0.0.1:1")));
        assert!(auto.is_real(Some("https://account.us-east-1.amazonaws.com")));
        let real = Safety {
            target_kind: TargetKind::Real,
            ..Safety::default()
        };
        assert!(real.is_real(None) && real.is_real(Some("http://127.0.0.1:1")));
        let emulator = Safety {
            target_kind: TargetKind::Emulator,
            ..Safety::default()
        };
        assert!(!emulator.is_real(Some("http://localstack:4566")));
    }

    #[test]
    fn real_targets_block_mutations_and_guarded_operations_until_allowed() {
        let specs = specs();
        let safety = Safety::default();
        assert!(
            safety.blocked(&specs, false).0.is_empty(),
            "nothing is blocked on an emulator"
        );
        let blocked = safety.blocked(&specs, true);
        assert_eq!(blocked.0.get("PutAlternateContact"), Some(&Block::Mutates));
        assert_eq!(
            blocked.0.get("DeleteAlternateContact"),
            Some(&Block::Mutates)
        );
        assert!(matches!(
            blocked.0.get("StartPrimaryEmailUpdate"),
            Some(Block::Guarded(_))
        ));
        assert!(matches!(
            blocked.0.get("UpdatePrimaryEmailAddress"),
            Some(Block::Guarded(_))
        ));
        assert!(blocked.allows("GetAlternateContact") && blocked.allows("DescribeUser"));

        let allowed = Safety {
            allow_mutations: true,
            ..Safety::default()
        };
        let blocked = allowed.blocked(&specs, true);
        assert!(blocked.allows("PutAlternateContact") && blocked.allows("DeleteAlternateContact"));
        assert!(
            !blocked.allows("StartPrimaryEmailUpdate"),
            "--allow-mutations does not reach guarded operations"
        );

        let included = Safety {
            allow_mutations: true,
            include: vec!["startprimaryemailupdate".into()],
            ..Safety::default()
        };
        let blocked = included.blocked(&specs, true);
        assert!(blocked.allows("StartPrimaryEmailUpdate"));
        assert!(!blocked.allows("AcceptPrimaryEmailUpdate"));
        let lines = blocked.explain(["AcceptPrimaryEmailUpdate", "GetPrimaryEmail"].into_iter());
        assert_eq!(lines.len(), 1);
        assert!(
            lines[0].ends_with("pass --include AcceptPrimaryEmailUpdate"),
            "{lines:?}"
        );
    }

    #[test]
    fn a_mutating_operation_without_a_restore_needs_include() {
        let mut specs = specs();
        let account = specs.services.get_mut("account").unwrap();
        account.rules.restores.clear();
        let safety = Safety {
            allow_mutations: true,
            ..Safety::default()
        };
        let blocked = safety.blocked(&specs, true);
        assert_eq!(
            blocked.0.get("PutAlternateContact"),
            Some(&Block::Unrestorable)
        );
        let included = Safety {
            include: vec!["PutAlternateContact".into()],
            ..safety
        };
        assert!(included.blocked(&specs, true).allows("PutAlternateContact"));
    }

    #[test]
    fn unknown_includes_are_named() {
        let safety = Safety {
            include: vec!["StartPrimaryEmailUpdate".into(), "StartPrimaryEmail".into()],
            ..Safety::default()
        };
        assert_eq!(safety.unknown_includes(&specs()), vec!["StartPrimaryEmail"]);
    }
}
