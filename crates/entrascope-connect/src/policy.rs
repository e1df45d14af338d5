//! The wizard's `Applied-SynchronizationPolicy-*.json` (also written by
//! "View or export current configuration").
//!
//! No public sample of this file exists; the field names below are those
//! public scripts read (see `applied-synchronizationpolicy-json-notes.md`),
//! so keys are matched case-insensitively and every field is optional.
//! What this file cannot tell: built-in rules carry only name, id, tag and
//! precedence (no scope, join or mappings), there are no MV.xml global
//! parameters (version, staging mode, source anchor, scheduler), no selected
//! attributes and no run profiles. Checks needing those skip this configuration.

use serde_json::{Map, Value};

use crate::model::*;
use crate::problem::{decode_reporting, Parsed, Problem};
use crate::text::{norm_guid, parse_bool};

fn get<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    obj.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v)
}

fn get_str(obj: &Map<String, Value>, keys: &[&str]) -> String {
    keys.iter()
        .find_map(|k| match get(obj, k) {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            Some(Value::Bool(b)) => Some(b.to_string()),
            _ => None,
        })
        .unwrap_or_default()
}

fn get_arr<'a>(obj: &'a Map<String, Value>, key: &str) -> &'a [Value] {
    match get(obj, key) {
        Some(Value::Array(a)) => a,
        _ => &[],
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(a)) => {
            a.iter().filter_map(|x| x.as_str()).map(|s| s.to_string()).filter(|s| !s.trim().is_empty()).collect()
        }
        Some(Value::String(s)) if !s.trim().is_empty() => vec![s.clone()],
        _ => Vec::new(),
    }
}

const KNOWN_TOP: &[&str] = &["onpremisesDirectoryPolicy", "azureDirectoryPolicy"];

/// Reads an Applied-SynchronizationPolicy JSON file into a configuration.
pub fn read_policy_json(path: &str, bytes: &[u8]) -> Result<Parsed<Config>, Problem> {
    let mut problems = Vec::new();
    let text = decode_reporting(path, bytes, &mut problems);
    let root: Value =
        serde_json::from_str(&text).map_err(|e| Problem::error(path, e.line() as u64, format!("not readable as JSON: {e}")))?;
    let Value::Object(root) = root else {
        return Err(Problem::error(path, 1, "the policy JSON is not an object"));
    };
    let file = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let stem = file.strip_suffix(".json").or_else(|| file.strip_suffix(".JSON")).unwrap_or(file);
    let mut cfg = Config::new(stem, path.replace('\\', "/"), ConfigSource::PolicyJson);
    let server = get_str(&root, &["serverName", "machineName", "computerName", "server"]);
    if !server.is_empty() {
        cfg.label = format!("{stem} ({server})");
        cfg.server = Some(server);
    }
    for (k, v) in &root {
        if KNOWN_TOP.iter().any(|t| t.eq_ignore_ascii_case(k)) {
            continue;
        }
        match v {
            Value::String(_) | Value::Number(_) | Value::Bool(_) => {
                cfg.global.values.insert(k.clone(), get_str(&root, &[k]));
            }
            _ => problems.push(Problem::warning(path, 0, format!("top-level key {k:?} not read"))),
        }
    }
    let mut standard_seen = false;
    for (i, dp) in get_arr(&root, "onpremisesDirectoryPolicy").iter().enumerate() {
        let Value::Object(dp) = dp else {
            problems.push(Problem::rejected(path, 0, format!("onpremisesDirectoryPolicy[{i}] is not an object")));
            continue;
        };
        let name = get_str(dp, &["fullyQualifiedDomainName", "friendlyName", "name"]);
        let id = get_str(dp, &["uniqueIdentifier", "identifier", "id"]);
        let mut conn = connector(
            &id,
            if name.is_empty() { format!("directory {}", i + 1) } else { name },
            ConnectorKind::ActiveDirectory,
            path,
        );
        for pf in get_arr(dp, "partitionFilters") {
            if let Value::Object(pf) = pf {
                conn.partitions.push(Partition {
                    id: String::new(),
                    name: get_str(pf, &["distinguishedName", "name"]),
                    display_name: get_str(pf, &["friendlyName", "displayName"]),
                    selected: true,
                    object_classes: strings(get(pf, "objectClasses")),
                    inclusions: strings(get(pf, "containerInclusions")),
                    exclusions: strings(get(pf, "containerExclusions")),
                    line: 0,
                });
            }
        }
        standard_seen |= read_rules(dp, &conn, path, &mut cfg.rules, &mut problems);
        cfg.connectors.push(conn);
    }
    if let Some(Value::Object(ap)) = get(&root, "azureDirectoryPolicy") {
        let name = get_str(ap, &["friendlyName", "name", "tenantName", "fullyQualifiedDomainName"]);
        let id = get_str(ap, &["uniqueIdentifier", "identifier", "id"]);
        let conn =
            connector(&id, if name.is_empty() { "Microsoft Entra ID".to_string() } else { name }, ConnectorKind::EntraId, path);
        standard_seen |= read_rules(ap, &conn, path, &mut cfg.rules, &mut problems);
        cfg.connectors.push(conn);
    }
    if cfg.connectors.is_empty() {
        return Err(Problem::error(path, 1, "no onpremisesDirectoryPolicy or azureDirectoryPolicy found"));
    }
    problems.push(Problem::warning(
        path,
        0,
        "policy JSON has no MV.xml global settings (version, staging mode, source anchor, scheduler): the checks that need them are skipped for it",
    ));
    if standard_seen {
        problems.push(Problem::warning(
            path,
            0,
            "built-in rules in the policy JSON carry only name, id, tag and precedence (no scope, join or mappings)",
        ));
    }
    Ok(Parsed { value: cfg, problems })
}

fn connector(id: &str, name: String, kind: ConnectorKind, path: &str) -> Connector {
    Connector {
        id: if id.is_empty() { String::new() } else { norm_guid(id) },
        name,
        category: match kind {
            ConnectorKind::ActiveDirectory => "AD".into(),
            _ => "Extensible2".into(),
        },
        kind,
        origin: Origin::at(path, 0),
        ..Connector::default()
    }
}

/// Reads `standardSynchronizationRules` and `customSynchronizationRules`;
/// returns whether any standard rule was seen.
fn read_rules(
    policy: &Map<String, Value>,
    conn: &Connector,
    path: &str,
    out: &mut Vec<SyncRule>,
    problems: &mut Vec<Problem>,
) -> bool {
    let standard = get_arr(policy, "standardSynchronizationRules");
    for (i, r) in standard.iter().chain(get_arr(policy, "customSynchronizationRules")).enumerate() {
        let Value::Object(r) = r else {
            problems.push(Problem::rejected(path, 0, format!("rule {} of connector {:?} is not an object", i + 1, conn.name)));
            continue;
        };
        out.push(rule(r, conn, path, problems));
    }
    !standard.is_empty()
}

fn rule(r: &Map<String, Value>, conn: &Connector, path: &str, problems: &mut Vec<Problem>) -> SyncRule {
    let name = get_str(r, &["name"]);
    let mut direction = Direction::parse(&get_str(r, &["direction"]));
    if direction == Direction::Unknown {
        // Built-in rules carry no direction here; their names say it.
        let lower = name.to_ascii_lowercase();
        direction = if lower.starts_with("in from") {
            Direction::Inbound
        } else if lower.starts_with("out to") {
            Direction::Outbound
        } else {
            Direction::Unknown
        };
    }
    let precedence = match get(r, "precedence") {
        Some(Value::Number(n)) => n.as_u64().and_then(|p| u32::try_from(p).ok()),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    };
    if precedence.is_none() {
        problems.push(Problem::warning(path, 0, format!("rule {name:?} has no readable precedence")));
    }
    let placed = |keys: &[&str]| {
        let v = get_str(r, keys);
        (!crate::text::is_zero_guid(&v)).then(|| norm_guid(&v))
    };
    let mut scope = Vec::new();
    let mut flat = Vec::new();
    for sf in get_arr(r, "scopeFilters") {
        let Value::Object(sf) = sf else { continue };
        let list = get_arr(sf, "scopeConditionList");
        if list.is_empty() {
            flat.push(scope_condition(sf));
        } else {
            scope.push(ScopeGroup { conditions: list.iter().filter_map(|c| c.as_object()).map(scope_condition).collect() });
        }
    }
    if !flat.is_empty() {
        scope.push(ScopeGroup { conditions: flat });
    }
    let mut join = Vec::new();
    for jf in get_arr(r, "joinFilters") {
        let Value::Object(jf) = jf else { continue };
        let list = get_arr(jf, "joinConditionList");
        let conds: Vec<JoinCondition> = if list.is_empty() {
            vec![join_condition(jf)]
        } else {
            list.iter().filter_map(|c| c.as_object()).map(join_condition).collect()
        };
        join.push(JoinGroup { conditions: conds });
    }
    let mappings = get_arr(r, "attributeMappings").iter().filter_map(|m| m.as_object()).map(mapping).collect();
    let (source, target) = (get_str(r, &["source", "sourceObjectType"]), get_str(r, &["target", "targetObjectType"]));
    SyncRule {
        id: {
            let id = get_str(r, &["uniqueIdentifier", "identifier"]);
            if id.is_empty() {
                id
            } else {
                norm_guid(&id)
            }
        },
        internal_id: get_str(r, &["internalIdentifier"]),
        name,
        description: get_str(r, &["description"]),
        immutable_tag: get_str(r, &["immutableTag"]),
        direction,
        disabled: get(r, "disabled").and_then(|v| v.as_bool().or_else(|| v.as_str().and_then(parse_bool))).unwrap_or(false),
        connector_id: conn.id.clone(),
        connector_name: conn.name.clone(),
        source_object_type: source,
        target_object_type: target,
        link_type: get_str(r, &["linkType"]),
        precedence,
        precedence_before: placed(&["precedenceBefore"]),
        precedence_after: placed(&["precedenceAfter"]),
        enable_password_sync: get(r, "enablePasswordSync").and_then(|v| v.as_bool()).unwrap_or(false),
        scope,
        join,
        mappings,
        origin: Origin::at(path, 0),
        ..SyncRule::default()
    }
}

fn scope_condition(c: &Map<String, Value>) -> ScopeCondition {
    ScopeCondition {
        attribute: get_str(c, &["attribute", "attributeName"]),
        operator: get_str(c, &["condition", "comparisonOperator", "operator"]).trim().to_ascii_uppercase(),
        value: get_str(c, &["value", "comparisonValue"]),
    }
}

fn join_condition(c: &Map<String, Value>) -> JoinCondition {
    JoinCondition {
        cs_attribute: get_str(c, &["csAttribute", "source", "sourceAttribute"]),
        mv_attribute: get_str(c, &["mvAttribute", "metaverseAttribute", "target", "targetAttribute"]),
        case_sensitive: get(c, "caseSensitive").and_then(|v| v.as_bool()).unwrap_or(false),
    }
}

fn mapping(m: &Map<String, Value>) -> Mapping {
    let src = strings(get(m, "source"));
    let expression = Some(get_str(m, &["expression"])).filter(|e| !e.is_empty());
    let flow = get_str(m, &["flowType", "mappingFlowType"]).to_ascii_lowercase();
    let (flow_type, mut source_attributes, constant) = if expression.is_some() || flow == "expression" {
        (FlowType::Expression, src, None)
    } else if flow == "constant" {
        (FlowType::Constant, Vec::new(), src.first().cloned())
    } else {
        (FlowType::Direct, src, None)
    };
    if let Some(e) = &expression {
        for a in expression_attributes(e) {
            if !source_attributes.iter().any(|x| x.eq_ignore_ascii_case(&a)) {
                source_attributes.push(a);
            }
        }
    }
    Mapping {
        dest: get_str(m, &["destination", "dest", "target"]),
        flow_type,
        source_attributes,
        constant,
        expression,
        execute_once: get(m, "executeOnce").and_then(|v| v.as_bool()).unwrap_or(false),
        merge_type: get_str(m, &["valueMergeType", "mergeType"]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_policy_json() {
        let j = r#"{
          "onpremisesDirectoryPolicy": [{
            "fullyQualifiedDomainName": "contoso.com",
            "uniqueIdentifier": "AE4DB4CC-B16B-4EB2-ACF5-837CA84E4D7D",
            "partitionFilters": [{"distinguishedName": "DC=contoso,DC=com",
               "containerInclusions": ["OU=CORP,DC=contoso,DC=com"], "containerExclusions": ["DC=contoso,DC=com"]}],
            "standardSynchronizationRules": [{"Name": "In from AD - User Join", "uniqueIdentifier": "0b088913-b613-4d9d-9563-9988b7719ed6", "immutableTag": "Microsoft.InfromADUserJoin.006", "precedence": 100}],
            "customSynchronizationRules": [{"name": "In from AD - User Fix", "direction": "Inbound", "precedence": 150, "source": "user", "target": "person", "linkType": "Join",
               "scopeFilters": [{"attribute": "sAMAccountName", "condition": "EQUAL", "value": "jdoe"}],
               "attributeMappings": [{"source": ["department"], "destination": "department"}]}]
          }],
          "azureDirectoryPolicy": {"standardSynchronizationRules": [{"name": "Out to AAD - User Join", "immutableTag": "Microsoft.OuttoAADUserJoin.003", "precedence": 120}]},
          "policyVersion": 3
        }"#;
        let p = read_policy_json("x/Applied-SynchronizationPolicy-2026.json", j.as_bytes()).unwrap();
        let c = p.value;
        assert_eq!(c.label, "Applied-SynchronizationPolicy-2026");
        assert_eq!(c.connectors.len(), 2);
        assert_eq!(c.connectors[0].partitions[0].inclusions, ["OU=CORP,DC=contoso,DC=com"]);
        assert_eq!(c.rules.len(), 3);
        let custom = c.rules.iter().find(|r| r.name == "In from AD - User Fix").unwrap();
        assert!(custom.is_custom());
        assert_eq!(custom.precedence, Some(150));
        assert_eq!(custom.scope[0].conditions[0].value, "jdoe");
        assert_eq!(custom.connector_name, "contoso.com");
        let std = c.rules.iter().find(|r| r.name == "In from AD - User Join").unwrap();
        assert!(std.is_standard());
        assert_eq!(std.direction, Direction::Inbound);
        assert!(!c.global.present);
        assert!(read_policy_json("x.json", b"[1,2]").is_err());
        assert!(read_policy_json("x.json", b"{\"onpremisesDirectoryPolicy\": ").is_err());
    }
}
