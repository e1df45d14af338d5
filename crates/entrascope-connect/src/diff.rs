//! Comparing two configurations the way the Configuration Documenter does:
//! connectors matched by name, rules by connector name + rule name (never by
//! GUID: two servers' rule GUIDs differ when rules were created by hand).
//!
//! A field is compared only when both configurations know it: a Documenter
//! report has no rule placement (`precedence-before/after`) and no connector
//! password-hash-sync flag, a policy JSON no global settings; unknown is not
//! a difference.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::model::*;

/// One side of a comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiffSide {
    pub label: String,
    pub server: Option<String>,
    pub version: Option<String>,
    pub staging: Option<bool>,
    pub source: ConfigSource,
}

/// Whether an item exists only in A, only in B, or in both with differences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    /// Only in B.
    Added,
    /// Only in A.
    Removed,
    /// In both, with differing fields.
    Changed,
}

impl ChangeKind {
    fn mark(self) -> char {
        match self {
            ChangeKind::Added => '+',
            ChangeKind::Removed => '-',
            ChangeKind::Changed => '~',
        }
    }
}

/// A field's value on each side. For list fields (`kind` "set") `a` holds
/// the items only in A and `b` the items only in B.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub field: String,
    pub a: String,
    pub b: String,
    /// `value` or `set`.
    pub kind: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SettingChange {
    pub name: String,
    pub a: Option<String>,
    pub b: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConnectorChange {
    pub name: String,
    pub change: ChangeKind,
    pub fields: Vec<FieldChange>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleChange {
    pub connector: String,
    pub name: String,
    pub direction: Direction,
    pub change: ChangeKind,
    /// The rule's id in A / in B (absent when the side has no such rule or no id).
    pub a_id: Option<String>,
    pub b_id: Option<String>,
    /// Whether the rule is built-in (tag `Microsoft.*`) on the side(s) it exists.
    pub standard: bool,
    pub a_precedence: Option<u32>,
    pub b_precedence: Option<u32>,
    pub fields: Vec<FieldChange>,
}

/// The differences between configuration A and configuration B.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConfigDiff {
    pub a: DiffSide,
    pub b: DiffSide,
    /// `(A, B)` when the Connect versions differ.
    pub version: Option<(String, String)>,
    pub settings: Vec<SettingChange>,
    pub connectors: Vec<ConnectorChange>,
    pub rules: Vec<RuleChange>,
    /// What could not be compared and why.
    pub notes: Vec<String>,
}

impl ConfigDiff {
    pub fn is_empty(&self) -> bool {
        self.version.is_none() && self.settings.is_empty() && self.connectors.is_empty() && self.rules.is_empty()
    }

    /// One line per difference, for comparing diffs and for tests:
    /// `version`, `setting NAME`, `connector ± NAME`, `connector NAME: FIELD`,
    /// `rule ± CONNECTOR / NAME`, `rule CONNECTOR / NAME: FIELD`.
    pub fn keys(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.version.is_some() {
            out.push("version".to_string());
        }
        for s in &self.settings {
            out.push(format!("setting {}", s.name));
        }
        for c in &self.connectors {
            match c.change {
                ChangeKind::Changed => out.extend(c.fields.iter().map(|f| format!("connector {}: {}", c.name, f.field))),
                k => out.push(format!("connector {} {}", k.mark(), c.name)),
            }
        }
        for r in &self.rules {
            match r.change {
                ChangeKind::Changed => {
                    out.extend(r.fields.iter().map(|f| format!("rule {} / {}: {}", r.connector, r.name, f.field)))
                }
                k => out.push(format!("rule {} {} / {}", k.mark(), r.connector, r.name)),
            }
        }
        out
    }
}

fn side(c: &Config) -> DiffSide {
    DiffSide {
        label: c.label.clone(),
        server: c.server.clone(),
        version: c.global.version().map(|v| v.to_string()),
        staging: c.staging(),
        source: c.source,
    }
}

fn value(field: &str, a: impl ToString, b: impl ToString, out: &mut Vec<FieldChange>) {
    let (a, b) = (a.to_string(), b.to_string());
    if a != b {
        out.push(FieldChange { field: field.to_string(), a, b, kind: "value" });
    }
}

/// Compares two lists as sets (case-insensitive).
fn set(field: &str, a: &[String], b: &[String], out: &mut Vec<FieldChange>) {
    let la: BTreeSet<String> = a.iter().map(|s| s.trim().to_ascii_lowercase()).collect();
    let lb: BTreeSet<String> = b.iter().map(|s| s.trim().to_ascii_lowercase()).collect();
    let only = |x: &[String], other: &BTreeSet<String>| -> Vec<String> {
        let mut v: Vec<String> = x.iter().filter(|s| !other.contains(&s.trim().to_ascii_lowercase())).cloned().collect();
        v.sort();
        v.dedup();
        v
    };
    let (oa, ob) = (only(a, &lb), only(b, &la));
    if !oa.is_empty() || !ob.is_empty() {
        out.push(FieldChange { field: field.to_string(), a: oa.join("; "), b: ob.join("; "), kind: "set" });
    }
}

/// Scope groups as comparable text: conditions sorted within a group, groups sorted.
pub fn scope_text(groups: &[ScopeGroup]) -> String {
    let mut gs: Vec<String> = groups
        .iter()
        .map(|g| {
            let mut cs: Vec<String> =
                g.conditions.iter().map(|c| format!("{} {} {}", c.attribute, c.operator, c.value).trim().to_string()).collect();
            cs.sort();
            cs.join(" AND ")
        })
        .filter(|g| !g.is_empty())
        .collect();
    gs.sort();
    gs.join(" | ")
}

/// Join groups as comparable text, in order (the order matters: first match wins).
pub fn join_text(groups: &[JoinGroup]) -> String {
    groups
        .iter()
        .map(|g| {
            g.conditions
                .iter()
                .map(|c| {
                    format!("{} = {}{}", c.cs_attribute, c.mv_attribute, if c.case_sensitive { " (case sensitive)" } else { "" })
                })
                .collect::<Vec<_>>()
                .join(" AND ")
        })
        .filter(|g| !g.is_empty())
        .collect::<Vec<_>>()
        .join(" | ")
}

/// A mapping as comparable text.
pub fn mapping_text(m: &Mapping) -> String {
    let mut s = format!("{}: {}", m.flow_type.as_str(), m.source_text());
    if m.execute_once {
        s.push_str(" [apply once]");
    }
    if !m.merge_type.is_empty() && m.merge_type != "Update" {
        s.push_str(&format!(" [{}]", m.merge_type));
    }
    s
}

fn key(s: &str) -> String {
    s.trim().to_ascii_lowercase()
}

fn both_exports(a: &Config, b: &Config) -> bool {
    a.source == ConfigSource::Export && b.source == ConfigSource::Export
}

fn diff_rule(ra: &SyncRule, rb: &SyncRule, placement: bool) -> Vec<FieldChange> {
    let mut out = Vec::new();
    value("description", &ra.description, &rb.description, &mut out);
    value("direction", ra.direction.as_str(), rb.direction.as_str(), &mut out);
    value(
        "precedence",
        ra.precedence.map(|p| p.to_string()).unwrap_or_default(),
        rb.precedence.map(|p| p.to_string()).unwrap_or_default(),
        &mut out,
    );
    value("disabled", ra.disabled, rb.disabled, &mut out);
    value("immutable tag", &ra.immutable_tag, &rb.immutable_tag, &mut out);
    value("link type", &ra.link_type, &rb.link_type, &mut out);
    value("connector object type", ra.cs_object_type(), rb.cs_object_type(), &mut out);
    value("metaverse object type", ra.mv_object_type(), rb.mv_object_type(), &mut out);
    value("enable password sync", ra.enable_password_sync, rb.enable_password_sync, &mut out);
    if !ra.soft_delete_expiry.is_empty() && !rb.soft_delete_expiry.is_empty() {
        value("soft delete expiry", &ra.soft_delete_expiry, &rb.soft_delete_expiry, &mut out);
    }
    if placement {
        value(
            "precedence before",
            ra.precedence_before.clone().unwrap_or_default(),
            rb.precedence_before.clone().unwrap_or_default(),
            &mut out,
        );
        value(
            "precedence after",
            ra.precedence_after.clone().unwrap_or_default(),
            rb.precedence_after.clone().unwrap_or_default(),
            &mut out,
        );
    }
    value("scope", scope_text(&ra.scope), scope_text(&rb.scope), &mut out);
    value("join", join_text(&ra.join), join_text(&rb.join), &mut out);
    let by_dest = |r: &SyncRule| {
        let mut m: BTreeMap<String, (String, Vec<String>)> = BTreeMap::new();
        for x in &r.mappings {
            let e = m.entry(key(&x.dest)).or_insert_with(|| (x.dest.clone(), Vec::new()));
            e.1.push(mapping_text(x));
        }
        m
    };
    let (ma, mb) = (by_dest(ra), by_dest(rb));
    let dests: BTreeSet<&String> = ma.keys().chain(mb.keys()).collect();
    for d in dests {
        let (name, ta) = ma.get(d).map(|(n, v)| (n.clone(), v.join(" || "))).unwrap_or_default();
        let (name_b, tb) = mb.get(d).map(|(n, v)| (n.clone(), v.join(" || "))).unwrap_or_default();
        let shown = if name.is_empty() { name_b } else { name };
        value(&format!("mapping {shown}"), ta, tb, &mut out);
    }
    out
}

fn diff_connector(ca: &Connector, cb: &Connector) -> Vec<FieldChange> {
    let mut out = Vec::new();
    value("type", &ca.category, &cb.category, &mut out);
    if let (Some(a), Some(b)) = (ca.password_hash_sync, cb.password_hash_sync) {
        value("password hash sync", a, b, &mut out);
    }
    value(
        "group filtering group",
        ca.group_filtering_dn.clone().unwrap_or_default(),
        cb.group_filtering_dn.clone().unwrap_or_default(),
        &mut out,
    );
    set("object types", &ca.object_types(), &cb.object_types(), &mut out);
    if !ca.attributes.is_empty() || !cb.attributes.is_empty() {
        set("attributes", &ca.attributes, &cb.attributes, &mut out);
    }
    let pa: BTreeMap<String, &Partition> = ca.partitions.iter().map(|p| (key(&p.name), p)).collect();
    let pb: BTreeMap<String, &Partition> = cb.partitions.iter().map(|p| (key(&p.name), p)).collect();
    let names: BTreeSet<&String> = pa.keys().chain(pb.keys()).collect();
    for n in names {
        match (pa.get(n), pb.get(n)) {
            (Some(a), Some(b)) => {
                value(&format!("partition {}: selected", a.name), a.selected, b.selected, &mut out);
                set(&format!("partition {}: inclusions", a.name), &a.inclusions, &b.inclusions, &mut out);
                set(&format!("partition {}: exclusions", a.name), &a.exclusions, &b.exclusions, &mut out);
            }
            (Some(a), None) if a.selected => value(&format!("partition {}", a.name), "selected", "absent", &mut out),
            (None, Some(b)) if b.selected => value(&format!("partition {}", b.name), "absent", "selected", &mut out),
            _ => {}
        }
    }
    out
}

/// Rules keyed by (connector name, rule name), lowercase.
fn rules_by_key(c: &Config) -> BTreeMap<(String, String), Vec<&SyncRule>> {
    let mut m: BTreeMap<(String, String), Vec<&SyncRule>> = BTreeMap::new();
    for r in &c.rules {
        m.entry((key(&r.connector_name), key(&r.name))).or_default().push(r);
    }
    m
}

/// Compares configuration A with configuration B.
pub fn diff(a: &Config, b: &Config) -> ConfigDiff {
    let mut notes = Vec::new();
    let version = match (a.global.version(), b.global.version()) {
        (Some(va), Some(vb)) if va != vb => Some((va.to_string(), vb.to_string())),
        _ => None,
    };
    let mut settings = Vec::new();
    if a.global.present && b.global.present {
        let names: BTreeSet<&String> = a.global.values.keys().chain(b.global.values.keys()).collect();
        for n in names {
            if n == param::VERSION {
                continue;
            }
            let (va, vb) = (a.global.values.get(n), b.global.values.get(n));
            if va != vb {
                settings.push(SettingChange { name: n.clone(), a: va.cloned(), b: vb.cloned() });
            }
        }
    } else {
        for (c, side) in [(a, "A"), (b, "B")] {
            if !c.global.present {
                notes.push(format!("{side} ({}) has no global settings (no MV.xml): settings not compared", c.label));
            }
        }
    }

    let ca: BTreeMap<String, &Connector> = a.connectors.iter().map(|c| (key(&c.name), c)).collect();
    let cb: BTreeMap<String, &Connector> = b.connectors.iter().map(|c| (key(&c.name), c)).collect();
    let mut connectors = Vec::new();
    for n in ca.keys().chain(cb.keys()).collect::<BTreeSet<_>>() {
        match (ca.get(n), cb.get(n)) {
            (Some(x), Some(y)) => {
                let fields = diff_connector(x, y);
                if !fields.is_empty() {
                    connectors.push(ConnectorChange { name: x.name.clone(), change: ChangeKind::Changed, fields });
                }
            }
            (Some(x), None) => {
                connectors.push(ConnectorChange { name: x.name.clone(), change: ChangeKind::Removed, fields: Vec::new() })
            }
            (None, Some(y)) => {
                connectors.push(ConnectorChange { name: y.name.clone(), change: ChangeKind::Added, fields: Vec::new() })
            }
            (None, None) => {}
        }
    }

    let placement = both_exports(a, b);
    let (ra, rb) = (rules_by_key(a), rules_by_key(b));
    let mut rules = Vec::new();
    for k in ra.keys().chain(rb.keys()).collect::<BTreeSet<_>>() {
        let xs = ra.get(k).map(|v| v.as_slice()).unwrap_or(&[]);
        let ys = rb.get(k).map(|v| v.as_slice()).unwrap_or(&[]);
        if xs.len() > 1 || ys.len() > 1 {
            notes.push(format!("several rules named \"{}\" on {}: paired in file order", k.1, k.0));
        }
        for i in 0..xs.len().max(ys.len()) {
            let (x, y) = (xs.get(i).copied(), ys.get(i).copied());
            let id = |r: Option<&SyncRule>| r.map(|r| r.id.clone()).filter(|s| !s.is_empty());
            let Some(any) = x.or(y) else { continue };
            let (change, fields) = match (x, y) {
                (Some(x), Some(y)) => {
                    let f = diff_rule(x, y, placement);
                    if f.is_empty() {
                        continue;
                    }
                    (ChangeKind::Changed, f)
                }
                (Some(_), None) => (ChangeKind::Removed, Vec::new()),
                _ => (ChangeKind::Added, Vec::new()),
            };
            rules.push(RuleChange {
                connector: any.connector_name.clone(),
                name: any.name.clone(),
                direction: any.direction,
                change,
                a_id: id(x),
                b_id: id(y),
                standard: x.map(|r| r.is_standard()).unwrap_or(false) || y.map(|r| r.is_standard()).unwrap_or(false),
                a_precedence: x.and_then(|r| r.precedence),
                b_precedence: y.and_then(|r| r.precedence),
                fields,
            });
        }
    }
    ConfigDiff { a: side(a), b: side(b), version, settings, connectors, rules, notes }
}

fn describe(s: &DiffSide) -> String {
    let mut parts = Vec::new();
    parts.push(match s.staging {
        Some(true) => "staging".to_string(),
        Some(false) => "production".to_string(),
        None => "mode unknown".to_string(),
    });
    if let Some(v) = &s.version {
        parts.push(v.clone());
    }
    format!("{} [{}]", s.label, parts.join(", "))
}

fn show(v: &str) -> &str {
    if v.is_empty() {
        "(empty)"
    } else {
        v
    }
}

/// The diff as plain text for a terminal (`entrascope diff A B`).
pub fn render_diff_text(d: &ConfigDiff) -> String {
    let mut o = String::new();
    o.push_str(&format!("A: {}\nB: {}\n", describe(&d.a), describe(&d.b)));
    if d.is_empty() {
        o.push_str("\nNo differences.\n");
    }
    if let Some((a, b)) = &d.version {
        o.push_str(&format!("\nVersion: {a} -> {b}\n"));
    }
    if !d.settings.is_empty() {
        o.push_str(&format!("\nGlobal settings ({} differ):\n", d.settings.len()));
        for s in &d.settings {
            o.push_str(&format!(
                "  ~ {}: {} -> {}\n",
                s.name,
                s.a.as_deref().map(show).unwrap_or("(absent)"),
                s.b.as_deref().map(show).unwrap_or("(absent)")
            ));
        }
    }
    if !d.connectors.is_empty() {
        o.push_str(&format!("\nConnectors ({} differ):\n", d.connectors.len()));
        for c in &d.connectors {
            match c.change {
                ChangeKind::Added => o.push_str(&format!("  + {} (only in B)\n", c.name)),
                ChangeKind::Removed => o.push_str(&format!("  - {} (only in A)\n", c.name)),
                ChangeKind::Changed => {
                    o.push_str(&format!("  ~ {}\n", c.name));
                    render_fields(&c.fields, &mut o);
                }
            }
        }
    }
    if !d.rules.is_empty() {
        o.push_str(&format!("\nSync rules ({} differ):\n", d.rules.len()));
        for r in &d.rules {
            let kind = if r.standard { "built-in" } else { "custom" };
            let prec = r.b_precedence.or(r.a_precedence).map(|p| format!(", precedence {p}")).unwrap_or_default();
            let head = format!("{} / {} / {} ({kind}{prec})", r.connector, r.direction.as_str(), r.name);
            match r.change {
                ChangeKind::Added => o.push_str(&format!("  + {head}: only in B\n")),
                ChangeKind::Removed => o.push_str(&format!("  - {head}: only in A\n")),
                ChangeKind::Changed => {
                    o.push_str(&format!("  ~ {head}\n"));
                    render_fields(&r.fields, &mut o);
                }
            }
        }
    }
    for n in &d.notes {
        o.push_str(&format!("\nNote: {n}\n"));
    }
    o
}

fn render_fields(fields: &[FieldChange], o: &mut String) {
    for f in fields {
        if f.kind == "set" {
            if !f.a.is_empty() {
                o.push_str(&format!("      {}: only in A: {}\n", f.field, f.a));
            }
            if !f.b.is_empty() {
                o.push_str(&format!("      {}: only in B: {}\n", f.field, f.b));
            }
        } else {
            o.push_str(&format!("      {}: {} -> {}\n", f.field, show(&f.a), show(&f.b)));
        }
    }
}
