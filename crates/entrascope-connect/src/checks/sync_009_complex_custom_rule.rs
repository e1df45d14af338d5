//! SYNC-COMPLEX-CUSTOM-RULE (sync-009).

use entrascope_core::{declare_check, DataNeed, Finding};

use super::{enabled, f, rule_evidence, Ctx, Out};
use crate::expr;

/// More mappings than this in one custom rule.
pub const MAX_MAPPINGS: usize = 15;
/// Characters in one expression.
pub const MAX_EXPRESSION_LEN: usize = 400;
/// Nested function calls in one expression.
pub const MAX_CALL_DEPTH: usize = 4;
/// `IIF(` calls in one expression.
pub const MAX_IIF: usize = 3;
/// String-cleanup calls (Replace, Trim, Left, UCase...) in one expression.
pub const MAX_CLEANUP_CALLS: usize = 3;
/// Scoping filter groups (OR-ed) in one rule.
pub const MAX_SCOPE_GROUPS: usize = 5;

declare_check! {
    /// ## What it detects
    /// A custom sync rule that is hard to reason about: many mappings, long or deeply nested expressions,
    /// chains of string-cleanup functions that compensate for dirty source data, or many scoping groups.
    ///
    /// ## Why it matters
    /// The operations guide warns against overly complex rules: they are where synchronization errors,
    /// slow sync cycles and surprises after upgrades come from, and cleaning data in the sync engine hides
    /// a data-quality problem that should be fixed at the source.
    ///
    /// ## How it works
    /// Every enabled custom rule (tag not `Microsoft.*`) is measured against these thresholds; each
    /// measure above its threshold is named in the finding with its value:
    /// more than 15 mappings; an expression longer than 400 characters; function calls nested more than
    /// 4 deep; more than 3 `IIF` in one expression; more than 3 string-cleanup calls (`Replace`, `Trim`,
    /// `LTrim`, `RTrim`, `UCase`, `LCase`, `PCase`, `ProperCase`, `Left`, `Right`, `Mid`,
    /// `RemoveDuplicates`) in one expression; more than 5 scoping filter groups. Built-in rules are not
    /// measured (they are long by design).
    ///
    /// ## False positives
    /// A deliberate, documented transformation that has no simpler form (e.g. building a UPN from several
    /// attributes). Raise the bar by reading the expression, not by splitting it over several rules.
    ///
    /// ## How to respond
    /// Fix the data in Active Directory (or in the HR feed) instead of cleaning it in the rule; split
    /// unrelated mappings into separate rules; replace nested `IIF` chains with a scoping filter.
    ///
    /// ## References
    /// - Microsoft Entra operations reference guide (IAM), "Custom rules":
    ///   https://learn.microsoft.com/entra/architecture/ops-guide-iam
    /// - Declarative provisioning expressions:
    ///   https://learn.microsoft.com/entra/identity/hybrid/connect/concept-azure-ad-connect-sync-declarative-provisioning-expressions
    pub static META = {
        code: "SYNC-COMPLEX-CUSTOM-RULE",
        title: "Overly complex custom sync rule",
        severity: Low,
        guide: ["sync-009"],
        inputs: [DataNeed::ConnectConfig],
        settings: [],
        optional_settings: [],
        tags: [],
    }
}

pub fn run(cx: &Ctx, out: &mut Out) {
    for cfg in &cx.data.configs {
        for r in enabled(cfg).filter(|r| r.is_custom()) {
            let mut measures: Vec<String> = Vec::new();
            if r.mappings.len() > MAX_MAPPINGS {
                measures.push(format!("{} mappings (threshold {MAX_MAPPINGS})", r.mappings.len()));
            }
            if r.scope.len() > MAX_SCOPE_GROUPS {
                measures.push(format!("{} scoping groups (threshold {MAX_SCOPE_GROUPS})", r.scope.len()));
            }
            for m in &r.mappings {
                let Some(e) = &m.expression else { continue };
                let len = e.chars().count();
                if len > MAX_EXPRESSION_LEN {
                    measures.push(format!("expression for {} is {len} characters (threshold {MAX_EXPRESSION_LEN})", m.dest));
                }
                let depth = expr::call_depth(e);
                if depth > MAX_CALL_DEPTH {
                    measures.push(format!("expression for {} nests calls {depth} deep (threshold {MAX_CALL_DEPTH})", m.dest));
                }
                let iif = expr::iif_count(e);
                if iif > MAX_IIF {
                    measures.push(format!("expression for {} has {iif} IIF (threshold {MAX_IIF})", m.dest));
                }
                let cleanup = expr::cleanup_calls(e);
                if cleanup > MAX_CLEANUP_CALLS {
                    measures.push(format!(
                        "expression for {} makes {cleanup} string-cleanup calls (threshold {MAX_CLEANUP_CALLS})",
                        m.dest
                    ));
                }
            }
            if measures.is_empty() {
                continue;
            }
            let ev = rule_evidence(cfg, r, vec![f("measures", measures.join("; "))]);
            out.findings.push(
                Finding::new(
                    &META,
                    format!(
                        "Custom rule \"{}\" on {} is complex: {} ({})",
                        r.name,
                        r.connector_name,
                        measures.join("; "),
                        cfg.label
                    ),
                    vec![ev],
                )
                .with_subject(r.name.clone()),
            );
        }
    }
}
