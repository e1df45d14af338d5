use std::collections::BTreeMap;

use entrascope_core::{declare_check, DataNeed, Finding, SettingKey, Severity};

use super::{join_list, who};
use crate::context::{is_role_assignment, role_names};
use crate::refdata::{role_tier, RoleTier};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// A service principal (an application or a managed identity) added to
    /// a Microsoft Entra directory role: *Add member to role*, *Add eligible
    /// member to role*, *Add scoped member to role* and their PIM variants,
    /// whenever a target of the event is a service principal.
    ///
    /// ## Why it matters
    /// An application in a directory role holds that role's rights with
    /// nobody signing in: no MFA, no sign-in risk, no PIM activation. An
    /// attacker who controls an application (a secret they added, a
    /// consent they phished) and gets it into a privileged role owns the
    /// tenant in a way that survives every password reset.
    ///
    /// ## How it works
    /// Baseline: Sentinel *Service Principal Assigned Privileged Role*
    /// (84cccc86), which keeps roles whose name contains "admin". Here the
    /// role (target of type Role, or the `Role.DisplayName` /
    /// `Role.TemplateId` properties) is looked up in the privileged-role
    /// list (`data/privileged-roles.tsv`), so template ids and roles
    /// without "admin" in the name (Directory Synchronization Accounts,
    /// Partner Tier2 Support) are judged correctly. A privileged role gives a
    /// high finding, any other role a medium one (the guide: "High to
    /// Medium"). Assignments by an actor in `approved_actors.role_management`
    /// are change management and are skipped, except for the roles that take
    /// over the tenant in one step (Global Administrator, Privileged Role
    /// Administrator...), which are always reported. One finding per service
    /// principal. Azure RBAC role assignments are in the Azure activity log,
    /// not in the Entra audit log, and are not seen here.
    ///
    /// ## False positives
    /// Directory-sync and provisioning service principals placed in a role by
    /// their setup; automation accounts given a reader role. Confirm them
    /// and add the administrator who assigns them to the approved list.
    ///
    /// ## How to respond
    /// Confirm the assignment with the application's owner. If it is not
    /// planned, remove the role assignment, review the application's
    /// credentials and owners (who could use it), and its sign-ins in the
    /// service principal sign-in log since the assignment.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-applications#application-permissions
    /// - https://learn.microsoft.com/entra/architecture/security-operations-consumer-accounts
    /// - Azure-Sentinel Detections/AuditLogs/ServicePrincipalAssignedPrivilegedRole.yaml (84cccc86-5c11-4b3a-aca6-7c8f738ed0f7)
    pub static META = {
        code: "AUDIT-APP-SP-ROLE-ASSIGNED",
        title: "Application assigned a directory role",
        severity: High,
        guide: ["applications-154", "consumer-accounts-071"],
        inputs: [DataNeed::Audit],
        settings: [],
        optional_settings: [SettingKey::ApprovedRoleManagement],
        tags: ["attack.t1098.003", "attack.t1078.004"],
    }
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let ds = cx.ds;
    // Service principal (lower-case id or name) → (display name, events with their roles).
    let mut by_sp: BTreeMap<String, (String, Vec<(usize, Vec<&str>)>)> = BTreeMap::new();
    for (i, a) in cx.audits_ok() {
        if !is_role_assignment(cx.s(a.activity)) {
            continue;
        }
        let Some(sp) = ds.targets(a).iter().find(|t| ds.str(t.kind).eq_ignore_ascii_case("ServicePrincipal")) else { continue };
        let roles = role_names(ds, a);
        let top = roles.iter().map(|r| role_tier(r)).max().unwrap_or(RoleTier::None);
        if top < RoleTier::Critical && cx.approved.role_management.matches(cx.actor(a)) {
            continue;
        }
        let name = if ds.str(sp.display).trim().is_empty() { ds.str(sp.id) } else { ds.str(sp.display) };
        let key = if ds.str(sp.id).is_empty() { name.to_lowercase() } else { ds.str(sp.id).to_ascii_lowercase() };
        by_sp.entry(key).or_insert_with(|| (name.trim().to_string(), Vec::new())).1.push((i, roles));
    }
    by_sp
        .into_values()
        .map(|(sp, events)| {
            let mut roles: Vec<String> = Vec::new();
            for (i, r) in &events {
                let eligible = cx.s(ds.audits[*i].activity).to_ascii_lowercase().contains("eligible");
                let named: Vec<&str> = r.iter().copied().filter(|r| !looks_like_id(r)).collect();
                let shown = if named.is_empty() { r.clone() } else { named };
                roles.extend(shown.iter().map(|r| if eligible { format!("{r} (eligible)") } else { r.to_string() }));
            }
            roles.sort_unstable_by_key(|r| r.to_lowercase());
            roles.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
            let tier = events.iter().flat_map(|(_, r)| r.iter().map(|r| role_tier(r))).max().unwrap_or(RoleTier::None);
            let mut actors: Vec<&str> = events.iter().map(|(i, _)| who(cx, &ds.audits[*i])).collect();
            actors.sort_unstable();
            actors.dedup();
            let why = match tier {
                RoleTier::Critical => "; one of them can take over the tenant",
                RoleTier::High | RoleTier::Read => "; a privileged role",
                RoleTier::None => "",
            };
            let summary = format!(
                "Application {sp} was given {} by {}{why}",
                if roles.is_empty() { "a directory role".to_string() } else { join_list(&roles, 4) },
                join_list(&actors, 3)
            );
            let evidence = events
                .iter()
                .map(|(i, r)| {
                    let mut ev = cx.ev_audit(*i);
                    for role in r.iter().filter(|r| !looks_like_id(r)) {
                        ev.fields.push(("role".into(), role.to_string()));
                    }
                    ev
                })
                .collect();
            let severity = if tier > RoleTier::None { Severity::High } else { Severity::Medium };
            Finding::new(&META, summary, evidence).with_subject(sp).with_severity(severity)
        })
        .collect()
}

fn looks_like_id(s: &str) -> bool {
    s.len() == 36 && s.bytes().filter(|b| *b == b'-').count() == 4
}
