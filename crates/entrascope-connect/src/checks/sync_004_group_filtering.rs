//! SYNC-GROUP-FILTERING-PRODUCTION (sync-004).

use entrascope_core::{declare_check, DataNeed, Finding};

use super::{connector_evidence, enabled, f, rule_evidence, setting_evidence, Ctx, Out};
use crate::model::param;

declare_check! {
    /// ## What it detects
    /// Group-based filtering used on a production (non-staging) server: the global option
    /// `Microsoft.OptionalFeature.GroupFiltering`, a connector's `Connector.GroupFilteringGroupDn`, or an
    /// enabled rule scoped with `ISMEMBEROF`.
    ///
    /// ## Why it matters
    /// Group-based filtering is supported only for pilots. Nested groups are not followed, membership
    /// changes can delete and re-create cloud objects, and a mistaken edit of the group removes users from
    /// Entra ID. The operations guide asks to move production servers to OU or attribute filtering.
    ///
    /// ## How it works
    /// For each configuration whose `Microsoft.Synchronize.StagingMode` is not `True` (an unknown mode,
    /// without MV.xml, counts as production), any of the three signals is one finding with each signal as
    /// evidence.
    ///
    /// ## False positives
    /// A server deliberately kept on group filtering for a pilot that is still running.
    ///
    /// ## How to respond
    /// Replace the group with OU filtering (container inclusions) or an attribute-based `cloudFiltered`
    /// rule, on the staging server first; re-run the wizard without "Sync selected" groups.
    ///
    /// ## References
    /// - Microsoft Entra operations reference guide (IAM), "Synchronization scope":
    ///   https://learn.microsoft.com/entra/architecture/ops-guide-iam
    /// - Configure filtering (group-based filtering is for pilots only):
    ///   https://learn.microsoft.com/entra/identity/hybrid/connect/how-to-connect-sync-configure-filtering
    pub static META = {
        code: "SYNC-GROUP-FILTERING-PRODUCTION",
        title: "Group-based filtering used on a production server",
        severity: High,
        guide: ["sync-004"],
        inputs: [DataNeed::ConnectConfig],
        settings: [],
        optional_settings: [],
        tags: [],
    }
}

pub fn run(cx: &Ctx, out: &mut Out) {
    for cfg in &cx.data.configs {
        if cfg.staging() == Some(true) {
            continue;
        }
        let mut ev = Vec::new();
        let mut signals = Vec::new();
        if cfg.global.group_filtering() == Some(true) {
            ev.push(setting_evidence(cfg, param::GROUP_FILTERING, Vec::new()));
            signals.push("the GroupFiltering option is on".to_string());
        }
        for c in &cfg.connectors {
            if let Some(dn) = &c.group_filtering_dn {
                ev.push(connector_evidence(cfg, c, param::GROUP_FILTERING_GROUP_DN, dn, 0));
                signals.push(format!("{} filters on group {dn}", c.name));
            }
        }
        for r in enabled(cfg) {
            let groups: Vec<&str> = r
                .scope
                .iter()
                .flat_map(|g| &g.conditions)
                .filter(|c| c.operator == "ISMEMBEROF")
                .map(|c| c.value.as_str())
                .collect();
            if !groups.is_empty() {
                ev.push(rule_evidence(cfg, r, vec![f("ISMEMBEROF", groups.join("; "))]));
                signals.push(format!("rule \"{}\" is scoped by group membership", r.name));
            }
        }
        if ev.is_empty() {
            continue;
        }
        let mode = if cfg.staging().is_none() { " (staging mode unknown: no MV.xml)" } else { "" };
        out.findings.push(
            Finding::new(
                &META,
                format!("Production server {}{mode} uses group-based filtering: {}", cfg.label, signals.join("; ")),
                ev,
            )
            .with_subject(cfg.label.clone()),
        );
    }
}
