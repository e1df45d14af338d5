//! Coverage: for every catalogue row, whether this run evaluated it, and if
//! not, which export or setting would let it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::catalogue::{self, Answerable};
use crate::check::{CheckMeta, DataNeed};
use crate::settings::Settings;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CoverageStatus {
    Evaluated,
    NeedsData,
    NeedsSettings,
    NotApplicable,
}

impl CoverageStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CoverageStatus::Evaluated => "evaluated",
            CoverageStatus::NeedsData => "needs-data",
            CoverageStatus::NeedsSettings => "needs-settings",
            CoverageStatus::NotApplicable => "not-applicable",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoverageEntry {
    pub guide: String,
    pub status: CoverageStatus,
    /// The export or setting key that would close the gap.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub needs: Option<String>,
    /// Codes of the checks implementing the row.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub checks: Vec<String>,
}

/// What the inputs of one run provide.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Availability {
    pub interactive: u64,
    pub non_interactive: u64,
    pub service_principal: u64,
    pub managed_identity: u64,
    /// Sign-ins carrying per-step authentication details.
    pub auth_details: bool,
    /// Sign-ins carrying Identity Protection risk fields.
    pub signin_risk: bool,
    /// Days between the first and last user sign-in.
    pub signin_span_days: f64,
    pub audit: u64,
    pub audit_span_days: f64,
    pub connect_configs: u32,
    pub connect_run_history: bool,
    pub connect_errors: bool,
}

impl Availability {
    pub fn has(&self, need: DataNeed) -> bool {
        match need {
            DataNeed::UserSignIns => self.interactive + self.non_interactive > 0,
            DataNeed::InteractiveSignIns => self.interactive > 0,
            DataNeed::NonInteractiveSignIns => self.non_interactive > 0,
            DataNeed::ServicePrincipalSignIns => self.service_principal > 0,
            DataNeed::ManagedIdentitySignIns => self.managed_identity > 0,
            DataNeed::AuthDetails => self.auth_details,
            DataNeed::SignInRisk => self.signin_risk,
            DataNeed::SignInSpanDays(d) => self.interactive + self.non_interactive > 0 && self.signin_span_days >= f64::from(d),
            DataNeed::Audit => self.audit > 0,
            DataNeed::AuditSpanDays(d) => self.audit > 0 && self.audit_span_days >= f64::from(d),
            DataNeed::ConnectConfig => self.connect_configs > 0,
            DataNeed::ConnectConfigPair => self.connect_configs > 1,
            DataNeed::ConnectRunHistory => self.connect_run_history,
            DataNeed::ConnectErrors => self.connect_errors,
        }
    }

    /// Whether a check has everything it needs, and if not, what is missing.
    pub fn gap(&self, meta: &CheckMeta, settings: &Settings) -> Option<(CoverageStatus, String)> {
        let missing: Vec<String> = meta.inputs.iter().filter(|n| !self.has(**n)).map(|n| n.describe()).collect();
        if !missing.is_empty() {
            return Some((CoverageStatus::NeedsData, missing.join("; ")));
        }
        let unset: Vec<&str> = meta.settings.iter().filter(|k| !settings.has(**k)).map(|k| k.key()).collect();
        if !unset.is_empty() {
            return Some((CoverageStatus::NeedsSettings, unset.join(", ")));
        }
        None
    }
}

/// A status a check decided at run time for its rows (an audit span that is
/// too short for one of its rows, a configuration where the row does not apply).
#[derive(Debug, Clone, PartialEq)]
pub struct RuntimeStatus {
    pub guide: String,
    pub status: CoverageStatus,
    pub needs: Option<String>,
}

/// The coverage of every catalogue row.
///
/// A row is `evaluated` when at least one check implementing it ran. Otherwise
/// the gap of the check closest to running is reported: missing data first
/// (nothing else matters without it), then missing settings. Rows no check
/// implements report `needs-data` naming the export the catalogue gives.
pub fn compute(metas: &[&CheckMeta], avail: &Availability, settings: &Settings, runtime: &[RuntimeStatus]) -> Vec<CoverageEntry> {
    let mut by_row: BTreeMap<&str, Vec<&CheckMeta>> = BTreeMap::new();
    for meta in metas {
        for g in meta.guide {
            by_row.entry(g).or_default().push(meta);
        }
    }
    catalogue::rows()
        .iter()
        .map(|row| {
            let checks = by_row.get(row.id.as_str()).cloned().unwrap_or_default();
            let codes: Vec<String> = checks.iter().map(|m| m.code.to_string()).collect();
            if let Some(rt) = runtime.iter().find(|r| r.guide == row.id) {
                return CoverageEntry { guide: row.id.clone(), status: rt.status, needs: rt.needs.clone(), checks: codes };
            }
            if checks.is_empty() {
                let needs = match row.answerable {
                    Answerable::Yes => format!("{} (no check implements this row yet)", row.data_source_description()),
                    _ => row.data_source_description(),
                };
                return CoverageEntry {
                    guide: row.id.clone(),
                    status: CoverageStatus::NeedsData,
                    needs: Some(needs),
                    checks: codes,
                };
            }
            let gaps: Vec<Option<(CoverageStatus, String)>> = checks.iter().map(|m| avail.gap(m, settings)).collect();
            if gaps.iter().any(|g| g.is_none()) {
                return CoverageEntry { guide: row.id.clone(), status: CoverageStatus::Evaluated, needs: None, checks: codes };
            }
            // Prefer a settings gap (the data is there) over a data gap.
            let best = gaps
                .iter()
                .flatten()
                .find(|(s, _)| *s == CoverageStatus::NeedsSettings)
                .or_else(|| gaps.iter().flatten().next())
                .cloned()
                .expect("at least one gap");
            CoverageEntry { guide: row.id.clone(), status: best.0, needs: Some(best.1), checks: codes }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{declare_check, SettingKey};

    declare_check! {
        /// doc
        static NEEDS_BG = {
            code: "TEST-BG",
            title: "t",
            severity: High,
            guide: ["pa-002"],
            inputs: [DataNeed::UserSignIns],
            settings: [SettingKey::BreakGlassAccounts],
            optional_settings: [],
            tags: [],
        }
    }

    fn entry<'a>(cov: &'a [CoverageEntry], id: &str) -> &'a CoverageEntry {
        cov.iter().find(|c| c.guide == id).unwrap()
    }

    #[test]
    fn statuses_follow_data_then_settings() {
        let metas = [&NEEDS_BG];
        let mut avail = Availability::default();
        let mut settings = Settings::default();
        let cov = compute(&metas, &avail, &settings, &[]);
        assert_eq!(cov.len(), catalogue::rows().len());
        assert_eq!(entry(&cov, "pa-002").status, CoverageStatus::NeedsData);

        avail.interactive = 3;
        let cov = compute(&metas, &avail, &settings, &[]);
        let e = entry(&cov, "pa-002");
        assert_eq!(e.status, CoverageStatus::NeedsSettings);
        assert_eq!(e.needs.as_deref(), Some("break_glass_accounts"));

        settings.break_glass_accounts = vec!["bg@contoso.onmicrosoft.com".into()];
        let cov = compute(&metas, &avail, &settings, &[]);
        assert_eq!(entry(&cov, "pa-002").status, CoverageStatus::Evaluated);
        // A row without a check names its export.
        let e = entry(&cov, "infrastructure-181");
        assert_eq!(e.status, CoverageStatus::NeedsData);
        assert!(e.needs.is_some());
    }
}
