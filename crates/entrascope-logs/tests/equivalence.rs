//! One event set written in every export format (by the generator's
//! writers, an independent implementation of the formats) reads back as the
//! same records. Fields a format does not carry are compared only among the
//! formats that do.

use entrascope_core::{Table, Timestamp};
use entrascope_gen::formats::{write_format, ExportContext, Format as GenFormat, Logs, MemorySink};
use entrascope_gen::model::{self as g, AuditTarget, Initiator, ModifiedProperty};
use entrascope_logs::*;
use serde_json::Value;

fn t(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}

fn guid(n: u32, salt: u32) -> String {
    format!("{salt:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}", n & 0xffff, n & 0xfff, salt & 0xfff, n as u64 * 7919)
}

fn signins() -> Vec<g::SignInEvent> {
    let mut out = Vec::new();
    let kinds = [
        g::SignInKind::Interactive,
        g::SignInKind::NonInteractive,
        g::SignInKind::ServicePrincipal,
        g::SignInKind::ManagedIdentity,
    ];
    let codes = [
        (0, ""),
        (50126, "Error validating credentials due to invalid username or password."),
        (50074, "Strong Authentication is required."),
        (53003, "Access has been blocked by Conditional Access policies."),
    ];
    for i in 0..24u32 {
        let kind = kinds[(i % 4) as usize];
        let mut e = g::SignInEvent::blank(kind, Timestamp(t("2025-10-01T00:00:00Z").0 + i as i64 * 3_600_000 + 17_000));
        e.request_id = guid(i, 1);
        e.correlation_id = guid(i, 2);
        e.session_id = if kind.is_user() { guid(i, 3) } else { String::new() };
        e.app_id = guid(i % 3, 4);
        e.app_name = ["Microsoft Teams", "Office 365 Exchange Online", "Azure Portal, \"preview\""][(i % 3) as usize].into();
        e.resource_id = "00000003-0000-0000-c000-000000000000".into();
        e.resource_name = "Microsoft Graph".into();
        e.resource_tenant_id = guid(0, 9);
        e.home_tenant_id = guid(0, 9);
        e.ip = if i % 5 == 0 { "2001:db8::7".into() } else { format!("198.51.100.{i}") };
        e.city = ["Redmond", "Frankfurt am Main", "Washington, D.C."][(i % 3) as usize].into();
        e.state = ["Washington", "Hessen", "District of Columbia"][(i % 3) as usize].into();
        e.country = ["US", "DE", "US"][(i % 3) as usize].into();
        let (code, reason) = codes[(i / 4 % 4) as usize];
        e.set_result(code, reason);
        if kind.is_user() {
            e.user_id = guid(i % 5, 5);
            e.upn = format!("User{}@Contoso.com", i % 5);
            e.user_display = format!("User, {}", i % 5);
            e.user_type = if i % 7 == 0 { "guest".into() } else { "member".into() };
            e.sign_in_identifier = e.upn.to_lowercase();
            e.client_app = if i % 6 == 0 { "IMAP4".into() } else { "Browser".into() };
            e.user_agent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36".into();
            e.device_id = if i % 2 == 0 { guid(i, 6) } else { String::new() };
            e.os = "Windows10".into();
            e.browser = "Edge 120.0.0".into();
            e.compliant = Some(i % 2 == 0);
            e.managed = Some(i % 3 == 0);
            e.join_type = if i % 2 == 0 { "Microsoft Entra joined".into() } else { String::new() };
            e.auth_requirement =
                if i % 2 == 0 { "multiFactorAuthentication".into() } else { "singleFactorAuthentication".into() };
            e.ca_status = ["success", "notApplied", "failure"][(i % 3) as usize].into();
            e.incoming_token_type = if kind == g::SignInKind::NonInteractive { "refreshToken".into() } else { "none".into() };
            e.protocol = if i % 4 == 1 { "deviceCode".into() } else { "none".into() };
            e.cross_tenant_access_type = if i % 7 == 0 { "b2bCollaboration".into() } else { "none".into() };
            e.asn = 8075;
            e.flagged_for_review = i == 8;
            if kind == g::SignInKind::Interactive && i % 8 == 0 {
                e.auth_steps = vec![
                    g::AuthStep {
                        time: e.time,
                        method: "Password".into(),
                        method_detail: "Password in the cloud".into(),
                        succeeded: true,
                        result_detail: "Correct password".into(),
                        requirement: "Primary authentication".into(),
                    },
                    g::AuthStep {
                        time: Timestamp(e.time.0 + 5000),
                        method: "Mobile app notification".into(),
                        method_detail: String::new(),
                        succeeded: code == 0,
                        result_detail: "MFA successfully completed".into(),
                        requirement: "Secondary authentication".into(),
                    },
                ];
            }
        } else {
            e.service_principal_id = guid(i % 2, 7);
            e.service_principal_name = format!("automation-{}", i % 2);
            if kind == g::SignInKind::ManagedIdentity {
                e.msi_type = "systemAssigned".into();
            }
        }
        out.push(e);
    }
    out
}

fn audits() -> Vec<g::AuditEvent> {
    (0..10u32)
        .map(|i| {
            let user = i % 2 == 0;
            g::AuditEvent {
                id: format!("Directory_{}_ABCDE_{i}", guid(i, 20)),
                correlation_id: guid(i, 21),
                time: Timestamp(t("2025-10-02T00:00:00Z").0 + i as i64 * 60_000),
                category: "RoleManagement".into(),
                activity: if i % 3 == 0 { "Add member to role".into() } else { "Update user".into() },
                service: "Core Directory".into(),
                operation_type: "Assign".into(),
                result: if i == 4 { "failure".into() } else { "success".into() },
                result_reason: String::new(),
                initiator: if user {
                    Initiator::User {
                        id: guid(i, 22),
                        upn: format!("Admin{i}@contoso.com"),
                        display: format!("Admin {i}"),
                        ip: format!("203.0.113.{i}"),
                    }
                } else {
                    Initiator::App {
                        app_id: guid(i, 23),
                        display: "Sync, \"app\"".into(),
                        sp_id: guid(i, 24),
                        sp_name: "Sync, \"app\"".into(),
                    }
                },
                targets: (0..(i % 3 + 1))
                    .map(|n| AuditTarget {
                        kind: "User".into(),
                        id: guid(n, 25),
                        display: format!("Target {n}"),
                        upn: format!("T{n}@contoso.com"),
                        modified: (0..(n + 1))
                            .map(|m| {
                                ModifiedProperty::new(
                                    &format!("Role.DisplayName{m}"),
                                    "",
                                    &format!("[\"Global Administrator {m}\"]"),
                                )
                            })
                            .collect(),
                    })
                    .collect(),
                additional_details: vec![("User-Agent".into(), "Mozilla/5.0 (X11)".into())],
                user_agent: "Mozilla/5.0 (X11)".into(),
            }
        })
        .collect()
}

fn small_set() -> (Logs, ExportContext) {
    let logs = Logs { signins: signins(), audits: audits() };
    let ctx = ExportContext {
        tenant_id: guid(0, 9),
        workspace_id: guid(0, 10),
        from: t("2025-10-01T00:00:00Z"),
        to: t("2025-10-02T00:00:00Z"),
    };
    (logs, ctx)
}

fn read_format(f: GenFormat) -> (Dataset, MemorySink) {
    let (logs, ctx) = small_set();
    read_logs(f, &logs, &ctx)
}

fn read_logs(f: GenFormat, logs: &Logs, ctx: &ExportContext) -> (Dataset, MemorySink) {
    let mut sink = MemorySink::default();
    write_format(f, logs, ctx, &mut sink).unwrap();
    let mut ing = Ingest::new();
    for (name, bytes) in &sink.files {
        let idx = ing.read_all(name, bytes);
        let info = &ing.dataset().inputs[idx as usize];
        assert_eq!(info.error, None, "{}: {name}", f.name());
        assert_eq!(info.rejected_total, 0, "{}: {name}: {:?}", f.name(), info.rejected);
    }
    (ing.finish(), sink)
}

/// The records as JSON, without where they came from, in a stable order.
fn records(ds: &Dataset, table: Table) -> Vec<Value> {
    let n = if table == Table::SignIn { ds.signins.len() } else { ds.audits.len() };
    let mut v: Vec<Value> = (0..n as u32)
        .map(|i| {
            let mut r = record_json(ds, table, i);
            r.as_object_mut().unwrap().remove("source");
            r
        })
        .collect();
    v.sort_by_key(|r| r.to_string());
    v
}

/// Removes what `f` does not carry, so the rest must match exactly.
fn project(f: GenFormat, table: Table, mut recs: Vec<Value>) -> Vec<Value> {
    for r in &mut recs {
        let o = r.as_object_mut().unwrap();
        if table == Table::SignIn {
            if f.is_portal_csv() {
                // The portal CSV has no risk, CA policy, coordinates or status detail columns.
                // Nor a device name. Its "Multifactor authentication result" has no
                // Graph field, and Graph's status.additionalDetails no column.
                o.remove("mfaResult");
                o.get_mut("status").unwrap().as_object_mut().unwrap().remove("additionalDetails");
                for k in [
                    "riskLevelDuringSignIn",
                    "riskLevelAggregated",
                    "riskState",
                    "riskDetail",
                    "riskEventTypes",
                    "appliedConditionalAccessPolicies",
                    "geoCoordinates",
                    "deviceDisplayName",
                ] {
                    o.remove(k);
                }
                if o.get("kind").and_then(Value::as_str) != Some("interactive") {
                    // Only the interactive tab comes with an AuthDetails file.
                    o.remove("authenticationDetails");
                }
                let app = matches!(o.get("kind").and_then(Value::as_str), Some("service principal" | "managed identity"));
                if app {
                    // ApplicationSignIns / MSISignIns have 22-26 columns: none of these.
                    for k in [
                        "authenticationProtocol",
                        "authenticationRequirement",
                        "crossTenantAccessType",
                        "flaggedForReview",
                        "incomingTokenType",
                        "tokenIssuerType",
                        "autonomousSystemNumber",
                        "uniqueTokenIdentifier",
                        "userAgent",
                    ] {
                        o.remove(k);
                    }
                }
            }
            if !f.carries_session_id() {
                o.remove("sessionId");
            }
            if matches!(f, GenFormat::LogAnalyticsJson | GenFormat::LogAnalyticsCsv) {
                // Not columns of the Log Analytics sign-in tables.
                o.remove("incomingTokenType");
                o.remove("homeTenantName");
                let app = matches!(o.get("kind").and_then(Value::as_str), Some("service principal" | "managed identity"));
                if app {
                    // AADServicePrincipalSignInLogs / AADManagedIdentitySignInLogs have 33 columns: none of these.
                    for k in [
                        "appDisplayName",
                        "authenticationProtocol",
                        "authenticationRequirement",
                        "crossTenantAccessType",
                        "flaggedForReview",
                        "homeTenantId",
                        "resourceTenantId",
                        "riskDetail",
                        "riskLevelAggregated",
                        "riskLevelDuringSignIn",
                        "riskState",
                        "tokenIssuerType",
                        "managedIdentityType",
                        "autonomousSystemNumber",
                    ] {
                        o.remove(k);
                    }
                }
            }
        } else if f.is_portal_csv() {
            // The portal's audit CSV has neither the event id nor the operation type.
            o.remove("id");
            o.remove("operationType");
            if let Some(Value::Object(app)) = o.get_mut("initiatedBy").and_then(|i| i.get_mut("app")) {
                app.remove("appId");
            }
            // Flattened: at most 3 targets of 5 modified properties, 6 additional details.
            if let Some(Value::Array(ts)) = o.get_mut("targetResources") {
                ts.truncate(3);
                for t in ts {
                    if let Some(Value::Array(mp)) = t.get_mut("modifiedProperties") {
                        mp.truncate(5);
                    }
                }
            }
            if let Some(Value::Array(d)) = o.get_mut("additionalDetails") {
                d.truncate(6);
            }
        }
    }
    recs.sort_by_key(|r| r.to_string());
    recs
}

fn record_key(r: &Value) -> String {
    let id = r.get("id").and_then(Value::as_str).unwrap_or("");
    if id.is_empty() {
        r.get("correlationId").and_then(Value::as_str).unwrap_or("").to_string()
    } else {
        id.to_string()
    }
}

fn first_difference(a: &[Value], b: &[Value]) -> String {
    let bm: std::collections::BTreeMap<String, &Value> = b.iter().map(|r| (record_key(r), r)).collect();
    let am: std::collections::BTreeMap<String, &Value> = a.iter().map(|r| (record_key(r), r)).collect();
    let mut out = Vec::new();
    for (k, x) in &am {
        match bm.get(k) {
            None => out.push(format!("missing {k}")),
            Some(y) if x != y => {
                let (xo, yo) = (x.as_object().unwrap(), y.as_object().unwrap());
                let keys: std::collections::BTreeSet<&String> = xo.keys().chain(yo.keys()).collect();
                let diffs: Vec<String> = keys
                    .into_iter()
                    .filter(|k| xo.get(*k) != yo.get(*k))
                    .map(|f| format!("  {f}: {:?} vs {:?}", xo.get(f), yo.get(f)))
                    .collect();
                out.push(format!("record {k}:\n{}", diffs.join("\n")));
            }
            _ => {}
        }
        if out.len() >= 3 {
            break;
        }
    }
    for k in bm.keys().filter(|k| !am.contains_key(*k)).take(3) {
        out.push(format!("extra {k}"));
    }
    out.join("\n")
}

/// Reads `logs` in every format and compares each with the portal JSON.
fn compare_all(logs: &Logs, ctx: &ExportContext) {
    let (reference, _) = read_logs(GenFormat::PortalJson, logs, ctx);
    assert_eq!(reference.signins.len(), logs.signins.len());
    assert_eq!(reference.audits.len(), logs.audits.len());
    let mut failures = Vec::new();
    for f in GenFormat::ALL {
        let (ds, sink) = read_logs(f, logs, ctx);
        for table in [Table::SignIn, Table::Audit] {
            let want = project(f, table, records(&reference, table));
            let got = project(f, table, records(&ds, table));
            if want != got {
                failures.push(format!(
                    "{} {table:?}: files {:?}\n{}",
                    f.name(),
                    sink.files.iter().map(|(n, _)| n).collect::<Vec<_>>(),
                    first_difference(&want, &got)
                ));
            }
        }
        let want_format = match f {
            GenFormat::PortalCsv | GenFormat::PortalCsv2024_11 | GenFormat::PortalCsv2024_10 => Format::PortalCsv,
            GenFormat::PortalJson | GenFormat::ExtractorSuite => Format::PortalJson,
            GenFormat::GraphJson => Format::GraphJson,
            GenFormat::Ndjson => Format::Ndjson,
            GenFormat::LogAnalyticsJson => Format::LoganalyticsJson,
            GenFormat::LogAnalyticsCsv => Format::LoganalyticsCsv,
            GenFormat::AzureMonitor | GenFormat::AzureMonitorLines => Format::AzureMonitorJson,
        };
        // Every input is recognized as its own log kind and format.
        for info in &ds.inputs {
            assert_eq!(info.format, want_format, "{}: {}", f.name(), info.path);
            assert!(info.first.is_some() || info.records == 0);
            assert_ne!(info.kind, InputKind::Unknown, "{}: {}", f.name(), info.path);
            assert_ne!(info.kind, InputKind::SignInMixed, "{}: {}", f.name(), info.path);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_format_reads_to_the_same_records() {
    let (logs, ctx) = small_set();
    compare_all(&logs, &ctx);
}

/// The generator's simulated tenant (background activity and planted
/// incidents): realistic values in every field.
#[test]
fn a_simulated_tenant_reads_the_same_in_every_format() {
    let g = entrascope_gen::sim::generate(&entrascope_gen::sim::TenantConfig::demo(11)).unwrap();
    assert!(g.logs.signins.len() > 1000, "{}", g.logs.signins.len());
    compare_all(&g.logs, &g.ctx);
}

#[test]
fn kinds_and_values_are_normalized() {
    let (ds, _) = read_format(GenFormat::PortalCsv);
    let count = |k: SignInKind| ds.signins.iter().filter(|s| s.kind == k).count();
    assert_eq!(
        [
            count(SignInKind::Interactive),
            count(SignInKind::NonInteractive),
            count(SignInKind::ServicePrincipal),
            count(SignInKind::ManagedIdentity)
        ],
        [6, 6, 6, 6]
    );
    let s = ds.signins.iter().find(|s| s.error_code == 50074).unwrap();
    assert_eq!(s.outcome, Outcome::Interrupted);
    assert!(ds.signins.iter().all(|s| ds.str(s.upn) == ds.str(s.upn).to_lowercase()));
    let dc = ds.signins.iter().find(|s| ds.str(s.city) == "Washington, D.C.").unwrap();
    assert_eq!((ds.str(dc.state), ds.str(dc.country)), ("District of Columbia", "US"));
    // AuthDetails files are joined to their sign-ins.
    let kinds: Vec<InputKind> = ds.inputs.iter().map(|i| i.kind).collect();
    assert!(kinds.contains(&InputKind::AuthDetails), "{kinds:?}");
    let with_steps: Vec<&SignIn> = ds.signins.iter().filter(|s| !s.auth_steps.is_empty()).collect();
    assert_eq!(with_steps.len(), 3);
    assert!(with_steps.iter().all(|s| s.kind == SignInKind::Interactive && ds.steps(s).len() == 2));
    assert_eq!(ds.str(ds.steps(with_steps[0])[1].requirement), "Secondary authentication");
}
