//! Real public samples (tests/data/README.md) read end to end.

use entrascope_logs::*;

fn data(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn read(name: &str) -> (Dataset, InputInfo) {
    let mut ing = Ingest::new();
    let idx = ing.read_all(name, &data(name));
    let info = ing.dataset().inputs[idx as usize].clone();
    (ing.finish(), info)
}

#[test]
fn graph_signin_page_with_trailing_comma() {
    let (ds, info) = read("signIns_list_v1.0_docs_example1.json");
    assert_eq!(info.error, None);
    assert_eq!(info.format, Format::GraphJson);
    assert_eq!(info.kind, InputKind::SignInInteractive);
    assert_eq!((info.records, info.rejected_total), (1, 0));
    assert!(info.warnings.iter().any(|w| w.contains("trailing comma")), "{:?}", info.warnings);
    let s = &ds.signins[0];
    assert_eq!(s.time.to_rfc3339(), "2020-03-13T19:15:41.619Z");
    assert_eq!(ds.str(s.upn), "testaccount1@contoso.com");
    assert_eq!(s.request_id.render(&ds.strings), "66ea54eb-6301-4ee5-be62-ff5a759b0100");
    assert_eq!((ds.str(s.city), ds.str(s.state), ds.str(s.country)), ("Redmond", "Washington", "US"));
    assert!((s.latitude - 47.6805).abs() < 0.001 && (s.longitude + 122.1209).abs() < 0.001);
    assert_eq!(s.outcome, Outcome::Success);
    assert_eq!(s.ca_status, CaStatus::NotApplied);
    assert_eq!(ds.ca_policies(s).len(), 2);
    assert_eq!(ds.str(ds.ca_policies(s)[1].name), "Medium signin risk block");
    assert_eq!(ds.str(ds.ca_policies(s)[1].result), "notEnabled");
    assert_eq!(ds.str(s.os), "Windows 10");
    assert_eq!(ds.str(s.client_app), "Browser");
    assert_eq!(ds.str(s.risk_level_during), "none");
}

#[test]
fn graph_audit_page() {
    let (ds, info) = read("directoryAudits_list_v1.0_docs_example2.json");
    assert_eq!((info.format, info.kind, info.records, info.rejected_total), (Format::GraphJson, InputKind::Audit, 1, 0));
    let a = &ds.audits[0];
    assert_eq!(ds.str(a.activity), "GroupLifecyclePolicies_Get");
    assert_eq!(ds.str(a.service), "Self-service Group Management");
    assert_eq!(a.result, AuditResult::Success);
    assert_eq!(a.initiator.kind, ActorKind::User);
    assert_eq!(ds.str(a.initiator.ip), "10.0.0.0");
    assert_eq!(ds.targets(a).len(), 1);
    assert_eq!(ds.str(ds.targets(a)[0].kind), "N/A");
    assert_eq!(a.id.render(&ds.strings), "SSGM_b662f17a-4e4d-4e1c-9248-cdec180024b2_MCDC4_88453290");
}

#[test]
fn log_analytics_audit_ndjson_with_json_strings() {
    let (ds, info) = read("AADAuditEvents.json");
    assert_eq!(
        (info.format, info.kind, info.records, info.rejected_total),
        (Format::LoganalyticsJson, InputKind::Audit, 4, 0),
        "{:?}",
        info.rejected
    );
    let a = ds.audits.iter().find(|a| a.src.line == 1).unwrap();
    assert_eq!(a.initiator.kind, ActorKind::User);
    assert_eq!(ds.str(a.initiator.upn), "pgustavo@simulandlabs.com");
    let t = &ds.targets(a)[0];
    assert_eq!(ds.str(t.kind), "Application");
    assert_eq!(ds.str(t.display), "SimuLandApp");
    let props = ds.modified(t);
    assert_eq!(ds.str(props[0].name), "KeyDescription");
    assert!(ds.str(props[0].new).contains("KeyIdentifier=59eaeebc"));
    assert_eq!(ds.str(a.category), "ApplicationManagement");
    assert_eq!(ds.str(a.operation_type), "Update");
    assert!(ds.str(a.user_agent).contains("WindowsPowerShell"));
    assert_eq!(ds.detail(a, "user-agent").map(|s| s.contains("PowerShell")), Some(true));
    // NDJSON records are cited by line.
    let mut lines: Vec<u32> = ds.audits.iter().map(|a| a.src.line).collect();
    lines.sort();
    assert_eq!(lines, vec![1, 2, 3, 4]);
}

#[test]
fn panther_normalized_diagnostic_records() {
    let (ds, info) = read("panther_azure_audit_test_events.jsonl");
    assert_eq!(info.format, Format::AzureMonitorJson);
    // Every row is read or rejected with a reason; the Panther rows are diagnostic records.
    assert_eq!(info.records + info.rejected_total, 47);
    assert_eq!(info.rejected_total, 0, "{:?}", info.rejected);
    let by_kind = |k: SignInKind| ds.signins.iter().filter(|s| s.kind == k).count();
    assert_eq!(by_kind(SignInKind::ServicePrincipal), 8);
    assert_eq!(by_kind(SignInKind::NonInteractive), 3);
    assert_eq!(by_kind(SignInKind::Interactive), 15);
    assert_eq!(ds.audits.len(), 21);
    assert_eq!(info.kind, InputKind::SignInMixed);
    // "2025-01-15 14:20:35.456"-style times are read.
    assert!(ds.audits.iter().any(|a| a.time.to_rfc3339() == "2025-01-15T14:20:35.456Z"));
}

#[test]
fn every_portal_header_version_is_recognized() {
    for (name, kind) in [
        ("portal_InteractiveSignIns_header_2024-04_INFERRED.csv", InputKind::SignInInteractive),
        ("portal_InteractiveSignIns_header_2024-10.csv", InputKind::SignInInteractive),
        ("portal_InteractiveSignIns_header_2024-11.csv", InputKind::SignInInteractive),
        ("portal_InteractiveSignIns_header_2025-01_onward.csv", InputKind::SignInInteractive),
        ("portal_ApplicationSignIns_header_2025-12_as_documented.csv", InputKind::SignInServicePrincipal),
        ("portal_AuditLogs_header_2025-02_onward.csv", InputKind::Audit),
    ] {
        let header = String::from_utf8(data(name)).unwrap();
        let header = header.trim_end();
        let n = header.matches(',').count() + 1;
        // One row: a date in the first column, the rest blank.
        let mut row = vec![String::new(); n];
        row[0] = "2025-12-04T08:19:41Z".into();
        if kind == InputKind::SignInServicePrincipal {
            row[3] = "11111111-2222-3333-4444-555555555555".into();
        }
        let text = format!("{header}\r\n{}\r\n", row.join(","));
        let mut ing = Ingest::new();
        let idx = ing.read_all(name, text.as_bytes());
        let info = &ing.dataset().inputs[idx as usize];
        assert_eq!(info.error, None, "{name}");
        assert_eq!((info.format, info.records, info.rejected_total), (Format::PortalCsv, 1, 0), "{name}: {:?}", info.rejected);
        assert_eq!(info.kind, kind, "{name}");
    }
}

#[test]
fn log_analytics_csv_with_the_verbatim_2023_header() {
    let header = String::from_utf8(data("loganalytics_SigninLogs_csv_export_header_2023-09.csv")).unwrap();
    let names: Vec<&str> = header.trim_end().split(',').collect();
    let row = |values: &[(&str, &str)]| -> String {
        names
            .iter()
            .map(|n| {
                values.iter().find(|(k, _)| k == n).map(|(_, v)| format!("\"{}\"", v.replace('"', "\"\""))).unwrap_or_default()
            })
            .collect::<Vec<_>>()
            .join(",")
    };
    let location = r#"{"city":"Redmond","state":"Washington","countryOrRegion":"US","geoCoordinates":{"latitude":47.68,"longitude":-122.12}}"#;
    let status = r#"{"errorCode":50126,"failureReason":"Invalid username or password."}"#;
    let text = format!(
        "{}\r\n{}\r\n{}\r\n",
        header.trim_end(),
        row(&[
            ("TimeGenerated [UTC]", "9/19/2023, 1:45:17.287 PM"),
            ("CreatedDateTime [UTC]", "9/19/2023, 1:45:16.000 PM"),
            ("Type", "SigninLogs"),
            ("Id", "11111111-2222-4333-8444-555555555555"),
            ("UserPrincipalName", "Alice@Contoso.com"),
            ("ResultType", "50126"),
            ("IsInteractive", "True"),
            ("LocationDetails", location),
            ("Location", "US"),
            ("Status", status),
            ("ConditionalAccessStatus", "notApplied"),
            ("AuthenticationRequirement", "singleFactorAuthentication"),
        ]),
        row(&[
            ("TimeGenerated [UTC]", "9/19/2023, 1:46:00.000 PM"),
            ("Type", "SigninLogs"),
            ("Id", "11111111-2222-4333-8444-555555555556"),
            ("UserPrincipalName", "bob@contoso.com"),
            ("ResultType", "0"),
        ]),
    );
    let (ds, info) = {
        let mut ing = Ingest::new();
        let idx = ing.read_all("SigninLogs.csv", text.as_bytes());
        let info = ing.dataset().inputs[idx as usize].clone();
        (ing.finish(), info)
    };
    assert_eq!(
        (info.format, info.kind, info.records, info.rejected_total),
        (Format::LoganalyticsCsv, InputKind::SignInInteractive, 2, 0),
        "{:?}",
        info.rejected
    );
    let a = &ds.signins[0];
    // CreatedDateTime is the sign-in's own time; TimeGenerated is when it was stored.
    assert_eq!(a.time.to_rfc3339(), "2023-09-19T13:45:16Z");
    assert_eq!(ds.str(a.upn), "alice@contoso.com");
    assert_eq!((a.error_code, a.outcome), (50126, Outcome::Failure));
    assert_eq!(ds.str(a.failure_reason), "Invalid username or password.");
    assert_eq!((ds.str(a.city), ds.str(a.country)), ("Redmond", "US"));
    assert!((a.latitude - 47.68).abs() < 0.01);
    assert_eq!((a.ca_status, a.auth_requirement), (CaStatus::NotApplied, AuthRequirement::SingleFactor));
    let b = &ds.signins[1];
    assert_eq!((b.time.to_rfc3339().as_str(), b.outcome), ("2023-09-19T13:46:00Z", Outcome::Success));
}
