use std::collections::BTreeMap;

use entrascope_core::{declare_check, DataNeed, Finding, SettingKey};
use entrascope_logs::{Outcome, Sym};
use rustc_hash::FxHashMap;

use super::{account_sym, count, evidence, join_limited, short_time};
use crate::context::Fact;
use crate::refdata::is_legacy_client;
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Privileged accounts signing in, or trying to, over a legacy
    /// authentication protocol (IMAP, POP, SMTP AUTH, MAPI, Exchange
    /// ActiveSync, Exchange Web Services, "Other clients"...), and whether
    /// that protocol is new for the account compared with its earlier
    /// sign-ins in the data.
    ///
    /// ## Why it matters
    /// An administrator has no reason to use a protocol that cannot do MFA.
    /// A change to a legacy protocol on an account that used modern clients
    /// before is a classic sign of a stolen password being tried where MFA
    /// does not apply.
    ///
    /// ## How it works
    /// Privileged accounts are the `privileged_accounts` patterns, the
    /// break-glass accounts, and anyone added to a privileged directory role
    /// in the audit log. For each of them, the check records the first time
    /// each client app appears; every sign-in (any status) with a legacy
    /// client app (`data/legacy-client-apps.tsv`) is reported, and the summary
    /// says which legacy protocols appeared only after the account had used
    /// other clients (the guide's "change in legacy authentication
    /// protocol"). The Sentinel hunting query the guide links
    /// (*LegacyAuthAttempt*) only suppresses combinations seen in a previous
    /// window; for privileged accounts every legacy use is worth a look, and
    /// failures count too because they show the attempt.
    ///
    /// ## False positives
    /// A shared mailbox or service account wrongly listed as privileged, and
    /// an administrator testing a protocol before disabling it.
    ///
    /// ## How to respond
    /// Ask the administrator. If unexpected, reset the password, revoke
    /// sessions, and block legacy authentication for all directory roles
    /// with Conditional Access. Disable the protocols on the account's
    /// mailbox.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-privileged-accounts
    /// - https://learn.microsoft.com/entra/identity/conditional-access/policy-block-legacy-authentication
    /// - Azure-Sentinel Hunting Queries/SigninLogs/PrivilegedAccountsUsingLegacyAuthentication.yaml
    pub static META = {
        code: "SIGN-PRIV-LEGACY-PROTOCOL",
        title: "Privileged account used a legacy protocol",
        severity: High,
        guide: ["privileged-accounts-111"],
        inputs: [DataNeed::UserSignIns],
        settings: [SettingKey::PrivilegedAccounts],
        optional_settings: [SettingKey::BreakGlassAccounts],
        tags: ["attack.t1078.004", "attack.t1110"],
    }
}

pub fn run(cx: &Context) -> Vec<Finding> {
    // account -> client app -> first time seen (ms)
    let mut first_use: BTreeMap<&str, FxHashMap<Sym, i64>> = BTreeMap::new();
    let mut legacy: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, s) in cx.user_signins() {
        let who = account_sym(s);
        if !cx.is_privileged_sym(who, s.time) {
            continue;
        }
        let who = cx.s(who);
        first_use.entry(who).or_default().entry(s.client_app).or_insert(s.time.0);
        if cx.fact(s.client_app, Fact::LegacyClient) {
            legacy.entry(who).or_default().push(i);
        }
    }
    legacy
        .into_iter()
        .map(|(who, rows)| {
            let seen = &first_use[who];
            let sign_ins = || rows.iter().map(|&i| &cx.ds.signins[i]);
            let ok = sign_ins().filter(|s| s.outcome == Outcome::Success).count();
            let protocols = join_limited(sign_ins().map(|s| cx.s(s.client_app)), 4);
            // Legacy protocols that appeared after the account had used a non-legacy client.
            let mut changes: Vec<String> = Vec::new();
            let mut done: Vec<Sym> = Vec::new();
            for s in sign_ins() {
                if done.contains(&s.client_app) {
                    continue;
                }
                done.push(s.client_app);
                let t = seen.get(&s.client_app).copied().unwrap_or(s.time.0);
                let before: Vec<&str> = seen
                    .iter()
                    .filter(|(app, &when)| when < t && !is_legacy_client(cx.s(**app)) && !app.is_empty())
                    .map(|(app, _)| cx.s(*app))
                    .collect();
                if !before.is_empty() {
                    changes.push(format!(
                        "{} first used {} after {}",
                        cx.s(s.client_app),
                        short_time(entrascope_core::Timestamp(t)),
                        join_limited(before, 3)
                    ));
                }
            }
            let (ev, note) = evidence(cx, &rows);
            let summary = format!(
                "Privileged account {who} used {protocols}: {} ({ok} successful){}{note}",
                count(rows.len(), "sign-in"),
                if changes.is_empty() { String::new() } else { format!("; {}", changes.join("; ")) },
            );
            Finding::new(&META, summary, ev).with_subject(who)
        })
        .collect()
}
