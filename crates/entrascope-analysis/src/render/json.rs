use serde::Serialize;

use crate::report::{FindingOut, InputReport, Report, SigmaReport, Summary, Tool};
use entrascope_core::{CoverageEntry, Timestamp};

#[derive(Serialize)]
struct JsonView<'a> {
    tool: &'a Tool,
    now: Timestamp,
    summary: &'a Summary,
    inputs: &'a [InputReport],
    findings: &'a [FindingOut],
    coverage: &'a [CoverageEntry],
    #[serde(skip_serializing_if = "Option::is_none")]
    sigma: &'a Option<SigmaReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    connect: &'a Option<serde_json::Value>,
}

/// The CLI contract's JSON (`--format json`).
pub fn render_json(r: &Report) -> String {
    let view = JsonView {
        tool: &r.tool,
        now: r.now,
        summary: &r.summary,
        inputs: &r.inputs,
        findings: &r.findings,
        coverage: &r.coverage,
        sigma: &r.sigma,
        connect: &r.connect,
    };
    let mut s = serde_json::to_string_pretty(&view).expect("report serializes");
    s.push('\n');
    s
}
