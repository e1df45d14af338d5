//! Messages between the UI thread and the analysis worker.
//!
//! Architecture invariant: raw file bytes never reach the UI thread's Rust
//! code and the dataset never leaves the worker. The UI sends `Blob` handles
//! (structured-cloned, not copied) and asks for views: a report summary, one
//! page of a finding's evidence, one record. Large answers are paged so no
//! main-thread task has to decode more than a screenful.
//!
//! Messages travel as `{ "msg": <serde value>, "blobs": [Blob...] }`; the
//! serde part goes through `serde-wasm-bindgen`.

use entrascope_core::Settings;
use serde::{Deserialize, Serialize};

/// What the UI asks of the worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ToWorker {
    /// Read these inputs (a `Blob` for each path travels beside the message)
    /// into a fresh session, then analyze with `settings`.
    Ingest { paths: Vec<String>, settings: Settings, now_ms: i64 },
    /// Re-run the checks on the data already read.
    Analyze { settings: Settings, now_ms: i64 },
    /// Documentation, columns and timeline of one finding.
    Detail { finding: u32 },
    /// One page of a finding's evidence, sorted and filtered.
    Evidence(EvidenceQuery),
    /// The full content of the record behind one row.
    Record { source: Source, row: u32 },
    /// Render the report (the worker answers with a `Blob`).
    Export { format: ExportFormat },
    /// Parse and validate a settings file.
    ParseSettings { text: String },
    /// To a helper worker started by the analysis worker: read the bytes
    /// `[start, end)` of the file (its `Blob` beside the message) after its
    /// first `header_bytes`, in pieces, answering with each piece's records
    /// in byte form (`{piece: Uint8Array, start, end}`) and then
    /// `{done: true}` (see `worker::read_part`).
    ReadPart { path: String, header_bytes: u64, start: u64, end: u64, last: bool, piece: u64 },
}

/// What the worker answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FromWorker {
    /// The worker is loaded and listening.
    Ready,
    Progress(FileProgress),
    Analyzed(Box<ReportView>),
    Detail(Box<FindingDetail>),
    Evidence(EvidencePage),
    Record(RecordView),
    /// The rendered export; the `Blob` travels beside the message.
    Export {
        filename: String,
        bytes: u64,
    },
    Settings(Result<ParsedSettings, String>),
    Error(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExportFormat {
    Html,
    Json,
    Csv,
    Sarif,
}

impl ExportFormat {
    pub const ALL: [ExportFormat; 4] = [ExportFormat::Html, ExportFormat::Json, ExportFormat::Csv, ExportFormat::Sarif];

    pub fn label(self) -> &'static str {
        match self {
            ExportFormat::Html => "HTML report",
            ExportFormat::Json => "JSON",
            ExportFormat::Csv => "CSV",
            ExportFormat::Sarif => "SARIF",
        }
    }

    pub fn filename(self) -> &'static str {
        match self {
            ExportFormat::Html => "entrascope-report.html",
            ExportFormat::Json => "entrascope-report.json",
            ExportFormat::Csv => "entrascope-findings.csv",
            ExportFormat::Sarif => "entrascope.sarif",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            ExportFormat::Html => "text/html;charset=utf-8",
            ExportFormat::Json => "application/json",
            ExportFormat::Csv => "text/csv;charset=utf-8",
            ExportFormat::Sarif => "application/sarif+json",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            ExportFormat::Html => {
                "A single page to hand over: inputs, settings, coverage, findings and evidence. Opens without scripts."
            }
            ExportFormat::Json => "The CLI's JSON schema (entrascope scan --format json).",
            ExportFormat::Csv => "One row per evidence record of every finding. Cells that look like formulas are neutralized.",
            ExportFormat::Sarif => "SARIF 2.1.0, for code-scanning and SIEM tools that read it.",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParsedSettings {
    pub settings: Settings,
    pub warnings: Vec<String>,
}

/// Reading progress of one input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileProgress {
    pub index: u32,
    pub path: String,
    pub bytes_done: u64,
    pub bytes_total: u64,
    pub records: u64,
    pub rejected: u64,
    pub done: bool,
}

/// Everything the overview needs, without evidence rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ReportView {
    pub tool_version: String,
    pub now_ms: i64,
    pub verdict: Verdict,
    pub findings: Vec<FindingSummary>,
    pub inputs: Vec<InputView>,
    pub coverage: Vec<CoverageView>,
    pub stats: Option<StatsView>,
    /// Entra Connect configurations, their rules and their differences.
    pub connect: Option<ConnectView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ConnectView {
    pub configs: Vec<ConnectConfigView>,
    pub diffs: Vec<ConnectDiffView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ConnectConfigView {
    pub label: String,
    pub server: String,
    pub version: String,
    pub staging: Option<bool>,
    /// (setting, value, what it means)
    pub highlights: Vec<(String, String, String)>,
    pub rules: Vec<ConnectRuleView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ConnectRuleView {
    pub name: String,
    pub connector: String,
    pub direction: String,
    pub precedence: Option<u32>,
    pub custom: bool,
    pub disabled: bool,
    /// Scoping in plain words ("users whose sAMAccountName equals jdoe").
    pub scope: String,
    pub join: Vec<String>,
    /// (target attribute, source, flow type)
    pub mappings: Vec<(String, String, String)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ConnectDiffView {
    pub a: String,
    pub b: String,
    pub lines: Vec<DiffLine>,
    pub notes: Vec<String>,
}

/// One difference: what (a setting, connector or rule), how, and both values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct DiffLine {
    pub area: String,
    pub name: String,
    /// `added`, `removed` or `changed`.
    pub change: String,
    pub field: String,
    pub a: String,
    pub b: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Verdict {
    pub high: u32,
    pub medium: u32,
    pub low: u32,
    pub info: u32,
    pub signins: u64,
    pub audits: u64,
    pub connect_configs: u32,
    pub first_ms: Option<i64>,
    pub last_ms: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingSummary {
    pub index: u32,
    pub check: String,
    pub title: String,
    /// `high`, `medium`, `low`, `info`.
    pub severity: String,
    pub guide: Vec<String>,
    /// The guide page the finding belongs to (for grouping), with its title.
    pub page: String,
    pub page_title: String,
    pub summary: String,
    pub subject: Option<String>,
    pub first_ms: Option<i64>,
    pub last_ms: Option<i64>,
    pub evidence: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct InputView {
    pub path: String,
    pub kind: String,
    pub format: String,
    pub bytes: u64,
    pub records: u64,
    pub rejected_total: u64,
    /// The first rejected rows, with line and reason.
    pub rejected: Vec<(u64, String)>,
    pub first_ms: Option<i64>,
    pub last_ms: Option<i64>,
    pub warnings: Vec<String>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoverageView {
    pub guide: String,
    pub page: String,
    pub page_title: String,
    pub what: String,
    /// `evaluated`, `needs-data`, `needs-settings`, `not-applicable`.
    pub status: String,
    pub needs: Option<String>,
    pub checks: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingDetail {
    pub index: u32,
    pub check: String,
    /// The check's documentation (Markdown).
    pub doc: String,
    pub tags: Vec<String>,
    pub columns: Vec<String>,
    pub rows: u32,
    pub timeline: Timeline,
}

/// Evidence times, binned for an SVG timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Timeline {
    pub start_ms: i64,
    pub end_ms: i64,
    pub bin_ms: i64,
    pub bins: Vec<u32>,
    /// Individual event times when there are few (≤ 400), for dots.
    pub points: Vec<i64>,
}

/// Which rows a virtualized table shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Source {
    /// One finding's evidence.
    Finding(u32),
    /// Every sign-in read (the admin center's sign-in log, in the browser).
    SignIns,
}

impl Default for Source {
    fn default() -> Self {
        Source::Finding(0)
    }
}

/// The columns of the sign-in table, named as the admin center names them.
pub const SIGNIN_COLUMNS: [&str; 10] = [
    "Date (UTC)",
    "User",
    "Application",
    "Status",
    "Sign-in error code",
    "IP address",
    "Location",
    "Client app",
    "Sign-in type",
    "Request ID",
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct EvidenceQuery {
    /// Echoed back, so the UI drops answers to stale queries.
    pub seq: u32,
    pub source: Source,
    pub sort: Option<usize>,
    pub descending: bool,
    /// Case-insensitive substring over every column.
    pub search: String,
    /// Case-insensitive substring per column.
    pub filters: Vec<(usize, String)>,
    pub offset: u32,
    pub limit: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct EvidencePage {
    pub seq: u32,
    pub source: Source,
    pub total: u32,
    pub matching: u32,
    pub offset: u32,
    pub rows: Vec<EvidenceRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvidenceRow {
    /// Index of the evidence item in the finding, or of the sign-in.
    pub row: u32,
    pub cells: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct RecordView {
    pub source: Source,
    pub row: u32,
    pub title: String,
    pub fields: Vec<(String, String)>,
}

/// Aggregates of the sign-ins for the Explore view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct StatsView {
    pub signins: u64,
    pub bucket_ms: i64,
    /// (bucket start, success, failure, interrupted)
    pub over_time: Vec<(i64, u32, u32, u32)>,
    pub users: Vec<TopItem>,
    pub apps: Vec<TopItem>,
    pub ips: Vec<TopItem>,
    pub countries: Vec<TopItem>,
    pub client_apps: Vec<TopItem>,
    pub errors: Vec<TopItem>,
    /// Where sign-ins came from, rounded to a grid; sign-ins with a
    /// country but no coordinates at their country's centre.
    pub locations: Vec<Place>,
    /// Sign-ins with neither coordinates nor a known country.
    pub without_location: u64,
}

/// A point on the Explore map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Place {
    pub lat: f32,
    pub lon: f32,
    pub total: u32,
    pub failures: u32,
    /// "City, country" from the export, or the country code when placed at
    /// the country's centre.
    pub label: String,
    /// At the country's centre: the export had no coordinates.
    pub approximate: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopItem {
    pub label: String,
    pub total: u32,
    pub failures: u32,
}

/// Formats milliseconds since the epoch as `2026-10-05 06:30 UTC` style text.
pub fn fmt_time(ms: i64) -> String {
    let (y, mo, d, h, mi, s, _) = entrascope_core::Timestamp(ms).civil();
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
}

pub fn fmt_date(ms: i64) -> String {
    let (y, mo, d, ..) = entrascope_core::Timestamp(ms).civil();
    format!("{y:04}-{mo:02}-{d:02}")
}

/// `41822` → `41,822`.
pub fn fmt_count(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub fn fmt_bytes(n: u64) -> String {
    const K: f64 = 1024.0;
    let f = n as f64;
    if f < K {
        format!("{n} B")
    } else if f < K * K {
        format!("{:.1} KiB", f / K)
    } else if f < K * K * K {
        format!("{:.1} MiB", f / K / K)
    } else {
        format!("{:.2} GiB", f / K / K / K)
    }
}

/// The verdict line of the overview, e.g. "3 high, 7 medium findings in
/// 41,822 sign-ins and 928 audit events, 2026-10-01 to 2026-10-31".
pub fn verdict_line(v: &Verdict) -> String {
    let mut parts = Vec::new();
    for (n, name) in [(v.high, "high"), (v.medium, "medium"), (v.low, "low")] {
        if n > 0 {
            parts.push(format!("{n} {name}"));
        }
    }
    let head = if parts.is_empty() {
        if v.info > 0 {
            format!("No high, medium or low findings ({} informational)", v.info)
        } else {
            "No findings".to_string()
        }
    } else {
        let total = v.high + v.medium + v.low;
        format!("{} finding{}", parts.join(", "), if total == 1 { "" } else { "s" })
    };
    let mut what = Vec::new();
    if v.signins > 0 {
        what.push(format!("{} sign-in{}", fmt_count(v.signins), if v.signins == 1 { "" } else { "s" }));
    }
    if v.audits > 0 {
        what.push(format!("{} audit event{}", fmt_count(v.audits), if v.audits == 1 { "" } else { "s" }));
    }
    if v.connect_configs > 0 {
        what.push(format!("{} Entra Connect configuration{}", v.connect_configs, if v.connect_configs == 1 { "" } else { "s" }));
    }
    let mut line = head;
    if !what.is_empty() {
        let joined = match what.len() {
            1 => what[0].clone(),
            2 => format!("{} and {}", what[0], what[1]),
            _ => format!("{}, {} and {}", what[0], what[1], what[2]),
        };
        line.push_str(" in ");
        line.push_str(&joined);
    }
    if let (Some(a), Some(b)) = (v.first_ms, v.last_ms) {
        line.push_str(&format!(", {} to {}", fmt_date(a), fmt_date(b)));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_get_thousands_separators() {
        assert_eq!(fmt_count(0), "0");
        assert_eq!(fmt_count(999), "999");
        assert_eq!(fmt_count(41822), "41,822");
        assert_eq!(fmt_count(1234567), "1,234,567");
    }

    #[test]
    fn verdict_reads_like_the_journey() {
        let t0 = entrascope_core::Timestamp::parse("2026-10-01T00:10:00Z").unwrap().0;
        let t1 = entrascope_core::Timestamp::parse("2026-10-31T23:00:00Z").unwrap().0;
        let v = Verdict {
            high: 3,
            medium: 7,
            signins: 41822,
            audits: 928,
            first_ms: Some(t0),
            last_ms: Some(t1),
            ..Default::default()
        };
        assert_eq!(
            verdict_line(&v),
            "3 high, 7 medium findings in 41,822 sign-ins and 928 audit events, 2026-10-01 to 2026-10-31"
        );
        let v = Verdict { low: 1, signins: 1, ..Default::default() };
        assert_eq!(verdict_line(&v), "1 low finding in 1 sign-in");
        assert_eq!(verdict_line(&Verdict::default()), "No findings");
    }
}
