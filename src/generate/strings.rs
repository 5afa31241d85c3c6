//! Strings of an exact length that match a spec pattern in full, built from the pattern's syntax tree.
//!
//! proptest's `string_regex` caps unbounded repeats at 32 and cannot aim at a length, so it can reach neither
//! `max_length` (254 for an email address) nor `max_length + 1` with a string that still matches the pattern.
//! Here the pattern (`Pattern::body`: anchor-free, ASCII classes) is parsed once with `regex-syntax`; every node
//! knows the set of lengths it can produce (a bit set up to a cap), so a string of any feasible length is built
//! top-down without retries. Randomness comes from the caller's seeded proptest `TestRng`.

use proptest::prelude::Rng;
use proptest::test_runner::TestRng;
use regex_syntax::hir::{Class, Hir, HirKind};

/// A set of lengths `0..=cap`, as bits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Lengths {
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

    /// Whether `n` is in the set.
    pub(crate) fn contains(&self, n: usize) -> bool {
        n <= self.cap && self.words[n / 64] & (1 << (n % 64)) != 0
    }

    fn is_empty(&self) -> bool {
        self.words.iter().all(|w| *w == 0)
    }

    fn union_with(&mut self, other: &Lengths) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a |= b;
        }
    }

    /// The members in ascending order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        (0..=self.cap).filter(move |n| self.contains(*n))
    }

    /// `{a + b | a in self, b in other}`, capped.
    fn sum(&self, other: &Lengths) -> Lengths {
        let mut out = Lengths::empty(self.cap);
        let rhs: Vec<usize> = other.iter().collect();
        for a in self.iter() {
            for b in &rhs {
                out.insert(a + b);
            }
        }
        out
    }
}

/// How to choose among the strings of one length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pick {
    /// Random, keeping optional parts mostly short.
    Random,
    /// Optional parts present, characters at the low ends of the class ranges (`\t` of `\s`, `0` of `\d`).
    EdgeLow,
    /// Optional parts present, characters at the high ends of the class ranges (`\r` of `\s`, `9` of `\d`).
    EdgeHigh,
    /// Deterministic and plain: fewest repeats, `a` or the class's first character; for shrinking.
    Simplest,
}

#[derive(Debug, Clone)]
enum NodeKind {
    Literal(String),
    /// Ranges of characters and their cumulative sizes, for a uniform pick.
    Class {
        ranges: Vec<(char, char)>,
        cumulative: Vec<u32>,
        simplest: char,
    },
    Concat {
        children: Vec<Node>,
        /// `suffix[i]`: the lengths children `i..` can produce together.
        suffix: Vec<Lengths>,
    },
    Alt(Vec<Node>),
    Repeat {
        child: Box<Node>,
        min: usize,
        /// `exactly[j]`: lengths of exactly `j` copies; its length bounds the copies considered.
        exactly: Vec<Lengths>,
    },
}

#[derive(Debug, Clone)]
struct Node {
    kind: NodeKind,
    lengths: Lengths,
    /// Whether the node may be empty (an optional part).
    optional: bool,
}

/// A generator for the strings matching one pattern, with lengths up to a cap.
#[derive(Debug, Clone)]
pub(crate) struct PatternGen {
    root: Node,
    /// Every character some match may contain, sorted ranges.
    alphabet: Vec<(char, char)>,
    /// The literal characters of the pattern (`@`, `.`, `m`, `-`), in order of appearance.
    literals: Vec<char>,
}

impl PatternGen {
    /// Compiles a pattern body for lengths up to `cap`; the error says what cannot be generated.
    pub(crate) fn new(body: &str, cap: usize) -> Result<Self, String> {
        let hir = regex_syntax::parse(body).map_err(|e| format!("failed to parse pattern: {e}"))?;
        let mut alphabet = Vec::new();
        let mut literals = Vec::new();
        let root = compile(&hir, cap, &mut alphabet, &mut literals)?;
        alphabet.sort_unstable();
        let mut merged: Vec<(char, char)> = Vec::new();
        for (lo, hi) in alphabet {
            match merged.last_mut() {
                Some(last) if (lo as u32) <= last.1 as u32 + 1 => last.1 = last.1.max(hi),
                _ => merged.push((lo, hi)),
            }
        }
        Ok(PatternGen {
            root,
            alphabet: merged,
            literals,
        })
    }

    /// The lengths (up to the cap) of the strings the pattern matches.
    pub(crate) fn lengths(&self) -> &Lengths {
        &self.root.lengths
    }

    /// Whether some match of the pattern may contain `c`.
    pub(crate) fn allows(&self, c: char) -> bool {
        self.alphabet.iter().any(|(lo, hi)| *lo <= c && c <= *hi)
    }

    /// The literal characters the pattern spells out.
    pub(crate) fn literals(&self) -> &[char] {
        &self.literals
    }

    /// A matching string of exactly `len` characters; `None` when the pattern has none of that length.
    pub(crate) fn generate(&self, rng: &mut TestRng, len: usize, pick: Pick) -> Option<String> {
        if !self.root.lengths.contains(len) {
            return None;
        }
        let mut out = String::with_capacity(len);
        emit(&self.root, len, rng, pick, &mut out);
        Some(out)
    }
}

fn compile(
    hir: &Hir,
    cap: usize,
    alphabet: &mut Vec<(char, char)>,
    literals: &mut Vec<char>,
) -> Result<Node, String> {
    let node = match hir.kind() {
        HirKind::Empty => Node {
            kind: NodeKind::Literal(String::new()),
            lengths: Lengths::single(cap, 0),
            optional: true,
        },
        HirKind::Literal(lit) => {
            let text = std::str::from_utf8(&lit.0)
                .map_err(|_| "the pattern has a literal that is not UTF-8".to_string())?
                .to_string();
            for c in text.chars() {
                alphabet.push((c, c));
                if !literals.contains(&c) {
                    literals.push(c);
                }
            }
            let n = text.chars().count();
            Node {
                kind: NodeKind::Literal(text),
                lengths: Lengths::single(cap, n),
                optional: n == 0,
            }
        }
        HirKind::Class(class) => {
            let ranges: Vec<(char, char)> = match class {
                Class::Unicode(u) => u.ranges().iter().map(|r| (r.start(), r.end())).collect(),
                Class::Bytes(b) => b
                    .ranges()
                    .iter()
                    .filter(|r| r.start() < 0x80)
                    .map(|r| (r.start() as char, r.end().min(0x7F) as char))
                    .collect(),
            };
            if ranges.is_empty() {
                return Err("the pattern has a class that matches no character".into());
            }
            alphabet.extend(ranges.iter().copied());
            let mut cumulative = Vec::with_capacity(ranges.len());
            let mut total = 0u32;
            for (lo, hi) in &ranges {
                total += *hi as u32 - *lo as u32 + 1;
                cumulative.push(total);
            }
            let in_class = |c: char| ranges.iter().any(|(lo, hi)| *lo <= c && c <= *hi);
            let simplest = ['a', '0', 'A']
                .into_iter()
                .find(|c| in_class(*c))
                .unwrap_or(ranges[0].0);
            Node {
                kind: NodeKind::Class {
                    ranges,
                    cumulative,
                    simplest,
                },
                lengths: Lengths::single(cap, 1),
                optional: false,
            }
        }
        HirKind::Look(look) => {
            return Err(format!(
                "the pattern uses an assertion ({look:?}) that cannot be generated"
            ));
        }
        HirKind::Capture(capture) => compile(&capture.sub, cap, alphabet, literals)?,
        HirKind::Concat(subs) => {
            let children = subs
                .iter()
                .map(|h| compile(h, cap, alphabet, literals))
                .collect::<Result<Vec<_>, _>>()?;
            let mut suffix = vec![Lengths::single(cap, 0); children.len() + 1];
            for i in (0..children.len()).rev() {
                suffix[i] = children[i].lengths.sum(&suffix[i + 1]);
            }
            let lengths = suffix[0].clone();
            let optional = children.iter().all(|c| c.optional);
            Node {
                kind: NodeKind::Concat { children, suffix },
                lengths,
                optional,
            }
        }
        HirKind::Alternation(subs) => {
            let children = subs
                .iter()
                .map(|h| compile(h, cap, alphabet, literals))
                .collect::<Result<Vec<_>, _>>()?;
            let mut lengths = Lengths::empty(cap);
            for c in &children {
                lengths.union_with(&c.lengths);
            }
            let optional = children.iter().any(|c| c.optional);
            Node {
                kind: NodeKind::Alt(children),
                lengths,
                optional,
            }
        }
        HirKind::Repetition(rep) => {
            let child = compile(&rep.sub, cap, alphabet, literals)?;
            let min = rep.min as usize;
            let max = rep.max.map(|m| m as usize).unwrap_or(usize::MAX);
            let mut exactly = vec![Lengths::single(cap, 0)];
            let mut lengths = Lengths::empty(cap);
            if min == 0 {
                lengths.insert(0);
            }
            let mut j = 0usize;
            // Copies beyond `cap + 1` add no new length (each non-empty copy adds at least one character).
            while j < max && j <= cap.max(min) {
                let next = exactly[j].sum(&child.lengths);
                j += 1;
                if next.is_empty() {
                    break;
                }
                if j >= min {
                    lengths.union_with(&next);
                }
                exactly.push(next);
            }
            Node {
                optional: min == 0 || child.optional,
                kind: NodeKind::Repeat {
                    child: Box::new(child),
                    min,
                    exactly,
                },
                lengths,
            }
        }
    };
    Ok(node)
}

/// Chooses among `candidates` (ascending); `optional` parts are kept short in `Random` and present at the edges.
fn choose(candidates: &[usize], rng: &mut TestRng, pick: Pick, optional: bool) -> usize {
    debug_assert!(!candidates.is_empty());
    match pick {
        Pick::Simplest => candidates[0],
        Pick::Random if optional && rng.random_ratio(3, 4) => candidates[0],
        Pick::Random => candidates[rng.random_range(0..candidates.len())],
        Pick::EdgeLow | Pick::EdgeHigh => {
            let nonzero: Vec<usize> = candidates.iter().copied().filter(|n| *n > 0).collect();
            if nonzero.is_empty() {
                candidates[0]
            } else {
                // Short non-empty optional parts, so that several of them fit in one string.
                nonzero[rng.random_range(0..nonzero.len().min(3))]
            }
        }
    }
}

fn emit(node: &Node, len: usize, rng: &mut TestRng, pick: Pick, out: &mut String) {
    match &node.kind {
        NodeKind::Literal(text) => out.push_str(text),
        NodeKind::Class {
            ranges,
            cumulative,
            simplest,
        } => {
            let c = match pick {
                Pick::Simplest => *simplest,
                Pick::EdgeLow => ranges[rng.random_range(0..ranges.len())].0,
                Pick::EdgeHigh => ranges[rng.random_range(0..ranges.len())].1,
                Pick::Random => {
                    let total = *cumulative.last().expect("a class has ranges");
                    let k = rng.random_range(0..total);
                    let i = cumulative.partition_point(|c| *c <= k);
                    let before = if i == 0 { 0 } else { cumulative[i - 1] };
                    let code = ranges[i].0 as u32 + (k - before);
                    char::from_u32(code).unwrap_or(ranges[i].0)
                }
            };
            out.push(c);
        }
        NodeKind::Concat { children, suffix } => {
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
                let l = choose(&candidates, rng, pick, child.optional);
                emit(child, l, rng, pick, out);
                rest -= l;
            }
        }
        NodeKind::Alt(children) => {
            let fitting: Vec<usize> = (0..children.len())
                .filter(|i| children[*i].lengths.contains(len))
                .collect();
            let i = match pick {
                Pick::Simplest => fitting[0],
                _ => fitting[rng.random_range(0..fitting.len())],
            };
            emit(&children[i], len, rng, pick, out);
        }
        NodeKind::Repeat {
            child,
            min,
            exactly,
        } => {
            let counts: Vec<usize> = (*min..exactly.len())
                .filter(|j| exactly[*j].contains(len))
                .collect();
            let copies = match pick {
                Pick::Simplest => counts[0],
                _ => counts[rng.random_range(0..counts.len())],
            };
            let mut rest = len;
            let fixed = fixed_length(&child.lengths);
            let mut candidates = Vec::new();
            for done in 0..copies {
                let after = copies - done - 1;
                let l = match fixed {
                    Some(l) => l,
                    None => {
                        candidates.clear();
                        candidates.extend(
                            child
                                .lengths
                                .iter()
                                .take_while(|l| *l <= rest)
                                .filter(|l| exactly[after].contains(rest - l)),
                        );
                        choose(&candidates, rng, pick, false)
                    }
                };
                emit(child, l, rng, pick, out);
                rest -= l;
            }
        }
    }
}

/// The one length a node always has, if it has exactly one.
fn fixed_length(lengths: &Lengths) -> Option<usize> {
    let mut it = lengths.iter();
    match (it.next(), it.next()) {
        (Some(l), None) => Some(l),
        _ => None,
    }
}

/// Random free text (no pattern) of exactly `len` characters: mostly printable ASCII, some BMP letters.
///
/// Astral characters are left out: whether AWS counts them as one character or two is unverified.
pub(crate) fn free_text(rng: &mut TestRng, len: usize, pick: Pick) -> String {
    const WIDE: [(u32, u32); 3] = [(0xC0, 0xD6), (0x3B1, 0x3C9), (0x4E00, 0x4FFF)];
    let mut out = String::with_capacity(len);
    for _ in 0..len {
        let c = match pick {
            Pick::Simplest => 'a',
            Pick::EdgeLow => ' ',
            Pick::EdgeHigh => '~',
            Pick::Random if rng.random_ratio(1, 8) => {
                let (lo, hi) = WIDE[rng.random_range(0..WIDE.len())];
                char::from_u32(rng.random_range(lo..=hi)).unwrap_or('é')
            }
            Pick::Random => char::from(rng.random_range(0x20u8..0x7F)),
        };
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Pattern;
    use proptest::test_runner::RngAlgorithm;

    fn rng() -> TestRng {
        TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32])
    }

    #[test]
    fn every_feasible_length_gives_a_full_match() {
        let pattern = Pattern::new(r"^[\s]*[\w+=.#|!&-]+@[\w.-]+\.[\w]+[\s]*$").unwrap();
        let generator = PatternGen::new(&pattern.body, 255).unwrap();
        assert!(!generator.lengths().contains(4), "a@b.c is the shortest");
        let mut rng = rng();
        for len in 5..=255 {
            for pick in [Pick::Random, Pick::EdgeLow, Pick::EdgeHigh, Pick::Simplest] {
                let s = generator.generate(&mut rng, len, pick).unwrap();
                assert_eq!(s.chars().count(), len);
                assert!(pattern.is_match(&s), "{s:?} ({pick:?})");
            }
        }
        assert_eq!(
            generator.generate(&mut rng, 5, Pick::Simplest).unwrap(),
            "a@a.a"
        );
    }

    #[test]
    fn fixed_and_parity_lengths() {
        let generator = PatternGen::new("m-[0-9a-f]{32}", 40).unwrap();
        assert_eq!(generator.lengths().iter().collect::<Vec<_>>(), vec![34]);
        let even = PatternGen::new("(ab)+", 10).unwrap();
        assert_eq!(
            even.lengths().iter().collect::<Vec<_>>(),
            vec![2, 4, 6, 8, 10]
        );
        assert_eq!(
            even.generate(&mut rng(), 6, Pick::Random).unwrap(),
            "ababab"
        );
        assert!(even.generate(&mut rng(), 5, Pick::Random).is_none());
    }

    #[test]
    fn edges_reach_the_ends_of_the_classes() {
        let pattern = Pattern::new(r"^[\s]*[\w+=.#|!&-]+@[\w.-]+\.[\w]+[\s]*$").unwrap();
        let generator = PatternGen::new(&pattern.body, 64).unwrap();
        let mut rng = rng();
        let low = generator.generate(&mut rng, 20, Pick::EdgeLow).unwrap();
        let high = generator.generate(&mut rng, 20, Pick::EdgeHigh).unwrap();
        assert!(low.starts_with([' ', '\t']), "{low:?}");
        assert!(high.ends_with([' ', '\r']), "{high:?}");
    }

    #[test]
    fn alphabet_and_literals() {
        let generator = PatternGen::new("m-[0-9a-f]{2}", 10).unwrap();
        assert!(generator.allows('m') && generator.allows('7') && !generator.allows('g'));
        assert_eq!(generator.literals(), &['m', '-']);
        assert!(PatternGen::new(r"\bx", 5).is_err());
    }
}
