use std::collections::BTreeMap;

use entrascope_core::{declare_check, DataNeed, Finding, SettingKey};
use entrascope_logs::{Outcome, SignInKind};

use super::{account_sym, count, evidence, join_limited, password_only};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Successful interactive sign-ins by a privileged account that were
    /// protected by a password alone: the sign-in's authentication
    /// requirement is single-factor and no authentication step shows a second
    /// factor.
    ///
    /// ## Why it matters
    /// Multifactor authentication for every administrator is stage 1 of
    /// Microsoft's privileged access plan. An administrator whose sign-in
    /// needs only a password falls to one phished or sprayed password, and
    /// the attacker gets the account's roles with it.
    ///
    /// ## How it works
    /// Privileged accounts are the `privileged_accounts` patterns, the
    /// break-glass accounts, and anyone added to a privileged directory role
    /// in the audit log (from the time of that assignment). For each of their
    /// successful interactive sign-ins whose `authenticationRequirement` is
    /// `singleFactorAuthentication`, the check looks at the authentication
    /// steps: a successful secondary step, or a method that is multifactor on
    /// its own (Windows Hello for Business, FIDO2 security key, passkey,
    /// passwordless phone sign-in; `data/multifactor-methods.tsv`), means the
    /// account was not protected by a password alone and the sign-in is not
    /// reported. This removes the main false positive of the guide's
    /// requirement-only filter: the requirement records what policy demanded,
    /// not what the administrator presented, so a Windows Hello sign-in under
    /// a policy that asks for nothing more reads "single-factor". One finding
    /// per account, listing the applications reached.
    ///
    /// ## False positives
    /// An administrator signing in with a certificate or a federated identity
    /// provider that does its own MFA but does not pass the MFA claim. Fix the
    /// federation (`federatedIdpMfaBehavior`) rather than ignore the finding.
    ///
    /// ## How to respond
    /// Require phishing-resistant MFA for every directory role with a
    /// Conditional Access policy (Authentication strength), check why this
    /// account was not covered (exclusion, report-only policy, app not in
    /// scope), and confirm the sign-ins in the evidence were the
    /// administrator's own.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/identity/role-based-access-control/security-planning
    /// - https://learn.microsoft.com/entra/identity/conditional-access/policy-old-require-mfa-admin
    /// - https://learn.microsoft.com/entra/architecture/security-operations-privileged-accounts
    pub static META = {
        code: "PA-PRIV-SINGLE-FACTOR",
        title: "Privileged account signed in with a password alone",
        severity: High,
        guide: ["pa-003"],
        inputs: [DataNeed::InteractiveSignIns],
        settings: [SettingKey::PrivilegedAccounts],
        optional_settings: [SettingKey::BreakGlassAccounts],
        tags: ["attack.t1078.004"],
    }
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let mut by_account: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, s) in cx.user_signins() {
        if s.kind != SignInKind::Interactive || s.outcome != Outcome::Success {
            continue;
        }
        let who = account_sym(s);
        if cx.is_privileged_sym(who, s.time) && password_only(cx, s) {
            by_account.entry(cx.s(who)).or_default().push(i);
        }
    }
    by_account
        .into_iter()
        .map(|(who, rows)| {
            let apps = join_limited(rows.iter().map(|&i| cx.s(cx.ds.signins[i].app_display)), 4);
            let ips = join_limited(rows.iter().map(|&i| cx.s(cx.ds.signins[i].ip)), 3);
            let (ev, note) = evidence(cx, &rows);
            let summary = format!(
                "Privileged account {who} signed in with a password alone: {}{}{}{note}",
                count(rows.len(), "single-factor sign-in"),
                if apps.is_empty() { String::new() } else { format!(" to {apps}") },
                if ips.is_empty() { String::new() } else { format!(" from {ips}") },
            );
            Finding::new(&META, summary, ev).with_subject(who)
        })
        .collect()
}
