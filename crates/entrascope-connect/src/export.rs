//! Readers for the three file kinds of a `Get-ADSyncServerConfiguration`
//! export folder: connectors, global settings (MV.xml) and sync rules.
//!
//! Each takes `(path, bytes)` and never touches the filesystem. Elements the
//! readers do not know are kept (rules: in [`SyncRule::extra`]) and reported
//! as warnings, so nothing is lost silently.

use std::collections::BTreeMap;

use crate::model::*;
use crate::problem::{decode_reporting, Parsed, Problem};
use crate::text::{is_zero_guid, norm_guid, parse_bool};
use crate::xml::{self, Doc, Node};

/// The global settings of one MV.xml.
#[derive(Debug, Clone, PartialEq)]
pub struct MvSettings {
    pub server: Option<String>,
    pub export_date: Option<String>,
    pub global: GlobalParams,
}

fn parse_doc(path: &str, bytes: &[u8], skip: &[&str], problems: &mut Vec<Problem>) -> Result<Doc, Problem> {
    let text = decode_reporting(path, bytes, problems);
    let doc = xml::parse(&text, skip).map_err(|e| Problem::error(path, e.line, format!("not readable as XML: {}", e.message)))?;
    problems.extend(doc.warnings.iter().map(|(line, w)| Problem::warning(path, *line, w.clone())));
    Ok(doc)
}

fn text_of(doc: &Doc, n: &Node, name: &str) -> String {
    doc.text(n, name).unwrap_or_default().to_string()
}

/// The GUID in a file name like `SynchronizationRule_{GUID}.xml`.
fn guid_from_path(path: &str) -> Option<String> {
    let file = path.rsplit(['/', '\\']).next()?;
    let open = file.find('{')?;
    let close = file[open..].find('}')? + open;
    Some(norm_guid(&file[open..=close]))
}

const RULE_ELEMENTS: &[&str] = &[
    "id",
    "internal-id",
    "version",
    "name",
    "description",
    "immutable-tag",
    "direction",
    "disabled",
    "connector",
    "sourceObjectType",
    "targetObjectType",
    "linkType",
    "precedence",
    "precedence-after",
    "precedence-before",
    "softDeleteExpiryInterval",
    "EnablePasswordSync",
    "attribute-mappings",
    "relationshipCriteria",
    "synchronizationCriteria",
];

/// Reads `SynchronizationRules/SynchronizationRule_{GUID}.xml`.
pub fn read_rule(path: &str, bytes: &[u8]) -> Result<Parsed<SyncRule>, Problem> {
    let mut problems = Vec::new();
    let doc = parse_doc(path, bytes, &[], &mut problems)?;
    let root = doc.root().ok_or_else(|| Problem::error(path, 1, "no XML element"))?;
    if root.name != "synchronizationRule" {
        return Err(Problem::error(
            path,
            root.line,
            format!("not a sync rule: the root element is <{}>, not <synchronizationRule>", root.name),
        ));
    }
    let mut extra = Vec::new();
    for child in doc.children(root) {
        if !RULE_ELEMENTS.contains(&child.name.as_str()) {
            problems.push(Problem::warning(path, child.line, format!("unknown element <{}> kept as text", child.name)));
            extra.push((child.name.clone(), element_text(&doc, child)));
        }
    }
    let mut id = text_of(&doc, root, "id");
    if id.trim().is_empty() {
        match guid_from_path(path) {
            Some(g) => {
                problems.push(Problem::warning(path, root.line, format!("rule has no <id>; using {g} from the file name")));
                id = g;
            }
            None => problems.push(Problem::warning(path, root.line, "rule has no <id>")),
        }
    }
    let name = text_of(&doc, root, "name");
    if name.trim().is_empty() {
        problems.push(Problem::warning(path, root.line, "rule has no <name>"));
    }
    let direction_text = text_of(&doc, root, "direction");
    let direction = Direction::parse(&direction_text);
    if direction == Direction::Unknown {
        problems.push(Problem::warning(path, root.line, format!("unknown rule direction {direction_text:?}")));
    }
    let flag = |field: &str, problems: &mut Vec<Problem>| -> bool {
        match doc.child(root, field) {
            None => false,
            Some(n) => parse_bool(&n.text).unwrap_or_else(|| {
                problems.push(Problem::warning(path, n.line, format!("<{field}> is {:?}, not a boolean; read as false", n.text)));
                false
            }),
        }
    };
    let disabled = flag("disabled", &mut problems);
    let enable_password_sync = flag("EnablePasswordSync", &mut problems);
    let precedence = match doc.child(root, "precedence") {
        None => {
            problems.push(Problem::warning(path, root.line, "rule has no <precedence>"));
            None
        }
        Some(n) => match n.text.trim().parse::<u32>() {
            Ok(p) => Some(p),
            Err(_) => {
                problems.push(Problem::warning(path, n.line, format!("precedence {:?} is not a number", n.text)));
                None
            }
        },
    };
    let placed = |field: &str| doc.text(root, field).filter(|g| !is_zero_guid(g)).map(norm_guid);
    let connector = text_of(&doc, root, "connector");

    let mut mappings = Vec::new();
    if let Some(am) = doc.child(root, "attribute-mappings") {
        for m in doc.children(am) {
            if m.name != "mapping" {
                problems.push(Problem::warning(
                    path,
                    m.line,
                    format!("unknown element <{}> in <attribute-mappings> kept as text", m.name),
                ));
                extra.push((format!("attribute-mappings/{}", m.name), element_text(&doc, m)));
                continue;
            }
            mappings.push(read_mapping(&doc, m, path, &mut problems, &mut extra));
        }
    }
    let mut join = Vec::new();
    if let Some(rc) = doc.child(root, "relationshipCriteria") {
        for group in doc.all(rc, "conditions") {
            let conditions = doc
                .children(group)
                .filter_map(|c| {
                    if c.name != "condition" {
                        problems.push(Problem::warning(path, c.line, format!("unknown join element <{}> kept as text", c.name)));
                        extra.push((format!("relationshipCriteria/conditions/{}", c.name), element_text(&doc, c)));
                        return None;
                    }
                    let case_sensitive = doc.text(c, "caseSensitive").and_then(parse_bool).unwrap_or(false);
                    Some(JoinCondition {
                        cs_attribute: text_of(&doc, c, "csAttribute"),
                        mv_attribute: text_of(&doc, c, "ilmAttribute"),
                        case_sensitive,
                    })
                })
                .collect();
            join.push(JoinGroup { conditions });
        }
    }
    let mut scope = Vec::new();
    if let Some(sc) = doc.child(root, "synchronizationCriteria") {
        for group in doc.all(sc, "conditions") {
            let conditions = doc
                .children(group)
                .filter_map(|c| {
                    if c.name != "scope" {
                        problems.push(Problem::warning(path, c.line, format!("unknown scope element <{}> kept as text", c.name)));
                        extra.push((format!("synchronizationCriteria/conditions/{}", c.name), element_text(&doc, c)));
                        return None;
                    }
                    Some(ScopeCondition {
                        attribute: text_of(&doc, c, "csAttribute"),
                        operator: text_of(&doc, c, "csOperator").trim().to_ascii_uppercase(),
                        value: text_of(&doc, c, "csValue"),
                    })
                })
                .collect();
            scope.push(ScopeGroup { conditions });
        }
    }
    let rule = SyncRule {
        id: id.trim().to_string(),
        internal_id: text_of(&doc, root, "internal-id"),
        version: text_of(&doc, root, "version"),
        name,
        description: text_of(&doc, root, "description"),
        immutable_tag: text_of(&doc, root, "immutable-tag"),
        direction,
        disabled,
        connector_id: if connector.trim().is_empty() { String::new() } else { norm_guid(&connector) },
        connector_name: String::new(),
        source_object_type: text_of(&doc, root, "sourceObjectType"),
        target_object_type: text_of(&doc, root, "targetObjectType"),
        link_type: text_of(&doc, root, "linkType"),
        precedence,
        precedence_before: placed("precedence-before"),
        precedence_after: placed("precedence-after"),
        soft_delete_expiry: text_of(&doc, root, "softDeleteExpiryInterval"),
        enable_password_sync,
        scope,
        join,
        mappings,
        extra,
        origin: Origin::at(path, root.line),
    };
    Ok(Parsed { value: rule, problems })
}

fn read_mapping(doc: &Doc, m: &Node, path: &str, problems: &mut Vec<Problem>, extra: &mut Vec<(String, String)>) -> Mapping {
    for c in doc.children(m) {
        if !matches!(c.name.as_str(), "dest" | "src" | "expression" | "valueMergeType") {
            problems.push(Problem::warning(path, c.line, format!("unknown element <{}> in <mapping> kept as text", c.name)));
            extra.push((format!("attribute-mappings/mapping/{}", c.name), element_text(doc, c)));
        }
    }
    let dest = text_of(doc, m, "dest");
    let src = doc.child(m, "src");
    let src_attrs: Vec<String> =
        src.map(|s| doc.all(s, "attr").map(|a| a.text.clone()).filter(|a| !a.is_empty()).collect()).unwrap_or_default();
    let expression = doc.text(m, "expression").map(|e| e.to_string()).filter(|e| !e.is_empty());
    let execute_once = m.attr("execute-once").and_then(parse_bool).unwrap_or(false);
    let merge_type = text_of(doc, m, "valueMergeType");
    let (flow_type, source_attributes, constant) = if let Some(expr) = &expression {
        let mut attrs = src_attrs;
        for a in expression_attributes(expr) {
            if !attrs.iter().any(|x| x.eq_ignore_ascii_case(&a)) {
                attrs.push(a);
            }
        }
        (FlowType::Expression, attrs, None)
    } else if !src_attrs.is_empty() {
        (FlowType::Direct, src_attrs, None)
    } else {
        let constant = src.map(|s| s.text.clone()).unwrap_or_default();
        if src.is_none() {
            problems.push(Problem::warning(
                path,
                m.line,
                format!("mapping to {dest:?} has neither a source nor an expression; read as an empty constant"),
            ));
        }
        (FlowType::Constant, Vec::new(), Some(constant))
    };
    Mapping { dest, flow_type, source_attributes, constant, expression, execute_once, merge_type }
}

/// The text of an element and everything below it, for keeping unknown elements.
fn element_text(doc: &Doc, n: &Node) -> String {
    let mut parts: Vec<&str> = Vec::new();
    if !n.text.is_empty() {
        parts.push(&n.text);
    }
    for d in doc.descendants(n) {
        if !d.text.is_empty() {
            parts.push(&d.text);
        }
    }
    parts.join(" ")
}

/// Reads `Connectors/Connector_{GUID}.xml`. The schema (most of the file) is skipped.
pub fn read_connector(path: &str, bytes: &[u8]) -> Result<Parsed<Connector>, Problem> {
    let mut problems = Vec::new();
    let doc = parse_doc(path, bytes, &["schema"], &mut problems)?;
    let root = doc.root().ok_or_else(|| Problem::error(path, 1, "no XML element"))?;
    if root.name != "ma-data" {
        return Err(Problem::error(
            path,
            root.line,
            format!("not a connector: the root element is <{}>, not <ma-data>", root.name),
        ));
    }
    let mut id = text_of(&doc, root, "id");
    if id.trim().is_empty() {
        if let Some(g) = guid_from_path(path) {
            problems.push(Problem::warning(path, root.line, format!("connector has no <id>; using {g} from the file name")));
            id = g;
        }
    }
    let name = text_of(&doc, root, "name");
    let category = text_of(&doc, root, "category");
    let subtype = text_of(&doc, root, "subtype");
    let kind = if category.eq_ignore_ascii_case("AD") {
        ConnectorKind::ActiveDirectory
    } else {
        let st = subtype.to_ascii_lowercase();
        let ext = doc
            .path(root, &["private-configuration", "MAConfig", "extension-config", "filename"])
            .map(|n| n.text.to_ascii_lowercase())
            .unwrap_or_default();
        if st.contains("azure active directory") || st.contains("entra") || ext.contains("azure.activedirectory") {
            ConnectorKind::EntraId
        } else {
            ConnectorKind::Other
        }
    };
    let mut parameters = BTreeMap::new();
    if let Some(pc) = doc.child(root, "private-configuration") {
        for p in doc.descendants(pc) {
            if p.name != "parameter" || p.attr("encrypted") == Some("1") {
                continue;
            }
            if let Some(n) = p.attr("name") {
                parameters.insert(n.to_string(), p.text.clone());
            }
        }
    }
    let group_filtering_dn = parameters.get(param::GROUP_FILTERING_GROUP_DN).filter(|v| !v.trim().is_empty()).cloned();
    let password_hash_sync = doc
        .path(root, &["private-configuration", "adma-configuration", "password-hash-sync-config", "enabled"])
        .and_then(|n| parse_bool(&n.text));
    let attributes = doc
        .child(root, "attribute-inclusion")
        .map(|ai| doc.all(ai, "attribute").map(|a| a.text.clone()).filter(|a| !a.is_empty()).collect())
        .unwrap_or_default();
    let mut partitions = Vec::new();
    if let Some(pd) = doc.child(root, "ma-partition-data") {
        for p in doc.all(pd, "partition") {
            let filter = doc.child(p, "filter");
            let list = |path_: &[&str], item: &str| -> Vec<String> {
                filter
                    .and_then(|f| doc.path(f, path_))
                    .map(|n| doc.all(n, item).map(|x| x.text.clone()).filter(|x| !x.trim().is_empty()).collect())
                    .unwrap_or_default()
            };
            partitions.push(Partition {
                id: norm_guid(&text_of(&doc, p, "id")),
                name: text_of(&doc, p, "name"),
                display_name: text_of(&doc, p, "display-name"),
                selected: doc.text(p, "selected").and_then(parse_bool).unwrap_or(false),
                object_classes: list(&["object-classes"], "object-class"),
                inclusions: list(&["containers", "inclusions"], "inclusion"),
                exclusions: list(&["containers", "exclusions"], "exclusion"),
                line: p.line,
            });
        }
    }
    let mut run_profiles = Vec::new();
    if let Some(rd) = doc.child(root, "ma-run-data") {
        for rc in doc.all(rd, "run-configuration") {
            let steps = doc
                .child(rc, "configuration")
                .map(|c| {
                    doc.all(c, "step")
                        .map(|s| {
                            let st = doc.child(s, "step-type");
                            let subtype = st
                                .and_then(|st| doc.children(st).find(|x| x.name.ends_with("-subtype")))
                                .map(|x| x.text.clone())
                                .unwrap_or_default();
                            RunStep {
                                step_type: st.and_then(|st| st.attr("type")).unwrap_or_default().to_string(),
                                subtype,
                                partition: doc.text(s, "partition").map(norm_guid).unwrap_or_default(),
                            }
                        })
                        .collect()
                })
                .unwrap_or_default();
            run_profiles.push(RunProfile { id: norm_guid(&text_of(&doc, rc, "id")), name: text_of(&doc, rc, "name"), steps });
        }
    }
    let connector = Connector {
        id: norm_guid(&id),
        name,
        category,
        subtype,
        kind,
        description: text_of(&doc, root, "description"),
        partitions,
        attributes,
        group_filtering_dn,
        password_hash_sync,
        run_profiles,
        parameters,
        origin: Origin::at(path, root.line),
    };
    Ok(Parsed { value: connector, problems })
}

/// Reads `GlobalSettings/MV.xml`. The metaverse schema is skipped.
pub fn read_global_settings(path: &str, bytes: &[u8]) -> Result<Parsed<MvSettings>, Problem> {
    let mut problems = Vec::new();
    let doc = parse_doc(path, bytes, &["schema"], &mut problems)?;
    let root = doc.root().ok_or_else(|| Problem::error(path, 1, "no XML element"))?;
    let mv = match root.name.as_str() {
        "saved-mv-configuration" => doc.child(root, "mv-data"),
        "mv-data" => Some(root),
        other => {
            return Err(Problem::error(
                path,
                root.line,
                format!("not MV.xml: the root element is <{other}>, not <saved-mv-configuration>"),
            ))
        }
    };
    let mut global = GlobalParams { present: true, ..GlobalParams::default() };
    match mv.and_then(|mv| doc.child(mv, "parameter-values")) {
        None => problems.push(Problem::warning(path, root.line, "no <parameter-values>: the global settings are unknown")),
        Some(pv) => {
            for p in doc.children(pv) {
                match (p.name.as_str(), p.attr("name")) {
                    ("parameter", Some(name)) => {
                        if global.values.insert(name.to_string(), p.text.clone()).is_some() {
                            problems.push(Problem::warning(
                                path,
                                p.line,
                                format!("parameter {name} appears twice; the last value is used"),
                            ));
                        }
                        global.origins.insert(name.to_string(), Origin::at(path, p.line));
                    }
                    _ => problems.push(Problem::warning(
                        path,
                        p.line,
                        format!("unreadable <{}> in <parameter-values> skipped", p.name),
                    )),
                }
            }
        }
    }
    let settings = MvSettings {
        server: root.attr("server").map(|s| s.to_string()).filter(|s| !s.is_empty()),
        export_date: root.attr("export-date").map(|s| s.to_string()).filter(|s| !s.is_empty()),
        global,
    };
    Ok(Parsed { value: settings, problems })
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: &str = r#"<synchronizationRule>
  <id>{4D694111-7AA0-4741-B949-9067FEDD9942}</id>
  <name>Custom</name>
  <immutable-tag />
  <direction>Inbound</direction>
  <disabled>False</disabled>
  <connector>{AE4DB4CC-B16B-4EB2-ACF5-837CA84E4D7D}</connector>
  <sourceObjectType>user</sourceObjectType>
  <targetObjectType>person</targetObjectType>
  <linkType>Join</linkType>
  <precedence>50</precedence>
  <precedence-after>{00000000-0000-0000-0000-000000000000}</precedence-after>
  <precedence-before>{0B088913-B613-4D9D-9563-9988B7719ED6}</precedence-before>
  <EnablePasswordSync>true</EnablePasswordSync>
  <futureThing><x>kept</x></futureThing>
  <attribute-mappings>
    <mapping><dest>department</dest><src><attr>department</attr></src><expression>UCase([department]) &amp; [company]</expression><valueMergeType>Update</valueMergeType></mapping>
    <mapping execute-once="true"><dest>cloudCreated</dest><src>False</src><valueMergeType>Update</valueMergeType></mapping>
    <mapping><dest>mail</dest><src><attr>mail</attr></src><valueMergeType>Update</valueMergeType></mapping>
    <mapping><dest>domainFQDN</dest><expression>%Domain.FQDN%</expression><valueMergeType>Update</valueMergeType></mapping>
  </attribute-mappings>
  <relationshipCriteria><conditions><condition><caseSensitive>True</caseSensitive><csAttribute>sourceAnchor</csAttribute><ilmAttribute>sourceAnchor</ilmAttribute></condition></conditions></relationshipCriteria>
  <synchronizationCriteria><conditions><scope><csAttribute>sAMAccountName</csAttribute><csOperator>equal</csOperator><csValue>jdoe</csValue></scope></conditions></synchronizationCriteria>
</synchronizationRule>"#;

    #[test]
    fn reads_a_rule() {
        let p =
            read_rule("x/SynchronizationRules/SynchronizationRule_{4d694111-7aa0-4741-b949-9067fedd9942}.xml", RULE.as_bytes())
                .unwrap();
        let r = p.value;
        assert_eq!(r.name, "Custom");
        assert!(r.is_custom());
        assert_eq!(r.precedence, Some(50));
        assert_eq!(r.precedence_before.as_deref(), Some("{0b088913-b613-4d9d-9563-9988b7719ed6}"));
        assert_eq!(r.precedence_after, None);
        assert_eq!(r.connector_id, "{ae4db4cc-b16b-4eb2-acf5-837ca84e4d7d}");
        assert!(r.enable_password_sync);
        assert_eq!(r.mappings[0].flow_type, FlowType::Expression);
        assert_eq!(r.mappings[0].expression.as_deref(), Some("UCase([department]) & [company]"));
        assert_eq!(r.mappings[0].source_attributes, ["department", "company"]);
        assert_eq!(
            (r.mappings[1].flow_type, r.mappings[1].execute_once, r.mappings[1].constant.as_deref()),
            (FlowType::Constant, true, Some("False"))
        );
        assert_eq!(r.mappings[2].flow_type, FlowType::Direct);
        assert_eq!(r.mappings[3].flow_type, FlowType::Expression);
        assert!(r.join[0].conditions[0].case_sensitive);
        assert_eq!(r.scope[0].conditions[0].operator, "EQUAL");
        assert_eq!(r.extra, [("futureThing".to_string(), "kept".to_string())]);
        assert!(p.problems.iter().any(|w| w.message.contains("<futureThing>") && w.line == 15));
    }

    #[test]
    fn wrong_root_is_an_error() {
        let e = read_rule("r.xml", b"<ma-data><id>x</id></ma-data>").unwrap_err();
        assert!(e.message.contains("not a sync rule"));
        let e = read_rule("r.xml", b"this is not xml at all").unwrap_err();
        assert!(e.message.contains("not readable as XML"));
    }
}
