use std::collections::BTreeMap;

use entrascope_core::{declare_check, DataNeed, Finding, SettingKey};
use entrascope_logs::Outcome;

use super::{account, evidence, join_limited};
use crate::context::Fact;
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Any sign-in attempt, successful or not, interactive or not, by an
    /// emergency access (break-glass) account listed in
    /// `break_glass_accounts`.
    ///
    /// ## Why it matters
    /// Emergency accounts are excluded from Conditional Access and hold Global
    /// Administrator permanently, so they are kept for the day normal
    /// administration is impossible. Any use outside such a day is either an
    /// undocumented change of practice or an attacker who found the account;
    /// failed attempts show someone knows the account exists.
    ///
    /// ## How it works
    /// Matches the sign-in's user principal name, the name typed at sign-in
    /// (so attempts with a mistyped password or a locked account count too)
    /// and the user object id against the list (case-insensitive, `*`
    /// wildcards). One finding per account with every attempt as evidence,
    /// the successes and failures counted in the summary. Baseline: the
    /// community Sentinel hunting query *BreakGlassAccountSignIn*
    /// (1685c69b-d03b-4e71-8171-879d6fefad2d), which only reads interactive
    /// sign-ins by UPN; this check also reads non-interactive sign-ins
    /// (refreshed tokens keep an emergency session alive) and the typed name.
    ///
    /// ## False positives
    /// The periodic validation sign-in Microsoft recommends (every 90 days,
    /// and after staff changes). Record it in the change log and keep the
    /// finding as proof that the test happened.
    ///
    /// ## How to respond
    /// Confirm with the owners of the emergency procedure that the use was
    /// planned. If not: reset the account's credentials (password and FIDO2
    /// keys), review its audit activity from the first sign-in on, and check
    /// the IP addresses and devices in the evidence.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/identity/role-based-access-control/security-emergency-access
    /// - https://learn.microsoft.com/entra/architecture/security-operations-privileged-accounts
    /// - Azure-Sentinel Hunting Queries/SigninLogs/BreakGlassAccountSignIn.yaml
    pub static META = {
        code: "PA-BREAK-GLASS-SIGNIN",
        title: "Emergency access account used",
        severity: High,
        guide: ["pa-002"],
        inputs: [DataNeed::UserSignIns],
        settings: [SettingKey::BreakGlassAccounts],
        optional_settings: [],
        tags: ["attack.t1078.004"],
    }
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let mut by_account: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, s) in cx.user_signins() {
        let hit = [s.upn, s.sign_in_identifier, s.user_id].into_iter().filter(|x| !x.is_empty()).any(|x| !cx.fact(x, Fact::Unprivileged) && cx.is_break_glass(cx.s(x)));
        if hit {
            by_account.entry(account(cx, s).to_lowercase()).or_default().push(i);
        }
    }
    by_account
        .into_iter()
        .map(|(who, rows)| {
            let ok = rows.iter().filter(|&&i| cx.ds.signins[i].outcome == Outcome::Success).count();
            let failed = rows.len() - ok;
            let ips = join_limited(rows.iter().map(|&i| cx.s(cx.ds.signins[i].ip)), 4);
            let apps = join_limited(rows.iter().map(|&i| cx.s(cx.ds.signins[i].app_display)), 3);
            let mut what = Vec::new();
            if ok > 0 {
                what.push(format!("{} successful", ok));
            }
            if failed > 0 {
                what.push(format!("{} failed or interrupted", failed));
            }
            let (ev, note) = evidence(cx, &rows);
            let summary = format!(
                "Emergency access account {who}: {} {}{}{}{note}",
                what.join(" and "),
                if rows.len() == 1 { "sign-in" } else { "sign-ins" },
                if ips.is_empty() { String::new() } else { format!(" from {ips}") },
                if apps.is_empty() { String::new() } else { format!(" to {apps}") },
            );
            Finding::new(&META, summary, ev).with_subject(who)
        })
        .collect()
}
