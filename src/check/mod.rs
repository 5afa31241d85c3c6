//! The named checks a response is judged by: status, error type, error body, output shape, content type, request id.
//!
//! Each check that applies to a response gives one [`CheckResult`]; a check that does not apply (output-shape on an
//! error response, error-body on a success, content-type on an empty body) gives none, so the results hold only
//! verdicts. When the case's expectation is uncertain, a failed check is marked `uncertain` and is never a
//! deviation.

mod error_type;
mod shape;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::case::{Case, CaseKind, Signing, WireResponse};
use crate::spec::{Operation, Protocol, Service};

pub use error_type::{
    body_excerpt, error_message, is_blank, normalise_error_type, normalise_type_name,
};
pub use shape::output_problems;

/// How many characters of a body a check message quotes.
const EXCERPT: usize = 200;

/// A named check, selectable with `--checks` and `--exclude-checks`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckName {
    /// The status code is one the expectation accepts.
    Status,
    /// The normalised error type is accepted together with the status (none for a success).
    ErrorType,
    /// An error body carries a message (and, for Account's ValidationException, `reason` and `fieldList`).
    ErrorBody,
    /// A success body matches the operation's output shape.
    OutputShape,
    /// A JSON body carries the protocol's Content-Type.
    ContentType,
    /// The response carries a request id header.
    RequestId,
    /// A scenario step's outcome and assertions (produced by the scenario engine, not by [`run_checks`]).
    State,
    /// The normalised response against its stored snapshot (produced by the runner, not by [`run_checks`]).
    Snapshot,
    /// The normalised response against another target's (`conform diff`, not [`run_checks`]).
    Parity,
}

impl CheckName {
    /// Every check, in the order they run and are shown.
    pub const ALL: [CheckName; 9] = [
        CheckName::Status,
        CheckName::ErrorType,
        CheckName::ErrorBody,
        CheckName::OutputShape,
        CheckName::ContentType,
        CheckName::RequestId,
        CheckName::State,
        CheckName::Snapshot,
        CheckName::Parity,
    ];

    /// The name used on the command line and in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckName::Status => "status",
            CheckName::ErrorType => "error-type",
            CheckName::ErrorBody => "error-body",
            CheckName::OutputShape => "output-shape",
            CheckName::ContentType => "content-type",
            CheckName::RequestId => "request-id",
            CheckName::State => "state",
            CheckName::Snapshot => "snapshot",
            CheckName::Parity => "parity",
        }
    }
}

impl fmt::Display for CheckName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is no check.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "failed to recognise check `{name}`: valid checks are {}",
    valid_names()
)]
pub struct UnknownCheck {
    /// The name given.
    pub name: String,
}

fn valid_names() -> String {
    CheckName::ALL.map(CheckName::as_str).join(", ")
}

impl FromStr for CheckName {
    type Err = UnknownCheck;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim();
        CheckName::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| UnknownCheck {
                name: wanted.to_string(),
            })
    }
}

/// Parses a comma-separated list (`status,error-type`); empty items are ignored.
pub fn parse_check_list(list: &str) -> Result<Vec<CheckName>, UnknownCheck> {
    list.split(',')
        .filter(|s| !s.trim().is_empty())
        .map(str::parse)
        .collect()
}

/// The checks to run: `only` (all when `None`) minus `exclude`, in the order of [`CheckName::ALL`].
pub fn select_checks(only: Option<&[CheckName]>, exclude: &[CheckName]) -> Vec<CheckName> {
    CheckName::ALL
        .into_iter()
        .filter(|c| only.is_none_or(|only| only.contains(c)))
        .filter(|c| !exclude.contains(c))
        .collect()
}

/// The verdict of one check on one response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckResult {
    /// Which check.
    pub check: CheckName,
    /// Whether the response satisfies it.
    pub passed: bool,
    /// Failed, but the expectation rests on unverified AWS behaviour: reported apart, never a deviation.
    pub uncertain: bool,
    /// What the check wanted, briefly (`400 ValidationException`).
    pub expected: String,
    /// What the response had, briefly.
    pub actual: String,
    /// Why it failed, or what it checked when it passed.
    pub message: String,
}

impl CheckResult {
    /// Whether this result is a deviation: failed and not uncertain.
    pub fn is_deviation(&self) -> bool {
        !self.passed && !self.uncertain
    }
}

/// Runs the `selected` checks on a response to `case`, in the order of [`CheckName::ALL`].
pub fn run_checks(
    service: &Service,
    op: &Operation,
    case: &Case,
    response: &WireResponse,
    selected: &[CheckName],
) -> Vec<CheckResult> {
    let error_type = normalise_error_type(service.protocol, response);
    let context = Context {
        service,
        op,
        case,
        response,
        error_type: error_type.as_deref(),
    };
    CheckName::ALL
        .into_iter()
        .filter(|c| selected.contains(c))
        .filter_map(|check| {
            let verdict = match check {
                CheckName::Status => Some(context.status()),
                CheckName::ErrorType => Some(context.error_type()),
                CheckName::ErrorBody => context.error_body(),
                CheckName::OutputShape => context.output_shape(),
                CheckName::ContentType => context.content_type(),
                CheckName::RequestId => Some(context.request_id()),
                CheckName::State | CheckName::Snapshot | CheckName::Parity => None,
            }?;
            let uncertain = !verdict.passed
                && case.expected.uncertain
                && !certainly_an_error(case, response)
                && context.declared_status_mismatch().is_none();
            Some(CheckResult {
                check,
                passed: verdict.passed,
                uncertain,
                expected: verdict.expected,
                actual: verdict.actual,
                message: verdict.message,
            })
        })
        .collect()
}

/// Whether a success is certainly wrong for this case even when its expectation is uncertain.
///
/// An uncertain expectation is unsure *which* error AWS sends, not *whether* it sends one: a request that breaks a
/// documented constraint, names something that does not exist, carries no valid signature or asks for an operation
/// that is not there certainly fails on AWS. A 2xx answer to it is a deviation, whatever the exact error should be.
fn certainly_an_error(case: &Case, response: &WireResponse) -> bool {
    let class = case
        .mutation
        .as_ref()
        .map(|m| m.class.as_str())
        .unwrap_or("");
    let fails_on_aws = case.kind == CaseKind::Invalid
        || case.signing != Signing::Valid
        || matches!(
            class,
            "fixture-unknown"
                | "method-wrong"
                | "path-unknown"
                | "target-missing"
                | "target-unknown"
                | "body-not-json"
                | "body-truncated"
        );
    is_success(response.status)
        && fails_on_aws
        && case.expected.accept.iter().all(|o| o.status >= 300)
}

impl Context<'_> {
    /// The declared status of the error type that came back, when the response carries another: AWS sends each of
    /// its error types with one status (AccessDeniedException is always 403), so a known type with a status of its
    /// own is wrong whichever error the case should get, and an uncertain expectation does not excuse it.
    fn declared_status_mismatch(&self) -> Option<u16> {
        let declared = self.service.errors.get(self.error_type?)?;
        (!is_success(self.response.status) && declared.status != self.response.status)
            .then_some(declared.status)
    }
}

/// A check's verdict before the uncertainty of the case is applied.
struct Verdict {
    passed: bool,
    expected: String,
    actual: String,
    message: String,
}

struct Context<'a> {
    service: &'a Service,
    op: &'a Operation,
    case: &'a Case,
    response: &'a WireResponse,
    error_type: Option<&'a str>,
}

/// `ValidationException` or `(none)`.
fn type_text(error_type: Option<&str>) -> &str {
    error_type.unwrap_or("(none)")
}

fn is_success(status: u16) -> bool {
    (200..300).contains(&status)
}

impl Context<'_> {
    fn status(&self) -> Verdict {
        let mut statuses: Vec<u16> = self.case.expected.accept.iter().map(|o| o.status).collect();
        statuses.dedup();
        let expected = statuses
            .iter()
            .map(u16::to_string)
            .collect::<Vec<_>>()
            .join(" or ");
        let actual = self.response.status;
        let passed = statuses.contains(&actual);
        Verdict {
            passed,
            message: if passed {
                format!("status {actual} is accepted")
            } else {
                format!("expected status {expected}, got {actual}")
            },
            expected,
            actual: actual.to_string(),
        }
    }

    /// A pair check when the status is accepted (the type must go with that status); when the status is not
    /// accepted, the type alone must be one of the accepted ones, so a wrong status is not counted twice.
    fn error_type(&self) -> Verdict {
        let accept = &self.case.expected.accept;
        let status = self.response.status;
        let actual = self.error_type;
        let with_status: Vec<&crate::spec::Outcome> =
            accept.iter().filter(|o| o.status == status).collect();
        let candidates: Vec<&crate::spec::Outcome> = if with_status.is_empty() {
            accept.iter().collect()
        } else {
            with_status
        };
        let mut passed = candidates.iter().any(|o| o.error_type.as_deref() == actual);
        // Clients look in several places, but AWS itself puts the type in one: the header on restJson1, the
        // body's `__type` on awsJson. A target that puts it elsewhere only works with lenient clients.
        let misplaced = if passed && actual.is_some() {
            self.misplaced_error_type()
        } else {
            None
        };
        passed &= misplaced.is_none();
        let mut wanted: Vec<&str> = candidates
            .iter()
            .map(|o| type_text(o.error_type.as_deref()))
            .collect();
        wanted.dedup();
        let expected = wanted.join(" or ");
        let message = if passed {
            format!("error type {} is accepted", type_text(actual))
        } else if let Some(misplaced) = misplaced {
            misplaced
        } else if let Some(declared) = self.declared_status_mismatch() {
            format!(
                "{} is declared with status {declared}, but came with {status} (expected {expected})",
                type_text(actual)
            )
        } else if actual.is_none() && !is_success(status) {
            format!(
                "expected error type {expected}, found none in the x-amzn-errortype header or the body's `__type`/`code` (body `{}`)",
                body_excerpt(&self.response.body, EXCERPT)
            )
        } else if candidates.len() < accept.len() {
            format!(
                "expected error type {expected} with status {status}, got {}",
                type_text(actual)
            )
        } else {
            format!("expected error type {expected}, got {}", type_text(actual))
        };
        Verdict {
            passed,
            expected,
            actual: type_text(actual).to_string(),
            message,
        }
    }

    /// Why the error type is not where AWS puts it, if it is not.
    fn misplaced_error_type(&self) -> Option<String> {
        let in_header = self.response.header("x-amzn-errortype").is_some();
        let in_body =
            error_type::json_object(&self.response.body).is_some_and(|m| m.contains_key("__type"));
        match self.service.protocol {
            Protocol::RestJson1 if !in_header => Some(
                "the error type is only in the body; restJson1 services send it in the X-Amzn-ErrorType header".into(),
            ),
            Protocol::AwsJson1_0 | Protocol::AwsJson1_1 if !in_body => Some(
                "the error type is not in the body's `__type`, where awsJson services send it".into(),
            ),
            _ => None,
        }
    }

    /// Problems with a ValidationException's message for an invalid case: Coral's wording, and no sensitive value.
    fn validation_message_problems(&self, message: &str) -> Vec<String> {
        let mut problems = Vec::new();
        if self.error_type != Some("ValidationException") || self.case.kind != CaseKind::Invalid {
            return problems;
        }
        let coral = message.starts_with("1 validation error detected: ")
            || message
                .split_once(" validation errors detected: ")
                .is_some_and(|(n, _)| n.parse::<u32>().is_ok());
        if !coral {
            problems.push(format!(
                "the message is not in AWS's form `N validation error(s) detected: Value ... at '...' failed to satisfy constraint: ...`: `{}`",
                message.chars().take(120).collect::<String>()
            ));
        }
        if let Some(value) = self.mutated_sensitive_value()
            && value.chars().count() >= 4
            && message.contains(value.as_str())
        {
            problems.push(
                "the message echoes the value of a sensitive member, which AWS withholds".into(),
            );
        }
        problems
    }

    /// The value the case sent for its mutated member, when that member is sensitive.
    fn mutated_sensitive_value(&self) -> Option<String> {
        let member = self.case.mutation.as_ref()?.member.as_ref()?;
        let top = member.split('.').next()?;
        if !self.op.input_member(top)?.sensitive {
            return None;
        }
        let body: serde_json::Value = serde_json::from_str(&self.case.request.body).ok()?;
        crate::spec::template::lookup_path(&body, member)?
            .as_str()
            .map(str::to_string)
    }

    fn error_body(&self) -> Option<Verdict> {
        if is_success(self.response.status) {
            return None;
        }
        let body = &self.response.body;
        let expected = "a JSON error body with a message".to_string();
        let Some(map) = error_type::json_object(body) else {
            let actual = if is_blank(body) {
                "an empty body".to_string()
            } else {
                format!("`{}`", body_excerpt(body, EXCERPT))
            };
            return Some(Verdict {
                passed: false,
                message: format!("expected a JSON object error body, got {actual}"),
                expected,
                actual,
            });
        };
        let mut problems = Vec::new();
        match error_message(&map) {
            None => problems.push("no `message`, `Message` or `errorMessage` string".to_string()),
            Some(message) => problems.extend(self.validation_message_problems(message)),
        }
        if let Some(error) = self.error_type.and_then(|t| self.service.errors.get(t))
            && error.members.iter().any(|m| m.name == "fieldList")
        {
            problems.extend(self.field_list_problems(&map));
        }
        let passed = problems.is_empty();
        Some(Verdict {
            passed,
            expected,
            actual: if passed {
                "a conforming error body".into()
            } else {
                problems.join("; ")
            },
            message: if passed {
                "the error body carries a message".into()
            } else {
                format!(
                    "error body: {} (body `{}`)",
                    problems.join("; "),
                    body_excerpt(body, EXCERPT)
                )
            },
        })
    }

    /// Account's ValidationException: `reason` present, and `fieldList` naming the mutated member.
    fn field_list_problems(&self, map: &serde_json::Map<String, Value>) -> Vec<String> {
        let mut problems = Vec::new();
        let reason = map.get("reason").and_then(Value::as_str);
        if reason.is_none() {
            problems.push("no `reason` string".to_string());
        }
        let Some(member) = self
            .case
            .mutation
            .as_ref()
            .and_then(|m| m.member.as_deref())
        else {
            return problems;
        };
        if reason == Some("invalidRegionOptTarget") {
            return problems;
        }
        let names: Vec<&str> = match map.get("fieldList") {
            Some(Value::Array(fields)) => fields
                .iter()
                .filter_map(|f| f.get("name")?.as_str())
                .collect(),
            _ => {
                problems.push(format!("no `fieldList` naming `{member}`"));
                return problems;
            }
        };
        if !names.iter().any(|name| names_member(name, member)) {
            problems.push(format!(
                "`fieldList` names [{}], not `{member}`",
                names.join(", ")
            ));
        }
        problems
    }

    fn output_shape(&self) -> Option<Verdict> {
        if !is_success(self.response.status) {
            return None;
        }
        let problems = output_problems(self.op, &self.response.body);
        let passed = problems.is_empty();
        Some(Verdict {
            passed,
            expected: format!("the output shape of {}", self.op.name),
            actual: if passed {
                "a conforming body".into()
            } else {
                problems.join("; ")
            },
            message: if passed {
                "the body matches the output shape".into()
            } else {
                format!("output shape: {}", problems.join("; "))
            },
        })
    }

    fn content_type(&self) -> Option<Verdict> {
        if is_blank(&self.response.body) {
            return None;
        }
        let wanted = match self.service.protocol {
            Protocol::RestJson1 => "application/json",
            Protocol::AwsJson1_0 => "application/x-amz-json-1.0",
            Protocol::AwsJson1_1 => "application/x-amz-json-1.1",
        };
        let header = self.response.header("content-type");
        let media_type = header.map(|h| h.split(';').next().unwrap_or(h).trim());
        let passed = media_type.is_some_and(|m| m.eq_ignore_ascii_case(wanted));
        let actual = header.unwrap_or("(none)").to_string();
        Some(Verdict {
            passed,
            message: if passed {
                format!("Content-Type is {wanted}")
            } else {
                format!("expected Content-Type {wanted} on a body, got {actual}")
            },
            expected: wanted.to_string(),
            actual,
        })
    }

    fn request_id(&self) -> Verdict {
        let found = ["x-amzn-requestid", "x-amz-request-id"]
            .into_iter()
            .find_map(|name| {
                self.response
                    .header(name)
                    .filter(|v| !v.trim().is_empty())
                    .map(|v| (name, v))
            });
        Verdict {
            passed: found.is_some(),
            expected: "x-amzn-requestid or x-amz-request-id".into(),
            actual: match found {
                Some((name, _)) => name.to_string(),
                None => "(none)".into(),
            },
            message: match found {
                Some((name, value)) => format!("request id in {name}: {value}"),
                None => "no x-amzn-requestid or x-amz-request-id header".into(),
            },
        }
    }
}

/// Whether a `fieldList` name designates a member path: equal ignoring ASCII case (so `alternateContactType`
/// names `AlternateContactType`), either in full (`alternateContact.name`) or as the path's last segment.
fn names_member(name: &str, member_path: &str) -> bool {
    let name = name.trim();
    name.eq_ignore_ascii_case(member_path)
        || member_path
            .rsplit('.')
            .next()
            .is_some_and(|last| name.eq_ignore_ascii_case(last))
}

#[cfg(test)]
mod tests;
