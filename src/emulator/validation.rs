//! Constraint checks of a request's input against the spec, answered with Coral-style messages.

use serde_json::{Map, Value};

use super::faults::{Fault, FaultSet};
use super::wire::ApiError;
use crate::spec::validate::{Violation, validate_members};
use crate::spec::{ConstraintKind, Member, Operation, Service, ShapeKind};

/// Checks `input` against the operation's members. With violations, answers the error the spec expects for the
/// first of them (its first accepted outcome) and reports every violation that gets the same error.
pub(crate) fn check(
    service: &Service,
    op: &Operation,
    input: &Map<String, Value>,
    faults: &FaultSet,
) -> Result<(), ApiError> {
    let mut violations = validate_members(&op.input, input);
    if faults.has(Fault::LengthInBytes) {
        add_byte_length_violations(&op.input, input, &mut violations);
    }
    violations.retain(|v| !waived(v, &op.input, input, faults));
    if violations.is_empty() {
        return Ok(());
    }
    // Which error each violation gets: the spec's expectation for the member and kind, first outcome.
    let outcomes: Vec<(u16, String)> = violations
        .iter()
        .map(|v| {
            let member = lookup(&op.input, input, &v.path).0;
            let outcome = match member {
                Some(member) => service.violation_expectation(member, v.kind).primary(),
                None => service.on_violation.primary(),
            };
            (
                outcome.status,
                outcome
                    .error_type
                    .clone()
                    .unwrap_or_else(|| "ValidationException".into()),
            )
        })
        .collect();
    let (status, error_type) = outcomes[0].clone();
    let reported: Vec<&Violation> = violations
        .iter()
        .zip(&outcomes)
        .filter(|(_, (_, e))| *e == error_type)
        .map(|(v, _)| v)
        .collect();
    let smithy = faults.has(Fault::ValidationMessageSmithy);
    let texts: Vec<String> = reported
        .iter()
        .map(|v| {
            let shown = shown_value(v, &op.input, input, faults);
            if smithy {
                format!(
                    "Value at '/{}' failed to satisfy constraint: {}",
                    v.path.join("/"),
                    v.constraint
                )
            } else {
                format!(
                    "Value {}at '{}' failed to satisfy constraint: {}",
                    shown.map(|s| format!("{s} ")).unwrap_or_default(),
                    coral_path(&v.path),
                    v.constraint
                )
            }
        })
        .collect();
    let count = reported.len();
    let message = format!(
        "{count} validation error{} detected{} {}",
        if count == 1 { "" } else { "s" },
        if smithy { "." } else { ":" },
        texts.join("; ")
    );
    let mut error = ApiError::modelled(service, &error_type, message);
    error.status = status;
    // Account's ValidationException carries the field list; any error shape declaring these members gets them.
    if let Some(shape) = service.errors.get(&error_type) {
        if shape.members.iter().any(|m| m.name == "reason") {
            error.extra.push((
                "reason".into(),
                Value::String("fieldValidationFailed".into()),
            ));
        }
        if shape.members.iter().any(|m| m.name == "fieldList") {
            let fields = reported
                .iter()
                .map(|v| serde_json::json!({"name": coral_path(&v.path), "message": v.constraint}))
                .collect();
            error.extra.push(("fieldList".into(), Value::Array(fields)));
        }
    }
    Err(error)
}

/// Whether a switched-on deviation lets this violation pass.
fn waived(
    v: &Violation,
    members: &[Member],
    input: &Map<String, Value>,
    faults: &FaultSet,
) -> bool {
    match v.kind {
        ConstraintKind::Length => faults.has(Fault::SkipLength),
        ConstraintKind::Required | ConstraintKind::Null => faults.has(Fault::SkipRequired),
        ConstraintKind::Type => faults.has(Fault::SkipType),
        ConstraintKind::Range => false,
        ConstraintKind::Enum => {
            faults.has(Fault::SkipEnum)
                || (faults.has(Fault::EnumCaseInsensitive)
                    && matches!(lookup(members, input, &v.path), (Some(m), Some(Value::String(s)))
                        if m.shape.enum_values.iter().flatten().any(|e| e.eq_ignore_ascii_case(s))))
        }
        ConstraintKind::Pattern => {
            faults.has(Fault::SkipPattern)
                || (faults.has(Fault::PatternUnanchored)
                    && matches!(lookup(members, input, &v.path), (Some(m), Some(Value::String(s)))
                        if m.shape.pattern.as_ref().is_some_and(|p|
                            regex::Regex::new(&p.body).is_ok_and(|r| r.is_match(s)))))
        }
    }
}

/// Top-level strings whose UTF-8 byte count exceeds their maximum length although their code points do not.
fn add_byte_length_violations(
    members: &[Member],
    input: &Map<String, Value>,
    out: &mut Vec<Violation>,
) {
    for member in members {
        if let (ShapeKind::String, Some(max), Some(Value::String(s))) = (
            &member.shape.kind,
            member.shape.max_length,
            input.get(&member.name),
        ) && s.len() as u64 > max
            && s.chars().count() as u64 <= max
        {
            out.push(Violation {
                path: vec![member.name.clone()],
                kind: ConstraintKind::Length,
                constraint: format!("Member must have length less than or equal to {max}"),
                value: (!member.sensitive).then(|| s.clone()),
            });
        }
    }
}

/// `'value' ` as Coral shows it: `null` for an absent member, nothing for a withheld sensitive value.
fn shown_value(
    v: &Violation,
    members: &[Member],
    input: &Map<String, Value>,
    faults: &FaultSet,
) -> Option<String> {
    if matches!(v.kind, ConstraintKind::Required | ConstraintKind::Null) {
        return Some("null".into());
    }
    if let Some(value) = &v.value {
        return Some(format!("'{value}'"));
    }
    if faults.has(Fault::SensitiveValueEchoed) {
        return match lookup(members, input, &v.path).1 {
            Some(Value::String(s)) => Some(format!("'{s}'")),
            Some(other) => Some(format!("'{other}'")),
            None => None,
        };
    }
    None
}

/// Coral's member path: lowerCamelCase names joined by dots, list items as `N.member`.
pub(crate) fn coral_path(path: &[String]) -> String {
    path.iter()
        .map(|segment| {
            if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) {
                format!("{segment}.member")
            } else {
                lower_camel(segment)
            }
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// `AccountId` → `accountId`.
pub(crate) fn lower_camel(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The member and value a violation path points at (the list's item member for list items).
fn lookup<'a>(
    members: &'a [Member],
    input: &'a Map<String, Value>,
    path: &[String],
) -> (Option<&'a Member>, Option<&'a Value>) {
    let Some((first, rest)) = path.split_first() else {
        return (None, None);
    };
    let Some(member) = members.iter().find(|m| &m.name == first) else {
        return (None, None);
    };
    let mut value = input.get(first);
    let mut shape = &member.shape;
    let mut current = member;
    for segment in rest {
        match (&shape.kind, value) {
            (ShapeKind::Structure(inner), Some(Value::Object(map))) => {
                let Some(m) = inner.iter().find(|m| &m.name == segment) else {
                    return (Some(current), None);
                };
                current = m;
                shape = &m.shape;
                value = map.get(segment);
            }
            (ShapeKind::List(item), Some(Value::Array(items))) => {
                shape = item;
                value = segment
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| items.get(i.checked_sub(1)?));
            }
            _ => return (Some(current), None),
        }
    }
    (Some(current), value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coral_paths_are_lower_camel_with_list_members() {
        assert_eq!(coral_path(&["AccountId".into()]), "accountId");
        assert_eq!(
            coral_path(&["KeySchema".into(), "1".into(), "AttributeName".into()]),
            "keySchema.1.member.attributeName"
        );
    }
}
