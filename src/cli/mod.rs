//! The command line: clap definitions, dispatch to the library, error rendering and exit codes.

pub mod gen_cmd;
mod report_cmd;
mod run_cmd;
mod serve_cmd;
pub mod services;
mod spec_cmd;
mod table;
pub mod values;

use std::io::Write;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::exit::Exit;
use crate::model::Model;
use crate::spec::{self, LoadError};

pub use table::Table;

/// The exit-code table of every `--help`. Help prose elsewhere is written one line per paragraph and wrapped by clap
/// to the terminal (`wrap_help`); only tables and examples are laid out by hand, within 80 columns, so that clap
/// never wraps a line that is wrapped already (that left orphan words at any width but the one it was wrapped for).
const EXIT_CODES: &str = "\
Exit codes:
  0  ok: everything ran and nothing deviates
  1  deviations found in the target
  2  usage, spec or configuration error; or another conform run is changing
     the same real target (or uses the same restore journal)
  3  target unreachable, persistently throttling or unavailable, or run
     aborted (Ctrl-C, SIGTERM)
  4  a real target may still hold changes: the state recorded before the run
     could not all be put back, or an earlier run's journal is pending
     (`conform restore` finishes the job)
  5  cut short: --max-time passed before every case ran (what ran is
     reported)";

/// Property-based conformance tests for AWS APIs and their emulators.
///
/// Spec files derived from AWS's documentation describe operations; conform generates valid, invalid and
/// malformed requests from them, fires them at an endpoint (an emulator or AWS) and checks what comes back.
#[derive(Debug, Parser)]
#[command(name = "conform", version, after_help = EXIT_CODES, max_term_width = 110)]
pub struct Cli {
    /// Load the spec files in DIR instead of the ones built into conform.
    #[arg(long, global = true, value_name = "DIR", env = "CONFORM_SPECS")]
    pub specs: Option<PathBuf>,

    /// AWS's published service models: botocore's `data` directory, a tree of
    /// `<service>/<version>/service-2.json(.gz)`, or one `service-2.json`. Services the spec files do not describe
    /// are loaded from here when named (`--service dynamodb`), and spec files that overlay a model (`model =
    /// "account"`) are merged onto it. Default: the botocore that `.venv/bin/python` or `python3` has installed,
    /// looked for only when a command needs the models (see README: Overlays).
    #[arg(long, global = true, value_name = "PATH", env = "CONFORM_MODELS")]
    pub models: Option<PathBuf>,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Inspect and validate spec files.
    #[command(subcommand)]
    Spec(spec_cmd::SpecCommand),
    /// Print generated cases (valid, invalid, malformed), one JSON object per line.
    #[command(after_help = gen_cmd::AFTER_HELP)]
    Gen(gen_cmd::GenArgs),
    /// Run the embedded reference target (AWS Account and WorkMail as the documents say), with optional faults.
    Serve(serve_cmd::ServeArgs),
    /// Work with the reports of runs: merge the reports of partitions.
    #[command(subcommand)]
    Report(report_cmd::ReportCommand),
    /// Fire generated cases and scenarios at a target, check what comes back, and report deviations.
    Run(run_cmd::RunArgs),
    /// Fire the same cases at two targets and report every difference (parity).
    Diff(run_cmd::DiffArgs),
    /// Send one case of a run again, by its id, and show request, response and checks.
    Replay(run_cmd::ReplayArgs),
    /// Put back the state a run on a real target recorded, from the journal it left behind.
    Restore(run_cmd::RestoreArgs),
    /// Review, accept or reject pending response snapshots.
    #[command(subcommand)]
    Snapshots(run_cmd::SnapshotsCommand),
}

/// Where a command writes: real stdout/stderr, or buffers in tests.
pub struct Output<'a> {
    /// Results: tables, JSON lines.
    pub out: &'a mut dyn Write,
    /// Diagnostics and progress.
    pub err: &'a mut dyn Write,
    /// Whether diagnostics may use colour.
    pub color: bool,
}

/// Runs a parsed command line against the process's stdout and stderr.
pub fn run(cli: Cli) -> Exit {
    // Not locked for the whole command: reporters write to the same streams, from whichever thread runs them.
    let mut out = std::io::stdout();
    let mut err = std::io::stderr();
    let color = crate::report::stderr_color();
    run_with(
        cli,
        &mut Output {
            out: &mut out,
            err: &mut err,
            color,
        },
    )
}

/// Runs a parsed command line, writing to `output`.
pub fn run_with(cli: Cli, output: &mut Output<'_>) -> Exit {
    let result = match &cli.command {
        Command::Spec(command) => spec_cmd::run(&cli, command, output),
        Command::Gen(args) => gen_cmd::run(&cli, args, output),
        Command::Serve(args) => serve_cmd::run(&cli, args, output),
        Command::Report(command) => report_cmd::run(command, output),
        Command::Run(args) => run_cmd::run(&cli, args, output),
        Command::Replay(args) => run_cmd::replay(&cli, args, output),
        Command::Diff(args) => run_cmd::diff(&cli, args, output),
        Command::Snapshots(command) => run_cmd::snapshots(command, output),
        Command::Restore(args) => run_cmd::restore(&cli, args, output),
    };
    match result {
        Ok(exit) => exit,
        // A reader that went away (`conform spec list | head`) is no error of ours.
        Err(CliError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => Exit::Ok,
        Err(error) => {
            let _ = writeln!(output.err, "{}", error.render(output.color));
            error.exit()
        }
    }
}

/// An error that ends a command, with the exit code it maps to.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Spec files could not be loaded.
    #[error(transparent)]
    Spec(#[from] LoadError),
    /// The command line names something that does not exist, or is inconsistent.
    #[error("{message}")]
    Usage {
        /// What is wrong, as a lowercase fragment.
        message: String,
        /// What to do about it.
        help: Option<String>,
    },
    /// Writing output failed (a closed pipe, a full disk).
    #[error("failed to write output")]
    Io(#[from] std::io::Error),
    /// Something the command drives failed (a tool it runs, a process it starts).
    #[error("{message}")]
    Failed {
        /// What failed and why, as a lowercase fragment.
        message: String,
        /// What to do about it.
        help: Option<String>,
    },
}

impl CliError {
    /// A usage error with a hint.
    pub fn usage(message: impl Into<String>, help: impl Into<Option<String>>) -> Self {
        CliError::Usage {
            message: message.into(),
            help: help.into(),
        }
    }

    /// The exit code this error maps to.
    pub fn exit(&self) -> Exit {
        match self {
            CliError::Spec(_) | CliError::Usage { .. } => Exit::Usage,
            CliError::Io(_) | CliError::Failed { .. } => Exit::Aborted,
        }
    }

    /// The error as the user sees it: located diagnostics for specs, `error: ...` with causes otherwise.
    pub fn render(&self, color: bool) -> String {
        match self {
            CliError::Spec(e) => render_diagnostic(e, color),
            CliError::Usage { message, help } | CliError::Failed { message, help } => match help {
                Some(help) => format!("error: {message}\n  help: {help}"),
                None => format!("error: {message}"),
            },
            other => {
                let mut text = format!("error: {other}");
                let mut source = std::error::Error::source(other);
                while let Some(cause) = source {
                    text.push_str(&format!("\n  caused by: {cause}"));
                    source = cause.source();
                }
                text
            }
        }
    }
}

/// Renders a miette diagnostic with its source snippets, in colour or not.
pub fn render_diagnostic(diagnostic: &dyn miette::Diagnostic, color: bool) -> String {
    let theme = if color {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    let handler = miette::GraphicalReportHandler::new_themed(theme).with_width(110);
    let mut text = String::new();
    if handler.render_report(&mut text, diagnostic).is_err() {
        text = diagnostic.to_string();
    }
    text
}

/// Loads the model the user chose: the spec files of `--specs DIR`, or the ones built in.
pub fn load_model(cli: &Cli) -> Result<Model, CliError> {
    load_model_for(cli, &Need::default())
}

/// Loads the spec files, and from AWS's published models every service of `services` that the spec files do not
/// describe.
pub fn load_model_with(cli: &Cli, services: &[String]) -> Result<Model, CliError> {
    load_model_for(
        cli,
        &Need {
            services,
            ..Need::default()
        },
    )
}

/// What a command needs of the model: the services it names, the protocol it asks for, whether overlays must be
/// merged with their models whatever it names.
#[derive(Debug, Default, Clone, Copy)]
pub struct Need<'a> {
    /// The services named with `--service` (none: every service).
    pub services: &'a [String],
    /// `--protocol`: the protocol to use for those services.
    pub protocol: Option<&'a str>,
    /// Merge every overlay with its model (`spec show` of an overlaid operation).
    pub overlays: bool,
}

/// Loads the spec files, then from AWS's published models every service of `need.services` that the spec files
/// do not describe, and merges overlays (`[service] model = "..."`) onto their models.
///
/// The models are located (which may ask Python where botocore is, a third of a second) only when the command
/// needs them: a service of `need.services` that no spec file describes, one whose spec file overlays a model,
/// `need.overlays`, or models given with `--models` / `CONFORM_MODELS` (then every overlay is merged, or those
/// named). Without any of these, nothing is located and the spec files are used as they are; an overlay whose
/// model cannot be found is also used as it is, without an error.
pub fn load_model_for(cli: &Cli, need: &Need<'_>) -> Result<Model, CliError> {
    let specs = match &cli.specs {
        Some(dir) => spec::load_paths(std::slice::from_ref(dir))?,
        None => spec::embedded()?,
    };
    let mut model = spec::lower(&specs);
    let named = |name: &str| {
        need.services
            .iter()
            .any(|wanted| wanted.eq_ignore_ascii_case(name))
    };
    let missing: Vec<&String> = need
        .services
        .iter()
        .filter(|name| {
            !model
                .services
                .keys()
                .any(|known| known.eq_ignore_ascii_case(name))
        })
        .collect();
    let overlays: Vec<(String, String)> = model
        .services
        .values()
        .filter_map(|s| Some((s.name.clone(), s.rules.model.clone()?)))
        .filter(|(name, _)| {
            named(name) || need.overlays || (cli.models.is_some() && need.services.is_empty())
        })
        .collect();
    if !missing.is_empty() || !overlays.is_empty() {
        let models = match locate_models(cli, &missing) {
            Ok(models) => Some(models),
            // No models anywhere: overlays are used as their spec files say.
            Err(_) if missing.is_empty() && cli.models.is_none() => None,
            Err(e) => return Err(e),
        };
        if let Some(models) = models {
            for name in missing {
                let service = models.load(name).map_err(|e| models_error(&e, name))?;
                model.services.insert(service.name.clone(), service);
            }
            for (name, model_name) in overlays {
                let base = match models.load(&model_name) {
                    Ok(base) => base,
                    // Models that lack this one (a single service-2.json, another service's directory).
                    Err(crate::frontend::botocore::BotocoreError::UnknownService { .. }) => {
                        continue;
                    }
                    Err(e) => return Err(models_error(&e, &model_name)),
                };
                let merged = spec::overlay(&model.services[&name], &base);
                model.services.insert(name, merged);
            }
        }
    }
    if let Some(protocol) = need.protocol {
        choose_protocol(&mut model, need.services, protocol)?;
    }
    Ok(model)
}

/// Sets the protocol of the services named (every service when none is) to `protocol`: one the service lists
/// and conform speaks, by its Smithy name (`awsJson1_0`) or botocore's (`json`).
pub fn choose_protocol(
    model: &mut Model,
    services: &[String],
    protocol: &str,
) -> Result<(), CliError> {
    let spoken: Vec<&str> = crate::model::ProtocolId::ALL
        .into_iter()
        .filter(|p| crate::protocol::for_id(*p).is_some())
        .map(|p| p.as_str())
        .collect();
    for service in model
        .services
        .values_mut()
        .filter(|s| services.is_empty() || services.iter().any(|w| w.eq_ignore_ascii_case(&s.name)))
    {
        let listed: Vec<&str> = service.protocols.iter().map(|p| p.as_str()).collect();
        let chosen =
            service.protocols.iter().copied().find(|p| {
                p.as_str().eq_ignore_ascii_case(protocol) || p.botocore_name() == protocol
            });
        let problem = match chosen {
            Some(p) if crate::protocol::for_id(p).is_some() => {
                service.protocol = p;
                continue;
            }
            Some(p) => format!("conform does not speak {p} yet"),
            None => format!("service `{}` does not speak it", service.name),
        };
        return Err(CliError::usage(
            format!(
                "failed to use protocol `{protocol}` for service `{}`: {problem}",
                service.name
            ),
            Some(format!(
                "`{}` speaks: {}; conform speaks: {}",
                service.name,
                listed.join(", "),
                spoken.join(", ")
            )),
        ));
    }
    Ok(())
}

/// Finds AWS's published models (`--models`, `CONFORM_MODELS`, or an installed botocore), for the services `wanted`.
pub fn locate_models(
    cli: &Cli,
    wanted: &[&String],
) -> Result<crate::frontend::botocore::Models, CliError> {
    // clap has read CONFORM_MODELS into `cli.models` already; the variable is not consulted twice.
    crate::frontend::botocore::Models::locate(cli.models.as_deref(), None).map_err(|e| {
        let names: Vec<&str> = wanted.iter().map(|s| s.as_str()).collect();
        if e.is_not_found() {
            CliError::usage(
                format!(
                    "failed to find service `{}`: no spec file describes it, and {e}",
                    names.join("`, `")
                ),
                Some("`conform spec list` lists the services conform knows".to_string()),
            )
        } else {
            CliError::usage(
                format!("failed to open the service models: {e}"),
                Some("--models takes botocore's `data` directory, a directory of <service>/<version>/service-2.json, or one service-2.json".to_string()),
            )
        }
    })
}

/// A model that failed to load, as a usage error naming the service.
fn models_error(e: &crate::frontend::botocore::BotocoreError, service: &str) -> CliError {
    use crate::frontend::botocore::BotocoreError;
    match e {
        BotocoreError::UnknownService { .. } => CliError::usage(
            e.to_string(),
            Some("`conform spec list` lists every service of the models".to_string()),
        ),
        _ => CliError::usage(
            format!("failed to load service `{service}`: {e}"),
            Some(
                "check the model file, or pass --models with another botocore `data` directory"
                    .to_string(),
            ),
        ),
    }
}
