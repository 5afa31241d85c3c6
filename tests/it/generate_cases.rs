//! One test per case kind and class, on the seed operations.

use conform::case::{Case, CaseClass, CaseKind, Signing};
use conform::generate::{self, GenConfig, example_cases};
use conform::model::{Fixtures, Model};
use conform::spec::embedded_model as embedded;
use serde_json::Value;

fn cases(specs: &Model, operation: &str, kind: CaseKind) -> Vec<Case> {
    let mut config = GenConfig::new(specs, 3, 4);
    config.kinds = vec![kind];
    config.operations = vec![operation.to_string()];
    generate::generate(specs, &config).collect()
}

fn of_class<'c>(cases: &'c [Case], class: &str, member: Option<&str>) -> Vec<&'c Case> {
    let found: Vec<&Case> = cases
        .iter()
        .filter(|c| {
            c.mutation.as_ref().is_some_and(|m| {
                m.class.to_string() == class
                    && (member.is_none() || m.member().as_deref() == member)
            })
        })
        .collect();
    assert!(!found.is_empty(), "no `{class}` case for {member:?}");
    found
}

fn field(case: &Case, name: &str) -> Option<Value> {
    let body: Value = serde_json::from_slice(&case.request.body).unwrap();
    body.get(name).cloned()
}

fn text(case: &Case, name: &str) -> String {
    field(case, name)
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| panic!("{}: no string {name}", case.id))
}

fn status_and_type(case: &Case) -> (u16, Option<&str>) {
    let p = case.expected.primary();
    (p.status, p.error_type.as_deref())
}

#[test]
fn valid_boundaries_reach_min_and_max_exactly() {
    let specs = embedded().unwrap();
    let put = cases(&specs, "PutAlternateContact", CaseKind::Valid);
    for (member, min, max) in [
        ("Name", 1, 64),
        ("Title", 1, 50),
        ("EmailAddress", 5, 254),
        ("PhoneNumber", 1, 25),
    ] {
        let lows = of_class(&put, "boundary-min", Some(member));
        assert_eq!(text(lows[0], member).chars().count(), min, "{member}");
        let highs = of_class(&put, "boundary-max", Some(member));
        assert_eq!(text(highs[0], member).chars().count(), max, "{member}");
    }
    assert_eq!(status_and_type(&put[0]), (200, None));
}

#[test]
fn valid_every_enum_value_appears() {
    let specs = embedded().unwrap();
    let get = cases(&specs, "GetAlternateContact", CaseKind::Valid);
    let mut values: Vec<String> = of_class(&get, "enum-value", Some("AlternateContactType"))
        .iter()
        .map(|c| text(c, "AlternateContactType"))
        .collect();
    values.sort();
    assert_eq!(values, ["BILLING", "OPERATIONS", "SECURITY"]);
}

#[test]
fn valid_pattern_edges_use_the_whitespace_the_email_pattern_allows() {
    let specs = embedded().unwrap();
    let put = cases(&specs, "PutAlternateContact", CaseKind::Valid);
    let edges = of_class(&put, "pattern-edges", Some("EmailAddress"));
    assert_eq!(edges.len(), 2);
    for case in edges {
        let email = text(case, "EmailAddress");
        assert!(
            email.starts_with(char::is_whitespace)
                || email.ends_with(char::is_whitespace)
                || email.starts_with('\u{b}'),
            "{email:?}"
        );
    }
}

#[test]
fn valid_optional_members_present_and_absent() {
    let specs = embedded().unwrap();
    let put = cases(&specs, "PutAlternateContact", CaseKind::Valid);
    let combos = of_class(&put, "optional-combo", None);
    let mut presence: Vec<bool> = combos
        .iter()
        .map(|c| field(c, "AccountId").is_some())
        .collect();
    presence.sort();
    assert_eq!(presence, [false, true]);
    for case in combos {
        if let Some(id) = field(case, "AccountId") {
            assert_eq!(id, "123456789012", "the fixture value");
        }
    }
}

#[test]
fn valid_random_draws_and_state_dependent_expectations() {
    let specs = embedded().unwrap();
    let delete = cases(&specs, "DeleteAlternateContact", CaseKind::Valid);
    let random = of_class_none(&delete);
    assert_eq!(random.len(), 4, "--cases 4 gives four random draws");
    let case = random[0];
    assert!(case.expected.accepts(200, None));
    assert!(
        case.expected
            .accepts(404, Some("ResourceNotFoundException"))
    );
}

fn of_class_none(cases: &[Case]) -> Vec<&Case> {
    cases
        .iter()
        .filter(|c| c.mutation.is_none() && c.class == CaseClass::Random)
        .collect()
}

#[test]
fn valid_email_domain_fixture_and_overrides() {
    let specs = embedded().unwrap();
    let update = cases(&specs, "UpdatePrimaryEmailAddress", CaseKind::Valid);
    for case in update.iter().filter(|c| {
        c.mutation
            .as_ref()
            .is_none_or(|m| m.class != CaseClass::FixtureUnknown)
    }) {
        assert!(text(case, "Email").ends_with("@example.com"), "{}", case.id);
        assert_eq!(
            text(case, "OrganizationId"),
            "m-0123456789abcdef0123456789abcdef"
        );
    }
    let max = of_class(&update, "boundary-max", Some("Email"));
    assert_eq!(
        text(max[0], "Email").split('@').next().unwrap().len(),
        64,
        "the local part's own maximum"
    );

    let mut config = GenConfig::new(&specs, 3, 2);
    config.operations = vec!["UpdatePrimaryEmailAddress".into()];
    config.kinds = vec![CaseKind::Valid];
    config.fixtures = Fixtures::resolve(
        &specs,
        &[("workmail.MailDomain".into(), "corp.example.org".into())],
    )
    .unwrap();
    let overridden: Vec<Case> = generate::generate(&specs, &config).collect();
    assert!(
        overridden
            .iter()
            .any(|c| text(c, "Email").ends_with("@corp.example.org"))
    );
}

#[test]
fn valid_fixture_unknown_expects_not_found() {
    let specs = embedded().unwrap();
    let update = cases(&specs, "UpdatePrimaryEmailAddress", CaseKind::Valid);
    let org = of_class(&update, "fixture-unknown", Some("OrganizationId"))[0];
    assert_eq!(
        text(org, "OrganizationId"),
        "m-ffffffffffffffffffffffffffffffff"
    );
    assert_eq!(
        status_and_type(org),
        (400, Some("OrganizationNotFoundException"))
    );
    let entity = of_class(&update, "fixture-unknown", Some("EntityId"))[0];
    assert_eq!(
        status_and_type(entity),
        (400, Some("EntityNotFoundException"))
    );
    let email = of_class(&update, "fixture-unknown", Some("Email"))[0];
    assert!(text(email, "Email").ends_with("@unregistered-domain.example"));
    assert_eq!(
        status_and_type(email),
        (400, Some("MailDomainNotFoundException"))
    );
    let put = cases(&specs, "PutAlternateContact", CaseKind::Valid);
    let account = of_class(&put, "fixture-unknown", Some("AccountId"))[0];
    assert_eq!(text(account, "AccountId"), "999999999999");
    assert!(account.expected.uncertain);
}

#[test]
fn examples_are_cases_with_their_setup() {
    let specs = embedded().unwrap();
    let put = cases(&specs, "PutAlternateContact", CaseKind::Valid);
    assert_eq!(of_class(&put, "example", None).len(), 2);
    let invalid = cases(&specs, "PutAlternateContact", CaseKind::Invalid);
    let verbatim = of_class(&invalid, "example", Some("AlternateContactType"))[0];
    assert_eq!(text(verbatim, "AlternateContactType"), "Billing");
    assert!(verbatim.expected.uncertain);

    let mut config = GenConfig::new(&specs, 0, 0);
    config.operations = vec!["DeleteAlternateContact".into()];
    let examples = example_cases(&specs, &config);
    assert_eq!(examples.len(), 2);
    let (op, _, setup) = &examples[0].setup[0];
    assert_eq!(op, "PutAlternateContact");
    assert_eq!(setup.path, "/putAlternateContact");
    assert!(String::from_utf8_lossy(&setup.body).contains("SECURITY"));
}

fn one_invalid<'c>(cases: &'c [Case], class: &str, member: &str) -> &'c Case {
    let found = of_class(cases, class, Some(member));
    assert_eq!(found[0].kind, CaseKind::Invalid);
    found[0]
}

#[test]
fn invalid_missing_and_null_required() {
    let specs = embedded().unwrap();
    let put = cases(&specs, "PutAlternateContact", CaseKind::Invalid);
    let missing = one_invalid(&put, "missing-required", "Name");
    assert!(field(missing, "Name").is_none());
    assert_eq!(status_and_type(missing), (400, Some("ValidationException")));
    let null = one_invalid(&put, "null-required", "Title");
    assert_eq!(field(null, "Title"), Some(Value::Null));
    assert!(
        of_class(&put, "missing-required", None).iter().all(|c| c
            .mutation
            .as_ref()
            .unwrap()
            .member()
            .as_deref()
            != Some("AccountId")),
        "AccountId is optional"
    );
}

#[test]
fn invalid_lengths_one_past_each_bound() {
    let specs = embedded().unwrap();
    let put = cases(&specs, "PutAlternateContact", CaseKind::Invalid);
    assert_eq!(text(one_invalid(&put, "length-min-1", "Name"), "Name"), "");
    assert_eq!(
        text(one_invalid(&put, "length-max+1", "Name"), "Name")
            .chars()
            .count(),
        65
    );
    let email = text(
        one_invalid(&put, "length-max+1", "EmailAddress"),
        "EmailAddress",
    );
    assert_eq!(email.chars().count(), 255);
    // An empty EmailAddress breaks the pattern too: no isolated length-min-1 case for it.
    assert!(
        put.iter()
            .all(
                |c| c.mutation.as_ref().unwrap().member().as_deref() != Some("EmailAddress")
                    || c.mutation.as_ref().unwrap().class != CaseClass::LengthBelowMin
            )
    );
    let update = cases(&specs, "UpdatePrimaryEmailAddress", CaseKind::Invalid);
    assert!(
        update
            .iter()
            .all(
                |c| !(c.mutation.as_ref().unwrap().member().as_deref() == Some("OrganizationId")
                    && c.mutation
                        .as_ref()
                        .unwrap()
                        .class
                        .to_string()
                        .starts_with("length"))
            ),
        "34 is the only length `m-[0-9a-f]{{32}}` has"
    );
}

#[test]
fn invalid_pattern_positions_non_ascii_and_structure() {
    let specs = embedded().unwrap();
    let put = cases(&specs, "PutAlternateContact", CaseKind::Invalid);
    for class in ["pattern-start", "pattern-middle", "pattern-end"] {
        let case = one_invalid(&put, class, "PhoneNumber");
        assert_eq!(status_and_type(case), (400, Some("ValidationException")));
    }
    // EmailAddress's pattern uses `\s` and `\w`: one look-alike case for each, a no-break or wide space and a
    // non-ASCII letter, neither of which Java's ASCII classes take.
    let lookalikes: Vec<String> = of_class(&put, "pattern-non-ascii", Some("EmailAddress"))
        .iter()
        .map(|c| text(c, "EmailAddress"))
        .collect();
    assert!(lookalikes.len() >= 2, "{lookalikes:?}");
    assert!(
        lookalikes
            .iter()
            .any(|v| v.contains(['\u{A0}', '\u{2003}', '\u{3000}'])),
        "{lookalikes:?}"
    );
    assert!(
        lookalikes.iter().any(|v| v.contains(['é', 'ж', 'ß'])),
        "{lookalikes:?}"
    );
    // AccountId's `\d{12}`: an Arabic-Indic digit, and eleven and thirteen digits.
    let digit = text(
        one_invalid(&put, "pattern-non-ascii", "AccountId"),
        "AccountId",
    );
    assert!(
        digit.contains(['\u{663}', '\u{969}', '\u{FF13}']),
        "{digit}"
    );
    for (class, n) in [("pattern-repeat-fewer", 11), ("pattern-repeat-more", 13)] {
        let value = text(one_invalid(&put, class, "AccountId"), "AccountId");
        assert_eq!(value.chars().count(), n, "{class}: {value}");
    }
    let structure = of_class(&put, "pattern-structure", Some("EmailAddress"));
    assert!(
        structure
            .iter()
            .any(|c| !text(c, "EmailAddress").contains('@')),
        "an address without @"
    );
    let account = text(
        one_invalid(&put, "pattern-middle", "AccountId"),
        "AccountId",
    );
    assert_eq!(account.chars().count(), 12);
}

#[test]
fn invalid_enum_case_unknown_and_empty() {
    let specs = embedded().unwrap();
    let get = cases(&specs, "GetAlternateContact", CaseKind::Invalid);
    let case = one_invalid(&get, "enum-case", "AlternateContactType");
    let value = text(case, "AlternateContactType");
    assert!(
        ["Billing", "Operations", "Security"].contains(&value.as_str()),
        "{value}"
    );
    assert!(case.expected.accepts(403, Some("AccessDeniedException")) && case.expected.uncertain);
    assert!(
        !["BILLING", "OPERATIONS", "SECURITY"].contains(
            &text(
                one_invalid(&get, "enum-unknown", "AlternateContactType"),
                "AlternateContactType"
            )
            .as_str()
        )
    );
    assert_eq!(
        text(
            one_invalid(&get, "enum-empty", "AlternateContactType"),
            "AlternateContactType"
        ),
        ""
    );
}

#[test]
fn invalid_wrong_json_types_and_ranges() {
    let specs = embedded().unwrap();
    let put = cases(&specs, "PutAlternateContact", CaseKind::Invalid);
    assert!(
        field(one_invalid(&put, "type-number", "Name"), "Name")
            .unwrap()
            .is_number()
    );
    assert!(
        field(one_invalid(&put, "type-boolean", "Name"), "Name")
            .unwrap()
            .is_boolean()
    );
    assert!(
        field(one_invalid(&put, "type-object", "Name"), "Name")
            .unwrap()
            .is_object()
    );
    assert!(
        field(one_invalid(&put, "type-array", "Name"), "Name")
            .unwrap()
            .is_array()
    );
    let aliases = cases(&specs, "ListAliases", CaseKind::Invalid);
    assert_eq!(
        field(
            one_invalid(&aliases, "range-min-1", "MaxResults"),
            "MaxResults"
        ),
        Some(0.into())
    );
    assert_eq!(
        field(
            one_invalid(&aliases, "range-max+1", "MaxResults"),
            "MaxResults"
        ),
        Some(101.into())
    );
    assert!(
        field(
            one_invalid(&aliases, "type-string", "MaxResults"),
            "MaxResults"
        )
        .unwrap()
        .is_string()
    );
    let case = one_invalid(&aliases, "range-max+1", "MaxResults");
    assert!(
        case.expected.uncertain
            && case
                .expected
                .accepts(400, Some("InvalidParameterException"))
    );
}

fn malformed(cases: &[Case], class: &str) -> Case {
    of_class(cases, class, None)[0].clone()
}

#[test]
fn malformed_bodies() {
    let specs = embedded().unwrap();
    let update = cases(&specs, "UpdatePrimaryEmailAddress", CaseKind::Malformed);
    let not_json = malformed(&update, "body-not-json");
    assert!(serde_json::from_slice::<Value>(&not_json.request.body).is_err());
    assert_eq!(
        status_and_type(&not_json),
        (400, Some("SerializationException"))
    );
    assert!(!not_json.expected.uncertain);
    assert!(
        serde_json::from_slice::<Value>(&malformed(&update, "body-truncated").request.body)
            .is_err()
    );
    assert!(
        malformed(&update, "body-array")
            .request
            .body
            .starts_with(b"[")
    );
    assert_eq!(
        malformed(&update, "body-string").request.body,
        b"\"conform\""
    );
    assert_eq!(malformed(&update, "body-number").request.body, b"42");
    assert_eq!(malformed(&update, "body-null").request.body, b"null");
    assert_eq!(malformed(&update, "body-empty").request.body, b"");
    let unknown = malformed(&update, "unknown-member");
    assert!(field(&unknown, "ConformUnknownMember").is_some());
    assert!(unknown.expected.accepts(200, None));
    let large = malformed(&update, "body-too-large");
    assert_eq!(large.request.body.len(), 1024 * 1024 + 1);
    assert!(large.expected.uncertain);
    let put = cases(&specs, "PutAlternateContact", CaseKind::Malformed);
    assert!(
        malformed(&put, "body-not-json").expected.uncertain,
        "unverified on restJson1"
    );
}

#[test]
fn malformed_headers_method_and_path() {
    let specs = embedded().unwrap();
    let update = cases(&specs, "UpdatePrimaryEmailAddress", CaseKind::Malformed);
    let missing = malformed(&update, "target-missing");
    assert_eq!(missing.request.header("x-amz-target"), None);
    assert_eq!(
        status_and_type(&missing),
        (400, Some("UnknownOperationException"))
    );
    let unknown = malformed(&update, "target-unknown");
    assert_eq!(
        unknown.request.header("x-amz-target"),
        Some("WorkMailService.ConformNoSuchOperation")
    );
    let wrong = malformed(&update, "content-type-wrong");
    assert_eq!(wrong.request.header("content-type"), Some("text/plain"));
    assert!(wrong.expected.uncertain);
    assert_eq!(
        malformed(&update, "content-type-missing")
            .request
            .header("content-type"),
        None
    );
    let put = cases(&specs, "PutAlternateContact", CaseKind::Malformed);
    assert_eq!(malformed(&put, "method-wrong").request.method, "GET");
    assert_eq!(
        malformed(&put, "path-unknown").request.path,
        "/conformNoSuchOperation"
    );
    assert!(put.iter().all(|c| {
        !c.mutation
            .as_ref()
            .unwrap()
            .class
            .to_string()
            .starts_with("target-")
    }));
}

#[test]
fn malformed_signing() {
    let specs = embedded().unwrap();
    let update = cases(&specs, "UpdatePrimaryEmailAddress", CaseKind::Malformed);
    let put = cases(&specs, "PutAlternateContact", CaseKind::Malformed);
    let unsigned = malformed(&update, "unsigned");
    assert_eq!(unsigned.signing, Signing::Unsigned);
    assert_eq!(
        status_and_type(&unsigned),
        (400, Some("MissingAuthenticationTokenException"))
    );
    assert!(!unsigned.expected.uncertain);
    let rest = malformed(&put, "unsigned");
    assert_eq!(
        status_and_type(&rest),
        (403, Some("MissingAuthenticationTokenException"))
    );
    assert!(rest.expected.uncertain);
    assert_eq!(
        status_and_type(&malformed(&update, "unknown-access-key")),
        (400, Some("UnrecognizedClientException"))
    );
    assert_eq!(
        status_and_type(&malformed(&put, "unknown-access-key")),
        (403, Some("UnrecognizedClientException"))
    );
    assert_eq!(
        malformed(&update, "bad-signature").signing,
        Signing::BadSignature
    );
    let expired = malformed(&update, "expired");
    assert_eq!(expired.signing, Signing::Expired);
    assert!(expired.expected.uncertain);
}
