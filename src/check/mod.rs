//! The named checks a response is judged by: status, error type, error body, output shape, content type, request id.
//!
//! Each check that applies to a response gives one [`CheckResult`]; a check that does not apply (output-shape on an
//! error response, error-body on a success, content-type on an empty body) gives none, so the results hold only
//! verdicts. What the response means — its error type, its error document, its output against the output shape —
//! is read by the service's protocol, so nothing here knows a protocol. See [`run_checks`] for when a failure is
//! uncertain rather than a deviation.

mod implemented;
mod text;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::case::{Case, CaseClass, CaseKind};
use crate::model::{Operation, Outcome, Role, Segment, Service};
use crate::protocol::{self, ErrorInfo, HttpResponse, Protocol};

pub use implemented::{
    EXPECTED_IMPLEMENTED, EXPECTED_NO_CRASH, Reading, looks_unimplemented, unimplemented_reading,
};
pub use text::{body_excerpt, error_message, is_blank};

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
    /// A body carries the protocol's Content-Type, and every answer the headers its protocol requires (rpcv2Cbor's
    /// `smithy-protocol`).
    ContentType,
    /// The response carries a request id header.
    RequestId,
    /// A scenario step's outcome and assertions (produced by the scenario engine, not by [`run_checks`]).
    State,
    /// The normalised response against its stored snapshot (produced by the runner, not by [`run_checks`]).
    Snapshot,
    /// The normalised response against another target's (`conform diff`, not [`run_checks`]).
    Parity,
    /// The target implements the operation: its first valid cases are not all answered as an unknown route (a 404,
    /// 405, 500 or 501 without an error type of the protocol, or a "not implemented" error). Produced by the runner's
    /// probes; an operation that fails it is reported once and its other cases are not sent.
    Implemented,
}

impl CheckName {
    /// Every check, in the order they run and are shown.
    pub const ALL: [CheckName; 10] = [
        CheckName::Status,
        CheckName::ErrorType,
        CheckName::ErrorBody,
        CheckName::OutputShape,
        CheckName::ContentType,
        CheckName::RequestId,
        CheckName::State,
        CheckName::Snapshot,
        CheckName::Parity,
        CheckName::Implemented,
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
            CheckName::Implemented => "implemented",
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

/// The normalised error type of a response, by the service's protocol (`None` for successes).
pub fn error_type_of(service: &Service, response: &HttpResponse) -> Option<String> {
    protocol::for_id(service.protocol)?
        .decode_error(service, response)
        .map(|e| e.code)
}

/// Runs the `selected` checks on a response to `case`, in the order of [`CheckName::ALL`].
///
/// A failed status or error-type check is *uncertain* when the case's expectation is uncertain and the answer is
/// one AWS could plausibly give ([`crate::oracle::Expected::excuses`]) and does not carry a known error type with
/// another status than its declared one; every other failure is a deviation. The checks of the response's form
/// (error body, output shape, content type, request id) do not depend on which answer AWS gives, so their failures
/// are never uncertain.
pub fn run_checks(
    service: &Service,
    op: &Operation,
    case: &Case,
    response: &HttpResponse,
    selected: &[CheckName],
) -> Vec<CheckResult> {
    let Some(protocol) = protocol::for_id(service.protocol) else {
        return Vec::new();
    };
    let error = protocol.decode_error(service, response);
    let context = Context {
        service,
        op,
        protocol,
        case,
        response,
        error: error.as_ref(),
        error_type: error.as_ref().map(|e| e.code.as_str()),
    };
    // An accepted answer with no error type and no success (a front end's 404 page) carries no protocol body.
    let bare = !is_success(response.status)
        && context.error_type.is_none()
        && case.expected.accepts(response.status, None);
    let excused = case.expected.excuses(response.status, context.error_type)
        && context.declared_status_mismatch().is_none();
    CheckName::ALL
        .into_iter()
        .filter(|c| selected.contains(c))
        .filter_map(|check| {
            let verdict = match check {
                CheckName::Status => Some(context.status()),
                CheckName::ErrorType => Some(context.error_type()),
                CheckName::ErrorBody if !bare => context.error_body(),
                CheckName::OutputShape => context.output_shape(),
                CheckName::ContentType if !bare => context.content_type(),
                CheckName::RequestId if !bare => Some(context.request_id()),
                _ => None,
            }?;
            let uncertain = !verdict.passed
                && excused
                && matches!(check, CheckName::Status | CheckName::ErrorType);
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

impl Context<'_> {
    /// The declared status of the error type that came back, when the response carries another: AWS sends each of
    /// its error types with one status (AccessDeniedException is always 403), so a known type with a status of its
    /// own is wrong whichever error the case should get, and an uncertain expectation does not excuse it.
    fn declared_status_mismatch(&self) -> Option<u16> {
        let declared = crate::oracle::declared_status(self.service, self.error_type?)?;
        (!is_success(self.response.status) && declared != self.response.status).then_some(declared)
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
    protocol: &'a dyn Protocol,
    case: &'a Case,
    response: &'a HttpResponse,
    error: Option<&'a ErrorInfo>,
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
        // Several accepted outcomes may share a status (two error types of one 404); each is named once.
        let mut statuses: Vec<u16> = Vec::new();
        for outcome in &self.case.expected.accept {
            if !statuses.contains(&outcome.status) {
                statuses.push(outcome.status);
            }
        }
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
        let with_status: Vec<&Outcome> = accept.iter().filter(|o| o.status == status).collect();
        let candidates: Vec<&Outcome> = if with_status.is_empty() {
            accept.iter().collect()
        } else {
            with_status
        };
        // A response to HEAD has no content (RFC 9110, section 9.3.2): where the protocol carries the error type in
        // the body (restXml: S3's HeadObject and HeadBucket answer 404 with nothing), the status alone says which
        // error it is, as botocore names it by the status.
        let headless = actual.is_none()
            && !is_success(status)
            && self.case.request.method.eq_ignore_ascii_case("HEAD")
            && matches!(self.protocol.error_source(), protocol::ErrorSource::Body(_))
            && candidates.iter().any(|o| o.status == status);
        let mut passed = headless || candidates.iter().any(|o| o.error_type.as_deref() == actual);
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
        let message = if headless {
            format!(
                "a response to HEAD carries no error type; status {status} is an expected error's"
            )
        } else if passed {
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
                "expected error type {expected}, found none where the {} protocol carries it (body `{}`)",
                self.protocol.id(),
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
        let found = self.error?.found_in;
        let canonical = self.protocol.error_source();
        if found == canonical {
            return None;
        }
        // The type may also be in the canonical place when a client found it elsewhere first.
        let in_canonical = match canonical {
            protocol::ErrorSource::Header => self.response.header("x-amzn-errortype").is_some(),
            protocol::ErrorSource::QueryErrorHeader => {
                self.response.header("x-amzn-query-error").is_some()
            }
            protocol::ErrorSource::Body(field) => self
                .protocol
                .error_document(self.response)
                .is_some_and(|d| d.get(field).is_some()),
        };
        (!in_canonical).then(|| {
            format!(
                "the error type is not {}, where {} services send it",
                match canonical {
                    protocol::ErrorSource::Header => "in the X-Amzn-ErrorType header".to_string(),
                    protocol::ErrorSource::QueryErrorHeader =>
                        "in the x-amzn-query-error header".to_string(),
                    protocol::ErrorSource::Body(field) => format!("in the body's `{field}`"),
                },
                self.protocol.id()
            )
        })
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
        if coral && let Some(paths) = self.several_paths() {
            problems.extend(several_message_problems(message, &paths));
        }
        // The constraint texts can spell the value out themselves (a pattern `https://[...]+` and the value
        // `https://`), and so can the paths: only what precedes them, where Coral writes `Value '...'`, counts as an
        // echo.
        let outside_constraints = message
            .split("; ")
            .map(|clause| {
                let head = clause
                    .split_once("failed to satisfy constraint:")
                    .map_or(clause, |(head, _)| head);
                // Nor does the member's path (qconnect's `contextualGroundingPolicyConfig...` holds `Grounding`).
                head.split_once(" at '").map_or(head, |(value, _)| value)
            })
            .collect::<Vec<_>>()
            .join("; ");
        if let Some(value) = self.mutated_sensitive_value()
            && value.chars().count() >= 4
            && outside_constraints.contains(value.as_str())
        {
            problems.push(
                "the message echoes the value of a sensitive member, which AWS withholds".into(),
            );
        }
        problems
    }

    /// For a `several-violations` case whose expected error is certain, the Coral paths of the violations it
    /// carries (the validator's, so exactly what was broken). Where which error AWS sends is uncertain (WorkMail:
    /// ValidationException or InvalidParameterException), how its text lists them is not documented either.
    fn several_paths(&self) -> Option<Vec<String>> {
        if self.case.class != CaseClass::Several || self.case.expected.uncertain {
            return None;
        }
        let violations =
            crate::model::validate_input(self.service, self.op.input?, &self.case.input);
        Some(violations.iter().map(|v| v.path.coral()).collect())
    }

    /// The value the case sent for its mutated member, when that member (or its shape) is sensitive.
    fn mutated_sensitive_value(&self) -> Option<String> {
        let path = self.case.mutation.as_ref()?.path.as_ref()?;
        // The wire facts document withheld values for sensitive members themselves; whether AWS also withholds a
        // value inside a sensitive list, map or structure is not settled, so only the former is held against a
        // target. (conform's own output masks both: see `redact`.) A map key's mutation is not at its path's value.
        if matches!(path.0.last(), Some(Segment::Key(_)))
            || !crate::redact::path_leaf_is_sensitive(self.service, self.op, path)
        {
            return None;
        }
        path.get(&self.case.input)?.as_str().map(str::to_string)
    }

    /// Whether the model's shape of an error type requires a message member.
    fn message_required(&self) -> bool {
        let Some((_, shape)) = self.error_type.and_then(|t| self.service.error_named(t)) else {
            return false;
        };
        shape
            .kind
            .members()
            .iter()
            .any(|m| m.required && m.name.eq_ignore_ascii_case("message"))
    }

    fn error_body(&self) -> Option<Verdict> {
        // A response to HEAD never has content (RFC 9110, section 9.3.2): its error is in the status and headers.
        if is_success(self.response.status) || self.case.request.method.eq_ignore_ascii_case("HEAD")
        {
            return None;
        }
        let body = &self.response.body;
        let kind = self.protocol.document_kind();
        let expected = format!("{kind} error body");
        let Some(document) = self.protocol.error_document(self.response) else {
            let actual = if is_blank(body) {
                "an empty body".to_string()
            } else {
                format!("`{}`", body_excerpt(body, EXCERPT))
            };
            return Some(Verdict {
                passed: false,
                message: format!("expected {kind} error body, got {actual}"),
                expected,
                actual,
            });
        };
        let mut problems = Vec::new();
        match error_message(&document) {
            None if self.message_required() => problems.push(format!(
                "no `message`, `Message` or `errorMessage` string, which the model requires of {}",
                type_text(self.error_type)
            )),
            None => {}
            Some(message) => problems.extend(self.validation_message_problems(message)),
        }
        // `reason` and `fieldList` are documented for Account's ValidationException (wire facts), so they are asked
        // of the operations spec files describe; a model that merely declares a `fieldList` member (abuse-signal's
        // has no `reason` at all) says nothing about when AWS fills it in.
        if self.op.rules.role != Role::Imported
            && let Some((_, shape)) = self.error_type.and_then(|t| self.service.error_named(t))
            && shape.kind.members().iter().any(|m| m.name == "fieldList")
        {
            problems.extend(self.field_list_problems(&document));
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
                "the error body conforms".into()
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
    fn field_list_problems(&self, document: &serde_json::Value) -> Vec<String> {
        let mut problems = Vec::new();
        let reason = document.get("reason").and_then(serde_json::Value::as_str);
        if reason.is_none() {
            problems.push("no `reason` string".to_string());
        }
        if self.case.kind != CaseKind::Invalid {
            return problems;
        }
        if let Some(paths) = self.several_paths() {
            problems.extend(several_field_problems(document, &paths));
            return problems;
        }
        let Some(member) = self.case.mutation.as_ref().and_then(|m| m.member()) else {
            return problems;
        };
        if reason == Some("invalidRegionOptTarget") {
            return problems;
        }
        let names: Vec<&str> = match document.get("fieldList") {
            Some(serde_json::Value::Array(fields)) => fields
                .iter()
                .filter_map(|f| f.get("name")?.as_str())
                .collect(),
            _ => {
                problems.push(format!("no `fieldList` naming `{member}`"));
                return problems;
            }
        };
        if !names.iter().any(|name| names_member(name, &member)) {
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
        let decoded = self
            .protocol
            .decode_output(self.service, self.op, self.response);
        let problems: Vec<String> = decoded
            .problems
            .iter()
            .map(|p| {
                if p.path.is_root() {
                    p.problem.clone()
                } else {
                    format!("`{}`: {}", p.path, p.problem)
                }
            })
            .collect();
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
        for (name, value, rule) in self.protocol.required_response_headers() {
            let header = self.response.header(name);
            if !header.is_some_and(|h| h.trim().eq_ignore_ascii_case(value)) {
                let actual = header.map_or("(none)".to_string(), |h| format!("{name}: {h}"));
                return Some(Verdict {
                    passed: false,
                    message: format!("expected the header {name}: {value} ({rule}), got {actual}"),
                    expected: format!("{name}: {value}"),
                    actual,
                });
            }
        }
        if is_blank(&self.response.body) {
            return None;
        }
        let wanted = if is_success(self.response.status) {
            self.protocol.success_content_type(self.service, self.op)?
        } else {
            self.protocol.error_content_type()?
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
        let in_body = self.protocol.body_request_id(self.response);
        let found = ["x-amzn-requestid", "x-amz-request-id"]
            .into_iter()
            .find_map(|name| {
                self.response
                    .header(name)
                    .filter(|v| !v.trim().is_empty())
                    .map(|v| (name, v))
            })
            .or_else(|| in_body.as_deref().map(|id| ("the body", id)));
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

/// A Coral message for several violations must count them all and name each path (`at 'name'`); the order is
/// free (wire facts: "compare the count and the set").
fn several_message_problems(message: &str, paths: &[String]) -> Vec<String> {
    let mut problems = Vec::new();
    let count = message
        .split_once(" validation error")
        .and_then(|(n, _)| n.parse::<usize>().ok());
    if count != Some(paths.len()) {
        problems.push(format!(
            "the message counts {} validation error(s), but the request breaks {} constraints",
            count.map_or("no".to_string(), |n| n.to_string()),
            paths.len()
        ));
    }
    let missing: Vec<&String> = paths
        .iter()
        .filter(|p| !message.contains(&format!("at '{p}'")))
        .collect();
    if !missing.is_empty() {
        problems.push(format!(
            "the message does not list the violation at {}",
            missing
                .iter()
                .map(|p| format!("'{p}'"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    problems
}

/// Account's `fieldList` for several violations: one entry per violated member, naming each, and no other.
fn several_field_problems(document: &serde_json::Value, paths: &[String]) -> Vec<String> {
    let names: Vec<&str> = match document.get("fieldList") {
        Some(serde_json::Value::Array(fields)) => fields
            .iter()
            .filter_map(|f| f.get("name")?.as_str())
            .collect(),
        _ => return vec![format!("no `fieldList` naming [{}]", paths.join(", "))],
    };
    let every = paths
        .iter()
        .all(|p| names.iter().any(|name| names_member(name, p)));
    let only = names
        .iter()
        .all(|name| paths.iter().any(|p| names_member(name, p)));
    if every && only && names.len() == paths.len() {
        Vec::new()
    } else {
        vec![format!(
            "`fieldList` names [{}], not the {} violated members [{}]",
            names.join(", "),
            paths.len(),
            paths.join(", ")
        )]
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
