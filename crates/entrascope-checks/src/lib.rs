//! Every log-answerable check of Microsoft's Entra security operations
//! guide, plus the privileged-access and general-operations checks.
//!
//! A check is one file under `src/checks/{signin,correlation,audit,apps}/`: its documentation
//! and metadata ([`entrascope_core::declare_check!`]), and a `run` function
//! from a [`Context`] to findings. Its fixtures sit beside it in a folder of
//! the same name: `fires*.json` must make it fire with exactly the marked
//! evidence, `near_miss*.json` must not make it fire (see `tests/fixtures.rs`).
//!
//! Checks see only the typed model of `entrascope-logs`, never raw columns.

pub mod checks;
pub mod context;
pub mod refdata;

pub use context::Context;

use entrascope_core::{CheckMeta, Finding};

/// A registered check: its metadata and its logic.
pub struct CheckDef {
    pub meta: &'static CheckMeta,
    pub run: fn(&Context) -> Vec<Finding>,
}

/// Every check, in registry order.
pub fn registry() -> Vec<&'static CheckDef> {
    checks::signin::CHECKS
        .iter()
        .chain(checks::correlation::CHECKS)
        .chain(checks::audit::CHECKS)
        .chain(checks::apps::CHECKS)
        .collect()
}

/// The check with this code.
pub fn find(code: &str) -> Option<&'static CheckDef> {
    registry().into_iter().find(|c| c.meta.code.eq_ignore_ascii_case(code))
}

/// Runs every check whose data and settings are present. Checks lacking
/// either are skipped here; coverage reports why.
pub fn run_all(cx: &Context, avail: &entrascope_core::Availability) -> Vec<Finding> {
    let mut out = Vec::new();
    for def in registry() {
        if avail.gap(def.meta, cx.settings).is_none() {
            out.extend((def.run)(cx));
        }
    }
    out
}
