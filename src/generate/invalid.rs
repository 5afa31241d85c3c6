//! Invalid cases: exactly one constraint broken per case, tagged with the site and the mutation class.
//!
//! Classes, for every site where they apply (members at any depth: nested structures, list items, map keys and
//! values): `missing-required`, `null-required` (required members), `length-min-1`, `length-max+1` (strings that
//! still match the pattern, lists, maps, blobs), `pattern-start`, `pattern-middle`, `pattern-end` (one character
//! the pattern allows nowhere, at that position, length unchanged), `pattern-non-ascii` (one variant per ASCII class
//! the pattern uses: a character a Unicode-aware engine takes for it and Java does not — `٣` for `\d`, `é` or `ж`
//! for `\w`, U+00A0, U+2003 or U+3000 for `\s`; a pattern without one gets `é` where its ASCII letters take `e`),
//! `pattern-repeat-fewer`, `pattern-repeat-more` (one copy fewer than the minimum, or more than the maximum, of a
//! counted repetition such as `\d{12}`; one variant per repetition whose probe the member's length bounds allow,
//! built from a fixed seed so that the slots are the same for every seed), `pattern-structure` (every occurrence of
//! one literal character of the pattern replaced by another allowed character; one variant per literal),
//! `enum-case`, `enum-unknown`, `enum-empty`, `range-min-1`, `range-max+1`, `union-empty`, `union-several`, and
//! `type-<json type>` (each JSON type but the member's own). A map key with a constraint is a site of its own
//! (`Tags{key}`): its entry is renamed to the invalid key.
//!
//! One class breaks two constraints at once: `several-violations`, one variant per pair of top-level body members
//! whose violations get the same expected error (so one answer must list both; up to three disjoint pairs); each
//! member is broken by the first of its length, range, pattern or enum classes, and the validator must find exactly
//! those two.
//!
//! Every mutated input is checked with the independent validator ([`crate::model::validate_input`]): a case is
//! kept only when the validator reports exactly one violation, at the mutated path and of the intended kind. A
//! mutation that cannot be isolated — an empty string where `min_length` is 1 and the pattern needs a character
//! breaks length *and* pattern — is retried with fresh values a few times and then skipped: no case is emitted
//! under its id. A mutation the protocol cannot carry (an object in a header) is skipped the same way.

use indexmap::IndexMap;
use proptest::prelude::Rng;
use proptest::test_runner::TestRng;
use serde_json::json;

use super::plan::{Mode, OpPlan, StringPlan};
use super::strings::Pick;
use super::{Slot, examples};
use crate::case::{Case, CaseClass, CaseKind, JsonType, Mutation, Signing};
use crate::model::pattern::{PatternGen, RepetitionBound, RepetitionProbe};
use crate::model::{
    Constraints, Location, Member, Numeric, Path, Segment, ShapeKind, Value, validate_input,
};
use crate::oracle::{self, Expected};
use crate::protocol::Protocol;

const ATTEMPTS: usize = 4;

/// The JSON type of a shape's values on a JSON wire; `None` for documents (any JSON is a document).
fn own_json_types(kind: &ShapeKind) -> Option<&'static [JsonType]> {
    Some(match kind {
        ShapeKind::String | ShapeKind::Enum(_) | ShapeKind::Blob => &[JsonType::String],
        k if k.is_numeric() => &[JsonType::Number],
        ShapeKind::Boolean => &[JsonType::Boolean],
        // Timestamps are numbers in JSON bodies, and a string may be read as a date: neither is a type error.
        ShapeKind::Timestamp => &[JsonType::Number, JsonType::String],
        ShapeKind::Structure(_) | ShapeKind::Union(_) | ShapeKind::Map { .. } => {
            &[JsonType::Object]
        }
        ShapeKind::List(_) => &[JsonType::Array],
        _ => return None,
    })
}

/// The mutation classes of one member, with their number of variants.
///
/// `http_bound`: the member is, or is inside, a member bound to a label, query parameter or header, or is a raw
/// (blob or text) payload, where values are bytes or text: JSON types and null do not exist there, and an empty
/// collection is the same request as none.
fn classes(
    plan: &OpPlan<'_>,
    m: &Member,
    in_collection: bool,
    http_bound: bool,
) -> Vec<(CaseClass, u32)> {
    let mut out = Vec::new();
    // An idempotency token left out is filled in by the encoder, as every SDK does: it cannot be sent missing.
    if m.required && !in_collection && !m.idempotency_token {
        out.push((CaseClass::MissingRequired, 1));
        // Text has no null: a null label, parameter, header or raw payload is sent as the member left out.
        if !http_bound {
            out.push((CaseClass::NullRequired, 1));
        }
    }
    let shape = plan.service.target(m);
    let c = &shape.constraints;
    match &shape.kind {
        ShapeKind::String
        | ShapeKind::Enum(_)
        | ShapeKind::List(_)
        | ShapeKind::Map { .. }
        | ShapeKind::Blob => {
            // An empty list or map in a query string or headers is sent as nothing at all, the same request as
            // leaving the member out: no violation the target could see.
            let empty_is_absent =
                http_bound && matches!(shape.kind, ShapeKind::List(_) | ShapeKind::Map { .. });
            if c.min_length
                .is_some_and(|min| min > u64::from(empty_is_absent))
            {
                out.push((CaseClass::LengthBelowMin, 1));
            }
            if c.max_length.is_some() {
                out.push((CaseClass::LengthAboveMax, 1));
            }
        }
        k if k.is_numeric() && !matches!(k, ShapeKind::IntEnum(_)) => {
            if c.min.is_some() {
                out.push((CaseClass::RangeBelowMin, 1));
            }
            if c.max.is_some() {
                out.push((CaseClass::RangeAboveMax, 1));
            }
        }
        _ => {}
    }
    if let ShapeKind::String = &shape.kind
        && let Some(s) = plan.string_plan(m.target)
        && let Some(generator) = &s.pattern
    {
        if outside_chars(s).next().is_some() {
            out.extend([
                (CaseClass::PatternStart, 1),
                (CaseClass::PatternMiddle, 1),
                (CaseClass::PatternEnd, 1),
            ]);
        }
        let lookalikes = non_ascii_variants(generator);
        if lookalikes > 0 {
            out.push((CaseClass::PatternNonAscii, lookalikes));
        }
        for (class, bound) in [
            (CaseClass::PatternRepeatFewer, RepetitionBound::BelowMin),
            (CaseClass::PatternRepeatMore, RepetitionBound::AboveMax),
        ] {
            let n = repetition_probes(s, c, bound).count() as u32;
            if n > 0 {
                out.push((class, n));
            }
        }
        if !generator.literals().is_empty() {
            out.push((
                CaseClass::PatternStructure,
                generator.literals().len() as u32,
            ));
        }
    }
    match &shape.kind {
        ShapeKind::Enum(_) => out.extend([
            (CaseClass::EnumCase, 1),
            (CaseClass::EnumUnknown, 1),
            (CaseClass::EnumEmpty, 1),
        ]),
        ShapeKind::IntEnum(_) => out.push((CaseClass::EnumUnknown, 1)),
        ShapeKind::Union(members) => {
            out.push((CaseClass::UnionEmpty, 1));
            if members.len() >= 2 {
                out.push((CaseClass::UnionSeveral, 1));
            }
        }
        _ => {}
    }
    // Only a member of the body document has a JSON type: a label, query parameter or header is text whatever the
    // shape (a number in a path is a valid string there), so a "wrong type" there would test nothing.
    if !http_bound && let Some(own) = own_json_types(&shape.kind) {
        out.extend(
            JsonType::ALL
                .into_iter()
                .filter(|t| !own.contains(t))
                .map(|t| (CaseClass::WrongType(t), 1)),
        );
    }
    out
}

/// The deterministic invalid slots of an operation: error examples, then every (site, class, variant).
pub(crate) fn slots(plan: &OpPlan<'_>) -> Vec<Slot> {
    let mut out = examples::slots(plan, CaseKind::Invalid);
    for (i, site) in plan.sites.iter().enumerate() {
        let key = site.steps.last() == Some(&super::plan::SiteStep::Key);
        let in_collection = key
            || matches!(
                site.steps.last(),
                Some(super::plan::SiteStep::Item | super::plan::SiteStep::Value)
            );
        let http_bound = match site.steps.first() {
            Some(super::plan::SiteStep::Member(top)) => {
                let top = &plan.members[*top];
                top.location.is_http_bound()
                    || (top.location == Location::Payload
                        && !matches!(
                            plan.service.target(top).kind,
                            ShapeKind::Structure(_) | ShapeKind::Union(_) | ShapeKind::Document
                        ))
            }
            _ => false,
        } || key; // A map key is text on any wire: it has no JSON type and cannot be null.
        // A structure payload left out is sent as `{}` (botocore's `_serialize_empty_body`), the same request as an
        // empty one: "missing" cannot be said on the wire.
        let payload_itself = site.steps.len() == 1 && site.member.location == Location::Payload;
        for (class, variants) in classes(plan, site.member, in_collection, http_bound) {
            if payload_itself
                && matches!(class, CaseClass::MissingRequired | CaseClass::NullRequired)
            {
                continue;
            }
            out.extend(Slot::new(CaseKind::Invalid, class, Some(i)).variants(variants));
        }
    }
    let pairs = several_pairs(plan).len() as u32;
    if pairs > 0 {
        out.extend(Slot::new(CaseKind::Invalid, CaseClass::Several, None).variants(pairs));
    }
    out
}

/// The classes a `several-violations` case may break a member with, in order of preference: each one the
/// validator isolates and every Coral service reports with the member's path.
const SEVERAL_CLASSES: [CaseClass; 6] = [
    CaseClass::LengthAboveMax,
    CaseClass::LengthBelowMin,
    CaseClass::RangeAboveMax,
    CaseClass::RangeBelowMin,
    CaseClass::PatternMiddle,
    CaseClass::EnumUnknown,
];

/// At most this many `several-violations` variants per operation.
const SEVERAL_PAIRS: usize = 3;

/// Pairs of top-level members, each with a class that breaks it, whose violations get the same expected error (so
/// a target must list both in one answer): disjoint, in model order, at most [`SEVERAL_PAIRS`].
fn several_pairs(plan: &OpPlan<'_>) -> Vec<[(usize, CaseClass); 2]> {
    let mut pairs = Vec::new();
    let wrong_type = crate::protocol::json_server::wrong_type();
    let mut candidates: Vec<(usize, CaseClass, oracle::Expected)> = Vec::new();
    for (i, site) in plan.sites.iter().enumerate() {
        let [super::plan::SiteStep::Member(top)] = site.steps.as_slice() else {
            continue;
        };
        let top = &plan.members[*top];
        // Labels, query parameters and headers route or frame the request: keep both violations in the body.
        // A collection left out of the valid input has no item to repeat or drop: scalars only. A fixture member's
        // value is the fixture's, not drawn, so the answer echoing its broken value could not be snapshotted
        // under a stable reference.
        if top.location != Location::Body
            || top.rules.fixture.is_some()
            || matches!(
                plan.service.target(site.member).kind,
                ShapeKind::List(_) | ShapeKind::Map { .. }
            )
        {
            continue;
        }
        let own = classes(plan, site.member, false, false);
        let Some(class) = SEVERAL_CLASSES
            .into_iter()
            .find(|c| own.iter().any(|(o, _)| o == c))
        else {
            continue;
        };
        let Some(kind) = class.violated_kind() else {
            continue;
        };
        let expected = oracle::violation(plan.service, plan.op, site.member, kind, &wrong_type);
        match candidates
            .iter()
            .position(|(_, _, e)| e.accept == expected.accept && e.uncertain == expected.uncertain)
        {
            Some(at) => {
                let (j, other, _) = candidates.remove(at);
                pairs.push([(j, other), (i, class)]);
                if pairs.len() == SEVERAL_PAIRS {
                    break;
                }
            }
            None => candidates.push((i, class, expected)),
        }
    }
    pairs
}

/// Builds a `several-violations` case: a valid input with two top-level members broken at once.
fn build_several(
    plan: &OpPlan<'_>,
    protocol: &dyn Protocol,
    slot: &Slot,
    rng: &mut TestRng,
    id: String,
) -> Option<Case> {
    let pair = several_pairs(plan).into_iter().nth(slot.variant as usize)?;
    let input_shape = plan.op.input?;
    'attempt: for _ in 0..ATTEMPTS {
        let (mut input, first) = plan.valid_input(rng, Some((pair[0].0, Mode::Random)), &|_| None);
        let mut paths = vec![first?];
        paths.push(Path::members([plan.sites[pair[1].0].member.name.as_str()]));
        let mut details = Vec::new();
        for ((site, class), path) in pair.iter().zip(paths.clone()) {
            let one = Slot {
                class: class.clone(),
                site: Some(*site),
                variant: 0,
                variants: 1,
                ..slot.clone()
            };
            match apply(plan, *site, &one, &mut input, path, rng) {
                Some((_, detail)) => details.push(detail),
                None => continue 'attempt,
            }
        }
        let violations = validate_input(plan.service, input_shape, &input);
        let each = pair.iter().zip(&paths).all(|((_, class), path)| {
            violations
                .iter()
                .any(|v| &v.path == path && Some(v.kind) == class.violated_kind())
        });
        if violations.len() != 2 || !each {
            continue;
        }
        let Ok(request) = protocol.encode(plan.service, plan.op, &input) else {
            return None;
        };
        let first = &pair[0];
        return Some(Case {
            id,
            service: plan.service.name.clone(),
            operation: plan.op.name.clone(),
            kind: CaseKind::Invalid,
            class: CaseClass::Several,
            input,
            mutation: Some(Mutation {
                path: None,
                class: CaseClass::Several,
                detail: details.join("; "),
            }),
            request,
            signing: Signing::Valid,
            expected: oracle::violation(
                plan.service,
                plan.op,
                plan.sites[first.0].member,
                first.1.violated_kind()?,
                &protocol.wrong_type(),
            ),
        });
    }
    None
}

/// How many `pattern-non-ascii` variants a pattern gets: one per ASCII class it uses that a Unicode-aware engine
/// would read more widely (`\\d`, `\\w`, `\\s`, ...), then one `é` in the middle of the value where the pattern's
/// ASCII letters take `e` (wherever the classes are: emulators that choke on any non-ASCII letter are found by it).
fn non_ascii_variants(generator: &PatternGen) -> u32 {
    let accent = generator.allows('e') && !generator.allows('é');
    generator.lookalikes().len() as u32 + u32::from(accent)
}

/// The pattern's repetition probes over `bound` whose length the member's length bounds allow: outside them the
/// case would break the length constraint too, and a target could rightly report only that.
fn repetition_probes<'p>(
    s: &'p StringPlan,
    c: &'p Constraints,
    bound: RepetitionBound,
) -> impl Iterator<Item = &'p RepetitionProbe> + 'p {
    s.repetition_probes().iter().filter(move |p| {
        let n = p.value.chars().count() as u64;
        p.bound == bound
            && c.min_length.is_none_or(|min| n >= min)
            && c.max_length.is_none_or(|max| n <= max)
    })
}

/// Printable ASCII characters the pattern allows nowhere.
fn outside_chars(s: &StringPlan) -> impl Iterator<Item = char> + '_ {
    (0x21u8..0x7F)
        .map(char::from)
        .filter(move |c| s.pattern.as_ref().is_some_and(|g| !g.allows(*c)))
}

/// A valid string of at least three characters when the member allows it, for in-place replacements.
fn base_string(s: &StringPlan, rng: &mut TestRng) -> Option<String> {
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
fn mutate(
    plan: &OpPlan<'_>,
    site: usize,
    slot: &Slot,
    current: &Value,
    rng: &mut TestRng,
) -> Option<(Option<Value>, String)> {
    let m = plan.sites[site].member;
    let name = &plan.sites[site].site;
    let shape = plan.service.target(m);
    let c = &shape.constraints;
    let string = plan.string_plan(m.target);
    Some(match &slot.class {
        CaseClass::MissingRequired => (None, format!("{name} is left out although it is required")),
        CaseClass::NullRequired => (
            Some(Value::Null),
            format!("{name} is null although it is required"),
        ),
        CaseClass::LengthBelowMin | CaseClass::LengthAboveMax => {
            let below = slot.class == CaseClass::LengthBelowMin;
            let bound = if below { c.min_length? } else { c.max_length? } as usize;
            let len = if below { bound - 1 } else { bound + 1 };
            // Collections far over their maximum are not worth a case of megabytes.
            if len > 1 << 20 {
                return None;
            }
            let value = match &shape.kind {
                ShapeKind::String => Value::String(string?.of_length(rng, len, Pick::Random)?),
                ShapeKind::Enum(_) => return None,
                ShapeKind::List(item_member) => {
                    let item = match current {
                        Value::List(items) if !items.is_empty() => items[0].clone(),
                        _ => plan.draw_site_value(site, rng, Mode::Min).pipe_item()?,
                    };
                    // Long lists of drawn items make bodies of tens of megabytes (frauddetector's 100,001 list
                    // elements: 35 MB, more than a target reads before it answers): past a thousand items, the
                    // plainest item.
                    let item = if len > 1000 {
                        plan.simplest_value(item_member, rng)
                    } else {
                        item
                    };
                    Value::List(vec![item; len])
                }
                ShapeKind::Map { .. } => {
                    let Value::Map(entries) = current else {
                        return None;
                    };
                    let (k0, v0) = entries.iter().next().map(|(k, v)| (k.clone(), v.clone()))?;
                    let mut out = IndexMap::new();
                    for i in 0..len {
                        out.insert(
                            if i == 0 {
                                k0.clone()
                            } else {
                                format!("{k0}{i}")
                            },
                            v0.clone(),
                        );
                    }
                    if out.len() != len {
                        return None;
                    }
                    Value::Map(out)
                }
                ShapeKind::Blob => Value::Blob(vec![b'x'; len]),
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
        CaseClass::PatternNonAscii
            if string
                .and_then(|s| s.pattern.as_ref())
                .is_some_and(|g| (slot.variant as usize) < g.lookalikes().len()) =>
        {
            let s = string?;
            let generator = s.pattern.as_ref()?;
            let lookalike = generator
                .lookalikes()
                .into_iter()
                .nth(slot.variant as usize)?;
            // Each draw takes the class's next look-alike: `é`, then `ж` for `\\w`; U+00A0, U+2003, U+3000 for `\\s`.
            let ch = lookalike.chars[(slot.draw as usize) % lookalike.chars.len()];
            let len = base_string(s, rng)?.chars().count();
            let probe = generator.lookalike_probe(rng, len, lookalike.class, ch)?;
            (
                Some(Value::String(probe.value)),
                format!(
                    "{name}: character {} of {len} (`{}`) replaced by `{}` (U+{:04X}), which a Unicode-aware `{}` accepts and AWS's ASCII one does not",
                    probe.position + 1,
                    probe.replaced.escape_default(),
                    probe.lookalike.escape_default(),
                    u32::from(probe.lookalike),
                    probe.class
                ),
            )
        }
        CaseClass::PatternRepeatFewer | CaseClass::PatternRepeatMore => {
            let bound = if slot.class == CaseClass::PatternRepeatFewer {
                RepetitionBound::BelowMin
            } else {
                RepetitionBound::AboveMax
            };
            let probe = repetition_probes(string?, c, bound).nth(slot.variant as usize)?;
            let (side, which) = match bound {
                RepetitionBound::BelowMin => ("fewer", "minimum"),
                RepetitionBound::AboveMax => ("more", "maximum"),
            };
            (
                Some(Value::String(probe.value.clone())),
                format!(
                    "{name}: {} copies of `{}`, one {side} than its {which}",
                    probe.copies, probe.quantifier
                ),
            )
        }
        CaseClass::PatternStart
        | CaseClass::PatternMiddle
        | CaseClass::PatternEnd
        | CaseClass::PatternNonAscii => {
            let s = string?;
            let base = base_string(s, rng)?;
            let n = base.chars().count();
            let (index, with) = match slot.class {
                CaseClass::PatternStart => (0, None),
                CaseClass::PatternEnd => (n - 1, None),
                CaseClass::PatternMiddle => (n / 2, None),
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
        CaseClass::PatternStructure => {
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
        CaseClass::EnumCase => {
            let values = shape.enum_values()?;
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
        CaseClass::EnumUnknown => match &shape.kind {
            ShapeKind::IntEnum(values) => {
                let unknown = values.iter().max().copied().unwrap_or(0).checked_add(1)?;
                (
                    Some(Value::Integer(unknown)),
                    format!("{name} is {unknown}, a value outside its enum"),
                )
            }
            _ => {
                let values = shape.enum_values()?;
                let unknown = match (&c.pattern, string) {
                    (Some(_), Some(s)) if !s.valid_lengths.is_empty() => {
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
        },
        CaseClass::EnumEmpty => (
            Some(Value::String(String::new())),
            format!("{name} is the empty string"),
        ),
        CaseClass::RangeBelowMin | CaseClass::RangeAboveMax => {
            let below = slot.class == CaseClass::RangeBelowMin;
            let bound = if below { c.min? } else { c.max? };
            let value = if shape.kind.is_integral() {
                let b = match bound {
                    Numeric::Int(i) => i,
                    Numeric::Float(f) if below => f.ceil() as i128,
                    Numeric::Float(f) => f.floor() as i128,
                };
                let v = if below { b - 1 } else { b + 1 };
                let (lo, hi) = shape.kind.integral_range()?;
                if v < lo || v > hi {
                    // Past the type's own range it would be a type error, not a range violation.
                    return None;
                }
                Value::Integer(i64::try_from(v).ok()?)
            } else {
                let b = bound.as_f64();
                Value::Float(if below { b - 1.0 } else { b + 1.0 })
            };
            (
                Some(value.clone()),
                format!(
                    "{name} is {value}, one {} the {}imum",
                    if below { "under" } else { "over" },
                    if below { "min" } else { "max" }
                ),
            )
        }
        CaseClass::UnionEmpty => (
            Some(Value::structure()),
            format!("{name} is a union with no member set"),
        ),
        CaseClass::UnionSeveral => {
            let members = shape.kind.members();
            let Value::Structure(set) = current else {
                return None;
            };
            let chosen = set.keys().next()?.clone();
            let other = members.iter().find(|m| m.name != chosen)?;
            let mut both = set.clone();
            both.insert(
                other.name.clone(),
                plan.draw_member_value(other, rng, Mode::Simplest),
            );
            (
                Some(Value::Structure(both)),
                format!(
                    "{name} is a union with two members set ({chosen}, {})",
                    other.name
                ),
            )
        }
        CaseClass::WrongType(t) => {
            let raw = match t {
                JsonType::String => json!("conform"),
                JsonType::Number => json!(42),
                JsonType::Boolean => json!(true),
                JsonType::Object => json!({}),
                JsonType::Array => json!([]),
            };
            (
                Some(Value::Raw(raw)),
                format!(
                    "{name} is {} {} instead of a {}",
                    if *t == JsonType::Array || *t == JsonType::Object {
                        "an"
                    } else {
                        "a"
                    },
                    t.as_str(),
                    shape.kind.name()
                ),
            )
        }
        _ => return None,
    })
}

/// Mutates the site at `path` in `input`; the path of the mutated value (a renamed map key has a new path) and the
/// sentence saying what was done, or `None` when this draw cannot carry the mutation.
fn apply(
    plan: &OpPlan<'_>,
    site: usize,
    slot: &Slot,
    input: &mut Value,
    path: Path,
    rng: &mut TestRng,
) -> Option<(Path, String)> {
    // A map key is mutated by renaming its entry: the entry's value stays, under the invalid key.
    if let Some(Segment::Key(old)) = path.0.last()
        && plan.sites[site].steps.last() == Some(&super::plan::SiteStep::Key)
    {
        let old = old.clone();
        let (Some(Value::String(new)), detail) =
            mutate(plan, site, slot, &Value::String(old.clone()), rng)?
        else {
            return None;
        };
        let parent = Path(path.0[..path.0.len() - 1].to_vec());
        let Some(Value::Map(entries)) = parent.get_mut(input) else {
            return None;
        };
        if entries.contains_key(&new) {
            return None;
        }
        let renamed: IndexMap<String, Value> = std::mem::take(entries)
            .into_iter()
            .map(|(k, v)| if k == old { (new.clone(), v) } else { (k, v) })
            .collect();
        *entries = renamed;
        let mut path = parent;
        path.0.push(Segment::Key(new));
        return Some((path, detail));
    }
    let current = path.get(input).cloned().unwrap_or(Value::Null);
    let (mut value, mut detail) = mutate(plan, site, slot, &current, rng)?;
    // A URI label with a `.` or `..` segment cannot be sent: URL parsing removes dot segments, so the target would
    // see another (shorter) value than the one judged (workspaces-web's greedy `trustStoreArn` one over its maximum
    // arrived within it, a false alarm). Draw again, as valid values are.
    if let crate::model::Location::Label { greedy } = plan.sites[site].member.location {
        let mut attempts = 0;
        while let Some(Value::String(text)) = &value
            && super::plan::has_dot_segment(text, greedy)
        {
            attempts += 1;
            if attempts > 16 {
                return None;
            }
            (value, detail) = mutate(plan, site, slot, &current, rng)?;
        }
    }
    match value {
        Some(v) => {
            if !path.set(input, v) {
                return None;
            }
        }
        None => {
            path.remove(input);
        }
    }
    Some((path, detail))
}

/// Turns a drawn list value into one of its items.
trait PipeItem {
    fn pipe_item(self) -> Option<Value>;
}

impl PipeItem for Value {
    fn pipe_item(self) -> Option<Value> {
        match self {
            Value::List(mut items) if !items.is_empty() => Some(items.swap_remove(0)),
            _ => None,
        }
    }
}

/// Builds an invalid case: a valid input with one site mutated, kept only if the validator agrees and the
/// protocol can carry it.
pub(crate) fn build(
    plan: &OpPlan<'_>,
    protocol: &dyn Protocol,
    slot: &Slot,
    rng: &mut TestRng,
    id: String,
) -> Option<Case> {
    if slot.class == CaseClass::Several {
        return build_several(plan, protocol, slot, rng, id);
    }
    let site = slot.site?;
    let kind = slot.class.violated_kind()?;
    let input_shape = plan.op.input?;
    let expected = expected(plan, protocol, slot)?;
    for _ in 0..ATTEMPTS {
        let (mut input, path) = plan.valid_input(rng, Some((site, Mode::Random)), &|_| None);
        let path = path?;
        let Some((path, detail)) = apply(plan, site, slot, &mut input, path, rng) else {
            continue;
        };
        let violations = validate_input(plan.service, input_shape, &input);
        let isolated =
            matches!(violations.as_slice(), [only] if only.kind == kind && only.path == path);
        if !isolated {
            continue;
        }
        let Ok(request) = protocol.encode(plan.service, plan.op, &input) else {
            // The protocol cannot carry this mutation at this site (an object in a header; text with whitespace at
            // its ends, which HTTP strips): other values may do, the last attempt gives up.
            continue;
        };
        return Some(Case {
            id,
            service: plan.service.name.clone(),
            operation: plan.op.name.clone(),
            kind: CaseKind::Invalid,
            class: slot.class.clone(),
            input,
            mutation: Some(Mutation {
                path: Some(path),
                class: slot.class.clone(),
                detail,
            }),
            request,
            signing: Signing::Valid,
            expected,
        });
    }
    None
}

/// What the invalid case of a slot breaking one member expects: it depends on the member and the constraint
/// broken, not on the values drawn, so it is known before the input is drawn. `None` for other slots (examples,
/// several violations).
pub(crate) fn expected(
    plan: &OpPlan<'_>,
    protocol: &dyn Protocol,
    slot: &Slot,
) -> Option<Expected> {
    if matches!(slot.class, CaseClass::Several | CaseClass::Example) {
        return None;
    }
    let member = plan.sites[slot.site?].member;
    let kind = slot.class.violated_kind()?;
    Some(oracle::violation(
        plan.service,
        plan.op,
        member,
        kind,
        &protocol.wrong_type(),
    ))
}

/// The path of a site as a report shows it for a case (exposed for tests of isolation).
pub fn site_path(case: &Case) -> Option<&Path> {
    case.mutation.as_ref()?.path.as_ref()
}
