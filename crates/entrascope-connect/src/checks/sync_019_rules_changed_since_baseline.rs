//! SYNC-RULES-CHANGED (infrastructure-205).

use entrascope_core::coverage::RuntimeStatus;
use entrascope_core::{declare_check, CoverageStatus, DataNeed, Evidence, Finding, Timestamp};

use super::sync_005_no_staging_server::server_key;
use super::{f, Ctx, Out};
use crate::diff::{diff, ChangeKind};
use crate::model::Config;

declare_check! {
    /// ## What it detects
    /// Synchronization rules added, removed or changed on a server since an earlier export of the same
    /// server: a baseline taken before (last quarter's export, the configuration at go-live) against the
    /// current one.
    ///
    /// ## Why it matters
    /// The security operations guide asks to monitor modifications to the sync rules you configured: a
    /// changed scope, join or attribute flow can silently synchronize accounts that should stay
    /// on-premises, stop synchronizing others, or rewrite attributes that Conditional Access and
    /// licensing depend on. Attackers with access to the sync server change rules to plant or unhide
    /// accounts. The guide lists this row as needing the server's SQL audit; comparing two
    /// configuration exports answers it for every change that is still in place.
    ///
    /// ## How it works
    /// Among the configuration exports supplied, those of the same server (MV.xml's `server`) with
    /// different export dates are ordered by `export-date`; each later export is compared with the one
    /// before it the way the Configuration Documenter compares: rules matched by connector name and rule
    /// name, then precedence, disabled, tag, scope, join and attribute flows field by field. One finding
    /// per server lists every rule added, removed or changed (evidence `id` = the rule's id) with both
    /// values. Without two exports of one server the row reports `needs-data`.
    ///
    /// ## False positives
    /// Planned changes and Entra Connect upgrades, which replace built-in rules with newer versions
    /// (their `immutable-tag` version suffix changes). Compare the changes with the change records.
    ///
    /// ## How to respond
    /// Confirm each change with its owner and change record. Revert unplanned ones from the baseline
    /// (`Import-ADSyncServerConfiguration` or by editing the rule), check which objects the change put
    /// in or out of scope (a full synchronization preview), and review who has local administrator or
    /// ADSyncAdmins rights on the sync server.
    ///
    /// ## References
    /// - Microsoft Entra security operations guide, infrastructure, "Microsoft Entra Connect":
    ///   https://learn.microsoft.com/entra/architecture/security-operations-infrastructure
    /// - Import and export Entra Connect configuration settings:
    ///   https://learn.microsoft.com/entra/identity/hybrid/connect/how-to-connect-import-export-config
    pub static META = {
        code: "SYNC-RULES-CHANGED",
        title: "Sync rules changed since an earlier export of the same server",
        severity: Medium,
        guide: ["infrastructure-205"],
        inputs: [DataNeed::ConnectConfigPair],
        settings: [],
        optional_settings: [],
        tags: ["attack.t1098", "attack.t1484"],
    }
}

fn export_time(c: &Config) -> Option<Timestamp> {
    c.export_date.as_deref().and_then(Timestamp::parse)
}

pub fn run(cx: &Ctx, out: &mut Out) {
    let mut exports: Vec<(&Config, Timestamp)> =
        cx.data.configs.iter().filter(|c| c.server.is_some()).filter_map(|c| export_time(c).map(|t| (c, t))).collect();
    exports.sort_by(|a, b| server_key(a.0).cmp(&server_key(b.0)).then(a.1.cmp(&b.1)));
    let mut compared = false;
    for pair in exports.windows(2) {
        let ((old, t_old), (new, t_new)) = (pair[0], pair[1]);
        if server_key(old) != server_key(new) || t_old == t_new {
            continue;
        }
        compared = true;
        let d = diff(old, new);
        let mut evidence = Vec::new();
        let (mut added, mut removed, mut changed) = (0, 0, 0);
        for r in &d.rules {
            let rule = new
                .rules
                .iter()
                .find(|x| Some(&x.id) == r.b_id.as_ref())
                .or_else(|| old.rules.iter().find(|x| Some(&x.id) == r.a_id.as_ref()));
            let (input, line) = rule.map(|x| (x.origin.input, x.origin.line)).unwrap_or((Evidence::NO_INPUT, 0));
            let id = r.b_id.clone().or_else(|| r.a_id.clone()).unwrap_or_else(|| format!("{} / {}", r.connector, r.name));
            let base = vec![
                f("server", new.server.clone().unwrap_or_default()),
                f("rule", &r.name),
                f("connector", &r.connector),
                f("direction", r.direction.as_str()),
                f("built-in", r.standard),
            ];
            let mut push = |extra: Vec<(String, String)>| {
                let mut fields = base.clone();
                fields.extend(extra);
                evidence.push(Evidence { input, line, id: id.clone(), time: Some(t_new), record: None, fields });
            };
            match r.change {
                ChangeKind::Added => {
                    added += 1;
                    push(vec![f("change", "rule added"), f("before", "absent"), f("after", "present")]);
                }
                ChangeKind::Removed => {
                    removed += 1;
                    push(vec![f("change", "rule removed"), f("before", "present"), f("after", "absent")]);
                }
                ChangeKind::Changed => {
                    changed += 1;
                    for fc in &r.fields {
                        push(vec![f("change", &fc.field), f("before", &fc.a), f("after", &fc.b)]);
                    }
                }
            }
        }
        if evidence.is_empty() {
            continue;
        }
        let day = |t: Timestamp| t.to_rfc3339()[..10].to_string();
        out.findings.push(
            Finding::new(
                &META,
                format!(
                    "Sync rules of {} changed between the exports of {} and {}: {added} added, {removed} removed, {changed} changed",
                    new.server.clone().unwrap_or_else(|| new.label.clone()),
                    day(t_old),
                    day(t_new)
                ),
                evidence,
            )
            .with_subject(new.label.clone()),
        );
    }
    if !compared && !cx.data.configs.is_empty() {
        out.status.push(RuntimeStatus {
            guide: "infrastructure-205".into(),
            status: CoverageStatus::NeedsData,
            needs: Some("two Entra Connect configuration exports of the same server taken at different times (a baseline and a current export)".into()),
        });
    }
}
