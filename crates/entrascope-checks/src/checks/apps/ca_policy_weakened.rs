use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use entrascope_core::{declare_check, DataNeed, Finding, SettingKey, Severity};
use serde_json::Value;

use super::{activity, find_prop, join_list, json_doc, who};
use crate::refdata::directory_role;
use crate::Context;

declare_check! {
    /// ## What it detects
    /// A Conditional Access policy update that weakens the policy, read from
    /// the old and new policy JSON of *Update conditional access policy*:
    /// - the policy disabled, or put in report-only mode;
    /// - users, groups, roles, guests, applications or locations added to its
    ///   exclusions;
    /// - users, groups, roles or applications taken out of its scope
    ///   (including "All");
    /// - MFA, an authentication strength or Block removed from its grant
    ///   controls, or the controls switched from "require all" to "require
    ///   one".
    ///
    /// ## Why it matters
    /// Attackers with a Conditional Access role rarely delete a policy (that
    /// is noisy); they exclude their account, a group they control or an
    /// application, or flip the policy to report-only, and the MFA
    /// requirement quietly stops applying. The guide asks to review the
    /// modified properties and compare the old and new values of every
    /// update; this check does that comparison.
    ///
    /// ## How it works
    /// Baselines: the Sentinel *Conditional Access* solution rules *A
    /// Conditional Access user/group/role exclusion has changed* (2ce7f00d,
    /// any difference in `excludeUsers|excludeGroups|excludeRoles`), *A
    /// Conditional Access policy was disabled* (40702da1), *...put into
    /// report-only mode* and *...app exclusion has changed*. Here one pass
    /// parses both JSON documents and keeps only weakening differences (an
    /// exclusion removed or MFA added tightens the policy and is not
    /// reported). Excluding an account listed in `break_glass_accounts` is
    /// the recommended practice and is not reported. Object ids are named
    /// from the logs (user principal names from audit targets and sign-ins,
    /// group names from audit events, role templates from the role list).
    /// Who may change policies is AUDIT-CA-POLICY-UNAPPROVED's concern: here
    /// a weakening is high, and medium when the actor is in
    /// `approved_actors.conditional_access`. Device-compliance and
    /// domain-join controls are AUDIT-CA-DEVICE-CONTROLS'. One finding per
    /// policy.
    ///
    /// ## False positives
    /// Planned exceptions (a service account excluded from MFA while it moves
    /// to a workload identity), pilots moved to report-only on purpose.
    /// Document them; exclusions should be groups with an owner and a review.
    ///
    /// ## How to respond
    /// Confirm the change with the policy owner. Revert it if unplanned, then
    /// review the sign-ins of the excluded users (or of everyone, for a
    /// disabled policy) between the change and the revert.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-infrastructure#conditional-access
    /// - https://learn.microsoft.com/entra/identity/conditional-access/troubleshoot-policy-changes-audit-log
    /// - Azure-Sentinel Solutions/Microsoft Entra ID/Analytic Rules/Conditional Access - A Conditional Access usergrouprole exclusion has changed.yaml (2ce7f00d-3b3c-41b9-ae9a-b79c19d2394e)
    /// - Azure-Sentinel Solutions/Microsoft Entra ID/Analytic Rules/Conditional Access - A Conditional Access policy was disabled.yaml (40702da1-ae8a-4e46-ac1f-9327ca6ef588)
    pub static META = {
        code: "AUDIT-CA-POLICY-WEAKENED",
        title: "Conditional Access policy weakened",
        severity: High,
        guide: ["infrastructure-214", "consumer-accounts-084"],
        inputs: [DataNeed::Audit],
        settings: [],
        optional_settings: [SettingKey::ApprovedConditionalAccess, SettingKey::BreakGlassAccounts],
        tags: ["attack.t1556", "attack.t1562.001"],
    }
}

/// The strings of an array at a path of the policy JSON (case-insensitive keys).
fn list(doc: &Value, path: &[&str]) -> Vec<String> {
    match at(doc, path) {
        Some(Value::Array(items)) => items.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
        Some(Value::String(s)) if !s.is_empty() => vec![s.clone()],
        _ => Vec::new(),
    }
}

fn at<'a>(doc: &'a Value, path: &[&str]) -> Option<&'a Value> {
    let mut v = doc;
    for key in path {
        v = v.as_object()?.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v)?;
    }
    Some(v)
}

fn text_at(doc: &Value, path: &[&str]) -> String {
    at(doc, path).and_then(Value::as_str).unwrap_or("").to_string()
}

fn present(doc: &Value, path: &[&str]) -> bool {
    at(doc, path).is_some_and(|v| !v.is_null())
}

/// A weakening difference, with the object ids it concerns.
struct Change {
    what: &'static str,
    ids: Vec<String>,
}

fn diff(old: &Value, new: &Value) -> Vec<Change> {
    let mut out = Vec::new();
    let added = |path: &[&str]| -> Vec<String> {
        let before: HashSet<String> = list(old, path).into_iter().map(|s| s.to_lowercase()).collect();
        list(new, path).into_iter().filter(|s| !before.contains(&s.to_lowercase())).collect()
    };
    let removed = |path: &[&str]| -> Vec<String> {
        let after: HashSet<String> = list(new, path).into_iter().map(|s| s.to_lowercase()).collect();
        list(old, path).into_iter().filter(|s| !after.contains(&s.to_lowercase())).collect()
    };
    let state_old = text_at(old, &["state"]).to_ascii_lowercase();
    let state_new = text_at(new, &["state"]).to_ascii_lowercase();
    if state_old == "enabled" && state_new == "disabled" {
        out.push(Change { what: "policy disabled", ids: vec![] });
    } else if state_old == "enabled" && state_new.starts_with("enabledforreporting") {
        out.push(Change { what: "policy put in report-only mode", ids: vec![] });
    }
    for (path, what) in [
        (&["conditions", "users", "excludeUsers"][..], "users excluded"),
        (&["conditions", "users", "excludeGroups"][..], "groups excluded"),
        (&["conditions", "users", "excludeRoles"][..], "roles excluded"),
        (&["conditions", "applications", "excludeApplications"][..], "applications excluded"),
        (&["conditions", "locations", "excludeLocations"][..], "locations excluded"),
    ] {
        let ids = added(path);
        if !ids.is_empty() {
            out.push(Change { what, ids });
        }
    }
    if !present(old, &["conditions", "users", "excludeGuestsOrExternalUsers"])
        && present(new, &["conditions", "users", "excludeGuestsOrExternalUsers"])
    {
        out.push(Change { what: "guests and external users excluded", ids: vec![] });
    }
    for (path, what) in [
        (&["conditions", "users", "includeUsers"][..], "users taken out of scope"),
        (&["conditions", "users", "includeGroups"][..], "groups taken out of scope"),
        (&["conditions", "users", "includeRoles"][..], "roles taken out of scope"),
        (&["conditions", "applications", "includeApplications"][..], "applications taken out of scope"),
    ] {
        // Nothing leaves the scope when the new list covers everyone.
        if list(new, path).iter().any(|s| s.eq_ignore_ascii_case("All")) {
            continue;
        }
        let ids = removed(path);
        if !ids.is_empty() {
            out.push(Change { what, ids });
        }
    }
    let controls_old: HashSet<String> =
        list(old, &["grantControls", "builtInControls"]).into_iter().map(|s| s.to_ascii_lowercase()).collect();
    let controls_new: HashSet<String> =
        list(new, &["grantControls", "builtInControls"]).into_iter().map(|s| s.to_ascii_lowercase()).collect();
    for (control, what) in [("mfa", "MFA requirement removed"), ("block", "block removed")] {
        if controls_old.contains(control) && !controls_new.contains(control) {
            out.push(Change { what, ids: vec![] });
        }
    }
    if present(old, &["grantControls", "authenticationStrength"]) && !present(new, &["grantControls", "authenticationStrength"]) {
        out.push(Change { what: "authentication strength removed", ids: vec![] });
    }
    let op_old = text_at(old, &["grantControls", "operator"]).to_ascii_uppercase();
    let op_new = text_at(new, &["grantControls", "operator"]).to_ascii_uppercase();
    if op_old == "AND" && op_new == "OR" && controls_new.len() > 1 {
        out.push(Change { what: "grant controls changed from require all to require one", ids: vec![] });
    }
    out
}

/// Well-known values of the policy's user and application lists.
fn keyword(id: &str) -> Option<&'static str> {
    match id.to_ascii_lowercase().as_str() {
        "all" => Some("All"),
        "none" => Some("None"),
        "guestsorexternalusers" => Some("guests or external users"),
        "office365" => Some("Office 365"),
        "microsoftadminportals" => Some("Microsoft admin portals"),
        _ => None,
    }
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let ds = cx.ds;
    struct Hit {
        idx: usize,
        changes: Vec<Change>,
    }
    let mut by_policy: BTreeMap<String, (String, Vec<Hit>)> = BTreeMap::new();
    for (i, a) in cx.audits_ok() {
        if activity(cx, a) != "update conditional access policy" {
            continue;
        }
        let Some((t, p)) = find_prop(ds, a, "ConditionalAccessPolicy") else { continue };
        let (Some(old), Some(new)) = (json_doc(ds.str(p.old)), json_doc(ds.str(p.new))) else { continue };
        if !old.is_object() || !new.is_object() {
            continue;
        }
        let changes = diff(&old, &new);
        if changes.is_empty() {
            continue;
        }
        let mut name = ds.str(t.display).trim().to_string();
        if name.is_empty() {
            name = text_at(&new, &["displayName"]);
        }
        let id = ds.str(t.id).trim().to_ascii_lowercase();
        let key = if id.is_empty() { name.to_lowercase() } else { id };
        by_policy.entry(key).or_insert_with(|| (name, Vec::new())).1.push(Hit { idx: i, changes });
    }
    if by_policy.is_empty() {
        return Vec::new();
    }
    // Name the object ids the changes mention.
    let needed: HashSet<String> = by_policy
        .values()
        .flat_map(|(_, h)| h.iter().flat_map(|h| h.changes.iter().flat_map(|c| c.ids.iter().map(|i| i.to_ascii_lowercase()))))
        .collect();
    let mut upn_of: HashMap<String, String> = HashMap::new();
    for a in &ds.audits {
        for t in ds.targets(a) {
            let id = ds.str(t.id).to_ascii_lowercase();
            if !ds.str(t.upn).is_empty() && needed.contains(&id) {
                upn_of.entry(id).or_insert_with(|| ds.str(t.upn).to_string());
            }
        }
    }
    let mut seen = HashSet::new();
    for s in &ds.signins {
        if s.upn.is_empty() || !seen.insert(s.user_id) {
            continue;
        }
        let id = cx.s(s.user_id).to_ascii_lowercase();
        if needed.contains(&id) {
            upn_of.entry(id).or_insert_with(|| cx.s(s.upn).to_string());
        }
    }
    let names = cx.names();
    let label = |id: &str| -> String {
        if let Some(k) = keyword(id) {
            return k.to_string();
        }
        if let Some(u) = upn_of.get(&id.to_ascii_lowercase()) {
            return u.clone();
        }
        if let Some(r) = directory_role(id) {
            return r.name.to_string();
        }
        names.name_or(id).to_string()
    };
    by_policy
        .into_values()
        .filter_map(|(policy, hits)| {
            let mut parts: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
            let mut evidence = Vec::new();
            let mut actors: BTreeSet<&str> = BTreeSet::new();
            let mut all_approved = true;
            for h in &hits {
                let a = &ds.audits[h.idx];
                let mut ev = cx.ev_audit(h.idx);
                let mut any = false;
                for c in &h.changes {
                    let mut shown: Vec<String> = c.ids.iter().map(|id| label(id)).collect();
                    // Excluding break-glass accounts is what the guide recommends.
                    if c.what == "users excluded" {
                        shown.retain(|u| !cx.is_break_glass(u));
                        if shown.is_empty() {
                            continue;
                        }
                    }
                    any = true;
                    ev.fields.push((
                        "change".into(),
                        if shown.is_empty() { c.what.to_string() } else { format!("{}: {}", c.what, shown.join(", ")) },
                    ));
                    parts.entry(c.what).or_default().extend(shown);
                }
                if any {
                    actors.insert(who(cx, a));
                    all_approved &= cx.approved.conditional_access.matches(cx.actor(a));
                    evidence.push(ev);
                }
            }
            if evidence.is_empty() {
                return None;
            }
            let described: Vec<String> = parts
                .iter()
                .map(|(what, ids)| {
                    if ids.is_empty() {
                        what.to_string()
                    } else {
                        format!("{what} ({})", join_list(&ids.iter().cloned().collect::<Vec<_>>(), 3))
                    }
                })
                .collect();
            let actors: Vec<&str> = actors.into_iter().collect();
            let summary =
                format!("Conditional Access policy \"{policy}\" weakened by {}: {}", join_list(&actors, 3), described.join("; "));
            let f = Finding::new(&META, summary, evidence).with_subject(policy);
            Some(if all_approved && !cx.approved.conditional_access.is_empty() { f.with_severity(Severity::Medium) } else { f })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(state: &str, exclude_users: &[&str], controls: &[&str], include_users: &[&str]) -> Value {
        serde_json::json!({"state": state, "conditions": {"users": {"includeUsers": include_users, "excludeUsers": exclude_users, "excludeGroups": []},
            "applications": {"includeApplications": ["All"]}}, "grantControls": {"operator": "OR", "builtInControls": controls}})
    }

    #[test]
    fn only_weakening_differences_count() {
        let base = policy("enabled", &[], &["mfa"], &["All"]);
        assert!(diff(&base, &base).is_empty());
        let whats = |d: Vec<Change>| d.iter().map(|c| c.what).collect::<Vec<_>>();
        assert_eq!(whats(diff(&base, &policy("disabled", &[], &["mfa"], &["All"]))), vec!["policy disabled"]);
        assert_eq!(
            whats(diff(&base, &policy("enabledForReportingButNotEnforced", &[], &["mfa"], &["All"]))),
            vec!["policy put in report-only mode"]
        );
        assert_eq!(whats(diff(&base, &policy("enabled", &["u1"], &["mfa"], &["All"]))), vec!["users excluded"]);
        assert_eq!(whats(diff(&base, &policy("enabled", &[], &[], &["All"]))), vec!["MFA requirement removed"]);
        assert_eq!(whats(diff(&base, &policy("enabled", &[], &["mfa"], &["g1"]))), vec!["users taken out of scope"]);
        // Tightening is not reported.
        assert!(diff(&policy("enabled", &["u1"], &[], &["g1"]), &policy("enabled", &[], &["mfa"], &["All"])).is_empty());
        assert!(diff(&policy("disabled", &[], &["mfa"], &["All"]), &base).is_empty());
    }
}
