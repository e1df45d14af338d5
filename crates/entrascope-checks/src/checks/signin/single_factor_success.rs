use std::collections::BTreeMap;

use entrascope_core::{declare_check, DataNeed, Finding};
use entrascope_logs::{Outcome, SignInKind, Sym};
use rustc_hash::FxHashMap;

use super::{account, count, password_only, MAX_EVIDENCE};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Applications that users reach with a password alone: successful
    /// interactive sign-ins whose authentication requirement is single-factor
    /// and that show no second factor, grouped per application.
    ///
    /// ## Why it matters
    /// Where only a password is required, a phished or sprayed password is
    /// enough. The guide asks to review these periodically and make sure each
    /// one is intended (a kiosk app, an app behind another control), not a
    /// gap in Conditional Access.
    ///
    /// ## How it works
    /// Selects successful interactive user sign-ins with
    /// `authenticationRequirement` = `singleFactorAuthentication` and no
    /// successful secondary authentication step or one-step multifactor
    /// method (Windows Hello for Business, FIDO2, passkey), and groups them per
    /// application. Non-interactive sign-ins are left out: they refresh tokens
    /// of sessions whose strength the interactive sign-in already shows. The
    /// evidence is the first such sign-in of each user (up to 500 users), so a
    /// busy application gives one reviewable finding rather than thousands of
    /// rows; the summary counts sign-ins and users. Sentinel's
    /// *AnomolousSingleFactorSignin* (f7c3f5c8) filters on the requirement
    /// alone, which also counts Windows Hello sign-ins.
    ///
    /// ## False positives
    /// Applications excluded from MFA on purpose (shared kiosks, a
    /// registration portal) and sign-ins from trusted locations where policy
    /// asks for no MFA. Document the exception, or move the app under a
    /// policy that requires MFA.
    ///
    /// ## How to respond
    /// For each application, find why no policy required MFA (no policy in
    /// scope, an exclusion, a report-only policy, a named-location
    /// exception) and close the gap; start with applications that hold data.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-user-accounts
    /// - https://learn.microsoft.com/entra/identity/conditional-access/policy-all-users-mfa-strength
    pub static META = {
        code: "SIGN-SINGLE-FACTOR",
        title: "Application reached with a password alone",
        severity: Low,
        guide: ["user-accounts-040"],
        inputs: [DataNeed::InteractiveSignIns],
        settings: [],
        optional_settings: [],
        tags: ["attack.t1078"],
    }
}

pub fn run(cx: &Context) -> Vec<Finding> {
    // app name -> user -> (first row, count)
    let mut by_app: BTreeMap<&str, FxHashMap<Sym, (usize, usize)>> = BTreeMap::new();
    for (i, s) in cx.user_signins() {
        if s.kind != SignInKind::Interactive || s.outcome != Outcome::Success || !password_only(cx, s) {
            continue;
        }
        let app = if s.app_display.is_empty() { cx.s(s.app_id) } else { cx.s(s.app_display) };
        let user = if s.upn.is_empty() { s.user_id } else { s.upn };
        let e = by_app.entry(app).or_default().entry(user).or_insert((i, 0));
        e.1 += 1;
    }
    by_app
        .into_iter()
        .map(|(app, users)| {
            let total: usize = users.values().map(|v| v.1).sum();
            let mut firsts: Vec<(usize, usize)> = users.into_values().collect();
            firsts.sort_unstable();
            let n_users = firsts.len();
            let evidence = firsts
                .iter()
                .take(MAX_EVIDENCE)
                .map(|&(i, n)| {
                    let mut e = cx.ev_signin(i);
                    e.fields.push(("single_factor_sign_ins".into(), n.to_string()));
                    e
                })
                .collect();
            let mut names: Vec<&str> = firsts.iter().take(3).map(|&(i, _)| account(cx, &cx.ds.signins[i])).collect();
            names.dedup();
            let app_name = if app.is_empty() { "an unnamed application" } else { app };
            let summary = format!(
                "{app_name}: {} by {} with a password alone (first: {}){}",
                count(total, "successful sign-in"),
                count(n_users, "user"),
                names.join(", "),
                if n_users > MAX_EVIDENCE { format!(" (evidence: the first sign-in of the first {MAX_EVIDENCE} users)") } else { String::new() },
            );
            Finding::new(&META, summary, evidence).with_subject(app_name)
        })
        .collect()
}
