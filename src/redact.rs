//! Redaction: one policy and one walker that every output of a run goes through, applied once where a result is built.
//!
//! The policy:
//! - secrets never appear anywhere: secret keys, session tokens, signatures (of the exchange a result comes from,
//!   and any `Signature=<hex>` a target echoes back), `Authorization` values;
//! - on a real target, nothing read from it appears either (response bodies are shown as their structure with
//!   every string replaced, and every string it answered is scrubbed from the rest of the output), nor do the
//!   values of fixtures (they name real resources) or the access key id;
//! - values conform generated itself are test data: on an emulator they are shown as sent, so that a reproduction
//!   is exact; `--mask-sensitive` (and a real target) masks the model's sensitive members in them too.
//!
//! The runner builds each [`crate::report::CaseResult`] and passes it through [`Redactor::result`] before any
//! reporter sees it; notes, dry-run output and snapshots go through [`Redactor::text`].

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::sync::{Mutex, OnceLock};

use memchr::memmem::Finder;
use regex::Regex;

use crate::model::{Member, Operation, Path, Segment, Service, ShapeKind, Value};
use crate::protocol::HttpRequest;
use crate::report::CaseResult;

/// What replaces the value of a sensitive member.
pub const MASK: &str = "***";
/// What replaces a secret or a value read from a real target.
pub const REDACTED: &str = "<redacted>";

/// Strings shorter than this are not scrubbed by value (a two-letter answer would blank out half a report); short
/// secrets do not exist, and short values read from a real target carry no identity.
const MIN_SCRUBBED: usize = 4;

/// What to hide.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// The target is real AWS: nothing read from it, no fixture value and no access key id appears.
    pub real: bool,
    /// Mask the model's sensitive members in conform's own test data too (`--mask-sensitive`).
    pub mask_sensitive: bool,
}

/// The redaction of one run.
#[derive(Debug, Default)]
pub struct Redactor {
    policy: Policy,
    /// The secrets (and, on a real target, identities), each with its searcher built once: every text of every
    /// result is searched for each of them.
    secrets: Needles,
    /// Values read from a real target, learnt as responses arrive.
    learnt: Mutex<BTreeSet<String>>,
}

fn signature_pattern() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        Regex::new(r"(?i)(signature\s*[=:]\s*)[0-9a-f]{16,}")
            .expect("the signature pattern compiles")
    })
}

impl Redactor {
    /// A redactor for a run with this policy; `secrets` are the credentials' secret parts (secret key, session
    /// token), `identities` what identifies the account on a real target (access key id, fixture values).
    pub fn new(
        policy: Policy,
        secrets: impl IntoIterator<Item = String>,
        identities: impl IntoIterator<Item = String>,
    ) -> Self {
        let mut all: BTreeSet<String> = secrets
            .into_iter()
            .filter(|s| s.len() >= MIN_SCRUBBED)
            .collect();
        if policy.real {
            all.extend(identities.into_iter().filter(|s| s.len() >= MIN_SCRUBBED));
        }
        Redactor {
            policy,
            secrets: Needles::new(all, true),
            learnt: Mutex::new(BTreeSet::new()),
        }
    }

    /// The policy in force.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Whether sensitive members of generated data are masked.
    pub fn masks_sensitive(&self) -> bool {
        self.policy.mask_sensitive || self.policy.real
    }

    /// Remembers the strings of a response read from a real target, so that no output repeats them.
    pub fn learn_response(&self, document: &serde_json::Value) {
        if !self.policy.real {
            return;
        }
        let mut found = Vec::new();
        collect_strings(document, &mut found);
        if let Ok(mut learnt) = self.learnt.lock() {
            learnt.extend(found.into_iter().filter(|s| s.len() >= MIN_SCRUBBED));
        }
    }

    /// Remembers one value read from a real target.
    pub fn learn(&self, value: &str) {
        if self.policy.real
            && value.len() >= MIN_SCRUBBED
            && let Ok(mut learnt) = self.learnt.lock()
        {
            learnt.insert(value.to_string());
        }
    }

    /// A text with every secret, learnt value and echoed signature replaced.
    pub fn text(&self, text: &str) -> String {
        self.scrubbed(text).into_owned()
    }

    /// [`Redactor::text`] without a copy when there is nothing to replace (most texts of a run: every result's
    /// texts pass through here).
    fn scrubbed<'t>(&self, text: &'t str) -> Cow<'t, str> {
        if text.len() < MIN_SCRUBBED {
            return Cow::Borrowed(text);
        }
        // The shortest echoed signature the pattern takes is `signature=` and 16 digits.
        let mut out = if text.len() < "signature=".len() + 16 {
            Cow::Borrowed(text)
        } else {
            signature_pattern().replace_all(text, |c: &regex::Captures<'_>| {
                format!("{}{REDACTED}", &c[1])
            })
        };
        self.secrets.replace_in(&mut out);
        if self.policy.real
            && let Ok(learnt) = self.learnt.lock()
        {
            // Longest first, so that a value containing another is replaced whole.
            let mut values: Vec<&String> = learnt.iter().collect();
            values.sort_by_key(|v| std::cmp::Reverse(v.len()));
            for value in values {
                if out.contains(value.as_str()) {
                    out = Cow::Owned(out.replace(value.as_str(), REDACTED));
                }
            }
        }
        out
    }

    /// A response body as a report may show it: as it is on an emulator; on a real target, its JSON structure
    /// with every string replaced (or only its length when it is no JSON).
    pub fn response_text(&self, body: &[u8], max_chars: usize) -> String {
        if !self.policy.real {
            return self.text(&crate::check::body_excerpt(body, max_chars));
        }
        match serde_json::from_slice::<serde_json::Value>(body) {
            Ok(json) => {
                crate::check::body_excerpt(mask_strings(&json).to_string().as_bytes(), max_chars)
            }
            Err(_) if body.iter().all(u8::is_ascii_whitespace) => String::new(),
            Err(_) => format!("<{} bytes read from a real target, not shown>", body.len()),
        }
    }

    /// The input as a report shows it: sensitive members masked when the policy says so.
    pub fn input(&self, service: &Service, op: &Operation, input: &Value) -> Value {
        if !self.masks_sensitive() {
            return input.clone();
        }
        let mut masked = input.clone();
        if let Some(shape) = op.input {
            mask_sensitive(service, service.shape(shape).kind.members(), &mut masked);
        }
        masked
    }

    /// Scrubs every text of a result; `sent` is the request of the exchange it comes from (its signature and
    /// token are scrubbed wherever a target echoed them).
    pub fn result(&self, result: &mut CaseResult, sent: Option<&HttpRequest>) {
        let per_exchange = Needles::new(sent.map(exchange_secrets).unwrap_or_default(), false);
        let scrub = |text: &mut String| {
            let mut out = self.scrubbed(text);
            per_exchange.replace_in(&mut out);
            if let Cow::Owned(out) = out {
                *text = out;
            }
        };
        if let Some(body) = &mut result.body_excerpt {
            scrub(body);
        }
        scrub(&mut result.reproduce.curl);
        scrub(&mut result.reproduce.replay);
        if let Some(e) = &mut result.transport_error {
            scrub(e);
        }
        if let Some(m) = &mut result.mutation {
            scrub(&mut m.detail);
        }
        for check in &mut result.checks {
            scrub(&mut check.message);
            scrub(&mut check.expected);
            scrub(&mut check.actual);
        }
        if let Some(shrunk) = &mut result.shrunk {
            scrub(&mut shrunk.body);
            if let Some(m) = &mut shrunk.mutation {
                scrub(&mut m.detail);
            }
        }
        if let Some(note) = &mut result.expected.note {
            scrub(note);
        }
    }
}

/// What of an exchange is secret: its signature, the credential it names, and the session token. The algorithm's
/// name and the list of signed headers are not (and would be searched for in every text of a result).
fn exchange_secrets(sent: &HttpRequest) -> Vec<String> {
    let mut secrets = Vec::new();
    for (name, value) in &sent.headers {
        if name.eq_ignore_ascii_case("x-amz-security-token") {
            secrets.push(value.clone());
        } else if name.eq_ignore_ascii_case("authorization") {
            secrets.extend(
                value
                    .split([',', ' '])
                    .filter_map(|part| {
                        part.strip_prefix("Signature=")
                            .or_else(|| part.strip_prefix("Credential="))
                    })
                    .map(str::to_string),
            );
        }
    }
    secrets.retain(|s| s.len() >= 16);
    secrets
}

/// Values to replace by [`REDACTED`] wherever they occur. A text shorter than the shortest value cannot hold
/// any (most texts of a result are short), and the run's own secrets, searched for in every text of the run, get
/// searchers built once; an exchange's few values are searched for directly, as building searchers for them would
/// cost more than the searches.
#[derive(Debug, Default)]
struct Needles {
    values: Vec<(String, Option<Finder<'static>>)>,
    shortest: usize,
}

impl Needles {
    fn new(values: impl IntoIterator<Item = String>, prebuilt: bool) -> Self {
        let values: Vec<(String, Option<Finder<'static>>)> = values
            .into_iter()
            .map(|v| {
                let finder = prebuilt.then(|| Finder::new(v.as_bytes()).into_owned());
                (v, finder)
            })
            .collect();
        let shortest = values.iter().map(|(v, _)| v.len()).min().unwrap_or(0);
        Needles { values, shortest }
    }

    /// Replaces every occurrence of each value in `text`, in the order the values were given.
    fn replace_in(&self, text: &mut Cow<'_, str>) {
        if text.len() < self.shortest {
            return;
        }
        for (value, finder) in &self.values {
            let found = match finder {
                Some(finder) => finder.find(text.as_bytes()).is_some(),
                None => occurs(text.as_bytes(), value.as_bytes()),
            };
            if found {
                *text = Cow::Owned(text.replace(value.as_str(), REDACTED));
            }
        }
    }
}

/// Whether `needle` occurs in `text`, without building a searcher: each occurrence of the needle's first byte is
/// compared in place. `str::contains` sets up a two-way searcher first, which cost more than the search itself for
/// the few long values of an exchange (a signature, a credential) in a result's short texts.
fn occurs(text: &[u8], needle: &[u8]) -> bool {
    let Some(&first) = needle.first() else {
        return true;
    };
    memchr::memchr_iter(first, text).any(|i| text[i..].starts_with(needle))
}

fn collect_strings(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_strings(v, out)),
        serde_json::Value::Object(map) => map.values().for_each(|v| collect_strings(v, out)),
        _ => {}
    }
}

/// A JSON value with every string replaced, keys kept (the error type is reported apart, already read).
fn mask_strings(value: &serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::String(_) => serde_json::Value::String(REDACTED.into()),
        serde_json::Value::Array(items) => items.iter().map(mask_strings).collect(),
        serde_json::Value::Object(map) => map
            .iter()
            .map(|(k, v)| (k.clone(), mask_strings(v)))
            .collect::<serde_json::Map<_, _>>()
            .into(),
        other => other.clone(),
    }
}

fn mask_sensitive(service: &Service, members: &[Member], value: &mut Value) {
    let Value::Structure(map) = value else {
        return;
    };
    for m in members {
        let Some(v) = map.get_mut(&m.name) else {
            continue;
        };
        if service.is_sensitive(m) {
            *v = Value::String(MASK.into());
            continue;
        }
        mask_edge(service, m, v);
    }
}

fn mask_edge(service: &Service, m: &Member, v: &mut Value) {
    match (&service.target(m).kind, v) {
        (ShapeKind::Structure(children) | ShapeKind::Union(children), v @ Value::Structure(_)) => {
            mask_sensitive(service, children, v)
        }
        (ShapeKind::List(item), Value::List(items)) => {
            for i in items {
                if service.is_sensitive(item) {
                    *i = Value::String(MASK.into());
                } else {
                    mask_edge(service, item, i);
                }
            }
        }
        (ShapeKind::Map { value, .. }, Value::Map(entries)) => {
            for v in entries.values_mut() {
                if service.is_sensitive(value) {
                    *v = Value::String(MASK.into());
                } else {
                    mask_edge(service, value, v);
                }
            }
        }
        _ => {}
    }
}

/// Whether any member along a path of an operation's input (or its target shape) is sensitive.
pub fn path_is_sensitive(service: &Service, op: &Operation, path: &Path) -> bool {
    op.input
        .is_some_and(|shape| walk_sensitive(service, service.shape(shape).kind.members(), path))
}

/// Whether any member along a path of an operation's output is sensitive.
pub fn output_path_is_sensitive(service: &Service, op: &Operation, path: &Path) -> bool {
    op.output
        .is_some_and(|shape| walk_sensitive(service, service.shape(shape).kind.members(), path))
}

/// Whether the member a path ends at is itself sensitive (its flag or its target's), not merely inside a
/// sensitive container: what AWS's documented withholding of values in validation messages covers.
pub fn path_leaf_is_sensitive(service: &Service, op: &Operation, path: &Path) -> bool {
    op.input.is_some_and(|shape| {
        let (chain, complete) = members_along(service, service.shape(shape).kind.members(), path);
        complete && chain.last().is_some_and(|m| service.is_sensitive(m))
    })
}

fn walk_sensitive(service: &Service, members: &[Member], path: &Path) -> bool {
    let (chain, _) = members_along(service, members, path);
    chain.iter().any(|m| service.is_sensitive(m))
}

/// The member edges a path passes through from `members` (list items and map values included), as far as its
/// segments name something, and whether they all did.
fn members_along<'a>(
    service: &'a Service,
    members: &'a [Member],
    path: &Path,
) -> (Vec<&'a Member>, bool) {
    let mut chain: Vec<&Member> = Vec::with_capacity(path.0.len());
    let mut members = members;
    for segment in &path.0 {
        let current = chain.last().map(|m| &service.target(m).kind);
        let next = match segment {
            Segment::Member(name) => members.iter().find(|m| &m.name == name),
            Segment::Index(_) => match current {
                Some(ShapeKind::List(item)) => Some(item.as_ref()),
                _ => None,
            },
            Segment::Key(_) => match current {
                Some(ShapeKind::Map { value, .. }) => Some(value.as_ref()),
                _ => None,
            },
        };
        let Some(next) = next else {
            return (chain, false);
        };
        chain.push(next);
        members = service.target(next).kind.members();
    }
    (chain, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn occurs_finds_a_needle_wherever_it_is() {
        for (text, needle, found) in [
            ("abcdef", "cde", true),
            ("abcdef", "abcdef", true),
            ("abcdef", "def", true),
            ("abcdef", "deg", false),
            ("aaab", "aab", true),
            ("aab", "aaab", false),
            ("", "a", false),
            ("abc", "", true),
        ] {
            assert_eq!(
                occurs(text.as_bytes(), needle.as_bytes()),
                found,
                "{needle:?} in {text:?}"
            );
            assert_eq!(text.contains(needle), found);
        }
    }

    #[test]
    fn secrets_signatures_and_learnt_values_are_scrubbed() {
        let r = Redactor::new(
            Policy {
                real: true,
                mask_sensitive: false,
            },
            ["wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".to_string()],
            ["123456789012".to_string()],
        );
        r.learn_response(&serde_json::json!({"AlternateContact": {"Name": "Real Person"}}));
        let text = r.text(
            "secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY, Signature=0123456789abcdef0123, account 123456789012, name Real Person",
        );
        assert!(!text.contains("EXAMPLEKEY"), "{text}");
        assert!(!text.contains("0123456789abcdef0123"), "{text}");
        assert!(!text.contains("123456789012"), "{text}");
        assert!(!text.contains("Real Person"), "{text}");
        assert!(text.contains("Signature=<redacted>"), "{text}");
    }

    #[test]
    fn an_exchange_s_signature_credential_and_token_are_its_secrets() {
        let signature = "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";
        let credential = "AKIAIOSFODNN7EXAMPLE/20150830/us-east-1/iam/aws4_request";
        let token = "IQoJb3JpZ2luX2VjEXAMPLETOKEN";
        let sent = HttpRequest {
            headers: vec![
                (
                    "Authorization".into(),
                    format!(
                        "AWS4-HMAC-SHA256 Credential={credential}, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature={signature}"
                    ),
                ),
                ("x-amz-security-token".into(), token.into()),
                ("x-amz-date".into(), "20150830T123600Z".into()),
            ],
            ..HttpRequest::default()
        };
        let secrets = exchange_secrets(&sent);
        assert_eq!(secrets, vec![credential, signature, token]);
        let needles = Needles::new(secrets, false);
        let mut echoed = Cow::Borrowed(
            "echo: Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7 token IQoJb3JpZ2luX2VjEXAMPLETOKEN AWS4-HMAC-SHA256",
        );
        needles.replace_in(&mut echoed);
        assert_eq!(
            echoed,
            "echo: Signature=<redacted> token <redacted> AWS4-HMAC-SHA256"
        );
        let mut short = Cow::Borrowed("200");
        needles.replace_in(&mut short);
        assert!(matches!(short, Cow::Borrowed("200")));
    }

    #[test]
    fn emulator_targets_show_generated_data_and_real_ones_only_structure() {
        let emulator = Redactor::new(
            Policy::default(),
            Vec::<String>::new(),
            ["123456789012".into()],
        );
        assert_eq!(
            emulator.text("account 123456789012"),
            "account 123456789012"
        );
        assert_eq!(
            emulator.response_text(br#"{"Name":"n"}"#, 100),
            r#"{"Name":"n"}"#
        );
        let real = Redactor::new(
            Policy {
                real: true,
                mask_sensitive: false,
            },
            Vec::<String>::new(),
            Vec::<String>::new(),
        );
        assert_eq!(
            real.response_text(br#"{"__type":"X","Name":"n","N":1}"#, 100),
            r#"{"__type":"<redacted>","Name":"<redacted>","N":1}"#
        );
        assert!(
            real.response_text(b"<html>acct</html>", 100)
                .contains("not shown")
        );
    }

    #[test]
    fn sensitive_paths_are_found_at_depth() {
        let model = crate::spec::embedded_model().unwrap();
        let (service, put) = model.operation("PutAlternateContact").unwrap();
        assert!(path_is_sensitive(service, put, &Path::members(["Name"])));
        assert!(!path_is_sensitive(
            service,
            put,
            &Path::members(["AccountId"])
        ));
        let (_, get) = model.operation("GetAlternateContact").unwrap();
        assert!(output_path_is_sensitive(
            service,
            get,
            &Path::members(["AlternateContact", "EmailAddress"])
        ));
        let masking = Redactor::new(
            Policy {
                real: false,
                mask_sensitive: true,
            },
            Vec::<String>::new(),
            Vec::<String>::new(),
        );
        let input = Value::Structure(
            [
                ("Name".to_string(), Value::string("Jane")),
                ("AccountId".to_string(), Value::string("123456789012")),
            ]
            .into_iter()
            .collect(),
        );
        let masked = masking.input(service, put, &input);
        assert_eq!(masked.get("Name"), Some(&Value::string(MASK)));
        assert_eq!(
            masked.get("AccountId"),
            Some(&Value::string("123456789012"))
        );
    }
}
