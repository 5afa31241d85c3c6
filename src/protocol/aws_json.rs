//! awsJson 1.0 and 1.1: `POST /`, `X-Amz-Target: <prefix>.<Operation>`, every member in one JSON object.
//!
//! Requests follow botocore's `JSONSerializer`: the body is always a JSON object (`{}` without input), the
//! Content-Type is `application/x-amz-json-1.0` or `-1.1`, awsQuery-compatible services also get
//! `x-amzn-query-mode: true`, and the host prefix is filled in as on restJson1. Errors are read from the body's
//! `__type`, then `X-Amzn-ErrorType`, then `code`.
//!
//! The server side checks in AWS's order (aws-wire-facts: Content-Type, body parse, then target, then
//! authentication; the embedded target drives the order): [`Protocol::check_body`] refuses a body that is not a
//! JSON object (400 `SerializationException`), [`Protocol::route`] a missing or unknown `X-Amz-Target` (400
//! `UnknownOperationException`); [`Protocol::decode_input`] then reads the members, and a value of the wrong type
//! at any depth is 400 `SerializationException`.

use serde_json::Value as Json;

use crate::model::{Operation, ProtocolId, Service, Value};

use super::json::{self, DecodeOptions, TypeSource};
use super::rest_json::{input_members, judges_required_outputs};
use super::{
    DecodedOutput, EncodeError, ErrorInfo, ErrorSource, HttpRequest, HttpResponse, Malformation,
    Protocol, ProtocolFault, ShapeProblem, WireExpectation, http_binding, json_faults, json_server,
};
use crate::case::Signing;

/// awsJson, version 1.0 or 1.1 (they differ in the Content-Type only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AwsJson {
    version: ProtocolId,
    content_type: &'static str,
}

impl AwsJson {
    /// awsJson 1.0.
    pub const V1_0: AwsJson = AwsJson {
        version: ProtocolId::AwsJson1_0,
        content_type: "application/x-amz-json-1.0",
    };

    /// awsJson 1.1.
    pub const V1_1: AwsJson = AwsJson {
        version: ProtocolId::AwsJson1_1,
        content_type: "application/x-amz-json-1.1",
    };
}

fn fault(status: u16, code: &str, message: impl Into<String>) -> ProtocolFault {
    ProtocolFault {
        status,
        code: code.into(),
        message: message.into(),
    }
}

impl Protocol for AwsJson {
    fn id(&self) -> ProtocolId {
        self.version
    }

    fn encode(
        &self,
        service: &Service,
        op: &Operation,
        input: &Value,
    ) -> Result<HttpRequest, EncodeError> {
        input_members(op, input)?;
        let target = service.target_header(&op.name).ok_or_else(|| {
            EncodeError::Input(format!(
                "{} has no target prefix, which X-Amz-Target needs",
                service.name
            ))
        })?;
        let filled = super::with_idempotency_tokens(service, op, input);
        let members = input_members(op, &filled)?;
        let body = json::members_json(service, service.input_members(op), members, |_| true);
        let mut headers = vec![
            ("x-amz-target".to_string(), target),
            ("content-type".to_string(), self.content_type.to_string()),
        ];
        if service.query_compatible {
            headers.push(("x-amzn-query-mode".into(), "true".into()));
        }
        let mut request = HttpRequest {
            method: "POST".into(),
            path: "/".into(),
            headers,
            body: Json::Object(body).to_string().into_bytes(),
            host_prefix: http_binding::host_prefix(service, op, members)?,
        };
        super::checksum::apply(service, op, &filled, &mut request);
        Ok(request)
    }

    fn decode_error(&self, service: &Service, response: &HttpResponse) -> Option<ErrorInfo> {
        json::decode_error(
            service,
            response,
            &[
                TypeSource::Body("__type"),
                TypeSource::Header,
                TypeSource::Body("code"),
            ],
        )
    }

    fn decode_output(
        &self,
        service: &Service,
        op: &Operation,
        response: &HttpResponse,
    ) -> DecodedOutput {
        let options = DecodeOptions {
            missing_required: judges_required_outputs(op),
            ..DecodeOptions::OUTPUT
        };
        let members: Vec<&crate::model::Member> = service.output_members(op).iter().collect();
        let root = crate::model::Path::root();
        let (values, problems) = match json::parse_body(&response.body) {
            // An empty body reads as `{}` (botocore does the same), so only required members can be missing.
            Ok(None) => json::decode_members(service, &members, &serde_json::Map::new(), options),
            Ok(Some(Json::Object(object))) => {
                json::decode_members(service, &members, &object, options)
            }
            Ok(Some(other)) => (
                Default::default(),
                vec![ShapeProblem {
                    path: root,
                    problem: format!(
                        "expected a JSON object, found {}",
                        json::json_type_phrase(&other)
                    ),
                }],
            ),
            Err(e) => (
                Default::default(),
                vec![ShapeProblem {
                    path: root,
                    problem: format!(
                        "the body is not JSON ({e}): `{}`",
                        json::excerpt(&response.body, 200)
                    ),
                }],
            ),
        };
        DecodedOutput {
            value: Value::Structure(values),
            problems,
        }
    }

    fn content_type(&self) -> &'static str {
        self.content_type
    }

    fn body_optional(&self, _service: &Service, _op: &Operation) -> bool {
        false
    }

    fn malformations(&self, service: &Service, op: &Operation) -> Vec<Malformation> {
        json_faults::malformations(service, op, self.version)
    }

    fn malform(
        &self,
        service: &Service,
        op: &Operation,
        class: &str,
        request: &HttpRequest,
    ) -> Option<HttpRequest> {
        json_faults::malform(service, op, class, request, self.version)
    }

    fn route<'s>(
        &self,
        service: &'s Service,
        request: &HttpRequest,
    ) -> Result<&'s Operation, ProtocolFault> {
        let target = request.header("x-amz-target");
        let found = target.and_then(|t| {
            // The prefix may hold dots itself (CloudTrail's `com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101`);
            // operation names never do.
            let (prefix, name) = t.rsplit_once('.')?;
            (Some(prefix) == service.target_prefix.as_deref())
                .then(|| service.operations.get(name))
                .flatten()
        });
        match (found, target) {
            (Some(op), _) if request.method == "POST" => Ok(op),
            (Some(_), Some(t)) => Err(fault(
                400,
                "UnknownOperationException",
                format!("Operation {t} is not available over {}", request.method),
            )),
            (None, Some(t)) => Err(fault(
                400,
                "UnknownOperationException",
                format!("Unknown operation {t}"),
            )),
            (_, None) => Err(fault(
                400,
                "UnknownOperationException",
                "Missing X-Amz-Target header",
            )),
        }
    }

    fn check_body(&self, request: &HttpRequest) -> Result<(), ProtocolFault> {
        json_server::check_body(request)
    }

    fn decode_input(
        &self,
        service: &Service,
        op: &Operation,
        request: &HttpRequest,
    ) -> Result<Value, ProtocolFault> {
        let object = json_server::body_object(&request.body)?;
        let members: Vec<&crate::model::Member> = service.input_members(op).iter().collect();
        Ok(Value::Structure(json_server::read_members(
            service, &members, &object,
        )?))
    }

    fn decode_input_lenient(
        &self,
        service: &Service,
        op: &Operation,
        request: &HttpRequest,
    ) -> Result<Value, ProtocolFault> {
        json_server::check_body(request)?;
        let object = json_server::json_object(&request.body).unwrap_or_default();
        let members: Vec<&crate::model::Member> = service.input_members(op).iter().collect();
        Ok(Value::Structure(json_server::read_members_lenient(
            service, &members, &object,
        )))
    }

    fn error_document(&self, response: &HttpResponse) -> Option<Json> {
        json_server::json_object(&response.body).map(Json::Object)
    }

    fn error_source(&self) -> ErrorSource {
        ErrorSource::Body("__type")
    }

    fn document_kind(&self) -> &'static str {
        "a JSON object"
    }

    fn wrong_type(&self) -> WireExpectation {
        json_server::wrong_type()
    }

    fn signing_fault(&self, signing: Signing) -> WireExpectation {
        json_server::signing_fault(self.version, signing)
    }

    fn framework_error_code(&self, code: &str) -> String {
        format!("com.amazon.coral.service#{code}")
    }

    fn snapshot_headers(&self) -> &'static [&'static str] {
        &["content-type", "x-amzn-errortype"]
    }

    fn misplace_error_type(&self, response: HttpResponse) -> HttpResponse {
        json_server::misplace_error_type(self.version, response)
    }

    fn strip_error_type(&self, response: HttpResponse) -> HttpResponse {
        json_server::strip_error_type(response)
    }

    fn encode_output(&self, service: &Service, op: &Operation, output: &Value) -> HttpResponse {
        let empty = indexmap::IndexMap::new();
        let values = output.as_structure().unwrap_or(&empty);
        let body = json::members_json(service, service.output_members(op), values, |_| true);
        HttpResponse {
            status: 200,
            headers: vec![("content-type".into(), self.content_type.into())],
            body: Json::Object(body).to_string().into_bytes(),
        }
    }

    fn encode_error(
        &self,
        service: &Service,
        status: u16,
        code: &str,
        message: &str,
        members: &Value,
    ) -> HttpResponse {
        let body = json_server::error_body(Some(code), message, members);
        let mut headers = vec![("content-type".to_string(), self.content_type.to_string())];
        if let Some(query_error) = json::query_error_header(service, code) {
            headers.push(("x-amzn-query-error".into(), query_error));
        }
        HttpResponse {
            status,
            headers,
            body: Json::Object(body).to_string().into_bytes(),
        }
    }
}
