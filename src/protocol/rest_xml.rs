//! restXml (S3, Route 53, CloudFront, S3 Control): HTTP bindings (labels, query, headers, payload) around an XML
//! document body.
//!
//! Requests follow botocore's `RestXMLSerializer` rule for rule (the differential test holds conform to it):
//! - the HTTP-bound members go as restJson1's do ([`super::http_binding`]);
//! - a structure payload is an XML document whose root element is named by the payload member's `locationName`
//!   (the member's, else its target's); an absent one leaves the body empty. A blob or string payload is its bytes;
//! - without a payload, the body members form a document whose root element is named by the operation's input
//!   `locationName` (carried on the input shape, see the botocore frontend) with the input's `xmlNamespace`; no body
//!   member set leaves the body empty;
//! - a member's element is its `locationName`, else its target's, else its name; non-flattened lists wrap their
//!   items (named by the item's `locationName`, else `member`), flattened lists repeat the member's own element;
//!   maps are `<entry><key/><value/></entry>` (flattened: the member's element repeated); `xmlAttribute` members are
//!   attributes of their structure's element; every element whose member or shape declares an `xmlNamespace` gets
//!   `xmlns` (`xmlns:prefix`) — on a flattened list, botocore puts it on the parent element, and so does conform;
//! - timestamps are ISO 8601 unless the member or shape names another format, blobs base64, booleans
//!   `true`/`false`, floats as Python writes them;
//! - botocore's serializer sets no Content-Type (nor Content-MD5 or a checksum: S3's are added by botocore's
//!   handlers, after serialising, and the bucket stays in the path as the serializer leaves it); conform sends none
//!   either, and its server side takes any.
//!
//! Responses are read as botocore's `RestXMLParser` reads them: body members are children of the root element
//! (whatever its name), a structure payload is the root itself; errors are `<ErrorResponse><Error><Code>` or S3's
//! `<Error><Code>` at the root. The server side (the embedded target) routes by method and URI template (S3's
//! operations that share both by the query parameters and headers they bind, see [`route_request`]), then refuses a
//! document body that is not well-formed XML, has another root element than the one the model names, or holds a
//! value that is not of its member's type (`MalformedXML`), and answers errors in S3's form for S3 and in the
//! `<ErrorResponse>` form for the others. An input whose request would read back otherwise (an empty flattened list,
//! a wrong-typed value that is valid text) is refused by [`Protocol::encode`], as awsQuery refuses its own.

mod faults;
#[cfg(test)]
mod tests;

use indexmap::IndexMap;

use crate::model::{
    ConstraintKind, Location, Member, Operation, Path, ProtocolId, Service, Shape, ShapeKind,
    Value, validate_input,
};

use super::http_binding::{self, BoundRequest, python_float};
use super::json::{base64_encode, timestamp_format};
use super::query_xml::{self, Element, escape};
use super::rest_json::input_members;
use super::{
    DecodedOutput, EncodeError, ErrorInfo, ErrorSource, HttpRequest, HttpResponse, Malformation,
    Protocol, ProtocolFault, ShapeProblem, WireExpectation,
};
use crate::case::Signing;
use crate::model::TimestampFormat;

/// The media type the server side answers XML documents with.
const XML: &str = "application/xml";

/// The restXml protocol.
#[derive(Debug, Clone, Copy, Default)]
pub struct RestXml;

/// The payload member of a structure's members and how it goes on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PayloadKind {
    /// A structure or union: an XML document.
    Document,
    /// A blob: the bytes.
    Bytes,
    /// A string: its UTF-8 bytes.
    Text,
}

fn payload_kind(service: &Service, member: &Member) -> PayloadKind {
    match service.target(member).kind {
        ShapeKind::Blob => PayloadKind::Bytes,
        ShapeKind::String | ShapeKind::Enum(_) => PayloadKind::Text,
        _ => PayloadKind::Document,
    }
}

/// The element name a member goes by: its `locationName`, else its target's, else `default`.
fn serialized_name<'a>(member: &'a Member, shape: &'a Shape, default: &'a str) -> &'a str {
    member
        .location_name
        .as_deref()
        .or(shape.xml_name.as_deref())
        .unwrap_or(default)
}

/// The `xmlns` attribute a member's (or shape's) element carries, if it declares a namespace.
fn namespace_attribute(member: Option<&Member>, shape: &Shape) -> Option<(String, String)> {
    let ns = member
        .and_then(|m| m.xml_namespace.as_ref())
        .or(shape.xml_namespace.as_ref())?;
    let name = match &ns.prefix {
        Some(prefix) if !prefix.is_empty() => format!("xmlns:{prefix}"),
        _ => "xmlns".to_string(),
    };
    Some((name, ns.uri.clone()))
}

/// Sets an attribute, replacing one of the same name (as ElementTree's `attrib[...] = ...` does).
fn set_attribute(element: &mut Element, (name, value): (String, String)) {
    match element.attributes.iter_mut().find(|(n, _)| *n == name) {
        Some(existing) => existing.1 = value,
        None => element.attributes.push((name, value)),
    }
}

/// The text of a scalar in an XML body (or attribute).
fn scalar_text(member: Option<&Member>, shape: &Shape, value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::Boolean(b) => b.to_string(),
        Value::Integer(i) => i.to_string(),
        Value::Float(f) => python_float(*f),
        Value::String(s) => s.clone(),
        Value::Blob(b) => base64_encode(b),
        Value::Timestamp(t) => {
            let format = timestamp_format(member, shape, TimestampFormat::DateTime);
            http_binding::timestamp_text(*t, format)
        }
        Value::Raw(serde_json::Value::String(s)) => s.clone(),
        Value::Raw(other) | Value::Document(other) => other.to_string(),
        Value::List(_) | Value::Map(_) | Value::Structure(_) => {
            super::json::untyped_json(value).to_string()
        }
    }
}

/// Writes `value` as botocore's `RestXMLSerializer._serialize` does: a child (or, for flattened lists and maps,
/// children) of `parent` named `name`.
fn serialize(
    service: &Service,
    member: Option<&Member>,
    shape: &Shape,
    value: &Value,
    parent: &mut Element,
    name: &str,
) {
    match (&shape.kind, value) {
        (ShapeKind::Structure(members) | ShapeKind::Union(members), Value::Structure(values)) => {
            let mut node = Element {
                name: name.to_string(),
                ..Element::default()
            };
            if let Some(ns) = namespace_attribute(member, shape) {
                set_attribute(&mut node, ns);
            }
            for (key, v) in values {
                // botocore stops at the first null member (`return` inside its loop): the rest are not written.
                if matches!(v, Value::Null) {
                    break;
                }
                let Some(m) = members.iter().find(|m| &m.name == key) else {
                    untyped(v, &mut node, key);
                    continue;
                };
                let target = service.target(m);
                if m.xml_attribute {
                    let attribute = m.location_name.clone().unwrap_or_else(|| m.name.clone());
                    set_attribute(&mut node, (attribute, scalar_text(Some(m), target, v)));
                    continue;
                }
                serialize(
                    service,
                    Some(m),
                    target,
                    v,
                    &mut node,
                    serialized_name(m, target, &m.name),
                );
            }
            parent.children.push(node);
        }
        (ShapeKind::List(item), Value::List(items)) => {
            let item_shape = service.target(item);
            let ns = namespace_attribute(member, shape);
            if member.is_some_and(|m| m.flattened) || shape.flattened {
                if let Some(ns) = ns {
                    set_attribute(parent, ns);
                }
                for v in items {
                    serialize(service, Some(item), item_shape, v, parent, name);
                }
            } else {
                let mut node = Element {
                    name: name.to_string(),
                    ..Element::default()
                };
                if let Some(ns) = ns {
                    set_attribute(&mut node, ns);
                }
                let item_name = serialized_name(item, item_shape, "member");
                for v in items {
                    serialize(service, Some(item), item_shape, v, &mut node, item_name);
                }
                parent.children.push(node);
            }
        }
        (ShapeKind::Map { key, value: entry }, Value::Map(entries)) => {
            let key_shape = service.target(key);
            let entry_shape = service.target(entry);
            let key_name = serialized_name(key, key_shape, "key");
            let value_name = serialized_name(entry, entry_shape, "value");
            let key_value = |k: &str| Value::String(k.to_string());
            if member.is_some_and(|m| m.flattened) || shape.flattened {
                for (k, v) in entries {
                    let mut node = Element {
                        name: name.to_string(),
                        ..Element::default()
                    };
                    serialize(
                        service,
                        Some(key),
                        key_shape,
                        &key_value(k),
                        &mut node,
                        key_name,
                    );
                    serialize(service, Some(entry), entry_shape, v, &mut node, value_name);
                    parent.children.push(node);
                }
            } else {
                let mut node = Element {
                    name: name.to_string(),
                    ..Element::default()
                };
                if let Some(ns) = namespace_attribute(member, shape) {
                    set_attribute(&mut node, ns);
                }
                for (k, v) in entries {
                    let mut pair = Element {
                        name: "entry".into(),
                        ..Element::default()
                    };
                    serialize(
                        service,
                        Some(key),
                        key_shape,
                        &key_value(k),
                        &mut pair,
                        key_name,
                    );
                    serialize(service, Some(entry), entry_shape, v, &mut pair, value_name);
                    node.children.push(pair);
                }
                parent.children.push(node);
            }
        }
        (_, Value::Raw(raw @ (serde_json::Value::Object(_) | serde_json::Value::Array(_)))) => {
            // A wrong-typed object or array goes as the elements it would be, not as JSON text.
            raw_json(raw, parent, name);
        }
        _ => {
            let mut node = Element {
                name: name.to_string(),
                text: scalar_text(member, shape, value),
                ..Element::default()
            };
            if let Some(ns) = namespace_attribute(member, shape) {
                set_attribute(&mut node, ns);
            }
            parent.children.push(node);
        }
    }
}

/// A value without a shape to go by (a member the model does not know): structures and lists spread out into
/// elements, scalars as text.
fn untyped(value: &Value, parent: &mut Element, name: &str) {
    let mut node = Element {
        name: name.to_string(),
        ..Element::default()
    };
    match value {
        Value::Structure(members) => {
            for (k, v) in members {
                untyped(v, &mut node, k);
            }
        }
        Value::List(items) => {
            for v in items {
                untyped(v, &mut node, "member");
            }
        }
        Value::Map(entries) => {
            for (k, v) in entries {
                let mut pair = Element {
                    name: "entry".into(),
                    ..Element::default()
                };
                untyped(&Value::String(k.clone()), &mut pair, "key");
                untyped(v, &mut pair, "value");
                node.children.push(pair);
            }
        }
        scalar => {
            node.text = match scalar {
                Value::Timestamp(t) => t.to_rfc3339(),
                other => super::query::scalar_text(other),
            }
        }
    }
    parent.children.push(node);
}

/// A JSON value as elements: an object's members as children, an array's items as `<member>` children.
fn raw_json(json: &serde_json::Value, parent: &mut Element, name: &str) {
    let mut node = Element {
        name: name.to_string(),
        ..Element::default()
    };
    match json {
        serde_json::Value::Object(members) => {
            for (k, v) in members {
                raw_json(v, &mut node, k);
            }
        }
        serde_json::Value::Array(items) => {
            for v in items {
                raw_json(v, &mut node, "member");
            }
        }
        serde_json::Value::String(s) => node.text = s.clone(),
        serde_json::Value::Null => {}
        other => node.text = other.to_string(),
    }
    parent.children.push(node);
}

/// An element as XML text: attributes in order, text escaped; an element with neither children nor text is written
/// empty (`<A/>`).
pub(crate) fn render(element: &Element, out: &mut String) {
    out.push('<');
    out.push_str(&element.name);
    for (name, value) in &element.attributes {
        out.push(' ');
        out.push_str(name);
        out.push_str("=\"");
        out.push_str(&escape(value));
        out.push('"');
    }
    if element.children.is_empty() && element.text.is_empty() {
        out.push_str("/>");
        return;
    }
    out.push('>');
    out.push_str(&escape(&element.text));
    for child in &element.children {
        render(child, out);
    }
    out.push_str("</");
    out.push_str(&element.name);
    out.push('>');
}

/// The document of one value: its element as the root.
fn document(
    service: &Service,
    member: Option<&Member>,
    shape: &Shape,
    value: &Value,
    name: &str,
) -> Vec<u8> {
    let mut pseudo_root = Element::default();
    serialize(service, member, shape, value, &mut pseudo_root, name);
    let mut out = String::new();
    for child in &pseudo_root.children {
        render(child, &mut out);
    }
    out.into_bytes()
}

/// The root element's name of a structure payload member's document.
fn payload_root_name<'a>(service: &'a Service, member: &'a Member) -> &'a str {
    let shape = service.target(member);
    serialized_name(member, shape, &member.name)
}

/// The root element's name of a request's body members: the operation's input `locationName` (on the input shape),
/// else the input shape's name.
fn input_root_name<'a>(service: &'a Service, op: &Operation) -> Option<(&'a Shape, &'a str)> {
    let shape = service.shape(op.input?);
    Some((shape, shape.xml_name.as_deref().unwrap_or(&shape.name)))
}

/// The root element's name of a response's body members: the output shape's `locationName`, else its name.
fn output_root_name<'a>(service: &'a Service, op: &Operation) -> Option<(&'a Shape, &'a str)> {
    let shape = service.shape(op.output?);
    Some((shape, shape.xml_name.as_deref().unwrap_or(&shape.name)))
}

/// Whether requests of the operation carry an XML document (a structure payload, or body members).
pub(crate) fn has_xml_body(service: &Service, op: &Operation) -> bool {
    let members = service.input_members(op);
    match members.iter().find(|m| m.location == Location::Payload) {
        Some(m) => payload_kind(service, m) == PayloadKind::Document,
        None => members.iter().any(|m| m.location == Location::Body),
    }
}

/// The root element name a request's XML document must have.
pub(crate) fn request_root_name(service: &Service, op: &Operation) -> Option<String> {
    let members = service.input_members(op);
    match members.iter().find(|m| m.location == Location::Payload) {
        Some(m) if payload_kind(service, m) == PayloadKind::Document => {
            Some(payload_root_name(service, m).to_string())
        }
        Some(_) => None,
        None => input_root_name(service, op).map(|(_, name)| name.to_string()),
    }
}

impl RestXml {
    /// The request botocore's serializer sends for `input` (see the module docs), before [`Protocol::encode`] checks
    /// that no other operation would claim it.
    pub fn encode_request(
        &self,
        service: &Service,
        op: &Operation,
        input: &Value,
    ) -> Result<HttpRequest, EncodeError> {
        input_members(op, input)?;
        let filled = super::with_idempotency_tokens(service, op, input);
        let members = input_members(op, &filled)?;
        let bound = http_binding::bind_request(service, op, members)?;
        let body = self.body(service, op, &bound);
        let target = bound.target();
        if target.len() > http_binding::MAX_REQUEST_TARGET {
            return Err(EncodeError::CannotCarry {
                path: Path::root(),
                why: format!(
                    "the request target (path and query) would be {} bytes, over the {} an HTTP client can send",
                    target.len(),
                    http_binding::MAX_REQUEST_TARGET
                ),
            });
        }
        let mut request = HttpRequest {
            method: bound.method.clone(),
            path: target,
            headers: bound.headers.clone(),
            body,
            host_prefix: bound.host_prefix.clone(),
        };
        super::checksum::apply(service, op, &filled, &mut request);
        Ok(request)
    }

    /// Refuses an input whose request a server reads back with other constraint violations than the input has:
    /// XML cannot tell an empty flattened list from an absent one, botocore leaves out what follows a null, and a
    /// wrong-typed value may be valid text (`5` for a string), so a case built on one would test something else
    /// than it says. A request the server refuses outright (a header that is no value of its type) is kept: that
    /// refusal is what a wrong-typed case tests.
    fn check_carried(
        &self,
        service: &Service,
        op: &Operation,
        input: &Value,
        request: &HttpRequest,
    ) -> Result<(), EncodeError> {
        let Some(shape) = op.input else {
            return Ok(());
        };
        let Ok(read) = self.read_input(service, op, request, true) else {
            return Ok(());
        };
        let keys = |value: &Value| {
            let mut keys: Vec<(Path, ConstraintKind)> = validate_input(service, shape, value)
                .into_iter()
                .map(|v| {
                    // A null is left out: it reads back as absent, which breaks the same rule.
                    let kind = match v.kind {
                        ConstraintKind::Null => ConstraintKind::Required,
                        kind => kind,
                    };
                    (v.path, kind)
                })
                .collect();
            keys.sort();
            keys.dedup();
            keys
        };
        let (sent, read) = (keys(input), keys(&read));
        if sent == read {
            return Ok(());
        }
        let differing = sent
            .iter()
            .find(|k| !read.contains(k))
            .or_else(|| read.iter().find(|k| !sent.contains(k)))
            .map(|(path, _)| path.clone())
            .unwrap_or_default();
        Err(EncodeError::CannotCarry {
            path: differing,
            why: format!(
                "XML cannot carry it as it is: the request reads back with {} constraint violation(s) where the input \
                 has {} (an empty flattened list or what follows a null leaves no element; a wrong-typed value may \
                 be valid text)",
                read.len(),
                sent.len()
            ),
        })
    }

    fn body(&self, service: &Service, op: &Operation, bound: &BoundRequest<'_>) -> Vec<u8> {
        if let Some((member, value)) = bound.payload {
            return match (payload_kind(service, member), value) {
                (_, None) => Vec::new(),
                (PayloadKind::Bytes, Some(Value::Blob(bytes))) => bytes.clone(),
                (PayloadKind::Bytes | PayloadKind::Text, Some(Value::String(s))) => {
                    s.as_bytes().to_vec()
                }
                (
                    PayloadKind::Bytes | PayloadKind::Text,
                    Some(Value::Raw(serde_json::Value::String(s))),
                ) => s.as_bytes().to_vec(),
                (PayloadKind::Bytes | PayloadKind::Text, Some(other)) => {
                    super::json::untyped_json(other).to_string().into_bytes()
                }
                (PayloadKind::Document, Some(value)) => document(
                    service,
                    Some(member),
                    service.target(member),
                    value,
                    payload_root_name(service, member),
                ),
            };
        }
        if bound.body.is_empty() {
            return Vec::new();
        }
        // botocore leaves out a top-level member set to null (and stops at a nested one, see `serialize`).
        let members: IndexMap<String, Value> = bound
            .body
            .iter()
            .filter(|(_, v)| !matches!(v, Value::Null))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if members.is_empty() {
            return Vec::new();
        }
        match input_root_name(service, op) {
            Some((shape, name)) => document(service, None, shape, &Value::Structure(members), name),
            None => Vec::new(),
        }
    }
}

/// The operation a request is for: of those whose method, path template and static query match it, the most
/// specific template; among equally specific ones (S3's PutObject, UploadPart, CopyObject and UploadPartCopy share
/// `PUT /{Bucket}/{Key+}`), the one whose query parameters and headers the request carries best — each bound one
/// present counts for it, a required one missing or a query parameter it does not bind counts against it — then
/// one that is not deprecated, then the first in the model.
pub(crate) fn route_request<'s>(
    service: &'s Service,
    request: &HttpRequest,
) -> Option<&'s Operation> {
    let query = http_binding::parse_query(request.query().unwrap_or("")).unwrap_or_default();
    let raw: Vec<&str> = request.path_only().split('/').collect();
    let mut best: Option<(_, i64, bool, &'s Operation)> = None;
    for op in service.operations.values() {
        if op.http.method != request.method {
            continue;
        }
        let template = op.http.template();
        if !template.static_query_matches(&query) || template.match_split(&raw).is_none() {
            continue;
        }
        let rank = template.specificity();
        let score = claim(service, op, request, &query, &template.static_query);
        let better = match &best {
            None => true,
            Some((r, s, deprecated, _)) => {
                (&rank, std::cmp::Reverse(score), op.deprecated)
                    < (r, std::cmp::Reverse(*s), *deprecated)
            }
        };
        if better {
            best = Some((rank, score, op.deprecated, op));
        }
    }
    best.map(|(_, _, _, op)| op)
}

/// How well a request's query parameters and headers fit an operation's HTTP-bound members (see [`route_request`]).
fn claim(
    service: &Service,
    op: &Operation,
    request: &HttpRequest,
    query: &[(String, String)],
    static_query: &[(String, Option<String>)],
) -> i64 {
    const MISSING_REQUIRED: i64 = 100;
    let members = service.input_members(op);
    let mut score = 0;
    let takes_any_query = members.iter().any(|m| {
        matches!(m.location, Location::Query(_))
            && matches!(service.target(m).kind, ShapeKind::Map { .. })
    });
    for member in members {
        let present = match &member.location {
            Location::Query(key)
                if !matches!(service.target(member).kind, ShapeKind::Map { .. }) =>
            {
                query.iter().any(|(k, _)| k == key)
            }
            Location::Header(name) => request.header(name).is_some(),
            _ => continue,
        };
        if present {
            score += 1;
        } else if member.required {
            score -= MISSING_REQUIRED;
        }
    }
    if !takes_any_query {
        for (key, _) in query {
            let bound = members
                .iter()
                .any(|m| matches!(&m.location, Location::Query(k) if k == key));
            let fixed = static_query.iter().any(|(k, _)| k == key);
            if !bound && !fixed {
                score -= 1;
            }
        }
    }
    score
}

/// The members of `members` read from `element`'s children, with what departs from the model.
fn read_members(
    service: &Service,
    members: &[Member],
    element: &Element,
    missing_required: bool,
) -> (IndexMap<String, Value>, Vec<ShapeProblem>) {
    let body: Vec<Member> = members
        .iter()
        .filter(|m| m.location == Location::Body)
        .cloned()
        .collect();
    query_xml::read_structure(service, &body, element, missing_required)
}

/// An XML payload or body document, parsed, or why it is none (for messages).
fn parse_document(body: &[u8]) -> Result<Element, String> {
    query_xml::parse(body)
}

impl Protocol for RestXml {
    fn id(&self) -> ProtocolId {
        ProtocolId::RestXml
    }

    fn encode(
        &self,
        service: &Service,
        op: &Operation,
        input: &Value,
    ) -> Result<HttpRequest, EncodeError> {
        let request = self.encode_request(service, op, input)?;
        let filled = super::with_idempotency_tokens(service, op, input);
        self.check_carried(service, op, &filled, &request)?;
        // S3 gives several operations one method and path (PutObject, UploadPart, CopyObject, UploadPartCopy) and
        // tells them apart by query and headers alone: a request another operation claims at least as well would
        // be served as that one (by AWS too), so it cannot test this one.
        match route_request(service, &request) {
            Some(other) if other.name != op.name => Err(EncodeError::CannotCarry {
                path: Path::root(),
                why: format!(
                    "the request would be {}'s: S3 tells operations that share a method and path apart by their \
                     query and headers, and this one names none that {} lacks",
                    other.name, other.name
                ),
            }),
            _ => Ok(request),
        }
    }

    fn decode_error(&self, service: &Service, response: &HttpResponse) -> Option<ErrorInfo> {
        if response.is_success() {
            return None;
        }
        query_xml::decode_error(service, &response.body)
    }

    fn error_document(&self, response: &HttpResponse) -> Option<serde_json::Value> {
        let root = query_xml::parse(&response.body).ok()?;
        let mut document = query_xml::error_element(&root)?.to_json();
        if let (serde_json::Value::Object(map), Some(id)) =
            (&mut document, query_xml::request_id(&root))
        {
            map.entry("RequestId")
                .or_insert_with(|| serde_json::Value::String(id.to_string()));
        }
        Some(document)
    }

    fn error_source(&self) -> ErrorSource {
        ErrorSource::Body("Code")
    }

    fn document_kind(&self) -> &'static str {
        "an XML document"
    }

    fn decode_output(
        &self,
        service: &Service,
        op: &Operation,
        response: &HttpResponse,
    ) -> DecodedOutput {
        let missing_required = super::rest_json::judges_required_outputs(op);
        let (mut values, mut problems) = http_binding::read_response(service, op, response);
        let members = service.output_members(op);
        let blank = response.body.iter().all(u8::is_ascii_whitespace);
        if let Some(member) = members.iter().find(|m| m.location == Location::Payload) {
            let path = Path::members([member.name.as_str()]);
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
                PayloadKind::Document if blank => {}
                PayloadKind::Document => match parse_document(&response.body) {
                    Ok(root) => {
                        let (value, found) =
                            query_xml::read_member(service, member, &root, missing_required);
                        values.insert(member.name.clone(), value);
                        problems.extend(found);
                    }
                    Err(e) => problems.push(ShapeProblem {
                        path,
                        problem: format!(
                            "the payload is not an XML document ({e}): `{}`",
                            super::json::excerpt(&response.body, 200)
                        ),
                    }),
                },
            }
        } else if !blank {
            match parse_document(&response.body) {
                Ok(root) => {
                    let (read, found) = read_members(service, members, &root, missing_required);
                    values.extend(read);
                    problems.extend(found);
                }
                Err(e) => problems.push(ShapeProblem {
                    path: Path::root(),
                    problem: format!(
                        "the body is not an XML document ({e}): `{}`",
                        super::json::excerpt(&response.body, 200)
                    ),
                }),
            }
        } else if missing_required {
            for member in members.iter().filter(|m| m.location == Location::Body) {
                if member.required {
                    problems.push(ShapeProblem {
                        path: Path::members([member.name.as_str()]),
                        problem: "missing required member".into(),
                    });
                }
            }
        }
        if missing_required {
            for member in members {
                let http_bound =
                    member.location.is_http_bound() && member.location != Location::StatusCode;
                if member.required && http_bound && !values.contains_key(&member.name) {
                    problems.push(ShapeProblem {
                        path: Path::members([member.name.as_str()]),
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
        XML
    }

    fn success_content_type(&self, _service: &Service, _op: &Operation) -> Option<&'static str> {
        // No capture records which XML media type each restXml service sends (`application/xml`, `text/xml`):
        // not judged.
        None
    }

    fn error_content_type(&self) -> Option<&'static str> {
        None
    }

    fn body_optional(&self, _service: &Service, _op: &Operation) -> bool {
        // botocore sends no body when no body member (or no payload) is set.
        true
    }

    fn wrong_type(&self) -> WireExpectation {
        faults::wrong_type()
    }

    fn signing_fault(&self, signing: Signing) -> WireExpectation {
        faults::signing_fault(signing)
    }

    fn malformations(&self, service: &Service, op: &Operation) -> Vec<Malformation> {
        faults::malformations(service, op)
    }

    fn malform(
        &self,
        service: &Service,
        op: &Operation,
        class: &str,
        request: &HttpRequest,
    ) -> Option<HttpRequest> {
        faults::malform(service, op, class, request)
    }

    fn accepts_content_type(&self, _given: Option<&str>) -> bool {
        // botocore sends no Content-Type with restXml bodies, and S3 takes whatever media type an object has.
        true
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

    fn check_body(&self, _request: &HttpRequest) -> Result<(), ProtocolFault> {
        // Only the operation says whether the body is a document at all (S3 takes any bytes as an object, a JSON
        // text as a bucket policy, and ignores the body of a GET): it is checked once routed, in `decode_input`.
        Ok(())
    }

    fn route<'s>(
        &self,
        service: &'s Service,
        request: &HttpRequest,
    ) -> Result<&'s Operation, ProtocolFault> {
        route_request(service, request).ok_or_else(|| faults::unknown_route(service, request))
    }

    fn decode_input(
        &self,
        service: &Service,
        op: &Operation,
        request: &HttpRequest,
    ) -> Result<Value, ProtocolFault> {
        self.read_input(service, op, request, false)
    }

    fn decode_input_lenient(
        &self,
        service: &Service,
        op: &Operation,
        request: &HttpRequest,
    ) -> Result<Value, ProtocolFault> {
        self.read_input(service, op, request, true)
    }

    fn framework_error_code(&self, code: &str) -> String {
        faults::framework_code(code).to_string()
    }

    fn misplace_error_type(&self, response: HttpResponse) -> HttpResponse {
        super::query_faults::misplace_error_type(response)
    }

    fn strip_error_type(&self, response: HttpResponse) -> HttpResponse {
        super::query_faults::strip_error_type(response)
    }

    fn body_request_id(&self, response: &HttpResponse) -> Option<String> {
        let root = query_xml::parse(&response.body).ok()?;
        query_xml::request_id(&root).map(str::to_string)
    }

    fn set_request_id(&self, mut response: HttpResponse, id: &str) -> HttpResponse {
        let empty = "<RequestId></RequestId>";
        let text = String::from_utf8_lossy(&response.body);
        if let Some(at) = text.find(empty) {
            let body = format!(
                "{}<RequestId>{}</RequestId>{}",
                &text[..at],
                escape(id),
                &text[at + empty.len()..]
            );
            response.body = body.into_bytes();
        }
        if !response.is_success() {
            // S3 also carries its request id in `x-amz-request-id`.
            response
                .headers
                .push(("x-amz-request-id".into(), id.to_string()));
        }
        response
    }

    fn encode_output(&self, service: &Service, op: &Operation, output: &Value) -> HttpResponse {
        let bound = http_binding::bind_response(service, op, output);
        let mut headers = bound.headers.clone();
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
                    document(
                        service,
                        Some(member),
                        service.target(member),
                        value,
                        payload_root_name(service, member),
                    ),
                    XML,
                ),
                (PayloadKind::Document, None) => (Vec::new(), XML),
            },
            None if !bound.body.is_empty() => match output_root_name(service, op) {
                Some((shape, name)) => (
                    document(
                        service,
                        None,
                        shape,
                        &Value::Structure(bound.body.clone()),
                        name,
                    ),
                    XML,
                ),
                None => (Vec::new(), XML),
            },
            None => (Vec::new(), XML),
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
        _members: &Value,
    ) -> HttpResponse {
        let (code, message) = (escape(code), escape(message));
        let body = if faults::is_s3(service) {
            format!(
                "<Error><Code>{code}</Code><Message>{message}</Message><RequestId></RequestId></Error>"
            )
        } else {
            let kind = if status >= 500 { "Receiver" } else { "Sender" };
            format!(
                "<ErrorResponse{}><Error><Type>{kind}</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId></RequestId></ErrorResponse>",
                query_xml::xmlns(service)
            )
        };
        HttpResponse {
            status,
            headers: vec![("content-type".into(), XML.into())],
            body: body.into_bytes(),
        }
    }
}

impl RestXml {
    /// Server side: the typed input of a request; `lenient` keeps values of the wrong type as [`Value::Raw`].
    fn read_input(
        &self,
        service: &Service,
        op: &Operation,
        request: &HttpRequest,
        lenient: bool,
    ) -> Result<Value, ProtocolFault> {
        let labels = op
            .http
            .template()
            .match_path(request.path_only())
            .unwrap_or_default();
        let mut values = http_binding::read_request(service, op, request, &labels)?;
        let members = service.input_members(op);
        let blank = request.body.iter().all(u8::is_ascii_whitespace);
        let payload = members.iter().find(|m| m.location == Location::Payload);
        if let Some(member) = payload {
            match payload_kind(service, member) {
                PayloadKind::Bytes => {
                    if !request.body.is_empty() {
                        values.insert(member.name.clone(), Value::Blob(request.body.clone()));
                    }
                }
                PayloadKind::Text => {
                    if !request.body.is_empty() {
                        let text = String::from_utf8(request.body.clone()).map_err(|_| {
                            faults::malformed_xml(
                                "failed to read the text payload: it is not UTF-8".into(),
                            )
                        })?;
                        values.insert(member.name.clone(), Value::String(text));
                    }
                }
                PayloadKind::Document if blank => {}
                PayloadKind::Document => {
                    let root = self.root(service, op, request)?;
                    let (value, problems) = query_xml::read_member(service, member, &root, false);
                    let value = faults::accept_read(value, &problems, lenient)?;
                    values.insert(member.name.clone(), value);
                }
            }
        } else if !blank && members.iter().any(|m| m.location == Location::Body) {
            let root = self.root(service, op, request)?;
            let (read, problems) = read_members(service, members, &root, false);
            faults::accept_read(Value::Null, &problems, lenient)?;
            values.extend(read);
        }
        Ok(Value::Structure(values))
    }

    /// The request's XML document, its root element checked against the name the model gives it.
    fn root(
        &self,
        service: &Service,
        op: &Operation,
        request: &HttpRequest,
    ) -> Result<Element, ProtocolFault> {
        let root = parse_document(&request.body)
            .map_err(|e| faults::malformed_xml(format!("failed to read the body: {e}")))?;
        if let Some(expected) = request_root_name(service, op) {
            // The model's name may carry a prefix; the parsed name is the local part.
            let local = expected.rsplit(':').next().unwrap_or(&expected);
            if root.name != local {
                return Err(faults::malformed_xml(format!(
                    "failed to read the body: its root element is `<{}>`, not `<{local}>`",
                    root.name
                )));
            }
        }
        Ok(root)
    }
}
