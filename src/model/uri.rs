//! An operation's request URI template (`/things/{Name}/{Key+}?tagging`), parsed once when the model is built, and
//! matched against request paths (routing in the embedded target and the protocols).

use std::borrow::Cow;

use percent_encoding::percent_decode_str;

/// A URI template: path segments and the static query after `?`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UriTemplate {
    /// The path part as written (`/things/{Name}`).
    pub path: String,
    /// The path split at `/` (the first, empty segment before the leading `/` included).
    pub segments: Vec<TemplateSegment>,
    /// The static query: keys with their value, if the template gives one (`?delete`, `?mode=import`).
    pub static_query: Vec<(String, Option<String>)>,
}

/// One path segment of a URI template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateSegment {
    /// Literal text.
    Literal(String),
    /// `{Name}`: one segment.
    Label(String),
    /// `{Name+}`: one or more segments.
    Greedy(String),
}

impl UriTemplate {
    /// Parses a model's request URI.
    pub fn parse(uri: &str) -> Self {
        let (path, query) = match uri.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (uri, None),
        };
        let segments = path
            .split('/')
            .map(
                |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    Some(name) => match name.strip_suffix('+') {
                        Some(name) => TemplateSegment::Greedy(name.to_string()),
                        None => TemplateSegment::Label(name.to_string()),
                    },
                    None => TemplateSegment::Literal(s.to_string()),
                },
            )
            .collect();
        let static_query = query
            .into_iter()
            .flat_map(|q| q.split('&'))
            .filter(|p| !p.is_empty())
            .map(|p| match p.split_once('=') {
                Some((k, v)) => (k.to_string(), Some(v.to_string())),
                None => (p.to_string(), None),
            })
            .collect();
        UriTemplate {
            path: path.to_string(),
            segments,
            static_query,
        }
    }

    /// How specific the template is, smaller first: per segment literal < label < greedy, then more static query.
    pub(crate) fn specificity(&self) -> (Vec<u8>, std::cmp::Reverse<usize>) {
        (
            self.segments
                .iter()
                .map(|s| match s {
                    TemplateSegment::Literal(_) => 0,
                    TemplateSegment::Label(_) => 1,
                    TemplateSegment::Greedy(_) => 2,
                })
                .collect(),
            std::cmp::Reverse(self.static_query.len()),
        )
    }

    /// The labels of a request path (percent-encoded, without the query), decoded, if the path matches.
    pub fn match_path(&self, path: &str) -> Option<Vec<(String, String)>> {
        let raw: Vec<&str> = path.split('/').collect();
        self.match_split(&raw)
    }

    /// [`UriTemplate::match_path`] for a path already split at `/` (split once, matched against every template).
    pub fn match_split(&self, raw: &[&str]) -> Option<Vec<(String, String)>> {
        let mut labels = Vec::new();
        match_segments(&self.segments, raw, &mut labels).then_some(labels)
    }

    /// Whether a request's query holds the template's static query.
    pub fn static_query_matches(&self, query: &[(String, String)]) -> bool {
        self.static_query.iter().all(|(key, value)| {
            query
                .iter()
                .any(|(k, v)| k == key && value.as_ref().is_none_or(|value| v == value))
        })
    }
}

/// A percent-encoded path segment or query part, decoded; `None` when it is not UTF-8.
pub(crate) fn decode_segment(raw: &str) -> Option<String> {
    percent_decode_str(raw)
        .decode_utf8()
        .ok()
        .map(Cow::into_owned)
}

fn match_segments(
    template: &[TemplateSegment],
    raw: &[&str],
    labels: &mut Vec<(String, String)>,
) -> bool {
    let Some((first, rest)) = template.split_first() else {
        return raw.is_empty();
    };
    let Some((segment, raw_rest)) = raw.split_first() else {
        return false;
    };
    match first {
        TemplateSegment::Literal(text) => {
            // Most segments hold no escape: compared as they are, without decoding (routing tries every operation).
            let equal = if segment.contains('%') {
                decode_segment(segment).is_some_and(|s| s == *text)
            } else {
                segment == text
            };
            equal && match_segments(rest, raw_rest, labels)
        }
        TemplateSegment::Label(name) => {
            let Some(value) = decode_segment(segment) else {
                return false;
            };
            if value.is_empty() {
                return false;
            }
            labels.push((name.clone(), value));
            if match_segments(rest, raw_rest, labels) {
                return true;
            }
            labels.pop();
            false
        }
        TemplateSegment::Greedy(name) => {
            // One or more segments, as many as leave the rest of the template able to match (longest first). The
            // rest is matched before the label is built, so a hostile path of many segments costs linear time.
            for take in (1..=raw.len()).rev() {
                let mut rest_labels = Vec::new();
                if !match_segments(rest, &raw[take..], &mut rest_labels) {
                    continue;
                }
                let Some(value) = decode_segment(&raw[..take].join("/")) else {
                    return false;
                };
                if value.is_empty() {
                    return false;
                }
                labels.push((name.clone(), value));
                labels.extend(rest_labels);
                return true;
            }
            false
        }
    }
}
