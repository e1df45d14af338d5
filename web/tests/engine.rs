//! The worker's engine on real inputs, natively: reading, the report view,
//! evidence pages (sort, filter, search, paging), records, exports.

use entrascope_core::{Settings, Timestamp};
use entrascope_web::engine::{parse_settings, Engine, MAX_PAGE};
use entrascope_web::protocol::{EvidenceQuery, ExportFormat, Source};

const HEADER: &str = "\"Date (UTC)\",\"Request ID\",\"User agent\",\"Correlation ID\",\"User ID\",\"User\",\"Username\",\"User type\",\"Application\",\"Application ID \",\"Resource\",\"IP address\",\"Location\",\"Status\",\"Sign-in error code\",\"Failure reason\",\"Client app\"";

fn row(i: usize, user: &str, client: &str, agent: &str) -> String {
    let secs = i as i64 * 20;
    let t = Timestamp(Timestamp::parse("2026-10-01T00:00:00Z").unwrap().0 + secs * 1000).to_rfc3339();
    format!(
        "\"{t}\",\"5b1c0000-aaaa-4bbb-8ccc-{i:012x}\",\"{agent}\",\"6b1c0000-aaaa-4bbb-8ccc-{i:012x}\",\"u\",\"{user}\",\"{user}\",\"Member\",\"Office 365 Exchange Online\",\"00000002-0000-0ff1-ce00-000000000000\",\"Office 365 Exchange Online\",\"198.51.{}.{}\",\"Seattle, Washington, US\",\"Success\",\"\",\"\",\"{client}\"",
        (i >> 8) & 255,
        i & 255
    )
}

fn engine_with(rows: &[String]) -> Engine {
    let mut text = String::from(HEADER);
    for r in rows {
        text.push_str("\r\n");
        text.push_str(r);
    }
    text.push_str("\r\n");
    let mut e = Engine::new();
    e.begin_file("InteractiveSignIns_2026-10-01_2026-10-31.csv");
    // Feed in uneven chunks, as the worker's slices would.
    for chunk in text.as_bytes().chunks(7_919) {
        e.feed(chunk);
    }
    e.end_file();
    e
}

fn now() -> Timestamp {
    Timestamp::parse("2026-11-01T00:00:00Z").unwrap()
}

fn query(finding: u32) -> EvidenceQuery {
    EvidenceQuery { seq: 1, source: Source::Finding(finding), offset: 0, limit: 50, ..Default::default() }
}

#[test]
fn report_view_and_evidence_pages() {
    let mut rows: Vec<String> = (0..400).map(|i| row(i, "printer@contoso.com", "IMAP4", &format!("scanner {i}"))).collect();
    rows.push(row(5000, "alice@contoso.com", "Browser", "<img src=x onerror=alert(1)>"));
    let mut e = engine_with(&rows);
    let view = e.analyze(&Settings::default(), now()).unwrap();
    assert_eq!(view.verdict.signins, 401);
    assert_eq!(view.inputs.len(), 1);
    assert_eq!(view.inputs[0].records, 401);
    let i = view.findings.iter().position(|f| f.check == "SIGN-LEGACY-AUTH").expect("legacy finding") as u32;
    assert_eq!(view.findings[i as usize].evidence, 400);
    assert!(view.coverage.iter().any(|c| c.status == "evaluated"));
    assert_eq!(view.stats.as_ref().unwrap().signins, 401);

    let d = e.detail(i).unwrap();
    assert!(d.doc.contains("## Why it matters"));
    assert_eq!(d.columns[0], "Time (UTC)");
    assert_eq!(&d.columns[d.columns.len() - 3..], ["ID", "Input", "Line"]);
    assert_eq!(d.timeline.bins.iter().map(|b| *b as usize).sum::<usize>(), 400);
    assert_eq!(d.timeline.points.len(), 400);

    // A page: the first rows, in time order.
    let p = e.evidence(&query(i)).unwrap();
    assert_eq!((p.total, p.matching, p.offset, p.rows.len()), (400, 400, 0, 50));
    assert_eq!(p.rows[0].cells[0], "2026-10-01 00:00:00");
    // Sorted by time, descending; a page near the end.
    let last_line = d.columns.len() - 1;
    let p = e.evidence(&EvidenceQuery { sort: Some(0), descending: true, offset: 390, limit: 50, ..query(i) }).unwrap();
    assert_eq!(p.rows.len(), 10);
    assert_eq!(p.rows[9].cells[0], "2026-10-01 00:00:00");
    // Sorted by line number as a number, not as text.
    let p = e.evidence(&EvidenceQuery { sort: Some(last_line), ..query(i) }).unwrap();
    let lines: Vec<u64> = p.rows.iter().map(|r| r.cells[last_line].parse().unwrap()).collect();
    assert!(lines.windows(2).all(|w| w[0] < w[1]), "{lines:?}");
    // Search over every column and a column filter.
    let p = e.evidence(&EvidenceQuery { search: "198.51.1.14".into(), ..query(i) }).unwrap();
    assert_eq!(p.matching, 5, "198.51.1.14 and 198.51.1.140..143");
    let p = e.evidence(&EvidenceQuery { filters: vec![(last_line, "399".into())], ..query(i) }).unwrap();
    assert_eq!(p.matching, 1, "line 399 only");
    // Out of range asks answer empty, never panic.
    let p = e.evidence(&EvidenceQuery { offset: 999_999, sort: Some(99), filters: vec![(99, "x".into())], ..query(i) }).unwrap();
    assert!(p.rows.is_empty());
    assert!(e.evidence(&query(999)).is_none());

    // The record behind a row: every field of the sign-in.
    let rec = e.record(Source::Finding(i), 0).unwrap();
    assert!(rec.title.starts_with("Sign-in"));
    assert!(rec.fields.iter().any(|(k, v)| k.contains("clientApp") && v == "IMAP4"), "{:?}", rec.fields);
    assert_eq!(rec.fields.iter().filter(|(k, _)| k == "source.line").count(), 1);
    assert!(e.record(Source::Finding(i), 999_999).is_none());
    assert!(e.record(Source::SignIns, 401).is_none());
    let alice = e.record(Source::SignIns, 400).unwrap();
    assert!(alice.fields.iter().any(|(_, v)| v == "<img src=x onerror=alert(1)>"), "values kept as data");

    // Exports come from the analysis crate's renderers.
    let json: serde_json::Value = serde_json::from_str(&e.export(ExportFormat::Json).unwrap()).unwrap();
    assert_eq!(json["tool"]["name"], "entrascope");
    assert!(
        e.export(ExportFormat::Html).unwrap().contains("<!DOCTYPE html>")
            || e.export(ExportFormat::Html).unwrap().contains("<!doctype html>")
    );
    assert!(e.export(ExportFormat::Csv).unwrap().starts_with("check,"));
    assert!(e.export(ExportFormat::Sarif).unwrap().contains("2.1.0"));
}

/// The sign-in table: every sign-in read, paged like evidence. At
/// 100,000 rows a page stays a page.
#[test]
fn signin_table_pages_through_100k_rows() {
    let rows: Vec<String> = (0..100_000)
        .map(|i| row(i, &format!("user{}@contoso.com", i % 977), if i % 10 == 0 { "IMAP4" } else { "Browser" }, "ua"))
        .collect();
    let mut e = engine_with(&rows);
    let view = e.analyze(&Settings::default(), now()).unwrap();
    assert_eq!(view.verdict.signins, 100_000);
    let q = EvidenceQuery { seq: 1, source: Source::SignIns, offset: 99_990, limit: 50, ..Default::default() };
    let p = e.evidence(&q).unwrap();
    assert_eq!((p.total, p.matching, p.rows.len()), (100_000, 100_000, 10));
    // Sorted by user (text), then filtered by client app.
    let p = e.evidence(&EvidenceQuery { sort: Some(1), offset: 0, ..q.clone() }).unwrap();
    assert_eq!(p.rows[0].cells[1], "user0@contoso.com");
    let p = e.evidence(&EvidenceQuery { filters: vec![(7, "imap".into())], offset: 0, ..q.clone() }).unwrap();
    assert_eq!(p.matching, 10_000);
    // Pages are bounded, whatever is asked.
    let p = e.evidence(&EvidenceQuery { limit: 1_000_000, offset: 0, ..q }).unwrap();
    assert_eq!(p.rows.len(), MAX_PAGE as usize);
}

#[test]
fn settings_rerun_without_rereading() {
    let rows: Vec<String> = (0..3).map(|i| row(i, "bob@contoso.com", "IMAP4", "x")).collect();
    let mut e = engine_with(&rows);
    let a = e.analyze(&Settings::default(), now()).unwrap();
    let sev = |v: &entrascope_web::protocol::ReportView| {
        v.findings.iter().find(|f| f.check == "SIGN-LEGACY-AUTH").map(|f| f.severity.clone())
    };
    assert_eq!(sev(&a).as_deref(), Some("medium"));
    let s = parse_settings(r#"{"legacy_authentication_blocked": true, "typo": 1}"#).unwrap();
    assert_eq!(s.warnings.len(), 1);
    let b = e.analyze(&s.settings, now()).unwrap();
    assert_eq!(sev(&b).as_deref(), Some("high"));
    assert_eq!(b.verdict.signins, 3);
    // Invalid settings are refused with the key named.
    assert!(parse_settings(r#"{"trusted_networks": ["300.1.1.0/24"]}"#).unwrap_err().contains("trusted_networks"));
    let bad = Settings { operating_countries: vec!["USA".into()], ..Default::default() };
    assert!(e.analyze(&bad, now()).unwrap_err().contains("operating_countries"));
}

#[test]
fn nothing_read_is_an_error_not_a_panic() {
    let mut e = Engine::new();
    assert!(e.analyze(&Settings::default(), now()).is_err());
    assert!(e.detail(0).is_none());
    assert!(e.export(ExportFormat::Json).is_none());
}

/// The demo tenant as the "Try the demo" button loads it: every file in
/// web/demo that `web/demo-manifest.sh` lists (not README*, not the
/// generator's settings.json and labels.json), with its relative path, and
/// the demo's settings.json as the settings. Connect rules come out in plain
/// words.
#[test]
fn demo_tenant_reads_and_shows_connect() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("demo");
    let not_input =
        |rel: &str| rel.rsplit('/').next().unwrap().starts_with("README") || rel == "settings.json" || rel == "labels.json";
    let mut files = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
                if !not_input(&rel) {
                    files.push(rel);
                }
            }
        }
    }
    files.sort();
    let mut e = Engine::new();
    for rel in &files {
        e.begin_file(&format!("demo/{rel}"));
        e.feed(&std::fs::read(root.join(rel)).unwrap());
        e.end_file();
    }
    let settings = parse_settings(&std::fs::read_to_string(root.join("settings.json")).unwrap()).unwrap();
    assert!(settings.warnings.is_empty(), "{:?}", settings.warnings);
    assert!(!settings.settings.break_glass_accounts.is_empty());
    let view = e.analyze(&settings.settings, now()).unwrap();
    assert!(view.verdict.signins > 0 && view.verdict.audits > 0, "{:?}", view.verdict);
    assert!(view.findings.iter().any(|f| f.check == "SIGN-LEGACY-AUTH"));
    // Found only because the settings name the break-glass accounts.
    assert!(view.findings.iter().any(|f| f.check == "PA-BREAK-GLASS-SIGNIN"));
    let connect = view.connect.expect("the demo has a Connect configuration");
    assert_eq!(connect.configs.len(), 1);
    assert!(!connect.configs[0].rules.is_empty());
    assert!(connect.configs[0].rules.iter().any(|r| !r.scope.is_empty()), "scoping in words");
}
