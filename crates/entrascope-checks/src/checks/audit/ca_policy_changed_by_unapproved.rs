use std::collections::BTreeMap;

use entrascope_core::{declare_check, DataNeed, Finding, SettingKey};

use crate::Context;

declare_check! {
    /// ## What it detects
    /// Conditional Access policies created, updated or deleted by someone who
    /// is not in `approved_actors.conditional_access`.
    ///
    /// ## Why it matters
    /// Conditional Access is the tenant's front door. An attacker with a
    /// privileged role weakens or deletes a policy (or excludes an account
    /// from it) to keep access; an unplanned change by a legitimate admin can
    /// lock users out or open a gap just as well.
    ///
    /// ## How it works
    /// Selects successful audit events whose activity is *Add conditional
    /// access policy*, *Update conditional access policy* or *Delete
    /// conditional access policy* (any case, category Policy) and whose
    /// initiator (user principal name, or application name) does not match
    /// the approved list (case-insensitive, `*` wildcards). One finding per
    /// actor, carrying every change they made, with the policy names in the
    /// summary.
    ///
    /// ## False positives
    /// A new administrator not yet on the approved list, or a change pipeline
    /// running under a service principal that is not listed. Add them to the
    /// settings once confirmed.
    ///
    /// ## How to respond
    /// Ask the actor and the change owner whether the change was planned.
    /// Compare the old and new values in the evidence (modified property
    /// `ConditionalAccessPolicy`), restore the policy if needed, and review
    /// the actor's sign-ins around the change for signs of compromise.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-infrastructure
    /// - https://learn.microsoft.com/entra/architecture/security-operations-consumer-accounts
    /// - Azure-Sentinel: "Conditional Access - A Conditional Access policy was updated" (ccca6b88-a7b6-41c9-9be2-fc3daeb65b26)
    pub static META = {
        code: "AUDIT-CA-POLICY-UNAPPROVED",
        title: "Conditional Access policy changed by a non-approved actor",
        severity: High,
        guide: ["infrastructure-212", "infrastructure-213", "infrastructure-214", "consumer-accounts-082", "consumer-accounts-083", "consumer-accounts-084"],
        inputs: [DataNeed::Audit],
        settings: [SettingKey::ApprovedConditionalAccess],
        optional_settings: [],
        tags: ["attack.t1556", "attack.t1562"],
    }
}

const ACTIVITIES: &[&str] =
    &["add conditional access policy", "update conditional access policy", "delete conditional access policy"];

pub fn run(cx: &Context) -> Vec<Finding> {
    let mut by_actor: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, a) in cx.audits_ok() {
        let activity = cx.s(a.activity).trim().to_ascii_lowercase();
        if !ACTIVITIES.contains(&activity.as_str()) {
            continue;
        }
        let actor = cx.actor(a);
        if cx.approved.conditional_access.matches(actor) {
            continue;
        }
        by_actor.entry(actor).or_default().push(i);
    }
    by_actor
        .into_iter()
        .map(|(actor, rows)| {
            let mut policies: Vec<&str> = rows
                .iter()
                .flat_map(|&i| cx.ds.targets(&cx.ds.audits[i]).iter().map(|t| cx.s(t.display)))
                .filter(|p| !p.is_empty())
                .collect();
            policies.sort_unstable();
            policies.dedup();
            let who = if actor.is_empty() { "an unidentified actor" } else { actor };
            let summary = format!(
                "{who} made {} Conditional Access change{} without being an approved actor{}",
                rows.len(),
                if rows.len() == 1 { "" } else { "s" },
                if policies.is_empty() { String::new() } else { format!(": {}", policies.join(", ")) }
            );
            Finding::new(&META, summary, rows.iter().map(|&i| cx.ev_audit(i)).collect()).with_subject(who)
        })
        .collect()
}
