use std::collections::BTreeMap;

use entrascope_core::{declare_check, DataNeed, Finding, SettingKey, Severity};
use entrascope_logs::{Outcome, SignInKind};

use super::country_success::foreign;
use super::{account, count, evidence, join_limited, password_only};
use crate::context::Fact;
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Successful interactive sign-ins from an unknown device (no Entra
    /// device id), with a password alone, from an address outside
    /// `trusted_networks`: none of the three controls the guide lists
    /// (known device, MFA, trusted location) was present.
    ///
    /// ## Why it matters
    /// A sign-in that is unmanaged, single-factor and from an untrusted
    /// network is exactly what a stolen password looks like. Each of the
    /// three alone is common; all three together mean no control at all
    /// protected the session.
    ///
    /// ## How it works
    /// Selects successful interactive user sign-ins whose device id is empty,
    /// whose authentication requirement is single-factor with no second
    /// factor or one-step multifactor method in the authentication steps, and
    /// whose address is not in `trusted_networks` (the export has no named
    /// locations, so the trusted networks stand in for them). One finding per
    /// account. Raised to medium for privileged accounts (settings, or role
    /// assignments in the audit log) and for sign-ins from a country outside
    /// `operating_countries` when that is set. Baseline: the unknown-device
    /// branch of Sentinel *Suspicious Sign-ins to Privileged Account*
    /// (a73c52f2): empty device id, single-factor, no network location,
    /// successful; *AnomolousSingleFactorSignin* (f7c3f5c8) adds unseen
    /// location and ASN, which needs history an export rarely has.
    ///
    /// ## False positives
    /// Users on personal devices where policy deliberately asks for no MFA,
    /// and offices whose egress addresses are missing from
    /// `trusted_networks`. Complete the list, or require MFA outside it.
    ///
    /// ## How to respond
    /// Ask the user whether they signed in from that address. Require MFA (or
    /// a compliant device) for sign-ins from outside trusted networks with
    /// Conditional Access.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-devices
    /// - Azure-Sentinel Detections/SigninLogs/AnomolousSingleFactorSignin.yaml
    pub static META = {
        code: "SIGN-UNKNOWN-DEVICE-SINGLE-FACTOR",
        title: "Unknown device, password only, untrusted network",
        severity: Low,
        guide: ["devices-174"],
        inputs: [DataNeed::InteractiveSignIns],
        settings: [SettingKey::TrustedNetworks],
        optional_settings: [SettingKey::OperatingCountries, SettingKey::PrivilegedAccounts],
        tags: ["attack.t1078"],
    }
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let mut by_account: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, s) in cx.user_signins() {
        if s.kind == SignInKind::Interactive
            && s.outcome == Outcome::Success
            && s.device_id.is_empty()
            && password_only(cx, s)
            && !cx.fact(s.ip, Fact::TrustedNetwork)
        {
            by_account.entry(account(cx, s)).or_default().push(i);
        }
    }
    by_account
        .into_iter()
        .map(|(who, rows)| {
            let sign_ins = || rows.iter().map(|&i| &cx.ds.signins[i]);
            let privileged = sign_ins().any(|s| cx.is_privileged(who, s.time));
            let abroad = !cx.operating_countries.is_empty() && sign_ins().any(|s| foreign(cx, s));
            let ips = join_limited(sign_ins().map(|s| cx.s(s.ip)), 3);
            let apps = join_limited(sign_ins().map(|s| cx.s(s.app_display)), 3);
            let (ev, note) = evidence(cx, &rows);
            let summary = format!(
                "{}{who}: {} from an unknown device with a password alone, outside the trusted networks{}{}{}{note}",
                if privileged { "Privileged account " } else { "" },
                count(rows.len(), "sign-in"),
                if ips.is_empty() { String::new() } else { format!(" ({ips})") },
                if apps.is_empty() { String::new() } else { format!(", to {apps}") },
                if abroad { "; some from outside the operating countries" } else { "" },
            );
            let f = Finding::new(&META, summary, ev).with_subject(who);
            if privileged || abroad {
                f.with_severity(Severity::Medium)
            } else {
                f
            }
        })
        .collect()
}
