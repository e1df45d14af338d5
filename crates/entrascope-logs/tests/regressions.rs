//! Every input under tests/regressions/ (fuzz findings) is read without a
//! panic, whole and in chunks, with identical results and counts that add up.

mod common;

use entrascope_logs::sniff;

/// What the fuzz target of that name feeds the reader.
fn inputs(target: &str, data: &[u8]) -> Vec<(String, Vec<u8>, usize)> {
    let Some((&ctl, rest)) = data.split_first() else { return Vec::new() };
    let chunk = 1 + (ctl as usize >> 2);
    match target {
        "csv" => {
            let headers = [
                include_str!("data/portal_InteractiveSignIns_header_2025-01_onward.csv"),
                include_str!("data/portal_AuditLogs_header_2025-02_onward.csv"),
                include_str!("data/loganalytics_SigninLogs_csv_export_header_2023-09.csv"),
            ];
            let mut v = headers[(ctl % 3) as usize].as_bytes().to_vec();
            v.extend_from_slice(rest);
            vec![("InteractiveSignIns_fuzz.csv".into(), v, chunk), ("fuzz.csv".into(), rest.to_vec(), chunk)]
        }
        "json" => {
            let prefix: &[u8] = match ctl % 3 {
                0 => b"",
                1 => b"[",
                _ => b"{\"@odata.context\":\"x\",\"value\":[",
            };
            let mut v = prefix.to_vec();
            v.extend_from_slice(rest);
            vec![("signins.json".into(), v, chunk)]
        }
        _ => vec![("input".into(), data.to_vec(), 3)],
    }
}

#[test]
fn fuzz_findings_stay_fixed() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/regressions");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("bin") {
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let target = name.split('-').next().unwrap().to_string();
        let data = std::fs::read(&path).unwrap();
        for (p, bytes, chunk) in inputs(&target, &data) {
            let _ = sniff(&bytes);
            common::check_chunking(&format!("{name}: {p}"), &bytes, chunk);
            n += 1;
        }
    }
    // The directory holds at least the seeds below; a missing file is a lost regression.
    assert!(n >= 1, "no regression inputs found in {dir}");
}
