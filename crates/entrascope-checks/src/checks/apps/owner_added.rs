use std::collections::{BTreeMap, BTreeSet};

use entrascope_core::{declare_check, DataNeed, Finding, SettingKey, Severity};

use super::{activity, join_list, privileged_clients, prop, text, who};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// A user or service principal added as owner of an application
    /// registration or an enterprise application (*Add owner to
    /// application*, *Add owner to service principal*) by someone not in
    /// `approved_actors.application_management`.
    ///
    /// ## Why it matters
    /// An owner manages the application without any directory role: adds
    /// client secrets, redirect URIs and permissions requests. Making an
    /// account owner of an application that holds strong application
    /// permissions is a quiet privilege escalation: the owner can then act as
    /// the application.
    ///
    /// ## How it works
    /// Baseline: Sentinel *Changes to Application Ownership* (cc5780ce),
    /// application registrations only. Here both kinds of object count; the
    /// new owner is the target of type User or ServicePrincipal, the
    /// application the other target or the `Application.DisplayName` /
    /// `ServicePrincipal.DisplayName` property. Events by approved actors are
    /// skipped. One finding per application; medium, raised to high when the
    /// new owner is a guest (`#EXT#`), a service principal, or the actor
    /// itself (self-assignment), or when the application holds a highly
    /// privileged permission granted in the same log.
    ///
    /// ## False positives
    /// Developers added as owners of their team's apps by an administrator
    /// who is not on the approved list; add the administrator once confirmed.
    ///
    /// ## How to respond
    /// Confirm with the application's business owner. Remove owners who do not
    /// need the right, and review what the new owner changed on the
    /// application since (credentials, redirect URIs).
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-applications#new-owner
    /// - https://learn.microsoft.com/entra/architecture/security-operations-consumer-accounts
    /// - Azure-Sentinel Detections/AuditLogs/ChangestoApplicationOwnership.yaml (cc5780ce-3245-4bba-8bc1-e9048c2257ce)
    pub static META = {
        code: "AUDIT-APP-OWNER-ADDED",
        title: "Owner added to an application",
        severity: Medium,
        guide: ["applications-168", "consumer-accounts-080"],
        inputs: [DataNeed::Audit],
        settings: [],
        optional_settings: [SettingKey::ApprovedApplicationManagement],
        tags: ["attack.t1098"],
    }
}

const ACTIVITIES: &[&str] = &["add owner to application", "add owner to service principal"];
const SELF: &str = "the actor made itself owner";

struct Added {
    idx: usize,
    owner: String,
    notes: Vec<&'static str>,
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let ds = cx.ds;
    let mut by_app: BTreeMap<String, (String, Vec<Added>)> = BTreeMap::new();
    for (i, a) in cx.audits_ok() {
        let act = activity(cx, a);
        if !ACTIVITIES.contains(&&*act) || cx.approved.application_management.matches(cx.actor(a)) {
            continue;
        }
        let targets = ds.targets(a);
        let is_app = |k: &str| {
            k.eq_ignore_ascii_case("Application")
                || (k.eq_ignore_ascii_case("ServicePrincipal") && act.ends_with("service principal"))
        };
        // The owner: a user, or a service principal other than the object owned.
        let owner_t = targets.iter().find(|t| ds.str(t.kind).eq_ignore_ascii_case("User")).or_else(|| {
            targets
                .iter()
                .find(|t| ds.str(t.kind).eq_ignore_ascii_case("ServicePrincipal") && !act.ends_with("service principal"))
        });
        let app_t = targets.iter().find(|t| is_app(ds.str(t.kind)));
        let mut app = app_t.map(|t| ds.str(t.display).trim().to_string()).unwrap_or_default();
        if app.is_empty() {
            for name in ["Application.DisplayName", "ServicePrincipal.DisplayName"] {
                if let Some(p) = targets.iter().find_map(|t| prop(ds, t, name)) {
                    app = text(ds.str(p.new));
                    break;
                }
            }
        }
        if app.is_empty() {
            app = app_t.map(|t| ds.str(t.id).to_string()).unwrap_or_else(|| "an unnamed application".into());
        }
        let owner = owner_t
            .map(|t| {
                let u = ds.str(t.upn);
                if !u.is_empty() {
                    u.to_string()
                } else if !ds.str(t.display).trim().is_empty() {
                    ds.str(t.display).trim().to_string()
                } else {
                    ds.str(t.id).to_string()
                }
            })
            .unwrap_or_else(|| "an unidentified owner".into());
        let mut notes = Vec::new();
        if owner.to_ascii_lowercase().contains("#ext#") {
            notes.push("the new owner is a guest");
        }
        if owner_t.is_some_and(|t| ds.str(t.kind).eq_ignore_ascii_case("ServicePrincipal")) {
            notes.push("the new owner is an application");
        }
        if !owner.is_empty() && owner.eq_ignore_ascii_case(cx.actor(a)) {
            notes.push(SELF);
        }
        by_app.entry(app.to_lowercase()).or_insert_with(|| (app.clone(), Vec::new())).1.push(Added { idx: i, owner, notes });
    }
    if by_app.is_empty() {
        return Vec::new();
    }
    let names = cx.names();
    let privileged = privileged_clients(cx, names);
    by_app
        .into_iter()
        .map(|(key, (app, added))| {
            let mut owners: BTreeSet<&str> = BTreeSet::new();
            let mut actors: BTreeSet<&str> = BTreeSet::new();
            let mut notes: BTreeSet<&str> = BTreeSet::new();
            let mut evidence = Vec::new();
            for e in &added {
                owners.insert(&e.owner);
                actors.insert(who(cx, &ds.audits[e.idx]));
                notes.extend(e.notes.iter().copied());
                let mut ev = cx.ev_audit(e.idx);
                ev.fields.push(("new_owner".into(), e.owner.clone()));
                evidence.push(ev);
            }
            if privileged.contains(&key) {
                notes.insert("the application holds a highly privileged permission");
            }
            let owners: Vec<&str> = owners.into_iter().collect();
            let actors: Vec<&str> = actors.into_iter().collect();
            let own_doing = owners.len() == 1 && actors.len() == 1 && owners[0].eq_ignore_ascii_case(actors[0]);
            let notes: Vec<&str> = notes.into_iter().filter(|n| !(own_doing && *n == SELF)).collect();
            let tail = if notes.is_empty() { String::new() } else { format!(": {}", notes.join("; ")) };
            let summary = if own_doing {
                format!("{} made themselves owner of {app}{tail}", actors[0])
            } else {
                format!("{} made owner of {app} by {}{tail}", join_list(&owners, 3), join_list(&actors, 3))
            };
            let high = own_doing || !notes.is_empty();
            let f = Finding::new(&META, summary, evidence).with_subject(app);
            if high {
                f.with_severity(Severity::High)
            } else {
                f
            }
        })
        .collect()
}
