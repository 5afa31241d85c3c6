//! Reads the typed JSON form (spec-file examples, scenario steps, `conform gen` output) into values, by the shape.
//!
//! Reading is lenient on purpose: a member the shape does not have, or a JSON value of another type than the
//! shape's, becomes [`Value::Raw`] and is sent as written — spec files may send such things deliberately (an
//! example with the documents' lower-case `"Billing"` is still a string; a number where a string belongs is Raw).

use base64::Engine;
use indexmap::IndexMap;
use serde_json::Value as Json;

use super::service::Service;
use super::shape::{ShapeId, ShapeKind};
use super::value::{Timestamp, Value};

/// The value a JSON text denotes for a shape (see the module docs for what is not of the shape's type).
pub fn from_json(service: &Service, shape: ShapeId, json: &Json) -> Value {
    if let Some(tagged) = tagged(json) {
        return tagged;
    }
    let kind = &service.shape(shape).kind;
    match (kind, json) {
        (_, Json::Null) => Value::Null,
        (ShapeKind::Structure(members) | ShapeKind::Union(members), Json::Object(map)) => {
            let mut out = IndexMap::new();
            for (k, v) in map {
                let value = match members.iter().find(|m| m.name == *k) {
                    Some(m) => from_json(service, m.target, v),
                    None => tagged(v).unwrap_or_else(|| Value::Raw(v.clone())),
                };
                out.insert(k.clone(), value);
            }
            Value::Structure(out)
        }
        (ShapeKind::List(item), Json::Array(items)) => Value::List(
            items
                .iter()
                .map(|v| from_json(service, item.target, v))
                .collect(),
        ),
        (ShapeKind::Map { value, .. }, Json::Object(map)) => Value::Map(
            map.iter()
                .map(|(k, v)| (k.clone(), from_json(service, value.target, v)))
                .collect(),
        ),
        (ShapeKind::String | ShapeKind::Enum(_), Json::String(s)) => Value::String(s.clone()),
        (ShapeKind::Boolean, Json::Bool(b)) => Value::Boolean(*b),
        (k, Json::Number(n)) if k.is_integral() => match n.as_i64() {
            Some(i) => Value::Integer(i),
            None => Value::Raw(json.clone()),
        },
        (ShapeKind::Float | ShapeKind::Double | ShapeKind::BigDecimal, Json::Number(n)) => n
            .as_f64()
            .map(Value::Float)
            .unwrap_or(Value::Raw(json.clone())),
        (ShapeKind::Float | ShapeKind::Double, Json::String(s))
            if matches!(s.as_str(), "NaN" | "Infinity" | "-Infinity") =>
        {
            Value::Float(s.parse().unwrap_or(f64::NAN))
        }
        (ShapeKind::Timestamp, Json::Number(n)) => match n.as_f64() {
            Some(secs) => Value::Timestamp(Timestamp {
                epoch_millis: (secs * 1000.0).round() as i64,
            }),
            None => Value::Raw(json.clone()),
        },
        (ShapeKind::Timestamp, Json::String(s)) => match Timestamp::parse_rfc3339(s) {
            Some(t) => Value::Timestamp(t),
            None => Value::Raw(json.clone()),
        },
        // Blobs are base64 in JSON, as on the JSON wire; text that is no base64 is taken as its bytes.
        (ShapeKind::Blob, Json::String(s)) => Value::Blob(
            base64::engine::general_purpose::STANDARD
                .decode(s)
                .unwrap_or_else(|_| s.as_bytes().to_vec()),
        ),
        (ShapeKind::Document, _) => Value::Document(json.clone()),
        _ => Value::Raw(json.clone()),
    }
}

/// A tagged value (`{"$blob": ...}`, `{"$timestamp": ...}`, `{"$raw": ...}`, `{"$document": ...}`).
fn tagged(json: &Json) -> Option<Value> {
    let map = json.as_object()?;
    if map.len() != 1 {
        return None;
    }
    let (tag, inner) = map.iter().next()?;
    Some(match tag.as_str() {
        "$blob" => Value::Blob(
            base64::engine::general_purpose::STANDARD
                .decode(inner.as_str()?)
                .ok()?,
        ),
        "$timestamp" => Value::Timestamp(match inner {
            Json::String(s) => Timestamp::parse_rfc3339(s)?,
            Json::Number(n) => Timestamp {
                epoch_millis: (n.as_f64()? * 1000.0).round() as i64,
            },
            _ => return None,
        }),
        "$raw" => Value::Raw(inner.clone()),
        "$document" => Value::Document(inner.clone()),
        _ => return None,
    })
}

/// The plain JSON a value would be in a JSON body with member names as keys (for templates and assertions):
/// blobs as base64, timestamps as epoch seconds.
pub fn to_plain_json(value: &Value) -> Json {
    match value {
        Value::Null => Json::Null,
        Value::Boolean(b) => Json::Bool(*b),
        Value::Integer(i) => Json::from(*i),
        Value::Float(f) => super::value::float_json(*f),
        Value::String(s) => Json::String(s.clone()),
        Value::Blob(b) => Json::String(base64::engine::general_purpose::STANDARD.encode(b)),
        Value::Timestamp(t) => {
            if t.epoch_millis % 1000 == 0 {
                Json::from(t.epoch_millis / 1000)
            } else {
                super::value::float_json(t.as_secs_f64())
            }
        }
        Value::List(items) => Json::Array(items.iter().map(to_plain_json).collect()),
        Value::Map(m) | Value::Structure(m) => Json::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), to_plain_json(v)))
                .collect(),
        ),
        Value::Document(d) | Value::Raw(d) => d.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn typed_where_the_shape_says_raw_where_it_does_not() {
        let model = crate::spec::embedded_model().unwrap();
        let account = &model.services["account"];
        let (_, put) = model.operation("PutAlternateContact").unwrap();
        let v = from_json(
            account,
            put.input.unwrap(),
            &json!({"Name": "n", "Title": 5, "Extra": [1], "AlternateContactType": "Billing"}),
        );
        assert_eq!(v.get("Name"), Some(&Value::string("n")));
        assert_eq!(v.get("Title"), Some(&Value::Raw(json!(5))));
        assert_eq!(v.get("Extra"), Some(&Value::Raw(json!([1]))));
        assert_eq!(
            v.get("AlternateContactType"),
            Some(&Value::string("Billing"))
        );
        assert_eq!(
            to_plain_json(&v),
            json!({"Name": "n", "Title": 5, "Extra": [1], "AlternateContactType": "Billing"})
        );
    }

    #[test]
    fn the_typed_form_round_trips() {
        let v = Value::Structure(
            [
                ("B".to_string(), Value::Blob(vec![0, 255])),
                ("T".to_string(), Value::Timestamp(Timestamp::from_secs(5))),
                ("R".to_string(), Value::Raw(json!({"x": 1}))),
            ]
            .into_iter()
            .collect(),
        );
        let model = crate::spec::embedded_model().unwrap();
        let account = &model.services["account"];
        let (_, put) = model.operation("PutAlternateContact").unwrap();
        assert_eq!(
            from_json(account, put.input.unwrap(), &v.to_typed_json()),
            v
        );
    }
}
