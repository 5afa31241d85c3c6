//! The output-shape check: a success body against the operation's output members.
//!
//! What is checked: the body is a JSON object (or empty, for operations whose success body is empty), required
//! members are present and not null, each value has its member's JSON type, strings of enum shapes hold one of the
//! values, and no member appears that the spec does not declare (at any depth). Lengths, patterns and ranges are
//! not checked on outputs: the documents state them for inputs, and an output echoes what the service stored.
//!
//! For `response_body = "empty"` (Account's Put and Delete), an empty or whitespace body passes and so does `{}`:
//! real Account sends an empty body, but an empty JSON object carries no member and every SDK reads it as the
//! same empty output, so flagging it would report a difference no client can observe. Any other body fails.

use serde_json::{Map, Value};

use super::error_type::{body_excerpt, is_blank};
use crate::spec::validate::validate_members;
use crate::spec::{ConstraintKind, Member, Operation, ResponseBody, ShapeKind};

/// How many characters of an unparseable body a message quotes.
const EXCERPT: usize = 200;

/// The problems of a success body against `op`'s output; empty when it conforms.
pub fn output_problems(op: &Operation, body: &[u8]) -> Vec<String> {
    match op.response_body {
        ResponseBody::Empty => {
            if is_blank(body) {
                return vec![];
            }
            match serde_json::from_slice::<Value>(body) {
                Ok(Value::Object(map)) if map.is_empty() => vec![],
                _ => vec![format!(
                    "expected an empty body, got `{}`",
                    body_excerpt(body, EXCERPT)
                )],
            }
        }
        ResponseBody::Json => {
            if is_blank(body) {
                return vec!["expected a JSON object, got an empty body".into()];
            }
            match serde_json::from_slice::<Value>(body) {
                Ok(Value::Object(map)) => object_problems(&op.output, &map),
                Ok(other) => vec![format!(
                    "expected a JSON object, got a JSON {}",
                    json_type(&other)
                )],
                Err(e) => vec![format!(
                    "body is not JSON ({e}): `{}`",
                    body_excerpt(body, EXCERPT)
                )],
            }
        }
    }
}

fn object_problems(members: &[Member], body: &Map<String, Value>) -> Vec<String> {
    let mut problems: Vec<String> = validate_members(members, body)
        .into_iter()
        .filter(|v| {
            matches!(
                v.kind,
                ConstraintKind::Required
                    | ConstraintKind::Null
                    | ConstraintKind::Type
                    | ConstraintKind::Enum
            )
        })
        .map(|v| {
            let shown = v
                .value
                .as_ref()
                .map(|value| format!(" (value `{value}`)"))
                .unwrap_or_default();
            format!("`{}`: {}{shown}", v.dotted_path(), v.constraint)
        })
        .collect();
    let mut path = Vec::new();
    unexpected_members(members, body, &mut path, &mut problems);
    problems
}

/// Adds a problem for each key the members do not declare, descending into structures and lists of them.
fn unexpected_members(
    members: &[Member],
    body: &Map<String, Value>,
    path: &mut Vec<String>,
    problems: &mut Vec<String>,
) {
    for (key, value) in body {
        path.push(key.clone());
        match members.iter().find(|m| &m.name == key) {
            None => problems.push(format!("`{}`: unexpected member", path.join("."))),
            Some(member) => unexpected_in_value(&member.shape.kind, value, path, problems),
        }
        path.pop();
    }
}

fn unexpected_in_value(
    kind: &ShapeKind,
    value: &Value,
    path: &mut Vec<String>,
    problems: &mut Vec<String>,
) {
    match (kind, value) {
        (ShapeKind::Structure(members), Value::Object(map)) => {
            unexpected_members(members, map, path, problems)
        }
        (ShapeKind::List(item), Value::Array(items)) => {
            for (i, v) in items.iter().enumerate() {
                path.push((i + 1).to_string());
                unexpected_in_value(&item.kind, v, path, problems);
                path.pop();
            }
        }
        _ => {}
    }
}

/// The JSON type of a value, as a word.
pub(crate) fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::embedded;

    fn op(name: &str) -> Operation {
        embedded().unwrap().operation(name).unwrap().1.clone()
    }

    #[test]
    fn empty_bodies_pass_for_empty_outputs_and_other_bodies_fail() {
        let put = op("PutAlternateContact");
        assert!(output_problems(&put, b"").is_empty());
        assert!(output_problems(&put, b" \n").is_empty());
        assert!(output_problems(&put, b"{}").is_empty());
        let p = output_problems(&put, br#"{"Name":"x"}"#);
        assert_eq!(p.len(), 1);
        assert!(p[0].contains("expected an empty body"), "{p:?}");
    }

    #[test]
    fn json_outputs_are_checked_for_types_enums_and_unexpected_members() {
        let get = op("GetAlternateContact");
        let good = br#"{"AlternateContact":{"AlternateContactType":"BILLING","Name":"n","Title":"t","EmailAddress":"a@b.co","PhoneNumber":"1"}}"#;
        assert_eq!(output_problems(&get, good), Vec::<String>::new());
        let bad = br#"{"AlternateContact":{"AlternateContactType":"billing","Name":5,"Extra":1},"Other":true}"#;
        let p = output_problems(&get, bad);
        assert!(
            p.iter()
                .any(|m| m.contains("AlternateContact.AlternateContactType") && m.contains("enum")),
            "{p:?}"
        );
        assert!(
            p.iter()
                .any(|m| m.contains("AlternateContact.Name") && m.contains("type string")),
            "{p:?}"
        );
        assert!(p.contains(&"`AlternateContact.Extra`: unexpected member".to_string()));
        assert!(p.contains(&"`Other`: unexpected member".to_string()));
        assert_eq!(p.len(), 4, "{p:?}");
    }

    #[test]
    fn non_objects_and_garbage_fail_with_an_excerpt() {
        let start = op("StartPrimaryEmailUpdate");
        assert!(output_problems(&start, br#"{"Status":"PENDING"}"#).is_empty());
        assert_eq!(
            output_problems(&start, b"[1]"),
            vec!["expected a JSON object, got a JSON array".to_string()]
        );
        let p = output_problems(&start, b"<html><body>oops</body></html>");
        assert!(p[0].starts_with("body is not JSON"), "{p:?}");
        assert!(p[0].contains("<html><body>oops"), "{p:?}");
        assert_eq!(
            output_problems(&start, b""),
            vec!["expected a JSON object, got an empty body".to_string()]
        );
    }
}
