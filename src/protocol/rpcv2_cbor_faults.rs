//! Protocol faults of rpcv2Cbor: the malformed requests a case can send, what AWS answers to each, and what it
//! answers to values of the wrong type and to signing faults.
//!
//! No capture of an AWS rpcv2Cbor service's answer to a protocol fault exists (aws-wire-facts records the JSON
//! services'), so every expectation here is uncertain about *which* answer comes. Whether the request fails is
//! settled where the Smithy rpcv2Cbor specification says so (a request without `smithy-protocol: rpc-v2-cbor`, with
//! an `X-Amz-Target`, not a `POST`, or naming no operation is not claimed or must be rejected; a body that is not a
//! CBOR map, or a value of the wrong type, cannot be read as the input). The codes offered are those AWS's JSON
//! services send for the same faults (the CBOR services also speak awsJson and share their framework) and those
//! Smithy's Rust server framework sends (404 `UnknownOperationException` for every routing fault, 405 for another
//! method).

use ciborium::value::Value as Cbor;

use crate::case::Signing;
use crate::model::{Operation, Service};

use super::cbor;
use super::json_faults::{TOO_LARGE_BYTES, UNKNOWN_MEMBER};
use super::rpcv2_cbor::SMITHY_PROTOCOL;
use super::{Also, HttpRequest, Malformation, WireExpectation};

const SPEC: &str =
    "Smithy rpcv2Cbor specification (identification for claiming, requests); no capture of AWS";
const FACTS: &str =
    "wire-facts: What real AWS does with protocol faults (JSON services); unverified on rpcv2Cbor";
const NO_CAPTURE_BODY: &str = "no capture of an AWS rpcv2Cbor service's answer to a body it cannot read; AWS's JSON \
     services answer 400 SerializationException";
const NO_CAPTURE_ROUTE: &str = "no capture of an AWS rpcv2Cbor service's answer to a request it does not claim; \
     Smithy's Rust server framework answers 404 UnknownOperationException";

/// The classes that need a body the service reads (an operation with input).
const BODY_CLASSES: [&str; 12] = [
    "body-not-cbor",
    "body-truncated",
    "body-array",
    "body-text",
    "body-integer",
    "body-null",
    "body-empty",
    "unknown-member",
    "body-too-large",
    "content-type-wrong",
    "content-type-missing",
    "parse-before-auth",
];

/// The routing classes, offered on every operation.
const ROUTE_CLASSES: [&str; 7] = [
    "operation-unknown",
    "service-unknown",
    "path-not-rpc",
    "method-wrong",
    "protocol-header-missing",
    "protocol-header-wrong",
    "target-header-present",
];

/// What AWS answers to a body it cannot read as the input.
fn unreadable() -> WireExpectation {
    WireExpectation {
        accept: vec![(400, Some("SerializationException"))],
        also: Also::Nothing,
        uncertain: Some(NO_CAPTURE_BODY),
        certainly_fails: true,
        source: FACTS,
    }
}

/// What AWS answers to a request it does not claim as one of the service's operations.
fn not_claimed() -> WireExpectation {
    WireExpectation {
        accept: vec![
            (404, Some("UnknownOperationException")),
            (404, None),
            (400, Some("UnknownOperationException")),
        ],
        also: Also::Nothing,
        uncertain: Some(NO_CAPTURE_ROUTE),
        certainly_fails: true,
        source: SPEC,
    }
}

/// What AWS answers to a value of the wrong CBOR type for its member: it cannot deserialise the input.
pub(crate) fn wrong_type() -> WireExpectation {
    WireExpectation {
        accept: vec![(400, Some("SerializationException"))],
        also: Also::Nothing,
        uncertain: Some(
            "aws-wire-facts records SerializationException for values of the wrong type from AWS's JSON services; \
             unverified on rpcv2Cbor",
        ),
        certainly_fails: true,
        source: "wire-facts: Type errors come before validation (JSON services); unverified on rpcv2Cbor",
    }
}

/// What AWS answers to a request with this signing fault: the awsJson answers (the same services, the same
/// framework), uncertain.
pub(crate) fn signing_fault(signing: Signing) -> WireExpectation {
    let accept: Vec<(u16, Option<&'static str>)> = match signing {
        Signing::Valid => vec![(200, None)],
        Signing::Unsigned => vec![(400, Some("MissingAuthenticationTokenException"))],
        Signing::UnknownAccessKey => vec![(400, Some("UnrecognizedClientException"))],
        Signing::BadSignature | Signing::Expired => {
            vec![(400, Some("InvalidSignatureException"))]
        }
    };
    WireExpectation {
        accept,
        also: Also::Nothing,
        uncertain: (signing != Signing::Valid).then_some(
            "aws-wire-facts records these answers from awsJson services; unverified on rpcv2Cbor",
        ),
        certainly_fails: signing != Signing::Valid,
        source: FACTS,
    }
}

/// Whether [`malformations`] offers `class` for `op`.
fn offers(op: &Operation, class: &str) -> bool {
    if BODY_CLASSES.contains(&class) {
        return op.input.is_some();
    }
    ROUTE_CLASSES.contains(&class)
}

/// The malformations of `op`, in a fixed order: body classes where the operation takes input, then routing.
pub(crate) fn malformations(_service: &Service, op: &Operation) -> Vec<Malformation> {
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
    if op.input.is_some() {
        let maybe_no_input = |uncertain: &'static str| WireExpectation {
            accept: vec![(400, Some("SerializationException"))],
            also: Also::EmptyInput,
            uncertain: Some(uncertain),
            certainly_fails: false,
            source: FACTS,
        };
        out.push(m(
            "body-not-cbor",
            "the body is not CBOR",
            false,
            unreadable(),
        ));
        out.push(m(
            "body-truncated",
            "the CBOR body is cut in half",
            true,
            unreadable(),
        ));
        out.push(m(
            "body-array",
            "the body is a CBOR array (major type 4) holding the valid input, not a map",
            true,
            unreadable(),
        ));
        out.push(m(
            "body-text",
            "the body is a CBOR text string (major type 3), not a map",
            false,
            unreadable(),
        ));
        out.push(m(
            "body-integer",
            "the body is a CBOR integer (major type 0), not a map",
            false,
            unreadable(),
        ));
        out.push(m(
            "body-null",
            "the body is CBOR null",
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
                "an empty body may be read as no input (then the required members are missing); unverified",
            ),
        ));
        out.push(m(
            "unknown-member",
            "a member the operation does not have is added",
            true,
            WireExpectation {
                accept: vec![(400, Some("SerializationException"))],
                also: Also::Valid,
                uncertain: Some(
                    "AWS's JSON services ignore unknown members (aws-wire-facts); unverified on rpcv2Cbor",
                ),
                certainly_fails: false,
                source: FACTS,
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
                    source: FACTS,
                },
            )
        });
        let content_type = WireExpectation {
            accept: vec![
                (415, Some("UnsupportedMediaTypeException")),
                (400, Some("SerializationException")),
                (404, None),
            ],
            also: Also::Valid,
            uncertain: Some(
                "no capture of an AWS rpcv2Cbor service's answer to a body under another media type; Smithy servers \
                 answer 415",
            ),
            certainly_fails: false,
            source: FACTS,
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
        out.push(Malformation {
            signing: Signing::Unsigned,
            ..m(
                "parse-before-auth",
                "an unsigned request whose body is not CBOR: AWS's JSON services parse the body before they check \
                 authentication",
                false,
                WireExpectation {
                    accept: vec![
                        (400, Some("SerializationException")),
                        (400, Some("MissingAuthenticationTokenException")),
                    ],
                    ..unreadable()
                },
            )
        });
    }
    out.push(m(
        "operation-unknown",
        "the path names no operation of the service",
        true,
        not_claimed(),
    ));
    out.push(m(
        "service-unknown",
        "the path names another service",
        true,
        not_claimed(),
    ));
    out.push(m(
        "path-not-rpc",
        "the path is `/`, not /service/<ServiceName>/operation/<Operation>",
        true,
        not_claimed(),
    ));
    out.push(m(
        "method-wrong",
        "the request is a PUT (rpcv2Cbor requests are POSTs)",
        true,
        WireExpectation {
            accept: vec![
                (405, None),
                (405, Some("UnknownOperationException")),
                (404, Some("UnknownOperationException")),
                (404, None),
            ],
            ..not_claimed()
        },
    ));
    out.push(m(
        "protocol-header-missing",
        "there is no smithy-protocol header",
        true,
        not_claimed(),
    ));
    out.push(m(
        "protocol-header-wrong",
        "smithy-protocol is rpc-v2-conform, a format no service speaks",
        true,
        not_claimed(),
    ));
    out.push(m(
        "target-header-present",
        "an X-Amz-Target header names the operation (rpcv2Cbor servers must reject it)",
        true,
        not_claimed(),
    ));
    out
}

/// The body padded with [`UNKNOWN_MEMBER`] to [`TOO_LARGE_BYTES`]; `None` when the body is no map.
fn padded_to_too_large(mut entries: Vec<(Cbor, Cbor)>) -> Option<Vec<u8>> {
    entries.retain(|(k, _)| !matches!(k, Cbor::Text(t) if t == UNKNOWN_MEMBER));
    let with = |entries: &[(Cbor, Cbor)], n: usize| {
        let mut all = entries.to_vec();
        all.push((
            Cbor::Text(UNKNOWN_MEMBER.to_string()),
            Cbor::Text("x".repeat(n)),
        ));
        cbor::to_bytes(&Cbor::Map(all))
    };
    // The filler's length header grows with it (1 byte empty, 5 bytes past 65,535): measure, then fit.
    let base = with(&entries, 0).len();
    let n = TOO_LARGE_BYTES.checked_sub(base + 4)?;
    let body = with(&entries, n);
    (body.len() == TOO_LARGE_BYTES).then_some(body)
}

/// Applies a class to a correctly encoded request; `None` when the class does not apply to the operation.
pub(crate) fn malform(
    service: &Service,
    op: &Operation,
    class: &str,
    request: &HttpRequest,
) -> Option<HttpRequest> {
    if !offers(op, class) {
        return None;
    }
    let mut out = request.clone();
    let item = || match cbor::parse_body(&request.body) {
        Ok(Some(item)) => Some(item),
        Ok(None) => Some(Cbor::Map(Vec::new())),
        Err(_) => None,
    };
    let set_path = |out: &mut HttpRequest, path: String| {
        out.path = match request.query() {
            Some(q) => format!("{path}?{q}"),
            None => path,
        };
    };
    match class {
        "body-not-cbor" | "parse-before-auth" => out.body = b"\xffthis is not CBOR".to_vec(),
        "body-truncated" => {
            out.body = if request.body.len() >= 2 {
                request.body[..request.body.len() / 2].to_vec()
            } else {
                // A map header announcing one entry, and none.
                vec![0xa1]
            };
        }
        "body-array" => out.body = cbor::to_bytes(&Cbor::Array(vec![item()?])),
        "body-text" => out.body = cbor::to_bytes(&Cbor::Text("conform".into())),
        "body-integer" => out.body = cbor::to_bytes(&Cbor::Integer(42.into())),
        "body-null" => out.body = cbor::to_bytes(&Cbor::Null),
        "body-empty" => out.body.clear(),
        "unknown-member" | "body-too-large" => {
            let Cbor::Map(mut entries) = item()? else {
                return None;
            };
            out.body = if class == "unknown-member" {
                entries.push((
                    Cbor::Text(UNKNOWN_MEMBER.to_string()),
                    Cbor::Text("ignored".to_string()),
                ));
                cbor::to_bytes(&Cbor::Map(entries))
            } else {
                padded_to_too_large(entries)?
            };
            if out.header("content-type").is_none() {
                out.set_header("content-type", super::rpcv2_cbor::CBOR_CONTENT_TYPE);
            }
        }
        "content-type-wrong" => {
            out.remove_header("content-type");
            out.headers
                .insert(0, ("content-type".into(), "text/plain".into()));
        }
        "content-type-missing" => out.remove_header("content-type"),
        "operation-unknown" => {
            let path = super::rpcv2_cbor::operation_path(service, op).ok()?;
            let prefix = path.strip_suffix(op.name.as_str())?;
            set_path(&mut out, format!("{prefix}ConformNoSuchOperation"));
        }
        "service-unknown" => {
            set_path(
                &mut out,
                format!("/service/ConformNoSuchService/operation/{}", op.name),
            );
        }
        "path-not-rpc" => set_path(&mut out, "/".to_string()),
        "method-wrong" => out.method = "PUT".into(),
        "protocol-header-missing" => out.remove_header(SMITHY_PROTOCOL.0),
        "protocol-header-wrong" => out.set_header(SMITHY_PROTOCOL.0, "rpc-v2-conform"),
        "target-header-present" => {
            let target = service.target_header(&op.name)?;
            out.set_header("x-amz-target", target);
        }
        _ => return None,
    }
    Some(out)
}
