//! The embedded reference target (`conform serve`): an HTTP server that answers as AWS's documents say.
//!
//! One port serves every service of the spec set. A request is given to a service by the service name of its SigV4
//! credential scope (`.../us-east-1/account/aws4_request`), as moto routes; an unsigned request (or one whose scope
//! names no known service) goes to the awsJson service when it carries `X-Amz-Target`, else to the restJson1
//! service owning its path, else to the awsJson service for `/`.
//!
//! Checks run in AWS's order: body size, Content-Type, body parse, target/route, authentication, validation,
//! behaviour. (The route is looked up before the Content-Type, but its fault reported in that order: an operation
//! whose body is a blob or text payload takes any media type and any bytes.) Named deviations ("faults", see [`fault_catalogue`]) bend single steps for the harness's own tests.
//!
//! Choices where the documents are silent:
//! - An empty body is `{}`; a body that is not a JSON object is 400 `SerializationException`.
//! - A Content-Type other than the protocol's (restJson1 also takes none) is 415 `UnsupportedMediaTypeException`,
//!   as Smithy's servers answer; checked before the body is parsed.
//! - An unknown restJson1 path, or a known path with another method, is 404 `UnknownOperationException`.
//! - Bodies over [`EmulatorConfig::body_limit`] are 413 `RequestEntityTooLargeException`.
//! - Framework errors (serialization, routing, authentication) carry Coral's qualified type
//!   (`com.amazon.coral.service#X` in awsJson bodies, `X:http://internal.amazon.com/coral/...` in restJson1 headers);
//!   the services' own errors carry the bare name.
//! - Validation: the error is the spec's first accepted outcome for the first violation (member order); the message
//!   lists every violation that gets the same error. Account's enum violations thus get 403 AccessDeniedException.
//! - SigV4: the scope's region must be the service's (Account: us-east-1; WorkMail: its allowed regions) and the
//!   scope's date X-Amz-Date's day, else InvalidSignatureException; only `X-Amz-Date` is read, not `Date`.
//! - Account: the caller is [`CALLER_ACCOUNT_ID`] (primary [`CALLER_PRIMARY_EMAIL`]); the member account starts
//!   with [`MEMBER_PRIMARY_EMAIL`]. StartPrimaryEmailUpdate to an address another account holds is 409
//!   ConflictException; AcceptPrimaryEmailUpdate with nothing pending for that address is 404
//!   ResourceNotFoundException, with a wrong code 403 AccessDeniedException.
//! - WorkMail: users [`ENTITY_NAME`] and [`OTHER_ENTITY_NAME`] with primaries `<name>@<workmail.MailDomain>`,
//!   enabled at [`SEEDED_ENABLED_DATE`]; names and addresses compare ignoring ASCII case; updating to one's own
//!   primary is a no-op success.

mod account;
mod faults;
mod generic;
mod sigv4;
mod validation;
mod wire;
mod workmail;

use std::hash::{BuildHasher, RandomState};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};

use crate::credentials::{TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY};
use crate::model::{Fixtures, Model, Operation, Service};
use crate::protocol::{HttpRequest, HttpResponse, Protocol};

pub use account::{CALLER_ACCOUNT_ID, CALLER_PRIMARY_EMAIL, MEMBER_PRIMARY_EMAIL};
pub use faults::{FaultInfo, fault_catalogue};
pub use workmail::{ENTITY_NAME, OTHER_ENTITY_NAME, SEEDED_ENABLED_DATE};

use faults::{Fault, FaultSet};
use wire::{ApiError, Success};

/// The default body size limit: 1 MiB, the size over which the `body-too-large` malformation goes (the limit of
/// many AWS JSON APIs). The published models allow strings of hundreds of thousands of characters (B2B Data
/// Interchange's mapping templates), whose one-too-long values must reach validation.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

/// How to build a target: deviations, fixtures, the accepted key pair and the body limit.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    /// Names from [`fault_catalogue`] to switch on.
    pub faults: Vec<String>,
    /// Seeds the state: `account.AccountId` is the one member account, `account.Otp` the one-time code,
    /// `workmail.*` the organisation, its two users and its mail domain.
    pub fixtures: Fixtures,
    /// The access key id the target accepts.
    pub access_key_id: String,
    /// Its secret key.
    pub secret_access_key: String,
    /// Bodies larger than this many bytes are refused with 413 `RequestEntityTooLargeException`.
    pub body_limit: usize,
    /// How long a connection may wait for a request's head (idle keep-alive connections included) or for the rest
    /// of its body before it is closed: a client that opens connections and sends nothing, or stops half-way, does
    /// not hold them forever.
    pub idle_timeout: std::time::Duration,
}

/// The default [`EmulatorConfig::idle_timeout`]: 30 s, well above the pauses of any run (and above the 20 s after
/// which conform's own client drops an idle connection, so that it never reuses one the target is closing).
pub const DEFAULT_IDLE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

impl EmulatorConfig {
    /// No deviations, the documented test key pair, a body limit of [`DEFAULT_BODY_LIMIT`].
    pub fn new(fixtures: Fixtures) -> Self {
        EmulatorConfig {
            faults: Vec::new(),
            fixtures,
            access_key_id: TEST_ACCESS_KEY_ID.to_string(),
            secret_access_key: TEST_SECRET_ACCESS_KEY.to_string(),
            body_limit: DEFAULT_BODY_LIMIT,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
        }
    }
}

/// Why the target could not be built or started.
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    /// A fault name that is not in the catalogue.
    #[error("failed to find fault `{name}`; known faults: {known}")]
    UnknownFault {
        /// The name given.
        name: String,
        /// Every known name, comma-separated.
        known: String,
    },
    /// The model has no service to serve.
    #[error("failed to start the embedded target: the model has no service")]
    NoServices,
    /// The address could not be bound.
    #[error("failed to listen on {addr}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// What a service does beyond validating its input: the state it keeps and the answers it gives.
///
/// The embedded target validates every request from the model, then hands it to the behaviour of its service;
/// services without one get a synthetic success (see [`generic`]).
pub(crate) trait Behaviour: Send {
    /// The service it is the behaviour of (`account`).
    fn service(&self) -> &'static str;

    /// Answers a validated request; `None` for an operation it does not model.
    fn call(
        &mut self,
        service: &Service,
        operation: &str,
        input: &serde_json::Map<String, serde_json::Value>,
        faults: &FaultSet,
    ) -> Option<Result<Success, ApiError>>;
}

/// The request handler: model, deviations, credentials and state. Usable without a socket.
pub struct Emulator {
    specs: Arc<Model>,
    faults: FaultSet,
    access_key_id: String,
    secret_access_key: String,
    body_limit: usize,
    behaviours: Mutex<Vec<Box<dyn Behaviour>>>,
    requests: AtomicU64,
    ids: RandomState,
}

impl Emulator {
    /// Builds a handler; fails on an unknown fault name or an empty spec set.
    pub fn new(specs: Arc<Model>, config: EmulatorConfig) -> Result<Self, EmulatorError> {
        if specs.services.is_empty() {
            return Err(EmulatorError::NoServices);
        }
        let faults =
            FaultSet::parse(&config.faults).map_err(|name| EmulatorError::UnknownFault {
                name,
                known: fault_catalogue()
                    .iter()
                    .map(|f| f.name)
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
        let fixture =
            |key: &str, default: &str| config.fixtures.get(key).unwrap_or(default).to_string();
        let behaviours: Vec<Box<dyn Behaviour>> = vec![
            Box::new(account::AccountModel::new(
                &fixture("account.AccountId", "123456789012"),
                &fixture("account.Otp", "123456"),
            )),
            Box::new(workmail::WorkMailModel::new(
                &fixture(
                    "workmail.OrganizationId",
                    "m-0123456789abcdef0123456789abcdef",
                ),
                &fixture("workmail.EntityId", "12345678-1234-1234-1234-123456789012"),
                &fixture(
                    "workmail.OtherEntityId",
                    "87654321-4321-4321-4321-210987654321",
                ),
                &fixture("workmail.MailDomain", "example.com"),
            )),
        ];
        Ok(Emulator {
            specs,
            faults,
            access_key_id: config.access_key_id,
            secret_access_key: config.secret_access_key,
            body_limit: config.body_limit,
            behaviours: Mutex::new(behaviours),
            requests: AtomicU64::new(0),
            ids: RandomState::new(),
        })
    }

    /// Answers one request, checking signatures against the system clock. Never panics, whatever the bytes.
    pub fn handle(&self, request: Request<Bytes>) -> Response<Bytes> {
        self.handle_at(request, SystemTime::now())
    }

    /// Answers one request as if the clock read `now`.
    pub fn handle_at(&self, request: Request<Bytes>, now: SystemTime) -> Response<Bytes> {
        let (parts, body) = request.into_parts();
        self.respond(&parts, Some(&body), now)
    }

    /// Answers a request whose body is `None` when it was larger than the limit.
    fn respond(
        &self,
        parts: &http::request::Parts,
        body: Option<&Bytes>,
        now: SystemTime,
    ) -> Response<Bytes> {
        let request = HttpRequest {
            method: parts.method.as_str().to_string(),
            path: parts
                .uri
                .path_and_query()
                .map_or("/", |p| p.as_str())
                .to_string(),
            headers: parts
                .headers
                .iter()
                .map(|(n, v)| {
                    (
                        n.as_str().to_string(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect(),
            body: body.map(|b| b.to_vec()).unwrap_or_default(),
            host_prefix: None,
        };
        let service = wire::choose_service(&self.specs, &parts.headers, &request);
        let request_id = self.request_id();
        let request_id = (!self.faults.has(Fault::MissingRequestId)).then_some(request_id.as_str());
        let Some(protocol) = crate::protocol::for_id(service.protocol) else {
            return wire::to_http(HttpResponse {
                status: 501,
                headers: vec![("content-type".into(), "text/plain".into())],
                body: format!(
                    "conform's embedded target does not serve the {} protocol of {} yet",
                    service.protocol, service.name
                )
                .into_bytes(),
            });
        };
        let result = match body {
            Some(body) if body.len() <= self.body_limit => {
                self.process(service, protocol, parts, &request, now)
            }
            _ => Err(self.too_large()),
        };
        wire::to_http(match result {
            Ok((op, success)) => {
                wire::encode_success(service, protocol, op, success, request_id, &self.faults)
            }
            Err(error) => wire::encode_error(service, protocol, &error, request_id, &self.faults),
        })
    }

    fn too_large(&self) -> ApiError {
        ApiError::framework(
            413,
            "RequestEntityTooLargeException",
            format!(
                "Request body exceeds the limit of {} bytes",
                self.body_limit
            ),
        )
    }

    /// Checks in AWS's order: content type, body parse, route, authentication, types, validation, behaviour.
    fn process<'s>(
        &self,
        service: &'s Service,
        protocol: &dyn Protocol,
        parts: &http::request::Parts,
        request: &HttpRequest,
        now: SystemTime,
    ) -> Result<(Option<&'s Operation>, Success), ApiError> {
        let fault =
            |f: crate::protocol::ProtocolFault| ApiError::framework(f.status, &f.code, f.message);
        // A virtual-host S3 request (`Host: bucket.localhost:port`) is served as its path-style twin; its signature
        // covers the path as sent.
        let signed_path = request.path.as_str();
        let path_style;
        let request = match path_style_twin(service, request) {
            Some(twin) => {
                path_style = twin;
                &path_style
            }
            None => request,
        };
        if self.faults.has(Fault::NonAsciiCrash) && !request.body.is_ascii() {
            return Err(ApiError::framework(
                500,
                "InternalFailure",
                "The request processing has failed because of an unknown error, exception or failure.",
            ));
        }
        let auth_status = protocol
            .signing_fault(crate::case::Signing::Unsigned)
            .accept
            .first()
            .map_or(400, |(status, _)| *status);
        let authenticate = || {
            let received = sigv4::Received {
                method: parts.method.as_str(),
                path_and_query: signed_path,
                headers: &parts.headers,
                body: &request.body,
            };
            let keys = sigv4::KeyPair {
                access_key_id: &self.access_key_id,
                secret_access_key: &self.secret_access_key,
            };
            sigv4::verify(
                &received,
                service,
                &keys,
                &self.faults,
                now,
                protocol.missing_authentication_message(),
            )
            .map_err(|e| ApiError::framework(auth_status, e.error_type, e.message))
        };
        let auth_first = self.faults.has(Fault::AuthBeforeParse);
        if auth_first {
            authenticate()?;
        }
        // The route is found first but its fault reported after the body's (AWS parses before it routes): only
        // the operation tells whether the body is a document to check at all (a restJson1 blob or text payload
        // takes any bytes under any media type).
        let routed = protocol.route(service, request);
        let raw_body = routed
            .as_ref()
            .is_ok_and(|op| protocol.raw_body(service, op));
        let content_type = request.header("content-type");
        if !raw_body && !protocol.accepts_content_type(content_type) {
            return Err(ApiError::framework(
                415,
                "UnsupportedMediaTypeException",
                format!(
                    "Content-Type {} is not supported; send {}",
                    content_type.map_or("(none)".to_string(), |g| format!("'{g}'")),
                    protocol.content_type()
                ),
            ));
        }
        let malformed_accepted = self.faults.has(Fault::MalformedJsonAccepted);
        let lenient_body = match protocol.check_body(request) {
            _ if raw_body => false,
            Ok(()) => false,
            Err(_) if malformed_accepted => true,
            Err(f) => return Err(fault(f)),
        };
        let op = match routed {
            Ok(op) => Some(op),
            Err(_)
                if self.faults.has(Fault::UnknownTargetAccepted)
                    && service.target_prefix.is_some() =>
            {
                None
            }
            Err(_) if self.faults.has(Fault::AnyMethodAccepted) => {
                let mut any = request.clone();
                any.method = "POST".into();
                let other = ["POST", "GET", "PUT", "DELETE", "PATCH", "HEAD"]
                    .into_iter()
                    .find_map(|m| {
                        any.method = m.to_string();
                        protocol.route(service, &any).ok()
                    });
                match other {
                    Some(op) => Some(op),
                    None => return Err(fault(protocol.route(service, request).unwrap_err())),
                }
            }
            Err(f) => return Err(fault(f)),
        };
        if !auth_first {
            authenticate()?;
        }
        // On an operation with a request checksum (`httpChecksum`, `httpChecksumRequired`), a checksum header must
        // be the body's (S3's BadDigest: "The Content-MD5 or checksum value that you specified did not match what
        // the server received"). Elsewhere such a header is data (CompleteMultipartUpload's is the whole object's).
        if let Some(op) = op
            && (op.checksum.required || op.checksum.algorithm_member.is_some())
            && let Err(mismatch) =
                crate::protocol::checksum::verify(&request.headers, &request.body)
        {
            return Err(ApiError::framework(400, "BadDigest", mismatch.to_string()));
        }
        let Some(op) = op else {
            return Ok((None, Success::Json(Default::default())));
        };
        let input = if lenient_body {
            crate::model::Value::structure()
        } else if self.faults.has(Fault::SkipType) {
            protocol
                .decode_input_lenient(service, op, request)
                .map_err(fault)?
        } else {
            protocol.decode_input(service, op, request).map_err(fault)?
        };
        validation::check(service, protocol, op, &input, &self.faults)?;
        let json = match crate::model::json_form::to_plain_json(&input) {
            serde_json::Value::Object(map) => map,
            _ => Default::default(),
        };
        let mut behaviours = self.behaviours.lock().unwrap_or_else(|e| e.into_inner());
        let outcome = behaviours
            .iter_mut()
            .find(|b| b.service() == service.name)
            .and_then(|b| b.call(service, &op.name, &json, &self.faults));
        drop(behaviours);
        // An operation no behaviour models succeeds with a synthetic output valid against its output shape.
        let success = match outcome {
            Some(answer) => answer?,
            None => generic::output(service, op, &request.body),
        };
        Ok((Some(op), success))
    }

    /// A fresh request id, shaped like a UUID v4.
    fn request_id(&self) -> String {
        let n = self.requests.fetch_add(1, Ordering::Relaxed);
        let high = self.ids.hash_one((n, 0u8));
        let low = self.ids.hash_one((n, 1u8));
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            high >> 32,
            (high >> 16) & 0xffff,
            high & 0x0fff,
            ((low >> 48) & 0x3fff) | 0x8000,
            low & 0xffff_ffff_ffff
        )
    }
}

/// A running target; drop it or call [`EmulatorHandle::shutdown`] to stop it.
pub struct EmulatorHandle {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl EmulatorHandle {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its base URL, `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, lets requests in flight finish, and waits for the server to end.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.task).await;
    }
}

impl Drop for EmulatorHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Starts the target on `addr` (port 0 picks a free one) and returns once it accepts connections.
pub async fn start(
    specs: Arc<Model>,
    config: EmulatorConfig,
    addr: SocketAddr,
) -> Result<EmulatorHandle, EmulatorError> {
    let idle_timeout = config.idle_timeout;
    let emulator = Arc::new(Emulator::new(specs, config)?);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| EmulatorError::Bind { addr, source })?;
    let addr = listener
        .local_addr()
        .map_err(|source| EmulatorError::Bind { addr, source })?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(serve(listener, emulator, idle_timeout, stopped));
    Ok(EmulatorHandle {
        addr,
        stop: Some(stop),
        task,
    })
}

/// Serves HTTP/1.1 connections until `stopped` resolves (or its sender is dropped); then stops accepting, lets the
/// requests in flight finish and waits for their connections to close.
async fn serve(
    listener: tokio::net::TcpListener,
    emulator: Arc<Emulator>,
    idle_timeout: std::time::Duration,
    mut stopped: tokio::sync::oneshot::Receiver<()>,
) {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // A connection that failed before it was accepted concerns only its client.
                Err(e) if is_connection_error(&e) => continue,
                // Out of file descriptors and the like: wait before accepting again rather than spin.
                Err(_) => {
                    tokio::select! {
                        _ = tokio::time::sleep(std::time::Duration::from_secs(1)) => continue,
                        _ = &mut stopped => break,
                    }
                }
            },
            _ = &mut stopped => break,
        };
        let emulator = Arc::clone(&emulator);
        let service = hyper::service::service_fn(move |request| {
            let emulator = Arc::clone(&emulator);
            async move { serve_request(&emulator, request, idle_timeout).await }
        });
        // The header read timeout runs from the moment the connection waits for a request head: on a new connection
        // and between requests on a kept-alive one.
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(hyper_util::rt::TokioTimer::new())
            .header_read_timeout(idle_timeout)
            .serve_connection(hyper_util::rt::TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // A client that goes away mid-request is its own business.
            let _ = connection.await;
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// Accept errors that belong to one connection, not to the listener.
/// The path-style request a virtual-host S3 request stands for (`Host: bucket.localhost:5000`, `/key` is
/// `/bucket/key`), `None` when the host names no bucket (see [`crate::client::addressing::bucket_of_host`]).
fn path_style_twin(service: &Service, request: &HttpRequest) -> Option<HttpRequest> {
    if service.name != "s3" {
        return None;
    }
    let bucket = crate::client::addressing::bucket_of_host(request.header("host")?)?;
    let rest = request.path.strip_prefix('/').unwrap_or(&request.path);
    let path = if rest.is_empty() || rest.starts_with('?') {
        format!("/{bucket}{rest}")
    } else {
        format!("/{bucket}/{rest}")
    };
    Some(HttpRequest {
        path,
        ..request.clone()
    })
}

fn is_connection_error(e: &std::io::Error) -> bool {
    use std::io::ErrorKind;
    matches!(
        e.kind(),
        ErrorKind::ConnectionRefused | ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset
    )
}

/// A body that stopped arriving: the connection is closed (hyper closes it when the service fails).
#[derive(Debug, thiserror::Error)]
#[error("failed to read the request body: nothing arrived for {0:?}")]
struct StalledBody(std::time::Duration);

async fn serve_request(
    emulator: &Emulator,
    request: Request<hyper::body::Incoming>,
    idle_timeout: std::time::Duration,
) -> Result<Response<Full<Bytes>>, StalledBody> {
    let (parts, body) = request.into_parts();
    let body = read_body(StallGuard::new(body, idle_timeout), emulator.body_limit)
        .await
        .map_err(|_| StalledBody(idle_timeout))?;
    Ok(emulator
        .respond(&parts, body.as_ref(), SystemTime::now())
        .map(Full::new))
}

/// A body whose frames must each arrive within a timeout; a stalled one ends in an error frame.
struct StallGuard<B> {
    body: B,
    timeout: std::time::Duration,
    sleep: std::pin::Pin<Box<tokio::time::Sleep>>,
}

impl<B> StallGuard<B> {
    fn new(body: B, timeout: std::time::Duration) -> Self {
        StallGuard {
            body,
            timeout,
            sleep: Box::pin(tokio::time::sleep(timeout)),
        }
    }
}

impl<B> hyper::body::Body for StallGuard<B>
where
    B: hyper::body::Body<Data = Bytes> + Unpin,
{
    type Data = Bytes;
    type Error = BodyError;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Bytes>, BodyError>>> {
        use std::future::Future;
        use std::task::Poll;
        let this = &mut *self;
        match std::pin::Pin::new(&mut this.body).poll_frame(cx) {
            Poll::Ready(frame) => {
                let deadline = tokio::time::Instant::now() + this.timeout;
                this.sleep.as_mut().reset(deadline);
                Poll::Ready(frame.map(|f| f.map_err(|_| BodyError::Broken)))
            }
            Poll::Pending => match this.sleep.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Some(Err(BodyError::Stalled))),
                Poll::Pending => Poll::Pending,
            },
        }
    }
}

/// Why a body did not arrive whole.
#[derive(Debug)]
enum BodyError {
    /// The connection broke.
    Broken,
    /// Nothing arrived within the idle timeout.
    Stalled,
}

/// Most bytes read (and dropped) of a body over the limit before answering.
const DRAIN_LIMIT: usize = 16 << 20;

/// The body, or `None` when it is over `limit` or the connection broke; `Err` when it stalled.
///
/// A body over the limit is never buffered whole, but it is read to the end (up to [`DRAIN_LIMIT`]) before the
/// answer: a server that answers and closes with unread bytes in its socket makes the kernel reset the
/// connection, and the client then loses the 413 now and then (a flaky transport error instead of a response).
async fn read_body<B>(mut body: B, limit: usize) -> Result<Option<Bytes>, BodyStalled>
where
    B: hyper::body::Body<Data = Bytes> + Unpin,
    B::Error: Into<BodyError>,
{
    let mut kept = bytes::BytesMut::new();
    let mut seen = 0usize;
    while let Some(frame) = body.frame().await {
        let frame = match frame.map_err(Into::into) {
            Ok(frame) => frame,
            Err(BodyError::Stalled) => return Err(BodyStalled),
            Err(BodyError::Broken) => return Ok(None),
        };
        // Trailers carry no body bytes.
        let Ok(chunk) = frame.into_data() else {
            continue;
        };
        seen += chunk.len();
        if seen <= limit {
            kept.extend_from_slice(&chunk);
        } else if seen > DRAIN_LIMIT {
            return Ok(None);
        }
    }
    Ok((seen <= limit).then(|| kept.freeze()))
}

/// A body stopped arriving before its end.
#[derive(Debug)]
struct BodyStalled;

impl From<std::io::Error> for BodyError {
    fn from(_: std::io::Error) -> Self {
        BodyError::Broken
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    /// A body of `chunks` chunks of `size` bytes that counts how many were read.
    fn counted(
        chunks: usize,
        size: usize,
    ) -> (
        impl hyper::body::Body<Data = Bytes, Error = std::io::Error> + Unpin,
        Arc<AtomicUsize>,
    ) {
        let read = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&read);
        let stream = futures::stream::iter((0..chunks).map(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
            Ok::<_, std::io::Error>(hyper::body::Frame::data(Bytes::from(vec![b'a'; size])))
        }));
        (http_body_util::StreamBody::new(stream), read)
    }

    #[tokio::test]
    async fn a_body_within_the_limit_is_kept_whole() {
        let (body, _) = counted(4, 10);
        assert_eq!(read_body(body, 40).await.unwrap().unwrap().len(), 40);
    }

    #[tokio::test]
    async fn a_body_over_the_limit_is_read_to_the_end_but_not_kept() {
        let (body, read) = counted(64, 1024);
        assert_eq!(read_body(body, 1000).await.unwrap(), None);
        assert_eq!(read.load(Ordering::SeqCst), 64, "drained to the end");
    }

    #[tokio::test]
    async fn an_endless_body_is_drained_only_up_to_a_cap() {
        let (body, read) = counted(usize::MAX, 1 << 20);
        assert_eq!(read_body(body, 1000).await.unwrap(), None);
        assert_eq!(read.load(Ordering::SeqCst), (DRAIN_LIMIT >> 20) + 1);
    }
}
