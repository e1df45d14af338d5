use std::collections::BTreeMap;

use entrascope_core::{declare_check, DataNeed, Finding, SettingKey};
use entrascope_logs::{Outcome, Sym, Tri};
use rustc_hash::{FxHashMap, FxHashSet};

use super::{annotate, evidence, list, plural, user_key, IpKeys, Privileged, DAY};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Privileged accounts signing in, or trying to, outside the controls
    /// expected of them: from a network that is not a trusted network, from
    /// a country that is not an operating country, or from a device that is
    /// neither compliant nor managed. Without network or country settings,
    /// from an address, country and device that no administrator used in the
    /// previous 7 days. Successful sign-ins and failed ones are reported
    /// separately, one finding per account.
    ///
    /// ## Why it matters
    /// Administrators should work from known places and managed (ideally
    /// privileged-access) devices. A privileged sign-in from anywhere else is
    /// either a policy gap or an attacker with the credentials; a failed one
    /// is someone trying the account from outside.
    ///
    /// ## How it works
    /// The guide: user principal name = admin account, with location, IP
    /// address or device info (browser, operating system) unapproved; status
    /// success for the user-accounts row, failure for the privileged-accounts
    /// and consumer-accounts rows. Privileged accounts are the
    /// `privileged_accounts` patterns, the break-glass accounts, and anyone
    /// added to a privileged directory role in the audit log (from then on).
    /// Controls checked on each of their sign-ins: the address is in
    /// `trusted_networks` (when set); the country is in `operating_countries`
    /// (when set); the device is compliant or managed (when the export says
    /// either way: an unregistered device shows as neither). When neither
    /// networks nor countries are set, the location control is learned as in
    /// the Sentinel rule below: a sign-in breaks it when its autonomous
    /// system, its country and its device were all unseen among privileged
    /// accounts' successful sign-ins of the previous 7 days (checked only
    /// once 7 days of privileged sign-ins are in the export). Sign-ins
    /// breaking any control are evidence, each annotated with what it broke;
    /// successes go to one finding per account, failures and interrupts
    /// (the password may have been right) to another, except failures from
    /// a network (IPv4 address, IPv6 /64) the account itself signs in from
    /// successfully: that is the administrator mistyping at home, already
    /// reported with the successes, not someone else trying the account.
    ///
    /// Baseline and improvement: the Sentinel rule *Authentications of
    /// Privileged Accounts Outside of Expected Controls* (af435ca1) reports
    /// an administrator's success whose ASN, location and device no
    /// administrator used in the last 7 days. This check uses the tenant's
    /// declared controls when they exist (the guide's "unapproved"
    /// location and address), falls back to the learned rule otherwise, adds
    /// the device-compliance control, and reports the failed attempts the
    /// guide's privileged-accounts row asks for.
    ///
    /// ## False positives
    /// Administrators working from home without a VPN listed in the trusted
    /// networks, travelling to a non-operating country, or using a new
    /// managed device not yet marked compliant.
    ///
    /// ## How to respond
    /// Confirm with the administrator. If the sign-in was theirs, fix the
    /// control gap (Conditional Access: require a compliant device and a
    /// trusted location for admin roles). If not, revoke sessions, reset the
    /// credentials and review the account's directory changes.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-user-accounts
    /// - https://learn.microsoft.com/entra/architecture/security-operations-privileged-accounts
    /// - https://learn.microsoft.com/entra/architecture/security-operations-consumer-accounts
    /// - Azure-Sentinel Detections/SigninLogs/AuthenticationsofPrivilegedAccountsOutsideofExpectedControls.yaml (af435ca1-fb70-4de1-92c1-7435c48482a9)
    /// - Azure-Sentinel Hunting Queries/SigninLogs/SuspiciousSignintoPrivilegedAccount.yaml
    pub static META = {
        code: "SIGN-PRIV-OUTSIDE-CONTROLS",
        title: "Privileged account sign-in outside expected controls",
        severity: High,
        guide: ["user-accounts-039", "privileged-accounts-107", "consumer-accounts-064"],
        inputs: [DataNeed::UserSignIns],
        settings: [SettingKey::PrivilegedAccounts],
        optional_settings: [SettingKey::TrustedNetworks, SettingKey::OperatingCountries, SettingKey::BreakGlassAccounts],
        tags: ["attack.t1078.004", "attack.initial-access"],
    }
}

/// A sign-in (row) and the controls it broke.
type Broken = (usize, Vec<String>);

/// How far back the learned control looks.
const LEARN: i64 = 7 * DAY;

/// What privileged accounts used, with the last time each was seen.
#[derive(Default)]
struct Seen {
    asn: FxHashMap<u32, i64>,
    country: FxHashMap<Sym, i64>,
    device: FxHashMap<Sym, i64>,
}

fn recent<K: std::hash::Hash + Eq>(map: &FxHashMap<K, i64>, key: &K, now: i64) -> bool {
    map.get(key).is_some_and(|t| now - t <= LEARN)
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let declared = !cx.trusted_networks.is_empty() || !cx.operating_countries.is_empty();
    let mut privileged = Privileged::new(cx);
    let mut seen = Seen::default();
    let mut first_privileged: Option<i64> = None;
    let mut trusted: FxHashMap<Sym, bool> = FxHashMap::default();
    let mut operating: FxHashMap<Sym, bool> = FxHashMap::default();
    let mut groups: BTreeMap<(Sym, bool), Vec<Broken>> = BTreeMap::new();
    // Networks each privileged account signs in from successfully: a failure
    // from one of them is the administrator mistyping, not someone else.
    let mut keys = IpKeys::default();
    let mut own: FxHashSet<(Sym, u128)> = FxHashSet::default();
    for (_, s) in cx.user_signins() {
        if s.outcome == Outcome::Success && privileged.at(s) {
            if let Some(net) = keys.key(cx, s.ip) {
                own.insert((user_key(s), net));
            }
        }
    }
    for (i, s) in cx.user_signins() {
        if !privileged.at(s) {
            continue;
        }
        let success = s.outcome == Outcome::Success;
        if !success && keys.key(cx, s.ip).is_some_and(|net| own.contains(&(user_key(s), net))) {
            continue;
        }
        let t = s.time.0;
        let first = *first_privileged.get_or_insert(t);
        let mut broken: Vec<String> = Vec::new();
        let ip = cx.s(s.ip);
        if !cx.trusted_networks.is_empty() && !ip.is_empty() && !*trusted.entry(s.ip).or_insert_with(|| cx.trusted_networks.contains(ip)) {
            broken.push(format!("untrusted network {ip}"));
        }
        if !cx.operating_countries.is_empty() && !s.country.is_empty() {
            let ok = *operating.entry(s.country).or_insert_with(|| {
                let cc = cx.s(s.country).trim().to_ascii_uppercase();
                cx.operating_countries.contains(&cc)
            });
            if !ok {
                broken.push(format!("country {} is not an operating country", cx.s(s.country)));
            }
        }
        if s.compliant == Tri::No && s.managed == Tri::No {
            broken.push("device neither compliant nor managed".to_string());
        }
        if !declared && t - first >= LEARN {
            let new_asn = s.asn == 0 || !recent(&seen.asn, &s.asn, t);
            let new_country = s.country.is_empty() || !recent(&seen.country, &s.country, t);
            let new_device = s.device_id.is_empty() || !recent(&seen.device, &s.device_id, t);
            if new_asn && new_country && new_device {
                broken.push("network, country and device no administrator used in the previous 7 days".to_string());
            }
        }
        if success {
            if s.asn != 0 {
                seen.asn.insert(s.asn, t);
            }
            if !s.country.is_empty() {
                seen.country.insert(s.country, t);
            }
            if !s.device_id.is_empty() {
                seen.device.insert(s.device_id, t);
            }
        }
        if !broken.is_empty() {
            groups.entry((user_key(s), success)).or_default().push((i, broken));
        }
    }
    groups
        .into_iter()
        .map(|((user, success), items)| {
            let name = cx.s(user);
            let rows: Vec<usize> = items.iter().map(|(r, _)| *r).collect();
            let mut kinds: Vec<&str> = Vec::new();
            let mut reasons: FxHashSet<&str> = FxHashSet::default();
            for (_, why) in &items {
                for w in why {
                    if reasons.insert(w.as_str()) {
                        kinds.push(w.as_str());
                    }
                }
            }
            let verb = if success { "signed in" } else { "had failed or unfinished sign-ins" };
            let summary = format!(
                "Privileged account {name} {verb} outside expected controls ({}): {}",
                plural(rows.len(), "sign-in"),
                list(&kinds, 4)
            );
            let mut ev = evidence(cx, &rows, &[]);
            for (r, why) in &items {
                annotate(&mut ev, cx, *r, &[("controls_broken", why.join("; "))]);
            }
            let guide: &[&str] = if success { &["user-accounts-039"] } else { &["privileged-accounts-107", "consumer-accounts-064"] };
            Finding::new(&META, summary, ev).with_subject(name).with_guide(guide)
        })
        .collect()
}
