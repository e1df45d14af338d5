use std::collections::BTreeMap;

use entrascope_core::{declare_check, DataNeed, Finding};

use super::{activity, distinct, list, who, with_field};
use crate::context::unquote;
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Changes to PIM role settings (*Update role setting in PIM*), in any
    /// result, and among them the ones that weaken activation: multifactor
    /// authentication, approval or justification no longer required.
    ///
    /// ## Why it matters
    /// PIM settings decide what stands between an eligible account and an
    /// active role. Removing MFA-on-activation or approval for Global
    /// Administrator turns every eligible account into a one-click
    /// administrator; the guide says to always alert.
    ///
    /// ## How it works
    /// Selects *Update role setting in PIM* events (PIM service, any
    /// category). For each, the modified properties and the result reason
    /// are scanned for a weakening: a value mentioning
    /// `MultiFactorAuthentication`, `Approval`, `Justification` or
    /// `AuthenticationContext` present in the old value and gone from the
    /// new one, or a property about MFA, approval or justification going
    /// from true/enabled to false/disabled. The role is the event's target.
    /// One finding per actor; the summary names the roles and any weakening
    /// found.
    ///
    /// Baseline: Sentinel *Changes to PIM Settings* (0ed0fe7c) reports every
    /// update with its result reason; the weakening test is an addition that
    /// tells the reader where to look first.
    ///
    /// ## False positives
    /// Reviews of role settings by the PIM owner. Even planned, a removed
    /// MFA or approval requirement on a privileged role should be rare.
    ///
    /// ## How to respond
    /// Compare the old and new values in the evidence. Restore MFA (or an
    /// authentication context), approval and justification on privileged
    /// roles, and ask the actor for the change request.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-privileged-accounts#assignment-and-elevation
    /// - https://learn.microsoft.com/entra/id-governance/privileged-identity-management/pim-how-to-change-default-settings
    /// - Azure-Sentinel: Detections/AuditLogs/ChangestoPIMSettings.yaml (0ed0fe7c-af29-4990-af7f-bb5ccb231198)
    pub static META = {
        code: "AUDIT-PIM-SETTINGS-CHANGED",
        title: "PIM role settings changed",
        severity: High,
        guide: ["privileged-accounts-130", "pim-144"],
        inputs: [DataNeed::Audit],
        settings: [],
        optional_settings: [],
        tags: ["attack.t1556", "attack.t1098"],
    }
}

const CONTROLS: &[(&str, &str)] = &[
    ("multifactorauthentication", "MFA on activation"),
    ("mfa", "MFA on activation"),
    ("authenticationcontext", "authentication context"),
    ("approval", "approval"),
    ("justification", "justification"),
];

fn is_on(v: &str) -> bool {
    matches!(v.to_ascii_lowercase().as_str(), "true" | "enabled" | "required" | "1" | "yes")
}

fn is_off(v: &str) -> bool {
    matches!(v.to_ascii_lowercase().as_str(), "false" | "disabled" | "notrequired" | "not required" | "0" | "no" | "none" | "")
}

/// The activation controls a setting change removed.
pub(crate) fn weakened(cx: &Context, a: &entrascope_logs::AuditEvent) -> Vec<&'static str> {
    let mut out = Vec::new();
    for t in cx.ds.targets(a) {
        for p in cx.ds.modified(t) {
            let name = cx.s(p.name).to_ascii_lowercase();
            let (old, new) = (cx.s(p.old).to_ascii_lowercase(), cx.s(p.new).to_ascii_lowercase());
            for &(key, label) in CONTROLS {
                let listed = old.contains(key) && !new.contains(key);
                let flag = name.contains(key) && is_on(unquote(&old)) && is_off(unquote(&new));
                if (listed || flag) && !out.contains(&label) {
                    out.push(label);
                }
            }
        }
    }
    let reason = cx.s(a.result_reason).to_ascii_lowercase();
    for &(key, label) in CONTROLS {
        if reason.contains(key)
            && (reason.contains("disabled") || reason.contains("removed") || reason.contains("not required"))
            && !out.contains(&label)
        {
            out.push(label);
        }
    }
    out
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let mut by_actor: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, a) in cx.ds.audits.iter().enumerate() {
        if activity(cx, a) == "update role setting in pim" {
            by_actor.entry(cx.actor(a).to_lowercase()).or_default().push(i);
        }
    }
    by_actor
        .into_values()
        .map(|rows| {
            let actor = who(cx.actor(&cx.ds.audits[rows[0]]));
            let roles = distinct(rows.iter().flat_map(|&i| {
                cx.ds
                    .targets(&cx.ds.audits[i])
                    .iter()
                    .filter(|t| cx.s(t.kind).eq_ignore_ascii_case("Role"))
                    .map(|t| cx.s(t.display))
            }));
            let weak = distinct(rows.iter().flat_map(|&i| weakened(cx, &cx.ds.audits[i])));
            let on = if roles.is_empty() { String::new() } else { format!(" of {}", list(&roles, 4)) };
            let note = if weak.is_empty() { String::new() } else { format!(": no longer requires {}", weak.join(", ")) };
            let summary = format!("{actor} changed the PIM settings{on}{note}");
            let evidence = rows
                .iter()
                .map(|&i| {
                    let w = weakened(cx, &cx.ds.audits[i]).join(", ");
                    with_field(with_field(cx.ev_audit(i), "reason", cx.s(cx.ds.audits[i].result_reason)), "weakened", &w)
                })
                .collect();
            Finding::new(&META, summary, evidence).with_subject(actor)
        })
        .collect()
}
