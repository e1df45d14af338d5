use std::collections::BTreeMap;

use entrascope_core::{declare_check, DataNeed, Finding, SettingKey, Severity};
use entrascope_logs::{SignInKind, Sym};
use rustc_hash::{FxHashMap, FxHashSet};

use super::{account, count, evidence, join_limited, short_time};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Sign-in attempts on disabled accounts: error 50057, "The user account
    /// is disabled".
    ///
    /// ## Why it matters
    /// A disabled account belongs to someone who left or was suspended.
    /// Attempts on it are either a forgotten device or script still holding
    /// its credentials, or someone (often the former owner, or an attacker
    /// with an old password list) trying to get back in. Disabled privileged
    /// accounts are the first an attacker with a leaked list tries.
    ///
    /// ## How it works
    /// Selects user sign-ins with error 50057 and groups them per account,
    /// with their applications, addresses, and how many were interactive (a
    /// person typing) versus non-interactive (a device refreshing a token).
    /// Baseline: Sentinel hunting query *DisabledAccountSigninAttempts*
    /// (b00f127c), per account and application. Improved with the idea of
    /// *SigninAttemptsByIPviaDisabledAccounts* (500c103a): an address that
    /// tried three or more different disabled accounts is working through a
    /// list, and findings that involve such an address are raised to medium,
    /// as are findings on privileged accounts (settings, or role assignments
    /// in the audit log).
    ///
    /// ## False positives
    /// Phones and mail clients of people who left, still configured with the
    /// account and retrying in the background (non-interactive attempts from
    /// one address, for weeks). Wipe or retire the device.
    ///
    /// ## How to respond
    /// For interactive attempts, ask who uses the address in the evidence. If
    /// one address tries several disabled accounts, block it and check for
    /// successful sign-ins of enabled accounts from it. Make sure disabled
    /// accounts hold no roles and no active credentials for applications.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-user-accounts
    /// - https://learn.microsoft.com/entra/architecture/security-operations-privileged-accounts
    /// - https://learn.microsoft.com/entra/architecture/security-operations-consumer-accounts
    /// - Azure-Sentinel Hunting Queries/SigninLogs/DisabledAccountSigninAttempts.yaml
    pub static META = {
        code: "SIGN-DISABLED-ACCOUNT",
        title: "Sign-in attempt on a disabled account",
        severity: Low,
        guide: ["user-accounts-038", "privileged-accounts-104", "consumer-accounts-055", "consumer-accounts-061"],
        inputs: [DataNeed::UserSignIns],
        settings: [],
        optional_settings: [SettingKey::PrivilegedAccounts],
        tags: ["attack.t1078"],
    }
}

/// An address that tried at least this many different disabled accounts is
/// working through a list.
const LIST_THRESHOLD: usize = 3;

pub fn run(cx: &Context) -> Vec<Finding> {
    let mut by_account: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    let mut accounts_per_ip: FxHashMap<Sym, FxHashSet<&str>> = FxHashMap::default();
    for (i, s) in cx.user_signins() {
        if s.error_code != 50057 {
            continue;
        }
        let who = account(cx, s);
        by_account.entry(who).or_default().push(i);
        if !s.ip.is_empty() {
            accounts_per_ip.entry(s.ip).or_default().insert(who);
        }
    }
    by_account
        .into_iter()
        .map(|(who, rows)| {
            let sign_ins = || rows.iter().map(|&i| &cx.ds.signins[i]);
            let privileged = sign_ins().any(|s| cx.is_privileged(who, s.time));
            let interactive = sign_ins().filter(|s| s.kind == SignInKind::Interactive).count();
            let listing: Vec<(&str, usize)> = {
                let mut v: Vec<(&str, usize)> = sign_ins()
                    .filter_map(|s| accounts_per_ip.get(&s.ip).map(|set| (cx.s(s.ip), set.len())))
                    .filter(|(_, n)| *n >= LIST_THRESHOLD)
                    .collect();
                v.sort_unstable();
                v.dedup();
                v
            };
            let apps = join_limited(sign_ins().map(|s| cx.s(s.app_display)), 3);
            let ips = join_limited(sign_ins().map(|s| cx.s(s.ip)), 3);
            let first = sign_ins().map(|s| s.time).min();
            let last = sign_ins().map(|s| s.time).max();
            let (ev, note) = evidence(cx, &rows);
            let mut summary = format!(
                "Disabled {}account {who}: {} ({} interactive){}{}",
                if privileged { "privileged " } else { "" },
                count(rows.len(), "sign-in attempt"),
                interactive,
                if apps.is_empty() { String::new() } else { format!(" to {apps}") },
                if ips.is_empty() { String::new() } else { format!(" from {ips}") },
            );
            if let (Some(a), Some(b)) = (first, last) {
                if a == b {
                    summary.push_str(&format!(" at {}", short_time(a)));
                } else {
                    summary.push_str(&format!(" between {} and {}", short_time(a), short_time(b)));
                }
            }
            if let Some((ip, n)) = listing.iter().max_by_key(|(_, n)| *n) {
                summary.push_str(&format!("; {ip} tried {n} different disabled accounts"));
            }
            summary.push_str(&note);
            let f = Finding::new(&META, summary, ev).with_subject(who);
            let f = if privileged { f } else { f.with_guide(&["user-accounts-038", "consumer-accounts-055"]) };
            if privileged || !listing.is_empty() {
                f.with_severity(Severity::Medium)
            } else {
                f
            }
        })
        .collect()
}
