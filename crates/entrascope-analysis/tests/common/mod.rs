//! What the planted-incident tests share: which checks must report each
//! incident the generator plants, and how a finding cites a label.

use std::collections::BTreeSet;

use entrascope_analysis::Report;
use entrascope_core::Severity;

/// Which checks may report each planted incident; `None` for incidents no
/// row of the guides asks for. An incident this table does not know fails.
pub fn checks_for(incident: &str) -> Option<&'static [&'static str]> {
    Some(match incident {
        "legacy-auth success" => &["SIGN-LEGACY-AUTH"],
        "password spray from one IP" => &["SIGN-PASSWORD-SPRAY"],
        "brute force on one account" => &["SIGN-BRUTE-FORCE"],
        "distributed cracking" => &["SIGN-DISTRIBUTED-PASSWORD-CRACKING"],
        "MFA fatigue then success" => &["SIGN-MFA-FATIGUE"],
        "MFA denied / fraud reported" => &["SIGN-MFA-DENIED", "AUDIT-MFA-FRAUD-REPORTED"],
        "break-glass sign-in" => &["PA-BREAK-GLASS-SIGNIN"],
        "account created and deleted within 24 h" => &["AUDIT-ACCOUNT-SHORT-LIVED"],
        "sign-in from a country new to the tenant" => &["SIGN-NEW-COUNTRY"],
        "impossible travel" => &["SIGN-IMPOSSIBLE-TRAVEL"],
        "success then failure from another /16 within 10 minutes" => &["SIGN-SUCCESS-THEN-FAIL-OTHER-NETWORK"],
        "privileged role assigned outside PIM" => &["AUDIT-ROLE-OUTSIDE-PIM"],
        "bulk role changes" => &["AUDIT-BULK-ROLE-CHANGES"],
        "Conditional Access policy changed/disabled by a non-approved actor" => &["AUDIT-CA-POLICY-UNAPPROVED"],
        "CA exclusion change" => &["AUDIT-CA-POLICY-WEAKENED"],
        "new credential added to an app" => &["AUDIT-APP-CREDENTIAL-ADDED"],
        "consent to an app with offline_access + Mail.Read" => &["AUDIT-APP-USER-CONSENT", "AUDIT-APP-SENSITIVE-PERMISSION"],
        "app role assignment with sensitive permission" => &["AUDIT-APP-SENSITIVE-PERMISSION", "AUDIT-APP-SP-ROLE-ASSIGNED"],
        "sign-in outside business hours by a privileged account" => &["SIGN-PRIV-OUTSIDE-BUSINESS-HOURS"],
        "failure spike vs same weekday last week" => &["SIGN-FAILURE-VOLUME-UP"],
        "risky sign-in (riskLevelDuringSignIn high) that succeeded" => &["SIGN-RISK-DETECTION", "SIGN-PRIV-RISK"],
        "guest invited by non-approved inviter" => &["AUDIT-GUEST-INVITE-UNAPPROVED"],
        // No row of the guides asks for domain additions (the Sentinel rule
        // NewOnmicrosoftDomainAdded is outside them); Sigma rules can cover it.
        "new onmicrosoft domain added" => return None,
        "user added to a critical group" => &["AUDIT-CRITICAL-GROUP-MEMBERSHIP"],
        other => panic!("the generator plants \"{other}\", which this test does not map to checks"),
    })
}

/// The least severity at which a finding reports the incident. A guide row
/// may ask to list every event of a kind: AUDIT-APP-USER-CONSENT lists every
/// end-user consent at low severity and raises the risky ones (offline access
/// to mail) to high, so the consent near miss may appear, but not as high.
pub fn min_severity(incident: &str) -> Severity {
    match incident {
        "consent to an app with offline_access + Mail.Read" => Severity::High,
        _ => Severity::Info,
    }
}

pub fn cited(r: &Report, codes: &[&str], min: Severity) -> BTreeSet<String> {
    r.findings
        .iter()
        .filter(|f| codes.contains(&f.check.as_str()) && f.severity >= min)
        .flat_map(|f| f.evidence.iter().map(|e| e.id.to_lowercase()))
        .collect()
}

pub fn ids_of(label: &entrascope_gen::Label) -> BTreeSet<String> {
    label.evidence_ids.iter().chain(label.correlation_ids.iter()).map(|s| s.to_lowercase()).collect()
}
