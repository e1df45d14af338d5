use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use entrascope_core::{declare_check, DataNeed, Finding, SettingKey, Severity};
use entrascope_logs::Outcome;

use super::{activity, address_changes, is_loopback, join_list, url_host, who};
use crate::refdata::takeover_prone_service;
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Redirect URIs of applications that point to a host the organization
    /// does not own: added to an application on a domain outside
    /// `organization_domains`, or, "dangling", still listed by an application
    /// after their domain was removed from the tenant in the audit log.
    ///
    /// ## Why it matters
    /// Whoever controls the host of a redirect URI receives the sign-in
    /// codes and tokens of the application's users. A URI on a domain the
    /// organization let lapse, or on a cloud host name (`*.azurewebsites.net`,
    /// `*.cloudapp.net`, `*.herokuapp.com`...) whose resource was deleted,
    /// can be claimed by a stranger: subdomain takeover turns it into a
    /// token-harvesting endpoint with the organization's branding.
    ///
    /// ## How it works
    /// Owned domains are `organization_domains`, plus domains added and
    /// verified in the audit log (*Add verified domain*, *Verify domain*),
    /// plus the domains of member accounts that signed in successfully (the
    /// Sentinel rule *URL Added to Application from Unknown Domain*,
    /// 017e095a, learns them from sign-ins only, and compares the last two
    /// labels of the host, which treats every `*.azurewebsites.net` as one
    /// domain); a host is owned when it is an owned domain or under one.
    /// Domains removed in the log (*Remove verified domain*, *Remove
    /// unverified domain*) stop being owned. Microsoft's own sign-in hosts,
    /// loopback and custom schemes (`msauth://`, `urn:`) are not checked.
    /// For every `AppAddress` change of an application registration (a
    /// third-party app's service principal lists its vendor's URIs, which is
    /// expected): an added URI on a host not owned is
    /// reported (medium), raised to high when the host is on a cloud service
    /// whose names can be re-registered (`data/takeover-prone-hosts.tsv`), and
    /// any listed URI (added or not) under a domain removed from the tenant is
    /// a dangling URI (high). DNS is not resolved: an offline analyzer cannot
    /// tell whether the host still exists, only that the tenant does not own it.
    ///
    /// ## False positives
    /// Software-as-a-service applications whose redirect URI is on the
    /// vendor's domain (expected for gallery apps); partner domains. Add
    /// domains you control to `organization_domains`.
    ///
    /// ## How to respond
    /// Confirm who controls the host. Remove URIs that nobody in the
    /// organization controls; for cloud host names, check that the resource
    /// still exists in your subscription. Review who changed the application.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-applications#dangling-uri-and-redirect-uri-changes
    /// - https://learn.microsoft.com/azure/security/fundamentals/subdomain-takeover
    /// - Azure-Sentinel Detections/AuditLogs/URLAddedtoApplicationfromUnknownDomain.yaml (017e095a-94d8-430c-a047-e51a11fb737b)
    pub static META = {
        code: "AUDIT-APP-URI-UNOWNED-DOMAIN",
        title: "Application redirect URI on a domain the organization does not own",
        severity: Medium,
        guide: ["applications-165", "consumer-accounts-077"],
        inputs: [DataNeed::Audit],
        settings: [SettingKey::OrganizationDomains],
        optional_settings: [],
        tags: ["attack.t1528", "attack.t1584.001"],
    }
}

/// Microsoft hosts used as redirect URIs by native and first-party clients.
const MICROSOFT_HOSTS: &[&str] =
    &["microsoftonline.com", "microsoft.com", "live.com", "office.com", "office365.com", "microsoftonline.us"];

const DOMAIN_ADDED: &[&str] = &["add verified domain", "verify domain", "verify email verified domain"];
const DOMAIN_REMOVED: &[&str] = &["remove verified domain", "remove unverified domain"];

fn under(host: &str, domain: &str) -> bool {
    host == domain
        || (host.len() > domain.len() && host.ends_with(domain) && host.as_bytes()[host.len() - domain.len() - 1] == b'.')
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let ds = cx.ds;
    let norm = |d: &str| d.trim().trim_start_matches("*.").trim_end_matches('.').to_ascii_lowercase();
    let configured: HashSet<String> =
        cx.settings.organization_domains.iter().map(|d| norm(d)).filter(|d| !d.is_empty()).collect();
    // Domains verified or removed in the log, in time order.
    let mut domain_events: Vec<(entrascope_core::Timestamp, String, bool, usize)> = Vec::new();
    for (i, a) in cx.audits_ok() {
        let act = activity(cx, a);
        let added = DOMAIN_ADDED.contains(&&*act);
        if !added && !DOMAIN_REMOVED.contains(&&*act) {
            continue;
        }
        for t in ds.targets(a) {
            let d = norm(ds.str(t.display));
            if d.contains('.') {
                domain_events.push((a.time, d, added, i));
            }
        }
    }
    // The state of the log's domains at a time: owned (true) or removed (false), with the removal event.
    let state_at = |t: Option<entrascope_core::Timestamp>| {
        let mut st: HashMap<&str, (bool, usize)> = HashMap::new();
        for (time, d, added, i) in &domain_events {
            if t.is_some_and(|t| *time > t) {
                break;
            }
            st.insert(d.as_str(), (*added, *i));
        }
        st
    };
    let final_state = state_at(None);
    // Domains of members who signed in successfully belong to the tenant.
    let mut learned: HashSet<String> = HashSet::new();
    let mut seen_upn = HashSet::new();
    for (_, s) in cx.user_signins() {
        if s.outcome != Outcome::Success || !seen_upn.insert(s.upn) || !cx.s(s.user_type).eq_ignore_ascii_case("Member") {
            continue;
        }
        if let Some((_, d)) = cx.s(s.upn).rsplit_once('@') {
            let d = norm(d);
            if !d.is_empty() {
                learned.insert(d);
            }
        }
    }
    let owned_at = |h: &str, st: &HashMap<&str, (bool, usize)>| {
        if MICROSOFT_HOSTS.iter().any(|d| under(h, d)) {
            return true;
        }
        if st.iter().any(|(d, (owned, _))| !owned && under(h, d)) {
            return false;
        }
        configured.iter().chain(learned.iter()).any(|d| under(h, d)) || st.iter().any(|(d, (owned, _))| *owned && under(h, d))
    };
    let removed_domain =
        |h: &str| final_state.iter().find(|(d, (owned, _))| !owned && under(h, d)).map(|(d, (_, i))| (d.to_string(), *i));

    let mut by_app: BTreeMap<String, (String, Vec<(usize, Vec<(String, String, bool)>)>, BTreeSet<usize>)> = BTreeMap::new();
    let changes = address_changes(cx);
    // The last change of each application holds its current list: only
    // that list can still be dangling.
    let mut last: HashMap<&str, usize> = HashMap::new();
    for (n, c) in changes.iter().enumerate() {
        last.insert(c.app_key.as_str(), n);
    }
    for (n, c) in changes.iter().enumerate() {
        let added: HashSet<&str> = c.added().into_iter().collect();
        let current = last.get(c.app_key.as_str()) == Some(&n);
        let mut flagged: Vec<(String, String, bool)> = Vec::new();
        let mut removals: BTreeSet<usize> = BTreeSet::new();
        for u in &c.new {
            let (scheme, host) = url_host(u);
            let host = host.trim_start_matches("*.").to_string();
            if !(scheme == "http" || scheme == "https") || host.is_empty() || is_loopback(&host) {
                continue;
            }
            if let Some((d, removal)) = removed_domain(&host).filter(|_| current) {
                removals.insert(removal);
                flagged.push((u.clone(), format!("dangling: {d} was removed from the tenant"), true));
            } else if added.contains(u.as_str()) && !owned_at(&host, &state_at(Some(cx.ds.audits[c.idx].time))) {
                match takeover_prone_service(&host) {
                    Some(service) => flagged.push((
                        u.clone(),
                        format!("{service} host name the organization does not own; it can be claimed if released"),
                        true,
                    )),
                    None => flagged.push((u.clone(), "domain not owned by the organization".into(), false)),
                }
            }
        }
        if !flagged.is_empty() {
            let e = by_app.entry(c.app_key.clone()).or_insert_with(|| (c.app.clone(), Vec::new(), BTreeSet::new()));
            e.1.push((c.idx, flagged));
            e.2.extend(removals);
        }
    }
    by_app
        .into_values()
        .map(|(app, events, removals)| {
            let mut uris: BTreeMap<String, (String, bool)> = BTreeMap::new();
            let mut actors: BTreeSet<&str> = BTreeSet::new();
            let mut evidence = Vec::new();
            for (idx, flagged) in &events {
                actors.insert(who(cx, &ds.audits[*idx]));
                let mut ev = cx.ev_audit(*idx);
                for (u, why, high) in flagged {
                    uris.entry(u.clone()).or_insert_with(|| (why.clone(), *high));
                    ev.fields.push(("redirect_uri".into(), format!("{u} ({why})")));
                }
                evidence.push(ev);
            }
            evidence.extend(removals.iter().map(|&i| cx.ev_audit(i)));
            let high = uris.values().any(|(_, h)| *h);
            let shown: Vec<String> = uris.iter().map(|(u, (why, _))| format!("{u} ({why})")).collect();
            let actors: Vec<&str> = actors.into_iter().collect();
            let summary = format!("{app} sends sign-ins to {}; changed by {}", join_list(&shown, 3), join_list(&actors, 3));
            let f = Finding::new(&META, summary, evidence).with_subject(app);
            if high {
                f.with_severity(Severity::High)
            } else {
                f
            }
        })
        .collect()
}
