//! Copy-pasteable curl commands for a sent request, with secrets redacted and sensitive members masked.

use crate::case::WireRequest;

/// What replaces a redacted signature or token.
pub const REDACTED: &str = "REDACTED";
/// What replaces the value of a sensitive member.
pub const MASK: &str = "***";

/// Headers safe to print: the `Authorization` signature replaced (the algorithm, credential scope and signed
/// headers kept, since they help to debug), `x-amz-security-token` and any other secret-bearing header replaced.
pub fn redact_headers(headers: &[(String, String)]) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            let lower = name.to_ascii_lowercase();
            let value = if lower == "authorization" {
                redact_authorization(value)
            } else if is_secret_header(&lower) {
                REDACTED.to_string()
            } else {
                value.clone()
            };
            (name.clone(), value)
        })
        .collect()
}

/// Headers whose whole value is a secret.
fn is_secret_header(lower: &str) -> bool {
    matches!(
        lower,
        "x-amz-security-token"
            | "proxy-authorization"
            | "cookie"
            | "x-amz-server-side-encryption-customer-key"
    )
}

/// Keep `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…`; replace `Signature=…`. Anything that is not a SigV4
/// header is replaced whole: there is no telling where its secret sits.
fn redact_authorization(value: &str) -> String {
    let Some(rest) = value.strip_prefix("AWS4-HMAC-SHA256 ") else {
        return REDACTED.to_string();
    };
    let parts: Vec<String> = rest
        .split(',')
        .map(|part| {
            let trimmed = part.trim();
            match trimmed.split_once('=') {
                Some(("Credential", v)) => format!("Credential={v}"),
                Some(("SignedHeaders", v)) => format!("SignedHeaders={v}"),
                Some(("Signature", _)) => format!("Signature={REDACTED}"),
                Some((k, _)) => format!("{k}={REDACTED}"),
                None => REDACTED.to_string(),
            }
        })
        .collect();
    format!("AWS4-HMAC-SHA256 {}", parts.join(", "))
}

/// A body safe to print: the values of `sensitive_members` at the top level of a JSON object replaced by `***`.
/// A body that is not a JSON object is returned as it is (malformed bodies are the point of some cases).
pub fn mask_body(body: &str, sensitive_members: &[&str]) -> String {
    if sensitive_members.is_empty() {
        return body.to_string();
    }
    let Ok(serde_json::Value::Object(mut object)) = serde_json::from_str::<serde_json::Value>(body)
    else {
        return body.to_string();
    };
    let mut changed = false;
    for member in sensitive_members {
        if let Some(value) = object.get_mut(*member) {
            *value = serde_json::Value::String(MASK.to_string());
            changed = true;
        }
    }
    if changed {
        serde_json::Value::Object(object).to_string()
    } else {
        body.to_string()
    }
}

/// A curl command that sends `request` to `endpoint` again, with [`redact_headers`] and [`mask_body`] applied.
///
/// Each argument is single-quoted for POSIX shells. The redacted `Authorization` will of course be refused:
/// re-sign with `conform replay` or your own credentials.
pub fn curl_command(request: &WireRequest, endpoint: &str, sensitive_members: &[&str]) -> String {
    let url = format!("{}{}", endpoint.trim_end_matches('/'), request.path);
    let mut out = String::from("curl");
    if request.method != "GET" || !request.body.is_empty() {
        out.push_str(" -X ");
        out.push_str(&shell_quote(&request.method));
    }
    out.push(' ');
    out.push_str(&shell_quote(&url));
    for (name, value) in redact_headers(&request.headers) {
        // curl derives Host and Content-Length itself; sending them again would duplicate them.
        if name.eq_ignore_ascii_case("host") || name.eq_ignore_ascii_case("content-length") {
            continue;
        }
        out.push_str(" \\\n  -H ");
        if value.is_empty() {
            // `-H 'name:'` would remove the header; `name;` sends it empty.
            out.push_str(&shell_quote(&format!("{name};")));
        } else {
            out.push_str(&shell_quote(&format!("{name}: {value}")));
        }
    }
    if !request.body.is_empty() {
        out.push_str(" \\\n  --data-binary ");
        out.push_str(&shell_quote(&mask_body(&request.body, sensitive_members)));
    }
    out
}

/// Single-quote for POSIX shells: `'` becomes `'\''`.
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    const SIGNATURE: &str = "fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024";

    fn signed_request(body: &str) -> WireRequest {
        WireRequest {
            method: "POST".into(),
            path: "/putContactInformation".into(),
            headers: vec![
                ("host".into(), "127.0.0.1:5000".into()),
                ("content-type".into(), "application/json".into()),
                ("x-amz-date".into(), "20240501T123456Z".into()),
                (
                    "x-amz-security-token".into(),
                    "FQoGZXIvYXdzEXAMPLETOKEN".into(),
                ),
                (
                    "authorization".into(),
                    format!(
                        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240501/us-east-1/account/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature={SIGNATURE}"
                    ),
                ),
            ],
            body: body.into(),
        }
    }

    #[test]
    fn authorization_keeps_scope_and_loses_signature() {
        let redacted = redact_headers(&signed_request("").headers);
        let auth = &redacted
            .iter()
            .find(|(n, _)| n == "authorization")
            .unwrap()
            .1;
        assert_eq!(
            auth,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240501/us-east-1/account/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=REDACTED"
        );
        let token = &redacted
            .iter()
            .find(|(n, _)| n == "x-amz-security-token")
            .unwrap()
            .1;
        assert_eq!(token, REDACTED);
        let date = &redacted.iter().find(|(n, _)| n == "x-amz-date").unwrap().1;
        assert_eq!(date, "20240501T123456Z");
    }

    #[test]
    fn foreign_authorization_schemes_are_replaced_whole() {
        let headers = vec![("Authorization".to_string(), format!("Basic {SECRET}"))];
        assert_eq!(redact_headers(&headers)[0].1, REDACTED);
    }

    #[test]
    fn curl_never_leaks_signature_token_or_secret_and_masks_members() {
        let body = format!(
            r#"{{"AccountId":"123456789012","ContactInformation":{{"FullName":"Jane"}},"Password":"{SECRET}"}}"#
        );
        let curl = curl_command(
            &signed_request(&body),
            "http://127.0.0.1:5000/",
            &["Password", "ContactInformation"],
        );
        assert!(!curl.contains(SIGNATURE), "{curl}");
        assert!(!curl.contains(SECRET), "{curl}");
        assert!(!curl.contains("FQoGZXIvYXdzEXAMPLETOKEN"), "{curl}");
        assert!(!curl.contains("Jane"), "{curl}");
        assert!(curl.contains(r#""Password":"***""#), "{curl}");
        assert!(curl.contains(r#""ContactInformation":"***""#), "{curl}");
        assert!(curl.contains(r#""AccountId":"123456789012""#), "{curl}");
        assert!(
            curl.starts_with("curl -X 'POST' 'http://127.0.0.1:5000/putContactInformation'"),
            "{curl}"
        );
        assert!(
            curl.contains("-H 'content-type: application/json'"),
            "{curl}"
        );
        assert!(!curl.contains("-H 'host:"), "{curl}");
    }

    #[test]
    fn non_json_bodies_are_left_alone_and_quoted() {
        let body = "{\"Password\": \"it's\" broken";
        let curl = curl_command(&signed_request(body), "http://h", &["Password"]);
        assert!(
            curl.ends_with(r#"--data-binary '{"Password": "it'\''s" broken'"#),
            "{curl}"
        );
    }

    #[test]
    fn empty_header_values_are_sent_empty() {
        let mut request = signed_request("");
        request.headers = vec![("content-type".into(), String::new())];
        let curl = curl_command(&request, "http://h", &[]);
        assert!(curl.contains("-H 'content-type;'"), "{curl}");
        assert!(!curl.contains("--data-binary"), "{curl}");
    }
}
