//! `conform serve`: run the embedded reference target, or list the deviations it can switch on.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use clap::Args;

use super::{Cli, CliError, Output, Table};
use crate::credentials::{TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY};
use crate::emulator::{self, EmulatorConfig, EmulatorError, fault_catalogue};
use crate::exit::Exit;
use crate::model::Fixtures;

const SERVE_HELP: &str = "\
Examples:
  conform serve                                   serve on 127.0.0.1:4566 until Ctrl-C
  conform serve --port 0                          pick a free port (printed)
  conform serve --fault skip-pattern --fault delete-missing-ok
  conform serve --fixture account.AccountId=210987654321
  conform serve --list-faults                     the deviations --fault accepts
  conform serve --service dynamodb --service kms  also serve these services of the models

Point any AWS client at the printed endpoint with the printed credentials (the documented test
key pair unless --access-key-id and --secret-access-key, CONFORM_SERVE_SECRET_ACCESS_KEY or
--secret-access-key-file say otherwise), e.g. with the AWS CLI:
  aws account get-alternate-contact --alternate-contact-type BILLING \\
    --endpoint-url http://127.0.0.1:4566
Both services share the port: a request goes to the service named in its SigV4 credential scope;
an unsigned one to WorkMail when it has X-Amz-Target, else to Account by path.";

/// `conform serve ...`
#[derive(Debug, Args)]
#[command(after_help = SERVE_HELP)]
pub struct ServeArgs {
    /// Port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 4566)]
    pub port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// Switch on a named deviation (repeatable); see --list-faults.
    #[arg(long = "fault", value_name = "NAME")]
    pub faults: Vec<String>,
    /// Override a fixture that seeds the state (repeatable), e.g. account.AccountId=210987654321.
    #[arg(long = "fixture", value_name = "KEY=VALUE", value_parser = Fixtures::parse_assignment)]
    pub fixtures: Vec<(String, String)>,
    /// Access key id the target accepts.
    #[arg(long, value_name = "ID", default_value = TEST_ACCESS_KEY_ID, env = "CONFORM_SERVE_ACCESS_KEY_ID")]
    pub access_key_id: String,
    /// Secret key the target accepts (the documented test secret by default). A flag shows in `ps`: prefer the
    /// environment variable or --secret-access-key-file.
    #[arg(
        long,
        value_name = "SECRET",
        env = "CONFORM_SERVE_SECRET_ACCESS_KEY",
        hide_env_values = true
    )]
    pub secret_access_key: Option<String>,
    /// Read the secret key the target accepts from this file (its first line).
    #[arg(long, value_name = "PATH")]
    pub secret_access_key_file: Option<PathBuf>,
    /// Seconds a connection may wait for a request (idle keep-alive included) or for the rest of a body before
    /// it is closed.
    #[arg(long, default_value = "30", value_name = "SECS", value_parser = super::values::parse_seconds)]
    pub idle_timeout: Duration,
    /// Also serve this service of AWS's published models (repeatable, e.g. `--service dynamodb`; see `--models`):
    /// every operation, with requests validated against the model and synthetic outputs. A request goes to the
    /// service its signature is scoped to; services that share a signing name and routes (neptune and rds,
    /// qconnect and wisdom), which AWS tells apart by host name, are told apart only for conform's own client
    /// (`x-conform-service`): serve them on separate ports for other clients.
    #[arg(long = "service", value_name = "SERVICE")]
    pub services: Vec<String>,
    /// The protocol to serve the services of --service in (every service when none is named), for services whose
    /// model lists several; by its Smithy name (awsJson1_0) or botocore's (json). Default: the first of the
    /// model's list that conform speaks.
    #[arg(long, value_name = "PROTOCOL")]
    pub protocol: Option<String>,
    /// Print the deviations --fault accepts, one per line with a description, and exit.
    #[arg(long)]
    pub list_faults: bool,
}

pub(super) fn run(cli: &Cli, args: &ServeArgs, output: &mut Output<'_>) -> Result<Exit, CliError> {
    if args.list_faults {
        let mut table = Table::new(["FAULT", "WHAT THE TARGET THEN GETS WRONG"]);
        for fault in fault_catalogue() {
            table.row([fault.name.to_string(), fault.description.to_string()]);
        }
        write!(output.out, "{table}")?;
        writeln!(output.out, "\n{} faults", fault_catalogue().len())?;
        return Ok(Exit::Ok);
    }
    let specs = Arc::new(super::load_model_for(
        cli,
        &super::Need {
            services: &args.services,
            protocol: args.protocol.as_deref(),
            overlays: false,
        },
    )?);
    let fixtures = Fixtures::resolve(&specs, &args.fixtures)
        .map_err(|e| CliError::usage(format!("failed to resolve fixtures: {e}"), None))?;
    let mut config = EmulatorConfig::new(fixtures);
    config.faults = args.faults.clone();
    config.access_key_id = args.access_key_id.clone();
    let secret = match (&args.secret_access_key, &args.secret_access_key_file) {
        (Some(_), Some(_)) => {
            return Err(CliError::usage(
                "--secret-access-key (or CONFORM_SERVE_SECRET_ACCESS_KEY) and --secret-access-key-file both give \
                 the secret key",
                Some("give it one way".to_string()),
            ));
        }
        (Some(secret), None) => Some(secret.clone()),
        (None, Some(path)) => Some(read_secret(path)?),
        (None, None) => None,
    };
    config.secret_access_key = secret
        .clone()
        .unwrap_or_else(|| TEST_SECRET_ACCESS_KEY.to_string());
    config.idle_timeout = args.idle_timeout;
    let addr = SocketAddr::new(args.host, args.port);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let handle = match emulator::start(specs, config, addr).await {
            Ok(handle) => handle,
            Err(EmulatorError::UnknownFault { name, known }) => {
                return Err(CliError::usage(
                    format!("failed to find fault `{name}`"),
                    Some(format!(
                        "known faults: {known} (see conform serve --list-faults)"
                    )),
                ));
            }
            Err(e @ EmulatorError::Bind { .. }) => {
                return Err(CliError::usage(
                    format!(
                        "{e}: {}",
                        std::error::Error::source(&e)
                            .map(|s| s.to_string())
                            .unwrap_or_default()
                    ),
                    Some("choose another --port, or --port 0 for a free one".to_string()),
                ));
            }
            Err(e) => return Err(CliError::usage(e.to_string(), None)),
        };
        writeln!(output.out, "endpoint: {}", handle.endpoint())?;
        writeln!(output.out, "access key id: {}", args.access_key_id)?;
        if secret.is_none() {
            writeln!(
                output.out,
                "secret access key: {TEST_SECRET_ACCESS_KEY}  (the documented test key pair)"
            )?;
        } else {
            writeln!(output.out, "secret access key: (the one given)")?;
        }
        writeln!(
            output.out,
            "signing: account in us-east-1; workmail in us-east-1, us-west-2 or eu-west-1"
        )?;
        if !args.faults.is_empty() {
            writeln!(output.out, "faults: {}", args.faults.join(", "))?;
        }
        output.out.flush()?;
        writeln!(output.err, "serving until Ctrl-C")?;
        let _ = tokio::signal::ctrl_c().await;
        handle.shutdown().await;
        Ok(Exit::Ok)
    })
}

/// The secret key of a `--secret-access-key-file`: its first line, which must not be empty.
fn read_secret(path: &Path) -> Result<String, CliError> {
    // A secret is a few dozen bytes: a larger file is not one.
    let text = crate::report::bounded::read_to_string_bounded(path, 4096)
        .map_err(|e| CliError::usage(format!("failed to read the secret key: {e}"), None))?;
    let secret = text.lines().next().unwrap_or_default().trim();
    if secret.is_empty() {
        return Err(CliError::usage(
            format!(
                "failed to read the secret key from `{}`: its first line is empty",
                path.display()
            ),
            Some("write the secret key on the file's first line".to_string()),
        ));
    }
    Ok(secret.to_string())
}
