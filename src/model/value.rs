//! Typed values: what a case sends and a target answers, independent of any wire protocol.
//!
//! A [`Value`] follows the shape graph: structures and maps are ordered maps, lists are vectors, scalars are typed,
//! and [`Value::Raw`] holds a deliberately wrong-typed value (a number where the model has a string) for invalid
//! cases. Protocols turn values into bytes and back; nothing in the harness re-parses a request body to recover them.
//!
//! # The typed JSON form
//! `conform gen` prints inputs, and spec files write examples, in one JSON form that any implementation can read
//! back with the model beside it: structures, unions and maps are objects, lists are arrays, strings, numbers and
//! booleans are themselves, and the types JSON cannot tell apart are tagged: `{"$blob": "<base64>"}`,
//! `{"$timestamp": "<RFC 3339>"}`, `{"$raw": <any JSON>}` (a wrong-typed injection) and `{"$document": <JSON>}`.

use std::fmt;

use base64::Engine;
use indexmap::IndexMap;
use serde_json::json;

/// A point in time, to the millisecond.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Timestamp {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    pub epoch_millis: i64,
}

impl Timestamp {
    /// A timestamp at whole seconds.
    pub fn from_secs(secs: i64) -> Self {
        Timestamp {
            epoch_millis: secs.saturating_mul(1000),
        }
    }

    /// Seconds since the epoch, with the fraction.
    pub fn as_secs_f64(self) -> f64 {
        self.epoch_millis as f64 / 1000.0
    }

    /// RFC 3339 in UTC, with milliseconds only when there are any (`2020-01-02T03:04:05Z`, `...05.250Z`).
    pub fn to_rfc3339(self) -> String {
        let (secs, millis) = (
            self.epoch_millis.div_euclid(1000),
            self.epoch_millis.rem_euclid(1000),
        );
        let (y, mo, d, h, mi, s) = civil(secs);
        if millis == 0 {
            format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
        } else {
            format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{millis:03}Z")
        }
    }

    /// RFC 7231 IMF-fixdate (`Thu, 02 Jan 2020 03:04:05 GMT`); milliseconds are dropped.
    pub fn to_http_date(self) -> String {
        let secs = self.epoch_millis.div_euclid(1000);
        let (y, mo, d, h, mi, s) = civil(secs);
        const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        let weekday = DAYS[secs.div_euclid(86_400).rem_euclid(7) as usize];
        format!(
            "{weekday}, {d:02} {} {y:04} {h:02}:{mi:02}:{s:02} GMT",
            MONTHS[(mo - 1) as usize]
        )
    }

    /// Parses RFC 3339 (`Z` or an offset, optional fraction), the form [`Timestamp::to_rfc3339`] writes and more.
    pub fn parse_rfc3339(text: &str) -> Option<Self> {
        let b = text.as_bytes();
        if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
            return None;
        }
        let num = |r: std::ops::Range<usize>| -> Option<i64> { text.get(r)?.parse().ok() };
        let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
        let (h, mi, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
        if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
            return None;
        }
        let mut rest = &text[19..];
        let mut millis = 0i64;
        if let Some(frac) = rest.strip_prefix('.') {
            let digits = frac.chars().take_while(char::is_ascii_digit).count();
            if digits == 0 {
                return None;
            }
            let padded = format!("{:0<3}", &frac[..digits.min(3)]);
            millis = padded.parse().ok()?;
            rest = &frac[digits..];
        }
        let offset = match rest {
            "Z" | "z" => 0,
            _ if rest.len() == 6 && matches!(&rest[..1], "+" | "-") && &rest[3..4] == ":" => {
                let sign = if &rest[..1] == "-" { -1 } else { 1 };
                let oh: i64 = rest[1..3].parse().ok()?;
                let om: i64 = rest[4..6].parse().ok()?;
                sign * (oh * 3600 + om * 60)
            }
            _ => return None,
        };
        let secs = days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s - offset;
        Some(Timestamp {
            epoch_millis: secs * 1000 + millis,
        })
    }

    /// Parses an IMF-fixdate (`Thu, 02 Jan 2020 03:04:05 GMT`).
    pub fn parse_http_date(text: &str) -> Option<Self> {
        let t = httpdate::parse_http_date(text).ok()?;
        let secs = t.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
        Some(Timestamp::from_secs(i64::try_from(secs).ok()?))
    }
}

/// Days since the epoch of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// (year, month, day, hour, minute, second) of seconds since the epoch.
fn civil(secs: i64) -> (i64, i64, i64, i64, i64, i64) {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d, rem / 3600, rem % 3600 / 60, rem % 60)
}

/// A typed value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// An explicit null (sent as JSON `null`): a mutation, never a valid member value.
    Null,
    /// A boolean.
    Boolean(bool),
    /// A whole number (byte, short, integer, long, bigInteger within 64 bits, intEnum).
    Integer(i64),
    /// A fractional number (float, double; bigDecimal within f64).
    Float(f64),
    /// A string or enum value.
    String(String),
    /// Bytes.
    Blob(Vec<u8>),
    /// A point in time.
    Timestamp(Timestamp),
    /// List items.
    List(Vec<Value>),
    /// Map entries, in order.
    Map(IndexMap<String, Value>),
    /// Structure (or union) members by member name, in order.
    Structure(IndexMap<String, Value>),
    /// An untyped document.
    Document(serde_json::Value),
    /// A value of the wrong type, injected on purpose: sent as this JSON (or its text form on non-JSON protocols).
    Raw(serde_json::Value),
}

impl Value {
    /// An empty structure.
    pub fn structure() -> Self {
        Value::Structure(IndexMap::new())
    }

    /// A string value.
    pub fn string(s: impl Into<String>) -> Self {
        Value::String(s.into())
    }

    /// The members of a structure.
    pub fn as_structure(&self) -> Option<&IndexMap<String, Value>> {
        match self {
            Value::Structure(m) => Some(m),
            _ => None,
        }
    }

    /// The members of a structure, mutably.
    pub fn as_structure_mut(&mut self) -> Option<&mut IndexMap<String, Value>> {
        match self {
            Value::Structure(m) => Some(m),
            _ => None,
        }
    }

    /// The text of a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// A member of a structure.
    pub fn get(&self, member: &str) -> Option<&Value> {
        self.as_structure()?.get(member)
    }

    /// The JSON type name a value would have on a JSON wire (`string`, `number`, `object`, ...).
    pub fn json_type(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Boolean(_) => "boolean",
            Value::Integer(_) | Value::Float(_) => "number",
            Value::String(_) | Value::Blob(_) => "string",
            Value::Timestamp(_) => "number",
            Value::List(_) => "array",
            Value::Map(_) | Value::Structure(_) => "object",
            Value::Document(d) | Value::Raw(d) => match d {
                serde_json::Value::Null => "null",
                serde_json::Value::Bool(_) => "boolean",
                serde_json::Value::Number(_) => "number",
                serde_json::Value::String(_) => "string",
                serde_json::Value::Array(_) => "array",
                serde_json::Value::Object(_) => "object",
            },
        }
    }

    /// The typed JSON form (see the module docs).
    pub fn to_typed_json(&self) -> serde_json::Value {
        match self {
            Value::Null => serde_json::Value::Null,
            Value::Boolean(b) => json!(b),
            Value::Integer(i) => json!(i),
            Value::Float(f) => float_json(*f),
            Value::String(s) => json!(s),
            Value::Blob(b) => {
                json!({ "$blob": base64::engine::general_purpose::STANDARD.encode(b) })
            }
            Value::Timestamp(t) => json!({ "$timestamp": t.to_rfc3339() }),
            Value::List(items) => {
                serde_json::Value::Array(items.iter().map(Value::to_typed_json).collect())
            }
            Value::Map(m) | Value::Structure(m) => serde_json::Value::Object(
                m.iter()
                    .map(|(k, v)| (k.clone(), v.to_typed_json()))
                    .collect(),
            ),
            Value::Document(d) => json!({ "$document": d }),
            Value::Raw(r) => json!({ "$raw": r }),
        }
    }

    /// Every string in the value (map keys included), depth first: for redaction and marker searches.
    pub fn strings(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.collect_strings(&mut out);
        out
    }

    fn collect_strings<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Value::String(s) => out.push(s),
            Value::List(items) => items.iter().for_each(|v| v.collect_strings(out)),
            Value::Map(m) | Value::Structure(m) => {
                for (k, v) in m {
                    if matches!(self, Value::Map(_)) {
                        out.push(k);
                    }
                    v.collect_strings(out);
                }
            }
            _ => {}
        }
    }
}

/// A float as JSON: non-finite values as the strings AWS's JSON protocols use (`NaN`, `Infinity`, `-Infinity`).
pub fn float_json(f: f64) -> serde_json::Value {
    if f.is_nan() {
        json!("NaN")
    } else if f.is_infinite() {
        json!(if f > 0.0 { "Infinity" } else { "-Infinity" })
    } else {
        serde_json::Number::from_f64(f)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null)
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_typed_json())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_round_trip_through_rfc3339_and_http_dates() {
        let t = Timestamp {
            epoch_millis: 1_577_934_245_250,
        };
        assert_eq!(t.to_rfc3339(), "2020-01-02T03:04:05.250Z");
        assert_eq!(
            Timestamp::parse_rfc3339("2020-01-02T03:04:05.250Z"),
            Some(t)
        );
        assert_eq!(
            Timestamp::parse_rfc3339("2020-01-02T04:04:05.25+01:00"),
            Some(t)
        );
        let whole = Timestamp::from_secs(1_577_934_245);
        assert_eq!(whole.to_http_date(), "Thu, 02 Jan 2020 03:04:05 GMT");
        assert_eq!(
            Timestamp::parse_http_date("Thu, 02 Jan 2020 03:04:05 GMT"),
            Some(whole)
        );
        assert_eq!(Timestamp::from_secs(0).to_rfc3339(), "1970-01-01T00:00:00Z");
        assert_eq!(
            Timestamp::from_secs(-1).to_rfc3339(),
            "1969-12-31T23:59:59Z"
        );
        assert_eq!(Timestamp::parse_rfc3339("2020-13-02T03:04:05Z"), None);
    }

    #[test]
    fn the_typed_json_form_tags_what_json_cannot_tell_apart() {
        let mut m = IndexMap::new();
        m.insert("B".to_string(), Value::Blob(b"hi".to_vec()));
        m.insert("T".to_string(), Value::Timestamp(Timestamp::from_secs(0)));
        m.insert("R".to_string(), Value::Raw(json!(5)));
        m.insert("F".to_string(), Value::Float(f64::NAN));
        assert_eq!(
            Value::Structure(m).to_typed_json(),
            json!({"B": {"$blob": "aGk="}, "T": {"$timestamp": "1970-01-01T00:00:00Z"}, "R": {"$raw": 5}, "F": "NaN"})
        );
    }
}
