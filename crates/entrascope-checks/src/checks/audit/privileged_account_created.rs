use std::collections::HashMap;

use entrascope_core::time::MS_PER_DAY;
use entrascope_core::{declare_check, DataNeed, Finding};
use entrascope_logs::Sym;

use super::{
    activity, distinct, duration, has_privileged_role, list, role_display_names, role_event, succeeded, user_targets, who, RoleOp,
};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// New accounts given a privileged directory role (active or eligible)
    /// within 7 days of being created.
    ///
    /// ## Why it matters
    /// A fresh account that becomes an administrator within days is how an
    /// attacker with role-management rights builds a backdoor that survives
    /// a password reset of the account they first compromised. Legitimate
    /// administrator accounts are created too, but rarely, and through a
    /// known process.
    ///
    /// ## How it works
    /// One pass over the audit log in time order. Each successful *Add
    /// user* records its target's object id and user principal name. Each
    /// successful role assignment (*Add member to role*, *Add eligible
    /// member to role*, their PIM and outside-PIM variants, not activations)
    /// of a privileged role (`data/privileged-roles.tsv`: Microsoft's
    /// PRIVILEGED label, with a fallback for unknown names containing
    /// "Administrator") to a recorded account within 7 days (`WINDOW_DAYS`,
    /// the privileged access guide's FAQ) is reported with the creation. One
    /// finding per account.
    ///
    /// Baseline: the Sentinel hunting query *Privileged role assigned to
    /// newly created account* (1bb5e930) joins on the object id with a
    /// 24-hour window and 11 hard-coded roles; this check uses Microsoft's
    /// own privileged label, includes eligible (PIM) assignments, and the
    /// guide's 7 days. Sentinel *New User Assigned to Privileged Role*
    /// (050b9b3d) alerts on any new admin assignment; AUDIT-PRIV-ROLE-ASSIGNED
    /// covers that.
    ///
    /// ## False positives
    /// A new administrator onboarded through the normal process. The creator
    /// and the assigner in the evidence should be the identity team.
    ///
    /// ## How to respond
    /// Confirm the account was requested and that its owner exists. If not,
    /// remove the role, disable the account, and review what it did and how
    /// the creator and the assigner got their rights.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-privileged-accounts#changes-to-privileged-accounts
    /// - https://learn.microsoft.com/entra/architecture/security-operations-user-accounts#short-lived-accounts
    /// - https://learn.microsoft.com/entra/identity/role-based-access-control/security-planning
    /// - Azure-Sentinel: Hunting Queries/AuditLogs/PrivilegedRoleAssignedToNewAccount.yaml (1bb5e930-18be-454d-b0d9-351eef15871a)
    /// - Azure-Sentinel: Solutions/Microsoft Entra ID/Analytic Rules/UserAssignedPrivilegedRole.yaml (050b9b3d-53d0-4364-a3da-1b678b8211ec)
    pub static META = {
        code: "AUDIT-PRIV-ACCOUNT-CREATED",
        title: "New account given a privileged role shortly after creation",
        severity: High,
        guide: ["privileged-accounts-120", "user-accounts-003", "pa-007"],
        inputs: [DataNeed::Audit],
        settings: [],
        optional_settings: [],
        tags: ["attack.t1136.003", "attack.t1098.003"],
    }
}

/// Days between creation and a privileged role assignment.
pub const WINDOW_DAYS: i64 = 7;

pub fn run(cx: &Context) -> Vec<Finding> {
    let window = WINDOW_DAYS * MS_PER_DAY;
    let mut created_id: HashMap<Sym, usize> = HashMap::new();
    let mut created_upn: HashMap<Sym, usize> = HashMap::new();
    // Creation event → role assignment events, in creation order.
    let mut hits: Vec<(usize, Vec<usize>)> = Vec::new();
    let mut hit_of: HashMap<usize, usize> = HashMap::new();
    for (i, a) in cx.ds.audits.iter().enumerate() {
        if !succeeded(a) {
            continue;
        }
        if activity(cx, a) == "add user" {
            for t in user_targets(cx, a) {
                if !t.id.is_empty() {
                    created_id.insert(t.id, i);
                }
                if !t.upn.is_empty() {
                    created_upn.insert(t.upn, i);
                }
            }
            continue;
        }
        if !role_event(cx, a).is_some_and(|r| r.op == RoleOp::Assign) || !has_privileged_role(cx, a) {
            continue;
        }
        for t in user_targets(cx, a) {
            let c = if t.id.is_empty() { None } else { created_id.get(&t.id).copied() }.or_else(|| {
                if t.upn.is_empty() {
                    None
                } else {
                    created_upn.get(&t.upn).copied()
                }
            });
            let Some(c) = c else { continue };
            if a.time.0 - cx.ds.audits[c].time.0 > window {
                continue;
            }
            let slot = *hit_of.entry(c).or_insert_with(|| {
                hits.push((c, Vec::new()));
                hits.len() - 1
            });
            hits[slot].1.push(i);
        }
    }
    hits.into_iter()
        .map(|(c, assigns)| {
            let ca = &cx.ds.audits[c];
            let account =
                user_targets(cx, ca).map(|t| if t.upn.is_empty() { cx.s(t.id) } else { cx.s(t.upn) }).next().unwrap_or("");
            let roles = distinct(assigns.iter().flat_map(|&i| role_display_names(cx, &cx.ds.audits[i])));
            let first = &cx.ds.audits[assigns[0]];
            let summary = format!(
                "{account} was created by {} and given {} by {} {} later",
                who(cx.actor(ca)),
                list(&roles, 4),
                who(cx.actor(first)),
                duration(first.time.0 - ca.time.0)
            );
            let mut evidence = vec![cx.ev_audit(c)];
            evidence.extend(assigns.iter().map(|&i| cx.ev_audit(i)));
            Finding::new(&META, summary, evidence).with_subject(account)
        })
        .collect()
}
