//! The resolved spec model: services, operations, members and their constraints, as the loader hands them on.

use indexmap::IndexMap;
use serde_json::Value;

use super::pattern::Pattern;

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

    /// The request Content-Type the protocol requires.
    pub fn content_type(self) -> &'static str {
        match self {
            Protocol::RestJson1 => "application/json",
            Protocol::AwsJson1_0 => "application/x-amz-json-1.0",
            Protocol::AwsJson1_1 => "application/x-amz-json-1.1",
        }
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

/// Where a fact in a spec comes from: a document id declared in the file and the place in it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Provenance {
    /// The `source` text as written, e.g. `put-api: Request Body / AccountId`.
    pub text: String,
    /// The document ids it names, each declared under `[documents]`.
    pub documents: Vec<String>,
}

/// A source document a spec is derived from.
#[derive(Debug, Clone)]
pub struct Document {
    /// Short id used in `source` fields.
    pub id: String,
    /// Where it lives, relative to `../shared/` (or a description for material outside it).
    pub file: String,
    /// Its title.
    pub title: String,
}

/// A place where two documents (or a document and the model) disagree, and the side the spec follows.
#[derive(Debug, Clone)]
pub struct Disagreement {
    /// What the disagreement is about.
    pub about: String,
    /// What each side says.
    pub sides: Vec<String>,
    /// The side the spec follows.
    pub follows: String,
    /// Why.
    pub why: String,
}

/// One acceptable outcome of a request: a status and, for errors, the error type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Outcome {
    /// HTTP status code.
    pub status: u16,
    /// Bare error type (`ValidationException`); `None` for a success.
    pub error_type: Option<String>,
}

impl Outcome {
    /// A success with this status.
    pub fn success(status: u16) -> Self {
        Outcome {
            status,
            error_type: None,
        }
    }
}

/// What a request is expected to produce: any one of `accept`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectation {
    /// The acceptable outcomes; never empty.
    pub accept: Vec<Outcome>,
    /// True when no capture of real AWS confirms the expectation: reported apart, never as a deviation.
    pub uncertain: bool,
    /// Why the expectation is what it is, when that is not obvious.
    pub note: Option<String>,
    /// Where the expectation comes from.
    pub source: Provenance,
}

impl Expectation {
    /// The first acceptable outcome, the one a report shows as "expected".
    pub fn primary(&self) -> &Outcome {
        &self.accept[0]
    }

    /// Whether a response with this status and error type satisfies the expectation.
    pub fn accepts(&self, status: u16, error_type: Option<&str>) -> bool {
        self.accept
            .iter()
            .any(|o| o.status == status && o.error_type.as_deref() == error_type)
    }
}

/// The kinds of constraint a request can violate; `on_violation` rules select by them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ConstraintKind {
    /// A required member is missing.
    Required,
    /// A member is an explicit JSON null.
    Null,
    /// A string or list is shorter or longer than allowed.
    Length,
    /// A number is outside its range.
    Range,
    /// A string does not match its pattern.
    Pattern,
    /// A string is not one of the enum values.
    Enum,
    /// A value has the wrong JSON type.
    Type,
}

impl ConstraintKind {
    /// Every kind, in a fixed order.
    pub const ALL: [ConstraintKind; 7] = [
        ConstraintKind::Required,
        ConstraintKind::Null,
        ConstraintKind::Length,
        ConstraintKind::Range,
        ConstraintKind::Pattern,
        ConstraintKind::Enum,
        ConstraintKind::Type,
    ];

    /// The name used in spec files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            ConstraintKind::Required => "required",
            ConstraintKind::Null => "null",
            ConstraintKind::Length => "length",
            ConstraintKind::Range => "range",
            ConstraintKind::Pattern => "pattern",
            ConstraintKind::Enum => "enum",
            ConstraintKind::Type => "type",
        }
    }

    /// Parses a spec-file name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// An override of the expected outcome for some violations of one member.
#[derive(Debug, Clone)]
pub struct ViolationRule {
    /// The violations it applies to; all kinds when the spec names none.
    pub constraints: Vec<ConstraintKind>,
    /// The expectation for those violations.
    pub expect: Expectation,
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

/// Whether an operation is one the project tests or one it uses to observe state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// One of the operations from the seed documents.
    Seed,
    /// An operation needed to observe what the seed operations did.
    Companion,
}

impl Role {
    /// The name used in spec files.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Seed => "seed",
            Role::Companion => "companion",
        }
    }
}

/// A call made before an example, to put the target in the state the example needs.
#[derive(Debug, Clone)]
pub struct SetupCall {
    /// Operation name in the same service.
    pub operation: String,
    /// The JSON input.
    pub input: serde_json::Map<String, Value>,
}

/// A sample request from a document, run as a fixed case.
#[derive(Debug, Clone)]
pub struct Example {
    /// What the example shows.
    pub title: String,
    /// The JSON input, as sent.
    pub input: serde_json::Map<String, Value>,
    /// Calls to make first.
    pub setup: Vec<SetupCall>,
    /// What it should produce.
    pub expect: Expectation,
    /// How the case departs from the document, if it does.
    pub note: Option<String>,
    /// Where the example comes from.
    pub source: Provenance,
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

/// A value on the target that some members must name; overridable with `--fixture KEY=VALUE`.
#[derive(Debug, Clone)]
pub struct Fixture {
    /// `service.Member` key.
    pub key: String,
    /// Value used when the user gives none.
    pub default: String,
    /// What it must name.
    pub description: String,
    /// A well-formed value that names nothing, for the not-found case class.
    pub unknown: Option<String>,
    /// What a request naming `unknown` should produce.
    pub on_unknown: Option<Expectation>,
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

/// A stateful sequence of calls that shows whether a target keeps state as AWS does.
///
/// String values in step inputs and assertions may hold references, replaced when the step runs:
/// `${param.NAME}` (a `for_each` value), `${draw.NAME.Member}` (a member of a valid input drawn for an operation,
/// property-based and shrunk on failure), `${step.NAME.output.Path}` (a member of an earlier step's response) and
/// `${fixture.KEY}`. A string that is exactly one reference takes the referenced JSON value, of any type.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Kebab-case name, unique in the service.
    pub name: String,
    /// What it shows.
    pub description: String,
    /// Parameters: the scenario runs once per combination of values.
    pub for_each: IndexMap<String, Vec<String>>,
    /// Drawn inputs: name → the operation a valid input is drawn for.
    pub draws: IndexMap<String, String>,
    /// The calls, in order; the first failing step fails the scenario.
    pub steps: Vec<Step>,
    /// Calls that undo what the steps did; always run, and their failures are reported but do not hide the steps'.
    pub cleanup: Vec<Step>,
    /// Where it comes from.
    pub source: Provenance,
}

/// One call of a scenario.
#[derive(Debug, Clone)]
pub struct Step {
    /// Name, unique in the scenario; later steps refer to its output by it.
    pub name: String,
    /// The operation, in the same service.
    pub operation: String,
    /// The input, with references.
    pub input: serde_json::Map<String, Value>,
    /// The expected outcome; success when the spec gives none.
    pub expect: Expectation,
    /// What the response body must hold.
    pub assertions: Vec<Assertion>,
    /// Whether the response is snapshotted: false for steps that read state the scenario did not set.
    pub snapshot: bool,
}

/// A claim about a step's response body.
#[derive(Debug, Clone, PartialEq)]
pub struct Assertion {
    /// Dotted member path in the response body (`AlternateContact.Name`).
    pub path: String,
    /// What must hold there.
    pub predicate: Predicate,
}

/// What an assertion checks.
#[derive(Debug, Clone, PartialEq)]
pub enum Predicate {
    /// The value equals this (after references are replaced).
    Equals(Value),
    /// The value is a list that contains this.
    Contains(Value),
    /// The member is absent (or null).
    Absent,
}

/// Redaction and skip rules for response snapshots.
#[derive(Debug, Clone, Default)]
pub struct SnapshotRules {
    /// Replacements applied in order to the normalised snapshot text or at body paths.
    pub redact: Vec<Redaction>,
    /// Body paths left out of some snapshots, each with the reason.
    pub skip: Vec<SkipRule>,
}

/// What a redaction replaces.
#[derive(Debug, Clone)]
pub enum RedactionTarget {
    /// Every match of a regex (Rust syntax) in the snapshot text.
    Pattern(regex::Regex),
    /// The value at a dotted path of the response body (`EnabledDate`).
    Path(String),
}

/// One redaction: a volatile value replaced by a stable placeholder.
#[derive(Debug, Clone)]
pub struct Redaction {
    /// What is replaced.
    pub target: RedactionTarget,
    /// The placeholder (`<account-id>`).
    pub with: String,
}

/// A body path left out of the snapshots of matching cases.
#[derive(Debug, Clone)]
pub struct SkipRule {
    /// Case ids it applies to: `*` matches any run of characters.
    pub cases: String,
    /// Dotted body path.
    pub path: String,
    /// Why (LocalStack-style: every skip says why).
    pub reason: String,
}

impl SkipRule {
    /// Whether the rule applies to a case id.
    pub fn matches(&self, case_id: &str) -> bool {
        glob_match(&self.cases, case_id)
    }
}

/// `*`-only glob matching.
fn glob_match(glob: &str, text: &str) -> bool {
    let parts: Vec<&str> = glob.split('*').collect();
    if parts.len() == 1 {
        return glob == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || !text[first.len()..].ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    true
}

/// A piece of state that cases may change, and how to record and put it back (real accounts lose nothing).
#[derive(Debug, Clone)]
pub struct Restore {
    /// Name (`alternate-contacts`).
    pub name: String,
    /// What it covers.
    pub description: String,
    /// Parameters: one recording per combination (each contact type).
    pub for_each: IndexMap<String, Vec<String>>,
    /// Operations whose cases can change it.
    pub changed_by: Vec<String>,
    /// Reads the current state; its output is `${step.read.output...}` for `put_back`.
    pub read: Step,
    /// The error `read` answers when there is nothing (`ResourceNotFoundException`), for state that can be absent.
    pub absent_error: Option<String>,
    /// Puts the recorded state back.
    pub put_back: Step,
    /// Removes what the run created where nothing was before (with `absent_error`).
    pub remove: Option<Step>,
    /// Where it comes from.
    pub source: Provenance,
}
