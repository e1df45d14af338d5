use std::collections::BTreeMap;

use entrascope_core::{declare_check, DataNeed, Finding, SettingKey, Severity};
use entrascope_logs::Outcome;

use super::{account, count, distinct, evidence, join_limited};
use crate::refdata::error_code_first_factor_passed;
use crate::context::Fact;
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Failed sign-ins over a legacy authentication protocol (IMAP, POP,
    /// SMTP AUTH, MAPI, Exchange ActiveSync, Exchange Web Services,
    /// Autodiscover, Exchange Online PowerShell, "Other clients"), one finding
    /// per source address, and whether the password was accepted.
    ///
    /// ## Why it matters
    /// Legacy protocols send the password with every request and cannot do
    /// MFA, which makes them the favourite channel for password spraying.
    /// Failures show who is trying; a legacy failure that happened after the
    /// password was accepted (blocked by Conditional Access, MFA required,
    /// password expired) shows the attacker has a working password, which
    /// will work on any protocol that is still open.
    ///
    /// ## How it works
    /// Selects user sign-ins that did not succeed (failure or interrupted)
    /// whose client app is in `data/legacy-client-apps.tsv` (the client-app
    /// list of Sentinel's *LegacyAuthAttempt* hunting query, linked by the
    /// guide, which only looks at successes). Groups them per source address,
    /// since a spray comes from a few addresses against many accounts. Error
    /// codes that prove the first factor (from
    /// `data/signin-error-codes.tsv`: 53003, 50074, 50076, 50055, 500121...)
    /// name the accounts whose password works and raise the finding to high.
    /// With `legacy_authentication_blocked` set, the summary says the block
    /// is doing its job when every attempt was stopped by policy.
    ///
    /// ## False positives
    /// Old mail clients and multifunction printers with a stale password, and
    /// legitimate clients stopped by the legacy-authentication block. They
    /// repeat from one address for one account.
    ///
    /// ## How to respond
    /// For accounts whose password was accepted: reset the password and
    /// revoke sessions. Block the address if it tries many accounts. Block
    /// legacy authentication with Conditional Access and disable the
    /// protocols per mailbox (Set-CASMailbox) so a sprayed password cannot be
    /// used anywhere.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-user-accounts
    /// - https://learn.microsoft.com/entra/architecture/security-operations-infrastructure
    /// - https://learn.microsoft.com/entra/identity/conditional-access/policy-block-legacy-authentication
    /// - Azure-Sentinel Hunting Queries/SigninLogs/LegacyAuthAttempt.yaml
    pub static META = {
        code: "SIGN-LEGACY-AUTH-FAILURE",
        title: "Failed sign-ins over a legacy protocol",
        severity: Medium,
        guide: ["user-accounts-034", "infrastructure-197"],
        inputs: [DataNeed::UserSignIns],
        settings: [],
        optional_settings: [SettingKey::LegacyAuthenticationBlocked],
        tags: ["attack.t1110.003", "attack.t1078"],
    }
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let mut by_ip: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, s) in cx.user_signins() {
        if s.outcome != Outcome::Success && cx.fact(s.client_app, Fact::LegacyClient) {
            by_ip.entry(cx.s(s.ip)).or_default().push(i);
        }
    }
    let blocked = cx.settings.legacy_authentication_blocked == Some(true);
    by_ip
        .into_iter()
        .map(|(ip, rows)| {
            let sign_ins = || rows.iter().map(|&i| &cx.ds.signins[i]);
            let protocols = join_limited(sign_ins().map(|s| cx.s(s.client_app)), 4);
            let n_accounts = distinct(sign_ins().map(|s| account(cx, s)));
            let accepted = join_limited(sign_ins().filter(|s| error_code_first_factor_passed(s.error_code)).map(|s| account(cx, s)), 4);
            let by_policy = sign_ins().filter(|s| s.error_code == 53003 || s.error_code == 530035).count();
            let countries = join_limited(sign_ins().map(|s| cx.s(s.country)), 3);
            let (ev, note) = evidence(cx, &rows);
            let source = if ip.is_empty() { "an unknown address".to_string() } else { ip.to_string() };
            let mut summary = format!(
                "{protocols} failures from {source}{}: {} against {}",
                if countries.is_empty() { String::new() } else { format!(" ({countries})") },
                count(rows.len(), "attempt"),
                count(n_accounts, "account"),
            );
            if !accepted.is_empty() {
                summary.push_str(&format!("; the password was accepted for {accepted}"));
            }
            if blocked && by_policy == rows.len() {
                summary.push_str("; every attempt was stopped by the legacy-authentication block");
            }
            summary.push_str(&note);
            let f = Finding::new(&META, summary, ev).with_subject(source);
            if accepted.is_empty() {
                f
            } else {
                f.with_severity(Severity::High)
            }
        })
        .collect()
}
