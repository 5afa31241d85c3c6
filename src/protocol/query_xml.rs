//! The XML side of awsQuery and ec2Query: an element tree read with quick-xml, error and output bodies decoded
//! against the model as botocore's `QueryParser` / `EC2QueryParser` read them, and the server's answers written.
//!
//! Bodies (aws-wire-facts "Other protocols, in brief"; botocore/parsers.py):
//! - awsQuery errors: `<ErrorResponse><Error><Type>Sender</Type><Code>..</Code><Message>..</Message></Error>
//!   <RequestId>..</RequestId></ErrorResponse>`; ec2Query errors: `<Response><Errors><Error><Code>..</Code>
//!   <Message>..</Message></Error></Errors><RequestID>..</RequestID></Response>`. The code is the shape's
//!   `awsQueryError` code when it has one; it is mapped back to the shape's name.
//! - awsQuery outputs: `<OpResponse><OpResult>members</OpResult><ResponseMetadata><RequestId>..</RequestId>
//!   </ResponseMetadata></OpResponse>` (`OpResult` is the operation's `resultWrapper`); ec2Query outputs:
//!   `<OpResponse><requestId>..</requestId>members</OpResponse>`.
//! - Members go by their `locationName` (the member's, else the target's), else their name; lists are
//!   `<Name><member>..</member></Name>` (the item's `locationName` for `member`), flattened lists repeat the item
//!   element in place (named by the item's `locationName` when it has one); maps are `<entry><key/><value/></entry>`
//!   (flattened: the map's own element repeated); `xmlAttribute` members are attributes.

use base64::Engine;
use indexmap::IndexMap;
use quick_xml::events::Event;

use crate::model::{
    Member, Operation, Path, Segment, Service, Shape, ShapeKind, Timestamp, TimestampFormat, Value,
};

use super::json::{BASE64_LENIENT, epoch_seconds_to_timestamp, parse_date_time};
use super::{DecodedOutput, ErrorInfo, ErrorSource, ShapeProblem, normalise_error_code};

/// How deep an XML document may nest before it is refused (no AWS body comes near; recursion stays bounded).
const MAX_DEPTH: usize = 200;

/// An XML element: its local name (prefix dropped), attributes (`xmlns` ones left out), child elements and text.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Element {
    /// The local name.
    pub name: String,
    /// Attributes as written (`xsi:type`), namespace declarations left out.
    pub attributes: Vec<(String, String)>,
    /// Child elements, in order.
    pub children: Vec<Element>,
    /// The text content (character data and references, resolved), when the element has no children.
    pub text: String,
}

impl Element {
    /// The first child of this name.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The text of the first child of this name.
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.as_str())
    }

    /// The element as JSON (for reports): text elements as strings, others as objects of their children (repeated
    /// names become arrays).
    pub fn to_json(&self) -> serde_json::Value {
        if self.children.is_empty() {
            return serde_json::Value::String(self.text.clone());
        }
        let mut out = serde_json::Map::new();
        for child in &self.children {
            let value = child.to_json();
            match out.get_mut(&child.name) {
                Some(serde_json::Value::Array(items)) => items.push(value),
                Some(existing) => {
                    let first = existing.take();
                    *existing = serde_json::Value::Array(vec![first, value]);
                }
                None => {
                    out.insert(child.name.clone(), value);
                }
            }
        }
        serde_json::Value::Object(out)
    }
}

fn local(name: &[u8]) -> String {
    let name = String::from_utf8_lossy(name);
    match name.split_once(':') {
        Some((_, local)) => local.to_string(),
        None => name.into_owned(),
    }
}

fn open(start: &quick_xml::events::BytesStart<'_>) -> Result<Element, String> {
    let mut element = Element {
        name: local(start.name().as_ref()),
        ..Element::default()
    };
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|e| format!("a bad attribute: {e}"))?;
        let key = String::from_utf8_lossy(attribute.key.as_ref()).into_owned();
        if key == "xmlns" || key.starts_with("xmlns:") {
            continue;
        }
        let value = attribute
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| format!("a bad attribute value: {e}"))?;
        element.attributes.push((key, value.into_owned()));
    }
    Ok(element)
}

/// Parses a whole XML document into its root element; the error says what is wrong (`failed to ...` is the
/// caller's).
pub fn parse(body: &[u8]) -> Result<Element, String> {
    let text = std::str::from_utf8(body).map_err(|e| format!("it is not UTF-8 ({e})"))?;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let close = |stack: &mut Vec<Element>, root: &mut Option<Element>, element: Element| {
        match stack.last_mut() {
            Some(parent) => parent.children.push(element),
            None if root.is_none() => *root = Some(element),
            None => return Err("it has more than one root element".to_string()),
        }
        Ok(())
    };
    loop {
        let event = reader.read_event().map_err(|e| {
            format!(
                "it is not well-formed XML at byte {}: {e}",
                reader.error_position()
            )
        })?;
        match event {
            Event::Start(start) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(format!("it nests deeper than {MAX_DEPTH} elements"));
                }
                if root.is_some() {
                    return Err("it has more than one root element".into());
                }
                stack.push(open(&start)?);
            }
            Event::Empty(start) => {
                if stack.is_empty() && root.is_some() {
                    return Err("it has more than one root element".into());
                }
                let element = open(&start)?;
                close(&mut stack, &mut root, element)?;
            }
            Event::End(_) => {
                let element = stack.pop().ok_or("it closes an element it never opened")?;
                close(&mut stack, &mut root, element)?;
            }
            Event::Text(t) => {
                let t = t.xml10_content().map_err(|e| format!("bad text: {e}"))?;
                match stack.last_mut() {
                    Some(top) => top.text.push_str(&t),
                    None if t.trim().is_empty() => {}
                    None => return Err("it has text outside the root element".into()),
                }
            }
            Event::CData(c) => {
                let c = c.decode().map_err(|e| format!("bad CDATA: {e}"))?;
                match stack.last_mut() {
                    Some(top) => top.text.push_str(&c),
                    None => return Err("it has CDATA outside the root element".into()),
                }
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => {
                        let name = r.decode().map_err(|e| format!("bad reference: {e}"))?;
                        match name.as_ref() {
                            "amp" => "&".into(),
                            "lt" => "<".into(),
                            "gt" => ">".into(),
                            "quot" => "\"".into(),
                            "apos" => "'".into(),
                            other => {
                                return Err(format!("it refers to an unknown entity `&{other};`"));
                            }
                        }
                    }
                    Err(e) => return Err(format!("bad character reference: {e}")),
                };
                match stack.last_mut() {
                    Some(top) => top.text.push_str(&resolved),
                    None => return Err("it has a reference outside the root element".into()),
                }
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(format!("it ends inside `<{}>`", open.name));
    }
    root.ok_or_else(|| "it has no root element".to_string())
}

/// The `<Error>` element of an error body: `<ErrorResponse><Error>`, `<Response><Errors><Error>`, or `<Error>` at
/// the root.
pub fn error_element(root: &Element) -> Option<&Element> {
    if root.name == "Error" {
        return Some(root);
    }
    root.child("Error")
        .or_else(|| root.child("Errors")?.child("Error"))
}

/// The request id a body carries: `<RequestId>` (awsQuery errors), `<RequestID>` (ec2Query errors),
/// `<ResponseMetadata><RequestId>` (awsQuery outputs) or `<requestId>` (ec2Query outputs).
pub fn request_id(root: &Element) -> Option<&str> {
    root.child_text("RequestId")
        .or_else(|| root.child_text("RequestID"))
        .or_else(|| root.child_text("requestId"))
        .or_else(|| root.child("ResponseMetadata")?.child_text("RequestId"))
        .filter(|id| !id.trim().is_empty())
}

/// The error an XML error body carries: the code (mapped back from an `awsQueryError` code to its shape's name),
/// the message; `None` when the body is no XML error with a code.
pub fn decode_error(service: &Service, body: &[u8]) -> Option<ErrorInfo> {
    let root = parse(body).ok()?;
    let error = error_element(&root)?;
    let raw = error.child_text("Code")?.trim().to_string();
    let mut code = normalise_error_code(&raw);
    if code.is_empty() {
        return None;
    }
    if let Some((_, shape)) = service.error_named(&code) {
        code = shape.name.clone();
    }
    Some(ErrorInfo {
        code,
        raw_code: raw,
        message: error.child_text("Message").map(str::to_string),
        found_in: ErrorSource::Body("Code"),
    })
}

/// The element name a member goes by in XML (see the module docs).
pub(crate) fn member_element_name<'s>(service: &'s Service, member: &'s Member) -> &'s str {
    let shape = service.target(member);
    if let ShapeKind::List(item) = &shape.kind
        && (member.flattened || shape.flattened)
        && let Some(name) = item
            .location_name
            .as_deref()
            .or(service.target(item).xml_name.as_deref())
    {
        return name;
    }
    member
        .location_name
        .as_deref()
        .or(shape.xml_name.as_deref())
        .unwrap_or(&member.name)
}

fn flattened(member: &Member, shape: &Shape) -> bool {
    member.flattened || shape.flattened
}

/// Reads XML against the model, collecting what departs from it.
struct Reader<'a> {
    service: &'a Service,
    missing_required: bool,
    problems: Vec<ShapeProblem>,
}

impl Reader<'_> {
    fn problem(&mut self, path: &Path, problem: impl Into<String>) {
        self.problems.push(ShapeProblem {
            path: path.clone(),
            problem: problem.into(),
        });
    }

    /// The members of a structure from `element`'s children; `skip` names children that are no members
    /// (`ResponseMetadata`, `requestId` at the root).
    fn structure(
        &mut self,
        members: &[Member],
        element: &Element,
        path: &mut Path,
        skip: &[&str],
    ) -> IndexMap<String, Value> {
        let mut out = IndexMap::new();
        let mut used = vec![false; element.children.len()];
        for member in members {
            if member.location.is_http_bound() {
                continue;
            }
            let shape = self.service.target(member);
            path.0.push(Segment::Member(member.name.clone()));
            if member.xml_attribute {
                let name = member.location_name.as_deref().unwrap_or(&member.name);
                if let Some((_, v)) = element.attributes.iter().find(|(k, _)| k == name) {
                    let text = Element {
                        text: v.clone(),
                        ..Element::default()
                    };
                    let value = self.value(Some(member), shape, &text, path);
                    out.insert(member.name.clone(), value);
                }
                path.0.pop();
                continue;
            }
            let name = member_element_name(self.service, member);
            let found: Vec<usize> = element
                .children
                .iter()
                .enumerate()
                .filter(|(_, c)| c.name == name)
                .map(|(i, _)| i)
                .collect();
            for i in &found {
                used[*i] = true;
            }
            let repeated = matches!(shape.kind, ShapeKind::List(_) | ShapeKind::Map { .. })
                && flattened(member, shape);
            if repeated {
                if !found.is_empty() {
                    let items: Vec<&Element> =
                        found.iter().map(|i| &element.children[*i]).collect();
                    let value = self.repeated(shape, &items, path);
                    out.insert(member.name.clone(), value);
                }
            } else if let Some(first) = found.first() {
                // S3's TopicConfigurationDeprecated names a scalar and a flattened list `<Event>` both: the
                // repeated elements are the list's, and no duplicate.
                let shared = members.iter().any(|other| {
                    other.name != member.name
                        && !other.location.is_http_bound()
                        && member_element_name(self.service, other) == name
                });
                if found.len() > 1 && !shared {
                    self.problem(path, format!("`<{name}>` appears {} times", found.len()));
                }
                let value = self.value(Some(member), shape, &element.children[*first], path);
                out.insert(member.name.clone(), value);
            } else if self.missing_required && member.required {
                self.problem(path, "missing required member");
            }
            path.0.pop();
        }
        for (child, used) in element.children.iter().zip(used) {
            if !used && !skip.contains(&child.name.as_str()) {
                path.0.push(Segment::Member(child.name.clone()));
                self.problem(path, "unexpected member");
                path.0.pop();
            }
        }
        out
    }

    /// A flattened list or map: its items (or entries) are the repeated elements themselves.
    fn repeated(&mut self, shape: &Shape, items: &[&Element], path: &mut Path) -> Value {
        match &shape.kind {
            ShapeKind::List(item) => {
                let item_shape = self.service.target(item);
                let mut out = Vec::with_capacity(items.len());
                for (i, element) in items.iter().enumerate() {
                    path.0.push(Segment::Index(i));
                    out.push(self.value(Some(item), item_shape, element, path));
                    path.0.pop();
                }
                Value::List(out)
            }
            ShapeKind::Map { key, value } => Value::Map(self.entries(key, value, items, path)),
            _ => Value::Null,
        }
    }

    fn entries(
        &mut self,
        key: &Member,
        value: &Member,
        entries: &[&Element],
        path: &mut Path,
    ) -> IndexMap<String, Value> {
        let key_name = key
            .location_name
            .as_deref()
            .or(self.service.target(key).xml_name.as_deref())
            .unwrap_or("key");
        let value_shape = self.service.target(value);
        let value_name = value
            .location_name
            .as_deref()
            .or(value_shape.xml_name.as_deref())
            .unwrap_or("value");
        let mut out = IndexMap::new();
        for entry in entries {
            let Some(k) = entry.child_text(key_name) else {
                self.problem(path, format!("a map entry without `<{key_name}>`"));
                continue;
            };
            path.0.push(Segment::Key(k.to_string()));
            match entry.child(value_name) {
                Some(v) => {
                    let read = self.value(Some(value), value_shape, v, path);
                    out.insert(k.to_string(), read);
                }
                None => self.problem(path, format!("a map entry without `<{value_name}>`")),
            }
            path.0.pop();
        }
        out
    }

    fn value(
        &mut self,
        _member: Option<&Member>,
        shape: &Shape,
        element: &Element,
        path: &mut Path,
    ) -> Value {
        let text = element.text.as_str();
        let raw = || Value::Raw(serde_json::Value::String(text.to_string()));
        // An element of the wrong form is no value of its shape: text where elements belong (a structure, list or
        // map), or elements where text belongs (a scalar).
        let nested = matches!(
            shape.kind,
            ShapeKind::Structure(_)
                | ShapeKind::Union(_)
                | ShapeKind::List(_)
                | ShapeKind::Map { .. }
        );
        if nested && element.children.is_empty() && !text.trim().is_empty() {
            self.problem(
                path,
                format!("expected {}, found the text `{text}`", shape.kind.name()),
            );
            return raw();
        }
        if !nested && !element.children.is_empty() {
            self.problem(
                path,
                format!(
                    "expected {}, found the element `<{}>`",
                    shape.kind.name(),
                    element.children[0].name
                ),
            );
            return Value::Raw(element.to_json());
        }
        match &shape.kind {
            ShapeKind::Structure(members) | ShapeKind::Union(members) => {
                Value::Structure(self.structure(members, element, path, &[]))
            }
            ShapeKind::List(item) => {
                let item_shape = self.service.target(item);
                let mut out = Vec::with_capacity(element.children.len());
                for (i, child) in element.children.iter().enumerate() {
                    path.0.push(Segment::Index(i));
                    out.push(self.value(Some(item), item_shape, child, path));
                    path.0.pop();
                }
                Value::List(out)
            }
            ShapeKind::Map { key, value } => {
                let entries: Vec<&Element> = element.children.iter().collect();
                Value::Map(self.entries(key, value, &entries, path))
            }
            ShapeKind::Document | ShapeKind::String | ShapeKind::Enum(_) => {
                Value::String(text.to_string())
            }
            ShapeKind::Boolean => match text.trim() {
                "true" => Value::Boolean(true),
                "false" => Value::Boolean(false),
                other => {
                    self.problem(path, format!("expected a boolean, found `{other}`"));
                    raw()
                }
            },
            ShapeKind::Blob => match BASE64_LENIENT.decode(text.trim()) {
                Ok(bytes) => Value::Blob(bytes),
                Err(e) => {
                    self.problem(
                        path,
                        format!("expected base64 (blob), failed to decode: {e}"),
                    );
                    raw()
                }
            },
            ShapeKind::Timestamp => match parse_any_timestamp(text.trim()) {
                Some(t) => Value::Timestamp(t),
                None => {
                    self.problem(path, format!("`{text}` is not a timestamp"));
                    raw()
                }
            },
            kind if kind.is_integral() => {
                let allowed = kind.integral_range();
                match text.trim().parse::<i64>() {
                    Ok(i) if allowed.is_none_or(|(lo, hi)| (lo..=hi).contains(&i128::from(i))) => {
                        Value::Integer(i)
                    }
                    Ok(_) => {
                        self.problem(path, format!("{text} is out of range for {}", kind.name()));
                        raw()
                    }
                    Err(_)
                        if matches!(kind, ShapeKind::BigInteger)
                            && text.trim().parse::<f64>().is_ok_and(|f| f.fract() == 0.0) =>
                    {
                        Value::Float(text.trim().parse().unwrap_or(f64::NAN))
                    }
                    Err(_) => {
                        self.problem(
                            path,
                            format!("expected an integer ({}), found `{text}`", kind.name()),
                        );
                        raw()
                    }
                }
            }
            kind => match text.trim() {
                "NaN" => Value::Float(f64::NAN),
                "Infinity" => Value::Float(f64::INFINITY),
                "-Infinity" => Value::Float(f64::NEG_INFINITY),
                t => match t.parse::<f64>() {
                    Ok(f) if f.is_finite() => Value::Float(f),
                    _ => {
                        self.problem(
                            path,
                            format!("expected a number ({}), found `{text}`", kind.name()),
                        );
                        raw()
                    }
                },
            },
        }
    }
}

/// The members of a structure read from `element`'s children (restXml's bodies), with what departs from the model.
pub(crate) fn read_structure(
    service: &Service,
    members: &[Member],
    element: &Element,
    missing_required: bool,
) -> (IndexMap<String, Value>, Vec<ShapeProblem>) {
    let mut reader = Reader {
        service,
        missing_required,
        problems: Vec::new(),
    };
    let values = reader.structure(members, element, &mut Path::root(), &[]);
    (values, reader.problems)
}

/// A member's value read from `element` (restXml's structure payloads: the root element itself), with what departs
/// from the model.
pub(crate) fn read_member(
    service: &Service,
    member: &Member,
    element: &Element,
    missing_required: bool,
) -> (Value, Vec<ShapeProblem>) {
    let mut reader = Reader {
        service,
        missing_required,
        problems: Vec::new(),
    };
    let mut path = Path::members([member.name.as_str()]);
    let value = reader.value(Some(member), service.target(member), element, &mut path);
    (value, reader.problems)
}

/// A timestamp as botocore's default parser takes it: ISO 8601, epoch seconds or an HTTP date.
fn parse_any_timestamp(text: &str) -> Option<Timestamp> {
    parse_date_time(text)
        .or_else(|| {
            text.parse::<f64>()
                .ok()
                .and_then(epoch_seconds_to_timestamp)
        })
        .or_else(|| Timestamp::parse_http_date(text))
}

/// A success response's body read against the operation's output shape (see the module docs).
pub fn decode_output(
    service: &Service,
    op: &Operation,
    body: &[u8],
    ec2: bool,
    missing_required: bool,
) -> DecodedOutput {
    let root_path = Path::root();
    let root = match parse(body) {
        Ok(root) => root,
        Err(_) if body.iter().all(u8::is_ascii_whitespace) && op.output.is_none() => {
            return DecodedOutput {
                value: Value::structure(),
                problems: Vec::new(),
            };
        }
        Err(e) => {
            return DecodedOutput {
                value: Value::structure(),
                problems: vec![ShapeProblem {
                    path: root_path,
                    problem: format!(
                        "the body is not an XML document ({e}): `{}`",
                        super::json::excerpt(body, 200)
                    ),
                }],
            };
        }
    };
    let mut reader = Reader {
        service,
        missing_required,
        problems: Vec::new(),
    };
    let members = service.output_members(op);
    let mut path = Path::root();
    let values = if ec2 {
        reader.structure(members, &root, &mut path, &["requestId"])
    } else {
        let wrapper = op
            .result_wrapper
            .clone()
            .unwrap_or_else(|| format!("{}Result", op.name));
        for child in &root.children {
            if child.name != wrapper && child.name != "ResponseMetadata" {
                path.0.push(Segment::Member(child.name.clone()));
                reader.problem(&path, "unexpected element beside the result");
                path.0.pop();
            }
        }
        match root.child(&wrapper) {
            Some(result) => reader.structure(members, result, &mut path, &[]),
            None => reader.structure(members, &Element::default(), &mut path, &[]),
        }
    };
    DecodedOutput {
        value: Value::Structure(values),
        problems: reader.problems,
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Writing (the embedded target's answers).

/// Text escaped for XML content and attribute values.
pub fn escape(text: &str) -> String {
    quick_xml::escape::escape(text).into_owned()
}

/// Writes a structure's members as XML elements, as AWS's query servers do.
pub(crate) fn write_members(
    service: &Service,
    members: &[Member],
    values: &IndexMap<String, Value>,
    out: &mut String,
) {
    for member in members {
        let Some(value) = values.get(&member.name) else {
            continue;
        };
        if matches!(value, Value::Null) || member.xml_attribute {
            continue;
        }
        let shape = service.target(member);
        let name = member_element_name(service, member);
        match (&shape.kind, value) {
            (ShapeKind::List(item), Value::List(items)) if flattened(member, shape) => {
                for v in items {
                    write_value(service, Some(item), service.target(item), name, v, out);
                }
            }
            (ShapeKind::Map { key, value: entry }, Value::Map(entries))
                if flattened(member, shape) =>
            {
                for (k, v) in entries {
                    out.push_str(&format!("<{name}>"));
                    write_entry(service, key, entry, k, v, out);
                    out.push_str(&format!("</{name}>"));
                }
            }
            _ => write_value(service, Some(member), shape, name, value, out),
        }
    }
}

fn write_entry(
    service: &Service,
    key: &Member,
    entry: &Member,
    k: &str,
    v: &Value,
    out: &mut String,
) {
    let key_name = key
        .location_name
        .as_deref()
        .or(service.target(key).xml_name.as_deref())
        .unwrap_or("key");
    let entry_shape = service.target(entry);
    let value_name = entry
        .location_name
        .as_deref()
        .or(entry_shape.xml_name.as_deref())
        .unwrap_or("value");
    out.push_str(&format!("<{key_name}>{}</{key_name}>", escape(k)));
    write_value(service, Some(entry), entry_shape, value_name, v, out);
}

fn write_value(
    service: &Service,
    member: Option<&Member>,
    shape: &Shape,
    name: &str,
    value: &Value,
    out: &mut String,
) {
    out.push_str(&format!("<{name}>"));
    match (&shape.kind, value) {
        (ShapeKind::Structure(members) | ShapeKind::Union(members), Value::Structure(values)) => {
            write_members(service, members, values, out);
        }
        (ShapeKind::List(item), Value::List(items)) => {
            let item_shape = service.target(item);
            let item_name = item
                .location_name
                .as_deref()
                .or(item_shape.xml_name.as_deref())
                .unwrap_or("member");
            for v in items {
                write_value(service, Some(item), item_shape, item_name, v, out);
            }
        }
        (ShapeKind::Map { key, value: entry }, Value::Map(entries)) => {
            for (k, v) in entries {
                out.push_str("<entry>");
                write_entry(service, key, entry, k, v, out);
                out.push_str("</entry>");
            }
        }
        (ShapeKind::Timestamp, Value::Timestamp(t)) => {
            let format = super::json::timestamp_format(member, shape, TimestampFormat::DateTime);
            out.push_str(&escape(&super::http_binding::timestamp_text(*t, format)));
        }
        _ => out.push_str(&escape(&super::query::scalar_text(value))),
    }
    out.push_str(&format!("</{name}>"));
}

/// The `xmlns` attribute of the service's namespace, when the model names one (with its leading space).
pub(crate) fn xmlns(service: &Service) -> String {
    service
        .xml_namespace
        .as_deref()
        .map(|ns| format!(" xmlns=\"{}\"", escape(ns)))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests;
