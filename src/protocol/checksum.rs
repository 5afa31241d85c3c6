//! Request checksums (`httpChecksumRequired`, `httpChecksum`): the `x-amz-checksum-*` header AWS's SDKs add to a
//! request, as botocore 1.44's `httpchecksum` module adds it by default, and the server side's check of one.
//!
//! botocore's rule, under its default `request_checksum_calculation = when_supported`, for a body sent whole (not
//! streamed):
//! - an operation with `requestValidationModeMember` gets that member set to `ENABLED` when the input leaves it
//!   out (`handlers._handle_request_validation_mode_member`, before the parameters are serialised);
//! - a request that already carries an `x-amz-checksum-*` header (any name matching `^x-amz-checksum-[a-z0-9]*$`,
//!   without case) gets nothing more;
//! - when the input sets the `requestAlgorithmMember`, its value (without case) names the algorithm: the header
//!   `x-amz-checksum-<algorithm>` carries the body's checksum, base64 of the digest's bytes (big-endian for the
//!   CRCs);
//! - else, when the operation requires a checksum or has an algorithm member, CRC32, and the algorithm member's
//!   header (`x-amz-sdk-checksum-algorithm`) says `CRC32`;
//! - `Content-MD5` is never added any more (the `conditional-md5` path is dead code in 1.44).
//!
//! botocore without the CRT computes only CRC32, SHA-1, SHA-256 and SHA-512 and refuses the others; the other SDKs
//! compute every algorithm of the model's enum, and so does conform (an algorithm it does not know is sent as
//! given, with no checksum: the enum violation is what such a case tests).

use base64::Engine;
use sha2::Digest;

use crate::model::{Location, Operation, Service, Value};

use super::HttpRequest;

/// The value the SDKs give the response-validation member when the input leaves it out.
const VALIDATION_ENABLED: &str = "ENABLED";

/// What the SDKs use when the input names no algorithm.
pub const DEFAULT_ALGORITHM: Algorithm = Algorithm::Crc32;

/// CRC-64/NVME in the CRC catalogue's terms (reveng.sourceforge.io's catalogue; the `crc` crate's catalogue of this
/// version lacks it): the check value for "123456789" is `0xae8b14860a799888`, held by this module's tests.
const CRC_64_NVME: crc::Algorithm<u64> = crc::Algorithm {
    width: 64,
    poly: 0xad93_d235_94c9_3659,
    init: 0xffff_ffff_ffff_ffff,
    refin: true,
    refout: true,
    xorout: 0xffff_ffff_ffff_ffff,
    check: 0xae8b_1486_0a79_9888,
    residue: 0xf310_303b_2b6f_6e42,
};

/// A checksum algorithm of S3's `ChecksumAlgorithm` enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// CRC-32 (ISO-HDLC), as zlib computes it.
    Crc32,
    /// CRC-32C (Castagnoli).
    Crc32c,
    /// CRC-64/NVME.
    Crc64Nvme,
    /// SHA-1.
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-512.
    Sha512,
    /// MD5.
    Md5,
    /// XXH64, seed 0.
    XxHash64,
    /// XXH3 64-bit, seed 0.
    XxHash3,
    /// XXH3 128-bit, seed 0.
    XxHash128,
}

impl Algorithm {
    /// Every algorithm.
    pub const ALL: [Algorithm; 10] = [
        Algorithm::Crc32,
        Algorithm::Crc32c,
        Algorithm::Crc64Nvme,
        Algorithm::Sha1,
        Algorithm::Sha256,
        Algorithm::Sha512,
        Algorithm::Md5,
        Algorithm::XxHash64,
        Algorithm::XxHash3,
        Algorithm::XxHash128,
    ];

    /// The name in the header (`crc32`); the enum's value is its upper case.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Crc32 => "crc32",
            Algorithm::Crc32c => "crc32c",
            Algorithm::Crc64Nvme => "crc64nvme",
            Algorithm::Sha1 => "sha1",
            Algorithm::Sha256 => "sha256",
            Algorithm::Sha512 => "sha512",
            Algorithm::Md5 => "md5",
            Algorithm::XxHash64 => "xxhash64",
            Algorithm::XxHash3 => "xxhash3",
            Algorithm::XxHash128 => "xxhash128",
        }
    }

    /// The algorithm an enum value or header suffix names, without case.
    pub fn parse(name: &str) -> Option<Algorithm> {
        Algorithm::ALL
            .into_iter()
            .find(|a| a.name().eq_ignore_ascii_case(name))
    }

    /// The header that carries this checksum (`x-amz-checksum-crc32`).
    pub fn header(self) -> String {
        format!("x-amz-checksum-{}", self.name())
    }

    /// The digest's bytes (CRCs and XXHashes big-endian, as the SDKs write them).
    pub fn digest(self, body: &[u8]) -> Vec<u8> {
        const CRC32C: crc::Crc<u32> = crc::Crc::<u32>::new(&crc::CRC_32_ISCSI);
        const CRC64NVME: crc::Crc<u64> = crc::Crc::<u64>::new(&CRC_64_NVME);
        match self {
            Algorithm::Crc32 => crc32fast::hash(body).to_be_bytes().to_vec(),
            Algorithm::Crc32c => CRC32C.checksum(body).to_be_bytes().to_vec(),
            Algorithm::Crc64Nvme => CRC64NVME.checksum(body).to_be_bytes().to_vec(),
            Algorithm::Sha1 => sha1::Sha1::digest(body).to_vec(),
            Algorithm::Sha256 => sha2::Sha256::digest(body).to_vec(),
            Algorithm::Sha512 => sha2::Sha512::digest(body).to_vec(),
            Algorithm::Md5 => md5::Md5::digest(body).to_vec(),
            Algorithm::XxHash64 => xxhash_rust::xxh64::xxh64(body, 0).to_be_bytes().to_vec(),
            Algorithm::XxHash3 => xxhash_rust::xxh3::xxh3_64(body).to_be_bytes().to_vec(),
            Algorithm::XxHash128 => xxhash_rust::xxh3::xxh3_128(body).to_be_bytes().to_vec(),
        }
    }

    /// The header's value: the digest in base64.
    pub fn checksum(self, body: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.digest(body))
    }
}

/// Whether a header name is one of the `x-amz-checksum-*` family botocore looks for (`^x-amz-checksum-[a-z0-9]*$`,
/// without case: `x-amz-checksum-mode` counts too).
fn is_checksum_header(name: &str) -> bool {
    checksum_suffix(name).is_some_and(|suffix| suffix.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// What follows `x-amz-checksum-` in a header name (`crc32`), the prefix read without case.
fn checksum_suffix(name: &str) -> Option<&str> {
    const PREFIX: &str = "x-amz-checksum-";
    name.get(..PREFIX.len())
        .filter(|prefix| prefix.eq_ignore_ascii_case(PREFIX))
        .map(|_| &name[PREFIX.len()..])
}

/// The algorithm of a checksum header of a known algorithm (`x-amz-checksum-crc32` → CRC32).
pub(crate) fn algorithm_of(name: &str) -> Option<Algorithm> {
    checksum_suffix(name).and_then(Algorithm::parse)
}

/// The header an input member is bound to, when it is a header.
fn header_of<'s>(service: &'s Service, op: &Operation, member: &str) -> Option<&'s str> {
    service
        .input_members(op)
        .iter()
        .find(|m| m.name == member)
        .and_then(|m| match &m.location {
            Location::Header(name) => Some(name.as_str()),
            _ => None,
        })
}

/// Adds the checksum headers AWS's SDKs add to `request` (encoded from `input`), per the module docs; nothing for
/// an operation without the traits.
pub fn apply(service: &Service, op: &Operation, input: &Value, request: &mut HttpRequest) {
    let traits = &op.checksum;
    if !traits.any() {
        return;
    }
    let given = |member: &str| match input {
        Value::Structure(members) => members.get(member),
        _ => None,
    };
    if let Some(member) = &traits.validation_mode_member
        && given(member).is_none()
        && let Some(header) = header_of(service, op, member)
    {
        request.set_header(header, VALIDATION_ENABLED);
    }
    if request
        .headers
        .iter()
        .any(|(name, _)| is_checksum_header(name))
    {
        return;
    }
    let algorithm = match traits.algorithm_member.as_deref().map(|m| (m, given(m))) {
        Some((_, Some(Value::String(name)))) => match Algorithm::parse(name) {
            Some(algorithm) => algorithm,
            // An algorithm nobody knows: sent as given, with no checksum (what the case tests).
            None => return,
        },
        // A value of the wrong type: sent as it is, with no checksum.
        Some((_, Some(_))) => return,
        Some((member, None)) => {
            if let Some(header) = header_of(service, op, member) {
                request.set_header(header, DEFAULT_ALGORITHM.name().to_ascii_uppercase());
            }
            DEFAULT_ALGORITHM
        }
        None if traits.required => DEFAULT_ALGORITHM,
        None => return,
    };
    request.set_header(&algorithm.header(), algorithm.checksum(&request.body));
}

/// Computes again every checksum header `request` carries, over its body as it is now (a malformation that changes
/// the body keeps the checksum true, so that the case tests what it says).
pub fn refresh(request: &mut HttpRequest) {
    let HttpRequest { headers, body, .. } = request;
    for (name, value) in headers.iter_mut() {
        if let Some(algorithm) = algorithm_of(name) {
            *value = algorithm.checksum(body);
        }
    }
}

/// A checksum header whose value is not the body's checksum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// The algorithm.
    pub algorithm: Algorithm,
    /// What the request says.
    pub given: String,
    /// What the body gives.
    pub computed: String,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "The {} you specified did not match the calculated checksum: the request says {}, the body gives {}",
            self.algorithm.name().to_ascii_uppercase(),
            self.given,
            self.computed
        )
    }
}

/// Server side: checks every `x-amz-checksum-<algorithm>` header of a known algorithm against the body (for an
/// operation whose checksum traits make such a header the body's checksum).
pub fn verify(headers: &[(String, String)], body: &[u8]) -> Result<(), Mismatch> {
    for (name, value) in headers {
        let Some(algorithm) = algorithm_of(name) else {
            continue;
        };
        let computed = algorithm.checksum(body);
        if value.trim() != computed {
            return Err(Mismatch {
                algorithm,
                given: value.clone(),
                computed,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Known answers: the CRC catalogue's check values for "123456789" (the AWS CRT's `crc32c` and `crc64nvme` give
    /// the same), the empty body's digests as Python's zlib and hashlib give them (botocore), and the AWS CRT's
    /// XXHash digests of `Hello` (awscrt, as the SDKs that use the CRT compute them).
    #[test]
    fn digests_match_the_known_answers() {
        let check = b"123456789";
        assert_eq!(Algorithm::Crc32.digest(check), 0xCBF4_3926u32.to_be_bytes());
        assert_eq!(
            Algorithm::Crc32c.digest(check),
            0xE306_9283u32.to_be_bytes()
        );
        assert_eq!(
            Algorithm::Crc64Nvme.digest(check),
            0xAE8B_1486_0A79_9888u64.to_be_bytes()
        );
        // botocore: base64 of zlib.crc32(b"") big-endian.
        assert_eq!(Algorithm::Crc32.checksum(b""), "AAAAAA==");
        assert_eq!(
            Algorithm::Sha256.checksum(b""),
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        );
        assert_eq!(
            Algorithm::Sha1.checksum(b""),
            "2jmj7l5rSw0yVb/vlWAYkK/YBwk="
        );
        assert_eq!(Algorithm::Md5.checksum(b""), "1B2M2Y8AsgTpgAmY7PhCfg==");
        // awscrt's XXHash finalize() for b"Hello".
        assert_eq!(Algorithm::XxHash64.checksum(b"Hello"), "CnWpE3WyfUQ=");
        assert_eq!(Algorithm::XxHash3.checksum(b"Hello"), "OOI79aKndhY=");
        assert_eq!(
            Algorithm::XxHash128.checksum(b"Hello"),
            "G/0J0aQz+3gRe0x7FYPRbQ=="
        );
    }

    #[test]
    fn names_parse_without_case_and_checksum_headers_are_recognised() {
        assert_eq!(Algorithm::parse("CRC64NVME"), Some(Algorithm::Crc64Nvme));
        assert_eq!(Algorithm::parse("sha256"), Some(Algorithm::Sha256));
        assert_eq!(Algorithm::parse("crc33"), None);
        assert!(is_checksum_header("X-Amz-Checksum-CRC32"));
        assert!(is_checksum_header("x-amz-checksum-mode"));
        assert!(!is_checksum_header("x-amz-checksum-crc-32"));
        assert!(!is_checksum_header("x-amz-sdk-checksum-algorithm"));
    }

    #[test]
    fn verify_finds_a_checksum_that_is_not_the_bodys() {
        let body = b"<Tagging/>";
        let good = vec![(
            "x-amz-checksum-crc32".to_string(),
            Algorithm::Crc32.checksum(body),
        )];
        assert_eq!(verify(&good, body), Ok(()));
        let bad = vec![(
            "X-Amz-Checksum-Sha256".to_string(),
            Algorithm::Sha256.checksum(b"other"),
        )];
        let mismatch = verify(&bad, body).unwrap_err();
        assert_eq!(mismatch.algorithm, Algorithm::Sha256);
        // A header of no known algorithm, or none at all, is not checked.
        let unknown = vec![("x-amz-checksum-mode".to_string(), "ENABLED".to_string())];
        assert_eq!(verify(&unknown, body), Ok(()));
    }
}
