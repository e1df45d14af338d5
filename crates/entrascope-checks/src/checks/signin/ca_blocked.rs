use std::collections::BTreeMap;

use entrascope_core::{declare_check, DataNeed, Finding, SettingKey, Severity};

use super::{account, count, evidence, join_limited};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Sign-ins blocked by Conditional Access: error 53003 ("Access has been
    /// blocked by Conditional Access policies") and 530032 (blocked by a
    /// tenant security policy), with the policies that blocked them.
    ///
    /// ## Why it matters
    /// Conditional Access is evaluated after the first factor, so a blocked
    /// sign-in means the user name and password (or a token) were accepted and
    /// only the policy stood in the way: a legitimate user on the wrong device
    /// or network, or an attacker who has the password. For a privileged
    /// account the second reading is the one to rule out first.
    ///
    /// ## How it works
    /// Selects user sign-ins (interactive and non-interactive) with error
    /// 53003 or 530032 and groups them per account, naming the policies whose
    /// result was `failure`, the source addresses and countries, and whether
    /// the authentication steps confirm that the password was accepted. This
    /// answers both guide rows, "failures blocked by Conditional Access" and
    /// "successful authentication, session blocked by Conditional Access".
    /// The Sentinel template the guide links (*CABlockedSigninSpikes*)
    /// alerts on a daily-count anomaly above a baseline of 50 per user over
    /// 14 days, which hides a single blocked attacker; an export review lists
    /// every blocked account instead, and ranks privileged accounts (settings,
    /// or role assignments in the audit log) high.
    ///
    /// ## False positives
    /// Users on personal devices or travelling, blocked by design (device
    /// compliance, location or legacy-protocol policies). The policy names in
    /// the summary tell which policy did it; an expected block repeated daily
    /// from the same address is usually a misconfigured client.
    ///
    /// ## How to respond
    /// Check the source address and country against where the user works. If
    /// the user did not sign in from there, treat the password as known to an
    /// attacker: reset it, revoke sessions, and look for successful sign-ins
    /// from the same address. If it was the user, help them onto a compliant
    /// device or a supported client.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-user-accounts
    /// - https://learn.microsoft.com/entra/architecture/security-operations-privileged-accounts
    /// - https://learn.microsoft.com/entra/identity/conditional-access/troubleshoot-conditional-access
    /// - Azure-Sentinel Detections/SigninLogs/UserAccounts-CABlockedSigninSpikes.yaml
    pub static META = {
        code: "SIGN-CA-BLOCKED",
        title: "Sign-in blocked by Conditional Access",
        severity: Medium,
        guide: ["user-accounts-035", "user-accounts-043", "privileged-accounts-098", "consumer-accounts-058"],
        inputs: [DataNeed::UserSignIns],
        settings: [],
        optional_settings: [SettingKey::PrivilegedAccounts],
        tags: ["attack.t1078.004", "attack.t1110"],
    }
}

/// Codes that mean "blocked by a Conditional Access or security policy".
const BLOCK_CODES: &[u32] = &[53003, 530032];

pub fn run(cx: &Context) -> Vec<Finding> {
    let mut by_account: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, s) in cx.user_signins() {
        if BLOCK_CODES.contains(&s.error_code) {
            by_account.entry(account(cx, s)).or_default().push(i);
        }
    }
    by_account
        .into_iter()
        .map(|(who, rows)| {
            let sign_ins = || rows.iter().map(|&i| &cx.ds.signins[i]);
            let privileged = sign_ins().any(|s| cx.is_privileged(who, s.time));
            let policies = join_limited(
                sign_ins().flat_map(|s| cx.ds.ca_policies(s).iter().filter(|p| cx.s(p.result).eq_ignore_ascii_case("failure")).map(|p| cx.s(p.name))),
                3,
            );
            let ips = join_limited(sign_ins().map(|s| cx.s(s.ip)), 3);
            let countries = join_limited(sign_ins().map(|s| cx.s(s.country)), 4);
            let password_seen = sign_ins()
                .filter(|s| cx.ds.steps(s).iter().any(|st| st.succeeded.is_yes() && cx.s(st.method).eq_ignore_ascii_case("password")))
                .count();
            let (ev, note) = evidence(cx, &rows);
            let summary = format!(
                "{}{who}: {} blocked by Conditional Access{}{}{}{}{note}",
                if privileged { "Privileged account " } else { "" },
                count(rows.len(), "sign-in"),
                if policies.is_empty() { String::new() } else { format!(" ({policies})") },
                if ips.is_empty() { String::new() } else { format!(" from {ips}") },
                if countries.is_empty() { String::new() } else { format!(" [{countries}]") },
                match password_seen {
                    0 => String::new(),
                    n if n == rows.len() => "; the password was accepted each time".to_string(),
                    n => format!("; the password was accepted in {n} of them"),
                },
            );
            let f = Finding::new(&META, summary, ev).with_subject(who);
            if privileged {
                f.with_severity(Severity::High)
            } else {
                f.with_guide(&["user-accounts-035", "user-accounts-043"])
            }
        })
        .collect()
}
