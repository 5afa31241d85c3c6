//! awsQuery and ec2Query request encoding, rule by rule, on a small hand-written model.

use super::*;
use crate::model::{Member, Operation, Service, Shape, ShapeId, ShapeKind, Timestamp, Value};

pub(crate) fn named(name: &str, target: ShapeId, location_name: Option<&str>) -> Member {
    let mut m = Member::new(name, target);
    m.location_name = location_name.map(str::to_string);
    m
}

/// A query service with one operation, `PutThing`, whose input exercises every rule of the module docs.
pub(crate) fn query_service() -> Service {
    let mut s = Service::new("things", ProtocolId::AwsQuery);
    s.api_version = "2020-01-02".into();
    let string = s.add_shape(Shape::new("String", ShapeKind::String));
    let int = s.add_shape(Shape::new("Integer", ShapeKind::Integer));
    let double = s.add_shape(Shape::new("Double", ShapeKind::Double));
    let boolean = s.add_shape(Shape::new("Boolean", ShapeKind::Boolean));
    let timestamp = s.add_shape(Shape::new("Timestamp", ShapeKind::Timestamp));
    let blob = s.add_shape(Shape::new("Blob", ShapeKind::Blob));
    let strings = s.add_shape(Shape::new(
        "Strings",
        ShapeKind::List(Box::new(Member::new("member", string))),
    ));
    let mut flat = Shape::new(
        "FlatStrings",
        ShapeKind::List(Box::new(named("member", string, Some("Item")))),
    );
    flat.flattened = true;
    let flat = s.add_shape(flat);
    let named_items = s.add_shape(Shape::new(
        "NamedItems",
        ShapeKind::List(Box::new(named("member", string, Some("item")))),
    ));
    let attributes = s.add_shape(Shape::new(
        "Attributes",
        ShapeKind::Map {
            key: Box::new(named("key", string, Some("Name"))),
            value: Box::new(named("value", string, Some("Value"))),
        },
    ));
    let mut flat_map = Shape::new(
        "FlatMap",
        ShapeKind::Map {
            key: Box::new(Member::new("key", string)),
            value: Box::new(Member::new("value", int)),
        },
    );
    flat_map.flattened = true;
    let flat_map = s.add_shape(flat_map);
    let inner = s.add_shape(Shape::new(
        "Inner",
        ShapeKind::Structure(vec![
            named("Name", string, Some("name")),
            Member::new("Tags", strings),
        ]),
    ));
    let inners = s.add_shape(Shape::new(
        "Inners",
        ShapeKind::List(Box::new(Member::new("member", inner))),
    ));
    let mut epoch = Member::new("Epoch", timestamp);
    epoch.timestamp_format = Some(TimestampFormat::EpochSeconds);
    let mut queried = named("Queried", string, Some("queried"));
    queried.query_name = Some("QueryName".into());
    let input = s.add_shape(Shape::new(
        "PutThingInput",
        ShapeKind::Structure(vec![
            Member::new("Name", string),
            named("Renamed", string, Some("OtherName")),
            named("lower", string, Some("lowerName")),
            queried,
            Member::new("Count", int),
            Member::new("Ratio", double),
            Member::new("Enabled", boolean),
            Member::new("When", timestamp),
            epoch,
            Member::new("Data", blob),
            Member::new("Tags", strings),
            Member::new("Flat", flat),
            Member::new("Named", named_items),
            Member::new("Attributes", attributes),
            Member::new("FlatMap", flat_map),
            Member::new("Inner", inner),
            Member::new("Inners", inners),
            Member::new("Empty", strings),
        ]),
    ));
    let mut op = Operation::new("PutThing");
    op.input = Some(input);
    s.operations.insert(op.name.clone(), op);
    s
}

fn input() -> Value {
    let text = |s: &str| Value::string(s);
    let list = |items: &[&str]| Value::List(items.iter().map(|s| Value::string(*s)).collect());
    let structure = |members: Vec<(&str, Value)>| {
        Value::Structure(
            members
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        )
    };
    structure(vec![
        ("Name", text("a b&c=d/é~*")),
        ("Renamed", text("r")),
        ("lower", text("l")),
        ("Queried", text("q")),
        ("Count", Value::Integer(-3)),
        ("Ratio", Value::Float(1e16)),
        ("Enabled", Value::Boolean(false)),
        (
            "When",
            Value::Timestamp(Timestamp {
                epoch_millis: 1_577_934_245_250,
            }),
        ),
        (
            "Epoch",
            Value::Timestamp(Timestamp::from_secs(1_577_934_245)),
        ),
        ("Data", Value::Blob(b"hi".to_vec())),
        ("Tags", list(&["x", "y"])),
        ("Flat", list(&["f"])),
        ("Named", list(&["n"])),
        (
            "Attributes",
            Value::Map([("k".to_string(), text("v"))].into_iter().collect()),
        ),
        (
            "FlatMap",
            Value::Map([("k".to_string(), Value::Integer(1))].into_iter().collect()),
        ),
        (
            "Inner",
            structure(vec![("Name", text("i")), ("Tags", list(&["t"]))]),
        ),
        (
            "Inners",
            Value::List(vec![structure(vec![("Name", text("j"))])]),
        ),
        ("Empty", list(&[])),
    ])
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn query_requests_follow_botocores_query_serializer() {
    let s = query_service();
    let op = &s.operations["PutThing"];
    let request = AwsQuery::QUERY.encode_request(&s, op, &input()).unwrap();
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/");
    assert_eq!(
        request.header("content-type"),
        Some("application/x-www-form-urlencoded; charset=utf-8")
    );
    let body = String::from_utf8(request.body.clone()).unwrap();
    assert!(
        body.starts_with("Action=PutThing&Version=2020-01-02&Name=a+b%26c%3Dd%2F%C3%A9~%2A&"),
        "{body}"
    );
    assert_eq!(
        form_decode(&request.body).unwrap(),
        pairs(&[
            ("Action", "PutThing"),
            ("Version", "2020-01-02"),
            ("Name", "a b&c=d/é~*"),
            ("OtherName", "r"),
            ("lowerName", "l"),
            ("queried", "q"),
            ("Count", "-3"),
            ("Ratio", "1e+16"),
            ("Enabled", "false"),
            ("When", "2020-01-02T03:04:05.250Z"),
            ("Epoch", "1577934245"),
            ("Data", "aGk="),
            ("Tags.member.1", "x"),
            ("Tags.member.2", "y"),
            ("Item.1", "f"),
            ("Named.item.1", "n"),
            ("Attributes.entry.1.Name", "k"),
            ("Attributes.entry.1.Value", "v"),
            ("FlatMap.1.key", "k"),
            ("FlatMap.1.value", "1"),
            ("Inner.name", "i"),
            ("Inner.Tags.member.1", "t"),
            ("Inners.member.1.name", "j"),
            ("Empty", ""),
        ])
    );
}

#[test]
fn ec2_requests_capitalise_names_take_query_names_and_flatten_every_list() {
    let mut s = query_service();
    s.protocol = ProtocolId::Ec2Query;
    let op = &s.operations["PutThing"];
    let got = form_decode(&AwsQuery::EC2.encode_request(&s, op, &input()).unwrap().body).unwrap();
    let find = |k: &str| got.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    assert_eq!(find("LowerName"), Some("l"), "{got:?}");
    assert_eq!(find("QueryName"), Some("q"), "{got:?}");
    assert_eq!(find("Tags.1"), Some("x"));
    assert_eq!(find("Tags.2"), Some("y"));
    assert_eq!(find("Flat.1"), Some("f"));
    assert_eq!(find("Named.1"), Some("n"));
    assert_eq!(find("Inner.Name"), Some("i"));
    assert_eq!(find("Inners.1.Name"), Some("j"));
    assert_eq!(find("Attributes.entry.1.Name"), Some("k"));
    assert_eq!(find("Empty"), None, "ec2 leaves empty lists out");
}

#[test]
fn operations_without_input_send_action_and_version_only() {
    let mut s = query_service();
    s.operations.insert("Ping".into(), Operation::new("Ping"));
    let op = &s.operations["Ping"];
    let request = AwsQuery::QUERY
        .encode_request(&s, op, &Value::structure())
        .unwrap();
    assert_eq!(request.body, b"Action=Ping&Version=2020-01-02");
    let err = AwsQuery::QUERY
        .encode_request(&s, op, &Value::string("x"))
        .unwrap_err();
    assert!(err.to_string().contains("not a structure"), "{err}");
}

#[test]
fn forms_decode_plus_and_escapes_and_refuse_bad_ones() {
    assert_eq!(
        form_decode(b"A=a+b%2F&B=&C").unwrap(),
        pairs(&[("A", "a b/"), ("B", ""), ("C", "")])
    );
    assert_eq!(form_decode(b"A=%zz"), None);
    assert_eq!(form_decode(b"A=%4"), None);
    assert_eq!(form_decode(b"A=%FF"), None);
}

/// The input without the members a form cannot give back as they were (an empty list reads back empty, which it
/// is; everything else must come back equal).
fn round_trip(query: AwsQuery, s: &Service, input: &Value) {
    let op = &s.operations["PutThing"];
    let request = query.encode(s, op, input).unwrap();
    assert!(query.accepts_content_type(request.header("content-type")));
    query.check_body(&request).unwrap();
    let routed = query.route(s, &request).unwrap();
    assert_eq!(routed.name, "PutThing");
    let back = query.decode_input(s, op, &request).unwrap();
    assert_eq!(back, *input, "{}", String::from_utf8_lossy(&request.body));
}

#[test]
fn the_server_reads_back_what_the_client_encodes() {
    let s = query_service();
    round_trip(AwsQuery::QUERY, &s, &input());
    let mut ec2 = query_service();
    ec2.protocol = ProtocolId::Ec2Query;
    // ec2Query leaves empty lists out, so they read back absent.
    let mut without_empty = input();
    without_empty
        .as_structure_mut()
        .unwrap()
        .shift_remove("Empty");
    round_trip(AwsQuery::EC2, &ec2, &without_empty);
}

#[test]
fn the_server_refuses_what_is_no_query_request() {
    let s = query_service();
    let op = &s.operations["PutThing"];
    let request = AwsQuery::QUERY.encode(&s, op, &input()).unwrap();
    let code = |r: &HttpRequest| {
        AwsQuery::QUERY
            .check_body(r)
            .and_then(|()| AwsQuery::QUERY.route(&s, r).map(|_| ()))
            .unwrap_err()
            .code
    };
    for (class, expected) in [
        ("action-unknown", "InvalidAction"),
        ("action-missing", "MissingAction"),
        ("version-wrong", "InvalidAction"),
        ("body-not-form", "MissingAction"),
        ("body-bad-escape", "MalformedQueryString"),
    ] {
        let broken = AwsQuery::QUERY.malform(&s, op, class, &request).unwrap();
        assert_ne!(broken.body, request.body, "{class}");
        assert_eq!(code(&broken), expected, "{class}");
        let listed = AwsQuery::QUERY.malformations(&s, op);
        let m = listed.iter().find(|m| m.class == class).unwrap();
        assert!(
            m.expect.uncertain.is_some(),
            "{class}: no capture settles it, so it is uncertain"
        );
        assert!(
            m.expect.accept.iter().any(|(_, c)| *c == Some(expected)),
            "{class}: the embedded target answers what the expectation accepts"
        );
    }
    assert!(
        AwsQuery::QUERY
            .malform(&s, op, "no-such-class", &request)
            .is_none()
    );
    assert!(!AwsQuery::QUERY.accepts_content_type(Some("application/json")));
    assert!(AwsQuery::QUERY.accepts_content_type(Some("application/x-www-form-urlencoded")));
    // A value a member's type cannot be read as: refused, or kept as it is when read leniently.
    let mut bad = request.clone();
    bad.body = b"Action=PutThing&Version=2020-01-02&Count=three".to_vec();
    let err = AwsQuery::QUERY.decode_input(&s, op, &bad).unwrap_err();
    assert_eq!((err.status, err.code.as_str()), (400, "ValidationError"));
    assert!(
        err.message.contains("'three' at 'count'"),
        "{}",
        err.message
    );
    let lenient = AwsQuery::QUERY.decode_input_lenient(&s, op, &bad).unwrap();
    assert_eq!(
        lenient.get("Count"),
        Some(&Value::Raw(serde_json::Value::String("three".into())))
    );
}

#[test]
fn server_answers_decode_with_their_code_message_and_request_id() {
    use crate::model::{ErrorTrait, Fault};
    let mut s = query_service();
    let string = s.shape_named("String").unwrap().0;
    let mut error = Shape::new(
        "NoSuchThingException",
        ShapeKind::Structure(vec![Member::new("message", string)]),
    );
    error.error = Some(ErrorTrait {
        code: Some("NoSuchThing".into()),
        status: Some(404),
        fault: Fault::Client,
        retryable: false,
        throttling: false,
    });
    s.add_shape(error);
    for query in [AwsQuery::QUERY, AwsQuery::EC2] {
        let response = query.encode_error(
            &s,
            404,
            "NoSuchThingException",
            "no <thing>",
            &Value::structure(),
        );
        let body = String::from_utf8_lossy(&response.body).into_owned();
        assert!(
            body.contains("<Code>NoSuchThing</Code>"),
            "the wire code: {body}"
        );
        let response = query.set_request_id(response, "rid-1");
        let info = query.decode_error(&s, &response).unwrap();
        assert_eq!(info.code, "NoSuchThingException");
        assert_eq!(info.message.as_deref(), Some("no <thing>"));
        assert_eq!(query.body_request_id(&response).as_deref(), Some("rid-1"));
        let document = query.error_document(&response).unwrap();
        assert_eq!(document["Code"], "NoSuchThing");
        let stripped = query.strip_error_type(response.clone());
        assert_eq!(query.decode_error(&s, &stripped), None);
        let moved = query.misplace_error_type(response);
        assert_eq!(moved.header("x-amzn-errortype"), Some("NoSuchThing"));
    }
}

#[test]
fn inputs_a_form_cannot_carry_are_refused_by_the_protocol_but_encoded_as_botocore_does() {
    let mut s = query_service();
    // `Inner` required: an empty structure leaves no field, so the server would read it as missing.
    let input_id = s.operations["PutThing"].input.unwrap();
    if let ShapeKind::Structure(members) = &mut s.shapes[input_id.index()].kind {
        members
            .iter_mut()
            .find(|m| m.name == "Inner")
            .unwrap()
            .required = true;
    }
    let op = &s.operations["PutThing"];
    let input = Value::Structure(
        [("Inner".to_string(), Value::structure())]
            .into_iter()
            .collect(),
    );
    let request = AwsQuery::QUERY.encode_request(&s, op, &input).unwrap();
    assert_eq!(request.body, b"Action=PutThing&Version=2020-01-02");
    let err = AwsQuery::QUERY.encode(&s, op, &input).unwrap_err();
    assert!(
        matches!(&err, EncodeError::CannotCarry { path, .. } if path.to_string() == "Inner"),
        "{err}"
    );
    // A wrong-typed value that is valid text is no type case on a form.
    let raw = Value::Structure(
        [
            (
                "Inner".to_string(),
                Value::Structure(
                    [("Name".to_string(), Value::string("n"))]
                        .into_iter()
                        .collect(),
                ),
            ),
            ("Name".to_string(), Value::Raw(serde_json::json!(true))),
        ]
        .into_iter()
        .collect(),
    );
    assert!(AwsQuery::QUERY.encode(&s, op, &raw).is_err());
    // One that is not text of its type is sent as it is.
    let count = Value::Structure(
        [
            (
                "Inner".to_string(),
                Value::Structure(
                    [("Name".to_string(), Value::string("n"))]
                        .into_iter()
                        .collect(),
                ),
            ),
            ("Count".to_string(), Value::Raw(serde_json::json!("three"))),
        ]
        .into_iter()
        .collect(),
    );
    let sent = AwsQuery::QUERY.encode(&s, op, &count).unwrap();
    assert!(String::from_utf8_lossy(&sent.body).contains("Count=three"));
    // A null is left out, as an absent member: the same violation.
    let null = Value::Structure([("Inner".to_string(), Value::Null)].into_iter().collect());
    let sent = AwsQuery::QUERY.encode(&s, op, &null).unwrap();
    assert_eq!(sent.body, b"Action=PutThing&Version=2020-01-02");
}
