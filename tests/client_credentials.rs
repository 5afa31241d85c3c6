//! Credential resolution with a controlled environment: chain order, the loopback fallback, the error elsewhere.
//!
//! One test function, because it changes process-wide environment variables: tests in one binary run on
//! threads of one process, so several such tests would race.

use std::io::Write;

use conform::client::{ClientError, CredentialSource, resolve_credentials};
use conform::credentials::{TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY};

const CLEARED: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
];

#[tokio::test]
async fn credential_chain_and_fallbacks() {
    let dir = tempfile::tempdir().unwrap();
    let config_file = dir.path().join("config");
    let credentials_file = dir.path().join("credentials");
    // SAFETY: this binary has this single test; nothing else reads the environment concurrently.
    unsafe {
        for var in CLEARED {
            std::env::remove_var(var);
        }
        std::env::set_var("HOME", dir.path());
        std::env::set_var("AWS_CONFIG_FILE", &config_file);
        std::env::set_var("AWS_SHARED_CREDENTIALS_FILE", &credentials_file);
        // Off: on an EC2 machine instance metadata would rightly find credentials and change the outcome.
        std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
    }

    // Nothing configured, loopback: the documented test pair.
    for endpoint in [
        "http://127.0.0.1:5000",
        "http://localhost:4566",
        "http://[::1]:8080",
    ] {
        let (credentials, source) = resolve_credentials(endpoint, None).await.expect(endpoint);
        assert_eq!(source, CredentialSource::TestKeyPair);
        assert_eq!(credentials.access_key_id(), TEST_ACCESS_KEY_ID);
        assert_eq!(credentials.secret_access_key(), TEST_SECRET_ACCESS_KEY);
    }

    // Nothing configured, remote: an error saying how to provide them.
    let remote = "https://account.us-east-1.amazonaws.com";
    let err = resolve_credentials(remote, None)
        .await
        .expect_err("no credentials");
    assert!(matches!(err, ClientError::NoCredentials { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.starts_with("failed to "), "{text}");
    assert!(
        text.contains(remote)
            && text.contains("AWS_ACCESS_KEY_ID")
            && text.contains("aws sso login"),
        "{text}"
    );

    // A profile file: found for remote endpoints, named.
    let mut file = std::fs::File::create(&credentials_file).unwrap();
    writeln!(
        file,
        "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = default-secret\n\n\
         [ci]\naws_access_key_id = AKIDCI\naws_secret_access_key = ci-secret\naws_session_token = ci-token"
    )
    .unwrap();
    drop(file);
    let (credentials, source) = resolve_credentials(remote, None).await.unwrap();
    assert_eq!(
        source,
        CredentialSource::Configured("profile default".into())
    );
    assert_eq!(credentials.access_key_id(), "AKIDDEFAULT");

    let (credentials, source) = resolve_credentials(remote, Some("ci")).await.unwrap();
    assert_eq!(source, CredentialSource::Configured("profile ci".into()));
    assert_eq!(credentials.access_key_id(), "AKIDCI");
    assert_eq!(credentials.session_token(), Some("ci-token"));

    unsafe { std::env::set_var("AWS_PROFILE", "ci") };
    let (credentials, _) = resolve_credentials(remote, None).await.unwrap();
    assert_eq!(credentials.access_key_id(), "AKIDCI");

    // A profile asked for by name that does not exist is an error naming it, not a silent fallback.
    let err = resolve_credentials("http://127.0.0.1:5000", Some("nope"))
        .await
        .expect_err("missing profile");
    assert!(matches!(err, ClientError::Credentials { .. }), "{err:?}");
    assert!(err.to_string().contains("profile nope"), "{err}");

    // Credentials that come over HTTP (here the container endpoint, as ECS and EKS serve them): aws-config has no
    // HTTPS client of its own in this build, so this proves the one conform gives it carries the request.
    unsafe { std::env::remove_var("AWS_PROFILE") };
    std::fs::remove_file(&credentials_file).unwrap();
    let container = container_credentials_server().await;
    unsafe { std::env::set_var("AWS_CONTAINER_CREDENTIALS_FULL_URI", &container) };
    let (credentials, source) = resolve_credentials(remote, None).await.unwrap();
    assert_eq!(source, CredentialSource::Configured("container".into()));
    assert_eq!(credentials.access_key_id(), "AKIDCONTAINER");
    assert_eq!(credentials.session_token(), Some("container-token"));
    unsafe { std::env::remove_var("AWS_CONTAINER_CREDENTIALS_FULL_URI") };

    // The environment comes first, also against loopback.
    unsafe {
        std::env::set_var("AWS_ACCESS_KEY_ID", "AKIDENV");
        std::env::set_var("AWS_SECRET_ACCESS_KEY", "env-secret");
    }
    let (credentials, source) = resolve_credentials("http://127.0.0.1:5000", None)
        .await
        .unwrap();
    assert_eq!(source, CredentialSource::Configured("environment".into()));
    assert_eq!(credentials.access_key_id(), "AKIDENV");
}

/// A loopback server answering every request as the container credentials endpoint does; returns its URL.
async fn container_credentials_server() -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/creds", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let body = r#"{"AccessKeyId":"AKIDCONTAINER","SecretAccessKey":"container-secret","Token":"container-token","Expiration":"2099-01-01T00:00:00Z"}"#;
                let answer = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(answer.as_bytes()).await;
            });
        }
    });
    url
}
