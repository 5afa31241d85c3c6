//! rpcv2Cbor (Smithy RPC v2 CBOR): `POST /service/<ServiceName>/operation/<Operation>`, every member in one CBOR map.
//!
//! Requests follow botocore's `RpcV2CBORSerializer` (botocore/serialize.py): the path names the service by the
//! model's `targetPrefix` (as botocore takes it) and the operation by its name; the headers are `smithy-protocol:
//! rpc-v2-cbor` and `Accept: application/cbor`, `Content-Type: application/cbor` only with a body (an operation
//! without input sends none), and `x-amzn-query-mode: true` on awsQuery-compatible services; the body is the input
//! as a CBOR map (see [`super::cbor`] for the type mapping); the host prefix is filled in as on the JSON protocols.
//!
//! Responses are read as botocore's `RpcV2CBORParser` reads them: a success body is a CBOR map read against the
//! output shape (an empty body is no members); an error's type is the body's `__type`, normalised as on every
//! protocol, and on awsQuery-compatible services the `x-amzn-query-error` code comes first, mapped back to its
//! shape as on the JSON protocols; the message is `message`, `Message` or `errorMessage`.
//!
//! Server side (the embedded target), in the Smithy specification's terms: a request is claimed when it is a
//! `POST`, carries `smithy-protocol: rpc-v2-cbor`, no `X-Amz-Target`/`X-Amzn-Target`, and its path ends in
//! `/service/<ServiceName>/operation/<Operation>` with the service's name (the `targetPrefix`, or its last
//! dot-separated part) and one of its operations; otherwise 404 `UnknownOperationException` (405 for another
//! method), as Smithy's Rust server framework answers. A body that is not one CBOR map is 400
//! `SerializationException`, and so is a value of the wrong type at any depth. Protocol faults are in
//! [`super::rpcv2_cbor_faults`].

use ciborium::value::Value as Cbor;

use crate::case::Signing;
use crate::model::{Operation, Path, ProtocolId, Service, Value};

use super::cbor::{self, Reader};
use super::json::{DecodeOptions, Direction};
use super::rest_json::{input_members, judges_required_outputs};
use super::{
    DecodedOutput, EncodeError, ErrorInfo, ErrorSource, HttpRequest, HttpResponse, Malformation,
    Protocol, ProtocolFault, ShapeProblem, WireExpectation, http_binding, normalise_error_code,
    rpcv2_cbor_faults,
};

/// The media type of rpcv2Cbor bodies.
pub const CBOR_CONTENT_TYPE: &str = "application/cbor";

/// The header that names the protocol on requests and responses, and its value.
pub const SMITHY_PROTOCOL: (&str, &str) = ("smithy-protocol", "rpc-v2-cbor");

/// The Smithy RPC v2 CBOR protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RpcV2Cbor;

pub(crate) fn fault(status: u16, code: &str, message: impl Into<String>) -> ProtocolFault {
    ProtocolFault {
        status,
        code: code.into(),
        message: message.into(),
    }
}

fn serialization_fault(message: impl Into<String>) -> ProtocolFault {
    fault(400, "SerializationException", message)
}

/// The path of an operation's requests: `/service/<targetPrefix>/operation/<Operation>`, as botocore builds it.
pub fn operation_path(service: &Service, op: &Operation) -> Result<String, EncodeError> {
    let prefix = service.target_prefix.as_deref().ok_or_else(|| {
        EncodeError::Input(format!(
            "{} has no targetPrefix, which the rpcv2Cbor path names the service by",
            service.name
        ))
    })?;
    Ok(format!("/service/{prefix}/operation/{}", op.name))
}

/// The body of a request as a CBOR map, or the fault AWS answers: empty is no members; anything but one map is
/// a `SerializationException`.
fn body_map(body: &[u8]) -> Result<Vec<(Cbor, Cbor)>, ProtocolFault> {
    match cbor::parse_body(body) {
        Ok(None) => Ok(Vec::new()),
        Ok(Some(Cbor::Map(entries))) => Ok(entries),
        Ok(Some(other)) => Err(serialization_fault(format!(
            "Start of structure or map expected, found {}",
            cbor::type_phrase(&other)
        ))),
        // Without the decoder's position: it depends on the body, and snapshots must not.
        Err(_) => Err(serialization_fault("The request body is not valid CBOR")),
    }
}

/// The (service, operation) names at the end of an rpcv2Cbor path, `None` when it has not that form.
fn path_names(path: &str) -> Option<(&str, &str)> {
    let segments: Vec<&str> = path.split('/').collect();
    match segments.as_slice() {
        [.., "service", service, "operation", operation]
            if !service.is_empty() && !operation.is_empty() =>
        {
            Some((service, operation))
        }
        _ => None,
    }
}

/// Whether a path segment names the service: its `targetPrefix`, or any namespace before the prefix's last
/// dot-separated part (the specification has servers take the bare shape name and the namespaced one, and
/// Smithy's Rust server framework routes by the last part alone).
fn names_service(service: &Service, segment: &str) -> bool {
    let last = |name: &str| name.rsplit('.').next().unwrap_or(name).to_string();
    service
        .target_prefix
        .as_deref()
        .is_some_and(|prefix| segment == prefix || last(segment) == last(prefix))
}

impl Protocol for RpcV2Cbor {
    fn id(&self) -> ProtocolId {
        ProtocolId::RpcV2Cbor
    }

    fn encode(
        &self,
        service: &Service,
        op: &Operation,
        input: &Value,
    ) -> Result<HttpRequest, EncodeError> {
        input_members(op, input)?;
        let path = operation_path(service, op)?;
        let filled = super::with_idempotency_tokens(service, op, input);
        let members = input_members(op, &filled)?;
        // An operation without input sends no body (botocore's `b''`, the specification's rule for Unit input).
        let body = match op.input {
            Some(_) => cbor::to_bytes(&Cbor::Map(cbor::members_cbor(
                service,
                service.input_members(op),
                members,
            ))),
            None => Vec::new(),
        };
        let mut headers = vec![(SMITHY_PROTOCOL.0.to_string(), SMITHY_PROTOCOL.1.to_string())];
        if service.query_compatible {
            headers.push(("x-amzn-query-mode".into(), "true".into()));
        }
        headers.push(("accept".into(), CBOR_CONTENT_TYPE.into()));
        if !body.is_empty() {
            headers.push(("content-type".into(), CBOR_CONTENT_TYPE.into()));
        }
        let mut request = HttpRequest {
            method: "POST".into(),
            path,
            headers,
            body,
            host_prefix: http_binding::host_prefix(service, op, members)?,
        };
        super::checksum::apply(service, op, &filled, &mut request);
        Ok(request)
    }

    fn decode_error(&self, service: &Service, response: &HttpResponse) -> Option<ErrorInfo> {
        if response.is_success() {
            return None;
        }
        let entries = match cbor::parse_body(&response.body) {
            Ok(Some(Cbor::Map(entries))) => entries,
            _ => Vec::new(),
        };
        let text = |key: &str| match cbor::get(&entries, key) {
            Some(Cbor::Text(t)) => Some(t.clone()),
            _ => None,
        };
        let message = ["message", "Message", "errorMessage"]
            .into_iter()
            .find_map(text);
        let info = |raw: &str, found_in| {
            let code = normalise_error_code(raw);
            (!code.is_empty()).then(|| ErrorInfo {
                code,
                raw_code: raw.to_string(),
                message: message.clone(),
                found_in,
            })
        };
        if service.query_compatible
            && let Some(header) = response.header("x-amzn-query-error")
            && let Some((code, _fault)) = header.split_once(';')
            && let Some(mut found) = info(code, ErrorSource::QueryErrorHeader)
        {
            // As on the JSON protocols: the query code named by its shape, as the oracle names errors.
            if let Some((_, shape)) = service.error_named(&found.code) {
                found.code = shape.name.clone();
            }
            return Some(found);
        }
        info(&text("__type")?, ErrorSource::Body("__type"))
    }

    fn error_document(&self, response: &HttpResponse) -> Option<serde_json::Value> {
        match cbor::parse_body(&response.body) {
            Ok(Some(item @ Cbor::Map(_))) => Some(cbor::cbor_to_json(&item)),
            _ => None,
        }
    }

    fn error_source(&self) -> ErrorSource {
        ErrorSource::Body("__type")
    }

    fn document_kind(&self) -> &'static str {
        "a CBOR map"
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
        let members: Vec<&crate::model::Member> = service.output_members(op).iter().collect();
        let root = Path::root();
        let (values, problems) = match cbor::parse_body(&response.body) {
            // An empty body is no members (an operation without output sends none).
            Ok(None) => cbor::decode_members(service, &members, &[], options),
            Ok(Some(Cbor::Map(entries))) => {
                cbor::decode_members(service, &members, &entries, options)
            }
            Ok(Some(other)) => (
                Default::default(),
                vec![ShapeProblem {
                    path: root,
                    problem: format!("expected a CBOR map, found {}", cbor::type_phrase(&other)),
                }],
            ),
            Err(e) => (
                Default::default(),
                vec![ShapeProblem {
                    path: root,
                    problem: format!(
                        "the body is not CBOR ({e}): {}",
                        cbor::hex_excerpt(&response.body, 64)
                    ),
                }],
            ),
        };
        DecodedOutput {
            value: Value::Structure(values),
            problems,
        }
    }

    fn content_type(&self) -> &'static str {
        CBOR_CONTENT_TYPE
    }

    fn required_response_headers(&self) -> &'static [(&'static str, &'static str, &'static str)] {
        &[(
            SMITHY_PROTOCOL.0,
            SMITHY_PROTOCOL.1,
            "Smithy's rpcv2Cbor specification: every response MUST contain it",
        )]
    }

    fn success_content_type(&self, _service: &Service, op: &Operation) -> Option<&'static str> {
        // An operation without output answers with no body and no Content-Type (the specification's rule).
        op.output.map(|_| CBOR_CONTENT_TYPE)
    }

    fn body_optional(&self, _service: &Service, op: &Operation) -> bool {
        op.input.is_none()
    }

    fn wrong_type(&self) -> WireExpectation {
        rpcv2_cbor_faults::wrong_type()
    }

    fn signing_fault(&self, signing: Signing) -> WireExpectation {
        rpcv2_cbor_faults::signing_fault(signing)
    }

    fn malformations(&self, service: &Service, op: &Operation) -> Vec<Malformation> {
        rpcv2_cbor_faults::malformations(service, op)
    }

    fn malform(
        &self,
        service: &Service,
        op: &Operation,
        class: &str,
        request: &HttpRequest,
    ) -> Option<HttpRequest> {
        rpcv2_cbor_faults::malform(service, op, class, request)
    }

    fn accepts_content_type(&self, given: Option<&str>) -> bool {
        // A request without a body has no Content-Type (an operation without input); one with a body must say CBOR.
        given.is_none_or(|g| {
            g.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .eq_ignore_ascii_case(CBOR_CONTENT_TYPE)
        })
    }

    fn check_body(&self, request: &HttpRequest) -> Result<(), ProtocolFault> {
        body_map(&request.body).map(|_| ())
    }

    fn route<'s>(
        &self,
        service: &'s Service,
        request: &HttpRequest,
    ) -> Result<&'s Operation, ProtocolFault> {
        let unknown = |why: String| fault(404, "UnknownOperationException", why);
        let path = request.path_only();
        let Some((service_name, op_name)) = path_names(path) else {
            return Err(unknown(format!(
                "{path} is no rpcv2Cbor path (/service/<ServiceName>/operation/<Operation>)"
            )));
        };
        if !names_service(service, service_name) {
            return Err(unknown(format!("Unknown service {service_name}")));
        }
        let Some(op) = service.operations.get(op_name) else {
            return Err(unknown(format!("Unknown operation {op_name}")));
        };
        if request.method != "POST" {
            return Err(fault(
                405,
                "UnknownOperationException",
                format!(
                    "Operation {op_name} is not available over {}",
                    request.method
                ),
            ));
        }
        if let Some(target) = ["x-amz-target", "x-amzn-target"]
            .into_iter()
            .find(|h| request.header(h).is_some())
        {
            return Err(unknown(format!(
                "rpcv2Cbor requests must not carry {target}"
            )));
        }
        match request.header(SMITHY_PROTOCOL.0) {
            Some(v) if v.trim() == SMITHY_PROTOCOL.1 => Ok(op),
            Some(v) => Err(unknown(format!(
                "unsupported smithy-protocol `{v}`; this service speaks {}",
                SMITHY_PROTOCOL.1
            ))),
            None => Err(unknown("Missing smithy-protocol header".to_string())),
        }
    }

    fn decode_input(
        &self,
        service: &Service,
        op: &Operation,
        request: &HttpRequest,
    ) -> Result<Value, ProtocolFault> {
        let entries = body_map(&request.body)?;
        let members: Vec<&crate::model::Member> = service.input_members(op).iter().collect();
        let mut reader = Reader::new(service, DecodeOptions::INPUT);
        let values = reader.members(&members, &entries, &mut Path::root(), false);
        match reader.problems.first() {
            Some(p) => Err(serialization_fault(format!(
                "Unexpected value at '{}': {}",
                p.path, p.problem
            ))),
            None => Ok(Value::Structure(values)),
        }
    }

    fn decode_input_lenient(
        &self,
        service: &Service,
        op: &Operation,
        request: &HttpRequest,
    ) -> Result<Value, ProtocolFault> {
        let entries = body_map(&request.body)?;
        let members: Vec<&crate::model::Member> = service.input_members(op).iter().collect();
        // Values of the wrong type are kept as `Value::Raw` by the reader; its problems are what is let through.
        let mut reader = Reader::new(
            service,
            DecodeOptions {
                direction: Direction::Input,
                missing_required: false,
            },
        );
        Ok(Value::Structure(reader.members(
            &members,
            &entries,
            &mut Path::root(),
            false,
        )))
    }

    fn snapshot_headers(&self) -> &'static [&'static str] {
        &["content-type", "smithy-protocol"]
    }

    fn misplace_error_type(&self, mut response: HttpResponse) -> HttpResponse {
        // rpcv2Cbor has one place for the type, the body; the header clients must ignore is where it goes astray.
        if let Ok(Some(Cbor::Map(mut entries))) = cbor::parse_body(&response.body) {
            if let Some(i) = entries
                .iter()
                .position(|(k, _)| matches!(k, Cbor::Text(t) if t == "__type"))
            {
                let (_, code) = entries.remove(i);
                if let Cbor::Text(code) = code {
                    response
                        .headers
                        .push(("x-amzn-errortype".into(), normalise_error_code(&code)));
                }
            }
            response.body = cbor::to_bytes(&Cbor::Map(entries));
        }
        response
    }

    fn strip_error_type(&self, mut response: HttpResponse) -> HttpResponse {
        response.remove_header("x-amzn-errortype");
        response.remove_header("x-amzn-query-error");
        if let Ok(Some(Cbor::Map(mut entries))) = cbor::parse_body(&response.body) {
            entries.retain(|(k, _)| !matches!(k, Cbor::Text(t) if t == "__type" || t == "code"));
            response.body = cbor::to_bytes(&Cbor::Map(entries));
        }
        response
    }

    fn encode_output(&self, service: &Service, op: &Operation, output: &Value) -> HttpResponse {
        let mut headers = vec![(SMITHY_PROTOCOL.0.to_string(), SMITHY_PROTOCOL.1.to_string())];
        let Some(_) = op.output else {
            // No output: no body and no Content-Type.
            return HttpResponse {
                status: 200,
                headers,
                body: Vec::new(),
            };
        };
        let empty = indexmap::IndexMap::new();
        let values = output.as_structure().unwrap_or(&empty);
        let body = cbor::to_bytes(&Cbor::Map(cbor::members_cbor(
            service,
            service.output_members(op),
            values,
        )));
        headers.push(("content-type".into(), CBOR_CONTENT_TYPE.into()));
        HttpResponse {
            status: 200,
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
        // `__type` first, then the members as they are, then `message` unless they carry one.
        let body = super::json_server::error_body(Some(code), message, members);
        let mut headers = vec![
            (SMITHY_PROTOCOL.0.to_string(), SMITHY_PROTOCOL.1.to_string()),
            ("content-type".to_string(), CBOR_CONTENT_TYPE.to_string()),
        ];
        if let Some(query_error) = super::json::query_error_header(service, code) {
            headers.push(("x-amzn-query-error".into(), query_error));
        }
        HttpResponse {
            status,
            headers,
            body: cbor::to_bytes(&cbor::json_to_cbor(&serde_json::Value::Object(body))),
        }
    }
}

#[cfg(test)]
mod tests;
