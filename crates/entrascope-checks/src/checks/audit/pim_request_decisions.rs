use std::collections::BTreeMap;

use entrascope_core::{declare_check, DataNeed, Finding, Severity};

use super::{activity, distinct, list, plural, role_display_names, role_event, target_name, user_targets, who, RoleOp};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Decisions on elevation requests: PIM activation or extension requests
    /// denied by an approver, and those approved, plus access-request
    /// decisions (*Request approved* / *Request denied*).
    ///
    /// ## Why it matters
    /// A denied elevation is often the first visible step of an attack: the
    /// attacker holding an eligible account asks for the role and a human
    /// says no. Approvals complete the timeline of who got which power when.
    ///
    /// ## How it works
    /// Denials (*Add member to role request denied (PIM activation)*,
    /// *Update member in PIM denied by admin*, *Request denied*) give one
    /// high-severity finding per requester (the user target), naming the
    /// roles and approvers. Approvals (*… request approved (PIM
    /// activation)*, *Update member in PIM approved by admin*, *Request
    /// approved*) give one low-severity finding per approver, listing whom
    /// they elevated, for the review trail.
    ///
    /// Baseline: Sentinel *PIM Elevation Request Rejected* (7d7e20f8),
    /// which alerts on the denial activity alone; approvals are added
    /// because both guide rows ask to monitor them.
    ///
    /// ## False positives
    /// A denial for a wrong role or a missing ticket number. The approver
    /// can confirm it quickly.
    ///
    /// ## How to respond
    /// Ask the requester whether they asked for the role. If not, the
    /// account is compromised: reset its credentials, revoke sessions, and
    /// review its sign-ins around the request.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-privileged-accounts#assignment-and-elevation
    /// - https://learn.microsoft.com/entra/architecture/security-operations-privileged-identity-management
    /// - Azure-Sentinel: Solutions/Microsoft Entra ID/Analytic Rules/PIMElevationRequestRejected.yaml (7d7e20f8-3384-4b71-811c-f5e950e8306c)
    pub static META = {
        code: "AUDIT-PIM-REQUEST-DECISIONS",
        title: "Elevation request denied or approved",
        severity: High,
        guide: ["privileged-accounts-129", "pim-145"],
        inputs: [DataNeed::Audit],
        settings: [],
        optional_settings: [],
        tags: ["attack.t1078.004"],
    }
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let mut denied: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut approved: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, a) in cx.ds.audits.iter().enumerate() {
        let op = match role_event(cx, a).map(|r| r.op) {
            Some(op @ (RoleOp::Approved | RoleOp::Denied)) => op,
            _ => match &*activity(cx, a) {
                "request approved" => RoleOp::Approved,
                "request denied" => RoleOp::Denied,
                _ => continue,
            },
        };
        if op == RoleOp::Denied {
            let requester = user_targets(cx, a).next().map(|t| target_name(cx, t)).unwrap_or("");
            denied.entry(requester.to_lowercase()).or_default().push(i);
        } else {
            approved.entry(cx.actor(a).to_lowercase()).or_default().push(i);
        }
    }
    let requesters =
        |rows: &[usize]| distinct(rows.iter().flat_map(|&i| user_targets(cx, &cx.ds.audits[i]).map(|t| target_name(cx, t))));
    let roles = |rows: &[usize]| distinct(rows.iter().flat_map(|&i| role_display_names(cx, &cx.ds.audits[i])));
    let mut out = Vec::new();
    for (requester, rows) in denied {
        let approvers = distinct(rows.iter().map(|&i| who(cx.actor(&cx.ds.audits[i]))));
        let roles = roles(&rows);
        let what = if roles.is_empty() { String::new() } else { format!(" for {}", list(&roles, 4)) };
        let name = if requester.is_empty() { "an unidentified user".to_string() } else { requester };
        let summary = format!(
            "{name}: {}{what} denied by {}; confirm the user made {}",
            plural(rows.len(), "elevation request"),
            list(&approvers, 3),
            if rows.len() == 1 { "it" } else { "them" }
        );
        out.push(Finding::new(&META, summary, rows.iter().map(|&i| cx.ev_audit(i)).collect()).with_subject(name));
    }
    for (_, rows) in approved {
        let approver = who(cx.actor(&cx.ds.audits[rows[0]]));
        let users = requesters(&rows);
        let roles = roles(&rows);
        let what = if roles.is_empty() { String::new() } else { format!(" ({})", list(&roles, 4)) };
        let summary = format!("{approver} approved {} for {}{what}", plural(rows.len(), "elevation request"), list(&users, 4));
        out.push(
            Finding::new(&META, summary, rows.iter().map(|&i| cx.ev_audit(i)).collect())
                .with_subject(approver)
                .with_severity(Severity::Low),
        );
    }
    out
}
