//! What a case expects: defaults derived from the model, AWS's wire behaviour as data, and the spec files' rules on top.
//!
//! An [`Expected`] says which answers pass (`accept`). When AWS's exact answer is not settled by a document or a
//! capture, it is `uncertain` — but uncertain only about *which* answer, never about *whether* the target is wrong:
//! the [`Plausible`] envelope says which other answers could still be AWS's. An answer outside `accept` but inside
//! the envelope is reported apart as uncertain; outside the envelope it is a deviation. So an invalid request
//! answered with a success, a 5xx, or an error that says something else went wrong (`OrganizationNotFoundException`
//! for a malformed organisation id: the constraint was never checked) is a deviation even when which validation
//! error AWS sends is unknown.

use crate::model::{
    ConstraintKind, Expectation, Member, Operation, Outcome, Provenance, Service, ShapeKind,
};
use crate::protocol::{Also, WireExpectation};

/// The answers that could be AWS's when its exact answer is unsettled.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Plausible {
    /// Any success (2xx).
    pub success: bool,
    /// Any client error (4xx) whose type is not in `not`.
    pub client_error: bool,
    /// Error types that cannot be right even though they are client errors: the operation's declared errors that
    /// say the request was valid and the target's state refused it.
    pub not: Vec<String>,
    /// These outcomes in particular (each error with its declared status).
    pub outcomes: Vec<Outcome>,
}

impl Plausible {
    /// Whether an answer could be AWS's.
    pub fn contains(&self, status: u16, error_type: Option<&str>) -> bool {
        if self
            .outcomes
            .iter()
            .any(|o| o.status == status && o.error_type.as_deref() == error_type)
        {
            return true;
        }
        if (200..300).contains(&status) {
            return self.success;
        }
        if (400..500).contains(&status) && self.client_error {
            return error_type.is_none_or(|t| !self.not.iter().any(|n| n == t));
        }
        false
    }
}

/// What a case expects, as carried by the case and its report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    /// The outcomes that pass; the first is the one shown as "expected". Never empty.
    pub accept: Vec<Outcome>,
    /// True when AWS's exact answer is not settled: answers in `plausible` are reported apart, never as deviations.
    pub uncertain: bool,
    /// Why, when that is not obvious.
    pub note: Option<String>,
    /// The other answers that could be AWS's, when `uncertain`.
    pub plausible: Plausible,
    /// Whether AWS certainly refuses the request (an invalid or unauthenticated one): a success is then wrong
    /// whatever the uncertainty about which error.
    pub must_fail: bool,
    /// Where the expectation comes from (`put-api: Errors / ValidationException`, `wire-facts: ...`).
    pub source: String,
}

impl Expected {
    /// A certain expectation of exactly these outcomes.
    pub fn certain(accept: Vec<Outcome>, source: impl Into<String>) -> Self {
        let must_fail = accept.iter().all(|o| o.status >= 300);
        Expected {
            accept,
            uncertain: false,
            note: None,
            plausible: Plausible::default(),
            must_fail,
            source: source.into(),
        }
    }

    /// Whether an outcome it accepts is a success (2xx).
    pub fn admits_success(&self) -> bool {
        self.accept.iter().any(|o| (200..300).contains(&o.status))
    }

    /// The outcome shown as "expected".
    pub fn primary(&self) -> &Outcome {
        &self.accept[0]
    }

    /// Whether a response with this status and (normalised) error type passes.
    pub fn accepts(&self, status: u16, error_type: Option<&str>) -> bool {
        self.accept
            .iter()
            .any(|o| o.status == status && o.error_type.as_deref() == error_type)
    }

    /// Whether an answer that does not pass is only uncertain (could still be AWS's) rather than a deviation.
    pub fn excuses(&self, status: u16, error_type: Option<&str>) -> bool {
        if !self.uncertain {
            return false;
        }
        if self.must_fail && (200..300).contains(&status) {
            return false;
        }
        self.plausible.contains(status, error_type)
    }

    /// From a spec-file rule; an uncertain rule about an error is plausibly any other client error of the same
    /// nature (see [`Plausible`]), an uncertain rule about a success any declared error.
    pub fn from_rule(rule: &Expectation, plausible: Plausible) -> Self {
        let must_fail = rule.accept.iter().all(|o| o.status >= 300);
        Expected {
            accept: rule.accept.clone(),
            uncertain: rule.uncertain,
            note: rule.note.clone(),
            plausible: if rule.uncertain {
                plausible
            } else {
                Plausible::default()
            },
            must_fail,
            source: rule.source.text.clone(),
        }
    }
}

/// Error types that say a request was refused as invalid (by any AWS protocol's naming), as opposed to errors that
/// say a valid request met the target's state.
pub const VALIDATION_LIKE: [&str; 16] = [
    "ValidationException",
    "ValidationError",
    "InvalidParameterException",
    "InvalidParameterValueException",
    "InvalidParameterValue",
    "InvalidParameterCombinationException",
    "InvalidParameterCombination",
    "InvalidInputException",
    "InvalidInput",
    "InvalidRequestException",
    "InvalidRequest",
    "BadRequestException",
    "SerializationException",
    "InvalidArgumentException",
    "MissingParameter",
    "MissingRequiredParameter",
];

/// Errors every AWS API can return whatever the operation declares (authentication, authorisation, throttling,
/// transient faults), with their usual status. Source: the common errors of the AWS API references.
pub const COMMON_ERRORS: [(&str, u16); 9] = [
    ("AccessDeniedException", 403),
    ("ThrottlingException", 400),
    ("TooManyRequestsException", 429),
    ("ServiceUnavailableException", 503),
    ("InternalFailure", 500),
    ("RequestExpired", 400),
    ("ExpiredTokenException", 400),
    ("UnrecognizedClientException", 400),
    ("IncompleteSignature", 400),
];

/// The declared errors of an operation, each with the status it is sent with.
pub fn declared_errors(service: &Service, op: &Operation) -> Vec<Outcome> {
    op.errors
        .iter()
        .filter_map(|id| {
            let shape = service.shape(*id);
            let error = shape.error.as_ref()?;
            // awsQuery and ec2Query answers, and the `x-amzn-query-error` codes of awsQuery-compatible JSON
            // services (SQS, CloudWatch), are read with their `awsQueryError` code mapped back to the shape (as
            // `Protocol::decode_error` names them), so the expectation names the shape too.
            let query = service.query_compatible
                || matches!(
                    service.protocol,
                    crate::model::ProtocolId::AwsQuery | crate::model::ProtocolId::Ec2Query
                );
            let name = match &error.code {
                Some(code) if !query => code.clone(),
                _ => shape.name.clone(),
            };
            Some(Outcome {
                status: error.status(),
                error_type: Some(name),
            })
        })
        .collect()
}

/// The status a known error type is sent with, if the service declares it.
pub fn declared_status(service: &Service, error_type: &str) -> Option<u16> {
    let (_, shape) = service.error_named(error_type)?;
    Some(shape.error.as_ref()?.status())
}

/// What may answer an invalid request when which error is unsettled: a client error, but none of the
/// operation's declared errors that say a valid request met the target's state.
pub fn invalid_plausible(service: &Service, op: &Operation, accept: &[Outcome]) -> Plausible {
    Plausible {
        success: false,
        client_error: true,
        not: declared_errors(service, op)
            .into_iter()
            .filter_map(|o| o.error_type)
            .filter(|t| {
                !VALIDATION_LIKE.contains(&t.as_str())
                    && !accept.iter().any(|a| a.error_type.as_deref() == Some(t))
                    && t != "AccessDeniedException"
            })
            .collect(),
        outcomes: Vec::new(),
    }
}

/// What may answer a valid request when the target's state decides: success, a declared error, or a common one.
pub fn valid_plausible(service: &Service, op: &Operation) -> Plausible {
    let mut outcomes = declared_errors(service, op);
    outcomes.extend(COMMON_ERRORS.iter().map(|(t, s)| Outcome {
        status: *s,
        error_type: Some(t.to_string()),
    }));
    Plausible {
        success: true,
        client_error: false,
        not: Vec::new(),
        outcomes,
    }
}

/// What may answer a model-valid request of an operation no spec file describes: besides [`valid_plausible`], a
/// validation error (400), since a service can refuse a model-valid value for a business rule the model does not
/// carry (DynamoDB's table names: `[a-zA-Z0-9_.-]{3,255}` in its documentation, any 1 to 1024 characters in its
/// model).
pub fn imported_valid_plausible(service: &Service, op: &Operation) -> Plausible {
    let mut plausible = valid_plausible(service, op);
    // EC2's model declares no error at all: its codes are documented apart (the EC2 API reference's "Error codes
    // for the Amazon EC2 API": `InvalidVpcID.NotFound` for a VPC that does not exist, 412 `DryRunOperation` for a
    // request with `DryRun` set, ...). A valid request may meet any of them, so any client error may be AWS's
    // answer (a 5xx, a success that breaks the output shape, stay deviations).
    // The operation's own list first: most operations declare errors, and the service-wide look stops there.
    if op.errors.is_empty() && service.operations.values().all(|o| o.errors.is_empty()) {
        plausible.client_error = true;
    }
    plausible
        .outcomes
        .extend(VALIDATION_LIKE.iter().map(|t| Outcome {
            status: 400,
            error_type: Some(t.to_string()),
        }));
    plausible
}

/// What a valid request expects: the success, or (spec rules) the state-dependent errors `on_state` names; for an
/// operation no spec file describes, a success or any declared or common error, uncertain, since only the target's
/// state decides.
pub fn valid(service: &Service, op: &Operation) -> Expected {
    let success = Outcome::success(op.http.response_code);
    match &op.rules.on_state {
        Some(state) => {
            let mut accept = vec![success];
            accept.extend(state.accept.iter().cloned());
            Expected {
                accept,
                uncertain: state.uncertain,
                note: state.note.clone(),
                plausible: if state.uncertain {
                    valid_plausible(service, op)
                } else {
                    Plausible::default()
                },
                must_fail: false,
                source: state.source.text.clone(),
            }
        }
        None if op.rules.role == crate::model::Role::Imported => {
            let mut accept = vec![success];
            accept.extend(declared_errors(service, op));
            Expected {
                accept,
                uncertain: true,
                note: Some(
                    "a valid request succeeds or meets the target's state (a declared error); the model does not \
                     say which"
                        .into(),
                ),
                plausible: imported_valid_plausible(service, op),
                must_fail: false,
                source: format!("botocore: {} errors", op.name),
            }
        }
        None => Expected::certain(vec![success], op.source.text.clone()),
    }
}

/// The spec rule that decides a violation of `kind` on `member`: the member's own, else the service's.
fn violation_rule<'a>(
    service: &'a Service,
    member: &'a Member,
    kind: ConstraintKind,
) -> Option<&'a Expectation> {
    member
        .rules
        .on_violation
        .iter()
        .find(|rule| {
            // Type errors are refused while deserialising, before validation: a rule about validation errors
            // applies to them only when it names them.
            if kind == ConstraintKind::Type {
                rule.constraints.contains(&kind)
            } else {
                rule.constraints.is_empty() || rule.constraints.contains(&kind)
            }
        })
        .map(|rule| &rule.expect)
        .or(match kind {
            ConstraintKind::Type => None,
            _ => service.rules.on_violation.as_ref(),
        })
}

/// What a violation of `kind` on `member` expects: a spec rule, else the protocol's rule for wrong types, else
/// the service's validation error (ValidationException, 400).
pub fn violation(
    service: &Service,
    op: &Operation,
    member: &Member,
    kind: ConstraintKind,
    wrong_type: &WireExpectation,
) -> Expected {
    let rule = violation_rule(service, member, kind);
    let mut expected = match (rule, kind) {
        (Some(rule), _) => {
            let plausible = invalid_plausible(service, op, &rule.accept);
            Expected::from_rule(rule, plausible)
        }
        (None, ConstraintKind::Type) => {
            let accept = outcomes(&wrong_type.accept);
            let plausible = if wrong_type.certainly_fails {
                invalid_plausible(service, op, &accept)
            } else {
                // A protocol whose wire cannot tell the types apart (awsQuery's text fields) may read the value as
                // valid: any answer but a server fault could be AWS's.
                Plausible {
                    success: true,
                    client_error: true,
                    not: Vec::new(),
                    outcomes: Vec::new(),
                }
            };
            return Expected {
                uncertain: wrong_type.uncertain.is_some(),
                note: wrong_type.uncertain.map(str::to_string),
                plausible,
                must_fail: wrong_type.certainly_fails,
                source: wrong_type.source.to_string(),
                accept,
            };
        }
        (None, _) => {
            let accept = vec![Outcome {
                status: 400,
                error_type: Some("ValidationException".into()),
            }];
            let certain_validation = service
                .operations
                .values()
                .flat_map(|op| op.errors.iter())
                .any(|id| service.shape(*id).name == "ValidationException");
            let plausible = invalid_plausible(service, op, &accept);
            Expected {
                accept,
                // Coral services answer constraint violations with ValidationException; a service whose model
                // declares no such error may use another name (InvalidParameterException, ...).
                uncertain: !certain_validation,
                note: (!certain_validation).then(|| {
                    "the model declares no ValidationException; which validation error the service sends is \
                     not documented"
                        .to_string()
                }),
                plausible,
                must_fail: true,
                source: "wire-facts: Validation messages (Coral style, real AWS)".into(),
            }
        }
    };
    expected.must_fail = true;
    expected
}

/// Bodies over this many bytes (1 MiB) may meet a request-size limit before validation.
pub const LARGE_BODY: usize = 1024 * 1024;

/// Widens what a valid or invalid request expects when its body is over [`LARGE_BODY`] (a one-too-long string or
/// list whose maximum is itself near a megabyte): the wire facts give no request-size limit, yet many AWS JSON APIs
/// refuse bodies over 1 MiB with 413 before they validate anything. So a 413 is then uncertain, neither a pass nor a
/// deviation; a success for an invalid request stays a deviation.
pub fn allow_oversized_body(expected: &mut Expected, body_len: usize) {
    if body_len <= LARGE_BODY {
        return;
    }
    expected.uncertain = true;
    let why = format!(
        "the body is {body_len} bytes, over 1 MiB: the wire facts give no request-size limit, and AWS may answer 413 \
         before validating"
    );
    expected.note = Some(match expected.note.take() {
        Some(note) => format!("{note}; {why}"),
        None => why,
    });
    for error_type in [Some("RequestEntityTooLargeException"), None] {
        expected.plausible.outcomes.push(Outcome {
            status: 413,
            error_type: error_type.map(str::to_string),
        });
    }
}

/// What a request naming a fixture's well-formed unknown value expects (the spec's `on_unknown`).
pub fn fixture_unknown(service: &Service, op: &Operation, rule: &Expectation) -> Expected {
    // A fixture's rule covers every operation that names it; each operation can answer only the errors its model
    // declares (PutAlternateContact declares no ResourceNotFoundException), unless none of them is declared.
    let declared = |outcome: &Outcome| {
        outcome
            .error_type
            .as_deref()
            .is_none_or(|name| op.errors.iter().any(|id| service.shape(*id).name == name))
    };
    let mut narrowed = rule.clone();
    if rule.accept.iter().any(declared) {
        narrowed.accept.retain(declared);
    }
    let rule = &narrowed;
    let plausible = invalid_plausible(service, op, &rule.accept);
    let mut expected = Expected::from_rule(rule, plausible);
    expected.must_fail = true;
    expected
}

/// What an example expects (the spec's `expect`), with the envelope of its kind.
pub fn example(service: &Service, op: &Operation, rule: &Expectation) -> Expected {
    let must_fail = rule.accept.iter().all(|o| o.status >= 300);
    let plausible = if must_fail {
        invalid_plausible(service, op, &rule.accept)
    } else {
        valid_plausible(service, op)
    };
    let mut expected = Expected::from_rule(rule, plausible);
    expected.must_fail = must_fail;
    expected
}

/// What a scenario step expects (the spec's `expect`, success when it gives none).
pub fn step(service: &Service, op: &Operation, rule: &Expectation) -> Expected {
    example(service, op, rule)
}

fn outcomes(pairs: &[(u16, Option<&'static str>)]) -> Vec<Outcome> {
    pairs
        .iter()
        .map(|(status, t)| Outcome {
            status: *status,
            error_type: t.map(str::to_string),
        })
        .collect()
}

/// The expectation of wire-fact data (a protocol malformation or a signing fault): its outcomes, plus those of
/// the valid input or of an input-less request where the data says the target may ignore the oddity.
pub fn wire(
    service: &Service,
    op: &Operation,
    expect: &WireExpectation,
    valid: &Expected,
    empty_input: &Expected,
) -> Expected {
    let mut accept = outcomes(&expect.accept);
    let also = match expect.also {
        Also::Nothing => None,
        Also::Valid => Some(valid),
        Also::EmptyInput => Some(empty_input),
    };
    if let Some(also) = also {
        for o in &also.accept {
            if !accept.contains(o) {
                accept.push(o.clone());
            }
        }
    }
    let plausible = if expect.certainly_fails {
        invalid_plausible(service, op, &accept)
    } else {
        // Without a capture, any answer but a server fault could be AWS's to a protocol oddity it may tolerate.
        Plausible {
            success: true,
            client_error: true,
            not: Vec::new(),
            outcomes: Vec::new(),
        }
    };
    let uncertain = expect.uncertain.is_some() || also.is_some_and(|a| a.uncertain);
    Expected {
        must_fail: expect.certainly_fails,
        uncertain,
        note: expect
            .uncertain
            .map(str::to_string)
            .or_else(|| also.and_then(|a| a.note.clone())),
        plausible: if uncertain {
            plausible
        } else {
            Plausible::default()
        },
        source: expect.source.to_string(),
        accept,
    }
}

/// Provenance text of a member, for reports.
pub fn member_source(member: &Member) -> &Provenance {
    &member.source
}

/// Whether a member's shape is one the oracle treats as text (for messages).
pub fn is_text(service: &Service, member: &Member) -> bool {
    matches!(
        service.target(member).kind,
        ShapeKind::String | ShapeKind::Enum(_)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(status: u16, t: &str) -> Outcome {
        Outcome {
            status,
            error_type: Some(t.into()),
        }
    }

    /// A body over 1 MiB makes a 413 uncertain (the wire facts give no size limit) without excusing a success of
    /// an invalid request; a body at the limit changes nothing.
    #[test]
    fn an_oversized_body_makes_a_413_uncertain_but_never_a_success() {
        let invalid = Expected::certain(vec![outcome(400, "ValidationException")], "test");
        let mut at_limit = invalid.clone();
        allow_oversized_body(&mut at_limit, LARGE_BODY);
        assert_eq!(at_limit, invalid);
        let mut over = invalid.clone();
        allow_oversized_body(&mut over, LARGE_BODY + 1);
        assert!(over.accepts(400, Some("ValidationException")));
        assert!(!over.accepts(413, Some("RequestEntityTooLargeException")));
        assert!(over.excuses(413, Some("RequestEntityTooLargeException")));
        assert!(over.excuses(413, None));
        assert!(
            !over.excuses(200, None),
            "an invalid request never succeeds"
        );
        assert!(!over.excuses(500, Some("InternalFailure")));
        assert!(over.note.as_deref().unwrap().contains("over 1 MiB"));
    }

    #[test]
    fn an_unknown_account_expects_only_the_errors_each_operation_declares() {
        let model = crate::spec::embedded_model().unwrap();
        let service = &model.services["account"];
        let rule = service.rules.fixtures["account.AccountId"]
            .on_unknown
            .clone()
            .unwrap();
        let accepted = |name: &str| -> Vec<String> {
            let op = &service.operations[name];
            fixture_unknown(service, op, &rule)
                .accept
                .iter()
                .filter_map(|o| o.error_type.clone())
                .collect()
        };
        // PutAlternateContact's model declares no ResourceNotFoundException: it cannot be an answer.
        assert_eq!(accepted("PutAlternateContact"), ["AccessDeniedException"]);
        assert_eq!(
            accepted("DeleteAlternateContact"),
            ["AccessDeniedException", "ResourceNotFoundException"]
        );
    }

    #[test]
    fn an_uncertain_invalid_expectation_excuses_only_other_client_errors() {
        let expected = Expected {
            accept: vec![outcome(400, "ValidationException")],
            uncertain: true,
            note: None,
            plausible: Plausible {
                success: false,
                client_error: true,
                not: vec!["OrganizationNotFoundException".into()],
                outcomes: vec![],
            },
            must_fail: true,
            source: String::new(),
        };
        assert!(expected.accepts(400, Some("ValidationException")));
        assert!(expected.excuses(400, Some("InvalidParameterException")));
        assert!(!expected.excuses(400, Some("OrganizationNotFoundException")));
        assert!(!expected.excuses(200, None));
        assert!(!expected.excuses(500, Some("InternalServerException")));
    }

    #[test]
    fn a_certain_expectation_excuses_nothing() {
        let expected = Expected::certain(vec![Outcome::success(200)], "x");
        assert!(!expected.must_fail);
        assert!(!expected.excuses(400, Some("ValidationException")));
    }

    #[test]
    fn a_valid_request_of_an_imported_operation_may_meet_state_or_a_business_rule_but_not_a_fault()
    {
        let model = include_str!("../../tests/models/widgets/2020-01-01/service-2.json");
        let service = crate::frontend::botocore::parse_service(
            "widgets",
            model.as_bytes(),
            std::path::Path::new("widgets.json"),
        )
        .unwrap();
        let op = &service.operations["CreateWidget"];
        let expected = valid(&service, op);
        assert!(expected.uncertain);
        assert!(expected.accepts(200, None));
        assert!(expected.accepts(409, Some("ConflictException")));
        assert!(expected.excuses(400, Some("ValidationException")));
        assert!(expected.excuses(400, Some("SerializationException")));
        assert!(expected.excuses(429, Some("TooManyRequestsException")));
        assert!(!expected.excuses(500, Some("InternalError")), "a fault");
        assert!(
            !expected.excuses(400, Some("NoSuchWidgetFeatureException")),
            "undeclared"
        );
        assert!(
            !expected.excuses(404, Some("ResourceNotFoundException")),
            "another op's error"
        );
    }

    /// EC2's model declares no errors: a valid request may meet any of the codes its API reference lists apart
    /// (`InvalidVpcID.NotFound`, 412 `DryRunOperation`), and only a fault or a success breaking the output shape
    /// is certainly wrong. A service that declares errors keeps to them (above).
    #[test]
    fn a_valid_request_of_a_service_declaring_no_errors_may_meet_any_client_error() {
        let model = include_str!("../../tests/models/widgets/2020-01-01/service-2.json");
        let mut json: serde_json::Value = serde_json::from_str(model).unwrap();
        let shapes = json["shapes"].as_object_mut().unwrap();
        shapes.retain(|_, shape| shape.get("exception").is_none());
        for op in json["operations"].as_object_mut().unwrap().values_mut() {
            op.as_object_mut().unwrap().remove("errors");
        }
        let service = crate::frontend::botocore::parse_service(
            "widgets",
            json.to_string().as_bytes(),
            std::path::Path::new("widgets.json"),
        )
        .unwrap();
        let expected = valid(&service, &service.operations["CreateWidget"]);
        assert!(expected.uncertain);
        assert!(expected.excuses(400, Some("InvalidVpcID.NotFound")));
        assert!(expected.excuses(412, Some("DryRunOperation")));
        assert!(!expected.excuses(500, Some("InternalError")), "a fault");
        assert!(!expected.excuses(503, None), "a fault");
    }
}
