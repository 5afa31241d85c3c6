//! S3's bucket addressing: path style (`host/bucket/key`) or virtual host (`bucket.host/key`), chosen as botocore
//! 1.44 chooses with its `s3.addressing_style` (what its S3 endpoint rules make of `ForcePathStyle` and the
//! endpoint).
//!
//! What botocore sends (its client pointed at each kind of endpoint, `GetBucketTagging`):
//! - `auto` (the default): on AWS's own endpoints (`*.amazonaws.com`), a bucket that is a DNS label (3 to 63 lower
//!   case letters, digits and hyphens, starting and ending with a letter or digit, no dots) goes into the host,
//!   any other stays in the path; on a custom endpoint (`endpoint_url`), the bucket always stays in the path.
//! - `path`: the bucket always stays in the path.
//! - `virtual`: such a bucket goes into the host of any endpoint; over plain `http` a bucket with dots does too
//!   (each of its parts a DNS label), over `https` it does not (the certificate would not match). An endpoint that
//!   is an IP address keeps the bucket in the path (botocore puts a dotted bucket before an IP address, a host no
//!   resolver answers; conform does not follow it there).
//!
//! The request still goes to the endpoint's address (an emulator on loopback answers every name), with the
//! virtual host in the `Host` header, which is signed.

/// How S3 requests name their bucket (`--s3-addressing`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum S3Addressing {
    /// botocore's default: virtual host on AWS's endpoints, path style on any other.
    #[default]
    Auto,
    /// The bucket always in the path.
    Path,
    /// The bucket in the host wherever it can be (a DNS-compatible name, an endpoint that is no IP address).
    Virtual,
}

/// Whether `bucket` can be a host's first label(s): 3 to 63 characters; lower case letters, digits and hyphens,
/// each label starting and ending with a letter or digit; dots between labels only when `allow_dots`; not an IP
/// address (Smithy's `aws.isVirtualHostableS3Bucket`).
pub fn is_virtual_hostable(bucket: &str, allow_dots: bool) -> bool {
    if !(3..=63).contains(&bucket.len()) {
        return false;
    }
    if bucket.parse::<std::net::Ipv4Addr>().is_ok() {
        return false;
    }
    let label = |l: &str| {
        !l.is_empty()
            && l.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if allow_dots {
        bucket.split('.').all(label)
    } else {
        label(bucket)
    }
}

/// Whether a host is one of AWS's own (`s3.amazonaws.com`, `s3.us-west-2.amazonaws.com`, `...amazonaws.com.cn`).
fn is_aws_host(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    host.ends_with(".amazonaws.com") || host.ends_with(".amazonaws.com.cn")
}

/// Where an S3 request goes under `mode`: `Some((path, host))` when the bucket moves into the host (`path` is the
/// request's path and query without it, `host` the `Host` header to send), `None` when it stays in the path.
/// `path` is the request's path and query as encoded (`/bucket/key?query`); `base` the endpoint.
pub fn virtual_host(mode: S3Addressing, base: &url::Url, path: &str) -> Option<(String, String)> {
    let host = base.host()?;
    let is_ip = !matches!(host, url::Host::Domain(_));
    let host = base.host_str()?;
    let allow_dots = match mode {
        S3Addressing::Path => return None,
        S3Addressing::Auto if !is_aws_host(host) => return None,
        S3Addressing::Auto => false,
        S3Addressing::Virtual if is_ip => return None,
        S3Addressing::Virtual => base.scheme() == "http",
    };
    let rest = path.strip_prefix('/')?;
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let bucket = &rest[..end];
    if !is_virtual_hostable(bucket, allow_dots) {
        return None;
    }
    let after = &rest[end..];
    let new_path = if after.starts_with('/') {
        after.to_string()
    } else {
        format!("/{after}")
    };
    let authority = match base.port() {
        Some(port) => format!("{bucket}.{host}:{port}"),
        None => format!("{bucket}.{host}"),
    };
    Some((new_path, authority))
}

/// Server side: the bucket a virtual-host `Host` header names (`bucket.localhost:5000`, `bucket.127.0.0.1`,
/// `bucket.s3.us-east-1.amazonaws.com`), when it names one: the labels before `localhost`, an IPv4 address, or
/// AWS's `s3.` / `s3-` host.
pub fn bucket_of_host(host: &str) -> Option<&str> {
    let host = match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    };
    if let Some(bucket) = host.strip_suffix(".localhost") {
        return Some(bucket).filter(|b| !b.is_empty());
    }
    // `bucket.127.0.0.1`: the last four labels an IPv4 address.
    let labels: Vec<&str> = host.split('.').collect();
    if labels.len() > 4 {
        let ip = labels[labels.len() - 4..].join(".");
        if ip.parse::<std::net::Ipv4Addr>().is_ok() {
            return Some(&host[..host.len() - ip.len() - 1]);
        }
    }
    if is_aws_host(host) {
        let lower = host.to_ascii_lowercase();
        let at = lower.find(".s3.").or_else(|| lower.find(".s3-"))?;
        return Some(&host[..at]).filter(|b| !b.is_empty());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(u: &str) -> url::Url {
        url::Url::parse(u).unwrap()
    }

    /// The table is what botocore 1.44 sends (`Config(s3={"addressing_style": ...})`, GetBucketTagging).
    #[test]
    fn addressing_follows_botocore() {
        let aws = url("https://s3.amazonaws.com");
        let loopback = url("http://localhost:5000");
        let ip = url("http://127.0.0.1:5000");
        let custom = url("https://s3.example.com");
        let plain = url("http://s3.example.com:9000");
        let moved = |mode, base: &url::Url, path: &str| virtual_host(mode, base, path);
        use S3Addressing::*;
        assert_eq!(
            moved(Auto, &aws, "/mybucket?tagging"),
            Some(("/?tagging".into(), "mybucket.s3.amazonaws.com".into()))
        );
        assert_eq!(moved(Auto, &aws, "/my.bucket?tagging"), None);
        assert_eq!(moved(Auto, &aws, "/My_Bucket?tagging"), None);
        assert_eq!(moved(Auto, &aws, "/ab?tagging"), None);
        assert_eq!(moved(Auto, &aws, "/a-b-?tagging"), None);
        assert_eq!(moved(Path, &aws, "/mybucket?tagging"), None);
        for base in [&loopback, &ip, &custom, &plain] {
            assert_eq!(moved(Auto, base, "/mybucket?tagging"), None, "{base}");
            assert_eq!(moved(Path, base, "/mybucket?tagging"), None, "{base}");
        }
        assert_eq!(
            moved(Virtual, &loopback, "/mybucket/a/b.txt?x-id=GetObject"),
            Some((
                "/a/b.txt?x-id=GetObject".into(),
                "mybucket.localhost:5000".into()
            ))
        );
        assert_eq!(
            moved(Virtual, &loopback, "/my.bucket"),
            Some(("/".into(), "my.bucket.localhost:5000".into()))
        );
        assert_eq!(moved(Virtual, &custom, "/my.bucket?tagging"), None);
        assert_eq!(
            moved(Virtual, &plain, "/my.bucket?tagging"),
            Some(("/?tagging".into(), "my.bucket.s3.example.com:9000".into()))
        );
        assert_eq!(moved(Virtual, &ip, "/mybucket?tagging"), None);
        assert_eq!(moved(Virtual, &loopback, "/My_Bucket"), None);
        assert_eq!(moved(Virtual, &loopback, "/"), None);
        assert_eq!(moved(Virtual, &loopback, "/WriteGetObjectResponse"), None);
    }

    #[test]
    fn hostable_buckets_are_dns_labels() {
        assert!(is_virtual_hostable("my-bucket-1", false));
        assert!(!is_virtual_hostable("my.bucket", false));
        assert!(is_virtual_hostable("my.bucket", true));
        assert!(!is_virtual_hostable("my..bucket", true));
        assert!(!is_virtual_hostable("192.168.1.1", true));
        assert!(!is_virtual_hostable("-ab", false));
        assert!(!is_virtual_hostable(&"a".repeat(64), false));
    }

    #[test]
    fn the_server_finds_the_bucket_in_the_host() {
        assert_eq!(bucket_of_host("mybucket.localhost:5000"), Some("mybucket"));
        assert_eq!(bucket_of_host("my.bucket.localhost"), Some("my.bucket"));
        assert_eq!(bucket_of_host("b1.127.0.0.1:8080"), Some("b1"));
        assert_eq!(
            bucket_of_host("mybucket.s3.us-west-2.amazonaws.com"),
            Some("mybucket")
        );
        assert_eq!(bucket_of_host("localhost:5000"), None);
        assert_eq!(bucket_of_host("127.0.0.1:5000"), None);
        assert_eq!(bucket_of_host("s3.amazonaws.com"), None);
        assert_eq!(bucket_of_host("example.com"), None);
    }
}
