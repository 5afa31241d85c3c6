//! What the spec files add to a model: provenance, expectation rules, fixtures, examples, scenarios, snapshots and restores.

use indexmap::IndexMap;
use serde_json::Value;

use super::validate::ConstraintKind;

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
    /// The places where, because of this disagreement, the spec file overrides the published model it overlays
    /// (`Name.max_length`, as `conform spec check` names them): `spec check` reports them as notes, not errors.
    pub overrides: Vec<String>,
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

/// An override of the expected outcome for some violations of one member.
#[derive(Debug, Clone)]
pub struct ViolationRule {
    /// The violations it applies to; all kinds when the spec names none.
    pub constraints: Vec<ConstraintKind>,
    /// The expectation for those violations.
    pub expect: Expectation,
}

/// Whether an operation is one the project tests or one it uses to observe state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Role {
    /// One of the operations from the seed documents.
    Seed,
    /// An operation needed to observe what the seed operations did.
    Companion,
    /// An operation from a published model that no spec file describes.
    #[default]
    Imported,
}

impl Role {
    /// The name used in spec files.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Seed => "seed",
            Role::Companion => "companion",
            Role::Imported => "imported",
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
    /// Re-sent until its expectation and assertions hold, for state AWS changes asynchronously.
    pub poll: Option<Poll>,
    /// With an uncertain expectation of an error: no document settles whether the request fails at all, so a
    /// success is reported uncertain too, not as a deviation.
    pub may_succeed: bool,
}

/// How often, and how far apart, a polling step is re-sent; bounded by the loader (see [`Poll::MAX_TRIES`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Poll {
    /// Sends at most, the first included.
    pub tries: u32,
    /// Wait between two sends, in milliseconds.
    pub interval_ms: u64,
}

impl Poll {
    /// At most this many sends: a step that never settles fails in bounded time.
    pub const MAX_TRIES: u32 = 100;
    /// At most this long between two sends.
    pub const MAX_INTERVAL_MS: u64 = 5_000;
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
    /// The value equals one of these (after references are replaced).
    OneOf(Vec<Value>),
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

/// How a spec file that overlays a published model compares with it: what `conform spec check` reports and
/// `conform spec show` marks.
#[derive(Debug, Clone, Default)]
pub struct OverlayReport {
    /// The model overlaid (`botocore account/2021-02-01`).
    pub model: String,
    /// The model file.
    pub model_file: String,
    /// Every difference, in the order the merge met them.
    pub findings: Vec<Finding>,
}

impl OverlayReport {
    /// Whether any finding fails `conform spec check`.
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(Finding::is_error)
    }
}

/// One place where a spec file and the model it overlays differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The place, as `[[disagreement]] overrides` names it: `Name.max_length`, `PutThing.input.Name.required`.
    pub place: String,
    /// The table of the spec file it is in (`[[shape]] Name`, `[[operation]] PutThing, input member Name`).
    pub table: String,
    /// The operation it concerns, when it is in one.
    pub operation: Option<String>,
    /// The named shape it is on, when it is on one (operations reaching the shape show it).
    pub shape: Option<String>,
    /// What differs.
    pub kind: FindingKind,
    /// The `about` of the `[[disagreement]]` that lists the place in `overrides`: the difference is meant.
    pub acknowledged: Option<String>,
}

/// What differs between a spec file and its model at one place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FindingKind {
    /// The spec file names something the model lacks (a typo, or another version of the model): an error.
    Unknown {
        /// What is missing (`input member \`Nmae\``).
        what: String,
        /// The model's closest name, when one is close.
        closest: Option<String>,
    },
    /// The spec file gives another type than the model: an error.
    Type {
        /// The spec file's type.
        spec: String,
        /// The model's.
        model: String,
    },
    /// A constraint (or the errors, the HTTP binding, ...) differs; the spec file wins.
    Differs {
        /// The spec file's value (`max_length 64`).
        spec: String,
        /// Its `source`.
        spec_source: String,
        /// The model's value (`max_length 50`, `no pattern`).
        model: String,
    },
    /// The model adds a constraint the spec file does not restate (it applies, and comes from the model).
    FromModel {
        /// The constraint (`pattern \\d{12}`).
        model: String,
    },
    /// A `[[disagreement]]` lists a place where the spec file and the model agree (or that names nothing).
    Stale {
        /// The disagreement's `about`.
        about: String,
    },
}

impl Finding {
    /// Whether `conform spec check` fails on it: names the model lacks, other types and other constraints,
    /// unless a `[[disagreement]]` acknowledges them; stale acknowledgements.
    pub fn is_error(&self) -> bool {
        match &self.kind {
            FindingKind::Unknown { .. }
            | FindingKind::Type { .. }
            | FindingKind::Differs { .. } => self.acknowledged.is_none(),
            FindingKind::Stale { .. } => true,
            FindingKind::FromModel { .. } => false,
        }
    }

    /// One line: `<table>: <what>`, and the disagreement that acknowledges it.
    pub fn describe(&self) -> String {
        let mut text = self.what();
        if let Some(about) = &self.acknowledged {
            text.push_str(&format!("; acknowledged by [[disagreement]] `{about}`"));
        }
        text
    }

    fn what(&self) -> String {
        match &self.kind {
            FindingKind::Unknown { what, closest } => format!(
                "{} ({}): {what} is not in the model{}",
                self.table,
                self.place,
                closest
                    .as_ref()
                    .map(|c| format!("; the closest model name is `{c}`"))
                    .unwrap_or_default()
            ),
            FindingKind::Type { spec, model } => format!(
                "{} ({}): spec file: type {spec}; model: type {model}",
                self.table, self.place
            ),
            FindingKind::Differs {
                spec,
                spec_source,
                model,
            } => format!(
                "{} ({}): spec file: {spec}{}; model: {model}",
                self.table,
                self.place,
                if spec_source.is_empty() {
                    String::new()
                } else {
                    format!(" ({spec_source})")
                },
            ),
            FindingKind::FromModel { model } => {
                format!("{} ({}): from the model: {model}", self.table, self.place)
            }
            FindingKind::Stale { about } => format!(
                "[[disagreement]] `{about}`: overrides `{}`, where the spec file and the model do not differ",
                self.place
            ),
        }
    }
}
