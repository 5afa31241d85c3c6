//! Tests of Java's semantics, generation and probes on hand-written patterns, and a fuzz of the parser.

use super::*;
use proptest::prelude::*;
use proptest::test_runner::{RngAlgorithm, TestRng};

fn rng() -> TestRng {
    TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32])
}

fn p(source: &str) -> Pattern {
    Pattern::new(source).unwrap_or_else(|e| panic!("{e}"))
}

// The public API: lazy compiling, sharing, generation within bounds, probes.

#[test]
fn parsing_is_eager_and_compiling_lazy() {
    let err = Pattern::new("[a-").unwrap_err();
    assert!(err.to_string().starts_with("failed to "), "{err}");
    assert!(!err.reason().is_empty());
    let pattern = p(r"^[a-z]{2,4}$");
    assert_eq!(pattern.source(), r"^[a-z]{2,4}$");
    assert_eq!(pattern.compiled.fills(), 0, "new must not compile");
    let clone = pattern.clone();
    assert!(clone.is_match("abc"));
    assert!(
        pattern.compiled.fills() == 1 && Arc::ptr_eq(&pattern.compiled, &clone.compiled),
        "clones share the compiled matchers"
    );
    assert!(!pattern.is_match("a"));
    assert!(pattern.compile().is_ok());
    assert_eq!(format!("{pattern:?}"), r#"Pattern("^[a-z]{2,4}$")"#);
}

#[test]
fn patterns_are_shareable_across_threads() {
    fn shareable<T: Clone + std::fmt::Debug + Send + Sync + 'static>() {}
    shareable::<Pattern>();
    shareable::<PatternError>();
    let pattern = p(r"\d+");
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let pattern = pattern.clone();
            std::thread::spawn(move || pattern.is_match(&i.to_string()))
        })
        .collect();
    assert!(handles.into_iter().all(|h| h.join().unwrap()));
}

#[test]
fn generate_respects_the_length_bounds() {
    let mut rng = rng();
    let pattern = p(r"^[a-z0-9-]+$");
    for _ in 0..50 {
        let value = generate(&pattern, Some(3), Some(5), &mut rng).unwrap();
        let n = value.chars().count();
        assert!(
            (3..=5).contains(&n) && pattern.is_match(&value),
            "{value:?}"
        );
    }
    let fixed = p(r"\d{12}");
    assert_eq!(
        generate(&fixed, None, None, &mut rng).map(|v| v.len()),
        Some(12)
    );
    assert_eq!(
        generate(&fixed, Some(13), None, &mut rng),
        None,
        "no 13-digit match"
    );
    assert_eq!(generate(&fixed, None, Some(11), &mut rng), None);
    let look = p(r"^(?!aws)[a-z]{3}$");
    for _ in 0..20 {
        let value = generate(&look, None, None, &mut rng).unwrap();
        assert!(look.is_match(&value) && value != "aws", "{value:?}");
    }
}

#[test]
fn probes_fail_and_say_why() {
    let mut rng = rng();
    let pattern = p(r"^\d{3}-[a-z]{2,4}$");
    let found = probes(&pattern, Some(6), Some(8), &mut rng);
    assert!(found.len() >= 4, "{found:?}");
    for (value, why) in &found {
        assert!(!pattern.is_match(value), "{value:?} ({why}) matches");
        assert!(!why.is_empty());
    }
    assert!(
        found.iter().any(|(_, why)| why.contains("look-alike")),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|(_, why)| why.contains("one more than its maximum")),
        "{found:?}"
    );
    assert!(
        found.iter().any(|(_, why)| why.contains("allows nowhere")),
        "{found:?}"
    );
    assert!(
        probes(&p(".*"), None, None, &mut rng)
            .iter()
            .all(|(v, _)| !p(".*").is_match(v))
    );
}

// The cases of the first implementation (src/model/pattern.rs before the Java parser).

#[test]
fn matches_the_whole_string() {
    let p = p(r"^\d{12}$");
    assert!(p.is_match("123456789012"));
    assert!(
        !p.is_match("1234567890123"),
        "13 digits must fail as on AWS"
    );
    let unanchored = Pattern::new(r"\d{12}").unwrap();
    assert!(!unanchored.is_match("x123456789012"));
    assert!(!unanchored.is_match("1234567890123"));
    assert!(
        !unanchored.is_match("123456789012\n"),
        "no final newline either"
    );
}

#[test]
fn shorthand_classes_are_ascii() {
    let p1 = p(r"^\w+$");
    assert!(p1.is_match("abc_09"));
    assert!(!p1.is_match("é"), "Java's \\w is ASCII");
    let d = p(r"^\d$");
    assert!(!d.is_match("٣"), "Arabic-Indic digit is no \\d in Java");
    let s = p(r"^[\s]$");
    assert!(s.is_match("\u{0B}"));
    assert!(!s.is_match("\u{A0}"), "no-break space is no \\s in Java");
    assert!(!s.is_match("\u{2003}"));
    let negated = p(r"\S+");
    assert!(
        negated.is_match("\u{A0}é"),
        "and so Java's \\S accepts them"
    );
}

#[test]
fn the_email_pattern_of_put_alternate_contact() {
    let p = p(r"^[\s]*[\w+=.#|!&-]+@[\w.-]+\.[\w]+[\s]*$");
    assert!(p.is_match("carlos@example.com"));
    assert!(p.is_match("  a|b@x.io\t"));
    assert!(!p.is_match("carlos.example.com"));
    assert!(!p.is_match("carlos@example"));
    assert!(!p.is_match("carlos@exämple.com"));
    assert!(!p.is_match("carlos@example.com\u{A0}"));
}

#[test]
fn negated_classes_and_alternatives() {
    let p = p(r"^a$|^\S+$");
    assert!(p.is_match("a"));
    assert!(p.is_match("xyz"));
    assert!(!p.is_match("x y"));
    assert!(
        !p.is_backtracking(),
        "anchors at the ends of alternatives need no look-around"
    );
}

#[test]
fn bad_patterns_say_why() {
    let err = |s: &str| Pattern::new(s).unwrap_err().to_string();
    assert!(
        err("[a-").contains("unclosed character class"),
        "{}",
        err("[a-")
    );
    assert!(err("a(b").contains("unclosed group"));
    assert!(err("a)b").contains("unmatched closing"));
    assert!(err(r"ab\").contains("backslash"));
    assert!(err("a{b").contains("illegal repetition"));
    assert!(err("*a").contains("dangling meta character `*`"));
    assert!(err("[z-a]").contains("illegal character range `z-a`"));
    assert!(err(r"\p{Alnom}").contains("unknown or unsupported character property `Alnom`"));
    assert!(err(r"\p{InGreek}").contains("blocks are not supported"));
    assert!(err(r"(?x)a b").contains("the inline flag `x` is not supported"));
    assert!(err(r"(?<=a+)b").contains("look-behind group does not have an obvious maximum length"));
    assert!(err(r"\y").contains("illegal/unsupported escape sequence `\\y`"));
    let e = Pattern::new(r"ab(?x)").unwrap_err();
    assert_eq!(e.offset(), Some(4));
    assert_eq!(
        e.to_string(),
        "failed to compile pattern `ab(?x)`: the inline flag `x` is not supported (only `i` and `s` are) \
         (at character 4)"
    );
    // What Java accepts, however odd.
    assert!(
        !p("a^b").is_match("ab"),
        "a `^` in the middle never matches after a character"
    );
    assert!(p("(?=a)a").is_match("a"), "look-around is supported");
}

// Java's semantics.

#[test]
fn posix_and_unicode_classes() {
    let alnum = p(r"\p{Alnum}+");
    assert!(alnum.is_match("abcXYZ019"));
    assert!(!alnum.is_match("é"), "POSIX classes are ASCII in Java");
    assert!(p(r"\p{Punct}+").is_match(r##"!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~"##));
    assert!(!p(r"\p{Punct}").is_match("¡"));
    assert!(p(r"\p{XDigit}{4}").is_match("09aF"));
    assert!(!p(r"\p{XDigit}").is_match("g"));
    assert!(p(r"\p{Print}+").is_match(" ~"));
    assert!(!p(r"\p{Print}").is_match("\u{7F}"));
    assert!(p(r"\p{L}+").is_match("жéab"));
    assert!(!p(r"\p{L}").is_match("1"));
    assert!(p(r"\p{IsAlphabetic}+").is_match("жé"));
    assert!(p(r"^(\p{LD}|\p{Punct}| )+$").is_match("a1 ٣!"));
    assert!(p(r"\P{C}+").is_match("héllo"));
    assert!(!p(r"\P{C}+").is_match("a\u{0}"));
    assert!(
        !p(r"\P{C}+").is_match("a\u{378}"),
        "Java's C includes unassigned code points"
    );
    assert!(
        p(r"[\P{C}\n\r\t\f\v\p{Cf}]*").is_match("a\u{85}\u{2028}\u{200B}"),
        "\\v is vertical whitespace"
    );
    assert!(
        p(r"[\v-\r]+").is_match("\u{0B}\u{0C}\r"),
        "\\v before `-` is VT"
    );
    assert!(p(r"\h+").is_match(" \t\u{A0}\u{3000}"));
}

#[test]
fn dot_and_dollar_follow_java() {
    let dot = p(r".+");
    assert!(dot.is_match("a b"));
    for terminator in ["\n", "\r", "\u{85}", "\u{2028}", "\u{2029}"] {
        assert!(!dot.is_match(&format!("a{terminator}b")), "{terminator:?}");
    }
    assert!(p(r"(?s).+").is_match("a\r\nb"));
    // `$` may match before a final line terminator; whole-string matching must still consume it.
    assert!(!p(r"a$").is_match("a\n"));
    let dollar_mid = p(r"a$\s*");
    assert!(dollar_mid.is_match("a"));
    assert!(dollar_mid.is_match("a\n"));
    assert!(dollar_mid.is_match("a\r\n"));
    assert!(
        !dollar_mid.is_match("a\u{2028}"),
        "`$` matches before U+2028, but Java's \\s cannot take it"
    );
    assert!(p(r"a$\v").is_match("a\u{2028}"));
    assert!(
        !dollar_mid.is_match("a \n"),
        "`$` cannot match before two characters"
    );
    assert!(p(r"a$\r?\n?").is_match("a\r\n"));
    assert!(
        !p(r"a\r$\n").is_match("a\r\n"),
        "no `$` between \\r and \\n"
    );
    assert!(p(r"^(^a|b)c$").is_match("ac"));
}

#[test]
fn escapes_and_surrogates() {
    assert!(p(r"[a-zA-Z0-9\s'\x{0022},.:\\\/{$}\[\]=_\-\+]+").is_match("a\"{$}[]"));
    assert!(p(r"([\w!$&()*+,./:;=?@\x{60}-]|%([\dA-Fa-f]{2}|[\dA-Fa-f]?\*))+").is_match("`a%2F%*"));
    let octal = p(r"[^/:|\000-\037]+");
    assert!(octal.is_match("ab c"));
    assert!(!octal.is_match("a\u{1F}"));
    assert!(p(r"\u0041\x41\0101\t\cI").is_match("AAA\t\t"));
    // A surrogate pair written as two escapes is one supplementary character, so this class has all of them...
    let xml = p(r"[\u0020-\uD7FF\uE000-\uFFFD\uD800\uDC00-\uDBFF\uDFFF\t]*");
    assert!(xml.is_match("a😀\u{10FFFF}\t"));
    assert!(!xml.is_match("\u{1}"));
    assert!(!xml.is_match("\u{FFFE}"));
    // ... and with the escapes in the other order, lone surrogates, which no valid string contains.
    let lone = p(r"[\u0020-\uD7FF\uE000-\uFFFD\uD800\uDBFF-\uDC00\uDFFF\t]*");
    assert!(lone.is_match("aé\u{FFFD}"));
    assert!(!lone.is_match("😀"));
    assert!(
        p(r"\Q*+?\E+").is_match("*+??"),
        "a quantifier after \\E applies to the last quoted character"
    );
    assert!(p(r"[\Qa-z\E]+").is_match("a-z"));
    assert!(!p(r"[\Qa-z\E]+").is_match("b"));
}

#[test]
fn classes_follow_java() {
    let intersection = p(r"[\p{Print}&&[^|:/]]+");
    assert!(intersection.is_match("abc def"));
    assert!(!intersection.is_match("a|b"));
    assert!(!intersection.is_match("é"));
    let dash = p(r"[\w-.]+");
    assert!(dash.is_match("a-b.c"));
    let after_property = p(r"[\p{L}\p{N}\p{Z}-_]+");
    assert!(after_property.is_match("a-_1 "));
    assert!(
        !after_property.is_match("."),
        "`-` after a class escape is a literal, not a range"
    );
    assert!(p(r"[a-zA-Z+-=._:/]+").is_match("a,0<:"), "`+-=` is a range");
    assert!(
        p(r"[]a]+").is_match("]a"),
        "a `]` first in a class is a literal"
    );
    assert!(p(r"[^]a]").is_match("b"));
    assert!(
        p(r"[a-z[0-9]]+").is_match("a0"),
        "a nested class is a union"
    );
    assert!(
        !p(r"[^a[b]]").is_match("b"),
        "negation applies to the whole class (JDK 9+)"
    );
    assert!(p(r"[\[\]]+").is_match("[]"));
}

#[test]
fn case_insensitivity_is_ascii_and_scoped() {
    let aws = p(r"(?!(?i)AWS_)[a-zA-Z_][a-zA-Z0-9_]*");
    assert!(!aws.is_match("aws_x"));
    assert!(!aws.is_match("AwS_x"));
    assert!(aws.is_match("awsx"));
    let all = p(r"(?i)all|[0-9]{12}");
    assert!(all.is_match("ALL") && all.is_match("aLl") && all.is_match("123456789012"));
    let k = p(r"(?i)k");
    assert!(k.is_match("K"));
    assert!(
        !k.is_match("\u{212A}"),
        "the Kelvin sign folds to k only with Unicode case folding"
    );
    let scoped = p(r"a(?i:b)c");
    assert!(scoped.is_match("aBc"));
    assert!(!scoped.is_match("aBC"));
    let rest = p(r"a(?i)b|c");
    assert!(
        rest.is_match("aB") && rest.is_match("C"),
        "a flag holds to the end of its group"
    );
    let script = p(r"^(?![^:\\]*/action/|(?i).*<script>.*</script>.*)[^:\\]+$");
    assert!(script.is_match("hello/world"));
    assert!(!script.is_match("x<SCRIPT>y</Script>"));
    assert!(!script.is_match("a/action/b"));
}

#[test]
fn look_around_and_back_references() {
    let no_dot_end = p(r"^[0-9a-z\.\-]*(?<!\.)$");
    assert!(no_dot_end.is_match("a.b") && !no_dot_end.is_match("a.b."));
    let s3 = p(r"[\da-z]{1}[\da-z-]{1,48}[\da-z]{1}(?<!-s3alias)(?<!-ext-s3alias)");
    assert!(s3.is_match("my-bucket") && !s3.is_match("my-s3alias"));
    let repeats = p(r"^(?!.*?(.)\1{3})[-_!@#$a-zA-Z0-9]*$");
    assert!(repeats.is_match("aaab") && !repeats.is_match("xaaaa"));
    let domain = p(r"(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]{2,63}");
    assert!(domain.is_match("example.com"));
    assert!(!domain.is_match(&format!("{}.com", "a.".repeat(130))));
    assert!(
        p(r"(a)\2?b").is_match("ab") && !p(r"(a)\2b").is_match("ab"),
        "a reference to no group"
    );
    assert!(
        p(r"[0-9a-zA-Z]{11}{0,1011}").is_match("abcdefghijk"),
        "a second quantifier repeats nothing"
    );
    assert!(
        p(r"a*+b").is_match("aab") && !p(r"a*+a").is_match("aa"),
        "possessive"
    );
    assert!(!p(r"(?>a|ab)c").is_match("abc"), "atomic");
}

#[test]
fn word_boundaries_depend_on_the_jvm() {
    let uuid = p(r".*\b[a-f0-9]{8}\b.*");
    assert!(uuid.is_match("x 0123abcd y"));
    assert!(!uuid.is_match("x0123abcd"));
    // JDK 19+ (ASCII) sees a boundary between é and 0; JDK 18 and older do not.
    assert!(uuid.is_match("é0123abcd"));
    assert!(uuid.is_uncertain("é0123abcd"));
    assert!(!uuid.is_uncertain("x 0123abcd"));
    assert!(!p(r"\d+").is_uncertain("é"));
    assert!(
        p(r"\p{L}+").is_uncertain("\u{1E900}"),
        "Adlam, assigned in Unicode 9"
    );
}

#[test]
fn large_counted_repetitions_of_unicode_classes_compile() {
    let p = p(r"^[\p{L}\p{N}\p{Z}_.:/=+\-@]{1,1024}$");
    assert!(p.is_match(&"ж".repeat(1024)));
    assert!(!p.is_match(&"ж".repeat(1025)));
}

#[test]
fn large_bounds_are_exact_beyond_the_relaxed_range() {
    // Compiled relaxed (no maximum) for strings up to 300 characters, exactly beyond.
    let two = p(r"a{1,300}b{0,300}");
    assert!(two.is_match(&format!("{}{}", "a".repeat(300), "b".repeat(300))));
    assert!(!two.is_match(&format!("{}{}", "a".repeat(301), "b".repeat(10))));
    assert!(
        !two.is_match(&format!("{}{}", "a".repeat(300), "b".repeat(301))),
        "longer than any match"
    );
    let tail = p(r"[a-z]{0,300}x");
    assert!(tail.is_match(&format!("{}x", "a".repeat(300))));
    assert!(!tail.is_match(&format!("{}x", "a".repeat(301))));
    let huge = p(r"^.{1,100000}$");
    assert!(huge.is_match(&"é".repeat(100_000)));
    assert!(!huge.is_match(&"é".repeat(100_001)));
    assert!(!huge.is_match(""));
}

// Generation.

#[test]
fn every_feasible_length_gives_a_full_match() {
    let pattern = p(r"^[\s]*[\w+=.#|!&-]+@[\w.-]+\.[\w]+[\s]*$");
    let generator = PatternGen::new(&pattern, 255);
    assert!(generator.is_exact());
    assert!(!generator.lengths().contains(4), "a@b.c is the shortest");
    assert_eq!(generator.lengths().min(), Some(5));
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
    let generator = PatternGen::new(&p("m-[0-9a-f]{32}"), 40);
    assert_eq!(generator.lengths().iter().collect::<Vec<_>>(), vec![34]);
    let even = PatternGen::new(&p("(ab)+"), 10);
    assert_eq!(
        even.lengths().iter().collect::<Vec<_>>(),
        vec![2, 4, 6, 8, 10]
    );
    assert_eq!(
        even.generate(&mut rng(), 6, Pick::Random).unwrap(),
        "ababab"
    );
    assert!(even.generate(&mut rng(), 5, Pick::Random).is_none());
    let nested = PatternGen::new(&p(r"(([a-z]{2,3}\.){1,3}x){2}"), 40);
    assert_eq!(nested.lengths().min(), Some(8));
    assert_eq!(nested.lengths().max(), Some(26));
    assert!(nested.lengths().contains(9) && !nested.lengths().contains(7));
    let never = PatternGen::new(&p(r"a[^\x{0}-\x{10FFFF}]"), 10);
    assert!(
        never.lengths().is_empty(),
        "{:?} {:?}",
        never.lengths(),
        never.pattern().ast()
    );
}

#[test]
fn edges_reach_the_ends_of_the_classes() {
    let pattern = p(r"^[\s]*[\w+=.#|!&-]+@[\w.-]+\.[\w]+[\s]*$");
    let generator = PatternGen::new(&pattern, 64);
    let mut rng = rng();
    let low = generator.generate(&mut rng, 20, Pick::EdgeLow).unwrap();
    let high = generator.generate(&mut rng, 20, Pick::EdgeHigh).unwrap();
    assert!(low.starts_with(['\t', ' ']), "{low:?}");
    assert!(high.ends_with([' ', '\r']), "{high:?}");
}

#[test]
fn alphabet_and_literals() {
    let generator = PatternGen::new(&p("m-[0-9a-f]{2}"), 10);
    assert!(generator.allows('m') && generator.allows('7') && !generator.allows('g'));
    assert_eq!(generator.literals(), &['m', '-']);
    assert!(generator.disallowed_ascii().contains(&'@'));
    assert!(!generator.disallowed_ascii().contains(&'a'));
}

#[test]
fn generation_with_look_around_and_back_references() {
    let mut rng = rng();
    for source in [
        r"^(?!aws:)[a-z:]{1,10}$",
        r"(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]{2,63}",
        r"^(-?)\d{2}\1\d{2}$",
        r"^(?!.*?(.)\1{3})[-_!@#$a-zA-Z0-9]*$",
        r"^[0-9a-f]{8}\b-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-\b[0-9a-f]{12}$",
        r".*\b[a-f0-9]{8}\b.*",
    ] {
        let pattern = p(source);
        let generator = PatternGen::new(&pattern, 80);
        assert!(!generator.is_exact(), "{source}");
        let lengths: Vec<usize> = generator.lengths().iter().collect();
        let made = lengths
            .iter()
            .filter_map(|len| generator.generate(&mut rng, *len, Pick::Random))
            .inspect(|s| {
                assert!(
                    pattern.is_match(s) && !pattern.is_uncertain(s),
                    "{source}: {s:?}"
                )
            })
            .count();
        assert!(
            made * 2 >= lengths.len(),
            "{source}: {made} of {}",
            lengths.len()
        );
    }
}

#[test]
fn unicode_property_classes_generate_long_assigned_characters() {
    let pattern = p(r"\P{C}{50}");
    let generator = PatternGen::new(&pattern, 60);
    let mut rng = rng();
    for _ in 0..50 {
        let s = generator.generate(&mut rng, 50, Pick::Random).unwrap();
        assert!(s.chars().all(charset::is_long_assigned), "{s:?}");
    }
}

#[test]
fn large_caps_stay_fast() {
    let pattern = p(r"(\w+\.)+\w+|(ab)*|[a-z]{3,}(,[a-z]+)*");
    let started = std::time::Instant::now();
    let generator = PatternGen::new(&pattern, generate::MAX_CAP);
    let s = generator
        .generate(&mut rng(), 10_000, Pick::Random)
        .unwrap();
    assert!(pattern.is_match(&s));
    assert!(started.elapsed().as_secs() < 10, "{:?}", started.elapsed());
}

// Probes.

#[test]
fn lookalikes_of_ascii_classes() {
    let generator = PatternGen::new(&p(r"^[\s]*[\w+=.#|!&-]+@[\w.-]+\.[\w]+[\s]*$"), 64);
    let lookalikes = generator.lookalikes();
    let of = |class: &str| {
        lookalikes
            .iter()
            .find(|l| l.class == class)
            .map(|l| l.chars.clone())
    };
    assert_eq!(of(r"\s"), Some(vec!['\u{A0}', '\u{2003}', '\u{3000}']));
    assert!(of(r"\w").unwrap().contains(&'é'));
    assert_eq!(of(r"\d"), None);
    let mut rng = rng();
    let probe = generator.unicode_only_match(&mut rng, 20).unwrap();
    assert_eq!(probe.value.chars().count(), 20);
    assert!(!generator.pattern().is_match(&probe.value));
    assert!(
        regex::Regex::new(r"^[\s]*[\w+=.#|!&-]+@[\w.-]+\.[\w]+[\s]*$")
            .unwrap()
            .is_match(&probe.value)
    );

    let digits = PatternGen::new(&p(r"\d{12}"), 20);
    let probe = digits.unicode_only_match(&mut rng, 12).unwrap();
    assert_eq!(probe.class, r"\d");
    assert_eq!(probe.lookalike, '\u{663}');
    assert!(
        PatternGen::new(&p(r"[0-9]{12}"), 20)
            .unicode_only_match(&mut rng, 12)
            .is_none()
    );
    assert!(
        PatternGen::new(&p(r"\S+"), 20).lookalikes().is_empty(),
        "negated classes accept more in Java"
    );

    let dot = PatternGen::new(&p(r"a.b"), 5);
    let probe = dot.unicode_only_match(&mut rng, 3).unwrap();
    assert_eq!(probe.class, ".");
    let folded = PatternGen::new(&p(r"(?i)ok"), 5);
    assert_eq!(
        folded.unicode_only_match(&mut rng, 2).unwrap().lookalike,
        '\u{212A}'
    );
    let posix = PatternGen::new(&p(r"\p{Alnum}+"), 5);
    assert_eq!(posix.lookalikes()[0].class, r"\p{Alnum}");
}

#[test]
fn repetition_bounds() {
    let mut rng = rng();
    let account = PatternGen::new(&p(r"^\d{12}$"), 20);
    let probes = account.repetition_probes(&mut rng);
    assert_eq!(probes.len(), 2);
    assert_eq!(probes[0].bound, RepetitionBound::BelowMin);
    assert_eq!(probes[0].copies, 11);
    assert_eq!(probes[0].value.len(), 11);
    assert_eq!(probes[1].bound, RepetitionBound::AboveMax);
    assert_eq!(probes[1].value.len(), 13);
    assert_eq!(probes[1].quantifier, r"\d{12}");

    let email = PatternGen::new(
        &p(r"[a-zA-Z0-9._%+-]{1,64}@[a-zA-Z0-9.-]+\.[a-zA-Z-]{2,}"),
        254,
    );
    let probes = email.repetition_probes(&mut rng);
    let described: Vec<(String, RepetitionBound, u32)> = probes
        .iter()
        .map(|p| (p.quantifier.clone(), p.bound, p.copies))
        .collect();
    assert_eq!(
        described,
        vec![
            (
                "[a-zA-Z0-9._%+-]{1,64}".to_string(),
                RepetitionBound::BelowMin,
                0
            ),
            (
                "[a-zA-Z0-9._%+-]{1,64}".to_string(),
                RepetitionBound::AboveMax,
                65
            ),
            ("[a-zA-Z-]{2,}".to_string(), RepetitionBound::BelowMin, 1),
        ]
    );
    assert!(
        probes[1].value.starts_with(|c: char| c != '@') && probes[1].value.find('@') == Some(65)
    );
    // Where another alternative accepts the count anyway, there is no probe.
    let either = PatternGen::new(&p(r"\d{12}|\d{13}"), 20);
    assert!(
        either
            .repetition_probes(&mut rng)
            .iter()
            .all(|p| p.copies != 13)
    );
    // A cap too small for one copy more leaves that probe out.
    assert_eq!(
        PatternGen::new(&p(r"a{1,64}"), 64)
            .repetition_probes(&mut rng)
            .len(),
        1
    );
}

#[test]
fn literals_and_disallowed_characters() {
    let mut rng = rng();
    let generator = PatternGen::new(&p(r"[a-z]+@[a-z]+\.com"), 30);
    assert_eq!(generator.literals(), &['@', '.', 'c', 'o', 'm']);
    assert_eq!(
        generator.replace_literal("ab@cd.com", '@', '#').as_deref(),
        Some("ab#cd.com")
    );
    assert_eq!(generator.replace_literal("ab@cd.com", '%', '#'), None);
    assert_eq!(
        generator.replace_literal("ab@cd.com", 'b', 'x'),
        None,
        "still matches"
    );
    let probe = generator.literal_probe(&mut rng, 12, '@').unwrap();
    assert!(!probe.contains('@') && !generator.pattern().is_match(&probe));
    let probe = generator.disallowed_probe(&mut rng, 12, '!').unwrap();
    assert!(probe.contains('!') && !generator.pattern().is_match(&probe));
}

// No input pattern panics, and whatever compiles generates matching strings.

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_patterns_never_panic(source in any::<String>()) {
        let _ = Pattern::new(&source);
    }

    #[test]
    fn regex_like_patterns_generate_what_they_match(
        source in r"([\\()\[\]{}|*+?^$.,&!=<>:0-9a-fA-FpPdDwWsSuxQEbkz-]|\\p\{L\}|\(\?[=!<]){0,24}",
        seed in any::<[u8; 32]>(),
    ) {
        if let Ok(pattern) = Pattern::new(&source) {
            let generator = PatternGen::new(&pattern, 24);
            let mut rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed);
            for len in generator.lengths().iter().take(6) {
                for pick in [Pick::Random, Pick::Simplest] {
                    if let Some(s) = generator.generate(&mut rng, len, pick) {
                        prop_assert!(pattern.is_match(&s), "{source}: {s:?}");
                        prop_assert_eq!(s.chars().count(), len);
                    } else {
                        prop_assert!(!generator.is_exact(), "{}: exact, yet nothing of length {}", source, len);
                    }
                }
            }
            for probe in generator.repetition_probes(&mut rng) {
                prop_assert!(!pattern.is_match(&probe.value), "{source}: {probe:?}");
            }
            if let Some(len) = generator.lengths().min()
                && let Some(probe) = generator.unicode_only_match(&mut rng, len)
            {
                prop_assert!(!pattern.is_match(&probe.value), "{source}: {probe:?}");
            }
        }
    }
}

/// A control character is `Cc` in every Unicode version: a pattern with a Unicode property and a literal control
/// (`\a` is U+0007 in Java) still generates, and its strings are certain (proptest found `\a\p{L}` generating
/// nothing although its lengths are exact).
#[test]
fn a_literal_control_beside_a_unicode_property_still_generates() {
    let pattern = Pattern::new(r"\a\p{L}").unwrap();
    let generator = PatternGen::new(&pattern, 24);
    assert!(generator.is_exact());
    for seed in 0u8..32 {
        let mut rng = TestRng::from_seed(RngAlgorithm::ChaCha, &[seed; 32]);
        for pick in [Pick::Random, Pick::Simplest] {
            let value = generator
                .generate(&mut rng, 2, pick)
                .unwrap_or_else(|| panic!("nothing of length 2 (seed {seed}, {pick:?})"));
            assert!(
                value.starts_with('\u{7}') && pattern.is_match(&value),
                "{value:?}"
            );
            assert!(!pattern.is_uncertain(&value), "{value:?}");
        }
    }
    // A character of a recent Unicode version still makes a property pattern's verdict uncertain.
    assert!(pattern.is_uncertain("\u{7}\u{1E030}"));
}

// The generator's checks: a lower backtracking limit than validation's.

/// fsx's `ResourceARN`: a look-ahead the tree cannot honour, and `.*` inside a group repeated four times before
/// `.{0,1024}`, so that a candidate the look-ahead rejects late costs millions of backtracking steps.
const FSX_RESOURCE_ARN: &str = r"^arn:(?=[^:]+:fsx:[^:]+:\d{12}:)((|(?=[a-z0-9-.]{1,63})(?!\d{1,3}(\.\d{1,3}){3})(?![^:]*-{2})(?![^:]*-\.)(?![^:]*\.-)[a-z0-9].*(?<!-)):){4}(?!/).{0,1024}$";

/// A string that costs fsx's pattern more than the generator's limit of backtracking steps and less than
/// validation's: it passes the first look-ahead, then, for a line feed at its end (which `.` does not take), every
/// split of its many colons into four segments is tried before it fails.
fn costly_for_fsx() -> String {
    format!("arn:aws:fsx:us-east-1:123456789012:{}\n", "a:".repeat(40))
}

#[test]
fn the_generators_check_gives_up_early_and_rejects() {
    let pattern = p(FSX_RESOURCE_ARN);
    let value = costly_for_fsx();
    // Validation decides, with the full limit: the value fails.
    assert_eq!(pattern.try_match(&value), Ok(false));
    // The generator's check gives up: neither a valid value nor a probe.
    assert_eq!(pattern.generation_verdict(&value), None);
    assert!(!pattern.surely_matches(&value));
    assert!(!pattern.surely_fails(&value));
    // What it can decide, it decides as validation does.
    let valid = "arn:aws:fsx:us-east-1:123456789012:file-system/fs-0123456789abcdef0";
    assert!(pattern.is_match(valid));
    assert_eq!(pattern.generation_verdict(valid), Some(true));
    assert_eq!(pattern.generation_verdict("arn:x"), Some(false));
    // A linear pattern shares validation's matcher: nothing is compiled twice.
    let linear = p(r"^[a-z]{1,8}$");
    assert_eq!(linear.generation_verdict("abc"), Some(true));
    assert!(!linear.generation_compiled_apart());
    // A backtracking one has matchers of its own for generation.
    assert!(pattern.generation_compiled_apart());
}

#[test]
fn matchers_dropped_and_compiled_again_answer_as_before() {
    // More distinct patterns than the cache keeps, checked twice: the second pass compiles the first ones again
    // (they were dropped) and every verdict is that of matchers compiled apart from the cache.
    let patterns: Vec<Pattern> = (0..cache::CAPACITY + 40)
        .map(|i| p(&format!(r"^cache-test-{i}-[a-z]{{1,3}}(?<!-x)\b$")))
        .collect();
    let values = ["a", "ab", "abcd", "x", "-x", "é"];
    for round in 0..2 {
        for (i, pattern) in patterns.iter().enumerate() {
            let apart = Compiled::new(pattern.ast(), BACKTRACK_LIMIT).unwrap();
            let apart_generation =
                Compiled::new(pattern.ast(), GENERATION_BACKTRACK_LIMIT).unwrap();
            for value in values {
                let value = format!("cache-test-{i}-{value}");
                assert_eq!(
                    pattern.try_match(&value).ok(),
                    apart.matcher.try_match(&value).ok(),
                    "round {round}: {pattern:?} on {value:?}"
                );
                assert_eq!(
                    pattern.is_uncertain(&value),
                    apart.boundary_differs(&value),
                    "round {round}: {pattern:?} on {value:?}"
                );
                assert_eq!(
                    pattern.generation_verdict(&value),
                    apart_generation
                        .matcher
                        .try_match(&value)
                        .ok()
                        .filter(|_| !apart_generation.boundary_differs(&value)),
                    "round {round}: {pattern:?} on {value:?}"
                );
            }
        }
    }
    // The first pattern was compiled again in the second round: the cache did not keep every pattern.
    assert!(
        patterns[0].compiled.fills() >= 2,
        "the cache kept more than {} patterns",
        cache::CAPACITY
    );
}

#[test]
fn generating_for_a_costly_look_around_pattern_never_checks_with_the_full_limit() {
    let pattern = p(FSX_RESOURCE_ARN);
    let generator = PatternGen::new(&pattern, 513);
    let mut rng = rng();
    let before = full_limit_checks();
    for len in [8, 60, 200, 512] {
        if let Some(value) = generator.generate(&mut rng, len, Pick::Random) {
            assert!(pattern.is_match(&value), "{value:?}");
        }
    }
    let _ = probes(&pattern, Some(8), Some(512), &mut rng);
    assert_eq!(
        full_limit_checks() - before,
        0,
        "the generator checked its candidates with validation's backtracking limit"
    );
}
