//! wrk, the ceiling: valid requests framed by conform's protocol encoder and signed by its signer, sent in turn by a
//! Lua script; and reading wrk's report.

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::SystemTime;

use aws_credential_types::Credentials;
use conform::case::Signing;
use conform::cli::CliError;
use conform::client::{SignInput, host_header, signing_headers};
use conform::credentials::{TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY};
use conform::model::Model;
use conform::model::json_form::from_json;
use conform::protocol::HttpRequest;

use crate::run::BenchRunArgs;
use crate::tools::{failed, tail};

/// The valid requests wrk cycles through, as JSON inputs: a put, then a get of what it put (so both answer 200).
pub const WRK_REQUESTS: [(&str, &str); 2] = [
    (
        "PutAlternateContact",
        r#"{"AlternateContactType":"BILLING","EmailAddress":"bench@example.com","Name":"Bench Mark","PhoneNumber":"+1 206 555 0100","Title":"Billing lead"}"#,
    ),
    (
        "GetAlternateContact",
        r#"{"AlternateContactType":"BILLING"}"#,
    ),
];

/// The request conform sends for `operation` with this JSON input: encoded by the service's protocol, unsigned.
pub fn encoded_request(model: &Model, operation: &str, input: &str) -> Result<HttpRequest, String> {
    let (service, op) = model
        .operation(operation)
        .ok_or_else(|| format!("failed to find operation {operation} in the specs"))?;
    let json: serde_json::Value = serde_json::from_str(input)
        .map_err(|e| format!("failed to parse the input of {operation}: {e}"))?;
    let value = match op.input {
        Some(shape) => from_json(service, shape, &json),
        None => conform::model::Value::Structure(Default::default()),
    };
    let protocol = conform::protocol::for_id(service.protocol).ok_or_else(|| {
        format!(
            "failed to encode {operation}: conform does not speak {} yet",
            service.protocol
        )
    })?;
    protocol
        .encode(service, op, &value)
        .map_err(|e| format!("failed to encode {operation}: {e}"))
}

/// A raw HTTP/1.1 request as conform sends it: `host`, the protocol's headers, then SigV4 headers from conform's
/// signer (test key pair, signed at `time`; the embedded target allows a clock skew of minutes, far more than a
/// wrk run), and the body.
pub fn signed_request(
    model: &Model,
    endpoint: &str,
    operation: &str,
    input: &str,
    time: SystemTime,
) -> Result<String, String> {
    let (service, _) = model
        .operation(operation)
        .ok_or_else(|| format!("failed to find operation {operation} in the specs"))?;
    let request = encoded_request(model, operation, input)?;
    if request.host_prefix.is_some() {
        return Err(format!(
            "failed to frame {operation} for wrk: its endpoint has a host prefix"
        ));
    }
    let url = reqwest::Url::parse(&format!(
        "{}{}",
        endpoint.trim_end_matches('/'),
        request.path
    ))
    .map_err(|e| format!("failed to parse endpoint `{endpoint}`: {e}"))?;
    let mut headers = vec![(
        "host".to_string(),
        host_header(&url).ok_or_else(|| format!("failed to find a host in `{endpoint}`"))?,
    )];
    headers.extend(request.headers.iter().cloned());
    let credentials = Credentials::new(
        TEST_ACCESS_KEY_ID,
        TEST_SECRET_ACCESS_KEY,
        None,
        None,
        "conform",
    );
    let input = SignInput {
        url: url.as_str(),
        method: &request.method,
        headers: &headers,
        body: &request.body,
        signing_name: &service.signing_name,
        region: service.region.resolve(None),
        time,
    };
    let signed = signing_headers(&input, &credentials, Signing::Valid)?;
    headers.extend(signed);
    let body = String::from_utf8(request.body)
        .map_err(|_| format!("failed to frame {operation} for wrk: its body is not text"))?;
    let mut text = format!("{} {} HTTP/1.1\r\n", request.method, request.path);
    for (name, value) in &headers {
        let _ = write!(text, "{name}: {value}\r\n");
    }
    let _ = write!(text, "content-length: {}\r\n\r\n{body}", body.len());
    Ok(text)
}

/// A wrk script that sends these raw requests in turn.
pub fn wrk_script(requests: &[String]) -> String {
    let mut script = String::from(
        "-- written by `conform-bench run`: requests signed by conform's signer, sent in turn\nlocal requests = {\n",
    );
    for r in requests {
        let _ = writeln!(script, "  {},", lua_string(r));
    }
    script.push_str(
        "}\nlocal i = 0\nrequest = function()\n  i = i % #requests + 1\n  return requests[i]\nend\n",
    );
    script
}

/// A Lua string literal for any bytes: printable ASCII as is, the rest as three-digit decimal escapes.
fn lua_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for b in text.bytes() {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            0x20..=0x7e => out.push(b as char),
            _ => {
                let _ = write!(out, "\\{b:03}");
            }
        }
    }
    out.push('"');
    out
}

/// Runs wrk against `endpoint` with the signed requests, for `--seconds` with `--concurrency` connections.
pub fn run_wrk(
    wrk: &Path,
    model: &Model,
    endpoint: &str,
    args: &BenchRunArgs,
    dir: &Path,
) -> Result<WrkFigures, CliError> {
    let now = SystemTime::now();
    let requests = WRK_REQUESTS
        .iter()
        .map(|(op, input)| signed_request(model, endpoint, op, input, now))
        .collect::<Result<Vec<_>, _>>()
        .map_err(failed)?;
    let script = dir.join("requests.lua");
    std::fs::write(&script, wrk_script(&requests))
        .map_err(|e| failed(format!("failed to write `{}`: {e}", script.display())))?;
    let output = Command::new(wrk)
        .arg("-t1")
        .arg(format!("-c{}", args.concurrency.max(1)))
        .arg(format!("-d{}s", args.seconds.max(1)))
        .arg("-s")
        .arg(&script)
        .arg(endpoint)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| failed(format!("failed to start `{}`: {e}", wrk.display())))?;
    let text = String::from_utf8_lossy(&output.stdout);
    match (output.status.success(), parse_wrk(&text)) {
        (true, Some(figures)) => Ok(figures),
        _ => Err(failed(format!(
            "failed to run wrk against {endpoint} ({}): {}{}",
            output.status,
            tail(&text, 10),
            tail(&String::from_utf8_lossy(&output.stderr), 5)
        ))),
    }
}

/// wrk's figure is a ceiling only if its requests were answered as valid ones.
pub fn check_wrk(figures: &WrkFigures, target: &str) -> Result<(), CliError> {
    if figures.requests == 0
        || figures.non_2xx * 2 > figures.requests
        || figures.socket_errors * 2 > figures.requests
    {
        return Err(CliError::Failed {
            message: format!(
                "failed to measure a ceiling on {target}: of wrk's {} requests, {} got a non-2xx answer and {} hit socket errors",
                figures.requests, figures.non_2xx, figures.socket_errors
            ),
            help: Some("the requests are signed when wrk starts; check the clocks, and that the target is Account on loopback".to_string()),
        });
    }
    Ok(())
}

/// What wrk reported.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WrkFigures {
    /// Requests completed.
    pub requests: u64,
    /// How long it ran.
    pub seconds: f64,
    /// Its requests per second.
    pub per_second: f64,
    /// Answers that were neither 2xx nor 3xx.
    pub non_2xx: u64,
    /// Connect, read, write and timeout errors.
    pub socket_errors: u64,
}

/// Parses wrk's report: `N requests in 10.01s, …`, `Requests/sec: …`, `Non-2xx or 3xx responses: N`,
/// `Socket errors: connect 0, read 0, write 0, timeout 0`.
pub fn parse_wrk(text: &str) -> Option<WrkFigures> {
    let mut requests = None;
    let mut seconds = None;
    let mut per_second = None;
    let mut non_2xx = 0;
    let mut socket_errors = 0;
    for line in text.lines().map(str::trim) {
        if let Some((n, rest)) = line.split_once(" requests in ") {
            requests = n.trim().parse().ok();
            seconds = parse_wrk_duration(rest.split(',').next()?.trim());
        } else if let Some(rate) = line.strip_prefix("Requests/sec:") {
            per_second = rate.trim().parse().ok();
        } else if let Some(n) = line.strip_prefix("Non-2xx or 3xx responses:") {
            non_2xx = n.trim().parse().ok()?;
        } else if let Some(errors) = line.strip_prefix("Socket errors:") {
            socket_errors = errors
                .split(',')
                .filter_map(|part| part.split_whitespace().last()?.parse::<u64>().ok())
                .sum();
        }
    }
    Some(WrkFigures {
        requests: requests?,
        seconds: seconds?,
        per_second: per_second?,
        non_2xx,
        socket_errors,
    })
}

/// `10.01s`, `1.00m`, `500.00ms`, `1.00h` in seconds.
fn parse_wrk_duration(text: &str) -> Option<f64> {
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    Some(match unit {
        "us" => number / 1e6,
        "ms" => number / 1e3,
        "s" => number,
        "m" => number * 60.0,
        "h" => number * 3600.0,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use conform::case::CaseKind;
    use conform::generate::{self, GenConfig};

    use super::*;

    #[test]
    fn wrk_reports_are_parsed() {
        let text = "Running 5s test @ http://127.0.0.1:5055
  1 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    40.29ms    4.71ms  70.37ms   75.38%
    Req/Sec   197.62     15.15   222.00     62.00%
  987 requests in 5.01s, 450.13KB read
  Non-2xx or 3xx responses: 12
  Socket errors: connect 0, read 3, write 0, timeout 2
Requests/sec:    196.88
Transfer/sec:     89.79KB
";
        assert_eq!(
            parse_wrk(text),
            Some(WrkFigures {
                requests: 987,
                seconds: 5.01,
                per_second: 196.88,
                non_2xx: 12,
                socket_errors: 5,
            })
        );
        let clean = "  191234 requests in 1.00m, 40.1MB read\nRequests/sec:   3187.21\n";
        let figures = parse_wrk(clean).unwrap();
        assert_eq!((figures.requests, figures.seconds), (191_234, 60.0));
        assert_eq!((figures.non_2xx, figures.socket_errors), (0, 0));
        assert_eq!(
            parse_wrk("unable to connect to 127.0.0.1:1 Connection refused"),
            None
        );
        assert_eq!(parse_wrk_duration("500.00ms"), Some(0.5));
        assert_eq!(parse_wrk_duration("10s"), Some(10.0));
        assert_eq!(parse_wrk_duration("3x"), None);
    }

    #[test]
    fn a_ceiling_needs_valid_answers() {
        let mut figures =
            parse_wrk("  100 requests in 1.00s, 1KB read\nRequests/sec: 100\n").unwrap();
        assert!(check_wrk(&figures, "moto").is_ok());
        figures.non_2xx = 60;
        let error = check_wrk(&figures, "moto").unwrap_err().to_string();
        assert!(
            error.starts_with("failed to measure a ceiling on moto"),
            "{error}"
        );
    }

    #[test]
    fn lua_strings_escape_everything_but_printable_ascii() {
        assert_eq!(lua_string("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(lua_string("x\r\n1"), r#""x\013\0101""#);
        assert_eq!(lua_string("é"), r#""\195\169""#);
    }

    #[test]
    fn the_wrk_script_cycles_through_signed_requests() {
        let model = conform::spec::embedded_model().unwrap();
        let time = SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600); // 2026-01-01
        let (operation, input) = WRK_REQUESTS[0];
        let put = signed_request(&model, "http://127.0.0.1:4566/", operation, input, time).unwrap();
        assert!(
            put.starts_with("POST /putAlternateContact HTTP/1.1\r\nhost: 127.0.0.1:4566\r\n"),
            "{put}"
        );
        assert!(
            put.contains("\r\ncontent-type: application/json\r\n"),
            "{put}"
        );
        assert!(
            put.contains("\r\nx-amz-date: 20260101T000000Z\r\n"),
            "{put}"
        );
        assert!(
            put.contains("authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/account/aws4_request"),
            "{put}"
        );
        let body =
            String::from_utf8(encoded_request(&model, operation, input).unwrap().body).unwrap();
        assert!(
            put.ends_with(&format!("content-length: {}\r\n\r\n{body}", body.len())),
            "{put}"
        );
        let sent: serde_json::Value = serde_json::from_str(&body).unwrap();
        let given: serde_json::Value = serde_json::from_str(input).unwrap();
        assert_eq!(sent, given, "the body carries the input as given");
        let script = wrk_script(&[put, "GET / HTTP/1.1\r\n\r\n".into()]);
        assert!(
            script.contains("  \"POST /putAlternateContact HTTP/1.1\\013\\010host"),
            "{script}"
        );
        assert!(script.contains("i = i % #requests + 1"), "{script}");
    }

    #[test]
    fn wrk_sends_valid_requests_with_the_generator_s_framing() {
        let model = conform::spec::embedded_model().unwrap();
        for (operation, input) in WRK_REQUESTS {
            let (service, op) = model.operation(operation).unwrap();
            let json: serde_json::Value = serde_json::from_str(input).unwrap();
            let value = from_json(service, op.input.unwrap(), &json);
            assert_eq!(
                conform::model::validate_input(service, op.input.unwrap(), &value),
                vec![],
                "{operation}"
            );
            let mut config = GenConfig::new(&model, 0, 0);
            config.operations = vec![operation.to_string()];
            config.kinds = vec![CaseKind::Valid];
            let case = generate::generate(&model, &config).next().unwrap();
            let ours = encoded_request(&model, operation, input).unwrap();
            assert_eq!(
                (ours.method.as_str(), ours.path.as_str()),
                (case.request.method.as_str(), case.request.path.as_str()),
                "{operation}"
            );
            let names =
                |r: &HttpRequest| r.headers.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
            assert_eq!(names(&ours), names(&case.request), "{operation}");
        }
    }
}
