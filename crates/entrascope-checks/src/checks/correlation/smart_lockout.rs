use entrascope_core::{declare_check, DataNeed, Finding, SettingKey, Severity};
use entrascope_logs::Sym;
use rustc_hash::FxHashSet;

use super::{daily_spikes, duration, evidence, list, plural, spike_summary, user_key, Privileged, HOUR, MANY_ACCOUNTS};
use crate::refdata::is_b2c_app;
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Accounts locked out by smart lockout (error 50053): an isolated
    /// lockout of an account on a day it is not usually locked out (medium,
    /// high for a privileged account), or a wave of lockouts of at least 5
    /// accounts with no more than an hour between one lockout and the next
    /// (one high finding for the wave).
    ///
    /// ## Why it matters
    /// Smart lockout only triggers after repeated wrong passwords (ten by
    /// default), so each lockout is an account someone tried hard to get
    /// into, or a user fighting an old password. Lockouts of many accounts at
    /// once are a spray or stuffing campaign large enough to hit the lockout
    /// threshold, which the guide rates high. 50053 is also returned when a
    /// sign-in comes from an IP address Microsoft knows as malicious.
    ///
    /// ## How it works
    /// The guide: status failed, error 50053, against a baseline threshold;
    /// medium if isolated, high if many accounts or a VIP. The baseline is
    /// the Sentinel hunting query *Smart Lockouts* (02e86bf2), which lists
    /// every 50053.
    ///
    /// Lockout sign-ins are ordered by time; runs of lockouts with gaps of
    /// at most an hour that involve 5 or more accounts are waves, reported
    /// once with every lockout. The remaining lockouts are counted per
    /// account and UTC day, and a day is reported when it has at least one
    /// lockout and at least 3 times the account's median daily count over
    /// the other days of the export (quiet days count as zero), so an
    /// account that a stale device locks out every day is judged against
    /// itself. Privileged accounts (settings, break-glass, audit-log role
    /// holders) raise a finding to high. Consumer (B2C) applications answer
    /// the consumer-accounts row.
    ///
    /// Improvement over the baseline: waves are told apart from isolated
    /// lockouts and reported as one incident, and habitual lockouts are
    /// baselined instead of listed daily.
    ///
    /// ## False positives
    /// A user's device retrying an old password after a password change;
    /// an application configured with a wrong service-account password.
    ///
    /// ## How to respond
    /// For a wave: find the source addresses in the evidence and block them;
    /// check whether any of the locked accounts later had a password
    /// accepted from them (spray and brute-force checks). For one account:
    /// confirm with the user, fix the stale device, or reset the password if
    /// the attempts are not theirs.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-user-accounts
    /// - https://learn.microsoft.com/entra/architecture/security-operations-consumer-accounts
    /// - https://learn.microsoft.com/entra/identity/authentication/howto-password-smart-lockout
    /// - Azure-Sentinel Hunting Queries/SigninLogs/SmartLockouts.yaml (02e86bf2-172c-4444-ae8e-e94c5ce2bea3)
    pub static META = {
        code: "SIGN-SMART-LOCKOUT",
        title: "Accounts locked out by smart lockout",
        severity: Medium,
        guide: ["user-accounts-030", "consumer-accounts-052"],
        inputs: [DataNeed::UserSignIns],
        settings: [],
        optional_settings: [SettingKey::PrivilegedAccounts],
        tags: ["attack.t1110", "attack.credential-access"],
    }
}

pub(crate) const LOCKED: u32 = 50053;
/// Longest pause between two lockouts of one wave.
const WAVE_GAP: i64 = HOUR;
const MULTIPLE: f64 = 3.0;

fn guide_for(cx: &Context, rows: &[usize]) -> Vec<&'static str> {
    let b2c = rows.iter().filter(|&&r| is_b2c_app(cx.s(cx.ds.signins[r].app_display))).count();
    match (b2c, rows.len() - b2c) {
        (0, _) => vec!["user-accounts-030"],
        (_, 0) => vec!["consumer-accounts-052"],
        _ => vec!["user-accounts-030", "consumer-accounts-052"],
    }
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let lockouts: Vec<(Sym, usize)> =
        cx.user_signins().filter(|(_, s)| s.error_code == LOCKED).map(|(i, s)| (user_key(s), i)).filter(|(u, _)| !u.is_empty()).collect();
    let mut out = Vec::new();
    // Waves: runs with gaps of at most WAVE_GAP holding MANY_ACCOUNTS accounts.
    let mut in_wave: FxHashSet<usize> = FxHashSet::default();
    let mut start = 0;
    while start < lockouts.len() {
        let mut end = start + 1;
        while end < lockouts.len() && cx.ds.signins[lockouts[end].1].time.0 - cx.ds.signins[lockouts[end - 1].1].time.0 <= WAVE_GAP {
            end += 1;
        }
        let run = &lockouts[start..end];
        let mut accounts: Vec<&str> = run.iter().map(|(u, _)| cx.s(*u)).collect();
        accounts.sort_unstable();
        accounts.dedup();
        if accounts.len() >= MANY_ACCOUNTS {
            let rows: Vec<usize> = run.iter().map(|(_, i)| *i).collect();
            in_wave.extend(rows.iter().copied());
            let mut ips: Vec<&str> = rows.iter().map(|&r| cx.s(cx.ds.signins[r].ip)).filter(|s| !s.is_empty()).collect();
            ips.sort_unstable();
            ips.dedup();
            let (t0, t1) = (cx.ds.signins[rows[0]].time, cx.ds.signins[rows[rows.len() - 1]].time);
            let summary = format!(
                "Lockout wave: {} locked out in {} from {} (from {t0}): {}",
                plural(accounts.len(), "account"),
                duration(t1.0 - t0.0),
                plural(ips.len(), "address"),
                list(&accounts, 5)
            );
            let guide = guide_for(cx, &rows);
            out.push(
                Finding::new(&META, summary, evidence(cx, &rows, &[]))
                    .with_subject(format!("lockout wave {t0}"))
                    .with_guide(&guide)
                    .with_severity(Severity::High),
            );
        }
        start = end;
    }
    // Isolated lockouts against each account's own baseline.
    let rest: Vec<(Sym, usize)> = lockouts.iter().copied().filter(|(_, i)| !in_wave.contains(i)).collect();
    let mut privileged = Privileged::new(cx);
    for spike in daily_spikes(cx, &rest, 1, MULTIPLE) {
        let vip = spike.rows.iter().any(|&r| privileged.at(&cx.ds.signins[r]));
        let mut summary = spike_summary(cx, &spike, "lockout sign-in");
        if vip {
            summary.push_str("; privileged account");
        }
        let guide = guide_for(cx, &spike.rows);
        let f = Finding::new(&META, summary, evidence(cx, &spike.rows, &[])).with_subject(cx.s(spike.user)).with_guide(&guide);
        out.push(if vip { f.with_severity(Severity::High) } else { f });
    }
    out
}
