//! SYNC-VERSION-BEHIND (sync-007).

use entrascope_core::{declare_check, DataNeed, Finding};

use super::{f, setting_evidence, ymd, Ctx, Out};
use crate::model::param;
use crate::versions;

declare_check! {
    /// ## What it detects
    /// An Entra Connect server more than six months behind: a newer release came out more than six
    /// months before `--now`.
    ///
    /// ## Why it matters
    /// Releases carry security fixes and, since 2023, each 2.x version retires 12 months after a newer
    /// one ships. The operations guide asks to stay within six months of the current version so that an
    /// upgrade is routine rather than an emergency.
    ///
    /// ## How it works
    /// MV.xml's `Microsoft.Synchronize.ServerConfigurationVersion` is compared with the release table
    /// embedded in the crate (`data/entra-connect-versions.csv`, snapshot 2026-09-16: Microsoft Learn's
    /// version history). The finding names the newest release that is newer than the installed version
    /// and was released at least six calendar months before `--now`. Versions newer than every release in
    /// the table are not reported (refresh the table).
    ///
    /// ## False positives
    /// A release the table lacks makes the check quieter, never louder. A server deliberately held back
    /// while a newer release is validated on the staging server.
    ///
    /// ## How to respond
    /// Upgrade (or enable auto-upgrade), staging server first. Read the version history for breaking
    /// changes (TLS 1.2, .NET, the hardened service account requirements of 2.5.79.0).
    ///
    /// ## References
    /// - Microsoft Entra operations reference guide (IAM), "Stay current":
    ///   https://learn.microsoft.com/entra/architecture/ops-guide-iam
    /// - Entra Connect version release history:
    ///   https://learn.microsoft.com/entra/identity/hybrid/connect/reference-connect-version-history
    pub static META = {
        code: "SYNC-VERSION-BEHIND",
        title: "Entra Connect version more than six months behind",
        severity: High,
        guide: ["sync-007"],
        inputs: [DataNeed::ConnectConfig],
        settings: [],
        optional_settings: [],
        tags: [],
    }
}

pub fn run(cx: &Ctx, out: &mut Out) {
    for cfg in &cx.data.configs {
        let Some(v) = cfg.global.version() else { continue };
        let Some(newer) = versions::six_months_behind(v, cx.now) else { continue };
        let latest = versions::latest(cx.now).map(|r| r.version.to_string()).unwrap_or_default();
        let ev = setting_evidence(
            cfg,
            param::VERSION,
            vec![
                f("newer release", newer.version),
                f("released", ymd(newer.released)),
                f("newest release", latest.clone()),
                f("release table", format!("snapshot {}", versions::SNAPSHOT)),
            ],
        );
        out.findings.push(
            Finding::new(
                &META,
                format!(
                    "{} runs Entra Connect {v}; {} was released on {}, more than six months ago (newest: {latest})",
                    cfg.label,
                    newer.version,
                    ymd(newer.released)
                ),
                vec![ev],
            )
            .with_subject(cfg.label.clone()),
        );
    }
}
