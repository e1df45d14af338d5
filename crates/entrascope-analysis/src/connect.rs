//! The seam to `entrascope-connect`: routing, input numbering, reporting.

use entrascope_connect::{ConnectData, Level};
use entrascope_core::coverage::RuntimeStatus;
use entrascope_core::{Availability, CheckMeta, Finding, Timestamp};

use crate::report::{InputReport, RejectedOut};

/// Connect inputs are numbered from here, so evidence from Connect checks
/// never collides with log input numbers.
pub const INPUT_BASE: u32 = 1 << 30;

pub fn checks() -> Vec<&'static CheckMeta> {
    entrascope_connect::checks()
}

/// Whether the file belongs to Entra Connect: recognized from its content,
/// or named like a file of an export folder (so a damaged rule file is
/// reported as one, not as an unknown log).
pub fn claims(path: &str, head: &[u8]) -> bool {
    entrascope_connect::sniff(path, head).is_some() || entrascope_connect::export_file_kind(path).is_some()
}

#[derive(Default)]
pub struct Collector {
    inner: entrascope_connect::Collector,
    added: u32,
}

impl Collector {
    /// Reads one file; returns its input number and what it was read as or why not.
    pub fn add(&mut self, path: &str, bytes: &[u8]) -> (u32, Result<&'static str, String>) {
        let input = INPUT_BASE + self.added;
        self.added += 1;
        (input, self.inner.add_indexed(input, path, bytes).map(|k| k.as_str()))
    }

    pub fn finish(self) -> ConnectData {
        self.inner.finish()
    }
}

/// The report line of one Connect input.
pub fn input_report(data: &ConnectData, input: u32, path: &str, kind: &Result<&'static str, String>, bytes: u64) -> InputReport {
    let read = data.inputs.iter().find(|i| i.input == input);
    let mut r = InputReport {
        path: path.to_string(),
        kind: read.map(|i| i.kind.as_str()).or(kind.as_ref().ok().copied()).unwrap_or("connect").to_string(),
        format: "connect".into(),
        records: read.map(|i| i.records).unwrap_or(0),
        rejected: Vec::new(),
        rejected_total: 0,
        bytes,
        first: None,
        last: None,
        warnings: Vec::new(),
        error: None,
        config: read.and_then(|i| i.config.clone()),
    };
    for p in data.problems.iter().filter(|p| p.input == input) {
        match p.level {
            Level::Warning => {
                r.warnings.push(if p.line > 0 { format!("line {}: {}", p.line, p.message) } else { p.message.clone() })
            }
            Level::Rejected => {
                r.rejected_total += 1;
                r.rejected.push(RejectedOut { line: p.line, reason: p.message.clone() });
            }
            Level::Error => r.error = Some(p.message.clone()),
        }
    }
    if r.error.is_none() && read.is_none() {
        if let Err(e) = kind {
            r.error = Some(e.clone());
        }
    }
    r
}

/// Problems that concern a folder rather than a file (a configuration with
/// no MV.xml, say), as report lines.
pub fn folder_reports(data: &ConnectData) -> Vec<InputReport> {
    data.problems
        .iter()
        .filter(|p| p.input == u32::MAX)
        .map(|p| {
            let mut r = InputReport::unreadable(&p.path, &p.message, 0);
            r.kind = "connect.folder".into();
            r.format = "connect".into();
            if p.level != Level::Error {
                r.error = None;
                r.warnings.push(p.message.clone());
            }
            r
        })
        .collect()
}

pub fn fill_availability(data: &ConnectData, avail: &mut Availability) {
    entrascope_connect::fill_availability(data, avail);
}

pub fn run(data: &ConnectData, now: Timestamp) -> (Vec<Finding>, Vec<RuntimeStatus>) {
    entrascope_connect::run(data, now)
}

/// What the web app and the JSON report show of Entra Connect: the
/// configurations read, their pairwise comparisons and the Documenter reports.
pub fn view(data: &ConnectData) -> Option<serde_json::Value> {
    if data.configs.is_empty() && data.reports.is_empty() && data.run_histories.is_empty() && data.error_sets.is_empty() {
        return None;
    }
    let mut diffs = Vec::new();
    for (i, a) in data.configs.iter().enumerate() {
        for b in data.configs.iter().skip(i + 1) {
            diffs.push(serde_json::json!({"a": a.label, "b": b.label, "diff": entrascope_connect::diff::diff(a, b)}));
        }
    }
    let views: Vec<_> = data.configs.iter().map(entrascope_connect::view::view).collect();
    Some(serde_json::json!({
        "configs": data.configs,
        "views": views,
        "diffs": diffs,
        "reports": data.reports,
        "run_histories": data.run_histories,
        "error_sets": data.error_sets,
    }))
}
