//! Findings and the evidence that proves them.

use serde::{Deserialize, Serialize};

use crate::time::Timestamp;

/// How urgent a finding is. Ordered: `Info < Low < Medium < High`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s.trim().to_ascii_lowercase().as_str() {
            "info" | "informational" => Some(Severity::Info),
            "low" => Some(Severity::Low),
            "medium" => Some(Severity::Medium),
            "high" | "critical" => Some(Severity::High),
            _ => None,
        }
    }
}

/// Which table of the record model a [`RecordRef`] points into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Table {
    SignIn,
    Audit,
    /// An item of an Entra Connect configuration (rule, setting, connector).
    Connect,
    /// A run-history or sync-error row.
    ConnectOps,
}

/// A pointer to one record, so a user interface can show the whole record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RecordRef {
    pub table: Table,
    pub index: u32,
}

/// One record that proves a finding, as the contract's `evidence[]` item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// Index of the input (file) the record came from; `u32::MAX` when the
    /// evidence is not a row of an input (a setting, a derived value).
    pub input: u32,
    /// 1-based line (CSV, NDJSON) or record ordinal (JSON arrays) in that input.
    pub line: u64,
    /// The record's own identifier as it appears in the export.
    pub id: String,
    pub time: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<RecordRef>,
    /// Fields worth showing, in display order.
    pub fields: Vec<(String, String)>,
}

impl Evidence {
    pub const NO_INPUT: u32 = u32::MAX;

    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// One incident found by a check, carrying all its evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// The check's stable code, e.g. `SIGN-LEGACY-AUTH`.
    pub check: String,
    pub title: String,
    pub severity: Severity,
    /// Catalogue row ids this finding implements.
    pub guide: Vec<String>,
    /// One line a person can act on.
    pub summary: String,
    /// The main entity (user, IP, rule name), for grouping and sorting.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    pub first_seen: Option<Timestamp>,
    pub last_seen: Option<Timestamp>,
    /// Ordered by time.
    pub evidence: Vec<Evidence>,
}

impl Finding {
    /// Builds a finding for `meta`, sorting evidence by time and setting the
    /// first and last seen times from it.
    pub fn new(meta: &crate::CheckMeta, summary: impl Into<String>, mut evidence: Vec<Evidence>) -> Finding {
        sort_evidence(&mut evidence);
        let first_seen = evidence.iter().filter_map(|e| e.time).min();
        let last_seen = evidence.iter().filter_map(|e| e.time).max();
        Finding {
            check: meta.code.to_string(),
            title: meta.title.to_string(),
            severity: meta.severity,
            guide: meta.guide.iter().map(|g| g.to_string()).collect(),
            summary: summary.into(),
            subject: None,
            first_seen,
            last_seen,
            evidence,
        }
    }

    pub fn with_subject(mut self, subject: impl Into<String>) -> Finding {
        self.subject = Some(subject.into());
        self
    }

    pub fn with_severity(mut self, severity: Severity) -> Finding {
        self.severity = severity;
        self
    }

    /// Restricts the guide rows to the ones this particular finding proves.
    pub fn with_guide(mut self, guide: &[&str]) -> Finding {
        self.guide = guide.iter().map(|g| g.to_string()).collect();
        self
    }
}

/// Orders evidence by time (untimed last), then input and line, and removes
/// duplicates of the same record.
pub fn sort_evidence(evidence: &mut Vec<Evidence>) {
    evidence.sort_by(|a, b| {
        let ta = a.time.map(|t| t.0).unwrap_or(i64::MAX);
        let tb = b.time.map(|t| t.0).unwrap_or(i64::MAX);
        ta.cmp(&tb).then(a.input.cmp(&b.input)).then(a.line.cmp(&b.line)).then(a.id.cmp(&b.id))
    });
    evidence.dedup_by(|a, b| a.input == b.input && a.line == b.line && a.id == b.id && a.record == b.record);
}

/// Orders findings as the contract asks: severity (high first), then time.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| {
                let ta = a.first_seen.map(|t| t.0).unwrap_or(i64::MAX);
                let tb = b.first_seen.map(|t| t.0).unwrap_or(i64::MAX);
                ta.cmp(&tb)
            })
            .then_with(|| a.check.cmp(&b.check))
            .then_with(|| a.subject.cmp(&b.subject))
    });
}
