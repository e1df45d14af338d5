//! SYNC-CUSTOM-RULE-PRECEDENCE (sync-001).

use entrascope_core::{declare_check, DataNeed, Finding};

use super::{enabled, f, rule_evidence, Ctx, Out};

/// The lowest precedence the built-in rules use ("The out-of-box rules start with 100").
pub const BUILT_IN_RANGE_START: u32 = 100;

declare_check! {
    /// ## What it detects
    /// An enabled custom sync rule (immutable tag empty or not starting with `Microsoft.`) whose
    /// precedence is 100 or more, the range the built-in rules use, when it was not placed there on
    /// purpose relative to another rule.
    ///
    /// ## Why it matters
    /// Microsoft reserves precedence 100 and above for the out-of-box rules and numbers them again at
    /// every upgrade or wizard run. A custom rule in that range can end up below the built-in rule it was
    /// meant to override, or collide with a renumbered built-in rule, so its changes silently stop
    /// applying. The operations guide asks to fix custom rules "with precedence value over 100".
    ///
    /// ## How it works
    /// For each configuration, every enabled rule whose tag does not start with `Microsoft.` (the test
    /// the Configuration Documenter uses; the export has no IsStandardRule flag) and whose precedence is
    /// at least 100 is reported, unless `precedence-before` or `precedence-after` names another rule
    /// (a non-zero GUID): a rule inserted with PrecedenceBefore gets a number in the built-in range by design.
    /// Disabled rules are left out: they take no part in synchronization.
    ///
    /// ## False positives
    /// A rule placed with the Synchronization Rules Editor's "insert before" that the export recorded
    /// with zero GUIDs. Check where the rule sits relative to the built-in rule it overrides.
    ///
    /// ## How to respond
    /// Give the rule a precedence between 0 and 99 (below every built-in rule), or recreate it with
    /// `New-ADSyncRule -PrecedenceBefore <built-in rule id>`. Keep custom rules documented and exported.
    ///
    /// ## References
    /// - Microsoft Entra operations reference guide (IAM), "Custom rules":
    ///   https://learn.microsoft.com/entra/architecture/ops-guide-iam
    /// - Change the default configuration (precedence of custom rules):
    ///   https://learn.microsoft.com/entra/identity/hybrid/connect/how-to-connect-sync-change-the-configuration
    pub static META = {
        code: "SYNC-CUSTOM-RULE-PRECEDENCE",
        title: "Custom sync rule in the precedence range of the built-in rules",
        severity: Medium,
        guide: ["sync-001"],
        inputs: [DataNeed::ConnectConfig],
        settings: [],
        optional_settings: [],
        tags: [],
    }
}

pub fn run(cx: &Ctx, out: &mut Out) {
    for cfg in &cx.data.configs {
        for r in enabled(cfg).filter(|r| r.is_custom() && !r.placed_relative()) {
            let Some(p) = r.precedence.filter(|p| *p >= BUILT_IN_RANGE_START) else { continue };
            let ev = rule_evidence(cfg, r, vec![f("threshold", format!("custom rules belong below {BUILT_IN_RANGE_START}"))]);
            out.findings.push(
                Finding::new(
                    &META,
                    format!(
                        "Custom rule \"{}\" on {} has precedence {p}, inside the built-in range (100 and above), on {}",
                        r.name, r.connector_name, cfg.label
                    ),
                    vec![ev],
                )
                .with_subject(r.name.clone()),
            );
        }
    }
}
