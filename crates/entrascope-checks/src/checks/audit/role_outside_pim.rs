use std::collections::BTreeMap;

use entrascope_core::{declare_check, DataNeed, Finding};

use super::{
    activity, actors_of, distinct, has_privileged_role, list, role_display_names, role_event, role_principals, succeeded,
    target_name, RoleOp,
};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Privileged directory roles assigned outside Privileged Identity
    /// Management: PIM's own *Add member to role outside of PIM* record, and
    /// Core Directory *Add member to role* events not initiated by the PIM
    /// service (`MS-PIM`).
    ///
    /// ## Why it matters
    /// Assignments made outside PIM are permanent, skip PIM's approval,
    /// justification and MFA-on-activation, and are not watched by PIM's
    /// reviews. PIM raises a high-severity alert for them; an attacker with
    /// a privileged role uses the plain API precisely to avoid PIM.
    ///
    /// ## How it works
    /// Sentinel's logic (*Privileged Role Assigned Outside PIM*, 269435e3):
    /// category RoleManagement, and either the activity *Add member to role
    /// outside of PIM* or a Core Directory *Add member to role* (also *Add
    /// scoped member to role*) whose initiator is not `MS-PIM` or
    /// `MS-PIM-Fairfax`. Successful events only. Improvements: only
    /// privileged roles count (`data/privileged-roles.tsv`; Sentinel's rule
    /// takes any role despite its name, which floods on Reports Reader and
    /// similar); the two records of the same assignment are merged into one
    /// finding per account.
    ///
    /// ## False positives
    /// Tenants without PIM (no Entra ID P2) assign every role outside PIM;
    /// the finding then says "use PIM". Emergency assignments made during an
    /// outage are legitimate but should be converted to PIM afterwards.
    ///
    /// ## How to respond
    /// Confirm the assignment with its author. Remove it and re-create it in
    /// PIM (eligible, time-bound, with approval for the top roles), and find
    /// out which tool or script assigns roles directly.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-privileged-accounts#assignment-and-elevation
    /// - https://learn.microsoft.com/entra/id-governance/privileged-identity-management/pim-how-to-configure-security-alerts#roles-are-being-assigned-outside-of-privileged-identity-management
    /// - Azure-Sentinel: Solutions/Microsoft Entra ID/Analytic Rules/PrivlegedRoleAssignedOutsidePIM.yaml (269435e3-1db8-4423-9dfc-9bf59997da1c)
    pub static META = {
        code: "AUDIT-ROLE-OUTSIDE-PIM",
        title: "Privileged role assigned outside PIM",
        severity: High,
        guide: ["privileged-accounts-127", "pim-135"],
        inputs: [DataNeed::Audit],
        settings: [],
        optional_settings: [],
        tags: ["attack.t1098.003", "attack.t1078.004"],
    }
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let mut by_account: BTreeMap<String, (String, Vec<usize>)> = BTreeMap::new();
    for (i, a) in cx.ds.audits.iter().enumerate() {
        if !succeeded(a) {
            continue;
        }
        let Some(ev) = role_event(cx, a) else { continue };
        if ev.op != RoleOp::Assign || ev.eligible || ev.mirror {
            continue;
        }
        let act = activity(cx, a);
        let direct = cx.s(a.service).eq_ignore_ascii_case("Core Directory")
            && (act == "add member to role" || act == "add scoped member to role");
        if !(ev.outside_pim || direct) || !has_privileged_role(cx, a) {
            continue;
        }
        for t in role_principals(cx, a) {
            let name = target_name(cx, t);
            by_account.entry(name.to_lowercase()).or_insert_with(|| (name.to_string(), Vec::new())).1.push(i);
        }
    }
    by_account
        .into_values()
        .map(|(name, rows)| {
            let roles = distinct(rows.iter().flat_map(|&i| role_display_names(cx, &cx.ds.audits[i])));
            let actors = actors_of(cx, rows.iter().copied());
            let by = if actors.iter().all(|a| a.to_ascii_lowercase().starts_with("ms-pim")) {
                "(recorded by PIM)".to_string()
            } else {
                format!("by {}", list(&actors, 3))
            };
            let summary = format!(
                "{name} was given {} outside PIM {by}: permanent, without approval or MFA on activation",
                list(&roles, 4)
            );
            Finding::new(&META, summary, rows.iter().map(|&i| cx.ev_audit(i)).collect()).with_subject(name)
        })
        .collect()
}
