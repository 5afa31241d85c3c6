//! Parsers of flag values: every number and duration a flag takes is checked here, so that a bad value is a usage
//! error naming the flag (clap adds the name), never a panic deeper down.

use std::time::Duration;

/// The longest duration a flag accepts: a day. Longer ones would overflow timers and help nobody.
pub const MAX_SECONDS: f64 = 86_400.0;

/// Seconds, fractional allowed: more than 0 and at most a day (`10`, `0.5`).
pub fn parse_seconds(text: &str) -> Result<Duration, String> {
    let secs: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("expected a number of seconds (e.g. 10 or 0.5), got `{text}`"))?;
    if !secs.is_finite() || secs <= 0.0 || secs > MAX_SECONDS {
        return Err(format!(
            "expected more than 0 and at most {MAX_SECONDS} seconds (a day), got `{text}`"
        ));
    }
    // At least a millisecond: a zero timeout would fail every request.
    Ok(Duration::from_secs_f64(secs.max(0.001)))
}

/// A duration with a unit, or plain seconds: `90`, `90s`, `15m`, `2h`, `500ms`; more than 0 and at most a day.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let trimmed = text.trim();
    let split = trimmed
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    let scale = match unit.trim() {
        "" | "s" => 1.0,
        "ms" => 0.001,
        "m" => 60.0,
        "h" => 3600.0,
        _ => {
            return Err(format!(
                "expected a duration such as 90s, 15m, 2h or 500ms, got `{text}`"
            ));
        }
    };
    let value: f64 = number
        .parse()
        .map_err(|_| format!("expected a duration such as 90s, 15m, 2h or 500ms, got `{text}`"))?;
    parse_seconds(&(value * scale).to_string()).map_err(|_| {
        format!("expected a duration of more than 0 and at most a day (24h), got `{text}`")
    })
}

/// Requests per second: from 0.001 (one every 1000 s) to a million.
pub fn parse_rate(text: &str) -> Result<f64, String> {
    let rate: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("expected a number of requests per second, got `{text}`"))?;
    if !rate.is_finite() || !(0.001..=1_000_000.0).contains(&rate) {
        return Err(format!(
            "expected from 0.001 to 1000000 requests per second, got `{text}`"
        ));
    }
    Ok(rate)
}

/// Requests in flight: 1 to 1024.
pub fn parse_concurrency(text: &str) -> Result<usize, String> {
    let n: usize = text
        .trim()
        .parse()
        .map_err(|_| format!("expected a whole number from 1 to 1024, got `{text}`"))?;
    if !(1..=1024).contains(&n) {
        return Err(format!("expected from 1 to 1024, got `{text}`"));
    }
    Ok(n)
}

/// A whole number from `lo` to `hi`, with a message that names the range.
fn bounded(text: &str, lo: usize, hi: usize) -> Result<usize, String> {
    let n: usize = text
        .trim()
        .parse()
        .map_err(|_| format!("expected a whole number from {lo} to {hi}, got `{text}`"))?;
    if !(lo..=hi).contains(&n) {
        return Err(format!("expected from {lo} to {hi}, got `{text}`"));
    }
    Ok(n)
}

/// Random draws per operation and kind: 0 to 10,000 (more would take hours against any target).
pub fn parse_cases(text: &str) -> Result<usize, String> {
    bounded(text, 0, 10_000)
}

/// Runs of each scenario per parameter value: 1 to 1,000.
pub fn parse_scenario_draws(text: &str) -> Result<usize, String> {
    bounded(text, 1, 1_000)
}

/// Retries of a throttled request: 0 to 100.
pub fn parse_retries(text: &str) -> Result<u32, String> {
    bounded(text, 0, 100).map(|n| n as u32)
}

/// `K/N` with 1 <= K <= N.
pub fn parse_partition(text: &str) -> Result<(u64, u64), String> {
    let parsed = text
        .split_once('/')
        .and_then(|(k, n)| Some((k.trim().parse::<u64>().ok()?, n.trim().parse::<u64>().ok()?)));
    match parsed {
        Some((k, n)) if n >= 1 && (1..=n).contains(&k) => Ok((k, n)),
        _ => Err(format!(
            "expected K/N with 1 <= K <= N (e.g. 2/4), got `{text}`"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_rates_are_bounded() {
        assert_eq!(parse_seconds("10").unwrap(), Duration::from_secs(10));
        assert_eq!(parse_seconds("0.5").unwrap(), Duration::from_millis(500));
        for bad in ["inf", "NaN", "-1", "0", "1e20", "", "ten", "86401"] {
            assert!(parse_seconds(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_duration("90").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("90s").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("15m").unwrap(), Duration::from_secs(900));
        assert_eq!(parse_duration("2h").unwrap(), Duration::from_secs(7200));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        for bad in ["", "0s", "25h", "-1m", "1d", "m", "1.2.3s", "inf"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_rate("2").unwrap(), 2.0);
        for bad in ["1e-20", "0", "-3", "inf", "NaN", "1e7", "x"] {
            assert!(parse_rate(bad).is_err(), "{bad}");
        }
        for bad in ["0", "1025", "-1", "x", "99999999999999999999999"] {
            assert!(parse_concurrency(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_partition("2/4").unwrap(), (2, 4));
        for bad in ["0/4", "5/4", "1/0", "a/b", "2"] {
            assert!(parse_partition(bad).is_err(), "{bad}");
        }
    }
}
