//! awsQuery and ec2Query from the server's side: reading a form back into a typed input, the malformations a
//! query request can carry, and what AWS answers to them and to signing faults.
//!
//! aws-wire-facts records no capture of a query service's protocol faults. The codes used here are those the AWS
//! Query APIs' "Common Errors" pages list (IAM, STS, SNS, EC2: `MissingAction`, `InvalidAction`,
//! `MalformedQueryString`, `MissingAuthenticationToken`, `InvalidClientTokenId`, `SignatureDoesNotMatch`), so
//! every expectation here is uncertain: reported apart, never held against a target.

use indexmap::IndexMap;

use crate::case::Signing;
use crate::model::{Member, Operation, Path, Segment, Service, Shape, ShapeKind, Timestamp, Value};

use super::json::{BASE64_LENIENT, epoch_seconds_to_timestamp, parse_date_time};
use super::query::{AwsQuery, form_decode, form_encode};
use super::{Also, HttpRequest, HttpResponse, Malformation, ProtocolFault, WireExpectation};
use base64::Engine;

const SOURCE: &str = "AWS Query APIs' Common Errors pages (no capture in aws-wire-facts)";
const UNCAPTURED: &str = "no capture of a query service's answer: the code is the one the AWS Query APIs' Common Errors pages list";

pub(crate) fn fault(status: u16, code: &str, message: impl Into<String>) -> ProtocolFault {
    ProtocolFault {
        status,
        code: code.into(),
        message: message.into(),
    }
}

/// A body that is no form (a bad `%` escape, bytes that are not UTF-8).
pub(crate) fn malformed_query_string() -> ProtocolFault {
    fault(
        404,
        "MalformedQueryString",
        "The query string contains a syntax error.",
    )
}

/// The query name of a framework error the embedded target raises under its JSON name.
pub(crate) fn framework_code(code: &str) -> &str {
    match code {
        "MissingAuthenticationTokenException" => "MissingAuthenticationToken",
        "UnrecognizedClientException" => "InvalidClientTokenId",
        "InvalidSignatureException" => "SignatureDoesNotMatch",
        "IncompleteSignatureException" => "IncompleteSignature",
        "UnknownOperationException" => "InvalidAction",
        "SerializationException" => "MalformedQueryString",
        other => other,
    }
}

/// What a query service answers to a value it cannot read as its member's type. Form fields are text, so a
/// wrong-typed value may well be read as valid (`5` for a string); which error comes otherwise is not captured.
pub(crate) fn wrong_type() -> WireExpectation {
    WireExpectation {
        accept: vec![
            (400, Some("ValidationError")),
            (400, Some("InvalidParameterValue")),
            (400, Some("MalformedQueryString")),
            (404, Some("MalformedQueryString")),
        ],
        also: Also::Valid,
        uncertain: Some(
            "form fields are text: a query service may read a wrong-typed value as valid, or refuse it with an \
             error no capture records",
        ),
        certainly_fails: false,
        source: SOURCE,
    }
}

/// What a query service answers to a request with this signing fault (403 with the Common Errors' codes).
pub(crate) fn signing_fault(signing: Signing) -> WireExpectation {
    let accept: Vec<(u16, Option<&'static str>)> = match signing {
        Signing::Valid => vec![(200, None)],
        Signing::Unsigned => vec![(403, Some("MissingAuthenticationToken"))],
        Signing::UnknownAccessKey => vec![(403, Some("InvalidClientTokenId"))],
        Signing::BadSignature => vec![(403, Some("SignatureDoesNotMatch"))],
        Signing::Expired => vec![
            (403, Some("SignatureDoesNotMatch")),
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

/// The malformations of a query request, in a fixed order.
pub(crate) fn malformations(_service: &Service, _op: &Operation) -> Vec<Malformation> {
    let m = |class: &'static str, detail: &str, expect: WireExpectation| Malformation {
        class,
        detail: detail.to_string(),
        uses_input: true,
        repeatable: true,
        signing: Signing::Valid,
        expect,
    };
    let refused = |accept: Vec<(u16, Option<&'static str>)>| WireExpectation {
        accept,
        also: Also::Nothing,
        uncertain: Some(UNCAPTURED),
        // No operation is named (or none can be read): AWS cannot perform one.
        certainly_fails: true,
        source: SOURCE,
    };
    vec![
        m(
            "action-unknown",
            "`Action` names no operation of the service",
            refused(vec![(400, Some("InvalidAction"))]),
        ),
        m(
            "action-missing",
            "there is no `Action`",
            refused(vec![(400, Some("MissingAction"))]),
        ),
        m(
            "body-not-form",
            "the body is the input as JSON, not form-encoded",
            refused(vec![
                (400, Some("MissingAction")),
                (400, Some("MalformedQueryString")),
                (404, Some("MalformedQueryString")),
            ]),
        ),
        m(
            "body-bad-escape",
            "the body holds a `%` escape that is no escape (in a field of its own, after the valid input)",
            WireExpectation {
                accept: vec![
                    (404, Some("MalformedQueryString")),
                    (400, Some("MalformedQueryString")),
                ],
                also: Also::Valid,
                uncertain: Some(
                    "no capture shows whether a query service refuses a body with a bad escape or skips the field",
                ),
                certainly_fails: false,
                source: SOURCE,
            },
        ),
        m(
            "version-wrong",
            "`Version` is not the model's API version",
            WireExpectation {
                accept: vec![(400, Some("InvalidAction"))],
                also: Also::Valid,
                uncertain: Some(
                    "no capture shows whether a query service refuses an unknown Version or ignores it",
                ),
                certainly_fails: false,
                source: SOURCE,
            },
        ),
    ]
}

/// Applies a malformation to a correctly encoded query request.
pub(crate) fn malform(
    _service: &Service,
    _op: &Operation,
    class: &str,
    request: &HttpRequest,
) -> Option<HttpRequest> {
    let mut out = request.clone();
    let pairs = form_decode(&request.body)?;
    let replace = |name: &str, with: Option<&str>| -> Vec<(String, String)> {
        pairs
            .iter()
            .filter_map(|(k, v)| match (k == name, with) {
                (true, Some(w)) => Some((k.clone(), w.to_string())),
                (true, None) => None,
                (false, _) => Some((k.clone(), v.clone())),
            })
            .collect()
    };
    let body = match class {
        "action-unknown" => form_encode(&replace("Action", Some("NoSuchConformOperation"))),
        "action-missing" => form_encode(&replace("Action", None)),
        "version-wrong" => form_encode(&replace("Version", Some("1999-12-31"))),
        "body-not-form" => {
            let object: serde_json::Map<String, serde_json::Value> = pairs
                .iter()
                .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                .collect();
            serde_json::Value::Object(object).to_string()
        }
        "body-bad-escape" => format!("{}&Conform=%zz", form_encode(&pairs)),
        _ => return None,
    };
    out.body = body.into_bytes();
    Some(out)
}

/// The error response with its code moved out of the body into an `X-Amzn-ErrorType` header.
pub(crate) fn misplace_error_type(response: HttpResponse) -> HttpResponse {
    let code = super::query_xml::parse(&response.body)
        .ok()
        .and_then(|root| {
            super::query_xml::error_element(&root)?
                .child_text("Code")
                .map(str::to_string)
        });
    let mut out = strip_error_type(response);
    if let Some(code) = code {
        out.headers.push(("x-amzn-errortype".into(), code));
    }
    out
}

/// The error response without its `<Code>` element.
pub(crate) fn strip_error_type(mut response: HttpResponse) -> HttpResponse {
    let text = String::from_utf8_lossy(&response.body).into_owned();
    if let (Some(start), Some(end)) = (text.find("<Code>"), text.find("</Code>"))
        && start < end
    {
        let body = format!("{}{}", &text[..start], &text[end + "</Code>".len()..]);
        response.body = body.into_bytes();
    }
    response
}

// ---------------------------------------------------------------------------------------------------------------
// Reading a form back into a typed input.

/// The fields of a form as a tree of their dotted names.
#[derive(Debug, Default)]
struct Node {
    value: Option<String>,
    children: IndexMap<String, Node>,
}

impl Node {
    fn insert(&mut self, key: &str, value: String) {
        let mut node = self;
        for part in key.split('.') {
            node = node.children.entry(part.to_string()).or_default();
        }
        node.value = Some(value);
    }

    /// The children named `1`, `2`, ... in their numeric order.
    fn items(&self) -> Vec<&Node> {
        let mut numbered: Vec<(u64, &Node)> = self
            .children
            .iter()
            .filter_map(|(k, n)| Some((k.parse::<u64>().ok()?, n)))
            .collect();
        numbered.sort_by_key(|(i, _)| *i);
        numbered.into_iter().map(|(_, n)| n).collect()
    }
}

struct FormReader<'a> {
    query: &'a AwsQuery,
    service: &'a Service,
    lenient: bool,
}

/// Reads a form's fields as the typed input of `op` (`Action` and `Version` left out); a value that cannot be
/// read as its member's type is a 400 `ValidationError`, or, `lenient`, kept as [`Value::Raw`].
pub(crate) fn read_input(
    query: &AwsQuery,
    service: &Service,
    op: &Operation,
    pairs: &[(String, String)],
    lenient: bool,
) -> Result<Value, ProtocolFault> {
    let mut root = Node::default();
    for (k, v) in pairs {
        if k != "Action" && k != "Version" {
            root.insert(k, v.clone());
        }
    }
    let Some(id) = op.input else {
        return Ok(Value::structure());
    };
    let reader = FormReader {
        query,
        service,
        lenient,
    };
    let mut path = Path::root();
    Ok(Value::Structure(reader.structure(
        service.shape(id).kind.members(),
        &root,
        &mut path,
    )?))
}

impl FormReader<'_> {
    fn flattened(member: Option<&Member>, shape: &Shape) -> bool {
        member.is_some_and(|m| m.flattened) || shape.flattened
    }

    /// The name of a member's field at its parent: its serialized name, or for an awsQuery flattened list whose
    /// item has a `locationName`, that name (botocore replaces the last part of the key with it).
    fn field_name(&self, member: &Member) -> String {
        let shape = self.service.target(member);
        if !self.query.ec2
            && let ShapeKind::List(item) = &shape.kind
            && Self::flattened(Some(member), shape)
            && let Some(name) =
                item.location_name
                    .as_deref()
                    .or(self.service.target(item).xml_name.as_deref())
        {
            return name.to_string();
        }
        self.query.serialized_name(member, shape, &member.name)
    }

    fn structure(
        &self,
        members: &[Member],
        node: &Node,
        path: &mut Path,
    ) -> Result<IndexMap<String, Value>, ProtocolFault> {
        let mut out = IndexMap::new();
        for member in members {
            let Some(child) = node.children.get(&self.field_name(member)) else {
                continue;
            };
            path.0.push(Segment::Member(member.name.clone()));
            let value = self.value(Some(member), self.service.target(member), child, path)?;
            path.0.pop();
            out.insert(member.name.clone(), value);
        }
        Ok(out)
    }

    fn wrong(&self, path: &Path, node: &Node, expected: &str) -> Result<Value, ProtocolFault> {
        let text = node.value.clone().unwrap_or_default();
        if self.lenient {
            return Ok(Value::Raw(serde_json::Value::String(text)));
        }
        Err(fault(
            400,
            "ValidationError",
            format!(
                "1 validation error detected: Value '{text}' at '{}' failed to satisfy constraint: Member must be \
                 {expected}",
                path.coral()
            ),
        ))
    }

    fn value(
        &self,
        member: Option<&Member>,
        shape: &Shape,
        node: &Node,
        path: &mut Path,
    ) -> Result<Value, ProtocolFault> {
        let text = match (&shape.kind, &node.value) {
            (
                ShapeKind::Structure(_)
                | ShapeKind::Union(_)
                | ShapeKind::List(_)
                | ShapeKind::Map { .. },
                _,
            ) => None,
            (_, Some(text)) if node.children.is_empty() => Some(text.as_str()),
            _ => return self.wrong(path, node, &format!("a {}", shape.kind.name())),
        };
        Ok(match &shape.kind {
            ShapeKind::Structure(members) | ShapeKind::Union(members) => {
                if node.children.is_empty() && node.value.as_deref().is_some_and(|v| !v.is_empty())
                {
                    return self.wrong(path, node, "a structure");
                }
                Value::Structure(self.structure(members, node, path)?)
            }
            ShapeKind::List(item) => {
                let item_shape = self.service.target(item);
                if node.children.is_empty() {
                    return match node.value.as_deref() {
                        Some("") | None => Ok(Value::List(Vec::new())),
                        Some(_) => self.wrong(path, node, "a list"),
                    };
                }
                let container = if self.query.ec2 || Self::flattened(member, shape) {
                    Some(node)
                } else {
                    let name = self.query.serialized_name(item, item_shape, "member");
                    node.children.get(&name)
                };
                let Some(container) = container else {
                    return self.wrong(path, node, "a list");
                };
                let mut items = Vec::new();
                for (i, child) in container.items().into_iter().enumerate() {
                    path.0.push(Segment::Index(i));
                    items.push(self.value(Some(item), item_shape, child, path)?);
                    path.0.pop();
                }
                Value::List(items)
            }
            ShapeKind::Map { key, value } => {
                let container = if Self::flattened(member, shape) {
                    Some(node)
                } else {
                    node.children.get("entry")
                };
                let key_name = self
                    .query
                    .serialized_name(key, self.service.target(key), "key");
                let value_shape = self.service.target(value);
                let value_name = self.query.serialized_name(value, value_shape, "value");
                let mut entries = IndexMap::new();
                for entry in container.map(Node::items).unwrap_or_default() {
                    let Some(k) = entry.children.get(&key_name).and_then(|k| k.value.clone())
                    else {
                        return self.wrong(path, entry, "a map entry with a key");
                    };
                    path.0.push(Segment::Key(k.clone()));
                    let v = match entry.children.get(&value_name) {
                        Some(v) => self.value(Some(value), value_shape, v, path)?,
                        None => Value::Null,
                    };
                    path.0.pop();
                    entries.insert(k, v);
                }
                Value::Map(entries)
            }
            ShapeKind::String | ShapeKind::Enum(_) => {
                Value::String(text.unwrap_or_default().to_string())
            }
            ShapeKind::Document => Value::Document(serde_json::Value::String(
                text.unwrap_or_default().to_string(),
            )),
            ShapeKind::Boolean => match text {
                Some("true") => Value::Boolean(true),
                Some("false") => Value::Boolean(false),
                _ => return self.wrong(path, node, "a boolean"),
            },
            ShapeKind::Blob => match BASE64_LENIENT.decode(text.unwrap_or_default()) {
                Ok(bytes) => Value::Blob(bytes),
                Err(_) => return self.wrong(path, node, "base64"),
            },
            ShapeKind::Timestamp => {
                let text = text.unwrap_or_default();
                match parse_date_time(text)
                    .or_else(|| {
                        text.parse::<f64>()
                            .ok()
                            .and_then(epoch_seconds_to_timestamp)
                    })
                    .or_else(|| Timestamp::parse_http_date(text))
                {
                    Some(t) => Value::Timestamp(t),
                    None => return self.wrong(path, node, "a timestamp"),
                }
            }
            kind if kind.is_integral() => {
                let allowed = kind.integral_range();
                match text.unwrap_or_default().parse::<i64>() {
                    Ok(i) if allowed.is_none_or(|(lo, hi)| (lo..=hi).contains(&i128::from(i))) => {
                        Value::Integer(i)
                    }
                    _ => return self.wrong(path, node, &format!("an {}", kind.name())),
                }
            }
            kind => match text.unwrap_or_default() {
                "NaN" => Value::Float(f64::NAN),
                "Infinity" => Value::Float(f64::INFINITY),
                "-Infinity" => Value::Float(f64::NEG_INFINITY),
                t => match t.parse::<f64>() {
                    Ok(f) => Value::Float(f),
                    Err(_) => return self.wrong(path, node, &format!("a {}", kind.name())),
                },
            },
        })
    }
}
