//! Patterns with AWS's semantics: whole-string match and Java's ASCII classes, for both checking and generating.

use std::fmt;

use regex::Regex;

/// A compiled spec pattern.
///
/// AWS (Java) matches the whole string and its `\w \d \s` are ASCII, whereas Rust's `regex` is Unicode-aware and
/// searches for a match anywhere. The pattern is therefore rewritten once: the shorthand classes become explicit
/// ASCII classes and the anchors are dropped (`body`), then `^(?:body)$` is compiled for matching. `body` is what
/// proptest's `string_regex` needs, since it rejects anchors.
#[derive(Clone)]
pub struct Pattern {
    /// The pattern as the spec file writes it (`^\d{12}$`).
    pub source: String,
    /// The pattern without anchors and with ASCII classes, for generators (`[0-9]{12}`).
    pub body: String,
    regex: Regex,
}

impl Pattern {
    /// Compiles a spec pattern; the error says what the regex engine objects to.
    pub fn new(source: &str) -> Result<Self, String> {
        let body = to_ascii_unanchored(source)?;
        let regex = Regex::new(&format!("^(?:{body})$")).map_err(|e| match e {
            regex::Error::Syntax(text) => text
                .lines()
                .last()
                .unwrap_or("invalid syntax")
                .trim_start_matches("error: ")
                .to_string(),
            regex::Error::CompiledTooBig(limit) => {
                format!("the compiled pattern exceeds the size limit of {limit} bytes")
            }
            other => other.to_string(),
        })?;
        Ok(Pattern {
            source: source.to_string(),
            body,
            regex,
        })
    }

    /// Whether the whole of `value` matches, as AWS checks it.
    pub fn is_match(&self, value: &str) -> bool {
        self.regex.is_match(value)
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

const DIGIT: &str = "0-9";
const WORD: &str = "0-9A-Za-z_";
// Java's \s: space, \t, \n, \x0B, \f, \r.
const SPACE: &str = r" \t\n\x0B\x0C\r";

/// Rewrites Java shorthand classes as ASCII classes and removes `^`/`$` anchors outside classes.
///
/// Anchors can only be dropped because the result is always matched against the whole string; a pattern with an
/// anchor in the middle of an alternative would change meaning, so that is refused.
fn to_ascii_unanchored(source: &str) -> Result<String, String> {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len() + 16);
    let mut class_depth = 0usize;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                let Some(&next) = chars.get(i + 1) else {
                    return Err("the pattern ends with a lone backslash".to_string());
                };
                let (set, negated) = match next {
                    'd' => (Some(DIGIT), false),
                    'w' => (Some(WORD), false),
                    's' => (Some(SPACE), false),
                    'D' => (Some(DIGIT), true),
                    'W' => (Some(WORD), true),
                    'S' => (Some(SPACE), true),
                    _ => (None, false),
                };
                match set {
                    // Inside a class a nested class is a union, which `regex` supports: [\s0-9] -> [[ \t..]0-9].
                    Some(set) => {
                        out.push_str(&format!("[{}{set}]", if negated { "^" } else { "" }))
                    }
                    None => {
                        out.push('\\');
                        out.push(next);
                    }
                }
                i += 2;
                continue;
            }
            '[' => {
                class_depth += 1;
                out.push('[');
                // A leading ^ or ] belongs to the class, not to the anchor logic.
                if chars.get(i + 1) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
                if chars.get(i + 1) == Some(&']') {
                    out.push_str("\\]");
                    i += 1;
                }
            }
            ']' if class_depth > 0 => {
                class_depth -= 1;
                out.push(']');
            }
            '^' if class_depth == 0 => {
                let at_start = i == 0 || matches!(chars[i - 1], '|' | '(');
                if !at_start {
                    return Err(
                        "`^` is only supported at the start of the pattern or of an alternative"
                            .into(),
                    );
                }
            }
            '$' if class_depth == 0 => {
                let at_end = i + 1 == chars.len() || matches!(chars[i + 1], '|' | ')');
                if !at_end {
                    return Err(
                        "`$` is only supported at the end of the pattern or of an alternative"
                            .into(),
                    );
                }
            }
            _ => out.push(c),
        }
        i += 1;
    }
    if class_depth > 0 {
        return Err("unclosed character class: a `[` has no matching `]`".to_string());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_whole_string() {
        let p = Pattern::new(r"^\d{12}$").unwrap();
        assert!(p.is_match("123456789012"));
        assert!(
            !p.is_match("1234567890123"),
            "13 digits must fail as on AWS"
        );
        let unanchored = Pattern::new(r"\d{12}").unwrap();
        assert!(!unanchored.is_match("x123456789012"));
    }

    #[test]
    fn shorthand_classes_are_ascii() {
        let p = Pattern::new(r"^\w+$").unwrap();
        assert!(p.is_match("abc_09"));
        assert!(!p.is_match("é"), "Java's \\w is ASCII");
        let d = Pattern::new(r"^\d$").unwrap();
        assert!(!d.is_match("٣"), "Arabic-Indic digit is no \\d in Java");
        let s = Pattern::new(r"^[\s]$").unwrap();
        assert!(s.is_match("\u{0B}"));
        assert!(!s.is_match("\u{A0}"), "no-break space is no \\s in Java");
    }

    #[test]
    fn the_email_pattern_of_put_alternate_contact() {
        let p = Pattern::new(r"^[\s]*[\w+=.#|!&-]+@[\w.-]+\.[\w]+[\s]*$").unwrap();
        assert!(p.is_match("carlos@example.com"));
        assert!(p.is_match("  a|b@x.io\t"));
        assert!(!p.is_match("carlos.example.com"));
        assert!(!p.is_match("carlos@example"));
        assert_eq!(
            p.body,
            r"[[ \t\n\x0B\x0C\r]]*[[0-9A-Za-z_]+=.#|!&-]+@[[0-9A-Za-z_].-]+\.[[0-9A-Za-z_]]+[[ \t\n\x0B\x0C\r]]*"
        );
    }

    #[test]
    fn negated_classes_and_alternatives() {
        let p = Pattern::new(r"^a$|^\S+$").unwrap();
        assert!(p.is_match("a"));
        assert!(p.is_match("xyz"));
        assert!(!p.is_match("x y"));
        assert_eq!(p.body, r"a|[^ \t\n\x0B\x0C\r]+");
    }

    #[test]
    fn bad_patterns_say_why() {
        assert!(Pattern::new("[a-").unwrap_err().contains("unclosed"));
        assert!(Pattern::new("a(b").is_err());
        assert!(Pattern::new("a^b").unwrap_err().contains("`^`"));
        assert!(Pattern::new(r"ab\").unwrap_err().contains("backslash"));
        assert!(
            Pattern::new("(?=a)b").is_err(),
            "lookaround is not supported"
        );
    }
}
