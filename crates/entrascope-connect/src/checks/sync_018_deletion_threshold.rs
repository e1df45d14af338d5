//! SYNC-DELETE-THRESHOLD-OFF (sync-018).

use entrascope_core::{declare_check, DataNeed, Finding};

use super::{setting_evidence, Ctx, Out};
use crate::model::param;

declare_check! {
    /// ## What it detects
    /// Accidental-delete protection turned off: `Microsoft.OptionalFeature.ExportDeletionThreshold` = False.
    ///
    /// ## Why it matters
    /// The export deletion threshold stops an export that would delete more objects than the threshold
    /// (500 by default) in Entra ID. Without it, one wrong OU filter, a removed group in group filtering,
    /// or a domain controller answering with an empty container deletes users, groups and their mailboxes'
    /// links in the cloud in one cycle.
    ///
    /// ## How it works
    /// Reads the MV.xml parameter; `False` is a finding, with the threshold value as evidence.
    ///
    /// ## False positives
    /// Protection turned off for the duration of a planned mass deletion and not yet turned back on.
    ///
    /// ## How to respond
    /// `Enable-ADSyncExportDeletionThreshold -DeletionThreshold 500` (or a value that fits the tenant), and
    /// review the deletions whenever the threshold stops an export.
    ///
    /// ## References
    /// - Prevent accidental deletes:
    ///   https://learn.microsoft.com/entra/identity/hybrid/connect/how-to-connect-sync-feature-prevent-accidental-deletes
    pub static META = {
        code: "SYNC-DELETE-THRESHOLD-OFF",
        title: "Accidental-delete protection (export deletion threshold) disabled",
        severity: Medium,
        guide: ["sync-018"],
        inputs: [DataNeed::ConnectConfig],
        settings: [],
        optional_settings: [],
        tags: [],
    }
}

pub fn run(cx: &Ctx, out: &mut Out) {
    for cfg in &cx.data.configs {
        if cfg.global.deletion_threshold_enabled() != Some(false) {
            continue;
        }
        let mut ev = vec![setting_evidence(cfg, param::DELETION_THRESHOLD, Vec::new())];
        if cfg.global.get(param::DELETION_THRESHOLD_VALUE).is_some() {
            ev.push(setting_evidence(cfg, param::DELETION_THRESHOLD_VALUE, Vec::new()));
        }
        out.findings.push(
            Finding::new(&META, format!("Accidental-delete protection is off on {}", cfg.label), ev)
                .with_subject(cfg.label.clone()),
        );
    }
}
