//! SYNC-SCHEDULER (sync-014).

use entrascope_core::{declare_check, DataNeed, Finding};

use super::{setting_evidence, Ctx, Out};
use crate::model::param;

/// The default (and recommended maximum) delta sync interval, in seconds.
pub const MAX_INTERVAL_SECS: u64 = 30 * 60;

declare_check! {
    /// ## What it detects
    /// A scheduler that does not run a sync cycle at least every 30 minutes: `Microsoft.Synchronize.TimeInterval`
    /// above `00:30:00`, `Microsoft.Synchronize.SchedulerSuspended` = True, or
    /// `Microsoft.Synchronize.SynchronizationSchedule` = False (sync cycles disabled).
    ///
    /// ## Why it matters
    /// Changes in Active Directory (new hires, leavers, disabled accounts, group changes) reach Entra ID
    /// only when a cycle runs. A longer interval, a suspended scheduler (often left behind after
    /// maintenance or an upgrade) or a disabled cycle means a disabled user keeps cloud access for hours or
    /// indefinitely.
    ///
    /// ## How it works
    /// The three MV.xml parameters are read; each one out of line is named in a single finding per
    /// configuration, with the setting as evidence. The interval threshold is 30 minutes (the default).
    ///
    /// ## False positives
    /// A scheduler suspended on purpose during a maintenance window when the export was taken.
    ///
    /// ## How to respond
    /// `Set-ADSyncScheduler -CustomizedSyncCycleInterval 00:30:00`, `Set-ADSyncScheduler -SyncCycleEnabled $true`,
    /// and `Start-ADSyncSyncCycle` after maintenance; check `Get-ADSyncScheduler` afterwards.
    ///
    /// ## References
    /// - Entra Connect Sync scheduler:
    ///   https://learn.microsoft.com/entra/identity/hybrid/connect/how-to-connect-sync-feature-scheduler
    /// - Microsoft Entra operations reference guide (IAM), delta sync cycle baseline:
    ///   https://learn.microsoft.com/entra/architecture/ops-guide-iam
    pub static META = {
        code: "SYNC-SCHEDULER",
        title: "Sync scheduler slower than 30 minutes, suspended or disabled",
        severity: Medium,
        guide: ["sync-014"],
        inputs: [DataNeed::ConnectConfig],
        settings: [],
        optional_settings: [],
        tags: [],
    }
}

pub fn run(cx: &Ctx, out: &mut Out) {
    for cfg in &cx.data.configs {
        let g = &cfg.global;
        let mut why = Vec::new();
        let mut ev = Vec::new();
        if let Some(secs) = g.time_interval_secs().filter(|s| *s > MAX_INTERVAL_SECS) {
            why.push(format!("the sync interval is {} minutes (at most 30)", secs / 60));
            ev.push(setting_evidence(cfg, param::TIME_INTERVAL, Vec::new()));
        }
        if g.scheduler_suspended() == Some(true) {
            why.push("the scheduler is suspended".to_string());
            ev.push(setting_evidence(cfg, param::SCHEDULER_SUSPENDED, Vec::new()));
        }
        if g.sync_schedule() == Some(false) {
            why.push("sync cycles are disabled".to_string());
            ev.push(setting_evidence(cfg, param::SYNC_SCHEDULE, Vec::new()));
        }
        if !why.is_empty() {
            out.findings
                .push(Finding::new(&META, format!("On {}, {}", cfg.label, why.join("; ")), ev).with_subject(cfg.label.clone()));
        }
    }
}
