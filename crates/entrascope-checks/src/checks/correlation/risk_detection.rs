use std::collections::BTreeMap;

use entrascope_core::{declare_check, DataNeed, Finding, Severity};
use entrascope_logs::{SignIn, Sym};

use super::{evidence, list, password_accepted, plural, user_key};
use crate::refdata::risk_event_type;
use crate::Context;

declare_check! {
    /// ## What it detects
    /// Sign-ins that Microsoft Entra ID Protection marked as risky, one
    /// finding per account and detection: anonymous IP address, atypical
    /// travel, anomalous token, malware-linked IP, suspicious browser,
    /// unfamiliar sign-in properties, malicious IP, suspicious inbox
    /// manipulation or forwarding, password spray, impossible travel, new
    /// country, activity from anonymous IP, and Microsoft threat
    /// intelligence; detections the guide does not list are reported too,
    /// without a guide row.
    ///
    /// ## Why it matters
    /// These are Microsoft's own detections, built on signals an export
    /// cannot show (threat intelligence, token and device telemetry). The
    /// guide asks to monitor each of them; a risky sign-in that nobody
    /// reviewed is exactly what an attacker with a stolen password or token
    /// produces.
    ///
    /// ## How it works
    /// Reads the Identity Protection fields that sign-in exports carry
    /// (Graph beta, Log Analytics and diagnostic exports; they need Entra ID
    /// P2): `riskEventTypes_v2` (or `riskEventTypes`), `riskLevelDuringSignIn`,
    /// `riskState` and `riskDetail`. Each risk event type is mapped to the
    /// guide row naming it (`data/risk-event-types.tsv`, from the Graph
    /// riskDetection values and the detection names of Microsoft's risk
    /// documentation; both spellings of the Defender for Cloud Apps
    /// detections, such as `mcasImpossibleTravel`). Sign-ins an administrator
    /// already confirmed safe or dismissed (`riskState`) are skipped. A
    /// sign-in with a risk level but no named detection (tenants without P2
    /// see level `hidden` or type `generic`) is reported without a row.
    /// Severity follows the risk level during sign-in (high, medium, low;
    /// hidden counts as medium), one step lower when the risk was remediated
    /// (the user passed MFA or changed the password) and one step lower when
    /// the password was not accepted (an attempt, not an entry), high when it
    /// was confirmed compromised, and always high for password spray and
    /// threat intelligence, which the guide rates high.
    ///
    /// Baseline and improvement: the guide's rows and Sigma's
    /// *identity_protection* rules alert on each `riskEventType` of the risk
    /// detections API, which an offline analyzer does not have; this check
    /// answers the same rows from the sign-in export's risk fields, groups
    /// every sign-in of one detection and account into one finding, and uses
    /// the state to drop detections already handled. The offline user-risk
    /// detections (leaked credentials, threat intelligence on the user) are
    /// not on sign-ins and need the risk detections export.
    ///
    /// ## False positives
    /// Identity Protection's own: travel with a new device, a corporate VPN
    /// exiting in another country, privacy browsers and VPNs (anonymous IP),
    /// shared machines. Confirm safe in the portal to train it and to remove
    /// the sign-in from later reports.
    ///
    /// ## How to respond
    /// Open the sign-in in the Entra admin center (Risky sign-ins) and the
    /// risk detection's details. If the user does not recognise it, confirm
    /// compromise: reset the password, revoke sessions, review MFA methods
    /// and inbox rules. Require MFA or block for medium and high sign-in
    /// risk with a risk-based Conditional Access policy.
    ///
    /// ## References
    /// - https://learn.microsoft.com/entra/architecture/security-operations-user-accounts
    /// - https://learn.microsoft.com/entra/id-protection/concept-identity-protection-risks
    /// - https://learn.microsoft.com/graph/api/resources/riskdetection
    /// - SigmaHQ rules/cloud/azure/identity_protection
    pub static META = {
        code: "SIGN-RISK-DETECTION",
        title: "Identity Protection risk detection on sign-ins",
        severity: Medium,
        guide: [
            "user-accounts-012", "user-accounts-013", "user-accounts-014", "user-accounts-015", "user-accounts-016",
            "user-accounts-017", "user-accounts-018", "user-accounts-019", "user-accounts-020", "user-accounts-021",
            "user-accounts-022", "user-accounts-023", "user-accounts-024", "user-accounts-025",
        ],
        inputs: [DataNeed::UserSignIns, DataNeed::SignInRisk],
        settings: [],
        optional_settings: [],
        tags: ["attack.t1078", "attack.initial-access"],
    }
}

/// Rows the guide rates high whatever the sign-in's level.
const HIGH_ROWS: &[&str] = &["user-accounts-020", "user-accounts-025"];

/// The risk states that mean an administrator closed the detection as benign.
pub(crate) fn closed_as_safe(state: &str) -> bool {
    state.eq_ignore_ascii_case("confirmedSafe") || state.eq_ignore_ascii_case("dismissed")
}

/// The named detections of a sign-in, without `none`.
pub(crate) fn detections<'a>(cx: &Context<'a>, s: &SignIn) -> Vec<&'a str> {
    cx.ds.risk_events(s).iter().map(|t| cx.s(*t).trim()).filter(|t| !t.is_empty() && !t.eq_ignore_ascii_case("none")).collect()
}

/// Whether the risk level says something is wrong.
pub(crate) fn risky_level(level: &str) -> bool {
    ["low", "medium", "high", "hidden"].iter().any(|l| l.eq_ignore_ascii_case(level))
}

fn severity(level: &str, state: &str) -> Severity {
    let base = match level.to_ascii_lowercase().as_str() {
        "high" => Severity::High,
        "low" => Severity::Low,
        _ => Severity::Medium,
    };
    if state.eq_ignore_ascii_case("confirmedCompromised") {
        Severity::High
    } else if state.eq_ignore_ascii_case("remediated") {
        step_down(base)
    } else {
        base
    }
}

fn step_down(s: Severity) -> Severity {
    match s {
        Severity::High => Severity::Medium,
        Severity::Medium | Severity::Low => Severity::Low,
        Severity::Info => Severity::Info,
    }
}

/// A risk state as people say it.
fn state_words(state: &str) -> &str {
    match state {
        "atRisk" => "at risk",
        "confirmedCompromised" => "confirmed compromised",
        "remediated" => "remediated",
        "none" => "no risk state",
        other => other,
    }
}

#[derive(Default)]
struct Group<'a> {
    rows: Vec<usize>,
    severity: Option<Severity>,
    names: Vec<&'a str>,
    states: Vec<&'a str>,
    /// Sign-ins whose password was not accepted.
    refused: usize,
}

pub fn run(cx: &Context) -> Vec<Finding> {
    // (account, guide row or "") -> group; BTreeMap for a stable order.
    let mut groups: BTreeMap<(Sym, &str), Group> = BTreeMap::new();
    for (i, s) in cx.user_signins() {
        let (level, state) = (cx.s(s.risk_level_during), cx.s(s.risk_state));
        if closed_as_safe(state) {
            continue;
        }
        let types = detections(cx, s);
        if types.is_empty() && !risky_level(level) {
            continue;
        }
        let user = user_key(s);
        let mut targets: Vec<(&str, &str)> = types
            .iter()
            .map(|t| match risk_event_type(t) {
                Some(rt) => (rt.guide, rt.detection),
                None => ("", *t),
            })
            .collect();
        if targets.is_empty() {
            targets.push(("", "risk without a named detection"));
        }
        targets.sort_unstable();
        targets.dedup();
        for (row, name) in targets {
            let g = groups.entry((user, row)).or_default();
            g.rows.push(i);
            let mut sev = severity(level, state);
            if HIGH_ROWS.contains(&row) {
                sev = Severity::High;
            } else if !password_accepted(s) {
                // Flagged, but the password was wrong: an attempt, not an entry.
                sev = step_down(sev);
            }
            if !password_accepted(s) {
                g.refused += 1;
            }
            g.severity = Some(g.severity.map_or(sev, |x| x.max(sev)));
            if !g.names.contains(&name) {
                g.names.push(name);
            }
            if !state.is_empty() && !g.states.contains(&state) {
                g.states.push(state);
            }
        }
    }
    groups
        .into_iter()
        .map(|((user, row), g)| {
            let name = if user.is_empty() { "an unidentified account" } else { cx.s(user) };
            let first = &cx.ds.signins[g.rows[0]];
            let mut ips: Vec<&str> = g.rows.iter().map(|&r| cx.s(cx.ds.signins[r].ip)).filter(|x| !x.is_empty()).collect();
            ips.sort_unstable();
            ips.dedup();
            let words: Vec<&str> = g.states.iter().map(|s| state_words(s)).collect();
            let mut state = if words.is_empty() { String::new() } else { format!(", {}", words.join("/")) };
            if g.refused == g.rows.len() {
                state.push_str("; password not accepted");
            } else if g.refused > 0 {
                state.push_str(&format!("; password not accepted on {} of them", g.refused));
            }
            let summary = format!(
                "Identity Protection flagged {name}: {} on {} from {}{state} (first {})",
                list(&g.names, 4),
                plural(g.rows.len(), "sign-in"),
                if ips.is_empty() { "an unknown address".to_string() } else { list(&ips, 3) },
                first.time,
            );
            let f = Finding::new(&META, summary, evidence(cx, &g.rows, &[])).with_subject(name);
            let f = if row.is_empty() { f.with_guide(&[]) } else { f.with_guide(&[row]) };
            f.with_severity(g.severity.unwrap_or(Severity::Medium))
        })
        .collect()
}
