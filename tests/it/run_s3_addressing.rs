//! S3's bucket addressing end to end against `conform serve`: conform's client puts a DNS-compatible bucket into
//! the host (`--s3-addressing virtual`) and still reaches the endpoint's address, signed over the Host it sends;
//! the embedded target serves both forms; and botocore's own client, with `addressing_style: virtual`, is served
//! too (its checksum headers included).

use std::process::{Child, Command};

use aws_credential_types::Credentials;
use conform::case::Signing;
use conform::client::addressing::S3Addressing;
use conform::client::{Client, ClientConfig};
use conform::model::Value;

use crate::serve_support::{Killed, serve_process};

/// `conform serve` for S3 on a free port; the child and its endpoint (`http://127.0.0.1:PORT`).
fn serve_s3() -> (Child, String) {
    serve_process(&["--service", "s3"], &[])
}

fn client(endpoint: &str, addressing: S3Addressing) -> Client {
    Client::new(ClientConfig {
        s3_addressing: addressing,
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
    })
    .expect("the client builds")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conform_sends_the_bucket_in_the_host_and_the_embedded_target_serves_it() {
    let models = conform::frontend::botocore::Models::locate(None, None).unwrap_or_else(|e| {
        panic!(
            "failed to find botocore's models: {e}; {}",
            super::protocol_differential::NEEDS_BOTOCORE
        )
    });
    let s3 = models.load("s3").expect("s3 loads");
    let (child, endpoint) = serve_s3();
    let _server = Killed(child);
    let port = endpoint.rsplit(':').next().unwrap().to_string();
    let localhost = format!("http://localhost:{port}");
    let input = |pairs: &[(&str, Value)]| {
        let mut v = Value::structure();
        if let Value::Structure(m) = &mut v {
            for (k, x) in pairs {
                m.insert(k.to_string(), x.clone());
            }
        }
        v
    };
    let tagging = Value::Structure(
        [(
            "TagSet".to_string(),
            Value::List(vec![Value::Structure(
                [
                    ("Key".to_string(), Value::String("k".into())),
                    ("Value".to_string(), Value::String("v".into())),
                ]
                .into_iter()
                .collect(),
            )]),
        )]
        .into_iter()
        .collect(),
    );
    let calls = [
        (
            "GetBucketTagging",
            input(&[("Bucket", Value::String("my-bucket".into()))]),
        ),
        (
            // A body with the checksum botocore adds (CRC32), checked by the target over the virtual-host path.
            "PutBucketTagging",
            input(&[
                ("Bucket", Value::String("my-bucket".into())),
                ("Tagging", tagging),
            ]),
        ),
        (
            "GetObjectTagging",
            input(&[
                ("Bucket", Value::String("my.bucket".into())),
                ("Key", Value::String("a/b c.txt".into())),
            ]),
        ),
    ];
    for (mode, expect_virtual) in [(S3Addressing::Virtual, true), (S3Addressing::Path, false)] {
        let client = client(&localhost, mode);
        for (name, input) in &calls {
            let op = &s3.operations[*name];
            let request = conform::protocol::for_id(s3.protocol)
                .unwrap()
                .encode(&s3, op, input)
                .expect("the input encodes");
            let exchange = client
                .send_request(&s3, &request, Signing::Valid)
                .await
                .expect("the target answers");
            assert_eq!(
                exchange.response.status,
                200,
                "{name} ({mode:?}): {}",
                String::from_utf8_lossy(&exchange.response.body)
            );
            let host = exchange.request.header("host").unwrap().to_string();
            let bucket = match &input {
                Value::Structure(m) => match &m["Bucket"] {
                    Value::String(b) => b.clone(),
                    _ => unreachable!(),
                },
                _ => unreachable!(),
            };
            if expect_virtual {
                assert_eq!(host, format!("{bucket}.localhost:{port}"), "{name}");
                assert!(
                    !exchange.request.path.contains(&bucket),
                    "{name}: the bucket stays in the path {}",
                    exchange.request.path
                );
            } else {
                assert_eq!(host, format!("localhost:{port}"), "{name}");
                assert!(exchange.request.path.starts_with(&format!("/{bucket}")));
            }
        }
    }
    // On an IP address endpoint (and under `auto` on any endpoint not AWS's), the bucket stays in the path.
    let client = client(&endpoint, S3Addressing::Virtual);
    let op = &s3.operations["GetBucketTagging"];
    let request = conform::protocol::for_id(s3.protocol)
        .unwrap()
        .encode(&s3, op, &calls[0].1)
        .unwrap();
    let exchange = client
        .send_request(&s3, &request, Signing::Valid)
        .await
        .unwrap();
    assert_eq!(exchange.response.status, 200);
    assert_eq!(exchange.request.path, "/my-bucket?tagging");
}

const BOTOCORE_VIRTUAL: &str = r#"
import socket
import sys
# `bucket.localhost` resolves nowhere here: connect to the loopback endpoint, as conform's client does.
real_getaddrinfo = socket.getaddrinfo
def getaddrinfo(host, *args, **kwargs):
    if isinstance(host, str) and host.endswith(".localhost"):
        host = "127.0.0.1"
    return real_getaddrinfo(host, *args, **kwargs)
socket.getaddrinfo = getaddrinfo
import botocore.session
from botocore.config import Config
session = botocore.session.get_session()
client = session.create_client(
    "s3", region_name="us-east-1", endpoint_url=sys.argv[1],
    aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
    aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    config=Config(s3={"addressing_style": "virtual"}, retries={"max_attempts": 1}))
sent = []
client.meta.events.register("before-send.s3.*", lambda request, **kw: sent.append(request.url))
client.put_bucket_tagging(Bucket="my-bucket", Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})
client.get_bucket_tagging(Bucket="my-bucket")
client.get_object_tagging(Bucket="my-bucket", Key="a/b.txt")
assert all("://my-bucket.localhost:" in url for url in sent), sent
print("botocore virtual host ok")
"#;

#[test]
fn botocore_s_virtual_host_requests_are_served() {
    let models = conform::frontend::botocore::Models::locate(None, None).unwrap_or_else(|e| {
        panic!(
            "failed to find botocore's models: {e}; {}",
            super::protocol_differential::NEEDS_BOTOCORE
        )
    });
    let (python, pythonpath) = super::protocol_differential::python_with_botocore(&models.root);
    let (child, endpoint) = serve_s3();
    let _server = Killed(child);
    let localhost = endpoint.replace("127.0.0.1", "localhost");
    let mut script = Command::new(&python);
    script.args(["-c", BOTOCORE_VIRTUAL, &localhost]);
    if let Some(path) = &pythonpath {
        script.env("PYTHONPATH", path);
    }
    let o = script
        .env_remove("AWS_PROFILE")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("failed to run botocore's Python");
    assert!(
        o.status.success()
            && String::from_utf8_lossy(&o.stdout).contains("botocore virtual host ok"),
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}
