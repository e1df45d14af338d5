use std::collections::BTreeMap;

use entrascope_core::{declare_check, DataNeed, Finding};
use entrascope_logs::{Outcome, Tri};

use super::{account, count, distinct, evidence, join_limited};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Successful sign-ins from managed devices that are not compliant:
    /// devices enrolled in Intune (or another MDM) whose compliance
    /// evaluation failed, one finding per device.
    ///
    /// ## Why it matters
    /// A managed device falls out of compliance when it misses patches, loses
    /// its disk encryption or antivirus, or is jailbroken. If Conditional
    /// Access requires compliant devices, such a sign-in should not exist and
    /// shows a policy gap; if it does not yet, these are the devices most
    /// likely to leak tokens and data.
    ///
    /// ## How it works
    /// Selects successful user sign-ins with a device id whose
    /// `deviceDetail.isCompliant` is false and whose `isManaged` is true (or
    /// not reported). Graph reports `isCompliant: false` for every
    /// unregistered or merely registered personal device too; Sentinel's
    /// *Successful Signin From Non-Compliant Device* (99885ff5) and the
    /// guide's filter take `isCompliant == false` alone and so report every
    /// browser on a personal laptop. Requiring a managed device keeps the
    /// devices that were evaluated and failed; unknown devices are covered by
    /// the unknown-device check. One finding per device, with its name,
    /// operating system, users and applications.
    ///
    /// ## False positives
    /// Devices in their compliance grace period, or freshly enrolled devices
    /// not evaluated yet. The first and last time in the finding show how
    /// long the device stayed non-compliant.
    ///
    /// ## How to respond
    /// Look up the device in Intune to see which compliance setting fails and
    /// fix it with the owner. Require a compliant device in Conditional
    /// Access for the applications in the evidence.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-devices
    /// - https://learn.microsoft.com/entra/identity/conditional-access/policy-all-users-device-compliance
    /// - Azure-Sentinel Hunting Queries/SigninLogs/SuccessfulSigninFromNon-CompliantDevice.yaml
    pub static META = {
        code: "SIGN-NONCOMPLIANT-DEVICE",
        title: "Sign-ins from a non-compliant managed device",
        severity: High,
        guide: ["devices-173"],
        inputs: [DataNeed::UserSignIns],
        settings: [],
        optional_settings: [],
        tags: ["attack.t1078"],
    }
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let mut by_device: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, s) in cx.user_signins() {
        if s.outcome == Outcome::Success && !s.device_id.is_empty() && s.compliant == Tri::No && s.managed != Tri::No {
            by_device.entry(cx.s(s.device_id).to_lowercase()).or_default().push(i);
        }
    }
    by_device
        .into_iter()
        .map(|(id, rows)| {
            let sign_ins = || rows.iter().map(|&i| &cx.ds.signins[i]);
            let name = sign_ins().map(|s| cx.s(s.device_name)).find(|n| !n.is_empty()).unwrap_or("");
            let os = sign_ins().map(|s| cx.s(s.os)).find(|n| !n.is_empty()).unwrap_or("");
            let users = join_limited(sign_ins().map(|s| account(cx, s)), 3);
            let n_apps = distinct(sign_ins().map(|s| cx.s(s.app_display)));
            let (ev, note) = evidence(cx, &rows);
            let label = match (name.is_empty(), os.is_empty()) {
                (false, false) => format!("{name} ({os}, {id})"),
                (false, true) => format!("{name} ({id})"),
                (true, false) => format!("{id} ({os})"),
                (true, true) => id.clone(),
            };
            let summary = format!(
                "Non-compliant managed device {label}: {} by {users} to {}{note}",
                count(rows.len(), "successful sign-in"),
                count(n_apps, "application"),
            );
            Finding::new(&META, summary, ev).with_subject(if name.is_empty() { id.clone() } else { name.to_string() })
        })
        .collect()
}
