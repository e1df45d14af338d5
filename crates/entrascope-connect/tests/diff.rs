//! The diff of two configurations, the Documenter report read into the model,
//! and the staging-drift check.

mod common;

use common::*;
use entrascope_connect::diff::ChangeKind;
use entrascope_connect::documenter::Mark;
use entrascope_connect::*;

fn report_files() -> Files {
    let path = data_dir()
        .join("documenter-report")
        .join("Contoso_Pilot-modified_AppliedTo_Contoso_Production_AADConnectSync_report.html");
    vec![(
        "reports/Contoso_Pilot-modified_AppliedTo_Contoso_Production_AADConnectSync_report.html".into(),
        std::fs::read(path).unwrap(),
    )]
}

fn report() -> DocumenterReport {
    let data = collect(&report_files());
    assert!(data.configs.is_empty(), "a report is not a server configuration");
    assert_eq!(data.inputs[0].kind, ConnectKind::DocumenterReport);
    assert!(data.problems.is_empty(), "{:?}", data.problems);
    data.reports.into_iter().next().unwrap()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[test]
fn identical_configurations_have_no_differences() {
    let a = collect(&sample("a"));
    let b = collect(&sample("b"));
    let d = diff(&a.configs[0], &b.configs[0]);
    assert!(d.is_empty(), "{d:#?}");
    assert!(render_diff_text(&d).contains("No differences."));
}

#[test]
fn production_vs_pilot_modified_export() {
    let prod = collect(&sample("Production"));
    let pilot = collect(&pilot_modified("Pilot-modified"));
    let d = diff(&prod.configs[0], &pilot.configs[0]);
    assert_eq!(
        sorted(d.keys()),
        [
            "rule + contoso.com / In from AD - User Custom Fix",
            "rule contoso.com / In from AD - User Lync: disabled",
            "setting Microsoft.Synchronize.StagingMode",
        ]
    );
    let lync = d.rules.iter().find(|r| r.name == "In from AD - User Lync").unwrap();
    assert_eq!((lync.change, lync.standard), (ChangeKind::Changed, true));
    assert_eq!((lync.fields[0].a.as_str(), lync.fields[0].b.as_str()), ("false", "true"));
    assert_eq!(lync.a_id.as_deref(), Some("{10fd1aee-ad24-4de2-8c9f-31727286d8f2}"));
    let added = d.rules.iter().find(|r| r.change == ChangeKind::Added).unwrap();
    assert_eq!(
        (added.b_id.as_deref(), added.b_precedence, added.standard),
        (Some("{4d694111-7aa0-4741-b949-9067fedd9942}"), Some(50), false)
    );
    let text = render_diff_text(&d);
    assert!(text.contains("A: Production (CONTOSO-SYNC01) [production, 1.1.130.0]"), "{text}");
    assert!(text.contains("B: Pilot-modified (CONTOSO-SYNC01) [staging, 1.1.130.0]"), "{text}");
    assert!(text.contains("~ Microsoft.Synchronize.StagingMode: False -> True"), "{text}");
    assert!(text.contains("+ contoso.com / Inbound / In from AD - User Custom Fix (custom, precedence 50): only in B"), "{text}");
    assert!(
        text.contains(
            "~ contoso.com / Inbound / In from AD - User Lync (built-in, precedence 110)\n      disabled: false -> true"
        ),
        "{text}"
    );
    // serde: the diff is JSON for the web app.
    let json = serde_json::to_value(&d).unwrap();
    assert_eq!(json["rules"].as_array().unwrap().len(), 2);
}

#[test]
fn rule_fields_are_compared_one_by_one() {
    let a = collect(&sample("a"));
    let mut files = sample("b");
    edit(
        &mut files,
        &rule_path("0b088913-b613-4d9d-9563-9988b7719ed6"),
        "<precedence>100</precedence>",
        "<precedence>99</precedence>",
    );
    edit(&mut files, &rule_path("0b088913-b613-4d9d-9563-9988b7719ed6"), "<csValue>User_</csValue>", "<csValue>Usr_</csValue>");
    edit(
        &mut files,
        &rule_path("0b088913-b613-4d9d-9563-9988b7719ed6"),
        "<ilmAttribute>msRTCSIP-OriginatorSid</ilmAttribute>",
        "<ilmAttribute>objectGUID</ilmAttribute>",
    );
    edit(
        &mut files,
        &rule_path("d79c6b03-a3d5-4160-8b12-87eff97ab7be"),
        "<expression>IIF(IsNullOrEmpty([userCertificate]),True,NULL)</expression>",
        "<expression>IIF(IsNullOrEmpty([userCertificate]),True,False)</expression>",
    );
    edit(
        &mut files,
        &rule_path("d79c6b03-a3d5-4160-8b12-87eff97ab7be"),
        "<immutable-tag>Microsoft.InfromADComputerJoin.002</immutable-tag>",
        "<immutable-tag />",
    );
    edit(
        &mut files,
        "Connector_{ae4db4cc-b16b-4eb2-acf5-837ca84e4d7d}.xml",
        "<inclusion>OU=CORP,DC=contoso,DC=com</inclusion>",
        "<inclusion>OU=CORP,DC=contoso,DC=com</inclusion><inclusion>OU=Lab,DC=contoso,DC=com</inclusion>",
    );
    set_param(&mut files, param::VERSION, "2.6.91.0");
    set_param(&mut files, param::TIME_INTERVAL, "01:00:00");
    let b = collect(&files);
    let d = diff(&a.configs[0], &b.configs[0]);
    assert_eq!(
        sorted(d.keys()),
        [
            "connector contoso.com: partition DC=contoso,DC=com: inclusions",
            "rule contoso.com / In from AD - Computer Join: immutable tag",
            "rule contoso.com / In from AD - Computer Join: mapping cloudFiltered",
            "rule contoso.com / In from AD - User Join: join",
            "rule contoso.com / In from AD - User Join: precedence",
            "rule contoso.com / In from AD - User Join: scope",
            "setting Microsoft.Synchronize.TimeInterval",
            "version",
        ]
    );
    assert_eq!(d.version, Some(("1.1.130.0".into(), "2.6.91.0".into())));
    let conn = &d.connectors[0];
    assert_eq!(
        (conn.fields[0].a.as_str(), conn.fields[0].b.as_str(), conn.fields[0].kind),
        ("", "OU=Lab,DC=contoso,DC=com", "set")
    );
    let text = render_diff_text(&d);
    assert!(text.contains("Version: 1.1.130.0 -> 2.6.91.0"));
    assert!(text.contains("partition DC=contoso,DC=com: inclusions: only in B: OU=Lab,DC=contoso,DC=com"), "{text}");
    assert!(text.contains("mapping cloudFiltered: Expression: IIF(IsNullOrEmpty([userCertificate]),True,NULL) -> Expression: IIF(IsNullOrEmpty([userCertificate]),True,False)"), "{text}");
}

#[test]
fn documenter_report_is_read_into_both_configurations() {
    let r = report();
    assert_eq!(r.tool_version.as_deref(), Some("1.20.0917.0"));
    assert_eq!(r.report_date.as_deref(), Some("11/21/2026 20:11:19"));
    assert_eq!(r.target.label, r"Contoso\Pilot-modified");
    assert_eq!(r.reference.label, r"Contoso\Production");
    assert_eq!(r.target.source, ConfigSource::DocumenterTarget);
    assert_eq!(r.target.staging(), Some(true));
    assert_eq!(r.reference.staging(), Some(false));
    assert_eq!(r.reference.global.version().map(|v| v.to_string()).as_deref(), Some("1.1.130.0"));
    assert_eq!(r.reference.global.anchor_attribute(), Some("objectGUID"));
    assert_eq!(r.reference.rules.len(), 62);
    assert_eq!(r.target.rules.len(), 63);

    // The report's rebuild of Production matches the Production export on everything a report shows.
    let export = collect(&sample("Production"));
    let e = &export.configs[0];
    let d = diff(e, &r.reference);
    assert!(d.is_empty(), "{}", render_diff_text(&d));
    assert_eq!(e.global.values, r.reference.global.values);
    for (x, y) in e.rules.iter().zip(&r.reference.rules) {
        assert_eq!((&x.name, x.precedence, &x.immutable_tag, x.disabled), (&y.name, y.precedence, &y.immutable_tag, y.disabled));
        assert_eq!((&x.scope, &x.join), (&y.scope, &y.join), "{}", x.name);
        // The report lists transformations sorted by target attribute.
        let texts = |r: &SyncRule| sorted(r.mappings.iter().map(|m| format!("{} {}", m.dest, diff::mapping_text(m))).collect());
        assert_eq!(texts(x), texts(y), "{}", x.name);
        assert_eq!((x.cs_object_type(), x.mv_object_type()), (y.cs_object_type(), y.mv_object_type()));
    }
    let ad = r.reference.connector_by_name("contoso.com").unwrap();
    assert_eq!(ad.kind, ConnectorKind::ActiveDirectory);
    assert_eq!(ad.partitions[0].inclusions, ["OU=CORP,DC=contoso,DC=com"]);
    assert_eq!(ad.partitions[0].exclusions, ["DC=contoso,DC=com"]);
    assert_eq!(ad.run_profiles.len(), 5);
    assert_eq!(ad.run_profiles[0].steps[0].partition, "DC=contoso,DC=com");
    assert_eq!(r.reference.connector_by_name("contoso.onmicrosoft.com - AAD").unwrap().kind, ConnectorKind::EntraId);

    // Rule ids come only from the embedded script, for the changed rules.
    let custom = r.target.rules.iter().find(|x| x.name == "In from AD - User Custom Fix").unwrap();
    assert_eq!(custom.id, "{4d694111-7aa0-4741-b949-9067fedd9942}");
    assert_eq!(
        (custom.precedence, custom.is_custom(), custom.description.as_str()),
        (Some(50), true, "Custom inbound fix for jdoe (test)")
    );
    assert_eq!(
        custom.scope[0].conditions[0],
        ScopeCondition { attribute: "sAMAccountName".into(), operator: "EQUAL".into(), value: "jdoe".into() }
    );
    assert_eq!(custom.mappings[0].expression.as_deref(), Some("UCase(Trim([department]))"));
    assert!(r.reference.rules.iter().all(|x| x.id.is_empty()));
}

#[test]
fn the_differences_the_report_marks_match_the_diff_of_the_exports() {
    let r = report();
    let from_report = diff(&r.reference, &r.target);
    let prod = collect(&sample("Production"));
    let pilot = collect(&pilot_modified("Pilot-modified"));
    let from_exports = diff(&prod.configs[0], &pilot.configs[0]);
    assert_eq!(sorted(from_report.keys()), sorted(from_exports.keys()));
    assert_eq!(from_report.settings, from_exports.settings);

    // The marks themselves, in the sections the model reads.
    let rules: Vec<(Mark, &str)> = r
        .changes
        .iter()
        .filter(|c| c.section.contains("> Synchronization Rules >") && !c.section.contains("Summary"))
        .filter(|c| c.table == "rule" || c.table == "Description")
        .map(|c| (c.mark, c.section.rsplit(" > ").next().unwrap()))
        .collect();
    assert!(rules.contains(&(Mark::Added, "Inbound")), "{rules:?}");
    let lync = r.changes.iter().find(|c| c.section.ends_with("In from AD - User Lync") && c.table == "Description").unwrap();
    assert_eq!(lync.mark, Mark::Modified);
    assert_eq!((lync.cells[0].new.as_str(), lync.cells[1].old.as_str(), lync.cells[1].new.as_str()), ("Disabled", "No", "Yes"));
    let added_rule = r.changes.iter().find(|c| c.table == "rule").unwrap();
    assert_eq!((added_rule.mark, added_rule.cells[1].new.as_str()), (Mark::Added, "In from AD - User Custom Fix"));
    let staging = r.changes.iter().find(|c| c.section == "Global Settings").unwrap();
    assert_eq!(
        (staging.cells[0].new.as_str(), staging.cells[1].old.as_str(), staging.cells[1].new.as_str()),
        ("Microsoft.Synchronize.StagingMode", "False", "True")
    );
    // Every row the report marks (22 added, 30 modified, 22 deleted, see HTML_STRUCTURE.md) is kept.
    let count = |m: Mark| r.changes.iter().filter(|c| c.mark == m && c.table != "rule").count();
    assert_eq!((count(Mark::Added), count(Mark::Modified), count(Mark::Deleted)), (22, 30, 22));
}

#[test]
fn a_report_can_be_diffed_against_a_current_export() {
    // "The Documenter's report from last year" vs today's production export.
    let r = report();
    let today = collect(&sample("Production"));
    let d = diff(&r.target, &today.configs[0]);
    assert_eq!(
        sorted(d.keys()),
        [
            "rule - contoso.com / In from AD - User Custom Fix",
            "rule contoso.com / In from AD - User Lync: disabled",
            "setting Microsoft.Synchronize.StagingMode",
        ]
    );
}

#[test]
fn staging_twin_with_differences() {
    let mut files = sample("prod");
    files.extend(pilot_modified("staging"));
    let data = collect(&files);
    let (findings, status) = run(&data, now());
    // Both exports carry the same export date, so neither is a baseline of the other.
    assert!(status.iter().all(|s| s.guide == "infrastructure-205"), "{status:?}");
    let drift: Vec<_> = findings.iter().filter(|f| f.check == "SYNC-STAGING-DRIFT").collect();
    assert_eq!(drift.len(), 1);
    let f = drift[0];
    assert!(f.summary.contains("rules: 1 only on staging, 0 only on production, 1 changed"), "{}", f.summary);
    let mut ids: Vec<&str> = f.evidence.iter().map(|e| e.id.as_str()).collect();
    ids.sort();
    assert_eq!(ids, ["{10fd1aee-ad24-4de2-8c9f-31727286d8f2}", "{4d694111-7aa0-4741-b949-9067fedd9942}"]);
    let lync = f.evidence.iter().find(|e| e.id.starts_with("{10fd")).unwrap();
    assert_eq!(
        (lync.field("difference"), lync.field("production"), lync.field("staging")),
        (Some("disabled"), Some("false"), Some("true"))
    );
    assert!(lync.input != entrascope_core::Evidence::NO_INPUT);
    // Staging gives its own findings too (the disabled built-in rule, the one-off custom rule...).
    let mut codes: Vec<&str> = findings.iter().map(|f| f.check.as_str()).collect();
    codes.sort();
    codes.dedup();
    assert_eq!(
        codes,
        [
            "SYNC-BUILTIN-RULE-DISABLED",
            "SYNC-ONE-OFF-RULE",
            "SYNC-PHS-DISABLED",
            "SYNC-SOURCE-ANCHOR-OBJECTGUID",
            "SYNC-STAGING-DRIFT",
            "SYNC-VERSION-BEHIND",
            "SYNC-VERSION-UNSUPPORTED"
        ]
    );
    // Near miss: an identical staging twin (only StagingMode differs).
    let mut files = sample("prod");
    let mut twin = sample("staging");
    set_param(&mut twin, param::STAGING_MODE, "True");
    files.extend(twin);
    let (findings, status) = run(&collect(&files), now());
    assert!(findings.iter().all(|f| f.check != "SYNC-STAGING-DRIFT"));
    assert!(status.iter().all(|s| s.guide == "infrastructure-205"), "{status:?}");
}

#[test]
fn staging_drift_needs_a_pair() {
    // Two production servers: no staging server to compare.
    let mut files = sample("sync01");
    let mut other = sample("sync02");
    edit(&mut other, "GlobalSettings/MV.xml", "server='CONTOSO-SYNC01'", "server='CONTOSO-SYNC02'");
    files.extend(other);
    let (_, status) = run(&collect(&files), now());
    let s = status.iter().find(|s| s.guide == "sync-006").unwrap();
    assert_eq!(s.status, entrascope_core::CoverageStatus::NeedsData);
}

#[test]
fn a_damaged_report_does_not_panic() {
    let bytes = std::fs::read(
        data_dir()
            .join("documenter-report")
            .join("Contoso_Pilot-modified_AppliedTo_Contoso_Production_AADConnectSync_report.html"),
    )
    .unwrap();
    for cut in [10_000, 500_000, 1_600_000, bytes.len() - 3] {
        let mut c = Collector::new();
        let _ = c.add("r.html", &bytes[..cut]);
        let data = c.finish();
        assert!(data.reports.len() + data.problems.len() >= 1);
    }
    let mut c = Collector::new();
    assert!(c
        .add(
            "r.html",
            b"<html><head><title>AAD Connect Config Documenter Report</title></head><body><p>nothing</p></body></html>"
        )
        .is_err());
}
