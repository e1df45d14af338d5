use std::collections::HashSet;

use entrascope_core::{declare_check, DataNeed, Finding, SettingKey};

use super::privileged_password_change::is_password_change;
use super::{
    activity, known_privileged_accounts, privileged_source_evidence, succeeded, undeleted_upn, user_targets, PrivilegedSource,
};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Administrative accounts whose password was not changed or reset
    /// during an audit export of at least 90 days.
    ///
    /// ## Why it matters
    /// The privileged access guide asks to make sure administrator passwords
    /// changed recently: an old password is more likely to sit in a breach
    /// corpus, a spray list or a former colleague's memory.
    ///
    /// ## How it works
    /// Needs an audit export spanning at least 90 days (`needs-data`
    /// otherwise). The administrative accounts are every account this run
    /// can name: literal `privileged_accounts` entries, accounts in the data
    /// that match its patterns, and accounts given a privileged role in the
    /// audit log (`data/privileged-roles.tsv`). An account is reported when
    /// no successful password change or reset (the activities
    /// AUDIT-PRIV-PASSWORD-CHANGE recognizes) targets it in the whole
    /// export. Accounts created during the export (*Add user*: their
    /// password is newer than 90 days) and break-glass accounts (their
    /// credential follows the emergency-access procedure) are left out. One
    /// finding per account.
    ///
    /// ## False positives
    /// Accounts that sign in passwordless only (FIDO2, Windows Hello,
    /// certificate): an unchanged, unused password is still worth randomizing
    /// but is not the same exposure. Passwords changed on premises and
    /// synchronized by Entra Connect do not appear in the cloud audit log.
    ///
    /// ## How to respond
    /// Have the owners change these passwords (or set a long random one for
    /// passwordless accounts), and prefer phishing-resistant methods for all
    /// administrators.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/identity/role-based-access-control/security-planning#ensure-the-passwords-of-administrative-accounts-have-recently-changed
    pub static META = {
        code: "PA-ADMIN-PASSWORD-AGE",
        title: "Administrator password not changed in 90 days",
        severity: Medium,
        guide: ["pa-005"],
        inputs: [DataNeed::AuditSpanDays(90)],
        settings: [SettingKey::PrivilegedAccounts],
        optional_settings: [SettingKey::BreakGlassAccounts],
        tags: ["attack.t1078.004", "attack.t1110"],
    }
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let (Some(first), Some(last)) = (cx.ds.audits.iter().map(|a| a.time.0).min(), cx.ds.audits.iter().map(|a| a.time.0).max())
    else {
        return Vec::new();
    };
    let days = (last - first) / entrascope_core::time::MS_PER_DAY;
    let mut changed: HashSet<String> = HashSet::new();
    let mut created: HashSet<String> = HashSet::new();
    for a in &cx.ds.audits {
        if !succeeded(a) {
            continue;
        }
        let act = activity(cx, a);
        let is_change = is_password_change(&act);
        let is_create = act == "add user";
        if !is_change && !is_create {
            continue;
        }
        for t in user_targets(cx, a) {
            let upn = undeleted_upn(cx.s(t.upn)).to_lowercase();
            if is_change {
                changed.insert(upn);
            } else {
                created.insert(upn);
            }
        }
    }
    let mut out = Vec::new();
    for (upn, src) in known_privileged_accounts(cx) {
        if cx.is_break_glass(&upn) || changed.contains(&upn) || created.contains(&upn) {
            continue;
        }
        let how = if matches!(src, PrivilegedSource::RoleAssignment(_)) {
            "holds a privileged role"
        } else {
            "is listed as privileged"
        };
        let summary = format!("{upn} {how} and its password was not changed or reset in the {days} days of audit logs");
        out.push(Finding::new(&META, summary, vec![privileged_source_evidence(cx, &upn, src)]).with_subject(upn));
    }
    out
}
