//! Aggregates for the Explore view: sign-ins over time, top entities, the map.

use entrascope_core::time::{MS_PER_DAY, MS_PER_HOUR};
use entrascope_core::Timestamp;
use entrascope_logs::{Dataset, Outcome, Sym};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

/// How many entries each top list keeps.
pub const TOP: usize = 15;

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Bucket {
    pub start: Timestamp,
    pub success: u64,
    pub failure: u64,
    pub interrupted: u64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Count {
    pub key: String,
    pub total: u64,
    pub failures: u64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct MapPoint {
    pub lat: f32,
    pub lon: f32,
    pub label: String,
    pub total: u64,
    pub failures: u64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Stats {
    /// Bucket width in milliseconds (an hour or a day).
    pub bucket_ms: i64,
    pub timeline: Vec<Bucket>,
    pub top_users: Vec<Count>,
    pub top_apps: Vec<Count>,
    pub top_ips: Vec<Count>,
    pub top_countries: Vec<Count>,
    pub top_client_apps: Vec<Count>,
    pub top_error_codes: Vec<Count>,
    pub audit_activities: Vec<Count>,
    pub map: Vec<MapPoint>,
}

fn top(ds: &Dataset, counts: FxHashMap<Sym, (u64, u64)>) -> Vec<Count> {
    let mut v: Vec<(Sym, (u64, u64))> = counts.into_iter().filter(|(s, _)| !s.is_empty()).collect();
    v.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then_with(|| ds.str(a.0).cmp(ds.str(b.0))));
    v.truncate(TOP);
    v.into_iter().map(|(s, (t, f))| Count { key: ds.str(s).to_string(), total: t, failures: f }).collect()
}

/// One pass over the dataset.
pub fn compute(ds: &Dataset) -> Stats {
    let mut stats = Stats::default();
    let (first, last) = match (ds.signins.iter().map(|s| s.time).min(), ds.signins.iter().map(|s| s.time).max()) {
        (Some(f), Some(l)) => (f, l),
        _ => (Timestamp(0), Timestamp(-1)),
    };
    let bucket = if last.0 - first.0 <= 3 * MS_PER_DAY { MS_PER_HOUR } else { MS_PER_DAY };
    stats.bucket_ms = bucket;
    if last >= first {
        let start = first.0.div_euclid(bucket) * bucket;
        let n = ((last.0 - start) / bucket + 1).min(100_000) as usize;
        stats.timeline = (0..n).map(|i| Bucket { start: Timestamp(start + i as i64 * bucket), ..Default::default() }).collect();
    }
    let (mut users, mut apps, mut ips, mut countries, mut clients) =
        (FxHashMap::default(), FxHashMap::default(), FxHashMap::default(), FxHashMap::default(), FxHashMap::default());
    let mut codes: FxHashMap<u32, (u64, u64)> = FxHashMap::default();
    let mut points: FxHashMap<(i32, i32), (f64, f64, u64, u64, Sym, Sym)> = FxHashMap::default();
    let base = stats.timeline.first().map(|b| b.start.0).unwrap_or(0);
    for s in &ds.signins {
        let failed = s.outcome == Outcome::Failure;
        if let Some(b) = stats.timeline.get_mut(((s.time.0 - base) / bucket.max(1)) as usize) {
            match s.outcome {
                Outcome::Success => b.success += 1,
                Outcome::Failure => b.failure += 1,
                Outcome::Interrupted => b.interrupted += 1,
            }
        }
        let user = if s.upn.is_empty() { s.service_principal_name } else { s.upn };
        for (map, key) in [(&mut users, user), (&mut apps, s.app_display), (&mut ips, s.ip), (&mut countries, s.country), (&mut clients, s.client_app)] {
            let e = map.entry(key).or_insert((0u64, 0u64));
            e.0 += 1;
            e.1 += failed as u64;
        }
        if s.error_code != 0 {
            let e = codes.entry(s.error_code).or_insert((0, 0));
            e.0 += 1;
            e.1 += failed as u64;
        }
        if s.latitude.is_finite() && s.longitude.is_finite() && (s.latitude != 0.0 || s.longitude != 0.0) {
            let key = ((s.latitude * 2.0).round() as i32, (s.longitude * 2.0).round() as i32);
            let e = points.entry(key).or_insert((0.0, 0.0, 0, 0, s.city, s.country));
            e.0 += s.latitude as f64;
            e.1 += s.longitude as f64;
            e.2 += 1;
            e.3 += failed as u64;
        }
    }
    stats.top_users = top(ds, users);
    stats.top_apps = top(ds, apps);
    stats.top_ips = top(ds, ips);
    stats.top_countries = top(ds, countries);
    stats.top_client_apps = top(ds, clients);
    let mut codes: Vec<(u32, (u64, u64))> = codes.into_iter().collect();
    codes.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(&b.0)));
    codes.truncate(TOP);
    stats.top_error_codes = codes.into_iter().map(|(c, (t, f))| Count { key: c.to_string(), total: t, failures: f }).collect();
    let mut acts: FxHashMap<Sym, (u64, u64)> = FxHashMap::default();
    for a in &ds.audits {
        let e = acts.entry(a.activity).or_insert((0, 0));
        e.0 += 1;
        e.1 += (a.result == entrascope_logs::AuditResult::Failure) as u64;
    }
    stats.audit_activities = top(ds, acts);
    let mut map: Vec<MapPoint> = points
        .into_values()
        .map(|(la, lo, n, f, city, country)| MapPoint {
            lat: (la / n as f64) as f32,
            lon: (lo / n as f64) as f32,
            label: [ds.str(city), ds.str(country)].iter().filter(|s| !s.is_empty()).copied().collect::<Vec<_>>().join(", "),
            total: n,
            failures: f,
        })
        .collect();
    map.sort_by(|a, b| b.total.cmp(&a.total).then(a.label.cmp(&b.label)));
    map.truncate(2000);
    stats.map = map;
    stats
}
