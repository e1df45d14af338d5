//! The acceptance test of the checks: a realistic tenant (the generator's
//! simulation) with planted incidents and near misses, written in every
//! export format. Every planted incident must be found citing its records,
//! no near miss may be cited by the incident's checks, and every format must
//! give the same findings (up to what a format cannot carry).

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{checks_for, cited, ids_of, min_severity};

use entrascope_analysis::{Analysis, Report, Session};
use entrascope_core::{Settings, Timestamp};
use entrascope_gen::{generate, write_format, Format, Generated, MemorySink, TenantConfig};

fn tenant() -> Generated {
    generate(&TenantConfig::small(7)).expect("the small tenant generates")
}

fn analyze(g: &Generated, format: Format) -> (Analysis, Report) {
    let mut sink = MemorySink::default();
    write_format(format, &g.logs, &g.ctx, &mut sink).expect("writes");
    let mut session = Session::new();
    for (name, bytes) in &sink.files {
        session.add_bytes(&format!("{}/{name}", format.name()), bytes);
    }
    let analysis = session.finish();
    let report = analysis.analyze(&settings(g), Timestamp(g.config.end.0));
    (analysis, report)
}

fn settings(g: &Generated) -> Settings {
    Settings::from_json(&g.settings_json()).expect("the generator's settings are valid").0
}

#[test]
fn every_mapped_check_exists() {
    let known: BTreeSet<String> = entrascope_analysis::all_checks().iter().map(|m| m.code.to_string()).collect();
    let mut missing = Vec::new();
    for incident in entrascope_gen::INCIDENTS {
        let Some(codes) = checks_for(incident) else { continue };
        if !codes.iter().any(|c| known.contains(*c)) {
            missing.push(format!("{incident}: {codes:?}"));
        }
    }
    assert!(missing.is_empty(), "incidents without an implemented check:\n{}", missing.join("\n"));
}

#[test]
fn planted_incidents_are_found_and_near_misses_are_not_in_every_format() {
    let g = tenant();
    let mut problems = Vec::new();
    let mut per_format: BTreeMap<&str, BTreeSet<(String, String)>> = BTreeMap::new();
    // Checks that could run on every format (a format without risk columns cannot run risk checks).
    let mut runnable_everywhere: BTreeSet<&str> = entrascope_analysis::all_checks().iter().map(|m| m.code).collect();
    for format in Format::ALL {
        let (analysis, r) = analyze(&g, format);
        let avail = analysis.ds.availability();
        runnable_everywhere.retain(|code| {
            entrascope_analysis::all_checks()
                .iter()
                .find(|m| m.code == *code)
                .is_some_and(|m| avail.gap(m, &settings(&g)).is_none() || m.code.starts_with("SYNC-"))
        });
        for input in &r.inputs {
            if input.rejected_total > 0 || input.error.is_some() {
                problems.push(format!(
                    "{}: {} rejected {} rows: {:?} {:?}",
                    format.name(),
                    input.path,
                    input.rejected_total,
                    input.rejected.first(),
                    input.error
                ));
            }
        }
        for label in &g.labels {
            if label.not_visible_in.iter().any(|f| f == format.name()) {
                continue;
            }
            let Some(codes) = checks_for(&label.incident) else { continue };
            let hit = !cited(&r, codes, min_severity(&label.incident)).is_disjoint(&ids_of(label));
            if label.near_miss && hit {
                problems.push(format!(
                    "{}: near miss of \"{}\" was cited by {codes:?} ({})",
                    format.name(),
                    label.incident,
                    label.note
                ));
            }
            if !label.near_miss && !hit {
                problems.push(format!("{}: \"{}\" not found by {codes:?} ({})", format.name(), label.incident, label.note));
            }
        }
        per_format
            .insert(format.name(), r.findings.iter().map(|f| (f.check.clone(), f.subject.clone().unwrap_or_default())).collect());
    }
    // The same events give the same findings in every format, for the checks
    // every format carries the fields of.
    for findings in per_format.values_mut() {
        findings.retain(|(code, _)| runnable_everywhere.contains(code.as_str()));
    }
    let graph = per_format.get("graph-json").cloned().unwrap_or_default();
    assert!(
        runnable_everywhere.len() >= 60,
        "only {} checks run on every format: {runnable_everywhere:?}",
        runnable_everywhere.len()
    );
    assert!(graph.len() >= 20, "the comparison must cover real findings, got {graph:?}");
    for (name, findings) in &per_format {
        let only_here: Vec<_> = findings.difference(&graph).collect();
        let missing: Vec<_> = graph.difference(findings).collect();
        if !only_here.is_empty() || !missing.is_empty() {
            problems.push(format!("{name} differs from graph-json: extra {only_here:?}, missing {missing:?}"));
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}
