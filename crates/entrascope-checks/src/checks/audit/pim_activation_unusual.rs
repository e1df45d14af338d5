use std::collections::{BTreeMap, HashMap, HashSet};

use entrascope_core::time::MS_PER_DAY;
use entrascope_core::{declare_check, DataNeed, Finding, SettingKey, Severity};

use super::{distinct, list, role_display_names, role_event, succeeded, target_name, user_targets, with_field, RoleOp};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// PIM role activations outside the activating user's usual pattern: the
    /// first activation of a role the user has never activated before, once
    /// the user has an activation history, and (when `business_hours` is
    /// set) activations outside business hours.
    ///
    /// ## Why it matters
    /// An elevation is the moment an account gets its power. An attacker
    /// holding an administrator's session activates whatever role is
    /// eligible, at whatever hour suits them; the guide asks to alert on
    /// elevations that break the user's standard pattern.
    ///
    /// ## How it works
    /// One pass over successful *Add member to role completed (PIM
    /// activation)* events in time order, keyed by the activating user (the
    /// user target) and the role. An activation is unusual when:
    /// - the role is new for the user, the user already has at least
    ///   `MIN_HISTORY` (3) activations, and the first of them is at least
    ///   `HISTORY_DAYS` (7) days older: a baseline exists and this breaks it;
    /// - or `business_hours` is set and the activation falls outside them
    ///   (in the configured time zone and days).
    ///
    /// One finding per user with the unusual activations and the reason for
    /// each; high when one activation meets both conditions.
    ///
    /// Baseline: the Sentinel hunting query *PIM role activation outside
    /// business hours* (8a1fb81a) uses fixed UTC hours 07:00–20:00 and
    /// weekends; here hours and days come from the tenant's settings, and
    /// the per-user new-role test needs no settings at all.
    ///
    /// ## False positives
    /// On-call work at night, and an administrator taking on a new duty. The
    /// PIM justification text (in the event details) usually explains them.
    ///
    /// ## How to respond
    /// Ask the user whether they activated the role. If not, end the
    /// activation (remove the active assignment), reset the account's
    /// credentials, and review everything it did while elevated.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-privileged-accounts#assignment-and-elevation
    /// - https://learn.microsoft.com/entra/id-governance/privileged-identity-management/pim-how-to-use-audit-log
    /// - Azure-Sentinel: Hunting Queries/AuditLogs/PIMRoleActivationOutsideBusinessHours.yaml (8a1fb81a-b672-4e8c-9799-9c7fd2431688)
    pub static META = {
        code: "AUDIT-PIM-ACTIVATION-UNUSUAL",
        title: "PIM activation outside the user's usual pattern",
        severity: Medium,
        guide: ["privileged-accounts-128"],
        inputs: [DataNeed::Audit],
        settings: [],
        optional_settings: [SettingKey::BusinessHours],
        tags: ["attack.t1078.004", "attack.t1548"],
    }
}

/// Earlier activations a user needs before a new role counts as unusual.
pub const MIN_HISTORY: usize = 3;
/// Age the user's first activation must have before a new role counts.
pub const HISTORY_DAYS: i64 = 7;

#[derive(Default)]
struct History {
    first: i64,
    count: usize,
    roles: HashSet<String>,
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let mut history: HashMap<String, History> = HashMap::new();
    // user → (activation index, reasons)
    let mut unusual: BTreeMap<String, Vec<(usize, Vec<&'static str>)>> = BTreeMap::new();
    for (i, a) in cx.ds.audits.iter().enumerate() {
        if !succeeded(a) || !role_event(cx, a).is_some_and(|r| r.op == RoleOp::Activate && r.pim) {
            continue;
        }
        let user = match user_targets(cx, a).next() {
            Some(t) => target_name(cx, t),
            None => cx.actor(a),
        };
        if user.is_empty() {
            continue;
        }
        let user = user.to_lowercase();
        let roles: Vec<String> = role_display_names(cx, a).iter().map(|r| r.to_lowercase()).collect();
        let h = history.entry(user.clone()).or_insert_with(|| History { first: a.time.0, ..History::default() });
        let mut reasons = Vec::new();
        let established = h.count >= MIN_HISTORY && a.time.0 - h.first >= HISTORY_DAYS * MS_PER_DAY;
        if established && roles.iter().any(|r| !h.roles.contains(r)) {
            reasons.push("first activation of this role");
        }
        if cx.business_hours.as_ref().is_some_and(|b| !b.contains(a.time)) {
            reasons.push("outside business hours");
        }
        h.count += 1;
        h.roles.extend(roles);
        if !reasons.is_empty() {
            unusual.entry(user).or_default().push((i, reasons));
        }
    }
    unusual
        .into_iter()
        .map(|(user, rows)| {
            let roles = distinct(rows.iter().flat_map(|&(i, _)| role_display_names(cx, &cx.ds.audits[i])));
            let reasons = distinct(rows.iter().flat_map(|(_, r)| r.iter().copied()));
            let both = rows.iter().any(|(_, r)| r.len() > 1);
            let summary = format!(
                "{user} activated {} through PIM {} ({})",
                list(&roles, 4),
                if rows.len() == 1 { "once".to_string() } else { format!("{} times", rows.len()) },
                reasons.join("; ")
            );
            let evidence = rows.iter().map(|(i, r)| with_field(cx.ev_audit(*i), "why_unusual", &r.join("; "))).collect();
            let f = Finding::new(&META, summary, evidence).with_subject(user);
            if both {
                f.with_severity(Severity::High)
            } else {
                f
            }
        })
        .collect()
}
