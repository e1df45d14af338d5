use std::collections::BTreeMap;

use entrascope_core::{declare_check, DataNeed, Finding, SettingKey, Severity};

use super::{
    distinct, has_privileged_role, initiated_by_pim, list, plural, role_display_names, role_event, role_principals, succeeded,
    target_name, who, RoleOp,
};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Directory roles assigned or removed by someone who is not in
    /// `approved_actors.role_management`.
    ///
    /// ## Why it matters
    /// Role management should be in few hands (a PIM administrator, an
    /// identity team). A grant or removal by anyone else is either an
    /// attacker using a privileged role or a process outside governance;
    /// both are the "assignments outside normal responsibilities" the guide
    /// asks to alert on.
    ///
    /// ## How it works
    /// Successful role assignments and removals (active or eligible, Core
    /// Directory or PIM) whose initiator (user principal name, else
    /// application name) does not match the approved list. Activations,
    /// approvals, and everything the PIM service writes itself (`MS-PIM`:
    /// copies of PIM changes, outside-PIM verdicts) are left out: their
    /// real author appears in the PIM event. One finding per actor; medium,
    /// high when a privileged role (`data/privileged-roles.tsv`) is among
    /// the changes.
    ///
    /// ## False positives
    /// Administrators new to the role-management team, automation accounts
    /// for access reviews or entitlement management. List them.
    ///
    /// ## How to respond
    /// Confirm each change with the actor and the role owner, revert those
    /// nobody requested, and find out how the actor obtained role-management
    /// rights (which role, assigned when and by whom).
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-privileged-accounts#changes-to-privileged-accounts
    /// - https://learn.microsoft.com/entra/architecture/security-operations-privileged-identity-management#azure-ad-roles-assignment
    pub static META = {
        code: "AUDIT-ROLE-UNAPPROVED-ACTOR",
        title: "Roles changed by a non-approved actor",
        severity: Medium,
        guide: ["privileged-accounts-122", "pim-142"],
        inputs: [DataNeed::Audit],
        settings: [SettingKey::ApprovedRoleManagement],
        optional_settings: [],
        tags: ["attack.t1098.003"],
    }
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let mut by_actor: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, a) in cx.ds.audits.iter().enumerate() {
        if !succeeded(a) || initiated_by_pim(cx, a) {
            continue;
        }
        let Some(ev) = role_event(cx, a) else { continue };
        if !matches!(ev.op, RoleOp::Assign | RoleOp::Remove) || ev.mirror || ev.outside_pim {
            continue;
        }
        let actor = cx.actor(a);
        if cx.approved.role_management.matches(actor) {
            continue;
        }
        by_actor.entry(actor.to_lowercase()).or_default().push(i);
    }
    by_actor
        .into_values()
        .map(|rows| {
            let actor = who(cx.actor(&cx.ds.audits[rows[0]]));
            let roles = distinct(rows.iter().flat_map(|&i| role_display_names(cx, &cx.ds.audits[i])));
            let targets = distinct(
                rows.iter().flat_map(|&i| role_principals(cx, &cx.ds.audits[i]).into_iter().map(|t| target_name(cx, t))),
            );
            let adds = rows.iter().filter(|&&i| role_event(cx, &cx.ds.audits[i]).is_some_and(|r| r.op == RoleOp::Assign)).count();
            let removes = rows.len() - adds;
            let mut what = Vec::new();
            if adds > 0 {
                what.push(format!("made {}", plural(adds, "role assignment")));
            }
            if removes > 0 {
                what.push(format!("removed {}", plural(removes, "role assignment")));
            }
            let summary = format!(
                "{actor} {} ({}) for {} without being an approved role-management actor",
                what.join(" and "),
                list(&roles, 4),
                list(&targets, 4)
            );
            let privileged = rows.iter().any(|&i| has_privileged_role(cx, &cx.ds.audits[i]));
            let f = Finding::new(&META, summary, rows.iter().map(|&i| cx.ev_audit(i)).collect()).with_subject(actor);
            if privileged {
                f.with_severity(Severity::High)
            } else {
                f
            }
        })
        .collect()
}
