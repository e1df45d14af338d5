//! The writers against the verbatim headers and real parsers.

use entrascope_core::Timestamp;
use entrascope_gen::formats::loganalytics::{csv_header, USER_SIGNIN_COLUMNS};
use entrascope_gen::formats::portal_csv::{PortalAuditCsv, PortalSignInCsv, SignInLayout};
use entrascope_gen::formats::{render, write_format, ExportContext, Format, Logs, MemorySink};
use entrascope_gen::model::*;

fn verbatim(text: &str) -> &str {
    text.trim_end_matches(['\r', '\n'])
}

#[test]
fn sign_in_headers_are_the_verbatim_portal_headers() {
    let cases = [
        (SignInLayout::V2025_01, include_str!("../data/portal_InteractiveSignIns_header_2025-01_onward.csv"), 57),
        (SignInLayout::V2024_11, include_str!("../data/portal_InteractiveSignIns_header_2024-11.csv"), 55),
        (SignInLayout::V2024_10, include_str!("../data/portal_InteractiveSignIns_header_2024-10.csv"), 54),
    ];
    for (layout, expected, n) in cases {
        let w = PortalSignInCsv::new(layout);
        assert_eq!(w.header_line(), verbatim(expected), "{layout:?}");
        assert_eq!(w.column_count(), n);
    }
    // The traps survive: trailing spaces, double space, duplicate column.
    let h = PortalSignInCsv::new(SignInLayout::V2025_01).header_line();
    assert!(h.contains("\"Application ID \"") && h.contains("\"Resource ID \""));
    assert!(h.contains("\"Autonomous system  number\""));
    assert_eq!(h.matches("\"Incoming token type\"").count(), 2);
}

#[test]
fn application_header_is_the_documented_one_quoted() {
    let doc = verbatim(include_str!("../data/portal_ApplicationSignIns_header_2025-12_as_documented.csv"));
    let quoted: Vec<String> = doc.split(',').map(|c| format!("\"{c}\"")).collect();
    assert_eq!(PortalSignInCsv::new(SignInLayout::Application).header_line(), quoted.join(","));
    let msi = PortalSignInCsv::new(SignInLayout::ManagedIdentity).header_line();
    assert!(msi.starts_with(&quoted.join(",")));
    assert!(
        msi.ends_with("\"Managed Identity type\",\"Associated Resource Id\",\"Federated Token Id\",\"Federated Token Issuer\"")
    );
}

#[test]
fn audit_and_log_analytics_headers_are_verbatim() {
    assert_eq!(PortalAuditCsv::header_line(), verbatim(include_str!("../data/portal_AuditLogs_header_2025-02_onward.csv")));
    assert_eq!(PortalAuditCsv::column_names().len(), 86);
    assert_eq!(
        csv_header(USER_SIGNIN_COLUMNS),
        verbatim(include_str!("../data/loganalytics_SigninLogs_csv_export_header_2023-09.csv"))
    );
}

fn t(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}

/// A sign-in whose values need every kind of escaping.
fn nasty_signin() -> SignInEvent {
    let mut e = SignInEvent::blank(SignInKind::Interactive, t("2025-10-14T07:05:09Z"));
    e.request_id = "5b1c0000-aaaa-4bbb-8ccc-0123456789ab".into();
    e.correlation_id = "6c1c0000-aaaa-4bbb-8ccc-0123456789ab".into();
    e.session_id = "7d1c0000-aaaa-4bbb-8ccc-0123456789ab".into();
    e.user_id = "8e1c0000-aaaa-4bbb-8ccc-0123456789ab".into();
    e.upn = "robert.tables@contoso.com".into();
    e.user_display = "Robert \"Bobby\" Tables, Jr.".into();
    e.user_type = "member".into();
    e.app_name = "Helper <script>alert(1)</script>".into();
    e.app_id = "9f1c0000-aaaa-4bbb-8ccc-0123456789ab".into();
    e.ip = "2001:db8::7".into();
    e.city = "Frankfurt am Main".into();
    e.state = "Hessen".into();
    e.country = "DE".into();
    e.latitude = 50.1109;
    e.longitude = 8.682;
    e.user_agent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)".into();
    e.set_result(500121, "Authentication failed during strong authentication request.\nSecond line");
    e.status_detail = "MFA denied; user declined the authentication".into();
    e.mfa_result = e.status_detail.clone();
    e.auth_requirement = "multiFactorAuthentication".into();
    e.device_name = "=HYPERLINK(\"http://x\")".into();
    e.compliant = Some(false);
    e.asn = 3320;
    e.auth_steps = vec![
        AuthStep {
            time: e.time,
            method: "Password".into(),
            method_detail: "Password in the cloud".into(),
            succeeded: true,
            result_detail: "Correct password".into(),
            requirement: "Primary authentication".into(),
        },
        AuthStep {
            time: e.time,
            method: "Mobile app notification".into(),
            method_detail: String::new(),
            succeeded: false,
            result_detail: "MFA denied; user declined the authentication".into(),
            requirement: "Secondary authentication".into(),
        },
    ];
    e
}

fn nasty_audit() -> AuditEvent {
    let mut targets = Vec::new();
    for n in 0..4 {
        targets.push(AuditTarget {
            kind: "Group".into(),
            id: format!("00000000-0000-4000-8000-00000000000{n}"),
            display: format!("Group, \"{n}\""),
            upn: String::new(),
            modified: (0..7)
                .map(|m| ModifiedProperty::new(&format!("P{m}"), "[]", &format!("[\"line1\\nline2 {m}\"]\nreal newline")))
                .collect(),
        });
    }
    AuditEvent {
        id: "Directory_11111111-2222-4333-8444-555555555555_ABCDE_12345678".into(),
        correlation_id: "11111111-2222-4333-8444-555555555555".into(),
        time: t("2025-10-14T07:05:09Z"),
        category: "GroupManagement".into(),
        activity: "Update group".into(),
        service: "Core Directory".into(),
        operation_type: "Update".into(),
        result: "success".into(),
        result_reason: String::new(),
        initiator: Initiator::User {
            id: "u1".into(),
            upn: "adm-x@contoso.com".into(),
            display: "Adm, X".into(),
            ip: "198.51.100.7".into(),
        },
        targets,
        additional_details: (0..8).map(|n| (format!("K{n}"), format!("v,{n}"))).collect(),
        user_agent: "UA \"quoted\"".into(),
    }
}

fn csv_rows(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::ReaderBuilder::new().has_headers(true).from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r.records().map(|rec| rec.unwrap().iter().map(str::to_string).collect()).collect();
    (headers, rows)
}

fn col<'a>(headers: &[String], row: &'a [String], name: &str) -> &'a str {
    let i = headers.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"));
    &row[i]
}

#[test]
fn portal_signin_csv_round_trips_through_a_real_csv_parser() {
    let e = nasty_signin();
    for layout in [SignInLayout::V2025_01, SignInLayout::V2024_11, SignInLayout::V2024_10] {
        let text = render(&mut PortalSignInCsv::new(layout), [&e]);
        let (h, rows) = csv_rows(&text);
        assert_eq!(rows.len(), 1);
        let row = &rows[0];
        assert_eq!(row.len(), h.len());
        assert_eq!(col(&h, row, "Request ID"), e.request_id);
        assert_eq!(col(&h, row, "User"), e.user_display);
        assert_eq!(col(&h, row, "Application"), e.app_name);
        assert_eq!(col(&h, row, "Failure reason"), e.failure_reason);
        assert_eq!(col(&h, row, "Location"), "Frankfurt am Main, Hessen, DE");
        assert_eq!(col(&h, row, "Status"), "Failure");
        assert_eq!(col(&h, row, "Sign-in error code"), "500121");
        assert_eq!(col(&h, row, "Authentication requirement"), "Multifactor authentication");
        assert_eq!(col(&h, row, "Conditional Access"), "Not Applied");
        assert_eq!(col(&h, row, "Multifactor authentication result"), e.mfa_result);
        assert_eq!(col(&h, row, "Date (UTC)"), "2025-10-14T07:05:09Z");
        assert_eq!(col(&h, row, "Autonomous system  number"), "3320");
        // Written verbatim: the generator emulates the portal, it does not neutralize formulas.
        assert_eq!(col(&h, row, "Device ID"), "");
        let both: Vec<&String> = h.iter().zip(row).filter(|(n, _)| *n == "Incoming token type").map(|(_, v)| v).collect();
        assert_eq!(both, ["None", "None"]);
        assert_eq!(h.iter().any(|n| n == "Session ID"), layout != SignInLayout::V2024_10);
    }
}

#[test]
fn auth_details_csv_has_one_row_per_step() {
    let e = nasty_signin();
    let text = render(&mut entrascope_gen::formats::portal_csv::PortalAuthDetailsCsv, [&e]);
    let (h, rows) = csv_rows(&text);
    assert_eq!(rows.len(), 2);
    assert_eq!(col(&h, &rows[1], "Request ID"), e.request_id);
    assert_eq!(col(&h, &rows[1], "Result detail"), "MFA denied; user declined the authentication");
    assert_eq!(col(&h, &rows[1], "Succeeded"), "False");
    assert_eq!(col(&h, &rows[0], "Requirement"), "Primary authentication");
}

#[test]
fn audit_csv_truncates_to_three_targets_five_properties_six_details() {
    let a = nasty_audit();
    let text = render(&mut PortalAuditCsv, [&a]);
    let (h, rows) = csv_rows(&text);
    let row = &rows[0];
    assert_eq!(row.len(), 86);
    assert_eq!(col(&h, row, "CorrelationId"), a.correlation_id);
    assert_eq!(col(&h, row, "Result"), "Success");
    assert_eq!(col(&h, row, "User Agent"), "UA \"quoted\"");
    assert_eq!(col(&h, row, "ActorDisplayName"), "Adm, X");
    assert_eq!(col(&h, row, "Target3DisplayName"), "Group, \"2\"");
    assert_eq!(col(&h, row, "Target2ModifiedProperty5NewValue"), a.targets[1].modified[4].new);
    assert_eq!(col(&h, row, "AdditionalDetail6Value"), "v,5");
    assert!(!text.contains("Group, \"\"3\"\""), "the fourth target is not exported");
}

#[test]
fn every_format_writes_parseable_files_with_the_same_records() {
    let mut e2 = nasty_signin();
    e2.kind = SignInKind::NonInteractive;
    e2.request_id = "5b1c0000-aaaa-4bbb-8ccc-0123456789ac".into();
    let logs = Logs { signins: vec![nasty_signin(), e2], audits: vec![nasty_audit()] };
    let ctx = ExportContext {
        tenant_id: "aaaaaaaa-0000-4000-8000-000000000001".into(),
        workspace_id: "bbbbbbbb-0000-4000-8000-000000000002".into(),
        from: t("2025-10-01T00:00:00Z"),
        to: t("2025-10-31T00:00:00Z"),
    };
    for format in Format::ALL {
        let mut sink = MemorySink::default();
        write_format(format, &logs, &ctx, &mut sink).unwrap();
        assert!(sink.files.len() >= 3, "{format:?}");
        let all = sink.files.iter().map(|(_, b)| String::from_utf8(b.clone()).unwrap()).collect::<Vec<_>>().join("\n");
        for id in [&logs.signins[0].request_id, &logs.signins[1].request_id, &logs.audits[0].correlation_id] {
            assert!(all.contains(id.as_str()), "{format:?} lacks {id}");
        }
        for (name, bytes) in &sink.files {
            let text = std::str::from_utf8(bytes).unwrap().trim_start_matches('\u{feff}');
            if name.ends_with(".json") {
                // Every JSON file is a sequence of JSON values (arrays, objects or lines).
                let mut n = 0;
                for v in serde_json::Deserializer::from_str(text).into_iter::<serde_json::Value>() {
                    v.unwrap_or_else(|e| panic!("{format:?} {name}: {e}"));
                    n += 1;
                }
                assert!(n >= 1, "{format:?} {name}");
            } else {
                let (h, rows) = csv_rows(text);
                assert!(rows.iter().all(|r| r.len() == h.len()), "{format:?} {name}");
            }
        }
    }
}

#[test]
fn assign_from_makes_an_equal_event() {
    let src = nasty_signin();
    let mut dst = SignInEvent::blank(SignInKind::ManagedIdentity, t("2020-01-01T00:00:00Z"));
    dst.ca_policies.push(CaPolicy::default());
    dst.assign_from(&src);
    assert_eq!(dst, src);
}
