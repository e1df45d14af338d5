use std::collections::BTreeMap;

use entrascope_core::{declare_check, DataNeed, Finding, SettingKey, Severity};
use entrascope_logs::{Id, Outcome, SignInKind, Sym};
use rustc_hash::FxHashMap;

use super::{accounts_per_day, daily_spikes, evidence, spike_summary, user_key, Privileged, MANY_ACCOUNTS, MINUTE};
use crate::refdata::{code_in, CodeSet};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Accounts with an unusual number of interactive sign-ins stopped at an
    /// MFA, device or Conditional Access check and never completed: at least
    /// 5 in one day, and at least three times the account's usual daily
    /// count. High for a privileged account or when at least 5 accounts
    /// cross their threshold on the same day.
    ///
    /// ## Why it matters
    /// These interrupts are only returned after the password was accepted.
    /// A user asked for MFA completes it seconds later; sign-ins that stop
    /// there again and again mean someone has the password but not the
    /// second factor or a compliant device, and keeps trying (often to make
    /// the user approve a prompt).
    ///
    /// ## How it works
    /// The guide's codes: 500121 (strong authentication failed), 50097
    /// (device authentication required), 50074 (strong authentication
    /// required), 50155 (device authentication failed), 50158 (external
    /// security challenge not satisfied) and 53003 (blocked by Conditional
    /// Access), plus 50076, the other form of 50074
    /// (`data/credential-attack-codes.tsv`, set `interrupt`). An interrupt
    /// is resolved when the same account has a successful sign-in to the same
    /// application, or in the same correlation, within 30 minutes after it;
    /// only interactive sign-ins count (non-interactive token refreshes that
    /// need MFA again resolve themselves the next time the user opens the
    /// app). Unresolved interrupts are counted per account and UTC day
    /// against the account's median over the other days of the export
    /// (quiet days count as zero): reported at 5 or more and at least three
    /// times the median, one finding per account and day.
    ///
    /// Baseline and improvement: the Sentinel hunting query *Privileged
    /// Accounts - Failed MFA* (linked from the guide) lists every MFA-related
    /// failure; most 50074 interrupts are simply followed by the MFA the user
    /// completes, so counting only the unresolved ones, against a per-account
    /// baseline, keeps the signal the guide describes without the daily
    /// noise of every MFA prompt.
    ///
    /// ## False positives
    /// A user without a registered or working MFA method, or on a device that
    /// does not meet a Conditional Access device requirement, retrying. The
    /// error codes and device details in the evidence show it.
    ///
    /// ## How to respond
    /// Ask the user whether the attempts were theirs. If not, the password is
    /// known: reset it and revoke sessions, and check the addresses. If they
    /// were, help the user register MFA or enroll the device.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-user-accounts
    /// - https://learn.microsoft.com/entra/identity-platform/reference-error-codes
    /// - Azure-Sentinel Hunting Queries/MultipleDataSources/AADPrivilegedAccountsFailedMFA.yaml (d9524fcf-de06-4f95-84b0-1637a30ad595)
    pub static META = {
        code: "SIGN-INTERRUPTS-UNRESOLVED",
        title: "Repeated sign-ins stopped at MFA, device or Conditional Access checks",
        severity: Medium,
        guide: ["user-accounts-031"],
        inputs: [DataNeed::InteractiveSignIns],
        settings: [],
        optional_settings: [SettingKey::PrivilegedAccounts],
        tags: ["attack.t1621", "attack.t1078"],
    }
}

/// How long a legitimate user takes to complete an interrupted sign-in.
const RESOLVE: i64 = 30 * MINUTE;
const FLOOR: usize = 5;
const MULTIPLE: f64 = 3.0;

pub fn run(cx: &Context) -> Vec<Finding> {
    // Successes per account: (time, app, correlation), in time order.
    let mut successes: FxHashMap<Sym, Vec<(i64, Sym, Id)>> = FxHashMap::default();
    let mut interrupts: Vec<(Sym, usize)> = Vec::new();
    for (i, s) in cx.user_signins() {
        let user = user_key(s);
        if user.is_empty() {
            continue;
        }
        let app = if s.app_id.is_empty() { s.app_display } else { s.app_id };
        if s.outcome == Outcome::Success {
            successes.entry(user).or_default().push((s.time.0, app, s.correlation_id));
        } else if s.kind == SignInKind::Interactive && code_in(s.error_code, CodeSet::Interrupt) {
            interrupts.push((user, i));
        }
    }
    let unresolved: Vec<(Sym, usize)> = interrupts
        .into_iter()
        .filter(|&(user, i)| {
            let s = &cx.ds.signins[i];
            let app = if s.app_id.is_empty() { s.app_display } else { s.app_id };
            let Some(list) = successes.get(&user) else { return true };
            let from = list.partition_point(|e| e.0 < s.time.0);
            !list[from..]
                .iter()
                .take_while(|e| e.0 - s.time.0 <= RESOLVE)
                .any(|e| e.1 == app || (!s.correlation_id.is_none() && e.2 == s.correlation_id))
        })
        .collect();
    let spikes = daily_spikes(cx, &unresolved, FLOOR, MULTIPLE);
    let per_day = accounts_per_day(&spikes);
    let mut privileged = Privileged::new(cx);
    spikes
        .iter()
        .map(|spike| {
            let mut codes: BTreeMap<u32, usize> = BTreeMap::new();
            for &r in &spike.rows {
                *codes.entry(cx.ds.signins[r].error_code).or_default() += 1;
            }
            let codes: Vec<String> = codes.iter().map(|(c, n)| format!("{c} ×{n}")).collect();
            let vip = spike.rows.iter().any(|&r| privileged.at(&cx.ds.signins[r]));
            let many = per_day.get(&spike.day).copied().unwrap_or(0);
            let mut summary = format!(
                "{}; stopped at MFA, device or Conditional Access checks and never completed ({})",
                spike_summary(cx, spike, "unfinished sign-in"),
                codes.join(", ")
            );
            if vip {
                summary.push_str("; privileged account");
            }
            if many >= MANY_ACCOUNTS {
                summary.push_str(&format!("; {many} accounts crossed their threshold that day"));
            }
            let f = Finding::new(&META, summary, evidence(cx, &spike.rows, &[])).with_subject(cx.s(spike.user));
            if vip || many >= MANY_ACCOUNTS {
                f.with_severity(Severity::High)
            } else {
                f
            }
        })
        .collect()
}
