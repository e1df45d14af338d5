use entrascope_core::{declare_check, DataNeed, Finding, SettingKey};
use entrascope_logs::{Outcome, Sym};
use rustc_hash::FxHashMap;

use super::{annotate, duration, evidence, net16, user_key, DAY, MINUTE};
use crate::refdata::{code_in, CodeSet};
use crate::context::Fact;
use crate::Context;

declare_check! {
    /// ## What it detects
    /// An account that signs in successfully to an application and, within
    /// 10 minutes, fails a password or MFA check for the same application
    /// from a different network (another IPv4 /16 or IPv6 /32), away from the
    /// trusted networks.
    ///
    /// ## Why it matters
    /// A user is in one place at a time. A wrong password or a failed MFA
    /// prompt from a distant network right after the user's own success
    /// means someone else is trying the account at the same time: the
    /// password may already be known to them, and they are probing MFA or
    /// guessing with knowledge of the account.
    ///
    /// ## How it works
    /// Baseline: the Sentinel rule *Successful logon from IP and failure from
    /// a different IP* (SuccessThenFail_DiffIP_SameUserandApp, 02ef8d7e):
    /// a success (result 0) then, for the same user and application within
    /// 10 minutes, a failure (any result but 0 and 50140, description not
    /// "Other") from an address outside the success address's /16 (IPv6:
    /// first two hextets); Exchange Online and Skype for Business Online are
    /// excluded as noisy; a UEBA score above 3 keeps the rest (Sentinel only).
    ///
    /// Per account and application, in time order, each failure is compared
    /// with the successes of the 10 minutes before it. The failure must be a
    /// credential failure (the `guess` set of
    /// `data/credential-attack-codes.tsv`, or 500121, a failed MFA prompt),
    /// not from a trusted network, from another /16 than the success, and
    /// from a /16 the account had never signed in from successfully before
    /// (a second device of the user on the home or mobile network is the
    /// account's own network, not someone else's).
    /// When the two addresses are of different families (IPv4 and IPv6, a
    /// dual-stack device switching), they must also differ in country or in
    /// autonomous system. Pairs of one account less than a day apart form one
    /// finding.
    ///
    /// Improvements over the baseline, which needs the UEBA score to be
    /// usable: only failures that involve the account's credentials (expired
    /// tokens, Conditional Access blocks and device errors from the user's
    /// other devices are the baseline's noise), failures from the account's
    /// own earlier networks left out, the dual-stack rule, and trusted
    /// networks excluded.
    ///
    /// ## False positives
    /// A user who mistypes a password on a second device on another network
    /// (phone on mobile data, laptop on office Wi-Fi) right after signing in;
    /// a VPN that connects or drops between the two sign-ins. Add VPN egress
    /// ranges to `trusted_networks`.
    ///
    /// ## How to respond
    /// Ask the user whether both attempts were theirs. If not, the failing
    /// network is trying the account: if it failed MFA (500121), the
    /// password is known; reset it and revoke sessions. Block the network.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-user-accounts
    /// - Azure-Sentinel Solutions/Microsoft Entra ID/Analytic Rules/SuccessThenFail_DiffIP_SameUserandApp.yaml (02ef8d7e-fc3a-4d86-a457-650fa571d8d2)
    pub static META = {
        code: "SIGN-SUCCESS-THEN-FAIL-OTHER-NETWORK",
        title: "Success, then a failed password or MFA check from another network",
        severity: Medium,
        guide: ["user-accounts-029"],
        inputs: [DataNeed::UserSignIns],
        settings: [],
        optional_settings: [SettingKey::TrustedNetworks],
        tags: ["attack.t1110", "attack.t1078"],
    }
}

const WINDOW: i64 = 10 * MINUTE;
/// Applications the baseline leaves out: their clients fail from many networks all day.
const NOISY_APPS: &[&str] = &["Office 365 Exchange Online", "Skype for Business Online"];

pub fn run(cx: &Context) -> Vec<Finding> {
    // (account, app) -> rows of successes and credential failures, in time order.
    let mut groups: FxHashMap<(Sym, Sym), Vec<usize>> = FxHashMap::default();
    let mut noisy: FxHashMap<Sym, bool> = FxHashMap::default();
    for (i, s) in cx.user_signins() {
        let ok = s.outcome == Outcome::Success && s.error_code == 0;
        let fail = s.outcome == Outcome::Failure && (code_in(s.error_code, CodeSet::Guess) || s.error_code == 500121);
        if !ok && !fail {
            continue;
        }
        let user = user_key(s);
        let app = if s.app_id.is_empty() { s.app_display } else { s.app_id };
        if user.is_empty() || s.ip.is_empty() {
            continue;
        }
        let is_noisy = *noisy.entry(s.app_display).or_insert_with(|| NOISY_APPS.iter().any(|a| a.eq_ignore_ascii_case(cx.s(s.app_display))));
        if is_noisy || (fail && cx.fact(s.ip, Fact::TrustedNetwork)) {
            continue;
        }
        groups.entry((user, app)).or_default().push(i);
    }
    // The /16s each account has signed in from successfully, with the first
    // time: a failure from one of them earlier is the account's own network.
    let mut own: FxHashMap<(Sym, (u8, u32)), i64> = FxHashMap::default();
    // The /16 of each address string, parsed once.
    let mut nets: FxHashMap<Sym, Option<(u8, u32)>> = FxHashMap::default();
    let mut net_of = |ip: Sym| *nets.entry(ip).or_insert_with(|| net16(cx.s(ip)));
    for (_, s) in cx.user_signins() {
        if s.outcome == Outcome::Success {
            let user = user_key(s);
            if let (false, Some(n)) = (user.is_empty(), net_of(s.ip)) {
                own.entry((user, n)).or_insert(s.time.0);
            }
        }
    }
    // Per account: (success row, failure row) pairs.
    let mut pairs: FxHashMap<Sym, Vec<(usize, usize)>> = FxHashMap::default();
    for ((user, _), rows) in &groups {
        let mut recent: Vec<usize> = Vec::new(); // successes of the last WINDOW
        for &i in rows {
            let s = &cx.ds.signins[i];
            recent.retain(|&r| s.time.0 - cx.ds.signins[r].time.0 <= WINDOW);
            if s.outcome == Outcome::Success {
                recent.push(i);
                continue;
            }
            let Some(fail_net) = net_of(s.ip) else { continue };
            if own.get(&(*user, fail_net)).is_some_and(|t| *t < s.time.0) {
                continue; // the account's own network (home, phone carrier) mistyping
            }
            let other = recent.iter().rev().copied().find(|&r| {
                let ok = &cx.ds.signins[r];
                match net_of(ok.ip) {
                    Some(n) if n == fail_net => false,
                    Some(n) if n.0 != fail_net.0 => {
                        (!ok.country.is_empty() && !s.country.is_empty() && ok.country != s.country) || (ok.asn != 0 && s.asn != 0 && ok.asn != s.asn)
                    }
                    Some(_) => true,
                    None => false,
                }
            });
            if let Some(r) = other {
                pairs.entry(*user).or_default().push((r, i));
            }
        }
    }
    let mut users: Vec<Sym> = pairs.keys().copied().collect();
    users.sort_unstable();
    let mut out = Vec::new();
    for user in users {
        let mut list = pairs.remove(&user).unwrap_or_default();
        list.sort_by_key(|p| (p.1, p.0));
        let mut start = 0;
        while start < list.len() {
            let mut end = start + 1;
            while end < list.len() && cx.ds.signins[list[end].1].time.0 - cx.ds.signins[list[end - 1].1].time.0 <= DAY {
                end += 1;
            }
            out.push(finding(cx, user, &list[start..end]));
            start = end;
        }
    }
    out
}

fn place(cx: &Context, row: usize) -> String {
    let s = &cx.ds.signins[row];
    let country = cx.s(s.country);
    if country.is_empty() {
        cx.s(s.ip).to_string()
    } else {
        format!("{} ({country})", cx.s(s.ip))
    }
}

fn finding(cx: &Context, user: Sym, pairs: &[(usize, usize)]) -> Finding {
    let name = cx.s(user);
    let (ok, fail) = pairs[0];
    let (s_ok, s_fail) = (&cx.ds.signins[ok], &cx.ds.signins[fail]);
    let what = if s_fail.error_code == 500121 { "an MFA prompt failed" } else { "a wrong password was tried" };
    let more = if pairs.len() > 1 { format!("; {} such pairs in all", pairs.len()) } else { String::new() };
    let summary = format!(
        "{name} signed in to {} from {} and {} later {what} from {}{more}",
        cx.s(s_ok.app_display),
        place(cx, ok),
        duration(s_fail.time.0 - s_ok.time.0),
        place(cx, fail),
    );
    let rows: Vec<usize> = pairs.iter().flat_map(|&(a, b)| [a, b]).collect();
    let fails: Vec<usize> = pairs.iter().map(|p| p.1).collect();
    let mut ev = evidence(cx, &rows, &fails);
    for &(a, b) in pairs {
        annotate(&mut ev, cx, b, &[("after_success_from", cx.s(cx.ds.signins[a].ip).to_string())]);
    }
    Finding::new(&META, summary, ev).with_subject(name)
}
