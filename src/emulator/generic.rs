//! The behaviour of a service nobody wrote one for: a success whose output is valid against the output shape.
//!
//! No state is kept: what the model says an operation returns is drawn afresh, seeded by the request so that the
//! same request gets the same answer. It is enough to serve any imported service conformingly at the protocol
//! and validation level, which is what the embedded target is for.

use super::wire::Success;
use crate::model::json_form::to_plain_json;
use crate::model::{Operation, Service};

/// A synthetic success of `op` for a request with this body.
pub(crate) fn output(service: &Service, op: &Operation, body: &[u8]) -> Success {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    body.hash(&mut hasher);
    match op.output {
        None => Success::Empty,
        Some(_) => match crate::generate::synthetic_output(service, op, hasher.finish())
            .map(|v| to_plain_json(&v))
        {
            Some(serde_json::Value::Object(map)) => Success::Json(map),
            _ => Success::Json(Default::default()),
        },
    }
}
