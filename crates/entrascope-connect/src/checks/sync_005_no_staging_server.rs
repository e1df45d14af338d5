//! SYNC-NO-STAGING-SERVER (sync-005).

use std::collections::BTreeMap;

use entrascope_core::coverage::RuntimeStatus;
use entrascope_core::{declare_check, CoverageStatus, DataNeed, Finding};

use super::{f, setting_evidence, Ctx, Out};
use crate::model::{param, Config, ConnectorKind};

declare_check! {
    /// ## What it detects
    /// Among the supplied configurations, no server in staging mode; or two or more production
    /// (`StagingMode` = False) servers synchronizing to the same tenant.
    ///
    /// ## Why it matters
    /// A staging-mode server is the disaster-recovery plan for synchronization: it holds the same
    /// configuration, imports and synchronizes, and can be switched to active in minutes. Without one,
    /// a lost server means rebuilding the configuration under pressure. Two active servers exporting to
    /// one tenant overwrite each other's changes.
    ///
    /// ## How it works
    /// Servers are told apart by MV.xml's server name (the folder label when it is missing) and grouped by
    /// tenant (the names of their Entra ID connectors). Two or more production servers in one tenant are a
    /// finding, with each server's StagingMode setting as evidence. When only production exports were
    /// supplied, absence of a staging server cannot be told from an export that was not supplied, so the
    /// row reports `needs-data` (a staging server's export) instead of a finding.
    ///
    /// ## False positives
    /// Two exports of the same server taken at different times with different folder names and no MV.xml.
    ///
    /// ## How to respond
    /// Deploy a second Entra Connect server in staging mode with the same configuration (import the
    /// production configuration), keep it at the same version, and test failover. For two active servers,
    /// put all but one into staging mode now.
    ///
    /// ## References
    /// - Microsoft Entra operations reference guide (IAM), "Sync failover or disaster recovery":
    ///   https://learn.microsoft.com/entra/architecture/ops-guide-iam
    /// - Staging server and disaster recovery:
    ///   https://learn.microsoft.com/entra/identity/hybrid/connect/how-to-connect-sync-staging-server
    pub static META = {
        code: "SYNC-NO-STAGING-SERVER",
        title: "No staging-mode server, or several active servers for one tenant",
        severity: Medium,
        guide: ["sync-005"],
        inputs: [DataNeed::ConnectConfig],
        settings: [],
        optional_settings: [],
        tags: [],
    }
}

/// The tenant a configuration exports to: the names of its Entra ID connectors (empty when unknown).
pub(crate) fn tenant_key(cfg: &Config) -> String {
    let mut names: Vec<String> =
        cfg.connectors.iter().filter(|c| c.kind == ConnectorKind::EntraId).map(|c| c.name.to_ascii_lowercase()).collect();
    names.sort();
    names.join("|")
}

/// Whether two tenant keys may be the same tenant (unknown matches anything).
pub(crate) fn same_tenant(a: &str, b: &str) -> bool {
    a.is_empty() || b.is_empty() || a == b
}

/// The server a configuration describes.
pub(crate) fn server_key(cfg: &Config) -> String {
    cfg.server.clone().unwrap_or_else(|| cfg.label.clone()).to_ascii_lowercase()
}

pub fn run(cx: &Ctx, out: &mut Out) {
    let known: Vec<&Config> = cx.data.configs.iter().filter(|c| c.staging().is_some()).collect();
    if known.is_empty() {
        if !cx.data.configs.is_empty() {
            out.status.push(RuntimeStatus {
                guide: "sync-005".into(),
                status: CoverageStatus::NeedsData,
                needs: Some("GlobalSettings/MV.xml of each Entra Connect export (its StagingMode setting)".into()),
            });
        }
        return;
    }
    // One entry per production server (the first configuration seen for it).
    let mut production: BTreeMap<String, &Config> = BTreeMap::new();
    for c in known.iter().filter(|c| c.staging() == Some(false)) {
        production.entry(server_key(c)).or_insert(c);
    }
    let any_staging = known.iter().any(|c| c.staging() == Some(true));
    let prod: Vec<&Config> = production.values().copied().collect();
    let mut found = false;
    let mut reported: Vec<usize> = Vec::new();
    for i in 0..prod.len() {
        if reported.contains(&i) {
            continue;
        }
        let key = tenant_key(prod[i]);
        let same: Vec<usize> = (i..prod.len()).filter(|j| same_tenant(&key, &tenant_key(prod[*j]))).collect();
        if same.len() < 2 {
            continue;
        }
        reported.extend(&same);
        found = true;
        let names: Vec<String> = same.iter().map(|j| prod[*j].label.clone()).collect();
        let ev = same
            .iter()
            .map(|j| {
                setting_evidence(prod[*j], param::STAGING_MODE, vec![f("server", prod[*j].server.clone().unwrap_or_default())])
            })
            .collect();
        let tenant = if key.is_empty() { "the same tenant".to_string() } else { key.replace('|', ", ") };
        out.findings.push(
            Finding::new(
                &META,
                format!("{} servers are active (not in staging mode) for {tenant}: {}", same.len(), names.join(", ")),
                ev,
            )
            .with_subject(tenant),
        );
    }
    if !found && !any_staging {
        out.status.push(RuntimeStatus {
            guide: "sync-005".into(),
            status: CoverageStatus::NeedsData,
            needs: Some("the configuration export of a staging-mode Entra Connect server (StagingMode = True); only production exports were supplied".into()),
        });
    }
}
