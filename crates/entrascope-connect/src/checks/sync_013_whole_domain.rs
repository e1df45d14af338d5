//! SYNC-WHOLE-DOMAIN-SCOPE (sync-013).

use entrascope_core::{declare_check, DataNeed, Evidence, Finding};

use super::{f, Ctx, Out};
use crate::model::ConnectorKind;

declare_check! {
    /// ## What it detects
    /// A selected Active Directory partition whose container inclusions are the domain root with no
    /// exclusions: the whole domain is in synchronization scope, with no OU filtering.
    ///
    /// ## Why it matters
    /// Synchronizing everything imports service accounts, disabled and test objects, and objects that are
    /// never exported, which slows every cycle and puts accounts in Entra ID that should not be there. The
    /// operations guide recommends OU filtering (plus `cloudFiltered` where needed).
    ///
    /// ## How it works
    /// For every AD connector, each selected partition is a finding when one of its inclusions is the
    /// partition's own DN (compared without case and spaces after commas) and it has no exclusions. A
    /// partition with no inclusions at all is not reported (the export does not say what that means).
    ///
    /// ## False positives
    /// Small, clean domains where everything must be synchronized; filtering done by attribute
    /// (`cloudFiltered`) instead of OU.
    ///
    /// ## How to respond
    /// In the wizard's "Domain and OU filtering", select only the OUs that hold users, groups, contacts
    /// and devices to synchronize; run on the staging server first and compare the export counts.
    ///
    /// ## References
    /// - Microsoft Entra operations reference guide (IAM), "Synchronization scope":
    ///   https://learn.microsoft.com/entra/architecture/ops-guide-iam
    /// - Configure filtering (organizational-unit-based filtering):
    ///   https://learn.microsoft.com/entra/identity/hybrid/connect/how-to-connect-sync-configure-filtering
    pub static META = {
        code: "SYNC-WHOLE-DOMAIN-SCOPE",
        title: "Whole domain in sync scope with no OU filtering",
        severity: Low,
        guide: ["sync-013"],
        inputs: [DataNeed::ConnectConfig],
        settings: [],
        optional_settings: [],
        tags: [],
    }
}

/// A DN for comparison: lowercase, no spaces around separators.
fn norm_dn(dn: &str) -> String {
    dn.split(',')
        .map(|p| p.split('=').map(|x| x.trim()).collect::<Vec<_>>().join("="))
        .collect::<Vec<_>>()
        .join(",")
        .to_ascii_lowercase()
}

pub fn run(cx: &Ctx, out: &mut Out) {
    for cfg in &cx.data.configs {
        for c in cfg.connectors.iter().filter(|c| c.kind == ConnectorKind::ActiveDirectory) {
            for p in c.partitions.iter().filter(|p| p.selected) {
                let root = norm_dn(&p.name);
                if root.is_empty() || !p.exclusions.is_empty() || !p.inclusions.iter().any(|i| norm_dn(i) == root) {
                    continue;
                }
                let ev = Evidence {
                    input: c.origin.input,
                    line: p.line,
                    id: p.name.clone(),
                    time: None,
                    record: None,
                    fields: vec![
                        f("configuration", &cfg.label),
                        f("connector", &c.name),
                        f("partition", &p.name),
                        f("inclusions", p.inclusions.join("; ")),
                        f("exclusions", "(none)"),
                    ],
                };
                out.findings.push(
                    Finding::new(
                        &META,
                        format!(
                            "The whole domain {} of connector {} is in sync scope, with no OU filtering ({})",
                            p.name, c.name, cfg.label
                        ),
                        vec![ev],
                    )
                    .with_subject(p.name.clone()),
                );
            }
        }
    }
}
