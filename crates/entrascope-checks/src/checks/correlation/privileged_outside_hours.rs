use std::collections::BTreeMap;

use entrascope_core::{declare_check, DataNeed, Finding, SettingKey};
use entrascope_logs::{Outcome, SignInKind, Sym};

use super::outside_business_hours::{describe_rule, when_where};
use super::{evidence, plural, user_key, BusinessClock, Habits, Privileged};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Privileged accounts signing in successfully (interactively) outside
    /// business hours, at an hour that is not part of the account's own
    /// working pattern. One finding per account.
    ///
    /// ## Why it matters
    /// The guide: "Sign-ins outside of normal working hours could indicate
    /// compromise or possible insider threats", and administrators are the
    /// accounts where either matters most. Attackers who take over an
    /// administrator often act at night or at weekends to make their changes
    /// before anyone looks.
    ///
    /// ## How it works
    /// The guide's filter (status success, location, time outside working
    /// hours) and its advice: "find the normal working pattern for each
    /// privileged account and alert if there are unplanned changes outside
    /// normal working times". Privileged accounts are the
    /// `privileged_accounts` patterns, the break-glass accounts and anyone
    /// added to a privileged directory role in the audit log. Business hours
    /// come from the settings, judged in the local time of the sign-in's
    /// country when it is an operating country (see the check
    /// SIGN-OUTSIDE-BUSINESS-HOURS for the time-zone rules). The working
    /// pattern is learned per account: a sign-in outside hours at an hour
    /// (UTC) of a business or non-business day at which the account signed
    /// in on at least 3 earlier days is its normal pattern and is left out;
    /// the others are reported, high.
    ///
    /// Baseline and improvement: the linked Sentinel hunting query *Anomalous
    /// Sign Ins Based on Time* (8ed5b8f1) flags hourly sign-in volume
    /// anomalies over 14 days for UEBA "Admin" accounts (at least 15 sign-ins
    /// an hour), which misses a single night-time sign-in; this check reports
    /// every sign-in outside hours that breaks the account's own pattern.
    ///
    /// ## False positives
    /// Planned maintenance at night, on-call administrators during their
    /// first nights in the export, administrators travelling to a
    /// non-operating country.
    ///
    /// ## How to respond
    /// Check with the administrator or the change calendar. If the sign-in
    /// was not planned, review every change the account made afterwards
    /// (audit log), revoke its sessions, and reset its credentials.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-privileged-accounts
    /// - https://learn.microsoft.com/entra/architecture/security-operations-consumer-accounts
    /// - Azure-Sentinel Hunting Queries/MultipleDataSources/AnomolousSignInsBasedonTime.yaml (8ed5b8f1-a43a-49dc-847c-e44d7a590c17)
    pub static META = {
        code: "SIGN-PRIV-OUTSIDE-BUSINESS-HOURS",
        title: "Privileged account signed in outside business hours",
        severity: High,
        guide: ["privileged-accounts-108", "consumer-accounts-065"],
        inputs: [DataNeed::InteractiveSignIns],
        settings: [SettingKey::BusinessHours, SettingKey::PrivilegedAccounts],
        optional_settings: [SettingKey::OperatingCountries, SettingKey::BreakGlassAccounts],
        tags: ["attack.t1078.004"],
    }
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let mut clock = BusinessClock::new(cx);
    let mut habits = Habits::default();
    let mut privileged = Privileged::new(cx);
    let mut by_user: BTreeMap<Sym, Vec<usize>> = BTreeMap::new();
    for (i, s) in cx.user_signins() {
        if s.kind != SignInKind::Interactive || s.outcome != Outcome::Success {
            continue;
        }
        let user = user_key(s);
        if user.is_empty() || !privileged.at(s) {
            continue;
        }
        let habitual = habits.habitual(user, s.time, &clock.days);
        if clock.outside(s) == Some(true) && !habitual {
            by_user.entry(user).or_default().push(i);
        }
    }
    let rule = describe_rule(cx);
    by_user
        .into_iter()
        .map(|(user, rows)| {
            let name = cx.s(user);
            let summary =
                format!("Privileged account {name} signed in {} outside business hours ({rule}): {}", plural(rows.len(), "time"), when_where(cx, &rows));
            Finding::new(&META, summary, evidence(cx, &rows, &[])).with_subject(name)
        })
        .collect()
}
