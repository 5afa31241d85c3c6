//! `conform spec list|show|check|template|reference`: look at the operations the specs describe, validate spec
//! files, and start new ones.

use std::path::PathBuf;

use clap::Subcommand;

use super::{Cli, CliError, Need, Output, Table, load_model, load_model_for, load_model_with};
use crate::exit::Exit;
use crate::model::{
    ConstraintKind, Expectation, FindingKind, Member, Model, Operation, OverlayReport, RegionRule,
    Service, Shape, ShapeKind,
};
use crate::spec;

/// `conform spec ...`
#[derive(Debug, Subcommand)]
pub enum SpecCommand {
    /// List the operations of the spec files, and the services of AWS's published models.
    ///
    /// Without --service: the operations the spec files describe, then every service of the models (botocore's,
    /// see --models) with its protocol and operation count. With --service: that service's operations.
    #[command(
        after_help = "Example:\n  conform spec list\n  conform spec list --service dynamodb\n  conform --models ~/botocore/data spec list\n  conform --specs ./my-specs spec list"
    )]
    List {
        /// List the operations of this service (repeatable), from the spec files or the models.
        #[arg(long = "service", value_name = "SERVICE")]
        services: Vec<String>,
    },
    /// Show one operation: its members and their constraints, errors, examples and sources.
    #[command(
        after_help = "Example:\n  conform spec show PutAlternateContact\n  conform spec show updateprimaryemailaddress   (case does not matter)\n  conform spec show --service dynamodb PutItem"
    )]
    Show {
        /// The operation's name (`PutAlternateContact`).
        operation: String,
        /// The service the operation belongs to; needed for the services of AWS's published models.
        #[arg(long, value_name = "SERVICE")]
        service: Option<String>,
        /// Show the operation as this protocol sends it, for services whose model lists several (`protocols`);
        /// by its Smithy name (awsJson1_0) or botocore's (json).
        #[arg(long, value_name = "PROTOCOL")]
        protocol: Option<String>,
    },
    /// Validate spec files: exit 0 when they are valid, 2 with located diagnostics when not.
    ///
    /// A spec file that overlays a published model (`[service] model = "..."`) is also checked against that model
    /// (see --models): every operation, member, shape and error it names must exist there, types must agree, and
    /// each constraint that differs from the model is an error unless a `[[disagreement]]` lists its place in
    /// `overrides` (then it is a note). Without any models installed, overlays are not checked (a warning says so).
    #[command(
        after_help = "Example:\n  conform spec check specs/*.toml\n  conform spec check my-specs/\n  conform --models ~/botocore/data spec check specs/account.toml\n\nWith no PATH, checks the specs conform would use (`--specs DIR`, or the built-in ones)."
    )]
    Check {
        /// Spec files, or directories of `*.toml` spec files.
        paths: Vec<PathBuf>,
    },
    /// Print a starting spec file that loads as is: a service, a document, an error, one operation with
    /// constrained input members and an error rule, and comments pointing to the reference.
    #[command(
        after_help = "Example:\n  conform spec template --service my-service --protocol restJson1 > my-specs/my-service.toml\n  conform spec check my-specs/my-service.toml"
    )]
    Template {
        /// The service's name: lower-case letters, digits and `-`.
        #[arg(long, value_name = "NAME", default_value = "example")]
        service: String,
        /// The wire protocol.
        #[arg(long, value_name = "PROTOCOL", default_value = "awsJson1_1", value_parser = ["awsJson1_1", "awsJson1_0", "restJson1"])]
        protocol: String,
    },
    /// Print the spec file reference (Markdown): every key, where it goes, its type, default and an example.
    #[command(after_help = "Example:\n  conform spec reference > docs/spec-reference.md")]
    Reference,
}

pub(super) fn run(
    cli: &Cli,
    command: &SpecCommand,
    output: &mut Output<'_>,
) -> Result<Exit, CliError> {
    match command {
        SpecCommand::List { services } if services.is_empty() => list(cli, output),
        SpecCommand::List { services } => list_services(cli, services, output),
        SpecCommand::Show {
            operation,
            service,
            protocol,
        } => show(
            cli,
            operation,
            service.as_deref(),
            protocol.as_deref(),
            output,
        ),
        SpecCommand::Check { paths } => check(cli, paths, output),
        SpecCommand::Template { service, protocol } => template(service, protocol, output),
        SpecCommand::Reference => {
            write!(output.out, "{}", spec::reference_markdown())?;
            Ok(Exit::Ok)
        }
    }
}

/// Prints the starting spec file, after loading it as users will: a name the loader refuses is refused here.
fn template(service: &str, protocol: &str, output: &mut Output<'_>) -> Result<Exit, CliError> {
    let protocol = match protocol {
        "restJson1" => spec::Protocol::RestJson1,
        "awsJson1_0" => spec::Protocol::AwsJson1_0,
        _ => spec::Protocol::AwsJson1_1,
    };
    let text = spec::starter(service, protocol);
    if let Err(e) = spec::load_sources([("template.toml".to_string(), text.clone())]) {
        return Err(CliError::usage(
            format!(
                "failed to make a template for service `{service}`: {}",
                e.problems()
                    .first()
                    .map_or_else(|| e.to_string(), |p| p.message.clone())
            ),
            Some("e.g. `conform spec template --service my-service`".to_string()),
        ));
    }
    write!(output.out, "{text}")?;
    Ok(Exit::Ok)
}

fn list(cli: &Cli, output: &mut Output<'_>) -> Result<Exit, CliError> {
    let specs = load_model(cli)?;
    operations_table(&specs, output)?;
    writeln!(output.out)?;
    models_table(cli, &specs, output)
}

/// The operations of `--service` services, from the spec files or the models.
fn list_services(
    cli: &Cli,
    services: &[String],
    output: &mut Output<'_>,
) -> Result<Exit, CliError> {
    let mut model = load_model_with(cli, services)?;
    model.services.retain(|name, _| {
        services
            .iter()
            .any(|wanted| wanted.eq_ignore_ascii_case(name))
    });
    operations_table(&model, output)?;
    Ok(Exit::Ok)
}

/// Every service of AWS's published models, with protocol and operation count; or why there are none.
fn models_table(cli: &Cli, specs: &Model, output: &mut Output<'_>) -> Result<Exit, CliError> {
    use crate::frontend::botocore::{BotocoreError, Models};
    let models = match Models::locate(cli.models.as_deref(), None) {
        Ok(models) => models,
        Err(e @ BotocoreError::NotFound { .. }) => {
            writeln!(
                output.out,
                "AWS's published service models: none found ({e}). Only the spec files' services can be tested."
            )?;
            return Ok(Exit::Ok);
        }
        Err(e) => {
            return Err(CliError::usage(
                format!("failed to open the service models: {e}"),
                Some("--models takes botocore's `data` directory, a directory of <service>/<version>/service-2.json, or one service-2.json".to_string()),
            ));
        }
    };
    let catalog = models.catalog();
    let mut table = Table::new(["SERVICE", "PROTOCOL", "OPERATIONS", "API VERSION", "TITLE"]);
    for entry in &catalog.services {
        // As the loader chooses: the first protocol of the model's list that conform speaks.
        let protocol = match entry
            .protocols
            .iter()
            .find(|p| crate::protocol::for_id(**p).is_some())
        {
            Some(spoken) => spoken.as_str().to_string(),
            None => match entry.protocols.first() {
                Some(first) => format!("{} (not yet)", first.as_str()),
                None => "(unknown)".to_string(),
            },
        };
        let service = if specs.services.contains_key(&entry.name) {
            format!("{} (spec file)", entry.name)
        } else {
            entry.name.clone()
        };
        table.row([
            service,
            protocol,
            entry.operations.to_string(),
            entry.api_version.clone(),
            entry.title.clone(),
        ]);
    }
    writeln!(
        output.out,
        "Services of AWS's published models ({}):",
        models.root.display()
    )?;
    write!(output.out, "{table}")?;
    let operations: usize = catalog.services.iter().map(|e| e.operations).sum();
    let testable = catalog
        .services
        .iter()
        .filter(|e| {
            e.protocols
                .iter()
                .any(|p| crate::protocol::for_id(*p).is_some())
        })
        .count();
    writeln!(
        output.out,
        "\n{} service{}, {operations} operation{}; {testable} in a protocol conform speaks (`--service NAME` tests one)",
        catalog.services.len(),
        plural(catalog.services.len()),
        plural(operations),
    )?;
    for failure in &catalog.failures {
        writeln!(output.err, "warning: {failure}")?;
    }
    Ok(Exit::Ok)
}

/// The operations table (and scenarios) of a model.
fn operations_table(specs: &Model, output: &mut Output<'_>) -> Result<(), CliError> {
    let mut table = Table::new([
        "SERVICE",
        "PROTOCOL",
        "OPERATION",
        "ROLE",
        "INPUT",
        "REQUIRED",
        "OUTPUT",
        "ERRORS",
        "EXAMPLES",
    ]);
    for (service, op) in specs.operations() {
        let input = service.input_members(op);
        table.row([
            service.name.clone(),
            service.protocol.as_str().to_string(),
            op.name.clone(),
            op.rules.role.as_str().to_string(),
            input.len().to_string(),
            input.iter().filter(|m| m.required).count().to_string(),
            match op.output {
                None => "empty".to_string(),
                Some(_) => service.output_members(op).len().to_string(),
            },
            op.errors.len().to_string(),
            op.rules.examples.len().to_string(),
        ]);
    }
    write!(output.out, "{table}")?;
    for service in specs
        .services
        .values()
        .filter(|s| !s.rules.scenarios.is_empty())
    {
        let names: Vec<&str> = service
            .rules
            .scenarios
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        writeln!(
            output.out,
            "\n{} scenarios: {}",
            service.name,
            names.join(", ")
        )?;
    }
    let services = specs.services.len();
    let operations = specs.operations().count();
    writeln!(
        output.out,
        "\n{services} service{}, {operations} operation{} ({})",
        plural(services),
        plural(operations),
        specs
            .services
            .values()
            .map(|s| s.file.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    )?;
    Ok(())
}

fn show(
    cli: &Cli,
    name: &str,
    service: Option<&str>,
    protocol: Option<&str>,
    output: &mut Output<'_>,
) -> Result<Exit, CliError> {
    let mut wanted: Vec<String> = service.into_iter().map(str::to_string).collect();
    // An operation of a spec file that overlays a model is shown merged with it; one no spec file describes may
    // be a model operation of an overlaid service.
    let mut overlays = false;
    if wanted.is_empty() {
        let files = spec_files(cli)?;
        match files.operation_ignore_case(name) {
            Some((s, _)) if s.rules.model.is_some() => wanted.push(s.name.clone()),
            Some(_) => {}
            None => overlays = files.services.values().any(|s| s.rules.model.is_some()),
        }
    }
    let mut specs = load_model_for(
        cli,
        &Need {
            services: &wanted,
            protocol: None,
            overlays,
        },
    )?;
    if let Some(service) = service {
        specs
            .services
            .retain(|name, _| name.eq_ignore_ascii_case(service));
    }
    if let Some(protocol) = protocol
        && let Some((s, _)) = specs.operation_ignore_case(name)
    {
        let chosen = [s.name.clone()];
        super::choose_protocol(&mut specs, &chosen, protocol)?;
    }
    let Some((service, op)) = specs.operation_ignore_case(name) else {
        let known: Vec<String> = specs.operations().map(|(_, op)| op.name.clone()).collect();
        let shown = if known.len() > 40 {
            format!(
                "{}, ... ({} in all; `conform spec list` shows them)",
                known[..40].join(", "),
                known.len()
            )
        } else {
            known.join(", ")
        };
        return Err(CliError::usage(
            format!(
                "failed to find operation `{name}` in {}",
                service.map_or("the spec files".to_string(), |s| format!("service `{s}`"))
            ),
            Some(if service.is_none() {
                format!(
                    "for a service of AWS's published models, name it: `conform spec show --service dynamodb {name}`; known operations of the spec files: {shown}"
                )
            } else {
                format!("known operations: {shown}")
            }),
        ));
    };
    let out = &mut *output.out;
    writeln!(
        out,
        "{} ({}, {} {})",
        op.name,
        service.title,
        service.protocol.as_str(),
        route(service, op)
    )?;
    if let Some(docs) = &op.docs {
        writeln!(out, "{docs}")?;
    }
    writeln!(
        out,
        "role: {}{}",
        op.rules.role.as_str(),
        if op.mutates() {
            ", changes state"
        } else {
            ", read only"
        }
    )?;
    if let Some(why) = &op.rules.guarded {
        writeln!(out, "guarded on real targets (needs --include): {why}")?;
    }
    if let Some(why) = &op.unsupported {
        writeln!(out, "not tested: {why}")?;
    }
    writeln!(
        out,
        "signing: {} in {}",
        service.signing_name,
        region_text(service)
    )?;
    writeln!(out, "source: {}", op.source.text)?;
    if let Some(report) = &service.rules.overlay {
        writeln!(
            out,
            "spec file {} overlays the model {} ({}); where they differ, the spec file wins",
            service.file, report.model, report.model_file
        )?;
    } else if let Some(model) = &service.rules.model {
        writeln!(
            out,
            "spec file {} overlays the model `{model}`, which is not loaded (no models found; see --models): the spec file alone is shown",
            service.file
        )?;
    }

    writeln!(out, "\nInput")?;
    write!(
        out,
        "{}",
        members_table(service, service.input_members(op), true)
    )?;
    let skipped = skipped_constraints(service, service.input_members(op));
    if !skipped.is_empty() {
        writeln!(out, "\nConstraints not checked or generated")?;
        for line in skipped {
            writeln!(out, "  {line}")?;
        }
    }
    if let Some(report) = &service.rules.overlay {
        let lines = overlay_lines(service, op, report);
        if !lines.is_empty() {
            writeln!(out, "\nSpec file and model")?;
            for line in lines {
                writeln!(out, "  {line}")?;
            }
        }
    }
    let rules = violation_rules(service, op);
    writeln!(out, "\nOn a constraint violation")?;
    for line in rules {
        writeln!(out, "  {line}")?;
    }

    if let Some(state) = &op.rules.on_state {
        writeln!(
            out,
            "  a valid request may also get, depending on state: {}",
            expectation_text(state)
        )?;
    }

    writeln!(out, "\nOutput ({} on success)", op.http.response_code)?;
    match op.output {
        None => writeln!(out, "  empty HTTP body")?,
        Some(_) if service.output_members(op).is_empty() => writeln!(out, "  {{}} (no members)")?,
        Some(_) => write!(
            out,
            "{}",
            members_table(service, service.output_members(op), false)
        )?,
    }

    writeln!(out, "\nErrors")?;
    let mut errors = Table::new(["ERROR", "STATUS", "FAULT", "SOURCE"]);
    for id in &op.errors {
        let shape = service.shape(*id);
        let Some(e) = &shape.error else { continue };
        errors.row([
            e.code.clone().unwrap_or_else(|| shape.name.clone()),
            e.status().to_string(),
            format!("{:?}", e.fault).to_lowercase(),
            service.shape_source(shape).into_owned(),
        ]);
    }
    write!(out, "{}", indent(&errors.to_string()))?;

    if !op.rules.examples.is_empty() {
        writeln!(out, "\nExamples")?;
        for example in &op.rules.examples {
            writeln!(
                out,
                "  {} -> {}",
                example.title,
                expectation_text(&example.expect)
            )?;
            writeln!(
                out,
                "    input: {}",
                serde_json::Value::Object(example.input.clone())
            )?;
            if !example.setup.is_empty() {
                let calls: Vec<&str> = example.setup.iter().map(|c| c.operation.as_str()).collect();
                writeln!(out, "    after: {}", calls.join(", "))?;
            }
            if let Some(note) = &example.note {
                writeln!(out, "    note: {note}")?;
            }
            writeln!(out, "    source: {}", example.source.text)?;
        }
    }

    let fixtures: Vec<&str> = service
        .input_members(op)
        .iter()
        .filter_map(|m| {
            m.rules
                .fixture
                .as_deref()
                .or(m.rules.email_domain_fixture.as_deref())
        })
        .collect();
    if !fixtures.is_empty() {
        writeln!(out, "\nFixtures (override with --fixture KEY=VALUE)")?;
        for key in fixtures {
            if let Some(f) = service.rules.fixtures.get(key) {
                writeln!(out, "  {key} = {}  ({})", f.default, f.description)?;
            }
        }
    }
    if !service.rules.disagreements.is_empty() {
        writeln!(out, "\nDisagreements recorded for {}", service.name)?;
        for d in &service.rules.disagreements {
            writeln!(out, "  {}: follows {}", d.about, d.follows)?;
        }
    }
    Ok(Exit::Ok)
}

fn check(cli: &Cli, paths: &[PathBuf], output: &mut Output<'_>) -> Result<Exit, CliError> {
    let (specs, what) = if paths.is_empty() {
        match &cli.specs {
            Some(dir) => (
                spec::load_paths(std::slice::from_ref(dir))?,
                dir.display().to_string(),
            ),
            None => (spec::embedded()?, "the built-in specs".to_string()),
        }
    } else {
        let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        (spec::load_paths(paths)?, names.join(", "))
    };
    let model = spec::lower(&specs);
    let (problems, summaries) = check_overlays(cli, &model, output)?;
    if problems > 0 {
        writeln!(
            output.err,
            "error: {problems} problem{} between the spec files and the models they overlay",
            plural(problems)
        )?;
        writeln!(
            output.err,
            "  help: correct the names; where the spec file means to differ from the model (the documents say otherwise), record a [[disagreement]] that lists the place in `overrides`"
        )?;
        return Ok(Exit::Usage);
    }
    let operations = model.operations().count();
    let members: usize = model
        .operations()
        .map(|(s, op)| s.input_members(op).len() + s.output_members(op).len())
        .sum();
    writeln!(
        output.out,
        "ok: {what}: {} service{}, {operations} operation{}, {members} members",
        model.services.len(),
        plural(model.services.len()),
        plural(operations),
    )?;
    for line in summaries {
        writeln!(output.out, "{line}")?;
    }
    Ok(Exit::Ok)
}

/// Checks every overlay against its model; prints errors and notes to stderr; returns how many errors there were
/// and a summary line per overlay.
fn check_overlays(
    cli: &Cli,
    model: &Model,
    output: &mut Output<'_>,
) -> Result<(usize, Vec<String>), CliError> {
    use crate::frontend::botocore::{BotocoreError, Models};
    let overlays: Vec<&Service> = model
        .services
        .values()
        .filter(|s| s.rules.model.is_some())
        .collect();
    if overlays.is_empty() {
        return Ok((0, Vec::new()));
    }
    let models = match Models::locate(cli.models.as_deref(), None) {
        Ok(models) => models,
        Err(e) if e.is_not_found() => {
            let names: Vec<&str> = overlays.iter().map(|s| s.file.as_str()).collect();
            writeln!(
                output.err,
                "warning: not checked against their models: {} ({e})",
                names.join(", ")
            )?;
            return Ok((0, Vec::new()));
        }
        Err(e) => {
            return Err(CliError::usage(
                format!("failed to open the service models: {e}"),
                Some("--models takes botocore's `data` directory, a directory of <service>/<version>/service-2.json, or one service-2.json".to_string()),
            ));
        }
    };
    let mut problems = 0;
    let mut summaries = Vec::new();
    for service in overlays {
        let name = service.rules.model.as_deref().unwrap_or_default();
        let base = match models.load(name) {
            Ok(base) => base,
            Err(e @ BotocoreError::UnknownService { .. }) => {
                problems += 1;
                writeln!(
                    output.err,
                    "error: {}: [service] model = \"{name}\": {e}",
                    service.file
                )?;
                continue;
            }
            Err(e) => {
                return Err(CliError::usage(
                    format!(
                        "failed to load model `{name}` that {} overlays: {e}",
                        service.file
                    ),
                    None,
                ));
            }
        };
        let merged = spec::overlay(service, &base);
        let Some(report) = &merged.rules.overlay else {
            continue;
        };
        let (mut acknowledged, mut from_model) = (0, 0);
        for finding in &report.findings {
            if finding.is_error() {
                problems += 1;
                writeln!(
                    output.err,
                    "error: {}: {}",
                    service.file,
                    finding.describe()
                )?;
            } else if finding.acknowledged.is_some() {
                acknowledged += 1;
                writeln!(output.err, "note: {}: {}", service.file, finding.describe())?;
            } else {
                from_model += 1;
            }
        }
        let restated = service.operations.len();
        summaries.push(format!(
            "{}: overlays {}: {restated} operation{} restated, {} from the model; {acknowledged} acknowledged disagreement{}, {from_model} constraint{} from the model on restated shapes",
            service.file,
            report.model,
            plural(restated),
            merged.operations.len().saturating_sub(restated),
            plural(acknowledged),
            plural(from_model),
        ));
    }
    Ok((problems, summaries))
}

/// The spec files alone, lowered: what `--specs DIR` (or the built-in set) describes, without any model.
fn spec_files(cli: &Cli) -> Result<Model, CliError> {
    let specs = match &cli.specs {
        Some(dir) => spec::load_paths(std::slice::from_ref(dir))?,
        None => spec::embedded()?,
    };
    Ok(spec::lower(&specs))
}

/// The findings of an overlay that concern one operation: its own, and those on the named shapes it reaches.
fn overlay_lines(service: &Service, op: &Operation, report: &OverlayReport) -> Vec<String> {
    let mut rows = Vec::new();
    flatten(
        service,
        service.input_members(op),
        "",
        &mut Vec::new(),
        &mut rows,
    );
    flatten(
        service,
        service.output_members(op),
        "",
        &mut Vec::new(),
        &mut rows,
    );
    let mut shapes: Vec<&str> = rows
        .iter()
        .map(|(_, m)| service.target(m).name.as_str())
        .collect();
    for (_, m) in &rows {
        if let ShapeKind::List(item) = &service.target(m).kind {
            shapes.push(service.target(item).name.as_str());
        }
    }
    shapes.extend(op.errors.iter().map(|id| service.shape(*id).name.as_str()));
    report
        .findings
        .iter()
        .filter(|f| {
            f.operation.as_deref() == Some(op.name.as_str())
                || f.shape.as_deref().is_some_and(|s| shapes.contains(&s))
        })
        .map(|f| {
            let mark = match (&f.kind, &f.acknowledged) {
                (FindingKind::FromModel { .. }, _) => "from the model",
                (FindingKind::Differs { .. }, Some(_)) => "disagreement (acknowledged)",
                (FindingKind::Differs { .. }, None) => "disagreement (not acknowledged)",
                (_, Some(_)) => "not in the model (acknowledged)",
                (_, None) => "error",
            };
            format!("{mark}: {}", f.describe())
        })
        .collect()
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn route(service: &Service, op: &Operation) -> String {
    if service.protocol == crate::model::ProtocolId::RpcV2Cbor
        && let Ok(path) = crate::protocol::rpcv2_cbor::operation_path(service, op)
    {
        return format!("POST {path} with smithy-protocol: rpc-v2-cbor");
    }
    match service.target_header(&op.name) {
        Some(target) => {
            format!("POST / with X-Amz-Target: {target}")
        }
        _ => format!("{} {}", op.http.method, op.http.uri()),
    }
}

fn region_text(service: &Service) -> String {
    match &service.region {
        RegionRule::Fixed(region) => format!("{region} always"),
        RegionRule::Chosen { default, allowed } if allowed.is_empty() => {
            format!("the chosen region (default {default})")
        }
        RegionRule::Chosen { default, allowed } => {
            format!(
                "the chosen region (default {default}; one of {})",
                allowed.join(", ")
            )
        }
    }
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("  {l}\n")).collect()
}

/// Members at any depth, nested ones indented by their path (`  AlternateContact.Name`), recursion shown once.
fn flatten<'a>(
    service: &'a Service,
    members: &'a [Member],
    prefix: &str,
    seen: &mut Vec<crate::model::ShapeId>,
    out: &mut Vec<(String, &'a Member)>,
) {
    for m in members {
        let name = if prefix.is_empty() {
            m.name.clone()
        } else {
            format!("{prefix}.{}", m.name)
        };
        out.push((name.clone(), m));
        if seen.contains(&m.target) || seen.len() > 6 {
            continue;
        }
        seen.push(m.target);
        match &service.target(m).kind {
            ShapeKind::Structure(children) | ShapeKind::Union(children) => {
                flatten(service, children, &name, seen, out)
            }
            ShapeKind::List(item) => {
                if let ShapeKind::Structure(children) = &service.target(item).kind {
                    flatten(service, children, &format!("{name}[]"), seen, out)
                }
            }
            ShapeKind::Map { value, .. } => {
                if let ShapeKind::Structure(children) = &service.target(value).kind {
                    flatten(service, children, &format!("{name}{{}}"), seen, out)
                }
            }
            _ => {}
        }
        seen.pop();
    }
}

fn members_table(service: &Service, members: &[Member], input: bool) -> String {
    let mut table = if input {
        Table::new([
            "MEMBER",
            "REQUIRED",
            "TYPE",
            "LENGTH/RANGE",
            "PATTERN / ENUM",
            "SENSITIVE",
            "FIXTURE",
            "SOURCE",
        ])
    } else {
        Table::new([
            "MEMBER",
            "TYPE",
            "LENGTH/RANGE",
            "PATTERN / ENUM",
            "SENSITIVE",
            "SOURCE",
        ])
    };
    let mut rows = Vec::new();
    flatten(service, members, "", &mut Vec::new(), &mut rows);
    for (name, m) in rows {
        let shape = service.target(m);
        let mut cells = vec![name];
        if input {
            cells.push(if m.required { "yes" } else { "no" }.to_string());
        }
        cells.push(type_text(service, shape));
        cells.push(bounds_text(shape));
        cells.push(match (&shape.constraints.pattern, shape.enum_values()) {
            (Some(p), _) => p.source().to_string(),
            (None, Some(values)) => values.join(" | "),
            (None, None) => String::new(),
        });
        cells.push(if service.is_sensitive(m) { "yes" } else { "" }.to_string());
        if input {
            cells.push(
                m.rules
                    .fixture
                    .clone()
                    .or_else(|| {
                        m.rules
                            .email_domain_fixture
                            .as_ref()
                            .map(|f| format!("@{f}"))
                    })
                    .unwrap_or_default(),
            );
        }
        cells.push(m.source.text.clone());
        table.row(cells);
    }
    indent(&table.to_string())
}

fn skipped_constraints(service: &Service, members: &[Member]) -> Vec<String> {
    let mut rows = Vec::new();
    flatten(service, members, "", &mut Vec::new(), &mut rows);
    rows.into_iter()
        .flat_map(|(name, m)| {
            service
                .target(m)
                .constraints
                .skipped
                .iter()
                .map(move |s| format!("{name}: {} ({})", s.what, s.reason))
                .collect::<Vec<_>>()
        })
        .collect()
}

fn type_text(service: &Service, shape: &Shape) -> String {
    match &shape.kind {
        ShapeKind::List(item) => format!("list<{}>", service.target(item).name),
        ShapeKind::Map { value, .. } => format!("map<string, {}>", service.target(value).name),
        ShapeKind::String | ShapeKind::Enum(_) => "string".to_string(),
        kind if shape.name.contains('$') => kind.name().to_string(),
        kind => format!("{} {}", kind.name(), shape.name),
    }
}

/// Lengths as `min..max`; numeric ranges labelled as ranges (`range 1..10`), since both read the same otherwise.
fn bounds_text(shape: &Shape) -> String {
    let c = &shape.constraints;
    let range = |min: Option<String>, max: Option<String>| match (min, max) {
        (None, None) => String::new(),
        (min, max) => format!("{}..{}", min.unwrap_or_default(), max.unwrap_or_default()),
    };
    if shape.kind.is_numeric() {
        let r = range(c.min.map(|v| v.to_string()), c.max.map(|v| v.to_string()));
        if r.is_empty() {
            r
        } else {
            format!("range {r}")
        }
    } else {
        range(
            c.min_length.map(|v| v.to_string()),
            c.max_length.map(|v| v.to_string()),
        )
    }
}

fn expectation_text(expect: &Expectation) -> String {
    let outcomes: Vec<String> = expect
        .accept
        .iter()
        .map(|o| match &o.error_type {
            Some(error) => format!("{error} ({})", o.status),
            None => format!("{} success", o.status),
        })
        .collect();
    let mut text = outcomes.join(" or ");
    if expect.uncertain {
        text.push_str(", uncertain");
    }
    text
}

fn violation_rules(service: &Service, op: &Operation) -> Vec<String> {
    let mut lines = vec![match &service.rules.on_violation {
        Some(rule) => format!(
            "default: {}{}",
            expectation_text(rule),
            rule.note
                .as_ref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default()
        ),
        None => "default: ValidationException (400); a value of the wrong type: SerializationException (400)"
            .to_string(),
    }];
    let members = service.input_members(op);
    for m in members {
        for rule in &m.rules.on_violation {
            let kinds = if rule.constraints.is_empty() {
                "any constraint".to_string()
            } else {
                rule.constraints
                    .iter()
                    .map(|k: &ConstraintKind| k.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            lines.push(format!(
                "{} ({kinds}): {}{}",
                m.name,
                expectation_text(&rule.expect),
                rule.expect
                    .note
                    .as_ref()
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default()
            ));
        }
    }
    for m in members {
        if let Some(fixture) = m
            .rules
            .fixture
            .as_ref()
            .and_then(|k| service.rules.fixtures.get(k))
            && let (Some(unknown), Some(expect)) = (&fixture.unknown, &fixture.on_unknown)
        {
            lines.push(format!(
                "{} naming nothing ({unknown}): {}",
                m.name,
                expectation_text(expect)
            ));
        }
    }
    lines
}
