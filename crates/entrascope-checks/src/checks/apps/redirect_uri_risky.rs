use std::collections::{BTreeMap, BTreeSet, HashMap};

use entrascope_core::{declare_check, DataNeed, Finding};

use super::{address_changes, is_loopback, join_list, uri_key, url_host, who};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// A redirect URI (reply URL) added to an application that is unsafe by
    /// its shape: not HTTPS (other than to the machine itself, `localhost`),
    /// a wildcard, or a URI another application in the tenant also uses.
    /// Redirect URIs on domains the organization does not own are
    /// AUDIT-APP-URI-UNOWNED-DOMAIN's (it needs the owned-domain list).
    ///
    /// ## Why it matters
    /// Entra ID sends authorization codes and tokens to the redirect URI.
    /// Over plain HTTP they can be read on the network; a wildcard lets
    /// anyone who controls a matching host receive them; a URI shared by two
    /// applications lets one receive the other's tokens. An attacker with
    /// application-owner rights adds such a URI to harvest tokens of every
    /// user who signs in to the app.
    ///
    /// ## How it works
    /// Reads the `AppAddress` modified property of application-registration
    /// events (*Update application*, *Add application*), as the
    /// Sentinel rule *Application Redirect URL Update* (a1080fc1) does, and
    /// keeps the URIs the new value adds (the rule extracts them with a
    /// regular expression; here the JSON is parsed, with the expression as a
    /// fallback for flattened exports). Unlike the rule, which reports every
    /// added URI, each added URI is judged: `http://` to a host other than
    /// `localhost`/loopback, any `*`, or a URI also listed by another
    /// application earlier in the log (compared without case or trailing
    /// slash). One finding per application. Service principals are not read:
    /// the tenant's apps mirror their registration's list into them, and a
    /// third-party app's service principal carries its vendor's URIs, which
    /// the tenant can neither choose nor change.
    ///
    /// ## False positives
    /// Development applications that post to an internal HTTP test server.
    /// Keep them in a separate tenant, or use `localhost`.
    ///
    /// ## How to respond
    /// Ask the application owner why the URI was added; remove it if it is
    /// not needed or replace it with an exact HTTPS URI. If the change was
    /// not theirs, review who owns the application and the actor's sign-ins.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-applications#dangling-uri-and-redirect-uri-changes
    /// - https://learn.microsoft.com/entra/identity-platform/reply-url
    /// - Azure-Sentinel Detections/AuditLogs/ApplicationRedirectURLUpdate.yaml (a1080fc1-13d1-479b-8340-255f0290d96c)
    pub static META = {
        code: "AUDIT-APP-REDIRECT-URI-RISKY",
        title: "Unsafe redirect URI added to an application",
        severity: High,
        guide: ["applications-166", "consumer-accounts-078"],
        inputs: [DataNeed::Audit],
        settings: [],
        optional_settings: [],
        tags: ["attack.t1528", "attack.t1098"],
    }
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let changes = address_changes(cx);
    let mut by_app: BTreeMap<&str, (&str, Vec<(usize, Vec<(String, String)>)>)> = BTreeMap::new();
    // Which applications listed each URI before the change being judged
    // (changes come in time order).
    let mut owners: HashMap<String, BTreeSet<&str>> = HashMap::new();
    let app_names: HashMap<&str, &str> = changes.iter().map(|c| (c.app_key.as_str(), c.app.as_str())).collect();
    for c in &changes {
        let mut flagged: Vec<(String, String)> = Vec::new();
        for u in c.added() {
            let (scheme, host) = url_host(u);
            let mut why = Vec::new();
            if u.contains('*') {
                why.push("wildcard".to_string());
            }
            if scheme == "http" && !is_loopback(&host) {
                why.push("not HTTPS".to_string());
            }
            let others: Vec<&str> =
                owners.get(&uri_key(u)).map(|o| o.iter().copied().filter(|k| *k != c.app_key).collect()).unwrap_or_default();
            if !others.is_empty() {
                let names: Vec<&str> = others.iter().map(|k| app_names.get(k).copied().unwrap_or(*k)).collect();
                why.push(format!("also used by {}", join_list(&names, 2)));
            }
            if !why.is_empty() {
                flagged.push((u.to_string(), why.join(", ")));
            }
        }
        for u in &c.new {
            owners.entry(uri_key(u)).or_default().insert(c.app_key.as_str());
        }
        if !flagged.is_empty() {
            by_app.entry(c.app_key.as_str()).or_insert_with(|| (c.app.as_str(), Vec::new())).1.push((c.idx, flagged));
        }
    }
    by_app
        .into_values()
        .map(|(app, events)| {
            let mut uris: BTreeMap<String, String> = BTreeMap::new();
            let mut actors: BTreeSet<&str> = BTreeSet::new();
            let mut evidence = Vec::new();
            for (idx, flagged) in &events {
                actors.insert(who(cx, &cx.ds.audits[*idx]));
                let mut ev = cx.ev_audit(*idx);
                for (u, why) in flagged {
                    uris.entry(u.clone()).or_insert_with(|| why.clone());
                    ev.fields.push(("redirect_uri".into(), format!("{u} ({why})")));
                }
                evidence.push(ev);
            }
            let shown: Vec<String> = uris.iter().map(|(u, why)| format!("{u} ({why})")).collect();
            let actors: Vec<&str> = actors.into_iter().collect();
            let summary = format!(
                "{} added to {app} by {}: {}",
                if uris.len() == 1 { "Unsafe redirect URI" } else { "Unsafe redirect URIs" },
                join_list(&actors, 3),
                join_list(&shown, 3)
            );
            Finding::new(&META, summary, evidence).with_subject(app)
        })
        .collect()
}
