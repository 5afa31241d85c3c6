//! Checks a typed value against its shape the way AWS's Coral validation does; independent of any generator.
//!
//! Type mismatches ([`ConstraintKind::Type`]) are reported apart from constraint violations because AWS's JSON
//! services reject them earlier, while deserialising (SerializationException), and never together with them.

use super::path::{Path, Segment};
use super::service::Service;
use super::shape::{Member, Numeric, Shape, ShapeId, ShapeKind};
use super::value::Value;

/// The kinds of constraint a value can break; spec-file `on_violation` rules select by them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ConstraintKind {
    /// A required member is missing.
    Required,
    /// A member is an explicit null.
    Null,
    /// A string, list, map or blob is shorter or longer than allowed.
    Length,
    /// A number is outside its range.
    Range,
    /// A string does not match its pattern.
    Pattern,
    /// A value is not one of the enum values.
    Enum,
    /// A value has the wrong type.
    Type,
    /// A union has no member or several set.
    Union,
}

impl ConstraintKind {
    /// Every kind, in a fixed order.
    pub const ALL: [ConstraintKind; 8] = [
        ConstraintKind::Required,
        ConstraintKind::Null,
        ConstraintKind::Length,
        ConstraintKind::Range,
        ConstraintKind::Pattern,
        ConstraintKind::Enum,
        ConstraintKind::Type,
        ConstraintKind::Union,
    ];

    /// The name used in spec files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            ConstraintKind::Required => "required",
            ConstraintKind::Null => "null",
            ConstraintKind::Length => "length",
            ConstraintKind::Range => "range",
            ConstraintKind::Pattern => "pattern",
            ConstraintKind::Enum => "enum",
            ConstraintKind::Type => "type",
            ConstraintKind::Union => "union",
        }
    }

    /// Parses a spec-file name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// One constraint a value breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Where, from the top of the input.
    pub path: Path,
    /// The kind of constraint.
    pub kind: ConstraintKind,
    /// Coral's constraint text: `Member must have length less than or equal to 64`.
    pub constraint: String,
    /// The offending value as text; `None` when it is absent, null or sensitive.
    pub value: Option<String>,
}

impl Violation {
    /// The dotted member path (`AlternateContact.Name`), indices shown as `[i]`.
    pub fn dotted_path(&self) -> String {
        self.path.to_string()
    }

    /// Coral's sentence for this violation: `Value 'abc' at 'tableName' failed to satisfy constraint: ...`;
    /// `Value null at ...` for missing members, `Value at ...` for sensitive ones.
    pub fn coral_text(&self) -> String {
        let value = match (&self.value, self.kind) {
            (_, ConstraintKind::Required | ConstraintKind::Null) => "Value null".to_string(),
            (Some(v), _) => format!("Value '{v}'"),
            (None, _) => "Value".to_string(),
        };
        format!(
            "{value} at '{}' failed to satisfy constraint: {}",
            self.path.coral(),
            self.constraint
        )
    }
}

/// Every violation in `input` (an operation's input structure value) against the structure `shape`, in member order.
/// Members the model does not know are ignored, as AWS does.
pub fn validate_input(service: &Service, shape: ShapeId, input: &Value) -> Vec<Violation> {
    let mut out = Vec::new();
    check(
        service,
        service.shape(shape),
        false,
        input,
        &mut Path::root(),
        &mut out,
    );
    out
}

/// Every violation in one present value of a member.
pub fn validate_value(
    service: &Service,
    member: &Member,
    value: &Value,
    at: &Path,
) -> Vec<Violation> {
    let mut out = Vec::new();
    let mut path = at.clone();
    check(
        service,
        service.target(member),
        member.sensitive,
        value,
        &mut path,
        &mut out,
    );
    out
}

fn push(
    out: &mut Vec<Violation>,
    path: &Path,
    kind: ConstraintKind,
    constraint: String,
    value: Option<String>,
) {
    out.push(Violation {
        path: path.clone(),
        kind,
        constraint,
        value,
    });
}

fn check_members(
    service: &Service,
    members: &[Member],
    map: &indexmap::IndexMap<String, Value>,
    path: &mut Path,
    out: &mut Vec<Violation>,
) {
    for member in members {
        path.0.push(Segment::Member(member.name.clone()));
        match map.get(&member.name) {
            None if member.required => push(
                out,
                path,
                ConstraintKind::Required,
                "Member must not be null".into(),
                None,
            ),
            Some(Value::Null) if member.required => push(
                out,
                path,
                ConstraintKind::Null,
                "Member must not be null".into(),
                None,
            ),
            None | Some(Value::Null) => {}
            Some(value) => check(
                service,
                service.target(member),
                member.sensitive,
                value,
                path,
                out,
            ),
        }
        path.0.pop();
    }
}

fn shown(shape: &Shape, sensitive: bool, value: &Value) -> Option<String> {
    if sensitive || shape.sensitive {
        return None;
    }
    Some(match value {
        Value::String(s) => s.clone(),
        Value::Integer(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Boolean(b) => b.to_string(),
        Value::Raw(serde_json::Value::String(s)) => s.clone(),
        Value::Raw(raw) | Value::Document(raw) => raw.to_string(),
        other => other.to_typed_json().to_string(),
    })
}

fn length_checks(
    shape: &Shape,
    length: u64,
    value: impl Fn() -> Option<String>,
    path: &Path,
    out: &mut Vec<Violation>,
) {
    let c = &shape.constraints;
    if let Some(min) = c.min_length
        && length < min
    {
        push(
            out,
            path,
            ConstraintKind::Length,
            format!("Member must have length greater than or equal to {min}"),
            value(),
        );
    }
    if let Some(max) = c.max_length
        && length > max
    {
        push(
            out,
            path,
            ConstraintKind::Length,
            format!("Member must have length less than or equal to {max}"),
            value(),
        );
    }
}

fn range_checks(
    shape: &Shape,
    n: f64,
    value: impl Fn() -> Option<String>,
    path: &Path,
    out: &mut Vec<Violation>,
) {
    let c = &shape.constraints;
    let below = |b: Numeric| match b {
        Numeric::Int(i) => (n as i128) < i || n < i as f64,
        Numeric::Float(f) => n < f,
    };
    let above = |b: Numeric| match b {
        Numeric::Int(i) => (n as i128) > i || n > i as f64,
        Numeric::Float(f) => n > f,
    };
    if let Some(min) = c.min
        && below(min)
    {
        push(
            out,
            path,
            ConstraintKind::Range,
            format!("Member must have value greater than or equal to {min}"),
            value(),
        );
    }
    if let Some(max) = c.max
        && above(max)
    {
        push(
            out,
            path,
            ConstraintKind::Range,
            format!("Member must have value less than or equal to {max}"),
            value(),
        );
    }
}

/// Checks one present, non-null value against its shape.
fn check(
    service: &Service,
    shape: &Shape,
    sensitive: bool,
    value: &Value,
    path: &mut Path,
    out: &mut Vec<Violation>,
) {
    // The value as a message shows it, made only for a violation: most values break nothing, and a structure's
    // text is its whole document.
    let text = || shown(shape, sensitive, value);
    let type_error = |out: &mut Vec<Violation>, path: &Path| {
        push(
            out,
            path,
            ConstraintKind::Type,
            format!("Member must be of type {}", shape.kind.name()),
            text(),
        )
    };
    match (&shape.kind, value) {
        (ShapeKind::String | ShapeKind::Enum(_), Value::String(s)) => {
            length_checks(shape, s.chars().count() as u64, text, path, out);
            if let Some(pattern) = &shape.constraints.pattern
                && !pattern.is_match(s)
            {
                push(
                    out,
                    path,
                    ConstraintKind::Pattern,
                    format!(
                        "Member must satisfy regular expression pattern: {}",
                        pattern.source()
                    ),
                    text(),
                );
            }
            if let ShapeKind::Enum(values) = &shape.kind
                && !values.iter().any(|v| v == s)
            {
                push(
                    out,
                    path,
                    ConstraintKind::Enum,
                    format!(
                        "Member must satisfy enum value set: [{}]",
                        values.join(", ")
                    ),
                    text(),
                );
            }
        }
        (ShapeKind::IntEnum(values), Value::Integer(i)) => {
            if !values.contains(i) {
                push(
                    out,
                    path,
                    ConstraintKind::Enum,
                    format!(
                        "Member must satisfy enum value set: [{}]",
                        values
                            .iter()
                            .map(i64::to_string)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    text(),
                );
            }
        }
        (kind, Value::Integer(i)) if kind.is_integral() => {
            let (lo, hi) = kind.integral_range().expect("integral kinds have a range");
            if i128::from(*i) < lo || i128::from(*i) > hi {
                return type_error(out, path);
            }
            range_checks(shape, *i as f64, text, path, out);
        }
        (ShapeKind::Float | ShapeKind::Double | ShapeKind::BigDecimal, Value::Float(f)) => {
            if f.is_finite() {
                range_checks(shape, *f, text, path, out);
            }
        }
        (ShapeKind::Float | ShapeKind::Double | ShapeKind::BigDecimal, Value::Integer(i)) => {
            range_checks(shape, *i as f64, text, path, out);
        }
        (ShapeKind::Boolean, Value::Boolean(_)) => {}
        (ShapeKind::Timestamp, Value::Timestamp(_)) => {}
        (ShapeKind::Blob, Value::Blob(b)) => {
            length_checks(shape, b.len() as u64, || None, path, out)
        }
        (ShapeKind::Document, Value::Document(_)) => {}
        (ShapeKind::Structure(members), Value::Structure(map)) => {
            check_members(service, members, map, path, out)
        }
        (ShapeKind::Union(members), Value::Structure(map)) => {
            let set = map.values().filter(|v| !matches!(v, Value::Null)).count();
            if set != 1 {
                push(
                    out,
                    path,
                    ConstraintKind::Union,
                    format!("Member must have exactly one member set, found {set}"),
                    None,
                );
            }
            check_members(service, members, map, path, out)
        }
        (ShapeKind::List(item), Value::List(items)) => {
            length_checks(shape, items.len() as u64, || None, path, out);
            let item_shape = service.target(item);
            for (i, item_value) in items.iter().enumerate() {
                path.0.push(Segment::Index(i));
                if matches!(item_value, Value::Null) {
                    push(
                        out,
                        path,
                        ConstraintKind::Null,
                        "Member must not be null".into(),
                        None,
                    );
                } else {
                    check(service, item_shape, item.sensitive, item_value, path, out);
                }
                path.0.pop();
            }
        }
        (ShapeKind::Map { key, value: member }, Value::Map(entries)) => {
            length_checks(shape, entries.len() as u64, || None, path, out);
            let key_shape = service.target(key);
            let value_shape = service.target(member);
            for (k, v) in entries {
                path.0.push(Segment::Key(k.clone()));
                check(
                    service,
                    key_shape,
                    key.sensitive,
                    &Value::String(k.clone()),
                    path,
                    out,
                );
                if matches!(v, Value::Null) {
                    push(
                        out,
                        path,
                        ConstraintKind::Null,
                        "Member must not be null".into(),
                        None,
                    );
                } else {
                    check(service, value_shape, member.sensitive, v, path, out);
                }
                path.0.pop();
            }
        }
        _ => type_error(out, path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::shape::Member;
    use crate::model::{Pattern, ProtocolId};
    use indexmap::IndexMap;
    use std::sync::Arc;

    fn service() -> (Service, ShapeId) {
        let mut s = Service::new("t", ProtocolId::AwsJson1_0);
        let mut name = Shape::new("Name", ShapeKind::String);
        name.constraints.min_length = Some(1);
        name.constraints.max_length = Some(3);
        name.constraints.pattern = Some(Arc::new(Pattern::new("^[a-z]+$").unwrap()));
        let name = s.add_shape(name);
        let mut secret = Shape::new("Secret", ShapeKind::String);
        secret.sensitive = true;
        secret.constraints.max_length = Some(2);
        let secret = s.add_shape(secret);
        let mut count = Shape::new("Count", ShapeKind::Integer);
        count.constraints.min = Some(Numeric::Int(1));
        let count = s.add_shape(count);
        let mut list = Shape::new(
            "Names",
            ShapeKind::List(Box::new(Member::new("member", name))),
        );
        list.constraints.max_length = Some(2);
        let list = s.add_shape(list);
        let mut required = Member::new("Name", name);
        required.required = true;
        let input = Shape::new(
            "Input",
            ShapeKind::Structure(vec![
                required,
                Member::new("Secret", secret),
                Member::new("Count", count),
                Member::new("Names", list),
            ]),
        );
        let input = s.add_shape(input);
        (s, input)
    }

    fn structure(entries: Vec<(&str, Value)>) -> Value {
        Value::Structure(
            entries
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect::<IndexMap<_, _>>(),
        )
    }

    #[test]
    fn valid_values_have_no_violation_and_unknown_members_are_ignored() {
        let (s, input) = service();
        let v = structure(vec![
            ("Name", Value::string("ab")),
            ("Count", Value::Integer(3)),
            ("Unknown", Value::Integer(1)),
        ]);
        assert_eq!(validate_input(&s, input, &v), vec![]);
    }

    #[test]
    fn each_kind_is_found_at_depth_with_coral_paths_and_sensitive_values_withheld() {
        let (s, input) = service();
        let v = structure(vec![
            ("Secret", Value::string("xyz")),
            ("Count", Value::Integer(0)),
            (
                "Names",
                Value::List(vec![
                    Value::string("ok"),
                    Value::string("NO"),
                    Value::Raw(serde_json::json!(5)),
                ]),
            ),
        ]);
        let found: Vec<(String, ConstraintKind, Option<String>)> = validate_input(&s, input, &v)
            .into_iter()
            .map(|v| (v.path.coral(), v.kind, v.value))
            .collect();
        assert_eq!(
            found,
            vec![
                ("name".into(), ConstraintKind::Required, None),
                ("secret".into(), ConstraintKind::Length, None),
                ("count".into(), ConstraintKind::Range, Some("0".into())),
                ("names".into(), ConstraintKind::Length, None),
                ("names.2".into(), ConstraintKind::Pattern, Some("NO".into())),
                ("names.3".into(), ConstraintKind::Type, Some("5".into())),
            ]
        );
    }

    #[test]
    fn lengths_count_code_points_and_integers_respect_their_width() {
        let (s, input) = service();
        let v = structure(vec![("Name", Value::string("ééé"))]);
        let kinds: Vec<_> = validate_input(&s, input, &v)
            .into_iter()
            .map(|v| v.kind)
            .collect();
        assert_eq!(
            kinds,
            vec![ConstraintKind::Pattern],
            "3 code points fit max 3"
        );
        let v = structure(vec![
            ("Name", Value::string("a")),
            ("Count", Value::Integer(i64::from(i32::MAX) + 1)),
        ]);
        let kinds: Vec<_> = validate_input(&s, input, &v)
            .into_iter()
            .map(|v| v.kind)
            .collect();
        assert_eq!(kinds, vec![ConstraintKind::Type]);
    }

    #[test]
    fn coral_text_follows_aws() {
        let v = Violation {
            path: Path::members(["TableName"]),
            kind: ConstraintKind::Pattern,
            constraint: "Member must satisfy regular expression pattern: [a-z]+".into(),
            value: Some("A".into()),
        };
        assert_eq!(
            v.coral_text(),
            "Value 'A' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-z]+"
        );
    }
}
