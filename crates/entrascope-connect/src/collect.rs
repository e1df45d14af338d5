//! Collecting files one by one into configurations, run histories and error sets.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::export::{self, MvSettings};
use crate::model::*;
use crate::problem::{Level, Parsed, Problem};
use crate::sniff::{sniff, ConnectKind, SNIFF_HEAD};

/// One input file as read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConnectInput {
    pub input: u32,
    pub path: String,
    pub kind: ConnectKind,
    /// Items read: 1 for a rule or connector, parameters for MV.xml, rows for
    /// run history, errors for an error export, rules for a report or policy.
    pub records: u64,
    /// The label of the configuration the file belongs to, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<String>,
}

/// Everything read from the Entra Connect inputs of one run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ConnectData {
    /// Server configurations: export folders and policy JSON files. Checks run on these.
    pub configs: Vec<Config>,
    /// Configuration Documenter reports (each holds two configurations and
    /// the differences it marks). Checks do not run on them: a report
    /// documents a past comparison, not a server; diff its `target` against a
    /// current export to see what changed since.
    pub reports: Vec<crate::documenter::DocumenterReport>,
    pub run_histories: Vec<RunHistory>,
    pub error_sets: Vec<ErrorSet>,
    pub inputs: Vec<ConnectInput>,
    /// Per-file and per-folder problems, in input order.
    pub problems: Vec<Problem>,
}

impl ConnectData {
    pub fn config(&self, label: &str) -> Option<&Config> {
        self.configs.iter().find(|c| c.label == label)
    }
}

/// One file of an export folder, as read.
enum Part {
    Rule(SyncRule),
    Connector(Connector),
    Mv(MvSettings),
}

#[derive(Default)]
struct Group {
    connectors: Vec<Connector>,
    mv: Option<MvSettings>,
    mv_path: Option<String>,
    rules: Vec<SyncRule>,
    /// Indices into `Collector::inputs`.
    inputs: Vec<usize>,
    problems: Vec<Problem>,
}

/// Accepts files one by one (`add`), then builds [`ConnectData`] (`finish`).
///
/// Export-folder files are grouped into one configuration by the folder that
/// contains `Connectors/`, `GlobalSettings/` and `SynchronizationRules/`;
/// paths may use `/` or `\` and may point inside a zip (`a.zip/Prod/Connectors/…`).
#[derive(Default)]
pub struct Collector {
    next_input: u32,
    groups: BTreeMap<String, Group>,
    policy_configs: Vec<Config>,
    reports: Vec<crate::documenter::DocumenterReport>,
    run_histories: Vec<RunHistory>,
    error_sets: Vec<ErrorSet>,
    inputs: Vec<ConnectInput>,
    problems: Vec<Problem>,
}

/// The export subfolder a file kind lives in.
fn subfolder(kind: ConnectKind) -> &'static str {
    match kind {
        ConnectKind::ExportConnector => "Connectors",
        ConnectKind::ExportGlobalSettings => "GlobalSettings",
        _ => "SynchronizationRules",
    }
}

/// Splits a normalized path into (parent folder, file name).
fn split_parent(path: &str) -> (&str, &str) {
    match path.rfind('/') {
        Some(i) => (&path[..i], &path[i + 1..]),
        None => ("", path),
    }
}

/// What a path names when it looks like a file of a `Get-ADSyncServerConfiguration`
/// export folder (`…/Connectors/Connector_*.xml`, `…/GlobalSettings/MV.xml`,
/// `…/SynchronizationRules/SynchronizationRule_*.xml`; `/` or `\`), whatever
/// its content. Callers routing files use it to hand a damaged export file to
/// [`Collector`], which then reports what is wrong with it.
pub fn export_file_kind(path: &str) -> Option<ConnectKind> {
    export_part_from_path(&normalize(path)).map(|(_, k)| k)
}

/// For a path that looks like an export-folder file, the root folder and the kind it should be.
fn export_part_from_path(path: &str) -> Option<(String, ConnectKind)> {
    let (dir, file) = split_parent(path);
    let (root, sub) = split_parent(dir);
    let lower = file.to_ascii_lowercase();
    if !lower.ends_with(".xml") {
        return None;
    }
    let kind = if sub.eq_ignore_ascii_case("Connectors") && lower.starts_with("connector_") {
        ConnectKind::ExportConnector
    } else if sub.eq_ignore_ascii_case("GlobalSettings") && lower == "mv.xml" {
        ConnectKind::ExportGlobalSettings
    } else if sub.eq_ignore_ascii_case("SynchronizationRules") && lower.starts_with("synchronizationrule_") {
        ConnectKind::ExportRule
    } else {
        return None;
    };
    Some((root.to_string(), kind))
}

fn normalize(path: &str) -> String {
    path.replace('\\', "/")
}

fn with_input<T>(mut p: Parsed<T>, input: u32) -> Parsed<T> {
    for pr in &mut p.problems {
        pr.input = input;
    }
    p
}

impl Collector {
    pub fn new() -> Collector {
        Collector::default()
    }

    /// Reads one file, numbering inputs in the order they are added (0, 1, …).
    pub fn add(&mut self, path: &str, bytes: &[u8]) -> Result<ConnectKind, String> {
        let input = self.next_input;
        self.add_indexed(input, path, bytes)
    }

    /// Reads one file under the caller's input index (the index evidence will
    /// name), for callers that number all their inputs themselves.
    ///
    /// Returns what the file was recognized as, or why it was not read. A file
    /// that is not an Entra Connect file is only an `Err` (it may be a log for
    /// another reader); a file that is one but cannot be read is also recorded
    /// in [`ConnectData::problems`].
    pub fn add_indexed(&mut self, input: u32, path: &str, bytes: &[u8]) -> Result<ConnectKind, String> {
        self.next_input = self.next_input.max(input.saturating_add(1));
        let norm = normalize(path);
        let head = &bytes[..bytes.len().min(SNIFF_HEAD)];
        let kind = match sniff(path, head) {
            Some(k) => k,
            None => match export_part_from_path(&norm) {
                // Named like an export file but not recognized: read it as what
                // its name says, so the error says what is wrong with it.
                Some((_, k)) => k,
                None => return Err(format!("{path}: not an Entra Connect file")),
            },
        };
        let result = match kind {
            ConnectKind::ExportConnector | ConnectKind::ExportGlobalSettings | ConnectKind::ExportRule => {
                self.add_export_part(input, path, &norm, kind, bytes)
            }
            ConnectKind::PolicyJson => self.add_policy(input, path, bytes),
            ConnectKind::DocumenterReport => self.add_report(input, path, bytes),
            ConnectKind::RunHistoryCsv => self.add_run_history(input, path, bytes),
            ConnectKind::CsExportErrors | ConnectKind::GraphProvisioningErrors => self.add_errors(input, path, kind, bytes),
        };
        result.map(|_| kind)
    }

    fn push_input(&mut self, input: u32, path: &str, kind: ConnectKind, records: u64) -> usize {
        self.inputs.push(ConnectInput { input, path: path.to_string(), kind, records, config: None });
        self.inputs.len() - 1
    }

    fn fail(&mut self, input: u32, mut p: Problem) -> Result<(), String> {
        p.input = input;
        let msg = p.to_string();
        self.problems.push(p);
        Err(msg)
    }

    fn add_export_part(&mut self, input: u32, path: &str, norm: &str, kind: ConnectKind, bytes: &[u8]) -> Result<(), String> {
        let (dir, _) = split_parent(norm);
        let (grand, sub) = split_parent(dir);
        let expected = subfolder(kind);
        let root = if sub.eq_ignore_ascii_case(expected) { grand.to_string() } else { dir.to_string() };
        let note = |level: Level, msg: String| Problem { input, path: path.to_string(), line: 0, level, message: msg };
        let mut notes = Vec::new();
        if !sub.eq_ignore_ascii_case(expected) {
            let shown = if root.is_empty() { "." } else { &root };
            notes.push(note(
                Level::Warning,
                format!("not inside a {expected}/ folder; grouped with the other files of {shown:?}"),
            ));
        }
        let (read, lost) = match kind {
            ConnectKind::ExportRule => (
                export::read_rule(path, bytes).map(|p| (Part::Rule(p.value), p.problems)),
                "this rule is missing from the configuration",
            ),
            ConnectKind::ExportConnector => (
                export::read_connector(path, bytes).map(|p| (Part::Connector(p.value), p.problems)),
                "this connector is missing from the configuration",
            ),
            _ => (
                export::read_global_settings(path, bytes).map(|p| (Part::Mv(p.value), p.problems)),
                "the global settings of this configuration are unknown",
            ),
        };
        let (mut part, problems) = match read {
            Ok(r) => r,
            Err(mut e) => {
                e.message = format!("{}; {lost}", e.message);
                self.groups.entry(root).or_default().problems.extend(notes);
                return self.fail(input, e);
            }
        };
        let records = match &mut part {
            Part::Rule(r) => {
                r.origin.input = input;
                1
            }
            Part::Connector(c) => {
                c.origin.input = input;
                1
            }
            Part::Mv(m) => {
                m.global.origins.values_mut().for_each(|o| o.input = input);
                m.global.values.len() as u64
            }
        };
        let idx = self.push_input(input, path, kind, records);
        let g = self.groups.entry(root).or_default();
        g.inputs.push(idx);
        g.problems.extend(notes);
        g.problems.extend(problems.into_iter().map(|mut p| {
            p.input = input;
            p
        }));
        match part {
            Part::Rule(r) if g.rules.iter().any(|x| !x.id.is_empty() && x.id.eq_ignore_ascii_case(&r.id)) => {
                g.problems.push(note(
                    Level::Warning,
                    format!("rule {} was already read from another file; this copy is ignored", r.id),
                ));
            }
            Part::Rule(r) => g.rules.push(r),
            Part::Connector(c) if g.connectors.iter().any(|x| x.id == c.id) => {
                g.problems.push(note(
                    Level::Warning,
                    format!("connector {} was already read from another file; this copy is ignored", c.id),
                ));
            }
            Part::Connector(c) => g.connectors.push(c),
            Part::Mv(_) if g.mv.is_some() => {
                let first = g.mv_path.clone().unwrap_or_default();
                g.problems.push(note(Level::Warning, format!("a second MV.xml in this folder is ignored (first: {first})")));
            }
            Part::Mv(m) => {
                g.mv = Some(m);
                g.mv_path = Some(path.to_string());
            }
        }
        Ok(())
    }

    fn add_policy(&mut self, input: u32, path: &str, bytes: &[u8]) -> Result<(), String> {
        match crate::policy::read_policy_json(path, bytes) {
            Ok(p) => {
                let mut p = with_input(p, input);
                set_config_input(&mut p.value, input);
                let idx = self.push_input(input, path, ConnectKind::PolicyJson, p.value.rules.len() as u64);
                self.inputs[idx].config = Some(p.value.label.clone());
                self.problems.extend(p.problems);
                self.policy_configs.push(p.value);
                Ok(())
            }
            Err(e) => self.fail(input, e),
        }
    }

    fn add_report(&mut self, input: u32, path: &str, bytes: &[u8]) -> Result<(), String> {
        match crate::documenter::read_report(path, bytes) {
            Ok(p) => {
                let mut p = with_input(p, input);
                set_config_input(&mut p.value.target, input);
                set_config_input(&mut p.value.reference, input);
                let records = p.value.target.rules.len().max(p.value.reference.rules.len()) as u64;
                self.push_input(input, path, ConnectKind::DocumenterReport, records);
                self.problems.extend(p.problems);
                self.reports.push(p.value);
                Ok(())
            }
            Err(e) => self.fail(input, e),
        }
    }

    fn add_run_history(&mut self, input: u32, path: &str, bytes: &[u8]) -> Result<(), String> {
        match crate::runhistory::read_run_history(path, bytes) {
            Ok(p) => {
                let mut p = with_input(p, input);
                p.value.input = input;
                self.push_input(input, path, ConnectKind::RunHistoryCsv, p.value.runs.len() as u64);
                self.problems.extend(p.problems);
                self.run_histories.push(p.value);
                Ok(())
            }
            Err(e) => self.fail(input, e),
        }
    }

    fn add_errors(&mut self, input: u32, path: &str, kind: ConnectKind, bytes: &[u8]) -> Result<(), String> {
        let read = if kind == ConnectKind::CsExportErrors {
            crate::errors::read_csexport_errors(path, bytes)
        } else {
            crate::errors::read_graph_errors(path, bytes)
        };
        match read {
            Ok(p) => {
                let mut p = with_input(p, input);
                p.value.input = input;
                self.push_input(input, path, kind, p.value.errors.len() as u64);
                self.problems.extend(p.problems);
                self.error_sets.push(p.value);
                Ok(())
            }
            Err(e) => self.fail(input, e),
        }
    }

    /// Builds the configurations and reports what is missing from each folder.
    pub fn finish(self) -> ConnectData {
        let Collector { groups, policy_configs, reports, run_histories, error_sets, mut inputs, mut problems, .. } = self;
        let mut configs = Vec::new();
        let mut used_labels: BTreeSet<String> = BTreeSet::new();
        for (root, g) in groups {
            let (cfg, group_problems) = build_config(&root, g.connectors, g.mv, g.rules, &mut used_labels);
            for idx in &g.inputs {
                if let Some(i) = inputs.get_mut(*idx) {
                    i.config = Some(cfg.label.clone());
                }
            }
            problems.extend(g.problems);
            problems.extend(group_problems);
            configs.push(cfg);
        }
        for mut cfg in policy_configs {
            let label = unique_label(&cfg.label, &mut used_labels);
            for i in
                inputs.iter_mut().filter(|i| i.config.as_deref() == Some(cfg.label.as_str()) && i.kind == ConnectKind::PolicyJson)
            {
                i.config = Some(label.clone());
            }
            cfg.label = label;
            configs.push(cfg);
        }
        problems.sort_by_key(|p| p.input);
        ConnectData { configs, reports, run_histories, error_sets, inputs, problems }
    }
}

fn set_config_input(cfg: &mut Config, input: u32) {
    for c in &mut cfg.connectors {
        c.origin.input = input;
    }
    for r in &mut cfg.rules {
        r.origin.input = input;
    }
    for o in cfg.global.origins.values_mut() {
        o.input = input;
    }
}

fn unique_label(base: &str, used: &mut BTreeSet<String>) -> String {
    let mut label = base.to_string();
    let mut n = 2;
    while used.contains(&label) {
        label = format!("{base} #{n}");
        n += 1;
    }
    used.insert(label.clone());
    label
}

fn build_config(
    root: &str,
    mut connectors: Vec<Connector>,
    mv: Option<MvSettings>,
    mut rules: Vec<SyncRule>,
    used: &mut BTreeSet<String>,
) -> (Config, Vec<Problem>) {
    let folder_name = root.rsplit('/').find(|s| !s.is_empty()).unwrap_or("export");
    let server = mv.as_ref().and_then(|m| m.server.clone());
    let base = match &server {
        Some(s) => format!("{folder_name} ({s})"),
        None => folder_name.to_string(),
    };
    let label = unique_label(&base, used);
    let shown = if root.is_empty() { ".".to_string() } else { root.to_string() };
    let folder_problem =
        |msg: String| Problem { input: u32::MAX, path: shown.clone(), line: 0, level: Level::Warning, message: msg };
    let mut problems = Vec::new();
    if mv.is_none() {
        problems.push(folder_problem(format!(
            "configuration {label:?} has no GlobalSettings/MV.xml: version, staging mode, source anchor, scheduler and deletion-threshold settings are unknown, and the checks that need them are skipped for it"
        )));
    }
    if connectors.is_empty() {
        problems.push(folder_problem(format!(
            "configuration {label:?} has no Connectors/*.xml: rules cannot be tied to connector names, and partition/OU filtering is unknown"
        )));
    }
    if rules.is_empty() {
        problems.push(folder_problem(format!(
            "configuration {label:?} has no SynchronizationRules/*.xml: the sync-rule checks find nothing to check"
        )));
    }
    connectors.sort_by_key(|c| c.name.to_ascii_lowercase());
    let mut missing: BTreeSet<String> = BTreeSet::new();
    for r in &mut rules {
        match connectors.iter().find(|c| c.id == r.connector_id) {
            Some(c) => r.connector_name = c.name.clone(),
            None => {
                r.connector_name = r.connector_id.clone();
                if !connectors.is_empty() && !r.connector_id.is_empty() {
                    missing.insert(r.connector_id.clone());
                }
            }
        }
    }
    for id in missing {
        problems.push(folder_problem(format!(
            "configuration {label:?}: rules refer to connector {id}, which is not among the connector files"
        )));
    }
    sort_rules(&mut rules);
    let mut cfg = Config::new(label, root, ConfigSource::Export);
    if let Some(m) = mv {
        cfg.server = m.server;
        cfg.export_date = m.export_date;
        cfg.global = m.global;
    }
    cfg.connectors = connectors;
    cfg.rules = rules;
    (cfg, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_paths_group_by_root() {
        assert_eq!(
            export_part_from_path("a.zip/Prod/SynchronizationRules/SynchronizationRule_{x}.xml"),
            Some(("a.zip/Prod".to_string(), ConnectKind::ExportRule))
        );
        assert_eq!(export_part_from_path("GlobalSettings/MV.xml"), Some((String::new(), ConnectKind::ExportGlobalSettings)));
        assert_eq!(
            export_part_from_path(&normalize(r"C:\x\Connectors\Connector_{a}.xml")),
            Some(("C:/x".to_string(), ConnectKind::ExportConnector))
        );
        assert_eq!(export_part_from_path("x/Other/MV.xml"), None);
        assert_eq!(export_file_kind(r"exp\SynchronizationRules\SynchronizationRule_{1}.xml"), Some(ConnectKind::ExportRule));
    }
}
