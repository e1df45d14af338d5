use entrascope_core::{declare_check, DataNeed, Finding, SettingKey};
use entrascope_logs::Sym;

use super::smart_lockout::LOCKED;
use super::{daily_spikes, evidence, spike_summary, user_key, Privileged};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Privileged accounts locked out by smart lockout (error 50053) on a
    /// day they are not usually locked out.
    ///
    /// ## Why it matters
    /// A locked-out administrator account has had at least the lockout
    /// threshold of wrong passwords (ten by default) in a short time, or its
    /// sign-in came from an address Microsoft knows as malicious. It is a
    /// targeted attempt on the accounts that control the tenant, and the
    /// lockout may also keep the administrator out when needed.
    ///
    /// ## How it works
    /// The guide: status failure, error 50053, against a baseline threshold,
    /// high. Privileged accounts are the `privileged_accounts` patterns, the
    /// break-glass accounts, and anyone added to a privileged directory role
    /// in the audit log (from then on). Their lockout sign-ins are counted
    /// per UTC day; a day is reported when it has at least one, and at least
    /// 3 times the account's median daily count over the other days of the
    /// export (quiet days count as zero). One finding per account and day.
    ///
    /// Baseline and improvement: the Sentinel hunting query *Privileged
    /// Accounts - Locked Out* (linked from the guide) lists every 50053 of
    /// accounts whose UEBA roles contain "Admin"; this check needs no UEBA
    /// (role holders come from the settings and the audit log) and does not
    /// repeat an account a broken script locks out every day.
    ///
    /// ## False positives
    /// An administrator's script or device using an old password.
    ///
    /// ## How to respond
    /// Contact the administrator. Find the source addresses in the evidence;
    /// if they are not the administrator's, block them, and confirm the
    /// account has phishing-resistant MFA and no legacy-protocol access.
    /// Break-glass accounts locked out need immediate attention: they must
    /// stay usable.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-privileged-accounts
    /// - https://learn.microsoft.com/entra/architecture/security-operations-consumer-accounts
    /// - https://learn.microsoft.com/entra/identity/authentication/howto-password-smart-lockout
    /// - Azure-Sentinel Hunting Queries/MultipleDataSources/PrivilegedAccountsLockedOut.yaml
    pub static META = {
        code: "SIGN-PRIV-LOCKOUT",
        title: "Privileged account locked out",
        severity: High,
        guide: ["privileged-accounts-103", "consumer-accounts-060"],
        inputs: [DataNeed::UserSignIns],
        settings: [SettingKey::PrivilegedAccounts],
        optional_settings: [SettingKey::BreakGlassAccounts],
        tags: ["attack.t1110", "attack.t1078.004"],
    }
}

const MULTIPLE: f64 = 3.0;

pub fn run(cx: &Context) -> Vec<Finding> {
    let mut privileged = Privileged::new(cx);
    let events: Vec<(Sym, usize)> =
        cx.user_signins().filter(|(_, s)| s.error_code == LOCKED && privileged.at(s)).map(|(i, s)| (user_key(s), i)).collect();
    daily_spikes(cx, &events, 1, MULTIPLE)
        .iter()
        .map(|spike| {
            let summary = format!("Privileged account {}", spike_summary(cx, spike, "lockout sign-in"));
            Finding::new(&META, summary, evidence(cx, &spike.rows, &[])).with_subject(cx.s(spike.user))
        })
        .collect()
}
