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
/// either are skipped here; coverage reports why. Findings come in
/// registry order. Natively the checks run on every core (they only read
/// the context); in the browser (wasm32, one thread) one after another.
pub fn run_all(cx: &Context, avail: &entrascope_core::Availability) -> Vec<Finding> {
    let defs: Vec<&CheckDef> = registry().into_iter().filter(|def| avail.gap(def.meta, cx.settings).is_none()).collect();
    run_checks(cx, &defs).into_iter().flatten().collect()
}

#[cfg(target_arch = "wasm32")]
fn run_checks(cx: &Context, defs: &[&CheckDef]) -> Vec<Vec<Finding>> {
    defs.iter().map(|def| (def.run)(cx)).collect()
}

#[cfg(not(target_arch = "wasm32"))]
fn run_checks(cx: &Context, defs: &[&CheckDef]) -> Vec<Vec<Finding>> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(defs.len()).min(16);
    if threads <= 1 {
        return defs.iter().map(|def| (def.run)(cx)).collect();
    }
    // Each thread takes the next check not yet taken.
    let next = AtomicUsize::new(0);
    let mut out: Vec<Vec<Finding>> = defs.iter().map(|_| Vec::new()).collect();
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(def) = defs.get(i) else { break };
                        done.push((i, (def.run)(cx)));
                    }
                    done
                })
            })
            .collect();
        for w in workers {
            match w.join() {
                Ok(done) => {
                    for (i, findings) in done {
                        out[i] = findings;
                    }
                }
                // A check that panics stops the scan, as it would on one thread.
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
    });
    out
}
