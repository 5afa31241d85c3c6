//! The JSON document codec of restJson1 and awsJson: typed [`Value`]s to JSON by the shape graph, and back.
//!
//! Encoding follows botocore's `JSONSerializer`: members under their wire names (`locationName`), timestamps as
//! epoch seconds (a number, with a millisecond fraction when there is one) unless the member or its shape sets a
//! `timestampFormat`, blobs in base64, documents as they are, non-finite floats as `"NaN"`, `"Infinity"` and
//! `"-Infinity"`, unions as one-member objects. A value that does not fit its shape ([`Value::Raw`], or a value
//! of another kind) is written as what it is, since wrong-typed injections must reach the wire unchanged.
//!
//! Decoding reads JSON against a shape into a [`Value`] and lists every [`ShapeProblem`]: a wrong JSON type at any
//! depth (the value is then kept as [`Value::Raw`]), and, for outputs, members the shape does not have and unions
//! with other than one member set. What AWS legitimately varies is no problem: null members (some AWS services
//! send `"nextToken": null`; SDKs read them as absent), union members the model does not know yet, enum values
//! outside the model's list (AWS adds values over time), and missing required output members unless the caller
//! asks (the published models mark output members required that services leave out, and SDKs cope).

use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use indexmap::IndexMap;
use serde_json::Value as Json;

use crate::model::value::float_json;
use crate::model::{
    Member, Path, Segment, Service, Shape, ShapeId, ShapeKind, Timestamp, TimestampFormat, Value,
};

use super::{ErrorInfo, ErrorSource, HttpResponse, ShapeProblem, normalise_error_code};

/// Standard base64 that reads input with or without padding (AWS pads; lenient reading costs nothing).
pub(crate) const BASE64_LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Base64 as AWS writes it: standard alphabet, padded.
pub(crate) fn base64_encode(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The timestamp format of a member: the member's, else its target's, else the location's default.
pub fn timestamp_format(
    member: Option<&Member>,
    shape: &Shape,
    default: TimestampFormat,
) -> TimestampFormat {
    member
        .and_then(|m| m.timestamp_format)
        .or(shape.timestamp_format)
        .unwrap_or(default)
}

/// Epoch seconds as JSON: a whole number when there is no fraction, else seconds with the milliseconds (one
/// rounding, as botocore divides).
pub fn epoch_seconds_json(t: Timestamp) -> Json {
    if t.epoch_millis % 1000 == 0 {
        Json::from(t.epoch_millis / 1000)
    } else {
        float_json(t.epoch_millis as f64 / 1000.0)
    }
}

/// A timestamp in a JSON body, in `format`.
pub fn timestamp_json(t: Timestamp, format: TimestampFormat) -> Json {
    match format {
        TimestampFormat::EpochSeconds => epoch_seconds_json(t),
        TimestampFormat::DateTime => Json::String(t.to_rfc3339()),
        TimestampFormat::HttpDate => Json::String(t.to_http_date()),
    }
}

/// A value as JSON without a shape to go by (members the model does not know, values of the wrong kind).
pub fn untyped_json(value: &Value) -> Json {
    match value {
        Value::Null => Json::Null,
        Value::Boolean(b) => Json::Bool(*b),
        Value::Integer(i) => Json::from(*i),
        Value::Float(f) => float_json(*f),
        Value::String(s) => Json::String(s.clone()),
        Value::Blob(b) => Json::String(base64_encode(b)),
        Value::Timestamp(t) => epoch_seconds_json(*t),
        Value::List(items) => Json::Array(items.iter().map(untyped_json).collect()),
        Value::Map(m) | Value::Structure(m) => Json::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), untyped_json(v)))
                .collect(),
        ),
        Value::Document(d) | Value::Raw(d) => d.clone(),
    }
}

/// The value of `member` as JSON.
pub fn member_json(service: &Service, member: &Member, value: &Value) -> Json {
    shape_json(service, Some(member), service.target(member), value)
}

/// A value of `shape` as JSON; `member` (the edge that led here) may override the timestamp format.
pub fn shape_json(
    service: &Service,
    member: Option<&Member>,
    shape: &Shape,
    value: &Value,
) -> Json {
    match (&shape.kind, value) {
        (ShapeKind::Structure(members) | ShapeKind::Union(members), Value::Structure(values)) => {
            Json::Object(members_json(service, members, values, |_| true))
        }
        (ShapeKind::List(item), Value::List(items)) => Json::Array(
            items
                .iter()
                .map(|v| member_json(service, item, v))
                .collect(),
        ),
        (ShapeKind::Map { value: entry, .. }, Value::Map(entries)) => Json::Object(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), member_json(service, entry, v)))
                .collect(),
        ),
        (ShapeKind::Timestamp, Value::Timestamp(t)) => timestamp_json(
            *t,
            timestamp_format(member, shape, TimestampFormat::EpochSeconds),
        ),
        _ => untyped_json(value),
    }
}

/// The members of a structure value as a JSON object, keyed by wire name, in the value's order; only the model's
/// members `include` accepts, plus (always) members the model does not know, under their own names.
pub fn members_json(
    service: &Service,
    members: &[Member],
    values: &IndexMap<String, Value>,
    include: impl Fn(&Member) -> bool,
) -> serde_json::Map<String, Json> {
    let mut out = serde_json::Map::new();
    for (name, value) in values {
        match members.iter().find(|m| &m.name == name) {
            Some(member) if include(member) => {
                out.insert(
                    member.wire_name().to_string(),
                    member_json(service, member, value),
                );
            }
            Some(_) => {}
            None => {
                out.insert(name.clone(), untyped_json(value));
            }
        }
    }
    out
}

/// Whether a document is read as a request (server side) or a response (client side).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// A request read by the server: unknown members are ignored (as AWS does) and nulls kept as [`Value::Null`]
    /// for validation to judge.
    Input,
    /// A response read by the client: unknown members and malformed unions are problems; nulls read as absent.
    Output,
}

/// How to read a document.
#[derive(Debug, Clone, Copy)]
pub struct DecodeOptions {
    /// Request or response.
    pub direction: Direction,
    /// Report required members that are missing (only where AWS must send them: see the module docs).
    pub missing_required: bool,
}

impl DecodeOptions {
    /// Reading a request.
    pub const INPUT: DecodeOptions = DecodeOptions {
        direction: Direction::Input,
        missing_required: false,
    };

    /// Reading a response, without judging missing required members.
    pub const OUTPUT: DecodeOptions = DecodeOptions {
        direction: Direction::Output,
        missing_required: false,
    };
}

/// A document read against a shape.
pub(crate) struct Reader<'a> {
    pub(crate) service: &'a Service,
    pub(crate) options: DecodeOptions,
    pub(crate) problems: Vec<ShapeProblem>,
}

/// "a string", "an object": the JSON type of a value with its article.
pub fn json_type_phrase(json: &Json) -> &'static str {
    match json {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

/// The JSON a shape expects, with its article, for messages.
fn expected_phrase(shape: &Shape, format: TimestampFormat) -> String {
    match &shape.kind {
        ShapeKind::Structure(_) | ShapeKind::Union(_) | ShapeKind::Map { .. } => {
            format!("an object ({})", shape.kind.name())
        }
        ShapeKind::List(_) => "an array".into(),
        ShapeKind::Document => "a document".into(),
        ShapeKind::String | ShapeKind::Enum(_) => "a string".into(),
        ShapeKind::Blob => "a base64 string (blob)".into(),
        ShapeKind::Boolean => "a boolean".into(),
        ShapeKind::Timestamp => match format {
            TimestampFormat::EpochSeconds => "a number (epoch-seconds timestamp)".into(),
            TimestampFormat::DateTime => "a date-time string (timestamp)".into(),
            TimestampFormat::HttpDate => "an http-date string (timestamp)".into(),
        },
        kind if kind.is_integral() => format!("an integer ({})", kind.name()),
        kind => format!("a number ({})", kind.name()),
    }
}

impl<'a> Reader<'a> {
    pub(crate) fn new(service: &'a Service, options: DecodeOptions) -> Self {
        Reader {
            service,
            options,
            problems: Vec::new(),
        }
    }

    pub(crate) fn problem(&mut self, path: &Path, problem: impl Into<String>) {
        self.problems.push(ShapeProblem {
            path: path.clone(),
            problem: problem.into(),
        });
    }

    fn mismatch(
        &mut self,
        path: &Path,
        shape: &Shape,
        format: TimestampFormat,
        json: &Json,
    ) -> Value {
        let expected = expected_phrase(shape, format);
        self.problem(
            path,
            format!("expected {expected}, found {}", json_type_phrase(json)),
        );
        Value::Raw(json.clone())
    }

    /// Reads the value of `member` (at `path`, which already names it).
    pub(crate) fn member(&mut self, member: &Member, json: &Json, path: &mut Path) -> Value {
        let shape = self.service.target(member);
        self.shape(Some(member), shape, json, path)
    }

    /// Reads a value of `shape`.
    pub(crate) fn shape(
        &mut self,
        member: Option<&Member>,
        shape: &Shape,
        json: &Json,
        path: &mut Path,
    ) -> Value {
        let format = timestamp_format(member, shape, TimestampFormat::EpochSeconds);
        match (&shape.kind, json) {
            (_, Json::Null) => Value::Null,
            (ShapeKind::Structure(members), Json::Object(object)) => {
                Value::Structure(self.object(members, object, path, false))
            }
            (ShapeKind::Union(members), Json::Object(object)) => {
                let values = self.object(members, object, path, true);
                let set = values.values().filter(|v| **v != Value::Null).count();
                let unknown_only =
                    set == 0 && object.iter().any(|(k, v)| k != "__type" && !v.is_null());
                if self.options.direction == Direction::Output
                    && let Some(problem) = union_problem(set, unknown_only)
                {
                    self.problem(path, problem);
                }
                Value::Structure(values)
            }
            (ShapeKind::List(item), Json::Array(items)) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, v) in items.iter().enumerate() {
                    path.0.push(Segment::Index(i));
                    out.push(self.member(item, v, path));
                    path.0.pop();
                }
                Value::List(out)
            }
            (ShapeKind::Map { value: entry, .. }, Json::Object(object)) => {
                let mut out = IndexMap::with_capacity(object.len());
                for (k, v) in object {
                    path.0.push(Segment::Key(k.clone()));
                    let value = self.member(entry, v, path);
                    path.0.pop();
                    out.insert(k.clone(), value);
                }
                Value::Map(out)
            }
            (ShapeKind::Document, json) => Value::Document(json.clone()),
            (ShapeKind::String | ShapeKind::Enum(_), Json::String(s)) => Value::String(s.clone()),
            (ShapeKind::Boolean, Json::Bool(b)) => Value::Boolean(*b),
            (ShapeKind::Blob, Json::String(s)) => match BASE64_LENIENT.decode(s) {
                Ok(bytes) => Value::Blob(bytes),
                Err(e) => {
                    self.problem(
                        path,
                        format!("expected base64 (blob), failed to decode: {e}"),
                    );
                    Value::Raw(json.clone())
                }
            },
            (ShapeKind::Timestamp, json) => match (format, json) {
                (TimestampFormat::EpochSeconds, Json::Number(n)) => {
                    match n.as_f64().and_then(epoch_seconds_to_timestamp) {
                        Some(t) => Value::Timestamp(t),
                        None => {
                            self.problem(path, format!("timestamp {n} is out of range"));
                            Value::Raw(json.clone())
                        }
                    }
                }
                (TimestampFormat::DateTime, Json::String(s)) => match parse_date_time(s) {
                    Some(t) => Value::Timestamp(t),
                    None => {
                        self.problem(path, format!("`{s}` is not a date-time timestamp"));
                        Value::Raw(json.clone())
                    }
                },
                (TimestampFormat::HttpDate, Json::String(s)) => {
                    match Timestamp::parse_http_date(s) {
                        Some(t) => Value::Timestamp(t),
                        None => {
                            self.problem(path, format!("`{s}` is not an http-date timestamp"));
                            Value::Raw(json.clone())
                        }
                    }
                }
                _ => self.mismatch(path, shape, format, json),
            },
            (kind, Json::Number(n)) if kind.is_integral() => {
                let allowed = kind.integral_range();
                match (n.as_i64(), n.as_u64(), n.as_f64()) {
                    (Some(i), _, _)
                        if allowed.is_none_or(|(lo, hi)| (lo..=hi).contains(&i128::from(i))) =>
                    {
                        Value::Integer(i)
                    }
                    (None, None, Some(f)) if f.fract() == 0.0 && f.abs() < 9.2e18 => {
                        // `1.0` for an integer: JSON has one number type; Java's and Python's readers take it.
                        let i = f as i64;
                        if allowed.is_none_or(|(lo, hi)| (lo..=hi).contains(&i128::from(i))) {
                            Value::Integer(i)
                        } else {
                            self.problem(path, format!("{n} is out of range for {}", kind.name()));
                            Value::Raw(json.clone())
                        }
                    }
                    (None, None, Some(f)) if f.fract() != 0.0 => {
                        self.problem(
                            path,
                            format!("expected an integer ({}), found {n}", kind.name()),
                        );
                        Value::Raw(json.clone())
                    }
                    _ if matches!(kind, ShapeKind::BigInteger) => {
                        // Beyond 64 bits: legitimate for bigInteger; kept as the nearest float.
                        Value::Float(n.as_f64().unwrap_or(f64::NAN))
                    }
                    _ => {
                        self.problem(path, format!("{n} is out of range for {}", kind.name()));
                        Value::Raw(json.clone())
                    }
                }
            }
            (kind, Json::Number(n)) if kind.is_numeric() => {
                Value::Float(n.as_f64().unwrap_or(f64::NAN))
            }
            (kind, Json::String(s)) if kind.is_numeric() && !kind.is_integral() => {
                match s.as_str() {
                    "NaN" => Value::Float(f64::NAN),
                    "Infinity" => Value::Float(f64::INFINITY),
                    "-Infinity" => Value::Float(f64::NEG_INFINITY),
                    _ => self.mismatch(path, shape, format, json),
                }
            }
            _ => self.mismatch(path, shape, format, json),
        }
    }

    /// Reads the members of an object: by wire name; unknown keys are problems on outputs (not in unions, whose
    /// new members SDKs accept), ignored on inputs.
    fn object(
        &mut self,
        members: &[Member],
        object: &serde_json::Map<String, Json>,
        path: &mut Path,
        union: bool,
    ) -> IndexMap<String, Value> {
        let members: Vec<&Member> = members.iter().collect();
        self.members(&members, object, path, union)
    }

    /// Reads `object` as the given members (the body members of a structure, or all of them).
    pub(crate) fn members(
        &mut self,
        members: &[&Member],
        object: &serde_json::Map<String, Json>,
        path: &mut Path,
        union: bool,
    ) -> IndexMap<String, Value> {
        let mut out = IndexMap::new();
        for (key, json) in object {
            let Some(member) = members.iter().find(|m| m.wire_name() == key) else {
                let output = self.options.direction == Direction::Output;
                if output && !union && key != "__type" {
                    path.0.push(Segment::Member(key.clone()));
                    self.problem(path, "unexpected member");
                    path.0.pop();
                }
                continue;
            };
            if json.is_null() && self.options.direction == Direction::Output {
                continue;
            }
            path.0.push(Segment::Member(member.name.clone()));
            let value = self.member(member, json, path);
            path.0.pop();
            out.insert(member.name.clone(), value);
        }
        if self.options.missing_required && !union {
            for member in members {
                if member.required && !out.contains_key(&member.name) {
                    path.0.push(Segment::Member(member.name.clone()));
                    self.problem(path, "missing required member");
                    path.0.pop();
                }
            }
        }
        out
    }
}

/// Parses an RFC 3339 date-time from untrusted text. Only ASCII can be one, and `Timestamp::parse_rfc3339` slices
/// by bytes after its checks, which a multi-byte character where the offset should be would make panic.
pub fn parse_date_time(text: &str) -> Option<Timestamp> {
    text.is_ascii()
        .then(|| Timestamp::parse_rfc3339(text))
        .flatten()
}

/// Epoch seconds to a timestamp, rounded to the millisecond; `None` beyond what milliseconds in 64 bits hold.
pub fn epoch_seconds_to_timestamp(secs: f64) -> Option<Timestamp> {
    let millis = (secs * 1000.0).round();
    (millis.is_finite() && millis.abs() < 9.0e18).then_some(Timestamp {
        epoch_millis: millis as i64,
    })
}

/// Reads a JSON value of `shape`; the value as far as it could be read, and every problem found.
pub fn decode_shape(
    service: &Service,
    shape: ShapeId,
    json: &Json,
    options: DecodeOptions,
) -> (Value, Vec<ShapeProblem>) {
    let mut reader = Reader::new(service, options);
    let value = reader.shape(None, service.shape(shape), json, &mut Path::root());
    (value, reader.problems)
}

/// Reads a JSON object as `members` of a structure (the body members of an HTTP-bound input or output).
pub fn decode_members(
    service: &Service,
    members: &[&Member],
    object: &serde_json::Map<String, Json>,
    options: DecodeOptions,
) -> (IndexMap<String, Value>, Vec<ShapeProblem>) {
    let mut reader = Reader::new(service, options);
    let values = reader.members(members, object, &mut Path::root(), false);
    (values, reader.problems)
}

/// A body read as JSON: `Ok(None)` for an empty (or all-whitespace) body.
pub fn parse_body(body: &[u8]) -> Result<Option<Json>, serde_json::Error> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    serde_json::from_slice(body).map(Some)
}

/// At most `max` characters of a body as one line, for messages about bodies that are not JSON.
pub fn excerpt(body: &[u8], max: usize) -> String {
    // Most bodies are printable ASCII, which needs no escaping and is one character per byte: copied at once.
    let head = &body[..body.len().min(max)];
    if head.iter().all(|b| (b' '..=b'~').contains(b)) {
        let mut out = String::with_capacity(head.len() + 3);
        out.extend(head.iter().map(|b| char::from(*b)));
        if body.len() > max {
            out.push('…');
        }
        return out;
    }
    excerpt_escaped(body, max)
}

/// [`excerpt`] character by character: invalid UTF-8 replaced, control characters escaped.
fn excerpt_escaped(body: &[u8], max: usize) -> String {
    let text = String::from_utf8_lossy(body);
    let mut out = String::new();
    for (count, c) in text.chars().enumerate() {
        if count == max {
            out.push('…');
            break;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    out
}

/// Where a JSON protocol's client looks for the error type.
#[derive(Debug, Clone, Copy)]
pub(crate) enum TypeSource {
    /// The `X-Amzn-ErrorType` header.
    Header,
    /// A body field.
    Body(&'static str),
}

/// The error of a JSON protocol response: the type from the first source in `order` that has a non-empty one
/// (`x-amzn-query-error` first on awsQuery-compatible services, as botocore reads it), the message from `message`,
/// `Message` or `errorMessage`. `None` for a success, or when no source names a type.
pub(crate) fn decode_error(
    service: &Service,
    response: &HttpResponse,
    order: &[TypeSource],
) -> Option<ErrorInfo> {
    if response.is_success() {
        return None;
    }
    let body = match serde_json::from_slice::<Json>(&response.body) {
        Ok(Json::Object(object)) => Some(object),
        _ => None,
    };
    let message = body.as_ref().and_then(|b| {
        ["message", "Message", "errorMessage"]
            .into_iter()
            .find_map(|key| b.get(key)?.as_str().map(str::to_string))
    });
    let info = |raw: &str, found_in| {
        let code = normalise_error_code(raw);
        (!code.is_empty()).then(|| ErrorInfo {
            code,
            raw_code: raw.to_string(),
            message: message.clone(),
            found_in,
        })
    };
    if service.query_compatible
        && let Some(header) = response.header("x-amzn-query-error")
        && let Some((code, _fault)) = header.split_once(';')
        && let Some(mut found) = info(code, ErrorSource::QueryErrorHeader)
    {
        // The header carries the query code (`ValidationError`); conform names errors by their shape
        // (`ValidationException`), as the oracle and the model's operation errors do.
        if let Some((_, shape)) = service.error_named(&found.code) {
            found.code = shape.name.clone();
        }
        return Some(found);
    }
    order.iter().find_map(|source| match source {
        TypeSource::Header => info(response.header("x-amzn-errortype")?, ErrorSource::Header),
        TypeSource::Body(field) => info(
            body.as_ref()?.get(*field)?.as_str()?,
            ErrorSource::Body(field),
        ),
    })
}

/// The `x-amzn-query-error` header of an error on an awsQuery-compatible service, when the error shape has a
/// query code (`AWS.SimpleQueueService.NonExistentQueue;Sender`).
pub(crate) fn query_error_header(service: &Service, code: &str) -> Option<String> {
    if !service.query_compatible {
        return None;
    }
    let (_, shape) = service.error_named(&normalise_error_code(code))?;
    let error = shape.error.as_ref()?;
    let fault = match error.fault {
        crate::model::Fault::Client => "Sender",
        crate::model::Fault::Server => "Receiver",
    };
    Some(format!("{};{fault}", error.code.as_deref()?))
}

/// What is wrong with a union in an output that sets `set` members (`unknown_only`: it sets none the model knows,
/// but some other, which a newer model may have added): exactly one must be set.
pub(crate) fn union_problem(set: usize, unknown_only: bool) -> Option<String> {
    match set {
        1 => None,
        0 if unknown_only => None,
        0 => Some("a union must have exactly one member set, found none".to_string()),
        n => Some(format!(
            "a union must have exactly one member set, found {n}"
        )),
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ProtocolId, Shape};
    use serde_json::json;

    /// A service with one structure `Top` holding a member of every kind.
    fn service() -> (Service, ShapeId) {
        let mut s = Service::new("svc", ProtocolId::AwsJson1_1);
        let string = s.add_shape(Shape::new("S", ShapeKind::String));
        let int = s.add_shape(Shape::new("I", ShapeKind::Integer));
        let long = s.add_shape(Shape::new("L", ShapeKind::Long));
        let dbl = s.add_shape(Shape::new("D", ShapeKind::Double));
        let boolean = s.add_shape(Shape::new("B", ShapeKind::Boolean));
        let blob = s.add_shape(Shape::new("Bl", ShapeKind::Blob));
        let ts = s.add_shape(Shape::new("T", ShapeKind::Timestamp));
        let mut iso = Shape::new("TIso", ShapeKind::Timestamp);
        iso.timestamp_format = Some(TimestampFormat::DateTime);
        let iso = s.add_shape(iso);
        let doc = s.add_shape(Shape::new("Doc", ShapeKind::Document));
        let en = s.add_shape(Shape::new(
            "E",
            ShapeKind::Enum(vec!["A".into(), "B".into()]),
        ));
        let list = s.add_shape(Shape::new(
            "List",
            ShapeKind::List(Box::new(Member::new("member", int))),
        ));
        let map = s.add_shape(Shape::new(
            "Map",
            ShapeKind::Map {
                key: Box::new(Member::new("key", string)),
                value: Box::new(Member::new("value", ts)),
            },
        ));
        let union = s.add_shape(Shape::new(
            "U",
            ShapeKind::Union(vec![Member::new("A", string), Member::new("B", int)]),
        ));
        let mut renamed = Member::new("Renamed", string);
        renamed.location_name = Some("wireName".into());
        let mut required = Member::new("Req", string);
        required.required = true;
        let top = Shape::new(
            "Top",
            ShapeKind::Structure(vec![
                Member::new("S", string),
                Member::new("I", int),
                Member::new("L", long),
                Member::new("D", dbl),
                Member::new("B", boolean),
                Member::new("Bl", blob),
                Member::new("T", ts),
                Member::new("TIso", iso),
                Member::new("Doc", doc),
                Member::new("E", en),
                Member::new("List", list),
                Member::new("Map", map),
                Member::new("U", union),
                renamed,
                required,
            ]),
        );
        let top = s.add_shape(top);
        (s, top)
    }

    fn structure(members: Vec<(&str, Value)>) -> Value {
        Value::Structure(
            members
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        )
    }

    #[test]
    fn values_encode_by_shape_with_wire_names_and_aws_formats() {
        let (s, top) = service();
        let ts = Timestamp {
            epoch_millis: 1_577_934_245_250,
        };
        let value = structure(vec![
            ("S", Value::string("x")),
            ("I", Value::Integer(-3)),
            ("D", Value::Float(f64::NEG_INFINITY)),
            ("Bl", Value::Blob(b"hi".to_vec())),
            ("T", Value::Timestamp(ts)),
            ("TIso", Value::Timestamp(ts)),
            ("Doc", Value::Document(json!({"any": [1, null]}))),
            ("List", Value::List(vec![Value::Integer(1)])),
            (
                "Map",
                Value::Map([("k".to_string(), Value::Timestamp(Timestamp::from_secs(5)))].into()),
            ),
            ("U", structure(vec![("B", Value::Integer(2))])),
            ("Renamed", Value::string("r")),
            ("E", Value::Raw(json!(7))),
            ("Extra", Value::Boolean(true)),
        ]);
        let encoded = shape_json(&s, None, s.shape(top), &value);
        assert_eq!(
            encoded,
            json!({
                "S": "x", "I": -3, "D": "-Infinity", "Bl": "aGk=", "T": 1577934245.25,
                "TIso": "2020-01-02T03:04:05.250Z", "Doc": {"any": [1, null]}, "List": [1],
                "Map": {"k": 5}, "U": {"B": 2}, "wireName": "r", "E": 7, "Extra": true
            })
        );
    }

    #[test]
    fn encode_then_decode_gives_the_value_back() {
        let (s, top) = service();
        let value = structure(vec![
            ("S", Value::string("x")),
            ("L", Value::Integer(i64::MAX)),
            ("D", Value::Float(1.5)),
            ("B", Value::Boolean(false)),
            ("Bl", Value::Blob(vec![0, 255, 7])),
            (
                "T",
                Value::Timestamp(Timestamp {
                    epoch_millis: -1_001,
                }),
            ),
            ("TIso", Value::Timestamp(Timestamp::from_secs(86_400))),
            ("E", Value::string("NotInTheList")),
            ("List", Value::List(vec![Value::Integer(1), Value::Null])),
            ("U", structure(vec![("A", Value::string("a"))])),
            ("Renamed", Value::string("r")),
        ]);
        let json = shape_json(&s, None, s.shape(top), &value);
        let (back, problems) = decode_shape(&s, top, &json, DecodeOptions::OUTPUT);
        assert_eq!(problems, vec![]);
        assert_eq!(back, value);
    }

    #[test]
    fn wrong_types_at_any_depth_are_problems_with_paths() {
        let (s, top) = service();
        let json = json!({
            "S": 5, "I": 1.5, "L": "7", "B": "true", "Bl": "%%%", "T": "2020-01-02T03:04:05Z",
            "TIso": 5, "List": [1, "two"], "Map": {"k": {}}, "D": "Nope", "Doc": [1],
            "Other": 1, "U": {"A": "a", "B": 1}
        });
        let (value, problems) = decode_shape(&s, top, &json, DecodeOptions::OUTPUT);
        let shown: Vec<String> = problems
            .iter()
            .map(|p| format!("{}: {}", p.path, p.problem))
            .collect();
        for expected in [
            "S: expected a string, found a number",
            "I: expected an integer (integer), found 1.5",
            "L: expected an integer (long), found a string",
            "B: expected a boolean, found a string",
            "T: expected a number (epoch-seconds timestamp), found a string",
            "TIso: expected a date-time string (timestamp), found a number",
            "List[1]: expected an integer (integer), found a string",
            "Map{k}: expected a number (epoch-seconds timestamp), found an object",
            "D: expected a number (double), found a string",
            "Other: unexpected member",
            "U: a union must have exactly one member set, found 2",
        ] {
            assert!(
                shown.iter().any(|s| s == expected),
                "{expected} not in {shown:#?}"
            );
        }
        assert!(
            shown.iter().any(|s| s.starts_with("Bl: expected base64")),
            "{shown:#?}"
        );
        assert_eq!(shown.len(), 12, "{shown:#?}");
        assert_eq!(value.get("S"), Some(&Value::Raw(json!(5))));
    }

    #[test]
    fn what_aws_legitimately_varies_is_no_problem() {
        let (s, top) = service();
        // Nulls, unknown enum values, new union members, integral floats, missing required members.
        let json = json!({"S": null, "E": "C", "U": {"NewMember": 1}, "I": 3.0, "D": 2});
        let (value, problems) = decode_shape(&s, top, &json, DecodeOptions::OUTPUT);
        assert_eq!(problems, vec![]);
        assert_eq!(value.get("S"), None);
        assert_eq!(value.get("I"), Some(&Value::Integer(3)));
        assert_eq!(value.get("D"), Some(&Value::Float(2.0)));
        let strict = DecodeOptions {
            missing_required: true,
            ..DecodeOptions::OUTPUT
        };
        let (_, problems) = decode_shape(&s, top, &json, strict);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].problem, "missing required member");
        assert_eq!(problems[0].path.to_string(), "Req");
    }

    #[test]
    fn inputs_ignore_unknown_members_and_keep_nulls() {
        let (s, top) = service();
        let json = json!({"S": null, "Unknown": 1, "wireName": "w"});
        let (value, problems) = decode_shape(&s, top, &json, DecodeOptions::INPUT);
        assert_eq!(problems, vec![]);
        assert_eq!(
            value,
            structure(vec![("S", Value::Null), ("Renamed", Value::string("w"))])
        );
    }

    #[test]
    fn hostile_numbers_do_not_panic() {
        let (s, top) = service();
        for text in [
            r#"{"I": 1e400}"#,
            r#"{"L": 18446744073709551616}"#,
            r#"{"L": -99999999999999999999999}"#,
            r#"{"T": 1e300}"#,
            r#"{"T": -1e300}"#,
            r#"{"I": 2147483648}"#,
            r#"{"TIso": "2020-01-02T03:04:05é1234"}"#,
        ] {
            let Ok(json) = serde_json::from_str::<Json>(text) else {
                continue;
            };
            let (_, problems) = decode_shape(&s, top, &json, DecodeOptions::OUTPUT);
            assert_eq!(problems.len(), 1, "{text}: {problems:?}");
        }
    }

    proptest::proptest! {
        /// The printable-ASCII shortcut gives what escaping character by character gives.
        #[test]
        fn excerpt_shortcut_agrees_with_escaping(
            body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40),
            printable in proptest::collection::vec(b' '..=b'~', 0..40),
            max in 0usize..30,
        ) {
            proptest::prop_assert_eq!(excerpt(&body, max), excerpt_escaped(&body, max));
            proptest::prop_assert_eq!(excerpt(&printable, max), excerpt_escaped(&printable, max));
        }
    }
}
