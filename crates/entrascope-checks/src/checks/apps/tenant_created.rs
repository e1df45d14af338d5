use std::collections::BTreeMap;

use entrascope_core::{declare_check, DataNeed, Finding, SettingKey, Severity};

use super::{activity, join_list, who};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// A new Microsoft Entra tenant created by an identity of this tenant:
    /// the *Create Company* activity (category DirectoryManagement) that
    /// the home tenant logs when one of its users creates a tenant.
    ///
    /// ## Why it matters
    /// A tenant created by an employee sits outside the organization's
    /// policies and monitoring yet can carry its brand; attackers create
    /// tenants from compromised accounts to host malicious multi-tenant
    /// applications, to phish from a trusted-looking directory, or to set up
    /// cross-tenant synchronization out of reach.
    ///
    /// ## How it works
    /// Selects successful *Create Company* events (any case; *Create company
    /// settings* and *Update company* are other activities). The created
    /// tenant's id is the event's target. One finding per actor, listing the
    /// tenants created; the finding is high when the actor is privileged
    /// (configured or learned from role assignments), since a privileged
    /// identity can be used to set up trust with the new tenant. No public
    /// detection rule exists for this guide row.
    ///
    /// ## False positives
    /// Developers creating test tenants, or administrators creating an Azure
    /// AD B2C or External ID tenant for a project. Restrict tenant creation
    /// (user setting "Restrict non-admin users from creating tenants") and
    /// keep a register of the organization's tenants.
    ///
    /// ## How to respond
    /// Ask the creator what the tenant is for. Record it or have it deleted;
    /// check whether it appears in cross-tenant access settings or as the
    /// publisher of applications consented to in this tenant.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-infrastructure#monitoring-for-creation-of-new-microsoft-entra-tenants
    /// - https://learn.microsoft.com/entra/fundamentals/users-default-permissions#restrict-member-users-default-permissions
    pub static META = {
        code: "AUDIT-TENANT-CREATED",
        title: "New Microsoft Entra tenant created by an identity of this tenant",
        severity: Medium,
        guide: ["infrastructure-193"],
        inputs: [DataNeed::Audit],
        settings: [],
        optional_settings: [SettingKey::PrivilegedAccounts],
        tags: ["attack.t1583", "attack.t1484.002"],
    }
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let ds = cx.ds;
    let mut by_actor: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, a) in cx.audits_ok() {
        if activity(cx, a) == "create company" {
            by_actor.entry(who(cx, a)).or_default().push(i);
        }
    }
    by_actor
        .into_iter()
        .map(|(actor, rows)| {
            let mut tenants: Vec<String> = Vec::new();
            let mut evidence = Vec::new();
            for &i in &rows {
                let a = &ds.audits[i];
                let mut ev = cx.ev_audit(i);
                for t in ds.targets(a) {
                    let id = ds.str(t.id).trim();
                    let name = ds.str(t.display).trim();
                    let label = match (name.is_empty(), id.is_empty()) {
                        (false, false) if !name.eq_ignore_ascii_case(id) => format!("{name} ({id})"),
                        (false, _) => name.to_string(),
                        (true, false) => id.to_string(),
                        (true, true) => continue,
                    };
                    ev.fields.push(("created_tenant".into(), label.clone()));
                    tenants.push(label);
                }
                evidence.push(ev);
            }
            tenants.sort();
            tenants.dedup();
            let privileged = rows.iter().any(|&i| cx.is_privileged(cx.actor(&ds.audits[i]), ds.audits[i].time));
            let summary = format!(
                "{actor}{} created {}{}",
                if privileged { " (privileged)" } else { "" },
                if rows.len() == 1 {
                    "a new Microsoft Entra tenant".to_string()
                } else {
                    format!("{} new Microsoft Entra tenants", rows.len())
                },
                if tenants.is_empty() { String::new() } else { format!(": {}", join_list(&tenants, 3)) }
            );
            let f = Finding::new(&META, summary, evidence).with_subject(actor);
            if privileged {
                f.with_severity(Severity::High)
            } else {
                f
            }
        })
        .collect()
}
