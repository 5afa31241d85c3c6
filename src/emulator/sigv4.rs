//! SigV4 verification: parse the Authorization header, re-sign the received bytes (with [`crate::sigv4`]), compare.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::HeaderMap;

use super::faults::{Fault, FaultSet};
use crate::model::{RegionRule, Service};
pub(crate) use crate::sigv4::{format_amz_date, format_iso8601, parse_amz_date};

/// How far X-Amz-Date may be from the clock, as AWS allows.
const MAX_SKEW: Duration = Duration::from_secs(15 * 60);

/// Why authentication failed: the bare error type and AWS's message. The status depends on the protocol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AuthError {
    pub(crate) error_type: &'static str,
    pub(crate) message: String,
}

fn fail(error_type: &'static str, message: impl Into<String>) -> AuthError {
    AuthError {
        error_type,
        message: message.into(),
    }
}

/// The parts of an `AWS4-HMAC-SHA256` Authorization header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParsedAuthorization {
    pub(crate) access_key_id: String,
    pub(crate) date: String,
    pub(crate) region: String,
    pub(crate) service: String,
    pub(crate) signed_headers: Vec<String>,
    pub(crate) signature: String,
}

/// Parses an Authorization header; the error is the IncompleteSignatureException message.
pub(crate) fn parse_authorization(value: &str) -> Result<ParsedAuthorization, String> {
    let rest = value
        .strip_prefix("AWS4-HMAC-SHA256")
        .filter(|rest| rest.starts_with(' '))
        .ok_or_else(|| {
            "Authorization header requires the AWS4-HMAC-SHA256 algorithm followed by 'Credential', 'SignedHeaders' and 'Signature' parameters.".to_string()
        })?;
    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let Some((key, value)) = part.trim().split_once('=') else {
            continue;
        };
        match key.trim() {
            "Credential" => credential = Some(value.trim()),
            "SignedHeaders" => signed_headers = Some(value.trim()),
            "Signature" => signature = Some(value.trim()),
            _ => {}
        }
    }
    let mut missing = Vec::new();
    for (name, found) in [
        ("Credential", credential),
        ("Signature", signature),
        ("SignedHeaders", signed_headers),
    ] {
        if found.is_none_or(str::is_empty) {
            missing.push(format!("Authorization header requires '{name}' parameter."));
        }
    }
    if !missing.is_empty() {
        return Err(missing.join(" "));
    }
    let (credential, signed_headers, signature) = (
        credential.unwrap_or_default(),
        signed_headers.unwrap_or_default(),
        signature.unwrap_or_default(),
    );
    let scope: Vec<&str> = credential.split('/').collect();
    let [access_key_id, date, region, service, terminator] = scope[..] else {
        return Err(format!(
            "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{credential}'"
        ));
    };
    if terminator != "aws4_request" || access_key_id.is_empty() {
        return Err(format!(
            "Credential should be scoped with a valid terminator: 'aws4_request', not '{terminator}'."
        ));
    }
    Ok(ParsedAuthorization {
        access_key_id: access_key_id.to_string(),
        date: date.to_string(),
        region: region.to_string(),
        service: service.to_string(),
        signed_headers: signed_headers
            .split(';')
            .map(|h| h.trim().to_ascii_lowercase())
            .collect(),
        signature: signature.to_string(),
    })
}

/// The service named by the credential scope of a request's Authorization header, if it has one.
pub(crate) fn scope_service(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(http::header::AUTHORIZATION)?.to_str().ok()?;
    let credential = value.split("Credential=").nth(1)?;
    let credential = credential.split([',', ' ']).next()?;
    credential.split('/').nth(3).map(str::to_string)
}

/// What verification needs of a received request.
pub(crate) struct Received<'a> {
    pub(crate) method: &'a str,
    pub(crate) path_and_query: &'a str,
    pub(crate) headers: &'a HeaderMap,
    pub(crate) body: &'a [u8],
}

/// The key pair the target accepts.
pub(crate) struct KeyPair<'a> {
    pub(crate) access_key_id: &'a str,
    pub(crate) secret_access_key: &'a str,
}

/// Verifies a request's SigV4 signature as AWS does, in this order: present, well-formed, known access key,
/// scope (service, region, date), clock skew, signature.
pub(crate) fn verify(
    request: &Received<'_>,
    service: &Service,
    keys: &KeyPair<'_>,
    faults: &FaultSet,
    now: SystemTime,
    missing_message: &'static str,
) -> Result<(), AuthError> {
    let Some(header) = request.headers.get(http::header::AUTHORIZATION) else {
        if faults.has(Fault::UnsignedAccepted) {
            return Ok(());
        }
        return Err(fail("MissingAuthenticationTokenException", missing_message));
    };
    let header = header.to_str().map_err(|_| {
        fail(
            "IncompleteSignatureException",
            "Authorization header is not valid ASCII.",
        )
    })?;
    let auth = parse_authorization(header).map_err(|m| fail("IncompleteSignatureException", m))?;
    let amz_date = request
        .headers
        .get("x-amz-date")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            fail(
                "IncompleteSignatureException",
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
            )
        })?;
    let signed_at = parse_amz_date(amz_date).ok_or_else(|| {
        fail(
            "IncompleteSignatureException",
            format!("X-Amz-Date '{amz_date}' is not an ISO-8601 basic date-time such as 20150830T123600Z."),
        )
    })?;
    if auth.access_key_id != keys.access_key_id {
        if faults.has(Fault::UnknownAccessKeyAccepted) {
            return Ok(());
        }
        return Err(fail(
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
        ));
    }
    let check_signature = !faults.has(Fault::BadSignatureAccepted);
    if check_signature {
        check_scope(&auth, service, amz_date)?;
        check_coverage(&auth, request.headers)?;
    }
    if !faults.has(Fault::ExpiredSignatureAccepted) {
        check_skew(signed_at, now)?;
    }
    if !check_signature {
        return Ok(());
    }
    let expected = compute_signature(request, &auth, keys, amz_date);
    if expected.is_some_and(|expected| constant_time_eq(&expected, &auth.signature)) {
        Ok(())
    } else {
        Err(fail(
            if faults.has(Fault::SignatureErrorXmlCode) {
                "SignatureDoesNotMatch"
            } else {
                "InvalidSignatureException"
            },
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
        ))
    }
}

/// The signature must cover `host` and every `x-amz-*` header sent: an unsigned `X-Amz-Target` could be changed
/// in flight to run another operation than the one signed for.
fn check_coverage(auth: &ParsedAuthorization, headers: &HeaderMap) -> Result<(), AuthError> {
    let signed = |name: &str| auth.signed_headers.iter().any(|h| h == name);
    if !signed("host") {
        return Err(fail(
            "InvalidSignatureException",
            "The host header must be signed.",
        ));
    }
    for name in headers.keys() {
        let name = name.as_str();
        if name.starts_with("x-amz-") && name != "x-amz-content-sha256" && !signed(name) {
            return Err(fail(
                "InvalidSignatureException",
                format!("The {name} header is sent but not signed; sign every x-amz-* header."),
            ));
        }
    }
    Ok(())
}

fn check_scope(
    auth: &ParsedAuthorization,
    service: &Service,
    amz_date: &str,
) -> Result<(), AuthError> {
    if auth.service != service.signing_name {
        return Err(fail(
            "InvalidSignatureException",
            format!(
                "Credential should be scoped to correct service: '{}'. ",
                service.signing_name
            ),
        ));
    }
    let region_ok = match &service.region {
        RegionRule::Fixed(region) => &auth.region == region,
        RegionRule::Chosen { allowed, .. } => {
            allowed.is_empty() || allowed.iter().any(|r| r == &auth.region)
        }
    };
    if !region_ok {
        return Err(fail(
            "InvalidSignatureException",
            format!(
                "Credential should be scoped to a valid region, not '{}'. ",
                auth.region
            ),
        ));
    }
    let day = amz_date.get(..8).unwrap_or(amz_date);
    if auth.date != day {
        return Err(fail(
            "InvalidSignatureException",
            format!(
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{}' != '{day}', from '{amz_date}'.",
                auth.date
            ),
        ));
    }
    Ok(())
}

fn check_skew(signed_at: SystemTime, now: SystemTime) -> Result<(), AuthError> {
    let now = truncate(now);
    if signed_at + MAX_SKEW < now {
        return Err(fail(
            "InvalidSignatureException",
            format!(
                "Signature expired: {} is now earlier than {} ({} - 15 min.)",
                format_amz_date(signed_at),
                format_amz_date(now - MAX_SKEW),
                format_amz_date(now)
            ),
        ));
    }
    if signed_at > now + MAX_SKEW {
        return Err(fail(
            "InvalidSignatureException",
            format!(
                "Signature not yet current: {} is still later than {} ({} + 15 min.)",
                format_amz_date(signed_at),
                format_amz_date(now + MAX_SKEW),
                format_amz_date(now)
            ),
        ));
    }
    Ok(())
}

/// Re-signs the received request with the signed headers, date and scope it claims; `None` when it cannot be signed
/// (a signed header whose value is not UTF-8).
fn compute_signature(
    request: &Received<'_>,
    auth: &ParsedAuthorization,
    keys: &KeyPair<'_>,
    amz_date: &str,
) -> Option<String> {
    // Exactly the headers the client says it signed (`check_coverage` has made sure `host` is among them).
    let mut headers: Vec<(&str, &str)> = Vec::new();
    for name in &auth.signed_headers {
        for value in request.headers.get_all(name.as_str()) {
            // UTF-8 as the client signed it: `to_str` refuses anything beyond visible ASCII, and a header member
            // may hold any string of the model.
            headers.push((name.as_str(), std::str::from_utf8(value.as_bytes()).ok()?));
        }
    }
    let (canonical, _signed) = crate::sigv4::canonical_request(&crate::sigv4::Signable {
        method: request.method,
        path_and_query: request.path_and_query,
        headers: &headers,
        payload_hash: &crate::sigv4::payload_hash(request.body),
        s3: crate::sigv4::s3_rules(&auth.service),
    });
    let scope = crate::sigv4::Scope {
        date: &auth.date,
        region: &auth.region,
        service: &auth.service,
    };
    Some(crate::sigv4::signature(
        keys.secret_access_key,
        amz_date,
        &scope,
        &canonical,
    ))
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn truncate(time: SystemTime) -> SystemTime {
    let secs = time
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    UNIX_EPOCH + Duration::from_secs(secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorization_header_parses_and_says_what_is_missing() {
        let a = parse_authorization(
            "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/account/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc",
        )
        .unwrap();
        assert_eq!(a.service, "account");
        assert_eq!(a.signed_headers, ["host", "x-amz-date"]);
        let e = parse_authorization(
            "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/account/aws4_request",
        )
        .unwrap_err();
        assert!(
            e.contains("'Signature'") && e.contains("'SignedHeaders'"),
            "{e}"
        );
        assert!(parse_authorization("Basic abc").is_err());
        assert!(
            parse_authorization("AWS4-HMAC-SHA256 Credential=a/b, SignedHeaders=host, Signature=x")
                .is_err()
        );
    }
}
