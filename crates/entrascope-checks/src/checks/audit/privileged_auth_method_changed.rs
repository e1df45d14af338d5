use std::collections::BTreeMap;

use entrascope_core::{declare_check, DataNeed, Finding, SettingKey};
use entrascope_logs::AuditEvent;

use super::{activity, distinct, list, target_break_glass, target_name, target_privileged, user_targets, who, with_field};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Authentication methods registered, changed or removed on privileged
    /// accounts (matching `privileged_accounts`, or given a privileged role
    /// earlier in the log): security info (Authenticator, phone, e-mail),
    /// FIDO2 keys, Windows Hello for Business, passwordless phone sign-in,
    /// platform credentials.
    ///
    /// ## Why it matters
    /// Adding a method to an administrator's account is how an attacker who
    /// got in once makes sure they can get in again, past MFA. Removing one
    /// can prepare a reset to a method they control.
    ///
    /// ## How it works
    /// Selects audit events (any result) whose activity is one of the
    /// security-info activities (*User registered security info*, *User
    /// changed default security info*, *User deleted security info*, *User
    /// registered all required security info*, *Admin registered / updated
    /// / deleted security info*, *User updated security info*) or of the
    /// Device Registration Service credential activities (*Add/Delete FIDO2
    /// security key*, *… Windows Hello for Business credential*, *…
    /// passwordless phone sign-in credential*, *… platform credential*),
    /// and whose user target is privileged at that time. Temporary Access
    /// Pass creations are left to AUDIT-PRIV-TAP-ADDED and break-glass
    /// accounts to AUDIT-BREAK-GLASS-CHANGED. One finding per account, with
    /// the method details (result reason) in the evidence.
    ///
    /// Baseline: Sentinel *Authentication Methods Changed for Privileged
    /// Account* (694c91ee) uses UEBA IdentityInfo roles containing "Admin"
    /// and the security-info activities; *User reviewed security info* is
    /// left out here because reviewing changes nothing, and the FIDO2 /
    /// Windows Hello activities are added.
    ///
    /// ## False positives
    /// An administrator replacing a phone or enrolling a new key. Confirm
    /// with them directly, not by e-mail to the account in question.
    ///
    /// ## How to respond
    /// Ask the owner whether they made the change. If not, remove the new
    /// method, reset the password, revoke sessions, and review the sign-ins
    /// that preceded the registration (the attacker had to sign in to do it).
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-privileged-accounts#changes-to-privileged-accounts
    /// - Azure-Sentinel: Solutions/Microsoft Entra ID/Analytic Rules/AuthenticationMethodsChangedforPrivilegedAccount.yaml (694c91ee-d606-4ba9-928e-405a2dd0ff0f)
    pub static META = {
        code: "AUDIT-PRIV-AUTH-METHOD-CHANGED",
        title: "Authentication method changed on a privileged account",
        severity: High,
        guide: ["privileged-accounts-121"],
        inputs: [DataNeed::Audit],
        settings: [SettingKey::PrivilegedAccounts],
        optional_settings: [SettingKey::BreakGlassAccounts],
        tags: ["attack.t1098.005", "attack.t1556.006"],
    }
}

const SECURITY_INFO: &[&str] = &[
    "user registered security info",
    "user changed default security info",
    "user deleted security info",
    "user registered all required security info",
    "user updated security info",
    "admin registered security info",
    "admin updated security info",
    "admin deleted security info",
];

/// Whether the activity adds, changes or removes an authentication method.
pub(crate) fn is_auth_method_change(activity_lc: &str) -> bool {
    if SECURITY_INFO.contains(&activity_lc) {
        return true;
    }
    (activity_lc.starts_with("add ") || activity_lc.starts_with("delete "))
        && [
            "fido2 security key",
            "windows hello for business credential",
            "passwordless phone sign-in credential",
            "platform credential",
        ]
        .iter()
        .any(|m| activity_lc.contains(m))
}

/// Whether the event creates a Temporary Access Pass.
pub(crate) fn is_tap_creation(cx: &Context, a: &AuditEvent) -> bool {
    let act = activity(cx, a);
    (act == "admin registered security info" || act == "user registered security info")
        && cx.s(a.result_reason).to_ascii_lowercase().contains("temporary access pass")
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let mut by_account: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, a) in cx.ds.audits.iter().enumerate() {
        if !is_auth_method_change(&activity(cx, a)) || is_tap_creation(cx, a) {
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
            let details = distinct(rows.iter().map(|&i| {
                let a = &cx.ds.audits[i];
                if a.result_reason.is_empty() {
                    cx.s(a.activity)
                } else {
                    cx.s(a.result_reason)
                }
            }));
            let actors = distinct(rows.iter().map(|&i| who(cx.actor(&cx.ds.audits[i]))));
            let summary = format!(
                "Authentication methods of privileged account {account} changed by {}: {}",
                list(&actors, 3),
                list(&details, 3)
            );
            let evidence =
                rows.iter().map(|&i| with_field(cx.ev_audit(i), "reason", cx.s(cx.ds.audits[i].result_reason))).collect();
            Finding::new(&META, summary, evidence).with_subject(account)
        })
        .collect()
}
