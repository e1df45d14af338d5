use entrascope_core::{declare_check, DataNeed, Finding, Severity};
use entrascope_logs::{AuthRequirement, Outcome, SignIn, Sym};
use rustc_hash::FxHashMap;

use super::{annotate, duration, evidence, list, plural, user_key, HOUR, MINUTE};
use crate::refdata::{mfa_result, MfaResult};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// MFA fatigue (push bombing): more than 10 multifactor prompts denied or
    /// left unanswered for one account within 5 minutes, or more than 20
    /// within an hour. When the account then approves a prompt (a sign-in
    /// that completes MFA during the burst or up to 30 minutes after it),
    /// the finding is high: the user most likely gave in.
    ///
    /// ## Why it matters
    /// An attacker who has the password keeps triggering push notifications
    /// until the user approves one to make them stop; it is how Lapsus$ and
    /// others got past MFA. Each denied prompt is an interrupt the guide asks
    /// to monitor; a burst of them is the attack, and the approval that ends
    /// it is the compromise.
    ///
    /// ## How it works
    /// Baseline: the Sentinel rule *MFA Spamming followed by Successful
    /// login* (a8cc6d5c): per user, IP address and location, more than 10
    /// authentication steps with result "MFA denied; user declined the
    /// authentication" or "MFA denied; user did not respond to mobile app
    /// notification" and at least one "MFA successfully completed", all
    /// within 5 minutes; the hunting query *MFASpamming* drops the success
    /// requirement.
    ///
    /// A sign-in counts once as a denied prompt when one of its
    /// authentication steps, or its status detail, reads as denied,
    /// unanswered or reported as fraud (`data/mfa-result-details.tsv`). Per
    /// account, denied prompts are swept in time order with two sliding
    /// windows, 5 minutes (more than 10) and 60 minutes (more than 20);
    /// windows over either threshold merge into one incident. The first
    /// sign-in of the account that succeeds with a freshly completed MFA step
    /// ("MFA successfully completed", or a multifactor success without step
    /// details) between the first denial and 30 minutes after the last one
    /// makes the finding high; without it the finding is medium. A prompt
    /// reported as fraud is named in the summary.
    ///
    /// Improvements over the baseline: counted per account across addresses
    /// and locations (the prompts reach the user's phone wherever the
    /// attacker signs in from, and attackers rotate addresses); sliding
    /// windows; the slower one-hour pattern that stays under the 5-minute
    /// count; status details used when step details are missing; fraud
    /// reports counted.
    ///
    /// ## False positives
    /// A broken device or app that keeps triggering prompts the user ignores
    /// (a mail client with an expired token, a misconfigured sync tool). The
    /// applications and addresses in the evidence show whether the prompts
    /// came from the user's own devices.
    ///
    /// ## How to respond
    /// Call the user. If a prompt was approved, treat the account as
    /// compromised: revoke sessions, reset the password, remove MFA methods
    /// registered since the approval, and review the sign-ins after it. In
    /// any case the password is known to the attacker: reset it. Turn on
    /// number matching and additional context in Microsoft Authenticator, and
    /// consider phishing-resistant methods for the account.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-user-accounts
    /// - https://learn.microsoft.com/entra/identity/authentication/how-to-mfa-number-match
    /// - Azure-Sentinel Solutions/Microsoft Entra ID/Analytic Rules/MFASpammingfollowedbySuccessfullogin.yaml (a8cc6d5c-4e7e-4b48-b4ac-d8a116c62a8b)
    /// - Azure-Sentinel Hunting Queries/SigninLogs/MFASpamming.yaml (7f87c43a-6aff-44fe-907f-651986cbf956)
    pub static META = {
        code: "SIGN-MFA-FATIGUE",
        title: "MFA fatigue: a burst of denied or unanswered MFA prompts",
        severity: Medium,
        guide: ["user-accounts-031"],
        inputs: [DataNeed::UserSignIns, DataNeed::AuthDetails],
        settings: [],
        optional_settings: [],
        tags: ["attack.t1621", "attack.credential-access"],
    }
}

const SHORT: i64 = 5 * MINUTE;
/// More than this many denials within [`SHORT`].
const SHORT_COUNT: usize = 10;
const LONG: i64 = HOUR;
/// More than this many denials within [`LONG`].
const LONG_COUNT: usize = 20;
/// How long after the last denial an approval is tied to the burst.
const AFTER: i64 = 30 * MINUTE;

/// What the sign-in says about its MFA prompt, from its steps first.
fn prompt(cx: &Context, s: &SignIn) -> Option<MfaResult> {
    let steps = cx.ds.steps(s);
    let mut completed = false;
    for st in steps {
        match mfa_result(cx.s(st.result_detail)) {
            Some(MfaResult::Completed) => completed = true,
            Some(r) => return Some(r),
            None => {}
        }
    }
    match mfa_result(cx.s(s.status_detail)) {
        Some(MfaResult::Completed) => completed = true,
        Some(r) => return Some(r),
        None => {}
    }
    if completed {
        return Some(MfaResult::Completed);
    }
    // Without step details, a multifactor success whose MFA was not
    // satisfied by an existing token counts as a completed prompt.
    let by_claim = cx.s(s.status_detail).to_ascii_lowercase().contains("claim");
    (steps.is_empty() && s.outcome == Outcome::Success && s.auth_requirement == AuthRequirement::MultiFactor && !by_claim)
        .then_some(MfaResult::Completed)
}

pub fn run(cx: &Context) -> Vec<Finding> {
    // Per account: (time, row, result) of prompts, in time order.
    let mut by_user: FxHashMap<Sym, Vec<(i64, usize, MfaResult)>> = FxHashMap::default();
    for (i, s) in cx.user_signins() {
        let user = user_key(s);
        if user.is_empty() {
            continue;
        }
        if let Some(r) = prompt(cx, s) {
            if r != MfaResult::Completed || s.outcome == Outcome::Success {
                by_user.entry(user).or_default().push((s.time.0, i, r));
            }
        }
    }
    let mut users: Vec<Sym> = by_user.keys().copied().collect();
    users.sort_unstable();
    let mut out = Vec::new();
    for user in users {
        let events = &by_user[&user];
        let denials: Vec<(i64, usize, MfaResult)> = events.iter().copied().filter(|e| e.2 != MfaResult::Completed).collect();
        if denials.len() <= SHORT_COUNT {
            continue;
        }
        let (mut short_left, mut long_left) = (0usize, 0usize);
        let mut current: Option<(usize, usize)> = None;
        let mut ranges = Vec::new();
        for right in 0..denials.len() {
            let t = denials[right].0;
            while t - denials[short_left].0 > SHORT {
                short_left += 1;
            }
            while t - denials[long_left].0 > LONG {
                long_left += 1;
            }
            let left = if right - long_left + 1 > LONG_COUNT {
                Some(long_left)
            } else if right - short_left + 1 > SHORT_COUNT {
                Some(short_left)
            } else {
                None
            };
            if let Some(left) = left {
                current = match current {
                    Some((s, e)) if left <= e => Some((s, right)),
                    Some(range) => {
                        ranges.push(range);
                        Some((left, right))
                    }
                    None => Some((left, right)),
                };
            }
        }
        ranges.extend(current);
        for (s, e) in ranges {
            let burst = &denials[s..=e];
            let (start, end) = (burst[0].0, burst[burst.len() - 1].0);
            let approval = events.iter().find(|(t, _, r)| *r == MfaResult::Completed && *t >= start && *t <= end + AFTER).map(|e| e.1);
            out.push(finding(cx, user, burst, approval));
        }
    }
    out
}

fn finding(cx: &Context, user: Sym, burst: &[(i64, usize, MfaResult)], approval: Option<usize>) -> Finding {
    let name = cx.s(user);
    let (start, end) = (burst[0].0, burst[burst.len() - 1].0);
    let mut ips: Vec<&str> = burst.iter().map(|e| cx.s(cx.ds.signins[e.1].ip)).filter(|s| !s.is_empty()).collect();
    ips.sort_unstable();
    ips.dedup();
    let fraud = burst.iter().filter(|e| e.2 == MfaResult::Fraud).count();
    let unanswered = burst.iter().filter(|e| e.2 == MfaResult::Unanswered).count();
    let mut parts = vec![plural(burst.len(), "MFA prompt")];
    let how = match (burst.len() - unanswered - fraud, unanswered) {
        (0, _) => "left unanswered".to_string(),
        (_, 0) => "denied".to_string(),
        (d, u) => format!("denied ({d}) or left unanswered ({u})"),
    };
    parts.push(format!("{how} in {}", duration(end - start)));
    let from = if ips.is_empty() { String::new() } else { format!(" from {}", list(&ips, 3)) };
    let tail = match approval {
        Some(a) => format!(", then a prompt was approved at {} from {}", cx.ds.signins[a].time, cx.s(cx.ds.signins[a].ip)),
        None => ", none approved".to_string(),
    };
    let fraud_note = if fraud > 0 { format!(" ({} reported as fraud)", plural(fraud, "prompt")) } else { String::new() };
    let summary = format!("MFA fatigue against {name}: {}{from}{tail}{fraud_note}", parts.join(" "));
    let rows: Vec<usize> = burst.iter().map(|e| e.1).collect();
    let keep: Vec<usize> = approval.into_iter().collect();
    let mut ev = evidence(cx, &rows, &keep);
    if let Some(a) = approval {
        annotate(&mut ev, cx, a, &[("why", format!("MFA approved after {} denied or unanswered prompts", burst.len()))]);
    }
    let f = Finding::new(&META, summary, ev).with_subject(name);
    if approval.is_some() {
        f.with_severity(Severity::High)
    } else {
        f
    }
}
