use entrascope_core::{declare_check, DataNeed, Finding, SettingKey};
use entrascope_logs::{SignInKind, Sym};
use rustc_hash::FxHashMap;

use super::{annotate, coords, distance_km, duration, evidence, password_accepted, user_key, DAY, HOUR, MINUTE};
use crate::context::Fact;
use crate::Context;

declare_check! {
    /// ## What it detects
    /// An account whose password is accepted in two places too far apart for
    /// the time between them: with coordinates, more than 500 km apart at a
    /// speed above 900 km/h (faster than an airliner); without coordinates,
    /// two different countries less than 10 minutes apart. Trusted networks
    /// (VPN egress) are left out.
    ///
    /// ## Why it matters
    /// One person cannot be in Amsterdam and São Paulo an hour apart; one of
    /// the two sign-ins is someone else using the account's password or
    /// session. Identity Protection's *Atypical travel* and Defender for
    /// Cloud Apps' *Impossible travel* raise this risk only with an Entra ID
    /// P2 licence; this check computes it from the sign-in log itself.
    ///
    /// ## How it works
    /// Baseline: the Sentinel hunting query *User Login IP Address
    /// Teleportation* (09a7c5fc): the same account signing in from a
    /// different IP address and a different country within 10 minutes,
    /// restricted to countries rarely seen in the tenant, known VPN addresses
    /// excluded. No public Entra rule uses distance and speed.
    ///
    /// Interactive sign-ins whose password was accepted (a success, or an
    /// error only returned after a correct password) and whose address is
    /// not in a trusted network are read per account in time order, and each
    /// is compared with the account's previous one from another address.
    /// When both have coordinates (Graph `location.geoCoordinates`), the pair
    /// is impossible when the great-circle distance is at least 500 km and
    /// distance divided by elapsed time exceeds 900 km/h; the 500 km floor
    /// absorbs IP geolocation error (mobile carriers often geolocate to a
    /// gateway city hundreds of kilometres away). Otherwise the pair is
    /// impossible when the countries differ and the sign-ins are at most 10
    /// minutes apart (the baseline's window). Impossible pairs of one account
    /// less than a day apart form one finding, with distance and speed added
    /// to the evidence.
    ///
    /// Improvements over the baseline: real distance and speed when the
    /// export has coordinates, so Amsterdam to Tokyo in three hours is caught
    /// and Amsterdam to Brussels in twenty minutes is not; only sign-ins that
    /// prove the password (no failures from attackers' guesses); no
    /// dependence on country rarity.
    ///
    /// ## False positives
    /// VPNs and proxies not listed in `trusted_networks`, cloud-hosted
    /// desktops signing in from a datacentre far from the user, and mobile
    /// carriers routing through another country. Add VPN and VDI egress
    /// ranges to the settings.
    ///
    /// ## How to respond
    /// Ask the user which of the two sign-ins was theirs. Revoke sessions and
    /// reset the password if one was not; check the other sign-in's device
    /// and application, and the account's MFA methods.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-user-accounts
    /// - https://learn.microsoft.com/entra/id-protection/concept-identity-protection-risks
    /// - Azure-Sentinel Hunting Queries/SigninLogs/UserLoginIPAddressTeleportation.yaml (09a7c5fc-0649-4f7d-a21b-36a754cef6b6)
    pub static META = {
        code: "SIGN-IMPOSSIBLE-TRAVEL",
        title: "Sign-ins from places too far apart for the time between them",
        severity: Medium,
        guide: ["user-accounts-013", "user-accounts-021"],
        inputs: [DataNeed::InteractiveSignIns],
        settings: [],
        optional_settings: [SettingKey::TrustedNetworks],
        tags: ["attack.t1078", "attack.initial-access"],
    }
}

const MIN_KM: f64 = 500.0;
const MAX_KMH: f64 = 900.0;
/// Without coordinates: two countries within this time.
const COUNTRY_WINDOW: i64 = 10 * MINUTE;

struct Hop {
    from: usize,
    to: usize,
    km: Option<f64>,
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let mut last: FxHashMap<Sym, usize> = FxHashMap::default();
    let mut hops: FxHashMap<Sym, Vec<Hop>> = FxHashMap::default();
    let mut trusted: FxHashMap<Sym, bool> = FxHashMap::default();
    for (i, s) in cx.user_signins() {
        if s.kind != SignInKind::Interactive || !password_accepted(s) || s.ip.is_empty() {
            continue;
        }
        let user = user_key(s);
        if user.is_empty() || *trusted.entry(s.ip).or_insert_with(|| cx.fact(s.ip, Fact::TrustedNetwork)) {
            continue;
        }
        if let Some(&p) = last.get(&user) {
            let prev = &cx.ds.signins[p];
            if prev.ip != s.ip {
                let dt = s.time.0 - prev.time.0;
                let hop = match (coords(prev), coords(s)) {
                    (Some(a), Some(b)) => {
                        let km = distance_km(a, b);
                        let hours = dt as f64 / HOUR as f64;
                        (km >= MIN_KM && (hours <= 0.0 || km / hours > MAX_KMH)).then_some(Hop { from: p, to: i, km: Some(km) })
                    }
                    _ => (!prev.country.is_empty() && !s.country.is_empty() && prev.country != s.country && dt <= COUNTRY_WINDOW)
                        .then_some(Hop { from: p, to: i, km: None }),
                };
                if let Some(h) = hop {
                    hops.entry(user).or_default().push(h);
                }
            }
        }
        last.insert(user, i);
    }
    let mut users: Vec<Sym> = hops.keys().copied().collect();
    users.sort_unstable();
    let mut out = Vec::new();
    for user in users {
        let list = &hops[&user];
        let mut start = 0;
        while start < list.len() {
            let mut end = start + 1;
            while end < list.len() && cx.ds.signins[list[end].from].time.0 - cx.ds.signins[list[end - 1].to].time.0 <= DAY {
                end += 1;
            }
            out.push(finding(cx, user, &list[start..end]));
            start = end;
        }
    }
    out
}

fn place(cx: &Context, row: usize) -> String {
    let s = &cx.ds.signins[row];
    let p = [cx.s(s.city), cx.s(s.country)].iter().filter(|x| !x.is_empty()).copied().collect::<Vec<_>>().join(", ");
    format!("{p} ({})", cx.s(s.ip))
}

fn finding(cx: &Context, user: Sym, hops: &[Hop]) -> Finding {
    let name = cx.s(user);
    let h = &hops[0];
    let dt = cx.ds.signins[h.to].time.0 - cx.ds.signins[h.from].time.0;
    let how_far = match h.km {
        Some(km) => format!("{:.0} km in {}", km, duration(dt)),
        None => format!("a different country {} later", duration(dt)),
    };
    let more = if hops.len() > 1 { format!("; {} impossible hops in all", hops.len()) } else { String::new() };
    let summary = format!("{name} signed in from {} and then from {}: {how_far}{more}", place(cx, h.from), place(cx, h.to));
    let rows: Vec<usize> = hops.iter().flat_map(|h| [h.from, h.to]).collect();
    let mut ev = evidence(cx, &rows, &rows);
    for h in hops {
        let dt = (cx.ds.signins[h.to].time.0 - cx.ds.signins[h.from].time.0).max(0);
        let mut fields = vec![("previous_sign_in", place(cx, h.from)), ("elapsed", duration(dt))];
        if let Some(km) = h.km {
            fields.push(("distance_km", format!("{km:.0}")));
            let kmh = if dt > 0 { format!("{:.0}", km / (dt as f64 / HOUR as f64)) } else { "instant".to_string() };
            fields.push(("speed_kmh", kmh));
        }
        annotate(&mut ev, cx, h.to, &fields);
    }
    Finding::new(&META, summary, ev).with_subject(name)
}
