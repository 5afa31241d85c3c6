//! Overlays: a spec file that names a published model (`[service] model = "account"`) merged onto that model.
//!
//! The merged service starts as the model (every operation, shape and wire trait) and takes from the spec file
//! what it restates: its named shapes replace the constraints of the model's shapes of the same name, its
//! operations their members' constraints, `required`, rules and sources, its errors theirs; everything the spec
//! file adds (scenarios, fixtures, examples, restores, `on_violation`, roles) comes along. Where the two differ the
//! spec file wins, and the difference is recorded as a [`Finding`] (`conform spec check` reports them, `conform
//! spec show` marks them). Members and operations the spec file leaves out come from the model as they are.
//!
//! Shapes the spec file declares inline (`type = "string"` on a member) never change a model shape that others
//! share (the model's `String`): a member whose inline constraints differ gets a copy of its target of its own.
//! `required` is compared on inputs and errors only: the models mark output members required that services omit.

use std::collections::{HashMap, HashSet};

use crate::model::{
    Finding, FindingKind, Member, OverlayReport, Pattern, Service, Shape, ShapeId, ShapeKind,
};

/// The spec file's service `spec` (lowered) merged onto the model's service `model`, with the findings in
/// `rules.overlay`.
pub fn overlay(spec: &Service, model: &Service) -> Service {
    let mut merger = Merger {
        spec,
        out: model.clone(),
        map: HashMap::new(),
        findings: Vec::new(),
    };
    merger.service(model);
    let named = merger.named_shapes();
    merger.errors();
    merger.apply_named(&named);
    merger.operations();
    merger.acknowledge();
    let mut out = merger.out;
    // The spec file's operations first, in its order (cases come out as without the model); then the model's.
    let mut operations = indexmap::IndexMap::with_capacity(out.operations.len());
    for name in spec.operations.keys() {
        if let Some(op) = out.operations.shift_remove(name) {
            operations.insert(name.clone(), op);
        }
    }
    operations.extend(std::mem::take(&mut out.operations));
    out.operations = operations;
    out.rules.overlay = Some(OverlayReport {
        model: model.source.text.clone(),
        model_file: model.file.clone(),
        findings: merger.findings,
    });
    out
}

struct Merger<'a> {
    spec: &'a Service,
    out: Service,
    /// Spec shape id to merged shape id.
    map: HashMap<ShapeId, ShapeId>,
    findings: Vec<Finding>,
}

/// Where a comparison is: the place users acknowledge, the table of the file, the operation and named shape.
#[derive(Clone)]
struct At {
    place: String,
    table: String,
    operation: Option<String>,
    shape: Option<String>,
}

impl At {
    fn child(&self, name: &str, table: String) -> At {
        At {
            place: format!("{}.{name}", self.place),
            table,
            operation: self.operation.clone(),
            shape: self.shape.clone(),
        }
    }
}

/// The type as spec files write it: strings and enums are both `string`.
fn type_name(kind: &ShapeKind) -> &'static str {
    match kind {
        ShapeKind::Enum(_) => "string",
        other => other.name(),
    }
}

/// A pattern as AWS applies it (whole-string match), so `^\d{12}$` and `\d{12}` compare equal.
fn normal_pattern(source: &str) -> &str {
    let source = source.strip_prefix('^').unwrap_or(source);
    match source.strip_suffix('$') {
        Some(rest) if !rest.ends_with('\\') => rest,
        _ => source,
    }
}

/// The candidate closest to `name` (case aside, or within a few edits), if any is close.
pub(crate) fn closest<'n>(name: &str, candidates: impl Iterator<Item = &'n str>) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        let distance = strsim::levenshtein(&lower, &candidate.to_ascii_lowercase());
        if best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    let limit = (name.chars().count() / 3).max(2);
    best.filter(|(d, _)| *d <= limit)
        .map(|(_, c)| c.to_string())
}

impl Merger<'_> {
    fn push(&mut self, at: &At, kind: FindingKind) {
        self.findings.push(Finding {
            place: at.place.clone(),
            table: at.table.clone(),
            operation: at.operation.clone(),
            shape: at.shape.clone(),
            kind,
            acknowledged: None,
        });
    }

    fn differs(&mut self, at: &At, spec: String, source: &str, model: String) {
        self.push(
            at,
            FindingKind::Differs {
                spec,
                spec_source: source.to_string(),
                model,
            },
        );
    }

    /// Adds a shape under a name no other shape has.
    fn add_unique(&mut self, mut shape: Shape) -> ShapeId {
        while self.out.shape_ids.contains_key(&shape.name) {
            shape.name.push_str("$spec");
        }
        let id = ShapeId(self.out.shapes.len() as u32);
        self.out.shape_ids.insert(shape.name.clone(), id);
        self.out.shapes.push(shape);
        id
    }

    /// Copies a spec shape (and what it reaches) into the merged arena; named shapes already mapped are reused.
    fn import(&mut self, id: ShapeId) -> ShapeId {
        if let Some(done) = self.map.get(&id) {
            return *done;
        }
        let shape = self.spec.shape(id).clone();
        let kind = shape.kind.clone();
        let new = self.add_unique(shape);
        self.map.insert(id, new);
        let kind = match kind {
            ShapeKind::Structure(members) => ShapeKind::Structure(self.import_members(members)),
            ShapeKind::Union(members) => ShapeKind::Union(self.import_members(members)),
            ShapeKind::List(mut item) => {
                item.target = self.import(item.target);
                ShapeKind::List(item)
            }
            other => other,
        };
        self.out.shapes[new.index()].kind = kind;
        new
    }

    fn import_members(&mut self, members: Vec<Member>) -> Vec<Member> {
        members
            .into_iter()
            .map(|mut m| {
                m.target = self.import(m.target);
                m
            })
            .collect()
    }

    /// Service metadata: the spec file's wins; the protocols the model lists stay.
    fn service(&mut self, model: &Service) {
        let spec = self.spec;
        let at = |what: &str| At {
            place: format!("service.{what}"),
            table: "[service]".to_string(),
            operation: None,
            shape: None,
        };
        if !model.protocols.contains(&spec.protocol) {
            let listed: Vec<&str> = model.protocols.iter().map(|p| p.as_str()).collect();
            self.differs(
                &at("protocol"),
                format!("protocol {}", spec.protocol),
                &spec.source.text,
                format!("protocols {}", listed.join(", ")),
            );
            self.out.protocols.insert(0, spec.protocol);
        }
        if spec.signing_name != model.signing_name {
            self.differs(
                &at("signing_name"),
                format!("signing_name {}", spec.signing_name),
                &spec.source.text,
                format!("signing_name {}", model.signing_name),
            );
        }
        if spec.target_prefix.is_some() && spec.target_prefix != model.target_prefix {
            self.differs(
                &at("target_prefix"),
                format!(
                    "target_prefix {}",
                    spec.target_prefix.clone().unwrap_or_default()
                ),
                &spec.source.text,
                format!(
                    "target_prefix {}",
                    model.target_prefix.as_deref().unwrap_or("none")
                ),
            );
        }
        if spec.api_version != model.api_version {
            self.differs(
                &at("api_version"),
                format!("api_version {}", spec.api_version),
                &spec.source.text,
                format!("api_version {}", model.api_version),
            );
        }
        let out = &mut self.out;
        out.name = spec.name.clone();
        out.title = spec.title.clone();
        out.service_id = spec.service_id.clone();
        out.api_version = spec.api_version.clone();
        out.protocol = spec.protocol;
        out.signing_name = spec.signing_name.clone();
        out.endpoint_prefix = spec.endpoint_prefix.clone();
        if spec.target_prefix.is_some() {
            out.target_prefix = spec.target_prefix.clone();
        }
        out.region = spec.region.clone();
        out.rules = spec.rules.clone();
        out.file = spec.file.clone();
        out.source = spec.source.clone();
    }

    /// The spec's operation inputs and outputs: not named shapes of the file.
    fn io_shapes(&self) -> HashSet<ShapeId> {
        self.spec
            .operations
            .values()
            .flat_map(|op| op.input.into_iter().chain(op.output))
            .collect()
    }

    /// Maps the spec file's named shapes onto the model's of the same name (or imports those the model lacks);
    /// returns the pairs to merge once everything is mapped.
    fn named_shapes(&mut self) -> Vec<(ShapeId, ShapeId)> {
        let io = self.io_shapes();
        let named: Vec<ShapeId> = (0..self.spec.shapes.len())
            .map(|i| ShapeId(i as u32))
            .filter(|id| {
                let shape = self.spec.shape(*id);
                !shape.name.contains('$') && shape.error.is_none() && !io.contains(id)
            })
            .collect();
        let mut pairs = Vec::new();
        let mut missing = Vec::new();
        for id in named {
            let shape = self.spec.shape(id);
            let at = At {
                place: shape.name.clone(),
                table: format!("[[shape]] {}", shape.name),
                operation: None,
                shape: Some(shape.name.clone()),
            };
            match self.out.shape_named(&shape.name) {
                Some((model_id, model_shape)) if model_shape.error.is_none() => {
                    if type_name(&shape.kind) == type_name(&model_shape.kind) {
                        self.map.insert(id, model_id);
                        pairs.push((id, model_id));
                    } else {
                        let kind = FindingKind::Type {
                            spec: type_name(&shape.kind).to_string(),
                            model: type_name(&model_shape.kind).to_string(),
                        };
                        self.push(&at, kind);
                        missing.push(id);
                    }
                }
                _ => {
                    let closest = closest(
                        &shape.name,
                        self.out
                            .shapes
                            .iter()
                            .filter(|s| !s.name.contains('$') && s.error.is_none())
                            .map(|s| s.name.as_str()),
                    );
                    let what = format!("shape `{}`", shape.name);
                    self.push(&at, FindingKind::Unknown { what, closest });
                    missing.push(id);
                }
            }
        }
        for id in missing {
            self.import(id);
        }
        pairs
    }

    fn apply_named(&mut self, pairs: &[(ShapeId, ShapeId)]) {
        for (spec_id, model_id) in pairs {
            let name = self.spec.shape(*spec_id).name.clone();
            let at = At {
                place: name.clone(),
                table: format!("[[shape]] {name}"),
                operation: None,
                shape: Some(name),
            };
            self.merge_in_place(*spec_id, *model_id, &at);
        }
    }

    /// Errors: the model's of the same name take the spec file's status, members and source.
    fn errors(&mut self) {
        let errors: Vec<ShapeId> = (0..self.spec.shapes.len())
            .map(|i| ShapeId(i as u32))
            .filter(|id| self.spec.shape(*id).error.is_some())
            .collect();
        for id in errors {
            let shape = self.spec.shape(id).clone();
            let at = At {
                place: shape.name.clone(),
                table: format!("[[error]] {}", shape.name),
                operation: None,
                shape: Some(shape.name.clone()),
            };
            match self.out.shape_named(&shape.name) {
                Some((model_id, model_shape)) if model_shape.error.is_some() => {
                    self.map.insert(id, model_id);
                    let (spec_status, model_status) = (
                        shape.error.as_ref().map(|e| e.status()),
                        model_shape.error.as_ref().map(|e| e.status()),
                    );
                    if spec_status != model_status {
                        self.differs(
                            &at.child("status", at.table.clone()),
                            format!("status {}", spec_status.unwrap_or_default()),
                            &shape.source.text,
                            format!("status {}", model_status.unwrap_or_default()),
                        );
                    }
                    let target = &mut self.out.shapes[model_id.index()];
                    target.error = shape.error.clone();
                    target.source = shape.source.clone();
                    target.docs = shape.docs.clone().or(target.docs.take());
                    self.merge_members(shape.kind.members(), model_id, &at, false);
                }
                _ => {
                    let closest = closest(
                        &shape.name,
                        self.out
                            .shapes
                            .iter()
                            .filter(|s| s.error.is_some())
                            .map(|s| s.name.as_str()),
                    );
                    let what = format!("error `{}`", shape.name);
                    self.push(&at, FindingKind::Unknown { what, closest });
                    self.import(id);
                }
            }
        }
    }

    /// Compares a spec shape with a merged one and writes the spec file's constraints over it, in place (named
    /// shapes: every reference in the model is meant).
    fn merge_in_place(&mut self, spec_id: ShapeId, target: ShapeId, at: &At) {
        let spec_shape = self.spec.shape(spec_id).clone();
        if let Some(changed) = self.compare(&spec_shape, target, at) {
            self.out.shapes[target.index()] = changed;
        }
        self.merge_children(&spec_shape, target, at);
    }

    /// Members of structures, items of lists.
    fn merge_children(&mut self, spec_shape: &Shape, target: ShapeId, at: &At) {
        match &spec_shape.kind {
            ShapeKind::Structure(members) | ShapeKind::Union(members) => {
                self.merge_members(members, target, at, false)
            }
            ShapeKind::List(item) => {
                let ShapeKind::List(model_item) = &self.out.shape(target).kind else {
                    return;
                };
                let model_item_target = model_item.target;
                let item_at = at.child("member", format!("{}, list item", at.table));
                let new = self.member_target(item.target, model_item_target, &item_at);
                if let ShapeKind::List(model_item) = &mut self.out.shapes[target.index()].kind {
                    model_item.target = new;
                }
            }
            _ => {}
        }
    }

    /// The merged target of a spec member whose model counterpart points at `model_target`.
    fn member_target(&mut self, spec_target: ShapeId, model_target: ShapeId, at: &At) -> ShapeId {
        let spec_shape = self.spec.shape(spec_target).clone();
        if !spec_shape.name.contains('$') {
            // A named shape of the file: merged already (or imported); where the model points elsewhere, say how
            // the two differ here.
            let mapped = self.map.get(&spec_target).copied();
            let mapped = mapped.unwrap_or_else(|| self.import(spec_target));
            if mapped != model_target {
                let model_shape = self.out.shape(model_target);
                if type_name(&spec_shape.kind) != type_name(&model_shape.kind) {
                    let kind = FindingKind::Type {
                        spec: format!("{} ({})", type_name(&spec_shape.kind), spec_shape.name),
                        model: format!("{} ({})", type_name(&model_shape.kind), model_shape.name),
                    };
                    self.push(at, kind);
                } else {
                    self.compare(&spec_shape, model_target, at);
                }
            }
            return mapped;
        }
        let model_shape = self.out.shape(model_target).clone();
        if type_name(&spec_shape.kind) != type_name(&model_shape.kind) {
            let kind = FindingKind::Type {
                spec: type_name(&spec_shape.kind).to_string(),
                model: type_name(&model_shape.kind).to_string(),
            };
            self.push(at, kind);
            return self.import(spec_target);
        }
        let target = match self.compare(&spec_shape, model_target, at) {
            // Inline constraints never change a shape the model shares: the member gets a copy of its own.
            Some(mut changed) => {
                changed.name = spec_shape.name.clone();
                self.add_unique(changed)
            }
            None => model_target,
        };
        if matches!(spec_shape.kind, ShapeKind::List(_)) {
            self.merge_children(&spec_shape, target, at);
        }
        target
    }

    /// The members of a spec structure over a merged one: restated members take the spec file's constraints,
    /// `required`, rules and source (wire traits stay the model's); members the model lacks are findings and are
    /// added; the model's other members stay.
    fn merge_members(&mut self, members: &[Member], structure: ShapeId, at: &At, output: bool) {
        let mut model_members = self.out.shape(structure).kind.members().to_vec();
        // The spec file's members first, in its order; then the model's others, in the model's.
        let mut merged = Vec::with_capacity(model_members.len().max(members.len()));
        for sm in members {
            let member_at = at.child(&sm.name, format!("{}, member {}", at.table, sm.name));
            let Some(index) = model_members.iter().position(|m| m.name == sm.name) else {
                let closest = closest(&sm.name, model_members.iter().map(|m| m.name.as_str()));
                let what = format!(
                    "member `{}` (the model's {} has no such member)",
                    sm.name,
                    self.out.shape(structure).name
                );
                self.push(&member_at, FindingKind::Unknown { what, closest });
                let mut added = sm.clone();
                added.target = self.import(sm.target);
                merged.push(added);
                continue;
            };
            let mut m = model_members.remove(index);
            if !output && sm.required != m.required {
                let word = |r: bool| if r { "required" } else { "optional" }.to_string();
                self.differs(
                    &at.child(
                        &format!("{}.required", sm.name),
                        format!("{}, member {}", at.table, sm.name),
                    ),
                    word(sm.required),
                    &sm.source.text,
                    word(m.required),
                );
            }
            m.target = self.member_target(sm.target, m.target, &member_at);
            m.required = sm.required;
            m.sensitive |= sm.sensitive;
            m.rules = sm.rules.clone();
            m.source = sm.source.clone();
            merged.push(m);
        }
        merged.extend(model_members);
        match &mut self.out.shapes[structure.index()].kind {
            ShapeKind::Structure(m) | ShapeKind::Union(m) => *m = merged,
            _ => {}
        }
    }

    /// Compares the constraints of a spec shape with a merged shape's: records each difference, and returns the
    /// merged shape with the spec file's constraints when any differs (`None` when the spec file changes nothing).
    fn compare(&mut self, spec: &Shape, target: ShapeId, at: &At) -> Option<Shape> {
        let model = self.out.shape(target).clone();
        let mut new = model.clone();
        let mut changed = false;
        let source = spec.source.text.clone();
        let constraint = |name: &str| at.child(name, at.table.clone());
        match (spec.enum_values(), model.enum_values()) {
            (Some(a), Some(b)) => {
                let (sa, sb): (HashSet<&String>, HashSet<&String>) =
                    (a.iter().collect(), b.iter().collect());
                if sa != sb {
                    self.differs(
                        &constraint("enum"),
                        format!("enum {}", a.join(" | ")),
                        &source,
                        format!("enum {}", b.join(" | ")),
                    );
                    new.kind = ShapeKind::Enum(a.to_vec());
                    changed = true;
                }
            }
            (Some(a), None) => {
                self.differs(
                    &constraint("enum"),
                    format!("enum {}", a.join(" | ")),
                    &source,
                    "no enum".into(),
                );
                new.kind = ShapeKind::Enum(a.to_vec());
                changed = true;
            }
            (None, Some(b)) => self.push(
                &constraint("enum"),
                FindingKind::FromModel {
                    model: format!("enum {}", b.join(" | ")),
                },
            ),
            (None, None) => {}
        }
        let (s, m) = (&spec.constraints, &model.constraints);
        let bounds = [
            (
                "min_length",
                s.min_length.map(|v| v.to_string()),
                m.min_length.map(|v| v.to_string()),
            ),
            (
                "max_length",
                s.max_length.map(|v| v.to_string()),
                m.max_length.map(|v| v.to_string()),
            ),
            (
                "min",
                s.min.map(|v| v.to_string()),
                m.min.map(|v| v.to_string()),
            ),
            (
                "max",
                s.max.map(|v| v.to_string()),
                m.max.map(|v| v.to_string()),
            ),
        ];
        for (name, spec_value, model_value) in bounds {
            match (spec_value, model_value) {
                (Some(a), Some(b)) if a == b => {}
                (Some(a), b) => {
                    let model_text =
                        b.map_or_else(|| format!("no {name}"), |b| format!("{name} {b}"));
                    self.differs(
                        &constraint(name),
                        format!("{name} {a}"),
                        &source,
                        model_text,
                    );
                    changed = true;
                }
                (None, Some(b)) => self.push(
                    &constraint(name),
                    FindingKind::FromModel {
                        model: format!("{name} {b}"),
                    },
                ),
                (None, None) => {}
            }
        }
        new.constraints.min_length = s.min_length.or(m.min_length);
        new.constraints.max_length = s.max_length.or(m.max_length);
        new.constraints.min = s.min.or(m.min);
        new.constraints.max = s.max.or(m.max);
        let pattern =
            |p: &Option<std::sync::Arc<Pattern>>| p.as_ref().map(|p| p.source().to_string());
        match (pattern(&s.pattern), pattern(&m.pattern)) {
            // The same constraint: the spec file's text is shown (and anchors change nothing).
            (Some(a), Some(b)) if normal_pattern(&a) == normal_pattern(&b) => {
                if a != b {
                    new.constraints.pattern = s.pattern.clone();
                    changed = true;
                }
            }
            (Some(a), b) => {
                self.differs(
                    &constraint("pattern"),
                    format!("pattern {a}"),
                    &source,
                    b.map_or_else(|| "no pattern".to_string(), |b| format!("pattern {b}")),
                );
                new.constraints.pattern = s.pattern.clone();
                new.constraints
                    .skipped
                    .retain(|k| !k.what.starts_with("pattern"));
                changed = true;
            }
            (None, Some(b)) => self.push(
                &constraint("pattern"),
                FindingKind::FromModel {
                    model: format!("pattern {b}"),
                },
            ),
            (None, None) => {}
        }
        if spec.sensitive && !model.sensitive {
            new.sensitive = true;
            changed = true;
        }
        if changed {
            new.source = spec.source.clone();
        }
        changed.then_some(new)
    }

    fn operations(&mut self) {
        let spec = self.spec;
        for (name, sop) in &spec.operations {
            let at = At {
                place: name.clone(),
                table: format!("[[operation]] {name}"),
                operation: Some(name.clone()),
                shape: None,
            };
            let Some(mop) = self.out.operations.get(name).cloned() else {
                let closest = closest(name, self.out.operations.keys().map(String::as_str));
                let what = format!("operation `{name}`");
                self.push(&at, FindingKind::Unknown { what, closest });
                let mut op = sop.clone();
                op.input = sop.input.map(|id| self.import(id));
                op.output = sop.output.map(|id| self.import(id));
                op.errors = sop.errors.iter().map(|id| self.import(*id)).collect();
                self.out.operations.insert(name.clone(), op);
                continue;
            };
            let mut op = mop.clone();
            if sop.http.method != mop.http.method
                || sop.http.uri() != mop.http.uri()
                || sop.http.response_code != mop.http.response_code
            {
                let text = |h: &crate::model::Http| {
                    format!("{} {} ({})", h.method, h.uri(), h.response_code)
                };
                self.differs(
                    &at.child("http", at.table.clone()),
                    text(&sop.http),
                    &sop.source.text,
                    text(&mop.http),
                );
                op.http = sop.http.clone();
            }
            for (output, spec_io, model_io) in [
                (false, sop.input, mop.input),
                (true, sop.output, mop.output),
            ] {
                let side = if output { "output" } else { "input" };
                let io_at = At {
                    place: format!("{name}.{side}"),
                    table: format!("[[operation]] {name}, {side}"),
                    operation: Some(name.clone()),
                    shape: None,
                };
                let merged = match (spec_io, model_io) {
                    (Some(s), Some(m)) => {
                        let m = self.own_structure(m, name);
                        let members = spec.shape(s).kind.members().to_vec();
                        self.merge_members(&members, m, &io_at, output);
                        Some(m)
                    }
                    (Some(s), None) => {
                        if !spec.shape(s).kind.members().is_empty() {
                            let what = format!("{side} members (the model's {name} has no {side})");
                            self.push(
                                &io_at,
                                FindingKind::Unknown {
                                    what,
                                    closest: None,
                                },
                            );
                        }
                        Some(self.import(s))
                    }
                    (None, Some(m)) => {
                        if output && !self.out.shape(m).kind.members().is_empty() {
                            self.differs(
                                &io_at,
                                "an empty body".into(),
                                &sop.source.text,
                                format!("output {}", self.out.shape(m).name),
                            );
                            None
                        } else {
                            Some(m)
                        }
                    }
                    (None, None) => None,
                };
                if output {
                    op.output = merged;
                } else {
                    op.input = merged;
                }
            }
            let names = |service: &Service, ids: &[ShapeId]| {
                let mut names: Vec<String> = ids
                    .iter()
                    .map(|id| service.shape(*id).name.clone())
                    .collect();
                names.sort();
                names.dedup();
                names
            };
            let (spec_errors, model_errors) =
                (names(spec, &sop.errors), names(&self.out, &mop.errors));
            if spec_errors != model_errors {
                self.differs(
                    &at.child("errors", at.table.clone()),
                    format!("errors {}", spec_errors.join(", ")),
                    &sop.source.text,
                    format!("errors {}", model_errors.join(", ")),
                );
            }
            op.errors = sop.errors.iter().map(|id| self.import(*id)).collect();
            op.rules = sop.rules.clone();
            op.docs = sop.docs.clone().or(op.docs);
            op.source = sop.source.clone();
            self.out.operations.insert(name.clone(), op);
        }
    }

    /// An operation's input or output structure that no other operation shares: the spec file's members are
    /// merged into it in place.
    fn own_structure(&mut self, id: ShapeId, op: &str) -> ShapeId {
        let shared = self
            .out
            .operations
            .iter()
            .any(|(name, o)| name != op && (o.input == Some(id) || o.output == Some(id)));
        if !shared {
            return id;
        }
        let mut copy = self.out.shape(id).clone();
        copy.name = format!("{}${op}", copy.name);
        self.add_unique(copy)
    }

    /// Marks the differences a `[[disagreement]]` lists in `overrides`; a listed place with none is stale.
    fn acknowledge(&mut self) {
        for d in &self.spec.rules.disagreements {
            for place in &d.overrides {
                let mut found = false;
                for finding in self.findings.iter_mut().filter(|f| &f.place == place) {
                    if !matches!(finding.kind, FindingKind::FromModel { .. }) {
                        finding.acknowledged = Some(d.about.clone());
                        found = true;
                    }
                }
                if !found {
                    self.findings.push(Finding {
                        place: place.clone(),
                        table: "[[disagreement]]".into(),
                        operation: None,
                        shape: None,
                        kind: FindingKind::Stale {
                            about: d.about.clone(),
                        },
                        acknowledged: None,
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Role;
    use crate::spec::{Protocol, load_sources, lower, starter};

    /// The starter spec file, lowered, with `edits` applied to its text.
    fn service(edits: &[(&str, &str)]) -> Service {
        let mut text = starter("thing", Protocol::AwsJson1_1);
        for (from, to) in edits {
            assert!(text.contains(from), "the starter has no {from:?}");
            text = text.replacen(from, to, 1);
        }
        let specs = load_sources([("thing.toml".to_string(), text)]).unwrap();
        lower(&specs).services.shift_remove("thing").unwrap()
    }

    /// A "published model": the starter with ThingName at most 50, Size up to 200, and a second operation
    /// ListThings sharing PutThing's input structure, both imported.
    fn model() -> Service {
        let mut model = service(&[
            ("max_length = 64", "max_length = 50"),
            ("max = 100", "max = 200"),
        ]);
        let mut list = model.operations["PutThing"].clone();
        list.name = "ListThings".into();
        model.operations.insert("ListThings".into(), list);
        for op in model.operations.values_mut() {
            op.rules = Default::default();
        }
        model.source.text = "botocore thing/2024-01-01".into();
        model
    }

    fn max_of(service: &Service, op: &str, member: &str) -> Option<String> {
        let op = &service.operations[op];
        let m = service
            .input_members(op)
            .iter()
            .find(|m| m.name == member)?;
        let c = &service.target(m).constraints;
        c.max_length
            .map(|v| v.to_string())
            .or(c.max.map(|v| v.to_string()))
    }

    fn finding<'a>(service: &'a Service, place: &str) -> &'a Finding {
        let report = service.rules.overlay.as_ref().unwrap();
        report
            .findings
            .iter()
            .find(|f| f.place == place)
            .unwrap_or_else(|| panic!("no finding at {place}: {:#?}", report.findings))
    }

    #[test]
    fn the_model_brings_its_other_operations_and_the_spec_file_wins_where_they_differ() {
        let merged = overlay(&service(&[]), &model());
        assert_eq!(
            merged.operations.keys().collect::<Vec<_>>(),
            ["PutThing", "ListThings"]
        );
        assert_eq!(merged.operations["PutThing"].rules.role, Role::Seed);
        assert_eq!(merged.operations["ListThings"].rules.role, Role::Imported);
        // A named shape: the spec file's bound, for every operation of the model that uses it.
        assert_eq!(max_of(&merged, "PutThing", "Name").as_deref(), Some("64"));
        assert_eq!(max_of(&merged, "ListThings", "Name").as_deref(), Some("64"));
        // An inline member: the spec file's bound for its operation only; the shared structure of the model's
        // other operation keeps the model's.
        assert_eq!(max_of(&merged, "PutThing", "Size").as_deref(), Some("100"));
        assert_eq!(
            max_of(&merged, "ListThings", "Size").as_deref(),
            Some("200")
        );
        let name = finding(&merged, "ThingName.max_length");
        assert_eq!(
            name.kind,
            FindingKind::Differs {
                spec: "max_length 64".into(),
                spec_source: "api: Request Parameters / Name".into(),
                model: "max_length 50".into(),
            }
        );
        assert!(name.is_error(), "not acknowledged");
        assert!(finding(&merged, "PutThing.input.Size.max").is_error());
        let report = merged.rules.overlay.as_ref().unwrap();
        assert_eq!(report.findings.len(), 2, "{:#?}", report.findings);
    }

    #[test]
    fn a_disagreement_acknowledges_a_place_and_one_with_no_difference_is_stale() {
        let disagreement = "[[disagreement]]\nabout = \"the longest name\"\nsides = [\"api: 64\", \"model: 50\"]\nfollows = \"api\"\nwhy = \"a test\"\noverrides = [\"ThingName.max_length\", \"ThingName.min_length\"]\n\n[[operation]]";
        let spec = service(&[
            (
                "source = \"api: Welcome\"\n",
                "source = \"api: Welcome\"\nmodel = \"thing\"\n",
            ),
            ("[[operation]]", disagreement),
        ]);
        let merged = overlay(&spec, &model());
        let name = finding(&merged, "ThingName.max_length");
        assert_eq!(name.acknowledged.as_deref(), Some("the longest name"));
        assert!(!name.is_error());
        let stale = finding(&merged, "ThingName.min_length");
        assert!(matches!(stale.kind, FindingKind::Stale { .. }) && stale.is_error());
    }

    #[test]
    fn names_the_model_lacks_are_errors_with_the_closest_name() {
        let spec = service(&[
            ("name = \"Size\"", "name = \"Sise\""),
            ("Size = 10", "Sise = 10"),
        ]);
        let merged = overlay(&spec, &model());
        let typo = finding(&merged, "PutThing.input.Sise");
        assert!(typo.is_error());
        assert_eq!(typo.table, "[[operation]] PutThing, input, member Sise");
        assert!(
            matches!(&typo.kind, FindingKind::Unknown { closest: Some(c), .. } if c == "Size"),
            "{typo:?}"
        );
        // The member is kept (the spec file wins), beside the model's own.
        let members: Vec<&str> = merged
            .input_members(&merged.operations["PutThing"])
            .iter()
            .map(|m| m.name.as_str())
            .collect();
        assert_eq!(members, ["Name", "Sise", "Size"]);
    }

    #[test]
    fn anchors_do_not_make_patterns_differ_and_the_closest_name_must_be_close() {
        assert_eq!(normal_pattern(r"^\d{12}$"), r"\d{12}");
        assert_eq!(normal_pattern(r"\d{12}"), r"\d{12}");
        assert_eq!(normal_pattern(r"^a\$"), r"a\$");
        let names = ["PutThing", "ListThings"];
        assert_eq!(
            closest("PutThign", names.into_iter()).as_deref(),
            Some("PutThing")
        );
        assert_eq!(closest("Frobnicate", names.into_iter()), None);
    }
}
