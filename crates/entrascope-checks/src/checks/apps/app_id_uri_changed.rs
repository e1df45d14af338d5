use std::collections::{BTreeMap, BTreeSet, HashSet};

use entrascope_core::{declare_check, DataNeed, Finding, SettingKey};

use super::{join_list, values, who};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Application ID URIs (identifier URIs) added to, changed on or removed
    /// from an application or service principal (*Update application*,
    /// *Update service principal*: modified property `AppIdentifierUri` or
    /// `IdentifierUris`), by someone not in
    /// `approved_actors.application_management`.
    ///
    /// ## Why it matters
    /// The App ID URI is the audience other applications request tokens
    /// for. Changing it can redirect which application receives tokens meant
    /// for an API, break sign-in for its clients, or, on a multi-tenant app,
    /// claim an identifier another party relies on.
    ///
    /// ## How it works
    /// Baseline: Sentinel *Application ID URI Changed* (9fb2ee72), which
    /// reports every event carrying the property. Here the old and new lists
    /// are compared and only real changes count; the summary names what was
    /// added and removed. Changes by approved actors are skipped. One finding
    /// per application.
    ///
    /// ## False positives
    /// Developers exposing a new API scope on their own application. Add the
    /// team that manages app registrations to the approved list, or restrict
    /// who may register and own applications.
    ///
    /// ## How to respond
    /// Confirm the change with the application owner; restore the previous
    /// identifier if it was not planned, and review the application's owners
    /// and recent changes.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-applications#appid-uri-added-modified-or-removed
    /// - https://learn.microsoft.com/entra/architecture/security-operations-consumer-accounts
    /// - Azure-Sentinel Detections/AuditLogs/ApplicationIDURIChanged.yaml (9fb2ee72-959f-4c2b-bc38-483affc539e4)
    pub static META = {
        code: "AUDIT-APP-ID-URI-CHANGED",
        title: "Application ID URI changed",
        severity: High,
        guide: ["applications-167", "consumer-accounts-079"],
        inputs: [DataNeed::Audit],
        settings: [],
        optional_settings: [SettingKey::ApprovedApplicationManagement],
        tags: ["attack.t1098"],
    }
}

fn is_identifier_property(name: &str) -> bool {
    let n = name.trim().to_ascii_lowercase();
    n.contains("appidentifieruri") || n == "identifieruris"
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let ds = cx.ds;
    let mut by_app: BTreeMap<String, (String, Vec<(usize, Vec<String>, Vec<String>)>)> = BTreeMap::new();
    for (i, a) in cx.audits_ok() {
        if cx.approved.application_management.matches(cx.actor(a)) {
            continue;
        }
        for t in ds.targets(a) {
            for p in ds.modified(t).iter().filter(|p| is_identifier_property(ds.str(p.name))) {
                let old = values(ds.str(p.old));
                let new = values(ds.str(p.new));
                let old_set: HashSet<String> = old.iter().map(|u| u.to_lowercase()).collect();
                let new_set: HashSet<String> = new.iter().map(|u| u.to_lowercase()).collect();
                let added: Vec<String> = new.iter().filter(|u| !old_set.contains(&u.to_lowercase())).cloned().collect();
                let removed: Vec<String> = old.iter().filter(|u| !new_set.contains(&u.to_lowercase())).cloned().collect();
                if added.is_empty() && removed.is_empty() {
                    continue;
                }
                let name = ds.str(t.display).trim();
                let key = if name.is_empty() { ds.str(t.id).to_ascii_lowercase() } else { name.to_lowercase() };
                let label = if name.is_empty() { ds.str(t.id).to_string() } else { name.to_string() };
                by_app.entry(key).or_insert_with(|| (label, Vec::new())).1.push((i, added, removed));
            }
        }
    }
    by_app
        .into_values()
        .map(|(app, events)| {
            let mut added: BTreeSet<&str> = BTreeSet::new();
            let mut removed: BTreeSet<&str> = BTreeSet::new();
            let mut actors: BTreeSet<&str> = BTreeSet::new();
            let mut evidence = Vec::new();
            for (i, add, rem) in &events {
                actors.insert(who(cx, &ds.audits[*i]));
                added.extend(add.iter().map(String::as_str));
                removed.extend(rem.iter().map(String::as_str));
                let mut ev = cx.ev_audit(*i);
                ev.fields.extend(add.iter().map(|u| ("added_uri".to_string(), u.clone())));
                ev.fields.extend(rem.iter().map(|u| ("removed_uri".to_string(), u.clone())));
                evidence.push(ev);
            }
            let mut parts = Vec::new();
            if !added.is_empty() {
                parts.push(format!("added {}", join_list(&added.into_iter().collect::<Vec<_>>(), 3)));
            }
            if !removed.is_empty() {
                parts.push(format!("removed {}", join_list(&removed.into_iter().collect::<Vec<_>>(), 3)));
            }
            let actors: Vec<&str> = actors.into_iter().collect();
            let summary = format!("Application ID URI of {app} changed by {}: {}", join_list(&actors, 3), parts.join("; "));
            Finding::new(&META, summary, evidence).with_subject(app)
        })
        .collect()
}
