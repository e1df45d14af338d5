//! The worker's logic, free of browser types so it is tested natively:
//! holds the parsed [`Analysis`] and the last [`Report`], answers the UI's
//! questions with small views (a report summary, one page of evidence, one
//! record), and renders exports.
//!
//! Architecture invariant: the UI never receives the dataset or a whole
//! evidence list; a page is at most [`MAX_PAGE`] rows.

use std::cmp::Ordering;

use entrascope_analysis::render::{render_csv, render_html, render_json, render_sarif};
use entrascope_analysis::{Analysis, FindingOut, Report, Session};
use entrascope_core::{catalogue, RecordRef, Settings, Table, Timestamp};
use entrascope_logs::{Dataset, Outcome};

use crate::protocol::*;

/// Most rows one evidence page carries.
pub const MAX_PAGE: u32 = 500;
/// Bins of a finding's timeline.
const TIMELINE_BINS: usize = 60;
/// Up to this many events, the timeline also draws each one.
const TIMELINE_POINTS: usize = 400;

/// Fixed evidence columns; the finding's own fields sit between them.
const COL_TIME: &str = "Time (UTC)";
const TAIL: [&str; 3] = ["ID", "Input", "Line"];

#[derive(Default)]
pub struct Engine {
    session: Option<Session>,
    analysis: Option<Analysis>,
    report: Option<Report>,
    /// The last evidence query's matching rows, in order (reused while scrolling).
    cache: Option<(CacheKey, Vec<u32>)>,
    /// Log inputs in the dataset before the current file began.
    inputs_before: usize,
}

#[derive(PartialEq, Eq, Clone)]
struct CacheKey {
    source: Source,
    sort: Option<usize>,
    descending: bool,
    search: String,
    filters: Vec<(usize, String)>,
}

impl Engine {
    pub fn new() -> Engine {
        Engine::default()
    }

    /// Drops everything read, ready for a new set of inputs.
    pub fn reset(&mut self) {
        *self = Engine::default();
    }

    pub fn begin_file(&mut self, path: &str) {
        self.analysis = None;
        self.report = None;
        self.cache = None;
        let session = self.session.get_or_insert_with(Session::new);
        self.inputs_before = session.dataset().inputs.len();
        session.begin_file(path);
    }

    /// Where the file being read could be split for a helper worker (see
    /// `Session::split_info`).
    pub fn split_info(&self) -> Option<entrascope_analysis::SplitInfo> {
        self.session.as_ref().and_then(|s| s.split_info())
    }

    /// Joins a part a helper worker read (see `Session::adopt_encoded`).
    pub fn adopt_encoded(&mut self, part: &[u8]) -> Result<(), String> {
        match self.session.as_mut() {
            Some(s) => s.adopt_encoded(part),
            None => Err("no file is being read".into()),
        }
    }

    /// The size of the file begun (see `Session::expect_bytes`).
    pub fn expect_bytes(&mut self, total: u64) {
        if let Some(s) = self.session.as_mut() {
            s.expect_bytes(total);
        }
    }

    pub fn feed(&mut self, chunk: &[u8]) {
        if let Some(s) = self.session.as_mut() {
            s.feed(chunk);
        }
    }

    /// Ends the current file: (records, rejected rows) read from it.
    pub fn end_file(&mut self) -> (u64, u64) {
        match self.session.as_mut().and_then(|s| s.end_file()) {
            Some(sum) => (sum.records, sum.rejected),
            None => (0, 0),
        }
    }

    /// Records read so far in the current log input (for progress).
    pub fn records_so_far(&self) -> (u64, u64) {
        let Some(s) = self.session.as_ref() else { return (0, 0) };
        let inputs = &s.dataset().inputs;
        match inputs.last() {
            Some(i) if inputs.len() > self.inputs_before => (i.records, i.rejected_total),
            _ => (0, 0),
        }
    }

    /// Finishes reading (if still reading) and runs the checks.
    pub fn analyze(&mut self, settings: &Settings, now: Timestamp) -> Result<ReportView, String> {
        settings.validate()?;
        if let Some(s) = self.session.take() {
            self.analysis = Some(s.finish());
        }
        let analysis = self.analysis.as_ref().ok_or("No files have been read yet.")?;
        let report = analysis.analyze(settings, now);
        let view = report_view(&report, now);
        self.report = Some(report);
        self.cache = None;
        Ok(view)
    }

    pub fn has_data(&self) -> bool {
        self.analysis.is_some() || self.session.is_some()
    }

    pub fn report(&self) -> Option<&Report> {
        self.report.as_ref()
    }

    pub fn detail(&self, index: u32) -> Option<FindingDetail> {
        let report = self.report.as_ref()?;
        let f = report.findings.get(index as usize)?;
        let check = report.checks.iter().find(|c| c.code == f.check);
        Some(FindingDetail {
            index,
            check: f.check.clone(),
            doc: check.map(|c| c.doc.clone()).unwrap_or_default(),
            tags: check.map(|c| c.tags.clone()).unwrap_or_default(),
            columns: columns(f),
            rows: f.evidence.len() as u32,
            timeline: timeline(f),
        })
    }

    /// One page of a finding's evidence (or of every sign-in), sorted,
    /// filtered and searched.
    pub fn evidence(&mut self, q: &EvidenceQuery) -> Option<EvidencePage> {
        let rows = self.rows(q.source)?;
        let ncols = rows.ncols();
        let key = CacheKey {
            source: q.source,
            sort: q.sort.filter(|c| *c < ncols),
            descending: q.descending,
            search: q.search.trim().to_lowercase(),
            filters: q
                .filters
                .iter()
                .filter(|(c, v)| *c < ncols && !v.trim().is_empty())
                .map(|(c, v)| (*c, v.trim().to_lowercase()))
                .collect(),
        };
        let total = rows.len() as u32;
        if self.cache.as_ref().map(|(k, _)| k != &key).unwrap_or(true) {
            let order = matching_rows(&rows, &key);
            self.cache = Some((key, order));
        }
        let rows = self.rows(q.source)?;
        let order = &self.cache.as_ref()?.1;
        let offset = q.offset.min(order.len() as u32);
        let end = (offset + q.limit.min(MAX_PAGE)).min(order.len() as u32);
        Some(EvidencePage {
            seq: q.seq,
            source: q.source,
            total,
            matching: order.len() as u32,
            offset,
            rows: order[offset as usize..end as usize]
                .iter()
                .map(|&r| EvidenceRow { row: r, cells: (0..ncols).map(|c| rows.cell(r as usize, c)).collect() })
                .collect(),
        })
    }

    fn rows(&self, source: Source) -> Option<Rows<'_>> {
        match source {
            Source::Finding(i) => {
                let f = self.report.as_ref()?.findings.get(i as usize)?;
                Some(Rows::Finding(f, columns(f)))
            }
            Source::SignIns => Some(Rows::SignIns(&self.analysis.as_ref()?.ds)),
        }
    }

    /// The whole record behind a row: every field of the sign-in or audit
    /// event when the analysis can resolve it, else the evidence.
    pub fn record(&self, source: Source, row: u32) -> Option<RecordView> {
        let analysis = self.analysis.as_ref()?;
        let (table_ref, evidence) = match source {
            Source::SignIns => {
                if row as usize >= analysis.ds.signins.len() {
                    return None;
                }
                (Some(RecordRef { table: Table::SignIn, index: row }), None)
            }
            Source::Finding(i) => {
                let f = self.report.as_ref()?.findings.get(i as usize)?;
                let e = f.evidence.get(row as usize)?;
                (e.record, Some(e))
            }
        };
        let title = match table_ref.map(|r| r.table) {
            Some(Table::SignIn) => "Sign-in",
            Some(Table::Audit) => "Audit event",
            Some(Table::Connect) => "Entra Connect item",
            Some(Table::ConnectOps) => "Entra Connect run or error",
            None => "Evidence",
        };
        let mut fields = Vec::new();
        match table_ref.and_then(|r| analysis.record(r)) {
            // The resolved record names its own source file and line.
            Some(v) => flatten(&v, &mut fields),
            None => {
                if let Some(e) = evidence {
                    if let Some(t) = e.time {
                        fields.push(("time".into(), t.to_rfc3339()));
                    }
                    fields.extend(e.fields.iter().cloned());
                    fields.push(("source.input".into(), e.input.clone()));
                    fields.push(("source.line".into(), e.line.to_string()));
                }
            }
        }
        let id = match (evidence, source) {
            (Some(e), _) if !e.id.is_empty() => format!(" {}", e.id),
            (None, Source::SignIns) => {
                let s = &analysis.ds.signins[row as usize];
                format!(" {}", s.request_id.render(&analysis.ds.strings))
            }
            _ => String::new(),
        };
        Some(RecordView { source, row, title: format!("{title}{}", id.trim_end()), fields })
    }

    /// Renders an export of the last report.
    pub fn export(&self, format: ExportFormat) -> Option<String> {
        let r = self.report.as_ref()?;
        Some(match format {
            ExportFormat::Html => render_html(r),
            ExportFormat::Json => render_json(r),
            ExportFormat::Csv => render_csv(r),
            ExportFormat::Sarif => render_sarif(r),
        })
    }
}

/// Parses and validates a settings file, as the CLI's `--settings` does.
pub fn parse_settings(text: &str) -> Result<ParsedSettings, String> {
    Settings::from_json(text).map(|(settings, warnings)| ParsedSettings { settings, warnings })
}

fn page_of(guide: &[String]) -> (String, String) {
    for g in guide {
        if let Some(row) = catalogue::row(g) {
            return (row.page.clone(), catalogue::page_title(&row.page).to_string());
        }
    }
    ("other".into(), "Other".into())
}

/// The report without evidence rows: what the overview shows.
pub fn report_view(r: &Report, now: Timestamp) -> ReportView {
    let s = &r.summary;
    let findings = r
        .findings
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let (page, page_title) = page_of(&f.guide);
            FindingSummary {
                index: i as u32,
                check: f.check.clone(),
                title: f.title.clone(),
                severity: f.severity.as_str().to_string(),
                guide: f.guide.clone(),
                page,
                page_title,
                summary: f.summary.clone(),
                subject: f.subject.clone(),
                first_ms: f.first_seen.map(|t| t.0),
                last_ms: f.last_seen.map(|t| t.0),
                evidence: f.evidence.len() as u32,
            }
        })
        .collect();
    let inputs = r
        .inputs
        .iter()
        .map(|i| InputView {
            path: i.path.clone(),
            kind: i.kind.clone(),
            format: i.format.clone(),
            bytes: i.bytes,
            records: i.records,
            rejected_total: i.rejected_total,
            rejected: i.rejected.iter().take(50).map(|x| (x.line, x.reason.clone())).collect(),
            first_ms: i.first.map(|t| t.0),
            last_ms: i.last.map(|t| t.0),
            warnings: i.warnings.clone(),
            error: i.error.clone(),
        })
        .collect();
    let coverage = r
        .coverage
        .iter()
        .map(|c| {
            let row = catalogue::row(&c.guide);
            let page = row.map(|r| r.page.clone()).unwrap_or_default();
            CoverageView {
                guide: c.guide.clone(),
                page_title: catalogue::page_title(&page).to_string(),
                page,
                what: row.map(|r| r.what.clone()).unwrap_or_default(),
                status: c.status.as_str().to_string(),
                needs: c.needs.clone(),
                checks: c.checks.clone(),
            }
        })
        .collect();
    let st = &r.stats;
    let located: u64 = st.map.iter().map(|p| p.total).sum();
    let user_signins = s.signins;
    let top = |v: &[entrascope_analysis::stats::Count]| -> Vec<TopItem> {
        v.iter().map(|c| TopItem { label: c.key.clone(), total: sat(c.total), failures: sat(c.failures) }).collect()
    };
    let stats = (s.signins > 0).then(|| StatsView {
        signins: s.signins,
        bucket_ms: st.bucket_ms,
        over_time: st.timeline.iter().map(|b| (b.start.0, sat(b.success), sat(b.failure), sat(b.interrupted))).collect(),
        users: top(&st.top_users),
        apps: top(&st.top_apps),
        ips: top(&st.top_ips),
        countries: top(&st.top_countries),
        client_apps: top(&st.top_client_apps),
        errors: top(&st.top_error_codes),
        locations: st
            .map
            .iter()
            .map(|p| Place {
                lat: p.lat,
                lon: p.lon,
                total: sat(p.total),
                failures: sat(p.failures),
                label: p.label.clone(),
                approximate: p.approximate,
            })
            .collect(),
        without_location: user_signins.saturating_sub(located),
    });
    ReportView {
        tool_version: r.tool.version.clone(),
        now_ms: now.0,
        verdict: Verdict {
            high: s.findings_high,
            medium: s.findings_medium,
            low: s.findings_low,
            info: s.findings_info,
            signins: s.signins,
            audits: s.audits,
            connect_configs: s.connect_configs,
            first_ms: s.first.map(|t| t.0),
            last_ms: s.last.map(|t| t.0),
        },
        findings,
        inputs,
        coverage,
        stats,
        connect: r.connect.as_ref().map(connect_view),
    }
}

fn txt(v: &serde_json::Value, key: &str) -> String {
    match v.get(key) {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn arr<'a>(v: &'a serde_json::Value, key: &str) -> &'a [serde_json::Value] {
    v.get(key).and_then(|a| a.as_array()).map(|a| a.as_slice()).unwrap_or(&[])
}

fn flag(v: &serde_json::Value, key: &str) -> bool {
    v.get(key).and_then(|b| b.as_bool()).unwrap_or(false)
}

/// The analysis crate's Connect view (JSON), reduced to what the UI shows.
pub fn connect_view(v: &serde_json::Value) -> ConnectView {
    let configs = arr(v, "views")
        .iter()
        .map(|c| {
            let mut rules = Vec::new();
            for conn in arr(c, "connectors") {
                for group in arr(conn, "rule_groups") {
                    for r in arr(group, "rules") {
                        rules.push(ConnectRuleView {
                            name: txt(r, "name"),
                            connector: if txt(r, "connector").is_empty() { txt(conn, "name") } else { txt(r, "connector") },
                            direction: txt(r, "direction"),
                            precedence: r.get("precedence").and_then(|p| p.as_u64()).map(|p| p.min(u32::MAX as u64) as u32),
                            custom: flag(r, "custom"),
                            disabled: flag(r, "disabled"),
                            scope: txt(r, "scope_text"),
                            join: arr(r, "join").iter().filter_map(|j| j.as_str().map(str::to_string)).collect(),
                            mappings: arr(r, "mappings")
                                .iter()
                                .map(|m| (txt(m, "target"), txt(m, "source"), txt(m, "flow_type")))
                                .collect(),
                        });
                    }
                }
            }
            rules.sort_by(|a, b| {
                (a.connector.as_str(), a.direction.as_str(), a.precedence).cmp(&(
                    b.connector.as_str(),
                    b.direction.as_str(),
                    b.precedence,
                ))
            });
            ConnectConfigView {
                label: txt(c, "label"),
                server: txt(c, "server"),
                version: txt(c, "version"),
                staging: c.get("staging").and_then(|b| b.as_bool()),
                highlights: arr(c, "highlights").iter().map(|h| (txt(h, "label"), txt(h, "value"), txt(h, "meaning"))).collect(),
                rules,
            }
        })
        .collect();
    let diffs = arr(v, "diffs")
        .iter()
        .map(|d| {
            let diff = d.get("diff").unwrap_or(&serde_json::Value::Null);
            let mut lines = Vec::new();
            if let Some(pair) = diff.get("version").and_then(|p| p.as_array()) {
                let get = |i: usize| pair.get(i).and_then(|x| x.as_str()).unwrap_or("").to_string();
                lines.push(DiffLine {
                    area: "Version".into(),
                    name: "Entra Connect".into(),
                    change: "changed".into(),
                    field: "version".into(),
                    a: get(0),
                    b: get(1),
                });
            }
            for st in arr(diff, "settings") {
                lines.push(DiffLine {
                    area: "Setting".into(),
                    name: txt(st, "name"),
                    change: "changed".into(),
                    field: String::new(),
                    a: txt(st, "a"),
                    b: txt(st, "b"),
                });
            }
            for (area, key) in [("Connector", "connectors"), ("Rule", "rules")] {
                for ch in arr(diff, key) {
                    let name = if area == "Rule" {
                        format!("{} ({}, {})", txt(ch, "name"), txt(ch, "connector"), txt(ch, "direction"))
                    } else {
                        txt(ch, "name")
                    };
                    let change = txt(ch, "change");
                    let fields = arr(ch, "fields");
                    if fields.is_empty() {
                        lines.push(DiffLine {
                            area: area.into(),
                            name,
                            change,
                            field: String::new(),
                            a: String::new(),
                            b: String::new(),
                        });
                    } else {
                        for f in fields {
                            lines.push(DiffLine {
                                area: area.into(),
                                name: name.clone(),
                                change: change.clone(),
                                field: txt(f, "field"),
                                a: txt(f, "a"),
                                b: txt(f, "b"),
                            });
                        }
                    }
                }
            }
            ConnectDiffView {
                a: txt(d, "a"),
                b: txt(d, "b"),
                lines,
                notes: arr(diff, "notes").iter().filter_map(|n| n.as_str().map(str::to_string)).collect(),
            }
        })
        .collect();
    ConnectView { configs, diffs }
}

fn sat(n: u64) -> u32 {
    n.min(u32::MAX as u64) as u32
}

/// Time, the finding's own fields (in first-seen order), then ID, input, line.
fn columns(f: &FindingOut) -> Vec<String> {
    let mut cols = vec![COL_TIME.to_string()];
    for e in &f.evidence {
        for (k, _) in &e.fields {
            // The time has its own column.
            if k != "time" && !cols.iter().any(|c| c == k) && cols.len() < 40 {
                cols.push(k.clone());
            }
        }
    }
    cols.extend(TAIL.iter().map(|s| s.to_string()));
    cols
}

/// The rows a table shows: a finding's evidence or every sign-in.
enum Rows<'a> {
    Finding(&'a FindingOut, Vec<String>),
    SignIns(&'a Dataset),
}

impl Rows<'_> {
    fn len(&self) -> usize {
        match self {
            Rows::Finding(f, _) => f.evidence.len(),
            Rows::SignIns(ds) => ds.signins.len(),
        }
    }

    fn ncols(&self) -> usize {
        match self {
            Rows::Finding(_, cols) => cols.len(),
            Rows::SignIns(_) => SIGNIN_COLUMNS.len(),
        }
    }

    fn time(&self, row: usize) -> Option<i64> {
        match self {
            Rows::Finding(f, _) => f.evidence.get(row).and_then(|e| e.time.map(|t| t.0)),
            Rows::SignIns(ds) => ds.signins.get(row).map(|s| s.time.0),
        }
    }

    fn cell(&self, row: usize, col: usize) -> String {
        match self {
            Rows::Finding(f, cols) => {
                let Some(e) = f.evidence.get(row) else { return String::new() };
                let n = cols.len();
                match col {
                    0 => e.time.map(|t| fmt_time(t.0)).unwrap_or_default(),
                    c if c == n - 3 => e.id.clone(),
                    c if c == n - 2 => e.input.clone(),
                    c if c == n - 1 => e.line.to_string(),
                    c => {
                        let name = &cols[c];
                        e.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default()
                    }
                }
            }
            Rows::SignIns(ds) => {
                let Some(s) = ds.signins.get(row) else { return String::new() };
                let st = |sym| ds.str(sym).to_string();
                match col {
                    0 => fmt_time(s.time.0),
                    1 => {
                        if s.upn.is_empty() {
                            st(s.service_principal_name)
                        } else {
                            st(s.upn)
                        }
                    }
                    2 => st(s.app_display),
                    3 => match s.outcome {
                        Outcome::Success => "Success".into(),
                        Outcome::Failure => "Failure".into(),
                        Outcome::Interrupted => "Interrupted".into(),
                    },
                    4 => {
                        if s.error_code == 0 {
                            String::new()
                        } else {
                            s.error_code.to_string()
                        }
                    }
                    5 => st(s.ip),
                    6 => [ds.str(s.city), ds.str(s.state), ds.str(s.country)]
                        .iter()
                        .filter(|x| !x.is_empty())
                        .copied()
                        .collect::<Vec<_>>()
                        .join(", "),
                    7 => st(s.client_app),
                    8 => s.kind.as_str().to_string(),
                    9 => s.request_id.render(&ds.strings),
                    _ => String::new(),
                }
            }
        }
    }

    /// Columns compared as time or as numbers rather than text.
    fn is_time(&self, col: usize) -> bool {
        col == 0
    }
}

fn matching_rows(rows: &Rows<'_>, key: &CacheKey) -> Vec<u32> {
    let n = rows.ncols();
    let mut order: Vec<u32> = (0..rows.len() as u32)
        .filter(|&r| {
            let r = r as usize;
            let hit = |c: usize, needle: &str| rows.cell(r, c).to_lowercase().contains(needle);
            key.filters.iter().all(|(c, v)| hit(*c, v)) && (key.search.is_empty() || (0..n).any(|c| hit(c, &key.search)))
        })
        .collect();
    if let Some(col) = key.sort {
        if rows.is_time(col) {
            order.sort_by(|a, b| rows.time(*a as usize).cmp(&rows.time(*b as usize)).then(a.cmp(b)));
        } else {
            // Keys computed once per row: sorting 100k rows stays fast.
            let mut keyed: Vec<(SortKey, u32)> = order.iter().map(|&r| (SortKey::of(rows.cell(r as usize, col)), r)).collect();
            keyed.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
            order = keyed.into_iter().map(|(_, r)| r).collect();
        }
        if key.descending {
            order.reverse();
        }
    }
    order
}

/// Numbers before text, numbers by value (`9` before `10`), text without case.
#[derive(PartialEq, PartialOrd)]
enum SortKey {
    Number(f64),
    Text(String),
}

impl SortKey {
    fn of(s: String) -> SortKey {
        match s.trim().parse::<f64>() {
            Ok(x) if x.is_finite() => SortKey::Number(x),
            _ => SortKey::Text(s.to_lowercase()),
        }
    }

    fn cmp(&self, other: &SortKey) -> Ordering {
        self.partial_cmp(other).unwrap_or(Ordering::Equal)
    }
}

fn timeline(f: &FindingOut) -> Timeline {
    let times: Vec<i64> = f.evidence.iter().filter_map(|e| e.time.map(|t| t.0)).collect();
    let (Some(&min), Some(&max)) = (times.iter().min(), times.iter().max()) else { return Timeline::default() };
    // At least a minute per bin, so one burst reads as one bar.
    let span = (max - min).max(1);
    let bin_ms = (span / TIMELINE_BINS as i64 + 1).max(60_000);
    let nbins = ((max - min) / bin_ms + 1) as usize;
    let mut bins = vec![0u32; nbins.min(TIMELINE_BINS + 1)];
    for t in &times {
        let i = (((t - min) / bin_ms) as usize).min(bins.len() - 1);
        bins[i] = bins[i].saturating_add(1);
    }
    let points = if times.len() <= TIMELINE_POINTS { times.clone() } else { Vec::new() };
    Timeline { start_ms: min, end_ms: min + bin_ms * bins.len() as i64, bin_ms, bins, points }
}

/// Flattens a record (JSON) into `a.b[0].c = value` pairs, depth-first, with
/// an explicit stack (no recursion).
fn flatten(v: &serde_json::Value, out: &mut Vec<(String, String)>) {
    use serde_json::Value;
    let mut stack: Vec<(String, &Value)> = vec![(String::new(), v)];
    while let Some((path, v)) = stack.pop() {
        match v {
            Value::Object(m) => {
                for (k, child) in m.iter().rev() {
                    let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                    stack.push((p, child));
                }
            }
            Value::Array(a) if a.iter().all(|x| !x.is_object() && !x.is_array()) => {
                let items: Vec<String> = a.iter().map(scalar).collect();
                if !items.is_empty() {
                    out.push((path, items.join(", ")));
                }
            }
            Value::Array(a) => {
                for (i, child) in a.iter().enumerate().rev() {
                    stack.push((format!("{path}[{i}]"), child));
                }
            }
            Value::Null => {}
            other => {
                let s = scalar(other);
                if !s.is_empty() {
                    out.push((path, s));
                }
            }
        }
    }
}

fn scalar(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}
