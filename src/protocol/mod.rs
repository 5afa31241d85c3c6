//! The wire protocols: one trait, one module per protocol; everything protocol-specific in the harness lives here.
//!
//! A [`Protocol`] turns a typed input [`Value`] into the HTTP request AWS's SDKs would send, decodes responses
//! (outputs against the output shape, errors into a type, message and where the type was found), says which
//! protocol-level malformations a request of it can carry and what AWS answers to each, and — for the embedded
//! target — does the same from the server's side.

mod aws_json;
pub mod http_binding;
mod idempotency;
pub mod json;
mod json_faults;
mod request;
mod rest_json;

pub use aws_json::AwsJson;
pub use idempotency::fill_idempotency_tokens;
pub use json_faults::{TOO_LARGE_BYTES, UNKNOWN_MEMBER};
pub use request::{encode_input, input_request, request};
pub use rest_json::RestJson1;

use crate::model::{Operation, Path, ProtocolId, Service, Value};

/// The protocol object for an id; `None` for the protocols conform does not speak yet.
pub fn for_id(id: ProtocolId) -> Option<&'static dyn Protocol> {
    static REST_JSON_1: RestJson1 = RestJson1;
    static AWS_JSON_1_0: AwsJson = AwsJson::V1_0;
    static AWS_JSON_1_1: AwsJson = AwsJson::V1_1;
    match id {
        ProtocolId::RestJson1 => Some(&REST_JSON_1),
        ProtocolId::AwsJson1_0 => Some(&AWS_JSON_1_0),
        ProtocolId::AwsJson1_1 => Some(&AWS_JSON_1_1),
        ProtocolId::AwsQuery
        | ProtocolId::Ec2Query
        | ProtocolId::RestXml
        | ProtocolId::RpcV2Cbor => None,
    }
}

/// An HTTP request as conform sends it, before signing adds its headers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HttpRequest {
    /// Method, upper case.
    pub method: String,
    /// Path and query string, percent-encoded as sent (`/2015-03-31/functions/f?Qualifier=1`).
    pub path: String,
    /// Headers in sending order, names lower case; signing adds `authorization`, `x-amz-date` and the like.
    pub headers: Vec<(String, String)>,
    /// The body, byte for byte.
    pub body: Vec<u8>,
    /// A prefix for the endpoint host (`hostPrefix`, labels filled in), e.g. `data-`.
    pub host_prefix: Option<String>,
}

impl HttpRequest {
    /// The first header of this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }

    /// Replaces (or adds) a header.
    pub fn set_header(&mut self, name: &str, value: impl Into<String>) {
        let value = value.into();
        match self
            .headers
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
        {
            Some(h) => h.1 = value,
            None => self.headers.push((name.to_ascii_lowercase(), value)),
        }
    }

    /// Removes every header of this name.
    pub fn remove_header(&mut self, name: &str) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    }

    /// The path without the query string.
    pub fn path_only(&self) -> &str {
        self.path.split('?').next().unwrap_or("")
    }

    /// The raw query string (after `?`), if any.
    pub fn query(&self) -> Option<&str> {
        self.path.split_once('?').map(|(_, q)| q)
    }
}

/// An HTTP response as received.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// Headers in received order, names lower case.
    pub headers: Vec<(String, String)>,
    /// The body, as received (possibly cut at the client's limit).
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The first header of this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Where a response carried its error type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorSource {
    /// The `X-Amzn-ErrorType` header (restJson1's server convention).
    Header,
    /// The `x-amzn-query-error` header of awsQuery-compatible JSON services.
    QueryErrorHeader,
    /// A body field: `__type`, `code` (JSON, CBOR) or `<Code>` (XML).
    Body(&'static str),
}

/// An error response, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorInfo {
    /// The bare error type (`ValidationException`), normalised: cut at the first `:`, after the last `#`.
    pub code: String,
    /// The type exactly as sent.
    pub raw_code: String,
    /// The message, from `message`, `Message` or `errorMessage` (or `<Message>`).
    pub message: Option<String>,
    /// Where the type was found.
    pub found_in: ErrorSource,
}

/// A way in which a response departs from the operation's output shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShapeProblem {
    /// Where.
    pub path: Path,
    /// What is wrong (`expected a string, found a number`, `unexpected member`, ...).
    pub problem: String,
}

/// A success response, decoded.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedOutput {
    /// The output value as far as it could be read.
    pub value: Value,
    /// Everything that departs from the output shape; empty when the response conforms.
    pub problems: Vec<ShapeProblem>,
}

/// Why a value cannot be put on the wire by this protocol.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// The member's location cannot carry this value (an object in a header, a missing URI label).
    #[error("failed to encode `{path}`: {why}")]
    CannotCarry {
        /// The member.
        path: Path,
        /// Why not.
        why: String,
    },
    /// The input does not fit the model at all (not a structure, an operation without input given members).
    #[error("failed to encode the input: {0}")]
    Input(String),
}

/// A request the server side cannot accept at the protocol level, with the error AWS answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtocolFault {
    /// HTTP status.
    pub status: u16,
    /// Error type (`SerializationException`, `UnknownOperationException`, ...).
    pub code: String,
    /// The message.
    pub message: String,
}

/// A protocol-level way to break a request, and what AWS answers to it (the wire facts, as data).
#[derive(Debug, Clone)]
pub struct Malformation {
    /// Stable class name (`body-not-json`, `target-unknown`, `method-wrong`); reports and baselines key on it.
    pub class: &'static str,
    /// What it does, for reports (`the body is not JSON`).
    pub detail: String,
    /// What AWS answers: any of these (status, error type) pairs passes; an empty error type means the status
    /// with any error type or none (a body that is not the protocol's, as real DynamoDB's 404 to a wrong
    /// Content-Type).
    pub accept: Vec<(u16, &'static str)>,
    /// Answers that depend on the operation, which the oracle knows and the protocol does not: AWS may also answer
    /// as it would to these requests.
    pub also_as: Vec<AnswerAs>,
    /// Why the answer is not certain, when no capture of AWS settles which of the errors (or which one at all)
    /// AWS sends; `None` when the wire facts settle it.
    pub uncertain: Option<&'static str>,
    /// Whether AWS certainly refuses the request with some client error, even when which one is uncertain
    /// (a success to it is then a deviation whatever the expectation's uncertainty).
    pub certainly_fails: bool,
    /// Where the expectation comes from (`wire-facts: What real AWS does with protocol faults`).
    pub source: &'static str,
}

/// A request whose answer a malformed one may share; see [`Malformation::also_as`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AnswerAs {
    /// The valid request it was made from: the malformation changes nothing AWS reads (an unknown member).
    Valid,
    /// The valid request's input without the members its body carries (an empty body read as `{}`); on awsJson,
    /// where every member is in the body, that is no input at all.
    WithoutBody,
}

/// One AWS wire protocol, client and server side.
pub trait Protocol: Send + Sync {
    /// Which protocol this is.
    fn id(&self) -> ProtocolId;

    /// The request an SDK would send for `input` (a structure value of the operation's input shape, or an empty
    /// structure when it has none); unsigned. Values of the wrong type ([`Value::Raw`]) are sent as they are where
    /// the location can carry them.
    fn encode(
        &self,
        service: &Service,
        op: &Operation,
        input: &Value,
    ) -> Result<HttpRequest, EncodeError>;

    /// The error a response carries, if it is an error response the protocol can read.
    fn decode_error(&self, service: &Service, response: &HttpResponse) -> Option<ErrorInfo>;

    /// A success response read against the operation's output shape.
    fn decode_output(
        &self,
        service: &Service,
        op: &Operation,
        response: &HttpResponse,
    ) -> DecodedOutput;

    /// The Content-Type of request bodies (and of the server's responses).
    fn content_type(&self) -> &'static str;

    /// Whether a request of this operation may legitimately have no body (restJson1 with nothing in the body).
    fn body_optional(&self, service: &Service, op: &Operation) -> bool;

    /// The protocol-level malformations a request of `op` can carry.
    fn malformations(&self, service: &Service, op: &Operation) -> Vec<Malformation>;

    /// Applies a malformation to a correctly encoded request; `None` when it does not apply.
    fn malform(
        &self,
        service: &Service,
        op: &Operation,
        class: &str,
        request: &HttpRequest,
    ) -> Option<HttpRequest>;

    /// Server side: the operation a request asks for.
    fn route<'s>(
        &self,
        service: &'s Service,
        request: &HttpRequest,
    ) -> Result<&'s Operation, ProtocolFault>;

    /// Server side: the typed input of a request (type mismatches are protocol faults on AWS's JSON services).
    fn decode_input(
        &self,
        service: &Service,
        op: &Operation,
        request: &HttpRequest,
    ) -> Result<Value, ProtocolFault>;

    /// Server side: a success response carrying `output`.
    fn encode_output(&self, service: &Service, op: &Operation, output: &Value) -> HttpResponse;

    /// Server side: an error response of type `code` with `message` and further body members.
    fn encode_error(
        &self,
        service: &Service,
        status: u16,
        code: &str,
        message: &str,
        members: &Value,
    ) -> HttpResponse;
}

/// Normalises an error type as AWS's SDKs do: cut at the first `:`, keep what follows the last `#`.
pub fn normalise_error_code(raw: &str) -> String {
    let head = raw.split(':').next().unwrap_or(raw).trim();
    head.rsplit('#').next().unwrap_or(head).to_string()
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod normalise_tests {
    use super::*;

    #[test]
    fn error_codes_are_normalised_as_sdks_do() {
        assert_eq!(
            normalise_error_code("com.amazon.coral.service#SerializationException"),
            "SerializationException"
        );
        assert_eq!(
            normalise_error_code(
                "UnrecognizedClientException:http://internal.amazon.com/coral/com.amazon.coral.service/"
            ),
            "UnrecognizedClientException"
        );
        assert_eq!(
            normalise_error_code("ValidationException"),
            "ValidationException"
        );
    }
}
