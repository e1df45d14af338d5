use std::collections::BTreeMap;

use entrascope_core::{declare_check, DataNeed, Finding, SettingKey, Severity};
use entrascope_logs::AuditEvent;

use super::{activity, distinct, list, succeeded, target_name, who};
use crate::context::unquote;
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Members or owners added to or removed from the groups listed in
    /// `critical_groups`: the groups that scope critical Conditional Access
    /// policies (inclusion and exclusion groups), break-glass and admin
    /// groups.
    ///
    /// ## Why it matters
    /// Group membership is how Conditional Access is bypassed without
    /// touching a policy: add an account to the exclusion group and MFA no
    /// longer applies to it; remove it from the inclusion group and the
    /// policy stops covering it. Owners of such a group can do the same at
    /// will.
    ///
    /// ## How it works
    /// Selects successful *Add member to group*, *Remove member from group*,
    /// *Add owner to group* and *Remove owner from group*. The group is the
    /// event's `Group` target, or the `Group.DisplayName` / `Group.ObjectID`
    /// modified property of the member target; it must match a
    /// `critical_groups` entry by name or object id (case-insensitive, `*`
    /// wildcards). One finding per group and direction. Severity follows the
    /// guide: removal medium (infrastructure-215), addition low
    /// (infrastructure-216); an addition to a group whose name says it is an
    /// exclusion group ("exclu…") is raised to high, since it removes
    /// protection from the added member.
    ///
    /// Baseline: Sentinel's break-glass group hunting query watches named
    /// accounts, and the CA exclusion rules watch policy JSON; neither sees
    /// the group membership path this check covers.
    ///
    /// ## False positives
    /// Planned changes to inclusion groups (joiners and leavers), break-glass
    /// maintenance. Exclusion groups should change almost never.
    ///
    /// ## How to respond
    /// Confirm each change with the group's owner. Revert unplanned
    /// additions to exclusion groups and removals from inclusion groups at
    /// once, then review the member's sign-ins during the gap.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-infrastructure#conditional-access
    /// - Azure-Sentinel: Hunting Queries/AuditLogs/BreakGlassAccountRoleOrGroupMembershipChanged.yaml (4f529b32-a4ed-40d0-b40b-7ac337a705be)
    pub static META = {
        code: "AUDIT-CRITICAL-GROUP-MEMBERSHIP",
        title: "Membership of a critical group changed",
        severity: Medium,
        guide: ["infrastructure-215", "infrastructure-216"],
        inputs: [DataNeed::Audit],
        settings: [SettingKey::CriticalGroups],
        optional_settings: [],
        tags: ["attack.t1098", "attack.t1556"],
    }
}

/// The group an event is about: (display name, object id).
fn group_of<'a>(cx: &Context<'a>, a: &'a AuditEvent, adding: bool) -> Option<(&'a str, &'a str)> {
    for t in cx.ds.targets(a) {
        if cx.s(t.kind).eq_ignore_ascii_case("Group") {
            return Some((cx.s(t.display), cx.s(t.id)));
        }
    }
    let (mut name, mut id) = ("", "");
    for t in cx.ds.targets(a) {
        for p in cx.ds.modified(t) {
            let v = unquote(if adding || p.old.is_empty() { cx.s(p.new) } else { cx.s(p.old) });
            let v = if v.is_empty() { unquote(cx.s(p.old)) } else { v };
            match cx.s(p.name) {
                n if n.eq_ignore_ascii_case("Group.DisplayName") => name = v,
                n if n.eq_ignore_ascii_case("Group.ObjectID") => id = v,
                _ => {}
            }
        }
    }
    (!name.is_empty() || !id.is_empty()).then_some((name, id))
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let mut by_group: BTreeMap<(String, bool), (String, Vec<usize>)> = BTreeMap::new();
    for (i, a) in cx.audits_ok() {
        if !succeeded(a) {
            continue;
        }
        let act = activity(cx, a);
        let adding = match &*act {
            "add member to group" | "add owner to group" => true,
            "remove member from group" | "remove owner from group" => false,
            _ => continue,
        };
        let Some((name, id)) = group_of(cx, a, adding) else { continue };
        if !cx.critical_groups.matches(name) && !cx.critical_groups.matches(id) {
            continue;
        }
        let shown = if name.is_empty() { id } else { name };
        by_group.entry((shown.to_lowercase(), adding)).or_insert_with(|| (shown.to_string(), Vec::new())).1.push(i);
    }
    by_group
        .into_iter()
        .map(|((_, adding), (group, rows))| {
            let members = distinct(rows.iter().flat_map(|&i| {
                cx.ds
                    .targets(&cx.ds.audits[i])
                    .iter()
                    .filter(|t| !cx.s(t.kind).eq_ignore_ascii_case("Group"))
                    .map(|t| target_name(cx, t))
            }));
            let actors = distinct(rows.iter().map(|&i| who(cx.actor(&cx.ds.audits[i]))));
            let owners = rows.iter().any(|&i| activity(cx, &cx.ds.audits[i]).contains("owner"));
            let role = if owners { "members or owners" } else { "members" };
            let exclusion = group.to_lowercase().contains("exclu");
            let summary = if adding {
                format!(
                    "{} added to critical group {group} by {}{}",
                    list(&members, 5),
                    list(&actors, 3),
                    if exclusion { ": Conditional Access no longer applies to them" } else { "" }
                )
            } else {
                format!("{} removed from critical group {group} by {}", list(&members, 5), list(&actors, 3))
            };
            let summary = if members.is_empty() {
                format!("{role} of critical group {group} changed by {}", list(&actors, 3))
            } else {
                summary
            };
            let f = Finding::new(&META, summary, rows.iter().map(|&i| cx.ev_audit(i)).collect()).with_subject(group.clone());
            if adding {
                let f = f.with_guide(&["infrastructure-216"]);
                if exclusion {
                    f.with_severity(Severity::High)
                } else {
                    f.with_severity(Severity::Low)
                }
            } else {
                f.with_guide(&["infrastructure-215"])
            }
        })
        .collect()
}
