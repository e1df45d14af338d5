//! AADConnectConfigDocumenter HTML reports (reader lands in a later commit).

use serde::Serialize;

use crate::model::Config;
use crate::problem::{Parsed, Problem};

/// A Configuration Documenter report: both configurations it compares.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumenterReport {
    pub path: String,
    pub target: Config,
    pub reference: Config,
}

/// Reads a Documenter report.
pub fn read_report(path: &str, _bytes: &[u8]) -> Result<Parsed<DocumenterReport>, Problem> {
    Err(Problem::error(path, 0, "recognized as a Configuration Documenter report, which this build cannot read yet"))
}
