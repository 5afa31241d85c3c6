//! Shapes and members: the nodes and edges of a service's shape graph, with constraints and wire traits.

use std::sync::{Arc, OnceLock};

use super::pattern::Pattern;
use super::rules::{Provenance, ViolationRule};

/// A shape's index in its service's arena ([`super::Service::shapes`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ShapeId(pub u32);

impl ShapeId {
    /// The arena index.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// The type of a shape and the members it holds; Smithy's set.
#[derive(Debug, Clone)]
pub enum ShapeKind {
    /// Named members, any subset present.
    Structure(Vec<Member>),
    /// Named members, exactly one present.
    Union(Vec<Member>),
    /// An ordered list of one member shape.
    List(Box<Member>),
    /// String keys (the key member's shape) to values of one member shape.
    Map {
        /// The key member (`key`), a string shape.
        key: Box<Member>,
        /// The value member (`value`).
        value: Box<Member>,
    },
    /// Untyped JSON-like data.
    Document,
    /// Text.
    String,
    /// Text restricted to these values.
    Enum(Vec<String>),
    /// An integer restricted to these values (Smithy's intEnum).
    IntEnum(Vec<i64>),
    /// Bytes.
    Blob,
    /// true or false.
    Boolean,
    /// 8-bit integer.
    Byte,
    /// 16-bit integer.
    Short,
    /// 32-bit integer.
    Integer,
    /// 64-bit integer.
    Long,
    /// 32-bit float.
    Float,
    /// 64-bit float.
    Double,
    /// Arbitrary-precision integer.
    BigInteger,
    /// Arbitrary-precision decimal.
    BigDecimal,
    /// A point in time.
    Timestamp,
}

impl ShapeKind {
    /// The Smithy name of the type (`structure`, `string`, ...), as spec files and messages write it.
    pub fn name(&self) -> &'static str {
        match self {
            ShapeKind::Structure(_) => "structure",
            ShapeKind::Union(_) => "union",
            ShapeKind::List(_) => "list",
            ShapeKind::Map { .. } => "map",
            ShapeKind::Document => "document",
            ShapeKind::String => "string",
            ShapeKind::Enum(_) => "enum",
            ShapeKind::IntEnum(_) => "intEnum",
            ShapeKind::Blob => "blob",
            ShapeKind::Boolean => "boolean",
            ShapeKind::Byte => "byte",
            ShapeKind::Short => "short",
            ShapeKind::Integer => "integer",
            ShapeKind::Long => "long",
            ShapeKind::Float => "float",
            ShapeKind::Double => "double",
            ShapeKind::BigInteger => "bigInteger",
            ShapeKind::BigDecimal => "bigDecimal",
            ShapeKind::Timestamp => "timestamp",
        }
    }

    /// Whether values are whole numbers (byte, short, integer, long, bigInteger, intEnum).
    pub fn is_integral(&self) -> bool {
        matches!(
            self,
            ShapeKind::Byte
                | ShapeKind::Short
                | ShapeKind::Integer
                | ShapeKind::Long
                | ShapeKind::BigInteger
                | ShapeKind::IntEnum(_)
        )
    }

    /// Whether values are numbers of any kind.
    pub fn is_numeric(&self) -> bool {
        self.is_integral()
            || matches!(
                self,
                ShapeKind::Float | ShapeKind::Double | ShapeKind::BigDecimal
            )
    }

    /// Whether values are text (string or enum).
    pub fn is_text(&self) -> bool {
        matches!(self, ShapeKind::String | ShapeKind::Enum(_))
    }

    /// The range the type itself allows for integral kinds (before any `min`/`max` constraint).
    pub fn integral_range(&self) -> Option<(i128, i128)> {
        Some(match self {
            ShapeKind::Byte => (i8::MIN.into(), i8::MAX.into()),
            ShapeKind::Short => (i16::MIN.into(), i16::MAX.into()),
            ShapeKind::Integer | ShapeKind::IntEnum(_) => (i32::MIN.into(), i32::MAX.into()),
            ShapeKind::Long => (i64::MIN.into(), i64::MAX.into()),
            ShapeKind::BigInteger => (i64::MIN.into(), i64::MAX.into()),
            _ => return None,
        })
    }

    /// The members of a structure or union; empty for every other kind.
    pub fn members(&self) -> &[Member] {
        match self {
            ShapeKind::Structure(m) | ShapeKind::Union(m) => m,
            _ => &[],
        }
    }
}

/// A numeric bound as the model writes it: whole or fractional.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Numeric {
    /// A whole number.
    Int(i128),
    /// A fractional number.
    Float(f64),
}

impl Numeric {
    /// The bound as a float (for comparisons with fractional values).
    pub fn as_f64(self) -> f64 {
        match self {
            Numeric::Int(i) => i as f64,
            Numeric::Float(f) => f,
        }
    }

    /// The bound as a whole number: rounded toward the inside of the range is the caller's business; this floors.
    pub fn as_i128_floor(self) -> i128 {
        match self {
            Numeric::Int(i) => i,
            Numeric::Float(f) => f.floor() as i128,
        }
    }

    /// The bound as a whole number, rounded up.
    pub fn as_i128_ceil(self) -> i128 {
        match self {
            Numeric::Int(i) => i,
            Numeric::Float(f) => f.ceil() as i128,
        }
    }
}

impl std::fmt::Display for Numeric {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Numeric::Int(i) => write!(f, "{i}"),
            Numeric::Float(x) if x.fract() == 0.0 && x.abs() < 1e15 => write!(f, "{}", *x as i64),
            Numeric::Float(x) => write!(f, "{x}"),
        }
    }
}

/// The constraints a shape places on its values.
#[derive(Debug, Clone, Default)]
pub struct Constraints {
    /// Minimum length: code points of a string, items of a list, entries of a map, bytes of a blob.
    pub min_length: Option<u64>,
    /// Maximum length, counted as `min_length` is.
    pub max_length: Option<u64>,
    /// Smallest allowed number.
    pub min: Option<Numeric>,
    /// Largest allowed number.
    pub max: Option<Numeric>,
    /// The pattern a whole string must match, with AWS's semantics.
    pub pattern: Option<Arc<Pattern>>,
    /// Constraints the model states that conform cannot check or generate for, each with the reason; only that
    /// constraint is skipped, never the shape or the service.
    pub skipped: Vec<SkippedConstraint>,
}

/// A constraint left out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedConstraint {
    /// What it is (`pattern ^(?!aws:).*$`).
    pub what: String,
    /// Why it is left out.
    pub reason: String,
}

/// How a timestamp is written on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimestampFormat {
    /// Seconds since the epoch, a number (may have a fraction).
    EpochSeconds,
    /// RFC 3339 date-time (`2020-01-02T03:04:05Z`).
    DateTime,
    /// RFC 7231 IMF-fixdate (`Thu, 02 Jan 2020 03:04:05 GMT`).
    HttpDate,
}

impl TimestampFormat {
    /// Parses a model's `timestampFormat` (`unixTimestamp`, `iso8601`, `rfc822`) or Smithy name.
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "unixTimestamp" | "epoch-seconds" => TimestampFormat::EpochSeconds,
            "iso8601" | "date-time" => TimestampFormat::DateTime,
            "rfc822" | "http-date" => TimestampFormat::HttpDate,
            _ => return None,
        })
    }

    /// The Smithy name.
    pub fn as_str(self) -> &'static str {
        match self {
            TimestampFormat::EpochSeconds => "epoch-seconds",
            TimestampFormat::DateTime => "date-time",
            TimestampFormat::HttpDate => "http-date",
        }
    }
}

/// An XML namespace declared on a shape or member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlNamespace {
    /// The namespace URI.
    pub uri: String,
    /// The prefix, when one is declared (`xmlns:prefix`).
    pub prefix: Option<String>,
}

/// The side at fault for an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fault {
    /// The caller (4xx).
    Client,
    /// The service (5xx).
    Server,
}

/// What makes a structure an error shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorTrait {
    /// The wire code when it differs from the shape name (awsQuery's `error.code`).
    pub code: Option<String>,
    /// The HTTP status the model declares; `None` means the protocol's default for the fault (400 or 500).
    pub status: Option<u16>,
    /// Which side is at fault.
    pub fault: Fault,
    /// Whether clients retry it (throttling and the like).
    pub retryable: bool,
    /// Whether it signals throttling.
    pub throttling: bool,
}

impl ErrorTrait {
    /// The status this error is sent with: the declared one, else 400 for client faults and 500 for server faults.
    pub fn status(&self) -> u16 {
        self.status.unwrap_or(match self.fault {
            Fault::Client => 400,
            Fault::Server => 500,
        })
    }
}

/// A named shape: type, constraints and traits.
#[derive(Debug, Clone)]
pub struct Shape {
    /// The shape's name in its model (`AlternateContactType`).
    pub name: String,
    /// Type and members.
    pub kind: ShapeKind,
    /// Constraints on its values.
    pub constraints: Constraints,
    /// Values are masked in reports and withheld from validation messages.
    pub sensitive: bool,
    /// The wire format of timestamps of this shape, unless a member overrides it.
    pub timestamp_format: Option<TimestampFormat>,
    /// A string holding JSON, sent base64-encoded in headers (`jsonvalue`).
    pub json_value: bool,
    /// A blob or string streamed as the payload (operations with one are left out).
    pub streaming: bool,
    /// An event stream (operations with one are left out).
    pub event_stream: bool,
    /// The XML element name of a list's or map's wrapper, when the model gives one (`locationName` on the shape).
    pub xml_name: Option<String>,
    /// Lists and maps written without a wrapper element.
    pub flattened: bool,
    /// The XML namespace of the shape (boxed: few shapes have one, and every shape pays for the field).
    pub xml_namespace: Option<Box<XmlNamespace>>,
    /// Set on error shapes.
    pub error: Option<ErrorTrait>,
    /// Deprecated in the model.
    pub deprecated: bool,
    /// Values may be absent (null) rather than the type's zero: botocore's `box`, Smithy 1.0's `@box`.
    pub boxed: bool,
    /// The first sentence of the documentation, as provenance.
    pub docs: Option<String>,
    /// Where the shape comes from.
    pub source: Provenance,
}

impl Shape {
    /// A shape of this kind with no constraints or traits.
    pub fn new(name: impl Into<String>, kind: ShapeKind) -> Self {
        Shape {
            name: name.into(),
            kind,
            constraints: Constraints::default(),
            sensitive: false,
            timestamp_format: None,
            json_value: false,
            streaming: false,
            event_stream: false,
            xml_name: None,
            flattened: false,
            xml_namespace: None,
            error: None,
            deprecated: false,
            boxed: false,
            docs: None,
            source: Provenance::default(),
        }
    }

    /// The enum values of a string enum.
    pub fn enum_values(&self) -> Option<&[String]> {
        match &self.kind {
            ShapeKind::Enum(values) => Some(values),
            _ => None,
        }
    }
}

/// Where a member goes in an HTTP request or response (Smithy's HTTP binding traits; botocore's `location`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Location {
    /// In the protocol's document body (JSON object, XML element, query parameter of awsQuery, CBOR map).
    Body,
    /// A URI label `{Name}`; `greedy` for `{Name+}`, which may hold `/`.
    Label {
        /// `{Name+}`: the value may span path segments.
        greedy: bool,
    },
    /// A query string parameter of this name.
    Query(String),
    /// A header of this name.
    Header(String),
    /// Every header starting with this prefix (a map member).
    PrefixHeaders(String),
    /// The whole body (a structure, blob, string or document member bound with `payload`).
    Payload,
    /// The HTTP status code (output members only).
    StatusCode,
}

impl Location {
    /// Whether the member is bound outside the body document (label, query, header, prefix headers, status code).
    pub fn is_http_bound(&self) -> bool {
        !matches!(self, Location::Body | Location::Payload)
    }
}

/// What the spec files add to one member.
#[derive(Debug, Clone, Default)]
pub struct MemberRules {
    /// A fixture whose value the member takes in valid cases (it names something on the target).
    pub fixture: Option<String>,
    /// A fixture naming a mail domain: valid values are addresses at that domain.
    pub email_domain_fixture: Option<String>,
    /// Overrides of the service's violation expectation.
    pub on_violation: Vec<ViolationRule>,
}

/// A member of a structure or union, or the member/key/value of a list or map: an edge of the shape graph.
#[derive(Debug, Clone)]
pub struct Member {
    /// The member's name in the model (`AlternateContactType`; `member`, `key`, `value` in lists and maps).
    pub name: String,
    /// The shape it points at.
    pub target: ShapeId,
    /// Must be present.
    pub required: bool,
    /// Where it goes in the HTTP message.
    pub location: Location,
    /// The model's `locationName`: the JSON key, XML element or query key when it differs from `name`.
    pub location_name: Option<String>,
    /// ec2Query's `queryName`.
    pub query_name: Option<String>,
    /// Written as an XML attribute of the parent element.
    pub xml_attribute: bool,
    /// Its own XML namespace (boxed: few members have one, and every member pays for the field).
    pub xml_namespace: Option<Box<XmlNamespace>>,
    /// A list or map member written without a wrapper element (`flattened` on the member).
    pub flattened: bool,
    /// Filled in with a fresh token when the caller gives none, as SDKs do.
    pub idempotency_token: bool,
    /// Bound into the endpoint host through the operation's `hostPrefix`.
    pub host_label: bool,
    /// A string holding JSON (`jsonvalue` on the member).
    pub json_value: bool,
    /// Masked in reports and withheld from validation messages (the member's own flag).
    pub sensitive: bool,
    /// Overrides the target's timestamp format.
    pub timestamp_format: Option<TimestampFormat>,
    /// A streaming payload or event stream member.
    pub streaming: bool,
    /// Deprecated in the model.
    pub deprecated: bool,
    /// The member may be absent (null) rather than its type's zero (`box` on the member; see also the target's).
    pub boxed: bool,
    /// The default value the model declares, as JSON (boxed: a JSON value is 80 bytes, and few members have one).
    pub default: Option<Box<serde_json::Value>>,
    /// The first sentence of the documentation, as provenance.
    pub docs: Option<String>,
    /// What the spec files add; shared, so that the members of the published models (which have none) all point
    /// at one empty value instead of each carrying its own. Replace it whole to change it.
    pub rules: Arc<MemberRules>,
    /// Where the member comes from; shared as `rules` is.
    pub source: Arc<Provenance>,
}

/// The empty rules and provenance every member starts with, shared (see [`Member::rules`]).
fn member_defaults() -> (Arc<MemberRules>, Arc<Provenance>) {
    static DEFAULTS: OnceLock<(Arc<MemberRules>, Arc<Provenance>)> = OnceLock::new();
    let (rules, source) = DEFAULTS.get_or_init(Default::default);
    (rules.clone(), source.clone())
}

impl Member {
    /// A body member with no traits.
    pub fn new(name: impl Into<String>, target: ShapeId) -> Self {
        let (rules, source) = member_defaults();
        Member {
            name: name.into(),
            target,
            required: false,
            location: Location::Body,
            location_name: None,
            query_name: None,
            xml_attribute: false,
            xml_namespace: None,
            flattened: false,
            idempotency_token: false,
            host_label: false,
            json_value: false,
            sensitive: false,
            timestamp_format: None,
            streaming: false,
            deprecated: false,
            boxed: false,
            default: None,
            docs: None,
            rules,
            source,
        }
    }

    /// The name on the wire in a document body: `locationName` when the model gives one, else the member name.
    pub fn wire_name(&self) -> &str {
        self.location_name.as_deref().unwrap_or(&self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// With every published model loaded there are a quarter of a million members and a hundred thousand shapes:
    /// what each carries for the rare trait (an XML namespace, a default) or for the spec files only (rules,
    /// provenance) is paid that many times, so it is boxed or shared.
    #[test]
    fn members_share_their_empty_rules_and_stay_small() {
        let (a, b) = (Member::new("A", ShapeId(0)), Member::new("B", ShapeId(1)));
        assert!(Arc::ptr_eq(&a.rules, &b.rules));
        assert!(Arc::ptr_eq(&a.source, &b.source));
        assert!(a.rules.fixture.is_none() && a.source.text.is_empty());
        let member = std::mem::size_of::<Member>();
        let shape = std::mem::size_of::<Shape>();
        assert!(member <= 192, "a member takes {member} bytes");
        assert!(shape <= 336, "a shape takes {shape} bytes");
    }
}
