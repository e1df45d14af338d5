use std::collections::{BTreeMap, BTreeSet};

use entrascope_core::{declare_check, DataNeed, Finding, SettingKey, Severity};

use super::{is_loopback, join_list, text, url_host, who};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// The sign-out (logout) URL of an application registration or service
    /// principal changed or removed (modified property `LogoutUrl` on
    /// *Update application* / *Update service principal*).
    ///
    /// ## Why it matters
    /// Entra ID calls the sign-out URL to end the application's session when
    /// the user signs out. A blank URL, or one pointing somewhere the
    /// application does not answer, leaves sessions open after sign-out; a
    /// URL on a foreign host learns when users sign out and can redirect them.
    ///
    /// ## How it works
    /// Baseline: Sentinel *Changes to Application Logout URL* (492fbe35),
    /// which reports every modified property whose name contains "Url" (it
    /// also catches home page and other URLs). Here only the sign-out URL is
    /// read and only real changes count (old and new differ). The change is
    /// medium when the URL is removed, is not HTTPS (other than loopback), or
    /// is on a host outside `organization_domains` (when set); other changes
    /// are low and are skipped when made by an actor in
    /// `approved_actors.application_management`. One finding per application.
    ///
    /// ## False positives
    /// Developers moving their application to a new host. Confirm and keep
    /// the approved list current.
    ///
    /// ## How to respond
    /// Confirm with the application owner that the new URL belongs to the
    /// application and ends its session; restore it if not, and review who
    /// changed it.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-applications#logout-url-modified-or-removed
    /// - https://learn.microsoft.com/entra/architecture/security-operations-consumer-accounts
    /// - Azure-Sentinel Detections/AuditLogs/ChangestoApplicationLogoutURL.yaml (492fbe35-cbac-4a8c-9059-826782e6915a)
    pub static META = {
        code: "AUDIT-APP-LOGOUT-URL-CHANGED",
        title: "Application sign-out URL changed or removed",
        severity: Low,
        guide: ["applications-169", "consumer-accounts-081"],
        inputs: [DataNeed::Audit],
        settings: [],
        optional_settings: [SettingKey::ApprovedApplicationManagement, SettingKey::OrganizationDomains],
        tags: ["attack.t1098"],
    }
}

fn is_logout_property(name: &str) -> bool {
    let n: String = name.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
    n == "logouturl" || n == "signouturl" || n == "frontchannellogouturl"
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let ds = cx.ds;
    let domains: Vec<String> =
        cx.settings.organization_domains.iter().map(|d| d.trim().trim_start_matches("*.").to_ascii_lowercase()).collect();
    let owned = |h: &str| domains.iter().any(|d| h == d || h.ends_with(&format!(".{d}")));
    let mut by_app: BTreeMap<String, (String, Vec<(usize, String, String, Option<&'static str>)>)> = BTreeMap::new();
    for (i, a) in cx.audits_ok() {
        for t in ds.targets(a) {
            for p in ds.modified(t).iter().filter(|p| is_logout_property(ds.str(p.name))) {
                let old = text(ds.str(p.old));
                let new = text(ds.str(p.new));
                if old.trim().eq_ignore_ascii_case(new.trim()) {
                    continue;
                }
                let concern: Option<&'static str> = if new.trim().is_empty() {
                    Some("removed: sign-out no longer ends the application's session")
                } else {
                    let (scheme, host) = url_host(&new);
                    if scheme != "https" && !is_loopback(&host) {
                        Some("not HTTPS")
                    } else if !domains.is_empty() && !is_loopback(&host) && !owned(&host) {
                        Some("on a domain the organization does not own")
                    } else {
                        None
                    }
                };
                if concern.is_none() && cx.approved.application_management.matches(cx.actor(a)) {
                    continue;
                }
                let name = ds.str(t.display).trim();
                let key = if name.is_empty() { ds.str(t.id).to_ascii_lowercase() } else { name.to_lowercase() };
                let label = if name.is_empty() { ds.str(t.id).to_string() } else { name.to_string() };
                by_app.entry(key).or_insert_with(|| (label, Vec::new())).1.push((i, old, new, concern));
            }
        }
    }
    by_app
        .into_values()
        .map(|(app, changes)| {
            let mut actors: BTreeSet<&str> = BTreeSet::new();
            let mut evidence = Vec::new();
            for (i, old, new, concern) in &changes {
                actors.insert(who(cx, &ds.audits[*i]));
                let mut ev = cx.ev_audit(*i);
                ev.fields.push(("old_logout_url".into(), if old.is_empty() { "(none)".into() } else { old.clone() }));
                ev.fields.push(("new_logout_url".into(), if new.is_empty() { "(none)".into() } else { new.clone() }));
                if let Some(c) = concern {
                    ev.fields.push(("concern".into(), c.to_string()));
                }
                evidence.push(ev);
            }
            let old = &changes[0].1;
            let new = &changes[changes.len() - 1].2;
            let concerns: BTreeSet<&str> = changes.iter().filter_map(|c| c.3).collect();
            let actors: Vec<&str> = actors.into_iter().collect();
            let summary = format!(
                "Sign-out URL of {app} changed from {} to {} by {}{}",
                if old.is_empty() { "(none)" } else { old },
                if new.is_empty() { "(none)" } else { new },
                join_list(&actors, 3),
                if concerns.is_empty() {
                    String::new()
                } else {
                    format!(": {}", concerns.into_iter().collect::<Vec<_>>().join("; "))
                }
            );
            let f = Finding::new(&META, summary, evidence).with_subject(app);
            if changes.iter().any(|c| c.3.is_some()) {
                f.with_severity(Severity::Medium)
            } else {
                f
            }
        })
        .collect()
}
