use std::collections::HashMap;

use entrascope_core::time::MS_PER_HOUR;
use entrascope_core::{declare_check, DataNeed, Finding};
use entrascope_logs::Sym;

use super::{activity, duration, succeeded, target_name, undeleted_upn, user_targets, who, with_field};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// User accounts created and then deleted within a short time (24 hours
    /// by default): an *Add user* followed by a *Delete user* of the same
    /// account.
    ///
    /// ## Why it matters
    /// Attackers with enough privilege create an account, use it for a task
    /// (a sign-in from their infrastructure, a consent, a mailbox export) and
    /// delete it to remove the trace. Legitimate accounts rarely live less
    /// than a day.
    ///
    /// ## How it works
    /// One pass over the audit log in time order. Each successful *Add user*
    /// remembers its target's object id (and its user principal name, for
    /// exports without ids); each successful *Delete user* looks its target
    /// up, by object id first, else by user principal name with the prefix
    /// Entra puts on deleted users removed (32 hexadecimal digits, optionally
    /// followed by `_`, as Sentinel's rule normalizes it). The account is
    /// reported when the deletion comes 0 to 24 hours after the creation
    /// (`WINDOW_HOURS`; `find_with_window` takes any window), with both events
    /// as evidence.
    ///
    /// Baseline: Sentinel *Account Created and Deleted in Short Timeframe*
    /// (bb616d82), which joins on the object id and accepts up to 7 days to
    /// survive scheduling gaps. An offline export has no scheduling gap, so
    /// the guide's 24 hours is used; the UPN fallback also covers exports
    /// without target ids (admin-center CSV).
    ///
    /// ## False positives
    /// Accounts created by mistake and removed right away, test accounts of
    /// a provisioning pipeline, and joiners whose onboarding was cancelled.
    /// The creator and deleter in the evidence usually tell them apart.
    ///
    /// ## How to respond
    /// Find what the account did while it existed: its sign-ins, consents,
    /// role and group changes (filter the logs on the object id in the
    /// evidence). Review how the creator obtained the right to create users
    /// and whether their own sign-ins look normal.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-user-accounts#short-lived-accounts
    /// - Azure-Sentinel: Solutions/Microsoft Entra ID/Analytic Rules/AccountCreatedandDeletedinShortTimeframe.yaml (bb616d82-108f-47d3-9dec-9652ea0d3bf6)
    pub static META = {
        code: "AUDIT-ACCOUNT-SHORT-LIVED",
        title: "Account created and deleted within a short time",
        severity: High,
        guide: ["user-accounts-000"],
        inputs: [DataNeed::Audit],
        settings: [],
        optional_settings: [],
        tags: ["attack.t1136.003", "attack.t1070", "attack.t1078.004"],
    }
}

/// Default window between creation and deletion.
pub const WINDOW_HOURS: i64 = 24;

pub fn run(cx: &Context) -> Vec<Finding> {
    find_with_window(cx, WINDOW_HOURS * MS_PER_HOUR)
}

/// The check with a creation-to-deletion window of `window_ms`.
pub fn find_with_window(cx: &Context, window_ms: i64) -> Vec<Finding> {
    // Creation events by target object id and by (normalized) UPN.
    let mut by_id: HashMap<Sym, usize> = HashMap::new();
    let mut by_upn: HashMap<&str, usize> = HashMap::new();
    let mut out = Vec::new();
    for (i, a) in cx.ds.audits.iter().enumerate() {
        if !succeeded(a) {
            continue;
        }
        let act = activity(cx, a);
        let create = act == "add user";
        let delete = act == "delete user";
        if !create && !delete {
            continue;
        }
        for t in user_targets(cx, a) {
            let upn = undeleted_upn(cx.s(t.upn));
            if create {
                if !t.id.is_empty() {
                    by_id.insert(t.id, i);
                }
                if !upn.is_empty() {
                    by_upn.insert(upn, i);
                }
                continue;
            }
            let created = if !t.id.is_empty() { by_id.get(&t.id).copied() } else { None }.or_else(|| {
                if upn.is_empty() {
                    None
                } else {
                    by_upn.get(upn).copied()
                }
            });
            let Some(c) = created else { continue };
            let ca = &cx.ds.audits[c];
            let lived = a.time.0 - ca.time.0;
            if lived < 0 || lived > window_ms {
                continue;
            }
            // Report each account once.
            if !t.id.is_empty() {
                by_id.remove(&t.id);
            }
            if !upn.is_empty() {
                by_upn.remove(upn);
            }
            let name = if upn.is_empty() { target_name(cx, t) } else { upn };
            let creator = who(cx.actor(ca));
            let deleter = who(cx.actor(a));
            let summary = format!("{name} was created by {creator} and deleted by {deleter} {} later", duration(lived));
            let evidence = vec![
                with_field(cx.ev_audit(c), "object_id", cx.s(t.id)),
                with_field(with_field(cx.ev_audit(i), "object_id", cx.s(t.id)), "lifetime", &duration(lived)),
            ];
            out.push(Finding::new(&META, summary, evidence).with_subject(name));
        }
    }
    out
}
