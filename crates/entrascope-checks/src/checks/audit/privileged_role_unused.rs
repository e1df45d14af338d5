use std::collections::{BTreeMap, HashMap};

use entrascope_core::time::MS_PER_DAY;
use entrascope_core::{declare_check, DataNeed, Finding};
use entrascope_logs::Sym;

use super::{
    distinct, has_privileged_role, list, role_display_names, role_event, succeeded, target_key, target_name, user_targets, RoleOp,
};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Users made eligible for a privileged role who did not activate it in
    /// the 30 days that followed: PIM's "administrators aren't using their
    /// privileged roles".
    ///
    /// ## Why it matters
    /// Eligibility nobody uses is standing privilege without purpose: it
    /// widens the attack surface (every eligible account can become an
    /// administrator) and is easy to forget in reviews.
    ///
    /// ## How it works
    /// Successful eligible assignments of a privileged role
    /// (`data/privileged-roles.tsv`) in the audit log (*Add eligible member
    /// to role in PIM completed*, Core Directory *Add eligible member to
    /// role* not written by the PIM service) are followed for `DAYS` (30)
    /// days: the assignment is reported when the user made no successful
    /// activation (*Add member to role completed (PIM activation)*) of that
    /// role in that time and the eligibility was not removed. Assignments
    /// made less than 30 days before the end of the audit export are not
    /// judged yet. One finding per user, listing the unused roles.
    ///
    /// PIM's alert takes "days without activating a role" from 0 to 100 and
    /// sees eligibility granted before the export; an audit export only
    /// shows assignments made during its period, so this is an
    /// approximation (the row is "partial").
    ///
    /// ## False positives
    /// Roles kept for rare duties (quarterly tasks, incident response
    /// deputies). Use access reviews to confirm them periodically.
    ///
    /// ## How to respond
    /// Ask the user and their manager whether the role is still needed;
    /// remove the eligibility otherwise, and schedule access reviews for the
    /// role.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/id-governance/privileged-identity-management/pim-how-to-configure-security-alerts#administrators-arent-using-their-privileged-roles
    /// - https://learn.microsoft.com/entra/architecture/security-operations-privileged-identity-management
    pub static META = {
        code: "AUDIT-PRIV-ROLE-UNUSED",
        title: "Eligible privileged role never activated",
        severity: Low,
        guide: ["pim-137"],
        inputs: [DataNeed::AuditSpanDays(30)],
        settings: [],
        optional_settings: [],
        tags: ["attack.t1078.004"],
    }
}

/// Days an eligible user has to activate the role.
pub const DAYS: i64 = 30;

fn roles_lc(cx: &Context, a: &entrascope_logs::AuditEvent) -> Vec<String> {
    role_display_names(cx, a).iter().map(|r| r.to_lowercase()).collect()
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let Some(end) = cx.ds.audits.iter().map(|a| a.time.0).max() else { return Vec::new() };
    let window = DAYS * MS_PER_DAY;
    let mut eligible: Vec<(usize, Sym)> = Vec::new();
    // target → (time, roles) of activations and of eligibility removals
    let mut activations: HashMap<Sym, Vec<(i64, Vec<String>)>> = HashMap::new();
    let mut removals: HashMap<Sym, Vec<(i64, Vec<String>)>> = HashMap::new();
    for (i, a) in cx.ds.audits.iter().enumerate() {
        if !succeeded(a) {
            continue;
        }
        let Some(ev) = role_event(cx, a) else { continue };
        for t in user_targets(cx, a) {
            let key = target_key(t);
            match ev.op {
                RoleOp::Assign if ev.eligible && !ev.mirror && has_privileged_role(cx, a) => eligible.push((i, key)),
                RoleOp::Activate => activations.entry(key).or_default().push((a.time.0, roles_lc(cx, a))),
                RoleOp::Remove if ev.eligible => removals.entry(key).or_default().push((a.time.0, roles_lc(cx, a))),
                _ => {}
            }
        }
    }
    let within = |list: Option<&Vec<(i64, Vec<String>)>>, from: i64, roles: &[String]| {
        list.is_some_and(|l| {
            l.iter().any(|(t, r)| *t >= from && *t <= from + window && (r.is_empty() || r.iter().any(|x| roles.contains(x))))
        })
    };
    let mut by_user: BTreeMap<String, (String, Vec<usize>)> = BTreeMap::new();
    for (i, key) in eligible {
        let a = &cx.ds.audits[i];
        if end - a.time.0 < window {
            continue;
        }
        let roles = roles_lc(cx, a);
        if within(activations.get(&key), a.time.0, &roles) || within(removals.get(&key), a.time.0, &roles) {
            continue;
        }
        let name = user_targets(cx, a).find(|t| target_key(t) == key).map(|t| target_name(cx, t)).unwrap_or("");
        by_user.entry(name.to_lowercase()).or_insert_with(|| (name.to_string(), Vec::new())).1.push(i);
    }
    by_user
        .into_values()
        .map(|(user, rows)| {
            let roles = distinct(rows.iter().flat_map(|&i| role_display_names(cx, &cx.ds.audits[i])));
            let summary = format!("{user} was made eligible for {} and did not activate it within {DAYS} days", list(&roles, 4));
            Finding::new(&META, summary, rows.iter().map(|&i| cx.ev_audit(i)).collect()).with_subject(user)
        })
        .collect()
}
