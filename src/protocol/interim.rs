//! The JSON protocols (restJson1 with every member in the body, awsJson 1.0/1.1) as the seed services use them.
//!
//! An interim implementation of [`Protocol`] that carries the harness until the complete JSON protocols (HTTP
//! bindings, timestamp formats per location, proven against botocore) replace it; it is what the hand-written
//! spec files need and no more. Expectations follow `aws-wire-facts.md`; what it does not confirm is uncertain.

use base64::Engine;
use indexmap::IndexMap;
use serde_json::Value as Json;

use super::{
    Also, DecodedOutput, EncodeError, ErrorInfo, ErrorSource, HttpRequest, HttpResponse,
    Malformation, Protocol, ProtocolFault, ShapeProblem, WireExpectation, normalise_error_code,
};
use crate::case::Signing;
use crate::model::json_form::to_plain_json;
use crate::model::{
    Operation, Path, ProtocolId, Segment, Service, ShapeId, ShapeKind, Timestamp, Value,
};

/// The bytes of the `body-too-large` body: one byte over 1 MiB.
pub const TOO_LARGE_BYTES: usize = 1024 * 1024 + 1;

/// The name of the member `unknown-member` adds (and `body-too-large` pads with).
pub const UNKNOWN_MEMBER: &str = "ConformUnknownMember";

/// restJson1 or awsJson, as the seed services speak them.
#[derive(Debug, Clone, Copy)]
pub struct InterimJson(pub ProtocolId);

/// The three instances.
pub static REST_JSON1: InterimJson = InterimJson(ProtocolId::RestJson1);
/// awsJson 1.0.
pub static AWS_JSON1_0: InterimJson = InterimJson(ProtocolId::AwsJson1_0);
/// awsJson 1.1.
pub static AWS_JSON1_1: InterimJson = InterimJson(ProtocolId::AwsJson1_1);

const FACTS_FAULTS: &str = "wire-facts: What real AWS does with protocol faults (JSON services)";
const FACTS_TYPES: &str = "wire-facts: Type errors come before validation (JSON services)";

fn accept(pairs: &[(u16, Option<&'static str>)]) -> Vec<(u16, Option<&'static str>)> {
    pairs.to_vec()
}

impl InterimJson {
    fn aws_json(&self) -> bool {
        self.0.is_aws_json()
    }

    fn body_json(&self, value: &Value) -> Result<Vec<u8>, EncodeError> {
        match value {
            Value::Structure(_) => {
                Ok(serde_json::to_vec(&to_plain_json(value)).unwrap_or_default())
            }
            other => Err(EncodeError::Input(format!(
                "the input must be a structure, not a {}",
                other.json_type()
            ))),
        }
    }

    fn frame(&self, service: &Service, op: &Operation, body: Vec<u8>) -> HttpRequest {
        let mut headers = vec![("content-type".to_string(), self.content_type().to_string())];
        if self.aws_json() {
            if let Some(target) = service.target_header(&op.name) {
                headers.push(("x-amz-target".to_string(), target));
            }
            HttpRequest {
                method: "POST".into(),
                path: "/".into(),
                headers,
                body,
                host_prefix: None,
            }
        } else {
            HttpRequest {
                method: op.http.method.clone(),
                path: op.http.uri.clone(),
                headers,
                body,
                host_prefix: None,
            }
        }
    }

    fn serialization(&self) -> WireExpectation {
        WireExpectation {
            accept: accept(&[(400, Some("SerializationException"))]),
            also: Also::Nothing,
            uncertain: (!self.aws_json()).then_some(
                "aws-wire-facts records SerializationException from awsJson services; unverified on restJson1",
            ),
            certainly_fails: true,
            source: FACTS_FAULTS,
        }
    }
}

/// The JSON object of a body, `None` when it is not one.
fn json_object(body: &[u8]) -> Option<serde_json::Map<String, Json>> {
    match serde_json::from_slice::<Json>(body) {
        Ok(Json::Object(map)) => Some(map),
        _ => None,
    }
}

fn is_blank(body: &[u8]) -> bool {
    body.iter().all(u8::is_ascii_whitespace)
}

/// Reads JSON against a shape; every departure goes to `problems`.
fn read(
    service: &Service,
    shape: ShapeId,
    json: &Json,
    path: &mut Path,
    problems: &mut Vec<ShapeProblem>,
) -> Value {
    let s = service.shape(shape);
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
                        let value = read(service, m.target, v, path, problems);
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
                    let value = read(service, item.target, v, path, problems);
                    path.0.pop();
                    value
                })
                .collect(),
        ),
        (ShapeKind::Map { value, .. }, Json::Object(map)) => Value::Map(
            map.iter()
                .map(|(k, v)| {
                    path.0.push(Segment::Key(k.clone()));
                    let read_value = read(service, value.target, v, path, problems);
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

/// The JSON type of a value, as a word.
pub fn json_type(value: &Json) -> &'static str {
    match value {
        Json::Null => "null",
        Json::Bool(_) => "boolean",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
}

impl Protocol for InterimJson {
    fn id(&self) -> ProtocolId {
        self.0
    }

    fn encode(
        &self,
        service: &Service,
        op: &Operation,
        input: &Value,
    ) -> Result<HttpRequest, EncodeError> {
        Ok(self.frame(service, op, self.body_json(input)?))
    }

    fn decode_error(&self, _service: &Service, response: &HttpResponse) -> Option<ErrorInfo> {
        if response.is_success() {
            return None;
        }
        let body = json_object(&response.body);
        let header = response.header("x-amzn-errortype");
        let field = |name: &'static str| -> Option<(&str, ErrorSource)> {
            Some((body.as_ref()?.get(name)?.as_str()?, ErrorSource::Body(name)))
        };
        let candidates: [Option<(&str, ErrorSource)>; 3] = if self.aws_json() {
            [
                field("__type"),
                field("code"),
                header.map(|h| (h, ErrorSource::Header)),
            ]
        } else {
            [
                header.map(|h| (h, ErrorSource::Header)),
                field("code"),
                field("__type"),
            ]
        };
        let (raw, found_in) = candidates
            .into_iter()
            .flatten()
            .find(|(raw, _)| !normalise_error_code(raw).is_empty())?;
        let message = body.as_ref().and_then(|b| {
            ["message", "Message", "errorMessage"]
                .into_iter()
                .find_map(|k| b.get(k)?.as_str().map(str::to_string))
        });
        Some(ErrorInfo {
            code: normalise_error_code(raw),
            raw_code: raw.to_string(),
            message,
            found_in,
        })
    }

    fn error_document(&self, response: &HttpResponse) -> Option<Json> {
        json_object(&response.body).map(Json::Object)
    }

    fn error_source(&self) -> ErrorSource {
        if self.aws_json() {
            ErrorSource::Body("__type")
        } else {
            ErrorSource::Header
        }
    }

    fn document_kind(&self) -> &'static str {
        "a JSON object"
    }

    fn decode_output(
        &self,
        service: &Service,
        op: &Operation,
        response: &HttpResponse,
    ) -> DecodedOutput {
        let body = &response.body;
        let mut problems = Vec::new();
        let at_root = |text: String| ShapeProblem {
            path: Path::root(),
            problem: text,
        };
        let Some(output) = op.output else {
            // No output: an empty body, and also `{}` (an empty JSON object carries no member, and every SDK
            // reads it as the same empty output, so flagging it would report a difference no client sees).
            if !is_blank(body) && json_object(body).is_none_or(|m| !m.is_empty()) {
                problems.push(at_root(format!(
                    "expected an empty body, got `{}`",
                    excerpt(body)
                )));
            }
            return DecodedOutput {
                value: Value::structure(),
                problems,
            };
        };
        if is_blank(body) {
            problems.push(at_root("expected a JSON object, got an empty body".into()));
            return DecodedOutput {
                value: Value::structure(),
                problems,
            };
        }
        let value = match serde_json::from_slice::<Json>(body) {
            Ok(json @ Json::Object(_)) => {
                read(service, output, &json, &mut Path::root(), &mut problems)
            }
            Ok(other) => {
                problems.push(at_root(format!(
                    "expected a JSON object, got a JSON {}",
                    json_type(&other)
                )));
                Value::structure()
            }
            Err(e) => {
                problems.push(at_root(format!(
                    "body is not JSON ({e}): `{}`",
                    excerpt(body)
                )));
                Value::structure()
            }
        };
        DecodedOutput { value, problems }
    }

    fn content_type(&self) -> &'static str {
        match self.0 {
            ProtocolId::AwsJson1_0 => "application/x-amz-json-1.0",
            ProtocolId::AwsJson1_1 => "application/x-amz-json-1.1",
            _ => "application/json",
        }
    }

    fn body_optional(&self, _service: &Service, _op: &Operation) -> bool {
        false
    }

    fn wrong_type(&self) -> WireExpectation {
        WireExpectation {
            accept: accept(&[(400, Some("SerializationException"))]),
            also: Also::Nothing,
            uncertain: None,
            certainly_fails: true,
            source: FACTS_TYPES,
        }
    }

    fn signing_fault(&self, signing: Signing) -> WireExpectation {
        let rest_auth = "restJson1 services answer authentication faults with 403 (aws-wire-facts); unverified for this service";
        let (pairs, uncertain): (Vec<(u16, Option<&'static str>)>, Option<&'static str>) =
            match (signing, self.aws_json()) {
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
                (Signing::BadSignature, true) => {
                    (vec![(400, Some("InvalidSignatureException"))], None)
                }
                (Signing::BadSignature, false) => (
                    vec![(403, Some("InvalidSignatureException"))],
                    Some(rest_auth),
                ),
                (Signing::Expired, true) => (
                    vec![(400, Some("InvalidSignatureException"))],
                    Some(
                        "aws-wire-facts records \"Signature expired\" (400) without its error type",
                    ),
                ),
                (Signing::Expired, false) => (
                    vec![
                        (403, Some("InvalidSignatureException")),
                        (400, Some("InvalidSignatureException")),
                    ],
                    Some(
                        "aws-wire-facts records \"Signature expired\" (400) without its error type",
                    ),
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

    fn malformations(&self, _service: &Service, _op: &Operation) -> Vec<Malformation> {
        let ser = self.serialization();
        let m = |class: &'static str, detail: &str, expect: WireExpectation| Malformation {
            class,
            detail: detail.to_string(),
            uses_input: true,
            repeatable: true,
            signing: Signing::Valid,
            expect,
        };
        let not_object = WireExpectation {
            uncertain: Some("JSON that is no object: no capture shows which error AWS gives"),
            ..ser.clone()
        };
        let mut out = vec![
            Malformation {
                uses_input: false,
                ..m("body-not-json", "the body is not JSON", ser.clone())
            },
            Malformation {
                uses_input: false,
                ..m(
                    "body-truncated",
                    "the JSON body is cut in half",
                    ser.clone(),
                )
            },
            m(
                "body-array",
                "the body is a JSON array holding the valid input",
                not_object.clone(),
            ),
            Malformation {
                uses_input: false,
                ..m(
                    "body-string",
                    "the body is a JSON string",
                    not_object.clone(),
                )
            },
            Malformation {
                uses_input: false,
                ..m("body-number", "the body is a JSON number", not_object)
            },
            Malformation {
                uses_input: false,
                ..m(
                    "body-null",
                    "the body is JSON null",
                    WireExpectation {
                        accept: accept(&[(400, Some("SerializationException"))]),
                        also: Also::EmptyInput,
                        uncertain: Some(
                            "a null body may be read as no input or refused; no capture shows which",
                        ),
                        certainly_fails: false,
                        source: FACTS_FAULTS,
                    },
                )
            },
            Malformation {
                uses_input: false,
                ..m(
                    "body-empty",
                    "the body is empty",
                    WireExpectation {
                        accept: accept(&[(400, Some("SerializationException"))]),
                        also: Also::EmptyInput,
                        uncertain: Some(
                            "an empty body usually means no input (then the required members are missing); unverified",
                        ),
                        certainly_fails: false,
                        source: FACTS_FAULTS,
                    },
                )
            },
            m(
                "unknown-member",
                "a member the operation does not have is added (AWS ignores unknown members)",
                WireExpectation {
                    accept: Vec::new(),
                    also: Also::Valid,
                    uncertain: None,
                    certainly_fails: false,
                    source: "wire-facts: Validation messages (unknown members are ignored)",
                },
            ),
            Malformation {
                repeatable: false,
                ..m(
                    "body-too-large",
                    "the body is 1 MiB + 1 byte (a valid input padded with an unknown member)",
                    WireExpectation {
                        accept: accept(&[
                            (413, None),
                            (413, Some("RequestEntityTooLargeException")),
                            (400, Some("SerializationException")),
                            (400, Some("ValidationException")),
                        ]),
                        also: Also::Nothing,
                        uncertain: Some(
                            "aws-wire-facts gives no request-size limit; this body is 1 MiB + 1 byte, over the limit of many AWS JSON APIs",
                        ),
                        certainly_fails: false,
                        source: FACTS_FAULTS,
                    },
                )
            },
        ];
        let content_type = WireExpectation {
            accept: accept(&[
                (404, None),
                (415, Some("UnsupportedMediaTypeException")),
                (400, Some("SerializationException")),
            ]),
            also: Also::Valid,
            uncertain: Some(
                "real DynamoDB answers 404 with a non-JSON body, Smithy servers 415 (aws-wire-facts): treat as uncertain",
            ),
            certainly_fails: false,
            source: FACTS_FAULTS,
        };
        out.push(m(
            "content-type-wrong",
            "Content-Type is text/plain",
            content_type.clone(),
        ));
        out.push(m(
            "content-type-missing",
            "there is no Content-Type",
            content_type,
        ));
        if self.aws_json() {
            let unknown_op = WireExpectation {
                accept: accept(&[(400, Some("UnknownOperationException"))]),
                also: Also::Nothing,
                uncertain: None,
                certainly_fails: true,
                source: FACTS_FAULTS,
            };
            out.push(m(
                "target-missing",
                "there is no X-Amz-Target",
                unknown_op.clone(),
            ));
            out.push(m(
                "target-unknown",
                "X-Amz-Target names no operation",
                unknown_op,
            ));
            out.push(Malformation {
                uses_input: false,
                signing: Signing::Unsigned,
                ..m(
                    "parse-before-auth",
                    "an unsigned request whose body is not JSON: AWS parses the body before it checks authentication",
                    WireExpectation {
                        accept: accept(&[(400, Some("SerializationException"))]),
                        also: Also::Nothing,
                        uncertain: None,
                        certainly_fails: true,
                        source: FACTS_FAULTS,
                    },
                )
            });
        } else {
            let route = WireExpectation {
                accept: accept(&[
                    (404, Some("UnknownOperationException")),
                    (403, Some("MissingAuthenticationTokenException")),
                    (404, None),
                    (405, None),
                ]),
                also: Also::Nothing,
                uncertain: Some(
                    "no capture shows what a restJson1 AWS endpoint answers for a route it does not have",
                ),
                certainly_fails: true,
                source: FACTS_FAULTS,
            };
            out.push(m(
                "method-wrong",
                "the operation's path with another HTTP method",
                route.clone(),
            ));
            out.push(m("path-unknown", "a path no operation has", route));
        }
        out
    }

    fn malform(
        &self,
        service: &Service,
        op: &Operation,
        class: &str,
        request: &HttpRequest,
    ) -> Option<HttpRequest> {
        let framed = |body: Vec<u8>| {
            let mut r = request.clone();
            r.body = body;
            r
        };
        let object = json_object(&request.body);
        let with_member = |filler: String| -> Vec<u8> {
            let mut map = object.clone().unwrap_or_default();
            map.insert(UNKNOWN_MEMBER.to_string(), Json::String(filler));
            serde_json::to_vec(&Json::Object(map)).unwrap_or_default()
        };
        Some(match class {
            "body-not-json" => framed(b"this is not JSON".to_vec()),
            "body-truncated" => {
                let cut = request.body.len().div_ceil(2).max(1);
                framed(request.body[..cut.min(request.body.len())].to_vec())
            }
            "body-array" => {
                let mut body = b"[".to_vec();
                body.extend_from_slice(&request.body);
                body.push(b']');
                framed(body)
            }
            "body-string" => framed(b"\"conform\"".to_vec()),
            "body-number" => framed(b"42".to_vec()),
            "body-null" => framed(b"null".to_vec()),
            "body-empty" => framed(Vec::new()),
            "unknown-member" => framed(with_member("ignored".into())),
            "body-too-large" => {
                let overhead = with_member(String::new()).len();
                framed(with_member(
                    "x".repeat(TOO_LARGE_BYTES.saturating_sub(overhead)),
                ))
            }
            "content-type-wrong" | "content-type-missing" => {
                let mut r = request.clone();
                r.remove_header("content-type");
                if class == "content-type-wrong" {
                    r.headers
                        .insert(0, ("content-type".to_string(), "text/plain".to_string()));
                }
                r
            }
            "target-missing" | "target-unknown" if self.aws_json() => {
                let mut r = request.clone();
                r.remove_header("x-amz-target");
                if class == "target-unknown" {
                    let prefix = service.target_prefix.as_deref().unwrap_or("Service");
                    r.headers.push((
                        "x-amz-target".to_string(),
                        format!("{prefix}.ConformNoSuchOperation"),
                    ));
                }
                r
            }
            "parse-before-auth" if self.aws_json() => framed(b"this is not JSON".to_vec()),
            "method-wrong" if !self.aws_json() => {
                let mut r = request.clone();
                r.method = if op.http.method == "GET" {
                    "PUT"
                } else {
                    "GET"
                }
                .to_string();
                r
            }
            "path-unknown" if !self.aws_json() => {
                let mut r = request.clone();
                r.path = "/conformNoSuchOperation".to_string();
                r
            }
            _ => return None,
        })
    }

    fn route<'s>(
        &self,
        service: &'s Service,
        request: &HttpRequest,
    ) -> Result<&'s Operation, ProtocolFault> {
        let unknown = |message: String| ProtocolFault {
            status: if self.aws_json() { 400 } else { 404 },
            code: "UnknownOperationException".into(),
            message,
        };
        if self.aws_json() {
            let Some(target) = request.header("x-amz-target") else {
                return Err(unknown("Missing X-Amz-Target header".into()));
            };
            let name = target
                .strip_prefix(service.target_prefix.as_deref().unwrap_or(""))
                .and_then(|t| t.strip_prefix('.'))
                .unwrap_or("");
            match service.operations.get(name) {
                Some(op) if request.method == "POST" => Ok(op),
                Some(_) => Err(unknown(format!(
                    "Operation {target} is not available over {}",
                    request.method
                ))),
                None => Err(unknown(format!("Unknown operation {target}"))),
            }
        } else {
            service
                .operations
                .values()
                .find(|op| op.http.uri == request.path_only() && op.http.method == request.method)
                .ok_or_else(|| {
                    unknown(format!(
                        "No operation of {} answers {} {}",
                        service.title,
                        request.method,
                        request.path_only()
                    ))
                })
        }
    }

    fn accepts_content_type(&self, given: Option<&str>) -> bool {
        let media = given.map(|g| {
            g.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        });
        match media {
            // restJson1 servers take a request with no Content-Type (no body, or one they parse anyway).
            None => !self.aws_json(),
            Some(media) => media == self.content_type(),
        }
    }

    fn check_body(&self, request: &HttpRequest) -> Result<(), ProtocolFault> {
        if is_blank(&request.body) {
            return Ok(());
        }
        match serde_json::from_slice::<Json>(&request.body) {
            Ok(Json::Object(_)) => Ok(()),
            Ok(other) => Err(ProtocolFault {
                status: 400,
                code: "SerializationException".into(),
                message: format!(
                    "Start of structure or map expected, found {}",
                    match other {
                        Json::Array(_) => "an array",
                        Json::String(_) => "a string",
                        Json::Number(_) => "a number",
                        Json::Bool(_) => "a boolean",
                        _ => "null",
                    }
                ),
            }),
            // Without the parser's position: it depends on the body, and snapshots must not.
            Err(_) => Err(ProtocolFault {
                status: 400,
                code: "SerializationException".into(),
                message: "The request body is not valid JSON".into(),
            }),
        }
    }

    fn decode_input_lenient(
        &self,
        service: &Service,
        op: &Operation,
        request: &HttpRequest,
    ) -> Result<Value, ProtocolFault> {
        self.check_body(request)?;
        let Some(input) = op.input else {
            return Ok(Value::structure());
        };
        let json = if is_blank(&request.body) {
            Json::Object(Default::default())
        } else {
            serde_json::from_slice::<Json>(&request.body).unwrap_or_default()
        };
        Ok(crate::model::json_form::from_json(service, input, &json))
    }

    fn snapshot_headers(&self) -> &'static [&'static str] {
        &["content-type", "x-amzn-errortype"]
    }

    fn misplace_error_type(&self, mut response: HttpResponse) -> HttpResponse {
        let Some(mut body) = json_object(&response.body) else {
            return response;
        };
        if self.aws_json() {
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

    fn strip_error_type(&self, mut response: HttpResponse) -> HttpResponse {
        response.remove_header("x-amzn-errortype");
        if let Some(mut body) = json_object(&response.body) {
            body.remove("__type");
            body.remove("code");
            response.body = serde_json::to_vec(&Json::Object(body)).unwrap_or_default();
        }
        response
    }

    fn missing_authentication_message(&self) -> &'static str {
        if self.aws_json() {
            "Request is missing Authentication Token"
        } else {
            // API Gateway's wording, in front of restJson1 services.
            "Missing Authentication Token"
        }
    }

    fn framework_error_code(&self, code: &str) -> String {
        if self.aws_json() {
            format!("com.amazon.coral.service#{code}")
        } else {
            format!("{code}:http://internal.amazon.com/coral/com.amazon.coral.service/")
        }
    }

    fn decode_input(
        &self,
        service: &Service,
        op: &Operation,
        request: &HttpRequest,
    ) -> Result<Value, ProtocolFault> {
        let fault = |message: String| ProtocolFault {
            status: 400,
            code: "SerializationException".into(),
            message,
        };
        let json = if is_blank(&request.body) {
            Json::Object(Default::default())
        } else {
            serde_json::from_slice::<Json>(&request.body)
                .map_err(|e| fault(format!("the body is not JSON: {e}")))?
        };
        if !json.is_object() {
            return Err(fault(format!(
                "expected a JSON object, got a JSON {}",
                json_type(&json)
            )));
        }
        let Some(input) = op.input else {
            return Ok(Value::structure());
        };
        let mut problems = Vec::new();
        let value = read(service, input, &json, &mut Path::root(), &mut problems);
        // Unknown members are ignored, as AWS does; a value of the wrong type is refused while deserialising.
        match problems.iter().find(|p| p.problem != "unexpected member") {
            Some(p) => Err(fault(format!(
                "Unexpected value at '{}': {}",
                p.path, p.problem
            ))),
            None => Ok(strip_unknown(value)),
        }
    }

    fn encode_output(&self, _service: &Service, op: &Operation, output: &Value) -> HttpResponse {
        let body = match op.output {
            None => Vec::new(),
            Some(_) => serde_json::to_vec(&to_plain_json(output)).unwrap_or_default(),
        };
        HttpResponse {
            status: op.http.response_code,
            headers: vec![("content-type".into(), self.content_type().into())],
            body,
        }
    }

    fn encode_error(
        &self,
        _service: &Service,
        status: u16,
        code: &str,
        message: &str,
        members: &Value,
    ) -> HttpResponse {
        let mut body = match to_plain_json(members) {
            Json::Object(map) => map,
            _ => Default::default(),
        };
        if !body.contains_key("message") && !body.contains_key("Message") {
            body.insert("message".into(), Json::String(message.into()));
        }
        let mut headers = vec![("content-type".to_string(), self.content_type().to_string())];
        if self.aws_json() {
            // `__type` first, as AWS writes it.
            let mut typed = serde_json::Map::new();
            typed.insert("__type".into(), Json::String(code.into()));
            typed.extend(body);
            body = typed;
        } else {
            headers.push(("x-amzn-errortype".into(), code.into()));
        }
        HttpResponse {
            status,
            headers,
            body: serde_json::to_vec(&Json::Object(body)).unwrap_or_default(),
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

fn excerpt(body: &[u8]) -> String {
    crate::check::body_excerpt(body, 200)
}
