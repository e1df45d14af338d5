use std::collections::BTreeMap;

use entrascope_core::time::MS_PER_DAY;
use entrascope_core::{declare_check, DataNeed, Finding, SettingKey, Severity, Timestamp};
use entrascope_logs::{Outcome, SignIn};
use rustc_hash::FxHashSet;

use super::{account_sym, count, join_limited, short_time};
use crate::context::Fact;
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Successful sign-ins of a privileged account from a device or a country
    /// that the account did not use during the first seven days of the data
    /// (the baseline).
    ///
    /// ## Why it matters
    /// Administration should happen from a few privileged access workstations
    /// in a few places. A privileged account on a new device or in a new
    /// country is either a new workstation nobody announced or someone else
    /// using the account, possibly with a stolen session token.
    ///
    /// ## How it works
    /// Privileged accounts are the `privileged_accounts` patterns, the
    /// break-glass accounts, and anyone added to a privileged directory role
    /// in the audit log. The baseline is every successful sign-in of the
    /// account during the first 7 days of the user sign-ins in the data; the
    /// check needs 14 days so that a week remains to compare. A device is its
    /// Entra device id, or, for unregistered devices, its browser and
    /// operating system family without version numbers (so browser updates
    /// are not "new devices"). A location is the country; sign-ins from
    /// `trusted_networks` are never a new location. After the baseline, the
    /// first sign-in from each device or country not seen before is reported
    /// (later sign-ins from it are not repeated). One finding per account.
    /// Accounts with no sign-in during the baseline are reported at medium
    /// with their first devices and countries, since there is nothing to
    /// compare with. Baseline: Sentinel *Suspicious Sign-ins to Privileged
    /// Account* (a73c52f2) looks for non-compliant or unknown devices without
    /// history; comparing with the account's own history is what the guide's
    /// "new device or location" asks.
    ///
    /// ## False positives
    /// A replaced laptop, a reinstalled browser profile on an unregistered
    /// device, business travel. Ask the administrator; register
    /// administrative workstations so that device ids, not browsers, are
    /// compared.
    ///
    /// ## How to respond
    /// Confirm the device and trip with the administrator. If not theirs:
    /// revoke sessions, reset credentials, review the account's audit
    /// activity after the sign-in, and require compliant or privileged access
    /// devices for directory roles with Conditional Access.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-privileged-accounts
    /// - https://learn.microsoft.com/security/privileged-access-workstations/privileged-access-devices
    /// - Azure-Sentinel Solutions/Cloud Identity Threat Protection Essentials/Hunting Queries/SuspiciousSignintoPrivilegedAccount.yaml
    pub static META = {
        code: "SIGN-PRIV-NEW-DEVICE-LOCATION",
        title: "Privileged account on a new device or in a new country",
        severity: High,
        guide: ["privileged-accounts-112"],
        inputs: [DataNeed::UserSignIns, DataNeed::SignInSpanDays(14)],
        settings: [SettingKey::PrivilegedAccounts],
        optional_settings: [SettingKey::TrustedNetworks, SettingKey::BreakGlassAccounts],
        tags: ["attack.t1078.004"],
    }
}

/// Days of sign-ins that form the baseline.
const BASELINE_DAYS: i64 = 7;

/// Letters before the first digit, lower-cased: `Chrome 120.0.1` → `chrome`,
/// `Windows10` → `windows`.
fn family(s: &str) -> String {
    s.chars().take_while(|c| !c.is_ascii_digit()).collect::<String>().trim().to_lowercase()
}

/// The device a sign-in came from, and a readable name for it.
fn device(cx: &Context, s: &SignIn) -> (String, String) {
    let (browser, os) = (family(cx.s(s.browser)), family(cx.s(s.os)));
    let readable = match (browser.is_empty(), os.is_empty()) {
        (false, false) => format!("{} on {}", cx.s(s.browser), cx.s(s.os)),
        (false, true) => cx.s(s.browser).to_string(),
        (true, false) => cx.s(s.os).to_string(),
        (true, true) => "an unidentified device".to_string(),
    };
    if !s.device_id.is_empty() {
        let name = if s.device_name.is_empty() { cx.s(s.device_id) } else { cx.s(s.device_name) };
        return (format!("id:{}", cx.s(s.device_id).to_lowercase()), format!("device {name} ({readable})"));
    }
    (format!("ua:{browser}|{os}"), readable)
}

#[derive(Default)]
struct History {
    baseline: usize,
    base_devices: FxHashSet<String>,
    base_countries: FxHashSet<String>,
    new_devices: FxHashSet<String>,
    new_countries: FxHashSet<String>,
    /// (row, what is new)
    news: Vec<(usize, String)>,
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let Some(start) = cx.user_signins().map(|(_, s)| s.time.0).min() else { return Vec::new() };
    let baseline_end = start + BASELINE_DAYS * MS_PER_DAY;
    let mut by_account: BTreeMap<&str, History> = BTreeMap::new();
    for (i, s) in cx.user_signins() {
        if s.outcome != Outcome::Success {
            continue;
        }
        let who = account_sym(s);
        if !cx.is_privileged_sym(who, Timestamp(i64::MAX)) {
            continue;
        }
        let who = cx.s(who);
        let h = by_account.entry(who).or_default();
        let (dev_key, dev_name) = device(cx, s);
        let country = cx.s(s.country).trim().to_ascii_uppercase();
        if s.time.0 < baseline_end {
            h.baseline += 1;
            h.base_devices.insert(dev_key);
            if !country.is_empty() {
                h.base_countries.insert(country);
            }
            continue;
        }
        if !cx.is_privileged(who, s.time) {
            continue;
        }
        let mut new = Vec::new();
        if !h.base_devices.contains(&dev_key) && h.new_devices.insert(dev_key) {
            new.push(format!("new device: {dev_name}"));
        }
        let trusted = cx.fact(s.ip, Fact::TrustedNetwork);
        if !country.is_empty() && !trusted && !h.base_countries.contains(&country) && h.new_countries.insert(country.clone()) {
            new.push(format!("new country: {country}"));
        }
        if !new.is_empty() {
            h.news.push((i, new.join(", ")));
        }
    }
    by_account
        .into_iter()
        .filter(|(_, h)| !h.news.is_empty())
        .map(|(who, h)| {
            let evidence = h
                .news
                .iter()
                .map(|(i, what)| {
                    let mut e = cx.ev_signin(*i);
                    e.fields.push(("new".into(), what.clone()));
                    e
                })
                .collect();
            let whats = join_limited(h.news.iter().flat_map(|(_, w)| w.split(", ")), 4);
            let first = short_time(cx.ds.signins[h.news[0].0].time);
            let f = if h.baseline == 0 {
                let summary = format!(
                    "Privileged account {who} has no sign-in in the {BASELINE_DAYS}-day baseline; from {first} on: {whats}"
                );
                Finding::new(&META, summary, evidence).with_severity(Severity::Medium)
            } else {
                let summary = format!(
                    "Privileged account {who}: {whats} (first at {first}); the {BASELINE_DAYS}-day baseline had {} from {} in {}",
                    count(h.baseline, "sign-in"),
                    count(h.base_devices.len(), "device"),
                    if h.base_countries.is_empty() {
                        "unknown countries".to_string()
                    } else {
                        join_limited(h.base_countries.iter().map(String::as_str), 5)
                    },
                );
                Finding::new(&META, summary, evidence)
            };
            f.with_subject(who)
        })
        .collect()
}
