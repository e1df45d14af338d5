//! SYNC-VERSION-UNSUPPORTED (sync-008).

use entrascope_core::{declare_check, DataNeed, Finding};

use super::{f, setting_evidence, ymd, Ctx, Out};
use crate::model::param;
use crate::versions;

declare_check! {
    /// ## What it detects
    /// An Entra Connect server running a version that is out of support at `--now`.
    ///
    /// ## Why it matters
    /// Unsupported versions get no fixes, and Microsoft has stopped synchronization for retired versions
    /// before ("All Microsoft Entra Connect Sync 1.x versions are unsupported and synchronization doesn't
    /// function"). Support cases on them are refused.
    ///
    /// ## How it works
    /// MV.xml's `ServerConfigurationVersion` against the embedded release table (snapshot 2026-09-16) and
    /// the published policy: every 1.x version is unsupported; a 2.x version retires on the end-of-support
    /// date the table gives, or, when the table gives none, 12 months after the next newer release; and
    /// from 30 September 2026 every version below 2.5.79.0 is unsupported (hardening requirement).
    ///
    /// ## False positives
    /// None from the policy itself; a stale table can only miss newer retirements (refresh it).
    ///
    /// ## How to respond
    /// Upgrade to the current release now (in-place upgrade, or swing migration through the staging
    /// server for 1.x), then keep auto-upgrade on.
    ///
    /// ## References
    /// - Entra Connect version release history and retirement policy:
    ///   https://learn.microsoft.com/entra/identity/hybrid/connect/reference-connect-version-history
    /// - Entra Connect Sync hardening (2.5.79.0 minimum):
    ///   https://learn.microsoft.com/entra/identity/hybrid/connect/how-to-connect-sync-whatis
    pub static META = {
        code: "SYNC-VERSION-UNSUPPORTED",
        title: "Entra Connect version out of support",
        severity: High,
        guide: ["sync-008"],
        inputs: [DataNeed::ConnectConfig],
        settings: [],
        optional_settings: [],
        tags: [],
    }
}

pub fn run(cx: &Ctx, out: &mut Out) {
    for cfg in &cx.data.configs {
        let Some(v) = cfg.global.version() else { continue };
        let Some(u) = versions::unsupported(v, cx.now) else { continue };
        let latest = versions::latest(cx.now).map(|r| r.version.to_string()).unwrap_or_default();
        let mut extra = vec![f("reason", &u.reason), f("newest release", latest.clone())];
        if let Some(since) = u.since {
            extra.push(f("unsupported since", ymd(since)));
        }
        let ev = setting_evidence(cfg, param::VERSION, extra);
        out.findings.push(
            Finding::new(
                &META,
                format!("{} runs Entra Connect {v}, out of support: {} (newest: {latest})", cfg.label, u.reason),
                vec![ev],
            )
            .with_subject(cfg.label.clone()),
        );
    }
}
