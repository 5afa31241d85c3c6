//! `conform serve` as a process: the secret key from the environment or a file (never from `ps`), and connections
//! that send nothing, stop half-way or idle are closed rather than held forever.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, SystemTime};

use crate::serve_support::*;
use serde_json::json;

const SECRET: &str = "s3cr3t-for-the-serve-test-0123456789abcdef";

/// GetPrimaryEmail of the member account, signed with `secret`: its status.
async fn status_signed_with(endpoint: &str, secret: &str) -> u16 {
    let req = account("/getPrimaryEmail", json!({"AccountId": MEMBER}));
    let host = endpoint.trim_start_matches("http://");
    let signed = signature_headers(
        &req,
        host,
        conform::credentials::TEST_ACCESS_KEY_ID,
        secret,
        SystemTime::now(),
    );
    let client = reqwest::Client::new();
    let mut builder = client.post(format!("{endpoint}{}", req.path));
    for (name, value) in req.headers.iter().chain(signed.iter()) {
        builder = builder.header(name.as_str(), value.as_str());
    }
    builder
        .body(req.body.clone())
        .send()
        .await
        .expect("the target answers")
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_secret_key_comes_from_the_environment_or_a_file() {
    let test_secret = conform::credentials::TEST_SECRET_ACCESS_KEY;
    let (mut child, endpoint) = serve_process(&[], &[("CONFORM_SERVE_SECRET_ACCESS_KEY", SECRET)]);
    let (with_env, with_test_key) = (
        status_signed_with(&endpoint, SECRET).await,
        status_signed_with(&endpoint, test_secret).await,
    );
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!((with_env, with_test_key), (200, 403));

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("secret");
    std::fs::write(&file, format!("{SECRET}\n")).unwrap();
    let (mut child, endpoint) =
        serve_process(&["--secret-access-key-file", file.to_str().unwrap()], &[]);
    let (with_file, with_test_key) = (
        status_signed_with(&endpoint, SECRET).await,
        status_signed_with(&endpoint, test_secret).await,
    );
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!((with_file, with_test_key), (200, 403));

    // The help names the variable but never shows its value.
    let help = Command::new(env!("CARGO_BIN_EXE_conform"))
        .args(["serve", "--help"])
        .env("CONFORM_SERVE_SECRET_ACCESS_KEY", SECRET)
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("CONFORM_SERVE_SECRET_ACCESS_KEY"), "{help}");
    assert!(!help.contains(SECRET), "{help}");

    // Both ways at once, or an empty file, is a usage error naming the problem.
    let both = Command::new(env!("CARGO_BIN_EXE_conform"))
        .args(["serve", "--port", "0", "--secret-access-key-file"])
        .arg(&file)
        .env("CONFORM_SERVE_SECRET_ACCESS_KEY", SECRET)
        .output()
        .unwrap();
    assert_eq!(both.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&both.stderr).contains("both give the secret key"));
    std::fs::write(&file, "\n").unwrap();
    let empty = Command::new(env!("CARGO_BIN_EXE_conform"))
        .args(["serve", "--port", "0", "--secret-access-key-file"])
        .arg(&file)
        .env_remove("CONFORM_SERVE_SECRET_ACCESS_KEY")
        .output()
        .unwrap();
    assert_eq!(empty.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&empty.stderr).contains("its first line is empty"));
}

/// Reads until the server closes the connection (or a generous bound passes, which fails the test).
#[track_caller]
fn assert_closed_by_the_server(mut stream: TcpStream, what: &str) -> Vec<u8> {
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return seen,
            Ok(n) => seen.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return seen,
            Err(e) => panic!("{what}: the connection was held open ({e})"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_and_half_open_connections_are_closed() {
    let mut config = config(&[]);
    config.idle_timeout = Duration::from_millis(300);
    let t = start_with(config).await;
    let addr = t.addr();
    tokio::task::spawn_blocking(move || {
        // Nothing sent at all.
        assert_closed_by_the_server(TcpStream::connect(addr).unwrap(), "a silent connection");
        // Half a request head.
        let mut half = TcpStream::connect(addr).unwrap();
        half.write_all(b"POST / HTTP/1.1\r\nHost: x\r\n").unwrap();
        assert_closed_by_the_server(half, "half a request head");
        // A whole head, then a body that stops half-way.
        let mut stalled = TcpStream::connect(addr).unwrap();
        stalled
            .write_all(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"a\":")
            .unwrap();
        assert_closed_by_the_server(stalled, "a body that stopped");
        // One whole request answered, then the kept-alive connection idles.
        let mut idle = TcpStream::connect(addr).unwrap();
        idle.write_all(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}")
            .unwrap();
        let answered = assert_closed_by_the_server(idle, "an idle kept-alive connection");
        assert!(
            answered.starts_with(b"HTTP/1.1 4"),
            "the request was answered first: {}",
            String::from_utf8_lossy(&answered)
        );
    })
    .await
    .unwrap();
    t.shutdown().await;
}
