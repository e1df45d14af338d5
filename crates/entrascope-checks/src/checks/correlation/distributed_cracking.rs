use entrascope_core::{declare_check, DataNeed, Finding};
use entrascope_logs::{Outcome, Sym};
use rustc_hash::{FxHashMap, FxHashSet};

use super::{annotate, dec, duration, evidence, list, password_accepted, plural, user_key, IpKeys, DAY};
use crate::refdata::{code_in, CodeSet};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// One account attacked from many places at once: more than 30 wrong
    /// passwords within 24 hours coming from at least 3 locations (city,
    /// state and country) and at least 3 networks. A password accepted for
    /// the account from one of those networks is called out.
    ///
    /// ## Why it matters
    /// Botnets and residential proxy networks spread guesses for one account
    /// over many addresses so that no single address trips an IP block or a
    /// per-source alert, and smart lockout (which locks out per familiar and
    /// unfamiliar location) is slowed down. Many locations failing for one
    /// account in a day is not something a real user produces.
    ///
    /// ## How it works
    /// Baseline: the Sentinel rule *Distributed Password cracking attempts in
    /// Microsoft Entra ID* (DistribPassCrackAttempt, bfb1c90f): sign-ins with
    /// result 50126, 50053, 50055 or 50056 per account over one day; alert
    /// when there are more than 30 and at least 3 distinct locations.
    ///
    /// Failures in the `guess` set of `data/credential-attack-codes.tsv` are
    /// swept per account in time order with a sliding 24-hour window that
    /// counts failures, distinct locations and distinct networks (IPv4
    /// address, IPv6 /64). Windows with more than 30 failures, 3 or more
    /// locations and 3 or more networks are incidents; overlapping windows
    /// merge. Passwords accepted for the account from one of the incident's
    /// networks, during it or up to 24 hours after, are cited as the
    /// alarming part.
    ///
    /// Improvements over the baseline: a sliding 24-hour window instead of
    /// one query day (an attack across midnight is not split); the network
    /// count, so one address whose geolocation flips between cities does not
    /// count as three places; and the accepted password surfaced.
    ///
    /// ## False positives
    /// A user travelling with a device that keeps retrying an old password
    /// (phone on mobile networks in several cities). The evidence's client
    /// app and device show it.
    ///
    /// ## How to respond
    /// Confirm the account is protected by MFA and not reachable over legacy
    /// authentication. If a password was accepted from an attacking network,
    /// reset it and revoke sessions. Consider a stronger, unique password or
    /// passwordless sign-in for the account, and check whether its user name
    /// is exposed (public web site, breach lists).
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/ops-guide-ops
    /// - https://learn.microsoft.com/entra/identity/authentication/howto-password-smart-lockout
    /// - Azure-Sentinel Solutions/Microsoft Entra ID/Analytic Rules/DistribPassCrackAttempt.yaml (bfb1c90f-8006-4325-98be-c7fffbc254d6)
    pub static META = {
        code: "SIGN-DISTRIBUTED-PASSWORD-CRACKING",
        title: "Wrong passwords for one account from many locations",
        severity: High,
        guide: ["ops-001"],
        inputs: [DataNeed::UserSignIns],
        settings: [],
        optional_settings: [],
        tags: ["attack.t1110.001", "attack.credential-access"],
    }
}

/// More than this many failures in the window.
const FAILURES: usize = 30;
const LOCATIONS: usize = 3;
const NETWORKS: usize = 3;
const WINDOW: i64 = DAY;

/// An attacked account, its failures, their networks, first and last time.
type Incident = (Sym, Vec<usize>, FxHashSet<u128>, i64, i64);

struct Fail {
    row: usize,
    time: i64,
    place: (Sym, Sym, Sym),
    net: u128,
}


pub fn run(cx: &Context) -> Vec<Finding> {
    let mut keys = IpKeys::default();
    let mut by_user: FxHashMap<Sym, Vec<Fail>> = FxHashMap::default();
    for (i, s) in cx.user_signins() {
        if s.outcome == Outcome::Success || !code_in(s.error_code, CodeSet::Guess) {
            continue;
        }
        let user = user_key(s);
        let Some(net) = keys.key(cx, s.ip) else { continue };
        if user.is_empty() {
            continue;
        }
        by_user.entry(user).or_default().push(Fail { row: i, time: s.time.0, place: (s.country, s.state, s.city), net });
    }
    let mut users: Vec<Sym> = by_user.iter().filter(|(_, f)| f.len() > FAILURES).map(|(u, _)| *u).collect();
    users.sort_unstable();

    let mut incidents: Vec<Incident> = Vec::new();
    for user in users {
        let fails = &by_user[&user]; // in time order: rows were visited in time order
        let mut places: FxHashMap<(Sym, Sym, Sym), u32> = FxHashMap::default();
        let mut nets: FxHashMap<u128, u32> = FxHashMap::default();
        let mut left = 0;
        let mut current: Option<(usize, usize)> = None;
        let mut ranges = Vec::new();
        for right in 0..fails.len() {
            let f = &fails[right];
            if !f.place.0.is_empty() {
                *places.entry(f.place).or_default() += 1;
            }
            *nets.entry(f.net).or_default() += 1;
            while f.time - fails[left].time > WINDOW {
                let old = &fails[left];
                if !old.place.0.is_empty() {
                    dec(&mut places, old.place);
                }
                dec(&mut nets, old.net);
                left += 1;
            }
            if right - left + 1 > FAILURES && places.len() >= LOCATIONS && nets.len() >= NETWORKS {
                current = match current {
                    Some((s, e)) if left <= e => Some((s, right)),
                    Some(range) => {
                        ranges.push(range);
                        Some((left, right))
                    }
                    None => Some((left, right)),
                };
            }
        }
        ranges.extend(current);
        for (s, e) in ranges {
            let part = &fails[s..=e];
            incidents.push((user, part.iter().map(|f| f.row).collect(), part.iter().map(|f| f.net).collect(), part[0].time, part[part.len() - 1].time));
        }
    }
    if incidents.is_empty() {
        return Vec::new();
    }

    // Passwords accepted for attacked accounts, by account.
    let attacked: FxHashSet<Sym> = incidents.iter().map(|i| i.0).collect();
    let mut accepted: FxHashMap<Sym, Vec<(i64, u128, usize)>> = FxHashMap::default();
    for (i, s) in cx.user_signins() {
        let user = user_key(s);
        if attacked.contains(&user) && password_accepted(s) {
            if let Some(net) = keys.key(cx, s.ip) {
                accepted.entry(user).or_default().push((s.time.0, net, i));
            }
        }
    }

    incidents
        .into_iter()
        .map(|(user, rows, nets, start, end)| {
            let hits: Vec<usize> = accepted
                .get(&user)
                .map(|v| v.iter().filter(|(t, n, _)| *t >= start && *t <= end + DAY && nets.contains(n)).map(|(_, _, r)| *r).collect())
                .unwrap_or_default();
            let mut countries: Vec<&str> = rows.iter().map(|&r| cx.s(cx.ds.signins[r].country)).filter(|c| !c.is_empty()).collect();
            countries.sort_unstable();
            countries.dedup();
            let places: FxHashSet<(Sym, Sym, Sym)> =
                rows.iter().map(|&r| &cx.ds.signins[r]).filter(|s| !s.country.is_empty()).map(|s| (s.country, s.state, s.city)).collect();
            let name = cx.s(user);
            let tail = if hits.is_empty() {
                String::new()
            } else {
                format!(", then the password was accepted from {}", cx.s(cx.ds.signins[hits[0]].ip))
            };
            let summary = format!(
                "Distributed password guessing against {name}: {} from {} and {} ({}) in {}{tail}",
                plural(rows.len(), "wrong password"),
                plural(places.len(), "location"),
                plural(nets.len(), "network"),
                list(&countries, 6),
                duration(end - start),
            );
            let mut ev = evidence(cx, &rows, &hits);
            for &h in &hits {
                annotate(&mut ev, cx, h, &[("why", "password accepted from one of the attacking networks".to_string())]);
            }
            Finding::new(&META, summary, ev).with_subject(name)
        })
        .collect()
}
