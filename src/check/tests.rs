//! Unit tests of the checks, on both protocols.

use super::*;
use crate::case::{CaseClass, CaseKind, Mutation, Signing};
use crate::model::{Model, Outcome, Path, Value};
use crate::oracle::Expected;
use crate::protocol::{HttpRequest, HttpResponse};

fn specs() -> Model {
    crate::spec::embedded_model().unwrap()
}

fn outcome(status: u16, error_type: Option<&str>) -> Outcome {
    Outcome {
        status,
        error_type: error_type.map(String::from),
    }
}

/// An expectation as the oracle builds it: uncertain ones plausibly any client error but the operation's state
/// errors; one that expects only errors must fail.
fn expected(op: &str, accept: Vec<Outcome>, uncertain: bool) -> Expected {
    let specs = specs();
    let (service, operation) = specs.operation(op).unwrap();
    let must_fail = accept.iter().all(|o| o.status >= 300);
    Expected {
        plausible: if !uncertain {
            Default::default()
        } else if must_fail {
            crate::oracle::invalid_plausible(service, operation, &accept)
        } else {
            crate::oracle::valid_plausible(service, operation)
        },
        accept,
        uncertain,
        note: None,
        must_fail,
        source: String::new(),
    }
}

fn case(op: &str, accept: Vec<Outcome>, uncertain: bool, member: Option<&str>) -> Case {
    Case {
        id: "c-1".into(),
        service: "x".into(),
        operation: op.into(),
        kind: if member.is_some() {
            CaseKind::Invalid
        } else {
            CaseKind::Valid
        },
        class: if member.is_some() {
            CaseClass::LengthAboveMax
        } else {
            CaseClass::Random
        },
        input: Value::structure(),
        mutation: member.map(|m| Mutation {
            path: Some(Path::members([m])),
            class: CaseClass::LengthAboveMax,
            detail: format!("{m} too long"),
        }),
        request: HttpRequest {
            method: "POST".into(),
            path: "/".into(),
            body: b"{}".to_vec(),
            ..Default::default()
        },
        signing: Signing::Valid,
        expected: expected(op, accept, uncertain),
    }
}

fn response(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse {
    HttpResponse {
        status,
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
        body: body.as_bytes().to_vec(),
    }
}

fn run(op: &str, case: &Case, response: &HttpResponse) -> Vec<CheckResult> {
    let specs = specs();
    let (service, operation) = specs.operation(op).unwrap();
    run_checks(service, operation, case, response, &CheckName::ALL)
}

fn get(results: &[CheckResult], check: CheckName) -> Option<&CheckResult> {
    results.iter().find(|r| r.check == check)
}

const RID: (&str, &str) = ("x-amzn-requestid", "4b1c-req");

#[test]
fn check_names_parse_and_list_the_valid_ones_on_error() {
    for check in CheckName::ALL {
        assert_eq!(check.as_str().parse::<CheckName>(), Ok(check));
    }
    assert_eq!(
        parse_check_list("status, error-type,,").unwrap(),
        vec![CheckName::Status, CheckName::ErrorType]
    );
    let err = "stauts".parse::<CheckName>().unwrap_err().to_string();
    assert!(
        err.contains("`stauts`") && err.contains("output-shape, content-type"),
        "{err}"
    );
    assert_eq!(
        select_checks(
            Some(&[CheckName::RequestId, CheckName::Status]),
            &[CheckName::RequestId]
        ),
        vec![CheckName::Status]
    );
    assert_eq!(select_checks(None, &[]).len(), CheckName::ALL.len());
    assert_eq!(
        serde_json::to_string(&CheckName::OutputShape).unwrap(),
        "\"output-shape\""
    );
}

#[test]
fn a_conforming_rest_json_validation_error_passes_every_check() {
    let c = case(
        "PutAlternateContact",
        vec![outcome(400, Some("ValidationException"))],
        false,
        Some("Name"),
    );
    let r = response(
        400,
        &[
            (
                "x-amzn-errortype",
                "ValidationException:http://internal.amazon.com/coral/",
            ),
            ("content-type", "application/json"),
            RID,
        ],
        r#"{"message":"1 validation error detected: Value at 'name' failed to satisfy constraint: Member must have length less than or equal to 64","reason":"fieldValidationFailed","fieldList":[{"name":"name","message":"Member must have length less than or equal to 64"}]}"#,
    );
    let results = run("PutAlternateContact", &c, &r);
    assert_eq!(
        results.iter().map(|r| r.check).collect::<Vec<_>>(),
        vec![
            CheckName::Status,
            CheckName::ErrorType,
            CheckName::ErrorBody,
            CheckName::ContentType,
            CheckName::RequestId
        ],
        "output-shape does not apply to an error"
    );
    assert!(results.iter().all(|r| r.passed), "{results:#?}");
}

#[test]
fn a_success_where_an_error_was_expected_fails_status_and_error_type() {
    let c = case(
        "PutAlternateContact",
        vec![outcome(400, Some("ValidationException"))],
        false,
        Some("Name"),
    );
    let results = run("PutAlternateContact", &c, &response(200, &[RID], ""));
    let status = get(&results, CheckName::Status).unwrap();
    assert!(!status.passed && !status.uncertain);
    assert_eq!(
        (status.expected.as_str(), status.actual.as_str()),
        ("400", "200")
    );
    let et = get(&results, CheckName::ErrorType).unwrap();
    assert!(!et.passed);
    assert_eq!(et.actual, "(none)");
    assert!(get(&results, CheckName::OutputShape).unwrap().passed);
    assert!(
        get(&results, CheckName::ContentType).is_none(),
        "empty bodies need none"
    );
    assert!(get(&results, CheckName::ErrorBody).is_none());
}

#[test]
fn error_type_is_a_pair_check_with_the_status() {
    let accept = vec![
        outcome(403, Some("AccessDeniedException")),
        outcome(400, Some("ValidationException")),
    ];
    let c = case(
        "PutAlternateContact",
        accept,
        false,
        Some("AlternateContactType"),
    );
    let json = ("content-type", "application/json");
    // Both types are accepted, but not AccessDenied with 400.
    let r = response(
        400,
        &[json, RID, ("x-amzn-errortype", "AccessDeniedException")],
        r#"{"message":"no"}"#,
    );
    let results = run("PutAlternateContact", &c, &r);
    assert!(get(&results, CheckName::Status).unwrap().passed);
    let et = get(&results, CheckName::ErrorType).unwrap();
    assert!(!et.passed);
    assert!(et.message.contains("came with 400"), "{}", et.message);
    // A wrong status with an accepted type is counted once, under status.
    let r = response(
        401,
        &[json, RID, ("x-amzn-errortype", "AccessDeniedException")],
        r#"{"message":"no"}"#,
    );
    let results = run("PutAlternateContact", &c, &r);
    assert!(!get(&results, CheckName::Status).unwrap().passed);
    assert!(get(&results, CheckName::ErrorType).unwrap().passed);
}

#[test]
fn aws_json_errors_are_read_from_the_body_type() {
    let c = case(
        "UpdatePrimaryEmailAddress",
        vec![outcome(400, Some("EntityNotFoundException"))],
        false,
        None,
    );
    let r = response(
        400,
        &[("content-type", "application/x-amz-json-1.1"), RID],
        r#"{"__type":"com.amazonaws.workmail#EntityNotFoundException","Message":"not found"}"#,
    );
    let results = run("UpdatePrimaryEmailAddress", &c, &r);
    assert!(results.iter().all(|r| r.passed), "{results:#?}");
    // restJson1's Content-Type on an awsJson service is a deviation.
    let r = response(
        400,
        &[("content-type", "application/json"), RID],
        r#"{"__type":"EntityNotFoundException","Message":"not found"}"#,
    );
    let ct = run("UpdatePrimaryEmailAddress", &c, &r)
        .into_iter()
        .find(|r| r.check == CheckName::ContentType)
        .unwrap();
    assert!(!ct.passed);
    assert_eq!(ct.expected, "application/x-amz-json-1.1");
}

#[test]
fn aws_json_success_output_is_checked_against_the_shape() {
    let c = case("ListAliases", vec![outcome(200, None)], false, None);
    let ok = response(
        200,
        &[
            ("content-type", "application/x-amz-json-1.1; charset=utf-8"),
            RID,
        ],
        r#"{"Aliases":["a@example.com"]}"#,
    );
    assert!(run("ListAliases", &c, &ok).iter().all(|r| r.passed));
    let bad = response(
        200,
        &[("content-type", "application/x-amz-json-1.1"), RID],
        r#"{"Aliases":"a@example.com","Extra":1}"#,
    );
    let shape = run("ListAliases", &c, &bad)
        .into_iter()
        .find(|r| r.check == CheckName::OutputShape)
        .unwrap();
    assert!(!shape.passed);
    assert!(
        shape.message.contains("`Aliases`") && shape.message.contains("`Extra`"),
        "{}",
        shape.message
    );
}

#[test]
fn an_html_body_fails_with_an_excerpt_and_never_panics() {
    let c = case(
        "PutAlternateContact",
        vec![outcome(400, Some("ValidationException"))],
        false,
        Some("Name"),
    );
    let html = "<html><head><title>502 Bad Gateway</title></head></html>";
    let r = response(502, &[("content-type", "text/html")], html);
    let results = run("PutAlternateContact", &c, &r);
    let body = get(&results, CheckName::ErrorBody).unwrap();
    assert!(!body.passed);
    assert!(body.message.contains("502 Bad Gateway"), "{}", body.message);
    let et = get(&results, CheckName::ErrorType).unwrap();
    assert!(
        et.message.contains("found none") && et.message.contains("<html>"),
        "{}",
        et.message
    );
    assert!(!get(&results, CheckName::ContentType).unwrap().passed);
    assert!(!get(&results, CheckName::RequestId).unwrap().passed);
    // HTML where a success body was expected.
    let c = case("GetPrimaryEmail", vec![outcome(200, None)], false, None);
    let r = response(200, &[RID], "<html>ok</html>");
    let shape = get(&run("GetPrimaryEmail", &c, &r), CheckName::OutputShape)
        .cloned()
        .unwrap();
    assert!(
        !shape.passed && shape.message.contains("<html>ok</html>"),
        "{}",
        shape.message
    );
}

#[test]
fn a_bodiless_answer_to_head_passes_error_type_where_the_protocol_carries_it_in_the_body() {
    // S3's HeadObject answers 404 with nothing: restXml carries the error type in the body, which HEAD has not.
    let specs = specs();
    let (service, operation) = specs.operation("DeleteAlternateContact").unwrap();
    let mut service = service.clone();
    service.protocol = crate::model::ProtocolId::RestXml;
    let mut c = case(
        "DeleteAlternateContact",
        vec![outcome(404, Some("ResourceNotFoundException"))],
        false,
        None,
    );
    c.request.method = "HEAD".into();
    let r = response(404, &[RID], "");
    let results = run_checks(&service, operation, &c, &r, &CheckName::ALL);
    let error_type = get(&results, CheckName::ErrorType).unwrap();
    assert!(error_type.passed, "{error_type:?}");
    assert!(
        error_type.message.contains("HEAD"),
        "{}",
        error_type.message
    );
    // Another status is still wrong, and so is the same answer to GET.
    let r = response(400, &[RID], "");
    let results = run_checks(&service, operation, &c, &r, &CheckName::ALL);
    assert!(!get(&results, CheckName::ErrorType).unwrap().passed);
    c.request.method = "GET".into();
    let r = response(404, &[RID], "");
    let results = run_checks(&service, operation, &c, &r, &CheckName::ALL);
    assert!(!get(&results, CheckName::ErrorType).unwrap().passed);
}

#[test]
fn an_empty_error_body_fails_error_body() {
    let c = case(
        "DeleteAlternateContact",
        vec![outcome(404, Some("ResourceNotFoundException"))],
        false,
        None,
    );
    let r = response(
        404,
        &[("x-amzn-errortype", "ResourceNotFoundException"), RID],
        "",
    );
    let results = run("DeleteAlternateContact", &c, &r);
    let body = get(&results, CheckName::ErrorBody).unwrap();
    assert!(!body.passed);
    assert_eq!(body.actual, "an empty body");
    assert!(get(&results, CheckName::ErrorType).unwrap().passed);

    // The same answer to a HEAD request is whole: a response to HEAD has no content (mediastore-data
    // DescribeObject).
    let mut head = c.clone();
    head.request.method = "HEAD".into();
    let results = run("DeleteAlternateContact", &head, &r);
    assert!(
        get(&results, CheckName::ErrorBody).is_none_or(|b| b.passed),
        "{results:?}"
    );
    assert!(get(&results, CheckName::ErrorType).unwrap().passed);
}

#[test]
fn account_validation_needs_reason_and_a_field_list_naming_the_member() {
    let c = case(
        "PutAlternateContact",
        vec![outcome(400, Some("ValidationException"))],
        false,
        Some("EmailAddress"),
    );
    let headers = [
        ("x-amzn-errortype", "ValidationException"),
        ("content-type", "application/json"),
        RID,
    ];
    let missing = response(400, &headers, r#"{"message":"bad"}"#);
    let body = get(
        &run("PutAlternateContact", &c, &missing),
        CheckName::ErrorBody,
    )
    .cloned()
    .unwrap();
    assert!(!body.passed);
    assert!(
        body.actual.contains("no `reason`") && body.actual.contains("no `fieldList`"),
        "{}",
        body.actual
    );
    let other_field = response(
        400,
        &headers,
        r#"{"message":"1 validation error detected: Value at 'name' failed to satisfy constraint: x","reason":"fieldValidationFailed","fieldList":[{"name":"name","message":"x"}]}"#,
    );
    let body = get(
        &run("PutAlternateContact", &c, &other_field),
        CheckName::ErrorBody,
    )
    .cloned()
    .unwrap();
    assert!(!body.passed);
    assert!(
        body.actual.contains("names [name], not `EmailAddress`"),
        "{}",
        body.actual
    );
    let lower_camel = response(
        400,
        &headers,
        r#"{"message":"1 validation error detected: Value at 'emailAddress' failed to satisfy constraint: x","reason":"fieldValidationFailed","fieldList":[{"name":"emailAddress","message":"x"}]}"#,
    );
    assert!(
        get(
            &run("PutAlternateContact", &c, &lower_camel),
            CheckName::ErrorBody
        )
        .unwrap()
        .passed
    );
    // WorkMail's errors have no fieldList: a Message is enough.
    assert!(names_member(
        "alternateContact.name",
        "AlternateContact.Name"
    ));
    assert!(names_member("name", "AlternateContact.Name"));
    assert!(!names_member("title", "AlternateContact.Name"));
}

#[test]
fn failures_of_uncertain_cases_are_marked_uncertain() {
    let c = case(
        "UpdatePrimaryEmailAddress",
        vec![
            outcome(400, Some("ValidationException")),
            outcome(400, Some("InvalidParameterException")),
        ],
        true,
        Some("Email"),
    );
    let r = response(
        400,
        &[("content-type", "application/x-amz-json-1.1"), RID],
        r#"{"__type":"InvalidRequestException","Message":"no"}"#,
    );
    let results = run("UpdatePrimaryEmailAddress", &c, &r);
    let et = get(&results, CheckName::ErrorType).unwrap();
    assert!(!et.passed && et.uncertain && !et.is_deviation());
    assert!(get(&results, CheckName::Status).unwrap().passed);
    assert!(
        !get(&results, CheckName::Status).unwrap().uncertain,
        "passed checks are not uncertain"
    );
}

#[test]
fn only_the_selected_checks_run_and_request_ids_are_found_under_either_name() {
    let c = case("PutAlternateContact", vec![outcome(200, None)], false, None);
    let r = response(200, &[("x-amz-request-id", "abc")], "");
    let specs = specs();
    let (service, op) = specs.operation("PutAlternateContact").unwrap();
    let results = run_checks(service, op, &c, &r, &[CheckName::RequestId]);
    assert_eq!(results.len(), 1);
    assert!(results[0].passed && results[0].message.contains("x-amz-request-id"));
    let results = run_checks(
        service,
        op,
        &c,
        &response(200, &[], ""),
        &[CheckName::RequestId],
    );
    assert!(!results[0].passed);
}

fn input_of(specs: &Model, op: &str, json: &str) -> Value {
    let (service, operation) = specs.operation(op).unwrap();
    crate::model::json_form::from_json(
        service,
        operation.input.unwrap(),
        &serde_json::from_str(json).unwrap(),
    )
}

#[test]
fn validation_messages_must_be_in_coral_form_and_withhold_sensitive_values() {
    let specs = specs();
    let (service, op) = specs.operation("PutAlternateContact").unwrap();
    let body = r#"{"AlternateContactType":"BILLING","Name":"n","Title":"t","EmailAddress":"a@b.co","PhoneNumber":"abcd"}"#;
    let mut case = case(
        "PutAlternateContact",
        vec![outcome(400, Some("ValidationException"))],
        false,
        Some("PhoneNumber"),
    );
    case.class = CaseClass::PatternStart;
    case.input = input_of(&specs, "PutAlternateContact", body);
    let headers = [
        ("x-amzn-errortype", "ValidationException"),
        ("content-type", "application/json"),
    ];
    let verdict = |message: &str| {
        let body = format!(
            r#"{{"message":{},"reason":"fieldValidationFailed","fieldList":[{{"name":"phoneNumber","message":"x"}}]}}"#,
            serde_json::to_string(message).unwrap()
        );
        let r = response(400, &headers, &body);
        run_checks(service, op, &case, &r, &[CheckName::ErrorBody]).remove(0)
    };
    assert!(verdict("1 validation error detected: Value at 'phoneNumber' failed to satisfy constraint: Member must satisfy regular expression pattern: x").passed);
    let smithy = verdict(
        "1 validation error detected. Value at '/PhoneNumber' failed to satisfy constraint: x",
    );
    assert!(
        !smithy.passed && smithy.actual.contains("AWS's form"),
        "{smithy:?}"
    );
    let echoed = verdict(
        "1 validation error detected: Value 'abcd' at 'phoneNumber' failed to satisfy constraint: x",
    );
    assert!(
        !echoed.passed && echoed.actual.contains("sensitive"),
        "{echoed:?}"
    );
    // The value written inside the constraint's own text is no echo (inspector2's instanceUrl `https://` against
    // the pattern `https://[...]{1,1024}`).
    assert!(
        verdict("1 validation error detected: Value at 'phoneNumber' failed to satisfy constraint: Member must satisfy regular expression pattern: [abcd]+").passed
    );
    assert!(
        verdict(
            "1 validation error detected: Value at 'abcdNumber' failed to satisfy constraint: x"
        )
        .passed,
        "the path is no echo"
    );
    let echoed_second = verdict(
        "2 validation errors detected: Value at 'name' failed to satisfy constraint: abcd; Value 'abcd' at 'phoneNumber' failed to satisfy constraint: x",
    );
    assert!(!echoed_second.passed, "{echoed_second:?}");
}

#[test]
fn a_success_for_an_invalid_case_is_a_deviation_even_when_the_error_is_uncertain() {
    let specs = specs();
    let (service, op) = specs.operation("PutAlternateContact").unwrap();
    let mut case = case(
        "PutAlternateContact",
        vec![
            outcome(403, Some("AccessDeniedException")),
            outcome(400, Some("ValidationException")),
        ],
        true,
        Some("AlternateContactType"),
    );
    let ok = response(200, &[("content-type", "application/json")], "");
    let status = run_checks(service, op, &case, &ok, &[CheckName::Status]).remove(0);
    assert!(!status.passed && !status.uncertain, "{status:?}");
    // A wrong error (not a success) stays uncertain: only which error AWS sends is unknown.
    let other = response(
        404,
        &[
            ("x-amzn-errortype", "ResourceNotFoundException"),
            ("content-type", "application/json"),
        ],
        r#"{"message":"m"}"#,
    );
    let status = run_checks(service, op, &case, &other, &[CheckName::Status]).remove(0);
    assert!(!status.passed && status.uncertain, "{status:?}");
    // A 5xx is never a plausible answer to an invalid request.
    let crash = response(
        500,
        &[("content-type", "application/json")],
        r#"{"message":"m"}"#,
    );
    let status = run_checks(service, op, &case, &crash, &[CheckName::Status]).remove(0);
    assert!(!status.passed && !status.uncertain, "{status:?}");
    // A valid case with an uncertain expectation that gets a success is no concern of this rule.
    case.kind = CaseKind::Valid;
    case.mutation = None;
    case.expected = expected(
        "PutAlternateContact",
        vec![outcome(404, Some("ResourceNotFoundException"))],
        true,
    );
    case.expected.must_fail = false;
    case.expected.plausible = crate::oracle::valid_plausible(service, op);
    let status = run_checks(service, op, &case, &ok, &[CheckName::Status]).remove(0);
    assert!(status.uncertain, "{status:?}");
}

#[test]
fn an_uncertain_invalid_case_answered_with_a_state_error_is_a_deviation() {
    // The constraint was never checked when the answer says the state refused a valid request.
    let c = case(
        "UpdatePrimaryEmailAddress",
        vec![
            outcome(400, Some("ValidationException")),
            outcome(400, Some("InvalidParameterException")),
        ],
        true,
        Some("OrganizationId"),
    );
    let r = response(
        400,
        &[("content-type", "application/x-amz-json-1.1"), RID],
        r#"{"__type":"OrganizationNotFoundException","Message":"no"}"#,
    );
    let et = get(
        &run("UpdatePrimaryEmailAddress", &c, &r),
        CheckName::ErrorType,
    )
    .cloned()
    .unwrap();
    assert!(!et.passed && et.is_deviation(), "{et:?}");
}

#[test]
fn form_checks_do_not_depend_on_which_error_and_are_never_uncertain() {
    let c = case(
        "UpdatePrimaryEmailAddress",
        vec![
            outcome(400, Some("ValidationException")),
            outcome(400, Some("InvalidParameterException")),
        ],
        true,
        Some("Email"),
    );
    let r = response(
        400,
        &[("content-type", "text/html")],
        r#"{"__type":"SomeOtherValidationException","Message":"no"}"#,
    );
    let results = run("UpdatePrimaryEmailAddress", &c, &r);
    assert!(get(&results, CheckName::ErrorType).unwrap().uncertain);
    let ct = get(&results, CheckName::ContentType).unwrap();
    assert!(ct.is_deviation(), "{ct:?}");
    assert!(get(&results, CheckName::RequestId).unwrap().is_deviation());
}

#[test]
fn a_declared_error_with_another_status_is_a_deviation_even_when_uncertain() {
    // moto answers an AlternateContactType outside the enum with 400 AccessDeniedException; the expectation is
    // uncertain (AccessDeniedException or ValidationException), but AccessDeniedException is declared as 403.
    let c = case(
        "PutAlternateContact",
        vec![
            outcome(403, Some("AccessDeniedException")),
            outcome(400, Some("ValidationException")),
        ],
        true,
        Some("AlternateContactType"),
    );
    let headers = [
        ("content-type", "application/json"),
        ("x-amzn-errortype", "AccessDeniedException"),
        RID,
    ];
    let r = response(400, &headers, r#"{"message":"denied"}"#);
    let results = run("PutAlternateContact", &c, &r);
    let et = get(&results, CheckName::ErrorType).unwrap();
    assert!(!et.passed && !et.uncertain && et.is_deviation(), "{et:?}");
    assert!(
        et.message
            .starts_with("AccessDeniedException is declared with status 403, but came with 400"),
        "{}",
        et.message
    );
    // The same type with its declared status is only uncertain-or-passing, as before.
    let r = response(403, &headers, r#"{"message":"denied"}"#);
    let results = run("PutAlternateContact", &c, &r);
    assert!(results.iter().all(|c| c.passed), "{results:?}");
    // An undeclared type with an unexpected status stays uncertain.
    let other = [
        ("content-type", "application/json"),
        ("x-amzn-errortype", "SomethingElseException"),
        RID,
    ];
    let results = run(
        "PutAlternateContact",
        &c,
        &response(400, &other, r#"{"message":"x"}"#),
    );
    let et = get(&results, CheckName::ErrorType).unwrap();
    assert!(!et.passed && et.uncertain, "{et:?}");
}

/// Several violations: the Coral count and every path must be there, in any order (wire facts: compare the count
/// and the set); Account's `fieldList` must name exactly the violated members.
#[test]
fn several_violations_are_compared_as_a_count_and_a_set() {
    let paths = vec!["emailAddress".to_string(), "name".to_string()];
    let both = "2 validation errors detected: Value at 'name' failed to satisfy constraint: Member must have length less than or equal to 64; Value at 'emailAddress' failed to satisfy constraint: Member must have length less than or equal to 254";
    assert!(several_message_problems(both, &paths).is_empty());
    let first_only = "1 validation error detected: Value at 'emailAddress' failed to satisfy constraint: Member must have length less than or equal to 254";
    let problems = several_message_problems(first_only, &paths);
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].contains("counts 1") && problems[1].contains("'name'"));
    let fields = |names: &[&str]| serde_json::json!({"fieldList": names.iter().map(|n| serde_json::json!({"name": n, "message": "m"})).collect::<Vec<_>>()});
    assert!(several_field_problems(&fields(&["name", "emailAddress"]), &paths).is_empty());
    assert!(!several_field_problems(&fields(&["emailAddress"]), &paths).is_empty());
    assert!(
        !several_field_problems(&fields(&["emailAddress", "name", "title"]), &paths).is_empty()
    );
    assert!(!several_field_problems(&serde_json::json!({"message": "x"}), &paths).is_empty());
}

#[test]
fn an_rpcv2_cbor_answer_without_smithy_protocol_fails_the_content_type_check() {
    // WorkMail's operation served as rpcv2Cbor: Smithy's specification says every response MUST carry
    // `smithy-protocol: rpc-v2-cbor`.
    let mut specs = specs();
    let service = specs.services.get_mut("workmail").unwrap();
    service.protocol = crate::model::ProtocolId::RpcV2Cbor;
    let (service, operation) = specs.operation("UpdatePrimaryEmailAddress").unwrap();
    let c = case(
        "UpdatePrimaryEmailAddress",
        vec![outcome(400, Some("EntityNotFoundException"))],
        false,
        None,
    );
    let body = crate::protocol::cbor::to_bytes(&ciborium::Value::Map(vec![
        (
            ciborium::Value::Text("__type".into()),
            ciborium::Value::Text("EntityNotFoundException".into()),
        ),
        (
            ciborium::Value::Text("Message".into()),
            ciborium::Value::Text("not found".into()),
        ),
    ]));
    let answer = |headers: &[(&str, &str)]| HttpResponse {
        status: 400,
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
        body: body.clone(),
    };
    let with = answer(&[
        ("content-type", "application/cbor"),
        ("smithy-protocol", "rpc-v2-cbor"),
        RID,
    ]);
    let results = run_checks(service, operation, &c, &with, &CheckName::ALL);
    assert!(results.iter().all(|r| r.passed), "{results:#?}");
    let without = answer(&[("content-type", "application/cbor"), RID]);
    let results = run_checks(service, operation, &c, &without, &CheckName::ALL);
    let ct = get(&results, CheckName::ContentType).unwrap();
    assert!(!ct.passed, "{ct:?}");
    assert_eq!(ct.expected, "smithy-protocol: rpc-v2-cbor");
    assert!(ct.message.contains("MUST"), "{}", ct.message);
    // The rest of the answer is fine.
    assert!(
        results
            .iter()
            .filter(|r| r.check != CheckName::ContentType)
            .all(|r| r.passed),
        "{results:#?}"
    );
}

#[test]
fn the_status_check_names_each_accepted_status_once() {
    // Accepted outcomes in the order the oracle lists them: two share 404, not next to each other.
    let accept = vec![
        outcome(404, Some("ResourceNotFoundException")),
        outcome(403, None),
        outcome(404, None),
        outcome(405, None),
    ];
    let c = case("PutAlternateContact", accept, false, Some("Name"));
    let results = run("PutAlternateContact", &c, &response(400, &[RID], ""));
    let status = get(&results, CheckName::Status).unwrap();
    assert!(!status.passed);
    assert_eq!(status.expected, "404 or 403 or 405");
    assert_eq!(status.message, "expected status 404 or 403 or 405, got 400");
}
