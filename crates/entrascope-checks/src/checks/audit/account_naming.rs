use std::collections::BTreeMap;

use entrascope_core::{declare_check, DataNeed, Finding, SettingKey};

use super::{activity, distinct, list, plural, succeeded, user_targets, who, with_field};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Member accounts created with a user principal name that does not
    /// match the organization's naming policy (`naming_policy.user`).
    ///
    /// ## Why it matters
    /// Accounts made by the normal joiner process follow the naming
    /// standard. One that does not was created by hand, by a new process or
    /// by an attacker, and deserves a look.
    ///
    /// ## How it works
    /// Selects successful *Add user* events and tests each target's user
    /// principal name against the `naming_policy.user` regular expression
    /// (full match as written; anchor it with `^…$`). Guests (`#EXT#`) are
    /// skipped because their names come from their home organization, and so
    /// are accounts that match `naming_policy.admin` (administrator accounts
    /// follow their own format). One finding per creator, listing the
    /// accounts. When only `naming_policy.admin` is set this check has
    /// nothing to test and reports nothing.
    ///
    /// Baseline: Sentinel *User Account Created Using Incorrect Naming
    /// Format* (ee55dc85), which ships with an empty regex and, as written,
    /// selects names that *match* it; this check reports the names that do
    /// not.
    ///
    /// ## False positives
    /// Service accounts, shared mailboxes and room resources created as
    /// users, if the policy does not allow for them. Widen the expression
    /// (`^([a-z]+\.[a-z]+|svc-[a-z0-9-]+)@contoso\.com$`).
    ///
    /// ## How to respond
    /// Ask the creator why the account exists and who owns it. Rename it to
    /// the standard or remove it; check its sign-ins and group memberships.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-user-accounts#accounts-not-following-naming-policies
    /// - Azure-Sentinel: Detections/AuditLogs/UserAccountCreatedUsingIncorrectNamingFormat.yaml (ee55dc85-d2da-48c1-a6c0-3eaee62a8d56)
    pub static META = {
        code: "AUDIT-ACCOUNT-NAMING",
        title: "Account created outside the naming policy",
        severity: Low,
        guide: ["user-accounts-005"],
        inputs: [DataNeed::Audit],
        settings: [SettingKey::NamingPolicyUser],
        optional_settings: [],
        tags: ["attack.t1136.003"],
    }
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let Some(user_re) = cx.naming_user.as_ref() else { return Vec::new() };
    let mut by_actor: BTreeMap<String, Vec<(usize, &str)>> = BTreeMap::new();
    for (i, a) in cx.audits_ok() {
        if !succeeded(a) || activity(cx, a) != "add user" {
            continue;
        }
        for t in user_targets(cx, a) {
            let upn = cx.s(t.upn);
            if upn.is_empty() || upn.to_ascii_lowercase().contains("#ext#") {
                continue;
            }
            if user_re.is_match(upn) || cx.naming_admin.as_ref().is_some_and(|r| r.is_match(upn)) {
                continue;
            }
            by_actor.entry(cx.actor(a).to_lowercase()).or_default().push((i, upn));
        }
    }
    let policy = cx.settings.naming_policy.user.as_deref().unwrap_or("");
    by_actor
        .into_values()
        .map(|rows| {
            let actor = who(cx.actor(&cx.ds.audits[rows[0].0]));
            let names = distinct(rows.iter().map(|r| r.1));
            let summary = format!(
                "{actor} created {} that do not follow the naming policy: {}",
                plural(names.len(), "account"),
                list(&names, 6)
            );
            let summary = if names.len() == 1 { summary.replace("that do not", "that does not") } else { summary };
            let evidence = rows
                .iter()
                .map(|&(i, upn)| with_field(with_field(cx.ev_audit(i), "account", upn), "naming_policy", policy))
                .collect();
            Finding::new(&META, summary, evidence).with_subject(actor)
        })
        .collect()
}
