//! Every check's fixtures: each `fires*.json` beside a check makes it fire
//! with exactly the records marked `"x_expect": true` as evidence; each
//! `near_miss*.json` makes it report nothing.
//!
//! A fixture is a JSON object: `description`, optional `settings` (the
//! contract's settings file), optional `now`, optional `expect_findings`,
//! optional `x_expect_ids` (ids of expected evidence that is not a record,
//! such as a setting), and `signins` / `audits` arrays of Microsoft Graph
//! `signIn` and `directoryAudit` objects. The harness writes them as Graph pages and reads
//! them through the real readers, so fixtures also exercise the JSON path.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use entrascope_checks::{registry, CheckDef, Context};
use entrascope_core::{Settings, Timestamp};
use entrascope_logs::{Dataset, Ingest};
use serde_json::Value;

fn fixture_dir(def: &CheckDef) -> PathBuf {
    let file = def.meta.file.replace('\\', "/");
    let rel = &file[file.find("src/checks/").expect("checks live under src/checks/")..];
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel.trim_end_matches(".rs"))
}

pub struct Loaded {
    pub ds: Dataset,
    pub settings: Settings,
    pub now: Timestamp,
    pub expected: BTreeSet<String>,
    pub expect_findings: Option<usize>,
}

fn page(kind: &str, records: &Value) -> Vec<u8> {
    let page = serde_json::json!({
        "@odata.context": format!("https://graph.microsoft.com/beta/$metadata#auditLogs/{kind}"),
        "value": records,
    });
    serde_json::to_vec_pretty(&page).unwrap()
}

pub fn load(path: &Path) -> Loaded {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: invalid JSON: {e}", path.display()));
    let settings = match v.get("settings") {
        Some(s) => Settings::from_json(&s.to_string()).unwrap_or_else(|e| panic!("{}: {e}", path.display())).0,
        None => Settings::default(),
    };
    let now = v
        .get("now")
        .and_then(Value::as_str)
        .map(|s| Timestamp::parse(s).expect("now"))
        .unwrap_or(Timestamp::parse("2026-11-21T00:00:00Z").unwrap());
    let mut expected = BTreeSet::new();
    // Evidence that is not a record of an input (a setting) is expected by id.
    if let Some(ids) = v.get("x_expect_ids").and_then(Value::as_array) {
        expected.extend(ids.iter().filter_map(Value::as_str).map(str::to_lowercase));
    }
    let mut ingest = Ingest::new();
    for (key, kind) in [("signins", "signIns"), ("audits", "directoryAudits")] {
        if let Some(records) = v.get(key) {
            for r in records.as_array().expect("array") {
                if r.get("x_expect").and_then(Value::as_bool) == Some(true) {
                    expected.insert(r.get("id").and_then(Value::as_str).expect("marked records need an id").to_lowercase());
                }
            }
            let n = records.as_array().unwrap().len() as u64;
            let idx = ingest.read_all(&format!("{}/{key}.json", path.display()), &page(kind, records));
            let info = &ingest.dataset().inputs[idx as usize];
            assert_eq!(info.records, n, "{}: every fixture record must be read; rejected: {:?}", path.display(), info.rejected);
        }
    }
    Loaded {
        ds: ingest.finish(),
        settings,
        now,
        expected,
        expect_findings: v.get("expect_findings").and_then(Value::as_u64).map(|n| n as usize),
    }
}

fn fixtures(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> =
        std::fs::read_dir(dir).map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.path()).collect()).unwrap_or_default();
    out.retain(|p| {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        name.starts_with(prefix) && name.ends_with(".json")
    });
    out.sort();
    out
}

#[test]
fn every_check_fires_on_its_fixtures_and_not_on_its_near_misses() {
    let mut failures = Vec::new();
    for def in registry() {
        let code = def.meta.code;
        let dir = fixture_dir(def);
        let fires = fixtures(&dir, "fires");
        let misses = fixtures(&dir, "near_miss");
        if fires.is_empty() || misses.is_empty() {
            failures.push(format!("{code}: needs fires*.json and near_miss*.json in {}", dir.display()));
            continue;
        }
        for path in fires.iter().chain(misses.iter()) {
            let is_fire = fires.contains(path);
            let l = load(path);
            let avail = l.ds.availability();
            if let Some((status, needs)) = avail.gap(def.meta, &l.settings) {
                failures.push(format!("{code}: {} cannot run the check ({status:?}: {needs})", path.display()));
                continue;
            }
            let cx = Context::new(&l.ds, &l.settings, l.now);
            let findings = (def.run)(&cx);
            if findings.iter().any(|f| f.check != code) {
                failures.push(format!("{code}: emitted a finding with another code"));
            }
            let cited: BTreeSet<String> = findings.iter().flat_map(|f| f.evidence.iter().map(|e| e.id.to_lowercase())).collect();
            let name = path.file_name().unwrap().to_string_lossy();
            if is_fire {
                if findings.is_empty() {
                    failures.push(format!("{code}: {name} did not fire"));
                } else if cited != l.expected {
                    failures.push(format!("{code}: {name} cited {cited:?}, expected {:?}", l.expected));
                }
                if let Some(n) = l.expect_findings {
                    if findings.len() != n {
                        failures.push(format!("{code}: {name} gave {} findings, expected {n}", findings.len()));
                    }
                }
                for f in &findings {
                    if f.summary.trim().is_empty() || f.evidence.is_empty() {
                        failures.push(format!("{code}: {name} gave a finding without summary or evidence"));
                    }
                }
            } else if !findings.is_empty() {
                failures.push(format!("{code}: near miss {name} fired: {}", findings[0].summary));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
