//! The `service-2.json` and `paginators-1.json` formats as serde reads them: borrowed text, members in file order, only the fields conform uses.
//!
//! Unknown fields are skipped, so a newer botocore with more traits still loads. Strings borrow from the file's
//! bytes where they can (no escapes), and documentation is cut to its first sentence while it is read, so the
//! megabytes of HTML in the larger models are never copied.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::docs::first_sentence;

/// Text from the model: borrowed from the file where possible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Text<'a>(pub Cow<'a, str>);

impl Text<'_> {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v.to_string())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(TextVisitor)
    }
}

/// A documentation string, reduced to its first sentence as it is read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Doc(pub Option<String>);

impl<'de> Deserialize<'de> for Doc {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DocVisitor;
        impl Visitor<'_> for DocVisitor {
            type Value = Doc;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a documentation string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Doc, E> {
                Ok(Doc(first_sentence(v)))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Doc, E> {
                Ok(Doc(None))
            }
        }
        deserializer.deserialize_any(DocVisitor)
    }
}

/// What an entry of a JSON object is, for error messages (`shape`, `operation`, `member`).
pub(crate) trait Described {
    const WHAT: &'static str;
}

/// A JSON object read as its entries in file order, with errors naming the entry they are in.
#[derive(Debug)]
pub(crate) struct Entries<'a, T>(pub Vec<(Text<'a>, T)>);

impl<T> Default for Entries<'_, T> {
    fn default() -> Self {
        Entries(Vec::new())
    }
}

impl<'de: 'a, 'a, T: Deserialize<'de> + Described> Deserialize<'de> for Entries<'a, T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntriesVisitor<'a, T>(PhantomData<(Text<'a>, T)>);
        impl<'de: 'a, 'a, T: Deserialize<'de> + Described> Visitor<'de> for EntriesVisitor<'a, T> {
            type Value = Entries<'a, T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                write!(f, "an object of {}s", T::WHAT)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some(key) = map.next_key::<Text<'a>>()? {
                    let value = map.next_value::<T>().map_err(|e| {
                        de::Error::custom(format_args!("{} `{}`: {e}", T::WHAT, key.as_str()))
                    })?;
                    entries.push((key, value));
                }
                Ok(Entries(entries))
            }
        }
        deserializer.deserialize_map(EntriesVisitor(PhantomData))
    }
}

/// A JSON object whose entries are only counted (the catalog's operation count).
pub(crate) struct EntryCount(pub usize);

impl<'de> Deserialize<'de> for EntryCount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct CountVisitor;
        impl<'de> Visitor<'de> for CountVisitor {
            type Value = EntryCount;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<EntryCount, A::Error> {
                let mut count = 0;
                while map.next_key::<IgnoredAny>()?.is_some() {
                    map.next_value::<IgnoredAny>()?;
                    count += 1;
                }
                Ok(EntryCount(count))
            }
        }
        deserializer.deserialize_map(CountVisitor)
    }
}

/// A string or a list of strings (paginator tokens and result keys).
#[derive(Debug, Default)]
pub(crate) struct OneOrMany(pub Vec<String>);

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OneOrManyVisitor;
        impl<'de> Visitor<'de> for OneOrManyVisitor {
            type Value = OneOrMany;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string or a list of strings")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<OneOrMany, E> {
                Ok(OneOrMany(vec![v.to_string()]))
            }
            fn visit_unit<E: de::Error>(self) -> Result<OneOrMany, E> {
                Ok(OneOrMany(Vec::new()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<OneOrMany, A::Error> {
                let mut all = Vec::new();
                while let Some(one) = seq.next_element::<String>()? {
                    all.push(one);
                }
                Ok(OneOrMany(all))
            }
        }
        deserializer.deserialize_any(OneOrManyVisitor)
    }
}

/// A whole `service-2.json`.
#[derive(Debug, Deserialize)]
#[serde(expecting = "a service model object")]
pub(crate) struct RawModel<'a> {
    #[serde(borrow)]
    pub metadata: RawMetadata<'a>,
    #[serde(borrow, default)]
    pub operations: Entries<'a, RawOperation<'a>>,
    #[serde(borrow, default)]
    pub shapes: Entries<'a, RawShape<'a>>,
}

/// `metadata`: what the service is and how it speaks.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(expecting = "a metadata object")]
pub(crate) struct RawMetadata<'a> {
    #[serde(borrow)]
    pub api_version: Option<Text<'a>>,
    #[serde(borrow)]
    pub endpoint_prefix: Option<Text<'a>>,
    #[serde(borrow)]
    pub protocol: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub protocols: Vec<Text<'a>>,
    #[serde(borrow)]
    pub json_version: Option<Text<'a>>,
    #[serde(borrow)]
    pub target_prefix: Option<Text<'a>>,
    #[serde(borrow)]
    pub signing_name: Option<Text<'a>>,
    #[serde(borrow)]
    pub service_id: Option<Text<'a>>,
    #[serde(borrow)]
    pub service_full_name: Option<Text<'a>>,
    #[serde(borrow)]
    pub xml_namespace: Option<Text<'a>>,
    /// An object (`{}`) whose presence is the flag.
    pub aws_query_compatible: Option<IgnoredAny>,
    #[serde(borrow)]
    pub global_endpoint: Option<Text<'a>>,
}

/// The metadata fields the catalog keeps, owned (the catalog reads from a stream and cannot borrow).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(expecting = "a metadata object")]
pub(crate) struct CatalogMetadata {
    pub api_version: Option<String>,
    pub protocol: Option<String>,
    #[serde(default)]
    pub protocols: Vec<String>,
    pub json_version: Option<String>,
    pub service_id: Option<String>,
    pub service_full_name: Option<String>,
    pub endpoint_prefix: Option<String>,
}

/// One operation.
#[derive(Debug, Deserialize)]
#[serde(expecting = "an operation object")]
pub(crate) struct RawOperation<'a> {
    #[serde(borrow, default)]
    pub http: RawHttp<'a>,
    #[serde(borrow)]
    pub input: Option<RawIoRef<'a>>,
    #[serde(borrow)]
    pub output: Option<RawIoRef<'a>>,
    #[serde(borrow, default)]
    pub errors: Vec<RawErrorRef<'a>>,
    #[serde(borrow)]
    pub endpoint: Option<RawEndpoint<'a>>,
    #[serde(borrow)]
    pub authtype: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub auth: Vec<Text<'a>>,
    pub readonly: Option<bool>,
    pub idempotent: Option<bool>,
    #[serde(default)]
    pub deprecated: bool,
    #[serde(default)]
    pub documentation: Doc,
    /// `httpChecksumRequired`: the request must carry a checksum (Smithy's older trait).
    #[serde(rename = "httpChecksumRequired", default)]
    pub http_checksum_required: bool,
    /// `httpChecksum`: flexible checksums.
    #[serde(rename = "httpChecksum", borrow)]
    pub http_checksum: Option<RawHttpChecksum<'a>>,
}

/// `httpChecksum` of an operation.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(expecting = "an httpChecksum object")]
pub(crate) struct RawHttpChecksum<'a> {
    #[serde(default)]
    pub request_checksum_required: bool,
    #[serde(borrow)]
    pub request_algorithm_member: Option<Text<'a>>,
    #[serde(borrow)]
    pub request_validation_mode_member: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub response_algorithms: Vec<Text<'a>>,
}

impl Described for RawOperation<'_> {
    const WHAT: &'static str = "operation";
}

/// `http` of an operation.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(expecting = "an http object")]
pub(crate) struct RawHttp<'a> {
    #[serde(borrow)]
    pub method: Option<Text<'a>>,
    #[serde(borrow)]
    pub request_uri: Option<Text<'a>>,
    pub response_code: Option<u16>,
}

/// `endpoint` of an operation.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(expecting = "an endpoint object")]
pub(crate) struct RawEndpoint<'a> {
    #[serde(borrow)]
    pub host_prefix: Option<Text<'a>>,
}

/// An operation's `input` or `output`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(expecting = "a shape reference object")]
pub(crate) struct RawIoRef<'a> {
    #[serde(borrow)]
    pub shape: Text<'a>,
    #[serde(borrow)]
    pub location_name: Option<Text<'a>>,
    pub xml_namespace: Option<RawXmlNamespace>,
    #[serde(borrow)]
    pub result_wrapper: Option<Text<'a>>,
}

/// An entry of an operation's `errors`; the traits it may repeat are the error shape's own.
#[derive(Debug, Deserialize)]
#[serde(expecting = "a shape reference object")]
pub(crate) struct RawErrorRef<'a> {
    #[serde(borrow)]
    pub shape: Text<'a>,
}

/// `xmlNamespace` of a shape or member.
#[derive(Debug, Clone, Deserialize)]
#[serde(expecting = "an xmlNamespace object")]
pub(crate) struct RawXmlNamespace {
    pub uri: String,
    pub prefix: Option<String>,
}

/// `error` of an error shape.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(expecting = "an error object")]
pub(crate) struct RawError<'a> {
    #[serde(borrow)]
    pub code: Option<Text<'a>>,
    pub http_status_code: Option<u16>,
    pub sender_fault: Option<bool>,
}

/// `retryable` of an error shape.
#[derive(Debug, Deserialize)]
#[serde(expecting = "a retryable object")]
pub(crate) struct RawRetryable {
    #[serde(default)]
    pub throttling: bool,
}

/// One shape.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(expecting = "a shape object")]
pub(crate) struct RawShape<'a> {
    #[serde(rename = "type", borrow)]
    pub kind: Text<'a>,
    #[serde(borrow)]
    pub members: Option<Entries<'a, RawRef<'a>>>,
    #[serde(borrow)]
    pub member: Option<RawRef<'a>>,
    #[serde(borrow)]
    pub key: Option<RawRef<'a>>,
    #[serde(borrow)]
    pub value: Option<RawRef<'a>>,
    #[serde(borrow, default)]
    pub required: Vec<Text<'a>>,
    pub min: Option<serde_json::Number>,
    pub max: Option<serde_json::Number>,
    #[serde(borrow)]
    pub pattern: Option<Text<'a>>,
    #[serde(rename = "enum", borrow)]
    pub enum_values: Option<Vec<Text<'a>>>,
    #[serde(default)]
    pub sensitive: bool,
    #[serde(default)]
    pub union: bool,
    #[serde(default)]
    pub document: bool,
    #[serde(default)]
    pub exception: bool,
    #[serde(default)]
    pub fault: bool,
    #[serde(borrow)]
    pub error: Option<RawError<'a>>,
    pub retryable: Option<RawRetryable>,
    #[serde(borrow)]
    pub timestamp_format: Option<Text<'a>>,
    #[serde(default)]
    pub streaming: bool,
    #[serde(default)]
    pub eventstream: bool,
    #[serde(default)]
    pub jsonvalue: bool,
    #[serde(borrow)]
    pub location_name: Option<Text<'a>>,
    #[serde(default)]
    pub flattened: bool,
    pub xml_namespace: Option<RawXmlNamespace>,
    #[serde(borrow)]
    pub payload: Option<Text<'a>>,
    #[serde(default)]
    pub deprecated: bool,
    #[serde(rename = "box", default)]
    pub boxed: bool,
    #[serde(default)]
    pub idempotency_token: bool,
    #[serde(default)]
    pub documentation: Doc,
}

impl Described for RawShape<'_> {
    const WHAT: &'static str = "shape";
}

/// A reference to a shape with the traits of the reference: a structure member, or a list's `member`, a map's
/// `key` and `value`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(expecting = "a member object")]
pub(crate) struct RawRef<'a> {
    #[serde(borrow)]
    pub shape: Text<'a>,
    #[serde(borrow)]
    pub location: Option<Text<'a>>,
    #[serde(borrow)]
    pub location_name: Option<Text<'a>>,
    #[serde(borrow)]
    pub query_name: Option<Text<'a>>,
    #[serde(default)]
    pub xml_attribute: bool,
    pub xml_namespace: Option<RawXmlNamespace>,
    #[serde(default)]
    pub flattened: bool,
    #[serde(default)]
    pub idempotency_token: bool,
    #[serde(default)]
    pub host_label: bool,
    #[serde(default)]
    pub jsonvalue: bool,
    #[serde(default)]
    pub sensitive: bool,
    #[serde(borrow)]
    pub timestamp_format: Option<Text<'a>>,
    #[serde(default)]
    pub streaming: bool,
    #[serde(default)]
    pub deprecated: bool,
    #[serde(rename = "box", default)]
    pub boxed: bool,
    pub default: Option<serde_json::Value>,
    /// Constraints a reference may lay over its target (botocore merges every trait of a reference over the
    /// shape); the loader gives such a member a shape of its own.
    #[serde(rename = "enum", borrow)]
    pub enum_values: Option<Vec<Text<'a>>>,
    pub min: Option<serde_json::Number>,
    pub max: Option<serde_json::Number>,
    #[serde(borrow)]
    pub pattern: Option<Text<'a>>,
    #[serde(default)]
    pub documentation: Doc,
}

impl Described for RawRef<'_> {
    const WHAT: &'static str = "member";
}

/// A whole `paginators-1.json`.
#[derive(Debug, Deserialize)]
#[serde(expecting = "a paginators object")]
pub(crate) struct RawPaginators<'a> {
    #[serde(borrow, default)]
    pub pagination: Entries<'a, RawPaginator>,
}

/// One operation's paginator.
#[derive(Debug, Deserialize)]
#[serde(expecting = "a paginator object")]
pub(crate) struct RawPaginator {
    #[serde(default)]
    pub input_token: OneOrMany,
    #[serde(default)]
    pub output_token: OneOrMany,
    pub limit_key: Option<String>,
    #[serde(default)]
    pub result_key: OneOrMany,
    pub more_results: Option<String>,
}

impl Described for RawPaginator {
    const WHAT: &'static str = "paginator";
}
