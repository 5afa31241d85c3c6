//! SigV4, the one implementation both sides use: the client signs with it, the embedded target verifies with it.
//!
//! It follows AWS's SDK signer (aws-sigv4, with its default settings: double-encoded, normalised paths, no
//! `x-amz-content-sha256` header; and with S3's, see [`s3_rules`]) step for step, and a property test proves that
//! the two agree on arbitrary requests. It exists because the SDK signer derives the signing key again for every request (four HMACs, a
//! fifth of the runner's CPU against a fast target); here the key is derived once per secret, day, region and
//! service and kept.

use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use percent_encoding::{AsciiSet, CONTROLS, percent_decode, utf8_percent_encode};
use sha2::{Digest, Sha256};

/// The algorithm named in the Authorization header and the string to sign.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// Headers a client leaves unsigned, as the SDKs do: proxies and CDNs may change them on the way.
pub const UNSIGNED_HEADERS: &[&str] = &[
    "authorization",
    "user-agent",
    "x-amzn-trace-id",
    "transfer-encoding",
];

/// What the SDKs escape in query keys and values and (doubly) in paths: everything but letters, digits, `-._~`
/// and the few sub-delimiters Smithy's encoder leaves alone.
const QUERY_SET: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'/')
    .add(b':')
    .add(b',')
    .add(b'?')
    .add(b'#')
    .add(b'[')
    .add(b']')
    .add(b'{')
    .add(b'}')
    .add(b'|')
    .add(b'@')
    .add(b'!')
    .add(b'$')
    .add(b'&')
    .add(b'\'')
    .add(b'(')
    .add(b')')
    .add(b'*')
    .add(b'+')
    .add(b';')
    .add(b'=')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'"')
    .add(b'^')
    .add(b'`')
    .add(b'\\');

/// The path set: the query set with `/` kept, so that segments stay segments.
const PATH_SET: &AsciiSet = &QUERY_SET.remove(b'/');

/// The credential scope of a signature: `20240501/eu-west-1/workmail/aws4_request`.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    /// `YYYYMMDD`, the first eight characters of the `x-amz-date`.
    pub date: &'a str,
    /// Region.
    pub region: &'a str,
    /// Signing name of the service.
    pub service: &'a str,
}

impl std::fmt::Display for Scope<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}/{}/{}/aws4_request",
            self.date, self.region, self.service
        )
    }
}

/// A request as signed: method, path and query as sent, the headers to sign (any case, any order; several of one
/// name are joined as the SDKs join them), and the body's SHA-256.
#[derive(Debug, Clone, Copy)]
pub struct Signable<'a> {
    /// HTTP method.
    pub method: &'a str,
    /// Path and query string, escaped as sent (`/a%20b?x=1`).
    pub path_and_query: &'a str,
    /// The headers to sign, `host` and `x-amz-date` among them.
    pub headers: &'a [(&'a str, &'a str)],
    /// Lower-case hex SHA-256 of the body.
    pub payload_hash: &'a str,
    /// S3's rules: the path as sent, neither normalised nor escaped again (every other service escapes it twice).
    pub s3: bool,
}

/// Whether a service signs by S3's rules (its signing name is `s3`: S3 and S3 Control, botocore's `s3v4`): the path
/// escaped once and not normalised, and the body's SHA-256 sent and signed in `x-amz-content-sha256`.
pub fn s3_rules(signing_name: &str) -> bool {
    signing_name == "s3"
}

/// Lower-case hex SHA-256 of some bytes, as the canonical request writes the payload's.
pub fn payload_hash(body: &[u8]) -> String {
    hex(&Sha256::digest(body))
}

/// The canonical request and its signed-header list (`host;x-amz-date`).
pub fn canonical_request(request: &Signable<'_>) -> (String, String) {
    let (path, query) = match request.path_and_query.split_once('?') {
        Some((path, query)) => (path, query),
        None => (request.path_and_query, ""),
    };
    let mut headers: Vec<(String, String)> = request
        .headers
        .iter()
        .map(|(name, value)| (name.to_ascii_lowercase(), trim_all(value)))
        .collect();
    // A stable sort by name keeps the values of one name in sending order, which is how they are joined.
    headers.sort_by(|a, b| a.0.cmp(&b.0));
    let mut signed = String::new();
    let mut canonical_headers = String::new();
    let mut previous: Option<&str> = None;
    for (name, value) in &headers {
        if previous == Some(name.as_str()) {
            canonical_headers.pop(); // the newline: another value of the same header follows
            canonical_headers.push(',');
        } else {
            if previous.is_some() {
                signed.push(';');
            }
            signed.push_str(name);
            canonical_headers.push_str(name);
            canonical_headers.push(':');
        }
        canonical_headers.push_str(value);
        canonical_headers.push('\n');
        previous = Some(name.as_str());
    }
    let mut canonical = String::with_capacity(
        request.method.len() + path.len() * 2 + query.len() * 2 + canonical_headers.len() + 128,
    );
    canonical.push_str(request.method);
    canonical.push('\n');
    if request.s3 {
        canonical.push_str(if path.is_empty() { "/" } else { path });
    } else {
        canonical.extend(utf8_percent_encode(&normalise_path(path), PATH_SET));
    }
    canonical.push('\n');
    canonical.push_str(&canonical_query(query));
    canonical.push('\n');
    canonical.push_str(&canonical_headers);
    canonical.push('\n');
    canonical.push_str(&signed);
    canonical.push('\n');
    canonical.push_str(request.payload_hash);
    (canonical, signed)
}

/// The signature of a canonical request made at `amz_date` (`20240501T123456Z`) in `scope`.
pub fn signature(secret: &str, amz_date: &str, scope: &Scope<'_>, canonical: &str) -> String {
    let string_to_sign = format!(
        "{ALGORITHM}\n{amz_date}\n{scope}\n{}",
        hex(&Sha256::digest(canonical.as_bytes()))
    );
    let mut mac = derived(secret, scope).1;
    mac.update(string_to_sign.as_bytes());
    hex(&mac.finalize().into_bytes())
}

/// The `Authorization` header value.
pub fn authorization(
    access_key_id: &str,
    scope: &Scope<'_>,
    signed_headers: &str,
    signature: &str,
) -> String {
    format!(
        "{ALGORITHM} Credential={access_key_id}/{scope}, SignedHeaders={signed_headers}, Signature={signature}"
    )
}

/// The signing key of a secret for a day, region and service.
#[cfg(test)]
fn signing_key(secret: &str, scope: &Scope<'_>) -> [u8; 32] {
    derived(secret, scope).0
}

/// The signing key of a secret for a day, region and service, and an HMAC keyed with it (its inner and outer
/// blocks already hashed, so a signature costs two compressions fewer): derived once, then kept (a run signs tens
/// of thousands of requests with one or two keys).
fn derived(secret: &str, scope: &Scope<'_>) -> ([u8; 32], Hmac<Sha256>) {
    /// One derived key: the secret, day, region and service it is for, the key and its keyed HMAC.
    struct Derived {
        secret: String,
        date: String,
        region: String,
        service: String,
        key: [u8; 32],
        mac: Hmac<Sha256>,
    }
    // A list, not a map: a run holds one or two keys, and comparing borrowed text allocates nothing per request.
    static CACHE: Mutex<Vec<Derived>> = Mutex::new(Vec::new());
    let same = |d: &Derived| {
        d.secret == secret
            && d.date == scope.date
            && d.region == scope.region
            && d.service == scope.service
    };
    if let Some(found) = CACHE.lock().ok().and_then(|cache| {
        cache
            .iter()
            .find(|d| same(d))
            .map(|d| (d.key, d.mac.clone()))
    }) {
        return found;
    }
    let k_date = hmac(format!("AWS4{secret}").as_bytes(), scope.date.as_bytes());
    let k_region = hmac(&k_date, scope.region.as_bytes());
    let k_service = hmac(&k_region, scope.service.as_bytes());
    let key = hmac(&k_service, b"aws4_request");
    // HMAC takes keys of any length: `new_from_slice` cannot fail for it.
    let mac = <Hmac<Sha256> as Mac>::new_from_slice(&key).unwrap_or_else(|_| unreachable!());
    if let Ok(mut cache) = CACHE.lock() {
        // Keys of past days, other regions and unknown-key cases would otherwise pile up in a long `serve`.
        if cache.len() >= 64 {
            cache.clear();
        }
        cache.push(Derived {
            secret: secret.to_string(),
            date: scope.date.to_string(),
            region: scope.region.to_string(),
            service: scope.service.to_string(),
            key,
            mac: mac.clone(),
        });
    }
    (key, mac)
}

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    // HMAC takes keys of any length: `new_from_slice` cannot fail for it.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// Lower-case hex of some bytes.
pub(crate) fn hex(bytes: &[u8]) -> String {
    // A table rather than `write!("{b:02x}")` per byte: formatting cost about 7k instructions a digest, three
    // digests a request.
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    out
}

/// A header value as signed: spaces trimmed at both ends and runs of spaces collapsed to one (tabs stay).
fn trim_all(value: &str) -> String {
    let value = value.trim_matches(' ');
    let mut out = String::with_capacity(value.len());
    let mut after_space = false;
    for c in value.chars() {
        if c == ' ' {
            if !after_space {
                out.push(c);
            }
            after_space = true;
        } else {
            out.push(c);
            after_space = false;
        }
    }
    out
}

/// The path with `.` and `..` segments resolved and empty segments dropped, as the SDK signer normalises it.
fn normalise_path(path: &str) -> String {
    if path.is_empty() {
        return "/".to_string();
    }
    let rooted = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    };
    if !(rooted.contains('.') || rooted.contains("//")) {
        return rooted;
    }
    let mut segments: Vec<&str> = Vec::new();
    for segment in rooted.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            other => segments.push(other),
        }
    }
    let mut out = format!("/{}", segments.join("/"));
    let ends_with_slash = ["/", "/.", "/./", "/..", "/../"]
        .iter()
        .any(|s| rooted.ends_with(s));
    if ends_with_slash && !out.ends_with('/') {
        out.push('/');
    }
    out
}

/// The query string as signed: each pair decoded as a form (`+` is a space), escaped again, sorted.
fn canonical_query(query: &str) -> String {
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|piece| !piece.is_empty())
        .map(|piece| {
            let (key, value) = piece.split_once('=').unwrap_or((piece, ""));
            (reencode(key), reencode(value))
        })
        .collect();
    pairs.sort();
    let mut out = String::with_capacity(query.len() + 16);
    for (i, (key, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(key);
        out.push('=');
        out.push_str(value);
    }
    out
}

fn reencode(text: &str) -> String {
    let plus_as_space = text.replace('+', " ");
    let decoded = percent_decode(plus_as_space.as_bytes()).decode_utf8_lossy();
    utf8_percent_encode(&decoded, QUERY_SET).to_string()
}

/// Parses `20150830T123600Z`.
pub(crate) fn parse_amz_date(text: &str) -> Option<SystemTime> {
    let b = text.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let digits = |range: std::ops::Range<usize>| -> Option<i64> {
        let s = text.get(range)?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    let (year, month, day) = (digits(0..4)?, digits(4..6)?, digits(6..8)?);
    let (hour, minute, second) = (digits(9..11)?, digits(11..13)?, digits(13..15)?);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 59
        || year < 1970
    {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second;
    Some(UNIX_EPOCH + Duration::from_secs(u64::try_from(secs).ok()?))
}

/// Formats a time as `20150830T123600Z`.
pub(crate) fn format_amz_date(time: SystemTime) -> String {
    let secs = time
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// Formats epoch seconds as ISO-8601 (`2015-08-30T12:36:00Z`).
pub(crate) fn format_iso8601(secs: i64) -> String {
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

// Howard Hinnant's civil calendar algorithms.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_lower_case_two_digits_a_byte() {
        let bytes: Vec<u8> = (0..=255).collect();
        let expected: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex(&bytes), expected);
        assert_eq!(hex(&[]), "");
    }

    #[test]
    fn paths_are_normalised_as_the_sdk_does() {
        assert_eq!(normalise_path(""), "/");
        assert_eq!(normalise_path("/"), "/");
        assert_eq!(normalise_path("a/b"), "/a/b");
        assert_eq!(normalise_path("/a/./b/../c"), "/a/c");
        assert_eq!(normalise_path("/a//b/"), "/a/b/");
        assert_eq!(normalise_path("/a/.."), "/");
        assert_eq!(normalise_path("/../.."), "/");
    }

    #[test]
    fn header_values_lose_outer_and_repeated_spaces_only() {
        assert_eq!(trim_all("  a   b  c "), "a b c");
        assert_eq!(trim_all("a\t\tb"), "a\t\tb");
        assert_eq!(trim_all(""), "");
    }

    #[test]
    fn the_query_is_decoded_reescaped_and_sorted() {
        assert_eq!(
            canonical_query("b=2&a=1+1&&c&a=%2a"),
            "a=%2A&a=1%201&b=2&c="
        );
        assert_eq!(canonical_query(""), "");
    }

    #[test]
    fn a_cached_key_is_the_key_derived_afresh() {
        let scope = Scope {
            date: "20240501",
            region: "eu-west-1",
            service: "workmail",
        };
        let first = signing_key("secret-a", &scope);
        assert_eq!(signing_key("secret-a", &scope), first);
        assert_ne!(signing_key("secret-b", &scope), first);
        let other_day = Scope {
            date: "20240502",
            ..scope
        };
        assert_ne!(signing_key("secret-a", &other_day), first);
        // The kept HMAC signs as one keyed afresh with the key.
        for secret in ["secret-a", "secret-b"] {
            let mut kept = derived(secret, &scope).1;
            kept.update(b"string to sign");
            assert_eq!(
                kept.finalize().into_bytes().as_slice(),
                hmac(&signing_key(secret, &scope), b"string to sign")
            );
        }
    }

    #[test]
    fn dates_round_trip() {
        for text in [
            "20150830T123600Z",
            "20000229T000000Z",
            "19700101T000000Z",
            "20991231T235959Z",
        ] {
            assert_eq!(format_amz_date(parse_amz_date(text).unwrap()), text);
        }
        assert_eq!(
            parse_amz_date("20150830T123600Z")
                .unwrap()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_secs(),
            1_440_938_160
        );
        for bad in [
            "",
            "2015-08-30T12:36:00Z",
            "20151330T123600Z",
            "2015083OT123600Z",
            "20150830T123600",
        ] {
            assert!(parse_amz_date(bad).is_none(), "{bad}");
        }
        assert_eq!(format_iso8601(1_440_938_160), "2015-08-30T12:36:00Z");
    }
}
