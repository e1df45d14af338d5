use std::collections::BTreeMap;

use entrascope_core::{declare_check, DataNeed, Finding, SettingKey, Severity};
use entrascope_logs::{Id, Outcome};
use rustc_hash::FxHashMap;

use super::{account, count, evidence, join_limited, network_prefix};
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Successful sign-ins that used the OAuth device code flow
    /// (`authenticationProtocol` = `deviceCode`), and device-code sessions
    /// whose tokens were then used from another network.
    ///
    /// ## Why it matters
    /// The device code flow lets a user sign in on one device for another
    /// device that has no keyboard (a meeting-room display, a CLI). It is
    /// also the basis of device code phishing: the attacker starts the flow,
    /// sends the code to the victim, the victim signs in (with MFA) at
    /// microsoft.com/devicelogin, and the attacker's machine receives the
    /// tokens. Most organizations have no need for the flow outside a few
    /// device types.
    ///
    /// ## How it works
    /// Selects successful user sign-ins with protocol `deviceCode` and groups
    /// them per account, naming the applications. Improvement over the
    /// guide's filter: the session id of each device-code sign-in is
    /// followed through the rest of the data, and later sign-ins of the same
    /// session from another network (different IPv4 /16 or IPv6 /32) are
    /// added to the finding, which is then raised to high, because the
    /// device that redeemed the code is somewhere else than the person who
    /// entered it: the phishing pattern. Findings on privileged accounts
    /// (settings, or role assignments in the audit log) or from a country
    /// outside `operating_countries` are raised to medium.
    ///
    /// ## False positives
    /// Teams Rooms and other shared devices, Azure CLI or PowerShell
    /// `--use-device-code` sign-ins by engineers, and remote desktops where
    /// the browser and the client sit on different networks. Block the flow
    /// with a Conditional Access authentication-flows policy and exclude only
    /// the devices that need it.
    ///
    /// ## How to respond
    /// Ask the user whether they entered a code, and for which device. If
    /// not, or if the session was used from another network: revoke the
    /// user's sessions, reset the password, and review what the session
    /// accessed. Restrict the device code flow with Conditional Access.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-applications
    /// - https://learn.microsoft.com/entra/identity-platform/v2-oauth2-device-code
    /// - https://learn.microsoft.com/entra/identity/conditional-access/concept-authentication-flows
    pub static META = {
        code: "SIGN-DEVICE-CODE",
        title: "Sign-in with the device code flow",
        severity: Low,
        guide: ["applications-164"],
        inputs: [DataNeed::UserSignIns],
        settings: [],
        optional_settings: [SettingKey::OperatingCountries, SettingKey::PrivilegedAccounts],
        tags: ["attack.t1528", "attack.t1566.002"],
    }
}

pub fn run(cx: &Context) -> Vec<Finding> {
    let mut by_account: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    // session id -> (device-code row, its network)
    let mut sessions: FxHashMap<Id, (usize, Option<Vec<u8>>)> = FxHashMap::default();
    for (i, s) in cx.user_signins() {
        if s.outcome == Outcome::Success && cx.s(s.auth_protocol).eq_ignore_ascii_case("deviceCode") {
            by_account.entry(account(cx, s)).or_default().push(i);
            if !s.session_id.is_none() {
                sessions.entry(s.session_id).or_insert((i, network_prefix(cx.s(s.ip))));
            }
        }
    }
    if by_account.is_empty() {
        return Vec::new();
    }
    // Device-code row -> later sign-ins of its session from another network.
    let mut elsewhere: FxHashMap<usize, Vec<usize>> = FxHashMap::default();
    if !sessions.is_empty() {
        for (i, s) in cx.user_signins() {
            let Some((dc, net)) = sessions.get(&s.session_id) else { continue };
            if i == *dc || s.outcome != Outcome::Success || s.time < cx.ds.signins[*dc].time {
                continue;
            }
            let here = network_prefix(cx.s(s.ip));
            if net.is_some() && here.is_some() && here != *net {
                elsewhere.entry(*dc).or_default().push(i);
            }
        }
    }
    let foreign_country = |i: usize| {
        let c = cx.s(cx.ds.signins[i].country).trim();
        !cx.operating_countries.is_empty() && !c.is_empty() && !cx.operating_countries.iter().any(|o| o.eq_ignore_ascii_case(c))
    };
    by_account
        .into_iter()
        .map(|(who, rows)| {
            let sign_ins = || rows.iter().map(|&i| &cx.ds.signins[i]);
            let apps = join_limited(sign_ins().map(|s| cx.s(s.app_display)), 3);
            let ips = join_limited(sign_ins().map(|s| cx.s(s.ip)), 3);
            let moved: Vec<usize> = rows.iter().flat_map(|i| elsewhere.get(i).cloned().unwrap_or_default()).collect();
            let moved_ips = join_limited(moved.iter().map(|&i| cx.s(cx.ds.signins[i].ip)), 3);
            let privileged = sign_ins().any(|s| cx.is_privileged(who, s.time));
            let abroad = rows.iter().any(|&i| foreign_country(i));
            let mut all = rows.clone();
            all.extend(&moved);
            let (ev, note) = evidence(cx, &all);
            let mut summary = format!(
                "{}{who} signed in with the device code flow: {}{}{}",
                if privileged { "Privileged account " } else { "" },
                count(rows.len(), "sign-in"),
                if apps.is_empty() { String::new() } else { format!(" to {apps}") },
                if ips.is_empty() { String::new() } else { format!(" from {ips}") },
            );
            if !moved.is_empty() {
                summary.push_str(&format!("; the session was then used from another network ({moved_ips})"));
            }
            if abroad {
                summary.push_str("; outside the operating countries");
            }
            summary.push_str(&note);
            let f = Finding::new(&META, summary, ev).with_subject(who);
            if !moved.is_empty() {
                f.with_severity(Severity::High)
            } else if privileged || abroad {
                f.with_severity(Severity::Medium)
            } else {
                f
            }
        })
        .collect()
}
