use std::collections::BTreeMap;

use entrascope_core::{declare_check, DataNeed, Finding, SettingKey};
use entrascope_logs::AuditResult;

use super::{distinct, list, plural, who};
use crate::context::unquote;
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Attempted or completed changes to the applications and services the
    /// tenant lists as high value (`sensitive_applications`): updates,
    /// credential and owner changes, consents, role assignments, deletions.
    ///
    /// ## Why it matters
    /// A high-value application (the HR system, the finance API, Microsoft
    /// Graph's service principal, a privileged automation app) is where an
    /// attacker with a privileged role goes next: a new secret or owner on
    /// it gives lasting access to its data.
    ///
    /// ## How it works
    /// Selects audit events (any result) with an application or service
    /// principal target whose object id, display name, or application id
    /// (modified property `AppId`, or additional detail `AppId`) matches an entry of `sensitive_applications`
    /// (case-insensitive, `*` wildcards). One finding per application,
    /// listing what was done and by whom, with failed attempts counted.
    ///
    /// ## False positives
    /// Planned releases (new redirect URIs, certificate rotation) by the
    /// application's owners. The actors and activities in the summary let
    /// the reviewer match them to change tickets.
    ///
    /// ## How to respond
    /// Confirm each change with the application owner. Remove credentials,
    /// owners or permissions nobody requested, and review the application's
    /// service-principal sign-ins since the change.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-privileged-accounts#changes-by-privileged-accounts
    /// - https://learn.microsoft.com/entra/architecture/security-operations-applications
    pub static META = {
        code: "AUDIT-HIGH-VALUE-APP-CHANGED",
        title: "Change to a high-value application",
        severity: High,
        guide: ["privileged-accounts-118"],
        inputs: [DataNeed::Audit],
        settings: [SettingKey::SensitiveApplications],
        optional_settings: [],
        tags: ["attack.t1098.001", "attack.t1098.003"],
    }
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let apps = &cx.sensitive_apps;
    let mut by_app: BTreeMap<String, (String, Vec<usize>)> = BTreeMap::new();
    for (i, a) in cx.ds.audits.iter().enumerate() {
        let detail_app = cx.ds.detail(a, "AppId").unwrap_or("");
        for t in cx.ds.targets(a) {
            let kind = cx.s(t.kind);
            if !kind.eq_ignore_ascii_case("Application") && !kind.eq_ignore_ascii_case("ServicePrincipal") {
                continue;
            }
            let prop_app = cx
                .ds
                .modified(t)
                .iter()
                .find(|p| cx.s(p.name).eq_ignore_ascii_case("AppId"))
                .map(|p| unquote(if p.new.is_empty() { cx.s(p.old) } else { cx.s(p.new) }))
                .unwrap_or("");
            let (id, display) = (cx.s(t.id), cx.s(t.display));
            let hit = [id, display, prop_app, detail_app].into_iter().find(|v| !v.is_empty() && apps.matches(v));
            if let Some(key) = hit {
                let name = if display.is_empty() { key.to_string() } else { display.to_string() };
                by_app.entry(key.to_lowercase()).or_insert_with(|| (name, Vec::new())).1.push(i);
                break;
            }
        }
    }
    by_app
        .into_values()
        .map(|(app, rows)| {
            let activities = distinct(rows.iter().map(|&i| cx.s(cx.ds.audits[i].activity)));
            let actors = distinct(rows.iter().map(|&i| who(cx.actor(&cx.ds.audits[i]))));
            let failed = rows.iter().filter(|&&i| cx.ds.audits[i].result == AuditResult::Failure).count();
            let fails = if failed > 0 { format!(" ({failed} failed)") } else { String::new() };
            let summary = format!(
                "High-value application {app}: {}{fails} by {} ({})",
                plural(rows.len(), "change"),
                list(&actors, 3),
                list(&activities, 4)
            );
            Finding::new(&META, summary, rows.iter().map(|&i| cx.ev_audit(i)).collect()).with_subject(app)
        })
        .collect()
}
