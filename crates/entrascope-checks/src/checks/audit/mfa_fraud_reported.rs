use std::collections::BTreeMap;

use entrascope_core::{declare_check, DataNeed, Finding, SettingKey};

use super::{activity, distinct, list, target_name, target_privileged, user_targets};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Users who reported an MFA prompt as fraud: the audit activities
    /// *Fraud reported - user is blocked for MFA*, *Fraud reported - no
    /// action taken* and *Suspicious activity reported* (the newer "report
    /// suspicious activity" feature).
    ///
    /// ## Why it matters
    /// A user who rejects a prompt they did not start as fraud is telling
    /// you that someone else has their password. For an administrator that
    /// is an attack on the tenant in progress.
    ///
    /// ## How it works
    /// Selects those activities (any result: the report matters even when
    /// the follow-up action failed) and groups them per reporting user (the
    /// user target, else the initiator). One finding per user; the summary
    /// says whether the account is privileged (named in
    /// `privileged_accounts` or given a privileged role in the log) and
    /// whether the user was blocked.
    ///
    /// The sign-in side of the same event (error 500121 with "fraud" in the
    /// status details) is covered by the sign-in checks; this one reads the
    /// MFA service's audit record, which also exists when only the audit log
    /// was exported.
    ///
    /// The consumer-accounts (B2C) page asks the same of consumer tenants (consumer-accounts-063).
    ///
    /// ## False positives
    /// Users who press "report" by mistake. The sign-ins around the report
    /// tell: a failed password-correct sign-in from an unfamiliar place right
    /// before it is the real thing.
    ///
    /// ## How to respond
    /// Treat the password as known to an attacker: reset it, revoke
    /// sessions, review the sign-ins just before the report (IP, location,
    /// app) and block that source. If the user was blocked for MFA, unblock
    /// them only after the reset.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-privileged-accounts#things-to-monitor
    /// - https://learn.microsoft.com/entra/identity/authentication/howto-mfa-mfasettings#report-suspicious-activity
    /// - Azure-Sentinel: Solutions/Microsoft Entra ID/Analytic Rules/MFARejectedbyUser.yaml (d99cf5c3-d660-436c-895b-8a8f8448da23)
    pub static META = {
        code: "AUDIT-MFA-FRAUD-REPORTED",
        title: "User reported an MFA prompt as fraud",
        severity: High,
        guide: ["privileged-accounts-106", "consumer-accounts-063"],
        inputs: [DataNeed::Audit],
        settings: [],
        optional_settings: [SettingKey::PrivilegedAccounts],
        tags: ["attack.t1621", "attack.t1110"],
    }
}

const FRAUD: &[&str] =
    &["fraud reported - user is blocked for mfa", "fraud reported - no action taken", "suspicious activity reported"];

pub fn run(cx: &Context) -> Vec<Finding> {
    let mut by_user: BTreeMap<String, (Vec<usize>, bool, bool)> = BTreeMap::new();
    for (i, a) in cx.ds.audits.iter().enumerate() {
        let act = activity(cx, a);
        if !FRAUD.contains(&&*act) {
            continue;
        }
        let (name, privileged) = match user_targets(cx, a).next() {
            Some(t) => (target_name(cx, t), target_privileged(cx, t, a.time)),
            None => (cx.actor(a), cx.is_privileged(cx.actor(a), a.time)),
        };
        let entry = by_user.entry(name.to_lowercase()).or_default();
        entry.0.push(i);
        entry.1 |= privileged;
        entry.2 |= act.contains("blocked");
    }
    by_user
        .into_iter()
        .map(|(user, (rows, privileged, blocked))| {
            let kinds = distinct(rows.iter().map(|&i| cx.s(cx.ds.audits[i].activity)));
            let who = if privileged { format!("Privileged account {user}") } else { user.clone() };
            let outcome = if blocked { ", and was blocked for MFA" } else { "" };
            let summary = format!(
                "{who} reported an MFA prompt they did not start ({}){outcome}: someone else likely knows the password",
                list(&kinds, 3)
            );
            Finding::new(&META, summary, rows.iter().map(|&i| cx.ev_audit(i)).collect()).with_subject(user)
        })
        .collect()
}
