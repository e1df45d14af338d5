use std::collections::BTreeMap;

use entrascope_core::{declare_check, DataNeed, Finding, SettingKey, Severity};
use entrascope_logs::{Outcome, SignIn};

use super::{account, count, evidence, join_limited, short_time};
use crate::context::Fact;
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Successful sign-ins from a country or region outside
    /// `operating_countries`.
    ///
    /// ## Why it matters
    /// A successful sign-in is access: if it comes from a country where the
    /// organization has no staff, either someone is travelling or the account
    /// is used by someone else. Stolen credentials and session tokens are
    /// typically replayed from hosting providers abroad.
    ///
    /// ## How it works
    /// Selects successful user sign-ins (interactive and non-interactive)
    /// whose country (`location.countryOrRegion`) is known and not in the
    /// list, and whose address is not in `trusted_networks` (a corporate VPN
    /// egress abroad is not travel). One finding per account, listing the
    /// countries, cities and addresses, the first and last time. Privileged
    /// accounts (settings, or role assignments in the audit log) are raised to
    /// high. The guide links no template for this row; Sentinel's *New
    /// country* rules learn the known countries from two weeks of history,
    /// which treats a country attacked for two weeks as normal. An explicit
    /// list has no such blind spot.
    ///
    /// ## False positives
    /// Business travel and holidays, and mobile carriers or cloud proxies
    /// whose addresses geolocate to a neighbouring country. Confirm with the
    /// user; add countries where staff are based to the list.
    ///
    /// ## How to respond
    /// Ask the user whether they were in that country. If not, revoke their
    /// sessions, reset the password, check MFA methods registered recently,
    /// and review what the sessions accessed (mailbox rules, file downloads).
    /// Consider a Conditional Access policy that blocks or requires compliant
    /// devices from countries outside the list.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-user-accounts
    /// - https://learn.microsoft.com/entra/identity/conditional-access/concept-assignment-network
    pub static META = {
        code: "SIGN-COUNTRY-SUCCESS",
        title: "Successful sign-in from a country outside the operating countries",
        severity: Medium,
        guide: ["user-accounts-042"],
        inputs: [DataNeed::UserSignIns],
        settings: [SettingKey::OperatingCountries],
        optional_settings: [SettingKey::TrustedNetworks, SettingKey::PrivilegedAccounts],
        tags: ["attack.t1078.004"],
    }
}

/// Whether the sign-in's country is known and outside the operating
/// countries, from an address outside the trusted networks.
pub(crate) fn foreign(cx: &Context, s: &SignIn) -> bool {
    let country = cx.s(s.country).trim();
    !country.is_empty()
        && !cx.operating_countries.iter().any(|c| c.eq_ignore_ascii_case(country))
        && !cx.fact(s.ip, Fact::TrustedNetwork)
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let mut by_account: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, s) in cx.user_signins() {
        if s.outcome == Outcome::Success && foreign(cx, s) {
            by_account.entry(account(cx, s)).or_default().push(i);
        }
    }
    by_account
        .into_iter()
        .map(|(who, rows)| {
            let sign_ins = || rows.iter().map(|&i| &cx.ds.signins[i]);
            let privileged = sign_ins().any(|s| cx.is_privileged(who, s.time));
            let places = join_limited(
                sign_ins().map(|s| {
                    let city = cx.s(s.city);
                    let cc = cx.s(s.country);
                    if city.is_empty() {
                        cc.to_string()
                    } else {
                        format!("{city}, {cc}")
                    }
                }).collect::<Vec<String>>().iter().map(String::as_str),
                4,
            );
            let ips = join_limited(sign_ins().map(|s| cx.s(s.ip)), 3);
            let first = sign_ins().map(|s| s.time).min().map(short_time).unwrap_or_default();
            let (ev, note) = evidence(cx, &rows);
            let summary = format!(
                "{}{who} signed in from {places}, outside the operating countries: {}{} (first {first}){note}",
                if privileged { "Privileged account " } else { "" },
                count(rows.len(), "successful sign-in"),
                if ips.is_empty() { String::new() } else { format!(" from {ips}") },
            );
            let f = Finding::new(&META, summary, ev).with_subject(who);
            if privileged {
                f.with_severity(Severity::High)
            } else {
                f
            }
        })
        .collect()
}
