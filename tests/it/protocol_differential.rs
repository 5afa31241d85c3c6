//! Differential test: conform's protocol encoders against botocore's serializers, for every operation of every
//! service of the installed botocore that speaks restJson1 or awsJson (those that prefer CBOR but list JSON
//! included), and, in a second test, of every service that speaks awsQuery or ec2Query (those that now prefer JSON
//! but still list query included, encoded as query), and, in a third, of every service that lists rpcv2Cbor
//! (`smithy-rpc-v2-cbor`), encoded as CBOR.
//!
//! For each operation [`INPUTS_PER_OPERATION`] valid inputs are built from the shape graph, deterministically (see
//! [`build_input`]: the case generator's valid-input builder is private to the crate and plans from the spec files'
//! fixtures, so the test has its own), encoded by conform, and serialised by botocore in one long-lived Python
//! process (`scripts/botocore_serialize.py`, one JSON line in and one out per input). Both requests are compared
//! part by part: method, path (escaped as sent, segment by segment), query (a multiset of `key=value` pairs, escaped
//! as sent), the headers botocore sets, the body (equal as JSON, or byte for byte when it is no JSON) and the host
//! prefix. A form body (awsQuery, ec2Query) is compared as a multiset of decoded (name, value) pairs, as botocore's
//! `AWSPreparedRequest` form-encodes its field dict. A CBOR body is compared as decoded data (floats by value
//! whatever their width, maps as sets of entries), since ciborium writes each float in the shortest width that
//! holds it exactly where botocore always writes 32 or 64 bits. botocore's `ParamValidator` checks every input, so a builder bug cannot pass for an encoder bug.
//!
//! Where the two differ only in how they write the same instant (botocore writes date-time fractions to the
//! microsecond, `.250000Z`; conform to the millisecond, `.250Z`, as Smithy and the other SDKs do), timestamps are
//! compared as instants, decoded.
//!
//! At least [`MIN_AGREEMENT`] of the operations must agree on every input; an operation that disagrees must be
//! listed, with the reason, in `protocol_differential_exceptions.txt`, or the test fails naming it with the diff.
//! Loading, encoding and botocore's serialising overlap (a pipeline).
//!
//! Needs botocore: `CONFORM_PYTHON`, else `.venv/bin/python` (`scripts/test.sh` installs it there with moto). The
//! test fails, never skips, without it.

#[path = "protocol_differential_xml.rs"]
mod xml;

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path as FsPath, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use conform::frontend::botocore::Models;
use conform::model::{Member, Operation, ProtocolId, Service, Shape, ShapeKind, Timestamp, Value};
use conform::protocol::{self, EncodeError, HttpRequest};
use indexmap::IndexMap;
use serde_json::{Value as Json, json};

/// Inputs per operation.
const INPUTS_PER_OPERATION: u64 = 1;

/// Inputs per restXml operation: there are few of them (463), and the XML rules that matter most (attributes,
/// prefixed namespaces, flattened lists) sit in optional members deep down, which one coin-flipped input rarely
/// reaches.
const REST_XML_INPUTS_PER_OPERATION: u64 = 12;

/// The share of operations that must agree with botocore on every input (the others are listed, with reasons, in
/// `protocol_differential_exceptions.txt`).
const MIN_AGREEMENT: f64 = 0.995;

/// How deep the builder follows nested structures, lists and maps (recursive shapes are cut there).
const MAX_DEPTH: usize = 5;

pub(super) const NEEDS_BOTOCORE: &str = "run `scripts/test.sh`, which installs the pinned botocore into .venv, or set \
     CONFORM_PYTHON to a Python that can import botocore";

// ---------------------------------------------------------------------------------------------------------------
// A small deterministic random source (SplitMix64): the builder must give the same inputs on every run.

struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }

    fn coin(&mut self) -> bool {
        self.next() & 1 == 1
    }

    fn range(&mut self, lo: i128, hi: i128) -> i128 {
        if hi <= lo {
            return lo;
        }
        let span = (hi - lo) as u128;
        lo + (u128::from(self.next()) % (span + 1).min(u128::from(u64::MAX))) as i128
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The test-only input builder.

/// Where a string will travel, which decides what characters it may hold.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Carrier {
    Body,
    Label,
    Query,
    Header,
    HostLabel,
}

/// Builds a valid input for `op`: required members always, optional ones on a coin flip, lengths and ranges within
/// the model's bounds, enum values, pattern-matching strings where a simple candidate matches.
fn build_input(service: &Service, op: &Operation, seed: u64) -> Value {
    let mut rng = Rng::new(seed.wrapping_mul(31).wrapping_add(hash(&op.name)));
    let Some(input) = op.input else {
        return Value::structure();
    };
    let mut members = IndexMap::new();
    for member in service.shape(input).kind.members() {
        if !(member.required || rng.coin() || member.host_label) {
            continue;
        }
        let carrier = if member.host_label {
            Carrier::HostLabel
        } else {
            match member.location {
                conform::model::Location::Label { .. } => Carrier::Label,
                conform::model::Location::Query(_) => Carrier::Query,
                conform::model::Location::Header(_)
                | conform::model::Location::PrefixHeaders(_) => Carrier::Header,
                _ => Carrier::Body,
            }
        };
        if let Some(value) = build_member(service, member, &mut rng, 1, carrier) {
            members.insert(member.name.clone(), value);
        }
    }
    Value::Structure(members)
}

fn hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

fn build_member(
    service: &Service,
    member: &Member,
    rng: &mut Rng,
    depth: usize,
    carrier: Carrier,
) -> Option<Value> {
    let shape = service.target(member);
    if member.json_value || shape.json_value {
        return Some(Value::string(r#"{"key":"value","n":[1,2]}"#));
    }
    build_shape(service, shape, rng, depth, carrier)
}

/// A length within the shape's bounds, near `preferred`.
fn length(shape: &Shape, rng: &mut Rng, preferred: u64) -> u64 {
    let min = shape.constraints.min_length.unwrap_or(0);
    let max = shape.constraints.max_length.unwrap_or(u64::MAX).max(min);
    (min + rng.below(preferred + 1)).clamp(min, max.min(min.max(preferred) + 8))
}

fn build_shape(
    service: &Service,
    shape: &Shape,
    rng: &mut Rng,
    depth: usize,
    carrier: Carrier,
) -> Option<Value> {
    let c = &shape.constraints;
    Some(match &shape.kind {
        ShapeKind::Structure(members) => {
            let mut out = IndexMap::new();
            for m in members {
                // Required members always (a valid model lets them end), optional ones while not too deep.
                let wanted = m.required || (depth < MAX_DEPTH && rng.coin());
                if !wanted || depth > MAX_DEPTH * 6 {
                    continue;
                }
                if let Some(v) = build_member(service, m, rng, depth + 1, carrier) {
                    out.insert(m.name.clone(), v);
                }
            }
            Value::Structure(out)
        }
        ShapeKind::Union(members) => {
            if members.is_empty() {
                return Some(Value::structure());
            }
            // Deep down, prefer members that end soon: scalars, then structures, then the rest.
            let weight = |m: &Member| match service.target(m).kind {
                ShapeKind::Union(_) | ShapeKind::List(_) | ShapeKind::Map { .. } => 2,
                ShapeKind::Structure(_) => 1,
                _ => 0,
            };
            let start = rng.below(members.len() as u64) as usize;
            let mut order: Vec<&Member> = (0..members.len())
                .map(|i| &members[(start + i) % members.len()])
                .collect();
            if depth >= MAX_DEPTH {
                order.sort_by_key(|m| weight(m));
            }
            let mut out = IndexMap::new();
            for m in order {
                if let Some(v) = build_member(service, m, rng, depth + 1, carrier) {
                    out.insert(m.name.clone(), v);
                    break;
                }
            }
            Value::Structure(out)
        }
        ShapeKind::List(item) => {
            let n = if depth >= MAX_DEPTH {
                c.min_length.unwrap_or(0)
            } else {
                length(shape, rng, 2)
            };
            let mut items = Vec::new();
            for _ in 0..n {
                items.push(build_member(service, item, rng, depth + 1, carrier)?);
            }
            Value::List(items)
        }
        ShapeKind::Map { key, value } => {
            let n = if depth >= MAX_DEPTH {
                c.min_length.unwrap_or(0)
            } else {
                length(shape, rng, 2)
            };
            let mut entries = IndexMap::new();
            let mut attempts = 0;
            while (entries.len() as u64) < n && attempts < n * 4 + 4 {
                attempts += 1;
                let key_carrier = if carrier == Carrier::Header {
                    Carrier::Header
                } else {
                    Carrier::Query
                };
                let Some(Value::String(k)) =
                    build_shape(service, service.target(key), rng, depth + 1, key_carrier)
                else {
                    continue;
                };
                let k = if carrier == Carrier::Header {
                    // Prefix-header keys become header names: tokens only, lower case (HTTP folds the case).
                    k.chars()
                        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
                        .collect::<String>()
                        .to_ascii_lowercase()
                } else {
                    k
                };
                if k.is_empty() && carrier == Carrier::Header {
                    continue;
                }
                let v = build_member(service, value, rng, depth + 1, carrier)?;
                entries.insert(k, v);
            }
            Value::Map(entries)
        }
        ShapeKind::Document => Value::Document(json!({"doc": [1, "two", true, {"n": 1.5}]})),
        ShapeKind::String => Value::String(string_value(shape, rng, carrier)),
        ShapeKind::Enum(values) => {
            if values.is_empty() {
                Value::string("x")
            } else {
                Value::String(values[rng.below(values.len() as u64) as usize].clone())
            }
        }
        ShapeKind::IntEnum(values) => Value::Integer(
            values
                .get(rng.below(values.len().max(1) as u64) as usize)
                .copied()
                .unwrap_or(0),
        ),
        ShapeKind::Blob => {
            let n = length(shape, rng, 6);
            Value::Blob((0..n).map(|_| rng.next() as u8).collect())
        }
        ShapeKind::Boolean => Value::Boolean(rng.coin()),
        ShapeKind::Timestamp => {
            // Whole seconds now and then, millisecond fractions otherwise.
            let secs = 1_500_000_000 + rng.below(300_000_000) as i64;
            let millis = if rng.coin() {
                0
            } else {
                rng.below(1000) as i64
            };
            Value::Timestamp(Timestamp {
                epoch_millis: secs * 1000 + millis,
            })
        }
        kind if kind.is_integral() => {
            let (lo, hi) = kind
                .integral_range()
                .unwrap_or((i64::MIN.into(), i64::MAX.into()));
            let lo = c.min.map_or(lo, |m| m.as_i128_ceil()).max(lo);
            let hi = c.max.map_or(hi, |m| m.as_i128_floor()).min(hi);
            // Small numbers mostly, the bounds now and then.
            let v = match rng.below(4) {
                0 => lo,
                1 => hi,
                _ => rng.range(lo.max(-1000), hi.min(1000).max(lo.max(-1000))),
            };
            Value::Integer(v.clamp(i64::MIN.into(), i64::MAX.into()) as i64)
        }
        _ => {
            let lo = c.min.map(|m| m.as_f64());
            let hi = c.max.map(|m| m.as_f64());
            let v = match (lo, hi) {
                (None, None) if rng.below(8) == 0 => {
                    [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e16, 1.5e-7]
                        [rng.below(5) as usize]
                }
                _ => {
                    let lo = lo.unwrap_or(-1000.0);
                    let hi = hi.unwrap_or(lo.max(0.0) + 1000.0).max(lo);
                    let v = lo + (hi - lo) * (rng.below(1000) as f64 / 1000.0);
                    (v * 4.0).round() / 4.0
                }
            };
            let v = match (lo, hi) {
                (Some(lo), _) if v < lo => lo,
                (_, Some(hi)) if v > hi => hi,
                _ => v,
            };
            Value::Float(v)
        }
    })
}

/// A string within the shape's length bounds, matching its pattern when one of a few simple candidates does.
fn string_value(shape: &Shape, rng: &mut Rng, carrier: Carrier) -> String {
    let min = shape.constraints.min_length.unwrap_or(0) as usize;
    let max = shape
        .constraints
        .max_length
        .map_or(usize::MAX, |m| m as usize)
        .max(min);
    let min = if matches!(carrier, Carrier::Label | Carrier::HostLabel) {
        min.max(1)
    } else {
        min
    };
    let want =
        (min + rng.below(12) as usize).clamp(min.max(1).min(max), max.min(min + 24).max(min));
    // Characters that exercise escaping where the carrier allows them.
    let alphabet: &[char] = match carrier {
        Carrier::HostLabel => &['a', 'b', '1', '-', '.', 'Z'],
        Carrier::Header => &['a', 'B', '3', ' ', ',', '"', '/', ':', '=', '-', '_'],
        Carrier::Label | Carrier::Query => &[
            'a', 'B', '3', ' ', '/', ':', '+', '%', '~', '.', '&', '=', 'é', '?', '#',
        ],
        Carrier::Body => &['a', 'B', '3', ' ', '"', '\\', 'é', '😀', '\n', '/'],
    };
    let mut random: Vec<char> = (0..want)
        .map(|_| alphabet[rng.below(alphabet.len() as u64) as usize])
        .collect();
    // HTTP strips the spaces around a header value: conform refuses to send them (as the target would not see
    // them).
    if carrier == Carrier::Header {
        let n = random.len();
        for i in [0, n.saturating_sub(1)] {
            if random.get(i) == Some(&' ') {
                random[i] = 'a';
            }
        }
    }
    let random: String = random.into_iter().collect();
    let Some(pattern) = &shape.constraints.pattern else {
        return random;
    };
    if pattern.is_match(&random) {
        return random;
    }
    let simple: Vec<String> = [
        "a".repeat(want),
        "1".repeat(want),
        "A".repeat(want),
        format!(
            "arn:aws:svc:us-east-1:123456789012:thing/{}",
            "a".repeat(want.saturating_sub(40).max(1))
        ),
        "123456789012".into(),
        "us-east-1".into(),
        "a1".repeat(want.div_ceil(2)),
        "a@example.com".into(),
        "https://example.com".into(),
        "2020-01-02".into(),
        "i-0123456789abcdef0".into(),
    ]
    .into_iter()
    .collect();
    simple
        .into_iter()
        .find(|s| {
            let n = s.chars().count();
            n >= min && n <= max && pattern.is_match(s)
        })
        .unwrap_or(random)
}

// ---------------------------------------------------------------------------------------------------------------
// Running botocore.

/// The Python interpreter with botocore: `CONFORM_PYTHON`, else the venv `scripts/test.sh` creates (as
/// [`super::moto`] finds moto); the `PYTHONPATH` that makes the models' botocore importable when the models come from
/// `CONFORM_MODELS`.
pub(super) fn python_with_botocore(models_root: &FsPath) -> (PathBuf, Option<PathBuf>) {
    let interpreter = match std::env::var_os("CONFORM_PYTHON") {
        Some(path) => PathBuf::from(path),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python"),
    };
    if !interpreter.exists() {
        panic!(
            "botocore is needed by this test but `{}` does not exist; {NEEDS_BOTOCORE}",
            interpreter.display()
        );
    }
    // botocore's data directory sits in the package: <site-packages>/botocore/data.
    let site_packages = models_root
        .parent()
        .filter(|p| p.file_name().is_some_and(|n| n == "botocore"))
        .and_then(FsPath::parent)
        .map(FsPath::to_path_buf);
    let mut command = Command::new(&interpreter);
    command.args(["-c", "import botocore"]);
    if let Some(path) = &site_packages {
        command.env("PYTHONPATH", path);
    }
    match command.output() {
        Ok(out) if out.status.success() => (interpreter, site_packages),
        Ok(out) => panic!(
            "failed to import botocore with `{}` ({}); {NEEDS_BOTOCORE}",
            interpreter.display(),
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or("")
        ),
        Err(e) => panic!(
            "failed to run `{}` ({e}); {NEEDS_BOTOCORE}",
            interpreter.display()
        ),
    }
}

/// The botocore script, started once: lines go in on stdin, answers come back in order on stdout.
fn start_botocore(python: &FsPath, pythonpath: Option<&FsPath>) -> std::process::Child {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/botocore_serialize.py");
    let mut command = Command::new(python);
    command
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    if let Some(path) = pythonpath {
        command.env("PYTHONPATH", path);
    }
    command.spawn().unwrap_or_else(|e| {
        panic!(
            "failed to start {}: {e}; {NEEDS_BOTOCORE}",
            python.display()
        )
    })
}

// ---------------------------------------------------------------------------------------------------------------
// Comparing.

/// An ISO 8601 instant, whatever its fraction's length, as epoch milliseconds.
fn as_instant(text: &str) -> Option<i64> {
    let looks_like = text.len() >= 20
        && text.as_bytes().get(10) == Some(&b'T')
        && text.ends_with('Z')
        && text.as_bytes()[..4].iter().all(u8::is_ascii_digit);
    looks_like
        .then(|| Timestamp::parse_rfc3339(text))
        .flatten()
        .map(|t| t.epoch_millis)
}

fn same_text(a: &str, b: &str) -> bool {
    a == b || as_instant(a).is_some_and(|x| Some(x) == as_instant(b))
}

fn same_json(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => x == y || x.as_f64() == y.as_f64(),
        (Json::String(x), Json::String(y)) => same_text(x, y),
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_json(a, b))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}

fn decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

/// Raw `key=value` pairs of a query string, as sent.
fn query_pairs(query: Option<&str>) -> Vec<String> {
    query
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

/// Whether two escaped texts (a path segment, a query pair) are the same: byte for byte, or the same instant
/// once decoded (botocore writes date-time fractions to the microsecond, conform to the millisecond).
fn same_escaped(a: &str, b: &str) -> bool {
    let same_instant = |x: &str, y: &str| {
        as_instant(&decode(x)).is_some_and(|t| Some(t) == as_instant(&decode(y)))
    };
    a == b
        || match (a.split_once('='), b.split_once('=')) {
            (Some((ka, va)), Some((kb, vb))) => ka == kb && same_instant(va, vb),
            _ => same_instant(a, b),
        }
}

/// Matches two form bodies as multisets of decoded (name, value) pairs.
fn same_pairs(ours: &[(String, String)], theirs: &[(String, String)]) -> bool {
    let mut left: Vec<&(String, String)> = theirs.iter().collect();
    ours.len() == theirs.len()
        && ours.iter().all(|(k, v)| {
            match left.iter().position(|(tk, tv)| tk == k && same_text(v, tv)) {
                Some(i) => {
                    left.swap_remove(i);
                    true
                }
                None => false,
            }
        })
}

/// Matches two multisets of escaped texts.
fn same_multiset(ours: &[String], theirs: &[String]) -> bool {
    let mut left: Vec<&String> = theirs.iter().collect();
    ours.len() == theirs.len()
        && ours
            .iter()
            .all(|o| match left.iter().position(|t| same_escaped(o, t)) {
                Some(i) => {
                    left.swap_remove(i);
                    true
                }
                None => false,
            })
}

/// How conform's request differs from botocore's; empty when they agree.
fn differences(ours: &HttpRequest, theirs: &Json) -> Vec<String> {
    let mut out = Vec::new();
    let text = |key: &str| theirs.get(key).and_then(Json::as_str).unwrap_or("");
    if ours.method != text("method") {
        out.push(format!(
            "method: conform {} botocore {}",
            ours.method,
            text("method")
        ));
    }
    let segments = |p: &str| p.split('/').map(str::to_string).collect::<Vec<_>>();
    let (our_path, their_path) = (segments(ours.path_only()), segments(text("url_path")));
    if our_path.len() != their_path.len()
        || our_path
            .iter()
            .zip(&their_path)
            .any(|(a, b)| !same_escaped(a, b))
    {
        out.push(format!(
            "path: conform {} botocore {}",
            ours.path_only(),
            text("url_path")
        ));
    }
    let our_query = query_pairs(ours.query());
    let their_query: Vec<String> = theirs["query"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p.as_str().map(str::to_string))
        .collect();
    if !same_multiset(&our_query, &their_query) {
        out.push(format!(
            "query: conform {our_query:?} botocore {their_query:?}"
        ));
    }
    let their_body: Vec<u8> = match (
        theirs.get("body").and_then(Json::as_str),
        theirs.get("body_base64").and_then(Json::as_str),
    ) {
        (Some(text), _) => text.as_bytes().to_vec(),
        (None, Some(b64)) => {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD
                .decode(b64)
                .unwrap_or_default()
        }
        _ => Vec::new(),
    };
    let their_headers: BTreeMap<String, String> = theirs["headers"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.as_str().unwrap_or("").to_string()))
        .collect();
    let mut our_headers: BTreeMap<String, String> = ours
        .headers
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
        .collect();
    // botocore without the CRT cannot compute CRC32C, CRC64NVME, MD5 or the XXHashes: conform must send that header
    // all the same (its value is held to known answers in protocol::checksum's tests), and it is not compared.
    if let Some(name) = theirs.get("checksum_not_computed").and_then(Json::as_str)
        && our_headers.remove(name).is_none()
    {
        out.push(format!(
            "header {name}: conform none, botocore would send one (it cannot compute it without the CRT)"
        ));
    }
    // A checksum is of the body's bytes, which may differ where the bodies are the same data (XML written
    // otherwise): where the values differ, each must be its own body's checksum by the algorithm the name says, the
    // checksum botocore computed (over its body) proving conform's algorithm and encoding. (A value the input gives,
    // `ChecksumCRC32`, is sent as given by both.)
    let checksum_of = |name: &str| {
        name.strip_prefix("x-amz-checksum-")
            .and_then(protocol::checksum::Algorithm::parse)
    };
    for (name, value) in &their_headers {
        if let (Some(algorithm), Some(ours_value)) = (checksum_of(name), our_headers.get(name))
            && !same_text(ours_value, value)
        {
            if algorithm.checksum(&their_body) != *value {
                out.push(format!(
                    "header {name}: botocore's {value:?} is not conform's {} of botocore's body",
                    algorithm.name()
                ));
            }
            if algorithm.checksum(&ours.body) != *ours_value {
                out.push(format!(
                    "header {name}: conform's {ours_value:?} is not the {} of its body",
                    algorithm.name()
                ));
            }
            continue;
        }
        match our_headers.get(name) {
            Some(ours) if same_text(ours, value) => {}
            Some(ours) => out.push(format!(
                "header {name}: conform {ours:?} botocore {value:?}"
            )),
            None => out.push(format!("header {name}: conform none, botocore {value:?}")),
        }
    }
    for (name, value) in &our_headers {
        if !their_headers.contains_key(name) {
            out.push(format!("header {name}: conform {value:?}, botocore none"));
        }
    }
    let form = ours
        .header("content-type")
        .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    let cbor = ours.header("smithy-protocol").is_some();
    if cbor {
        if !same_cbor_body(&ours.body, &their_body) {
            out.push(format!(
                "cbor body: conform {} botocore {}",
                cbor_text(&ours.body),
                cbor_text(&their_body)
            ));
        }
    } else if form {
        let (a, b) = (
            protocol::form_decode(&ours.body),
            protocol::form_decode(&their_body),
        );
        let same = match (&a, &b) {
            (Some(a), Some(b)) => same_pairs(a, b),
            _ => false,
        };
        if !same {
            out.push(format!(
                "form: conform {} botocore {}",
                String::from_utf8_lossy(&ours.body),
                String::from_utf8_lossy(&their_body)
            ));
        }
    } else if let (false, Some(a), Some(b)) = (
        ours.body == their_body,
        xml::parse(&ours.body),
        xml::parse(&their_body),
    ) {
        if let Some(d) = xml::difference(&a, &b, &same_text, "") {
            out.push(format!(
                "xml body: {d}: conform {} botocore {}",
                String::from_utf8_lossy(&ours.body),
                String::from_utf8_lossy(&their_body)
            ));
        }
    } else if ours.body != their_body {
        let parsed = (
            serde_json::from_slice::<Json>(&ours.body),
            serde_json::from_slice::<Json>(&their_body),
        );
        match parsed {
            (Ok(a), Ok(b)) if same_json(&a, &b) => {}
            _ => out.push(format!(
                "body: conform {} botocore {}",
                String::from_utf8_lossy(&ours.body),
                String::from_utf8_lossy(&their_body)
            )),
        }
    }
    let their_prefix = theirs.get("host_prefix").and_then(Json::as_str);
    if ours.host_prefix.as_deref() != their_prefix {
        out.push(format!(
            "host prefix: conform {:?} botocore {their_prefix:?}",
            ours.host_prefix
        ));
    }
    out
}

/// Whether two CBOR bodies hold the same data: both empty, or one data item each that decode equal ([`same_cbor`])
/// and write the same floats in the same widths ([`float_widths`]).
fn same_cbor_body(ours: &[u8], theirs: &[u8]) -> bool {
    if ours.is_empty() || theirs.is_empty() {
        return ours.is_empty() && theirs.is_empty();
    }
    match (
        ciborium::de::from_reader::<ciborium::Value, _>(ours),
        ciborium::de::from_reader::<ciborium::Value, _>(theirs),
    ) {
        (Ok(a), Ok(b)) => {
            same_cbor(&a, &b) && float_widths(ours).is_some_and(|w| float_widths(theirs) == Some(w))
        }
        _ => false,
    }
}

/// Every float a CBOR body writes, as (its value's bits, NaN as one; its width in bytes), sorted: decoded data
/// forgets widths, and botocore writes a `float` member in 4 bytes, a `double` in 8 and NaN and the infinities in
/// 2. `None` for bytes that are no CBOR.
fn float_widths(body: &[u8]) -> Option<Vec<(u64, usize)>> {
    use ciborium_io::Read;
    use ciborium_ll::{Decoder, Header};
    let mut decoder = Decoder::from(body);
    let mut out = Vec::new();
    while decoder.offset() < body.len() {
        let before = decoder.offset();
        match decoder.pull().ok()? {
            Header::Float(f) => {
                let bits = if f.is_nan() { u64::MAX } else { f.to_bits() };
                out.push((bits, decoder.offset() - before - 1));
            }
            Header::Bytes(Some(n)) | Header::Text(Some(n)) => {
                let mut skipped = vec![0; n];
                decoder.read_exact(&mut skipped).ok()?;
            }
            _ => {}
        }
    }
    out.sort_unstable();
    Some(out)
}

/// CBOR data compared as decoded: floats by value whatever their width (NaN equal to NaN), maps as sets of entries
/// (botocore writes the input's order, conform the value's), tags, types and everything else exactly.
fn same_cbor(a: &ciborium::Value, b: &ciborium::Value) -> bool {
    use ciborium::Value as C;
    match (a, b) {
        (C::Float(x), C::Float(y)) => x == y || (x.is_nan() && y.is_nan()),
        (C::Array(x), C::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_cbor(a, b))
        }
        (C::Map(x), C::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.iter().any(|(l, w)| same_cbor(k, l) && same_cbor(v, w)))
        }
        (C::Tag(t, x), C::Tag(u, y)) => t == u && same_cbor(x, y),
        _ => a == b,
    }
}

#[test]
fn cbor_bodies_compare_as_decoded_data() {
    use ciborium::Value as C;
    let bytes = |v: &C| {
        let mut out = Vec::new();
        ciborium::ser::into_writer(v, &mut out).unwrap();
        out
    };
    let text = |s: &str| C::Text(s.into());
    let a = C::Map(vec![
        (text("A"), C::Float(1.5)),
        (text("T"), C::Tag(1, Box::new(C::Integer(5.into())))),
    ]);
    // The same data, entries in another order: the float in 64 bits (`fb`) on both sides.
    let written = |width: u8| {
        let mut b = vec![0xa2, 0x61, b'T', 0xc1, 0x05, 0x61, b'A', width];
        match width {
            0xfb => b.extend(1.5f64.to_be_bytes()),
            0xfa => b.extend(1.5f32.to_be_bytes()),
            _ => b.extend([0x3e, 0x00]),
        }
        b
    };
    let mut ours = vec![0xa2, 0x61, b'A', 0xfb];
    ours.extend(1.5f64.to_be_bytes());
    ours.extend([0x61, b'T', 0xc1, 0x05]);
    assert!(same_cbor_body(&ours, &written(0xfb)));
    assert!(same_cbor_body(&[], &[]));
    // The same value in another width (32 bits, or ciborium's 16) is a difference: botocore's widths are the rule.
    assert!(!same_cbor_body(&ours, &written(0xfa)));
    assert!(!same_cbor_body(&ours, &bytes(&a)));
    // Different data: an untagged timestamp, another float, a missing body, bytes that are no CBOR.
    let untagged = C::Map(vec![
        (text("A"), C::Float(1.5)),
        (text("T"), C::Integer(5.into())),
    ]);
    let other = C::Map(vec![
        (text("A"), C::Float(1.25)),
        (text("T"), C::Tag(1, Box::new(C::Integer(5.into())))),
    ]);
    for different in [bytes(&untagged), bytes(&other), Vec::new(), vec![0xff]] {
        assert!(!same_cbor_body(&bytes(&a), &different), "{different:02x?}");
    }
}

/// A CBOR body as its decoded data (or its bytes in hexadecimal when it is none), for messages.
fn cbor_text(body: &[u8]) -> String {
    match ciborium::de::from_reader::<ciborium::Value, _>(body) {
        Ok(value) => format!("{value:?}"),
        Err(_) => body.iter().map(|b| format!("{b:02x}")).collect(),
    }
}

/// Counts what the compared requests exercise, so that a narrow builder shows in the figures.
fn count_coverage(coverage: &mut BTreeMap<&'static str, usize>, request: &HttpRequest) {
    let mut count = |what| *coverage.entry(what).or_default() += 1;
    if request.query().is_some() {
        count("a query");
    }
    if request.path_only().contains('%') {
        count("an escaped path");
    }
    if request
        .headers
        .iter()
        .any(|(n, _)| !matches!(n.as_str(), "content-type" | "x-amz-target"))
    {
        count("member headers");
    }
    if request.host_prefix.is_some() {
        count("a host prefix");
    }
    if request
        .headers
        .iter()
        .any(|(n, _)| n.starts_with("x-amz-checksum-"))
    {
        count("a checksum header");
    }
    if request.body.is_empty() {
        count("no body");
    } else if let Some(form) = request
        .header("content-type")
        .filter(|t| t.starts_with("application/x-www-form-urlencoded"))
        .and_then(|_| protocol::form_decode(&request.body))
    {
        count("a form body");
        let numbered = |k: &str| k.split('.').any(|p| p.parse::<u32>().is_ok());
        if form.iter().any(|(k, _)| numbered(k)) {
            count("form lists or maps");
        }
        if form.iter().any(|(k, _)| k.contains(".entry.")) {
            count("form maps with entries");
        }
        if form.iter().any(|(k, _)| k.contains('.') && !numbered(k)) {
            count("form nested structures");
        }
        if form
            .iter()
            .any(|(k, v)| k != "Action" && k != "Version" && v.is_empty())
        {
            count("form empty values (empty lists)");
        }
    } else if let Some(root) = xml::parse(&request.body) {
        count("an XML body");
        for what in xml::features(&root) {
            count(what);
        }
    } else if serde_json::from_slice::<Json>(&request.body).is_err() {
        count("a non-JSON body");
    }
}

/// One input and what became of it on conform's side.
struct Case {
    operation: String,
    input: Value,
    encoded: Result<HttpRequest, EncodeError>,
}

/// A service's cases, in the order their lines went to botocore (the service itself is dropped once encoded: all
/// of them at once would take a gigabyte).
struct Batch {
    service: String,
    protocol: &'static str,
    operations: usize,
    cases: Vec<Case>,
}

/// How a test encodes: the protocol it puts services in, and conform's encoder for it.
#[derive(Clone, Copy)]
struct Under {
    /// The protocol of a service (of those it lists) this test compares.
    choose: fn(&[ProtocolId]) -> Option<ProtocolId>,
    /// conform's encoder.
    encode: fn(&Service, &Operation, &Value) -> Result<HttpRequest, EncodeError>,
    /// The exceptions file's text.
    exceptions: &'static str,
    /// The exceptions file's name, for messages.
    exceptions_file: &'static str,
    /// At least this many services (a smaller catalogue means the models were not found whole).
    min_services: usize,
    /// What the test compares, for its figures (`JSON`, `query`).
    what: &'static str,
}

fn batch_of(mut service: Service, under: Under) -> Batch {
    if let Some(chosen) = (under.choose)(&service.protocols) {
        service.protocol = chosen;
    }
    let mut cases = Vec::new();
    for op in service.operations.values() {
        let inputs = match service.protocol {
            ProtocolId::RestXml => REST_XML_INPUTS_PER_OPERATION,
            _ => INPUTS_PER_OPERATION,
        };
        for seed in 0..inputs {
            let mut input = build_input(&service, op, seed);
            // botocore's client fills absent tokens before serialising; both sides get the same one.
            protocol::fill_idempotency_tokens(&service, op, &mut input);
            let encoded = (under.encode)(&service, op, &input);
            cases.push(Case {
                operation: op.name.clone(),
                input,
                encoded,
            });
        }
    }
    Batch {
        service: service.name.clone(),
        protocol: service.protocol.botocore_name(),
        operations: service.operations.len(),
        cases,
    }
}

fn encode_json(
    service: &Service,
    op: &Operation,
    input: &Value,
) -> Result<HttpRequest, EncodeError> {
    protocol::for_id(service.protocol)
        .expect("JSON protocols only")
        .encode(service, op, input)
}

fn encode_query(
    service: &Service,
    op: &Operation,
    input: &Value,
) -> Result<HttpRequest, EncodeError> {
    let query = match service.protocol {
        ProtocolId::Ec2Query => protocol::AwsQuery::EC2,
        _ => protocol::AwsQuery::QUERY,
    };
    query.encode_request(service, op, input)
}

#[test]
fn json_protocol_encoders_agree_with_botocore_on_every_operation() {
    differential(Under {
        choose: |protocols| protocols.iter().copied().find(|p| p.is_json()),
        encode: encode_json,
        exceptions: include_str!("protocol_differential_exceptions.txt"),
        exceptions_file: "protocol_differential_exceptions.txt",
        min_services: 300,
        what: "JSON",
    });
}

#[test]
fn query_protocol_encoders_agree_with_botocore_on_every_operation() {
    differential(Under {
        choose: |protocols| {
            protocols
                .iter()
                .copied()
                .find(|p| matches!(p, ProtocolId::AwsQuery | ProtocolId::Ec2Query))
        },
        encode: encode_query,
        exceptions: include_str!("protocol_differential_query_exceptions.txt"),
        exceptions_file: "protocol_differential_query_exceptions.txt",
        min_services: 15,
        what: "query",
    });
}

fn encode_cbor(
    service: &Service,
    op: &Operation,
    input: &Value,
) -> Result<HttpRequest, EncodeError> {
    use conform::protocol::Protocol;
    protocol::RpcV2Cbor.encode(service, op, input)
}

#[test]
fn cbor_protocol_encoder_agrees_with_botocore_on_every_operation() {
    differential(Under {
        choose: |protocols| {
            protocols
                .contains(&ProtocolId::RpcV2Cbor)
                .then_some(ProtocolId::RpcV2Cbor)
        },
        encode: encode_cbor,
        exceptions: include_str!("protocol_differential_cbor_exceptions.txt"),
        exceptions_file: "protocol_differential_cbor_exceptions.txt",
        min_services: 40,
        what: "rpcv2Cbor",
    });
}

fn encode_rest_xml(
    service: &Service,
    op: &Operation,
    input: &Value,
) -> Result<HttpRequest, EncodeError> {
    protocol::RestXml.encode_request(service, op, input)
}

#[test]
fn rest_xml_protocol_encoder_agrees_with_botocore_on_every_operation() {
    differential(Under {
        choose: |protocols| {
            protocols
                .iter()
                .copied()
                .find(|p| *p == ProtocolId::RestXml)
        },
        encode: encode_rest_xml,
        exceptions: include_str!("protocol_differential_restxml_exceptions.txt"),
        exceptions_file: "protocol_differential_restxml_exceptions.txt",
        min_services: 4,
        what: "restXml",
    });
}

/// Runs the differential test over every service `under` chooses a protocol for.
fn differential(under: Under) {
    let started = Instant::now();
    let env = std::env::var_os("CONFORM_MODELS");
    let models = Models::locate(None, env.as_deref())
        .unwrap_or_else(|e| panic!("failed to find botocore's models: {e}; {NEEDS_BOTOCORE}"));
    let (python, pythonpath) = python_with_botocore(&models.root);
    let services: Vec<String> = models
        .catalog()
        .services
        .into_iter()
        .filter(|entry| (under.choose)(&entry.protocols).is_some())
        .map(|entry| entry.name)
        .collect();
    assert!(
        services.len() >= under.min_services,
        "only {} {} services found",
        services.len(),
        under.what
    );

    // A pipeline, so that botocore's time and conform's overlap: workers load and encode services, one thread
    // writes their lines to the botocore process as they come, another reads the answers.
    let mut child = start_botocore(&python, pythonpath.as_deref());
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let stdout = child.stdout.take().expect("stdout is piped");
    let next = std::sync::atomic::AtomicUsize::new(0);
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let (batches, answers) = std::thread::scope(|scope| {
        let (sender, receiver) = std::sync::mpsc::channel::<Batch>();
        for _ in 0..workers {
            let sender = sender.clone();
            let (next, models, names) = (&next, &models, &services);
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(name) = names.get(i) else { break };
                    let service = models
                        .load(name)
                        .unwrap_or_else(|e| panic!("failed to load {name}: {e}"));
                    if sender.send(batch_of(service, under)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(sender);
        let writer = scope.spawn(move || {
            let mut out = std::io::BufWriter::new(&mut stdin);
            let mut batches = Vec::new();
            for batch in receiver {
                for case in &batch.cases {
                    let line = json!({
                        "service": batch.service,
                        "operation": case.operation,
                        "protocol": batch.protocol,
                        "input": case.input.to_typed_json(),
                    });
                    writeln!(out, "{line}").expect("failed to write to the botocore script");
                }
                out.flush().expect("failed to write to the botocore script");
                batches.push(batch);
            }
            batches
        });
        let reader = scope.spawn(move || {
            BufReader::new(stdout)
                .lines()
                .map(|line| {
                    let line = line.expect("failed to read botocore's answer");
                    serde_json::from_str::<Json>(&line)
                        .unwrap_or_else(|e| panic!("failed to parse botocore's answer {line}: {e}"))
                })
                .collect::<Vec<Json>>()
        });
        let batches = writer.join().expect("the writer does not panic");
        let answers = reader.join().expect("the reader does not panic");
        (batches, answers)
    });
    let status = child
        .wait()
        .expect("failed to wait for the botocore script");
    assert!(
        status.success(),
        "scripts/botocore_serialize.py failed ({status}); {NEEDS_BOTOCORE}"
    );
    let serialised_at = started.elapsed();
    let inputs: usize = batches.iter().map(|b| b.cases.len()).sum();
    assert_eq!(
        answers.len(),
        inputs,
        "botocore answered {} of {inputs} inputs",
        answers.len()
    );

    // Compare.
    let mut disagreeing_ops: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    let mut invalid_inputs: Vec<String> = Vec::new();
    let mut by_reason: HashMap<String, usize> = HashMap::new();
    let mut operations = 0;
    let mut coverage: BTreeMap<&str, usize> = BTreeMap::new();
    let mut answers = answers.iter();
    for batch in &batches {
        operations += batch.operations;
        for case in &batch.cases {
            let answer = answers.next().expect("one answer per case");
            let key = (batch.service.clone(), case.operation.clone());
            if let Some(problems) = answer.get("validation").and_then(Json::as_array)
                && !problems.is_empty()
            {
                invalid_inputs.push(format!(
                    "{}.{}: {} ({})",
                    key.0, key.1, problems[0], case.input
                ));
            }
            if let Ok(ours) = &case.encoded {
                count_coverage(&mut coverage, ours);
            }
            if answer
                .get("checksum_not_computed")
                .is_some_and(Json::is_string)
            {
                *coverage
                    .entry("a checksum botocore cannot compute without the CRT (not compared)")
                    .or_default() += 1;
            }
            let diffs = match (&case.encoded, answer.get("ok").and_then(Json::as_bool)) {
                (Ok(ours), Some(true)) => differences(ours, answer),
                // Both refuse: botocore raises for a host label it cannot put in a host, conform cannot carry it.
                (Err(_), Some(false)) => {
                    *coverage.entry("refused by both").or_default() += 1;
                    vec![]
                }
                (Err(e), _) => vec![format!("conform refused: {e}")],
                (Ok(_), _) => vec![format!("botocore refused: {}", answer["error"])],
            };
            if !diffs.is_empty() {
                for d in &diffs {
                    let reason = d.split(':').next().unwrap_or(d).to_string();
                    *by_reason.entry(reason).or_default() += 1;
                }
                disagreeing_ops.entry(key).or_default().push(format!(
                    "{}\n      input {}",
                    diffs.join("\n      "),
                    case.input
                ));
            }
        }
    }
    let agreeing = operations - disagreeing_ops.len();
    let rate = agreeing as f64 / operations as f64;
    eprintln!(
        "protocol differential ({}): {} services, {operations} operations, {inputs} inputs; {agreeing} operations agree \
         on every input ({:.3}%); loaded, encoded and serialised by botocore in {:.1?}, compared by {:.1?}",
        under.what,
        batches.len(),
        rate * 100.0,
        serialised_at,
        started.elapsed()
    );
    eprintln!("  inputs whose request has: {coverage:?}");
    let mut reasons: Vec<_> = by_reason.into_iter().collect();
    reasons.sort_by_key(|r| std::cmp::Reverse(r.1));
    for (reason, count) in &reasons {
        eprintln!("  {count:6} × {reason}");
    }
    for ((service, op), diffs) in &disagreeing_ops {
        eprintln!("  {service}.{op}:\n    {}", diffs[0]);
    }
    for line in invalid_inputs.iter().take(20) {
        eprintln!("  botocore's ParamValidator refuses {line}");
    }
    assert!(
        invalid_inputs.is_empty(),
        "{} inputs do not pass botocore's ParamValidator (a builder bug, listed above)",
        invalid_inputs.len()
    );
    let exceptions = exceptions(under.exceptions, under.exceptions_file);
    let unlisted: Vec<String> = disagreeing_ops
        .iter()
        .filter(|((service, op), _)| !exceptions.contains_key(&format!("{service}.{op}")))
        .map(|((service, op), diffs)| format!("{service}.{op}:\n    {}", diffs[0]))
        .collect();
    assert!(
        unlisted.is_empty(),
        "{} operation(s) disagree with botocore and are not in {}:\n  {}",
        unlisted.len(),
        under.exceptions_file,
        unlisted.join("\n  ")
    );
    for name in exceptions.keys() {
        let (service, op) = name.split_once('.').unwrap_or((name, ""));
        if !disagreeing_ops.contains_key(&(service.to_string(), op.to_string())) {
            eprintln!("  listed as an exception but agrees now: {name}");
        }
    }
    assert!(
        rate >= MIN_AGREEMENT,
        "{} of {operations} operations disagree with botocore ({:.3}% agree, under {}%; listed above)",
        disagreeing_ops.len(),
        rate * 100.0,
        MIN_AGREEMENT * 100.0
    );
}

/// The operations known to disagree with botocore, `Service.Operation` to the reason (an exceptions file: one
/// `Service.Operation: reason` a line, `#` comments).
fn exceptions(text: &str, file: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (name, reason) = line.split_once(": ").unwrap_or_else(|| {
            panic!("failed to read the exception `{line}` of {file}: no `: reason`")
        });
        assert!(
            !reason.trim().is_empty() && name.contains('.'),
            "failed to read the exception `{line}` of {file}: it needs `Service.Operation: reason`"
        );
        out.insert(name.to_string(), reason.trim().to_string());
    }
    out
}
