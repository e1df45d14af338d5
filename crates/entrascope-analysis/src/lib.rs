//! Runs entrascope's whole analysis and renders its report.
//!
//! ```text
//! files ──► Session (route by content: log / Connect / zip / unreadable)
//!              │ logs: entrascope-logs Ingest (streamed)
//!              │ Connect: entrascope-connect Collector
//!              ▼
//!           Analysis (parsed once) ──analyze(settings, now)──► Report ──► render::{json,csv,sarif,html,table}
//! ```
//!
//! The CLI and the web worker call exactly this API, so both run the same
//! analysis. No IO here: callers hand in bytes.

mod connect;
pub mod render;
pub mod report;
mod session;
pub mod stats;

pub use entrascope_logs::{Part, SplitInfo};
pub use entrascope_sigma as sigma;
pub use report::{CheckInfo, EvidenceOut, FindingOut, InputReport, Report, SigmaReport, Summary};
pub use session::{Analysis, FileSummary, Session};

/// Every check this build runs (log and Connect), for `entrascope checks`
/// and the web app's documentation pages.
pub fn all_checks() -> Vec<&'static entrascope_core::CheckMeta> {
    let mut metas: Vec<&'static entrascope_core::CheckMeta> = entrascope_checks::registry().iter().map(|d| d.meta).collect();
    metas.extend(connect::checks());
    metas
}

/// The tool's name and version as reports state them.
pub const TOOL_NAME: &str = "entrascope";
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");
