//! restXml from the server's side: the malformations a restXml request can carry, and what AWS answers to them,
//! to values of the wrong type and to signing faults.
//!
//! aws-wire-facts records no capture of a restXml service's protocol faults. The codes here are those S3's "Error
//! responses" list gives (`MalformedXML`, `MethodNotAllowed`, `InvalidArgument`, `AccessDenied`,
//! `InvalidAccessKeyId`, `SignatureDoesNotMatch`, `RequestTimeTooSkewed`) and, for the `<ErrorResponse>` services
//! (Route 53, CloudFront, S3 Control), the Common Errors codes the query services share; so every expectation here
//! is uncertain: reported apart, never held against a target.

use crate::case::Signing;
use crate::model::{Operation, Service, Value};
use crate::protocol::{
    Also, HttpRequest, Malformation, ProtocolFault, ShapeProblem, WireExpectation, http_binding,
};

const SOURCE: &str =
    "S3's error-code list and the AWS Common Errors pages (no capture in aws-wire-facts)";
const UNCAPTURED: &str = "no capture of a restXml service's answer: the code is the one S3's error-code list or \
     the AWS Common Errors pages give";

/// The root element name the `root-wrong` malformation puts in place of the model's.
pub(crate) const WRONG_ROOT: &str = "ConformWrongRoot";

/// The body the `body-not-xml` malformation sends: an element closed by another name.
const NOT_WELL_FORMED: &str = "<Conform><NotClosed></Conform>";

/// Whether the service answers errors in S3's form (`<Error>` at the root).
pub(crate) fn is_s3(service: &Service) -> bool {
    service.name == "s3"
}

/// A body that is not well-formed XML, or does not fit the model: S3's `MalformedXML`.
pub(crate) fn malformed_xml(message: String) -> ProtocolFault {
    ProtocolFault {
        status: 400,
        code: "MalformedXML".into(),
        message,
    }
}

/// A method and path no operation answers: 405 `MethodNotAllowed` when another method of the path has an operation
/// (S3's answer), else 404 `UnknownOperationException` (as the embedded target answers restJson1).
pub(crate) fn unknown_route(service: &Service, request: &HttpRequest) -> ProtocolFault {
    let path = request.path.as_str();
    let other_method = ["GET", "PUT", "POST", "DELETE", "HEAD"]
        .into_iter()
        .filter(|m| *m != request.method)
        .any(|m| http_binding::routes_anywhere(service, m, path));
    if other_method {
        ProtocolFault {
            status: 405,
            code: "MethodNotAllowed".into(),
            message: format!(
                "The specified method is not allowed against this resource: {} {}",
                request.method,
                request.path_only()
            ),
        }
    } else {
        ProtocolFault {
            status: 404,
            code: "UnknownOperationException".into(),
            message: format!(
                "No operation of {} answers {} {}",
                service.title,
                request.method,
                request.path_only()
            ),
        }
    }
}

/// The restXml name of a framework error the embedded target raises under its JSON name.
pub(crate) fn framework_code(code: &str) -> &str {
    match code {
        "MissingAuthenticationTokenException" => "MissingAuthenticationToken",
        "UnrecognizedClientException" => "InvalidClientTokenId",
        "InvalidSignatureException" => "SignatureDoesNotMatch",
        "IncompleteSignatureException" => "IncompleteSignature",
        // The HTTP bindings' parse errors (a header or label that is no value of its type).
        "SerializationException" => "InvalidArgument",
        other => other,
    }
}

/// A value read from an XML document, or the fault its problems make: unknown elements are skipped (as AWS's
/// JSON services skip unknown members); a value that is not of its member's type is `MalformedXML`, unless
/// `lenient` (the embedded target's `skip-type` fault), which keeps it as [`Value::Raw`] for validation.
pub(crate) fn accept_read(
    value: Value,
    problems: &[ShapeProblem],
    lenient: bool,
) -> Result<Value, ProtocolFault> {
    let serious = problems
        .iter()
        .find(|p| p.problem != "unexpected member" && !lenient);
    match serious {
        Some(p) if p.path.is_root() => Err(malformed_xml(p.problem.clone())),
        Some(p) => Err(malformed_xml(format!("{} at '{}'", p.problem, p.path))),
        None => Ok(value),
    }
}

/// What a restXml service answers to a value it cannot read as its member's type. XML text carries any type, so
/// a wrong-typed value may be read as valid (`5` for a string); which error comes otherwise is not captured.
pub(crate) fn wrong_type() -> WireExpectation {
    WireExpectation {
        accept: vec![
            (400, Some("MalformedXML")),
            (400, Some("InvalidArgument")),
            (400, Some("InvalidInput")),
            (400, Some("InvalidRequest")),
        ],
        also: Also::Valid,
        uncertain: Some(
            "XML text carries any type: a restXml service may read a wrong-typed value as valid, or refuse it with \
             an error no capture records",
        ),
        certainly_fails: false,
        source: SOURCE,
    }
}

/// What a restXml service answers to a request with this signing fault (403, with S3's codes or the Common
/// Errors' ones).
pub(crate) fn signing_fault(signing: Signing) -> WireExpectation {
    let accept: Vec<(u16, Option<&'static str>)> = match signing {
        Signing::Valid => vec![(200, None)],
        Signing::Unsigned => vec![
            (403, Some("MissingAuthenticationToken")),
            (403, Some("AccessDenied")),
        ],
        Signing::UnknownAccessKey => vec![
            (403, Some("InvalidClientTokenId")),
            (403, Some("InvalidAccessKeyId")),
        ],
        Signing::BadSignature => vec![(403, Some("SignatureDoesNotMatch"))],
        Signing::Expired => vec![
            (403, Some("SignatureDoesNotMatch")),
            (403, Some("RequestTimeTooSkewed")),
            (400, Some("SignatureDoesNotMatch")),
        ],
    };
    WireExpectation {
        accept,
        also: Also::Nothing,
        uncertain: (signing != Signing::Valid).then_some(UNCAPTURED),
        certainly_fails: signing != Signing::Valid,
        source: SOURCE,
    }
}

/// The malformations of a restXml request of `op`, in a fixed order.
pub(crate) fn malformations(service: &Service, op: &Operation) -> Vec<Malformation> {
    let m = |class: &'static str, detail: &str, expect: WireExpectation| Malformation {
        class,
        detail: detail.to_string(),
        uses_input: true,
        repeatable: true,
        signing: Signing::Valid,
        expect,
    };
    let mut out = Vec::new();
    if super::has_xml_body(service, op) {
        out.push(m(
            "body-not-xml",
            "the body is not well-formed XML (an element closed by another name)",
            WireExpectation {
                accept: vec![(400, Some("MalformedXML"))],
                also: Also::Nothing,
                uncertain: Some(UNCAPTURED),
                // No document can be read from it: AWS cannot perform the operation it describes.
                certainly_fails: true,
                source: SOURCE,
            },
        ));
        out.push(m(
            "root-wrong",
            &format!("the XML body's root element is `<{WRONG_ROOT}>`, not the one the model names"),
            WireExpectation {
                accept: vec![(400, Some("MalformedXML"))],
                also: Also::Valid,
                uncertain: Some(
                    "no capture shows whether a restXml service refuses a body whose root element has another \
                     name, or reads its children all the same",
                ),
                certainly_fails: false,
                source: SOURCE,
            },
        ));
    }
    if op.checksum.required || op.checksum.algorithm_member.is_some() {
        out.push(m(
            "checksum-mismatch",
            "the x-amz-checksum-* header is the checksum of other bytes than the body",
            WireExpectation {
                accept: vec![(400, Some("BadDigest")), (400, Some("InvalidRequest"))],
                also: Also::Nothing,
                uncertain: Some(
                    "S3's error-code list gives BadDigest (400) for a checksum that does not match the body; no \
                     capture records which error a restXml service answers, nor whether the services other than S3 \
                     check the header",
                ),
                // The body is not what the checksum says: S3 documents that it refuses such a request rather than
                // store it. The other restXml services (S3 Control) document no such check, so a success there is
                // no deviation.
                certainly_fails: is_s3(service),
                source: SOURCE,
            },
        ));
    }
    out.push(m(
        "method-unknown",
        "the method is PATCH, which no operation of the service answers",
        WireExpectation {
            accept: vec![
                (405, Some("MethodNotAllowed")),
                (404, Some("UnknownOperationException")),
            ],
            also: Also::Nothing,
            uncertain: Some(UNCAPTURED),
            // No operation answers the method: AWS cannot perform one.
            certainly_fails: true,
            source: SOURCE,
        },
    ));
    out
}

/// Applies a malformation to a correctly encoded restXml request; `None` when it does not apply to it.
pub(crate) fn malform(
    service: &Service,
    _op: &Operation,
    class: &str,
    request: &HttpRequest,
) -> Option<HttpRequest> {
    let mut out = request.clone();
    match class {
        "body-not-xml" => out.body = NOT_WELL_FORMED.as_bytes().to_vec(),
        "root-wrong" => {
            // Only a well-formed document has a root to rename.
            crate::protocol::query_xml::parse(&request.body).ok()?;
            let text = String::from_utf8_lossy(&request.body);
            // Rename the root in the text itself, so that namespaces and attributes stay as sent.
            let open = text.find('<')?;
            let name_end = text[open + 1..]
                .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
                .map(|i| open + 1 + i)?;
            let old = &text[open + 1..name_end];
            let close = format!("</{old}>");
            let body = match text.rfind(&close) {
                Some(at) => format!(
                    "{}<{WRONG_ROOT}{}</{WRONG_ROOT}>{}",
                    &text[..open],
                    &text[name_end..at],
                    &text[at + close.len()..]
                ),
                // An empty root (`<Name/>`) has no closing tag.
                None => format!("{}<{WRONG_ROOT}{}", &text[..open], &text[name_end..]),
            };
            out.body = body.into_bytes();
        }
        "checksum-mismatch" => {
            let (algorithm, value) = out.headers.iter_mut().find_map(|(name, value)| {
                let algorithm = crate::protocol::checksum::algorithm_of(name)?;
                Some((algorithm, value))
            })?;
            *value = algorithm.checksum(b"conform: not the body");
            return Some(out);
        }
        "method-unknown" => {
            let taken = service
                .operations
                .values()
                .any(|op| op.http.method == "PATCH");
            if taken {
                return None;
            }
            out.method = "PATCH".into();
        }
        _ => return None,
    }
    // The body changed: its checksum stays true, so that the case tests the body alone.
    crate::protocol::checksum::refresh(&mut out);
    Some(out)
}
