//! Patterns with AWS's semantics (Java's `java.util.regex`, whole-string match): checking, generating, and probes
//! for strings that only a loose checker would accept.
//!
//! AWS validates a `pattern` trait with `Matcher.matches()`: the whole string must match, `\w \d \s` and the POSIX
//! classes are ASCII, `.` excludes five line terminators, `(?i)` folds ASCII only. A pattern is parsed once with
//! Java's grammar ([`parse`]) into a tree whose classes are resolved sets, then written back as a whole-string pattern
//! of explicit ranges ([`emit`]) for Rust's linear-time `regex` crate or, when it needs look-around,
//! back-references or atomic groups, for the backtracking `fancy-regex`. [`generate`] builds matching strings of an
//! exact length from the same tree, and [`probe`] builds the strings that must fail.

mod cache;
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
/// Validation (the oracle's, the embedded target's) checks with this limit.
const BACKTRACK_LIMIT: usize = 10_000_000;

/// The backtracking limit of the generator's checks on its own candidates (and probes): a candidate the check
/// cannot decide within it is rejected, never accepted, and the generator draws another. A candidate that fails a
/// look-around pattern may cost the full limit (fsx's `ResourceARN`, `((...[a-z0-9].*(?<!-)):){4}(?!/).{0,1024}`,
/// took seconds per candidate); matching candidates of the model's patterns need far fewer steps.
pub(crate) const GENERATION_BACKTRACK_LIMIT: usize = 20_000;

/// Largest compiled program the `regex` crate may build: the default 10 MiB is too small for a few model patterns
/// that repeat a large Unicode class a thousand times (`[\p{L}\p{N}]{1,1024}`).
const SIZE_LIMIT: usize = 1 << 28;

/// A spec pattern with AWS's semantics: parsed by [`Pattern::new`], compiled on first use.
///
/// Matching is whole-string, as AWS's services check a `pattern` trait with Java's `Matcher.matches()`: `a+` does
/// not match `ba`. (Smithy's specification says a pattern is not implicitly anchored, which `find()` would mean;
/// the services reject values that only contain a match, so this module follows them. Most model patterns are
/// written `^...$` and read the same either way.)
///
/// Cloning is cheap, and clones share the compiled matchers: the parse tree and the compiled state are behind
/// [`Arc`]s. A pattern compiles its matchers on the first [`Pattern::is_match`] (or anything that matches), so
/// loading every model keeps only parse trees in memory until a pattern is used; the matchers of at most
/// `cache::CAPACITY` patterns are kept at once (the least recently used are dropped, and compiled again when
/// needed), so a whole run does not keep the matchers of every pattern it ever used.
#[derive(Clone)]
pub struct Pattern {
    /// The pattern as the model writes it (`^\d{12}$`).
    source: Arc<str>,
    ast: Arc<Ast>,
    /// The matchers, compiled on first use and kept while [`MATCHERS`] has room for them.
    compiled: Arc<cache::Slot<Matchers>>,
    /// Whether a class is defined by a Unicode property, whose members depend on the JVM's Unicode version.
    pub(crate) uses_property: bool,
}

#[cfg(test)]
thread_local! {
    /// How many checks with the backtracking engine and validation's limit this thread made.
    static FULL_LIMIT_CHECKS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// How many checks with the backtracking engine and validation's limit this thread made (tests: generation must
/// make none).
#[cfg(test)]
pub(crate) fn full_limit_checks() -> u64 {
    FULL_LIMIT_CHECKS.with(std::cell::Cell::get)
}

/// The compiled matchers of every pattern, at most [`cache::CAPACITY`] patterns' at once.
static MATCHERS: cache::Cache<Matchers> = cache::Cache::new(cache::CAPACITY);

/// What a pattern compiles to.
#[derive(Debug)]
struct Matchers {
    /// Validation's matchers; `Err` says why they cannot be.
    full: Result<Compiled, String>,
    /// The generator's matchers, with [`GENERATION_BACKTRACK_LIMIT`], compiled on first use; `None` when no reading
    /// needs the backtracking engine (the linear matchers above serve then).
    generation: OnceLock<Result<Option<Compiled>, String>>,
}

impl Matchers {
    fn new(ast: &Arc<Ast>) -> Matchers {
        Matchers {
            full: Compiled::new(ast, BACKTRACK_LIMIT),
            generation: OnceLock::new(),
        }
    }
}

/// The compiled readings of a pattern.
#[derive(Debug)]
struct Compiled {
    /// Java's reading.
    matcher: Checker,
    /// The reading of JDK 18 and older, whose `\b` counts Unicode letters and digits as word characters; only for
    /// patterns with `\b` or `\B`, whose verdict on non-ASCII text depends on the JVM AWS runs.
    legacy_boundary: Option<Checker>,
}

impl Compiled {
    /// Compiles Java's reading, and the legacy boundary reading where the pattern has `\b` or `\B`.
    fn new(ast: &Arc<Ast>, limit: usize) -> Result<Compiled, String> {
        let matcher = Checker::with_limit(ast, Reading::Java, None, limit)?;
        let legacy_boundary = if has_word_boundary(&ast.root) {
            Some(Checker::with_limit(
                ast,
                Reading::JavaUnicodeBoundary,
                None,
                limit,
            )?)
        } else {
            None
        };
        Ok(Compiled {
            matcher,
            legacy_boundary,
        })
    }

    /// Whether a reading needs the backtracking engine.
    fn backtracks(&self) -> bool {
        self.matcher.is_backtracking()
            || self
                .legacy_boundary
                .as_ref()
                .is_some_and(Checker::is_backtracking)
    }

    /// Whether the legacy boundary reading decides `value` otherwise (or one of them gives up).
    fn boundary_differs(&self, value: &str) -> bool {
        self.legacy_boundary.as_ref().is_some_and(|legacy| {
            legacy.try_match(value).ok() != self.matcher.try_match(value).ok()
        })
    }
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
    /// Compiles a translation with the engine it needs; the backtracking engine gives up after `limit` steps.
    fn compile(translation: &emit::Translation, limit: usize) -> Result<Matcher, String> {
        if translation.backtracking {
            fancy_regex::RegexBuilder::new(&translation.text)
                .backtrack_limit(limit)
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
    /// The backtracking engine's limit of steps per match.
    limit: usize,
}

impl Checker {
    /// Compiles one reading, with one repetition's bounds replaced if `bounds` says so, for validation (the full
    /// backtracking limit).
    pub(crate) fn new(
        ast: &Arc<Ast>,
        reading: Reading,
        bounds: Option<BoundsOverride>,
    ) -> Result<Checker, String> {
        Checker::with_limit(ast, reading, bounds, BACKTRACK_LIMIT)
    }

    /// As [`Checker::new`], for the generator's checks of its own candidates: the backtracking engine gives up
    /// after [`GENERATION_BACKTRACK_LIMIT`] steps (an `Err`, which callers read as a rejected candidate).
    pub(crate) fn for_generation(
        ast: &Arc<Ast>,
        reading: Reading,
        bounds: Option<BoundsOverride>,
    ) -> Result<Checker, String> {
        Checker::with_limit(ast, reading, bounds, GENERATION_BACKTRACK_LIMIT)
    }

    fn with_limit(
        ast: &Arc<Ast>,
        reading: Reading,
        bounds: Option<BoundsOverride>,
        limit: usize,
    ) -> Result<Checker, String> {
        let translation = emit::translate(ast, reading, bounds, true);
        Ok(Checker {
            relaxed: Matcher::compile(&translation, limit)?,
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
            limit,
        })
    }

    /// Whether the whole of `value` matches; `Err` when no verdict could be reached.
    pub(crate) fn try_match(&self, value: &str) -> Result<bool, String> {
        #[cfg(test)]
        if self.limit == BACKTRACK_LIMIT && self.is_backtracking() {
            FULL_LIMIT_CHECKS.with(|n| n.set(n.get() + 1));
        }
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
                Matcher::compile(
                    &emit::translate(&self.ast, self.reading, self.bounds, false),
                    self.limit,
                )
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
    /// Parses a pattern as AWS (Java's `java.util.regex`) reads it; the error says what is unsupported or invalid
    /// in Java, and where, so that a model's broken pattern is reported when the model loads.
    ///
    /// Compiling the matchers waits for the first match ([`Pattern::compile`] forces it): a parsed pattern
    /// compiles unless a regex engine rejects its translation, which no model pattern does.
    pub fn new(source: &str) -> Result<Self, PatternError> {
        let ast = parse::parse(source).map_err(|e| PatternError {
            pattern: source.to_string(),
            offset: Some(e.offset),
            reason: e.message,
        })?;
        Ok(Pattern {
            source: Arc::from(source),
            uses_property: uses_property(&ast.root),
            ast: Arc::new(ast),
            compiled: Arc::default(),
        })
    }

    /// The pattern as the model writes it (`^\d{12}$`).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Compiles the matchers now rather than on first use; `Err` says why they cannot be (then
    /// [`Pattern::is_match`] is always `false`).
    pub fn compile(&self) -> Result<(), PatternError> {
        self.with_compiled(|compiled| compiled.map(|_| ()).map_err(Clone::clone))
            .map_err(|reason| self.error(reason))
    }

    /// Whether the whole of `value` matches, as AWS checks it (Java's `matches()`: the pattern must match all of
    /// `value`, not some part of it).
    ///
    /// `false` also when no verdict can be reached: the backtracking engine gives up (a pattern with look-around
    /// on a pathological value of thousands of characters), or the pattern cannot be compiled;
    /// [`Pattern::try_match`] tells these cases apart.
    pub fn is_match(&self, value: &str) -> bool {
        self.check(value).unwrap_or(false)
    }

    /// Whether the whole of `value` matches; `Err` says why no verdict could be reached.
    pub fn try_match(&self, value: &str) -> Result<bool, PatternError> {
        self.check(value)
            .map_err(|e| self.error(format!("failed to match {value:?}: {e}")))
    }

    fn error(&self, reason: String) -> PatternError {
        PatternError {
            pattern: self.source.to_string(),
            offset: None,
            reason,
        }
    }

    /// Calls `f` on the compiled matchers, compiled now if they are not kept (`Err`: why they cannot be).
    fn with_compiled<R>(&self, f: impl FnOnce(Result<&Compiled, &String>) -> R) -> R {
        MATCHERS.with(
            &self.compiled,
            || Matchers::new(&self.ast),
            |matchers| f(matchers.full.as_ref()),
        )
    }

    /// Calls `f` on the generator's matchers: with [`GENERATION_BACKTRACK_LIMIT`] where a reading backtracks, else
    /// the validation's (a linear matcher has no limit to lower).
    fn with_generation_compiled<R>(&self, f: impl FnOnce(Result<&Compiled, &String>) -> R) -> R {
        MATCHERS.with(
            &self.compiled,
            || Matchers::new(&self.ast),
            |matchers| {
                let full = match &matchers.full {
                    Ok(full) if full.backtracks() => full,
                    other => return f(other.as_ref()),
                };
                match matchers
                    .generation
                    .get_or_init(|| Compiled::new(&self.ast, GENERATION_BACKTRACK_LIMIT).map(Some))
                {
                    Ok(Some(low)) => f(Ok(low)),
                    Ok(None) => f(Ok(full)),
                    Err(e) => f(Err(e)),
                }
            },
        )
    }

    /// Whether the generator's matchers were compiled apart from validation's (tests).
    #[cfg(test)]
    fn generation_compiled_apart(&self) -> bool {
        MATCHERS.with(
            &self.compiled,
            || Matchers::new(&self.ast),
            |matchers| matchers.generation.get().is_some(),
        )
    }

    /// Java's verdict on `value`, or why none could be reached.
    fn check(&self, value: &str) -> Result<bool, String> {
        self.with_compiled(|compiled| compiled.map_err(Clone::clone)?.matcher.try_match(value))
    }

    /// Whether AWS's verdict on `value` may differ from [`Pattern::is_match`] depending on its Java version: the
    /// pattern has `\b`/`\B` and a JDK older than 19 (whose word boundary counts Unicode letters) would decide
    /// otherwise, or the pattern uses Unicode properties and `value` has characters assigned or recategorised in
    /// recent Unicode versions. Generated strings never have such a verdict.
    pub fn is_uncertain(&self, value: &str) -> bool {
        self.with_compiled(|compiled| {
            compiled.is_ok_and(|compiled| compiled.boundary_differs(value))
        }) || self.uses_property_uncertain(value)
    }

    fn uses_property_uncertain(&self, value: &str) -> bool {
        self.uses_property
            && value
                .chars()
                .any(|c| !charset::is_long_assigned(c) && !c.is_control())
    }

    /// Whether matching needs the backtracking engine (look-around, back-references, atomic groups).
    pub fn is_backtracking(&self) -> bool {
        self.with_compiled(|compiled| compiled.is_ok_and(|c| c.matcher.is_backtracking()))
    }

    pub(crate) fn ast(&self) -> &Arc<Ast> {
        &self.ast
    }

    /// Whether `value` matches and no Java version could decide otherwise: what generated strings must satisfy.
    /// The generator's check: with [`GENERATION_BACKTRACK_LIMIT`], a value it cannot decide does not match.
    pub(crate) fn surely_matches(&self, value: &str) -> bool {
        self.generation_verdict(value) == Some(true)
    }

    /// The generator's verdict on its own candidate: `Some(true)` when it surely matches, `Some(false)` when it
    /// surely fails (whatever Java version AWS runs), `None` when it is uncertain or the check gave up within
    /// [`GENERATION_BACKTRACK_LIMIT`] steps. The candidate is then neither a valid value nor a probe.
    pub(crate) fn generation_verdict(&self, value: &str) -> Option<bool> {
        let verdict = self.with_generation_compiled(|compiled| {
            let compiled = compiled.ok()?;
            let verdict = compiled.matcher.try_match(value).ok()?;
            (!compiled.boundary_differs(value)).then_some(verdict)
        })?;
        (!self.uses_property_uncertain(value)).then_some(verdict)
    }

    /// Whether `value` matches as a Unicode-aware engine reads the pattern (`\d`, `\w`, `\s` taking Unicode digits,
    /// letters and spaces): how the embedded target's `pattern-unicode-classes` fault checks.
    pub fn matches_unicode(&self, value: &str) -> bool {
        Checker::new(&self.ast, Reading::Unicode, None)
            .is_ok_and(|c| c.try_match(value) == Ok(true))
    }

    /// Whether `value` matches with every counted repetition (`{12}`, `{2,5}`, `{3,}`) read as `*`: how the
    /// embedded target's `pattern-repeat-unbounded` fault checks.
    pub fn matches_uncounted(&self, value: &str) -> bool {
        let mut out = String::new();
        let mut chars = self.source.chars().peekable();
        let mut in_class = 0usize;
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    out.push(c);
                    out.extend(chars.next());
                }
                '[' => {
                    in_class += 1;
                    out.push(c);
                }
                ']' if in_class > 0 => {
                    in_class -= 1;
                    out.push(c);
                }
                '{' if in_class == 0 => {
                    // A quantifier is `{` digits [`,` digits] `}`; anything else stays as written.
                    let rest: String = chars.clone().take_while(|c| *c != '}').collect();
                    let quantifier = !rest.is_empty()
                        && rest.chars().all(|c| c.is_ascii_digit() || c == ',')
                        && rest.starts_with(|c: char| c.is_ascii_digit())
                        && rest.matches(',').count() <= 1
                        && chars.clone().nth(rest.chars().count()) == Some('}');
                    if quantifier {
                        for _ in 0..=rest.chars().count() {
                            chars.next();
                        }
                        out.push('*');
                    } else {
                        out.push(c);
                    }
                }
                _ => out.push(c),
            }
        }
        Pattern::new(&out).is_ok_and(|p| p.is_match(value))
    }

    /// Whether `value` fails and no Java version could decide otherwise: what probes must satisfy. The
    /// generator's check: a value it cannot decide within [`GENERATION_BACKTRACK_LIMIT`] steps is no probe.
    pub(crate) fn surely_fails(&self, value: &str) -> bool {
        self.generation_verdict(value) == Some(false)
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

/// Length cap for [`generate`] and [`probes`] when the shape sets no maximum: this many characters past the
/// minimum.
pub const UNBOUNDED_SPAN: usize = 64;

/// The length cap a generator needs for lengths `min_len..=max_len` (one more than the maximum, so that probes
/// can step past it), within [`generate::MAX_CAP`].
fn cap_for(min_len: Option<usize>, max_len: Option<usize>) -> usize {
    let min = min_len.unwrap_or(0);
    match max_len {
        Some(max) => max
            .min(min.saturating_add(generate::MAX_CAP))
            .saturating_add(1),
        None => min.saturating_add(UNBOUNDED_SPAN),
    }
    .min(generate::MAX_CAP)
}

/// A string that matches `pattern` (whole-string, as [`Pattern::is_match`]) and has between `min_len` and
/// `max_len` characters (both inclusive; `None`: no bound), of a length drawn at random among those the pattern
/// allows; `None` when no such string exists (or, for a pattern with look-around or back-references, none was
/// found).
///
/// This builds a [`PatternGen`] on each call; to draw many values for one shape, build one with
/// `PatternGen::new(pattern, cap)` and call [`PatternGen::generate`] with a length from [`PatternGen::lengths`].
pub fn generate(
    pattern: &Pattern,
    min_len: Option<usize>,
    max_len: Option<usize>,
    rng: &mut proptest::test_runner::TestRng,
) -> Option<String> {
    use proptest::prelude::Rng;
    let generator = PatternGen::new(pattern, cap_for(min_len, max_len));
    let min = min_len.unwrap_or(0);
    let mut lengths: Vec<usize> = generator
        .lengths()
        .iter()
        .filter(|n| *n >= min && max_len.is_none_or(|max| *n <= max))
        .collect();
    // A few lengths, the first at random: an inexact pattern may find nothing at one length and something at
    // another.
    for _ in 0..4 {
        if lengths.is_empty() {
            return None;
        }
        let len = lengths.swap_remove(rng.random_range(0..lengths.len()));
        if let Some(value) = generator.generate(rng, len, Pick::Random) {
            return Some(value);
        }
    }
    None
}

/// Strings that `pattern` rejects, each with a description of what makes it invalid, for negative tests:
/// characters the pattern allows nowhere, a literal replaced, a non-ASCII look-alike of one of Java's ASCII
/// classes (`٣` for `\d`), and counted repetitions one copy short of or past their bounds. Every value fails
/// [`Pattern::is_match`] whatever Java version AWS runs; the value's length is within `min_len..=max_len` except for
/// repetition probes, which are as short as the rest of the pattern allows (their length may fall outside the
/// bounds, and then a service may reject them for their length as well). Empty when no probe could be built.
pub fn probes(
    pattern: &Pattern,
    min_len: Option<usize>,
    max_len: Option<usize>,
    rng: &mut proptest::test_runner::TestRng,
) -> Vec<(String, String)> {
    let generator = PatternGen::new(pattern, cap_for(min_len, max_len));
    let min = min_len.unwrap_or(0);
    let within = |n: usize| n >= min && max_len.is_none_or(|max| n <= max);
    let mut out: Vec<(String, String)> = Vec::new();
    // The shortest non-empty length within the bounds: probes change one character of a matching string.
    if let Some(len) = generator.lengths().iter().find(|n| *n >= 1 && within(*n)) {
        for c in generator.disallowed_ascii().into_iter().take(2) {
            if let Some(value) = generator.disallowed_probe(rng, len, c) {
                out.push((
                    value,
                    format!("{c:?} is a character the pattern allows nowhere"),
                ));
            }
        }
        if let Some(literal) = generator.literals().first()
            && let Some(value) = generator.literal_probe(rng, len, *literal)
        {
            out.push((value, format!("the literal {literal:?} replaced")));
        }
        if let Some(probe) = generator.unicode_only_match(rng, len) {
            out.push((
                probe.value,
                format!(
                    "non-ASCII look-alike {:?} for {} (in place of {:?}), which Java's reading rejects",
                    probe.lookalike, probe.class, probe.replaced
                ),
            ));
        }
    }
    for probe in generator.repetition_probes(rng) {
        let (side, bound) = match probe.bound {
            RepetitionBound::BelowMin => ("fewer", "minimum"),
            RepetitionBound::AboveMax => ("more", "maximum"),
        };
        out.push((
            probe.value,
            format!(
                "{} copies of `{}`, one {side} than its {bound}",
                probe.copies, probe.quantifier
            ),
        ));
    }
    out.retain(|(value, _)| pattern.surely_fails(value));
    out.dedup_by(|a, b| a.0 == b.0);
    out
}
