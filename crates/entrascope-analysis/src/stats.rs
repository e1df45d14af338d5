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
    /// Placed at the centre of its country: the export named the country
    /// but gave no coordinates (the admin center's CSV).
    #[serde(default)]
    pub approximate: bool,
}

/// Where to put sign-ins that have a country but no coordinates: the
/// country's centre (`data/country-centroids.tsv`, with its source).
pub fn country_centre(code: &str) -> Option<(f32, f32)> {
    static TABLE: &str = include_str!("../data/country-centroids.tsv");
    static V: std::sync::OnceLock<Vec<(&'static str, f32, f32)>> = std::sync::OnceLock::new();
    let v = V.get_or_init(|| {
        TABLE
            .lines()
            .filter(|l| !l.starts_with('#'))
            .skip(1)
            .filter_map(|l| {
                let mut f = l.split('\t');
                Some((f.next()?, f.next()?.parse().ok()?, f.next()?.parse().ok()?))
            })
            .collect()
    });
    let code = code.trim();
    v.iter().find(|(c, _, _)| c.eq_ignore_ascii_case(code)).map(|&(_, la, lo)| (la, lo))
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
    // Sign-ins with a country but no coordinates, by country.
    let mut unplaced: FxHashMap<Sym, (u64, u64)> = FxHashMap::default();
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
        for (map, key) in [
            (&mut users, user),
            (&mut apps, s.app_display),
            (&mut ips, s.ip),
            (&mut countries, s.country),
            (&mut clients, s.client_app),
        ] {
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
        } else if !s.country.is_empty() {
            let e = unplaced.entry(s.country).or_insert((0, 0));
            e.0 += 1;
            e.1 += failed as u64;
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
            approximate: false,
        })
        .collect();
    for (country, (n, f)) in unplaced {
        if let Some((lat, lon)) = country_centre(ds.str(country)) {
            map.push(MapPoint { lat, lon, label: ds.str(country).to_string(), total: n, failures: f, approximate: true });
        }
    }
    map.sort_by(|a, b| b.total.cmp(&a.total).then(a.label.cmp(&b.label)).then(a.approximate.cmp(&b.approximate)));
    map.truncate(2000);
    stats.map = map;
    stats
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Graph sign-ins (JSON): with coordinates, with a country only, with
    /// a country code no table knows.
    fn stats_of(json: &str) -> Stats {
        let mut session = crate::Session::new();
        session.add_bytes("signins.json", json.as_bytes());
        compute(&session.finish().ds)
    }

    fn signin(id: u32, country: &str, coords: &str) -> String {
        format!(
            r#"{{"id":"00000000-0000-4000-8000-{id:012}","createdDateTime":"2026-10-01T10:00:{:02}Z","userPrincipalName":"a@contoso.com","ipAddress":"198.51.100.1","status":{{"errorCode":0}},"location":{{"city":"","countryOrRegion":"{country}","geoCoordinates":{coords}}}}}"#,
            id % 60
        )
    }

    #[test]
    fn sign_ins_without_coordinates_are_placed_at_their_country_centre() {
        let rows = [
            signin(1, "US", r#"{"latitude":47.61,"longitude":-122.33}"#),
            signin(2, "NL", "null"),
            signin(3, "NL", "null"),
            signin(4, "ZZ", "null"),
        ];
        let st = stats_of(&format!("[{}]", rows.join(",")));
        let nl = st.map.iter().find(|p| p.label == "NL").expect("NL placed");
        assert!(nl.approximate);
        assert_eq!(nl.total, 2);
        assert!((nl.lat - 52.13).abs() < 0.01 && (nl.lon - 5.29).abs() < 0.01, "{nl:?}");
        let us = st.map.iter().find(|p| p.label.ends_with("US")).expect("US point");
        assert!(!us.approximate, "coordinates from the export are not approximate");
        assert!((us.lat - 47.61).abs() < 0.01);
        assert!(st.map.iter().all(|p| p.label != "ZZ"), "an unknown code is not placed");
        assert_eq!(st.map.len(), 2);
    }

    #[test]
    fn every_centre_is_on_the_globe_and_codes_are_unique() {
        let table = include_str!("../data/country-centroids.tsv");
        let mut seen = std::collections::HashSet::new();
        for line in table.lines().filter(|l| !l.starts_with('#')).skip(1) {
            let code = line.split('\t').next().unwrap_or("");
            assert!(code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase()), "{line}");
            assert!(seen.insert(code), "duplicate {code}");
            let (la, lo) = country_centre(code).expect("parses");
            assert!((-90.0..=90.0).contains(&la) && (-180.0..=180.0).contains(&lo), "{line}");
        }
        assert!(seen.len() > 240);
        assert_eq!(country_centre("gb"), country_centre("GB"));
    }
}
