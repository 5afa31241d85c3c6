//! When to retry a response (throttling), how long to wait (Retry-After, else bounded backoff with seeded jitter).

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use crate::model::Service;
use crate::protocol::HttpResponse;

/// Error types that mean "slow down", whatever the status code.
pub const THROTTLING_ERROR_TYPES: &[&str] = &[
    "TooManyRequestsException",
    "ThrottlingException",
    "Throttling",
];

/// Throttled answers in a row (retries included) after which a target counts as persistently unavailable. With the
/// default 3 retries that is five requests throttled through every retry, with no other answer in between: a burst
/// that retries absorb ends long before.
pub const UNAVAILABLE_AFTER: u32 = 20;

/// How a persistently unavailable target was found out: the throttled answers in a row and the last one's status,
/// or connections refused for a whole request timeout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unavailable {
    /// Throttled answers in a row (0 when it refused connections).
    pub in_a_row: u32,
    /// The status of the last one (0 when it refused connections).
    pub status: u16,
    /// It refused every connection for this long: it went away (crashed, or stopped) during the run.
    pub refused_for: Option<Duration>,
}

/// Counts a target's throttled answers in a row across every task of a client; any other answer resets the count.
/// At [`UNAVAILABLE_AFTER`] it trips, and stays tripped until [`ThrottleWatch::reset`].
#[derive(Debug)]
pub struct ThrottleWatch {
    in_a_row: AtomicU32,
    tripped: tokio::sync::watch::Sender<Option<Unavailable>>,
}

impl Default for ThrottleWatch {
    fn default() -> Self {
        ThrottleWatch {
            in_a_row: AtomicU32::new(0),
            tripped: tokio::sync::watch::Sender::new(None),
        }
    }
}

impl ThrottleWatch {
    /// Counts one answer.
    pub fn observe(&self, throttled: bool, status: u16) {
        if !throttled {
            self.in_a_row.store(0, Ordering::Relaxed);
            return;
        }
        let in_a_row = self.in_a_row.fetch_add(1, Ordering::Relaxed) + 1;
        if in_a_row >= UNAVAILABLE_AFTER && self.tripped().is_none() {
            self.tripped.send_replace(Some(Unavailable {
                in_a_row,
                status,
                refused_for: None,
            }));
        }
    }

    /// The target refused connections for `how_long` (a whole request timeout): it went away.
    pub fn refused(&self, how_long: Duration) {
        if self.tripped().is_none() {
            self.tripped.send_replace(Some(Unavailable {
                in_a_row: 0,
                status: 0,
                refused_for: Some(how_long),
            }));
        }
    }

    /// Whether it has tripped, and how.
    pub fn tripped(&self) -> Option<Unavailable> {
        *self.tripped.borrow()
    }

    /// Waits until it trips.
    pub async fn wait(&self) -> Unavailable {
        let mut receiver = self.tripped.subscribe();
        let tripped = receiver
            .wait_for(Option::is_some)
            .await
            .ok()
            .and_then(|v| *v);
        match tripped {
            Some(why) => why,
            // The sender lives in `self`: it cannot be gone while we borrow it.
            None => std::future::pending().await,
        }
    }

    /// Forgets what it counted (a restore after a stopped run retries as usual).
    pub fn reset(&self) {
        self.in_a_row.store(0, Ordering::Relaxed);
        self.tripped.send_replace(None);
    }
}

/// Whether a response asks the client to slow down: 429, 503, or a throttling error type (read by the service's
/// protocol, as the checks read it).
pub fn is_throttled(service: &Service, response: &HttpResponse) -> bool {
    if response.status == 429 || response.status == 503 {
        return true;
    }
    if response.status < 400 {
        return false;
    }
    crate::check::error_type_of(service, response)
        .is_some_and(|t| THROTTLING_ERROR_TYPES.contains(&t.as_str()))
}

/// The delay a `Retry-After` value asks for: delta-seconds or an HTTP date (past dates mean now).
/// `None` when the value is neither.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Bounded exponential backoff with "equal jitter" drawn from a seeded generator.
///
/// Attempt `n` (0-based) waits between half and all of `min(cap, base × 2ⁿ)`; a `Retry-After` the server sent
/// wins instead, capped at `cap` too so a hostile target cannot stall a run.
#[derive(Debug)]
pub struct Backoff {
    base: Duration,
    cap: Duration,
    state: AtomicU64,
}

impl Backoff {
    /// A backoff starting at `base`, never waiting more than `cap`, jittered from `seed`.
    pub fn new(base: Duration, cap: Duration, seed: u64) -> Self {
        Backoff {
            base,
            cap,
            state: AtomicU64::new(seed),
        }
    }

    /// How long to wait before retry number `attempt` (0-based), given the server's `Retry-After` if any.
    pub fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(asked) = retry_after {
            return asked.min(self.cap);
        }
        let factor = 1u32.checked_shl(attempt.min(20)).unwrap_or(u32::MAX);
        let full = self.base.saturating_mul(factor).min(self.cap);
        let half = full / 2;
        let jitter_nanos = half.as_nanos() as u64;
        let jitter = if jitter_nanos == 0 {
            0
        } else {
            self.next_random() % (jitter_nanos + 1)
        };
        half + Duration::from_nanos(jitter)
    }

    /// splitmix64 over a shared atomic counter: deterministic for a given seed and call order, lock-free.
    fn next_random(&self) -> u64 {
        let mut z = self
            .state
            .fetch_add(0x9e37_79b9_7f4a_7c15, Ordering::Relaxed)
            .wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn retry_after_seconds() {
        let now = SystemTime::now();
        assert_eq!(parse_retry_after("3", now), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
    }

    #[test]
    fn retry_after_http_date() {
        // Sun, 06 Nov 1994 08:49:37 GMT = 784111777
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_770);
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now),
            Some(Duration::from_secs(7))
        );
        let later = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_800);
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", later),
            Some(Duration::ZERO)
        );
    }

    #[test]
    fn retry_after_garbage_is_none() {
        let now = SystemTime::now();
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-1", now), None);
        assert_eq!(parse_retry_after("", now), None);
    }

    #[test]
    fn throttling_detection() {
        let model = crate::spec::embedded_model().unwrap();
        let rest = &model.services["account"];
        let json = &model.services["workmail"];
        let is_throttled = |r: &HttpResponse| is_throttled(rest, r) || is_throttled(json, r);
        assert!(is_throttled(&response(429, &[], "")));
        assert!(is_throttled(&response(503, &[], "<html>")));
        assert!(is_throttled(&response(
            400,
            &[(
                "x-amzn-errortype",
                "ThrottlingException:http://internal.amazon.com/"
            )],
            "{}"
        )));
        assert!(is_throttled(&response(
            400,
            &[],
            r#"{"__type":"com.amazonaws.workmail#TooManyRequestsException","message":"slow"}"#
        )));
        assert!(is_throttled(&response(
            400,
            &[],
            r#"{"code":"Throttling"}"#
        )));
        assert!(!is_throttled(&response(
            400,
            &[],
            r#"{"__type":"ValidationException"}"#
        )));
        assert!(!is_throttled(&response(
            200,
            &[],
            r#"{"__type":"Throttling"}"#
        )));
        assert!(!is_throttled(&response(500, &[], "not json")));
    }

    #[test]
    fn backoff_is_bounded_jittered_and_seeded() {
        let base = Duration::from_millis(100);
        let cap = Duration::from_secs(2);
        let a = Backoff::new(base, cap, 7);
        let b = Backoff::new(base, cap, 7);
        let c = Backoff::new(base, cap, 8);
        let mut seq_a = Vec::new();
        let mut seq_c = Vec::new();
        for attempt in 0..30 {
            let d = a.delay(attempt, None);
            let full = (base * 2u32.pow(attempt.min(20))).min(cap);
            assert!(d >= full / 2 && d <= full, "attempt {attempt}: {d:?}");
            assert_eq!(d, b.delay(attempt, None), "same seed, same delays");
            seq_a.push(d);
            seq_c.push(c.delay(attempt, None));
        }
        assert_ne!(seq_a, seq_c, "another seed, other delays");
    }

    #[tokio::test]
    async fn throttle_watch_trips_after_answers_in_a_row_only() {
        let watch = ThrottleWatch::default();
        for _ in 0..UNAVAILABLE_AFTER - 1 {
            watch.observe(true, 503);
        }
        watch.observe(false, 200);
        for _ in 0..UNAVAILABLE_AFTER - 1 {
            watch.observe(true, 503);
        }
        assert_eq!(watch.tripped(), None, "another answer resets the count");
        watch.observe(true, 429);
        let expected = Unavailable {
            in_a_row: UNAVAILABLE_AFTER,
            status: 429,
            refused_for: None,
        };
        assert_eq!(watch.tripped(), Some(expected));
        assert_eq!(watch.wait().await, expected);
        watch.observe(false, 200);
        assert_eq!(watch.tripped(), Some(expected), "tripped stays tripped");
        watch.reset();
        assert_eq!(watch.tripped(), None);
    }

    #[test]
    fn retry_after_wins_but_is_capped() {
        let backoff = Backoff::new(Duration::from_millis(100), Duration::from_secs(5), 1);
        assert_eq!(
            backoff.delay(0, Some(Duration::from_secs(3))),
            Duration::from_secs(3)
        );
        assert_eq!(
            backoff.delay(0, Some(Duration::from_secs(3600))),
            Duration::from_secs(5)
        );
    }
}
