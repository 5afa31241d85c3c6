//! Reads spec files, resolves references and validates them, collecting every located problem.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use indexmap::IndexMap;
use serde_json::{Map, Value};
use toml::Spanned;

use super::diagnostic::{LoadError, Problem};
use super::model::*;
use super::raw::*;
use super::validate::validate_members;
use crate::model::Pattern;

/// The spec files compiled into the binary, so that `conform` works from any directory.
pub const EMBEDDED: &[(&str, &str)] = &[
    (
        "<embedded>/account.toml",
        include_str!("../../specs/account.toml"),
    ),
    (
        "<embedded>/workmail.toml",
        include_str!("../../specs/workmail.toml"),
    ),
];

/// Loads the embedded specs.
pub fn embedded() -> Result<SpecSet, LoadError> {
    load_sources(
        EMBEDDED
            .iter()
            .map(|(name, text)| (name.to_string(), text.to_string())),
    )
}

/// Loads spec files or directories of them (`*.toml`, sorted by name).
pub fn load_paths(paths: &[PathBuf]) -> Result<SpecSet, LoadError> {
    let mut sources = Vec::new();
    for path in paths {
        let files = if path.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(|source| LoadError::Read {
                    path: path.clone(),
                    source,
                })?
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "toml"))
                .collect();
            files.sort();
            if files.is_empty() {
                return Err(LoadError::Empty { dir: path.clone() });
            }
            files
        } else {
            vec![path.clone()]
        };
        for file in files {
            let text = std::fs::read_to_string(&file).map_err(|source| LoadError::Read {
                path: file.clone(),
                source,
            })?;
            sources.push((display_path(&file), text));
        }
    }
    load_sources(sources)
}

fn display_path(path: &Path) -> String {
    path.display().to_string()
}

/// Loads specs from (file name, text) pairs; the names appear in diagnostics.
pub fn load_sources(
    sources: impl IntoIterator<Item = (String, String)>,
) -> Result<SpecSet, LoadError> {
    let mut problems = Vec::new();
    let mut services: IndexMap<String, Service> = IndexMap::new();
    for (file, text) in sources {
        let text: Arc<str> = Arc::from(text);
        let mut ctx = FileCtx {
            file: &file,
            text: &text,
            problems: Vec::new(),
        };
        let raw: RawFile = match toml::from_str(&text) {
            Ok(raw) => raw,
            Err(e) => {
                let span = e.span().unwrap_or(0..0);
                ctx.problem(span, toml_message(e.message()), toml_help(e.message()));
                problems.extend(ctx.problems);
                continue;
            }
        };
        let service = ctx.service(raw);
        if let Some(service) = service {
            if let Some(first) = services.get(&service.name) {
                let span = name_span(&text, &service.name);
                ctx.problem(
                    span,
                    format!(
                        "duplicate service name `{}`: `{}` defines it too",
                        service.name, first.file
                    ),
                    Some("each spec file describes one service with a name of its own".into()),
                );
            } else if ctx.problems.is_empty() {
                services.insert(service.name.clone(), service);
            }
        }
        problems.extend(ctx.problems);
    }
    if problems.is_empty() {
        Ok(SpecSet { services })
    } else {
        Err(LoadError::Invalid { problems })
    }
}

/// The span of `name = "<value>"` in a file, for problems found after the raw spans are gone.
fn name_span(text: &str, value: &str) -> Range<usize> {
    let needle = format!("\"{value}\"");
    text.find(&needle)
        .map(|i| i..i + needle.len())
        .unwrap_or(0..0)
}

fn toml_message(message: &str) -> String {
    let message = message.trim().trim_end_matches('.');
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => "invalid TOML".to_string(),
    }
}

fn toml_help(message: &str) -> Option<String> {
    if message.contains("unknown field") {
        Some("remove the key or correct its spelling; the expected keys are listed above".into())
    } else if message.contains("missing field") {
        Some("add the key; see specs/account.toml for a complete example".into())
    } else if message.contains("duplicate key") {
        Some("a key may appear once per table".into())
    } else {
        None
    }
}

const TYPES: &[&str] = &[
    "string",
    "integer",
    "long",
    "boolean",
    "timestamp",
    "structure",
    "list",
];

/// Where a member appears: decides which keys it may carry.
#[derive(Clone, Copy, PartialEq, Eq)]
enum MemberContext {
    NamedShape,
    Input,
    Output,
    ErrorBody,
    StructureMember,
}

impl MemberContext {
    fn describe(self) -> &'static str {
        match self {
            MemberContext::NamedShape => "a [[shape]]",
            MemberContext::Input => "an input member",
            MemberContext::Output => "an output member",
            MemberContext::ErrorBody => "an error member",
            MemberContext::StructureMember => "a structure member",
        }
    }
}

struct FileCtx<'a> {
    file: &'a str,
    text: &'a Arc<str>,
    problems: Vec<Problem>,
}

/// What one file declares, while it is being resolved.
struct Scope<'r> {
    documents: IndexMap<String, Document>,
    raw_shapes: HashMap<String, &'r Spanned<RawMember>>,
    shapes: IndexMap<String, Option<Shape>>,
    resolving: Vec<String>,
    attempted: HashSet<String>,
    errors: IndexMap<String, ErrorShape>,
    fixtures: IndexMap<String, Fixture>,
}

impl FileCtx<'_> {
    fn problem(&mut self, span: Range<usize>, message: impl Into<String>, help: Option<String>) {
        self.problems
            .push(Problem::new(self.file, self.text, span, message, help));
    }

    fn service(&mut self, raw: RawFile) -> Option<Service> {
        let raw_service = raw.service.get_ref();
        let name = raw_service.name.get_ref().clone();
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            self.problem(
                raw_service.name.span(),
                format!("invalid service name `{name}`: use lower-case letters, digits and `-`"),
                Some("the name is what users type after `--service`".into()),
            );
        }
        let protocol = match raw_service.protocol.get_ref().as_str() {
            "restJson1" => Some(Protocol::RestJson1),
            "awsJson1_0" => Some(Protocol::AwsJson1_0),
            "awsJson1_1" => Some(Protocol::AwsJson1_1),
            other => {
                self.problem(
                    raw_service.protocol.span(),
                    format!("unknown protocol `{other}`"),
                    Some("expected one of: restJson1, awsJson1_0, awsJson1_1".into()),
                );
                None
            }
        };
        let target_prefix = raw_service
            .target_prefix
            .as_ref()
            .map(|t| t.get_ref().clone());
        match (protocol, &raw_service.target_prefix) {
            (Some(p), None) if p.is_aws_json() => self.problem(
                raw_service.protocol.span(),
                format!(
                    "{} service `{name}` has no `target_prefix`",
                    p.as_str()
                ),
                Some("awsJson operations are chosen by `X-Amz-Target: <target_prefix>.<Operation>`; add e.g. `target_prefix = \"WorkMailService\"`".into()),
            ),
            (Some(Protocol::RestJson1), Some(prefix)) => self.problem(
                prefix.span(),
                "`target_prefix` is only for awsJson services",
                Some("restJson1 operations are chosen by method and path; remove the key".into()),
            ),
            _ => {}
        }
        if raw_service.signing_name.get_ref().is_empty() {
            self.problem(
                raw_service.signing_name.span(),
                "empty `signing_name`",
                None,
            );
        }
        let region = self.region(&raw_service.region);
        let model_name = raw_service.model.as_ref().map(|m| {
            let model = m.get_ref();
            if model.is_empty()
                || !model
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            {
                self.problem(
                    m.span(),
                    format!("invalid model name `{model}`: use botocore's service name (lower-case letters, digits and `-`)"),
                    Some("`conform spec list` lists the services of the models, e.g. `model = \"account\"`".into()),
                );
            }
            model.clone()
        });

        let mut scope = Scope {
            documents: IndexMap::new(),
            raw_shapes: HashMap::new(),
            shapes: IndexMap::new(),
            resolving: Vec::new(),
            attempted: HashSet::new(),
            errors: IndexMap::new(),
            fixtures: IndexMap::new(),
        };
        for (id, doc) in &raw.documents {
            scope.documents.insert(
                id.clone(),
                Document {
                    id: id.clone(),
                    file: doc.get_ref().file.clone(),
                    title: doc.get_ref().title.clone(),
                },
            );
        }
        if scope.documents.is_empty() {
            self.problem(
                raw.service.span(),
                "the spec declares no [documents]",
                Some("every constraint must trace back to a document: add `[documents]` with an id per source".into()),
            );
        }
        let service_source = self.provenance(&scope, &raw_service.source);

        // Named shapes: collect first so that members may refer to shapes declared later.
        for shape in &raw.shape {
            let shape_name = shape.get_ref().name.get_ref();
            if scope.raw_shapes.contains_key(shape_name) {
                self.problem(
                    shape.get_ref().name.span(),
                    format!("duplicate shape name `{shape_name}`"),
                    Some("each [[shape]] needs a name of its own".into()),
                );
            } else {
                scope.raw_shapes.insert(shape_name.clone(), shape);
                scope.shapes.insert(shape_name.clone(), None);
            }
        }
        let shape_names: Vec<String> = scope.raw_shapes.keys().cloned().collect();
        for shape_name in shape_names {
            self.resolve_named(&mut scope, &shape_name);
        }

        // Errors.
        for raw_error in &raw.error {
            let e = raw_error.get_ref();
            let error_name = e.name.get_ref().clone();
            if scope.errors.contains_key(&error_name) {
                self.problem(
                    e.name.span(),
                    format!("duplicate error name `{error_name}`"),
                    Some("declare each error once; operations refer to it by name".into()),
                );
                continue;
            }
            let status = *e.status.get_ref();
            let fault = match e.fault.get_ref().as_str() {
                "client" => Fault::Client,
                "server" => Fault::Server,
                other => {
                    self.problem(
                        e.fault.span(),
                        format!("unknown fault `{other}`"),
                        Some("expected `client` (4xx) or `server` (5xx)".into()),
                    );
                    Fault::Client
                }
            };
            if !(400..=599).contains(&status) {
                self.problem(
                    e.status.span(),
                    format!("error `{error_name}` has status {status}, which is no error status"),
                    Some("errors have a 4xx (client fault) or 5xx (server fault) status".into()),
                );
            } else if (fault == Fault::Client) != (status < 500) {
                self.problem(
                    e.fault.span(),
                    format!(
                        "error `{error_name}` has status {status} but fault `{}`",
                        e.fault.get_ref()
                    ),
                    Some("4xx statuses are the client's fault, 5xx the server's".into()),
                );
            }
            let source = self.provenance(&scope, &e.source);
            let members = self.members(&mut scope, &e.member, MemberContext::ErrorBody, &source);
            scope.errors.insert(
                error_name.clone(),
                ErrorShape {
                    name: error_name,
                    status,
                    fault,
                    retryable: e.retryable,
                    members,
                    description: e.description.clone().unwrap_or_default(),
                    source,
                },
            );
        }

        let on_violation = match &raw_service.on_violation {
            Some(raw) => self.expectation(&scope, raw, None, false),
            None if scope.errors.contains_key("ValidationException") => Some(Expectation {
                accept: vec![Outcome {
                    status: scope.errors["ValidationException"].status,
                    error_type: Some("ValidationException".into()),
                }],
                uncertain: false,
                note: None,
                source: service_source.clone(),
            }),
            None => {
                self.problem(
                    raw.service.span(),
                    "the service has no [service.on_violation] and declares no ValidationException",
                    Some("say which error a constraint violation gets: `[service.on_violation]` with `accept = [\"...\"]`".into()),
                );
                None
            }
        };

        // Fixtures.
        for (key, fixture) in &raw.fixtures {
            let f = fixture.get_ref();
            let expected_prefix = format!("{name}.");
            if !key.starts_with(&expected_prefix) || key.len() == expected_prefix.len() {
                self.problem(
                    fixture.span(),
                    format!("fixture key `{key}` must have the form `{name}.<Name>`"),
                    Some("fixture keys are what users pass to `--fixture KEY=VALUE`".into()),
                );
            }
            let source = self.provenance(&scope, &f.source);
            let on_unknown = f
                .on_unknown
                .as_ref()
                .and_then(|raw| self.expectation(&scope, raw, None, false));
            match (&f.unknown, &f.on_unknown) {
                (Some(unknown), None) => self.problem(
                    unknown.span(),
                    format!("fixture `{key}` has `unknown` but no `on_unknown`"),
                    Some("say what a request naming the unknown value should get".into()),
                ),
                (None, Some(rule)) => self.problem(
                    rule.span(),
                    format!("fixture `{key}` has `on_unknown` but no `unknown` value"),
                    None,
                ),
                _ => {}
            }
            scope.fixtures.insert(
                key.clone(),
                Fixture {
                    key: key.clone(),
                    default: f.default.get_ref().clone(),
                    description: f.description.clone(),
                    unknown: f.unknown.as_ref().map(|u| u.get_ref().clone()),
                    on_unknown,
                    source,
                },
            );
        }

        // Operations.
        let mut operations: IndexMap<String, Operation> = IndexMap::new();
        let mut routes: HashMap<(String, String), String> = HashMap::new();
        for raw_op in &raw.operation {
            let Some(op) = self.operation(&mut scope, raw_op, protocol, &raw.fixtures) else {
                continue;
            };
            if operations.contains_key(&op.name) {
                self.problem(
                    raw_op.get_ref().name.span(),
                    format!("duplicate operation name `{}`", op.name),
                    None,
                );
                continue;
            }
            if protocol == Some(Protocol::RestJson1) {
                let route = (op.http.method.clone(), op.http.path.clone());
                if let Some(other) = routes.get(&route) {
                    self.problem(
                        raw_op
                            .get_ref()
                            .path
                            .as_ref()
                            .map_or(raw_op.get_ref().name.span(), |p| p.span()),
                        format!(
                            "operation `{}` has the same method and path as `{other}`: {} {}",
                            op.name, route.0, route.1
                        ),
                        Some("restJson1 tells operations apart by method and path".into()),
                    );
                }
                routes.insert(route, op.name.clone());
            }
            operations.insert(op.name.clone(), op);
        }
        // Examples' setup calls name operations that may come later in the file.
        for raw_op in &raw.operation {
            for example in &raw_op.get_ref().example {
                for call in &example.get_ref().setup {
                    let target = call.get_ref().operation.get_ref();
                    match operations.get(target) {
                        None => self.problem(
                            call.get_ref().operation.span(),
                            format!("setup names unknown operation `{target}`"),
                            Some(format!(
                                "operations of this service: {}",
                                operations.keys().cloned().collect::<Vec<_>>().join(", ")
                            )),
                        ),
                        Some(setup_op) => {
                            let input = toml_table_to_json(call.get_ref().input.get_ref());
                            self.check_example_input(
                                setup_op,
                                &input,
                                call.get_ref().input.span(),
                                true,
                            );
                        }
                    }
                }
            }
        }

        let scenarios = self.scenarios(&scope, &raw.scenario, &operations);
        let snapshots = raw
            .snapshots
            .as_ref()
            .map(|r| self.snapshot_rules(r))
            .unwrap_or_default();
        let restores = self.restores(&scope, &raw.restore, &operations);

        for d in &raw.disagreement {
            for place in &d.get_ref().overrides {
                if place.get_ref().is_empty() || place.get_ref().contains(char::is_whitespace) {
                    self.problem(
                        place.span(),
                        format!("invalid override place `{}`", place.get_ref()),
                        Some("name the place as `conform spec check` prints it, e.g. `Name.max_length` or `PutThing.input.Name.required`".into()),
                    );
                }
            }
            if !d.get_ref().overrides.is_empty() && raw_service.model.is_none() {
                self.problem(
                    d.span(),
                    "a [[disagreement]] lists `overrides` but the file overlays no model",
                    Some("add `model = \"<service>\"` to [service], or remove `overrides`".into()),
                );
            }
        }
        let disagreements = raw
            .disagreement
            .iter()
            .map(|d| {
                let d = d.get_ref();
                Disagreement {
                    about: d.about.clone(),
                    sides: d.sides.clone(),
                    follows: d.follows.clone(),
                    why: d.why.clone(),
                    overrides: d.overrides.iter().map(|o| o.get_ref().clone()).collect(),
                }
            })
            .collect();

        let shapes = scope
            .shapes
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| (k, v)))
            .collect();
        Some(Service {
            name,
            title: raw_service.title.clone(),
            protocol: protocol?,
            signing_name: raw_service.signing_name.get_ref().clone(),
            target_prefix,
            api_version: raw_service.api_version.clone(),
            region: region?,
            on_violation: on_violation?,
            documents: scope.documents,
            fixtures: scope.fixtures,
            shapes,
            errors: scope.errors,
            operations,
            disagreements,
            scenarios,
            snapshots,
            restores,
            model: model_name,
            file: self.file.to_string(),
            source: service_source,
        })
    }

    fn region(&mut self, raw: &Spanned<RawRegion>) -> Option<RegionRule> {
        let r = raw.get_ref();
        match (&r.fixed, &r.default) {
            (Some(fixed), None) if r.allowed.is_empty() => Some(RegionRule::Fixed(fixed.clone())),
            (None, Some(default)) => {
                if !r.allowed.is_empty() && !r.allowed.contains(default) {
                    self.problem(
                        raw.span(),
                        format!("default region `{default}` is not among the allowed regions"),
                        None,
                    );
                    return None;
                }
                Some(RegionRule::Chosen {
                    default: default.clone(),
                    allowed: r.allowed.clone(),
                })
            }
            _ => {
                self.problem(
                    raw.span(),
                    "the region rule needs either `fixed` alone or `default` (with optional `allowed`)",
                    Some("e.g. `region = { fixed = \"us-east-1\" }` or `region = { default = \"us-east-1\", allowed = [\"us-east-1\"] }`".into()),
                );
                None
            }
        }
    }

    /// Checks that a `source` names declared documents.
    fn provenance(&mut self, scope: &Scope, source: &Spanned<String>) -> Provenance {
        let text = source.get_ref().clone();
        let mut documents = Vec::new();
        let declared = || {
            scope
                .documents
                .keys()
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        };
        for (i, segment) in text.split(';').map(str::trim).enumerate() {
            let Some((ids, _)) = segment.split_once(':') else {
                if i == 0 {
                    self.problem(
                        source.span(),
                        format!("source `{text}` names no document"),
                        Some(format!(
                            "write `<document id>: <where in it>`; declared ids: {}",
                            declared()
                        )),
                    );
                }
                continue;
            };
            for id in ids.split(',').map(str::trim) {
                if scope.documents.contains_key(id) {
                    documents.push(id.to_string());
                } else if i == 0 || id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                    self.problem(
                        source.span(),
                        format!("source names unknown document `{id}`"),
                        Some(format!(
                            "declare it under [documents]; declared ids: {}",
                            declared()
                        )),
                    );
                }
            }
        }
        Provenance { text, documents }
    }

    fn optional_provenance(
        &mut self,
        scope: &Scope,
        source: &Option<Spanned<String>>,
        inherited: &Provenance,
    ) -> Provenance {
        match source {
            Some(source) => self.provenance(scope, source),
            None => inherited.clone(),
        }
    }

    /// Converts an expectation; `success_status` is the operation's, where a bare success is allowed.
    fn expectation(
        &mut self,
        scope: &Scope,
        raw: &Spanned<RawExpect>,
        success_status: Option<u16>,
        constraints_allowed: bool,
    ) -> Option<Expectation> {
        let r = raw.get_ref();
        if !constraints_allowed && let Some(c) = r.constraints.first() {
            self.problem(
                c.span(),
                "`constraints` is only allowed in a member's `on_violation` rule",
                None,
            );
        }
        let source = match &r.source {
            Some(s) => self.provenance(scope, s),
            None => Provenance::default(),
        };
        // `status` names a success, `accept` errors; both together accept either (a cleanup that may find nothing).
        let mut accept = Vec::new();
        if let Some(status) = &r.status {
            if !(200..=299).contains(status.get_ref()) {
                self.problem(
                    status.span(),
                    format!("success status {} is not 2xx", status.get_ref()),
                    Some("for an error, name it in `accept` instead; its status comes from its [[error]]".into()),
                );
                return None;
            }
            accept.push(Outcome::success(*status.get_ref()));
        }
        for name in &r.accept {
            match scope.errors.get(name.get_ref()) {
                Some(error) => accept.push(Outcome {
                    status: error.status,
                    error_type: Some(error.name.clone()),
                }),
                None => {
                    self.problem(
                        name.span(),
                        format!("unknown error `{}`", name.get_ref()),
                        Some(known_list("declared errors", scope.errors.keys())),
                    );
                    return None;
                }
            }
        }
        if accept.is_empty() {
            match success_status {
                Some(status) => accept.push(Outcome::success(status)),
                None => {
                    self.problem(
                        raw.span(),
                        "an expectation needs `accept` (the errors it allows)",
                        Some("e.g. `accept = [\"ValidationException\"]`".into()),
                    );
                    return None;
                }
            }
        }
        Some(Expectation {
            accept,
            uncertain: r.uncertain,
            note: r.note.clone(),
            source,
        })
    }

    fn resolve_named(&mut self, scope: &mut Scope, name: &str) -> Option<Shape> {
        if let Some(Some(shape)) = scope.shapes.get(name) {
            return Some(shape.clone());
        }
        let raw = *scope.raw_shapes.get(name)?;
        if scope.resolving.iter().any(|n| n == name) {
            let cycle = format!("{} -> {name}", scope.resolving.join(" -> "));
            self.problem(
                raw.get_ref().name.span(),
                format!("shape `{name}` contains itself: {cycle}"),
                Some("recursive shapes cannot be generated; break the cycle".into()),
            );
            return None;
        }
        if !scope.attempted.insert(name.to_string()) {
            // Already reported when it was first resolved.
            return None;
        }
        scope.resolving.push(name.to_string());
        let source = match &raw.get_ref().source {
            Some(s) => self.provenance(scope, s),
            None => {
                self.problem(
                    raw.get_ref().name.span(),
                    format!("shape `{name}` has no `source`"),
                    Some("every constraint must trace back to a document: add `source = \"<document id>: <where>\"`".into()),
                );
                Provenance::default()
            }
        };
        self.check_keys(raw.get_ref(), MemberContext::NamedShape);
        let shape = self.shape_of(scope, raw.get_ref(), MemberContext::NamedShape, &source);
        scope.resolving.pop();
        if let Some(shape) = &shape {
            scope.shapes.insert(name.to_string(), Some(shape.clone()));
        }
        shape
    }

    /// Reports keys a member may not carry where it appears.
    fn check_keys(&mut self, m: &RawMember, context: MemberContext) {
        let disallowed: Vec<(&str, Option<Range<usize>>)> = match context {
            MemberContext::Input => vec![],
            MemberContext::NamedShape => vec![
                ("shape", m.shape.as_ref().map(Spanned::span)),
                ("required", m.required.as_ref().map(Spanned::span)),
                ("fixture", m.fixture.as_ref().map(Spanned::span)),
                (
                    "email_domain_fixture",
                    m.email_domain_fixture.as_ref().map(Spanned::span),
                ),
                ("on_violation", m.on_violation.first().map(Spanned::span)),
            ],
            _ => vec![
                ("fixture", m.fixture.as_ref().map(Spanned::span)),
                (
                    "email_domain_fixture",
                    m.email_domain_fixture.as_ref().map(Spanned::span),
                ),
                ("on_violation", m.on_violation.first().map(Spanned::span)),
            ],
        };
        for (key, span) in disallowed {
            if let Some(span) = span {
                self.problem(
                    span,
                    format!("`{key}` is not allowed in {}", context.describe()),
                    Some(match key {
                        "shape" => {
                            "a [[shape]] defines a type: give `type` and its constraints".into()
                        }
                        _ => {
                            "fixtures and violation rules belong to operation input members".into()
                        }
                    }),
                );
            }
        }
    }

    /// The shape a member or named shape describes: its `shape` reference or its inline `type`.
    fn shape_of(
        &mut self,
        scope: &mut Scope,
        m: &RawMember,
        context: MemberContext,
        source: &Provenance,
    ) -> Option<Shape> {
        let constraint_spans: Vec<(&str, Range<usize>)> = [
            ("min_length", m.min_length.as_ref().map(Spanned::span)),
            ("max_length", m.max_length.as_ref().map(Spanned::span)),
            ("min", m.min.as_ref().map(Spanned::span)),
            ("max", m.max.as_ref().map(Spanned::span)),
            ("pattern", m.pattern.as_ref().map(Spanned::span)),
            ("enum", m.enum_values.as_ref().map(Spanned::span)),
            ("item", m.item.as_ref().map(Spanned::span)),
            ("member", m.member.first().map(Spanned::span)),
        ]
        .into_iter()
        .filter_map(|(k, s)| s.map(|s| (k, s)))
        .collect();

        if let Some(reference) = &m.shape {
            if let Some(t) = &m.type_name {
                self.problem(
                    t.span(),
                    "a member takes either `shape` or `type`, not both",
                    Some(format!(
                        "the shape `{}` already has a type",
                        reference.get_ref()
                    )),
                );
                return None;
            }
            if let Some((key, span)) = constraint_spans.first() {
                self.problem(
                    span.clone(),
                    format!("`{key}` beside `shape`: constraints belong to the shape `{}`", reference.get_ref()),
                    Some("use an inline `type` with its own constraints, or declare another [[shape]]".into()),
                );
                return None;
            }
            let target = reference.get_ref();
            if !scope.raw_shapes.contains_key(target) {
                self.problem(
                    reference.span(),
                    format!("unknown shape `{target}`"),
                    Some(known_list("declared shapes", scope.raw_shapes.keys())),
                );
                return None;
            }
            return self.resolve_named(scope, target);
        }

        let Some(type_name) = &m.type_name else {
            self.problem(
                m.name.span(),
                format!("`{}` has neither `shape` nor `type`", m.name.get_ref()),
                Some(format!(
                    "give `shape = \"<name of a [[shape]]>\"` or `type = ` one of {}",
                    TYPES.join(", ")
                )),
            );
            return None;
        };
        let type_str = type_name.get_ref().as_str();
        let allowed_keys: &[&str] = match type_str {
            "string" => &["min_length", "max_length", "pattern", "enum"],
            "integer" | "long" => &["min", "max"],
            "list" => &["min_length", "max_length", "item"],
            "structure" => &["member"],
            "boolean" | "timestamp" => &[],
            other => {
                self.problem(
                    type_name.span(),
                    format!("unknown type `{other}`"),
                    Some(format!("expected one of: {}", TYPES.join(", "))),
                );
                return None;
            }
        };
        let mut ok = true;
        for (key, span) in &constraint_spans {
            if !allowed_keys.contains(key) {
                self.problem(
                    span.clone(),
                    format!("`{key}` does not apply to type `{type_str}`"),
                    Some(if allowed_keys.is_empty() {
                        format!("type `{type_str}` takes no constraints")
                    } else {
                        format!("type `{type_str}` takes: {}", allowed_keys.join(", "))
                    }),
                );
                ok = false;
            }
        }
        let length = |v: &Option<Spanned<i64>>, this: &mut Self| -> Option<u64> {
            let v = v.as_ref()?;
            match u64::try_from(*v.get_ref()) {
                Ok(n) => Some(n),
                Err(_) => {
                    this.problem(v.span(), format!("negative length {}", v.get_ref()), None);
                    None
                }
            }
        };
        let min_length = length(&m.min_length, self);
        let max_length = length(&m.max_length, self);
        if let (Some(min), Some(max)) = (min_length, max_length)
            && min > max
        {
            self.problem(
                m.min_length.as_ref().expect("min_length present").span(),
                format!("min_length {min} is greater than max_length {max}"),
                Some("no value could satisfy both bounds".into()),
            );
            ok = false;
        }
        if let (Some(min), Some(max)) = (&m.min, &m.max)
            && min.get_ref() > max.get_ref()
        {
            self.problem(
                min.span(),
                format!(
                    "min {} is greater than max {}",
                    min.get_ref(),
                    max.get_ref()
                ),
                Some("no value could satisfy both bounds".into()),
            );
            ok = false;
        }
        let pattern = match &m.pattern {
            Some(p) => match Pattern::new(p.get_ref()) {
                Ok(pattern) => Some(pattern),
                Err(why) => {
                    self.problem(
                        p.span(),
                        format!("pattern does not compile: {why}"),
                        Some("patterns use Java regex syntax as AWS's documents give it, without lookaround".into()),
                    );
                    ok = false;
                    None
                }
            },
            None => None,
        };
        let enum_values = match &m.enum_values {
            Some(values) => {
                if values.get_ref().is_empty() {
                    self.problem(
                        values.span(),
                        "empty enum: no value could be valid",
                        Some("list the valid values, or remove `enum`".into()),
                    );
                    ok = false;
                }
                let mut seen = HashSet::new();
                for value in values.get_ref() {
                    if !seen.insert(value.get_ref().as_str()) {
                        self.problem(
                            value.span(),
                            format!("duplicate enum value `{}`", value.get_ref()),
                            None,
                        );
                        ok = false;
                    }
                }
                Some(
                    values
                        .get_ref()
                        .iter()
                        .map(|v| v.get_ref().clone())
                        .collect(),
                )
            }
            None => None,
        };
        let kind = match type_str {
            "string" => ShapeKind::String,
            "integer" => ShapeKind::Integer,
            "long" => ShapeKind::Long,
            "boolean" => ShapeKind::Boolean,
            "timestamp" => ShapeKind::Timestamp,
            "structure" => ShapeKind::Structure(self.members(
                scope,
                &m.member,
                MemberContext::StructureMember,
                source,
            )),
            "list" => {
                let Some(item) = &m.item else {
                    self.problem(
                        type_name.span(),
                        "a list needs `item`, the name of its items' shape",
                        None,
                    );
                    return None;
                };
                if !scope.raw_shapes.contains_key(item.get_ref()) {
                    self.problem(
                        item.span(),
                        format!("unknown shape `{}`", item.get_ref()),
                        Some(known_list("declared shapes", scope.raw_shapes.keys())),
                    );
                    return None;
                }
                ShapeKind::List(Box::new(self.resolve_named(scope, item.get_ref())?))
            }
            _ => unreachable!("type checked above"),
        };
        if !ok {
            return None;
        }
        Some(Shape {
            name: (context == MemberContext::NamedShape).then(|| m.name.get_ref().clone()),
            kind,
            min_length,
            max_length,
            min: m.min.as_ref().map(|v| *v.get_ref()),
            max: m.max.as_ref().map(|v| *v.get_ref()),
            pattern,
            enum_values,
            sensitive: m.sensitive.unwrap_or(false),
            source: source.clone(),
        })
    }

    fn members(
        &mut self,
        scope: &mut Scope,
        raw: &[Spanned<RawMember>],
        context: MemberContext,
        inherited: &Provenance,
    ) -> Vec<Member> {
        let mut members = Vec::new();
        let mut seen = HashSet::new();
        for raw_member in raw {
            let m = raw_member.get_ref();
            let name = m.name.get_ref();
            if !seen.insert(name.clone()) {
                self.problem(
                    m.name.span(),
                    format!("duplicate member name `{name}`"),
                    Some("a JSON object has each key once".into()),
                );
                continue;
            }
            self.check_keys(m, context);
            let source = self.optional_provenance(scope, &m.source, inherited);
            let Some(shape) = self.shape_of(scope, m, context, &source) else {
                continue;
            };
            let mut on_violation = Vec::new();
            for rule in &m.on_violation {
                let mut constraints = Vec::new();
                for c in &rule.get_ref().constraints {
                    match ConstraintKind::parse(c.get_ref()) {
                        Some(kind) => constraints.push(kind),
                        None => self.problem(
                            c.span(),
                            format!("unknown constraint kind `{}`", c.get_ref()),
                            Some(format!(
                                "expected one of: {}",
                                ConstraintKind::ALL.map(ConstraintKind::as_str).join(", ")
                            )),
                        ),
                    }
                }
                if let Some(expect) = self.expectation(scope, rule, None, true) {
                    on_violation.push(ViolationRule {
                        constraints,
                        expect,
                    });
                }
            }
            for (fixture, what) in [
                (&m.fixture, "fixture"),
                (&m.email_domain_fixture, "email_domain_fixture"),
            ] {
                if let Some(f) = fixture
                    && !scope.fixtures.contains_key(f.get_ref())
                {
                    self.problem(
                        f.span(),
                        format!("{what} names unknown fixture `{}`", f.get_ref()),
                        Some(known_list("declared fixtures", scope.fixtures.keys())),
                    );
                }
            }
            if m.email_domain_fixture.is_some() && !matches!(shape.kind, ShapeKind::String) {
                self.problem(
                    m.name.span(),
                    "`email_domain_fixture` needs a string member",
                    None,
                );
            }
            members.push(Member {
                name: name.clone(),
                required: m.required.as_ref().is_some_and(|r| *r.get_ref()),
                sensitive: m.sensitive.unwrap_or(false) || shape.sensitive,
                shape,
                fixture: m.fixture.as_ref().map(|f| f.get_ref().clone()),
                email_domain_fixture: m.email_domain_fixture.as_ref().map(|f| f.get_ref().clone()),
                on_violation,
                source,
            });
        }
        members
    }

    fn operation(
        &mut self,
        scope: &mut Scope,
        raw: &Spanned<RawOperation>,
        protocol: Option<Protocol>,
        raw_fixtures: &IndexMap<String, Spanned<RawFixture>>,
    ) -> Option<Operation> {
        let o = raw.get_ref();
        let name = o.name.get_ref().clone();
        let mut ok = true;
        if !name.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            || !name.chars().all(|c| c.is_ascii_alphanumeric())
        {
            self.problem(
                o.name.span(),
                format!("invalid operation name `{name}`"),
                Some("operation names are PascalCase ASCII, as in AWS's documents (`PutAlternateContact`)".into()),
            );
            ok = false;
        }
        let role = match o.role.as_ref().map(|r| r.get_ref().as_str()) {
            None | Some("seed") => Role::Seed,
            Some("companion") => Role::Companion,
            Some(other) => {
                self.problem(
                    o.role.as_ref().expect("role present").span(),
                    format!("unknown role `{other}`"),
                    Some("expected `seed` or `companion`".into()),
                );
                Role::Seed
            }
        };
        let http = match protocol {
            Some(Protocol::RestJson1) => match (&o.method, &o.path) {
                (Some(method), Some(path)) => {
                    let m = method.get_ref();
                    if !["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"].contains(&m.as_str()) {
                        self.problem(
                            method.span(),
                            format!("unknown HTTP method `{m}`"),
                            Some(
                                "expected GET, POST, PUT, DELETE, PATCH or HEAD, in upper case"
                                    .into(),
                            ),
                        );
                        ok = false;
                    }
                    if !path.get_ref().starts_with('/') {
                        self.problem(
                            path.span(),
                            format!("path `{}` does not start with `/`", path.get_ref()),
                            None,
                        );
                        ok = false;
                    }
                    HttpBinding {
                        method: m.clone(),
                        path: path.get_ref().clone(),
                    }
                }
                _ => {
                    self.problem(
                        o.name.span(),
                        format!("restJson1 operation `{name}` needs both `method` and `path`"),
                        Some("copy them from the document's Request Syntax, e.g. `method = \"POST\"` and `path = \"/putAlternateContact\"`".into()),
                    );
                    return None;
                }
            },
            // An unknown protocol is reported once, at the service; no second guess here.
            None => HttpBinding {
                method: o
                    .method
                    .as_ref()
                    .map_or("POST".into(), |m| m.get_ref().clone()),
                path: o.path.as_ref().map_or("/".into(), |p| p.get_ref().clone()),
            },
            Some(_) => {
                for (key, value) in [("method", &o.method), ("path", &o.path)] {
                    if let Some(v) = value {
                        self.problem(
                            v.span(),
                            format!("`{key}` is only for restJson1 operations"),
                            Some(
                                "awsJson operations are always `POST /`, chosen by X-Amz-Target"
                                    .into(),
                            ),
                        );
                        ok = false;
                    }
                }
                HttpBinding {
                    method: "POST".into(),
                    path: "/".into(),
                }
            }
        };
        let source = self.provenance(scope, &o.source);
        let success_status = match &o.success_status {
            Some(s) if !(200..=299).contains(s.get_ref()) => {
                self.problem(
                    s.span(),
                    format!("success status {} is not 2xx", s.get_ref()),
                    None,
                );
                ok = false;
                200
            }
            Some(s) => *s.get_ref(),
            None => 200,
        };
        let mut errors = Vec::new();
        for e in &o.errors {
            if !scope.errors.contains_key(e.get_ref()) {
                self.problem(
                    e.span(),
                    format!("operation `{name}` names unknown error `{}`", e.get_ref()),
                    Some(format!(
                        "declare it as an [[error]]; {}",
                        known_list("declared errors", scope.errors.keys())
                    )),
                );
                ok = false;
            } else if errors.contains(e.get_ref()) {
                self.problem(
                    e.span(),
                    format!("error `{}` is listed twice", e.get_ref()),
                    Some("list each error once; record a document that repeats one as a [[disagreement]]".into()),
                );
                ok = false;
            } else {
                errors.push(e.get_ref().clone());
            }
        }
        let input = self.members(scope, &o.input, MemberContext::Input, &source);
        let output = self.members(scope, &o.output, MemberContext::Output, &source);
        // When a member is broken its problem is reported; checking examples against the rest would only add noise.
        let members_ok = input.len() == o.input.len() && output.len() == o.output.len();
        ok &= members_ok;
        let response_body = match o.response_body.as_ref().map(|r| r.get_ref().as_str()) {
            None | Some("json") => ResponseBody::Json,
            Some("empty") => {
                if let Some(first) = o.output.first() {
                    self.problem(
                        first.span(),
                        format!(
                            "operation `{name}` has `response_body = \"empty\"` and output members"
                        ),
                        Some("an empty body has no members: remove one or the other".into()),
                    );
                    ok = false;
                }
                ResponseBody::Empty
            }
            Some(other) => {
                self.problem(
                    o.response_body.as_ref().expect("present").span(),
                    format!("unknown response_body `{other}`"),
                    Some("expected `json` or `empty`".into()),
                );
                ok = false;
                ResponseBody::Json
            }
        };
        // Fixture defaults must be valid values of every member that takes them.
        for member in &input {
            if let Some(key) = &member.fixture
                && let (Some(fixture), Some(raw_fixture)) =
                    (scope.fixtures.get(key), raw_fixtures.get(key))
            {
                let mut path = vec![member.name.clone()];
                let mut violations = Vec::new();
                super::validate::check_value(
                    &member.shape,
                    member.sensitive,
                    &Value::String(fixture.default.clone()),
                    &mut path,
                    &mut violations,
                );
                if let Some(v) = violations.first() {
                    self.problem(
                        raw_fixture.get_ref().default.span(),
                        format!(
                            "fixture `{key}` default `{}` is no valid {name}.{}: {}",
                            fixture.default, member.name, v.constraint
                        ),
                        Some("a fixture names something real, so its value must pass the member's constraints".into()),
                    );
                    ok = false;
                }
            }
        }
        let on_state = match &o.on_state {
            Some(raw) => {
                let expect = self.expectation(scope, raw, None, false);
                if expect.is_none() {
                    ok = false;
                }
                expect
            }
            None => None,
        };
        let mut op = Operation {
            name: name.clone(),
            role,
            http,
            mutates: o.mutates,
            guarded: o.guarded.clone(),
            input,
            output,
            response_body,
            success_status,
            on_state,
            errors,
            examples: Vec::new(),
            description: o.description.clone(),
            source,
        };
        for raw_example in &o.example {
            let e = raw_example.get_ref();
            let source = self.provenance(scope, &e.source);
            let Some(expect) = self.expectation(scope, &e.expect, Some(success_status), false)
            else {
                ok = false;
                continue;
            };
            let input = toml_table_to_json(e.input.get_ref());
            let expects_success = expect.accept.iter().all(|o| o.error_type.is_none());
            if members_ok && !self.check_example_input(&op, &input, e.input.span(), expects_success)
            {
                ok = false;
            }
            let setup = e
                .setup
                .iter()
                .map(|call| SetupCall {
                    operation: call.get_ref().operation.get_ref().clone(),
                    input: toml_table_to_json(call.get_ref().input.get_ref()),
                })
                .collect();
            op.examples.push(Example {
                title: e.title.clone(),
                input,
                setup,
                expect,
                note: e.note.clone(),
                source,
            });
        }
        ok.then_some(op)
    }

    /// An example's input names only input members, and a successful one satisfies every constraint.
    fn check_example_input(
        &mut self,
        op: &Operation,
        input: &Map<String, Value>,
        span: Range<usize>,
        expects_success: bool,
    ) -> bool {
        let mut ok = true;
        for key in input.keys() {
            if op.input_member(key).is_none() {
                self.problem(
                    span.clone(),
                    format!(
                        "example input names `{key}`, which is no input member of `{}`",
                        op.name
                    ),
                    Some(known_list(
                        "input members",
                        op.input.iter().map(|m| &m.name),
                    )),
                );
                ok = false;
            }
        }
        if expects_success {
            for v in validate_members(&op.input, input) {
                self.problem(
                    span.clone(),
                    format!(
                        "example input expected to succeed breaks a constraint at `{}`: {}",
                        v.dotted_path(),
                        v.constraint
                    ),
                    Some("fix the value, or expect the error it gets with `accept = [...]`".into()),
                );
                ok = false;
            }
        }
        ok
    }
}

impl FileCtx<'_> {
    fn snapshot_rules(&mut self, raw: &Spanned<RawSnapshots>) -> SnapshotRules {
        let mut rules = SnapshotRules::default();
        for r in &raw.get_ref().redact {
            let red = r.get_ref();
            let target = match (&red.pattern, &red.path) {
                (Some(p), None) => match regex::Regex::new(p.get_ref()) {
                    Ok(re) => RedactionTarget::Pattern(re),
                    Err(e) => {
                        self.problem(
                            p.span(),
                            format!(
                                "redaction pattern does not compile: {}",
                                e.to_string().lines().last().unwrap_or("")
                            ),
                            Some("redaction patterns use Rust regex syntax".into()),
                        );
                        continue;
                    }
                },
                (None, Some(path)) if !path.get_ref().is_empty() => {
                    RedactionTarget::Path(path.get_ref().clone())
                }
                _ => {
                    self.problem(
                        r.span(),
                        "a redaction takes exactly one of `pattern` or `path`",
                        None,
                    );
                    continue;
                }
            };
            rules.redact.push(Redaction {
                target,
                with: red.with.clone(),
            });
        }
        for s in &raw.get_ref().skip {
            let skip = s.get_ref();
            if skip.reason.get_ref().trim().is_empty() {
                self.problem(
                    skip.reason.span(),
                    "a skip needs a reason",
                    Some("say why this path cannot be compared".into()),
                );
                continue;
            }
            rules.skip.push(SkipRule {
                cases: skip.cases.get_ref().clone(),
                path: skip.path.get_ref().clone(),
                reason: skip.reason.get_ref().clone(),
            });
        }
        rules
    }

    fn restores(
        &mut self,
        scope: &Scope,
        raw: &[Spanned<RawRestore>],
        operations: &IndexMap<String, Operation>,
    ) -> Vec<Restore> {
        let mut out = Vec::new();
        for raw_restore in raw {
            let r = raw_restore.get_ref();
            let mut ok = true;
            let source = self.provenance(scope, &r.source);
            for op in &r.changed_by {
                if !operations.contains_key(op.get_ref()) {
                    self.problem(
                        op.span(),
                        format!("`changed_by` names unknown operation `{}`", op.get_ref()),
                        Some(known_list("operations", operations.keys())),
                    );
                    ok = false;
                }
            }
            match &r.absent_error {
                Some(e) if !scope.errors.contains_key(e.get_ref()) => {
                    self.problem(
                        e.span(),
                        format!("unknown error `{}`", e.get_ref()),
                        Some(known_list("declared errors", scope.errors.keys())),
                    );
                    ok = false;
                }
                _ => {}
            }
            if r.absent_error.is_some() != r.remove.is_some() {
                self.problem(
                    r.name.span(),
                    format!(
                        "restore `{}` needs both `absent_error` and `remove`, or neither",
                        r.name.get_ref()
                    ),
                    Some(
                        "state that can be absent is removed again when the run created it".into(),
                    ),
                );
                ok = false;
            }
            // The steps reuse the scenario checks: a restore is validated as a scenario whose steps are
            // `read`, then `put_back` and `remove` (which may refer to `read`'s output).
            let as_scenario = RawScenario {
                name: r.name.clone(),
                description: r.description.clone(),
                source: r.source.clone(),
                for_each: r.for_each.clone(),
                draw: IndexMap::new(),
                step: Vec::new(),
                cleanup: Vec::new(),
            };
            // A restore puts back what a real account had: its calls are sent once, never polled.
            for step in [Some(&r.read), Some(&r.put_back), r.remove.as_ref()]
                .into_iter()
                .flatten()
            {
                if let Some(poll) = &step.get_ref().poll {
                    self.problem(
                        poll.span(),
                        "a restore's calls are sent once: `poll` is for scenario steps",
                        None,
                    );
                    ok = false;
                }
            }
            let read = self.step(scope, &as_scenario, &r.read, operations, &[]);
            let earlier = vec![r.read.get_ref().name.get_ref().clone()];
            let put_back = self.step(scope, &as_scenario, &r.put_back, operations, &earlier);
            let remove = match &r.remove {
                Some(raw) => match self.step(scope, &as_scenario, raw, operations, &earlier) {
                    Some(step) => Some(step),
                    None => {
                        ok = false;
                        None
                    }
                },
                None => None,
            };
            if let (true, Some(read), Some(put_back)) = (ok, read, put_back) {
                out.push(Restore {
                    name: r.name.get_ref().clone(),
                    description: r.description.clone(),
                    for_each: r
                        .for_each
                        .iter()
                        .map(|(k, v)| (k.clone(), v.get_ref().clone()))
                        .collect(),
                    changed_by: r.changed_by.iter().map(|o| o.get_ref().clone()).collect(),
                    read,
                    absent_error: r.absent_error.as_ref().map(|e| e.get_ref().clone()),
                    put_back,
                    remove,
                    source,
                });
            }
        }
        out
    }

    fn scenarios(
        &mut self,
        scope: &Scope,
        raw: &[Spanned<RawScenario>],
        operations: &IndexMap<String, Operation>,
    ) -> Vec<Scenario> {
        let mut scenarios: Vec<Scenario> = Vec::new();
        for raw_scenario in raw {
            let r = raw_scenario.get_ref();
            let name = r.name.get_ref().clone();
            let mut ok = true;
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            {
                self.problem(
                    r.name.span(),
                    format!(
                        "invalid scenario name `{name}`: use lower-case letters, digits and `-`"
                    ),
                    None,
                );
                ok = false;
            }
            if scenarios.iter().any(|s| s.name == name) {
                self.problem(
                    r.name.span(),
                    format!("duplicate scenario name `{name}`"),
                    None,
                );
                ok = false;
            }
            let source = self.provenance(scope, &r.source);
            for (param, values) in &r.for_each {
                if values.get_ref().is_empty() {
                    self.problem(
                        values.span(),
                        format!("`for_each.{param}` has no values: the scenario would never run"),
                        None,
                    );
                    ok = false;
                }
            }
            for (draw, op) in &r.draw {
                if !operations.contains_key(op.get_ref()) {
                    self.problem(
                        op.span(),
                        format!("draw `{draw}` names unknown operation `{}`", op.get_ref()),
                        Some(known_list("operations", operations.keys())),
                    );
                    ok = false;
                }
            }
            if r.step.is_empty() {
                self.problem(
                    r.name.span(),
                    format!("scenario `{name}` has no [[scenario.step]]"),
                    None,
                );
                ok = false;
            }
            let mut seen_steps: Vec<String> = Vec::new();
            let mut steps = Vec::new();
            let mut cleanup = Vec::new();
            for (raw_steps, is_cleanup) in [(&r.step, false), (&r.cleanup, true)] {
                for raw_step in raw_steps {
                    match self.step(scope, r, raw_step, operations, &seen_steps) {
                        Some(step) => {
                            if seen_steps.contains(&step.name) {
                                self.problem(
                                    raw_step.get_ref().name.span(),
                                    format!(
                                        "duplicate step name `{}` in scenario `{name}`",
                                        step.name
                                    ),
                                    None,
                                );
                                ok = false;
                            }
                            seen_steps.push(step.name.clone());
                            if is_cleanup {
                                cleanup.push(step)
                            } else {
                                steps.push(step)
                            }
                        }
                        None => ok = false,
                    }
                }
            }
            if ok {
                scenarios.push(Scenario {
                    name,
                    description: r.description.clone(),
                    for_each: r
                        .for_each
                        .iter()
                        .map(|(k, v)| (k.clone(), v.get_ref().clone()))
                        .collect(),
                    draws: r
                        .draw
                        .iter()
                        .map(|(k, v)| (k.clone(), v.get_ref().clone()))
                        .collect(),
                    steps,
                    cleanup,
                    source,
                });
            }
        }
        scenarios
    }

    fn step(
        &mut self,
        scope: &Scope,
        scenario: &RawScenario,
        raw: &Spanned<RawStep>,
        operations: &IndexMap<String, Operation>,
        earlier: &[String],
    ) -> Option<Step> {
        let r = raw.get_ref();
        let Some(op) = operations.get(r.operation.get_ref()) else {
            self.problem(
                r.operation.span(),
                format!(
                    "step `{}` names unknown operation `{}`",
                    r.name.get_ref(),
                    r.operation.get_ref()
                ),
                Some(known_list("operations", operations.keys())),
            );
            return None;
        };
        let mut ok = true;
        let input_span = r.input.as_ref().map_or(r.name.span(), Spanned::span);
        let input = r
            .input
            .as_ref()
            .map(|i| toml_table_to_json(i.get_ref()))
            .unwrap_or_default();
        for key in input.keys() {
            if op.input_member(key).is_none() {
                self.problem(
                    input_span.clone(),
                    format!(
                        "step `{}` input names `{key}`, which is no input member of `{}`",
                        r.name.get_ref(),
                        op.name
                    ),
                    Some(known_list(
                        "input members",
                        op.input.iter().map(|m| &m.name),
                    )),
                );
                ok = false;
            }
        }
        let mut assertions = Vec::new();
        let mut referenced = vec![(Value::Object(input.clone()), input_span)];
        for a in &r.assertions {
            let a_ref = a.get_ref();
            let predicate = match (&a_ref.equals, &a_ref.contains, a_ref.absent, &a_ref.one_of) {
                (Some(v), None, None, None) => Predicate::Equals(toml_to_json(v)),
                (None, Some(v), None, None) => Predicate::Contains(toml_to_json(v)),
                (None, None, Some(true), None) => Predicate::Absent,
                (None, None, None, Some(values)) if !values.is_empty() => {
                    Predicate::OneOf(values.iter().map(toml_to_json).collect())
                }
                _ => {
                    self.problem(
                        a.span(),
                        "an assertion takes exactly one of `equals`, `contains`, `one_of` (not empty) or `absent = true`",
                        None,
                    );
                    ok = false;
                    continue;
                }
            };
            match &predicate {
                Predicate::Equals(v) | Predicate::Contains(v) => {
                    referenced.push((v.clone(), a.span()))
                }
                Predicate::OneOf(values) => {
                    referenced.extend(values.iter().map(|v| (v.clone(), a.span())))
                }
                Predicate::Absent => {}
            }
            assertions.push(Assertion {
                path: a_ref.path.get_ref().clone(),
                predicate,
            });
        }
        for (value, span) in referenced {
            match super::template::references_in(&value) {
                Err(why) => {
                    self.problem(span, why, None);
                    ok = false;
                }
                Ok(references) => {
                    for reference in references {
                        if let Some(why) =
                            self.unresolvable(scope, scenario, operations, earlier, &reference)
                        {
                            self.problem(span.clone(), why, None);
                            ok = false;
                        }
                    }
                }
            }
        }
        let expect = match &r.expect {
            Some(e) => self.expectation(scope, e, Some(op.success_status), false),
            None => Some(Expectation {
                accept: vec![Outcome::success(op.success_status)],
                uncertain: false,
                note: None,
                source: Provenance::default(),
            }),
        };
        let expect = expect?;
        if r.may_succeed && !expect.uncertain {
            self.problem(
                r.name.span(),
                format!(
                    "step `{}` has `may_succeed` without an uncertain `expect`: a success the documents allow is \
                     never certain to be wrong",
                    r.name.get_ref()
                ),
                None,
            );
            ok = false;
        }
        let poll = match &r.poll {
            None => None,
            Some(p) => {
                let raw_poll = p.get_ref();
                if raw_poll.tries == 0
                    || raw_poll.tries > u64::from(Poll::MAX_TRIES)
                    || raw_poll.interval_ms > Poll::MAX_INTERVAL_MS
                {
                    self.problem(
                        p.span(),
                        format!(
                            "`poll` takes 1 to {} tries at most {} ms apart, so that a step that never settles \
                             still ends",
                            Poll::MAX_TRIES,
                            Poll::MAX_INTERVAL_MS
                        ),
                        None,
                    );
                    ok = false;
                }
                Some(Poll {
                    tries: raw_poll.tries.min(u64::from(Poll::MAX_TRIES)) as u32,
                    interval_ms: raw_poll.interval_ms,
                })
            }
        };
        ok.then(|| Step {
            name: r.name.get_ref().clone(),
            operation: op.name.clone(),
            input,
            expect,
            assertions,
            snapshot: r.snapshot.unwrap_or(true),
            poll,
            may_succeed: r.may_succeed,
        })
    }

    /// Why a reference cannot be resolved in its scenario, if it cannot.
    fn unresolvable(
        &self,
        scope: &Scope,
        scenario: &RawScenario,
        operations: &IndexMap<String, Operation>,
        earlier: &[String],
        reference: &super::template::Reference,
    ) -> Option<String> {
        use super::template::Reference;
        match reference {
            Reference::Param(name) if !scenario.for_each.contains_key(name) => {
                Some(format!("`${{param.{name}}}` names no `for_each` parameter"))
            }
            Reference::Draw(name, member) => match scenario.draw.get(name) {
                None => Some(format!("`${{draw.{name}}}` names no `draw`")),
                Some(op) => {
                    let head = member.split('.').next().unwrap_or("");
                    let op = operations.get(op.get_ref())?;
                    (!head.is_empty() && op.input_member(head).is_none()).then(|| {
                        format!(
                            "`${{draw.{name}.{member}}}`: `{head}` is no input member of `{}`",
                            op.name
                        )
                    })
                }
            },
            Reference::Step(name, _) if !earlier.contains(name) => Some(format!(
                "`${{step.{name}.output...}}` names no earlier step"
            )),
            Reference::Fixture(key) if !scope.fixtures.contains_key(key) => {
                Some(format!("`${{fixture.{key}}}` names no declared fixture"))
            }
            _ => None,
        }
    }
}

fn known_list<'a>(what: &str, names: impl Iterator<Item = &'a String>) -> String {
    let mut names: Vec<&str> = names.map(String::as_str).collect();
    names.sort_unstable();
    if names.is_empty() {
        format!("there are no {what}")
    } else {
        format!("{what}: {}", names.join(", "))
    }
}

fn toml_table_to_json(table: &toml::Table) -> Map<String, Value> {
    table
        .iter()
        .map(|(k, v)| (k.clone(), toml_to_json(v)))
        .collect()
}

fn toml_to_json(value: &toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s.clone()),
        toml::Value::Integer(i) => Value::from(*i),
        toml::Value::Float(f) => {
            serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number)
        }
        toml::Value::Boolean(b) => Value::Bool(*b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => Value::Array(items.iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => Value::Object(toml_table_to_json(t)),
    }
}
