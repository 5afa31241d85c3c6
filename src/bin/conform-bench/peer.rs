//! The Schemathesis peer: running its script against moto, reading its figure, and the operations it covers.

use std::path::Path;
use std::process::{Command, Stdio};

use conform::cli::CliError;

use crate::run::BenchRunArgs;
use crate::tools::{failed, tail};

/// The operations the peer's OpenAPI file covers, when the file is not beside the script.
pub const PEER_OPERATIONS: [&str; 3] = [
    "PutAlternateContact",
    "GetAlternateContact",
    "DeleteAlternateContact",
];

/// What the Schemathesis peer reported.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PeerFigures {
    /// Cases it ran.
    pub cases: u64,
    /// Its wall time, its own start included.
    pub seconds: f64,
    /// Its cases per second.
    pub per_second: f64,
}

/// `schemathesis: 900 cases in 68.92 s = 13.1 cases/s`
fn parse_schemathesis(text: &str) -> Option<PeerFigures> {
    let line = text
        .lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("schemathesis: "))?;
    let (cases, rest) = line.split_once(" cases in ")?;
    let (seconds, rest) = rest.split_once(" s = ")?;
    let per_second = rest.strip_suffix(" cases/s")?;
    Some(PeerFigures {
        cases: cases.trim().parse().ok()?,
        seconds: seconds.trim().parse().ok()?,
        per_second: per_second.trim().parse().ok()?,
    })
}

/// Runs the peer script in the scratch directory (Schemathesis leaves a `.schemathesis/` cache where it runs).
pub fn run_schemathesis(
    script: &Path,
    endpoint: &str,
    args: &BenchRunArgs,
    dir: &Path,
) -> Result<PeerFigures, CliError> {
    let script = script.canonicalize().map_err(|e| {
        failed(format!(
            "failed to find the Schemathesis peer script `{}`: {e}",
            script.display()
        ))
    })?;
    let output = Command::new(&script)
        .current_dir(dir)
        .arg(endpoint)
        .arg(args.peer_cases.to_string())
        .arg(args.peer_workers.max(1).to_string())
        .stdin(Stdio::null())
        .output()
        .map_err(|e| failed(format!("failed to start `{}`: {e}", script.display())))?;
    let text = String::from_utf8_lossy(&output.stdout);
    match parse_schemathesis(&text) {
        Some(figures) if output.status.success() && figures.cases > 0 => Ok(figures),
        _ => Err(failed(format!(
            "failed to run `{} {endpoint}` ({}): {}{}",
            script.display(),
            output.status,
            tail(&text, 10),
            tail(&String::from_utf8_lossy(&output.stderr), 10)
        ))),
    }
}

/// The `operationId`s of the OpenAPI file beside the peer script, else the Account alternate-contact operations.
pub fn peer_operations(script: &Path) -> Vec<String> {
    let openapi = script.with_file_name("account-openapi.yaml");
    let found = std::fs::read_to_string(openapi)
        .map(|text| operation_ids(&text))
        .unwrap_or_default();
    if found.is_empty() {
        PEER_OPERATIONS.iter().map(|s| s.to_string()).collect()
    } else {
        found
    }
}

fn operation_ids(openapi: &str) -> Vec<String> {
    openapi
        .lines()
        .filter_map(|l| l.trim().strip_prefix("operationId:"))
        .map(|id| id.trim().trim_matches(['"', '\'']).to_string())
        .filter(|id| !id.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_peer_line_is_parsed() {
        let text = "Collecting...\nschemathesis: 900 cases in 68.92 s = 13.1 cases/s\n";
        assert_eq!(
            parse_schemathesis(text),
            Some(PeerFigures {
                cases: 900,
                seconds: 68.92,
                per_second: 13.1
            })
        );
        assert_eq!(parse_schemathesis("st: command not found"), None);
    }

    #[test]
    fn operation_ids_come_from_the_openapi_file() {
        let yaml = "paths:\n  /a:\n    post:\n      operationId: PutAlternateContact\n  /b:\n    post:\n      operationId: \"GetAlternateContact\"\n";
        assert_eq!(
            operation_ids(yaml),
            vec!["PutAlternateContact", "GetAlternateContact"]
        );
        assert_eq!(
            peer_operations(Path::new("/nonexistent/schemathesis.sh")).len(),
            3
        );
    }
}
