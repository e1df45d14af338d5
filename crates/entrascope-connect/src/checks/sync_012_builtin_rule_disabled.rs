//! SYNC-BUILTIN-RULE-DISABLED (sync-012).

use entrascope_core::{declare_check, DataNeed, Finding};

use super::{rule_evidence, Ctx, Out};

declare_check! {
    /// ## What it detects
    /// A built-in sync rule (immutable tag `Microsoft.*`) that is disabled.
    ///
    /// ## Why it matters
    /// Built-in rules implement the supported configuration; disabling one changes what flows (attributes,
    /// joins, filtering) in ways the wizard and upgrades do not know about. An upgrade may re-enable it, or
    /// leave it disabled while newer rules depend on it. Microsoft's guidance is to leave built-in rules
    /// untouched and override them with custom rules of lower precedence.
    ///
    /// ## How it works
    /// Every rule whose immutable tag starts with `Microsoft.` and whose `disabled` is `True` is one
    /// finding. Rules the wizard disables for features that are off (for example Exchange hybrid rules
    /// without Exchange) keep their tags and are reported too: confirm them.
    ///
    /// ## False positives
    /// Rules disabled by the wizard for an optional feature that is off; rules disabled as documented by
    /// Microsoft for a specific scenario.
    ///
    /// ## How to respond
    /// Re-enable the rule, and put the intended change in a custom rule (clone it, give the clone a lower
    /// precedence, adjust the clone). Record the reason if it must stay disabled.
    ///
    /// ## References
    /// - Change the default configuration ("Disable an unwanted sync rule", do not modify out-of-box rules):
    ///   https://learn.microsoft.com/entra/identity/hybrid/connect/how-to-connect-sync-change-the-configuration
    pub static META = {
        code: "SYNC-BUILTIN-RULE-DISABLED",
        title: "Built-in sync rule disabled",
        severity: Medium,
        guide: ["sync-012"],
        inputs: [DataNeed::ConnectConfig],
        settings: [],
        optional_settings: [],
        tags: [],
    }
}

pub fn run(cx: &Ctx, out: &mut Out) {
    for cfg in &cx.data.configs {
        for r in cfg.rules.iter().filter(|r| r.is_standard() && r.disabled) {
            out.findings.push(
                Finding::new(
                    &META,
                    format!("Built-in rule \"{}\" on {} is disabled ({})", r.name, r.connector_name, cfg.label),
                    vec![rule_evidence(cfg, r, Vec::new())],
                )
                .with_subject(r.name.clone()),
            );
        }
    }
}
