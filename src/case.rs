//! A test case — the request to send, how to sign it, and the outcome expected — shared by every stage.

use serde::Serialize;

use crate::spec::{Expectation, Outcome};

/// An HTTP request exactly as it goes on the wire, before signing adds its headers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WireRequest {
    /// HTTP method (`POST`).
    pub method: String,
    /// Path and query (`/putAlternateContact`).
    pub path: String,
    /// Headers in sending order, names lower case; signing adds `authorization`, `x-amz-date` and the like.
    pub headers: Vec<(String, String)>,
    /// The body, byte for byte as sent (text: malformed bodies are text too).
    pub body: String,
}

impl WireRequest {
    /// The first header of this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// An HTTP response as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireResponse {
    /// Status code.
    pub status: u16,
    /// Headers in received order, names lower case.
    pub headers: Vec<(String, String)>,
    /// The body, as received (possibly truncated to the client's limit).
    pub body: Vec<u8>,
}

impl WireResponse {
    /// The first header of this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// How a case's request is signed; all but `Valid` test the target's authentication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Signing {
    /// SigV4 over the exact bytes sent, with the configured credentials.
    Valid,
    /// No `Authorization` header at all.
    Unsigned,
    /// A well-formed SigV4 header whose signature is wrong.
    BadSignature,
    /// Signed correctly with an access key the target does not know.
    UnknownAccessKey,
    /// Signed correctly but dated outside AWS's 15-minute window.
    Expired,
}

/// The family a case belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseKind {
    /// Every member satisfies its constraints: expect success.
    Valid,
    /// Exactly one constraint violated: expect the violation's error.
    Invalid,
    /// Broken at the protocol level: body, headers, method, path or signature.
    Malformed,
    /// A step of a stateful sequence.
    Scenario,
}

impl CaseKind {
    /// The name used on the command line and in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            CaseKind::Valid => "valid",
            CaseKind::Invalid => "invalid",
            CaseKind::Malformed => "malformed",
            CaseKind::Scenario => "scenario",
        }
    }
}

/// What a non-valid case broke, precisely enough to read and to key a baseline on.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Mutation {
    /// The member broken, as a dotted path; `None` for protocol-level breaks.
    pub member: Option<String>,
    /// A stable class name (`length-max+1`, `pattern-middle`, `enum-case`, `body-not-json`, `unsigned`, ...).
    pub class: String,
    /// A human sentence saying what was done (`Name is 65 characters, one over the maximum of 64`).
    pub detail: String,
}

/// What a case expects, as carried in reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    /// The outcomes that count as a pass; the first is the one shown.
    pub accept: Vec<Outcome>,
    /// True when the expectation rests on unverified AWS behaviour: reported apart, never a deviation.
    pub uncertain: bool,
    /// Why, when that is not obvious.
    pub note: Option<String>,
}

impl From<&Expectation> for Expected {
    fn from(e: &Expectation) -> Self {
        Expected {
            accept: e.accept.clone(),
            uncertain: e.uncertain,
            note: e.note.clone(),
        }
    }
}

impl Expected {
    /// The outcome shown as "expected".
    pub fn primary(&self) -> &Outcome {
        &self.accept[0]
    }

    /// Whether a response with this status and (normalised) error type passes.
    pub fn accepts(&self, status: u16, error_type: Option<&str>) -> bool {
        self.accept
            .iter()
            .any(|o| o.status == status && o.error_type.as_deref() == error_type)
    }
}

/// One generated test case.
#[derive(Debug, Clone)]
pub struct Case {
    /// Stable id: the same seed gives the same ids on any machine.
    pub id: String,
    /// Service name (`account`).
    pub service: String,
    /// Operation name (`PutAlternateContact`).
    pub operation: String,
    /// Valid, invalid, malformed or scenario.
    pub kind: CaseKind,
    /// What was broken, for non-valid cases.
    pub mutation: Option<Mutation>,
    /// The request, unsigned.
    pub request: WireRequest,
    /// How to sign it.
    pub signing: Signing,
    /// What it should produce.
    pub expected: Expected,
}
