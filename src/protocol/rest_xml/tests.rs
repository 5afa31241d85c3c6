//! restXml encoding rule by rule, the server side's round trip and its refusals, on a small S3-like model.

use super::*;
use crate::frontend::botocore::parse_service;
use crate::model::Timestamp;

const MODEL: &str = r#"{
  "version": "2.0",
  "metadata": {"apiVersion": "2006-03-01", "endpointPrefix": "buckets", "protocol": "rest-xml",
               "serviceFullName": "Buckets", "serviceId": "Buckets", "signatureVersion": "s3",
               "uid": "buckets-2006-03-01"},
  "operations": {
    "PutAcl": {
      "name": "PutAcl",
      "http": {"method": "PUT", "requestUri": "/{Bucket}?acl"},
      "input": {"shape": "PutAclRequest"}
    },
    "PutKey": {
      "name": "PutKey",
      "http": {"method": "PUT", "requestUri": "/{Bucket}/{Key+}"},
      "input": {"shape": "PutKeyRequest"}
    },
    "CopyKey": {
      "name": "CopyKey",
      "http": {"method": "PUT", "requestUri": "/{Bucket}/{Key+}"},
      "input": {"shape": "CopyKeyRequest"}
    },
    "CreateZone": {
      "name": "CreateZone",
      "http": {"method": "POST", "requestUri": "/2013-04-01/zone"},
      "input": {"shape": "CreateZoneRequest", "locationName": "CreateZoneRequest",
                "xmlNamespace": {"uri": "https://zones/doc/2013-04-01/"}},
      "output": {"shape": "CreateZoneResponse"},
      "errors": [{"shape": "ZoneExists"}]
    },
    "GetZone": {
      "name": "GetZone",
      "http": {"method": "GET", "requestUri": "/2013-04-01/zone/{Id}"},
      "input": {"shape": "GetZoneRequest"},
      "output": {"shape": "GetZoneResponse"}
    }
  },
  "shapes": {
    "String": {"type": "string"},
    "Integer": {"type": "integer"},
    "Double": {"type": "double"},
    "Boolean": {"type": "boolean"},
    "Timestamp": {"type": "timestamp"},
    "Blob": {"type": "blob"},
    "Type": {"type": "string", "enum": ["CanonicalUser", "Group"]},
    "Grantee": {
      "type": "structure",
      "required": ["Type"],
      "members": {
        "ID": {"shape": "String"},
        "Type": {"shape": "Type", "locationName": "xsi:type", "xmlAttribute": true}
      },
      "xmlNamespace": {"prefix": "xsi", "uri": "http://www.w3.org/2001/XMLSchema-instance"}
    },
    "Grant": {
      "type": "structure",
      "members": {
        "Grantee": {"shape": "Grantee", "xmlNamespace": {"prefix": "xsi", "uri": "http://www.w3.org/2001/XMLSchema-instance"}},
        "Permission": {"shape": "String"}
      }
    },
    "Grants": {"type": "list", "member": {"shape": "Grant", "locationName": "Grant"}},
    "Rule": {"type": "structure", "members": {"Id": {"shape": "String"}, "Days": {"shape": "Integer"}}},
    "Rules": {"type": "list", "member": {"shape": "Rule"}, "flattened": true},
    "Policy": {
      "type": "structure",
      "members": {
        "Grants": {"shape": "Grants", "locationName": "AccessControlList"},
        "Rules": {"shape": "Rules", "locationName": "Rule"},
        "Ratio": {"shape": "Double"},
        "Enabled": {"shape": "Boolean"},
        "When": {"shape": "Timestamp"},
        "Data": {"shape": "Blob"},
        "Topic": {"shape": "Topic"}
      }
    },
    "Events": {"type": "list", "member": {"shape": "String"}, "flattened": true},
    "Topic": {
      "type": "structure",
      "members": {
        "Events": {"shape": "Events", "locationName": "Event"},
        "Event": {"shape": "String", "deprecated": true}
      }
    },
    "PutAclRequest": {
      "type": "structure",
      "required": ["Bucket"],
      "members": {
        "Bucket": {"shape": "String", "location": "uri", "locationName": "Bucket"},
        "Policy": {"shape": "Policy", "locationName": "AccessControlPolicy",
                   "xmlNamespace": {"uri": "http://s3.amazonaws.com/doc/2006-03-01/"}},
        "Md5": {"shape": "String", "location": "header", "locationName": "Content-MD5"}
      },
      "payload": "Policy"
    },
    "PutKeyRequest": {
      "type": "structure",
      "required": ["Bucket", "Key"],
      "members": {
        "Bucket": {"shape": "String", "location": "uri", "locationName": "Bucket"},
        "Key": {"shape": "String", "location": "uri", "locationName": "Key"},
        "Body": {"shape": "Blob"}
      },
      "payload": "Body"
    },
    "CopyKeyRequest": {
      "type": "structure",
      "required": ["Bucket", "Key", "CopySource"],
      "members": {
        "Bucket": {"shape": "String", "location": "uri", "locationName": "Bucket"},
        "Key": {"shape": "String", "location": "uri", "locationName": "Key"},
        "CopySource": {"shape": "String", "location": "header", "locationName": "x-amz-copy-source"}
      }
    },
    "Tags": {"type": "map", "key": {"shape": "String"}, "value": {"shape": "String"}},
    "CreateZoneRequest": {
      "type": "structure",
      "required": ["Name"],
      "members": {
        "Name": {"shape": "String"},
        "Tags": {"shape": "Tags"},
        "Comment": {"shape": "String", "location": "querystring", "locationName": "comment"}
      }
    },
    "Zone": {"type": "structure", "members": {"Id": {"shape": "String"}, "Name": {"shape": "String"}}},
    "CreateZoneResponse": {
      "type": "structure",
      "members": {
        "Zone": {"shape": "Zone"},
        "Location": {"shape": "String", "location": "header", "locationName": "Location"}
      }
    },
    "GetZoneRequest": {
      "type": "structure",
      "required": ["Id"],
      "members": {"Id": {"shape": "String", "location": "uri", "locationName": "Id"}}
    },
    "GetZoneResponse": {
      "type": "structure",
      "members": {"Zone": {"shape": "Zone"}},
      "payload": "Zone"
    },
    "ZoneExists": {"type": "structure", "members": {"message": {"shape": "String"}},
                   "error": {"httpStatusCode": 409}, "exception": true}
  }
}"#;

fn service() -> Service {
    parse_service(
        "buckets",
        MODEL.as_bytes(),
        std::path::Path::new("buckets/2006-03-01/service-2.json"),
    )
    .expect("the model loads")
}

/// A value of the operation's input (or, `output`, output) shape from its typed JSON form.
fn value(service: &Service, op: &str, output: bool, json: serde_json::Value) -> Value {
    let op = &service.operations[op];
    let shape = if output { op.output } else { op.input };
    crate::model::json_form::from_json(service, shape.expect("the operation has the shape"), &json)
}

fn encode(service: &Service, op: &str, json: serde_json::Value) -> HttpRequest {
    RestXml
        .encode(
            service,
            &service.operations[op],
            &value(service, op, false, json),
        )
        .expect("the input encodes")
}

#[test]
fn a_structure_payload_is_a_document_named_by_its_member_with_namespaces_and_attributes() {
    let s = service();
    let request = encode(
        &s,
        "PutAcl",
        serde_json::json!({
            "Bucket": "my bucket",
            "Md5": "abc",
            "Policy": {
                "Grants": [{"Grantee": {"ID": "me", "Type": "CanonicalUser"}, "Permission": "READ"}],
                "Rules": [{"Id": "a", "Days": 3}, {"Id": "b"}],
                "Ratio": 1e16,
                "Enabled": false,
                "When": {"$timestamp": "2020-01-02T03:04:05.250Z"},
                "Data": {"$blob": "AAEC"}
            }
        }),
    );
    assert_eq!(request.method, "PUT");
    assert_eq!(request.path, "/my%20bucket?acl");
    assert_eq!(
        request.headers,
        vec![("content-md5".to_string(), "abc".to_string())]
    );
    assert_eq!(
        String::from_utf8(request.body).unwrap(),
        concat!(
            r#"<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/">"#,
            r#"<AccessControlList><Grant>"#,
            r#"<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>me</ID></Grantee>"#,
            r#"<Permission>READ</Permission></Grant></AccessControlList>"#,
            r#"<Rule><Id>a</Id><Days>3</Days></Rule><Rule><Id>b</Id></Rule>"#,
            r#"<Ratio>1e+16</Ratio><Enabled>false</Enabled><When>2020-01-02T03:04:05.250Z</When><Data>AAEC</Data>"#,
            r#"</AccessControlPolicy>"#
        )
    );
}

#[test]
fn body_members_go_under_the_input_location_name_and_an_absent_payload_sends_no_body() {
    let s = service();
    let request = encode(
        &s,
        "CreateZone",
        serde_json::json!({"Name": "a<b&c", "Tags": {"k": "v"}, "Comment": "x y"}),
    );
    assert_eq!(request.path, "/2013-04-01/zone?comment=x%20y");
    assert!(request.headers.is_empty(), "botocore sets no Content-Type");
    assert_eq!(
        String::from_utf8(request.body).unwrap(),
        r#"<CreateZoneRequest xmlns="https://zones/doc/2013-04-01/"><Name>a&lt;b&amp;c</Name><Tags><entry><key>k</key><value>v</value></entry></Tags></CreateZoneRequest>"#
    );
    let request = encode(&s, "PutAcl", serde_json::json!({"Bucket": "b"}));
    assert!(request.body.is_empty());
    let request = encode(
        &s,
        "PutKey",
        serde_json::json!({"Bucket": "b", "Key": "a/b c", "Body": {"$blob": "AAEC"}}),
    );
    assert_eq!(request.path, "/b/a/b%20c");
    assert_eq!(request.body, vec![0, 1, 2]);
}

#[test]
fn the_server_side_reads_back_what_the_client_side_sends() {
    let s = service();
    for (op, json) in [
        (
            "PutAcl",
            serde_json::json!({"Bucket": "b", "Policy": {
                "Grants": [{"Grantee": {"ID": "me", "Type": "Group"}, "Permission": "READ"}],
                "Rules": [{"Id": "a", "Days": 3}], "Enabled": true, "Data": {"$blob": "AAEC"}}}),
        ),
        (
            "CreateZone",
            serde_json::json!({"Name": "z", "Tags": {"k": "v"}, "Comment": "c"}),
        ),
        (
            "PutKey",
            serde_json::json!({"Bucket": "b", "Key": "k/l", "Body": {"$blob": "AAEC"}}),
        ),
    ] {
        let request = encode(&s, op, json.clone());
        let routed = RestXml.route(&s, &request).expect("routes");
        assert_eq!(routed.name, op);
        // A blob payload is no document: the server does not check it as one.
        assert_eq!(RestXml.raw_body(&s, routed), op == "PutKey");
        let read = RestXml.decode_input(&s, routed, &request).expect("reads");
        assert_eq!(read, value(&s, op, false, json), "{op}");
    }
}

#[test]
fn the_server_side_refuses_bad_xml_a_wrong_root_and_an_unknown_method() {
    let s = service();
    let op = &s.operations["CreateZone"];
    let valid = encode(&s, "CreateZone", serde_json::json!({"Name": "z"}));
    let classes: Vec<&str> = RestXml
        .malformations(&s, op)
        .iter()
        .map(|m| m.class)
        .collect();
    assert_eq!(classes, ["body-not-xml", "root-wrong", "method-unknown"]);

    let not_xml = RestXml.malform(&s, op, "body-not-xml", &valid).unwrap();
    let fault = RestXml.decode_input(&s, op, &not_xml).unwrap_err();
    assert_eq!((fault.status, fault.code.as_str()), (400, "MalformedXML"));

    let wrong_root = RestXml.malform(&s, op, "root-wrong", &valid).unwrap();
    assert!(String::from_utf8_lossy(&wrong_root.body).starts_with("<ConformWrongRoot xmlns="));
    let fault = RestXml.decode_input(&s, op, &wrong_root).unwrap_err();
    assert_eq!((fault.status, fault.code.as_str()), (400, "MalformedXML"));
    assert!(
        fault.message.contains("<ConformWrongRoot>"),
        "{}",
        fault.message
    );

    let patch = RestXml.malform(&s, op, "method-unknown", &valid).unwrap();
    let fault = RestXml.route(&s, &patch).unwrap_err();
    assert_eq!(
        (fault.status, fault.code.as_str()),
        (405, "MethodNotAllowed")
    );

    // A payload operation with no XML body has nothing to break but its method.
    let get = &s.operations["GetZone"];
    let classes: Vec<&str> = RestXml
        .malformations(&s, get)
        .iter()
        .map(|m| m.class)
        .collect();
    assert_eq!(classes, ["method-unknown"]);
    let every = RestXml.malformations(&s, op);
    assert!(every.iter().all(|m| m.expect.uncertain.is_some()));
}

#[test]
fn outputs_and_errors_are_read_as_botocore_reads_them() {
    let s = service();
    let op = &s.operations["CreateZone"];
    let response = HttpResponse {
        status: 200,
        headers: vec![("location".into(), "/zone/1".into())],
        body: br#"<?xml version="1.0"?><CreateZoneResponse xmlns="https://zones/"><Zone><Id>1</Id><Name>z</Name></Zone></CreateZoneResponse>"#.to_vec(),
    };
    let out = RestXml.decode_output(&s, op, &response);
    assert!(out.problems.is_empty(), "{:?}", out.problems);
    assert_eq!(
        out.value,
        value(
            &s,
            "CreateZone",
            true,
            serde_json::json!({"Location": "/zone/1", "Zone": {"Id": "1", "Name": "z"}})
        )
    );
    let get = &s.operations["GetZone"];
    let response = HttpResponse {
        status: 200,
        headers: vec![],
        body: b"<Zone><Id>1</Id><Bogus>x</Bogus></Zone>".to_vec(),
    };
    let out = RestXml.decode_output(&s, get, &response);
    assert_eq!(
        out.value,
        value(
            &s,
            "GetZone",
            true,
            serde_json::json!({"Zone": {"Id": "1"}})
        )
    );
    assert_eq!(out.problems.len(), 1, "{:?}", out.problems);
    assert_eq!(out.problems[0].problem, "unexpected member");

    let s3_error = HttpResponse {
        status: 404,
        headers: vec![],
        body: b"<Error><Code>NoSuchBucket</Code><Message>gone</Message><RequestId>r1</RequestId></Error>"
            .to_vec(),
    };
    let error = RestXml.decode_error(&s, &s3_error).unwrap();
    assert_eq!(
        (error.code.as_str(), error.message.as_deref()),
        ("NoSuchBucket", Some("gone"))
    );
    assert_eq!(RestXml.body_request_id(&s3_error).as_deref(), Some("r1"));
    let wrapped = HttpResponse {
        status: 409,
        headers: vec![],
        body: b"<ErrorResponse><Error><Type>Sender</Type><Code>ZoneExists</Code><Message>m</Message></Error><RequestId>r2</RequestId></ErrorResponse>".to_vec(),
    };
    assert_eq!(
        RestXml.decode_error(&s, &wrapped).unwrap().code,
        "ZoneExists"
    );
    // A HEAD error has no body: no type to find.
    let head = HttpResponse {
        status: 404,
        ..HttpResponse::default()
    };
    assert!(RestXml.decode_error(&s, &head).is_none());
}

#[test]
fn the_server_side_answers_outputs_and_errors_the_client_side_reads_back() {
    let s = service();
    for (op, json) in [
        (
            "CreateZone",
            serde_json::json!({"Location": "/zone/1", "Zone": {"Id": "1", "Name": "z"}}),
        ),
        ("GetZone", serde_json::json!({"Zone": {"Id": "1"}})),
    ] {
        let output = value(&s, op, true, json);
        let op = &s.operations[op];
        let response = RestXml.encode_output(&s, op, &output);
        let read = RestXml.decode_output(&s, op, &response);
        assert!(read.problems.is_empty(), "{:?}", read.problems);
        assert_eq!(read.value, output);
    }
    let error = RestXml.encode_error(&s, 409, "ZoneExists", "it <exists>", &Value::structure());
    let error = RestXml.set_request_id(error, "id-1");
    let info = RestXml.decode_error(&s, &error).unwrap();
    assert_eq!(
        (info.code.as_str(), info.message.as_deref()),
        ("ZoneExists", Some("it <exists>"))
    );
    assert_eq!(RestXml.body_request_id(&error).as_deref(), Some("id-1"));
    let stripped = RestXml.strip_error_type(error);
    assert!(RestXml.decode_error(&s, &stripped).is_none());
}

#[test]
fn timestamps_in_a_body_follow_the_member_format() {
    let s = service();
    let policy = s.shape_named("Policy").unwrap().1;
    let when = policy
        .kind
        .members()
        .iter()
        .find(|m| m.name == "When")
        .unwrap();
    let mut epoch = when.clone();
    epoch.timestamp_format = Some(TimestampFormat::EpochSeconds);
    let t = Value::Timestamp(Timestamp::from_secs(1_600_000_000));
    let shape = s.target(when);
    assert_eq!(scalar_text(Some(when), shape, &t), "2020-09-13T12:26:40Z");
    assert_eq!(scalar_text(Some(&epoch), shape, &t), "1600000000");
}

#[test]
fn operations_sharing_a_method_and_path_are_told_apart_by_the_headers_and_query_they_bind() {
    let s = service();
    let copy = encode(
        &s,
        "CopyKey",
        serde_json::json!({"Bucket": "b", "Key": "k", "CopySource": "/other/k"}),
    );
    assert_eq!(RestXml.route(&s, &copy).unwrap().name, "CopyKey");
    let put = encode(&s, "PutKey", serde_json::json!({"Bucket": "b", "Key": "k"}));
    assert_eq!(RestXml.route(&s, &put).unwrap().name, "PutKey");
    // Without its header, CopyKey's request is PutKey's (AWS would serve it as that): it cannot test CopyKey.
    let op = &s.operations["CopyKey"];
    let without = value(
        &s,
        "CopyKey",
        false,
        serde_json::json!({"Bucket": "b", "Key": "k"}),
    );
    assert!(RestXml.encode_request(&s, op, &without).is_ok());
    let refused = RestXml.encode(&s, op, &without).unwrap_err();
    assert!(refused.to_string().contains("PutKey's"), "{refused}");
}

#[test]
fn an_input_xml_cannot_carry_as_it_is_is_refused_and_a_wrong_form_is_malformed_xml() {
    let s = service();
    let op = &s.operations["CreateZone"];
    // A number where a string belongs is valid text: the server would read a valid input.
    let number = value(&s, "CreateZone", false, serde_json::json!({"Name": 5}));
    assert!(matches!(
        number.as_structure().unwrap()["Name"],
        Value::Raw(_)
    ));
    let refused = RestXml.encode(&s, op, &number).unwrap_err();
    assert!(
        refused.to_string().contains("XML cannot carry it"),
        "{refused}"
    );
    // An object where a string belongs goes as elements, which no string is: MalformedXML.
    let object = value(
        &s,
        "CreateZone",
        false,
        serde_json::json!({"Name": {"a": 1}}),
    );
    let request = RestXml.encode(&s, op, &object).expect("carried");
    assert_eq!(
        String::from_utf8_lossy(&request.body),
        r#"<CreateZoneRequest xmlns="https://zones/doc/2013-04-01/"><Name><a>1</a></Name></CreateZoneRequest>"#
    );
    let fault = RestXml.decode_input(&s, op, &request).unwrap_err();
    assert_eq!((fault.status, fault.code.as_str()), (400, "MalformedXML"));
    assert!(fault.message.contains("at 'Name'"), "{}", fault.message);
    // The embedded target's skip-type fault reads it all the same.
    let lenient = RestXml.decode_input_lenient(&s, op, &request).unwrap();
    assert!(matches!(
        lenient.as_structure().unwrap()["Name"],
        Value::Raw(_)
    ));
}

#[test]
fn a_scalar_and_a_flattened_list_sharing_an_element_name_are_no_duplicate() {
    // S3's TopicConfigurationDeprecated: `Events` (flattened, `<Event>`) and the older scalar `Event`.
    let s = service();
    let op = &s.operations["PutAcl"];
    let request = encode(
        &s,
        "PutAcl",
        serde_json::json!({"Bucket": "b", "Policy": {"Topic": {"Events": ["a", "b"]}}}),
    );
    assert!(
        String::from_utf8_lossy(&request.body)
            .contains("<Topic><Event>a</Event><Event>b</Event></Topic>")
    );
    let read = RestXml
        .decode_input(&s, op, &request)
        .expect("no duplicate");
    let topic = &read.as_structure().unwrap()["Policy"]
        .as_structure()
        .unwrap()["Topic"];
    assert_eq!(
        topic.as_structure().unwrap()["Events"],
        Value::List(vec![Value::string("a"), Value::string("b")])
    );
    // A scalar repeated on its own is still a duplicate the client side reports.
    let zone = &s.operations["GetZone"];
    let response = HttpResponse {
        status: 200,
        headers: vec![],
        body: b"<Zone><Id>1</Id><Id>2</Id></Zone>".to_vec(),
    };
    let out = RestXml.decode_output(&s, zone, &response);
    assert!(
        out.problems
            .iter()
            .any(|p| p.problem.contains("appears 2 times")),
        "{:?}",
        out.problems
    );
}

#[test]
fn a_checksum_that_is_not_the_body_s_must_fail_on_s3_only() {
    // S3 documents that it refuses a request whose checksum does not match the body; S3 Control documents no such
    // check, so there a success is uncertain, not a deviation.
    let mut service = service();
    let op = {
        let op = service.operations.get_mut("PutAcl").unwrap();
        op.checksum.required = true;
        op.clone()
    };
    let certainly_fails = |service: &Service| {
        faults::malformations(service, &op)
            .into_iter()
            .find(|m| m.class == "checksum-mismatch")
            .expect("an operation that requires a checksum gets the malformation")
            .expect
            .certainly_fails
    };
    service.name = "s3".into();
    assert!(certainly_fails(&service));
    service.name = "s3control".into();
    assert!(!certainly_fails(&service));
}
