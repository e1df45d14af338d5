use std::collections::BTreeMap;

use entrascope_core::{declare_check, DataNeed, Finding, SettingKey};
use entrascope_logs::AuditResult;

use super::{activity, distinct, list, plural, target_break_glass, target_name, target_privileged, user_targets, who};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Password changes and resets, successful or failed, on privileged
    /// accounts: accounts matching `privileged_accounts`, and accounts given
    /// a privileged directory role earlier in the audit log.
    ///
    /// ## Why it matters
    /// Resetting an administrator's password is the shortest path to taking
    /// the account over; a failed reset is an attempt. The guide asks to
    /// alert on every admin password change, especially Global
    /// Administrators.
    ///
    /// ## How it works
    /// Selects audit events whose activity names a password together with a
    /// change or reset (*Change user password*, *Reset user password*,
    /// *Reset password (by admin)*, *Reset password (self-service)*, *Change
    /// password (self-service)*, *Set force change user password*, MIM's
    /// *User Password Reset*), any result, leaving out progress and policy
    /// events (*… flow activity progress*, *… started …*, *Set password
    /// policy*, password writeback). This keyword match follows Sentinel's
    /// *BreakGlassAccountCredentialsModified*, which notes that the exact
    /// names vary across tenants and service versions. A target counts when
    /// it is privileged at the time of the event. Break-glass accounts are
    /// left to AUDIT-BREAK-GLASS-CHANGED. One finding per account, saying
    /// who changed it and how many attempts failed.
    ///
    /// Baseline: Sentinel hunting query *Privileged Account Password
    /// Changes* (d9cccaf9) takes privileged accounts from UEBA's
    /// IdentityInfo ("Admin" in the role names) and keeps only UEBA
    /// high-priority users; offline, the privileged set comes from settings
    /// and the roles in the log, and every change is reported.
    ///
    /// The consumer-accounts (B2C) page asks the same of consumer tenants (consumer-accounts-066).
    ///
    /// ## False positives
    /// Planned rotations and administrators changing their own password on
    /// expiry (self-service, actor = target). Those read as such in the
    /// summary.
    ///
    /// ## How to respond
    /// Confirm each change with the account owner. For a reset by someone
    /// else, check that actor's authority and sign-ins; if unplanned, reset
    /// again, revoke sessions and review the account's sign-ins since.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-privileged-accounts#things-to-monitor
    /// - Azure-Sentinel: Hunting Queries/MultipleDataSources/PrivilegedAccountPasswordChanges.yaml (d9cccaf9-d15e-4731-a62a-06d76e9c5e67)
    /// - Azure-Sentinel: Hunting Queries/AuditLogs/BreakGlassAccountCredentialsModified.yaml (67657f61-a999-4c64-9093-e988d8d98f63)
    pub static META = {
        code: "AUDIT-PRIV-PASSWORD-CHANGE",
        title: "Password of a privileged account changed or reset",
        severity: High,
        guide: ["privileged-accounts-110", "consumer-accounts-066"],
        inputs: [DataNeed::Audit],
        settings: [SettingKey::PrivilegedAccounts],
        optional_settings: [SettingKey::BreakGlassAccounts],
        tags: ["attack.t1098", "attack.t1078.004"],
    }
}

/// Whether an activity changes or resets a password (not a step, policy or
/// registration around it).
pub(crate) fn is_password_change(activity_lc: &str) -> bool {
    let a = activity_lc;
    a.contains("password")
        && (a.contains("change") || a.contains("reset"))
        && ![
            "progress",
            "started",
            "policy",
            "writeback",
            "security info",
            "blocked from",
            "registration",
            "application password",
        ]
        .iter()
        .any(|x| a.contains(x))
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let mut by_account: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, a) in cx.ds.audits.iter().enumerate() {
        if !is_password_change(&activity(cx, a)) {
            continue;
        }
        for t in user_targets(cx, a) {
            if target_break_glass(cx, t) || !target_privileged(cx, t, a.time) {
                continue;
            }
            by_account.entry(target_name(cx, t).to_lowercase()).or_default().push(i);
        }
    }
    by_account
        .into_iter()
        .map(|(account, rows)| {
            let failed = rows.iter().filter(|&&i| cx.ds.audits[i].result == AuditResult::Failure).count();
            let others: Vec<&str> = rows
                .iter()
                .map(|&i| cx.actor(&cx.ds.audits[i]))
                .filter(|actor| !actor.eq_ignore_ascii_case(&account))
                .map(who)
                .collect();
            let others = distinct(others);
            let by = if others.is_empty() { " by the account itself".to_string() } else { format!(" by {}", list(&others, 3)) };
            let fails = if failed > 0 { format!(" ({failed} failed)") } else { String::new() };
            let summary = format!(
                "Password of privileged account {account} changed or reset {}{by}{fails}",
                if rows.len() == 1 { "once".to_string() } else { plural(rows.len(), "time") }
            );
            Finding::new(&META, summary, rows.iter().map(|&i| cx.ev_audit(i)).collect()).with_subject(account)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::is_password_change;

    #[test]
    fn password_activities() {
        for yes in [
            "change user password",
            "reset user password",
            "reset password (by admin)",
            "change password (self-service)",
            "reset password (self-service)",
            "set force change user password",
            "user password reset",
        ] {
            assert!(is_password_change(yes), "{yes}");
        }
        for no in [
            "self-service password reset flow activity progress",
            "user started password reset",
            "admin started password reset",
            "set password policy",
            "enable password writeback for directory",
            "security info saved for self-service password reset",
            "blocked from self-service password reset",
            "create application password for user",
            "update user",
        ] {
            assert!(!is_password_change(no), "{no}");
        }
    }
}
