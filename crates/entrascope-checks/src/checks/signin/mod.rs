//! Checks over single sign-ins and small groups of them: legacy protocols,
//! Conditional Access outcomes, privileged and break-glass accounts, devices.
//!
//! The helpers below are shared by the checks of this folder: who a sign-in
//! is about, whether it was protected by a password alone, and evidence lists
//! that stay bounded on a million sign-ins.

use std::collections::BTreeSet;

use entrascope_core::{Evidence, Timestamp};
use entrascope_logs::{AuthRequirement, SignIn};

use crate::{refdata, Context};

super::register! {
    legacy_auth_success,
    legacy_auth_failure,
    break_glass_signin,
    privileged_single_factor,
    privileged_productivity_apps,
    mfa_denied,
    ca_blocked,
    disabled_account,
    single_factor_success,
    sensitive_app_single_factor,
    country_success,
    country_failure,
    privileged_legacy_protocol,
    privileged_new_device_location,
    cross_tenant_outbound,
    privileged_elevation_unmanaged_device,
    device_code_flow,
    ropc_flow,
    device_registration_without_mfa,
    noncompliant_device,
    unknown_device_single_factor,
    seamless_sso_errors,
    privileged_interrupt_unresolved,
}

/// At most this many evidence records per finding (the first by time); the
/// summary says how many matched when there were more.
pub(crate) const MAX_EVIDENCE: usize = 500;

/// The account a sign-in is about: its UPN, else the name typed at sign-in,
/// else the user's object id, else the service principal's name.
pub(crate) fn account<'a>(cx: &Context<'a>, s: &SignIn) -> &'a str {
    for sym in [s.upn, s.sign_in_identifier, s.user_id, s.service_principal_name] {
        if !sym.is_empty() {
            return cx.s(sym);
        }
    }
    ""
}

/// Whether any successful authentication step used a method that satisfies
/// MFA on its own (Windows Hello for Business, FIDO2, passkey, passwordless).
pub(crate) fn used_multifactor_method(cx: &Context, s: &SignIn) -> bool {
    cx.ds.steps(s).iter().any(|st| st.succeeded.is_yes() && refdata::is_multifactor_method(cx.s(st.method)))
        || refdata::is_multifactor_method(cx.s(s.mfa_method))
}

/// Whether the sign-in shows multifactor authentication: the requirement was
/// multifactor, a secondary step succeeded, or a one-step multifactor method
/// was used.
pub(crate) fn mfa_shown(cx: &Context, s: &SignIn) -> bool {
    s.auth_requirement == AuthRequirement::MultiFactor
        || used_multifactor_method(cx, s)
        || cx.ds.steps(s).iter().any(|st| st.succeeded.is_yes() && cx.s(st.requirement).to_ascii_lowercase().contains("secondary"))
}

/// Whether the sign-in was protected by a password alone: the authentication
/// requirement says single-factor and no step shows a second factor or a
/// one-step multifactor method. Unknown requirements are not single-factor.
pub(crate) fn password_only(cx: &Context, s: &SignIn) -> bool {
    s.auth_requirement == AuthRequirement::SingleFactor && !mfa_shown(cx, s)
}

/// `1 sign-in`, `3 sign-ins`.
pub(crate) fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else if what.ends_with('s') || what.ends_with("sh") || what.ends_with("ch") || what.ends_with('x') {
        format!("{n} {what}es")
    } else if let Some(stem) = what.strip_suffix("ry") {
        format!("{n} {stem}ries")
    } else {
        format!("{n} {what}s")
    }
}

/// Distinct non-empty values, sorted and joined with `, `; beyond `max`,
/// `a, b and 3 more`.
pub(crate) fn join_limited<'a>(items: impl IntoIterator<Item = &'a str>, max: usize) -> String {
    let set: BTreeSet<&str> = items.into_iter().map(str::trim).filter(|s| !s.is_empty()).collect();
    let n = set.len();
    let mut out: Vec<&str> = set.into_iter().take(max).collect();
    let mut s = out.join(", ");
    if n > max {
        out.clear();
        s.push_str(&format!(" and {} more", n - max));
    }
    s
}

/// The number of distinct non-empty values.
pub(crate) fn distinct<'a>(items: impl IntoIterator<Item = &'a str>) -> usize {
    items.into_iter().map(str::trim).filter(|s| !s.is_empty()).collect::<BTreeSet<&str>>().len()
}

/// Evidence for the sign-ins `rows` (indexes into the dataset), at most
/// [`MAX_EVIDENCE`] of them, the first by time; with a note for the summary
/// (` (first 500 of 1204 shown)`) when some were left out.
pub(crate) fn evidence(cx: &Context, rows: &[usize]) -> (Vec<Evidence>, String) {
    let mut sorted: Vec<usize> = rows.to_vec();
    sorted.sort_by_key(|&i| (cx.ds.signins[i].time, i));
    sorted.dedup();
    let note = if sorted.len() > MAX_EVIDENCE {
        format!(" (evidence: first {MAX_EVIDENCE} of {} sign-ins)", sorted.len())
    } else {
        String::new()
    };
    (sorted.iter().take(MAX_EVIDENCE).map(|&i| cx.ev_signin(i)).collect(), note)
}

/// `2026-10-03 14:05` (UTC), for summaries.
pub(crate) fn short_time(t: Timestamp) -> String {
    let s = t.to_rfc3339();
    s.get(..16).map(|x| x.replacen('T', " ", 1)).unwrap_or(s)
}

/// The first 16 bits of an IPv4 address or the first 32 of an IPv6 address,
/// to tell "the same network" from "another network" (Sentinel's /16 test).
pub(crate) fn network_prefix(ip: &str) -> Option<Vec<u8>> {
    match entrascope_core::settings::parse_ip(ip)? {
        std::net::IpAddr::V4(a) => Some(a.octets()[..2].to_vec()),
        std::net::IpAddr::V6(a) => Some(a.octets()[..4].to_vec()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers_format_and_bound() {
        assert_eq!(count(1, "sign-in"), "1 sign-in");
        assert_eq!(count(3, "sign-in"), "3 sign-ins");
        assert_eq!(count(2, "address"), "2 addresses");
        assert_eq!(count(2, "country"), "2 countries");
        assert_eq!(join_limited(["b", "a", "b", "", "c"], 5), "a, b, c");
        assert_eq!(join_limited(["d", "a", "c", "b"], 2), "a, b and 2 more");
        assert_eq!(short_time(Timestamp::parse("2026-10-03T14:05:09Z").unwrap()), "2026-10-03 14:05");
        assert_eq!(network_prefix("203.0.113.45"), network_prefix("203.0.7.1"));
        assert_ne!(network_prefix("203.0.113.45"), network_prefix("203.1.113.45"));
        assert_eq!(network_prefix("2001:db8:1::5"), network_prefix("2001:db8:ffff::1"));
        assert_eq!(network_prefix("not an ip"), None);
    }
}
