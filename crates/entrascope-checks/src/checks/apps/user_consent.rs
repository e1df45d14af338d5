use std::collections::{BTreeMap, HashMap};

use entrascope_core::{declare_check, DataNeed, Finding, SettingKey, Severity};
use entrascope_logs::Id;

use super::{
    activity, consent_permissions, find_prop, is_admin_consent, join_list, permission_grants, who, GrantKind, CONSENT,
};
use crate::refdata::{imitates_microsoft, microsoft_client_app, sensitive_permission, PermissionTier};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Users consenting to applications for themselves (*Consent to
    /// application* with `ConsentContext.IsAdminConsent` false), one finding
    /// per application, ranked by what the consent gives away.
    ///
    /// ## Why it matters
    /// Consent phishing needs no password: the user clicks "Accept" and the
    /// attacker's application reads their mail and files with a refresh
    /// token that outlives password resets and MFA. The guide asks to look
    /// for high-profile or privileged users, high-risk permissions, and
    /// generic or misspelled application names.
    ///
    /// ## How it works
    /// The scopes of each consent come from the *Add delegated permission
    /// grant* events with the same correlation id (only the scopes the
    /// grant adds: an amended consent repeats the old scopes on both sides
    /// of `ConsentAction.Permissions`), else from the scopes the consent
    /// event adds, else from all it lists. Severity:
    /// - high: `offline_access` together with a scope that reads or changes
    ///   mail, files, notes or chats (Sentinel *Suspicious application consent
    ///   for offline access* 3533f74c and *End-user consent to app with mailbox
    ///   and offline access delegated scopes* 43df1e4c; the scope list is
    ///   `data/sensitive-graph-permissions.tsv`, matched exactly rather than
    ///   by substring), or a scope that takes over accounts or the directory;
    /// - medium: such a scope without `offline_access`, a consenting user who
    ///   is privileged, or an application named like a Microsoft product whose
    ///   application id is not a Microsoft one (`data/microsoft-client-apps.tsv`);
    /// - low: every other end-user consent (the guide's row is low).
    ///
    /// Sentinel's known-application feed (a download) is replaced by the
    /// Microsoft-name test; its 14-day join to *Add service principal* is
    /// replaced by naming the first consent to the app in the log.
    ///
    /// ## False positives
    /// Popular productivity add-ins that ask for mail or file access with
    /// `offline_access`. If the tenant allows user consent, consider
    /// restricting it to verified publishers and low-risk permissions.
    ///
    /// ## How to respond
    /// Check the publisher and reply URLs of the application. If it is not
    /// legitimate, remove the service principal (or its delegated grants),
    /// revoke the users' refresh tokens, and review their mailbox rules and
    /// file access since the consent.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-applications#end-user-consent
    /// - https://learn.microsoft.com/defender-office-365/detect-and-remediate-illicit-consent-grants
    /// - Azure-Sentinel Solutions/Microsoft Entra ID/Analytic Rules/SuspiciousOAuthApp_OfflineAccess.yaml (3533f74c-9207-4047-96e2-0eb9383be587)
    /// - Azure-Sentinel Solutions/Microsoft Entra ID/Analytic Rules/EndUserConsentMailboxOfflineAccess.yaml (43df1e4c-61f8-4ab8-bc86-65eca7ecab9a)
    /// - Azure-Sentinel Hunting Queries/AuditLogs/ConsentToApplicationDiscovery.yaml
    pub static META = {
        code: "AUDIT-APP-USER-CONSENT",
        title: "User consented to an application",
        severity: Low,
        guide: ["applications-161"],
        inputs: [DataNeed::Audit],
        settings: [],
        optional_settings: [SettingKey::PrivilegedAccounts],
        tags: ["attack.t1528", "attack.t1566.002"],
    }
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let ds = cx.ds;
    // Scopes each consent added: its delegated grant events (same
    // correlation id), or the consent event itself when those are missing.
    let names = cx.names();
    let mut grant_scopes: HashMap<(Id, usize), Vec<String>> = HashMap::new();
    for g in permission_grants(cx, names) {
        if g.kind == GrantKind::Delegated && !g.all_principals {
            let a = &ds.audits[g.idx];
            // Without a correlation id only the consent event itself can hold its scopes.
            let key = if a.correlation_id.is_none() { (Id::NONE, g.idx) } else { (a.correlation_id, usize::MAX) };
            grant_scopes.entry(key).or_default().extend(g.permissions);
        }
    }
    struct Consent {
        idx: usize,
        scopes: Vec<String>,
    }
    let mut by_app: BTreeMap<String, (String, String, Vec<Consent>)> = BTreeMap::new();
    for (i, a) in cx.audits_ok() {
        if activity(cx, a) != CONSENT || is_admin_consent(cx, a) {
            continue;
        }
        let Some(t) =
            ds.targets(a).iter().find(|t| ds.str(t.kind).eq_ignore_ascii_case("ServicePrincipal")).or(ds.targets(a).first())
        else {
            continue;
        };
        let key = if a.correlation_id.is_none() { (Id::NONE, i) } else { (a.correlation_id, usize::MAX) };
        let mut scopes = grant_scopes.get(&key).cloned().unwrap_or_default();
        if scopes.is_empty() {
            // A repeated consent adds nothing: name what it lists.
            if let Some((_, p)) = find_prop(ds, a, "ConsentAction.Permissions") {
                scopes = consent_permissions(ds.str(p.new)).1.into_iter().flat_map(|e| e.scopes).collect();
            }
        }
        let name = ds.str(t.display).trim();
        let id = ds.str(t.id).trim().to_ascii_lowercase();
        let key = if id.is_empty() { name.to_lowercase() } else { id };
        let app_id = ds.detail(a, "AppId").unwrap_or("").trim().to_string();
        let entry = by_app.entry(key).or_insert_with(|| {
            (if name.is_empty() { "an unnamed application".into() } else { name.to_string() }, app_id, Vec::new())
        });
        entry.2.push(Consent { idx: i, scopes });
    }
    by_app
        .into_values()
        .map(|(app, app_id, consents)| {
            let mut scopes: Vec<String> = consents.iter().flat_map(|c| c.scopes.iter().cloned()).collect();
            scopes.sort_by_key(|s| s.to_lowercase());
            scopes.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
            let offline = scopes.iter().any(|s| s.eq_ignore_ascii_case("offline_access"));
            let risky: Vec<(&str, PermissionTier, &str)> = scopes
                .iter()
                .filter_map(|s| {
                    sensitive_permission(s, true).filter(|p| p.tier >= PermissionTier::Data).map(|p| (s.as_str(), p.tier, p.why))
                })
                .collect();
            let escalation = risky.iter().any(|(_, t, _)| *t == PermissionTier::Escalation);
            let mut users: Vec<&str> = consents.iter().map(|c| who(cx, &ds.audits[c.idx])).collect();
            users.sort_unstable();
            users.dedup();
            let privileged: Vec<&str> = consents
                .iter()
                .map(|c| &ds.audits[c.idx])
                .filter(|a| cx.is_privileged(cx.actor(a), a.time))
                .map(|a| who(cx, a))
                .collect();
            let lure = imitates_microsoft(&app) && microsoft_client_app(&app_id).is_none();
            let mut notes = Vec::new();
            let severity = if (offline && !risky.is_empty()) || escalation {
                let (s, _, why) = risky.iter().max_by_key(|(_, t, _)| *t).copied().unwrap_or(("", PermissionTier::Data, ""));
                notes.push(if offline && !escalation {
                    format!("{s} with offline_access: {why}, durably, without the user present")
                } else {
                    format!("{s}: {why}")
                });
                Severity::High
            } else if !risky.is_empty() || !privileged.is_empty() || lure {
                if let Some((s, _, why)) = risky.first() {
                    notes.push(format!("{s}: {why}"));
                }
                Severity::Medium
            } else {
                Severity::Low
            };
            if !privileged.is_empty() {
                let mut p = privileged.clone();
                p.dedup();
                notes.push(format!("privileged account {} consented", join_list(&p, 3)));
            }
            if lure {
                notes.push("the name imitates a Microsoft product but the app is not Microsoft's".into());
            }
            let summary = format!(
                "{} consented to {app}{}{}",
                join_list(&users, 3),
                if scopes.is_empty() { String::new() } else { format!(" ({})", join_list(&scopes, 6)) },
                if notes.is_empty() { String::new() } else { format!(": {}", notes.join("; ")) }
            );
            let evidence = consents
                .iter()
                .map(|c| {
                    let mut ev = cx.ev_audit(c.idx);
                    if !c.scopes.is_empty() {
                        ev.fields.push(("scopes".into(), c.scopes.join(" ")));
                    }
                    if !app_id.is_empty() {
                        ev.fields.push(("app_id".into(), app_id.clone()));
                    }
                    ev
                })
                .collect();
            Finding::new(&META, summary, evidence).with_subject(app).with_severity(severity)
        })
        .collect()
}
