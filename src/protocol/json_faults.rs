//! Protocol faults of the JSON protocols: the malformed requests a case can send, and what AWS answers to each.
//!
//! The classes and their expectations are those the harness has always used (see `aws-wire-facts.md`, "What real
//! AWS does with protocol faults"); what no capture of AWS settles is `uncertain`, with the reason. The signing
//! classes (`unsigned`, `bad-signature`, `unknown-access-key`, `expired`) are not the protocol's: they break the
//! signature, not the request.
//!
//! Body classes apply where the request has a JSON body: always on awsJson, and on restJson1 when the input has
//! body members or a structure (or document) payload. A restJson1 request whose input is all in the URI and headers
//! has no body the service reads, and what AWS does with one it does not expect is nowhere recorded, so those
//! operations get the routing classes only; a blob or string payload is any bytes, so no body is malformed there.

use crate::model::{Location, Operation, ProtocolId, Service, ShapeKind};

use super::http_binding::routes_anywhere;
use super::{Also, HttpRequest, Malformation, WireExpectation};
use crate::case::Signing;

/// The size of the `body-too-large` body: one byte over 1 MiB, above the request limit of many AWS JSON APIs.
pub const TOO_LARGE_BYTES: usize = 1024 * 1024 + 1;

/// The member `unknown-member` adds (and `body-too-large` pads with).
pub const UNKNOWN_MEMBER: &str = "ConformUnknownMember";

const WIRE_FAULTS: &str = "wire-facts: What real AWS does with protocol faults (JSON services)";
const UNKNOWN_MEMBERS: &str = "wire-facts: Validation messages (unknown members are ignored)";
const NO_CAPTURE_BODY_SHAPE: &str =
    "JSON that is no object: no capture shows which error AWS gives";
const REST_BODY_UNVERIFIED: &str =
    "aws-wire-facts records SerializationException from awsJson services; unverified on restJson1";
const NO_ROUTE: &str =
    "no capture shows what a restJson1 AWS endpoint answers for a route it does not have";

/// Whether requests of `op` carry a JSON document that the service reads.
pub(crate) fn has_json_body(service: &Service, op: &Operation, protocol: ProtocolId) -> bool {
    if protocol.is_aws_json() {
        return true;
    }
    service.input_members(op).iter().any(|m| match m.location {
        Location::Body => true,
        Location::Payload => matches!(
            service.target(m).kind,
            ShapeKind::Structure(_) | ShapeKind::Union(_) | ShapeKind::Document
        ),
        _ => false,
    })
}

/// What AWS's JSON services answer to a body they cannot read: 400 `SerializationException`.
pub(crate) fn serialization(protocol: ProtocolId) -> WireExpectation {
    WireExpectation {
        accept: vec![(400, Some("SerializationException"))],
        also: Also::Nothing,
        uncertain: (!protocol.is_aws_json()).then_some(REST_BODY_UNVERIFIED),
        certainly_fails: true,
        source: WIRE_FAULTS,
    }
}

/// The malformations of `op` under `protocol` (restJson1 or awsJson), in a fixed order.
pub(crate) fn malformations(
    service: &Service,
    op: &Operation,
    protocol: ProtocolId,
) -> Vec<Malformation> {
    let aws_json = protocol.is_aws_json();
    let ser = serialization(protocol);
    let m = |class: &'static str, detail: &str, uses_input: bool, expect: WireExpectation| {
        Malformation {
            class,
            detail: detail.to_string(),
            uses_input,
            repeatable: true,
            signing: Signing::Valid,
            expect,
        }
    };
    let mut out = Vec::new();
    if has_json_body(service, op, protocol) {
        let not_object = WireExpectation {
            uncertain: Some(NO_CAPTURE_BODY_SHAPE),
            ..ser.clone()
        };
        let maybe_no_input = |uncertain: &'static str| WireExpectation {
            accept: vec![(400, Some("SerializationException"))],
            also: Also::EmptyInput,
            uncertain: Some(uncertain),
            certainly_fails: false,
            source: WIRE_FAULTS,
        };
        out.push(m(
            "body-not-json",
            "the body is not JSON",
            false,
            ser.clone(),
        ));
        out.push(m(
            "body-truncated",
            "the JSON body is cut in half",
            false,
            ser.clone(),
        ));
        out.push(m(
            "body-array",
            "the body is a JSON array holding the valid input",
            true,
            not_object.clone(),
        ));
        out.push(m(
            "body-string",
            "the body is a JSON string",
            false,
            not_object.clone(),
        ));
        out.push(m(
            "body-number",
            "the body is a JSON number",
            false,
            not_object,
        ));
        out.push(m(
            "body-null",
            "the body is JSON null",
            false,
            maybe_no_input(
                "a null body may be read as no input or refused; no capture shows which",
            ),
        ));
        out.push(m(
            "body-empty",
            "the body is empty",
            false,
            maybe_no_input(
                "an empty body usually means no input (then the required members are missing); unverified",
            ),
        ));
        out.push(m(
            "unknown-member",
            "a member the operation does not have is added (AWS ignores unknown members)",
            true,
            WireExpectation {
                accept: Vec::new(),
                also: Also::Valid,
                uncertain: None,
                certainly_fails: false,
                source: UNKNOWN_MEMBERS,
            },
        ));
        out.push(Malformation {
            repeatable: false,
            ..m(
                "body-too-large",
                "the body is 1 MiB + 1 byte (a valid input padded with an unknown member)",
                true,
                WireExpectation {
                    accept: vec![
                        (413, None),
                        (413, Some("RequestEntityTooLargeException")),
                        (400, Some("SerializationException")),
                        (400, Some("ValidationException")),
                    ],
                    also: Also::Nothing,
                    uncertain: Some(
                        "aws-wire-facts gives no request-size limit; this body is 1 MiB + 1 byte, over the limit of many AWS JSON APIs",
                    ),
                    certainly_fails: false,
                    source: WIRE_FAULTS,
                },
            )
        });
        let content_type = WireExpectation {
            accept: vec![
                (404, None),
                (415, Some("UnsupportedMediaTypeException")),
                (400, Some("SerializationException")),
            ],
            also: Also::Valid,
            uncertain: Some(
                "real DynamoDB answers 404 with a non-JSON body, Smithy servers 415 (aws-wire-facts): treat as uncertain",
            ),
            certainly_fails: false,
            source: WIRE_FAULTS,
        };
        out.push(m(
            "content-type-wrong",
            "Content-Type is text/plain",
            true,
            content_type.clone(),
        ));
        out.push(m(
            "content-type-missing",
            "there is no Content-Type",
            true,
            content_type,
        ));
    }
    if aws_json {
        let unknown_op = WireExpectation {
            accept: vec![(400, Some("UnknownOperationException"))],
            also: Also::Nothing,
            uncertain: None,
            certainly_fails: true,
            source: WIRE_FAULTS,
        };
        out.push(m(
            "target-missing",
            "there is no X-Amz-Target",
            true,
            unknown_op.clone(),
        ));
        out.push(m(
            "target-unknown",
            "X-Amz-Target names no operation",
            true,
            unknown_op,
        ));
        out.push(Malformation {
            signing: Signing::Unsigned,
            ..m(
                "parse-before-auth",
                "an unsigned request whose body is not JSON: AWS parses the body before it checks authentication",
                false,
                WireExpectation {
                    uncertain: None,
                    ..ser
                },
            )
        });
    } else {
        let route = WireExpectation {
            accept: vec![
                (404, Some("UnknownOperationException")),
                (403, Some("MissingAuthenticationTokenException")),
                (404, None),
                (405, None),
            ],
            also: Also::Nothing,
            uncertain: Some(NO_ROUTE),
            // No operation of the model answers the request; which error AWS names is what is uncertain.
            certainly_fails: true,
            source: WIRE_FAULTS,
        };
        if other_method(service, op).is_some() {
            out.push(m(
                "method-wrong",
                "the operation's path with another HTTP method",
                true,
                route.clone(),
            ));
        }
        if unknown_path(service).is_some() {
            out.push(m("path-unknown", "a path no operation has", true, route));
        }
    }
    out
}

/// A method no operation answers on `op`'s path (with its labels filled by a placeholder).
fn other_method(service: &Service, op: &Operation) -> Option<&'static str> {
    let path = sample_path(op);
    ["GET", "PUT", "POST", "DELETE", "PATCH"]
        .into_iter()
        .filter(|m| !m.eq_ignore_ascii_case(&op.http.method))
        .find(|m| !routes_anywhere(service, m, &path))
}

/// A path no operation of the service has, under any method.
fn unknown_path(service: &Service) -> Option<&'static str> {
    [
        "/conformNoSuchOperation",
        "/conformNoSuchOperation/conformNoSuchOperation/conformNoSuchOperation",
        "/conform-no-such-operation/x/y/z/w/v",
    ]
    .into_iter()
    .find(|p| {
        ["GET", "PUT", "POST", "DELETE", "PATCH", "HEAD"]
            .into_iter()
            .all(|m| !routes_anywhere(service, m, p))
    })
}

/// The operation's path with every label filled with `x` (to probe which methods own it).
fn sample_path(op: &Operation) -> String {
    let template = op.http.template();
    template
        .segments
        .iter()
        .map(|s| match s {
            super::http_binding::TemplateSegment::Literal(t) => t.as_str(),
            _ => "x",
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// `object` with [`UNKNOWN_MEMBER`] added last, holding as many `x` as make the document [`TOO_LARGE_BYTES`] long.
/// The filler is written into the serialised document with an empty string in its place, so that the megabyte is
/// copied once instead of being serialised (and escaped) twice.
fn padded_to_too_large(mut object: serde_json::Map<String, serde_json::Value>) -> Option<Vec<u8>> {
    object.shift_remove(UNKNOWN_MEMBER);
    object.insert(
        UNKNOWN_MEMBER.to_string(),
        serde_json::Value::String(String::new()),
    );
    let mut body = serde_json::to_vec(&object).ok()?;
    // The member is last (insertion order is kept), so the document ends with its empty string and the brace.
    let tail = format!("\"{UNKNOWN_MEMBER}\":\"\"}}");
    if !body.ends_with(tail.as_bytes()) {
        return None;
    }
    let filler = TOO_LARGE_BYTES.saturating_sub(body.len());
    let closing = body.split_off(body.len() - 2);
    body.resize(body.len() + filler, b'x');
    body.extend_from_slice(&closing);
    Some(body)
}

/// The classes that need a JSON body the service reads ([`has_json_body`]).
const BODY_CLASSES: [&str; 11] = [
    "body-not-json",
    "body-truncated",
    "body-array",
    "body-string",
    "body-number",
    "body-null",
    "body-empty",
    "unknown-member",
    "body-too-large",
    "content-type-wrong",
    "content-type-missing",
];

/// Whether [`malformations`] offers `class` for `op`, without listing them: every malformed case asks, and the
/// routing classes probe each of the service's routes to be listed. `method-wrong` and `path-unknown` are only
/// said to be possible here; [`malform`] finds their method or path, or gives `None`.
fn offers(service: &Service, op: &Operation, class: &str, protocol: ProtocolId) -> bool {
    let aws_json = protocol.is_aws_json();
    match class {
        _ if BODY_CLASSES.contains(&class) => has_json_body(service, op, protocol),
        "target-missing" | "target-unknown" | "parse-before-auth" => aws_json,
        "method-wrong" | "path-unknown" => !aws_json,
        _ => false,
    }
}

/// Applies a class to a correctly encoded request; `None` when the class does not apply to the operation.
pub(crate) fn malform(
    service: &Service,
    op: &Operation,
    class: &str,
    request: &HttpRequest,
    protocol: ProtocolId,
) -> Option<HttpRequest> {
    if !offers(service, op, class, protocol) {
        return None;
    }
    let mut out = request.clone();
    let body_text = |out: &mut HttpRequest, text: &str| out.body = text.as_bytes().to_vec();
    match class {
        "body-not-json" | "parse-before-auth" => body_text(&mut out, "this is not JSON"),
        "body-truncated" => {
            let body = String::from_utf8_lossy(&request.body).into_owned();
            let body = if body.is_empty() {
                "{}".to_string()
            } else {
                body
            };
            let cut = body.len().div_ceil(2).max(1);
            let end = (1..=cut)
                .rev()
                .find(|i| body.is_char_boundary(*i))
                .unwrap_or(1);
            body_text(&mut out, &body[..end]);
        }
        "body-array" => {
            let inner = if request.body.is_empty() {
                b"{}".to_vec()
            } else {
                request.body.clone()
            };
            out.body = [b"[".as_slice(), &inner, b"]"].concat();
        }
        "body-string" => body_text(&mut out, "\"conform\""),
        "body-number" => body_text(&mut out, "42"),
        "body-null" => body_text(&mut out, "null"),
        "body-empty" => out.body.clear(),
        "unknown-member" | "body-too-large" => {
            let mut object = match serde_json::from_slice::<serde_json::Value>(&request.body) {
                Ok(serde_json::Value::Object(object)) => object,
                _ if request.body.iter().all(u8::is_ascii_whitespace) => serde_json::Map::new(),
                _ => return None,
            };
            out.body = if class == "unknown-member" {
                object.insert(
                    UNKNOWN_MEMBER.to_string(),
                    serde_json::Value::String("ignored".to_string()),
                );
                serde_json::to_vec(&object).ok()?
            } else {
                padded_to_too_large(object)?
            };
            if out.header("content-type").is_none() {
                out.set_header("content-type", "application/json");
            }
        }
        "content-type-wrong" => {
            out.remove_header("content-type");
            out.headers
                .insert(0, ("content-type".into(), "text/plain".into()));
        }
        "content-type-missing" => out.remove_header("content-type"),
        "target-missing" => out.remove_header("x-amz-target"),
        "target-unknown" => {
            let prefix = service.target_prefix.as_deref().unwrap_or("Service");
            out.set_header("x-amz-target", format!("{prefix}.ConformNoSuchOperation"));
        }
        "method-wrong" => {
            let method = other_method(service, op)?;
            out.method = method.to_string();
        }
        "path-unknown" => {
            let path = unknown_path(service)?;
            out.path = match request.query() {
                Some(q) => format!("{path}?{q}"),
                None => path.to_string(),
            };
        }
        _ => return None,
    }
    Some(out)
}
