use entrascope_core::escape::csv_field;

use crate::report::Report;

/// Evidence fields that get a column of their own, in this order; anything
/// else a check adds goes to `other_fields` as `key=value; ...`.
const FIELD_COLUMNS: &[&str] = &[
    "user",
    "app",
    "resource",
    "ip",
    "location",
    "status",
    "error_code",
    "client_app",
    "kind",
    "activity",
    "category",
    "initiated_by",
    "target",
    "result",
];

/// One row per evidence record (a finding without evidence gets one row),
/// ready for a spreadsheet: every cell is its own value and formulas are
/// neutralized.
pub fn render_csv(r: &Report) -> String {
    let mut out = String::new();
    let mut header: Vec<&str> = vec!["check", "severity", "title", "summary", "guide", "subject", "input", "line", "id", "time"];
    header.extend_from_slice(FIELD_COLUMNS);
    header.push("other_fields");
    out.push_str(&header.join(","));
    out.push_str("\r\n");
    for f in &r.findings {
        let base = [
            f.check.clone(),
            f.severity.as_str().to_string(),
            f.title.clone(),
            f.summary.clone(),
            f.guide.join(" "),
            f.subject.clone().unwrap_or_default(),
        ];
        let mut rows: Vec<Vec<String>> = Vec::new();
        for e in &f.evidence {
            let mut row =
                vec![e.input.clone(), e.line.to_string(), e.id.clone(), e.time.map(|t| t.to_rfc3339()).unwrap_or_default()];
            for col in FIELD_COLUMNS {
                row.push(e.field_value(col).to_string());
            }
            let other: Vec<String> = e
                .fields
                .iter()
                .filter(|(k, _)| k != "time" && !FIELD_COLUMNS.contains(&k.as_str()))
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            row.push(other.join("; "));
            rows.push(row);
        }
        if rows.is_empty() {
            rows.push(vec![String::new(); 4 + FIELD_COLUMNS.len() + 1]);
        }
        for ev in rows {
            let cells: Vec<String> = base.iter().chain(ev.iter()).map(|c| csv_field(c)).collect();
            out.push_str(&cells.join(","));
            out.push_str("\r\n");
        }
    }
    out
}
