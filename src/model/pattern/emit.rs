//! The parsed tree written back out in the syntax of Rust's `regex` (and `fancy-regex`, a superset), with every
//! class spelled as explicit ranges so that no engine's own idea of `\w`, `.` or `(?i)` can creep back in.

use std::fmt::Write;

use super::charset::CharSet;
use super::parse::{Assertion, Ast, Node, RepeatKind, max_len, min_len};

/// Counted repetitions with a larger maximum are relaxed to no maximum when [`translate`] is asked to relax: the
/// regex crate unrolls `.{1,100000}` into a hundred thousand copies of a UTF-8 automaton, seconds of compiling.
const RELAX_ABOVE: u32 = 64;

/// Which reading of the pattern to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reading {
    /// Java's: what AWS checks.
    Java,
    /// Java's, but `\b` and `\B` as JDK 18 and older read them (Unicode letters and digits are word characters).
    JavaUnicodeBoundary,
    /// A Unicode-aware engine's (Rust's `regex`, Python's `re` without `re.ASCII`), for look-alike probes.
    Unicode,
}

/// A translated pattern and whether it needs a backtracking engine.
#[derive(Debug, Clone)]
pub(crate) struct Translation {
    /// The whole-string pattern, `\A(?:...)\z`.
    pub(crate) text: String,
    /// Whether it uses look-around, back-references, atomic groups or possessive quantifiers.
    pub(crate) backtracking: bool,
    /// Up to how many characters the text decides exactly as the unrelaxed pattern would: a repetition
    /// `X{m,n}` whose copies take at least `k` characters each cannot take more than `n` copies of a string of at
    /// most `n * k` characters, so dropping its maximum changes nothing there. `usize::MAX` when nothing was relaxed.
    pub(crate) exact_up_to: usize,
}

/// Replaces the bounds of one repetition, for probes that step just outside them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BoundsOverride {
    /// The repetition's id.
    pub(crate) id: usize,
    /// The copies to use instead (exactly this many).
    pub(crate) copies: u32,
}

/// Writes the tree for a whole-string match.
pub(crate) fn translate(
    ast: &Ast,
    reading: Reading,
    bounds: Option<BoundsOverride>,
    relax: bool,
) -> Translation {
    let mut writer = Writer {
        out: String::with_capacity(64),
        reading,
        bounds,
        backtracking: false,
        relax,
        exact_up_to: usize::MAX,
    };
    writer.out.push_str(r"\A(?:");
    writer.node(&ast.root, true, false);
    writer.out.push_str(r")\z");
    Translation {
        text: writer.out,
        backtracking: writer.backtracking,
        exact_up_to: writer.exact_up_to,
    }
}

struct Writer {
    out: String,
    reading: Reading,
    bounds: Option<BoundsOverride>,
    backtracking: bool,
    relax: bool,
    exact_up_to: usize,
}

/// Java's `$` where more may follow: the end, or before `\r\n`, or before one final line terminator (but not
/// between `\r` and `\n`).
const JAVA_DOLLAR: &str = r"(?:\z|(?=\r\n\z)|(?<!\r)(?=\n\z)|(?=[\r\x{85}\x{2028}\x{2029}]\z))";

/// Java 19+'s `\b`: ASCII word characters, consistent with its `\w`.
const ASCII_WORD: &str = "[0-9A-Z_a-z]";

impl Writer {
    /// `at_end`: nothing that consumes input can follow this node in a whole-string match, so a `$` here can only
    /// match at the very end. `in_look`: inside a look-around, whose match need not reach the end.
    fn node(&mut self, node: &Node, at_end: bool, in_look: bool) {
        match node {
            Node::Empty => self.out.push_str("(?:)"),
            Node::Class(class) => {
                let set = match self.reading {
                    Reading::Unicode => &class.sets.unicode,
                    _ => &class.sets.java,
                };
                write_class(&mut self.out, set);
            }
            Node::Concat(items) => {
                for (i, item) in items.iter().enumerate() {
                    let rest_zero_width = items[i + 1..].iter().all(|n| max_len(n) == Some(0));
                    self.node(item, at_end && rest_zero_width, in_look);
                }
            }
            Node::Alt(items) => {
                self.out.push_str("(?:");
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.out.push('|');
                    }
                    self.node(item, at_end, in_look);
                }
                self.out.push(')');
            }
            Node::Repeat(rep) => {
                let (min, max) = match self.bounds {
                    Some(b) if b.id == rep.id => (b.copies, Some(b.copies)),
                    _ => (rep.min, rep.max),
                };
                if max_len(&rep.node) == Some(0) {
                    // Repeating what consumes nothing (Java allows `(?!\.)+`; fancy-regex does not): once when
                    // required, else never.
                    if min == 0 {
                        self.out.push_str("(?:)");
                    } else {
                        self.node(&rep.node, at_end, in_look);
                    }
                    return;
                }
                let per_copy = min_len(&rep.node);
                let max = match max {
                    Some(n) if self.relax && n > RELAX_ABOVE && per_copy >= 1 => {
                        let exact = (n as u64).saturating_mul(per_copy);
                        self.exact_up_to = self
                            .exact_up_to
                            .min(usize::try_from(exact).unwrap_or(usize::MAX));
                        None
                    }
                    other => other,
                };
                let possessive = rep.kind == RepeatKind::Possessive;
                if possessive {
                    self.backtracking = true;
                    self.out.push_str("(?>");
                }
                self.out.push_str("(?:");
                let child_at_end =
                    at_end && (max.is_some_and(|m| m <= 1) || max_len(&rep.node) == Some(0));
                self.node(&rep.node, child_at_end, in_look);
                self.out.push(')');
                match (min, max) {
                    (0, Some(1)) => self.out.push('?'),
                    (0, None) => self.out.push('*'),
                    (1, None) => self.out.push('+'),
                    (min, None) => {
                        let _ = write!(self.out, "{{{min},}}");
                    }
                    (min, Some(max)) if min == max => {
                        let _ = write!(self.out, "{{{min}}}");
                    }
                    (min, Some(max)) => {
                        let _ = write!(self.out, "{{{min},{max}}}");
                    }
                }
                if rep.kind == RepeatKind::Lazy {
                    self.out.push('?');
                }
                if possessive {
                    self.out.push(')');
                }
            }
            Node::Group { index, node } => {
                self.out.push_str(if index.is_some() { "(" } else { "(?:" });
                self.node(node, at_end, in_look);
                self.out.push(')');
            }
            Node::Atomic(node) => {
                self.backtracking = true;
                self.out.push_str("(?>");
                self.node(node, at_end, in_look);
                self.out.push(')');
            }
            Node::Look {
                behind,
                negated,
                node,
            } => {
                self.backtracking = true;
                self.out.push_str(match (behind, negated) {
                    (false, false) => "(?=",
                    (false, true) => "(?!",
                    (true, false) => "(?<=",
                    (true, true) => "(?<!",
                });
                self.node(node, false, true);
                self.out.push(')');
            }
            Node::Backref(index) => {
                self.backtracking = true;
                let _ = write!(self.out, r"(?:\{index})");
            }
            Node::Assert(assertion) => self.assertion(*assertion, at_end && !in_look),
        }
    }

    fn assertion(&mut self, assertion: Assertion, at_end: bool) {
        match assertion {
            Assertion::Begin => self.out.push_str(r"\A"),
            Assertion::End => self.out.push_str(r"\z"),
            // A whole-string match must end at the end of the input, so a `$` that nothing consuming follows can
            // only hold there.
            Assertion::Dollar if at_end => self.out.push_str(r"\z"),
            Assertion::Dollar => {
                self.backtracking = true;
                self.out.push_str(JAVA_DOLLAR);
            }
            Assertion::WordBoundary | Assertion::NotWordBoundary => {
                let negated = assertion == Assertion::NotWordBoundary;
                match self.reading {
                    Reading::Java => {
                        // ASCII word boundary by look-around: fancy-regex has no `(?-u:\b)`, and the `regex` crate
                        // would take it on UTF-8 bytes. Patterns with `\b` are few and short.
                        self.backtracking = true;
                        let w = ASCII_WORD;
                        if negated {
                            let _ = write!(self.out, "(?:(?<={w})(?={w})|(?<!{w})(?!{w}))");
                        } else {
                            let _ = write!(self.out, "(?:(?<={w})(?!{w})|(?<!{w})(?={w}))");
                        }
                    }
                    Reading::JavaUnicodeBoundary | Reading::Unicode => {
                        self.out.push_str(if negated { r"\B" } else { r"\b" })
                    }
                }
            }
        }
    }
}

/// Writes a set as a class of `\x{...}` ranges (or one escaped character); the empty set as a class that never
/// matches.
pub(crate) fn write_class(out: &mut String, set: &CharSet) {
    let ranges = set.ranges();
    match ranges {
        [] => out.push_str(r"[^\x{0}-\x{10FFFF}]"),
        [one] if one.start() == one.end() => write_char(out, one.start()),
        _ => {
            out.push('[');
            for r in ranges {
                write_char(out, r.start());
                if r.end() != r.start() {
                    out.push('-');
                    write_char(out, r.end());
                }
            }
            out.push(']');
        }
    }
}

fn write_char(out: &mut String, c: char) {
    if c.is_ascii_alphabetic() {
        out.push(c);
    } else {
        let _ = write!(out, r"\x{{{:X}}}", c as u32);
    }
}
