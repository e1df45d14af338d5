//! Checks over single sign-ins and small groups of them: legacy protocols,
//! Conditional Access outcomes, privileged and break-glass accounts, devices.
//!
//! The helpers below are shared by the checks of this folder: who a sign-in
//! is about, whether it was protected by a password alone, and evidence lists
//! that stay bounded on a million sign-ins.

use std::collections::BTreeSet;

use entrascope_core::{Evidence, Timestamp};
use entrascope_logs::{AuthRequirement, SignIn};

use crate::context::Fact;
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
/// The symbol of [`account`].
pub(crate) fn account_sym(s: &SignIn) -> entrascope_logs::Sym {
    [s.upn, s.sign_in_identifier, s.user_id, s.service_principal_name].into_iter().find(|x| !x.is_empty()).unwrap_or_default()
}

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
    cx.ds.steps(s).iter().any(|st| st.succeeded.is_yes() && cx.fact(st.method, Fact::MultifactorMethod))
        || cx.fact(s.mfa_method, Fact::MultifactorMethod)
}

/// Whether the sign-in shows multifactor authentication: the requirement was
/// multifactor, a secondary step succeeded, or a one-step multifactor method
/// was used.
pub(crate) fn mfa_shown(cx: &Context, s: &SignIn) -> bool {
    s.auth_requirement == AuthRequirement::MultiFactor
        || used_multifactor_method(cx, s)
        || cx.ds.steps(s).iter().any(|st| st.succeeded.is_yes() && cx.fact(st.requirement, Fact::SecondaryRequirement))
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
    (sorted.iter().take(MAX_EVIDENCE).map(|&i| signin_evidence(cx, i)).collect(), note)
}

/// [`Context::ev_signin`] plus the meaning of the error code, from
/// `data/signin-error-codes.tsv`, so a reader need not look codes up.
pub(crate) fn signin_evidence(cx: &Context, i: usize) -> Evidence {
    let mut e = cx.ev_signin(i);
    let code = cx.ds.signins[i].error_code;
    if code != 0 {
        if let Some(m) = refdata::error_code_meaning(code) {
            e.fields.push(("error_meaning".into(), m.to_string()));
        }
    }
    e
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

    #[test]
    fn evidence_explains_error_codes() {
        let mut ds = entrascope_logs::Dataset::default();
        let upn = ds.strings.intern("jane@contoso.com");
        for code in [53003u32, 0, 4_000_000] {
            ds.signins.push(SignIn { error_code: code, upn, ..Default::default() });
        }
        let settings = entrascope_core::Settings::default();
        let cx = Context::new(&ds, &settings, Timestamp(0));
        assert!(signin_evidence(&cx, 0).field("error_meaning").unwrap().contains("Conditional Access"));
        assert_eq!(signin_evidence(&cx, 1).field("error_meaning"), None);
        assert_eq!(signin_evidence(&cx, 2).field("error_meaning"), None);
        let (ev, note) = evidence(&cx, &[2, 0, 1, 0]);
        assert_eq!(ev.len(), 3);
        assert!(note.is_empty());
    }

    /// A million varied sign-ins: every check of this folder stays linear
    /// (no per-pair work) and bounds its evidence. Run with
    /// `cargo test -p entrascope-checks --release -- --ignored million`.
    #[test]
    #[ignore]
    fn million_signins_stay_fast_and_bounded() {
        use entrascope_logs::{AuthRequirement, Dataset, Id, SignIn, SignInKind, Tri};
        let mut ds = Dataset::default();
        let n = 1_000_000u32;
        let codes = [0u32, 0, 0, 0, 0, 0, 50126, 53003, 50057, 500121, 81016, 50074, 50140];
        let countries = ["US", "GB", "NL", "CN", "NG", "BR"];
        let clients = ["Browser", "Mobile Apps and Desktop clients", "IMAP4", "Exchange ActiveSync"];
        let apps = [
            "Azure Portal",
            "Microsoft Teams",
            "Office 365 Exchange Online",
            "Contoso Payroll",
            "Microsoft Authentication Broker",
        ];
        let protos = ["oAuth2", "oAuth2", "oAuth2", "deviceCode", "ropc"];
        let own = ds.strings.intern("11111111-1111-4111-8111-111111111111");
        let other = ds.strings.intern("22222222-2222-4222-8222-222222222222");
        let drs = ds.strings.intern("Device Registration Service");
        let detail = ds.strings.intern("MFA denied; user declined the authentication");
        let t0 = Timestamp::parse("2026-10-01T00:00:00Z").unwrap().0;
        for i in 0..n {
            let user = i % 20_000;
            let upn = ds.strings.intern(&format!("{}user{user}@contoso.com", if user % 500 == 0 { "adm-" } else { "" }));
            let ip = ds.strings.intern(&format!("203.0.{}.{}", (i / 7) % 250, i % 250));
            let code = codes[(i as usize * 7) % codes.len()];
            let mut s = SignIn {
                time: Timestamp(t0 + i as i64 * 2_500),
                kind: if i % 3 == 0 { SignInKind::NonInteractive } else { SignInKind::Interactive },
                outcome: entrascope_logs::norm::outcome_of_code(code),
                error_code: code,
                auth_requirement: if i % 4 == 0 { AuthRequirement::SingleFactor } else { AuthRequirement::MultiFactor },
                compliant: if i % 5 == 0 { Tri::No } else { Tri::Yes },
                managed: if i % 10 == 0 { Tri::Yes } else { Tri::Unknown },
                request_id: Id::new(&format!("00000000-0000-4000-8000-{i:012x}"), &mut ds.strings),
                session_id: Id::new(&format!("00000000-0000-4000-9000-{:012x}", i / 3), &mut ds.strings),
                upn,
                ip,
                ..Default::default()
            };
            s.country = ds.strings.intern(countries[(i as usize / 11) % countries.len()]);
            s.client_app = ds.strings.intern(clients[(i as usize / 13) % clients.len()]);
            s.app_display = ds.strings.intern(apps[(i as usize / 17) % apps.len()]);
            s.auth_protocol = ds.strings.intern(protos[(i as usize / 19) % protos.len()]);
            s.device_id =
                if i % 2 == 0 { ds.strings.intern(&format!("dev-{}", user % 5000)) } else { entrascope_logs::Sym::EMPTY };
            s.home_tenant_id = own;
            s.resource_tenant_id = if i % 50 == 0 { other } else { own };
            if i % 23 == 0 {
                s.resource_display = drs;
            }
            if code == 500121 {
                s.status_detail = detail;
            }
            ds.signins.push(s);
        }
        let settings = entrascope_core::Settings::from_json(
            r#"{"privileged_accounts": ["adm-*@contoso.com"], "break_glass_accounts": ["user7@contoso.com"],
                "operating_countries": ["US", "GB"], "trusted_networks": ["203.0.1.0/24"],
                "sensitive_applications": ["Contoso Payroll"], "home_tenant_id": "11111111-1111-4111-8111-111111111111"}"#,
        )
        .unwrap()
        .0;
        let cx = Context::new(&ds, &settings, Timestamp(t0));
        let mut total = std::time::Duration::ZERO;
        for def in CHECKS {
            let start = std::time::Instant::now();
            let findings = (def.run)(&cx);
            let took = start.elapsed();
            total += took;
            println!("{:40} {:>8.3}s {:>6} findings", def.meta.code, took.as_secs_f64(), findings.len());
            for f in &findings {
                assert!(f.evidence.len() <= 2 * MAX_EVIDENCE, "{}: {} evidence", def.meta.code, f.evidence.len());
            }
        }
        println!("total {:.3}s", total.as_secs_f64());
        assert!(total.as_secs() < 120, "sign-in checks took {total:?} on a million sign-ins");
    }
}
