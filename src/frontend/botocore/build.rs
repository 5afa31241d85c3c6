//! From a parsed `service-2.json` to a [`Service`]: the shape arena, members with their wire traits, operations.
//!
//! Shapes get their ids in file order before any is built, so members can point forward and recursion needs nothing
//! special. What botocore decides from a reference's traits merged over its target (streaming members, greedy
//! labels, a member's own enum) is settled in passes after the arena is complete.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock, PoisonError, Weak};

use crate::model::shape::SkippedConstraint;
use crate::model::{
    Checksums, Constraints, ErrorTrait, Fault, Http, Location, Member, Numeric, Operation,
    Paginator, Pattern, ProtocolId, Provenance, Service, Shape, ShapeId, ShapeKind,
    TimestampFormat, XmlNamespace,
};

use super::BotocoreError;
use super::raw::{RawModel, RawOperation, RawPaginators, RawRef, RawShape, RawXmlNamespace, Text};

/// Builds the service `name` from a parsed model read from `path`.
pub(crate) fn build_service(
    raw: &RawModel<'_>,
    name: &str,
    path: &Path,
) -> Result<Service, BotocoreError> {
    let malformed = |place: String, problem: String| BotocoreError::Malformed {
        path: path.to_path_buf(),
        place,
        problem,
    };
    let meta = &raw.metadata;
    let api_version = text(&meta.api_version).unwrap_or_default();
    let (protocols, protocol) = protocols_of(
        meta.protocol.as_ref().map(Text::as_str),
        meta.protocols.iter().map(Text::as_str),
        meta.json_version.as_ref().map(Text::as_str),
    )
    .map_err(|problem| malformed("metadata".into(), problem))?;

    let mut service = Service::new(name, protocol);
    service.protocols = protocols;
    service.api_version = api_version.clone();
    service.endpoint_prefix = text(&meta.endpoint_prefix).unwrap_or_else(|| name.to_string());
    service.signing_name =
        text(&meta.signing_name).unwrap_or_else(|| service.endpoint_prefix.clone());
    service.service_id = text(&meta.service_id).unwrap_or_else(|| name.to_string());
    service.title = text(&meta.service_full_name).unwrap_or_else(|| service.service_id.clone());
    service.target_prefix = text(&meta.target_prefix);
    service.xml_namespace = text(&meta.xml_namespace);
    service.query_compatible = meta.aws_query_compatible.is_some();
    service.global_endpoint = text(&meta.global_endpoint);
    service.file = path.display().to_string();
    let origin = format!("botocore {name}/{api_version}");
    service.source = Provenance {
        text: origin.clone(),
        documents: Vec::new(),
    };
    // Shapes keep no provenance text of their own: `Service::shape_source` names them by this and their name.
    service.shape_origin = origin.clone();

    let mut builder = Builder {
        ids: HashMap::with_capacity(raw.shapes.0.len()),
        patterns: HashMap::new(),
        derived: Vec::new(),
        next_id: raw.shapes.0.len() as u32,
        origin: &origin,
        path,
    };
    for (index, (shape_name, _)) in raw.shapes.0.iter().enumerate() {
        if builder
            .ids
            .insert(shape_name.as_str(), ShapeId(index as u32))
            .is_some()
        {
            return Err(malformed(
                format!("shape `{}`", shape_name.as_str()),
                "it is defined twice".into(),
            ));
        }
    }
    let mut shapes = Vec::with_capacity(raw.shapes.0.len());
    for (shape_name, raw_shape) in &raw.shapes.0 {
        shapes.push(builder.shape(shape_name.as_str(), raw_shape)?);
    }
    // Members that lay their own constraints over their target get a copy of it with those constraints.
    for derived in std::mem::take(&mut builder.derived) {
        let mut shape = shapes[derived.target.index()].clone();
        shape.name = derived.name;
        builder.override_constraints(&mut shape, derived.raw)?;
        shapes.push(shape);
    }
    let tokens: Vec<bool> = raw
        .shapes
        .0
        .iter()
        .map(|(_, s)| s.idempotency_token)
        .collect();
    inherit_target_traits(&mut shapes, &tokens);

    service.shape_ids = shapes
        .iter()
        .enumerate()
        .map(|(index, shape)| (shape.name.clone(), ShapeId(index as u32)))
        .collect();
    service.shapes = shapes;

    for (op_name, raw_op) in &raw.operations.0 {
        let op_name = op_name.as_str();
        let place = || format!("operation `{op_name}`");
        let mut op = Operation::new(op_name);
        op.http = Http::new(
            text(&raw_op.http.method)
                .map(|m| m.to_ascii_uppercase())
                .unwrap_or_else(|| "POST".into()),
            text(&raw_op.http.request_uri).unwrap_or_else(|| "/".into()),
            raw_op.http.response_code.unwrap_or(200),
        );
        if let Some(input) = &raw_op.input {
            let id =
                builder.structure_ref(&service.shapes, input.shape.as_str(), "input", &place)?;
            let shape = &mut service.shapes[id.index()];
            // restXml names the request's root element on the operation's input reference.
            if shape.xml_name.is_none() {
                shape.xml_name = text(&input.location_name);
            }
            if shape.xml_namespace.is_none() {
                shape.xml_namespace = input.xml_namespace.as_ref().map(xml_namespace);
            }
            op.input = Some(id);
        }
        if let Some(output) = &raw_op.output {
            let id =
                builder.structure_ref(&service.shapes, output.shape.as_str(), "output", &place)?;
            op.output = Some(id);
            op.result_wrapper = text(&output.result_wrapper);
        }
        for error in &raw_op.errors {
            let id = builder.id_of(error.shape.as_str()).ok_or_else(|| {
                malformed(
                    place(),
                    format!("error `{}` is no shape of the model", error.shape.as_str()),
                )
            })?;
            op.errors.push(id);
        }
        op.host_prefix = raw_op
            .endpoint
            .as_ref()
            .and_then(|endpoint| text(&endpoint.host_prefix));
        op.readonly = raw_op.readonly;
        op.idempotent = raw_op.idempotent.unwrap_or(false);
        op.deprecated = raw_op.deprecated;
        op.unsigned = raw_op
            .authtype
            .as_ref()
            .is_some_and(|a| a.as_str() == "none")
            || raw_op
                .auth
                .first()
                .is_some_and(|a| a.as_str() == "smithy.api#noAuth");
        op.docs = raw_op.documentation.0.clone();
        op.checksum =
            checksums(raw_op, &service, &op).map_err(|problem| malformed(place(), problem))?;
        op.source = builder.provenance(op_name);
        mark_greedy_labels(&mut service.shapes, &op);
        op.unsupported = unsupported_reason(&service.shapes, &op);
        if service.operations.insert(op_name.to_string(), op).is_some() {
            return Err(malformed(place(), "it is defined twice".into()));
        }
    }
    Ok(service)
}

/// An operation's checksum traits; a member they name must be one of its input's.
fn checksums(
    raw: &RawOperation<'_>,
    service: &Service,
    op: &Operation,
) -> Result<Checksums, String> {
    let flexible = raw.http_checksum.as_ref();
    let member = |name: Option<&Text<'_>>, trait_name: &str| -> Result<Option<String>, String> {
        let Some(name) = name else { return Ok(None) };
        let name = name.as_str();
        if !service.input_members(op).iter().any(|m| m.name == name) {
            return Err(format!(
                "httpChecksum's {trait_name} `{name}` is no member of its input"
            ));
        }
        Ok(Some(name.to_string()))
    };
    Ok(Checksums {
        required: raw.http_checksum_required
            || flexible.is_some_and(|c| c.request_checksum_required),
        algorithm_member: member(
            flexible.and_then(|c| c.request_algorithm_member.as_ref()),
            "requestAlgorithmMember",
        )?,
        validation_mode_member: member(
            flexible.and_then(|c| c.request_validation_mode_member.as_ref()),
            "requestValidationModeMember",
        )?,
        response_algorithms: flexible
            .map(|c| {
                c.response_algorithms
                    .iter()
                    .map(|a| a.as_str().to_string())
                    .collect()
            })
            .unwrap_or_default(),
    })
}

/// Sets each operation's paginator from a parsed `paginators-1.json`; entries for operations the model lacks are
/// ignored, as botocore ignores them until one is asked for.
pub(crate) fn apply_paginators(service: &mut Service, raw: RawPaginators<'_>) {
    for (op_name, raw) in raw.pagination.0 {
        if let Some(op) = service.operations.get_mut(op_name.as_str()) {
            op.paginator = Some(Paginator {
                input_tokens: raw.input_token.0,
                output_tokens: raw.output_token.0,
                limit_key: raw.limit_key,
                result_keys: raw.result_key.0,
                more_results: raw.more_results,
            });
        }
    }
}

/// The protocols a service speaks, in the model's order, and the one conform uses: the first conform speaks, else
/// the first. `protocols` wins over `protocol` when it lists any; names conform does not know are left out, and a
/// service with none it knows is an error.
pub(crate) fn protocols_of<'a>(
    protocol: Option<&'a str>,
    protocols: impl Iterator<Item = &'a str>,
    json_version: Option<&str>,
) -> Result<(Vec<ProtocolId>, ProtocolId), String> {
    let mut names: Vec<&str> = protocols.collect();
    if names.is_empty() {
        names.extend(protocol);
    }
    if names.is_empty() {
        return Err("it names no protocol (`protocol` or `protocols`)".into());
    }
    let known: Vec<ProtocolId> = names
        .iter()
        .filter_map(|name| ProtocolId::from_botocore(name, json_version))
        .collect();
    let chosen = known
        .iter()
        .copied()
        .find(|p| crate::protocol::for_id(*p).is_some())
        .or_else(|| known.first().copied())
        .ok_or_else(|| format!("no protocol conform knows among `{}`", names.join("`, `")))?;
    Ok((known, chosen))
}

fn text(value: &Option<Text<'_>>) -> Option<String> {
    value.as_ref().map(|t| t.as_str().to_string())
}

fn xml_namespace(raw: &RawXmlNamespace) -> Box<XmlNamespace> {
    Box::new(XmlNamespace {
        uri: raw.uri.clone(),
        prefix: raw.prefix.clone(),
    })
}

/// A member whose reference lays constraints over its target: it gets a shape of its own, built once the arena is.
struct Derived<'r, 'a> {
    name: String,
    target: ShapeId,
    raw: &'r RawRef<'a>,
}

struct Builder<'r, 'a> {
    ids: HashMap<&'r str, ShapeId>,
    /// Patterns compiled once per service: many shapes share one.
    patterns: HashMap<&'r str, Result<Arc<Pattern>, String>>,
    derived: Vec<Derived<'r, 'a>>,
    next_id: u32,
    origin: &'r str,
    path: &'r Path,
}

impl<'r, 'a> Builder<'r, 'a> {
    fn malformed(&self, place: String, problem: String) -> BotocoreError {
        BotocoreError::Malformed {
            path: self.path.to_path_buf(),
            place,
            problem,
        }
    }

    fn provenance(&self, what: &str) -> Provenance {
        Provenance {
            text: format!("{}: {what}", self.origin),
            documents: Vec::new(),
        }
    }

    fn id_of(&self, name: &str) -> Option<ShapeId> {
        self.ids.get(name).copied()
    }

    /// An operation's input or output: it must be a structure of the model.
    fn structure_ref(
        &self,
        shapes: &[Shape],
        name: &str,
        role: &str,
        place: &dyn Fn() -> String,
    ) -> Result<ShapeId, BotocoreError> {
        let id = self.id_of(name).ok_or_else(|| {
            self.malformed(place(), format!("{role} `{name}` is no shape of the model"))
        })?;
        let kind = &shapes[id.index()].kind;
        if !matches!(kind, ShapeKind::Structure(_)) {
            return Err(self.malformed(
                place(),
                format!("{role} `{name}` is a {}, not a structure", kind.name()),
            ));
        }
        Ok(id)
    }

    fn shape(&mut self, name: &'r str, raw: &'r RawShape<'a>) -> Result<Shape, BotocoreError> {
        let place = || format!("shape `{name}`");
        let kind = match raw.kind.as_str() {
            "structure" if raw.document => ShapeKind::Document,
            "structure" => {
                let mut members = Vec::new();
                if let Some(raw_members) = &raw.members {
                    members.reserve_exact(raw_members.0.len());
                    for (member_name, raw_member) in &raw_members.0 {
                        members.push(self.member(name, member_name.as_str(), raw_member)?);
                    }
                }
                for required in &raw.required {
                    let member = members
                        .iter_mut()
                        .find(|m| m.name == required.as_str())
                        .ok_or_else(|| {
                            self.malformed(
                                place(),
                                format!(
                                    "required member `{}` is not one of its members",
                                    required.as_str()
                                ),
                            )
                        })?;
                    member.required = true;
                }
                if let Some(payload) = &raw.payload {
                    let member = members
                        .iter_mut()
                        .find(|m| m.name == payload.as_str())
                        .ok_or_else(|| {
                            self.malformed(
                                place(),
                                format!("payload `{}` is not one of its members", payload.as_str()),
                            )
                        })?;
                    member.location = Location::Payload;
                }
                if raw.union {
                    ShapeKind::Union(members)
                } else {
                    ShapeKind::Structure(members)
                }
            }
            "list" => {
                let member = raw
                    .member
                    .as_ref()
                    .ok_or_else(|| self.malformed(place(), "a list without `member`".into()))?;
                ShapeKind::List(Box::new(self.member(name, "member", member)?))
            }
            "map" => {
                let (Some(key), Some(value)) = (&raw.key, &raw.value) else {
                    return Err(self.malformed(place(), "a map without `key` or `value`".into()));
                };
                ShapeKind::Map {
                    key: Box::new(self.member(name, "key", key)?),
                    value: Box::new(self.member(name, "value", value)?),
                }
            }
            "string" => match &raw.enum_values {
                Some(values) => {
                    ShapeKind::Enum(values.iter().map(|v| v.as_str().to_string()).collect())
                }
                None => ShapeKind::String,
            },
            "blob" => ShapeKind::Blob,
            "boolean" => ShapeKind::Boolean,
            "byte" => ShapeKind::Byte,
            "short" => ShapeKind::Short,
            "integer" => ShapeKind::Integer,
            "long" => ShapeKind::Long,
            "float" => ShapeKind::Float,
            "double" => ShapeKind::Double,
            "bigInteger" => ShapeKind::BigInteger,
            "bigDecimal" => ShapeKind::BigDecimal,
            "timestamp" => ShapeKind::Timestamp,
            other => {
                return Err(self.malformed(place(), format!("unknown type `{other}`")));
            }
        };
        let mut shape = Shape::new(name, kind);
        self.constraints(
            &mut shape,
            raw.min.as_ref(),
            raw.max.as_ref(),
            raw.pattern.as_ref(),
        );
        shape.sensitive = raw.sensitive;
        shape.timestamp_format = self.timestamp_format(raw.timestamp_format.as_ref(), &place)?;
        shape.json_value = raw.jsonvalue;
        shape.streaming = raw.streaming;
        shape.event_stream = raw.eventstream;
        shape.xml_name = text(&raw.location_name);
        shape.flattened = raw.flattened;
        shape.xml_namespace = raw.xml_namespace.as_ref().map(xml_namespace);
        if raw.exception || raw.fault || raw.error.is_some() {
            let error = raw.error.as_ref();
            let sender_fault = error.and_then(|e| e.sender_fault);
            shape.error = Some(ErrorTrait {
                code: error.and_then(|e| text(&e.code)),
                status: error.and_then(|e| e.http_status_code),
                fault: if raw.fault || sender_fault == Some(false) {
                    Fault::Server
                } else {
                    Fault::Client
                },
                retryable: raw.retryable.is_some(),
                throttling: raw.retryable.as_ref().is_some_and(|r| r.throttling),
            });
        }
        shape.deprecated = raw.deprecated;
        shape.boxed = raw.boxed;
        shape.docs = raw.documentation.0.clone();
        Ok(shape)
    }

    fn member(
        &mut self,
        owner: &str,
        name: &str,
        raw: &'r RawRef<'a>,
    ) -> Result<Member, BotocoreError> {
        let place = || format!("shape `{owner}`, member `{name}`");
        let target_name = raw.shape.as_str();
        let mut target = self.id_of(target_name).ok_or_else(|| {
            self.malformed(
                place(),
                format!("its target `{target_name}` is no shape of the model"),
            )
        })?;
        if raw.enum_values.is_some()
            || raw.min.is_some()
            || raw.max.is_some()
            || raw.pattern.is_some()
        {
            let id = ShapeId(self.next_id);
            self.next_id += 1;
            self.derived.push(Derived {
                name: format!("{owner}.{name}"),
                target,
                raw,
            });
            target = id;
        }
        let wire_name = || {
            raw.location_name
                .as_ref()
                .map_or(name, Text::as_str)
                .to_string()
        };
        let location = match raw.location.as_ref().map(Text::as_str) {
            None => Location::Body,
            Some("uri") => Location::Label { greedy: false },
            Some("querystring") => Location::Query(wire_name()),
            Some("header") => Location::Header(wire_name()),
            Some("headers") => {
                Location::PrefixHeaders(text(&raw.location_name).unwrap_or_default())
            }
            Some("statusCode") => Location::StatusCode,
            Some(other) => {
                return Err(self.malformed(place(), format!("unknown location `{other}`")));
            }
        };
        let mut member = Member::new(name, target);
        member.location = location;
        member.location_name = text(&raw.location_name);
        member.query_name = text(&raw.query_name);
        member.xml_attribute = raw.xml_attribute;
        member.xml_namespace = raw.xml_namespace.as_ref().map(xml_namespace);
        member.flattened = raw.flattened;
        member.idempotency_token = raw.idempotency_token;
        member.host_label = raw.host_label;
        member.json_value = raw.jsonvalue;
        member.sensitive = raw.sensitive;
        member.timestamp_format = self.timestamp_format(raw.timestamp_format.as_ref(), &place)?;
        member.streaming = raw.streaming;
        member.deprecated = raw.deprecated;
        member.boxed = raw.boxed;
        member.default = raw.default.clone().map(Box::new);
        member.docs = raw.documentation.0.clone();
        Ok(member)
    }

    fn timestamp_format(
        &self,
        raw: Option<&Text<'_>>,
        place: &dyn Fn() -> String,
    ) -> Result<Option<TimestampFormat>, BotocoreError> {
        raw.map(|format| {
            TimestampFormat::parse(format.as_str()).ok_or_else(|| {
                self.malformed(
                    place(),
                    format!("unknown timestampFormat `{}`", format.as_str()),
                )
            })
        })
        .transpose()
    }

    /// A derived shape: the member's own enum, bounds and pattern over a copy of its target.
    fn override_constraints(
        &mut self,
        shape: &mut Shape,
        raw: &'r RawRef<'a>,
    ) -> Result<(), BotocoreError> {
        if let Some(values) = &raw.enum_values {
            if !shape.kind.is_text() {
                return Err(self.malformed(
                    format!("shape `{}`", shape.name),
                    format!("an enum on a {} member", shape.kind.name()),
                ));
            }
            shape.kind = ShapeKind::Enum(values.iter().map(|v| v.as_str().to_string()).collect());
        }
        self.constraints(
            shape,
            raw.min.as_ref(),
            raw.max.as_ref(),
            raw.pattern.as_ref(),
        );
        Ok(())
    }

    /// Sets `min`/`max` (lengths or a numeric range, by kind) and `pattern` where the model gives them; what cannot
    /// be represented or compiled goes to `skipped`, never failing the service.
    fn constraints(
        &mut self,
        shape: &mut Shape,
        min: Option<&serde_json::Number>,
        max: Option<&serde_json::Number>,
        pattern: Option<&'r Text<'a>>,
    ) {
        let constraints: &mut Constraints = &mut shape.constraints;
        let counts_length = matches!(
            shape.kind,
            ShapeKind::String
                | ShapeKind::Enum(_)
                | ShapeKind::List(_)
                | ShapeKind::Map { .. }
                | ShapeKind::Blob
        );
        for (bound, value) in [("min", min), ("max", max)] {
            let Some(value) = value else { continue };
            if counts_length {
                match length(value) {
                    Some(n) if bound == "min" => constraints.min_length = Some(n),
                    Some(n) => constraints.max_length = Some(n),
                    None => constraints.skipped.push(SkippedConstraint {
                        what: format!("{bound} {value}"),
                        reason: "a length must be a whole number of at least 0".into(),
                    }),
                }
            } else if shape.kind.is_numeric() {
                let n = numeric(value);
                if bound == "min" {
                    constraints.min = Some(n);
                } else {
                    constraints.max = Some(n);
                }
            } else {
                constraints.skipped.push(SkippedConstraint {
                    what: format!("{bound} {value}"),
                    reason: format!("a {} shape has no length or range", shape.kind.name()),
                });
            }
        }
        if let Some(source) = pattern {
            let compiled = self
                .patterns
                .entry(source.as_str())
                .or_insert_with(|| shared_pattern(source.as_str()));
            let (min, max) = (constraints.min_length, constraints.max_length);
            match compiled {
                Ok(pattern) => match unsatisfiable(pattern, min, max) {
                    Some(reason) => constraints.skipped.push(SkippedConstraint {
                        what: format!("pattern {}", source.as_str()),
                        reason,
                    }),
                    None => constraints.pattern = Some(pattern.clone()),
                },
                Err(reason) => constraints.skipped.push(SkippedConstraint {
                    what: format!("pattern {}", source.as_str()),
                    reason: reason.clone(),
                }),
            }
        }
    }
}

/// A compiled pattern from the process-wide cache, compiled now if no loaded service holds it.
///
/// Compiled patterns are the bulk of a loaded model's memory (a repeated Unicode class such as
/// `[\P{M}\p{M}]{0,10000}` compiles to megabytes), and services share many, so every service loaded in this process
/// shares one copy of each; the cache holds them weakly, so they go with the last service that uses them. Failures
/// are kept: the same source fails the same way.
fn shared_pattern(source: &str) -> Result<Arc<Pattern>, String> {
    enum Entry {
        Compiled(Weak<Pattern>),
        Failed(String),
    }
    static SHARED: OnceLock<Mutex<(HashMap<String, Entry>, usize)>> = OnceLock::new();
    let shared = SHARED.get_or_init(|| Mutex::new((HashMap::new(), 1024)));
    // A panic elsewhere while the lock was held leaves the map as sound as before: go on with it.
    let lock = || shared.lock().unwrap_or_else(PoisonError::into_inner);
    match lock().0.get(source) {
        Some(Entry::Compiled(weak)) => {
            if let Some(pattern) = weak.upgrade() {
                return Ok(pattern);
            }
        }
        Some(Entry::Failed(reason)) => return Err(reason.clone()),
        None => {}
    }
    // Compiled outside the lock, so the other threads of a parallel load are not held up.
    let compiled = Pattern::new(source)
        .map(Arc::new)
        .map_err(|e| e.to_string());
    let mut guard = lock();
    let (map, prune_at) = &mut *guard;
    let entry = match &compiled {
        Ok(pattern) => Entry::Compiled(Arc::downgrade(pattern)),
        Err(reason) => Entry::Failed(reason.clone()),
    };
    map.insert(source.to_string(), entry);
    if map.len() >= *prune_at {
        map.retain(|_, entry| match entry {
            Entry::Compiled(weak) => weak.strong_count() > 0,
            Entry::Failed(_) => true,
        });
        *prune_at = (map.len() * 2).max(1024);
    }
    compiled
}

/// Strings with a maximum length up to this are checked for a pattern no string of an allowed length matches.
const SATISFIABLE_CHECK_MAX: u64 = 256;

/// Why no string of a length within `min..=max` can match `pattern` (dataexchange's `AwsAccountId`,
/// `.*/^[\d]{12}$/.*` with length 12: at least 14 characters in any reading); `None` when one can, or the maximum
/// is absent or above [`SATISFIABLE_CHECK_MAX`] (not checked, to keep loading fast). Such a pattern cannot be
/// enforced by a service without refusing every value, so it is skipped, never the shape or the service. Answers
/// are kept process-wide: the same constraint gives the same answer.
fn unsatisfiable(pattern: &Pattern, min: Option<u64>, max: Option<u64>) -> Option<String> {
    let max = max.filter(|m| *m <= SATISFIABLE_CHECK_MAX)?;
    let min = min.unwrap_or(0);
    type Answers = HashMap<(String, u64, u64), Option<String>>;
    static KNOWN: OnceLock<Mutex<Answers>> = OnceLock::new();
    let known = KNOWN.get_or_init(Default::default);
    let key = (pattern.source().to_string(), min, max);
    if let Some(answer) = known
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&key)
    {
        return answer.clone();
    }
    let generator = crate::model::pattern::PatternGen::new(pattern, max as usize + 1);
    let answer = (!generator
        .lengths()
        .iter()
        .any(|l| (min..=max).contains(&(l as u64))))
    .then(|| {
        let shortest = generator
            .lengths()
            .min()
            .map_or(format!("none is {} characters or shorter", max + 1), |n| {
                format!("its shortest match is {n} characters")
            });
        format!(
            "no string of length {min} to {max} matches it ({shortest}), so no value could be valid: not checked"
        )
    });
    known
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(key, answer.clone());
    answer
}

fn length(value: &serde_json::Number) -> Option<u64> {
    value.as_u64().or_else(|| {
        let f = value.as_f64()?;
        (f >= 0.0 && f.fract() == 0.0 && f <= u64::MAX as f64).then_some(f as u64)
    })
}

fn numeric(value: &serde_json::Number) -> Numeric {
    if let Some(i) = value.as_i64() {
        Numeric::Int(i.into())
    } else if let Some(u) = value.as_u64() {
        Numeric::Int(u.into())
    } else {
        Numeric::Float(value.as_f64().unwrap_or(f64::NAN))
    }
}

/// What a member takes from its target, as botocore merges a reference's traits with its target's: it streams
/// when the target is a streaming blob/string or an event stream, and is an idempotency token when the target says
/// so (`tokens`, by shape id; derived shapes past its end never do).
fn inherit_target_traits(shapes: &mut [Shape], tokens: &[bool]) {
    let streams: Vec<bool> = shapes
        .iter()
        .map(|s| s.streaming || s.event_stream)
        .collect();
    for shape in shapes.iter_mut() {
        let members: Vec<&mut Member> = match &mut shape.kind {
            ShapeKind::Structure(members) | ShapeKind::Union(members) => {
                members.iter_mut().collect()
            }
            ShapeKind::List(member) => vec![member],
            ShapeKind::Map { key, value } => vec![key, value],
            _ => continue,
        };
        for member in members {
            let target = member.target.index();
            member.streaming |= streams[target];
            member.idempotency_token |= tokens.get(target).copied().unwrap_or(false);
        }
    }
}

/// Marks the input's label members greedy when the operation's URI writes them `{Name+}`.
///
/// An input structure shared by operations gets the last one's say; the published models share inputs only between
/// operations that agree.
fn mark_greedy_labels(shapes: &mut [Shape], op: &Operation) {
    let Some(input) = op.input else { return };
    let path = op.http.uri().split('?').next().unwrap_or("");
    let greedy: HashSet<&str> = path
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split('}').next()?.strip_suffix('+'))
        .collect();
    if let ShapeKind::Structure(members) = &mut shapes[input.index()].kind {
        for member in members {
            if let Location::Label { greedy: g } = &mut member.location {
                *g = greedy.contains(member.location_name.as_deref().unwrap_or(&member.name));
            }
        }
    }
}

/// Why conform cannot test the operation: a streaming payload or an event stream in its input or output.
fn unsupported_reason(shapes: &[Shape], op: &Operation) -> Option<String> {
    let mut reasons = Vec::new();
    for id in [op.input, op.output].into_iter().flatten() {
        let shape = &shapes[id.index()];
        for member in shape.kind.members() {
            if member.streaming {
                let what = if shapes[member.target.index()].event_stream {
                    "event stream"
                } else {
                    "streaming payload"
                };
                reasons.push(format!("{what} `{}` of {}", member.name, shape.name));
            }
        }
    }
    (!reasons.is_empty()).then(|| reasons.join("; "))
}
