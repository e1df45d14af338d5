//! Audit checks on applications, infrastructure (domains, federation,
//! policies) and consumer (B2C) tenants.
//!
//! The helpers below are shared by the checks of this folder: activity-name
//! matching that survives the exports' spelling differences, decoding of
//! modified-property values (JSON-ish text), and the extraction of
//! permission grants from the several events one consent writes.

super::register! {
    credential_added,
    sp_role_assigned,
    sensitive_permission,
    api_permission,
    user_consent,
    consent_blocked_risky,
    redirect_uri_risky,
    uri_unowned_domain,
    app_id_uri_changed,
    owner_added,
    logout_url_changed,
    tenant_created,
    ca_policy_weakened,
    all_users_access,
    b2c_account_spike,
    b2c_consumer_privileged,
    b2c_config_unapproved,
}

use std::collections::{BTreeSet, HashMap, HashSet};

use entrascope_logs::{AuditEvent, Dataset, Id, ModifiedProperty, Target};
use serde_json::Value;

use crate::refdata;
use crate::Context;

/// An activity name reduced to a comparable key: lower case, any dash as
/// `-`, runs of white space as one space, no trailing period (the unified
/// audit log appends one) and no surrounding white space. The Log Analytics
/// sample writes "Update application – Certificates and secrets management "
/// (en dash, trailing space); Graph writes a hyphen.
pub(crate) fn activity_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.trim().chars() {
        let c = match c {
            '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
            c if c.is_whitespace() => ' ',
            c => c,
        };
        if c == ' ' {
            if !space {
                out.push(' ');
            }
            space = true;
            continue;
        }
        space = false;
        out.extend(c.to_lowercase());
    }
    while out.ends_with('.') || out.ends_with(' ') {
        out.pop();
    }
    out
}

/// The event's activity as an [`activity_key`].
pub(crate) fn activity<'c>(cx: &'c Context, a: &AuditEvent) -> std::borrow::Cow<'c, str> {
    match cx.activity(a) {
        std::borrow::Cow::Borrowed(x) => std::borrow::Cow::Borrowed(&x.key),
        std::borrow::Cow::Owned(x) => std::borrow::Cow::Owned(x.key.into_string()),
    }
}

/// The modified property `name` (case-insensitive) of one target.
pub(crate) fn prop<'a>(ds: &'a Dataset, t: &Target, name: &str) -> Option<&'a ModifiedProperty> {
    ds.modified(t).iter().find(|p| ds.str(p.name).trim().eq_ignore_ascii_case(name))
}

/// The first target of the event carrying the modified property `name`, with the property.
pub(crate) fn find_prop<'a>(ds: &'a Dataset, a: &AuditEvent, name: &str) -> Option<(&'a Target, &'a ModifiedProperty)> {
    ds.targets(a).iter().find_map(|t| prop(ds, t, name).map(|p| (t, p)))
}

/// Decodes one level of JSON-in-a-string: `"\"x\""` → `"x"`, `"[\"a\"]"` → the array.
pub(crate) fn json_doc(v: &str) -> Option<Value> {
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    let mut doc: Value = serde_json::from_str(v).ok()?;
    // Values are sometimes JSON written into a JSON string (Log Analytics,
    // some portal exports); unwrap up to two levels.
    for _ in 0..2 {
        match &doc {
            Value::String(s) if s.trim_start().starts_with(['{', '[']) => match serde_json::from_str::<Value>(s) {
                Ok(inner) => doc = inner,
                Err(_) => break,
            },
            _ => break,
        }
    }
    Some(doc)
}

/// The text items of a modified-property value: a JSON string, an array of
/// strings (each possibly holding JSON text itself), or, when the value is
/// not JSON, the value with its quotes stripped. Empty items are dropped.
pub(crate) fn values(v: &str) -> Vec<String> {
    fn push(out: &mut Vec<String>, v: &Value, depth: u8) {
        match v {
            Value::Null => {}
            Value::String(s) => {
                let t = s.trim();
                if depth < 2 && t.starts_with('[') {
                    if let Ok(inner @ Value::Array(_)) = serde_json::from_str::<Value>(t) {
                        push(out, &inner, depth + 1);
                        return;
                    }
                }
                if !t.is_empty() {
                    out.push(t.to_string());
                }
            }
            Value::Array(items) => {
                for i in items {
                    push(out, i, depth + 1);
                }
            }
            other => out.push(other.to_string()),
        }
    }
    let t = v.trim();
    if t.is_empty() {
        return Vec::new();
    }
    match serde_json::from_str::<Value>(t) {
        Ok(doc) => {
            let mut out = Vec::new();
            push(&mut out, &doc, 0);
            out
        }
        Err(_) => {
            let u = crate::context::unquote(t).trim();
            if u.is_empty() {
                Vec::new()
            } else {
                vec![u.to_string()]
            }
        }
    }
}

/// A modified-property value as one text (items joined by a space).
pub(crate) fn text(v: &str) -> String {
    values(v).join(" ")
}

/// `1 credential`, `3 credentials`.
pub(crate) fn count(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// `a, b and c`; beyond `max` items: `a, b, c and 4 more`.
pub(crate) fn join_list<S: AsRef<str>>(items: &[S], max: usize) -> String {
    let items: Vec<&str> = items.iter().map(|s| s.as_ref()).filter(|s| !s.is_empty()).collect();
    match items.len() {
        0 => String::new(),
        1 => items[0].to_string(),
        n if n <= max => format!("{} and {}", items[..n - 1].join(", "), items[n - 1]),
        n => format!("{} and {} more", items[..max].join(", "), n - max),
    }
}

/// The actor of an event for a summary: UPN or app name, or a placeholder.
pub(crate) fn who<'a>(cx: &Context<'a>, a: &AuditEvent) -> &'a str {
    let actor = cx.actor(a);
    if actor.is_empty() {
        "an unidentified actor"
    } else {
        actor
    }
}

/// Display names of directory objects by object id, learned from every
/// audit target and from the `X.ObjectID` / `X.DisplayName` property pairs
/// events carry about related objects.
pub(crate) struct Names {
    map: HashMap<String, String>,
}

impl Names {
    pub(crate) fn learn(cx: &Context) -> Names {
        let ds = cx.ds;
        let mut map: HashMap<String, String> = HashMap::new();
        let mut put = |id: &str, name: &str| {
            let (id, name) = (id.trim(), name.trim());
            if !id.is_empty() && !name.is_empty() && !name.eq_ignore_ascii_case(id) {
                map.entry(id.to_ascii_lowercase()).or_insert_with(|| name.to_string());
            }
        };
        for a in &ds.audits {
            for t in ds.targets(a) {
                put(ds.str(t.id), ds.str(t.display));
                if t.modified.is_empty() {
                    continue;
                }
                for (id_prop, name_prop) in [
                    ("ServicePrincipal.ObjectID", "ServicePrincipal.DisplayName"),
                    ("Application.ObjectID", "Application.DisplayName"),
                    ("Group.ObjectID", "Group.DisplayName"),
                ] {
                    let id = prop(ds, t, id_prop).map(|p| text(first_non_empty(ds, p)));
                    let name = prop(ds, t, name_prop).map(|p| text(first_non_empty(ds, p)));
                    if let (Some(id), Some(name)) = (id, name) {
                        put(&id, &name);
                    }
                }
            }
        }
        Names { map }
    }

    pub(crate) fn get(&self, id: &str) -> Option<&str> {
        self.map.get(&id.trim().to_ascii_lowercase()).map(String::as_str)
    }

    /// The name of the object, else its id.
    pub(crate) fn name_or<'b>(&'b self, id: &'b str) -> &'b str {
        self.get(id).unwrap_or(id)
    }
}

/// The new value of a property, or its old value when the new one is empty
/// (a removal records the object in `oldValue`).
pub(crate) fn first_non_empty<'a>(ds: &'a Dataset, p: &ModifiedProperty) -> &'a str {
    let n = ds.str(p.new);
    if values(n).is_empty() {
        ds.str(p.old)
    } else {
        n
    }
}

/// Application permission (app role) or delegated permission (OAuth2 scope).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GrantKind {
    AppRole,
    Delegated,
}

/// Permissions granted to a client application on one API by one event.
#[derive(Debug, Clone)]
pub(crate) struct Grant {
    /// Index of the audit event that records it.
    pub idx: usize,
    pub kind: GrantKind,
    /// The API (resource service principal) display name, else its object id.
    pub api: String,
    /// The API's application id when the event names it.
    pub api_app_id: String,
    /// The API's object id.
    pub api_id: String,
    /// The client application's display name, else its object id.
    pub client: String,
    /// The client service principal's object id, lower case, when known.
    pub client_id: String,
    /// The permissions added by this event.
    pub permissions: Vec<String>,
    /// Delegated grant for every user (admin consent, `AllPrincipals`).
    pub all_principals: bool,
}

impl Grant {
    /// The sensitive API this grant targets, from the built-in list or the
    /// `sensitive_applications` setting.
    pub(crate) fn sensitive_api(&self, cx: &Context) -> Option<String> {
        for k in [&self.api_app_id, &self.api] {
            if let Some(a) = refdata::sensitive_api(k) {
                return Some(a.name.to_string());
            }
        }
        for k in [&self.api_app_id, &self.api, &self.api_id] {
            if cx.sensitive_apps.matches(k) {
                return Some(self.api.clone());
            }
        }
        None
    }

    /// The granted permissions that the sensitive list calls highly privileged.
    pub(crate) fn high_permissions(&self) -> Vec<(&str, &'static refdata::SensitivePermission)> {
        self.permissions
            .iter()
            .filter_map(|p| {
                refdata::sensitive_permission(p, self.kind == GrantKind::Delegated)
                    .filter(|s| s.tier.is_high())
                    .map(|s| (p.as_str(), s))
            })
            .collect()
    }
}

const APP_ROLE_GRANT: &str = "add app role assignment to service principal";
const DELEGATED_GRANTS: &[&str] = &["add delegated permission grant", "add oauth2permissiongrant"];
pub(crate) const CONSENT: &str = "consent to application";

/// Scopes of a space-separated scope string.
fn scopes(v: &str) -> Vec<String> {
    text(v).split_whitespace().map(str::to_string).collect()
}

/// One entry of a `ConsentAction.Permissions` value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ConsentEntry {
    pub principal_id: String,
    pub resource_id: String,
    pub consent_type: String,
    pub scopes: Vec<String>,
}

/// Parses `ConsentAction.Permissions`: `[old entries] => [new entries]; `
/// (or only new entries), each `[Id: .., ClientId: .., PrincipalId: ..,
/// ResourceId: .., ConsentType: .., Scope: a b c, CreatedDateTime: ..]`.
pub(crate) fn consent_permissions(v: &str) -> (Vec<ConsentEntry>, Vec<ConsentEntry>) {
    use std::sync::OnceLock;
    static RE: OnceLock<regex_lite::Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        regex_lite::Regex::new(
            r"(?:PrincipalId:\s*([^,\]]*),\s*)?ResourceId:\s*([^,\]]*),\s*ConsentType:\s*([^,\]]*),\s*Scope:\s*([^,\]]*)",
        )
        .expect("valid regex")
    });
    let t = text(v);
    let (old, new) = match t.find("=>") {
        Some(i) => (&t[..i], &t[i + 2..]),
        None => ("", t.as_str()),
    };
    let parse = |side: &str| {
        re.captures_iter(side)
            .map(|c| ConsentEntry {
                principal_id: c.get(1).map(|m| m.as_str().trim().to_string()).unwrap_or_default(),
                resource_id: c.get(2).map(|m| m.as_str().trim().to_string()).unwrap_or_default(),
                consent_type: c.get(3).map(|m| m.as_str().trim().to_string()).unwrap_or_default(),
                scopes: c.get(4).map(|m| m.as_str().split_whitespace().map(str::to_string).collect()).unwrap_or_default(),
            })
            .collect::<Vec<_>>()
    };
    (parse(old), parse(new))
}

/// Scopes in `new` that `old` did not hold, per resource and consent type.
pub(crate) fn added_consent_scopes(old: &[ConsentEntry], new: &[ConsentEntry]) -> Vec<ConsentEntry> {
    new.iter()
        .filter_map(|n| {
            let before: HashSet<String> = old
                .iter()
                .filter(|o| {
                    o.resource_id.eq_ignore_ascii_case(&n.resource_id) && o.consent_type.eq_ignore_ascii_case(&n.consent_type)
                })
                .flat_map(|o| o.scopes.iter().map(|s| s.to_ascii_lowercase()))
                .collect();
            let added: Vec<String> = n.scopes.iter().filter(|s| !before.contains(&s.to_ascii_lowercase())).cloned().collect();
            (!added.is_empty()).then(|| ConsentEntry { scopes: added, ..n.clone() })
        })
        .collect()
}

/// Whether the consent event says it was an administrator's consent.
pub(crate) fn is_admin_consent(cx: &Context, a: &AuditEvent) -> bool {
    find_prop(cx.ds, a, "ConsentContext.IsAdminConsent").is_some_and(|(_, p)| text(cx.ds.str(p.new)).eq_ignore_ascii_case("true"))
}

/// Every permission granted in the audit log, one [`Grant`] per event and
/// API: application permissions from *Add app role assignment to service
/// principal*, delegated permissions from *Add delegated permission grant*
/// (only the scopes the event adds), and, for consents whose grant events
/// are missing from the export (a truncated CSV, a filtered download), the
/// scopes added by *Consent to application* itself.
pub(crate) fn permission_grants(cx: &Context, names: &Names) -> Vec<Grant> {
    let ds = cx.ds;
    // The client of a delegated grant is named only by the consent event
    // that shares its correlation id.
    let mut consent_client: HashMap<Id, (String, String)> = HashMap::new();
    let mut grant_corr: HashSet<Id> = HashSet::new();
    for (_, a) in cx.audits_ok() {
        let act = activity(cx, a);
        if act == CONSENT && !a.correlation_id.is_none() {
            if let Some(t) =
                ds.targets(a).iter().find(|t| ds.str(t.kind).eq_ignore_ascii_case("ServicePrincipal")).or(ds.targets(a).first())
            {
                consent_client.insert(a.correlation_id, (ds.str(t.display).to_string(), ds.str(t.id).to_ascii_lowercase()));
            }
        } else if DELEGATED_GRANTS.contains(&&*act) && !a.correlation_id.is_none() {
            grant_corr.insert(a.correlation_id);
        }
    }
    let mut out = Vec::new();
    for (i, a) in cx.audits_ok() {
        let act = activity(cx, a);
        let detail_app = ds.detail(a, "AppId").unwrap_or("").trim().to_string();
        if act == APP_ROLE_GRANT {
            let Some((t, p)) = find_prop(ds, a, "AppRole.Value") else { continue };
            let perms: Vec<String> = values(ds.str(p.new));
            if perms.is_empty() {
                continue; // the default access role carries no permission
            }
            let client_id =
                prop(ds, t, "ServicePrincipal.ObjectID").map(|p| text(ds.str(p.new)).to_ascii_lowercase()).unwrap_or_default();
            let client_name = prop(ds, t, "ServicePrincipal.DisplayName").map(|p| text(ds.str(p.new))).unwrap_or_default();
            let client = if !client_name.is_empty() { client_name } else { names.name_or(&client_id).to_string() };
            out.push(Grant {
                idx: i,
                kind: GrantKind::AppRole,
                api: non_empty(ds.str(t.display), ds.str(t.id)),
                api_app_id: detail_app,
                api_id: ds.str(t.id).to_ascii_lowercase(),
                client,
                client_id,
                permissions: perms,
                all_principals: false,
            });
        } else if DELEGATED_GRANTS.contains(&&*act) {
            let Some((t, p)) = find_prop(ds, a, "DelegatedPermissionGrant.Scope") else { continue };
            let before: HashSet<String> = scopes(ds.str(p.old)).into_iter().map(|s| s.to_ascii_lowercase()).collect();
            let added: Vec<String> =
                scopes(ds.str(p.new)).into_iter().filter(|s| !before.contains(&s.to_ascii_lowercase())).collect();
            if added.is_empty() {
                continue;
            }
            let consent_type =
                prop(ds, t, "DelegatedPermissionGrant.ConsentType").map(|p| text(ds.str(p.new))).unwrap_or_default();
            let mut client_id =
                prop(ds, t, "ServicePrincipal.ObjectID").map(|p| text(ds.str(p.new)).to_ascii_lowercase()).unwrap_or_default();
            let mut client = String::new();
            if let Some((name, id)) = consent_client.get(&a.correlation_id) {
                client = name.clone();
                if client_id.is_empty() {
                    client_id = id.clone();
                }
            }
            if client.is_empty() {
                client = names.name_or(&client_id).to_string();
            }
            out.push(Grant {
                idx: i,
                kind: GrantKind::Delegated,
                api: non_empty(ds.str(t.display), ds.str(t.id)),
                api_app_id: detail_app,
                api_id: ds.str(t.id).to_ascii_lowercase(),
                client,
                client_id,
                permissions: added,
                all_principals: consent_type.eq_ignore_ascii_case("AllPrincipals"),
            });
        } else if act == CONSENT && (a.correlation_id.is_none() || !grant_corr.contains(&a.correlation_id)) {
            let Some((t, p)) = find_prop(ds, a, "ConsentAction.Permissions") else { continue };
            let (old, new) = consent_permissions(ds.str(p.new));
            for e in added_consent_scopes(&old, &new) {
                out.push(Grant {
                    idx: i,
                    kind: GrantKind::Delegated,
                    api: names.name_or(&e.resource_id).to_string(),
                    api_app_id: String::new(),
                    api_id: e.resource_id.to_ascii_lowercase(),
                    client: non_empty(ds.str(t.display), ds.str(t.id)),
                    client_id: ds.str(t.id).to_ascii_lowercase(),
                    permissions: e.scopes,
                    all_principals: e.consent_type.eq_ignore_ascii_case("AllPrincipals"),
                });
            }
        }
    }
    out
}

fn non_empty(a: &str, b: &str) -> String {
    if a.trim().is_empty() {
        b.trim().to_string()
    } else {
        a.trim().to_string()
    }
}

/// Client service principals (lower-case object ids and names) granted a
/// highly privileged permission anywhere in the audit log.
pub(crate) fn privileged_clients(cx: &Context, names: &Names) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for g in permission_grants(cx, names) {
        if (g.kind == GrantKind::AppRole || g.all_principals) && !g.high_permissions().is_empty() {
            if !g.client_id.is_empty() {
                out.insert(g.client_id.clone());
            }
            out.insert(g.client.to_lowercase());
        }
    }
    out
}

/// A URL's scheme and lower-case host (without port and user info).
pub(crate) fn url_host(url: &str) -> (String, String) {
    let u = url.trim();
    let (scheme, rest) = match u.find("://") {
        Some(i) => (u[..i].to_ascii_lowercase(), &u[i + 3..]),
        None => (String::new(), u),
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    let host = if let Some(stripped) = authority.strip_prefix('[') {
        stripped.split(']').next().unwrap_or("").to_string()
    } else {
        authority.split(':').next().unwrap_or("").to_string()
    };
    (scheme, host.trim_end_matches('.').to_ascii_lowercase())
}

/// Whether a host is the machine itself (redirects there never leave it).
pub(crate) fn is_loopback(host: &str) -> bool {
    host == "localhost" || host.ends_with(".localhost") || host == "::1" || host.starts_with("127.")
}

/// The redirect URIs (reply URLs) an `AppAddress` value lists: a JSON array
/// of `{"AddressType":0,"Address":"https://…",…}` objects, or, when the
/// export flattened it, every `"Address":"…"` in the text.
pub(crate) fn app_addresses(v: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(doc) = json_doc(v) {
        collect_addresses(&doc, &mut out, 0);
    }
    if out.is_empty() {
        use std::sync::OnceLock;
        static RE: OnceLock<regex_lite::Regex> = OnceLock::new();
        let re = RE.get_or_init(|| regex_lite::Regex::new(r#"(?i)\\?"Address\\?"\s*:\s*\\?"([^"\\]+)"#).expect("valid regex"));
        out.extend(re.captures_iter(v).filter_map(|c| c.get(1)).map(|m| m.as_str().to_string()));
    }
    out.retain(|s| !s.trim().is_empty());
    out
}

fn collect_addresses(v: &Value, out: &mut Vec<String>, depth: u8) {
    if depth > 4 {
        return;
    }
    match v {
        Value::Array(items) => items.iter().for_each(|i| collect_addresses(i, out, depth + 1)),
        Value::Object(o) => {
            if let Some(Value::String(s)) = o.iter().find(|(k, _)| k.eq_ignore_ascii_case("Address")).map(|(_, v)| v) {
                out.push(s.trim().to_string());
            }
        }
        Value::String(s) => {
            if let Ok(inner) = serde_json::from_str::<Value>(s) {
                collect_addresses(&inner, out, depth + 1);
            } else if s.contains("://") {
                out.push(s.trim().to_string());
            }
        }
        _ => {}
    }
}

/// The application id of "CPIM Service", the Azure AD B2C service principal
/// that performs self-service sign-up (Microsoft first-party app).
const CPIM_SERVICE_APP_ID: &str = "bb2a2e3a-c5e7-4f0a-88e0-8e01fd3fc1f4";

/// Whether an audit event was performed by Azure AD B2C itself ("CPIM
/// Service"), as consumer sign-ups are.
pub(crate) fn is_cpim_service(cx: &Context, a: &AuditEvent) -> bool {
    let i = &a.initiator;
    cx.actor(a).to_ascii_lowercase().contains("cpim")
        || cx.s(i.app_id).eq_ignore_ascii_case(CPIM_SERVICE_APP_ID)
        || cx.s(i.display).to_ascii_lowercase().contains("cpim")
}

/// One change of an application's (or service principal's) redirect URIs.
pub(crate) struct AddressChange {
    pub idx: usize,
    /// Lower-case display name (an application and its service principal
    /// share it), else the object id.
    pub app_key: String,
    pub app: String,
    pub old: Vec<String>,
    pub new: Vec<String>,
}

impl AddressChange {
    /// URIs in the new list that the old list did not hold.
    pub(crate) fn added(&self) -> Vec<&str> {
        let before: HashSet<String> = self.old.iter().map(|u| uri_key(u)).collect();
        let mut seen = HashSet::new();
        self.new.iter().map(String::as_str).filter(|u| !before.contains(&uri_key(u)) && seen.insert(uri_key(u))).collect()
    }
}

/// A URI compared loosely: lower case, no trailing slash.
pub(crate) fn uri_key(u: &str) -> String {
    u.trim().trim_end_matches('/').to_lowercase()
}

/// Every successful change of `AppAddress` (redirect URIs) of an
/// application registration in the log. Service principals are left out:
/// the tenant's own apps mirror their registration's list into their service
/// principal, and a third-party app's service principal carries its
/// vendor's URIs, which the tenant neither chose nor can change.
pub(crate) fn address_changes(cx: &Context) -> Vec<AddressChange> {
    let ds = cx.ds;
    let mut out = Vec::new();
    for (i, a) in cx.audits_ok() {
        for t in ds.targets(a).iter().filter(|t| ds.str(t.kind).eq_ignore_ascii_case("Application")) {
            let Some(p) = prop(ds, t, "AppAddress") else { continue };
            let name = ds.str(t.display).trim();
            let id = ds.str(t.id).trim();
            out.push(AddressChange {
                idx: i,
                app_key: if name.is_empty() { id.to_ascii_lowercase() } else { name.to_lowercase() },
                app: if name.is_empty() { id.to_string() } else { name.to_string() },
                old: app_addresses(ds.str(p.old)),
                new: app_addresses(ds.str(p.new)),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activity_keys_ignore_export_spelling() {
        assert_eq!(
            activity_key("Update application – Certificates and secrets management "),
            "update application - certificates and secrets management"
        );
        assert_eq!(activity_key("Consent to application."), "consent to application");
        assert_eq!(activity_key("  Add   owner to\tapplication"), "add owner to application");
    }

    #[test]
    fn values_decode_the_export_forms() {
        assert_eq!(values("\"Microsoft Graph\""), vec!["Microsoft Graph"]);
        assert_eq!(values("[\"a\",\"b\"]"), vec!["a", "b"]);
        assert_eq!(values("[]"), Vec::<String>::new());
        assert_eq!(values(""), Vec::<String>::new());
        assert_eq!(values("\"[\\\"x\\\"]\""), vec!["x"]);
        assert_eq!(values("plain"), vec!["plain"]);
        assert_eq!(text("\" User.Read Mail.Read\""), "User.Read Mail.Read");
    }

    #[test]
    fn consent_permissions_parse_both_sides() {
        let v = "\"[[Id: x, ClientId: c, PrincipalId: p, ResourceId: r1, ConsentType: Principal, Scope:  User.Read, CreatedDateTime: , LastModifiedDateTime ]] => [[Id: x, ClientId: c, PrincipalId: p, ResourceId: r1, ConsentType: Principal, Scope:  User.Read Mail.Read offline_access, CreatedDateTime: , LastModifiedDateTime ]]; \"";
        let (old, new) = consent_permissions(v);
        assert_eq!(old.len(), 1);
        assert_eq!(new[0].scopes, vec!["User.Read", "Mail.Read", "offline_access"]);
        assert_eq!(new[0].principal_id, "p");
        let added = added_consent_scopes(&old, &new);
        assert_eq!(added[0].scopes, vec!["Mail.Read", "offline_access"]);
        let (old, new) = consent_permissions(
            "[] => [[Id: a, ClientId: b, PrincipalId: , ResourceId: r, ConsentType: AllPrincipals, Scope: Directory.Read.All]]",
        );
        assert!(old.is_empty());
        assert_eq!(new[0].consent_type, "AllPrincipals");
        assert!(consent_permissions("nothing here").1.is_empty());
    }

    #[test]
    fn urls_and_addresses() {
        assert_eq!(url_host("https://User@Login.Contoso.com:8443/cb?x=1"), ("https".into(), "login.contoso.com".into()));
        assert_eq!(url_host("http://[::1]:3000/"), ("http".into(), "::1".into()));
        assert_eq!(url_host("msauth.com.contoso.app://auth"), ("msauth.com.contoso.app".into(), "auth".into()));
        let v = "[{\"AddressType\":0,\"Address\":\"https://a.contoso.com/cb\",\"ReplyAddressClientType\":1},{\"AddressType\":0,\"Address\":\"http://localhost:5000\"}]";
        assert_eq!(app_addresses(v), vec!["https://a.contoso.com/cb", "http://localhost:5000"]);
        assert_eq!(app_addresses("junk \"Address\":\"https://b.example.net\" junk"), vec!["https://b.example.net"]);
        assert!(app_addresses("[]").is_empty());
        assert!(is_loopback("localhost") && is_loopback("127.0.0.1") && !is_loopback("localhost.evil.com"));
    }

    #[test]
    fn lists_read_well() {
        assert_eq!(join_list(&["a"], 3), "a");
        assert_eq!(join_list(&["a", "b", "c"], 3), "a, b and c");
        assert_eq!(join_list(&["a", "b", "c", "d", "e"], 3), "a, b, c and 2 more");
        assert_eq!(count(1, "credential"), "1 credential");
        assert_eq!(count(2, "credential"), "2 credentials");
    }
}
