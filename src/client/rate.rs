//! A request-rate limiter shared by every task of a run: each request gets the next free slot, 1/rate apart.

use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

/// Spaces requests at most `rate` per second across all callers (a token bucket holding a single token).
///
/// Callers reserve the next slot under a short lock and then sleep outside it, so waiting tasks do not hold the
/// lock and slots are handed out in arrival order. An idle period does not bank a burst.
#[derive(Debug)]
pub struct RateLimiter {
    interval: Duration,
    next_slot: Mutex<Option<Instant>>,
}

impl RateLimiter {
    /// A limiter for `rate` requests per second; `None` when `rate` is not a positive finite number.
    pub fn new(rate: f64) -> Option<Self> {
        if !(rate.is_finite() && rate > 0.0) {
            return None;
        }
        Some(RateLimiter {
            interval: Duration::from_secs_f64(1.0 / rate),
            next_slot: Mutex::new(None),
        })
    }

    /// The spacing between two requests.
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// Wait until this caller may send one request.
    pub async fn acquire(&self) {
        let slot = {
            let mut next = self.next_slot.lock().await;
            let now = Instant::now();
            let slot = match *next {
                Some(at) if at > now => at,
                _ => now,
            };
            *next = Some(slot + self.interval);
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn rejects_non_positive_rates() {
        assert!(RateLimiter::new(0.0).is_none());
        assert!(RateLimiter::new(-3.0).is_none());
        assert!(RateLimiter::new(f64::NAN).is_none());
        assert!(RateLimiter::new(f64::INFINITY).is_none());
        assert_eq!(
            RateLimiter::new(4.0).unwrap().interval(),
            Duration::from_millis(250)
        );
    }

    // Real time, lower bounds only: a slow machine can only widen the gaps, so these cannot fail spuriously.
    #[tokio::test]
    async fn spaces_requests_across_tasks() {
        let limiter = Arc::new(RateLimiter::new(200.0).unwrap());
        let start = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..4 {
            let limiter = limiter.clone();
            tasks.push(tokio::spawn(async move {
                let mut times = Vec::new();
                for _ in 0..5 {
                    limiter.acquire().await;
                    times.push(Instant::now());
                }
                times
            }));
        }
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await.unwrap());
        }
        all.sort();
        assert_eq!(all.len(), 20);
        // The k-th request (in time order) cannot go before k intervals: waking late may bunch two
        // observations, but never lets one run ahead of its slot.
        for (k, at) in all.iter().enumerate() {
            let earliest = Duration::from_millis(5) * k as u32;
            assert!(
                *at - start >= earliest,
                "request {k} went {:?} after start",
                *at - start
            );
        }
    }

    #[tokio::test]
    async fn an_idle_limiter_banks_no_burst() {
        let limiter = RateLimiter::new(100.0).unwrap();
        limiter.acquire().await;
        tokio::time::sleep(Duration::from_millis(50)).await;
        let start = Instant::now();
        limiter.acquire().await;
        limiter.acquire().await;
        limiter.acquire().await;
        assert!(Instant::now() - start >= Duration::from_millis(20));
    }
}
