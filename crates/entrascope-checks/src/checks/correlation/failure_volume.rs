use entrascope_core::{declare_check, DataNeed, Finding};
use entrascope_logs::{Outcome, SignIn};

use super::volume_increases;
use crate::Context;

declare_check! {
    /// ## What it detects
    /// A day whose failed sign-ins exceed the same weekday of the previous
    /// week by more than 10% (and by enough not to be chance), for
    /// interactive and non-interactive sign-ins separately; consumer (Azure AD
    /// B2C) applications are compared on their own.
    ///
    /// ## Why it matters
    /// A rise in failures across the board is often the first visible sign
    /// of a spray, a credential-stuffing run against consumer accounts, or a
    /// broken application or policy locking users out. The guide asks for
    /// exactly this comparison when no better baseline exists.
    ///
    /// ## How it works
    /// The guide's rule: "the failure total for today is >10% on the same day
    /// the previous week". Counts failed user sign-ins (status failure, any
    /// error code) per UTC day and compares each day with the same hours 7
    /// days earlier. Each series has its own coverage: only the part of a
    /// day that lies at least 7 days after the series' first sign-in and not
    /// after its last one is compared (at least 6 hours; a partial first or
    /// last day of an export compares the same hours a week earlier). A day
    /// is reported when the count is more than 10% higher, at least 10
    /// higher, and more than 3 standard deviations of a Poisson count above
    /// the earlier one (3 × √earlier). Consumer applications are *CPIM
    /// PowerShell Client* and *ProxyIdentityExperienceFramework*
    /// (`data/b2c-apps.tsv`), as the consumer-accounts rows filter them.
    /// The evidence is that day's failures of the accounts that explain the
    /// rise: those whose failures rose most, taken until their rise covers
    /// the day's excess (one broken client, or the many accounts of a
    /// credential-stuffing run with two tries each), the largest named in
    /// the summary.
    ///
    /// Baseline and improvement: the Sentinel hunting query *Spike in failed
    /// sign-in events* (SpikeInFailedSignInAttempts, linked from the guide)
    /// runs a 14-day anomaly decomposition per user; this check implements
    /// the guide's own week-over-week rule instead, which an export of 8
    /// days can answer, and adds the noise floor so a tenant with 12
    /// failures a day is not alarmed by 14.
    ///
    /// ## False positives
    /// Password expiry waves, an application rollout with a misconfiguration,
    /// a Conditional Access change, holidays in the earlier week (fewer
    /// sign-ins then). The accounts named show whether the rise is one
    /// broken client or many accounts.
    ///
    /// ## How to respond
    /// Look at the accounts and error codes that rose. Many accounts failing
    /// with 50126 from few addresses is a spray (see the spray check); one
    /// account or application failing in a loop is a broken client; a
    /// Conditional Access error on many accounts is a policy change.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-user-accounts
    /// - https://learn.microsoft.com/entra/architecture/security-operations-consumer-accounts
    /// - Azure-Sentinel Detections/SigninLogs/SpikeInFailedSignInAttempts.yaml (51f4faf9-c3b1-4e9f-9c90-5d6afd191552)
    pub static META = {
        code: "SIGN-FAILURE-VOLUME-UP",
        title: "Failed sign-ins more than 10% above the same day last week",
        severity: Medium,
        guide: ["user-accounts-036", "consumer-accounts-054"],
        inputs: [DataNeed::UserSignIns, DataNeed::SignInSpanDays(8)],
        settings: [],
        optional_settings: [],
        tags: ["attack.t1110", "attack.credential-access"],
    }
}

fn failed(s: &SignIn) -> bool {
    s.outcome == Outcome::Failure
}

pub fn run(cx: &Context) -> Vec<Finding> {
    volume_increases(cx, &META, failed, "failed sign-ins", "user-accounts-036", "consumer-accounts-054")
}
