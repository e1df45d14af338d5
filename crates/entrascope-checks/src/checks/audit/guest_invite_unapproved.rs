use std::collections::BTreeMap;

use entrascope_core::{declare_check, DataNeed, Finding, SettingKey};

use super::{activity, distinct, list, plural, succeeded, target_name, user_targets, who};
use crate::refdata;
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Guests invited to the tenant by someone who is not in
    /// `approved_actors.guest_invitations`.
    ///
    /// ## Why it matters
    /// Every guest is a door into the tenant's data. Organizations usually
    /// let a few people or an access-package process invite guests; an
    /// invitation by anyone else bypasses that review, and a compromised
    /// account inviting an attacker-controlled address is a known
    /// persistence technique.
    ///
    /// ## How it works
    /// Selects successful *Invite external user* (and *Invite external user
    /// with reset invitation status*, *Invite internal user to B2B
    /// collaboration*) events whose initiator (user principal name, else
    /// application name) does not match the approved list (case-insensitive,
    /// `*` wildcards). One finding per inviter, naming the invited accounts
    /// and flagging those from consumer mail domains
    /// (`data/consumer-domains.tsv`).
    ///
    /// Baseline: Sentinel *Guest Users Invited to Tenant by New Inviters*
    /// (572e75ef) alerts on inviters not seen in the previous 14 days, which
    /// needs history and accepts any inviter who invited once before; the
    /// approved list states the policy directly.
    ///
    /// ## False positives
    /// Members are allowed to invite guests by default; if the organization
    /// keeps that default, expect findings for project leads. Entitlement
    /// management invites under its own service identity: list it.
    ///
    /// ## How to respond
    /// Ask the inviter about each guest. Remove guests nobody sponsors,
    /// restrict who can invite (External collaboration settings), and review
    /// the inviter's recent sign-ins if the invitations were unexpected.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-user-accounts#monitoring-external-user-sign-ins
    /// - https://learn.microsoft.com/entra/architecture/security-operations-privileged-accounts#things-to-monitor
    /// - Azure-Sentinel: Detections/AuditLogs/GuestUsersInvitedtoTenantbyNewInviters.yaml (572e75ef-5147-49d9-9d65-13f2ed1e3a86)
    pub static META = {
        code: "AUDIT-GUEST-INVITE-UNAPPROVED",
        title: "Guest invited by a non-approved inviter",
        severity: Medium,
        guide: ["user-accounts-028", "privileged-accounts-116"],
        inputs: [DataNeed::Audit],
        settings: [SettingKey::ApprovedGuestInvitations],
        optional_settings: [],
        tags: ["attack.t1078.004", "attack.t1136.003"],
    }
}

const INVITES: &[&str] =
    &["invite external user", "invite external user with reset invitation status", "invite internal user to b2b collaboration"];

pub fn run(cx: &Context) -> Vec<Finding> {
    let mut by_actor: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, a) in cx.audits_ok() {
        if !succeeded(a) || !INVITES.contains(&&*activity(cx, a)) {
            continue;
        }
        let actor = cx.actor(a);
        if cx.approved.guest_invitations.matches(actor) {
            continue;
        }
        by_actor.entry(actor.to_lowercase()).or_default().push(i);
    }
    by_actor
        .into_values()
        .map(|rows| {
            let actor = who(cx.actor(&cx.ds.audits[rows[0]]));
            let guests = distinct(rows.iter().flat_map(|&i| user_targets(cx, &cx.ds.audits[i]).map(|t| target_name(cx, t))));
            let consumer = guests.iter().filter(|g| refdata::consumer_account(g).is_some()).count();
            let note = if consumer > 0 { format!(" ({consumer} from consumer mail domains)") } else { String::new() };
            let summary = format!(
                "{actor} invited {}{note} without being an approved inviter: {}",
                plural(guests.len().max(rows.len()), "guest"),
                list(&guests, 5)
            );
            Finding::new(&META, summary, rows.iter().map(|&i| cx.ev_audit(i)).collect()).with_subject(actor)
        })
        .collect()
}
