//! An operation compiled for generation once: its sites (every member reachable from the input, at any depth,
//! recursion cut) and, per string shape, how to draw valid values (patterns parsed, feasible lengths known).

use std::collections::HashMap;
use std::sync::OnceLock;

use indexmap::IndexMap;
use proptest::prelude::Rng;
use proptest::test_runner::TestRng;

use super::GenError;
use super::semantic::{self, Semantic};
use super::strings::{Pick, free_text};
use crate::model::pattern::{PatternGen, RepetitionProbe};
use crate::model::{
    Fixture, Fixtures, Location, Member, Operation, Path, ProtocolId, Segment, Service, Shape,
    ShapeId, ShapeKind, Timestamp, Value,
};
use crate::oracle::{self, Expected};
use crate::protocol::{Malformation, Protocol};

/// How to draw one value.
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

/// Sites deeper than this are not mutated on their own (their parents are).
const MAX_SITE_DEPTH: usize = 6;
/// At most this many sites per operation: the largest inputs (EC2's) would otherwise spend the budget on depth.
const MAX_SITES: usize = 400;
/// Below this depth optional members are left out and collections kept short, so recursive shapes end.
const DRAW_DEPTH: usize = 4;
/// Strings without a maximum length are drawn at most this much longer than their minimum.
const FREE_TEXT_SPAN: usize = 64;

/// One step from a value into a child.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SiteStep {
    /// The member at this index of a structure or union.
    Member(usize),
    /// A list item.
    Item,
    /// A map key.
    Key,
    /// A map value.
    Value,
}

/// A member anywhere in the input: how to reach it, its site form (`Items[].Name`) and the member edge.
#[derive(Debug, Clone)]
pub(crate) struct Site<'a> {
    pub(crate) steps: Vec<SiteStep>,
    pub(crate) site: String,
    pub(crate) member: &'a Member,
}

/// How to draw valid strings of one shape.
#[derive(Debug, Clone)]
pub(crate) struct StringPlan {
    /// Generator for patterned strings; `None` for free text.
    pub(crate) pattern: Option<PatternGen>,
    /// Lengths a valid value can have, ascending; never empty for a shape that is not an enum.
    pub(crate) valid_lengths: Vec<usize>,
    /// The pattern's counted-repetition probes, built on first use from a fixed seed: the invalid slots they make
    /// must not depend on the run's seed.
    repeat_probes: std::sync::OnceLock<Vec<RepetitionProbe>>,
}

impl StringPlan {
    /// A string of `len` characters matching the pattern (any text without one); `None` when there is none.
    pub(crate) fn of_length(&self, rng: &mut TestRng, len: usize, pick: Pick) -> Option<String> {
        match &self.pattern {
            Some(generator) => generator.generate(rng, len, pick),
            None => Some(free_text(rng, len, pick)),
        }
    }

    /// A valid string, of `len` characters when the generator finds one (it draws; look-around can make a draw
    /// fail), else of the nearest length it finds one for: never a string outside the valid lengths, as an empty
    /// fallback would be where the minimum is 1. Empty only when no length gives one.
    pub(crate) fn valid_text(&self, rng: &mut TestRng, len: usize, pick: Pick) -> String {
        if let Some(text) = self.of_length(rng, len, pick) {
            return text;
        }
        for _ in 0..4 {
            if let Some(text) = self.of_length(rng, len, Pick::Random) {
                return text;
            }
        }
        let mut others: Vec<usize> = self
            .valid_lengths
            .iter()
            .copied()
            .filter(|l| *l != len)
            .collect();
        others.sort_by_key(|l| l.abs_diff(len));
        others
            .into_iter()
            .take(64)
            .find_map(|l| (0..2).find_map(|_| self.of_length(rng, l, Pick::Random)))
            .unwrap_or_default()
    }

    /// One copy fewer or more than each counted repetition of the pattern allows (none without a pattern).
    pub(crate) fn repetition_probes(&self) -> &[RepetitionProbe] {
        self.repeat_probes.get_or_init(|| match &self.pattern {
            Some(generator) => {
                let mut rng = super::ids::case_rng(0, generator.pattern().source());
                generator.repetition_probes(&mut rng)
            }
            None => Vec::new(),
        })
    }

    pub(crate) fn random_length(&self, rng: &mut TestRng) -> usize {
        let n = self.valid_lengths.len();
        // Half the draws stay short, as most real values are; the rest spread over the whole range.
        let upto = if rng.random_bool(0.5) { n.min(24) } else { n };
        self.valid_lengths[rng.random_range(0..upto)]
    }
}

/// A member whose valid values are addresses at a fixture's mail domain.
#[derive(Debug, Clone)]
pub(crate) struct EmailDomain<'a> {
    pub(crate) fixture: FixtureUse<'a>,
    local: PatternGen,
    local_lengths: Vec<usize>,
    unknown_local_lengths: Vec<usize>,
}

/// A fixture a member takes its value from.
#[derive(Debug, Clone)]
pub(crate) struct FixtureUse<'a> {
    pub(crate) value: String,
    pub(crate) def: Option<&'a Fixture>,
}

/// An operation compiled for generation.
#[derive(Debug, Clone)]
pub(crate) struct OpPlan<'a> {
    pub(crate) service: &'a Service,
    pub(crate) op: &'a Operation,
    /// The input structure's members (empty without input).
    pub(crate) members: &'a [Member],
    pub(crate) sites: Vec<Site<'a>>,
    /// Indices of the optional top-level members.
    pub(crate) optional: Vec<usize>,
    /// What a valid request expects.
    pub(crate) valid_expected: Expected,
    /// The fixture values in force.
    pub(crate) fixtures: Fixtures,
    strings: HashMap<ShapeId, StringPlan>,
    emails: HashMap<usize, EmailDomain<'a>>,
    fixture_uses: HashMap<usize, FixtureUse<'a>>,
    /// Member edges whose strings travel in a header (header members, their list items, prefix-header values).
    header_members: std::collections::HashSet<usize>,
    /// The structure drawn from: the input, or the output for [`OpPlan::for_output`].
    root: Option<ShapeId>,
    /// [`closing_heights`] of every shape reachable from `root`.
    heights: HashMap<ShapeId, u32>,
    /// [`OpPlan::malformations`], computed on first use.
    malformations: OnceLock<Vec<Malformation>>,
}

fn member_key(member: &Member) -> usize {
    std::ptr::from_ref(member) as usize
}

impl<'a> OpPlan<'a> {
    /// Compiles an operation; fails when some member can have no valid value.
    pub(crate) fn new(
        service: &'a Service,
        op: &'a Operation,
        fixtures: &Fixtures,
    ) -> Result<Self, GenError> {
        let members = service.input_members(op);
        Self::compile(
            service,
            op,
            fixtures,
            members,
            op.input,
            header_members(service, members),
        )
    }

    /// A plan over an operation's output shape instead of its input (the embedded target's synthetic answers).
    pub(crate) fn for_output(
        service: &'a Service,
        op: &'a Operation,
        fixtures: &Fixtures,
    ) -> Result<Self, GenError> {
        // Outputs travel back in headers too, but the embedded target writes them itself: no header-safe text needed.
        Self::compile(
            service,
            op,
            fixtures,
            service.output_members(op),
            op.output,
            Default::default(),
        )
    }

    /// A plan drawing from `root` (the input or the output structure), whose members are `members`; the strings
    /// of `header_members` travel in headers.
    fn compile(
        service: &'a Service,
        op: &'a Operation,
        fixtures: &Fixtures,
        members: &'a [Member],
        root: Option<ShapeId>,
        header_members: std::collections::HashSet<usize>,
    ) -> Result<Self, GenError> {
        let mut plan = OpPlan {
            service,
            op,
            members,
            sites: Vec::new(),
            optional: (0..members.len())
                .filter(|i| !members[*i].required)
                .collect(),
            valid_expected: oracle::valid(service, op),
            fixtures: fixtures.clone(),
            strings: HashMap::new(),
            emails: HashMap::new(),
            fixture_uses: HashMap::new(),
            header_members,
            root,
            heights: root
                .map(|r| closing_heights(service, r))
                .unwrap_or_default(),
            malformations: OnceLock::new(),
        };
        plan.refuse_required_cycle()?;
        if let Some(root) = root {
            let mut stack = vec![root];
            plan.compile_members(members, &mut Vec::new(), "", &mut stack)?;
        }
        Ok(plan)
    }

    /// The protocol's malformations of this operation, listed once per plan (every malformed case looks its class
    /// up, and listing them probes the service's routes). A service has one protocol, so the list cannot go stale.
    pub(crate) fn malformations(&self, protocol: &dyn Protocol) -> &[Malformation] {
        self.malformations
            .get_or_init(|| protocol.malformations(self.service, self.op))
    }

    /// The closing height of a shape reachable from the root (`u32::MAX`: no finite value).
    fn height(&self, shape: ShapeId) -> u32 {
        self.heights.get(&shape).copied().unwrap_or(0)
    }

    /// Fails when the root's required members form a cycle: drawing it would never end.
    fn refuse_required_cycle(&self) -> Result<(), GenError> {
        match self.root {
            Some(root) if self.height(root) == u32::MAX => Err(self.fail(
                "",
                "its required members form a cycle, so no finite value exists".to_string(),
            )),
            _ => Ok(()),
        }
    }

    /// The union member whose value needs the fewest levels (the first of equals).
    fn closest_member(&self, members: &[Member]) -> usize {
        (0..members.len())
            .min_by_key(|&i| self.height(members[i].target))
            .unwrap_or(0)
    }

    fn fail(&self, member: &str, reason: String) -> GenError {
        GenError::Plan {
            operation: self.op.name.clone(),
            member: member.to_string(),
            reason,
        }
    }

    fn compile_members(
        &mut self,
        members: &'a [Member],
        steps: &mut Vec<SiteStep>,
        prefix: &str,
        stack: &mut Vec<ShapeId>,
    ) -> Result<(), GenError> {
        for (i, m) in members.iter().enumerate() {
            let site = if prefix.is_empty() {
                m.name.clone()
            } else {
                format!("{prefix}.{}", m.name)
            };
            steps.push(SiteStep::Member(i));
            self.compile_edge(m, steps, site, stack)?;
            steps.pop();
        }
        Ok(())
    }

    /// Compiles what a member edge needs and records its site, then descends into its target.
    fn compile_edge(
        &mut self,
        m: &'a Member,
        steps: &mut Vec<SiteStep>,
        site: String,
        stack: &mut Vec<ShapeId>,
    ) -> Result<(), GenError> {
        if let Some(key) = &m.rules.fixture {
            let fixture = self
                .fixture_use(key)
                .ok_or_else(|| self.fail(&site, format!("fixture `{key}` has no value")))?;
            self.fixture_uses.insert(member_key(m), fixture);
        }
        if let Some(key) = &m.rules.email_domain_fixture {
            let fixture = self
                .fixture_use(key)
                .ok_or_else(|| self.fail(&site, format!("fixture `{key}` has no value")))?;
            let email = compile_email(self.service.target(m), fixture)
                .map_err(|reason| self.fail(&site, reason))?;
            self.emails.insert(member_key(m), email);
        }
        let shape = self.service.target(m);
        self.compile_shape(m.target, shape)
            .map_err(|reason| self.fail(&site, reason))?;
        if self.sites.len() < MAX_SITES && steps.len() <= MAX_SITE_DEPTH {
            self.sites.push(Site {
                steps: steps.clone(),
                site: site.clone(),
                member: m,
            });
        }
        if stack.contains(&m.target) {
            return Ok(());
        }
        if steps.len() > MAX_SITE_DEPTH {
            // No sites down there, but values are still drawn: every string needs its plan.
            self.compile_below(m.target);
            return Ok(());
        }
        stack.push(m.target);
        let result = match &shape.kind {
            ShapeKind::Structure(children) | ShapeKind::Union(children) => {
                self.compile_members(children, steps, &site, stack)
            }
            ShapeKind::List(item) => {
                steps.push(SiteStep::Item);
                let r = self.compile_edge(item, steps, format!("{site}[]"), stack);
                steps.pop();
                r
            }
            ShapeKind::Map { key, value } => {
                steps.push(SiteStep::Key);
                let r = self.compile_key(key, steps, &site);
                steps.pop();
                r?;
                steps.push(SiteStep::Value);
                let r = self.compile_edge(value, steps, format!("{site}{{}}"), stack);
                steps.pop();
                r
            }
            _ => Ok(()),
        };
        stack.pop();
        result
    }

    /// Compiles a map's key shape and, when it has a constraint to break, records the key as a site (`Tags{key}`).
    fn compile_key(
        &mut self,
        key: &'a Member,
        steps: &[SiteStep],
        site: &str,
    ) -> Result<(), GenError> {
        let shape = self.service.target(key);
        let site = format!("{site}{{key}}");
        self.compile_shape(key.target, shape)
            .map_err(|reason| self.fail(&site, reason))?;
        let c = &shape.constraints;
        let constrained = c.min_length.is_some()
            || c.max_length.is_some()
            || c.pattern.is_some()
            || matches!(shape.kind, ShapeKind::Enum(_));
        if constrained && self.sites.len() < MAX_SITES && steps.len() <= MAX_SITE_DEPTH {
            self.sites.push(Site {
                steps: steps.to_vec(),
                site,
                member: key,
            });
        }
        Ok(())
    }

    /// Compiles every shape reachable from `root` that has no plan yet, below the depth where sites end (a string
    /// without a plan would be drawn empty, breaking its `min`: bedrock-agent's
    /// `...patternObjectFilter.filters[0].objectType`, eight levels down). A shape that cannot be planned there is
    /// left without a plan, as before: it fails no operation that may never draw it.
    fn compile_below(&mut self, root: ShapeId) {
        let mut seen = std::collections::HashSet::new();
        let mut todo = vec![root];
        while let Some(id) = todo.pop() {
            if !seen.insert(id) {
                continue;
            }
            let shape = self.service.shape(id);
            let _ = self.compile_shape(id, shape);
            match &shape.kind {
                ShapeKind::Structure(children) | ShapeKind::Union(children) => {
                    todo.extend(children.iter().map(|c| c.target));
                }
                ShapeKind::List(item) => todo.push(item.target),
                ShapeKind::Map { key, value } => todo.extend([key.target, value.target]),
                _ => {}
            }
        }
    }

    fn compile_shape(&mut self, id: ShapeId, shape: &Shape) -> Result<(), String> {
        if self.strings.contains_key(&id) {
            return Ok(());
        }
        match &shape.kind {
            ShapeKind::String => {
                self.strings.insert(id, compile_string(shape)?);
            }
            ShapeKind::Enum(values) if values.is_empty() => {
                return Err("its enum has no values".into());
            }
            kind if kind.is_integral() => {
                let (lo, hi) = numeric_range(shape);
                if lo > hi {
                    return Err(format!("its range {lo}..{hi} is empty"));
                }
            }
            kind if kind.is_numeric() => {
                let c = &shape.constraints;
                if let (Some(min), Some(max)) = (c.min, c.max)
                    && min.as_f64() > max.as_f64()
                {
                    return Err(format!(
                        "its range {}..{} is empty",
                        min.as_f64(),
                        max.as_f64()
                    ));
                }
            }
            ShapeKind::List(_) | ShapeKind::Map { .. } | ShapeKind::Blob => {
                let c = &shape.constraints;
                if let (Some(min), Some(max)) = (c.min_length, c.max_length)
                    && min > max
                {
                    return Err(format!("its length range {min}..{max} is empty"));
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn fixture_use(&self, key: &str) -> Option<FixtureUse<'a>> {
        let def = self.service.rules.fixtures.get(key);
        let value = self
            .fixtures
            .get(key)
            .map(str::to_string)
            .or_else(|| def.map(|d| d.default.clone()))?;
        Some(FixtureUse { value, def })
    }

    /// The compiled plan of a string shape.
    pub(crate) fn string_plan(&self, id: ShapeId) -> Option<&StringPlan> {
        self.strings.get(&id)
    }

    /// The fixture a member takes its value from.
    pub(crate) fn fixture_of(&self, member: &Member) -> Option<&FixtureUse<'a>> {
        self.fixture_uses.get(&member_key(member))
    }

    /// The mail domain a member's addresses are at.
    pub(crate) fn email_of(&self, member: &Member) -> Option<&EmailDomain<'a>> {
        self.emails.get(&member_key(member))
    }

    /// The fixture whose unknown value a member can name, with its expectation.
    pub(crate) fn unknown_fixture(&self, member: &Member) -> Option<&'a Fixture> {
        let def = self
            .fixture_of(member)
            .and_then(|f| f.def)
            .or_else(|| self.email_of(member).and_then(|e| e.fixture.def))?;
        (def.unknown.is_some() && def.on_unknown.is_some()).then_some(def)
    }

    /// Whether a member's values are drawn from its pattern (edges make sense).
    pub(crate) fn has_pattern(&self, member: &Member) -> bool {
        self.fixture_of(member).is_none()
            && self.email_of(member).is_none()
            && self
                .string_plan(member.target)
                .is_some_and(|s| s.pattern.is_some())
    }

    /// Whether the member's valid values have distinct shortest and longest forms worth a case each.
    pub(crate) fn has_bounds(&self, member: &Member) -> (bool, bool) {
        if self.fixture_of(member).is_some() {
            return (false, false);
        }
        if let Some(email) = self.email_of(member) {
            return (true, email.local_lengths.len() > 1);
        }
        let shape = self.service.target(member);
        let c = &shape.constraints;
        match &shape.kind {
            ShapeKind::String => {
                let s = &self.strings[&member.target];
                let several = s.valid_lengths.len() > 1;
                (
                    several && (c.min_length.is_some() || s.pattern.is_some()),
                    several && c.max_length.is_some(),
                )
            }
            kind if kind.is_numeric() && !matches!(kind, ShapeKind::IntEnum(_)) => {
                (c.min.is_some(), c.max.is_some())
            }
            ShapeKind::List(_) | ShapeKind::Map { .. } | ShapeKind::Blob => {
                (c.min_length.is_some(), c.max_length.is_some())
            }
            _ => (false, false),
        }
    }

    /// A valid input. `force` draws the site with the mode (making it and its parents present) and returns its
    /// concrete path; `present` decides optional top-level members (`None`: a coin flip).
    pub(crate) fn valid_input(
        &self,
        rng: &mut TestRng,
        force: Option<(usize, Mode)>,
        present: &dyn Fn(usize) -> Option<bool>,
    ) -> (Value, Option<Path>) {
        let Some(input) = self.root else {
            return (Value::structure(), None);
        };
        let force = force.map(|(site, mode)| (self.sites[site].steps.as_slice(), mode));
        let mut path = Path::root();
        let mut found = None;
        let value = self.draw_structure(
            self.service.shape(input),
            rng,
            force,
            Some(present),
            0,
            Mode::Random,
            &mut path,
            &mut found,
        );
        (value, found)
    }

    #[allow(clippy::too_many_arguments)]
    fn draw_structure(
        &self,
        shape: &'a Shape,
        rng: &mut TestRng,
        force: Option<(&[SiteStep], Mode)>,
        present: Option<&dyn Fn(usize) -> Option<bool>>,
        depth: usize,
        mode: Mode,
        path: &mut Path,
        found: &mut Option<Path>,
    ) -> Value {
        let members = shape.kind.members();
        let union = matches!(shape.kind, ShapeKind::Union(_));
        let forced_index = match force {
            Some((steps, _)) => match steps.first() {
                Some(SiteStep::Member(i)) => Some(*i),
                _ => None,
            },
            None => None,
        };
        let mut map = IndexMap::new();
        if union {
            if members.is_empty() {
                return Value::Structure(map);
            }
            // Deep down (and when shrinking) the member that closes soonest, so that recursive unions end.
            let i = forced_index.unwrap_or_else(|| {
                if mode == Mode::Simplest || depth >= DRAW_DEPTH {
                    self.closest_member(members)
                } else {
                    rng.random_range(0..members.len())
                }
            });
            let m = &members[i];
            let child_force = force
                .filter(|_| forced_index == Some(i))
                .map(|(s, md)| (&s[1..], md));
            path.0.push(Segment::Member(m.name.clone()));
            let v = self.draw_member(m, rng, child_force, depth + 1, mode, path, found);
            path.0.pop();
            map.insert(m.name.clone(), v);
            return Value::Structure(map);
        }
        for (i, m) in members.iter().enumerate() {
            let forced_here = forced_index == Some(i);
            let here = forced_here
                || m.required
                || match present.and_then(|p| p(i)) {
                    Some(p) => p,
                    None if mode == Mode::Simplest || depth >= DRAW_DEPTH => false,
                    // A member no finite value can fill (a required cycle below it) is left out.
                    None if self.height(m.target) == u32::MAX => false,
                    None if depth == 0 => rng.random_bool(0.5),
                    None => rng.random_bool(0.3),
                };
            if !here {
                continue;
            }
            let child_force = force.filter(|_| forced_here).map(|(s, md)| (&s[1..], md));
            let child_mode = if mode == Mode::Simplest {
                Mode::Simplest
            } else {
                Mode::Random
            };
            path.0.push(Segment::Member(m.name.clone()));
            let v = self.draw_member(m, rng, child_force, depth + 1, child_mode, path, found);
            path.0.pop();
            map.insert(m.name.clone(), v);
        }
        Value::Structure(map)
    }

    /// A valid value of a member edge: fixtures and mail domains first, then its shape.
    #[allow(clippy::too_many_arguments)]
    fn draw_member(
        &self,
        m: &'a Member,
        rng: &mut TestRng,
        force: Option<(&[SiteStep], Mode)>,
        depth: usize,
        mode: Mode,
        path: &mut Path,
        found: &mut Option<Path>,
    ) -> Value {
        let (mode, force) = match force {
            Some(([], forced_mode)) => {
                *found = Some(path.clone());
                (forced_mode, None)
            }
            other => (mode, other),
        };
        if let Some(fixture) = self.fixture_of(m) {
            let value = match (mode, fixture.def.and_then(|d| d.unknown.as_ref())) {
                (Mode::Unknown, Some(unknown)) => unknown.clone(),
                _ => fixture.value.clone(),
            };
            return Value::String(value);
        }
        if let Some(email) = self.email_of(m) {
            return Value::String(email.draw(rng, mode));
        }
        let mut value = self.draw_shape(m, rng, force, depth, mode, path, found);
        // A URI label of `.` or `..` (or such a segment of a greedy label) cannot be sent: URL parsing removes dot
        // segments, so the request would name another resource or no operation at all. Draw again.
        if let Location::Label { greedy } = m.location {
            for _ in 0..16 {
                let Value::String(text) = &value else { break };
                if !has_dot_segment(text, greedy) {
                    break;
                }
                value = self.draw_shape(m, rng, None, depth, Mode::Random, path, &mut None);
            }
        }
        // HTTP strips the whitespace around a header value (and SigV4 trims it before signing), and HTTP clients
        // write header text as Latin-1 or refuse it: a header member's valid value is printable ASCII without
        // whitespace at its ends. Draw again (free text is drawn so at once, see `draw_string`).
        if self.header_members.contains(&member_key(m)) {
            for attempt in 0..16 {
                let Value::String(text) = &value else { break };
                if header_safe(text) {
                    break;
                }
                // Wide classes (`.`, `[^/]`) rarely give ASCII throughout: the plainest value is the last resort.
                let mode = if attempt < 15 {
                    Mode::Random
                } else {
                    Mode::Simplest
                };
                value = self.draw_shape(m, rng, None, depth, mode, path, &mut None);
            }
        }
        value
    }

    #[allow(clippy::too_many_arguments)]
    fn draw_shape(
        &self,
        m: &'a Member,
        rng: &mut TestRng,
        force: Option<(&[SiteStep], Mode)>,
        depth: usize,
        mode: Mode,
        path: &mut Path,
        found: &mut Option<Path>,
    ) -> Value {
        let shape = self.service.target(m);
        let c = &shape.constraints;
        match &shape.kind {
            ShapeKind::Structure(_) | ShapeKind::Union(_) => {
                self.draw_structure(shape, rng, force, None, depth, mode, path, found)
            }
            ShapeKind::List(item) => {
                let (mut min, mut max) = collection_bounds(shape, depth);
                if min == 0 && m.required && empty_list_is_absent(self.service, m, shape) {
                    // The wire cannot tell an empty list from none: a required one must have an item to be sent.
                    min = 1;
                    max = max.max(1);
                }
                let forced = force.is_some();
                let n = match mode {
                    Mode::Min | Mode::Simplest => min,
                    Mode::Max => max,
                    _ => rng.random_range(min..=max.min(min + if depth >= 2 { 1 } else { 3 })),
                };
                let n = match forced {
                    true => n.max(1).min(max.max(1)),
                    false if depth >= DRAW_DEPTH => min,
                    false => n,
                };
                let item_mode = if mode == Mode::Simplest {
                    Mode::Simplest
                } else {
                    Mode::Random
                };
                let mut items = Vec::with_capacity(n);
                for i in 0..n {
                    let child_force = force.filter(|_| i == 0).map(|(s, md)| (&s[1..], md));
                    path.0.push(Segment::Index(i));
                    items.push(self.draw_member(
                        item,
                        rng,
                        child_force,
                        depth + 1,
                        item_mode,
                        path,
                        found,
                    ));
                    path.0.pop();
                }
                Value::List(items)
            }
            ShapeKind::Map { key, value } => {
                let (min, max) = collection_bounds(shape, depth);
                let forced = force.is_some();
                let n = match mode {
                    Mode::Min | Mode::Simplest => min,
                    Mode::Max => max.min(min + 8),
                    _ => rng.random_range(min..=max.min(min + 2)),
                };
                let n = match forced {
                    true => n.max(1).min(max.max(1)),
                    false if depth >= DRAW_DEPTH => min,
                    false => n,
                };
                let mut entries = IndexMap::new();
                let mut attempts = 0;
                while entries.len() < n && attempts < n * 4 + 4 {
                    attempts += 1;
                    let first = entries.is_empty();
                    let key_forced =
                        first && force.is_some_and(|(s, _)| s.first() == Some(&SiteStep::Key));
                    let key_mode = match (key_forced, force) {
                        (true, Some((_, md))) => md,
                        _ if mode == Mode::Simplest => Mode::Simplest,
                        _ => Mode::Random,
                    };
                    let k = match self.draw_member(
                        key,
                        rng,
                        None,
                        depth + 1,
                        key_mode,
                        path,
                        &mut None,
                    ) {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    if entries.contains_key(&k) {
                        continue;
                    }
                    path.0.push(Segment::Key(k.clone()));
                    if key_forced {
                        *found = Some(path.clone());
                    }
                    let value_force = force
                        .filter(|(s, _)| first && s.first() == Some(&SiteStep::Value))
                        .map(|(s, md)| (&s[1..], md));
                    let v = self.draw_member(
                        value,
                        rng,
                        value_force,
                        depth + 1,
                        Mode::Random,
                        path,
                        found,
                    );
                    path.0.pop();
                    entries.insert(k, v);
                }
                Value::Map(entries)
            }
            ShapeKind::Enum(values) => {
                let i = match mode {
                    Mode::Enum(i) => i.min(values.len() - 1),
                    Mode::Simplest | Mode::Min => 0,
                    _ => rng.random_range(0..values.len()),
                };
                Value::String(values[i].clone())
            }
            ShapeKind::IntEnum(values) => {
                let i = match mode {
                    Mode::Enum(i) => i.min(values.len() - 1),
                    Mode::Simplest | Mode::Min => 0,
                    _ => rng.random_range(0..values.len()),
                };
                Value::Integer(values[i])
            }
            ShapeKind::String => self.draw_string(m, shape, rng, mode),
            ShapeKind::Boolean => Value::Boolean(match mode {
                Mode::Simplest => false,
                _ => rng.random_bool(0.5),
            }),
            kind if kind.is_integral() => {
                let (lo, hi) = numeric_range(shape);
                let (lo, hi) = (lo as i64, hi as i64);
                Value::Integer(match mode {
                    Mode::Min => lo,
                    Mode::Max => hi,
                    Mode::Simplest => 0.clamp(lo, hi),
                    _ => rng.random_range(lo..=hi),
                })
            }
            ShapeKind::Float | ShapeKind::Double | ShapeKind::BigDecimal => {
                let (min, max) = (c.min.map(|b| b.as_f64()), c.max.map(|b| b.as_f64()));
                // An open side reaches a million past the other bound (or past zero), as for integers.
                let lo = min.unwrap_or_else(|| max.map_or(0.0, |m| m.min(0.0)) - 1_000_000.0);
                let hi = max.unwrap_or_else(|| min.map_or(0.0, |m| m.max(0.0)) + 1_000_000.0);
                let (first, last) = ((lo * 4.0).ceil() as i64, (hi * 4.0).floor() as i64);
                Value::Float(match mode {
                    Mode::Min => lo,
                    Mode::Max => hi,
                    Mode::Simplest => 0.0f64.clamp(lo, hi),
                    // Quarters are exact in binary and in decimal, so no encoder rounds them differently.
                    _ if first <= last => rng.random_range(first..=last) as f64 / 4.0,
                    // A range narrower than a quarter (Bedrock's learning rate: 1e-7 to 0.001): a thousandth step
                    // of it; shortest round-trip printing, which Rust and Python share, keeps encoders equal.
                    _ => {
                        (lo + (hi - lo) * rng.random_range(0..=1000) as f64 / 1000.0).clamp(lo, hi)
                    }
                })
            }
            ShapeKind::Timestamp => Value::Timestamp(match mode {
                Mode::Simplest => Timestamp::from_secs(0),
                _ => {
                    let secs = rng.random_range(0..4_102_444_800i64);
                    let millis = if rng.random_bool(0.5) {
                        rng.random_range(0..1000)
                    } else {
                        0
                    };
                    Timestamp {
                        epoch_millis: secs * 1000 + millis,
                    }
                }
            }),
            ShapeKind::Blob => {
                let min = c.min_length.unwrap_or(0) as usize;
                let max = c.max_length.map(|m| m as usize).unwrap_or(min + 32);
                let n = match mode {
                    Mode::Min | Mode::Simplest => min,
                    Mode::Max => max.min(min + 4096),
                    _ => rng.random_range(min..=max.min(min + 32)),
                };
                Value::Blob((0..n).map(|_| rng.random()).collect())
            }
            ShapeKind::Document => Value::Document(match mode {
                Mode::Simplest => serde_json::json!({}),
                _ => serde_json::json!({ "conform": rng.random_range(0..100), "ok": true }),
            }),
            _ => Value::Null,
        }
    }

    fn draw_string(&self, m: &Member, shape: &Shape, rng: &mut TestRng, mode: Mode) -> Value {
        let Some(s) = self.string_plan(m.target) else {
            return Value::String(String::new());
        };
        let lengths = &s.valid_lengths;
        let (len, pick) = match mode {
            Mode::Min => (lengths[0], Pick::Random),
            Mode::Simplest => (lengths[0], Pick::Simplest),
            Mode::Max => (*lengths.last().expect("non-empty"), Pick::Random),
            Mode::Edge(pick) => {
                // Room for the optional parts: at least a few characters when the pattern allows.
                let roomy: Vec<usize> = lengths.iter().copied().filter(|l| *l >= 8).collect();
                let from = if roomy.is_empty() { lengths } else { &roomy };
                (from[rng.random_range(0..from.len().min(24))], pick)
            }
            _ => (s.random_length(rng), Pick::Random),
        };
        if s.pattern.is_none()
            && let Some(semantic) = semantic::classify(&m.name, &shape.name)
        {
            let min = lengths[0];
            let max = *lengths.last().expect("non-empty");
            // The semantic form's own natural length when the mode does not ask for a bound.
            let target = match mode {
                Mode::Min | Mode::Simplest => min,
                Mode::Max => max,
                _ => len.clamp(min, max.min(min.max(24) + 16)),
            };
            let semantic_value =
                semantic::draw(semantic, rng, min, max, target, mode == Mode::Simplest);
            // A boundary case must reach the bound: only use the semantic form when it does.
            if let Some(v) = semantic_value
                && match mode {
                    Mode::Min => v.chars().count() == min,
                    Mode::Max => v.chars().count() == max,
                    _ => true,
                }
            {
                return Value::String(v);
            }
            if semantic == Semantic::Email && matches!(mode, Mode::Random | Mode::Simplest) {
                // Better a plain address of another length than text that is no address at all.
                if let Some(v) = semantic::draw(semantic, rng, min, max, min, true) {
                    return Value::String(v);
                }
            }
        }
        if s.pattern.is_none() && self.header_members.contains(&member_key(m)) {
            return Value::String(header_text(rng, len, pick));
        }
        Value::String(s.valid_text(rng, len, pick))
    }

    /// The plainest valid value of a member edge (shortest strings, fewest items, optional members left out).
    pub(crate) fn simplest_value(&self, m: &'a Member, rng: &mut TestRng) -> Value {
        self.draw_member(
            m,
            rng,
            None,
            DRAW_DEPTH,
            Mode::Simplest,
            &mut Path::root(),
            &mut None,
        )
    }

    /// A valid value for the member at a site, drawn on its own (shrinking replaces members by these).
    pub(crate) fn draw_site_value(&self, site: usize, rng: &mut TestRng, mode: Mode) -> Value {
        let member = self.sites[site].member;
        let mut path = Path::root();
        self.draw_member(
            member,
            rng,
            None,
            self.sites[site].steps.len(),
            mode,
            &mut path,
            &mut None,
        )
    }

    /// A valid value for a member edge (top-level members of the input, for shrinking).
    pub(crate) fn draw_member_value(
        &self,
        member: &'a Member,
        rng: &mut TestRng,
        mode: Mode,
    ) -> Value {
        let mut path = Path::root();
        self.draw_member(member, rng, None, 1, mode, &mut path, &mut None)
    }
}

/// The lengths allowed for a list or map at a depth: bounded, and short when deep.
/// For each shape reachable from `root`, the fewest levels a valid value of it needs: 0 for scalars and for lists
/// and maps that may be empty, one more than the deepest required member for a structure, one more than the
/// closest member for a union; `u32::MAX` where required members form a cycle (no finite value exists). Drawing
/// deep in a recursive shape follows the smallest heights, so it always ends.
fn closing_heights(service: &Service, root: ShapeId) -> HashMap<ShapeId, u32> {
    let mut reachable = vec![root];
    let mut heights: HashMap<ShapeId, u32> = HashMap::from([(root, u32::MAX)]);
    let mut next = 0;
    while next < reachable.len() {
        let shape = service.shape(reachable[next]);
        next += 1;
        for target in shape
            .kind
            .members()
            .iter()
            .map(|m| m.target)
            .chain(match &shape.kind {
                ShapeKind::List(item) => vec![item.target],
                ShapeKind::Map { key, value } => vec![key.target, value.target],
                _ => Vec::new(),
            })
        {
            if heights.insert(target, u32::MAX).is_none() {
                reachable.push(target);
            }
        }
    }
    // Heights only fall, from "none" towards their least value; each round settles at least one more shape.
    let mut changed = true;
    while changed {
        changed = false;
        for &id in &reachable {
            let shape = service.shape(id);
            let of = |target: ShapeId| heights[&target];
            let may_be_empty = shape.constraints.min_length.unwrap_or(0) == 0;
            let height = match &shape.kind {
                ShapeKind::Structure(members) => members
                    .iter()
                    .filter(|m| m.required)
                    .map(|m| of(m.target))
                    .max()
                    .unwrap_or(0)
                    .saturating_add(1),
                ShapeKind::Union(members) => members
                    .iter()
                    .map(|m| of(m.target))
                    .min()
                    .unwrap_or(0)
                    .saturating_add(1),
                ShapeKind::List(_) | ShapeKind::Map { .. } if may_be_empty => 0,
                ShapeKind::List(item) => of(item.target).saturating_add(1),
                ShapeKind::Map { value, .. } => of(value.target).saturating_add(1),
                _ => 0,
            };
            if height < heights[&id] {
                heights.insert(id, height);
                changed = true;
            }
        }
    }
    heights
}

/// The member edges whose strings travel in a header: header members (JSON values aside: they are sent
/// base64-encoded), the items of header lists, the values of prefix-header maps.
fn header_members(service: &Service, members: &[Member]) -> std::collections::HashSet<usize> {
    let mut out = std::collections::HashSet::new();
    for m in members {
        if !matches!(m.location, Location::Header(_) | Location::PrefixHeaders(_)) || m.json_value {
            continue;
        }
        out.insert(member_key(m));
        match &service.target(m).kind {
            ShapeKind::List(item) => {
                out.insert(member_key(item));
            }
            ShapeKind::Map { value, .. } => {
                out.insert(member_key(value));
            }
            _ => {}
        }
    }
    out
}

/// Whether a header carries this text as it is: printable ASCII (spaces inside), no whitespace at its ends.
pub(crate) fn header_safe(text: &str) -> bool {
    text.bytes().all(|b| (0x20..0x7f).contains(&b))
        && !text.starts_with(' ')
        && !text.ends_with(' ')
}

/// Free text of exactly `len` characters that a header carries as it is (see [`header_safe`]).
fn header_text(rng: &mut TestRng, len: usize, pick: Pick) -> String {
    (0..len)
        .map(|i| {
            let inner = i > 0 && i + 1 < len;
            match pick {
                Pick::Simplest => 'a',
                Pick::EdgeLow if inner => ' ',
                Pick::EdgeLow => '!',
                Pick::EdgeHigh => '~',
                Pick::Random if inner => char::from(rng.random_range(0x20u8..0x7F)),
                Pick::Random => char::from(rng.random_range(0x21u8..0x7F)),
            }
        })
        .collect()
}

/// Whether a URI label value has a segment URL parsing would remove (`.`, `..`; any segment of a greedy label).
pub(crate) fn has_dot_segment(text: &str, greedy: bool) -> bool {
    let dot = |segment: &str| segment == "." || segment == "..";
    if greedy {
        text.split('/').any(dot)
    } else {
        dot(text)
    }
}

/// Whether the protocol sends an empty list of this member as nothing at all, so that it reads back as absent: a
/// flattened list in an XML body (restXml: no wrapper element, and no item elements), any list on ec2Query (botocore
/// leaves an empty one out of the form). awsQuery sends `Name=` for an empty list, the JSON protocols and CBOR `[]`.
fn empty_list_is_absent(service: &Service, member: &Member, shape: &Shape) -> bool {
    match service.protocol {
        ProtocolId::RestXml => {
            member.location == Location::Body && (member.flattened || shape.flattened)
        }
        ProtocolId::Ec2Query => member.location == Location::Body,
        _ => false,
    }
}

fn collection_bounds(shape: &Shape, depth: usize) -> (usize, usize) {
    let c = &shape.constraints;
    let min = c.min_length.unwrap_or(0) as usize;
    let span = if depth >= DRAW_DEPTH { 0 } else { 4 };
    let max = c
        .max_length
        .map(|m| m as usize)
        .unwrap_or(min + span)
        .max(min);
    (min, max.min(min + 64))
}

/// The range of valid values of a numeric shape: its constraints within its type, or ±1e6 when unbounded.
pub(crate) fn numeric_range(shape: &Shape) -> (i128, i128) {
    let c = &shape.constraints;
    let (type_lo, type_hi) = shape
        .kind
        .integral_range()
        .unwrap_or((-1_000_000_000_000, 1_000_000_000_000));
    let min = c.min.map(|b| b.as_i128_ceil());
    let max = c.max.map(|b| b.as_i128_floor());
    // An open side reaches a million past the other bound (or past zero): Athena's cutoff has a minimum of ten
    // million and no maximum.
    let lo = min
        .unwrap_or_else(|| max.map_or(0, |m| m.min(0)) - 1_000_000)
        .max(type_lo);
    let hi = max
        .unwrap_or_else(|| min.map_or(0, |m| m.max(0)) + 1_000_000)
        .min(type_hi);
    (lo, hi)
}

/// Compiles a string shape: its pattern's generator and the lengths both the pattern and the bounds allow.
fn compile_string(shape: &Shape) -> Result<StringPlan, String> {
    let c = &shape.constraints;
    let min = c.min_length.unwrap_or(0) as usize;
    let (pattern, valid_lengths) = match &c.pattern {
        Some(p) => {
            // Without a maximum, values stay near the shortest the pattern allows: first within the free-text
            // span, then (for patterns whose shortest match is longer, such as Bedrock's 75-character ARNs)
            // within wider caps.
            let caps: &[usize] = match c.max_length {
                Some(max) => &[(max as usize).min(min + 4096) + 1],
                None => &[min.max(1) + FREE_TEXT_SPAN, min + 1024, MAX_PATTERN_CAP],
            };
            let mut compiled = None;
            for &cap in caps {
                let cap = cap.min(MAX_PATTERN_CAP);
                let generator = PatternGen::new(p, cap);
                let top = c
                    .max_length
                    .map(|m| m as usize)
                    .unwrap_or(cap - 1)
                    .min(cap - 1);
                let lengths: Vec<usize> = generator
                    .lengths()
                    .iter()
                    .filter(|l| *l >= min && *l <= top)
                    .collect();
                let found = !lengths.is_empty();
                compiled = Some((Some(generator), lengths));
                if found {
                    break;
                }
            }
            compiled.expect("at least one cap")
        }
        None => {
            let top = c
                .max_length
                .map(|m| m as usize)
                .unwrap_or(min + FREE_TEXT_SPAN)
                .min(min + 4096);
            (None, (min..=top).collect())
        }
    };
    if valid_lengths.is_empty() {
        return Err("no string satisfies both its length bounds and its pattern".into());
    }
    Ok(StringPlan {
        pattern,
        valid_lengths,
        repeat_probes: std::sync::OnceLock::new(),
    })
}

impl EmailDomain<'_> {
    pub(crate) fn draw(&self, rng: &mut TestRng, mode: Mode) -> String {
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

/// The part of a pattern body before its first top-level `@` (outside classes, groups and escapes).
/// The longest length a pattern's generator plans for (the generator's own limit).
const MAX_PATTERN_CAP: usize = 16384;

/// A pattern without its leading `^` and trailing `$` (the anchors around a whole-value pattern).
fn without_anchors(source: &str) -> &str {
    let body = source.strip_prefix('^').unwrap_or(source);
    match body.strip_suffix('$') {
        Some(inner) if !inner.ends_with('\\') => inner,
        _ => body,
    }
}

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

fn compile_email<'a>(shape: &Shape, fixture: FixtureUse<'a>) -> Result<EmailDomain<'a>, String> {
    let c = &shape.constraints;
    let local_body = c
        .pattern
        .as_ref()
        .and_then(|p| local_part_of(without_anchors(p.source())))
        .unwrap_or("[a-z0-9]{1,64}");
    let local = crate::model::Pattern::new(local_body).map_err(|e| format!("local part: {e}"))?;
    let local = PatternGen::new(&local, 256);
    let feasible = |domain: &str| -> Vec<usize> {
        let fixed = domain.chars().count() + 1;
        let min = (c.min_length.unwrap_or(0) as usize).saturating_sub(fixed);
        let max = c
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
                c.pattern
                    .as_ref()
                    .is_none_or(|p| p.is_match(&format!("{s}@{domain}")))
            })
            .collect()
    };
    let local_lengths = feasible(&fixture.value);
    if local_lengths.is_empty() {
        return Err(format!(
            "no address at the mail domain `{}` satisfies the member's pattern and length",
            fixture.value
        ));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_part_of_an_email_pattern() {
        assert_eq!(local_part_of("[a-z.]{1,64}@[a-z]+"), Some("[a-z.]{1,64}"));
        assert_eq!(local_part_of(r"[\@x]+"), None);
        assert_eq!(local_part_of("a|b@c"), None);
    }

    /// ACM's `CertificateFilterStatement`: a union whose members recurse through itself and through a list of
    /// itself. Drawing it once overflowed the stack; every draw must now end, at any seed, in every mode.
    #[test]
    fn recursive_unions_and_lists_end_and_required_cycles_are_refused() {
        let json = r#"{
          "version": "2.0",
          "metadata": {"apiVersion": "2020-01-01", "endpointPrefix": "rec", "protocol": "json",
                       "jsonVersion": "1.1", "serviceId": "Rec", "targetPrefix": "Rec", "signatureVersion": "v4",
                       "uid": "rec-2020-01-01"},
          "operations": {
            "Search": {"name": "Search", "http": {"method": "POST", "requestUri": "/"},
                       "input": {"shape": "SearchInput"}},
            "Loop": {"name": "Loop", "http": {"method": "POST", "requestUri": "/"},
                     "input": {"shape": "Knot"}}
          },
          "shapes": {
            "SearchInput": {"type": "structure", "required": ["Statement"],
                            "members": {"Statement": {"shape": "Statement"}}},
            "Statement": {"type": "structure", "union": true, "members": {
              "And": {"shape": "Statements"}, "Not": {"shape": "Statement"}, "Filter": {"shape": "Text"}}},
            "Statements": {"type": "list", "member": {"shape": "Statement"}, "min": 2, "max": 10},
            "Knot": {"type": "structure", "required": ["Next"], "members": {"Next": {"shape": "Knot"}}},
            "Text": {"type": "string", "min": 1}
          }
        }"#;
        let service = crate::frontend::botocore::parse_service(
            "rec",
            json.as_bytes(),
            std::path::Path::new("rec.json"),
        )
        .unwrap();
        let plan = OpPlan::new(
            &service,
            &service.operations["Search"],
            &Fixtures::default(),
        )
        .expect("a recursive union with a scalar member has finite values");
        for seed in 0..200 {
            let mut rng = TestRng::from_seed(
                proptest::test_runner::RngAlgorithm::ChaCha,
                &[seed as u8; 32],
            );
            for mode in [Mode::Random, Mode::Max, Mode::Simplest] {
                let root = service.operations["Search"].input.unwrap();
                let value = plan.draw_structure(
                    service.shape(root),
                    &mut rng,
                    None,
                    None,
                    0,
                    mode,
                    &mut Path::root(),
                    &mut None,
                );
                let violations = crate::model::validate_input(&service, root, &value);
                assert!(violations.is_empty(), "{mode:?} {value}: {violations:?}");
            }
        }
        let err = OpPlan::new(&service, &service.operations["Loop"], &Fixtures::default())
            .expect_err("a required cycle has no finite value");
        assert!(err.to_string().contains("cycle"), "{err}");
    }

    /// Athena's `BytesScannedCutoffPerQuery` (a long of at least ten million, no maximum) and Bedrock's learning
    /// rate (a float between 1e-7 and 0.001, narrower than the quarter steps drawn elsewhere) once made planning
    /// fail and drawing panic.
    #[test]
    fn one_sided_and_narrow_numeric_ranges_plan_and_draw_valid_values() {
        let json = r#"{
          "version": "2.0",
          "metadata": {"apiVersion": "2020-01-01", "endpointPrefix": "num", "protocol": "json",
                       "jsonVersion": "1.1", "serviceId": "Num", "targetPrefix": "Num", "signatureVersion": "v4",
                       "uid": "num-2020-01-01"},
          "operations": {
            "Set": {"name": "Set", "http": {"method": "POST", "requestUri": "/"}, "input": {"shape": "SetInput"}}
          },
          "shapes": {
            "SetInput": {"type": "structure", "required": ["Cutoff", "Rate", "Ceiling"], "members": {
              "Cutoff": {"shape": "Cutoff"}, "Rate": {"shape": "Rate"}, "Ceiling": {"shape": "Ceiling"}}},
            "Cutoff": {"type": "long", "min": 10000000},
            "Ceiling": {"type": "double", "max": -5000000},
            "Rate": {"type": "float", "min": 1e-07, "max": 0.001}
          }
        }"#;
        let service = crate::frontend::botocore::parse_service(
            "num",
            json.as_bytes(),
            std::path::Path::new("num.json"),
        )
        .unwrap();
        let op = &service.operations["Set"];
        let plan = OpPlan::new(&service, op, &Fixtures::default()).expect("every range has values");
        for seed in 0..100u8 {
            let mut rng =
                TestRng::from_seed(proptest::test_runner::RngAlgorithm::ChaCha, &[seed; 32]);
            for mode in [Mode::Random, Mode::Min, Mode::Max, Mode::Simplest] {
                let value = plan.draw_structure(
                    service.shape(op.input.unwrap()),
                    &mut rng,
                    None,
                    None,
                    0,
                    mode,
                    &mut Path::root(),
                    &mut None,
                );
                let violations = crate::model::validate_input(&service, op.input.unwrap(), &value);
                assert!(violations.is_empty(), "{mode:?} {value}: {violations:?}");
            }
        }
    }

    /// Header members get text a header carries as it is (the chime-sdk-messaging `x-amz-chime-bearer` case:
    /// leading tabs or Unicode spaces were stripped on the way, so the signed value differed), whatever the mode.
    #[test]
    fn header_members_get_header_safe_text() {
        let json = r#"{
          "version": "2.0",
          "metadata": {"apiVersion": "2020-01-01", "endpointPrefix": "hd", "protocol": "rest-json",
                       "serviceId": "Hd", "signatureVersion": "v4", "uid": "hd-2020-01-01"},
          "operations": {
            "Put": {"name": "Put", "http": {"method": "POST", "requestUri": "/p"}, "input": {"shape": "PutIn"}}
          },
          "shapes": {
            "PutIn": {"type": "structure", "required": ["Bearer", "Free", "Body"], "members": {
              "Bearer": {"shape": "Arn", "location": "header", "locationName": "x-amz-chime-bearer"},
              "Free": {"shape": "Text", "location": "header", "locationName": "x-free"},
              "Many": {"shape": "Texts", "location": "header", "locationName": "x-many"},
              "Body": {"shape": "Text"}}},
            "Arn": {"type": "string", "min": 5, "max": 40, "pattern": "[\\s\\S]*a[\\s\\S]*"},
            "Text": {"type": "string", "min": 1, "max": 30},
            "Texts": {"type": "list", "member": {"shape": "Text"}, "min": 1, "max": 3}
          }
        }"#;
        let service = crate::frontend::botocore::parse_service(
            "hd",
            json.as_bytes(),
            std::path::Path::new("hd.json"),
        )
        .unwrap();
        let op = &service.operations["Put"];
        let plan = OpPlan::new(&service, op, &Fixtures::default()).unwrap();
        let mut body_unsafe = 0;
        for seed in 0..64u8 {
            let mut rng =
                TestRng::from_seed(proptest::test_runner::RngAlgorithm::ChaCha, &[seed; 32]);
            for mode in [
                Mode::Random,
                Mode::Min,
                Mode::Max,
                Mode::Edge(Pick::EdgeLow),
                Mode::Edge(Pick::EdgeHigh),
            ] {
                let (value, _) = plan.valid_input(&mut rng, None, &|_| Some(true));
                let Value::Structure(members) = &value else {
                    panic!("{value}")
                };
                for name in ["Bearer", "Free"] {
                    let text = members[name].as_str().unwrap();
                    assert!(header_safe(text), "{mode:?} {name}: {text:?}");
                }
                if let Some(Value::List(items)) = members.get("Many") {
                    for item in items {
                        assert!(header_safe(item.as_str().unwrap()), "{item}");
                    }
                }
                body_unsafe += usize::from(!header_safe(members["Body"].as_str().unwrap()));
                assert!(
                    crate::model::validate_input(&service, op.input.unwrap(), &value).is_empty()
                );
            }
        }
        assert!(body_unsafe > 0, "body members keep their wider alphabet");
        assert!(
            !header_safe(" a") && !header_safe("a\t") && !header_safe("é") && header_safe("a b")
        );
    }

    /// A pattern generator that fails at the length asked gives a value of another valid length, never the empty
    /// string (which broke `min: 1`: application-autoscaling's ScheduledActionName and 21 other operations).
    #[test]
    fn a_failed_draw_falls_back_to_another_valid_length_not_the_empty_string() {
        let shape_json = r#"{
          "version": "2.0",
          "metadata": {"apiVersion": "2020-01-01", "endpointPrefix": "fb", "protocol": "json", "jsonVersion": "1.1",
                       "targetPrefix": "Fb", "serviceId": "Fb", "signatureVersion": "v4", "uid": "fb-2020-01-01"},
          "operations": {},
          "shapes": {"Name": {"type": "string", "min": 1, "max": 8, "pattern": "^(?!x)[a-z]{3}$"}}
        }"#;
        let service = crate::frontend::botocore::parse_service(
            "fb",
            shape_json.as_bytes(),
            std::path::Path::new("fb.json"),
        )
        .unwrap();
        let (_, shape) = service.shape_named("Name").unwrap();
        let plan = compile_string(shape).unwrap();
        let pattern = shape.constraints.pattern.as_ref().unwrap();
        let mut rng = TestRng::from_seed(proptest::test_runner::RngAlgorithm::ChaCha, &[3; 32]);
        // Length 5 has no match: the fallback finds length 3.
        for len in [1, 3, 5, 8] {
            let text = plan.valid_text(&mut rng, len, Pick::Random);
            assert!(
                pattern.is_match(&text) && text.chars().count() == 3,
                "{len}: {text:?}"
            );
        }
    }
}
