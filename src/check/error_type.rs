//! Reading an error response: the error type (normalised per protocol), the message, and body excerpts.

use serde_json::{Map, Value};

use crate::case::WireResponse;
use crate::spec::Protocol;

/// Where an error type can be carried, in the order a protocol's clients look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Header,
    Code,
    Type,
}

/// The bare error type of a non-2xx response, `None` for a 2xx response or when no source carries one.
///
/// restJson1 looks at the `x-amzn-errortype` header first, then the body's `code`, then `__type`; the awsJson
/// protocols look at `__type`, then `code`, then the header (smithy's protocol documents). The first non-empty
/// value wins and is normalised with [`normalise_type_name`].
pub fn normalise_error_type(protocol: Protocol, response: &WireResponse) -> Option<String> {
    if (200..300).contains(&response.status) {
        return None;
    }
    let body = json_object(&response.body);
    let order = if protocol.is_aws_json() {
        [Source::Type, Source::Code, Source::Header]
    } else {
        [Source::Header, Source::Code, Source::Type]
    };
    order.into_iter().find_map(|source| {
        let raw = match source {
            Source::Header => response.header("x-amzn-errortype"),
            Source::Code => body.as_ref().and_then(|b| b.get("code")?.as_str()),
            Source::Type => body.as_ref().and_then(|b| b.get("__type")?.as_str()),
        }?;
        let name = normalise_type_name(raw);
        (!name.is_empty()).then(|| name.to_string())
    })
}

/// Normalises a raw error type: cut at the first `:`, keep what follows the last `#`, trim.
///
/// `com.amazon.coral.service#SerializationException` and
/// `UnrecognizedClientException:http://internal.amazon.com/coral/com.amazon.coral.service/` give the bare name.
pub fn normalise_type_name(raw: &str) -> &str {
    let before_colon = raw.split(':').next().unwrap_or(raw);
    before_colon
        .rsplit('#')
        .next()
        .unwrap_or(before_colon)
        .trim()
}

/// The body parsed as a JSON object, `None` when it is not one.
pub(crate) fn json_object(body: &[u8]) -> Option<Map<String, Value>> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Some(map),
        _ => None,
    }
}

/// The error message of a JSON error body: `message`, `Message` or `errorMessage`, the first that is a string.
pub fn error_message(body: &Map<String, Value>) -> Option<&str> {
    ["message", "Message", "errorMessage"]
        .into_iter()
        .find_map(|key| body.get(key)?.as_str())
}

/// Whether a body is empty or only whitespace.
pub fn is_blank(body: &[u8]) -> bool {
    body.iter().all(u8::is_ascii_whitespace)
}

/// At most `max` characters of a body as one line of text: invalid UTF-8 replaced, control characters escaped,
/// `…` marking a cut.
pub fn body_excerpt(body: &[u8], max: usize) -> String {
    let text = String::from_utf8_lossy(body);
    let mut out = String::new();
    for (count, c) in text.chars().enumerate() {
        if count == max {
            out.push('…');
            break;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&c.escape_default().to_string()),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, headers: &[(&str, &str)], body: &str) -> WireResponse {
        WireResponse {
            status,
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn the_facts_file_examples_normalise_to_bare_names() {
        assert_eq!(
            normalise_type_name("com.amazon.coral.service#SerializationException"),
            "SerializationException"
        );
        assert_eq!(
            normalise_type_name(
                "UnrecognizedClientException:http://internal.amazon.com/coral/com.amazon.coral.service/"
            ),
            "UnrecognizedClientException"
        );
        assert_eq!(
            normalise_type_name("aws.protocoltests#FooError:http://x#y"),
            "FooError"
        );
        assert_eq!(
            normalise_type_name("ValidationException"),
            "ValidationException"
        );
    }

    #[test]
    fn rest_json_prefers_the_header_then_code_then_type() {
        let r = response(
            400,
            &[(
                "x-amzn-errortype",
                "ValidationException:http://internal.amazon.com/",
            )],
            r#"{"code":"Other","__type":"Third"}"#,
        );
        assert_eq!(
            normalise_error_type(Protocol::RestJson1, &r).as_deref(),
            Some("ValidationException")
        );
        let r = response(400, &[], r#"{"code":"a#Second","__type":"Third"}"#);
        assert_eq!(
            normalise_error_type(Protocol::RestJson1, &r).as_deref(),
            Some("Second")
        );
        let r = response(400, &[], r#"{"__type":"x#Third"}"#);
        assert_eq!(
            normalise_error_type(Protocol::RestJson1, &r).as_deref(),
            Some("Third")
        );
    }

    #[test]
    fn aws_json_prefers_the_body_type_then_code_then_the_header() {
        let r = response(
            400,
            &[("X-Amzn-ErrorType", "HeaderError")],
            r#"{"__type":"com.amazonaws.workmail#EntityNotFoundException","code":"Code"}"#,
        );
        assert_eq!(
            normalise_error_type(Protocol::AwsJson1_1, &r).as_deref(),
            Some("EntityNotFoundException")
        );
        let r = response(400, &[("x-amzn-errortype", "HeaderError")], "<html>");
        assert_eq!(
            normalise_error_type(Protocol::AwsJson1_0, &r).as_deref(),
            Some("HeaderError")
        );
    }

    #[test]
    fn successes_and_bodies_without_a_type_have_none() {
        let ok = response(200, &[("x-amzn-errortype", "Nope")], r#"{"__type":"Nope"}"#);
        assert_eq!(normalise_error_type(Protocol::RestJson1, &ok), None);
        let html = response(502, &[], "<html><body>Bad Gateway</body></html>");
        assert_eq!(normalise_error_type(Protocol::AwsJson1_1, &html), None);
        let empty_type = response(400, &[("x-amzn-errortype", ":x")], "");
        assert_eq!(normalise_error_type(Protocol::RestJson1, &empty_type), None);
    }

    #[test]
    fn messages_are_found_under_each_spelling() {
        for key in ["message", "Message", "errorMessage"] {
            let body = json_object(format!(r#"{{"{key}":"m"}}"#).as_bytes()).unwrap();
            assert_eq!(error_message(&body), Some("m"));
        }
        let body = json_object(br#"{"msg":"m","message":5}"#).unwrap();
        assert_eq!(error_message(&body), None);
    }

    #[test]
    fn excerpts_are_one_line_and_cut() {
        assert_eq!(body_excerpt(b"a\nb\x01", 10), "a\\nb\\u{1}");
        assert_eq!(body_excerpt("ééé".as_bytes(), 2), "éé…");
        assert_eq!(body_excerpt(&[0xff, b'a'], 5), "\u{fffd}a");
    }
}
