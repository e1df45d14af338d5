use std::collections::BTreeMap;

use entrascope_core::{declare_check, DataNeed, Finding, SettingKey, Severity};
use entrascope_logs::Outcome;

use super::country_success::foreign;
use super::{account, count, distinct, evidence, join_limited};
use crate::refdata::{error_code_first_factor_passed, is_b2c_app};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Failed and interrupted sign-ins from a country or region outside
    /// `operating_countries`, one finding per country, and whether any of them
    /// got past the password.
    ///
    /// ## Why it matters
    /// Password spraying and credential stuffing usually come from abroad.
    /// Most such failures are noise, but a failure that only happens after the
    /// password was accepted (MFA required or denied, blocked by Conditional
    /// Access, password expired) means the attacker has a working password.
    ///
    /// ## How it works
    /// Selects user sign-ins that did not succeed (status failure or
    /// interrupted) whose country is known and not in the list, and whose
    /// address is not in `trusted_networks`. One finding per country with the
    /// number of attempts, accounts and addresses. Each error code is looked
    /// up in `data/signin-error-codes.tsv`: codes that are only returned after
    /// the first factor was accepted (53003, 50074, 50076, 500121, 50055...,
    /// the "success codes" of Sentinel's *SigninPasswordSpray*) name the
    /// accounts whose password works, and raise the finding to high. Sentinel
    /// *Authentication Attempt from New Country* (ef895ada) compares with
    /// countries seen in the previous two weeks and drops wrong-password
    /// codes; this check uses the organization's own list and keeps every
    /// failure, ranking by what the error code proves. The Azure AD B2C
    /// variant of the row (applications *CPIM PowerShell Client* and
    /// *ProxyIdentityExperienceFramework*) is the same test; findings that
    /// involve those applications also cite it.
    ///
    /// ## False positives
    /// Travelling users who mistype their password, and mail clients abroad
    /// retrying an old password. A success from the same account and country
    /// (see the successful-sign-in check) usually means travel.
    ///
    /// ## How to respond
    /// For accounts whose password was accepted: reset the password, revoke
    /// sessions, and check for successful sign-ins from the same addresses.
    /// For mass failures: make sure smart lockout and MFA cover every account,
    /// and block the country with Conditional Access if nobody works there.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-user-accounts
    /// - https://learn.microsoft.com/entra/architecture/security-operations-consumer-accounts
    /// - Azure-Sentinel Detections/SigninLogs/AuthenticationAttemptfromNewCountry.yaml
    pub static META = {
        code: "SIGN-COUNTRY-FAILURE",
        title: "Failed sign-ins from a country outside the operating countries",
        severity: Medium,
        guide: ["user-accounts-033", "consumer-accounts-053"],
        inputs: [DataNeed::UserSignIns],
        settings: [SettingKey::OperatingCountries],
        optional_settings: [SettingKey::TrustedNetworks],
        tags: ["attack.t1110", "attack.t1078.004"],
    }
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let mut by_country: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, s) in cx.user_signins() {
        if s.outcome != Outcome::Success && foreign(cx, s) {
            by_country.entry(cx.s(s.country).trim().to_ascii_uppercase()).or_default().push(i);
        }
    }
    by_country
        .into_iter()
        .map(|(country, rows)| {
            let sign_ins = || rows.iter().map(|&i| &cx.ds.signins[i]);
            let n_accounts = distinct(sign_ins().map(|s| account(cx, s)));
            let n_ips = distinct(sign_ins().map(|s| cx.s(s.ip)));
            let accepted = join_limited(sign_ins().filter(|s| error_code_first_factor_passed(s.error_code)).map(|s| account(cx, s)), 4);
            let b2c = sign_ins().any(|s| is_b2c_app(cx.s(s.app_display)));
            let (ev, note) = evidence(cx, &rows);
            let summary = format!(
                "{country}: {} against {} from {}{}{note}",
                count(rows.len(), "failed or interrupted sign-in"),
                count(n_accounts, "account"),
                count(n_ips, "address"),
                if accepted.is_empty() { String::new() } else { format!("; the password was accepted for {accepted}") },
            );
            let f = Finding::new(&META, summary, ev).with_subject(country);
            let f = if b2c { f } else { f.with_guide(&["user-accounts-033"]) };
            if accepted.is_empty() {
                f
            } else {
                f.with_severity(Severity::High)
            }
        })
        .collect()
}
