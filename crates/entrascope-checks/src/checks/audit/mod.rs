//! Audit checks on accounts, privileged roles, PIM, groups and devices.
//!
//! Below the registry: helpers the checks of this folder share (activity
//! classification for role and PIM events, target and actor names, the set
//! of known privileged accounts).

super::register! {
    ca_policy_changed_by_unapproved,
    account_short_lived,
    account_unapproved_actor,
    account_unapproved_domain,
    account_missing_attributes,
    account_naming,
    privileged_naming,
    guest_to_member,
    guest_invite_unapproved,
    mfa_fraud_reported,
    privileged_password_change,
    pim_alert_disabled,
    privileged_changes,
    high_value_app_changed,
    privileged_account_created,
    privileged_role_assigned,
    role_outside_pim,
    pim_activation_unusual,
    pim_activation_frequent,
    pim_request_decisions,
    pim_settings_changed,
    bulk_role_changes,
    role_unapproved_actor,
    break_glass_changed,
    critical_group_membership,
    privileged_auth_method_changed,
    privileged_tap_added,
    privileged_unused,
    privileged_role_unused,
    privileged_ca_exempt,
    device_registration_policy,
    ca_device_controls,
    bitlocker_key_read,
    break_glass_accounts,
    consumer_account_admin,
    admin_password_age,
    license_errors,
}

use std::borrow::Cow;
use std::collections::BTreeMap;

use entrascope_core::{Evidence, Timestamp};
use entrascope_logs::{AuditEvent, AuditResult, Sym, Target};

use crate::context::unquote;
use crate::refdata;
use crate::Context;

/// The activity name, trimmed, lower-cased, without the trailing period
/// some services write (`Add member to role.`).
pub(crate) fn activity<'c>(cx: &'c Context, a: &AuditEvent) -> Cow<'c, str> {
    match cx.activity(a) {
        Cow::Borrowed(x) => Cow::Borrowed(&x.lower),
        Cow::Owned(x) => Cow::Owned(x.lower.into_string()),
    }
}

/// [`activity`] of an activity name.
pub(crate) fn activity_lower(name: &str) -> String {
    name.trim().trim_end_matches('.').trim().to_ascii_lowercase()
}

/// Success, or a result the export did not state.
pub(crate) fn succeeded(a: &AuditEvent) -> bool {
    matches!(a.result, AuditResult::Success | AuditResult::Unknown)
}

fn kind_is(cx: &Context, t: &Target, kind: &str) -> bool {
    cx.s(t.kind).eq_ignore_ascii_case(kind)
}

/// The targets of kind `User`.
pub(crate) fn user_targets<'a>(cx: &'a Context<'a>, a: &'a AuditEvent) -> impl Iterator<Item = &'a Target> + 'a {
    cx.ds.targets(a).iter().filter(move |t| kind_is(cx, t, "User"))
}

/// The principals a role event is about: users, service principals and
/// (role-assignable) groups, not the role, request or directory targets.
pub(crate) fn role_principals<'a>(cx: &'a Context<'a>, a: &'a AuditEvent) -> Vec<&'a Target> {
    cx.ds
        .targets(a)
        .iter()
        .filter(|t| kind_is(cx, t, "User") || kind_is(cx, t, "ServicePrincipal") || kind_is(cx, t, "Group"))
        .collect()
}

/// A target's best name: user principal name, display name, object id.
pub(crate) fn target_name<'a>(cx: &Context<'a>, t: &Target) -> &'a str {
    if !t.upn.is_empty() {
        cx.s(t.upn)
    } else if !t.display.is_empty() {
        cx.s(t.display)
    } else {
        cx.s(t.id)
    }
}

/// A stable key for a target: its object id, else its UPN, else its name.
pub(crate) fn target_key(t: &Target) -> Sym {
    if !t.id.is_empty() {
        t.id
    } else if !t.upn.is_empty() {
        t.upn
    } else {
        t.display
    }
}

/// Whether the target account is privileged at `at` (by UPN or object id).
pub(crate) fn target_privileged(cx: &Context, t: &Target, at: Timestamp) -> bool {
    cx.is_privileged(cx.s(t.upn), at) || cx.is_privileged(cx.s(t.id), at)
}

/// Whether the target account is a break-glass account.
pub(crate) fn target_break_glass(cx: &Context, t: &Target) -> bool {
    !t.upn.is_empty() && cx.is_break_glass(cx.s(t.upn))
}

/// A deleted user's UPN without the 32-hex-digit prefix Entra adds on
/// deletion (`0123…ef` + `jane@contoso.com`, optionally with `_`), as
/// Sentinel's *AccountCreatedandDeletedinShortTimeframe* normalizes it.
pub(crate) fn undeleted_upn(upn: &str) -> &str {
    let b = upn.as_bytes();
    if b.len() > 32 && b[..32].iter().all(|c| c.is_ascii_hexdigit()) {
        let rest = &upn[32..];
        return rest.strip_prefix('_').unwrap_or(rest);
    }
    upn
}

/// Whether the event was initiated by the PIM service itself (`MS-PIM`):
/// the Core Directory copy of an assignment or activation PIM made.
pub(crate) fn initiated_by_pim(cx: &Context, a: &AuditEvent) -> bool {
    let actor = cx.actor(a).trim();
    actor.eq_ignore_ascii_case("MS-PIM") || actor.eq_ignore_ascii_case("MS-PIM-Fairfax")
}

/// What a role-management event does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RoleOp {
    /// A role assigned (active or eligible) to a principal.
    Assign,
    /// A role assignment (active or eligible) removed.
    Remove,
    /// A PIM activation completed.
    Activate,
    /// A PIM activation ended (deactivated or expired).
    Deactivate,
    /// A PIM request approved by an approver.
    Approved,
    /// A PIM request denied by an approver.
    Denied,
}

/// A role-management event, classified from its activity name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RoleEvent {
    pub op: RoleOp,
    /// An eligible (PIM) rather than active assignment.
    pub eligible: bool,
    /// Logged by PIM (`… in PIM completed`, `… outside of PIM`, activations).
    pub pim: bool,
    /// PIM's own verdict: `Add member to role outside of PIM`.
    pub outside_pim: bool,
    /// The Core Directory copy of a change PIM made (initiated by MS-PIM).
    pub mirror: bool,
}

/// Classifies a directory-role event. Requests, cancellations and other
/// steps that change nothing return `None`.
pub(crate) fn role_event(cx: &Context, a: &AuditEvent) -> Option<RoleEvent> {
    let (ev, mentions_pim) = cx.activity(a).role?;
    Some(RoleEvent { mirror: !mentions_pim && initiated_by_pim(cx, a), ..ev })
}

/// [`role_event`] of an [`activity`] name, with `mirror` false (it depends
/// on the event's actor).
pub(crate) fn role_event_of(x: &str) -> Option<RoleEvent> {
    let mirror = false;
    let ev = |op, eligible, pim| Some(RoleEvent { op, eligible, pim, outside_pim: false, mirror });
    if x.contains("(pim activation)") {
        return if x.starts_with("add member to role completed") {
            ev(RoleOp::Activate, false, true)
        } else if x.contains("request approved") {
            ev(RoleOp::Approved, false, true)
        } else if x.contains("request denied") {
            ev(RoleOp::Denied, false, true)
        } else {
            None
        };
    }
    if x.contains("(pim activation expired)") || x.contains("completed (pim deactivate)") {
        return ev(RoleOp::Deactivate, false, true);
    }
    if x.starts_with("update member in pim approved") || x.starts_with("update eligible member in pim approved") {
        return ev(RoleOp::Approved, x.contains("eligible"), true);
    }
    if x.starts_with("update member in pim denied") || x.starts_with("update eligible member in pim denied") {
        return ev(RoleOp::Denied, x.contains("eligible"), true);
    }
    if x.contains("requested") || x.contains("canceled") || x.contains("cancel ") || x.contains("request expired") {
        return None;
    }
    let eligible = x.contains("eligible");
    if x.starts_with("add ") && x.contains("member to role") {
        let outside = x.contains("outside of pim");
        let pim = outside || x.contains(" in pim");
        return Some(RoleEvent { op: RoleOp::Assign, eligible, pim, outside_pim: outside, mirror });
    }
    if (x.starts_with("remove ") && x.contains("member from role"))
        || x == "remove permanent direct role assignment"
        || x == "remove permanent eligible role assignment"
    {
        return ev(RoleOp::Remove, eligible, x.contains(" in pim") || x.starts_with("remove permanent"));
    }
    None
}

/// The role names and template ids of a role event: the `Role` target's
/// display name and the `Role.DisplayName` / `Role.TemplateId` modified
/// properties, new value or, for removals (where the new value is empty),
/// old value. (`context::role_names` reads new values only.)
pub(crate) fn event_role_names<'a>(cx: &Context<'a>, a: &AuditEvent) -> Vec<&'a str> {
    let mut out = Vec::new();
    for t in cx.ds.targets(a) {
        if kind_is(cx, t, "Role") && !t.display.is_empty() {
            out.push(cx.s(t.display));
        }
        for p in cx.ds.modified(t) {
            let name = cx.s(p.name);
            if name.eq_ignore_ascii_case("Role.DisplayName") || name.eq_ignore_ascii_case("Role.TemplateId") {
                let new = unquote(cx.s(p.new));
                let v = if new.is_empty() || new.eq_ignore_ascii_case("null") { unquote(cx.s(p.old)) } else { new };
                if !v.is_empty() && !v.eq_ignore_ascii_case("null") {
                    out.push(v);
                }
            }
        }
    }
    out
}

/// The role names of an event, without template ids, de-duplicated
/// (case-insensitive), in order of appearance.
pub(crate) fn role_display_names<'a>(cx: &Context<'a>, a: &AuditEvent) -> Vec<&'a str> {
    let mut out: Vec<&'a str> = Vec::new();
    for r in event_role_names(cx, a) {
        if refdata::directory_role(r).is_some_and(|d| d.template_id.eq_ignore_ascii_case(r.trim())) {
            continue;
        }
        if !out.iter().any(|o| o.eq_ignore_ascii_case(r)) {
            out.push(r);
        }
    }
    if out.is_empty() {
        // Only a template id: show the role's name from the list.
        for r in event_role_names(cx, a) {
            if let Some(d) = refdata::directory_role(r) {
                if !out.contains(&d.name) {
                    out.push(d.name);
                }
            }
        }
    }
    out
}

/// Whether any role of the event is privileged (by name or template id).
pub(crate) fn has_privileged_role(cx: &Context, a: &AuditEvent) -> bool {
    event_role_names(cx, a).iter().any(|r| refdata::is_privileged_role(r))
}

/// Adds a field to evidence when the value is not empty.
pub(crate) fn with_field(mut e: Evidence, key: &str, value: &str) -> Evidence {
    if !value.is_empty() && e.field(key).is_none() {
        e.fields.push((key.to_string(), value.to_string()));
    }
    e
}

/// `1 account`, `3 accounts`.
pub(crate) fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Up to `max` items joined by `, `, then `and N more`.
pub(crate) fn list(items: &[&str], max: usize) -> String {
    if items.len() <= max {
        return items.join(", ");
    }
    format!("{} and {} more", items[..max].join(", "), items.len() - max)
}

/// Sorted, de-duplicated (case-insensitive), non-empty.
pub(crate) fn distinct<'a>(items: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let mut v: Vec<&str> = items.into_iter().map(str::trim).filter(|s| !s.is_empty()).collect();
    v.sort_unstable_by_key(|s| s.to_lowercase());
    v.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    v
}

/// A duration for summaries: `45 s`, `12 min`, `3 h 5 min`, `2 d 4 h`.
pub(crate) fn duration(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    if s < 60 {
        format!("{s} s")
    } else if s < 3600 {
        format!("{} min", s / 60)
    } else if s < 86_400 {
        format!("{} h {} min", s / 3600, (s % 3600) / 60)
    } else {
        format!("{} d {} h", s / 86_400, (s % 86_400) / 3600)
    }
}

/// The actors of some events, without the PIM service (`MS-PIM`) when a
/// person or another application is among them.
pub(crate) fn actors_of<'a>(cx: &Context<'a>, rows: impl IntoIterator<Item = usize>) -> Vec<&'a str> {
    let all = distinct(rows.into_iter().map(|i| who(cx.actor(&cx.ds.audits[i]))));
    let people: Vec<&str> =
        all.iter().copied().filter(|a| !a.eq_ignore_ascii_case("MS-PIM") && !a.eq_ignore_ascii_case("MS-PIM-Fairfax")).collect();
    if people.is_empty() {
        all
    } else {
        people
    }
}

/// The name to print for an actor (never empty).
pub(crate) fn who(actor: &str) -> &str {
    if actor.trim().is_empty() {
        "an unidentified actor"
    } else {
        actor
    }
}

/// Where the tool learned that an account is privileged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PrivilegedSource {
    /// Added to a privileged role by this audit event.
    RoleAssignment(usize),
    /// Named in `privileged_accounts` and seen in this audit event.
    SeenInAudit(usize),
    /// Named in `privileged_accounts` and seen in this sign-in.
    SeenInSignIn(usize),
    /// Named literally in `privileged_accounts`, never seen in the data.
    Setting,
}

/// Every privileged account the run can name (lower-case UPN → source):
/// accounts added to a privileged role in the audit log, accounts of the
/// data that match a `privileged_accounts` pattern, and literal (wildcard-
/// free) `privileged_accounts` entries. Break-glass accounts are included.
pub(crate) fn known_privileged_accounts(cx: &Context) -> BTreeMap<String, PrivilegedSource> {
    let mut out: BTreeMap<String, PrivilegedSource> = BTreeMap::new();
    for (i, a) in cx.ds.audits.iter().enumerate() {
        if a.result == AuditResult::Failure {
            continue;
        }
        if role_event(cx, a).is_some_and(|r| r.op == RoleOp::Assign) && has_privileged_role(cx, a) {
            for t in user_targets(cx, a) {
                if !t.upn.is_empty() {
                    out.entry(cx.s(t.upn).to_lowercase()).or_insert(PrivilegedSource::RoleAssignment(i));
                }
            }
        }
    }
    let patterns = &cx.privileged_patterns;
    let matches = |upn: &str| !upn.is_empty() && (patterns.matches(upn) || cx.break_glass.matches(upn));
    for (i, a) in cx.ds.audits.iter().enumerate() {
        let actor = cx.s(a.initiator.upn);
        if matches(actor) {
            out.entry(actor.to_lowercase()).or_insert(PrivilegedSource::SeenInAudit(i));
        }
        for t in user_targets(cx, a) {
            let upn = undeleted_upn(cx.s(t.upn));
            if matches(upn) {
                out.entry(upn.to_lowercase()).or_insert(PrivilegedSource::SeenInAudit(i));
            }
        }
    }
    let mut seen_signin: rustc_hash::FxHashSet<Sym> = rustc_hash::FxHashSet::default();
    for (i, s) in cx.ds.signins.iter().enumerate() {
        if s.kind.is_user() && seen_signin.insert(s.upn) {
            let upn = cx.s(s.upn);
            if matches(upn) {
                out.entry(upn.to_lowercase()).or_insert(PrivilegedSource::SeenInSignIn(i));
            }
        }
    }
    for entry in cx.settings.privileged_accounts.iter().chain(cx.settings.break_glass_accounts.iter()) {
        let e = entry.trim().to_lowercase();
        if !e.is_empty() && !e.contains('*') {
            out.entry(e).or_insert(PrivilegedSource::Setting);
        }
    }
    out
}

/// Evidence for a [`PrivilegedSource`].
pub(crate) fn privileged_source_evidence(cx: &Context, upn: &str, src: PrivilegedSource) -> Evidence {
    match src {
        PrivilegedSource::RoleAssignment(i) | PrivilegedSource::SeenInAudit(i) => cx.ev_audit(i),
        PrivilegedSource::SeenInSignIn(i) => cx.ev_signin(i),
        PrivilegedSource::Setting => {
            let key = if cx.break_glass.matches(upn) { "break_glass_accounts" } else { "privileged_accounts" };
            setting_evidence(key, upn)
        }
    }
}

/// Evidence that is a settings entry rather than a record.
pub(crate) fn setting_evidence(key: &str, value: &str) -> Evidence {
    Evidence {
        input: Evidence::NO_INPUT,
        line: 0,
        id: format!("settings:{key}:{value}"),
        time: None,
        record: None,
        fields: vec![("setting".to_string(), key.to_string()), ("value".to_string(), value.to_string())],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deleted_upn_prefix_is_removed() {
        assert_eq!(undeleted_upn("0123456789abcdef0123456789abcdeftemp.user@contoso.com"), "temp.user@contoso.com");
        assert_eq!(undeleted_upn("0123456789ABCDEF0123456789abcdef_temp@contoso.com"), "temp@contoso.com");
        assert_eq!(undeleted_upn("jane@contoso.com"), "jane@contoso.com");
        assert_eq!(undeleted_upn("0123456789abcdef"), "0123456789abcdef");
    }

    #[test]
    fn summaries_read_well() {
        assert_eq!(duration(45_000), "45 s");
        assert_eq!(duration(3 * 3_600_000 + 12 * 60_000), "3 h 12 min");
        assert_eq!(duration(2 * 86_400_000 + 3_600_000), "2 d 1 h");
        assert_eq!(list(&["a", "b", "c"], 2), "a, b and 1 more");
        assert_eq!(plural(1, "account"), "1 account");
        assert_eq!(distinct(["B", "a", "b", ""]), vec!["a", "B"]);
    }
}
