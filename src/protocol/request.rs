//! Correctly framed requests: method, path, Content-Type and `X-Amz-Target` for an operation and a body.

use serde_json::{Map, Value};

use crate::case::WireRequest;
use crate::spec::{Operation, Service};

/// The request for `op` carrying `body` as is, framed the way the service's protocol requires.
///
/// restJson1: the operation's method and path, `content-type: application/json`. awsJson: `POST /`, the
/// protocol's `content-type` and `x-amz-target: <prefix>.<Operation>`. Header names are lower case; there are no
/// authentication headers: the client signs the request later.
pub fn request(service: &Service, op: &Operation, body: String) -> WireRequest {
    let content_type = service.protocol.content_type().to_string();
    if service.protocol.is_aws_json() {
        let mut headers = vec![("content-type".to_string(), content_type)];
        if let Some(target) = service.target(&op.name) {
            headers.push(("x-amz-target".to_string(), target));
        }
        WireRequest {
            method: "POST".to_string(),
            path: "/".to_string(),
            headers,
            body,
        }
    } else {
        WireRequest {
            method: op.http.method.clone(),
            path: op.http.path.clone(),
            headers: vec![("content-type".to_string(), content_type)],
            body,
        }
    }
}

/// The JSON body for an input: a compact JSON object (every input member goes in the body on the seed protocols).
pub fn encode_input(input: &Map<String, Value>) -> String {
    // Serialising a map of JSON values cannot fail.
    serde_json::to_string(input).unwrap_or_else(|_| "{}".to_string())
}

/// The request for `op` with `input` as its JSON body.
pub fn input_request(service: &Service, op: &Operation, input: &Map<String, Value>) -> WireRequest {
    request(service, op, encode_input(input))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::embedded;
    use serde_json::json;

    #[test]
    fn rest_json_uses_the_operation_path() {
        let specs = embedded().unwrap();
        let (service, op) = specs.operation("PutAlternateContact").unwrap();
        let input = json!({"AlternateContactType": "BILLING"});
        let r = input_request(service, op, input.as_object().unwrap());
        assert_eq!(
            (r.method.as_str(), r.path.as_str()),
            ("POST", "/putAlternateContact")
        );
        assert_eq!(r.header("Content-Type"), Some("application/json"));
        assert_eq!(r.header("x-amz-target"), None);
        assert_eq!(r.body, r#"{"AlternateContactType":"BILLING"}"#);
    }

    #[test]
    fn aws_json_posts_to_the_root_with_a_target() {
        let specs = embedded().unwrap();
        let (service, op) = specs.operation("UpdatePrimaryEmailAddress").unwrap();
        let r = request(service, op, "{}".into());
        assert_eq!((r.method.as_str(), r.path.as_str()), ("POST", "/"));
        assert_eq!(r.header("content-type"), Some("application/x-amz-json-1.1"));
        assert_eq!(
            r.header("x-amz-target"),
            Some("WorkMailService.UpdatePrimaryEmailAddress")
        );
        assert!(r.headers.iter().all(|(n, _)| *n == n.to_ascii_lowercase()));
        assert!(r.header("authorization").is_none());
    }
}
