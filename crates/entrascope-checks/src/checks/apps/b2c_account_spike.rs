use std::collections::BTreeMap;

use entrascope_core::time::MS_PER_DAY;
use entrascope_core::{declare_check, DataNeed, Finding, Timestamp};

use super::{activity, is_cpim_service};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// A day on which Azure AD B2C created or deleted far more consumer
    /// accounts than usual: *Add user* or *Delete user* performed by the
    /// B2C service itself ("CPIM Service", as self-service sign-up is).
    ///
    /// ## Why it matters
    /// A burst of sign-ups is how bots create fake accounts (promotion abuse,
    /// spam, credential-stuffing staging, SMS pumping through phone
    /// verification); a burst of deletions can be sabotage or an automated
    /// clean-up gone wrong. Either way the consumer directory changes faster
    /// than the business explains.
    ///
    /// ## How it works
    /// Counts creations and deletions by the B2C service per UTC day over
    /// the whole audit export (days without any count as zero). The baseline
    /// is the median daily count of the other days; a day is a spike when its
    /// count is at least three times the baseline and at least 20 above it
    /// (so that a quiet tenant going from 0 to 3 sign-ups is not a spike).
    /// The guide asks for a tenant-defined threshold; the median of the
    /// export is that baseline, learned instead of guessed, and it needs an
    /// export of at least 7 days. One finding per direction and spike day,
    /// with that day's events as evidence. No public detection rule exists
    /// for this guide row.
    ///
    /// ## False positives
    /// Marketing campaigns and product launches. Note them, and compare the
    /// spike's sign-ups with the campaign's audience (domains, countries).
    ///
    /// ## How to respond
    /// Look at the new accounts: e-mail domains, name patterns, sign-up
    /// source IP addresses in the sign-in log. For bots, enable CAPTCHA or
    /// fraud protection on the sign-up user flow and delete the fake
    /// accounts; for deletions, find what deleted them and restore them from
    /// the deleted items if needed.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-consumer-accounts
    /// - https://learn.microsoft.com/azure/active-directory-b2c/view-audit-logs
    pub static META = {
        code: "AUDIT-B2C-ACCOUNT-SPIKE",
        title: "Burst of consumer account creations or deletions",
        severity: High,
        guide: ["consumer-accounts-048"],
        inputs: [DataNeed::AuditSpanDays(7)],
        settings: [],
        optional_settings: [],
        tags: ["attack.t1136.003", "attack.t1531"],
    }
}

/// A spike is at least this many times the baseline...
const FACTOR: usize = 3;
/// ...and at least this many events above it.
const MIN_EXCESS: usize = 20;

fn median(mut v: Vec<usize>) -> usize {
    if v.is_empty() {
        return 0;
    }
    v.sort_unstable();
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2
    }
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let ds = cx.ds;
    let (Some(first), Some(last)) = (ds.audits.iter().map(|a| a.time.day()).min(), ds.audits.iter().map(|a| a.time.day()).max())
    else {
        return Vec::new();
    };
    let mut findings = Vec::new();
    for (kind, act_name, verb) in [("creations", "add user", "created"), ("deletions", "delete user", "deleted")] {
        let mut per_day: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
        for (i, a) in cx.audits_ok() {
            if activity(cx, a) == act_name && is_cpim_service(cx, a) {
                per_day.entry(a.time.day()).or_default().push(i);
            }
        }
        if per_day.is_empty() {
            continue;
        }
        let counts: Vec<(i64, usize)> = (first..=last).map(|d| (d, per_day.get(&d).map_or(0, Vec::len))).collect();
        for &(day, n) in &counts {
            let others: Vec<usize> = counts.iter().filter(|(d, _)| *d != day).map(|(_, c)| *c).collect();
            let base = median(others);
            if n < FACTOR * base.max(1) || n < base + MIN_EXCESS {
                continue;
            }
            let Some(rows) = per_day.get(&day) else { continue };
            let date = Timestamp(day * MS_PER_DAY).to_rfc3339();
            let date = date.get(..10).unwrap_or(&date);
            let summary = format!(
                "Azure AD B2C {verb} {n} consumer accounts on {date}, against a median of {base} a day ({} days of audit log): review the {kind}",
                counts.len()
            );
            let evidence = rows.iter().map(|&i| cx.ev_audit(i)).collect();
            findings.push(Finding::new(&META, summary, evidence).with_subject(format!("{kind} {date}")));
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_even_and_odd() {
        assert_eq!(median(vec![5, 1, 3]), 3);
        assert_eq!(median(vec![4, 1, 3, 2]), 2);
        assert_eq!(median(vec![]), 0);
    }
}
