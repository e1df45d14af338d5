use std::collections::{BTreeMap, HashMap};

use entrascope_core::{declare_check, DataNeed, Finding};

use super::{activity, distinct, list, plural, succeeded, user_targets, who, with_field};
use crate::context::unquote;
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Member accounts created without attributes that the tenant's other
    /// new accounts normally carry (department, job title, employee id,
    /// manager…), learned from the audit log itself.
    ///
    /// ## Why it matters
    /// Accounts made by the joiner process (HR provisioning, Entra Connect)
    /// arrive with the same set of attributes. One created by hand, by a new
    /// process or by an attacker usually lacks them, which makes it stand
    /// out before it does anything.
    ///
    /// ## How it works
    /// Reads the modified properties of successful *Add user* events for
    /// member accounts (guests are skipped): an attribute is set when its
    /// new value is not empty. Bookkeeping properties are ignored (as in
    /// Sentinel's rule: `LastDirSyncTime`, `StsRefreshTokensValidFrom`,
    /// `Included Updated Properties`, `AccountEnabled`, `Action Client
    /// Name`, `SourceAnchor`, plus `UserPrincipalName`, `DisplayName`,
    /// `UserType`). With at least `MIN_CREATIONS` (10) creations in the
    /// export, an attribute is expected when at least `EXPECTED_SHARE` (80%)
    /// of them set it; a creation missing an expected attribute is reported.
    /// One finding per creator, naming the accounts and the missing
    /// attributes. Fewer creations give no baseline and no finding.
    ///
    /// The guide asks for "your standard attributes"; the settings file has
    /// no list of them, so the standard is learned from the tenant's own
    /// creations, as Sentinel's *User account created without expected
    /// attributes defined* (dc99e38c) does. That rule takes the ten most
    /// frequent attributes however rare they are; the 80% share keeps
    /// attributes only some processes set from being demanded of all.
    ///
    /// ## False positives
    /// Accounts of a second legitimate process (service accounts, a
    /// subsidiary's provisioning) that sets fewer attributes. The creator in
    /// the summary shows which process it is.
    ///
    /// ## How to respond
    /// Ask the creator why the account exists; complete its attributes or
    /// remove it. Review its sign-ins and group memberships if nobody
    /// claims it.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-user-accounts#accounts-not-following-naming-policies
    /// - Azure-Sentinel: Detections/AuditLogs/Useraccountcreatedwithoutexpectedattributesdefined.yaml (dc99e38c-f4e9-4837-94d7-353ac0b01a77)
    pub static META = {
        code: "AUDIT-ACCOUNT-MISSING-ATTRIBUTES",
        title: "Account created without the tenant's usual attributes",
        severity: Low,
        guide: ["user-accounts-004"],
        inputs: [DataNeed::Audit],
        settings: [],
        optional_settings: [],
        tags: ["attack.t1136.003"],
    }
}

/// Creations needed before the usual attributes can be learned.
pub const MIN_CREATIONS: usize = 10;
/// Share of creations setting an attribute for it to be expected.
pub const EXPECTED_SHARE: f64 = 0.8;

const BOOKKEEPING: &[&str] = &[
    "lastdirsynctime",
    "stsrefreshtokensvalidfrom",
    "included updated properties",
    "accountenabled",
    "action client name",
    "sourceanchor",
    "userprincipalname",
    "displayname",
    "usertype",
];

fn is_set(v: &str) -> bool {
    let v = unquote(v).trim();
    !v.is_empty() && v != "[]" && !v.eq_ignore_ascii_case("null")
}

pub fn run(cx: &Context) -> Vec<Finding> {
    // (event index, account, attributes set)
    let mut creations: Vec<(usize, &str, Vec<String>)> = Vec::new();
    for (i, a) in cx.audits_ok() {
        if !succeeded(a) || activity(cx, a) != "add user" {
            continue;
        }
        for t in user_targets(cx, a) {
            let upn = cx.s(t.upn);
            if upn.to_ascii_lowercase().contains("#ext#") {
                continue;
            }
            let attrs: Vec<String> = cx
                .ds
                .modified(t)
                .iter()
                .filter(|p| is_set(cx.s(p.new)))
                .map(|p| cx.s(p.name).trim().to_ascii_lowercase())
                .filter(|n| !n.is_empty() && !BOOKKEEPING.contains(&n.as_str()))
                .collect();
            creations.push((i, upn, attrs));
        }
    }
    if creations.len() < MIN_CREATIONS {
        return Vec::new();
    }
    let mut counts: HashMap<&str, usize> = HashMap::new();
    let mut shown: HashMap<&str, &str> = HashMap::new();
    for (i, _, attrs) in &creations {
        for a in attrs {
            *counts.entry(a.as_str()).or_default() += 1;
        }
        for t in user_targets(cx, &cx.ds.audits[*i]) {
            for p in cx.ds.modified(t) {
                let name = cx.s(p.name).trim();
                if let Some(k) = attrs.iter().find(|a| a.eq_ignore_ascii_case(name)) {
                    shown.entry(k.as_str()).or_insert(name);
                }
            }
        }
    }
    let need = (creations.len() as f64 * EXPECTED_SHARE).ceil() as usize;
    let mut expected: Vec<&str> = counts.iter().filter(|(_, &n)| n >= need).map(|(a, _)| *a).collect();
    expected.sort_unstable();
    if expected.is_empty() {
        return Vec::new();
    }
    let mut by_actor: BTreeMap<String, Vec<(usize, &str, Vec<&str>)>> = BTreeMap::new();
    for (i, upn, attrs) in &creations {
        let missing: Vec<&str> =
            expected.iter().filter(|e| !attrs.iter().any(|a| a == *e)).map(|e| *shown.get(e).unwrap_or(e)).collect();
        if !missing.is_empty() {
            by_actor.entry(cx.actor(&cx.ds.audits[*i]).to_lowercase()).or_default().push((*i, *upn, missing));
        }
    }
    by_actor
        .into_values()
        .map(|rows| {
            let actor = who(cx.actor(&cx.ds.audits[rows[0].0]));
            let accounts = distinct(rows.iter().map(|r| r.1));
            let missing = distinct(rows.iter().flat_map(|r| r.2.iter().copied()));
            let summary = format!(
                "{actor} created {} without attributes most new accounts have ({}): {}",
                plural(accounts.len(), "account"),
                list(&missing, 5),
                list(&accounts, 5)
            );
            let evidence =
                rows.iter().map(|(i, _, m)| with_field(cx.ev_audit(*i), "missing_attributes", &m.join(", "))).collect();
            Finding::new(&META, summary, evidence).with_subject(actor)
        })
        .collect()
}
