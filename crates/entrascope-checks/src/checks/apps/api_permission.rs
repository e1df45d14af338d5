use std::collections::{BTreeMap, BTreeSet};

use entrascope_core::{declare_check, DataNeed, Finding, SettingKey, Severity};

use super::{join_list, permission_grants, who, Grant, GrantKind};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// An application granted permissions to an API by an administrator:
    /// application permissions (app roles) to any API, and delegated
    /// permissions for all users (admin consent), when none of the
    /// permissions is highly privileged (those are
    /// AUDIT-APP-SENSITIVE-PERMISSION). Grants to the Microsoft APIs that
    /// hold tenant data (Microsoft Graph, Exchange Online, SharePoint Online,
    /// Azure AD Graph and the others in `data/sensitive-apis.tsv`, plus the
    /// `sensitive_applications` setting) are high; grants to other APIs are
    /// medium.
    ///
    /// ## Why it matters
    /// Every application permission works without a signed-in user, for the
    /// whole tenant. Even "read" permissions such as Directory.Read.All or
    /// User.Read.All map the organization for an attacker, and a permission
    /// to a line-of-business API may expose its data. The guide asks to alert
    /// on every grant to the Microsoft APIs and, at medium, on app roles for
    /// other APIs.
    ///
    /// ## How it works
    /// Uses the same grant extraction as AUDIT-APP-SENSITIVE-PERMISSION (app
    /// role assignments, delegated grants with only the added scopes,
    /// consents whose grant events are missing). Grants by an actor in
    /// `approved_actors.application_management` are the normal workflow and
    /// are skipped; end-user consents (delegated, single user) are
    /// AUDIT-APP-USER-CONSENT's. One finding per client application.
    /// Improvement on the guide's filter, which names the target API only:
    /// the API is recognized by its application id (the `AppId` detail) as
    /// well as its display name, and the tenant can add its own sensitive
    /// APIs.
    ///
    /// ## False positives
    /// Routine onboarding of integrations by administrators who are not on
    /// the approved list; add them once confirmed.
    ///
    /// ## How to respond
    /// Confirm the grant with the administrator and the application owner;
    /// remove permissions the application does not need, and review its
    /// credentials and owners.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-applications#application-permissions
    /// - https://learn.microsoft.com/entra/architecture/security-operations-consumer-accounts
    /// - Azure-Sentinel Detections/AuditLogs/ServicePrincipalAssignedAppRoleWithSensitiveAccess.yaml (dd78a122-d377-415a-afe9-f22e08d2112c)
    pub static META = {
        code: "AUDIT-APP-API-PERMISSION",
        title: "Application granted permissions to an API",
        severity: Medium,
        guide: ["applications-156", "applications-157", "applications-158", "consumer-accounts-073", "consumer-accounts-074"],
        inputs: [DataNeed::Audit],
        settings: [],
        optional_settings: [SettingKey::ApprovedApplicationManagement, SettingKey::SensitiveApplications],
        tags: ["attack.t1098.003"],
    }
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let names = cx.names();
    let mut by_client: BTreeMap<String, Vec<(Grant, Option<String>)>> = BTreeMap::new();
    for g in permission_grants(cx, names) {
        if !(g.kind == GrantKind::AppRole || g.all_principals) || !g.high_permissions().is_empty() {
            continue;
        }
        if cx.approved.application_management.matches(cx.actor(&cx.ds.audits[g.idx])) {
            continue;
        }
        let key = if g.client_id.is_empty() { g.client.to_lowercase() } else { g.client_id.clone() };
        let sensitive = g.sensitive_api(cx);
        by_client.entry(key).or_default().push((g, sensitive));
    }
    by_client
        .into_values()
        .map(|grants| {
            let client = grants
                .iter()
                .map(|(g, _)| g.client.as_str())
                .find(|c| !c.is_empty())
                .unwrap_or("an unnamed application")
                .to_string();
            let mut perms: BTreeSet<String> = BTreeSet::new();
            let mut apis: BTreeSet<String> = BTreeSet::new();
            let mut actors: BTreeSet<&str> = BTreeSet::new();
            let (mut sensitive, mut other_app_role, mut app_role) = (false, false, false);
            let mut evidence = Vec::new();
            for (g, s) in &grants {
                actors.insert(who(cx, &cx.ds.audits[g.idx]));
                apis.insert(s.clone().unwrap_or_else(|| g.api.clone()));
                sensitive |= s.is_some();
                app_role |= g.kind == GrantKind::AppRole;
                other_app_role |= s.is_none() && g.kind == GrantKind::AppRole;
                perms.extend(g.permissions.iter().cloned());
                let mut ev = cx.ev_audit(g.idx);
                ev.fields.push(("client_app".into(), g.client.clone()));
                ev.fields.push(("api".into(), g.api.clone()));
                ev.fields.push((
                    "permission_type".into(),
                    if g.kind == GrantKind::AppRole { "application".into() } else { "delegated, all users".into() },
                ));
                ev.fields.push(("permissions".into(), g.permissions.join(" ")));
                evidence.push(ev);
            }
            let mut guide = Vec::new();
            if app_role {
                guide.extend(["applications-156", "consumer-accounts-073"]);
            }
            if sensitive {
                guide.extend(["applications-157", "consumer-accounts-074"]);
            }
            if other_app_role {
                guide.push("applications-158");
            }
            if guide.is_empty() {
                guide.extend(["applications-156", "consumer-accounts-073"]);
            }
            let perms: Vec<String> = perms.into_iter().collect();
            let apis: Vec<String> = apis.into_iter().collect();
            let actors: Vec<&str> = actors.into_iter().collect();
            let summary = format!(
                "{client} was granted {} on {} by {}{}",
                join_list(&perms, 4),
                join_list(&apis, 2),
                join_list(&actors, 3),
                if app_role { " (application permissions: they work without a signed-in user)" } else { " for all users" }
            );
            let f = Finding::new(&META, summary, evidence).with_subject(client).with_guide(&guide);
            if sensitive {
                f.with_severity(Severity::High)
            } else {
                f
            }
        })
        .collect()
}
