//! The scale benchmark's data (`entrascope-gen bench`): the simulator's
//! planted incidents mixed into a background drawn from an incident-free
//! tenant. entrascope must find each planted incident with the check made
//! for it, leave its near misses alone, and find nothing for those checks
//! in the background alone (so the benchmark's SQL and entrascope both
//! count planted incidents, not noise).

mod common;

use std::collections::BTreeSet;

use common::{checks_for, cited, ids_of, min_severity};

use entrascope_analysis::{Report, Session};
use entrascope_core::{Settings, Timestamp};
use entrascope_gen::bench::{templates, write_bench, BenchConfig};
use entrascope_gen::{Label, MemorySink, Status};

/// The checks bench/queries.sql mirrors in SQL, one per query.
const MIRRORED: [&str; 6] = [
    "SIGN-LEGACY-AUTH",
    "SIGN-PASSWORD-SPRAY",
    "PA-BREAK-GLASS-SIGNIN",
    "SIGN-COUNTRY-FAILURE",
    "AUDIT-CA-POLICY-UNAPPROVED",
    "AUDIT-ROLE-OUTSIDE-PIM",
];

/// Planted incidents the bench's files cannot show: the MFA details are
/// in the admin center's AuthDetails file, which the bench does not write,
/// and its sign-in CSV has no risk columns.
const NOT_IN_BENCH: [&str; 3] =
    ["MFA fatigue then success", "MFA denied / fraud reported", "risky sign-in (riskLevelDuringSignIn high) that succeeded"];

/// The checks that must report `incident` in the bench data (planted.rs's
/// table, less what the bench cannot show).
fn bench_checks_for(incident: &str) -> Option<&'static [&'static str]> {
    if NOT_IN_BENCH.contains(&incident) {
        return None;
    }
    checks_for(incident)
}

fn config(incidents: bool) -> BenchConfig {
    BenchConfig { signins: 20_000, audits: 2_000, incidents, ..BenchConfig::default() }
}

fn bench(incidents: bool) -> (Report, Vec<Label>, Settings) {
    let cfg = config(incidents);
    let mut sink = MemorySink::default();
    write_bench(&cfg, &mut sink).expect("bench data");
    let mut session = Session::new();
    let mut settings = None;
    let mut labels = Vec::new();
    for (name, bytes) in &sink.files {
        match name.as_str() {
            "settings.json" => {
                settings = Some(Settings::from_json(std::str::from_utf8(bytes).unwrap()).expect("valid settings").0)
            }
            "labels.json" => {
                let v: serde_json::Value = serde_json::from_slice(bytes).unwrap();
                labels = v.as_array().unwrap().iter().map(|l| Label::from_json(l).expect("label")).collect();
            }
            _ => {
                session.add_bytes(name, bytes);
            }
        }
    }
    let analysis = session.finish();
    let now = Timestamp::from_civil(2025, 11, 3, 0, 0, 0, 0).unwrap();
    let settings = settings.expect("settings.json written");
    let report = analysis.analyze(&settings, now);
    for input in &report.inputs {
        assert!(
            input.rejected_total == 0 && input.error.is_none(),
            "{}: {:?} {:?}",
            input.path,
            input.rejected.first(),
            input.error
        );
    }
    (report, labels, settings)
}

#[test]
fn planted_incidents_are_found_in_the_bench_data() {
    let (r, labels, settings) = bench(true);
    let mut problems = Vec::new();
    let mut found = BTreeSet::new();
    for l in &labels {
        let Some(codes) = bench_checks_for(&l.incident) else { continue };
        let hit = !cited(&r, codes, min_severity(&l.incident)).is_disjoint(&ids_of(l));
        if l.near_miss && hit {
            problems.push(format!("near miss of \"{}\" cited by {codes:?} ({})", l.incident, l.note));
        }
        if !l.near_miss && !hit {
            problems.push(format!("\"{}\" not found by {codes:?} ({})", l.incident, l.note));
        }
        if !l.near_miss {
            found.extend(codes.iter().copied());
        }
    }
    // Every query of the benchmark has a planted incident to find.
    for code in MIRRORED.iter().filter(|c| **c != "SIGN-COUNTRY-FAILURE") {
        assert!(found.contains(code), "no incident planted for {code}");
    }
    // SIGN-COUNTRY-FAILURE: one finding per country for the planted
    // failures from outside the operating countries (spray, distributed
    // cracking...), and no other country.
    let pool = templates(&config(true)).unwrap();
    let operating: BTreeSet<String> = settings.operating_countries.iter().map(|c| c.to_ascii_uppercase()).collect();
    let abroad: BTreeSet<String> = pool
        .planted_signins
        .iter()
        .filter(|s| s.status != Status::Success && !s.country.is_empty() && !operating.contains(&s.country.to_ascii_uppercase()))
        .map(|s| s.country.to_ascii_uppercase())
        .collect();
    let found: BTreeSet<String> =
        r.findings.iter().filter(|f| f.check == "SIGN-COUNTRY-FAILURE").filter_map(|f| f.subject.clone()).collect();
    assert!(abroad.len() >= 2, "{abroad:?}");
    if found != abroad {
        problems.push(format!("SIGN-COUNTRY-FAILURE reports {found:?}, the planted failures come from {abroad:?}"));
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn the_background_alone_has_nothing_for_the_mirrored_checks() {
    let (r, labels, _) = bench(false);
    assert!(labels.is_empty());
    for code in MIRRORED {
        let n = r.findings.iter().filter(|f| f.check == code).count();
        assert_eq!(
            n,
            0,
            "{code}: {n} findings in the incident-free background: {:?}",
            r.findings.iter().find(|f| f.check == code)
        );
    }
}
