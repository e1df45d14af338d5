use std::collections::BTreeMap;

use entrascope_core::{declare_check, DataNeed, Finding};

use super::{distinct, event_role_names, list, role_display_names, role_event, user_targets, who, RoleOp};
use crate::refdata;
use crate::Context;

declare_check! {
    /// ## What it detects
    /// A consumer account given an administrator role: the target is a
    /// personal Microsoft account (live.com, outlook.com, hotmail.com,
    /// msn.com and their country variants), or a B2B guest whose home
    /// address is one (`jane_outlook.com#EXT#@…`), or a guest from another
    /// consumer mail provider (gmail.com, yahoo.com…).
    ///
    /// ## Why it matters
    /// A personal account is outside the organization's control: no
    /// Conditional Access on its own sign-in, no lifecycle, a password the
    /// organization cannot reset, often reused. The privileged access guide
    /// asks to remove Microsoft accounts from admin roles.
    ///
    /// ## How it works
    /// Selects role assignments in any result (active or eligible, Core
    /// Directory or PIM, not activations nor the PIM service's copies) of an
    /// administrator role: privileged (`data/privileged-roles.tsv`) or any
    /// role whose name contains "Administrator". The target's home domain is
    /// its UPN domain, or for a guest the domain encoded before `#EXT#`; it
    /// is looked up in `data/consumer-domains.tsv`. One finding per account.
    ///
    /// ## False positives
    /// None expected for Microsoft accounts; a consultant's personal address
    /// invited as an administrator is exactly the risk.
    ///
    /// ## How to respond
    /// Remove the role. Give the person a managed account in the
    /// organization's tenant (or a guest from their employer's tenant)
    /// instead, and review what the consumer account did with the role.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/identity/role-based-access-control/security-planning#stage-2-mitigate-frequently-used-attack-techniques
    pub static META = {
        code: "PA-CONSUMER-ACCOUNT-ADMIN",
        title: "Consumer account given an administrator role",
        severity: High,
        guide: ["pa-004"],
        inputs: [DataNeed::Audit],
        settings: [],
        optional_settings: [],
        tags: ["attack.t1098.003", "attack.t1078.004"],
    }
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let mut by_account: BTreeMap<String, (String, Vec<usize>)> = BTreeMap::new();
    for (i, a) in cx.ds.audits.iter().enumerate() {
        let Some(ev) = role_event(cx, a) else { continue };
        if ev.op != RoleOp::Assign || ev.mirror {
            continue;
        }
        let admin = event_role_names(cx, a)
            .iter()
            .any(|r| refdata::is_privileged_role(r) || r.to_ascii_lowercase().contains("administrator"));
        if !admin {
            continue;
        }
        for t in user_targets(cx, a) {
            let upn = cx.s(t.upn);
            if refdata::consumer_account(upn).is_some() {
                by_account.entry(upn.to_lowercase()).or_insert_with(|| (upn.to_string(), Vec::new())).1.push(i);
            }
        }
    }
    by_account
        .into_values()
        .map(|(upn, rows)| {
            let consumer = refdata::consumer_account(&upn);
            let kind = match consumer {
                Some(c) if c.microsoft_account => format!("personal Microsoft account ({})", c.domain),
                Some(c) => format!("personal {} mail address ({})", c.provider, c.domain),
                None => "consumer account".to_string(),
            };
            let who_is = if upn.contains("#ext#") { format!("a guest with a {kind}") } else { format!("a {kind}") };
            let roles = distinct(rows.iter().flat_map(|&i| role_display_names(cx, &cx.ds.audits[i])));
            let actors = distinct(rows.iter().map(|&i| who(cx.actor(&cx.ds.audits[i]))));
            let summary = format!("{upn}, {who_is}, was given {} by {}", list(&roles, 4), list(&actors, 3));
            Finding::new(&META, summary, rows.iter().map(|&i| cx.ev_audit(i)).collect()).with_subject(upn)
        })
        .collect()
}
