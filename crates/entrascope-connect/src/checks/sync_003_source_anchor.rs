//! SYNC-SOURCE-ANCHOR-OBJECTGUID (sync-003).

use entrascope_core::{declare_check, DataNeed, Finding};

use super::{enabled, f, rule_evidence, setting_evidence, Ctx, Out};
use crate::model::{param, Config, Direction, SyncRule};

declare_check! {
    /// ## What it detects
    /// A configuration whose source anchor is `objectGUID` rather than `ms-DS-ConsistencyGuid`, and a
    /// configuration whose anchor setting and inbound user rules disagree.
    ///
    /// ## Why it matters
    /// `objectGUID` changes when a user moves to another forest or is restored from a backup as a new
    /// object, which breaks the match with the Entra ID account (duplicate or orphaned cloud users).
    /// `ms-DS-ConsistencyGuid` can be carried over, so the operations guide asks to switch to it.
    ///
    /// ## How it works
    /// Reads MV.xml's `Microsoft.SynchronizationOption.AnchorAttribute`. It is a finding when the value is
    /// `objectGUID`, or, without MV.xml, when the enabled inbound user rules (`user`/`inetOrgPerson` to
    /// `person`) compute `sourceAnchor` from `objectGUID` and never read `ms-DS-ConsistencyGuid`.
    /// It is also a finding when the setting names `ms-DS-ConsistencyGuid` but no inbound user rule
    /// reading it writes `sourceAnchor` (the setting and the rules disagree). The rules computing
    /// `sourceAnchor` are listed as evidence.
    ///
    /// ## False positives
    /// Single-forest tenants that never restore or migrate users run safely on `objectGUID`; the finding
    /// still stands as a recommendation. A custom anchor (e.g. `employeeID`) is not reported.
    ///
    /// ## How to respond
    /// Switch the source anchor to `ms-DS-ConsistencyGuid` with the Entra Connect wizard ("Customize
    /// synchronization options"); the wizard back-fills the attribute from `objectGUID`, so existing
    /// matches are kept. Do it on the staging server first and compare.
    ///
    /// ## References
    /// - Microsoft Entra operations reference guide (IAM), "Source anchor":
    ///   https://learn.microsoft.com/entra/architecture/ops-guide-iam
    /// - Design concepts, using ms-DS-ConsistencyGuid as sourceAnchor:
    ///   https://learn.microsoft.com/entra/identity/hybrid/connect/plan-connect-design-concepts
    pub static META = {
        code: "SYNC-SOURCE-ANCHOR-OBJECTGUID",
        title: "Source anchor is objectGUID instead of ms-DS-ConsistencyGuid",
        severity: Medium,
        guide: ["sync-003"],
        inputs: [DataNeed::ConnectConfig],
        settings: [],
        optional_settings: [],
        tags: [],
    }
}

const CONSISTENCY_GUID: &str = "mS-DS-ConsistencyGuid";

/// Enabled inbound user rules that write `sourceAnchor`, with the attributes they read for it.
fn anchor_rules(cfg: &Config) -> Vec<(&SyncRule, Vec<String>)> {
    enabled(cfg)
        .filter(|r| r.direction == Direction::Inbound)
        .filter(|r| r.mv_object_type().eq_ignore_ascii_case("person"))
        .filter(|r| ["user", "inetOrgPerson"].iter().any(|t| r.cs_object_type().eq_ignore_ascii_case(t)))
        .filter_map(|r| {
            let attrs: Vec<String> = r.mappings_to("sourceAnchor").flat_map(|m| m.source_attributes.iter().cloned()).collect();
            (!attrs.is_empty()).then_some((r, attrs))
        })
        .collect()
}

pub fn run(cx: &Ctx, out: &mut Out) {
    for cfg in &cx.data.configs {
        let rules = anchor_rules(cfg);
        let reads = |rs: &[(&SyncRule, Vec<String>)], a: &str| {
            rs.iter().any(|(_, attrs)| attrs.iter().any(|x| x.eq_ignore_ascii_case(a)))
        };
        let rule_ev = |rs: &[(&SyncRule, Vec<String>)]| -> Vec<entrascope_core::Evidence> {
            rs.iter().map(|(r, attrs)| rule_evidence(cfg, r, vec![f("sourceAnchor from", attrs.join(", "))])).collect()
        };
        let summary = match cfg.global.anchor_attribute() {
            Some(a) if a.eq_ignore_ascii_case("objectGUID") => {
                let mut ev = vec![setting_evidence(cfg, param::ANCHOR_ATTRIBUTE, Vec::new())];
                ev.extend(rule_ev(&rules));
                Some((format!("The source anchor of {} is objectGUID; use ms-DS-ConsistencyGuid", cfg.label), ev))
            }
            Some(a) if a.eq_ignore_ascii_case(CONSISTENCY_GUID) => {
                if !rules.is_empty() && !reads(&rules, CONSISTENCY_GUID) {
                    let mut ev = vec![setting_evidence(cfg, param::ANCHOR_ATTRIBUTE, Vec::new())];
                    ev.extend(rule_ev(&rules));
                    Some((
                        format!(
                            "{}: the anchor setting says ms-DS-ConsistencyGuid but no inbound user rule computes sourceAnchor from it",
                            cfg.label
                        ),
                        ev,
                    ))
                } else {
                    None
                }
            }
            Some(_) => None,
            None => {
                if !rules.is_empty() && reads(&rules, "objectGUID") && !reads(&rules, CONSISTENCY_GUID) {
                    Some((
                        format!(
                            "The inbound user rules of {} compute sourceAnchor from objectGUID (no MV.xml to confirm the setting)",
                            cfg.label
                        ),
                        rule_ev(&rules),
                    ))
                } else {
                    None
                }
            }
        };
        if let Some((summary, ev)) = summary {
            out.findings.push(Finding::new(&META, summary, ev).with_subject(cfg.label.clone()));
        }
    }
}
