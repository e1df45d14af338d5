use std::collections::BTreeMap;

use entrascope_core::{declare_check, DataNeed, Finding, SettingKey, Severity};
use entrascope_logs::AuditResult;

use super::{activity, plural, role_event, RoleOp};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Every change attempted or completed by a privileged account: one
    /// finding per administrator listing what they changed during the
    /// exported period, with failed attempts counted.
    ///
    /// ## Why it matters
    /// The guide asks that any unplanned change by a privileged account be
    /// investigated, and that these records be kept for investigations. The
    /// log cannot say which changes were planned; this check gives the
    /// reviewer the list to hold against the change calendar.
    ///
    /// ## How it works
    /// Selects audit events whose initiator's user principal name is
    /// privileged at the time of the event (matches `privileged_accounts`,
    /// is a break-glass account, or was given a privileged role earlier in
    /// the log), in any result. Reads (*Read BitLocker key*, *Get …*,
    /// downloads and exports) and the account's own PIM activation steps are
    /// left out: they change nothing. One finding per administrator whose
    /// summary counts the changes by activity.
    ///
    /// Severity is low, not the guide's high: the guide rates an *unplanned*
    /// change high, and only the reviewer can tell planned from unplanned.
    /// An administrator with failed attempts is raised to medium (attempts
    /// that the directory refused are the "attempted" half of the row and
    /// often mean probing or a missing permission being tried).
    ///
    /// ## False positives
    /// By design this lists routine work. Use it as the review list, not as
    /// an alert; the targeted checks (role assignments, CA changes, password
    /// resets of admins) raise the changes that need action.
    ///
    /// ## How to respond
    /// Match each administrator's changes to tickets or planned work. For a
    /// change nobody planned, contact the administrator, and if they do not
    /// recognize it treat the account as compromised (reset credentials,
    /// revoke sessions, review its sign-ins).
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-privileged-accounts#changes-by-privileged-accounts
    pub static META = {
        code: "AUDIT-PRIV-CHANGES",
        title: "Changes made by privileged accounts",
        severity: Low,
        guide: ["privileged-accounts-117"],
        inputs: [DataNeed::Audit],
        settings: [SettingKey::PrivilegedAccounts],
        optional_settings: [SettingKey::BreakGlassAccounts],
        tags: ["attack.t1078.004"],
    }
}

fn is_read(act: &str) -> bool {
    act.starts_with("read ") || act.starts_with("get ") || act.starts_with("download") || act.starts_with("export")
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let mut by_actor: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, a) in cx.ds.audits.iter().enumerate() {
        let actor = cx.s(a.initiator.upn);
        if actor.is_empty() || !cx.is_privileged(actor, a.time) {
            continue;
        }
        let act = activity(cx, a);
        if act.is_empty() || is_read(&act) {
            continue;
        }
        if role_event(cx, a).is_some_and(|r| matches!(r.op, RoleOp::Activate | RoleOp::Deactivate))
            || act.contains("(pim activation)")
        {
            continue;
        }
        by_actor.entry(actor.to_lowercase()).or_default().push(i);
    }
    by_actor
        .into_iter()
        .map(|(actor, rows)| {
            let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
            for &i in &rows {
                *counts.entry(cx.s(cx.ds.audits[i].activity)).or_default() += 1;
            }
            let mut counts: Vec<(&str, usize)> = counts.into_iter().collect();
            counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            let shown: Vec<String> = counts.iter().take(4).map(|(a, n)| format!("{n} {a}")).collect();
            let more = if counts.len() > 4 { format!(", {} other kinds", counts.len() - 4) } else { String::new() };
            let failed = rows.iter().filter(|&&i| cx.ds.audits[i].result == AuditResult::Failure).count();
            let fails = if failed > 0 { format!("; {} failed", plural(failed, "attempt")) } else { String::new() };
            let summary =
                format!("Privileged account {actor} made {} ({}{more}{fails})", plural(rows.len(), "change"), shown.join(", "));
            let f = Finding::new(&META, summary, rows.iter().map(|&i| cx.ev_audit(i)).collect()).with_subject(actor);
            if failed > 0 {
                f.with_severity(Severity::Medium)
            } else {
                f
            }
        })
        .collect()
}
