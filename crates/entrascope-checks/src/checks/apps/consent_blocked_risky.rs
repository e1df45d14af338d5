use std::collections::{BTreeMap, BTreeSet, HashMap};

use entrascope_core::{declare_check, DataNeed, Finding};
use entrascope_logs::AuditResult;

use super::{activity, is_admin_consent, join_list, text, who, CONSENT};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// A user's consent to an application stopped by risk-based step-up
    /// consent: *Consent to application* failing with
    /// `Microsoft.online.Security.userConsentBlockedForRiskyAppsException`.
    ///
    /// ## Why it matters
    /// Microsoft blocks end-user consent when it judges the application risky
    /// (new multi-tenant apps asking for sensitive permissions, known
    /// malicious publishers). The block protected this user, but it shows a
    /// consent-phishing campaign reached them, and the same lure may have
    /// worked for an application that was not flagged, or for another user.
    ///
    /// ## How it works
    /// Selects failed *Consent to application* events whose failure reason
    /// (`resultReason`, the `MethodExecutionResult.` modified property, or
    /// an additional detail) names the risky-app block; the baseline is the
    /// Sentinel rule *End-user consent stopped due to risk-based consent*
    /// (009b9bae), which reads only the modified property. One finding per
    /// application with every blocked attempt. As the Sentinel rule's
    /// description advises, the summary adds the other applications the
    /// same users consented to successfully in the log.
    ///
    /// ## False positives
    /// A legitimate but new multi-tenant application that Microsoft's
    /// heuristics flag; an administrator can review and consent for the
    /// organization.
    ///
    /// ## How to respond
    /// Ask the users how they reached the consent prompt (an e-mail, a
    /// shared document). Look for the same application or sender elsewhere,
    /// and review the other consents named in the summary.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-applications#end-user-stopped-due-to-risk-based-consent
    /// - https://learn.microsoft.com/entra/identity/enterprise-apps/configure-risk-based-step-up-consent
    /// - Azure-Sentinel Detections/AuditLogs/End-userconsentstoppedduetorisk-basedconsent.yaml (009b9bae-23dd-43c4-bcb9-11c4ba7c784a)
    pub static META = {
        code: "AUDIT-APP-CONSENT-BLOCKED-RISKY",
        title: "User consent blocked because the application is risky",
        severity: Medium,
        guide: ["applications-162"],
        inputs: [DataNeed::Audit],
        settings: [],
        optional_settings: [],
        tags: ["attack.t1528", "attack.t1566.002"],
    }
}

fn names_risky_block(s: &str) -> bool {
    let s = s.to_ascii_lowercase();
    s.contains("blockedforriskyapps") || (s.contains("consent") && s.contains("risky"))
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let ds = cx.ds;
    let mut by_app: BTreeMap<String, (String, Vec<usize>)> = BTreeMap::new();
    for (i, a) in ds.audits.iter().enumerate() {
        if a.result != AuditResult::Failure || activity(cx, a) != CONSENT {
            continue;
        }
        let blocked = names_risky_block(cx.s(a.result_reason))
            || ds.targets(a).iter().any(|t| ds.modified(t).iter().any(|p| names_risky_block(&text(ds.str(p.new)))))
            || ds.details(a).iter().any(|kv| names_risky_block(ds.str(kv.value)));
        if !blocked {
            continue;
        }
        let t = ds.targets(a).iter().find(|t| ds.str(t.kind).eq_ignore_ascii_case("ServicePrincipal")).or(ds.targets(a).first());
        let (key, name) = match t {
            Some(t) => {
                let name = ds.str(t.display).trim();
                let id = ds.str(t.id).trim().to_ascii_lowercase();
                (
                    if id.is_empty() { name.to_lowercase() } else { id },
                    if name.is_empty() { ds.str(t.id).to_string() } else { name.to_string() },
                )
            }
            None => (String::new(), "an unnamed application".to_string()),
        };
        by_app.entry(key).or_insert_with(|| (name, Vec::new())).1.push(i);
    }
    if by_app.is_empty() {
        return Vec::new();
    }
    // The applications each user consented to successfully, once.
    let mut consented: HashMap<&str, BTreeSet<String>> = HashMap::new();
    for (_, a) in cx.audits_ok() {
        if activity(cx, a) == CONSENT && !is_admin_consent(cx, a) {
            for t in ds.targets(a).iter().filter(|t| ds.str(t.kind).eq_ignore_ascii_case("ServicePrincipal")) {
                let n = ds.str(t.display).trim();
                if !n.is_empty() {
                    consented.entry(cx.actor(a)).or_default().insert(n.to_string());
                }
            }
        }
    }
    by_app
        .into_values()
        .map(|(app, rows)| {
            let users: BTreeSet<&str> = rows.iter().map(|&i| who(cx, &ds.audits[i])).collect();
            // Other applications the same users consented to successfully.
            let others: BTreeSet<String> = users
                .iter()
                .flat_map(|u| consented.get(u).into_iter().flatten())
                .filter(|n| !n.eq_ignore_ascii_case(&app))
                .cloned()
                .collect();
            let users: Vec<&str> = users.into_iter().collect();
            let others: Vec<String> = others.into_iter().collect();
            let summary = format!(
                "Consent to {app} was blocked as risky for {} ({}){}",
                join_list(&users, 3),
                super::count(rows.len(), "attempt"),
                if others.is_empty() {
                    String::new()
                } else {
                    format!("; the same users consented to {}", join_list(&others, 4))
                }
            );
            let evidence = rows.iter().map(|&i| cx.ev_audit(i)).collect();
            Finding::new(&META, summary, evidence).with_subject(app)
        })
        .collect()
}
