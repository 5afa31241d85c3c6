//! The resolved spec model: services, operations, members and their constraints, as the loader hands them on.

use indexmap::IndexMap;

use crate::model::Pattern;
pub use crate::model::rules::{
    Assertion, Disagreement, Document, Example, Expectation, Fixture, Outcome, Poll, Predicate,
    Provenance, Redaction, RedactionTarget, Restore, Role, Scenario, SetupCall, SkipRule,
    SnapshotRules, Step, ViolationRule,
};
pub use crate::model::validate::ConstraintKind;

/// Every service loaded from a set of spec files, in file order.
#[derive(Debug, Clone)]
pub struct SpecSet {
    /// The services, keyed by their `name` (`account`, `workmail`).
    pub services: IndexMap<String, Service>,
}

impl SpecSet {
    /// Finds an operation by name in any service.
    pub fn operation(&self, name: &str) -> Option<(&Service, &Operation)> {
        self.services
            .values()
            .find_map(|service| service.operations.get(name).map(|op| (service, op)))
    }

    /// Finds an operation by name, ignoring ASCII case; for friendlier command lines.
    pub fn operation_ignore_case(&self, name: &str) -> Option<(&Service, &Operation)> {
        self.operation(name).or_else(|| {
            self.services.values().find_map(|service| {
                service
                    .operations
                    .values()
                    .find(|op| op.name.eq_ignore_ascii_case(name))
                    .map(|op| (service, op))
            })
        })
    }

    /// All operations of all services, in file order.
    pub fn operations(&self) -> impl Iterator<Item = (&Service, &Operation)> {
        self.services
            .values()
            .flat_map(|service| service.operations.values().map(move |op| (service, op)))
    }
}

/// The wire protocol of a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// REST with JSON bodies: each operation has its own method and path (Account).
    RestJson1,
    /// JSON RPC 1.0: `POST /` and `X-Amz-Target` names the operation.
    AwsJson1_0,
    /// JSON RPC 1.1: `POST /` and `X-Amz-Target` names the operation (WorkMail).
    AwsJson1_1,
}

impl Protocol {
    /// The name used in spec files.
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::RestJson1 => "restJson1",
            Protocol::AwsJson1_0 => "awsJson1_0",
            Protocol::AwsJson1_1 => "awsJson1_1",
        }
    }

    /// Whether the operation is chosen by `X-Amz-Target` rather than by path.
    pub fn is_aws_json(self) -> bool {
        matches!(self, Protocol::AwsJson1_0 | Protocol::AwsJson1_1)
    }
}

/// Which region requests are signed for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegionRule {
    /// Always this region, whatever the user chose (Account: us-east-1).
    Fixed(String),
    /// The user's region, `default` when none is set; `allowed` lists where the service runs.
    Chosen {
        /// Region used when the user sets none.
        default: String,
        /// Regions the service runs in; empty means any.
        allowed: Vec<String>,
    },
}

impl RegionRule {
    /// The region to sign for, given the user's choice.
    pub fn resolve<'a>(&'a self, chosen: Option<&'a str>) -> &'a str {
        match self {
            RegionRule::Fixed(region) => region,
            RegionRule::Chosen { default, .. } => chosen.unwrap_or(default),
        }
    }
}

/// The type of a shape, with what that type carries.
#[derive(Debug, Clone)]
pub enum ShapeKind {
    /// A JSON string.
    String,
    /// A 32-bit integer.
    Integer,
    /// A 64-bit integer.
    Long,
    /// A JSON boolean.
    Boolean,
    /// A timestamp (epoch seconds on the JSON protocols).
    Timestamp,
    /// A JSON object with named members.
    Structure(Vec<Member>),
    /// A JSON array of one shape.
    List(Box<Shape>),
}

impl ShapeKind {
    /// The name used in spec files.
    pub fn name(&self) -> &'static str {
        match self {
            ShapeKind::String => "string",
            ShapeKind::Integer => "integer",
            ShapeKind::Long => "long",
            ShapeKind::Boolean => "boolean",
            ShapeKind::Timestamp => "timestamp",
            ShapeKind::Structure(_) => "structure",
            ShapeKind::List(_) => "list",
        }
    }
}

/// A resolved shape: a type plus its constraints.
#[derive(Debug, Clone)]
pub struct Shape {
    /// The named shape this came from, if any.
    pub name: Option<String>,
    /// Type and nested shapes.
    pub kind: ShapeKind,
    /// Minimum length in Unicode code points (strings) or items (lists).
    pub min_length: Option<u64>,
    /// Maximum length in Unicode code points (strings) or items (lists).
    pub max_length: Option<u64>,
    /// Minimum value (numbers).
    pub min: Option<i64>,
    /// Maximum value (numbers).
    pub max: Option<i64>,
    /// Pattern the whole string must match, with AWS's semantics.
    pub pattern: Option<Pattern>,
    /// Allowed values (strings).
    pub enum_values: Option<Vec<String>>,
    /// Whether values are masked in reports and withheld from validation messages.
    pub sensitive: bool,
    /// Where the shape comes from.
    pub source: Provenance,
}

/// A member of an input, output, error or structure.
#[derive(Debug, Clone)]
pub struct Member {
    /// The JSON key.
    pub name: String,
    /// Whether the member must be present.
    pub required: bool,
    /// Its shape, resolved.
    pub shape: Shape,
    /// Whether its value is masked: the member's own flag or its shape's.
    pub sensitive: bool,
    /// A fixture whose value the member takes in valid cases (it names something on the target).
    pub fixture: Option<String>,
    /// A fixture naming a mail domain: valid values are addresses at that domain.
    pub email_domain_fixture: Option<String>,
    /// Overrides of the service's violation expectation.
    pub on_violation: Vec<ViolationRule>,
    /// Where the member comes from.
    pub source: Provenance,
}

/// How a successful response body looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseBody {
    /// A JSON object matching the output members.
    Json,
    /// An empty HTTP body (Account's Put and Delete).
    Empty,
}

/// The HTTP binding of a restJson1 operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpBinding {
    /// HTTP method, upper case.
    pub method: String,
    /// Request path.
    pub path: String,
}

/// One operation of a service.
#[derive(Debug, Clone)]
pub struct Operation {
    /// Operation name (`PutAlternateContact`).
    pub name: String,
    /// Seed or companion.
    pub role: Role,
    /// Method and path (restJson1); awsJson operations are `POST /`.
    pub http: HttpBinding,
    /// Whether the operation changes state on the target.
    pub mutates: bool,
    /// Why the operation is off on real targets unless named with `--include` (it emails people, ...).
    pub guarded: Option<String>,
    /// Input members, in document order.
    pub input: Vec<Member>,
    /// Output members, in document order.
    pub output: Vec<Member>,
    /// How the success body looks.
    pub response_body: ResponseBody,
    /// The HTTP status of a success.
    pub success_status: u16,
    /// Errors a valid request may also get, depending on the target's state (Delete of a missing contact);
    /// a valid case accepts the success or any of these.
    pub on_state: Option<Expectation>,
    /// Names of the errors the operation can return, each declared in the service.
    pub errors: Vec<String>,
    /// The documents' sample requests.
    pub examples: Vec<Example>,
    /// One line saying what the operation does.
    pub description: String,
    /// Where it comes from.
    pub source: Provenance,
}

impl Operation {
    /// An input member by name.
    pub fn input_member(&self, name: &str) -> Option<&Member> {
        self.input.iter().find(|m| m.name == name)
    }
}

/// The side at fault for an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The caller (4xx).
    Client,
    /// The service (5xx).
    Server,
}

/// An error a service can return.
#[derive(Debug, Clone)]
pub struct ErrorShape {
    /// Bare error type (`ValidationException`).
    pub name: String,
    /// HTTP status.
    pub status: u16,
    /// Which side is at fault.
    pub fault: Fault,
    /// Whether clients retry it (throttling).
    pub retryable: bool,
    /// Body members (`message`, `Message`, `reason`, ...).
    pub members: Vec<Member>,
    /// The document's description.
    pub description: String,
    /// Where it comes from.
    pub source: Provenance,
}

/// One service and everything its spec file declares.
#[derive(Debug, Clone)]
pub struct Service {
    /// Short name used on the command line (`account`).
    pub name: String,
    /// Full name (`AWS Account`).
    pub title: String,
    /// Wire protocol.
    pub protocol: Protocol,
    /// SigV4 signing name.
    pub signing_name: String,
    /// `X-Amz-Target` prefix (awsJson only).
    pub target_prefix: Option<String>,
    /// API version (`2021-02-01`).
    pub api_version: String,
    /// Which region requests are signed for.
    pub region: RegionRule,
    /// What a constraint violation gets unless a member overrides it.
    pub on_violation: Expectation,
    /// Source documents, by id.
    pub documents: IndexMap<String, Document>,
    /// Fixtures, by key.
    pub fixtures: IndexMap<String, Fixture>,
    /// Named shapes, resolved.
    pub shapes: IndexMap<String, Shape>,
    /// Errors, by name.
    pub errors: IndexMap<String, ErrorShape>,
    /// Operations, by name, in file order.
    pub operations: IndexMap<String, Operation>,
    /// Recorded disagreements between documents.
    pub disagreements: Vec<Disagreement>,
    /// Stateful sequences of calls, in file order.
    pub scenarios: Vec<Scenario>,
    /// How responses are normalised for snapshots.
    pub snapshots: SnapshotRules,
    /// State a run records before it changes anything on a real account, and puts back after.
    pub restores: Vec<Restore>,
    /// The service of AWS's published models this file overlays (`[service] model`), when it names one.
    pub model: Option<String>,
    /// The spec file it was loaded from (`specs/account.toml`, or `<embedded>/account.toml`).
    pub file: String,
    /// Where the service metadata comes from.
    pub source: Provenance,
}

impl Service {
    /// The expectation for violating `kind` on `member`: the member's override if one applies, else the service's.
    pub fn violation_expectation<'a>(
        &'a self,
        member: &'a Member,
        kind: ConstraintKind,
    ) -> &'a Expectation {
        member
            .on_violation
            .iter()
            .find(|rule| rule.constraints.is_empty() || rule.constraints.contains(&kind))
            .map(|rule| &rule.expect)
            .unwrap_or(&self.on_violation)
    }

    /// The `X-Amz-Target` value for an operation (awsJson only).
    pub fn target(&self, operation: &str) -> Option<String> {
        self.target_prefix
            .as_ref()
            .map(|prefix| format!("{prefix}.{operation}"))
    }
}
