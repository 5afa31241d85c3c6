//! The wire protocols: one trait, one module per protocol; everything protocol-specific in the harness lives here.
//!
//! A [`Protocol`] turns a typed input [`Value`] into the HTTP request AWS's SDKs would send, decodes responses
//! (outputs against the output shape, errors into a type, message and where the type was found), says which
//! protocol-level malformations a request of it can carry and what AWS answers to each, and — for the embedded
//! target — does the same from the server's side.

mod aws_json;
pub(crate) mod cbor;
pub mod checksum;
pub mod http_binding;
mod idempotency;
pub mod json;
mod json_faults;
pub(crate) mod json_server;
mod query;
mod query_faults;
pub mod query_xml;
mod rest_json;
mod rest_xml;
pub mod rpcv2_cbor;
mod rpcv2_cbor_faults;

pub use aws_json::AwsJson;
pub use idempotency::fill_idempotency_tokens;
pub(crate) use idempotency::with_idempotency_tokens;
pub use json_faults::{TOO_LARGE_BYTES, UNKNOWN_MEMBER};
pub use query::{AwsQuery, form_decode, form_encode};
pub use rest_json::RestJson1;
pub use rest_xml::RestXml;
pub use rpcv2_cbor::RpcV2Cbor;

/// The protocol object for a protocol id; `None` for the protocols conform does not speak yet.
pub fn for_id(id: ProtocolId) -> Option<&'static dyn Protocol> {
    static REST_JSON_1: RestJson1 = RestJson1;
    static AWS_JSON_1_0: AwsJson = AwsJson::V1_0;
    static AWS_JSON_1_1: AwsJson = AwsJson::V1_1;
    static AWS_QUERY: AwsQuery = AwsQuery::QUERY;
    static EC2_QUERY: AwsQuery = AwsQuery::EC2;
    static RPC_V2_CBOR: RpcV2Cbor = RpcV2Cbor;
    static REST_XML: RestXml = RestXml;
    match id {
        ProtocolId::RestJson1 => Some(&REST_JSON_1),
        ProtocolId::AwsJson1_0 => Some(&AWS_JSON_1_0),
        ProtocolId::AwsJson1_1 => Some(&AWS_JSON_1_1),
        ProtocolId::AwsQuery => Some(&AWS_QUERY),
        ProtocolId::Ec2Query => Some(&EC2_QUERY),
        ProtocolId::RpcV2Cbor => Some(&RPC_V2_CBOR),
        ProtocolId::RestXml => Some(&REST_XML),
    }
}

use crate::model::{Operation, Path, ProtocolId, Service, Value};

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

    /// Removes every header of this name.
    pub fn remove_header(&mut self, name: &str) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
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

/// Which outcomes of the unbroken request a malformation's expectation also accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Also {
    /// Only the listed outcomes.
    Nothing,
    /// Whatever the valid input itself expects (the target ignored the oddity, as AWS does with unknown members).
    Valid,
    /// Whatever a request with no input expects (an empty body read as "no members").
    EmptyInput,
}

/// What AWS answers to a request the protocol shapes in some particular way: wire facts as data.
#[derive(Debug, Clone)]
pub struct WireExpectation {
    /// Accepted (status, error type) pairs; `None` as type: the status with no error type (404 with an HTML body).
    pub accept: Vec<(u16, Option<&'static str>)>,
    /// Outcomes of the unbroken request that also pass.
    pub also: Also,
    /// Why the answer is not certain, when no capture of AWS settles which answer (or which error) AWS sends.
    pub uncertain: Option<&'static str>,
    /// Whether AWS certainly refuses the request with some client error, even when which one is uncertain (a
    /// success to it is then a deviation whatever the uncertainty).
    pub certainly_fails: bool,
    /// Where the expectation comes from (`wire-facts: What real AWS does with protocol faults`).
    pub source: &'static str,
}

/// A protocol-level way to break a request, and what AWS answers to it.
#[derive(Debug, Clone)]
pub struct Malformation {
    /// Stable class name (`body-not-json`, `target-unknown`, `method-wrong`); reports and baselines key on it.
    pub class: &'static str,
    /// What it does, for reports (`the body is not JSON`).
    pub detail: String,
    /// Whether the malformed request is built from a valid input (so that shrinking that input makes sense).
    pub uses_input: bool,
    /// Whether drawing it again with other values is worth it (a 1 MiB body is built once).
    pub repeatable: bool,
    /// How the request is signed (`parse-before-auth` sends it unsigned).
    pub signing: crate::case::Signing,
    /// What AWS answers.
    pub expect: WireExpectation,
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

    /// The error type and message a response carries, if it is an error response whose type the protocol finds.
    fn decode_error(&self, service: &Service, response: &HttpResponse) -> Option<ErrorInfo>;

    /// An error response's body as a tree (a JSON object; an XML error element read into one), `None` when the
    /// body is not a document of the protocol's kind.
    fn error_document(&self, response: &HttpResponse) -> Option<serde_json::Value>;

    /// Where AWS's servers of this protocol put the error type (clients look in several places; a target that
    /// puts it elsewhere only works with lenient clients).
    fn error_source(&self) -> ErrorSource;

    /// What the protocol's bodies are, for messages (`a JSON object`, `an XML document`).
    fn document_kind(&self) -> &'static str;

    /// A success response read against the operation's output shape.
    fn decode_output(
        &self,
        service: &Service,
        op: &Operation,
        response: &HttpResponse,
    ) -> DecodedOutput;

    /// The Content-Type of request bodies (and of the server's responses).
    fn content_type(&self) -> &'static str;

    /// The Content-Type a successful answer of `op` must have; `None` where the operation's output chooses it (a
    /// blob or text payload goes out with its own media type).
    fn success_content_type(&self, _service: &Service, _op: &Operation) -> Option<&'static str> {
        Some(self.content_type())
    }

    /// Headers every answer must carry, success or error, with their values (rpcv2Cbor's `smithy-protocol`), and
    /// the rule that says so; none by default.
    fn required_response_headers(&self) -> &'static [(&'static str, &'static str, &'static str)] {
        &[]
    }

    /// The Content-Type an error answer must have; `None` where the protocol's errors are not judged by it.
    fn error_content_type(&self) -> Option<&'static str> {
        Some(self.content_type())
    }

    /// The request id a response carries in its body, for protocols that put one there (awsQuery's
    /// `<RequestId>`); `None` for the others, which send it in a header only.
    fn body_request_id(&self, _response: &HttpResponse) -> Option<String> {
        None
    }

    /// Server side: the response with its request id put where the protocol's bodies carry one (the
    /// `x-amzn-requestid` header is set for every protocol apart).
    fn set_request_id(&self, response: HttpResponse, _id: &str) -> HttpResponse {
        response
    }

    /// Whether a request of this operation may legitimately have no body (restJson1 with nothing in the body).
    fn body_optional(&self, service: &Service, op: &Operation) -> bool;

    /// What AWS answers to a value of the wrong type for its member (AWS's JSON services deserialise before they
    /// validate, and answer SerializationException).
    fn wrong_type(&self) -> WireExpectation;

    /// What AWS answers to a request with this signing fault.
    fn signing_fault(&self, signing: crate::case::Signing) -> WireExpectation;

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

    /// Server side: whether the request's Content-Type is one the protocol's servers take (the media type,
    /// parameters ignored; `None` when the request has none).
    fn accepts_content_type(&self, given: Option<&str>) -> bool {
        given.is_some_and(|g| {
            g.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .eq_ignore_ascii_case(self.content_type())
        })
    }

    /// Server side: whether a request of this operation carries raw bytes or text as its body (a restJson1 blob or
    /// string payload) rather than a document: then neither its Content-Type nor its body is the protocol's to
    /// check ([`Protocol::accepts_content_type`], [`Protocol::check_body`]).
    fn raw_body(&self, _service: &Service, _op: &Operation) -> bool {
        false
    }

    /// Server side: whether the body is a document of the protocol's kind at all (a JSON object, well-formed XML),
    /// checked before the operation is routed, as AWS does.
    fn check_body(&self, request: &HttpRequest) -> Result<(), ProtocolFault>;

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

    /// Server side: the input read leniently, values of the wrong type kept as [`Value::Raw`] (the embedded
    /// target's `skip-type` fault validates them instead of refusing them).
    fn decode_input_lenient(
        &self,
        service: &Service,
        op: &Operation,
        request: &HttpRequest,
    ) -> Result<Value, ProtocolFault> {
        self.decode_input(service, op, request)
    }

    /// Server side: the error type as the protocol's Coral framework writes its own errors (serialization,
    /// routing, authentication): `com.amazon.coral.service#X` in awsJson bodies, `X:http://...` in restJson1
    /// headers; the services' own errors carry the bare name.
    fn framework_error_code(&self, code: &str) -> String {
        code.to_string()
    }

    /// The response headers a snapshot keeps besides the status: those that say what the answer is (the content
    /// type, a header that carries the error type), not those that change by request (ids, dates).
    fn snapshot_headers(&self) -> &'static [&'static str] {
        &["content-type"]
    }

    /// Server side, for the embedded target's faults: the same error response with its type moved from where this
    /// protocol's servers put it to where only lenient clients look (header to body, or body to header).
    fn misplace_error_type(&self, response: HttpResponse) -> HttpResponse {
        response
    }

    /// Server side, for the embedded target's faults: the same error response without any error type.
    fn strip_error_type(&self, response: HttpResponse) -> HttpResponse {
        response
    }

    /// Server side: the message of a request with no `Authorization` at all.
    fn missing_authentication_message(&self) -> &'static str {
        "Request is missing Authentication Token"
    }

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
