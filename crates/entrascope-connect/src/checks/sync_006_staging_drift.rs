//! SYNC-STAGING-DRIFT (sync-006).

use entrascope_core::coverage::RuntimeStatus;
use entrascope_core::{declare_check, CoverageStatus, DataNeed, Evidence, Finding};

use super::sync_005_no_staging_server::{same_tenant, tenant_key};
use super::{f, Ctx, Out};
use crate::diff::{diff, ChangeKind, ConfigDiff};
use crate::model::{param, Config};

/// Settings that differ between a production and a staging server by design.
pub const EXPECTED_DIFFERENCES: &[&str] = &[param::STAGING_MODE, param::NEXT_START_TIME];

declare_check! {
    /// ## What it detects
    /// A staging-mode server whose configuration differs from the production server's: rules added,
    /// removed or changed (precedence, disabled, tag, scope, join, mappings), global settings, connector
    /// OU/partition filters, selected attributes or object types, and the Entra Connect version.
    ///
    /// ## Why it matters
    /// The staging server is the failover plan. If its rules or filters differ, switching to it changes
    /// what is synchronized at the worst possible moment: objects appear or are deleted in Entra ID,
    /// attributes flip. The operations guide asks to re-baseline when production and staging do not match,
    /// software versions included.
    ///
    /// ## How it works
    /// When the inputs hold a production configuration (`StagingMode` = False) and a staging one (`True`)
    /// for the same tenant (same Entra ID connector names, or unknown), they are compared as the
    /// Configuration Documenter does: connectors by name, rules by connector name + rule name. Differences
    /// expected between the two roles (`StagingMode`, `NextStartTime`) are ignored. One finding per
    /// staging server lists every difference as evidence (`id` = the rule's id, the setting's name, the
    /// connector's name or `version`), with both values. With two or more configurations but no
    /// production/staging pair the row reports `needs-data`.
    ///
    /// ## False positives
    /// A staging server used on purpose to validate a planned change before it reaches production
    /// (the drift is the change under test); server-specific connector accounts are not compared.
    ///
    /// ## How to respond
    /// Export both configurations, review each difference, and bring the staging server back in line:
    /// import the production configuration into the staging server (`Import-ADSyncServerConfiguration`
    /// or the wizard's import), or apply the validated change to production. Keep both on the same version.
    ///
    /// ## References
    /// - Microsoft Entra operations reference guide (IAM), "Sync failover or disaster recovery":
    ///   https://learn.microsoft.com/entra/architecture/ops-guide-iam
    /// - Import and export Entra Connect configuration settings:
    ///   https://learn.microsoft.com/entra/identity/hybrid/connect/how-to-connect-import-export-config
    /// - AADConnectConfigDocumenter: https://github.com/Microsoft/AADConnectConfigDocumenter
    pub static META = {
        code: "SYNC-STAGING-DRIFT",
        title: "Production and staging configurations differ",
        severity: High,
        guide: ["sync-006"],
        inputs: [DataNeed::ConnectConfigPair],
        settings: [],
        optional_settings: [],
        tags: [],
    }
}

fn ev(id: impl Into<String>, input: u32, line: u64, fields: Vec<(String, String)>) -> Evidence {
    Evidence { input, line, id: id.into(), time: None, record: None, fields }
}

/// The differences of a diff as evidence, leaving out the expected ones.
fn drift_evidence(d: &ConfigDiff, prod: &Config, staging: &Config) -> Vec<Evidence> {
    let mut out = Vec::new();
    let label = |c: &Config| c.label.clone();
    if let Some((a, b)) = &d.version {
        let o = staging.global.origin(param::VERSION);
        out.push(ev(
            "version",
            o.map(|o| o.input).unwrap_or(Evidence::NO_INPUT),
            o.map(|o| o.line).unwrap_or(0),
            vec![f("difference", "Entra Connect version"), f("production", a), f("staging", b)],
        ));
    }
    for s in d.settings.iter().filter(|s| !EXPECTED_DIFFERENCES.contains(&s.name.as_str())) {
        let o = staging.global.origin(&s.name).or_else(|| prod.global.origin(&s.name));
        out.push(ev(
            &s.name,
            o.map(|o| o.input).unwrap_or(Evidence::NO_INPUT),
            o.map(|o| o.line).unwrap_or(0),
            vec![
                f("difference", "global setting"),
                f("production", s.a.clone().unwrap_or_else(|| "(absent)".into())),
                f("staging", s.b.clone().unwrap_or_else(|| "(absent)".into())),
            ],
        ));
    }
    for c in &d.connectors {
        let conn = staging.connector_by_name(&c.name).or_else(|| prod.connector_by_name(&c.name));
        let (input, line) = conn.map(|c| (c.origin.input, c.origin.line)).unwrap_or((Evidence::NO_INPUT, 0));
        match c.change {
            ChangeKind::Changed => {
                for fc in &c.fields {
                    out.push(ev(
                        &c.name,
                        input,
                        line,
                        vec![
                            f("difference", format!("connector {}: {}", c.name, fc.field)),
                            f("production", if fc.kind == "set" { format!("only here: {}", fc.a) } else { fc.a.clone() }),
                            f("staging", if fc.kind == "set" { format!("only here: {}", fc.b) } else { fc.b.clone() }),
                        ],
                    ));
                }
            }
            k => out.push(ev(
                &c.name,
                input,
                line,
                vec![
                    f("difference", format!("connector {}", c.name)),
                    f("production", if k == ChangeKind::Removed { "present" } else { "absent" }),
                    f("staging", if k == ChangeKind::Added { "present" } else { "absent" }),
                ],
            )),
        }
    }
    for r in &d.rules {
        let find = |cfg: &Config, id: &Option<String>| {
            cfg.rules.iter().find(|x| Some(&x.id) == id.as_ref() && x.name == r.name).map(|x| (x.origin.input, x.origin.line))
        };
        let (input, line) = find(staging, &r.b_id).or_else(|| find(prod, &r.a_id)).unwrap_or((Evidence::NO_INPUT, 0));
        let id = r.b_id.clone().or_else(|| r.a_id.clone()).unwrap_or_else(|| format!("{} / {}", r.connector, r.name));
        let base = vec![
            f("rule", &r.name),
            f("connector", &r.connector),
            f("direction", r.direction.as_str()),
            f("built-in", r.standard),
        ];
        match r.change {
            ChangeKind::Changed => {
                for fc in &r.fields {
                    let mut fields = base.clone();
                    fields.extend([f("difference", &fc.field), f("production", &fc.a), f("staging", &fc.b)]);
                    out.push(ev(&id, input, line, fields));
                }
            }
            k => {
                let mut fields = base;
                let prec = |p: Option<u32>| p.map(|p| format!("present (precedence {p})")).unwrap_or_else(|| "present".into());
                fields.extend([
                    f("difference", "rule"),
                    f("production", if k == ChangeKind::Removed { prec(r.a_precedence) } else { "absent".into() }),
                    f("staging", if k == ChangeKind::Added { prec(r.b_precedence) } else { "absent".into() }),
                ]);
                out.push(ev(&id, input, line, fields));
            }
        }
    }
    for e in &mut out {
        e.fields.insert(0, f("staging server", label(staging)));
        e.fields.insert(1, f("production server", label(prod)));
    }
    out
}

pub fn run(cx: &Ctx, out: &mut Out) {
    let configs = &cx.data.configs;
    let prods: Vec<&Config> = configs.iter().filter(|c| c.staging() == Some(false)).collect();
    let stagings: Vec<&Config> = configs.iter().filter(|c| c.staging() == Some(true)).collect();
    let mut paired = false;
    for s in &stagings {
        let key = tenant_key(s);
        let Some(p) = prods.iter().find(|p| same_tenant(&tenant_key(p), &key)) else { continue };
        paired = true;
        let d = diff(p, s);
        let ev = drift_evidence(&d, p, s);
        if ev.is_empty() {
            continue;
        }
        let (added, removed, changed) = d.rules.iter().fold((0, 0, 0), |acc, r| match r.change {
            ChangeKind::Added => (acc.0 + 1, acc.1, acc.2),
            ChangeKind::Removed => (acc.0, acc.1 + 1, acc.2),
            ChangeKind::Changed => (acc.0, acc.1, acc.2 + 1),
        });
        let mut parts = Vec::new();
        if let Some((a, b)) = &d.version {
            parts.push(format!("version {b} vs {a}"));
        }
        if added + removed + changed > 0 {
            parts.push(format!("rules: {added} only on staging, {removed} only on production, {changed} changed"));
        }
        let settings = d.settings.iter().filter(|x| !EXPECTED_DIFFERENCES.contains(&x.name.as_str())).count();
        if settings > 0 {
            parts.push(format!("{settings} global settings"));
        }
        if !d.connectors.is_empty() {
            parts.push(format!("{} connectors", d.connectors.len()));
        }
        out.findings.push(
            Finding::new(
                &META,
                format!("Staging server {} differs from production {}: {}", s.label, p.label, parts.join("; ")),
                ev,
            )
            .with_subject(s.label.clone()),
        );
    }
    if !paired && configs.len() >= 2 {
        out.status.push(RuntimeStatus {
            guide: "sync-006".into(),
            status: CoverageStatus::NeedsData,
            needs: Some(
                "a production (StagingMode = False) and a staging (StagingMode = True) configuration export of the same tenant"
                    .into(),
            ),
        });
    }
}
