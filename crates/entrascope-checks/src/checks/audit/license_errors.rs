use std::collections::BTreeMap;

use entrascope_core::{declare_check, DataNeed, Finding};
use entrascope_logs::{AuditEvent, AuditResult};

use super::{activity, distinct, list, plural, target_name, user_targets, with_field};
use crate::context::unquote;
use crate::Context;

declare_check! {
    /// ## What it detects
    /// License assignments that failed: group-based licensing runs that
    /// could not license some members (*Finish applying group based license
    /// to users* with "Users for whom license assignment failed" above
    /// zero), and failed license operations (*Change user license*, *Set
    /// group license*, *Start applying group based license to users* with
    /// result failure).
    ///
    /// ## Why it matters
    /// A user whose license failed silently lacks the security features the
    /// license carries (Entra ID P1/P2 for Conditional Access and risk
    /// policies, Defender, Intune), and group-based licensing reports the
    /// failure only on the group. The IAM operations guide asks to find and
    /// fix these errors (not enough licenses, conflicting service plans,
    /// missing usage location, duplicate proxy addresses).
    ///
    /// ## How it works
    /// Reads the *Result* modified property of *Finish applying group based
    /// license to users* (`[Users successfully assigned licenses: 6, Users
    /// for whom license assignment failed: 2.]`) and reports groups with a
    /// failure count above zero; adds license operations whose result is
    /// failure, grouped by result reason. `LicenseAssignmentAttributeConcurrencyException`
    /// is ignored: Microsoft documents it as retried automatically with no
    /// action needed. One finding per group, or per failure reason for
    /// direct assignments.
    ///
    /// ## False positives
    /// A transient shortage resolved by a later run: check whether a later
    /// *Finish applying…* for the same group reports zero failures.
    ///
    /// ## How to respond
    /// Open the group's Licenses blade (or the user's) to see the reason per
    /// user: buy or free licenses (CountViolation), remove conflicting plans
    /// (MutuallyExclusiveViolation), set usage locations
    /// (ProhibitedInUsageLocationViolation), fix duplicate proxy addresses;
    /// then reprocess the group.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/ops-guide-iam#license-management
    /// - https://learn.microsoft.com/entra/identity/users/licensing-groups-resolve-problems
    /// - https://learn.microsoft.com/entra/identity/users/licensing-group-advanced#use-audit-logs-to-monitor-group-based-licensing-activity
    pub static META = {
        code: "OPS-LICENSE-ERRORS",
        title: "License assignment errors",
        severity: Medium,
        guide: ["ops-003"],
        inputs: [DataNeed::Audit],
        settings: [],
        optional_settings: [],
        tags: ["operations"],
    }
}

/// The failure count of a group-based licensing run, when it reports one.
fn failed_count(cx: &Context, a: &AuditEvent) -> Option<u64> {
    for t in cx.ds.targets(a) {
        for p in cx.ds.modified(t) {
            let v = unquote(cx.s(p.new)).to_ascii_lowercase();
            let Some(pos) = v.find("failed:") else { continue };
            let digits: String = v[pos + 7..].trim_start().chars().take_while(|c| c.is_ascii_digit()).collect();
            if let Ok(n) = digits.parse() {
                return Some(n);
            }
        }
    }
    None
}

pub fn run(cx: &Context) -> Vec<Finding> {
    // key → (label, rows, failed users)
    let mut groups: BTreeMap<String, (String, Vec<usize>, u64)> = BTreeMap::new();
    for (i, a) in cx.ds.audits.iter().enumerate() {
        let act = activity(cx, a);
        if !act.contains("license") {
            continue;
        }
        let reason = cx.s(a.result_reason);
        if reason.to_ascii_lowercase().contains("concurrencyexception") {
            continue;
        }
        let group = cx.ds.targets(a).iter().find(|t| cx.s(t.kind).eq_ignore_ascii_case("Group")).map(|t| target_name(cx, t));
        if act == "finish applying group based license to users" || act == "finish applying group based license to user" {
            let n = failed_count(cx, a).unwrap_or(0);
            if n == 0 && a.result != AuditResult::Failure {
                continue;
            }
            let g = group.unwrap_or("(unnamed group)");
            let e = groups.entry(format!("group:{}", g.to_lowercase())).or_insert_with(|| (format!("group {g}"), Vec::new(), 0));
            e.1.push(i);
            e.2 = e.2.max(n);
            continue;
        }
        if a.result != AuditResult::Failure {
            continue;
        }
        let (key, label) = match group {
            Some(g) => (format!("group:{}", g.to_lowercase()), format!("group {g}")),
            None => {
                let r = if reason.is_empty() { "no reason given" } else { reason };
                (format!("direct:{}", r.to_lowercase()), format!("direct assignments ({r})"))
            }
        };
        groups.entry(key).or_insert_with(|| (label, Vec::new(), 0)).1.push(i);
    }
    groups
        .into_values()
        .map(|(label, rows, failed)| {
            let users = distinct(rows.iter().flat_map(|&i| user_targets(cx, &cx.ds.audits[i]).map(|t| target_name(cx, t))));
            let detail = if failed > 0 {
                format!("{} could not be licensed in the last run", plural(failed as usize, "user"))
            } else if !users.is_empty() {
                format!("license changes failed for {}", list(&users, 4))
            } else {
                format!("{} failed", plural(rows.len(), "license operation"))
            };
            let summary = format!("License assignment errors for {label}: {detail}");
            let evidence =
                rows.iter().map(|&i| with_field(cx.ev_audit(i), "reason", cx.s(cx.ds.audits[i].result_reason))).collect();
            Finding::new(&META, summary, evidence).with_subject(label)
        })
        .collect()
}
