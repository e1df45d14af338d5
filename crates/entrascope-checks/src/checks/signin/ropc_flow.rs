use std::collections::BTreeMap;

use entrascope_core::{declare_check, DataNeed, Finding};
use entrascope_logs::{Outcome, SignIn};

use super::{account, count, distinct, MAX_EVIDENCE};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Applications that signed users in with the resource owner password
    /// credentials (ROPC) flow: successful sign-ins whose
    /// `authenticationProtocol` is `ropc`, or whose user agent is `BAV2ROPC`
    /// (Exchange Online converting basic authentication to ROPC), one finding
    /// per application.
    ///
    /// ## Why it matters
    /// With ROPC the application itself collects the user's password and
    /// sends it to Entra ID. The password can be cached or stored by the
    /// application, no MFA is possible, and Conditional Access has little to
    /// work with. Password-spray tools use the same flow.
    ///
    /// ## How it works
    /// Selects successful user sign-ins with protocol `ropc` (the admin
    /// center's "ROPC" authentication protocol), plus those with the
    /// `BAV2ROPC` user agent that Sentinel's *LegacyAuthenticationUserAgents*
    /// rule (beca87d8) lists, for exports that lack the protocol column.
    /// Groups them per application (application id, else name), naming the
    /// accounts; the evidence is the first ROPC sign-in of each account. The
    /// Azure AD B2C variant of the row (ROPC through the *CPIM PowerShell
    /// Client* application) is the same test.
    ///
    /// ## False positives
    /// Automated tests and legacy scripts that the application owner knows
    /// about, and mail clients whose basic authentication Exchange Online
    /// converts. They still put passwords in the application's hands.
    ///
    /// ## How to respond
    /// Ask the application owner to move to an interactive flow, the
    /// client-credentials flow (for daemons) or managed identities. Block the
    /// flow for users with Conditional Access where possible, and make sure
    /// the accounts used by the application have strong, rotated passwords.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-applications
    /// - https://learn.microsoft.com/entra/architecture/security-operations-consumer-accounts
    /// - https://learn.microsoft.com/entra/identity-platform/v2-oauth-ropc
    pub static META = {
        code: "SIGN-ROPC",
        title: "Application signs users in with their password (ROPC)",
        severity: Medium,
        guide: ["applications-163", "consumer-accounts-076"],
        inputs: [DataNeed::UserSignIns],
        settings: [],
        optional_settings: [],
        tags: ["attack.t1078", "attack.t1552"],
    }
}

fn is_ropc(cx: &Context, s: &SignIn) -> bool {
    cx.s(s.auth_protocol).eq_ignore_ascii_case("ropc") || cx.s(s.user_agent).trim().eq_ignore_ascii_case("BAV2ROPC")
}

pub fn run(cx: &Context) -> Vec<Finding> {
    // application key -> account -> (first row, count)
    let mut by_app: BTreeMap<&str, BTreeMap<&str, (usize, usize)>> = BTreeMap::new();
    for (i, s) in cx.user_signins() {
        if s.outcome != Outcome::Success || !is_ropc(cx, s) {
            continue;
        }
        let key = if s.app_id.is_empty() { cx.s(s.app_display) } else { cx.s(s.app_id) };
        by_app.entry(key).or_default().entry(account(cx, s)).or_insert((i, 0)).1 += 1;
    }
    by_app
        .into_iter()
        .map(|(key, users)| {
            let total: usize = users.values().map(|v| v.1).sum();
            let mut firsts: Vec<(usize, usize)> = users.values().copied().collect();
            firsts.sort_unstable();
            let first = &cx.ds.signins[firsts[0].0];
            let name = cx.s(first.app_display);
            let app = match (name.is_empty(), key.is_empty() || key == name) {
                (true, true) => "An unnamed application".to_string(),
                (true, false) => key.to_string(),
                (false, true) => name.to_string(),
                (false, false) => format!("{name} ({key})"),
            };
            let names: Vec<&str> = users.keys().take(3).copied().collect();
            let ua = distinct(firsts.iter().map(|&(i, _)| cx.s(cx.ds.signins[i].user_agent)).filter(|u| u.eq_ignore_ascii_case("BAV2ROPC")));
            let summary = format!(
                "{app} used the password (ROPC) flow for {}: {}{} ({}{})",
                count(users.len(), "account"),
                names.join(", "),
                if users.len() > 3 { " and others" } else { "" },
                count(total, "sign-in"),
                if ua > 0 { ", basic authentication converted by Exchange Online" } else { "" },
            );
            let evidence = firsts
                .iter()
                .take(MAX_EVIDENCE)
                .map(|&(i, n)| {
                    let mut e = cx.ev_signin(i);
                    e.fields.push(("ropc_sign_ins".into(), n.to_string()));
                    e
                })
                .collect();
            Finding::new(&META, summary, evidence).with_subject(app)
        })
        .collect()
}
