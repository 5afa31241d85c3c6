//! Capping the request and response bodies that reports keep, with the full length and SHA-256 of each capped one.
//!
//! A `body-too-large` case sends 1 MiB; kept whole in its curl command and shrunk case, such cases made up most of
//! a report. Reports (JSON, JUnit, terminal) keep at most [`MAX_KEPT_BODY_BYTES`] of a request body and
//! [`super::BODY_EXCERPT_CHARS`] characters of a response body; `capped_bodies` records, for each body cut, its full
//! length and the SHA-256 of the text the report would have held (sensitive members already masked, so that the
//! digest of a short secret cannot be looked up). `conform replay` sends the full request again.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::CaseResult;

/// The most of a request body a report keeps.
pub const MAX_KEPT_BODY_BYTES: usize = 4096;

/// How the curl command ends when the request has a body (see `client::curl_command`).
const CURL_BODY: &str = " \\\n  --data-binary '";

/// A body a report keeps only in part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CappedBody {
    /// Which body: `request` (the curl command's), `shrunk request` or `response`.
    pub body: String,
    /// Its full length, in bytes.
    pub bytes: u64,
    /// The SHA-256 of the full body, in hex.
    pub sha256: String,
    /// How many bytes of it the report keeps (0 when it keeps none).
    pub kept: u64,
}

impl CappedBody {
    /// Measures `full`, of which the report keeps `kept` bytes.
    pub fn of(body: &str, full: &[u8], kept: usize) -> CappedBody {
        CappedBody {
            body: body.to_string(),
            bytes: full.len() as u64,
            sha256: crate::sigv4::hex(&Sha256::digest(full)),
            kept: kept as u64,
        }
    }

    /// `request body: 1048577 bytes in all (sha256 3f…), 4096 kept`.
    pub fn describe(&self) -> String {
        format!(
            "{} body: {} bytes in all (sha256 {}), {} kept",
            self.body, self.bytes, self.sha256, self.kept
        )
    }
}

/// The longest prefix of `text` of at most `max` bytes that ends on a character boundary.
fn prefix(text: &str, max: usize) -> &str {
    let mut end = max.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Caps the request bodies a result carries (its curl command's and its shrunk case's) and records each one cut.
/// Idempotent: a capped body is not capped again.
pub fn cap_bodies(r: &mut CaseResult) {
    if let Some(capped) = cap_curl(&mut r.reproduce.curl) {
        r.capped_bodies.push(capped);
    }
    let shrunk_capped = r.capped_bodies.iter().any(|c| c.body == "shrunk request");
    if let Some(shrunk) = &mut r.shrunk
        && shrunk.body.len() > MAX_KEPT_BODY_BYTES
        && !shrunk_capped
    {
        let capped = CappedBody::of(
            "shrunk request",
            shrunk.body.as_bytes(),
            MAX_KEPT_BODY_BYTES,
        );
        shrunk.body = format!(
            "{}… ({} bytes in all)",
            prefix(&shrunk.body, MAX_KEPT_BODY_BYTES),
            capped.bytes
        );
        r.capped_bodies.push(capped);
    }
}

/// Replaces an oversized `--data-binary` body with a placeholder that says what it was: a cut body would make a
/// command that runs but sends another request.
fn cap_curl(curl: &mut String) -> Option<CappedBody> {
    let start = curl.rfind(CURL_BODY)? + CURL_BODY.len();
    let quoted = curl[start..].strip_suffix('\'')?;
    if quoted.len() <= MAX_KEPT_BODY_BYTES {
        return None;
    }
    let body = quoted.replace(r"'\''", "'");
    let capped = CappedBody::of("request", body.as_bytes(), 0);
    let placeholder = format!(
        "<the request body is not kept: {} bytes, sha256 {}; the replay line sends it>'",
        capped.bytes, capped.sha256
    );
    curl.truncate(start);
    curl.push_str(&placeholder);
    Some(capped)
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::sample_results;
    use super::*;
    use crate::report::ShrunkCase;

    #[test]
    fn small_bodies_are_kept_whole() {
        let mut r = sample_results().remove(1);
        r.reproduce.curl =
            "curl -X POST 'http://x/' \\\n  --data-binary '{\"a\":\"it'\\''s\"}'".into();
        let before = r.clone();
        cap_bodies(&mut r);
        assert_eq!(r.reproduce, before.reproduce);
        assert_eq!(r.shrunk, before.shrunk);
        assert!(r.capped_bodies.is_empty());
    }

    #[test]
    fn large_bodies_are_capped_with_length_and_digest() {
        let mut r = sample_results().remove(1);
        let body = format!("{{\"Name\":\"{}'\"}}", "a".repeat(1 << 20));
        r.reproduce.curl = format!(
            "curl -X POST 'http://x/' \\\n  -H 'content-type: application/json' \\\n  --data-binary '{}'",
            body.replace('\'', r"'\''")
        );
        r.shrunk = Some(ShrunkCase {
            id: "s".into(),
            mutation: None,
            body: body.clone(),
        });
        cap_bodies(&mut r);
        let digest = crate::sigv4::hex(&Sha256::digest(body.as_bytes()));
        assert!(r.reproduce.curl.len() < 400, "{}", r.reproduce.curl);
        assert!(
            r.reproduce.curl.ends_with(&format!(
                "--data-binary '<the request body is not kept: {} bytes, sha256 {digest}; the replay line sends it>'",
                body.len()
            )),
            "{}",
            r.reproduce.curl
        );
        assert!(
            r.reproduce
                .curl
                .contains("-H 'content-type: application/json'")
        );
        let shrunk = &r.shrunk.as_ref().unwrap().body;
        assert!(shrunk.len() < MAX_KEPT_BODY_BYTES + 100, "{}", shrunk.len());
        assert!(shrunk.ends_with(&format!("… ({} bytes in all)", body.len())));
        assert_eq!(
            r.capped_bodies,
            vec![
                CappedBody {
                    body: "request".into(),
                    bytes: body.len() as u64,
                    sha256: digest.clone(),
                    kept: 0
                },
                CappedBody {
                    body: "shrunk request".into(),
                    bytes: body.len() as u64,
                    sha256: digest,
                    kept: MAX_KEPT_BODY_BYTES as u64
                }
            ]
        );
        // Capping again changes nothing.
        let once = r.clone();
        cap_bodies(&mut r);
        assert_eq!(r.reproduce, once.reproduce);
        assert_eq!(r.capped_bodies, once.capped_bodies);
    }

    #[test]
    fn a_cut_never_splits_a_character() {
        assert_eq!(prefix("aé", 2), "a");
        assert_eq!(prefix("aé", 3), "aé");
    }
}
