use std::collections::BTreeMap;

use entrascope_core::{declare_check, DataNeed, Finding, SettingKey};

use super::{
    distinct, has_privileged_role, list, role_display_names, role_event, target_break_glass, user_targets, with_field, RoleOp,
};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Accounts given a privileged directory role (active or eligible) whose
    /// user principal name does not follow the administrator naming policy
    /// (`naming_policy.admin`, for example `^adm-[a-z]+@contoso\.com$`).
    ///
    /// ## Why it matters
    /// Privileged access belongs on separate, recognizable administrator
    /// accounts. A role on an everyday account (mail, browsing, Teams)
    /// exposes it to phishing; a role on an oddly named account may be an
    /// attacker's backdoor.
    ///
    /// ## How it works
    /// Selects successful role assignments (*Add member to role*, *Add
    /// eligible member to role*, their PIM and "outside of PIM" variants;
    /// not activations) of a privileged role (`data/privileged-roles.tsv`:
    /// Microsoft's PRIVILEGED label, with a fallback for unknown names that
    /// contain "Administrator") and tests each user target's principal name
    /// against `naming_policy.admin`. Break-glass accounts are skipped (they
    /// are named by their own rule and watched by their own check). One
    /// finding per account, listing its roles.
    ///
    /// The guide asks to list every role assignment; an audit export shows
    /// only the assignments made during its period, so accounts that held a
    /// role before it are not seen (the row is "partial").
    ///
    /// ## False positives
    /// Service accounts and emergency accounts that legitimately hold roles
    /// but use another format. Widen the expression or list them as
    /// break-glass.
    ///
    /// ## How to respond
    /// Move the role to a dedicated administrator account that follows the
    /// standard, remove it from the everyday account, and review what the
    /// account did while it held the role.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-user-accounts#accounts-not-following-naming-policies
    /// - https://learn.microsoft.com/entra/architecture/security-operations-privileged-accounts#things-to-monitor
    /// - https://learn.microsoft.com/entra/identity/role-based-access-control/permissions-reference
    pub static META = {
        code: "AUDIT-PRIVILEGED-NAMING",
        title: "Privileged role given to an account outside the admin naming policy",
        severity: High,
        guide: ["user-accounts-007", "privileged-accounts-101"],
        inputs: [DataNeed::Audit],
        settings: [SettingKey::NamingPolicyAdmin],
        optional_settings: [SettingKey::BreakGlassAccounts],
        tags: ["attack.t1098.003"],
    }
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let Some(admin_re) = cx.naming_admin.as_ref() else { return Vec::new() };
    let mut by_account: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, a) in cx.audits_ok() {
        let Some(ev) = role_event(cx, a) else { continue };
        if ev.op != RoleOp::Assign || !has_privileged_role(cx, a) {
            continue;
        }
        for t in user_targets(cx, a) {
            let upn = cx.s(t.upn);
            if upn.is_empty() || target_break_glass(cx, t) || admin_re.is_match(upn) {
                continue;
            }
            by_account.entry(upn.to_lowercase()).or_default().push(i);
        }
    }
    let policy = cx.settings.naming_policy.admin.as_deref().unwrap_or("");
    by_account
        .into_iter()
        .map(|(upn, rows)| {
            let roles = distinct(rows.iter().flat_map(|&i| role_display_names(cx, &cx.ds.audits[i])));
            let summary = format!("{upn} was given {} but does not follow the administrator naming policy", list(&roles, 4));
            let evidence = rows.iter().map(|&i| with_field(cx.ev_audit(i), "naming_policy", policy)).collect();
            Finding::new(&META, summary, evidence).with_subject(upn)
        })
        .collect()
}
