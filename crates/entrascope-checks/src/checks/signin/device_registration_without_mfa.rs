use std::collections::BTreeMap;

use entrascope_core::{declare_check, DataNeed, Finding};
use entrascope_logs::{AuthRequirement, Outcome, SignIn, SignInKind};

use super::{account, count, evidence, join_limited, mfa_shown};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Successful interactive sign-ins to the Device Registration Service
    /// (resource id `01cb2876-7ebd-4aa4-9cc9-d28bd4d359a9`), the sign-in that
    /// registers or joins a device to Entra ID, completed without
    /// multifactor authentication.
    ///
    /// ## Why it matters
    /// A registered device gets a Primary Refresh Token and can satisfy
    /// "require a registered device" policies. An attacker with only a
    /// password who registers a device of their own (AADInternals, ROADtools)
    /// turns one phished password into a persistent, trusted foothold. Device
    /// registration should always require MFA.
    ///
    /// ## How it works
    /// Selects successful interactive user sign-ins whose resource is the
    /// Device Registration Service (by id or name) and that show no
    /// multifactor authentication: the requirement is not multifactor, no
    /// secondary step succeeded, and no one-step multifactor method (Windows
    /// Hello for Business, FIDO2, passkey) was used. Sign-ins whose
    /// requirement is unknown and that carry no authentication steps are left
    /// out, since nothing can be said about them. Non-interactive sign-ins are
    /// left out: they are devices already registered renewing their tokens.
    /// One finding per account. Baseline: the device-registration branch of
    /// Sentinel *Suspicious Sign-ins to Privileged Account* (a73c52f2),
    /// linked from the guide, is commented "registered/joined without MFA"
    /// but filters on `AuthenticationRequirement =~ "multiFactorAuthentication"`,
    /// the opposite case, and reads the requirement only.
    ///
    /// ## False positives
    /// Windows Autopilot and bulk enrollment with a provisioning package
    /// (their own accounts), and tenants where a trusted-location policy
    /// exempts device registration on the corporate network. Prefer the
    /// "Register or join devices" user action in Conditional Access with MFA.
    ///
    /// ## How to respond
    /// Find the registered device (Entra ID > Devices, by the time and user in
    /// the evidence). If the user did not register it, delete the device,
    /// revoke the user's sessions and reset the password. Require MFA for the
    /// "Register or join devices" user action.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-devices
    /// - https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-cloud-apps#user-actions
    pub static META = {
        code: "SIGN-DEVICE-REG-NO-MFA",
        title: "Device registered or joined without MFA",
        severity: Medium,
        guide: ["devices-170"],
        inputs: [DataNeed::InteractiveSignIns],
        settings: [],
        optional_settings: [],
        tags: ["attack.t1098.005", "attack.t1078.004"],
    }
}

const DRS_ID: &str = "01cb2876-7ebd-4aa4-9cc9-d28bd4d359a9";
const DRS_NAME: &str = "Device Registration Service";

fn is_drs(cx: &Context, s: &SignIn) -> bool {
    cx.s(s.resource_id).eq_ignore_ascii_case(DRS_ID) || cx.s(s.resource_display).trim().eq_ignore_ascii_case(DRS_NAME)
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let mut by_account: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, s) in cx.user_signins() {
        if s.kind != SignInKind::Interactive || s.outcome != Outcome::Success || !is_drs(cx, s) {
            continue;
        }
        let known = s.auth_requirement != AuthRequirement::Unknown || !cx.ds.steps(s).is_empty();
        if known && !mfa_shown(cx, s) {
            by_account.entry(account(cx, s)).or_default().push(i);
        }
    }
    by_account
        .into_iter()
        .map(|(who, rows)| {
            let sign_ins = || rows.iter().map(|&i| &cx.ds.signins[i]);
            let ips = join_limited(sign_ins().map(|s| cx.s(s.ip)), 3);
            let apps = join_limited(sign_ins().map(|s| cx.s(s.app_display)), 3);
            let (ev, note) = evidence(cx, &rows);
            let summary = format!(
                "{who} authenticated to the Device Registration Service without MFA: {}{}{}{note}",
                count(rows.len(), "sign-in"),
                if apps.is_empty() { String::new() } else { format!(" via {apps}") },
                if ips.is_empty() { String::new() } else { format!(" from {ips}") },
            );
            Finding::new(&META, summary, ev).with_subject(who)
        })
        .collect()
}
