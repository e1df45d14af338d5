use std::collections::BTreeMap;

use entrascope_core::{declare_check, DataNeed, Finding, SettingKey};
use entrascope_logs::Outcome;

use super::{account_sym, count, evidence, join_limited};
use crate::refdata::productivity_app;
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Privileged accounts that signed in to mail, chat, file or Office
    /// applications: Outlook, Exchange Online, Teams, SharePoint, OneDrive,
    /// Office, Yammer and similar day-to-day tools.
    ///
    /// ## Why it matters
    /// Stage 2 of Microsoft's privileged access plan asks for separate
    /// accounts for administration. Mail and chat are where phishing links,
    /// malicious attachments and consent prompts arrive; an administrator
    /// reading mail with the account that holds the roles hands those roles to
    /// the first successful phish. A productivity sign-in also means the
    /// account has a mailbox or Teams license it should not need.
    ///
    /// ## How it works
    /// Privileged accounts are the `privileged_accounts` patterns, the
    /// break-glass accounts, and anyone added to a privileged directory role
    /// in the audit log (from the time of that assignment). Selects their
    /// successful sign-ins whose client application is in
    /// `data/productivity-apps.tsv` (by application id, else by display name),
    /// taken from Microsoft's list of first-party application ids. Only the
    /// client application counts, not the resource: Exchange Online
    /// PowerShell and the admin centers reach Exchange or SharePoint as a
    /// resource and are administration, not productivity. Admin portals
    /// (Microsoft 365 admin center, Azure portal) are not on the list. One
    /// finding per account, naming the applications and their kind (mail,
    /// chat, files, office). No public detection implements this row; it
    /// follows the guide's wording.
    ///
    /// ## False positives
    /// An administrator testing a mail flow or a Teams policy with the admin
    /// account, and the browser pages of Exchange Online or SharePoint opened
    /// to reach their admin centers. A handful of sign-ins on one day is
    /// likely a test; daily use is the habit the row is about.
    ///
    /// ## How to respond
    /// Give the administrator a separate, unlicensed admin account (or use
    /// PIM on their normal account with phishing-resistant MFA), remove mail
    /// and Teams licenses from privileged accounts, and consider a
    /// Conditional Access policy that blocks Office 365 apps for directory
    /// roles.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/identity/role-based-access-control/security-planning
    /// - https://learn.microsoft.com/troubleshoot/entra/entra-id/governance/verify-first-party-apps-sign-in
    pub static META = {
        code: "PA-PRIV-PRODUCTIVITY-APPS",
        title: "Privileged account used for mail, chat or documents",
        severity: Medium,
        guide: ["pa-006"],
        inputs: [DataNeed::UserSignIns],
        settings: [SettingKey::PrivilegedAccounts],
        optional_settings: [SettingKey::BreakGlassAccounts],
        tags: ["attack.t1566", "attack.t1078.004"],
    }
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let mut by_account: BTreeMap<&str, Vec<(usize, &'static str, &'static str)>> = BTreeMap::new();
    for (i, s) in cx.user_signins() {
        if s.outcome != Outcome::Success {
            continue;
        }
        // Privilege first: it is known per account, the application is a
        // look-up in a list.
        let who = account_sym(s);
        if !cx.is_privileged_sym(who, s.time) {
            continue;
        }
        let Some(app) = productivity_app(cx.s(s.app_id), cx.s(s.app_display)) else { continue };
        by_account.entry(cx.s(who)).or_default().push((i, app.name, app.kind));
    }
    by_account
        .into_iter()
        .map(|(who, hits)| {
            let rows: Vec<usize> = hits.iter().map(|h| h.0).collect();
            let apps = join_limited(hits.iter().map(|h| h.1), 5);
            let kinds = join_limited(hits.iter().map(|h| h.2), 4);
            let (ev, note) = evidence(cx, &rows);
            let summary = format!(
                "Privileged account {who} used productivity apps ({kinds}): {} to {apps}{note}",
                count(rows.len(), "sign-in")
            );
            Finding::new(&META, summary, ev).with_subject(who)
        })
        .collect()
}
