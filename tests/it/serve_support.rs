//! Shared helpers for the `serve_*` tests: start the embedded target, build, sign and send requests.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use conform::credentials::{TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY, UNKNOWN_ACCESS_KEY_ID};
use conform::emulator::{self, EmulatorConfig, EmulatorHandle};
use conform::model::{Fixtures, Model};
use serde_json::Value;

pub fn specs() -> Arc<Model> {
    Arc::new(conform::spec::embedded_model().expect("embedded specs load"))
}

/// The embedded specs with the hand-written `gadgets` model (items inside lists and maps) beside them.
pub fn nested_specs() -> Arc<Model> {
    let mut model = conform::spec::embedded_model().expect("embedded specs load");
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/models-nested/gadgets/2021-01-01/service-2.json");
    let gadgets = conform::frontend::botocore::load_file(&path, "gadgets").expect("gadgets loads");
    model.services.insert("gadgets".into(), gadgets);
    Arc::new(model)
}

pub fn config(faults: &[&str]) -> EmulatorConfig {
    let specs = specs();
    let mut config = EmulatorConfig::new(Fixtures::resolve(&specs, &[]).unwrap());
    config.faults = faults.iter().map(|f| f.to_string()).collect();
    config
}

pub async fn start(faults: &[&str]) -> EmulatorHandle {
    start_with(config(faults)).await
}

pub async fn start_with(config: EmulatorConfig) -> EmulatorHandle {
    emulator::start(specs(), config, "127.0.0.1:0".parse().unwrap())
        .await
        .expect("target starts")
}

/// A request before signing.
#[derive(Debug, Clone)]
pub struct Req {
    pub service: &'static str,
    pub region: &'static str,
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Req {
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.to_string(), value.to_string()));
        self
    }
    pub fn without_header(mut self, name: &str) -> Self {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self
    }
    pub fn method(mut self, method: &str) -> Self {
        self.method = method.to_string();
        self
    }
    pub fn raw_body(mut self, body: &[u8]) -> Self {
        self.body = body.to_vec();
        self
    }
}

/// `POST /<path>` to Account with a JSON body.
pub fn account(path: &str, body: Value) -> Req {
    Req {
        service: "account",
        region: "us-east-1",
        method: "POST".into(),
        path: path.into(),
        headers: vec![("content-type".into(), "application/json".into())],
        body: body.to_string().into_bytes(),
    }
}

/// `POST /` to WorkMail with `X-Amz-Target: WorkMailService.<operation>`.
pub fn workmail(operation: &str, body: Value) -> Req {
    aws_json_1_1("workmail", "WorkMailService", operation, body)
}

/// `POST /` to the `gadgets` test service with `X-Amz-Target: Gadgets_20210101.<operation>`.
pub fn gadgets(operation: &str, body: Value) -> Req {
    aws_json_1_1("gadgets", "Gadgets_20210101", operation, body)
}

/// `POST /` to an awsJson1_1 service with `X-Amz-Target: <target_prefix>.<operation>`.
fn aws_json_1_1(service: &'static str, target_prefix: &str, operation: &str, body: Value) -> Req {
    Req {
        service,
        region: "us-east-1",
        method: "POST".into(),
        path: "/".into(),
        headers: vec![
            ("content-type".into(), "application/x-amz-json-1.1".into()),
            (
                "x-amz-target".into(),
                format!("{target_prefix}.{operation}"),
            ),
        ],
        body: body.to_string().into_bytes(),
    }
}

/// How a request is signed.
#[derive(Debug, Clone, Copy)]
pub enum Sign {
    Valid,
    Unsigned,
    UnknownKey,
    /// Signed correctly at this time.
    At(SystemTime),
    /// Signed, then the body changed by one byte.
    TamperedBody,
    /// A garbage Authorization header.
    Malformed,
}

pub const ORG: &str = "m-0123456789abcdef0123456789abcdef";
pub const ENTITY: &str = "12345678-1234-1234-1234-123456789012";
pub const OTHER: &str = "87654321-4321-4321-4321-210987654321";
pub const MEMBER: &str = "123456789012";

/// A response as received.
#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "body is not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }
    /// The bare error type, from the header or the body's `__type`.
    pub fn error_type(&self) -> Option<String> {
        let raw = self
            .header("x-amzn-errortype")
            .map(str::to_string)
            .or_else(|| {
                serde_json::from_slice::<Value>(&self.body)
                    .ok()?
                    .get("__type")?
                    .as_str()
                    .map(str::to_string)
            })?;
        let cut = raw.split(':').next().unwrap_or_default();
        Some(cut.rsplit('#').next().unwrap_or_default().to_string())
    }
    /// The message, under `message` or `Message`.
    pub fn message(&self) -> String {
        let body = self.json();
        body.get("message")
            .or_else(|| body.get("Message"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    }
}

/// Signs `req` for `host` as the SDKs do; returns the headers to add.
pub fn signature_headers(
    req: &Req,
    host: &str,
    access_key_id: &str,
    secret: &str,
    time: SystemTime,
) -> Vec<(String, String)> {
    let identity: Identity = Credentials::new(access_key_id, secret, None, None, "test").into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(req.region)
        .name(req.service)
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .unwrap()
        .into();
    let mut headers: Vec<(&str, &str)> = req
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    headers.push(("host", host));
    let uri = format!("http://{host}{}", req.path);
    let signable = SignableRequest::new(
        &req.method,
        uri,
        headers.into_iter(),
        SignableBody::Bytes(&req.body),
    )
    .unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    instructions
        .headers()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

/// Sends `req` to the target, signed as `how`.
pub async fn send(target: &EmulatorHandle, req: &Req, how: Sign) -> Resp {
    let host = target.addr().to_string();
    let mut req = req.clone();
    let extra = match how {
        Sign::Valid => signature_headers(
            &req,
            &host,
            TEST_ACCESS_KEY_ID,
            TEST_SECRET_ACCESS_KEY,
            SystemTime::now(),
        ),
        Sign::Unsigned => vec![],
        Sign::UnknownKey => signature_headers(
            &req,
            &host,
            UNKNOWN_ACCESS_KEY_ID,
            TEST_SECRET_ACCESS_KEY,
            SystemTime::now(),
        ),
        Sign::At(time) => signature_headers(
            &req,
            &host,
            TEST_ACCESS_KEY_ID,
            TEST_SECRET_ACCESS_KEY,
            time,
        ),
        Sign::TamperedBody => {
            let headers = signature_headers(
                &req,
                &host,
                TEST_ACCESS_KEY_ID,
                TEST_SECRET_ACCESS_KEY,
                SystemTime::now(),
            );
            req.body.push(b' ');
            headers
        }
        Sign::Malformed => vec![
            (
                "authorization".into(),
                "AWS4-HMAC-SHA256 Credential=garbage".into(),
            ),
            ("x-amz-date".into(), "20240101T000000Z".into()),
        ],
    };
    let client = reqwest::Client::new();
    let mut builder = client.request(
        reqwest::Method::from_bytes(req.method.as_bytes()).unwrap(),
        format!("{}{}", target.endpoint(), req.path),
    );
    for (name, value) in req.headers.iter().chain(extra.iter()) {
        builder = builder.header(name.as_str(), value.as_str());
    }
    let response = builder
        .body(req.body.clone())
        .send()
        .await
        .expect("target answers");
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_string(),
                v.to_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let body = response.bytes().await.unwrap().to_vec();
    Resp {
        status,
        headers,
        body,
    }
}

pub async fn call(target: &EmulatorHandle, req: Req) -> Resp {
    send(target, &req, Sign::Valid).await
}

pub fn minutes_ago(minutes: u64) -> SystemTime {
    SystemTime::now() - Duration::from_secs(minutes * 60)
}

pub fn contact(kind: &str) -> Value {
    serde_json::json!({"AlternateContactType": kind, "Name": "Carlos Salazar", "Title": "CFO",
        "EmailAddress": "carlos@example.com", "PhoneNumber": "206-555-0199"})
}

/// Asserts an error's status and bare type, with the body in the failure message.
#[track_caller]
pub fn assert_error(resp: &Resp, status: u16, error_type: &str) {
    assert_eq!(
        (resp.status, resp.error_type().as_deref()),
        (status, Some(error_type)),
        "body: {}",
        String::from_utf8_lossy(&resp.body)
    );
}

/// `conform serve --port 0` with `args` and `env` as a process, run from the repository (no `CONFORM_SPECS`,
/// `CONFORM_MODELS` or server secret from the test's environment): the child and the endpoint it printed.
pub fn serve_process(args: &[&str], env: &[(&str, &str)]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_conform"))
        .args(["serve", "--port", "0"])
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("CONFORM_SPECS")
        .env_remove("CONFORM_MODELS")
        .env_remove("CONFORM_SERVE_SECRET_ACCESS_KEY")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("conform serve starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let endpoint = loop {
        match lines.next() {
            Some(Ok(line)) => {
                if let Some(endpoint) = line.strip_prefix("endpoint: ") {
                    break endpoint.to_string();
                }
            }
            other => {
                let _ = child.kill();
                panic!("conform serve printed no endpoint: {other:?}");
            }
        }
    };
    // The rest of what it prints is read too: a closed pipe would end it.
    std::thread::spawn(move || lines.for_each(drop));
    (child, endpoint)
}

/// A `conform serve` process killed when the test ends, passing or not.
pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
