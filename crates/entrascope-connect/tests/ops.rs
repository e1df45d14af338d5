//! Run history (SYNC-DELTA-CYCLE-SLOW) and sync-error exports (SYNC-ERRORS-STALE).

mod common;

use common::*;
use entrascope_connect::*;
use entrascope_core::Timestamp;

const CONNECTORS: [&str; 2] = ["contoso.com", "contoso.onmicrosoft.com - AAD"];

/// `M/d/yyyy h:mm:ss AM/PM`, as en-US `Export-Csv` writes dates.
fn us_date(t: Timestamp) -> String {
    let (y, mo, d, h, mi, s, _) = t.civil();
    let (h12, ampm) = match h {
        0 => (12, "AM"),
        1..=11 => (h, "AM"),
        12 => (12, "PM"),
        _ => (h - 12, "PM"),
    };
    format!("{mo}/{d}/{y} {h12}:{mi:02}:{s:02} {ampm}")
}

/// A run-history CSV: one cycle every 30 minutes from 2026-11-10 (or one minute after the previous
/// cycle ends, when it overruns), each lasting the given minutes. A cycle runs Delta Import, Delta
/// Synchronization and Export on both connectors, in that order.
fn history(cycle_minutes: &[u32], full_first: bool) -> String {
    let mut csv = String::from(
        "\"RunNumber\",\"RunHistoryId\",\"ConnectorName\",\"RunProfileName\",\"Result\",\"StartDate\",\"EndDate\"\r\n",
    );
    let base = Timestamp::parse("2026-11-10T00:00:00Z").unwrap().0;
    let mut n = 1000;
    let mut prev_end = 0;
    for (i, minutes) in cycle_minutes.iter().enumerate() {
        let start = (base + i as i64 * 30 * 60_000).max(prev_end + 60_000);
        let step = *minutes as i64 * 60_000 / 6;
        let profiles = if full_first && i == 0 {
            ["Full Import", "Full Synchronization", "Export"]
        } else {
            ["Delta Import", "Delta Synchronization", "Export"]
        };
        let mut t = start;
        for p in profiles {
            for c in CONNECTORS {
                n += 1;
                csv.push_str(&format!(
                    "\"{n}\",\"00000000-0000-0000-0000-{n:012}\",\"{c}\",\"{p}\",\"success\",\"{}\",\"{}\"\r\n",
                    us_date(Timestamp(t)),
                    us_date(Timestamp(t + step))
                ));
                t += step;
            }
        }
        prev_end = t;
    }
    csv
}

fn run_history(csv: &str) -> (ConnectData, Vec<entrascope_core::Finding>) {
    let mut c = Collector::new();
    assert_eq!(c.add("diag/CONTOSO-SYNC01_Get-ADSyncRunProfileResult.csv", csv.as_bytes()), Ok(ConnectKind::RunHistoryCsv));
    let data = c.finish();
    let (findings, _) = run(&data, now());
    (data, findings)
}

#[test]
fn slow_delta_cycles_fire() {
    let mut minutes = vec![12u32; 10];
    minutes.extend([45, 50, 40]);
    minutes.extend(vec![20u32; 5]);
    // 18 cycles; 3 over 30 minutes: the 95th percentile (nearest rank: 18th of 18) is 50 minutes.
    let (data, findings) = run_history(&history(&minutes, false));
    assert_eq!(data.run_histories[0].runs.len(), 18 * 6);
    assert!(data.problems.is_empty(), "{:?}", data.problems);
    assert_eq!(findings.len(), 1);
    let f = &findings[0];
    assert_eq!(f.check, "SYNC-DELTA-CYCLE-SLOW");
    assert!(f.summary.contains("take 50 minutes at the 95th percentile (3 of 18 delta cycles over 30 minutes)"), "{}", f.summary);
    assert_eq!(f.evidence.len(), 3);
    let e = &f.evidence[0];
    assert_eq!(e.field("minutes"), Some("45.0"));
    assert_eq!(e.field("runs"), Some("6"));
    assert_eq!(e.field("connectors"), Some("contoso.com, contoso.onmicrosoft.com - AAD"));
    assert_eq!(e.time, Timestamp::parse("2026-11-10T05:00:00Z"));
    assert_eq!(f.evidence[1].time, Timestamp::parse("2026-11-10T05:46:00Z"), "the overrunning cycle delays the next one");
    // Line of the cycle's first run: header + 10 cycles of 6 rows + 1.
    assert_eq!(e.line, 62);
    assert_eq!(e.id, "00000000-0000-0000-0000-000000001061");
    assert_eq!(f.first_seen, Timestamp::parse("2026-11-10T05:00:00Z"));
}

#[test]
fn back_to_back_cycles_are_told_apart() {
    // 29-minute cycles every 30 minutes: one minute between them, still separate cycles.
    let (_, findings) = run_history(&history(&[29; 20], false));
    assert!(findings.is_empty(), "{findings:?}");
}

#[test]
fn one_slow_cycle_is_not_a_trend() {
    let mut minutes = vec![10u32; 25];
    minutes[7] = 55;
    let (_, findings) = run_history(&history(&minutes, false));
    assert!(findings.is_empty(), "{findings:?}");
}

#[test]
fn full_synchronization_cycles_are_left_out() {
    let (_, findings) = run_history(&history(&[240, 10, 10, 10], true));
    assert!(findings.is_empty(), "{findings:?}");
}

#[test]
fn bad_rows_are_reported_and_the_rest_kept() {
    let mut csv = history(&[45; 4], false);
    csv.push_str("\"9999\",\"x\",\"contoso.com\",\"Export\",\"success\",\"not a date\",\"\"\r\n");
    let (data, findings) = run_history(&csv);
    assert_eq!(data.run_histories[0].runs.len(), 24);
    assert_eq!(data.problems.len(), 1);
    assert_eq!((data.problems[0].line, data.problems[0].level), (26, Level::Rejected));
    assert_eq!(findings.len(), 1);
}

fn csexport(errors: &[(&str, &str, &str)]) -> String {
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-16\" ?>\r\n<cs-objects>\r\n");
    for (dn, first, last) in errors {
        x.push_str(&format!(
            " <cs-object cs-dn=\"{dn}\" id=\"{{{}}}\" object-type=\"user\">\r\n  <export-errordetail first-occurred=\"{first}\" date-occurred=\"{last}\" retry-count=\"12\" error-type=\"AttributeValueMustBeUnique\">\r\n   <export-status><cd-error><error-code>0x8023134a</error-code><error-literal>AttributeValueMustBeUnique</error-literal></cd-error></export-status>\r\n  </export-errordetail>\r\n </cs-object>\r\n",
            dn.len()
        ));
    }
    x.push_str("</cs-objects>\r\n");
    x
}

fn utf16(s: &str) -> Vec<u8> {
    [0xFF, 0xFE].into_iter().chain(s.encode_utf16().flat_map(|u| u.to_le_bytes())).collect()
}

#[test]
fn stale_csexport_errors_fire() {
    let xml = csexport(&[
        ("CN={OLD}", "2026-03-01 10:00:00.000", "2026-11-20 10:00:00.000"),
        ("CN={RECENT}", "2026-10-01 10:00:00.000", "2026-11-20 10:00:00.000"),
        ("CN={EDGE}", "2026-08-13 00:00:00.000", "2026-11-20 10:00:00.000"),
    ]);
    let mut c = Collector::new();
    // csexport writes UTF-16.
    assert_eq!(c.add("errors/contoso.com-export-errors.xml", &utf16(&xml)), Ok(ConnectKind::CsExportErrors));
    let data = c.finish();
    assert_eq!(data.error_sets[0].errors.len(), 3);
    let (findings, _) = run(&data, now());
    assert_eq!(findings.len(), 1);
    let f = &findings[0];
    assert_eq!(f.check, "SYNC-ERRORS-STALE");
    // 2026-08-13 is exactly 100 days before 2026-11-21: not older than 100 days.
    assert_eq!(f.evidence.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(), ["CN={OLD}"]);
    assert_eq!(f.evidence[0].field("age (days)"), Some("264"));
    assert_eq!(f.evidence[0].field("since"), Some("2026-03-01"));
    assert_eq!(f.evidence[0].line, 4);
    assert!(f.summary.starts_with("1 of 3 sync errors"), "{}", f.summary);
    // Near miss: the same export judged at an earlier --now.
    let (findings, _) = run(&data, Timestamp::parse("2026-06-01T00:00:00Z").unwrap());
    assert!(findings.is_empty());
}

#[test]
fn stale_graph_errors_fire() {
    let j = r#"{"value":[
      {"id":"1","userPrincipalName":"old@contoso.com","onPremisesProvisioningErrors":[{"category":"PropertyConflict","occurredDateTime":"2025-12-01T00:00:00Z","propertyCausingError":"UserPrincipalName","value":"old@contoso.com"}]},
      {"id":"2","userPrincipalName":"new@contoso.com","onPremisesProvisioningErrors":[{"category":"PropertyConflict","occurredDateTime":"2026-11-01T00:00:00Z","propertyCausingError":"ProxyAddress","value":"smtp:new@contoso.com"}]},
      {"id":"3","userPrincipalName":"fine@contoso.com","onPremisesProvisioningErrors":[]}
    ]}"#;
    let mut c = Collector::new();
    assert_eq!(c.add("graph-users.json", j.as_bytes()), Ok(ConnectKind::GraphProvisioningErrors));
    let data = c.finish();
    let (findings, _) = run(&data, now());
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].evidence.len(), 1);
    assert_eq!(findings[0].evidence[0].id, "old@contoso.com");
    assert_eq!(findings[0].evidence[0].field("error"), Some("PropertyConflict on UserPrincipalName"));
}

#[test]
fn availability_reflects_the_inputs() {
    let mut c = Collector::new();
    for (p, b) in sample("prod") {
        c.add(&p, &b).unwrap();
    }
    c.add("h.csv", history(&[10], false).as_bytes()).unwrap();
    let data = c.finish();
    let mut avail = entrascope_core::Availability::default();
    fill_availability(&data, &mut avail);
    assert_eq!((avail.connect_configs, avail.connect_run_history, avail.connect_errors), (1, true, false));
}
