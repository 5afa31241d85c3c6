//! rpcv2Cbor on a small hand-written model: the exact request, round trips through the server side, errors, and
//! every malformation applied and refused by the server side as its expectation says.

use ciborium::value::Value as Cbor;

use super::*;
use crate::model::{ErrorTrait, Fault, Member, Shape, ShapeKind, Timestamp};
use crate::protocol::HttpResponse;

fn structure(members: Vec<(&str, Value)>) -> Value {
    Value::Structure(
        members
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

/// A CBOR service with one operation taking a member of every kind, one without input or output, and an error.
fn service() -> Service {
    let mut s = Service::new("things", ProtocolId::RpcV2Cbor);
    s.target_prefix = Some("ThingsService_20200102".into());
    let string = s.add_shape(Shape::new("String", ShapeKind::String));
    let int = s.add_shape(Shape::new("Integer", ShapeKind::Integer));
    let long = s.add_shape(Shape::new("Long", ShapeKind::Long));
    let float = s.add_shape(Shape::new("Float", ShapeKind::Float));
    let double = s.add_shape(Shape::new("Double", ShapeKind::Double));
    let boolean = s.add_shape(Shape::new("Boolean", ShapeKind::Boolean));
    let timestamp = s.add_shape(Shape::new("Timestamp", ShapeKind::Timestamp));
    let blob = s.add_shape(Shape::new("Blob", ShapeKind::Blob));
    let strings = s.add_shape(Shape::new(
        "Strings",
        ShapeKind::List(Box::new(Member::new("member", string))),
    ));
    let times = s.add_shape(Shape::new(
        "Times",
        ShapeKind::Map {
            key: Box::new(Member::new("key", string)),
            value: Box::new(Member::new("value", timestamp)),
        },
    ));
    let choice = s.add_shape(Shape::new(
        "Choice",
        ShapeKind::Union(vec![Member::new("A", string), Member::new("B", int)]),
    ));
    let mut name = Member::new("Name", string);
    name.required = true;
    let mut token = Member::new("ClientToken", string);
    token.idempotency_token = true;
    let input = s.add_shape(Shape::new(
        "PutThingInput",
        ShapeKind::Structure(vec![
            name,
            Member::new("Count", int),
            Member::new("Big", long),
            Member::new("Ratio", float),
            Member::new("Precise", double),
            Member::new("Flag", boolean),
            Member::new("When", timestamp),
            Member::new("Data", blob),
            Member::new("Tags", strings),
            Member::new("Times", times),
            Member::new("Choice", choice),
            token,
        ]),
    ));
    let output = s.add_shape(Shape::new(
        "PutThingOutput",
        ShapeKind::Structure(vec![
            Member::new("Id", string),
            Member::new("Created", timestamp),
            Member::new("Data", blob),
            Member::new("Choice", choice),
        ]),
    ));
    let mut error = Shape::new(
        "ThingNotFoundException",
        ShapeKind::Structure(vec![Member::new("message", string)]),
    );
    error.error = Some(ErrorTrait {
        code: Some("ThingNotFound".into()),
        status: Some(404),
        fault: Fault::Client,
        retryable: false,
        throttling: false,
    });
    let error = s.add_shape(error);
    let mut put = Operation::new("PutThing");
    put.input = Some(input);
    put.output = Some(output);
    put.errors = vec![error];
    s.operations.insert("PutThing".into(), put);
    s.operations.insert("Ping".into(), Operation::new("Ping"));
    s
}

fn put_input() -> Value {
    structure(vec![
        ("Name", Value::string("a\"é😀")),
        ("Count", Value::Integer(-3)),
        ("Big", Value::Integer(i64::MAX)),
        ("Ratio", Value::Float(1.5)),
        ("Precise", Value::Float(0.1)),
        ("Flag", Value::Boolean(true)),
        (
            "When",
            Value::Timestamp(Timestamp {
                epoch_millis: 1_577_934_245_250,
            }),
        ),
        ("Data", Value::Blob(vec![0, 255, 7])),
        ("Tags", Value::List(vec![Value::string("x")])),
        (
            "Times",
            Value::Map([("k".to_string(), Value::Timestamp(Timestamp::from_secs(5)))].into()),
        ),
        ("Choice", structure(vec![("B", Value::Integer(2))])),
        ("ClientToken", Value::string("token-1")),
    ])
}

fn text(s: &str) -> Cbor {
    Cbor::Text(s.into())
}

fn decoded(body: &[u8]) -> Cbor {
    cbor::parse_body(body).unwrap().unwrap()
}

#[test]
fn requests_are_what_botocore_sends() {
    let s = service();
    let r = RpcV2Cbor
        .encode(&s, &s.operations["PutThing"], &put_input())
        .unwrap();
    assert_eq!(r.method, "POST");
    assert_eq!(r.path, "/service/ThingsService_20200102/operation/PutThing");
    assert_eq!(r.header("smithy-protocol"), Some("rpc-v2-cbor"));
    assert_eq!(r.header("accept"), Some("application/cbor"));
    assert_eq!(r.header("content-type"), Some("application/cbor"));
    assert_eq!(r.header("x-amz-target"), None);
    let expected = Cbor::Map(vec![
        (text("Name"), text("a\"é😀")),
        (text("Count"), Cbor::Integer((-3).into())),
        (text("Big"), Cbor::Integer(i64::MAX.into())),
        (text("Ratio"), Cbor::Float(1.5)),
        (text("Precise"), Cbor::Float(0.1)),
        (text("Flag"), Cbor::Bool(true)),
        (
            text("When"),
            Cbor::Tag(1, Box::new(Cbor::Float(1_577_934_245.25))),
        ),
        (text("Data"), Cbor::Bytes(vec![0, 255, 7])),
        (text("Tags"), Cbor::Array(vec![text("x")])),
        (
            text("Times"),
            Cbor::Map(vec![(
                text("k"),
                Cbor::Tag(1, Box::new(Cbor::Integer(5.into()))),
            )]),
        ),
        (
            text("Choice"),
            Cbor::Map(vec![(text("B"), Cbor::Integer(2.into()))]),
        ),
        (text("ClientToken"), text("token-1")),
    ]);
    assert_eq!(decoded(&r.body), expected);
    // Whole-second timestamps are integers under tag 1 (`c1 05`), as botocore writes them.
    assert!(r.body.windows(2).any(|w| w == [0xc1, 0x05]));
}

#[test]
fn an_operation_without_input_sends_no_body_and_no_content_type() {
    let s = service();
    let r = RpcV2Cbor
        .encode(&s, &s.operations["Ping"], &Value::structure())
        .unwrap();
    assert!(r.body.is_empty());
    assert_eq!(r.header("content-type"), None);
    assert_eq!(r.header("accept"), Some("application/cbor"));
    assert_eq!(r.path, "/service/ThingsService_20200102/operation/Ping");
}

#[test]
fn nulls_are_left_out_and_floats_are_sent_as_botocore_rounds_them() {
    let s = service();
    let input = structure(vec![
        ("Name", Value::string("n")),
        ("Count", Value::Null),
        ("Ratio", Value::Float(0.1)),
    ]);
    let r = RpcV2Cbor
        .encode(&s, &s.operations["PutThing"], &input)
        .unwrap();
    let Cbor::Map(entries) = decoded(&r.body) else {
        panic!("not a map")
    };
    assert!(cbor::get(&entries, "Count").is_none());
    // A `float` member is packed into 32 bits by botocore: the nearest single.
    assert_eq!(
        cbor::get(&entries, "Ratio"),
        Some(&Cbor::Float(f64::from(0.1f32)))
    );
}

#[test]
fn floats_are_written_in_botocores_widths() {
    // A `float` member in 32 bits even where 16 would hold it (1.5), a double in 64, NaN and the infinities in 16,
    // as botocore's CBORSerializer writes them; ciborium alone would write 1.5 in 16 bits.
    let body = |f: Cbor| cbor::to_bytes(&Cbor::Array(vec![f]));
    assert_eq!(
        body(cbor::single(1.5)),
        [0x81, 0xfa, 0x3f, 0xc0, 0x00, 0x00]
    );
    let mut double = vec![0x81, 0xfb];
    double.extend(1.5f64.to_be_bytes());
    assert_eq!(body(Cbor::Float(1.5)), double);
    assert_eq!(body(Cbor::Float(f64::NAN)), [0x81, 0xf9, 0x7e, 0x00]);
    assert_eq!(body(Cbor::Float(f64::INFINITY)), [0x81, 0xf9, 0x7c, 0x00]);
    assert_eq!(
        body(cbor::single(f32::NEG_INFINITY)),
        [0x81, 0xf9, 0xfc, 0x00]
    );
    // A timestamp with milliseconds: tag 1 over a double.
    let stamp = cbor::to_bytes(&cbor::timestamp_cbor(Timestamp { epoch_millis: 1500 }));
    assert_eq!(stamp[..2], [0xc1, 0xfb]);
    // Everything else as ciborium writes it: the same bytes.
    let other = Cbor::Map(vec![
        (Cbor::Text("a".into()), Cbor::Integer((-300).into())),
        (Cbor::Text("b".into()), Cbor::Bytes(vec![1, 2])),
        (
            Cbor::Text("c".into()),
            Cbor::Tag(1, Box::new(Cbor::Integer(7.into()))),
        ),
        (
            Cbor::Text("d".into()),
            Cbor::Array(vec![Cbor::Bool(true), Cbor::Null]),
        ),
    ]);
    let mut theirs = Vec::new();
    ciborium::ser::into_writer(&other, &mut theirs).unwrap();
    assert_eq!(cbor::to_bytes(&other), theirs);
    // The encoder's `float` members go out in 32 bits.
    let s = service();
    let input = structure(vec![
        ("Name", Value::string("n")),
        ("Ratio", Value::Float(1.5)),
    ]);
    let r = RpcV2Cbor
        .encode(&s, &s.operations["PutThing"], &input)
        .unwrap();
    assert!(
        r.body
            .windows(5)
            .any(|w| w == [0xfa, 0x3f, 0xc0, 0x00, 0x00]),
        "{:02x?}",
        r.body
    );
}

#[test]
fn the_server_side_reads_back_what_the_client_sends() {
    let s = service();
    let op = &s.operations["PutThing"];
    let input = put_input();
    let request = RpcV2Cbor.encode(&s, op, &input).unwrap();
    assert_eq!(RpcV2Cbor.check_body(&request), Ok(()));
    assert_eq!(RpcV2Cbor.route(&s, &request).unwrap().name, "PutThing");
    let back = RpcV2Cbor.decode_input(&s, op, &request).unwrap();
    let mut expected = input.clone();
    if let Value::Structure(m) = &mut expected {
        // `Ratio` is 1.5, exact in 32 bits.
        m.insert("Ratio".into(), Value::Float(1.5));
    }
    assert_eq!(back, expected);
    // An operation without input routes with no body and no Content-Type.
    let ping = RpcV2Cbor
        .encode(&s, &s.operations["Ping"], &Value::structure())
        .unwrap();
    assert!(RpcV2Cbor.accepts_content_type(ping.header("content-type")));
    assert_eq!(RpcV2Cbor.route(&s, &ping).unwrap().name, "Ping");
}

#[test]
fn outputs_round_trip_and_departures_are_problems() {
    let s = service();
    let op = &s.operations["PutThing"];
    let output = structure(vec![
        ("Id", Value::string("t-1")),
        ("Created", Value::Timestamp(Timestamp::from_secs(86_400))),
        ("Data", Value::Blob(b"hi".to_vec())),
        ("Choice", structure(vec![("A", Value::string("a"))])),
    ]);
    let response = RpcV2Cbor.encode_output(&s, op, &output);
    assert_eq!(response.header("content-type"), Some("application/cbor"));
    assert_eq!(response.header("smithy-protocol"), Some("rpc-v2-cbor"));
    let read = RpcV2Cbor.decode_output(&s, op, &response);
    assert_eq!(read.problems, vec![]);
    assert_eq!(read.value, output);

    let wrong = Cbor::Map(vec![
        (text("Id"), Cbor::Integer(5.into())),
        (text("Created"), Cbor::Integer(86_400.into())),
        (text("Data"), text("aGk=")),
        (
            text("Choice"),
            Cbor::Map(vec![
                (text("A"), text("a")),
                (text("B"), Cbor::Integer(1.into())),
            ]),
        ),
        (text("Extra"), Cbor::Bool(true)),
        (text("__type"), text("ignored")),
    ]);
    let response = HttpResponse {
        status: 200,
        headers: vec![],
        body: cbor::to_bytes(&wrong),
    };
    let shown: Vec<String> = RpcV2Cbor
        .decode_output(&s, op, &response)
        .problems
        .iter()
        .map(|p| format!("{}: {}", p.path, p.problem))
        .collect();
    assert_eq!(
        shown,
        vec![
            "Id: expected a text string, found an integer",
            "Created: expected a tag 1 epoch-seconds timestamp, found an integer",
            "Data: expected a byte string (blob), found a text string",
            "Choice: a union must have exactly one member set, found 2",
            "Extra: unexpected member",
        ]
    );
    for (body, problem) in [
        (vec![0xff, 0x00], "the body is not CBOR"),
        (
            cbor::to_bytes(&Cbor::Array(vec![])),
            "expected a CBOR map, found an array",
        ),
        (
            [0xa0, 0xa0].to_vec(),
            "1 byte(s) follow the first CBOR data item",
        ),
    ] {
        let response = HttpResponse {
            status: 200,
            headers: vec![],
            body,
        };
        let problems = RpcV2Cbor.decode_output(&s, op, &response).problems;
        assert_eq!(problems.len(), 1);
        assert!(problems[0].problem.contains(problem), "{problems:?}");
    }
    // No output: no body, no Content-Type; an empty body reads as no members.
    let ping = &s.operations["Ping"];
    let empty = RpcV2Cbor.encode_output(&s, ping, &Value::structure());
    assert!(empty.body.is_empty());
    assert_eq!(empty.header("content-type"), None);
    assert_eq!(RpcV2Cbor.success_content_type(&s, ping), None);
    assert_eq!(RpcV2Cbor.decode_output(&s, ping, &empty).problems, vec![]);
}

#[test]
fn floats_of_any_width_and_integers_for_floats_are_read() {
    let s = service();
    let op = &s.operations["PutThing"];
    // `Precise` as a half-precision float (f9 3e 00 = 1.5), `Ratio` as an integer, `Count` as a 64-bit integer.
    let body = [
        &[0xa3][..],
        &[0x67],
        b"Precise",
        &[0xf9, 0x3e, 0x00],
        &[0x65],
        b"Ratio",
        &[0x02],
        &[0x65],
        b"Count",
        &[0x1b, 0, 0, 0, 0, 0, 0, 0, 7],
    ]
    .concat();
    let request = HttpRequest {
        body,
        ..RpcV2Cbor.encode(&s, op, &put_input()).unwrap()
    };
    let read = RpcV2Cbor.decode_input(&s, op, &request).unwrap();
    assert_eq!(read.get("Precise"), Some(&Value::Float(1.5)));
    assert_eq!(read.get("Ratio"), Some(&Value::Float(2.0)));
    assert_eq!(read.get("Count"), Some(&Value::Integer(7)));
}

#[test]
fn errors_are_read_from_type_in_the_body_and_the_query_error_header() {
    let mut s = service();
    let response = RpcV2Cbor.encode_error(
        &s,
        404,
        "ThingNotFoundException",
        "no such thing",
        &Value::structure(),
    );
    assert_eq!(response.header("content-type"), Some("application/cbor"));
    assert_eq!(response.header("x-amzn-query-error"), None);
    let info = RpcV2Cbor.decode_error(&s, &response).unwrap();
    assert_eq!(info.code, "ThingNotFoundException");
    assert_eq!(info.message.as_deref(), Some("no such thing"));
    assert_eq!(info.found_in, ErrorSource::Body("__type"));
    let document = RpcV2Cbor.error_document(&response).unwrap();
    assert_eq!(document["__type"], "ThingNotFoundException");
    assert_eq!(document["message"], "no such thing");

    // A namespaced type is normalised; `code` alone is no type (the specification forbids using it).
    let body = Cbor::Map(vec![
        (text("__type"), text("com.example#ThingNotFoundException")),
        (text("Message"), text("m")),
    ]);
    let raw = HttpResponse {
        status: 400,
        headers: vec![],
        body: cbor::to_bytes(&body),
    };
    let info = RpcV2Cbor.decode_error(&s, &raw).unwrap();
    assert_eq!(info.code, "ThingNotFoundException");
    assert_eq!(info.message.as_deref(), Some("m"));
    let code_only = HttpResponse {
        status: 400,
        headers: vec![],
        body: cbor::to_bytes(&Cbor::Map(vec![(text("code"), text("X"))])),
    };
    assert_eq!(RpcV2Cbor.decode_error(&s, &code_only), None);
    assert_eq!(
        RpcV2Cbor.decode_error(
            &s,
            &HttpResponse {
                status: 500,
                headers: vec![],
                body: b"<html>".to_vec(),
            }
        ),
        None
    );

    // awsQuery-compatible: the header's query code comes first, named by its shape.
    s.query_compatible = true;
    let response =
        RpcV2Cbor.encode_error(&s, 404, "ThingNotFoundException", "m", &Value::structure());
    assert_eq!(
        response.header("x-amzn-query-error"),
        Some("ThingNotFound;Sender")
    );
    let info = RpcV2Cbor.decode_error(&s, &response).unwrap();
    assert_eq!(info.code, "ThingNotFoundException");
    assert_eq!(info.found_in, ErrorSource::QueryErrorHeader);
    let request = RpcV2Cbor
        .encode(&s, &s.operations["Ping"], &Value::structure())
        .unwrap();
    assert_eq!(request.header("x-amzn-query-mode"), Some("true"));
}

#[test]
fn the_error_type_can_be_moved_or_stripped_for_the_faults() {
    let s = service();
    let response = RpcV2Cbor.encode_error(&s, 400, "ValidationException", "m", &Value::structure());
    let moved = RpcV2Cbor.misplace_error_type(response.clone());
    assert_eq!(
        moved.header("x-amzn-errortype"),
        Some("ValidationException")
    );
    assert_eq!(RpcV2Cbor.decode_error(&s, &moved), None);
    let stripped = RpcV2Cbor.strip_error_type(response);
    assert_eq!(RpcV2Cbor.decode_error(&s, &stripped), None);
    assert!(RpcV2Cbor.error_document(&stripped).is_some());
}

#[test]
fn wrong_types_at_any_depth_are_serialization_exceptions() {
    let s = service();
    let op = &s.operations["PutThing"];
    for (member, value, path) in [
        ("Name", Cbor::Integer(42.into()), "Name"),
        ("Data", text("aGk="), "Data"),
        ("When", Cbor::Integer(5.into()), "When"),
        ("Tags", Cbor::Array(vec![Cbor::Bool(true)]), "Tags[0]"),
        ("Count", Cbor::Float(1.5), "Count"),
        ("Count", Cbor::Integer((1i64 << 40).into()), "Count"),
    ] {
        let body = Cbor::Map(vec![
            (text("Name"), text("n")),
            (text(member), value.clone()),
        ]);
        let request = HttpRequest {
            body: cbor::to_bytes(&body),
            ..RpcV2Cbor.encode(&s, op, &put_input()).unwrap()
        };
        let fault = RpcV2Cbor.decode_input(&s, op, &request).unwrap_err();
        assert_eq!(fault.status, 400);
        assert_eq!(fault.code, "SerializationException");
        assert!(fault.message.contains(&format!("'{path}'")), "{fault:?}");
        // Leniently, the value is kept raw for validation to judge.
        let lenient = RpcV2Cbor.decode_input_lenient(&s, op, &request).unwrap();
        assert!(matches!(
            lenient.get(member),
            Some(Value::Raw(_)) | Some(Value::List(_))
        ));
    }
}

#[test]
fn every_malformation_applies_and_the_server_side_answers_as_expected() {
    let s = service();
    let op = &s.operations["PutThing"];
    let valid = RpcV2Cbor.encode(&s, op, &put_input()).unwrap();
    let classes: Vec<&str> = RpcV2Cbor
        .malformations(&s, op)
        .iter()
        .map(|m| m.class)
        .collect();
    assert_eq!(classes.len(), 19, "{classes:?}");
    for m in RpcV2Cbor.malformations(&s, op) {
        // The size limit is the embedded target's (its body limit), not the protocol's.
        if m.class == "body-too-large" {
            continue;
        }
        let bad = RpcV2Cbor
            .malform(&s, op, m.class, &valid)
            .unwrap_or_else(|| panic!("{} does not apply", m.class));
        assert_ne!(bad, valid, "{} changes nothing", m.class);
        // The server side's answer, in the embedded target's order: Content-Type, body, route.
        let answer: Result<(), ProtocolFault> = (|| {
            if !RpcV2Cbor.accepts_content_type(bad.header("content-type")) {
                return Err(fault(415, "UnsupportedMediaTypeException", ""));
            }
            RpcV2Cbor.check_body(&bad)?;
            let routed = RpcV2Cbor.route(&s, &bad)?;
            RpcV2Cbor.decode_input(&s, routed, &bad)?;
            Ok(())
        })();
        match answer {
            Err(f) => assert!(
                m.expect
                    .accept
                    .iter()
                    .any(|(status, code)| *status == f.status && code.is_none_or(|c| c == f.code)),
                "{}: the server side answers {} {}, not among {:?}",
                m.class,
                f.status,
                f.code,
                m.expect.accept
            ),
            Ok(()) => assert!(
                !m.expect.certainly_fails && m.expect.also != crate::protocol::Also::Nothing,
                "{}: the server side accepts what must fail",
                m.class
            ),
        }
    }
    // An operation without input has the routing classes only.
    let ping = &s.operations["Ping"];
    let ping_classes: Vec<&str> = RpcV2Cbor
        .malformations(&s, ping)
        .iter()
        .map(|m| m.class)
        .collect();
    assert_eq!(ping_classes.len(), 7, "{ping_classes:?}");
    assert!(
        RpcV2Cbor
            .malform(&s, ping, "body-not-cbor", &valid)
            .is_none()
    );
}

#[test]
fn the_too_large_body_is_one_byte_over_a_mebibyte() {
    let s = service();
    let op = &s.operations["PutThing"];
    let valid = RpcV2Cbor.encode(&s, op, &put_input()).unwrap();
    let bad = RpcV2Cbor.malform(&s, op, "body-too-large", &valid).unwrap();
    assert_eq!(bad.body.len(), crate::protocol::TOO_LARGE_BYTES);
    assert!(matches!(
        cbor::parse_body(&bad.body),
        Ok(Some(Cbor::Map(_)))
    ));
}

#[test]
fn routing_takes_prefixed_and_namespaced_paths_and_refuses_the_rest() {
    let s = service();
    let valid = RpcV2Cbor
        .encode(&s, &s.operations["Ping"], &Value::structure())
        .unwrap();
    for path in [
        "/service/ThingsService_20200102/operation/Ping",
        "/v1/service/ThingsService_20200102/operation/Ping",
        "/service/com.example.ThingsService_20200102/operation/Ping",
    ] {
        let request = HttpRequest {
            path: path.into(),
            ..valid.clone()
        };
        assert!(RpcV2Cbor.route(&s, &request).is_ok(), "{path}");
    }
    for path in [
        "/service/ThingsService_20200102/operation/Ping/",
        "/service/ThingsService_20200102/operation/",
        "/service/Other/operation/Ping",
        "/service/ThingsService_20200102/operation/com.example.Ping",
    ] {
        let request = HttpRequest {
            path: path.into(),
            ..valid.clone()
        };
        let fault = RpcV2Cbor.route(&s, &request).unwrap_err();
        assert_eq!(
            (fault.status, fault.code.as_str()),
            (404, "UnknownOperationException"),
            "{path}"
        );
    }
}

#[test]
fn hostile_bodies_do_not_panic() {
    let s = service();
    let op = &s.operations["PutThing"];
    let valid = RpcV2Cbor.encode(&s, op, &put_input()).unwrap();
    // Deep nesting, huge announced lengths, bad UTF-8, a lone break, tags of every kind.
    let mut deep = vec![0x81; 100_000];
    deep.push(0xa0);
    for body in [
        deep,
        vec![0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
        vec![0xa1, 0x64, b'N', b'a', b'm', 0xff, 0x60],
        vec![0xff],
        vec![
            0xa1, 0x64, b'W', b'h', b'e', b'n', 0xc1, 0x1b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
            0xff, 0xff,
        ],
        vec![
            0xa1, 0x64, b'W', b'h', b'e', b'n', 0xc1, 0xfb, 0x7f, 0xf0, 0, 0, 0, 0, 0, 0,
        ],
        vec![0xa1, 0x64, b'N', b'a', b'm', b'e', 0xd8, 0x20, 0x60],
    ] {
        let request = HttpRequest {
            body: body.clone(),
            ..valid.clone()
        };
        let _ = RpcV2Cbor.check_body(&request);
        let _ = RpcV2Cbor.decode_input(&s, op, &request);
        let _ = RpcV2Cbor.decode_input_lenient(&s, op, &request);
        let response = HttpResponse {
            status: 400,
            headers: vec![],
            body,
        };
        let _ = RpcV2Cbor.decode_output(&s, op, &response);
        let _ = RpcV2Cbor.decode_error(&s, &response);
    }
}
