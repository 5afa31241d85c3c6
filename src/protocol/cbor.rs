//! The CBOR document codec of rpcv2Cbor: typed [`Value`]s to CBOR data items by the shape graph, and back.
//!
//! Encoding follows botocore's `CBORSerializer` (botocore/serialize.py): structures and unions are maps keyed by
//! member wire names (text strings) with null members left out (as botocore drops `None`, and as the Smithy
//! rpcv2Cbor specification requires), lists are arrays, maps are maps with text keys, strings and enums are text
//! strings, blobs byte strings, booleans simple values, integers major type 0 or 1, a `float` member a
//! single-precision value and a `double` a double, and timestamps tag 1 over epoch seconds (an integer when whole,
//! else a float with the milliseconds), whatever `timestampFormat` says. Floats are written in botocore's widths:
//! 32 bits for a `float` member, 64 for a `double` and a timestamp's seconds, 16 for NaN and the infinities (see
//! [`to_bytes`]). A value that does not fit its shape ([`Value::Raw`], or a value of another kind) is written as what it
//! is, since wrong-typed injections must reach the wire unchanged.
//!
//! Decoding reads a data item against a shape into a [`Value`] and lists every [`ShapeProblem`], as the JSON codec
//! does: a wrong CBOR type at any depth (kept as [`Value::Raw`]), and, for outputs, members the shape does not have
//! and unions with other than one member set. What the protocol allows is no problem: integers for `float` and
//! `double` members (the specification allows them when exact), floats of any width, indefinite lengths, null (and
//! CBOR's `undefined`) for absent members, unknown enum values, a `__type` member.

use ciborium::value::{Integer, Value as Cbor};
use indexmap::IndexMap;
use serde_json::Value as Json;

use crate::model::{Member, Path, Segment, Service, Shape, ShapeKind, Timestamp, Value};

use super::ShapeProblem;
use super::json::{DecodeOptions, Direction, epoch_seconds_to_timestamp};

/// The CBOR tag of an epoch-based date/time (RFC 8949 §3.4.2): rpcv2Cbor's timestamps.
pub(crate) const EPOCH_TAG: u64 = 1;

/// How deep a body may nest before it is refused (a guard against stack exhaustion, as ciborium's own default).
const RECURSION_LIMIT: usize = 256;

/// Why a body is not one CBOR data item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NotCbor(pub(crate) String);

impl std::fmt::Display for NotCbor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A body as exactly one CBOR data item: `Ok(None)` when empty; an error for bytes that are not CBOR, an item cut
/// short, or bytes after the item.
pub(crate) fn parse_body(body: &[u8]) -> Result<Option<Cbor>, NotCbor> {
    if body.is_empty() {
        return Ok(None);
    }
    let mut rest = body;
    let item: Cbor = ciborium::de::from_reader_with_recursion_limit(&mut rest, RECURSION_LIMIT)
        .map_err(|e| NotCbor(format!("failed to read CBOR: {e}")))?;
    if !rest.is_empty() {
        return Err(NotCbor(format!(
            "{} byte(s) follow the first CBOR data item",
            rest.len()
        )));
    }
    Ok(Some(item))
}

/// The private tag that marks a `float` member's value while it is built: [`to_bytes`] writes the value inside as
/// a single-precision float, without the tag. No CBOR conform sends carries it (tags of 2^64 - 1 are reserved).
const SINGLE_PRECISION: u64 = u64::MAX;

/// A `float` member's value: written in 32 bits, as botocore writes it.
pub(crate) fn single(f: f32) -> Cbor {
    Cbor::Tag(SINGLE_PRECISION, Box::new(Cbor::Float(f64::from(f))))
}

/// A data item as bytes, with definite lengths, integers in their shortest form, and floats as botocore's
/// `CBORSerializer` writes them: a `float` member's value (see [`single`]) in 32 bits, every other float in 64
/// (a `double`, a timestamp's fractional seconds), and NaN and the infinities in 16 bits. ciborium's own serialiser
/// would write each float in the shortest width that holds it, half precision included, which the specification
/// says floats SHOULD NOT use. The items are written by ciborium's low-level encoder; only the floats' widths are
/// chosen here.
pub(crate) fn to_bytes(item: &Cbor) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = write_item(&mut ciborium_ll::Encoder::from(&mut out), item);
    out
}

fn write_item(encoder: &mut ciborium_ll::Encoder<&mut Vec<u8>>, item: &Cbor) -> Result<(), ()> {
    use ciborium_io::Write;
    use ciborium_ll::Header;
    let failed = |_| ();
    match item {
        Cbor::Integer(i) => {
            let i = i128::from(*i);
            let header = if i >= 0 {
                Header::Positive(i as u64)
            } else {
                Header::Negative((-1 - i) as u64)
            };
            encoder.push(header).map_err(failed)
        }
        Cbor::Bytes(b) => encoder.bytes(b, None).map_err(failed),
        Cbor::Text(t) => encoder.text(t, None).map_err(failed),
        Cbor::Bool(b) => encoder
            .push(Header::Simple(if *b {
                ciborium_ll::simple::TRUE
            } else {
                ciborium_ll::simple::FALSE
            }))
            .map_err(failed),
        Cbor::Null => encoder
            .push(Header::Simple(ciborium_ll::simple::NULL))
            .map_err(failed),
        Cbor::Float(f) if !f.is_finite() => {
            // botocore's `_get_bytes_for_special_numbers`: half precision, NaN as 0x7e00.
            let bits: u16 = if f.is_nan() {
                0x7e00
            } else if *f > 0.0 {
                0x7c00
            } else {
                0xfc00
            };
            encoder.write_all(&[0xf9]).map_err(failed)?;
            encoder.write_all(&bits.to_be_bytes()).map_err(failed)
        }
        Cbor::Float(f) => {
            encoder.write_all(&[0xfb]).map_err(failed)?;
            encoder.write_all(&f.to_be_bytes()).map_err(failed)
        }
        Cbor::Tag(SINGLE_PRECISION, inner) => match inner.as_ref() {
            Cbor::Float(f) if f.is_finite() => {
                encoder.write_all(&[0xfa]).map_err(failed)?;
                encoder
                    .write_all(&(*f as f32).to_be_bytes())
                    .map_err(failed)
            }
            other => write_item(encoder, other),
        },
        Cbor::Tag(tag, inner) => {
            encoder.push(Header::Tag(*tag)).map_err(failed)?;
            write_item(encoder, inner)
        }
        Cbor::Array(items) => {
            encoder
                .push(Header::Array(Some(items.len())))
                .map_err(failed)?;
            items.iter().try_for_each(|i| write_item(encoder, i))
        }
        Cbor::Map(entries) => {
            encoder
                .push(Header::Map(Some(entries.len())))
                .map_err(failed)?;
            entries.iter().try_for_each(|(k, v)| {
                write_item(encoder, k)?;
                write_item(encoder, v)
            })
        }
        // ciborium's Value is non-exhaustive; it has no other variant today.
        _ => Err(()),
    }
}

/// "a text string", "a map": the CBOR type of a data item with its article, for messages.
pub(crate) fn type_phrase(item: &Cbor) -> String {
    match item {
        Cbor::Integer(_) => "an integer".into(),
        Cbor::Bytes(_) => "a byte string".into(),
        Cbor::Float(_) => "a float".into(),
        Cbor::Text(_) => "a text string".into(),
        Cbor::Bool(_) => "a boolean".into(),
        Cbor::Null => "null".into(),
        Cbor::Tag(tag, _) => format!("a value with tag {tag}"),
        Cbor::Array(_) => "an array".into(),
        Cbor::Map(_) => "a map".into(),
        _ => "an unknown CBOR item".into(),
    }
}

/// The value under a text key of a CBOR map.
pub(crate) fn get<'a>(entries: &'a [(Cbor, Cbor)], key: &str) -> Option<&'a Cbor> {
    entries
        .iter()
        .find(|(k, _)| matches!(k, Cbor::Text(t) if t == key))
        .map(|(_, v)| v)
}

/// A timestamp as rpcv2Cbor sends it: tag 1 over whole epoch seconds, or seconds with their milliseconds.
pub(crate) fn timestamp_cbor(t: Timestamp) -> Cbor {
    let seconds = if t.epoch_millis % 1000 == 0 {
        Cbor::Integer(Integer::from(t.epoch_millis / 1000))
    } else {
        Cbor::Float(t.epoch_millis as f64 / 1000.0)
    };
    Cbor::Tag(EPOCH_TAG, Box::new(seconds))
}

/// JSON as CBOR, without a shape to go by (documents, raw injections, error members).
pub(crate) fn json_to_cbor(json: &Json) -> Cbor {
    match json {
        Json::Null => Cbor::Null,
        Json::Bool(b) => Cbor::Bool(*b),
        Json::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => Cbor::Integer(Integer::from(i)),
            (None, Some(u)) => Cbor::Integer(Integer::from(u)),
            _ => Cbor::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => Cbor::Text(s.clone()),
        Json::Array(items) => Cbor::Array(items.iter().map(json_to_cbor).collect()),
        Json::Object(map) => Cbor::Map(
            map.iter()
                .map(|(k, v)| (Cbor::Text(k.clone()), json_to_cbor(v)))
                .collect(),
        ),
    }
}

/// CBOR as JSON, for what is kept or shown as JSON (raw values, error documents): byte strings in base64, tags
/// dropped for their content, non-finite floats as the strings JSON protocols use, non-text keys as their JSON.
pub(crate) fn cbor_to_json(item: &Cbor) -> Json {
    match item {
        Cbor::Integer(i) => {
            let i = i128::from(*i);
            match (i64::try_from(i), u64::try_from(i)) {
                (Ok(i), _) => Json::from(i),
                (_, Ok(u)) => Json::from(u),
                _ => crate::model::value::float_json(i as f64),
            }
        }
        Cbor::Bytes(b) => Json::String(super::json::base64_encode(b)),
        Cbor::Float(f) => crate::model::value::float_json(*f),
        Cbor::Text(s) => Json::String(s.clone()),
        Cbor::Bool(b) => Json::Bool(*b),
        Cbor::Tag(_, inner) => cbor_to_json(inner),
        Cbor::Array(items) => Json::Array(items.iter().map(cbor_to_json).collect()),
        Cbor::Map(entries) => Json::Object(
            entries
                .iter()
                .map(|(k, v)| {
                    let key = match k {
                        Cbor::Text(t) => t.clone(),
                        other => cbor_to_json(other).to_string(),
                    };
                    (key, cbor_to_json(v))
                })
                .collect(),
        ),
        _ => Json::Null,
    }
}

/// A value as CBOR without a shape to go by (members the model does not know, values of the wrong kind).
pub(crate) fn untyped_cbor(value: &Value) -> Cbor {
    match value {
        Value::Null => Cbor::Null,
        Value::Boolean(b) => Cbor::Bool(*b),
        Value::Integer(i) => Cbor::Integer(Integer::from(*i)),
        Value::Float(f) => Cbor::Float(*f),
        Value::String(s) => Cbor::Text(s.clone()),
        Value::Blob(b) => Cbor::Bytes(b.clone()),
        Value::Timestamp(t) => timestamp_cbor(*t),
        Value::List(items) => Cbor::Array(items.iter().map(untyped_cbor).collect()),
        Value::Map(m) => Cbor::Map(
            m.iter()
                .map(|(k, v)| (Cbor::Text(k.clone()), untyped_cbor(v)))
                .collect(),
        ),
        Value::Structure(m) => Cbor::Map(
            m.iter()
                .filter(|(_, v)| !matches!(v, Value::Null))
                .map(|(k, v)| (Cbor::Text(k.clone()), untyped_cbor(v)))
                .collect(),
        ),
        Value::Document(d) | Value::Raw(d) => json_to_cbor(d),
    }
}

/// The value of `member` as CBOR.
pub(crate) fn member_cbor(service: &Service, member: &Member, value: &Value) -> Cbor {
    shape_cbor(service, service.target(member), value)
}

/// A value of `shape` as CBOR.
pub(crate) fn shape_cbor(service: &Service, shape: &Shape, value: &Value) -> Cbor {
    match (&shape.kind, value) {
        (ShapeKind::Structure(members) | ShapeKind::Union(members), Value::Structure(values)) => {
            Cbor::Map(members_cbor(service, members, values))
        }
        (ShapeKind::List(item), Value::List(items)) => Cbor::Array(
            items
                .iter()
                .map(|v| member_cbor(service, item, v))
                .collect(),
        ),
        (ShapeKind::Map { value: entry, .. }, Value::Map(entries)) => Cbor::Map(
            entries
                .iter()
                .map(|(k, v)| (Cbor::Text(k.clone()), member_cbor(service, entry, v)))
                .collect(),
        ),
        // botocore packs a `float` member into 32 bits: the value it sends is the nearest single.
        (ShapeKind::Float, Value::Float(f)) => single(*f as f32),
        _ => untyped_cbor(value),
    }
}

/// The members of a structure value as CBOR map entries keyed by wire name, in the value's order; null members
/// left out, members the model does not know kept under their own names.
pub(crate) fn members_cbor(
    service: &Service,
    members: &[Member],
    values: &IndexMap<String, Value>,
) -> Vec<(Cbor, Cbor)> {
    values
        .iter()
        .filter(|(_, v)| !matches!(v, Value::Null))
        .map(
            |(name, value)| match members.iter().find(|m| &m.name == name) {
                Some(member) => (
                    Cbor::Text(member.wire_name().to_string()),
                    member_cbor(service, member, value),
                ),
                None => (Cbor::Text(name.clone()), untyped_cbor(value)),
            },
        )
        .collect()
}

/// The CBOR a shape expects, with its article, for messages.
fn expected_phrase(shape: &Shape) -> String {
    match &shape.kind {
        ShapeKind::Structure(_) | ShapeKind::Union(_) | ShapeKind::Map { .. } => {
            format!("a map ({})", shape.kind.name())
        }
        ShapeKind::List(_) => "an array".into(),
        ShapeKind::Document => "a document".into(),
        ShapeKind::String | ShapeKind::Enum(_) => "a text string".into(),
        ShapeKind::Blob => "a byte string (blob)".into(),
        ShapeKind::Boolean => "a boolean".into(),
        ShapeKind::Timestamp => "a tag 1 epoch-seconds timestamp".into(),
        kind if kind.is_integral() => format!("an integer ({})", kind.name()),
        kind => format!("a number ({})", kind.name()),
    }
}

/// A CBOR document read against a shape.
pub(crate) struct Reader<'a> {
    service: &'a Service,
    options: DecodeOptions,
    pub(crate) problems: Vec<ShapeProblem>,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(service: &'a Service, options: DecodeOptions) -> Self {
        Reader {
            service,
            options,
            problems: Vec::new(),
        }
    }

    fn problem(&mut self, path: &Path, problem: impl Into<String>) {
        self.problems.push(ShapeProblem {
            path: path.clone(),
            problem: problem.into(),
        });
    }

    fn mismatch(&mut self, path: &Path, shape: &Shape, item: &Cbor) -> Value {
        let expected = expected_phrase(shape);
        self.problem(
            path,
            format!("expected {expected}, found {}", type_phrase(item)),
        );
        Value::Raw(cbor_to_json(item))
    }

    fn member(&mut self, member: &Member, item: &Cbor, path: &mut Path) -> Value {
        let shape = self.service.target(member);
        self.shape(shape, item, path)
    }

    /// Reads a value of `shape`.
    pub(crate) fn shape(&mut self, shape: &Shape, item: &Cbor, path: &mut Path) -> Value {
        match (&shape.kind, item) {
            (_, Cbor::Null) => Value::Null,
            (ShapeKind::Structure(members), Cbor::Map(entries)) => {
                let members: Vec<&Member> = members.iter().collect();
                Value::Structure(self.members(&members, entries, path, false))
            }
            (ShapeKind::Union(members), Cbor::Map(entries)) => {
                let members: Vec<&Member> = members.iter().collect();
                let values = self.members(&members, entries, path, true);
                let set = values.values().filter(|v| **v != Value::Null).count();
                let unknown_only = set == 0
                    && entries
                        .iter()
                        .any(|(k, v)| !matches!(k, Cbor::Text(t) if t == "__type") && !v.is_null());
                if self.options.direction == Direction::Output
                    && let Some(problem) = super::json::union_problem(set, unknown_only)
                {
                    self.problem(path, problem);
                }
                Value::Structure(values)
            }
            (ShapeKind::List(item_member), Cbor::Array(items)) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, v) in items.iter().enumerate() {
                    path.0.push(Segment::Index(i));
                    out.push(self.member(item_member, v, path));
                    path.0.pop();
                }
                Value::List(out)
            }
            (ShapeKind::Map { value: entry, .. }, Cbor::Map(entries)) => {
                let mut out = IndexMap::with_capacity(entries.len());
                for (k, v) in entries {
                    let Cbor::Text(key) = k else {
                        self.problem(
                            path,
                            format!("expected text keys, found {}", type_phrase(k)),
                        );
                        continue;
                    };
                    path.0.push(Segment::Key(key.clone()));
                    let value = self.member(entry, v, path);
                    path.0.pop();
                    out.insert(key.clone(), value);
                }
                Value::Map(out)
            }
            (ShapeKind::Document, item) => Value::Document(cbor_to_json(item)),
            (ShapeKind::String | ShapeKind::Enum(_), Cbor::Text(s)) => Value::String(s.clone()),
            (ShapeKind::Boolean, Cbor::Bool(b)) => Value::Boolean(*b),
            (ShapeKind::Blob, Cbor::Bytes(b)) => Value::Blob(b.clone()),
            (ShapeKind::Timestamp, Cbor::Tag(EPOCH_TAG, inner)) => {
                let seconds = match inner.as_ref() {
                    Cbor::Integer(i) => Some(i128::from(*i) as f64),
                    Cbor::Float(f) => Some(*f),
                    _ => None,
                };
                match seconds.map(epoch_seconds_to_timestamp) {
                    Some(Some(t)) => Value::Timestamp(t),
                    Some(None) => {
                        self.problem(path, "timestamp out of range");
                        Value::Raw(cbor_to_json(item))
                    }
                    None => {
                        self.problem(
                            path,
                            format!(
                                "expected epoch seconds (an integer or a float) under tag 1, found {}",
                                type_phrase(inner)
                            ),
                        );
                        Value::Raw(cbor_to_json(item))
                    }
                }
            }
            (kind, Cbor::Integer(i)) if kind.is_integral() => {
                let i = i128::from(*i);
                let allowed = kind.integral_range();
                match i64::try_from(i) {
                    Ok(v) if allowed.is_none_or(|(lo, hi)| (lo..=hi).contains(&i)) => {
                        Value::Integer(v)
                    }
                    _ if matches!(kind, ShapeKind::BigInteger) => Value::Float(i as f64),
                    _ => {
                        self.problem(path, format!("{i} is out of range for {}", kind.name()));
                        Value::Raw(cbor_to_json(item))
                    }
                }
            }
            (ShapeKind::Float | ShapeKind::Double | ShapeKind::BigDecimal, Cbor::Float(f)) => {
                Value::Float(*f)
            }
            // The specification lets a float member travel as an integer when that loses nothing.
            (ShapeKind::Float | ShapeKind::Double | ShapeKind::BigDecimal, Cbor::Integer(i)) => {
                Value::Float(i128::from(*i) as f64)
            }
            _ => self.mismatch(path, shape, item),
        }
    }

    /// Reads map entries as the given members: by wire name; unknown keys are problems on outputs (not in unions,
    /// whose new members SDKs accept, and never `__type`), ignored on inputs; null members of outputs are absent.
    pub(crate) fn members(
        &mut self,
        members: &[&Member],
        entries: &[(Cbor, Cbor)],
        path: &mut Path,
        union: bool,
    ) -> IndexMap<String, Value> {
        let output = self.options.direction == Direction::Output;
        let mut out = IndexMap::new();
        for (key, item) in entries {
            let Cbor::Text(key) = key else {
                if output {
                    self.problem(
                        path,
                        format!("expected text keys, found {}", type_phrase(key)),
                    );
                }
                continue;
            };
            let Some(member) = members.iter().find(|m| m.wire_name() == key) else {
                if output && !union && key != "__type" {
                    path.0.push(Segment::Member(key.clone()));
                    self.problem(path, "unexpected member");
                    path.0.pop();
                }
                continue;
            };
            if item.is_null() && output {
                continue;
            }
            path.0.push(Segment::Member(member.name.clone()));
            let value = self.member(member, item, path);
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

/// Reads a CBOR map as `members` (a structure's); the values as far as they could be read, and every problem.
pub(crate) fn decode_members(
    service: &Service,
    members: &[&Member],
    entries: &[(Cbor, Cbor)],
    options: DecodeOptions,
) -> (IndexMap<String, Value>, Vec<ShapeProblem>) {
    let mut reader = Reader::new(service, options);
    let values = reader.members(members, entries, &mut Path::root(), false);
    (values, reader.problems)
}

/// At most `max` bytes of a body in hexadecimal, for messages about bodies that are not what they should be.
pub(crate) fn hex_excerpt(body: &[u8], max: usize) -> String {
    let mut out: String = body.iter().take(max).map(|b| format!("{b:02x}")).collect();
    if body.len() > max {
        out.push('…');
    }
    out
}
