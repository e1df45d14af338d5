use std::collections::BTreeMap;

use entrascope_core::{declare_check, DataNeed, Finding, SettingKey, Severity};

use super::{activity, distinct, list, plural, succeeded, target_name, target_privileged, undeleted_upn, user_targets, who};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// User accounts created or deleted by someone who is not in
    /// `approved_actors.user_management`: an administrator, a service
    /// principal or a process outside the tenant's account lifecycle.
    ///
    /// ## Why it matters
    /// Accounts should come from the joiner/leaver process (HR provisioning,
    /// Entra Connect, a small identity team). An account created by anyone
    /// else may be an attacker's persistence; an account deleted by anyone
    /// else may be sabotage or cover-up.
    ///
    /// ## How it works
    /// Selects successful *Add user*, *Delete user* and *Hard Delete user*
    /// events and compares the initiator (user principal name, else the
    /// application's display name) with the approved list (case-insensitive,
    /// `*` wildcards). One finding per actor carries every account they
    /// created or deleted. Severity rises to high when one of the accounts
    /// is privileged (named in `privileged_accounts` or given a privileged
    /// role later in the log), as the guide asks to prioritize accounts
    /// created with heightened privileges.
    ///
    /// Baseline: Sentinel *Account created or deleted by non-approved user*
    /// (6d63efa6) matches a deny-list the analyst must fill in; an allow-list
    /// fails safe when a new actor appears.
    ///
    /// In Azure AD B2C tenants (consumer-accounts-049), accounts that *CPIM Service* creates or
    /// deletes for self-service sign-up and account deletion are the approved process and are not
    /// reported.
    ///
    /// ## False positives
    /// Synchronization identities (Entra Connect `Sync_*` accounts, the
    /// cloud-sync agent, HR inbound provisioning) and new identity
    /// administrators not yet listed. Add them to the approved list once
    /// confirmed.
    ///
    /// ## How to respond
    /// Confirm with the actor and the identity team that each account was
    /// requested. Disable accounts nobody asked for, review their sign-ins
    /// and role or group memberships, and check how the actor obtained the
    /// right to manage users.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-user-accounts#accounts-created-outside-normal-processes
    /// - Azure-Sentinel: Solutions/Microsoft Entra ID/Analytic Rules/AccountCreatedDeletedByNonApprovedUser.yaml (6d63efa6-7c25-4bd4-a486-aa6bf50fde8a)
    pub static META = {
        code: "AUDIT-ACCOUNT-UNAPPROVED-ACTOR",
        title: "Account created or deleted by a non-approved actor",
        severity: Medium,
        guide: ["user-accounts-001", "user-accounts-008", "consumer-accounts-049"],
        inputs: [DataNeed::Audit],
        settings: [SettingKey::ApprovedUserManagement],
        optional_settings: [SettingKey::PrivilegedAccounts],
        tags: ["attack.t1136.003", "attack.t1531"],
    }
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let mut by_actor: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, a) in cx.audits_ok() {
        if !succeeded(a) {
            continue;
        }
        let act = activity(cx, a);
        if !matches!(&*act, "add user" | "delete user" | "hard delete user") {
            continue;
        }
        let actor = cx.actor(a);
        // In Azure AD B2C, "CPIM Service" creates and deletes accounts for
        // self-service sign-up and account deletion: the approved process
        // the guide's consumer-accounts row names.
        if cx.approved.user_management.matches(actor) || actor.eq_ignore_ascii_case("CPIM Service") {
            continue;
        }
        by_actor.entry(actor.to_lowercase()).or_default().push(i);
    }
    by_actor
        .into_values()
        .map(|rows| {
            let actor = who(cx.actor(&cx.ds.audits[rows[0]]));
            let (mut created, mut deleted) = (Vec::new(), Vec::new());
            let mut privileged = false;
            for &i in &rows {
                let a = &cx.ds.audits[i];
                let is_add = activity(cx, a) == "add user";
                for t in user_targets(cx, a) {
                    let name = undeleted_upn(target_name(cx, t));
                    if is_add {
                        created.push(name);
                    } else {
                        deleted.push(name);
                    }
                    privileged |= target_privileged(cx, t, cx.now) || cx.is_privileged(name, cx.now);
                }
            }
            let (created, deleted) = (distinct(created), distinct(deleted));
            let mut parts = Vec::new();
            if !created.is_empty() {
                parts.push(format!("created {} ({})", plural(created.len(), "account"), list(&created, 5)));
            }
            if !deleted.is_empty() {
                parts.push(format!("deleted {} ({})", plural(deleted.len(), "account"), list(&deleted, 5)));
            }
            let summary = format!("{actor} {} without being an approved user-management actor", parts.join(" and "));
            let f = Finding::new(&META, summary, rows.iter().map(|&i| cx.ev_audit(i)).collect()).with_subject(actor);
            if privileged {
                f.with_severity(Severity::High)
            } else {
                f
            }
        })
        .collect()
}
