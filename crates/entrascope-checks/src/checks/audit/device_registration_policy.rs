use std::collections::BTreeMap;

use entrascope_core::{declare_check, DataNeed, Finding, Severity};

use super::{activity, distinct, list, who, with_field};
use crate::context::unquote;
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Changes to the tenant's device registration policy (*Set device
    /// registration policies*), and in particular the setting "Require
    /// multifactor authentication to register or join devices" being turned
    /// off.
    ///
    /// ## Why it matters
    /// Without MFA on registration, anyone holding a password can register
    /// or join a device, and a registered device then satisfies device-based
    /// Conditional Access and receives a Primary Refresh Token: a durable
    /// foothold from a single phished password.
    ///
    /// ## How it works
    /// Selects audit events whose activity names the device registration
    /// policy (*Set device registration policies*, Device Registration
    /// Service), in any result. When a modified property about multifactor
    /// authentication (name containing `MultiFactor` or `Mfa`) goes to
    /// false, disabled or not required, the finding says MFA was turned off
    /// and is high; other changes are reported as medium with the modified
    /// properties in the evidence, since the guide notes that this toggle is
    /// not always audited and a change to the policy may include it. One
    /// finding per actor.
    ///
    /// The guide also says there is no audit entry for the toggle in some
    /// tenants and recommends a periodic configuration check: an absence of
    /// findings does not prove the toggle is on (the Conditional Access
    /// user action "Register or join devices" is the recommended control).
    ///
    /// ## False positives
    /// Moving the MFA requirement from the tenant toggle to a Conditional
    /// Access policy with the "Register or join devices" user action, which
    /// Microsoft recommends (the toggle must be off for the policy to take
    /// effect). Confirm such a policy exists and is enabled.
    ///
    /// ## How to respond
    /// Check Devices > Device settings. If MFA for registration is off and
    /// no Conditional Access policy for "Register or join devices" requires
    /// MFA, turn it back on, and review devices registered since the change.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-devices#device-registrations-and-joins-outside-policy
    /// - https://learn.microsoft.com/entra/identity/conditional-access/how-to-policy-mfa-device-register-join
    /// - https://learn.microsoft.com/graph/api/resources/deviceregistrationpolicy
    pub static META = {
        code: "AUDIT-DEVICE-REGISTRATION-POLICY",
        title: "Device registration policy changed",
        severity: High,
        guide: ["devices-171"],
        inputs: [DataNeed::Audit],
        settings: [],
        optional_settings: [],
        tags: ["attack.t1098.005", "attack.t1556"],
    }
}

fn turned_off(v: &str) -> bool {
    let v = unquote(v).to_ascii_lowercase();
    matches!(v.as_str(), "false" | "0" | "disabled" | "notrequired" | "not required" | "no")
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let mut by_actor: BTreeMap<String, Vec<(usize, bool)>> = BTreeMap::new();
    for (i, a) in cx.ds.audits.iter().enumerate() {
        let act = activity(cx, a);
        if !act.contains("device registration polic") {
            continue;
        }
        let mfa_off = cx.ds.targets(a).iter().flat_map(|t| cx.ds.modified(t)).any(|p| {
            let name = cx.s(p.name).to_ascii_lowercase();
            (name.contains("multifactor") || name.contains("mfa")) && turned_off(cx.s(p.new)) && !turned_off(cx.s(p.old))
        });
        by_actor.entry(cx.actor(a).to_lowercase()).or_default().push((i, mfa_off));
    }
    by_actor
        .into_values()
        .map(|rows| {
            let actor = who(cx.actor(&cx.ds.audits[rows[0].0]));
            let mfa_off = rows.iter().any(|r| r.1);
            let props =
                distinct(rows.iter().flat_map(|r| {
                    cx.ds.targets(&cx.ds.audits[r.0]).iter().flat_map(|t| cx.ds.modified(t)).map(|p| cx.s(p.name))
                }));
            let summary = if mfa_off {
                format!("{actor} turned off multifactor authentication for device registration and join")
            } else if props.is_empty() {
                format!("{actor} changed the device registration policy (the log does not say which setting)")
            } else {
                format!("{actor} changed the device registration policy ({})", list(&props, 4))
            };
            let evidence =
                rows.iter().map(|r| with_field(cx.ev_audit(r.0), "mfa_turned_off", if r.1 { "yes" } else { "" })).collect();
            let f = Finding::new(&META, summary, evidence).with_subject(actor);
            if mfa_off {
                f
            } else {
                f.with_severity(Severity::Medium)
            }
        })
        .collect()
}
