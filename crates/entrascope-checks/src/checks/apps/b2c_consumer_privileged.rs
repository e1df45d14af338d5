use std::collections::{BTreeMap, HashMap};

use entrascope_core::{declare_check, DataNeed, Finding, SettingKey};

use super::{activity, join_list, prop, text, who};
use crate::context::{is_role_assignment, role_names};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// A consumer account, one that Azure AD B2C created through self-service
    /// sign-up (*Add user* performed by "CPIM Service"), later assigned a
    /// directory role (*Add member to role*, *Add eligible member to role*,
    /// *Add scoped member to role*), or added to a group listed in
    /// `critical_groups`.
    ///
    /// ## Why it matters
    /// Anyone on the internet can create a consumer account through a sign-up
    /// user flow. Such an account must never administer the B2C directory;
    /// if one holds a role or a privileged group membership, an outsider
    /// signed up and was promoted, by mistake or by an insider.
    ///
    /// ## How it works
    /// Remembers every account created by the B2C service (object id and
    /// user principal name from the *Add user* target), then reports every
    /// later successful role assignment or critical-group addition whose
    /// target is one of them. One finding per account, with its creation and
    /// each assignment as evidence. Accounts created before the export
    /// starts are not known to be consumer accounts; export enough history.
    /// No public detection rule exists for this guide row.
    ///
    /// ## False positives
    /// None expected: administrators of a B2C tenant are work accounts
    /// created by administrators, not by sign-up.
    ///
    /// ## How to respond
    /// Remove the role or membership at once, find who assigned it, and review
    /// what the account did with the role (audit events it initiated).
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-consumer-accounts
    /// - https://learn.microsoft.com/azure/active-directory-b2c/user-overview
    pub static META = {
        code: "AUDIT-B2C-CONSUMER-PRIVILEGED",
        title: "Consumer (self-signed-up) account given a role or privileged group",
        severity: High,
        guide: ["consumer-accounts-050"],
        inputs: [DataNeed::Audit],
        settings: [],
        optional_settings: [SettingKey::CriticalGroups],
        tags: ["attack.t1098.003", "attack.t1136.003"],
    }
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let ds = cx.ds;
    // Consumer accounts by lower-case object id and UPN → (display, creation event).
    let mut consumers: HashMap<String, (String, usize)> = HashMap::new();
    let mut by_account: BTreeMap<String, (String, usize, Vec<(usize, String)>)> = BTreeMap::new();
    for (i, a) in cx.audits_ok() {
        let act = activity(cx, a);
        let targets = ds.targets(a);
        let users = || targets.iter().filter(|t| cx.s(t.kind).eq_ignore_ascii_case("User"));
        if act == "add user" && super::is_cpim_service(cx, a) {
            for t in users() {
                let label = [cx.s(t.upn), cx.s(t.display), cx.s(t.id)]
                    .into_iter()
                    .find(|s| !s.trim().is_empty())
                    .unwrap_or("")
                    .to_string();
                for k in [cx.s(t.id), cx.s(t.upn)] {
                    if !k.is_empty() {
                        consumers.insert(k.to_ascii_lowercase(), (label.clone(), i));
                    }
                }
            }
            continue;
        }
        if consumers.is_empty() {
            continue;
        }
        let what = if is_role_assignment(cx.s(a.activity)) {
            let roles: Vec<&str> = role_names(ds, a).into_iter().filter(|r| r.len() != 36).collect();
            Some(if roles.is_empty() { "a directory role".to_string() } else { format!("role {}", join_list(&roles, 3)) })
        } else if act == "add member to group" && !cx.critical_groups.is_empty() {
            let group = targets
                .iter()
                .find(|t| cx.s(t.kind).eq_ignore_ascii_case("Group"))
                .map(|t| (cx.s(t.display).to_string(), cx.s(t.id).to_string()))
                .unwrap_or_default();
            let name = if group.0.trim().is_empty() {
                targets.iter().find_map(|t| prop(ds, t, "Group.DisplayName")).map(|p| text(cx.s(p.new))).unwrap_or_default()
            } else {
                group.0
            };
            let id = if group.1.trim().is_empty() {
                targets.iter().find_map(|t| prop(ds, t, "Group.ObjectID")).map(|p| text(cx.s(p.new))).unwrap_or_default()
            } else {
                group.1
            };
            (cx.critical_groups.matches(&name) || cx.critical_groups.matches(&id))
                .then(|| format!("critical group {}", if name.is_empty() { id } else { name }))
        } else {
            None
        };
        let Some(what) = what else { continue };
        for t in users() {
            let hit = [cx.s(t.id), cx.s(t.upn)]
                .into_iter()
                .filter(|k| !k.is_empty())
                .find_map(|k| consumers.get(&k.to_ascii_lowercase()));
            if let Some((label, created)) = hit {
                by_account
                    .entry(label.to_lowercase())
                    .or_insert_with(|| (label.clone(), *created, Vec::new()))
                    .2
                    .push((i, what.clone()));
            }
        }
    }
    by_account
        .into_values()
        .map(|(account, created, grants)| {
            let whats: Vec<String> = grants.iter().map(|(_, w)| w.clone()).collect();
            let actors: Vec<&str> = grants
                .iter()
                .map(|(i, _)| who(cx, &ds.audits[*i]))
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            let mut evidence = vec![cx.ev_audit(created)];
            evidence.extend(grants.iter().map(|(i, w)| {
                let mut ev = cx.ev_audit(*i);
                ev.fields.push(("granted".into(), w.clone()));
                ev
            }));
            let summary = format!(
                "Consumer account {account}, created by self-service sign-up, was given {} by {}",
                join_list(&whats, 3),
                join_list(&actors, 3)
            );
            Finding::new(&META, summary, evidence).with_subject(account)
        })
        .collect()
}
