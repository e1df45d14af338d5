//! Every check on the real Contoso export and on variants of it made in memory:
//! each variant gives exactly its findings, near misses give none.

mod common;

use common::*;
use entrascope_connect::*;
use entrascope_core::check::DOC_SECTIONS;
use entrascope_core::coverage::RuntimeStatus;
use entrascope_core::{CoverageStatus, Evidence, Finding};

/// What the unmodified sample must give at 2026-11-21.
const BASELINE: &[&str] =
    &["SYNC-PHS-DISABLED", "SYNC-SOURCE-ANCHOR-OBJECTGUID", "SYNC-VERSION-BEHIND", "SYNC-VERSION-UNSUPPORTED"];

fn run_files(files: &Files) -> (Vec<Finding>, Vec<RuntimeStatus>) {
    run(&collect(files), now())
}

/// The sample with these custom rules added, checked.
fn with_rules(specs: &[RuleSpec]) -> Vec<Finding> {
    let mut files = sample("p");
    for spec in specs {
        add_rule(&mut files, "p", spec.guid, &rule_xml(spec));
    }
    run_files(&files).0
}

fn codes(findings: &[Finding]) -> Vec<String> {
    let mut c: Vec<String> = findings.iter().map(|f| f.check.clone()).collect();
    c.sort();
    c
}

/// The baseline plus `extra`, sorted.
fn expect(extra: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = BASELINE.iter().chain(extra).map(|s| s.to_string()).collect();
    v.sort();
    v
}

fn only<'a>(findings: &'a [Finding], code: &str) -> &'a Finding {
    let v: Vec<&Finding> = findings.iter().filter(|f| f.check == code).collect();
    assert_eq!(v.len(), 1, "{code}: {v:#?}");
    v[0]
}

/// Evidence ids, sorted (evidence itself is ordered by input and line).
fn ids(f: &Finding) -> Vec<&str> {
    let mut v: Vec<&str> = f.evidence.iter().map(|e| e.id.as_str()).collect();
    v.sort();
    v
}

const CUSTOM: &str = "11111111-2222-3333-4444-555555555555";
const CUSTOM2: &str = "22222222-3333-4444-5555-666666666666";
const USER_JOIN: &str = "0b088913-b613-4d9d-9563-9988b7719ed6";
const USER_LYNC: &str = "10fd1aee-ad24-4de2-8c9f-31727286d8f2";

#[test]
fn declarations_are_complete() {
    let metas = checks();
    assert_eq!(metas.len(), 19);
    let mut guides: Vec<&str> = metas.iter().flat_map(|m| m.guide.iter().copied()).collect();
    guides.sort();
    // Every sync-* row, and the security operations guide's row on rule modifications.
    let want: Vec<String> =
        std::iter::once("infrastructure-205".to_string()).chain((1..=18).map(|n| format!("sync-{n:03}"))).collect();
    assert_eq!(guides, want);
    let mut codes: Vec<&str> = metas.iter().map(|m| m.code).collect();
    codes.sort();
    codes.dedup();
    assert_eq!(codes.len(), metas.len(), "codes are unique");
    for m in metas {
        assert_eq!(m.lint(), Vec::<String>::new());
        assert!(m.code.starts_with("SYNC-"));
        assert!(m.file.contains("src/checks/sync_0"), "{}", m.file);
        assert!(entrascope_core::catalogue::row(m.guide[0]).is_some(), "{} is a catalogue row", m.guide[0]);
        for h in DOC_SECTIONS {
            assert!(m.doc_section(h).is_some_and(|s| !s.is_empty()), "{}: {h}", m.code);
        }
    }
}

#[test]
fn sample_export_gives_exactly_its_findings() {
    let (findings, status) = run_files(&sample("Production"));
    assert_eq!(codes(&findings), expect(&[]));
    // Only production exports: sync-005 asks for a staging export instead of
    // guessing, and infrastructure-205 for a baseline export to compare with.
    assert_eq!(status.len(), 2);
    let s5 = status.iter().find(|s| s.guide == "sync-005").unwrap();
    assert_eq!(s5.status, CoverageStatus::NeedsData);
    assert!(s5.needs.as_deref().unwrap().contains("staging"));
    assert!(status.iter().any(|s| s.guide == "infrastructure-205" && s.status == CoverageStatus::NeedsData));

    let v = only(&findings, "SYNC-VERSION-UNSUPPORTED");
    assert_eq!(ids(v), ["Microsoft.Synchronize.ServerConfigurationVersion"]);
    assert_eq!(v.evidence[0].field("value"), Some("1.1.130.0"));
    assert!(v.summary.contains("1.x"), "{}", v.summary);
    assert_eq!(v.evidence[0].line, 1219);
    let b = only(&findings, "SYNC-VERSION-BEHIND");
    assert_eq!(b.evidence[0].field("newer release"), Some("2.6.3.0"));
    assert_eq!(b.evidence[0].field("newest release"), Some("2.6.91.0"));

    let a = only(&findings, "SYNC-SOURCE-ANCHOR-OBJECTGUID");
    let setting = a.evidence.iter().find(|e| e.id == "Microsoft.SynchronizationOption.AnchorAttribute").unwrap();
    assert_eq!(setting.field("value"), Some("objectGUID"));
    // The inbound user rules computing sourceAnchor are named, by rule id.
    assert_eq!(
        ids(a),
        [
            "Microsoft.SynchronizationOption.AnchorAttribute",
            "{0a1f95e3-265a-44fc-ad7c-80e267b05c06}",
            "{87cee849-139c-40ee-9aff-91c188006170}",
            "{9a365cc7-9ec7-4dd8-adab-cf212e21204e}",
            "{c93c2c84-f29f-4d43-bc3b-fa439a2fb1c1}"
        ]
    );
    assert!(a
        .evidence
        .iter()
        .filter(|e| e.id.starts_with('{'))
        .all(|e| e.input != Evidence::NO_INPUT && e.field("connector") == Some("contoso.com")));

    let p = only(&findings, "SYNC-PHS-DISABLED");
    assert_eq!(ids(p), ["Microsoft.OptionalFeature.PasswordHashSync", "password-hash-sync-config/enabled"]);
    assert_eq!(p.evidence.iter().find(|e| e.id.starts_with("password-hash")).unwrap().field("connector"), Some("contoso.com"));
    // OU-filtered (root excluded, OU=CORP included): not whole-domain.
    assert!(findings.iter().all(|f| f.check != "SYNC-WHOLE-DOMAIN-SCOPE"));
}

#[test]
fn custom_rule_at_precedence_150() {
    let findings = with_rules(&[RuleSpec { precedence: 150, ..RuleSpec::default() }]);
    assert_eq!(codes(&findings), expect(&["SYNC-CUSTOM-RULE-PRECEDENCE"]));
    let f = only(&findings, "SYNC-CUSTOM-RULE-PRECEDENCE");
    assert_eq!(ids(f), [format!("{{{CUSTOM}}}")]);
    assert_eq!(f.evidence[0].field("precedence"), Some("150"));
    assert_eq!(f.evidence[0].field("connector"), Some("contoso.com"));
    assert_eq!(f.subject.as_deref(), Some("In from AD - User Custom"));
    assert!(f.evidence[0].input != Evidence::NO_INPUT);
}

#[test]
fn custom_rule_placed_with_precedence_before_is_fine() {
    let findings = with_rules(&[RuleSpec { precedence: 150, before: USER_JOIN, ..RuleSpec::default() }]);
    assert_eq!(codes(&findings), expect(&[]));
    // Near miss: precedence 99 without placement.
    assert_eq!(codes(&with_rules(&[RuleSpec { precedence: 99, ..RuleSpec::default() }])), expect(&[]));
    // A disabled custom rule at 150 takes no part in synchronization.
    assert_eq!(codes(&with_rules(&[RuleSpec { precedence: 150, disabled: true, ..RuleSpec::default() }])), expect(&[]));
}

#[test]
fn two_custom_rules_with_one_precedence() {
    let findings = with_rules(&[
        RuleSpec { precedence: 50, ..RuleSpec::default() },
        RuleSpec { guid: CUSTOM2, name: "In from AD - User Custom 2", precedence: 50, ..RuleSpec::default() },
    ]);
    assert_eq!(codes(&findings), expect(&["SYNC-RULE-PRECEDENCE-CLASH"]));
    let mut got = ids(only(&findings, "SYNC-RULE-PRECEDENCE-CLASH"));
    got.sort();
    assert_eq!(got, [format!("{{{CUSTOM}}}"), format!("{{{CUSTOM2}}}")]);
    // Near miss: same precedence, different direction.
    assert_eq!(
        codes(&with_rules(&[
            RuleSpec { precedence: 50, ..RuleSpec::default() },
            RuleSpec { guid: CUSTOM2, name: "Out to AD - Custom", precedence: 50, direction: "Outbound", ..RuleSpec::default() }
        ])),
        expect(&[])
    );
}

#[test]
fn one_off_rule_for_one_user() {
    let findings = with_rules(&[RuleSpec { scope: &[("sAMAccountName", "EQUAL", "jdoe")], ..RuleSpec::default() }]);
    assert_eq!(codes(&findings), expect(&["SYNC-ONE-OFF-RULE"]));
    let f = only(&findings, "SYNC-ONE-OFF-RULE");
    assert_eq!(ids(f), [format!("{{{CUSTOM}}}")]);
    assert_eq!(f.evidence[0].field("targets"), Some("scope sAMAccountName EQUAL jdoe"));
    // In an expression.
    let findings = with_rules(&[RuleSpec {
        mappings: &[("title", r#"IIF([userPrincipalName] = "ceo@contoso.com", "CEO", [title])"#)],
        ..RuleSpec::default()
    }]);
    assert_eq!(codes(&findings), expect(&["SYNC-ONE-OFF-RULE"]));
    assert!(only(&findings, "SYNC-ONE-OFF-RULE").summary.contains("[userPrincipalName] = \"ceo@contoso.com\""));
    // Near miss: a class of objects, not one.
    assert_eq!(
        codes(&with_rules(&[RuleSpec {
            scope: &[("department", "EQUAL", "Sales"), ("sAMAccountName", "STARTSWITH", "svc_")],
            ..RuleSpec::default()
        }])),
        expect(&[])
    );
}

#[test]
fn two_rules_writing_cloud_filtered() {
    let simple = r#"IIF([extensionAttribute15] = "NoSync", True, NULL)"#;
    let findings = with_rules(&[
        RuleSpec { mappings: &[("cloudFiltered", simple)], ..RuleSpec::default() },
        RuleSpec {
            guid: CUSTOM2,
            name: "Filter 2",
            precedence: 51,
            mappings: &[("cloudFiltered", r#"IIF([department] = "Test", True, NULL)"#)],
            ..RuleSpec::default()
        },
    ]);
    assert_eq!(codes(&findings), expect(&["SYNC-CLOUDFILTERED-COMPLEX"]));
    assert_eq!(only(&findings, "SYNC-CLOUDFILTERED-COMPLEX").evidence.len(), 2);
    // Near miss: one rule with a simple test.
    assert_eq!(codes(&with_rules(&[RuleSpec { mappings: &[("cloudFiltered", simple)], ..RuleSpec::default() }])), expect(&[]));
    // One rule, complex logic.
    let complex = r#"IIF([extensionAttribute15] = "NoSync", True, IIF(IsPresent([employeeID]), IIF([department] = "Temp", True, NULL), True))"#;
    let findings = with_rules(&[RuleSpec { mappings: &[("cloudFiltered", complex)], ..RuleSpec::default() }]);
    assert_eq!(codes(&findings), expect(&["SYNC-CLOUDFILTERED-COMPLEX"]));
    assert!(only(&findings, "SYNC-CLOUDFILTERED-COMPLEX").summary.contains("3 IIF"));
}

#[test]
fn overly_complex_custom_rule() {
    let dirty = r#"Trim(Replace(Replace(UCase(Left([department], 40)), "  ", " "), "_", " "))"#;
    let findings = with_rules(&[RuleSpec { mappings: &[("department", dirty)], ..RuleSpec::default() }]);
    assert_eq!(codes(&findings), expect(&["SYNC-COMPLEX-CUSTOM-RULE"]));
    let f = only(&findings, "SYNC-COMPLEX-CUSTOM-RULE");
    assert!(f.summary.contains("5 string-cleanup calls (threshold 3)"), "{}", f.summary);
    assert!(f.summary.contains("nests calls 5 deep (threshold 4)"), "{}", f.summary);
    // Near miss: the Documenter sample's own fix, UCase(Trim([department])).
    assert_eq!(
        codes(&with_rules(&[RuleSpec { mappings: &[("department", "UCase(Trim([department]))")], ..RuleSpec::default() }])),
        expect(&[])
    );
}

#[test]
fn group_filtering_on() {
    let mut files = sample("p");
    set_param(&mut files, param::GROUP_FILTERING, "True");
    let (findings, _) = run_files(&files);
    assert_eq!(codes(&findings), expect(&["SYNC-GROUP-FILTERING-PRODUCTION"]));
    assert_eq!(ids(only(&findings, "SYNC-GROUP-FILTERING-PRODUCTION")), ["Microsoft.OptionalFeature.GroupFiltering"]);
    // The connector's group DN alone.
    let mut files = sample("p");
    edit(
        &mut files,
        "Connector_{ae4db4cc-b16b-4eb2-acf5-837ca84e4d7d}.xml",
        r#"<parameter name="Connector.GroupFilteringGroupDn" type="string" use="global" dataType="String" />"#,
        r#"<parameter name="Connector.GroupFilteringGroupDn" type="string" use="global" dataType="String">CN=SyncPilot,OU=Groups,DC=contoso,DC=com</parameter>"#,
    );
    let (findings, _) = run_files(&files);
    assert_eq!(codes(&findings), expect(&["SYNC-GROUP-FILTERING-PRODUCTION"]));
    let f = only(&findings, "SYNC-GROUP-FILTERING-PRODUCTION");
    assert_eq!(ids(f), ["Connector.GroupFilteringGroupDn"]);
    assert_eq!(f.evidence[0].field("value"), Some("CN=SyncPilot,OU=Groups,DC=contoso,DC=com"));
    // Near miss: the same on a staging server (which then also satisfies sync-005).
    let mut files = sample("p");
    set_param(&mut files, param::GROUP_FILTERING, "True");
    set_param(&mut files, param::STAGING_MODE, "True");
    let (findings, status) = run_files(&files);
    assert_eq!(codes(&findings), expect(&[]));
    assert!(status.iter().all(|s| s.guide == "infrastructure-205"), "{status:?}");
}

#[test]
fn built_in_rule_disabled() {
    let mut files = sample("p");
    edit(&mut files, &rule_path(USER_LYNC), "<disabled>False</disabled>", "<disabled>True</disabled>");
    let (findings, _) = run_files(&files);
    assert_eq!(codes(&findings), expect(&["SYNC-BUILTIN-RULE-DISABLED"]));
    let f = only(&findings, "SYNC-BUILTIN-RULE-DISABLED");
    assert_eq!(ids(f), [format!("{{{USER_LYNC}}}")]);
    assert_eq!(f.evidence[0].field("rule"), Some("In from AD - User Lync"));
    // Near miss: a disabled custom rule is not a built-in rule.
    assert_eq!(codes(&with_rules(&[RuleSpec { disabled: true, ..RuleSpec::default() }])), expect(&[]));
}

#[test]
fn three_hour_sync_interval_and_suspended_scheduler() {
    let mut files = sample("p");
    set_param(&mut files, param::TIME_INTERVAL, "03:00:00");
    let (findings, _) = run_files(&files);
    assert_eq!(codes(&findings), expect(&["SYNC-SCHEDULER"]));
    let f = only(&findings, "SYNC-SCHEDULER");
    assert_eq!(ids(f), ["Microsoft.Synchronize.TimeInterval"]);
    assert!(f.summary.contains("180 minutes"));
    let mut files = sample("p");
    set_param(&mut files, param::SCHEDULER_SUSPENDED, "True");
    set_param(&mut files, param::SYNC_SCHEDULE, "False");
    let f = run_files(&files).0;
    assert_eq!(
        ids(only(&f, "SYNC-SCHEDULER")),
        ["Microsoft.Synchronize.SchedulerSuspended", "Microsoft.Synchronize.SynchronizationSchedule"]
    );
    // Near miss: a shorter interval.
    let mut files = sample("p");
    set_param(&mut files, param::TIME_INTERVAL, "00:15:00");
    assert_eq!(codes(&run_files(&files).0), expect(&[]));
}

#[test]
fn deletion_protection_off() {
    let mut files = sample("p");
    set_param(&mut files, param::DELETION_THRESHOLD, "False");
    let (findings, _) = run_files(&files);
    assert_eq!(codes(&findings), expect(&["SYNC-DELETE-THRESHOLD-OFF"]));
    assert_eq!(
        ids(only(&findings, "SYNC-DELETE-THRESHOLD-OFF")),
        ["Microsoft.OptionalFeature.ExportDeletionThreshold", "Microsoft.OptionalFeature.ExportDeletionThresholdValue"]
    );
}

/// The sample moved to a current version with ms-DS-ConsistencyGuid as source anchor.
fn current_consistency_guid(files: &mut Files) {
    set_param(files, param::VERSION, "2.6.91.0");
    set_param(files, param::ANCHOR_ATTRIBUTE, "mS-DS-ConsistencyGuid");
    let old = "IIF(IsPresent([msExchRecipientTypeDetails]),IIF([msExchRecipientTypeDetails]=2,NULL,IIF(IsString([objectGUID]),CStr([objectGUID]),ConvertToBase64([objectGUID]))),IIF(IsString([objectGUID]),CStr([objectGUID]),ConvertToBase64([objectGUID])))";
    let new = "IIF(IsPresent([mS-DS-ConsistencyGuid]),IIF(IsString([mS-DS-ConsistencyGuid]),CStr([mS-DS-ConsistencyGuid]),ConvertToBase64([mS-DS-ConsistencyGuid])),ConvertToBase64([objectGUID]))";
    for guid in [
        "0a1f95e3-265a-44fc-ad7c-80e267b05c06",
        "87cee849-139c-40ee-9aff-91c188006170",
        "9a365cc7-9ec7-4dd8-adab-cf212e21204e",
        "c93c2c84-f29f-4d43-bc3b-fa439a2fb1c1",
    ] {
        edit(files, &rule_path(guid), old, new);
    }
}

#[test]
fn current_version_with_consistency_guid() {
    let mut files = sample("p");
    current_consistency_guid(&mut files);
    let (findings, _) = run_files(&files);
    assert_eq!(codes(&findings), ["SYNC-PHS-DISABLED"]);
    // Near miss for the cross-check: the setting says ms-DS-ConsistencyGuid but the rules still use objectGUID.
    let mut files = sample("p");
    set_param(&mut files, param::VERSION, "2.6.91.0");
    set_param(&mut files, param::ANCHOR_ATTRIBUTE, "mS-DS-ConsistencyGuid");
    let (findings, _) = run_files(&files);
    assert_eq!(codes(&findings), ["SYNC-PHS-DISABLED", "SYNC-SOURCE-ANCHOR-OBJECTGUID"]);
    assert!(only(&findings, "SYNC-SOURCE-ANCHOR-OBJECTGUID")
        .summary
        .contains("no inbound user rule computes sourceAnchor from it"));
    // A 2.5.79.0 server at 2026-11-21: retired on 2026-10-23, and 2.5.190.0 is more than six months old.
    let mut files = sample("p");
    current_consistency_guid(&mut files);
    set_param(&mut files, param::VERSION, "2.5.79.0");
    let (findings, _) = run_files(&files);
    assert_eq!(codes(&findings), ["SYNC-PHS-DISABLED", "SYNC-VERSION-BEHIND", "SYNC-VERSION-UNSUPPORTED"]);
    assert_eq!(only(&findings, "SYNC-VERSION-UNSUPPORTED").evidence[0].field("unsupported since"), Some("2026-10-23"));
    // 2.6.84.0: supported, and 2.6.91.0 is only two months old.
    let mut files = sample("p");
    current_consistency_guid(&mut files);
    set_param(&mut files, param::VERSION, "2.6.84.0");
    assert_eq!(codes(&run_files(&files).0), ["SYNC-PHS-DISABLED"]);
}

#[test]
fn password_hash_sync_on() {
    let mut files = sample("p");
    set_param(&mut files, param::PASSWORD_HASH_SYNC, "True");
    edit(
        &mut files,
        "Connector_{ae4db4cc-b16b-4eb2-acf5-837ca84e4d7d}.xml",
        "<password-hash-sync-config><enabled>0</enabled>",
        "<password-hash-sync-config><enabled>1</enabled>",
    );
    let (findings, _) = run_files(&files);
    let mut want = expect(&[]);
    want.retain(|c| c != "SYNC-PHS-DISABLED");
    assert_eq!(codes(&findings), want);
    // On, but the rule that carries the hashes is disabled.
    edit(
        &mut files,
        &rule_path("0a1f95e3-265a-44fc-ad7c-80e267b05c06"),
        "<disabled>False</disabled>",
        "<disabled>True</disabled>",
    );
    let (findings, _) = run_files(&files);
    assert_eq!(codes(&findings), expect(&["SYNC-BUILTIN-RULE-DISABLED"]));
    assert!(only(&findings, "SYNC-PHS-DISABLED").summary.contains("no enabled inbound rule has EnablePasswordSync"));
}

#[test]
fn whole_domain_in_scope() {
    let mut files = sample("p");
    edit(
        &mut files,
        "Connector_{ae4db4cc-b16b-4eb2-acf5-837ca84e4d7d}.xml",
        "<containers><exclusions><exclusion>DC=contoso,DC=com</exclusion></exclusions><inclusions><inclusion>OU=CORP,DC=contoso,DC=com</inclusion></inclusions></containers>",
        "<containers><exclusions /><inclusions><inclusion>DC=contoso, DC=com</inclusion></inclusions></containers>",
    );
    let (findings, _) = run_files(&files);
    assert_eq!(codes(&findings), expect(&["SYNC-WHOLE-DOMAIN-SCOPE"]));
    let f = only(&findings, "SYNC-WHOLE-DOMAIN-SCOPE");
    assert_eq!(ids(f), ["DC=contoso,DC=com"]);
    assert!(f.evidence[0].line > 1);
    // Near miss: root included, one OU excluded.
    let mut files = sample("p");
    edit(
        &mut files,
        "Connector_{ae4db4cc-b16b-4eb2-acf5-837ca84e4d7d}.xml",
        "<containers><exclusions><exclusion>DC=contoso,DC=com</exclusion></exclusions><inclusions><inclusion>OU=CORP,DC=contoso,DC=com</inclusion></inclusions></containers>",
        "<containers><exclusions><exclusion>OU=Test,DC=contoso,DC=com</exclusion></exclusions><inclusions><inclusion>DC=contoso,DC=com</inclusion></inclusions></containers>",
    );
    assert_eq!(codes(&run_files(&files).0), expect(&[]));
}

#[test]
fn two_production_servers() {
    let mut files = sample("sync01");
    let mut other = sample("sync02");
    edit(&mut other, "GlobalSettings/MV.xml", "server='CONTOSO-SYNC01'", "server='CONTOSO-SYNC02'");
    files.extend(other);
    let (findings, status) = run_files(&files);
    let f = only(&findings, "SYNC-NO-STAGING-SERVER");
    assert_eq!(ids(f), ["Microsoft.Synchronize.StagingMode", "Microsoft.Synchronize.StagingMode"]);
    let mut servers: Vec<&str> = f.evidence.iter().filter_map(|e| e.field("server")).collect();
    servers.sort();
    assert_eq!(servers, ["CONTOSO-SYNC01", "CONTOSO-SYNC02"]);
    assert!(f.summary.contains("contoso.onmicrosoft.com - aad"));
    // Every per-configuration finding appears once per server; no needs-data next to the finding.
    let mut want: Vec<String> =
        BASELINE.iter().flat_map(|c| [c.to_string(), c.to_string()]).chain(["SYNC-NO-STAGING-SERVER".to_string()]).collect();
    want.sort();
    assert_eq!(codes(&findings), want);
    assert!(status.iter().all(|s| s.guide != "sync-005"));
    // Near miss: the same server exported twice is one server.
    let mut files = sample("export-monday");
    files.extend(sample("export-friday"));
    let (findings, status) = run_files(&files);
    assert!(findings.iter().all(|f| f.check != "SYNC-NO-STAGING-SERVER"));
    assert_eq!(status.iter().filter(|s| s.guide == "sync-005").count(), 1);
}

#[test]
fn staging_twin_satisfies_the_disaster_recovery_row() {
    let mut files = sample("prod");
    let mut staging = sample("staging");
    edit(&mut staging, "GlobalSettings/MV.xml", "server='CONTOSO-SYNC01'", "server='CONTOSO-SYNC02'");
    set_param(&mut staging, param::STAGING_MODE, "True");
    files.extend(staging);
    let (findings, status) = run_files(&files);
    assert!(status.iter().all(|s| s.guide != "sync-005"), "{status:?}");
    assert!(findings.iter().all(|f| f.check != "SYNC-NO-STAGING-SERVER"));
}

#[test]
fn no_connect_data_no_findings() {
    let (findings, status) = run(&ConnectData::default(), now());
    assert!(findings.is_empty() && status.is_empty());
}

#[test]
fn rules_changed_since_a_baseline_export_of_the_same_server() {
    // The same server exported in 2016 and again later, with one rule disabled and one custom rule added.
    let mut files = sample("baseline");
    let mut current = sample("current");
    edit(&mut current, "GlobalSettings/MV.xml", "export-date='2016-05-03 14:28:09.784'", "export-date='2016-09-01 10:00:00.000'");
    edit(&mut current, &rule_path(USER_LYNC), "<disabled>False</disabled>", "<disabled>True</disabled>");
    add_rule(
        &mut current,
        "current",
        CUSTOM,
        &rule_xml(&RuleSpec { guid: CUSTOM, name: "In from AD - User Custom", precedence: 50, ..RuleSpec::default() }),
    );
    files.extend(current);
    let (findings, status) = run_files(&files);
    let f = only(&findings, "SYNC-RULES-CHANGED");
    assert_eq!(ids(f), [format!("{{{USER_LYNC}}}").as_str(), format!("{{{CUSTOM}}}").as_str()]);
    assert!(f.summary.contains("1 added, 0 removed, 1 changed"), "{}", f.summary);
    assert!(status.iter().all(|s| s.guide != "infrastructure-205"));
    // Near miss: two identical exports taken at different times change nothing.
    let mut files = sample("baseline");
    let mut same = sample("again");
    edit(&mut same, "GlobalSettings/MV.xml", "export-date='2016-05-03 14:28:09.784'", "export-date='2016-09-01 10:00:00.000'");
    files.extend(same);
    let (findings, status) = run_files(&files);
    assert!(findings.iter().all(|f| f.check != "SYNC-RULES-CHANGED"));
    assert!(status.iter().all(|s| s.guide != "infrastructure-205"));
    // One export alone: the row needs a baseline.
    let (_, status) = run_files(&sample("alone"));
    assert!(status.iter().any(|s| s.guide == "infrastructure-205" && s.status == CoverageStatus::NeedsData));
}
