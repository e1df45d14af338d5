use std::collections::{BTreeMap, BTreeSet};

use entrascope_core::{declare_check, DataNeed, Finding, SettingKey, Severity};

use super::{activity, join_list, who};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Azure AD B2C configuration changed by someone not in
    /// `approved_actors.application_management`: custom policies (and the
    /// policy keys they sign tokens with), user flows, API connectors and
    /// identity providers created, updated or deleted.
    ///
    /// ## Why it matters
    /// These objects are the sign-in experience of every consumer. An added
    /// identity provider lets an attacker sign in as consumers through an
    /// account system they control; a changed custom policy or user flow can
    /// skip MFA, accept unverified e-mail addresses or leak claims; an API
    /// connector sends every sign-up's data to an external endpoint; a
    /// replaced policy key lets its holder forge tokens.
    ///
    /// ## How it works
    /// Selects successful B2C resource-management events by activity name
    /// (*Create/Update/Delete custom policy*, *...user flow*, *...Api
    /// connector*, *Create/Update/Delete identity provider* including the
    /// custom and local identity-provider variants, and *Create/Update/Delete/
    /// Restore policy key*, *Upload key/secret/certificate ... policy key*),
    /// whatever their category (ResourceManagement, Authorization,
    /// KeyManagement). Read-only activities (*Get ...*) never count, although
    /// the guide's filter for "custom policy updated" names *Get custom
    /// policies* by mistake. One finding per actor with every change; the
    /// severity follows the guide's rows (creations and updates high, except
    /// API connectors, medium; deletions medium, identity-provider deletion
    /// high as the privileged-accounts row says), and the finding's guide
    /// rows are those of the changes it holds. Who may change B2C
    /// configuration is read from `approved_actors.application_management`
    /// (the settings have no B2C-specific list; in B2C tenants the app
    /// administrators usually own user flows and policies).
    ///
    /// ## False positives
    /// A new B2C administrator or a deployment pipeline (service principal)
    /// not yet on the approved list; add them once confirmed.
    ///
    /// ## How to respond
    /// Ask the actor and the owner of the sign-in experience whether the change
    /// was planned; compare the policy or flow with the version in source
    /// control, remove unknown identity providers and API connectors, and
    /// rotate policy keys changed without a reason.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-consumer-accounts
    /// - https://learn.microsoft.com/azure/active-directory-b2c/view-audit-logs
    pub static META = {
        code: "AUDIT-B2C-CONFIG-UNAPPROVED",
        title: "B2C policies, user flows, connectors or identity providers changed by a non-approved actor",
        severity: High,
        guide: [
            "consumer-accounts-067", "consumer-accounts-068", "consumer-accounts-069", "consumer-accounts-085", "consumer-accounts-086",
            "consumer-accounts-087", "consumer-accounts-088", "consumer-accounts-089", "consumer-accounts-090", "consumer-accounts-091",
            "consumer-accounts-092", "consumer-accounts-093", "consumer-accounts-094", "consumer-accounts-095", "consumer-accounts-096"
        ],
        inputs: [DataNeed::Audit],
        settings: [SettingKey::ApprovedApplicationManagement],
        optional_settings: [],
        tags: ["attack.t1556.007", "attack.t1484.002"],
    }
}

/// What a B2C activity changes: (object, verb, guide rows, severity).
fn classify(act: &str) -> Option<(&'static str, &'static str, &'static [&'static str], Severity)> {
    let verb = ["create", "update", "delete", "upload", "restore"].into_iter().find(|v| act.starts_with(v))?;
    let object = if act.ends_with("custom policy") {
        "custom policy"
    } else if act.ends_with("user flow") {
        "user flow"
    } else if act.ends_with("api connector") {
        "API connector"
    } else if act.ends_with("identity provider") {
        "identity provider"
    } else if act.ends_with("policy key") {
        "policy key"
    } else {
        return None;
    };
    use Severity::{High, Medium};
    let (rows, sev): (&'static [&'static str], Severity) = match (object, verb) {
        ("custom policy", "create") => (&["consumer-accounts-085"], High),
        ("custom policy", "delete") => (&["consumer-accounts-087"], Medium),
        ("custom policy", _) => (&["consumer-accounts-086"], High),
        ("policy key", "delete") => (&["consumer-accounts-087"], Medium),
        ("policy key", _) => (&["consumer-accounts-086"], High),
        ("user flow", "create") => (&["consumer-accounts-088"], High),
        ("user flow", "delete") => (&["consumer-accounts-090"], Medium),
        ("user flow", _) => (&["consumer-accounts-089"], High),
        ("API connector", "create") => (&["consumer-accounts-091"], Medium),
        ("API connector", "delete") => (&["consumer-accounts-093"], Medium),
        ("API connector", _) => (&["consumer-accounts-092"], Medium),
        ("identity provider", "create") => (&["consumer-accounts-094", "consumer-accounts-067"], High),
        ("identity provider", "delete") => (&["consumer-accounts-096", "consumer-accounts-069"], High),
        (_, _) => (&["consumer-accounts-095", "consumer-accounts-068"], High),
    };
    let past = match verb {
        "create" => "created",
        "update" => "updated",
        "delete" => "deleted",
        "upload" => "uploaded to",
        _ => "restored",
    };
    Some((object, past, rows, sev))
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let ds = cx.ds;
    let mut by_actor: BTreeMap<&str, Vec<(usize, String, &'static [&'static str], Severity)>> = BTreeMap::new();
    for (i, a) in cx.audits_ok() {
        let act = activity(cx, a);
        let Some((object, past, rows, sev)) = classify(&act) else { continue };
        if cx.approved.application_management.matches(cx.actor(a)) {
            continue;
        }
        let names: Vec<&str> = ds
            .targets(a)
            .iter()
            .map(|t| if cx.s(t.display).trim().is_empty() { cx.s(t.id) } else { cx.s(t.display) })
            .filter(|n| !n.trim().is_empty())
            .collect();
        let what =
            if names.is_empty() { format!("{past} a {object}") } else { format!("{past} {object} {}", join_list(&names, 2)) };
        by_actor.entry(who(cx, a)).or_default().push((i, what, rows, sev));
    }
    by_actor
        .into_iter()
        .map(|(actor, changes)| {
            let whats: Vec<String> = changes.iter().map(|c| c.1.clone()).collect::<BTreeSet<_>>().into_iter().collect();
            let mut rows: Vec<&str> = changes.iter().flat_map(|c| c.2.iter().copied()).collect();
            rows.sort_unstable();
            rows.dedup();
            let severity = changes.iter().map(|c| c.3).max().unwrap_or(Severity::Medium);
            let evidence = changes
                .iter()
                .map(|(i, what, _, _)| {
                    let mut ev = cx.ev_audit(*i);
                    ev.fields.push(("change".into(), what.clone()));
                    ev
                })
                .collect();
            let summary =
                format!("{actor} changed B2C sign-in configuration without being an approved actor: {}", join_list(&whats, 4));
            Finding::new(&META, summary, evidence).with_subject(actor).with_severity(severity).with_guide(&rows)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activities_map_to_rows() {
        assert_eq!(
            classify("create identity provider").map(|c| c.2),
            Some(&["consumer-accounts-094", "consumer-accounts-067"][..])
        );
        assert_eq!(classify("update custom identity provider").map(|c| c.0), Some("identity provider"));
        assert_eq!(classify("delete api connector").map(|c| c.3), Some(Severity::Medium));
        assert_eq!(classify("upload secret into policy key").map(|c| c.2), Some(&["consumer-accounts-086"][..]));
        assert!(classify("get custom policies").is_none());
        assert!(classify("get user flows").is_none());
        assert!(classify("update user").is_none());
    }
}
