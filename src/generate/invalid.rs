//! Invalid cases: exactly one constraint broken per case, tagged with the member and the mutation class.
//!
//! Classes, for every member where they apply (nested structure members too, by dotted path):
//! `missing-required`, `null-required` (required members), `length-min-1`, `length-max+1` (a value that still
//! matches the pattern, so only the length is wrong), `pattern-start`, `pattern-middle`, `pattern-end` (one
//! character the pattern allows nowhere, at that position, length unchanged), `pattern-non-ascii` (`é` where the
//! pattern's ASCII classes accept `e`: Java's `\w` is ASCII), `pattern-structure` (every occurrence of one literal
//! character of the pattern, such as the `@` of an address, replaced by another allowed character; one variant per
//! literal), `enum-case` (`Billing` for `BILLING`), `enum-unknown`, `enum-empty`, `range-min-1`, `range-max+1`,
//! and `type-string|number|boolean|object|array` (each JSON type but the member's own).
//!
//! Every mutated input is checked with the independent validator (`spec::validate`): a case is kept only when the
//! validator reports exactly one violation, at the tagged member and of the tagged kind. A mutation that cannot be
//! isolated — an empty string where `min_length` is 1 and the pattern needs a character breaks length *and*
//! pattern; a 33-character organisation id cannot match `m-[0-9a-f]{32}` — is retried with fresh values a few times
//! and then skipped: no case is emitted under its id. Its expectation is `Service::violation_expectation` of
//! the member and the violated `ConstraintKind`.

use proptest::prelude::Rng;
use proptest::test_runner::TestRng;
use serde_json::{Map, Value, json};

use super::plan::{MemberPlan, Mode, OpPlan, StringPlan, ValuePlan};
use super::strings::Pick;
use super::{Slot, examples};
use crate::case::{Case, CaseKind, Expected, Mutation, Signing};
use crate::protocol;
use crate::spec::ConstraintKind;
use crate::spec::validate::validate_members;

const ATTEMPTS: usize = 4;

/// The constraint kind a mutation class violates.
pub fn violated_kind(class: &str) -> Option<ConstraintKind> {
    Some(match class {
        "missing-required" => ConstraintKind::Required,
        "null-required" => ConstraintKind::Null,
        c if c.starts_with("length-") => ConstraintKind::Length,
        c if c.starts_with("pattern-") => ConstraintKind::Pattern,
        c if c.starts_with("enum-") => ConstraintKind::Enum,
        c if c.starts_with("range-") => ConstraintKind::Range,
        c if c.starts_with("type-") => ConstraintKind::Type,
        _ => return None,
    })
}

const TYPE_STRING: &str = "type-string";
const TYPE_NUMBER: &str = "type-number";
const TYPE_BOOLEAN: &str = "type-boolean";
const TYPE_OBJECT: &str = "type-object";
const TYPE_ARRAY: &str = "type-array";

/// The mutation classes of one member, with their number of variants.
fn classes(m: &MemberPlan<'_>) -> Vec<(&'static str, u32)> {
    let mut out = Vec::new();
    if m.member.required {
        out.push(("missing-required", 1));
        out.push(("null-required", 1));
    }
    let shape = &m.member.shape;
    let types: [&'static str; 4] = match &m.value {
        ValuePlan::String(s) => {
            if shape.min_length.is_some_and(|min| min >= 1) {
                out.push(("length-min-1", 1));
            }
            if shape.max_length.is_some() {
                out.push(("length-max+1", 1));
            }
            if let Some(generator) = &s.pattern
                && shape.enum_values.is_none()
            {
                if outside_chars(s).next().is_some() {
                    out.extend([
                        ("pattern-start", 1),
                        ("pattern-middle", 1),
                        ("pattern-end", 1),
                    ]);
                }
                if generator.allows('e') && !generator.allows('é') {
                    out.push(("pattern-non-ascii", 1));
                }
                if !generator.literals().is_empty() {
                    out.push(("pattern-structure", generator.literals().len() as u32));
                }
            }
            if shape.enum_values.is_some() {
                out.extend([("enum-case", 1), ("enum-unknown", 1), ("enum-empty", 1)]);
            }
            [TYPE_NUMBER, TYPE_BOOLEAN, TYPE_OBJECT, TYPE_ARRAY]
        }
        ValuePlan::Integer { .. } => {
            if shape.min.is_some() {
                out.push(("range-min-1", 1));
            }
            if shape.max.is_some() {
                out.push(("range-max+1", 1));
            }
            [TYPE_STRING, TYPE_BOOLEAN, TYPE_OBJECT, TYPE_ARRAY]
        }
        ValuePlan::Boolean => [TYPE_STRING, TYPE_NUMBER, TYPE_OBJECT, TYPE_ARRAY],
        ValuePlan::Timestamp => [TYPE_STRING, TYPE_BOOLEAN, TYPE_OBJECT, TYPE_ARRAY],
        ValuePlan::Structure(_) => [TYPE_STRING, TYPE_NUMBER, TYPE_BOOLEAN, TYPE_ARRAY],
        ValuePlan::List { .. } => {
            if shape.min_length.is_some_and(|min| min >= 1) {
                out.push(("length-min-1", 1));
            }
            if shape.max_length.is_some() {
                out.push(("length-max+1", 1));
            }
            [TYPE_STRING, TYPE_NUMBER, TYPE_BOOLEAN, TYPE_OBJECT]
        }
    };
    out.extend(types.into_iter().map(|t| (t, 1)));
    out
}

/// The deterministic invalid slots of an operation: error examples, then every (member, class, variant).
pub(crate) fn slots(plan: &OpPlan<'_>) -> Vec<Slot> {
    let mut out = examples::slots(plan, CaseKind::Invalid);
    for site in 0..plan.sites.len() {
        for (class, variants) in classes(plan.member_at(site)) {
            out.extend(Slot::new(CaseKind::Invalid, class, Some(site)).variants(variants));
        }
    }
    out
}

/// Printable ASCII characters the pattern allows nowhere.
fn outside_chars<'s>(s: &'s StringPlan<'_>) -> impl Iterator<Item = char> + 's {
    (0x21u8..0x7F)
        .map(char::from)
        .filter(move |c| s.pattern.as_ref().is_some_and(|g| !g.allows(*c)))
}

/// A valid string of at least three characters when the member allows it, for in-place replacements.
fn base_string(s: &StringPlan<'_>, rng: &mut TestRng) -> Option<String> {
    let roomy: Vec<usize> = s
        .valid_lengths
        .iter()
        .copied()
        .filter(|l| *l >= 3)
        .take(24)
        .collect();
    let len = if roomy.is_empty() {
        *s.valid_lengths.iter().find(|l| **l >= 1)?
    } else {
        roomy[rng.random_range(0..roomy.len())]
    };
    s.of_length(rng, len, Pick::Random)
}

fn replace_at(value: &str, index: usize, with: char) -> String {
    value
        .chars()
        .enumerate()
        .map(|(i, c)| if i == index { with } else { c })
        .collect()
}

/// The mutated value (`None`: remove the member) and a sentence saying what was done.
fn mutate(m: &MemberPlan<'_>, slot: &Slot, rng: &mut TestRng) -> Option<(Option<Value>, String)> {
    let name = &m.member.name;
    let shape = &m.member.shape;
    let string = match &m.value {
        ValuePlan::String(s) => Some(s),
        _ => None,
    };
    Some(match slot.class {
        "missing-required" => (None, format!("{name} is left out although it is required")),
        "null-required" => (
            Some(Value::Null),
            format!("{name} is null although it is required"),
        ),
        "length-min-1" | "length-max+1" => {
            let below = slot.class == "length-min-1";
            let bound = if below {
                shape.min_length?
            } else {
                shape.max_length?
            } as usize;
            let len = if below { bound - 1 } else { bound + 1 };
            let value = match &m.value {
                ValuePlan::String(s) => Value::String(s.of_length(rng, len, Pick::Random)?),
                ValuePlan::List { item, .. } => {
                    Value::Array((0..len).map(|_| item.draw(rng, Mode::Random)).collect())
                }
                _ => return None,
            };
            let what = if below {
                "under the minimum"
            } else {
                "over the maximum"
            };
            (
                Some(value),
                format!("{name} has length {len}, one {what} of {bound}"),
            )
        }
        "pattern-start" | "pattern-middle" | "pattern-end" | "pattern-non-ascii" => {
            let s = string?;
            let base = base_string(s, rng)?;
            let n = base.chars().count();
            let (index, with) = match slot.class {
                "pattern-start" => (0, None),
                "pattern-end" => (n - 1, None),
                "pattern-middle" => (n / 2, None),
                _ => (n / 2, Some('é')),
            };
            let with = match with {
                Some(c) => c,
                None => {
                    let outside: Vec<char> = outside_chars(s).collect();
                    outside[rng.random_range(0..outside.len())]
                }
            };
            (
                Some(Value::String(replace_at(&base, index, with))),
                format!(
                    "{name}: character {} of {n} replaced by `{}`, which the pattern does not allow there",
                    index + 1,
                    with.escape_default()
                ),
            )
        }
        "pattern-structure" => {
            let s = string?;
            let generator = s.pattern.as_ref()?;
            let literal = *generator.literals().get(slot.variant as usize)?;
            let with = ['a', '0', 'x', 'Z', '_']
                .into_iter()
                .find(|c| *c != literal && generator.allows(*c))?;
            let base = base_string(s, rng)?;
            if !base.contains(literal) {
                return None;
            }
            (
                Some(Value::String(base.replace(literal, &with.to_string()))),
                format!(
                    "{name}: every `{}` the pattern spells out replaced by `{with}`",
                    literal.escape_default()
                ),
            )
        }
        "enum-case" => {
            let values = shape.enum_values.as_ref()?;
            let value = &values[rng.random_range(0..values.len())];
            let mut chars = value.chars();
            let capitalised: String = chars
                .next()
                .map(|c| {
                    c.to_uppercase()
                        .chain(chars.as_str().to_lowercase().chars())
                        .collect()
                })
                .unwrap_or_default();
            let other = if capitalised != *value {
                capitalised
            } else {
                value.to_lowercase()
            };
            (
                Some(Value::String(other.clone())),
                format!("{name} is `{other}`, `{value}` in another letter case"),
            )
        }
        "enum-unknown" => {
            let values = shape.enum_values.as_ref()?;
            let s = string?;
            let unknown = match &s.pattern {
                Some(_) if !s.valid_lengths.is_empty() => {
                    let len = s.valid_lengths[rng.random_range(0..s.valid_lengths.len())];
                    s.of_length(rng, len, Pick::Random)?
                }
                _ => format!("{}_UNKNOWN", values[rng.random_range(0..values.len())]),
            };
            (
                Some(Value::String(unknown)),
                format!("{name} is a value outside its enum [{}]", values.join(", ")),
            )
        }
        "enum-empty" => (
            Some(Value::String(String::new())),
            format!("{name} is the empty string"),
        ),
        "range-min-1" => {
            let min = shape.min?.checked_sub(1)?;
            (
                Some(json!(min)),
                format!("{name} is {min}, one under the minimum"),
            )
        }
        "range-max+1" => {
            let max = shape.max?.checked_add(1)?;
            (
                Some(json!(max)),
                format!("{name} is {max}, one over the maximum"),
            )
        }
        TYPE_STRING => (
            Some(json!("conform")),
            format!("{name} is a string instead of a {}", shape.kind.name()),
        ),
        TYPE_NUMBER => (
            Some(json!(42)),
            format!("{name} is a number instead of a {}", shape.kind.name()),
        ),
        TYPE_BOOLEAN => (
            Some(json!(true)),
            format!("{name} is a boolean instead of a {}", shape.kind.name()),
        ),
        TYPE_OBJECT => (
            Some(json!({})),
            format!("{name} is an object instead of a {}", shape.kind.name()),
        ),
        TYPE_ARRAY => (
            Some(json!([])),
            format!("{name} is an array instead of a {}", shape.kind.name()),
        ),
        _ => return None,
    })
}

/// Sets (or removes, with `None`) the member at `path` of names, whose parents exist.
pub(crate) fn set_at(input: &mut Map<String, Value>, path: &[String], value: Option<Value>) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut map = input;
    for name in parents {
        match map.get_mut(name) {
            Some(Value::Object(child)) => map = child,
            _ => return,
        }
    }
    match value {
        Some(value) => {
            map.insert(last.clone(), value);
        }
        None => {
            map.remove(last);
        }
    }
}

/// Builds an invalid case: a valid input with one member mutated, kept only if the validator agrees.
pub(crate) fn build(plan: &OpPlan<'_>, slot: &Slot, rng: &mut TestRng, id: String) -> Option<Case> {
    let site = slot.site?;
    let kind = violated_kind(slot.class)?;
    let member = plan.member_at(site);
    let dotted = &plan.sites[site].dotted;
    let names: Vec<String> = dotted.split('.').map(str::to_string).collect();
    for _ in 0..ATTEMPTS {
        let mut input = plan.valid_input(rng, Some((site, Mode::Random)), &|_| None);
        let Some((value, detail)) = mutate(member, slot, rng) else {
            continue;
        };
        set_at(&mut input, &names, value);
        let violations = validate_members(&plan.op.input, &input);
        if let [only] = violations.as_slice()
            && only.kind == kind
            && only.dotted_path() == *dotted
        {
            return Some(Case {
                id,
                service: plan.service.name.clone(),
                operation: plan.op.name.clone(),
                kind: CaseKind::Invalid,
                mutation: Some(Mutation {
                    member: Some(dotted.clone()),
                    class: slot.class.to_string(),
                    detail,
                }),
                request: protocol::input_request(plan.service, plan.op, &input),
                signing: Signing::Valid,
                expected: Expected::from(plan.service.violation_expectation(member.member, kind)),
            });
        }
    }
    None
}
