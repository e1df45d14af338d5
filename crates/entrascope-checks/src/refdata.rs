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
/// Looked up in `data/privileged-roles.tsv` by display name, older name or
/// template id: a built-in role is privileged when Microsoft labels it
/// PRIVILEGED. A name the list does not know (a custom role, a role newer
/// than the list) falls back to the Sentinel "UserAssignedPrivilegedRole"
/// test: privileged when its name says "Administrator". Unknown template
/// ids are not privileged.
pub fn is_privileged_role(name_or_template: &str) -> bool {
    match directory_role(name_or_template) {
        Some(r) => r.privileged,
        None => {
            let n = name_or_template.trim();
            !looks_like_guid(n) && n.to_ascii_lowercase().contains("administrator")
        }
    }
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

static MICROSOFT_CLIENTS: &str = include_str!("../data/microsoft-client-apps.tsv");

/// The Microsoft first-party client application with this application id
/// (`data/microsoft-client-apps.tsv`).
pub fn microsoft_client_app(app_id: &str) -> Option<&'static str> {
    static V: OnceLock<Vec<(&'static str, &'static str)>> = OnceLock::new();
    let list = V.get_or_init(|| rows(MICROSOFT_CLIENTS).into_iter().filter_map(|r| Some((*r.first()?, *r.get(1)?))).collect());
    let k = app_id.trim();
    list.iter().find(|(id, _)| id.eq_ignore_ascii_case(k)).map(|(_, name)| *name)
}

/// Whether an application's display name borrows a Microsoft product name
/// ("Office 365 Security", "Outlook Sync", "Microsoft Teams Update"), a
/// common consent-phishing lure.
pub fn imitates_microsoft(display_name: &str) -> bool {
    // Distinctive enough to match inside a word ("Office365Sync").
    const INSIDE: &[&str] =
        &["microsoft", "office", "outlook", "onedrive", "sharepoint", "azure", "o365", "m365", "defender", "intune"];
    // Common words: only as whole words.
    const WORDS: &[&str] = &["teams", "exchange", "windows", "entra", "365", "msft"];
    let n = display_name.to_ascii_lowercase();
    INSIDE.iter().any(|w| n.contains(w)) || n.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| WORDS.contains(&w))
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
        assert_eq!(microsoft_client_app("14D82EEC-204B-4C2F-B7E8-296A70DAB67E"), Some("Microsoft Graph Command Line Tools"));
        assert!(imitates_microsoft("Office365 Security Update"));
        assert!(!imitates_microsoft("Steamship Exchanger"));
        assert!(imitates_microsoft("Office 365 Security Update"));
        assert!(imitates_microsoft("Outlook-Sync"));
        assert!(!imitates_microsoft("Notes Helper"));
    }
}

// ---- Directory roles and consumer e-mail domains (checks/audit) ----

static DIRECTORY_ROLES: &str = include_str!("../data/privileged-roles.tsv");
static CONSUMER_DOMAINS: &str = include_str!("../data/consumer-domains.tsv");

/// How much a privileged directory role gives away (`data/privileged-roles.tsv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RoleTier {
    /// Not labelled privileged by Microsoft.
    None,
    /// Privileged because it reads sensitive data.
    Read,
    /// Other privileged roles: credentials, authentication or authorization policy.
    High,
    /// Takes over the tenant directly or in one step.
    Critical,
}

/// One built-in directory role.
#[derive(Debug, Clone)]
pub struct DirectoryRole {
    pub name: &'static str,
    pub template_id: &'static str,
    /// Microsoft's PRIVILEGED label.
    pub privileged: bool,
    pub tier: RoleTier,
    /// Older display names that audit logs may still carry.
    pub aliases: Vec<&'static str>,
    pub why: &'static str,
}

/// Every built-in directory role of the list.
pub fn directory_roles() -> &'static [DirectoryRole] {
    static V: OnceLock<Vec<DirectoryRole>> = OnceLock::new();
    V.get_or_init(|| {
        rows(DIRECTORY_ROLES)
            .into_iter()
            .filter_map(|r| {
                let name = *r.first()?;
                let template_id = *r.get(1)?;
                let privileged = r.get(2).is_some_and(|v| v.eq_ignore_ascii_case("yes"));
                let tier = match r.get(3).copied().unwrap_or("").to_ascii_lowercase().as_str() {
                    "critical" => RoleTier::Critical,
                    "high" => RoleTier::High,
                    "read" => RoleTier::Read,
                    _ => RoleTier::None,
                };
                let aliases =
                    r.get(4).map(|a| a.split(',').map(str::trim).filter(|a| !a.is_empty()).collect()).unwrap_or_default();
                Some(DirectoryRole { name, template_id, privileged, tier, aliases, why: r.get(5).copied().unwrap_or("") })
            })
            .collect()
    })
}

/// The built-in role with this display name, older name or template id
/// (case-insensitive; quotes and a trailing period, as some exports write
/// them, are ignored).
pub fn directory_role(name_or_template: &str) -> Option<&'static DirectoryRole> {
    let k = name_or_template.trim().trim_matches('"').trim().trim_end_matches('.').trim();
    if k.is_empty() {
        return None;
    }
    directory_roles().iter().find(|r| {
        r.name.eq_ignore_ascii_case(k)
            || r.template_id.eq_ignore_ascii_case(k)
            || r.aliases.iter().any(|a| a.eq_ignore_ascii_case(k))
    })
}

/// The tier of a role name or template id; unknown names that pass the
/// "Administrator" fallback of [`is_privileged_role`] count as `High`.
pub fn role_tier(name_or_template: &str) -> RoleTier {
    match directory_role(name_or_template) {
        Some(r) => r.tier,
        None if is_privileged_role(name_or_template) => RoleTier::High,
        None => RoleTier::None,
    }
}

/// Roles that make someone an administrator of devices (guide row
/// devices-177: "global or device admin roles"): local administrator on
/// every joined device, or control of the device estate.
pub fn is_device_admin_role(name_or_template: &str) -> bool {
    const DEVICE_ADMIN: &[&str] = &[
        "Global Administrator",
        "Microsoft Entra Joined Device Local Administrator",
        "Cloud Device Administrator",
        "Intune Administrator",
    ];
    directory_role(name_or_template).is_some_and(|r| DEVICE_ADMIN.contains(&r.name))
}

fn looks_like_guid(s: &str) -> bool {
    s.len() == 36
        && s.bytes().enumerate().all(|(i, b)| if matches!(i, 8 | 13 | 18 | 23) { b == b'-' } else { b.is_ascii_hexdigit() })
}

/// A consumer (personal) e-mail domain (`data/consumer-domains.tsv`).
#[derive(Debug, Clone, Copy)]
pub struct ConsumerDomain {
    pub domain: &'static str,
    pub provider: &'static str,
    /// The domain is a Microsoft account (Outlook.com) domain.
    pub microsoft_account: bool,
}

fn consumer_domains() -> &'static [ConsumerDomain] {
    static V: OnceLock<Vec<ConsumerDomain>> = OnceLock::new();
    V.get_or_init(|| {
        rows(CONSUMER_DOMAINS)
            .into_iter()
            .filter_map(|r| {
                Some(ConsumerDomain {
                    domain: r.first()?,
                    provider: r.get(1).copied().unwrap_or(""),
                    microsoft_account: r.get(2).is_some_and(|v| v.eq_ignore_ascii_case("yes")),
                })
            })
            .collect()
    })
}

/// The consumer-domain entry for a domain (case-insensitive, exact).
pub fn consumer_domain(domain: &str) -> Option<&'static ConsumerDomain> {
    let d = domain.trim().trim_end_matches('.');
    if d.is_empty() {
        return None;
    }
    consumer_domains().iter().find(|c| c.domain.eq_ignore_ascii_case(d))
}

/// The e-mail domain an account really comes from: for a B2B guest
/// (`jane_gmail.com#EXT#@contoso.onmicrosoft.com`) the domain of the
/// invited address (`gmail.com`), otherwise the part after `@`.
pub fn home_domain(upn: &str) -> &str {
    let upn = upn.trim();
    let lower_ext = upn.to_ascii_lowercase().find("#ext#");
    if let Some(pos) = lower_ext {
        let local = &upn[..pos];
        if let Some((_, domain)) = local.rsplit_once('_') {
            return domain;
        }
        return "";
    }
    upn.rsplit_once('@').map(|(_, d)| d).unwrap_or("")
}

/// The consumer-domain entry of an account's home domain (see [`home_domain`]).
pub fn consumer_account(upn: &str) -> Option<&'static ConsumerDomain> {
    consumer_domain(home_domain(upn))
}

#[cfg(test)]
mod audit_tests {
    use super::*;

    #[test]
    fn privileged_roles_come_from_the_list() {
        assert!(is_privileged_role("Global Administrator"));
        assert!(is_privileged_role("62e90394-69f5-4237-9190-012177145e10"));
        assert!(is_privileged_role("Company Administrator"));
        assert!(is_privileged_role("\"Privileged Role Administrator\""));
        assert!(is_privileged_role("security reader"));
        // Labelled roles without "Administrator" in their name.
        assert!(is_privileged_role("Directory Writers"));
        assert!(is_privileged_role("Partner Tier2 Support"));
        // Built-in "Administrator" roles Microsoft does not label privileged.
        assert!(!is_privileged_role("Exchange Administrator"));
        assert!(!is_privileged_role("29232cdf-9323-42fd-ade2-1d097af3e4de"));
        assert!(!is_privileged_role("Reports Reader"));
        // Fallback for unknown names, never for unknown ids.
        assert!(is_privileged_role("Contoso Tier0 Administrator"));
        assert!(!is_privileged_role("Contoso Helpdesk Reader"));
        assert!(!is_privileged_role("00000000-1111-2222-3333-444444444444"));
        assert!(!is_privileged_role(""));
        assert_eq!(role_tier("Privileged Role Administrator"), RoleTier::Critical);
        assert_eq!(role_tier("Global Reader"), RoleTier::Read);
        assert_eq!(role_tier("Exchange Administrator"), RoleTier::None);
        assert!(is_device_admin_role("Azure AD Joined Device Local Administrator"));
        assert!(!is_device_admin_role("User Administrator"));
        let privileged = directory_roles().iter().filter(|r| r.privileged).count();
        assert!(privileged >= 29, "{privileged}");
        assert!(directory_roles().iter().all(|r| looks_like_guid(r.template_id)));
    }

    #[test]
    fn consumer_domains_and_guests() {
        assert!(consumer_domain("Outlook.com").unwrap().microsoft_account);
        assert!(!consumer_domain("gmail.com").unwrap().microsoft_account);
        assert!(consumer_domain("contoso.com").is_none());
        assert_eq!(home_domain("jane_hotmail.com#EXT#@contoso.onmicrosoft.com"), "hotmail.com");
        assert_eq!(home_domain("first_last_live.co.uk#ext#@contoso.onmicrosoft.com"), "live.co.uk");
        assert_eq!(home_domain("jane@contoso.com"), "contoso.com");
        assert_eq!(home_domain("no-at-sign"), "");
        assert!(consumer_account("jane_hotmail.com#EXT#@contoso.onmicrosoft.com").unwrap().microsoft_account);
        assert!(consumer_account("jane_fabrikam.com#EXT#@contoso.onmicrosoft.com").is_none());
        assert!(consumer_account("someone@live.com").is_some());
    }
}

// ---- Correlation checks: credential-attack codes, risk event types, B2C apps, MFA results, country time zones (checks/correlation) ----

static CREDENTIAL_CODES: &str = include_str!("../data/credential-attack-codes.tsv");
static RISK_EVENT_TYPES: &str = include_str!("../data/risk-event-types.tsv");
static B2C_APPS: &str = include_str!("../data/b2c-apps.tsv");
static MFA_RESULTS: &str = include_str!("../data/mfa-result-details.tsv");
static COUNTRY_ZONES: &str = include_str!("../data/country-time-zones.tsv");

/// The sets of `data/credential-attack-codes.tsv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeSet {
    /// A failed guess counted by the password-spray check.
    Spray = 1,
    /// A wrong password counted by the brute-force and distributed-cracking checks.
    Guess = 2,
    /// The password was right, even if the sign-in did not complete.
    Accepted = 4,
    /// An interrupt of the guide's "Interrupts" row.
    Interrupt = 8,
}

/// Whether a sign-in error code is in one of the credential-attack sets.
pub fn code_in(code: u32, set: CodeSet) -> bool {
    // Sorted by code, one entry per code with the union of its sets: checks
    // ask for every sign-in, several times.
    static V: OnceLock<Vec<(u32, u8)>> = OnceLock::new();
    let list = V.get_or_init(|| {
        let mut list: Vec<(u32, u8)> = rows(CREDENTIAL_CODES)
            .into_iter()
            .filter_map(|r| {
                let code = r.first()?.parse::<u32>().ok()?;
                let mut mask = 0u8;
                for s in r.get(1).copied().unwrap_or("").split(',') {
                    mask |= match s.trim() {
                        "spray" => CodeSet::Spray as u8,
                        "guess" => CodeSet::Guess as u8,
                        "accepted" => CodeSet::Accepted as u8,
                        "interrupt" => CodeSet::Interrupt as u8,
                        _ => 0,
                    };
                }
                Some((code, mask))
            })
            .collect();
        list.sort_unstable();
        list.dedup_by(|later, first| {
            let same = later.0 == first.0;
            if same {
                first.1 |= later.1;
            }
            same
        });
        list
    });
    list.binary_search_by_key(&code, |e| e.0).ok().and_then(|i| list.get(i)).is_some_and(|e| e.1 & set as u8 != 0)
}

/// An Identity Protection risk event type (`data/risk-event-types.tsv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RiskEventType {
    /// Graph's spelling, e.g. `unfamiliarFeatures`.
    pub name: &'static str,
    /// The guide row naming it; empty when no user-accounts row does.
    pub guide: &'static str,
    /// The detection's name in the Entra admin center.
    pub detection: &'static str,
}

/// The risk event type with this name (case and punctuation ignored).
pub fn risk_event_type(name: &str) -> Option<&'static RiskEventType> {
    static V: OnceLock<Vec<RiskEventType>> = OnceLock::new();
    let list = V.get_or_init(|| {
        rows(RISK_EVENT_TYPES)
            .into_iter()
            .filter_map(|r| {
                Some(RiskEventType {
                    name: r.first()?,
                    guide: r.get(1).copied().unwrap_or(""),
                    detection: r.get(2).copied().unwrap_or(""),
                })
            })
            .collect()
    });
    let k = alnum_lower(name);
    if k.is_empty() {
        return None;
    }
    list.iter().find(|t| alnum_lower(t.name) == k)
}

fn alnum_lower(s: &str) -> String {
    s.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

/// Whether the application is one the guide's consumer-accounts (Azure AD B2C) rows filter on.
pub fn is_b2c_app(app: &str) -> bool {
    static V: OnceLock<Vec<&'static str>> = OnceLock::new();
    let list = V.get_or_init(|| rows(B2C_APPS).into_iter().filter_map(|r| r.first().copied()).collect());
    let a = app.trim();
    !a.is_empty() && list.iter().any(|x| x.eq_ignore_ascii_case(a))
}

/// What a multifactor-authentication result detail says (`data/mfa-result-details.tsv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MfaResult {
    Denied,
    Unanswered,
    Fraud,
    Completed,
}

/// Reads an MFA result detail or status detail; `None` when it is none of the listed results.
pub fn mfa_result(detail: &str) -> Option<MfaResult> {
    static V: OnceLock<Vec<(String, MfaResult)>> = OnceLock::new();
    let list = V.get_or_init(|| {
        rows(MFA_RESULTS)
            .into_iter()
            .filter_map(|r| {
                let class = match r.get(1).copied()? {
                    "denied" => MfaResult::Denied,
                    "unanswered" => MfaResult::Unanswered,
                    "fraud" => MfaResult::Fraud,
                    "completed" => MfaResult::Completed,
                    _ => return None,
                };
                Some((r.first()?.to_ascii_lowercase(), class))
            })
            .collect()
    });
    if detail.is_empty() {
        return None;
    }
    let d = detail.to_ascii_lowercase();
    list.iter().find(|(k, _)| d.contains(k.as_str())).map(|(_, c)| *c)
}

/// One time zone of a country, with its principal location.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CountryZone {
    pub zone: &'static str,
    pub latitude: f64,
    pub longitude: f64,
}

/// The IANA time zones of a country or region (two-letter code, any case); empty when unknown.
pub fn country_time_zones(country: &str) -> &'static [CountryZone] {
    static V: OnceLock<std::collections::HashMap<String, Vec<CountryZone>>> = OnceLock::new();
    let map = V.get_or_init(|| {
        let mut m: std::collections::HashMap<String, Vec<CountryZone>> = std::collections::HashMap::new();
        for r in rows(COUNTRY_ZONES) {
            let (Some(cc), Some(zone)) = (r.first(), r.get(1)) else { continue };
            let lat = r.get(2).and_then(|v| v.parse().ok()).unwrap_or(f64::NAN);
            let lon = r.get(3).and_then(|v| v.parse().ok()).unwrap_or(f64::NAN);
            m.entry(cc.to_ascii_uppercase()).or_default().push(CountryZone { zone, latitude: lat, longitude: lon });
        }
        m
    });
    map.get(&country.trim().to_ascii_uppercase()).map(Vec::as_slice).unwrap_or(&[])
}

#[cfg(test)]
mod correlation_tests {
    use super::*;

    #[test]
    fn credential_code_sets_read_their_data() {
        assert!(code_in(50126, CodeSet::Spray) && code_in(50126, CodeSet::Guess) && !code_in(50126, CodeSet::Accepted));
        assert!(code_in(50055, CodeSet::Spray) && code_in(50055, CodeSet::Accepted));
        assert!(code_in(0, CodeSet::Accepted) && code_in(53003, CodeSet::Accepted) && code_in(500121, CodeSet::Accepted));
        assert!(code_in(500121, CodeSet::Interrupt) && code_in(50097, CodeSet::Interrupt) && !code_in(50126, CodeSet::Interrupt));
        assert!(!code_in(70044, CodeSet::Accepted) && !code_in(12345, CodeSet::Spray));
    }

    #[test]
    fn risk_types_b2c_and_mfa_results_read_their_data() {
        assert_eq!(risk_event_type("unfamiliarFeatures").map(|t| t.guide), Some("user-accounts-017"));
        assert_eq!(risk_event_type("MCAS_IMPOSSIBLE_TRAVEL").map(|t| t.guide), Some("user-accounts-021"));
        assert_eq!(risk_event_type("tokenIssuerAnomaly").map(|t| t.guide), Some(""));
        assert!(risk_event_type("none").is_none() && risk_event_type("").is_none());
        assert!(is_b2c_app("proxyidentityexperienceframework") && !is_b2c_app("Azure Portal") && !is_b2c_app(""));
        assert_eq!(mfa_result("MFA denied; user declined the authentication"), Some(MfaResult::Denied));
        assert_eq!(mfa_result("MFA denied; user did not respond to mobile app notification"), Some(MfaResult::Unanswered));
        assert_eq!(mfa_result("MFA denied; Phone App Reported Fraud"), Some(MfaResult::Fraud));
        assert_eq!(mfa_result("MFA successfully completed"), Some(MfaResult::Completed));
        assert_eq!(mfa_result("MFA requirement satisfied by claim in the token"), None);
    }

    #[test]
    fn every_country_zone_is_a_known_time_zone() {
        assert_eq!(country_time_zones("gb").iter().map(|z| z.zone).collect::<Vec<_>>(), ["Europe/London"]);
        assert!(country_time_zones("US").len() > 10);
        assert!(country_time_zones("XX").is_empty());
        for r in rows(COUNTRY_ZONES) {
            let zone = r[1];
            let bh = entrascope_core::settings::BusinessHours {
                timezone: zone.into(),
                days: vec!["Mon".into()],
                start: "08:00".into(),
                end: "18:00".into(),
            };
            assert!(
                entrascope_core::settings::BusinessHoursRule::compile(&bh).is_ok(),
                "{zone} is not in the bundled time zone database"
            );
        }
    }
}

// ---- Sign-in checks: error codes, productivity apps, multifactor methods (checks/signin) ----

static PRODUCTIVITY_APPS: &str = include_str!("../data/productivity-apps.tsv");
static MULTIFACTOR_METHODS: &str = include_str!("../data/multifactor-methods.tsv");

// The error-code list lives in entrascope-core: the readers classify outcomes
// with it (for exports without a Status column) and checks explain codes.
pub use entrascope_core::error_codes::{
    error_code, error_code_class, error_code_first_factor_passed, error_code_meaning, ErrorClass, ErrorCode,
};

/// `53003 (Access blocked by Conditional Access policies.)`, or the bare
/// code when the list does not know it: for summaries and evidence.
pub fn describe_error_code(code: u32) -> String {
    match error_code_meaning(code) {
        Some(m) if !m.is_empty() => format!("{code} ({})", m.trim_end_matches('.')),
        _ => code.to_string(),
    }
}

/// A day-to-day productivity application (`data/productivity-apps.tsv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProductivityApp {
    pub app_id: &'static str,
    pub name: &'static str,
    /// `mail`, `chat`, `files` or `office`.
    pub kind: &'static str,
}

/// The productivity application a sign-in's client application is, by
/// application id, else by display name (case-insensitive).
pub fn productivity_app(app_id: &str, app_name: &str) -> Option<&'static ProductivityApp> {
    static V: OnceLock<Vec<ProductivityApp>> = OnceLock::new();
    let list = V.get_or_init(|| {
        rows(PRODUCTIVITY_APPS)
            .into_iter()
            .filter_map(|r| Some(ProductivityApp { app_id: r.first()?, name: r.get(1)?, kind: r.get(2).copied().unwrap_or("") }))
            .collect()
    });
    let (id, name) = (app_id.trim(), app_name.trim());
    if !id.is_empty() {
        if let Some(a) = list.iter().find(|a| a.app_id.eq_ignore_ascii_case(id)) {
            return Some(a);
        }
    }
    if name.is_empty() {
        return None;
    }
    list.iter().find(|a| a.name.eq_ignore_ascii_case(name))
}

/// Whether an authentication method satisfies multifactor authentication in
/// one step (Windows Hello for Business, FIDO2, passkeys, passwordless phone
/// sign-in; `data/multifactor-methods.tsv`).
pub fn is_multifactor_method(method: &str) -> bool {
    static V: OnceLock<Vec<String>> = OnceLock::new();
    let list = V.get_or_init(|| {
        rows(MULTIFACTOR_METHODS).into_iter().filter_map(|r| r.first().map(|m| m.to_ascii_lowercase())).collect()
    });
    let m = method.trim().to_ascii_lowercase();
    !m.is_empty() && list.iter().any(|k| m.contains(k.as_str()))
}

#[cfg(test)]
mod signin_tests {
    use super::*;

    #[test]
    fn error_codes_read_their_data() {
        // The codes the sign-in checks and the UI explain most often.
        let common = [
            0, 50053, 50055, 50056, 50057, 50058, 50072, 50074, 50076, 50079, 50097, 50125, 50126, 50140, 50144, 50158, 53000,
            53001, 53002, 53003, 53004, 500121, 50133, 50173, 70043, 70044, 81010, 81012, 81016, 90094, 65001, 700016, 7000218,
            530032, 50105, 50034, 50059, 50011, 50012, 50089, 50132, 50143, 50199, 51004, 54000, 700082, 16000, 16001, 16003,
            50005, 50131, 52004, 9002313, 700005, 7000215, 7000222, 90072, 90095, 500011, 500133, 50020, 50107, 50128, 50129,
            50155, 50178, 399284,
        ];
        for c in common {
            assert!(error_code(c).is_some(), "{c} is missing from signin-error-codes.tsv");
        }
        assert!(entrascope_core::error_codes::all().len() >= 100);
        assert!(entrascope_core::error_codes::all().windows(2).all(|w| w[0].code < w[1].code), "duplicate codes");
        assert!(entrascope_core::error_codes::all().iter().all(|e| !e.meaning.is_empty() && !e.source.is_empty()));
        assert_eq!(error_code_class(0), Some(ErrorClass::Success));
        assert_eq!(error_code_class(50074), Some(ErrorClass::Interrupt));
        assert_eq!(error_code_class(53003), Some(ErrorClass::Failure));
        assert_eq!(error_code_class(12345), None);
        assert!(error_code_meaning(50057).unwrap().contains("disabled"));
        assert!(error_code_first_factor_passed(53003) && error_code_first_factor_passed(500121));
        assert!(
            !error_code_first_factor_passed(50126)
                && !error_code_first_factor_passed(70044)
                && !error_code_first_factor_passed(1)
        );
        assert_eq!(describe_error_code(99999999), "99999999");
        assert!(describe_error_code(50126).starts_with("50126 (Invalid user name or password"));
    }

    #[test]
    fn productivity_apps_and_methods_read_their_data() {
        assert_eq!(productivity_app("1FEC8E78-BCE4-4AAF-AB1B-5451CC387264", "").map(|a| a.kind), Some("chat"));
        assert_eq!(productivity_app("", "outlook mobile").map(|a| a.kind), Some("mail"));
        assert!(productivity_app("c44b4083-3bb0-49c1-b47d-974e53cbdf3c", "Azure Portal").is_none());
        assert!(productivity_app("", "").is_none());
        assert!(is_multifactor_method("Windows Hello for Business"));
        assert!(is_multifactor_method("FIDO2 security key"));
        assert!(is_multifactor_method("Passkey (Microsoft Authenticator)"));
        assert!(!is_multifactor_method("Password") && !is_multifactor_method("Text message") && !is_multifactor_method(""));
    }
}
