//! The report: the contract's JSON shape plus what the UI and the HTML report need.

use std::collections::BTreeMap;

use entrascope_core::{Availability, CoverageEntry, CoverageStatus, Evidence, Finding, RecordRef, Settings, Severity, Timestamp};
use entrascope_logs::{Dataset, InputInfo, Rejected};
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};

use crate::session::Analysis;
use crate::stats::Stats;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

/// One input as the report lists it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct InputReport {
    pub path: String,
    /// `signin.interactive`, `audit`, `connect.config`, `zip`, `unknown`...
    pub kind: String,
    /// `portal-csv`, `graph-json`, `connect-xml`...
    pub format: String,
    pub records: u64,
    pub rejected: Vec<RejectedOut>,
    /// All rejected rows (the list keeps the first 10,000).
    pub rejected_total: u64,
    pub bytes: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last: Option<Timestamp>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub warnings: Vec<String>,
    /// Why the input could not be read at all, and what to do.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The Entra Connect configuration this file is part of.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub config: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RejectedOut {
    pub line: u64,
    pub reason: String,
}

impl From<&Rejected> for RejectedOut {
    fn from(r: &Rejected) -> Self {
        RejectedOut { line: r.line, reason: r.reason.clone() }
    }
}

impl InputReport {
    pub(crate) fn from_log(i: &InputInfo) -> InputReport {
        InputReport {
            path: i.path.clone(),
            kind: i.kind.as_str().to_string(),
            format: i.format.as_str().to_string(),
            records: i.records,
            rejected: i.rejected.iter().map(RejectedOut::from).collect(),
            rejected_total: i.rejected_total,
            bytes: i.bytes,
            first: i.first,
            last: i.last,
            warnings: i.warnings.clone(),
            error: i.error.clone(),
            config: None,
        }
    }

    pub fn unreadable(path: &str, reason: &str, bytes: u64) -> InputReport {
        InputReport {
            path: path.to_string(),
            kind: "unknown".into(),
            format: "unknown".into(),
            records: 0,
            rejected: Vec::new(),
            rejected_total: 0,
            bytes,
            first: None,
            last: None,
            warnings: Vec::new(),
            error: Some(reason.to_string()),
            config: None,
        }
    }

    pub(crate) fn archive(path: &str, entries: u32, bytes: u64, error: Option<String>) -> InputReport {
        InputReport {
            path: path.to_string(),
            kind: "zip".into(),
            format: "zip".into(),
            records: 0,
            rejected: Vec::new(),
            rejected_total: 0,
            bytes,
            first: None,
            last: None,
            warnings: if entries == 0 && error.is_none() { vec!["the archive holds no files".into()] } else { Vec::new() },
            error,
            config: None,
        }
    }
}

/// Evidence as the contract writes it: the input by path.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct EvidenceOut {
    pub input: String,
    pub line: u64,
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<RecordRef>,
    #[serde(serialize_with = "ordered_map", deserialize_with = "pairs_from_map")]
    pub fields: Vec<(String, String)>,
}

impl EvidenceOut {
    /// The value of one field, or "".
    pub fn field_value(&self, name: &str) -> &str {
        self.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("")
    }
}

fn ordered_map<S: Serializer>(fields: &[(String, String)], s: S) -> Result<S::Ok, S::Error> {
    let mut m = s.serialize_map(Some(fields.len()))?;
    for (k, v) in fields {
        m.serialize_entry(k, v)?;
    }
    m.end()
}

fn pairs_from_map<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<(String, String)>, D::Error> {
    let m: BTreeMap<String, String> = BTreeMap::deserialize(d)?;
    Ok(m.into_iter().collect())
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FindingOut {
    pub check: String,
    pub title: String,
    pub severity: Severity,
    pub guide: Vec<String>,
    pub summary: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<Timestamp>,
    pub evidence: Vec<EvidenceOut>,
}

/// A check's metadata as reports and the UI show it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CheckInfo {
    pub code: String,
    pub title: String,
    pub severity: Severity,
    pub guide: Vec<String>,
    pub inputs: Vec<String>,
    pub settings: Vec<String>,
    pub optional_settings: Vec<String>,
    pub tags: Vec<String>,
    /// Markdown.
    pub doc: String,
}

impl CheckInfo {
    pub fn of(m: &entrascope_core::CheckMeta) -> CheckInfo {
        CheckInfo {
            code: m.code.to_string(),
            title: m.title.to_string(),
            severity: m.severity,
            guide: m.guide.iter().map(|s| s.to_string()).collect(),
            inputs: m.inputs.iter().map(|n| n.describe()).collect(),
            settings: m.settings.iter().map(|k| k.key().to_string()).collect(),
            optional_settings: m.optional_settings.iter().map(|k| k.key().to_string()).collect(),
            tags: m.tags.iter().map(|s| s.to_string()).collect(),
            doc: m.doc_text(),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Summary {
    pub signins: u64,
    pub signins_interactive: u64,
    pub signins_noninteractive: u64,
    pub signins_serviceprincipal: u64,
    pub signins_managedidentity: u64,
    pub audits: u64,
    pub connect_configs: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last: Option<Timestamp>,
    pub findings_high: u32,
    pub findings_medium: u32,
    pub findings_low: u32,
    pub findings_info: u32,
    pub rejected_rows: u64,
    pub unreadable_inputs: u32,
    pub coverage_evaluated: u32,
    pub coverage_needs_data: u32,
    pub coverage_needs_settings: u32,
    pub coverage_not_applicable: u32,
}

impl Summary {
    /// "3 high, 7 medium findings in 41,822 sign-ins and 928 audit events, 2026-10-01 to 2026-10-31".
    pub fn verdict(&self) -> String {
        let mut parts = Vec::new();
        for (n, s) in [
            (self.findings_high, "high"),
            (self.findings_medium, "medium"),
            (self.findings_low, "low"),
            (self.findings_info, "info"),
        ] {
            if n > 0 {
                parts.push(format!("{n} {s}"));
            }
        }
        let findings = if parts.is_empty() {
            "No findings".to_string()
        } else {
            format!(
                "{} finding{}",
                parts.join(", "),
                if parts.len() == 1 && (self.findings_high + self.findings_medium + self.findings_low + self.findings_info) == 1 {
                    ""
                } else {
                    "s"
                }
            )
        };
        let mut data = Vec::new();
        if self.signins > 0 {
            data.push(format!("{} sign-ins", thousands(self.signins)));
        }
        if self.audits > 0 {
            data.push(format!("{} audit events", thousands(self.audits)));
        }
        if self.connect_configs > 0 {
            data.push(format!(
                "{} Entra Connect configuration{}",
                self.connect_configs,
                if self.connect_configs == 1 { "" } else { "s" }
            ));
        }
        let mut out = if data.is_empty() {
            format!("{findings}: no readable records")
        } else {
            format!("{findings} in {}", data.join(" and "))
        };
        if let (Some(f), Some(l)) = (self.first, self.last) {
            let d = |t: Timestamp| t.to_rfc3339()[..10].to_string();
            out.push_str(&format!(", {} to {}", d(f), d(l)));
        }
        out
    }
}

/// Formats 41822 as `41,822`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A Sigma rule that ran.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SigmaRuleOut {
    pub code: String,
    pub id: String,
    pub title: String,
    pub level: String,
    pub author: String,
    pub source: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SigmaUnmappedOut {
    pub source: String,
    pub id: String,
    pub title: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SigmaReport {
    pub rules: Vec<SigmaRuleOut>,
    pub unmapped: Vec<SigmaUnmappedOut>,
}

fn sigma_check_info(r: &entrascope_sigma::Rule) -> CheckInfo {
    let mut doc = format!("## What it detects\n{}\n\n## Rule\nSigma rule `{}` ({}), status {}, by {}. Bundled from SigmaHQ under the Detection Rule License 1.1, or supplied by you.\n", r.description, r.id, r.source, r.status, r.author);
    if !r.falsepositives.is_empty() {
        doc.push_str("\n## False positives\n");
        for f in &r.falsepositives {
            doc.push_str(&format!("- {f}\n"));
        }
    }
    if !r.references.is_empty() {
        doc.push_str("\n## References\n");
        for f in &r.references {
            doc.push_str(&format!("- {f}\n"));
        }
    }
    CheckInfo {
        code: r.code(),
        title: format!("Sigma: {}", r.title),
        severity: Severity::parse(&r.level).unwrap_or(Severity::Low),
        guide: Vec::new(),
        inputs: vec![match r.target {
            entrascope_sigma::Target::SignIns => "Entra sign-in logs".into(),
            entrascope_sigma::Target::Audits => "Entra audit logs".into(),
        }],
        settings: Vec::new(),
        optional_settings: Vec::new(),
        tags: r.tags.clone(),
        doc,
    }
}

/// Everything one analysis produced.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Report {
    pub tool: Tool,
    pub now: Timestamp,
    pub inputs: Vec<InputReport>,
    pub findings: Vec<FindingOut>,
    pub coverage: Vec<CoverageEntry>,
    pub summary: Summary,
    pub settings: Settings,
    /// The checks this build runs, with their documentation.
    pub checks: Vec<CheckInfo>,
    pub stats: Stats,
    /// Sigma rules run, and the ones that could not be mapped.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub sigma: Option<SigmaReport>,
    /// Entra Connect configurations, their comparison and rule views.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connect: Option<serde_json::Value>,
}

fn evidence_out(e: &Evidence, analysis: &Analysis) -> EvidenceOut {
    let input =
        if e.input == Evidence::NO_INPUT { String::new() } else { analysis.input_path(e.input).unwrap_or_default().to_string() };
    EvidenceOut { input, line: e.line, id: e.id.clone(), time: e.time, record: e.record, fields: e.fields.clone() }
}

pub(crate) fn build(
    analysis: &Analysis,
    inputs: Vec<InputReport>,
    findings: Vec<Finding>,
    coverage: Vec<CoverageEntry>,
    settings: &Settings,
    now: Timestamp,
    avail: Availability,
    sigma: Option<&entrascope_sigma::RuleSet>,
) -> Report {
    let ds = &analysis.ds;
    let findings: Vec<FindingOut> = findings
        .into_iter()
        .map(|f| FindingOut {
            evidence: f.evidence.iter().map(|e| evidence_out(e, analysis)).collect(),
            check: f.check,
            title: f.title,
            severity: f.severity,
            guide: f.guide,
            summary: f.summary,
            subject: f.subject,
            first_seen: f.first_seen,
            last_seen: f.last_seen,
        })
        .collect();
    let mut summary = Summary {
        signins: ds.signins.len() as u64,
        signins_interactive: avail.interactive,
        signins_noninteractive: avail.non_interactive,
        signins_serviceprincipal: avail.service_principal,
        signins_managedidentity: avail.managed_identity,
        audits: ds.audits.len() as u64,
        connect_configs: avail.connect_configs,
        ..Default::default()
    };
    let times = ds.signins.iter().map(|s| s.time).chain(ds.audits.iter().map(|a| a.time));
    for t in times {
        summary.first = Some(summary.first.map_or(t, |f| f.min(t)));
        summary.last = Some(summary.last.map_or(t, |l| l.max(t)));
    }
    for f in &findings {
        match f.severity {
            Severity::High => summary.findings_high += 1,
            Severity::Medium => summary.findings_medium += 1,
            Severity::Low => summary.findings_low += 1,
            Severity::Info => summary.findings_info += 1,
        }
    }
    for i in &inputs {
        summary.rejected_rows += i.rejected_total;
        if i.error.is_some() {
            summary.unreadable_inputs += 1;
        }
    }
    for c in &coverage {
        match c.status {
            CoverageStatus::Evaluated => summary.coverage_evaluated += 1,
            CoverageStatus::NeedsData => summary.coverage_needs_data += 1,
            CoverageStatus::NeedsSettings => summary.coverage_needs_settings += 1,
            CoverageStatus::NotApplicable => summary.coverage_not_applicable += 1,
        }
    }
    Report {
        tool: Tool { name: crate::TOOL_NAME.into(), version: crate::TOOL_VERSION.into() },
        now,
        inputs,
        findings,
        coverage,
        summary,
        settings: settings.clone(),
        checks: crate::all_checks()
            .into_iter()
            .map(CheckInfo::of)
            .chain(sigma.into_iter().flat_map(|set| set.rules.iter().map(sigma_check_info)))
            .collect(),
        sigma: sigma.map(|set| SigmaReport {
            rules: set
                .rules
                .iter()
                .map(|r| SigmaRuleOut {
                    code: r.code(),
                    id: r.id.clone(),
                    title: r.title.clone(),
                    level: r.level.clone(),
                    author: r.author.clone(),
                    source: r.source.clone(),
                })
                .collect(),
            unmapped: set
                .unmapped
                .iter()
                .map(|u| SigmaUnmappedOut {
                    source: u.source.clone(),
                    id: u.id.clone(),
                    title: u.title.clone(),
                    reason: u.reason.clone(),
                })
                .collect(),
        }),
        stats: crate::stats::compute(ds),
        connect: analysis.connect_view(),
    }
}

/// A record's content for display.
pub(crate) fn record_view(ds: &Dataset, r: RecordRef) -> Option<serde_json::Value> {
    let max = match r.table {
        entrascope_core::Table::SignIn => ds.signins.len(),
        entrascope_core::Table::Audit => ds.audits.len(),
        _ => 0,
    };
    if (r.index as usize) >= max {
        return None;
    }
    Some(entrascope_logs::view::record_json(ds, r.table, r.index))
}
