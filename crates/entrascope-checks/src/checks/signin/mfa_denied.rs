use std::collections::BTreeMap;

use entrascope_core::time::MS_PER_HOUR;
use entrascope_core::{declare_check, DataNeed, Finding, SettingKey};
use entrascope_logs::{Outcome, SignIn, Sym};
use rustc_hash::FxHashMap;

use super::{account, count, evidence, join_limited, short_time};
use crate::refdata::{mfa_result, MfaResult};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Multifactor authentication prompts that the user explicitly denied or
    /// reported as fraud: sign-ins failing with error 500121 whose status
    /// details say "MFA denied; user declined the authentication", "Phone App
    /// Reported Fraud" or "fraud code entered", and sign-ins whose
    /// authentication steps carry those results.
    ///
    /// ## Why it matters
    /// A user who declines a prompt they did not start is telling you someone
    /// else has their password. For a privileged account it means an
    /// administrator password is known to an attacker who is one accepted
    /// prompt away from the tenant.
    ///
    /// ## How it works
    /// Follows Sentinel *MFA Rejected by User* (d99cf5c3) and *Explicit MFA
    /// Deny* (a22740ec): error 500121 with a denial or fraud detail in
    /// `status.additionalDetails`, interactive and non-interactive. Improved
    /// in three ways: the per-step result details
    /// (`authenticationStepResultDetail`, or the AuthDetails export) are read
    /// too, so denials still count when the status detail is empty; prompts
    /// that merely timed out ("did not respond") are left out, as they are
    /// mostly a phone in a pocket; and a successful sign-in by the same user
    /// from the same IP address within an hour after a denial is added to the
    /// finding, because a denial followed by an approval is the MFA-fatigue
    /// pattern. The Sentinel UEBA score filter is not used: every denial is
    /// reported. One finding per account; privileged accounts (settings, or
    /// role assignments in the audit log) are named as such and cite the
    /// privileged-account rows of the guide.
    ///
    /// ## False positives
    /// A user who pressed Deny by mistake, or denied a prompt from a second
    /// device they forgot was signing in. The summary says how many denials
    /// and from which addresses; one denial followed by a success from a
    /// known device of the user is usually this.
    ///
    /// ## How to respond
    /// Call the user. If they did not start the sign-in: reset the password,
    /// revoke sessions (Revoke-MgUserSignInSession), review the IP address in
    /// the evidence and the sign-ins after it, and check for new MFA methods
    /// registered on the account. Consider number matching and
    /// phishing-resistant methods to end push approval.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-user-accounts
    /// - https://learn.microsoft.com/entra/architecture/security-operations-privileged-accounts
    /// - https://learn.microsoft.com/entra/identity/authentication/howto-mfa-mfasettings#report-suspicious-activity
    /// - Azure-Sentinel Solutions/Microsoft Entra ID/Analytic Rules/MFARejectedbyUser.yaml, ExplicitMFADeny.yaml
    pub static META = {
        code: "SIGN-MFA-DENIED",
        title: "MFA prompt denied or reported as fraud",
        severity: High,
        guide: ["user-accounts-032", "privileged-accounts-105", "consumer-accounts-062"],
        inputs: [DataNeed::UserSignIns],
        settings: [],
        optional_settings: [SettingKey::PrivilegedAccounts],
        tags: ["attack.t1621", "attack.t1110", "attack.t1078.004"],
    }
}

/// How long after a denial a success from the same user and IP counts as
/// "approved after denying".
const APPROVAL_WINDOW_MS: i64 = MS_PER_HOUR;

fn denial(cx: &Context, s: &SignIn) -> Option<MfaResult> {
    if s.outcome == Outcome::Success {
        return None;
    }
    let mut found: Option<MfaResult> = None;
    let mut consider = |detail: &str| match mfa_result(detail) {
        Some(MfaResult::Fraud) => found = Some(MfaResult::Fraud),
        Some(MfaResult::Denied) if found.is_none() => found = Some(MfaResult::Denied),
        _ => {}
    };
    if s.error_code == 500121 {
        consider(cx.s(s.status_detail));
        consider(cx.s(s.mfa_detail));
    }
    for st in cx.ds.steps(s) {
        consider(cx.s(st.result_detail));
    }
    found
}

pub fn run(cx: &Context) -> Vec<Finding> {
    // account -> (denial rows, fraud count)
    let mut denied: BTreeMap<&str, (Vec<usize>, usize)> = BTreeMap::new();
    // (user sym, ip sym) -> denial times, to find approvals after a denial
    let mut denial_times: FxHashMap<(Sym, Sym), Vec<i64>> = FxHashMap::default();
    for (i, s) in cx.user_signins() {
        let Some(kind) = denial(cx, s) else { continue };
        let e = denied.entry(account(cx, s)).or_default();
        e.0.push(i);
        if kind == MfaResult::Fraud {
            e.1 += 1;
        }
        denial_times.entry((s.upn, s.ip)).or_default().push(s.time.0);
    }
    if denied.is_empty() {
        return Vec::new();
    }
    let mut approvals: FxHashMap<Sym, Vec<usize>> = FxHashMap::default();
    for (i, s) in cx.user_signins() {
        if s.outcome != Outcome::Success || s.upn.is_empty() {
            continue;
        }
        if let Some(times) = denial_times.get(&(s.upn, s.ip)) {
            // Denial times are in time order: is there one in [t - window, t)?
            let before = times.partition_point(|&t| t < s.time.0);
            if before > 0 && s.time.0 - times[before - 1] <= APPROVAL_WINDOW_MS {
                approvals.entry(s.upn).or_default().push(i);
            }
        }
    }
    denied
        .into_iter()
        .map(|(who, (rows, fraud))| {
            let first = &cx.ds.signins[rows[0]];
            let privileged = rows.iter().any(|&i| cx.is_privileged(who, cx.ds.signins[i].time));
            let approved = approvals.get(&first.upn).cloned().unwrap_or_default();
            let ips = join_limited(rows.iter().map(|&i| cx.s(cx.ds.signins[i].ip)), 4);
            let mut all = rows.clone();
            all.extend(&approved);
            let (ev, note) = evidence(cx, &all);
            let what = match fraud {
                0 => format!("denied {}", count(rows.len(), "MFA prompt")),
                n if n == rows.len() => format!("reported {} as fraud", count(n, "MFA prompt")),
                n => format!("denied {} ({} reported as fraud)", count(rows.len(), "MFA prompt"), n),
            };
            let then = match approved.first() {
                Some(&a) => format!("; then signed in successfully from the same address at {}", short_time(cx.ds.signins[a].time)),
                None => String::new(),
            };
            let summary = format!(
                "{}{who} {what}{}{then}{note}",
                if privileged { "Privileged account " } else { "" },
                if ips.is_empty() { String::new() } else { format!(" from {ips}") },
            );
            let f = Finding::new(&META, summary, ev).with_subject(who);
            if privileged {
                f
            } else {
                f.with_guide(&["user-accounts-032"])
            }
        })
        .collect()
}
