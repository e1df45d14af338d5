//! Reading the real Contoso export, and bad input.

mod common;

use common::*;
use entrascope_connect::*;

#[test]
fn sample_export_is_read_into_one_configuration() {
    let files = sample("exports/Production");
    let data = collect(&files);
    assert_eq!(data.configs.len(), 1);
    let cfg = &data.configs[0];
    assert_eq!(cfg.label, "Production (CONTOSO-SYNC01)");
    assert_eq!(cfg.folder, "exports/Production");
    assert_eq!(cfg.server.as_deref(), Some("CONTOSO-SYNC01"));
    assert_eq!(cfg.export_date.as_deref(), Some("2016-05-03 14:28:09.784"));
    assert!(data.problems.iter().all(|p| p.level == Level::Warning), "{:?}", data.problems);
    assert!(data.problems.is_empty(), "{:?}", data.problems);
    assert_eq!(data.inputs.len(), files.len());
    assert!(data.inputs.iter().all(|i| i.config.as_deref() == Some("Production (CONTOSO-SYNC01)")));

    // Global settings: all 37 parameters, typed accessors.
    let g = &cfg.global;
    assert_eq!(g.values.len(), 37);
    assert_eq!(g.version().map(|v| v.to_string()).as_deref(), Some("1.1.130.0"));
    assert_eq!(g.anchor_attribute(), Some("objectGUID"));
    assert_eq!(g.staging_mode(), Some(false));
    assert_eq!(g.time_interval_secs(), Some(1800));
    assert_eq!(g.scheduler_suspended(), Some(false));
    assert_eq!(g.sync_schedule(), Some(true));
    assert_eq!(g.group_filtering(), Some(false));
    assert_eq!(g.deletion_threshold_enabled(), Some(true));
    assert_eq!(g.deletion_threshold_value(), Some(500));
    assert_eq!(g.password_hash_sync(), Some(false));
    assert_eq!(g.get("Microsoft.Synchronize.RunHistoryPurgeInterval"), Some("7.00:00:00"));
    let o = g.origin(param::STAGING_MODE).unwrap();
    assert!(o.path.ends_with("GlobalSettings/MV.xml"));
    assert_eq!(o.line, 1229);

    // Connectors.
    assert_eq!(cfg.connectors.len(), 2);
    let ad = cfg.connector_by_name("contoso.com").unwrap();
    assert_eq!(ad.kind, ConnectorKind::ActiveDirectory);
    assert_eq!(ad.id, "{ae4db4cc-b16b-4eb2-acf5-837ca84e4d7d}");
    assert_eq!(ad.password_hash_sync, Some(false));
    assert_eq!(ad.group_filtering_dn, None);
    assert_eq!(ad.partitions.len(), 1);
    let p = &ad.partitions[0];
    assert_eq!((p.name.as_str(), p.selected), ("DC=contoso,DC=com", true));
    assert_eq!(p.inclusions, ["OU=CORP,DC=contoso,DC=com"]);
    assert_eq!(p.exclusions, ["DC=contoso,DC=com"]);
    assert_eq!(ad.object_types().len(), 10);
    assert!(ad.attributes.iter().any(|a| a == "sAMAccountName"));
    assert_eq!(ad.run_profiles.len(), 5);
    assert!(ad.run_profiles.iter().any(|r| r.name == "Delta Synchronization" && r.steps[0].step_type == "apply-rules"));
    assert_eq!(ad.parameters.get("Forest.FQDN").map(|s| s.as_str()), Some("contoso.com"));
    assert!(!ad.parameters.contains_key("password"), "encrypted parameters are not kept");
    let aad = cfg.connector_by_name("contoso.onmicrosoft.com - AAD").unwrap();
    assert_eq!(aad.kind, ConnectorKind::EntraId);
    assert_eq!(aad.partitions[0].inclusions, Vec::<String>::new());
    assert_eq!(
        cfg.connector("{B891884F-051E-4A83-95AF-2544101C9083}").map(|c| c.name.as_str()),
        Some("contoso.onmicrosoft.com - AAD")
    );

    // Rules: 62 built-in rules, every one tied to a named connector.
    assert_eq!(cfg.rules.len(), 62);
    assert!(cfg.rules.iter().all(|r| r.is_standard() && !r.disabled));
    assert!(cfg.rules.iter().all(|r| r.connector_name == "contoso.com" || r.connector_name == "contoso.onmicrosoft.com - AAD"));
    assert_eq!(cfg.rules.iter().filter(|r| r.direction == Direction::Inbound).count(), 28);
    assert_eq!(cfg.rules.iter().filter(|r| r.direction == Direction::Outbound).count(), 34);
    let mut precedences: Vec<u32> = cfg.rules.iter().filter_map(|r| r.precedence).collect();
    precedences.sort();
    assert_eq!(precedences, (100..=161).collect::<Vec<u32>>());
    let join = cfg.rules.iter().find(|r| r.name == "In from AD - User Join").unwrap();
    assert_eq!(join.id, "{0b088913-b613-4d9d-9563-9988b7719ed6}");
    assert_eq!(join.immutable_tag, "Microsoft.InfromADUserJoin.003");
    assert_eq!((join.cs_object_type(), join.mv_object_type(), join.link_type.as_str()), ("user", "person", "Provision"));
    assert_eq!(join.join.len(), 5);
    assert_eq!(join.scope.len(), 1);
    assert_eq!(join.scope[0].conditions.len(), 2);
    assert_eq!(join.scope[0].conditions[1].operator, "NOTSTARTSWITH");
    let cf = &join.mappings[0];
    assert_eq!((cf.dest.as_str(), cf.flow_type), ("cloudFiltered", FlowType::Expression));
    assert!(cf.expression.as_deref().unwrap().contains("(Left([mailNickname], 4) = \"CAS_\" && (InStr("));
    assert!(cf.source_attributes.iter().any(|a| a == "msExchRecipientTypeDetails"), "attributes scanned out of the expression");
    assert!(join.origin.path.ends_with(&rule_path("0b088913-b613-4d9d-9563-9988b7719ed6")));
    let computer = cfg.rules.iter().find(|r| r.name == "In from AD - Computer Join").unwrap();
    let once = computer.mappings.iter().find(|m| m.dest == "cloudCreated").unwrap();
    assert_eq!((once.flow_type, once.execute_once, once.constant.as_deref()), (FlowType::Constant, true, Some("False")));
    let out = cfg.rules.iter().find(|r| r.name == "Out to AAD - User Join").unwrap();
    assert_eq!((out.cs_object_type(), out.mv_object_type()), ("user", "person"));
    let aad_join = cfg.rules.iter().find(|r| r.name == "In from AAD - User Join").unwrap();
    assert!(aad_join.join.iter().flat_map(|g| &g.conditions).any(|c| c.case_sensitive && c.cs_attribute == "sourceAnchor"));
    assert!(join.join.iter().flat_map(|g| &g.conditions).all(|c| !c.case_sensitive));
    let fqdn = cfg.rules.iter().flat_map(|r| &r.mappings).find(|m| m.dest == "domainFQDN").unwrap();
    assert_eq!((fqdn.flow_type, fqdn.expression.as_deref()), (FlowType::Expression, Some("%Domain.FQDN%")));
}

#[test]
fn windows_separators_and_zip_paths_group_the_same_way() {
    let files: Files =
        sample("x").into_iter().map(|(p, b)| (format!(r"C:\exports\stage.zip\{}", p.replace('/', "\\")), b)).collect();
    let data = collect(&files);
    assert_eq!(data.configs.len(), 1);
    assert_eq!(data.configs[0].folder, "C:/exports/stage.zip/x");
    assert_eq!(data.configs[0].label, "x (CONTOSO-SYNC01)");
    assert_eq!(data.configs[0].rules.len(), 62);
}

#[test]
fn two_folders_make_two_configurations_with_distinct_labels() {
    let mut files = sample("a/export");
    files.extend(sample("b/export"));
    let data = collect(&files);
    let labels: Vec<&str> = data.configs.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(labels, ["export (CONTOSO-SYNC01)", "export (CONTOSO-SYNC01) #2"]);
}

#[test]
fn partial_folder_is_reported_and_still_read() {
    let files: Files = sample("partial").into_iter().filter(|(p, _)| p.contains("/SynchronizationRules/")).collect();
    let data = collect(&files);
    assert_eq!(data.configs.len(), 1);
    let cfg = &data.configs[0];
    assert_eq!(cfg.label, "partial");
    assert_eq!(cfg.rules.len(), 62);
    assert!(!cfg.global.present);
    assert_eq!(cfg.staging(), None);
    // Without connector files, rules keep their connector id as name.
    assert!(cfg.rules.iter().all(|r| r.connector_name.starts_with('{')));
    let msgs: Vec<&str> = data.problems.iter().map(|p| p.message.as_str()).collect();
    assert!(msgs.iter().any(|m| m.contains("no GlobalSettings/MV.xml")), "{msgs:?}");
    assert!(msgs.iter().any(|m| m.contains("no Connectors/*.xml")), "{msgs:?}");
    assert!(data.problems.iter().all(|p| p.path == "partial" && p.level == Level::Warning));
}

#[test]
fn a_rule_file_that_is_not_xml_is_reported_and_the_rest_read() {
    let mut files = sample("prod");
    let bad = format!("prod/{}", rule_path("deadbeef-0000-0000-0000-000000000000"));
    files.push((bad.clone(), b"PK\x03\x04 this is a zip, not XML".to_vec()));
    let mut c = Collector::new();
    let mut errors = Vec::new();
    for (i, (p, b)) in files.iter().enumerate() {
        match c.add(p, b) {
            Ok(_) => {}
            Err(e) => errors.push((i, e)),
        }
    }
    assert_eq!(errors.len(), 1);
    assert!(errors[0].1.contains("not readable as XML"), "{}", errors[0].1);
    let data = c.finish();
    assert_eq!(data.configs[0].rules.len(), 62);
    let p = data.problems.iter().find(|p| p.level == Level::Error).unwrap();
    assert_eq!(p.path, bad);
    assert_eq!(p.input as usize, errors[0].0);
    assert!(p.message.contains("this rule is missing from the configuration"));
}

#[test]
fn an_unrelated_file_is_refused_without_a_problem() {
    let mut c = Collector::new();
    assert!(c.add("notes/readme.txt", b"hello").is_err());
    assert!(c.add("InteractiveSignIns.csv", b"Request ID,Date (UTC)\n1,2\n").is_err());
    let data = c.finish();
    assert!(data.configs.is_empty() && data.problems.is_empty() && data.inputs.is_empty());
}

#[test]
fn entity_bomb_in_a_rule_is_not_expanded() {
    let mut files = sample("prod");
    let mut bomb = String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE synchronizationRule [\n <!ENTITY a \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">\n");
    let mut prev = "a".to_string();
    for i in 0..12 {
        let name = format!("e{i}");
        bomb.push_str(&format!(" <!ENTITY {name} \"{}\">\n", format!("&{prev};").repeat(16)));
        prev = name;
    }
    bomb.push_str("]>\n");
    let rule = rule_xml(&RuleSpec { name: "BOMB_NAME", ..RuleSpec::default() }).replace("BOMB_NAME", &format!("&{prev};"));
    bomb.push_str(&rule);
    add_rule(&mut files, "prod", "11111111-2222-3333-4444-555555555555", &bomb);
    let t = std::time::Instant::now();
    let data = collect(&files);
    assert!(t.elapsed().as_secs() < 10);
    let r = data.configs[0].rules.iter().find(|r| r.id == "{11111111-2222-3333-4444-555555555555}").unwrap();
    assert_eq!(r.name, "&e11;", "the entity reference is kept literally, never expanded");
    assert!(data.problems.iter().any(|p| p.message.contains("DOCTYPE ignored")));
}

#[test]
fn unknown_elements_are_kept_as_warnings() {
    let mut files = sample("prod");
    let path = rule_path("0b088913-b613-4d9d-9563-9988b7719ed6");
    edit(
        &mut files,
        &path,
        "<EnablePasswordSync>false</EnablePasswordSync>",
        "<EnablePasswordSync>false</EnablePasswordSync>\n  <jitScope><x>value kept</x></jitScope>",
    );
    let data = collect(&files);
    let r = data.configs[0].rules.iter().find(|r| r.name == "In from AD - User Join").unwrap();
    assert_eq!(r.extra, [("jitScope".to_string(), "value kept".to_string())]);
    let w = data.problems.iter().find(|p| p.message.contains("<jitScope>")).unwrap();
    assert_eq!((w.level, w.line), (Level::Warning, 19));
    assert!(w.path.ends_with(&path));
}

#[test]
fn truncated_and_misplaced_files() {
    let mut files = sample("prod");
    let mv = files.iter_mut().find(|(p, _)| p.ends_with("MV.xml")).unwrap();
    mv.1.truncate(mv.1.len() / 2);
    // A rule dropped next to the folder instead of inside SynchronizationRules/.
    files.push(("prod/loose_rule.xml".into(), rule_xml(&RuleSpec::default()).into_bytes()));
    let mut c = Collector::new();
    let results: Vec<_> = files.iter().map(|(p, b)| c.add(p, b)).collect();
    let data = c.finish();
    assert_eq!(results.iter().filter(|r| r.is_err()).count(), 1);
    assert!(data.problems.iter().any(|p| p.level == Level::Error && p.message.contains("truncated")), "{:?}", data.problems);
    // The loose rule lies in the export folder itself: it joins that configuration, with a warning.
    assert_eq!(data.configs.len(), 1);
    assert_eq!(data.configs[0].rules.len(), 63);
    assert!(data.problems.iter().any(|p| p.message.contains("not inside a SynchronizationRules/ folder")));
    assert!(!data.configs[0].global.present);
}
