//! What a check declares about itself: code, title, severity, the guide rows
//! it implements, the data and settings it needs, and its documentation.
//!
//! A check is declared with [`declare_check!`](crate::declare_check), which
//! keeps its documentation in `///` comments next to its logic, the way
//! clippy declares lints. The documentation has fixed sections
//! ([`DOC_SECTIONS`]); a test in each check crate fails when one is missing.

use serde::Serialize;

use crate::Severity;

/// The sections every check's documentation must have, in this order.
pub const DOC_SECTIONS: &[&str] =
    &["## What it detects", "## Why it matters", "## How it works", "## False positives", "## How to respond", "## References"];

/// An export a check needs. `needs-data` coverage names the export to supply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DataNeed {
    /// Interactive or non-interactive user sign-ins.
    UserSignIns,
    InteractiveSignIns,
    NonInteractiveSignIns,
    ServicePrincipalSignIns,
    ManagedIdentitySignIns,
    /// Per-step authentication details (MFA method and result): Graph
    /// `authenticationDetails` or the admin center's AuthDetails file.
    AuthDetails,
    /// Identity Protection fields on sign-ins (`riskLevelDuringSignIn`...).
    SignInRisk,
    /// User sign-ins spanning at least this many days.
    SignInSpanDays(u16),
    Audit,
    /// Audit events spanning at least this many days.
    AuditSpanDays(u16),
    ConnectConfig,
    /// Two Connect configurations (production and staging, or a baseline).
    ConnectConfigPair,
    ConnectRunHistory,
    ConnectErrors,
}

impl DataNeed {
    /// What the user should export to satisfy this need.
    pub fn describe(self) -> String {
        match self {
            DataNeed::UserSignIns => "Entra sign-in logs (interactive or non-interactive user sign-ins)".into(),
            DataNeed::InteractiveSignIns => "Entra interactive user sign-in logs".into(),
            DataNeed::NonInteractiveSignIns => "Entra non-interactive user sign-in logs".into(),
            DataNeed::ServicePrincipalSignIns => "Entra service principal sign-in logs".into(),
            DataNeed::ManagedIdentitySignIns => "Entra managed identity sign-in logs".into(),
            DataNeed::AuthDetails => {
                "sign-in authentication details (the admin center's AuthDetails file, or Graph/Log Analytics sign-ins with authenticationDetails)".into()
            }
            DataNeed::SignInRisk => {
                "sign-in logs with Identity Protection risk fields (Graph beta, Log Analytics or diagnostic export; needs Entra ID P2)".into()
            }
            DataNeed::SignInSpanDays(d) => format!("user sign-in logs spanning at least {d} days"),
            DataNeed::Audit => "Entra audit logs".into(),
            DataNeed::AuditSpanDays(d) => format!("Entra audit logs spanning at least {d} days"),
            DataNeed::ConnectConfig => "an Entra Connect Sync configuration export (Get-ADSyncServerConfiguration)".into(),
            DataNeed::ConnectConfigPair => {
                "two Entra Connect Sync configuration exports (production and staging)".into()
            }
            DataNeed::ConnectRunHistory => "an Entra Connect run-history export (Get-ADSyncRunProfileResult CSV)".into(),
            DataNeed::ConnectErrors => {
                "an Entra Connect sync-error export (csexport error XML or Graph onPremisesProvisioningErrors)".into()
            }
        }
    }
}

/// A tenant setting a check reads. Names are the settings file's keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum SettingKey {
    HomeTenantId,
    OrganizationDomains,
    BreakGlassAccounts,
    PrivilegedAccounts,
    ApprovedConditionalAccess,
    ApprovedUserManagement,
    ApprovedRoleManagement,
    ApprovedGuestInvitations,
    ApprovedApplicationManagement,
    CriticalGroups,
    TrustedNetworks,
    OperatingCountries,
    BusinessHours,
    NamingPolicyUser,
    NamingPolicyAdmin,
    SensitiveApplications,
    LegacyAuthenticationBlocked,
}

impl SettingKey {
    pub const ALL: &'static [SettingKey] = &[
        SettingKey::HomeTenantId,
        SettingKey::OrganizationDomains,
        SettingKey::BreakGlassAccounts,
        SettingKey::PrivilegedAccounts,
        SettingKey::ApprovedConditionalAccess,
        SettingKey::ApprovedUserManagement,
        SettingKey::ApprovedRoleManagement,
        SettingKey::ApprovedGuestInvitations,
        SettingKey::ApprovedApplicationManagement,
        SettingKey::CriticalGroups,
        SettingKey::TrustedNetworks,
        SettingKey::OperatingCountries,
        SettingKey::BusinessHours,
        SettingKey::NamingPolicyUser,
        SettingKey::NamingPolicyAdmin,
        SettingKey::SensitiveApplications,
        SettingKey::LegacyAuthenticationBlocked,
    ];

    /// The key as written in the settings file (dotted for nested keys).
    pub fn key(self) -> &'static str {
        match self {
            SettingKey::HomeTenantId => "home_tenant_id",
            SettingKey::OrganizationDomains => "organization_domains",
            SettingKey::BreakGlassAccounts => "break_glass_accounts",
            SettingKey::PrivilegedAccounts => "privileged_accounts",
            SettingKey::ApprovedConditionalAccess => "approved_actors.conditional_access",
            SettingKey::ApprovedUserManagement => "approved_actors.user_management",
            SettingKey::ApprovedRoleManagement => "approved_actors.role_management",
            SettingKey::ApprovedGuestInvitations => "approved_actors.guest_invitations",
            SettingKey::ApprovedApplicationManagement => "approved_actors.application_management",
            SettingKey::CriticalGroups => "critical_groups",
            SettingKey::TrustedNetworks => "trusted_networks",
            SettingKey::OperatingCountries => "operating_countries",
            SettingKey::BusinessHours => "business_hours",
            SettingKey::NamingPolicyUser => "naming_policy.user",
            SettingKey::NamingPolicyAdmin => "naming_policy.admin",
            SettingKey::SensitiveApplications => "sensitive_applications",
            SettingKey::LegacyAuthenticationBlocked => "legacy_authentication_blocked",
        }
    }
}

/// Everything a check says about itself. Built by [`declare_check!`](crate::declare_check).
#[derive(Debug, Serialize)]
pub struct CheckMeta {
    /// Stable code, e.g. `SIGN-LEGACY-AUTH`. Never reused, never renamed.
    pub code: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    /// Catalogue row ids (`secops-guide.tsv` or `ops-checks.tsv`).
    pub guide: &'static [&'static str],
    /// Data the check needs; all must be present for it to be evaluated.
    pub inputs: &'static [DataNeed],
    /// Settings without which the check cannot run (coverage: `needs-settings`).
    pub settings: &'static [SettingKey],
    /// Settings the check uses when present (to refine or suppress).
    pub optional_settings: &'static [SettingKey],
    /// ATT&CK technique ids and similar tags.
    pub tags: &'static [&'static str],
    /// The documentation as written in the `///` comments (one leading
    /// space per line, as rustc passes it); use [`CheckMeta::doc_text`].
    #[serde(skip)]
    pub raw_doc: &'static str,
    /// Source file of the check, relative to its crate.
    pub file: &'static str,
}

impl CheckMeta {
    /// The documentation as Markdown.
    pub fn doc_text(&self) -> String {
        let mut out = String::with_capacity(self.raw_doc.len());
        for line in self.raw_doc.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out.trim().to_string() + "\n"
    }

    /// The text of one `## ` section of the documentation, without its heading.
    pub fn doc_section(&self, heading: &str) -> Option<String> {
        let doc = self.doc_text();
        let start = doc.find(heading)? + heading.len();
        let rest = &doc[start..];
        let end = rest.find("\n## ").unwrap_or(rest.len());
        Some(rest[..end].trim().to_string())
    }

    /// Problems with this check's declaration: missing or empty doc sections,
    /// a malformed code. Empty when the declaration is complete.
    pub fn lint(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let code_ok = !self.code.is_empty()
            && self.code.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
            && !self.code.starts_with('-')
            && !self.code.ends_with('-');
        if !code_ok {
            problems.push(format!("{}: code must be UPPER-KEBAB-CASE", self.code));
        }
        if self.title.trim().is_empty() {
            problems.push(format!("{}: empty title", self.code));
        }
        if self.guide.is_empty() {
            problems.push(format!("{}: implements no guide row", self.code));
        }
        let doc = self.doc_text();
        let mut last = 0;
        for heading in DOC_SECTIONS {
            match doc.find(heading) {
                None => problems.push(format!("{}: documentation lacks `{heading}`", self.code)),
                Some(pos) => {
                    if pos < last {
                        problems.push(format!("{}: `{heading}` is out of order", self.code));
                    }
                    last = pos;
                    if self.doc_section(heading).map(|s| s.is_empty()).unwrap_or(true) {
                        problems.push(format!("{}: `{heading}` is empty", self.code));
                    }
                }
            }
        }
        problems
    }
}

/// Declares a check's metadata with its documentation taken from `///` comments.
///
/// ```
/// entrascope_core::declare_check! {
///     /// ## What it detects
///     /// Something.
///     pub static EXAMPLE = {
///         code: "EXAMPLE-CHECK",
///         title: "An example",
///         severity: Low,
///         guide: ["user-accounts-000"],
///         inputs: [entrascope_core::DataNeed::Audit],
///         settings: [],
///         optional_settings: [],
///         tags: [],
///     }
/// }
/// assert_eq!(EXAMPLE.code, "EXAMPLE-CHECK");
/// assert!(EXAMPLE.doc_text().starts_with("## What it detects"));
/// ```
#[macro_export]
macro_rules! declare_check {
    (
        $(#[doc = $doc:literal])*
        $vis:vis static $name:ident = {
            code: $code:literal,
            title: $title:literal,
            severity: $sev:ident,
            guide: [$($guide:literal),* $(,)?],
            inputs: [$($input:expr),* $(,)?],
            settings: [$($setting:expr),* $(,)?],
            optional_settings: [$($opt:expr),* $(,)?],
            tags: [$($tag:literal),* $(,)?] $(,)?
        }
    ) => {
        $vis static $name: $crate::check::CheckMeta = $crate::check::CheckMeta {
            code: $code,
            title: $title,
            severity: $crate::Severity::$sev,
            guide: &[$($guide),*],
            inputs: &[$($input),*],
            settings: &[$($setting),*],
            optional_settings: &[$($opt),*],
            tags: &[$($tag),*],
            raw_doc: concat!($($doc, "\n"),*),
            file: file!(),
        };
    };
}
