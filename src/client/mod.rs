//! The HTTP client: signs each case's request with SigV4, sends it, retries throttling, and classifies failures.
//!
//! One [`Client`] per run, shared by every task (it is cheap to clone): it holds one connection pool, one rate
//! limiter and one backoff generator. [`Client::send`] returns the [`Exchange`] — the request exactly as sent,
//! signing headers included, and the response — or a [`TransportError`] saying what went wrong with the target
//! at the transport level. Any HTTP response, however odd (HTML, not JSON, a 500), is an `Exchange`: judging it
//! is the checks' job.

pub mod addressing;
mod credentials;
mod curl;
mod rate;
mod retry;
mod sign;

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use aws_credential_types::Credentials;

use crate::case::{Case, Signing};
use crate::model::Service;
use crate::protocol::{HttpRequest, HttpResponse};

pub use credentials::{CredentialSource, is_loopback, resolve_credentials};
pub use curl::{CurlSigning, REDACTED, curl_command, redact_headers};
pub use rate::RateLimiter;
pub use retry::{
    Backoff, THROTTLING_ERROR_TYPES, ThrottleWatch, UNAVAILABLE_AFTER, Unavailable, is_throttled,
    parse_retry_after,
};
pub use sign::{EXPIRED_BY, SignInput, host_header, signing_headers};

/// How to reach and talk to a target.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Base URL (`http://127.0.0.1:5000`, `https://account.us-east-1.amazonaws.com`); case paths are appended.
    pub endpoint: String,
    /// The user's region; each service's `RegionRule` decides what is signed (Account: always us-east-1).
    pub region: Option<String>,
    /// What requests are signed with.
    pub credentials: Credentials,
    /// Limit on one attempt: connecting, sending and reading the whole response.
    pub timeout: Duration,
    /// Most requests per second across all tasks, retries included; `None` for no limit.
    pub rate: Option<f64>,
    /// How many times a throttled response (429, 503, throttling error type) is retried before it is returned.
    pub max_retries: u32,
    /// Largest response body accepted; a larger one is [`TransportError::TooLarge`].
    pub max_response_bytes: usize,
    /// First backoff step when the server sends no `Retry-After`; doubles per retry.
    pub base_backoff: Duration,
    /// Longest wait before a retry, `Retry-After` included.
    pub max_backoff: Duration,
    /// Seed of the backoff jitter (use the run's seed).
    pub retry_seed: u64,
    /// Name the service each request is for in an [`SERVICE_HINT_HEADER`] header: only for conform's own embedded
    /// target, which serves every loaded service on one port where AWS tells them apart by host name (Neptune
    /// and RDS, Q Connect and Wisdom share signing names and routes). Never sent to any other target.
    pub service_hint: bool,
    /// How S3 requests name their bucket: in the path, or in the host (see [`addressing`]).
    pub s3_addressing: addressing::S3Addressing,
}

/// The header naming the service a request is for, sent to the embedded target only (see
/// [`ClientConfig::service_hint`]).
pub const SERVICE_HINT_HEADER: &str = "x-conform-service";

impl ClientConfig {
    /// A configuration with the defaults: 30 s timeout, no rate limit, 3 retries, 10 MiB responses,
    /// backoff from 100 ms up to 20 s, seed 0. Override fields with struct update syntax.
    pub fn new(endpoint: impl Into<String>, credentials: Credentials) -> Self {
        ClientConfig {
            endpoint: endpoint.into(),
            region: None,
            credentials,
            timeout: Duration::from_secs(30),
            rate: None,
            max_retries: 3,
            max_response_bytes: 10 * 1024 * 1024,
            base_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(20),
            retry_seed: 0,
            service_hint: false,
            s3_addressing: addressing::S3Addressing::Auto,
        }
    }
}

/// A configuration problem, found before any request is sent.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The endpoint is not an http(s) URL with a host.
    #[error("failed to use endpoint `{endpoint}`: {reason}")]
    InvalidEndpoint {
        /// The endpoint as given.
        endpoint: String,
        /// What is wrong with it.
        reason: String,
    },
    /// No credentials anywhere in the chain, and the endpoint is not loopback.
    #[error(
        "failed to find AWS credentials to sign requests to {endpoint}: set AWS_ACCESS_KEY_ID and \
         AWS_SECRET_ACCESS_KEY (plus AWS_SESSION_TOKEN for temporary credentials), or name a profile with \
         AWS_PROFILE set up by `aws configure` or `aws sso login`"
    )]
    NoCredentials {
        /// The endpoint that needs them.
        endpoint: String,
    },
    /// A credential source is configured but failed (an expired SSO session, a broken profile).
    #[error("failed to load credentials from {source_name}: {cause}")]
    Credentials {
        /// Which link of the chain (`profile dev`, `environment`).
        source_name: String,
        /// Why, with its causes.
        cause: String,
    },
    /// The HTTP client could not be built (TLS setup).
    #[error("failed to build the HTTP client: {0}")]
    Build(String),
}

/// How often a refused connection is tried again while the target may be restarting.
const REFUSED_RETRY_EVERY: Duration = Duration::from_millis(250);

/// What went wrong at the transport level: no (complete) HTTP response came back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// Nothing listens there.
    #[error("failed to connect to {endpoint}: connection refused")]
    Refused {
        /// The endpoint.
        endpoint: String,
    },
    /// No complete response within the timeout.
    #[error("failed to get a response from {endpoint} within {}", human_duration(*after))]
    Timeout {
        /// The endpoint.
        endpoint: String,
        /// The timeout that ran out.
        after: Duration,
    },
    /// The connection was reset or closed before a complete response.
    #[error(
        "failed to read a response from {endpoint}: the connection was reset or closed before the response was complete"
    )]
    Reset {
        /// The endpoint.
        endpoint: String,
    },
    /// The response body is over the configured limit.
    #[error(
        "failed to read the response from {endpoint}: its body exceeds the limit of {limit} bytes"
    )]
    TooLarge {
        /// The endpoint.
        endpoint: String,
        /// The limit, in bytes.
        limit: usize,
    },
    /// What came back is not HTTP.
    #[error("failed to read the response from {endpoint}: it is not HTTP ({detail})")]
    Protocol {
        /// The endpoint.
        endpoint: String,
        /// The parser's complaint.
        detail: String,
    },
    /// Anything else (DNS, TLS, a request that cannot be built).
    #[error("failed to exchange with {endpoint}: {detail}")]
    Other {
        /// The endpoint.
        endpoint: String,
        /// What happened, with its causes.
        detail: String,
    },
}

impl TransportError {
    /// A stable short name for reports: `refused`, `timeout`, `reset`, `too-large`, `protocol`, `other`.
    pub fn kind(&self) -> &'static str {
        match self {
            TransportError::Refused { .. } => "refused",
            TransportError::Timeout { .. } => "timeout",
            TransportError::Reset { .. } => "reset",
            TransportError::TooLarge { .. } => "too-large",
            TransportError::Protocol { .. } => "protocol",
            TransportError::Other { .. } => "other",
        }
    }

    /// The endpoint concerned.
    pub fn endpoint(&self) -> &str {
        match self {
            TransportError::Refused { endpoint }
            | TransportError::Timeout { endpoint, .. }
            | TransportError::Reset { endpoint }
            | TransportError::TooLarge { endpoint, .. }
            | TransportError::Protocol { endpoint, .. }
            | TransportError::Other { endpoint, .. } => endpoint,
        }
    }
}

/// `2s`, `1.5s`, `250ms`.
pub fn human_duration(d: Duration) -> String {
    if d.as_millis() < 1000 {
        format!("{}ms", d.as_millis())
    } else if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{:.3}s", d.as_secs_f64())
    }
}

/// One request and the response it got.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// The request of the last attempt exactly as sent: `host`, the case's headers, then the signing headers.
    /// (The HTTP stack adds `content-length` and `accept: */*`, which are not signed.)
    pub request: HttpRequest,
    /// The last response.
    pub response: HttpResponse,
    /// How many times the request was sent again after a throttled response.
    pub retries: u32,
    /// How many throttled responses came back, the last one included when retries ran out.
    pub throttled: u32,
    /// From the first attempt to the last response, waits included.
    pub elapsed: Duration,
}

/// The shared client. Clone it freely: clones share the connection pool, rate limiter and backoff.
#[derive(Debug, Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    http: reqwest::Client,
    /// The endpoint without a trailing slash, as named in errors.
    endpoint: String,
    base: reqwest::Url,
    region: Option<String>,
    credentials: Credentials,
    timeout: Duration,
    max_retries: u32,
    max_response_bytes: usize,
    limiter: Option<RateLimiter>,
    backoff: Backoff,
    /// Persistent throttling, across every task.
    throttle: ThrottleWatch,
    /// When waits before retries must end (the run's `--max-time`); none after it is lifted for a restore.
    deadline: std::sync::Mutex<Option<Instant>>,
    /// See [`ClientConfig::service_hint`].
    service_hint: bool,
    /// See [`ClientConfig::s3_addressing`].
    s3_addressing: addressing::S3Addressing,
}

impl Client {
    /// A client for `config.endpoint`; an endpoint that is not an http(s) URL with a host is an error naming it.
    pub fn new(config: ClientConfig) -> Result<Client, ClientError> {
        let invalid = |reason: &str| ClientError::InvalidEndpoint {
            endpoint: config.endpoint.clone(),
            reason: reason.to_string(),
        };
        let base = reqwest::Url::parse(config.endpoint.trim()).map_err(|e| {
            invalid(&format!(
                "not a URL ({e}); expected e.g. http://127.0.0.1:5000"
            ))
        })?;
        if base.scheme() != "http" && base.scheme() != "https" {
            return Err(invalid(&format!(
                "scheme `{}` is not http or https",
                base.scheme()
            )));
        }
        if base.host_str().is_none_or(str::is_empty) {
            return Err(invalid("no host"));
        }
        if base.query().is_some() || base.fragment().is_some() {
            return Err(invalid("an endpoint takes no query or fragment"));
        }
        if config.timeout.is_zero() {
            return Err(invalid("the timeout must be more than zero"));
        }
        install_crypto_provider();
        let mut builder = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            // Sooner than servers close idle connections (the embedded target after 30 s), so that a request never
            // goes out on a connection the server is closing.
            .pool_idle_timeout(Duration::from_secs(20))
            // A redirect is a result to check, not something to follow.
            .redirect(reqwest::redirect::Policy::none());
        if is_loopback(&config.endpoint) {
            // A proxy configured for the outside world must not swallow requests to a local emulator.
            builder = builder.no_proxy();
        }
        let http = builder
            .build()
            .map_err(|e| ClientError::Build(e.to_string()))?;
        let endpoint = config.endpoint.trim().trim_end_matches('/').to_string();
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                endpoint,
                base,
                region: config.region,
                credentials: config.credentials,
                timeout: config.timeout,
                max_retries: config.max_retries,
                max_response_bytes: config.max_response_bytes,
                limiter: config.rate.and_then(RateLimiter::new),
                backoff: Backoff::new(config.base_backoff, config.max_backoff, config.retry_seed),
                throttle: ThrottleWatch::default(),
                deadline: std::sync::Mutex::new(None),
                service_hint: config.service_hint,
                s3_addressing: config.s3_addressing,
            }),
        })
    }

    /// The region requests of `service` are signed for: its region rule applied to the user's choice.
    pub fn signing_region(&self, service: &Service) -> String {
        service
            .region
            .resolve(self.inner.region.as_deref())
            .to_string()
    }

    /// Ends every wait before a retry by `deadline` (a throttled answer is returned as it is once it passes).
    pub fn set_deadline(&self, deadline: Option<Instant>) {
        *self
            .inner
            .deadline
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = deadline;
    }

    /// Lifts the deadline and forgets persistent throttling: what follows a stopped run (putting a real target's
    /// state back) retries as usual.
    pub fn lift_limits(&self) {
        self.set_deadline(None);
        self.inner.throttle.reset();
    }

    /// Waits until the target has answered [`UNAVAILABLE_AFTER`] requests in a row as throttled or unavailable.
    pub async fn unavailable(&self) -> Unavailable {
        self.inner.throttle.wait().await
    }

    /// The endpoint, without a trailing slash.
    pub fn endpoint(&self) -> &str {
        &self.inner.endpoint
    }

    /// Check that the endpoint accepts connections, before a run.
    ///
    /// Opens one TCP connection (no request is sent). When a proxy is configured in the environment for a
    /// non-loopback endpoint, sends an unsigned `GET` of the endpoint instead and accepts any HTTP answer.
    pub async fn probe(&self) -> Result<(), TransportError> {
        let inner = &self.inner;
        if !is_loopback(&inner.endpoint) && proxy_configured() {
            let response =
                tokio::time::timeout(inner.timeout, inner.http.get(inner.base.clone()).send())
                    .await
                    .map_err(|_| self.timeout_error())?;
            return response.map(|_| ()).map_err(|e| self.classify(&e));
        }
        let host = inner.base.host_str().unwrap_or_default();
        let port = inner.base.port_or_known_default().unwrap_or(80);
        let connect = tokio::net::TcpStream::connect(format!("{host}:{port}"));
        match tokio::time::timeout(inner.timeout, connect).await {
            Err(_) => Err(self.timeout_error()),
            Ok(Ok(_stream)) => Ok(()),
            Ok(Err(e)) => Err(match e.kind() {
                std::io::ErrorKind::ConnectionRefused => TransportError::Refused {
                    endpoint: inner.endpoint.clone(),
                },
                std::io::ErrorKind::TimedOut => self.timeout_error(),
                _ => TransportError::Other {
                    endpoint: inner.endpoint.clone(),
                    detail: format!("failed to connect: {e}"),
                },
            }),
        }
    }

    /// Sign and send `case`'s request for `service`, retrying throttled responses.
    ///
    /// Each attempt waits for the rate limiter and is signed afresh (so `x-amz-date` is current). A throttled
    /// response is retried up to `max_retries` times, after `Retry-After` or the backoff; when retries run out
    /// the last response is returned as an `Exchange`. Transport errors are not retried.
    pub async fn send(&self, service: &Service, case: &Case) -> Result<Exchange, TransportError> {
        self.send_request(service, &case.request, case.signing)
            .await
    }

    /// Sign and send a request for `service` (see [`Client::send`]).
    pub async fn send_request(
        &self,
        service: &Service,
        request: &HttpRequest,
        signing: Signing,
    ) -> Result<Exchange, TransportError> {
        let inner = &self.inner;
        // S3's bucket may go into the host: the request still goes to the endpoint's address, with that host in
        // the (signed) Host header.
        let moved = (service.name == "s3" && request.header("host").is_none())
            .then(|| addressing::virtual_host(inner.s3_addressing, &inner.base, &request.path))
            .flatten();
        let path = moved.as_ref().map_or(request.path.as_str(), |(p, _)| p);
        let mut url = self.url_for(path)?;
        if let Some(prefix) = &request.host_prefix {
            apply_host_prefix(&mut url, prefix);
        }
        let mut headers = Vec::with_capacity(request.headers.len() + 4);
        if let Some((_, host)) = &moved {
            headers.push(("host".to_string(), host.clone()));
        } else if request.header("host").is_none()
            && let Some(host) = host_header(&url)
        {
            headers.push(("host".to_string(), host));
        }
        headers.extend(request.headers.iter().cloned());
        if inner.service_hint {
            headers.push((SERVICE_HINT_HEADER.to_string(), service.name.clone()));
        }
        // Reject what HTTP cannot carry before signing, naming the header (the signer's error would not).
        for (name, value) in &headers {
            if reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_err() {
                return Err(TransportError::Other {
                    endpoint: inner.endpoint.clone(),
                    detail: format!("failed to build request: invalid header name `{name}`"),
                });
            }
            if reqwest::header::HeaderValue::from_str(value).is_err() {
                return Err(TransportError::Other {
                    endpoint: inner.endpoint.clone(),
                    detail: format!("failed to build request: invalid value for header `{name}`"),
                });
            }
        }
        let region = service.region.resolve(inner.region.as_deref()).to_string();

        let started = Instant::now();
        let mut retries = 0;
        let mut throttled = 0;
        loop {
            if let Some(limiter) = &inner.limiter {
                limiter.acquire().await;
            }
            let input = SignInput {
                url: url.as_str(),
                method: &request.method,
                headers: &headers,
                body: &request.body,
                signing_name: &service.signing_name,
                region: &region,
                time: SystemTime::now(),
            };
            let signed =
                signing_headers(&input, &inner.credentials, signing).map_err(|detail| {
                    TransportError::Other {
                        endpoint: inner.endpoint.clone(),
                        detail,
                    }
                })?;
            let mut sent = request.clone();
            sent.path = path.to_string();
            sent.headers = headers.clone();
            sent.headers.extend(signed);

            let response = match self.exchange_once(&url, &sent).await {
                // Nothing listens: the target went away, or is restarting (an emulator that crashed and was
                // started again). The request never reached it, so it is sent again, until the target is back or
                // a whole timeout passed; then the run stops, rather than turning each of its remaining cases
                // into an instant "connection refused".
                Err(TransportError::Refused { .. })
                    if started.elapsed() < inner.timeout && inner.throttle.tripped().is_none() =>
                {
                    tokio::time::sleep(REFUSED_RETRY_EVERY.min(inner.timeout)).await;
                    continue;
                }
                Err(refused @ TransportError::Refused { .. }) => {
                    inner.throttle.refused(started.elapsed());
                    return Err(refused);
                }
                other => other?,
            };
            let throttled_now = is_throttled(service, &response);
            inner.throttle.observe(throttled_now, response.status);
            if !throttled_now {
                return Ok(Exchange {
                    request: sent,
                    response,
                    retries,
                    throttled,
                    elapsed: started.elapsed(),
                });
            }
            throttled += 1;
            let asked = response
                .header("retry-after")
                .and_then(|v| parse_retry_after(v, SystemTime::now()));
            let mut delay = inner.backoff.delay(retries, asked);
            // No wait outlives the run's deadline, and none is worth waiting once the target is known to throttle
            // everything: the throttled answer is the result.
            let deadline = *inner.deadline.lock().unwrap_or_else(|e| e.into_inner());
            let past_deadline = deadline.is_some_and(|d| {
                let left = d.saturating_duration_since(Instant::now());
                delay = delay.min(left);
                left.is_zero()
            });
            if retries >= inner.max_retries || past_deadline || inner.throttle.tripped().is_some() {
                return Ok(Exchange {
                    request: sent,
                    response,
                    retries,
                    throttled,
                    elapsed: started.elapsed(),
                });
            }
            let tripped = tokio::select! {
                _ = tokio::time::sleep(delay) => false,
                _ = inner.throttle.wait() => true,
            };
            if tripped || deadline.is_some_and(|d| Instant::now() >= d) {
                return Ok(Exchange {
                    request: sent,
                    response,
                    retries,
                    throttled,
                    elapsed: started.elapsed(),
                });
            }
            retries += 1;
        }
    }

    /// The endpoint joined with a case's path (which keeps any query string).
    fn url_for(&self, path: &str) -> Result<reqwest::Url, TransportError> {
        let joined = if path.starts_with('/') {
            format!("{}{path}", self.inner.endpoint)
        } else {
            format!("{}/{path}", self.inner.endpoint)
        };
        reqwest::Url::parse(&joined).map_err(|e| TransportError::Other {
            endpoint: self.inner.endpoint.clone(),
            detail: format!("failed to build a URL from path `{path}`: {e}"),
        })
    }

    /// One attempt: send `request` and read the whole response under the timeout and size limit.
    async fn exchange_once(
        &self,
        url: &reqwest::Url,
        request: &HttpRequest,
    ) -> Result<HttpResponse, TransportError> {
        let inner = &self.inner;
        let build_error = |detail: String| TransportError::Other {
            endpoint: inner.endpoint.clone(),
            detail,
        };
        let method = reqwest::Method::from_bytes(request.method.as_bytes()).map_err(|_| {
            build_error(format!(
                "failed to build request: invalid method `{}`",
                request.method
            ))
        })?;
        let mut header_map = reqwest::header::HeaderMap::with_capacity(request.headers.len());
        for (name, value) in &request.headers {
            let header_name =
                reqwest::header::HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                    build_error(format!(
                        "failed to build request: invalid header name `{name}`"
                    ))
                })?;
            let header_value = reqwest::header::HeaderValue::from_str(value).map_err(|_| {
                build_error(format!(
                    "failed to build request: invalid value for header `{name}`"
                ))
            })?;
            header_map.append(header_name, header_value);
        }
        let builder = inner
            .http
            .request(method, url.clone())
            .headers(header_map)
            .body(request.body.clone());

        let attempt = async {
            let mut response = builder.send().await.map_err(|e| self.classify(&e))?;
            let status = response.status().as_u16();
            let headers: Vec<(String, String)> = response
                .headers()
                .iter()
                .map(|(n, v)| {
                    (
                        n.as_str().to_ascii_lowercase(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect();
            let limit = inner.max_response_bytes;
            if response
                .content_length()
                .is_some_and(|len| len > limit as u64)
            {
                return Err(self.too_large());
            }
            let mut body = Vec::new();
            while let Some(chunk) = response.chunk().await.map_err(|e| self.classify(&e))? {
                if body.len() + chunk.len() > limit {
                    return Err(self.too_large());
                }
                body.extend_from_slice(&chunk);
            }
            Ok(HttpResponse {
                status,
                headers,
                body,
            })
        };
        match tokio::time::timeout(inner.timeout, attempt).await {
            Ok(result) => result,
            Err(_) => Err(self.timeout_error()),
        }
    }

    fn too_large(&self) -> TransportError {
        TransportError::TooLarge {
            endpoint: self.inner.endpoint.clone(),
            limit: self.inner.max_response_bytes,
        }
    }

    fn timeout_error(&self) -> TransportError {
        TransportError::Timeout {
            endpoint: self.inner.endpoint.clone(),
            after: self.inner.timeout,
        }
    }

    /// Map a reqwest error to what happened on the wire, looking through its causes.
    fn classify(&self, error: &reqwest::Error) -> TransportError {
        let endpoint = self.inner.endpoint.clone();
        if error.is_timeout() {
            return self.timeout_error();
        }
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
        while let Some(cause) = source {
            if let Some(io) = cause.downcast_ref::<std::io::Error>() {
                use std::io::ErrorKind::*;
                match io.kind() {
                    ConnectionRefused => return TransportError::Refused { endpoint },
                    ConnectionReset | ConnectionAborted | BrokenPipe | UnexpectedEof => {
                        return TransportError::Reset { endpoint };
                    }
                    TimedOut => return self.timeout_error(),
                    _ => {}
                }
            }
            if let Some(hyper_error) = cause.downcast_ref::<hyper::Error>() {
                if hyper_error.is_parse()
                    || hyper_error.is_parse_status()
                    || hyper_error.is_parse_too_large()
                {
                    return TransportError::Protocol {
                        endpoint,
                        detail: hyper_error.to_string(),
                    };
                }
                if hyper_error.is_incomplete_message() || hyper_error.is_closed() {
                    return TransportError::Reset { endpoint };
                }
                if hyper_error.is_timeout() {
                    return self.timeout_error();
                }
            }
            source = cause.source();
        }
        TransportError::Other {
            endpoint,
            detail: error_chain(error),
        }
    }
}

/// Puts a `hostPrefix` in front of the endpoint's host, as SDKs do; not for IP addresses and `localhost`, where a
/// prefixed name would not resolve (emulators on loopback serve every operation on one host).
fn apply_host_prefix(url: &mut reqwest::Url, prefix: &str) {
    let Some(host) = url.host() else {
        return;
    };
    let named = match host {
        url::Host::Domain(d) => (d != "localhost").then(|| d.to_string()),
        _ => None,
    };
    if let Some(domain) = named {
        let _ = url.set_host(Some(&format!("{prefix}{domain}")));
    }
}

/// Whether the environment configures an HTTP proxy (which reqwest honours).
fn proxy_configured() -> bool {
    [
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
    ]
    .iter()
    .any(|v| std::env::var(v).is_ok_and(|s| !s.is_empty()))
}

/// An error and its causes, joined by `: `, without repeating a cause already quoted.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut out = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = cause.source();
    }
    out
}

/// Makes ring rustls's crypto for this process (reqwest is built without a provider of its own, see Cargo.toml).
/// Installing twice, or after a library installed one, is harmless: the first provider stays.
pub(crate) fn install_crypto_provider() {
    let _already_installed = rustls::crypto::ring::default_provider().install_default();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(endpoint: &str) -> ClientConfig {
        ClientConfig::new(
            endpoint,
            Credentials::new("AKID", "SECRET", None, None, "conform"),
        )
    }

    #[test]
    fn bad_endpoints_are_named() {
        for bad in [
            "not a url",
            "ftp://127.0.0.1:21",
            "http://",
            "127.0.0.1:5000",
            "http://h/?q=1",
        ] {
            let err = Client::new(config(bad)).expect_err(bad);
            assert!(
                matches!(err, ClientError::InvalidEndpoint { .. }),
                "{bad}: {err:?}"
            );
            assert!(err.to_string().contains(bad), "{err}");
            assert!(err.to_string().starts_with("failed to "), "{err}");
        }
    }

    #[test]
    fn paths_are_appended_to_the_endpoint() {
        let client = Client::new(config("http://127.0.0.1:5000/")).unwrap();
        assert_eq!(client.endpoint(), "http://127.0.0.1:5000");
        assert_eq!(
            client.url_for("/a/b?x=1").unwrap().as_str(),
            "http://127.0.0.1:5000/a/b?x=1"
        );
        assert_eq!(
            client.url_for("").unwrap().as_str(),
            "http://127.0.0.1:5000/"
        );
        let prefixed = Client::new(config("http://localhost:4566/prefix")).unwrap();
        assert_eq!(
            prefixed.url_for("/op").unwrap().as_str(),
            "http://localhost:4566/prefix/op"
        );
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(human_duration(Duration::from_millis(250)), "250ms");
        assert_eq!(human_duration(Duration::from_secs(2)), "2s");
        assert_eq!(human_duration(Duration::from_millis(1500)), "1.500s");
    }

    #[test]
    fn transport_errors_name_their_endpoint() {
        let endpoint = "http://127.0.0.1:9".to_string();
        let errors = [
            TransportError::Refused {
                endpoint: endpoint.clone(),
            },
            TransportError::Timeout {
                endpoint: endpoint.clone(),
                after: Duration::from_secs(1),
            },
            TransportError::Reset {
                endpoint: endpoint.clone(),
            },
            TransportError::TooLarge {
                endpoint: endpoint.clone(),
                limit: 10,
            },
            TransportError::Protocol {
                endpoint: endpoint.clone(),
                detail: "x".into(),
            },
            TransportError::Other {
                endpoint: endpoint.clone(),
                detail: "y".into(),
            },
        ];
        for e in errors {
            assert!(e.to_string().starts_with("failed to "), "{e}");
            assert!(e.to_string().contains(&endpoint), "{e}");
            assert_eq!(e.endpoint(), endpoint);
        }
    }
}
