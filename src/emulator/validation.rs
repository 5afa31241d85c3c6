//! Constraint checks of a request's typed input against the model, answered with Coral-style messages.

use serde_json::Value as Json;

use super::faults::{Fault, FaultSet};
use super::wire::ApiError;
use crate::model::{
    ConstraintKind, Member, Operation, Path, Segment, Service, ShapeKind, Value, Violation,
    validate_input,
};
use crate::protocol::Protocol;

/// Checks `input` against the operation's input shape. With violations, answers the error the oracle expects for
/// the first of them (its first accepted outcome) and reports every violation that gets the same error.
pub(crate) fn check(
    service: &Service,
    protocol: &dyn Protocol,
    op: &Operation,
    input: &Value,
    faults: &FaultSet,
) -> Result<(), ApiError> {
    let Some(shape) = op.input else {
        return Ok(());
    };
    let members = service.shape(shape).kind.members();
    let mut violations = validate_input(service, shape, input);
    if faults.has(Fault::LengthInBytes) {
        add_byte_length_violations(service, members, input, &mut violations);
    }
    violations.retain(|v| !waived(service, v, members, input, faults));
    if violations.is_empty() {
        return Ok(());
    }
    // Which error each violation gets: the oracle's expectation for the member and kind, first outcome.
    let wrong_type = protocol.wrong_type();
    let outcomes: Vec<(u16, String)> = violations
        .iter()
        .map(|v| {
            let outcome = match lookup(service, members, input, &v.path).0 {
                Some(member) => crate::oracle::violation(service, op, member, v.kind, &wrong_type)
                    .primary()
                    .clone(),
                None => crate::model::Outcome {
                    status: 400,
                    error_type: Some("ValidationException".into()),
                },
            };
            (
                outcome.status,
                outcome
                    .error_type
                    .unwrap_or_else(|| "ValidationException".into()),
            )
        })
        .collect();
    let (status, error_type) = outcomes[0].clone();
    let mut reported: Vec<&Violation> = violations
        .iter()
        .zip(&outcomes)
        .filter(|(_, (_, e))| *e == error_type)
        .map(|(v, _)| v)
        .collect();
    if faults.has(Fault::FirstViolationOnly) {
        reported.truncate(1);
    }
    let smithy = faults.has(Fault::ValidationMessageSmithy);
    let texts: Vec<String> = reported
        .iter()
        .map(|v| {
            if smithy {
                format!(
                    "Value at '/{}' failed to satisfy constraint: {}",
                    v.path.to_string().replace('.', "/"),
                    v.constraint
                )
            } else {
                let shown = shown_value(service, v, members, input, faults);
                format!(
                    "Value {}at '{}' failed to satisfy constraint: {}",
                    shown.map(|s| format!("{s} ")).unwrap_or_default(),
                    v.path.coral(),
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
    if let Some((_, shape)) = service.error_named(&error_type) {
        let declared = shape.kind.members();
        if declared.iter().any(|m| m.name == "reason") {
            error.extra.push((
                "reason".into(),
                Json::String("fieldValidationFailed".into()),
            ));
        }
        if declared.iter().any(|m| m.name == "fieldList") {
            let fields = reported
                .iter()
                .map(|v| serde_json::json!({"name": v.path.coral(), "message": v.constraint}))
                .collect();
            error.extra.push(("fieldList".into(), Json::Array(fields)));
        }
    }
    Err(error)
}

/// Whether a switched-on fault lets this violation pass.
fn waived(
    service: &Service,
    v: &Violation,
    members: &[Member],
    input: &Value,
    faults: &FaultSet,
) -> bool {
    // A violation inside a list item or a map entry (key or value) has an index or key on its path.
    if faults.has(Fault::NestedItemsUnchecked)
        && v.path
            .0
            .iter()
            .any(|s| matches!(s, Segment::Index(_) | Segment::Key(_)))
    {
        return true;
    }
    match v.kind {
        ConstraintKind::Length => faults.has(Fault::SkipLength),
        ConstraintKind::Required | ConstraintKind::Null => faults.has(Fault::SkipRequired),
        ConstraintKind::Type => faults.has(Fault::SkipType),
        ConstraintKind::Range | ConstraintKind::Union => false,
        ConstraintKind::Enum => {
            faults.has(Fault::SkipEnum)
                || (faults.has(Fault::EnumCaseInsensitive)
                    && matches!(lookup(service, members, input, &v.path), (Some(m), Some(Value::String(s)))
                        if service.target(m).enum_values().into_iter().flatten().any(|e| e.eq_ignore_ascii_case(s))))
        }
        ConstraintKind::Pattern => {
            // A key and its value share a path: the key is the one violated when it fails its own pattern.
            let key = match v.path.0.last() {
                Some(Segment::Key(k)) => key_pattern(service, members, &v.path)
                    .filter(|p| !p.is_match(k))
                    .map(|p| (p, k.clone())),
                _ => None,
            };
            let checked = match (key, lookup(service, members, input, &v.path)) {
                (Some(key), _) => Some(key),
                (None, (Some(m), Some(Value::String(s)))) => service
                    .target(m)
                    .constraints
                    .pattern
                    .clone()
                    .map(|p| (p, s.clone())),
                _ => None,
            };
            let bent = |f: Fault, matches: fn(&crate::model::Pattern, &str) -> bool| {
                faults.has(f) && checked.as_ref().is_some_and(|(p, s)| matches(p, s))
            };
            faults.has(Fault::SkipPattern)
                || bent(Fault::PatternUnanchored, matches_anywhere)
                || bent(
                    Fault::PatternRepeatUnbounded,
                    crate::model::Pattern::matches_uncounted,
                )
                || bent(
                    Fault::PatternUnicodeClasses,
                    crate::model::Pattern::matches_unicode,
                )
        }
    }
}

/// Top-level strings whose UTF-8 byte count exceeds their maximum length although their code points do not.
fn add_byte_length_violations(
    service: &Service,
    members: &[Member],
    input: &Value,
    out: &mut Vec<Violation>,
) {
    for member in members {
        let shape = service.target(member);
        if let (ShapeKind::String, Some(max), Some(Value::String(s))) = (
            &shape.kind,
            shape.constraints.max_length,
            input.get(&member.name),
        ) && s.len() as u64 > max
            && s.chars().count() as u64 <= max
        {
            out.push(Violation {
                path: Path::members([member.name.as_str()]),
                kind: ConstraintKind::Length,
                constraint: format!("Member must have length less than or equal to {max}"),
                value: (!service.is_sensitive(member)).then(|| s.clone()),
            });
        }
    }
}

/// `'value'` as Coral shows it: `null` for an absent member, nothing for a withheld sensitive value.
fn shown_value(
    service: &Service,
    v: &Violation,
    members: &[Member],
    input: &Value,
    faults: &FaultSet,
) -> Option<String> {
    if matches!(v.kind, ConstraintKind::Required | ConstraintKind::Null) {
        return Some("null".into());
    }
    if let Some(value) = &v.value {
        return Some(format!("'{value}'"));
    }
    if faults.has(Fault::SensitiveValueEchoed) {
        return match lookup(service, members, input, &v.path).1 {
            Some(Value::String(s)) => Some(format!("'{s}'")),
            Some(other) => Some(format!("'{other}'")),
            None => None,
        };
    }
    None
}

/// The member and value a violation path points at (the list's item member for list items).
fn lookup<'a>(
    service: &'a Service,
    members: &'a [Member],
    input: &'a Value,
    path: &Path,
) -> (Option<&'a Member>, Option<&'a Value>) {
    let mut current: Option<&Member> = None;
    let mut members = members;
    for segment in &path.0 {
        current = match segment {
            Segment::Member(name) => members.iter().find(|m| &m.name == name),
            Segment::Index(_) => match current.map(|m| &service.target(m).kind) {
                Some(ShapeKind::List(item)) => Some(item.as_ref()),
                _ => None,
            },
            Segment::Key(_) => match current.map(|m| &service.target(m).kind) {
                Some(ShapeKind::Map { value, .. }) => Some(value.as_ref()),
                _ => None,
            },
        };
        let Some(m) = current else {
            return (None, None);
        };
        members = service.target(m).kind.members();
    }
    (current, path.get(input))
}

/// The pattern of the key shape of the map a key path ends in.
fn key_pattern(
    service: &Service,
    members: &[Member],
    path: &Path,
) -> Option<std::sync::Arc<crate::model::Pattern>> {
    let parent = Path(path.0[..path.0.len() - 1].to_vec());
    let (map, _) = lookup(service, members, &Value::Null, &parent);
    match &service.target(map?).kind {
        ShapeKind::Map { key, .. } => service.target(key).constraints.pattern.clone(),
        _ => None,
    }
}

/// The `pattern-unanchored` fault's matching: the pattern found anywhere in the value (its own `^` and `$` dropped).
fn matches_anywhere(pattern: &crate::model::Pattern, value: &str) -> bool {
    let source = pattern.source();
    let body = source.strip_prefix('^').unwrap_or(source);
    let body = match body.strip_suffix('$') {
        Some(inner) if !inner.ends_with('\\') => inner,
        _ => body,
    };
    crate::model::Pattern::new(&format!("[\\s\\S]*(?:{body})[\\s\\S]*"))
        .is_ok_and(|anywhere| anywhere.is_match(value))
}
