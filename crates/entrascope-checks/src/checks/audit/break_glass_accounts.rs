use entrascope_core::{declare_check, Finding, SettingKey};

use super::setting_evidence;
use crate::Context;

declare_check! {
    /// ## What it detects
    /// An emergency access setup that does not meet the privileged access
    /// guide's first step: fewer than two break-glass accounts, or a
    /// break-glass account that is not cloud-only (not in a
    /// `*.onmicrosoft.com` domain), as declared in `break_glass_accounts`.
    ///
    /// ## Why it matters
    /// Emergency access accounts are the way back in when federation, MFA or
    /// Conditional Access fails. One account is a single point of failure
    /// (its credential lost, its FIDO2 key broken); an account in a
    /// federated or synchronized domain fails with the very on-premises
    /// infrastructure it should survive.
    ///
    /// ## How it works
    /// Reads the `break_glass_accounts` setting itself (no log needed):
    /// reports when it has fewer than two entries, when an entry's domain
    /// does not end in `.onmicrosoft.com`, or when an entry is a wildcard
    /// pattern (it cannot be checked as an account; list the accounts
    /// explicitly). One finding listing every problem, with the entries as
    /// evidence. With no entry at all, coverage reports the setting as
    /// missing instead of guessing that the tenant has none.
    ///
    /// ## False positives
    /// The setting lists fewer accounts than the tenant really has. List all
    /// of them: other checks rely on the list to watch them.
    ///
    /// ## How to respond
    /// Create a second cloud-only emergency account in the
    /// `*.onmicrosoft.com` domain with Global Administrator, excluded from
    /// Conditional Access policies that could lock it out, protected by a
    /// phishing-resistant credential kept offline, and monitored (every
    /// sign-in alerts).
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/identity/role-based-access-control/security-planning#stage-1-critical-items-to-do-right-now
    /// - https://learn.microsoft.com/entra/identity/role-based-access-control/security-emergency-access
    pub static META = {
        code: "PA-BREAK-GLASS-ACCOUNTS",
        title: "Fewer than two cloud-only emergency access accounts",
        severity: High,
        guide: ["pa-001"],
        inputs: [],
        settings: [SettingKey::BreakGlassAccounts],
        optional_settings: [],
        tags: ["resilience"],
    }
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let entries: Vec<&str> = cx.settings.break_glass_accounts.iter().map(|e| e.trim()).filter(|e| !e.is_empty()).collect();
    if entries.is_empty() {
        return Vec::new();
    }
    let mut problems = Vec::new();
    let mut evidence = Vec::new();
    let explicit: Vec<&str> = entries.iter().copied().filter(|e| !e.contains('*')).collect();
    if explicit.len() < 2 {
        problems.push(format!(
            "only {} emergency access account{} listed",
            explicit.len(),
            if explicit.len() == 1 { " is" } else { "s are" }
        ));
    }
    for e in &entries {
        let domain = e.rsplit_once('@').map(|(_, d)| d.to_ascii_lowercase()).unwrap_or_default();
        if e.contains('*') {
            problems.push(format!("{e} is a pattern, not an account"));
        } else if !domain.ends_with(".onmicrosoft.com") {
            problems.push(format!("{e} is not cloud-only (not in a *.onmicrosoft.com domain)"));
        }
        evidence.push(setting_evidence("break_glass_accounts", e));
    }
    if problems.is_empty() {
        return Vec::new();
    }
    let summary = format!("Emergency access accounts do not meet the guide: {}", problems.join("; "));
    vec![Finding::new(&META, summary, evidence).with_subject("break_glass_accounts")]
}
