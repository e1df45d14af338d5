use entrascope_core::{declare_check, DataNeed, Finding, SettingKey};
use entrascope_logs::Sym;

use super::failed_password::BAD_PASSWORD;
use super::{daily_spikes, evidence, spike_summary, user_key, Privileged};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Privileged accounts with 5 or more wrong passwords (error 50126) in
    /// one day, and at least three times their usual daily count.
    ///
    /// ## Why it matters
    /// Administrators type their password rarely and carefully (or not at
    /// all, with passwordless sign-in). Repeated wrong passwords on an
    /// administrator account are someone trying to get into the most
    /// valuable account of the tenant.
    ///
    /// ## How it works
    /// The guide: status failure, error 50126, against a baseline threshold,
    /// high. Privileged accounts are the `privileged_accounts` patterns, the
    /// break-glass accounts, and anyone added to a privileged directory role
    /// in the audit log (from then on). Their 50126 failures are counted per
    /// UTC day; the baseline is the account's median daily count over the
    /// other days of the export (quiet days count as zero). A day is reported
    /// when the count is at least 5 and at least 3 times that median: half
    /// the user threshold, because the guide rates this row high.
    ///
    /// Baseline and improvement: the Sentinel rule *Privileged Accounts -
    /// Sign in Failure Spikes* (34c5aff9) needs UEBA role data and a 14-day
    /// hourly anomaly model with a baseline above 5; this check takes role
    /// holders from the settings and the audit log, and a per-account median
    /// that works on a few days of export.
    ///
    /// ## False positives
    /// An administrator with a script or device still using an old password.
    ///
    /// ## How to respond
    /// Confirm with the administrator. If the failures are not theirs, block
    /// the source addresses, make sure the account uses phishing-resistant
    /// MFA and cannot use legacy protocols, and watch for a later accepted
    /// password from the same addresses.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-privileged-accounts
    /// - https://learn.microsoft.com/entra/architecture/security-operations-consumer-accounts
    /// - Azure-Sentinel Detections/MultipleDataSources/PrivilegedAccountsSigninFailureSpikes.yaml (34c5aff9-c3b1-4e9f-9c90-5d6afd191552)
    pub static META = {
        code: "SIGN-PRIV-FAILED-PASSWORD",
        title: "Wrong passwords for a privileged account",
        severity: High,
        guide: ["privileged-accounts-097", "consumer-accounts-057"],
        inputs: [DataNeed::UserSignIns],
        settings: [SettingKey::PrivilegedAccounts],
        optional_settings: [SettingKey::BreakGlassAccounts],
        tags: ["attack.t1110", "attack.t1078.004"],
    }
}

const FLOOR: usize = 5;
const MULTIPLE: f64 = 3.0;

pub fn run(cx: &Context) -> Vec<Finding> {
    let mut privileged = Privileged::new(cx);
    let events: Vec<(Sym, usize)> = cx
        .user_signins()
        .filter(|(_, s)| s.error_code == BAD_PASSWORD && privileged.at(s))
        .map(|(i, s)| (user_key(s), i))
        .collect();
    daily_spikes(cx, &events, FLOOR, MULTIPLE)
        .iter()
        .map(|spike| {
            let summary = format!("Privileged account {}", spike_summary(cx, spike, "wrong password"));
            Finding::new(&META, summary, evidence(cx, &spike.rows, &[])).with_subject(cx.s(spike.user))
        })
        .collect()
}
