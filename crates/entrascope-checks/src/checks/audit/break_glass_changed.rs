use std::collections::BTreeMap;

use entrascope_core::{declare_check, DataNeed, Finding, SettingKey};
use entrascope_logs::{AuditEvent, AuditResult};

use super::privileged_auth_method_changed::is_auth_method_change;
use super::privileged_password_change::is_password_change;
use super::{
    activity, distinct, list, role_display_names, role_event, target_break_glass, target_name, user_targets, who, RoleOp,
};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Any change to an emergency access (break-glass) account listed in
    /// `break_glass_accounts`: password resets and changes, security-info
    /// (MFA method, FIDO2 key, Temporary Access Pass) registrations and
    /// removals, role and group membership changes, and changes to the
    /// account itself (update, disable, enable, delete, restore).
    ///
    /// ## Why it matters
    /// A break-glass account is provisioned once and left untouched between
    /// scheduled tests. Its credentials changing means someone may be taking
    /// it over for persistence; its roles or groups changing can strip the
    /// tenant's last way in or quietly exclude it from, or include it in,
    /// Conditional Access. The guide asks for a high-priority alert on every
    /// credential, permission or role change of these accounts.
    ///
    /// ## How it works
    /// Selects audit events, in any result (a failed change is an attempt),
    /// whose user target matches a break-glass entry (case-insensitive, `*`
    /// wildcards) and whose activity is a credential change (password
    /// change or reset, matched by keywords as in Sentinel's
    /// *BreakGlassAccountCredentialsModified*), a security-info or
    /// authentication-method change, a role assignment or removal (not the
    /// PIM service's own copies), a group membership or ownership change,
    /// or *Update user*, *Disable account*, *Enable account*, *Delete user*,
    /// *Hard Delete user*, *Restore user*. One finding per account; the
    /// findings cite the password, authentication-method or role rows
    /// according to what changed.
    ///
    /// Baseline: the Sentinel hunting queries *Break-glass account
    /// credentials or MFA modified* (67657f61) and *Break-glass account role
    /// or group membership changed* (4f529b32), merged, with account state
    /// changes and failed attempts added.
    ///
    /// ## False positives
    /// The scheduled test of the emergency procedure (password rotation,
    /// FIDO2 key re-registration). Match the finding against the test
    /// calendar.
    ///
    /// ## How to respond
    /// If no test was planned, treat it as an incident: restore the
    /// account's documented state (credentials, single role, no groups),
    /// review its sign-ins, and find out who made the change and how they
    /// had the right to.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-privileged-accounts#monitoring-emergency-access-accounts
    /// - https://learn.microsoft.com/entra/identity/role-based-access-control/security-emergency-access
    /// - Azure-Sentinel: Hunting Queries/AuditLogs/BreakGlassAccountCredentialsModified.yaml (67657f61-a999-4c64-9093-e988d8d98f63)
    /// - Azure-Sentinel: Hunting Queries/AuditLogs/BreakGlassAccountRoleOrGroupMembershipChanged.yaml (4f529b32-a4ed-40d0-b40b-7ac337a705be)
    pub static META = {
        code: "AUDIT-BREAK-GLASS-CHANGED",
        title: "Break-glass account changed",
        severity: High,
        guide: ["privileged-accounts-110", "privileged-accounts-121", "privileged-accounts-122"],
        inputs: [DataNeed::Audit],
        settings: [SettingKey::BreakGlassAccounts],
        optional_settings: [],
        tags: ["attack.t1098", "attack.t1531", "attack.t1556.006"],
    }
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Password,
    AuthMethod,
    Role,
    Group,
    Account,
}

fn kind(cx: &Context, a: &AuditEvent) -> Option<Kind> {
    let act = activity(cx, a);
    if is_password_change(&act) {
        return Some(Kind::Password);
    }
    if is_auth_method_change(&act) {
        return Some(Kind::AuthMethod);
    }
    if let Some(ev) = role_event(cx, a) {
        return (matches!(ev.op, RoleOp::Assign | RoleOp::Remove) && !ev.mirror).then_some(Kind::Role);
    }
    if matches!(
        &*act,
        "add member to group" | "remove member from group" | "add owner to group" | "remove owner from group"
    ) {
        return Some(Kind::Group);
    }
    if matches!(
        &*act,
        "update user" | "disable account" | "enable account" | "delete user" | "hard delete user" | "restore user"
    ) {
        return Some(Kind::Account);
    }
    None
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let mut by_account: BTreeMap<String, Vec<(usize, Kind)>> = BTreeMap::new();
    for (i, a) in cx.ds.audits.iter().enumerate() {
        let Some(k) = kind(cx, a) else { continue };
        for t in user_targets(cx, a) {
            if target_break_glass(cx, t) {
                by_account.entry(target_name(cx, t).to_lowercase()).or_default().push((i, k));
            }
        }
    }
    by_account
        .into_iter()
        .map(|(account, rows)| {
            let mut parts = Vec::new();
            let count = |k: Kind| rows.iter().filter(|r| r.1 == k).count();
            let roles =
                distinct(rows.iter().filter(|r| r.1 == Kind::Role).flat_map(|r| role_display_names(cx, &cx.ds.audits[r.0])));
            for (k, label) in [
                (Kind::Password, "password"),
                (Kind::AuthMethod, "authentication method"),
                (Kind::Role, "role"),
                (Kind::Group, "group"),
                (Kind::Account, "account"),
            ] {
                let n = count(k);
                if n == 0 {
                    continue;
                }
                let extra = if k == Kind::Role && !roles.is_empty() { format!(" ({})", list(&roles, 3)) } else { String::new() };
                parts.push(format!("{n} {label} change{}{extra}", if n == 1 { "" } else { "s" }));
            }
            let actors = distinct(rows.iter().map(|r| who(cx.actor(&cx.ds.audits[r.0]))));
            let failed = rows.iter().filter(|r| cx.ds.audits[r.0].result == AuditResult::Failure).count();
            let fails = if failed > 0 { format!(" ({failed} failed)") } else { String::new() };
            let summary = format!("Break-glass account {account}: {}{fails} by {}", parts.join(", "), list(&actors, 3));
            let mut guide = Vec::new();
            if count(Kind::Password) > 0 {
                guide.push("privileged-accounts-110");
            }
            if count(Kind::AuthMethod) > 0 {
                guide.push("privileged-accounts-121");
            }
            if count(Kind::Role) + count(Kind::Group) > 0 {
                guide.push("privileged-accounts-122");
            }
            let f = Finding::new(&META, summary, rows.iter().map(|r| cx.ev_audit(r.0)).collect()).with_subject(account);
            if guide.is_empty() {
                f
            } else {
                f.with_guide(&guide)
            }
        })
        .collect()
}
