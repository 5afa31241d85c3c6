//! The loader never panics on mutated spec files, and every problem it reports points inside the file.

use conform::spec::{LoadError, load_sources};
use proptest::prelude::*;

const ACCOUNT: &str = include_str!("../../specs/account.toml");
const WORKMAIL: &str = include_str!("../../specs/workmail.toml");

/// One edit of a spec file, at positions given as fractions so that they land anywhere.
#[derive(Debug, Clone)]
enum Edit {
    DeleteLine(f64),
    DuplicateLine(f64),
    SwapLines(f64, f64),
    ReplaceByte(f64, u8),
    InsertText(f64, String),
    Truncate(f64),
}

fn edit() -> impl Strategy<Value = Edit> {
    let at = 0.0..1.0f64;
    prop_oneof![
        at.clone().prop_map(Edit::DeleteLine),
        at.clone().prop_map(Edit::DuplicateLine),
        (at.clone(), at.clone()).prop_map(|(a, b)| Edit::SwapLines(a, b)),
        (at.clone(), any::<u8>()).prop_map(|(a, b)| Edit::ReplaceByte(a, b)),
        (
            at.clone(),
            prop_oneof![
                Just("[[operation]]\n".to_string()),
                Just("\"".to_string()),
                Just("= ".to_string()),
                Just("min_length = 999\n".to_string()),
                Just("pattern = '(['\n".to_string()),
                Just("shape = \"Nope\"\n".to_string()),
                Just("enum = []\n".to_string()),
                Just("[[shape.member]]\nname = \"x\"\n".to_string()),
                "\\PC{0,12}",
            ]
        )
            .prop_map(|(a, t)| Edit::InsertText(a, t)),
        at.prop_map(Edit::Truncate),
    ]
}

fn apply(text: &str, edit: &Edit) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let index = |f: f64, len: usize| ((f * len as f64) as usize).min(len.saturating_sub(1));
    match edit {
        Edit::DeleteLine(f) => {
            let i = index(*f, lines.len());
            lines.remove(i);
        }
        Edit::DuplicateLine(f) => {
            let i = index(*f, lines.len());
            lines.insert(i, lines[i].clone());
        }
        Edit::SwapLines(a, b) => {
            let (i, j) = (index(*a, lines.len()), index(*b, lines.len()));
            lines.swap(i, j);
        }
        Edit::ReplaceByte(f, b) => {
            let mut bytes = text.as_bytes().to_vec();
            let i = index(*f, bytes.len());
            bytes[i] = *b;
            return String::from_utf8_lossy(&bytes).into_owned();
        }
        Edit::InsertText(f, t) => {
            let mut i = index(*f, text.len());
            while !text.is_char_boundary(i) {
                i -= 1;
            }
            return format!("{}{t}{}", &text[..i], &text[i..]);
        }
        Edit::Truncate(f) => {
            let mut i = index(*f, text.len());
            while !text.is_char_boundary(i) {
                i -= 1;
            }
            return text[..i].to_string();
        }
    }
    lines.join("\n")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 600, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_specs_load_or_fail_with_located_problems(
        edits in prop::collection::vec(edit(), 1..4),
        workmail in any::<bool>(),
    ) {
        let mut text = if workmail { WORKMAIL } else { ACCOUNT }.to_string();
        for e in &edits {
            text = apply(&text, e);
        }
        let line_count = text.lines().count() + 1;
        match load_sources([("mutated.toml".to_string(), text.clone())]) {
            Ok(specs) => prop_assert!(specs.services.len() == 1),
            Err(LoadError::Invalid { problems }) => {
                prop_assert!(!problems.is_empty());
                for p in &problems {
                    prop_assert!(p.line >= 1 && p.line <= line_count, "{} outside the file", p);
                    prop_assert!(p.column >= 1);
                    prop_assert!(!p.message.is_empty());
                    // Rendering with the source snippet must not panic either.
                    let _ = conform::cli::render_diagnostic(p, false);
                }
            }
            Err(other) => prop_assert!(false, "unexpected error kind: {}", other),
        }
    }
}
