use entrascope_core::{declare_check, DataNeed, Finding};
use entrascope_logs::{Outcome, SignInKind, Sym};
use rustc_hash::FxHashSet;

use super::{annotate, duration, evidence, password_accepted, plural, user_key, IpKeys, DAY, MINUTE};
use crate::refdata::{code_in, CodeSet};
use crate::context::Fact;
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Many wrong passwords for one account followed by its password being
    /// accepted from the same network: at least 10 failed passwords in a
    /// session (no gap of more than 20 minutes, at most 24 hours long), then
    /// a successful sign-in, or one stopped only by MFA or Conditional
    /// Access, from an address that produced those failures.
    ///
    /// ## Why it matters
    /// It is what a successful password guess looks like in the sign-in
    /// log. Even when MFA stopped the sign-in, the attacker now knows the
    /// password and will try it elsewhere (legacy protocols, other services,
    /// MFA fatigue).
    ///
    /// ## How it works
    /// Baseline: the Sentinel rule *Brute force attack against Azure Portal*
    /// (28b42356): sessions per user built with `row_window_session(24h,
    /// 20m)` that end at the first success; alert when at least 10 failures
    /// precede the success and the failure count deviates more than 25-fold
    /// from the user's 7-day average.
    ///
    /// Per account, in time order, failures whose code is in the `guess` set
    /// of `data/credential-attack-codes.tsv` (50126, 50053, 50055, 50056,
    /// 50064) open or extend a session; a session ends after 20 minutes
    /// without a failure or 24 hours after it began. A sign-in whose password
    /// was accepted (a success, or an error returned only after a correct
    /// password: MFA required, blocked by Conditional Access...) ends the
    /// session; it is reported when the session holds at least 10 failures,
    /// it came within 20 minutes of the last one, and its network (IPv4
    /// address or IPv6 /64) is one the failures came from.
    ///
    /// Improvements over the baseline: every application, not only the Azure
    /// portal; no 7-day history needed (an export often covers a few days);
    /// the success must come from the attacking network, which removes the
    /// common case of a user who signs in normally while someone else hammers
    /// the account; only interactive sign-ins and legacy-protocol sign-ins
    /// count as successes (a device refreshing its token proves nothing about
    /// a password); and "password accepted but MFA required" counts, since the
    /// password is then known.
    ///
    /// ## False positives
    /// A user whose phone or mail client keeps trying an old password after a
    /// password change, from the same network as the user's successful
    /// sign-in (home or office), with ten or more retries in a row. The
    /// client app and device in the evidence show it; the fix is updating the
    /// stored password.
    ///
    /// ## How to respond
    /// Treat the password as compromised: reset it, revoke sessions, and
    /// review what the account did after the accepted sign-in (audit log,
    /// mailbox, MFA methods registered). Block the source network. If only
    /// MFA stopped the sign-in, tell the user to expect and deny push
    /// prompts.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/ops-guide-ops
    /// - https://learn.microsoft.com/entra/identity/authentication/howto-password-smart-lockout
    /// - Azure-Sentinel Solutions/Microsoft Entra ID/Analytic Rules/SigninBruteForce-AzurePortal.yaml (28b42356-45af-40a6-a0b4-a554cdfd5d8a)
    pub static META = {
        code: "SIGN-BRUTE-FORCE",
        title: "Repeated wrong passwords, then the password accepted",
        severity: High,
        guide: ["ops-001"],
        inputs: [DataNeed::UserSignIns],
        settings: [],
        optional_settings: [],
        tags: ["attack.t1110.001", "attack.credential-access"],
    }
}

/// Failures in a session before the success.
const FAILURES: usize = 10;
/// The longest pause between two attempts of one session.
const GAP: i64 = 20 * MINUTE;
/// The longest session.
const SESSION: i64 = DAY;

struct Session {
    start: i64,
    last: i64,
    rows: Vec<usize>,
    nets: FxHashSet<u128>,
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let mut keys = IpKeys::default();
    // (account, row) of the sign-ins that matter, then ordered by account and time.
    let mut rows: Vec<(Sym, usize)> = Vec::new();
    for (i, s) in cx.user_signins() {
        let guess = s.outcome != Outcome::Success && code_in(s.error_code, CodeSet::Guess);
        let proof = password_accepted(s) && (s.kind == SignInKind::Interactive || cx.fact(s.client_app, Fact::LegacyClient));
        let user = user_key(s);
        if (guess || proof) && !user.is_empty() {
            rows.push((user, i));
        }
    }
    rows.sort_unstable_by_key(|&(u, i)| (u, i)); // rows are in time order already; keys are distinct

    let mut out = Vec::new();
    let mut session: Option<Session> = None;
    let mut current_user = Sym::EMPTY;
    for &(user, i) in &rows {
        if user != current_user {
            session = None;
            current_user = user;
        }
        let s = &cx.ds.signins[i];
        let t = s.time.0;
        let net = keys.key(cx, s.ip);
        if let Some(open) = &session {
            if t - open.last > GAP || t - open.start > SESSION {
                session = None;
            }
        }
        let guess = s.outcome != Outcome::Success && code_in(s.error_code, CodeSet::Guess);
        if guess {
            let open = session.get_or_insert_with(|| Session { start: t, last: t, rows: Vec::new(), nets: FxHashSet::default() });
            open.last = t;
            open.rows.push(i);
            if let Some(n) = net {
                open.nets.insert(n);
            }
            continue;
        }
        // The password was accepted: the session ends here.
        if let Some(open) = session.take() {
            if open.rows.len() >= FAILURES && net.is_some_and(|n| open.nets.contains(&n)) {
                out.push(finding(cx, &open, i));
            }
        }
    }
    out
}

fn finding(cx: &Context, session: &Session, hit: usize) -> Finding {
    let s = &cx.ds.signins[hit];
    let user = cx.s(user_key(s));
    let mut ips: Vec<&str> = session.rows.iter().map(|&r| cx.s(cx.ds.signins[r].ip)).collect();
    ips.sort_unstable();
    ips.dedup();
    let from = if ips.len() == 1 { ips[0].to_string() } else { plural(ips.len(), "address") };
    let accepted = if s.outcome == Outcome::Success {
        "the sign-in succeeded".to_string()
    } else {
        let reason = cx.s(s.failure_reason);
        if reason.is_empty() {
            format!("the password was accepted (error {})", s.error_code)
        } else {
            format!("the password was accepted (error {}: {})", s.error_code, reason.trim_end_matches('.'))
        }
    };
    let summary = format!(
        "Brute force on {user}: {} from {from} in {}, then {accepted} from {}",
        plural(session.rows.len(), "wrong password"),
        duration(session.last - session.start),
        cx.s(s.ip)
    );
    let mut rows = session.rows.clone();
    rows.push(hit);
    let mut ev = evidence(cx, &rows, &[hit]);
    annotate(&mut ev, cx, hit, &[("why", format!("password accepted after {} failures", session.rows.len()))]);
    Finding::new(&META, summary, ev).with_subject(user)
}
