//! Text helpers for check messages: body excerpts and blank bodies.

/// Whether a body is empty or only whitespace.
pub fn is_blank(body: &[u8]) -> bool {
    body.iter().all(u8::is_ascii_whitespace)
}

/// At most `max` characters of a body as one line of text: invalid UTF-8 replaced, control characters escaped,
/// `…` marking a cut.
pub fn body_excerpt(body: &[u8], max: usize) -> String {
    crate::protocol::json::excerpt(body, max)
}

/// The message of an error document: `message`, `Message` or `errorMessage`, the first that is a string.
pub fn error_message(document: &serde_json::Value) -> Option<&str> {
    ["message", "Message", "errorMessage"]
        .into_iter()
        .find_map(|key| document.get(key)?.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_escape_and_cut() {
        assert_eq!(body_excerpt(b"a\nb\x01c", 10), "a\\nb\\u{1}c");
        assert_eq!(body_excerpt("ééé".as_bytes(), 2), "éé…");
        assert!(is_blank(b" \n\t"));
        assert!(!is_blank(b" x"));
    }
}
