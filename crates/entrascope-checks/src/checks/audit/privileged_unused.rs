use entrascope_core::time::MS_PER_DAY;
use entrascope_core::{declare_check, DataNeed, Finding, SettingKey};
use entrascope_logs::{Outcome, Sym};
use rustc_hash::FxHashSet;

use super::{known_privileged_accounts, privileged_source_evidence, PrivilegedSource};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Privileged accounts with no successful sign-in during a sign-in
    /// export of at least 30 days: PIM's "potential stale accounts in a
    /// privileged role" and the guide's "unused privileged accounts".
    ///
    /// ## Why it matters
    /// An administrator account nobody uses is an account nobody watches:
    /// its password is not rotated, its owner may have left, and an attacker
    /// who takes it over is not noticed by its owner. Unused privilege
    /// should be removed.
    ///
    /// ## How it works
    /// The privileged accounts are every account this run can name: literal
    /// `privileged_accounts` entries, accounts in the data that match its
    /// patterns, and accounts given a privileged role in the audit log
    /// (`data/privileged-roles.tsv`). Break-glass accounts are left out
    /// (they should not sign in). An account is reported when none of the
    /// user sign-ins (interactive and non-interactive) is its own with
    /// status success or interrupted (password accepted), and it was
    /// privileged for at least `MIN_DAYS` (30) days of the sign-in period
    /// (an account given its role a week before the export ends is not yet
    /// stale). One finding per account; the evidence is its role assignment
    /// or the record or setting that names it.
    ///
    /// This approximates the PIM alert (which uses the directory's last
    /// sign-in date over a configurable 1 to 365 days) from the exported
    /// logs; the export must span at least 30 days (`needs-data` otherwise).
    ///
    /// ## False positives
    /// Accounts whose sign-ins are missing from the export (only the
    /// interactive tab downloaded, a filtered export), and service accounts
    /// that authenticate as service principals. Export both user sign-in
    /// tabs for the whole period.
    ///
    /// ## How to respond
    /// Confirm with the owner whether the account is still needed. Remove
    /// its roles (or convert them to PIM-eligible), disable it if nobody
    /// owns it, and rotate its credentials if it stays.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-privileged-accounts#changes-to-privileged-accounts
    /// - https://learn.microsoft.com/entra/id-governance/privileged-identity-management/pim-how-to-configure-security-alerts#potential-stale-accounts-in-a-privileged-role
    pub static META = {
        code: "AUDIT-PRIV-UNUSED",
        title: "Privileged account not used",
        severity: Medium,
        guide: ["privileged-accounts-123", "pim-136"],
        inputs: [DataNeed::SignInSpanDays(30)],
        settings: [SettingKey::PrivilegedAccounts],
        optional_settings: [SettingKey::BreakGlassAccounts],
        tags: ["attack.t1078.004"],
    }
}

/// Days of the sign-in period an account must have been privileged.
pub const MIN_DAYS: i64 = 30;

pub fn run(cx: &Context) -> Vec<Finding> {
    let mut used: FxHashSet<Sym> = FxHashSet::default();
    let (mut first, mut last) = (i64::MAX, i64::MIN);
    for (_, s) in cx.user_signins() {
        first = first.min(s.time.0);
        last = last.max(s.time.0);
        if matches!(s.outcome, Outcome::Success | Outcome::Interrupted) {
            used.insert(s.upn);
        }
    }
    if first > last {
        return Vec::new();
    }
    let period = format!(
        "{} to {}",
        &entrascope_core::Timestamp(first).to_rfc3339()[..10],
        &entrascope_core::Timestamp(last).to_rfc3339()[..10]
    );
    let days = (last - first) / MS_PER_DAY;
    let mut out = Vec::new();
    for (upn, src) in known_privileged_accounts(cx) {
        if cx.is_break_glass(&upn) {
            continue;
        }
        if cx.ds.strings.get(&upn).is_some_and(|sym| used.contains(&sym)) {
            continue;
        }
        let since = match src {
            PrivilegedSource::RoleAssignment(i) => cx.ds.audits[i].time.0.max(first),
            _ => first,
        };
        if last - since < MIN_DAYS * MS_PER_DAY {
            continue;
        }
        let how = match src {
            PrivilegedSource::RoleAssignment(_) => "was given a privileged role",
            _ => "is listed as privileged",
        };
        let summary = format!("{upn} {how} but has no successful sign-in in the {days} days of sign-in logs ({period})");
        out.push(Finding::new(&META, summary, vec![privileged_source_evidence(cx, &upn, src)]).with_subject(upn));
    }
    out
}
