//! SYNC-PHS-DISABLED (sync-017).

use entrascope_core::{declare_check, DataNeed, Finding};

use super::{connector_evidence, enabled, setting_evidence, Ctx, Out};
use crate::model::{param, ConnectorKind, Direction};

declare_check! {
    /// ## What it detects
    /// Password hash synchronization off: MV.xml's `Microsoft.OptionalFeature.PasswordHashSync` = False and
    /// no AD connector with `password-hash-sync-config/enabled` = 1. Also a configuration where password
    /// hash sync is on but no enabled inbound rule carries `EnablePasswordSync` = true, so no hash flows.
    ///
    /// ## Why it matters
    /// Password hash sync is the privileged-access guide's stage-2 step: it enables leaked-credential
    /// detection in Identity Protection and is the fallback sign-in method when federation or
    /// pass-through authentication fails.
    ///
    /// ## How it works
    /// Enabled when the global option or any AD connector's flag is on. The catalogue also names rules with
    /// `EnablePasswordSync`; that flag alone does not show the feature is on (the built-in
    /// "In from AD - User AccountEnabled" rule carries it even when password hash sync is off, as the
    /// Contoso sample shows), so it is used only for the second case.
    ///
    /// ## False positives
    /// Tenants that decided against password hash sync (for example for regulatory reasons) and accept the
    /// loss of leaked-credential detection.
    ///
    /// ## How to respond
    /// Turn on password hash synchronization in the wizard ("Optional features"), even when federation or
    /// pass-through authentication stays the sign-in method.
    ///
    /// ## References
    /// - Securing privileged access, Stage 2 "Turn on password hash synchronization":
    ///   https://learn.microsoft.com/security/privileged-access-workstations/security-rapid-modernization-plan
    /// - Implement password hash synchronization:
    ///   https://learn.microsoft.com/entra/identity/hybrid/connect/how-to-connect-password-hash-synchronization
    pub static META = {
        code: "SYNC-PHS-DISABLED",
        title: "Password hash synchronization disabled",
        severity: Medium,
        guide: ["sync-017"],
        inputs: [DataNeed::ConnectConfig],
        settings: [],
        optional_settings: [],
        tags: [],
    }
}

pub fn run(cx: &Ctx, out: &mut Out) {
    for cfg in &cx.data.configs {
        let global = cfg.global.password_hash_sync();
        let ad: Vec<_> = cfg.connectors.iter().filter(|c| c.kind == ConnectorKind::ActiveDirectory).collect();
        let conn_on = ad.iter().any(|c| c.password_hash_sync == Some(true));
        let conn_known = ad.iter().any(|c| c.password_hash_sync.is_some());
        let on = global == Some(true) || conn_on;
        if !on && (global == Some(false) || conn_known) {
            let mut ev = Vec::new();
            if global.is_some() {
                ev.push(setting_evidence(cfg, param::PASSWORD_HASH_SYNC, Vec::new()));
            }
            for c in ad.iter().filter(|c| c.password_hash_sync == Some(false)) {
                ev.push(connector_evidence(cfg, c, "password-hash-sync-config/enabled", "0", 0));
            }
            out.findings.push(
                Finding::new(&META, format!("Password hash synchronization is off on {}", cfg.label), ev)
                    .with_subject(cfg.label.clone()),
            );
        } else if on
            && !cfg.rules.is_empty()
            && !enabled(cfg).any(|r| r.enable_password_sync && r.direction == Direction::Inbound)
        {
            let mut ev = Vec::new();
            if global == Some(true) {
                ev.push(setting_evidence(cfg, param::PASSWORD_HASH_SYNC, Vec::new()));
            }
            for c in ad.iter().filter(|c| c.password_hash_sync == Some(true)) {
                ev.push(connector_evidence(cfg, c, "password-hash-sync-config/enabled", "1", 0));
            }
            out.findings.push(
                Finding::new(
                    &META,
                    format!(
                        "Password hash synchronization is on for {}, but no enabled inbound rule has EnablePasswordSync, so no hash flows",
                        cfg.label
                    ),
                    ev,
                )
                .with_subject(cfg.label.clone()),
            );
        }
    }
}
