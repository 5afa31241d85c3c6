//! Patterns with AWS's semantics (Java's `java.util.regex`, whole-string match): checking, generating, and probes
//! for strings that only a loose checker would accept.
//!
//! AWS validates a `pattern` trait with `Matcher.matches()`: the whole string must match, `\w \d \s` and the POSIX
//! classes are ASCII, `.` excludes five line terminators, `(?i)` folds ASCII only. A pattern is parsed once with
//! Java's grammar ([`parse`]) into a tree whose classes are resolved sets, then written back as a whole-string pattern
//! of explicit ranges ([`emit`]) for Rust's linear-time `regex` crate or, when it needs look-around,
//! back-references or atomic groups, for the backtracking `fancy-regex`. [`generate`] builds matching strings of an
//! exact length from the same tree, and [`probe`] builds the strings that must fail.

mod charset;
mod emit;
mod generate;
#[cfg(test)]
mod model_patterns;
mod parse;
mod probe;
#[cfg(test)]
mod tests;

use std::fmt;
use std::sync::{Arc, OnceLock};

pub use generate::{Lengths, PatternGen, Pick};
pub use probe::{Lookalike, LookalikeProbe, RepetitionBound, RepetitionProbe};

use emit::{BoundsOverride, Reading};
use parse::{Assertion, Ast, Node};

/// Most backtracking steps the backtracking engine may take for one match before it gives up (see
/// [`Pattern::try_match`]); generous, since no model pattern comes near it for strings of a few thousand characters.
const BACKTRACK_LIMIT: usize = 10_000_000;

/// Largest compiled program the `regex` crate may build: the default 10 MiB is too small for a few model patterns
/// that repeat a large Unicode class a thousand times (`[\p{L}\p{N}]{1,1024}`).
const SIZE_LIMIT: usize = 1 << 28;

/// A compiled spec pattern with AWS's semantics.
#[derive(Clone)]
pub struct Pattern {
    /// The pattern as the model writes it (`^\d{12}$`).
    pub source: String,
    ast: Arc<Ast>,
    matcher: Checker,
    /// The reading of JDK 18 and older, whose `\b` counts Unicode letters and digits as word characters; only for
    /// patterns with `\b` or `\B`, whose verdict on non-ASCII text depends on the JVM AWS runs.
    legacy_boundary: Option<Checker>,
    /// Whether a class is defined by a Unicode property, whose members depend on the JVM's Unicode version.
    pub(crate) uses_property: bool,
}

/// Why a pattern cannot be compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    pattern: String,
    offset: Option<usize>,
    reason: String,
}

impl PatternError {
    /// Where in the pattern the problem is, in characters from its start, when it is at one place.
    pub fn offset(&self) -> Option<usize> {
        self.offset
    }

    /// What is wrong or unsupported, without the pattern (`the inline flag `x` is not supported`).
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "failed to compile pattern `{}`: {}",
            self.pattern, self.reason
        )?;
        if let Some(offset) = self.offset {
            write!(f, " (at character {offset})")?;
        }
        Ok(())
    }
}

impl std::error::Error for PatternError {}

/// A compiled whole-string matcher.
#[derive(Clone)]
pub(crate) enum Matcher {
    /// The `regex` crate: linear time.
    Linear(regex::Regex),
    /// `fancy-regex`: backtracking, for look-around, back-references and atomic groups.
    Backtracking(fancy_regex::Regex),
}

impl fmt::Debug for Matcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Matcher::Linear(regex) => write!(f, "Linear({:?})", regex.as_str()),
            Matcher::Backtracking(regex) => write!(f, "Backtracking({:?})", regex.as_str()),
        }
    }
}

impl Matcher {
    /// Compiles a translation with the engine it needs.
    fn compile(translation: &emit::Translation) -> Result<Matcher, String> {
        if translation.backtracking {
            fancy_regex::RegexBuilder::new(&translation.text)
                .backtrack_limit(BACKTRACK_LIMIT)
                .delegate_size_limit(SIZE_LIMIT)
                .build()
                .map(Matcher::Backtracking)
                .map_err(|e| {
                    format!(
                        "fancy-regex rejected the translation `{}`: {e}",
                        translation.text
                    )
                })
        } else {
            regex::RegexBuilder::new(&translation.text)
                .size_limit(SIZE_LIMIT)
                .build()
                .map(Matcher::Linear)
                .map_err(|e| match e {
                    regex::Error::CompiledTooBig(limit) => {
                        format!("the compiled pattern exceeds the size limit of {limit} bytes")
                    }
                    other => format!(
                        "the regex crate rejected the translation `{}`: {other}",
                        translation.text
                    ),
                })
        }
    }

    /// Whether the whole of `value` matches; `Err` when the backtracking engine gives up.
    fn try_match(&self, value: &str) -> Result<bool, String> {
        match self {
            Matcher::Linear(regex) => Ok(regex.is_match(value)),
            Matcher::Backtracking(regex) => regex.is_match(value).map_err(|e| e.to_string()),
        }
    }
}

/// One reading of a parsed pattern, compiled for fast checks.
///
/// Large counted repetitions are compiled relaxed (see `emit::RELAX_ABOVE`), which decides exactly for strings up
/// to `exact_up_to` characters; a string longer than the pattern's longest match fails at once; only strings in
/// between need the unrelaxed pattern, compiled on first use.
#[derive(Debug, Clone)]
pub(crate) struct Checker {
    relaxed: Matcher,
    exact_up_to: usize,
    longest: Option<usize>,
    exact: Arc<OnceLock<Result<Matcher, String>>>,
    ast: Arc<Ast>,
    reading: Reading,
    bounds: Option<BoundsOverride>,
}

impl Checker {
    /// Compiles one reading, with one repetition's bounds replaced if `bounds` says so.
    pub(crate) fn new(
        ast: &Arc<Ast>,
        reading: Reading,
        bounds: Option<BoundsOverride>,
    ) -> Result<Checker, String> {
        let translation = emit::translate(ast, reading, bounds, true);
        Ok(Checker {
            relaxed: Matcher::compile(&translation)?,
            exact_up_to: translation.exact_up_to,
            // The longest match, from the tree (not when a bound is replaced: the tree does not know it).
            longest: match bounds {
                None => parse::max_len(&ast.root).and_then(|n| usize::try_from(n).ok()),
                Some(_) => None,
            },
            exact: Arc::new(OnceLock::new()),
            ast: ast.clone(),
            reading,
            bounds,
        })
    }

    /// Whether the whole of `value` matches; `Err` when no verdict could be reached.
    pub(crate) fn try_match(&self, value: &str) -> Result<bool, String> {
        // Bytes are at least as many as characters: most strings need no count.
        if value.len() <= self.exact_up_to {
            return self.relaxed.try_match(value);
        }
        let chars = value.chars().count();
        if self.longest.is_some_and(|longest| chars > longest) {
            return Ok(false);
        }
        if chars <= self.exact_up_to {
            return self.relaxed.try_match(value);
        }
        self.exact
            .get_or_init(|| {
                Matcher::compile(&emit::translate(
                    &self.ast,
                    self.reading,
                    self.bounds,
                    false,
                ))
            })
            .as_ref()
            .map_err(Clone::clone)?
            .try_match(value)
    }

    /// Whether checking needs the backtracking engine.
    fn is_backtracking(&self) -> bool {
        matches!(self.relaxed, Matcher::Backtracking(_))
    }
}

impl Pattern {
    /// Compiles a pattern as AWS reads it; the error says what is unsupported or invalid in Java, and where.
    pub fn new(source: &str) -> Result<Self, PatternError> {
        let fail = |offset: Option<usize>, reason: String| PatternError {
            pattern: source.to_string(),
            offset,
            reason,
        };
        let ast = Arc::new(parse::parse(source).map_err(|e| fail(Some(e.offset), e.message))?);
        let matcher = Checker::new(&ast, Reading::Java, None).map_err(|e| fail(None, e))?;
        let legacy_boundary = if has_word_boundary(&ast.root) {
            Some(
                Checker::new(&ast, Reading::JavaUnicodeBoundary, None)
                    .map_err(|e| fail(None, e))?,
            )
        } else {
            None
        };
        Ok(Pattern {
            source: source.to_string(),
            uses_property: uses_property(&ast.root),
            ast,
            matcher,
            legacy_boundary,
        })
    }

    /// Whether the whole of `value` matches, as AWS checks it.
    ///
    /// `false` also when the backtracking engine gives up (a pattern with look-around on a pathological value of
    /// thousands of characters); [`Pattern::try_match`] tells that case apart.
    pub fn is_match(&self, value: &str) -> bool {
        self.matcher.try_match(value).unwrap_or(false)
    }

    /// Whether the whole of `value` matches; `Err` says why no verdict could be reached.
    pub fn try_match(&self, value: &str) -> Result<bool, PatternError> {
        self.matcher.try_match(value).map_err(|e| PatternError {
            pattern: self.source.clone(),
            offset: None,
            reason: format!("failed to match {value:?}: {e}"),
        })
    }

    /// Whether AWS's verdict on `value` may differ from [`Pattern::is_match`] depending on its Java version: the
    /// pattern has `\b`/`\B` and a JDK older than 19 (whose word boundary counts Unicode letters) would decide
    /// otherwise, or the pattern uses Unicode properties and `value` has characters assigned or recategorised in
    /// recent Unicode versions. Generated strings never have such a verdict.
    pub fn is_uncertain(&self, value: &str) -> bool {
        if let Some(legacy) = &self.legacy_boundary
            && legacy.try_match(value).ok() != self.matcher.try_match(value).ok()
        {
            return true;
        }
        self.uses_property && value.chars().any(|c| !charset::is_long_assigned(c))
    }

    /// Whether matching needs the backtracking engine (look-around, back-references, atomic groups).
    pub fn is_backtracking(&self) -> bool {
        self.matcher.is_backtracking()
    }

    pub(crate) fn ast(&self) -> &Arc<Ast> {
        &self.ast
    }

    /// Whether `value` matches and no Java version could decide otherwise: what generated strings must satisfy.
    pub(crate) fn surely_matches(&self, value: &str) -> bool {
        self.matcher.try_match(value) == Ok(true) && !self.is_uncertain(value)
    }

    /// Whether `value` fails and no Java version could decide otherwise: what probes must satisfy.
    pub(crate) fn surely_fails(&self, value: &str) -> bool {
        self.matcher.try_match(value) == Ok(false) && !self.is_uncertain(value)
    }
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pattern({:?})", self.source)
    }
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

/// Calls `f` on every node of the tree, parents first.
pub(crate) fn walk<'a>(node: &'a Node, f: &mut impl FnMut(&'a Node)) {
    f(node);
    match node {
        Node::Concat(items) | Node::Alt(items) => items.iter().for_each(|n| walk(n, f)),
        Node::Repeat(rep) => walk(&rep.node, f),
        Node::Group { node, .. } | Node::Atomic(node) | Node::Look { node, .. } => walk(node, f),
        Node::Empty | Node::Class(_) | Node::Backref(_) | Node::Assert(_) => {}
    }
}

fn has_word_boundary(root: &Node) -> bool {
    let mut found = false;
    walk(root, &mut |n| {
        found |= matches!(
            n,
            Node::Assert(Assertion::WordBoundary | Assertion::NotWordBoundary)
        )
    });
    found
}

fn uses_property(root: &Node) -> bool {
    let mut found = false;
    walk(root, &mut |n| {
        if let Node::Class(class) = n {
            found |= class.sets.property;
        }
    });
    found
}
