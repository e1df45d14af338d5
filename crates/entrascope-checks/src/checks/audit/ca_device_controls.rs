use std::collections::BTreeMap;

use entrascope_core::{declare_check, DataNeed, Finding};
use entrascope_logs::AuditEvent;
use serde_json::Value;

use super::{activity, distinct, list, plural, succeeded, who, with_field};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Conditional Access changes that weaken device-based protection:
    /// policies requiring a compliant or domain-joined (hybrid joined)
    /// device changed, disabled or deleted; accounts, groups, roles or
    /// locations added to the exclusions of policies requiring MFA or a
    /// device; and changes to trusted named locations.
    ///
    /// ## Why it matters
    /// The device requirement is what makes a stolen password or token
    /// useless from the attacker's machine. Dropping it, excluding an
    /// account from it, or trusting a new IP range reopens that door; the
    /// guide asks to alert on each of these.
    ///
    /// ## How it works
    /// Reads successful *Add/Update/Delete conditional access policy* and
    /// *Add/Update/Delete named location* events and parses the policy or
    /// location JSON in their modified properties (old and new value;
    /// double-encoded strings are unwrapped). A policy that required
    /// `compliantDevice` or `domainJoinedDevice` is reported when the change
    /// weakens it: policy deleted, device requirement removed, grant
    /// operator turned from AND to OR (the device becomes optional), state
    /// set to disabled or report-only, or an include list (users, groups,
    /// roles, applications, platforms, client apps) losing entries. A
    /// policy requiring `mfa`, an authentication strength or a device is
    /// reported when it gains entries in `excludeUsers`, `excludeGroups`,
    /// `excludeRoles`, `excludeGuestsOrExternalUsers` or `excludeLocations`.
    /// Changes that keep or strengthen these policies (a control added, a
    /// new policy) are not reported: the guide's "change to any policy" is
    /// narrowed to the changes that open a gap, and every Conditional Access
    /// change is already reported by the infrastructure checks. A
    /// named-location change is reported when the location is trusted
    /// (`isTrusted`) before or after. One finding per policy or location.
    ///
    /// Baseline: the Sentinel Conditional Access rules (*policy was
    /// updated*, *user/group/role exclusion has changed* 2ce7f00d, *policy
    /// was disabled*) report any update or any exclusion diff; this check
    /// narrows to the device and MFA policies of the devices guide and adds
    /// trusted locations.
    ///
    /// ## False positives
    /// Planned policy rework by the Conditional Access owner, and temporary
    /// exclusions for a device migration. The old and new values in the
    /// evidence show what changed.
    ///
    /// ## How to respond
    /// Compare old and new values; restore the device requirement or remove
    /// the exclusion if unplanned; for a trusted location, confirm the IP
    /// ranges belong to the organization. Review sign-ins of excluded
    /// accounts since the change.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-devices#device-registrations-and-joins-outside-policy
    /// - https://learn.microsoft.com/entra/identity/conditional-access/troubleshoot-policy-changes-audit-log
    /// - Azure-Sentinel: "Conditional Access - A Conditional Access user/group/role exclusion has changed" (2ce7f00d-3b3c-41b9-ae9a-b79c19d2394e)
    pub static META = {
        code: "AUDIT-CA-DEVICE-CONTROLS",
        title: "Conditional Access device or MFA protection weakened",
        severity: High,
        guide: ["devices-172"],
        inputs: [DataNeed::Audit],
        settings: [],
        optional_settings: [],
        tags: ["attack.t1556", "attack.t1562"],
    }
}

/// Parses a modified-property value holding JSON, unwrapping up to two
/// levels of string encoding and a one-element array.
pub(crate) fn parse_json(text: &str) -> Option<Value> {
    let mut v: Value = serde_json::from_str(text.trim()).ok()?;
    for _ in 0..3 {
        v = match v {
            Value::String(s) => serde_json::from_str(s.trim()).ok()?,
            Value::Array(mut a) if a.len() == 1 => a.pop()?,
            other => return other.is_object().then_some(other),
        };
    }
    v.is_object().then_some(v)
}

/// The old and new JSON objects of an event's policy or location.
fn versions(cx: &Context, a: &AuditEvent) -> (Option<Value>, Option<Value>) {
    for t in cx.ds.targets(a) {
        for p in cx.ds.modified(t) {
            let (old, new) = (parse_json(cx.s(p.old)), parse_json(cx.s(p.new)));
            if old.is_some() || new.is_some() {
                return (old, new);
            }
        }
    }
    (None, None)
}

fn strings<'v>(v: Option<&'v Value>, path: &[&str]) -> Vec<&'v str> {
    let mut cur = v;
    for key in path {
        cur = cur.and_then(|c| c.get(key));
    }
    match cur {
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Object(o)) if !o.is_empty() => vec!["(set)"],
        _ => Vec::new(),
    }
}

fn controls(v: Option<&Value>) -> Vec<String> {
    let mut c: Vec<String> = strings(v, &["grantControls", "builtInControls"]).iter().map(|s| s.to_ascii_lowercase()).collect();
    if v.and_then(|v| v.get("grantControls")).and_then(|g| g.get("authenticationStrength")).is_some_and(|s| !s.is_null()) {
        c.push("authenticationstrength".into());
    }
    c
}

fn state(v: Option<&Value>) -> &str {
    v.and_then(|v| v.get("state")).and_then(Value::as_str).unwrap_or("")
}

const DEVICE: &[&str] = &["compliantdevice", "domainjoineddevice"];
const EXCLUSIONS: &[(&[&str], &str)] = &[
    (&["conditions", "users", "excludeUsers"], "user"),
    (&["conditions", "users", "excludeGroups"], "group"),
    (&["conditions", "users", "excludeRoles"], "role"),
    (&["conditions", "users", "excludeGuestsOrExternalUsers"], "guest or external user setting"),
    (&["conditions", "locations", "excludeLocations"], "location"),
];

const INCLUDES: &[(&[&str], &str)] = &[
    (&["conditions", "users", "includeUsers"], "users"),
    (&["conditions", "users", "includeGroups"], "groups"),
    (&["conditions", "users", "includeRoles"], "roles"),
    (&["conditions", "applications", "includeApplications"], "applications"),
    (&["conditions", "platforms", "includePlatforms"], "platforms"),
    (&["conditions", "clientAppTypes"], "client apps"),
];

fn operator(v: Option<&Value>) -> String {
    v.and_then(|v| v.get("grantControls"))
        .and_then(|g| g.get("operator"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_ascii_uppercase()
}

/// What weakened in a policy change that concerns device or MFA policies.
/// Changes that keep or strengthen a policy (a grant control added, a new
/// policy) give nothing.
fn policy_findings(act: &str, old: Option<&Value>, new: Option<&Value>) -> Vec<String> {
    let (co, cn) = (controls(old), controls(new));
    let device_old = co.iter().any(|c| DEVICE.contains(&c.as_str()));
    let device_new = cn.iter().any(|c| DEVICE.contains(&c.as_str()));
    let protects = |c: &[String]| c.iter().any(|x| DEVICE.contains(&x.as_str()) || x == "mfa" || x == "authenticationstrength");
    let mut out = Vec::new();
    if device_old {
        if act.starts_with("delete") {
            out.push("policy requiring a compliant or joined device deleted".to_string());
        } else if !device_new && new.is_some() {
            out.push("device requirement removed".to_string());
        } else if operator(old) == "AND" && operator(new) == "OR" && cn.len() > 1 {
            out.push("device requirement made optional (grant operator AND to OR)".to_string());
        }
        let (so, sn) = (state(old), state(new));
        if so == "enabled" && !sn.is_empty() && sn != "enabled" {
            out.push(format!("device policy set to {sn}"));
        }
        if new.is_some() {
            for (path, label) in INCLUDES {
                let after = strings(new, path);
                let lost = strings(old, path).into_iter().filter(|x| !after.contains(x)).count();
                if lost > 0 {
                    out.push(format!("device policy covers fewer {label}"));
                }
            }
        }
    }
    if protects(&co) || protects(&cn) {
        for (path, label) in EXCLUSIONS {
            let before = strings(old, path);
            let added: Vec<&str> = strings(new, path).into_iter().filter(|x| !before.contains(x)).collect();
            if !added.is_empty() {
                out.push(format!("{} excluded", plural(added.len(), label)));
            }
        }
    }
    out
}

fn trusted(v: Option<&Value>) -> bool {
    v.and_then(|v| v.get("isTrusted")).and_then(Value::as_bool).unwrap_or(false)
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let mut by_object: BTreeMap<String, (String, Vec<(usize, Vec<String>)>)> = BTreeMap::new();
    for (i, a) in cx.audits_ok() {
        if !succeeded(a) {
            continue;
        }
        let act = activity(cx, a);
        let is_policy = act.ends_with("conditional access policy");
        let is_location = act.ends_with("named location");
        if !is_policy && !is_location {
            continue;
        }
        let (old, new) = versions(cx, a);
        let what = if is_policy {
            policy_findings(&act, old.as_ref(), new.as_ref())
        } else if trusted(old.as_ref()) || trusted(new.as_ref()) {
            let verb = match act.split_whitespace().next() {
                Some("add") => "added",
                Some("delete") => "deleted",
                _ => "updated",
            };
            vec![format!("trusted location {verb}")]
        } else {
            Vec::new()
        };
        if what.is_empty() {
            continue;
        }
        let name = cx
            .ds
            .targets(a)
            .iter()
            .map(|t| cx.s(t.display))
            .find(|d| !d.is_empty())
            .or_else(|| new.as_ref().or(old.as_ref()).and_then(|v| v.get("displayName")).and_then(Value::as_str))
            .unwrap_or("(unnamed)");
        by_object.entry(name.to_lowercase()).or_insert_with(|| (name.to_string(), Vec::new())).1.push((i, what));
    }
    by_object
        .into_values()
        .map(|(name, rows)| {
            let what = distinct(rows.iter().flat_map(|(_, w)| w.iter().map(String::as_str)));
            let actors = distinct(rows.iter().map(|(i, _)| who(cx.actor(&cx.ds.audits[*i]))));
            let summary = format!("{name}: {} by {}", list(&what, 4), list(&actors, 3));
            let evidence = rows.iter().map(|(i, w)| with_field(cx.ev_audit(*i), "change", &w.join("; "))).collect();
            Finding::new(&META, summary, evidence).with_subject(name)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_json_is_unwrapped() {
        assert!(parse_json(r#"{"state":"enabled"}"#).is_some());
        assert!(parse_json(r#""{\"state\":\"enabled\"}""#).is_some());
        assert!(parse_json(r#"["{\"state\":\"enabled\"}"]"#).is_some());
        assert!(parse_json("not json").is_none());
        assert!(parse_json("[]").is_none());
    }

    #[test]
    fn device_and_mfa_weakening() {
        let old: Value = serde_json::from_str(r#"{"state":"enabled","grantControls":{"builtInControls":["mfa","compliantDevice"]},"conditions":{"users":{"excludeUsers":["a"]}}}"#).unwrap();
        let new: Value = serde_json::from_str(r#"{"state":"enabled","grantControls":{"builtInControls":["mfa"]},"conditions":{"users":{"excludeUsers":["a","b"]}}}"#).unwrap();
        let w = policy_findings("update conditional access policy", Some(&old), Some(&new));
        assert_eq!(w, vec!["device requirement removed".to_string(), "1 user excluded".to_string()]);
        let plain: Value = serde_json::from_str(r#"{"state":"enabled","grantControls":{"builtInControls":["block"]},"conditions":{"users":{"excludeUsers":["a","b"]}}}"#).unwrap();
        // Unchanged, or strengthened (a control added): nothing.
        assert!(policy_findings("update conditional access policy", Some(&old), Some(&old)).is_empty());
        let stronger: Value = serde_json::from_str(r#"{"state":"enabled","grantControls":{"operator":"AND","builtInControls":["mfa","compliantDevice"]},"conditions":{"users":{"excludeUsers":["a"]}}}"#).unwrap();
        assert!(policy_findings("update conditional access policy", Some(&old), Some(&stronger)).is_empty());
        assert!(policy_findings("update conditional access policy", Some(&plain), Some(&plain)).is_empty());
        // Report-only and narrower scope are weakenings.
        let report: Value = serde_json::from_str(r#"{"state":"enabledForReportingButNotEnforced","grantControls":{"builtInControls":["compliantDevice"]},"conditions":{"users":{"includeUsers":["u1"]}}}"#).unwrap();
        let all: Value = serde_json::from_str(r#"{"state":"enabled","grantControls":{"builtInControls":["compliantDevice"]},"conditions":{"users":{"includeUsers":["All"]}}}"#).unwrap();
        assert_eq!(
            policy_findings("update conditional access policy", Some(&all), Some(&report)),
            vec![
                "device policy set to enabledForReportingButNotEnforced".to_string(),
                "device policy covers fewer users".to_string()
            ]
        );
        assert_eq!(
            policy_findings("delete conditional access policy", Some(&all), None),
            vec!["policy requiring a compliant or joined device deleted".to_string()]
        );
    }
}
