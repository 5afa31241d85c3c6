//! The engine: one run lifecycle (target, credentials, journal, record, put back) shared by run, diff, replay and
//! restore, the phases of a run, and the execution, judging and shrinking of cases.
//!
//! The engine never prints: everything it has to say goes out as [`Event`]s to the reporter it is given, after
//! passing through the run's [`Redactor`]. A run has three phases, so that cases which depend on state do not trip
//! over each other:
//! 1. the documents' examples, one at a time, each after its setup calls;
//! 2. the generated single-request cases, concurrently;
//! 3. the scenarios, one at a time.

mod dry_run;
mod lanes;
mod parity;
mod probes;
mod runner;
mod session;

use std::time::Duration;

use crate::check::CheckName;
use crate::client::TransportError;
use crate::generate::{self, GenConfig};
use crate::model::Model;
use crate::redact::Redactor;
use crate::report::{BaselineKey, Event, Reporter, Summary};
use crate::safety::restore::{RestoreError, RestoreReport};
use crate::safety::{Blocked, Safety};
use crate::scenario;
use crate::snapshot::SnapshotMode;

pub use dry_run::{DryRunCounts, dry_run};
pub use parity::diff;
pub use runner::{replay, run};
pub use session::{Session, Target, restore_from_journal, restore_note, start_target};

/// Everything a run needs besides the model and the reporter: the one validated configuration the command line
/// builds (see `cli`), shared by run, diff, replay and restore.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// The target; `None` starts the embedded reference target in-process.
    pub endpoint: Option<String>,
    /// AWS profile for credentials (`--profile`, else `AWS_PROFILE`).
    pub profile: Option<String>,
    /// The user's region; a service's region rule may fix another.
    pub region: Option<String>,
    /// What to generate.
    pub generation: GenConfig,
    /// Whether to run the scenarios (`--kind scenario`, or no `--kind`).
    pub scenarios: bool,
    /// Instances (draws) per scenario and parameter combination.
    pub scenario_draws: usize,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Requests per second across the run.
    pub rate: Option<f64>,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Retries of throttled requests.
    pub max_retries: u32,
    /// The checks to run.
    pub checks: Vec<CheckName>,
    /// Shrink failing cases toward the smallest that fails the same way.
    pub shrink: bool,
    /// Accepted deviations; only others make the run fail.
    pub baseline: crate::report::Baseline,
    /// Snapshot use.
    pub snapshots: SnapshotMode,
    /// The snapshot directory.
    pub snapshot_dir: std::path::PathBuf,
    /// Faults the embedded target is started with (demonstrations and tests).
    pub embedded_faults: Vec<String>,
    /// What may run on a real target, and where the state it changes is recorded.
    pub safety: Safety,
    /// Mask the model's sensitive members in every output, even conform's own test data on an emulator.
    pub mask_sensitive: bool,
    /// The overall deadline (`--max-time`), counted from the start of the run: when it passes, no new case starts
    /// and the run reports what finished.
    pub max_time: Option<Duration>,
    /// `--protocol`, when the run chose one (named again in the replay commands).
    pub protocol: Option<String>,
    /// How S3 requests name their bucket (`--s3-addressing`).
    pub s3_addressing: crate::client::addressing::S3Addressing,
}

impl RunConfig {
    /// Which share of the run this is (`--partition K/N`), as the reports record it.
    pub fn partition_id(&self) -> Option<(u64, u64)> {
        self.generation.partition.map(|p| (p.k, p.n))
    }

    /// A config for the embedded target with defaults: every kind, all checks, no snapshots.
    pub fn new(generation: GenConfig) -> Self {
        RunConfig {
            endpoint: None,
            profile: None,
            region: None,
            generation,
            scenarios: true,
            scenario_draws: 2,
            concurrency: 8,
            rate: None,
            timeout: Duration::from_secs(10),
            max_retries: 3,
            checks: CheckName::ALL.to_vec(),
            shrink: true,
            baseline: crate::report::Baseline::default(),
            snapshots: SnapshotMode::Off,
            snapshot_dir: "snapshots".into(),
            embedded_faults: Vec::new(),
            safety: Safety::default(),
            mask_sensitive: false,
            max_time: None,
            protocol: None,
            s3_addressing: Default::default(),
        }
    }

    /// Whether the target is treated as real AWS.
    pub fn real(&self) -> bool {
        self.safety.is_real(self.endpoint.as_deref())
    }
}

/// How a run ended.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    /// Counts.
    pub summary: Summary,
    /// Deviating cases not covered by the baseline.
    pub new_deviations: usize,
    /// What `--update-baseline` writes.
    pub updated_baseline: crate::report::Baseline,
    /// Deviation keys in the baseline that this run no longer saw.
    pub gone: Vec<BaselineKey>,
    /// Pending snapshots written (`--snapshots update`).
    pub snapshots_written: usize,
    /// Why the run stopped before every case ran (Ctrl-C, `--max-time`, a throttling target), if it did.
    pub stopped: Option<crate::report::Stopped>,
    /// What the restore of a real target did; `None` when nothing needed recording.
    pub restore: Option<RestoreReport>,
}

/// Why a run could not be carried out at all (as opposed to deviations, which are results).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// Bad configuration: missing credentials, a bad endpoint URL, an unknown fault.
    #[error("{0}")]
    Config(String),
    /// The target refused connections before any case ran.
    #[error("failed to reach the target")]
    Unreachable(#[source] TransportError),
    /// A reporter failed (a report file could not be written).
    #[error("failed to write a report")]
    Report(#[source] crate::report::ReportError),
    /// The state a real target's cases may change could not be recorded; nothing was changed.
    #[error("failed to start on a real target; nothing was changed")]
    Record(#[source] RestoreError),
    /// An earlier run's journal is still there: the target may hold changes that were never put back.
    #[error(
        "failed to start: the restore journal {0} of an earlier run is still there, so the target may hold changes \
         that were never put back"
    )]
    JournalPending(std::path::PathBuf),
    /// Another conform run is changing the same real target, or uses the same journal.
    #[error(transparent)]
    Locked(crate::safety::lock::LockError),
    /// conform itself failed mid-run (a bug); the state of a real target was put back first, when it could be.
    #[error("failed to finish the run: conform crashed ({why}){}", restore_text(.restore))]
    Crashed {
        /// The panic's message.
        why: String,
        /// What the restore did.
        restore: Option<RestoreReport>,
    },
}

fn restore_text(restore: &Option<RestoreReport>) -> String {
    restore
        .as_ref()
        .map(|r| format!("\n{}", r.summary()))
        .unwrap_or_default()
}

/// Sends an event through the redactor to the reporter.
pub(crate) fn emit(
    reporter: &mut dyn Reporter,
    redactor: &Redactor,
    event: Event,
) -> Result<(), RunError> {
    let event = match event {
        Event::Note(text) => Event::Note(redactor.text(&text)),
        other => other,
    };
    reporter.event(&event).map_err(RunError::Report)
}

/// What a run will send, after the selection flags and the safety rules: shared by the run and `--dry-run`.
pub struct Selection {
    /// The operations the generation flags select (before the safety rules).
    pub selected: Vec<String>,
    /// The documents' examples that may run.
    pub examples: Vec<generate::ExampleCase>,
    /// The scenario instances that may run.
    pub scenarios: Vec<scenario::Instance>,
    /// The selected operations the safety rules let run.
    pub runnable: Vec<String>,
    /// Whether generated single requests run at all (not with `--kind scenario` alone).
    pub single_requests: bool,
}

impl Selection {
    /// Applies the config's filters (partition included) and the blocked operations.
    pub fn new(model: &Model, config: &RunConfig, blocked: &Blocked) -> Self {
        let selected: Vec<String> = generate::selected_operations(model, &config.generation)
            .unwrap_or_default()
            .into_iter()
            .map(|(_, op)| op.name.clone())
            .collect();
        let examples = generate::example_cases(model, &config.generation)
            .into_iter()
            .filter(|e| {
                generate::partition::holds(
                    config.generation.partition.as_ref(),
                    &e.case.service,
                    &e.case.operation,
                    &e.case.id,
                ) && blocked.allows(&e.case.operation)
                    && blocked.allows_all(e.setup.iter().map(|(op, _, _)| op.as_str()))
            })
            .collect();
        let scenarios = if config.scenarios {
            scenario::instances(model, &config.generation, config.scenario_draws)
                .into_iter()
                .filter(|i| {
                    config
                        .generation
                        .partition
                        .is_none_or(|p| p.holds_instance(&i.id))
                        && blocked.allows_all(scenario_operations(model, i))
                })
                .collect()
        } else {
            Vec::new()
        };
        let single_requests = config.generation.kinds.is_empty()
            || config
                .generation
                .kinds
                .iter()
                .any(|k| *k != crate::case::CaseKind::Scenario);
        let runnable: Vec<String> = selected
            .iter()
            .filter(|op| blocked.allows(op))
            .cloned()
            .collect();
        Selection {
            single_requests: single_requests && !runnable.is_empty(),
            selected,
            examples,
            scenarios,
            runnable,
        }
    }

    /// Whether nothing at all would be sent.
    pub fn is_empty(&self) -> bool {
        !self.single_requests && self.examples.is_empty() && self.scenarios.is_empty()
    }

    /// The operations that will run and change state: what a restore must cover.
    pub fn changing_operations<'a>(&'a self, model: &'a Model) -> Vec<&'a str> {
        let mut ops: Vec<&str> = Vec::new();
        let mut add = |name: &'a str| {
            if !ops.contains(&name) {
                ops.push(name);
            }
        };
        if self.single_requests {
            self.runnable.iter().for_each(|op| add(op));
        }
        for example in &self.examples {
            add(&example.case.operation);
            example.setup.iter().for_each(|(op, _, _)| add(op));
        }
        for instance in &self.scenarios {
            scenario_operations(model, instance).for_each(&mut add);
        }
        ops.retain(|name| model.operation(name).is_some_and(|(_, op)| op.mutates()));
        ops
    }
}

/// Checks the user's region against the region lists of the selected services' spec files, before any request.
///
/// A region outside a service's list (`--region mars-1`, or an `AWS_REGION` set for other work) would have every
/// request of that service signed for a region it does not run in: on an external target that is a usage error
/// naming the service and its regions. The embedded target answers for every region conform signs for, so there the
/// region is dropped for the run (each service signs for its default) and the returned note says so. Services
/// without a list (those of the published models) and services with a fixed region (Account) take any region.
pub fn settle_region(
    model: &Model,
    config: &mut RunConfig,
    services: &[&str],
) -> Result<Option<String>, RunError> {
    let Some(region) = config.region.clone() else {
        return Ok(None);
    };
    let mut refusing: Vec<&crate::model::Service> = Vec::new();
    for name in services {
        if let Some(service) = model.services.get(*name)
            && !service.region.allows(&region)
            && !refusing.iter().any(|s| s.name == service.name)
        {
            refusing.push(service);
        }
    }
    if refusing.is_empty() {
        return Ok(None);
    }
    let lists: Vec<String> = refusing
        .iter()
        .map(|service| {
            let allowed = match &service.region {
                crate::model::RegionRule::Chosen { allowed, .. } => allowed.join(", "),
                crate::model::RegionRule::Fixed(fixed) => fixed.clone(),
            };
            format!("{} runs only in {allowed} ({})", service.name, service.file)
        })
        .collect();
    if config.endpoint.is_none() {
        config.region = None;
        return Ok(Some(format!(
            "region {region} is ignored on the embedded target: {}; each service is signed for its default region",
            lists.join("; ")
        )));
    }
    Err(RunError::Config(format!(
        "failed to start: region `{region}` (--region or AWS_REGION) is not one the selected services run in: {}; \
         pass --region with one of them, or leave the service out (--service)",
        lists.join("; ")
    )))
}

/// The services whose operations the config selects, for [`settle_region`].
pub fn selected_services<'a>(model: &'a Model, config: &RunConfig) -> Vec<&'a str> {
    let mut names: Vec<&str> = Vec::new();
    for (service, _) in generate::selected_operations(model, &config.generation).unwrap_or_default()
    {
        if !names.contains(&service.name.as_str()) {
            names.push(&service.name);
        }
    }
    names
}

/// Every operation an instance's steps and cleanup call.
pub fn scenario_operations<'a>(
    model: &'a Model,
    instance: &scenario::Instance,
) -> impl Iterator<Item = &'a str> {
    model.services[&instance.service]
        .rules
        .scenarios
        .iter()
        .filter(|s| s.name == instance.scenario)
        .flat_map(|s| s.steps.iter().chain(&s.cleanup))
        .map(|step| step.operation.as_str())
}

/// A digest of what decides a run's cases: the loaded services (their shapes, operations and the spec files'
/// rules; not where they were read from, which differs between machines) and the settings that pick and draw the
/// cases. Partitions of one run agree on it; `conform report merge` refuses parts that do not.
pub fn run_digest(model: &Model, config: &RunConfig) -> String {
    use sha2::{Digest, Sha256};
    use std::fmt::Write as _;
    /// Feeds formatted text straight into the hash: the models' Debug form is large, and is never held whole.
    struct Hashing(Sha256);
    impl std::fmt::Write for Hashing {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            self.0.update(s.as_bytes());
            Ok(())
        }
    }
    let mut h = Hashing(Sha256::new());
    for service in model.services.values() {
        let _ = write!(
            h,
            "{}\0{}\0{}\0{:?}\0{:?}\0{:?}\0",
            service.name,
            service.protocol,
            service.api_version,
            service.shapes,
            service.operations,
            service.rules
        );
    }
    let g = &config.generation;
    let _ = write!(
        h,
        "{}\0{:?}\0{:?}\0{:?}\0{}\0{}\0{:?}\0{:?}",
        g.cases,
        g.kinds,
        g.operations,
        g.services,
        config.scenarios,
        config.scenario_draws,
        config.checks,
        config.embedded_faults
    );
    let digest = h.0.finalize();
    digest[..12].iter().map(|b| format!("{b:02x}")).collect()
}

/// The message a panic carried.
pub(crate) fn panic_message(panic: Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "a panic without a message".to_string())
}

/// The command that sends a case again: same id, seed, draws, target and fixtures.
pub(crate) fn replay_command(id: &str, service: &str, config: &RunConfig) -> String {
    let mut command = format!(
        "conform replay {id} --seed {} --cases {}",
        config.generation.seed, config.generation.cases
    );
    // A service the run chose (one of the published models, or `--service all`) is named again, so that replay
    // loads it; with the built-in specs alone, none is named.
    if !config.generation.services.is_empty() {
        command.push_str(&format!(" --service {service}"));
    }
    if let Some(protocol) = &config.protocol {
        command.push_str(&format!(" --protocol {protocol}"));
    }
    match &config.endpoint {
        Some(endpoint) => command.push_str(&format!(" --endpoint {endpoint}")),
        None => {
            for fault in &config.embedded_faults {
                command.push_str(&format!(" --embedded-fault {fault}"));
            }
        }
    }
    for (key, value) in config.generation.fixtures.overrides() {
        command.push_str(&format!(" --fixture {key}={value}"));
    }
    match config.safety.target_kind {
        crate::safety::TargetKind::Auto => {}
        crate::safety::TargetKind::Real => command.push_str(" --target-kind real"),
        crate::safety::TargetKind::Emulator => command.push_str(" --target-kind emulator"),
    }
    if config.safety.allow_mutations {
        command.push_str(" --allow-mutations");
    }
    for op in &config.safety.include {
        command.push_str(&format!(" --include {op}"));
    }
    command
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(model: &Model, endpoint: Option<&str>, region: &str) -> RunConfig {
        let mut config = RunConfig::new(GenConfig::new(model, 0, 1));
        config.endpoint = endpoint.map(str::to_string);
        config.region = Some(region.to_string());
        config
    }

    #[test]
    fn a_region_outside_a_services_list_is_refused_on_a_target_and_dropped_on_the_embedded_one() {
        let mut model = crate::spec::embedded_model().unwrap();
        // A service of the published models declares no regions: any goes.
        model.services.insert(
            "dynamodb".into(),
            crate::model::Service::new("dynamodb", crate::model::ProtocolId::AwsJson1_0),
        );
        let external = Some("http://127.0.0.1:5000");
        let mut c = config(&model, external, "mars-1");
        let e = settle_region(&model, &mut c, &["account", "workmail"]).unwrap_err();
        assert!(
            e.to_string()
                .contains("workmail runs only in us-east-1, us-west-2, eu-west-1"),
            "{e}"
        );
        // Account is always signed for us-east-1, the models' services take any region.
        let mut c = config(&model, external, "mars-1");
        assert!(matches!(
            settle_region(&model, &mut c, &["account", "dynamodb"]),
            Ok(None)
        ));
        assert_eq!(c.region.as_deref(), Some("mars-1"));
        let mut c = config(&model, external, "eu-west-1");
        assert!(matches!(
            settle_region(&model, &mut c, &["workmail"]),
            Ok(None)
        ));
        let mut c = config(&model, None, "eu-central-1");
        let note = settle_region(&model, &mut c, &["account", "workmail"])
            .unwrap()
            .expect("a note");
        assert!(
            note.starts_with("region eu-central-1 is ignored on the embedded target"),
            "{note}"
        );
        assert_eq!(c.region, None, "each service signs for its default");
    }
}
