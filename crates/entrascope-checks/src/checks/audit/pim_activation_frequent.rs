use std::collections::BTreeMap;

use entrascope_core::time::MS_PER_HOUR;
use entrascope_core::{declare_check, DataNeed, Finding};

use super::{duration, role_display_names, role_event, succeeded, target_name, user_targets, RoleOp};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// The same user activating the same PIM role many times in a short
    /// period: at least 5 activations within 24 hours.
    ///
    /// ## Why it matters
    /// PIM raises "Roles are being activated too frequently" because
    /// repeated activations of one role by one user are a sign of attack (a
    /// script re-elevating a stolen session) or of an activation duration
    /// too short for the job, which trains people to click through MFA.
    ///
    /// ## How it works
    /// Successful *Add member to role completed (PIM activation)* events,
    /// grouped by activating user and role, are swept in time order with a
    /// 24-hour window (`WINDOW_HOURS`); every window holding at least
    /// `THRESHOLD` (5) activations marks them, and overlapping windows merge
    /// into one burst. One finding per user, role and burst.
    ///
    /// PIM's own alert lets the tenant choose the period and a count from 2
    /// to 100 and documents no default; 5 in 24 hours is this tool's choice:
    /// above a working day's normal re-activations with a 1 to 8 hour
    /// activation duration, well below scripted use.
    ///
    /// ## False positives
    /// Administrators whose activation duration is short (an hour) doing a
    /// long task. Lengthen the role's maximum activation duration.
    ///
    /// ## How to respond
    /// Ask the user why they activated so often. If they did not, treat the
    /// account as compromised. Otherwise adjust the role's activation
    /// duration in PIM settings.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/id-governance/privileged-identity-management/pim-how-to-configure-security-alerts#roles-are-being-activated-too-frequently
    /// - https://learn.microsoft.com/entra/architecture/security-operations-privileged-identity-management
    pub static META = {
        code: "AUDIT-PIM-ACTIVATION-FREQUENT",
        title: "PIM role activated too frequently",
        severity: Low,
        guide: ["pim-141"],
        inputs: [DataNeed::Audit],
        settings: [],
        optional_settings: [],
        tags: ["attack.t1078.004"],
    }
}

/// Activations of one role by one user within the window that make a burst.
pub const THRESHOLD: usize = 5;
/// The sliding window.
pub const WINDOW_HOURS: i64 = 24;

pub fn run(cx: &Context) -> Vec<Finding> {
    let mut by_pair: BTreeMap<(String, String), (String, String, Vec<usize>)> = BTreeMap::new();
    for (i, a) in cx.ds.audits.iter().enumerate() {
        if !succeeded(a) || !role_event(cx, a).is_some_and(|r| r.op == RoleOp::Activate && r.pim) {
            continue;
        }
        let user = user_targets(cx, a).next().map(|t| target_name(cx, t)).unwrap_or_else(|| cx.actor(a));
        if user.is_empty() {
            continue;
        }
        for role in role_display_names(cx, a) {
            by_pair
                .entry((user.to_lowercase(), role.to_lowercase()))
                .or_insert_with(|| (user.to_string(), role.to_string(), Vec::new()))
                .2
                .push(i);
        }
    }
    let window = WINDOW_HOURS * MS_PER_HOUR;
    let mut out = Vec::new();
    for (_, (user, role, rows)) in by_pair {
        // rows are in time order (the dataset is sorted).
        let t = |k: usize| cx.ds.audits[rows[k]].time.0;
        let mut marked = vec![false; rows.len()];
        let mut lo = 0;
        for hi in 0..rows.len() {
            while t(hi) - t(lo) > window {
                lo += 1;
            }
            if hi + 1 - lo >= THRESHOLD {
                marked[lo..=hi].iter_mut().for_each(|m| *m = true);
            }
        }
        let mut k = 0;
        while k < rows.len() {
            if !marked[k] {
                k += 1;
                continue;
            }
            let start = k;
            while k + 1 < rows.len() && marked[k + 1] && t(k + 1) - t(k) <= window {
                k += 1;
            }
            let burst = &rows[start..=k];
            let span = t(k) - t(start);
            let summary = format!("{user} activated {role} {} times in {}", burst.len(), duration(span));
            out.push(Finding::new(&META, summary, burst.iter().map(|&i| cx.ev_audit(i)).collect()).with_subject(user.clone()));
            k += 1;
        }
    }
    out
}
