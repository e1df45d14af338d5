//! A configuration view for people (the web app's rule view): rules grouped by
//! connector and direction, built-in rules flagged so a UI can fold them,
//! custom rules flagged, scoping and join conditions in plain words, and the
//! path of one metaverse attribute across every rule that touches it.

use serde::Serialize;

use crate::model::*;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConfigView {
    pub label: String,
    pub source: ConfigSource,
    pub server: Option<String>,
    pub export_date: Option<String>,
    pub version: Option<String>,
    pub staging: Option<bool>,
    /// The settings people look for first, with their meaning.
    pub highlights: Vec<SettingView>,
    /// Every global parameter, name → value.
    pub settings: Vec<(String, String)>,
    pub connectors: Vec<ConnectorView>,
    pub rule_count: usize,
    pub custom_rule_count: usize,
    pub builtin_rule_count: usize,
    pub disabled_rule_count: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SettingView {
    /// The MV.xml parameter name.
    pub name: String,
    /// What it is, in words ("Source anchor").
    pub label: String,
    pub value: String,
    /// A plain-words reading of the value ("every 30 minutes").
    pub meaning: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConnectorView {
    pub id: String,
    pub name: String,
    pub kind: ConnectorKind,
    /// "Active Directory", "Microsoft Entra ID" or the connector's type.
    pub kind_label: String,
    pub partitions: Vec<PartitionView>,
    pub object_types: Vec<String>,
    pub attribute_count: usize,
    pub group_filtering_dn: Option<String>,
    pub password_hash_sync: Option<bool>,
    pub run_profiles: Vec<String>,
    /// Inbound rules, then outbound rules (each by precedence).
    pub rule_groups: Vec<RuleGroupView>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartitionView {
    pub name: String,
    pub selected: bool,
    /// The scope in words: "the whole domain", "only OU=CORP,DC=contoso,DC=com".
    pub scope: String,
    pub inclusions: Vec<String>,
    pub exclusions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleGroupView {
    pub direction: Direction,
    pub rules: Vec<RuleView>,
    pub custom_count: usize,
    pub builtin_count: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleView {
    pub id: String,
    pub name: String,
    pub description: String,
    pub direction: Direction,
    pub connector: String,
    pub precedence: Option<u32>,
    pub tag: String,
    /// A Microsoft built-in rule (tag `Microsoft.*`).
    pub builtin: bool,
    pub custom: bool,
    pub disabled: bool,
    /// Whether a UI should fold the rule by default: an enabled built-in rule.
    pub fold: bool,
    pub cs_object_type: String,
    pub mv_object_type: String,
    pub link_type: String,
    /// "placed before {guid}" when the rule was inserted relative to another.
    pub placement: Option<String>,
    pub enable_password_sync: bool,
    /// One sentence per scoping group ("users whose sAMAccountName equals jdoe").
    pub scope: Vec<String>,
    /// The whole scope in one sentence (groups joined with "; or ").
    pub scope_text: String,
    /// One sentence per join group, tried in order.
    pub join: Vec<String>,
    pub mappings: Vec<MappingView>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MappingView {
    pub target: String,
    /// The expression, the constant or the source attributes.
    pub source: String,
    pub flow_type: FlowType,
    pub apply_once: bool,
    pub merge_type: String,
    /// The attributes the mapping reads.
    pub reads: Vec<String>,
}

/// A plural noun for an object type: "users", "groups", "person objects".
pub fn object_type_words(t: &str) -> String {
    match t.to_ascii_lowercase().as_str() {
        "user" => "users".into(),
        "group" => "groups".into(),
        "contact" => "contacts".into(),
        "computer" => "computers".into(),
        "device" | "msds-device" => "devices".into(),
        "foreignsecurityprincipal" => "foreign security principals".into(),
        "" => "objects".into(),
        _ => format!("{t} objects"),
    }
}

/// One scoping condition in words: "sAMAccountName equals jdoe".
pub fn condition_words(c: &ScopeCondition) -> String {
    let v = &c.value;
    let phrase = match c.operator.as_str() {
        "EQUAL" => format!("equals {v}"),
        "NOTEQUAL" => format!("does not equal {v}"),
        "LESSTHAN" => format!("is less than {v}"),
        "LESSTHAN_OR_EQUAL" => format!("is at most {v}"),
        "GREATERTHAN" => format!("is greater than {v}"),
        "GREATERTHAN_OR_EQUAL" => format!("is at least {v}"),
        "CONTAINS" => format!("contains {v}"),
        "NOTCONTAINS" => format!("does not contain {v}"),
        "STARTSWITH" => format!("starts with {v}"),
        "NOTSTARTSWITH" => format!("does not start with {v}"),
        "ENDSWITH" => format!("ends with {v}"),
        "NOTENDSWITH" => format!("does not end with {v}"),
        "ISNULL" => "is empty".into(),
        "ISNOTNULL" => "has a value".into(),
        "ISIN" => format!("is one of {v}"),
        "ISNOTIN" => format!("is none of {v}"),
        "ISBITSET" => format!("has bit {v} set"),
        "ISBITNOTSET" => format!("does not have bit {v} set"),
        "ISMEMBEROF" => format!("is a member of {v}"),
        "ISNOTMEMBEROF" => format!("is not a member of {v}"),
        other => format!("{} {v}", other.to_ascii_lowercase()).trim().to_string(),
    };
    format!("{} {phrase}", c.attribute)
}

/// One scoping group in words: "users whose sAMAccountName equals jdoe and mail has a value".
pub fn scope_words(object_type: &str, g: &ScopeGroup) -> String {
    let conds: Vec<String> = g.conditions.iter().map(condition_words).collect();
    if conds.is_empty() {
        return format!("all {}", object_type_words(object_type));
    }
    format!("{} whose {}", object_type_words(object_type), conds.join(" and "))
}

/// One join group in words.
pub fn join_words(g: &JoinGroup) -> String {
    let conds: Vec<String> = g
        .conditions
        .iter()
        .map(|c| {
            format!(
                "the connector's {} equals the metaverse {}{}",
                c.cs_attribute,
                c.mv_attribute,
                if c.case_sensitive { " (case sensitive)" } else { "" }
            )
        })
        .collect();
    format!("join when {}", conds.join(" and "))
}

fn rule_view(r: &SyncRule) -> RuleView {
    // Inbound rules scope connector objects, outbound rules metaverse objects.
    let scoped = match r.direction {
        Direction::Outbound => r.mv_object_type(),
        _ => r.cs_object_type(),
    };
    let scope: Vec<String> = r.scope.iter().map(|g| scope_words(scoped, g)).collect();
    let scope_text = if scope.is_empty() { format!("all {}", object_type_words(scoped)) } else { scope.join("; or ") };
    let placement = match (&r.precedence_before, &r.precedence_after) {
        (Some(b), _) => Some(format!("placed before {b}")),
        (None, Some(a)) => Some(format!("placed after {a}")),
        _ => None,
    };
    RuleView {
        id: r.id.clone(),
        name: r.name.clone(),
        description: r.description.clone(),
        direction: r.direction,
        connector: r.connector_name.clone(),
        precedence: r.precedence,
        tag: r.immutable_tag.clone(),
        builtin: r.is_standard(),
        custom: r.is_custom(),
        disabled: r.disabled,
        fold: r.is_standard() && !r.disabled,
        cs_object_type: r.cs_object_type().to_string(),
        mv_object_type: r.mv_object_type().to_string(),
        link_type: r.link_type.clone(),
        placement,
        enable_password_sync: r.enable_password_sync,
        scope,
        scope_text,
        join: r.join.iter().filter(|g| !g.conditions.is_empty()).map(join_words).collect(),
        mappings: r
            .mappings
            .iter()
            .map(|m| MappingView {
                target: m.dest.clone(),
                source: m.source_text(),
                flow_type: m.flow_type,
                apply_once: m.execute_once,
                merge_type: m.merge_type.clone(),
                reads: m.source_attributes.clone(),
            })
            .collect(),
    }
}

fn partition_view(p: &Partition) -> PartitionView {
    let root = p.name.replace(' ', "").to_ascii_lowercase();
    let is_root = |x: &String| x.replace(' ', "").to_ascii_lowercase() == root;
    let scope = if !p.selected {
        "not synchronized".to_string()
    } else if p.inclusions.is_empty() {
        "no containers selected".to_string()
    } else if p.inclusions.iter().any(is_root) && p.exclusions.is_empty() {
        "the whole domain".to_string()
    } else {
        let inc: Vec<&str> = p.inclusions.iter().filter(|x| !is_root(x)).map(|s| s.as_str()).collect();
        let exc: Vec<&str> = p.exclusions.iter().filter(|x| !is_root(x)).map(|s| s.as_str()).collect();
        let mut s =
            if p.inclusions.iter().any(is_root) { "the whole domain".to_string() } else { format!("only {}", inc.join("; ")) };
        if !exc.is_empty() {
            s.push_str(&format!(", except {}", exc.join("; ")));
        }
        s
    };
    PartitionView {
        name: p.name.clone(),
        selected: p.selected,
        scope,
        inclusions: p.inclusions.clone(),
        exclusions: p.exclusions.clone(),
    }
}

// `u64::is_multiple_of` needs Rust 1.87; the workspace supports 1.85.
#[allow(clippy::manual_is_multiple_of)]
fn minutes_words(secs: u64) -> String {
    if secs % 3600 == 0 && secs >= 3600 {
        let h = secs / 3600;
        format!("every {h} hour{}", if h == 1 { "" } else { "s" })
    } else {
        format!("every {} minutes", secs / 60)
    }
}

fn highlights(cfg: &Config) -> Vec<SettingView> {
    let g = &cfg.global;
    let mut out = Vec::new();
    let mut add = |name: &str, label: &str, meaning: String| {
        if let Some(v) = g.get(name) {
            out.push(SettingView { name: name.into(), label: label.into(), value: v.into(), meaning });
        }
    };
    let flag = |v: Option<bool>, yes: &str, no: &str| match v {
        Some(true) => yes.to_string(),
        Some(false) => no.to_string(),
        None => "unknown".to_string(),
    };
    add(param::VERSION, "Entra Connect version", g.version().map(|v| v.to_string()).unwrap_or_else(|| "unknown".into()));
    add(
        param::STAGING_MODE,
        "Staging mode",
        flag(g.staging_mode(), "staging server: imports and synchronizes, never exports", "active (production) server"),
    );
    add(
        param::ANCHOR_ATTRIBUTE,
        "Source anchor",
        g.anchor_attribute().map(|a| format!("users are matched to Entra ID by {a}")).unwrap_or_default(),
    );
    add(param::TIME_INTERVAL, "Sync interval", g.time_interval_secs().map(minutes_words).unwrap_or_else(|| "unknown".into()));
    add(
        param::SCHEDULER_SUSPENDED,
        "Scheduler suspended",
        flag(g.scheduler_suspended(), "the scheduler is suspended: no cycles run", "the scheduler runs"),
    );
    add(param::SYNC_SCHEDULE, "Sync cycles", flag(g.sync_schedule(), "enabled", "disabled: no sync cycle runs"));
    add(param::PASSWORD_HASH_SYNC, "Password hash sync", flag(g.password_hash_sync(), "on", "off"));
    add(param::GROUP_FILTERING, "Group-based filtering", flag(g.group_filtering(), "on (pilot feature)", "off"));
    let threshold =
        g.deletion_threshold_value().map(|v| format!(" (more than {v} deletions stop the export)")).unwrap_or_default();
    add(
        param::DELETION_THRESHOLD,
        "Accidental-delete protection",
        flag(g.deletion_threshold_enabled(), &format!("on{threshold}"), "off"),
    );
    out
}

/// The view of one configuration. Rules whose connector file is missing are
/// shown under a connector named by their connector id.
pub fn view(cfg: &Config) -> ConfigView {
    let mut all: Vec<Connector> = cfg.connectors.clone();
    for r in &cfg.rules {
        if !all.iter().any(|c| c.name == r.connector_name) {
            all.push(Connector {
                id: r.connector_id.clone(),
                name: r.connector_name.clone(),
                category: "unknown (connector file missing)".into(),
                ..Connector::default()
            });
        }
    }
    let connectors = all
        .iter()
        .map(|c| {
            let mut rule_groups = Vec::new();
            for dir in [Direction::Inbound, Direction::Outbound, Direction::Unknown] {
                let mut rules: Vec<&SyncRule> =
                    cfg.rules.iter().filter(|r| r.direction == dir && r.connector_name == c.name).collect();
                if rules.is_empty() {
                    continue;
                }
                rules.sort_by_key(|r| (r.precedence.unwrap_or(u32::MAX), r.name.clone()));
                let rules: Vec<RuleView> = rules.into_iter().map(rule_view).collect();
                rule_groups.push(RuleGroupView {
                    direction: dir,
                    custom_count: rules.iter().filter(|r| r.custom).count(),
                    builtin_count: rules.iter().filter(|r| r.builtin).count(),
                    rules,
                });
            }
            ConnectorView {
                id: c.id.clone(),
                name: c.name.clone(),
                kind: c.kind,
                kind_label: match c.kind {
                    ConnectorKind::ActiveDirectory => "Active Directory".into(),
                    ConnectorKind::EntraId => "Microsoft Entra ID".into(),
                    ConnectorKind::Other => c.category.clone(),
                },
                partitions: c.partitions.iter().map(partition_view).collect(),
                object_types: c.object_types(),
                attribute_count: c.attributes.len(),
                group_filtering_dn: c.group_filtering_dn.clone(),
                password_hash_sync: c.password_hash_sync,
                run_profiles: c.run_profiles.iter().map(|r| r.name.clone()).collect(),
                rule_groups,
            }
        })
        .collect();
    ConfigView {
        label: cfg.label.clone(),
        source: cfg.source,
        server: cfg.server.clone(),
        export_date: cfg.export_date.clone(),
        version: cfg.global.version().map(|v| v.to_string()),
        staging: cfg.staging(),
        highlights: highlights(cfg),
        settings: cfg.global.values.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        connectors,
        rule_count: cfg.rules.len(),
        custom_rule_count: cfg.rules.iter().filter(|r| r.is_custom()).count(),
        builtin_rule_count: cfg.rules.iter().filter(|r| r.is_standard()).count(),
        disabled_rule_count: cfg.rules.iter().filter(|r| r.disabled).count(),
    }
}

/// What a rule does with the metaverse attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FlowRole {
    /// An inbound rule writes the attribute.
    Writes,
    /// A join rule matches on it.
    Joins,
    /// An outbound rule's scoping filter tests it.
    Scopes,
    /// An outbound rule reads it to write a connector attribute.
    Reads,
}

/// One rule touching a metaverse attribute.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlowStep {
    pub direction: Direction,
    pub role: FlowRole,
    pub rule_id: String,
    pub rule_name: String,
    pub connector: String,
    pub precedence: Option<u32>,
    pub builtin: bool,
    pub disabled: bool,
    pub cs_object_type: String,
    pub mv_object_type: String,
    /// The connector attribute(s): read (inbound) or written (outbound).
    pub cs_attributes: Vec<String>,
    pub mv_attribute: String,
    pub flow_type: Option<FlowType>,
    /// The mapping's expression, constant or source attributes.
    pub source: String,
    pub expression: Option<String>,
    pub apply_once: bool,
    /// The rule's scope in words.
    pub scope: String,
    /// The step in one sentence.
    pub summary: String,
}

/// Every rule that reads or writes the metaverse attribute `mv_attribute`
/// (case-insensitive): inbound rules first (what writes it, by precedence:
/// lower numbers win), then outbound rules (where it goes). Join and scoping
/// uses are included. Disabled rules are listed and flagged.
pub fn attribute_flow(cfg: &Config, mv_attribute: &str) -> Vec<FlowStep> {
    let is = |a: &str| a.trim().eq_ignore_ascii_case(mv_attribute.trim());
    let mut steps = Vec::new();
    for r in &cfg.rules {
        let rv = rule_view(r);
        let base = |role: FlowRole, cs: Vec<String>, m: Option<&Mapping>, summary: String| FlowStep {
            direction: r.direction,
            role,
            rule_id: r.id.clone(),
            rule_name: r.name.clone(),
            connector: r.connector_name.clone(),
            precedence: r.precedence,
            builtin: r.is_standard(),
            disabled: r.disabled,
            cs_object_type: r.cs_object_type().to_string(),
            mv_object_type: r.mv_object_type().to_string(),
            cs_attributes: cs,
            mv_attribute: mv_attribute.to_string(),
            flow_type: m.map(|m| m.flow_type),
            source: m.map(|m| m.source_text()).unwrap_or_default(),
            expression: m.and_then(|m| m.expression.clone()),
            apply_once: m.is_some_and(|m| m.execute_once),
            scope: rv.scope_text.clone(),
            summary,
        };
        match r.direction {
            Direction::Outbound => {
                for c in r.scope.iter().flat_map(|g| &g.conditions).filter(|c| is(&c.attribute)) {
                    steps.push(base(
                        FlowRole::Scopes,
                        Vec::new(),
                        None,
                        format!(
                            "\"{}\" applies to {} whose {}",
                            r.name,
                            object_type_words(r.mv_object_type()),
                            condition_words(c)
                        ),
                    ));
                }
                for m in r.mappings.iter().filter(|m| m.source_attributes.iter().any(|a| is(a))) {
                    let how = if m.flow_type == FlowType::Direct {
                        "copies it".to_string()
                    } else {
                        format!("computes it with {}", m.source_text())
                    };
                    steps.push(base(
                        FlowRole::Reads,
                        vec![m.dest.clone()],
                        Some(m),
                        format!("\"{}\" writes {}.{} to {}: {how}", r.name, r.cs_object_type(), m.dest, r.connector_name),
                    ));
                }
            }
            _ => {
                for m in r.mappings.iter().filter(|m| is(&m.dest)) {
                    let from = match m.flow_type {
                        FlowType::Direct => format!("{}.{}", r.cs_object_type(), m.source_attributes.join(", ")),
                        FlowType::Constant => format!("the constant {}", m.source_text()),
                        FlowType::Expression => format!("{} ({})", m.source_text(), r.cs_object_type()),
                    };
                    steps.push(base(
                        FlowRole::Writes,
                        m.source_attributes.clone(),
                        Some(m),
                        format!("\"{}\" from {} sets {}.{} from {from}", r.name, r.connector_name, r.mv_object_type(), m.dest),
                    ));
                }
            }
        }
        for c in r.join.iter().flat_map(|g| &g.conditions).filter(|c| is(&c.mv_attribute)) {
            steps.push(base(
                FlowRole::Joins,
                vec![c.cs_attribute.clone()],
                None,
                format!(
                    "\"{}\" joins {} on {} = metaverse {}",
                    r.name,
                    object_type_words(r.cs_object_type()),
                    c.cs_attribute,
                    c.mv_attribute
                ),
            ));
        }
    }
    let dir_order = |d: Direction| match d {
        Direction::Inbound => 0,
        Direction::Outbound => 1,
        Direction::Unknown => 2,
    };
    steps.sort_by(|a, b| {
        (dir_order(a.direction), a.precedence.unwrap_or(u32::MAX), &a.rule_name, a.role).cmp(&(
            dir_order(b.direction),
            b.precedence.unwrap_or(u32::MAX),
            &b.rule_name,
            b.role,
        ))
    });
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words() {
        let g = ScopeGroup {
            conditions: vec![ScopeCondition {
                attribute: "sAMAccountName".into(),
                operator: "EQUAL".into(),
                value: "jdoe".into(),
            }],
        };
        assert_eq!(scope_words("user", &g), "users whose sAMAccountName equals jdoe");
        let g = ScopeGroup {
            conditions: vec![
                ScopeCondition { attribute: "isCriticalSystemObject".into(), operator: "NOTEQUAL".into(), value: "TRUE".into() },
                ScopeCondition { attribute: "mailNickname".into(), operator: "ISNOTNULL".into(), value: String::new() },
            ],
        };
        assert_eq!(
            scope_words("inetOrgPerson", &g),
            "inetOrgPerson objects whose isCriticalSystemObject does not equal TRUE and mailNickname has a value"
        );
        assert_eq!(scope_words("group", &ScopeGroup { conditions: vec![] }), "all groups");
        let j = JoinGroup {
            conditions: vec![JoinCondition {
                cs_attribute: "sourceAnchor".into(),
                mv_attribute: "sourceAnchor".into(),
                case_sensitive: true,
            }],
        };
        assert_eq!(join_words(&j), "join when the connector's sourceAnchor equals the metaverse sourceAnchor (case sensitive)");
        assert_eq!(minutes_words(1800), "every 30 minutes");
        assert_eq!(minutes_words(10800), "every 3 hours");
    }
}
