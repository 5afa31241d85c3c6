//! awsQuery and ec2Query: `POST /` with a form-encoded body naming the operation in `Action`; XML answers.
//!
//! Requests follow botocore's `QuerySerializer` and `EC2Serializer` (botocore/serialize.py) rule for rule:
//! - the body is `Action=<Operation>&Version=<apiVersion>` and then every member as `key=value`, form-encoded as
//!   Python's `urlencode` does (everything but letters, digits and `-_.~` escaped, a space as `+`), with
//!   `Content-Type: application/x-www-form-urlencoded; charset=utf-8`;
//! - a member's key is its `locationName` (the member's, else its target shape's), else its name; nested members
//!   join with `.`; ec2Query takes `queryName` first, then the `locationName` with its first letter capitalised;
//! - awsQuery lists are `Name.member.N` (`member` replaced by the list member's `locationName`), flattened lists
//!   `Name.N` (the last part replaced by the list member's `locationName` when it has one), and an empty list is
//!   `Name=`; ec2Query lists are always `Name.N` and an empty one is left out;
//! - maps are `Name.entry.N.key` / `Name.entry.N.value` (flattened: `Name.N.key`), `key` and `value` replaced by the
//!   key's and value's names (on both protocols: botocore's ec2 serializer inherits the map rule);
//! - booleans are `true`/`false`, blobs base64, floats as Python writes them (`NaN`, `Infinity`, `1e+16`),
//!   timestamps ISO 8601 unless the member or shape names another format.
//!
//! The XML side (errors, outputs, the embedded target's answers) is in [`super::query_xml`].
//!
//! Server side (the embedded target): the body must be a form (else 400 `MalformedQueryString`), `Action` names
//! the operation (missing: 400 `MissingAction`; unknown, or a `Version` other than the model's: 400
//! `InvalidAction`), and the fields are read back into a typed value by the same naming rules. These codes are
//! those the AWS Query APIs' "Common Errors" pages list; no capture of AWS settles them, so every expectation
//! resting on them is uncertain (see [`super::query_faults`]).

use indexmap::IndexMap;

use crate::model::{
    ConstraintKind, Member, Operation, ProtocolId, Service, Shape, ShapeKind, TimestampFormat,
    Value,
};

use super::http_binding::{self, python_float};
use super::json::base64_encode;
use super::rest_json::input_members;
use super::{
    DecodedOutput, EncodeError, ErrorInfo, ErrorSource, HttpRequest, HttpResponse, Malformation,
    Protocol, ProtocolFault, WireExpectation, query_faults, query_xml,
};
use crate::case::Signing;

/// The Content-Type of awsQuery and ec2Query requests (botocore's, byte for byte).
pub const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded; charset=utf-8";

/// awsQuery or ec2Query (they differ in member names, lists and error bodies).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AwsQuery {
    pub(crate) ec2: bool,
}

impl AwsQuery {
    /// awsQuery.
    pub const QUERY: AwsQuery = AwsQuery { ec2: false };

    /// ec2Query.
    pub const EC2: AwsQuery = AwsQuery { ec2: true };

    /// Which protocol this is.
    pub fn protocol_id(&self) -> ProtocolId {
        if self.ec2 {
            ProtocolId::Ec2Query
        } else {
            ProtocolId::AwsQuery
        }
    }

    /// The request an SDK sends for `input`, byte for byte as botocore's serializer (see the module docs), even
    /// where the form cannot carry the input (an empty structure leaves no field); [`Protocol::encode`] refuses
    /// those.
    pub fn encode_request(
        &self,
        service: &Service,
        op: &Operation,
        input: &Value,
    ) -> Result<HttpRequest, EncodeError> {
        input_members(op, input)?;
        let filled = super::with_idempotency_tokens(service, op, input);
        let members = input_members(op, &filled)?;
        let pairs = self.form_pairs(service, op, &filled);
        let mut request = HttpRequest {
            method: op.http.method.clone(),
            path: "/".into(),
            headers: vec![("content-type".into(), FORM_CONTENT_TYPE.into())],
            body: form_encode(&pairs).into_bytes(),
            host_prefix: http_binding::host_prefix(service, op, members)?,
        };
        super::checksum::apply(service, op, &filled, &mut request);
        Ok(request)
    }

    /// Refuses an input whose form a server reads back with other constraint violations than the input has: a
    /// form cannot carry an empty structure, a null (left out), an empty list on ec2Query (left out) or a
    /// wrong-typed value that is valid text, so a case built on one would test something else than it says.
    fn check_carried(
        &self,
        service: &Service,
        op: &Operation,
        input: &Value,
        pairs: &[(String, String)],
    ) -> Result<(), EncodeError> {
        let Some(shape) = op.input else {
            return Ok(());
        };
        let keys = |value: &Value| {
            let mut keys: Vec<(crate::model::Path, ConstraintKind)> =
                crate::model::validate_input(service, shape, value)
                    .into_iter()
                    .map(|v| {
                        // A null is left out of a form: it reads back as absent, which breaks the same rule.
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
        let sent = keys(input);
        let read = super::query_faults::read_input(self, service, op, pairs, true)
            .map(|back| keys(&back))
            .unwrap_or_default();
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
                "a form cannot carry it as it is: the fields read back with {} constraint violation(s) where the \
                 input has {} (an empty structure, a null or an empty ec2Query list leaves no field; a wrong-typed \
                 value may be valid text)",
                read.len(),
                sent.len()
            ),
        })
    }

    /// The form fields of a request, decoded, in order: `Action`, `Version`, then the members.
    pub fn form_pairs(
        &self,
        service: &Service,
        op: &Operation,
        input: &Value,
    ) -> Vec<(String, String)> {
        let mut out = vec![
            ("Action".to_string(), op.name.clone()),
            ("Version".to_string(), service.api_version.clone()),
        ];
        if let (Some(id), Value::Structure(values)) = (op.input, input) {
            self.structure(service, service.shape(id), values, "", &mut out);
        }
        out
    }

    /// The name a member (or a list's, or map's, key or value member) goes by: see the module docs.
    pub(crate) fn serialized_name(&self, member: &Member, shape: &Shape, default: &str) -> String {
        let location_name = member
            .location_name
            .as_deref()
            .or(shape.xml_name.as_deref());
        if self.ec2 {
            if let Some(query_name) = &member.query_name {
                return query_name.clone();
            }
            if let Some(name) = location_name {
                let mut chars = name.chars();
                return match chars.next() {
                    Some(first) => first.to_uppercase().chain(chars).collect(),
                    None => String::new(),
                };
            }
            return default.to_string();
        }
        location_name.unwrap_or(default).to_string()
    }

    fn structure(
        &self,
        service: &Service,
        shape: &Shape,
        values: &IndexMap<String, Value>,
        prefix: &str,
        out: &mut Vec<(String, String)>,
    ) {
        let members = shape.kind.members();
        for (name, value) in values {
            let (key, member) = match members.iter().find(|m| &m.name == name) {
                Some(m) => (self.serialized_name(m, service.target(m), &m.name), Some(m)),
                None => (name.clone(), None),
            };
            let key = join(prefix, &key);
            match member {
                Some(m) => self.value(service, Some(m), service.target(m), value, key, out),
                None => untyped(value, key, out),
            }
        }
    }

    fn value(
        &self,
        service: &Service,
        member: Option<&Member>,
        shape: &Shape,
        value: &Value,
        prefix: String,
        out: &mut Vec<(String, String)>,
    ) {
        match (&shape.kind, value) {
            (ShapeKind::Structure(_) | ShapeKind::Union(_), Value::Structure(values)) => {
                self.structure(service, shape, values, &prefix, out);
            }
            (ShapeKind::List(item), Value::List(items)) => {
                let item_shape = service.target(item);
                let list_prefix = if self.ec2 {
                    if items.is_empty() {
                        return;
                    }
                    prefix
                } else if items.is_empty() {
                    out.push((prefix, String::new()));
                    return;
                } else if member.is_some_and(|m| m.flattened) || shape.flattened {
                    match item
                        .location_name
                        .as_deref()
                        .or(item_shape.xml_name.as_deref())
                    {
                        Some(name) => match prefix.rsplit_once('.') {
                            Some((parent, _)) => format!("{parent}.{name}"),
                            None => name.to_string(),
                        },
                        None => prefix,
                    }
                } else {
                    join(&prefix, &self.serialized_name(item, item_shape, "member"))
                };
                for (i, v) in items.iter().enumerate() {
                    let at = format!("{list_prefix}.{}", i + 1);
                    self.value(service, Some(item), item_shape, v, at, out);
                }
            }
            (ShapeKind::Map { key, value: entry }, Value::Map(entries)) => {
                let base = if member.is_some_and(|m| m.flattened) || shape.flattened {
                    prefix
                } else {
                    format!("{prefix}.entry")
                };
                let key_name = self.serialized_name(key, service.target(key), "key");
                let entry_shape = service.target(entry);
                let value_name = self.serialized_name(entry, entry_shape, "value");
                for (i, (k, v)) in entries.iter().enumerate() {
                    let n = i + 1;
                    out.push((format!("{base}.{n}.{key_name}"), k.clone()));
                    let at = format!("{base}.{n}.{value_name}");
                    self.value(service, Some(entry), entry_shape, v, at, out);
                }
            }
            (ShapeKind::Timestamp, Value::Timestamp(t)) => {
                let format =
                    super::json::timestamp_format(member, shape, TimestampFormat::DateTime);
                out.push((prefix, http_binding::timestamp_text(*t, format)));
            }
            _ => untyped(value, prefix, out),
        }
    }
}

impl Protocol for AwsQuery {
    fn id(&self) -> ProtocolId {
        self.protocol_id()
    }

    fn encode(
        &self,
        service: &Service,
        op: &Operation,
        input: &Value,
    ) -> Result<HttpRequest, EncodeError> {
        let request = self.encode_request(service, op, input)?;
        let filled = super::with_idempotency_tokens(service, op, input);
        let pairs = form_decode(&request.body).unwrap_or_default();
        self.check_carried(service, op, &filled, &pairs)?;
        Ok(request)
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
            map.insert(
                "RequestId".into(),
                serde_json::Value::String(id.to_string()),
            );
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
        query_xml::decode_output(
            service,
            op,
            &response.body,
            self.ec2,
            super::rest_json::judges_required_outputs(op),
        )
    }

    fn content_type(&self) -> &'static str {
        FORM_CONTENT_TYPE
    }

    fn success_content_type(&self, _service: &Service, _op: &Operation) -> Option<&'static str> {
        // No capture records which XML media type AWS's query services send (`text/xml`, `application/xml`, with a
        // charset or not): not judged.
        None
    }

    fn error_content_type(&self) -> Option<&'static str> {
        None
    }

    fn body_optional(&self, _service: &Service, _op: &Operation) -> bool {
        false
    }

    fn wrong_type(&self) -> WireExpectation {
        query_faults::wrong_type()
    }

    fn signing_fault(&self, signing: Signing) -> WireExpectation {
        query_faults::signing_fault(signing)
    }

    fn malformations(&self, service: &Service, op: &Operation) -> Vec<Malformation> {
        query_faults::malformations(service, op)
    }

    fn malform(
        &self,
        service: &Service,
        op: &Operation,
        class: &str,
        request: &HttpRequest,
    ) -> Option<HttpRequest> {
        query_faults::malform(service, op, class, request)
    }

    fn accepts_content_type(&self, given: Option<&str>) -> bool {
        given.is_some_and(|g| {
            g.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
    }

    fn check_body(&self, request: &HttpRequest) -> Result<(), ProtocolFault> {
        form_decode(&request.body)
            .map(|_| ())
            .ok_or_else(query_faults::malformed_query_string)
    }

    fn route<'s>(
        &self,
        service: &'s Service,
        request: &HttpRequest,
    ) -> Result<&'s Operation, ProtocolFault> {
        let pairs = form_decode(&request.body).ok_or_else(query_faults::malformed_query_string)?;
        let field = |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        let Some(action) = field("Action").filter(|a| !a.is_empty()) else {
            return Err(query_faults::fault(
                400,
                "MissingAction",
                "The request must contain the parameter Action.",
            ));
        };
        let version = field("Version").unwrap_or("");
        match service.operations.get(action) {
            Some(op) if request.method == "POST" && version == service.api_version => Ok(op),
            _ => Err(query_faults::fault(
                400,
                "InvalidAction",
                format!("Could not find operation {action} for version {version}"),
            )),
        }
    }

    fn decode_input(
        &self,
        service: &Service,
        op: &Operation,
        request: &HttpRequest,
    ) -> Result<Value, ProtocolFault> {
        let pairs = form_decode(&request.body).ok_or_else(query_faults::malformed_query_string)?;
        query_faults::read_input(self, service, op, &pairs, false)
    }

    fn decode_input_lenient(
        &self,
        service: &Service,
        op: &Operation,
        request: &HttpRequest,
    ) -> Result<Value, ProtocolFault> {
        let pairs = form_decode(&request.body).ok_or_else(query_faults::malformed_query_string)?;
        query_faults::read_input(self, service, op, &pairs, true)
    }

    fn framework_error_code(&self, code: &str) -> String {
        query_faults::framework_code(code).to_string()
    }

    fn misplace_error_type(&self, response: HttpResponse) -> HttpResponse {
        query_faults::misplace_error_type(response)
    }

    fn strip_error_type(&self, response: HttpResponse) -> HttpResponse {
        query_faults::strip_error_type(response)
    }

    fn body_request_id(&self, response: &HttpResponse) -> Option<String> {
        let root = query_xml::parse(&response.body).ok()?;
        query_xml::request_id(&root).map(str::to_string)
    }

    fn set_request_id(&self, mut response: HttpResponse, id: &str) -> HttpResponse {
        let empty: &[u8] = if self.ec2 && response.is_success() {
            b"<requestId></requestId>"
        } else if self.ec2 {
            b"<RequestID></RequestID>"
        } else {
            b"<RequestId></RequestId>"
        };
        let text = String::from_utf8_lossy(&response.body);
        let empty = String::from_utf8_lossy(empty);
        if let Some(at) = text.find(empty.as_ref()) {
            let tag = &empty[1..empty.find('>').unwrap_or(1)];
            let filled = format!("<{tag}>{}</{tag}>", query_xml::escape(id));
            let body = format!("{}{filled}{}", &text[..at], &text[at + empty.len()..]);
            response.body = body.into_bytes();
        }
        response
    }

    fn encode_output(&self, service: &Service, op: &Operation, output: &Value) -> HttpResponse {
        let empty = IndexMap::new();
        let values = output.as_structure().unwrap_or(&empty);
        let mut members = String::new();
        query_xml::write_members(service, service.output_members(op), values, &mut members);
        let ns = query_xml::xmlns(service);
        let name = &op.name;
        let body = if self.ec2 {
            format!("<{name}Response{ns}><requestId></requestId>{members}</{name}Response>")
        } else {
            let wrapper = op
                .result_wrapper
                .clone()
                .unwrap_or_else(|| format!("{name}Result"));
            let result = if op.output.is_some() {
                format!("<{wrapper}>{members}</{wrapper}>")
            } else {
                String::new()
            };
            format!(
                "<{name}Response{ns}>{result}<ResponseMetadata><RequestId></RequestId></ResponseMetadata></{name}Response>"
            )
        };
        HttpResponse {
            status: 200,
            headers: vec![("content-type".into(), "text/xml".into())],
            body: body.into_bytes(),
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
        // The wire code: the shape's `awsQueryError` code when it has one.
        let wire = service
            .error_named(code)
            .and_then(|(_, shape)| shape.error.as_ref()?.code.clone())
            .unwrap_or_else(|| code.to_string());
        let (code, message) = (query_xml::escape(&wire), query_xml::escape(message));
        let body = if self.ec2 {
            format!(
                "<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors><RequestID></RequestID></Response>"
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
            headers: vec![("content-type".into(), "text/xml".into())],
            body: body.into_bytes(),
        }
    }
}

/// `prefix.name`, or `name` at the top.
fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

/// A value without a shape to go by (a member the model does not know, a value of the wrong kind): scalars as
/// their text, lists and structures spread out as awsQuery would (`.member.N`, `.Name`), maps as entries.
fn untyped(value: &Value, prefix: String, out: &mut Vec<(String, String)>) {
    match value {
        Value::List(items) => {
            for (i, v) in items.iter().enumerate() {
                untyped(v, format!("{prefix}.member.{}", i + 1), out);
            }
        }
        Value::Structure(members) => {
            for (k, v) in members {
                untyped(v, join(&prefix, k), out);
            }
        }
        Value::Map(entries) => {
            for (i, (k, v)) in entries.iter().enumerate() {
                out.push((format!("{prefix}.entry.{}.key", i + 1), k.clone()));
                untyped(v, format!("{prefix}.entry.{}.value", i + 1), out);
            }
        }
        // A form has no null: a null member is left out, as an absent one.
        Value::Null => {}
        _ => out.push((prefix, scalar_text(value))),
    }
}

/// The text of a scalar as botocore writes it in a form.
pub(crate) fn scalar_text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::Boolean(b) => b.to_string(),
        Value::Integer(i) => i.to_string(),
        Value::Float(f) => python_float(*f),
        Value::String(s) => s.clone(),
        Value::Blob(b) => base64_encode(b),
        Value::Timestamp(t) => t.to_rfc3339(),
        Value::Raw(serde_json::Value::String(s)) => s.clone(),
        Value::Document(d) | Value::Raw(d) => d.to_string(),
        Value::List(_) | Value::Map(_) | Value::Structure(_) => {
            super::json::untyped_json(value).to_string()
        }
    }
}

/// Bytes kept as they are in a form (Python's `quote_plus`: letters, digits and `_.-~`).
const FORM_SAFE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// One key or value, form-encoded as Python's `urlencode` does (a space as `+`).
pub fn form_escape(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, FORM_SAFE)
        .to_string()
        .replace("%20", "+")
}

/// Pairs as a form body: `k=v&k=v`.
pub fn form_encode(pairs: &[(String, String)]) -> String {
    let mut body = String::new();
    for (k, v) in pairs {
        if !body.is_empty() {
            body.push('&');
        }
        body.push_str(&form_escape(k));
        body.push('=');
        body.push_str(&form_escape(v));
    }
    body
}

/// A form body as decoded pairs (`+` is a space); `None` when it is not UTF-8 or holds a bad escape.
pub fn form_decode(body: &[u8]) -> Option<Vec<(String, String)>> {
    let text = std::str::from_utf8(body).ok()?;
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            Some((unescape(k)?, unescape(v)?))
        })
        .collect()
}

/// A form-encoded text, decoded; `None` on a bad `%` escape or bytes that are not UTF-8.
fn unescape(text: &str) -> Option<String> {
    let plus = text.replace('+', " ");
    let bytes = plus.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && !(bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
        {
            return None;
        }
        i += 1;
    }
    percent_encoding::percent_decode_str(&plus)
        .decode_utf8()
        .ok()
        .map(|s| s.into_owned())
}

#[cfg(test)]
pub(crate) mod tests;
