use std::collections::BTreeMap;

use entrascope_core::{declare_check, DataNeed, Finding, SettingKey};
use entrascope_logs::{Outcome, SignInKind, Sym};

use rustc_hash::FxHashSet;

use super::{evidence, list, plural, user_key, BusinessClock, Habits, IpKeys};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Successful interactive sign-ins outside business hours (days and
    /// times of the `business_hours` setting, in the local time of the
    /// sign-in's country when it is an operating country), at an hour the
    /// account does not usually sign in. One finding per account.
    ///
    /// ## Why it matters
    /// Attackers with stolen credentials often work when the victim's
    /// organization is asleep, so fewer people notice new devices, MFA
    /// prompts or mailbox rules. A sign-in at 03:00 on a Sunday by someone
    /// who only ever works weekdays is worth a look.
    ///
    /// ## How it works
    /// The guide: status success, location, day and time outside normal
    /// working hours, interactive only. A sign-in is outside when the
    /// settings' rule says so: in the configured time zone, or, for a
    /// sign-in from one of the `operating_countries`, in that country's time
    /// zone (`data/country-time-zones.tsv`, from the IANA zone table: the
    /// zone nearest to the sign-in's coordinates for countries with several,
    /// or outside in every zone of the country when there are no
    /// coordinates). Sign-ins are then read in time order per account, and
    /// one is left out when it follows the account's own pattern: the
    /// account signed in at the same hour (UTC) of a business or
    /// non-business day on at least 3 earlier days (night shifts, another
    /// time zone, as the guide's privileged-accounts rows suggest learning),
    /// or it comes from one of the account's working networks, a network it
    /// signed in from inside business hours on any day of the export (the
    /// user's home or office, working late; the guide's filter names the
    /// location too). Everything else outside business hours is evidence:
    /// off-hours sign-ins from somewhere the account does not work from.
    ///
    /// Baseline and improvement: the linked Sentinel hunting query *Anomalous
    /// Sign Ins Based on Time* (8ed5b8f1) looks for hourly volume anomalies
    /// of administrators; the guide's own rule is the business-hours filter,
    /// which this check applies per country and tempers with each account's
    /// learned habits. Holidays ("days of the year") cannot be expressed in
    /// the settings yet and are not judged.
    ///
    /// ## False positives
    /// Staff travelling (their country's zone is used only for operating
    /// countries) or working off-hours from a new place (a new home
    /// connection, a hotel), and accounts whose first days in the export fall
    /// outside hours.
    ///
    /// ## How to respond
    /// Check the account's other sign-ins around the same time (device,
    /// address, application) and ask the user if unsure. A sign-in at night
    /// from an unfamiliar place or device is worth a password reset and a
    /// session revocation.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-user-accounts
    /// - Azure-Sentinel Hunting Queries/MultipleDataSources/AnomolousSignInsBasedonTime.yaml (8ed5b8f1-a43a-49dc-847c-e44d7a590c17)
    pub static META = {
        code: "SIGN-OUTSIDE-BUSINESS-HOURS",
        title: "Sign-ins outside business hours",
        severity: Low,
        guide: ["user-accounts-037", "user-accounts-046"],
        inputs: [DataNeed::InteractiveSignIns],
        settings: [SettingKey::BusinessHours],
        optional_settings: [SettingKey::OperatingCountries],
        tags: ["attack.t1078"],
    }
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let mut clock = BusinessClock::new(cx);
    let mut habits = Habits::default();
    let mut keys = IpKeys::default();
    // Successful interactive sign-ins with their account, network and verdict.
    let mut signins: Vec<(usize, Sym, Option<u128>, bool)> = Vec::new();
    // The networks each account works from: used inside business hours on any day.
    let mut working: FxHashSet<(Sym, u128)> = FxHashSet::default();
    for (i, s) in cx.user_signins() {
        if s.kind != SignInKind::Interactive || s.outcome != Outcome::Success {
            continue;
        }
        let user = user_key(s);
        if user.is_empty() {
            continue;
        }
        let net = keys.key(cx, s.ip);
        let outside = clock.outside(s) == Some(true);
        if let (false, Some(n)) = (outside, net) {
            working.insert((user, n));
        }
        signins.push((i, user, net, outside));
    }
    let mut by_user: BTreeMap<Sym, Vec<usize>> = BTreeMap::new();
    for (i, user, net, outside) in signins {
        let habitual = habits.habitual(user, cx.ds.signins[i].time, &clock.days);
        let familiar = net.is_some_and(|n| working.contains(&(user, n)));
        if outside && !habitual && !familiar {
            by_user.entry(user).or_default().push(i);
        }
    }
    let rule = describe_rule(cx);
    by_user
        .into_iter()
        .map(|(user, rows)| {
            let name = cx.s(user);
            let summary = format!("{name} signed in {} outside business hours ({rule}): {}", plural(rows.len(), "time"), when_where(cx, &rows));
            Finding::new(&META, summary, evidence(cx, &rows, &[])).with_subject(name)
        })
        .collect()
}

/// The business-hours rule as people read it: "Mon, Tue, Wed, Thu, Fri 07:00–19:00 Europe/London".
pub(crate) fn describe_rule(cx: &Context) -> String {
    match &cx.settings.business_hours {
        Some(b) => format!("{} {}–{} {}", b.days.join(", "), b.start, b.end, b.timezone),
        None => String::new(),
    }
}

/// The first few sign-ins as "2026-10-10T02:14:00Z from 203.0.113.9 (BR)".
pub(crate) fn when_where(cx: &Context, rows: &[usize]) -> String {
    let items: Vec<String> = rows
        .iter()
        .map(|&r| {
            let s = &cx.ds.signins[r];
            let cc = cx.s(s.country);
            if cc.is_empty() {
                format!("{} from {}", s.time, cx.s(s.ip))
            } else {
                format!("{} from {} ({cc})", s.time, cx.s(s.ip))
            }
        })
        .collect();
    let refs: Vec<&str> = items.iter().map(String::as_str).collect();
    list(&refs, 3)
}
