//! Tests over every distinct pattern of the published AWS models (botocore's 445 services): each compiles (or is
//! on the short list of expected failures), generates strings that match, yields probes that fail, and agrees with
//! an independent implementation (Python's `re`, through `differential.py`) on generated, mutated and probe strings.
//!
//! The models are found through `CONFORM_MODELS` (botocore's `data` directory) or the botocore that
//! `CONFORM_PYTHON`, `.venv/bin/python` or `python3` has installed; Python also reads them (they are gzipped JSON) and judges the
//! differential samples. Without them these tests fail and say how to get them: `scripts/test.sh` creates `.venv`
//! with moto, which brings botocore.
//!
//! `cargo test --lib model::pattern::model_patterns -- --nocapture` prints the classification and the figures.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use proptest::prelude::Rng;
use proptest::test_runner::{RngAlgorithm, TestRng};
use serde_json::{Value, json};

use super::parse::{Assertion, Node, RepeatKind};
use super::*;

/// Patterns of the models that are expected not to compile, with a fragment of the reason: none.
const EXPECTED_UNSUPPORTED: &[(&str, &str)] = &[];

/// Patterns Python cannot judge alike, by the reason `differential.py` gives (a fragment of it).
const EXPECTED_PYTHON_EXCLUSIONS: &[&str] = &[
    r"\p{IsAlphabetic} has no equivalent",
    r"\p{IsWhitespace} has no equivalent",
    "class intersection (&&) has no equivalent",
];

/// Reads every model's patterns: `{"root": ..., "services": n, "patterns": {pattern: {"uses": [...], "max": n}}}`.
const EXTRACT: &str = r#"
import gzip, json, os, sys
root = sys.argv[1]
patterns, services = {}, 0
for svc in sorted(os.listdir(root)):
    d = os.path.join(root, svc)
    if not os.path.isdir(d):
        continue
    found = None
    for v in sorted((v for v in os.listdir(d) if os.path.isdir(os.path.join(d, v))), reverse=True):
        for name in ("service-2.json.gz", "service-2.json"):
            if os.path.exists(os.path.join(d, v, name)):
                found = os.path.join(d, v, name)
                break
        if found:
            break
    if not found:
        continue
    services += 1
    with (gzip.open if found.endswith(".gz") else open)(found, "rt", encoding="utf-8") as f:
        model = json.load(f)
    for name, shape in model.get("shapes", {}).items():
        if "pattern" in shape:
            entry = patterns.setdefault(shape["pattern"], {"uses": [], "max": 0})
            entry["uses"].append(svc + "." + name)
            entry["max"] = max(entry["max"], shape.get("max", 0))
print(json.dumps({"root": root, "services": services, "patterns": patterns}))
"#;

/// Where botocore's models are, as asked of a Python that has botocore.
const FIND_BOTOCORE: &str =
    "import botocore, os; print(os.path.join(os.path.dirname(botocore.__file__), 'data'))";

const HOW_TO_GET_MODELS: &str = "set CONFORM_MODELS to botocore's `data` directory, or run scripts/test.sh (it \
     creates .venv with moto, which brings botocore), or `pip install botocore` for python3";

struct ModelPattern {
    source: String,
    uses: Vec<String>,
    max_length: u64,
}

struct ModelPatterns {
    python: String,
    root: String,
    services: usize,
    patterns: Vec<ModelPattern>,
}

/// The Pythons to try: `CONFORM_PYTHON` if set, the project's `.venv` (it has the pinned botocore), then `python3`.
fn pythons() -> Vec<String> {
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python");
    let mut out: Vec<String> = std::env::var("CONFORM_PYTHON")
        .ok()
        .filter(|v| !v.is_empty())
        .into_iter()
        .collect();
    if venv.exists() {
        out.push(venv.display().to_string());
    }
    out.push("python3".to_string());
    out
}

fn run_python(python: &str, args: &[&str]) -> Result<String, String> {
    let output = Command::new(python)
        .args(args)
        .output()
        .map_err(|e| format!("failed to run {python}: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "{python} failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
}

fn load_models() -> Result<ModelPatterns, String> {
    let mut tried = Vec::new();
    let found = match std::env::var("CONFORM_MODELS")
        .ok()
        .filter(|v| !v.is_empty())
    {
        Some(root) => pythons()
            .into_iter()
            .find(|p| run_python(p, &["-c", "pass"]).is_ok())
            .map(|python| (python, root)),
        None => pythons().into_iter().find_map(|python| {
            match run_python(&python, &["-c", FIND_BOTOCORE]) {
                Ok(root) => Some((python, root)),
                Err(e) => {
                    tried.push(e);
                    None
                }
            }
        }),
    };
    let Some((python, root)) = found else {
        return Err(format!(
            "failed to find the botocore models and a Python to read them: {HOW_TO_GET_MODELS} (tried: {})",
            tried.join("; ")
        ));
    };
    let text = run_python(&python, &["-c", EXTRACT, &root])
        .map_err(|e| format!("failed to read the models under {root}: {e}; {HOW_TO_GET_MODELS}"))?;
    let doc: Value =
        serde_json::from_str(&text).map_err(|e| format!("failed to parse the extract: {e}"))?;
    let services = doc["services"].as_u64().unwrap_or(0) as usize;
    let patterns: Vec<ModelPattern> = doc["patterns"]
        .as_object()
        .map(|map| {
            map.iter()
                .map(|(source, entry)| ModelPattern {
                    source: source.clone(),
                    uses: entry["uses"]
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter_map(|u| u.as_str().map(String::from))
                                .collect()
                        })
                        .unwrap_or_default(),
                    max_length: entry["max"].as_u64().unwrap_or(0),
                })
                .collect()
        })
        .unwrap_or_default();
    if services < 400 || patterns.len() < 4000 {
        return Err(format!(
            "failed to read the models under {root}: only {services} services and {} patterns; {HOW_TO_GET_MODELS}",
            patterns.len()
        ));
    }
    Ok(ModelPatterns {
        python,
        root,
        services,
        patterns,
    })
}

/// The models and every pattern compiled, once for all the tests here.
fn compiled() -> &'static (ModelPatterns, Vec<Result<Pattern, PatternError>>) {
    static CACHE: OnceLock<(ModelPatterns, Vec<Result<Pattern, PatternError>>)> = OnceLock::new();
    CACHE.get_or_init(|| {
        let models = load_models().unwrap_or_else(|e| panic!("{e}"));
        // Parsed, then compiled at once (compiling is otherwise lazy): a pattern that fails either is reported.
        let compiled = models
            .patterns
            .iter()
            .map(|p| {
                Pattern::new(&p.source).and_then(|pattern| pattern.compile().map(|()| pattern))
            })
            .collect();
        (models, compiled)
    })
}

/// What a pattern uses that the `regex` crate alone would not read as Java does.
fn features(pattern: &Pattern) -> Vec<&'static str> {
    let mut out = Vec::new();
    let mut add = |f: &'static str| {
        if !out.contains(&f) {
            out.push(f)
        }
    };
    walk(&pattern.ast().root, &mut |node| match node {
        Node::Look { behind: false, .. } => add("look-ahead"),
        Node::Look { behind: true, .. } => add("look-behind"),
        Node::Backref(_) => add("back-reference"),
        Node::Atomic(_) => add("atomic group"),
        Node::Repeat(rep) if rep.kind == RepeatKind::Possessive => add("possessive quantifier"),
        Node::Assert(Assertion::WordBoundary | Assertion::NotWordBoundary) => {
            add(r"\b (JVM-dependent)")
        }
        Node::Class(class) => {
            if class.sets.property {
                add(r"unicode property \p{..}");
            }
            for label in &class.sets.ascii_classes {
                if label.starts_with(r"\p") {
                    add(r"java POSIX class \p{Alnum}..");
                }
            }
        }
        _ => {}
    });
    match anchors(&pattern.ast().root, true, true) {
        Anchors::None => {}
        Anchors::AtEnds => add("^ or $ at the ends of alternatives"),
        Anchors::Inside => add("^ or $ where input may precede or follow"),
    }
    let s = &pattern.source;
    if s.contains(r"\u") || s.contains(r"\x") || s.contains(r"\0") {
        add(r"\uXXXX, \xHH, \x{..}, \0oo escapes");
    }
    let upper = s.to_uppercase();
    if [
        "\\UD8", "\\UD9", "\\UDA", "\\UDB", "\\UDC", "\\UDD", "\\UDE", "\\UDF",
    ]
    .iter()
    .any(|h| upper.contains(h))
    {
        add("surrogate escapes");
    }
    if s.contains("(?i") || s.contains("(?s") {
        add("inline flags (?i) (?s)");
    }
    if s.contains("&&") {
        add("class intersection &&");
    }
    if s.contains(r"\v") || s.contains(r"\h") {
        add(r"\v \h");
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Anchors {
    None,
    AtEnds,
    Inside,
}

/// Where a pattern's `^`, `$`, `\A`, `\z` are: nowhere, only where nothing can precede (follow) them, or elsewhere.
fn anchors(node: &Node, at_start: bool, at_end: bool) -> Anchors {
    use super::parse::max_len;
    match node {
        Node::Assert(Assertion::Begin) if at_start => Anchors::AtEnds,
        Node::Assert(Assertion::End | Assertion::Dollar) if at_end => Anchors::AtEnds,
        Node::Assert(Assertion::Begin | Assertion::End | Assertion::Dollar) => Anchors::Inside,
        Node::Concat(items) => (0..items.len())
            .map(|i| {
                let before = items[..i].iter().all(|n| max_len(n) == Some(0));
                let after = items[i + 1..].iter().all(|n| max_len(n) == Some(0));
                anchors(&items[i], at_start && before, at_end && after)
            })
            .max()
            .unwrap_or(Anchors::None),
        Node::Alt(items) => items
            .iter()
            .map(|n| anchors(n, at_start, at_end))
            .max()
            .unwrap_or(Anchors::None),
        Node::Repeat(rep) => {
            let single = rep.max.is_some_and(|m| m <= 1);
            anchors(&rep.node, at_start && single, at_end && single)
        }
        Node::Group { node, .. } | Node::Atomic(node) => anchors(node, at_start, at_end),
        Node::Look { node, .. } => anchors(node, false, false),
        _ => Anchors::None,
    }
}

#[test]
fn every_model_pattern_compiles() {
    let started = std::time::Instant::now();
    let (models, compiled) = compiled();
    let mut failures: Vec<(String, String)> = Vec::new();
    let mut classes: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut backtracking = 0;
    for (model, result) in models.patterns.iter().zip(compiled) {
        match result {
            Ok(pattern) => {
                backtracking += usize::from(pattern.is_backtracking());
                for f in features(pattern) {
                    *classes.entry(f).or_default() += 1;
                }
                // The compiled matcher agrees with itself on a plain string (no panic, a verdict).
                let _ = pattern.try_match("abc").unwrap_or_else(|e| panic!("{e}"));
            }
            Err(e) => {
                // A pattern that cannot be used says why, fit for "constraint skipped: <reason>".
                assert!(
                    !e.reason().is_empty() && e.to_string().starts_with("failed to "),
                    "{:?}: an error without a reason: {e:?}",
                    model.source
                );
                failures.push((model.source.clone(), e.to_string()))
            }
        }
    }
    eprintln!(
        "{} distinct patterns in {} services under {} (read with {}): {} compile, {} need the backtracking engine",
        models.patterns.len(),
        models.services,
        models.root,
        models.python,
        models.patterns.len() - failures.len(),
        backtracking
    );
    for (feature, n) in &classes {
        eprintln!("  {n:5} {feature}");
    }
    eprintln!("  (reading and compiling took {:?})", started.elapsed());
    let unexpected: Vec<String> = failures
        .iter()
        .filter(|(source, reason)| {
            !EXPECTED_UNSUPPORTED
                .iter()
                .any(|(s, r)| s == source && reason.contains(r))
        })
        .map(|(source, reason)| format!("{source:?} (used by {}): {reason}", uses(models, source)))
        .collect();
    assert!(
        unexpected.is_empty(),
        "patterns that fail to compile:\n{}",
        unexpected.join("\n")
    );
    let missing: Vec<&str> = EXPECTED_UNSUPPORTED
        .iter()
        .filter(|(s, _)| !failures.iter().any(|(f, _)| f == s))
        .map(|(s, _)| *s)
        .collect();
    assert!(
        missing.is_empty(),
        "expected failures that now compile (update EXPECTED_UNSUPPORTED): {missing:?}"
    );
}

fn uses(models: &ModelPatterns, source: &str) -> String {
    models
        .patterns
        .iter()
        .find(|p| p.source == source)
        .map(|p| {
            p.uses
                .iter()
                .take(3)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

/// The length cap for a pattern: the shapes' largest `max` (plus one, for probes), within reason.
fn cap_of(model: &ModelPattern) -> usize {
    match model.max_length {
        0 => 300,
        max => (max as usize + 1).clamp(8, 600),
    }
}

/// A few lengths to generate: the shortest, the longest, and some between.
fn sample_lengths(generator: &PatternGen, rng: &mut TestRng, count: usize) -> Vec<usize> {
    let lengths: Vec<usize> = generator.lengths().iter().collect();
    if lengths.is_empty() {
        return Vec::new();
    }
    let mut out = vec![lengths[0], lengths[lengths.len() - 1]];
    for _ in 0..count {
        out.push(lengths[rng.random_range(0..lengths.len())]);
    }
    out.sort_unstable();
    out.dedup();
    out
}

const PICKS: [Pick; 4] = [Pick::Random, Pick::Simplest, Pick::EdgeLow, Pick::EdgeHigh];

/// Probes are built for one pattern in this many (by position in the sorted list of patterns), to keep
/// [`every_model_pattern_generates_matching_strings`] under 20 seconds; `model_patterns_agree_with_python` builds
/// them for every pattern.
const PROBE_SAMPLE: usize = 4;

/// Every pattern that compiles generates matching strings of exactly the requested length (SAMPLED, for speed and
/// deterministically: three lengths per pattern, the shortest, the longest and one drawn with a fixed seed, each with
/// one [`Pick`] in turn; probes for one pattern in [`PROBE_SAMPLE`]).
#[test]
fn every_model_pattern_generates_matching_strings() {
    let started = std::time::Instant::now();
    let (models, compiled) = compiled();
    let mut rng = TestRng::from_seed(RngAlgorithm::ChaCha, &[11; 32]);
    let (mut total, mut generating, mut exact, mut inexact_generating) = (0, 0, 0, 0);
    let mut empty = Vec::new();
    let mut failures = Vec::new();
    let (mut lookalike, mut repetition) = (0, 0);
    for (index, (model, pattern)) in models.patterns.iter().zip(compiled).enumerate() {
        let Ok(pattern) = pattern else { continue };
        total += 1;
        let generator = PatternGen::new(pattern, cap_of(model));
        if generator.lengths().is_empty() {
            empty.push(model.source.clone());
            continue;
        }
        exact += usize::from(generator.is_exact());
        let mut made = 0;
        for (i, len) in sample_lengths(&generator, &mut rng, 1)
            .into_iter()
            .enumerate()
        {
            let pick = PICKS[(index + i) % PICKS.len()];
            match generator.generate(&mut rng, len, pick) {
                Some(s) => {
                    made += 1;
                    if !pattern.is_match(&s) || s.chars().count() != len {
                        failures.push(format!(
                            "{:?} generated {s:?} (length {len}, {pick:?})",
                            model.source
                        ));
                    }
                }
                None if generator.is_exact() => failures.push(format!(
                    "{:?} is exact but generated nothing of length {len} ({pick:?})",
                    model.source
                )),
                None => {}
            }
        }
        if made > 0 {
            generating += 1;
            inexact_generating += usize::from(!generator.is_exact());
        }
        if index % PROBE_SAMPLE != 0 {
            continue;
        }
        for probe in generator.repetition_probes(&mut rng) {
            repetition += 1;
            if pattern.is_match(&probe.value) {
                failures.push(format!(
                    "{:?}: repetition probe matches: {probe:?}",
                    model.source
                ));
            }
        }
        if let Some(len) = generator.lengths().min()
            && let Some(probe) = generator.unicode_only_match(&mut rng, len.max(1))
        {
            lookalike += 1;
            if pattern.is_match(&probe.value) {
                failures.push(format!(
                    "{:?}: look-alike probe matches: {probe:?}",
                    model.source
                ));
            }
        }
    }
    eprintln!(
        "generation: {generating} of {total} patterns ({:.1}%) generate matching strings; {exact} exact, {} with \
         look-around or back-references of which {inexact_generating} generate; {} match nothing up to their cap; \
         {repetition} repetition probes, {lookalike} patterns with a look-alike probe ({:?})",
        100.0 * generating as f64 / total.max(1) as f64,
        total - exact - empty.len(),
        empty.len(),
        started.elapsed(),
    );
    for source in &empty {
        eprintln!(
            "  matches nothing up to its cap: {source:?} (used by {})",
            uses(models, source)
        );
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Characters the mutations put in: ASCII, line terminators, and the non-ASCII look-alikes of Java's classes.
const POOL: &[char] = &[
    'a', 'Z', '0', '9', '_', '-', '.', '@', ' ', ':', '/', '\\', '|', '$', '^', '*', '{', '\t',
    '\n', '\r', '\u{0}', '\u{0B}', '\u{7F}', '\u{85}', '\u{A0}', '\u{2003}', '\u{2028}', 'é', 'ж',
    '\u{663}', '\u{212A}', '\u{17F}', '😀', '\u{FFFD}',
];

/// Strings to judge: generated ones, mutations of them, and the probes.
fn samples(
    pattern: &Pattern,
    model: &ModelPattern,
    rng: &mut TestRng,
    phases: &mut [std::time::Duration; 5],
) -> Vec<String> {
    let mut t = std::time::Instant::now();
    let mut lap = |i: usize, t: &mut std::time::Instant| {
        phases[i] += t.elapsed();
        *t = std::time::Instant::now();
    };
    let generator = PatternGen::new(pattern, cap_of(model).min(120));
    lap(0, &mut t);
    let mut out: Vec<String> = Vec::new();
    let mut valid = Vec::new();
    for len in sample_lengths(&generator, rng, 2) {
        for pick in [Pick::Random, Pick::EdgeHigh] {
            if let Some(s) = generator.generate(rng, len, pick) {
                valid.push(s);
            }
        }
    }
    for s in &valid {
        let chars: Vec<char> = s.chars().collect();
        let pool = |rng: &mut TestRng| POOL[rng.random_range(0..POOL.len())];
        let at = |rng: &mut TestRng| rng.random_range(0..=chars.len());
        let mut replaced = chars.clone();
        if !replaced.is_empty() {
            let i = rng.random_range(0..replaced.len());
            replaced[i] = pool(rng);
        }
        let mut inserted = chars.clone();
        let i = at(rng);
        inserted.insert(i, pool(rng));
        let mut deleted = chars.clone();
        if !deleted.is_empty() {
            deleted.remove(rng.random_range(0..chars.len()));
        }
        out.push(replaced.into_iter().collect());
        out.push(inserted.into_iter().collect());
        out.push(deleted.into_iter().collect());
        out.push(format!("{s}\n"));
        out.push(format!("{s}\r\n"));
    }
    out.extend(valid);
    lap(1, &mut t);
    out.extend(
        generator
            .repetition_probes(rng)
            .into_iter()
            .map(|p| p.value),
    );
    lap(2, &mut t);
    if let Some(len) = generator.lengths().min() {
        out.extend(
            generator
                .unicode_only_match(rng, len.max(1))
                .map(|p| p.value),
        );
        lap(3, &mut t);
        if let Some(literal) = generator.literals().first() {
            out.extend(generator.literal_probe(rng, len, *literal));
        }
        for c in generator.disallowed_ascii().into_iter().take(2) {
            out.extend(generator.disallowed_probe(rng, len.max(1), c));
        }
    }
    out.extend(["", "a", "\n", "é"].map(String::from));
    out.retain(|s| !pattern.is_uncertain(s));
    lap(4, &mut t);
    out.sort();
    out.dedup();
    out
}

#[test]
fn model_patterns_agree_with_python() {
    let (models, compiled) = compiled();
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src/model/pattern/differential.py"
    );
    let mut child = Command::new(&models.python)
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "failed to run {} {script}: {e}; {HOW_TO_GET_MODELS}",
                models.python
            )
        });
    let stdout = child.stdout.take().expect("piped stdout");
    // Python judges while Rust generates: read its answers on another thread so that neither pipe fills up.
    let reader = std::thread::spawn(move || {
        BufReader::new(stdout)
            .lines()
            .map(|line| {
                line.map_err(|e| e.to_string())
                    .and_then(|l| serde_json::from_str::<Value>(&l).map_err(|e| e.to_string()))
            })
            .collect::<Result<Vec<Value>, String>>()
    });
    let started = std::time::Instant::now();
    let mut rng = TestRng::from_seed(RngAlgorithm::ChaCha, &[13; 32]);
    let mut judged: Vec<(&Pattern, Vec<String>)> = Vec::new();
    let mut phases = [std::time::Duration::ZERO; 5];
    {
        let mut stdin = child.stdin.take().expect("piped stdin");
        for (model, pattern) in models.patterns.iter().zip(compiled) {
            let Ok(pattern) = pattern else { continue };
            let samples = samples(pattern, model, &mut rng, &mut phases);
            let line = json!({"pattern": pattern.source(), "samples": samples});
            writeln!(stdin, "{line}")
                .unwrap_or_else(|e| panic!("failed to write to {}: {e}", models.python));
            judged.push((pattern, samples));
        }
    }
    let generated = started.elapsed();
    let answers = reader
        .join()
        .expect("the reader thread")
        .unwrap_or_else(|e| panic!("failed to read the answers of differential.py: {e}"));
    let status = child.wait().expect("python exits");
    assert!(status.success(), "differential.py failed: {status}");
    assert_eq!(
        answers.len(),
        judged.len(),
        "differential.py answered {} of {} patterns",
        answers.len(),
        judged.len()
    );

    let (mut compared, mut patterns_compared, mut unjudged) = (0, 0, 0);
    let mut slow: Vec<&str> = Vec::new();
    let mut exclusions: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut mismatches = Vec::new();
    for ((pattern, samples), answer) in judged.iter().zip(&answers) {
        if let Some(reason) = answer["excluded"].as_str() {
            exclusions
                .entry(reason.to_string())
                .or_default()
                .push(pattern.source().to_string());
            continue;
        }
        patterns_compared += 1;
        if answer["slow"].as_u64().unwrap_or(0) > 0 {
            slow.push(&pattern.source);
        }
        let verdicts = answer["verdicts"].as_array().cloned().unwrap_or_default();
        for (sample, verdict) in samples.iter().zip(verdicts) {
            let Some(python) = verdict.as_bool() else {
                unjudged += 1;
                continue;
            };
            compared += 1;
            let rust = pattern.is_match(sample);
            if rust != python {
                mismatches.push(format!(
                    "{:?} on {sample:?}: conform says {rust}, python says {python}",
                    pattern.source
                ));
            }
        }
    }
    eprintln!(
        "differential: samples built in {generated:?} ({phases:?}), python done after {:?}",
        started.elapsed()
    );
    eprintln!(
        "differential: {compared} strings of {patterns_compared} patterns compared with Python's re ({unjudged} \
         left unjudged: characters unassigned in Python's Unicode tables); {} patterns excluded:",
        exclusions.values().map(Vec::len).sum::<usize>()
    );
    for (reason, sources) in &exclusions {
        eprintln!("  {reason}: {sources:?}");
    }
    eprintln!(
        "  python gave up on some strings of {} patterns (catastrophic backtracking): {slow:?}",
        slow.len()
    );
    let unexpected: Vec<&String> = exclusions
        .keys()
        .filter(|r| !EXPECTED_PYTHON_EXCLUSIONS.iter().any(|e| r.contains(e)))
        .collect();
    assert!(
        unexpected.is_empty(),
        "patterns excluded from the differential test for new reasons: {unexpected:?}"
    );
    assert!(compared > 50_000, "too few strings compared: {compared}");
    assert!(
        mismatches.is_empty(),
        "{} disagreements with Python's re (first 30):\n{}",
        mismatches.len(),
        mismatches
            .iter()
            .take(30)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
