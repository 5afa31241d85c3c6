//! `conform gen`: print the generated cases, one JSON object per line.

use clap::{Args, ValueEnum};
use serde_json::{Map, Value, json};

use super::{Cli, CliError, Output};
use crate::case::{Case, CaseKind};
use crate::exit::Exit;
use crate::generate::{self, DEFAULT_CASES, DEFAULT_SEED, GenConfig, GenError};
use crate::model::{Fixtures, Model};

const GEN_HELP: &str = "\
Each line is one case: id, service (as the model names it), protocol, operation, kind, mutation (what was broken: \
member, class, detail; or null), input (the typed input in conform's typed JSON: blobs as {\"$blob\": base64}, \
timestamps as {\"$timestamp\": RFC 3339}, wrong-typed values as {\"$raw\": ...}, so that any other implementation \
can re-encode it), request (method, path, headers and the body exactly as sent, before signing; body_base64 \
instead of body when it is not text), expected (status, error_type, uncertain, note, and accept when several \
outcomes pass) and signing (valid, unsigned, bad_signature, unknown_access_key, expired).

The same --seed gives the same cases with the same ids on any machine; ids do not depend on the seed, values do. \
--cases adds random draws per operation and kind on top of the deterministic classes (boundaries, enum values, \
one case per constraint, protocol faults), which are always included.

Examples:
  conform gen --operation PutAlternateContact --kind invalid
  conform gen --service workmail --seed 42 --cases 100 | jq -r .id
  conform gen --kind malformed --fixture account.AccountId=111122223333";

/// A case kind, as `--kind` takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    /// Requests that satisfy every constraint.
    Valid,
    /// Requests that break exactly one constraint.
    Invalid,
    /// Requests broken at the protocol level (body, headers, method, path, signature).
    Malformed,
    /// Stateful sequences of calls (`conform run` only; `gen` prints single requests).
    Scenario,
}

impl From<KindArg> for CaseKind {
    fn from(kind: KindArg) -> Self {
        match kind {
            KindArg::Valid => CaseKind::Valid,
            KindArg::Invalid => CaseKind::Invalid,
            KindArg::Malformed => CaseKind::Malformed,
            KindArg::Scenario => CaseKind::Scenario,
        }
    }
}

/// Which cases to generate; shared by `conform gen` and other commands that generate.
#[derive(Debug, Clone, Args)]
pub struct GenArgs {
    /// Only this operation (repeatable; case does not matter). Default: every operation.
    #[arg(long = "operation", value_name = "OP")]
    pub operations: Vec<String>,
    /// Only the operations of this service (repeatable, or comma-separated). `all` selects every service of the spec
    /// files and of AWS's published models, a glob (`'cloud*'`, `'s?s'`) those it matches; of those, services in a
    /// protocol conform does not speak yet are left out with a note. Default: every service of the spec files.
    #[arg(long = "service", value_name = "SERVICE")]
    pub services: Vec<String>,
    /// Only cases of this kind (repeatable). Default: every kind.
    #[arg(long = "kind", value_enum, value_name = "KIND")]
    pub kinds: Vec<KindArg>,
    /// Seed of the random values; the same seed gives the same cases.
    #[arg(long, default_value_t = DEFAULT_SEED, value_name = "N")]
    pub seed: u64,
    /// Random draws per operation and kind, on top of the deterministic cases (0 to 10000).
    #[arg(long, default_value_t = DEFAULT_CASES, value_name = "N", value_parser = super::values::parse_cases)]
    pub cases: usize,
    /// A fixture value, KEY=VALUE (repeatable), e.g. account.AccountId=111122223333; `conform spec show` lists
    /// the members that use fixtures.
    #[arg(long = "fixture", value_name = "KEY=VALUE")]
    pub fixtures: Vec<String>,
    /// The protocol to speak to the services of --service (every service when none is named), for services whose
    /// model lists several (`protocols`); by its Smithy name (awsJson1_0, awsJson1_1, restJson1) or botocore's
    /// (json, rest-json). Default: the first of the model's list that conform speaks.
    #[arg(long, value_name = "PROTOCOL")]
    pub protocol: Option<String>,
}

impl GenArgs {
    /// These arguments with `--service`'s lists, `all` and globs expanded into service names
    /// ([`super::services::expand`]), and what the expansion left out.
    pub fn expand_services(
        &self,
        cli: &Cli,
    ) -> Result<(GenArgs, super::services::ServiceChoice), CliError> {
        let choice = super::services::expand(cli, &self.services, self.protocol.as_deref())?;
        let expanded = GenArgs {
            services: choice.names.clone(),
            ..self.clone()
        };
        Ok((expanded, choice))
    }

    /// The specs and models these arguments need, loaded (see [`super::load_model_for`]).
    pub fn load(&self, cli: &Cli) -> Result<Model, CliError> {
        super::load_model_for(
            cli,
            &super::Need {
                services: &self.services,
                protocol: self.protocol.as_deref(),
                overlays: false,
            },
        )
    }

    /// The generator configuration these arguments ask for, checked against the specs.
    pub fn config(&self, specs: &Model) -> Result<GenConfig, CliError> {
        let overrides = self
            .fixtures
            .iter()
            .map(|text| Fixtures::parse_assignment(text))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| CliError::usage(format!("failed to read --fixture: {e}"), None))?;
        let fixtures = Fixtures::resolve(specs, &overrides)
            .map_err(|e| CliError::usage(format!("failed to apply --fixture: {e}"), None))?;
        let config = GenConfig {
            seed: self.seed,
            cases: self.cases,
            kinds: self.kinds.iter().map(|k| CaseKind::from(*k)).collect(),
            operations: self.operations.clone(),
            services: self.services.clone(),
            fixtures,
            leave_out: Default::default(),
            partition: None,
        };
        generate::check(specs, &config).map_err(|e| match e {
            GenError::UnknownOperation { name, known } => CliError::usage(
                format!("failed to find operation `{name}` in the selected services"),
                Some(format!("known operations: {known}")),
            ),
            GenError::UnknownService { name, known } => CliError::usage(
                format!("failed to find service `{name}`"),
                Some(format!("known services: {known}")),
            ),
            other => CliError::usage(other.to_string(), None),
        })?;
        Ok(config)
    }
}

/// A case as `conform gen` prints it.
pub fn case_json(case: &Case, protocol: &str) -> Value {
    let headers: Map<String, Value> = case
        .request
        .headers
        .iter()
        .map(|(n, v)| (n.clone(), Value::String(v.clone())))
        .collect();
    let primary = case.expected.primary();
    let mut expected = json!({
        "status": primary.status,
        "error_type": primary.error_type,
        "uncertain": case.expected.uncertain,
    });
    if let Some(note) = &case.expected.note {
        expected["note"] = json!(note);
    }
    if case.expected.accept.len() > 1 {
        expected["accept"] = Value::Array(
            case.expected
                .accept
                .iter()
                .map(|o| json!({"status": o.status, "error_type": o.error_type}))
                .collect(),
        );
    }
    let mut request = json!({
        "method": case.request.method,
        "path": case.request.path,
        "headers": headers,
    });
    match std::str::from_utf8(&case.request.body) {
        Ok(text) => request["body"] = json!(text),
        Err(_) => {
            use base64::Engine;
            request["body_base64"] =
                json!(base64::engine::general_purpose::STANDARD.encode(&case.request.body))
        }
    }
    if let Some(prefix) = &case.request.host_prefix {
        request["host_prefix"] = json!(prefix);
    }
    let mutation = case.mutation.as_ref().map(|m| {
        json!({
            "member": m.member(),
            "path": m.path.as_ref().map(|p| p.to_string()),
            "class": m.class.to_string(),
            "detail": m.detail,
        })
    });
    json!({
        "id": case.id,
        "service": case.service,
        "protocol": protocol,
        "operation": case.operation,
        "kind": case.kind,
        "mutation": mutation,
        "input": case.input.to_typed_json(),
        "request": request,
        "expected": expected,
        "signing": case.signing,
    })
}

pub(super) fn run(cli: &Cli, args: &GenArgs, output: &mut Output<'_>) -> Result<Exit, CliError> {
    let (args, choice) = args.expand_services(cli)?;
    let args = &args;
    for note in choice
        .notes
        .iter()
        .cloned()
        .chain(super::services::skipped_note(&choice.skipped))
    {
        writeln!(output.err, "note: {note}")?;
    }
    let specs = args.load(cli)?;
    let config = args.config(&specs)?;
    let mut line = Vec::with_capacity(1024);
    for case in generate::generate(&specs, &config) {
        line.clear();
        let protocol = specs.services[&case.service].protocol.as_str();
        serde_json::to_writer(&mut line, &case_json(&case, protocol))
            .map_err(std::io::Error::from)?;
        line.push(b'\n');
        output.out.write_all(&line)?;
    }
    output.out.flush()?;
    Ok(Exit::Ok)
}

/// The `--help` text after the flags.
pub(super) const AFTER_HELP: &str = GEN_HELP;
