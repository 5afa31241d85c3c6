//! Character sets as Java reads them (ASCII shorthand and POSIX classes, Unicode properties), each paired with how a
//! Unicode-aware engine (Rust's `regex`, Python's `re` without `re.ASCII`) would read the same syntax.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use regex_syntax::hir::{Class, ClassUnicode, ClassUnicodeRange, HirKind};

/// A set of Unicode scalar values; surrogate code points cannot be members, as no Rust string holds them.
pub(crate) type CharSet = ClassUnicode;

/// The empty set.
pub(crate) fn empty() -> CharSet {
    ClassUnicode::empty()
}

/// Every scalar value.
pub(crate) fn any() -> CharSet {
    let mut set = empty();
    set.negate();
    set
}

/// The code points `lo..=hi`, without the surrogates (Java can name them; no valid string contains them).
///
/// One range of `char`s: a range across the surrogate block already skips it, and regex-syntax's negation needs
/// that (two ranges meeting at the block would leave a bogus gap between them).
pub(crate) fn range(lo: u32, hi: u32) -> CharSet {
    let lo = if (0xD800..=0xDFFF).contains(&lo) {
        0xE000
    } else {
        lo
    };
    let hi = if (0xD800..=0xDFFF).contains(&hi) {
        0xD7FF
    } else {
        hi.min(0x10_FFFF)
    };
    let mut set = empty();
    if lo <= hi
        && let (Some(a), Some(b)) = (char::from_u32(lo), char::from_u32(hi))
    {
        set.push(ClassUnicodeRange::new(a, b));
    }
    set
}

/// One code point (empty for a lone surrogate).
pub(crate) fn single(c: u32) -> CharSet {
    range(c, c)
}

/// `a ∪ b`.
pub(crate) fn union(mut a: CharSet, b: &CharSet) -> CharSet {
    a.union(b);
    a
}

/// `a ∩ b`.
pub(crate) fn intersect(mut a: CharSet, b: &CharSet) -> CharSet {
    a.intersect(b);
    a
}

/// `a − b`.
pub(crate) fn difference(mut a: CharSet, b: &CharSet) -> CharSet {
    a.difference(b);
    a
}

/// The complement.
pub(crate) fn negate(mut a: CharSet) -> CharSet {
    a.negate();
    a
}

/// Whether `c` is a member.
pub(crate) fn contains(set: &CharSet, c: char) -> bool {
    let ranges = set.ranges();
    let i = ranges.partition_point(|r| r.end() < c);
    i < ranges.len() && ranges[i].start() <= c
}

/// The members as ranges that never span the surrogate block, so that `start + k` is a member for every `k` up to
/// the range's size.
pub(crate) fn scalar_ranges(set: &CharSet) -> Vec<(char, char)> {
    let mut out = Vec::with_capacity(set.ranges().len() + 1);
    for r in set.ranges() {
        if r.start() <= '\u{D7FF}' && r.end() >= '\u{E000}' {
            out.push((r.start(), '\u{D7FF}'));
            out.push(('\u{E000}', r.end()));
        } else {
            out.push((r.start(), r.end()));
        }
    }
    out
}

/// The number of members.
pub(crate) fn size(set: &CharSet) -> u64 {
    scalar_ranges(set)
        .iter()
        .map(|(a, b)| *b as u64 - *a as u64 + 1)
        .sum()
}

/// Java's ASCII-only case-insensitivity (`(?i)` without `UNICODE_CASE`): every ASCII letter gains its other case.
pub(crate) fn ascii_case_fold(set: &CharSet) -> CharSet {
    let mut out = set.clone();
    for (lower, upper) in ('a'..='z').zip('A'..='Z') {
        if contains(set, lower) || contains(set, upper) {
            out.push(ClassUnicodeRange::new(lower, lower));
            out.push(ClassUnicodeRange::new(upper, upper));
        }
    }
    out
}

/// Unicode simple case folding, as `(?i)` means to a Unicode-aware engine (`k` also matches the Kelvin sign).
pub(crate) fn unicode_case_fold(set: &CharSet) -> CharSet {
    let mut out = set.clone();
    out.case_fold_simple();
    out
}

/// A set written with regex-syntax's Unicode-aware class syntax (`\p{Alphabetic}`, `[\p{L}\p{Nd}_]`), parsed once.
///
/// regex-syntax carries the Unicode tables, so they are not copied here; its Unicode version may be newer than the
/// JVM's, which is why generation keeps to long-assigned characters (see `generate`).
pub(crate) fn unicode_class(expr: &str) -> Option<CharSet> {
    static CACHE: OnceLock<Mutex<HashMap<String, Option<CharSet>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Ok(map) = cache.lock()
        && let Some(hit) = map.get(expr)
    {
        return hit.clone();
    }
    let parsed = regex_syntax::ParserBuilder::new()
        .build()
        .parse(expr)
        .ok()
        .and_then(|hir| match hir.kind() {
            HirKind::Class(Class::Unicode(class)) => Some(class.clone()),
            HirKind::Literal(lit) => std::str::from_utf8(&lit.0)
                .ok()
                .and_then(|s| s.chars().next())
                .map(|c| single(c as u32)),
            _ => None,
        });
    if let Ok(mut map) = cache.lock() {
        map.insert(expr.to_string(), parsed.clone());
    }
    parsed
}

fn unicode_class_or_empty(expr: &str) -> CharSet {
    unicode_class(expr).unwrap_or_else(empty)
}

/// Characters assigned, with today's general category, since Unicode 3.0 or earlier (and so in every JVM's tables
/// since Java 1.4): the ones a generated string may take from a class defined by a Unicode property, or from a huge
/// class such as `.`, so that no JVM with older Unicode tables than regex-syntax's could judge it otherwise.
const LONG_ASSIGNED: &[(u32, u32)] = &[
    (0x09, 0x0A),
    (0x0D, 0x0D),
    (0x20, 0x7E),
    (0xA0, 0x21F),  // Latin-1 Supplement, Latin Extended-A, most of Extended-B
    (0x391, 0x3A1), // Greek capitals
    (0x3A3, 0x3A9),
    (0x3B1, 0x3C9),   // Greek small letters
    (0x400, 0x45F),   // Cyrillic
    (0x660, 0x669),   // Arabic-Indic digits
    (0x966, 0x96F),   // Devanagari digits
    (0x2000, 0x200A), // spaces (U+200B changed category in Unicode 4.0.1)
    (0x2010, 0x2027), // dashes, quotes, bullets
    (0x2030, 0x205E),
    (0x212A, 0x212A), // Kelvin sign
    (0x3000, 0x3037), // CJK symbols
    (0x3041, 0x3094), // Hiragana
    (0x30A1, 0x30FA), // Katakana
    (0x4E00, 0x9FA5), // CJK unified ideographs of Unicode 1.1
    (0xAC00, 0xD7A3), // Hangul syllables
    (0xFF01, 0xFF5E), // fullwidth ASCII
];

/// The set of [`LONG_ASSIGNED`] characters.
pub(crate) fn long_assigned() -> CharSet {
    let mut set = empty();
    for (lo, hi) in LONG_ASSIGNED {
        set.union(&range(*lo, *hi));
    }
    set
}

/// Whether every JVM's Unicode tables agree with regex-syntax's about `c`. (The C0 and C1 controls, which are left
/// out here so that classes do not draw them, are `Cc` in every Unicode version too: [`super::Pattern::is_uncertain`]
/// lets them pass, so that a pattern such as `\a\p{L}` still has matching strings.)
pub(crate) fn is_long_assigned(c: char) -> bool {
    let c = c as u32;
    LONG_ASSIGNED.iter().any(|(lo, hi)| *lo <= c && c <= *hi)
}

/// A class as Java reads it, with what a Unicode-aware engine would read instead, and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ClassSets {
    /// The members under Java's semantics (what AWS checks).
    pub(crate) java: CharSet,
    /// The members a Unicode-aware engine would accept for the same syntax (`\d` = every decimal digit).
    pub(crate) unicode: CharSet,
    /// Whether a Unicode property (`\p{L}`) is part of it: its members depend on the Unicode version.
    pub(crate) property: bool,
    /// The ASCII-only classes it uses positively, as written (`\w`, `\p{Alnum}`, `(?i)`, `.`), for look-alike probes.
    pub(crate) ascii_classes: Vec<&'static str>,
}

impl ClassSets {
    /// A set that every engine reads alike.
    pub(crate) fn plain(set: CharSet) -> Self {
        ClassSets {
            unicode: set.clone(),
            java: set,
            property: false,
            ascii_classes: Vec::new(),
        }
    }

    /// A class with different Java and Unicode readings, labelled as written.
    fn ascii(java: CharSet, unicode: CharSet, label: &'static str) -> Self {
        ClassSets {
            java,
            unicode,
            property: false,
            ascii_classes: vec![label],
        }
    }

    /// The union of two classes.
    pub(crate) fn union(mut self, other: &ClassSets) -> Self {
        self.java.union(&other.java);
        self.unicode.union(&other.unicode);
        self.property |= other.property;
        for label in &other.ascii_classes {
            if !self.ascii_classes.contains(label) {
                self.ascii_classes.push(label);
            }
        }
        self
    }

    /// The intersection of two classes (`&&`).
    pub(crate) fn intersect(mut self, other: &ClassSets) -> Self {
        self.java.intersect(&other.java);
        self.unicode.intersect(&other.unicode);
        self.property |= other.property;
        self.ascii_classes
            .retain(|l| other.ascii_classes.contains(l));
        self
    }

    /// The complement; the ASCII classes now count negatively, so they no longer offer look-alikes.
    pub(crate) fn negate(mut self) -> Self {
        self.java.negate();
        self.unicode.negate();
        self.ascii_classes.clear();
        self
    }

    /// Applies `(?i)`: Java folds ASCII letters only, a Unicode-aware engine folds by Unicode's simple case folding.
    pub(crate) fn case_insensitive(mut self) -> Self {
        let folded = ascii_case_fold(&self.java);
        self.unicode = unicode_case_fold(&self.unicode);
        if self.java.ranges().iter().any(|r| {
            let (a, b) = (r.start(), r.end());
            // Only letters that Unicode folds beyond ASCII (k: Kelvin sign, s: long s) give a look-alike.
            ['k', 'K', 's', 'S'].iter().any(|c| a <= *c && *c <= b)
        }) && !self.ascii_classes.contains(&"(?i)")
        {
            self.ascii_classes.push("(?i)");
        }
        self.java = folded;
        self
    }
}

/// `\d`, `\w`, `\s` and their negations, `\h`, `\v` and theirs: Java's definitions (ASCII for the first three).
pub(crate) fn shorthand(letter: char) -> Option<ClassSets> {
    let (sets, negated) = match letter {
        'd' | 'D' => (
            ClassSets::ascii(
                range('0' as u32, '9' as u32),
                unicode_class_or_empty(r"\d"),
                r"\d",
            ),
            letter == 'D',
        ),
        'w' | 'W' => (
            ClassSets::ascii(
                ascii_set("0-9A-Za-z_"),
                unicode_class_or_empty(r"\w"),
                r"\w",
            ),
            letter == 'W',
        ),
        's' | 'S' => (
            ClassSets::ascii(java_space(), unicode_class_or_empty(r"\s"), r"\s"),
            letter == 'S',
        ),
        // Java's horizontal and vertical whitespace are Unicode lists already: every engine that knows them agrees.
        'h' | 'H' => (ClassSets::plain(horizontal_space()), letter == 'H'),
        'v' | 'V' => (ClassSets::plain(vertical_space()), letter == 'V'),
        _ => return None,
    };
    Some(if negated { sets.negate() } else { sets })
}

/// Java's `\s`: space, `\t`, `\n`, `\x0B`, `\f`, `\r`.
pub(crate) fn java_space() -> CharSet {
    let mut set = range(0x09, 0x0D);
    set.push(ClassUnicodeRange::new(' ', ' '));
    set
}

/// Java's `\h`.
fn horizontal_space() -> CharSet {
    let mut set = empty();
    for (a, b) in [
        (0x20, 0x20),
        (0x09, 0x09),
        (0xA0, 0xA0),
        (0x1680, 0x1680),
        (0x180E, 0x180E),
        (0x2000, 0x200A),
        (0x202F, 0x202F),
        (0x205F, 0x205F),
        (0x3000, 0x3000),
    ] {
        set.union(&range(a, b));
    }
    set
}

/// Java's `\v` (since Java 8): `\n`, `\x0B`, `\f`, `\r`, U+0085, U+2028, U+2029.
pub(crate) fn vertical_space() -> CharSet {
    let mut set = range(0x0A, 0x0D);
    set.union(&single(0x85));
    set.union(&range(0x2028, 0x2029));
    set
}

/// Java's line terminators, which `.` excludes without `(?s)`: `\n`, `\r`, U+0085, U+2028, U+2029.
pub(crate) fn line_terminators() -> CharSet {
    let mut set = single(0x0A);
    set.union(&single(0x0D));
    set.union(&single(0x85));
    set.union(&range(0x2028, 0x2029));
    set
}

/// `.`: Java excludes its five line terminators unless `(?s)`; a Unicode-aware engine excludes only `\n`.
pub(crate) fn dot(dotall: bool) -> ClassSets {
    if dotall {
        ClassSets::plain(any())
    } else {
        ClassSets::ascii(negate(line_terminators()), negate(single(0x0A)), ".")
    }
}

/// Ranges written like a class body of ASCII characters (`0-9A-Za-z_`).
fn ascii_set(spec: &str) -> CharSet {
    let bytes: Vec<char> = spec.chars().collect();
    let mut set = empty();
    let mut i = 0;
    while i < bytes.len() {
        if i + 2 < bytes.len() && bytes[i + 1] == '-' {
            set.union(&range(bytes[i] as u32, bytes[i + 2] as u32));
            i += 3;
        } else {
            set.union(&single(bytes[i] as u32));
            i += 1;
        }
    }
    set
}

/// Java's POSIX classes (ASCII by default) with their Unicode readings (Java's `UNICODE_CHARACTER_CLASS`).
fn posix(name: &str) -> Option<ClassSets> {
    let (java, unicode, label): (CharSet, &str, &'static str) = match name {
        "Lower" => (ascii_set("a-z"), r"\p{Lowercase}", r"\p{Lower}"),
        "Upper" => (ascii_set("A-Z"), r"\p{Uppercase}", r"\p{Upper}"),
        "ASCII" => return Some(ClassSets::plain(range(0, 0x7F))),
        "Alpha" => (ascii_set("a-zA-Z"), r"\p{Alphabetic}", r"\p{Alpha}"),
        "Digit" => (ascii_set("0-9"), r"\p{Nd}", r"\p{Digit}"),
        "Alnum" => (
            ascii_set("a-zA-Z0-9"),
            r"[\p{Alphabetic}\p{Nd}]",
            r"\p{Alnum}",
        ),
        "Punct" => (punct(), r"\p{P}", r"\p{Punct}"),
        "Graph" => (
            range(0x21, 0x7E),
            r"[^\p{White_Space}\p{Cc}\p{Cn}]",
            r"\p{Graph}",
        ),
        "Print" => (
            range(0x20, 0x7E),
            r"[[^\p{White_Space}\p{Cc}\p{Cn}]\p{Zs}]",
            r"\p{Print}",
        ),
        "Blank" => (ascii_set(" \t"), r"[\p{Zs}\t]", r"\p{Blank}"),
        "Cntrl" => (
            union(range(0, 0x1F), &single(0x7F)),
            r"\p{Cc}",
            r"\p{Cntrl}",
        ),
        "XDigit" => (
            ascii_set("0-9a-fA-F"),
            r"[\p{Nd}\p{Hex_Digit}]",
            r"\p{XDigit}",
        ),
        "Space" => (java_space(), r"\p{White_Space}", r"\p{Space}"),
        _ => return None,
    };
    Some(ClassSets::ascii(java, unicode_class(unicode)?, label))
}

/// Java's `\p{Punct}`: ``!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~``.
fn punct() -> CharSet {
    let mut set = range(0x21, 0x2F);
    set.union(&range(0x3A, 0x40));
    set.union(&range(0x5B, 0x60));
    set.union(&range(0x7B, 0x7E));
    set
}

/// The general categories Java names, with their regex-syntax spelling.
const CATEGORIES: &[&str] = &[
    "Cn", "Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Me", "Mc", "Nd", "Nl", "No", "Zs", "Zl", "Zp", "Cc",
    "Cf", "Co", "Cs", "Pd", "Ps", "Pe", "Pc", "Po", "Sm", "Sc", "Sk", "So", "Pi", "Pf", "L", "M",
    "N", "Z", "C", "P", "S",
];

/// A property set that is the same for every engine that knows it.
fn property(expr: &str) -> Option<ClassSets> {
    let mut sets = ClassSets::plain(unicode_class(expr)?);
    sets.property = true;
    Some(sets)
}

/// Java's `CharPredicates.forProperty`: categories, POSIX classes and Java's own names (`LD`, `L1`, `all`).
fn for_property(name: &str) -> Option<ClassSets> {
    match name {
        // Java's C is Cc, Cf, Co, Cs and the unassigned Cn; spelled out so that no table's idea of "Other" matters.
        "C" => property(r"[\p{Cc}\p{Cf}\p{Co}\p{Cn}]"),
        // Surrogate code points: no valid string has one.
        "Cs" => {
            let mut sets = ClassSets::plain(empty());
            sets.property = true;
            Some(sets)
        }
        _ if CATEGORIES.contains(&name) => property(&format!(r"\p{{{name}}}")),
        "LC" => property(r"[\p{Lu}\p{Ll}\p{Lt}]"),
        "LD" => property(r"[\p{L}\p{Nd}]"),
        "L1" => Some(ClassSets::plain(range(0, 0xFF))),
        "all" => Some(ClassSets::plain(any())),
        _ => posix(name),
    }
}

/// Java's `CharPredicates.forUnicodeProperty` (the binary properties after `Is`), matched case-insensitively.
fn for_unicode_property(name: &str) -> Option<ClassSets> {
    let expr = match name.to_ascii_uppercase().as_str() {
        "ALPHABETIC" => r"\p{Alphabetic}",
        "ASSIGNED" => r"\P{Cn}",
        "CONTROL" => r"\p{Cc}",
        "HEXDIGIT" | "HEX_DIGIT" => r"\p{Hex_Digit}",
        "IDEOGRAPHIC" => r"\p{Ideographic}",
        "JOINCONTROL" | "JOIN_CONTROL" => r"\p{Join_Control}",
        "LETTER" => r"\p{L}",
        "LOWERCASE" => r"\p{Lowercase}",
        "NONCHARACTERCODEPOINT" | "NONCHARACTER_CODE_POINT" => r"\p{Noncharacter_Code_Point}",
        "TITLECASE" => r"\p{Lt}",
        "PUNCTUATION" => r"\p{P}",
        "UPPERCASE" => r"\p{Uppercase}",
        "WHITESPACE" | "WHITE_SPACE" => r"\p{White_Space}",
        "WORD" => r"\w",
        "DIGIT" => r"\p{Nd}",
        _ => return None,
    };
    property(expr)
}

/// A script by name (`Latin`, `Greek`), as Java's `Character.UnicodeScript.forName` accepts it.
fn for_script(name: &str) -> Option<ClassSets> {
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ' ')
    {
        return None;
    }
    property(&format!(r"\p{{Script={name}}}"))
}

/// Resolves the name inside Java's `\p{...}` (or the letter of `\pL`) the way `Pattern.family` does.
///
/// Unicode blocks (`\p{InGreek}`, `\p{block=...}`) and the `java...` methods are not supported: the Unicode tables
/// at hand have no blocks, and no published model uses either. The error says which name failed.
pub(crate) fn family(name: &str) -> Result<ClassSets, String> {
    let unknown = || format!("unknown or unsupported character property `{name}`");
    if let Some((key, value)) = name.split_once('=') {
        let sets = match key.to_ascii_lowercase().as_str() {
            "sc" | "script" => for_script(value),
            "gc" | "general_category" => for_property(value),
            "blk" | "block" => {
                return Err(format!(
                    "unicode blocks are not supported (`{name}`): the tables at hand have none"
                ));
            }
            _ => None,
        };
        return sets.ok_or_else(unknown);
    }
    if let Some(block) = name.strip_prefix("In") {
        return Err(format!(
            "unicode blocks are not supported (`\\p{{In{block}}}`): the tables at hand have none"
        ));
    }
    if let Some(short) = name.strip_prefix("Is") {
        return for_unicode_property(short)
            .or_else(|| for_property(short))
            .or_else(|| for_script(short))
            .ok_or_else(unknown);
    }
    for_property(name).ok_or_else(unknown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surrogates_are_never_members() {
        let set = range(0x20, 0xFFFD);
        assert!(contains(&set, '\u{D7FF}') && contains(&set, '\u{E000}'));
        assert_eq!(size(&set), 0xFFFD - 0x20 + 1 - 0x800);
        assert!(single(0xD800).ranges().is_empty());
    }

    #[test]
    fn negation_across_the_surrogates() {
        assert!(negate(range(0, 0x10FFFF)).ranges().is_empty());
        assert!(
            negate(range(0, 0xD800))
                .ranges()
                .iter()
                .all(|r| r.start() <= r.end())
        );
        assert!(contains(&negate(range(0x20, 0xFFFD)), '\u{FFFE}'));
    }

    #[test]
    fn java_names() {
        assert!(contains(&family("L").unwrap().java, 'ж'));
        assert!(!contains(&family("Alnum").unwrap().java, 'é'));
        assert!(contains(&family("Alnum").unwrap().unicode, 'é'));
        assert!(contains(&family("IsAlphabetic").unwrap().java, 'é'));
        assert!(contains(&family("LD").unwrap().java, '٣'));
        assert!(contains(&family("IsLatin").unwrap().java, 'é'));
        assert!(
            contains(&family("C").unwrap().java, '\u{378}'),
            "Java's C includes Cn"
        );
        assert!(family("InGreek").unwrap_err().contains("blocks"));
        assert!(family("Alnom").unwrap_err().contains("Alnom"));
        assert!(
            family("l").is_err(),
            "category names are case-sensitive in Java"
        );
    }

    #[test]
    fn every_java_name_resolves() {
        for name in [
            "Lower",
            "Upper",
            "ASCII",
            "Alpha",
            "Digit",
            "Alnum",
            "Punct",
            "Graph",
            "Print",
            "Blank",
            "Cntrl",
            "XDigit",
            "Space",
            "LC",
            "LD",
            "L1",
            "all",
            "IsAlphabetic",
            "IsWhitespace",
            "IsWhite_Space",
            "IsLetter",
            "IsDigit",
            "IsHex_Digit",
            "IsIdeographic",
            "IsPunctuation",
            "IsAssigned",
            "IsWord",
            "IsL",
            "IsLu",
            "IsLatin",
            "sc=Greek",
            "gc=Nd",
        ]
        .into_iter()
        .chain(CATEGORIES.iter().copied())
        {
            let sets = family(name).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(!sets.java.ranges().is_empty() || name == "Cs", "{name}");
        }
    }

    #[test]
    fn case_folding() {
        let k = ClassSets::plain(single('k' as u32)).case_insensitive();
        assert!(contains(&k.java, 'K') && !contains(&k.java, '\u{212A}'));
        assert!(contains(&k.unicode, '\u{212A}'));
        assert_eq!(k.ascii_classes, vec!["(?i)"]);
    }
}
