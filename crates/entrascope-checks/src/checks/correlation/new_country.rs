use entrascope_core::{declare_check, DataNeed, Finding, SettingKey, Severity};
use entrascope_logs::{Outcome, SignInKind, Sym};
use rustc_hash::{FxHashMap, FxHashSet};

use super::{evidence, password_accepted, user_key, DAY};
use crate::context::Fact;
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Sign-ins whose password was accepted from a country or region that is
    /// new to the tenant (no successful sign-in of anyone from it before that
    /// day), or new to the account (the account never signed in successfully
    /// from it before, although it has at least 7 days of history). The
    /// first 7 days of the data only teach what is normal.
    ///
    /// ## Why it matters
    /// Stolen credentials are mostly used from wherever the attacker sits or
    /// rents infrastructure, rarely from the victim's country. A country that
    /// the whole organization has never signed in from is a strong signal;
    /// one that is only new to the user is weaker (travel) but is what
    /// Identity Protection's *New country* detection looks at. This check
    /// gives that signal without an Entra ID P2 licence.
    ///
    /// ## How it works
    /// Baseline: the Sentinel rule *Authentication Attempt from New Country*
    /// (ef895ada): countries with a successful sign-in in days 2 to 14 before
    /// now are known (tenant-wide); attempts in the last day whose result is
    /// not 50126, 50053, 50074 or 70044 from an unknown country alert, per
    /// user and country.
    ///
    /// Learning period: the 7 days after the first interactive sign-in of the
    /// data; nothing in it is reported. After it, interactive sign-ins are
    /// read in time order. A country is known to the tenant once anyone has
    /// a successful interactive sign-in from it on an earlier day (the
    /// learning period plus every day since, so the set keeps growing like
    /// the baseline's rolling window), and known to the account once the
    /// account has a successful interactive sign-in from it. A sign-in is
    /// reported when its password was accepted (a success, or an error only
    /// returned after a correct password: MFA required, blocked by
    /// Conditional Access...), its address is not in a trusted network, and
    /// its country is not an operating country, and the country is new to
    /// the tenant (medium) or, for an account first seen at least 7 days
    /// earlier, new to the account (low). One finding per account and
    /// country, citing its sign-ins from that country in the 24 hours after
    /// the first.
    ///
    /// Improvements over the baseline: the account-level signal; CA-blocked
    /// and MFA-stopped sign-ins count because the password was right (the
    /// baseline drops 50074); trusted networks (VPN egress geolocated
    /// elsewhere) and operating countries are not reported; the learning
    /// period is explicit and a short export says so in coverage
    /// (`needs-data`: 8 days) instead of reporting every country as new.
    ///
    /// ## False positives
    /// Business travel, a new office, a user on holiday, a consumer VPN or a
    /// mobile carrier whose addresses geolocate abroad. List operating
    /// countries and VPN egress ranges in the settings.
    ///
    /// ## How to respond
    /// Ask the user whether they were in that country. If not, revoke
    /// sessions, reset the password, and review what was accessed from
    /// there. Consider a Conditional Access policy that blocks or requires
    /// compliant devices for countries you do not operate in.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-user-accounts
    /// - https://learn.microsoft.com/entra/id-protection/concept-identity-protection-risks
    /// - Azure-Sentinel Detections/SigninLogs/AuthenticationAttemptfromNewCountry.yaml (ef895ada-e8e8-4cf0-9313-b1ab67fab69f)
    pub static META = {
        code: "SIGN-NEW-COUNTRY",
        title: "Sign-in from a country new to the tenant or to the account",
        severity: Low,
        guide: ["user-accounts-022"],
        inputs: [DataNeed::InteractiveSignIns, DataNeed::SignInSpanDays(8)],
        settings: [],
        optional_settings: [SettingKey::OperatingCountries, SettingKey::TrustedNetworks],
        tags: ["attack.t1078", "attack.initial-access"],
    }
}

/// Days of data that only teach what is normal.
const LEARN: i64 = 7 * DAY;
/// History an account needs before a country can be new to it.
const ACCOUNT_HISTORY: i64 = 7 * DAY;

struct Open {
    tenant_new: bool,
    first: i64,
    rows: Vec<usize>,
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let interactive = || cx.user_signins().filter(|(_, s)| s.kind == SignInKind::Interactive);
    let Some(first) = interactive().map(|(_, s)| s.time.0).min() else { return Vec::new() };
    let learn_end = first + LEARN;
    let operating: FxHashSet<&str> = cx.operating_countries.iter().map(String::as_str).collect();

    let mut tenant_known: FxHashSet<Sym> = FxHashSet::default();
    let mut today: FxHashSet<Sym> = FxHashSet::default();
    let mut day = i64::MIN;
    let mut first_seen: FxHashMap<Sym, i64> = FxHashMap::default();
    let mut user_known: FxHashSet<(Sym, Sym)> = FxHashSet::default();
    let mut open: FxHashMap<(Sym, Sym), Open> = FxHashMap::default();
    let mut order: Vec<(Sym, Sym)> = Vec::new();
    let mut country_upper: FxHashMap<Sym, String> = FxHashMap::default();

    for (i, s) in interactive() {
        let user = user_key(s);
        if user.is_empty() {
            continue;
        }
        if s.time.day() != day {
            tenant_known.extend(today.drain());
            day = s.time.day();
        }
        let t = s.time.0;
        let since = *first_seen.entry(user).or_insert(t);
        let country = s.country;
        if !country.is_empty() && t >= learn_end && password_accepted(s) {
            let key = (user, country);
            if let Some(o) = open.get_mut(&key) {
                if t - o.first <= DAY {
                    o.rows.push(i);
                }
            } else {
                let cc = country_upper.entry(country).or_insert_with(|| cx.s(country).trim().to_ascii_uppercase());
                let excluded = operating.contains(cc.as_str()) || cx.fact(s.ip, Fact::TrustedNetwork);
                let tenant_new = !tenant_known.contains(&country);
                let user_new = !user_known.contains(&key) && t - since >= ACCOUNT_HISTORY;
                if !excluded && (tenant_new || user_new) {
                    open.insert(key, Open { tenant_new, first: t, rows: vec![i] });
                    order.push(key);
                }
            }
        }
        if s.outcome == Outcome::Success && !country.is_empty() {
            today.insert(country);
            user_known.insert((user, country));
        }
    }

    order
        .into_iter()
        .filter_map(|key| open.remove(&key).map(|o| (key, o)))
        .map(|((user, country), o)| {
            let name = cx.s(user);
            let s = &cx.ds.signins[o.rows[0]];
            let cc = cx.s(country);
            let place = [cx.s(s.city), cc].iter().filter(|x| !x.is_empty()).copied().collect::<Vec<_>>().join(", ");
            let new_to = if o.tenant_new { "a country no one in the tenant had signed in from before" } else { "a country this account had never signed in from" };
            let result = if s.outcome == Outcome::Success {
                "signed in".to_string()
            } else {
                format!("had the password accepted (error {})", s.error_code)
            };
            let more = if o.rows.len() > 1 { format!("; {} sign-ins from there within a day", o.rows.len()) } else { String::new() };
            let summary = format!("{name} {result} from {place} ({}), {new_to}{more}", cx.s(s.ip));
            let f = Finding::new(&META, summary, evidence(cx, &o.rows, &o.rows[..1])).with_subject(name);
            if o.tenant_new {
                f.with_severity(Severity::Medium)
            } else {
                f
            }
        })
        .collect()
}
