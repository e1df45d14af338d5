use std::collections::BTreeMap;

use entrascope_core::time::MS_PER_MINUTE;
use entrascope_core::{declare_check, DataNeed, Finding};

use super::{
    distinct, duration, has_privileged_role, initiated_by_pim, list, role_event, role_principals, target_name, target_privileged,
    who, RoleOp,
};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Bursts of directory-role changes by one actor: many role assignments
    /// or removals within an hour.
    ///
    /// ## Why it matters
    /// Bulk grants prepare a takeover (several backdoor administrators at
    /// once); bulk removals lock the real administrators out or strip the
    /// responders before an attack. The guide asks to investigate at once
    /// any such change that was not planned.
    ///
    /// ## How it works
    /// Role assignments and removals (active or eligible, Core Directory or
    /// PIM, any result; not activations, not the copies or verdicts the PIM
    /// service writes under `MS-PIM`) are grouped by actor and swept in time
    /// order with a 60-minute window. The guide's default thresholds apply
    /// (row pim-142: "4 in 60 minutes for users and 2 in 60 minutes for
    /// privileged accounts"): a window triggers with `THRESHOLD_USERS` (4)
    /// changes of any kind, or with `THRESHOLD_PRIVILEGED` (2) removals that
    /// take access from a privileged account, meaning a privileged role
    /// (`data/privileged-roles.tsv`) or a target that was privileged before
    /// (settings or an earlier privileged assignment): two administrators
    /// losing their roles within the hour is how a lockout starts. The
    /// lower threshold is not applied to assignments, because every
    /// privileged assignment is already its own finding
    /// (AUDIT-PRIV-ROLE-ASSIGNED); a "bulk" of two would only repeat it.
    /// Overlapping windows merge into one burst; one finding per burst,
    /// citing pim-142 for assignments and pim-143 for removals.
    ///
    /// Baseline: Sentinel *Bulk Changes to Privileged Account Permissions*
    /// (218f60de) counts assignments only, of roles containing "Admin", and
    /// needs more than 9 distinct users in a fixed hourly bin, so a burst
    /// that straddles the hour or removes access goes unseen; the sliding
    /// window and the guide's thresholds close those gaps.
    ///
    /// ## False positives
    /// Planned reorganizations and onboarding of an admin team, scripted
    /// role reviews removing stale assignments. Match the burst to a change
    /// ticket.
    ///
    /// ## How to respond
    /// List the accounts and roles in the evidence and confirm the change
    /// with its author. Revert grants nobody requested, restore removed
    /// administrators, and review the actor's sign-ins and authority.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-privileged-identity-management#azure-ad-roles-assignment
    /// - Azure-Sentinel: Solutions/Microsoft Entra ID/Analytic Rules/BulkChangestoPrivilegedAccountPermissions.yaml (218f60de-c269-457a-b882-9966632b9dc6)
    pub static META = {
        code: "AUDIT-BULK-ROLE-CHANGES",
        title: "Bulk role assignments or removals",
        severity: High,
        guide: ["pim-142", "pim-143"],
        inputs: [DataNeed::Audit],
        settings: [],
        optional_settings: [],
        tags: ["attack.t1098.003", "attack.t1531"],
    }
}

/// Changes in the window that trigger, when none concerns a privileged account.
pub const THRESHOLD_USERS: usize = 4;
/// Changes concerning privileged accounts in the window that trigger.
pub const THRESHOLD_PRIVILEGED: usize = 2;
/// The sliding window.
pub const WINDOW_MINUTES: i64 = 60;

struct Change {
    idx: usize,
    time: i64,
    privileged: bool,
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let mut by_actor: BTreeMap<String, Vec<Change>> = BTreeMap::new();
    for (i, a) in cx.ds.audits.iter().enumerate() {
        let Some(ev) = role_event(cx, a) else { continue };
        if !matches!(ev.op, RoleOp::Assign | RoleOp::Remove) || ev.mirror || ev.outside_pim || initiated_by_pim(cx, a) {
            continue;
        }
        // The lower threshold applies to removals: every privileged
        // assignment is already reported on its own by AUDIT-PRIV-ROLE-ASSIGNED.
        let before = entrascope_core::Timestamp(a.time.0 - 1);
        let privileged = ev.op == RoleOp::Remove
            && (has_privileged_role(cx, a) || role_principals(cx, a).iter().any(|t| target_privileged(cx, t, before)));
        by_actor.entry(cx.actor(a).to_lowercase()).or_default().push(Change { idx: i, time: a.time.0, privileged });
    }
    let window = WINDOW_MINUTES * MS_PER_MINUTE;
    let mut out = Vec::new();
    for changes in by_actor.into_values() {
        let mut marked = vec![false; changes.len()];
        let (mut lo, mut priv_in) = (0, 0);
        for hi in 0..changes.len() {
            priv_in += changes[hi].privileged as usize;
            while changes[hi].time - changes[lo].time > window {
                priv_in -= changes[lo].privileged as usize;
                lo += 1;
            }
            if hi + 1 - lo >= THRESHOLD_USERS || priv_in >= THRESHOLD_PRIVILEGED {
                marked[lo..=hi].iter_mut().for_each(|m| *m = true);
            }
        }
        let mut k = 0;
        while k < changes.len() {
            if !marked[k] {
                k += 1;
                continue;
            }
            let start = k;
            while k + 1 < changes.len() && marked[k + 1] && changes[k + 1].time - changes[k].time <= window {
                k += 1;
            }
            out.push(burst(cx, &changes[start..=k]));
            k += 1;
        }
    }
    out
}

fn burst(cx: &Context, changes: &[Change]) -> Finding {
    let first = &cx.ds.audits[changes[0].idx];
    let actor = who(cx.actor(first));
    let (mut adds, mut removes) = (0, 0);
    let mut targets = Vec::new();
    for c in changes {
        let a = &cx.ds.audits[c.idx];
        match role_event(cx, a).map(|r| r.op) {
            Some(RoleOp::Assign) => adds += 1,
            _ => removes += 1,
        }
        targets.extend(role_principals(cx, a).into_iter().map(|t| target_name(cx, t)));
    }
    let targets = distinct(targets);
    let mut what = Vec::new();
    if adds > 0 {
        what.push(format!("{adds} role assignments"));
    }
    if removes > 0 {
        what.push(format!("{removes} role removals"));
    }
    let span = changes[changes.len() - 1].time - changes[0].time;
    let summary = format!("{actor} made {} in {} affecting {}", what.join(" and "), duration(span), list(&targets, 5));
    let mut guide = Vec::new();
    if adds > 0 {
        guide.push("pim-142");
    }
    if removes > 0 {
        guide.push("pim-143");
    }
    Finding::new(&META, summary, changes.iter().map(|c| cx.ev_audit(c.idx)).collect()).with_subject(actor).with_guide(&guide)
}
