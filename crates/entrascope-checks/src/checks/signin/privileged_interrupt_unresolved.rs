use std::collections::BTreeMap;

use entrascope_core::time::MS_PER_MINUTE;
use entrascope_core::{declare_check, DataNeed, Finding, SettingKey, Severity};
use entrascope_logs::Outcome;

use super::{account, count, evidence, join_limited};
use crate::refdata::describe_error_code;
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Privileged accounts whose sign-in was stopped at the MFA or
    /// Conditional Access stage (MFA required, MFA registration required,
    /// MFA failed, external challenge not satisfied, blocked by Conditional
    /// Access) and never completed: no successful sign-in of the same account
    /// from the same address, or in the same correlation, followed within 30
    /// minutes.
    ///
    /// ## Why it matters
    /// These codes are only returned after the password was accepted. A
    /// legitimate administrator who is asked for MFA completes it a few
    /// seconds later; an interrupt that is never completed means someone had
    /// the password but could not pass the second factor or the policy: the
    /// situation the guide describes for this row.
    ///
    /// ## How it works
    /// Privileged accounts are the `privileged_accounts` patterns, the
    /// break-glass accounts, and anyone added to a privileged directory role
    /// in the audit log. Selects their user sign-ins with error 50072, 50074,
    /// 50076, 50079, 50158, 500121 or 53003 (the guide's B2C table repeats
    /// the 53003 filter of the Conditional Access row for this "Interrupt"
    /// row; the MFA interrupts are what the row's note describes). An
    /// interrupt is resolved when the same account signs in successfully
    /// from the same address, or with the same correlation id, within 30
    /// minutes after it; unresolved interrupts are reported, one finding per
    /// account, high when any of them is an MFA failure (500121) or a
    /// Conditional Access block, medium otherwise. Sigma's *Multifactor
    /// Authentication Interrupted* (5496ff55) alerts on every 50074 and
    /// 500121, completed or not, which for administrators who use MFA daily
    /// is mostly noise; checking for completion keeps the ones that matter.
    ///
    /// The privileged-accounts page's row (privileged-accounts-100: 50074
    /// and 500121 on privileged accounts) and the consumer-accounts page's
    /// row (consumer-accounts-059) are the same question.
    ///
    /// ## False positives
    /// An administrator who gave up on a sign-in (closed the browser at the
    /// MFA prompt) or completed it from another network after switching
    /// connection (mobile data to office Wi-Fi).
    ///
    /// ## How to respond
    /// Ask the administrator whether they abandoned a sign-in at that time.
    /// If not, the password is known to someone else: reset it, revoke
    /// sessions, and look for other attempts from the same address.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-consumer-accounts
    /// - https://learn.microsoft.com/entra/architecture/security-operations-privileged-accounts
    /// - SigmaHQ rules/cloud/azure/signin_logs/azure_mfa_interrupted.yml
    pub static META = {
        code: "SIGN-PRIV-INTERRUPT-UNRESOLVED",
        title: "Privileged sign-in stopped at MFA or Conditional Access and never completed",
        severity: High,
        guide: ["privileged-accounts-100", "consumer-accounts-059"],
        inputs: [DataNeed::UserSignIns],
        settings: [SettingKey::PrivilegedAccounts],
        optional_settings: [SettingKey::BreakGlassAccounts],
        tags: ["attack.t1621", "attack.t1078.004"],
    }
}

/// Codes returned after the password was accepted, when MFA or a policy stopped the sign-in.
const STOP_CODES: &[u32] = &[50072, 50074, 50076, 50079, 50158, 500121, 53003];
/// Of those, the ones that are a rejection rather than a request for more.
const HARD_STOPS: &[u32] = &[500121, 53003];
/// How long a legitimate user takes to complete an interrupted sign-in.
const RESOLVE_MS: i64 = 30 * MS_PER_MINUTE;

pub fn run(cx: &Context) -> Vec<Finding> {
    // account -> (stopped rows, successful rows), both in time order
    let mut by_account: BTreeMap<&str, (Vec<usize>, Vec<usize>)> = BTreeMap::new();
    for (i, s) in cx.user_signins() {
        let stopped = STOP_CODES.contains(&s.error_code);
        let ok = s.outcome == Outcome::Success;
        if !stopped && !ok {
            continue;
        }
        let who = account(cx, s);
        if !cx.is_privileged(who, s.time) {
            continue;
        }
        let e = by_account.entry(who).or_default();
        if stopped {
            e.0.push(i);
        } else {
            e.1.push(i);
        }
    }
    by_account
        .into_iter()
        .filter_map(|(who, (stopped, ok))| {
            let unresolved: Vec<usize> = stopped
                .into_iter()
                .filter(|&i| {
                    let s = &cx.ds.signins[i];
                    let from = ok.partition_point(|&j| cx.ds.signins[j].time.0 <= s.time.0);
                    !ok[from..].iter().take_while(|&&j| cx.ds.signins[j].time.0 - s.time.0 <= RESOLVE_MS).any(|&j| {
                        let o = &cx.ds.signins[j];
                        (!s.ip.is_empty() && o.ip == s.ip) || (!s.correlation_id.is_none() && o.correlation_id == s.correlation_id)
                    })
                })
                .collect();
            if unresolved.is_empty() {
                return None;
            }
            let sign_ins = || unresolved.iter().map(|&i| &cx.ds.signins[i]);
            let hard = sign_ins().any(|s| HARD_STOPS.contains(&s.error_code));
            let codes = join_limited(sign_ins().map(|s| describe_error_code(s.error_code)).collect::<Vec<_>>().iter().map(String::as_str), 3);
            let ips = join_limited(sign_ins().map(|s| cx.s(s.ip)), 3);
            let (ev, note) = evidence(cx, &unresolved);
            let summary = format!(
                "Privileged account {who}: {} stopped after the password was accepted and never completed{}: {codes}{note}",
                count(unresolved.len(), "sign-in"),
                if ips.is_empty() { String::new() } else { format!(" (from {ips})") },
            );
            let f = Finding::new(&META, summary, ev).with_subject(who);
            Some(if hard { f } else { f.with_severity(Severity::Medium) })
        })
        .collect()
}
