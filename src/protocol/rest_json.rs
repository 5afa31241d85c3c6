//! restJson1: HTTP bindings (labels, query, headers, payload) around a JSON document body.
//!
//! Requests follow botocore's `RestJSONSerializer`: the body is the JSON object of the body members when any is
//! set, `{}` when the input has body members but none is set, and nothing when it has none; a structure or document
//! payload is its JSON (`{}` when absent); a blob or string payload is its bytes, without a Content-Type (botocore
//! sets none; Smithy would say `application/octet-stream`). `Content-Type: application/json` goes with every JSON
//! body unless a member binds the header itself.
//!
//! Errors are read from `X-Amzn-ErrorType`, then the body's `code` (botocore also reads `Code`), then `__type`.
//! The server side routes by method and URI template (greedy labels, static query, the most specific template
//! first) and answers an unknown route with 404 `UnknownOperationException`, as the embedded target always has.

use indexmap::IndexMap;
use serde_json::Value as Json;

use crate::model::{Location, Operation, ProtocolId, Role, Service, ShapeKind, Value};

use super::http_binding::{self, BoundRequest};
use super::json::{self, DecodeOptions, TypeSource};
use super::{
    DecodedOutput, EncodeError, ErrorInfo, ErrorSource, HttpRequest, HttpResponse, Malformation,
    Protocol, ProtocolFault, ShapeProblem, WireExpectation, json_faults, json_server,
};
use crate::case::Signing;

/// The media type of restJson1 documents.
const JSON: &str = "application/json";

/// The restJson1 protocol.
#[derive(Debug, Clone, Copy, Default)]
pub struct RestJson1;

/// The payload member of a structure's members and how it goes on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PayloadKind {
    /// A structure, union or document: a JSON document.
    Document,
    /// A blob: the bytes.
    Bytes,
    /// A string: its UTF-8 bytes.
    Text,
}

fn payload_kind(service: &Service, member: &crate::model::Member) -> PayloadKind {
    match service.target(member).kind {
        ShapeKind::Blob => PayloadKind::Bytes,
        ShapeKind::String | ShapeKind::Enum(_) => PayloadKind::Text,
        _ => PayloadKind::Document,
    }
}

/// A restJson1 error type as the `X-Amzn-ErrorType` header carries it: Coral's framework errors
/// (`com.amazon.coral.service#SerializationException`) in the form real services send
/// (`SerializationException:http://internal.amazon.com/coral/com.amazon.coral.service/`), others bare.
pub fn error_type_header(code: &str) -> String {
    match code.split_once('#') {
        Some((namespace, name)) => format!("{name}:http://internal.amazon.com/coral/{namespace}/"),
        None => code.to_string(),
    }
}

/// Whether the operation's success output is read strictly for missing required members: only where the spec
/// files describe the operation from AWS's documents; the published models mark output members required that
/// services omit.
pub(crate) fn judges_required_outputs(op: &Operation) -> bool {
    op.rules.role != Role::Imported
}

fn serialization_fault(message: impl Into<String>) -> ProtocolFault {
    ProtocolFault {
        status: 400,
        code: "SerializationException".into(),
        message: message.into(),
    }
}

/// The first problem of a document read on the server side, as the fault AWS's JSON services answer.
fn problems_fault(problems: &[ShapeProblem]) -> Option<ProtocolFault> {
    problems.first().map(|p| {
        serialization_fault(if p.path.is_root() {
            p.problem.clone()
        } else {
            format!("{} at '{}'", p.problem, p.path)
        })
    })
}

impl RestJson1 {
    fn body(
        &self,
        service: &Service,
        op: &Operation,
        bound: &BoundRequest<'_>,
    ) -> (Vec<u8>, Option<&'static str>) {
        if let Some((member, value)) = bound.payload {
            return match (payload_kind(service, member), value) {
                (PayloadKind::Bytes, Some(Value::Blob(bytes))) => (bytes.clone(), None),
                (PayloadKind::Bytes | PayloadKind::Text, Some(Value::String(s))) => {
                    (s.as_bytes().to_vec(), None)
                }
                (PayloadKind::Bytes | PayloadKind::Text, Some(Value::Raw(Json::String(s)))) => {
                    (s.as_bytes().to_vec(), None)
                }
                (PayloadKind::Bytes | PayloadKind::Text, None) => (Vec::new(), None),
                (PayloadKind::Bytes | PayloadKind::Text, Some(other)) => {
                    (json::untyped_json(other).to_string().into_bytes(), None)
                }
                (PayloadKind::Document, Some(value)) => (
                    json::member_json(service, member, value)
                        .to_string()
                        .into_bytes(),
                    Some(JSON),
                ),
                (PayloadKind::Document, None) => (b"{}".to_vec(), Some(JSON)),
            };
        }
        let members = service.input_members(op);
        if !bound.body.is_empty() {
            let object = json::members_json(service, members, &bound.body, |m| {
                m.location == Location::Body
            });
            return (Json::Object(object).to_string().into_bytes(), Some(JSON));
        }
        if members.iter().any(|m| m.location == Location::Body) {
            return (b"{}".to_vec(), Some(JSON));
        }
        (Vec::new(), None)
    }

    /// The output body members and payload read from a success response.
    fn read_body(
        &self,
        service: &Service,
        op: &Operation,
        response: &HttpResponse,
        options: DecodeOptions,
        values: &mut IndexMap<String, Value>,
        problems: &mut Vec<ShapeProblem>,
    ) {
        let members = service.output_members(op);
        if let Some(member) = members.iter().find(|m| m.location == Location::Payload) {
            let path = crate::model::Path::members([member.name.as_str()]);
            match payload_kind(service, member) {
                PayloadKind::Bytes => {
                    if !response.body.is_empty() {
                        values.insert(member.name.clone(), Value::Blob(response.body.clone()));
                    }
                }
                PayloadKind::Text => match String::from_utf8(response.body.clone()) {
                    Ok(text) if text.is_empty() => {}
                    Ok(text) => {
                        values.insert(member.name.clone(), Value::String(text));
                    }
                    Err(_) => problems.push(ShapeProblem {
                        path,
                        problem: "the text payload is not UTF-8".into(),
                    }),
                },
                PayloadKind::Document => match json::parse_body(&response.body) {
                    Ok(None) => {}
                    Ok(Some(document)) => {
                        let mut reader = json::Reader::new(service, options);
                        let mut at = path;
                        let value = reader.member(member, &document, &mut at);
                        problems.extend(reader.problems);
                        if value != Value::Null {
                            values.insert(member.name.clone(), value);
                        }
                    }
                    Err(e) => problems.push(ShapeProblem {
                        path,
                        problem: format!(
                            "the payload is not JSON ({e}): `{}`",
                            json::excerpt(&response.body, 200)
                        ),
                    }),
                },
            }
            return;
        }
        let body_members: Vec<&crate::model::Member> = members
            .iter()
            .filter(|m| m.location == Location::Body)
            .collect();
        match json::parse_body(&response.body) {
            Ok(None) => {}
            Ok(Some(Json::Object(object))) => {
                let (read, found) = json::decode_members(service, &body_members, &object, options);
                values.extend(read);
                problems.extend(found);
            }
            Ok(Some(other)) => problems.push(ShapeProblem {
                path: crate::model::Path::root(),
                problem: format!(
                    "expected a JSON object, found {}",
                    json::json_type_phrase(&other)
                ),
            }),
            Err(e) => problems.push(ShapeProblem {
                path: crate::model::Path::root(),
                problem: format!(
                    "the body is not JSON ({e}): `{}`",
                    json::excerpt(&response.body, 200)
                ),
            }),
        }
    }
}

/// The input members of a structure value, or why the value is no input.
pub(crate) fn input_members<'v>(
    op: &Operation,
    input: &'v Value,
) -> Result<&'v IndexMap<String, Value>, EncodeError> {
    let members = input.as_structure().ok_or_else(|| {
        EncodeError::Input(format!(
            "the input is {}, not a structure",
            input.json_type()
        ))
    })?;
    if op.input.is_none() && !members.is_empty() {
        return Err(EncodeError::Input(format!(
            "{} takes no input, yet {} member(s) are given",
            op.name,
            members.len()
        )));
    }
    Ok(members)
}

impl Protocol for RestJson1 {
    fn id(&self) -> ProtocolId {
        ProtocolId::RestJson1
    }

    fn encode(
        &self,
        service: &Service,
        op: &Operation,
        input: &Value,
    ) -> Result<HttpRequest, EncodeError> {
        input_members(op, input)?;
        let filled = super::with_idempotency_tokens(service, op, input);
        let members = input_members(op, &filled)?;
        let bound = http_binding::bind_request(service, op, members)?;
        let (body, content_type) = self.body(service, op, &bound);
        let mut headers = bound.headers.clone();
        if let Some(content_type) = content_type
            && !headers.iter().any(|(n, _)| n == "content-type")
        {
            headers.push(("content-type".into(), content_type.into()));
        }
        let target = bound.target();
        if target.len() > http_binding::MAX_REQUEST_TARGET {
            return Err(EncodeError::CannotCarry {
                path: crate::model::Path::root(),
                why: format!(
                    "the request target (path and query) would be {} bytes, over the {} an HTTP client can send \
                     (URIs end at 65,534 bytes in the http crate, scheme and host included)",
                    target.len(),
                    http_binding::MAX_REQUEST_TARGET
                ),
            });
        }
        let mut request = HttpRequest {
            method: bound.method.clone(),
            path: target,
            headers,
            body,
            host_prefix: bound.host_prefix.clone(),
        };
        super::checksum::apply(service, op, &filled, &mut request);
        Ok(request)
    }

    fn decode_error(&self, service: &Service, response: &HttpResponse) -> Option<ErrorInfo> {
        json::decode_error(
            service,
            response,
            &[
                TypeSource::Header,
                TypeSource::Body("code"),
                TypeSource::Body("Code"),
                TypeSource::Body("__type"),
            ],
        )
    }

    fn decode_output(
        &self,
        service: &Service,
        op: &Operation,
        response: &HttpResponse,
    ) -> DecodedOutput {
        let options = DecodeOptions {
            missing_required: judges_required_outputs(op),
            ..DecodeOptions::OUTPUT
        };
        let (mut values, mut problems) = http_binding::read_response(service, op, response);
        self.read_body(service, op, response, options, &mut values, &mut problems);
        if options.missing_required {
            for member in service.output_members(op) {
                let in_body = matches!(member.location, Location::Body);
                if member.required && !in_body && !values.contains_key(&member.name) {
                    problems.push(ShapeProblem {
                        path: crate::model::Path::members([member.name.as_str()]),
                        problem: "missing required member".into(),
                    });
                }
            }
        }
        DecodedOutput {
            value: Value::Structure(values),
            problems,
        }
    }

    fn content_type(&self) -> &'static str {
        JSON
    }

    fn success_content_type(&self, service: &Service, op: &Operation) -> Option<&'static str> {
        let payload = service
            .output_members(op)
            .iter()
            .find(|m| m.location == Location::Payload);
        match payload.map(|m| payload_kind(service, m)) {
            Some(PayloadKind::Bytes | PayloadKind::Text) => None,
            _ => Some(JSON),
        }
    }

    fn body_optional(&self, service: &Service, op: &Operation) -> bool {
        !json_faults::has_json_body(service, op, ProtocolId::RestJson1)
    }

    fn malformations(&self, service: &Service, op: &Operation) -> Vec<Malformation> {
        json_faults::malformations(service, op, ProtocolId::RestJson1)
    }

    fn malform(
        &self,
        service: &Service,
        op: &Operation,
        class: &str,
        request: &HttpRequest,
    ) -> Option<HttpRequest> {
        json_faults::malform(service, op, class, request, ProtocolId::RestJson1)
    }

    fn route<'s>(
        &self,
        service: &'s Service,
        request: &HttpRequest,
    ) -> Result<&'s Operation, ProtocolFault> {
        http_binding::route(service, request)
            .map(|(op, _)| op)
            .ok_or_else(|| ProtocolFault {
                status: 404,
                code: "UnknownOperationException".into(),
                message: format!(
                    "No operation of {} answers {} {}",
                    service.title,
                    request.method,
                    request.path_only()
                ),
            })
    }

    fn decode_input(
        &self,
        service: &Service,
        op: &Operation,
        request: &HttpRequest,
    ) -> Result<Value, ProtocolFault> {
        let labels = op
            .http
            .template()
            .match_path(request.path_only())
            .unwrap_or_default();
        let mut values = http_binding::read_request(service, op, request, &labels)?;
        let members = service.input_members(op);
        let expects_json = json_faults::has_json_body(service, op, ProtocolId::RestJson1);
        if expects_json && !request.body.is_empty() {
            let media = request.header("content-type").map(|v| {
                v.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase()
            });
            if media.as_deref().is_some_and(|m| m != JSON) {
                return Err(ProtocolFault {
                    status: 415,
                    code: "UnsupportedMediaTypeException".into(),
                    message: format!(
                        "Content-Type '{}' is not supported; send {JSON}",
                        request.header("content-type").unwrap_or_default()
                    ),
                });
            }
        }
        if let Some(member) = members.iter().find(|m| m.location == Location::Payload) {
            match payload_kind(service, member) {
                PayloadKind::Bytes => {
                    if !request.body.is_empty() {
                        values.insert(member.name.clone(), Value::Blob(request.body.clone()));
                    }
                }
                PayloadKind::Text => {
                    if !request.body.is_empty() {
                        let text = String::from_utf8(request.body.clone()).map_err(|_| {
                            serialization_fault("failed to read the text payload: it is not UTF-8")
                        })?;
                        values.insert(member.name.clone(), Value::String(text));
                    }
                }
                PayloadKind::Document => {
                    let document = match json::parse_body(&request.body) {
                        Ok(document) => document,
                        Err(e) => {
                            return Err(serialization_fault(format!(
                                "failed to read the body as JSON: {e}"
                            )));
                        }
                    };
                    if let Some(document) = document {
                        let mut reader = json::Reader::new(service, DecodeOptions::INPUT);
                        let mut path = crate::model::Path::members([member.name.as_str()]);
                        let value = reader.member(member, &document, &mut path);
                        if let Some(fault) = problems_fault(&reader.problems) {
                            return Err(fault);
                        }
                        values.insert(member.name.clone(), value);
                    }
                }
            }
        } else if expects_json {
            let object = json_server::body_object(&request.body)?;
            let body_members: Vec<&crate::model::Member> = members
                .iter()
                .filter(|m| m.location == Location::Body)
                .collect();
            values.extend(json_server::read_members(service, &body_members, &object)?);
        }
        Ok(Value::Structure(values))
    }

    fn decode_input_lenient(
        &self,
        service: &Service,
        op: &Operation,
        request: &HttpRequest,
    ) -> Result<Value, ProtocolFault> {
        if !json_faults::has_json_body(service, op, ProtocolId::RestJson1)
            || service
                .input_members(op)
                .iter()
                .any(|m| m.location == Location::Payload)
        {
            return self.decode_input(service, op, request);
        }
        json_server::check_body(request)?;
        let labels = op
            .http
            .template()
            .match_path(request.path_only())
            .unwrap_or_default();
        let mut values = http_binding::read_request(service, op, request, &labels)?;
        let object = json_server::json_object(&request.body).unwrap_or_default();
        let body_members: Vec<&crate::model::Member> = service
            .input_members(op)
            .iter()
            .filter(|m| m.location == Location::Body)
            .collect();
        values.extend(json_server::read_members_lenient(
            service,
            &body_members,
            &object,
        ));
        Ok(Value::Structure(values))
    }

    fn check_body(&self, request: &HttpRequest) -> Result<(), ProtocolFault> {
        json_server::check_body(request)
    }

    fn raw_body(&self, service: &Service, op: &Operation) -> bool {
        service.input_members(op).iter().any(|m| {
            m.location == Location::Payload
                && matches!(
                    payload_kind(service, m),
                    PayloadKind::Bytes | PayloadKind::Text
                )
        })
    }

    fn accepts_content_type(&self, given: Option<&str>) -> bool {
        // restJson1 servers take a request with no Content-Type (no body, or one they parse anyway).
        given.is_none_or(|g| {
            g.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .eq_ignore_ascii_case(JSON)
        })
    }

    fn error_document(&self, response: &HttpResponse) -> Option<Json> {
        json_server::json_object(&response.body).map(Json::Object)
    }

    fn error_source(&self) -> ErrorSource {
        ErrorSource::Header
    }

    fn document_kind(&self) -> &'static str {
        "a JSON object"
    }

    fn wrong_type(&self) -> WireExpectation {
        json_server::wrong_type()
    }

    fn signing_fault(&self, signing: Signing) -> WireExpectation {
        json_server::signing_fault(ProtocolId::RestJson1, signing)
    }

    fn framework_error_code(&self, code: &str) -> String {
        format!("{code}:http://internal.amazon.com/coral/com.amazon.coral.service/")
    }

    fn snapshot_headers(&self) -> &'static [&'static str] {
        &["content-type", "x-amzn-errortype"]
    }

    fn misplace_error_type(&self, response: HttpResponse) -> HttpResponse {
        json_server::misplace_error_type(ProtocolId::RestJson1, response)
    }

    fn strip_error_type(&self, response: HttpResponse) -> HttpResponse {
        json_server::strip_error_type(response)
    }

    fn missing_authentication_message(&self) -> &'static str {
        // API Gateway's wording, in front of restJson1 services.
        "Missing Authentication Token"
    }

    fn encode_output(&self, service: &Service, op: &Operation, output: &Value) -> HttpResponse {
        let bound = http_binding::bind_response(service, op, output);
        let mut headers = bound.headers.clone();
        let members = service.output_members(op);
        let (body, content_type) = match bound.payload {
            Some((member, value)) => match (payload_kind(service, member), value) {
                (PayloadKind::Bytes, Some(Value::Blob(bytes))) => {
                    (bytes.clone(), "application/octet-stream")
                }
                (PayloadKind::Bytes, _) => (Vec::new(), "application/octet-stream"),
                (PayloadKind::Text, Some(Value::String(s))) => {
                    (s.as_bytes().to_vec(), "text/plain")
                }
                (PayloadKind::Text, _) => (Vec::new(), "text/plain"),
                (PayloadKind::Document, Some(value)) => (
                    json::member_json(service, member, value)
                        .to_string()
                        .into_bytes(),
                    JSON,
                ),
                (PayloadKind::Document, None) => (Vec::new(), JSON),
            },
            None if members.iter().any(|m| m.location == Location::Body)
                || !bound.body.is_empty() =>
            {
                let object = json::members_json(service, members, &bound.body, |m| {
                    !m.location.is_http_bound()
                });
                (Json::Object(object).to_string().into_bytes(), JSON)
            }
            None => (Vec::new(), JSON),
        };
        if !headers.iter().any(|(n, _)| n == "content-type") {
            headers.push(("content-type".into(), content_type.into()));
        }
        HttpResponse {
            status: bound.status,
            headers,
            body,
        }
    }

    fn encode_error(
        &self,
        service: &Service,
        status: u16,
        code: &str,
        message: &str,
        members: &Value,
    ) -> HttpResponse {
        let mut headers = vec![
            ("content-type".to_string(), JSON.to_string()),
            ("x-amzn-errortype".to_string(), error_type_header(code)),
        ];
        if let Some(query_error) = json::query_error_header(service, code) {
            headers.push(("x-amzn-query-error".into(), query_error));
        }
        let body = json_server::error_body(None, message, members);
        HttpResponse {
            status,
            headers,
            body: Json::Object(body).to_string().into_bytes(),
        }
    }
}
