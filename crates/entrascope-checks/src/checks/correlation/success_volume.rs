use entrascope_core::{declare_check, DataNeed, Finding};
use entrascope_logs::{Outcome, SignIn};

use super::volume_increases;
use crate::Context;

declare_check! {
    /// ## What it detects
    /// A day whose successful sign-ins exceed the same weekday of the
    /// previous week by more than 10% (and by enough not to be chance), for
    /// interactive and non-interactive sign-ins separately; consumer (Azure AD
    /// B2C) applications are compared on their own.
    ///
    /// ## Why it matters
    /// More successes than usual can be accounts in use by someone else as
    /// well as their owners, automated access with stolen tokens or
    /// passwords (consumer accounts especially: credential stuffing that
    /// works), or a new application nobody announced. The guide asks to
    /// watch for it with this week-over-week rule.
    ///
    /// ## How it works
    /// The guide's rule: "success totals for today are >10% on the same day,
    /// the previous week". Counts successful user sign-ins per UTC day and
    /// compares each day with the same hours 7 days earlier, with each kind
    /// of sign-in (and the consumer applications of `data/b2c-apps.tsv`) as
    /// its own series with its own coverage: only the part of a day at least
    /// 7 days after the series' first sign-in and not after its last one is
    /// compared (at least 6 hours). A day is reported when the count is more
    /// than 10% higher, at least 10 higher, and more than 3 standard
    /// deviations of a Poisson count above the earlier one. The evidence is
    /// that day's successful sign-ins of the accounts that explain the rise
    /// (the largest risers until their rise covers the day's excess), the
    /// largest named in the summary.
    ///
    /// Baseline and improvement: the Sentinel hunting query *User Accounts -
    /// Successful Sign in Spikes* (UserAccountsMeasurableincreaseofsuccessfulsignins,
    /// linked from the guide) runs a 14-day anomaly decomposition per user
    /// with a baseline above 25; this check implements the guide's own rule,
    /// answerable from 8 days of export, with a noise floor and per-kind
    /// series so a partial non-interactive export does not look like a
    /// spike.
    ///
    /// ## False positives
    /// A new application or device rollout, the first working day after a
    /// holiday week, token lifetime or Conditional Access sign-in frequency
    /// changes (more non-interactive sign-ins).
    ///
    /// ## How to respond
    /// Check the accounts named: whether their extra sign-ins come from
    /// their usual devices and addresses, or from new ones (another country,
    /// a hosting provider, a legacy client). For consumer applications,
    /// compare with sign-up and failure volumes to spot credential stuffing.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-user-accounts
    /// - https://learn.microsoft.com/entra/architecture/security-operations-consumer-accounts
    /// - Azure-Sentinel Hunting Queries/SigninLogs/UserAccountsMeasurableincreaseofsuccessfulsignins.yaml (3c7fcea1-ec9f-4ea2-a555-156073b2d183)
    pub static META = {
        code: "SIGN-SUCCESS-VOLUME-UP",
        title: "Successful sign-ins more than 10% above the same day last week",
        severity: Low,
        guide: ["user-accounts-047", "consumer-accounts-056"],
        inputs: [DataNeed::UserSignIns, DataNeed::SignInSpanDays(8)],
        settings: [],
        optional_settings: [],
        tags: ["attack.t1078"],
    }
}

fn succeeded(s: &SignIn) -> bool {
    s.outcome == Outcome::Success
}

pub fn run(cx: &Context) -> Vec<Finding> {
    volume_increases(cx, &META, succeeded, "successful sign-ins", "user-accounts-047", "consumer-accounts-056")
}
