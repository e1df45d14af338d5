//! The typed model of an Entra Connect Sync configuration, its run history
//! and its synchronization errors. Readers fill it; checks, the diff and the
//! view model read only this.

use std::collections::BTreeMap;

use entrascope_core::Timestamp;
use serde::Serialize;

/// Where an item was read from: the input index the caller gave the file,
/// its path, and the 1-based line of the item in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Origin {
    /// The caller's input index, or `u32::MAX` (`Evidence::NO_INPUT`) when
    /// the item does not come from a file (a derived value).
    pub input: u32,
    pub path: String,
    pub line: u64,
}

impl Origin {
    pub fn none() -> Origin {
        Origin { input: u32::MAX, path: String::new(), line: 0 }
    }

    /// A place in a file whose input index the collector fills in later.
    pub fn at(path: &str, line: u64) -> Origin {
        Origin { input: u32::MAX, path: path.to_string(), line }
    }
}

impl Default for Origin {
    fn default() -> Origin {
        Origin::none()
    }
}

/// What produced a [`Config`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConfigSource {
    /// A `Get-ADSyncServerConfiguration` export folder.
    Export,
    /// The wizard's `Applied-SynchronizationPolicy-*.json`.
    PolicyJson,
    /// The target / pilot side of a Configuration Documenter report.
    DocumenterTarget,
    /// The reference / production side of a Configuration Documenter report.
    DocumenterReference,
}

/// One Entra Connect Sync server configuration.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Config {
    /// A name for people: the export folder's name and the server name from
    /// MV.xml, e.g. `Production (CONTOSO-SYNC01)`. Unique within a [`crate::ConnectData`].
    pub label: String,
    /// The folder holding `Connectors/`, `GlobalSettings/` and
    /// `SynchronizationRules/` (forward slashes), or the file's path.
    pub folder: String,
    pub source: ConfigSource,
    /// `server` attribute of MV.xml's `<saved-mv-configuration>`.
    pub server: Option<String>,
    /// `export-date` attribute of MV.xml.
    pub export_date: Option<String>,
    pub global: GlobalParams,
    pub connectors: Vec<Connector>,
    pub rules: Vec<SyncRule>,
}

impl Config {
    pub fn new(label: impl Into<String>, folder: impl Into<String>, source: ConfigSource) -> Config {
        Config {
            label: label.into(),
            folder: folder.into(),
            source,
            server: None,
            export_date: None,
            global: GlobalParams::default(),
            connectors: Vec::new(),
            rules: Vec::new(),
        }
    }

    /// The connector with this id (GUIDs compare case-insensitively, braces optional).
    pub fn connector(&self, id: &str) -> Option<&Connector> {
        let id = crate::text::norm_guid(id);
        self.connectors.iter().find(|c| c.id == id)
    }

    pub fn connector_by_name(&self, name: &str) -> Option<&Connector> {
        self.connectors.iter().find(|c| c.name.eq_ignore_ascii_case(name))
    }

    /// `Some(true)` for a staging-mode server, `Some(false)` for a production
    /// (active) server, `None` when MV.xml was not supplied.
    pub fn staging(&self) -> Option<bool> {
        self.global.staging_mode()
    }
}

/// The global parameters of MV.xml (`mv-data/parameter-values`), all of them,
/// with typed accessors for the ones checks use.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct GlobalParams {
    /// Parameter name → value, as written (empty string for an empty parameter).
    pub values: BTreeMap<String, String>,
    /// Parameter name → where it was read (MV.xml input and line).
    #[serde(skip)]
    pub origins: BTreeMap<String, Origin>,
    /// Whether MV.xml (or another source of global settings) was read at all.
    pub present: bool,
}

pub mod param {
    //! The global parameter names checks and views use.
    pub const ANCHOR_ATTRIBUTE: &str = "Microsoft.SynchronizationOption.AnchorAttribute";
    pub const VERSION: &str = "Microsoft.Synchronize.ServerConfigurationVersion";
    pub const STAGING_MODE: &str = "Microsoft.Synchronize.StagingMode";
    pub const TIME_INTERVAL: &str = "Microsoft.Synchronize.TimeInterval";
    pub const SCHEDULER_SUSPENDED: &str = "Microsoft.Synchronize.SchedulerSuspended";
    pub const SYNC_SCHEDULE: &str = "Microsoft.Synchronize.SynchronizationSchedule";
    pub const NEXT_START_TIME: &str = "Microsoft.Synchronize.NextStartTime";
    pub const GROUP_FILTERING: &str = "Microsoft.OptionalFeature.GroupFiltering";
    pub const DELETION_THRESHOLD: &str = "Microsoft.OptionalFeature.ExportDeletionThreshold";
    pub const DELETION_THRESHOLD_VALUE: &str = "Microsoft.OptionalFeature.ExportDeletionThresholdValue";
    pub const PASSWORD_HASH_SYNC: &str = "Microsoft.OptionalFeature.PasswordHashSync";
    pub const RUN_HISTORY_PURGE: &str = "Microsoft.Synchronize.RunHistoryPurgeInterval";
    /// The AD connector parameter naming the group of group-based filtering.
    pub const GROUP_FILTERING_GROUP_DN: &str = "Connector.GroupFilteringGroupDn";
}

impl GlobalParams {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(|s| s.as_str())
    }

    fn flag(&self, name: &str) -> Option<bool> {
        self.get(name).and_then(crate::text::parse_bool)
    }

    pub fn origin(&self, name: &str) -> Option<&Origin> {
        self.origins.get(name)
    }

    /// The source anchor attribute (`objectGUID`, `mS-DS-ConsistencyGuid`...).
    pub fn anchor_attribute(&self) -> Option<&str> {
        self.get(param::ANCHOR_ATTRIBUTE).filter(|s| !s.trim().is_empty())
    }

    /// `Microsoft.Synchronize.ServerConfigurationVersion`.
    pub fn version(&self) -> Option<Version> {
        self.get(param::VERSION).and_then(Version::parse)
    }

    pub fn staging_mode(&self) -> Option<bool> {
        self.flag(param::STAGING_MODE)
    }

    /// The scheduler interval in seconds.
    pub fn time_interval_secs(&self) -> Option<u64> {
        self.get(param::TIME_INTERVAL).and_then(crate::text::parse_timespan)
    }

    pub fn scheduler_suspended(&self) -> Option<bool> {
        self.flag(param::SCHEDULER_SUSPENDED)
    }

    /// `Microsoft.Synchronize.SynchronizationSchedule`: whether the scheduler runs sync cycles.
    pub fn sync_schedule(&self) -> Option<bool> {
        self.flag(param::SYNC_SCHEDULE)
    }

    pub fn group_filtering(&self) -> Option<bool> {
        self.flag(param::GROUP_FILTERING)
    }

    /// Whether accidental-delete protection (the export deletion threshold) is on.
    pub fn deletion_threshold_enabled(&self) -> Option<bool> {
        self.flag(param::DELETION_THRESHOLD)
    }

    pub fn deletion_threshold_value(&self) -> Option<u32> {
        self.get(param::DELETION_THRESHOLD_VALUE).and_then(|v| v.trim().parse().ok())
    }

    pub fn password_hash_sync(&self) -> Option<bool> {
        self.flag(param::PASSWORD_HASH_SYNC)
    }
}

/// An Entra Connect version, e.g. `2.5.79.0`. Compared part by part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version(pub [u32; 4]);

impl Version {
    /// Parses `1.1.130.0`, `2.5.79` and similar (missing parts are 0).
    pub fn parse(s: &str) -> Option<Version> {
        let s = s.trim();
        if s.is_empty() {
            return None;
        }
        let mut parts = [0u32; 4];
        for (n, p) in s.split('.').enumerate() {
            *parts.get_mut(n)? = p.trim().parse().ok()?;
        }
        Some(Version(parts))
    }

    pub fn major(&self) -> u32 {
        self.0[0]
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let [a, b, c, d] = self.0;
        write!(f, "{a}.{b}.{c}.{d}")
    }
}

impl Serialize for Version {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// What kind of directory a connector talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConnectorKind {
    /// An on-premises Active Directory forest (`category` AD).
    ActiveDirectory,
    /// The Microsoft Entra ID connector (`Extensible2`, "Windows Azure Active Directory (Microsoft)").
    EntraId,
    #[default]
    Other,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Connector {
    /// Normalized: lowercase, with braces.
    pub id: String,
    pub name: String,
    /// `category` as written: `AD`, `Extensible2`...
    pub category: String,
    /// `subtype`, e.g. "Windows Azure Active Directory (Microsoft)".
    pub subtype: String,
    pub kind: ConnectorKind,
    pub description: String,
    pub partitions: Vec<Partition>,
    /// Attributes selected for import (`attribute-inclusion`).
    pub attributes: Vec<String>,
    /// `Connector.GroupFilteringGroupDn` when set (non-empty).
    pub group_filtering_dn: Option<String>,
    /// `password-hash-sync-config/enabled` (AD connectors); `None` when absent.
    pub password_hash_sync: Option<bool>,
    pub run_profiles: Vec<RunProfile>,
    /// Non-encrypted connector parameters (`parameter-values`), name → value.
    pub parameters: BTreeMap<String, String>,
    pub origin: Origin,
}

impl Connector {
    /// Object types selected in the selected partitions (sorted, unique).
    pub fn object_types(&self) -> Vec<String> {
        let mut v: Vec<String> =
            self.partitions.iter().filter(|p| p.selected).flat_map(|p| p.object_classes.iter().cloned()).collect();
        v.sort_by_key(|s| s.to_ascii_lowercase());
        v.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
        v
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Partition {
    pub id: String,
    /// The partition's DN (`DC=contoso,DC=com`) or `default`.
    pub name: String,
    pub display_name: String,
    pub selected: bool,
    pub object_classes: Vec<String>,
    /// Container inclusions (OU filtering), as written.
    pub inclusions: Vec<String>,
    pub exclusions: Vec<String>,
    pub line: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunProfile {
    pub id: String,
    pub name: String,
    pub steps: Vec<RunStep>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunStep {
    /// `full-import`, `delta-import`, `apply-rules`, `export`...
    pub step_type: String,
    /// e.g. `to-cs`, `apply-pending`, `reevaluate-flow-connectors`.
    pub subtype: String,
    /// The partition id the step runs on.
    pub partition: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Inbound,
    Outbound,
    #[default]
    Unknown,
}

impl Direction {
    pub fn parse(s: &str) -> Direction {
        match s.trim().to_ascii_lowercase().as_str() {
            "inbound" => Direction::Inbound,
            "outbound" => Direction::Outbound,
            _ => Direction::Unknown,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Inbound => "Inbound",
            Direction::Outbound => "Outbound",
            Direction::Unknown => "Unknown",
        }
    }
}

/// One synchronization rule.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct SyncRule {
    /// `{guid}` as written in the file (the Documenter report has no ids
    /// except for changed rules; then this is empty).
    pub id: String,
    pub internal_id: String,
    pub version: String,
    pub name: String,
    pub description: String,
    pub immutable_tag: String,
    pub direction: Direction,
    pub disabled: bool,
    /// Normalized connector id (lowercase, braces); empty when unknown.
    pub connector_id: String,
    /// The connector's name, resolved from the connector files (the id when
    /// the connector file is missing).
    pub connector_name: String,
    pub source_object_type: String,
    pub target_object_type: String,
    /// `Provision`, `Join`, `StickyJoin`...
    pub link_type: String,
    pub precedence: Option<u32>,
    /// The rule this one was placed before (`precedence-before`), when not the zero GUID.
    pub precedence_before: Option<String>,
    pub precedence_after: Option<String>,
    pub soft_delete_expiry: String,
    pub enable_password_sync: bool,
    /// Scoping filter: AND inside a group, OR between groups.
    pub scope: Vec<ScopeGroup>,
    /// Join rules: groups tried in order.
    pub join: Vec<JoinGroup>,
    pub mappings: Vec<Mapping>,
    /// Elements this reader does not know, kept as (name, text).
    pub extra: Vec<(String, String)>,
    pub origin: Origin,
}

impl SyncRule {
    /// A built-in rule: its immutable tag starts with `Microsoft.` (the
    /// Documenter's test; IsStandardRule is not in the XML).
    pub fn is_standard(&self) -> bool {
        self.immutable_tag.trim().starts_with("Microsoft.")
    }

    pub fn is_custom(&self) -> bool {
        !self.is_standard()
    }

    /// The connector-space object type (source for inbound, target for outbound).
    pub fn cs_object_type(&self) -> &str {
        match self.direction {
            Direction::Outbound => &self.target_object_type,
            _ => &self.source_object_type,
        }
    }

    /// The metaverse object type.
    pub fn mv_object_type(&self) -> &str {
        match self.direction {
            Direction::Outbound => &self.source_object_type,
            _ => &self.target_object_type,
        }
    }

    /// Whether the rule was placed relative to another rule (`precedence-before`/`-after`).
    pub fn placed_relative(&self) -> bool {
        self.precedence_before.is_some() || self.precedence_after.is_some()
    }

    /// The mappings writing `dest` (case-insensitive).
    pub fn mappings_to<'a>(&'a self, dest: &'a str) -> impl Iterator<Item = &'a Mapping> + 'a {
        self.mappings.iter().filter(move |m| m.dest.eq_ignore_ascii_case(dest))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScopeGroup {
    pub conditions: Vec<ScopeCondition>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScopeCondition {
    pub attribute: String,
    /// Uppercase: EQUAL, NOTEQUAL, ISNOTNULL, ISMEMBEROF...
    pub operator: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JoinGroup {
    pub conditions: Vec<JoinCondition>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JoinCondition {
    /// The connector-space attribute.
    pub cs_attribute: String,
    /// The metaverse attribute (`ilmAttribute`).
    pub mv_attribute: String,
    pub case_sensitive: bool,
}

/// How a mapping computes its value. Not stored in the XML: inferred as the
/// Documenter does (expression → Expression, `src/attr` → Direct, text in
/// `src` → Constant).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum FlowType {
    Direct,
    Constant,
    Expression,
}

impl FlowType {
    pub fn as_str(self) -> &'static str {
        match self {
            FlowType::Direct => "Direct",
            FlowType::Constant => "Constant",
            FlowType::Expression => "Expression",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mapping {
    /// The attribute written (metaverse for inbound, connector space for outbound).
    pub dest: String,
    pub flow_type: FlowType,
    /// Source attributes: `src/attr`, or for expressions also every `[attr]`
    /// found in the expression (newer builds leave `src` empty).
    pub source_attributes: Vec<String>,
    /// The constant value (Constant flows).
    pub constant: Option<String>,
    pub expression: Option<String>,
    /// `execute-once` ("Apply Once").
    pub execute_once: bool,
    /// `valueMergeType`: Update, MergeCaseInsensitive...
    pub merge_type: String,
}

impl Mapping {
    /// The source as the Documenter shows it: the expression, the constant or
    /// the attribute list.
    pub fn source_text(&self) -> String {
        match self.flow_type {
            FlowType::Expression => self.expression.clone().unwrap_or_default(),
            FlowType::Constant => self.constant.clone().unwrap_or_default(),
            FlowType::Direct => self.source_attributes.join(", "),
        }
    }
}

/// Orders rules as people read them: by connector name, direction, precedence, name.
pub fn sort_rules(rules: &mut [SyncRule]) {
    rules.sort_by(|a, b| {
        (a.connector_name.to_ascii_lowercase(), a.direction, a.precedence.unwrap_or(u32::MAX), &a.name).cmp(&(
            b.connector_name.to_ascii_lowercase(),
            b.direction,
            b.precedence.unwrap_or(u32::MAX),
            &b.name,
        ))
    });
}

/// The attribute names an expression reads: every `[name]`, in order, unique.
pub fn expression_attributes(expr: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut in_string = false;
    for (i, c) in expr.char_indices() {
        match c {
            '"' => in_string = !in_string,
            '[' if !in_string => {
                let rest = &expr[i + 1..];
                if let Some(end) = rest.find(']') {
                    let name = rest[..end].trim();
                    let plausible = !name.is_empty()
                        && name.len() <= 256
                        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.');
                    if plausible && !out.iter().any(|o| o.eq_ignore_ascii_case(name)) {
                        out.push(name.to_string());
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// One run-profile execution (`Get-ADSyncRunProfileResult`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunRecord {
    pub run_number: Option<u64>,
    pub run_history_id: String,
    pub connector: String,
    pub profile: String,
    pub result: String,
    pub start: Timestamp,
    pub end: Option<Timestamp>,
    /// 1-based line in the CSV.
    pub line: u64,
}

/// A run-history export.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunHistory {
    pub input: u32,
    pub path: String,
    pub runs: Vec<RunRecord>,
}

/// Which export a sync error came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorFormat {
    /// `csexport.exe … /f:e|/f:i` XML, or run-step `<synchronization-errors>` XML.
    CsExportXml,
    /// Graph `onPremisesProvisioningErrors` JSON.
    GraphProvisioningErrors,
}

/// One synchronization error.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SyncError {
    /// The object's identifier: cs-dn / dn (csexport), userPrincipalName or id (Graph).
    pub object: String,
    /// The connector-space id (csexport `id`, Graph `id`).
    pub object_id: String,
    pub object_type: String,
    /// `export-errordetail`, `import-errordetail`, `export-error`, or the Graph category.
    pub kind: String,
    pub error_type: String,
    pub detail: String,
    pub first_occurred: Option<Timestamp>,
    pub date_occurred: Option<Timestamp>,
    pub retry_count: Option<u32>,
    /// Line (XML) or record ordinal (JSON).
    pub line: u64,
}

impl SyncError {
    /// The earliest known time of the error (first occurrence, else last).
    pub fn since(&self) -> Option<Timestamp> {
        self.first_occurred.or(self.date_occurred)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ErrorSet {
    pub input: u32,
    pub path: String,
    pub format: ErrorFormat,
    pub errors: Vec<SyncError>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_order() {
        let v = |s| Version::parse(s).unwrap();
        assert!(v("1.1.130.0") < v("2.0.3.0"));
        assert!(v("2.5.79.0") < v("2.5.190.0"));
        assert_eq!(v("2.5.79").to_string(), "2.5.79.0");
        assert!(Version::parse("x.1").is_none());
        assert!(Version::parse("1.2.3.4.5").is_none());
    }

    #[test]
    fn expression_attributes_skip_strings() {
        let e = r#"IIF(IsPresent([mS-DS-ConsistencyGuid]),[mS-DS-ConsistencyGuid],[objectGUID]) & "[notAnAttr]""#;
        assert_eq!(expression_attributes(e), ["mS-DS-ConsistencyGuid", "objectGUID"]);
    }
}
