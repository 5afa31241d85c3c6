//! Lowers loaded spec files into the model: shapes into a service's arena, members with their rules, operations.
//!
//! The loader checks a spec file and resolves its shapes by cloning (that is what its diagnostics need); lowering
//! gives every named shape one id, and every inline member type a shape named after its place
//! (`PutAlternateContactRequest$Name`), so that the rest of the harness sees one graph for spec files and published
//! models alike.

use std::sync::Arc;

use super::model::{self as spec, ResponseBody, SpecSet};
use crate::model::{
    self, Constraints, ErrorTrait, Fault, Http, Member, Model, Numeric, Operation, OperationRules,
    ProtocolId, Service, ServiceRules, Shape, ShapeId, ShapeKind,
};

/// The model of a set of spec files.
pub fn lower(specs: &SpecSet) -> Model {
    let mut model = Model::default();
    for service in specs.services.values() {
        model
            .services
            .insert(service.name.clone(), lower_service(service));
    }
    model
}

fn protocol(p: spec::Protocol) -> ProtocolId {
    match p {
        spec::Protocol::RestJson1 => ProtocolId::RestJson1,
        spec::Protocol::AwsJson1_0 => ProtocolId::AwsJson1_0,
        spec::Protocol::AwsJson1_1 => ProtocolId::AwsJson1_1,
    }
}

fn lower_service(s: &spec::Service) -> Service {
    let mut out = Service::new(s.name.clone(), protocol(s.protocol));
    out.service_id = s.title.clone();
    out.title = s.title.clone();
    out.api_version = s.api_version.clone();
    out.signing_name = s.signing_name.clone();
    out.endpoint_prefix = s.signing_name.clone();
    out.target_prefix = s.target_prefix.clone();
    out.region = match &s.region {
        spec::RegionRule::Fixed(r) => model::RegionRule::Fixed(r.clone()),
        spec::RegionRule::Chosen { default, allowed } => model::RegionRule::Chosen {
            default: default.clone(),
            allowed: allowed.clone(),
        },
    };
    out.file = s.file.clone();
    out.source = s.source.clone();
    out.rules = ServiceRules {
        on_violation: Some(s.on_violation.clone()),
        documents: s.documents.clone(),
        fixtures: s.fixtures.clone(),
        disagreements: s.disagreements.clone(),
        scenarios: s.scenarios.clone(),
        snapshots: s.snapshots.clone(),
        restores: s.restores.clone(),
        model: s.model.clone(),
        overlay: None,
    };
    // Named shapes first, so that members refer to them by name.
    for (name, shape) in &s.shapes {
        lower_shape(&mut out, name, shape);
    }
    for error in s.errors.values() {
        let members = error
            .members
            .iter()
            .map(|m| lower_member(&mut out, &error.name, m))
            .collect();
        let mut shape = Shape::new(error.name.clone(), ShapeKind::Structure(members));
        shape.error = Some(ErrorTrait {
            code: None,
            status: Some(error.status),
            fault: match error.fault {
                spec::Fault::Client => Fault::Client,
                spec::Fault::Server => Fault::Server,
            },
            retryable: error.retryable,
            throttling: error.retryable,
        });
        shape.docs = Some(error.description.clone());
        shape.source = error.source.clone();
        out.add_shape(shape);
    }
    for op in s.operations.values() {
        let lowered = lower_operation(&mut out, op);
        out.operations.insert(op.name.clone(), lowered);
    }
    out
}

fn lower_operation(service: &mut Service, op: &spec::Operation) -> Operation {
    let input_name = format!("{}Request", op.name);
    let members = op
        .input
        .iter()
        .map(|m| lower_member(service, &input_name, m))
        .collect();
    let mut input = Shape::new(input_name, ShapeKind::Structure(members));
    input.source = op.source.clone();
    let input = service.add_shape(input);
    let output = match (op.response_body, op.output.is_empty()) {
        (ResponseBody::Empty, true) => None,
        _ => {
            let output_name = format!("{}Response", op.name);
            let members = op
                .output
                .iter()
                .map(|m| lower_member(service, &output_name, m))
                .collect();
            let mut output = Shape::new(output_name, ShapeKind::Structure(members));
            output.source = op.source.clone();
            Some(service.add_shape(output))
        }
    };
    let errors = op
        .errors
        .iter()
        .filter_map(|name| service.shape_ids.get(name).copied())
        .collect();
    let mut lowered = Operation::new(op.name.clone());
    lowered.http = Http::new(
        op.http.method.clone(),
        op.http.path.clone(),
        op.success_status,
    );
    lowered.input = Some(input);
    lowered.output = output;
    lowered.errors = errors;
    lowered.docs = Some(op.description.clone());
    lowered.source = op.source.clone();
    lowered.rules = OperationRules {
        role: op.role,
        mutates: Some(op.mutates),
        guarded: op.guarded.clone(),
        on_state: op.on_state.clone(),
        examples: op.examples.clone(),
    };
    lowered
}

fn lower_member(service: &mut Service, parent: &str, m: &spec::Member) -> Member {
    let target = match &m.shape.name {
        Some(name) if service.shape_ids.contains_key(name) => service.shape_ids[name],
        _ => lower_shape(service, &format!("{parent}${}", m.name), &m.shape),
    };
    let mut member = Member::new(m.name.clone(), target);
    member.required = m.required;
    member.sensitive = m.sensitive;
    member.source = Arc::new(m.source.clone());
    member.rules = Arc::new(model::MemberRules {
        fixture: m.fixture.clone(),
        email_domain_fixture: m.email_domain_fixture.clone(),
        on_violation: m.on_violation.clone(),
    });
    member
}

fn lower_shape(service: &mut Service, name: &str, shape: &spec::Shape) -> ShapeId {
    let kind = match &shape.kind {
        spec::ShapeKind::String => match &shape.enum_values {
            Some(values) => ShapeKind::Enum(values.clone()),
            None => ShapeKind::String,
        },
        spec::ShapeKind::Integer => ShapeKind::Integer,
        spec::ShapeKind::Long => ShapeKind::Long,
        spec::ShapeKind::Boolean => ShapeKind::Boolean,
        spec::ShapeKind::Timestamp => ShapeKind::Timestamp,
        spec::ShapeKind::Structure(members) => ShapeKind::Structure(
            members
                .iter()
                .map(|m| lower_member(service, name, m))
                .collect(),
        ),
        spec::ShapeKind::List(item) => {
            let target = match &item.name {
                Some(item_name) if service.shape_ids.contains_key(item_name) => {
                    service.shape_ids[item_name]
                }
                _ => lower_shape(service, &format!("{name}$member"), item),
            };
            let mut member = Member::new("member", target);
            member.sensitive = item.sensitive;
            ShapeKind::List(Box::new(member))
        }
    };
    let mut lowered = Shape::new(name, kind);
    lowered.constraints = Constraints {
        min_length: shape.min_length,
        max_length: shape.max_length,
        min: shape.min.map(|n| Numeric::Int(n.into())),
        max: shape.max.map(|n| Numeric::Int(n.into())),
        pattern: shape.pattern.clone().map(Arc::new),
        skipped: Vec::new(),
    };
    lowered.sensitive = shape.sensitive;
    lowered.source = shape.source.clone();
    service.add_shape(lowered)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_specs_lower_into_one_graph() {
        let model = lower(&super::super::embedded().unwrap());
        let account = &model.services["account"];
        let (_, put) = model.operation("PutAlternateContact").unwrap();
        let members = account.input_members(put);
        assert_eq!(members.len(), 6);
        let name = members.iter().find(|m| m.name == "Name").unwrap();
        let shape = account.target(name);
        assert_eq!(shape.name, "Name", "named shapes keep their names");
        assert_eq!(
            (shape.constraints.min_length, shape.constraints.max_length),
            (Some(1), Some(64))
        );
        assert!(shape.sensitive);
        let kind = members
            .iter()
            .find(|m| m.name == "AlternateContactType")
            .unwrap();
        assert!(matches!(account.target(kind).kind, ShapeKind::Enum(ref v) if v.len() == 3));
        assert_eq!(put.output, None, "Put answers an empty body");
        assert!(put.rules.mutates == Some(true));
        let (_, get) = model.operation("GetAlternateContact").unwrap();
        let out = account.output_members(get);
        assert_eq!(out[0].name, "AlternateContact");
        assert!(matches!(
            account.target(&out[0]).kind,
            ShapeKind::Structure(ref m) if m.len() == 5
        ));
        let (_, e) = account.error_named("AccessDeniedException").unwrap();
        assert_eq!(e.error.as_ref().unwrap().status(), 403);
        let workmail = &model.services["workmail"];
        assert_eq!(workmail.protocol, ProtocolId::AwsJson1_1);
        assert_eq!(
            workmail
                .target_header("UpdatePrimaryEmailAddress")
                .as_deref(),
            Some("WorkMailService.UpdatePrimaryEmailAddress")
        );
    }
}
