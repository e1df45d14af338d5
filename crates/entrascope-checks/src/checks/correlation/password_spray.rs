use entrascope_core::{declare_check, DataNeed, Finding};
use entrascope_logs::{Outcome, Sym};
use rustc_hash::{FxHashMap, FxHashSet};

use super::{annotate, dec, duration, evidence, list, password_accepted, plural, user_key, IpKeys, DAY, MINUTE};
use crate::refdata::{code_in, CodeSet};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// One network trying a few passwords against many accounts: at least 5
    /// distinct accounts failing with a wrong, locked, expired or empty
    /// password, or an unknown user name, from one IP address within any 20
    /// minutes; or at least 10 accounts from 3 or more addresses of one
    /// autonomous system (ASN) within 20 minutes, when no single address
    /// explains it. A password accepted from the spraying network is called
    /// out in the summary: it means the spray found a working password.
    ///
    /// ## Why it matters
    /// Password spray is the most common attack on Entra ID accounts. It
    /// stays under the per-account smart lockout by trying one or two common
    /// passwords per account, so no single account looks attacked; only the
    /// view across accounts from one source shows it. Every account it gets
    /// into is a foothold, usually followed by mailbox access or MFA
    /// registration for persistence.
    ///
    /// ## How it works
    /// Baseline: the Sentinel rule *Password spray attack against Microsoft
    /// Entra ID application* (SigninPasswordSpray, 48607a29): failure codes
    /// 50053/50126/50055, at least 5 distinct failed accounts per IP and
    /// application in fixed 20-minute bins, kept only when the address failed
    /// for more accounts than it succeeded for (busy NAT addresses).
    ///
    /// Failures with the codes of `data/credential-attack-codes.tsv` set
    /// `spray` (the baseline's codes plus 50034, unknown user name, and
    /// 50056, empty password, so sprays of guessed names count) are sorted by
    /// network and time and swept with a sliding 20-minute window that keeps
    /// a count per account. Every window reaching 5 distinct accounts is part
    /// of an incident; overlapping windows merge into one incident, so a
    /// two-hour spray is one finding with all its failures. The network is the
    /// IPv4 address, or the IPv6 /64 (attack tools rotate addresses inside a
    /// prefix). An incident is kept only when the network failed for more
    /// distinct accounts than it ever had a password accepted for in the data
    /// (the baseline's NAT rule). Passwords accepted from the network (a
    /// success, or an error that only follows a correct password such as MFA
    /// required or blocked by Conditional Access) are cited as the alarming
    /// part: for any account during the spray (an account whose password was
    /// guessed at the first try never fails), and for sprayed accounts up to
    /// 24 hours after it.
    ///
    /// Improvements over the baseline: a sliding window instead of fixed bins
    /// (a spray split across a bin edge is not missed), all applications
    /// together (attackers rotate applications to stay under per-app counts),
    /// IPv6 prefixes, the ASN pass for sprays spread over several addresses of
    /// one hosting provider, unknown user names counted, and the successful
    /// guess surfaced instead of a bare list of failures.
    ///
    /// ## False positives
    /// A shared egress address (NAT, proxy, VDI farm) on a day many users
    /// mistype passwords, for example after a forced password change: the
    /// failed-versus-successful accounts rule removes most of them. A
    /// misconfigured application or scanner trying a list of service
    /// accounts looks the same; check its user agent and owner.
    ///
    /// ## How to respond
    /// Block the address or range (Conditional Access named location marked
    /// as blocked, or firewall). For every account whose password was
    /// accepted from it: reset the password, revoke sessions
    /// (`Revoke-MgUserSignInSession`), review MFA methods registered since,
    /// and search its mailbox audit for access. Check whether the sprayed
    /// accounts are protected by MFA and whether legacy authentication is
    /// still allowed for them.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-user-accounts
    /// - https://learn.microsoft.com/entra/architecture/ops-guide-ops
    /// - https://learn.microsoft.com/security/operations/incident-response-playbook-password-spray
    /// - Azure-Sentinel Solutions/Microsoft Entra ID/Analytic Rules/SigninPasswordSpray.yaml (48607a29-a26a-4abf-8078-a06dbdd174a4)
    pub static META = {
        code: "SIGN-PASSWORD-SPRAY",
        title: "Password spray against many accounts from one network",
        severity: High,
        guide: ["user-accounts-020", "ops-001"],
        inputs: [DataNeed::UserSignIns],
        settings: [],
        optional_settings: [],
        tags: ["attack.t1110.003", "attack.credential-access"],
    }
}

/// Distinct failed accounts from one address within [`WINDOW`].
const IP_ACCOUNTS: usize = 5;
/// Distinct failed accounts from one ASN within [`WINDOW`], over at least [`ASN_ADDRESSES`] networks.
const ASN_ACCOUNTS: usize = 10;
const ASN_ADDRESSES: usize = 3;
const WINDOW: i64 = 20 * MINUTE;
/// How long after a spray a password accepted for a sprayed account is tied to it.
const AFTER: i64 = DAY;

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Source {
    Net(u128),
    Asn(u32),
}

struct Failure {
    time: i64,
    user: Sym,
    net: u128,
    row: usize,
}

struct Incident {
    source: Source,
    rows: Vec<usize>,
    users: FxHashSet<Sym>,
    start: i64,
    end: i64,
}

/// Sweeps failures of one source (sorted by time) and returns incidents:
/// unions of overlapping windows holding at least `min_accounts` accounts.
fn sweep(source: Source, fails: &[&Failure], min_accounts: usize, min_nets: usize) -> Vec<Incident> {
    let mut out: Vec<Incident> = Vec::new();
    let mut users: FxHashMap<Sym, u32> = FxHashMap::default();
    let mut nets: FxHashMap<u128, u32> = FxHashMap::default();
    let mut left = 0;
    // The current incident as a range of `fails`.
    let mut current: Option<(usize, usize)> = None;
    let close = |range: (usize, usize), out: &mut Vec<Incident>| {
        let part = &fails[range.0..=range.1];
        out.push(Incident {
            source,
            rows: part.iter().map(|f| f.row).collect(),
            users: part.iter().map(|f| f.user).collect(),
            start: part.first().map_or(0, |f| f.time),
            end: part.last().map_or(0, |f| f.time),
        });
    };
    for right in 0..fails.len() {
        let f = fails[right];
        *users.entry(f.user).or_default() += 1;
        *nets.entry(f.net).or_default() += 1;
        while f.time - fails[left].time > WINDOW {
            let old = fails[left];
            dec(&mut users, old.user);
            dec(&mut nets, old.net);
            left += 1;
        }
        if users.len() >= min_accounts && nets.len() >= min_nets {
            current = match current {
                Some((s, e)) if left <= e => Some((s, right)),
                Some(range) => {
                    close(range, &mut out);
                    Some((left, right))
                }
                None => Some((left, right)),
            };
        }
    }
    if let Some(range) = current {
        close(range, &mut out);
    }
    out
}


pub fn run(cx: &Context) -> Vec<Finding> {
    let mut keys = IpKeys::default();
    let mut fails: Vec<Failure> = Vec::new();
    let mut asn_of: FxHashMap<usize, u32> = FxHashMap::default();
    for (i, s) in cx.user_signins() {
        if s.outcome == Outcome::Success || !code_in(s.error_code, CodeSet::Spray) {
            continue;
        }
        let user = user_key(s);
        let Some(net) = keys.key(cx, s.ip) else { continue };
        if user.is_empty() {
            continue;
        }
        if s.asn != 0 {
            asn_of.insert(i, s.asn);
        }
        fails.push(Failure { time: s.time.0, user, net, row: i });
    }
    if fails.is_empty() {
        return Vec::new();
    }

    // Pass 1: one network.
    fails.sort_by_key(|f| (f.net, f.time, f.row));
    let mut incidents = Vec::new();
    let mut start = 0;
    while start < fails.len() {
        let net = fails[start].net;
        let end = start + fails[start..].iter().take_while(|f| f.net == net).count();
        let group: Vec<&Failure> = fails[start..end].iter().collect();
        incidents.extend(sweep(Source::Net(net), &group, IP_ACCOUNTS, 1));
        start = end;
    }
    // Pass 2: one ASN, several networks, when single networks do not explain it.
    let covered: FxHashSet<usize> = incidents.iter().flat_map(|i| i.rows.iter().copied()).collect();
    let mut by_asn: Vec<(u32, &Failure)> = fails.iter().filter_map(|f| asn_of.get(&f.row).map(|a| (*a, f))).collect();
    by_asn.sort_by_key(|(a, f)| (*a, f.time, f.row));
    let mut start = 0;
    while start < by_asn.len() {
        let asn = by_asn[start].0;
        let end = start + by_asn[start..].iter().take_while(|(a, _)| *a == asn).count();
        let group: Vec<&Failure> = by_asn[start..end].iter().map(|(_, f)| *f).collect();
        for inc in sweep(Source::Asn(asn), &group, ASN_ACCOUNTS, ASN_ADDRESSES) {
            let new = inc.rows.iter().filter(|r| !covered.contains(r)).count();
            if new * 2 > inc.rows.len() {
                incidents.push(inc);
            }
        }
        start = end;
    }
    if incidents.is_empty() {
        return Vec::new();
    }

    // Accounts each source failed and succeeded for, over the whole data, and
    // the accepted passwords from each source.
    let sources: FxHashSet<Source> = incidents.iter().map(|i| i.source).collect();
    let mut failed_accounts: FxHashMap<Source, FxHashSet<Sym>> = FxHashMap::default();
    for f in &fails {
        for src in [Source::Net(f.net)].into_iter().chain(asn_of.get(&f.row).map(|a| Source::Asn(*a))) {
            if sources.contains(&src) {
                failed_accounts.entry(src).or_default().insert(f.user);
            }
        }
    }
    let mut accepted: FxHashMap<Source, Vec<(i64, Sym, usize)>> = FxHashMap::default();
    for (i, s) in cx.user_signins() {
        if !password_accepted(s) {
            continue;
        }
        let Some(net) = keys.key(cx, s.ip) else { continue };
        for src in [Source::Net(net), Source::Asn(s.asn)] {
            if sources.contains(&src) && !(matches!(src, Source::Asn(0))) {
                accepted.entry(src).or_default().push((s.time.0, user_key(s), i));
            }
        }
    }

    let mut out = Vec::new();
    for inc in incidents {
        let succeeded: FxHashSet<Sym> = accepted.get(&inc.source).map(|v| v.iter().map(|(_, u, _)| *u).collect()).unwrap_or_default();
        let failed = failed_accounts.get(&inc.source).map_or(0, |s| s.len());
        if failed <= succeeded.len() {
            continue; // a busy shared address: more accounts sign in from it than fail
        }
        let hits: Vec<(i64, Sym, usize)> = accepted
            .get(&inc.source)
            .map(|v| {
                v.iter()
                    .filter(|(t, u, _)| {
                        (*t >= inc.start - WINDOW && *t <= inc.end + WINDOW) || (inc.users.contains(u) && *t >= inc.start && *t <= inc.end + AFTER)
                    })
                    .copied()
                    .collect()
            })
            .unwrap_or_default();
        out.push(finding(cx, &inc, &hits));
    }
    out
}

fn finding(cx: &Context, inc: &Incident, hits: &[(i64, Sym, usize)]) -> Finding {
    let first = &cx.ds.signins[inc.rows[0]];
    let mut ips: Vec<&str> = inc.rows.iter().map(|&r| cx.s(cx.ds.signins[r].ip)).collect();
    ips.sort_unstable();
    ips.dedup();
    let source = match inc.source {
        Source::Asn(asn) => format!("AS{asn} ({})", plural(ips.len(), "address")),
        Source::Net(_) if ips.len() == 1 => cx.s(first.ip).to_string(),
        Source::Net(_) => format!("{} ({} in one IPv6 /64)", cx.s(first.ip), plural(ips.len(), "address")),
    };
    let mut hit_users: Vec<&str> = hits.iter().map(|(_, u, _)| cx.s(*u)).collect();
    hit_users.sort_unstable();
    hit_users.dedup();
    let outcome = if hit_users.is_empty() {
        "; no password was accepted from it".to_string()
    } else {
        format!(", then a password was accepted from it for {}", list(&hit_users, 3))
    };
    let summary = format!(
        "Password spray from {source}: {} failed in {}{outcome}",
        plural(inc.users.len(), "account"),
        duration(inc.end - inc.start),
    );
    let keep: Vec<usize> = hits.iter().map(|(_, _, r)| *r).collect();
    let mut ev = evidence(cx, &inc.rows, &keep);
    for &r in &keep {
        annotate(&mut ev, cx, r, &[("why", "password accepted from the spraying network".to_string())]);
    }
    Finding::new(&META, summary, ev).with_subject(source)
}
