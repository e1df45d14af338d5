use std::collections::BTreeMap;

use entrascope_core::{declare_check, DataNeed, Finding, SettingKey};
use entrascope_logs::Sym;

use super::risk_detection::{detections, risky_level};
use super::{evidence, list, plural, user_key, Privileged};
use crate::refdata::risk_event_type;
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Privileged accounts with a sign-in that Identity Protection left at
    /// risk: risk state *at risk* or *confirmed compromised*, with a risk
    /// level (low, medium or high) or a named detection (unfamiliar sign-in
    /// properties, anonymous IP address such as Tor, atypical travel...).
    ///
    /// ## Why it matters
    /// An administrator's account at risk is the shortest path to the whole
    /// tenant. The guide asks for an alert on any risk of a privileged
    /// account, whatever its level, because the cost of a missed compromise
    /// is so much higher than for a user.
    ///
    /// ## How it works
    /// The guide's filter: risk state = at risk, risk level = low, medium or
    /// high, activity = the detection. Privileged accounts are the
    /// `privileged_accounts` patterns, the break-glass accounts, and anyone
    /// added to a privileged directory role in the audit log (from that
    /// assignment on). Their user sign-ins whose `riskState` is `atRisk` or
    /// `confirmedCompromised` and whose `riskLevelDuringSignIn` is low,
    /// medium or high (or `hidden`, on tenants that see no level, when a
    /// detection is named) are grouped into one high finding per account,
    /// naming the detections (`data/risk-event-types.tsv`).
    ///
    /// Improvement over the guide's filter: risk that was remediated
    /// (password changed, MFA passed on a risk policy), confirmed safe or
    /// dismissed is not reported, and learned role holders count even when
    /// the settings list misses them.
    ///
    /// ## False positives
    /// An administrator travelling or using a privacy VPN. Confirm the
    /// sign-in safe in Identity Protection once verified, so it stops being
    /// at risk.
    ///
    /// ## How to respond
    /// Contact the administrator out of band. If the sign-in was not theirs:
    /// revoke sessions, reset the password, review every directory change
    /// the account made since the sign-in (audit log), and check role
    /// assignments and MFA methods. Require phishing-resistant MFA and a
    /// sign-in risk policy for administrators.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-privileged-accounts
    /// - https://learn.microsoft.com/entra/id-protection/concept-identity-protection-risks
    pub static META = {
        code: "SIGN-PRIV-RISK",
        title: "Privileged account with a sign-in at risk",
        severity: High,
        guide: ["privileged-accounts-109"],
        inputs: [DataNeed::UserSignIns, DataNeed::SignInRisk],
        settings: [SettingKey::PrivilegedAccounts],
        optional_settings: [SettingKey::BreakGlassAccounts],
        tags: ["attack.t1078.004", "attack.initial-access"],
    }
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let mut privileged = Privileged::new(cx);
    let mut by_user: BTreeMap<Sym, (Vec<usize>, Vec<&str>)> = BTreeMap::new();
    for (i, s) in cx.user_signins() {
        let state = cx.s(s.risk_state);
        if !(state.eq_ignore_ascii_case("atRisk") || state.eq_ignore_ascii_case("confirmedCompromised")) {
            continue;
        }
        let level = cx.s(s.risk_level_during);
        let types = detections(cx, s);
        let level_says = risky_level(level) && !level.eq_ignore_ascii_case("hidden");
        if !level_says && types.is_empty() {
            continue;
        }
        if !privileged.at(s) {
            continue;
        }
        let e = by_user.entry(user_key(s)).or_default();
        e.0.push(i);
        for t in types {
            let name = risk_event_type(t).map_or(t, |rt| rt.detection);
            if !e.1.contains(&name) {
                e.1.push(name);
            }
        }
    }
    by_user
        .into_iter()
        .map(|(user, (rows, names))| {
            let name = cx.s(user);
            let mut levels: Vec<&str> = rows.iter().map(|&r| cx.s(cx.ds.signins[r].risk_level_during)).filter(|l| !l.is_empty()).collect();
            levels.sort_unstable();
            levels.dedup();
            let what = if names.is_empty() { "risk".to_string() } else { list(&names, 4) };
            let summary = format!(
                "Privileged account {name} is at risk: {what} on {} (risk level {})",
                plural(rows.len(), "sign-in"),
                if levels.is_empty() { "not shown".to_string() } else { levels.join("/") }
            );
            Finding::new(&META, summary, evidence(cx, &rows, &[])).with_subject(name)
        })
        .collect()
}
