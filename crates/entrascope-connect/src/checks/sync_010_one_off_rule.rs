//! SYNC-ONE-OFF-RULE (sync-010).

use entrascope_core::{declare_check, DataNeed, Finding};

use super::{enabled, f, rule_evidence, Ctx, Out};
use crate::expr;

/// Attributes that identify one object: a rule comparing them to a literal targets individuals.
pub const IDENTIFYING_ATTRIBUTES: &[&str] = &[
    "sAMAccountName",
    "userPrincipalName",
    "dn",
    "distinguishedName",
    "objectGUID",
    "objectSid",
    "mail",
    "employeeID",
    "cn",
    "mailNickname",
];

declare_check! {
    /// ## What it detects
    /// A custom sync rule written for individual objects: scoped by `EQUAL` on an identifying attribute
    /// (sAMAccountName, userPrincipalName, dn, distinguishedName, objectGUID, objectSid, mail, employeeID,
    /// cn, mailNickname) with a literal value, or comparing such an attribute to a string literal inside
    /// an expression (`[sAMAccountName] = "jdoe"`).
    ///
    /// ## Why it matters
    /// One-off rules are how exceptions pile up in a sync configuration: each costs evaluation on every
    /// object of every cycle, nobody remembers why it exists, and it breaks silently when the person is
    /// renamed or leaves. The operations guide lists "one-off rules for single users" as a sign of an
    /// overcomplicated configuration.
    ///
    /// ## How it works
    /// Every enabled custom rule (tag not `Microsoft.*`) is read: each scoping condition with operator
    /// `EQUAL` on one of the attributes above, and each `[attr] = "literal"` (or `"literal" = [attr]`)
    /// in a mapping expression, is listed in the finding. Prefix tests such as `Left([sAMAccountName], 4)`
    /// are not equality with one object and are not reported.
    ///
    /// ## False positives
    /// A rule keyed on one service account that must be handled specially (document it), or an `EQUAL` on
    /// `cn` that names a container-like object rather than a person.
    ///
    /// ## How to respond
    /// Fix the object's data in the source directory, or express the exception as an attribute (e.g. set
    /// `extensionAttribute15` and scope on it) so the rule describes a class of objects, not a person.
    ///
    /// ## References
    /// - Microsoft Entra operations reference guide (IAM), "Custom rules":
    ///   https://learn.microsoft.com/entra/architecture/ops-guide-iam
    pub static META = {
        code: "SYNC-ONE-OFF-RULE",
        title: "Custom sync rule for individual objects",
        severity: Medium,
        guide: ["sync-010"],
        inputs: [DataNeed::ConnectConfig],
        settings: [],
        optional_settings: [],
        tags: [],
    }
}

fn identifying(a: &str) -> bool {
    IDENTIFYING_ATTRIBUTES.iter().any(|x| x.eq_ignore_ascii_case(a.trim()))
}

pub fn run(cx: &Ctx, out: &mut Out) {
    for cfg in &cx.data.configs {
        for r in enabled(cfg).filter(|r| r.is_custom()) {
            let mut hits: Vec<String> = Vec::new();
            for c in r.scope.iter().flat_map(|g| &g.conditions) {
                if c.operator == "EQUAL" && identifying(&c.attribute) && !c.value.trim().is_empty() {
                    hits.push(format!("scope {} EQUAL {}", c.attribute, c.value));
                }
            }
            for m in &r.mappings {
                if let Some(e) = &m.expression {
                    for (a, lit) in expr::literal_comparisons(e, IDENTIFYING_ATTRIBUTES) {
                        hits.push(format!("mapping {}: [{a}] = \"{lit}\"", m.dest));
                    }
                }
            }
            if hits.is_empty() {
                continue;
            }
            let ev = rule_evidence(cfg, r, vec![f("targets", hits.join("; "))]);
            out.findings.push(
                Finding::new(
                    &META,
                    format!(
                        "Custom rule \"{}\" on {} targets individual objects: {} ({})",
                        r.name,
                        r.connector_name,
                        hits.join("; "),
                        cfg.label
                    ),
                    vec![ev],
                )
                .with_subject(r.name.clone()),
            );
        }
    }
}
