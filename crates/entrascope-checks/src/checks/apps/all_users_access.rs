use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use entrascope_core::{declare_check, DataNeed, Finding};
use entrascope_logs::{AuditEvent, Target};
use serde_json::Value;

use super::{activity, find_prop, join_list, json_doc, prop, text, who};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Access granted to an "All users" group: an application role assigned
    /// to the group (*Add app role assignment to group*), or a Conditional
    /// Access policy newly including it, when the group is the directory's
    /// built-in **All Users** group or a dynamic group whose rule takes in
    /// (nearly) every account without restricting it to members, so guests
    /// are in it too.
    ///
    /// ## Why it matters
    /// The IAM operations guide warns that resource owners believe "All
    /// users" means employees while it also holds every guest. An app or a
    /// SharePoint site assigned to it is open to every external account
    /// invited for any reason; licenses and policies scoped to it reach
    /// guests too.
    ///
    /// ## How it works
    /// The "all users" groups are learned from the audit log: a group named
    /// "All Users" (the built-in group's default name), or a group created or
    /// updated with a dynamic membership rule (*Add group* / *Update group*,
    /// modified property `MembershipRule`, or the event the Sentinel rule
    /// *Conditional Access - Dynamic Group Exclusion Changes* reads) that is
    /// broad (`-ne null`, `-ne ""`, `accountEnabled -eq true`, `-match ".*"`)
    /// and does not require `userType -eq "Member"` (or exclude guests). A
    /// rule changed later to require members stops counting. Then every
    /// successful app role assignment to such a group, and every
    /// Conditional Access policy created or updated so that it newly
    /// includes one, is reported; the rule event is evidence too. One finding
    /// per group. No public detection rule exists for this guide row.
    ///
    /// ## False positives
    /// Apps meant for everyone including guests (a visitor portal). Document
    /// the intent, as the guide suggests, and prefer a group that names it.
    ///
    /// ## How to respond
    /// Decide whether guests should have the access. If not, assign a group
    /// that contains employees only (rule `user.userType -eq "Member"`), or
    /// secure the All users group's rule, and review which guests used the
    /// application.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/ops-guide-iam#assignment-of-apps-with-all-users-group
    /// - https://learn.microsoft.com/entra/external-id/use-dynamic-groups
    /// - Azure-Sentinel Solutions/Microsoft Entra ID/Analytic Rules/Conditional Access - Dynamic Group Exclusion Changes.yaml (c385944b-17b9-4b2b-921e-0e8d0341a675)
    pub static META = {
        code: "OPS-ALL-USERS-ACCESS",
        title: "Access granted to the All users group",
        severity: Medium,
        guide: ["ops-002"],
        inputs: [DataNeed::Audit],
        settings: [],
        optional_settings: [],
        tags: ["attack.t1078"],
    }
}

/// The dynamic membership rule an event sets on a group target.
fn dynamic_rule(cx: &Context, a: &AuditEvent, t: &Target) -> Option<String> {
    let ds = cx.ds;
    for p in ds.modified(t) {
        let n = ds.str(p.name).to_ascii_lowercase();
        if n.contains("membershiprule") && !n.contains("state") {
            return Some(text(ds.str(p.new)));
        }
    }
    let dynamic = ds.details(a).iter().any(|kv| ds.str(kv.value).eq_ignore_ascii_case("DynamicMembership"));
    if dynamic {
        return ds.modified(t).iter().map(|p| text(ds.str(p.new))).find(|v| v.to_ascii_lowercase().contains("user."));
    }
    None
}

/// Whether a dynamic membership rule takes in (nearly) every user, guests included.
fn takes_everyone(rule: &str) -> bool {
    let r: String =
        rule.to_ascii_lowercase().replace(['\'', '\u{201c}', '\u{201d}'], "\"").split_whitespace().collect::<Vec<_>>().join(" ");
    if !r.contains("user.") {
        return false;
    }
    let members_only =
        r.contains("usertype -eq \"member\"") || r.contains("usertype -ne \"guest\"") || r.contains("usertype -eq member");
    let broad = r.contains("-ne null")
        || r.contains("-ne \"\"")
        || r.contains("accountenabled -eq true")
        || r.contains("-match \".*\"")
        || r.contains("-match \".+\"");
    broad && !members_only
}

fn is_all_users_name(name: &str) -> bool {
    name.split_whitespace().collect::<Vec<_>>().join(" ").eq_ignore_ascii_case("all users")
}

/// The group ids of a policy's `includeGroups`.
fn include_groups(doc: &Value) -> Vec<String> {
    let users = doc
        .as_object()
        .and_then(|o| o.iter().find(|(k, _)| k.eq_ignore_ascii_case("conditions")))
        .and_then(|(_, c)| c.as_object())
        .and_then(|o| o.iter().find(|(k, _)| k.eq_ignore_ascii_case("users")))
        .and_then(|(_, u)| u.as_object());
    users
        .and_then(|o| o.iter().find(|(k, _)| k.eq_ignore_ascii_case("includeGroups")))
        .and_then(|(_, g)| g.as_array())
        .map(|a| a.iter().filter_map(|v| v.as_str().map(|s| s.to_ascii_lowercase())).collect())
        .unwrap_or_default()
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let ds = cx.ds;
    let names = cx.names();
    // Group id (or lower-case name) → (display name, why it counts, rule event), kept up to date in time order.
    let mut everyone: HashMap<String, (String, String, Option<usize>)> = HashMap::new();
    struct Grant {
        idx: usize,
        what: String,
    }
    let mut grants: BTreeMap<String, Vec<Grant>> = BTreeMap::new();
    for (i, a) in cx.audits_ok() {
        let act = activity(cx, a);
        for t in ds.targets(a).iter().filter(|t| ds.str(t.kind).eq_ignore_ascii_case("Group")) {
            let id = ds.str(t.id).trim().to_ascii_lowercase();
            let name = ds.str(t.display).trim();
            let key = if id.is_empty() { name.to_lowercase() } else { id };
            if is_all_users_name(name) {
                everyone.entry(key.clone()).or_insert_with(|| (name.to_string(), "the built-in All Users group".into(), None));
            }
            if act == "add group" || act == "update group" {
                if let Some(rule) = dynamic_rule(cx, a, t) {
                    if takes_everyone(&rule) {
                        let label = if name.is_empty() { names.name_or(&key).to_string() } else { name.to_string() };
                        everyone.insert(key.clone(), (label, format!("dynamic rule {rule} includes guests"), Some(i)));
                    } else if !is_all_users_name(name) {
                        everyone.remove(&key);
                    }
                }
            }
        }
        if act == "add app role assignment to group" {
            let ts = ds.targets(a);
            let group = ts.iter().find(|t| ds.str(t.kind).eq_ignore_ascii_case("Group"));
            let gid = group
                .map(|t| ds.str(t.id).trim().to_ascii_lowercase())
                .filter(|s| !s.is_empty())
                .or_else(|| {
                    ts.iter().find_map(|t| prop(ds, t, "Group.ObjectID")).map(|p| text(ds.str(p.new)).to_ascii_lowercase())
                })
                .unwrap_or_default();
            let gname = group
                .map(|t| ds.str(t.display).trim().to_string())
                .filter(|s| !s.is_empty())
                .or_else(|| ts.iter().find_map(|t| prop(ds, t, "Group.DisplayName")).map(|p| text(ds.str(p.new))))
                .unwrap_or_default();
            if is_all_users_name(&gname) {
                let key = if gid.is_empty() { gname.to_lowercase() } else { gid.clone() };
                everyone.entry(key).or_insert_with(|| (gname.clone(), "the built-in All Users group".into(), None));
            }
            let key = [gid.clone(), gname.to_lowercase()].into_iter().find(|k| !k.is_empty() && everyone.contains_key(k));
            if let Some(key) = key {
                let app = ts
                    .iter()
                    .find(|t| ds.str(t.kind).eq_ignore_ascii_case("ServicePrincipal"))
                    .map(|t| ds.str(t.display).trim().to_string())
                    .filter(|s| !s.is_empty())
                    .or_else(|| ts.iter().find_map(|t| prop(ds, t, "ServicePrincipal.DisplayName")).map(|p| text(ds.str(p.new))))
                    .unwrap_or_else(|| "an application".into());
                let role =
                    ts.iter().find_map(|t| prop(ds, t, "AppRole.Value")).map(|p| text(ds.str(p.new))).filter(|s| !s.is_empty());
                let what = match role {
                    Some(r) => format!("access to {app} (role {r})"),
                    None => format!("access to {app}"),
                };
                grants.entry(key).or_default().push(Grant { idx: i, what });
            }
        }
        if act == "add conditional access policy" || act == "update conditional access policy" {
            let Some((t, p)) = find_prop(ds, a, "ConditionalAccessPolicy") else { continue };
            let Some(new) = json_doc(ds.str(p.new)) else { continue };
            let before: HashSet<String> =
                json_doc(ds.str(p.old)).map(|o| include_groups(&o)).unwrap_or_default().into_iter().collect();
            for g in include_groups(&new) {
                if !before.contains(&g) && everyone.contains_key(&g) {
                    grants.entry(g).or_default().push(Grant {
                        idx: i,
                        what: format!("the scope of Conditional Access policy \"{}\"", ds.str(t.display).trim()),
                    });
                }
            }
        }
    }
    grants
        .into_iter()
        .map(|(key, list)| {
            let (group, why, rule_idx) = everyone.get(&key).cloned().unwrap_or_else(|| (key.clone(), String::new(), None));
            let mut evidence: Vec<_> = list
                .iter()
                .map(|g| {
                    let mut ev = cx.ev_audit(g.idx);
                    ev.fields.push(("granted".into(), g.what.clone()));
                    ev
                })
                .collect();
            if let Some(r) = rule_idx {
                let mut ev = cx.ev_audit(r);
                ev.fields.push(("membership".into(), why.clone()));
                evidence.push(ev);
            }
            let whats: Vec<String> = list.iter().map(|g| g.what.clone()).collect::<BTreeSet<_>>().into_iter().collect();
            let actors: Vec<&str> =
                list.iter().map(|g| who(cx, &ds.audits[g.idx])).collect::<BTreeSet<_>>().into_iter().collect();
            let summary = format!("{group} ({why}) was given {} by {}", join_list(&whats, 3), join_list(&actors, 3));
            Finding::new(&META, summary, evidence).with_subject(group)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broad_rules_without_member_filter_take_everyone() {
        assert!(takes_everyone("(user.objectId -ne null)"));
        assert!(takes_everyone("user.accountEnabled -eq true"));
        assert!(!takes_everyone("(user.objectId -ne null) and (user.userType -eq \"Member\")"));
        assert!(!takes_everyone("(user.accountEnabled -eq true) and (user.userType -ne 'Guest')"));
        assert!(!takes_everyone("user.department -eq \"Sales\""));
        assert!(!takes_everyone("(device.deviceOSType -ne null)"));
        assert!(is_all_users_name(" All  Users "));
        assert!(!is_all_users_name("All Users - Members"));
    }
}
