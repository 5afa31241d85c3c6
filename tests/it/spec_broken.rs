//! Every broken spec file under tests/specs/broken gives a located error that names the problem.

use std::path::PathBuf;

use conform::spec::{LoadError, load_paths};

fn broken_files() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/specs/broken");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/specs/broken exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

/// The first line of each file says `# expect: LINE: FRAGMENT`.
fn expectation(path: &PathBuf) -> (usize, String) {
    let text = std::fs::read_to_string(path).unwrap();
    let header = text.lines().next().unwrap();
    let rest = header
        .strip_prefix("# expect: ")
        .unwrap_or_else(|| panic!("{} lacks its `# expect:` header", path.display()));
    let (line, fragment) = rest.split_once(": ").unwrap();
    (line.parse().unwrap(), fragment.to_string())
}

#[test]
fn there_are_at_least_fifteen_broken_files() {
    assert!(broken_files().len() >= 15, "found {}", broken_files().len());
}

#[test]
fn each_broken_file_is_reported_at_the_right_place() {
    for path in broken_files() {
        let (line, fragment) = expectation(&path);
        let problems = match load_paths(std::slice::from_ref(&path)) {
            Ok(_) => panic!("{} loaded without error", path.display()),
            Err(LoadError::Invalid { problems }) => problems,
            Err(other) => panic!("{}: unexpected error {other}", path.display()),
        };
        let found = problems
            .iter()
            .find(|p| p.message.contains(&fragment))
            .unwrap_or_else(|| {
                panic!(
                    "{}: no problem mentions {fragment:?}; got: {:#?}",
                    path.display(),
                    problems.iter().map(|p| p.to_string()).collect::<Vec<_>>()
                )
            });
        assert_eq!(found.line, line, "{}: {found}", path.display());
        assert!(found.column >= 1);
        assert_eq!(found.file, path.display().to_string());
        assert_eq!(
            problems.len(),
            1,
            "{}: one mistake should give one problem, got {:#?}",
            path.display(),
            problems.iter().map(|p| p.to_string()).collect::<Vec<_>>()
        );
    }
}

#[test]
fn the_minimal_spec_they_derive_from_is_valid() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/specs/minimal.toml");
    let specs = load_paths(&[path]).unwrap();
    assert_eq!(specs.operations().count(), 1);
}

#[test]
fn a_service_defined_twice_across_files_is_reported() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/specs");
    let minimal = dir.join("minimal.toml");
    let err = load_paths(&[minimal.clone(), minimal]).unwrap_err();
    let problems = err.problems();
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0]
            .message
            .contains("duplicate service name `mini`"),
        "{}",
        problems[0]
    );
    assert_eq!(problems[0].line, 3);
}

#[test]
fn unreadable_paths_and_empty_directories_are_errors_not_panics() {
    let missing = PathBuf::from("/nonexistent/conform/specs.toml");
    let err = load_paths(&[missing]).unwrap_err();
    assert!(
        err.to_string()
            .contains("failed to read spec `/nonexistent/conform/specs.toml`"),
        "{err}"
    );
    let empty = tempfile::tempdir().unwrap();
    let err = load_paths(&[empty.path().to_path_buf()]).unwrap_err();
    assert!(err.to_string().contains("holds no `*.toml`"), "{err}");
}
