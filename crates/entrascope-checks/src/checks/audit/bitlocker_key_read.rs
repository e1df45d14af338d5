use std::collections::BTreeMap;

use entrascope_core::time::MS_PER_HOUR;
use entrascope_core::{declare_check, DataNeed, Finding, Severity};

use super::{activity, distinct, list, succeeded, target_name, who};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// BitLocker recovery keys read from the directory (*Read BitLocker
    /// key*), per reader, with bulk reads flagged.
    ///
    /// ## Why it matters
    /// A recovery key unlocks a stolen or lost laptop's disk. Reading keys
    /// is normal for the helpdesk in small numbers; an account reading many
    /// keys in a short time, or a reader outside the helpdesk, is collecting
    /// them.
    ///
    /// ## How it works
    /// Selects successful *Read BitLocker key* events (Device Registration
    /// Service, KeyManagement) and groups them by reader. Each reader gets
    /// one medium finding listing the keys (the event target: the key id or
    /// device) and source addresses. It is raised to high when the reader
    /// read keys of at least `BULK_KEYS` (5) distinct devices or keys within
    /// `BULK_HOURS` (24) hours.
    ///
    /// Baseline: the Sentinel hunting query *BitLocker Key Retrieval*
    /// (8ea8b2af) counts keys per user and joins Identity Protection alerts;
    /// the 24-hour bulk threshold turns the count into a signal.
    ///
    /// ## False positives
    /// Helpdesk staff during a hardware refresh or a BitLocker recovery wave
    /// after a firmware update.
    ///
    /// ## How to respond
    /// Confirm each read with a ticket for that device. For bulk or
    /// unexplained reads, review the reader's sign-ins and roles, and rotate
    /// the keys (Intune "BitLocker key rotation") of the devices concerned.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-devices#bitlocker-key-retrieval
    /// - Azure-Sentinel: Hunting Queries/AuditLogs/BitLockerKeyRetrieval.yaml (8ea8b2af-f1ce-4464-964c-6763641cc4f6)
    pub static META = {
        code: "AUDIT-BITLOCKER-KEY-READ",
        title: "BitLocker recovery keys read",
        severity: Medium,
        guide: ["devices-176"],
        inputs: [DataNeed::Audit],
        settings: [],
        optional_settings: [],
        tags: ["attack.t1555", "attack.t1552"],
    }
}

/// Distinct keys within `BULK_HOURS` that make a bulk read.
pub const BULK_KEYS: usize = 5;
pub const BULK_HOURS: i64 = 24;

pub fn run(cx: &Context) -> Vec<Finding> {
    let mut by_actor: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, a) in cx.audits_ok() {
        if succeeded(a) && activity(cx, a) == "read bitlocker key" {
            by_actor.entry(cx.actor(a).to_lowercase()).or_default().push(i);
        }
    }
    let key_of = |i: usize| {
        let a = &cx.ds.audits[i];
        cx.ds.targets(a).iter().map(|t| target_name(cx, t)).find(|n| !n.is_empty()).unwrap_or("")
    };
    by_actor
        .into_values()
        .map(|rows| {
            let actor = who(cx.actor(&cx.ds.audits[rows[0]]));
            // Most distinct keys read in any 24-hour window (rows are in time order).
            let mut most = 0;
            let mut lo = 0;
            for hi in 0..rows.len() {
                while cx.ds.audits[rows[hi]].time.0 - cx.ds.audits[rows[lo]].time.0 > BULK_HOURS * MS_PER_HOUR {
                    lo += 1;
                }
                if hi + 1 - lo > most {
                    most = most.max(distinct(rows[lo..=hi].iter().map(|&i| key_of(i))).len());
                }
            }
            let keys = distinct(rows.iter().map(|&i| key_of(i)));
            let ips = distinct(rows.iter().map(|&i| cx.s(cx.ds.audits[i].initiator.ip)));
            let from = if ips.is_empty() { String::new() } else { format!(" from {}", list(&ips, 3)) };
            let bulk = most >= BULK_KEYS;
            let summary = if bulk {
                format!(
                    "{actor} read BitLocker keys of {most} devices within {BULK_HOURS} hours ({} keys in all{from})",
                    keys.len()
                )
            } else {
                format!(
                    "{actor} read {} BitLocker {}{from}: {}",
                    keys.len(),
                    if keys.len() == 1 { "key" } else { "keys" },
                    list(&keys, 4)
                )
            };
            let f = Finding::new(&META, summary, rows.iter().map(|&i| cx.ev_audit(i)).collect()).with_subject(actor);
            if bulk {
                f.with_severity(Severity::High)
            } else {
                f
            }
        })
        .collect()
}
