//! The CLI contract (`cli-contract.md`), end to end through the binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_entrascope"))
}

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(rel)
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("entrascope-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("runs")
}

fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

const NOW: &str = "2026-11-21T00:00:00Z";

#[test]
fn scan_reads_every_sample_with_its_kind_and_drops_nothing() {
    let out = run(&["scan", data("samples").to_str().unwrap(), "--format", "json", "--now", NOW]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let r = json_of(&out);
    assert_eq!(r["tool"]["name"], "entrascope");
    let inputs = r["inputs"].as_array().unwrap();
    let by_name = |name: &str| {
        inputs.iter().find(|i| i["path"].as_str().unwrap().ends_with(name)).unwrap_or_else(|| panic!("{name} missing"))
    };
    let expect = [
        ("directoryAudits_list_v1.0_docs_example2.json", "audit", "graph-json", 1),
        ("signIns_list_v1.0_docs_example1.json", "signin.interactive", "graph-json", 1),
        ("AADAuditEvents.json", "audit", "loganalytics-json", 4),
        ("panther_azure_audit_test_events.jsonl", "signin.mixed", "azure-monitor-json", 47),
    ];
    for (name, kind, format, records) in expect {
        let i = by_name(name);
        assert_eq!(i["kind"], kind, "{name}");
        assert_eq!(i["format"], format, "{name}");
        assert_eq!(i["records"].as_u64().unwrap() + i["rejected_total"].as_u64().unwrap(), records, "{name}: rows");
        assert_eq!(i["records"].as_u64().unwrap(), records, "{name}: nothing rejected");
        assert!(i.get("error").is_none(), "{name}");
    }
    // The Graph docs example with a trailing comma is read leniently and says so.
    let graph = by_name("signIns_list_v1.0_docs_example1.json");
    assert!(graph["warnings"].as_array().unwrap().iter().any(|w| w.as_str().unwrap().contains("trailing comma")));
    // Every catalogue row has a coverage status.
    let coverage = r["coverage"].as_array().unwrap();
    assert_eq!(coverage.len(), 217 + 28);
    for c in coverage {
        let s = c["status"].as_str().unwrap();
        assert!(["evaluated", "needs-data", "needs-settings", "not-applicable"].contains(&s));
        if s != "evaluated" {
            assert!(c["needs"].as_str().is_some_and(|n| !n.is_empty()), "{c}");
        }
    }
}

#[test]
fn evidence_cites_inputs_by_path_line_and_id() {
    let out = run(&["scan", data("samples").to_str().unwrap(), "--format", "json", "--now", NOW]);
    let r = json_of(&out);
    let findings = r["findings"].as_array().unwrap();
    assert!(!findings.is_empty(), "the Panther samples hold legacy-protocol sign-ins");
    for f in findings {
        assert!(f["check"].as_str().unwrap().chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-'));
        assert!(["high", "medium", "low", "info"].contains(&f["severity"].as_str().unwrap()));
        assert!(!f["summary"].as_str().unwrap().is_empty());
        for e in f["evidence"].as_array().unwrap() {
            assert!(e["input"].as_str().unwrap().ends_with(".json") || e["input"].as_str().unwrap().ends_with(".jsonl"));
            assert!(e["line"].as_u64().unwrap() >= 1);
            assert!(!e["id"].as_str().unwrap().is_empty());
            assert!(e["fields"].is_object());
        }
    }
    // Ordered by severity.
    let rank = |s: &str| ["info", "low", "medium", "high"].iter().position(|x| *x == s).unwrap();
    let sev: Vec<usize> = findings.iter().map(|f| rank(f["severity"].as_str().unwrap())).collect();
    assert!(sev.windows(2).all(|w| w[0] >= w[1]));
}

#[test]
fn fail_on_sets_the_exit_code() {
    let samples = data("samples");
    let s = samples.to_str().unwrap();
    let out = run(&["scan", s, "--format", "json", "--now", NOW]);
    assert_eq!(out.status.code(), Some(0), "without --fail-on findings do not fail the run");
    let r = json_of(&out);
    let has = |sev: &str| r["findings"].as_array().unwrap().iter().any(|f| f["severity"] == sev);
    assert!(has("medium"), "the samples hold legacy-protocol sign-ins");
    for (level, at_or_above) in
        [("low", vec!["low", "medium", "high"]), ("medium", vec!["medium", "high"]), ("high", vec!["high"])]
    {
        let expect = if at_or_above.iter().any(|s| has(s)) { 1 } else { 0 };
        assert_eq!(
            run(&["scan", s, "--format", "json", "--now", NOW, "--fail-on", level]).status.code(),
            Some(expect),
            "--fail-on {level}"
        );
    }
    // A folder with only a low-severity finding passes --fail-on high.
    let dir = tmp("failon");
    let page = serde_json::json!({"value": [{"id": "44444444-0000-4000-8000-000000000001", "createdDateTime": "2026-10-03T08:00:00Z",
        "userPrincipalName": "jane@contoso.com", "appDisplayName": "Microsoft Teams", "ipAddress": "198.51.100.7",
        "clientAppUsed": "Browser", "isInteractive": true, "status": {"errorCode": 0}}]});
    std::fs::write(dir.join("quiet.json"), serde_json::to_vec(&page).unwrap()).unwrap();
    assert_eq!(
        run(&["scan", dir.to_str().unwrap(), "--format", "json", "--now", NOW, "--fail-on", "high"]).status.code(),
        Some(0)
    );
}

#[test]
fn usage_errors_and_unreadable_inputs_exit_2_with_a_reason() {
    let dir = tmp("unreadable");
    let png = dir.join("picture.png");
    std::fs::write(&png, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
    let out = run(&["scan", png.to_str().unwrap(), "--format", "json", "--now", NOW]);
    assert_eq!(out.status.code(), Some(2));
    let r = json_of(&out);
    let err = r["inputs"][0]["error"].as_str().unwrap();
    assert!(err.to_lowercase().contains("png"), "{err}");

    let out = run(&["scan", "/definitely/not/here", "--format", "json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/definitely/not/here"));

    let bad_settings = dir.join("settings.json");
    std::fs::write(&bad_settings, r#"{"trusted_networks": ["10.0.0.0/33"]}"#).unwrap();
    let out = run(&["scan", data("samples").to_str().unwrap(), "--settings", bad_settings.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("trusted_networks"));

    assert_eq!(run(&["scan", data("samples").to_str().unwrap(), "--now", "yesterday"]).status.code(), Some(2));
    assert_eq!(run(&["scan"]).status.code(), Some(2));
}

#[test]
fn every_output_format_renders() {
    let s = data("samples");
    let dir = tmp("formats");
    for (format, check) in
        [("csv", "check,severity,title"), ("sarif", "\"version\": \"2.1.0\""), ("html", "<!DOCTYPE html>"), ("table", "INPUTS")]
    {
        let out_path = dir.join(format!("report.{format}"));
        let out = run(&["scan", s.to_str().unwrap(), "--format", format, "--now", NOW, "--out", out_path.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{format}: {}", String::from_utf8_lossy(&out.stderr));
        let text = std::fs::read_to_string(&out_path).unwrap();
        assert!(text.contains(check), "{format}: {}", &text[..text.len().min(300)]);
    }
    let sarif: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("report.sarif")).unwrap()).unwrap();
    assert!(!sarif["runs"][0]["results"].as_array().unwrap().is_empty());
}

#[test]
fn log_values_are_escaped_in_html_and_neutralized_in_csv() {
    let dir = tmp("escape");
    let page = serde_json::json!({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#auditLogs/signIns", "value": [{
        "id": "33333333-0000-4000-8000-000000000001", "createdDateTime": "2026-10-03T08:00:00Z",
        "userPrincipalName": "<img src=x onerror=alert(1)>@contoso.com", "appDisplayName": "=HYPERLINK(\"http://evil\")",
        "ipAddress": "198.51.100.7", "clientAppUsed": "IMAP4", "isInteractive": true, "status": {"errorCode": 0}}]});
    let f = dir.join("signins.json");
    std::fs::write(&f, serde_json::to_vec(&page).unwrap()).unwrap();
    let html = String::from_utf8(run(&["scan", f.to_str().unwrap(), "--format", "html", "--now", NOW]).stdout).unwrap();
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(!html.contains("<img src=x"));
    let csv = String::from_utf8(run(&["scan", f.to_str().unwrap(), "--format", "csv", "--now", NOW]).stdout).unwrap();
    assert!(csv.contains("'=HYPERLINK"), "{csv}");
}

#[test]
fn zip_archives_and_folders_are_read() {
    let dir = tmp("zip");
    // A stored (uncompressed) zip holding one sample, written by hand.
    let name = b"inner/audits.json";
    let body = std::fs::read(data("samples/graph-docs-examples/directoryAudits_list_v1.0_docs_example2.json")).unwrap();
    let crc = crc32(&body);
    let mut z = Vec::new();
    z.extend_from_slice(b"PK\x03\x04\x14\0\0\0\0\0\0\0\0\0");
    z.extend_from_slice(&crc.to_le_bytes());
    z.extend_from_slice(&(body.len() as u32).to_le_bytes());
    z.extend_from_slice(&(body.len() as u32).to_le_bytes());
    z.extend_from_slice(&(name.len() as u16).to_le_bytes());
    z.extend_from_slice(&0u16.to_le_bytes());
    z.extend_from_slice(name);
    z.extend_from_slice(&body);
    let cd_start = z.len();
    z.extend_from_slice(b"PK\x01\x02\x14\0\x14\0\0\0\0\0\0\0\0\0");
    z.extend_from_slice(&crc.to_le_bytes());
    z.extend_from_slice(&(body.len() as u32).to_le_bytes());
    z.extend_from_slice(&(body.len() as u32).to_le_bytes());
    z.extend_from_slice(&(name.len() as u16).to_le_bytes());
    z.extend_from_slice(&[0u8; 12]);
    z.extend_from_slice(&0u32.to_le_bytes());
    z.extend_from_slice(name);
    let cd_len = z.len() - cd_start;
    z.extend_from_slice(b"PK\x05\x06\0\0\0\0\x01\0\x01\0");
    z.extend_from_slice(&(cd_len as u32).to_le_bytes());
    z.extend_from_slice(&(cd_start as u32).to_le_bytes());
    z.extend_from_slice(&0u16.to_le_bytes());
    let zip = dir.join("export.zip");
    std::fs::write(&zip, z).unwrap();
    let out = run(&["scan", zip.to_str().unwrap(), "--format", "json", "--now", NOW]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let r = json_of(&out);
    let inner = r["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["path"].as_str().unwrap().ends_with("export.zip/inner/audits.json"))
        .expect("zip entry listed");
    assert_eq!(inner["kind"], "audit");
    assert_eq!(inner["records"], 1);
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

#[test]
fn checks_lists_every_check_with_its_documentation() {
    let out = run(&["checks", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let checks = json_of(&out);
    let list = checks.as_array().unwrap();
    assert!(list.len() >= 2);
    for c in list {
        assert!(!c["guide"].as_array().unwrap().is_empty());
        assert!(c["doc"].as_str().unwrap().contains("## What it detects"));
    }
    let one = run(&["checks", "sign-legacy-auth"]);
    assert_eq!(one.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&one.stdout).contains("SIGN-LEGACY-AUTH"));
    assert_eq!(run(&["checks", "NO-SUCH-CHECK"]).status.code(), Some(2));
    let md = String::from_utf8(run(&["checks", "--format", "markdown"]).stdout).unwrap();
    assert!(md.starts_with("# entrascope checks"));
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

fn connect_data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../entrascope-connect/tests/data").join(rel)
}

#[test]
fn diff_compares_two_connect_exports_and_scan_reports_the_comparison() {
    // The pilot export is the sample export with three files replaced (see
    // entrascope-connect's tests/data/PROVENANCE.md).
    let a = tmp("pilot").join("Pilot-modified-export");
    copy_tree(&connect_data("sample-export"), &a);
    copy_tree(&connect_data("documenter-report/Pilot-modified-export-overlay"), &a);
    let b = connect_data("sample-export");
    let out = run(&["diff", a.to_str().unwrap(), b.to_str().unwrap(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    for needle in ["In from AD - User Custom Fix", "In from AD - User Lync", "StagingMode"] {
        assert!(text.contains(needle), "diff lacks {needle}: {text}");
    }
    let out = run(&["scan", a.to_str().unwrap(), b.to_str().unwrap(), "--format", "json", "--now", NOW]);
    let r = json_of(&out);
    assert_eq!(r["summary"]["connect_configs"], 2);
    assert_eq!(r["connect"]["diffs"].as_array().unwrap().len(), 1);
    let checks: Vec<&str> = r["findings"].as_array().unwrap().iter().map(|f| f["check"].as_str().unwrap()).collect();
    assert!(checks.contains(&"SYNC-STAGING-DRIFT"), "{checks:?}");
    // A path without any configuration is a usage error naming what was expected.
    let out = run(&["diff", data("samples").to_str().unwrap(), b.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no Entra Connect configuration"));
}
