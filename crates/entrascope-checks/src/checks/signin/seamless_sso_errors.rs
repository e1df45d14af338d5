use std::collections::BTreeMap;

use entrascope_core::time::MS_PER_HOUR;
use entrascope_core::{declare_check, DataNeed, Finding, Severity};
use entrascope_logs::Sym;
use rustc_hash::FxHashMap;

use super::{count, distinct, evidence, join_limited, short_time};
use crate::refdata::describe_error_code;
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Seamless single sign-on and Kerberos validation errors: sign-ins with
    /// an 81xxx error code (Kerberos ticket too large, invalid or expired,
    /// user not found from the ticket, user mismatch, invalid STS request),
    /// one finding per code, and bursts that look like a password spray
    /// against the Seamless SSO endpoint.
    ///
    /// ## Why it matters
    /// Seamless SSO errors show broken hybrid sign-in (a stale AZUREADSSOACC
    /// key, a time skew, oversized Kerberos tickets) that pushes users to
    /// type passwords. The Seamless SSO endpoint (autologon) has also been
    /// used to spray passwords while leaving few traces: a burst of 81xxx
    /// errors across many accounts is the trace it leaves.
    ///
    /// ## How it works
    /// Selects user sign-ins with error codes 81000 to 81999 and groups them
    /// per code, explained from `data/signin-error-codes.tsv` (Microsoft's
    /// Seamless SSO troubleshooting table). Within each code a one-hour
    /// window slides over the sign-ins; when more than 5 different accounts
    /// fail within an hour (the threshold of Sentinel's *Password spray attack
    /// against Microsoft Entra ID Seamless SSO*, fb7ca1c9, which counts per
    /// code per query hour), the finding is raised to high and names the
    /// window. A sliding window catches a burst split across two clock hours,
    /// which fixed bins miss.
    ///
    /// ## False positives
    /// A configuration problem affecting many users at once (an expired SSO
    /// computer account key, a domain controller time skew) also produces a
    /// burst; it comes from the organization's own addresses, while a spray
    /// comes from outside.
    ///
    /// ## How to respond
    /// For configuration errors, follow Microsoft's Seamless SSO
    /// troubleshooting checklist (roll over the AZUREADSSOACC Kerberos key,
    /// check the intranet zone settings, reduce group memberships for 81001).
    /// For bursts from outside addresses, treat them as a password spray:
    /// check the accounts for successful sign-ins and reset their passwords.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-infrastructure
    /// - https://learn.microsoft.com/entra/identity/hybrid/connect/tshoot-connect-sso
    /// - Azure-Sentinel Solutions/Microsoft Entra ID/Analytic Rules/SeamlessSSOPasswordSpray.yaml
    pub static META = {
        code: "SIGN-SEAMLESS-SSO-ERRORS",
        title: "Seamless SSO and Kerberos validation errors",
        severity: Medium,
        guide: ["infrastructure-209"],
        inputs: [DataNeed::UserSignIns],
        settings: [],
        optional_settings: [],
        tags: ["attack.t1110.003", "attack.t1558"],
    }
}

/// More than this many accounts failing with one code within an hour is a spray.
const ACCOUNT_THRESHOLD: usize = 5;
const WINDOW_MS: i64 = MS_PER_HOUR;

/// The largest number of distinct accounts within any one-hour window of
/// `rows` (in time order), and where that window starts.
fn busiest_hour(cx: &Context, rows: &[usize]) -> (usize, usize) {
    let mut counts: FxHashMap<Sym, usize> = FxHashMap::default();
    let (mut best, mut best_at, mut lo) = (0, 0, 0);
    for hi in 0..rows.len() {
        let s = &cx.ds.signins[rows[hi]];
        if !key(s).is_empty() {
            *counts.entry(key(s)).or_default() += 1;
        }
        while s.time.0 - cx.ds.signins[rows[lo]].time.0 > WINDOW_MS {
            let k = key(&cx.ds.signins[rows[lo]]);
            if let Some(c) = counts.get_mut(&k) {
                *c -= 1;
                if *c == 0 {
                    counts.remove(&k);
                }
            }
            lo += 1;
        }
        if counts.len() > best {
            best = counts.len();
            best_at = lo;
        }
    }
    (best, best_at)
}

fn key(s: &entrascope_logs::SignIn) -> Sym {
    if s.upn.is_empty() {
        s.sign_in_identifier
    } else {
        s.upn
    }
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let mut by_code: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
    for (i, s) in cx.user_signins() {
        if (81000..=81999).contains(&s.error_code) {
            by_code.entry(s.error_code).or_default().push(i);
        }
    }
    by_code
        .into_iter()
        .map(|(code, rows)| {
            let sign_ins = || rows.iter().map(|&i| &cx.ds.signins[i]);
            let n_accounts = distinct(sign_ins().map(|s| cx.s(key(s))));
            let n_ips = distinct(sign_ins().map(|s| cx.s(s.ip)));
            let ips = join_limited(sign_ins().map(|s| cx.s(s.ip)), 3);
            let (peak, at) = busiest_hour(cx, &rows);
            let spray = peak > ACCOUNT_THRESHOLD;
            let (ev, note) = evidence(cx, &rows);
            let mut summary = format!(
                "Seamless SSO error {}: {} for {} from {}{}",
                describe_error_code(code),
                count(rows.len(), "failure"),
                count(n_accounts, "account"),
                count(n_ips, "address"),
                if ips.is_empty() { String::new() } else { format!(" ({ips})") },
            );
            if spray {
                summary.push_str(&format!(
                    "; {peak} accounts within one hour from {} (possible password spray against Seamless SSO)",
                    short_time(cx.ds.signins[rows[at]].time)
                ));
            }
            summary.push_str(&note);
            let f = Finding::new(&META, summary, ev).with_subject(code.to_string());
            if spray {
                f.with_severity(Severity::High)
            } else {
                f
            }
        })
        .collect()
}
