//! The wire, from the server's side: which service a request is for, and answers as values before the protocol
//! encodes them (the service's protocol does the encoding; switched-on faults bend the result).

use http::{HeaderMap, HeaderValue, Response, StatusCode};
use serde_json::{Map, Value};

use super::faults::{Fault, FaultSet};
use super::sigv4;
use crate::model::json_form::from_json;
use crate::model::{Model, Operation, Service, Value as Typed};
use crate::protocol::{HttpRequest, HttpResponse, Protocol};

/// An error answer, before it is encoded for a protocol.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ApiError {
    pub(crate) status: u16,
    /// Bare error type (`ValidationException`).
    pub(crate) error_type: String,
    pub(crate) message: String,
    /// The body key of the message (`message`, or `Message` for WorkMail's errors).
    pub(crate) message_key: String,
    /// A Coral framework error (serialization, routing, authentication) rather than one of the service's own.
    pub(crate) framework: bool,
    /// Further body members (`reason`, `fieldList`).
    pub(crate) extra: Vec<(String, Value)>,
}

impl ApiError {
    /// One of the service's declared errors: status and message key from the model (400 and `message` if
    /// undeclared).
    pub(crate) fn modelled(service: &Service, name: &str, message: impl Into<String>) -> Self {
        let shape = service.error_named(name).map(|(_, s)| s);
        let message_key = shape
            .and_then(|e| {
                e.kind
                    .members()
                    .iter()
                    .find(|m| m.name.eq_ignore_ascii_case("message"))
            })
            .map(|m| m.wire_name().to_string())
            .unwrap_or_else(|| "message".into());
        ApiError {
            status: shape
                .and_then(|s| s.error.as_ref())
                .map_or(400, |e| e.status()),
            error_type: name.to_string(),
            message: message.into(),
            message_key,
            framework: false,
            extra: Vec::new(),
        }
    }

    /// A framework error every Coral service can send.
    pub(crate) fn framework(status: u16, name: &str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            error_type: name.to_string(),
            message: message.into(),
            message_key: "message".into(),
            framework: true,
            extra: Vec::new(),
        }
    }
}

/// A success answer, before it is encoded.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Success {
    /// No body (Account's Put and Delete).
    Empty,
    /// The output members, as JSON with member names as keys.
    Json(Map<String, Value>),
}

/// The service a request is for: the one conform's own client names (`x-conform-service`, sent to the embedded
/// target only: AWS tells Neptune from RDS by host name, which a loopback port does not have), else the SigV4
/// credential scope's service when signed (as moto routes), else an `X-Amz-Target` header naming a service's
/// prefix, else the service whose protocol routes the request, else the first service of the model.
pub(crate) fn choose_service<'a>(
    model: &'a Model,
    headers: &HeaderMap,
    request: &HttpRequest,
) -> &'a Service {
    let services = || model.services.values();
    if let Some(named) = headers
        .get(crate::client::SERVICE_HINT_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|name| model.services.get(name))
    {
        return named;
    }
    if let Some(scope) = sigv4::scope_service(headers) {
        // Several services may share a signing name (those of one API family); the one that routes it wins.
        let signing: Vec<&Service> = services().filter(|s| s.signing_name == scope).collect();
        if let [only] = signing.as_slice() {
            return only;
        }
        if let Some(service) = signing
            .iter()
            .find(|s| routes(s, request))
            .or(signing.first())
        {
            return service;
        }
    }
    if let Some(service) = services().find(|s| routes(s, request)) {
        return service;
    }
    // `POST /` without a target or a signature: the JSON RPC services (those with a target prefix) live there.
    if request.path_only() == "/"
        && let Some(service) = services().find(|s| s.target_prefix.is_some())
    {
        return service;
    }
    services()
        .find(|s| s.target_prefix.is_none())
        .or_else(|| services().next())
        .expect("start() refuses an empty model")
}

fn routes(service: &Service, request: &HttpRequest) -> bool {
    crate::protocol::for_id(service.protocol).is_some_and(|p| p.route(service, request).is_ok())
}

fn set(headers: &mut Vec<(String, String)>, name: &str, value: &str) {
    headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    headers.push((name.to_string(), value.to_string()));
}

/// Encodes an error with the service's protocol, bending it as switched-on faults say.
pub(crate) fn encode_error(
    service: &Service,
    protocol: &dyn Protocol,
    error: &ApiError,
    request_id: Option<&str>,
    faults: &FaultSet,
) -> HttpResponse {
    let mut status = error.status;
    let validation = matches!(
        error.error_type.as_str(),
        "ValidationException" | "InvalidParameterException"
    );
    if validation && faults.has(Fault::ValidationStatus500) {
        status = 500;
    }
    if error.error_type == "ResourceNotFoundException" && faults.has(Fault::NotFoundStatus400) {
        status = 400;
    }
    let mut name = error.error_type.clone();
    if faults.has(Fault::ErrorTypeMisspelt)
        && let Some(stem) = name.strip_suffix("Exception")
    {
        name = format!("{stem}Error");
    }
    let code = if error.framework {
        protocol.framework_error_code(&name)
    } else {
        name.clone()
    };
    let mut members: Map<String, Value> = Map::new();
    members.insert(
        error.message_key.clone(),
        Value::String(error.message.clone()),
    );
    members.extend(error.extra.iter().cloned());
    let mut response = protocol.encode_error(
        service,
        status,
        &code,
        &error.message,
        &Typed::Document(Value::Object(members)),
    );
    // Where the error type goes is the protocol's; these faults move or drop it as real emulators do. Each of the
    // two moving faults is about one place the type should be: it bends only services that put it there.
    let canonical = protocol.error_source();
    if faults.has(Fault::ErrorTypeMissing) {
        response = protocol.strip_error_type(response);
    } else if (faults.has(Fault::RestErrorTypeBodyOnly)
        && canonical == crate::protocol::ErrorSource::Header)
        || (faults.has(Fault::JsonErrorTypeHeaderOnly)
            && matches!(canonical, crate::protocol::ErrorSource::Body(_)))
    {
        response = protocol.misplace_error_type(response);
    }
    finish(protocol, response, request_id, faults)
}

/// The request id (in the header, and where the protocol's bodies carry one), and the Content-Type a fault may
/// break.
fn finish(
    protocol: &dyn Protocol,
    mut response: HttpResponse,
    request_id: Option<&str>,
    faults: &FaultSet,
) -> HttpResponse {
    if faults.has(Fault::WrongContentType) {
        set(&mut response.headers, "content-type", "text/plain");
    }
    if let Some(id) = request_id {
        set(&mut response.headers, "x-amzn-requestid", id);
        response = protocol.set_request_id(response, id);
    }
    response
}

/// Encodes a success with the service's protocol, bending the output as switched-on faults say.
pub(crate) fn encode_success(
    service: &Service,
    protocol: &dyn Protocol,
    op: Option<&Operation>,
    success: Success,
    request_id: Option<&str>,
    faults: &FaultSet,
) -> HttpResponse {
    let Some(op) = op else {
        // An operation the target accepted without knowing it (a fault): an empty JSON answer.
        let response = HttpResponse {
            status: 200,
            headers: vec![("content-type".into(), protocol.content_type().into())],
            body: b"{}".to_vec(),
        };
        return finish(protocol, response, request_id, faults);
    };
    let output = match (success, op.output) {
        (Success::Json(mut map), Some(shape)) => {
            bend_output(service, op, &mut map, request_id, faults);
            let mut output = from_json(service, shape, &Value::Object(map));
            if faults.has(Fault::TimestampAsString)
                && let Typed::Structure(members) = &mut output
            {
                // A string where the protocol sends a number: sent as it is, past the encoder.
                for v in members.values_mut() {
                    if let Typed::Timestamp(t) = v {
                        *v = Typed::Raw(Value::String(sigv4::format_iso8601(
                            t.epoch_millis.div_euclid(1000),
                        )));
                    }
                }
            }
            output
        }
        _ => Typed::structure(),
    };
    finish(
        protocol,
        protocol.encode_output(service, op, &output),
        request_id,
        faults,
    )
}

/// The output bent as the response faults say (members renamed, missing, of the wrong type, added).
fn bend_output(
    service: &Service,
    op: &Operation,
    output: &mut Map<String, Value>,
    request_id: Option<&str>,
    faults: &FaultSet,
) {
    let members = service.output_members(op);
    if let Some(first) = members.first() {
        if faults.has(Fault::ResponseMemberMissing) {
            output.shift_remove(&first.name);
        }
        if faults.has(Fault::ResponseMemberWrongType)
            && let Some(value) = output.get_mut(&first.name)
        {
            *value = match value.take() {
                Value::String(s) => Value::Array(vec![Value::String(s)]),
                other => Value::String(other.to_string()),
            };
        }
    }
    if faults.has(Fault::ResponseExtraMember) {
        output.insert(
            "ResponseMetadata".into(),
            serde_json::json!({"RequestId": request_id.unwrap_or_default()}),
        );
    }
    if faults.has(Fault::ResponseMemberRenamed) {
        *output = std::mem::take(output)
            .into_iter()
            .map(|(k, v)| (lower_camel(&k), v))
            .collect();
    }
}

/// `AlternateContact` → `alternateContact`.
pub(crate) fn lower_camel(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// An `http` response from an encoded one.
pub(crate) fn to_http(response: HttpResponse) -> Response<bytes::Bytes> {
    let mut out = Response::new(bytes::Bytes::from(response.body));
    *out.status_mut() =
        StatusCode::from_u16(response.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = out.headers_mut();
    for (name, value) in response.headers {
        if let (Ok(name), Ok(value)) = (
            http::header::HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            headers.append(name, value);
        }
    }
    out
}
