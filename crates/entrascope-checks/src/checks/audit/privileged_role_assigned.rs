use std::collections::BTreeMap;

use entrascope_core::{declare_check, DataNeed, Finding, SettingKey};
use entrascope_logs::AuditResult;

use super::{
    actors_of, distinct, event_role_names, list, role_display_names, role_event, role_principals, target_break_glass,
    target_name, RoleOp,
};
use crate::refdata;
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Privileged directory roles assigned to an account, active or eligible,
    /// successful or failed: the guide's "changes to privileged account
    /// permissions", "added to eligible privileged role" and "users added to
    /// global or device admin roles".
    ///
    /// ## Why it matters
    /// Every new privileged assignment widens who can take over the tenant.
    /// The guide asks to always alert on them, above all on Global
    /// Administrator and Privileged Role Administrator, and on the device
    /// administrator roles that make someone local administrator on every
    /// joined device.
    ///
    /// ## How it works
    /// Selects role assignments (*Add member to role*, *Add eligible member
    /// to role*, *Add scoped member to role*, and PIM's *Add (eligible)
    /// member to role in PIM completed* / *outside of PIM*), in any result,
    /// not PIM activations (AUDIT-PIM-ACTIVATION-UNUSUAL) and not the
    /// Core Directory copies PIM writes under `MS-PIM`. A role counts when
    /// it is privileged (`data/privileged-roles.tsv`: Microsoft's PRIVILEGED
    /// label, fallback for unknown names containing "Administrator") or a
    /// device administrator role (Global Administrator, Microsoft Entra
    /// Joined Device Local Administrator, Cloud Device Administrator, Intune
    /// Administrator). One finding per account (user or role-assignable
    /// group), listing its new roles, how they were assigned and by whom;
    /// break-glass accounts are left to AUDIT-BREAK-GLASS-CHANGED and service
    /// principals to AUDIT-APP-SP-ROLE-ASSIGNED.
    /// Each finding cites the rows it proves: eligible assignments
    /// privileged-accounts-126, device or Global Administrator roles
    /// devices-177, all privileged-accounts-122.
    ///
    /// Baseline: Sentinel *New User Assigned to Privileged Role* (050b9b3d)
    /// takes roles whose name contains "Admin" and suppresses pairs seen in
    /// the previous 14 days; *User Added to Admin Role* (2a09f8cb) looks at
    /// eligible assignments only. This check uses Microsoft's privileged
    /// label (so Global Reader and Directory Writers count, Exchange
    /// Administrator does not) and reports failed attempts too, as the guide
    /// asks (status success or failure).
    ///
    /// ## False positives
    /// Planned role grants. The assigner and the PIM justification (in the
    /// PIM event's details) show whether the change went through the
    /// process.
    ///
    /// ## How to respond
    /// Confirm each assignment with the role owner. Remove roles that were
    /// not requested, prefer eligible over permanent assignments, and review
    /// the account's sign-ins and actions since the grant.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-privileged-accounts#changes-to-privileged-accounts
    /// - https://learn.microsoft.com/entra/architecture/security-operations-devices#device-administrator-roles
    /// - https://learn.microsoft.com/entra/identity/role-based-access-control/permissions-reference
    /// - Azure-Sentinel: Solutions/Microsoft Entra ID/Analytic Rules/UserAssignedPrivilegedRole.yaml (050b9b3d-53d0-4364-a3da-1b678b8211ec)
    /// - Azure-Sentinel: Detections/AuditLogs/UserAddedtoAdminRole.yaml (2a09f8cb-deb7-4c40-b08b-9137667f1c0b)
    pub static META = {
        code: "AUDIT-PRIV-ROLE-ASSIGNED",
        title: "Privileged role assigned",
        severity: High,
        guide: ["privileged-accounts-122", "privileged-accounts-126", "devices-177"],
        inputs: [DataNeed::Audit],
        settings: [],
        optional_settings: [SettingKey::BreakGlassAccounts],
        tags: ["attack.t1098.003"],
    }
}

#[derive(Default)]
struct Acc {
    name: String,
    rows: Vec<usize>,
    eligible: bool,
    device: bool,
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let mut by_account: BTreeMap<String, Acc> = BTreeMap::new();
    for (i, a) in cx.ds.audits.iter().enumerate() {
        let Some(ev) = role_event(cx, a) else { continue };
        if ev.op != RoleOp::Assign || ev.mirror {
            continue;
        }
        let names = event_role_names(cx, a);
        let privileged = names.iter().any(|r| refdata::is_privileged_role(r));
        let device = names.iter().any(|r| refdata::is_device_admin_role(r));
        if !privileged && !device {
            continue;
        }
        for t in role_principals(cx, a) {
            if target_break_glass(cx, t) || cx.s(t.kind).eq_ignore_ascii_case("ServicePrincipal") {
                continue;
            }
            let name = target_name(cx, t);
            let acc = by_account.entry(name.to_lowercase()).or_default();
            acc.name = name.to_string();
            acc.rows.push(i);
            acc.eligible |= ev.eligible;
            acc.device |= device;
        }
    }
    by_account
        .into_values()
        .map(|acc| {
            let roles = distinct(acc.rows.iter().flat_map(|&i| role_display_names(cx, &cx.ds.audits[i])));
            let actors = actors_of(cx, acc.rows.iter().copied());
            let failed = acc.rows.iter().filter(|&&i| cx.ds.audits[i].result == AuditResult::Failure).count();
            let evs: Vec<_> = acc.rows.iter().filter_map(|&i| role_event(cx, &cx.ds.audits[i])).collect();
            let mut kinds = Vec::new();
            if evs.iter().any(|e| e.eligible) {
                kinds.push("eligible");
            }
            if evs.iter().any(|e| e.outside_pim) {
                kinds.push("active, outside PIM");
            } else if evs.iter().any(|e| !e.eligible) {
                kinds.push("active");
            }
            let fails = if failed == acc.rows.len() {
                " (attempt failed)".to_string()
            } else if failed > 0 {
                format!(" ({failed} attempts failed)")
            } else {
                String::new()
            };
            let summary =
                format!("{} was given {} ({}) by {}{fails}", acc.name, list(&roles, 4), kinds.join(", "), list(&actors, 3));
            let mut guide = vec!["privileged-accounts-122"];
            if acc.eligible {
                guide.push("privileged-accounts-126");
            }
            if acc.device {
                guide.push("devices-177");
            }
            Finding::new(&META, summary, acc.rows.iter().map(|&i| cx.ev_audit(i)).collect())
                .with_subject(acc.name.clone())
                .with_guide(&guide)
        })
        .collect()
}
