//! Services and operations: metadata, HTTP bindings and the arena of shapes a service owns.

use std::collections::HashMap;

use indexmap::IndexMap;

use super::rules::{
    Disagreement, Document, Example, Expectation, Fixture, Provenance, Restore, Role, Scenario,
    SnapshotRules,
};
use super::shape::{Member, Shape, ShapeId};

/// The AWS wire protocols.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProtocolId {
    /// REST with JSON bodies and HTTP bindings.
    RestJson1,
    /// JSON RPC 1.0: `POST /`, `X-Amz-Target` names the operation.
    AwsJson1_0,
    /// JSON RPC 1.1.
    AwsJson1_1,
    /// Form-encoded requests, XML responses.
    AwsQuery,
    /// EC2's variant of awsQuery.
    Ec2Query,
    /// REST with XML bodies and HTTP bindings.
    RestXml,
    /// Smithy RPC v2 with CBOR bodies.
    RpcV2Cbor,
}

impl ProtocolId {
    /// Every protocol, in a fixed order.
    pub const ALL: [ProtocolId; 7] = [
        ProtocolId::RestJson1,
        ProtocolId::AwsJson1_0,
        ProtocolId::AwsJson1_1,
        ProtocolId::AwsQuery,
        ProtocolId::Ec2Query,
        ProtocolId::RestXml,
        ProtocolId::RpcV2Cbor,
    ];

    /// The Smithy name, as spec files, reports and `--protocol` write it.
    pub fn as_str(self) -> &'static str {
        match self {
            ProtocolId::RestJson1 => "restJson1",
            ProtocolId::AwsJson1_0 => "awsJson1_0",
            ProtocolId::AwsJson1_1 => "awsJson1_1",
            ProtocolId::AwsQuery => "awsQuery",
            ProtocolId::Ec2Query => "ec2Query",
            ProtocolId::RestXml => "restXml",
            ProtocolId::RpcV2Cbor => "rpcv2Cbor",
        }
    }

    /// Parses a Smithy name (`restJson1`) or one of botocore's (`rest-json`; `json` needs the JSON version,
    /// see [`ProtocolId::from_botocore`]).
    pub fn parse(name: &str) -> Option<Self> {
        ProtocolId::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(name))
            .or_else(|| ProtocolId::from_botocore(name, None))
    }

    /// A botocore `metadata.protocol(s)` name; `json` is 1.0 or 1.1 by `jsonVersion` (1.0 when absent).
    pub fn from_botocore(name: &str, json_version: Option<&str>) -> Option<Self> {
        Some(match name {
            "rest-json" => ProtocolId::RestJson1,
            "json" => match json_version {
                Some("1.1") => ProtocolId::AwsJson1_1,
                _ => ProtocolId::AwsJson1_0,
            },
            "query" => ProtocolId::AwsQuery,
            "ec2" => ProtocolId::Ec2Query,
            "rest-xml" => ProtocolId::RestXml,
            "smithy-rpc-v2-cbor" => ProtocolId::RpcV2Cbor,
            _ => return None,
        })
    }

    /// botocore's name for the protocol (what `botocore.serialize.create_serializer` takes).
    pub fn botocore_name(self) -> &'static str {
        match self {
            ProtocolId::RestJson1 => "rest-json",
            ProtocolId::AwsJson1_0 | ProtocolId::AwsJson1_1 => "json",
            ProtocolId::AwsQuery => "query",
            ProtocolId::Ec2Query => "ec2",
            ProtocolId::RestXml => "rest-xml",
            ProtocolId::RpcV2Cbor => "smithy-rpc-v2-cbor",
        }
    }

    /// Whether the operation is named by `X-Amz-Target` (awsJson 1.0 and 1.1).
    pub fn is_aws_json(self) -> bool {
        matches!(self, ProtocolId::AwsJson1_0 | ProtocolId::AwsJson1_1)
    }

    /// Whether bodies are JSON (restJson1, awsJson 1.0/1.1).
    pub fn is_json(self) -> bool {
        matches!(
            self,
            ProtocolId::RestJson1 | ProtocolId::AwsJson1_0 | ProtocolId::AwsJson1_1
        )
    }
}

impl std::fmt::Display for ProtocolId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which region requests are signed for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegionRule {
    /// Always this region, whatever the user chose (Account: us-east-1).
    Fixed(String),
    /// The user's region, `default` when none is set; `allowed` lists where the service runs (empty: any).
    Chosen {
        /// Region used when the user sets none.
        default: String,
        /// Regions the service runs in; empty means any.
        allowed: Vec<String>,
    },
}

impl RegionRule {
    /// The region to sign for, given the user's choice.
    pub fn resolve<'a>(&'a self, chosen: Option<&'a str>) -> &'a str {
        match self {
            RegionRule::Fixed(region) => region,
            RegionRule::Chosen { default, .. } => chosen.unwrap_or(default),
        }
    }

    /// Whether the service runs in `region` (a fixed rule ignores the choice, so any region is fine).
    pub fn allows(&self, region: &str) -> bool {
        match self {
            RegionRule::Fixed(_) => true,
            RegionRule::Chosen { allowed, .. } => {
                allowed.is_empty() || allowed.iter().any(|r| r == region)
            }
        }
    }
}

/// An operation's HTTP binding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Http {
    /// Method, upper case.
    pub method: String,
    /// The request URI template as the model writes it: path with `{Label}` / `{Greedy+}` and an optional static
    /// query after `?` (`/{Bucket}?tagging`).
    uri: String,
    /// `uri`, parsed: routing matches every request against it, so it is parsed once, here. Private with `uri` so
    /// that the two cannot disagree: a binding changes only through `Http::new`.
    template: super::uri::UriTemplate,
    /// The status of a success.
    pub response_code: u16,
}

impl Http {
    /// The binding of a method (upper case), a request URI template and a success status.
    pub fn new(method: impl Into<String>, uri: impl Into<String>, response_code: u16) -> Self {
        let uri = uri.into();
        Http {
            method: method.into(),
            template: super::uri::UriTemplate::parse(&uri),
            uri,
            response_code,
        }
    }

    /// The request URI template as the model writes it.
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// The request URI template, parsed.
    pub fn template(&self) -> &super::uri::UriTemplate {
        &self.template
    }
}

impl Default for Http {
    fn default() -> Self {
        Http::new("POST", "/", 200)
    }
}

/// What the spec files add to an operation.
#[derive(Debug, Clone, Default)]
pub struct OperationRules {
    /// Seed, companion, or imported from a published model.
    pub role: Role,
    /// Whether the operation changes state on the target; `None` when nothing says (then the name decides).
    pub mutates: Option<bool>,
    /// Why the operation is off on real targets unless named with `--include` (it emails people, ...).
    pub guarded: Option<String>,
    /// Errors a valid request may also get, depending on the target's state (Delete of a missing contact).
    pub on_state: Option<Expectation>,
    /// The documents' sample requests.
    pub examples: Vec<Example>,
}

/// One operation of a service.
#[derive(Debug, Clone)]
pub struct Operation {
    /// Operation name (`PutAlternateContact`).
    pub name: String,
    /// Method, URI template and success status.
    pub http: Http,
    /// The input structure, if the operation takes one.
    pub input: Option<ShapeId>,
    /// The output structure, if the operation returns one.
    pub output: Option<ShapeId>,
    /// The error structures the operation declares.
    pub errors: Vec<ShapeId>,
    /// `endpoint.hostPrefix`: a prefix of the host, with `{Label}`s of host-label members.
    pub host_prefix: Option<String>,
    /// Whether the model marks it read-only; `None` when the model says nothing.
    pub readonly: Option<bool>,
    /// Whether the model marks it idempotent.
    pub idempotent: bool,
    /// Deprecated in the model.
    pub deprecated: bool,
    /// The operation needs no signature (`authtype: none`).
    pub unsigned: bool,
    /// Why the operation cannot be tested (a streaming or event-stream member); it is listed but generates nothing.
    pub unsupported: Option<String>,
    /// The `httpChecksumRequired` and `httpChecksum` traits: which checksum the request carries.
    pub checksum: Checksums,
    /// awsQuery's `resultWrapper`: the element the output is wrapped in (`CreateQueueResult`).
    pub result_wrapper: Option<String>,
    /// How the operation pages through its results, when the model says (botocore's `paginators-1.json`).
    pub paginator: Option<Paginator>,
    /// The first sentence of the documentation.
    pub docs: Option<String>,
    /// What the spec files add.
    pub rules: OperationRules,
    /// Where it comes from.
    pub source: Provenance,
}

impl Operation {
    /// An operation with no input, output or errors, `POST /`.
    pub fn new(name: impl Into<String>) -> Self {
        Operation {
            name: name.into(),
            http: Http::default(),
            input: None,
            output: None,
            errors: Vec::new(),
            host_prefix: None,
            readonly: None,
            idempotent: false,
            deprecated: false,
            unsigned: false,
            unsupported: None,
            checksum: Checksums::default(),
            result_wrapper: None,
            paginator: None,
            docs: None,
            rules: OperationRules::default(),
            source: Provenance::default(),
        }
    }

    /// Whether the operation changes state: the spec's word, else the model's `readonly`, else its name (only
    /// Get*, List*, Describe*, Head* and the like count as reads).
    pub fn mutates(&self) -> bool {
        if let Some(mutates) = self.rules.mutates {
            return mutates;
        }
        if let Some(readonly) = self.readonly {
            return !readonly;
        }
        const READS: [&str; 10] = [
            "Get", "List", "Describe", "Head", "Search", "Query", "Scan", "Lookup", "Check",
            "Validate",
        ];
        !READS.iter().any(|prefix| {
            self.name.starts_with(prefix)
                && self.name[prefix.len()..]
                    .chars()
                    .next()
                    .is_none_or(|c| c.is_ascii_uppercase())
        })
    }
}

/// An operation's checksum traits (Smithy's `httpChecksumRequired` and `httpChecksum`, as botocore's models carry
/// them).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Checksums {
    /// The request must carry a checksum: `httpChecksumRequired`, or `httpChecksum.requestChecksumRequired`.
    pub required: bool,
    /// `requestAlgorithmMember`: the input member (a header) naming the algorithm of the request's checksum.
    pub algorithm_member: Option<String>,
    /// `requestValidationModeMember`: the input member that asks for a checksum of the response.
    pub validation_mode_member: Option<String>,
    /// `responseAlgorithms`: the algorithms a response's checksum may use.
    pub response_algorithms: Vec<String>,
}

impl Checksums {
    /// Whether the operation has either trait.
    pub fn any(&self) -> bool {
        self.required
            || self.algorithm_member.is_some()
            || self.validation_mode_member.is_some()
            || !self.response_algorithms.is_empty()
    }
}

/// How an operation pages through its results: botocore's `paginators-1.json` entry for it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Paginator {
    /// The input members that carry the token of the next page (usually one, `NextToken`).
    pub input_tokens: Vec<String>,
    /// Where each next token is found in the output, one per input token: a member name or a JMESPath-like
    /// expression (`NextMarker || Contents[-1].Key`).
    pub output_tokens: Vec<String>,
    /// The input member that limits the page size, when there is one.
    pub limit_key: Option<String>,
    /// The outputs holding the page's results (member names or expressions).
    pub result_keys: Vec<String>,
    /// The output member that says whether more pages follow (`IsTruncated`), when the model names one.
    pub more_results: Option<String>,
}

/// What the spec files add to a service.
#[derive(Debug, Clone, Default)]
pub struct ServiceRules {
    /// What a constraint violation gets unless a member overrides it; `None` means the oracle's default.
    pub on_violation: Option<Expectation>,
    /// Source documents, by id.
    pub documents: IndexMap<String, Document>,
    /// Fixtures, by key.
    pub fixtures: IndexMap<String, Fixture>,
    /// Recorded disagreements between documents.
    pub disagreements: Vec<Disagreement>,
    /// Stateful sequences of calls, in file order.
    pub scenarios: Vec<Scenario>,
    /// How responses are normalised for snapshots.
    pub snapshots: SnapshotRules,
    /// State a run records before it changes anything on a real account, and puts back after.
    pub restores: Vec<Restore>,
    /// The service of AWS's published models the spec file overlays (`[service] model`), when it names one.
    pub model: Option<String>,
    /// How the spec file compares with that model, once merged onto it; `None` when the model was not loaded.
    pub overlay: Option<super::rules::OverlayReport>,
}

/// One service: metadata, the shape arena and the operations.
#[derive(Debug, Clone)]
pub struct Service {
    /// Command-line name (`account`, `dynamodb`): botocore's directory name.
    pub name: String,
    /// `metadata.serviceId` (`Account`, `DynamoDB`).
    pub service_id: String,
    /// Full name (`AWS Account`).
    pub title: String,
    /// API version (`2021-02-01`).
    pub api_version: String,
    /// The protocols the service speaks, in the model's order of preference.
    pub protocols: Vec<ProtocolId>,
    /// The protocol in use: the first of `protocols` conform speaks, or the one `--protocol` chose.
    pub protocol: ProtocolId,
    /// SigV4 signing name.
    pub signing_name: String,
    /// Endpoint prefix (`account`, `dynamodb`).
    pub endpoint_prefix: String,
    /// `X-Amz-Target` prefix (awsJson).
    pub target_prefix: Option<String>,
    /// The XML namespace of query and restXml bodies.
    pub xml_namespace: Option<String>,
    /// `awsQueryCompatible`: a JSON service that also sends the query error code in `x-amzn-query-error`.
    pub query_compatible: bool,
    /// `globalEndpoint`: the one host of a global service (`iam.amazonaws.com`), when the model names it.
    pub global_endpoint: Option<String>,
    /// Which region requests are signed for.
    pub region: RegionRule,
    /// Every shape, indexed by [`ShapeId`].
    pub shapes: Vec<Shape>,
    /// Shape ids by name.
    pub shape_ids: HashMap<String, ShapeId>,
    /// Operations, by name, in model order.
    pub operations: IndexMap<String, Operation>,
    /// What the spec files add.
    pub rules: ServiceRules,
    /// Where the service was loaded from (`specs/account.toml`, a botocore `service-2.json.gz`).
    pub file: String,
    /// Where the service metadata comes from.
    pub source: Provenance,
    /// Where the shapes that carry no provenance of their own come from (`botocore dynamodb/2012-08-10`): a
    /// published model's shapes are named by it and their name (see [`Service::shape_source`]) rather than each
    /// keeping a copy of that text (a hundred thousand of them with every model loaded). Empty for spec files.
    pub shape_origin: String,
}

impl Service {
    /// An empty service of this protocol.
    pub fn new(name: impl Into<String>, protocol: ProtocolId) -> Self {
        let name = name.into();
        Service {
            service_id: name.clone(),
            title: name.clone(),
            signing_name: name.clone(),
            endpoint_prefix: name.clone(),
            name,
            api_version: String::new(),
            protocols: vec![protocol],
            protocol,
            target_prefix: None,
            xml_namespace: None,
            query_compatible: false,
            global_endpoint: None,
            region: RegionRule::Chosen {
                default: "us-east-1".into(),
                allowed: Vec::new(),
            },
            shapes: Vec::new(),
            shape_ids: HashMap::new(),
            operations: IndexMap::new(),
            rules: ServiceRules::default(),
            file: String::new(),
            source: Provenance::default(),
            shape_origin: String::new(),
        }
    }

    /// The shape with this id.
    ///
    /// Ids come from this service's arena; one from another service is a bug, and indexing panics on it.
    pub fn shape(&self, id: ShapeId) -> &Shape {
        &self.shapes[id.index()]
    }

    /// The shape a member points at.
    pub fn target(&self, member: &Member) -> &Shape {
        self.shape(member.target)
    }

    /// Where a shape of this service comes from: its own provenance, else the service's [`Service::shape_origin`]
    /// and its name (`botocore dynamodb/2012-08-10: TableName`).
    pub fn shape_source<'a>(&'a self, shape: &'a Shape) -> std::borrow::Cow<'a, str> {
        if shape.source.text.is_empty() && !self.shape_origin.is_empty() {
            format!("{}: {}", self.shape_origin, shape.name).into()
        } else {
            shape.source.text.as_str().into()
        }
    }

    /// A shape by name.
    pub fn shape_named(&self, name: &str) -> Option<(ShapeId, &Shape)> {
        let id = *self.shape_ids.get(name)?;
        Some((id, self.shape(id)))
    }

    /// Adds a shape to the arena (replacing one of the same name) and returns its id.
    pub fn add_shape(&mut self, shape: Shape) -> ShapeId {
        if let Some(id) = self.shape_ids.get(&shape.name) {
            self.shapes[id.index()] = shape;
            return *id;
        }
        let id = ShapeId(self.shapes.len() as u32);
        self.shape_ids.insert(shape.name.clone(), id);
        self.shapes.push(shape);
        id
    }

    /// The members of an operation's input structure (empty when it takes none).
    pub fn input_members(&self, op: &Operation) -> &[Member] {
        op.input
            .map(|id| self.shape(id).kind.members())
            .unwrap_or(&[])
    }

    /// The members of an operation's output structure (empty when it returns none).
    pub fn output_members(&self, op: &Operation) -> &[Member] {
        op.output
            .map(|id| self.shape(id).kind.members())
            .unwrap_or(&[])
    }

    /// An error shape by its name or wire code.
    pub fn error_named(&self, name: &str) -> Option<(ShapeId, &Shape)> {
        if let Some((id, shape)) = self.shape_named(name)
            && shape.error.is_some()
        {
            return Some((id, shape));
        }
        self.shapes.iter().enumerate().find_map(|(i, s)| {
            let code = s.error.as_ref()?.code.as_deref()?;
            (code == name).then_some((ShapeId(i as u32), s))
        })
    }

    /// The `X-Amz-Target` value for an operation (awsJson only).
    pub fn target_header(&self, operation: &str) -> Option<String> {
        self.target_prefix
            .as_ref()
            .map(|prefix| format!("{prefix}.{operation}"))
    }

    /// Whether any member reachable from `root` is sensitive (the member's flag or its target's).
    pub fn is_sensitive(&self, member: &Member) -> bool {
        member.sensitive || self.target(member).sensitive
    }
}
