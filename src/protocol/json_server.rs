//! The server side the JSON protocols share: body checks, input members read as AWS's Coral framework reads them,
//! authentication and type-error expectations, and where the error type goes (and how the embedded target's faults
//! move or drop it).
//!
//! The wording of the faults is the embedded target's (its snapshots pin it): `Start of structure or map expected,
//! found an array` for JSON that is no object, `Unexpected value at 'X': Member must be of type string (found a
//! JSON array)` for a value of the wrong type. Expectations follow `aws-wire-facts.md`; what it does not confirm is
//! uncertain.

use base64::Engine;
use indexmap::IndexMap;
use serde_json::Value as Json;

use super::{
    Also, HttpRequest, HttpResponse, ProtocolFault, ShapeProblem, WireExpectation,
    normalise_error_code,
};
use crate::case::Signing;
use crate::model::{
    Member, Path, ProtocolId, Segment, Service, ShapeKind, Timestamp, TimestampFormat, Value,
};

const FACTS_FAULTS: &str = "wire-facts: What real AWS does with protocol faults (JSON services)";
const FACTS_TYPES: &str = "wire-facts: Type errors come before validation (JSON services)";

/// The JSON object of a body, `None` when it is not one.
pub(crate) fn json_object(body: &[u8]) -> Option<serde_json::Map<String, Json>> {
    match serde_json::from_slice::<Json>(body) {
        Ok(Json::Object(map)) => Some(map),
        _ => None,
    }
}

/// Whether a body is empty or only whitespace.
pub(crate) fn is_blank(body: &[u8]) -> bool {
    body.iter().all(u8::is_ascii_whitespace)
}

/// The JSON type of a value, as a word.
fn json_type(value: &Json) -> &'static str {
    match value {
        Json::Null => "null",
        Json::Bool(_) => "boolean",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
}

fn serialization_fault(message: impl Into<String>) -> ProtocolFault {
    ProtocolFault {
        status: 400,
        code: "SerializationException".into(),
        message: message.into(),
    }
}

/// Whether a body is a JSON document the protocol's servers take at all: empty, or a JSON object.
pub(crate) fn check_body(request: &HttpRequest) -> Result<(), ProtocolFault> {
    if is_blank(&request.body) {
        return Ok(());
    }
    // Parsed without building the document (the body is decoded again once routed): a valid JSON text's type is
    // told by its first byte.
    if serde_json::from_slice::<serde::de::IgnoredAny>(&request.body).is_err() {
        // Without the parser's position: it depends on the body, and snapshots must not.
        return Err(serialization_fault("The request body is not valid JSON"));
    }
    let found = match request.body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => return Ok(()),
        Some(b'[') => "an array",
        Some(b'"') => "a string",
        Some(b't' | b'f') => "a boolean",
        Some(b'n') => "null",
        _ => "a number",
    };
    Err(serialization_fault(format!(
        "Start of structure or map expected, found {found}"
    )))
}

/// The body of a request as a JSON object (`{}` when empty), or the fault AWS answers.
pub(crate) fn body_object(body: &[u8]) -> Result<serde_json::Map<String, Json>, ProtocolFault> {
    if is_blank(body) {
        return Ok(serde_json::Map::new());
    }
    match serde_json::from_slice::<Json>(body) {
        Ok(Json::Object(map)) => Ok(map),
        Ok(other) => Err(serialization_fault(format!(
            "expected a JSON object, got a JSON {}",
            json_type(&other)
        ))),
        Err(e) => Err(serialization_fault(format!("the body is not JSON: {e}"))),
    }
}

/// Reads the members of a JSON object as the server does: unknown members ignored, a value of the wrong type at
/// any depth refused with the first such value (`Unexpected value at 'X': ...`).
pub(crate) fn read_members(
    service: &Service,
    members: &[&Member],
    object: &serde_json::Map<String, Json>,
) -> Result<IndexMap<String, Value>, ProtocolFault> {
    let mut problems = Vec::new();
    let mut out = IndexMap::new();
    for (key, json) in object {
        let Some(member) = members.iter().find(|m| m.wire_name() == key) else {
            continue;
        };
        let mut path = Path::members([member.name.as_str()]);
        let value = read(service, member, json, &mut path, &mut problems);
        out.insert(member.name.clone(), strip_unknown(value));
    }
    match problems.iter().find(|p| p.problem != "unexpected member") {
        Some(p) => Err(serialization_fault(format!(
            "Unexpected value at '{}': {}",
            p.path, p.problem
        ))),
        None => Ok(out),
    }
}

/// Reads the members of a JSON object leniently: values of the wrong type kept as [`Value::Raw`].
pub(crate) fn read_members_lenient(
    service: &Service,
    members: &[&Member],
    object: &serde_json::Map<String, Json>,
) -> IndexMap<String, Value> {
    object
        .iter()
        .filter_map(|(key, json)| {
            let member = members.iter().find(|m| m.wire_name() == key)?;
            Some((
                member.name.clone(),
                crate::model::json_form::from_json(service, member.target, json),
            ))
        })
        .collect()
}

/// Reads JSON against a shape; every departure goes to `problems`.
fn read(
    service: &Service,
    member: &Member,
    json: &Json,
    path: &mut Path,
    problems: &mut Vec<ShapeProblem>,
) -> Value {
    let s = service.target(member);
    let mut problem = |path: &Path, text: String| {
        problems.push(ShapeProblem {
            path: path.clone(),
            problem: text,
        })
    };
    let wrong = |found: &Json| -> String {
        format!(
            "Member must be of type {} (found a JSON {})",
            s.kind.name(),
            json_type(found)
        )
    };
    match (&s.kind, json) {
        (_, Json::Null) => Value::Null,
        (ShapeKind::Structure(members) | ShapeKind::Union(members), Json::Object(map)) => {
            let mut out = IndexMap::new();
            for (k, v) in map {
                match members.iter().find(|m| m.wire_name() == k) {
                    Some(m) => {
                        path.0.push(Segment::Member(m.name.clone()));
                        let value = read(service, m, v, path, problems);
                        path.0.pop();
                        out.insert(m.name.clone(), value);
                    }
                    None => {
                        path.0.push(Segment::Member(k.clone()));
                        problems.push(ShapeProblem {
                            path: path.clone(),
                            problem: "unexpected member".into(),
                        });
                        path.0.pop();
                        out.insert(k.clone(), Value::Raw(v.clone()));
                    }
                }
            }
            Value::Structure(out)
        }
        (ShapeKind::List(item), Json::Array(items)) => Value::List(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    path.0.push(Segment::Index(i));
                    let value = read(service, item, v, path, problems);
                    path.0.pop();
                    value
                })
                .collect(),
        ),
        (ShapeKind::Map { value, .. }, Json::Object(map)) => Value::Map(
            map.iter()
                .map(|(k, v)| {
                    path.0.push(Segment::Key(k.clone()));
                    let read_value = read(service, value, v, path, problems);
                    path.0.pop();
                    (k.clone(), read_value)
                })
                .collect(),
        ),
        (ShapeKind::String | ShapeKind::Enum(_), Json::String(x)) => Value::String(x.clone()),
        (ShapeKind::Boolean, Json::Bool(b)) => Value::Boolean(*b),
        (k, Json::Number(n)) if k.is_integral() => match n.as_i64() {
            Some(i) => Value::Integer(i),
            None => {
                problem(path, wrong(json));
                Value::Raw(json.clone())
            }
        },
        (ShapeKind::Float | ShapeKind::Double | ShapeKind::BigDecimal, Json::Number(n)) => {
            Value::Float(n.as_f64().unwrap_or(f64::NAN))
        }
        (ShapeKind::Float | ShapeKind::Double, Json::String(x))
            if matches!(x.as_str(), "NaN" | "Infinity" | "-Infinity") =>
        {
            Value::Float(x.parse().unwrap_or(f64::NAN))
        }
        (ShapeKind::Timestamp, Json::Number(n)) => Value::Timestamp(Timestamp {
            epoch_millis: (n.as_f64().unwrap_or(0.0) * 1000.0).round() as i64,
        }),
        // A member whose model gives it a string format (`timestampFormat: iso8601` or `rfc822`) is sent as a
        // string by every SDK; the epoch-seconds number stays accepted too.
        (ShapeKind::Timestamp, Json::String(x)) => {
            let parsed = match crate::protocol::json::timestamp_format(
                Some(member),
                s,
                TimestampFormat::EpochSeconds,
            ) {
                TimestampFormat::DateTime => crate::protocol::json::parse_date_time(x),
                TimestampFormat::HttpDate => Timestamp::parse_http_date(x),
                TimestampFormat::EpochSeconds => None,
            };
            match parsed {
                Some(t) => Value::Timestamp(t),
                None => {
                    problem(path, wrong(json));
                    Value::Raw(json.clone())
                }
            }
        }
        (ShapeKind::Blob, Json::String(x)) => {
            match base64::engine::general_purpose::STANDARD.decode(x) {
                Ok(bytes) => Value::Blob(bytes),
                Err(_) => {
                    problem(path, "Member must be base64".into());
                    Value::Raw(json.clone())
                }
            }
        }
        (ShapeKind::Document, _) => Value::Document(json.clone()),
        _ => {
            problem(path, wrong(json));
            Value::Raw(json.clone())
        }
    }
}

/// Drops the members the model does not know (read as [`Value::Raw`] under their own names).
fn strip_unknown(value: Value) -> Value {
    match value {
        Value::Structure(map) => Value::Structure(
            map.into_iter()
                .filter(|(_, v)| !matches!(v, Value::Raw(_)))
                .map(|(k, v)| (k, strip_unknown(v)))
                .collect(),
        ),
        Value::List(items) => Value::List(items.into_iter().map(strip_unknown).collect()),
        Value::Map(m) => Value::Map(m.into_iter().map(|(k, v)| (k, strip_unknown(v))).collect()),
        other => other,
    }
}

/// What AWS's JSON services answer to a value of the wrong type: they deserialise before they validate.
pub(crate) fn wrong_type() -> WireExpectation {
    WireExpectation {
        accept: vec![(400, Some("SerializationException"))],
        also: Also::Nothing,
        uncertain: None,
        certainly_fails: true,
        source: FACTS_TYPES,
    }
}

/// What AWS answers to a request with this signing fault: 400 on awsJson, 403 on restJson1.
pub(crate) fn signing_fault(protocol: ProtocolId, signing: Signing) -> WireExpectation {
    let aws_json = protocol.is_aws_json();
    let rest_auth = "restJson1 services answer authentication faults with 403 (aws-wire-facts); unverified for this service";
    let expired = "aws-wire-facts records \"Signature expired\" (400) without its error type";
    let (pairs, uncertain): (Vec<(u16, Option<&'static str>)>, Option<&'static str>) =
        match (signing, aws_json) {
            (Signing::Unsigned, true) => (
                vec![(400, Some("MissingAuthenticationTokenException"))],
                None,
            ),
            (Signing::Unsigned, false) => (
                vec![(403, Some("MissingAuthenticationTokenException"))],
                Some(rest_auth),
            ),
            (Signing::UnknownAccessKey, true) => {
                (vec![(400, Some("UnrecognizedClientException"))], None)
            }
            (Signing::UnknownAccessKey, false) => {
                (vec![(403, Some("UnrecognizedClientException"))], None)
            }
            (Signing::BadSignature, true) => (vec![(400, Some("InvalidSignatureException"))], None),
            (Signing::BadSignature, false) => (
                vec![(403, Some("InvalidSignatureException"))],
                Some(rest_auth),
            ),
            (Signing::Expired, true) => (
                vec![(400, Some("InvalidSignatureException"))],
                Some(expired),
            ),
            (Signing::Expired, false) => (
                vec![
                    (403, Some("InvalidSignatureException")),
                    (400, Some("InvalidSignatureException")),
                ],
                Some(expired),
            ),
            (Signing::Valid, _) => (vec![(200, None)], None),
        };
    WireExpectation {
        accept: pairs,
        also: Also::Nothing,
        uncertain,
        certainly_fails: signing != Signing::Valid,
        source: FACTS_FAULTS,
    }
}

/// The same error response with its type moved where only lenient clients look: awsJson's body `__type` to the
/// `X-Amzn-ErrorType` header, restJson1's header into the body.
pub(crate) fn misplace_error_type(
    protocol: ProtocolId,
    mut response: HttpResponse,
) -> HttpResponse {
    let Some(mut body) = json_object(&response.body) else {
        return response;
    };
    if protocol.is_aws_json() {
        if let Some(Json::String(code)) = body.remove("__type") {
            response
                .headers
                .push(("x-amzn-errortype".into(), normalise_error_code(&code)));
        }
    } else if let Some(code) = response
        .header("x-amzn-errortype")
        .map(normalise_error_code)
    {
        response.remove_header("x-amzn-errortype");
        body.insert("__type".into(), Json::String(code));
    }
    response.body = serde_json::to_vec(&Json::Object(body)).unwrap_or_default();
    response
}

/// The same error response without any error type.
pub(crate) fn strip_error_type(mut response: HttpResponse) -> HttpResponse {
    response.remove_header("x-amzn-errortype");
    response.remove_header("x-amzn-query-error");
    if let Some(mut body) = json_object(&response.body) {
        body.remove("__type");
        body.remove("code");
        response.body = serde_json::to_vec(&Json::Object(body)).unwrap_or_default();
    }
    response
}

/// The body of an error response as the embedded target writes it: `members` as they are, then `message` unless
/// they carry one (`message` or `Message`); awsJson puts `__type` first, as AWS writes it.
pub(crate) fn error_body(
    code_in_body: Option<&str>,
    message: &str,
    members: &Value,
) -> serde_json::Map<String, Json> {
    let mut body = match crate::model::json_form::to_plain_json(members) {
        Json::Object(map) => map,
        _ => Default::default(),
    };
    if !body.contains_key("message") && !body.contains_key("Message") {
        body.insert("message".into(), Json::String(message.into()));
    }
    match code_in_body {
        Some(code) => {
            let mut typed = serde_json::Map::new();
            typed.insert("__type".into(), Json::String(code.into()));
            typed.extend(body);
            typed
        }
        None => body,
    }
}
