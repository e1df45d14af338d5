use std::collections::{BTreeMap, BTreeSet, HashSet};

use entrascope_core::{declare_check, DataNeed, Finding, SettingKey, Severity};
use entrascope_logs::ActorKind;

use super::{activity, count, find_prop, join_list, privileged_clients, values, who};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// A client secret or certificate added to an application registration
    /// or a service principal (*Update application – Certificates and
    /// secrets management*, *Add service principal credentials*, or any
    /// application event whose `KeyDescription` gains a key), outside the
    /// approved workflow: by someone not in
    /// `approved_actors.application_management`, or outside business hours.
    ///
    /// ## Why it matters
    /// A credential lets whoever holds it sign in as the application, with
    /// every permission the application has, without MFA and without
    /// Conditional Access for users. Adding a secret to an existing,
    /// well-permissioned application is the persistence step of the
    /// Solorigate/NOBELIUM intrusions and of most consent-phishing
    /// follow-ups.
    ///
    /// ## How it works
    /// Starts from the Sentinel rules *New access credential added to
    /// Application or Service Principal* (79566f41) and *First access
    /// credential added to Application or Service Principal*: parses the
    /// `KeyDescription` old and new values
    /// (`[KeyIdentifier=…,KeyType=…,KeyUsage=…,DisplayName=…]`), keeps the
    /// keys the new value adds (by key identifier) whose usage is `Verify`
    /// (client credentials; `Sign` keys are SAML token-signing
    /// certificates). Improvements on the baseline: service-principal
    /// targets and application initiators count too (Sentinel keeps
    /// application targets and `@` initiators only, which misses an app
    /// that holds Application.ReadWrite.All adding a secret to another
    /// app); the first credential and an additional one are one check, the
    /// summary says which; a credential event whose key details the export
    /// truncated still counts. An event by an approved actor inside business
    /// hours (when set) is the normal workflow and is skipped; an approved
    /// actor outside business hours gives a medium finding. One finding per
    /// application, raised to high when the app already had a credential,
    /// the actor is an application, or the app holds a highly privileged
    /// permission in the same log.
    ///
    /// ## False positives
    /// Secret rotation by a pipeline or an administrator who is not on the
    /// approved list yet; list them in `approved_actors.application_management`.
    ///
    /// ## How to respond
    /// Ask the actor and the application owner whether the credential was
    /// planned. If not, remove it (the key identifier is in the evidence),
    /// review the application's sign-ins (service principal sign-in log) since
    /// the change, and review the actor's own sign-ins for compromise.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-applications#application-credentials
    /// - https://learn.microsoft.com/entra/architecture/security-operations-consumer-accounts
    /// - Azure-Sentinel Solutions/Microsoft Entra ID/Analytic Rules/NewAppOrServicePrincipalCredential.yaml (79566f41-df67-4e10-a703-c38a6213afd8)
    /// - Azure-Sentinel Solutions/Microsoft Entra ID/Analytic Rules/FirstAppOrServicePrincipalCredential.yaml
    pub static META = {
        code: "AUDIT-APP-CREDENTIAL-ADDED",
        title: "Credential added to an application outside the approved workflow",
        severity: High,
        guide: ["applications-152", "consumer-accounts-070"],
        inputs: [DataNeed::Audit],
        settings: [],
        optional_settings: [SettingKey::ApprovedApplicationManagement, SettingKey::BusinessHours],
        tags: ["attack.t1098.001", "attack.t1550.001"],
    }
}

/// Activities that add a credential even when the export lost the key details.
const CREDENTIAL_ACTIVITIES: &[&str] =
    &["update application - certificates and secrets management", "add service principal credentials"];

/// One key of a `KeyDescription` value.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Key {
    id: String,
    key_type: String,
    usage: String,
    name: String,
}

impl Key {
    fn identity(&self) -> String {
        self.id.to_ascii_lowercase()
    }

    fn kind(&self) -> &str {
        match self.key_type.to_ascii_lowercase().as_str() {
            "password" => "client secret",
            "asymmetricx509cert" => "certificate",
            "symmetric" => "symmetric key",
            "" => "credential",
            _ => self.key_type.as_str(),
        }
    }
}

/// Parses `[KeyIdentifier=…,KeyType=…,KeyUsage=…,DisplayName=…]` items;
/// an item in another form becomes a key with only a name.
fn keys(v: &str) -> Vec<Key> {
    values(v)
        .into_iter()
        .map(|item| {
            let s = item.trim().trim_start_matches('[').trim_end_matches(']');
            let field = |name: &str, next: &[&str]| -> String {
                let Some(start) = s.find(name).map(|i| i + name.len()) else { return String::new() };
                let rest = &s[start..];
                let end = next.iter().filter_map(|n| rest.find(n)).min().unwrap_or(rest.len());
                rest[..end].trim().to_string()
            };
            if s.contains("KeyIdentifier=") {
                Key {
                    id: field("KeyIdentifier=", &[",KeyType=", ",KeyUsage=", ",DisplayName="]),
                    key_type: field("KeyType=", &[",KeyUsage=", ",DisplayName="]),
                    usage: field("KeyUsage=", &[",DisplayName="]),
                    name: field("DisplayName=", &[]),
                }
            } else {
                Key { id: s.to_string(), key_type: String::new(), usage: String::new(), name: s.to_string() }
            }
        })
        .collect()
}

struct Added {
    idx: usize,
    keys: Vec<Key>,
    /// Credentials the object held before (None: unknown).
    before: Option<usize>,
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let ds = cx.ds;
    let mut by_app: BTreeMap<String, (String, Vec<Added>)> = BTreeMap::new();
    for (i, a) in cx.audits_ok() {
        let act = activity(cx, a);
        let credential_activity = CREDENTIAL_ACTIVITIES.contains(&&*act);
        let found = find_prop(ds, a, "KeyDescription");
        let (target, added) = match found {
            Some((t, p)) => {
                let old = keys(ds.str(p.old));
                let seen: HashSet<String> = old.iter().map(Key::identity).collect();
                let added: Vec<Key> = keys(ds.str(p.new))
                    .into_iter()
                    .filter(|k| !seen.contains(&k.identity()))
                    .filter(|k| k.usage.is_empty() || k.usage.eq_ignore_ascii_case("verify"))
                    .collect();
                if added.is_empty() {
                    continue;
                }
                (Some(t), Added { idx: i, keys: added, before: Some(old.len()) })
            }
            None if credential_activity => {
                let t = ds.targets(a).iter().find(|t| {
                    let k = ds.str(t.kind);
                    k.eq_ignore_ascii_case("Application") || k.eq_ignore_ascii_case("ServicePrincipal")
                });
                (t.or(ds.targets(a).first()), Added { idx: i, keys: Vec::new(), before: None })
            }
            None => continue,
        };
        let actor = cx.actor(a);
        let approved = cx.approved.application_management.matches(actor);
        let in_hours = cx.business_hours.as_ref().map(|r| r.contains(a.time));
        if approved && in_hours != Some(false) {
            continue;
        }
        let (key, name) = match target {
            Some(t) => {
                let id = ds.str(t.id).to_ascii_lowercase();
                let name = ds.str(t.display).trim();
                (
                    if id.is_empty() { name.to_ascii_lowercase() } else { id.clone() },
                    if name.is_empty() { id } else { name.to_string() },
                )
            }
            None => (String::new(), String::from("an unnamed application")),
        };
        by_app.entry(key).or_insert_with(|| (name, Vec::new())).1.push(added);
    }
    if by_app.is_empty() {
        return Vec::new();
    }
    let names = cx.names();
    let privileged = privileged_clients(cx, names);
    by_app
        .into_iter()
        .map(|(key, (app, events))| {
            let mut actors: BTreeSet<&str> = BTreeSet::new();
            let mut kinds: BTreeSet<String> = BTreeSet::new();
            let mut notes: Vec<String> = Vec::new();
            let mut all_approved = true;
            let mut app_actor = false;
            let mut existing = false;
            let mut outside = false;
            let mut evidence = Vec::new();
            let mut n_keys = 0;
            for e in &events {
                let a = &ds.audits[e.idx];
                actors.insert(who(cx, a));
                let actor = cx.actor(a);
                all_approved &= cx.approved.application_management.matches(actor);
                app_actor |= a.initiator.kind == ActorKind::App;
                outside |= cx.business_hours.as_ref().is_some_and(|r| !r.contains(a.time));
                existing |= e.before.is_some_and(|n| n > 0);
                let mut ev = cx.ev_audit(e.idx);
                if e.keys.is_empty() {
                    n_keys += 1;
                    kinds.insert("credential".into());
                    ev.fields.push(("credential".into(), "details not in the export".into()));
                }
                for k in &e.keys {
                    n_keys += 1;
                    kinds.insert(k.kind().to_string());
                    let label = if k.name.is_empty() { k.kind().to_string() } else { format!("{} \"{}\"", k.kind(), k.name) };
                    ev.fields.push(("credential".into(), label));
                    if !k.id.is_empty() && k.id != k.name {
                        ev.fields.push(("key_id".into(), k.id.clone()));
                    }
                }
                if let Some(n) = e.before {
                    ev.fields.push(("credentials_before".into(), n.to_string()));
                }
                evidence.push(ev);
            }
            if existing {
                notes.push("the app already had a credential".into());
            } else if events.iter().all(|e| e.before == Some(0)) {
                notes.push("its first credential".into());
            }
            if app_actor {
                notes.push("added by an application, not a person".into());
            }
            if outside {
                notes.push("outside business hours".into());
            }
            if !cx.approved.application_management.is_empty() && !all_approved {
                notes.push("by an actor not on the approved list".into());
            }
            let holds_privileged = privileged.contains(&key) || privileged.contains(&app.to_lowercase());
            if holds_privileged {
                notes.push("the app holds a highly privileged permission".into());
            }
            let actors: Vec<&str> = actors.into_iter().collect();
            let kinds: Vec<String> = kinds.into_iter().collect();
            let single: Vec<&Key> = events.iter().flat_map(|e| e.keys.iter()).collect();
            let what = match single.as_slice() {
                [k] if n_keys == 1 && !k.name.is_empty() && k.name != k.id => format!("{} \"{}\"", k.kind(), k.name),
                _ => format!("{} ({})", count(n_keys, "credential"), join_list(&kinds, 3)),
            };
            let summary = format!(
                "{what} added to {app} by {}{}",
                join_list(&actors, 3),
                if notes.is_empty() { String::new() } else { format!(": {}", notes.join("; ")) }
            );
            let severity =
                if all_approved && !cx.approved.application_management.is_empty() && !existing && !app_actor && !holds_privileged
                {
                    Severity::Medium
                } else {
                    Severity::High
                };
            Finding::new(&META, summary, evidence).with_subject(app).with_severity(severity)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_descriptions_parse() {
        let v = "[\"[KeyIdentifier=59eaeebc-8a6b-44a6-9f24-7d55e64420c9,KeyType=Password,KeyUsage=Verify,DisplayName=SimuLandCreds]\",\"[KeyIdentifier=1,KeyType=AsymmetricX509Cert,KeyUsage=Sign,DisplayName=CN=app, O=Contoso]\"]";
        let k = keys(v);
        assert_eq!(k.len(), 2);
        assert_eq!(k[0].id, "59eaeebc-8a6b-44a6-9f24-7d55e64420c9");
        assert_eq!(k[0].kind(), "client secret");
        assert_eq!(k[0].usage, "Verify");
        assert_eq!(k[1].name, "CN=app, O=Contoso");
        assert_eq!(k[1].usage, "Sign");
        assert!(keys("[]").is_empty());
        assert_eq!(keys("\"Client Secret for API Access\"")[0].name, "Client Secret for API Access");
    }
}
