//! The fidelity matrix as one self-contained HTML page: sortable, filterable columns (a little inline JavaScript,
//! nothing loaded from elsewhere), each failing cell linking to its cases with their reproduction commands.

use std::fmt::Write as _;

use super::matrix::{
    CellState, CheckClass, Column, Direction, OperationRow, compare, html_text as h, row_of,
    union_rows,
};

/// Sorting by a column sorts by each cell's `data-sort` (its state, worst first) or its text; each filter box keeps
/// the rows whose cell in that column contains the text typed (its state's name included, `deviate`).
const SCRIPT: &str = r#"
const table = document.getElementById('matrix');
const body = table.tBodies[0];
const key = (row, i) => { const c = row.cells[i]; return c.dataset.sort ?? c.textContent.trim(); };
table.querySelectorAll('thead tr.names th').forEach((th, i) => th.addEventListener('click', () => {
  const up = th.dataset.dir !== 'up';
  table.querySelectorAll('thead tr.names th').forEach(t => delete t.dataset.dir);
  th.dataset.dir = up ? 'up' : 'down';
  const rows = Array.from(body.rows).sort((a, b) => {
    const x = key(a, i), y = key(b, i);
    const n = x !== '' && y !== '' && !isNaN(x) && !isNaN(y) ? x - y : x.localeCompare(y);
    return up ? n : -n;
  });
  rows.forEach(r => body.appendChild(r));
}));
const filters = Array.from(table.querySelectorAll('thead tr.filters input'));
filters.forEach(f => f.addEventListener('input', () => {
  const wanted = filters.map(f => f.value.trim().toLowerCase());
  let shown = 0;
  for (const row of body.rows) {
    row.hidden = !wanted.every((w, i) => !w ||
      ((row.cells[i].dataset.filter ?? '') + ' ' + row.cells[i].textContent).toLowerCase().includes(w));
    if (!row.hidden) shown++;
  }
  document.getElementById('shown').textContent = shown;
}));
"#;

const STYLE: &str = r#"
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
table { border-collapse: collapse; }
th, td { border: 1px solid #ccc; padding: 2px 6px; text-align: left; white-space: nowrap; }
thead tr.names th { cursor: pointer; background: #f3f3f3; position: sticky; top: 0; }
thead tr.names th[data-dir=up]::after { content: ' ▲'; }
thead tr.names th[data-dir=down]::after { content: ' ▼'; }
thead tr.filters input { width: 100%; box-sizing: border-box; font: inherit; }
td.pass { background: #e8f6e8; } td.deviate { background: #fbe3e3; } td.error { background: #fdf0d8; }
td.uncertain { background: #eef0fb; } td.not-implemented { background: #eee; color: #666; }
td.worse { background: #fbe3e3; font-weight: bold; } td.better { background: #e8f6e8; font-weight: bold; }
td a { color: inherit; }
pre { background: #f6f6f6; padding: 6px; white-space: pre-wrap; word-break: break-all; }
section.cases { border-top: 1px solid #ccc; margin-top: 1em; }
"#;

/// The page: one table, a row per (service, operation), columns per report and check class (with `baseline`,
/// the first report is the baseline and a last column says which of the second's cells got better or worse),
/// then each failing cell's cases.
pub fn page(columns: &[Column], baseline: bool) -> String {
    let classes = CheckClass::ALL;
    let mut out = String::new();
    let title = match (baseline, columns) {
        (true, [before, after, ..]) => format!(
            "Fidelity matrix: {} against the baseline {}",
            after.label, before.label
        ),
        (_, [one]) => format!("Fidelity matrix: {}", one.target),
        _ => "Fidelity matrices side by side".to_string(),
    };
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style>\
         </head><body>\n<h1>{}</h1>\n",
        h(&title),
        h(&title)
    );
    // Totals, one row per report.
    let _ = writeln!(
        out,
        "<table><thead><tr><th>report</th><th>target</th><th>seed</th><th>services</th><th>operations</th>\
         <th>not implemented</th><th>pass</th><th>deviate</th><th>uncertain</th><th>no response</th>\
         <th>skipped services</th></tr></thead><tbody>"
    );
    for c in columns {
        let t = c.matrix.totals();
        let skipped: Vec<String> = c
            .matrix
            .skipped
            .iter()
            .map(|s| format!("{} ({})", s.service, s.reason))
            .collect();
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td>{}</td><td>{}</td><td title=\"{}\">{}</td></tr>",
            h(&c.label),
            h(&c.target),
            c.seed,
            t.services,
            t.operations,
            h(&t.not_implemented_text()),
            t.cells.pass,
            t.cells.deviate,
            t.cells.uncertain,
            t.cells.error,
            h(&skipped.join("; ")),
            t.skipped
        );
    }
    out.push_str("</tbody></table>\n");
    let changes = match (baseline, columns) {
        (true, [before, after, ..]) => Some(compare(&before.matrix, &after.matrix)),
        _ => None,
    };
    if let Some(changes) = &changes {
        let count = |d: Direction| changes.iter().filter(|c| c.direction() == d).count();
        let _ = writeln!(
            out,
            "<p><b>{} cell(s) worse, {} better</b>, {} otherwise changed (type <code>worse</code> or \
             <code>better</code> in the last column's filter).</p>",
            count(Direction::Worse),
            count(Direction::Better),
            count(Direction::Other)
        );
    }
    let _ = writeln!(
        out,
        "<p>✅ pass · ❌ deviate · ❔ uncertain (AWS's answer not settled) · ⚠️ no usable response · ⛔ not \
         implemented by the target · ⛔? crashes on every valid request or not implemented (a bare 500 page cannot \
         tell) · <code>·</code> not tested. A number is cases: failing of counted. Click a \
         heading to sort (worst first); type in a box under it to filter (state names work: <code>deviate</code>). \
         <span id=\"shown\"></span> row(s) shown.</p>"
    );
    // The matrix.
    out.push_str(
        "<table id=\"matrix\"><thead><tr class=\"names\"><th>service</th><th>operation</th>",
    );
    for c in columns {
        for class in classes {
            let _ = write!(
                out,
                "<th title=\"{}\">{}{}</th>",
                h(class.title()),
                if columns.len() > 1 {
                    format!("{}: ", h(&c.label))
                } else {
                    String::new()
                },
                h(class.title())
            );
        }
    }
    if changes.is_some() {
        out.push_str("<th>change</th>");
    }
    out.push_str("</tr><tr class=\"filters\">");
    let columns_count = 2 + columns.len() * classes.len() + usize::from(changes.is_some());
    for _ in 0..columns_count {
        out.push_str("<th><input type=\"search\" aria-label=\"filter\"></th>");
    }
    out.push_str("</tr></thead><tbody>\n");
    let mut cases = String::new();
    let mut anchor = 0usize;
    let mut rows = 0usize;
    for (service, operations) in union_rows(columns) {
        for operation in operations {
            rows += 1;
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td>",
                h(&service),
                h(&operation)
            );
            for c in columns {
                let row = row_of(&c.matrix, &service, &operation);
                for class in classes {
                    out.push_str(&cell(
                        c,
                        &service,
                        &operation,
                        row,
                        class,
                        &mut anchor,
                        &mut cases,
                    ));
                }
            }
            if let Some(changes) = &changes {
                let mine: Vec<String> = changes
                    .iter()
                    .filter(|c| c.service == service && c.operation == operation)
                    .map(|c| {
                        let word = match c.direction() {
                            Direction::Worse => "worse",
                            Direction::Better => "better",
                            Direction::Other => "changed",
                        };
                        // Between two deviating cells, the kinds are what changed.
                        let kinds = if c.before != c.after
                            || (c.new_kinds.is_empty() && c.gone_kinds.is_empty())
                        {
                            String::new()
                        } else {
                            format!(
                                " ({} new, {} gone kinds)",
                                c.new_kinds.len(),
                                c.gone_kinds.len()
                            )
                        };
                        format!(
                            "{word}: {} {}→{}{kinds}",
                            c.class.title(),
                            c.before.map_or("·", CellState::symbol),
                            c.after.map_or("·", CellState::symbol)
                        )
                    })
                    .collect();
                let class = if mine.iter().any(|m| m.starts_with("worse")) {
                    " class=\"worse\""
                } else if mine.iter().any(|m| m.starts_with("better")) {
                    " class=\"better\""
                } else {
                    ""
                };
                let _ = write!(out, "<td{class}>{}</td>", h(&mine.join("; ")));
            }
            out.push_str("</tr>\n");
        }
    }
    let _ = write!(
        out,
        "</tbody></table>\n<script>document.getElementById('shown').textContent = {rows};</script>\n\
         <h2>Failing cases</h2>\n{cases}<script>{SCRIPT}</script>\n</body></html>\n"
    );
    out
}

/// Sort keys: worst first.
fn sort_key(state: Option<CellState>) -> u8 {
    match state {
        Some(CellState::Deviate) => 0,
        Some(CellState::Error) => 1,
        Some(CellState::Uncertain) => 2,
        Some(CellState::NotImplemented | CellState::CrashOrMissing) => 3,
        Some(CellState::Pass) => 4,
        None => 5,
    }
}

/// One cell; a failing one links to a section (appended to `cases`) listing its examples with curl and replay.
fn cell(
    column: &Column,
    service: &str,
    operation: &str,
    row: Option<&OperationRow>,
    class: CheckClass,
    anchor: &mut usize,
    cases: &mut String,
) -> String {
    let Some(row) = row else {
        return "<td data-sort=\"6\" data-filter=\"absent\"></td>".to_string();
    };
    let state = row.state(class);
    let name = state.map_or("not-tested", CellState::as_str);
    let symbol = state.map_or("·", CellState::symbol);
    let content = row.cells.get(&class);
    let counts = match (state, content) {
        (Some(CellState::Pass), Some(c)) => format!(" {}", c.passed),
        (Some(CellState::Deviate), Some(c)) => format!(" {}/{}", c.deviations, c.cases()),
        (Some(CellState::Error), Some(c)) => format!(" {}/{}", c.errors, c.cases()),
        (Some(CellState::Uncertain), Some(c)) => format!(" {}/{}", c.uncertain, c.cases()),
        _ => String::new(),
    };
    let examples = match content {
        Some(c) if !c.examples.is_empty() && state != Some(CellState::Pass) => &c.examples,
        _ => {
            return format!(
                "<td class=\"{name}\" data-sort=\"{}\" data-filter=\"{name}\">{symbol}{counts}</td>",
                sort_key(state)
            );
        }
    };
    *anchor += 1;
    let id = format!("c{anchor}");
    let _ = writeln!(
        cases,
        "<section class=\"cases\" id=\"{id}\"><h3>{} · {} · {} · {}: {symbol} {name}{}</h3>",
        h(&column.label),
        h(service),
        h(operation),
        h(class.title()),
        match &row.answered {
            Some(answer) => format!(" (answered {})", h(answer)),
            None => String::new(),
        }
    );
    for e in examples {
        let _ = writeln!(
            cases,
            "<p><b>{}</b> ({}, check <code>{}</code>): expected {}, got {}. {}</p>",
            h(&e.id),
            e.state.as_str(),
            e.check,
            h(&e.expected),
            h(&e.actual),
            h(&e.message)
        );
        for line in [&e.curl, &e.replay] {
            if !line.is_empty() {
                let _ = writeln!(cases, "<pre>{}</pre>", h(line));
            }
        }
    }
    cases.push_str("</section>\n");
    format!(
        "<td class=\"{name}\" data-sort=\"{}\" data-filter=\"{name}\"><a href=\"#{id}\">{symbol}{counts}</a></td>",
        sort_key(state)
    )
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::sample_results;
    use super::super::matrix::Matrix;
    use super::*;

    /// The sample run; `fixed`: its deviating case passes.
    fn column(label: &str, fixed: bool) -> Column {
        let mut matrix = Matrix::new(true);
        for mut result in sample_results() {
            if fixed && result.deviation {
                result.checks.iter_mut().for_each(|c| c.passed = true);
                result.classify();
            }
            matrix.add(&result);
        }
        Column {
            origin: crate::report::RunOrigin::default(),
            label: label.into(),
            target: "http://127.0.0.1:1/<x>".into(),
            seed: 42,
            matrix,
        }
    }

    #[test]
    fn the_page_is_self_contained_escaped_and_links_failing_cells_to_their_cases() {
        let page = page(&[column("run", false)], false);
        assert!(page.starts_with("<!doctype html>"));
        assert!(
            !page.contains("src=\"http") && !page.contains("href=\"http"),
            "nothing from elsewhere"
        );
        assert!(page.contains("127.0.0.1:1/&lt;x&gt;"), "escaped");
        // The deviating invalid case of PutAlternateContact: its cell links to its case, which shows both lines.
        let link = page
            .split("<td class=\"deviate\"")
            .nth(1)
            .and_then(|rest| rest.split("href=\"#").nth(1))
            .and_then(|rest| rest.split('"').next())
            .expect("a deviating cell links somewhere")
            .to_string();
        let section = page
            .split(&format!("id=\"{link}\""))
            .nth(1)
            .expect("the link's section exists");
        let section = section.split("</section>").next().unwrap();
        assert!(section.contains("put-invalid-7"), "{section}");
        assert!(
            section.contains("conform replay put-invalid-7 --seed 42"),
            "{section}"
        );
        assert!(section.contains("curl -X POST"), "{section}");
        assert_eq!(page.matches("<tr class=\"filters\">").count(), 1);
    }

    #[test]
    fn with_a_baseline_the_last_column_says_what_got_worse() {
        let page = page(&[column("old", true), column("new", false)], true);
        assert!(page.contains("<b>1 cell(s) worse, 0 better</b>"), "{page}");
        assert!(
            page.contains("<td class=\"worse\">worse: constraints enforced ✅→❌</td>"),
            "{page}"
        );
    }
}
