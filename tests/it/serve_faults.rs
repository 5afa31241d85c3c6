//! The fault catalogue: every named deviation is accepted, listed, and bends what it says it bends.

use crate::serve_support::*;
use clap::Parser;
use conform::cli::{Cli, Output, run_with};
use conform::emulator::{self, ENTITY_NAME, fault_catalogue};
use conform::exit::Exit;
use serde_json::{Value, json};

fn run_cli(args: &[&str]) -> (Exit, String, String) {
    let cli = Cli::try_parse_from(args).unwrap();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let exit = run_with(
        cli,
        &mut Output {
            out: &mut out,
            err: &mut err,
            color: false,
        },
    );
    (
        exit,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

#[test]
fn list_faults_prints_at_least_25_with_descriptions() {
    let (exit, out, _) = run_cli(&["conform", "serve", "--list-faults"]);
    assert_eq!(exit, Exit::Ok);
    assert!(fault_catalogue().len() >= 25);
    for fault in fault_catalogue() {
        let line = out
            .lines()
            .find(|l| l.split_whitespace().next() == Some(fault.name))
            .unwrap_or_else(|| panic!("{} listed", fault.name));
        assert!(line.contains(fault.description), "{line}");
        assert!(!fault.description.contains('\n'));
    }
    assert!(out.contains(&format!("{} faults", fault_catalogue().len())));
}

#[test]
fn an_unknown_fault_is_a_usage_error_listing_the_names() {
    let (exit, _, err) = run_cli(&[
        "conform",
        "serve",
        "--port",
        "0",
        "--fault",
        "no-such-fault",
    ]);
    assert_eq!(exit, Exit::Usage);
    assert!(
        err.contains("failed to find fault `no-such-fault`"),
        "{err}"
    );
    assert!(
        err.contains("skip-pattern") && err.contains("missing-request-id"),
        "{err}"
    );
}

#[tokio::test]
async fn start_accepts_every_fault_and_refuses_unknown_ones() {
    let names: Vec<&str> = fault_catalogue().iter().map(|f| f.name).collect();
    let all = start(&names).await;
    all.shutdown().await;
    let error = emulator::start(
        specs(),
        config(&["skip-pattern", "bogus"]),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .err()
    .expect("unknown fault refused");
    let text = error.to_string();
    assert!(
        text.contains("`bogus`") && text.contains("skip-pattern"),
        "{text}"
    );
}

/// A fault, the calls that set the state up, the probe, and what the probe shows with the fault on.
struct Scenario {
    fault: &'static str,
    setup: Vec<Req>,
    probe: Req,
    sign: Sign,
    bent: fn(&Resp) -> bool,
}

fn put_with(change: impl FnOnce(&mut Value)) -> Req {
    let mut body = contact("BILLING");
    change(&mut body);
    account("/putAlternateContact", body)
}

fn get_billing() -> Req {
    account(
        "/getAlternateContact",
        json!({"AlternateContactType": "BILLING"}),
    )
}

fn get_primary() -> Req {
    account("/getPrimaryEmail", json!({"AccountId": MEMBER}))
}

fn describe(user: &str) -> Req {
    workmail(
        "DescribeUser",
        json!({"OrganizationId": ORG, "UserId": user}),
    )
}

fn update(entity: &str, email: &str) -> Req {
    workmail(
        "UpdatePrimaryEmailAddress",
        json!({"OrganizationId": ORG, "EntityId": entity, "Email": email}),
    )
}

fn start_update() -> Req {
    account(
        "/startPrimaryEmailUpdate",
        json!({"AccountId": MEMBER, "PrimaryEmail": "new@example.com"}),
    )
}

fn accept(otp: &str) -> Req {
    account(
        "/acceptPrimaryEmailUpdate",
        json!({"AccountId": MEMBER, "PrimaryEmail": "new@example.com", "Otp": otp}),
    )
}

fn s(
    fault: &'static str,
    setup: Vec<Req>,
    probe: Req,
    sign: Sign,
    bent: fn(&Resp) -> bool,
) -> Scenario {
    Scenario {
        fault,
        setup,
        probe,
        sign,
        bent,
    }
}

fn scenarios() -> Vec<Scenario> {
    use Sign::*;
    let long_name = || put_with(|b| b["Name"] = json!("n".repeat(65)));
    let bad_phone = || put_with(|b| b["PhoneNumber"] = json!("abc"));
    vec![
        // Constraints not enforced.
        s("skip-length", vec![], long_name(), Valid, |r| {
            r.status == 200
        }),
        s("skip-pattern", vec![], bad_phone(), Valid, |r| {
            r.status == 200
        }),
        s(
            "skip-enum",
            vec![],
            put_with(|b| b["AlternateContactType"] = json!("Billing")),
            Valid,
            |r| r.status == 200,
        ),
        s(
            "skip-required",
            vec![],
            put_with(|b| {
                b.as_object_mut().unwrap().remove("Title");
            }),
            Valid,
            |r| r.status == 200,
        ),
        s(
            "skip-type",
            vec![],
            put_with(|b| b["Title"] = json!(5)),
            Valid,
            |r| r.status == 200,
        ),
        s(
            "pattern-unanchored",
            vec![],
            account("/getPrimaryEmail", json!({"AccountId": "1234567890123"})),
            Valid,
            |r| r.error_type().as_deref() == Some("AccessDeniedException"),
        ),
        s(
            "pattern-repeat-unbounded",
            vec![],
            account("/getPrimaryEmail", json!({"AccountId": "1234567890123"})),
            Valid,
            |r| r.error_type().as_deref() == Some("AccessDeniedException"),
        ),
        s(
            "pattern-unicode-classes",
            vec![],
            account(
                "/getPrimaryEmail",
                json!({"AccountId": "12345678901\u{663}"}),
            ),
            Valid,
            |r| r.error_type().as_deref() == Some("AccessDeniedException"),
        ),
        s(
            "first-violation-only",
            vec![],
            put_with(|b| {
                b["Name"] = json!("n".repeat(65));
                b["Title"] = json!("t".repeat(51));
            }),
            Valid,
            |r| r.status == 400 && r.message().starts_with("1 validation error detected"),
        ),
        s(
            "nested-items-unchecked",
            vec![],
            gadgets(
                "CreateGadget",
                json!({"Name": "gadget", "Parts": [{"Label": "l".repeat(11)}], "Labels": {"NOT-LOWER": "v"}}),
            ),
            Valid,
            |r| r.status == 200,
        ),
        s(
            "length-in-bytes",
            vec![],
            put_with(|b| b["Name"] = json!("é".repeat(40))),
            Valid,
            |r| r.status == 400 && r.message().contains("length less than or equal to 64"),
        ),
        s(
            "enum-case-insensitive",
            vec![put_with(|b| b["AlternateContactType"] = json!("Billing"))],
            get_billing(),
            Valid,
            |r| r.status == 200,
        ),
        // Error encoding.
        s("validation-status-500", vec![], long_name(), Valid, |r| {
            r.status == 500 && r.error_type().as_deref() == Some("ValidationException")
        }),
        s("not-found-status-400", vec![], get_billing(), Valid, |r| {
            r.status == 400 && r.error_type().as_deref() == Some("ResourceNotFoundException")
        }),
        s("error-type-misspelt", vec![], get_billing(), Valid, |r| {
            r.header("x-amzn-errortype") == Some("ResourceNotFoundError")
        }),
        s("error-type-missing", vec![], get_billing(), Valid, |r| {
            r.status == 404 && r.error_type().is_none()
        }),
        s(
            "rest-error-type-body-only",
            vec![],
            get_billing(),
            Valid,
            |r| {
                r.header("x-amzn-errortype").is_none()
                    && r.json()["__type"] == "ResourceNotFoundException"
            },
        ),
        s(
            "json-error-type-header-only",
            vec![],
            describe("nobody"),
            Valid,
            |r| {
                r.header("x-amzn-errortype") == Some("EntityNotFoundException")
                    && r.json().get("__type").is_none()
            },
        ),
        s(
            "validation-message-smithy",
            vec![],
            long_name(),
            Valid,
            |r| {
                r.message()
                    .starts_with("1 validation error detected. Value at '/Name'")
            },
        ),
        s("sensitive-value-echoed", vec![], bad_phone(), Valid, |r| {
            r.message().contains("Value 'abc' at 'phoneNumber'")
        }),
        // Response shapes.
        s(
            "response-member-renamed",
            vec![],
            get_primary(),
            Valid,
            |r| r.json().get("primaryEmail").is_some(),
        ),
        s(
            "response-member-missing",
            vec![],
            get_primary(),
            Valid,
            |r| r.status == 200 && r.json() == json!({}),
        ),
        s(
            "response-member-wrong-type",
            vec![],
            get_primary(),
            Valid,
            |r| r.json()["PrimaryEmail"].is_array(),
        ),
        s("response-extra-member", vec![], get_primary(), Valid, |r| {
            r.json().get("ResponseMetadata").is_some()
        }),
        s(
            "timestamp-as-string",
            vec![],
            describe(ENTITY),
            Valid,
            |r| r.json()["EnabledDate"] == "2023-11-14T22:13:20Z",
        ),
        s("wrong-content-type", vec![], get_primary(), Valid, |r| {
            r.header("content-type") == Some("text/plain")
        }),
        s("missing-request-id", vec![], get_primary(), Valid, |r| {
            r.header("x-amzn-requestid").is_none()
        }),
        // State.
        s(
            "put-not-stored",
            vec![put_with(|_| {})],
            get_billing(),
            Valid,
            |r| r.status == 404,
        ),
        s(
            "delete-not-deleted",
            vec![
                put_with(|_| {}),
                account(
                    "/deleteAlternateContact",
                    json!({"AlternateContactType": "BILLING"}),
                ),
            ],
            get_billing(),
            Valid,
            |r| r.status == 200,
        ),
        s(
            "delete-missing-ok",
            vec![],
            account(
                "/deleteAlternateContact",
                json!({"AlternateContactType": "BILLING"}),
            ),
            Valid,
            |r| r.status == 200,
        ),
        s("get-missing-empty", vec![], get_billing(), Valid, |r| {
            r.status == 200 && r.json() == json!({})
        }),
        s(
            "otp-not-checked",
            vec![start_update()],
            accept("000000"),
            Valid,
            |r| r.status == 200 && r.json()["Status"] == "ACCEPTED",
        ),
        s(
            "primary-email-not-updated",
            // The first two reads after Accept still show the update under way; the third shows it completed.
            vec![
                start_update(),
                accept("123456"),
                get_primary(),
                get_primary(),
            ],
            get_primary(),
            Valid,
            |r| r.json()["PrimaryEmail"] == emulator::MEMBER_PRIMARY_EMAIL,
        ),
        s(
            "unknown-account-allowed",
            vec![],
            account("/getPrimaryEmail", json!({"AccountId": "999999999999"})),
            Valid,
            |r| r.status == 200,
        ),
        s(
            "old-primary-dropped",
            vec![update(ENTITY, "mary@example.com")],
            workmail(
                "ListAliases",
                json!({"OrganizationId": ORG, "EntityId": ENTITY}),
            ),
            Valid,
            |r| r.json() == json!({"Aliases": []}),
        ),
        s(
            "contact-types-shared",
            vec![
                put_with(|_| {}),
                put_with(|b| {
                    b["AlternateContactType"] = json!("OPERATIONS");
                    b["Name"] = json!("Other Person");
                }),
            ],
            get_billing(),
            Valid,
            |r| r.json()["AlternateContact"]["Name"] == "Other Person",
        ),
        s(
            "member-contacts-shared",
            vec![put_with(|_| {})],
            account(
                "/getAlternateContact",
                json!({"AccountId": MEMBER, "AlternateContactType": "BILLING"}),
            ),
            Valid,
            |r| r.status == 200,
        ),
        s(
            "accept-status-renamed",
            vec![start_update()],
            accept("123456"),
            Valid,
            |r| r.json()["Status"] == "ACCEPTED_PENDING_COMPLETION",
        ),
        s(
            "email-update-never-completes",
            vec![
                start_update(),
                accept("123456"),
                get_primary(),
                get_primary(),
            ],
            account("/getPrimaryEmailUpdateStatus", json!({"AccountId": MEMBER})),
            Valid,
            |r| r.json()["Status"] == "ACCEPTED",
        ),
        s(
            "entity-change-leaks",
            vec![update(ENTITY, "mary.new@example.com")],
            describe(OTHER),
            Valid,
            |r| r.json()["Email"] == "mary.new@example.com",
        ),
        s(
            "email-case-sensitive",
            vec![],
            update(ENTITY, "JOHN.DOE@EXAMPLE.COM"),
            Valid,
            |r| r.status == 200,
        ),
        s(
            "email-in-use-not-enforced",
            vec![],
            update(ENTITY, "john.doe@example.com"),
            Valid,
            |r| r.status == 200,
        ),
        s(
            "mail-domain-not-checked",
            vec![],
            update(ENTITY, "mary@elsewhere.example"),
            Valid,
            |r| r.status == 200,
        ),
        s(
            "entity-by-id-only",
            vec![],
            describe(ENTITY_NAME),
            Valid,
            |r| r.error_type().as_deref() == Some("EntityNotFoundException"),
        ),
        s(
            "organization-not-checked",
            vec![],
            workmail(
                "DescribeUser",
                json!({"OrganizationId": "m-ffffffffffffffffffffffffffffffff", "UserId": ENTITY}),
            ),
            Valid,
            |r| r.status == 200,
        ),
        // Protocol.
        s(
            "unknown-target-accepted",
            vec![],
            describe(ENTITY).header("x-amz-target", "WorkMailService.Nope"),
            Valid,
            |r| r.status == 200 && r.json() == json!({}),
        ),
        s(
            "any-method-accepted",
            vec![],
            get_primary().method("PUT"),
            Valid,
            |r| r.status == 200,
        ),
        s(
            "malformed-json-accepted",
            vec![],
            get_primary().raw_body(b"{oops"),
            Valid,
            |r| r.error_type().as_deref() == Some("ValidationException"),
        ),
        s(
            "non-ascii-crash",
            vec![],
            put_with(|b| b["Name"] = json!("José")),
            Valid,
            |r| r.status == 500,
        ),
        s(
            "auth-before-parse",
            vec![],
            get_primary().raw_body(b"{oops"),
            Unsigned,
            |r| r.error_type().as_deref() == Some("MissingAuthenticationTokenException"),
        ),
        // Authentication.
        s("unsigned-accepted", vec![], get_primary(), Unsigned, |r| {
            r.status == 200
        }),
        s(
            "bad-signature-accepted",
            vec![],
            describe(ENTITY),
            TamperedBody,
            |r| r.status == 200,
        ),
        s(
            "unknown-access-key-accepted",
            vec![],
            describe(ENTITY),
            UnknownKey,
            |r| r.status == 200,
        ),
        s(
            "expired-signature-accepted",
            vec![],
            get_primary(),
            At(minutes_ago(30)),
            |r| r.status == 200,
        ),
        s(
            "signature-error-xml-code",
            vec![],
            describe(ENTITY),
            TamperedBody,
            |r| r.status == 400 && r.error_type().as_deref() == Some("SignatureDoesNotMatch"),
        ),
    ]
}

/// What two responses are compared on (request ids differ anyway).
fn observable(r: &Resp) -> (u16, Option<String>, Option<String>, bool, Vec<u8>) {
    (
        r.status,
        r.header("x-amzn-errortype").map(str::to_string),
        r.header("content-type").map(str::to_string),
        r.header("x-amzn-requestid").is_some(),
        r.body.clone(),
    )
}

async fn run_scenario(faults: &[&str], scenario: &Scenario) -> Resp {
    // Nested items exist only in the `gadgets` test model: its probes go to a target that serves it too.
    let target = if scenario.probe.service == "gadgets" {
        emulator::start(
            nested_specs(),
            config(faults),
            "127.0.0.1:0".parse().unwrap(),
        )
        .await
        .expect("target starts")
    } else {
        start(faults).await
    };
    for req in &scenario.setup {
        let resp = call(&target, req.clone()).await;
        assert!(
            resp.status < 500,
            "setup of {} failed: {resp:?}",
            scenario.fault
        );
    }
    let resp = send(&target, &scenario.probe, scenario.sign).await;
    target.shutdown().await;
    resp
}

#[tokio::test]
async fn every_fault_bends_what_it_says() {
    let scenarios = scenarios();
    for info in fault_catalogue() {
        assert!(
            scenarios.iter().any(|s| s.fault == info.name),
            "no scenario for fault {}",
            info.name
        );
    }
    for scenario in &scenarios {
        let clean = run_scenario(&[], scenario).await;
        let bent = run_scenario(&[scenario.fault], scenario).await;
        assert!(
            !(scenario.bent)(&clean),
            "{}: the faultless target already shows the bent behaviour: {clean:?}",
            scenario.fault
        );
        assert!(
            (scenario.bent)(&bent),
            "{}: the fault does not show: {} {:?} {}",
            scenario.fault,
            bent.status,
            bent.headers,
            String::from_utf8_lossy(&bent.body)
        );
        assert_ne!(observable(&clean), observable(&bent), "{}", scenario.fault);
    }
}
