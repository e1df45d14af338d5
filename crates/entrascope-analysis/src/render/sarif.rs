use std::collections::BTreeMap;

use entrascope_core::Severity;
use serde_json::{json, Value};

use crate::report::Report;

/// Evidence locations listed per result (SARIF viewers choke on thousands).
const MAX_LOCATIONS: usize = 100;

fn level(s: Severity) -> &'static str {
    match s {
        Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// SARIF 2.1.0: one rule per check that fired, one result per finding.
pub fn render_sarif(r: &Report) -> String {
    let mut rule_index: BTreeMap<&str, usize> = BTreeMap::new();
    let mut rules: Vec<Value> = Vec::new();
    for f in &r.findings {
        if rule_index.contains_key(f.check.as_str()) {
            continue;
        }
        let info = r.checks.iter().find(|c| c.code == f.check);
        rule_index.insert(&f.check, rules.len());
        rules.push(json!({
            "id": f.check,
            "name": f.title,
            "shortDescription": {"text": f.title},
            "fullDescription": {"text": info.map(|i| i.doc.lines().skip_while(|l| l.starts_with('#') || l.trim().is_empty()).take_while(|l| !l.trim().is_empty()).collect::<Vec<_>>().join(" ")).unwrap_or_default()},
            "help": {"text": info.map(|i| i.doc.clone()).unwrap_or_default(), "markdown": info.map(|i| i.doc.clone()).unwrap_or_default()},
            "defaultConfiguration": {"level": level(info.map(|i| i.severity).unwrap_or(f.severity))},
            "properties": {"guide": f.guide, "tags": info.map(|i| i.tags.clone()).unwrap_or_default(), "security-severity": match f.severity { Severity::High => "8.0", Severity::Medium => "5.5", Severity::Low => "3.0", Severity::Info => "1.0" }},
        }));
    }
    let results: Vec<Value> = r
        .findings
        .iter()
        .map(|f| {
            let locations: Vec<Value> = f
                .evidence
                .iter()
                .filter(|e| !e.input.is_empty())
                .take(MAX_LOCATIONS)
                .map(|e| {
                    let mut loc = json!({"physicalLocation": {"artifactLocation": {"uri": e.input}}, "logicalLocations": [{"name": e.id, "kind": "record"}]});
                    if e.line > 0 {
                        loc["physicalLocation"]["region"] = json!({"startLine": e.line});
                    }
                    loc
                })
                .collect();
            let ids: Vec<&str> = f.evidence.iter().map(|e| e.id.as_str()).collect();
            json!({
                "ruleId": f.check,
                "ruleIndex": rule_index[f.check.as_str()],
                "level": level(f.severity),
                "message": {"text": f.summary},
                "locations": locations,
                "partialFingerprints": {"entrascope/v1": format!("{}:{}", f.check, f.subject.clone().unwrap_or_default())},
                "properties": {"guide": f.guide, "subject": f.subject, "firstSeen": f.first_seen, "lastSeen": f.last_seen, "evidenceCount": f.evidence.len(), "evidenceIds": ids},
            })
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": r.tool.name, "version": r.tool.version, "informationUri": "https://learn.microsoft.com/entra/architecture/security-operations-introduction", "rules": rules}},
            "artifacts": r.inputs.iter().map(|i| json!({"location": {"uri": i.path}, "length": i.bytes})).collect::<Vec<_>>(),
            "results": results,
        }]
    });
    let mut s = serde_json::to_string_pretty(&doc).expect("sarif serializes");
    s.push('\n');
    s
}
