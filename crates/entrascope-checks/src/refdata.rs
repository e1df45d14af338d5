//! Reference lists kept as data in `data/*.tsv`, each with its source and
//! retrieval date in its `#` header lines: legacy client apps, sign-in error
//! codes, privileged directory roles, sensitive Graph permissions, consumer
//! e-mail domains.

use std::sync::OnceLock;

/// Rows of a TSV: comment lines (`#`) and the header line are skipped.
fn rows(text: &'static str) -> Vec<Vec<&'static str>> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .skip(1)
        .map(|l| l.split('\t').map(str::trim).collect())
        .collect()
}

static LEGACY: &str = include_str!("../data/legacy-client-apps.tsv");

/// Client-app names that mean legacy (basic) authentication.
pub fn legacy_client_apps() -> &'static [&'static str] {
    static V: OnceLock<Vec<&'static str>> = OnceLock::new();
    V.get_or_init(|| rows(LEGACY).into_iter().filter_map(|r| r.first().copied()).collect())
}

/// Whether a sign-in's client app is a legacy authentication protocol.
pub fn is_legacy_client(client_app: &str) -> bool {
    let c = client_app.trim();
    !c.is_empty() && legacy_client_apps().iter().any(|l| l.eq_ignore_ascii_case(c))
}

/// Whether a directory role name or template id is privileged.
///
/// Until the privileged-role list lands as data, a role is privileged when
/// its name says administrator (the Sentinel "UserAssignedPrivilegedRole"
/// rule's own test).
pub fn is_privileged_role(name_or_template: &str) -> bool {
    name_or_template.to_ascii_lowercase().contains("admin")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_list_reads_its_data() {
        assert!(is_legacy_client("IMAP4"));
        assert!(is_legacy_client("exchange activesync"));
        assert!(!is_legacy_client("Browser"));
        assert!(!is_legacy_client("Mobile Apps and Desktop clients"));
        assert!(!is_legacy_client(""));
    }
}

// ---- Applications: sensitive permissions and APIs (checks/apps) ----

static SENSITIVE_PERMISSIONS: &str = include_str!("../data/sensitive-graph-permissions.tsv");
static SENSITIVE_APIS: &str = include_str!("../data/sensitive-apis.tsv");
static TAKEOVER_PRONE: &str = include_str!("../data/takeover-prone-hosts.tsv");

/// How much a permission gives away (`data/sensitive-graph-permissions.tsv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PermissionTier {
    /// Reads directory or security data; not highly privileged on its own.
    Recon,
    /// Another tenant-wide write permission (the guide's `*.All`).
    Broad,
    /// Reads or changes users' content (mail, files, chats).
    Data,
    /// Takes control of the tenant, an application or an account.
    Escalation,
}

impl PermissionTier {
    /// Whether the guide calls this "highly privileged".
    pub fn is_high(self) -> bool {
        self >= PermissionTier::Broad
    }
}

/// One row of the sensitive-permission list.
#[derive(Debug, Clone, Copy)]
pub struct SensitivePermission {
    /// The permission name or a `*` pattern.
    pub name: &'static str,
    pub application: bool,
    pub delegated: bool,
    pub tier: PermissionTier,
    pub why: &'static str,
}

fn sensitive_permissions() -> &'static [SensitivePermission] {
    static V: OnceLock<Vec<SensitivePermission>> = OnceLock::new();
    V.get_or_init(|| {
        rows(SENSITIVE_PERMISSIONS)
            .into_iter()
            .filter_map(|r| {
                let name = *r.first()?;
                let kind = r.get(1).copied().unwrap_or("both").to_ascii_lowercase();
                let tier = match r.get(2).copied().unwrap_or("").to_ascii_lowercase().as_str() {
                    "escalation" => PermissionTier::Escalation,
                    "data" => PermissionTier::Data,
                    "broad" => PermissionTier::Broad,
                    _ => PermissionTier::Recon,
                };
                Some(SensitivePermission {
                    name,
                    application: kind != "delegated",
                    delegated: kind != "application",
                    tier,
                    why: r.get(3).copied().unwrap_or(""),
                })
            })
            .collect()
    })
}

/// Case-insensitive match with `*` for any run of characters.
fn glob_ci(pattern: &str, value: &str) -> bool {
    let p = pattern.to_ascii_lowercase();
    let v = value.to_ascii_lowercase();
    let parts: Vec<&str> = p.split('*').collect();
    if parts.len() == 1 {
        return p == v;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if v.len() < first.len() + last.len() || !v.starts_with(first) || !v.ends_with(last) {
        return false;
    }
    let mut rest = &v[first.len()..v.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

/// The sensitive-list entry for a permission granted as an application
/// permission (`delegated == false`) or a delegated scope. Exact names win
/// over patterns; `None` when the permission is not on the list.
pub fn sensitive_permission(name: &str, delegated: bool) -> Option<&'static SensitivePermission> {
    let name = name.trim();
    if name.is_empty() {
        return None;
    }
    let fits = |p: &&SensitivePermission| if delegated { p.delegated } else { p.application };
    let list = sensitive_permissions();
    list.iter()
        .filter(fits)
        .find(|p| !p.name.contains('*') && p.name.eq_ignore_ascii_case(name))
        .or_else(|| list.iter().filter(fits).find(|p| p.name.contains('*') && glob_ci(p.name, name)))
}

/// A Microsoft API that holds tenant data (`data/sensitive-apis.tsv`).
#[derive(Debug, Clone, Copy)]
pub struct SensitiveApi {
    pub app_id: &'static str,
    pub name: &'static str,
    pub why: &'static str,
}

fn sensitive_apis() -> &'static [SensitiveApi] {
    static V: OnceLock<Vec<SensitiveApi>> = OnceLock::new();
    V.get_or_init(|| {
        rows(SENSITIVE_APIS)
            .into_iter()
            .filter_map(|r| Some(SensitiveApi { app_id: r.first()?, name: r.get(1)?, why: r.get(2).copied().unwrap_or("") }))
            .collect()
    })
}

/// The sensitive API with this application id or display name.
pub fn sensitive_api(app_id_or_name: &str) -> Option<&'static SensitiveApi> {
    let k = app_id_or_name.trim();
    if k.is_empty() {
        return None;
    }
    sensitive_apis().iter().find(|a| a.app_id.eq_ignore_ascii_case(k) || a.name.eq_ignore_ascii_case(k))
}

/// The cloud service behind a host name whose names strangers can claim
/// once released (`data/takeover-prone-hosts.tsv`), e.g. `azurewebsites.net`.
pub fn takeover_prone_service(host: &str) -> Option<&'static str> {
    static V: OnceLock<Vec<(&'static str, &'static str)>> = OnceLock::new();
    let list = V.get_or_init(|| rows(TAKEOVER_PRONE).into_iter().filter_map(|r| Some((*r.first()?, *r.get(1)?))).collect());
    let h = host.trim().trim_end_matches('.').to_ascii_lowercase();
    list.iter()
        .find(|(suffix, _)| h.len() > suffix.len() && h.ends_with(suffix) && h.as_bytes()[h.len() - suffix.len() - 1] == b'.')
        .map(|(_, service)| *service)
}

#[cfg(test)]
mod apps_tests {
    use super::*;

    #[test]
    fn sensitive_permissions_read_their_data() {
        let p = sensitive_permission("roleManagement.readWrite.directory", false).expect("listed");
        assert_eq!(p.tier, PermissionTier::Escalation);
        assert_eq!(sensitive_permission("Mail.Read", true).map(|p| p.tier), Some(PermissionTier::Data));
        // The Mail.* pattern catches mail permissions not listed by name.
        assert_eq!(sensitive_permission("Mail.ReadBasic", true).map(|p| p.name), Some("Mail.*"));
        // *.ReadWrite.All catches other tenant-wide writes, as "broad".
        assert_eq!(sensitive_permission("Bookings.ReadWrite.All", false).map(|p| p.tier), Some(PermissionTier::Broad));
        // Delegated-only and application-only entries respect their type.
        assert!(sensitive_permission("Directory.AccessAsUser.All", true).is_some());
        assert!(sensitive_permission("Directory.AccessAsUser.All", false).is_none());
        assert!(sensitive_permission("full_access_as_app", false).is_some());
        assert!(sensitive_permission("User.Read", true).is_none());
        assert!(sensitive_permission("offline_access", true).is_none());
        assert!(sensitive_permission("", true).is_none());
        assert!(!sensitive_permission("Directory.Read.All", false).unwrap().tier.is_high());
    }

    #[test]
    fn sensitive_apis_and_takeover_hosts_read_their_data() {
        assert_eq!(sensitive_api("00000003-0000-0000-C000-000000000000").map(|a| a.name), Some("Microsoft Graph"));
        assert_eq!(sensitive_api("office 365 exchange online").map(|a| a.app_id), Some("00000002-0000-0ff1-ce00-000000000000"));
        assert!(sensitive_api("Contoso HR API").is_none());
        assert_eq!(takeover_prone_service("login-contoso.AzureWebsites.net"), Some("Azure App Service"));
        assert_eq!(takeover_prone_service("azurewebsites.net"), None);
        assert_eq!(takeover_prone_service("evilazurewebsites.net"), None);
        assert_eq!(takeover_prone_service("app.contoso.com"), None);
    }
}
