//! Sigma rules on entrascope's record model.
//!
//! SigmaHQ's Azure rules name fields in three schemas at once (Azure Monitor
//! diagnostic JSON, Log Analytics columns, Graph camelCase) and sometimes in
//! none. They cannot run on raw exports; here each field name is mapped onto
//! the typed [`SignIn`](entrascope_logs::SignIn) /
//! [`AuditEvent`](entrascope_logs::AuditEvent) model ([`fields`]), so one
//! rule runs on every export format. A rule that uses a field, modifier or
//! condition without a counterpart is not run; [`RuleSet::unmapped`] says
//! which and why.
//!
//! Rules come from the bundled SigmaHQ snapshot (`rules/`, DRL 1.1) or from
//! the user ([`load`]).

mod condition;
pub mod fields;
mod rule;

use std::collections::BTreeMap;

use entrascope_core::{Evidence, Finding, Severity};
use entrascope_logs::view::{audit_evidence, signin_evidence};
use entrascope_logs::Dataset;
use serde::Serialize;

pub use rule::{Rule, Target};

include!(concat!(env!("OUT_DIR"), "/bundled.rs"));

/// A rule that could not be loaded or mapped, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unmapped {
    pub source: String,
    pub id: String,
    pub title: String,
    pub reason: String,
}

/// Rules ready to run, and the ones that are not.
#[derive(Debug, Default)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
    pub unmapped: Vec<Unmapped>,
}

/// Parses and maps rules given as `(source name, YAML text)`. A file may hold
/// several YAML documents.
pub fn load(sources: &[(String, String)]) -> RuleSet {
    let mut set = RuleSet::default();
    for (source, text) in sources {
        match rule::parse_documents(source, text) {
            Err(reason) => {
                set.unmapped.push(Unmapped { source: source.clone(), id: String::new(), title: String::new(), reason })
            }
            Ok(parsed) => {
                for p in parsed {
                    match p {
                        Ok(r) => set.rules.push(r),
                        Err(u) => set.unmapped.push(u),
                    }
                }
            }
        }
    }
    set
}

/// The SigmaHQ rules bundled with entrascope.
pub fn bundled() -> RuleSet {
    let sources: Vec<(String, String)> = BUNDLED.iter().map(|(p, t)| (format!("sigma/{p}"), t.to_string())).collect();
    load(&sources)
}

fn severity(level: &str) -> Severity {
    Severity::parse(level).unwrap_or(Severity::Low)
}

/// Runs every rule; one finding per rule and subject (user or actor).
pub fn run(set: &RuleSet, ds: &Dataset) -> Vec<Finding> {
    let mut out = Vec::new();
    for rule in &set.rules {
        let mut groups: BTreeMap<String, Vec<Evidence>> = BTreeMap::new();
        match rule.target {
            Target::SignIns => {
                for (i, s) in ds.signins.iter().enumerate() {
                    if rule.matches_signin(ds, s) {
                        let subject = if s.upn.is_empty() { ds.str(s.service_principal_name) } else { ds.str(s.upn) };
                        groups.entry(subject.to_string()).or_default().push(signin_evidence(ds, i));
                    }
                }
            }
            Target::Audits => {
                for (i, a) in ds.audits.iter().enumerate() {
                    if rule.matches_audit(ds, a) {
                        groups.entry(entrascope_logs::view::actor(ds, a)).or_default().push(audit_evidence(ds, i));
                    }
                }
            }
        }
        for (subject, mut evidence) in groups {
            entrascope_core::finding::sort_evidence(&mut evidence);
            let n = evidence.len();
            let who = if subject.is_empty() { "an unidentified account".to_string() } else { subject.clone() };
            let what = match rule.target {
                Target::SignIns => "sign-in",
                Target::Audits => "audit event",
            };
            out.push(Finding {
                check: rule.code(),
                title: format!("Sigma: {}", rule.title),
                severity: severity(&rule.level),
                guide: Vec::new(),
                summary: format!(
                    "Sigma rule \u{201c}{}\u{201d} matched {n} {what}{} of {who}",
                    rule.title,
                    if n == 1 { "" } else { "s" }
                ),
                subject: (!subject.is_empty()).then_some(subject),
                first_seen: evidence.iter().filter_map(|e| e.time).min(),
                last_seen: evidence.iter().filter_map(|e| e.time).max(),
                evidence,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests;
