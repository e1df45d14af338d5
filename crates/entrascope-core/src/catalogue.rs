//! The guide rows entrascope implements, embedded from `data/*.tsv`.
//!
//! `secops-guide.tsv`: every "What to monitor" row of Microsoft's Entra
//! security operations guide (Microsoft Learn, CC BY 4.0). `ops-checks.tsv`:
//! checks from the Entra operations and privileged-access guides. Both are
//! copied verbatim from the project's reference catalogue; ids are stable.

use std::sync::OnceLock;

use serde::Serialize;

static SECOPS_TSV: &str = include_str!("../data/secops-guide.tsv");
static OPS_TSV: &str = include_str!("../data/ops-checks.tsv");

/// Whether exported sign-in and audit logs alone can answer a guide row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Answerable {
    Yes,
    Partial,
    No,
}

/// One row of the catalogue.
#[derive(Debug, Clone, Serialize)]
pub struct GuideRow {
    pub id: String,
    /// Guide page (`user-accounts`, `privileged-accounts`...) or, for ops rows, the source.
    pub page: String,
    pub section: String,
    pub what: String,
    pub risk: String,
    /// Which export answers it (`entra-signin`, `idp-risk-detections`, `connect-config`...).
    pub data_source: String,
    pub answerable: Answerable,
    pub needs_user_context: String,
    /// Filter and notes as published (secops rows) or the logic to apply (ops rows).
    pub logic: String,
}

impl GuideRow {
    /// A human name for the export that answers this row.
    pub fn data_source_description(&self) -> String {
        describe_source(&self.data_source)
    }
}

/// Maps a catalogue `data_source` value to what a user should export.
pub fn describe_source(source: &str) -> String {
    let known = match source {
        "entra-signin" | "signin" => "Entra sign-in logs",
        "entra-audit" | "audit" => "Entra audit logs",
        "entra-signin+audit" => "Entra sign-in and audit logs",
        "idp-risk-detections" => "Identity Protection risk detections export (riskDetections / risky sign-ins)",
        "pim-alerts" => "PIM alerts export",
        "pim-settings" => "PIM role settings export",
        "pim-azure-resource-audit" => "PIM Azure resource audit history",
        "sql-audit" => "Azure SQL audit logs",
        "mdi" => "Microsoft Defender for Identity alerts",
        "pta-agent-event-log" => "Pass-through Authentication agent event logs",
        "dc-event-log" => "domain controller security event logs",
        "connect-health" => "Entra Connect Health reports",
        "azure-rbac" => "Azure RBAC role assignments export",
        "entra-directory" => "Entra directory object export (users, groups)",
        "graph-auth-methods-registration" => "authentication methods registration report (Graph userRegistrationDetails)",
        "windows-event-log" => "Windows event logs",
        "entra-connect" | "entra-connect-config" | "connect-config" => {
            "Entra Connect Sync configuration export (Get-ADSyncServerConfiguration)"
        }
        "connect-config x2" => "two Entra Connect Sync configuration exports (production and staging)",
        "connect-run-history" => "Entra Connect run-history export (Get-ADSyncRunProfileResult CSV)",
        "connect-errors" => "Entra Connect sync-error export (csexport XML or Graph onPremisesProvisioningErrors)",
        "aadds-security-audit" => "Entra Domain Services security audit events",
        "access-reviews" => "access reviews export",
        "ca-insights" => "Conditional Access insights workbook data",
        "azure-activity" => "Azure activity log",
        "tenant-setting" => "tenant configuration (settings export)",
        "graph-app-credentials" => "application credentials export (Graph applications with keyCredentials)",
        "keyvault-logs" => "Azure Key Vault logs",
        "graph-devices" => "devices export (Graph devices)",
        "linux-auth-log" => "Linux authentication logs",
        "app-proxy-connector-log" => "Application Proxy connector event logs",
        "powershell" => "PowerShell inventory output",
        "settings" => "tenant settings",
        other => return other.to_string(),
    };
    known.to_string()
}

fn split_tsv(text: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
    let mut lines = text.lines();
    lines.next(); // header
    lines.filter(|l| !l.trim().is_empty()).map(|l| l.split('\t').collect())
}

fn parse() -> Vec<GuideRow> {
    let mut rows = Vec::new();
    // id page section what_to_monitor risk_level where filter notes data_source log_answerable needs_user_context ...
    for f in split_tsv(SECOPS_TSV) {
        let get = |i: usize| f.get(i).copied().unwrap_or("").to_string();
        let answerable = match f.get(9).copied().unwrap_or("") {
            "yes" => Answerable::Yes,
            "partial" => Answerable::Partial,
            _ => Answerable::No,
        };
        rows.push(GuideRow {
            id: get(0),
            page: get(1),
            section: get(2),
            what: get(3),
            risk: get(4),
            data_source: get(8),
            answerable,
            needs_user_context: get(10),
            logic: format!("{} {}", get(6), get(7)).replace("<br>", "\n").trim().to_string(),
        });
    }
    // id source what_to_check risk_level data logic
    for f in split_tsv(OPS_TSV) {
        let get = |i: usize| f.get(i).copied().unwrap_or("").to_string();
        let id = get(0);
        let page = match id.split('-').next() {
            Some("sync") => "entra-connect",
            Some("pa") => "privileged-access",
            _ => "operations",
        };
        rows.push(GuideRow {
            page: page.to_string(),
            section: get(1),
            what: get(2),
            risk: get(3),
            data_source: get(4),
            answerable: Answerable::Yes,
            needs_user_context: String::new(),
            logic: get(5),
            id,
        });
    }
    rows
}

/// Every catalogue row, secops rows first, in file order.
pub fn rows() -> &'static [GuideRow] {
    static ROWS: OnceLock<Vec<GuideRow>> = OnceLock::new();
    ROWS.get_or_init(parse)
}

/// The row with this id.
pub fn row(id: &str) -> Option<&'static GuideRow> {
    rows().iter().find(|r| r.id == id)
}

/// A human title for a guide page id.
pub fn page_title(page: &str) -> &str {
    match page {
        "user-accounts" => "User accounts",
        "consumer-accounts" => "Consumer accounts",
        "privileged-accounts" => "Privileged accounts",
        "pim" => "Privileged Identity Management",
        "applications" => "Applications",
        "devices" => "Devices",
        "infrastructure" => "Infrastructure",
        "entra-connect" => "Entra Connect Sync",
        "privileged-access" => "Privileged access",
        "operations" => "Operations",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_has_every_row_with_unique_ids() {
        let rows = rows();
        let secops =
            rows.iter().filter(|r| !r.id.starts_with("sync-") && !r.id.starts_with("pa-") && !r.id.starts_with("ops-")).count();
        assert_eq!(secops, 217);
        assert_eq!(rows.iter().filter(|r| r.id.starts_with("sync-")).count(), 18);
        assert_eq!(rows.iter().filter(|r| r.id.starts_with("pa-")).count(), 7);
        assert_eq!(rows.iter().filter(|r| r.id.starts_with("ops-")).count(), 3);
        let yes = rows
            .iter()
            .filter(|r| {
                r.answerable == Answerable::Yes
                    && r.page != "entra-connect"
                    && r.page != "privileged-access"
                    && r.page != "operations"
            })
            .count();
        assert_eq!(yes, 139);
        let mut ids: Vec<_> = rows.iter().map(|r| r.id.as_str()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), rows.len());
    }
}
