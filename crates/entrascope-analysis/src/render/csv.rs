use entrascope_core::escape::csv_field;

use crate::report::Report;

/// One row per evidence record (a finding without evidence gets one row),
/// ready for a spreadsheet: formulas neutralized.
pub fn render_csv(r: &Report) -> String {
    let mut out = String::new();
    let header = ["check", "severity", "title", "summary", "guide", "subject", "input", "line", "id", "time", "fields"];
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
        let rows: Vec<[String; 5]> = if f.evidence.is_empty() {
            vec![Default::default()]
        } else {
            f.evidence
                .iter()
                .map(|e| {
                    [
                        e.input.clone(),
                        e.line.to_string(),
                        e.id.clone(),
                        e.time.map(|t| t.to_rfc3339()).unwrap_or_default(),
                        e.fields.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; "),
                    ]
                })
                .collect()
        };
        for ev in rows {
            let cells: Vec<String> = base.iter().chain(ev.iter()).map(|c| csv_field(c)).collect();
            out.push_str(&cells.join(","));
            out.push_str("\r\n");
        }
    }
    out
}
