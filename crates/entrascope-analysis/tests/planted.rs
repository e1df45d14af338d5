//! The acceptance test of the checks: a realistic tenant (the generator's
//! simulation) with planted incidents and near misses, written in every
//! export format. Every planted incident must be found citing its records,
//! no near miss may be cited by the incident's checks, and every format must
//! give the same findings (up to what a format cannot carry).

use std::collections::{BTreeMap, BTreeSet};

use entrascope_analysis::{Analysis, Report, Session};
use entrascope_core::{Settings, Severity, Timestamp};
use entrascope_gen::{generate, write_format, Format, Generated, MemorySink, TenantConfig};

/// Which checks may report each planted incident; `None` for incidents no
/// row of the guides asks for. An incident this table does not know fails.
fn checks_for(incident: &str) -> Option<&'static [&'static str]> {
    Some(match incident {
        "legacy-auth success" => &["SIGN-LEGACY-AUTH"],
        "password spray from one IP" => &["SIGN-PASSWORD-SPRAY"],
        "brute force on one account" => &["SIGN-BRUTE-FORCE"],
        "distributed cracking" => &["SIGN-DISTRIBUTED-PASSWORD-CRACKING"],
        "MFA fatigue then success" => &["SIGN-MFA-FATIGUE"],
        "MFA denied / fraud reported" => &["SIGN-MFA-DENIED", "AUDIT-MFA-FRAUD-REPORTED"],
        "break-glass sign-in" => &["PA-BREAK-GLASS-SIGNIN"],
        "account created and deleted within 24 h" => &["AUDIT-ACCOUNT-SHORT-LIVED"],
        "sign-in from a country new to the tenant" => &["SIGN-NEW-COUNTRY"],
        "impossible travel" => &["SIGN-IMPOSSIBLE-TRAVEL"],
        "success then failure from another /16 within 10 minutes" => &["SIGN-SUCCESS-THEN-FAIL-OTHER-NETWORK"],
        "privileged role assigned outside PIM" => &["AUDIT-ROLE-OUTSIDE-PIM"],
        "bulk role changes" => &["AUDIT-BULK-ROLE-CHANGES"],
        "Conditional Access policy changed/disabled by a non-approved actor" => &["AUDIT-CA-POLICY-UNAPPROVED"],
        "CA exclusion change" => &["AUDIT-CA-POLICY-WEAKENED"],
        "new credential added to an app" => &["AUDIT-APP-CREDENTIAL-ADDED"],
        "consent to an app with offline_access + Mail.Read" => &["AUDIT-APP-USER-CONSENT", "AUDIT-APP-SENSITIVE-PERMISSION"],
        "app role assignment with sensitive permission" => &["AUDIT-APP-SENSITIVE-PERMISSION", "AUDIT-APP-SP-ROLE-ASSIGNED"],
        "sign-in outside business hours by a privileged account" => &["SIGN-PRIV-OUTSIDE-BUSINESS-HOURS"],
        "failure spike vs same weekday last week" => &["SIGN-FAILURE-VOLUME-UP"],
        "risky sign-in (riskLevelDuringSignIn high) that succeeded" => &["SIGN-RISK-DETECTION", "SIGN-PRIV-RISK"],
        "guest invited by non-approved inviter" => &["AUDIT-GUEST-INVITE-UNAPPROVED"],
        // No row of the guides asks for domain additions (the Sentinel rule
        // NewOnmicrosoftDomainAdded is outside them); Sigma rules can cover it.
        "new onmicrosoft domain added" => return None,
        "user added to a critical group" => &["AUDIT-CRITICAL-GROUP-MEMBERSHIP"],
        other => panic!("the generator plants \"{other}\", which this test does not map to checks"),
    })
}

/// The least severity at which a finding reports the incident. A guide row
/// may ask to list every event of a kind: AUDIT-APP-USER-CONSENT lists every
/// end-user consent at low severity and raises the risky ones (offline access
/// to mail) to high, so the consent near miss may appear, but not as high.
fn min_severity(incident: &str) -> Severity {
    match incident {
        "consent to an app with offline_access + Mail.Read" => Severity::High,
        _ => Severity::Info,
    }
}

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

fn cited(r: &Report, codes: &[&str], min: Severity) -> BTreeSet<String> {
    r.findings
        .iter()
        .filter(|f| codes.contains(&f.check.as_str()) && f.severity >= min)
        .flat_map(|f| f.evidence.iter().map(|e| e.id.to_lowercase()))
        .collect()
}

fn ids_of(label: &entrascope_gen::Label) -> BTreeSet<String> {
    label.evidence_ids.iter().chain(label.correlation_ids.iter()).map(|s| s.to_lowercase()).collect()
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
