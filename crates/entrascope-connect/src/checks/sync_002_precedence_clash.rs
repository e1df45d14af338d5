//! SYNC-RULE-PRECEDENCE-CLASH (sync-002).

use std::collections::BTreeMap;

use entrascope_core::{declare_check, DataNeed, Finding};

use super::{enabled, rule_evidence, Ctx, Out};

declare_check! {
    /// ## What it detects
    /// Two or more enabled sync rules of the same connector and direction that share one precedence value.
    ///
    /// ## Why it matters
    /// Precedence decides which rule wins when several rules write the same attribute. With equal values
    /// the winner is not defined by the configuration, so an attribute can flip between rules after an
    /// upgrade, a re-import of the configuration or a server rebuild, and a staging server can behave
    /// differently from production.
    ///
    /// ## How it works
    /// Enabled rules are grouped by connector and direction; every precedence value used by more than one
    /// rule of a group is one finding, with each rule as evidence.
    ///
    /// ## False positives
    /// None known for exports: the Synchronization Rules Editor refuses duplicates, so a clash comes from
    /// scripts (`Add-ADSyncRule`) or hand-edited imports.
    ///
    /// ## How to respond
    /// Give each rule its own precedence (custom rules between 0 and 99) and re-run a full synchronization
    /// of the connector so every object is evaluated with the intended order.
    ///
    /// ## References
    /// - Microsoft Entra operations reference guide (IAM), "Custom rules":
    ///   https://learn.microsoft.com/entra/architecture/ops-guide-iam
    /// - Understanding declarative provisioning (precedence):
    ///   https://learn.microsoft.com/entra/identity/hybrid/connect/concept-azure-ad-connect-sync-declarative-provisioning
    pub static META = {
        code: "SYNC-RULE-PRECEDENCE-CLASH",
        title: "Sync rules of one connector and direction share a precedence value",
        severity: Medium,
        guide: ["sync-002"],
        inputs: [DataNeed::ConnectConfig],
        settings: [],
        optional_settings: [],
        tags: [],
    }
}

pub fn run(cx: &Ctx, out: &mut Out) {
    for cfg in &cx.data.configs {
        let mut groups: BTreeMap<(String, crate::Direction, u32), Vec<&crate::SyncRule>> = BTreeMap::new();
        for r in enabled(cfg) {
            if let Some(p) = r.precedence {
                let conn = if r.connector_id.is_empty() { r.connector_name.to_ascii_lowercase() } else { r.connector_id.clone() };
                groups.entry((conn, r.direction, p)).or_default().push(r);
            }
        }
        for ((_, dir, p), rules) in groups {
            if rules.len() < 2 {
                continue;
            }
            let names: Vec<String> = rules.iter().map(|r| format!("\"{}\"", r.name)).collect();
            let ev = rules.iter().map(|r| rule_evidence(cfg, r, Vec::new())).collect();
            out.findings.push(
                Finding::new(
                    &META,
                    format!(
                        "{} {} rules on {} share precedence {p}: {} ({})",
                        rules.len(),
                        dir.as_str().to_lowercase(),
                        rules[0].connector_name,
                        names.join(", "),
                        cfg.label
                    ),
                    ev,
                )
                .with_subject(format!("{} precedence {p}", rules[0].connector_name)),
            );
        }
    }
}
