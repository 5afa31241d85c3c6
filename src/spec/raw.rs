//! The spec file format as serde reads it, with spans kept for diagnostics; the loader turns it into the model.

use indexmap::IndexMap;
use serde::Deserialize;
use toml::Spanned;

/// A whole spec file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFile {
    pub service: Spanned<RawService>,
    #[serde(default)]
    pub documents: IndexMap<String, Spanned<RawDocument>>,
    #[serde(default)]
    pub fixtures: IndexMap<String, Spanned<RawFixture>>,
    #[serde(default)]
    pub shape: Vec<Spanned<RawMember>>,
    #[serde(default)]
    pub error: Vec<Spanned<RawError>>,
    #[serde(default)]
    pub operation: Vec<Spanned<RawOperation>>,
    #[serde(default)]
    pub disagreement: Vec<Spanned<RawDisagreement>>,
    #[serde(default)]
    pub scenario: Vec<Spanned<RawScenario>>,
    pub snapshots: Option<Spanned<RawSnapshots>>,
    #[serde(default)]
    pub restore: Vec<Spanned<RawRestore>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawService {
    pub name: Spanned<String>,
    pub title: String,
    pub protocol: Spanned<String>,
    pub signing_name: Spanned<String>,
    pub target_prefix: Option<Spanned<String>>,
    pub api_version: String,
    pub region: Spanned<RawRegion>,
    pub source: Spanned<String>,
    pub on_violation: Option<Spanned<RawExpect>>,
    pub model: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRegion {
    pub fixed: Option<String>,
    pub default: Option<String>,
    #[serde(default)]
    pub allowed: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDocument {
    pub file: String,
    pub title: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFixture {
    pub default: Spanned<String>,
    pub description: String,
    pub source: Spanned<String>,
    pub unknown: Option<Spanned<String>>,
    pub on_unknown: Option<Spanned<RawExpect>>,
}

/// An expectation: `status` alone for a success, `accept` for errors; `constraints` only in member rules.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawExpect {
    pub status: Option<Spanned<u16>>,
    #[serde(default)]
    pub accept: Vec<Spanned<String>>,
    #[serde(default)]
    pub uncertain: bool,
    pub note: Option<String>,
    pub source: Option<Spanned<String>>,
    #[serde(default)]
    pub constraints: Vec<Spanned<String>>,
}

/// A named shape, a member, or a structure's member: the same keys, checked per context by the loader.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMember {
    pub name: Spanned<String>,
    pub shape: Option<Spanned<String>>,
    #[serde(rename = "type")]
    pub type_name: Option<Spanned<String>>,
    pub required: Option<Spanned<bool>>,
    pub min_length: Option<Spanned<i64>>,
    pub max_length: Option<Spanned<i64>>,
    pub min: Option<Spanned<i64>>,
    pub max: Option<Spanned<i64>>,
    pub pattern: Option<Spanned<String>>,
    #[serde(rename = "enum")]
    pub enum_values: Option<Spanned<Vec<Spanned<String>>>>,
    pub sensitive: Option<bool>,
    pub item: Option<Spanned<String>>,
    #[serde(default)]
    pub member: Vec<Spanned<RawMember>>,
    pub fixture: Option<Spanned<String>>,
    pub email_domain_fixture: Option<Spanned<String>>,
    #[serde(default)]
    pub on_violation: Vec<Spanned<RawExpect>>,
    pub source: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawError {
    pub name: Spanned<String>,
    pub status: Spanned<u16>,
    pub fault: Spanned<String>,
    #[serde(default)]
    pub retryable: bool,
    pub description: Option<String>,
    pub source: Spanned<String>,
    #[serde(default)]
    pub member: Vec<Spanned<RawMember>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawOperation {
    pub name: Spanned<String>,
    pub role: Option<Spanned<String>>,
    pub method: Option<Spanned<String>>,
    pub path: Option<Spanned<String>>,
    #[serde(default)]
    pub mutates: bool,
    pub guarded: Option<String>,
    pub response_body: Option<Spanned<String>>,
    pub success_status: Option<Spanned<u16>>,
    pub on_state: Option<Spanned<RawExpect>>,
    #[serde(default)]
    pub errors: Vec<Spanned<String>>,
    pub description: String,
    pub source: Spanned<String>,
    #[serde(default)]
    pub input: Vec<Spanned<RawMember>>,
    #[serde(default)]
    pub output: Vec<Spanned<RawMember>>,
    #[serde(default)]
    pub example: Vec<Spanned<RawExample>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawExample {
    pub title: String,
    pub source: Spanned<String>,
    pub note: Option<String>,
    #[serde(default)]
    pub setup: Vec<Spanned<RawSetup>>,
    pub input: Spanned<toml::Table>,
    pub expect: Spanned<RawExpect>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSetup {
    pub operation: Spanned<String>,
    pub input: Spanned<toml::Table>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDisagreement {
    pub about: String,
    pub sides: Vec<String>,
    pub follows: String,
    pub why: String,
    #[serde(default)]
    pub overrides: Vec<Spanned<String>>,
}

/// A stateful sequence of calls.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawScenario {
    pub name: Spanned<String>,
    pub description: String,
    pub source: Spanned<String>,
    #[serde(default)]
    pub for_each: IndexMap<String, Spanned<Vec<String>>>,
    #[serde(default)]
    pub draw: IndexMap<String, Spanned<String>>,
    #[serde(default)]
    pub step: Vec<Spanned<RawStep>>,
    #[serde(default)]
    pub cleanup: Vec<Spanned<RawStep>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawStep {
    pub name: Spanned<String>,
    pub operation: Spanned<String>,
    pub input: Option<Spanned<toml::Table>>,
    pub expect: Option<Spanned<RawExpect>>,
    #[serde(default, rename = "assert")]
    pub assertions: Vec<Spanned<RawAssertion>>,
    pub snapshot: Option<bool>,
    pub poll: Option<Spanned<RawPoll>>,
    #[serde(default)]
    pub may_succeed: bool,
}

/// How a step is re-sent until its expectation and assertions hold (state AWS changes asynchronously).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPoll {
    pub tries: u64,
    pub interval_ms: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAssertion {
    pub path: Spanned<String>,
    pub equals: Option<toml::Value>,
    pub contains: Option<toml::Value>,
    pub absent: Option<bool>,
    pub one_of: Option<Vec<toml::Value>>,
}

/// How responses are normalised before they are snapshotted.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSnapshots {
    #[serde(default)]
    pub redact: Vec<Spanned<RawRedaction>>,
    #[serde(default)]
    pub skip: Vec<Spanned<RawSkip>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRedaction {
    pub pattern: Option<Spanned<String>>,
    pub path: Option<Spanned<String>>,
    pub with: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSkip {
    pub cases: Spanned<String>,
    pub path: Spanned<String>,
    pub reason: Spanned<String>,
}

/// How to record and put back state a run may change on a real account.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRestore {
    pub name: Spanned<String>,
    pub description: String,
    pub source: Spanned<String>,
    #[serde(default)]
    pub for_each: IndexMap<String, Spanned<Vec<String>>>,
    /// Operations whose cases can change this state.
    pub changed_by: Vec<Spanned<String>>,
    pub read: Spanned<RawStep>,
    /// The error `read` answers when the state is absent.
    pub absent_error: Option<Spanned<String>>,
    /// Puts the recorded state back; may refer to `${step.read.output...}`.
    pub put_back: Spanned<RawStep>,
    /// Removes what the run created where nothing was before.
    pub remove: Option<Spanned<RawStep>>,
}
