//! Strings of an exact length that match a pattern in full, built from its parsed tree.
//!
//! Every node knows the set of lengths it can produce (a bit set up to a cap), so a string of any feasible length
//! is built top-down without search: a concatenation splits the length among its children, a repetition chooses its
//! copies, a class picks a character. Look-around and back-references are left to a check: the tree is generated
//! without them (a back-reference copies its group's text), and each candidate must pass the compiled pattern, with
//! a bounded number of retries. Randomness comes from the caller's seeded proptest `TestRng`.

use std::fmt;
use std::sync::OnceLock;

use proptest::prelude::Rng;
use proptest::test_runner::TestRng;

use super::charset::{self, CharSet, ClassSets};
use super::emit::{BoundsOverride, Reading};
use super::parse::{Assertion, Ast, Node, RepeatKind, max_len};
use super::{Checker, Pattern};

/// Largest length cap: the bit sets of a repetition of a variable-length group grow with the square of the cap.
pub const MAX_CAP: usize = 16_384;

/// How many candidates to build before giving up on a length, for patterns whose candidates need checking.
pub(crate) const ATTEMPTS: usize = 64;

/// A set of lengths `0..=cap`, as bits.
#[derive(Clone, PartialEq, Eq)]
pub struct Lengths {
    words: Vec<u64>,
    cap: usize,
}

impl Lengths {
    fn empty(cap: usize) -> Self {
        Lengths {
            words: vec![0; cap / 64 + 1],
            cap,
        }
    }

    fn single(cap: usize, n: usize) -> Self {
        let mut set = Self::empty(cap);
        set.insert(n);
        set
    }

    fn insert(&mut self, n: usize) {
        if n <= self.cap {
            self.words[n / 64] |= 1 << (n % 64);
        }
    }

    /// The largest length the set can hold.
    pub fn cap(&self) -> usize {
        self.cap
    }

    /// Whether `n` is in the set.
    pub fn contains(&self, n: usize) -> bool {
        n <= self.cap && self.words[n / 64] & (1 << (n % 64)) != 0
    }

    /// Whether the set is empty (no string up to the cap matches).
    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|w| *w == 0)
    }

    /// The smallest member.
    pub fn min(&self) -> Option<usize> {
        self.words
            .iter()
            .enumerate()
            .find(|(_, w)| **w != 0)
            .map(|(i, w)| i * 64 + w.trailing_zeros() as usize)
    }

    /// The largest member.
    pub fn max(&self) -> Option<usize> {
        self.words
            .iter()
            .enumerate()
            .rev()
            .find(|(_, w)| **w != 0)
            .map(|(i, w)| i * 64 + 63 - w.leading_zeros() as usize)
    }

    /// The members in ascending order.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().enumerate().flat_map(|(i, w)| {
            let mut w = *w;
            std::iter::from_fn(move || {
                if w == 0 {
                    return None;
                }
                let bit = w.trailing_zeros() as usize;
                w &= w - 1;
                Some(i * 64 + bit)
            })
        })
    }

    fn union_with(&mut self, other: &Lengths) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a |= b;
        }
    }

    /// Maximal runs `[a, b]` of consecutive members.
    fn runs(&self) -> Vec<(usize, usize)> {
        let mut runs: Vec<(usize, usize)> = Vec::new();
        for n in self.iter() {
            match runs.last_mut() {
                Some(last) if last.1 + 1 == n => last.1 = n,
                _ => runs.push((n, n)),
            }
        }
        runs
    }

    /// `{n + k | n in self}`, capped.
    fn shifted(&self, k: usize) -> Lengths {
        let mut out = Lengths::empty(self.cap);
        if k > self.cap {
            return out;
        }
        let (ws, bs) = (k / 64, k % 64);
        for i in (ws..self.words.len()).rev() {
            let mut w = self.words[i - ws] << bs;
            if bs > 0 && i > ws {
                w |= self.words[i - ws - 1] >> (64 - bs);
            }
            out.words[i] = w;
        }
        out.mask();
        out
    }

    fn mask(&mut self) {
        let bits = self.cap % 64 + 1;
        if bits < 64
            && let Some(last) = self.words.last_mut()
        {
            *last &= (1u64 << bits) - 1;
        }
    }

    /// `{a + b | a in self, b in other}`, capped; a run of `other` costs a logarithm of its width, not its width.
    fn sum(&self, other: &Lengths) -> Lengths {
        let mut out = Lengths::empty(self.cap);
        for (a, b) in other.runs() {
            let mut smeared = self.shifted(a);
            let width = b - a;
            let mut covered = 1;
            while covered <= width {
                let step = covered.min(width + 1 - covered);
                let moved = smeared.shifted(step);
                smeared.union_with(&moved);
                covered += step;
            }
            out.union_with(&smeared);
        }
        out
    }
}

impl fmt::Debug for Lengths {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let runs: Vec<String> = self
            .runs()
            .iter()
            .map(|(a, b)| {
                if a == b {
                    a.to_string()
                } else {
                    format!("{a}..={b}")
                }
            })
            .collect();
        write!(f, "Lengths{{{}}}", runs.join(", "))
    }
}

/// How to choose among the strings of one length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pick {
    /// Random, keeping optional parts mostly short; half the characters from the printable ASCII a class allows.
    Random,
    /// Optional parts present, characters at the low ends of the class ranges (`\t` of `\s`, `0` of `\d`).
    EdgeLow,
    /// Optional parts present, characters at the high ends of the class ranges (`\r` of `\s`, `9` of `\d`).
    EdgeHigh,
    /// Deterministic and plain: fewest repeats, `a` or the class's first character; for shrinking.
    Simplest,
}

/// A class, ready to pick characters from.
#[derive(Debug, Clone)]
pub(crate) struct GenClass {
    /// The characters a generated string takes from it, as ranges with cumulative sizes for a uniform pick.
    ranges: Vec<(char, char)>,
    cumulative: Vec<u32>,
    /// The printable ASCII among them.
    printable: Vec<(char, char)>,
    printable_cumulative: Vec<u32>,
    simplest: char,
    /// The class as parsed (Java's and the Unicode reading), for probes.
    pub(crate) sets: ClassSets,
}

#[derive(Debug, Clone)]
enum Kind {
    Empty,
    Class(usize),
    Concat {
        children: Vec<GenNode>,
        /// `suffix[i]`: the lengths children `i..` can produce together.
        suffix: Vec<Lengths>,
    },
    Alt(Vec<GenNode>),
    /// Copies of a child with one fixed length: counts follow from the length.
    FixedRepeat {
        child: Box<GenNode>,
        child_len: usize,
    },
    /// A bounded repetition: `exactly[j]` are the lengths of exactly `j` copies, for the counts
    /// `lowest..=highest` (`None`: the minimum cannot be met within the cap).
    BoundedRepeat {
        child: Box<GenNode>,
        lowest: Option<usize>,
        highest: usize,
        exactly: Vec<Lengths>,
    },
    /// An unbounded repetition: `tail[r]` are the lengths of at least `r` copies, for `r <= lowest`.
    UnboundedRepeat {
        child: Box<GenNode>,
        lowest: Option<usize>,
        tail: Vec<Lengths>,
    },
    Capture {
        index: u32,
        child: Box<GenNode>,
    },
    Backref(u32),
}

/// A node of the generation tree.
#[derive(Debug, Clone)]
pub(crate) struct GenNode {
    kind: Kind,
    lengths: Lengths,
    /// Whether the node may be empty (an optional part).
    optional: bool,
}

/// A generator for the strings matching one pattern, with lengths up to a cap.
///
/// ```
/// use conform::model::{Pattern, pattern::{PatternGen, Pick}};
/// use proptest::test_runner::{RngAlgorithm, TestRng};
///
/// let pattern = Pattern::new(r"^m-[0-9a-f]{32}$").unwrap();
/// let generator = PatternGen::new(&pattern, 64);
/// assert_eq!(generator.lengths().iter().collect::<Vec<_>>(), vec![34]);
/// let mut rng = TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]);
/// let id = generator.generate(&mut rng, 34, Pick::Random).unwrap();
/// assert!(pattern.is_match(&id));
/// ```
#[derive(Debug, Clone)]
pub struct PatternGen {
    pub(crate) pattern: Pattern,
    cap: usize,
    root: GenNode,
    pub(crate) classes: Vec<GenClass>,
    /// Every character some match may contain.
    alphabet: CharSet,
    /// The literal characters of the pattern (`@`, `.`, `m`, `-`), in order of appearance.
    literals: Vec<char>,
    /// Whether every string built from the tree matches (no look-around, back-reference, atomic group or
    /// assertion that the tree ignores), so that [`PatternGen::lengths`] is exact.
    exact: bool,
    /// The pattern as a Unicode-aware engine reads it, compiled on first use by the look-alike probes.
    pub(crate) unicode: OnceLock<Option<Checker>>,
}

/// What building a tree needs to know.
struct Builder<'a> {
    cap: usize,
    classes: &'a mut Vec<GenClass>,
    bounds: Option<BoundsOverride>,
    /// The lengths of each capturing group, for back-references to it.
    groups: Vec<Option<Lengths>>,
    long_assigned: CharSet,
    /// Whether every class keeps to long-assigned characters: in a pattern with Unicode properties any other
    /// character makes the verdict depend on the JVM (see [`Pattern::is_uncertain`]).
    long_assigned_only: bool,
}

impl PatternGen {
    /// Prepares generation for a pattern, for lengths up to `cap` (at most [`MAX_CAP`]).
    pub fn new(pattern: &Pattern, cap: usize) -> PatternGen {
        let ast = pattern.ast();
        let cap = cap.min(MAX_CAP);
        let mut classes = Vec::new();
        let root = build_tree(ast, pattern.uses_property, cap, &mut classes, None);
        let mut alphabet = charset::empty();
        let mut literals = Vec::new();
        collect_consumed(&ast.root, &mut alphabet, &mut literals);
        PatternGen {
            pattern: pattern.clone(),
            cap,
            exact: is_exact(ast),
            root,
            classes,
            alphabet,
            literals,
            unicode: OnceLock::new(),
        }
    }

    /// The pattern generated for.
    pub fn pattern(&self) -> &Pattern {
        &self.pattern
    }

    /// The length cap.
    pub fn cap(&self) -> usize {
        self.cap
    }

    /// The lengths (up to the cap) of the strings the pattern matches: exact when [`PatternGen::is_exact`], else
    /// a superset (look-around may rule out more), for which [`PatternGen::generate`] may return `None`.
    pub fn lengths(&self) -> &Lengths {
        &self.root.lengths
    }

    /// Whether [`PatternGen::lengths`] is exact and every length in it can be generated.
    pub fn is_exact(&self) -> bool {
        self.exact
    }

    /// Whether some match of the pattern may contain `c`.
    pub fn allows(&self, c: char) -> bool {
        charset::contains(&self.alphabet, c)
    }

    /// The printable ASCII characters (`' '..='~'`) that no match of the pattern contains.
    pub fn disallowed_ascii(&self) -> Vec<char> {
        (' '..='~').filter(|c| !self.allows(*c)).collect()
    }

    /// The literal characters the pattern spells out, in order of first appearance (`m`, `-` of `m-[0-9a-f]{32}`).
    pub fn literals(&self) -> &[char] {
        &self.literals
    }

    /// A matching string of exactly `len` characters; `None` when the pattern has none of that length, or none was
    /// found within a bounded number of tries (patterns with look-around). Every string returned matches.
    pub fn generate(&self, rng: &mut TestRng, len: usize, pick: Pick) -> Option<String> {
        self.generate_traced(rng, len, pick).map(|(s, _)| s)
    }

    /// As [`PatternGen::generate`], with the class that produced each character.
    pub(crate) fn generate_traced(
        &self,
        rng: &mut TestRng,
        len: usize,
        pick: Pick,
    ) -> Option<(String, Vec<usize>)> {
        generate_from(&self.root, &self.classes, rng, len, pick, ATTEMPTS, |s| {
            self.pattern.surely_matches(s)
        })
    }
}

/// Builds candidates from a tree until one passes `accept`.
pub(crate) fn generate_from(
    root: &GenNode,
    classes: &[GenClass],
    rng: &mut TestRng,
    len: usize,
    pick: Pick,
    attempts: usize,
    accept: impl Fn(&str) -> bool,
) -> Option<(String, Vec<usize>)> {
    if !root.lengths.contains(len) {
        return None;
    }
    for attempt in 0..attempts {
        // Simplest is deterministic: one try, then random ones; the edges keep their flavour for half the tries.
        let pick = match pick {
            Pick::Simplest if attempt > 0 => Pick::Random,
            Pick::EdgeLow | Pick::EdgeHigh if attempt >= attempts / 2 => Pick::Random,
            other => other,
        };
        let mut emitter = Emitter {
            rng: &mut *rng,
            pick,
            classes,
            out: String::with_capacity(len),
            trace: Vec::with_capacity(len),
            captures: Vec::new(),
        };
        if emitter.emit(root, len) && accept(&emitter.out) {
            return Some((emitter.out, emitter.trace));
        }
    }
    None
}

/// Builds the generation tree of a pattern, with one repetition's bounds replaced if `bounds` says so.
pub(crate) fn build_tree(
    ast: &Ast,
    long_assigned_only: bool,
    cap: usize,
    classes: &mut Vec<GenClass>,
    bounds: Option<BoundsOverride>,
) -> GenNode {
    let mut builder = Builder {
        cap,
        classes,
        bounds,
        groups: vec![None; ast.groups as usize + 1],
        long_assigned: charset::long_assigned(),
        long_assigned_only,
    };
    builder.node(&ast.root)
}

impl GenNode {
    /// The lengths the node can produce.
    pub(crate) fn lengths(&self) -> &Lengths {
        &self.lengths
    }
}

impl Builder<'_> {
    fn leaf(&self, kind: Kind, n: usize) -> GenNode {
        GenNode {
            kind,
            lengths: Lengths::single(self.cap, n),
            optional: n == 0,
        }
    }

    fn node(&mut self, node: &Node) -> GenNode {
        match node {
            Node::Empty | Node::Look { .. } | Node::Assert(_) => self.leaf(Kind::Empty, 0),
            Node::Class(class) => {
                let id = self.classes.len();
                let gen_class = self.class(&class.sets);
                let feasible = !gen_class.ranges.is_empty();
                self.classes.push(gen_class);
                let mut leaf = self.leaf(Kind::Class(id), 1);
                if !feasible {
                    leaf.lengths = Lengths::empty(self.cap);
                }
                leaf
            }
            Node::Group { index, node } => {
                let child = self.node(node);
                match index {
                    Some(index) => {
                        if let Some(slot) = self.groups.get_mut(*index as usize) {
                            *slot = Some(child.lengths.clone());
                        }
                        GenNode {
                            lengths: child.lengths.clone(),
                            optional: child.optional,
                            kind: Kind::Capture {
                                index: *index,
                                child: Box::new(child),
                            },
                        }
                    }
                    None => child,
                }
            }
            Node::Atomic(node) => self.node(node),
            Node::Backref(index) => {
                let lengths = self
                    .groups
                    .get(*index as usize)
                    .cloned()
                    .flatten()
                    .unwrap_or_else(|| Lengths::empty(self.cap));
                GenNode {
                    optional: lengths.contains(0),
                    lengths,
                    kind: Kind::Backref(*index),
                }
            }
            Node::Concat(items) => {
                let children: Vec<GenNode> = items.iter().map(|n| self.node(n)).collect();
                let mut suffix = vec![Lengths::single(self.cap, 0); children.len() + 1];
                for i in (0..children.len()).rev() {
                    suffix[i] = children[i].lengths.sum(&suffix[i + 1]);
                }
                GenNode {
                    lengths: suffix[0].clone(),
                    optional: children.iter().all(|c| c.optional),
                    kind: Kind::Concat { children, suffix },
                }
            }
            Node::Alt(items) => {
                let children: Vec<GenNode> = items.iter().map(|n| self.node(n)).collect();
                let mut lengths = Lengths::empty(self.cap);
                for c in &children {
                    lengths.union_with(&c.lengths);
                }
                GenNode {
                    lengths,
                    optional: children.iter().any(|c| c.optional),
                    kind: Kind::Alt(children),
                }
            }
            Node::Repeat(rep) => {
                let child = self.node(&rep.node);
                let (min, max) = match self.bounds {
                    Some(b) if b.id == rep.id => (b.copies as usize, Some(b.copies as usize)),
                    _ => (rep.min as usize, rep.max.map(|m| m as usize)),
                };
                self.repeat(child, min, max)
            }
        }
    }

    fn repeat(&mut self, child: GenNode, min: usize, max: Option<usize>) -> GenNode {
        let cap = self.cap;
        let optional = min == 0 || child.optional;
        let mut lengths = Lengths::empty(cap);
        if let Some(child_len) = fixed_length(&child.lengths) {
            // Lengths are multiples of the child's: no tables needed.
            match cap.checked_div(child_len) {
                None => lengths.insert(0),
                Some(most) => {
                    let top = max.unwrap_or(usize::MAX).min(most);
                    for j in min..=top {
                        lengths.insert(j * child_len);
                    }
                }
            }
            return GenNode {
                lengths,
                optional,
                kind: Kind::FixedRepeat {
                    child: Box::new(child),
                    child_len,
                },
            };
        }
        if child.lengths.is_empty() {
            if min == 0 {
                lengths.insert(0);
            }
            return GenNode {
                lengths,
                optional,
                // No copy can be made: only zero copies, and only when allowed.
                kind: Kind::FixedRepeat {
                    child: Box::new(child),
                    child_len: 1,
                },
            };
        }
        // exactly[j] for j up to the bound that matters: past `cap` copies a non-empty child overflows the cap, and
        // a child that can be empty saturates (j copies can do what j - 1 can) within `cap + 1` steps.
        let limit = max.unwrap_or(min);
        let mut exactly = vec![Lengths::single(cap, 0)];
        let mut saturated = false;
        while exactly.len() <= limit {
            let last = &exactly[exactly.len() - 1];
            let next = last.sum(&child.lengths);
            if next.is_empty() {
                break;
            }
            if child.optional && next == *last {
                saturated = true;
                break;
            }
            exactly.push(next);
        }
        let top = exactly.len() - 1;
        // The fewest copies to use: past the table, a saturated child's extra copies are empty, so `top` stands
        // for them; an unsaturated one cannot reach the minimum at all.
        let lowest = if min <= top {
            Some(min)
        } else if saturated {
            Some(top)
        } else {
            None
        };
        match max {
            Some(max) => {
                if let Some(lowest) = lowest {
                    for set in &exactly[lowest..=max.min(top)] {
                        lengths.union_with(set);
                    }
                }
                GenNode {
                    lengths,
                    optional,
                    kind: Kind::BoundedRepeat {
                        child: Box::new(child),
                        lowest,
                        highest: max.min(top),
                        exactly,
                    },
                }
            }
            None => {
                // Any number of further copies: the closure of the child's lengths under addition.
                let mut star = Lengths::single(cap, 0);
                loop {
                    let mut next = star.sum(&child.lengths);
                    next.union_with(&star);
                    if next == star {
                        break;
                    }
                    star = next;
                }
                let tail: Vec<Lengths> = exactly.iter().map(|set| set.sum(&star)).collect();
                if let Some(lowest) = lowest {
                    lengths.union_with(&tail[lowest]);
                }
                GenNode {
                    lengths,
                    optional,
                    kind: Kind::UnboundedRepeat {
                        child: Box::new(child),
                        lowest,
                        tail,
                    },
                }
            }
        }
    }

    /// The characters a generated string may take from a class: astral characters only when the class has no
    /// others (AWS may count them as two), and, for classes defined by Unicode properties (or in a pattern with
    /// some) and huge ones (`.`, `[^x]`), only long-assigned characters when it has any, so that no JVM's older
    /// Unicode tables could judge them otherwise.
    fn class(&self, sets: &ClassSets) -> GenClass {
        let java = &sets.java;
        let bmp = charset::intersect(java.clone(), &charset::range(0, 0xFFFF));
        let mut set = if bmp.ranges().is_empty() {
            java.clone()
        } else {
            bmp
        };
        if sets.property || self.long_assigned_only || charset::size(&set) > 0x2000 {
            let stable = charset::intersect(set.clone(), &self.long_assigned);
            if !stable.ranges().is_empty() {
                set = stable;
            }
        }
        let ranges = charset::scalar_ranges(&set);
        let printable = charset::scalar_ranges(&charset::intersect(
            set.clone(),
            &charset::range(0x20, 0x7E),
        ));
        let simplest = ['a', '0', 'A']
            .into_iter()
            .find(|c| charset::contains(&set, *c))
            .or_else(|| printable.first().map(|r| r.0))
            .or_else(|| ranges.first().map(|r| r.0))
            .unwrap_or('a');
        GenClass {
            cumulative: cumulative(&ranges),
            printable_cumulative: cumulative(&printable),
            ranges,
            printable,
            simplest,
            sets: sets.clone(),
        }
    }
}

fn cumulative(ranges: &[(char, char)]) -> Vec<u32> {
    let mut total = 0u32;
    ranges
        .iter()
        .map(|(lo, hi)| {
            total += *hi as u32 - *lo as u32 + 1;
            total
        })
        .collect()
}

/// The one length a node always has, if it has exactly one.
fn fixed_length(lengths: &Lengths) -> Option<usize> {
    match (lengths.min(), lengths.max()) {
        (Some(a), Some(b)) if a == b => Some(a),
        _ => None,
    }
}

/// Picks uniformly from ranges with their cumulative sizes.
fn pick_uniform(rng: &mut TestRng, ranges: &[(char, char)], cumulative: &[u32]) -> Option<char> {
    let total = *cumulative.last()?;
    let k = rng.random_range(0..total);
    let i = cumulative.partition_point(|c| *c <= k);
    let before = if i == 0 { 0 } else { cumulative[i - 1] };
    char::from_u32(ranges[i].0 as u32 + (k - before))
}

struct Emitter<'a> {
    rng: &'a mut TestRng,
    pick: Pick,
    classes: &'a [GenClass],
    out: String,
    /// The class of each character written.
    trace: Vec<usize>,
    /// Each group's last text, as a byte range of `out`.
    captures: Vec<Option<(usize, usize)>>,
}

impl Emitter<'_> {
    /// Chooses among `candidates` (ascending); optional parts are kept short in `Random`, present at the edges.
    fn choose(&mut self, candidates: &[usize], optional: bool) -> usize {
        match self.pick {
            Pick::Simplest => candidates[0],
            Pick::Random if optional && self.rng.random_ratio(3, 4) => candidates[0],
            Pick::Random => candidates[self.rng.random_range(0..candidates.len())],
            Pick::EdgeLow | Pick::EdgeHigh => {
                let nonzero: Vec<usize> = candidates.iter().copied().filter(|n| *n > 0).collect();
                if nonzero.is_empty() {
                    candidates[0]
                } else {
                    // Short non-empty optional parts, so that several of them fit in one string.
                    nonzero[self.rng.random_range(0..nonzero.len().min(3))]
                }
            }
        }
    }

    fn class(&mut self, id: usize) -> bool {
        let class = &self.classes[id];
        let c = match self.pick {
            Pick::Simplest => Some(class.simplest),
            Pick::EdgeLow | Pick::EdgeHigh if !class.ranges.is_empty() => {
                let (lo, hi) = class.ranges[self.rng.random_range(0..class.ranges.len())];
                Some(if self.pick == Pick::EdgeLow { lo } else { hi })
            }
            _ if !class.printable.is_empty() && self.rng.random_ratio(1, 2) => {
                pick_uniform(self.rng, &class.printable, &class.printable_cumulative)
            }
            _ => pick_uniform(self.rng, &class.ranges, &class.cumulative),
        };
        match c {
            Some(c) => {
                self.out.push(c);
                self.trace.push(id);
                true
            }
            None => false,
        }
    }

    /// Writes a string of exactly `len` characters for `node`; `false` when a back-reference cannot be honoured.
    fn emit(&mut self, node: &GenNode, len: usize) -> bool {
        match &node.kind {
            Kind::Empty => true,
            Kind::Class(id) => self.class(*id),
            Kind::Concat { children, suffix } => {
                let mut rest = len;
                let mut candidates = Vec::new();
                for (i, child) in children.iter().enumerate() {
                    candidates.clear();
                    candidates.extend(
                        child
                            .lengths
                            .iter()
                            .take_while(|l| *l <= rest)
                            .filter(|l| suffix[i + 1].contains(rest - l)),
                    );
                    if candidates.is_empty() {
                        return false;
                    }
                    let l = self.choose(&candidates, child.optional);
                    if !self.emit(child, l) {
                        return false;
                    }
                    rest -= l;
                }
                true
            }
            Kind::Alt(children) => {
                let fitting: Vec<usize> = (0..children.len())
                    .filter(|i| children[*i].lengths.contains(len))
                    .collect();
                if fitting.is_empty() {
                    return false;
                }
                let i = match self.pick {
                    Pick::Simplest => fitting[0],
                    _ => fitting[self.rng.random_range(0..fitting.len())],
                };
                self.emit(&children[i], len)
            }
            Kind::FixedRepeat {
                child, child_len, ..
            } => {
                let copies = if *child_len == 0 { 0 } else { len / child_len };
                (0..copies).all(|_| self.emit(child, *child_len))
            }
            Kind::BoundedRepeat {
                child,
                lowest,
                highest,
                exactly,
            } => {
                let Some(lowest) = *lowest else { return false };
                let counts: Vec<usize> = (lowest..=*highest)
                    .filter(|j| exactly[*j].contains(len))
                    .collect();
                if counts.is_empty() {
                    return false;
                }
                let copies = match self.pick {
                    Pick::Simplest => counts[0],
                    _ => counts[self.rng.random_range(0..counts.len())],
                };
                let mut rest = len;
                let mut candidates = Vec::new();
                for done in 0..copies {
                    let after = &exactly[copies - done - 1];
                    candidates.clear();
                    candidates.extend(
                        child
                            .lengths
                            .iter()
                            .take_while(|l| *l <= rest)
                            .filter(|l| after.contains(rest - l)),
                    );
                    if candidates.is_empty() {
                        return false;
                    }
                    let l = self.choose(&candidates, false);
                    if !self.emit(child, l) {
                        return false;
                    }
                    rest -= l;
                }
                rest == 0
            }
            Kind::UnboundedRepeat {
                child,
                lowest,
                tail,
            } => {
                // `required`: copies still owed to the minimum.
                let Some(mut required) = *lowest else {
                    return false;
                };
                let mut rest = len;
                let mut candidates = Vec::new();
                while rest > 0 || required > 0 {
                    let after = required.saturating_sub(1);
                    candidates.clear();
                    candidates.extend(
                        child
                            .lengths
                            .iter()
                            .take_while(|l| *l <= rest)
                            // Once the minimum is met, only non-empty copies, so that the loop ends.
                            .filter(|l| required > 0 || *l > 0)
                            .filter(|l| tail[after].contains(rest - l)),
                    );
                    if candidates.is_empty() {
                        return false;
                    }
                    let l = self.choose(&candidates, false);
                    if !self.emit(child, l) {
                        return false;
                    }
                    rest -= l;
                    required = after;
                }
                true
            }
            Kind::Capture { index, child } => {
                let start = self.out.len();
                if !self.emit(child, len) {
                    return false;
                }
                let i = *index as usize;
                if self.captures.len() <= i {
                    self.captures.resize(i + 1, None);
                }
                self.captures[i] = Some((start, self.out.len()));
                true
            }
            Kind::Backref(index) => {
                let Some(Some((a, b))) = self.captures.get(*index as usize).copied() else {
                    return false;
                };
                let text = self.out[a..b].to_string();
                if text.chars().count() != len {
                    return false;
                }
                // The copied characters keep the class of their originals for the trace.
                let first = self.out[..a].chars().count();
                let ids: Vec<usize> = self.trace[first..first + len].to_vec();
                self.out.push_str(&text);
                self.trace.extend(ids);
                true
            }
        }
    }
}

/// Adds the characters and literals of the nodes that consume input (outside look-around).
fn collect_consumed(node: &Node, alphabet: &mut CharSet, literals: &mut Vec<char>) {
    match node {
        Node::Class(class) => {
            alphabet.union(&class.sets.java);
            if let Some(c) = class.literal
                && !literals.contains(&c)
            {
                literals.push(c);
            }
        }
        Node::Concat(items) | Node::Alt(items) => items
            .iter()
            .for_each(|n| collect_consumed(n, alphabet, literals)),
        Node::Repeat(rep) => collect_consumed(&rep.node, alphabet, literals),
        Node::Group { node, .. } | Node::Atomic(node) => collect_consumed(node, alphabet, literals),
        Node::Look { .. } | Node::Backref(_) | Node::Assert(_) | Node::Empty => {}
    }
}

/// Whether the tree alone decides matching: no look-around, back-reference, atomic group, possessive quantifier
/// or word boundary, and `^`/`\A` only where nothing was consumed before, `$`/`\z` only where nothing can follow.
fn is_exact(ast: &Ast) -> bool {
    fn check(node: &Node, at_start: bool, at_end: bool) -> bool {
        match node {
            Node::Empty | Node::Class(_) => true,
            Node::Look { .. } | Node::Backref(_) | Node::Atomic(_) => false,
            Node::Assert(Assertion::Begin) => at_start,
            Node::Assert(Assertion::End | Assertion::Dollar) => at_end,
            Node::Assert(_) => false,
            Node::Concat(items) => items.iter().enumerate().all(|(i, item)| {
                let before = items[..i].iter().all(|n| max_len(n) == Some(0));
                let after = items[i + 1..].iter().all(|n| max_len(n) == Some(0));
                check(item, at_start && before, at_end && after)
            }),
            Node::Alt(items) => items.iter().all(|n| check(n, at_start, at_end)),
            Node::Repeat(rep) => {
                let single = rep.max.is_some_and(|m| m <= 1) || max_len(&rep.node) == Some(0);
                rep.kind != RepeatKind::Possessive
                    && check(&rep.node, at_start && single, at_end && single)
            }
            Node::Group { node, .. } => check(node, at_start, at_end),
        }
    }
    check(&ast.root, true, true)
}

/// Compiles the Unicode reading of a pattern (for look-alike probes), once.
pub(crate) fn unicode_matcher(generator: &PatternGen) -> Option<&Checker> {
    generator
        .unicode
        .get_or_init(|| {
            Checker::for_generation(generator.pattern.ast(), Reading::Unicode, None).ok()
        })
        .as_ref()
}
