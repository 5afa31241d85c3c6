//! End-to-end tests of the embedded target over real HTTP: every operation, every error path, both protocols.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::serve_support::*;
use conform::emulator::{
    CALLER_PRIMARY_EMAIL, ENTITY_NAME, Emulator, MEMBER_PRIMARY_EMAIL, SEEDED_ENABLED_DATE,
};
use serde_json::{Value, json};

// ---------------------------------------------------------------- Account: behaviour

#[tokio::test]
async fn alternate_contacts_put_get_delete_round_trip() {
    let t = start(&[]).await;
    let put = call(&t, account("/putAlternateContact", contact("BILLING"))).await;
    assert_eq!(put.status, 200);
    assert!(put.body.is_empty(), "Put answers an empty body");
    let get = call(
        &t,
        account(
            "/getAlternateContact",
            json!({"AlternateContactType": "BILLING"}),
        ),
    )
    .await;
    assert_eq!(get.status, 200);
    assert_eq!(get.header("content-type"), Some("application/json"));
    assert_eq!(
        get.json(),
        json!({"AlternateContact": {"Name": "Carlos Salazar", "Title": "CFO", "EmailAddress": "carlos@example.com",
            "PhoneNumber": "206-555-0199", "AlternateContactType": "BILLING"}})
    );
    let delete = call(
        &t,
        account(
            "/deleteAlternateContact",
            json!({"AlternateContactType": "BILLING"}),
        ),
    )
    .await;
    assert_eq!((delete.status, delete.body.len()), (200, 0));
    for path in ["/getAlternateContact", "/deleteAlternateContact"] {
        let missing = call(
            &t,
            account(path, json!({"AlternateContactType": "BILLING"})),
        )
        .await;
        assert_error(&missing, 404, "ResourceNotFoundException");
        assert_eq!(
            missing.header("x-amzn-errortype"),
            Some("ResourceNotFoundException")
        );
        assert_eq!(
            missing.message(),
            "No contact of the inputted alternate contact type found."
        );
    }
    t.shutdown().await;
}

#[tokio::test]
async fn contacts_are_kept_per_account_and_type() {
    let t = start(&[]).await;
    let mut member_billing = contact("BILLING");
    member_billing["AccountId"] = json!(MEMBER);
    member_billing["Name"] = json!("Member Billing");
    assert_eq!(
        call(&t, account("/putAlternateContact", member_billing))
            .await
            .status,
        200
    );
    let get = |body: Value| account("/getAlternateContact", body);
    let found = call(
        &t,
        get(json!({"AccountId": MEMBER, "AlternateContactType": "BILLING"})),
    )
    .await;
    assert_eq!(found.json()["AlternateContact"]["Name"], "Member Billing");
    let other_type = call(
        &t,
        get(json!({"AccountId": MEMBER, "AlternateContactType": "SECURITY"})),
    )
    .await;
    assert_error(&other_type, 404, "ResourceNotFoundException");
    let own_account = call(&t, get(json!({"AlternateContactType": "BILLING"}))).await;
    assert_error(&own_account, 404, "ResourceNotFoundException");
    // Putting again replaces.
    let mut again = contact("BILLING");
    again["AccountId"] = json!(MEMBER);
    call(&t, account("/putAlternateContact", again)).await;
    let found = call(
        &t,
        get(json!({"AccountId": MEMBER, "AlternateContactType": "BILLING"})),
    )
    .await;
    assert_eq!(found.json()["AlternateContact"]["Name"], "Carlos Salazar");
}

#[tokio::test]
async fn an_account_outside_the_organization_is_access_denied() {
    let t = start(&[]).await;
    for path in [
        "/putAlternateContact",
        "/getAlternateContact",
        "/deleteAlternateContact",
        "/getPrimaryEmail",
    ] {
        let mut body = contact("BILLING");
        body["AccountId"] = json!("999999999999");
        let resp = call(&t, account(path, body)).await;
        assert_error(&resp, 403, "AccessDeniedException");
        assert!(
            resp.message().contains("999999999999"),
            "{}",
            resp.message()
        );
    }
}

#[tokio::test]
async fn primary_email_update_flow() {
    let t = start(&[]).await;
    let get = || account("/getPrimaryEmail", json!({"AccountId": MEMBER}));
    assert_eq!(
        call(&t, get()).await.json(),
        json!({"PrimaryEmail": MEMBER_PRIMARY_EMAIL})
    );
    let accept = |email: &str, otp: &str| {
        account(
            "/acceptPrimaryEmailUpdate",
            json!({"AccountId": MEMBER, "PrimaryEmail": email, "Otp": otp}),
        )
    };
    // Nothing pending yet.
    assert_error(
        &call(&t, accept("new@example.com", "123456")).await,
        404,
        "ResourceNotFoundException",
    );
    let start_update = call(
        &t,
        account(
            "/startPrimaryEmailUpdate",
            json!({"AccountId": MEMBER, "PrimaryEmail": "new@example.com"}),
        ),
    )
    .await;
    assert_eq!(
        (start_update.status, start_update.json()),
        (200, json!({"Status": "PENDING"}))
    );
    assert_error(
        &call(&t, accept("new@example.com", "654321")).await,
        403,
        "AccessDeniedException",
    );
    assert_error(
        &call(&t, accept("other@example.com", "123456")).await,
        404,
        "ResourceNotFoundException",
    );
    assert_eq!(
        call(&t, get()).await.json()["PrimaryEmail"],
        MEMBER_PRIMARY_EMAIL,
        "unchanged until accepted"
    );
    let accepted = call(&t, accept("new@example.com", "123456")).await;
    assert_eq!(
        (accepted.status, accepted.json()),
        (200, json!({"Status": "ACCEPTED"}))
    );
    // The update completes asynchronously: the first two reads after Accept still see it under way, the third done.
    let status = || account("/getPrimaryEmailUpdateStatus", json!({"AccountId": MEMBER}));
    assert_eq!(
        call(&t, status()).await.json(),
        json!({"Status": "ACCEPTED"})
    );
    assert_eq!(
        call(&t, get()).await.json()["PrimaryEmail"],
        MEMBER_PRIMARY_EMAIL,
        "not yet completed"
    );
    assert_eq!(
        call(&t, get()).await.json(),
        json!({"PrimaryEmail": "new@example.com"})
    );
    assert_eq!(
        call(&t, status()).await.json(),
        json!({"Status": "COMPLETED"})
    );
    // Accepted once: nothing pending any more.
    assert_error(
        &call(&t, accept("new@example.com", "123456")).await,
        404,
        "ResourceNotFoundException",
    );
    // The caller's own address belongs to another account.
    let conflict = call(
        &t,
        account(
            "/startPrimaryEmailUpdate",
            json!({"AccountId": MEMBER, "PrimaryEmail": CALLER_PRIMARY_EMAIL}),
        ),
    )
    .await;
    assert_error(&conflict, 409, "ConflictException");
}

// ---------------------------------------------------------------- Account: validation

#[tokio::test]
async fn account_validation_messages_are_coral_style() {
    let t = start(&[]).await;
    let mut body = contact("BILLING");
    body["AccountId"] = json!("1234");
    let resp = call(&t, account("/putAlternateContact", body)).await;
    assert_error(&resp, 400, "ValidationException");
    assert_eq!(resp.header("x-amzn-errortype"), Some("ValidationException"));
    let expected = r"Value '1234' at 'accountId' failed to satisfy constraint: Member must satisfy regular expression pattern: ^\d{12}$";
    assert_eq!(
        resp.json()["message"],
        format!("1 validation error detected: {expected}")
    );
    assert_eq!(resp.json()["reason"], "fieldValidationFailed");
    assert_eq!(
        resp.json()["fieldList"],
        json!([{"name": "accountId", "message": r"Member must satisfy regular expression pattern: ^\d{12}$"}])
    );

    // Several violations, sensitive values withheld, a missing member reported as null.
    let mut body = contact("BILLING");
    body["Name"] = json!("n".repeat(65));
    body["PhoneNumber"] = json!("not a phone");
    body.as_object_mut().unwrap().remove("Title");
    let resp = call(&t, account("/putAlternateContact", body)).await;
    assert_error(&resp, 400, "ValidationException");
    let message = resp.message();
    let (head, rest) = message.split_once(": ").unwrap();
    assert_eq!(head, "3 validation errors detected");
    let parts: BTreeSet<&str> = rest.split("; ").collect();
    assert_eq!(
        parts,
        BTreeSet::from([
            "Value at 'name' failed to satisfy constraint: Member must have length less than or equal to 64",
            r"Value at 'phoneNumber' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[\s0-9()+-]+$",
            "Value null at 'title' failed to satisfy constraint: Member must not be null",
        ])
    );
    assert!(!message.contains("not a phone"), "sensitive value withheld");
    assert_eq!(resp.json()["fieldList"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn an_invalid_contact_type_gets_the_specs_first_accepted_error() {
    let t = start(&[]).await;
    let resp = call(
        &t,
        account(
            "/getAlternateContact",
            json!({"AlternateContactType": "Billing"}),
        ),
    )
    .await;
    // The spec's on_violation for the enum accepts AccessDeniedException first (as moto answers).
    assert_error(&resp, 403, "AccessDeniedException");
    assert!(
        resp.message()
            .contains("Member must satisfy enum value set: [BILLING, OPERATIONS, SECURITY]")
    );
}

// ---------------------------------------------------------------- WorkMail

fn update(entity: &str, email: &str) -> Req {
    workmail(
        "UpdatePrimaryEmailAddress",
        json!({"OrganizationId": ORG, "EntityId": entity, "Email": email}),
    )
}

fn describe(user: &str) -> Req {
    workmail(
        "DescribeUser",
        json!({"OrganizationId": ORG, "UserId": user}),
    )
}

fn aliases(entity: &str) -> Req {
    workmail(
        "ListAliases",
        json!({"OrganizationId": ORG, "EntityId": entity}),
    )
}

#[tokio::test]
async fn update_primary_email_keeps_the_old_one_as_an_alias() {
    let t = start(&[]).await;
    let before = call(&t, describe(ENTITY)).await;
    assert_eq!(
        before.header("content-type"),
        Some("application/x-amz-json-1.1")
    );
    let user = before.json();
    assert_eq!(user["Email"], "mary.major@example.com");
    assert_eq!(user["Name"], ENTITY_NAME);
    assert_eq!(user["UserId"], ENTITY);
    assert_eq!(user["State"], "ENABLED");
    assert_eq!(user["EnabledDate"], SEEDED_ENABLED_DATE);
    assert_eq!(
        call(&t, aliases(ENTITY)).await.json(),
        json!({"Aliases": []})
    );

    let resp = call(&t, update(ENTITY, "mary@example.com")).await;
    assert_eq!((resp.status, resp.json()), (200, json!({})));
    assert_eq!(
        call(&t, describe(ENTITY)).await.json()["Email"],
        "mary@example.com"
    );
    assert_eq!(
        call(&t, aliases(ENTITY)).await.json(),
        json!({"Aliases": ["mary.major@example.com"]})
    );

    // Found by name and by email (primary or alias) too.
    assert_eq!(
        call(&t, update(ENTITY_NAME, "m2@example.com")).await.status,
        200
    );
    assert_eq!(
        call(&t, update("mary.major@example.com", "m3@example.com"))
            .await
            .status,
        200
    );
    assert_eq!(
        call(&t, describe("m3@example.com")).await.json()["UserId"],
        ENTITY
    );
    // Setting one's own alias as primary swaps them.
    assert_eq!(
        call(&t, update(ENTITY, "mary.major@example.com"))
            .await
            .status,
        200
    );
    assert_eq!(
        call(&t, describe(ENTITY)).await.json()["Email"],
        "mary.major@example.com"
    );
    let list: BTreeSet<String> =
        serde_json::from_value(call(&t, aliases(ENTITY)).await.json()["Aliases"].clone()).unwrap();
    assert_eq!(
        list,
        BTreeSet::from([
            "mary@example.com".into(),
            "m2@example.com".into(),
            "m3@example.com".into()
        ])
    );
    // Paging.
    let page = call(
        &t,
        workmail(
            "ListAliases",
            json!({"OrganizationId": ORG, "EntityId": ENTITY, "MaxResults": 2}),
        ),
    )
    .await
    .json();
    assert_eq!(page["Aliases"].as_array().unwrap().len(), 2);
    assert!(page["NextToken"].is_string());
}

#[tokio::test]
async fn update_primary_email_errors() {
    let t = start(&[]).await;
    let other_org = workmail(
        "UpdatePrimaryEmailAddress",
        json!({"OrganizationId": "m-ffffffffffffffffffffffffffffffff", "EntityId": ENTITY, "Email": "x@example.com"}),
    );
    let resp = call(&t, other_org).await;
    assert_error(&resp, 400, "OrganizationNotFoundException");
    assert_eq!(resp.json()["__type"], "OrganizationNotFoundException");
    assert!(
        resp.json()["Message"].is_string(),
        "WorkMail errors carry `Message`"
    );
    assert_eq!(
        resp.header("x-amzn-errortype"),
        None,
        "awsJson puts the type in the body"
    );
    assert_eq!(
        resp.header("content-type"),
        Some("application/x-amz-json-1.1")
    );
    assert_error(
        &call(
            &t,
            update("ffffffff-ffff-ffff-ffff-ffffffffffff", "x@example.com"),
        )
        .await,
        400,
        "EntityNotFoundException",
    );
    assert_error(
        &call(&t, describe("nobody")).await,
        400,
        "EntityNotFoundException",
    );
    assert_error(
        &call(&t, update(ENTITY, "x@unregistered-domain.example")).await,
        400,
        "MailDomainNotFoundException",
    );
    assert_error(
        &call(&t, update(ENTITY, "john.doe@example.com")).await,
        400,
        "EmailAddressInUseException",
    );
    // An alias is held too.
    assert_eq!(
        call(&t, update(OTHER, "johnny@example.com")).await.status,
        200
    );
    assert_error(
        &call(&t, update(ENTITY, "JOHN.DOE@example.com")).await,
        400,
        "EmailAddressInUseException",
    );
    assert_eq!(
        call(&t, describe(ENTITY)).await.json()["Email"],
        "mary.major@example.com",
        "nothing changed"
    );
}

#[tokio::test]
async fn workmail_validation_messages() {
    let t = start(&[]).await;
    let resp = call(
        &t,
        workmail(
            "UpdatePrimaryEmailAddress",
            json!({"OrganizationId": "bad", "EntityId": ENTITY}),
        ),
    )
    .await;
    assert_error(&resp, 400, "ValidationException");
    let message = resp.json()["message"].as_str().unwrap().to_string();
    let (head, rest) = message.split_once(": ").unwrap();
    assert_eq!(head, "3 validation errors detected");
    let parts: BTreeSet<&str> = rest.split("; ").collect();
    assert_eq!(
        parts,
        BTreeSet::from([
            "Value 'bad' at 'organizationId' failed to satisfy constraint: Member must have length greater than or equal to 34",
            "Value 'bad' at 'organizationId' failed to satisfy constraint: Member must satisfy regular expression pattern: ^m-[0-9a-f]{32}$",
            "Value null at 'email' failed to satisfy constraint: Member must not be null",
        ])
    );
    let resp = call(
        &t,
        workmail(
            "ListAliases",
            json!({"OrganizationId": ORG, "EntityId": ENTITY, "MaxResults": 0}),
        ),
    )
    .await;
    assert_eq!(
        resp.message(),
        "1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1"
    );
}

// ---------------------------------------------------------------- Protocol faults and their order

#[tokio::test]
async fn aws_json_protocol_errors() {
    let t = start(&[]).await;
    let good = update(ENTITY, "x@example.com");
    let not_json = call(&t, good.clone().raw_body(b"{not json")).await;
    assert_error(&not_json, 400, "SerializationException");
    assert_eq!(
        not_json.json()["__type"],
        "com.amazon.coral.service#SerializationException"
    );
    assert_error(
        &call(&t, good.clone().raw_body(b"[1, 2]")).await,
        400,
        "SerializationException",
    );
    assert_error(
        &call(&t, good.clone().without_header("x-amz-target")).await,
        400,
        "UnknownOperationException",
    );
    assert_error(
        &call(
            &t,
            good.clone()
                .header("x-amz-target", "WorkMailService.DeleteEverything"),
        )
        .await,
        400,
        "UnknownOperationException",
    );
    assert_error(
        &call(
            &t,
            good.clone()
                .header("x-amz-target", "OtherService.UpdatePrimaryEmailAddress"),
        )
        .await,
        400,
        "UnknownOperationException",
    );
    assert_error(
        &call(&t, good.clone().header("content-type", "application/json")).await,
        415,
        "UnsupportedMediaTypeException",
    );
    let unsigned = send(&t, &good, Sign::Unsigned).await;
    assert_error(&unsigned, 400, "MissingAuthenticationTokenException");
    assert_eq!(
        unsigned.message(),
        "Request is missing Authentication Token"
    );
    // Body parse before target before authentication.
    assert_error(
        &send(
            &t,
            &good
                .clone()
                .raw_body(b"nope")
                .without_header("x-amz-target"),
            Sign::Unsigned,
        )
        .await,
        400,
        "SerializationException",
    );
    assert_error(
        &send(
            &t,
            &good.clone().without_header("x-amz-target"),
            Sign::Unsigned,
        )
        .await,
        400,
        "UnknownOperationException",
    );
    // Authentication before validation.
    let invalid = workmail(
        "UpdatePrimaryEmailAddress",
        json!({"OrganizationId": "bad"}),
    );
    assert_error(
        &send(&t, &invalid, Sign::TamperedBody).await,
        400,
        "InvalidSignatureException",
    );
}

#[tokio::test]
async fn rest_json_protocol_errors() {
    let t = start(&[]).await;
    let good = account(
        "/getAlternateContact",
        json!({"AlternateContactType": "BILLING"}),
    );
    let not_json = call(&t, good.clone().raw_body(b"{\"AlternateContactType\": ")).await;
    assert_error(&not_json, 400, "SerializationException");
    assert!(
        not_json
            .header("x-amzn-errortype")
            .unwrap()
            .starts_with("SerializationException")
    );
    let mut unknown = good.clone();
    unknown.path = "/getSomethingElse".into();
    assert_error(
        &call(&t, unknown.clone()).await,
        404,
        "UnknownOperationException",
    );
    assert_error(
        &call(&t, good.clone().method("GET")).await,
        404,
        "UnknownOperationException",
    );
    assert_error(
        &call(&t, good.clone().header("content-type", "text/xml")).await,
        415,
        "UnsupportedMediaTypeException",
    );
    let unsigned = send(&t, &good, Sign::Unsigned).await;
    assert_error(&unsigned, 403, "MissingAuthenticationTokenException");
    assert_eq!(unsigned.message(), "Missing Authentication Token");
    // An empty body is `{}`: a validation error (after authentication), not a serialization error.
    let empty = call(&t, good.clone().raw_body(b"")).await;
    assert_error(&empty, 400, "ValidationException");
    // Order: parse, route, then authentication.
    assert_error(
        &send(&t, &good.clone().raw_body(b"]"), Sign::Unsigned).await,
        400,
        "SerializationException",
    );
    assert_error(
        &send(&t, &unknown, Sign::Unsigned).await,
        404,
        "UnknownOperationException",
    );
    let invalid = account("/getAlternateContact", json!({"AlternateContactType": 7}));
    assert_error(
        &send(&t, &invalid, Sign::UnknownKey).await,
        403,
        "UnrecognizedClientException",
    );
}

#[tokio::test]
async fn signature_failures_on_both_protocols() {
    let t = start(&[]).await;
    let requests = [
        (
            account("/getPrimaryEmail", json!({"AccountId": MEMBER})),
            403,
        ),
        (describe(ENTITY), 400),
    ];
    for (req, status) in requests {
        assert_eq!(send(&t, &req, Sign::Valid).await.status, 200);
        let unknown = send(&t, &req, Sign::UnknownKey).await;
        assert_error(&unknown, status, "UnrecognizedClientException");
        assert_eq!(
            unknown.message(),
            "The security token included in the request is invalid."
        );
        let tampered = send(&t, &req, Sign::TamperedBody).await;
        assert_error(&tampered, status, "InvalidSignatureException");
        assert!(
            tampered
                .message()
                .starts_with("The request signature we calculated does not match")
        );
        let expired = send(&t, &req, Sign::At(minutes_ago(20))).await;
        assert_error(&expired, status, "InvalidSignatureException");
        assert!(
            expired.message().starts_with("Signature expired: ")
                && expired.message().contains(" is now earlier than "),
            "{}",
            expired.message()
        );
        let future = send(
            &t,
            &req,
            Sign::At(SystemTime::now() + Duration::from_secs(20 * 60)),
        )
        .await;
        assert_error(&future, status, "InvalidSignatureException");
        assert!(future.message().starts_with("Signature not yet current: "));
        // Within the window is fine.
        assert_eq!(send(&t, &req, Sign::At(minutes_ago(10))).await.status, 200);
        let malformed = send(&t, &req, Sign::Malformed).await;
        assert_error(&malformed, status, "IncompleteSignatureException");
        // A signed header changed after signing.
        let host = t.addr().to_string();
        let sig = signature_headers(
            &req,
            &host,
            conform::credentials::TEST_ACCESS_KEY_ID,
            conform::credentials::TEST_SECRET_ACCESS_KEY,
            SystemTime::now(),
        );
        let content_type = req
            .headers
            .iter()
            .find(|(n, _)| n == "content-type")
            .unwrap()
            .1
            .clone();
        let mut resigned = req
            .clone()
            .header("content-type", &format!("{content_type}; charset=utf-8"));
        for (n, v) in sig {
            resigned = resigned.header(&n, &v);
        }
        assert_error(
            &send(&t, &resigned, Sign::Unsigned).await,
            status,
            "InvalidSignatureException",
        );
    }
}

#[tokio::test]
async fn an_x_amz_target_the_signature_does_not_cover_is_refused_and_not_run() {
    // The SDKs always sign X-Amz-Target; one added after signing could name another operation than the signed one.
    let t = start(&[]).await;
    let host = t.addr().to_string();
    let req = update(ENTITY, "moved@example.com");
    let target = req
        .headers
        .iter()
        .find(|(n, _)| n == "x-amz-target")
        .unwrap()
        .1
        .clone();
    let unsigned_target = req.clone().without_header("x-amz-target");
    let mut sent = unsigned_target.clone();
    for (n, v) in signature_headers(
        &unsigned_target,
        &host,
        conform::credentials::TEST_ACCESS_KEY_ID,
        conform::credentials::TEST_SECRET_ACCESS_KEY,
        SystemTime::now(),
    ) {
        sent = sent.header(&n, &v);
    }
    let sent = sent.header("x-amz-target", &target);
    let refused = send(&t, &sent, Sign::Unsigned).await;
    assert_error(&refused, 400, "InvalidSignatureException");
    assert!(
        refused.message().contains("x-amz-target"),
        "{}",
        refused.message()
    );
    assert_eq!(
        call(&t, describe(ENTITY)).await.json()["Email"],
        "mary.major@example.com",
        "the operation did not run"
    );
    // Signed, the same request runs.
    assert_eq!(call(&t, req).await.status, 200);
    assert_eq!(
        call(&t, describe(ENTITY)).await.json()["Email"],
        "moved@example.com"
    );
}

#[tokio::test]
async fn request_ids_are_unique_and_uuid_shaped() {
    let t = start(&[]).await;
    let mut ids = BTreeSet::new();
    for req in [
        describe(ENTITY),
        describe("nobody"),
        account("/nowhere", json!({})),
        account("/getPrimaryEmail", json!({"AccountId": MEMBER})),
    ] {
        let resp = call(&t, req).await;
        let id = resp
            .header("x-amzn-requestid")
            .expect("request id on every response")
            .to_string();
        let groups: Vec<usize> = id.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12], "{id}");
        assert!(id.chars().all(|c| c == '-' || c.is_ascii_hexdigit()));
        ids.insert(id);
    }
    assert_eq!(ids.len(), 4);
}

#[tokio::test]
async fn bodies_over_the_limit_are_refused() {
    let mut config = config(&[]);
    config.body_limit = 1024;
    let t = start_with(config).await;
    let mut body = contact("BILLING");
    body["Padding"] = json!("x".repeat(2000));
    let resp = call(&t, account("/putAlternateContact", body)).await;
    assert_error(&resp, 413, "RequestEntityTooLargeException");
    let mut body = contact("BILLING");
    body["Padding"] = json!("x".repeat(500));
    assert_eq!(
        call(&t, account("/putAlternateContact", body)).await.status,
        200,
        "unknown members are ignored"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_updates_lose_nothing() {
    let t = Arc::new(start(&[]).await);
    let mut tasks = Vec::new();
    for i in 0..40 {
        let t = t.clone();
        tasks.push(tokio::spawn(async move {
            call(&t, update(ENTITY, &format!("user{i}@example.com")))
                .await
                .status
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), 200);
    }
    let primary = call(&t, describe(ENTITY)).await.json()["Email"]
        .as_str()
        .unwrap()
        .to_string();
    let mut all: BTreeSet<String> =
        serde_json::from_value(call(&t, aliases(ENTITY)).await.json()["Aliases"].clone()).unwrap();
    assert_eq!(all.len(), 40, "every earlier primary kept once");
    all.insert(primary);
    let mut expected: BTreeSet<String> = (0..40).map(|i| format!("user{i}@example.com")).collect();
    expected.insert("mary.major@example.com".into());
    assert_eq!(all, expected);
}

// ---------------------------------------------------------------- Robustness without a socket

mod no_panic {
    use super::*;
    use bytes::Bytes;
    use proptest::prelude::*;

    fn emulator() -> Emulator {
        Emulator::new(specs(), config(&[])).unwrap()
    }

    fn header_strategy() -> impl Strategy<Value = (String, Vec<u8>)> {
        (
            prop_oneof![
                Just("authorization".to_string()),
                Just("x-amz-target".to_string()),
                Just("x-amz-date".to_string()),
                Just("content-type".to_string()),
                Just("host".to_string()),
                "[a-z-]{1,12}",
            ],
            prop_oneof![
                Just(b"AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240101/us-east-1/account/aws4_request, SignedHeaders=host;x-amz-date;content-type, Signature=00".to_vec()),
                Just(b"WorkMailService.UpdatePrimaryEmailAddress".to_vec()),
                Just(b"application/x-amz-json-1.1".to_vec()),
                proptest::collection::vec(any::<u8>(), 0..80),
            ],
        )
    }

    fn body_strategy() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..200),
            any::<String>().prop_map(|s| json!({"AccountId": s, "AlternateContactType": s, "OrganizationId": s, "EntityId": s, "Email": s, "Name": s}).to_string().into_bytes()),
            Just(b"{\"AlternateContactType\":{\"a\":[1,null,true]},\"MaxResults\":1e400}".to_vec()),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]
        #[test]
        fn any_request_gets_an_answer(
            method in prop_oneof![Just("POST".to_string()), Just("GET".to_string()), "[A-Z]{1,8}"],
            path in prop_oneof![Just("/".to_string()), Just("/putAlternateContact".to_string()), "/[ -~]{0,30}"],
            headers in proptest::collection::vec(header_strategy(), 0..6),
            body in body_strategy(),
        ) {
            let target = emulator();
            let mut builder = http::Request::builder().method(method.as_str());
            builder = builder.uri(path.parse::<http::Uri>().unwrap_or_else(|_| http::Uri::from_static("/")));
            for (name, value) in &headers {
                if let (Ok(n), Ok(v)) = (http::HeaderName::from_bytes(name.as_bytes()), http::HeaderValue::from_bytes(value)) {
                    builder = builder.header(n, v);
                }
            }
            let request = match builder.body(Bytes::from(body.clone())) {
                Ok(r) => r,
                Err(_) => http::Request::post("/").body(Bytes::from(body)).unwrap(),
            };
            let response = target.handle(request);
            prop_assert!(response.status().as_u16() >= 200);
            prop_assert!(response.headers().contains_key("x-amzn-requestid"));
        }
    }
}
