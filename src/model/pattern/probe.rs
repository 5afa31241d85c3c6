//! Strings that must fail a pattern but that a loose checker would accept: characters the pattern allows nowhere,
//! replaced literals, non-ASCII look-alikes of Java's ASCII classes, and repetitions one short of or one past their
//! bounds. Every probe is checked against the compiled pattern: a probe that would match is never returned.

use proptest::prelude::Rng;
use proptest::test_runner::TestRng;

use super::Checker;
use super::charset::{self, CharSet};
use super::emit::{BoundsOverride, Reading};
use super::generate::{self, PatternGen, Pick, unicode_matcher};
use super::parse::{Node, Repeat};

/// How many candidates a probe builds before it gives up.
const ATTEMPTS: usize = 16;

/// Characters that a Unicode-aware engine accepts for one of Java's ASCII classes, and Java does not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookalike {
    /// The class as written: `\d`, `\w`, `\s`, `\p{Alnum}`, `(?i)` (case folding) or `.` (Java's `.` also
    /// excludes `\r`, U+0085, U+2028 and U+2029).
    pub class: &'static str,
    /// The look-alikes the pattern's use of that class rejects (`٣` for `\d`, U+00A0 for `\s`, `é` for `\w`).
    pub chars: Vec<char>,
}

/// A string that matches the pattern as a Unicode-aware engine reads it, but fails it as AWS (Java) reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookalikeProbe {
    /// The string.
    pub value: String,
    /// The class whose ASCII-only reading rejects it.
    pub class: &'static str,
    /// The look-alike put in.
    pub lookalike: char,
    /// The character it replaced, at `position` (in characters) of a matching string.
    pub replaced: char,
    /// Where, in characters.
    pub position: usize,
}

/// Which bound of a repetition a probe steps over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepetitionBound {
    /// One copy fewer than the minimum.
    BelowMin,
    /// One copy more than the maximum.
    AboveMax,
}

/// A string that matches the pattern except for the copies of one counted repetition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepetitionProbe {
    /// The repetition as written (`[0-9a-f]{32}`).
    pub quantifier: String,
    /// Which bound it steps over.
    pub bound: RepetitionBound,
    /// How many copies the string has.
    pub copies: u32,
    /// The string: it matches the pattern with that repetition set to `copies`, and fails the pattern itself.
    pub value: String,
}

/// Look-alikes that every Unicode-aware engine accepts for each ASCII class (Rust's `regex`, Python's `re`, Java's
/// `UNICODE_CHARACTER_CLASS`), all assigned since Unicode 1.1.
fn candidates(class: &str) -> &'static [char] {
    match class {
        r"\d" | r"\p{Digit}" => &['\u{663}', '\u{969}', '\u{FF13}'],
        r"\w" => &['é', 'ж', '\u{663}', 'ß'],
        r"\p{Alnum}" => &['é', 'ж', '\u{663}'],
        r"\p{Alpha}" | r"\p{Lower}" => &['é', 'ж', 'ß'],
        r"\p{Upper}" => &['É', 'Ж'],
        r"\s" | r"\p{Space}" | r"\p{Blank}" => &['\u{A0}', '\u{2003}', '\u{3000}'],
        r"\p{Punct}" => &['¡', '«', '\u{3001}'],
        r"\p{Graph}" | r"\p{Print}" => &['é', 'ж', '中'],
        r"\p{XDigit}" => &['\u{663}', '\u{FF21}'],
        r"\p{Cntrl}" => &['\u{85}'],
        "(?i)" => &['\u{212A}', '\u{17F}'],
        "." => &['\r', '\u{85}', '\u{2028}', '\u{2029}'],
        _ => &[],
    }
}

impl PatternGen {
    /// For each ASCII-only class the pattern uses (positively, where it consumes), the look-alikes a Unicode-aware
    /// engine would accept there and AWS rejects.
    pub fn lookalikes(&self) -> Vec<Lookalike> {
        let mut out: Vec<Lookalike> = Vec::new();
        for class in &self.classes {
            let extra = charset::difference(class.sets.unicode.clone(), &class.sets.java);
            for label in &class.sets.ascii_classes {
                let chars: Vec<char> = candidates(label)
                    .iter()
                    .copied()
                    .filter(|c| charset::contains(&extra, *c))
                    .collect();
                if chars.is_empty() {
                    continue;
                }
                match out.iter_mut().find(|l| l.class == *label) {
                    Some(known) => {
                        for c in chars {
                            if !known.chars.contains(&c) {
                                known.chars.push(c);
                            }
                        }
                    }
                    None => out.push(Lookalike {
                        class: label,
                        chars,
                    }),
                }
            }
        }
        out
    }

    /// A string of `len` characters that a Unicode-aware engine would accept and AWS must reject: a matching
    /// string with one character, taken from an ASCII-only class, replaced by a look-alike. `None` when the pattern
    /// has no such class or no such string was found.
    pub fn unicode_only_match(&self, rng: &mut TestRng, len: usize) -> Option<LookalikeProbe> {
        let extras: Vec<Option<CharSet>> = self
            .classes
            .iter()
            .map(|class| {
                let extra = charset::difference(class.sets.unicode.clone(), &class.sets.java);
                (!extra.ranges().is_empty()).then_some(extra)
            })
            .collect();
        if extras.iter().all(Option::is_none) {
            return None;
        }
        for _ in 0..ATTEMPTS {
            let (value, trace) = self.generate_traced(rng, len, Pick::Random)?;
            let positions: Vec<usize> = (0..trace.len())
                .filter(|p| extras[trace[*p]].is_some())
                .collect();
            if positions.is_empty() {
                continue;
            }
            let position = positions[rng.random_range(0..positions.len())];
            let class = &self.classes[trace[position]];
            let Some(extra) = &extras[trace[position]] else {
                continue;
            };
            let (label, lookalike) = class
                .sets
                .ascii_classes
                .iter()
                .flat_map(|label| candidates(label).iter().map(move |c| (*label, *c)))
                .find(|(_, c)| charset::contains(extra, *c))
                .or_else(|| {
                    let stable = charset::intersect(extra.clone(), &charset::long_assigned());
                    let c = stable.ranges().first().or(extra.ranges().first())?.start();
                    Some((*class.sets.ascii_classes.first().unwrap_or(&"?"), c))
                })?;
            let replaced = value.chars().nth(position)?;
            let probe = replace_at(&value, position, lookalike);
            if self.unicode_accepts(&probe, &trace) && self.pattern.surely_fails(&probe) {
                return Some(LookalikeProbe {
                    value: probe,
                    class: label,
                    lookalike,
                    replaced,
                    position,
                });
            }
        }
        None
    }

    /// A string of `len` characters that a Unicode-aware engine would accept and AWS must reject, with `lookalike`
    /// in place of a character the ASCII class `class` (`\d`, `\w`, `\s`, ... as [`PatternGen::lookalikes`] names
    /// it) took: one probe per class the pattern uses. `None` when no such string was found.
    pub fn lookalike_probe(
        &self,
        rng: &mut TestRng,
        len: usize,
        class: &'static str,
        lookalike: char,
    ) -> Option<LookalikeProbe> {
        // The class ids whose ASCII reading is `class` and whose Unicode reading takes the look-alike.
        let fits: Vec<bool> = self
            .classes
            .iter()
            .map(|c| {
                c.sets.ascii_classes.contains(&class)
                    && charset::contains(&c.sets.unicode, lookalike)
                    && !charset::contains(&c.sets.java, lookalike)
            })
            .collect();
        if !fits.contains(&true) {
            return None;
        }
        for _ in 0..ATTEMPTS {
            let (value, trace) = self.generate_traced(rng, len, Pick::Random)?;
            let positions: Vec<usize> = (0..trace.len()).filter(|p| fits[trace[*p]]).collect();
            if positions.is_empty() {
                continue;
            }
            let position = positions[rng.random_range(0..positions.len())];
            let replaced = value.chars().nth(position)?;
            let probe = replace_at(&value, position, lookalike);
            if self.unicode_accepts(&probe, &trace) && self.pattern.surely_fails(&probe) {
                return Some(LookalikeProbe {
                    value: probe,
                    class,
                    lookalike,
                    replaced,
                    position,
                });
            }
        }
        None
    }

    /// Whether a Unicode-aware engine accepts `probe`, built along `trace`. When the tree alone decides matching,
    /// the parse that built the string still holds if every character is in its class's Unicode reading: no
    /// compiling needed.
    fn unicode_accepts(&self, probe: &str, trace: &[usize]) -> bool {
        if self.is_exact() {
            probe
                .chars()
                .zip(trace)
                .all(|(c, id)| charset::contains(&self.classes[*id].sets.unicode, c))
        } else {
            unicode_matcher(self).is_some_and(|m| m.try_match(probe) == Ok(true))
        }
    }

    /// `value` with every occurrence of `literal` replaced by `replacement`, if that makes it fail the pattern.
    pub fn replace_literal(&self, value: &str, literal: char, replacement: char) -> Option<String> {
        if !value.contains(literal) || literal == replacement {
            return None;
        }
        let replaced = value.replace(literal, &replacement.to_string());
        self.pattern.surely_fails(&replaced).then_some(replaced)
    }

    /// A matching string of `len` characters that contains `literal`, with every occurrence of it replaced by a
    /// character the pattern allows nowhere (printable ASCII first); `None` if there is no such string.
    pub fn literal_probe(&self, rng: &mut TestRng, len: usize, literal: char) -> Option<String> {
        let replacement = self
            .disallowed_ascii()
            .into_iter()
            .chain(['\u{A0}', 'é', '\u{0}'])
            .find(|c| !self.allows(*c))?;
        (0..ATTEMPTS).find_map(|_| {
            let value = self.generate(rng, len, Pick::Random)?;
            self.replace_literal(&value, literal, replacement)
        })
    }

    /// A matching string of `len` characters with one character replaced by `c`, if that makes it fail.
    pub fn disallowed_probe(&self, rng: &mut TestRng, len: usize, c: char) -> Option<String> {
        (0..ATTEMPTS).find_map(|_| {
            let value = self.generate(rng, len, Pick::Random)?;
            let n = value.chars().count();
            if n == 0 {
                return None;
            }
            let at = rng.random_range(0..n);
            let probe: String = value
                .chars()
                .enumerate()
                .map(|(i, x)| if i == at { c } else { x })
                .collect();
            self.pattern.surely_fails(&probe).then_some(probe)
        })
    }

    /// For each counted repetition (`{12}`, `{1,64}`, `{2,}`), a string with one copy fewer than its minimum and
    /// one with one copy more than its maximum, each as short as the rest of the pattern allows, each matching the
    /// pattern but for that repetition. A bound is left out when no string within the cap steps over it alone.
    pub fn repetition_probes(&self, rng: &mut TestRng) -> Vec<RepetitionProbe> {
        let ast = self.pattern.ast();
        let mut repeats: Vec<&Repeat> = Vec::new();
        consuming_repeats(&ast.root, &mut repeats);
        let mut out = Vec::new();
        for rep in repeats.into_iter().filter(|r| r.counted) {
            let mut bounds = Vec::new();
            if rep.min >= 1 {
                bounds.push((RepetitionBound::BelowMin, rep.min - 1));
            }
            if let Some(max) = rep.max
                && let Some(copies) = max.checked_add(1)
            {
                bounds.push((RepetitionBound::AboveMax, copies));
            }
            for (bound, copies) in bounds {
                let bounds = BoundsOverride { id: rep.id, copies };
                if let Some(value) = self.step_over(rng, bounds) {
                    out.push(RepetitionProbe {
                        quantifier: rep.text.clone(),
                        bound,
                        copies,
                        value,
                    });
                }
            }
        }
        out
    }

    /// A string that matches the pattern with one repetition's copies replaced, and fails the pattern itself.
    fn step_over(&self, rng: &mut TestRng, bounds: BoundsOverride) -> Option<String> {
        let ast = self.pattern.ast();
        let mut classes = Vec::new();
        let tree = generate::build_tree(
            ast,
            self.pattern.uses_property,
            self.cap(),
            &mut classes,
            Some(bounds),
        );
        if tree.lengths().is_empty() {
            return None;
        }
        // What the tree builds matches the pattern with the replaced bound when the tree alone decides matching;
        // otherwise (look-around, back-references) that is checked too.
        let relaxed = if self.is_exact() {
            None
        } else {
            Some(Checker::for_generation(ast, Reading::Java, Some(bounds)).ok()?)
        };
        // The shortest lengths first: the rest of the pattern stays minimal, out of the way of length limits.
        let lengths: Vec<usize> = tree.lengths().iter().take(3).collect();
        lengths.into_iter().find_map(|len| {
            generate::generate_from(&tree, &classes, rng, len, Pick::Random, ATTEMPTS, |s| {
                relaxed.as_ref().is_none_or(|r| r.try_match(s) == Ok(true))
                    && self.pattern.surely_fails(s)
            })
            .map(|(s, _)| s)
        })
    }
}

/// The repetitions outside look-around, in source order.
fn consuming_repeats<'a>(node: &'a Node, out: &mut Vec<&'a Repeat>) {
    match node {
        Node::Repeat(rep) => {
            out.push(rep);
            consuming_repeats(&rep.node, out);
        }
        Node::Concat(items) | Node::Alt(items) => {
            items.iter().for_each(|n| consuming_repeats(n, out))
        }
        Node::Group { node, .. } | Node::Atomic(node) => consuming_repeats(node, out),
        Node::Look { .. } | Node::Empty | Node::Class(_) | Node::Backref(_) | Node::Assert(_) => {}
    }
}

/// `value` with the character at `position` (in characters) replaced by `with`.
fn replace_at(value: &str, position: usize, with: char) -> String {
    value
        .chars()
        .enumerate()
        .map(|(i, c)| if i == position { with } else { c })
        .collect()
}
