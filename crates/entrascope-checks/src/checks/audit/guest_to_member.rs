use std::collections::BTreeMap;

use entrascope_core::{declare_check, DataNeed, Finding, SettingKey};

use super::{activity, distinct, list, succeeded, target_name, target_privileged, user_targets, who, with_field};
use crate::context::unquote;
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Guest accounts converted to members: an *Update user* whose modified
    /// property `UserType` (or `TargetId.UserType`) goes from `Guest` to
    /// `Member`.
    ///
    /// ## Why it matters
    /// A member gets the default permissions of an employee: reading the
    /// directory, seeing groups, being targeted by "all users" policies and
    /// assignments. Turning an outsider into a member quietly widens their
    /// access; attackers who compromised a guest do it to settle in.
    ///
    /// ## How it works
    /// Selects successful *Update user* events and reads each user target's
    /// modified properties named `UserType` or `TargetId.UserType` (values
    /// unquoted from the export's JSON form, compared case-insensitively).
    /// One finding per converted account, naming who converted it. The
    /// finding also cites the privileged-accounts row (privileged-accounts-115)
    /// when the account is privileged (named in `privileged_accounts` or
    /// given a privileged role in the log).
    ///
    /// Baseline: Sentinel *User State changed from Guest to Member*
    /// (a09a0b8e), same property test; this check also accepts the plain
    /// `UserType` property name some exports use.
    ///
    /// ## False positives
    /// Contractors hired as employees and cross-tenant synchronization
    /// configured to create members. Confirm with the account's sponsor.
    ///
    /// ## How to respond
    /// Confirm the change was requested. If not, set the account back to
    /// guest, review its group memberships and role assignments, and check
    /// the actor's sign-ins.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-user-accounts#monitoring-external-user-sign-ins
    /// - https://learn.microsoft.com/entra/architecture/security-operations-privileged-accounts#things-to-monitor
    /// - Azure-Sentinel: Detections/AuditLogs/UserStatechangedfromGuesttoMember.yaml (a09a0b8e-30fe-4ebf-94a0-cffe50f579cd)
    pub static META = {
        code: "AUDIT-GUEST-TO-MEMBER",
        title: "Guest account converted to member",
        severity: Medium,
        guide: ["user-accounts-027", "privileged-accounts-115"],
        inputs: [DataNeed::Audit],
        settings: [],
        optional_settings: [SettingKey::PrivilegedAccounts],
        tags: ["attack.t1098"],
    }
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let mut by_account: BTreeMap<String, (Vec<usize>, bool)> = BTreeMap::new();
    for (i, a) in cx.audits_ok() {
        if !succeeded(a) || activity(cx, a) != "update user" {
            continue;
        }
        for t in user_targets(cx, a) {
            let converted = cx.ds.modified(t).iter().any(|p| {
                let name = cx.s(p.name);
                (name.eq_ignore_ascii_case("UserType") || name.eq_ignore_ascii_case("TargetId.UserType"))
                    && unquote(cx.s(p.old)).eq_ignore_ascii_case("Guest")
                    && unquote(cx.s(p.new)).eq_ignore_ascii_case("Member")
            });
            if converted {
                let entry = by_account.entry(target_name(cx, t).to_lowercase()).or_default();
                entry.0.push(i);
                entry.1 |= target_privileged(cx, t, cx.now);
            }
        }
    }
    by_account
        .into_iter()
        .map(|(account, (rows, privileged))| {
            let actors = distinct(rows.iter().map(|&i| who(cx.actor(&cx.ds.audits[i]))));
            let admin = if privileged { "Privileged account " } else { "" };
            let summary = format!("{admin}{account} was converted from guest to member by {}", list(&actors, 3));
            let evidence = rows
                .iter()
                .map(|&i| with_field(with_field(cx.ev_audit(i), "old_user_type", "Guest"), "new_user_type", "Member"))
                .collect();
            let f = Finding::new(&META, summary, evidence).with_subject(account);
            if privileged {
                f
            } else {
                f.with_guide(&["user-accounts-027"])
            }
        })
        .collect()
}
