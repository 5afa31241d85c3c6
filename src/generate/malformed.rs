//! Malformed cases: requests broken at the protocol level (body, headers, method, path, signature).
//!
//! Classes: `body-not-json`, `body-truncated`, `body-array`, `body-string`, `body-number`, `body-null`,
//! `body-empty`, `unknown-member`, `body-too-large`, `content-type-wrong`, `content-type-missing`, `target-missing`
//! and `target-unknown` (awsJson), `method-wrong` and `path-unknown` (restJson1), and the signing classes
//! `unsigned`, `bad-signature`, `unknown-access-key`, `expired` (a valid request; `Case::signing` tells the client
//! how to sign it). Expectations follow `aws-wire-facts.md`; what it does not confirm is `uncertain` with a note.
//! These error types are protocol faults no spec file declares, so their outcomes are written here.

use proptest::test_runner::TestRng;
use serde_json::{Map, Value};

use super::Slot;
use super::plan::OpPlan;
use crate::case::{Case, CaseKind, Expected, Mutation, Signing, WireRequest};
use crate::protocol;
use crate::spec::{ConstraintKind, Operation, Outcome, Protocol, Service};

/// The bytes of the `body-too-large` body: one byte over 1 MiB (see [`slots`] for why that size).
pub const TOO_LARGE_BYTES: usize = 1024 * 1024 + 1;

/// The name of the member `unknown-member` adds (and `body-too-large` pads with).
pub const UNKNOWN_MEMBER: &str = "ConformUnknownMember";

const COMMON: [&str; 15] = [
    "body-not-json",
    "body-truncated",
    "body-array",
    "body-string",
    "body-number",
    "body-null",
    "body-empty",
    "unknown-member",
    "body-too-large",
    "content-type-wrong",
    "content-type-missing",
    "unsigned",
    "bad-signature",
    "unknown-access-key",
    "expired",
];

/// The malformed slots of an operation: every common class, then the protocol's own.
pub(crate) fn slots(plan: &OpPlan<'_>) -> Vec<Slot> {
    let own: &[&'static str] = if plan.service.protocol.is_aws_json() {
        &["target-missing", "target-unknown", "parse-before-auth"]
    } else {
        &["method-wrong", "path-unknown"]
    };
    COMMON
        .into_iter()
        .chain(own.iter().copied())
        .map(|class| Slot::new(CaseKind::Malformed, class, None))
        .collect()
}

/// Whether a class is cheap enough to draw again and again (`body-too-large` is built once).
pub(crate) fn is_cheap(class: &str) -> bool {
    class != "body-too-large"
}

/// Whether the class's request is built from a valid input (so that shrinking that input makes sense).
pub(crate) fn uses_input(class: &str) -> bool {
    !matches!(
        class,
        "body-not-json"
            | "body-array"
            | "body-string"
            | "body-number"
            | "body-null"
            | "body-empty"
            | "body-truncated"
            | "parse-before-auth"
    )
}

fn outcome(status: u16, error_type: &str) -> Outcome {
    Outcome {
        status,
        error_type: Some(error_type.to_string()),
    }
}

fn certain(accept: Vec<Outcome>) -> Expected {
    Expected {
        accept,
        uncertain: false,
        note: None,
    }
}

fn uncertain(accept: Vec<Outcome>, note: &str) -> Expected {
    Expected {
        accept,
        uncertain: true,
        note: Some(note.to_string()),
    }
}

/// What the target should do with a body that is no JSON object.
fn serialization(plan: &OpPlan<'_>, note_if_rest: &str) -> Expected {
    let accept = vec![outcome(400, "SerializationException")];
    if plan.service.protocol == Protocol::RestJson1 {
        uncertain(accept, note_if_rest)
    } else {
        certain(accept)
    }
}

/// What an input-less request would get: the success if no member is required, else a missing-member error.
fn as_empty_input(plan: &OpPlan<'_>) -> Vec<Outcome> {
    match plan.members.iter().find(|m| m.member.required) {
        Some(m) => plan
            .service
            .violation_expectation(m.member, ConstraintKind::Required)
            .accept
            .clone(),
        None => plan.valid_expected.accept.clone(),
    }
}

/// The request and signing of a class, over a valid input.
pub(crate) fn request_for(
    service: &Service,
    op: &Operation,
    class: &str,
    input: &Map<String, Value>,
) -> Option<(WireRequest, Signing)> {
    let framed = |body: String| protocol::request(service, op, body);
    let valid_body = protocol::encode_input(input);
    let mut signing = Signing::Valid;
    let request = match class {
        "body-not-json" => framed("this is not JSON".to_string()),
        "body-truncated" => {
            let cut = valid_body.len().div_ceil(2).max(1);
            let mut body = valid_body.clone();
            body.truncate(
                (1..=cut)
                    .rev()
                    .find(|i| body.is_char_boundary(*i))
                    .unwrap_or(1),
            );
            framed(body)
        }
        "body-array" => framed(format!("[{valid_body}]")),
        "body-string" => framed("\"conform\"".to_string()),
        "body-number" => framed("42".to_string()),
        "body-null" => framed("null".to_string()),
        "body-empty" => framed(String::new()),
        "unknown-member" | "body-too-large" => {
            let mut with = input.clone();
            let filler = if class == "unknown-member" {
                "ignored".to_string()
            } else {
                // Pad so that the whole body is exactly TOO_LARGE_BYTES.
                let overhead = protocol::encode_input(&{
                    let mut m = input.clone();
                    m.insert(UNKNOWN_MEMBER.to_string(), Value::String(String::new()));
                    m
                })
                .len();
                "x".repeat(TOO_LARGE_BYTES.saturating_sub(overhead))
            };
            with.insert(UNKNOWN_MEMBER.to_string(), Value::String(filler));
            framed(protocol::encode_input(&with))
        }
        "content-type-wrong" | "content-type-missing" => {
            let mut r = framed(valid_body);
            r.headers.retain(|(n, _)| n != "content-type");
            if class == "content-type-wrong" {
                r.headers
                    .insert(0, ("content-type".to_string(), "text/plain".to_string()));
            }
            r
        }
        "target-missing" | "target-unknown" => {
            let mut r = framed(valid_body);
            r.headers.retain(|(n, _)| n != "x-amz-target");
            if class == "target-unknown" {
                let prefix = service.target_prefix.as_deref().unwrap_or("Service");
                r.headers.push((
                    "x-amz-target".to_string(),
                    format!("{prefix}.ConformNoSuchOperation"),
                ));
            }
            r
        }
        "method-wrong" => {
            let mut r = framed(valid_body);
            r.method = if r.method == "GET" { "PUT" } else { "GET" }.to_string();
            r
        }
        "path-unknown" => {
            let mut r = framed(valid_body);
            r.path = "/conformNoSuchOperation".to_string();
            r
        }
        "parse-before-auth" => {
            signing = Signing::Unsigned;
            framed("this is not JSON".to_string())
        }
        "unsigned" | "bad-signature" | "unknown-access-key" | "expired" => {
            signing = match class {
                "unsigned" => Signing::Unsigned,
                "bad-signature" => Signing::BadSignature,
                "unknown-access-key" => Signing::UnknownAccessKey,
                _ => Signing::Expired,
            };
            framed(valid_body)
        }
        _ => return None,
    };
    Some((request, signing))
}

/// The expectation of a class, and the sentence describing it.
fn expectation(plan: &OpPlan<'_>, class: &str) -> (Expected, &'static str) {
    let aws_json = plan.service.protocol.is_aws_json();
    let rest_auth = "restJson1 services answer authentication faults with 403 (aws-wire-facts); unverified for this service";
    match class {
        "body-not-json" => (
            serialization(
                plan,
                "aws-wire-facts records SerializationException from awsJson services; unverified on restJson1",
            ),
            "the body is not JSON",
        ),
        "body-truncated" => (
            serialization(
                plan,
                "aws-wire-facts records SerializationException from awsJson services; unverified on restJson1",
            ),
            "the JSON body is cut in half",
        ),
        "body-array" | "body-string" | "body-number" => {
            let mut e = serialization(plan, "");
            e.uncertain = true;
            e.note = Some("JSON that is no object: no capture shows which error AWS gives".into());
            (
                e,
                match class {
                    "body-array" => "the body is a JSON array holding the valid input",
                    "body-string" => "the body is a JSON string",
                    _ => "the body is a JSON number",
                },
            )
        }
        "body-null" => {
            let mut accept = vec![outcome(400, "SerializationException")];
            accept.extend(as_empty_input(plan));
            (
                uncertain(
                    accept,
                    "a null body may be read as no input or refused; no capture shows which",
                ),
                "the body is JSON null",
            )
        }
        "body-empty" => {
            let mut accept = as_empty_input(plan);
            accept.push(outcome(400, "SerializationException"));
            (
                uncertain(
                    accept,
                    "an empty body usually means no input (then the required members are missing); unverified",
                ),
                "the body is empty",
            )
        }
        "unknown-member" => (
            plan.valid_expected.clone(),
            "a member the operation does not have is added (AWS ignores unknown members)",
        ),
        "body-too-large" => (
            uncertain(
                vec![
                    Outcome {
                        status: 413,
                        error_type: None,
                    },
                    outcome(413, "RequestEntityTooLargeException"),
                    outcome(400, "SerializationException"),
                    outcome(400, "ValidationException"),
                ],
                "aws-wire-facts gives no request-size limit; this body is 1 MiB + 1 byte, over the limit of many AWS JSON APIs",
            ),
            "the body is 1 MiB + 1 byte (a valid input padded with an unknown member)",
        ),
        "content-type-wrong" | "content-type-missing" => {
            let mut accept = vec![
                Outcome {
                    status: 404,
                    error_type: None,
                },
                outcome(415, "UnsupportedMediaTypeException"),
                outcome(400, "SerializationException"),
            ];
            accept.extend(plan.valid_expected.accept.iter().cloned());
            (
                uncertain(
                    accept,
                    "real DynamoDB answers 404 with a non-JSON body, Smithy servers 415 (aws-wire-facts): treat as uncertain",
                ),
                if class == "content-type-wrong" {
                    "Content-Type is text/plain"
                } else {
                    "there is no Content-Type"
                },
            )
        }
        "target-missing" => (
            certain(vec![outcome(400, "UnknownOperationException")]),
            "there is no X-Amz-Target",
        ),
        "target-unknown" => (
            certain(vec![outcome(400, "UnknownOperationException")]),
            "X-Amz-Target names no operation",
        ),
        "method-wrong" | "path-unknown" => (
            uncertain(
                vec![
                    outcome(404, "UnknownOperationException"),
                    outcome(403, "MissingAuthenticationTokenException"),
                    Outcome {
                        status: 404,
                        error_type: None,
                    },
                    Outcome {
                        status: 405,
                        error_type: None,
                    },
                ],
                "no capture shows what a restJson1 AWS endpoint answers for a route it does not have",
            ),
            if class == "method-wrong" {
                "the operation's path with another HTTP method"
            } else {
                "a path no operation has"
            },
        ),
        "parse-before-auth" => (
            certain(vec![outcome(400, "SerializationException")]),
            "an unsigned request whose body is not JSON: AWS parses the body before it checks authentication",
        ),
        "unsigned" if aws_json => (
            certain(vec![outcome(400, "MissingAuthenticationTokenException")]),
            "no Authorization header",
        ),
        "unsigned" => (
            uncertain(
                vec![outcome(403, "MissingAuthenticationTokenException")],
                rest_auth,
            ),
            "no Authorization header",
        ),
        "unknown-access-key" if aws_json => (
            certain(vec![outcome(400, "UnrecognizedClientException")]),
            "signed with an access key the target does not know",
        ),
        "unknown-access-key" => (
            certain(vec![outcome(403, "UnrecognizedClientException")]),
            "signed with an access key the target does not know",
        ),
        "bad-signature" if aws_json => (
            certain(vec![outcome(400, "InvalidSignatureException")]),
            "a well-formed signature that is wrong",
        ),
        "bad-signature" => (
            uncertain(vec![outcome(403, "InvalidSignatureException")], rest_auth),
            "a well-formed signature that is wrong",
        ),
        "expired" => {
            let accept = if aws_json {
                vec![outcome(400, "InvalidSignatureException")]
            } else {
                vec![
                    outcome(403, "InvalidSignatureException"),
                    outcome(400, "InvalidSignatureException"),
                ]
            };
            (
                uncertain(
                    accept,
                    "aws-wire-facts records \"Signature expired\" (400) without its error type",
                ),
                "signed with a date outside the 15-minute window",
            )
        }
        _ => (
            certain(vec![outcome(400, "SerializationException")]),
            "unknown class",
        ),
    }
}

/// Builds the case of a class over `input`, keeping `id`.
pub(crate) fn case_for(
    plan: &OpPlan<'_>,
    class: &str,
    input: &Map<String, Value>,
    id: String,
) -> Option<Case> {
    let (request, signing) = request_for(plan.service, plan.op, class, input)?;
    let (expected, detail) = expectation(plan, class);
    Some(Case {
        id,
        service: plan.service.name.clone(),
        operation: plan.op.name.clone(),
        kind: CaseKind::Malformed,
        mutation: Some(Mutation {
            member: None,
            class: class.to_string(),
            detail: detail.to_string(),
        }),
        request,
        signing,
        expected,
    })
}

/// Builds a malformed case over a random valid input.
pub(crate) fn build(plan: &OpPlan<'_>, slot: &Slot, rng: &mut TestRng, id: String) -> Option<Case> {
    let input = plan.valid_input(rng, None, &|_| None);
    case_for(plan, slot.class, &input, id)
}
