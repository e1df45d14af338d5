//! AADConnectConfigDocumenter HTML reports.
//!
//! A report compares a target ("Pilot") configuration with a reference
//! ("Production") one. Every table row and cell carries a state class:
//! `Unchanged`, `Added` (only in the target), `Deleted` (only in the
//! reference) or `Modified`, where a changed value is written as
//! `<span class="Deleted">OLD</span><span class="Modified">NEW</span>`. This
//! reader reads each mark as the change it states and rebuilds both
//! configurations: [`DocumenterReport::target`] from the new values and
//! [`DocumenterReport::reference`] from the old ones. Rowspans are expanded.
//!
//! Sections read: the header (versions, configuration names), Global
//! Settings, and per connector: Properties, Connector Parameters, Partitions
//! (container inclusions/exclusions), Selected Object Types, Selected
//! Attributes, Synchronization Rules (description, scoping filter, join rules,
//! transformations) and Run Profiles. The Metaverse, End-to-End flow and
//! rule-summary sections are views derived from the rules; their marks are
//! kept in [`DocumenterReport::changes`] but not read into the model.
//!
//! What a report cannot tell (so the rebuilt configurations lack it):
//! - rule GUIDs, except for rules whose change the report scripts (the
//!   embedded PowerShell gives `$syncRuleId`); connector GUIDs;
//! - `precedence-before`/`precedence-after`, internal ids and rule versions;
//! - a connector's `password-hash-sync-config` flag (only the global
//!   `PasswordHashSync` setting is shown) and its unselected partitions
//!   (the report lists selected partitions only);
//! - the object types per partition (one connector-wide list is shown; it
//!   is given to every partition);
//! - MV.xml's server name and export date (the labels are the folder names
//!   the Documenter was given, e.g. `Contoso\Production`);
//! - the source attributes of an expression beyond the `[attr]` references in it.

pub mod html;

use std::collections::BTreeMap;

use serde::Serialize;

use self::html::{Tok, Tokenizer};
use crate::model::*;
use crate::problem::{decode_reporting, Parsed, Problem};
use crate::text::{parse_bool, LineCounter};

/// The state a report marks a row, cell or span with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mark {
    Unchanged,
    /// Only in the target (pilot) configuration.
    Added,
    Modified,
    /// Only in the reference (production) configuration.
    Deleted,
}

impl Mark {
    fn from_class(class: &str) -> Option<Mark> {
        class.split_whitespace().find_map(|c| match c {
            "Unchanged" => Some(Mark::Unchanged),
            "Added" => Some(Mark::Added),
            "Modified" => Some(Mark::Modified),
            "Deleted" => Some(Mark::Deleted),
            _ => None,
        })
    }
}

/// A cell as the report states it: its value in the reference (`old`) and in the target (`new`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MarkedCell {
    pub old: String,
    pub new: String,
}

/// One row the report marks as added, modified or deleted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MarkedChange {
    /// The heading path, e.g. `contoso.com Connector Configuration > Synchronization Rules > Inbound > In from AD - User Lync`.
    pub section: String,
    /// The table's title or its column headers.
    pub table: String,
    pub mark: Mark,
    /// 1-based line of the row in the report.
    pub line: u64,
    pub cells: Vec<MarkedCell>,
}

/// A Configuration Documenter report: both configurations it compares and
/// the differences it marks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumenterReport {
    pub path: String,
    pub tool_version: Option<String>,
    pub report_date: Option<String>,
    /// The target / pilot configuration (the Documenter's first argument).
    pub target: Config,
    /// The reference / production configuration (the second argument).
    pub reference: Config,
    /// Every row marked Added, Modified or Deleted, and every rule the table
    /// of contents marks as added or deleted (`table` = "rule").
    pub changes: Vec<MarkedChange>,
}

#[derive(Debug, Clone)]
struct Cell {
    mark: Option<Mark>,
    segs: Vec<(Option<Mark>, String)>,
    rowspan: usize,
    colspan: usize,
}

impl Cell {
    /// The cell's value in the reference (`old`) and in the target (`new`):
    /// a `Deleted` span is the old value, an `Added` span (or a `Modified`
    /// span next to a `Deleted` one) the new value, other text both. A cell
    /// without spans marked `Added` has no old value, one marked `Deleted` no new value.
    fn values(&self) -> MarkedCell {
        let has_deleted = self.segs.iter().any(|(m, _)| *m == Some(Mark::Deleted));
        let has_spans = self.segs.iter().any(|(m, _)| m.is_some());
        let mut old = String::new();
        let mut new = String::new();
        for (m, t) in &self.segs {
            match m {
                Some(Mark::Deleted) => old.push_str(t),
                Some(Mark::Added) => new.push_str(t),
                Some(Mark::Modified) if has_deleted => new.push_str(t),
                _ => {
                    old.push_str(t);
                    new.push_str(t);
                }
            }
        }
        let (mut old, mut new) = (old.trim().to_string(), new.trim().to_string());
        if !has_spans {
            match self.mark {
                Some(Mark::Added) => old.clear(),
                Some(Mark::Deleted) => new.clear(),
                _ => {}
            }
        }
        MarkedCell { old, new }
    }
}

#[derive(Debug, Clone)]
struct Row {
    mark: Mark,
    line: u64,
    cells: Vec<MarkedCell>,
}

#[derive(Debug, Default)]
struct Table {
    title: Option<String>,
    headers: Vec<String>,
    rows: Vec<Row>,
}

impl Table {
    fn label(&self) -> String {
        self.title.clone().unwrap_or_else(|| self.headers.join(" | "))
    }
}

/// Builds a table from rows of cells, expanding rowspans and colspans.
#[derive(Default)]
struct TableBuilder {
    head_rows: Vec<Vec<Cell>>,
    body: Vec<(Mark, u64, Vec<Cell>)>,
    row: Option<(Mark, u64, Vec<Cell>, bool)>,
    cell: Option<Cell>,
    spans: Vec<Option<Mark>>,
    in_head: bool,
}

impl TableBuilder {
    fn finish(self) -> Table {
        let headers: Vec<String> = self.head_rows.last().map(|r| r.iter().map(|c| c.values().new).collect()).unwrap_or_default();
        let title = match self.head_rows.first() {
            Some(first) if self.head_rows.len() > 1 && first.len() == 1 => Some(first[0].values().new),
            _ => None,
        };
        // Rowspan expansion: cells carried down with their remaining rows.
        let mut carry: Vec<Option<(MarkedCell, usize)>> = Vec::new();
        let mut rows = Vec::new();
        for (mark, line, cells) in self.body {
            let mut out: Vec<MarkedCell> = Vec::new();
            let mut it = cells.into_iter();
            let mut col = 0;
            loop {
                if let Some(Some((v, left))) = carry.get_mut(col) {
                    out.push(v.clone());
                    *left -= 1;
                    if *left == 0 {
                        carry[col] = None;
                    }
                    col += 1;
                    continue;
                }
                let Some(c) = it.next() else { break };
                let v = c.values();
                for _ in 0..c.colspan.clamp(1, 64) {
                    if carry.len() <= col {
                        carry.resize(col + 1, None);
                    }
                    if c.rowspan > 1 {
                        carry[col] = Some((v.clone(), c.rowspan.min(100_000) - 1));
                    }
                    out.push(v.clone());
                    col += 1;
                }
            }
            rows.push(Row { mark, line, cells: out });
        }
        Table { title, headers, rows }
    }
}

fn attr<'a>(attrs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// The value of column `i` on one side.
fn col(cells: &[MarkedCell], i: usize, target: bool) -> String {
    cells.get(i).map(|c| if target { c.new.clone() } else { c.old.clone() }).unwrap_or_default()
}

/// The sides a row exists on: (target, reference).
fn row_sides(mark: Mark) -> [(bool, bool); 2] {
    [(true, mark != Mark::Deleted), (false, mark != Mark::Added)]
}

fn is_placeholder(cells: &[MarkedCell], target: bool) -> bool {
    (0..cells.len()).all(|i| {
        let v = col(cells, i, target);
        v.is_empty() || v == "-"
    })
}

#[derive(Default)]
struct Heading {
    text: String,
    class: String,
}

struct State {
    target: Config,
    reference: Config,
    changes: Vec<MarkedChange>,
    /// Rule ids from the embedded script: (connector, rule name) lowercase → id.
    script_ids: BTreeMap<(String, String), String>,
}

fn connector_mut<'a>(cfg: &'a mut Config, name: &str, path: &str) -> &'a mut Connector {
    if let Some(i) = cfg.connectors.iter().position(|c| c.name.eq_ignore_ascii_case(name)) {
        return &mut cfg.connectors[i];
    }
    cfg.connectors.push(Connector { name: name.to_string(), origin: Origin::at(path, 0), ..Connector::default() });
    let last = cfg.connectors.len() - 1;
    &mut cfg.connectors[last]
}

fn rule_mut<'a>(cfg: &'a mut Config, conn: &str, direction: Direction, name: &str, path: &str, line: u64) -> &'a mut SyncRule {
    if let Some(i) =
        cfg.rules.iter().position(|r| r.connector_name.eq_ignore_ascii_case(conn) && r.direction == direction && r.name == name)
    {
        return &mut cfg.rules[i];
    }
    cfg.rules.push(SyncRule {
        name: name.to_string(),
        direction,
        connector_name: conn.to_string(),
        origin: Origin::at(path, line),
        ..SyncRule::default()
    });
    let last = cfg.rules.len() - 1;
    &mut cfg.rules[last]
}

fn yes(s: &str) -> bool {
    parse_bool(s).unwrap_or(false)
}

impl State {
    fn side(&mut self, target: bool) -> &mut Config {
        if target {
            &mut self.target
        } else {
            &mut self.reference
        }
    }

    fn dispatch(&mut self, t: Table, heads: &[Heading; 6], path: &str, problems: &mut Vec<Problem>) {
        let section: Vec<&str> = heads[2..].iter().map(|h| h.text.as_str()).filter(|s| !s.is_empty()).collect();
        let section = section.join(" > ");
        for r in &t.rows {
            if r.mark != Mark::Unchanged {
                self.changes.push(MarkedChange {
                    section: section.clone(),
                    table: t.label(),
                    mark: r.mark,
                    line: r.line,
                    cells: r.cells.clone(),
                });
            }
        }
        let (h2, h3, h4, h5) = (heads[2].text.as_str(), heads[3].text.as_str(), heads[4].text.as_str(), heads[5].text.as_str());
        if h2 == "Global Settings" {
            for r in &t.rows {
                for (target, exists) in row_sides(r.mark) {
                    let (k, v) = (col(&r.cells, 0, target), col(&r.cells, 1, target));
                    if exists && !k.is_empty() {
                        let cfg = self.side(target);
                        cfg.global.values.insert(k.clone(), v);
                        cfg.global.origins.insert(k, Origin { input: u32::MAX, path: path.to_string(), line: r.line });
                    }
                }
            }
            return;
        }
        let Some(conn) = h2.strip_suffix(" Connector Configuration") else { return };
        let conn_sides = [(true, heads[2].class != "toc-Deleted"), (false, heads[2].class != "toc-Added")];
        for (target, exists) in conn_sides {
            if exists {
                connector_mut(self.side(target), conn, path);
            }
        }
        let header = |i: usize| t.headers.get(i).map(|s| s.as_str()).unwrap_or("");
        match h3 {
            "Properties" => {
                for r in &t.rows {
                    for (target, exists) in row_sides(r.mark) {
                        if !exists || !conn_sides.iter().any(|(s, e)| *s == target && *e) {
                            continue;
                        }
                        let (k, v) = (col(&r.cells, 0, target), col(&r.cells, 1, target));
                        let c = connector_mut(self.side(target), conn, path);
                        match k.as_str() {
                            "Connector Type" => c.category = v,
                            "Sub Type" => c.subtype = v,
                            "Description" => c.description = v,
                            _ => {}
                        }
                        c.kind = if c.category.eq_ignore_ascii_case("AD") {
                            ConnectorKind::ActiveDirectory
                        } else if c.subtype.to_ascii_lowercase().contains("azure active directory")
                            || c.subtype.to_ascii_lowercase().contains("entra")
                        {
                            ConnectorKind::EntraId
                        } else {
                            ConnectorKind::Other
                        };
                    }
                }
            }
            _ if t.title.as_deref() == Some("Connector Parameters") => {
                for r in &t.rows {
                    for (target, exists) in row_sides(r.mark) {
                        if exists {
                            let (k, v) = (col(&r.cells, 0, target), col(&r.cells, 1, target));
                            let c = connector_mut(self.side(target), conn, path);
                            if k == param::GROUP_FILTERING_GROUP_DN {
                                c.group_filtering_dn = Some(v.clone()).filter(|v| !v.trim().is_empty());
                            }
                            c.parameters.insert(k, v);
                        }
                    }
                }
            }
            "Partitions Information" if header(0) == "Container" => {
                let Some(dn) = h4.strip_prefix("Partition: ") else { return };
                for target in [true, false] {
                    let mut inc = Vec::new();
                    let mut exc = Vec::new();
                    for r in &t.rows {
                        if row_sides(r.mark).iter().any(|(s, e)| *s == target && *e) {
                            let (c, how) = (col(&r.cells, 0, target), col(&r.cells, 1, target));
                            match how.as_str() {
                                "Include" => inc.push(c),
                                "Exclude" => exc.push(c),
                                _ => {}
                            }
                        }
                    }
                    let c = connector_mut(self.side(target), conn, path);
                    let types = c.partitions.first().map(|p| p.object_classes.clone()).unwrap_or_default();
                    match c.partitions.iter_mut().find(|p| p.name.eq_ignore_ascii_case(dn)) {
                        Some(p) => {
                            p.inclusions = inc;
                            p.exclusions = exc;
                        }
                        None => c.partitions.push(Partition {
                            id: String::new(),
                            name: dn.to_string(),
                            display_name: String::new(),
                            selected: true,
                            object_classes: types,
                            inclusions: inc,
                            exclusions: exc,
                            line: t.rows.first().map(|r| r.line).unwrap_or(0),
                        }),
                    }
                }
            }
            "Selected Object Types" => {
                for target in [true, false] {
                    let types: Vec<String> = t
                        .rows
                        .iter()
                        .filter(|r| row_sides(r.mark).iter().any(|(s, e)| *s == target && *e))
                        .map(|r| col(&r.cells, 0, target))
                        .filter(|s| !s.is_empty())
                        .collect();
                    let c = connector_mut(self.side(target), conn, path);
                    if c.partitions.is_empty() {
                        // The AAD connector has no Partitions section: one "default" partition.
                        c.partitions.push(Partition {
                            id: String::new(),
                            name: "default".into(),
                            display_name: String::new(),
                            selected: true,
                            object_classes: Vec::new(),
                            inclusions: Vec::new(),
                            exclusions: Vec::new(),
                            line: 0,
                        });
                    }
                    for p in &mut c.partitions {
                        p.object_classes = types.clone();
                    }
                }
            }
            "Selected Attributes" if header(0) == "Attribute Name" => {
                for target in [true, false] {
                    let attrs: Vec<String> = t
                        .rows
                        .iter()
                        .filter(|r| row_sides(r.mark).iter().any(|(s, e)| *s == target && *e))
                        .map(|r| col(&r.cells, 0, target))
                        .filter(|s| !s.is_empty())
                        .collect();
                    connector_mut(self.side(target), conn, path).attributes = attrs;
                }
            }
            "Synchronization Rules" if !h5.is_empty() => {
                let direction = Direction::parse(h4);
                let rule_sides = [(true, heads[5].class != "toc-Deleted"), (false, heads[5].class != "toc-Added")];
                let line = t.rows.first().map(|r| r.line).unwrap_or(0);
                for (target, exists) in rule_sides {
                    if !exists {
                        continue;
                    }
                    let rows: Vec<&Row> =
                        t.rows.iter().filter(|r| row_sides(r.mark).iter().any(|(s, e)| *s == target && *e)).collect();
                    let r = rule_mut(self.side(target), conn, direction, h5, path, line);
                    match t.title.as_deref() {
                        Some("Description") => describe_rule(r, &rows, target, problems, path),
                        Some("Scoping Filter") => r.scope = scope_groups(&rows, target),
                        Some("Join Rules") => r.join = join_groups(&rows, target, direction),
                        Some("Transformations") => r.mappings = mappings(&rows, target),
                        _ => {}
                    }
                }
            }
            "Run Profiles" => {
                let Some(name) = h4.strip_prefix("Run Profile: ") else { return };
                for target in [true, false] {
                    let mut steps: Vec<RunStep> = Vec::new();
                    let mut last_step = String::new();
                    for r in t.rows.iter().filter(|r| row_sides(r.mark).iter().any(|(s, e)| *s == target && *e)) {
                        let (no, step, setting, value) = (
                            col(&r.cells, 0, target),
                            col(&r.cells, 1, target),
                            col(&r.cells, 2, target),
                            col(&r.cells, 3, target),
                        );
                        if no != last_step {
                            steps.push(RunStep { step_type: step, subtype: String::new(), partition: String::new() });
                            last_step = no;
                        }
                        if setting == "Partition" {
                            if let Some(s) = steps.last_mut() {
                                s.partition = value;
                            }
                        }
                    }
                    connector_mut(self.side(target), conn, path).run_profiles.push(RunProfile {
                        id: String::new(),
                        name: name.to_string(),
                        steps,
                    });
                }
            }
            _ => {}
        }
    }
}

fn describe_rule(r: &mut SyncRule, rows: &[&Row], target: bool, problems: &mut Vec<Problem>, path: &str) {
    let mut cs_type = String::new();
    let mut mv_type = String::new();
    for row in rows {
        let (k, v) = (col(&row.cells, 0, target), col(&row.cells, 1, target));
        match k.as_str() {
            "Description" => r.description = v,
            "Direction" => {
                let d = Direction::parse(&v);
                if d != Direction::Unknown {
                    r.direction = d;
                }
            }
            "Connected System Object Type" => cs_type = v,
            "Metaverse Object Type" => mv_type = v,
            "Link Type" => r.link_type = v,
            "Precedence" => {
                r.precedence = v.trim().parse().ok();
                if r.precedence.is_none() && !v.trim().is_empty() {
                    problems.push(Problem::warning(
                        path,
                        row.line,
                        format!("rule \"{}\": precedence {v:?} is not a number", r.name),
                    ));
                }
            }
            "Soft Delete Expiry Interval" => r.soft_delete_expiry = v,
            "Tag" => r.immutable_tag = v,
            "Enable Password Sync" => r.enable_password_sync = yes(&v),
            "Disabled" => r.disabled = yes(&v),
            _ => {}
        }
    }
    let (src, dst) = if r.direction == Direction::Outbound { (mv_type, cs_type) } else { (cs_type, mv_type) };
    r.source_object_type = src;
    r.target_object_type = dst;
}

/// Groups rows by their `Group#` column, in order of first appearance.
fn grouped<'a>(rows: &[&'a Row], target: bool) -> Vec<Vec<&'a Row>> {
    let mut order: Vec<String> = Vec::new();
    let mut groups: BTreeMap<String, Vec<&Row>> = BTreeMap::new();
    for r in rows {
        if is_placeholder(&r.cells, target) {
            continue;
        }
        let g = col(&r.cells, 0, target);
        if !order.contains(&g) {
            order.push(g.clone());
        }
        groups.entry(g).or_default().push(r);
    }
    order.into_iter().filter_map(|g| groups.remove(&g)).collect()
}

fn scope_groups(rows: &[&Row], target: bool) -> Vec<ScopeGroup> {
    grouped(rows, target)
        .into_iter()
        .map(|g| ScopeGroup {
            conditions: g
                .iter()
                .map(|r| ScopeCondition {
                    attribute: col(&r.cells, 1, target),
                    operator: col(&r.cells, 2, target).to_ascii_uppercase(),
                    value: col(&r.cells, 3, target),
                })
                .collect(),
        })
        .collect()
}

fn join_groups(rows: &[&Row], target: bool, direction: Direction) -> Vec<JoinGroup> {
    grouped(rows, target)
        .into_iter()
        .map(|g| JoinGroup {
            conditions: g
                .iter()
                .map(|r| {
                    let (source, dest) = (col(&r.cells, 1, target), col(&r.cells, 2, target));
                    // Inbound: source is the connector space; outbound: the metaverse.
                    let (cs, mv) = if direction == Direction::Outbound { (dest, source) } else { (source, dest) };
                    JoinCondition { cs_attribute: cs, mv_attribute: mv, case_sensitive: yes(&col(&r.cells, 3, target)) }
                })
                .collect(),
        })
        .collect()
}

fn mappings(rows: &[&Row], target: bool) -> Vec<Mapping> {
    rows.iter()
        .filter(|r| !is_placeholder(&r.cells, target))
        .map(|r| {
            let (dest, source, flow) = (col(&r.cells, 0, target), col(&r.cells, 1, target), col(&r.cells, 2, target));
            let (flow_type, source_attributes, constant, expression) = match flow.to_ascii_lowercase().as_str() {
                "expression" => (FlowType::Expression, expression_attributes(&source), None, Some(source)),
                "constant" => (FlowType::Constant, Vec::new(), Some(source), None),
                _ => (
                    FlowType::Direct,
                    source.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect(),
                    None,
                    None,
                ),
            };
            Mapping {
                dest,
                flow_type,
                source_attributes,
                constant,
                expression,
                execute_once: yes(&col(&r.cells, 3, target)),
                merge_type: col(&r.cells, 4, target),
            }
        })
        .collect()
}

/// Reads `$connectorName`, `$syncRuleName` and `$syncRuleId` from the embedded migration script.
fn script_ids(script: &str, out: &mut BTreeMap<(String, String), String>) {
    let value = |line: &str, var: &str| -> Option<String> {
        let rest = line.trim().strip_prefix(var)?.trim_start().strip_prefix('=')?.trim();
        let inner = rest.strip_prefix('\'')?.strip_suffix('\'')?;
        Some(inner.replace("''", "'"))
    };
    let (mut conn, mut rule) = (None, None);
    for line in script.lines() {
        if let Some(v) = value(line, "$connectorName") {
            conn = Some(v);
        } else if let Some(v) = value(line, "$syncRuleName") {
            rule = Some(v);
        } else if let Some(v) = value(line, "$syncRuleId") {
            if let (Some(c), Some(r)) = (&conn, &rule) {
                out.insert((c.to_ascii_lowercase(), r.to_ascii_lowercase()), crate::text::norm_guid(&v));
            }
        }
    }
}

fn heading_level(name: &str) -> usize {
    name.strip_prefix('h').and_then(|d| d.parse().ok()).unwrap_or(0)
}

/// Reads a Configuration Documenter HTML report.
pub fn read_report(path: &str, bytes: &[u8]) -> Result<Parsed<DocumenterReport>, Problem> {
    let mut problems = Vec::new();
    let text = decode_reporting(path, bytes, &mut problems);
    let norm = path.replace('\\', "/");
    let mut st = State {
        target: Config::new("target", norm.clone(), ConfigSource::DocumenterTarget),
        reference: Config::new("reference", norm.clone(), ConfigSource::DocumenterReference),
        changes: Vec::new(),
        script_ids: BTreeMap::new(),
    };
    let mut lines = LineCounter::new(text.as_bytes());
    let mut heads: [Heading; 6] = Default::default();
    let mut heading: Option<(usize, Heading)> = None;
    let mut table: Option<TableBuilder> = None;
    let mut table_depth = 0usize;
    let mut script: Option<(usize, String)> = None;
    let mut div_depth = 0usize;
    let mut header_texts: Vec<String> = Vec::new();
    let mut toc_seen = false;
    let mut seen_h1 = false;
    let mut tokens = Tokenizer::new(&text);
    loop {
        let at = tokens.pos();
        let Some(tok) = tokens.next() else { break };
        match tok {
            Tok::Start { name, attrs, self_closing } => {
                let class = attr(&attrs, "class").unwrap_or("");
                match name.as_str() {
                    "div" if !self_closing => {
                        div_depth += 1;
                        if script.is_none() && class.split_whitespace().any(|c| c == "PowerShellScript") {
                            script = Some((div_depth, String::new()));
                        }
                    }
                    "h1" | "h2" | "h3" | "h4" | "h5" if !self_closing => {
                        let level = heading_level(&name);
                        heading = Some((level, Heading::default()));
                    }
                    "a" => {
                        if let Some((_, h)) = heading.as_mut() {
                            h.class = class.to_string();
                        }
                    }
                    "table" if !self_closing => {
                        table_depth += 1;
                        if table_depth == 1 {
                            table = Some(TableBuilder::default());
                        }
                    }
                    "thead" if table_depth == 1 => {
                        if let Some(t) = table.as_mut() {
                            t.in_head = true;
                        }
                    }
                    "tr" if table_depth == 1 => {
                        if let Some(t) = table.as_mut() {
                            let mark = Mark::from_class(class).unwrap_or(Mark::Unchanged);
                            t.row = Some((mark, lines.line_at(at), Vec::new(), t.in_head));
                        }
                    }
                    "td" | "th" if table_depth == 1 => {
                        if let Some(t) = table.as_mut() {
                            let n = |k: &str| attr(&attrs, k).and_then(|v| v.trim().parse::<usize>().ok()).unwrap_or(1).max(1);
                            t.cell = Some(Cell {
                                mark: Mark::from_class(class),
                                segs: Vec::new(),
                                rowspan: n("rowspan"),
                                colspan: n("colspan"),
                            });
                            t.spans.clear();
                            if self_closing {
                                if let (Some(c), Some(r)) = (t.cell.take(), t.row.as_mut()) {
                                    r.2.push(c);
                                }
                            }
                        }
                    }
                    "span" if !self_closing => {
                        if let Some(t) = table.as_mut().filter(|t| t.cell.is_some()) {
                            t.spans.push(Mark::from_class(class));
                        }
                    }
                    "br" => {
                        if let Some(c) = table.as_mut().and_then(|t| t.cell.as_mut()) {
                            c.segs.push((None, "\n".into()));
                        }
                    }
                    _ => {}
                }
            }
            Tok::End { name } => match name.as_str() {
                "div" => {
                    if let Some((d, s)) = script.take() {
                        if d == div_depth {
                            script_ids(&s, &mut st.script_ids);
                        } else {
                            script = Some((d, s));
                        }
                    }
                    div_depth = div_depth.saturating_sub(1);
                }
                "h1" | "h2" | "h3" | "h4" | "h5" => {
                    if let Some((level, mut h)) = heading.take() {
                        h.text = h.text.trim().to_string();
                        if level == 1 {
                            seen_h1 = true;
                            if h.text == "Table of Contents" {
                                toc_seen = true;
                            }
                        }
                        for deeper in heads.iter_mut().skip(level + 1) {
                            *deeper = Heading::default();
                        }
                        if level == 5 && h.class.starts_with("toc-") {
                            let conn = heads[2].text.strip_suffix(" Connector Configuration").unwrap_or("").to_string();
                            if heads[3].text == "Synchronization Rules" {
                                let mark = if h.class == "toc-Added" { Mark::Added } else { Mark::Deleted };
                                let (old, new) = if mark == Mark::Added {
                                    (String::new(), h.text.clone())
                                } else {
                                    (h.text.clone(), String::new())
                                };
                                st.changes.push(MarkedChange {
                                    section: format!("{} > Synchronization Rules > {}", heads[2].text, heads[4].text),
                                    table: "rule".into(),
                                    mark,
                                    line: lines.line_at(at),
                                    cells: vec![MarkedCell { old: conn.clone(), new: conn }, MarkedCell { old, new }],
                                });
                            }
                        }
                        if let Some(slot) = heads.get_mut(level) {
                            *slot = h;
                        }
                    }
                }
                "thead" => {
                    if let Some(t) = table.as_mut() {
                        t.in_head = false;
                    }
                }
                "td" | "th" if table_depth == 1 => {
                    if let Some(t) = table.as_mut() {
                        if let (Some(c), Some(r)) = (t.cell.take(), t.row.as_mut()) {
                            r.2.push(c);
                        }
                    }
                }
                "tr" if table_depth == 1 => {
                    if let Some(t) = table.as_mut() {
                        if let Some(c) = t.cell.take() {
                            if let Some(r) = t.row.as_mut() {
                                r.2.push(c);
                            }
                        }
                        if let Some((mark, line, cells, head)) = t.row.take() {
                            if head {
                                t.head_rows.push(cells);
                            } else {
                                t.body.push((mark, line, cells));
                            }
                        }
                    }
                }
                "span" => {
                    if let Some(t) = table.as_mut().filter(|t| t.cell.is_some()) {
                        t.spans.pop();
                    }
                }
                "table" => {
                    if table_depth == 1 {
                        if let Some(t) = table.take() {
                            st.dispatch(t.finish(), &heads, path, &mut problems);
                        }
                    }
                    table_depth = table_depth.saturating_sub(1);
                }
                _ => {}
            },
            Tok::Text(s) => {
                if let Some((_, buf)) = script.as_mut() {
                    buf.push_str(&s);
                } else if let Some((_, h)) = heading.as_mut() {
                    h.text.push_str(&s);
                } else if let Some(t) = table.as_mut() {
                    if let Some(c) = t.cell.as_mut() {
                        let mark = t.spans.last().copied().flatten();
                        c.segs.push((mark, s.into_owned()));
                    }
                } else if !toc_seen {
                    let s = s.trim();
                    if !s.is_empty() && header_texts.len() < 1000 {
                        header_texts.push(s.to_string());
                    }
                }
            }
        }
    }
    if !seen_h1 || (st.target.rules.is_empty() && st.target.global.values.is_empty() && st.reference.rules.is_empty()) {
        return Err(Problem::error(
            path,
            0,
            "no Configuration Documenter sections found (Global Settings, connectors, sync rules)",
        ));
    }
    if table.is_some() {
        problems.push(Problem::warning(path, lines.line_at(text.len()), "the report ends inside a table (truncated?)"));
    }
    let after = |label: &str, n: usize| -> Option<String> {
        let i = header_texts.iter().position(|t| t.starts_with(label))?;
        header_texts.get(i + n).cloned()
    };
    let tool_version = after("Documenter Version:", 1);
    let report_date = after("Report Date:", 1);
    for (label, target) in [("Target / Pilot Config", true), ("Reference / Production Config", false)] {
        let version =
            after(label, 1).map(|v| v.trim_end_matches(':').trim().trim_start_matches('(').trim_end_matches(')').to_string());
        let name = after(label, 2);
        let cfg = st.side(target);
        if let Some(n) = name.filter(|n| !n.is_empty()) {
            cfg.label = n;
        }
        if let Some(v) = version.filter(|v| !v.is_empty()) {
            // The header shows the version even when Global Settings lacks it.
            cfg.global.values.entry(param::VERSION.to_string()).or_insert(v);
        }
    }
    for cfg in [&mut st.target, &mut st.reference] {
        cfg.global.present = !cfg.global.values.is_empty();
        sort_rules(&mut cfg.rules);
    }
    for r in &mut st.target.rules {
        if let Some(id) = st.script_ids.get(&(r.connector_name.to_ascii_lowercase(), r.name.to_ascii_lowercase())) {
            r.id = id.clone();
        }
    }
    if st.target.label == st.reference.label {
        st.reference.label.push_str(" (reference)");
    }
    let report = DocumenterReport {
        path: norm,
        tool_version,
        report_date,
        target: st.target,
        reference: st.reference,
        changes: st.changes,
    };
    Ok(Parsed { value: report, problems })
}
