use std::collections::BTreeMap;

use entrascope_core::time::MS_PER_HOUR;
use entrascope_core::{declare_check, DataNeed, Finding};
use entrascope_logs::{ActorKind, AuditEvent, Outcome, SignIn, Sym, Tri};
use rustc_hash::FxHashMap;

use super::{count, join_limited, short_time};
use crate::context::role_names;
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Privileged Identity Management role activations made from a device
    /// that is neither compliant nor managed: the activation in the audit log
    /// is matched with the same user's latest successful sign-in before it,
    /// and that sign-in's device is checked.
    ///
    /// ## Why it matters
    /// Elevation should only happen on a privileged access workstation
    /// (PAW/SAW), a hardened, managed device. Activating a role from an
    /// unmanaged laptop or an unknown browser puts the elevated session where
    /// malware or a token thief can take it, and an activation from a device
    /// the organization does not know may be an attacker using the account.
    ///
    /// ## How it works
    /// Activations are audit events whose activity is a completed PIM
    /// activation ("Add member to role completed (PIM activation)"), success
    /// or failure. The user is the event's target user (else its initiator).
    /// Their latest successful sign-in at most 8 hours before the activation
    /// is taken as the session that elevated, preferring one from the
    /// address the audit event records. The device counts as a privileged
    /// device when the sign-in reports it compliant or managed; otherwise the
    /// activation is reported with both records as evidence. The guide asks
    /// to compare with a list of PAW device ids; the settings have no such
    /// list, so compliance and management (which every PAW has) stand in for
    /// it: the check finds elevations from devices that cannot be PAWs, not
    /// from managed devices that are not PAWs. No public detection
    /// implements this correlation.
    ///
    /// ## False positives
    /// A PAW whose compliance state is missing from the export (CSV exports
    /// without device columns), and an activation made in a session older
    /// than 8 hours, matched with a later sign-in from another device.
    ///
    /// ## How to respond
    /// Ask the administrator which device they used. Require a compliant
    /// device (or a device filter for PAWs) in the Conditional Access policy
    /// that protects PIM activation, using an authentication context on the
    /// role settings. If the device is unknown, revoke the role assignment's
    /// session and investigate the account.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-privileged-accounts
    /// - https://learn.microsoft.com/security/privileged-access-workstations/privileged-access-devices
    /// - https://learn.microsoft.com/entra/id-governance/privileged-identity-management/pim-how-to-change-default-settings
    pub static META = {
        code: "SIGN-PRIV-ELEVATION-UNMANAGED-DEVICE",
        title: "Privileged role activated from an unmanaged device",
        severity: High,
        guide: ["privileged-accounts-131"],
        inputs: [DataNeed::UserSignIns, DataNeed::Audit],
        settings: [],
        optional_settings: [],
        tags: ["attack.t1078.004", "attack.t1098.003"],
    }
}

/// How long before an activation a sign-in can be the session that made it.
const SESSION_WINDOW_MS: i64 = 8 * MS_PER_HOUR;

fn is_activation(activity: &str) -> bool {
    let a = activity.to_ascii_lowercase();
    a.contains("pim activation") && a.contains("completed")
}

/// The activating user of a PIM activation event (lower-case UPN or id).
fn activator(cx: &Context, a: &AuditEvent) -> Option<String> {
    for t in cx.ds.targets(a) {
        if cx.s(t.kind).eq_ignore_ascii_case("User") {
            let k = if t.upn.is_empty() { cx.s(t.id) } else { cx.s(t.upn) };
            if !k.is_empty() {
                return Some(k.to_lowercase());
            }
        }
    }
    let i = &a.initiator;
    if i.kind == ActorKind::User {
        let k = if i.upn.is_empty() { cx.s(i.user_id) } else { cx.s(i.upn) };
        if !k.is_empty() {
            return Some(k.to_lowercase());
        }
    }
    None
}

fn on_privileged_device(s: &SignIn) -> bool {
    s.compliant == Tri::Yes || s.managed == Tri::Yes
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let activations: Vec<(usize, String)> = cx
        .ds
        .audits
        .iter()
        .enumerate()
        .filter(|(_, a)| is_activation(cx.s(a.activity)))
        .filter_map(|(i, a)| activator(cx, a).map(|u| (i, u)))
        .collect();
    if activations.is_empty() {
        return Vec::new();
    }
    // Successful sign-ins of the activating users, in time order, by UPN and by object id.
    let mut sessions: FxHashMap<String, Vec<usize>> = activations.iter().map(|(_, u)| (u.clone(), Vec::new())).collect();
    // Which activating user each account string is (lower-cased once per string).
    let mut user_of: FxHashMap<Sym, Option<String>> = FxHashMap::default();
    for (i, s) in cx.user_signins() {
        if s.outcome != Outcome::Success {
            continue;
        }
        for key in [s.upn, s.user_id] {
            if key.is_empty() {
                continue;
            }
            let user = user_of.entry(key).or_insert_with(|| {
                let k = cx.s(key).to_lowercase();
                sessions.contains_key(&k).then_some(k)
            });
            if let Some(v) = user.as_ref().and_then(|k| sessions.get_mut(k)) {
                v.push(i);
            }
        }
    }
    let mut by_user: BTreeMap<String, Vec<(usize, usize)>> = BTreeMap::new();
    for (ai, user) in activations {
        let a = &cx.ds.audits[ai];
        let Some(rows) = sessions.get(&user) else { continue };
        // Sign-ins within the window before the activation (rows are in time order).
        let end = rows.partition_point(|&i| cx.ds.signins[i].time.0 <= a.time.0);
        let start = rows[..end].partition_point(|&i| a.time.0 - cx.ds.signins[i].time.0 > SESSION_WINDOW_MS);
        let window = &rows[start..end];
        let audit_ip = cx.s(a.initiator.ip);
        let chosen = window
            .iter()
            .rev()
            .find(|&&i| !audit_ip.is_empty() && cx.s(cx.ds.signins[i].ip) == audit_ip)
            .or_else(|| window.last())
            .copied();
        let Some(si) = chosen else { continue };
        if !on_privileged_device(&cx.ds.signins[si]) {
            by_user.entry(user).or_default().push((ai, si));
        }
    }
    by_user
        .into_iter()
        .map(|(user, pairs)| {
            let is_guid = |r: &&str| r.len() == 36 && r.chars().filter(|&c| c == '-').count() == 4;
            let roles = join_limited(pairs.iter().flat_map(|&(ai, _)| role_names(cx.ds, &cx.ds.audits[ai])).filter(|r| !is_guid(r)), 3);
            let devices = join_limited(
                pairs
                    .iter()
                    .map(|&(_, si)| {
                        let s = &cx.ds.signins[si];
                        let b = [cx.s(s.browser), cx.s(s.os)].iter().filter(|x| !x.is_empty()).copied().collect::<Vec<_>>().join(" on ");
                        if s.device_name.is_empty() {
                            if b.is_empty() {
                                "an unidentified device".to_string()
                            } else {
                                b
                            }
                        } else {
                            format!("{} ({b})", cx.s(s.device_name))
                        }
                    })
                    .collect::<Vec<String>>()
                    .iter()
                    .map(String::as_str),
                3,
            );
            let mut evidence = Vec::new();
            for &(ai, si) in &pairs {
                evidence.push(cx.ev_audit(ai));
                let mut e = cx.ev_signin(si);
                let s = &cx.ds.signins[si];
                e.fields.push(("device".into(), format!("compliant: {:?}, managed: {:?}", s.compliant, s.managed).to_lowercase()));
                evidence.push(e);
            }
            let first = short_time(cx.ds.audits[pairs[0].0].time);
            let summary = format!(
                "{user} activated {} in PIM from a device that is neither compliant nor managed: {devices} ({}, first at {first})",
                if roles.is_empty() { "a privileged role" } else { roles.as_str() },
                count(pairs.len(), "activation"),
            );
            Finding::new(&META, summary, evidence).with_subject(user)
        })
        .collect()
}
