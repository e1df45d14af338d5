//! SYNC-CLOUDFILTERED-COMPLEX (sync-011).

use entrascope_core::{declare_check, DataNeed, Finding};

use super::{enabled, f, rule_evidence, Ctx, Out};
use crate::expr;
use crate::model::{expression_attributes, Config, Mapping, SyncRule};

/// A simple cloudFiltered expression has at most this many IIF...
pub const MAX_IIF: usize = 1;
/// ...reads at most this many distinct attributes...
pub const MAX_ATTRIBUTES: usize = 2;
/// ...and is at most this long.
pub const MAX_LEN: usize = 200;

declare_check! {
    /// ## What it detects
    /// Over-complicated `cloudFiltered` logic in custom rules: more than one enabled custom rule writing
    /// `cloudFiltered`, or one `cloudFiltered` expression that is more than a simple attribute test.
    ///
    /// ## Why it matters
    /// `cloudFiltered` decides which objects exist in Entra ID. When several rules write it, the result
    /// depends on precedence and on which rules apply to an object, and a small edit can delete users
    /// from the cloud. The operations guide recommends one clear filtering approach.
    ///
    /// ## How it works
    /// Enabled custom rules (tag not `Microsoft.*`) with a mapping to `cloudFiltered` are collected. More
    /// than one such rule in a configuration is one finding listing them all. Otherwise the single
    /// expression is a finding when it has more than 1 `IIF`, reads more than 2 distinct attributes, or
    /// is longer than 200 characters. Constant and direct flows are simple.
    ///
    /// ## False positives
    /// Two rules that filter disjoint object types (users and devices) on purpose. Check that their
    /// scopes do not overlap.
    ///
    /// ## How to respond
    /// Keep one custom rule that sets `cloudFiltered` from one attribute (e.g.
    /// `IIF([extensionAttribute15]="NoSync",True,NULL)`) and handle everything else with OU filtering.
    ///
    /// ## References
    /// - Microsoft Entra operations reference guide (IAM), "Custom rules":
    ///   https://learn.microsoft.com/entra/architecture/ops-guide-iam
    /// - Configure filtering (attribute-based filtering with cloudFiltered):
    ///   https://learn.microsoft.com/entra/identity/hybrid/connect/how-to-connect-sync-configure-filtering
    pub static META = {
        code: "SYNC-CLOUDFILTERED-COMPLEX",
        title: "Overcomplicated cloudFiltered logic",
        severity: Medium,
        guide: ["sync-011"],
        inputs: [DataNeed::ConnectConfig],
        settings: [],
        optional_settings: [],
        tags: [],
    }
}

fn complexity(m: &Mapping) -> Option<String> {
    let e = m.expression.as_deref()?;
    let mut why = Vec::new();
    let iif = expr::iif_count(e);
    if iif > MAX_IIF {
        why.push(format!("{iif} IIF (simple: {MAX_IIF})"));
    }
    let attrs = expression_attributes(e).len();
    if attrs > MAX_ATTRIBUTES {
        why.push(format!("{attrs} attributes (simple: {MAX_ATTRIBUTES})"));
    }
    let len = e.chars().count();
    if len > MAX_LEN {
        why.push(format!("{len} characters (simple: {MAX_LEN})"));
    }
    (!why.is_empty()).then(|| why.join(", "))
}

fn writers(cfg: &Config) -> Vec<(&SyncRule, &Mapping)> {
    enabled(cfg).filter(|r| r.is_custom()).flat_map(|r| r.mappings_to("cloudFiltered").map(move |m| (r, m))).collect()
}

pub fn run(cx: &Ctx, out: &mut Out) {
    for cfg in &cx.data.configs {
        let w = writers(cfg);
        let mut rules: Vec<&SyncRule> = w.iter().map(|(r, _)| *r).collect();
        rules.dedup_by(|a, b| std::ptr::eq(*a, *b));
        if rules.len() > 1 {
            let ev = w.iter().map(|(r, m)| rule_evidence(cfg, r, vec![f("cloudFiltered", m.source_text())])).collect();
            let names: Vec<String> = rules.iter().map(|r| format!("\"{}\"", r.name)).collect();
            out.findings.push(
                Finding::new(
                    &META,
                    format!("{} custom rules write cloudFiltered on {}: {}", rules.len(), cfg.label, names.join(", ")),
                    ev,
                )
                .with_subject(cfg.label.clone()),
            );
            continue;
        }
        for (r, m) in w {
            if let Some(why) = complexity(m) {
                let ev = rule_evidence(cfg, r, vec![f("cloudFiltered", m.source_text()), f("complexity", &why)]);
                out.findings.push(
                    Finding::new(
                        &META,
                        format!(
                            "Custom rule \"{}\" computes cloudFiltered with a complex expression: {why} ({})",
                            r.name, cfg.label
                        ),
                        vec![ev],
                    )
                    .with_subject(r.name.clone()),
                );
            }
        }
    }
}
