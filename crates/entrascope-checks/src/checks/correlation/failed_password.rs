use entrascope_core::{declare_check, DataNeed, Finding, SettingKey, Severity};
use entrascope_logs::Sym;

use super::{accounts_per_day, daily_spikes, evidence, spike_summary, user_key, Privileged, MANY_ACCOUNTS};
use crate::refdata::is_b2c_app;
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Accounts with an unusual number of wrong passwords (error 50126) in
    /// one day: at least 10, and at least three times the account's usual
    /// daily count. High when the account is privileged or when at least 5
    /// accounts cross their threshold on the same day.
    ///
    /// ## Why it matters
    /// A burst of wrong passwords on one account is someone guessing it, or
    /// a device stuck on an old password that will soon lock the user out.
    /// Many accounts at once is an attack on the organization rather than
    /// on a person (spray, credential stuffing), which the guide rates high.
    ///
    /// ## How it works
    /// The guide: status failed with error 50126, against "a baseline
    /// threshold" adjusted to the organization. Counts each account's 50126
    /// failures per UTC day (user sign-ins, interactive and non-interactive).
    /// The baseline is the account's own median daily count over the other
    /// days of the export (days without failures count as zero); a day is
    /// reported when its count is at least 10 and at least 3 times that
    /// median. One finding per account and day with every failure as
    /// evidence. Consumer (Azure AD B2C) applications (*CPIM PowerShell
    /// Client*, *ProxyIdentityExperienceFramework*) answer the
    /// consumer-accounts row; the others the user-accounts row.
    ///
    /// Baseline and improvement: the linked Sentinel query *Spike in failed
    /// sign-in events* (51f4faf9) decomposes a 14-day hourly series per user;
    /// this check uses a robust per-account median that works on a few days
    /// of export, so an account that fails 20 times every day (a scripted
    /// client with an old password) is judged against itself and not
    /// reported daily, while a first burst is.
    ///
    /// ## False positives
    /// A user who changed their password and has a phone or mail client
    /// still trying the old one: the evidence shows one device and one
    /// client app retrying.
    ///
    /// ## How to respond
    /// Look at where the failures come from. One of the user's own devices:
    /// update its stored password. Unknown addresses: the account is being
    /// guessed; make sure it has MFA and no legacy-protocol access, and look
    /// for an accepted password from the same addresses (brute-force check).
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-user-accounts
    /// - https://learn.microsoft.com/entra/architecture/security-operations-consumer-accounts
    /// - Azure-Sentinel Detections/SigninLogs/SpikeInFailedSignInAttempts.yaml (51f4faf9-c3b1-4e9f-9c90-5d6afd191552)
    pub static META = {
        code: "SIGN-FAILED-PASSWORD-SPIKE",
        title: "Unusual number of wrong passwords for an account in one day",
        severity: Medium,
        guide: ["user-accounts-029", "consumer-accounts-051"],
        inputs: [DataNeed::UserSignIns],
        settings: [],
        optional_settings: [SettingKey::PrivilegedAccounts],
        tags: ["attack.t1110", "attack.credential-access"],
    }
}

/// The guide's code: invalid user name or password.
pub(crate) const BAD_PASSWORD: u32 = 50126;
const FLOOR: usize = 10;
const MULTIPLE: f64 = 3.0;

pub fn run(cx: &Context) -> Vec<Finding> {
    let events: Vec<(Sym, usize)> =
        cx.user_signins().filter(|(_, s)| s.error_code == BAD_PASSWORD).map(|(i, s)| (user_key(s), i)).collect();
    let spikes = daily_spikes(cx, &events, FLOOR, MULTIPLE);
    let per_day = accounts_per_day(&spikes);
    let mut privileged = Privileged::new(cx);
    spikes
        .iter()
        .map(|spike| {
            let vip = spike.rows.iter().any(|&r| privileged.at(&cx.ds.signins[r]));
            let many = per_day.get(&spike.day).copied().unwrap_or(0);
            let mut summary = spike_summary(cx, spike, "wrong password");
            if vip {
                summary.push_str("; privileged account");
            }
            if many >= MANY_ACCOUNTS {
                summary.push_str(&format!("; {many} accounts crossed their threshold that day"));
            }
            let b2c = spike.rows.iter().filter(|&&r| is_b2c_app(cx.s(cx.ds.signins[r].app_display))).count();
            let guide: Vec<&str> = match (b2c, spike.rows.len() - b2c) {
                (0, _) => vec!["user-accounts-029"],
                (_, 0) => vec!["consumer-accounts-051"],
                _ => vec!["user-accounts-029", "consumer-accounts-051"],
            };
            let f = Finding::new(&META, summary, evidence(cx, &spike.rows, &[])).with_subject(cx.s(spike.user)).with_guide(&guide);
            if vip || many >= MANY_ACCOUNTS {
                f.with_severity(Severity::High)
            } else {
                f
            }
        })
        .collect()
}
