//! Idempotency tokens: filled in as AWS's SDKs do when the caller leaves them out.

use std::borrow::Cow;
use std::hash::{BuildHasher, Hasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::model::{Operation, Service, Value};

/// Puts a fresh UUID (version 4 form) in every top-level idempotency-token member of `input` that is absent, as
/// botocore's `generate_idempotent_uuid` handler does; what the caller set, even a wrong type, stays.
pub fn fill_idempotency_tokens(service: &Service, op: &Operation, input: &mut Value) {
    let Value::Structure(members) = input else {
        return;
    };
    for member in service.input_members(op) {
        if member.idempotency_token && !members.contains_key(&member.name) {
            members.insert(member.name.clone(), Value::String(uuid_v4()));
        }
    }
}

/// `input` with its absent idempotency tokens filled (see [`fill_idempotency_tokens`]): borrowed when no token is
/// missing, so that encoders copy the input only when they must add one.
pub(crate) fn with_idempotency_tokens<'v>(
    service: &Service,
    op: &Operation,
    input: &'v Value,
) -> Cow<'v, Value> {
    let missing = match input {
        Value::Structure(members) => service
            .input_members(op)
            .iter()
            .any(|m| m.idempotency_token && !members.contains_key(&m.name)),
        _ => false,
    };
    if missing {
        let mut filled = input.clone();
        fill_idempotency_tokens(service, op, &mut filled);
        Cow::Owned(filled)
    } else {
        Cow::Borrowed(input)
    }
}

/// A random UUID in version 4 form. Tokens need to be unique, not secret: std's randomly keyed hasher over a
/// counter and the clock is enough, and spares a dependency.
fn uuid_v4() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let mut halves = [0u64; 2];
    for (i, half) in halves.iter_mut().enumerate() {
        let mut hasher = RandomState::new().build_hasher();
        hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
        hasher.write_u128(nanos);
        hasher.write_usize(i);
        *half = hasher.finish();
    }
    let bytes: u128 = (u128::from(halves[0]) << 64 | u128::from(halves[1]))
        & !(0xf000u128 << 64)
        & !(0xc000u128 << 48)
        | (0x4000u128 << 64)
        | (0x8000u128 << 48);
    let hex = format!("{bytes:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Member, ProtocolId, Shape, ShapeKind};

    #[test]
    fn absent_tokens_are_filled_with_distinct_v4_uuids() {
        let mut s = Service::new("svc", ProtocolId::RestJson1);
        let string = s.add_shape(Shape::new("S", ShapeKind::String));
        let mut token = Member::new("ClientToken", string);
        token.idempotency_token = true;
        let input = s.add_shape(Shape::new(
            "In",
            ShapeKind::Structure(vec![token, Member::new("Other", string)]),
        ));
        let mut op = Operation::new("Create");
        op.input = Some(input);
        let mut a = Value::structure();
        fill_idempotency_tokens(&s, &op, &mut a);
        let mut b = Value::structure();
        fill_idempotency_tokens(&s, &op, &mut b);
        let (a, b) = (
            a.get("ClientToken")
                .and_then(Value::as_str)
                .unwrap()
                .to_string(),
            b.get("ClientToken")
                .and_then(Value::as_str)
                .unwrap()
                .to_string(),
        );
        assert_ne!(a, b);
        for token in [&a, &b] {
            assert_eq!(token.len(), 36, "{token}");
            assert_eq!(&token[14..15], "4", "{token}");
            assert!(matches!(&token[19..20], "8" | "9" | "a" | "b"), "{token}");
        }
        let mut given = Value::Structure([("ClientToken".to_string(), Value::Integer(1))].into());
        fill_idempotency_tokens(&s, &op, &mut given);
        assert_eq!(given.get("ClientToken"), Some(&Value::Integer(1)));
        assert_eq!(given.get("Other"), None);
    }
}
