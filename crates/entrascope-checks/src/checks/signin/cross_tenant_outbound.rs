use std::collections::BTreeMap;

use entrascope_core::{declare_check, DataNeed, Finding, SettingKey, Severity};
use entrascope_logs::{Outcome, Sym};
use rustc_hash::FxHashMap;

use super::{account_sym, count, evidence, join_limited, MAX_EVIDENCE};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Users of this tenant who signed in successfully to another Microsoft
    /// Entra tenant: the sign-in's home tenant is this tenant and its
    /// resource tenant is a different one. Administrators doing so are
    /// reported separately.
    ///
    /// ## Why it matters
    /// Accounts from your tenant that authenticate to other tenants carry
    /// your identities into places you do not control: partner tenants,
    /// trial tenants created by staff, or an attacker's tenant used to
    /// exfiltrate data or to phish with your users' trust. An administrator
    /// doing it exposes a privileged session to another tenant's policies.
    ///
    /// ## How it works
    /// This tenant is `home_tenant_id` when set; otherwise it is inferred
    /// from the data as the tenant that is both home and resource tenant on
    /// most sign-ins, and the summary says so. Selects successful user
    /// sign-ins whose `homeTenantId` is this tenant and whose
    /// `resourceTenantId` is another. Non-privileged users give one finding
    /// per foreign tenant (low), with the first sign-in of each user as
    /// evidence; privileged accounts (settings, or role assignments in the
    /// audit log) give one finding per account (medium) with all their
    /// cross-tenant sign-ins. Baseline: Sentinel *Administrators
    /// Authenticating to Another Azure AD Tenant* (3a0447c1) reports only
    /// (account, tenant) pairs unseen in the previous 14 days, and only
    /// sign-ins that carry an aggregated risk level; a review of an export
    /// lists every foreign tenant instead, risky or not, since the guide asks
    /// to alert on any authentication to another tenant.
    ///
    /// ## False positives
    /// Guest access to partner and customer tenants, Microsoft support and
    /// partner-center tenants, and staff with guest accounts in a parent
    /// company. Review the list of tenants once and restrict the rest with
    /// cross-tenant access settings (outbound) or tenant restrictions.
    ///
    /// ## How to respond
    /// Identify the foreign tenant (its id is in the evidence) and whether a
    /// business relationship exists. If not, ask the user; block outbound
    /// access to unknown tenants with tenant restrictions v2 and default
    /// outbound cross-tenant access settings.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-user-accounts
    /// - https://learn.microsoft.com/entra/architecture/security-operations-privileged-accounts
    /// - https://learn.microsoft.com/entra/external-id/tenant-restrictions-v2
    /// - Azure-Sentinel Hunting Queries/SigninLogs/AdministratorsAuthenticatingtoAnotherAzureADTenant.yaml
    pub static META = {
        code: "SIGN-CROSS-TENANT-OUTBOUND",
        title: "Users signed in to another Entra tenant",
        severity: Low,
        guide: ["user-accounts-026", "privileged-accounts-114"],
        inputs: [DataNeed::UserSignIns],
        settings: [],
        optional_settings: [SettingKey::HomeTenantId, SettingKey::PrivilegedAccounts],
        tags: ["attack.t1078.004", "attack.t1199"],
    }
}

/// This tenant's id (lower-case), and whether it was inferred from the data.
fn own_tenant(cx: &Context) -> Option<(String, bool)> {
    if let Some(t) = cx.settings.home_tenant_id.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        return Some((t.to_lowercase(), false));
    }
    let mut counts: FxHashMap<Sym, usize> = FxHashMap::default();
    for (_, s) in cx.user_signins() {
        if !s.home_tenant_id.is_empty() && cx.s(s.home_tenant_id).eq_ignore_ascii_case(cx.s(s.resource_tenant_id)) {
            *counts.entry(s.home_tenant_id).or_default() += 1;
        }
    }
    counts.into_iter().max_by_key(|&(sym, n)| (n, std::cmp::Reverse(sym))).map(|(sym, _)| (cx.s(sym).to_lowercase(), true))
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let Some((own, inferred)) = own_tenant(cx) else { return Vec::new() };
    let how = if inferred { format!(" (this tenant, {own}, inferred from the sign-ins)") } else { String::new() };
    // Non-privileged: resource tenant -> user -> (first row, count).
    let mut by_tenant: BTreeMap<String, BTreeMap<&str, (usize, usize)>> = BTreeMap::new();
    let mut privileged: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    // Per tenant id string: whether it is this tenant (home), its lower case (resource).
    let mut home: FxHashMap<Sym, bool> = FxHashMap::default();
    let mut lower: FxHashMap<Sym, Option<String>> = FxHashMap::default();
    for (i, s) in cx.user_signins() {
        if s.outcome != Outcome::Success
            || s.resource_tenant_id.is_empty()
            || !*home.entry(s.home_tenant_id).or_insert_with(|| cx.s(s.home_tenant_id).eq_ignore_ascii_case(&own))
        {
            continue;
        }
        let resource = lower.entry(s.resource_tenant_id).or_insert_with(|| {
            let r = cx.s(s.resource_tenant_id).to_lowercase();
            (r != own).then_some(r)
        });
        let Some(resource) = resource else { continue };
        let who = account_sym(s);
        if cx.is_privileged_sym(who, s.time) {
            privileged.entry(cx.s(who)).or_default().push(i);
        } else {
            if !by_tenant.contains_key(resource.as_str()) {
                by_tenant.insert(resource.clone(), BTreeMap::new());
            }
            if let Some(users) = by_tenant.get_mut(resource.as_str()) {
                users.entry(cx.s(who)).or_insert((i, 0)).1 += 1;
            }
        }
    }
    let mut out = Vec::new();
    for (tenant, users) in by_tenant {
        let total: usize = users.values().map(|v| v.1).sum();
        let mut firsts: Vec<(usize, usize)> = users.values().copied().collect();
        firsts.sort_unstable();
        let apps = join_limited(firsts.iter().map(|&(i, _)| cx.s(cx.ds.signins[i].app_display)), 3);
        let names = join_limited(users.keys().copied(), 3);
        let evidence = firsts
            .iter()
            .take(MAX_EVIDENCE)
            .map(|&(i, n)| {
                let mut e = cx.ev_signin(i);
                e.fields.push(("resource_tenant".into(), tenant.clone()));
                e.fields.push(("sign_ins_to_tenant".into(), n.to_string()));
                e
            })
            .collect();
        let summary = format!(
            "{} signed in to tenant {tenant}: {} ({names}){}{how}",
            count(users.len(), "user"),
            count(total, "successful sign-in"),
            if apps.is_empty() { String::new() } else { format!(" to {apps}") },
        );
        out.push(Finding::new(&META, summary, evidence).with_subject(tenant).with_guide(&["user-accounts-026"]));
    }
    for (who, rows) in privileged {
        let tenants = join_limited(rows.iter().map(|&i| cx.s(cx.ds.signins[i].resource_tenant_id)), 3);
        let apps = join_limited(rows.iter().map(|&i| cx.s(cx.ds.signins[i].app_display)), 3);
        let (mut ev, note) = evidence(cx, &rows);
        for e in &mut ev {
            if let Some(r) = e.record {
                let t = cx.s(cx.ds.signins[r.index as usize].resource_tenant_id);
                e.fields.push(("resource_tenant".into(), t.to_string()));
            }
        }
        let summary = format!(
            "Privileged account {who} signed in to another tenant ({tenants}): {}{}{how}{note}",
            count(rows.len(), "successful sign-in"),
            if apps.is_empty() { String::new() } else { format!(" to {apps}") },
        );
        out.push(Finding::new(&META, summary, ev).with_subject(who).with_severity(Severity::Medium));
    }
    out
}
