use std::collections::BTreeMap;

use entrascope_core::{declare_check, DataNeed, Finding, SettingKey};

use super::privileged_auth_method_changed::is_tap_creation;
use super::{distinct, list, target_break_glass, target_name, target_privileged, user_targets, who, with_field};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// A Temporary Access Pass created for a privileged account (matching
    /// `privileged_accounts`, or given a privileged role earlier in the log).
    ///
    /// ## Why it matters
    /// A Temporary Access Pass satisfies strong authentication on its own
    /// and lets its holder register new methods, passwordless ones included.
    /// Whoever creates one for an administrator can become that
    /// administrator, MFA and all.
    ///
    /// ## How it works
    /// Selects *Admin registered security info* (and *User registered
    /// security info*) events whose result reason mentions a temporary
    /// access pass (*Admin registered temporary access pass method for
    /// user*), in any result, whose user target is privileged at that time.
    /// Break-glass accounts are left to AUDIT-BREAK-GLASS-CHANGED. One
    /// finding per account, naming who created the pass.
    ///
    /// Baseline: Sentinel *Addition of a Temporary Access Pass to a
    /// Privileged Account* (d7feb859) matches the same activity and reason
    /// and takes admins from UEBA IdentityInfo; here they come from settings
    /// and the log's role assignments.
    ///
    /// ## False positives
    /// Onboarding a new administrator or recovering one who lost every
    /// method, through the helpdesk process.
    ///
    /// ## How to respond
    /// Confirm with the account owner and the creator. If unplanned, delete
    /// the pass, review the methods registered since, reset the password and
    /// revoke sessions.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-privileged-accounts#changes-to-privileged-accounts
    /// - https://learn.microsoft.com/entra/identity/authentication/howto-authentication-temporary-access-pass
    /// - Azure-Sentinel: Detections/AuditLogs/AdditionofaTemporaryAccessPasstoaPrivilegedAccount.yaml (d7feb859-f03e-4e8d-8b21-617be0213b13)
    pub static META = {
        code: "AUDIT-PRIV-TAP-ADDED",
        title: "Temporary Access Pass created for a privileged account",
        severity: High,
        guide: ["privileged-accounts-125"],
        inputs: [DataNeed::Audit],
        settings: [SettingKey::PrivilegedAccounts],
        optional_settings: [SettingKey::BreakGlassAccounts],
        tags: ["attack.t1098.005"],
    }
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let mut by_account: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, a) in cx.ds.audits.iter().enumerate() {
        if !is_tap_creation(cx, a) {
            continue;
        }
        for t in user_targets(cx, a) {
            if !target_break_glass(cx, t) && target_privileged(cx, t, a.time) {
                by_account.entry(target_name(cx, t).to_lowercase()).or_default().push(i);
            }
        }
    }
    by_account
        .into_iter()
        .map(|(account, rows)| {
            let actors = distinct(rows.iter().map(|&i| who(cx.actor(&cx.ds.audits[i]))));
            let summary = format!(
                "{} created for privileged account {account} by {}",
                if rows.len() == 1 {
                    "A Temporary Access Pass was".to_string()
                } else {
                    format!("{} Temporary Access Passes were", rows.len())
                },
                list(&actors, 3)
            );
            let evidence =
                rows.iter().map(|&i| with_field(cx.ev_audit(i), "reason", cx.s(cx.ds.audits[i].result_reason))).collect();
            Finding::new(&META, summary, evidence).with_subject(account)
        })
        .collect()
}
