use std::collections::BTreeMap;

use entrascope_core::{declare_check, DataNeed, Finding};

use super::{activity, distinct, list, who, with_field};
use crate::context::unquote;
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Privileged Identity Management security alerts being switched off:
    /// *Disable PIM alert*, and *Update PIM alert setting* events whose
    /// modified properties turn an alert's enabled flag to false.
    ///
    /// ## Why it matters
    /// PIM's alerts ("roles assigned outside PIM", "roles activated too
    /// frequently", "roles don't require MFA for activation") are the tripwires
    /// an attacker with role-management rights wants gone before acting.
    /// The guide says to always alert, on success or failure.
    ///
    /// ## How it works
    /// Selects *Disable PIM alert* in any result, and *Update PIM alert
    /// setting* when a modified property whose name contains `enabled` goes
    /// to `false` (or `disabled`). The alert's name is the event's target.
    /// One finding per actor.
    ///
    /// Baseline: Sentinel *Detect PIM Alert Disabling activity* (1f3b4dfd):
    /// service PIM, category RoleManagement, activity has "Disable PIM
    /// Alert". The alert-setting update path is an addition.
    ///
    /// ## False positives
    /// Tuning by the PIM owner (an alert that fires constantly). Even then,
    /// a disabled alert should be recorded as a decision.
    ///
    /// ## How to respond
    /// Ask the actor why; re-enable the alert (PIM > Microsoft Entra roles >
    /// Alerts > Settings). If unexplained, review the actor's role changes
    /// and activations around the same time.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-privileged-identity-management
    /// - https://learn.microsoft.com/entra/id-governance/privileged-identity-management/pim-how-to-configure-security-alerts
    /// - Azure-Sentinel: Detections/SecurityAlert/DetectPIMAlertDisablingActivity.yaml (1f3b4dfd-21ff-4ed3-8e27-afc219e05c50)
    pub static META = {
        code: "AUDIT-PIM-ALERT-DISABLED",
        title: "PIM security alert disabled",
        severity: High,
        guide: ["privileged-accounts-113", "pim-146"],
        inputs: [DataNeed::Audit],
        settings: [],
        optional_settings: [],
        tags: ["attack.t1562.001", "attack.t1098"],
    }
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let mut by_actor: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, a) in cx.ds.audits.iter().enumerate() {
        let act = activity(cx, a);
        let disabled = act == "disable pim alert"
            || (act == "update pim alert setting"
                && cx.ds.targets(a).iter().flat_map(|t| cx.ds.modified(t)).any(|p| {
                    let v = unquote(cx.s(p.new));
                    cx.s(p.name).to_ascii_lowercase().contains("enabled")
                        && (v.eq_ignore_ascii_case("false") || v.eq_ignore_ascii_case("disabled"))
                }));
        if disabled {
            by_actor.entry(cx.actor(a).to_lowercase()).or_default().push(i);
        }
    }
    by_actor
        .into_values()
        .map(|rows| {
            let actor = who(cx.actor(&cx.ds.audits[rows[0]]));
            let alerts = distinct(rows.iter().flat_map(|&i| cx.ds.targets(&cx.ds.audits[i]).iter().map(|t| cx.s(t.display))));
            let what = if alerts.is_empty() { "a PIM security alert".to_string() } else { list(&alerts, 4) };
            let summary = format!("{actor} disabled {what}");
            let evidence =
                rows.iter().map(|&i| with_field(cx.ev_audit(i), "reason", cx.s(cx.ds.audits[i].result_reason))).collect();
            Finding::new(&META, summary, evidence).with_subject(actor)
        })
        .collect()
}
