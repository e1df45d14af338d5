//! Entra Connect Sync: configuration exports, Configuration Documenter
//! reports, run history and sync errors, read into one typed model.
//!
//! Data flows one way: `(path, bytes)` → [`sniff()`] → a reader → the model
//! ([`Config`], [`RunHistory`], [`ErrorSet`], gathered in [`ConnectData`]) →
//! checks, [`diff()`] and [`view()`]. Callers (the CLI, the browser) supply the
//! files; this crate does no IO and builds for `wasm32-unknown-unknown`.
//!
//! ```no_run
//! # let files: Vec<(String, Vec<u8>)> = Vec::new();
//! # let now = entrascope_core::Timestamp(0);
//! let mut c = entrascope_connect::Collector::new();
//! for (path, bytes) in &files {
//!     let _ = c.add(path, bytes); // Err: not an Entra Connect file, or unreadable (see `problems`)
//! }
//! let data = c.finish();
//! let (findings, runtime_coverage) = entrascope_connect::run(&data, now);
//! if let [a, b, ..] = data.configs.as_slice() {
//!     println!("{}", entrascope_connect::render_diff_text(&entrascope_connect::diff(a, b)));
//! }
//! ```
//!
//! Readers, each `(path, bytes) -> Result<Parsed<T>, Problem>`:
//! [`export::read_rule`], [`export::read_connector`],
//! [`export::read_global_settings`], [`policy::read_policy_json`],
//! [`documenter::read_report`], [`runhistory::read_run_history`],
//! [`errors::read_csexport_errors`], [`errors::read_graph_errors`].
//! XML is read with quick-xml into a bounded tree ([`xml`]); entities are
//! never expanded and a DOCTYPE is ignored.

pub mod checks;
pub mod collect;
pub mod diff;
pub mod documenter;
pub mod errors;
pub mod export;
pub mod expr;
pub mod model;
pub mod policy;
pub mod problem;
pub mod runhistory;
pub mod sniff;
pub mod text;
pub mod versions;
pub mod view;
pub mod xml;

pub use collect::{export_file_kind, Collector, ConnectData, ConnectInput};
pub use diff::{diff, render_diff_text, ConfigDiff};
pub use documenter::DocumenterReport;
pub use model::*;
pub use problem::{Level, Parsed, Problem};
pub use sniff::{sniff, ConnectKind, SNIFF_HEAD};
pub use view::{attribute_flow, view, ConfigView, FlowStep};

use entrascope_core::coverage::{Availability, RuntimeStatus};
use entrascope_core::{CheckMeta, Finding, Timestamp};

/// The metadata of every Entra Connect check, in catalogue order.
pub fn checks() -> Vec<&'static CheckMeta> {
    checks::CHECKS.iter().map(|c| c.meta).collect()
}

/// Runs every check on `data`. `now` is the clock of the age-based checks
/// (versions behind or out of support, stale errors). Returns the findings
/// and the coverage statuses decided at run time (e.g. `sync-005` reports
/// `needs-data` when only production exports were supplied). Checks whose
/// data is absent produce nothing; coverage (from [`fill_availability`])
/// says why.
pub fn run(data: &ConnectData, now: Timestamp) -> (Vec<Finding>, Vec<RuntimeStatus>) {
    let cx = checks::Ctx { data, now };
    let mut out = checks::Out::default();
    for def in checks::CHECKS {
        (def.run)(&cx, &mut out);
    }
    entrascope_core::finding::sort_findings(&mut out.findings);
    (out.findings, out.status)
}

/// Records what the Entra Connect inputs provide, for coverage.
pub fn fill_availability(data: &ConnectData, avail: &mut Availability) {
    avail.connect_configs = data.configs.len() as u32;
    avail.connect_run_history = !data.run_histories.is_empty();
    avail.connect_errors = !data.error_sets.is_empty();
}
