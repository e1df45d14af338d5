use std::collections::BTreeMap;

use entrascope_core::{declare_check, DataNeed, Finding, SettingKey};
use entrascope_logs::{CaStatus, Outcome, SignIn, SignInKind, Sym};
use rustc_hash::FxHashMap;

use super::{distinct, list};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Privileged accounts signing in successfully without any Conditional
    /// Access policy applied, in a tenant that otherwise enforces
    /// Conditional Access.
    ///
    /// ## Why it matters
    /// An account exempt from Conditional Access skips MFA, device and
    /// location controls. On an administrator that is the weakest link in
    /// the tenant; the guide says any such exemption is most likely a
    /// bypass (break-glass accounts excepted).
    ///
    /// ## How it works
    /// The tenant counts as enforcing Conditional Access when at least one
    /// user sign-in in the export has a policy result of success or failure
    /// (or a Conditional Access status of success or failure). Then every
    /// successful interactive sign-in by a privileged account (matching
    /// `privileged_accounts`, or given a privileged role in the audit log
    /// before the sign-in) is examined: it is unprotected when its
    /// Conditional Access status is *not applied*, or when it lists policy
    /// results and none of them was enforced (all `notApplied`,
    /// `notEnabled` or report-only). Break-glass accounts are skipped:
    /// their exclusion is by design. One finding per account with the
    /// unprotected sign-ins and the applications they reached; sign-ins
    /// whose export carries no Conditional Access information are not
    /// judged.
    ///
    /// The guide points to the Conditional Access insights workbook and the
    /// policy configuration; the sign-in log shows the effect of the
    /// exclusions, which is what an offline review can see (the row is
    /// "partial": exclusions of accounts that did not sign in are not
    /// visible).
    ///
    /// ## False positives
    /// Applications no policy targets on purpose (rare for admins), and
    /// sign-ins to services that Conditional Access does not cover.
    ///
    /// ## How to respond
    /// Find which policy excludes the account (or which application is not
    /// covered) and remove the exclusion; require phishing-resistant MFA for
    /// administrator roles in a policy that targets directory roles.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-privileged-accounts#changes-to-privileged-accounts
    /// - https://learn.microsoft.com/entra/identity/conditional-access/howto-conditional-access-insights-reporting
    pub static META = {
        code: "AUDIT-PRIV-CA-EXEMPT",
        title: "Privileged account signing in without Conditional Access",
        severity: High,
        guide: ["privileged-accounts-124"],
        inputs: [DataNeed::UserSignIns],
        settings: [SettingKey::PrivilegedAccounts],
        optional_settings: [SettingKey::BreakGlassAccounts],
        tags: ["attack.t1556", "attack.t1078.004"],
    }
}

fn enforced(result: &str) -> bool {
    result.eq_ignore_ascii_case("success") || result.eq_ignore_ascii_case("failure")
}

/// `Some(true)` when no policy was enforced, `Some(false)` when one was,
/// `None` when the sign-in carries no Conditional Access information.
fn unprotected(cx: &Context, s: &SignIn) -> Option<bool> {
    let policies = cx.ds.ca_policies(s);
    if !policies.is_empty() {
        return Some(!policies.iter().any(|p| enforced(cx.s(p.result))));
    }
    match s.ca_status {
        CaStatus::NotApplied => Some(true),
        CaStatus::Success | CaStatus::Failure => Some(false),
        CaStatus::Unknown => None,
    }
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let tenant_enforces = cx.user_signins().any(|(_, s)| {
        matches!(s.ca_status, CaStatus::Success | CaStatus::Failure)
            || cx.ds.ca_policies(s).iter().any(|p| enforced(cx.s(p.result)))
    });
    if !tenant_enforces {
        return Vec::new();
    }
    // Per account, once: since when it is privileged (None: never, or break-glass).
    let mut since: FxHashMap<Sym, Option<i64>> = FxHashMap::default();
    let mut by_user: BTreeMap<String, (Vec<usize>, usize)> = BTreeMap::new();
    for (i, s) in cx.user_signins() {
        if s.kind != SignInKind::Interactive || s.outcome != Outcome::Success || s.upn.is_empty() {
            continue;
        }
        let upn = cx.s(s.upn);
        let from = *since.entry(s.upn).or_insert_with(|| {
            if cx.is_break_glass(upn) {
                None
            } else if cx.privileged_patterns.matches(upn) {
                Some(i64::MIN)
            } else {
                cx.learned_privileged.get(&upn.to_lowercase()).map(|t| t.0)
            }
        });
        if from.is_none_or(|t| t > s.time.0) {
            continue;
        }
        let Some(bare) = unprotected(cx, s) else { continue };
        let entry = by_user.entry(upn.to_lowercase()).or_default();
        entry.1 += 1;
        if bare {
            entry.0.push(i);
        }
    }
    by_user
        .into_iter()
        .filter(|(_, (rows, _))| !rows.is_empty())
        .map(|(upn, (rows, total))| {
            let apps = distinct(rows.iter().map(|&i| cx.s(cx.ds.signins[i].app_display)));
            let summary = format!(
                "Privileged account {upn}: {} of {total} successful sign-ins had no Conditional Access policy enforced ({})",
                rows.len(),
                list(&apps, 4)
            );
            Finding::new(&META, summary, rows.iter().map(|&i| cx.ev_signin(i)).collect()).with_subject(upn)
        })
        .collect()
}
