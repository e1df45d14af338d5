//! SYNC-DELTA-CYCLE-SLOW (sync-015).

use entrascope_core::time::MS_PER_MINUTE;
use entrascope_core::{declare_check, DataNeed, Evidence, Finding, Timestamp};

use super::{f, Ctx, Out};
use crate::model::{RunHistory, RunRecord};

/// A delta cycle should finish within the default scheduler interval.
pub const MAX_CYCLE_MINUTES: i64 = 30;
/// A pause longer than this between two runs separates two cycles.
pub const CYCLE_GAP_MINUTES: i64 = 10;

declare_check! {
    /// ## What it detects
    /// Delta sync cycles that consistently take longer than 30 minutes: the 95th percentile of the delta
    /// cycle durations in a run-history export is above 30 minutes.
    ///
    /// ## Why it matters
    /// The scheduler starts a cycle every 30 minutes by default; cycles that take longer delay every
    /// change (disabling a leaver, adding a group member) and overlap the next cycle. The operations guide
    /// asks to investigate delta syncs consistently over 30 minutes; Microsoft's assessment uses the 95th
    /// percentile, so one slow cycle after a large change does not count.
    ///
    /// ## How it works
    /// Runs of a `Get-ADSyncRunProfileResult` CSV are ordered by start time and grouped into cycles: a new
    /// cycle starts when an import run follows an export run, or after a pause of more than 10 minutes.
    /// A cycle's duration is its last end minus its first start. Cycles containing a full import or full
    /// synchronization are left out (they are expected to be slow). The finding reports the 95th
    /// percentile (nearest rank) and lists every delta cycle above 30 minutes as evidence. Run history is
    /// purged after 7 days by default, so the export covers about a week.
    ///
    /// ## False positives
    /// A week dominated by a planned mass change (a new OU added to scope, a large group import).
    ///
    /// ## How to respond
    /// Look at the slow cycles' steps (`Get-ADSyncRunStepResult`): large export counts point to churn in the
    /// source, long sync steps to complex rules or many objects in scope. Reduce scope with OU filtering,
    /// simplify custom rules, check SQL (LocalDB size limit) and server resources.
    ///
    /// ## References
    /// - Microsoft Entra operations reference guide (IAM), delta sync cycle baseline:
    ///   https://learn.microsoft.com/entra/architecture/ops-guide-iam
    /// - Entra Connect Sync scheduler:
    ///   https://learn.microsoft.com/entra/identity/hybrid/connect/how-to-connect-sync-feature-scheduler
    pub static META = {
        code: "SYNC-DELTA-CYCLE-SLOW",
        title: "Delta sync cycles longer than 30 minutes",
        severity: Medium,
        guide: ["sync-015"],
        inputs: [DataNeed::ConnectRunHistory],
        settings: [],
        optional_settings: [],
        tags: [],
    }
}

/// One sync cycle: consecutive runs of the scheduler.
#[derive(Debug, Clone)]
pub struct Cycle<'a> {
    pub start: Timestamp,
    pub end: Timestamp,
    pub runs: Vec<&'a RunRecord>,
    /// Whether a full import or full synchronization ran in it.
    pub full: bool,
}

impl Cycle<'_> {
    pub fn minutes(&self) -> f64 {
        (self.end.0 - self.start.0) as f64 / MS_PER_MINUTE as f64
    }
}

fn is(r: &RunRecord, word: &str) -> bool {
    r.profile.to_ascii_lowercase().contains(word)
}

/// Groups the runs of a history into cycles.
pub fn cycles(h: &RunHistory) -> Vec<Cycle<'_>> {
    let mut runs: Vec<&RunRecord> = h.runs.iter().collect();
    runs.sort_by_key(|r| (r.start, r.line));
    let mut out: Vec<Cycle> = Vec::new();
    let mut exported = false;
    for r in runs {
        let end = r.end.unwrap_or(r.start).max(r.start);
        let new = match out.last() {
            None => true,
            Some(c) => (r.start.0 - c.end.0) > CYCLE_GAP_MINUTES * MS_PER_MINUTE || (exported && is(r, "import")),
        };
        if new {
            out.push(Cycle { start: r.start, end, runs: Vec::new(), full: false });
            exported = false;
        }
        if let Some(c) = out.last_mut() {
            c.end = c.end.max(end);
            c.full |= is(r, "full");
            c.runs.push(r);
        }
        exported |= is(r, "export");
    }
    out
}

/// The nearest-rank percentile of sorted values.
fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.clamp(1, sorted.len()) - 1).copied()
}

pub fn run(cx: &Ctx, out: &mut Out) {
    for h in &cx.data.run_histories {
        let all = cycles(h);
        let delta: Vec<&Cycle> = all.iter().filter(|c| !c.full).collect();
        let mut minutes: Vec<f64> = delta.iter().map(|c| c.minutes()).collect();
        minutes.sort_by(|a, b| a.total_cmp(b));
        let Some(p95) = percentile(&minutes, 95.0) else { continue };
        if p95 <= MAX_CYCLE_MINUTES as f64 {
            continue;
        }
        let slow: Vec<&&Cycle> = delta.iter().filter(|c| c.minutes() > MAX_CYCLE_MINUTES as f64).collect();
        let ev: Vec<Evidence> = slow
            .iter()
            .map(|c| {
                let first = c.runs[0];
                let mut connectors: Vec<&str> = c.runs.iter().map(|r| r.connector.as_str()).collect();
                connectors.sort();
                connectors.dedup();
                Evidence {
                    input: h.input,
                    line: first.line,
                    id: if first.run_history_id.is_empty() {
                        format!("run {}", first.run_number.unwrap_or(0))
                    } else {
                        first.run_history_id.clone()
                    },
                    time: Some(c.start),
                    record: None,
                    fields: vec![
                        f("cycle start", c.start),
                        f("cycle end", c.end),
                        f("minutes", format!("{:.1}", c.minutes())),
                        f("runs", c.runs.len()),
                        f("connectors", connectors.join(", ")),
                    ],
                }
            })
            .collect();
        out.findings.push(
            Finding::new(
                &META,
                format!(
                    "Delta sync cycles in {} take {:.0} minutes at the 95th percentile ({} of {} delta cycles over {MAX_CYCLE_MINUTES} minutes)",
                    h.path,
                    p95,
                    slow.len(),
                    delta.len()
                ),
                ev,
            )
            .with_subject(h.path.clone()),
        );
    }
}
