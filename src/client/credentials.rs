//! Finding credentials: the usual AWS chain, else the documented test pair for loopback targets only.

use std::net::IpAddr;
use std::time::Duration;

use aws_config::environment::credentials::EnvironmentVariableCredentialsProvider;
use aws_config::environment::region::EnvironmentVariableRegionProvider;
use aws_config::meta::region::RegionProviderChain;
use aws_config::profile::ProfileFileCredentialsProvider;
use aws_config::profile::region::ProfileFileRegionProvider;
use aws_config::provider_config::ProviderConfig;
use aws_credential_types::Credentials;
use aws_credential_types::provider::ProvideCredentials;
use aws_credential_types::provider::error::CredentialsError;

use super::ClientError;
use crate::credentials::{TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY};

/// Bounds on the instance-metadata lookup, the last link of the chain. On a developer machine nothing answers
/// 169.254.169.254, and the SDK's defaults (1 s connect, retries) would delay every run; on EC2 the service
/// answers within milliseconds. `AWS_EC2_METADATA_DISABLED=true` skips it entirely.
const IMDS_CONNECT_TIMEOUT: Duration = Duration::from_millis(300);
const IMDS_READ_TIMEOUT: Duration = Duration::from_millis(500);
const IMDS_OPERATION_TIMEOUT: Duration = Duration::from_secs(1);

/// Where the credentials in use come from, to say once at the start of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialSource {
    /// Found by the AWS chain: `environment`, `profile NAME`, `web identity token`, `container`,
    /// `instance metadata`.
    Configured(String),
    /// None found, the endpoint is loopback: the documented test key pair of [`crate::credentials`].
    TestKeyPair,
}

impl std::fmt::Display for CredentialSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CredentialSource::Configured(from) => write!(f, "credentials from {from}"),
            CredentialSource::TestKeyPair => write!(
                f,
                "no credentials configured; signing with the documented test key pair {TEST_ACCESS_KEY_ID} (loopback target)"
            ),
        }
    }
}

/// The credentials to sign with for `endpoint`.
///
/// Tries, in the AWS SDK's order: the environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
/// `AWS_SESSION_TOKEN`), the profile (`profile`, else `AWS_PROFILE`, else `default`, from the shared config and
/// credentials files, including SSO, assume-role and `credential_process`), a web identity token, the container
/// endpoint, and instance metadata (bounded to about a second; see [`IMDS_OPERATION_TIMEOUT`]).
/// When none has credentials: a loopback endpoint gets the test key pair, any other endpoint
/// [`ClientError::NoCredentials`]. A source that has credentials but fails to produce them (an expired SSO
/// session, say) is an error naming it, not a fall-through.
pub async fn resolve_credentials(
    endpoint: &str,
    profile: Option<&str>,
) -> Result<(Credentials, CredentialSource), ClientError> {
    let profile_name = profile
        .map(str::to_string)
        .or_else(|| std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty()))
        .unwrap_or_else(|| "default".to_string());

    // Region for the STS/SSO calls some profiles need; deliberately without the IMDS region lookup.
    let region = RegionProviderChain::first_try(EnvironmentVariableRegionProvider::new())
        .or_else(
            ProfileFileRegionProvider::builder()
                .profile_name(&profile_name)
                .build(),
        )
        .or_else("us-east-1")
        .region()
        .await;
    // aws-config is built without its own HTTPS client (see Cargo.toml); SSO, STS, containers and IMDS use this one.
    let https = aws_smithy_http_client::Builder::new()
        .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
            aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https();
    let config = ProviderConfig::default()
        .with_http_client(https)
        .with_region(region);

    let imds_client = aws_config::imds::Client::builder()
        .configure(&config)
        .max_attempts(1)
        .connect_timeout(IMDS_CONNECT_TIMEOUT)
        .read_timeout(IMDS_READ_TIMEOUT)
        .operation_timeout(IMDS_OPERATION_TIMEOUT)
        .build();

    let chain: Vec<(String, Box<dyn ProvideCredentials>)> = vec![
        (
            "environment".to_string(),
            Box::new(EnvironmentVariableCredentialsProvider::new()),
        ),
        (
            format!("profile {profile_name}"),
            Box::new(
                ProfileFileCredentialsProvider::builder()
                    .configure(&config)
                    .profile_name(&profile_name)
                    .build(),
            ),
        ),
        (
            "web identity token".to_string(),
            Box::new(
                aws_config::web_identity_token::WebIdentityTokenCredentialsProvider::builder()
                    .configure(&config)
                    .build(),
            ),
        ),
        (
            "container".to_string(),
            Box::new(
                aws_config::ecs::EcsCredentialsProvider::builder()
                    .configure(&config)
                    .build(),
            ),
        ),
        (
            "instance metadata".to_string(),
            Box::new(
                aws_config::imds::credentials::ImdsCredentialsProvider::builder()
                    .configure(&config)
                    .imds_client(imds_client)
                    .build(),
            ),
        ),
    ];

    for (name, provider) in chain {
        // The profile provider reports a missing profile as an error; treat "nothing here" kinds alike.
        let explicit_profile = profile.is_some() && name.starts_with("profile ");
        let bounded = tokio::time::timeout(
            if name == "instance metadata" {
                IMDS_OPERATION_TIMEOUT * 2
            } else {
                Duration::from_secs(60)
            },
            provider.provide_credentials(),
        )
        .await;
        match bounded {
            Err(_elapsed) => continue,
            Ok(Ok(credentials)) => return Ok((credentials, CredentialSource::Configured(name))),
            Ok(Err(CredentialsError::CredentialsNotLoaded(_))) => continue,
            // Instance metadata is the chain's last guess, tried on every machine: off EC2 whatever answers
            // (nothing, a timeout, a proxy's 403) means "not here", not a configuration error.
            Ok(Err(_)) if name == "instance metadata" => continue,
            Ok(Err(e))
                if matches!(e, CredentialsError::InvalidConfiguration(_))
                    && name.starts_with("profile ")
                    && !explicit_profile
                    && is_missing_profile(&e) =>
            {
                continue;
            }
            Ok(Err(e)) => {
                return Err(ClientError::Credentials {
                    source_name: name,
                    cause: error_chain(&e),
                });
            }
        }
    }

    if is_loopback(endpoint) {
        Ok((
            Credentials::new(
                TEST_ACCESS_KEY_ID,
                TEST_SECRET_ACCESS_KEY,
                None,
                None,
                "conform",
            ),
            CredentialSource::TestKeyPair,
        ))
    } else {
        Err(ClientError::NoCredentials {
            endpoint: endpoint.to_string(),
        })
    }
}

/// Whether a profile error only says the (implicit) profile does not exist.
fn is_missing_profile(e: &dyn std::error::Error) -> bool {
    let text = error_chain(e).to_ascii_lowercase();
    text.contains("not defined") || text.contains("no profile") || text.contains("could not find")
}

/// An error and its causes, joined by `: `.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

/// Whether `endpoint`'s host is loopback: `localhost` (and `*.localhost`), 127.0.0.0/8 or ::1.
/// A string that is not a URL with a host is not loopback.
pub fn is_loopback(endpoint: &str) -> bool {
    let Ok(url) = reqwest::Url::parse(endpoint) else {
        return false;
    };
    let Some(host) = url.host_str() else {
        return false;
    };
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<IpAddr>() {
        Ok(IpAddr::V4(ip)) => ip.is_loopback(),
        Ok(IpAddr::V6(ip)) => {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        Err(_) => {
            let domain = bare.trim_end_matches('.').to_ascii_lowercase();
            domain == "localhost" || domain.ends_with(".localhost")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_detection() {
        for yes in [
            "http://127.0.0.1:5000",
            "http://127.8.9.10/",
            "http://localhost:4566",
            "http://LOCALHOST",
            "https://api.localhost/x",
            "http://[::1]:8080",
            "http://[::ffff:127.0.0.1]:80",
        ] {
            assert!(is_loopback(yes), "{yes}");
        }
        for no in [
            "https://account.us-east-1.amazonaws.com",
            "http://10.0.0.1:5000",
            "http://128.0.0.1",
            "http://localhost.example.com",
            "http://[::2]",
            "not a url",
            "127.0.0.1:5000",
            "",
        ] {
            assert!(!is_loopback(no), "{no}");
        }
    }

    #[test]
    fn sources_describe_themselves() {
        assert_eq!(
            CredentialSource::Configured("environment".into()).to_string(),
            "credentials from environment"
        );
        assert!(
            CredentialSource::TestKeyPair
                .to_string()
                .contains(TEST_ACCESS_KEY_ID)
        );
    }

    #[test]
    fn no_credentials_message_says_how_to_provide_them() {
        let e = ClientError::NoCredentials {
            endpoint: "https://account.us-east-1.amazonaws.com".into(),
        };
        let text = e.to_string();
        for needle in [
            "https://account.us-east-1.amazonaws.com",
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_PROFILE",
            "aws configure",
            "aws sso login",
        ] {
            assert!(text.contains(needle), "{needle} missing from: {text}");
        }
    }
}
