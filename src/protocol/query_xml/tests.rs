//! XML error and output bodies of awsQuery and ec2Query, in the forms aws-wire-facts ("Other protocols, in brief")
//! and botocore's `QueryParser` / `EC2QueryParser` (botocore/parsers.py) document.

use super::*;
use crate::model::{ErrorTrait, Fault, ProtocolId, Shape, ShapeKind};
use crate::protocol::query::tests::{named, query_service};

/// The test service, with an error whose `awsQueryError` code differs from its name and an output with
/// a result wrapper.
fn service() -> Service {
    let mut s = query_service();
    s.xml_namespace = Some("http://things.amazonaws.com/doc/2020-01-02/".into());
    let string = s.shape_named("String").unwrap().0;
    let int = s.shape_named("Integer").unwrap().0;
    let strings = s.shape_named("Strings").unwrap().0;
    let flat = s.shape_named("FlatStrings").unwrap().0;
    let attributes = s.shape_named("Attributes").unwrap().0;
    let timestamp = s.shape_named("Timestamp").unwrap().0;
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
    let mut required = Member::new("Id", string);
    required.required = true;
    let output = s.add_shape(Shape::new(
        "PutThingOutput",
        ShapeKind::Structure(vec![
            required,
            named("Count", int, Some("count")),
            Member::new("Tags", strings),
            Member::new("Flat", flat),
            Member::new("Attributes", attributes),
            Member::new("When", timestamp),
        ]),
    ));
    let op = s.operations.get_mut("PutThing").unwrap();
    op.output = Some(output);
    op.result_wrapper = Some("PutThingResult".into());
    s
}

#[test]
fn query_errors_are_read_from_the_error_response_and_codes_map_back_to_shapes() {
    let s = service();
    let body = br#"<ErrorResponse xmlns="http://things.amazonaws.com/doc/2020-01-02/">
  <Error><Type>Sender</Type><Code>NoSuchThing</Code><Message>No thing &amp; no &lt;way&gt;</Message></Error>
  <RequestId>42d59b56-7407-4c4a-be0f-4c88daeea257</RequestId>
</ErrorResponse>"#;
    let info = decode_error(&s, body).unwrap();
    assert_eq!(info.code, "NoSuchThingException");
    assert_eq!(info.raw_code, "NoSuchThing");
    assert_eq!(info.message.as_deref(), Some("No thing & no <way>"));
    assert_eq!(info.found_in, ErrorSource::Body("Code"));
    let root = parse(body).unwrap();
    assert_eq!(
        request_id(&root),
        Some("42d59b56-7407-4c4a-be0f-4c88daeea257")
    );
    // An unmodelled code stays as it is.
    let other = decode_error(
        &s,
        b"<ErrorResponse><Error><Code>ValidationError</Code></Error></ErrorResponse>",
    )
    .unwrap();
    assert_eq!(
        (other.code.as_str(), other.message),
        ("ValidationError", None)
    );
}

#[test]
fn ec2_errors_are_read_from_response_errors_error() {
    let s = service();
    let body = br#"<?xml version="1.0" encoding="UTF-8"?>
<Response><Errors><Error><Code>InvalidInstanceID.NotFound</Code><Message>The instance ID 'i-1' does not exist</Message></Error></Errors><RequestID>ea966190-f9aa-478e-9ede-example</RequestID></Response>"#;
    let info = decode_error(&s, body).unwrap();
    assert_eq!(info.code, "InvalidInstanceID.NotFound");
    assert_eq!(
        info.message.as_deref(),
        Some("The instance ID 'i-1' does not exist")
    );
    assert_eq!(
        request_id(&parse(body).unwrap()),
        Some("ea966190-f9aa-478e-9ede-example")
    );
}

#[test]
fn bodies_that_are_no_xml_error_give_no_error() {
    let s = service();
    for body in [
        &b""[..],
        b"{\"__type\": \"X\"}",
        b"<ErrorResponse><Error><Code>",
        b"<ErrorResponse><Error><Message>m</Message></Error></ErrorResponse>",
        b"<a></b>",
        b"<a/><b/>",
    ] {
        assert_eq!(
            decode_error(&s, body),
            None,
            "{}",
            String::from_utf8_lossy(body)
        );
    }
}

#[test]
fn parse_errors_say_what_is_wrong() {
    assert!(parse(b"<a><b></a>").unwrap_err().contains("well-formed"));
    assert!(
        parse(b"<a/><b/>")
            .unwrap_err()
            .contains("more than one root")
    );
    assert!(parse(b"<a>").unwrap_err().contains("ends inside `<a>`"));
    assert!(parse(b"").unwrap_err().contains("no root element"));
    assert!(parse(b"<a>&nope;</a>").unwrap_err().contains("&nope;"));
    assert!(parse(&[0xff, b'<']).unwrap_err().contains("not UTF-8"));
    let deep = "<a>".repeat(MAX_DEPTH + 1);
    assert!(parse(deep.as_bytes()).unwrap_err().contains("nests deeper"));
    let root = parse(b"<p:a xmlns:p=\"u\" x=\"1&amp;\"><b>&#65;<![CDATA[<c>]]></b></p:a>").unwrap();
    assert_eq!(root.name, "a");
    assert_eq!(root.attributes, vec![("x".to_string(), "1&".to_string())]);
    assert_eq!(root.child_text("b"), Some("A<c>"));
}

const OUTPUT: &str = r#"<PutThingResponse xmlns="http://things.amazonaws.com/doc/2020-01-02/">
  <PutThingResult>
    <Id>t-1</Id>
    <count>3</count>
    <Tags><member>a</member><member>b</member></Tags>
    <Item>f1</Item><Item>f2</Item>
    <Attributes><entry><Name>k</Name><Value>v</Value></entry></Attributes>
    <When>2020-01-02T03:04:05.250Z</When>
  </PutThingResult>
  <ResponseMetadata><RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId></ResponseMetadata>
</PutThingResponse>"#;

#[test]
fn query_outputs_are_read_from_the_result_wrapper() {
    let s = service();
    let op = &s.operations["PutThing"];
    let out = decode_output(&s, op, OUTPUT.as_bytes(), false, true);
    assert_eq!(out.problems, vec![]);
    assert_eq!(
        out.value.to_typed_json(),
        serde_json::json!({
            "Id": "t-1", "Count": 3, "Tags": ["a", "b"], "Flat": ["f1", "f2"],
            "Attributes": {"k": "v"}, "When": {"$timestamp": "2020-01-02T03:04:05.250Z"}
        })
    );
    assert_eq!(
        request_id(&parse(OUTPUT.as_bytes()).unwrap()),
        Some("7a62c49f-347e-4fc4-9331-6e8eEXAMPLE")
    );
}

#[test]
fn output_problems_name_the_member() {
    let s = service();
    let op = &s.operations["PutThing"];
    let bad = OUTPUT
        .replace("<Id>t-1</Id>", "")
        .replace("<count>3</count>", "<count>three</count><Extra/>");
    let out = decode_output(&s, op, bad.as_bytes(), false, true);
    let problems: Vec<String> = out
        .problems
        .iter()
        .map(|p| format!("{}: {}", p.path, p.problem))
        .collect();
    assert_eq!(
        problems,
        vec![
            "Id: missing required member",
            "Count: expected an integer (integer), found `three`",
            "Extra: unexpected member",
        ],
        "{problems:?}"
    );
    let garbage = decode_output(&s, op, b"{\"Id\": 1}", false, true);
    assert!(
        garbage.problems[0].problem.contains("not an XML document"),
        "{:?}",
        garbage.problems
    );
    // Without judging required members (imported models), a missing one is no problem.
    let lenient = decode_output(
        &s,
        op,
        OUTPUT.replace("<Id>t-1</Id>", "").as_bytes(),
        false,
        false,
    );
    assert_eq!(lenient.problems, vec![]);
}

#[test]
fn ec2_outputs_have_no_wrapper_and_a_request_id_at_the_root() {
    let mut s = service();
    s.protocol = ProtocolId::Ec2Query;
    let op = &s.operations["PutThing"];
    let body = "<PutThingResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId><Id>t-1</Id></PutThingResponse>";
    let out = decode_output(&s, op, body.as_bytes(), true, true);
    assert_eq!(out.problems, vec![]);
    assert_eq!(out.value.to_typed_json(), serde_json::json!({"Id": "t-1"}));
    assert_eq!(
        request_id(&parse(body.as_bytes()).unwrap()),
        Some("59dbff89-35bd-4eac-99ed-be587EXAMPLE")
    );
}

#[test]
fn written_members_read_back() {
    let s = service();
    let op = &s.operations["PutThing"];
    let first = decode_output(&s, op, OUTPUT.as_bytes(), false, true).value;
    let mut body = String::from("<PutThingResponse><PutThingResult>");
    write_members(
        &s,
        s.output_members(op),
        first.as_structure().unwrap(),
        &mut body,
    );
    body.push_str("</PutThingResult></PutThingResponse>");
    let again = decode_output(&s, op, body.as_bytes(), false, true);
    assert_eq!(again.problems, vec![], "{body}");
    assert_eq!(again.value, first, "{body}");
}

#[test]
fn server_outputs_decode_back_with_their_request_id() {
    use crate::protocol::{AwsQuery, Protocol};
    let s = service();
    let op = &s.operations["PutThing"];
    let value = decode_output(&s, op, OUTPUT.as_bytes(), false, true).value;
    for (query, ec2) in [(AwsQuery::QUERY, false), (AwsQuery::EC2, true)] {
        let response = query.set_request_id(query.encode_output(&s, op, &value), "rid-2");
        assert_eq!(response.status, 200);
        let back = decode_output(&s, op, &response.body, ec2, true);
        assert_eq!(
            back.problems,
            vec![],
            "{}",
            String::from_utf8_lossy(&response.body)
        );
        assert_eq!(back.value, value);
        assert_eq!(query.body_request_id(&response).as_deref(), Some("rid-2"));
    }
}

#[test]
fn the_oracle_names_declared_query_errors_as_the_decoder_does() {
    let mut s = service();
    let (id, _) = s.shape_named("NoSuchThingException").unwrap();
    s.operations.get_mut("PutThing").unwrap().errors.push(id);
    let op = &s.operations["PutThing"];
    let declared = crate::oracle::declared_errors(&s, op);
    assert_eq!(declared.len(), 1);
    assert_eq!(
        declared[0].error_type.as_deref(),
        Some("NoSuchThingException")
    );
    assert_eq!(declared[0].status, 404);
    let decoded = decode_error(
        &s,
        b"<ErrorResponse><Error><Code>NoSuchThing</Code></Error></ErrorResponse>",
    )
    .unwrap();
    assert_eq!(
        Some(decoded.code.as_str()),
        declared[0].error_type.as_deref()
    );
}
