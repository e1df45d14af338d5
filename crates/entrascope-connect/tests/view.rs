//! The rule view and the path of one attribute across the rules.

mod common;

use common::*;
use entrascope_connect::view::FlowRole;
use entrascope_connect::*;

#[test]
fn sample_view_groups_and_folds_rules() {
    let data = collect(&sample("Production"));
    let v = view(&data.configs[0]);
    assert_eq!((v.rule_count, v.custom_rule_count, v.builtin_rule_count, v.disabled_rule_count), (62, 0, 62, 0));
    assert_eq!((v.version.as_deref(), v.staging), (Some("1.1.130.0"), Some(false)));
    let h = |name: &str| v.highlights.iter().find(|s| s.name == name).unwrap().meaning.clone();
    assert_eq!(h(param::ANCHOR_ATTRIBUTE), "users are matched to Entra ID by objectGUID");
    assert_eq!(h(param::TIME_INTERVAL), "every 30 minutes");
    assert_eq!(h(param::DELETION_THRESHOLD), "on (more than 500 deletions stop the export)");
    assert_eq!(h(param::STAGING_MODE), "active (production) server");
    assert_eq!(v.settings.len(), 37);

    let names: Vec<&str> = v.connectors.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["contoso.com", "contoso.onmicrosoft.com - AAD"]);
    let ad = &v.connectors[0];
    assert_eq!(ad.kind_label, "Active Directory");
    assert_eq!(ad.partitions[0].scope, "only OU=CORP,DC=contoso,DC=com");
    assert_eq!(ad.rule_groups.iter().map(|g| g.direction).collect::<Vec<_>>(), [Direction::Inbound, Direction::Outbound]);
    let inbound = &ad.rule_groups[0];
    assert!(inbound.rules.iter().all(|r| r.builtin && r.fold && !r.custom));
    let precedences: Vec<u32> = inbound.rules.iter().filter_map(|r| r.precedence).collect();
    assert!(precedences.windows(2).all(|w| w[0] < w[1]), "sorted by precedence");
    let join = inbound.rules.iter().find(|r| r.name == "In from AD - User Join").unwrap();
    assert_eq!(
        join.scope_text,
        "users whose isCriticalSystemObject does not equal TRUE and adminDescription does not start with User_"
    );
    assert_eq!(join.join.len(), 5);
    assert_eq!(join.join[0], "join when the connector's objectSid equals the metaverse objectSid");
    let aad = &v.connectors[1];
    assert_eq!(aad.kind_label, "Microsoft Entra ID");
    let out_join = aad.rule_groups[1].rules.iter().find(|r| r.name == "Out to AAD - User Join").unwrap();
    assert!(out_join.scope_text.starts_with("person objects whose "), "{}", out_join.scope_text);
    assert!(out_join.scope_text.contains("cloudFiltered does not equal True"), "{}", out_join.scope_text);
    // Serializable for the web app.
    let json = serde_json::to_value(&v).unwrap();
    assert_eq!(json["connectors"][0]["rule_groups"][0]["direction"], "inbound");
}

#[test]
fn custom_and_disabled_rules_are_not_folded() {
    let data = collect(&pilot_modified("Pilot"));
    let v = view(&data.configs[0]);
    assert_eq!((v.custom_rule_count, v.disabled_rule_count), (1, 1));
    let rules: Vec<&view::RuleView> = v.connectors[0].rule_groups[0].rules.iter().collect();
    let custom = rules[0];
    assert_eq!(
        (custom.name.as_str(), custom.custom, custom.fold, custom.precedence),
        ("In from AD - User Custom Fix", true, false, Some(50))
    );
    assert_eq!(custom.scope, ["users whose sAMAccountName equals jdoe"]);
    assert_eq!(custom.mappings[0].source, "UCase(Trim([department]))");
    let lync = rules.iter().find(|r| r.name == "In from AD - User Lync").unwrap();
    assert!(lync.builtin && lync.disabled && !lync.fold);
    assert_eq!(v.connectors[0].rule_groups[0].custom_count, 1);
}

#[test]
fn the_path_of_department_from_ad_to_entra_id() {
    let data = collect(&pilot_modified("Pilot"));
    let steps = attribute_flow(&data.configs[0], "Department");
    let inbound: Vec<&FlowStep> = steps.iter().filter(|s| s.direction == Direction::Inbound).collect();
    let outbound: Vec<&FlowStep> = steps.iter().filter(|s| s.direction == Direction::Outbound).collect();
    assert_eq!(inbound.len() + outbound.len(), steps.len());
    assert!(steps.iter().position(|s| s.direction == Direction::Outbound).unwrap() == inbound.len(), "inbound first");
    // Writers, by precedence: the custom fix (50) wins over the built-in Trim rules.
    let writers: Vec<(Option<u32>, &str)> = inbound.iter().map(|s| (s.precedence, s.rule_name.as_str())).collect();
    assert_eq!(
        writers,
        [
            (Some(50), "In from AD - User Custom Fix"),
            (Some(104), "In from AD - User Common from Exchange"),
            (Some(105), "In from AD - InetOrgPerson Common from Exchange"),
            (Some(106), "In from AD - User Common"),
            (Some(107), "In from AD - InetOrgPerson Common"),
            (Some(116), "In from AD - Contact Common"),
        ]
    );
    assert!(inbound.iter().all(|s| s.role == FlowRole::Writes));
    assert_eq!(inbound[0].expression.as_deref(), Some("UCase(Trim([department]))"));
    assert_eq!(inbound[0].scope, "users whose sAMAccountName equals jdoe");
    assert_eq!(
        inbound[0].summary,
        "\"In from AD - User Custom Fix\" from contoso.com sets person.department from UCase(Trim([department])) (user)"
    );
    let mut readers: Vec<&str> = outbound.iter().map(|s| s.rule_name.as_str()).collect();
    readers.sort();
    assert_eq!(
        readers,
        [
            "Out to AAD - Contact ExchangeOnline",
            "Out to AAD - Contact LyncOnline",
            "Out to AAD - Contact SharePointOnline",
            "Out to AAD - User ExchangeOnline",
            "Out to AAD - User LyncOnline",
            "Out to AAD - User SharePointOnline",
        ]
    );
    assert_eq!(outbound.len(), 6);
    assert!(outbound.iter().all(|s| s.role == FlowRole::Reads
        && s.connector == "contoso.onmicrosoft.com - AAD"
        && s.cs_attributes == ["department"]));
    let precedences: Vec<u32> = outbound.iter().filter_map(|s| s.precedence).collect();
    assert_eq!(precedences, [125, 128, 129, 133, 136, 137]);
}

#[test]
fn the_path_of_cloud_filtered_includes_scoping() {
    let data = collect(&sample("p"));
    let steps = attribute_flow(&data.configs[0], "cloudFiltered");
    let scopes: Vec<&str> = steps.iter().filter(|s| s.role == FlowRole::Scopes).map(|s| s.rule_name.as_str()).collect();
    assert!(scopes.contains(&"Out to AAD - User Join") && scopes.contains(&"Out to AAD - Group Join"), "{scopes:?}");
    let writers = steps.iter().filter(|s| s.role == FlowRole::Writes).count();
    assert!(writers >= 5, "the built-in inbound rules set cloudFiltered: {writers}");
    assert!(steps.iter().all(|s| s.role != FlowRole::Writes || s.direction == Direction::Inbound));
    assert!(attribute_flow(&data.configs[0], "noSuchAttribute").is_empty());
}

#[test]
fn rules_without_their_connector_file_are_still_shown() {
    let files: Files = sample("p").into_iter().filter(|(p, _)| !p.contains("/Connectors/")).collect();
    let data = collect(&files);
    let v = view(&data.configs[0]);
    let shown: usize = v.connectors.iter().flat_map(|c| &c.rule_groups).map(|g| g.rules.len()).sum();
    assert_eq!(shown, 62);
    assert!(v.connectors.iter().all(|c| c.name.starts_with('{')));
}
