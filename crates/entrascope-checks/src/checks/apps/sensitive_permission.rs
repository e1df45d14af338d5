use std::collections::{BTreeMap, BTreeSet};

use entrascope_core::{declare_check, DataNeed, Finding};

use super::{join_list, permission_grants, who, Grant, GrantKind};
use crate::refdata::PermissionTier;
use crate::Context;

declare_check! {
    /// ## What it detects
    /// An application granted a highly privileged permission by an
    /// administrator: an application permission (app role) such as
    /// RoleManagement.ReadWrite.Directory, Application.ReadWrite.All or
    /// Mail.Read, or a delegated permission granted on behalf of all users
    /// (admin consent, consent type `AllPrincipals`) such as
    /// Directory.AccessAsUser.All or Files.ReadWrite.All.
    ///
    /// ## Why it matters
    /// Some permissions let an application grant itself anything else
    /// (RoleManagement.ReadWrite.Directory assigns Global Administrator,
    /// AppRoleAssignment.ReadWrite.All grants any app role,
    /// Application.ReadWrite.All adds secrets to any app); others read every
    /// mailbox, file or chat in the tenant. Granting one to an application an
    /// attacker controls is a tenant compromise that needs no user account.
    ///
    /// ## How it works
    /// Reads *Add app role assignment to service principal* (`AppRole.Value`),
    /// *Add delegated permission grant* (`DelegatedPermissionGrant.Scope`,
    /// only the scopes the event adds, and `…ConsentType`), and for consents
    /// whose grant events the export lost, the scopes *Consent to
    /// application* adds (`ConsentAction.Permissions`). Each permission is
    /// looked up in `data/sensitive-graph-permissions.tsv` (tiers:
    /// escalation, data, broad `*.ReadWrite.All`; the recon tier, such as
    /// Directory.Read.All, is left to AUDIT-APP-API-PERMISSION). Baseline: the
    /// Sentinel rules *Service Principal Assigned App Role With Sensitive
    /// Access* (dd78a122, ten names matched as substrings, so Mail.ReadBasic
    /// hits and RoleManagement.ReadWrite.Directory does not), *Mail.Read
    /// Permissions Granted to Application* and *Microsoft Entra ID Role
    /// Management Permission Grant* (one permission each). The list here is
    /// exact, typed (application or delegated) and covers privilege
    /// escalation as well as data access; the client application is named
    /// even for delegated grants, whose events carry only its object id (it
    /// is joined from the consent event with the same correlation id). One
    /// finding per client application with every grant as evidence; a
    /// delegated grant for all users also proves guide row
    /// applications-159.
    ///
    /// ## False positives
    /// Backup, migration, e-discovery and security tools that need tenant-wide
    /// read access, and identity-governance tools that manage roles. Verify
    /// the publisher and keep a register of the apps approved to hold these
    /// permissions.
    ///
    /// ## How to respond
    /// Confirm with the administrator who granted it and the application
    /// owner. If unexpected, remove the app role assignment or the
    /// delegated grant (Enterprise applications → Permissions), review the
    /// application's credentials and owners, and its service principal
    /// sign-ins and Graph activity since the grant.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-applications#application-permissions
    /// - https://learn.microsoft.com/graph/permissions-reference
    /// - Azure-Sentinel Detections/AuditLogs/ServicePrincipalAssignedAppRoleWithSensitiveAccess.yaml (dd78a122-d377-415a-afe9-f22e08d2112c)
    /// - Azure-Sentinel Solutions/Microsoft Entra ID/Analytic Rules/AzureADRoleManagementPermissionGrant.yaml (1ff56009-db01-4615-8211-d4fda21da02d)
    /// - Azure-Sentinel Solutions/Microsoft Entra ID/Analytic Rules/MailPermissionsAddedToApplication.yaml (2560515c-07d1-434e-87fb-ebe3af267760)
    pub static META = {
        code: "AUDIT-APP-SENSITIVE-PERMISSION",
        title: "Application granted a highly privileged permission",
        severity: High,
        guide: ["applications-155", "applications-156", "applications-159", "consumer-accounts-072", "consumer-accounts-073", "consumer-accounts-075"],
        inputs: [DataNeed::Audit],
        settings: [],
        optional_settings: [],
        tags: ["attack.t1098.003", "attack.t1528"],
    }
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let names = cx.names();
    let mut by_client: BTreeMap<String, Vec<Grant>> = BTreeMap::new();
    for g in permission_grants(cx, names) {
        if (g.kind == GrantKind::AppRole || g.all_principals) && !g.high_permissions().is_empty() {
            let key = if g.client_id.is_empty() { g.client.to_lowercase() } else { g.client_id.clone() };
            by_client.entry(key).or_default().push(g);
        }
    }
    by_client
        .into_values()
        .map(|grants| {
            let client =
                grants.iter().map(|g| g.client.as_str()).find(|c| !c.is_empty()).unwrap_or("an unnamed application").to_string();
            let mut perms: BTreeSet<String> = BTreeSet::new();
            let mut apis: BTreeSet<&str> = BTreeSet::new();
            let mut actors: BTreeSet<&str> = BTreeSet::new();
            let mut top = PermissionTier::Recon;
            let mut top_why = "";
            let (mut app_roles, mut all_users) = (false, false);
            let mut evidence = Vec::new();
            for g in &grants {
                let a = &cx.ds.audits[g.idx];
                actors.insert(who(cx, a));
                apis.insert(g.api.as_str());
                app_roles |= g.kind == GrantKind::AppRole;
                all_users |= g.all_principals;
                let mut ev = cx.ev_audit(g.idx);
                ev.fields.push(("client_app".into(), g.client.clone()));
                ev.fields.push(("api".into(), g.api.clone()));
                ev.fields.push((
                    "permission_type".into(),
                    if g.kind == GrantKind::AppRole { "application".into() } else { "delegated, all users".into() },
                ));
                for (p, s) in g.high_permissions() {
                    perms.insert(p.to_string());
                    if s.tier > top {
                        top = s.tier;
                        top_why = s.why;
                    }
                    ev.fields.push(("permission".into(), format!("{p}: {}", s.why)));
                }
                evidence.push(ev);
            }
            let mut guide = vec!["applications-156", "consumer-accounts-073"];
            if app_roles {
                guide.extend(["applications-155", "consumer-accounts-072"]);
            }
            if all_users {
                guide.extend(["applications-159", "consumer-accounts-075"]);
            }
            let kind = match (app_roles, all_users) {
                (true, true) => "application and all-users delegated permissions",
                (true, false) => "application permissions",
                _ => "delegated permissions for all users",
            };
            let perms: Vec<String> = perms.into_iter().collect();
            let apis: Vec<&str> = apis.into_iter().collect();
            let actors: Vec<&str> = actors.into_iter().collect();
            let summary = format!(
                "{client} was granted {} ({kind} on {}) by {}: {top_why}",
                join_list(&perms, 4),
                join_list(&apis, 2),
                join_list(&actors, 3)
            );
            Finding::new(&META, summary, evidence).with_subject(client).with_guide(&guide)
        })
        .collect()
}
