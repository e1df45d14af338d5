//! SYNC-ERRORS-STALE (sync-016).

use entrascope_core::time::MS_PER_DAY;
use entrascope_core::{declare_check, DataNeed, Evidence, Finding};

use super::{f, ymd, Ctx, Out};

/// Errors older than this many days at `--now` are stale.
pub const MAX_AGE_DAYS: i64 = 100;

declare_check! {
    /// ## What it detects
    /// Synchronization errors left unresolved for more than 100 days at `--now`.
    ///
    /// ## Why it matters
    /// An object in error is not synchronized: a renamed user keeps an old UPN in the cloud, a leaver stays
    /// enabled, a duplicate proxy address blocks a mailbox. Errors that sit for months mean nobody owns the
    /// error queue; the operations guide asks to clean up objects in error for more than 100 days.
    ///
    /// ## How it works
    /// Reads csexport error XML (`export-errordetail`/`import-errordetail` with `first-occurred` or
    /// `date-occurred`, and run-step `<synchronization-errors>`) and Graph `onPremisesProvisioningErrors`
    /// (`occurredDateTime`). An error's age is `--now` minus its first occurrence (the last occurrence
    /// when the first is not recorded). One finding per export lists every error older than 100 days;
    /// errors without any date are counted in the summary, not judged.
    ///
    /// ## False positives
    /// An export taken long before `--now` (pass the export's date as `--now`).
    ///
    /// ## How to respond
    /// Work through the errors (Entra Connect Health "Sync errors", or the Synchronization Service
    /// Manager's connector space): fix duplicate attributes at the source, delete or filter objects that
    /// should not synchronize, and assign an owner to the error queue.
    ///
    /// ## References
    /// - Microsoft Entra operations reference guide (IAM), "Identify and resolve synchronization issues":
    ///   https://learn.microsoft.com/entra/architecture/ops-guide-iam
    /// - Troubleshoot errors during synchronization:
    ///   https://learn.microsoft.com/entra/identity/hybrid/connect/tshoot-connect-sync-errors
    pub static META = {
        code: "SYNC-ERRORS-STALE",
        title: "Synchronization errors unresolved for more than 100 days",
        severity: Medium,
        guide: ["sync-016"],
        inputs: [DataNeed::ConnectErrors],
        settings: [],
        optional_settings: [],
        tags: [],
    }
}

pub fn run(cx: &Ctx, out: &mut Out) {
    for set in &cx.data.error_sets {
        let undated = set.errors.iter().filter(|e| e.since().is_none()).count();
        let ev: Vec<Evidence> = set
            .errors
            .iter()
            .filter_map(|e| {
                let since = e.since()?;
                let days = (cx.now.0 - since.0) / MS_PER_DAY;
                (days > MAX_AGE_DAYS).then(|| {
                    let mut fields =
                        vec![f("object", &e.object), f("error", &e.error_type), f("since", ymd(since)), f("age (days)", days)];
                    if let Some(d) = e.date_occurred {
                        fields.push(f("last occurred", ymd(d)));
                    }
                    if !e.object_type.is_empty() {
                        fields.push(f("object type", &e.object_type));
                    }
                    if !e.detail.is_empty() {
                        fields.push(f("detail", e.detail.chars().take(300).collect::<String>()));
                    }
                    Evidence {
                        input: set.input,
                        line: e.line,
                        id: if e.object.is_empty() { e.object_id.clone() } else { e.object.clone() },
                        time: Some(since),
                        record: None,
                        fields,
                    }
                })
            })
            .collect();
        if ev.is_empty() {
            continue;
        }
        let oldest = ev.iter().filter_map(|e| e.time).min().map(ymd).unwrap_or_default();
        let note = if undated > 0 { format!("; {undated} errors have no date") } else { String::new() };
        out.findings.push(
            Finding::new(
                &META,
                format!(
                    "{} of {} sync errors in {} are older than {MAX_AGE_DAYS} days (oldest since {oldest}){note}",
                    ev.len(),
                    set.errors.len(),
                    set.path
                ),
                ev,
            )
            .with_subject(set.path.clone()),
        );
    }
}
