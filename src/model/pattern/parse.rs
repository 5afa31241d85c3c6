//! Java's `java.util.regex` syntax parsed into a tree whose classes are resolved sets, so that the matching engines,
//! the generator and the probes all read one meaning: the one `Pattern.compile` gives (JDK 9 and later).
//!
//! What follows Java rather than Perl or Rust: `\w \d \s` and the POSIX classes are ASCII; `.` excludes all five line
//! terminators; `(?i)` folds ASCII letters only; `$` may match before a final line terminator; `\uD800\uDC00` is
//! one supplementary character (a lone surrogate matches nothing in a valid string); `[` inside a class opens a
//! nested class and `&&` intersects; `-` after a class escape is a literal; `{` that is no quantifier is an error;
//! `\v` is vertical whitespace (but `\x0B` as a range end); a look-behind needs a bounded length.

use super::charset::{self, ClassSets};

/// Deepest nesting of groups and classes accepted: no model nests beyond 10, and the engines have nesting limits
/// of their own (the `regex` crate's is 250 levels of its syntax, which a group here can take two or three of).
const MAX_DEPTH: usize = 40;

/// A parsed pattern.
#[derive(Debug, Clone)]
pub(crate) struct Ast {
    /// The tree.
    pub(crate) root: Node,
    /// How many capturing groups there are (numbered from 1 in order of their `(`).
    pub(crate) groups: u32,
}

/// A node of the tree.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    /// Matches the empty string.
    Empty,
    /// One character from a set.
    Class(Box<ClassNode>),
    /// A sequence.
    Concat(Vec<Node>),
    /// Alternatives, in order.
    Alt(Vec<Node>),
    /// A quantified node.
    Repeat(Box<Repeat>),
    /// A group; `index` for a capturing one.
    Group { index: Option<u32>, node: Box<Node> },
    /// An atomic group `(?>...)`.
    Atomic(Box<Node>),
    /// A look-ahead or look-behind.
    Look {
        behind: bool,
        negated: bool,
        node: Box<Node>,
    },
    /// A back-reference to a capturing group.
    Backref(u32),
    /// A zero-width assertion.
    Assert(Assertion),
}

/// One character from a set, and the literal it spells if it is one.
#[derive(Debug, Clone)]
pub(crate) struct ClassNode {
    /// The set under each reading.
    pub(crate) sets: ClassSets,
    /// The character written literally (`@` in `a@b`), if this is a literal rather than a class.
    pub(crate) literal: Option<char>,
}

/// A quantified node.
#[derive(Debug, Clone)]
pub(crate) struct Repeat {
    /// The repetition's id, its rank in source order.
    pub(crate) id: usize,
    /// What is repeated.
    pub(crate) node: Node,
    /// Fewest copies.
    pub(crate) min: u32,
    /// Most copies; `None` for unbounded.
    pub(crate) max: Option<u32>,
    /// Greedy, lazy or possessive.
    pub(crate) kind: RepeatKind,
    /// Whether written with braces (`{12}`, `{1,64}`) rather than `?`, `*`, `+`.
    pub(crate) counted: bool,
    /// The source text of the repeated atom and its quantifier (`[0-9a-f]{32}`).
    pub(crate) text: String,
}

/// How a quantifier backtracks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RepeatKind {
    /// As many as possible first.
    Greedy,
    /// As few as possible first (`*?`).
    Lazy,
    /// As many as possible, never giving back (`*+`).
    Possessive,
}

/// Zero-width assertions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Assertion {
    /// `^` (without `(?m)`) and `\A`: the start of the input.
    Begin,
    /// `\z`: the end of the input.
    End,
    /// `$` (without `(?m)`) and `\Z`: the end, or before a line terminator that ends the input.
    Dollar,
    /// `\b`.
    WordBoundary,
    /// `\B`.
    NotWordBoundary,
}

/// Where and why parsing failed; `offset` counts characters from the start of the pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParseError {
    /// The character offset of the offending construct.
    pub(crate) offset: usize,
    /// What is wrong, lowercase.
    pub(crate) message: String,
}

type Result<T> = std::result::Result<T, ParseError>;

#[derive(Debug, Clone, Copy, Default)]
struct Flags {
    case_insensitive: bool,
    dotall: bool,
}

/// What an escape sequence stands for.
enum Escape {
    Char(u32),
    Set(ClassSets),
    Node(Node),
    QuoteStart,
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
    flags: Flags,
    groups: u32,
    names: Vec<(String, u32)>,
    repeats: usize,
    depth: usize,
    quoting: bool,
}

/// Parses a pattern with Java's syntax.
pub(crate) fn parse(source: &str) -> Result<Ast> {
    let mut parser = Parser {
        chars: source.chars().collect(),
        pos: 0,
        flags: Flags::default(),
        groups: 0,
        names: Vec::new(),
        repeats: 0,
        depth: 0,
        quoting: false,
    };
    let root = parser.alternation()?;
    if parser.pos < parser.chars.len() {
        return parser.fail(parser.pos, "unmatched closing `)`");
    }
    let groups = parser.groups;
    let mut root = root;
    resolve_backrefs(&mut root, groups);
    Ok(Ast { root, groups })
}

/// A back-reference to a group that does not exist never matches in Java: make it an empty class.
fn resolve_backrefs(node: &mut Node, groups: u32) {
    match node {
        Node::Backref(i) if *i > groups => {
            *node = Node::Class(Box::new(ClassNode {
                sets: ClassSets::plain(charset::empty()),
                literal: None,
            }))
        }
        Node::Concat(items) | Node::Alt(items) => {
            items.iter_mut().for_each(|n| resolve_backrefs(n, groups))
        }
        Node::Repeat(rep) => resolve_backrefs(&mut rep.node, groups),
        Node::Group { node, .. } | Node::Atomic(node) | Node::Look { node, .. } => {
            resolve_backrefs(node, groups)
        }
        _ => {}
    }
}

impl Parser {
    fn fail<T>(&self, offset: usize, message: impl Into<String>) -> Result<T> {
        Err(ParseError {
            offset,
            message: message.into(),
        })
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_at(&self, k: usize) -> Option<char> {
        self.chars.get(self.pos + k).copied()
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn text(&self, from: usize) -> String {
        self.chars[from..self.pos.min(self.chars.len())]
            .iter()
            .collect()
    }

    /// Leaves `\Q...\E` quoting when at `\E`.
    fn end_quote(&mut self) {
        if self.quoting && self.peek() == Some('\\') && self.peek_at(1) == Some('E') {
            self.pos += 2;
            self.quoting = false;
        }
    }

    fn alternation(&mut self) -> Result<Node> {
        let mut alternatives = vec![self.sequence()?];
        while self.eat('|') {
            alternatives.push(self.sequence()?);
        }
        Ok(if alternatives.len() == 1 {
            alternatives.pop().unwrap_or(Node::Empty)
        } else {
            Node::Alt(alternatives)
        })
    }

    fn sequence(&mut self) -> Result<Node> {
        let mut items = Vec::new();
        loop {
            self.end_quote();
            let start = self.pos;
            let Some(c) = self.peek() else { break };
            if self.quoting {
                self.pos += 1;
                let atom = self.literal(c as u32);
                self.end_quote();
                // Java unquotes `\Q...\E` into escaped characters first, so a quantifier after `\E` applies to the
                // last quoted character.
                let atom = if self.quoting {
                    atom
                } else {
                    self.quantifier(atom, start)?
                };
                items.push(atom);
                continue;
            }
            let atom = match c {
                '|' | ')' => break,
                '*' | '+' | '?' => {
                    return self.fail(start, format!("dangling meta character `{c}`"));
                }
                '(' => match self.group()? {
                    Some(node) => node,
                    None => continue,
                },
                '[' => {
                    self.pos += 1;
                    let sets = self.class(start, true)?;
                    class_node(sets, None)
                }
                '.' => {
                    self.pos += 1;
                    class_node(charset::dot(self.flags.dotall), None)
                }
                '^' => {
                    self.pos += 1;
                    Node::Assert(Assertion::Begin)
                }
                '$' => {
                    self.pos += 1;
                    Node::Assert(Assertion::Dollar)
                }
                // Java parses `{` in atom position as an empty atom, then as its quantifier (an error unless digits
                // follow).
                '{' => Node::Empty,
                '\\' => match self.escape(false, false)? {
                    Escape::Char(c) => self.literal(c),
                    Escape::Set(sets) => class_node(sets, None),
                    Escape::Node(node) => node,
                    Escape::QuoteStart => {
                        self.quoting = true;
                        continue;
                    }
                },
                _ => {
                    self.pos += 1;
                    self.literal(c as u32)
                }
            };
            let atom = self.quantifier(atom, start)?;
            items.push(atom);
        }
        Ok(match items.len() {
            0 => Node::Empty,
            1 => items.pop().unwrap_or(Node::Empty),
            _ => Node::Concat(items),
        })
    }

    fn literal(&self, c: u32) -> Node {
        let mut sets = ClassSets::plain(charset::single(c));
        if self.flags.case_insensitive {
            sets = sets.case_insensitive();
        }
        class_node(sets, char::from_u32(c))
    }

    fn quantifier(&mut self, atom: Node, start: usize) -> Result<Node> {
        let at = self.pos;
        let (min, max, counted) = match self.peek() {
            Some('?') => (0, Some(1), false),
            Some('*') => (0, None, false),
            Some('+') => (1, None, false),
            Some('{') => {
                self.pos += 1;
                if !self.peek().is_some_and(|c| c.is_ascii_digit()) {
                    return self.fail(at, "illegal repetition: `{` must start a quantifier such as `{2}`, `{2,}` or `{2,5}` (escape it as `\\{`)");
                }
                let min = self.number(at)?;
                let max = if self.eat(',') {
                    if self.peek().is_some_and(|c| c.is_ascii_digit()) {
                        Some(self.number(at)?)
                    } else {
                        None
                    }
                } else {
                    Some(min)
                };
                if !self.eat('}') {
                    return self.fail(at, "unclosed counted repetition: `}` expected");
                }
                self.pos -= 1;
                if max.is_some_and(|max| max < min) {
                    return self.fail(
                        at,
                        "illegal repetition range: the maximum is below the minimum",
                    );
                }
                (min, max, true)
            }
            _ => return Ok(atom),
        };
        self.pos += 1;
        let kind = if self.eat('?') {
            RepeatKind::Lazy
        } else if self.eat('+') {
            RepeatKind::Possessive
        } else {
            RepeatKind::Greedy
        };
        let id = self.repeats;
        self.repeats += 1;
        Ok(Node::Repeat(Box::new(Repeat {
            id,
            node: atom,
            min,
            max,
            kind,
            counted,
            text: self.text(start),
        })))
    }

    fn number(&mut self, at: usize) -> Result<u32> {
        let mut n: u32 = 0;
        while let Some(d) = self.peek().and_then(|c| c.to_digit(10)) {
            self.pos += 1;
            n = match n.checked_mul(10).and_then(|n| n.checked_add(d)) {
                Some(n) if n <= i32::MAX as u32 => n,
                _ => return self.fail(at, "illegal repetition range: the count overflows"),
            };
        }
        Ok(n)
    }

    /// Parses a group from its `(`; `None` for a bare flag group like `(?i)`, which only sets flags.
    fn group(&mut self) -> Result<Option<Node>> {
        let start = self.pos;
        self.pos += 1;
        if self.depth >= MAX_DEPTH {
            return self.fail(start, format!("groups nest deeper than {MAX_DEPTH} levels"));
        }
        let saved = self.flags;
        enum Kind {
            Plain(Option<u32>),
            Atomic,
            Look { behind: bool, negated: bool },
        }
        let kind = if self.eat('?') {
            match self.peek() {
                Some(':') => {
                    self.pos += 1;
                    Kind::Plain(None)
                }
                Some('=') | Some('!') => {
                    let negated = self.peek() == Some('!');
                    self.pos += 1;
                    Kind::Look {
                        behind: false,
                        negated,
                    }
                }
                Some('>') => {
                    self.pos += 1;
                    Kind::Atomic
                }
                Some('<') => {
                    self.pos += 1;
                    match self.peek() {
                        Some('=') | Some('!') => {
                            let negated = self.peek() == Some('!');
                            self.pos += 1;
                            Kind::Look {
                                behind: true,
                                negated,
                            }
                        }
                        Some(c) if c.is_ascii_alphabetic() => {
                            let name = self.group_name(start)?;
                            if self.names.iter().any(|(n, _)| *n == name) {
                                return self.fail(
                                    start,
                                    format!("named capturing group <{name}> is already defined"),
                                );
                            }
                            self.groups += 1;
                            self.names.push((name, self.groups));
                            Kind::Plain(Some(self.groups))
                        }
                        _ => return self.fail(start, "unknown look-behind group"),
                    }
                }
                _ => {
                    self.inline_flags(start)?;
                    if self.eat(')') {
                        return Ok(None);
                    }
                    if !self.eat(':') {
                        return self.fail(start, "unknown inline modifier");
                    }
                    Kind::Plain(None)
                }
            }
        } else {
            self.groups += 1;
            Kind::Plain(Some(self.groups))
        };
        self.depth += 1;
        let body = self.alternation()?;
        self.depth -= 1;
        if !self.eat(')') {
            return self.fail(start, "unclosed group: `)` expected");
        }
        self.flags = saved;
        Ok(Some(match kind {
            Kind::Plain(index) => Node::Group {
                index,
                node: Box::new(body),
            },
            Kind::Atomic => Node::Atomic(Box::new(body)),
            Kind::Look { behind, negated } => {
                if behind && max_len(&body).is_none() {
                    return self.fail(
                        start,
                        "look-behind group does not have an obvious maximum length",
                    );
                }
                Node::Look {
                    behind,
                    negated,
                    node: Box::new(body),
                }
            }
        }))
    }

    fn group_name(&mut self, start: usize) -> Result<String> {
        let mut name = String::new();
        while let Some(c) = self.peek() {
            if c.is_ascii_alphanumeric() {
                name.push(c);
                self.pos += 1;
            } else {
                break;
            }
        }
        if !self.eat('>') {
            return self.fail(start, "named group is missing its closing `>`");
        }
        Ok(name)
    }

    /// Java's inline flags `(?idmsuxU-idmsuxU)`; only `i` and `s` are supported (the only ones the models use).
    fn inline_flags(&mut self, start: usize) -> Result<()> {
        let mut on = true;
        while let Some(c) = self.peek() {
            match c {
                'i' => self.flags.case_insensitive = on,
                's' => self.flags.dotall = on,
                '-' if on => on = false,
                'd' | 'm' | 'u' | 'x' | 'U' | 'c' => {
                    return self.fail(
                        self.pos,
                        format!("the inline flag `{c}` is not supported (only `i` and `s` are)"),
                    );
                }
                _ => break,
            }
            self.pos += 1;
        }
        if !matches!(self.peek(), Some(')') | Some(':')) {
            return self.fail(start, "unknown inline modifier");
        }
        Ok(())
    }

    /// Parses a class body after its `[` (or, when `consume` is false, the right side of `&&`), as JDK 9+ does.
    fn class(&mut self, open: usize, consume: bool) -> Result<ClassSets> {
        if self.depth >= MAX_DEPTH {
            return self.fail(open, format!("classes nest deeper than {MAX_DEPTH} levels"));
        }
        self.depth += 1;
        let mut negated = false;
        if self.peek() == Some('^') && self.pos > 0 && self.chars[self.pos - 1] == '[' {
            self.pos += 1;
            negated = true;
        }
        let mut acc: Option<ClassSets> = None;
        loop {
            self.end_quote();
            let Some(c) = self.peek() else {
                return self.fail(open, "unclosed character class: `]` expected");
            };
            if self.quoting {
                self.pos += 1;
                let item = self.class_char(c as u32, c as u32);
                acc = Some(union_opt(acc, item));
                continue;
            }
            match c {
                '[' => {
                    let at = self.pos;
                    self.pos += 1;
                    let item = self.class(at, true)?;
                    acc = Some(union_opt(acc, item));
                }
                '&' if self.peek_at(1) == Some('&') => {
                    self.pos += 2;
                    let mut right: Option<ClassSets> = None;
                    loop {
                        match self.peek() {
                            None => {
                                return self.fail(open, "unclosed character class: `]` expected");
                            }
                            Some(']') | Some('&') => break,
                            Some('[') => {
                                let at = self.pos;
                                self.pos += 1;
                                let item = self.class(at, true)?;
                                right = Some(union_opt(right, item));
                            }
                            Some(_) => {
                                let item = self.class(open, false)?;
                                right = Some(union_opt(right, item));
                            }
                        }
                    }
                    acc = match (acc, right) {
                        (None, None) => return self.fail(open, "bad class syntax around `&&`"),
                        (None, Some(r)) => Some(r),
                        (Some(l), None) => Some(l),
                        (Some(l), Some(r)) => Some(l.intersect(&r)),
                    };
                }
                ']' if acc.is_some() => {
                    if consume {
                        self.pos += 1;
                    }
                    self.depth -= 1;
                    let sets = acc.unwrap_or_else(|| ClassSets::plain(charset::empty()));
                    return Ok(if negated { sets.negate() } else { sets });
                }
                _ => {
                    let item = self.class_range()?;
                    acc = Some(union_opt(acc, item));
                }
            }
        }
    }

    /// One item of a class: a character, a range, or a class escape (Java's `range`).
    fn class_range(&mut self) -> Result<ClassSets> {
        let start = self.pos;
        let Some(c) = self.peek() else {
            return self.fail(start, "unclosed character class: `]` expected");
        };
        let first = if c == '\\' {
            match self.escape(true, self.peek_at(2) == Some('-'))? {
                Escape::Char(c) => c,
                Escape::Set(sets) => return Ok(sets),
                Escape::QuoteStart => {
                    self.quoting = true;
                    return Ok(ClassSets::plain(charset::empty()));
                }
                Escape::Node(_) => {
                    return self.fail(start, "this escape sequence is not allowed inside a class");
                }
            }
        } else {
            self.pos += 1;
            c as u32
        };
        if self.peek() == Some('-') {
            match self.peek_at(1) {
                Some('[') | Some(']') | None => {}
                Some(end) => {
                    self.pos += 1;
                    let last =
                        if end == '\\' {
                            match self.escape(true, true)? {
                                Escape::Char(c) => c,
                                _ => return self.fail(
                                    start,
                                    "illegal character range: a range must end with a character",
                                ),
                            }
                        } else {
                            self.pos += 1;
                            end as u32
                        };
                    if last < first {
                        return self.fail(
                            start,
                            format!("illegal character range `{}`", self.text(start)),
                        );
                    }
                    return Ok(self.class_char(first, last));
                }
            }
        }
        Ok(self.class_char(first, first))
    }

    fn class_char(&self, lo: u32, hi: u32) -> ClassSets {
        let sets = ClassSets::plain(charset::range(lo, hi));
        if self.flags.case_insensitive {
            sets.case_insensitive()
        } else {
            sets
        }
    }

    /// Parses an escape from its backslash (Java's `escape`); `range_end` says a `-` follows (so `\v` is VT).
    fn escape(&mut self, in_class: bool, range_end: bool) -> Result<Escape> {
        let start = self.pos;
        self.pos += 1;
        let Some(c) = self.peek() else {
            return self.fail(start, "the pattern ends with a lone backslash");
        };
        self.pos += 1;
        let outside_only = |node: Node| -> Result<Escape> {
            if in_class {
                Err(ParseError {
                    offset: start,
                    message: format!("illegal/unsupported escape sequence `\\{c}` inside a class"),
                })
            } else {
                Ok(Escape::Node(node))
            }
        };
        Ok(match c {
            '0' => Escape::Char(self.octal(start)?),
            '1'..='9' => {
                if in_class {
                    return self.fail(
                        start,
                        format!("illegal/unsupported escape sequence `\\{c}` inside a class"),
                    );
                }
                let mut index = c as u32 - '0' as u32;
                while let Some(d) = self.peek().and_then(|d| d.to_digit(10)) {
                    let next = index * 10 + d;
                    if next > self.groups {
                        break;
                    }
                    index = next;
                    self.pos += 1;
                }
                Escape::Node(Node::Backref(index))
            }
            'A' => outside_only(Node::Assert(Assertion::Begin))?,
            'z' => outside_only(Node::Assert(Assertion::End))?,
            'Z' => outside_only(Node::Assert(Assertion::Dollar))?,
            'b' => outside_only(Node::Assert(Assertion::WordBoundary))?,
            'B' => outside_only(Node::Assert(Assertion::NotWordBoundary))?,
            'R' => outside_only(linebreak())?,
            'v' if range_end => Escape::Char(0x0B),
            'd' | 'D' | 'w' | 'W' | 's' | 'S' | 'h' | 'H' | 'v' | 'V' => Escape::Set(
                charset::shorthand(c).unwrap_or_else(|| ClassSets::plain(charset::empty())),
            ),
            'p' | 'P' => {
                let name = if self.eat('{') {
                    let from = self.pos;
                    while self.peek().is_some_and(|c| c != '}') {
                        self.pos += 1;
                    }
                    if !self.eat('}') {
                        return self.fail(start, "unclosed character family: `}` expected");
                    }
                    let name: String = self.chars[from..self.pos - 1].iter().collect();
                    if name.is_empty() {
                        return self.fail(start, "empty character family `\\p{}`");
                    }
                    name
                } else {
                    match self.peek() {
                        Some(letter) => {
                            self.pos += 1;
                            letter.to_string()
                        }
                        None => return self.fail(start, "the pattern ends inside `\\p`"),
                    }
                };
                let sets = charset::family(&name).or_else(|e| self.fail(start, e))?;
                Escape::Set(if c == 'P' { sets.negate() } else { sets })
            }
            'Q' => Escape::QuoteStart,
            'a' => Escape::Char(0x07),
            'e' => Escape::Char(0x1B),
            'f' => Escape::Char(0x0C),
            'n' => Escape::Char(0x0A),
            'r' => Escape::Char(0x0D),
            't' => Escape::Char(0x09),
            'c' => match self.peek() {
                Some(x) => {
                    self.pos += 1;
                    Escape::Char(x as u32 ^ 64)
                }
                None => return self.fail(start, "illegal control escape sequence"),
            },
            'u' => Escape::Char(self.unicode_escape(start)?),
            'x' => Escape::Char(self.hex_escape(start)?),
            'k' => {
                if in_class {
                    return self.fail(
                        start,
                        "illegal/unsupported escape sequence `\\k` inside a class",
                    );
                }
                if !self.eat('<') {
                    return self.fail(start, "`\\k` must be followed by `<name>`");
                }
                let name = self.group_name(start)?;
                match self.names.iter().find(|(n, _)| *n == name) {
                    Some((_, index)) => Escape::Node(Node::Backref(*index)),
                    None => {
                        return self.fail(
                            start,
                            format!("named capturing group <{name}> does not exist"),
                        );
                    }
                }
            }
            'G' => return self.fail(start, "`\\G` is not supported"),
            'X' => return self.fail(start, "`\\X` (grapheme clusters) is not supported"),
            'N' => return self.fail(start, "`\\N{...}` (named characters) is not supported"),
            c if c.is_ascii_alphabetic() => {
                return self.fail(
                    start,
                    format!("illegal/unsupported escape sequence `\\{c}`"),
                );
            }
            c => Escape::Char(c as u32),
        })
    }

    /// `\0n`, `\0nn`, `\0mnn` (m ≤ 3), after the `0`.
    fn octal(&mut self, start: usize) -> Result<u32> {
        let digit = |c: Option<char>| c.and_then(|c| c.to_digit(8));
        let Some(n) = digit(self.peek()) else {
            return self.fail(start, "illegal octal escape sequence");
        };
        self.pos += 1;
        let Some(m) = digit(self.peek()) else {
            return Ok(n);
        };
        self.pos += 1;
        match digit(self.peek()) {
            Some(o) if n <= 3 => {
                self.pos += 1;
                Ok(n * 64 + m * 8 + o)
            }
            _ => Ok(n * 8 + m),
        }
    }

    fn hex4(&mut self, start: usize) -> Result<u32> {
        let mut value = 0;
        for _ in 0..4 {
            match self.peek().and_then(|c| c.to_digit(16)) {
                Some(d) => {
                    value = value * 16 + d;
                    self.pos += 1;
                }
                None => {
                    return self.fail(
                        start,
                        "illegal unicode escape sequence: `\\u` needs four hex digits",
                    );
                }
            }
        }
        Ok(value)
    }

    /// `\uXXXX`; a high surrogate followed by `\u` and a low surrogate is the supplementary character they encode.
    fn unicode_escape(&mut self, start: usize) -> Result<u32> {
        let high = self.hex4(start)?;
        if (0xD800..=0xDBFF).contains(&high)
            && self.peek() == Some('\\')
            && self.peek_at(1) == Some('u')
        {
            let save = self.pos;
            self.pos += 2;
            if let Ok(low) = self.hex4(start)
                && (0xDC00..=0xDFFF).contains(&low)
            {
                return Ok(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00));
            }
            self.pos = save;
        }
        Ok(high)
    }

    /// `\xhh` or `\x{h...}`.
    fn hex_escape(&mut self, start: usize) -> Result<u32> {
        let hex = |c: Option<char>| c.and_then(|c| c.to_digit(16));
        if let (Some(a), Some(b)) = (hex(self.peek()), hex(self.peek_at(1))) {
            self.pos += 2;
            return Ok(a * 16 + b);
        }
        if self.peek() == Some('{') && hex(self.peek_at(1)).is_some() {
            self.pos += 1;
            let mut value: u32 = 0;
            while let Some(d) = hex(self.peek()) {
                self.pos += 1;
                value = value * 16 + d;
                if value > 0x10_FFFF {
                    return self.fail(start, "hexadecimal code point is too big");
                }
            }
            if !self.eat('}') {
                return self.fail(start, "unclosed hexadecimal escape sequence");
            }
            return Ok(value);
        }
        self.fail(start, "illegal hexadecimal escape sequence")
    }
}

fn union_opt(acc: Option<ClassSets>, item: ClassSets) -> ClassSets {
    match acc {
        Some(acc) => acc.union(&item),
        None => item,
    }
}

fn class_node(sets: ClassSets, literal: Option<char>) -> Node {
    Node::Class(Box::new(ClassNode { sets, literal }))
}

/// Java's `\R`: `\r\n` or one vertical whitespace character, atomically.
fn linebreak() -> Node {
    let crlf = Node::Concat(vec![
        class_node(ClassSets::plain(charset::single(0x0D)), Some('\r')),
        class_node(ClassSets::plain(charset::single(0x0A)), Some('\n')),
    ]);
    let one = class_node(ClassSets::plain(charset::vertical_space()), None);
    Node::Atomic(Box::new(Node::Alt(vec![crlf, one])))
}

/// The fewest characters a node can match (look-arounds and back-references count as zero).
pub(crate) fn min_len(node: &Node) -> u64 {
    match node {
        Node::Empty | Node::Look { .. } | Node::Backref(_) | Node::Assert(_) => 0,
        Node::Class(_) => 1,
        Node::Concat(items) => items.iter().map(min_len).fold(0, u64::saturating_add),
        Node::Alt(items) => items.iter().map(min_len).min().unwrap_or(0),
        Node::Repeat(rep) => min_len(&rep.node).saturating_mul(rep.min as u64),
        Node::Group { node, .. } | Node::Atomic(node) => min_len(node),
    }
}

/// The most characters a node can match; `None` when unbounded or unknown (a back-reference).
pub(crate) fn max_len(node: &Node) -> Option<u64> {
    match node {
        Node::Empty | Node::Look { .. } | Node::Assert(_) => Some(0),
        Node::Backref(_) => None,
        Node::Class(_) => Some(1),
        Node::Concat(items) => items
            .iter()
            .try_fold(0u64, |acc, n| max_len(n).map(|m| acc.saturating_add(m))),
        Node::Alt(items) => items
            .iter()
            .try_fold(0u64, |acc, n| max_len(n).map(|m| acc.max(m))),
        Node::Repeat(rep) => match (max_len(&rep.node)?, rep.max) {
            (0, _) => Some(0),
            (m, Some(max)) => Some(m.saturating_mul(max as u64)),
            (_, None) => None,
        },
        Node::Group { node, .. } | Node::Atomic(node) => max_len(node),
    }
}
