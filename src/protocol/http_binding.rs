//! HTTP bindings of the REST protocols (restJson1 now, restXml later): labels, query, headers, prefix headers,
//! payload, status code and host prefix, both ways. The body's document format is the caller's business.
//!
//! The client side follows botocore's `BaseRestSerializer`, the standard conform is proven against: labels are
//! percent-encoded but for the unreserved characters (`A-Z a-z 0-9 - . _ ~`), greedy labels also keep `/`; the
//! static query of the URI template comes first, then members in input order, lists repeated, maps (`httpQueryParams`)
//! one parameter per key; timestamps are `date-time` in labels and the query and `http-date` in headers unless the
//! member or its shape says otherwise (headers drop fractions of a second, as botocore does); header lists are
//! comma-joined, strings holding `,` or `"` quoted; `jsonvalue` headers are base64 of the JSON text; booleans are
//! `true`/`false` and floats are written as Python writes them (`1e+16`, `NaN`, `Infinity`).

use base64::Engine;
use indexmap::IndexMap;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::model::{
    Location, Member, Operation, Path, Service, Shape, ShapeKind, Timestamp, TimestampFormat, Value,
};

use super::json::{BASE64_LENIENT, base64_encode, epoch_seconds_to_timestamp, timestamp_format};
use super::{EncodeError, HttpRequest, HttpResponse, ProtocolFault, ShapeProblem};
use crate::model::uri::decode_segment;
pub use crate::model::uri::{TemplateSegment, UriTemplate};

/// Everything but the unreserved characters of RFC 3986 is escaped (botocore's `percent_encode`).
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Greedy labels keep their `/`.
const GREEDY: &AsciiSet = &UNRESERVED.remove(b'/');

/// Percent-encodes a label, a query key or a query value as botocore does.
pub fn percent_encode(text: &str) -> String {
    utf8_percent_encode(text, UNRESERVED).to_string()
}

/// A float as Python's `str()` writes it, which is what botocore puts in labels, query strings and headers.
pub fn python_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    // Rust's Debug form switches to exponents where Python's repr does (below 1e-4, from 1e16); only the exponent
    // is written differently (`1e16` and `1e-5` against `1e+16` and `1e-05`).
    let text = format!("{f:?}");
    match text.split_once('e') {
        Some((mantissa, exponent)) => {
            let (sign, digits) = match exponent.strip_prefix('-') {
                Some(digits) => ('-', digits),
                None => ('+', exponent),
            };
            format!("{mantissa}e{sign}{digits:0>2}")
        }
        None => text,
    }
}

/// Epoch seconds as text: whole seconds as an integer, else with the fraction (as botocore's query strings).
fn epoch_seconds_text(t: Timestamp) -> String {
    if t.epoch_millis % 1000 == 0 {
        (t.epoch_millis / 1000).to_string()
    } else {
        python_float(t.epoch_millis as f64 / 1000.0)
    }
}

/// A timestamp as text in `format`.
pub fn timestamp_text(t: Timestamp, format: TimestampFormat) -> String {
    match format {
        TimestampFormat::EpochSeconds => epoch_seconds_text(t),
        TimestampFormat::DateTime => t.to_rfc3339(),
        TimestampFormat::HttpDate => t.to_http_date(),
    }
}

/// Parses a timestamp written in `format`.
pub fn parse_timestamp(text: &str, format: TimestampFormat) -> Option<Timestamp> {
    match format {
        TimestampFormat::EpochSeconds => text
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(epoch_seconds_to_timestamp),
        TimestampFormat::DateTime => super::json::parse_date_time(text.trim()),
        TimestampFormat::HttpDate => Timestamp::parse_http_date(text.trim()),
    }
}

/// Where in the HTTP message a text value goes; decides default timestamp formats and what can be carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Site {
    Label,
    Query,
    Header,
}

impl Site {
    fn default_timestamp_format(self) -> TimestampFormat {
        match self {
            Site::Label | Site::Query => TimestampFormat::DateTime,
            Site::Header => TimestampFormat::HttpDate,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Site::Label => "a URI label",
            Site::Query => "a query parameter",
            Site::Header => "a header",
        }
    }
}

/// The longest request target (path and query) conform sends: the http crate's URIs end at 65,534 bytes, and the
/// scheme and host take some of them; a longer one cannot be signed or sent at all.
pub const MAX_REQUEST_TARGET: usize = 65_000;

fn cannot(path: &Path, why: impl Into<String>) -> EncodeError {
    EncodeError::CannotCarry {
        path: path.clone(),
        why: why.into(),
    }
}

/// The text of one scalar value bound to an HTTP site.
fn scalar_text(
    member: &Member,
    shape: &Shape,
    value: &Value,
    site: Site,
    path: &Path,
) -> Result<String, EncodeError> {
    let text = match value {
        Value::String(s) if site == Site::Header && (member.json_value || shape.json_value) => {
            base64_encode(s.as_bytes())
        }
        Value::String(s) => s.clone(),
        Value::Integer(i) => i.to_string(),
        Value::Float(f) => python_float(*f),
        Value::Boolean(b) => b.to_string(),
        Value::Blob(b) => base64_encode(b),
        Value::Timestamp(t) => {
            let format = timestamp_format(Some(member), shape, site.default_timestamp_format());
            // botocore turns header timestamps into whole seconds before formatting them.
            let t = if site == Site::Header {
                Timestamp::from_secs(t.epoch_millis.div_euclid(1000))
            } else {
                *t
            };
            timestamp_text(t, format)
        }
        Value::Raw(raw) | Value::Document(raw) => match raw {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::Bool(b) => b.to_string(),
            serde_json::Value::Null => {
                return Err(cannot(path, format!("{} cannot carry null", site.name())));
            }
            other => {
                return Err(cannot(
                    path,
                    format!(
                        "{} cannot carry {}",
                        site.name(),
                        super::json::json_type_phrase(other)
                    ),
                ));
            }
        },
        Value::Null => return Err(cannot(path, format!("{} cannot carry null", site.name()))),
        Value::List(_) | Value::Map(_) | Value::Structure(_) => {
            return Err(cannot(
                path,
                format!("{} cannot carry {}", site.name(), value.json_type()),
            ));
        }
    };
    if site == Site::Header
        && text
            .chars()
            .any(|c| (c.is_control() && c != '\t') || c == '\u{7f}')
    {
        return Err(cannot(
            path,
            "a header cannot carry control characters (line breaks would end the header)",
        ));
    }
    // HTTP strips the whitespace around a header value (and a list item), and SigV4 trims it before signing: the
    // value received would be another than the one sent.
    if site == Site::Header
        && (text.starts_with(char::is_whitespace) || text.ends_with(char::is_whitespace))
    {
        return Err(cannot(
            path,
            "a header cannot carry whitespace at the start or end of a value (HTTP strips it)",
        ));
    }
    Ok(text)
}

/// The items of a list-valued binding: a list value's items, or a raw array's.
fn list_items(value: &Value) -> Option<Vec<Value>> {
    match value {
        Value::List(items) => Some(items.clone()),
        Value::Raw(serde_json::Value::Array(items)) => {
            Some(items.iter().cloned().map(Value::Raw).collect())
        }
        _ => None,
    }
}

/// A header list item: quoted when it holds a comma or a double quote (botocore's `_escape_header_list_string`).
fn quote_header_item(text: String) -> String {
    if text.contains(',') || text.contains('"') {
        format!("\"{}\"", text.replace('"', "\\\""))
    } else {
        text
    }
}

/// The header value of a member (`None` for an empty list, which botocore leaves out).
fn header_text(
    service: &Service,
    member: &Member,
    value: &Value,
    path: &Path,
) -> Result<Option<String>, EncodeError> {
    let shape = service.target(member);
    if let ShapeKind::List(item) = &shape.kind
        && let Some(items) = list_items(value)
    {
        if items.is_empty() {
            return Ok(None);
        }
        let item_shape = service.target(item);
        let mut texts = Vec::with_capacity(items.len());
        for (i, v) in items.iter().enumerate() {
            let at = path.child(crate::model::Segment::Index(i));
            let text = scalar_text(item, item_shape, v, Site::Header, &at)?;
            texts.push(if matches!(v, Value::String(_)) {
                quote_header_item(text)
            } else {
                text
            });
        }
        return Ok(Some(texts.join(",")));
    }
    scalar_text(member, shape, value, Site::Header, path).map(Some)
}

/// Whether a header name is an HTTP token.
fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Splits a raw query string into decoded pairs (`+` is kept as is: AWS signs `%20` for spaces).
pub fn parse_query(query: &str) -> Option<Vec<(String, String)>> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            Some((decode_segment(k)?, decode_segment(v)?))
        })
        .collect()
}

/// A request's HTTP-bound parts, rendered; the body members and the payload are left to the protocol's codec.
#[derive(Debug, Clone)]
pub struct BoundRequest<'a> {
    /// Method.
    pub method: String,
    /// The path with labels filled in and escaped (no query).
    pub path: String,
    /// The static query of the template, as written there.
    pub static_query: Vec<(String, Option<String>)>,
    /// Query parameters of members, decoded (they are escaped when the request target is written).
    pub query: Vec<(String, String)>,
    /// Headers of members, names lower case.
    pub headers: Vec<(String, String)>,
    /// The host prefix with its labels filled in.
    pub host_prefix: Option<String>,
    /// Members that go in the body document (and members the model does not know), by member name, in input order.
    pub body: IndexMap<String, Value>,
    /// The payload member and its value, when the input shape binds one.
    pub payload: Option<(&'a Member, Option<&'a Value>)>,
}

impl BoundRequest<'_> {
    /// The request target: path and query string, escaped as botocore does.
    pub fn target(&self) -> String {
        let mut query: Vec<String> = self
            .static_query
            .iter()
            .map(|(k, v)| match v {
                Some(v) => format!("{k}={v}"),
                None => k.clone(),
            })
            .collect();
        query.extend(
            self.query
                .iter()
                .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v))),
        );
        if query.is_empty() {
            self.path.clone()
        } else {
            format!("{}?{}", self.path, query.join("&"))
        }
    }
}

/// Binds an input structure's members to the operation's HTTP request.
pub fn bind_request<'a>(
    service: &'a Service,
    op: &'a Operation,
    input: &'a IndexMap<String, Value>,
) -> Result<BoundRequest<'a>, EncodeError> {
    let members = service.input_members(op);
    let template = op.http.template();
    let mut labels: Vec<(String, String)> = Vec::new();
    let mut bound = BoundRequest {
        method: op.http.method.clone(),
        path: String::new(),
        static_query: template.static_query.clone(),
        query: Vec::new(),
        headers: Vec::new(),
        host_prefix: None,
        body: IndexMap::new(),
        payload: None,
    };
    let payload = members.iter().find(|m| m.location == Location::Payload);
    for (name, value) in input {
        let path = Path::members([name.as_str()]);
        let Some(member) = members.iter().find(|m| &m.name == name) else {
            bound.body.insert(name.clone(), value.clone());
            continue;
        };
        let shape = service.target(member);
        match &member.location {
            Location::Body => {
                bound.body.insert(name.clone(), value.clone());
            }
            Location::Payload => {}
            Location::StatusCode => {}
            Location::Label { greedy } => {
                let text = scalar_text(member, shape, value, Site::Label, &path)?;
                if text.is_empty() {
                    return Err(cannot(&path, "an empty URI label would change the path"));
                }
                let set = if *greedy { GREEDY } else { UNRESERVED };
                labels.push((
                    member.wire_name().to_string(),
                    utf8_percent_encode(&text, set).to_string(),
                ));
            }
            Location::Query(key) => match (&shape.kind, value) {
                (ShapeKind::Map { value: entry, .. }, Value::Map(entries)) => {
                    let entry_shape = service.target(entry);
                    for (k, v) in entries {
                        let at = path.child(crate::model::Segment::Key(k.clone()));
                        match (&entry_shape.kind, list_items(v)) {
                            (ShapeKind::List(item), Some(items)) => {
                                for item_value in &items {
                                    let text = scalar_text(
                                        item,
                                        service.target(item),
                                        item_value,
                                        Site::Query,
                                        &at,
                                    )?;
                                    bound.query.push((k.clone(), text));
                                }
                            }
                            _ => {
                                let text = scalar_text(entry, entry_shape, v, Site::Query, &at)?;
                                bound.query.push((k.clone(), text));
                            }
                        }
                    }
                }
                (ShapeKind::List(item), _) if list_items(value).is_some() => {
                    let item_shape = service.target(item);
                    for (i, v) in list_items(value).unwrap_or_default().iter().enumerate() {
                        let at = path.child(crate::model::Segment::Index(i));
                        let text = scalar_text(item, item_shape, v, Site::Query, &at)?;
                        bound.query.push((key.clone(), text));
                    }
                }
                _ => {
                    let text = scalar_text(member, shape, value, Site::Query, &path)?;
                    bound.query.push((key.clone(), text));
                }
            },
            Location::Header(header) => {
                if let Some(text) = header_text(service, member, value, &path)? {
                    if !is_token(header) {
                        return Err(cannot(&path, format!("`{header}` is no header name")));
                    }
                    bound.headers.push((header.to_ascii_lowercase(), text));
                }
            }
            Location::PrefixHeaders(prefix) => {
                let Value::Map(entries) = value else {
                    return Err(cannot(
                        &path,
                        format!("prefix headers carry a map, not {}", value.json_type()),
                    ));
                };
                let ShapeKind::Map { value: entry, .. } = &shape.kind else {
                    return Err(cannot(&path, "prefix headers need a map shape"));
                };
                for (k, v) in entries {
                    let at = path.child(crate::model::Segment::Key(k.clone()));
                    let name = format!("{prefix}{k}");
                    if !is_token(&name) {
                        return Err(cannot(&at, format!("`{name}` is no header name")));
                    }
                    let text = scalar_text(entry, service.target(entry), v, Site::Header, &at)?;
                    bound.headers.push((name.to_ascii_lowercase(), text));
                }
            }
        }
    }
    bound.payload = payload.map(|m| (m, input.get(&m.name)));
    bound.path = render_path(template, &labels, members)?;
    bound.host_prefix = host_prefix(service, op, input)?;
    Ok(bound)
}

/// The path of a template with its labels (already escaped) put in.
fn render_path(
    template: &UriTemplate,
    labels: &[(String, String)],
    members: &[Member],
) -> Result<String, EncodeError> {
    let mut out = Vec::with_capacity(template.segments.len());
    for segment in &template.segments {
        match segment {
            TemplateSegment::Literal(text) => out.push(text.clone()),
            TemplateSegment::Label(name) | TemplateSegment::Greedy(name) => {
                match labels.iter().find(|(n, _)| n == name) {
                    Some((_, value)) => out.push(value.clone()),
                    None => {
                        let member = members
                            .iter()
                            .find(|m| m.wire_name() == name)
                            .map_or(name.as_str(), |m| m.name.as_str());
                        return Err(cannot(
                            &Path::members([member]),
                            "a missing URI label would change the path",
                        ));
                    }
                }
            }
        }
    }
    Ok(out.join("/"))
}

/// The operation's host prefix with its `{Label}`s filled in from host-label members.
pub fn host_prefix(
    service: &Service,
    op: &Operation,
    input: &IndexMap<String, Value>,
) -> Result<Option<String>, EncodeError> {
    let Some(template) = &op.host_prefix else {
        return Ok(None);
    };
    let mut out = String::new();
    let mut rest = template.as_str();
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        let name = &rest[start + 1..start + len];
        let path = Path::members([name]);
        let member = service
            .input_members(op)
            .iter()
            .find(|m| m.name == name || (m.host_label && m.wire_name() == name));
        let text = match (member, input.get(member.map_or(name, |m| m.name.as_str()))) {
            (Some(_), Some(Value::String(s))) => s.clone(),
            (Some(_), Some(Value::Raw(serde_json::Value::String(s)))) => s.clone(),
            (_, None) => return Err(cannot(&path, "a missing host label would change the host")),
            (_, Some(other)) => {
                return Err(cannot(
                    &path,
                    format!("a host label cannot carry {}", other.json_type()),
                ));
            }
        };
        if text.is_empty()
            || !text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        {
            return Err(cannot(
                &path,
                "a host label holds only letters, digits, hyphens and dots",
            ));
        }
        out.push_str(&text);
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    Ok(Some(out))
}

/// Finds the operation a REST request asks for: method and path template, static query; the most specific match.
pub fn route<'s>(
    service: &'s Service,
    request: &HttpRequest,
) -> Option<(&'s Operation, Vec<(String, String)>)> {
    let query = parse_query(request.query().unwrap_or("")).unwrap_or_default();
    let raw: Vec<&str> = request.path_only().split('/').collect();
    let mut best: Option<(_, &'s Operation, Vec<(String, String)>)> = None;
    for op in service.operations.values() {
        if op.http.method != request.method {
            continue;
        }
        let template = op.http.template();
        if !template.static_query_matches(&query) {
            continue;
        }
        let Some(labels) = template.match_split(&raw) else {
            continue;
        };
        let rank = template.specificity();
        if best.as_ref().is_none_or(|(r, _, _)| rank < *r) {
            best = Some((rank, op, labels));
        }
    }
    best.map(|(_, op, labels)| (op, labels))
}

/// Whether any operation of the service answers this method and path (for choosing malformed routes).
pub fn routes_anywhere(service: &Service, method: &str, path: &str) -> bool {
    let probe = HttpRequest {
        method: method.to_string(),
        path: path.to_string(),
        ..HttpRequest::default()
    };
    route(service, &probe).is_some()
        || service.operations.values().any(|op| {
            // A template whose static query is unmet still owns the path for another query: count it.
            op.http.method == method && op.http.template().match_path(probe.path_only()).is_some()
        })
}

fn serialization_fault(message: String) -> ProtocolFault {
    ProtocolFault {
        status: 400,
        code: "SerializationException".into(),
        message,
    }
}

/// Parses the text of one scalar HTTP-bound value as `shape` (the reverse of the client's rendering).
fn parse_scalar(
    member: &Member,
    shape: &Shape,
    text: &str,
    site_default: TimestampFormat,
    in_header: bool,
) -> Result<Value, String> {
    let kind = &shape.kind;
    match kind {
        ShapeKind::String | ShapeKind::Enum(_) => {
            if in_header && (member.json_value || shape.json_value) {
                let bytes = BASE64_LENIENT
                    .decode(text.trim())
                    .map_err(|e| format!("failed to decode base64: {e}"))?;
                String::from_utf8(bytes)
                    .map(Value::String)
                    .map_err(|_| "the decoded JSON value is not UTF-8".to_string())
            } else {
                Ok(Value::String(text.to_string()))
            }
        }
        ShapeKind::Boolean => match text.trim() {
            "true" => Ok(Value::Boolean(true)),
            "false" => Ok(Value::Boolean(false)),
            other => Err(format!("expected true or false, found `{other}`")),
        },
        ShapeKind::Blob => BASE64_LENIENT
            .decode(text.trim())
            .map(Value::Blob)
            .map_err(|e| format!("failed to decode base64: {e}")),
        ShapeKind::Timestamp => {
            let format = timestamp_format(Some(member), shape, site_default);
            parse_timestamp(text, format)
                .map(Value::Timestamp)
                .ok_or_else(|| format!("`{text}` is not a {} timestamp", format.as_str()))
        }
        kind if kind.is_integral() => {
            let n: i64 = text
                .trim()
                .parse()
                .map_err(|_| format!("`{text}` is not an integer ({})", kind.name()))?;
            match kind.integral_range() {
                Some((lo, hi)) if !(lo..=hi).contains(&i128::from(n)) => {
                    Err(format!("{n} is out of range for {}", kind.name()))
                }
                _ => Ok(Value::Integer(n)),
            }
        }
        kind if kind.is_numeric() => match text.trim() {
            "NaN" => Ok(Value::Float(f64::NAN)),
            "Infinity" => Ok(Value::Float(f64::INFINITY)),
            "-Infinity" => Ok(Value::Float(f64::NEG_INFINITY)),
            t => t
                .parse::<f64>()
                .ok()
                .filter(|f| f.is_finite())
                .map(Value::Float)
                .ok_or_else(|| format!("`{text}` is not a number ({})", kind.name())),
        },
        other => Err(format!(
            "a {} cannot be bound to the HTTP message",
            other.name()
        )),
    }
}

/// Splits a header list value at commas outside double quotes, unquoting items (the reverse of the client's join).
pub fn split_header_list(text: &str) -> Vec<String> {
    let mut items = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    // After a closing quote, only whitespace is expected before the next comma.
    let mut closed = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '\\' => current.extend(chars.next()),
                '"' => {
                    quoted = false;
                    closed = true;
                }
                c => current.push(c),
            }
            continue;
        }
        match c {
            ',' => {
                items.push(finish_item(&mut current, closed));
                closed = false;
            }
            '"' if !closed && current.trim().is_empty() => {
                quoted = true;
                current.clear();
            }
            c if closed && c.is_whitespace() => {}
            c => current.push(c),
        }
    }
    items.push(finish_item(&mut current, closed));
    items
}

fn finish_item(current: &mut String, was_quoted: bool) -> String {
    let item = if was_quoted {
        current.clone()
    } else {
        current.trim().to_string()
    };
    current.clear();
    item
}

/// The value of a header-bound member from its header text.
fn parse_header_member(service: &Service, member: &Member, text: &str) -> Result<Value, String> {
    let shape = service.target(member);
    if let ShapeKind::List(item) = &shape.kind {
        let item_shape = service.target(item);
        let mut parts = split_header_list(text);
        let format = timestamp_format(Some(item), item_shape, TimestampFormat::HttpDate);
        if matches!(item_shape.kind, ShapeKind::Timestamp) && format == TimestampFormat::HttpDate {
            // An http-date holds a comma itself (`Thu, 02 Jan 2020 ...`): items are every two parts.
            parts = parts.chunks(2).map(|pair| pair.join(", ")).collect();
        }
        return parts
            .iter()
            .map(|p| parse_scalar(item, item_shape, p, TimestampFormat::HttpDate, true))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::List);
    }
    parse_scalar(member, shape, text, TimestampFormat::HttpDate, true)
}

/// Server side: the HTTP-bound members of a request (labels from [`route`], query, headers, prefix headers).
pub fn read_request(
    service: &Service,
    op: &Operation,
    request: &HttpRequest,
    labels: &[(String, String)],
) -> Result<IndexMap<String, Value>, ProtocolFault> {
    let members = service.input_members(op);
    let query = parse_query(request.query().unwrap_or("")).ok_or_else(|| {
        serialization_fault("failed to read the query string: an escape is not UTF-8".into())
    })?;
    let mut out = IndexMap::new();
    let fault = |member: &Member, site: &str, why: String| {
        serialization_fault(format!("failed to read {site} of `{}`: {why}", member.name))
    };
    let bound_query_keys: Vec<&str> = members
        .iter()
        .filter_map(|m| match &m.location {
            Location::Query(k) => Some(k.as_str()),
            _ => None,
        })
        .collect();
    for member in members {
        let shape = service.target(member);
        match &member.location {
            Location::Label { .. } => {
                if let Some((_, text)) = labels.iter().find(|(n, _)| n == member.wire_name()) {
                    let value = parse_scalar(member, shape, text, TimestampFormat::DateTime, false)
                        .map_err(|why| fault(member, "the URI label", why))?;
                    out.insert(member.name.clone(), value);
                }
            }
            Location::Query(key) => match &shape.kind {
                ShapeKind::Map { value: entry, .. } => {
                    let entry_shape = service.target(entry);
                    let mut map: IndexMap<String, Value> = IndexMap::new();
                    for (k, v) in query
                        .iter()
                        .filter(|(k, _)| !bound_query_keys.contains(&k.as_str()))
                    {
                        match &entry_shape.kind {
                            ShapeKind::List(item) => {
                                let parsed = parse_scalar(
                                    item,
                                    service.target(item),
                                    v,
                                    TimestampFormat::DateTime,
                                    false,
                                )
                                .map_err(|why| fault(member, "the query", why))?;
                                if let Value::List(items) = map
                                    .entry(k.clone())
                                    .or_insert_with(|| Value::List(Vec::new()))
                                {
                                    items.push(parsed);
                                }
                            }
                            _ => {
                                if !map.contains_key(k) {
                                    let parsed = parse_scalar(
                                        entry,
                                        entry_shape,
                                        v,
                                        TimestampFormat::DateTime,
                                        false,
                                    )
                                    .map_err(|why| fault(member, "the query", why))?;
                                    map.insert(k.clone(), parsed);
                                }
                            }
                        }
                    }
                    if !map.is_empty() {
                        out.insert(member.name.clone(), Value::Map(map));
                    }
                }
                ShapeKind::List(item) => {
                    let item_shape = service.target(item);
                    let items = query
                        .iter()
                        .filter(|(k, _)| k == key)
                        .map(|(_, v)| {
                            parse_scalar(item, item_shape, v, TimestampFormat::DateTime, false)
                        })
                        .collect::<Result<Vec<_>, _>>()
                        .map_err(|why| fault(member, "the query", why))?;
                    if !items.is_empty() {
                        out.insert(member.name.clone(), Value::List(items));
                    }
                }
                _ => {
                    if let Some((_, v)) = query.iter().find(|(k, _)| k == key) {
                        let value =
                            parse_scalar(member, shape, v, TimestampFormat::DateTime, false)
                                .map_err(|why| fault(member, "the query", why))?;
                        out.insert(member.name.clone(), value);
                    }
                }
            },
            Location::Header(name) => {
                if let Some(text) = request.header(name) {
                    let value = parse_header_member(service, member, text)
                        .map_err(|why| fault(member, "the header", why))?;
                    out.insert(member.name.clone(), value);
                }
            }
            Location::PrefixHeaders(prefix) => {
                if let ShapeKind::Map { value: entry, .. } = &shape.kind {
                    let map = prefixed_headers(service, entry, prefix, &request.headers)
                        .map_err(|why| fault(member, "the headers", why))?;
                    if !map.is_empty() {
                        out.insert(member.name.clone(), Value::Map(map));
                    }
                }
            }
            Location::Body | Location::Payload | Location::StatusCode => {}
        }
    }
    Ok(out)
}

fn prefixed_headers(
    service: &Service,
    entry: &Member,
    prefix: &str,
    headers: &[(String, String)],
) -> Result<IndexMap<String, Value>, String> {
    let prefix = prefix.to_ascii_lowercase();
    let mut map = IndexMap::new();
    for (name, text) in headers {
        let lower = name.to_ascii_lowercase();
        if let Some(key) = lower.strip_prefix(&prefix) {
            let value = parse_scalar(
                entry,
                service.target(entry),
                text,
                TimestampFormat::HttpDate,
                true,
            )?;
            map.insert(key.to_string(), value);
        }
    }
    Ok(map)
}

/// A response's HTTP-bound parts (server side), the body members and the payload left to the protocol's codec.
#[derive(Debug, Clone)]
pub struct BoundResponse<'a> {
    /// Status: the status-code member's value, else the operation's success code.
    pub status: u16,
    /// Headers of members, names lower case.
    pub headers: Vec<(String, String)>,
    /// Members of the body document, by member name.
    pub body: IndexMap<String, Value>,
    /// The payload member and its value, when the output shape binds one.
    pub payload: Option<(&'a Member, Option<&'a Value>)>,
}

/// Binds an output structure's members to the response; values a header cannot carry are left out (the server
/// answers what it can rather than fail).
pub fn bind_response<'a>(
    service: &'a Service,
    op: &'a Operation,
    output: &'a Value,
) -> BoundResponse<'a> {
    let members = service.output_members(op);
    let values = output.as_structure();
    let mut bound = BoundResponse {
        status: op.http.response_code,
        headers: Vec::new(),
        body: IndexMap::new(),
        payload: None,
    };
    for (name, value) in values.into_iter().flatten() {
        let path = Path::members([name.as_str()]);
        let Some(member) = members.iter().find(|m| &m.name == name) else {
            bound.body.insert(name.clone(), value.clone());
            continue;
        };
        match &member.location {
            Location::StatusCode => {
                if let Value::Integer(code) = value
                    && let Ok(code) = u16::try_from(*code)
                    && (100..600).contains(&code)
                {
                    bound.status = code;
                }
            }
            Location::Header(header) => {
                if let Ok(Some(text)) = header_text(service, member, value, &path) {
                    bound.headers.push((header.to_ascii_lowercase(), text));
                }
            }
            Location::PrefixHeaders(prefix) => {
                if let (Value::Map(entries), ShapeKind::Map { value: entry, .. }) =
                    (value, &service.target(member).kind)
                {
                    for (k, v) in entries {
                        let name = format!("{prefix}{k}");
                        if let (true, Ok(text)) = (
                            is_token(&name),
                            scalar_text(entry, service.target(entry), v, Site::Header, &path),
                        ) {
                            bound.headers.push((name.to_ascii_lowercase(), text));
                        }
                    }
                }
            }
            Location::Payload => {}
            Location::Body | Location::Label { .. } | Location::Query(_) => {
                bound.body.insert(name.clone(), value.clone());
            }
        }
    }
    bound.payload = members
        .iter()
        .find(|m| m.location == Location::Payload)
        .map(|m| (m, values.and_then(|v| v.get(&m.name))));
    bound
}

/// Client side: the HTTP-bound output members of a response (status code, headers, prefix headers), with a
/// problem for each header that does not parse as its member's type.
pub fn read_response(
    service: &Service,
    op: &Operation,
    response: &HttpResponse,
) -> (IndexMap<String, Value>, Vec<ShapeProblem>) {
    let mut out = IndexMap::new();
    let mut problems = Vec::new();
    for member in service.output_members(op) {
        let path = Path::members([member.name.as_str()]);
        match &member.location {
            Location::StatusCode => {
                out.insert(
                    member.name.clone(),
                    Value::Integer(i64::from(response.status)),
                );
            }
            Location::Header(name) => {
                if let Some(text) = response.header(name) {
                    match parse_header_member(service, member, text) {
                        Ok(value) => {
                            out.insert(member.name.clone(), value);
                        }
                        Err(why) => problems.push(ShapeProblem {
                            path,
                            problem: format!("header `{name}`: {why}"),
                        }),
                    }
                }
            }
            Location::PrefixHeaders(prefix) => {
                if let ShapeKind::Map { value: entry, .. } = &service.target(member).kind {
                    match prefixed_headers(service, entry, prefix, &response.headers) {
                        Ok(map) if map.is_empty() => {}
                        Ok(map) => {
                            out.insert(member.name.clone(), Value::Map(map));
                        }
                        Err(why) => problems.push(ShapeProblem {
                            path,
                            problem: format!("headers `{prefix}*`: {why}"),
                        }),
                    }
                }
            }
            _ => {}
        }
    }
    (out, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_are_written_as_python_writes_them() {
        for (f, text) in [
            (1.5, "1.5"),
            (100.0, "100.0"),
            (1e16, "1e+16"),
            (1.5e-5, "1.5e-05"),
            (0.0001, "0.0001"),
            (1e15, "1000000000000000.0"),
            (-2.5e-300, "-2.5e-300"),
            (1.2345678901234568e17, "1.2345678901234568e+17"),
            (f64::NAN, "NaN"),
            (f64::NEG_INFINITY, "-Infinity"),
        ] {
            assert_eq!(python_float(f), text);
        }
    }

    #[test]
    fn templates_match_labels_greedy_labels_and_static_queries() {
        let t = UriTemplate::parse("/portals/{portalArn+}/browserSettings");
        assert_eq!(
            t.match_path("/portals/arn%3Aaws%3Ax/y/browserSettings"),
            Some(vec![("portalArn".to_string(), "arn:aws:x/y".to_string())])
        );
        assert_eq!(t.match_path("/portals/browserSettings"), None);
        let hostile = format!("/portals{}", "/x".repeat(100_000));
        assert_eq!(t.match_path(&hostile), None);
        let t = UriTemplate::parse("/things/{Name}?mode=import&flag");
        assert_eq!(
            t.match_path("/things/a%2Fb"),
            Some(vec![("Name".to_string(), "a/b".to_string())])
        );
        assert_eq!(t.match_path("/things/"), None);
        assert_eq!(t.match_path("/things/a/b"), None);
        let q = parse_query("mode=import&flag&x=%20").unwrap();
        assert!(t.static_query_matches(&q));
        assert!(!t.static_query_matches(&parse_query("mode=export&flag").unwrap()));
    }

    #[test]
    fn header_lists_split_outside_quotes() {
        assert_eq!(
            split_header_list(r#"a, "b,c" ,"d\"e",f"#),
            vec!["a", "b,c", "d\"e", "f"]
        );
        assert_eq!(quote_header_item("b,c".to_string()), "\"b,c\"".to_string());
    }
}
