//! Unit tests of the botocore frontend on small hand-written models.

use std::io::Write;
use std::path::Path;

use super::*;
use crate::model::{Fault, Location, Numeric, Shape, ShapeKind, TimestampFormat};

/// A rest-json model that uses every trait the loader carries.
const EVERYTHING: &str = r##"{
  "version": "2.0",
  "metadata": {
    "apiVersion": "2020-01-02",
    "endpointPrefix": "things",
    "protocol": "smithy-rpc-v2-cbor",
    "protocols": ["smithy-rpc-v2-cbor", "json", "query"],
    "jsonVersion": "1.1",
    "targetPrefix": "ThingService",
    "signingName": "thingsign",
    "serviceId": "Things",
    "serviceFullName": "AWS Things",
    "xmlNamespace": "http://things.amazonaws.com/doc/2020-01-02/",
    "awsQueryCompatible": {},
    "globalEndpoint": "things.amazonaws.com",
    "uid": "things-2020-01-02"
  },
  "operations": {
    "PutThing": {
      "name": "PutThing",
      "http": {"method": "put", "requestUri": "/things/{Bucket}/{Key+}?tagging", "responseCode": 201},
      "input": {"shape": "PutThingRequest", "locationName": "PutThingRequest",
                "xmlNamespace": {"uri": "http://things/doc"}},
      "output": {"shape": "PutThingOutput", "resultWrapper": "PutThingResult"},
      "errors": [{"shape": "NotFound"}, {"shape": "Throttled"}, {"shape": "Internal"}],
      "endpoint": {"hostPrefix": "{AccountId}."},
      "authtype": "none",
      "idempotent": true,
      "deprecated": true,
      "deprecatedMessage": "use PutThing2",
      "documentation": "<p>Puts a <b>thing</b>. Then more.</p>"
    },
    "GetThing": {
      "name": "GetThing",
      "http": {"method": "GET", "requestUri": "/things/{Bucket}"},
      "input": {"shape": "GetThingRequest"},
      "output": {"shape": "GetThingOutput"},
      "auth": ["smithy.api#noAuth"],
      "readonly": true
    },
    "WatchThing": {
      "name": "WatchThing",
      "http": {"method": "POST", "requestUri": "/watch"},
      "input": {"shape": "GetThingRequest"},
      "output": {"shape": "WatchOutput"}
    },
    "NoIo": {"name": "NoIo", "http": {"method": "POST", "requestUri": "/"}}
  },
  "shapes": {
    "PutThingRequest": {
      "type": "structure",
      "required": ["Bucket", "Key"],
      "members": {
        "Bucket": {"shape": "BucketName", "location": "uri", "locationName": "Bucket"},
        "Key": {"shape": "Key", "location": "uri", "locationName": "Key"},
        "AccountId": {"shape": "AccountId", "hostLabel": true, "location": "header", "locationName": "x-amz-account-id"},
        "Token": {"shape": "String", "idempotencyToken": true, "location": "querystring", "locationName": "token"},
        "Policy": {"shape": "String", "jsonvalue": true, "location": "header", "locationName": "x-amz-policy"},
        "Meta": {"shape": "Metadata", "location": "headers", "locationName": "x-amz-meta-"},
        "When": {"shape": "Time", "timestampFormat": "rfc822", "location": "header", "locationName": "If-Modified-Since"},
        "Format": {"shape": "String", "enum": ["JSON", "YAML"], "location": "querystring", "locationName": "format"},
        "Count": {"shape": "Count", "box": true, "deprecated": true, "default": 3},
        "Body": {"shape": "Tree", "documentation": "<p>The tree.</p>"}
      },
      "payload": "Body"
    },
    "PutThingOutput": {
      "type": "structure",
      "members": {
        "Status": {"shape": "Count", "location": "statusCode"},
        "Items": {"shape": "ItemList", "locationName": "item", "flattened": true},
        "Grantee": {"shape": "Grantee", "xmlNamespace": {"prefix": "xsi", "uri": "http://www.w3.org/2001/XMLSchema-instance"}}
      }
    },
    "GetThingRequest": {
      "type": "structure",
      "required": ["Bucket"],
      "members": {
        "Bucket": {"shape": "BucketName", "location": "uri", "locationName": "Bucket"},
        "Range": {"shape": "String", "location": "header", "locationName": "Range"},
        "Max": {"shape": "Count", "location": "querystring", "locationName": "max"}
      }
    },
    "GetThingOutput": {
      "type": "structure",
      "members": {"Body": {"shape": "Stream"}, "Length": {"shape": "Size"}},
      "payload": "Body"
    },
    "WatchOutput": {"type": "structure", "members": {"Events": {"shape": "Events"}}, "payload": "Events"},
    "Events": {"type": "structure", "members": {"Tick": {"shape": "Tick"}}, "eventstream": true},
    "Tick": {"type": "structure", "members": {}, "event": true},
    "Stream": {"type": "blob", "streaming": true},
    "BucketName": {"type": "string", "min": 3, "max": 63, "pattern": "^[a-z0-9.-]+$"},
    "Key": {"type": "string", "min": 1, "pattern": "^(?!aws:).*$", "sensitive": true},
    "AccountId": {"type": "string", "max": 64, "pattern": "^\\d{12}$"},
    "String": {"type": "string"},
    "Count": {"type": "integer", "min": -5, "max": 100, "box": true},
    "Size": {"type": "long", "min": 0, "max": 9223372036854775807},
    "Ratio": {"type": "double", "min": 0.0, "max": 1.5},
    "Small": {"type": "float", "min": -19.5},
    "Tiny": {"type": "byte"},
    "Short": {"type": "short"},
    "Big": {"type": "bigInteger"},
    "Dec": {"type": "bigDecimal"},
    "Flag": {"type": "boolean"},
    "Data": {"type": "blob", "min": 1, "max": 4096, "sensitive": true},
    "Time": {"type": "timestamp", "timestampFormat": "iso8601"},
    "Color": {"type": "string", "enum": ["RED", "GREEN"], "deprecated": true, "documentation": "Colors (e.g. red) allowed. More."},
    "Doc": {"type": "structure", "members": {}, "document": true},
    "Choice": {"type": "structure", "union": true, "members": {"A": {"shape": "String"}, "B": {"shape": "Count"}}},
    "Metadata": {"type": "map", "key": {"shape": "String"}, "value": {"shape": "String"}, "max": 10},
    "Props": {"type": "map", "key": {"shape": "String", "locationName": "k"}, "value": {"shape": "Doc", "locationName": "v"}, "flattened": true},
    "ItemList": {"type": "list", "member": {"shape": "Tree", "locationName": "Item"}, "min": 0, "max": 20, "flattened": true, "locationName": "Items"},
    "Tree": {
      "type": "structure",
      "members": {
        "Children": {"shape": "ItemList"},
        "Parent": {"shape": "Tree"},
        "Color": {"shape": "Color"},
        "Ratio": {"shape": "Ratio"},
        "Small": {"shape": "Small"},
        "Tiny": {"shape": "Tiny"},
        "Short": {"shape": "Short"},
        "Big": {"shape": "Big"},
        "Dec": {"shape": "Dec"},
        "Flag": {"shape": "Flag"},
        "Data": {"shape": "Data"},
        "Doc": {"shape": "Doc"},
        "Choice": {"shape": "Choice"},
        "Props": {"shape": "Props"}
      },
      "xmlNamespace": {"uri": "http://things/tree"}
    },
    "Grantee": {
      "type": "structure",
      "members": {"Type": {"shape": "String", "locationName": "xsi:type", "xmlAttribute": true},
                  "Id": {"shape": "String", "queryName": "ID"}}
    },
    "NotFound": {
      "type": "structure",
      "members": {"Message": {"shape": "String"}},
      "error": {"code": "NoSuchThing", "httpStatusCode": 404, "senderFault": true},
      "exception": true
    },
    "Throttled": {
      "type": "structure",
      "members": {},
      "error": {"httpStatusCode": 429},
      "exception": true,
      "retryable": {"throttling": true}
    },
    "Internal": {"type": "structure", "members": {}, "exception": true, "fault": true, "retryable": {"throttling": false}}
  },
  "documentation": "<p>The things service.</p>"
}"##;

const PAGINATORS: &str = r#"{
  "pagination": {
    "GetThing": {"input_token": "Marker", "output_token": "NextMarker || Items[-1].Key", "limit_key": "Max",
                 "result_key": ["Items", "Other"], "more_results": "IsTruncated"},
    "PutThing": {"input_token": ["A", "B"], "output_token": ["NextA", "NextB"], "result_key": "Items"},
    "Gone": {"input_token": "T", "output_token": "T", "result_key": "R"}
  }
}"#;

fn everything() -> Service {
    parse_service(
        "things",
        EVERYTHING.as_bytes(),
        Path::new("things/2020-01-02/service-2.json"),
    )
    .expect("the model loads")
}

fn shape<'s>(service: &'s Service, name: &str) -> &'s Shape {
    service
        .shape_named(name)
        .unwrap_or_else(|| panic!("no shape {name}"))
        .1
}

fn member<'s>(service: &'s Service, shape_name: &str, member: &str) -> &'s crate::model::Member {
    shape(service, shape_name)
        .kind
        .members()
        .iter()
        .find(|m| m.name == member)
        .unwrap_or_else(|| panic!("no member {shape_name}.{member}"))
}

#[test]
fn metadata_is_carried() {
    let service = everything();
    assert_eq!(service.name, "things");
    assert_eq!(service.api_version, "2020-01-02");
    assert_eq!(service.endpoint_prefix, "things");
    assert_eq!(service.signing_name, "thingsign");
    assert_eq!(service.service_id, "Things");
    assert_eq!(service.title, "AWS Things");
    assert_eq!(service.target_prefix.as_deref(), Some("ThingService"));
    assert_eq!(
        service.xml_namespace.as_deref(),
        Some("http://things.amazonaws.com/doc/2020-01-02/")
    );
    assert!(service.query_compatible);
    assert_eq!(
        service.global_endpoint.as_deref(),
        Some("things.amazonaws.com")
    );
    assert_eq!(
        service.protocols,
        vec![
            ProtocolId::RpcV2Cbor,
            ProtocolId::AwsJson1_1,
            ProtocolId::AwsQuery
        ],
        "the model's order is kept"
    );
    assert_eq!(
        service.protocol,
        ProtocolId::RpcV2Cbor,
        "the first protocol conform speaks is used"
    );
    assert_eq!(service.file, "things/2020-01-02/service-2.json");
    assert_eq!(service.source.text, "botocore things/2020-01-02");
    // Every shape of the file, plus one of its own for the member that has its own enum.
    assert_eq!(service.shapes.len(), 35);
    assert_eq!(service.operations.len(), 4);
}

#[test]
fn protocol_choice_without_a_json_protocol_is_the_first() {
    let (all, chosen) = build::protocols_of(Some("rest-xml"), std::iter::empty(), None).unwrap();
    assert_eq!(
        (all, chosen),
        (vec![ProtocolId::RestXml], ProtocolId::RestXml)
    );
    let (all, chosen) = build::protocols_of(
        Some("json"),
        ["smithy-rpc-v2-cbor", "query"].into_iter(),
        Some("1.0"),
    )
    .unwrap();
    assert_eq!(all, vec![ProtocolId::RpcV2Cbor, ProtocolId::AwsQuery]);
    assert_eq!(chosen, ProtocolId::RpcV2Cbor);
    let (_, chosen) = build::protocols_of(Some("json"), std::iter::empty(), None).unwrap();
    assert_eq!(
        chosen,
        ProtocolId::AwsJson1_0,
        "json without jsonVersion is 1.0"
    );
    let err = build::protocols_of(Some("carrier-pigeon"), std::iter::empty(), None).unwrap_err();
    assert!(err.contains("carrier-pigeon"), "{err}");
}

#[test]
fn every_shape_kind_is_read() {
    let service = everything();
    let kind = |name: &str| shape(&service, name).kind.name();
    for (name, expected) in [
        ("PutThingRequest", "structure"),
        ("Choice", "union"),
        ("Doc", "document"),
        ("ItemList", "list"),
        ("Metadata", "map"),
        ("String", "string"),
        ("Color", "enum"),
        ("Data", "blob"),
        ("Flag", "boolean"),
        ("Tiny", "byte"),
        ("Short", "short"),
        ("Count", "integer"),
        ("Size", "long"),
        ("Small", "float"),
        ("Ratio", "double"),
        ("Big", "bigInteger"),
        ("Dec", "bigDecimal"),
        ("Time", "timestamp"),
    ] {
        assert_eq!(kind(name), expected, "{name}");
    }
    assert_eq!(
        shape(&service, "Color").enum_values(),
        Some(&["RED".to_string(), "GREEN".to_string()][..])
    );
    let ShapeKind::Map { key, value } = &shape(&service, "Props").kind else {
        panic!()
    };
    assert_eq!(
        (key.name.as_str(), key.location_name.as_deref()),
        ("key", Some("k"))
    );
    assert_eq!(
        (value.name.as_str(), value.location_name.as_deref()),
        ("value", Some("v"))
    );
    assert_eq!(service.shape(value.target).name, "Doc");
    assert!(shape(&service, "Props").flattened);
    let ShapeKind::List(item) = &shape(&service, "ItemList").kind else {
        panic!()
    };
    assert_eq!(item.name, "member");
    assert_eq!(item.location_name.as_deref(), Some("Item"));
    assert_eq!(
        shape(&service, "ItemList").xml_name.as_deref(),
        Some("Items")
    );
    assert_eq!(shape(&service, "Choice").kind.members().len(), 2);
}

#[test]
fn recursion_points_back_by_id() {
    let service = everything();
    let (tree_id, _) = service.shape_named("Tree").unwrap();
    assert_eq!(member(&service, "Tree", "Parent").target, tree_id);
    let children = member(&service, "Tree", "Children");
    let ShapeKind::List(item) = &service.target(children).kind else {
        panic!()
    };
    assert_eq!(item.target, tree_id);
}

#[test]
fn constraints_by_kind() {
    let service = everything();
    let bucket = &shape(&service, "BucketName").constraints;
    assert_eq!((bucket.min_length, bucket.max_length), (Some(3), Some(63)));
    let pattern = bucket.pattern.as_ref().expect("compiles");
    assert!(pattern.is_match("my.bucket-1"));
    assert!(!pattern.is_match("My_Bucket"));
    let count = &shape(&service, "Count").constraints;
    assert_eq!(
        (count.min, count.max),
        (Some(Numeric::Int(-5)), Some(Numeric::Int(100)))
    );
    assert_eq!(count.min_length, None);
    let size = &shape(&service, "Size").constraints;
    assert_eq!(size.max, Some(Numeric::Int(i64::MAX.into())));
    let ratio = &shape(&service, "Ratio").constraints;
    assert_eq!(
        (ratio.min, ratio.max),
        (Some(Numeric::Float(0.0)), Some(Numeric::Float(1.5)))
    );
    assert_eq!(
        shape(&service, "Small").constraints.min,
        Some(Numeric::Float(-19.5))
    );
    let list = &shape(&service, "ItemList").constraints;
    assert_eq!((list.min_length, list.max_length), (Some(0), Some(20)));
    assert_eq!(shape(&service, "Metadata").constraints.max_length, Some(10));
    let data = &shape(&service, "Data").constraints;
    assert_eq!((data.min_length, data.max_length), (Some(1), Some(4096)));
}

#[test]
fn a_pattern_that_does_not_compile_is_skipped_not_fatal() {
    let service = everything();
    let key = &shape(&service, "Key").constraints;
    // Whether look-around compiles is the pattern module's business; either way the service loads.
    match &key.pattern {
        Some(pattern) => assert_eq!(pattern.source(), "^(?!aws:).*$"),
        None => {
            assert_eq!(key.skipped.len(), 1);
            assert_eq!(key.skipped[0].what, "pattern ^(?!aws:).*$");
            assert!(!key.skipped[0].reason.is_empty());
        }
    }
    assert_eq!(key.min_length, Some(1), "the other constraints stay");
}

#[test]
fn member_traits_are_carried() {
    let service = everything();
    let bucket = member(&service, "PutThingRequest", "Bucket");
    assert!(bucket.required);
    assert_eq!(bucket.location, Location::Label { greedy: false });
    assert_eq!(
        member(&service, "PutThingRequest", "Key").location,
        Location::Label { greedy: true }
    );
    let account = member(&service, "PutThingRequest", "AccountId");
    assert!(account.host_label);
    assert_eq!(
        account.location,
        Location::Header("x-amz-account-id".into())
    );
    assert!(!account.required);
    let token = member(&service, "PutThingRequest", "Token");
    assert!(token.idempotency_token);
    assert_eq!(token.location, Location::Query("token".into()));
    assert!(member(&service, "PutThingRequest", "Policy").json_value);
    assert_eq!(
        member(&service, "PutThingRequest", "Meta").location,
        Location::PrefixHeaders("x-amz-meta-".into())
    );
    let when = member(&service, "PutThingRequest", "When");
    assert_eq!(when.timestamp_format, Some(TimestampFormat::HttpDate));
    assert_eq!(
        service.target(when).timestamp_format,
        Some(TimestampFormat::DateTime)
    );
    let count = member(&service, "PutThingRequest", "Count");
    assert!(count.boxed && count.deprecated);
    assert_eq!(count.default.as_deref(), Some(&serde_json::json!(3)));
    assert!(service.target(count).boxed);
    let body = member(&service, "PutThingRequest", "Body");
    assert_eq!(body.location, Location::Payload);
    assert_eq!(body.docs.as_deref(), Some("The tree."));
    assert_eq!(
        member(&service, "PutThingOutput", "Status").location,
        Location::StatusCode
    );
    let items = member(&service, "PutThingOutput", "Items");
    assert!(items.flattened);
    assert_eq!(items.wire_name(), "item");
    let grantee = member(&service, "PutThingOutput", "Grantee");
    let ns = grantee.xml_namespace.as_ref().unwrap();
    assert_eq!(
        (ns.prefix.as_deref(), ns.uri.as_str()),
        (Some("xsi"), "http://www.w3.org/2001/XMLSchema-instance")
    );
    let kind = member(&service, "Grantee", "Type");
    assert!(kind.xml_attribute);
    assert_eq!(kind.location_name.as_deref(), Some("xsi:type"));
    assert_eq!(
        member(&service, "Grantee", "Id").query_name.as_deref(),
        Some("ID")
    );
    assert_eq!(
        shape(&service, "Tree")
            .xml_namespace
            .as_ref()
            .map(|n| n.uri.as_str()),
        Some("http://things/tree")
    );
    assert!(shape(&service, "Key").sensitive);
    assert!(service.is_sensitive(member(&service, "Tree", "Data")));
    assert!(shape(&service, "Color").deprecated);
    assert_eq!(
        shape(&service, "Color").docs.as_deref(),
        Some("Colors (e.g. red) allowed.")
    );
    assert_eq!(
        member(&service, "PutThingRequest", "Key").source.text,
        "",
        "members carry no provenance of their own: their shape's names the place"
    );
    assert_eq!(
        shape(&service, "Tree").source.text,
        "",
        "a published model's shapes keep no provenance text of their own"
    );
    assert_eq!(
        service.shape_source(shape(&service, "Tree")),
        "botocore things/2020-01-02: Tree"
    );
}

#[test]
fn a_member_with_its_own_enum_gets_a_shape_of_its_own() {
    let service = everything();
    let format = member(&service, "PutThingRequest", "Format");
    let target = service.target(format);
    assert_eq!(target.name, "PutThingRequest.Format");
    assert_eq!(
        target.enum_values(),
        Some(&["JSON".to_string(), "YAML".to_string()][..])
    );
    assert_eq!(
        shape(&service, "String").kind.name(),
        "string",
        "the shared target is left alone"
    );
}

#[test]
fn error_shapes() {
    let service = everything();
    let not_found = shape(&service, "NotFound").error.as_ref().unwrap();
    assert_eq!(not_found.code.as_deref(), Some("NoSuchThing"));
    assert_eq!(not_found.status, Some(404));
    assert_eq!(not_found.fault, Fault::Client);
    assert!(!not_found.retryable);
    let throttled = shape(&service, "Throttled").error.as_ref().unwrap();
    assert!(throttled.retryable && throttled.throttling);
    assert_eq!(throttled.status(), 429);
    let internal = shape(&service, "Internal").error.as_ref().unwrap();
    assert_eq!(internal.fault, Fault::Server);
    assert_eq!(internal.status(), 500);
    assert!(internal.retryable && !internal.throttling);
    assert!(shape(&service, "Tree").error.is_none());
    assert_eq!(
        service
            .error_named("NoSuchThing")
            .map(|(_, s)| s.name.as_str()),
        Some("NotFound")
    );
}

#[test]
fn operation_traits() {
    let service = everything();
    let put = &service.operations["PutThing"];
    assert_eq!(put.http.method, "PUT");
    assert_eq!(put.http.uri(), "/things/{Bucket}/{Key+}?tagging");
    assert_eq!(put.http.response_code, 201);
    assert_eq!(put.host_prefix.as_deref(), Some("{AccountId}."));
    assert!(put.unsigned && put.idempotent && put.deprecated);
    assert_eq!(put.readonly, None);
    assert_eq!(put.result_wrapper.as_deref(), Some("PutThingResult"));
    assert_eq!(put.docs.as_deref(), Some("Puts a thing."));
    assert_eq!(put.source.text, "botocore things/2020-01-02: PutThing");
    let errors: Vec<&str> = put
        .errors
        .iter()
        .map(|id| service.shape(*id).name.as_str())
        .collect();
    assert_eq!(errors, ["NotFound", "Throttled", "Internal"]);
    let input = service.shape(put.input.unwrap());
    assert_eq!(input.xml_name.as_deref(), Some("PutThingRequest"));
    assert_eq!(
        input.xml_namespace.as_ref().map(|n| n.uri.as_str()),
        Some("http://things/doc")
    );
    assert_eq!(put.unsupported, None);

    let get = &service.operations["GetThing"];
    assert_eq!(
        (get.http.method.as_str(), get.http.response_code),
        ("GET", 200)
    );
    assert!(get.unsigned, "auth [smithy.api#noAuth] is unsigned");
    assert_eq!(get.readonly, Some(true));
    assert!(!get.idempotent);
    assert_eq!(
        get.unsupported.as_deref(),
        Some("streaming payload `Body` of GetThingOutput")
    );
    assert!(member(&service, "GetThingOutput", "Body").streaming);
    assert_eq!(
        service.operations["WatchThing"].unsupported.as_deref(),
        Some("event stream `Events` of WatchOutput")
    );
    let none = &service.operations["NoIo"];
    assert!(none.input.is_none() && none.output.is_none() && !none.unsigned);
    assert_eq!(none.unsupported, None);
}

#[test]
fn paginators_are_attached_to_their_operations() {
    let mut service = everything();
    apply_paginators(
        &mut service,
        PAGINATORS.as_bytes(),
        Path::new("paginators-1.json"),
    )
    .unwrap();
    let get = service.operations["GetThing"].paginator.as_ref().unwrap();
    assert_eq!(get.input_tokens, ["Marker"]);
    assert_eq!(get.output_tokens, ["NextMarker || Items[-1].Key"]);
    assert_eq!(get.limit_key.as_deref(), Some("Max"));
    assert_eq!(get.result_keys, ["Items", "Other"]);
    assert_eq!(get.more_results.as_deref(), Some("IsTruncated"));
    let put = service.operations["PutThing"].paginator.as_ref().unwrap();
    assert_eq!(put.input_tokens, ["A", "B"]);
    assert_eq!(put.output_tokens, ["NextA", "NextB"]);
    assert_eq!(put.limit_key, None);
    assert!(service.operations["NoIo"].paginator.is_none());
    let err = apply_paginators(
        &mut service,
        b"{\"pagination\": {\"X\": {\"input_token\": 5}}}",
        Path::new("p.json"),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.starts_with("failed to parse p.json: paginator `X`: "),
        "{err}"
    );
}

/// The model with one replacement, for broken variants.
fn broken(from: &str, to: &str) -> String {
    assert!(EVERYTHING.contains(from), "{from}");
    EVERYTHING.replacen(from, to, 1)
}

fn load_error(json: &str) -> String {
    parse_service("things", json.as_bytes(), Path::new("/m/service-2.json"))
        .expect_err("the model is broken")
        .to_string()
}

#[test]
fn broken_models_give_errors_naming_file_and_place() {
    let cases = [
        (
            "{\"metadata\": {\"protocol\": \"json\"}, \"operations\": {".to_string(),
            "failed to parse /m/service-2.json: EOF while parsing",
        ),
        (
            broken(
                r#""Parent": {"shape": "Tree"}"#,
                r#""Parent": {"shape": "Trees"}"#,
            ),
            "failed to load /m/service-2.json: shape `Tree`, member `Parent`: its target `Trees` is no shape of the model",
        ),
        (
            broken(
                r#""Tiny": {"type": "byte"}"#,
                r#""Tiny": {"type": "octet"}"#,
            ),
            "failed to load /m/service-2.json: shape `Tiny`: unknown type `octet`",
        ),
        (
            broken(
                r#""input": {"shape": "GetThingRequest"},"#,
                r#""input": {"shape": "Nope"},"#,
            ),
            "failed to load /m/service-2.json: operation `GetThing`: input `Nope` is no shape of the model",
        ),
        (
            broken(
                r#""input": {"shape": "GetThingRequest"},"#,
                r#""input": {"shape": "String"},"#,
            ),
            "failed to load /m/service-2.json: operation `GetThing`: input `String` is a string, not a structure",
        ),
        (
            broken(r#"[{"shape": "NotFound"}, "#, r#"[{"shape": "Lost"}, "#),
            "failed to load /m/service-2.json: operation `PutThing`: error `Lost` is no shape of the model",
        ),
        (
            broken(
                r#""required": ["Bucket"],"#,
                r#""required": ["Bucket", "Pail"],"#,
            ),
            "failed to load /m/service-2.json: shape `GetThingRequest`: required member `Pail` is not one of its members",
        ),
        (
            broken(r#""payload": "Events""#, r#""payload": "Event""#),
            "failed to load /m/service-2.json: shape `WatchOutput`: payload `Event` is not one of its members",
        ),
        (
            broken(r#""location": "statusCode""#, r#""location": "body""#),
            "failed to load /m/service-2.json: shape `PutThingOutput`, member `Status`: unknown location `body`",
        ),
        (
            broken(
                r#""timestampFormat": "rfc822""#,
                r#""timestampFormat": "rfc2822""#,
            ),
            "failed to load /m/service-2.json: shape `PutThingRequest`, member `When`: unknown timestampFormat `rfc2822`",
        ),
        (
            broken(
                r#""type": "list", "member": {"shape": "Tree", "locationName": "Item"},"#,
                r#""type": "list","#,
            ),
            "failed to load /m/service-2.json: shape `ItemList`: a list without `member`",
        ),
        (
            broken(r#""xmlAttribute": true"#, r#""xmlAttribute": "yes""#),
            "failed to parse /m/service-2.json: shape `Grantee`: member `Type`: invalid type: string \"yes\", expected a boolean",
        ),
        (
            broken(
                r#""protocol": "smithy-rpc-v2-cbor","#,
                r#""protocol": "smoke","#,
            )
            .replace(
                r#""protocols": ["smithy-rpc-v2-cbor", "json", "query"],"#,
                "",
            ),
            "failed to load /m/service-2.json: metadata: no protocol conform knows among `smoke`",
        ),
        (
            broken(
                r#""Tiny": {"type": "byte"}"#,
                r#""Tiny": {"type": "byte"}, "Tiny": {"type": "byte"}"#,
            ),
            "failed to load /m/service-2.json: shape `Tiny`: it is defined twice",
        ),
        (
            "[]".to_string(),
            "failed to parse /m/service-2.json: invalid length 0, expected a service model object",
        ),
        (
            "".to_string(),
            "failed to parse /m/service-2.json: EOF while parsing",
        ),
    ];
    for (json, expected) in cases {
        let err = load_error(&json);
        assert!(
            err.starts_with(expected),
            "expected `{expected}`, got `{err}`"
        );
    }
}

#[test]
fn bad_gzip_is_a_read_error_naming_the_file() {
    let err = parse_service(
        "x",
        &[0x1f, 0x8b, 8, 0, 1, 2, 3],
        Path::new("/m/service-2.json.gz"),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.starts_with("failed to read models from /m/service-2.json.gz: "),
        "{err}"
    );
}

#[test]
fn extras_are_merged_as_botocore_merges_them() {
    let extras = r#"{"version": 1.0, "merge": {
        "metadata": {"serviceId": "Things2"},
        "shapes": {"Time": {"type": "string"}, "GetThingRequest": {"members": {"SourceRegion": {"shape": "String"}}}}
    }}"#;
    let service = parse_service_with_extras(
        "things",
        EVERYTHING.as_bytes(),
        extras.as_bytes(),
        Path::new("service-2.json"),
        Path::new("service-2.sdk-extras.json"),
    )
    .unwrap();
    assert_eq!(service.service_id, "Things2");
    let time = shape(&service, "Time");
    assert_eq!(time.kind.name(), "string");
    assert_eq!(
        time.timestamp_format,
        Some(TimestampFormat::DateTime),
        "other keys stay"
    );
    let names: Vec<&str> = shape(&service, "GetThingRequest")
        .kind
        .members()
        .iter()
        .map(|m| m.name.as_str())
        .collect();
    assert_eq!(names, ["Bucket", "Range", "Max", "SourceRegion"]);
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn small_model(protocol: &str, operations: usize) -> String {
    let ops: Vec<String> = (0..operations)
        .map(|i| format!(r#""Op{i}": {{"http": {{"method": "POST", "requestUri": "/"}}, "input": {{"shape": "In"}}}}"#))
        .collect();
    format!(
        r#"{{"version": "2.0", "metadata": {{"apiVersion": "2021-01-01", "protocol": "{protocol}", "serviceId": "S",
        "endpointPrefix": "s"}}, "operations": {{{}}}, "shapes": {{"In": {{"type": "structure", "members": {{}}}}}}}}"#,
        ops.join(",")
    )
}

/// A tree of models: `alpha` (gzip, two versions, the newer without a model), `beta` (plain JSON), `gamma` (broken).
fn model_tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let write = |rel: &str, bytes: &[u8]| {
        let path = dir.path().join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, bytes).unwrap();
    };
    write(
        "alpha/2019-01-01/service-2.json.gz",
        &gzip(small_model("rest-json", 2).as_bytes()),
    );
    write(
        "alpha/2018-01-01/service-2.json",
        small_model("rest-json", 1).as_bytes(),
    );
    write("alpha/2020-01-01/paginators-1.json", b"{}");
    write(
        "alpha/2019-01-01/paginators-1.json",
        br#"{"pagination": {"Op1": {"input_token": "T", "output_token": "N", "result_key": "R"}}}"#,
    );
    write(
        "beta/2021-01-01/service-2.json",
        small_model("json", 3).as_bytes(),
    );
    write(
        "gamma/2021-01-01/service-2.json.gz",
        &gzip(b"{\"metadata\": {\"protocol\": "),
    );
    write("_retry.json", b"{}");
    write("not-a-service/readme.txt", b"hi");
    dir
}

#[test]
fn a_tree_picks_the_newest_version_with_a_model() {
    let tree = model_tree();
    let models = Models::open(tree.path()).unwrap();
    assert_eq!(models.found_by, FoundBy::Path);
    let names: Vec<(&str, &str)> = models
        .files
        .iter()
        .map(|f| (f.service.as_str(), f.version.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("alpha", "2019-01-01"),
            ("beta", "2021-01-01"),
            ("gamma", "2021-01-01")
        ]
    );
    let alpha = models.load("alpha").unwrap();
    assert_eq!(alpha.operations.len(), 2);
    assert_eq!(alpha.protocol, ProtocolId::RestJson1);
    assert_eq!(
        alpha.operations["Op1"]
            .paginator
            .as_ref()
            .unwrap()
            .output_tokens,
        ["N"]
    );
    let beta = models.load("beta").unwrap();
    assert_eq!(beta.protocol, ProtocolId::AwsJson1_0);
    assert!(
        models
            .load("gamma")
            .unwrap_err()
            .to_string()
            .contains("gamma/2021-01-01/service-2.json.gz")
    );
    let err = models.load("Alpha").unwrap_err().to_string();
    assert!(
        err.starts_with("failed to find service `Alpha` among the models in "),
        "{err}"
    );
    assert!(err.ends_with("; did you mean `alpha`?"), "{err}");
}

#[test]
fn the_catalog_lists_every_service_and_the_failures_apart() {
    let tree = model_tree();
    let catalog = Models::open(tree.path()).unwrap().catalog();
    let listed: Vec<(&str, usize, &[ProtocolId])> = catalog
        .services
        .iter()
        .map(|e| (e.name.as_str(), e.operations, e.protocols.as_slice()))
        .collect();
    assert_eq!(
        listed,
        [
            ("alpha", 2, &[ProtocolId::RestJson1][..]),
            ("beta", 3, &[ProtocolId::AwsJson1_0][..])
        ]
    );
    assert_eq!(catalog.services[0].api_version, "2021-01-01");
    assert_eq!(catalog.services[0].service_id, "S");
    assert_eq!(catalog.failures.len(), 1);
    let failure = catalog.failures[0].to_string();
    assert!(
        failure.starts_with("failed to parse ") && failure.contains("gamma"),
        "{failure}"
    );
}

#[test]
fn a_service_directory_a_version_directory_or_one_file_opens_too() {
    let tree = model_tree();
    let service_dir = Models::open(tree.path().join("alpha")).unwrap();
    assert_eq!(service_dir.files.len(), 1);
    assert_eq!(
        (
            service_dir.files[0].service.as_str(),
            service_dir.files[0].version.as_str()
        ),
        ("alpha", "2019-01-01")
    );
    let version_dir = Models::open(tree.path().join("beta/2021-01-01")).unwrap();
    assert_eq!(version_dir.files[0].service, "beta");
    let file = Models::open(tree.path().join("alpha/2018-01-01/service-2.json")).unwrap();
    assert_eq!(file.files[0].service, "alpha");
    assert_eq!(file.load("alpha").unwrap().operations.len(), 1);
    // A file outside the <service>/<version>/ layout is named by its endpoint prefix.
    let lone = tree.path().join("lone.json");
    fs::write(&lone, small_model("query", 1)).unwrap();
    let lone = Models::open(&lone).unwrap();
    assert_eq!(lone.files[0].service, "s");
    assert_eq!(lone.load("s").unwrap().protocol, ProtocolId::AwsQuery);
}

#[test]
fn unusable_paths_are_errors_naming_them() {
    let err = Models::locate(Some(Path::new("/no/such/models")), None).unwrap_err();
    assert_eq!(
        err.to_string(),
        "failed to read models from /no/such/models: No such file or directory (os error 2)"
    );
    assert!(!err.is_not_found());
    let err = Models::locate(None, Some(OsStr::new("/no/such/env")))
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("failed to read models from /no/such/env: "),
        "{err}"
    );
    let empty = tempfile::tempdir().unwrap();
    let err = Models::open(empty.path()).unwrap_err().to_string();
    assert!(
        err.contains("no <service>/<version>/service-2.json(.gz) under it"),
        "{err}"
    );
}

#[test]
fn the_flag_wins_over_the_environment() {
    let tree = model_tree();
    let models = Models::locate(
        Some(&tree.path().join("beta")),
        Some(OsStr::new("/no/such/env")),
    )
    .unwrap();
    assert_eq!(models.found_by, FoundBy::Flag);
    let models = Models::locate(None, Some(tree.path().join("alpha").as_os_str())).unwrap();
    assert_eq!(models.found_by, FoundBy::Env);
}

#[test]
fn not_found_says_how_to_get_models() {
    let err = BotocoreError::NotFound {
        tried: "no --models PATH, no CONFORM_MODELS, and python3 has no botocore".into(),
    };
    assert!(err.is_not_found());
    assert!(err.to_string().contains("pip install botocore"), "{err}");
}

#[test]
fn asking_python_gives_up_quietly() {
    assert_eq!(
        botocore_data_dir("/no/such/python", Duration::from_secs(1)),
        None
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let slow = dir.path().join("slow-python");
        fs::write(&slow, "#!/bin/sh\nexec sleep 10\n").unwrap();
        fs::set_permissions(&slow, fs::Permissions::from_mode(0o755)).unwrap();
        let started = Instant::now();
        assert_eq!(
            botocore_data_dir(slow.to_str().unwrap(), Duration::from_millis(200)),
            None
        );
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the timeout holds"
        );
        let fake = dir.path().join("fake-python");
        fs::write(&fake, format!("#!/bin/sh\necho {}\n", dir.path().display())).unwrap();
        fs::set_permissions(&fake, fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(
            botocore_data_dir(fake.to_str().unwrap(), Duration::from_secs(5)),
            Some(dir.path().to_path_buf())
        );
    }
}

#[test]
fn parallel_map_keeps_order() {
    let items: Vec<usize> = (0..100).collect();
    assert_eq!(
        parallel_map(&items, |i| i * 2),
        (0..100).map(|i| i * 2).collect::<Vec<_>>()
    );
    assert!(parallel_map(&[] as &[usize], |i| *i).is_empty());
}

#[test]
fn a_pattern_no_string_of_an_allowed_length_matches_is_skipped_with_the_reason() {
    // dataexchange's AwsAccountId: `^`/`$` mid-pattern and two slashes make 14 characters the least in any reading,
    // and the length is 12.
    let json = r#"{
      "version": "2.0",
      "metadata": {"apiVersion": "2020-01-01", "endpointPrefix": "ex", "protocol": "rest-json",
                   "serviceId": "Ex", "signatureVersion": "v4", "uid": "ex-2020-01-01"},
      "operations": {},
      "shapes": {
        "AwsAccountId": {"type": "string", "min": 12, "max": 12, "pattern": ".*/^[\\d]{12}$/.*"},
        "Plain": {"type": "string", "min": 12, "max": 12, "pattern": "^\\d{12}$"}
      }
    }"#;
    let service = parse_service("ex", json.as_bytes(), Path::new("ex.json")).unwrap();
    let id = &shape(&service, "AwsAccountId").constraints;
    assert!(id.pattern.is_none());
    assert_eq!(id.skipped.len(), 1, "{:?}", id.skipped);
    assert_eq!(id.skipped[0].what, r"pattern .*/^[\d]{12}$/.*");
    assert!(
        id.skipped[0]
            .reason
            .contains("no string of length 12 to 12"),
        "{}",
        id.skipped[0].reason
    );
    assert_eq!(
        (id.min_length, id.max_length),
        (Some(12), Some(12)),
        "the lengths stay"
    );
    // Where an allowed length matches, the pattern stays.
    assert!(shape(&service, "Plain").constraints.pattern.is_some());
}
