//! Values that are valid in the sense a service checks beyond the model: members whose names say they hold an
//! email address, an ARN, an account id, a region, a URL, a date or an IP address get values of that form.
//!
//! The model often gives such members no pattern (StartPrimaryEmailUpdate's PrimaryEmail is any 5 to 64
//! characters), yet the service parses them: a real emulator refused conform's "valid" `"nA-{上A-F "` as an email
//! address with 400. A value of the right form within the model's length bounds is valid both ways. Where a pattern
//! exists, the pattern decides and this module is not used.

use proptest::prelude::Rng;
use proptest::test_runner::TestRng;

/// What a member's value denotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Semantic {
    /// An email address.
    Email,
    /// An Amazon Resource Name.
    Arn,
    /// A 12-digit AWS account id.
    AccountId,
    /// An AWS region name.
    Region,
    /// An http(s) URL.
    Url,
    /// An IPv4 address.
    IpAddress,
    /// An IPv4 CIDR block.
    Cidr,
    /// An ISO 8601 date-time held in a string.
    DateTime,
    /// A JSON document held in a string (policies).
    Json,
}

/// What the member's name (or its shape's) says it holds; `None` for plain text.
pub(crate) fn classify(member: &str, shape: &str) -> Option<Semantic> {
    let words = |name: &str| -> Vec<String> {
        // Split CamelCase into lower-case words: PrimaryEmailAddress -> primary, email, address.
        let mut out: Vec<String> = Vec::new();
        let mut current = String::new();
        let chars: Vec<char> = name.chars().collect();
        for (i, c) in chars.iter().enumerate() {
            let boundary = c.is_uppercase()
                && i > 0
                && (chars[i - 1].is_lowercase()
                    || chars.get(i + 1).is_some_and(|n| n.is_lowercase()));
            if (boundary || *c == '_' || *c == '-') && !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            if c.is_alphanumeric() {
                current.extend(c.to_lowercase());
            }
        }
        if !current.is_empty() {
            out.push(current);
        }
        out
    };
    for name in [member, shape] {
        let w = words(name);
        let last = w.last().map(String::as_str).unwrap_or("");
        let has = |x: &str| w.iter().any(|s| s == x);
        let semantic =
            if has("email") && !matches!(last, "status" | "verified" | "enabled" | "type") {
                Some(Semantic::Email)
            } else if last == "arn" {
                Some(Semantic::Arn)
            } else if has("account") && last == "id" {
                Some(Semantic::AccountId)
            } else if last == "region" {
                Some(Semantic::Region)
            } else if matches!(last, "url" | "uri") {
                Some(Semantic::Url)
            } else if has("ip") && has("address") || last == "ipv4" {
                Some(Semantic::IpAddress)
            } else if last == "cidr" || (has("cidr") && last == "block") {
                Some(Semantic::Cidr)
            } else if matches!(last, "date" | "time" | "timestamp") && w.len() > 1 {
                Some(Semantic::DateTime)
            } else if last == "policy" && !has("name") {
                Some(Semantic::Json)
            } else {
                None
            };
        if semantic.is_some() {
            return semantic;
        }
    }
    None
}

const REGIONS: [&str; 6] = [
    "us-east-1",
    "us-west-2",
    "eu-west-1",
    "eu-central-1",
    "ap-southeast-2",
    "sa-east-1",
];

fn lower_alnum(rng: &mut TestRng, n: usize, simplest: bool) -> String {
    const ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    (0..n)
        .map(|i| {
            if simplest {
                'a'
            } else if i == 0 {
                char::from(ALNUM[rng.random_range(0..26)])
            } else {
                char::from(ALNUM[rng.random_range(0..ALNUM.len())])
            }
        })
        .collect()
}

/// A value of the form `semantic` whose length in characters is within `min..=max`; `None` when no value of that
/// form fits (the caller then falls back to plain text).
pub(crate) fn draw(
    semantic: Semantic,
    rng: &mut TestRng,
    min: usize,
    max: usize,
    target_len: usize,
    simplest: bool,
) -> Option<String> {
    let target = target_len.clamp(min, max);
    let value = match semantic {
        Semantic::Email => {
            // local@domain.tld, stretched or shrunk to the target length through the local part.
            let domain = if simplest {
                "example.com"
            } else {
                ["example.com", "example.org", "example.net"][rng.random_range(0..3)]
            };
            let fixed = domain.len() + 1;
            let local_len = target.saturating_sub(fixed).clamp(1, 64);
            format!("{}@{domain}", lower_alnum(rng, local_len, simplest))
        }
        Semantic::Arn => {
            let base = "arn:aws:iam::123456789012:role/";
            let rest = target.saturating_sub(base.len()).max(1);
            format!("{base}{}", lower_alnum(rng, rest, simplest))
        }
        Semantic::AccountId => {
            if simplest {
                "123456789012".to_string()
            } else {
                (0..12)
                    .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
                    .collect()
            }
        }
        Semantic::Region => {
            let fits: Vec<&str> = REGIONS
                .iter()
                .copied()
                .filter(|r| (min..=max).contains(&r.len()))
                .collect();
            if fits.is_empty() {
                return None;
            }
            let i = if simplest {
                0
            } else {
                rng.random_range(0..fits.len())
            };
            fits[i].to_string()
        }
        Semantic::Url => {
            let base = "https://example.com/";
            let rest = target.saturating_sub(base.len());
            format!("{base}{}", lower_alnum(rng, rest, simplest))
        }
        Semantic::IpAddress => {
            if simplest {
                "10.0.0.1".to_string()
            } else {
                format!(
                    "10.{}.{}.{}",
                    rng.random_range(0..256u16),
                    rng.random_range(0..256u16),
                    rng.random_range(1..255u16)
                )
            }
        }
        Semantic::Cidr => {
            if simplest {
                "10.0.0.0/16".to_string()
            } else {
                format!("10.{}.0.0/16", rng.random_range(0..256u16))
            }
        }
        Semantic::DateTime => {
            let secs = if simplest {
                0
            } else {
                rng.random_range(0..4_102_444_800i64)
            };
            crate::model::Timestamp::from_secs(secs).to_rfc3339()
        }
        Semantic::Json => "{}".to_string(),
    };
    let len = value.chars().count();
    (min..=max).contains(&len).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::test_runner::RngAlgorithm;

    #[test]
    fn names_say_what_a_member_holds() {
        assert_eq!(
            classify("PrimaryEmail", "PrimaryEmailAddress"),
            Some(Semantic::Email)
        );
        assert_eq!(classify("EmailAddress", "x"), Some(Semantic::Email));
        assert_eq!(classify("EmailStatus", "Status"), None);
        assert_eq!(classify("RoleArn", "String"), Some(Semantic::Arn));
        assert_eq!(classify("AccountId", "String"), Some(Semantic::AccountId));
        assert_eq!(classify("Name", "Name"), None);
        assert_eq!(classify("SourceRegion", "String"), Some(Semantic::Region));
        assert_eq!(classify("CallbackURL", "String"), Some(Semantic::Url));
    }

    #[test]
    fn emails_fit_the_length_bounds() {
        let mut rng = TestRng::from_seed(RngAlgorithm::ChaCha, &[1; 32]);
        for (min, max) in [(5, 64), (5, 5), (1, 254), (13, 13)] {
            for target in [min, max, (min + max) / 2] {
                let v = draw(Semantic::Email, &mut rng, min, max, target, false);
                if let Some(v) = v {
                    assert!((min..=max).contains(&v.chars().count()), "{v} {min}..{max}");
                    assert!(v.contains('@'));
                }
            }
        }
        assert_eq!(
            draw(Semantic::Email, &mut rng, 5, 5, 5, true).as_deref(),
            None,
            "no address of 5 characters has a real domain"
        );
        assert_eq!(
            draw(Semantic::Email, &mut rng, 5, 64, 5, true).as_deref(),
            Some("a@example.com"),
            "the shortest address with a real domain"
        );
        assert!(draw(Semantic::Email, &mut rng, 5, 64, 20, true).is_some());
    }
}
