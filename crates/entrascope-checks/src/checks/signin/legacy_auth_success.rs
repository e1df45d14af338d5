use std::collections::BTreeMap;

use entrascope_core::{declare_check, DataNeed, Finding, SettingKey, Severity};
use entrascope_logs::Outcome;

use super::{account, evidence, join_limited};
use crate::context::Fact;
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Successful sign-ins over a legacy authentication protocol: IMAP, POP,
    /// SMTP AUTH, MAPI, Exchange ActiveSync, Exchange Web Services,
    /// Autodiscover, Outlook Anywhere, Exchange Online PowerShell and "Other
    /// clients" (the sign-in log's *Client app* column).
    ///
    /// ## Why it matters
    /// Legacy protocols cannot do multifactor authentication, so Conditional
    /// Access MFA policies do not protect them; they are the main target of
    /// password spray. Once legacy authentication is blocked, a successful
    /// legacy sign-in means the block has a gap (an excluded user, a policy
    /// in report-only mode, a protocol left out).
    ///
    /// ## How it works
    /// Selects user sign-ins with status success whose client app is in the
    /// legacy list (`data/legacy-client-apps.tsv`, from the Sentinel hunting
    /// query *LegacyAuthAttempt* and Microsoft's Conditional Access docs), and
    /// groups them into one finding per user with every sign-in as evidence
    /// (the first 500 when there are more), naming the protocols and source
    /// addresses. Unlike the hunting query, combinations already seen are
    /// not suppressed: an export review has no earlier window to compare
    /// with, and every legacy success matters once the protocols are blocked.
    /// With `legacy_authentication_blocked: true` in the settings the finding
    /// is high severity (guide row user-accounts-044: success after legacy
    /// authentication was disabled); otherwise it is medium (row
    /// infrastructure-197: legacy authentication in use).
    ///
    /// ## False positives
    /// Multifunction printers and line-of-business apps sending mail over
    /// SMTP AUTH, and old mobile mail clients. Move them to modern
    /// authentication or a dedicated connector rather than excluding them.
    ///
    /// ## How to respond
    /// Confirm with the user whether they use the client shown. Block legacy
    /// authentication with a Conditional Access policy (Client apps: Exchange
    /// ActiveSync clients and Other clients) and disable the protocols per
    /// mailbox in Exchange Online. If the sign-in was not theirs, reset the
    /// password and revoke sessions.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-infrastructure
    /// - https://learn.microsoft.com/entra/identity/conditional-access/policy-block-legacy-authentication
    /// - Azure-Sentinel Hunting Queries/SigninLogs/LegacyAuthAttempt.yaml
    pub static META = {
        code: "SIGN-LEGACY-AUTH",
        title: "Successful sign-in over a legacy protocol",
        severity: Medium,
        guide: ["infrastructure-197", "user-accounts-044"],
        inputs: [DataNeed::UserSignIns],
        settings: [],
        optional_settings: [SettingKey::LegacyAuthenticationBlocked],
        tags: ["attack.t1078", "attack.t1110"],
    }
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let blocked = cx.settings.legacy_authentication_blocked == Some(true);
    let mut by_user: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, s) in cx.user_signins() {
        if s.outcome == Outcome::Success && cx.fact(s.client_app, Fact::LegacyClient) {
            by_user.entry(account(cx, s)).or_default().push(i);
        }
    }
    by_user
        .into_iter()
        .map(|(user, rows)| {
            let protocols = join_limited(rows.iter().map(|&i| cx.s(cx.ds.signins[i].client_app)), 5);
            let ips = join_limited(rows.iter().map(|&i| cx.s(cx.ds.signins[i].ip)), 3);
            let when = if blocked { " after legacy authentication was disabled" } else { "" };
            let (evidence, note) = evidence(cx, &rows);
            let summary = format!(
                "{user} signed in {} time{} over {protocols}{}{when}{note}",
                rows.len(),
                if rows.len() == 1 { "" } else { "s" },
                if ips.is_empty() { String::new() } else { format!(" from {ips}") },
            );
            let f = Finding::new(&META, summary, evidence).with_subject(user);
            if blocked {
                f.with_severity(Severity::High)
            } else {
                f.with_guide(&["infrastructure-197"])
            }
        })
        .collect()
}
