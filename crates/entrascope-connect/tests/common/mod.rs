//! Shared helpers: loading the committed sample data and editing it in memory.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use entrascope_connect::{Collector, ConnectData};
use entrascope_core::Timestamp;

pub type Files = Vec<(String, Vec<u8>)>;

pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("data")
}

/// Every file below `dir`, with paths `prefix/relative/path` (forward slashes), sorted.
pub fn load_dir(dir: &Path, prefix: &str) -> Files {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
                out.push((format!("{prefix}/{rel}"), std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The real Contoso export, under the folder name `prefix`.
pub fn sample(prefix: &str) -> Files {
    load_dir(&data_dir().join("sample-export"), prefix)
}

/// The Documenter's Pilot-modified export: the sample overlaid with the three files that differ.
pub fn pilot_modified(prefix: &str) -> Files {
    let mut files = sample(prefix);
    for (path, bytes) in load_dir(&data_dir().join("documenter-report").join("Pilot-modified-export-overlay"), prefix) {
        match files.iter_mut().find(|(p, _)| *p == path) {
            Some(f) => f.1 = bytes,
            None => files.push((path, bytes)),
        }
    }
    files
}

pub fn collect(files: &Files) -> ConnectData {
    let mut c = Collector::new();
    for (p, b) in files {
        c.add(p, b).unwrap_or_else(|e| panic!("{p}: {e}"));
    }
    c.finish()
}

pub fn text(files: &Files, path_end: &str) -> String {
    let (_, b) = files.iter().find(|(p, _)| p.ends_with(path_end)).unwrap_or_else(|| panic!("no file {path_end}"));
    String::from_utf8(b.clone()).unwrap()
}

/// Replaces `from` (which must occur) by `to` in the file whose path ends with `path_end`.
pub fn edit(files: &mut Files, path_end: &str, from: &str, to: &str) {
    let f = files.iter_mut().find(|(p, _)| p.ends_with(path_end)).unwrap_or_else(|| panic!("no file {path_end}"));
    let s = String::from_utf8(f.1.clone()).unwrap();
    assert!(s.contains(from), "{path_end} lacks {from:?}");
    f.1 = s.replacen(from, to, 1).into_bytes();
}

/// Sets a global parameter of MV.xml (the parameter must exist; MV.xml has one per line).
pub fn set_param(files: &mut Files, name: &str, value: &str) {
    let mv = text(files, "GlobalSettings/MV.xml");
    let key = format!("<parameter name=\"{name}\" ");
    let mut found = false;
    let lines: Vec<String> = mv
        .split('\n')
        .map(|line| {
            if line.trim_start().starts_with(&key) {
                found = true;
                let indent = &line[..line.len() - line.trim_start().len()];
                format!("{indent}<parameter name=\"{name}\" type=\"string\" use=\"SynchronizationGlobal\" dataType=\"String\">{value}</parameter>")
            } else {
                line.to_string()
            }
        })
        .collect();
    assert!(found, "no parameter {name}");
    let f = files.iter_mut().find(|(p, _)| p.ends_with("GlobalSettings/MV.xml")).unwrap();
    f.1 = lines.join("\n").into_bytes();
}

/// The file of rule `{guid}`.
pub fn rule_path(guid: &str) -> String {
    format!("SynchronizationRules/SynchronizationRule_{{{guid}}}.xml")
}

/// Adds a rule file to the export under `prefix`.
pub fn add_rule(files: &mut Files, prefix: &str, guid: &str, xml: &str) {
    files.push((format!("{prefix}/{}", rule_path(guid)), xml.as_bytes().to_vec()));
}

pub const AD_CONNECTOR: &str = "{ae4db4cc-b16b-4eb2-acf5-837ca84e4d7d}";

/// A custom inbound user rule on the AD connector.
pub struct RuleSpec<'a> {
    pub guid: &'a str,
    pub name: &'a str,
    pub precedence: u32,
    pub before: &'a str,
    pub tag: &'a str,
    pub disabled: bool,
    pub scope: &'a [(&'a str, &'a str, &'a str)],
    /// (dest, expression or "" for a direct flow of `dest`)
    pub mappings: &'a [(&'a str, &'a str)],
    pub direction: &'a str,
}

impl Default for RuleSpec<'_> {
    fn default() -> Self {
        RuleSpec {
            guid: "11111111-2222-3333-4444-555555555555",
            name: "In from AD - User Custom",
            precedence: 50,
            before: "00000000-0000-0000-0000-000000000000",
            tag: "",
            disabled: false,
            scope: &[],
            mappings: &[("department", "")],
            direction: "Inbound",
        }
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

pub fn rule_xml(r: &RuleSpec) -> String {
    let (src_type, dst_type) = if r.direction == "Inbound" { ("user", "person") } else { ("person", "user") };
    let mut m = String::new();
    for (dest, expr) in r.mappings {
        if expr.is_empty() {
            m.push_str(&format!("    <mapping>\n      <dest>{dest}</dest>\n      <src>\n        <attr>{dest}</attr>\n      </src>\n      <valueMergeType>Update</valueMergeType>\n    </mapping>\n"));
        } else {
            m.push_str(&format!("    <mapping>\n      <dest>{dest}</dest>\n      <src />\n      <expression>{}</expression>\n      <valueMergeType>Update</valueMergeType>\n    </mapping>\n", esc(expr)));
        }
    }
    let scope = if r.scope.is_empty() {
        "  <synchronizationCriteria />\n".to_string()
    } else {
        let mut s = String::from("  <synchronizationCriteria>\n    <conditions>\n");
        for (a, op, v) in r.scope {
            s.push_str(&format!("      <scope>\n        <csAttribute>{a}</csAttribute>\n        <csOperator>{op}</csOperator>\n        <csValue>{}</csValue>\n      </scope>\n", esc(v)));
        }
        s.push_str("    </conditions>\n  </synchronizationCriteria>\n");
        s
    };
    let tag =
        if r.tag.is_empty() { "  <immutable-tag />".to_string() } else { format!("  <immutable-tag>{}</immutable-tag>", r.tag) };
    format!(
        "<synchronizationRule>\n  <id>{{{guid}}}</id>\n  <internal-id>{{{guid}}}</internal-id>\n  <version>1</version>\n  <name>{name}</name>\n  <description />\n{tag}\n  <direction>{dir}</direction>\n  <disabled>{dis}</disabled>\n  <connector>{conn}</connector>\n  <sourceObjectType>{src_type}</sourceObjectType>\n  <targetObjectType>{dst_type}</targetObjectType>\n  <linkType>Join</linkType>\n  <precedence>{prec}</precedence>\n  <precedence-after>{{00000000-0000-0000-0000-000000000000}}</precedence-after>\n  <precedence-before>{{{before}}}</precedence-before>\n  <softDeleteExpiryInterval>00:00:00</softDeleteExpiryInterval>\n  <EnablePasswordSync>false</EnablePasswordSync>\n  <attribute-mappings>\n{m}  </attribute-mappings>\n  <relationshipCriteria />\n{scope}</synchronizationRule>",
        guid = r.guid,
        name = esc(r.name),
        dir = r.direction,
        dis = if r.disabled { "True" } else { "False" },
        conn = AD_CONNECTOR,
        prec = r.precedence,
        before = r.before,
    )
}

/// 2026-11-21T00:00:00Z, the "today" of the reference material.
pub fn now() -> Timestamp {
    Timestamp::parse("2026-11-21T00:00:00Z").unwrap()
}
