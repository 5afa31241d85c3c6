//! The spec files hold every constraint of the four seed operations exactly as the documents give them.
//!
//! The tables below are written from `../shared/seeds/` and `../shared/aws-wire-facts.md` by hand, not read from the
//! spec files, so a spec edit that drifts from the documents fails here.

use conform::spec::{ResponseBody, Service, ShapeKind, embedded};

/// (member, required, min length, max length, pattern, enum values, sensitive)
type MemberRow = (
    &'static str,
    bool,
    Option<u64>,
    Option<u64>,
    Option<&'static str>,
    &'static [&'static str],
    bool,
);

const CONTACT_TYPES: &[&str] = &["BILLING", "OPERATIONS", "SECURITY"];
const ACCOUNT_ID: &str = r"^\d{12}$";
const ACCOUNT_EMAIL: &str = r"^[\s]*[\w+=.#|!&-]+@[\w.-]+\.[\w]+[\s]*$";
const PHONE: &str = r"^[\s0-9()+-]+$";

// account-PutAlternateContact.api.txt, "Request Body"; sensitivity from aws-wire-facts.md
// ("Sensitive members (Account's Name, Title, EmailAddress, PhoneNumber)").
const PUT: &[MemberRow] = &[
    ("AccountId", false, None, None, Some(ACCOUNT_ID), &[], false),
    (
        "AlternateContactType",
        true,
        None,
        None,
        None,
        CONTACT_TYPES,
        false,
    ),
    (
        "EmailAddress",
        true,
        Some(1),
        Some(254),
        Some(ACCOUNT_EMAIL),
        &[],
        true,
    ),
    ("Name", true, Some(1), Some(64), None, &[], true),
    (
        "PhoneNumber",
        true,
        Some(1),
        Some(25),
        Some(PHONE),
        &[],
        true,
    ),
    ("Title", true, Some(1), Some(50), None, &[], true),
];

// account-DeleteAlternateContact.api.txt, "Request Body".
const DELETE: &[MemberRow] = &[
    ("AccountId", false, None, None, Some(ACCOUNT_ID), &[], false),
    (
        "AlternateContactType",
        true,
        None,
        None,
        None,
        CONTACT_TYPES,
        false,
    ),
];

// account-StartPrimaryEmailUpdate.api.txt, "Request Body" (the document gives no sensitivity; the model marks
// PrimaryEmailAddress sensitive, and the spec follows it).
const START: &[MemberRow] = &[
    ("AccountId", true, None, None, Some(ACCOUNT_ID), &[], false),
    ("PrimaryEmail", true, Some(5), Some(64), None, &[], true),
];

// workmail-update-primary-email-address.boto3.txt (members, all [REQUIRED]) and aws-wire-facts.md
// "WorkMail specifics" (constraints).
const UPDATE: &[MemberRow] = &[
    (
        "OrganizationId",
        true,
        Some(34),
        Some(34),
        Some(r"^m-[0-9a-f]{32}$"),
        &[],
        false,
    ),
    (
        "EntityId",
        true,
        Some(1),
        Some(256),
        Some(r"^[a-zA-Z0-9._%+@-]+$"),
        &[],
        false,
    ),
    (
        "Email",
        true,
        Some(1),
        Some(254),
        Some(r"^[a-zA-Z0-9._%+-]{1,64}@[a-zA-Z0-9.-]+\.[a-zA-Z-]{2,}$"),
        &[],
        false,
    ),
];

// The "Errors" sections: name and HTTP status code.
const PUT_ERRORS: &[(&str, u16)] = &[
    ("AccessDeniedException", 403),
    ("InternalServerException", 500),
    ("TooManyRequestsException", 429),
    ("ValidationException", 400),
];
const DELETE_ERRORS: &[(&str, u16)] = &[
    ("AccessDeniedException", 403),
    ("InternalServerException", 500),
    ("ResourceNotFoundException", 404),
    ("TooManyRequestsException", 429),
    ("ValidationException", 400),
];
const START_ERRORS: &[(&str, u16)] = &[
    ("AccessDeniedException", 403),
    ("ConflictException", 409),
    ("InternalServerException", 500),
    ("ResourceNotFoundException", 404),
    ("TooManyRequestsException", 429),
    ("ValidationException", 400),
];
// The boto3 page lists these (InvalidParameterException twice); aws-wire-facts.md: "All WorkMail errors are 400".
const UPDATE_ERRORS: &[(&str, u16)] = &[
    ("DirectoryServiceAuthenticationFailedException", 400),
    ("DirectoryUnavailableException", 400),
    ("EmailAddressInUseException", 400),
    ("EntityNotFoundException", 400),
    ("EntityStateException", 400),
    ("InvalidParameterException", 400),
    ("MailDomainNotFoundException", 400),
    ("MailDomainStateException", 400),
    ("OrganizationNotFoundException", 400),
    ("OrganizationStateException", 400),
    ("UnsupportedOperationException", 400),
];

fn assert_operation(service: &Service, name: &str, members: &[MemberRow], errors: &[(&str, u16)]) {
    let op = &service.operations[name];
    let names: Vec<&str> = op.input.iter().map(|m| m.name.as_str()).collect();
    let mut expected_names: Vec<&str> = members.iter().map(|m| m.0).collect();
    expected_names.sort_unstable();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, expected_names, "{name}: input members");
    for &(member, required, min, max, pattern, values, sensitive) in members {
        let m = op.input_member(member).unwrap();
        let shape = &m.shape;
        assert!(
            matches!(shape.kind, ShapeKind::String),
            "{name}.{member}: type string"
        );
        assert_eq!(m.required, required, "{name}.{member}: required");
        assert_eq!(shape.min_length, min, "{name}.{member}: min length");
        assert_eq!(shape.max_length, max, "{name}.{member}: max length");
        assert_eq!(
            shape.pattern.as_ref().map(|p| p.source()),
            pattern,
            "{name}.{member}: pattern"
        );
        let spec_values: Vec<&str> = shape
            .enum_values
            .iter()
            .flatten()
            .map(String::as_str)
            .collect();
        assert_eq!(spec_values, values, "{name}.{member}: enum");
        assert_eq!(m.sensitive, sensitive, "{name}.{member}: sensitive");
        assert!(
            !m.source.documents.is_empty(),
            "{name}.{member}: names its document"
        );
    }
    let spec_errors: Vec<(&str, u16)> = op
        .errors
        .iter()
        .map(|e| (e.as_str(), service.errors[e].status))
        .collect();
    assert_eq!(spec_errors, errors, "{name}: errors and their statuses");
    assert!(
        !op.source.documents.is_empty(),
        "{name}: names its document"
    );
}

#[test]
fn put_alternate_contact_matches_its_document() {
    let specs = embedded().unwrap();
    let account = &specs.services["account"];
    assert_operation(account, "PutAlternateContact", PUT, PUT_ERRORS);
    let op = &account.operations["PutAlternateContact"];
    assert_eq!(
        (op.http.method.as_str(), op.http.path.as_str()),
        ("POST", "/putAlternateContact")
    );
    assert_eq!(
        op.response_body,
        ResponseBody::Empty,
        "200 with an empty HTTP body"
    );
    // Two sample requests, both sending the lower-case "Billing" the document shows.
    assert!(
        op.examples
            .iter()
            .any(|e| e.input.get("AlternateContactType") == Some(&"Billing".into()))
    );
    assert!(
        op.examples
            .iter()
            .any(|e| e.input.get("AccountId") == Some(&"123456789012".into()))
    );
}

#[test]
fn delete_alternate_contact_matches_its_document() {
    let specs = embedded().unwrap();
    let account = &specs.services["account"];
    assert_operation(account, "DeleteAlternateContact", DELETE, DELETE_ERRORS);
    let op = &account.operations["DeleteAlternateContact"];
    assert_eq!(op.http.path, "/deleteAlternateContact");
    assert_eq!(op.response_body, ResponseBody::Empty);
    assert_eq!(op.examples.len(), 2, "the document has two examples");
}

#[test]
fn start_primary_email_update_matches_its_document() {
    let specs = embedded().unwrap();
    let account = &specs.services["account"];
    assert_operation(account, "StartPrimaryEmailUpdate", START, START_ERRORS);
    let op = &account.operations["StartPrimaryEmailUpdate"];
    assert_eq!(op.http.path, "/startPrimaryEmailUpdate");
    let status = &op.output[0];
    assert_eq!(status.name, "Status");
    // The document lists PENDING | ACCEPTED; the spec follows the model's four values and records why.
    let values = status.shape.enum_values.clone().unwrap();
    assert!(values.iter().any(|v| v == "PENDING") && values.iter().any(|v| v == "ACCEPTED"));
    assert!(
        account
            .disagreements
            .iter()
            .any(|d| d.about.contains("PrimaryEmailUpdateStatus")),
        "the PENDING|ACCEPTED disagreement is recorded"
    );
}

#[test]
fn update_primary_email_address_matches_its_documents() {
    let specs = embedded().unwrap();
    let workmail = &specs.services["workmail"];
    assert_operation(workmail, "UpdatePrimaryEmailAddress", UPDATE, UPDATE_ERRORS);
    assert_eq!(workmail.target_prefix.as_deref(), Some("WorkMailService"));
    assert!(
        workmail
            .disagreements
            .iter()
            .any(|d| d.about.contains("InvalidParameterException appears twice")),
        "the error listed twice is recorded"
    );
    // A constraint violation may be answered with either error, and that is unverified.
    let accepted: Vec<&str> = workmail
        .on_violation
        .accept
        .iter()
        .filter_map(|o| o.error_type.as_deref())
        .collect();
    assert_eq!(
        accepted,
        ["ValidationException", "InvalidParameterException"]
    );
    assert!(workmail.on_violation.uncertain);
}

#[test]
fn service_metadata_matches_the_wire_facts() {
    let specs = embedded().unwrap();
    let account = &specs.services["account"];
    assert_eq!(account.protocol.as_str(), "restJson1");
    assert_eq!(account.signing_name, "account");
    assert_eq!(
        account.region.resolve(Some("eu-west-1")),
        "us-east-1",
        "Account is always signed for us-east-1"
    );
    assert_eq!(account.api_version, "2021-02-01");
    let workmail = &specs.services["workmail"];
    assert_eq!(workmail.protocol.as_str(), "awsJson1_1");
    assert_eq!(workmail.region.resolve(Some("eu-west-1")), "eu-west-1");
    assert_eq!(workmail.api_version, "2017-10-01");
}

#[test]
fn the_invalid_contact_type_expectation_is_overridden_and_uncertain() {
    let specs = embedded().unwrap();
    let account = &specs.services["account"];
    let member = account.operations["PutAlternateContact"]
        .input_member("AlternateContactType")
        .unwrap();
    let enum_rule = account.violation_expectation(member, conform::spec::ConstraintKind::Enum);
    assert!(enum_rule.uncertain);
    assert!(enum_rule.accepts(403, Some("AccessDeniedException")));
    let missing = account.violation_expectation(member, conform::spec::ConstraintKind::Required);
    assert!(!missing.uncertain && missing.accepts(400, Some("ValidationException")));
}

#[test]
fn patterns_match_the_whole_string_with_ascii_classes() {
    let specs = embedded().unwrap();
    let account_id = &specs.services["account"].shapes["AccountId"];
    let p = account_id.pattern.as_ref().unwrap();
    assert!(p.is_match("123456789012"));
    assert!(
        !p.is_match("1234567890123"),
        "a 13-digit AccountId fails on AWS"
    );
    assert!(
        !p.is_match("１２３４５６７８９０１２"),
        "full-width digits are no \\d in Java"
    );
}

#[test]
fn every_seed_and_companion_operation_is_there() {
    let specs = embedded().unwrap();
    for name in [
        "PutAlternateContact",
        "DeleteAlternateContact",
        "StartPrimaryEmailUpdate",
        "GetAlternateContact",
        "GetPrimaryEmail",
        "AcceptPrimaryEmailUpdate",
        "UpdatePrimaryEmailAddress",
        "DescribeUser",
    ] {
        assert!(specs.operation(name).is_some(), "{name} missing");
    }
}

#[test]
fn the_scenarios_the_documents_call_for_are_declared() {
    let specs = embedded().unwrap();
    let names = |service: &str| -> Vec<String> {
        specs.services[service]
            .scenarios
            .iter()
            .map(|s| s.name.clone())
            .collect()
    };
    assert_eq!(
        names("account"),
        [
            "put-then-get",
            "put-twice",
            "delete-then-get",
            "delete-twice",
            "primary-email-update",
            "contact-types-isolated",
            "member-contacts-isolated",
            "wrong-otp"
        ]
    );
    assert_eq!(
        names("workmail"),
        [
            "update-primary-email",
            "address-in-use",
            "entity-by-name-or-email",
            "entity-isolated",
            "address-in-use-other-case"
        ]
    );
    let put_then_get = &specs.services["account"].scenarios[0];
    assert_eq!(
        put_then_get.for_each["type"],
        ["BILLING", "OPERATIONS", "SECURITY"]
    );
    assert_eq!(put_then_get.draws["contact"], "PutAlternateContact");
    assert_eq!(put_then_get.cleanup.len(), 1, "it deletes what it put");
}
