//! `conform run` and `conform replay`: fire generated cases at a target, check them, report.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;

use super::{Cli, CliError, Output, load_specs};
use crate::case::CaseKind;
use crate::check::CheckName;
use crate::exit::Exit;
use crate::generate::GenConfig;
use crate::report::{self, Baseline, Fanout, Reporter};
use crate::run::{RunConfig, RunError};
use crate::spec::{Fixtures, SpecSet};

const RUN_EXAMPLES: &str = "\
Examples:
  conform run                                   # against the embedded reference target
  conform run --endpoint http://127.0.0.1:5000  # against an emulator (moto, LocalStack, ...) on loopback
  conform run --endpoint http://127.0.0.1:5000 --service account --kind invalid --cases 200 --seed 7
  conform run --json report.json --junit junit.xml --baseline conform-baseline.json
  conform run --partition 1/4                   # the first of four CI jobs; join with `conform report merge`

Credentials: the usual AWS chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN, AWS_PROFILE or
--profile, SSO). Against a loopback endpoint with none configured, requests are signed with AWS's documented
test key pair. Endpoint: --endpoint, else AWS_ENDPOINT_URL, else the embedded target.";

/// Which cases to generate: shared by `run`, `replay` and `gen`-like commands.
#[derive(Debug, Args, Clone)]
pub struct Selection {
    /// Only this service (`account`, `workmail`); repeatable.
    #[arg(long = "service", value_name = "S")]
    pub services: Vec<String>,
    /// Only this operation (`PutAlternateContact`); repeatable.
    #[arg(long = "operation", value_name = "OP")]
    pub operations: Vec<String>,
    /// Only this kind of case: valid, invalid, malformed; repeatable. Default: all.
    #[arg(long = "kind", value_name = "K", value_parser = parse_kind)]
    pub kinds: Vec<CaseKind>,
    /// Random draws per operation and kind, on top of the deterministic cases (boundaries, every enum value,
    /// one case per constraint, the documents' examples).
    #[arg(long, default_value_t = 40, value_name = "N")]
    pub cases: usize,
    /// Seed of the generator: the same seed gives the same cases with the same ids on any machine.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub seed: u64,
    /// A value naming something on the target, e.g. `account.AccountId=123456789012`; repeatable.
    /// See `conform spec show OPERATION` for the fixtures an operation uses.
    #[arg(long = "fixture", value_name = "KEY=VALUE", value_parser = Fixtures::parse_assignment)]
    pub fixtures: Vec<(String, String)>,
}

fn parse_kind(text: &str) -> Result<CaseKind, String> {
    match text {
        "valid" => Ok(CaseKind::Valid),
        "invalid" => Ok(CaseKind::Invalid),
        "malformed" => Ok(CaseKind::Malformed),
        other => Err(format!("unknown kind `{other}`: expected valid, invalid or malformed")),
    }
}

/// Where and how to send.
#[derive(Debug, Args, Clone)]
pub struct TargetArgs {
    /// The target's base URL. Default: AWS_ENDPOINT_URL, else the embedded reference target started in-process.
    #[arg(long, value_name = "URL", env = "AWS_ENDPOINT_URL")]
    pub endpoint: Option<String>,
    /// Region to sign for (Account is always signed for us-east-1).
    #[arg(long, value_name = "R", env = "AWS_REGION")]
    pub region: Option<String>,
    /// AWS profile to take credentials from.
    #[arg(long, value_name = "NAME", env = "AWS_PROFILE")]
    pub profile: Option<String>,
    /// Seconds to wait for each response.
    #[arg(long, default_value_t = 10.0, value_name = "SECS")]
    pub timeout: f64,
}

/// `conform run`
#[derive(Debug, Args)]
#[command(after_help = RUN_EXAMPLES)]
pub struct RunArgs {
    #[command(flatten)]
    selection: Selection,
    #[command(flatten)]
    target: TargetArgs,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 8, value_name = "N")]
    concurrency: usize,
    /// At most N requests per second.
    #[arg(long, value_name = "N")]
    rate: Option<f64>,
    /// Retries of a throttled request (429, 503, throttling errors), with backoff honouring Retry-After.
    #[arg(long, default_value_t = 3, value_name = "N")]
    retries: u32,
    /// Only these checks (comma-separated): status, error-type, error-body, output-shape, content-type, request-id.
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    checks: Vec<CheckName>,
    /// All checks but these (comma-separated).
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    exclude_checks: Vec<CheckName>,
    /// Write the JSON report here.
    #[arg(long, value_name = "PATH")]
    json: Option<PathBuf>,
    /// Write a JUnit XML report here (one suite per operation).
    #[arg(long, value_name = "PATH")]
    junit: Option<PathBuf>,
    /// Deviations accepted in this file do not fail the run.
    #[arg(long, value_name = "PATH")]
    baseline: Option<PathBuf>,
    /// Write every deviation of this run into the --baseline file.
    #[arg(long, requires = "baseline")]
    update_baseline: bool,
    /// Run only share K of N (e.g. 2/4), for CI jobs in parallel.
    #[arg(long, value_name = "K/N", value_parser = parse_partition)]
    partition: Option<(u64, u64)>,
    /// Do not shrink failing cases.
    #[arg(long)]
    no_shrink: bool,
    /// Start the embedded target with this fault (see `conform serve --list-faults`); only without --endpoint.
    #[arg(long = "embedded-fault", value_name = "NAME", conflicts_with = "endpoint")]
    embedded_faults: Vec<String>,
}

fn parse_partition(text: &str) -> Result<(u64, u64), String> {
    let parsed = text
        .split_once('/')
        .and_then(|(k, n)| Some((k.parse::<u64>().ok()?, n.parse::<u64>().ok()?)));
    match parsed {
        Some((k, n)) if n >= 1 && (1..=n).contains(&k) => Ok((k, n)),
        _ => Err(format!("expected K/N with 1 <= K <= N (e.g. 2/4), got `{text}`")),
    }
}

/// Builds the generator's config from the selection, checking names against the specs.
pub fn gen_config(specs: &SpecSet, selection: &Selection) -> Result<GenConfig, CliError> {
    for service in &selection.services {
        if !specs.services.contains_key(service) {
            return Err(CliError::usage(
                format!("unknown service `{service}`"),
                Some(format!(
                    "known services: {}",
                    specs.services.keys().cloned().collect::<Vec<_>>().join(", ")
                )),
            ));
        }
    }
    let mut operations = Vec::new();
    for name in &selection.operations {
        match specs.operation_ignore_case(name) {
            Some((_, op)) => operations.push(op.name.clone()),
            None => {
                return Err(CliError::usage(
                    format!("unknown operation `{name}`"),
                    Some(format!(
                        "known operations: {}",
                        specs.operations().map(|(_, op)| op.name.clone()).collect::<Vec<_>>().join(", ")
                    )),
                ));
            }
        }
    }
    let fixtures = Fixtures::resolve(specs, &selection.fixtures)
        .map_err(|e| CliError::usage(e, Some("see `conform spec show OPERATION` for the fixtures".to_string())))?;
    let kinds = if selection.kinds.is_empty() {
        vec![CaseKind::Valid, CaseKind::Invalid, CaseKind::Malformed]
    } else {
        selection.kinds.clone()
    };
    Ok(GenConfig {
        seed: selection.seed,
        cases: selection.cases,
        kinds,
        operations,
        services: selection.services.clone(),
        fixtures,
    })
}

fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(CliError::Io)
}

pub(super) fn run(cli: &Cli, args: &RunArgs, output: &mut Output<'_>) -> Result<Exit, CliError> {
    let specs = Arc::new(load_specs(cli)?);
    let gen = gen_config(&specs, &args.selection)?;
    let checks: Vec<CheckName> = if args.checks.is_empty() { CheckName::ALL.to_vec() } else { args.checks.clone() }
        .into_iter()
        .filter(|c| !args.exclude_checks.contains(c))
        .collect();
    if checks.is_empty() {
        return Err(CliError::usage("every check is excluded", Some("drop some of --exclude-checks".to_string())));
    }
    let baseline = match &args.baseline {
        Some(path) if args.update_baseline && !path.exists() => None,
        Some(path) => Some(Baseline::load(path).map_err(|e| CliError::usage(e.to_string(), None))?),
        None => None,
    };
    let config = RunConfig {
        endpoint: args.target.endpoint.clone(),
        profile: args.target.profile.clone(),
        region: args.target.region.clone(),
        gen,
        concurrency: args.concurrency,
        rate: args.rate,
        timeout: Duration::from_secs_f64(args.target.timeout.max(0.001)),
        max_retries: args.retries,
        checks,
        partition: args.partition,
        shrink: !args.no_shrink,
        baseline: if args.update_baseline { None } else { baseline },
        embedded_faults: args.embedded_faults.clone(),
    };
    let mut reporters: Vec<Box<dyn Reporter>> = vec![Box::new(report::TerminalReporter::stderr(output.color))];
    if let Some(path) = &args.json {
        reporters.push(Box::new(
            report::JsonReporter::create(path).map_err(|e| CliError::usage(e.to_string(), None))?,
        ));
    }
    if let Some(path) = &args.junit {
        reporters.push(Box::new(report::JunitReporter::new(path)));
    }
    let mut fanout = Fanout::new(reporters);
    let outcome = runtime()?.block_on(crate::run::run(specs, config, &mut fanout));
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(e @ RunError::Unreachable(_)) => {
            writeln!(output.err, "error: {e}\n  caused by: {}", std::error::Error::source(&e).map(|s| s.to_string()).unwrap_or_default())?;
            return Ok(Exit::Aborted);
        }
        Err(e @ RunError::Config(_)) => return Err(CliError::usage(e.to_string(), None)),
        Err(e) => {
            writeln!(output.err, "{}", CliError::Run(e).render(output.color))?;
            return Ok(Exit::Aborted);
        }
    };
    if args.update_baseline {
        let path = args.baseline.as_ref().expect("clap requires --baseline");
        Baseline::from_keys(outcome.deviation_keys.clone())
            .save(path)
            .map_err(|e| CliError::usage(e.to_string(), None))?;
        writeln!(output.err, "wrote {} accepted deviation(s) to {}", outcome.deviation_keys.len(), path.display())?;
        return Ok(if outcome.interrupted { Exit::Aborted } else { Exit::Ok });
    }
    Ok(report::exit_for(&outcome.summary, outcome.new_deviations, outcome.interrupted))
}
