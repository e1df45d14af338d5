use std::collections::BTreeMap;

use entrascope_core::{declare_check, DataNeed, Finding, SettingKey};
use entrascope_logs::{Outcome, SignIn, Sym};
use rustc_hash::FxHashMap;

use super::{account, count, password_only, MAX_EVIDENCE};
use crate::context::Fact;
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Sign-ins to the applications listed in `sensitive_applications` (high
    /// and medium business impact) that were protected by a password alone.
    ///
    /// ## Why it matters
    /// The applications that hold the organization's most valuable data should
    /// never open on a password alone. A single-factor sign-in to one of them
    /// shows that Conditional Access does not cover it, or covers it with an
    /// exception, and a phished password is enough to reach the data.
    ///
    /// ## How it works
    /// An application is sensitive when its application id, its name, its
    /// resource id or its resource name matches an entry of
    /// `sensitive_applications` (case-insensitive, `*` wildcards), so both the
    /// client (a line-of-business app) and the API it calls (Microsoft Graph
    /// `00000003-0000-0000-c000-000000000000`) can be listed. Selects
    /// successful user sign-ins, interactive and non-interactive, whose
    /// `authenticationRequirement` is single-factor and that show no second
    /// factor or one-step multifactor method (Windows Hello for Business,
    /// FIDO2, passkey). One finding per sensitive application; the evidence is
    /// the first such sign-in of each user. No public detection implements
    /// this row; it follows the guide's filter and adds the second-factor
    /// test so that passwordless sign-ins are not reported as weak.
    ///
    /// ## False positives
    /// A sensitive application behind another strong control (a VPN with
    /// certificate authentication, an app proxy with pre-authentication) that
    /// the sign-in log cannot see. Record the exception.
    ///
    /// ## How to respond
    /// Add the application to a Conditional Access policy that requires MFA
    /// (preferably phishing-resistant) for all users, and check the users in
    /// the evidence for sign-ins they do not recognize.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-user-accounts
    /// - https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-cloud-apps
    pub static META = {
        code: "SIGN-SENSITIVE-APP-SINGLE-FACTOR",
        title: "Sensitive application reached with a password alone",
        severity: Low,
        guide: ["user-accounts-045"],
        inputs: [DataNeed::UserSignIns],
        settings: [SettingKey::SensitiveApplications],
        optional_settings: [],
        tags: ["attack.t1078"],
    }
}

/// The name of the sensitive application a sign-in reaches, if any.
fn sensitive<'a>(cx: &Context<'a>, s: &SignIn) -> Option<&'a str> {
    let sensitive = |sym| cx.fact(sym, Fact::SensitiveApp);
    if sensitive(s.app_id) || sensitive(s.app_display) {
        return Some(if s.app_display.is_empty() { cx.s(s.app_id) } else { cx.s(s.app_display) });
    }
    if sensitive(s.resource_id) || sensitive(s.resource_display) {
        return Some(if s.resource_display.is_empty() { cx.s(s.resource_id) } else { cx.s(s.resource_display) });
    }
    None
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let mut by_app: BTreeMap<&str, FxHashMap<Sym, (usize, usize)>> = BTreeMap::new();
    for (i, s) in cx.user_signins() {
        if s.outcome != Outcome::Success {
            continue;
        }
        let Some(app) = sensitive(cx, s) else { continue };
        if !password_only(cx, s) {
            continue;
        }
        let user = if s.upn.is_empty() { s.user_id } else { s.upn };
        by_app.entry(app).or_default().entry(user).or_insert((i, 0)).1 += 1;
    }
    by_app
        .into_iter()
        .map(|(app, users)| {
            let total: usize = users.values().map(|v| v.1).sum();
            let mut firsts: Vec<(usize, usize)> = users.into_values().collect();
            firsts.sort_unstable();
            let names: Vec<&str> = firsts.iter().take(3).map(|&(i, _)| account(cx, &cx.ds.signins[i])).collect();
            let summary = format!(
                "Sensitive application {app}: {} by {} with a password alone (first: {})",
                count(total, "successful sign-in"),
                count(firsts.len(), "user"),
                names.join(", "),
            );
            let evidence = firsts
                .iter()
                .take(MAX_EVIDENCE)
                .map(|&(i, n)| {
                    let mut e = cx.ev_signin(i);
                    e.fields.push(("single_factor_sign_ins".into(), n.to_string()));
                    e
                })
                .collect();
            Finding::new(&META, summary, evidence).with_subject(app)
        })
        .collect()
}
