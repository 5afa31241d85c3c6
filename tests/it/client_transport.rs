//! The client against small misbehaving servers on loopback: each transport failure maps to its error.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use aws_credential_types::Credentials;
use conform::case::{Case, CaseClass, CaseKind, Signing};
use conform::client::{Client, ClientConfig, TransportError};
use conform::model::{Outcome, Service, Value};
use conform::oracle::Expected;
use conform::protocol::HttpRequest;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

fn account() -> Service {
    let specs = conform::spec::embedded_model().expect("embedded specs load");
    specs
        .services
        .get("account")
        .cloned()
        .expect("account spec")
}

fn case(signing: Signing) -> Case {
    Case {
        id: "t-1".into(),
        service: "account".into(),
        operation: "GetContactInformation".into(),
        kind: CaseKind::Valid,
        class: CaseClass::Random,
        input: Value::structure(),
        mutation: None,
        request: HttpRequest {
            method: "POST".into(),
            path: "/getContactInformation".into(),
            headers: vec![("content-type".into(), "application/json".into())],
            body: b"{}".to_vec(),
            host_prefix: None,
        },
        signing,
        expected: Expected::certain(vec![Outcome::success(200)], ""),
    }
}

fn config(endpoint: &str) -> ClientConfig {
    ClientConfig {
        timeout: Duration::from_millis(700),
        max_retries: 2,
        max_response_bytes: 64 * 1024,
        base_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_secs(2),
        retry_seed: 42,
        ..ClientConfig::new(
            endpoint,
            Credentials::new(
                conform::credentials::TEST_ACCESS_KEY_ID,
                conform::credentials::TEST_SECRET_ACCESS_KEY,
                None,
                None,
                "conform",
            ),
        )
    }
}

/// Read one HTTP request head and its `content-length` body, so a reply comes after the whole request.
async fn read_request(stream: &mut TcpStream) -> String {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = stream.read(&mut chunk).await.unwrap_or(0);
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            if buf.len() >= end + 4 + length {
                break;
            }
        }
    }
    String::from_utf8_lossy(&buf).into_owned()
}

/// A server that answers each connection with `respond(connection_number, request_text)`.
async fn serve<F>(respond: F) -> (String, Arc<AtomicUsize>)
where
    F: Fn(usize, &str) -> Option<Vec<u8>> + Send + Sync + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let counter = count.clone();
    let respond = Arc::new(respond);
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            let n = counter.fetch_add(1, Ordering::SeqCst);
            let respond = respond.clone();
            tokio::spawn(async move {
                let request = read_request(&mut stream).await;
                match respond(n, &request) {
                    Some(bytes) => {
                        let _ = stream.write_all(&bytes).await;
                        let _ = stream.shutdown().await;
                    }
                    None => {
                        // Stall: hold the connection open and say nothing.
                        tokio::time::sleep(Duration::from_secs(30)).await;
                    }
                }
            });
        }
    });
    (endpoint, count)
}

fn http(status: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n",
        body.len()
    );
    for (n, v) in headers {
        out.push_str(&format!("{n}: {v}\r\n"));
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

fn assert_names(err: &TransportError, endpoint: &str) {
    let text = err.to_string();
    assert!(text.contains(endpoint), "`{text}` does not name {endpoint}");
    assert!(text.starts_with("failed to "), "{text}");
}

#[tokio::test]
async fn refused_connection_is_refused_in_probe_and_send() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let client = Client::new(config(&endpoint)).unwrap();

    let err = client.probe().await.expect_err("nothing listens");
    assert!(matches!(err, TransportError::Refused { .. }), "{err:?}");
    assert_names(&err, &endpoint);

    let err = client
        .send(&account(), &case(Signing::Valid))
        .await
        .expect_err("refused");
    assert!(matches!(err, TransportError::Refused { .. }), "{err:?}");
    assert_names(&err, &endpoint);
    // Refused for a whole timeout: the target went away, and the client says so once, for the run to stop.
    let why = tokio::time::timeout(Duration::from_secs(5), client.unavailable())
        .await
        .expect("the client reports the target gone");
    assert!(
        why.refused_for
            .is_some_and(|d| d >= Duration::from_millis(700)),
        "{why:?}"
    );
}

/// A target that restarts during a run (an emulator that crashed and was started again) refuses connections for a
/// moment: the request, which never reached it, is sent again when it is back, and the run goes on.
#[tokio::test]
async fn a_target_back_within_the_timeout_answers_the_request_it_refused() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let endpoint = format!("http://{address}");
    drop(listener);
    let back = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let listener = TcpListener::bind(address).await.unwrap();
        let (mut stream, _) = listener.accept().await.unwrap();
        let _ = read_request(&mut stream).await;
        let _ = stream
            .write_all(&http(
                "200 OK",
                &[("content-type", "application/json")],
                b"{}",
            ))
            .await;
        let _ = stream.shutdown().await;
    });
    let client = Client::new(config(&endpoint)).unwrap();
    let exchange = client
        .send(&account(), &case(Signing::Valid))
        .await
        .expect("answered once the target is back");
    assert_eq!(exchange.response.status, 200);
    assert_eq!(
        exchange.retries, 0,
        "a refused connection is not a retry of a request"
    );
    back.await.unwrap();
    assert!(
        tokio::time::timeout(Duration::from_millis(50), client.unavailable())
            .await
            .is_err(),
        "the target is not reported gone"
    );
}

#[tokio::test]
async fn probe_succeeds_against_a_listener() {
    let (endpoint, _) = serve(|_, _| Some(http("200 OK", &[], b"{}"))).await;
    Client::new(config(&endpoint))
        .unwrap()
        .probe()
        .await
        .expect("listening");
}

#[tokio::test]
async fn stalling_server_times_out() {
    let (endpoint, _) = serve(|_, _| None).await;
    let client = Client::new(config(&endpoint)).unwrap();
    let err = client
        .send(&account(), &case(Signing::Valid))
        .await
        .expect_err("stalls");
    assert!(
        matches!(err, TransportError::Timeout { after, .. } if after == Duration::from_millis(700)),
        "{err:?}"
    );
    assert_names(&err, &endpoint);
}

#[tokio::test]
async fn closing_without_answer_is_reset() {
    let (endpoint, _) = serve(|_, _| Some(Vec::new())).await;
    let client = Client::new(config(&endpoint)).unwrap();
    let err = client
        .send(&account(), &case(Signing::Valid))
        .await
        .expect_err("closed");
    assert!(matches!(err, TransportError::Reset { .. }), "{err:?}");
    assert_names(&err, &endpoint);
}

#[tokio::test]
async fn truncated_body_is_reset() {
    let (endpoint, _) =
        serve(|_, _| Some(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{\"half\":".to_vec()))
            .await;
    let client = Client::new(config(&endpoint)).unwrap();
    let err = client
        .send(&account(), &case(Signing::Valid))
        .await
        .expect_err("truncated");
    assert!(matches!(err, TransportError::Reset { .. }), "{err:?}");
    assert_names(&err, &endpoint);
}

#[tokio::test]
async fn reset_before_reading_is_reset() {
    // Accept and close without reading: closing a socket with unread data makes the kernel send a RST.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::time::sleep(Duration::from_millis(50)).await;
            drop(stream);
        }
    });
    let client = Client::new(config(&endpoint)).unwrap();
    let err = client
        .send(&account(), &case(Signing::Valid))
        .await
        .expect_err("reset");
    assert!(matches!(err, TransportError::Reset { .. }), "{err:?}");
    assert_names(&err, &endpoint);
}

#[tokio::test]
async fn html_comes_back_as_a_response() {
    let page = b"<html><body><h1>502 Bad Gateway</h1></body></html>";
    let (endpoint, _) = serve(|_, _| {
        Some(http(
            "502 Bad Gateway",
            &[("Content-Type", "text/html")],
            page,
        ))
    })
    .await;
    let client = Client::new(config(&endpoint)).unwrap();
    let exchange = client
        .send(&account(), &case(Signing::Valid))
        .await
        .expect("a response");
    assert_eq!(exchange.response.status, 502);
    assert_eq!(exchange.response.header("content-type"), Some("text/html"));
    assert!(
        exchange
            .response
            .headers
            .iter()
            .all(|(n, _)| *n == n.to_ascii_lowercase()),
        "{:?}",
        exchange.response.headers
    );
    assert_eq!(exchange.response.body, page);
    assert_eq!(exchange.retries, 0);
}

#[tokio::test]
async fn garbage_is_a_protocol_error() {
    let (endpoint, _) =
        serve(|_, _| Some(b"\x00\x01\x02 SSH-2.0-OpenSSH_9.6 not http at all\r\n\r\n".to_vec()))
            .await;
    let client = Client::new(config(&endpoint)).unwrap();
    let err = client
        .send(&account(), &case(Signing::Valid))
        .await
        .expect_err("garbage");
    assert!(matches!(err, TransportError::Protocol { .. }), "{err:?}");
    assert_names(&err, &endpoint);
}

#[tokio::test]
async fn oversized_body_is_too_large() {
    let big = vec![b'a'; 200 * 1024];
    let (endpoint, _) = serve(move |_, _| Some(http("200 OK", &[], &big))).await;
    let client = Client::new(config(&endpoint)).unwrap();
    let err = client
        .send(&account(), &case(Signing::Valid))
        .await
        .expect_err("too large");
    assert!(
        matches!(err, TransportError::TooLarge { limit: 65536, .. }),
        "{err:?}"
    );
    assert_names(&err, &endpoint);
}

#[tokio::test]
async fn oversized_chunked_body_is_too_large() {
    // No content-length: the limit must hold while streaming.
    let (endpoint, _) = serve(|_, _| {
        let mut out = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n".to_vec();
        for _ in 0..40 {
            out.extend_from_slice(b"1000\r\n");
            out.extend_from_slice(&[b'z'; 0x1000]);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"0\r\n\r\n");
        Some(out)
    })
    .await;
    let client = Client::new(config(&endpoint)).unwrap();
    let err = client
        .send(&account(), &case(Signing::Valid))
        .await
        .expect_err("too large");
    assert!(matches!(err, TransportError::TooLarge { .. }), "{err:?}");
    assert_names(&err, &endpoint);
}

#[tokio::test]
async fn throttled_once_then_success() {
    let (endpoint, count) = serve(|n, _| {
        Some(if n == 0 {
            http(
                "429 Too Many Requests",
                &[
                    ("Retry-After", "0"),
                    ("x-amzn-ErrorType", "TooManyRequestsException"),
                ],
                br#"{"message":"slow down"}"#,
            )
        } else {
            http(
                "200 OK",
                &[("content-type", "application/json")],
                br#"{"ok":true}"#,
            )
        })
    })
    .await;
    let client = Client::new(config(&endpoint)).unwrap();
    let exchange = client
        .send(&account(), &case(Signing::Valid))
        .await
        .expect("succeeds");
    assert_eq!(exchange.response.status, 200);
    assert_eq!(exchange.retries, 1);
    assert_eq!(exchange.throttled, 1);
    assert_eq!(count.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn throttling_error_type_in_body_is_retried() {
    let (endpoint, count) = serve(|n, _| {
        Some(if n == 0 {
            http(
                "400 Bad Request",
                &[],
                br#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#,
            )
        } else {
            http("200 OK", &[], b"{}")
        })
    })
    .await;
    let client = Client::new(config(&endpoint)).unwrap();
    let exchange = client
        .send(&account(), &case(Signing::Valid))
        .await
        .expect("succeeds");
    assert_eq!((exchange.response.status, exchange.retries), (200, 1));
    assert_eq!(count.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn always_throttled_gives_up_with_the_last_response() {
    let (endpoint, count) = serve(|n, _| {
        Some(http(
            "429 Too Many Requests",
            &[],
            format!(r#"{{"message":"attempt {n}"}}"#).as_bytes(),
        ))
    })
    .await;
    let client = Client::new(config(&endpoint)).unwrap();
    let exchange = client
        .send(&account(), &case(Signing::Valid))
        .await
        .expect("a response");
    assert_eq!(exchange.response.status, 429);
    assert_eq!(exchange.retries, 2);
    assert_eq!(exchange.throttled, 3);
    assert_eq!(count.load(Ordering::SeqCst), 3);
    assert_eq!(exchange.response.body, br#"{"message":"attempt 2"}"#);
}

#[tokio::test]
async fn request_goes_out_as_recorded_and_signed() {
    let (endpoint, _) = serve(|_, request| {
        // Echo the request back, so the test sees what arrived.
        Some(http("200 OK", &[], request.as_bytes()))
    })
    .await;
    let client = Client::new(config(&endpoint)).unwrap();
    let exchange = client
        .send(&account(), &case(Signing::Valid))
        .await
        .unwrap();
    let arrived = String::from_utf8(exchange.response.body.clone()).unwrap();
    let arrived_lower = arrived.to_ascii_lowercase();
    assert!(
        arrived.starts_with("POST /getContactInformation HTTP/1.1\r\n"),
        "{arrived}"
    );
    assert!(arrived.ends_with("\r\n\r\n{}"), "{arrived}");
    let host = endpoint.trim_start_matches("http://");
    assert_eq!(exchange.request.header("host"), Some(host));
    for (name, value) in &exchange.request.headers {
        assert!(
            arrived_lower.contains(&format!("{name}: {}", value.to_ascii_lowercase())),
            "{name}: {value} not in {arrived}"
        );
    }
    assert_eq!(arrived_lower.matches("\r\nhost:").count(), 1, "{arrived}");
    let auth = exchange.request.header("authorization").expect("signed");
    assert!(
        auth.contains("/us-east-1/account/aws4_request"),
        "Account signs for us-east-1 whatever the region: {auth}"
    );
    assert!(exchange.request.header("x-amz-date").is_some());
}

#[tokio::test]
async fn unsigned_sends_no_authorization() {
    let (endpoint, _) = serve(|_, request| Some(http("200 OK", &[], request.as_bytes()))).await;
    let client = Client::new(config(&endpoint)).unwrap();
    let exchange = client
        .send(&account(), &case(Signing::Unsigned))
        .await
        .unwrap();
    let arrived = String::from_utf8(exchange.response.body)
        .unwrap()
        .to_ascii_lowercase();
    assert!(!arrived.contains("authorization:"), "{arrived}");
    assert!(!arrived.contains("x-amz-date:"), "{arrived}");
    assert!(exchange.request.header("authorization").is_none());
}

#[tokio::test]
async fn odd_methods_and_missing_content_type_go_out_as_given() {
    let (endpoint, _) = serve(|_, request| Some(http("200 OK", &[], request.as_bytes()))).await;
    let client = Client::new(config(&endpoint)).unwrap();
    let mut odd = case(Signing::Valid);
    odd.request.method = "PATCHY".into();
    odd.request.headers.clear();
    odd.request.body = "{not json".into();
    let exchange = client.send(&account(), &odd).await.unwrap();
    let arrived = String::from_utf8(exchange.response.body).unwrap();
    assert!(
        arrived.starts_with("PATCHY /getContactInformation HTTP/1.1\r\n"),
        "{arrived}"
    );
    assert!(
        !arrived.to_ascii_lowercase().contains("content-type:"),
        "{arrived}"
    );
    assert!(arrived.ends_with("{not json"), "{arrived}");
}

#[tokio::test]
async fn an_unbuildable_request_is_an_error_not_a_panic() {
    let (endpoint, _) = serve(|_, _| Some(http("200 OK", &[], b"{}"))).await;
    let client = Client::new(config(&endpoint)).unwrap();
    let mut bad = case(Signing::Valid);
    bad.request
        .headers
        .push(("x-bad".into(), "line\r\nbreak".into()));
    let err = client
        .send(&account(), &bad)
        .await
        .expect_err("invalid header value");
    assert!(matches!(err, TransportError::Other { .. }), "{err:?}");
    assert_names(&err, &endpoint);
    assert!(err.to_string().contains("x-bad"), "{err}");
}

#[tokio::test]
async fn clones_share_one_client_across_tasks() {
    let (endpoint, count) = serve(|_, _| Some(http("200 OK", &[], b"{}"))).await;
    let client = Client::new(ClientConfig {
        rate: Some(200.0),
        ..config(&endpoint)
    })
    .unwrap();
    let service = Arc::new(account());
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let client = client.clone();
        let service = service.clone();
        tasks.push(tokio::spawn(async move {
            client
                .send(&service, &case(Signing::Valid))
                .await
                .map(|e| e.response.status)
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap(), 200);
    }
    assert_eq!(count.load(Ordering::SeqCst), 8);
}
