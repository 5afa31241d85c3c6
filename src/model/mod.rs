//! The model: every service as an id-keyed shape graph with its operations, and the typed values that flow through the harness.
//!
//! One model holds what a frontend (the hand-written spec files, botocore's service models, or both) knows about an
//! API. Shapes live in an arena per service and point at each other by [`ShapeId`], so recursive shapes (51 of the
//! published services have them) need no cloning and no special case. A member carries everything a protocol needs to
//! put it on the wire: its HTTP location, its wire names, its timestamp format. What the spec files add beyond the
//! published models (fixtures, examples, scenarios, expectation rules) hangs off the same types, in their `rules`.

pub mod fixtures;
pub mod json_form;
pub mod path;
pub mod pattern;
pub mod rules;
pub mod service;
pub mod shape;
pub mod uri;
pub mod validate;
pub mod value;

pub use fixtures::Fixtures;
pub use path::{Path, Segment};
pub use pattern::Pattern;
pub use rules::*;
pub use service::{
    Checksums, Http, Operation, OperationRules, Paginator, ProtocolId, RegionRule, Service,
    ServiceRules,
};
pub use shape::{
    Constraints, ErrorTrait, Fault, Location, Member, MemberRules, Numeric, Shape, ShapeId,
    ShapeKind, TimestampFormat, XmlNamespace,
};
pub use validate::{ConstraintKind, Violation, validate_input, validate_value};
pub use value::{Timestamp, Value};

use indexmap::IndexMap;

/// Every service loaded, by command-line name, in load order.
#[derive(Debug, Clone, Default)]
pub struct Model {
    /// The services, keyed by their command-line name (`account`, `dynamodb`).
    pub services: IndexMap<String, Service>,
}

impl Model {
    /// Finds an operation by name in any service (the first service that has it).
    pub fn operation(&self, name: &str) -> Option<(&Service, &Operation)> {
        self.services
            .values()
            .find_map(|service| service.operations.get(name).map(|op| (service, op)))
    }

    /// Finds an operation of one service.
    pub fn operation_of(&self, service: &str, name: &str) -> Option<(&Service, &Operation)> {
        let service = self.services.get(service)?;
        service.operations.get(name).map(|op| (service, op))
    }

    /// Finds an operation by name, ignoring ASCII case; for friendlier command lines.
    pub fn operation_ignore_case(&self, name: &str) -> Option<(&Service, &Operation)> {
        self.operation(name).or_else(|| {
            self.services.values().find_map(|service| {
                service
                    .operations
                    .values()
                    .find(|op| op.name.eq_ignore_ascii_case(name))
                    .map(|op| (service, op))
            })
        })
    }

    /// All operations of all services, in load order.
    pub fn operations(&self) -> impl Iterator<Item = (&Service, &Operation)> {
        self.services
            .values()
            .flat_map(|service| service.operations.values().map(move |op| (service, op)))
    }
}
