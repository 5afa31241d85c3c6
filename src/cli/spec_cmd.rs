//! `conform spec list|show|check`: look at the operations the specs describe, and validate spec files.

use std::path::PathBuf;

use clap::Subcommand;

use super::{Cli, CliError, Output, Table, load_specs};
use crate::exit::Exit;
use crate::spec::{
    self, ConstraintKind, Expectation, Member, Operation, ResponseBody, Service, Shape, ShapeKind,
};

/// `conform spec ...`
#[derive(Debug, Subcommand)]
pub enum SpecCommand {
    /// List services and operations, with member counts.
    #[command(after_help = "Example:\n  conform spec list\n  conform --specs ./my-specs spec list")]
    List,
    /// Show one operation: its members and their constraints, errors, examples and sources.
    #[command(
        after_help = "Example:\n  conform spec show PutAlternateContact\n  conform spec show updateprimaryemailaddress   (case does not matter)"
    )]
    Show {
        /// The operation's name, as in the specs (`PutAlternateContact`).
        operation: String,
    },
    /// Validate spec files: exit 0 when they are valid, 2 with located diagnostics when not.
    #[command(
        after_help = "Example:\n  conform spec check specs/*.toml\n  conform spec check my-specs/\n\nWith no PATH, checks the specs conform would use (`--specs DIR`, or the built-in ones)."
    )]
    Check {
        /// Spec files, or directories of `*.toml` spec files.
        paths: Vec<PathBuf>,
    },
}

pub(super) fn run(
    cli: &Cli,
    command: &SpecCommand,
    output: &mut Output<'_>,
) -> Result<Exit, CliError> {
    match command {
        SpecCommand::List => list(cli, output),
        SpecCommand::Show { operation } => show(cli, operation, output),
        SpecCommand::Check { paths } => check(cli, paths, output),
    }
}

fn list(cli: &Cli, output: &mut Output<'_>) -> Result<Exit, CliError> {
    let specs = load_specs(cli)?;
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
        table.row([
            service.name.clone(),
            service.protocol.as_str().to_string(),
            op.name.clone(),
            op.role.as_str().to_string(),
            op.input.len().to_string(),
            op.input.iter().filter(|m| m.required).count().to_string(),
            match op.response_body {
                ResponseBody::Empty => "empty".to_string(),
                ResponseBody::Json => op.output.len().to_string(),
            },
            op.errors.len().to_string(),
            op.examples.len().to_string(),
        ]);
    }
    write!(output.out, "{table}")?;
    for service in specs.services.values().filter(|s| !s.scenarios.is_empty()) {
        let names: Vec<&str> = service.scenarios.iter().map(|s| s.name.as_str()).collect();
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
    Ok(Exit::Ok)
}

fn show(cli: &Cli, name: &str, output: &mut Output<'_>) -> Result<Exit, CliError> {
    let specs = load_specs(cli)?;
    let Some((service, op)) = specs.operation_ignore_case(name) else {
        let known: Vec<String> = specs.operations().map(|(_, op)| op.name.clone()).collect();
        return Err(CliError::usage(
            format!("failed to find operation `{name}` in the specs"),
            Some(format!("known operations: {}", known.join(", "))),
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
    writeln!(out, "{}", op.description)?;
    writeln!(
        out,
        "role: {}{}",
        op.role.as_str(),
        if op.mutates {
            ", changes state"
        } else {
            ", read only"
        }
    )?;
    if let Some(why) = &op.guarded {
        writeln!(out, "guarded on real targets (needs --include): {why}")?;
    }
    writeln!(
        out,
        "signing: {} in {}",
        service.signing_name,
        region_text(service)
    )?;
    writeln!(out, "source: {}", op.source.text)?;

    writeln!(out, "\nInput")?;
    write!(out, "{}", members_table(&op.input, true))?;
    let rules = violation_rules(service, op);
    writeln!(out, "\nOn a constraint violation")?;
    for line in rules {
        writeln!(out, "  {line}")?;
    }

    if let Some(state) = &op.on_state {
        writeln!(
            out,
            "  a valid request may also get, depending on state: {}",
            expectation_text(state)
        )?;
    }

    writeln!(out, "\nOutput ({} on success)", op.success_status)?;
    match op.response_body {
        ResponseBody::Empty => writeln!(out, "  empty HTTP body")?,
        ResponseBody::Json if op.output.is_empty() => writeln!(out, "  {{}} (no members)")?,
        ResponseBody::Json => write!(out, "{}", members_table(&op.output, false))?,
    }

    writeln!(out, "\nErrors")?;
    let mut errors = Table::new(["ERROR", "STATUS", "FAULT", "SOURCE"]);
    for name in &op.errors {
        let e = &service.errors[name];
        errors.row([
            e.name.clone(),
            e.status.to_string(),
            format!("{:?}", e.fault).to_lowercase(),
            e.source.text.clone(),
        ]);
    }
    write!(out, "{}", indent(&errors.to_string()))?;

    if !op.examples.is_empty() {
        writeln!(out, "\nExamples")?;
        for example in &op.examples {
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

    let fixtures: Vec<&str> = op
        .input
        .iter()
        .filter_map(|m| m.fixture.as_deref().or(m.email_domain_fixture.as_deref()))
        .collect();
    if !fixtures.is_empty() {
        writeln!(out, "\nFixtures (override with --fixture KEY=VALUE)")?;
        for key in fixtures {
            let f = &service.fixtures[key];
            writeln!(out, "  {key} = {}  ({})", f.default, f.description)?;
        }
    }
    if !service.disagreements.is_empty() {
        writeln!(out, "\nDisagreements recorded for {}", service.name)?;
        for d in &service.disagreements {
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
    let operations = specs.operations().count();
    let members: usize = specs
        .operations()
        .map(|(_, op)| op.input.len() + op.output.len())
        .sum();
    writeln!(
        output.out,
        "ok: {what}: {} service{}, {operations} operation{}, {members} members",
        specs.services.len(),
        plural(specs.services.len()),
        plural(operations),
    )?;
    Ok(Exit::Ok)
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn route(service: &Service, op: &Operation) -> String {
    match service.target(&op.name) {
        Some(target) => format!("POST / with X-Amz-Target: {target}"),
        None => format!("{} {}", op.http.method, op.http.path),
    }
}

fn region_text(service: &Service) -> String {
    match &service.region {
        spec::RegionRule::Fixed(region) => format!("{region} always"),
        spec::RegionRule::Chosen { default, allowed } if allowed.is_empty() => {
            format!("the chosen region (default {default})")
        }
        spec::RegionRule::Chosen { default, allowed } => {
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

fn members_table(members: &[Member], input: bool) -> String {
    let mut table = if input {
        Table::new([
            "MEMBER",
            "REQUIRED",
            "TYPE",
            "LENGTH",
            "PATTERN / ENUM",
            "SENSITIVE",
            "FIXTURE",
            "SOURCE",
        ])
    } else {
        Table::new([
            "MEMBER",
            "TYPE",
            "LENGTH",
            "PATTERN / ENUM",
            "SENSITIVE",
            "SOURCE",
        ])
    };
    for m in members {
        let shape = &m.shape;
        let mut cells = vec![m.name.clone()];
        if input {
            cells.push(if m.required { "yes" } else { "no" }.to_string());
        }
        cells.push(type_text(shape));
        cells.push(bounds_text(shape));
        cells.push(match (&shape.pattern, &shape.enum_values) {
            (Some(p), _) => p.source.clone(),
            (None, Some(values)) => values.join(" | "),
            (None, None) => String::new(),
        });
        cells.push(if m.sensitive { "yes" } else { "" }.to_string());
        if input {
            cells.push(
                m.fixture
                    .clone()
                    .or_else(|| m.email_domain_fixture.as_ref().map(|f| format!("@{f}")))
                    .unwrap_or_default(),
            );
        }
        cells.push(m.source.text.clone());
        table.row(cells);
    }
    indent(&table.to_string())
}

fn type_text(shape: &Shape) -> String {
    match (&shape.kind, &shape.name) {
        (ShapeKind::List(item), _) => {
            format!("list<{}>", item.name.as_deref().unwrap_or(item.kind.name()))
        }
        (kind, Some(name)) if !matches!(kind, ShapeKind::String) => {
            format!("{} {name}", kind.name())
        }
        (kind, _) => kind.name().to_string(),
    }
}

fn bounds_text(shape: &Shape) -> String {
    let range = |min: Option<String>, max: Option<String>| match (min, max) {
        (None, None) => String::new(),
        (min, max) => format!("{}..{}", min.unwrap_or_default(), max.unwrap_or_default()),
    };
    match shape.kind {
        ShapeKind::Integer | ShapeKind::Long => range(
            shape.min.map(|v| v.to_string()),
            shape.max.map(|v| v.to_string()),
        ),
        _ => range(
            shape.min_length.map(|v| v.to_string()),
            shape.max_length.map(|v| v.to_string()),
        ),
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
    let mut lines = vec![format!(
        "default: {}{}",
        expectation_text(&service.on_violation),
        service
            .on_violation
            .note
            .as_ref()
            .map(|n| format!(" ({n})"))
            .unwrap_or_default()
    )];
    for m in &op.input {
        for rule in &m.on_violation {
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
    for m in &op.input {
        if let Some(fixture) = m.fixture.as_ref().and_then(|k| service.fixtures.get(k))
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
