//! The wire: which service and operation a request names, its body, and how answers are encoded per protocol.

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Response, StatusCode};
use serde_json::{Map, Value};

use super::faults::{Fault, FaultSet};
use super::sigv4;
use super::validation::lower_camel;
use crate::spec::{Operation, Protocol, ResponseBody, Service, ShapeKind, SpecSet};

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
    /// One of the service's declared errors: status and message key from the spec (400 and `message` if undeclared).
    pub(crate) fn modelled(service: &Service, name: &str, message: impl Into<String>) -> Self {
        let shape = service.errors.get(name);
        let message_key = shape
            .and_then(|e| {
                e.members
                    .iter()
                    .find(|m| m.name.eq_ignore_ascii_case("message"))
            })
            .map(|m| m.name.clone())
            .unwrap_or_else(|| "message".into());
        ApiError {
            status: shape.map_or(400, |e| e.status),
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
    /// A JSON object of output members.
    Json(Map<String, Value>),
}

/// The service a request is for: the SigV4 credential scope's service when signed (as moto routes), else an
/// `X-Amz-Target` header means the awsJson service, else the restJson1 service owning the path.
pub(crate) fn choose_service<'a>(
    specs: &'a SpecSet,
    headers: &HeaderMap,
    path: &str,
) -> &'a Service {
    let services = || specs.services.values();
    if let Some(scope) = sigv4::scope_service(headers)
        && let Some(service) = services().find(|s| s.signing_name == scope)
    {
        return service;
    }
    if let Some(target) = headers.get("x-amz-target").and_then(|t| t.to_str().ok()) {
        let prefix = target.split('.').next().unwrap_or_default();
        if let Some(service) = services()
            .find(|s| s.target_prefix.as_deref() == Some(prefix))
            .or_else(|| services().find(|s| s.protocol.is_aws_json()))
        {
            return service;
        }
    }
    if let Some(service) = services().find(|s| {
        s.protocol == Protocol::RestJson1 && s.operations.values().any(|op| op.http.path == path)
    }) {
        return service;
    }
    if path == "/"
        && let Some(service) = services().find(|s| s.protocol.is_aws_json())
    {
        return service;
    }
    services()
        .find(|s| s.protocol == Protocol::RestJson1)
        .or_else(|| services().next())
        .expect("start() refuses an empty spec set")
}

/// Checks the request's Content-Type: the protocol's media type (parameters ignored); restJson1 also takes none.
pub(crate) fn check_content_type(service: &Service, headers: &HeaderMap) -> Result<(), ApiError> {
    let given = headers
        .get(http::header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap_or("(not ASCII)"));
    let media = given.map(|g| {
        g.split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase()
    });
    let ok = match (service.protocol, media.as_deref()) {
        (Protocol::RestJson1, None) => true,
        (protocol, Some(media)) => media == protocol.content_type(),
        (_, None) => false,
    };
    if ok {
        Ok(())
    } else {
        Err(ApiError::framework(
            415,
            "UnsupportedMediaTypeException",
            format!(
                "Content-Type {} is not supported; send {}",
                given.map_or("(none)".to_string(), |g| format!("'{g}'")),
                service.protocol.content_type()
            ),
        ))
    }
}

/// Parses the body: empty means `{}`; anything but a JSON object is a SerializationException.
pub(crate) fn parse_body(body: &[u8], faults: &FaultSet) -> Result<Map<String, Value>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        _ if faults.has(Fault::MalformedJsonAccepted) => Ok(Map::new()),
        Ok(other) => Err(ApiError::framework(
            400,
            "SerializationException",
            format!(
                "Start of structure or map expected, found {}",
                match other {
                    Value::Array(_) => "an array",
                    Value::String(_) => "a string",
                    Value::Number(_) => "a number",
                    Value::Bool(_) => "a boolean",
                    _ => "null",
                }
            ),
        )),
        Err(e) => Err(ApiError::framework(
            400,
            "SerializationException",
            format!("The request body is not valid JSON: {e}"),
        )),
    }
}

/// The operation a request names. `Ok(None)` only when a deviation accepts an unknown operation.
pub(crate) fn route<'a>(
    service: &'a Service,
    method: &str,
    path: &str,
    headers: &HeaderMap,
    faults: &FaultSet,
) -> Result<Option<&'a Operation>, ApiError> {
    if service.protocol.is_aws_json() {
        let target = headers.get("x-amz-target").and_then(|t| t.to_str().ok());
        let found = target.and_then(|t| {
            let (prefix, name) = t.split_once('.')?;
            (Some(prefix) == service.target_prefix.as_deref())
                .then(|| service.operations.get(name))
                .flatten()
        });
        if method == "POST"
            && let Some(op) = found
        {
            return Ok(Some(op));
        }
        if faults.has(Fault::UnknownTargetAccepted) {
            return Ok(None);
        }
        return Err(ApiError::framework(
            400,
            "UnknownOperationException",
            match target {
                Some(t) if found.is_some() => {
                    format!("Operation {t} is not available over {method}")
                }
                Some(t) => format!("Unknown operation {t}"),
                None => "Missing X-Amz-Target header".to_string(),
            },
        ));
    }
    let on_path = service.operations.values().find(|op| op.http.path == path);
    match on_path {
        Some(op) if op.http.method == method || faults.has(Fault::AnyMethodAccepted) => {
            Ok(Some(op))
        }
        _ => Err(ApiError::framework(
            404,
            "UnknownOperationException",
            format!("No operation of {} answers {method} {path}", service.title),
        )),
    }
}

/// The status authentication failures get: 400 on awsJson, 403 on restJson1 (behind API Gateway).
pub(crate) fn auth_status(service: &Service) -> u16 {
    if service.protocol.is_aws_json() {
        400
    } else {
        403
    }
}

fn content_type(service: &Service, faults: &FaultSet) -> &'static str {
    if faults.has(Fault::WrongContentType) {
        "text/plain"
    } else {
        service.protocol.content_type()
    }
}

fn response(status: u16, headers: HeaderMap, body: Bytes) -> Response<Bytes> {
    let mut response = Response::new(body);
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    *response.headers_mut() = headers;
    response
}

fn set(headers: &mut HeaderMap, name: &'static str, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        headers.insert(name, value);
    }
}

/// Encodes an error: restJson1 puts the type in `X-Amzn-ErrorType`, awsJson in the body's `__type`.
pub(crate) fn encode_error(
    service: &Service,
    error: &ApiError,
    request_id: Option<&str>,
    faults: &FaultSet,
) -> Response<Bytes> {
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
    let mut headers = HeaderMap::new();
    set(&mut headers, "content-type", content_type(service, faults));
    if let Some(id) = request_id {
        set(&mut headers, "x-amzn-requestid", id);
    }
    let mut body = Map::new();
    let typed = !faults.has(Fault::ErrorTypeMissing);
    if service.protocol.is_aws_json() {
        if typed && faults.has(Fault::JsonErrorTypeHeaderOnly) {
            set(&mut headers, "x-amzn-errortype", &name);
        } else if typed {
            let qualified = if error.framework {
                format!("com.amazon.coral.service#{name}")
            } else {
                name.clone()
            };
            body.insert("__type".into(), Value::String(qualified));
        }
    } else if typed && faults.has(Fault::RestErrorTypeBodyOnly) {
        body.insert("__type".into(), Value::String(name.clone()));
    } else if typed {
        let header = if error.framework {
            format!("{name}:http://internal.amazon.com/coral/com.amazon.coral.service/")
        } else {
            name.clone()
        };
        set(&mut headers, "x-amzn-errortype", &header);
    }
    body.insert(
        error.message_key.clone(),
        Value::String(error.message.clone()),
    );
    body.extend(error.extra.iter().cloned());
    response(
        status,
        headers,
        Bytes::from(Value::Object(body).to_string()),
    )
}

/// Encodes a success, bending the output as switched-on deviations say.
pub(crate) fn encode_success(
    service: &Service,
    op: Option<&Operation>,
    success: Success,
    request_id: Option<&str>,
    faults: &FaultSet,
) -> Response<Bytes> {
    let mut headers = HeaderMap::new();
    set(&mut headers, "content-type", content_type(service, faults));
    if let Some(id) = request_id {
        set(&mut headers, "x-amzn-requestid", id);
    }
    let status = op.map_or(200, |op| op.success_status);
    let body = match (success, op) {
        (Success::Empty, _) => Bytes::new(),
        (Success::Json(_), Some(op))
            if op.response_body == ResponseBody::Empty && !service.protocol.is_aws_json() =>
        {
            Bytes::new()
        }
        (Success::Json(mut output), op) => {
            if let Some(op) = op {
                bend_output(op, &mut output, request_id, faults);
            }
            Bytes::from(Value::Object(output).to_string())
        }
    };
    response(status, headers, body)
}

fn bend_output(
    op: &Operation,
    output: &mut Map<String, Value>,
    request_id: Option<&str>,
    faults: &FaultSet,
) {
    if faults.has(Fault::TimestampAsString) {
        for member in op
            .output
            .iter()
            .filter(|m| matches!(m.shape.kind, ShapeKind::Timestamp))
        {
            if let Some(Value::Number(n)) = output.get(&member.name)
                && let Some(secs) = n.as_f64()
            {
                let text = sigv4::format_iso8601(secs as i64);
                output.insert(member.name.clone(), Value::String(text));
            }
        }
    }
    if let Some(first) = op.output.first() {
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
