//! Checks a JSON value against members the way AWS's Coral validation does; independent of the generator.

use serde_json::{Map, Value};

use super::model::{ConstraintKind, Member, Shape, ShapeKind};

/// One constraint a value breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Member names from the top of the input down to the offending member.
    pub path: Vec<String>,
    /// The kind of constraint.
    pub kind: ConstraintKind,
    /// Coral's constraint text: `Member must have length less than or equal to 64`.
    pub constraint: String,
    /// The offending value as text, `None` when it is absent, null or sensitive.
    pub value: Option<String>,
}

impl Violation {
    /// The dotted member path (`AlternateContact.Name`).
    pub fn dotted_path(&self) -> String {
        self.path.join(".")
    }
}

/// Every violation in `input` against `members`, in member order; unknown members are ignored, as AWS does.
pub fn validate_members(members: &[Member], input: &Map<String, Value>) -> Vec<Violation> {
    let mut out = Vec::new();
    let mut path = Vec::new();
    check_members(members, input, &mut path, &mut out);
    out
}

fn check_members(
    members: &[Member],
    input: &Map<String, Value>,
    path: &mut Vec<String>,
    out: &mut Vec<Violation>,
) {
    for member in members {
        path.push(member.name.clone());
        match input.get(&member.name) {
            None if member.required => out.push(violation(
                path,
                ConstraintKind::Required,
                "Member must not be null".into(),
                None,
            )),
            Some(Value::Null) if member.required => out.push(violation(
                path,
                ConstraintKind::Null,
                "Member must not be null".into(),
                None,
            )),
            None | Some(Value::Null) => {}
            Some(value) => check_value(&member.shape, member.sensitive, value, path, out),
        }
        path.pop();
    }
}

/// Checks one present, non-null value against its shape.
pub(crate) fn check_value(
    shape: &Shape,
    sensitive: bool,
    value: &Value,
    path: &mut Vec<String>,
    out: &mut Vec<Violation>,
) {
    let shown = |v: &Value| -> Option<String> {
        if sensitive || shape.sensitive {
            None
        } else {
            Some(match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
        }
    };
    let type_error = |out: &mut Vec<Violation>, path: &Vec<String>| {
        out.push(violation(
            path,
            ConstraintKind::Type,
            format!("Member must be of type {}", shape.kind.name()),
            shown(value),
        ))
    };
    match (&shape.kind, value) {
        (ShapeKind::String, Value::String(s)) => {
            let length = s.chars().count() as u64;
            if let Some(min) = shape.min_length
                && length < min
            {
                out.push(violation(
                    path,
                    ConstraintKind::Length,
                    format!("Member must have length greater than or equal to {min}"),
                    shown(value),
                ));
            }
            if let Some(max) = shape.max_length
                && length > max
            {
                out.push(violation(
                    path,
                    ConstraintKind::Length,
                    format!("Member must have length less than or equal to {max}"),
                    shown(value),
                ));
            }
            if let Some(pattern) = &shape.pattern
                && !pattern.is_match(s)
            {
                out.push(violation(
                    path,
                    ConstraintKind::Pattern,
                    format!(
                        "Member must satisfy regular expression pattern: {}",
                        pattern.source()
                    ),
                    shown(value),
                ));
            }
            if let Some(values) = &shape.enum_values
                && !values.iter().any(|v| v == s)
            {
                out.push(violation(
                    path,
                    ConstraintKind::Enum,
                    format!(
                        "Member must satisfy enum value set: [{}]",
                        values.join(", ")
                    ),
                    shown(value),
                ));
            }
        }
        (ShapeKind::Integer | ShapeKind::Long, Value::Number(n)) => {
            let Some(n) = n
                .as_i64()
                .filter(|n| matches!(shape.kind, ShapeKind::Long) || i32::try_from(*n).is_ok())
            else {
                return type_error(out, path);
            };
            if let Some(min) = shape.min
                && n < min
            {
                out.push(violation(
                    path,
                    ConstraintKind::Range,
                    format!("Member must have value greater than or equal to {min}"),
                    shown(value),
                ));
            }
            if let Some(max) = shape.max
                && n > max
            {
                out.push(violation(
                    path,
                    ConstraintKind::Range,
                    format!("Member must have value less than or equal to {max}"),
                    shown(value),
                ));
            }
        }
        (ShapeKind::Boolean, Value::Bool(_)) => {}
        (ShapeKind::Timestamp, Value::Number(_)) => {}
        (ShapeKind::Structure(members), Value::Object(map)) => {
            check_members(members, map, path, out)
        }
        (ShapeKind::List(item), Value::Array(items)) => {
            let length = items.len() as u64;
            if let Some(min) = shape.min_length
                && length < min
            {
                out.push(violation(
                    path,
                    ConstraintKind::Length,
                    format!("Member must have length greater than or equal to {min}"),
                    None,
                ));
            }
            if let Some(max) = shape.max_length
                && length > max
            {
                out.push(violation(
                    path,
                    ConstraintKind::Length,
                    format!("Member must have length less than or equal to {max}"),
                    None,
                ));
            }
            for (i, item_value) in items.iter().enumerate() {
                path.push(format!("{}", i + 1));
                if item_value.is_null() {
                    out.push(violation(
                        path,
                        ConstraintKind::Null,
                        "Member must not be null".into(),
                        None,
                    ));
                } else {
                    check_value(item, item.sensitive, item_value, path, out);
                }
                path.pop();
            }
        }
        _ => type_error(out, path),
    }
}

fn violation(
    path: &[String],
    kind: ConstraintKind,
    constraint: String,
    value: Option<String>,
) -> Violation {
    Violation {
        path: path.to_vec(),
        kind,
        constraint,
        value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::embedded;
    use serde_json::json;

    fn put_members() -> Vec<Member> {
        let specs = embedded().unwrap();
        specs
            .operation("PutAlternateContact")
            .unwrap()
            .1
            .input
            .clone()
    }

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn a_valid_put_has_no_violation() {
        let input = obj(
            json!({"AlternateContactType": "BILLING", "Name": "n", "Title": "t",
            "EmailAddress": "a@b.co", "PhoneNumber": "+1 (206) 555-0199", "Unknown": 1}),
        );
        assert_eq!(validate_members(&put_members(), &input), vec![]);
    }

    #[test]
    fn each_kind_of_violation_is_found_and_sensitive_values_withheld() {
        let input = obj(
            json!({"AccountId": "1234", "AlternateContactType": "billing", "Name": null,
            "Title": 5, "EmailAddress": "x".repeat(255), "PhoneNumber": "abc"}),
        );
        let found: Vec<(String, ConstraintKind)> = validate_members(&put_members(), &input)
            .into_iter()
            .map(|v| (v.dotted_path(), v.kind))
            .collect();
        assert_eq!(
            found,
            vec![
                ("AccountId".into(), ConstraintKind::Pattern),
                ("AlternateContactType".into(), ConstraintKind::Enum),
                ("EmailAddress".into(), ConstraintKind::Length),
                ("EmailAddress".into(), ConstraintKind::Pattern),
                ("Name".into(), ConstraintKind::Null),
                ("PhoneNumber".into(), ConstraintKind::Pattern),
                ("Title".into(), ConstraintKind::Type),
            ]
        );
        let v = validate_members(&put_members(), &input);
        assert_eq!(
            v[0].value.as_deref(),
            Some("1234"),
            "AccountId is not sensitive"
        );
        assert!(v[2].value.is_none(), "EmailAddress is sensitive");
    }

    #[test]
    fn lengths_count_code_points() {
        let members = put_members();
        let mut input = obj(json!({"AlternateContactType": "BILLING", "Title": "t",
            "EmailAddress": "a@b.co", "PhoneNumber": "1"}));
        input.insert("Name".into(), Value::String("😀".repeat(64)));
        assert_eq!(validate_members(&members, &input), vec![]);
        input.insert("Name".into(), Value::String("😀".repeat(65)));
        assert_eq!(validate_members(&members, &input).len(), 1);
    }
}
