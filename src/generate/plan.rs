//! An operation compiled for generation once: per member, how to draw valid values (patterns parsed, lengths known).

use proptest::prelude::Rng;
use proptest::test_runner::TestRng;
use serde_json::{Map, Number, Value};

use super::GenError;
use super::strings::{PatternGen, Pick, free_text};
use crate::case::Expected;
use crate::spec::{Fixture, Fixtures, Member, Operation, Outcome, Service, Shape, ShapeKind};

/// How to draw one member's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Any valid value.
    Random,
    /// The shortest (or smallest) valid value.
    Min,
    /// The longest (or largest) valid value.
    Max,
    /// A valid value reaching the ends of the pattern's classes.
    Edge(Pick),
    /// The plainest valid value, for shrinking.
    Simplest,
    /// The enum value at this index.
    Enum(usize),
    /// The fixture's well-formed unknown value.
    Unknown,
}

/// A fixture a member takes its value from.
#[derive(Debug, Clone)]
pub(crate) struct FixtureUse<'a> {
    pub(crate) value: String,
    pub(crate) def: Option<&'a Fixture>,
}

/// A member whose valid values are addresses at a fixture's mail domain.
#[derive(Debug, Clone)]
pub(crate) struct EmailDomain<'a> {
    pub(crate) fixture: FixtureUse<'a>,
    /// Generator of the part before `@`.
    local: PatternGen,
    /// Feasible local-part lengths for the fixture's domain, ascending.
    local_lengths: Vec<usize>,
    /// Feasible local-part lengths for the unknown domain, ascending.
    unknown_local_lengths: Vec<usize>,
}

/// How to draw valid strings of one member.
#[derive(Debug, Clone)]
pub(crate) struct StringPlan<'a> {
    pub(crate) shape: &'a Shape,
    /// Generator for patterned strings; `None` for free text.
    pub(crate) pattern: Option<PatternGen>,
    /// Lengths a valid value can have, ascending.
    pub(crate) valid_lengths: Vec<usize>,
}

impl StringPlan<'_> {
    /// A string of `len` characters matching the pattern (any text without one); `None` when there is none.
    pub(crate) fn of_length(&self, rng: &mut TestRng, len: usize, pick: Pick) -> Option<String> {
        match &self.pattern {
            Some(generator) => generator.generate(rng, len, pick),
            None => Some(free_text(rng, len, pick)),
        }
    }

    fn random_length(&self, rng: &mut TestRng) -> usize {
        let n = self.valid_lengths.len();
        // Half the draws stay short, as most real values are; the rest spread over the whole range.
        let upto = if rng.random_bool(0.5) { n.min(24) } else { n };
        self.valid_lengths[rng.random_range(0..upto)]
    }
}

/// How to draw valid values of one shape.
#[derive(Debug, Clone)]
pub(crate) enum ValuePlan<'a> {
    String(StringPlan<'a>),
    Integer {
        min: i64,
        max: i64,
    },
    Boolean,
    Timestamp,
    Structure(Vec<MemberPlan<'a>>),
    List {
        item: Box<ValuePlan<'a>>,
        min: usize,
        max: usize,
    },
}

/// One member, compiled.
#[derive(Debug, Clone)]
pub(crate) struct MemberPlan<'a> {
    pub(crate) member: &'a Member,
    pub(crate) fixture: Option<FixtureUse<'a>>,
    pub(crate) email: Option<EmailDomain<'a>>,
    pub(crate) value: ValuePlan<'a>,
}

/// A member anywhere in the input: the indices leading to it and its dotted name.
#[derive(Debug, Clone)]
pub(crate) struct Site {
    pub(crate) path: Vec<usize>,
    pub(crate) dotted: String,
}

/// An operation compiled for generation.
#[derive(Debug, Clone)]
pub(crate) struct OpPlan<'a> {
    pub(crate) service: &'a Service,
    pub(crate) op: &'a Operation,
    pub(crate) members: Vec<MemberPlan<'a>>,
    pub(crate) sites: Vec<Site>,
    /// Indices of the optional top-level members.
    pub(crate) optional: Vec<usize>,
    /// What a valid request expects: the success, or the state-dependent errors.
    pub(crate) valid_expected: Expected,
    /// The fixture values in force.
    pub(crate) fixtures: Fixtures,
}

const FREE_TEXT_SPAN: usize = 64;

impl<'a> OpPlan<'a> {
    /// Compiles an operation; fails when some member can have no valid value.
    pub(crate) fn new(
        service: &'a Service,
        op: &'a Operation,
        fixtures: &Fixtures,
    ) -> Result<Self, GenError> {
        let members = op
            .input
            .iter()
            .map(|m| compile_member(service, op, m, fixtures))
            .collect::<Result<Vec<_>, _>>()?;
        let mut sites = Vec::new();
        collect_sites(&members, &mut Vec::new(), "", &mut sites);
        let optional = (0..members.len())
            .filter(|i| !members[*i].member.required)
            .collect();
        let mut accept = vec![Outcome::success(op.success_status)];
        let (uncertain, note) = match &op.on_state {
            Some(state) => {
                accept.extend(state.accept.iter().cloned());
                (state.uncertain, state.note.clone())
            }
            None => (false, None),
        };
        Ok(OpPlan {
            service,
            op,
            members,
            sites,
            optional,
            valid_expected: Expected {
                accept,
                uncertain,
                note,
            },
            fixtures: fixtures.clone(),
        })
    }

    /// The member at a site.
    pub(crate) fn member_at(&self, site: usize) -> &MemberPlan<'a> {
        let path = &self.sites[site].path;
        let mut member = &self.members[path[0]];
        for i in &path[1..] {
            match &member.value {
                ValuePlan::Structure(children) => member = &children[*i],
                _ => unreachable!("sites only descend into structures"),
            }
        }
        member
    }

    /// A valid input: `force` draws that site with its mode (and makes it and its parents present); `present`
    /// decides optional top-level members (`None`: a coin flip).
    pub(crate) fn valid_input(
        &self,
        rng: &mut TestRng,
        force: Option<(usize, Mode)>,
        present: &dyn Fn(usize) -> Option<bool>,
    ) -> Map<String, Value> {
        let force = force.map(|(site, mode)| (self.sites[site].path.as_slice(), mode));
        build_members(&self.members, rng, force, present)
    }
}

fn build_members(
    members: &[MemberPlan<'_>],
    rng: &mut TestRng,
    force: Option<(&[usize], Mode)>,
    present: &dyn Fn(usize) -> Option<bool>,
) -> Map<String, Value> {
    let mut map = Map::new();
    for (i, m) in members.iter().enumerate() {
        let forced = force.filter(|(path, _)| path[0] == i);
        let here = forced.is_some()
            || m.member.required
            || present(i).unwrap_or_else(|| rng.random_bool(0.5));
        if !here {
            continue;
        }
        let value = match forced {
            Some((path, mode)) if path.len() == 1 => m.draw(rng, mode),
            Some((path, mode)) => match &m.value {
                ValuePlan::Structure(children) => Value::Object(build_members(
                    children,
                    rng,
                    Some((&path[1..], mode)),
                    &|_| None,
                )),
                _ => m.draw(rng, Mode::Random),
            },
            None => m.draw(rng, Mode::Random),
        };
        map.insert(m.member.name.clone(), value);
    }
    map
}

impl MemberPlan<'_> {
    /// A valid value of this member in `mode` (fixtures and mail domains applied).
    pub(crate) fn draw(&self, rng: &mut TestRng, mode: Mode) -> Value {
        if let Some(fixture) = &self.fixture {
            let value = match (mode, fixture.def.and_then(|d| d.unknown.as_ref())) {
                (Mode::Unknown, Some(unknown)) => unknown.clone(),
                _ => fixture.value.clone(),
            };
            return Value::String(value);
        }
        if let Some(email) = &self.email {
            return Value::String(email.draw(rng, mode));
        }
        self.value.draw(rng, mode)
    }

    /// The fixture unknown value and its expectation, when this member has one.
    pub(crate) fn unknown_fixture(&self) -> Option<&Fixture> {
        let def = match (&self.fixture, &self.email) {
            (Some(f), _) => f.def,
            (None, Some(e)) => e.fixture.def,
            _ => None,
        }?;
        (def.unknown.is_some() && def.on_unknown.is_some()).then_some(def)
    }

    /// Whether a value of this member is drawn from a pattern (edges make sense).
    pub(crate) fn has_pattern(&self) -> bool {
        self.fixture.is_none()
            && matches!(&self.value, ValuePlan::String(s) if s.pattern.is_some() && s.shape.enum_values.is_none())
    }

    /// Whether the member's valid values have distinct shortest and longest forms worth a case each.
    pub(crate) fn has_bounds(&self) -> (bool, bool) {
        if self.fixture.is_some() {
            return (false, false);
        }
        if let Some(email) = &self.email {
            return (true, email.local_lengths.len() > 1);
        }
        match &self.value {
            ValuePlan::String(s) if s.shape.enum_values.is_none() => {
                let several = s.valid_lengths.len() > 1;
                (
                    several && (s.shape.min_length.is_some() || s.pattern.is_some()),
                    several && s.shape.max_length.is_some(),
                )
            }
            ValuePlan::Integer { .. } => (
                self.member.shape.min.is_some(),
                self.member.shape.max.is_some(),
            ),
            ValuePlan::List { .. } => (
                self.member.shape.min_length.is_some(),
                self.member.shape.max_length.is_some(),
            ),
            _ => (false, false),
        }
    }
}

impl EmailDomain<'_> {
    fn draw(&self, rng: &mut TestRng, mode: Mode) -> String {
        let (domain, lengths) = match (mode, self.fixture.def.and_then(|d| d.unknown.as_ref())) {
            (Mode::Unknown, Some(unknown)) => (unknown.as_str(), &self.unknown_local_lengths),
            _ => (self.fixture.value.as_str(), &self.local_lengths),
        };
        let (len, pick) = match mode {
            Mode::Min | Mode::Simplest => (lengths[0], Pick::Simplest),
            Mode::Max => (*lengths.last().unwrap_or(&1), Pick::Random),
            Mode::Edge(pick) => (lengths[rng.random_range(0..lengths.len())], pick),
            _ => (
                lengths[rng.random_range(0..lengths.len().min(16))],
                Pick::Random,
            ),
        };
        let local = self
            .local
            .generate(rng, len, pick)
            .unwrap_or_else(|| "a".repeat(len));
        format!("{local}@{domain}")
    }
}

impl ValuePlan<'_> {
    pub(crate) fn draw(&self, rng: &mut TestRng, mode: Mode) -> Value {
        match self {
            ValuePlan::String(s) => {
                if let Some(values) = &s.shape.enum_values {
                    let i = match mode {
                        Mode::Enum(i) => i.min(values.len() - 1),
                        Mode::Simplest | Mode::Min => 0,
                        _ => rng.random_range(0..values.len()),
                    };
                    return Value::String(values[i].clone());
                }
                let lengths = &s.valid_lengths;
                let (len, pick) = match mode {
                    Mode::Min => (lengths[0], Pick::Random),
                    Mode::Simplest => (lengths[0], Pick::Simplest),
                    Mode::Max => (*lengths.last().expect("non-empty"), Pick::Random),
                    Mode::Edge(pick) => {
                        // Room for the optional parts: at least a few characters when the pattern allows.
                        let roomy: Vec<usize> =
                            lengths.iter().copied().filter(|l| *l >= 8).collect();
                        let from = if roomy.is_empty() { lengths } else { &roomy };
                        (from[rng.random_range(0..from.len().min(24))], pick)
                    }
                    _ => (s.random_length(rng), Pick::Random),
                };
                Value::String(s.of_length(rng, len, pick).unwrap_or_default())
            }
            ValuePlan::Integer { min, max } => {
                let n = match mode {
                    Mode::Min => *min,
                    Mode::Max => *max,
                    Mode::Simplest => (*min).max(0).min(*max),
                    _ => rng.random_range(*min..=*max),
                };
                Value::Number(Number::from(n))
            }
            ValuePlan::Boolean => Value::Bool(match mode {
                Mode::Simplest => false,
                _ => rng.random_bool(0.5),
            }),
            ValuePlan::Timestamp => Value::Number(Number::from(match mode {
                Mode::Simplest => 0,
                _ => rng.random_range(0..4_102_444_800i64),
            })),
            ValuePlan::Structure(children) => {
                let simplest = mode == Mode::Simplest;
                let present = move |_: usize| simplest.then_some(false);
                let mut map = Map::new();
                for (i, c) in children.iter().enumerate() {
                    let here =
                        c.member.required || present(i).unwrap_or_else(|| rng.random_bool(0.5));
                    if here {
                        let child_mode = if simplest {
                            Mode::Simplest
                        } else {
                            Mode::Random
                        };
                        map.insert(c.member.name.clone(), c.draw(rng, child_mode));
                    }
                }
                Value::Object(map)
            }
            ValuePlan::List { item, min, max } => {
                let n = match mode {
                    Mode::Min | Mode::Simplest => *min,
                    Mode::Max => *max,
                    _ => rng.random_range(*min..=(*max).min(*min + 4)),
                };
                let item_mode = if mode == Mode::Simplest {
                    Mode::Simplest
                } else {
                    Mode::Random
                };
                Value::Array((0..n).map(|_| item.draw(rng, item_mode)).collect())
            }
        }
    }
}

fn fixture_use<'a>(service: &'a Service, key: &str, fixtures: &Fixtures) -> Option<FixtureUse<'a>> {
    let def = service.fixtures.get(key);
    let value = fixtures
        .get(key)
        .map(str::to_string)
        .or_else(|| def.map(|d| d.default.clone()))?;
    Some(FixtureUse { value, def })
}

fn compile_member<'a>(
    service: &'a Service,
    op: &'a Operation,
    member: &'a Member,
    fixtures: &Fixtures,
) -> Result<MemberPlan<'a>, GenError> {
    let value = compile_shape(op, &member.name, &member.shape)?;
    let fixture = match &member.fixture {
        Some(key) => Some(
            fixture_use(service, key, fixtures).ok_or_else(|| GenError::Plan {
                operation: op.name.clone(),
                member: member.name.clone(),
                reason: format!("fixture `{key}` has no value"),
            })?,
        ),
        None => None,
    };
    let email = match &member.email_domain_fixture {
        Some(key) => {
            let fixture = fixture_use(service, key, fixtures).ok_or_else(|| GenError::Plan {
                operation: op.name.clone(),
                member: member.name.clone(),
                reason: format!("fixture `{key}` has no value"),
            })?;
            Some(compile_email(op, member, fixture)?)
        }
        None => None,
    };
    Ok(MemberPlan {
        member,
        fixture,
        email,
        value,
    })
}

fn compile_shape<'a>(
    op: &Operation,
    name: &str,
    shape: &'a Shape,
) -> Result<ValuePlan<'a>, GenError> {
    let fail = |reason: String| GenError::Plan {
        operation: op.name.clone(),
        member: name.to_string(),
        reason,
    };
    Ok(match &shape.kind {
        ShapeKind::String => {
            let min = shape.min_length.unwrap_or(0) as usize;
            let (pattern, valid_lengths) = match &shape.pattern {
                Some(p) => {
                    let cap = match shape.max_length {
                        Some(max) => max as usize + 1,
                        None => min.max(1) + FREE_TEXT_SPAN,
                    };
                    let generator = PatternGen::new(&p.body, cap)
                        .map_err(|e| fail(format!("pattern `{}`: {e}", p.source)))?;
                    let top = shape.max_length.map(|m| m as usize).unwrap_or(cap - 1);
                    let lengths: Vec<usize> = generator
                        .lengths()
                        .iter()
                        .filter(|l| *l >= min && *l <= top)
                        .collect();
                    (Some(generator), lengths)
                }
                None => {
                    let top = shape
                        .max_length
                        .map(|m| m as usize)
                        .unwrap_or(min + FREE_TEXT_SPAN);
                    (None, (min..=top).collect())
                }
            };
            if valid_lengths.is_empty() && shape.enum_values.is_none() {
                return Err(fail(
                    "no string satisfies both its length bounds and its pattern".into(),
                ));
            }
            if shape.enum_values.as_ref().is_some_and(|v| v.is_empty()) {
                return Err(fail("its enum has no values".into()));
            }
            ValuePlan::String(StringPlan {
                shape,
                pattern,
                valid_lengths,
            })
        }
        ShapeKind::Integer | ShapeKind::Long => {
            let (lo, hi) = match shape.kind {
                ShapeKind::Integer => (i32::MIN as i64, i32::MAX as i64),
                _ => (i64::MIN, i64::MAX),
            };
            let min = shape.min.unwrap_or(lo.max(-1_000_000));
            let max = shape.max.unwrap_or(hi.min(1_000_000));
            if min > max {
                return Err(fail(format!("its range {min}..{max} is empty")));
            }
            ValuePlan::Integer { min, max }
        }
        ShapeKind::Boolean => ValuePlan::Boolean,
        ShapeKind::Timestamp => ValuePlan::Timestamp,
        ShapeKind::Structure(members) => ValuePlan::Structure(
            members
                .iter()
                .map(|m| {
                    Ok(MemberPlan {
                        member: m,
                        fixture: None,
                        email: None,
                        value: compile_shape(op, &format!("{name}.{}", m.name), &m.shape)?,
                    })
                })
                .collect::<Result<Vec<_>, GenError>>()?,
        ),
        ShapeKind::List(item) => {
            let min = shape.min_length.unwrap_or(0) as usize;
            let max = shape.max_length.map(|m| m as usize).unwrap_or(min + 4);
            if min > max {
                return Err(fail(format!("its length range {min}..{max} is empty")));
            }
            ValuePlan::List {
                item: Box::new(compile_shape(op, name, item)?),
                min,
                max,
            }
        }
    })
}

/// The part of a pattern body before its first top-level `@` (outside classes, groups and escapes).
fn local_part_of(body: &str) -> Option<&str> {
    let mut depth = 0i32;
    let mut class = 0i32;
    let mut escaped = false;
    for (i, c) in body.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '[' => class += 1,
            ']' if class > 0 => class -= 1,
            '(' if class == 0 => depth += 1,
            ')' if class == 0 => depth -= 1,
            '|' if class == 0 && depth == 0 => return None,
            '@' if class == 0 && depth == 0 => return Some(&body[..i]),
            _ => {}
        }
    }
    None
}

fn compile_email<'a>(
    op: &Operation,
    member: &'a Member,
    fixture: FixtureUse<'a>,
) -> Result<EmailDomain<'a>, GenError> {
    let fail = |reason: String| GenError::Plan {
        operation: op.name.clone(),
        member: member.name.clone(),
        reason,
    };
    let shape = &member.shape;
    let local_body = shape
        .pattern
        .as_ref()
        .and_then(|p| local_part_of(&p.body))
        .unwrap_or("[a-z0-9]{1,64}");
    let local = PatternGen::new(local_body, 256).map_err(|e| fail(format!("local part: {e}")))?;
    let feasible = |domain: &str| -> Vec<usize> {
        let fixed = domain.chars().count() + 1;
        let min = (shape.min_length.unwrap_or(0) as usize).saturating_sub(fixed);
        let max = shape
            .max_length
            .map(|m| m as usize)
            .unwrap_or(usize::MAX)
            .saturating_sub(fixed);
        local
            .lengths()
            .iter()
            .filter(|l| *l >= min.max(1) && *l <= max)
            .filter(|l| {
                // The whole address must match: try the plainest local part of that length.
                let mut rng = super::ids::case_rng(0, "email-domain-probe");
                let s = local
                    .generate(&mut rng, *l, Pick::Simplest)
                    .unwrap_or_default();
                shape
                    .pattern
                    .as_ref()
                    .is_none_or(|p| p.is_match(&format!("{s}@{domain}")))
            })
            .collect()
    };
    let local_lengths = feasible(&fixture.value);
    if local_lengths.is_empty() {
        return Err(fail(format!(
            "no address at the mail domain `{}` satisfies the member's pattern and length",
            fixture.value
        )));
    }
    let unknown_local_lengths = match fixture.def.and_then(|d| d.unknown.as_ref()) {
        Some(unknown) => {
            let lengths = feasible(unknown);
            if lengths.is_empty() {
                local_lengths.clone()
            } else {
                lengths
            }
        }
        None => local_lengths.clone(),
    };
    Ok(EmailDomain {
        fixture,
        local,
        local_lengths,
        unknown_local_lengths,
    })
}

fn collect_sites(
    members: &[MemberPlan<'_>],
    path: &mut Vec<usize>,
    prefix: &str,
    out: &mut Vec<Site>,
) {
    for (i, m) in members.iter().enumerate() {
        path.push(i);
        let dotted = if prefix.is_empty() {
            m.member.name.clone()
        } else {
            format!("{prefix}.{}", m.member.name)
        };
        out.push(Site {
            path: path.clone(),
            dotted: dotted.clone(),
        });
        if let ValuePlan::Structure(children) = &m.value {
            collect_sites(children, path, &dotted, out);
        }
        path.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_part_of_an_email_pattern() {
        assert_eq!(local_part_of("[a-z.]{1,64}@[a-z]+"), Some("[a-z.]{1,64}"));
        assert_eq!(local_part_of(r"[\@x]+"), None);
        assert_eq!(local_part_of("a|b@c"), None);
    }
}
