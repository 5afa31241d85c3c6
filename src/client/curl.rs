//! Copy-pasteable curl commands that reproduce a request: curl signs it itself with `--aws-sigv4` and the
//! credentials in the environment, so no signature, token or secret is ever printed.

use crate::case::Signing;
use crate::protocol::HttpRequest;

/// What replaces a redacted signature or token where a header must be shown (snapshot headers, reports).
pub const REDACTED: &str = "REDACTED";

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

/// How the printed command signs.
#[derive(Debug, Clone)]
pub struct CurlSigning<'a> {
    /// The region the request is signed for.
    pub region: &'a str,
    /// The SigV4 signing name (`account`).
    pub service: &'a str,
    /// How the case was signed: only valid and unknown-key signatures can be reproduced by curl.
    pub signing: Signing,
    /// Whether the credentials in use carry a session token (then it is sent from `$AWS_SESSION_TOKEN`).
    pub session_token: bool,
    /// An access key id the command uses instead of `$AWS_ACCESS_KEY_ID` (the unknown-key case's).
    pub access_key_id: Option<&'a str>,
}

/// Headers the command leaves out: curl computes them, or they are signing headers curl makes afresh.
fn derived_header(lower: &str) -> bool {
    matches!(
        lower,
        "host" | "content-length" | "authorization" | "x-amz-date" | "x-amz-security-token"
    )
}

/// A curl command that sends `request` to `endpoint` again and signs it with `--aws-sigv4`, taking the
/// credentials from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` (and `AWS_SESSION_TOKEN`).
///
/// `body` is the body to print, when it differs from the request's (masked by the redaction policy); binary
/// bodies are piped through `base64 -d`. Each argument is single-quoted for POSIX shells; variables are
/// double-quoted so the shell expands them. Signing faults that curl cannot make (a wrong signature, an expired
/// date) are sent unsigned-but-annotated: the comment line says so.
pub fn curl_command(
    request: &HttpRequest,
    endpoint: &str,
    signing: &CurlSigning<'_>,
    body: Option<&[u8]>,
) -> String {
    let body = body.unwrap_or(&request.body);
    let url = format!("{}{}", endpoint.trim_end_matches('/'), request.path);
    let mut out = String::new();
    match signing.signing {
        Signing::BadSignature => out.push_str(
            "# curl cannot send a wrong signature: this command signs correctly, so it shows the valid answer\n",
        ),
        Signing::Expired => out.push_str(
            "# curl cannot sign with an old date: this command signs correctly, so it shows the valid answer\n",
        ),
        _ => {}
    }
    let text_body = std::str::from_utf8(body).ok().filter(|t| {
        !t.chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    });
    if !body.is_empty() && text_body.is_none() {
        use base64::Engine;
        out.push_str(&format!(
            "printf '%s' {} | base64 -d | ",
            shell_quote(&base64::engine::general_purpose::STANDARD.encode(body))
        ));
    }
    out.push_str("curl");
    if request.method != "GET" || !body.is_empty() {
        out.push_str(" -X ");
        out.push_str(&shell_quote(&request.method));
    }
    out.push(' ');
    out.push_str(&shell_quote(&url));
    if signing.signing != Signing::Unsigned {
        out.push_str(&format!(
            " \\\n  --aws-sigv4 {}",
            shell_quote(&format!("aws:amz:{}:{}", signing.region, signing.service))
        ));
        let key = match signing.access_key_id {
            Some(key) => key.to_string(),
            None => "$AWS_ACCESS_KEY_ID".to_string(),
        };
        out.push_str(&format!(" \\\n  --user \"{key}:$AWS_SECRET_ACCESS_KEY\""));
        if signing.session_token {
            out.push_str(" \\\n  -H \"x-amz-security-token: $AWS_SESSION_TOKEN\"");
        }
    }
    for (name, value) in &request.headers {
        if derived_header(&name.to_ascii_lowercase()) {
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
    if !request
        .headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
    {
        // curl would add `application/x-www-form-urlencoded` to a body; the request had none.
        out.push_str(" \\\n  -H 'Content-Type:'");
    }
    if !body.is_empty() {
        out.push_str(" \\\n  --data-binary ");
        match text_body {
            Some(text) => out.push_str(&shell_quote(text)),
            None => out.push_str("@-"),
        }
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

    fn signed_request(body: &str) -> HttpRequest {
        HttpRequest {
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
            body: body.as_bytes().to_vec(),
            host_prefix: None,
        }
    }

    fn valid() -> CurlSigning<'static> {
        CurlSigning {
            region: "us-east-1",
            service: "account",
            signing: Signing::Valid,
            session_token: true,
            access_key_id: None,
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
    }

    #[test]
    fn foreign_authorization_schemes_are_replaced_whole() {
        let headers = vec![("Authorization".to_string(), format!("Basic {SECRET}"))];
        assert_eq!(redact_headers(&headers)[0].1, REDACTED);
    }

    #[test]
    fn curl_re_signs_itself_and_prints_no_secret() {
        let body = r#"{"AccountId":"123456789012","Name":"it's"}"#;
        let curl = curl_command(
            &signed_request(body),
            "http://127.0.0.1:5000/",
            &valid(),
            None,
        );
        assert!(!curl.contains(SIGNATURE), "{curl}");
        assert!(!curl.contains("FQoGZXIvYXdzEXAMPLETOKEN"), "{curl}");
        assert!(!curl.contains("20240501T123456Z"), "{curl}");
        assert!(
            curl.contains("--aws-sigv4 'aws:amz:us-east-1:account'"),
            "{curl}"
        );
        assert!(
            curl.contains("--user \"$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY\""),
            "{curl}"
        );
        assert!(
            curl.contains("-H \"x-amz-security-token: $AWS_SESSION_TOKEN\""),
            "{curl}"
        );
        assert!(
            curl.starts_with("curl -X 'POST' 'http://127.0.0.1:5000/putContactInformation'"),
            "{curl}"
        );
        assert!(
            curl.ends_with(r#"--data-binary '{"AccountId":"123456789012","Name":"it'\''s"}'"#),
            "{curl}"
        );
    }

    #[test]
    fn unsigned_cases_print_no_signing_and_binary_bodies_are_piped() {
        let mut request = signed_request("");
        request.body = vec![0xa1, 0x00, 0xff];
        let signing = CurlSigning {
            signing: Signing::Unsigned,
            ..valid()
        };
        let curl = curl_command(&request, "http://h", &signing, None);
        assert!(!curl.contains("--aws-sigv4"), "{curl}");
        assert!(
            curl.starts_with("printf '%s' 'oQD/' | base64 -d | curl"),
            "{curl}"
        );
        assert!(curl.ends_with("--data-binary @-"), "{curl}");
    }

    #[test]
    fn empty_header_values_are_sent_empty() {
        let mut request = signed_request("");
        request.headers = vec![("x-amz-target".into(), String::new())];
        let curl = curl_command(&request, "http://h", &valid(), None);
        assert!(curl.contains("-H 'x-amz-target;'"), "{curl}");
        assert!(!curl.contains("--data-binary"), "{curl}");
    }
}
