//! Checks that correlate many sign-ins: password spray, brute force, MFA
//! fatigue, new countries, impossible travel, volume changes, risk.
//!
//! Besides the register list, this module holds what several of them share:
//! network keys for IP addresses, the privileged-account cache, the
//! per-account daily baseline, the week-over-week volume rule, business
//! hours per country and learned habits, evidence capping and great-circle
//! distance.
//! Everything here is linear or `n log n` in the number of sign-ins and keys
//! its maps by [`Sym`], so a million sign-ins take seconds, not minutes.

use std::net::IpAddr;

use entrascope_core::settings::{parse_ip, BusinessHoursRule};
use entrascope_core::time::{MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE};
use entrascope_core::{Evidence, Timestamp};
use entrascope_logs::{Outcome, SignIn, Sym};
use rustc_hash::{FxHashMap, FxHashSet};

use crate::refdata::{code_in, CodeSet};
use crate::Context;

super::register! {
    brute_force,
    distributed_cracking,
    failed_password,
    failure_volume,
    impossible_travel,
    interrupts,
    mfa_fatigue,
    new_country,
    outside_business_hours,
    password_spray,
    privileged_failed_password,
    privileged_lockout,
    privileged_outside_controls,
    privileged_outside_hours,
    privileged_risk,
    risk_detection,
    smart_lockout,
    success_then_failure,
    success_volume,
}

/// The most sign-ins one finding cites. Findings say how many there were in
/// all; the cited ones are the alarming records first, then the earliest.
pub(crate) const MAX_EVIDENCE: usize = 200;

pub(crate) const MINUTE: i64 = MS_PER_MINUTE;
pub(crate) const HOUR: i64 = MS_PER_HOUR;
pub(crate) const DAY: i64 = MS_PER_DAY;

/// The account a sign-in belongs to: its UPN, else its object id, else the
/// identifier typed at sign-in. Empty when the export names no account.
pub(crate) fn user_key(s: &SignIn) -> Sym {
    [s.upn, s.user_id, s.sign_in_identifier].into_iter().find(|x| !x.is_empty()).unwrap_or(Sym::EMPTY)
}

/// Whether the sign-in shows the password (first factor) was right: a
/// success, or an error returned only after the password was accepted
/// (MFA required, blocked by Conditional Access, password expired...).
pub(crate) fn password_accepted(s: &SignIn) -> bool {
    (s.outcome == Outcome::Success && s.error_code == 0) || code_in(s.error_code, CodeSet::Accepted)
}

/// "1 account", "3 accounts".
pub(crate) fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else if let Some(stem) = word.strip_suffix('y').filter(|s| !s.ends_with(['a', 'e', 'o'])) {
        format!("{n} {stem}ies")
    } else if word.ends_with(['s', 'x']) || word.ends_with("ch") || word.ends_with("sh") {
        format!("{n} {word}es")
    } else {
        format!("{n} {word}s")
    }
}

/// A duration as people say it: "40 seconds", "18 minutes", "3 hours 5 minutes", "2 days".
pub(crate) fn duration(ms: i64) -> String {
    let ms = ms.max(0);
    if ms < MINUTE {
        return plural((ms / 1000) as usize, "second");
    }
    if ms < HOUR {
        return plural(((ms + MINUTE / 2) / MINUTE) as usize, "minute");
    }
    if ms < 2 * DAY {
        let h = ms / HOUR;
        let m = (ms % HOUR) / MINUTE;
        return if m == 0 {
            plural(h as usize, "hour")
        } else {
            format!("{} {}", plural(h as usize, "hour"), plural(m as usize, "minute"))
        };
    }
    plural(((ms + DAY / 2) / DAY) as usize, "day")
}

/// Joins at most `max` items, adding "and N more".
pub(crate) fn list(items: &[&str], max: usize) -> String {
    if items.len() <= max {
        items.join(", ")
    } else {
        format!("{} and {} more", items[..max].join(", "), items.len() - max)
    }
}

/// Evidence for `rows`, capped at [`MAX_EVIDENCE`]: every row of `keep`
/// first (the alarming records), then the earliest of the others.
pub(crate) fn evidence(cx: &Context, rows: &[usize], keep: &[usize]) -> Vec<Evidence> {
    let mut chosen: Vec<usize> = keep.to_vec();
    chosen.sort_unstable();
    chosen.dedup();
    chosen.truncate(MAX_EVIDENCE);
    let mut rest: Vec<usize> = rows.iter().copied().filter(|r| chosen.binary_search(r).is_err()).collect();
    rest.sort_unstable();
    rest.dedup();
    let room = MAX_EVIDENCE.saturating_sub(chosen.len());
    chosen.extend(rest.into_iter().take(room));
    chosen.into_iter().map(|i| cx.ev_signin(i)).collect()
}

/// Adds explanatory fields to the evidence item of sign-in `row`, if cited.
pub(crate) fn annotate(evidence: &mut [Evidence], cx: &Context, row: usize, fields: &[(&str, String)]) {
    let id = cx.ds.signins[row].request_id.render(&cx.ds.strings);
    let src = cx.ds.signins[row].src;
    for e in evidence.iter_mut() {
        if e.id == id && e.line == src.line as u64 && e.input == src.input {
            for (k, v) in fields {
                e.fields.push((k.to_string(), v.clone()));
            }
        }
    }
}

/// Decrements a count in a sliding-window tally and forgets the key at zero.
pub(crate) fn dec<K: std::hash::Hash + Eq>(map: &mut FxHashMap<K, u32>, key: K) {
    if let Some(n) = map.get_mut(&key) {
        *n -= 1;
        if *n == 0 {
            map.remove(&key);
        }
    }
}

/// Groups IP addresses into the network an attacker controls as a unit:
/// the IPv4 address itself, or the IPv6 /64 (one subscriber's prefix, which
/// rotating-address tools cycle through). Parses each distinct address once.
#[derive(Default)]
pub(crate) struct IpKeys {
    cache: FxHashMap<Sym, Option<u128>>,
}

impl IpKeys {
    pub(crate) fn key(&mut self, cx: &Context, ip: Sym) -> Option<u128> {
        if ip.is_empty() {
            return None;
        }
        *self.cache.entry(ip).or_insert_with(|| match parse_ip(cx.s(ip))? {
            IpAddr::V4(v4) => Some((0xffffu128 << 32) | u32::from(v4) as u128),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => Some((0xffffu128 << 32) | u32::from(v4) as u128),
                None => Some(u128::from(v6) & !((1u128 << 64) - 1)),
            },
        })
    }
}

/// The /16 of an IPv4 address or the first two hextets (/32) of an IPv6
/// address, as the Sentinel rule *SuccessThenFail_DiffIP_SameUserandApp*
/// compares them, tagged with the family (4 or 6).
pub(crate) fn net16(ip: &str) -> Option<(u8, u32)> {
    match parse_ip(ip)? {
        IpAddr::V4(v4) => Some((4, u32::from(v4) >> 16)),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => Some((4, u32::from(v4) >> 16)),
            None => Some((6, (u128::from(v6) >> 96) as u32)),
        },
    }
}

/// Who is privileged, cached per account. An account is privileged from the
/// start when the settings name it (or it is a break-glass account), and
/// from its first privileged role assignment when the audit log shows one.
pub(crate) struct Privileged<'c, 'a> {
    cx: &'c Context<'a>,
    since: FxHashMap<Sym, Option<i64>>,
}

impl<'c, 'a> Privileged<'c, 'a> {
    pub(crate) fn new(cx: &'c Context<'a>) -> Self {
        Privileged { cx, since: FxHashMap::default() }
    }

    /// Whether the sign-in's account was privileged at the time of the sign-in.
    pub(crate) fn at(&mut self, s: &SignIn) -> bool {
        let key = user_key(s);
        if key.is_empty() {
            return false;
        }
        let cx = self.cx;
        let since = *self.since.entry(key).or_insert_with(|| {
            let names = [cx.s(s.upn), cx.s(s.user_id)];
            if names.iter().any(|n| !n.is_empty() && cx.is_privileged(n, entrascope_core::Timestamp(i64::MIN))) {
                return Some(i64::MIN);
            }
            names.iter().filter(|n| !n.is_empty()).filter_map(|n| cx.learned_privileged.get(&n.to_lowercase())).map(|t| t.0).min()
        });
        since.is_some_and(|t| t <= s.time.0)
    }
}

/// Whether the sign-in has coordinates (Graph `location.geoCoordinates`).
pub(crate) fn coords(s: &SignIn) -> Option<(f64, f64)> {
    let (lat, lon) = (s.latitude as f64, s.longitude as f64);
    (lat.is_finite() && lon.is_finite() && (lat != 0.0 || lon != 0.0) && lat.abs() <= 90.0 && lon.abs() <= 180.0)
        .then_some((lat, lon))
}

/// Great-circle distance in kilometres (haversine, mean Earth radius).
pub(crate) fn distance_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, lo1, la2, lo2) = (a.0.to_radians(), a.1.to_radians(), b.0.to_radians(), b.1.to_radians());
    let h = ((la2 - la1) / 2.0).sin().powi(2) + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * 6371.0088 * h.sqrt().min(1.0).asin()
}

/// The first and last UTC day holding a user sign-in.
pub(crate) fn user_day_span(cx: &Context) -> Option<(i64, i64)> {
    let mut it = cx.user_signins().map(|(_, s)| s.time.day());
    let first = it.next()?;
    let (lo, hi) = it.fold((first, first), |(lo, hi), d| (lo.min(d), hi.max(d)));
    Some((lo, hi))
}

/// One account-day over its threshold (see [`daily_spikes`]).
pub(crate) struct DaySpike {
    pub user: Sym,
    /// UTC day (days since the epoch).
    pub day: i64,
    /// The counted sign-ins, by time.
    pub rows: Vec<usize>,
    /// The median count of the account's other days in the data.
    pub median: f64,
    pub threshold: usize,
}

/// Account-days whose count of `events` (account, sign-in row) reaches
/// `max(floor, ceil(mult × median))`, where the median is taken over the
/// account's other days in the data (days without events count as zero), so
/// an account that fails ten times every day is judged against itself.
pub(crate) fn daily_spikes(cx: &Context, events: &[(Sym, usize)], floor: usize, mult: f64) -> Vec<DaySpike> {
    let Some((d0, d1)) = user_day_span(cx) else { return Vec::new() };
    let mut by_day: FxHashMap<(Sym, i64), Vec<usize>> = FxHashMap::default();
    for &(user, row) in events {
        if !user.is_empty() {
            by_day.entry((user, cx.ds.signins[row].time.day())).or_default().push(row);
        }
    }
    let mut by_user: FxHashMap<Sym, Vec<(i64, usize)>> = FxHashMap::default();
    for (&(user, day), rows) in &by_day {
        by_user.entry(user).or_default().push((day, rows.len()));
    }
    let mut out = Vec::new();
    for ((user, day), mut rows) in by_day {
        if rows.len() < floor {
            continue;
        }
        let others: Vec<usize> = by_user[&user].iter().filter(|(d, _)| *d != day).map(|(_, n)| *n).collect();
        let days = (d1 - d0).max(0) as usize; // other days in the span
        let median = median_with_zeros(&others, days);
        let threshold = floor.max((mult * median).ceil() as usize);
        if rows.len() >= threshold {
            rows.sort_unstable();
            out.push(DaySpike { user, day, rows, median, threshold });
        }
    }
    out.sort_by_key(|s| (s.day, s.user));
    out
}

/// The median of `values` padded with zeros to `len` items.
fn median_with_zeros(values: &[usize], len: usize) -> f64 {
    let len = len.max(values.len());
    if len == 0 {
        return 0.0;
    }
    let mut v: Vec<usize> = values.to_vec();
    v.sort_unstable();
    let zeros = len - v.len();
    let at = |i: usize| if i < zeros { 0 } else { v[i - zeros] };
    if len % 2 == 1 {
        at(len / 2) as f64
    } else {
        (at(len / 2 - 1) + at(len / 2)) as f64 / 2.0
    }
}

/// Describes an account-day over its threshold for the threshold checks:
/// "14 wrong passwords (50126) on Thu 2026-10-08 (usually 0 a day) from 203.0.113.9".
pub(crate) fn spike_summary(cx: &Context, spike: &DaySpike, what: &str) -> String {
    let mut ips: Vec<&str> = spike.rows.iter().map(|&r| cx.s(cx.ds.signins[r].ip)).filter(|s| !s.is_empty()).collect();
    ips.sort_unstable();
    ips.dedup();
    let usual = if spike.median == 0.0 {
        format!("usually none; threshold {}", spike.threshold)
    } else {
        format!("usually {} a day; threshold {}", spike.median, spike.threshold)
    };
    let from = if ips.is_empty() { String::new() } else { format!(" from {}", list(&ips, 3)) };
    format!("{}: {} on {} ({usual}){from}", cx.s(spike.user), plural(spike.rows.len(), what), day_label(spike.day))
}

/// Accounts per day over their threshold, to tell "many accounts are
/// experiencing the same pattern" (the guide's reason for high) from an
/// isolated incident.
pub(crate) fn accounts_per_day(spikes: &[DaySpike]) -> FxHashMap<i64, usize> {
    let mut m: FxHashMap<i64, usize> = FxHashMap::default();
    for s in spikes {
        *m.entry(s.day).or_default() += 1;
    }
    m
}

/// How many accounts over threshold on one day make it "many accounts".
pub(crate) const MANY_ACCOUNTS: usize = 5;

/// Business hours as the settings define them, judged in the local time of
/// the sign-in's country when it is an operating country.
///
/// The settings hold one rule (days, start, end, time zone). A sign-in from
/// an operating country is judged in that country's time zone (the IANA
/// zones of `data/country-time-zones.tsv`): the configured zone when it is
/// one of the country's, else the zone whose principal city is nearest to
/// the sign-in's coordinates, else, for a country spanning several zones
/// and no coordinates, the sign-in counts as outside only when it is
/// outside in every zone of the country. Sign-ins from other countries, or
/// without a country, are judged in the configured zone.
pub(crate) struct BusinessClock<'c, 'a> {
    cx: &'c Context<'a>,
    settings: Option<entrascope_core::settings::BusinessHours>,
    /// Slot 0: the configured rule; then one per time zone asked about
    /// (`None` when the zone has no rule).
    slots: Vec<ZoneSlot>,
    /// Slot of each time zone other than the configured one.
    zone_slots: FxHashMap<&'static str, usize>,
    /// How each country's sign-ins are judged (asked for every sign-in, so
    /// worked out once per country).
    countries: FxHashMap<Sym, CountryPlan>,
    /// The nearest zone's slot per (country, latitude, longitude) of a
    /// country with several zones.
    nearest: FxHashMap<(Sym, u32, u32), Option<usize>>,
    /// The zones of countries with several, with their slots.
    many: Vec<(&'static [crate::refdata::CountryZone], Vec<usize>)>,
    /// Business days (Monday = 0) of the rule.
    pub days: [bool; 7],
}

/// How a country's sign-ins are judged.
#[derive(Clone, Copy)]
enum CountryPlan {
    /// In the configured zone (not an operating country, no zones known, or
    /// the configured zone is one of the country's).
    Base,
    /// In the country's only zone (its slot).
    One(usize),
    /// In the nearest of the country's zones, or outside only when outside
    /// in all: the zones and their slots (an index into `many`).
    Many(usize),
}

/// A zone's rule and its offset over the span of time last asked about.
struct ZoneSlot {
    rule: Option<BusinessHoursRule>,
    /// (from, until, offset): the zone's offset from `from` until its next
    /// transition (sign-ins come in time order, so mostly inside the span).
    memo: Option<(i64, i64, i32)>,
}

impl ZoneSlot {
    /// Whether `t` is inside the rule's hours (`None` without a rule), with
    /// the zone's offset looked up once per transition of the zone: finding
    /// it in the time zone rules is the costly part.
    fn inside(&mut self, t: Timestamp) -> Option<bool> {
        let rule = self.rule.as_ref()?;
        let offset = match self.memo {
            Some((from, until, o)) if from <= t.0 && t.0 < until => Some(o),
            _ => match rule.offset_until(t) {
                Some((o, until)) => {
                    self.memo = Some((t.0, until, o));
                    Some(o)
                }
                None => None,
            },
        };
        Some(offset.is_some_and(|o| rule.contains_at(t, o)))
    }
}

impl<'c, 'a> BusinessClock<'c, 'a> {
    pub(crate) fn new(cx: &'c Context<'a>) -> Self {
        let mut days = [false; 7];
        if let Some(bh) = &cx.settings.business_hours {
            for d in &bh.days {
                let names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
                if let Some(i) = names.iter().position(|n| d.trim().to_ascii_lowercase().starts_with(n)) {
                    days[i] = true;
                }
            }
        }
        BusinessClock {
            cx,
            settings: cx.settings.business_hours.clone(),
            slots: vec![ZoneSlot { rule: cx.business_hours.clone(), memo: None }],
            zone_slots: FxHashMap::default(),
            countries: FxHashMap::default(),
            nearest: FxHashMap::default(),
            many: Vec::new(),
            days,
        }
    }

    /// The slot of `zone`'s rule (compiled on first use).
    fn zone_slot(&mut self, zone: &'static str) -> usize {
        if let Some(&i) = self.zone_slots.get(zone) {
            return i;
        }
        let rule = self.settings.clone().and_then(|mut bh| {
            bh.timezone = zone.to_string();
            BusinessHoursRule::compile(&bh).ok()
        });
        self.slots.push(ZoneSlot { rule, memo: None });
        let i = self.slots.len() - 1;
        self.zone_slots.insert(zone, i);
        i
    }

    fn plan(&mut self, country: Sym) -> CountryPlan {
        if let Some(&p) = self.countries.get(&country) {
            return p;
        }
        let cx = self.cx;
        let cc = cx.s(country).trim().to_ascii_uppercase();
        let plan = if !cx.operating_countries.contains(&cc) {
            CountryPlan::Base
        } else {
            let zones = crate::refdata::country_time_zones(cx.s(country));
            let configured = self.settings.as_ref().map(|b| b.timezone.trim()).unwrap_or_default();
            if zones.is_empty() || zones.iter().any(|z| z.zone.eq_ignore_ascii_case(configured)) {
                CountryPlan::Base
            } else if zones.len() == 1 {
                CountryPlan::One(self.zone_slot(zones[0].zone))
            } else {
                let slots = zones.iter().map(|z| self.zone_slot(z.zone)).collect();
                self.many.push((zones, slots));
                CountryPlan::Many(self.many.len() - 1)
            }
        };
        self.countries.insert(country, plan);
        plan
    }

    /// Whether the sign-in falls outside business hours; `None` without a rule.
    pub(crate) fn outside(&mut self, s: &SignIn) -> Option<bool> {
        self.slots[0].rule.as_ref()?;
        let plan = if s.country.is_empty() { CountryPlan::Base } else { self.plan(s.country) };
        match plan {
            CountryPlan::Base => Some(!self.slots[0].inside(s.time)?),
            CountryPlan::One(slot) => Some(!self.slots[slot].inside(s.time)?),
            CountryPlan::Many(m) => {
                let (zones, slots) = (self.many[m].0, &self.many[m].1);
                if let Some(here) = coords(s) {
                    let key = (s.country, s.latitude.to_bits(), s.longitude.to_bits());
                    let slot = match self.nearest.get(&key) {
                        Some(&slot) => slot,
                        None => {
                            let slot = zones
                                .iter()
                                .zip(slots)
                                .min_by(|a, b| {
                                    distance_km(here, (a.0.latitude, a.0.longitude))
                                        .total_cmp(&distance_km(here, (b.0.latitude, b.0.longitude)))
                                })
                                .map(|(_, &slot)| slot);
                            if self.nearest.len() < 1 << 16 {
                                self.nearest.insert(key, slot);
                            }
                            slot
                        }
                    };
                    return Some(!self.slots[slot?].inside(s.time)?);
                }
                let mut outside_all = true;
                for &slot in slots {
                    if self.slots[slot].inside(s.time) == Some(true) {
                        outside_all = false;
                        break;
                    }
                }
                Some(outside_all)
            }
        }
    }
}

/// An account's habits: on how many distinct earlier days it signed in at
/// the same hour (UTC) of a business or non-business day. An account that
/// signed in in that slot on at least [`HABIT_DAYS`] earlier days is
/// following its normal pattern there.
#[derive(Default)]
pub(crate) struct Habits {
    seen: FxHashMap<(Sym, u8), (i64, u32)>,
}

pub(crate) const HABIT_DAYS: u32 = 3;

impl Habits {
    /// Records the sign-in and says whether its slot was already habitual
    /// (from earlier days only). Call in time order.
    pub(crate) fn habitual(&mut self, user: Sym, t: entrascope_core::Timestamp, business_days: &[bool; 7]) -> bool {
        let hour = (t.0.rem_euclid(DAY) / HOUR) as u8;
        let business = business_days[t.weekday() as usize % 7];
        let slot = hour + if business { 0 } else { 24 };
        let day = t.day();
        let e = self.seen.entry((user, slot)).or_insert((i64::MIN, 0));
        let earlier = if e.0 == day { e.1.saturating_sub(1) } else { e.1 };
        let before = earlier >= HABIT_DAYS;
        if e.0 != day {
            e.0 = day;
            e.1 += 1;
        }
        before
    }
}

/// A UTC day as `Thu 2026-10-08`.
pub(crate) fn day_label(day: i64) -> String {
    let t = entrascope_core::Timestamp(day * DAY);
    let names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    format!("{} {}", names[t.weekday() as usize % 7], &t.to_rfc3339()[..10])
}

/// What [`volume_increases`] compares: one kind of sign-in, all applications
/// or only the consumer (B2C) ones.
struct Series {
    kind: entrascope_logs::SignInKind,
    b2c: bool,
}

/// Shortest part of a day worth comparing (the edges of an export).
const MIN_WINDOW: i64 = 6 * HOUR;
/// Increase the guide names: more than 10% over the same weekday a week before.
const VOLUME_RATIO: f64 = 1.10;
/// Smallest increase reported, whatever the ratio.
const VOLUME_MIN_DELTA: f64 = 10.0;
/// Poisson noise allowance: the increase must also exceed this many standard deviations.
const VOLUME_SIGMAS: f64 = 3.0;

/// The guide's volume rule ("today's total more than 10% above the same day
/// of the previous week"), shared by the failure and success checks.
///
/// Each kind of sign-in (interactive, non-interactive) is its own series,
/// with its own coverage (the first and last sign-in of that kind), so an
/// export holding 30 days of interactive and 7 of non-interactive sign-ins
/// compares like with like; consumer (B2C) applications form their own
/// series for the consumer-accounts rows and are left out of the others. For every UTC day, the part of it at
/// least 7 days after the series' first sign-in and not after its last one
/// (at least 6 hours long) is compared with the same hours 7 days earlier.
/// A day is reported when the count exceeds the earlier one by more than
/// 10%, by at least 10, and by more than 3 standard deviations of a
/// Poisson count (3 × √earlier), so small tenants are not alarmed by a
/// handful of extra sign-ins. The evidence is the day's sign-ins of the
/// accounts that explain the increase: those whose counts rose most, taken
/// until their rise covers the day's excess.
pub(crate) fn volume_increases(
    cx: &Context,
    meta: &'static entrascope_core::CheckMeta,
    wanted: fn(&SignIn) -> bool,
    noun: &str,
    guide_all: &'static str,
    guide_b2c: &'static str,
) -> Vec<entrascope_core::Finding> {
    use entrascope_logs::SignInKind;
    let mut out = Vec::new();
    let mut b2c_app: FxHashMap<Sym, bool> = FxHashMap::default();
    for series in [
        Series { kind: SignInKind::Interactive, b2c: false },
        Series { kind: SignInKind::NonInteractive, b2c: false },
        Series { kind: SignInKind::Interactive, b2c: true },
        Series { kind: SignInKind::NonInteractive, b2c: true },
    ] {
        let (mut first, mut last) = (i64::MAX, i64::MIN);
        let mut events: Vec<usize> = Vec::new();
        for (i, s) in cx.user_signins() {
            if s.kind != series.kind {
                continue;
            }
            first = first.min(s.time.0);
            last = last.max(s.time.0);
            let b2c = *b2c_app.entry(s.app_display).or_insert_with(|| crate::refdata::is_b2c_app(cx.s(s.app_display)));
            if wanted(s) && series.b2c == b2c {
                events.push(i);
            }
        }
        if events.is_empty() || last - first < 7 * DAY + MIN_WINDOW {
            continue;
        }
        let times: Vec<i64> = events.iter().map(|&i| cx.ds.signins[i].time.0).collect();
        let count = |from: i64, to: i64| times.partition_point(|&t| t < to) - times.partition_point(|&t| t < from);
        let week = 7 * DAY;
        for day in (first + week).div_euclid(DAY)..=last.div_euclid(DAY) {
            let from = (day * DAY).max(first + week);
            let to = ((day + 1) * DAY).min(last + 1);
            if to - from < MIN_WINDOW {
                continue;
            }
            let (cur, prev) = (count(from, to), count(from - week, to - week));
            let (c, p) = (cur as f64, prev as f64);
            if !(c > p * VOLUME_RATIO && c - p >= VOLUME_MIN_DELTA && c - p > VOLUME_SIGMAS * p.sqrt()) {
                continue;
            }
            // Who drove the increase.
            let lo = times.partition_point(|&t| t < from);
            let hi = times.partition_point(|&t| t < to);
            let (plo, phi) = (times.partition_point(|&t| t < from - week), times.partition_point(|&t| t < to - week));
            let mut delta: FxHashMap<Sym, i64> = FxHashMap::default();
            for &i in &events[lo..hi] {
                *delta.entry(user_key(&cx.ds.signins[i])).or_default() += 1;
            }
            for &i in &events[plo..phi] {
                *delta.entry(user_key(&cx.ds.signins[i])).or_default() -= 1;
            }
            let mut drivers: Vec<(Sym, i64)> = delta.into_iter().filter(|(u, d)| *d > 0 && !u.is_empty()).collect();
            drivers.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| cx.s(a.0).cmp(cx.s(b.0))));
            // The accounts that explain the increase: the largest risers until
            // their rise covers the day's excess (many small risers in a
            // stuffing run, one big one for a broken client).
            let excess = (cur - prev) as i64;
            let mut covered = 0;
            let cut = drivers.iter().take_while(|(_, d)| {
                let more = covered < excess;
                covered += d;
                more
            });
            let explaining: FxHashSet<Sym> = cut.map(|(u, _)| *u).collect();
            let rows: Vec<usize> =
                events[lo..hi].iter().copied().filter(|&i| explaining.contains(&user_key(&cx.ds.signins[i]))).collect();
            let others = explaining.len().saturating_sub(5);
            drivers.truncate(5.min(explaining.len()));
            let pct = if prev == 0 { "from none".to_string() } else { format!("up {:.0}%", (c / p - 1.0) * 100.0) };
            let hours = if to - from < DAY { format!(" {}–{} UTC", hhmm(from, false), hhmm(to, true)) } else { String::new() };
            let scope = if series.b2c { " to consumer (B2C) applications" } else { "" };
            let who: Vec<String> = drivers.iter().map(|(u, d)| format!("{} (+{d})", cx.s(*u))).collect();
            let summary = format!(
                "{} {noun}{scope} {pct} on {}{hours}: {cur} against {prev} a week earlier{}",
                capitalize(series.kind.as_str()),
                day_label(day),
                if who.is_empty() {
                    String::new()
                } else if others > 0 {
                    format!("; largest increases: {} and {}", who.join(", "), plural(others, "more account"))
                } else {
                    format!("; largest increases: {}", who.join(", "))
                }
            );
            let subject = format!("{} {noun}{scope}, {}", series.kind.as_str(), day_label(day));
            let f = entrascope_core::Finding::new(meta, summary, evidence(cx, &rows, &[])).with_subject(subject);
            out.push(f.with_guide(&[if series.b2c { guide_b2c } else { guide_all }]));
        }
    }
    out
}

/// Time of day (UTC) as `HH:MM`; a window ending at midnight ends at `24:00`.
fn hhmm(t: i64, end: bool) -> String {
    let m = t.rem_euclid(DAY) / MINUTE;
    if end && m == 0 {
        return "24:00".into();
    }
    format!("{:02}:{:02}", m / 60, m % 60)
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_count_quiet_days_as_zero() {
        assert_eq!(median_with_zeros(&[], 10), 0.0);
        assert_eq!(median_with_zeros(&[5, 7, 9], 4), 6.0);
        assert_eq!(median_with_zeros(&[4, 4, 4, 4, 4], 5), 4.0);
        assert_eq!(median_with_zeros(&[9, 9], 5), 0.0);
    }

    #[test]
    fn distances_and_networks() {
        let london = (51.5074, -0.1278);
        let new_york = (40.7128, -74.0060);
        let d = distance_km(london, new_york);
        assert!((d - 5570.0).abs() < 20.0, "{d}");
        assert_eq!(net16("203.0.113.45"), net16("203.0.7.1"));
        assert_ne!(net16("203.0.113.45"), net16("203.1.113.45"));
        assert_eq!(net16("2001:db8:1::1"), net16("2001:db8:ffff::2"));
        assert_ne!(net16("2001:db8::1").map(|n| n.0), net16("32.1.13.184").map(|n| n.0));
        assert_eq!(net16("::ffff:203.0.113.45"), net16("203.0.9.9"));
        assert!(net16("not an ip").is_none());
    }

    #[test]
    fn words() {
        assert_eq!(plural(1, "account"), "1 account");
        assert_eq!(plural(3, "country"), "3 countries");
        assert_eq!(plural(2, "day"), "2 days");
        assert_eq!(plural(4, "address"), "4 addresses");
        assert_eq!(duration(40_000), "40 seconds");
        assert_eq!(duration(18 * MINUTE), "18 minutes");
        assert_eq!(duration(3 * HOUR + 5 * MINUTE), "3 hours 5 minutes");
        assert_eq!(duration(3 * DAY), "3 days");
        assert_eq!(day_label(20_369), "Wed 2025-10-08");
        assert_eq!(list(&["a", "b", "c"], 2), "a, b and 1 more");
    }
}
