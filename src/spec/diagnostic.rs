//! Located spec errors: each names file, line and column, and miette shows the offending text.

use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use miette::{Diagnostic, NamedSource, SourceSpan};

/// One problem in one spec file, at one place.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{file}:{line}:{column}: {message}")]
pub struct Problem {
    /// The spec file's path as given.
    pub file: String,
    /// 1-based line of the offending text.
    pub line: usize,
    /// 1-based column (in characters) of the offending text.
    pub column: usize,
    /// What is wrong, as a lowercase fragment.
    pub message: String,
    #[source_code]
    source_code: NamedSource<Arc<str>>,
    #[label("{label}")]
    span: SourceSpan,
    label: String,
    #[help]
    help: Option<String>,
}

impl Problem {
    /// A problem at a byte range of `text`.
    pub fn new(
        file: &str,
        text: &Arc<str>,
        span: Range<usize>,
        message: impl Into<String>,
        help: Option<String>,
    ) -> Self {
        // Spans from a mutated file can fall inside a character; miette slices on them, so align them.
        let mut start = span.start.min(text.len());
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = span.end.clamp(start, text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        let (line, column) = line_column(text, start);
        let message = message.into();
        Problem {
            file: file.to_string(),
            line,
            column,
            label: short_label(&message),
            message,
            source_code: NamedSource::new(file, Arc::clone(text)),
            span: (start, end - start).into(),
            help,
        }
    }

    /// The help text, if any.
    pub fn help_text(&self) -> Option<&str> {
        self.help.as_deref()
    }
}

/// Why a set of spec files could not be loaded.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum LoadError {
    /// A file or directory could not be read.
    #[error("failed to read spec `{}`", path.display())]
    #[diagnostic(help(
        "check the path; `conform spec check` takes spec files, `--specs` a directory of them"
    ))]
    Read {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A directory held no spec files.
    #[error("failed to find spec files in `{}`: it holds no `*.toml`", dir.display())]
    #[diagnostic(help(
        "point `--specs` at a directory of spec files such as the project's `specs/`"
    ))]
    Empty {
        /// The directory.
        dir: PathBuf,
    },
    /// The files were read but are invalid.
    #[error("failed to load specs: {} problem{} found", problems.len(), if problems.len() == 1 { "" } else { "s" })]
    Invalid {
        /// Every problem found, in file order.
        #[related]
        problems: Vec<Problem>,
    },
}

impl LoadError {
    /// The located problems, when the files were readable.
    pub fn problems(&self) -> &[Problem] {
        match self {
            LoadError::Invalid { problems } => problems,
            _ => &[],
        }
    }
}

/// 1-based line and character column of a byte offset.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// The label under the offending text: the message up to its first colon or semicolon, kept short.
fn short_label(message: &str) -> String {
    let cut = message.find([':', ';']).unwrap_or(message.len());
    let mut label: String = message[..cut].chars().take(60).collect();
    if label.len() < cut {
        label.push('…');
    }
    label
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based_and_count_characters() {
        let text = "a = 1\nbé = 2\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 6), (2, 1));
        // `=` after `bé ` is the 4th character though the 5th byte.
        assert_eq!(line_column(text, text.find("= 2").unwrap()), (2, 4));
        assert_eq!(line_column(text, 10_000), (3, 1));
    }

    #[test]
    fn a_problem_renders_its_location() {
        let text: Arc<str> = Arc::from("x = 1\ny = [\n");
        let p = Problem::new("specs/a.toml", &text, 6..7, "unknown key `y`", None);
        assert_eq!(p.to_string(), "specs/a.toml:2:1: unknown key `y`");
        let empty = Problem::new("f", &Arc::from(""), 5..9, "broken", None);
        assert_eq!((empty.line, empty.column), (1, 1));
    }
}
