use std::collections::{BTreeMap, BTreeSet};

use entrascope_core::{declare_check, DataNeed, Finding, SettingKey};

use super::{activity, distinct, list, plural, succeeded, undeleted_upn, user_targets, who};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Member accounts created or deleted whose user principal name is not
    /// in one of the organization's domains (`organization_domains`).
    ///
    /// ## Why it matters
    /// An account in an unexpected domain (a newly added domain, a consumer
    /// mail domain, a look-alike) was not made by the normal joiner process,
    /// which always uses the organization's domains. Attackers who add a
    /// domain or mistype-squat one create accounts there to blend in.
    ///
    /// ## How it works
    /// Selects successful *Add user* and *Delete user* events; takes each
    /// target's user principal name (deleted users without Entra's 32-hex
    /// prefix) and its domain. A domain is approved when it is, or is a
    /// subdomain of, an `organization_domains` entry, or is the tenant's
    /// `*.onmicrosoft.com` domain (learned from `break_glass_accounts` and
    /// from guest UPNs `…#EXT#@tenant.onmicrosoft.com` in the data). Guests
    /// (`#EXT#`) are skipped: their UPN is always in the tenant's domain, and
    /// guest invitations have their own check. One finding per unapproved
    /// domain, naming the accounts and who created or deleted them. (A
    /// member UPN can only use a domain verified in the tenant, so an
    /// unapproved domain here is a domain someone added to the tenant.)
    ///
    /// Baseline: Sentinel *Account created from non-approved sources*
    /// (99d589fa) approves the domains seen in successful sign-ins of the
    /// last 7 days, so an attacker's domain is approved as soon as it signs
    /// in; an explicit list does not have that gap.
    ///
    /// ## False positives
    /// A domain the organization added recently and did not list yet, or a
    /// subsidiary's domain. Add it to `organization_domains`.
    ///
    /// ## How to respond
    /// Check who added the domain (audit *Add verified domain* / *Add
    /// unverified domain*) and who created the accounts. Disable accounts
    /// nobody requested and review their activity.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-user-accounts#short-lived-accounts
    /// - https://learn.microsoft.com/entra/architecture/security-operations-user-accounts#accounts-created-outside-normal-processes
    /// - Azure-Sentinel: Detections/MultipleDataSources/Accountcreatedfromnon-approvedsources.yaml (99d589fa-7337-40d7-91a0-c96d0c4fa437)
    pub static META = {
        code: "AUDIT-ACCOUNT-UNAPPROVED-DOMAIN",
        title: "Account created or deleted in a non-approved domain",
        severity: Medium,
        guide: ["user-accounts-002", "user-accounts-009"],
        inputs: [DataNeed::Audit],
        settings: [SettingKey::OrganizationDomains],
        optional_settings: [SettingKey::BreakGlassAccounts],
        tags: ["attack.t1136.003"],
    }
}

fn domain_of(upn: &str) -> &str {
    upn.rsplit_once('@').map(|(_, d)| d.trim()).unwrap_or("")
}

fn is_guest(upn: &str) -> bool {
    upn.to_ascii_lowercase().contains("#ext#")
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let org: Vec<String> =
        cx.settings.organization_domains.iter().map(|d| d.trim().trim_start_matches('@').to_lowercase()).collect();
    // The tenant's initial domain(s), learned from break-glass accounts and guest UPNs.
    let mut initial: BTreeSet<String> = cx
        .settings
        .break_glass_accounts
        .iter()
        .map(|b| domain_of(b).to_lowercase())
        .filter(|d| d.ends_with(".onmicrosoft.com"))
        .collect();
    for a in &cx.ds.audits {
        for t in cx.ds.targets(a) {
            let upn = cx.s(t.upn);
            if is_guest(upn) {
                let d = domain_of(upn).to_lowercase();
                if d.ends_with(".onmicrosoft.com") {
                    initial.insert(d);
                }
            }
        }
    }
    let approved = |d: &str| {
        let d = d.to_lowercase();
        initial.contains(&d) || org.iter().any(|o| d == *o || (d.ends_with(o.as_str()) && d[..d.len() - o.len()].ends_with('.')))
    };
    let mut by_domain: BTreeMap<String, Vec<(usize, &str)>> = BTreeMap::new();
    for (i, a) in cx.audits_ok() {
        if !succeeded(a) {
            continue;
        }
        let act = activity(cx, a);
        if act != "add user" && act != "delete user" {
            continue;
        }
        for t in user_targets(cx, a) {
            let upn = undeleted_upn(cx.s(t.upn));
            let domain = domain_of(upn);
            if upn.is_empty() || is_guest(upn) || domain.is_empty() || approved(domain) {
                continue;
            }
            by_domain.entry(domain.to_lowercase()).or_default().push((i, upn));
        }
    }
    by_domain
        .into_iter()
        .map(|(domain, rows)| {
            let (mut created, mut deleted, mut actors) = (Vec::new(), Vec::new(), Vec::new());
            for &(i, upn) in &rows {
                let a = &cx.ds.audits[i];
                actors.push(who(cx.actor(a)));
                if activity(cx, a) == "add user" {
                    created.push(upn);
                } else {
                    deleted.push(upn);
                }
            }
            let (created, deleted, actors) = (distinct(created), distinct(deleted), distinct(actors));
            let mut parts = Vec::new();
            if !created.is_empty() {
                parts.push(format!("{} created ({})", plural(created.len(), "account"), list(&created, 5)));
            }
            if !deleted.is_empty() {
                parts.push(format!("{} deleted ({})", plural(deleted.len(), "account"), list(&deleted, 5)));
            }
            let summary =
                format!("{} in {domain}, a domain not in organization_domains, by {}", parts.join(" and "), list(&actors, 3));
            let evidence = rows.iter().map(|&(i, _)| super::with_field(cx.ev_audit(i), "domain", &domain)).collect();
            Finding::new(&META, summary, evidence).with_subject(domain.clone())
        })
        .collect()
}
