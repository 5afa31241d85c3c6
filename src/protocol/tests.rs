//! Protocol tests in the style of Smithy's: hand-written small models, the exact request for an input, errors
//! decoded from each place they can be carried, and server round trips.

use serde_json::json;

use super::*;
use crate::model::{
    ErrorTrait, Fault, Http, Location, Member, Operation, Path, ProtocolId, Role, Service, Shape,
    ShapeId, ShapeKind, Timestamp, TimestampFormat, Value,
};

fn structure(members: Vec<(&str, Value)>) -> Value {
    Value::Structure(
        members
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

fn located(name: &str, target: ShapeId, location: Location) -> Member {
    let mut m = Member::new(name, target);
    m.location = location;
    m
}

/// Scalar shapes every test service shares.
struct Scalars {
    string: ShapeId,
    int: ShapeId,
    long: ShapeId,
    double: ShapeId,
    boolean: ShapeId,
    timestamp: ShapeId,
    blob: ShapeId,
    strings: ShapeId,
    string_map: ShapeId,
}

fn scalars(s: &mut Service) -> Scalars {
    let string = s.add_shape(Shape::new("String", ShapeKind::String));
    let int = s.add_shape(Shape::new("Integer", ShapeKind::Integer));
    let long = s.add_shape(Shape::new("Long", ShapeKind::Long));
    let double = s.add_shape(Shape::new("Double", ShapeKind::Double));
    let boolean = s.add_shape(Shape::new("Boolean", ShapeKind::Boolean));
    let timestamp = s.add_shape(Shape::new("Timestamp", ShapeKind::Timestamp));
    let blob = s.add_shape(Shape::new("Blob", ShapeKind::Blob));
    let strings = s.add_shape(Shape::new(
        "Strings",
        ShapeKind::List(Box::new(Member::new("member", string))),
    ));
    let string_map = s.add_shape(Shape::new(
        "StringMap",
        ShapeKind::Map {
            key: Box::new(Member::new("key", string)),
            value: Box::new(Member::new("value", string)),
        },
    ));
    Scalars {
        string,
        int,
        long,
        double,
        boolean,
        timestamp,
        blob,
        strings,
        string_map,
    }
}

fn error_shape(s: &mut Service, name: &str, message: &str, string: ShapeId) -> ShapeId {
    let mut shape = Shape::new(
        name,
        ShapeKind::Structure(vec![Member::new(message, string)]),
    );
    shape.error = Some(ErrorTrait {
        code: None,
        status: None,
        fault: Fault::Client,
        retryable: false,
        throttling: false,
    });
    s.add_shape(shape)
}

fn add_op(
    s: &mut Service,
    name: &str,
    method: &str,
    uri: &str,
    input: Option<ShapeId>,
    output: Option<ShapeId>,
) {
    let mut op = Operation::new(name);
    op.http = Http::new(method, uri, op.http.response_code);
    op.input = input;
    op.output = output;
    op.rules.role = Role::Imported;
    s.operations.insert(name.into(), op);
}

/// A restJson1 service with every binding.
fn rest_service() -> Service {
    let mut s = Service::new("things", ProtocolId::RestJson1);
    s.title = "Things".into();
    let t = scalars(&mut s);
    let mut label = located("ThingName", t.string, Location::Label { greedy: false });
    label.required = true;
    let mut token = Member::new("ClientToken", t.string);
    token.idempotency_token = true;
    let mut renamed = Member::new("Data", t.string);
    renamed.location_name = Some("data".into());
    let mut epoch_header = located("Epoch", t.timestamp, Location::Header("X-Epoch".into()));
    epoch_header.timestamp_format = Some(TimestampFormat::EpochSeconds);
    let create_in = s.add_shape(Shape::new(
        "CreateThingInput",
        ShapeKind::Structure(vec![
            label,
            located("Tags", t.strings, Location::Query("tag".into())),
            located("Limit", t.int, Location::Query("limit".into())),
            located("Since", t.timestamp, Location::Query("since".into())),
            located("Ratio", t.double, Location::Query("ratio".into())),
            located("Flag", t.boolean, Location::Header("X-Flag".into())),
            located("When", t.timestamp, Location::Header("X-When".into())),
            epoch_header,
            located("Labels", t.strings, Location::Header("X-Labels".into())),
            located(
                "Meta",
                t.string_map,
                Location::PrefixHeaders("X-Meta-".into()),
            ),
            renamed,
            Member::new("Count", t.int),
            Member::new("Created", t.timestamp),
            Member::new("Raw", t.blob),
            token,
        ]),
    ));
    let create_out = s.add_shape(Shape::new(
        "CreateThingOutput",
        ShapeKind::Structure(vec![
            located("Status", t.int, Location::StatusCode),
            located(
                "RequestId",
                t.string,
                Location::Header("X-Request-Id".into()),
            ),
            located("Size", t.long, Location::Header("X-Size".into())),
            Member::new("Arn", t.string),
        ]),
    ));
    add_op(
        &mut s,
        "CreateThing",
        "POST",
        "/things/{ThingName}",
        Some(create_in),
        Some(create_out),
    );
    let mut key = located("Key", t.string, Location::Label { greedy: true });
    key.required = true;
    let get_in = s.add_shape(Shape::new(
        "GetObjectInput",
        ShapeKind::Structure(vec![key]),
    ));
    let get_out = s.add_shape(Shape::new(
        "GetObjectOutput",
        ShapeKind::Structure(vec![
            located("Body", t.blob, Location::Payload),
            located(
                "ContentType",
                t.string,
                Location::Header("Content-Type".into()),
            ),
        ]),
    ));
    add_op(
        &mut s,
        "GetObject",
        "GET",
        "/objects/{Key+}/content",
        Some(get_in),
        Some(get_out),
    );
    let list_in = s.add_shape(Shape::new(
        "ListThingsInput",
        ShapeKind::Structure(vec![
            located("MaxResults", t.int, Location::Query("maxResults".into())),
            located("Filters", t.string_map, Location::Query("filters".into())),
        ]),
    ));
    add_op(&mut s, "ListThings", "GET", "/things", Some(list_in), None);
    let special_in = s.add_shape(Shape::new("GetSpecialInput", ShapeKind::Structure(vec![])));
    add_op(
        &mut s,
        "GetSpecialThing",
        "GET",
        "/things/special",
        Some(special_in),
        None,
    );
    let mut thing_name = located("ThingName", t.string, Location::Label { greedy: false });
    thing_name.required = true;
    let get_thing_in = s.add_shape(Shape::new(
        "GetThingInput",
        ShapeKind::Structure(vec![thing_name]),
    ));
    add_op(
        &mut s,
        "GetThing",
        "GET",
        "/things/{ThingName}",
        Some(get_thing_in),
        None,
    );
    let document = s.add_shape(Shape::new(
        "ThingDocument",
        ShapeKind::Structure(vec![
            Member::new("Name", t.string),
            Member::new("Size", t.long),
        ]),
    ));
    let import_in = s.add_shape(Shape::new(
        "ImportThingInput",
        ShapeKind::Structure(vec![
            located("Document", document, Location::Payload),
            located("Format", t.string, Location::Query("format".into())),
        ]),
    ));
    add_op(
        &mut s,
        "ImportThing",
        "POST",
        "/things?mode=import",
        Some(import_in),
        None,
    );
    error_shape(&mut s, "ValidationException", "message", t.string);
    error_shape(&mut s, "ThingNotFoundException", "Message", t.string);
    s
}

/// An awsJson 1.1 service: nested structures and lists, every scalar.
fn json_service() -> Service {
    let mut s = Service::new("mail", ProtocolId::AwsJson1_1);
    s.target_prefix = Some("MailService".into());
    let t = scalars(&mut s);
    let mut key_name = Member::new("AttributeName", t.string);
    key_name.required = true;
    let key = s.add_shape(Shape::new(
        "KeySchemaElement",
        ShapeKind::Structure(vec![key_name, Member::new("Weight", t.long)]),
    ));
    let keys = s.add_shape(Shape::new(
        "KeySchema",
        ShapeKind::List(Box::new(Member::new("member", key))),
    ));
    let mut name = Member::new("TableName", t.string);
    name.required = true;
    let mut token = Member::new("ClientRequestToken", t.string);
    token.idempotency_token = true;
    let input = s.add_shape(Shape::new(
        "CreateTableInput",
        ShapeKind::Structure(vec![
            name,
            Member::new("KeySchema", keys),
            Member::new("Capacity", t.long),
            Member::new("Ratio", t.double),
            Member::new("Enabled", t.boolean),
            Member::new("Created", t.timestamp),
            Member::new("Secret", t.blob),
            Member::new("Tags", t.string_map),
            token,
        ]),
    ));
    let output = s.add_shape(Shape::new(
        "CreateTableOutput",
        ShapeKind::Structure(vec![
            Member::new("TableArn", t.string),
            Member::new("Items", t.int),
        ]),
    ));
    let mut op = Operation::new("CreateTable");
    op.input = Some(input);
    op.output = Some(output);
    s.operations.insert("CreateTable".into(), op);
    s.operations
        .insert("ListTables".into(), Operation::new("ListTables"));
    error_shape(&mut s, "EntityNotFoundException", "Message", t.string);
    s
}

fn rest() -> &'static dyn Protocol {
    for_id(ProtocolId::RestJson1).unwrap()
}

fn aws_json() -> &'static dyn Protocol {
    for_id(ProtocolId::AwsJson1_1).unwrap()
}

fn body_json(body: &[u8]) -> serde_json::Value {
    serde_json::from_slice(body).unwrap()
}

fn create_thing_input() -> Value {
    structure(vec![
        ("ThingName", Value::string("a/b c")),
        (
            "Tags",
            Value::List(vec![Value::string("x"), Value::string("y,z")]),
        ),
        ("Limit", Value::Integer(5)),
        (
            "Since",
            Value::Timestamp(Timestamp {
                epoch_millis: 1_577_934_245_250,
            }),
        ),
        ("Ratio", Value::Float(1e16)),
        ("Flag", Value::Boolean(true)),
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
        (
            "Labels",
            Value::List(vec![Value::string("plain"), Value::string("has \"quote\"")]),
        ),
        (
            "Meta",
            Value::Map([("Owner".to_string(), Value::string("me"))].into()),
        ),
        ("Data", Value::string("d")),
        ("Count", Value::Integer(2)),
        ("Raw", Value::Blob(b"hi".to_vec())),
        ("ClientToken", Value::string("token-1")),
    ])
}

#[test]
fn protocols_exist_for_the_json_query_and_cbor_ids_only() {
    for id in [
        ProtocolId::RestJson1,
        ProtocolId::AwsJson1_0,
        ProtocolId::AwsJson1_1,
        ProtocolId::AwsQuery,
        ProtocolId::Ec2Query,
        ProtocolId::RpcV2Cbor,
        ProtocolId::RestXml,
    ] {
        assert_eq!(for_id(id).map(|p| p.id()), Some(id));
    }
}

#[test]
fn rest_json_binds_labels_query_headers_and_body_as_botocore_does() {
    let s = rest_service();
    let op = &s.operations["CreateThing"];
    let r = rest().encode(&s, op, &create_thing_input()).unwrap();
    assert_eq!(r.method, "POST");
    assert_eq!(
        r.path,
        "/things/a%2Fb%20c?tag=x&tag=y%2Cz&limit=5&since=2020-01-02T03%3A04%3A05.250Z&ratio=1e%2B16"
    );
    let expected_headers = [
        ("x-flag", "true"),
        ("x-when", "Thu, 02 Jan 2020 03:04:05 GMT"),
        ("x-epoch", "1577934245"),
        ("x-labels", "plain,\"has \\\"quote\\\"\""),
        ("x-meta-owner", "me"),
        ("content-type", "application/json"),
    ];
    assert_eq!(
        r.headers,
        expected_headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect::<Vec<_>>()
    );
    assert_eq!(
        body_json(&r.body),
        json!({"data": "d", "Count": 2, "Raw": "aGk=", "ClientToken": "token-1"})
    );
    assert_eq!(r.host_prefix, None);
}

#[test]
fn rest_json_greedy_labels_keep_slashes_and_empty_inputs_have_no_body() {
    let s = rest_service();
    let r = rest()
        .encode(
            &s,
            &s.operations["GetObject"],
            &structure(vec![("Key", Value::string("dir/a b~.txt"))]),
        )
        .unwrap();
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("GET", "/objects/dir/a%20b~.txt/content")
    );
    assert!(r.body.is_empty());
    assert!(r.headers.is_empty(), "{:?}", r.headers);
    let list = rest()
        .encode(
            &s,
            &s.operations["ListThings"],
            &structure(vec![
                ("MaxResults", Value::Integer(10)),
                (
                    "Filters",
                    Value::Map(
                        [
                            ("state".to_string(), Value::string("on")),
                            ("a b".to_string(), Value::string("c&d")),
                        ]
                        .into(),
                    ),
                ),
            ]),
        )
        .unwrap();
    assert_eq!(list.path, "/things?maxResults=10&state=on&a%20b=c%26d");
    assert!(list.body.is_empty());
    assert!(rest().body_optional(&s, &s.operations["ListThings"]));
    assert!(!rest().body_optional(&s, &s.operations["CreateThing"]));
}

#[test]
fn rest_json_structure_payloads_and_static_queries() {
    let s = rest_service();
    let op = &s.operations["ImportThing"];
    let absent = rest()
        .encode(&s, op, &structure(vec![("Format", Value::string("csv"))]))
        .unwrap();
    assert_eq!(absent.path, "/things?mode=import&format=csv");
    assert_eq!(absent.body, b"{}");
    assert_eq!(absent.header("content-type"), Some("application/json"));
    let given = rest()
        .encode(
            &s,
            op,
            &structure(vec![(
                "Document",
                structure(vec![
                    ("Name", Value::string("n")),
                    ("Size", Value::Integer(3)),
                ]),
            )]),
        )
        .unwrap();
    assert_eq!(body_json(&given.body), json!({"Name": "n", "Size": 3}));
}

#[test]
fn what_a_location_cannot_carry_is_refused_with_the_member() {
    let s = rest_service();
    let op = &s.operations["CreateThing"];
    let cases = [
        (structure(vec![]), "ThingName", "missing URI label"),
        (
            structure(vec![("ThingName", Value::string(""))]),
            "ThingName",
            "empty URI label",
        ),
        (
            structure(vec![
                ("ThingName", Value::string("t")),
                ("Flag", Value::Raw(json!({"a": 1}))),
            ]),
            "Flag",
            "cannot carry an object",
        ),
        (
            structure(vec![
                ("ThingName", Value::string("t")),
                ("Labels", Value::List(vec![Value::string("a\r\nX-Evil: 1")])),
            ]),
            "Labels[0]",
            "control characters",
        ),
        (
            structure(vec![
                ("ThingName", Value::string("t")),
                (
                    "Labels",
                    Value::List(vec![Value::string("a"), Value::string("\tb")]),
                ),
            ]),
            "Labels[1]",
            "whitespace at the start or end",
        ),
        (
            structure(vec![
                ("ThingName", Value::string("t")),
                (
                    "Meta",
                    Value::Map(
                        [("k".to_string(), Value::string("v\u{3000}"))]
                            .into_iter()
                            .collect(),
                    ),
                ),
            ]),
            "Meta{k}",
            "whitespace at the start or end",
        ),
        (
            structure(vec![
                ("ThingName", Value::string("t")),
                ("Tags", Value::List(vec![Value::string("a".repeat(65_536))])),
            ]),
            "",
            "the request target (path and query) would be",
        ),
        (
            structure(vec![
                ("ThingName", Value::string("t")),
                ("Limit", Value::Null),
            ]),
            "Limit",
            "cannot carry null",
        ),
    ];
    for (input, at, why_part) in cases {
        match rest().encode(&s, op, &input) {
            Err(EncodeError::CannotCarry { path, why }) => {
                assert_eq!(path.to_string(), at);
                assert!(why.contains(why_part), "{why}");
            }
            other => panic!("{at}: expected CannotCarry, got {other:?}"),
        }
    }
    // Wrong types a location can carry go out as they are.
    let r = rest()
        .encode(
            &s,
            op,
            &structure(vec![
                ("ThingName", Value::Raw(json!(12))),
                ("Limit", Value::string("many")),
                ("Count", Value::Raw(json!("two"))),
            ]),
        )
        .unwrap();
    assert!(r.path.starts_with("/things/12?limit=many"), "{}", r.path);
    assert_eq!(body_json(&r.body)["Count"], json!("two"));
    assert!(matches!(
        rest().encode(&s, op, &Value::string("x")),
        Err(EncodeError::Input(_))
    ));
}

#[test]
fn host_prefixes_take_host_labels() {
    let mut s = rest_service();
    let op = s.operations.get_mut("GetThing").unwrap();
    op.host_prefix = Some("{ThingName}.data-".into());
    let op = s.operations["GetThing"].clone();
    let r = rest()
        .encode(
            &s,
            &op,
            &structure(vec![("ThingName", Value::string("t-1"))]),
        )
        .unwrap();
    assert_eq!(r.host_prefix.as_deref(), Some("t-1.data-"));
    assert!(matches!(
        rest().encode(
            &s,
            &op,
            &structure(vec![("ThingName", Value::string("a_b"))])
        ),
        Err(EncodeError::CannotCarry { .. })
    ));
}

#[test]
fn aws_json_posts_every_member_to_the_root_with_the_target() {
    let s = json_service();
    let op = &s.operations["CreateTable"];
    let input = structure(vec![
        ("TableName", Value::string("t")),
        (
            "KeySchema",
            Value::List(vec![structure(vec![
                ("AttributeName", Value::string("id")),
                ("Weight", Value::Integer(i64::MAX)),
            ])]),
        ),
        ("Ratio", Value::Float(f64::NAN)),
        (
            "Created",
            Value::Timestamp(Timestamp {
                epoch_millis: 1_500,
            }),
        ),
        ("ClientRequestToken", Value::string("tok")),
    ]);
    let r = aws_json().encode(&s, op, &input).unwrap();
    assert_eq!((r.method.as_str(), r.path.as_str()), ("POST", "/"));
    assert_eq!(r.header("x-amz-target"), Some("MailService.CreateTable"));
    assert_eq!(r.header("content-type"), Some("application/x-amz-json-1.1"));
    assert_eq!(
        body_json(&r.body),
        json!({"TableName": "t", "KeySchema": [{"AttributeName": "id", "Weight": 9223372036854775807_i64}],
               "Ratio": "NaN", "Created": 1.5, "ClientRequestToken": "tok"})
    );
    let empty = aws_json()
        .encode(&s, &s.operations["ListTables"], &Value::structure())
        .unwrap();
    assert_eq!(empty.body, b"{}");
    let mut compatible = s.clone();
    compatible.query_compatible = true;
    let r = aws_json().encode(&compatible, op, &input).unwrap();
    assert_eq!(r.header("x-amzn-query-mode"), Some("true"));
}

#[test]
fn absent_idempotency_tokens_are_filled_in() {
    let s = json_service();
    let r = aws_json()
        .encode(
            &s,
            &s.operations["CreateTable"],
            &structure(vec![("TableName", Value::string("t"))]),
        )
        .unwrap();
    let token = body_json(&r.body)["ClientRequestToken"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(token.len(), 36);
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

#[test]
fn rest_json_errors_come_from_the_header_then_code_then_type() {
    let s = rest_service();
    let e = rest()
        .decode_error(
            &s,
            &response(
                400,
                &[(
                    "X-Amzn-ErrorType",
                    "SerializationException:http://internal.amazon.com/coral/com.amazon.coral.service/",
                )],
                r#"{"code":"Other","__type":"Third","message":"bad"}"#,
            ),
        )
        .unwrap();
    assert_eq!(e.code, "SerializationException");
    assert_eq!(e.found_in, ErrorSource::Header);
    assert_eq!(e.message.as_deref(), Some("bad"));
    let e = rest()
        .decode_error(
            &s,
            &response(
                404,
                &[],
                r#"{"code":"aws#ThingNotFoundException","Message":"m"}"#,
            ),
        )
        .unwrap();
    assert_eq!(
        (e.code.as_str(), e.found_in, e.message.as_deref()),
        (
            "ThingNotFoundException",
            ErrorSource::Body("code"),
            Some("m")
        )
    );
    let e = rest()
        .decode_error(
            &s,
            &response(400, &[], r#"{"__type":"x#Third","errorMessage":"em"}"#),
        )
        .unwrap();
    assert_eq!(
        (e.code.as_str(), e.found_in, e.message.as_deref()),
        ("Third", ErrorSource::Body("__type"), Some("em"))
    );
    assert_eq!(
        rest().decode_error(&s, &response(200, &[("x-amzn-errortype", "Nope")], "{}")),
        None
    );
    assert_eq!(
        rest().decode_error(&s, &response(502, &[], "<html>Bad Gateway</html>")),
        None
    );
}

#[test]
fn aws_json_errors_come_from_the_type_then_the_header_then_code() {
    let s = json_service();
    let e = aws_json()
        .decode_error(
            &s,
            &response(
                400,
                &[("x-amzn-errortype", "HeaderError")],
                r#"{"__type":"com.amazon.coral.service#SerializationException","Message":"m"}"#,
            ),
        )
        .unwrap();
    assert_eq!(e.code, "SerializationException");
    assert_eq!(
        e.raw_code,
        "com.amazon.coral.service#SerializationException"
    );
    assert_eq!(e.found_in, ErrorSource::Body("__type"));
    assert_eq!(e.message.as_deref(), Some("m"));
    let e = aws_json()
        .decode_error(
            &s,
            &response(400, &[("x-amzn-errortype", "HeaderError")], "not json"),
        )
        .unwrap();
    assert_eq!(
        (e.code.as_str(), e.found_in),
        ("HeaderError", ErrorSource::Header)
    );
    let e = aws_json()
        .decode_error(&s, &response(400, &[], r#"{"code":"CodeError"}"#))
        .unwrap();
    assert_eq!(
        (e.code.as_str(), e.found_in),
        ("CodeError", ErrorSource::Body("code"))
    );
    let mut compatible = s.clone();
    compatible.query_compatible = true;
    let e = aws_json()
        .decode_error(
            &compatible,
            &response(
                400,
                &[(
                    "x-amzn-query-error",
                    "AWS.SimpleQueueService.NonExistentQueue;Sender",
                )],
                r#"{"__type":"com.amazonaws.sqs#QueueDoesNotExist"}"#,
            ),
        )
        .unwrap();
    assert_eq!(
        (e.code.as_str(), e.found_in),
        (
            "AWS.SimpleQueueService.NonExistentQueue",
            ErrorSource::QueryErrorHeader
        )
    );
}

/// On an awsQuery-compatible JSON service (SQS), a declared error whose `awsQueryError` code differs from its shape
/// name is expected under the name the decoder gives the answer that carries the code: otherwise AWS's own answer
/// would be an "undeclared error type".
#[test]
fn query_compatible_declared_errors_are_named_as_decoded() {
    let mut s = json_service();
    s.query_compatible = true;
    let string = s.shape_named("String").map(|(id, _)| id).unwrap();
    let mut shape = Shape::new(
        "QueueDoesNotExist",
        ShapeKind::Structure(vec![Member::new("message", string)]),
    );
    shape.error = Some(ErrorTrait {
        code: Some("AWS.SimpleQueueService.NonExistentQueue".into()),
        status: None,
        fault: Fault::Client,
        retryable: false,
        throttling: false,
    });
    let missing = s.add_shape(shape);
    s.operations
        .get_mut("ListTables")
        .unwrap()
        .errors
        .push(missing);
    let declared = crate::oracle::declared_errors(&s, &s.operations["ListTables"]);
    let decoded = aws_json()
        .decode_error(
            &s,
            &response(
                400,
                &[(
                    "x-amzn-query-error",
                    "AWS.SimpleQueueService.NonExistentQueue;Sender",
                )],
                r#"{"__type":"com.amazonaws.sqs#QueueDoesNotExist"}"#,
            ),
        )
        .unwrap();
    assert_eq!(decoded.code, "QueueDoesNotExist");
    assert!(
        declared
            .iter()
            .any(|o| o.error_type.as_deref() == Some(decoded.code.as_str())),
        "{declared:?}"
    );
}

#[test]
fn errors_encode_so_that_they_decode_with_their_message() {
    for (s, protocol, code, raw_header) in [
        (
            rest_service(),
            rest(),
            "com.amazon.coral.service#SerializationException",
            Some(
                "SerializationException:http://internal.amazon.com/coral/com.amazon.coral.service/",
            ),
        ),
        (
            rest_service(),
            rest(),
            "ThingNotFoundException",
            Some("ThingNotFoundException"),
        ),
        (json_service(), aws_json(), "EntityNotFoundException", None),
        (
            json_service(),
            aws_json(),
            "com.amazon.coral.service#UnknownOperationException",
            None,
        ),
    ] {
        let r = protocol.encode_error(&s, 400, code, "it failed", &Value::structure());
        assert_eq!(r.header("x-amzn-errortype"), raw_header);
        assert_eq!(r.header("content-type"), Some(protocol.content_type()));
        let e = protocol.decode_error(&s, &r).unwrap();
        assert_eq!(e.code, normalise_error_code(code));
        assert_eq!(e.message.as_deref(), Some("it failed"));
        let body = body_json(&r.body);
        // The embedded target writes `message` (as the seed services' snapshots pin), whatever the error shape
        // calls it; clients read `message` and `Message` alike.
        assert_eq!(body["message"], json!("it failed"), "{body}");
    }
    let s = rest_service();
    let r = rest().encode_error(
        &s,
        400,
        "ValidationException",
        "1 validation error detected",
        &structure(vec![("reason", Value::string("fieldValidationFailed"))]),
    );
    assert_eq!(
        body_json(&r.body),
        json!({"message": "1 validation error detected", "reason": "fieldValidationFailed"})
    );
}

#[test]
fn rest_json_routes_by_method_template_and_static_query_most_specific_first() {
    let s = rest_service();
    let request = |method: &str, path: &str| HttpRequest {
        method: method.into(),
        path: path.into(),
        ..HttpRequest::default()
    };
    let routed = |method, path| {
        rest()
            .route(&s, &request(method, path))
            .map(|op| op.name.clone())
    };
    assert_eq!(routed("GET", "/things/special").unwrap(), "GetSpecialThing");
    assert_eq!(routed("GET", "/things/other").unwrap(), "GetThing");
    assert_eq!(routed("GET", "/things").unwrap(), "ListThings");
    assert_eq!(
        routed("POST", "/things?mode=import").unwrap(),
        "ImportThing"
    );
    assert_eq!(routed("POST", "/things/x?tag=1").unwrap(), "CreateThing");
    assert_eq!(
        routed("GET", "/objects/a/b/c/content").unwrap(),
        "GetObject"
    );
    let fault = routed("POST", "/things").unwrap_err();
    assert_eq!(
        (fault.status, fault.code.as_str()),
        (404, "UnknownOperationException")
    );
    assert!(routed("DELETE", "/things/x").is_err());
}

/// encode → route → decode_input gives the input back (with its idempotency token filled).
fn round_trip(s: &Service, protocol: &dyn Protocol, op_name: &str, input: Value) {
    let op = &s.operations[op_name];
    let request = protocol.encode(s, op, &input).unwrap();
    let routed = protocol.route(s, &request).unwrap();
    assert_eq!(routed.name, op_name, "{request:?}");
    let decoded = protocol.decode_input(s, routed, &request).unwrap();
    let mut expected = input;
    let token = decoded
        .get("ClientToken")
        .or(decoded.get("ClientRequestToken"))
        .cloned();
    if let (Some(token), Some(map)) = (token, expected.as_structure_mut()) {
        for name in ["ClientToken", "ClientRequestToken"] {
            if s.input_members(op).iter().any(|m| m.name == name) {
                map.entry(name.to_string()).or_insert(token.clone());
            }
        }
    }
    assert_eq!(decoded, expected, "{request:?}");
}

#[test]
fn server_round_trips_give_the_input_back() {
    let s = rest_service();
    let mut input = create_thing_input();
    // Header timestamps carry whole seconds only.
    input.as_structure_mut().unwrap().insert(
        "When".into(),
        Value::Timestamp(Timestamp::from_secs(1_577_934_245)),
    );
    input.as_structure_mut().unwrap().insert(
        "Meta".into(),
        Value::Map([("owner".to_string(), Value::string("me"))].into()),
    );
    round_trip(&s, rest(), "CreateThing", input);
    round_trip(
        &s,
        rest(),
        "GetObject",
        structure(vec![("Key", Value::string("a/b c/ü"))]),
    );
    round_trip(
        &s,
        rest(),
        "ListThings",
        structure(vec![
            ("MaxResults", Value::Integer(3)),
            (
                "Filters",
                Value::Map([("k".to_string(), Value::string("v w"))].into()),
            ),
        ]),
    );
    round_trip(
        &s,
        rest(),
        "ImportThing",
        structure(vec![(
            "Document",
            structure(vec![("Name", Value::string("n"))]),
        )]),
    );
    let j = json_service();
    round_trip(
        &j,
        aws_json(),
        "CreateTable",
        structure(vec![
            ("TableName", Value::string("t")),
            (
                "KeySchema",
                Value::List(vec![structure(vec![(
                    "AttributeName",
                    Value::string("id"),
                )])]),
            ),
            ("Capacity", Value::Integer(-5)),
            ("Ratio", Value::Float(f64::INFINITY)),
            ("Enabled", Value::Boolean(false)),
            ("Created", Value::Timestamp(Timestamp { epoch_millis: 7 })),
            ("Secret", Value::Blob(vec![0, 1, 2, 255])),
            (
                "Tags",
                Value::Map([("k".to_string(), Value::string("v"))].into()),
            ),
        ]),
    );
    round_trip(&j, aws_json(), "ListTables", Value::structure());
}

#[test]
fn wrong_types_at_any_depth_are_serialization_exceptions() {
    let j = json_service();
    let op = &j.operations["CreateTable"];
    for input in [
        structure(vec![("TableName", Value::Raw(json!(5)))]),
        structure(vec![("KeySchema", Value::Raw(json!("not a list")))]),
        structure(vec![(
            "KeySchema",
            Value::List(vec![structure(vec![(
                "AttributeName",
                Value::Raw(json!(true)),
            )])]),
        )]),
        structure(vec![("Capacity", Value::Raw(json!("12")))]),
        structure(vec![("Capacity", Value::Raw(json!(1.5)))]),
        structure(vec![("Secret", Value::Raw(json!("***")))]),
        structure(vec![("Created", Value::Raw(json!("yesterday")))]),
    ] {
        let request = aws_json().encode(&j, op, &input).unwrap();
        let routed = aws_json().route(&j, &request).unwrap();
        let fault = aws_json().decode_input(&j, routed, &request).unwrap_err();
        assert_eq!(
            (fault.status, fault.code.as_str()),
            (400, "SerializationException"),
            "{input}"
        );
    }
    let s = rest_service();
    let op = &s.operations["CreateThing"];
    for input in [
        structure(vec![
            ("ThingName", Value::string("t")),
            ("Limit", Value::string("many")),
        ]),
        structure(vec![
            ("ThingName", Value::string("t")),
            ("Flag", Value::string("yes")),
        ]),
        structure(vec![
            ("ThingName", Value::string("t")),
            ("Count", Value::Raw(json!([1]))),
        ]),
    ] {
        let request = rest().encode(&s, op, &input).unwrap();
        let routed = rest().route(&s, &request).unwrap();
        let fault = rest().decode_input(&s, routed, &request).unwrap_err();
        assert_eq!(
            (fault.status, fault.code.as_str()),
            (400, "SerializationException"),
            "{input}: {fault:?}"
        );
    }
}

#[test]
fn aws_json_server_checks_the_body_before_the_target() {
    let j = json_service();
    let good = aws_json()
        .encode(&j, &j.operations["ListTables"], &Value::structure())
        .unwrap();
    // The embedded target asks for the Content-Type, then the body, then the route.
    let mut not_json = good.clone();
    not_json.body = b"this is not JSON".to_vec();
    not_json.remove_header("x-amz-target");
    let fault = aws_json().check_body(&not_json).unwrap_err();
    assert_eq!(fault.code, "SerializationException");
    assert_eq!(fault.message, "The request body is not valid JSON");
    let mut array = good.clone();
    array.body = b"[{}]".to_vec();
    assert_eq!(
        aws_json().check_body(&array).unwrap_err().message,
        "Start of structure or map expected, found an array"
    );
    assert_eq!(aws_json().check_body(&good), Ok(()));
    let mut no_target = good.clone();
    no_target.remove_header("x-amz-target");
    assert_eq!(
        aws_json().route(&j, &no_target).unwrap_err().code,
        "UnknownOperationException"
    );
    let mut unknown = good.clone();
    unknown.set_header("x-amz-target", "MailService.Nope");
    assert_eq!(aws_json().route(&j, &unknown).unwrap_err().status, 400);
    assert!(!aws_json().accepts_content_type(Some("text/plain")));
    assert!(!aws_json().accepts_content_type(None));
    assert!(aws_json().accepts_content_type(Some("application/x-amz-json-1.1; charset=utf-8")));
    assert!(rest().accepts_content_type(None));
    assert!(!rest().accepts_content_type(Some("text/plain")));
}

#[test]
fn outputs_round_trip_through_the_server_encoder_and_the_client_decoder() {
    let s = rest_service();
    let op = &s.operations["CreateThing"];
    let output = structure(vec![
        ("Status", Value::Integer(201)),
        ("RequestId", Value::string("r-1")),
        ("Size", Value::Integer(1 << 40)),
        ("Arn", Value::string("arn:x")),
    ]);
    let response = rest().encode_output(&s, op, &output);
    assert_eq!(response.status, 201);
    assert_eq!(body_json(&response.body), json!({"Arn": "arn:x"}));
    let decoded = rest().decode_output(&s, op, &response);
    assert_eq!(decoded.problems, vec![]);
    assert_eq!(decoded.value, output);

    let get = &s.operations["GetObject"];
    let output = structure(vec![
        ("Body", Value::Blob(vec![1, 2, 3])),
        ("ContentType", Value::string("image/png")),
    ]);
    let response = rest().encode_output(&s, get, &output);
    assert_eq!(response.body, vec![1, 2, 3]);
    assert_eq!(response.header("content-type"), Some("image/png"));
    assert_eq!(rest().decode_output(&s, get, &response).value, output);

    let j = json_service();
    let op = &j.operations["CreateTable"];
    let output = structure(vec![
        ("TableArn", Value::string("arn")),
        ("Items", Value::Integer(3)),
    ]);
    let response = aws_json().encode_output(&j, op, &output);
    let decoded = aws_json().decode_output(&j, op, &response);
    assert_eq!((decoded.value, decoded.problems), (output, vec![]));
}

#[test]
fn output_problems_name_the_member_and_garbage_bodies_do_not_panic() {
    let s = rest_service();
    let op = &s.operations["CreateThing"];
    let decoded = rest().decode_output(
        &s,
        op,
        &response(200, &[("x-size", "big")], r#"{"Arn": 5, "Extra": true}"#),
    );
    let shown: Vec<String> = decoded
        .problems
        .iter()
        .map(|p| format!("{}: {}", p.path, p.problem))
        .collect();
    assert_eq!(
        shown,
        vec![
            "Size: header `X-Size`: `big` is not an integer (long)",
            "Arn: expected a string, found a number",
            "Extra: unexpected member",
        ]
    );
    let j = json_service();
    for body in [
        "",
        "{",
        "[1]",
        "null",
        "\u{0}",
        "{\"TableArn\": {\"deep\": [[[[]]]]}}",
    ] {
        let decoded =
            aws_json().decode_output(&j, &j.operations["CreateTable"], &response(200, &[], body));
        assert!(body.is_empty() || !decoded.problems.is_empty(), "{body}");
    }
    let deep = "[".repeat(100_000);
    let decoded =
        aws_json().decode_output(&j, &j.operations["CreateTable"], &response(200, &[], &deep));
    assert_eq!(decoded.problems.len(), 1);
}

#[test]
fn required_output_members_are_judged_only_for_operations_the_spec_files_describe() {
    let mut j = json_service();
    let arn = Path::members(["TableArn"]);
    let output_id = j.operations["CreateTable"].output.unwrap();
    if let ShapeKind::Structure(members) = &mut j.shapes[output_id.index()].kind {
        members[0].required = true;
    }
    let empty = response(200, &[], "{}");
    let imported = aws_json().decode_output(&j, &j.operations["CreateTable"], &empty);
    assert_eq!(imported.problems, vec![]);
    j.operations.get_mut("CreateTable").unwrap().rules.role = Role::Seed;
    let seed = aws_json().decode_output(&j, &j.operations["CreateTable"], &empty);
    assert_eq!(seed.problems.len(), 1);
    assert_eq!(seed.problems[0].path, arn);
}

/// `malform` decides whether a class applies without listing the malformations (it runs once per malformed case);
/// the two must agree on every operation, class by class.
#[test]
fn malform_applies_exactly_the_listed_classes() {
    let classes = [
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
        "target-missing",
        "target-unknown",
        "parse-before-auth",
        "method-wrong",
        "path-unknown",
        "no-such-class",
    ];
    let services: [(Service, &dyn Protocol); 2] =
        [(json_service(), aws_json()), (rest_service(), rest())];
    let mut checked = 0;
    for (service, protocol) in &services {
        for op in service.operations.values() {
            let listed: Vec<&str> = protocol
                .malformations(service, op)
                .iter()
                .map(|m| m.class)
                .collect();
            let Ok(valid) = protocol.encode(service, op, &Value::structure()) else {
                continue;
            };
            for class in classes {
                assert_eq!(
                    protocol.malform(service, op, class, &valid).is_some(),
                    listed.contains(&class),
                    "{} {class}",
                    op.name
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 4, "only {checked} operations encoded");
}

#[test]
fn malformations_offer_the_classes_that_apply_and_apply_them() {
    let j = json_service();
    let op = &j.operations["CreateTable"];
    let classes: Vec<&str> = aws_json()
        .malformations(&j, op)
        .iter()
        .map(|m| m.class)
        .collect();
    assert_eq!(
        classes,
        vec![
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
            "target-missing",
            "target-unknown",
            "parse-before-auth",
        ]
    );
    let valid = aws_json()
        .encode(&j, op, &structure(vec![("TableName", Value::string("t"))]))
        .unwrap();
    for m in aws_json().malformations(&j, op) {
        let bad = aws_json().malform(&j, op, m.class, &valid).unwrap();
        assert_ne!(bad, valid, "{}", m.class);
        assert!(!m.expect.source.is_empty());
        assert!(
            m.expect.uncertain.is_some()
                || !m.expect.accept.is_empty()
                || m.expect.also != crate::protocol::Also::Nothing
        );
    }
    let large = aws_json()
        .malform(&j, op, "body-too-large", &valid)
        .unwrap();
    assert_eq!(large.body.len(), TOO_LARGE_BYTES);
    let padded = body_json(&large.body);
    assert_eq!(padded["TableName"], json!("t"));
    let filler = padded[UNKNOWN_MEMBER].as_str().unwrap();
    assert!(filler.len() > 1024 * 1023, "{}", filler.len());
    assert!(filler.bytes().all(|b| b == b'x'), "{:?}", &filler[..20]);
    let unknown = aws_json()
        .malform(&j, op, "unknown-member", &valid)
        .unwrap();
    assert_eq!(body_json(&unknown.body)[UNKNOWN_MEMBER], json!("ignored"));
    assert_eq!(aws_json().malform(&j, op, "method-wrong", &valid), None);

    // restJson1: an operation with nothing in the body gets the routing classes only.
    let s = rest_service();
    let list = &s.operations["ListThings"];
    let classes: Vec<&str> = rest()
        .malformations(&s, list)
        .iter()
        .map(|m| m.class)
        .collect();
    assert_eq!(classes, vec!["method-wrong", "path-unknown"]);
    let valid = rest().encode(&s, list, &Value::structure()).unwrap();
    let wrong = rest().malform(&s, list, "method-wrong", &valid).unwrap();
    assert!(rest().route(&s, &wrong).is_err(), "{wrong:?}");
    let unknown = rest().malform(&s, list, "path-unknown", &valid).unwrap();
    assert!(rest().route(&s, &unknown).is_err());
    assert_eq!(rest().malform(&s, list, "body-not-json", &valid), None);
    let create = &s.operations["CreateThing"];
    assert!(
        rest()
            .malformations(&s, create)
            .iter()
            .any(|m| m.class == "body-not-json" && m.expect.uncertain.is_some())
    );
    let fixed = aws_json()
        .malformations(&j, op)
        .into_iter()
        .find(|m| m.class == "target-unknown")
        .unwrap();
    assert_eq!(
        fixed.expect.accept,
        vec![(400, Some("UnknownOperationException"))]
    );
    assert!(fixed.expect.uncertain.is_none() && fixed.expect.certainly_fails);
}

#[test]
fn paths_in_problems_use_member_names_and_indices() {
    let j = json_service();
    let op = &j.operations["CreateTable"];
    let request = aws_json()
        .encode(
            &j,
            op,
            &structure(vec![(
                "KeySchema",
                Value::List(vec![structure(vec![("Weight", Value::Raw(json!("x")))])]),
            )]),
        )
        .unwrap();
    let fault = aws_json().decode_input(&j, op, &request).unwrap_err();
    assert!(
        fault.message.contains("KeySchema[0].Weight"),
        "{}",
        fault.message
    );
}
