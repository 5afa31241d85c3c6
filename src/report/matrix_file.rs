//! The compact matrix file (`--matrix-json`): a run's fidelity matrix alone, small enough to commit as a baseline.
//!
//! A whole-emulator JSON report is hundreds of megabytes (every result, with its reproduction); the matrix it
//! holds is a few. This file keeps, per service × operation × check class, the verdict counts and the kinds of
//! deviation (their baseline keys without the operation and member), and per operation whether it is implemented
//! and how its probes were answered; plus where the run came from (seed, target, conform version, digest,
//! partition). No
//! examples: their cases are in the full report. One operation a line, so that a committed baseline diffs
//! readably:
//!
//! ```text
//! {"format":"conform-matrix/1","seed":0,"target":"...","origin":{...},"skipped":[...],"totals":{...},"rows":[
//! {"service":"dynamodb","operation":"CreateTable","implemented":true,"cells":{"errors":{"passed":3,...}}},
//! ...
//! ]}
//! ```
//!
//! `conform report matrix` takes it wherever it takes a full report: as a column, and as `--baseline`.

use std::io::Read;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::bounded::open_bounded;
use super::matrix::{Column, Matrix, OperationRow, SkippedService, Totals};
use super::{ReportError, RunOrigin};

/// The `format` field of a compact matrix file.
pub const MATRIX_FORMAT: &str = "conform-matrix/1";

/// The largest compact matrix file read (the one of every service of the models is a few MiB).
pub const MATRIX_FILE_LIMIT: u64 = 64 * 1024 * 1024;

#[derive(Debug, Serialize, Deserialize)]
struct MatrixFile {
    format: String,
    seed: u64,
    target: String,
    #[serde(default)]
    origin: RunOrigin,
    #[serde(default)]
    skipped: Vec<SkippedService>,
    /// For readers; recomputed from the rows when read.
    #[serde(default, skip_deserializing)]
    totals: Totals,
    rows: Vec<Row>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Row {
    service: String,
    operation: String,
    #[serde(flatten)]
    row: OperationRow,
}

/// The compact file of a matrix column: its origin, the rows without their examples, one a line.
pub fn compact_json(column: &Column) -> String {
    let m = &column.matrix;
    let head = MatrixFile {
        format: MATRIX_FORMAT.to_string(),
        seed: column.seed,
        target: column.target.clone(),
        origin: column.origin.clone(),
        skipped: m.skipped.clone(),
        totals: m.totals(),
        rows: Vec::new(),
    };
    let head = serde_json::to_string(&head).expect("a matrix file serialises");
    let head = head.strip_suffix("[]}").expect("the rows come last, empty");
    let mut out = String::with_capacity(head.len() + 200 * m.services.len());
    out.push_str(head);
    out.push('[');
    let mut first = true;
    for (service, rows) in &m.services {
        for (operation, row) in rows {
            let mut row = row.clone();
            for cell in row.cells.values_mut() {
                cell.examples.clear();
            }
            let line = Row {
                service: service.clone(),
                operation: operation.clone(),
                row,
            };
            out.push_str(if first { "\n" } else { ",\n" });
            first = false;
            out.push_str(&serde_json::to_string(&line).expect("a matrix row serialises"));
        }
    }
    out.push_str("\n]}\n");
    out
}

/// Whether the file at `path` is a compact matrix file (it starts with its `format`), rather than a full report.
pub fn is_matrix_file(path: &Path) -> bool {
    let mut start = [0u8; 64];
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    let mut read = 0;
    while read < start.len() {
        match file.read(&mut start[read..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => read += n,
        }
    }
    let text = String::from_utf8_lossy(&start[..read]);
    text.trim_start()
        .strip_prefix('{')
        .map(str::trim_start)
        .and_then(|t| t.strip_prefix("\"format\""))
        .map(|t| t.trim_start().trim_start_matches(':').trim_start())
        .is_some_and(|t| t.starts_with("\"conform-matrix/"))
}

/// Reads a compact matrix file into a column labelled `label`.
pub fn read_matrix_file(path: &Path, label: String) -> Result<Column, ReportError> {
    let mut text = String::new();
    open_bounded(path, MATRIX_FILE_LIMIT)?
        .read_to_string(&mut text)
        .map_err(|source| ReportError::Read {
            path: path.to_path_buf(),
            source,
        })?;
    let file: MatrixFile = serde_json::from_str(&text).map_err(|e| ReportError::MatrixFile {
        path: path.to_path_buf(),
        message: format!("not a compact matrix file ({MATRIX_FORMAT}): {e}"),
    })?;
    if file.format != MATRIX_FORMAT {
        return Err(ReportError::MatrixFile {
            path: path.to_path_buf(),
            message: format!(
                "its format is `{}`, and this conform reads `{MATRIX_FORMAT}`",
                file.format
            ),
        });
    }
    let mut matrix = Matrix::new(false);
    for Row {
        service,
        operation,
        row,
    } in file.rows
    {
        matrix
            .services
            .entry(service)
            .or_default()
            .insert(operation, row);
    }
    for skipped in &file.skipped {
        matrix.skip(&skipped.service, &skipped.reason);
    }
    Ok(Column {
        label,
        origin: file.origin,
        target: file.target,
        seed: file.seed,
        matrix,
    })
}
