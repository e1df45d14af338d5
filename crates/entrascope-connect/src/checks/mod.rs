//! The Entra Connect Sync checks (`sync-*` rows of `ops-checks.tsv`), one file each.
//!
//! A check declares its metadata and documentation with
//! [`entrascope_core::declare_check!`] and has a `run` function from a
//! [`Ctx`] to findings and run-time coverage statuses. Checks see only the
//! typed model, never files.

use entrascope_core::coverage::RuntimeStatus;
use entrascope_core::{CheckMeta, Evidence, Finding, Timestamp};

use crate::collect::ConnectData;
use crate::model::{Config, Connector, SyncRule};

pub mod sync_001_custom_rule_precedence;
pub mod sync_002_precedence_clash;
pub mod sync_003_source_anchor;
pub mod sync_004_group_filtering;
pub mod sync_005_no_staging_server;
pub mod sync_006_staging_drift;
pub mod sync_007_version_behind;
pub mod sync_008_version_unsupported;
pub mod sync_009_complex_custom_rule;
pub mod sync_010_one_off_rule;
pub mod sync_011_cloudfiltered;
pub mod sync_012_builtin_rule_disabled;
pub mod sync_013_whole_domain;
pub mod sync_014_scheduler;
pub mod sync_015_delta_cycle;
pub mod sync_016_stale_errors;
pub mod sync_017_password_hash_sync;
pub mod sync_018_deletion_threshold;
pub mod sync_019_rules_changed_since_baseline;

/// What a check reads.
pub struct Ctx<'a> {
    pub data: &'a ConnectData,
    /// The clock of age-based checks (`--now`).
    pub now: Timestamp,
}

/// What a check produces.
#[derive(Default)]
pub struct Out {
    pub findings: Vec<Finding>,
    /// Coverage decided at run time (e.g. `needs-data` for a staging export).
    pub status: Vec<RuntimeStatus>,
}

/// A registered check: its metadata and its logic.
pub struct CheckDef {
    pub meta: &'static CheckMeta,
    pub run: fn(&Ctx, &mut Out),
}

/// Every check, in catalogue order.
pub static CHECKS: &[CheckDef] = &[
    CheckDef { meta: &sync_001_custom_rule_precedence::META, run: sync_001_custom_rule_precedence::run },
    CheckDef { meta: &sync_002_precedence_clash::META, run: sync_002_precedence_clash::run },
    CheckDef { meta: &sync_003_source_anchor::META, run: sync_003_source_anchor::run },
    CheckDef { meta: &sync_004_group_filtering::META, run: sync_004_group_filtering::run },
    CheckDef { meta: &sync_005_no_staging_server::META, run: sync_005_no_staging_server::run },
    CheckDef { meta: &sync_006_staging_drift::META, run: sync_006_staging_drift::run },
    CheckDef { meta: &sync_007_version_behind::META, run: sync_007_version_behind::run },
    CheckDef { meta: &sync_008_version_unsupported::META, run: sync_008_version_unsupported::run },
    CheckDef { meta: &sync_009_complex_custom_rule::META, run: sync_009_complex_custom_rule::run },
    CheckDef { meta: &sync_010_one_off_rule::META, run: sync_010_one_off_rule::run },
    CheckDef { meta: &sync_011_cloudfiltered::META, run: sync_011_cloudfiltered::run },
    CheckDef { meta: &sync_012_builtin_rule_disabled::META, run: sync_012_builtin_rule_disabled::run },
    CheckDef { meta: &sync_013_whole_domain::META, run: sync_013_whole_domain::run },
    CheckDef { meta: &sync_014_scheduler::META, run: sync_014_scheduler::run },
    CheckDef { meta: &sync_015_delta_cycle::META, run: sync_015_delta_cycle::run },
    CheckDef { meta: &sync_016_stale_errors::META, run: sync_016_stale_errors::run },
    CheckDef { meta: &sync_017_password_hash_sync::META, run: sync_017_password_hash_sync::run },
    CheckDef { meta: &sync_018_deletion_threshold::META, run: sync_018_deletion_threshold::run },
    CheckDef { meta: &sync_019_rules_changed_since_baseline::META, run: sync_019_rules_changed_since_baseline::run },
];

/// The rule's identifier for evidence: its `{guid}`, or its name when the
/// source has no id (a Documenter report).
pub(crate) fn rule_id(r: &SyncRule) -> String {
    if r.id.is_empty() {
        format!("{} / {}", r.connector_name, r.name)
    } else {
        r.id.clone()
    }
}

/// Evidence naming a sync rule: `id` is the rule's `{guid}`.
pub(crate) fn rule_evidence(cfg: &Config, r: &SyncRule, extra: Vec<(String, String)>) -> Evidence {
    let mut fields = vec![
        ("configuration".to_string(), cfg.label.clone()),
        ("rule".to_string(), r.name.clone()),
        ("connector".to_string(), r.connector_name.clone()),
        ("direction".to_string(), r.direction.as_str().to_string()),
        ("precedence".to_string(), r.precedence.map(|p| p.to_string()).unwrap_or_else(|| "(none)".into())),
        ("tag".to_string(), if r.immutable_tag.is_empty() { "(none: custom rule)".into() } else { r.immutable_tag.clone() }),
    ];
    if r.disabled {
        fields.push(("disabled".into(), "true".into()));
    }
    fields.extend(extra);
    Evidence { input: r.origin.input, line: r.origin.line, id: rule_id(r), time: None, record: None, fields }
}

/// Evidence naming a global setting of MV.xml: `id` is the setting name.
pub(crate) fn setting_evidence(cfg: &Config, name: &str, extra: Vec<(String, String)>) -> Evidence {
    let (input, line) = cfg.global.origin(name).map(|o| (o.input, o.line)).unwrap_or((Evidence::NO_INPUT, 0));
    let mut fields = vec![
        ("configuration".to_string(), cfg.label.clone()),
        ("setting".to_string(), name.to_string()),
        ("value".to_string(), cfg.global.get(name).unwrap_or("(absent)").to_string()),
    ];
    fields.extend(extra);
    Evidence { input, line, id: name.to_string(), time: None, record: None, fields }
}

/// Evidence naming a connector setting: `id` is the setting name.
pub(crate) fn connector_evidence(cfg: &Config, c: &Connector, setting: &str, value: &str, line: u64) -> Evidence {
    Evidence {
        input: c.origin.input,
        line: if line > 0 { line } else { c.origin.line },
        id: setting.to_string(),
        time: None,
        record: None,
        fields: vec![
            ("configuration".to_string(), cfg.label.clone()),
            ("connector".to_string(), c.name.clone()),
            ("setting".to_string(), setting.to_string()),
            ("value".to_string(), value.to_string()),
        ],
    }
}

pub(crate) fn f(k: &str, v: impl ToString) -> (String, String) {
    (k.to_string(), v.to_string())
}

/// Rules that take part in synchronization (not disabled).
pub(crate) fn enabled(cfg: &Config) -> impl Iterator<Item = &SyncRule> {
    cfg.rules.iter().filter(|r| !r.disabled)
}

pub(crate) use crate::versions::ymd;
