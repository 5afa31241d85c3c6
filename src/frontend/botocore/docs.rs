//! The first sentence of a model's HTML documentation, as plain text of bounded length.
//!
//! The published models carry about 100 MB of documentation; conform shows a line of it in `spec show` and keeps
//! it as provenance, so only the first sentence is kept, and it is cut while reading, never after copying it all.

/// At most this many characters of a sentence are kept; a longer one ends with `…`.
pub const MAX_DOC_CHARS: usize = 200;

/// The first sentence of `html`: tags dropped, the common entities decoded, white space collapsed, at most
/// [`MAX_DOC_CHARS`] characters. `None` when there is no text.
///
/// A sentence ends at `.`, `!` or `?` followed by white space, a tag or the end, except after `e.g.`/`i.e.`; it
/// also ends at the first closing paragraph once some text has been seen.
pub fn first_sentence(html: &str) -> Option<String> {
    let mut out = String::with_capacity(html.len().min(MAX_DOC_CHARS + 8));
    let mut chars = 0usize;
    let mut pending_space = false;
    let mut truncated = false;
    let bytes = html.as_bytes();
    let mut i = 0;
    while i < html.len() {
        let c = match html[i..].chars().next() {
            Some(c) => c,
            None => break,
        };
        if c == '<' {
            // A tag: skip to its end; block ends finish the sentence once there is text.
            let end = html[i..].find('>').map(|e| i + e + 1).unwrap_or(html.len());
            let tag = html[i + 1..end.saturating_sub(1).max(i + 1)].trim();
            if is_block(tag) {
                if !out.is_empty() && ends_block(tag) {
                    break;
                }
                pending_space = true;
            }
            i = end;
            continue;
        }
        let (c, len) = if c == '&' {
            decode_entity(&html[i..]).unwrap_or(('&', 1))
        } else {
            (c, c.len_utf8())
        };
        i += len;
        if c.is_whitespace() {
            pending_space = true;
            continue;
        }
        if pending_space && !out.is_empty() {
            if chars + 1 >= MAX_DOC_CHARS {
                truncated = true;
                break;
            }
            out.push(' ');
            chars += 1;
        }
        pending_space = false;
        if chars >= MAX_DOC_CHARS {
            truncated = true;
            break;
        }
        out.push(c);
        chars += 1;
        if matches!(c, '.' | '!' | '?') && sentence_ends_here(bytes, i, &out) {
            break;
        }
    }
    if truncated {
        // Cut back to a word boundary when one is near, so the text does not end mid-word.
        if let Some(space) = out.rfind(' ')
            && out.len() - space < 40
        {
            out.truncate(space);
        }
        let trimmed = out.trim_end_matches([',', ';', ':', ' ']).len();
        out.truncate(trimmed);
        out.push('…');
    }
    (!out.is_empty()).then_some(out)
}

/// Whether a `.`/`!`/`?` just written ends the sentence: what follows is white space, a tag or the end, and the
/// word before is no abbreviation.
fn sentence_ends_here(bytes: &[u8], next: usize, out: &str) -> bool {
    let follows_break = match bytes.get(next) {
        None => true,
        Some(b) => b.is_ascii_whitespace() || *b == b'<',
    };
    if !follows_break {
        return false;
    }
    let tail = out.as_bytes();
    let last4 = &tail[tail.len().saturating_sub(4)..];
    !(last4.eq_ignore_ascii_case(b"e.g.") || last4.eq_ignore_ascii_case(b"i.e."))
}

/// Whether a tag separates words (a block or a line break); inline tags such as `<code>` do not.
fn is_block(tag: &str) -> bool {
    let name = tag
        .trim_start_matches('/')
        .split(|c: char| c.is_whitespace() || c == '/')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    !matches!(
        name.as_str(),
        "a" | "b" | "i" | "u" | "code" | "em" | "strong" | "span" | "sub" | "sup" | "fullname"
    )
}

/// Whether a tag closes a block of text (a paragraph, a list item, a line break).
fn ends_block(tag: &str) -> bool {
    let name = tag
        .trim_start_matches('/')
        .split(|c: char| c.is_whitespace() || c == '/')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let closing = tag.starts_with('/');
    match name.as_str() {
        "p" | "li" | "dt" | "dd" | "note" | "important" | "div" => closing,
        "ul" | "ol" | "dl" | "table" | "br" => true,
        _ => false,
    }
}

/// Decodes an HTML entity at the start of `s` (`&amp;`, `&#39;`, `&#x2F;`): the character and the bytes it spans.
fn decode_entity(s: &str) -> Option<(char, usize)> {
    let end = s[..s.len().min(12)].find(';')?;
    let name = &s[1..end];
    let c = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        _ => {
            let code = if let Some(hex) = name.strip_prefix("#x").or(name.strip_prefix("#X")) {
                u32::from_str_radix(hex, 16).ok()?
            } else {
                name.strip_prefix('#')?.parse().ok()?
            };
            char::from_u32(code)?
        }
    };
    Some((c, end + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_first_sentence_without_tags() {
        assert_eq!(
            first_sentence("<p>Creates a <code>Table</code>. It may take a while.</p>").as_deref(),
            Some("Creates a Table.")
        );
        assert_eq!(
            first_sentence("<p>Lists things</p><p>Second paragraph.</p>").as_deref(),
            Some("Lists things")
        );
        assert_eq!(
            first_sentence("  The ID (e.g. <b>i-123</b>) of it.  More.").as_deref(),
            Some("The ID (e.g. i-123) of it.")
        );
        assert_eq!(
            first_sentence("Version 1.2 is &lt;new&gt; &amp; shiny. Yes").as_deref(),
            Some("Version 1.2 is <new> & shiny.")
        );
        assert_eq!(first_sentence("<p></p>"), None);
        assert_eq!(first_sentence(""), None);
    }

    #[test]
    fn long_sentences_are_cut_at_a_word() {
        let long = "word ".repeat(100);
        let doc = first_sentence(&long).unwrap();
        assert!(doc.chars().count() <= MAX_DOC_CHARS + 1, "{doc}");
        assert!(doc.ends_with("word…"), "{doc}");
    }

    #[test]
    fn odd_input_does_not_panic() {
        for input in [
            "<",
            "&",
            "&#xFFFFFFFF;",
            "a<b",
            "é.<",
            "&#55296; x",
            "<p>x</p",
            "....",
        ] {
            let _ = first_sentence(input);
        }
    }
}
